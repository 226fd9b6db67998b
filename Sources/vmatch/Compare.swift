import ArgumentParser
import Foundation
import Pipeline
import Report

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Checks clips against the library: which of your videos each reuses, where, and how.",
        discussion: """
        Exit status: 0 no reuse found, 1 reuse found, 2 a file or the library could not be read \
        (the other files are still reported), 64 usage error.
        """)

    @OptionGroup var library: LibraryOptions

    @Flag(help: "Print JSON Lines (one object per suspect) instead of the text report.")
    var json = false

    @Option(name: .shortAndLong, help: "Append the report to this file instead of printing it.")
    var output: String?

    @Option(help: "Also write a self-contained HTML evidence report, with pictures of each reused passage, to this file.")
    var html: String?

    @Flag(help: "Skip clips the -o file already reports (by path as written there): a stopped batch goes on.")
    var resume = false

    @OptionGroup var work: WorkOptions

    @Argument(help: "Suspect clips, or folders of them.")
    var paths: [String]

    func validate() throws {
        if resume && (output == nil || !json) { throw ValidationError("--resume needs --json and -o FILE.") }
    }

    func run() throws {
        let store = try library.open(readOnly: true)
        let references: LoadedLibrary
        do {
            references = try LoadedLibrary(path: store.path)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }
        if references.entries.isEmpty { Terminal.error("the library at \(store.path) is empty: run `vmatch index` first") ; throw ExitCode(Status.unreadable) }

        let (files, problems) = MediaWalker.suspects(under: paths)
        var failed = !problems.isEmpty
        var reused = false
        for p in problems { Terminal.error("\(p)") }
        var earlier = BatchProgress()
        if resume, let output {
            do {
                let (read, removed) = try BatchProgress.read(output)
                earlier = read
                if removed { Terminal.note("compare: removed the cut-off last line of '\(output)'; that clip is checked again") }
            } catch let error as BatchProgress.NotOutput {
                Terminal.error("\(error)")
                throw ExitCode(Status.unreadable)
            } catch {
                Terminal.error("cannot resume from '\(output)': \(error.localizedDescription)")
                throw ExitCode(Status.unreadable)
            }
            failed = failed || earlier.failed
            reused = earlier.reused
        }
        let pending = files.filter { !earlier.suspects.contains(displayPath($0)) }
        let skipped = files.count - pending.count

        let sink = try output.map(openForAppending) ?? Output.standard
        // Paths that could not be walked get their line in the report too, not only on stderr.
        let unlisted = problems.filter { !earlier.suspects.contains(displayPath($0.path)) }
        for p in unlisted {
            let report = SuspectReport(suspect: displayPath(p.path), duration: nil, matches: [], error: p.description)
            try sink.write(json ? report.jsonLine() + "\n" : report.text() + "\n\n")
        }
        let progress = ProgressLine(quiet: library.quiet)
        var done = unlisted.count, first = unlisted.isEmpty, withReuse = 0, unreadable = unlisted.count
        var evidence = html != nil ? EvidenceCollector() : nil
        var writeFailed = false
        SuspectChecker(jobs: work.jobs, options: FingerprintOptions(role: .suspect, timeBudget: work.timeout)).run(files: pending, against: references) { result in
            done += 1
            progress.finish()
            let report = SuspectReport(suspect: displayPath(result.path), duration: result.duration, matches: result.matches, error: result.error)
            if let error = result.error { failed = true; unreadable += 1; Terminal.error(error) }
            if !result.matches.isEmpty { reused = true; withReuse += 1 }
            let text = json ? report.jsonLine() + "\n" : (first ? "" : "\n") + report.text() + "\n"
            first = false
            do { try sink.write(text) } catch {
                // Named on stderr by the write; nothing more can be reported, so stop.
                writeFailed = true
                return false
            }
            evidence?.add(result, report: report)
            progress.update(done: done, total: pending.count, item: result.path)
            return true
        }
        progress.finish()
        if writeFailed { throw ExitCode(Status.unreadable) }
        if output != nil { try sink.synchronize() }
        if let html, let evidence {
            let page = EvidenceReport(generated: Date(), vmatchVersion: vmatchVersion,
                                      libraryVideos: references.entries.count, suspects: evidence.suspects).html()
            do { try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic) } catch {
                Terminal.error("cannot write '\(html)': \(error.localizedDescription)")
                failed = true
            }
        }
        if !library.quiet {
            var summary = "compare: \(done) checked, \(withReuse) with reuse, \(unreadable) failed"
            if resume { summary += ", \(skipped) already in \(output ?? "")" }
            Terminal.note(summary)
        }
        if failed { throw ExitCode(Status.unreadable) }
        if reused { throw ExitCode(Status.reuseFound) }
    }
}

/// A path under the current folder is shown relative to it, as the user would type it.
func displayPath(_ path: String) -> String {
    let here = MediaWalker.currentDirectory
    let prefix = here.hasSuffix("/") ? here : here + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
