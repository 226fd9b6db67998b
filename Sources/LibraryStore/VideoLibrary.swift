// The on-disk library: one SQLite file, one row per indexed video with its fingerprint as packed
// blobs (frame hashes, audio landmarks). Each video is written in its own transaction, so a
// killed `index` run loses at most the file it was on; WAL lets `compare` read while `index` writes.
import CSQLite
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

/// A video and its fingerprint blobs, as stored.
package struct StoredVideo: Sendable {
    package var video: IndexedVideo
    package var frames: [UInt8]
    package var landmarks: [UInt8]
    /// The share of the fingerprint that `compare` holds in memory (its candidate index), packed
    /// as `frames` and `landmarks` are; nil in rows written before schema 2.
    package var anchorFrames: [UInt8]?
    package var anchorLandmarks: [UInt8]?

    package init(video: IndexedVideo, frames: [UInt8], landmarks: [UInt8],
                anchorFrames: [UInt8]? = nil, anchorLandmarks: [UInt8]? = nil) {
        self.video = video
        self.frames = frames
        self.landmarks = landmarks
        self.anchorFrames = anchorFrames
        self.anchorLandmarks = anchorLandmarks
    }
}

/// A blob written without holding it whole: its length, and a reader that fills each buffer
/// it is given with the next bytes (exactly `buffer.count` of them), from the first on.
package struct BlobStream {
    package var count: Int
    package var read: (UnsafeMutableRawBufferPointer) throws -> Void

    package init(count: Int, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Void) {
        self.count = count
        self.read = read
    }

    /// The bytes of an array.
    package init(_ bytes: [UInt8]) {
        var at = 0
        self.init(count: bytes.count) { buffer in
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[at ..< at + buffer.count]))
            }
            at += buffer.count
        }
    }
}

/// What `forEachAnchors` reads of a row: the anchors, or (rows written before schema 2) the
/// full fingerprint they are taken from.
package struct StoredAnchors: Sendable {
    package var video: IndexedVideo
    package var anchorFrames: [UInt8]?
    package var anchorLandmarks: [UInt8]?
    /// Only when the anchors are missing.
    package var frames: [UInt8]?
    package var landmarks: [UInt8]?
}

/// See `VideoLibrary.streamFingerprint(id:)`.
package final class FingerprintStream {
    package let video: IndexedVideo
    private let frames: BlobReader
    private let landmarks: BlobReader

    init(video: IndexedVideo, frames: BlobReader, landmarks: BlobReader) {
        self.video = video
        self.frames = frames
        self.landmarks = landmarks
    }

    /// Total bytes of the two blobs.
    package var frameBytes: Int { frames.count }
    package var landmarkBytes: Int { landmarks.count }

    /// The next bytes of the frames blob, at most `limit`; empty at its end.
    package func readFrames(upTo limit: Int) throws(StoreError) -> [UInt8] { try frames.read(upTo: limit) }
    /// The next bytes of the landmarks blob, at most `limit`; empty at its end.
    package func readLandmarks(upTo limit: Int) throws(StoreError) -> [UInt8] { try landmarks.read(upTo: limit) }
}

