// Several writers creating the same new library at once (issue 35, item 6): each one opens it,
// sets it up and saves, none fails with "database is locked".
import Foundation
@testable import LibraryStore
import Testing

@Suite struct LibraryCreationTests {
    /// Runs `body` on `count` threads released together; the errors they threw.
    private static func together(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let errors = NSLock()
        nonisolated(unsafe) var messages: [String] = []
        for i in 0 ..< count {
            done.enter()
            Thread {
                start.wait()
                do { try body(i) } catch {
                    errors.lock()
                    messages.append("\(error)")
                    errors.unlock()
                }
                done.leave()
            }.start()
        }
        for _ in 0 ..< count { start.signal() }
        done.wait()
        return messages
    }

    @Test func writersCreatingOneNewLibraryAtOnceAllWaitForTheLockAndLand() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-store-\(UUID().uuidString)")
        // The race is narrow (both must have read the empty file before either switches it to
        // WAL), so it is run many times over.
        for round in 0 ..< 150 {
            let path = folder.appendingPathComponent("library-\(round).sqlite").path
            let writers = 3
            let errors = Self.together(writers) { i in
                let library = try LibraryDatabase(path: path)
                try library.save(StoredVideo(
                    video: IndexedVideo(id: 0, path: "/video-\(i).mp4", size: 100, modified: 1000, digest: "d\(i)", duration: 1,
                                        hasVideo: true, hasAudio: false, fingerprintVersion: 1, indexedAt: 5),
                    blobs: [BlobKey(channel: "picture-hashes", tier: .full): StoredBlob(format: 1, bytes: [UInt8(i)])]))
            }
            #expect(errors.isEmpty, "round \(round): \(errors)")
            let paths = try LibraryDatabase(readingAt: path).videos().map(\.path)
            #expect(paths == (0 ..< writers).map { "/video-\($0).mp4" }, "round \(round)")
            if !errors.isEmpty { break }
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
