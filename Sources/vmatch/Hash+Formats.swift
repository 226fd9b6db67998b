// `vmatch hash --format vpdq|json`: a file's frame hashes as ThreatExchange's vPDQ has them, so
// they can be exchanged with platforms' hash-matching programs (the work: `FrameHashes.vpdq`;
// the formats: Report's `FileHashes`).
import ArgumentParser
import Findings
import Foundation
import Pipeline
import Report

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

extension Hash {
    /// `--format json` and `--format vpdq`.
    func runWhole(_ format: HashFormat) throws {
        // A record that cannot be JSON is its file's error, as an unreadable file's (`forEachFile`).
        try forEachFile(in: files) { file in
            let record = try FrameHashes.vpdq(of: file, framesPerSecond: fps)
            if format == .vpdq {
                try Output.standard.write(record.vpdqLines)
            } else {
                try Output.standard.line(try JSONLine.encode(record, of: file))
            }
        }
    }
}
