// `vmatch hash --format vpdq|json`: a file's frame hashes as ThreatExchange's vPDQ has them, so
// they can be exchanged with platforms' hash-matching programs. vPDQ (facebook/ThreatExchange
// vpdq/cpp, `hashing/filehasher.cpp`, `io/vpdqio.cpp`) hashes every ⌊frame rate × seconds per
// hash⌋-th decoded frame from full-size RGB, and writes one line per hashed frame:
// `frame number,quality,PDQ hex,timestamp` with timestamp = frame number / frame rate, 3 decimals.
// Here frames are picked by presentation time at that same spacing, and numbered by their time
// × frame rate: the same frames for constant frame rate video.
import ArgumentParser
import Foundation
import Media
import VideoFingerprint

enum HashFormat: String, ExpressibleByArgument, CaseIterable {
    /// One line per image or sampled frame, for people.
    case text
    /// One JSON object per image or sampled frame (what `--json` gives).
    case jsonl
    /// One JSON object per file: its metadata and every hashed frame, as vPDQ samples them.
    case json
    /// ThreatExchange vPDQ lines (one video).
    case vpdq
}

/// One hashed frame, as vPDQ describes it.
struct VPDQFeature: Encodable {
    var frame: Int
    /// Seconds: frame / frame rate (nil for a still image).
    var time: Double?
    var quality: Int
    var pdq: String

    /// `12,100,e271…055c,0.400`
    var line: String { "\(frame),\(quality),\(pdq)," + String(format: "%.3f", time ?? 0) }
}

/// A file's whole hash record (`--format json`).
struct FileHashes: Encodable {
    var schema = 1
    var file: String
    var duration: Double?
    var frameRate: Double?
    var width: Int?
    var height: Int?
    var secondsPerHash: Double?
    var frames: [VPDQFeature]

    enum CodingKeys: String, CodingKey {
        case schema, file, duration, frames, width, height
        case frameRate = "frame_rate", secondsPerHash = "seconds_per_hash"
    }

    func encode(to encoder: any Encoder) throws {
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

extension Hash {
    /// The vPDQ features of a video (one frame every `1 / fps` seconds), or of a still image.
    static func vpdqHashes(of file: String, framesPerSecond fps: Double, hasher: PDQHasher) throws -> FileHashes {
        let info = try MediaDecoder.probe(path: file)
        guard let video = info.video else { throw MediaError(.noStreams, path: file, reason: "no picture to hash") }
        var record = FileHashes(file: file, duration: info.duration, width: video.width, height: video.height, frames: [])
        if info.isStillImage {
            let decoder = try MediaDecoder(path: file, options: DecodeOptions(video: VideoOutput(layout: .rgb24), audio: nil))
            try decoder.decode(video: { frame in
                let r = hasher.hash(rgb: frame.pixels, width: frame.width, height: frame.height)
                record.frames.append(VPDQFeature(frame: record.frames.count, time: nil, quality: r.quality, pdq: r.hash.hex))
            })
            return record
        }
        guard let rate = video.frameRate, rate > 0 else {
            throw MediaError(.decode, path: file, reason: "no frame rate, which vPDQ numbers frames by")
        }
        let secondsPerHash = 1 / fps
        let step = max(1, Int(secondsPerHash * rate))
        record.frameRate = (rate * 1000).rounded() / 1000
        record.secondsPerHash = secondsPerHash
        let decoder = try MediaDecoder(path: file, options: DecodeOptions(
            video: VideoOutput(framesPerSecond: rate / Double(step), layout: .rgb24), audio: nil))
        try decoder.decode(video: { frame in
            let number = Int((frame.time * rate).rounded())
            let r = hasher.hash(rgb: frame.pixels, width: frame.width, height: frame.height)
            // vPDQ's timestamp is a float: frame number / frame rate.
            let time = Double(Float(number) / Float(rate))
            record.frames.append(VPDQFeature(frame: number, time: time, quality: r.quality, pdq: r.hash.hex))
        })
        return record
    }

    /// `--format json` and `--format vpdq`.
    func runWhole(_ format: HashFormat) throws {
        let hasher = PDQHasher()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failed = false
        for file in files {
            do {
                let record = try Self.vpdqHashes(of: file, framesPerSecond: fps, hasher: hasher)
                if format == .vpdq {
                    let lines = record.frames.map { $0.line + "\n" }.joined()
                    FileHandle.standardOutput.write(Data(lines.utf8))
                } else {
                    FileHandle.standardOutput.write(try encoder.encode(record) + Data("\n".utf8))
                }
            } catch {
                failed = true
                Terminal.error("\(error)")
            }
        }
        if failed { throw ExitCode(Status.unreadable) }
    }
}
