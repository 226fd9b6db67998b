// The work of `vmatch hash`: the PDQ hash of an image, or of each sampled frame of a video, in
// every output format from full-size RGB as the reference implementation and vPDQ hash them
// (facebook/ThreatExchange vpdq/cpp `hashing/filehasher.cpp`: every ⌊frame rate × seconds per
// hash⌋-th decoded frame), so that the hashes compare with other PDQ tools'. (The library's own
// fingerprints hash the decoded luma plane instead, which costs no colour conversion; the two
// differ by a few bits.) Frames are picked by presentation time at that same spacing and
// numbered by their time × frame rate: the same frames for constant frame rate video.
import Findings
import Fingerprint
import Media
import VideoFingerprint

package enum FrameHashes {
    /// Hashes `file` (a still image, or a video sampled at `framesPerSecond` by presentation time)
    /// and hands each hashed frame to `body`, in order.
    package static func hash(_ file: String, framesPerSecond: Double, hasher: PDQHasher = PDQHasher(),
                             _ body: (HashLine) throws -> Void) throws {
        let info = try MediaDecoder.probe(path: file)
        guard info.hasVideo else { throw MediaError(.noStreams, path: file, reason: "no picture to hash") }
        let decoder = try MediaDecoder(path: file, options: DecodeOptions(
            video: VideoOutput(framesPerSecond: info.isStillImage ? nil : framesPerSecond, layout: .rgb24), audio: nil))
        try decoder.decode(video: { frame in
            let result = hasher.hash(rgb: frame.pixels, width: frame.width, height: frame.height)
            try body(HashLine(file: file, time: info.isStillImage ? nil : frame.time, quality: result.quality, hash: result.hash))
        })
    }

    /// The vPDQ features of a video (one frame every `1 / fps` seconds), or of a still image.
    package static func vpdq(of file: String, framesPerSecond fps: Double, hasher: PDQHasher = PDQHasher()) throws -> FileHashes {
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
}
