// A StoreError keeps what GRDB's DatabaseError keeps: SQLite's result code and the statement
// that failed, beside the text people read (which names no SQL).
import Foundation
@testable import LibraryStore
import Testing

/// Each test gets its own database file.
private func temporaryPath() -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-store-error-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent("library.sqlite").path
}

/// SQLite's primary result codes used here (sqlite3.h).
private let sqliteError: Int32 = 1
private let sqliteConstraint: Int32 = 19

/// The StoreError `body` throws (nil, and a failed expectation, when it throws none).
private func storeError(_ body: () throws -> Void) -> StoreError? {
    do {
        try body()
    } catch let error as StoreError {
        return error
    } catch {
        Issue.record("not a StoreError: \(error)")
        return nil
    }
    Issue.record("no StoreError thrown")
    return nil
}

@Suite struct StoreErrorTests {
    @Test func aStatementThatFailsWhenRunNamesItsSQLAndCode() throws {
        let connection = try Connection(path: temporaryPath())
        try connection.execute("CREATE TABLE t (x INTEGER UNIQUE)")
        let insert = "INSERT INTO t (x) VALUES (?)"
        try connection.prepare(insert).run([.integer(1)])
        let error = try #require(storeError { try connection.prepare(insert).run([.integer(1)]) })
        #expect(error.statement == insert)
        #expect(error.primaryResultCode == sqliteConstraint)
        #expect(error.description == "cannot use library '\(connection.path)': UNIQUE constraint failed: t.x (code \(sqliteConstraint))")
        #expect(error.debugDescription.contains("[statement: \(insert)]"))
        #expect(error.debugDescription.contains("[SQLite code \(sqliteConstraint)]"))
    }

    @Test func aStatementThatDoesNotPrepareNamesItsSQLAndCode() throws {
        let connection = try Connection(path: temporaryPath())
        let select = "SELECT x FROM missing"
        let error = try #require(storeError { _ = try connection.prepare(select) })
        #expect(error.statement == select)
        #expect(error.resultCode == sqliteError)
        #expect(error.reason == "no such table: missing (code \(sqliteError))")
    }

    @Test func anExecutedScriptThatFailsNamesItsSQLAndCode() throws {
        let connection = try Connection(path: temporaryPath())
        let script = "CREATE TABLE t (x); INSERT INTO nowhere VALUES (1)"
        let error = try #require(storeError { try connection.execute(script) })
        #expect(error.statement == script)
        #expect(error.resultCode == sqliteError)
        #expect(error.description == "cannot use library '\(connection.path)': no such table: nowhere")
        #expect(!error.description.contains("INSERT"))
    }

    @Test func aRefusedSaveNamesTheInsertAndKeepsItsWordingForPeople() throws {
        let path = temporaryPath()
        let library = try LibraryDatabase(path: path)
        try library.connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON videos BEGIN SELECT RAISE(ABORT, 'refused'); END")
        let video = IndexedVideo(id: 0, path: "/a.mp4", size: 1, modified: 1, digest: "d", duration: 1, hasVideo: true,
                                 hasAudio: false, fingerprintVersion: 1, indexedAt: 1)
        let error = try #require(storeError { try library.save(StoredVideo(video: video, blobs: [:])) })
        #expect(error.statement?.contains("INSERT INTO videos") == true)
        #expect(error.primaryResultCode == sqliteConstraint)
        #expect(error.description == "cannot use library '\(path)': refused (code \(error.resultCode ?? 0))")
        #expect(try library.videos().isEmpty)
    }

    @Test func aRefusalOfOurOwnHasNoCodeNorStatement() throws {
        let path = temporaryPath()
        let error = try #require(storeError { _ = try LibraryDatabase(readingAt: path) })
        #expect(error.resultCode == nil && error.statement == nil)
        #expect(error.description == "cannot use library '\(path)': no library here yet (run `vmatch index` first)")
        #expect(error.debugDescription == error.description)
    }
}
