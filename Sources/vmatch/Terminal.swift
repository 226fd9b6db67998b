import ArgumentParser
import Foundation
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

/// Results on stdout or into a file, every write checked: a write that fails (a full disk, a
/// closed pipe) is named on stderr and ends the command with exit status 2, never a crash and
/// never output silently lost.
struct Output {
    let descriptor: Int32
    /// What the user knows the destination as, for the error.
    let name: String

    static let standard = Output(descriptor: STDOUT_FILENO, name: "standard output")

    func write(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                Terminal.error("cannot write to \(name): \(String(cString: strerror(n < 0 ? errno : EIO)).lowercased())")
                throw ExitCode(Status.unreadable)
            }
            bytes = bytes.dropFirst(n)
        }
    }

    func line(_ text: String) throws { try write(text + "\n") }

    /// Flushes what the file system holds to disk (for -o files); a failure is a failed write.
    func synchronize() throws {
        guard descriptor != STDOUT_FILENO else { return }
        if fsync(descriptor) != 0 && errno != EINVAL {
            Terminal.error("cannot write to \(name): \(String(cString: strerror(errno)).lowercased())")
            throw ExitCode(Status.unreadable)
        }
    }
}
