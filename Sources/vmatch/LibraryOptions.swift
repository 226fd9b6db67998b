import ArgumentParser
import Foundation
import Pipeline
import Report

/// Options every library command shares.
struct LibraryOptions: ParsableArguments {
    @Option(name: .long, help: "Library file (default: $VMATCH_DB, else $XDG_DATA_HOME/vmatch/library.sqlite).")
    var db: String?

    @Flag(name: .shortAndLong, help: "Print no progress on stderr.")
    var quiet = false

    var path: String { db ?? Library.defaultPath() }

    /// `readOnly`: for commands that only read (list, compare), which never write to the file.
    func open(create: Bool = false, readOnly: Bool = false) throws -> Library {
        do {
            return readOnly ? try Library(readingAt: path) : try Library(path: path, create: create)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(Status.unreadable)
        }
    }
}

/// Runs `body`; an error it throws is named on stderr and ends the command with exit status 2
/// (not the argument parser's 1, which is for its own errors).
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
    @Option(help: "Files handled at once (default: the number of cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds allowed per file (default: 120 plus twice the file's duration).")
    var timeout: Double?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1.") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive.") }
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

    func finish() {
        guard enabled, shown else { return }
        Terminal.write("\r\u{1B}[2K")
    }
}
