// What `compare` needs for long batch jobs beyond checking clips: picking up a stopped batch
// where its output file ends (--resume), and appending to it (-o).
import Foundation
import Report

/// What an earlier run of the same batch left in its JSON Lines output.
struct BatchProgress {
    /// Suspect paths as written in the file's `"suspect"` fields.
    var suspects: Set<String> = []
    var reused = false
    var failed = false

    /// Reads `path` (missing: nothing done yet). A last line without its newline was cut off by a
    /// killed run: it is removed from the file, so that clip is checked again and no line is ever
    /// glued to a broken one.
    static func read(_ path: String) throws -> BatchProgress {
        var progress = BatchProgress()
        guard FileManager.default.fileExists(atPath: path) else { return progress }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let whole = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        if whole < data.count {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(whole))
            try handle.close()
        }
        // Only lines that decode as this schema count: anything else does not mark its clip done.
        let decoder = JSONDecoder()
        for line in data.prefix(whole).split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let report = try? decoder.decode(SuspectReport.self, from: Data(line)),
                  report.schema == SuspectReport.currentSchema else { continue }
            progress.suspects.insert(report.suspect)
            if let error = report.error, !error.isEmpty { progress.failed = true }
            if !report.matches.isEmpty { progress.reused = true }
        }
        return progress
    }
}

/// The file `-o` appends to. A file that does not end in a newline (cut off mid-line) gets one
/// first, so every line written now stays whole.
func openForAppending(_ path: String) -> FileHandle? {
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forUpdatingAtPath: path) else { return nil }
    let end = handle.seekToEndOfFile()
    if end > 0 {
        handle.seek(toFileOffset: end - 1)
        let last = handle.readData(ofLength: 1)
        handle.seekToEndOfFile()
        if last != Data("\n".utf8) { handle.write(Data("\n".utf8)) }
    }
    return handle
}
