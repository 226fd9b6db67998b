// Faults, hostile names and misuse, as a user meets them, with the real binary: every case gets
// a one-line error naming what went wrong and exit status 2, never a crash, and nothing of the
// user's is changed. (The slow cases — a file changed during `index`, a full disk, `index` and
// `compare` at once — are in scripts/check/.)
import Foundation
import Testing

@Suite struct ReliabilityTests {
    /// A library of the fixture's two clips, indexed once per test that asks.
    func indexedLibrary() throws -> String {
        try Fixture.make()
        let db = Fixture.database()
        let result = try CLI.run(["index", "--quiet", "--db", db, Fixture.library.path])
        #expect(result.status == 0)
        return db
    }

    func sqlite(_ db: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.executescript(sys.argv[2]) if ';' in sys.argv[2] else c.execute(sys.argv[2]).fetchall(); c.commit(); print(r if isinstance(r, list) else '')", db, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aLibraryWithANegativeSchemaNumberIsRefusedNotACrash() throws {
        let db = try indexedLibrary()
        _ = try sqlite(db, "PRAGMA user_version = -1;")
        for command in [["list"], ["compare", Fixture.suspects.path], ["index", Fixture.library.path], ["remove", "/x"]] {
            let result = try CLI.run(command + ["--db", db])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("is not a vmatch library (its schema number is -1)"), "\(command): \(result.stderr)")
        }
    }

    @Test func someoneElsesDatabaseIsRefusedByNameAndLeftAsItWas() throws {
        try Fixture.make()
        let db = Fixture.database()
        _ = try sqlite(db, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for command in [["list"], ["remove", "/x"], ["index", Fixture.suspects.path], ["compare", Fixture.suspects.path]] {
            let result = try CLI.run(command + ["--db", db, "--quiet"])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("is not a vmatch library (it holds other tables: notes)"), "\(command): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
        #expect(try sqlite(db, "PRAGMA journal_mode") == "[('delete',)]")
    }

    @Test func listAndCompareReadALibraryTheyCannotWrite() throws {
        // Another user's library: file 0444 in a folder they cannot write.
        let db = try indexedLibrary()
        let folder = CLI.workDirectory.appendingPathComponent("readonly-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("library.sqlite").path
        // A consistent copy without its WAL (as a checkpointed library is).
        _ = try sqlite(db, "VACUUM INTO '\(copy)'")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        // As an unprivileged user (root could write anything); the test files must be readable to them.
        let asNobody = URL(fileURLWithPath: "/usr/bin/setpriv")
        let prefix = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        func run(_ arguments: [String]) throws -> CLIResult {
            try CLI.run(prefix + [CLI.binary.path] + arguments, executable: asNobody)
        }
        guard try run(["--version"]).status == 0 else {
            Issue.record("cannot run vmatch as nobody here (is the build folder readable to others?)")
            return
        }
        let list = try run(["list", "--db", copy])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").count == 3)  // the header, two videos
        let compare = try run(["compare", "--quiet", "--db", copy, Fixture.suspects.appendingPathComponent("reupload.mp4").path])
        #expect(compare.status == 1, "\(compare.stderr)")
        #expect(compare.stdout.contains("reuses \(Fixture.library.path)/talk.mp4"))
        let remove = try run(["remove", "--db", copy, Fixture.library.appendingPathComponent("talk.mp4").path])
        #expect(remove.status == 2)
        #expect(remove.stderr.hasPrefix("error: cannot use library '\(copy)'"), "\(remove.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["library.sqlite"])
    }

    @Test func aFailedWriteIsExitTwoNeverACrashOrSilence() throws {
        let db = try indexedLibrary()
        let reupload = Fixture.suspects.appendingPathComponent("reupload.mp4").path
        for command in [["compare", "--db", db, reupload], ["compare", "--json", "--db", db, reupload],
                        ["list", "--db", db], ["hash", reupload], ["probe", reupload]] {
            let result = try CLI.run(command + ["--quiet"].filter { _ in command[0] == "compare" }, stdoutPath: "/dev/full")
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("cannot write to standard output: no space left on device"), "\(command): \(result.stderr)")
        }
        // A stderr that cannot be written loses the message, never the process.
        for command in [["compare", "--db", "/nonexistent/library.sqlite", reupload], ["list", "--db", "/nonexistent/library.sqlite"]] {
            let result = try CLI.run(command, stderrPath: "/dev/full")
            #expect(result.status == 2, "\(command)")
        }
        let out = try CLI.run(["compare", "--quiet", "--json", "-o", "/dev/full", "--db", db, reupload])
        #expect(out.status == 2)
        #expect(out.stderr.contains("cannot write to '/dev/full': no space left on device"), "\(out.stderr)")
    }

    @Test func textFilesAreNotMediaWhateverTheirName() throws {
        try Fixture.make()  // its talk.mp4 is copied below: not to rely on another test having made it
        let folder = CLI.workDirectory.appendingPathComponent("texts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var g = SystemRandomNumberGenerator()
        let words = (0 ..< 3000).map { _ in ["alpha", "beta", "gamma", "delta"][Int(g.next() % 4)] }.joined(separator: " ")
        for name in ["readme.txt", "release.nfo", "notes"] {
            try Data(words.utf8).write(to: folder.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent("talk.mp4"), to: folder.appendingPathComponent("talk.mp4"))
        let db = Fixture.database()
        let index = try CLI.run(["index", "--db", db, folder.path])
        #expect(index.status == 0, "\(index.stderr)")
        #expect(index.stderr.contains("index: 1 indexed, 0 unchanged, 3 not media, 0 failed"), "\(index.stderr)")
        let probe = try CLI.run(["probe", folder.appendingPathComponent("release.nfo").path])
        #expect(probe.status == 2)
        #expect(probe.stderr.contains("'\(folder.path)/release.nfo': a text file, not camera or screen media"), "\(probe.stderr)")
    }

    @Test func resumeNeverEditsWhatIsNotACutOffRecord() throws {
        let db = try indexedLibrary()
        let reupload = Fixture.suspects.appendingPathComponent("reupload.mp4").path
        let unrelated = Fixture.suspects.appendingPathComponent("unrelated.mp4").path
        let folder = CLI.workDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        // A text file that is not vmatch output is refused and left as it was.
        let notes = folder.appendingPathComponent("notes.txt")
        try Data("my notes\nsecond line\n".utf8).write(to: notes)
        let refused = try CLI.run(["compare", "--quiet", "--json", "-o", notes.path, "--resume", "--db", db, reupload])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not vmatch JSON Lines output (line 1"), "\(refused.stderr)")
        #expect(try String(contentsOf: notes, encoding: .utf8) == "my notes\nsecond line\n")

        // A record of another schema, or with matches that are not matches, does not mark its clip done.
        let odd = folder.appendingPathComponent("odd.jsonl")
        let line = "{\"schema\":999,\"suspect\":\"\(reupload)\",\"duration\":8,\"matches\":\"nope\",\"error\":null}\n"
        try Data(line.utf8).write(to: odd)
        let oddRun = try CLI.run(["compare", "--quiet", "--json", "-o", odd.path, "--resume", "--db", db, reupload])
        #expect(oddRun.status == 2)
        #expect(try String(contentsOf: odd, encoding: .utf8) == line)

        // A whole last record without its newline is kept; the next record starts on a new line.
        let out = folder.appendingPathComponent("out.jsonl")
        let first = try CLI.run(["compare", "--quiet", "--json", "-o", out.path, "--db", db, reupload])
        #expect(first.status == 1)
        let whole = try String(contentsOf: out, encoding: .utf8)
        try Data(whole.dropLast().utf8).write(to: out)
        let resumed = try CLI.run(["compare", "--quiet", "--json", "-o", out.path, "--resume", "--db", db, reupload, unrelated])
        #expect(resumed.status == 1, "\(resumed.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == whole.dropLast() && lines[1].contains("unrelated.mp4"))

        // A cut-off record is removed, said so, and its clip checked again.
        try Data((whole + "{\"schema\":1,\"susp").utf8).write(to: out)
        let cut = try CLI.run(["compare", "--json", "-o", out.path, "--resume", "--db", db, reupload, unrelated])
        #expect(cut.stderr.contains("removed the cut-off last line of"), "\(cut.stderr)")
        let after = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(after.count == 2 && after[1].contains("unrelated.mp4"))
    }

    @Test func controlCharactersInNamesNeverReachTheTerminalRaw() throws {
        try Fixture.make()
        let folder = CLI.workDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = "esc\u{1B}[31mRED\u{1B}]0;pwned\u{07}\nforged line.mp4"
        try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent("talk.mp4"), to: folder.appendingPathComponent(name))
        try Data("junk".utf8).write(to: folder.appendingPathComponent("bad\u{1B}[2J.mp4"))
        let db = Fixture.database()
        let index = try CLI.run(["index", "--db", db, folder.path])
        let list = try CLI.run(["list", "--db", db])
        let compare = try CLI.run(["compare", "--db", db, folder.path])
        for result in [index, list, compare] {
            #expect(!(result.stdout + result.stderr).contains("\u{1B}"))
            #expect(!(result.stdout + result.stderr).contains("\u{07}"))
            #expect(!(result.stdout + result.stderr).contains("\nforged line"))
        }
        #expect(list.stdout.contains("esc\\x1b[31mRED\\x1b]0;pwned\\x07\\nforged line.mp4"), "\(list.stdout)")
        #expect(compare.stderr.contains("bad\\x1b[2J.mp4"), "\(compare.stderr)")
        // JSON keeps the real name (escaped by JSON itself).
        let json = try CLI.run(["compare", "--json", "--db", db, folder.appendingPathComponent(name).path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["suspect"] as? String)?.hasSuffix(name) == true)
    }

    @Test func linksThatLeadNowhereAreNamedNotSkipped() throws {
        let folder = CLI.workDirectory.appendingPathComponent("links-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("dangling.mp4").path,
                                                   withDestinationPath: "/nonexistent/clip.mp4")
        let db = try indexedLibrary()
        let result = try CLI.run(["compare", "--quiet", "--db", db, folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("dangling.mp4': a symbolic link to nothing"), "\(result.stderr)")
        #expect(result.stdout.contains("dangling.mp4"))

        // A link to a file in a folder the user cannot enter (tried as an unprivileged user).
        let closed = CLI.workDirectory.appendingPathComponent("closed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent("talk.mp4"), to: closed.appendingPathComponent("talk.mp4"))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: closed.path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("hidden.mp4").path,
                                                   withDestinationPath: closed.appendingPathComponent("talk.mp4").path)
        let scratch = CLI.workDirectory.appendingPathComponent("open-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: scratch.path)
        let asNobody = try CLI.run(["--reuid=nobody", "--regid=nogroup", "--clear-groups", CLI.binary.path, "index",
                                    "--db", scratch.appendingPathComponent("library.sqlite").path, folder.path],
                                   executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
        #expect(asNobody.status == 2)
        #expect(asNobody.stderr.contains("hidden.mp4': a symbolic link whose target cannot be reached: permission denied"), "\(asNobody.stderr)")
        #expect(asNobody.stderr.contains("dangling.mp4': a symbolic link to nothing"), "\(asNobody.stderr)")
    }

    @Test func aPathLongerThanTheSystemTakesIsRefusedWithWhatToDo() throws {
        try Fixture.make()
        // 25 levels of 200 characters: 5,000+ characters, past the kernel's 4096 (PATH_MAX).
        let base = CLI.workDirectory.appendingPathComponent("deep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let component = String(repeating: "d", count: 200)
        // Created and entered a level at a time, relative to the one before (one mkdir or cd of the
        // whole path is too long; shells' cd keeps the whole path too).
        let script = """
            import os, shutil, subprocess, sys
            base, clip, vmatch, db = sys.argv[1:5]
            os.chdir(base)
            for _ in range(25):
                os.mkdir("\(component)")
                os.chdir("\(component)")
            shutil.copy(clip, "clip.mp4")
            index = subprocess.run([vmatch, "index", "--quiet", "--db", db, "clip.mp4", "./clip.mp4"])
            print("index exit", index.returncode, flush=True)
            subprocess.run([vmatch, "list", "--db", db])
            """
        let db = Fixture.database()
        let result = try CLI.run(["-c", script, base.path, Fixture.library.appendingPathComponent("talk.mp4").path, CLI.binary.path, db],
                                 executable: URL(fileURLWithPath: "/usr/bin/python3"))
        #expect(result.status == 0, "\(result.stderr)")
        // Both names of the one file refused, nothing stored (not two rows, as relative paths gave).
        #expect(result.stdout == "index exit 2\n", "\(result.stdout.prefix(300))")
        let refusals = result.stderr.split(separator: "\n").filter { $0.contains("more than the system's limit of 4096; move it to a folder with a shorter path") }
        #expect(refusals.count == 2, "\(result.stderr)")
    }

    /// Past 4096 bytes inside a folder walked, and as a folder to watch (issue 35): refused with
    /// what to do, once, with a failure record, never the system's bare "file name too long".
    @Test func aPathPastTheLimitInsideAFolderOrWatchedIsRefusedWithWhatToDo() throws {
        try Fixture.make()
        let base = CLI.workDirectory.appendingPathComponent("deeper-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        // Folders down to 3990 bytes, a clip inside whose full path is past 4096; then, for the
        // watch, one more folder (past 4096 itself), entered relative to the one before.
        let script = """
            import os, shutil, subprocess, sys
            base, clip, vmatch, db = sys.argv[1:5]
            os.chdir(base)
            while len(os.getcwd()) < 3990:
                name = "d" * min(200, 3990 - len(os.getcwd()) - 1)
                os.mkdir(name)
                os.chdir(name)
            shutil.copy(clip, "c" * 120 + ".mp4")
            deep = os.getcwd()
            os.chdir(base)
            subprocess.run([vmatch, "compare", "--json", "-o", "out.jsonl", "--quiet", "--db", db, "."])
            os.chdir(deep)
            os.mkdir("w" * 200)
            os.chdir("w" * 200)
            watch = subprocess.run([vmatch, "watch", "--db", db, "."])
            print("watch exit", watch.returncode, flush=True)
            """
        let db = try indexedLibrary()
        let result = try CLI.run(["-c", script, base.path, Fixture.suspects.appendingPathComponent("unrelated.mp4").path, CLI.binary.path, db],
                                 executable: URL(fileURLWithPath: "/usr/bin/python3"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "watch exit 2\n", "\(result.stdout.prefix(300))")
        #expect(!result.stderr.contains("too long"), "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)")
        let what = "more than the system's limit of 4096; move it to a folder with a shorter path"
        #expect(lines.first?.hasPrefix("error: cannot read '") == true && lines.first?.hasSuffix(".mp4': its full path is 4115 bytes long, \(what)") == true, "\(result.stderr)")
        #expect(lines.last?.hasPrefix("error: cannot watch '") == true && lines.last?.hasSuffix("': its full path is 4191 bytes long, \(what)") == true, "\(result.stderr)")
        let records = WatchTests.records(try String(contentsOf: base.appendingPathComponent("out.jsonl"), encoding: .utf8))
        #expect(records.count == 1 && (records.first?["error"] as? String)?.hasSuffix("move it to a folder with a shorter path") == true, "\(records)")
    }
}
