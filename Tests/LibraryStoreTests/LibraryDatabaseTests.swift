import Foundation
@testable import LibraryStore
import Testing

/// Each test gets its own database file.
private func temporaryLibraryPath() -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-store-\(UUID().uuidString)")
    return folder.appendingPathComponent("library.sqlite").path
}

private let pictureFull = BlobKey(channel: "picture-hashes", tier: .full)
private let soundFull = BlobKey(channel: "sound-landmarks", tier: .full)
private let pictureAnchors = BlobKey(channel: "picture-hashes", tier: .anchors)
private let soundAnchors = BlobKey(channel: "sound-landmarks", tier: .anchors)

private func entry(_ path: String, frames: [UInt8] = [1, 2, 3], landmarks: [UInt8] = [9]) -> StoredVideo {
    StoredVideo(video: IndexedVideo(id: 0, path: path, size: 100, modified: 1000, digest: "d1", duration: 12.5,
                                    hasVideo: true, hasAudio: false, fingerprintVersion: 1, indexedAt: 5),
                blobs: [pictureFull: StoredBlob(format: 1, bytes: frames), soundFull: StoredBlob(format: 1, bytes: landmarks)])
}

private func write(_ key: BlobKey, _ bytes: [UInt8], format: Int = 1) -> BlobWrite {
    BlobWrite(key: key, format: format, stream: BlobStream(bytes))
}

@Suite struct LibraryDatabaseTests {
    @Test func savesListsAndReplacesByPath() throws {
        let library = try LibraryDatabase(path: temporaryLibraryPath())
        try library.save(entry("/a.mp4"))
        try library.save(entry("/b.mp4"))
        try library.save(entry("/a.mp4", frames: [7, 7]))
        let videos = try library.videos()
        #expect(videos.map(\.path) == ["/a.mp4", "/b.mp4"])
        #expect(videos[0].duration == 12.5 && videos[0].hasVideo && !videos[0].hasAudio)
        var blobs: [String: [UInt8]] = [:]
        try library.forEachFingerprint { blobs[$0.video.path] = $0.bytes("picture-hashes") }
        #expect(blobs == ["/a.mp4": [7, 7], "/b.mp4": [1, 2, 3]])
    }

    @Test func removesAndUpdatesModification() throws {
        let library = try LibraryDatabase(path: temporaryLibraryPath())
        let id = try library.save(entry("/a.mp4"))
        try library.updateModified(id: id, modified: 2000)
        #expect(try library.video(path: "/a.mp4")?.modified == 2000)
        #expect(try library.remove(path: "/a.mp4"))
        #expect(try !library.remove(path: "/a.mp4"))
        #expect(try library.videos().isEmpty)
    }

    @Test func reopensWhatWasWritten() throws {
        let path = temporaryLibraryPath()
        do {
            let library = try LibraryDatabase(path: path)
            try library.save(entry("/kept.mp4", frames: [UInt8](repeating: 0xAB, count: 100_000)))
        }
        let reopened = try LibraryDatabase(path: path, create: false)
        var size = 0
        try reopened.forEachFingerprint { size = $0.bytes("picture-hashes")?.count ?? -1 }
        #expect(size == 100_000)
    }