package final class VideoLibrary {
    /// The schema this build reads and writes.
    package static let schemaVersion = 2
    package let path: String
    private let connection: Connection

    /// `$VMATCH_DB`, else `$XDG_DATA_HOME/vmatch/library.sqlite`, else `~/.local/share/vmatch/library.sqlite`.
    package static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["VMATCH_DB"], !path.isEmpty { return path }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return data + "/vmatch/library.sqlite"
    }

    /// The schema of the file as opened (read-only opening never migrates it).
    private var schema = VideoLibrary.schemaVersion
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
        try connection.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON")
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
        let version = try userVersion()
        let tables = try tableNames()
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
    ]

    private func migrate() throws(StoreError) {
        let version = try userVersion()
        guard version < Self.schemaVersion else { return }
        do {
            try connection.transaction {
                // Re-read inside the write lock: another process may have migrated meanwhile.
                let current = try userVersion()
                for step in max(0, current) ..< Self.schemaVersion {
                    try connection.execute(Self.migrations[step])
                }
                try connection.execute("PRAGMA user_version = \(Self.schemaVersion)")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, reason: "\(error)")
        }
    }

    private static let columns = "id, path, size, modified, digest, duration, has_video, has_audio, fingerprint_version, indexed_at"

    private func row(_ s: Statement) -> IndexedVideo {
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

    /// Writes (or replaces, by path) one video and its fingerprint in one transaction.
    @discardableResult
    package func save(_ stored: StoredVideo) throws(StoreError) -> Int64 {
        try save(stored.video, frames: BlobStream(stored.frames), landmarks: BlobStream(stored.landmarks),
                 anchorFrames: stored.anchorFrames.map(BlobStream.init), anchorLandmarks: stored.anchorLandmarks.map(BlobStream.init))
    }

    /// `save(_:)` for blobs that arrive as streams (e.g. spooled to disk while a long file was
    /// fingerprinted): written into place a piece at a time, in the same one transaction.
    @discardableResult
    package func save(_ v: IndexedVideo, frames: BlobStream, landmarks: BlobStream,
                     anchorFrames: BlobStream?, anchorLandmarks: BlobStream?) throws(StoreError) -> Int64 {
        do {
            return try connection.transaction {
                try connection.prepare("DELETE FROM videos WHERE path = ?").run([.text(v.path)])
                let insert = try connection.prepare("""
                    INSERT INTO videos (path, size, modified, digest, duration, has_video, has_audio,
                                        fingerprint_version, indexed_at, frames, landmarks,
                                        anchor_frames, anchor_landmarks)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                try insert.run([.text(v.path), .integer(v.size), .real(v.modified), .text(v.digest),
                                v.duration.map { .real($0) } ?? .null, .integer(v.hasVideo ? 1 : 0),
                                .integer(v.hasAudio ? 1 : 0), .integer(Int64(v.fingerprintVersion)),
                                .real(v.indexedAt), .zeroBlob(frames.count), .zeroBlob(landmarks.count),
                                anchorFrames.map { .zeroBlob($0.count) } ?? .null,
                                anchorLandmarks.map { .zeroBlob($0.count) } ?? .null])
                let id = connection.lastInsertedRow
                for (column, stream) in [("frames", frames), ("landmarks", landmarks),
                                         ("anchor_frames", anchorFrames), ("anchor_landmarks", anchorLandmarks)] {
                    if let stream { try connection.writeBlob(table: "videos", column: column, row: id, from: stream) }
                }
                return id
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, reason: "\(error)")
        }
    }

    /// Records a new modification time for a file whose content did not change.
    package func updateModified(id: Int64, modified: Double) throws(StoreError) {
        try connection.prepare("UPDATE videos SET modified = ? WHERE id = ?").run([.real(modified), .integer(id)])
    }

    /// Removes one video; returns whether it was there.
    @discardableResult
    package func remove(path: String) throws(StoreError) -> Bool {
        let before = try video(path: path)
        try connection.prepare("DELETE FROM videos WHERE path = ?").run([.text(path)])
        return before != nil
    }

    /// Streams every stored fingerprint (one row in memory at a time, apart from what `body` keeps).
    package func forEachFingerprint(_ body: (StoredVideo) throws -> Void) throws {
        let statement = try connection.prepare("SELECT \(Self.columns), frames, landmarks FROM videos ORDER BY id")
        try statement.bind([])
        // One read transaction: a concurrent `index` commit cannot show half of a run.
        let own = try beginReading()
        defer { if own { try? connection.execute("COMMIT") } }
        while try statement.step() {
            try body(StoredVideo(video: row(statement), frames: statement.blob(10), landmarks: statement.blob(11)))
        }
    }

    /// Streams every row's anchors (see `StoredAnchors`), one row in memory at a time.
    package func forEachAnchors(_ body: (StoredAnchors) throws -> Void) throws {
        // Schema 1 (read as it is by a reader) has no anchor columns: the full blobs stand in.
        let statement = try connection.prepare(schema < 2 ? """
            SELECT \(Self.columns), NULL, NULL, frames, landmarks FROM videos ORDER BY id
            """ : """
            SELECT \(Self.columns), anchor_frames, anchor_landmarks,
                   CASE WHEN anchor_frames IS NULL THEN frames END,
                   CASE WHEN anchor_landmarks IS NULL THEN landmarks END
            FROM videos ORDER BY id
            """)
        try statement.bind([])
        let own = try beginReading()
        defer { if own { try? connection.execute("COMMIT") } }
        while try statement.step() {
            let blob: (Int32) -> [UInt8]? = { statement.isNull($0) ? nil : statement.blob($0) }
            try body(StoredAnchors(video: row(statement), anchorFrames: blob(10), anchorLandmarks: blob(11),
                                   frames: blob(12), landmarks: blob(13)))
        }
    }

    /// Opens a read transaction unless one is open; whether it did.
    private func beginReading() throws(StoreError) -> Bool {
        guard !connection.inTransaction else { return false }
        try connection.execute("BEGIN")
        return true
    }

    /// Total bytes of the stored anchor blobs (frames, landmarks): lets a reader reserve memory.
    package func anchorBytes() throws(StoreError) -> (frames: Int, landmarks: Int) {
        guard schema >= 2 else { return (0, 0) }
        let statement = try connection.prepare(
            "SELECT coalesce(sum(length(anchor_frames)), 0), coalesce(sum(length(anchor_landmarks)), 0) FROM videos")
        try statement.bind([])
        return try statement.step() ? (Int(statement.int(0)), Int(statement.int(1))) : (0, 0)
    }

    /// One row's fingerprint blobs as two byte streams (frames, landmarks), read a piece at a time:
    /// for fingerprints too long to hold whole. nil when the row is gone. The streams hold a read
    /// transaction on this library's connection while they live.
    package func streamFingerprint(id: Int64) throws(StoreError) -> FingerprintStream? {
        let statement = try connection.prepare("SELECT \(Self.columns) FROM videos WHERE id = ?")
        try statement.bind([.integer(id)])
        guard try statement.step() else { return nil }
        let video = row(statement)
        return FingerprintStream(video: video,
                                 frames: try BlobReader(connection: connection, table: "videos", column: "frames", row: id),
                                 landmarks: try BlobReader(connection: connection, table: "videos", column: "landmarks", row: id))
    }

    /// One row's full fingerprint by id; nil when it is gone.
    package func fingerprint(id: Int64) throws(StoreError) -> StoredVideo? {
        let statement = try connection.prepare("SELECT \(Self.columns), frames, landmarks FROM videos WHERE id = ?")
        try statement.bind([.integer(id)])
        guard try statement.step() else { return nil }
        return StoredVideo(video: row(statement), frames: statement.blob(10), landmarks: statement.blob(11))
    }
}
