import ArgumentParser
import Findings
import Foundation
import Pipeline
import Report

/// Options every library command shares.
struct LibraryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Library file (default: $VMATCH_DB, else $XDG_DATA_HOME/vmatch/library.sqlite).", valueName: "file"))
    var db: String?

    @Flag(name: .shortAndLong, help: "Print no progress line and no summary on stderr (errors are still printed).")
    var quiet = false

    var path: String { db ?? Library.defaultPath() }

    /// `readOnly`: for commands that only read (list, compare), which never write to the file.
    func open(create: Bool = false, readOnly: Bool = false) throws -> Library {
        do {
            let library = readOnly ? try Library(readingAt: path) : try Library(path: path, create: create)
            if let old = library.upgradedFromSchema {
                Terminal.note("vmatch: upgraded library '\(library.path)' from schema \(old) to \(Library.schemaVersion); its fingerprints were kept, nothing is indexed again")
            }
            return library
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }
    }
}

extension LibraryOptions {
    /// The library as `compare` and `watch` hold it (candidate index in memory), opened once,
    /// read-only; an empty library is an error, as is one that cannot be read.
    func load(at path: String? = nil) throws -> LoadedReferences {
        let path = path ?? self.path
        do {
            let progress = ProgressLine(quiet: quiet)
            let loaded = try LoadedReferences(path: path, willBuild: { progress.status(Self.building($0)) })
            progress.finish()
            if let note = loaded.origin.note, !quiet { Terminal.note("vmatch: " + note) }
            if loaded.entries.isEmpty {
                Terminal.error("the library at \(path) is empty: run `vmatch index` first")
                throw ExitCode(Status.unreadable)
            }
            return loaded
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }
    }
}

extension LibraryOptions {
    /// Brings the candidate index's file beside the library at `path` up to date after this
    /// command changed the library, so that the next `compare` starts without building it. Not
    /// an error when it cannot: `compare` builds the index from the library then, as it would.
    func refreshCandidateIndex(at path: String) {
        let note: String?
        let progress = ProgressLine(quiet: quiet)
        defer { progress.finish() }
        do {
            note = try CandidateIndexFile.refresh(libraryPath: path, willBuild: { progress.status(Self.building($0)) }).note
        } catch {
            note = "the library's candidate index was not saved (\(error)); the next compare builds it"
        }
        if let note, !quiet { Terminal.note("vmatch: " + note) }
    }

    /// The progress line while the candidate index is built (at 1000 hours of reference it takes
    /// minutes, and nothing else would show).
    static func building(_ videos: Int) -> String {
        "building the library's candidate index (\(videos) video\(videos == 1 ? "" : "s"))…"
    }
}

/// Runs `body`; an error it throws is named on stderr and ends the command with exit status 2
/// (not the argument parser's 1, which is for its own errors).
@discardableResult
func reportingFailure<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Terminal.error("\(error)")
        throw ExitCode(Status.unreadable)
    }
}

/// How much work runs at once and how long one file may take (index and compare).
struct WorkOptions: ParsableArguments {
    // `.unconditional`: a negative number is the option's value, to be refused by name, not
    // taken for another option ("Missing value for --timeout").
    @Option(name: .customLong("jobs"), parsing: .unconditional, help: ArgumentHelp("Files handled at once (default: the number of cores).", valueName: "n"))
    var requestedJobs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds allowed per file (default: 120 plus twice the file's duration).", valueName: "seconds"))
    var timeout: Double?

    var jobs: Int { requestedJobs ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let requestedJobs, requestedJobs < 1 { throw ValidationError("--jobs must be at least 1, not \(requestedJobs).") }
        if let timeout, !(timeout > 0) || !timeout.isFinite { throw ValidationError("--timeout must be a positive number of seconds, not \(String(format: "%g", timeout)).") }
    }
}

/// A one-line progress display on stderr, only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let start = Date()
    private var shown = false

    init(quiet: Bool) { enabled = !quiet && Terminal.isInteractive }

    func update(done: Int, total: Int, item: String) {
        guard enabled, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let name = (item as NSString).lastPathComponent
        let line = String(format: "[%d/%d] %3d%%  ETA %@  %@", done, total, done * 100 / total,
                          SuspectReport.clock(eta), String(name.terminalSafe.prefix(40)))
        Terminal.write("\r\u{1B}[2K" + line)
        shown = true
    }

    /// A line of its own in place of the counts (a step with nothing to count).
    func status(_ text: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        Terminal.write("\r\u{1B}[2K" + text.terminalSafe)
        shown = true
    }

    func finish() {
        guard enabled, shown else { return }
        Terminal.write("\r\u{1B}[2K")
    }
}

/// The file compare and watch append their report to (-o), else standard output.
struct ReportFileOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Append the report to this file instead of printing it.", valueName: "file"))
    var output: String?

    /// The -o file as `Output.appending(to:)` opens it for `command`, else standard output.
    func open(command: String, clipCheckedAgain: Bool = false, follows: Bool = false) throws -> Output {
        try output.map { try Output.appending(to: $0, command: command, clipCheckedAgain: clipCheckedAgain, follows: follows) } ?? Output.standard
    }
}

/// Who claims the material, for the evidence report's header (compare --html, watch --html-dir).
struct ClaimOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Name printed as the claimant in the HTML evidence report (the creator, or the agency acting for them).", valueName: "name"))
    var claimant: String?

    @Option(help: ArgumentHelp("A contact line printed under the claimant (e-mail, address).", valueName: "text"))
    var contact: String?

    /// The report of `suspects`, with the claim, the command line and the library it was made with.
    func report(suspects: [SuspectEvidence], library: LoadedReferences, at path: String) -> EvidenceReport {
        EvidenceReport(generated: Date(), vmatchVersion: vmatchVersion, libraryVideos: library.entries.count, suspects: suspects,
                       claimant: claimant, contact: contact, commandLine: shellQuoted(CommandLine.arguments),
                       libraryPath: MediaWalker.absolutePath(path), libraryIdentity: library.identity)
    }
}

/// The words as a POSIX shell would take them back: plain words as they are, others in single quotes.
func shellQuoted(_ words: [String]) -> String {
    words.map { word in
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}
