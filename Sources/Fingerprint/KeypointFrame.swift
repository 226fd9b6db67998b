// The keypoint channel's value: the keypoints of one sampled picture (`KeypointExtractor` in
// VideoFingerprint), with the picture's size so that positions can be compared across files of
// other sizes. Stored packed, little-endian: per frame, time (Float32), width and height
// (UInt16), flags (UInt8: bit 0 mirrored, bit 1 carries keypoints over, bit 2 moved them),
// keypoint count (UInt16);
// per keypoint, x and y in quarter pixels (UInt16) and the descriptor's four words (UInt64):
// 36 bytes. The Harris response only ranks keypoints at extraction, and the orientation and
// pyramid level only steer and scale the descriptor there: matching reads positions and
// descriptors, so none of the three is kept (format 4; format 3 wrote each keypoint's angle in
// 1/256 turns and its level, a UInt8 each, after its position — 38 bytes — and is still read).
//
// A frame whose keypoints open with some of the frame before's, in their order there and all
// moved alike (a reference's picture mostly holds still or pans, and its corners with it:
// `KeypointRecipe` carries them over and puts them first), writes those as bits: after its
// header, the frame before's keypoint count (UInt16), when they moved (flags bit 2) how far in
// quarter pixels (two Int16), and one bit per keypoint of the frame before (set: carried); then
// the keypoints not carried. A frame carries only from the frame packed just before it, so a
// blob read a piece at a time unpacks each piece after the last frame of the one before
// (`unpack(_:after:)`), and pieces packed on their own join by concatenation.

public struct KeypointFrame: Sendable, Equatable {
    public var time: Float
    /// The picture the keypoints were found in, pixels.
    public var width: Int
    public var height: Int
    /// Described from the picture mirrored left to right (a suspect's second description:
    /// BRIEF is not mirror invariant), positions in the mirrored picture.
    public var mirrored: Bool
    public var keypoints: [Keypoint]

    public init(time: Float, width: Int, height: Int, mirrored: Bool = false, keypoints: [Keypoint]) {
        self.time = time
        self.width = width
        self.height = height
        self.mirrored = mirrored
        self.keypoints = keypoints
    }

    static let headerSize = 11
    static let keypointSize = 36
    /// Bytes of a keypoint in a blob of `format`: format 3 also kept the angle and the level.
    static func keypointSize(format: Int) -> Int { format <= 3 ? 38 : keypointSize }
    /// Largest side and count the packed form holds (quarter pixels in a UInt16).
    static let maximumSide = 16383
}

/// The picture channel of keypoints with binary descriptors (local features: found wherever the
/// picture sits in the frame).
public enum KeypointChannel: FingerprintChannel {
    public static var name: String { "keypoints" }
    /// 4: a keypoint is its position and descriptor (36 bytes; 3 also kept its angle and
    /// level, 38, and is read as well). 3: frames may carry keypoints over from the frame before
    /// (format 2's frames, which never do, read the same). Since 2 the blob is written only when
    /// the channel was made, so an empty one means it found no keypoints; format 1 (before
    /// issue 29) wrote an empty blob with the channel switched off as well.
    public static var format: Int { 4 }
    public static var emptyMeansMadeFrom: Int { 2 }
    public static var medium: Medium { .picture }
    public static var items: WritableKeyPath<MediaFingerprint, [KeypointFrame]> { \.keypointFrames }
    public static func time(of item: KeypointFrame) -> Float { item.time }

