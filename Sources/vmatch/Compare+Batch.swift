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
    /// The records, in the file's order (for the evidence report of the whole batch).
    var reports: [SuspectReport] = []

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
            } else if isCutOff(last) {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.truncate(atOffset: UInt64(data.count - last.count))
                try handle.close()
                removed = true
            } else {
                throw NotOutput(path: path, line: lines.count + 1)
            }
        }
        progress.reports = reports
        for report in reports {
            progress.suspects.insert(report.suspect)
            if let error = report.error, !error.isEmpty { progress.failed = true }
            if !report.matches.isEmpty { progress.reused = true }
        }
        return (progress, removed)
    }
}

/// Whether `line`, the last of a file and without its newline, is a record cut off by a full disk
/// or a kill: the start of a JSON object that is not whole.
func isCutOff<Line: Collection<UInt8>>(_ line: Line) -> Bool {
    line.first == UInt8(ascii: "{") && (try? JSONSerialization.jsonObject(with: Data(line))) == nil
}

/// The file `-o` appends to. A last line cut off by a full disk or a kill is removed, and said so
/// once on stderr as `command`, so no record is glued to it and `--resume` can read the file
/// later; any other last line without its newline (a whole record kept by `--resume`, or not
/// vmatch's) gets one first, so every line written now stays whole.
func openForAppending(_ path: String, command: String) throws -> Output {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        Terminal.error("cannot write '\(path)': \(String(cString: strerror(errno)).lowercased())")
        throw ExitCode(Status.unreadable)
    }
    let output = Output(descriptor: descriptor, name: "'\(path)'")
    var info = stat()
    if fstat(descriptor, &info) == 0, info.st_size > 0 {
        // Only the last line is wanted; a record is a few kB, so the file's end holds it.
        let tail = min(Int(info.st_size), 1 << 20)
        var bytes = [UInt8](repeating: 0, count: tail)
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        let read = reader >= 0 ? pread(reader, &bytes, tail, off_t(Int(info.st_size) - tail)) : -1
        if reader >= 0 { close(reader) }
        if read == tail, bytes.last != UInt8(ascii: "\n") {
            // The line's start: after the last newline, or the file's start when all of it was read.
            let start = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? (tail == Int(info.st_size) ? 0 : nil)
            if let start, isCutOff(bytes[start...]) {
                guard ftruncate(descriptor, off_t(Int(info.st_size) - tail + start)) == 0 else {
                    Terminal.error("cannot remove the cut-off last line of '\(path)': \(String(cString: strerror(errno)).lowercased())")
                    throw ExitCode(Status.unreadable)
                }
                Terminal.note("\(command): removed the cut-off last line of '\(path)' (a record left unfinished by a full disk or a kill)")
            } else {
                try output.write("\n")
            }
        }
    }
    return output
}
