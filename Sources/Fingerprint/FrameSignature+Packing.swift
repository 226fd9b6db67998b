// How the store keeps the picture-hash channel's frames (`PictureHashChannel`), in two formats.
//
// Format 1 (before issue 33): per frame, little-endian, the time (Float32), the quality (UInt8),
// the number of hashes (UInt8), then the hashes (4 × UInt64 each, bits 0…63 first). Still read:
// libraries indexed before keep their blobs (see `PictureHashChannel.format`).
//
// Format 2: a frame is written against the one before it. Frames are sampled a quarter second
// apart and mostly show the view the frame before showed: on the large corpus profile's
// references, 47 % of hashes differ from the same hash of the frame before (the same region) in
// at most 8 of their 256 bits and 78 % in at most 24, so naming the bits that flip takes fewer
// bytes than the hash. Nothing is lost: every hash reads back bit for bit. So each frame is
//   - a flags byte: bit 0 "absolute" (nothing in the frame is relative to a frame before); the
//     other bits are never set;
//   - the time: a LEB128 varint of the zigzagged difference of its Float32 bit pattern from the
//     frame before's (with "absolute", of the bit pattern itself): exact in any order;
//   - the quality (UInt8) and the number of hashes (UInt8, at most 255 are kept);
//   - each hash: a byte n, then either (n ≤ `mostFlips`) the n bits in which it differs from the
//     hash at the same place of the frame before, in increasing order, a byte each (bit b is bit
//     b % 64 of word b / 64), or (n = `wholeHash`) its 32 bytes as format 1 writes them. A hash
//     with no hash at its place before, or that differs in more bits, is written whole.
// On the large profile's references a hash takes 16.3 bytes with its share of its frame's time,
// quality and count, against 33.0 in format 1 (1.35 MB an hour of reference instead of 2.74).
//
// The first frame of every `pack` is absolute, so a blob made of pieces packed on their own (the
// index spools a file's fingerprint a piece at a time) reads by concatenation; a blob read a piece
// at a time unpacks each piece after the last frame of the one before (`unpack(_:after:)`).

extension FrameSignature {
    static let absoluteFlag: UInt8 = 1
    /// The most bits a hash written against the one before may name: with one more, naming them
    /// takes as many bytes as the hash.
    static let mostFlips = 31
    static let wholeHash: UInt8 = 255
    /// About the bytes a frame takes in format 2, to reserve memory from a blob's length.
    static let typicalPackedSize = 100

    /// Packs frames in format 2.
    public static func pack(_ frames: [FrameSignature]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(frames.count * typicalPackedSize)
        var before: FrameSignature?
        for f in frames {
            let hashes = Array(f.hashes.prefix(Int(UInt8.max)))
            if let before {
                out.append(0)
                appendVarint(zigzag(Int32(bitPattern: f.time.bitPattern &- before.time.bitPattern)), to: &out)
            } else {
                out.append(absoluteFlag)
                appendVarint(f.time.bitPattern, to: &out)
            }
            out.append(f.quality)
            out.append(UInt8(hashes.count))
            for (place, hash) in hashes.enumerated() {
                if let before, place < before.hashes.count, case let flips = hash.distance(to: before.hashes[place]), flips <= mostFlips {
                    let flipped = hash.words ^ before.hashes[place].words
                    out.append(UInt8(flips))
                    for w in 0 ..< 4 {
                        var bits = flipped[w]
                        while bits != 0 {
                            out.append(UInt8(64 * w + bits.trailingZeroBitCount))
                            bits &= bits - 1
                        }
                    }
                } else {
                    out.append(wholeHash)
                    for w in 0 ..< 4 { appendLE(hash.words[w], to: &out) }
                }
            }
            before = FrameSignature(time: f.time, quality: f.quality, hashes: hashes)
        }
        return out
    }

