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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (number, file) in files.enumerated() {
            do {
                let info = try MediaFiles.probe(file)
                if json {
                    try Output.standard.line(String(decoding: try encoder.encode(ProbeRecord(info: info)), as: UTF8.self))
                } else {
                    if number > 0 { try Output.standard.line("") }
                    try Output.standard.line(info.textBlock.terminalSafeLines)
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                failed = true
                if json {
                    try Output.standard.line(String(decoding: try encoder.encode(ProbeRecord(path: file, error: "\(error)")), as: UTF8.self))
                }
                Terminal.error("\(error)")
            }
        }
        if failed { throw ExitCode(Status.unreadable) }
    }
}

private struct ProbeRecord: Encodable {
    var schema = 1
    var path: String
    var info: MediaInfo?
    var error: String?

    init(info: MediaInfo) { path = info.path; self.info = info }
    init(path: String, error: String) { self.path = path; self.error = error }
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
