// A file's fingerprint as the matcher sees it: sampled frame hashes with their times and
// quality, and audio landmarks. References keep one hash per frame (of the active picture
// area); suspects keep several per frame (the area, its mirror image, sub-regions) so that
// edited copies still meet the reference's hash.
import AudioFingerprint

public struct FrameSignature: Sendable, Equatable {
    public var time: Float
    /// PDQ quality, 0…100; below 50 a frame is never evidence.
    public var quality: UInt8
    /// The active area's hash first, then any variants (suspects only).
    public var hashes: [Hash256]

    public init(time: Float, quality: UInt8, hashes: [Hash256]) {
        self.time = time
        self.quality = quality
        self.hashes = hashes
    }

    public static let minimumEvidenceQuality: UInt8 = 50
    public var isEvidence: Bool { quality >= Self.minimumEvidenceQuality }
}

public struct MediaFingerprint: Sendable {
    /// Bumped whenever hashing or sampling changes what is stored: older rows are re-indexed.
    public static let formatVersion = 1

    public var duration: Double?
    public var frames: [FrameSignature]
    public var landmarks: [AudioLandmark]

    public init(duration: Double?, frames: [FrameSignature], landmarks: [AudioLandmark]) {
        self.duration = duration
        self.frames = frames
        self.landmarks = landmarks
    }
}

/// Packed form of frames for the store, little-endian: per frame, time (Float32), quality
/// (UInt8), number of hashes (UInt8), then the hashes (4 × UInt64 each).
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
                for i in 0 ..< 4 { withUnsafeBytes(of: h[i].littleEndian) { out += $0 } }
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
                var hashes: [Hash256] = []
                hashes.reserveCapacity(count)
                for _ in 0 ..< count {
                    var h = Hash256()
                    for w in 0 ..< 4 { h[w] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8 * w, as: UInt64.self)) }
                    hashes.append(h)
                    at += 32
                }
                frames.append(FrameSignature(time: time, quality: quality, hashes: hashes))
            }
            return frames
        }
    }
}
