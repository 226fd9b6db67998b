import ArgumentParser
import Foundation
import Pipeline
import Report

/// stderr for people: errors, warnings and progress (progress only on a terminal). Messages are
/// shown with any control characters escaped (`terminalSafe`): they carry file names.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0
    static let useColor = isInteractive && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func error(_ message: String) {
        let prefix = useColor ? "\u{1B}[31merror:\u{1B}[0m " : "error: "
        write(prefix + message.terminalSafe + "\n")
    }

    static func note(_ message: String) {
        write(message.terminalSafe + "\n")
    }

    /// Writes to stderr with the system call: a stderr that cannot be written (a full disk, a
    /// closed pipe) loses the message, and nothing more can be said; the exit status still says
    /// what happened (Foundation's `FileHandle.write` would trap instead).
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

/// Results on stdout or into a file (-o), every write checked: a write that fails (a full disk, a
/// closed pipe) is named on stderr and ends the command with exit status 2, never a crash and
/// never output silently lost.
struct Output {
    /// The -o file; nil for standard output.
    private let file: JSONLinesJournal?
    /// The command that follows the -o file by its name (`appending(to:…follows:)`), else nil.
    private let follower: String?

    static var standard: Output { Output(file: nil, follower: nil) }

    /// The -o file, opened by `command` for appending: a last line cut off by a full disk or a kill
    /// is removed, and said so once, so no record is glued to it and `--resume` can read the file
    /// later (`clipCheckedAgain`: this run reads it back, and checks that clip again); any other
    /// last line without its newline (a whole record, or not vmatch's) gets one first. `follows`:
    /// when the path is removed or renamed away, the next write opens it again, as `>>` would.
    static func appending(to path: String, command: String, clipCheckedAgain: Bool = false, follows: Bool = false) throws -> Output {
        do throws(JSONLinesJournal.Failure) {
            let file = try JSONLinesJournal(appendingTo: path)
            if file.removedCutOffLine { Terminal.note(file.cutOffNotice(command: command, clipCheckedAgain: clipCheckedAgain)) }
            return Output(file: file, follower: follows ? command : nil)
        } catch {
            throw failed(error)
        }
    }

    func write(_ text: String) throws {
        guard let file else { return try writeStandard(text) }
        do throws(JSONLinesJournal.Failure) {
            if let follower {
                if try file.reopenIfReplaced() {
                    if file.removedCutOffLine { Terminal.note(file.cutOffNotice(command: follower, clipCheckedAgain: false)) }
                    Terminal.note("\(follower): '\(file.path)' was removed or replaced; records go on in a new '\(file.path)'")
                }
            }
            try file.append(Data(text.utf8))
        } catch {
            throw Self.failed(error)
        }
    }

    func line(_ text: String) throws { try write(text + "\n") }

    /// Flushes what the file system holds to disk (for -o files); a failure is a failed write.
    func synchronize() throws {
        do throws(JSONLinesJournal.Failure) { try file?.synchronize() } catch { throw Self.failed(error) }
    }

    private func writeStandard(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                Terminal.error("cannot write to standard output: \(String(cString: strerror(n < 0 ? errno : EIO)).lowercased())")
                throw ExitCode(Status.unreadable)
            }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Names `failure` on stderr (a write to the -o file as `cannot write to`, like one to
    /// standard output); the exit status is 2.
    private static func failed(_ failure: JSONLinesJournal.Failure) -> ExitCode {
        Terminal.error(failure.operation == .write ? "cannot write to '\(failure.path)': \(failure.reason)" : failure.description)
        return ExitCode(Status.unreadable)
    }
}

/// Runs `body` on each file in turn: a file that fails is named on stderr and the next one is
/// tried, and if any failed the command ends with exit status 2 once all have been tried. An
/// `ExitCode` (a write to the output that failed) ends the command at once.
func forEachFile(in files: [String], _ body: (String) throws -> Void) throws {
    var failed = false
    for file in files {
        do {
            try body(file)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            failed = true
            Terminal.error("\(error)")
        }
    }
    if failed { throw ExitCode(Status.unreadable) }
}

/// Why `path` cannot be written as a new or replaced file, said before any work is done:
/// its folder is missing, is not a folder, or cannot be written to; or `path` is a folder.
func checkWritable(_ path: String) throws {
    let folder = (MediaWalker.absolutePath(path) as NSString).deletingLastPathComponent
    var info = stat()
    let reason: String?
    if stat(folder, &info) != 0 {
        reason = "its folder '\(folder)' does not exist: \(String(cString: strerror(errno)).lowercased())"
    } else if info.st_mode & S_IFMT != S_IFDIR {
        reason = "'\(folder)' is not a folder"
    } else if access(folder, W_OK) != 0 {
        reason = "its folder '\(folder)' cannot be written to: \(String(cString: strerror(errno)).lowercased())"
    } else if stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
        reason = "it is a folder"
    } else {
        reason = nil
    }
    if let reason {
        Terminal.error("cannot write '\(path)': \(reason)")
        throw ExitCode(Status.unreadable)
    }
}

/// A file could not be written; names it with the system's reason.
struct WriteError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot write '\(path)': \(reason)" }
}

/// Writes `text` as the whole of `path`: into a new file beside it, flushed, then renamed over
/// it, so a reader never sees half a report and a failed write leaves the old file as it was.
func writeReplacing(_ path: String, with text: String) throws {
    let folder = (MediaWalker.absolutePath(path) as NSString).deletingLastPathComponent
    var template = Array((folder + "/.vmatch-XXXXXX").utf8CString)
    let descriptor = mkstemp(&template)
    func failure() -> WriteError { WriteError(path: path, reason: String(cString: strerror(errno)).lowercased()) }
    guard descriptor >= 0 else { throw failure() }
    let scratch = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var written = false
    defer { if !written { unlink(scratch) } }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { let error = failure(); close(descriptor); throw error }
        bytes = bytes.dropFirst(n)
    }
    let mask = umask(0)
    umask(mask)
    guard fchmod(descriptor, 0o666 & ~mask) == 0, fsync(descriptor) == 0 else { let error = failure(); close(descriptor); throw error }
    guard close(descriptor) == 0 else { throw failure() }
    guard rename(scratch, path) == 0 else { throw failure() }
    written = true
}