    public static func pack(_ items: [KeypointFrame]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(0) { $0 + KeypointFrame.headerSize + KeypointFrame.keypointSize * $1.keypoints.count })
        // The frame before's keypoints as packed, and by look (where they are aside).
        var before: [PackedKeypoint] = [], byLook: [SIMD4<UInt64>: PackedKeypoint] = [:]
        // The frame before's keypoints moved as this frame's first one did, by place (scratch).
        var place: [PackedKeypoint: Int] = [:]
        for f in items {
            appendLE(f.time.bitPattern, to: &out)
            appendLE(UInt16(clamping: min(f.width, KeypointFrame.maximumSide)), to: &out)
            appendLE(UInt16(clamping: min(f.height, KeypointFrame.maximumSide)), to: &out)
            let keypoints = f.keypoints.prefix(Int(UInt16.max)).map(PackedKeypoint.init)
            // How far the frame before's keypoints moved: as its first keypoint did, when that is
            // one of them moved (quarter pixels).
            let shift = keypoints.first.flatMap { k in byLook[k.look].map { SIMD2(Int(k.x) - Int($0.x), Int(k.y) - Int($0.y)) } } ?? .zero
            let movable = Int(Int16.min) ... Int(Int16.max)
            let moved = movable.contains(shift.x) && movable.contains(shift.y) ? shift : .zero
            place.removeAll(keepingCapacity: true)
            for (i, b) in before.enumerated() {
                if let m = b.moved(by: moved), place[m] == nil { place[m] = i }
            }
            // The keypoints that open the frame and are, in order, some of the frame before's moved.
            var carried: [Int] = []
            for k in keypoints {
                guard let i = place[k], i > carried.last ?? -1 else { break }
                carried.append(i)
            }
            let shifted = !carried.isEmpty && moved != .zero
            out.append((f.mirrored ? 1 : 0) | (carried.isEmpty ? 0 : 2) | (shifted ? 4 : 0))
            appendLE(UInt16(keypoints.count), to: &out)
            if !carried.isEmpty {
                appendLE(UInt16(before.count), to: &out)
                if shifted {
                    appendLE(Int16(moved.x), to: &out)
                    appendLE(Int16(moved.y), to: &out)
                }
                var bitmap = [UInt8](repeating: 0, count: (before.count + 7) / 8)
                for i in carried { bitmap[i / 8] |= 1 << (i % 8) }
                out += bitmap
            }
            for k in keypoints.dropFirst(carried.count) { k.append(to: &out) }
            before = keypoints
            byLook.removeAll(keepingCapacity: true)
            for k in keypoints where byLook[k.look] == nil { byLook[k.look] = k }
        }
        return out
    }

    /// The packed length of the frame at `at`, nil when its header or carry bitmap is cut.
    private static func frameLength(_ bytes: UnsafeRawBufferPointer, at: Int, keypointSize: Int) -> Int? {
        let header = KeypointFrame.headerSize
        guard at + header <= bytes.count else { return nil }
        let flags = bytes[at + 8]
        let count = Int(UInt16(bytes[at + 9]) | UInt16(bytes[at + 10]) << 8)
        guard flags & 2 != 0 else { return header + keypointSize * count }
        let carry = 2 + (flags & 4 != 0 ? 4 : 0)
        guard at + header + carry <= bytes.count else { return nil }
        let bitmap = (Int(UInt16(bytes[at + header]) | UInt16(bytes[at + header + 1]) << 8) + 7) / 8
        guard at + header + carry + bitmap <= bytes.count else { return nil }
        var carried = 0
        for b in 0 ..< bitmap { carried += bytes[at + header + carry + b].nonzeroBitCount }
        guard carried <= count else { return nil }
        return header + carry + bitmap + keypointSize * (count - carried)
    }

    public static func wholeItemsLength(_ bytes: [UInt8]) -> Int { wholeItemsLength(bytes, format: format) }

    public static func wholeItemsLength(_ bytes: [UInt8], format: Int) -> Int {
        let size = KeypointFrame.keypointSize(format: format)
        return bytes.withUnsafeBytes { raw in
            var at = 0
            while let length = frameLength(raw, at: at, keypointSize: size), at + length <= raw.count { at += length }
            return at
        }
    }

    public static func unpack(_ bytes: [UInt8]) -> [KeypointFrame]? { unpack(bytes, after: nil) }

    public static func unpack(_ bytes: [UInt8], after previous: KeypointFrame?) -> [KeypointFrame]? {
        unpack(bytes, format: format, after: previous)
    }

    /// Formats 2 to 4 (1 wrote what 2 does); nil for a later one.
    public static func unpack(_ bytes: [UInt8], format: Int, after previous: KeypointFrame?) -> [KeypointFrame]? {
        guard format <= Self.format else { return nil }
        let size = KeypointFrame.keypointSize(format: format)
        return bytes.withUnsafeBytes { raw -> [KeypointFrame]? in
            var frames: [KeypointFrame] = []
            var before = previous?.keypoints ?? []
            var at = 0
            func read<T: FixedWidthInteger>(_: T.Type) -> T {
                defer { at += MemoryLayout<T>.size }
                return T(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: T.self))
            }
            while at < raw.count {
                guard let length = frameLength(raw, at: at, keypointSize: size), at + length <= raw.count else { return nil }
                let time = Float(bitPattern: read(UInt32.self))
                let width = Int(read(UInt16.self)), height = Int(read(UInt16.self))
                let flags = read(UInt8.self)
                let count = Int(read(UInt16.self))
                var keypoints: [Keypoint] = []
                keypoints.reserveCapacity(count)
                if flags & 2 != 0 {
                    let bits = Int(read(UInt16.self))
                    guard bits == before.count else { return nil }
                    let dx = flags & 4 != 0 ? Float(read(Int16.self)) / 4 : 0
                    let dy = flags & 4 != 0 ? Float(read(Int16.self)) / 4 : 0
                    for i in 0 ..< bits where raw[at + i / 8] >> (i % 8) & 1 != 0 {
                        var k = before[i]
                        k.x += dx
                        k.y += dy
                        keypoints.append(k)
                    }
                    at += (bits + 7) / 8
                }
                for _ in keypoints.count ..< count {
                    let x = Float(read(UInt16.self)) / 4, y = Float(read(UInt16.self)) / 4
                    var angle: Float = 0, level: UInt8 = 0
                    if size > KeypointFrame.keypointSize {
                        let turns = Float(Double(read(UInt8.self)) / 256 * 2 * Double.pi)
                        angle = turns > Float.pi ? turns - 2 * Float.pi : turns
                        level = read(UInt8.self)
                    }
                    var words = SIMD4<UInt64>()
                    for w in 0 ..< 4 { words[w] = read(UInt64.self) }
                    keypoints.append(Keypoint(x: x, y: y, angle: angle, level: level, response: 0,
                                              descriptor: BinaryDescriptor(words: words)))
                }
                frames.append(KeypointFrame(time: time, width: width, height: height, mirrored: flags & 1 != 0, keypoints: keypoints))
                before = keypoints
            }
            return frames
        }
    }
}

