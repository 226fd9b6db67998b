// `vmatch watch` as a user runs it: the real binary in the background over a folder, files
// arriving as downloaders and copies make them, stopped with SIGTERM.
import Foundation
import Testing

/// A running `vmatch watch`, its stdout and stderr in files.
final class RunningWatch {
    let process = Process()
    let out: URL
    let err: URL

    /// `launcher`: a program (and its arguments) that runs vmatch in turn, e.g. `nohup`.
    init(_ arguments: [String], environment: [String: String], directory: URL, launcher: [String] = []) throws {
        out = directory.appendingPathComponent("watch-\(UUID().uuidString).out")
        err = directory.appendingPathComponent("watch-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = launcher.dropFirst() + [CLI.binary.path, "watch"] + arguments
        } else {
            process.executableURL = CLI.binary
            process.arguments = ["watch"] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

    /// Waits (at most `limit` seconds, a bound against a hang, not a speed target) until
    /// `condition` holds; false when it never did.
    func wait(limit: Double = 90, until condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(limit)
        while Date() < end {
            if condition() { return true }
            if !process.isRunning { return condition() }
            usleep(100_000)
        }
        return false
    }

    /// SIGTERM; the exit status, or nil when it did not exit within `limit` seconds (then killed).
    func terminate(limit: Double = 30) -> Int32? { stop(with: SIGTERM, limit: limit) }

    /// Sends `signal`; the exit status (the signal's number when it killed the process: see
    /// `process.terminationReason`), or nil when it did not exit within `limit` seconds (then killed).
    func stop(with signal: Int32, limit: Double = 30) -> Int32? {
        kill(process.processIdentifier, signal)
        let end = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < end { usleep(50_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

@Suite struct WatchTests {
    /// A watched folder, the fixture library indexed into a library of its own (the watch log
    /// lives beside it), and the folder the test runs in.
    static func setUp() throws -> (dir: URL, watched: URL, env: [String: String]) {
        try Fixture.make()
        let dir = CLI.workDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        let watched = dir.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: watched, withIntermediateDirectories: true)
        let env = ["VMATCH_DB": dir.appendingPathComponent("library.sqlite").path]
        let r = try CLI.run(["index", "-q", Fixture.library.path], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, watched, env)
    }

    static func records(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    static func suspects(_ text: String) -> [String] { records(text).compactMap { $0["suspect"] as? String } }

    @Test func aCopiedClipIsCheckedAndABrokenOneNamedWhileTheWatchGoesOn() throws {
        let (dir, watched, env) = try Self.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")

        try Data("not a video".utf8).write(to: watched.appendingPathComponent("broken.mp4"))
        #expect(watch.wait { Self.suspects(watch.stdout).contains("downloads/broken.mp4") }, "\(watch.stderr)")
        #expect(watch.stderr.contains("error: cannot decode '\(watched.path)/broken.mp4': "))

        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("reupload.mp4"), to: watched.appendingPathComponent("reupload.mp4"))
        #expect(watch.wait { Self.suspects(watch.stdout).contains("downloads/reupload.mp4") }, "\(watch.stderr)")
        let record = Self.records(watch.stdout).first { $0["suspect"] as? String == "downloads/reupload.mp4" }
        let matches = record?["matches"] as? [[String: Any]]
        #expect(matches?.first?["reference"] as? String == Fixture.library.appendingPathComponent("talk.mp4").path)

        #expect(watch.terminate() == 0)
        #expect(watch.stderr.hasSuffix("watch: stopped; 2 checked, 1 with reuse, 1 failed\n"), "\(watch.stderr)")
        #expect(Self.suspects(watch.stdout) == ["downloads/broken.mp4", "downloads/reupload.mp4"])
    }

    @Test func aDownloadWrittenSlowlyAsPartIsCheckedOnceAfterItsRename() throws {
        let (dir, watched, env) = try Self.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching") })
        let whole = try Data(contentsOf: Fixture.suspects.appendingPathComponent("reupload.mp4"))
        let part = watched.appendingPathComponent("clip.mp4.part")
        _ = FileManager.default.createFile(atPath: part.path, contents: nil)
        let handle = try FileHandle(forWritingTo: part)
        // Written in pieces over about two seconds, as a download arrives.
        let pieces = 8
        for i in 0 ..< pieces {
            try handle.write(contentsOf: whole[(whole.count * i / pieces) ..< (whole.count * (i + 1) / pieces)])
            usleep(250_000)
        }
        try handle.close()
        usleep(1_000_000)
        #expect(watch.stdout.isEmpty, "a partial download was checked: \(watch.stdout)")
        try FileManager.default.moveItem(at: part, to: watched.appendingPathComponent("clip.mp4"))
        #expect(watch.wait { Self.suspects(watch.stdout).contains("downloads/clip.mp4") }, "\(watch.stderr)")
        usleep(1_500_000)
        #expect(watch.terminate() == 0)
        #expect(Self.suspects(watch.stdout) == ["downloads/clip.mp4"])
    }

    @Test func aRestartChecksOnlyWhatArrivedMeanwhileAndAHookGetsTheRecord() throws {
        let (dir, watched, env) = try Self.setUp()
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("unrelated.mp4"), to: watched.appendingPathComponent("first.mp4"))
        let first = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(first.wait { Self.suspects(first.stdout) == ["downloads/first.mp4"] }, "\(first.stderr)")
        #expect(first.terminate() == 0)

        // While no watch runs: a new clip arrives, the old one is touched but not changed.
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("reupload.mp4"), to: watched.appendingPathComponent("second.mp4"))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: watched.appendingPathComponent("first.mp4").path)

        let hooked = dir.appendingPathComponent("hook.jsonl")
        let second = try RunningWatch(["--json", "--settle", "0.5", "--on-match", "cat >> '\(hooked.path)'; exit 3", "downloads"],
                                      environment: env, directory: dir)
        #expect(second.wait { Self.suspects(second.stdout) == ["downloads/second.mp4"] }, "\(second.stderr)")
        #expect(second.wait { second.stderr.contains("--on-match command for '\(watched.path)/second.mp4' failed: it exited with status 3") }, "\(second.stderr)")
        #expect(second.stderr.contains("1 clip checked before"), "\(second.stderr)")
        // The hook's failure does not stop the watch: the next clip is still checked.
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("unrelated.mp4"), to: watched.appendingPathComponent("third.mp4"))
        #expect(second.wait { Self.suspects(second.stdout).contains("downloads/third.mp4") }, "\(second.stderr)")
        #expect(second.terminate() == 0)
        #expect(Self.suspects(second.stdout) == ["downloads/second.mp4", "downloads/third.mp4"])
        let hook = Self.records(try String(contentsOf: hooked, encoding: .utf8))
        #expect(hook.map { $0["suspect"] as? String } == ["downloads/second.mp4"])
    }

    @Test func referencesIndexedMeanwhileAreUsedWithoutARestart() throws {
        let (dir, watched, env) = try Self.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching") })
        // The unrelated clip becomes a reference; a copy of it arriving now reuses it.
        let more = dir.appendingPathComponent("more")
        try FileManager.default.createDirectory(at: more, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("unrelated.mp4"), to: more.appendingPathComponent("sports.mp4"))
        #expect(try CLI.run(["index", "-q", more.path], environment: env).status == 0)
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("unrelated.mp4"), to: watched.appendingPathComponent("copy.mp4"))
        #expect(watch.wait { Self.suspects(watch.stdout).contains("downloads/copy.mp4") }, "\(watch.stderr)")
        let record = Self.records(watch.stdout).first
        #expect((record?["matches"] as? [[String: Any]])?.first?["reference"] as? String == more.appendingPathComponent("sports.mp4").path)
        #expect(watch.terminate() == 0)
    }

    @Test func aFolderThatCannotBeWatchedIsAnError() throws {
        let (dir, _, env) = try Self.setUp()
        let r = try CLI.run(["watch", "nope"], environment: env, directory: dir)
        #expect(r.status == 2)
        #expect(r.stderr == "error: cannot watch '\(dir.path)/nope': no such file or directory\n")
    }
}