    @Test func streamedBlobsLandWholeInPiecesAndAFailedStreamLeavesTheRowAsItWas() throws {
        let library = try LibraryDatabase(path: temporaryLibraryPath())
        try library.save(entry("/a.mp4", frames: [1], landmarks: [2]))
        // 2.5 MiB: three pieces of the 1 MiB copy buffer, the last one partial.
        let big = (0 ..< (5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var reads = 0
        let frames = BlobStream(count: big.count) { buffer in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: big.withUnsafeBytes { $0 }[reads << 20 ..< (reads << 20) + buffer.count]))
            reads += 1
        }
        try library.save(entry("/a.mp4").video, blobs: [BlobWrite(key: pictureFull, format: 1, stream: frames),
                                                         write(soundFull, [5, 6]), write(pictureAnchors, [])])
        #expect(reads == 3)
        var stored: [StoredVideo] = []
        try library.forEachFingerprint { stored.append($0) }
        #expect(stored.count == 1 && stored[0].bytes("picture-hashes") == big && stored[0].bytes("sound-landmarks") == [5, 6])

        struct Broken: Error {}
        let failing = BlobStream(count: 3 << 20) { _ in throw Broken() }
        #expect(throws: StoreError.self) {
            try library.save(entry("/a.mp4").video, blobs: [write(pictureFull, [9]),
                                                             BlobWrite(key: soundFull, format: 1, stream: failing)])
        }
        stored = []
        try library.forEachFingerprint { stored.append($0) }
        #expect(stored.count == 1 && stored[0].bytes("picture-hashes") == big && stored[0].bytes("sound-landmarks") == [5, 6])
    }

    /// Issue 29: `index` tells an empty blob of one format from another's without reading blobs.
    @Test func storedChannelsGiveEachFullBlobsFormatAndLength() throws {
        let library = try LibraryDatabase(path: temporaryLibraryPath())
        let keypoints = BlobKey(channel: "keypoints", tier: .full)
        let id = try library.save(entry("/a.mp4").video, blobs: [write(pictureFull, [1, 2, 3]), write(pictureAnchors, [1]),
                                                                  write(keypoints, [], format: 2)])
        #expect(try library.storedChannels(id: id) == ["picture-hashes": BlobSummary(format: 1, count: 3),
                                                      "keypoints": BlobSummary(format: 2, count: 0)])
    }

    @Test func refusesANewerSchemaWithAClearMessage() throws {
        let path = temporaryLibraryPath()
        _ = try LibraryDatabase(path: path)
        let raw = try Connection(path: path)
        try raw.execute("PRAGMA user_version = 99")
        #expect {
            _ = try LibraryDatabase(path: path)
        } throws: { error in
            "\(error)".contains("written by a newer vmatch (schema 99)")
        }
    }

    @Test func readsAnchorsOrTheFullFingerprintWhereThereAreNone() throws {
        let library = try LibraryDatabase(path: temporaryLibraryPath())
        var withAnchors = entry("/new.mp4", frames: [1, 1, 1, 1], landmarks: [2, 2])
        withAnchors.blobs[pictureAnchors] = StoredBlob(format: 1, bytes: [1])
        withAnchors.blobs[soundAnchors] = StoredBlob(format: 1, bytes: [])
        let id = try library.save(withAnchors)
        try library.save(entry("/old.mp4"))
        var rows: [String: StoredVideo] = [:]
        try library.forEachAnchors { rows[$0.video.path] = $0 }
        #expect(rows["/new.mp4"]?.blobs == [pictureAnchors: StoredBlob(format: 1, bytes: [1]), soundAnchors: StoredBlob(format: 1, bytes: [])])
        #expect(rows["/old.mp4"]?.blobs == [pictureFull: StoredBlob(format: 1, bytes: [1, 2, 3]), soundFull: StoredBlob(format: 1, bytes: [9])])
        let full = try #require(try library.fingerprint(id: id))
        #expect(full.video.path == "/new.mp4" && full.blobs == [pictureFull: StoredBlob(format: 1, bytes: [1, 1, 1, 1]),
                                                                 soundFull: StoredBlob(format: 1, bytes: [2, 2])])
        #expect(try library.fingerprint(id: id + 100) == nil)
        #expect(try library.anchorBytes() == ["picture-hashes": 1, "sound-landmarks": 0])
        let stream = try #require(try library.streamFingerprint(id: id))
        #expect(stream.count("picture-hashes") == 4 && stream.count("keypoints") == 0)
        #expect(stream.format("picture-hashes") == 1 && stream.format("keypoints") == nil)
        #expect(try stream.read("picture-hashes", upTo: 3) == [1, 1, 1] && stream.read("picture-hashes", upTo: 3) == [1])
        #expect(try stream.read("picture-hashes", upTo: 3) == [] && stream.read("keypoints", upTo: 3) == [])
    }

    @Test func videosAreReadInPathOrderWhateverOrderTheyWereWrittenIn() throws {
        // `index` writes rows in the order its workers finish; the candidate index breaks ties
        // by the order it is given references, so that order must follow from the content.
        let paths = ["/lib/c.mp4", "/lib/a.mp4", "/lib/sub/b.mp4", "/lib/b.mp4"]
        var seen: [[String]] = []
        for order in [paths, paths.reversed()] {
            let library = try LibraryDatabase(path: temporaryLibraryPath())
            for p in order { try library.save(entry(p)) }
            var anchors: [String] = [], full: [String] = []
            try library.forEachAnchors { anchors.append($0.video.path) }
            try library.forEachFingerprint { full.append($0.video.path) }
            #expect(anchors == full)
            seen.append(anchors)
        }
        #expect(seen[0] == paths.sorted() && seen[1] == paths.sorted())
    }

    @Test func aChannelIsRowsNotColumnsAndLeavesWithItsVideo() throws {
        let library = try LibraryDatabase(path: temporaryLibraryPath())
        let keypoints = BlobKey(channel: "keypoints", tier: .full)
        var video = entry("/a.mp4")
        video.blobs[keypoints] = StoredBlob(format: 7, bytes: [4, 5, 6])
        let id = try library.save(video)
        #expect(try library.fingerprint(id: id)?.blobs[keypoints] == StoredBlob(format: 7, bytes: [4, 5, 6]))
        // Replaced by path: the old blobs go with the old row.
        try library.save(entry("/a.mp4"))
        var rows: [StoredVideo] = []
        try library.forEachFingerprint { rows.append($0) }
        #expect(rows.count == 1 && rows[0].blobs[keypoints] == nil && rows[0].blobs.count == 2)
        #expect(try library.remove(path: "/a.mp4"))
        let raw = try Connection(path: library.path)
        let count = try raw.prepare("SELECT count(*) FROM fingerprints")
        try count.bind([])
        #expect(try count.step() && count.int(0) == 0)
    }

    /// A library written by the release before schema 3 (`Tests/Fixtures/library-schema2.sqlite`:
    /// two clips indexed by vmatch 0.1.0 at main 2a13354) reads the same read-only as it is, and
    /// after a writer migrates it: every blob of every row, byte for byte.
    @Test func aSchemaTwoLibraryFromTheLastReleaseMigratesKeepingEveryBlob() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/library-schema2.sqlite")
        let path = temporaryLibraryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.path, toPath: path)

        func everything(_ library: LibraryDatabase) throws -> (videos: [IndexedVideo], full: [Int64: [BlobKey: StoredBlob]],
                                                          anchors: [Int64: [BlobKey: StoredBlob]], streamed: [Int64: [UInt8]]) {
            var full: [Int64: [BlobKey: StoredBlob]] = [:], anchors: [Int64: [BlobKey: StoredBlob]] = [:], streamed: [Int64: [UInt8]] = [:]
            try library.forEachFingerprint { full[$0.video.id] = $0.blobs }
            try library.forEachAnchors { anchors[$0.video.id] = $0.blobs }
            for video in try library.videos() {
                let stream = try #require(try library.streamFingerprint(id: video.id))
                streamed[video.id] = try stream.read("sound-landmarks", upTo: 1 << 20)
            }
            return (try library.videos(), full, anchors, streamed)
        }
        let before = try everything(try LibraryDatabase(readingAt: path))
        #expect(before.videos.count == 2 && before.full.values.allSatisfy { $0.count == 2 } && before.anchors.values.allSatisfy { $0.count == 2 })
        #expect(before.anchors.values.allSatisfy { $0.keys.allSatisfy { $0.tier == .anchors } })
        #expect(try LibraryDatabase(readingAt: path).anchorBytes() == ["picture-hashes": 840, "sound-landmarks": 2562])

        let writer = try LibraryDatabase(path: path, create: false)
        #expect(writer.upgradedFrom == 2)
        let after = try everything(writer)
        #expect(after.videos == before.videos && after.full == before.full && after.anchors == before.anchors && after.streamed == before.streamed)
        #expect(try writer.anchorBytes() == ["picture-hashes": 840, "sound-landmarks": 2562])
        #expect(try LibraryDatabase(path: path, create: false).upgradedFrom == nil)
        // The old columns are gone: the blobs live in one place only.
        let raw = try Connection(path: path)
        let columns = try raw.prepare("SELECT name FROM pragma_table_info('videos')")
        try columns.bind([])
        var names: [String] = []
        while try columns.step() { names.append(columns.text(0)) }
        #expect(!names.contains("frames") && !names.contains("anchor_landmarks") && names.contains("digest"))
    }

    @Test func migratesASchemaOneLibraryKeepingItsRows() throws {
        let path = temporaryLibraryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let raw = try Connection(path: path)
            try raw.execute("""
                CREATE TABLE videos (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
                    modified REAL NOT NULL, digest TEXT NOT NULL, duration REAL, has_video INTEGER NOT NULL,
                    has_audio INTEGER NOT NULL, fingerprint_version INTEGER NOT NULL, indexed_at REAL NOT NULL,
                    frames BLOB NOT NULL, landmarks BLOB NOT NULL);
                INSERT INTO videos VALUES (1, '/v1.mp4', 10, 20, 'd', 3.5, 1, 1, 1, 30, x'0102', x'03');
                PRAGMA user_version = 1;
                """)
        }
        let library = try LibraryDatabase(path: path, create: false)
        #expect(library.upgradedFrom == 1)
        var rows: [StoredVideo] = []
        try library.forEachAnchors { rows.append($0) }
        #expect(rows.count == 1 && rows[0].video.path == "/v1.mp4" && rows[0].blobs == [pictureFull: StoredBlob(format: 1, bytes: [1, 2]),
                                                                                        soundFull: StoredBlob(format: 1, bytes: [3])])
        try library.save(entry("/v2.mp4"))
        #expect(try library.videos().map(\.path) == ["/v1.mp4", "/v2.mp4"])
    }

    @Test func missingLibraryIsNotCreatedWhenAskedNotTo() throws {
        let path = temporaryLibraryPath()
        #expect(throws: StoreError.self) { _ = try LibraryDatabase(path: path, create: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func defaultPathFollowsEnvironment() {
        #expect(LibraryDatabase.defaultPath(environment: ["VMATCH_DB": "/x/lib.sqlite"]) == "/x/lib.sqlite")
        #expect(LibraryDatabase.defaultPath(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"]) == "/data/vmatch/library.sqlite")
        #expect(LibraryDatabase.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/vmatch/library.sqlite")
    }
}
