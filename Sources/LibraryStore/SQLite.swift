// A small wrapper over the system SQLite: one final class per handle (connection, statement),
// errors with SQLite's own text. Only this module imports CSQLite.
import CSQLite
import Foundation

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// A library that cannot be used, as GRDB's `DatabaseError` keeps one: our context (the file), the
/// text for people, and, when SQLite refused something, its result code and the statement it
/// refused. `description` is what people read and names no SQL; `debugDescription` adds the code
/// and the statement, for diagnostics.
package struct StoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    package let path: String
    package let reason: String
    /// SQLite's result code (as the failing call returned it); nil for a refusal of our own (not
    /// a library, a newer schema).
    package let resultCode: Int32?
    /// The SQL that failed; nil when no statement did (opening the file, blob I/O, our checks).
    package let statement: String?

    package init(path: String, reason: String, resultCode: Int32? = nil, statement: String? = nil) {
        self.path = path
        self.reason = reason
        self.resultCode = resultCode
        self.statement = statement
    }

    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …) of an extended one.
    package var primaryResultCode: Int32? { resultCode.map { $0 & 0xFF } }

    package var description: String {
        "cannot use library '\(path)': \(reason)"
    }

    package var debugDescription: String {
        var text = description
        if let resultCode { text += " [SQLite code \(resultCode)]" }
        if let statement { text += " [statement: \(statement)]" }
        return text
    }
}

final class Connection {
    let pointer: OpaquePointer
    let path: String

    /// `readOnly`: never writes (nor creates) anything; `immutable`: also assumes nobody else
    /// writes, so that a file in a folder one cannot write (where SQLite cannot make its shared
    /// memory file) can still be read; `serialized`: the connection may be used from several
    /// threads at once (SQLite then serializes the calls).
    init(path: String, readOnly: Bool = false, immutable: Bool = false, serialized: Bool = false) throws(StoreError) {
        var handle: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        flags |= serialized ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX
        var name = path
        if immutable {
            flags |= SQLITE_OPEN_URI
            name = "file:" + Self.uriEscaped(path) + "?immutable=1"
        }
        let code = sqlite3_open_v2(name, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw StoreError(path: path, reason: reason, resultCode: code)
        }
        pointer = handle
        self.path = path
        // Another process (a running `index`) may hold the write lock for one video's transaction.
        sqlite3_busy_timeout(handle, Self.busyTimeout)
    }

    deinit { sqlite3_close_v2(pointer) }

    /// How long a statement waits for another connection's lock, in milliseconds.
    static let busyTimeout: Int32 = 30_000

    /// A path as the path part of an SQLite `file:` URI (RFC 3986 percent-encoding of what is
    /// not unreserved or '/').
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// Whether a transaction is open on this connection.
    var inTransaction: Bool { sqlite3_get_autocommit(pointer) == 0 }

    /// SQLite's message for what just failed with `code`, and the statement that failed, if one did.
    func error(_ code: Int32, statement: String? = nil) -> StoreError {
        StoreError(path: path, reason: String(cString: sqlite3_errmsg(pointer)) + " (code \(code))",
                   resultCode: code, statement: statement)
    }

    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(pointer, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error \(code)"
            sqlite3_free(message)
            throw StoreError(path: path, reason: text, resultCode: code, statement: sql)
        }
    }

    /// `execute(_:)` for a statement that SQLite may refuse with SQLITE_BUSY without calling the
    /// busy handler: one that upgrades the read lock it took to a write lock (two connections
    /// doing so at once would wait for each other forever, so SQLite fails one of them at once).
    /// Switching a new database to WAL is one (`sqlite3BtreeSetVersion` reads page 1, then
    /// writes it). Tried again, its locks released in between, for as long as the busy handler
    /// would wait.
    func executeWaitingForLocks(_ sql: String) throws(StoreError) {
        let deadline = Date().addingTimeInterval(Double(Self.busyTimeout) / 1000)
        while true {
            var message: UnsafeMutablePointer<CChar>?
            let code = sqlite3_exec(pointer, sql, nil, nil, &message)
            if code == SQLITE_OK { return }
            let text = message.map { String(cString: $0) } ?? "error \(code)"
            sqlite3_free(message)
            guard code & 0xFF == SQLITE_BUSY, !inTransaction, Date() < deadline else {
                throw StoreError(path: path, reason: text, resultCode: code, statement: sql)
            }
            usleep(useconds_t.random(in: 2_000 ... 20_000))
        }
    }

    func prepare(_ sql: String) throws(StoreError) -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// Runs `body` in one transaction: all of it lands, or none.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var lastInsertedRow: Int64 { sqlite3_last_insert_rowid(pointer) }

    /// Fills the blob in `column` of `row` of `table` (made with `.zeroBlob(stream.count)`) from
    /// `stream`, a piece at a time: SQLite spills the pages it writes, so neither side ever holds
    /// the whole blob.
    func writeBlob(table: String, column: String, row: Int64, from stream: BlobStream) throws {
        guard stream.count > 0 else { return }
        var handle: OpaquePointer?
        let code = sqlite3_blob_open(pointer, "main", table, column, row, 1, &handle)
        guard code == SQLITE_OK, let handle else {
            sqlite3_blob_close(handle)
            throw error(code)
        }
        defer { sqlite3_blob_close(handle) }
        let piece = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(piece, stream.count), alignment: 16)
        defer { buffer.deallocate() }
        var at = 0
        while at < stream.count {
            let n = min(buffer.count, stream.count - at)
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< n])
            try stream.read(part)
            let written = sqlite3_blob_write(handle, part.baseAddress, Int32(n), Int32(at))
            if written != SQLITE_OK { throw error(written) }
            at += n
        }
    }
}

