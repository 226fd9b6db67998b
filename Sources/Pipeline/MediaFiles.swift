// What the command line asks of single media files outside indexing and checking: what the
// decoder sees in them (`probe`), and a full decode for measuring the decoder (`decode`).
import CMemory
import Foundation
import Media

/// What the decoder sees in a file (container, duration, streams), as `Media` reports it.
package typealias MediaInfo = Media.MediaInfo

package enum MediaFiles {
    package static func probe(_ path: String) throws -> MediaInfo {
        try MediaDecoder.probe(path: path)
    }

    /// Decodes `path` completely (video frames sampled at `framesPerSecond`, nil: every frame,
    /// scaled to `size`² gray; audio resampled to `sampleRate`) and counts what came out.
    package static func decode(_ path: String, threads: Int, framesPerSecond: Double?, size: Int, sampleRate: Int,
                               timeBudget: Double?) throws -> (frames: Int, samples: Int) {
        var frames = 0, samples = 0
        let options = DecodeOptions(
            video: VideoOutput(framesPerSecond: framesPerSecond, width: size, height: size),
            audio: AudioOutput(sampleRate: sampleRate), threads: threads, timeBudget: timeBudget)
        try MediaDecoder(path: path, options: options).decode(video: { _ in frames += 1 }, audio: { samples += $0.samples.count })
        return (frames, samples)
    }

    /// Process-wide memory settings, once, before any work: blocks of 256 KiB and more (a
    /// reference piece's tables, a window's hits) are mapped and unmapped on their own. glibc's
    /// default raises this threshold to the largest block freed so far, after which such blocks
    /// come from the heap and leave it fragmented: a 2-hour reference matched in pieces then
    /// peaked 13 MiB above a 30-minute one; 7 with this. Costs no measurable time (scripts/bench/end-to-end).
    package static func configureProcessMemory() {
        _ = vm_set_mmap_threshold(256 << 10)
    }
}
