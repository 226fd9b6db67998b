// A clip replaced or removed while it is checked (issue 35, item 1): the record must be of one
// state of the file, never the old file's matches beside the new file's digest and time.
import Foundation
import LibraryStore
@testable import Pipeline
import Report
import Testing

@Suite struct SuspectCheckerTests {
    /// A folder with two small clips of different lengths (2 s and 3 s), made by ffmpeg, and an
    /// empty library.
    static func setUp() throws -> (folder: URL, first: URL, second: URL, library: LoadedReferences) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-checker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func make(_ name: String, _ source: String) throws -> URL {
            let url = folder.appendingPathComponent(name)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            process.arguments = ["-v", "error", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", url.path]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return url
        }
        let first = try make("first.mp4", "testsrc2=size=160x90:rate=25:duration=2")
        let second = try make("second.mp4", "testsrc=size=160x90:rate=25:duration=3")
        let path = folder.appendingPathComponent("library.sqlite").path
        _ = try LibraryDatabase(path: path)
        return (folder, first, second, try LoadedReferences(path: path))
    }

    /// Runs the checker on `clip`, with `hook` between fingerprint and digest.
    static func check(_ clip: URL, against library: LoadedReferences, hook: @escaping @Sendable (String, Int) -> Void) -> SuspectResult? {
        var checker = SuspectChecker(jobs: 1)
        checker.afterFingerprint = hook
        nonisolated(unsafe) var got: SuspectResult?
        checker.run(files: [clip.path], against: library) { got = $0; return true }
        return got
    }

    @Test func aSuspectsKeypointsAreMadeOnlyWhenTheLibraryHoldsSome() throws {
        let (folder, first, _, empty) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        var wanted = FingerprintOptions(role: .suspect)
        wanted.keypoints = true
        // An empty library (or one indexed with the keypoints off) has none to match.
        #expect(!SuspectChecker.options(wanted, against: empty.index).keypoints)
        let path = folder.appendingPathComponent("keypoints.sqlite").path
        var indexing = FingerprintOptions(role: .reference)
        indexing.keypoints = true
        let summary = try LibraryIndexer(jobs: 1, options: indexing).run(paths: [first.path], library: try Library(path: path, create: true))
        #expect(summary.indexed == [first.path])
        let library = try LoadedReferences(path: path)
        #expect(library.index.keypointCount > 0)
        #expect(SuspectChecker.options(wanted, against: library.index).keypoints)
        // Switched off stays off.
        wanted.keypoints = false
        #expect(!SuspectChecker.options(wanted, against: library.index).keypoints)
    }

    @Test func aClipReplacedDuringItsCheckIsCheckedAgainAndTheRecordSaysSo() throws {
        let (folder, first, second, library) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("clip.mp4")
        try FileManager.default.copyItem(at: first, to: clip)
        let replacement = folder.appendingPathComponent("replacement.mp4")
        try FileManager.default.copyItem(at: second, to: replacement)
        // A download fetched again under the same name, renamed over the clip once it is fingerprinted.
        let result = try #require(Self.check(clip, against: library) { path, attempt in
            if attempt == 0 { _ = rename(replacement.path, path) }
        })
        #expect(result.error == nil, "\(result.error ?? "")")
        let digest = try SHA256.hex(ofFileAt: second.path)
        #expect(result.sha256 == digest)
        // The duration (and matches) are of the same bytes as the digest: the 3 s clip.
        #expect(abs((result.duration ?? 0) - 3) < 0.2, "\(result.duration ?? -1)")
        #expect(result.changedDuringCheck == "it was replaced by another file")
        let report = result.report(suspect: "clip.mp4", vmatchVersion: "test")
        #expect(try report.jsonLine().contains(#""changed_during_check":"it was replaced by another file""#))
        #expect(report.warnings == ["'clip.mp4' changed while it was checked (it was replaced by another file); checked again, this record is of the file as it is now"])
        #expect(report.text().contains("\n  changed during the check (it was replaced by another file); checked again"))
    }

    @Test func aPlainCheckRecordHasNoChangeField() throws {
        let (folder, first, _, library) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try #require(Self.check(first, against: library) { _, _ in })
        #expect(result.error == nil && result.changedDuringCheck == nil)
        #expect(result.sha256 == (try SHA256.hex(ofFileAt: first.path)))
        #expect(try !result.report(suspect: "first.mp4", vmatchVersion: "test").jsonLine().contains("changed_during_check"))
        #expect(result.report(suspect: "first.mp4", vmatchVersion: "test").warnings.isEmpty)
    }

    @Test func aClipRemovedDuringItsCheckGetsAnErrorNotARecordWithoutADigest() throws {
        let (folder, first, _, library) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("clip.mp4")
        try FileManager.default.copyItem(at: first, to: clip)
        let result = try #require(Self.check(clip, against: library) { path, _ in _ = unlink(path) })
        #expect(result.error == "cannot check '\(clip.path)': it was removed while it was checked")
        #expect(result.matches.isEmpty && result.sha256 == nil && result.duration == nil)
    }

    @Test func aClipThatKeepsChangingGetsAnErrorAfterTwoChecksMore() throws {
        let (folder, first, _, library) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("clip.mp4")
        try FileManager.default.copyItem(at: first, to: clip)
        let attempts = Locked([Int]())
        // Written to during every check (a recorder still appending).
        let result = try #require(Self.check(clip, against: library) { path, attempt in
            attempts.withLock { $0.append(attempt) }
            let handle = FileHandle(forWritingAtPath: path)!
            handle.seekToEndOfFile()
            handle.write(Data([0]))
            try? handle.close()
        })
        #expect(attempts.withLock { $0 } == [0, 1, 2])
        #expect(result.error == "cannot check '\(clip.path)': it kept changing while it was checked (its size changed from \(try FileManager.default.attributesOfItem(atPath: first.path)[.size] as! Int + 2) to \(try FileManager.default.attributesOfItem(atPath: first.path)[.size] as! Int + 3) bytes); it is checked when it stays unchanged")
        #expect(result.sha256 == nil && result.matches.isEmpty)
    }
}