/// One blob read from the start a piece at a time (SQLite incremental blob I/O), so that a large
/// blob is never held whole. Holds a read transaction on its connection until released.
final class BlobReader {
    private let handle: OpaquePointer
    private let connection: Connection
    let count: Int
    private(set) var offset = 0

    init(connection: Connection, table: String, column: String, row: Int64) throws(StoreError) {
        var handle: OpaquePointer?
        let code = sqlite3_blob_open(connection.pointer, "main", table, column, row, 0, &handle)
        guard code == SQLITE_OK, let handle else {
            sqlite3_blob_close(handle)
            throw connection.error(code)
        }
        self.handle = handle
        self.connection = connection
        count = Int(sqlite3_blob_bytes(handle))
    }

    deinit { sqlite3_blob_close(handle) }

    /// The next bytes, at most `limit` of them; empty at the end.
    func read(upTo limit: Int) throws(StoreError) -> [UInt8] {
        let n = min(limit, count - offset)
        guard n > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: n)
        let code = bytes.withUnsafeMutableBytes { sqlite3_blob_read(handle, $0.baseAddress, Int32(n), Int32(offset)) }
        guard code == SQLITE_OK else { throw connection.error(code) }
        offset += n
        return bytes
    }
}

final class Statement {
    private let pointer: OpaquePointer
    private let connection: Connection
    /// The SQL, for the errors it raises.
    let sql: String

    init(connection: Connection, sql: String) throws(StoreError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(connection.pointer, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw connection.error(code, statement: sql) }
        pointer = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(pointer) }

    enum Value {
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
        /// A blob of this many zero bytes, to be filled in place (`Connection.writeBlob`).
        case zeroBlob(Int)
        case null
    }

    func bind(_ values: [Value]) throws(StoreError) {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let v): code = sqlite3_bind_int64(pointer, index, v)
            case .real(let v): code = sqlite3_bind_double(pointer, index, v)
            case .text(let v): code = sqlite3_bind_text(pointer, index, v, -1, vm_sqlite_transient())
            case .blob(let v):
                code = v.withUnsafeBytes { raw in
                    sqlite3_bind_blob64(pointer, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                        sqlite3_uint64(raw.count), vm_sqlite_transient())
                }
            case .zeroBlob(let count): code = sqlite3_bind_zeroblob64(pointer, index, sqlite3_uint64(count))
            case .null: code = sqlite3_bind_null(pointer, index)
            }
            if code != SQLITE_OK { throw connection.error(code, statement: sql) }
        }
    }

    /// Steps once: true when a row is available.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(pointer)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw connection.error(code, statement: sql)
    }

    func run(_ values: [Value] = []) throws(StoreError) {
        try bind(values)
        while try step() {}
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(pointer, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(pointer, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(pointer, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let c = sqlite3_column_text(pointer, column) else { return "" }
        return String(cString: c)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(pointer, column))
        guard count > 0, let base = sqlite3_column_blob(pointer, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base, count: count))
    }
}