    /// Inverse of `pack` for the frames of `bytes` that follow `previous`; nil when the bytes are
    /// not whole frames, or one needs a frame before and has none.
    public static func unpack(_ bytes: [UInt8], after previous: FrameSignature? = nil) -> [FrameSignature]? {
        bytes.withUnsafeBufferPointer { b -> [FrameSignature]? in
            var out = [FrameSignature]()
            out.reserveCapacity(b.count / typicalPackedSize)
            var before = previous
            var at = 0
            while at < b.count {
                guard let length = packedLength(b, at: at) else { return nil }
                let absolute = b[at] & absoluteFlag != 0
                var i = at + 1
                let time = readVarint(b, &i)
                var f = FrameSignature(time: Float(bitPattern: time), quality: b[i], hashes: [])
                if !absolute {
                    guard let before else { return nil }
                    f.time = Float(bitPattern: before.time.bitPattern &+ UInt32(bitPattern: unzigzag(time)))
                }
                let count = Int(b[i + 1])
                i += 2
                f.hashes.reserveCapacity(count)
                for place in 0 ..< count {
                    let n = b[i]
                    i += 1
                    if n == wholeHash {
                        var words = SIMD4<UInt64>()
                        for w in 0 ..< 4 { words[w] = readLE(b, i + 8 * w, as: UInt64.self) }
                        f.hashes.append(PDQHash(words: words))
                        i += 32
                    } else {
                        guard !absolute, let before, place < before.hashes.count else { return nil }
                        var words = before.hashes[place].words
                        for _ in 0 ..< n {
                            let bit = Int(b[i])
                            words[bit / 64] ^= 1 << UInt64(bit % 64)
                            i += 1
                        }
                        f.hashes.append(PDQHash(words: words))
                    }
                }
                out.append(f)
                before = f
                at += length
            }
            return out
        }
    }

    /// How many of `bytes`, from the start, hold whole format-2 frames.
    public static func wholePackedLength(_ bytes: [UInt8]) -> Int { wholeItemsLength(bytes, itemLength: packedLength) }

    /// The length of the whole format-2 frame at `at`; nil when it is cut or not one `pack` writes
    /// (a flag it never sets, a time varint past 32 bits, a hash's byte it never writes).
    private static func packedLength(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        guard at < b.count, b[at] & ~absoluteFlag == 0, let time = varintLength(b, at: at + 1, bits: 32) else { return nil }
        var i = at + 1 + time
        guard i + 2 <= b.count else { return nil }
        let count = Int(b[i + 1])
        i += 2
        for _ in 0 ..< count {
            guard i < b.count else { return nil }
            let n = b[i]
            guard n == wholeHash || Int(n) <= mostFlips else { return nil }
            i += 1 + (n == wholeHash ? 32 : Int(n))
        }
        return i <= b.count ? i - at : nil
    }

    // MARK: - Format 1

    /// How many of `bytes`, from the start, hold whole format-1 frames.
    public static func wholeRecordsLength(_ bytes: [UInt8]) -> Int {
        var at = 0
        while at + 6 <= bytes.count {
            let next = at + 6 + 32 * Int(bytes[at + 5])
            guard next <= bytes.count else { break }
            at = next
        }
        return at
    }

    /// Frames of format-1 bytes; nil when the bytes are not a whole number of frames.
    public static func unpackRecords(_ bytes: [UInt8]) -> [FrameSignature]? {
        bytes.withUnsafeBufferPointer { b -> [FrameSignature]? in
            var frames: [FrameSignature] = []
            var at = 0
            while at < b.count {
                guard at + 6 <= b.count else { return nil }
                let count = Int(b[at + 5])
                guard at + 6 + 32 * count <= b.count else { return nil }
                var f = FrameSignature(time: Float(bitPattern: readLE(b, at, as: UInt32.self)), quality: b[at + 4], hashes: [])
                f.hashes.reserveCapacity(count)
                at += 6
                for _ in 0 ..< count {
                    var words = SIMD4<UInt64>()
                    for w in 0 ..< 4 { words[w] = readLE(b, at + 8 * w, as: UInt64.self) }
                    f.hashes.append(PDQHash(words: words))
                    at += 32
                }
                frames.append(f)
            }
            return frames
        }
    }
}

extension FrameSignature: RecordsThenPacked {}
