// The library's SQLite database: one file, one row per indexed video (`videos`) and its fingerprint
// as packed blobs, one per channel and tier (`fingerprints`, see `StoredFingerprint.swift`), its
// schema versions and migrations, and the statements that read and write them. Each
// video is written in its own transaction, so a killed `index` run loses at most the file it was
// on; WAL lets `compare` read while `index` writes.
import Foundation

/// What the library knows about one indexed file.
package struct IndexedVideo: Sendable, Equatable {
    package var id: Int64
    /// Absolute path when indexed.
    package var path: String
    package var size: Int64
    /// Modification time, seconds since 1970.
    package var modified: Double
    /// SHA-256 of the whole file as indexed, lower-case hex (16-digit digests of older versions
    /// never equal one: such a file is fingerprinted again when its modification time changes).
    package var digest: String
    package var duration: Double?
    package var hasVideo: Bool
    package var hasAudio: Bool
    /// Version of the fingerprint format the blobs were written with.
    package var fingerprintVersion: Int
    package var indexedAt: Double

    package init(id: Int64, path: String, size: Int64, modified: Double, digest: String, duration: Double?,
                hasVideo: Bool, hasAudio: Bool, fingerprintVersion: Int, indexedAt: Double) {
        self.id = id
        self.path = path
        self.size = size
        self.modified = modified
        self.digest = digest
        self.duration = duration
        self.hasVideo = hasVideo
        self.hasAudio = hasAudio
        self.fingerprintVersion = fingerprintVersion
        self.indexedAt = indexedAt
    }
}

