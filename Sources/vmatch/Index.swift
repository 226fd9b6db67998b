import ArgumentParser
import Foundation
import Pipeline
import Report

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fingerprints your videos into the library (only new and changed files; removed ones are pruned).")

    @OptionGroup var library: LibraryOptions

    @OptionGroup var work: WorkOptions

    @Argument(help: "Video or audio files, or folders to walk recursively.")
    var paths: [String]

    func run() throws {
        let store = try library.open(create: true)
        let progress = ProgressLine(quiet: library.quiet)
        let summary: IndexSummary
        do {
            summary = try LibraryIndexer(jobs: work.jobs, options: FingerprintOptions(role: .reference, timeBudget: work.timeout)).run(paths: paths, library: store) { event in
                if case .finished(let path, let done, let total) = event { progress.update(done: done, total: total, item: path) }
            }
        } catch {
            progress.finish()
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }
        progress.finish()
        for failure in summary.failed { Terminal.error(failure.reason.hasPrefix("cannot") ? failure.reason : "'\(failure.path)': \(failure.reason)") }
        var parts = ["\(summary.indexed.count) indexed", "\(summary.unchanged.count) unchanged"]
        if !summary.removed.isEmpty { parts.append("\(summary.removed.count) removed") }
        if !summary.notMedia.isEmpty { parts.append("\(summary.notMedia.count) not media") }
        parts.append("\(summary.failed.count) failed")
        if !summary.notStarted.isEmpty { parts.append("\(summary.notStarted.count) not started") }
        if let reason = summary.stopReason { Terminal.error("index stopped early: \(reason)") }
        if !library.quiet { Terminal.note("index: " + parts.joined(separator: ", ") + " (library: \(store.path))") }
        if !summary.failed.isEmpty || !summary.notStarted.isEmpty { throw ExitCode(Status.unreadable) }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Lists the videos in the library.")

    @OptionGroup var library: LibraryOptions

    func run() throws {
        let store = try library.open(readOnly: true)
        let videos = try reportingFailure { try store.videos() }
        for video in videos {
            let duration = video.duration.map { formatSeconds($0) } ?? "?"
            let kinds = [video.hasVideo ? "picture" : nil, video.hasAudio ? "sound" : nil].compactMap { $0 }.joined(separator: "+")
            try Output.standard.line("\(duration)\t\(kinds.isEmpty ? "-" : kinds)\t\(video.path.terminalSafe)")
        }
    }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Removes videos from the library (the files stay).")

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
        if missing { throw ExitCode(Status.unreadable) }
    }
}
