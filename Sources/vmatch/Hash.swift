import ArgumentParser
import Foundation
import Media
import VideoFingerprint

struct Hash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints the PDQ hash and quality of an image, or of each sampled frame of a video.")

    @Option(help: "Output: text; jsonl (one JSON object per image or frame); json (one object per file, all its frames); vpdq (ThreatExchange vPDQ lines, one video).")
    var format: HashFormat?

    @Flag(help: "Same as --format jsonl.")
    var json = false

    @Option(help: "Frames per second to hash from a video.")
    var fps = 1.0

    @Argument(help: "Image or video files.")
    var files: [String]

    func validate() throws {
        guard fps > 0, fps <= 120 else { throw ValidationError("--fps must be between 0 and 120.") }
        if json, let format, format != .jsonl { throw ValidationError("--json is --format jsonl; give one of them.") }
        if format == .vpdq && files.count != 1 { throw ValidationError("--format vpdq takes one file (its lines do not name the file).") }
    }

    private struct Line: Encodable {
        var file: String
        var time: Double?
        var quality: Int
        var pdq: String
    }

    func run() throws {
        let chosen = format ?? (json ? .jsonl : .text)
        if chosen == .json || chosen == .vpdq { return try runWhole(chosen) }
        let json = chosen == .jsonl
        let hasher = PDQHasher()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failed = false
        for file in files {
            do {
                let info = try MediaDecoder.probe(path: file)
                // Stills are hashed from full-size RGB, as the reference implementation does;
                // video frames from their full-size luma plane.
                let layout: PixelLayout = info.isStillImage ? .rgb24 : .gray8
                let decoder = try MediaDecoder(path: file, options: DecodeOptions(
                    video: VideoOutput(framesPerSecond: info.isStillImage ? nil : fps, layout: layout), audio: nil))
                guard info.hasVideo else { throw MediaError(.noStreams, path: file, reason: "no picture to hash") }
                try decoder.decode(video: { frame in
                    let result = layout == .rgb24
                        ? hasher.hash(rgb: frame.pixels, width: frame.width, height: frame.height)
                        : hasher.hash(luma: frame.pixels, width: frame.width, height: frame.height)
                    let line = Line(file: file, time: info.isStillImage ? nil : frame.time, quality: result.quality, pdq: result.hash.hex)
                    if json {
                        print(String(decoding: try encoder.encode(line), as: UTF8.self))
                    } else if info.isStillImage {
                        print("\(line.pdq)  \(String(format: "%3d", line.quality))  \(file)")
                    } else {
                        print(String(format: "%9.3f  %3d  ", frame.time, line.quality) + line.pdq + "  \(file)")
                    }
                })
            } catch {
                failed = true
                Terminal.error("\(error)")
            }
        }
        if failed { throw ExitCode(Status.unreadable) }
    }
}
