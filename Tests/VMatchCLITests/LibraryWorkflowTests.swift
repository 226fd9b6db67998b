// index / list / remove / compare as a user runs them, on small generated clips with speech.
import Foundation
import Testing

enum Fixture {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made = false

    static var folder: URL { CLI.workDirectory.appendingPathComponent("fixture") }
    static var library: URL { folder.appendingPathComponent("library") }
    static var suspects: URL { folder.appendingPathComponent("suspects") }

    /// Two library clips (pictures filmed with camera moves, spoken narration), a suspect cut
    /// from the first one and mirrored, and an unrelated clip. Made once per test process.
    static func make() throws {
        lock.lock()
        defer { lock.unlock() }
        if made { return }
        let fm = FileManager.default
        try fm.createDirectory(at: library, withIntermediateDirectories: true)
        try fm.createDirectory(at: suspects, withIntermediateDirectories: true)
        let work = folder.appendingPathComponent("work")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        func tool(_ path: String, _ arguments: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = arguments
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw CLIError(description: "\(path) \(arguments) failed") }
        }
        func clip(_ name: String, fractal: String, voice: String, text: String, into dir: URL) throws {
            let wav = work.appendingPathComponent(name + ".wav").path
            let png = work.appendingPathComponent(name + ".png").path
            try tool("/usr/bin/espeak-ng", ["-v", voice, "-w", wav, text])
            try tool("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i",
                                         "mandelbrot=size=640x360:maxiter=200:\(fractal)", "-frames:v", "1", png])
            try tool("/usr/bin/ffmpeg", ["-v", "error", "-y", "-loop", "1", "-i", png, "-i", wav, "-filter_complex",
                                         "[0:v]zoompan=z='1+0.006*on':x='iw/2-(iw/zoom/2)+20*sin(on/30)':y='ih/2-(ih/zoom/2)':d=1:s=320x180:fps=25,format=yuv420p[v];[1:a]apad[a]",
                                         "-map", "[v]", "-map", "[a]", "-t", "12", "-c:v", "libx264", "-preset", "veryfast",
                                         "-c:a", "aac", dir.appendingPathComponent(name + ".mp4").path])
        }
        try clip("talk", fractal: "start_scale=0.02:start_x=-0.7436438870:start_y=0.1318259042", voice: "en-us",
                 text: "Welcome back. Today I show you how I edit my videos on a small laptop, step by step, and which settings matter most.", into: library)
        try clip("garden", fractal: "start_scale=0.03:start_x=0.275:start_y=0.006", voice: "en-gb",
                 text: "The tomatoes in this corner get the morning sun, so we plant them early and water them before breakfast every day.", into: library)
        try clip("other", fractal: "start_scale=0.1:start_x=-0.16:start_y=1.04", voice: "en-us+m3",
                 text: "In sports tonight the visiting team won in overtime after a long and difficult season on the road.", into: work)
        try tool("/usr/bin/ffmpeg", ["-v", "error", "-y", "-ss", "2", "-t", "8", "-i", library.appendingPathComponent("talk.mp4").path,
                                     "-vf", "hflip", "-c:v", "libx264", "-crf", "30", "-preset", "veryfast", "-c:a", "aac", "-b:a", "48k",
                                     suspects.appendingPathComponent("reupload.mp4").path])
        try fm.copyItem(at: work.appendingPathComponent("other.mp4"), to: suspects.appendingPathComponent("unrelated.mp4"))
        made = true
    }

    /// A fresh library file for one test.
    static func database() -> String {
        CLI.workDirectory.appendingPathComponent("db-\(UUID().uuidString).sqlite").path
    }

    struct CLIError: Error, CustomStringConvertible { var description: String }
}

