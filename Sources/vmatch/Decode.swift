import ArgumentParser
import Foundation
import Pipeline
import Report

/// Decodes files end to end and reports what came out: for measuring the decoder
/// (scripts/bench/decoder) and for checking a file by hand.
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
        try forEachFile(in: files) { file in
            let start = Date()
            let (frames, samples) = try MediaFiles.decode(file, threads: threads, framesPerSecond: fps > 0 ? fps : nil,
                                                          size: size, sampleRate: sampleRate, timeBudget: timeout)
            try Output.standard.line("\(file.terminalSafe)\tframes \(frames)\tsamples \(samples)\t\(String(format: "%.3f", Date().timeIntervalSince(start))) s")
        }
    }
}
