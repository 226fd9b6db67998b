import Foundation
@testable import LibraryStore
import Testing

/// Each test gets its own database file.
private func temporaryLibraryPath() -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-store-\(UUID().uuidString)")
    return folder.appendingPathComponent("library.sqlite").path
}

private func entry(_ path: String, frames: [UInt8] = [1, 2, 3], landmarks: [UInt8] = [9]) -> StoredVideo {
    StoredVideo(video: IndexedVideo(id: 0, path: path, size: 100, modified: 1000, digest: "d1", duration: 12.5,
                                    hasVideo: true, hasAudio: false, fingerprintVersion: 1, indexedAt: 5),
                frames: frames, landmarks: landmarks)
}

@Suite struct VideoLibraryTests {
    @Test func savesListsAndReplacesByPath() throws {
        let library = try VideoLibrary(path: temporaryLibraryPath())
        try library.save(entry("/a.mp4"))
        try library.save(entry("/b.mp4"))
        try library.save(entry("/a.mp4", frames: [7, 7]))
        let videos = try library.videos()
        #expect(videos.map(\.path) == ["/a.mp4", "/b.mp4"])
        #expect(videos[0].duration == 12.5 && videos[0].hasVideo && !videos[0].hasAudio)
        var blobs: [String: [UInt8]] = [:]
        try library.forEachFingerprint { blobs[$0.video.path] = $0.frames }
        #expect(blobs == ["/a.mp4": [7, 7], "/b.mp4": [1, 2, 3]])
    }

    @Test func removesAndUpdatesModification() throws {
        let library = try VideoLibrary(path: temporaryLibraryPath())
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
            let library = try VideoLibrary(path: path)
            try library.save(entry("/kept.mp4", frames: [UInt8](repeating: 0xAB, count: 100_000)))
        }
        let reopened = try VideoLibrary(path: path, create: false)
        var size = 0
        try reopened.forEachFingerprint { size = $0.frames.count }
        #expect(size == 100_000)
    }

    @Test func streamedBlobsLandWholeInPiecesAndAFailedStreamLeavesTheRowAsItWas() throws {
        let library = try VideoLibrary(path: temporaryLibraryPath())
        try library.save(entry("/a.mp4", frames: [1], landmarks: [2]))
        // 2.5 MiB: three pieces of the 1 MiB copy buffer, the last one partial.
        let big = (0 ..< (5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var reads = 0
        let frames = BlobStream(count: big.count) { buffer in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: big.withUnsafeBytes { $0 }[reads << 20 ..< (reads << 20) + buffer.count]))
            reads += 1
        }
        try library.save(entry("/a.mp4").video, frames: frames, landmarks: BlobStream([5, 6]),
                         anchorFrames: BlobStream([]), anchorLandmarks: nil)
        #expect(reads == 3)
        var stored: [StoredVideo] = []
        try library.forEachFingerprint { stored.append($0) }
        #expect(stored.count == 1 && stored[0].frames == big && stored[0].landmarks == [5, 6])

        struct Broken: Error {}
        let failing = BlobStream(count: 3 << 20) { _ in throw Broken() }
        #expect(throws: StoreError.self) {
            try library.save(entry("/a.mp4").video, frames: BlobStream([9]), landmarks: failing,
                             anchorFrames: nil, anchorLandmarks: nil)
        }
        stored = []
        try library.forEachFingerprint { stored.append($0) }
        #expect(stored.count == 1 && stored[0].frames == big && stored[0].landmarks == [5, 6])
    }

    @Test func refusesANewerSchemaWithAClearMessage() throws {
        let path = temporaryLibraryPath()
        _ = try VideoLibrary(path: path)
        let raw = try Connection(path: path)
        try raw.execute("PRAGMA user_version = 99")
        #expect {
            _ = try VideoLibrary(path: path)
        } throws: { error in
            "\(error)".contains("written by a newer vmatch (schema 99)")
        }
    }

    @Test func readsAnchorsOrTheFullFingerprintWhereThereAreNone() throws {
        let library = try VideoLibrary(path: temporaryLibraryPath())
        var withAnchors = entry("/new.mp4", frames: [1, 1, 1, 1], landmarks: [2, 2])
        withAnchors.anchorFrames = [1]
        withAnchors.anchorLandmarks = []
        let id = try library.save(withAnchors)
        try library.save(entry("/old.mp4"))
        var rows: [String: StoredAnchors] = [:]
        try library.forEachAnchors { rows[$0.video.path] = $0 }
        #expect(rows["/new.mp4"]?.anchorFrames == [1] && rows["/new.mp4"]?.anchorLandmarks == [])
        #expect(rows["/new.mp4"]?.frames == nil && rows["/new.mp4"]?.landmarks == nil)
        #expect(rows["/old.mp4"]?.anchorFrames == nil && rows["/old.mp4"]?.frames == [1, 2, 3] && rows["/old.mp4"]?.landmarks == [9])
        let full = try #require(try library.fingerprint(id: id))
        #expect(full.video.path == "/new.mp4" && full.frames == [1, 1, 1, 1] && full.landmarks == [2, 2])
        #expect(try library.fingerprint(id: id + 100) == nil)
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
        let library = try VideoLibrary(path: path, create: false)
        var rows: [StoredAnchors] = []
        try library.forEachAnchors { rows.append($0) }
        #expect(rows.count == 1 && rows[0].video.path == "/v1.mp4" && rows[0].frames == [1, 2] && rows[0].landmarks == [3])
        #expect(rows[0].anchorFrames == nil)
        try library.save(entry("/v2.mp4"))
        #expect(try library.videos().map(\.path) == ["/v1.mp4", "/v2.mp4"])
    }

    @Test func missingLibraryIsNotCreatedWhenAskedNotTo() throws {
        let path = temporaryLibraryPath()
        #expect(throws: StoreError.self) { _ = try VideoLibrary(path: path, create: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func defaultPathFollowsEnvironment() {
        #expect(VideoLibrary.defaultPath(environment: ["VMATCH_DB": "/x/lib.sqlite"]) == "/x/lib.sqlite")
        #expect(VideoLibrary.defaultPath(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"]) == "/data/vmatch/library.sqlite")
        #expect(VideoLibrary.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/vmatch/library.sqlite")
    }
}
