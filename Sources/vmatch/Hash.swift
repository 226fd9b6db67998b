import ArgumentParser
import Foundation
import Pipeline
import Report

struct Hash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints the PDQ hash and quality of an image, or of each sampled frame of a video.",
        discussion: """
        The text format has one line per frame: time in seconds, quality (0-100), the 64-digit \
        hex hash, file. Hashes are computed from RGB as the PDQ reference and vPDQ compute them, \
        in every format.

        Examples:
          vmatch hash thumbnail.jpg
          vmatch hash --format vpdq clip.mp4 > clip.vpdq
        """)

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

    func run() throws {
        let chosen = format ?? (json ? .jsonl : .text)
        if chosen == .json || chosen == .vpdq { return try runWhole(chosen) }
        let json = chosen == .jsonl
        // A frame whose line cannot be JSON ends its file as a decoding error would: named on
        // stderr, the other files hashed, exit status 2 (`forEachFile`).
        try forEachFile(in: files) { file in
            try FrameHashes.hash(file, framesPerSecond: fps) { line in
                try Output.standard.line(json ? try JSONLine.encode(line, of: file) : line.text.terminalSafe)
            }
        }
    }
}
