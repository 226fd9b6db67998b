// compare over many clips: --resume, a killed batch, the summary; --html evidence reports.
import Foundation
import Testing

@Suite struct BatchAndEvidenceTests {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: [String: String]?

    /// The fixture library, indexed once for these tests (they only read it).
    static func indexedLibrary() throws -> [String: String] {
        try Fixture.make()
        lock.lock()
        defer { lock.unlock() }
        if let shared { return shared }
        let env = ["VMATCH_DB": Fixture.database()]
        let r = try CLI.run(["index", "--quiet", Fixture.library.path], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        shared = env
        return env
    }

    /// A fresh folder holding copies of the fixture's suspects under the names given.
    static func folder(_ names: [String: String]) throws -> URL {
        let url = CLI.workDirectory.appendingPathComponent("batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, source) in names {
            try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent(source), to: url.appendingPathComponent(name))
        }
        return url
    }

    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// A record with its `checked_at` (the one field that differs between two checks of the same
    /// clip) blanked; everything else must be the same.
    static func timeless(_ line: String) -> String {
        line.replacingOccurrences(of: #""checked_at":"[^"]*""#, with: #""checked_at":"""#, options: .regularExpression)
    }

    @Test func theEvidenceReportShowsAHostileNameEscapedWithPictures() throws {
        let env = try Self.indexedLibrary()
        let name = "<b>&\"'ünï中.mp4"
        let dir = try Self.folder([name: "reupload.mp4", "plain.mp4": "unrelated.mp4"])
        let html = dir.appendingPathComponent("report.html")
        let r = try CLI.run(["compare", "--html", html.path, dir.path], environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        let page = try String(contentsOf: html, encoding: .utf8)
        let escaped = "&lt;b&gt;&amp;&quot;&#39;ünï中.mp4"
        #expect(page.contains("<h2>1. \(escaped)</h2>"))
        #expect(!page.contains(name))
        #expect(!page.contains("<b>"))
        #expect(page.contains("Reuses talk.mp4"))
        #expect(page.components(separatedBy: "PDQ distance ").count - 1 == 3)
        #expect(page.contains("No reuse of the library’s videos found."))
        // Suspect and reference pictures at the start, middle and end of the reused passage (8 s);
        // JPEG bytes begin FF D8 FF ("/9j/").
        let uris = page.components(separatedBy: "src=\"data:image/jpeg;base64,").dropFirst()
        #expect(uris.count == 8)  // and the passage's two spectrograms
        for uri in uris {
            let base64 = String(uri.prefix { $0 != "\"" })
            let bytes = try #require(Data(base64Encoded: base64))
            #expect(bytes.prefix(3) == Data([0xFF, 0xD8, 0xFF]) && bytes.count > 2000)
        }
        // The file's identity, from the file itself.
        let sha = try EvidenceTests.sha256(dir.appendingPathComponent(name).path)
        #expect(page.contains(sha))
        #expect(!page.contains("<script"))
    }

    @Test func resumeSkipsClipsAlreadyInTheOutput() throws {
        let env = try Self.indexedLibrary()
        let dir = try Self.folder(["a.mp4": "reupload.mp4", "b.mp4": "unrelated.mp4"])
        let out = dir.appendingPathComponent("out.jsonl")
        var r = try CLI.run(["compare", "--json", "-o", out.path, dir.appendingPathComponent("a.mp4").path], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr == "compare: 1 checked, 1 with reuse, 0 failed\n")
        // A line cut off by a killed run is dropped, and that clip is checked again.
        let handle = try FileHandle(forWritingTo: out)
        handle.seekToEndOfFile()
        handle.write(Data("{\"schema\": 1, \"suspect\": \"".utf8))
        try handle.close()

        r = try CLI.run(["compare", "--json", "-o", out.path, "--resume", dir.path], environment: env)
        // Reuse was found in the batch (by the earlier run), so the status says so.
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        // The cut-off line is removed, and said so.
        #expect(r.stderr == "compare: removed the cut-off last line of '\(out.path)'; that clip is checked again\n"
                + "compare: 1 checked, 0 with reuse, 0 failed, 1 already in \(out.path)\n")
        let lines = try Self.lines(out)
        #expect(lines.count == 2)
        let suspects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }.map { $0["suspect"] as! String }
        #expect(suspects.map { ($0 as NSString).lastPathComponent } == ["a.mp4", "b.mp4"])

        // All done: nothing checked, nothing written.
        r = try CLI.run(["compare", "--json", "-o", out.path, "--resume", "--quiet", dir.path], environment: env)
        #expect(r.status == 1 && r.stderr.isEmpty)
        #expect(try Self.lines(out).count == 2)

        r = try CLI.run(["compare", "--resume", dir.path], environment: env)
        #expect(r.status == 64)
    }

