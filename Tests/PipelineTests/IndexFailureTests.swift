// `index` reports each failure as a value (issue 34): its kind, the path and the line people
// read, so that the command line never tells kinds apart by their words.
import Foundation
@testable import LibraryStore
import Media
@testable import Pipeline
import Testing

@Suite struct IndexFailureTests {
    /// A fresh folder of its own.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-index-failure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A 1 s clip made by ffmpeg.
    static func clip(_ url: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=1",
                             "-c:v", "libx264", "-pix_fmt", "yuv420p", url.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func aFileOfTheSameSizeAndTimeIsUnchangedWithoutReadingIt() throws {
        // Times whose nanoseconds Foundation's Date does not carry exactly: the plan compared a
        // Date-made time with the stat-made one the store keeps, so such a file was read whole for
        // its digest on the next run. Other bytes of the same size, the same time to the
        // nanosecond: unchanged, by size and time alone, as for any file.
        let folder = try Self.folder()
        let file = folder.appendingPathComponent("a.mp4")
        try Self.clip(file)
        var times = [timespec(tv_sec: 1_796_584_852, tv_nsec: 174_256_640), timespec(tv_sec: 1_796_584_852, tv_nsec: 174_256_640)]
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        let library = try Library(path: folder.appendingPathComponent("library.sqlite").path, create: true)
        var options = FingerprintOptions(role: .reference)
        options.keypoints = false
        let first = try LibraryIndexer(jobs: 1, options: options).run(paths: [file.path], library: library)
        #expect(first.indexed == [file.path])
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: file)
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        let second = try LibraryIndexer(jobs: 1, options: options).run(paths: [file.path], library: library)
        #expect(second.unchanged == [file.path] && second.indexed.isEmpty, "\(second)")
    }

    @Test func eachErrorOfAFileBecomesItsKind() {
        let path = "/v/clip.mp4"
        let full = IndexFailure.fingerprinting(path, SpoolError(description: "cannot write a scratch file in '/v': No space left on device", code: ENOSPC))
        #expect(full == IndexFailure(.diskFull, path: path, message: "cannot write a scratch file in '/v': No space left on device"))
        #expect(full.stopsTheRun)
        let scratch = IndexFailure.fingerprinting(path, SpoolError(description: "cannot create a scratch file in '/v': Permission denied", code: EACCES))
        #expect(scratch.kind == .scratchFileFailed && !scratch.stopsTheRun)
        let media = MediaError(.decode, path: path, reason: "Invalid data found when processing input", function: "avcodec_send_packet")
        #expect(IndexFailure.fingerprinting(path, media) == IndexFailure(.unreadableMedia, path: path, message: media.description))
        let changed = IndexFailure.fingerprinting(path, FileIdentityError(reason: "it was written to while it was being indexed"))
        #expect(changed == IndexFailure(.changedWhileIndexing, path: path,
                                        message: "cannot index '\(path)': it was written to while it was being indexed"))
        let unread = IndexFailure.fingerprinting(path, CocoaError(.fileReadNoSuchFile))
        #expect(unread.kind == .unreadable && unread.message.hasPrefix("cannot index '\(path)': "))
        #expect(IndexFailure(.storeWriteFailed, path: path, message: "x").stopsTheRun)
    }

    @Test func aNonMediaFileThatDoesNotOpenIsNotAFailure() {
        let open = MediaError(.open, path: "/v/notes.txt", reason: "Invalid data found when processing input")
        #expect(LibraryIndexer.isNotMedia(open, path: "/v/notes.txt"))
        #expect(LibraryIndexer.isNotMedia(open, path: "/v/README"))
        #expect(!LibraryIndexer.isNotMedia(open, path: "/v/clip.mp4"))
        #expect(LibraryIndexer.isNotMedia(MediaError(.notMedia, path: "/v/clip.mp4", reason: "x"), path: "/v/clip.mp4"))
        #expect(!LibraryIndexer.isNotMedia(FileIdentityError(reason: "x"), path: "/v/notes.txt"))
    }

    @Test func aRunReportsTheMissingTheEmptyAndTheUndecodableByKind() throws {
        let folder = try Self.folder()
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let broken = folder.appendingPathComponent("broken.mp4")
        try Data((0 ..< 4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: broken)
        let missing = folder.appendingPathComponent("missing.mp4").path
        let library = try Library(path: folder.appendingPathComponent("library.sqlite").path, create: true)
        let summary = try LibraryIndexer(jobs: 1).run(paths: [missing, empty.path, broken.path], library: library)
        #expect(summary.failed.count == 3)
        let kinds = Dictionary(summary.failed.map { ($0.path, $0.kind) }, uniquingKeysWith: { a, _ in a })
        #expect(kinds == [missing: .unreadable, empty.path: .nothingToIndex, broken.path: .unreadableMedia])
        #expect(summary.failed.first { $0.path == empty.path }?.message == "cannot index '\(empty.path)': the folder holds no files")
        #expect(summary.failed.first { $0.path == broken.path }?.message.hasPrefix("cannot decode '\(broken.path)': ") == true)
        #expect(summary.stoppedBy == nil && summary.notStarted.isEmpty && summary.indexed.isEmpty)
    }

    @Test func aLibraryThatRefusesTheWriteStopsTheRunWithAStoreWriteFailure() throws {
        let folder = try Self.folder()
        let first = folder.appendingPathComponent("a.mp4"), second = folder.appendingPathComponent("b.mp4")
        try Self.clip(first)
        try Self.clip(second)
        let library = try Library(path: folder.appendingPathComponent("library.sqlite").path, create: true)
        try library.store.connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON videos BEGIN SELECT RAISE(ABORT, 'refused'); END")
        let summary = try LibraryIndexer(jobs: 1).run(paths: [first.path, second.path], library: library)
        let failure = try #require(summary.failed.first)
        #expect(summary.failed.count == 1)
        #expect(failure.kind == .storeWriteFailed && failure.path == first.path)
        #expect(failure.message.hasPrefix("cannot use library '\(library.path)': refused"))
        #expect(summary.stoppedBy == failure)
        #expect(summary.notStarted == [second.path])
    }
}
