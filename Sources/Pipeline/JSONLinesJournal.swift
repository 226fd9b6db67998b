// A JSON Lines file that records are appended to, one line each, and read back: the `-o` file of
// `compare` and `watch` (which `compare --resume` reads), and the watch log. A run killed in the
// middle of a record, or a full disk, can leave the last line cut off; opening the file for
// appending removes such a line (`removedCutOffLine`, for the caller to say once) and gives any
// other last line its missing newline, so no record is ever glued to another. An append is whole
// or not at all: part of a record written before a failure is taken back at once.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package final class JSONLinesJournal {
    /// A system call on the journal failed; `description` says it as the watch log does, and the
    /// -o file words a failed write its own way (`cannot write to`).
    package struct Failure: Error, CustomStringConvertible {
        package enum Operation: Equatable, Sendable { case open, removeCutOffLine, write }
        package var operation: Operation
        package var path: String
        /// The system's reason, lowercased ("no space left on device").
        package var reason: String

        init(_ operation: Operation, path: String, errno code: Int32 = errno) {
            self.operation = operation
            self.path = path
            reason = String(cString: strerror(code)).lowercased()
        }

        package var description: String {
            switch operation {
            case .open, .write: "cannot write '\(path)': \(reason)"
            case .removeCutOffLine: "cannot remove the cut-off last line of '\(path)': \(reason)"
            }
        }
    }

    /// The path as the user gave it.
    package let path: String
    private var descriptor: Int32
    private let isCutOff: (Data) -> Bool
    /// Whether the latest opening of `path` removed a cut-off last line.
    package private(set) var removedCutOffLine: Bool

    /// Opens `path` for appending (created when missing) and mends its last line when it lacks
    /// its newline: removed when `isCutOff` says it is a record left unfinished, else given the
    /// newline. The default takes the start of a JSON object that is not whole for cut off, so a
    /// last line that is not JSON at all (the text report) is kept.
    package init(appendingTo path: String, isCutOff: @escaping (Data) -> Bool = JSONLinesJournal.isUnfinishedObject) throws(Failure) {
        self.path = path
        self.isCutOff = isCutOff
        (descriptor, removedCutOffLine) = try Self.open(path, isCutOff: isCutOff)
    }

    deinit { close(descriptor) }

    /// Whether `line`, the last of a file and without its newline, is a record cut off by a full
    /// disk or a kill: the start of a JSON object that is not whole.
    package static func isUnfinishedObject(_ line: Data) -> Bool {
        line.first == UInt8(ascii: "{") && (try? JSONSerialization.jsonObject(with: line)) == nil
    }

    /// What `command` says, once, when opening removed a cut-off last line: that the line's clip
    /// is checked again, where the file is read back for what was done (`clipCheckedAgain`), else
    /// what the line was.
    package func cutOffNotice(command: String, clipCheckedAgain: Bool) -> String {
        "\(command): removed the cut-off last line of '\(path)'"
            + (clipCheckedAgain ? "; that clip is checked again" : " (a record left unfinished by a full disk or a kill)")
    }

    /// Appends `line` (its newline included) whole, or not at all: part of it written before a
    /// failure (a full disk) is cut off again, so the next record does not run into it.
    package func append(_ line: Data) throws(Failure) {
        try Self.append(line, to: descriptor, path: path)
    }

    /// For an output followed by its name, as `>>` would put records: when `path` no longer names
    /// the open file (removed, or renamed away by log rotation), opens it again, mended as `init`
    /// mends it, and returns true.
    package func reopenIfReplaced() throws(Failure) -> Bool {
        var named = stat(), open = stat()
        if stat(path, &named) == 0, fstat(descriptor, &open) == 0, named.st_dev == open.st_dev, named.st_ino == open.st_ino {
            return false
        }
        let (reopened, removed) = try Self.open(path, isCutOff: isCutOff)
        close(descriptor)
        descriptor = reopened
        removedCutOffLine = removed
        return true
    }

    /// Flushes what the file system holds to disk; a failure is a failed write. A file that cannot
    /// be synchronized (a device) is not a failure.
    package func synchronize() throws(Failure) {
        if fsync(descriptor) != 0 && errno != EINVAL { throw Failure(.write, path: path) }
    }

    // MARK: Reading back

    /// What a journal holds, read back.
    package struct Contents<Record> {
        /// The complete records, in the file's order (a whole last record without its newline
        /// included, a cut-off one not).
        package var records: [Record] = []
        /// The first line, counted from 1, that is neither blank nor a record; nil when none is.
        package var firstForeignLine: Int?
    }

    /// Reads the records of `path` (missing: none) without changing it. A line is a record when it
    /// decodes as `Record` and `isRecord` accepts it; a blank line is passed over, as is a last
    /// line without its newline that is the start of a record cut off.
    package static func read<Record: Decodable>(_ path: String, as type: Record.Type, where isRecord: (Record) -> Bool = { _ in true }) throws -> Contents<Record> {
        var contents = Contents<Record>()
        guard FileManager.default.fileExists(atPath: path) else { return contents }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        func record(_ line: Data) -> Record? {
            guard let record = try? decoder.decode(Record.self, from: line), isRecord(record) else { return nil }
            return record
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let last = data.isEmpty || data.last == UInt8(ascii: "\n") ? nil : lines.popLast().map { Data($0) }
        for (number, line) in lines.enumerated() where !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
            if let record = record(Data(line)) {
                contents.records.append(record)
            } else if contents.firstForeignLine == nil {
                contents.firstForeignLine = number + 1
            }
        }
        if let last {
            if let record = record(last) {
                contents.records.append(record)
            } else if !isUnfinishedObject(last), contents.firstForeignLine == nil {
                contents.firstForeignLine = lines.count + 1
            }
        }
        return contents
    }

    // MARK: System calls

    /// Opens `path` for appending and mends its last line; returns the descriptor and whether a
    /// cut-off line was removed.
    private static func open(_ path: String, isCutOff: (Data) -> Bool) throws(Failure) -> (descriptor: Int32, removedCutOffLine: Bool) {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(.open, path: path) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0, let last = lastLine(of: path, size: Int(info.st_size)) else {
            return (descriptor, false)
        }
        do throws(Failure) {
            if isCutOff(last.bytes) {
                guard ftruncate(descriptor, off_t(last.start)) == 0 else { throw Failure(.removeCutOffLine, path: path) }
                return (descriptor, true)
            }
            try append(Data("\n".utf8), to: descriptor, path: path)
            return (descriptor, false)
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// The last line of the file at `path`, `size` bytes long, and where it starts, when it lacks
    /// its newline; nil when it has one, or the file cannot be read (then nothing is mended).
    private static func lastLine(of path: String, size: Int) -> (start: Int, bytes: Data)? {
        let reader = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { return nil }
        defer { close(reader) }
        // Read backwards to the line's start: a record is a few kB, so one piece usually holds it.
        var pieces: [ArraySlice<UInt8>] = []
        var end = size
        var start = 0
        while end > 0 {
            let count = min(1 << 16, end)
            var bytes = [UInt8](repeating: 0, count: count)
            guard pread(reader, &bytes, count, off_t(end - count)) == count else { return nil }
            if end == size, bytes.last == UInt8(ascii: "\n") { return nil }
            if let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
                pieces.append(bytes[(newline + 1)...])
                start = end - count + newline + 1
                break
            }
            pieces.append(bytes[...])
            end -= count
        }
        return (start, Data(pieces.reversed().joined()))
    }

    private static func append(_ data: Data, to descriptor: Int32, path: String) throws(Failure) {
        var info = stat()
        let end = fstat(descriptor, &info) == 0 ? info.st_size : nil
        var bytes = [UInt8](data)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let failure = Failure(.write, path: path, errno: n < 0 ? errno : EIO)
                if let end, bytes.count < data.count { _ = ftruncate(descriptor, end) }
                throw failure
            }
            bytes = bytes.dropFirst(n)
        }
    }
}