@Suite struct LibraryWorkflowTests {
    @Test func indexIsIncrementalAndPrunes() throws {
        try Fixture.make()
        // A private copy of the library folder, so this test can change files.
        let folder = CLI.workDirectory.appendingPathComponent("lib-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Fixture.library, to: folder)
        try Data("notes".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let env = ["VMATCH_DB": Fixture.database()]

        var r = try CLI.run(["index", folder.path], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("index: 2 indexed, 0 unchanged, 1 not media, 0 failed"), "\(r.stderr)")

        r = try CLI.run(["index", folder.path], environment: env)
        #expect(r.stderr.contains("index: 0 indexed, 2 unchanged"), "\(r.stderr)")

        // Touched but not changed: recognised by its digest.
        let garden = folder.appendingPathComponent("garden.mp4")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: garden.path)
        r = try CLI.run(["index", folder.path], environment: env)
        #expect(r.stderr.contains("index: 0 indexed, 2 unchanged"), "\(r.stderr)")

        // Changed: re-indexed.
        var bytes = try Data(contentsOf: garden)
        bytes.append(contentsOf: [UInt8](repeating: 0, count: 16))
        try bytes.write(to: garden)
        r = try CLI.run(["index", folder.path], environment: env)
        #expect(r.stderr.contains("index: 1 indexed, 1 unchanged"), "\(r.stderr)")

        // Removed from disk: pruned.
        try FileManager.default.removeItem(at: garden)
        r = try CLI.run(["index", folder.path], environment: env)
        #expect(r.stderr.contains("index: 0 indexed, 1 unchanged, 1 removed"), "\(r.stderr)")

        r = try CLI.run(["list"], environment: env)
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 2 && r.stdout.contains("talk.mp4"))  // the header, one video

        r = try CLI.run(["remove", folder.appendingPathComponent("talk.mp4").path], environment: env)
        #expect(r.status == 0)
        #expect(try CLI.run(["list"], environment: env).stdout.isEmpty)
    }

    @Test func compareFindsTheReusedPartAndNothingElse() throws {
        try Fixture.make()
        let env = ["VMATCH_DB": Fixture.database()]
        #expect(try CLI.run(["index", Fixture.library.path], environment: env).status == 0)

        let suspect = Fixture.suspects.appendingPathComponent("reupload.mp4").path
        var r = try CLI.run(["compare", "--json", suspect], environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["schema"] as? Int == 1)
        // The test runs from the package folder; the clip is elsewhere, so its path stays absolute.
        #expect(object["suspect"] as? String == suspect)
        #expect(abs((object["duration"] as? Double ?? 0) - 8) < 0.2)
        #expect(object.keys.contains("error") && object["error"] is NSNull)
        let matches = object["matches"] as! [[String: Any]]
        #expect(matches.count == 1)
        #expect((matches.first?["reference"] as? String)?.hasSuffix("/talk.mp4") == true)
        #expect(matches.first?["modality"] as? String == "both")
        let score = matches.first?["score"] as? Double ?? 0
        #expect(score > 0.5 && score <= 1)
        let segment = (matches.first?["segments"] as? [[String: Any]])?.first ?? [:]
        for key in ["modality", "suspect_start", "suspect_end", "reference_start", "reference_end", "score", "speed"] {
            #expect(segment[key] != nil, "segment lacks \(key)")
        }
        #expect(abs((segment["reference_start"] as? Double ?? 0) - ((segment["suspect_start"] as? Double ?? 0) + 2)) < 0.5)
        #expect(abs((segment["speed"] as? Double ?? 0) - 1) < 0.03)

        r = try CLI.run(["compare", Fixture.suspects.appendingPathComponent("unrelated.mp4").path], environment: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("no reuse found"))
    }

