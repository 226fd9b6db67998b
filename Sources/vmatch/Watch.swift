import ArgumentParser
import Findings
import Foundation
import Pipeline
import Report

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watches folders and checks each new clip against the library as it lands.",
        discussion: """
        A clip is checked once it is complete: files still downloading (.part, .ytdl, \
        .crdownload, yt-dlp's .fNNN pieces) are passed over until they are renamed, and a file \
        is taken only after it has been closed or moved in and stayed unchanged for --settle \
        seconds. What was checked is remembered beside the library (LIBRARY.watched.jsonl): \
        a restart checks only what arrived or changed meanwhile, and a clip that failed is not \
        tried again until it changes. New references indexed meanwhile are used for the next \
        clip. SIGINT, SIGTERM or SIGHUP stop it between clips (exit status 0); under nohup, \
        SIGHUP stays ignored. A watched folder that is removed or renamed is named at once and \
        watched again when it comes back; one still gone when the watch stops makes the exit \
        status 2, and the watch ends (status 2) when every watched folder is gone for good.

        Examples:
          vmatch watch ~/Downloads/clips
          vmatch watch ~/dl --json -o ~/dl/results.jsonl --html-dir ~/dl/reports
          vmatch watch ~/dl --on-match 'mail -s "vmatch: $VMATCH_SUSPECT" me@example.org'
        """)

    @OptionGroup var library: LibraryOptions

    @Flag(help: "Print JSON Lines (one object per clip, as compare --json) instead of the text report.")
    var json = false

    @OptionGroup var destination: ReportFileOptions

    @Option(help: ArgumentHelp("Write an HTML evidence report into this folder for each clip that reuses something.", valueName: "folder"))
    var htmlDir: String?

    @OptionGroup var claim: ClaimOptions

    @Option(help: ArgumentHelp("Run this shell command for each clip that reuses something, with its JSON record on standard input (and $VMATCH_SUSPECT, $VMATCH_REPORT set). Its failure is reported; the watch goes on.", valueName: "command"))
    var onMatch: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds a new file must stay unchanged before it is checked.", valueName: "seconds"))
    var settle = 2.0

    @OptionGroup var work: WorkOptions

    @Argument(help: "Folders to watch (recursively).")
    var folders: [String]

    func validate() throws {
        guard settle >= 0, settle.isFinite else { throw ValidationError("--settle must be zero or a positive number of seconds.") }
    }

    func run() throws {
        var references = try library.load()
        // The log, and its lock, before anything is touched: a second watch on this library is
        // refused before it opens (and repairs) -o or checks anything.
        let log: WatchLog
        do {
            log = try WatchLog(path: WatchLog.path(forLibrary: library.path))
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }
        if let notice = log.cutOffNotice { Terminal.note(notice) }
        let sink = try destination.open(command: "watch", follows: true)
        if let htmlDir { try checkFolderWritable(htmlDir) }
        let watch: FolderWatch
        let stop: Int32
        do {
            // Watches first, then the files already there: none arriving in between is missed.
            watch = try FolderWatch(roots: folders, settle: settle)
            stop = try StopSignals.install()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }

        var libraryState = Library.fileState(at: library.path)
        // Hooks run beside the watch; stopped, it ends the one running and drops those waiting.
        let hooks = onMatch.map {
            CommandHookQueue(hook: CommandHook(command: $0), stop: stop) { clip, why in
                Terminal.error("--on-match command for '\(clip)' failed: \(why)")
            }
        }
        defer { hooks?.finish() }
        var session = Session(json: json, sink: sink, htmlDir: htmlDir, hooks: hooks, log: log,
                              claim: claim, libraryPath: library.path, references: references)
        if !library.quiet {
            Terminal.note("watch: watching \(folders.joined(separator: ", ")) against \(references.entries.count) reference\(references.entries.count == 1 ? "" : "s") (\(library.path)); \(log.count) clip\(log.count == 1 ? "" : "s") checked before")
        }

        let verifier = ReferenceVerifier()
        let (existing, problems) = watch.existingFiles()
        for problem in problems { try session.report(problem) }
        var queue = existing
        var stopped = false
        while !stopped {
            var due: [String] = []
            for file in queue {
                do { if try log.needsCheck(file) { due.append(file) } } catch { Terminal.error("\(error)") }
            }
            queue = []
            if !due.isEmpty {
                // References indexed since the last clip are used from this one on.
                let state = Library.fileState(at: library.path)
                if state != libraryState {
                    references = try library.load()
                    session.references = references
                    libraryState = state
                    if !library.quiet { Terminal.note("watch: the library changed; now \(references.entries.count) references") }
                }
                // How each clip looks as its check begins; remembered with the digest the check makes.
                var looks: [String: WatchLog.Look] = [:]
                for file in due { looks[file] = WatchLog.look(file) }
                var writeFailed = false
                SuspectChecker(jobs: work.jobs, options: FingerprintOptions(role: .suspect, timeBudget: work.timeout), verifier: verifier)
                    .run(files: due, against: references) { result in
                        do { try session.report(result, before: result.checkedLook ?? looks[result.path]) } catch {
                            writeFailed = true
                            return false
                        }
                        return !StopSignals.isRaised(stop)
                    }
                if writeFailed { throw ExitCode(Status.unreadable) }
                if StopSignals.isRaised(stop) { break }
            }
            do {
                let event = try watch.next(stop: stop)
                for problem in watch.takeProblems() { Terminal.error("\(problem)") }
                for notice in watch.takeNotices() where !library.quiet { Terminal.note(notice) }
                switch event {
                case .stop: stopped = true
                case .files(let files): queue = files
                case .news: break
                }
            } catch {
                Terminal.error("\(error)")
                throw ExitCode(Status.unreadable)
            }
            // Outside the catch above: a record that cannot be written is named by the write.
            for problem in watch.takeUnreadable() { try session.report(problem) }
        }
        hooks?.finish()
        if destination.output != nil { try session.sink.synchronize() }
        if !library.quiet {
            Terminal.note("watch: stopped; \(session.checked) checked, \(session.withReuse) with reuse, \(session.failed) failed")
        }
        // A folder that went and did not come back was not watched: the run did not do its job.
        let gone = watch.goneRoots
        if !gone.isEmpty {
            Terminal.error("watched folder\(gone.count == 1 ? "" : "s") \(gone.map { "'\($0)'" }.joined(separator: ", ")) gone when the watch stopped")
            throw ExitCode(Status.unreadable)
        }
    }

    /// What is done with each checked clip: its record (stdout or -o), its evidence report, the
    /// log, and the hook (queued: it runs beside the watch).
    struct Session {
        let json: Bool
        let sink: Output
        let htmlDir: String?
        let hooks: CommandHookQueue?
        let log: WatchLog
        let claim: ClaimOptions
        let libraryPath: String
        var references: LoadedReferences
        var checked = 0, withReuse = 0, failed = 0

        mutating func report(_ result: SuspectResult, before: WatchLog.Look?) throws {
            if let warning = result.sourceWarning { Terminal.note("warning: \(warning)") }
            var report = result.report(suspect: displayPath(result.path), vmatchVersion: vmatchVersion)
            for warning in report.warnings { Terminal.note("warning: \(warning)") }
            // Checked before with other bytes (re-fetched, edited): this record replaces that one.
            if let earlier = log.record(of: result.path), result.sha256 != earlier.sha256 {
                report.supersedes = .init(sha256: earlier.sha256, checkedAt: earlier.checkedAt)
            }
            // A report JSON cannot hold is written as its clip's failure, in either format.
            let (written, line) = try write(report)
            var page: String?
            if !written.matches.isEmpty {
                withReuse += 1
                if let htmlDir { page = writeEvidence(result, report: written, into: htmlDir) }
            }
            // Remembered with its record, before its hook runs: a watch stopped meanwhile does
            // not check the clip (and write its record) a second time.
            if let before {
                let outcome = written.error != nil ? "failed" : written.matches.isEmpty ? "no reuse" : "reuse"
                do {
                    try log.remember(result.path, before: before, digest: result.sha256, outcome: outcome,
                                     checkedAt: SuspectReport.timestamp(result.checkedAt))
                } catch {
                    Terminal.error("\(error)")
                }
            }
            if let hooks, let line, !written.matches.isEmpty {
                var environment = ["VMATCH_SUSPECT": result.path]
                if let page { environment["VMATCH_REPORT"] = page }
                hooks.enqueue(.init(label: result.path, input: line + "\n", environment: environment))
            }
        }

        /// Names a path that cannot be checked at all (a link to nothing or in a loop, a name that
        /// is not UTF-8) and writes its failure record, as compare does.
        mutating func report(_ problem: MediaWalker.Problem) throws {
            _ = try write(failureReport(problem))
        }

        /// Counts `report`, names its error, and writes it (stdout or -o); returns the record
        /// written and its JSON line (`SuspectReport.checkedForWriting`).
        private mutating func write(_ report: SuspectReport) throws -> (record: SuspectReport, jsonLine: String?) {
            checked += 1
            let (report, line) = report.checkedForWriting()
            if let error = report.error { failed += 1; Terminal.error(error) }
            try sink.write(json ? line.map { $0 + "\n" } ?? "" : (checked == 1 ? "" : "\n") + report.text(shown: displayPath) + "\n")
            return (report, line)
        }

        /// DIR/NAME.html (NAME-2.html, … when taken; see `freeEvidencePath`); returns its path, or
        /// nil after saying why not.
        private func writeEvidence(_ result: SuspectResult, report: SuspectReport, into folder: String) -> String? {
            var evidence = EvidenceCollector(library: references)
            evidence.add(result, report: report)
            let page = claim.report(suspects: evidence.suspects, library: references, at: libraryPath).html()
            let path = freeEvidencePath(forClip: result.path, in: folder)
            do {
                try writeReplacing(path, with: page)
                return path
            } catch {
                Terminal.error("\(error)")
                return nil
            }
        }
    }
}

/// Why `folder` cannot take new files, said before any work is done.
func checkFolderWritable(_ folder: String) throws {
    var info = stat()
    let reason: String?
    if stat(folder, &info) != 0 {
        reason = String(cString: strerror(errno)).lowercased()
    } else if info.st_mode & S_IFMT != S_IFDIR {
        reason = "not a folder"
    } else if access(folder, W_OK) != 0 {
        reason = String(cString: strerror(errno)).lowercased()
    } else {
        reason = nil
    }
    if let reason {
        Terminal.error("cannot write into '\(folder)': \(reason)")
        throw ExitCode(Status.unreadable)
    }
}
