// What `compare` needs for long batch jobs beyond checking clips: picking up a stopped batch
// where its output file ends (--resume), and appending to it (-o).
import ArgumentParser
import Foundation
import Report

/// What an earlier run of the same batch left in its JSON Lines output.
struct BatchProgress {
    /// Suspect paths as written in the file's `"suspect"` fields.
    var suspects: Set<String> = []
    var reused = false
    var failed = false

    struct NotOutput: Error, CustomStringConvertible {
        var path: String
        var line: Int
        var description: String {
            "'\(path)' is not vmatch JSON Lines output (line \(line) is not a schema \(SuspectReport.currentSchema) record); not resuming from it, and it was not changed"
        }
    }

    /// Reads `path` (missing: nothing done yet). Every line must be a record of this schema, or
    /// the file is refused untouched. A last line without its newline is kept when it is a whole
    /// record; when it is the start of one, cut off by a killed run, it is removed from the file
    /// (`removedPartialLine`), so that clip is checked again and no line is ever glued to it.
    static func read(_ path: String) throws -> (progress: BatchProgress, removedPartialLine: Bool) {
        var progress = BatchProgress()
        guard FileManager.default.fileExists(atPath: path) else { return (progress, false) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        func record(_ line: Data) -> SuspectReport? {
            guard let report = try? decoder.decode(SuspectReport.self, from: line), report.schema == SuspectReport.currentSchema else { return nil }
            return report
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let endsWithNewline = data.last == UInt8(ascii: "\n") || data.isEmpty
        let last = endsWithNewline ? nil : lines.popLast()
        var reports: [SuspectReport] = []
        for (number, line) in lines.enumerated() where !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
            guard let report = record(Data(line)) else { throw NotOutput(path: path, line: number + 1) }
            reports.append(report)
        }
        var removed = false
        if let last {
            if let report = record(Data(last)) {
                reports.append(report)
            } else if last.starts(with: Array("{\"".utf8)) {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.truncate(atOffset: UInt64(data.count - last.count))
                try handle.close()
                removed = true
            } else {
                throw NotOutput(path: path, line: lines.count + 1)
            }
        }
        for report in reports {
            progress.suspects.insert(report.suspect)
            if let error = report.error, !error.isEmpty { progress.failed = true }
            if !report.matches.isEmpty { progress.reused = true }
        }
        return (progress, removed)
    }
}

/// The file `-o` appends to. A file that does not end in a newline (its last record kept by
/// `--resume`, or not vmatch's) gets one first, so every line written now stays whole.
func openForAppending(_ path: String) throws -> Output {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        Terminal.error("cannot write '\(path)': \(String(cString: strerror(errno)).lowercased())")
        throw ExitCode(Status.unreadable)
    }
    let output = Output(descriptor: descriptor, name: "'\(path)'")
    var info = stat()
    if fstat(descriptor, &info) == 0, info.st_size > 0 {
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        var last: UInt8 = 0
        if reader >= 0 {
            _ = pread(reader, &last, 1, off_t(info.st_size - 1))
            close(reader)
        }
        if last != UInt8(ascii: "\n") { try output.write("\n") }
    }
    return output
}
