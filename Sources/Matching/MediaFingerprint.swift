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

/// Packed form of reference frames for the store: per frame, time (Float32), quality (UInt8)
/// and the first hash (4 × UInt64), little-endian, 37 bytes.
public enum FramePacking {
    static let stride = 37

    public static func pack(_ frames: [FrameSignature]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.count * stride)
        for f in frames {
            withUnsafeBytes(of: f.time.bitPattern.littleEndian) { out += $0 }
            out.append(f.quality)
            let h = f.hashes.first ?? Hash256()
            for i in 0 ..< 4 { withUnsafeBytes(of: h[i].littleEndian) { out += $0 } }
        }
        return out
    }

    public static func unpack(_ bytes: [UInt8]) -> [FrameSignature]? {
        guard bytes.count % stride == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0 ..< bytes.count / stride).map { i in
                let base = i * stride
                let time = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt32.self)))
                let quality = raw[base + 4]
                var h = Hash256()
                for w in 0 ..< 4 {
                    h[w] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 5 + 8 * w, as: UInt64.self))
                }
                return FrameSignature(time: time, quality: quality, hashes: [h])
            }
        }
    }
}
