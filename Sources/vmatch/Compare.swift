import ArgumentParser
import Findings
import Foundation
import Pipeline
import Report

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Checks clips against the library: which of your videos each reuses, where, and how.",
        discussion: """
        Examples:
          vmatch compare suspect.mp4
          vmatch compare ~/Downloads --json -o results.jsonl --resume --html report.html

        Exit status: 0 no reuse found, 1 reuse found, 2 a file or the library could not be read \
        (the other files are still reported), 64 usage error.
        """)

    @OptionGroup var library: LibraryOptions

    @Flag(help: "Print JSON Lines (one object per suspect) instead of the text report.")
    var json = false

    @OptionGroup var destination: ReportFileOptions

    @Option(help: ArgumentHelp("Also write a self-contained HTML evidence report, with pictures of each reused passage, to this file.", valueName: "file"))
    var html: String?

    @OptionGroup var claim: ClaimOptions

    @Flag(help: "Skip clips the -o file already reports (by path as written there): a stopped batch goes on.")
    var resume = false

    @OptionGroup var work: WorkOptions

    @Argument(help: "Suspect clips, or folders of them.")
    var paths: [String]

    func validate() throws {
        if resume && (destination.output == nil || !json) { throw ValidationError("--resume needs --json and -o FILE.") }
    }

    func run() throws {
        let references = try library.load()

        let entries = MediaWalker.suspects(under: paths)
        let earlier = try earlierProgress()
        var failed = earlier.failed
        var reused = earlier.reused
        // What an earlier run reported is not checked again; paths that could not be walked keep
        // their place among the clips, so the report is in the order given.
        let pending = entries.filter { entry in
            !earlier.suspects.contains(displayPath(entry.file ?? entry.problem!.path))
        }
        let skipped = entries.count - pending.count
        let files = pending.compactMap(\.file)

        // Destinations are checked before the work, so a mistyped one costs nothing.
        // With --resume, a cut-off last record is removed here, and its clip is among those checked.
        let sink = try destination.open(command: "compare", clipCheckedAgain: resume)
        if let html { try checkWritable(html) }

        let progress = ProgressLine(quiet: library.quiet)
        var done = 0, first = true, withReuse = 0, unreadable = 0
        var evidence = html != nil ? EvidenceCollector(library: references) : nil
        // The report covers the whole batch: the clips an earlier run checked come first, rebuilt
        // from their records (a path as written there is relative to this folder, as --resume reads it).
        for report in earlier.reports { evidence?.add(earlier: report, path: MediaWalker.absolutePath(report.suspect)) }
        var writeFailed = false
        /// Writes one clip's report: the record written (its clip's failure record when the
        /// report cannot be written as JSON, in either format), nil when the write failed.
        func emit(_ report: SuspectReport) -> SuspectReport? {
            done += 1
            let (report, line) = report.checkedForWriting()
            if let error = report.error { failed = true; unreadable += 1; Terminal.error(error) }
            if !report.matches.isEmpty { reused = true; withReuse += 1 }
            let text = json ? line.map { $0 + "\n" } ?? "" : (first ? "" : "\n") + report.text(shown: displayPath) + "\n"
            first = false
            do { try sink.write(text) } catch {
                // Named on stderr by the write; nothing more can be reported, so stop.
                writeFailed = true
                return nil
            }
            return report
        }
        /// Reports the problems that stand before the next clip (all that are left, at the end).
        var next = pending.startIndex
        func emitProblems() -> Bool {
            while next < pending.endIndex, let problem = pending[next].problem {
                next += 1
                guard emit(failureReport(problem)) != nil else { return false }
            }
            return true
        }
        if emitProblems() {
            SuspectChecker(jobs: work.jobs, options: FingerprintOptions(role: .suspect, timeBudget: work.timeout)).run(files: files, against: references) { result in
                progress.finish()
                next += 1  // this clip's entry
                if let warning = result.sourceWarning { Terminal.note("warning: \(warning)") }
                let report = result.report(suspect: displayPath(result.path), vmatchVersion: vmatchVersion)
                for warning in report.warnings { Terminal.note("warning: \(warning)") }
                guard let written = emit(report) else { return false }
                evidence?.add(result, report: written)
                progress.update(done: done, total: pending.count, item: result.path)
                return emitProblems()
            }
        }
        progress.finish()
        if writeFailed { throw ExitCode(Status.unreadable) }
        if destination.output != nil { try sink.synchronize() }
        if let html, let evidence {
            let page = claim.report(suspects: evidence.suspects, library: references, at: library.path).html()
            do { try writeReplacing(html, with: page) } catch {
                Terminal.error("\(error)")
                failed = true
            }
        }
        if !library.quiet {
            var summary = "compare: \(done) checked, \(withReuse) with reuse, \(unreadable) failed"
            if resume { summary += ", \(skipped) already in \(destination.output ?? "")" }
            Terminal.note(summary)
        }
        if failed { throw ExitCode(Status.unreadable) }
        if reused { throw ExitCode(Status.reuseFound) }
    }
}

/// The record of a path that could not be checked at all (missing, a link to nothing or in a
/// loop, a name that is not UTF-8): compare and watch write the same.
func failureReport(_ problem: MediaWalker.Problem) -> SuspectReport {
    SuspectReport(suspect: displayPath(problem.path), duration: nil, matches: [], error: problem.description,
                  checkedAt: Date(), vmatchVersion: vmatchVersion)
}

/// A path under the current folder is shown relative to it, as the user would type it.
func displayPath(_ path: String) -> String {
    let here = MediaWalker.currentDirectory
    let prefix = here.hasSuffix("/") ? here : here + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