    /// A full disk can cut a record after any byte, its first included (issue 35, item 8): the next
    /// `-o` run removes the cut-off line before appending, and `--resume` does too, each saying so
    /// once; the file stays one whole record per line, each clip once.
    @Test func aCutOffLastLineIsRemovedByTheNextRunWithOrWithoutResume() throws {
        let env = try Self.indexedLibrary()
        let dir = try Self.folder(["a.mp4": "reupload.mp4", "b.mp4": "unrelated.mp4"])
        let out = dir.appendingPathComponent("out.jsonl")
        func cut(_ text: String) throws {
            let handle = try FileHandle(forWritingTo: out)
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try handle.close()
        }
        var r = try CLI.run(["compare", "--json", "-o", out.path, dir.appendingPathComponent("a.mp4").path], environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        try cut("{")
        // Without --resume: the cut-off line goes, not kept as a line of its own.
        r = try CLI.run(["compare", "--json", "-o", out.path, dir.appendingPathComponent("b.mp4").path], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "compare: removed the cut-off last line of '\(out.path)' (a record left unfinished by a full disk or a kill)\n"
                + "compare: 1 checked, 0 with reuse, 0 failed\n")
        #expect(try Self.lines(out).count == 2)

        try cut("{")
        r = try CLI.run(["compare", "--json", "-o", out.path, "--resume", dir.path], environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr == "compare: removed the cut-off last line of '\(out.path)'; that clip is checked again\n"
                + "compare: 0 checked, 0 with reuse, 0 failed, 2 already in \(out.path)\n")
        let lines = try Self.lines(out)
        let suspects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }.map { $0["suspect"] as! String }
        #expect(suspects.map { ($0 as NSString).lastPathComponent } == ["a.mp4", "b.mp4"])
        #expect(try String(contentsOf: out, encoding: .utf8).hasSuffix("}\n"))
    }

