import ArgumentParser
import Findings
import Foundation
import Pipeline
import Report

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints what the decoder sees in each file: container, duration, streams.",
        discussion: """
        Example:
          vmatch probe phone-video.mov --json
        """)

    @Flag(help: "Print one JSON object per file instead of text.")
    var json = false

    @Argument(help: "Media files to probe.")
    var files: [String]

    func run() throws {
        var failed = false
        for (number, file) in files.enumerated() {
            do {
                let info = try MediaFiles.probe(file)
                if json {
                    // A record that cannot be JSON is this file's failure, written below as an
                    // unreadable file's is.
                    try Output.standard.line(try ProbeRecord(info: info).jsonLine())
                } else {
                    if number > 0 { try Output.standard.line("") }
                    try Output.standard.line(info.textBlock.terminalSafeLines)
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                failed = true
                if json {
                    try Output.standard.line(try ProbeRecord(path: file, error: "\(error)").jsonLine())
                }
                Terminal.error("\(error)")
            }
        }
        if failed { throw ExitCode(Status.unreadable) }
    }
}

/// One line of `probe --json`: what the decoder sees in a file, or why it could not be read.
struct ProbeRecord: Encodable {
    var schema = 1
    var path: String
    var info: MediaInfo?
    var error: String?

    init(info: MediaInfo) { path = info.path; self.info = info }
    init(path: String, error: String) { self.path = path; self.error = error }

    /// One line of JSON; throws `JSONLine.Failure` naming the file when a number in `info` is
    /// not finite (a duration or frame rate the container states as one).
    func jsonLine() throws(JSONLine.Failure) -> String {
        try JSONLine.encode(self, of: path)
    }
}

extension MediaInfo {
    var textBlock: String {
        var lines = [path]
        lines.append("  container  \(container)")
        lines.append("  duration   \(duration.map { String(format: "%@ (%.3f s)", SuspectReport.clock($0), $0) } ?? (isStillImage ? "still image" : "unknown"))")
        if let v = video {
            var line = "  video      \(v.codec) \(v.width)x\(v.height)"
            if let rate = v.frameRate { line += String(format: " %.3g fps", rate) }
            line += " \(v.pixelFormat)"
            if v.rotation != 0 { line += " rotated \(v.rotation)°" }
            if v.mirrored { line += " mirrored" }
            lines.append(line)
        } else {
            lines.append("  video      none")
        }
        if let a = audio {
            lines.append("  audio      \(a.codec) \(a.sampleRate) Hz, \(a.channels) channel\(a.channels == 1 ? "" : "s")")
        } else {
            lines.append("  audio      none")
        }
        return lines.joined(separator: "\n")
    }
}
