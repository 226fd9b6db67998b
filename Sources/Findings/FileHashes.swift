// What `vmatch hash` found: a hash per image or sampled frame, and a file's whole record as
// ThreatExchange's vPDQ has it (facebook/ThreatExchange vpdq/cpp, `io/vpdqio.cpp`), with the
// JSON field names of `--format jsonl` and `--format json`. Report renders them as text.
import Fingerprint

/// One hashed image or sampled frame (`--format text|jsonl`).
package struct HashLine: Sendable, Encodable {
    package var file: String
    /// Seconds from the start; nil for a still image.
    package var time: Double?
    package var quality: Int
    package var pdq: String

    package init(file: String, time: Double?, quality: Int, hash: PDQHash) {
        self.file = file
        self.time = time
        self.quality = quality
        pdq = hash.hex
    }
}

/// One hashed frame, as vPDQ describes it.
package struct VPDQFeature: Sendable, Encodable {
    package var frame: Int
    /// Seconds: frame / frame rate (nil for a still image).
    package var time: Double?
    package var quality: Int
    package var pdq: String

    package init(frame: Int, time: Double?, quality: Int, pdq: String) {
        self.frame = frame
        self.time = time
        self.quality = quality
        self.pdq = pdq
    }
}

/// A file's whole hash record (`--format json`).
package struct FileHashes: Sendable, Encodable {
    package var schema = 1
    package var file: String
    package var duration: Double?
    package var frameRate: Double?
    package var width: Int?
    package var height: Int?
    package var secondsPerHash: Double?
    package var frames: [VPDQFeature]

    package init(file: String, duration: Double?, width: Int?, height: Int?, frames: [VPDQFeature]) {
        self.file = file
        self.duration = duration
        self.width = width
        self.height = height
        self.frames = frames
    }

    enum CodingKeys: String, CodingKey {
        case schema, file, duration, frames, width, height
        case frameRate = "frame_rate", secondsPerHash = "seconds_per_hash"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(file, forKey: .file)
        try c.encode(duration, forKey: .duration)  // null when unknown, never missing
        try c.encode(frameRate, forKey: .frameRate)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(secondsPerHash, forKey: .secondsPerHash)
        try c.encode(frames, forKey: .frames)
    }
}