extension Keypoint {
    /// This keypoint placed in the steps the store keeps positions in (quarter pixels): where
    /// unpacking it puts it.
    public var placedAsStored: Keypoint {
        var k = self
        k.x = Float(PackedKeypoint.quarterPixels(x)) / 4
        k.y = Float(PackedKeypoint.quarterPixels(y)) / 4
        return k
    }
}

/// A keypoint as the store keeps it: position in quarter pixels and descriptor. Two keypoints
/// that pack alike are written once (`KeypointChannel.pack`).
struct PackedKeypoint: Hashable {
    var x: UInt16
    var y: UInt16
    var words: SIMD4<UInt64>

    init(_ k: Keypoint) {
        x = Self.quarterPixels(k.x)
        y = Self.quarterPixels(k.y)
        words = k.descriptor.words
    }

    /// What a keypoint looks like, wherever it is: its descriptor.
    var look: SIMD4<UInt64> { words }

    /// The keypoint moved by `shift` quarter pixels; nil when that leaves what the form holds.
    func moved(by shift: SIMD2<Int>) -> PackedKeypoint? {
        let x = Int(x) + shift.x, y = Int(y) + shift.y
        guard (0 ... Int(UInt16.max)).contains(x), (0 ... Int(UInt16.max)).contains(y) else { return nil }
        var out = self
        out.x = UInt16(x)
        out.y = UInt16(y)
        return out
    }

    func append(to out: inout [UInt8]) {
        appendLE(x, to: &out)
        appendLE(y, to: &out)
        for w in 0 ..< 4 { appendLE(words[w], to: &out) }
    }

    static func quarterPixels(_ v: Float) -> UInt16 {
        UInt16(clamping: Int((max(0, v) * 4).rounded()))
    }
}
