// What `vmatch watch` has checked, remembered beside the library (`LIBRARY.watched.jsonl`), so
// that a restart checks only the clips that arrived or changed while it was down, and a clip that
// failed is not tried again until it changes. One JSON object per line, appended as each clip is
// checked; the last record of a path wins. The file is a `JSONLinesJournal`: a cut-off last line
// (a killed watch, a full disk) is removed on open (`cutOffNotice`), and its clip is checked
// again; a record that could not be written whole is taken back at once.
// One watch at a time owns a log: it holds an exclusive `flock` on `LOG.lock` (which names its
// pid) for its life, and the kernel lets go when the process ends, killed or not, so a second
// watch on the same library is refused at start instead of checking every clip again.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package final class WatchLog {
    package struct Record: Codable, Equatable, Sendable {
        package var path: String
        package var size: Int64
        /// Seconds since 1970, with nanoseconds.
        package var modified: Double
        package var sha256: String
        /// "reuse", "no reuse" or "failed".
        package var outcome: String
        package var checkedAt: String

        enum CodingKeys: String, CodingKey {
            case path, size, modified, sha256, outcome
            case checkedAt = "checked_at"
        }
    }

    package var path: String { journal.path }
    private var known: [String: Record] = [:]
    private let journal: JSONLinesJournal
    /// `LOG.lock`, locked for the life of this object (closing it releases the lock).
    private let lockDescriptor: Int32

    /// The log for the library at `libraryPath`.
    package static func path(forLibrary libraryPath: String) -> String { libraryPath + ".watched.jsonl" }

    /// Reads what earlier watches recorded and opens the log for appending (created when missing).
    /// Throws, naming the log and the other watch's pid, when another watch holds it.
    package init(path: String) throws {
        // The lock comes first: the log is read, and a cut-off line removed, only by its owner.
        lockDescriptor = try Self.lock(path)
        do throws(JSONLinesJournal.Failure) {
            // A last line that is not a whole record goes: its clip is checked again.
            journal = try JSONLinesJournal(appendingTo: path) { (try? JSONDecoder().decode(Record.self, from: $0)) == nil }
        } catch {
            close(lockDescriptor)
            let said = error.operation == .open ? "cannot write '\(path)' (where watch remembers what it checked): \(error.reason)" : error.description
            throw WatchError(description: said)
        }
        for record in (try? JSONLinesJournal.read(path, as: Record.self).records) ?? [] { known[record.path] = record }
    }

    /// What watch says, once, when opening the log removed a last line cut off by a killed run or
    /// a full disk; nil when it did not.
    package var cutOffNotice: String? {
        journal.removedCutOffLine ? journal.cutOffNotice(command: "watch", clipCheckedAgain: true) : nil
    }

    deinit {
        close(lockDescriptor)
    }

    /// Takes the exclusive lock on `log.lock` without waiting, and writes this process's pid
    /// into it; returns its descriptor (close-on-exec, so hooks do not inherit the lock).
    private static func lock(_ log: String) throws -> Int32 {
        let lockPath = log + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WatchError(description: "cannot write '\(lockPath)' (which keeps a second watch off '\(log)'): \(String(cString: strerror(errno)).lowercased())")
        }
        var result: Int32
        repeat { result = flock(fd, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno)).lowercased()
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            close(fd)
            guard busy else { throw WatchError(description: "cannot lock '\(lockPath)': \(reason)") }
            let pid = n > 0 ? Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            let who = pid.map { "another watch (pid \($0))" } ?? "another watch"
            throw WatchError(description: "\(who) is already using '\(log)' for this library; stop it first, or watch with another library")
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        return fd
    }

    /// The last record of `file`, if it was checked before.
    package func record(of file: String) -> Record? { known[file] }

    /// How many clips the log remembers.
    package var count: Int { known.count }

    /// True when `file` was never checked, or changed since (size, or modification time and
    /// content). A file touched but not changed is recorded with its new time and not checked;
    /// a failure to record that is thrown (the file is then not checked either).
    package func needsCheck(_ file: String) throws -> Bool {
        guard let record = known[file] else { return true }
        guard let look = Self.look(file) else { return true }
        guard look.size == record.size else { return true }
        if look.modified == record.modified { return false }
        guard let digest = try? SHA256.hex(ofFileAt: file), digest == record.sha256 else { return true }
        var touched = record
        touched.modified = look.modified
        try write(touched)
        return false
    }

    /// How a file looks before it is checked (size, modification time).
    package struct Look: Equatable, Sendable {
        package var size: Int64
        package var modified: Double
    }

    package static func look(_ path: String) -> Look? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Look(size: Int64(info.st_size), modified: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// Remembers that `file`, which looked `before` when its check began, was checked with
    /// `outcome`. `digest` is the SHA-256 the check made (nil: read now, for a clip that could not
    /// be decoded). A file that changed while it was checked, or vanished, is not remembered: it is
    /// looked at again.
    package func remember(_ file: String, before: Look, digest: String?, outcome: String, checkedAt: String) throws {
        guard Self.look(file) == before else { return }
        let sha256: String
        do { sha256 = try digest ?? SHA256.hex(ofFileAt: file) } catch {
            throw WatchError(description: "cannot read '\(file)' to remember it as checked: \(error.localizedDescription)")
        }
        try write(Record(path: file, size: before.size, modified: before.modified, sha256: sha256, outcome: outcome, checkedAt: checkedAt))
    }

    private func write(_ record: Record) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        do throws(JSONLinesJournal.Failure) { try journal.append(line) } catch { throw WatchError(description: error.description) }
        known[record.path] = record
    }
}