/// The SQLite file under a library (`Pipeline.Library` is the library the commands open): its
/// tables, schema and statements.
package final class LibraryDatabase {
    /// The schema this build reads and writes.
    package static let schemaVersion = 7
    package let path: String
    let connection: Connection

    /// `$VMATCH_DB`, else `$XDG_DATA_HOME/vmatch/library.sqlite`, else `~/.local/share/vmatch/library.sqlite`.
    package static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["VMATCH_DB"], !path.isEmpty { return path }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return data + "/vmatch/library.sqlite"
    }

    /// The schema of the file as opened (read-only opening never migrates it).
    private(set) var schema = LibraryDatabase.schemaVersion
    /// The schema the file had when this writer opened it, when the opening upgraded it.
    package private(set) var upgradedFrom: Int?
    let readOnly: Bool

    /// Opens (creating when `create` is set) the library at `path` for writing and brings its
    /// schema up to date. A database that is not a vmatch library is refused, never changed.
    /// A missing folder is made only with `createFolder`: the commands set it for the standard
    /// location alone (`Library`), since a folder the user named that does not exist is a
    /// mistake to report, not a folder to make.
    package init(path: String, create: Bool = true, createFolder: Bool = true) throws(StoreError) {
        self.path = path
        readOnly = false
        if !FileManager.default.fileExists(atPath: path) {
            guard create else { throw StoreError(path: path, reason: "no library here yet (run `vmatch index` first)") }
            let folder = (path as NSString).deletingLastPathComponent
            var isFolder: ObjCBool = false
            if !folder.isEmpty && !createFolder && !(FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) {
                throw StoreError(path: path, reason: "its folder '\(folder)' does not exist (create it first, or give another --db)")
            }
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw StoreError(path: path, reason: "cannot create folder: \(error.localizedDescription)")
                }
            }
        }
        connection = try Connection(path: path)
        try checkIsLibrary(allowEmpty: true)
        // A new library is switched to WAL by whichever writer comes first; the others wait.
        try connection.executeWaitingForLocks("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON")
        try migrate()
    }

    /// Opens the library at `path` to read it only: nothing is created, migrated or written (a
    /// library of an older schema is read as it is), so a library one may only read can be
    /// read. Where its folder cannot be written (so that no other process can be writing it
    /// either), it is opened immutable. `serialized`: the connection may be used from several
    /// threads at once.
    package init(readingAt path: String, serialized: Bool = false) throws(StoreError) {
        self.path = path
        readOnly = true
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(path: path, reason: "no library here yet (run `vmatch index` first)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let immutable = access(folder.isEmpty ? "." : folder, W_OK) != 0
        connection = try Connection(path: path, readOnly: true, immutable: immutable, serialized: serialized)
        try checkIsLibrary(allowEmpty: false)
        schema = try userVersion()
    }

    /// Refuses a database that is not a vmatch library: a schema number vmatch never wrote, or
    /// (schema 0) tables of someone else's. `allowEmpty`: an empty database is a new library.
    private func checkIsLibrary(allowEmpty: Bool) throws(StoreError) {
        // Both read in one transaction: a writer creating the library meanwhile (tables, then
        // the schema number, in one commit) is seen before or after, never half-way.
        try connection.execute("BEGIN")
        let version: Int
        let tables: Set<String>
        do {
            version = try userVersion()
            tables = try tableNames()
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
        let notLibrary = "is not a vmatch library"
        if version < 0 {
            throw StoreError(path: path, reason: "\(notLibrary) (its schema number is \(version))")
        }
        if version > Self.schemaVersion {
            throw StoreError(path: path, reason: "written by a newer vmatch (schema \(version)); this vmatch reads schema \(Self.schemaVersion) and older")
        }
        if version == 0 {
            if tables.isEmpty && allowEmpty { return }
            throw StoreError(path: path, reason: tables.isEmpty ? "\(notLibrary) (an empty database)"
                                                                 : "\(notLibrary) (it holds other tables: \(tables.sorted().joined(separator: ", ")))")
        }
        guard tables.contains("videos") else { throw StoreError(path: path, reason: "\(notLibrary) (it has no videos table)") }
    }

    private func tableNames() throws(StoreError) -> Set<String> {
        let statement = try connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        try statement.bind([])
        var names = Set<String>()
        while try statement.step() { names.insert(statement.text(0)) }
        return names
    }

    /// Holds one read transaction on this connection until the library is closed: every read
    /// after it sees the library as it was now, whatever another process (`index`) commits
    /// meanwhile. `compare` holds one, so that references re-indexed while it runs are still
    /// read as they were when its candidate index was built.
    package func holdSnapshot() throws(StoreError) {
        guard !connection.inTransaction else { return }
        try connection.execute("BEGIN")
        // A read transaction starts at its first read.
        let statement = try connection.prepare("SELECT count(*) FROM videos")
        try statement.bind([])
        _ = try statement.step()
    }

    private func userVersion() throws(StoreError) -> Int {
        let statement = try connection.prepare("PRAGMA user_version")
        try statement.bind([])
        return try statement.step() ? Int(statement.int(0)) : 0
    }

    private static let migrations: [String] = [
        // 0 → 1
        """
        CREATE TABLE videos (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            modified REAL NOT NULL,
            digest TEXT NOT NULL,
            duration REAL,
            has_video INTEGER NOT NULL,
            has_audio INTEGER NOT NULL,
            fingerprint_version INTEGER NOT NULL,
            indexed_at REAL NOT NULL,
            frames BLOB NOT NULL,
            landmarks BLOB NOT NULL
        );
        """,
        // 1 → 2: the candidate index's share of each fingerprint, so that `compare` reads
        // kilobytes, not megabytes, per reference when it starts.
        """
        ALTER TABLE videos ADD COLUMN anchor_frames BLOB;
        ALTER TABLE videos ADD COLUMN anchor_landmarks BLOB;
        """,
        // 2 → 3: blobs by (channel, tier), so that a new channel is new rows, not new columns.
        // The four columns move as they are (no fingerprint is made again).
        """
        CREATE TABLE fingerprints (
            id INTEGER PRIMARY KEY,
            video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            tier TEXT NOT NULL,
            format INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (video_id, channel, tier)
        );
        """ + legacyColumns.map { column, key in
            """
            INSERT INTO fingerprints (video_id, channel, tier, format, data)
                SELECT id, '\(key.channel)', '\(key.tier.rawValue)', fingerprint_version, \(column)
                FROM videos WHERE \(column) IS NOT NULL ORDER BY id;
            ALTER TABLE videos DROP COLUMN \(column);
            """
        }.joined(separator: "\n"),
        // 3 → 4: no table changes. The sound landmarks' blobs may now be in their packed format
        // (format 2), which a vmatch of schema 3 does not know and could misread (it checks only
        // that a blob is whole 14-byte records); the number makes it refuse the file instead.
        "SELECT 1;",
        // 4 → 5: no table changes, for the same reason: the motion channel's blobs may now be
        // packed (format 2), which a vmatch of schema 4 would take for 136-byte records.
        "SELECT 1;",
        // 5 → 6: no table changes, for the same reason: the picture hashes' blobs may now be
        // packed (format 2), which a vmatch of schema 5 would read as format-1 frames.
        "SELECT 1;",
        // 6 → 7: no table changes. A reference's sound may now be kept as its peaks (channel
        // "sound-peaks"), its landmarks' full blob empty: a vmatch of schema 6 would read such a
        // reference as one without sound.
        "SELECT 1;",
    ]

    /// Where schemas 1 and 2 kept the blobs that schema 3 keeps by key (schema 1 has the first
    /// two only). The channel names are the ones `Pipeline` gives the picture hashes and the
    /// sound landmarks.
    static let legacyColumns: [(column: String, key: BlobKey)] = [
        ("frames", BlobKey(channel: "picture-hashes", tier: .full)),
        ("landmarks", BlobKey(channel: "sound-landmarks", tier: .full)),
        ("anchor_frames", BlobKey(channel: "picture-hashes", tier: .anchors)),
        ("anchor_landmarks", BlobKey(channel: "sound-landmarks", tier: .anchors)),
    ]

    private func migrate() throws(StoreError) {
        let version = try userVersion()
        guard version < Self.schemaVersion else { return }
        do {
            try connection.transaction {
                // Re-read inside the write lock: another process may have migrated meanwhile.
                let current = try userVersion()
                guard current < Self.schemaVersion else { return }
                for step in max(0, current) ..< Self.schemaVersion {
                    try connection.execute(Self.migrations[step])
                }
                try connection.execute("PRAGMA user_version = \(Self.schemaVersion)")
                if current > 0 { upgradedFrom = current }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, reason: "\(error)")
        }
    }

    static let columns = "id, path, size, modified, digest, duration, has_video, has_audio, fingerprint_version, indexed_at"

    func row(_ s: Statement) -> IndexedVideo {
        IndexedVideo(id: s.int(0), path: s.text(1), size: s.int(2), modified: s.double(3), digest: s.text(4),
                     duration: s.isNull(5) ? nil : s.double(5), hasVideo: s.int(6) != 0, hasAudio: s.int(7) != 0,
                     fingerprintVersion: Int(s.int(8)), indexedAt: s.double(9))
    }

    /// Every indexed video, by path.
    package func videos() throws(StoreError) -> [IndexedVideo] {
        let statement = try connection.prepare("SELECT \(Self.columns) FROM videos ORDER BY path")
        try statement.bind([])
        var result: [IndexedVideo] = []
        while try statement.step() { result.append(row(statement)) }
        return result
    }

    package func video(path: String) throws(StoreError) -> IndexedVideo? {
        let statement = try connection.prepare("SELECT \(Self.columns) FROM videos WHERE path = ?")
        try statement.bind([.text(path)])
        return try statement.step() ? row(statement) : nil
    }

    /// The channels whose full tier the store holds for video `id`, by name, with the format and
    /// length of each one's blob (blobs kept by key; the blob columns of rows written before
    /// schema 3 are not counted). The blobs themselves are not read.
    package func storedChannels(id: Int64) throws(StoreError) -> [String: BlobSummary] {
        let statement = try connection.prepare(
            "SELECT channel, format, length(data) FROM fingerprints WHERE video_id = ? AND tier = 'full'")
        try statement.bind([.integer(id)])
        var channels: [String: BlobSummary] = [:]
        while try statement.step() {
            channels[statement.text(0)] = BlobSummary(format: Int(statement.int(1)), count: Int(statement.int(2)))
        }
        return channels
    }

    /// Writes (or replaces, by path) one video and its fingerprint in one transaction.
    @discardableResult
    package func save(_ stored: StoredVideo) throws(StoreError) -> Int64 {
        try save(stored.video, blobs: stored.blobs.map { BlobWrite(key: $0.key, format: $0.value.format, stream: BlobStream($0.value.bytes)) })
    }

    /// `save(_:)` for blobs that arrive as streams (e.g. spooled to disk while a long file was
    /// fingerprinted): written into place a piece at a time, in the same one transaction.
    @discardableResult
    package func save(_ v: IndexedVideo, blobs: [BlobWrite]) throws(StoreError) -> Int64 {
        precondition(Set(blobs.map(\.key)).count == blobs.count, "LibraryDatabase.save: a blob key given twice")
        do {
            return try connection.transaction {
                try deleteRows(path: v.path)
                try connection.prepare("""
                    INSERT INTO videos (path, size, modified, digest, duration, has_video, has_audio,
                                        fingerprint_version, indexed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).run([.text(v.path), .integer(v.size), .real(v.modified), .text(v.digest),
                              v.duration.map { .real($0) } ?? .null, .integer(v.hasVideo ? 1 : 0),
                              .integer(v.hasAudio ? 1 : 0), .integer(Int64(v.fingerprintVersion)), .real(v.indexedAt)])
                let id = connection.lastInsertedRow
                let insert = try connection.prepare(
                    "INSERT INTO fingerprints (video_id, channel, tier, format, data) VALUES (?, ?, ?, ?, ?)")
                for blob in blobs {
                    try insert.run([.integer(id), .text(blob.key.channel), .text(blob.key.tier.rawValue),
                                    .integer(Int64(blob.format)), .zeroBlob(blob.stream.count)])
                    try connection.writeBlob(table: "fingerprints", column: "data", row: connection.lastInsertedRow, from: blob.stream)
                }
                return id
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, reason: "\(error)")
        }
    }

    /// Deletes the video at `path` and its blobs (the cascade would too; said here so that it
    /// holds whatever the connection's foreign-key setting).
    private func deleteRows(path: String) throws(StoreError) {
        try connection.prepare("DELETE FROM fingerprints WHERE video_id IN (SELECT id FROM videos WHERE path = ?)").run([.text(path)])
        try connection.prepare("DELETE FROM videos WHERE path = ?").run([.text(path)])
    }

    /// Records a new modification time for a file whose content did not change.
    package func updateModified(id: Int64, modified: Double) throws(StoreError) {
        try connection.prepare("UPDATE videos SET modified = ? WHERE id = ?").run([.real(modified), .integer(id)])
    }

    /// Removes one video; returns whether it was there.
    @discardableResult
    package func remove(path: String) throws(StoreError) -> Bool {
        let before = try video(path: path)
        do {
            try connection.transaction { try deleteRows(path: path) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: self.path, reason: "\(error)")
        }
        return before != nil
    }
}