    @Test func theCandidateIndexBesideTheLibraryChangesNoAnswer() throws {
        // `index` leaves the candidate index beside the library; `compare` answers the same with
        // it, without it (built and saved again) and with it damaged (refused, built again).
        try Fixture.make()
        let database = Fixture.database()
        let env = ["VMATCH_DB": database]
        let kept = database + ".candidates"
        #expect(try CLI.run(["index", Fixture.library.path], environment: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: kept))
        let suspect = Fixture.suspects.appendingPathComponent("reupload.mp4").path
        let mapped = try CLI.run(["compare", "--json", suspect], environment: env)
        #expect(mapped.status == 1, "\(mapped.stderr)")
        try FileManager.default.removeItem(atPath: kept)
        // The report less the time it was made.
        func answer(_ r: CLIResult) throws -> NSDictionary {
            var object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            object["checked_at"] = nil
            return object as NSDictionary
        }
        let built = try CLI.run(["compare", "--json", suspect], environment: env)
        #expect(try answer(built) == answer(mapped) && built.stderr == mapped.stderr && built.status == 1)
        #expect(FileManager.default.fileExists(atPath: kept))
        let whole = try Data(contentsOf: URL(fileURLWithPath: kept))
        try whole.prefix(whole.count - 4096).write(to: URL(fileURLWithPath: kept))
        let damaged = try CLI.run(["compare", "--json", suspect], environment: env)
        #expect(try answer(damaged) == answer(mapped) && damaged.stderr == mapped.stderr && damaged.status == 1, "\(damaged.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: kept)) == whole)
    }

    @Test func aBrokenSuspectIsNamedAndTheOthersStillReported() throws {
        try Fixture.make()
        let env = ["VMATCH_DB": Fixture.database()]
        #expect(try CLI.run(["index", Fixture.library.path], environment: env).status == 0)
        let broken = CLI.workDirectory.appendingPathComponent("cut-off.mp4")
        let whole = try Data(contentsOf: Fixture.suspects.appendingPathComponent("reupload.mp4"))
        try whole.prefix(whole.count / 3).write(to: broken)
        let out = CLI.workDirectory.appendingPathComponent("out-\(UUID().uuidString).jsonl")

        let r = try CLI.run(["compare", "--json", "-o", out.path, broken.path,
                             Fixture.suspects.appendingPathComponent("reupload.mp4").path], environment: env)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let errors = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("compare: ") }
        #expect(r.stderr.hasSuffix("compare: 2 checked, 1 with reuse, 1 failed\n"), "\(r.stderr)")
        #expect(errors.count == 1 && errors[0].hasPrefix("error: cannot decode '\(broken.path)': "), "\(r.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
        #expect((first["error"] as? String)?.contains("cut-off.mp4") == true)
        #expect((second["matches"] as? [Any])?.count == 1)
    }

    @Test func usageAndLibraryErrors() throws {
        var r = try CLI.run(["compare"])
        #expect(r.status == 64)
        r = try CLI.run(["compare", "x.mp4"], environment: ["VMATCH_DB": Fixture.database()])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no library here yet"), "\(r.stderr)")
    }

    @Test func aLibraryLeftByAKilledRunStillOpensAndTheNextRunCompletes() throws {
        try Fixture.make()
        let folder = CLI.workDirectory.appendingPathComponent("many-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0 ..< 6 {
            try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent(i % 2 == 0 ? "talk.mp4" : "garden.mp4"),
                                             to: folder.appendingPathComponent("copy\(i).mp4"))
        }
        let db = Fixture.database()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["index", "--quiet", "--jobs", "2", folder.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["VMATCH_DB": db]) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.0)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let listed = try CLI.run(["list"], environment: ["VMATCH_DB": db])
        #expect(listed.status == 0, "\(listed.stderr)")
        let r = try CLI.run(["index", folder.path], environment: ["VMATCH_DB": db])
        #expect(r.status == 0)
        let already = listed.stdout.split(separator: "\n").filter { !$0.hasPrefix("DURATION ") }.count  // less the header
        #expect(r.stderr.contains("index: \(6 - already) indexed, \(already) unchanged"), "\(r.stderr)")
        #expect(try CLI.run(["list"], environment: ["VMATCH_DB": db]).stdout.split(separator: "\n").count == 7)  // header + 6
    }
}
