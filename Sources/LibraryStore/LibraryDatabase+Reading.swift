// Reading fingerprints back: whole rows, every row's anchors (for the candidate index), one row's
// blobs streamed a piece at a time. Libraries of schemas 1 and 2 are read as they are (a reader
// never migrates): their blob columns are mapped to the keys schema 3 stores them under.

extension LibraryDatabase {
    /// What a read takes of each channel.
    enum Selection {
        /// The full tier.
        case full
        /// The anchors tier, or the full one for a channel whose anchors are missing (rows
        /// written before schema 2): the reader takes the anchors from it.
        case anchorsElseFull
    }

    /// Streams every stored fingerprint's full tier (one row in memory at a time, apart from
    /// what `body` keeps).
    package func forEachFingerprint(_ body: (StoredVideo) throws -> Void) throws {
        try forEachStored(.full, body)
    }

    /// Streams every row's anchors (see `Selection.anchorsElseFull`), one row in memory at a time.
    package func forEachAnchors(_ body: (StoredVideo) throws -> Void) throws {
        try forEachStored(.anchorsElseFull, body)
    }

    /// One row's anchors by id (see `Selection.anchorsElseFull`); nil when it is gone.
    package func anchors(id: Int64) throws -> StoredVideo? {
        var found: StoredVideo?
        try forEachStored(.anchorsElseFull, id: id) { found = $0 }
        return found
    }

    /// One row's full fingerprint by id; nil when it is gone.
    package func fingerprint(id: Int64) throws -> StoredVideo? {
        var found: StoredVideo?
        try forEachStored(.full, id: id) { found = $0 }
        return found
    }

    /// Every video in path order, each with a line that changes whenever its stored fingerprint
    /// could have: its blobs' row ids, keys, formats and lengths (`save` writes new rows;
    /// `updateModified` changes none of this). What a cache of the library, such as the candidate
    /// index's file, is checked against. Schema 3 and later; nil for an older library.
    package func contentSummary() throws(StoreError) -> [(video: IndexedVideo, blobs: String)]? {
        guard schema >= 3 else { return nil }
        let videoColumns = Self.columns.split(separator: ", ").map { "v." + $0 }.joined(separator: ", ")
        let statement = try connection.prepare("""
            SELECT \(videoColumns), (SELECT group_concat(line, ',') FROM (
                SELECT f.id || ' ' || f.channel || ' ' || f.tier || ' ' || f.format || ' ' || length(f.data) AS line
                FROM fingerprints f WHERE f.video_id = v.id ORDER BY f.id))
            FROM videos v ORDER BY v.path
            """)
        try statement.bind([])
        var result: [(video: IndexedVideo, blobs: String)] = []
        while try statement.step() { result.append((row(statement), statement.isNull(10) ? "" : statement.text(10))) }
        return result
    }

    /// Total bytes of the stored anchor blobs, by channel: lets a reader reserve memory.
    package func anchorBytes() throws(StoreError) -> [String: Int] {
        var sizes: [String: Int] = [:]
        if schema >= 3 {
            let statement = try connection.prepare(
                "SELECT channel, coalesce(sum(length(data)), 0) FROM fingerprints WHERE tier = 'anchors' GROUP BY channel")
            try statement.bind([])
            while try statement.step() { sizes[statement.text(0)] = Int(statement.int(1)) }
        } else if schema == 2 {
            for (column, key) in Self.legacyColumns where key.tier == .anchors {
                let statement = try connection.prepare("SELECT coalesce(sum(length(\(column))), 0) FROM videos")
                try statement.bind([])
                if try statement.step() { sizes[key.channel] = Int(statement.int(0)) }
            }
        }
        return sizes
    }

    /// One row's full-tier blobs as byte streams, read a piece at a time: for fingerprints too
    /// long to hold whole. nil when the row is gone. The streams hold a read transaction on this
    /// library's connection while they live.
    package func streamFingerprint(id: Int64) throws(StoreError) -> FingerprintStream? {
        let statement = try connection.prepare("SELECT \(Self.columns) FROM videos WHERE id = ?")
        try statement.bind([.integer(id)])
        guard try statement.step() else { return nil }
        let video = row(statement)
        var readers: [String: BlobReader] = [:]
        var formats: [String: Int] = [:]
        if schema >= 3 {
            let blobs = try connection.prepare("SELECT id, channel, format FROM fingerprints WHERE video_id = ? AND tier = 'full'")
            try blobs.bind([.integer(id)])
            var rows: [(Int64, String, Int)] = []
            while try blobs.step() { rows.append((blobs.int(0), blobs.text(1), Int(blobs.int(2)))) }
            for (rowID, channel, format) in rows {
                readers[channel] = try BlobReader(connection: connection, table: "fingerprints", column: "data", row: rowID)
                formats[channel] = format
            }
        } else {
            // As `forEachLegacy` says: the row's fingerprint version.
            for (column, key) in Self.legacyColumns where key.tier == .full {
                readers[key.channel] = try BlobReader(connection: connection, table: "videos", column: column, row: id)
                formats[key.channel] = video.fingerprintVersion
            }
        }
        return FingerprintStream(video: video, readers: readers, formats: formats)
    }

