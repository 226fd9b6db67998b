// What `compare` needs for long batch jobs beyond checking clips: picking up a stopped batch
// where its output file ends (--resume). The file is a `JSONLinesJournal`, as -o appends to it.
import ArgumentParser
import Findings
import Foundation
import Pipeline
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

    /// Reads `path` (missing: nothing done yet) without changing it. Every line must be a record
    /// of this schema, or the file is refused untouched. A last line without its newline is kept
    /// when it is a whole record; when it is the start of one, cut off by a killed run, it is
    /// passed over here and removed when -o opens the file (`Output.appending(to:)`), so that
    /// clip is checked again and no line is ever glued to it.
    static func read(_ path: String) throws -> BatchProgress {
        let contents = try JSONLinesJournal.read(path, as: SuspectReport.self) { $0.schema == SuspectReport.currentSchema }
        if let line = contents.firstForeignLine { throw NotOutput(path: path, line: line) }
        var progress = BatchProgress()
        progress.reports = contents.records
        for report in contents.records {
            progress.suspects.insert(report.suspect)
            if let error = report.error, !error.isEmpty { progress.failed = true }
            if !report.matches.isEmpty { progress.reused = true }
        }
        return progress
    }
}

extension Compare {
    /// With --resume, what the -o file already reports (nothing without it); a file that is not
    /// this schema's output, or cannot be read, is named and stops the run (status 2).
    func earlierProgress() throws -> BatchProgress {
        guard resume, let output = destination.output else { return BatchProgress() }
        do {
            return try BatchProgress.read(output)
        } catch let error as BatchProgress.NotOutput {
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        } catch {
            Terminal.error("cannot resume from '\(output)': \(error.localizedDescription)")
            throw ExitCode(Status.unreadable)
        }
    }
}
