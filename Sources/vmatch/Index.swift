import ArgumentParser
import Findings
import Foundation
import Pipeline
import Report

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fingerprints your videos into the library (only new and changed files; removed ones are pruned).",
        discussion: """
        Example:
          vmatch index ~/Videos/channel        # walk the folder; run it again after adding videos

        Exit status: 0 done, 2 a file or the library could not be read or written (the others \
        are indexed), 64 usage error.
        """)

    @OptionGroup var library: LibraryOptions

    @OptionGroup var work: WorkOptions

    @Argument(help: "Video or audio files, or folders to walk recursively.")
    var paths: [String]

    func run() throws {
        let store = try library.open(create: true)
        let progress = ProgressLine(quiet: library.quiet)
        let summary: IndexSummary
        do {
            let quiet = library.quiet
            summary = try LibraryIndexer(jobs: work.jobs, options: FingerprintOptions(role: .reference, timeBudget: work.timeout)).run(paths: paths, library: store) { event in
                switch event {
                case .started(_, let renewed, let channels) where renewed > 0 && !quiet:
                    // Said before the work: renewing a library indexed before a channel was on
                    // takes a while, and its files did not change.
                    let what = channels.isEmpty ? "by an older vmatch"
                        : "without the \(channels.sorted().joined(separator: ", ")) channel\(channels.count == 1 ? "" : "s")"
                    Terminal.note("index: \(renewed) unchanged \(renewed == 1 ? "file was" : "files were") indexed \(what); "
                                  + "fingerprinting \(renewed == 1 ? "it" : "them") again")
                case .finished(let path, let done, let total):
                    progress.update(done: done, total: total, item: path)
                default:
                    break
                }
            }
        } catch {
            progress.finish()
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }
        progress.finish()
        library.refreshCandidateIndex(at: store.path)
        for failure in summary.failed { Terminal.error(failure.message) }
        var parts = ["\(summary.indexed.count) indexed", "\(summary.unchanged.count) unchanged"]
        if !summary.removed.isEmpty { parts.append("\(summary.removed.count) removed") }
        if !summary.notMedia.isEmpty { parts.append("\(summary.notMedia.count) not media") }
        parts.append("\(summary.failed.count) failed")
        if !summary.notStarted.isEmpty { parts.append("\(summary.notStarted.count) not started") }
        if let stop = summary.stoppedBy { Terminal.error("index stopped early: " + Self.stopReason(stop)) }
        if !library.quiet { Terminal.note("index: " + parts.joined(separator: ", ") + " (library: \(store.path))") }
        if !summary.failed.isEmpty || !summary.notStarted.isEmpty { throw ExitCode(Status.unreadable) }
    }

    /// Why the run stopped, for the line after the failures (which named the file already).
    static func stopReason(_ failure: IndexFailure) -> String {
        switch failure.kind {
        case .diskFull: "the disk is full (\(failure.message))"
        case .storeWriteFailed, .unreadable, .nothingToIndex, .unreadableMedia, .changedWhileIndexing, .scratchFileFailed:
            failure.message
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lists the videos in the library.",
        discussion: """
        Prints one line per video: its duration, what was fingerprinted (picture, sound) and its \
        path; the count and total duration go to stderr.

        Example:
          vmatch list --db ~/agency/creator-a.sqlite
        """)

    @OptionGroup var library: LibraryOptions

    func run() throws {
        let store = try library.open(readOnly: true)
        let videos = try reportingFailure { try store.videos() }
        func row(_ duration: String, _ content: String, _ path: String) -> String {
            duration.padding(toLength: max(9, duration.count), withPad: " ", startingAt: 0) + "  "
                + content.padding(toLength: 13, withPad: " ", startingAt: 0) + "  " + path
        }
        if !videos.isEmpty { try Output.standard.line(row("DURATION", "CONTENT", "PATH")) }
        for video in videos {
            let duration = video.duration.map { SuspectReport.clock($0) } ?? "?"
            let kinds = [video.hasVideo ? "picture" : nil, video.hasAudio ? "sound" : nil].compactMap { $0 }.joined(separator: "+")
            try Output.standard.line(row(duration, kinds.isEmpty ? "-" : kinds, video.path.terminalSafe))
        }
        if !library.quiet {
            let total = videos.compactMap(\.duration).reduce(0, +)
            Terminal.note("list: \(videos.count) video\(videos.count == 1 ? "" : "s"), \(SuspectReport.clock(total)) in all (library: \(store.path))")
        }
    }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Removes videos from the library (the files stay).",
        discussion: """
        Example:
          vmatch remove ~/Videos/channel/drafts    # everything indexed under the folder
        """)

    @OptionGroup var library: LibraryOptions

    @Argument(help: "Paths as indexed (files, or folders to remove everything under).")
    var paths: [String]

    func run() throws {
        let store = try library.open(create: false)
        var missing = false
        let videos = try reportingFailure { try store.videos() }
        for path in paths {
            let absolute = MediaWalker.absolutePath(path)
            let matching = videos.filter { $0.path == absolute || $0.path.hasPrefix(absolute.hasSuffix("/") ? absolute : absolute + "/") }
            if matching.isEmpty {
                Terminal.error("'\(path)' is not in the library")
                missing = true
            }
            for video in matching {
                try reportingFailure { try store.remove(path: video.path) }
                if !library.quiet { Terminal.note("removed \(video.path)") }
            }
        }
        library.refreshCandidateIndex(at: store.path)
        if missing { throw ExitCode(Status.unreadable) }
    }
}
