// The packed form of frame signatures, as the store keeps them, little-endian: per frame, time
// (Float32), quality (UInt8), number of hashes (UInt8), then the hashes (4 × UInt64 each,
// bits 0…63 first).

public enum FramePacking {
    public static func pack(_ frames: [FrameSignature]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.reduce(0) { $0 + 6 + 32 * min($1.hashes.count, 255) })
        for f in frames {
            withUnsafeBytes(of: f.time.bitPattern.littleEndian) { out += $0 }
            out.append(f.quality)
            let hashes = f.hashes.prefix(255)
            out.append(UInt8(hashes.count))
            for h in hashes {
                for i in 0 ..< 4 { withUnsafeBytes(of: h.words[i].littleEndian) { out += $0 } }
            }
        }
        return out
    }

    /// How many of `bytes`, from the start, hold whole frames (for reading a packed blob a piece
    /// at a time).
    public static func wholeFramesLength(_ bytes: [UInt8]) -> Int {
        var at = 0
        while at + 6 <= bytes.count {
            let next = at + 6 + 32 * Int(bytes[at + 5])
            guard next <= bytes.count else { break }
            at = next
        }
        return at
    }

    /// nil when the bytes are not a whole number of frames.
    public static func unpack(_ bytes: [UInt8]) -> [FrameSignature]? {
        bytes.withUnsafeBytes { raw -> [FrameSignature]? in
            var frames: [FrameSignature] = []
            var at = 0
            while at < raw.count {
                guard at + 6 <= raw.count else { return nil }
                let time = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                let quality = raw[at + 4]
                let count = Int(raw[at + 5])
                at += 6
                guard at + 32 * count <= raw.count else { return nil }
                var hashes: [PDQHash] = []
                hashes.reserveCapacity(count)
                for _ in 0 ..< count {
                    var words = SIMD4<UInt64>()
                    for w in 0 ..< 4 { words[w] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8 * w, as: UInt64.self)) }
                    hashes.append(PDQHash(words: words))
                    at += 32
                }
                frames.append(FrameSignature(time: time, quality: quality, hashes: hashes))
            }
            return frames
        }
    }
}