    /// Runs `body` on each row (or the row `id`) with the blobs `selection` takes, in path order,
    /// inside one read transaction: a concurrent `index` commit cannot show half of a run. Path,
    /// not id: `index` numbers rows in the order its parallel workers finish, and a reader that
    /// breaks ties by the order it was given rows (the candidate index) would otherwise answer
    /// differently for the same library indexed twice.
    private func forEachStored(_ selection: Selection, id: Int64? = nil, _ body: (StoredVideo) throws -> Void) throws {
        let own = try beginReading()
        defer { if own { try? connection.execute("COMMIT") } }
        if schema >= 3 {
            try forEachKeyed(selection, id: id, body)
        } else {
            try forEachLegacy(selection, id: id, body)
        }
    }

    /// Schema 3: the videos joined with their blobs, a row per blob, grouped by video.
    private func forEachKeyed(_ selection: Selection, id: Int64?, _ body: (StoredVideo) throws -> Void) throws {
        let condition = switch selection {
        case .full: "f.tier = 'full'"
        case .anchorsElseFull: """
            (f.tier = 'anchors' OR (f.tier = 'full' AND NOT EXISTS (SELECT 1 FROM fingerprints a
                WHERE a.video_id = f.video_id AND a.channel = f.channel AND a.tier = 'anchors')))
            """
        }
        let videoColumns = Self.columns.split(separator: ", ").map { "v." + $0 }.joined(separator: ", ")
        let statement = try connection.prepare("""
            SELECT \(videoColumns), f.channel, f.tier, f.format, f.data
            FROM videos v LEFT JOIN fingerprints f ON f.video_id = v.id AND \(condition)
            \(id == nil ? "" : "WHERE v.id = ?") ORDER BY v.path
            """)
        try statement.bind(id.map { [.integer($0)] } ?? [])
        var current: StoredVideo?
        while try statement.step() {
            let video = row(statement)
            if let done = current, done.video.id != video.id {
                try body(done)
                current = nil
            }
            if current == nil { current = StoredVideo(video: video, blobs: [:]) }
            if !statement.isNull(10), let tier = BlobKey.Tier(rawValue: statement.text(11)) {
                current?.blobs[BlobKey(channel: statement.text(10), tier: tier)] =
                    StoredBlob(format: Int(statement.int(12)), bytes: statement.blob(13))
            }
        }
        if let last = current { try body(last) }
    }

    /// Schemas 1 and 2: the blob columns, under the keys schema 3 gives them.
    private func forEachLegacy(_ selection: Selection, id: Int64?, _ body: (StoredVideo) throws -> Void) throws {
        let full = Self.legacyColumns.filter { $0.key.tier == .full }
        let anchors = Self.legacyColumns.filter { $0.key.tier == .anchors }
        let chosen: [(expression: String, key: BlobKey)] = if selection == .anchorsElseFull && schema == 2 {
            anchors.map { ($0.column, $0.key) } + zip(anchors, full).map { anchor, whole in
                ("CASE WHEN \(anchor.column) IS NULL THEN \(whole.column) END", whole.key)
            }
        } else {
            full.map { ($0.column, $0.key) }
        }
        let statement = try connection.prepare("""
            SELECT \(Self.columns), \(chosen.map(\.expression).joined(separator: ", "))
            FROM videos \(id == nil ? "" : "WHERE id = ?") ORDER BY path
            """)
        try statement.bind(id.map { [.integer($0)] } ?? [])
        while try statement.step() {
            let video = row(statement)
            var stored = StoredVideo(video: video, blobs: [:])
            for (offset, choice) in chosen.enumerated() where !statement.isNull(Int32(10 + offset)) {
                stored.blobs[choice.key] = StoredBlob(format: video.fingerprintVersion, bytes: statement.blob(Int32(10 + offset)))
            }
            try body(stored)
        }
    }

    /// Opens a read transaction unless one is open; whether it did.
    private func beginReading() throws(StoreError) -> Bool {
        guard !connection.inTransaction else { return false }
        try connection.execute("BEGIN")
        return true
    }
}
