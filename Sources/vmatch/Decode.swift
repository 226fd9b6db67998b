import ArgumentParser
import Foundation
import Media

/// Decodes files end to end and reports what came out: for measuring the decoder
/// (scripts/bench-decoder) and for checking a file by hand.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decodes files completely and prints frame and sample counts (for measurements).",
        shouldDisplay: false)

    @Option(help: "Decoder threads (0: FFmpeg chooses).")
    var threads = 0

    @Option(help: "Frames per second to sample (0: every frame).")
    var fps = 0.0

    @Option(help: "Side of the square gray frames delivered.")
    var size = 64

    @Option(help: "Audio analysis rate in Hz.")
    var sampleRate = 8000

    @Option(help: "Seconds allowed per file.")
    var timeout: Double?

    @Argument(help: "Media files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            let start = Date()
            var frames = 0, samples = 0
            do {
                let options = DecodeOptions(
                    video: VideoOutput(framesPerSecond: fps > 0 ? fps : nil, width: size, height: size),
                    audio: AudioOutput(sampleRate: sampleRate), threads: threads, timeBudget: timeout)
                try MediaDecoder(path: file, options: options).decode(
                    video: { _ in frames += 1 }, audio: { samples += $0.samples.count })
                print("\(file)\tframes \(frames)\tsamples \(samples)\t\(String(format: "%.3f", Date().timeIntervalSince(start))) s")
            } catch {
                failed = true
                Terminal.error("\(error)")
            }
        }
        if failed { throw ExitCode(Status.unreadable) }
    }
}
