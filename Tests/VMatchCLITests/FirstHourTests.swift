// What a new user meets in their first hour, each case as they would type it: the order of a
// batch's report, errors that name the whole path and read the same everywhere, inputs that
// yield nothing, destinations checked before the work, usage errors, `list`, `hash` formats,
// and the help of every command (snapshots in Help/).
import Foundation
import Testing

@Suite struct FirstHourTests {
    /// A folder of its own for one test, holding a copy of the fixture's unrelated clip, a
    /// file that is not media under a media name, and nothing else.
    static func scratch() throws -> URL {
        try Fixture.make()
        let url = CLI.workDirectory.appendingPathComponent("first-hour-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("unrelated.mp4"), to: url.appendingPathComponent("clip.mp4"))
        try Data("nope".utf8).write(to: url.appendingPathComponent("broken.mp4"))
        return url
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    // MARK: the report is in the order given

    @Test func aBatchIsReportedInTheOrderGivenWhateverFailsHowever() throws {
        let env = try BatchAndEvidenceTests.indexedLibrary()
        let dir = try Self.scratch()
        let arguments = ["broken.mp4", "missing.mp4", "clip.mp4"]
        let expectedErrors = ["error: cannot decode '\(dir.path)/broken.mp4': Invalid data found when processing input (avformat_open_input)",
                              "error: cannot read 'missing.mp4': no such file or directory"]

        let json = try CLI.run(["compare", "--json"] + arguments, environment: env, directory: dir)
        #expect(json.status == 2)
        let suspects = Self.lines(json.stdout).dropLast().map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["suspect"] as? String
        }
        #expect(suspects == arguments)
        #expect(Self.lines(json.stderr) == expectedErrors + ["compare: 3 checked, 0 with reuse, 2 failed", ""])

        let out = dir.appendingPathComponent("out.jsonl")
        let file = try CLI.run(["compare", "--json", "-o", out.path] + arguments, environment: env, directory: dir)
        #expect(file.status == 2 && file.stdout.isEmpty)
        #expect(try BatchAndEvidenceTests.lines(out).map(BatchAndEvidenceTests.timeless)
                == json.stdout.split(separator: "\n").map { BatchAndEvidenceTests.timeless(String($0)) })

        let text = try CLI.run(["compare"] + arguments, environment: env, directory: dir)
        #expect(text.status == 2)
        #expect(Self.lines(text.stdout) == [
            "broken.mp4", "  " + expectedErrors[0], "",
            "missing.mp4", "  " + expectedErrors[1], "",
            "clip.mp4 (00:12)", "  no reuse found", ""])
    }

    // MARK: whole paths, one wording

    @Test func twoReferencesWithOneFileNameAreToldApartByTheirPaths() throws {
        try Fixture.make()
        let dir = CLI.workDirectory.appendingPathComponent("same-name-\(UUID().uuidString)")
        for folder in ["a", "b"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent("talk.mp4"), to: dir.appendingPathComponent(folder + "/talk.mp4"))
        }
        let env = ["VMATCH_DB": Fixture.database()]
        #expect(try CLI.run(["index", "-q", "a", "b"], environment: env, directory: dir).status == 0)
        let r = try CLI.run(["compare", Fixture.suspects.appendingPathComponent("reupload.mp4").path], environment: env, directory: dir)
        #expect(r.status == 1, "\(r.stderr)")
        // Both paths named: the same content once, with its other path.
        let lines = Self.lines(r.stdout)
        #expect(lines.filter { $0.hasPrefix("  reuses ") }.map { $0.split(separator: " ")[1] } == ["a/talk.mp4"], "\(r.stdout)")
        #expect(lines.contains("    (the same file as b/talk.mp4)"), "\(r.stdout)")
    }

    @Test func aFileThatIsNotAFileIsNamedByItsPath() throws {
        let env = try BatchAndEvidenceTests.indexedLibrary()
        let r = try CLI.run(["compare", "/dev/null"], environment: env)
        #expect(r.status == 2)
        #expect(Self.lines(r.stderr).first == "error: cannot read '/dev/null': not a regular file")
    }

    @Test func aMissingFileIsWordedTheSameByEveryCommand() throws {
        let env = try BatchAndEvidenceTests.indexedLibrary()
        let dir = try Self.scratch()
        let expected = "error: cannot read 'missing.mp4': no such file or directory"
        for command in [["compare"], ["probe"], ["hash"], ["index", "--db", Fixture.database()]] {
            let r = try CLI.run(command + ["missing.mp4"], environment: env, directory: dir)
            #expect(r.status == 2, "\(command)")
            #expect(Self.lines(r.stderr).first == expected, "\(command): \(r.stderr)")
        }
    }

    // MARK: inputs that yield nothing are errors

    @Test func aFolderWithNothingToCheckIsAnError() throws {
        let env = try BatchAndEvidenceTests.indexedLibrary()
        let dir = try Self.scratch()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try Data("hello".utf8).write(to: dir.appendingPathComponent("notes/todo.txt"))

        let empty = try CLI.run(["compare", "empty/"], environment: env, directory: dir)
        #expect(empty.status == 2)
        #expect(empty.stdout == "empty/\n  error: cannot check 'empty/': the folder holds no files to check\n")
        #expect(Self.lines(empty.stderr).first == "error: cannot check 'empty/': the folder holds no files to check")

        let notes = try CLI.run(["compare", "--json", "notes"], environment: env, directory: dir)
        #expect(notes.status == 2)
        #expect(notes.stderr.hasPrefix("error: cannot check 'notes': the folder holds no media files to check (1 passed over as not media by their names)\n"))

        let db = Fixture.database()
        let index = try CLI.run(["index", "--db", db, "empty", "notes"], environment: [:], directory: dir)
        #expect(index.status == 2)
        #expect(Self.lines(index.stderr).prefix(2) == ["error: cannot index 'empty': the folder holds no files",
                                                        "error: cannot index 'notes': the folder holds no media files (1 not audio or video)"])
    }

    @Test func aLibraryInAFolderThatDoesNotExistIsRefusedNotMade() throws {
        let dir = try Self.scratch()
        let db = dir.appendingPathComponent("no/such/library.sqlite").path
        let r = try CLI.run(["index", "--db", db, "clip.mp4"], directory: dir)
        #expect(r.status == 2)
        #expect(r.stderr == "error: cannot use library '\(db)': its folder '\(dir.path)/no/such' does not exist (create it first, or give another --db)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("no").path))
    }

    @Test func destinationsThatCannotBeWrittenAreRefusedBeforeTheWork() throws {
        let env = try BatchAndEvidenceTests.indexedLibrary()
        let dir = try Self.scratch()
        let html = try CLI.run(["compare", "--html", "nope/dir/r.html", "clip.mp4"], environment: env, directory: dir)
        #expect(html.status == 2)
        #expect(html.stdout.isEmpty)
        #expect(html.stderr == "error: cannot write 'nope/dir/r.html': its folder '\(dir.path)/nope/dir' does not exist: no such file or directory\n")

        let out = try CLI.run(["compare", "--json", "-o", "nope/out.jsonl", "clip.mp4"], environment: env, directory: dir)
        #expect(out.status == 2)
        #expect(out.stderr == "error: cannot write 'nope/out.jsonl': no such file or directory\n")

        // Written whole, in place of what was there.
        let page = dir.appendingPathComponent("r.html")
        try Data("old".utf8).write(to: page)
        let ok = try CLI.run(["compare", "-q", "--html", "r.html", "clip.mp4"], environment: env, directory: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try String(contentsOf: page, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.hasPrefix(".vmatch-") })
    }

    // MARK: usage errors

    @Test func usageErrorsReadLikeEveryOtherErrorAndExit64() throws {
        let cases: [([String], String)] = [
            (["compare", "--timeout", "-5", "x.mp4"], "error: --timeout must be a positive number of seconds, not -5."),
            (["index", "--jobs", "0", "x"], "error: --jobs must be at least 1, not 0."),
            (["compare", "--nope", "x.mp4"], "error: Unknown option '--nope'. Did you mean '--jobs'?"),
            (["help", "nope"], "error: no command 'nope'; the commands are index, compare, watch, list, remove, hash, probe (see 'vmatch --help')"),
            ([], "error: no command given"),
        ]
        for (arguments, first) in cases {
            let r = try CLI.run(arguments)
            #expect(r.status == 64, "\(arguments)")
            #expect(r.stdout.isEmpty, "\(arguments)")
            #expect(Self.lines(r.stderr).first == first, "\(arguments): \(r.stderr)")
        }
        let bare = try CLI.run([])
        #expect(bare.stderr.contains("USAGE: vmatch <subcommand>"))

        let help = try CLI.run(["help", "compare"])
        #expect(help.status == 0 && help.stdout.hasPrefix("OVERVIEW: Checks clips against the library") && help.stderr.isEmpty)
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }

    // MARK: list and hash

    @Test func listHasAHeaderTheCountAndTheClockOfTheReport() throws {
        let env = try BatchAndEvidenceTests.indexedLibrary()
        let r = try CLI.run(["list"], environment: env)
        #expect(r.status == 0)
        #expect(Self.lines(r.stdout) == [
            "DURATION   CONTENT        PATH",
            "00:12      picture+sound  \(Fixture.library.path)/garden.mp4",
            "00:12      picture+sound  \(Fixture.library.path)/talk.mp4", ""])
        #expect(r.stderr == "list: 2 videos, 00:24 in all (library: \(env["VMATCH_DB"]!))\n")
        #expect(try CLI.run(["list", "-q"], environment: env).stderr.isEmpty)
    }

    @Test func everyHashFormatGivesTheSameHashForAFrame() throws {
        let clip = try HashFormatTests.clip()
        let text = try CLI.run(["hash", clip])
        let vpdq = try CLI.run(["hash", "--format", "vpdq", clip])
        #expect(text.status == 0 && vpdq.status == 0)
        let fromText = text.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return "\(fields[0]) \(fields[2])"
        }
        let fromVPDQ = vpdq.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: ",")
            return "\(fields[3]) \(fields[2])"
        }
        #expect(fromText.count == 4)
        #expect(fromText == fromVPDQ)
    }

    // MARK: help

    /// Each command's help as a user sees it at 80 columns, against the snapshot in Help/
    /// (VMATCH_UPDATE_HELP=1 rewrites the snapshots after a deliberate change; review the diff).
    @Test(arguments: ["vmatch", "index", "compare", "watch", "list", "remove", "hash", "probe"])
    func helpMatchesItsSnapshot(_ command: String) throws {
        let r = try CLI.run((command == "vmatch" ? [] : [command]) + ["--help"], environment: ["COLUMNS": "80"])
        #expect(r.status == 0 && r.stderr.isEmpty)
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Help/\(command).txt")
        if ProcessInfo.processInfo.environment["VMATCH_UPDATE_HELP"] == "1" {
            try Data(r.stdout.utf8).write(to: snapshot)
        }
        #expect(r.stdout == (try String(contentsOf: snapshot, encoding: .utf8)))
        if command != "vmatch" { #expect(r.stdout.contains("Example")) }
        #expect(!r.stdout.contains("(default: \(ProcessInfo.processInfo.activeProcessorCount))"))
    }
}
