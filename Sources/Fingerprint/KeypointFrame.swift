// The keypoint channel's value: the keypoints of one sampled picture (`KeypointExtractor` in
// VideoFingerprint), with the picture's size so that positions can be compared across files of
// other sizes. Stored packed, little-endian: per frame, time (Float32), width and height
// (UInt16), flags (UInt8: bit 0 mirrored), keypoint count (UInt16); per keypoint, x and y in
// quarter pixels (UInt16), angle in 1/256 turns (UInt8), pyramid level (UInt8), the descriptor's
// four words (UInt64): 38 bytes. The Harris response only ranks keypoints at extraction and is
// not kept.

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
    static let keypointSize = 38
    /// Largest side and count the packed form holds (quarter pixels in a UInt16).
    static let maximumSide = 16383
}

/// The picture channel of keypoints with binary descriptors (local features: found wherever the
/// picture sits in the frame).
public enum KeypointChannel: FingerprintChannel {
    public static var name: String { "keypoints" }
    /// 2: the blob is written only when the channel was made, so an empty one means it found no
    /// keypoints. Format 1 (before issue 29) wrote an empty blob with the channel switched off as
    /// well; the packing is the same.
    public static var format: Int { 2 }
    public static var medium: Medium { .picture }
    public static var items: WritableKeyPath<MediaFingerprint, [KeypointFrame]> { \.keypointFrames }
    public static func time(of item: KeypointFrame) -> Float { item.time }

    public static func pack(_ items: [KeypointFrame]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(0) { $0 + KeypointFrame.headerSize + KeypointFrame.keypointSize * $1.keypoints.count })
        for f in items {
            appendLE(f.time.bitPattern, to: &out)
            appendLE(UInt16(clamping: min(f.width, KeypointFrame.maximumSide)), to: &out)
            appendLE(UInt16(clamping: min(f.height, KeypointFrame.maximumSide)), to: &out)
            out.append(f.mirrored ? 1 : 0)
            let keypoints = f.keypoints.prefix(Int(UInt16.max))
            appendLE(UInt16(keypoints.count), to: &out)
            for k in keypoints {
                appendLE(quarterPixels(k.x), to: &out)
                appendLE(quarterPixels(k.y), to: &out)
                let turns = (Double(k.angle) / (2 * Double.pi)).truncatingRemainder(dividingBy: 1)
                out.append(UInt8(Int(((turns < 0 ? turns + 1 : turns) * 256).rounded()) & 255))
                out.append(k.level)
                for w in 0 ..< 4 { appendLE(k.descriptor.words[w], to: &out) }
            }
        }
        return out
    }

    public static func wholeItemsLength(_ bytes: [UInt8]) -> Int {
        var at = 0
        while at + KeypointFrame.headerSize <= bytes.count {
            let count = Int(UInt16(bytes[at + 9]) | UInt16(bytes[at + 10]) << 8)
            let next = at + KeypointFrame.headerSize + KeypointFrame.keypointSize * count
            guard next <= bytes.count else { break }
            at = next
        }
        return at
    }

    public static func unpack(_ bytes: [UInt8]) -> [KeypointFrame]? {
        bytes.withUnsafeBytes { raw -> [KeypointFrame]? in
            var frames: [KeypointFrame] = []
            var at = 0
            func read<T: FixedWidthInteger>(_: T.Type) -> T {
                defer { at += MemoryLayout<T>.size }
                return T(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: T.self))
            }
            while at < raw.count {
                guard at + KeypointFrame.headerSize <= raw.count else { return nil }
                let time = Float(bitPattern: read(UInt32.self))
                let width = Int(read(UInt16.self)), height = Int(read(UInt16.self))
                let flags = read(UInt8.self)
                let count = Int(read(UInt16.self))
                guard at + KeypointFrame.keypointSize * count <= raw.count else { return nil }
                var keypoints: [Keypoint] = []
                keypoints.reserveCapacity(count)
                for _ in 0 ..< count {
                    let x = Float(read(UInt16.self)) / 4, y = Float(read(UInt16.self)) / 4
                    let turn = read(UInt8.self)
                    let level = read(UInt8.self)
                    var words = SIMD4<UInt64>()
                    for w in 0 ..< 4 { words[w] = read(UInt64.self) }
                    let angle = Float(Double(turn) / 256 * 2 * Double.pi)
                    keypoints.append(Keypoint(x: x, y: y, angle: angle > Float.pi ? angle - 2 * Float.pi : angle,
                                              level: level, response: 0, descriptor: BinaryDescriptor(words: words)))
                }
                frames.append(KeypointFrame(time: time, width: width, height: height, mirrored: flags & 1 != 0, keypoints: keypoints))
            }
            return frames
        }
    }

    private static func quarterPixels(_ v: Float) -> UInt16 {
        UInt16(clamping: Int((max(0, v) * 4).rounded()))
    }
}