    /// `--resume --html` reports the whole batch (issue 35, item 7): the clips an earlier run
    /// checked are rebuilt from their records, with pictures while the file is still the one
    /// checked, and without them, saying why, once it is not.
    @Test func aResumedBatchsEvidenceReportCoversTheClipsOfTheEarlierRunToo() throws {
        let env = try Self.indexedLibrary()
        let dir = try Self.folder(["a.mp4": "reupload.mp4", "b.mp4": "unrelated.mp4"])
        let out = dir.appendingPathComponent("out.jsonl")
        let html = dir.appendingPathComponent("report.html")
        let a = dir.appendingPathComponent("a.mp4")
        var r = try CLI.run(["compare", "--json", "-o", out.path, a.path], environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        r = try CLI.run(["compare", "--json", "-o", out.path, "--resume", "--html", html.path, dir.path], environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.hasSuffix("compare: 1 checked, 0 with reuse, 0 failed, 1 already in \(out.path)\n"), "\(r.stderr)")
        var page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("<h2>1. a.mp4</h2>"), "the clip of the earlier run, first")
        #expect(page.contains("<h2>2. b.mp4</h2>"))
        #expect(page.contains("Reuses talk.mp4"))
        #expect(page.contains(try EvidenceTests.sha256(a.path)))
        #expect(page.components(separatedBy: "src=\"data:image/jpeg;base64,").count - 1 == 8, "a.mp4's pictures, cut again")

        // The clip replaced since: its verdict stays, its pictures are not cut from other content.
        try FileManager.default.removeItem(at: a)
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("unrelated.mp4"), to: a)
        r = try CLI.run(["compare", "--json", "-o", out.path, "--resume", "--quiet", "--html", html.path, dir.path], environment: env)
        #expect(r.status == 1 && r.stderr.isEmpty, "\(r.stderr)")
        page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("<h2>1. a.mp4</h2>") && page.contains("Reuses talk.mp4"))
        #expect(page.contains("not shown: the clip was checked by an earlier run, and it is not the file that was checked (its SHA-256 differs)"))
        #expect(!page.contains("src=\"data:image/jpeg;base64,"))
    }

    @Test func aKilledAndResumedBatchEndsWithTheSameLinesAsAnUninterruptedOne() throws {
        let env = try Self.indexedLibrary()
        var names: [String: String] = [:]
        for i in 0 ..< 4 { names["clip\(i).mp4"] = i % 2 == 0 ? "reupload.mp4" : "unrelated.mp4" }
        let dir = try Self.folder(names)
        try Data(repeating: 3, count: 5000).write(to: dir.appendingPathComponent("clip4-broken.mp4"))
        let whole = CLI.workDirectory.appendingPathComponent("whole-\(UUID().uuidString).jsonl")
        let r = try CLI.run(["compare", "--json", "-o", whole.path, "--jobs", "2", dir.path], environment: env)
        #expect(r.status == 2)
        let expected = try Self.lines(whole).map(Self.timeless)
        #expect(expected.count == 5)
        #expect(expected.allSatisfy { $0.contains(#""checked_at":"""#) })

        let out = CLI.workDirectory.appendingPathComponent("killed-\(UUID().uuidString).jsonl")
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["compare", "--json", "-o", out.path, "--jobs", "1", "--quiet", dir.path]
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Killed once the first result is on disk.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? Self.lines(out)) ?? []).isEmpty { Thread.sleep(forTimeInterval: 0.02) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let kept = try Self.lines(out).map(Self.timeless)
        #expect(kept.count >= 1 && kept.count < 5, "killed after \(kept.count) lines")
        for line in kept { #expect(expected.contains(line)) }

        let resumed = try CLI.run(["compare", "--json", "-o", out.path, "--resume", "--jobs", "2", dir.path], environment: env)
        #expect(resumed.status == 2)
        let final = try Self.lines(out).map(Self.timeless)
        #expect(final.count == 5)
        #expect(Set(final) == Set(expected))
    }

    /// A file whose name is not UTF-8, made through the C API (a Swift String cannot spell it):
    /// `prefix`, the bytes FF FE, then `suffix`, in `folder`; holding `contents`.
    static func makeNonUTF8File(in folder: URL, prefix: String, suffix: String, contents: Data) -> Bool {
        let raw = Array((folder.path + "/" + prefix).utf8) + [0xFF, 0xFE] + Array(suffix.utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644) } }
        guard fd >= 0 else { return false }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return written == contents.count
    }

    /// Dangling links, link loops and names that are not UTF-8 (issue 35): in a folder or named
    /// directly, each is named once on stderr, with what it is, and gets a failure record in -o.
    @Test func brokenLinksLoopsAndBadNamesAreNamedOnceAndRecordedAsFailures() throws {
        let env = try Self.indexedLibrary()
        let dir = try Self.folder(["good.mp4": "unrelated.mp4"])
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("dangling.mp4").path, withDestinationPath: "/nonexistent/clip.mp4")
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("loop.mp4").path, withDestinationPath: "loop.mp4")
        #expect(Self.makeNonUTF8File(in: dir, prefix: "bad-", suffix: ".mp4",
                                     contents: try Data(contentsOf: Fixture.suspects.appendingPathComponent("unrelated.mp4"))))
        let named = CLI.workDirectory.appendingPathComponent("named-\(UUID().uuidString)")
        try fm.createDirectory(at: named, withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: named.appendingPathComponent("gone.mp4").path, withDestinationPath: "/nonexistent/clip.mp4")
        try fm.createSymbolicLink(atPath: named.appendingPathComponent("round.mp4").path, withDestinationPath: "round.mp4")
        let out = dir.appendingPathComponent("out.jsonl")
        let r = try CLI.run(["compare", "--json", "-o", out.path, dir.path, named.appendingPathComponent("gone.mp4").path,
                             named.appendingPathComponent("round.mp4").path], environment: env)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let nothing = "a symbolic link to nothing (its target does not exist)"
        let loop = "a symbolic link in a loop (following it leads back to a link); point it at a file"
        let expected = [("dangling.mp4", nothing), ("loop.mp4", loop), ("gone.mp4", nothing), ("round.mp4", loop),
                        ("bad-\u{FFFD}\u{FFFD}.mp4", "the file name is not valid UTF-8")]
        let records = WatchTests.records(try String(contentsOf: out, encoding: .utf8))
        #expect(records.count == 6, "\(records)")
        for (name, reason) in expected {
            #expect(r.stderr.components(separatedBy: "\(name)': \(reason)\n").count == 2, "\(name) named once: \(r.stderr)")
            let record = records.first { ($0["suspect"] as? String)?.hasSuffix("/" + name) == true }
            #expect((record?["error"] as? String)?.hasSuffix("\(name)': \(reason)") == true, "\(name): \(records)")
        }
        #expect(r.stderr.hasSuffix("compare: 6 checked, 0 with reuse, 5 failed\n"), "\(r.stderr)")

        // The name that is not UTF-8, named directly (as a shell passes it: bytes): it reaches
        // vmatch with its bad bytes replaced, so it cannot be opened; the error says why.
        let script = """
            import subprocess, sys
            vmatch, folder = sys.argv[1:3]
            r = subprocess.run([vmatch, "compare", "--json", folder.encode() + b"/bad-\\xff\\xfe.mp4"], capture_output=True)
            sys.stdout.buffer.write(r.stdout)
            sys.stderr.buffer.write(r.stderr)
            sys.exit(r.returncode)
            """
        let direct = try CLI.run(["-c", script, CLI.binary.path, dir.path], environment: env, executable: URL(fileURLWithPath: "/usr/bin/python3"))
        #expect(direct.status == 2, "\(direct.stderr)")
        let reason = "no such file or directory (the name given is not valid UTF-8; rename the file, or give its folder)"
        #expect(direct.stderr.components(separatedBy: "bad-\u{FFFD}\u{FFFD}.mp4': \(reason)\n").count == 2, "\(direct.stderr)")
        #expect((WatchTests.records(direct.stdout).first?["error"] as? String)?.hasSuffix(reason) == true, "\(direct.stdout)")
    }
}
