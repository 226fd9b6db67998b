// The built binary as a user runs it: stdout, stderr and exit status checked separately.
import Foundation
import Testing

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The `vmatch` binary next to this test bundle (SwiftPM builds it before the tests).
    static let binary: URL = {
        var url = Bundle.main.bundleURL
        for _ in 0 ..< 4 {
            let candidate = url.appendingPathComponent("vmatch")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            url.deleteLastPathComponent()
        }
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/vmatch")
        return fromSource
    }()

    /// `stdoutPath`: where the child's stdout goes instead (e.g. /dev/full); `stdout` is then empty.
    /// `executable`: another program to run (one that runs vmatch in turn, as a user or shell would).
    /// `directory`: the folder it runs in (default: the test's own).
    static func run(_ arguments: [String], environment: [String: String] = [:], stdoutPath: String? = nil,
                    stderrPath: String? = nil, executable: URL? = nil, directory: URL? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        // Output goes to files: no pipe can fill up and block the child, whatever it prints.
        let stamp = UUID().uuidString
        let outURL = workDirectory.appendingPathComponent("stdout-\(stamp)")
        let errURL = workDirectory.appendingPathComponent("stderr-\(stamp)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: stdoutPath.map { URL(fileURLWithPath: $0) } ?? outURL)
        let err = try FileHandle(forWritingTo: stderrPath.map { URL(fileURLWithPath: $0) } ?? errURL)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static let workDirectory: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vmatch-cli-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    private static let lock = NSLock()

    /// Makes `name` with ffmpeg once per process; tests run in parallel, so files are made under
    /// a lock and appear whole (written under another name, then renamed).
    /// One SQL statement on the library at `db` (through python3's sqlite3, as a user's tool would
    /// reach it), committed; the first column of each row it returns, as text.
    static func sqlite(_ db: String, _ sql: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); rows=c.execute(sys.argv[2]).fetchall(); c.commit(); print('\\n'.join(str(r[0]) for r in rows))", db, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(sql)")
        return text.split(separator: "\n").map(String.init)
    }

    static func ffmpeg(_ name: String, _ arguments: [String]) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let path = workDirectory.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) { return path }
        let partial = workDirectory.appendingPathComponent("partial-" + name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-y"] + arguments + [partial]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return path
    }
}

@Suite struct ProbeCommandTests {
    @Test func probesAVideoAndNamesABrokenFile() throws {
        let clip = try CLI.ffmpeg("probe.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2",
                                                "-c:v", "libx264", "-preset", "ultrafast"])
        let broken = CLI.workDirectory.appendingPathComponent("broken file.mov").path
        try Data("nope".utf8).write(to: URL(fileURLWithPath: broken))

        let result = try CLI.run(["probe", clip, broken])
        #expect(result.status == 2)
        #expect(result.stdout.contains("video      h264 160x90 25 fps yuv420p"))
        #expect(result.stdout.contains("audio      none"))
        #expect(result.stderr == "error: cannot decode '\(broken)': Invalid data found when processing input (avformat_open_input)\n")
    }

    @Test func jsonHasOneObjectPerFile() throws {
        let clip = try CLI.ffmpeg("probe.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2",
                                                "-c:v", "libx264", "-preset", "ultrafast"])
        let result = try CLI.run(["probe", "--json", clip])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        let info = object?["info"] as? [String: Any]
        let video = info?["video"] as? [String: Any]
        #expect(object?["schema"] as? Int == 1)
        #expect(video?["codec"] as? String == "h264")
        #expect(video?["codedWidth"] as? Int == 160)
    }

    /// A file whose record cannot be written (unreadable, or a number JSON cannot hold; see
    /// ProbeRecordTests) gets its failure record in its place, one line on stderr, and the files
    /// after it are still probed.
    @Test func jsonGivesAFailedFileItsErrorRecordAndGoesOn() throws {
        let clip = try CLI.ffmpeg("probe.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2",
                                                "-c:v", "libx264", "-preset", "ultrafast"])
        let broken = CLI.workDirectory.appendingPathComponent("broken json.mov").path
        try Data("nope".utf8).write(to: URL(fileURLWithPath: broken))
        let alone = try CLI.run(["probe", "--json", clip])

        let result = try CLI.run(["probe", "--json", clip, broken, clip])
        #expect(result.status == 2)
        let message = "cannot decode '\(broken)': Invalid data found when processing input (avformat_open_input)"
        #expect(result.stderr == "error: \(message)\n")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[3].isEmpty, "\(result.stdout)")
        #expect(lines[0] + "\n" == alone.stdout && lines[2] == lines[0])
        let failure = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(failure?.count == 3)
        #expect(failure?["error"] as? String == message && failure?["path"] as? String == broken && failure?["schema"] as? Int == 1)
    }

    @Test func usageErrorExitsWith64() throws {
        let result = try CLI.run(["probe"])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Missing expected argument"))
    }
}
