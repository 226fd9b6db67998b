// `vmatch watch` under faults (issue 35): hang-ups, an output file rotated away, a watched
// folder removed, last lines cut off by a full disk. The real binary, real signals, real files.
import Foundation
import Testing

@Suite struct WatchFaultTests {
    private static func copyClip(_ name: String, to url: URL) throws {
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent(name), to: url)
    }

    @Test func recordsFollowTheOutputFileWhenItIsRotatedOrRemoved() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let results = dir.appendingPathComponent("results.jsonl")
        func suspects(_ url: URL) -> [String] { WatchTests.suspects((try? String(contentsOf: url, encoding: .utf8)) ?? "") }
        let watch = try RunningWatch(["--json", "-o", "results.jsonl", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("first.mp4"))
        #expect(watch.wait { suspects(results) == ["downloads/first.mp4"] }, "\(watch.stderr)")

        // Log rotation: the file is renamed away; the next record goes to a new file at the path.
        let rotated = dir.appendingPathComponent("results.jsonl.1")
        try FileManager.default.moveItem(at: results, to: rotated)
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("second.mp4"))
        #expect(watch.wait { suspects(results) == ["downloads/second.mp4"] }, "\(watch.stderr)")
        #expect(suspects(rotated) == ["downloads/first.mp4"])
        #expect(watch.stderr.contains("watch: 'results.jsonl' was removed or replaced; records go on in a new 'results.jsonl'"), "\(watch.stderr)")

        // A cleanup removes it: the same.
        try FileManager.default.removeItem(at: results)
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("third.mp4"))
        #expect(watch.wait { suspects(results) == ["downloads/third.mp4"] }, "\(watch.stderr)")
        #expect(watch.terminate() == 0)
        #expect(watch.stdout.isEmpty)
    }

    /// A full disk cut off the last line of -o and of the watch log (issue 35, item 8): the next
    /// watch removes both, says so once each, checks only the clip whose record was lost, and
    /// leaves -o a file `compare --resume` reads.
    @Test func cutOffLastLinesOfTheOutputAndTheLogAreRemovedOnStartAndNothingIsDoubled() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let results = dir.appendingPathComponent("results.jsonl")
        let log = URL(fileURLWithPath: env["VMATCH_DB"]! + ".watched.jsonl")
        func text(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        func lines(_ url: URL) -> [Substring] { text(url).split(separator: "\n") }
        let arguments = ["--json", "-o", "results.jsonl", "--settle", "0.5", "downloads"]
        var watch = try RunningWatch(arguments, environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("first.mp4"))
        #expect(watch.wait { WatchTests.suspects(text(results)) == ["downloads/first.mp4"] && lines(log).count == 1 }, "\(watch.stderr)")
        #expect(watch.terminate() == 0)

        for (url, cut) in [(results, #"{"schema":1,"susp"#), (log, #"{"path":"/"#)] {
            let handle = try FileHandle(forWritingTo: url)
            handle.seekToEndOfFile()
            handle.write(Data(cut.utf8))
            try handle.close()
        }
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("second.mp4"))
        watch = try RunningWatch(arguments, environment: env, directory: dir)
        #expect(watch.wait { WatchTests.suspects(text(results)).contains("downloads/second.mp4") }, "\(watch.stderr)")
        #expect(watch.terminate() == 0)
        let said = watch.stderr
        #expect(said.components(separatedBy: "watch: removed the cut-off last line of 'results.jsonl' (a record left unfinished by a full disk or a kill)\n").count == 2, "\(said)")
        #expect(said.components(separatedBy: "watch: removed the cut-off last line of '\(log.path)'; that clip is checked again\n").count == 2, "\(said)")
        #expect(said.contains("watch: stopped; 1 checked, 0 with reuse, 0 failed"), "\(said)")
        // Every line whole, each clip once.
        for url in [results, log] {
            #expect(text(url).hasSuffix("\n"))
            #expect(lines(url).allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "\(text(url))")
        }
        #expect(WatchTests.suspects(text(results)) == ["downloads/first.mp4", "downloads/second.mp4"])
        #expect(WatchTests.records(text(log)).compactMap { ($0["path"] as? String).map { ($0 as NSString).lastPathComponent } } == ["first.mp4", "second.mp4"])

        let resumed = try CLI.run(["compare", "--json", "-o", "results.jsonl", "--resume", "downloads"], environment: env, directory: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr == "compare: 0 checked, 0 with reuse, 0 failed, 2 already in results.jsonl\n")
    }

    @Test func aWatchedFolderRemovedIsNamedAtOnceAndWatchedAgainWhenItComesBack() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        try FileManager.default.removeItem(at: watched)
        #expect(watch.wait { watch.stderr.contains("error: watched folder '\(watched.path)' is gone (removed, renamed or unmounted); watching '\(dir.path)' for it to come back\n") },
                "\(watch.stderr)")
        // Re-created (a drive mounted again, a cleanup undone), with a clip already in it.
        let staging = dir.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Self.copyClip("unrelated.mp4", to: staging.appendingPathComponent("before.mp4"))
        try FileManager.default.moveItem(at: staging, to: watched)
        #expect(watch.wait { watch.stderr.contains("watch: watched folder '\(watched.path)' is back; watching it again\n") }, "\(watch.stderr)")
        #expect(watch.wait { WatchTests.suspects(watch.stdout).contains("downloads/before.mp4") }, "\(watch.stderr)")
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("after.mp4"))
        #expect(watch.wait { WatchTests.suspects(watch.stdout).contains("downloads/after.mp4") }, "\(watch.stderr)")
        #expect(watch.terminate() == 0)
        #expect(WatchTests.suspects(watch.stdout) == ["downloads/before.mp4", "downloads/after.mp4"])
    }

    @Test func aWatchedFolderRenamedAwayAndNotBackMakesTheStopAFailure() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        try FileManager.default.moveItem(at: watched, to: dir.appendingPathComponent("renamed"))
        #expect(watch.wait { watch.stderr.contains("error: watched folder '\(watched.path)' is gone") }, "\(watch.stderr)")
        // A clip landing in the folder under its new name is not reported under the old one.
        try Self.copyClip("unrelated.mp4", to: dir.appendingPathComponent("renamed/moved.mp4"))
        #expect(watch.terminate() == 2)
        #expect(watch.stderr.hasSuffix("error: watched folder '\(watched.path)' gone when the watch stopped\n"), "\(watch.stderr)")
        #expect(!WatchTests.suspects(watch.stdout).contains("downloads/moved.mp4"))
    }

    @Test func whenEveryWatchedFolderIsGoneForGoodTheWatchEndsWithStatus2() throws {
        let (dir, _, env) = try WatchTests.setUp()
        let outer = dir.appendingPathComponent("outer")
        let watched = outer.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: watched, withIntermediateDirectories: true)
        let watch = try RunningWatch(["--json", "--settle", "0.5", "outer/downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching outer/downloads") }, "\(watch.stderr)")
        try FileManager.default.removeItem(at: outer)
        let ended = watch.wait { !watch.process.isRunning }
        #expect(ended, "still running: \(watch.stderr)")
        #expect((ended ? watch.process.terminationStatus : watch.terminate()) == 2)
        #expect(watch.stderr.contains("error: every watched folder is gone: '\(watched.path)'\n"), "\(watch.stderr)")
    }

    /// Names of 255 bytes, the most a Linux file name holds, alike but for their last letter
    /// ("é" is two bytes, so a cut at a byte count can fall inside one): each gets a report under
    /// a name that fits, the two do not collide, and the hook is told where each report is.
    @Test func clipsWithTheLongestNamesGetAReportEachAndTheHookItsPath() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        let told = dir.appendingPathComponent("told.txt")
        let watch = try RunningWatch(["--json", "--settle", "0.5", "--html-dir", "reports",
                                      "--on-match", "printf '%s\\n' \"$VMATCH_REPORT\" >> '\(told.path)'", "downloads"],
                                     environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        let names = ["1", "2"].map { String(repeating: "\u{E9}", count: 123) + "-cut" + $0 + ".mp4" }
        #expect(names.allSatisfy { $0.utf8.count == 255 })
        for name in names { try Self.copyClip("reupload.mp4", to: watched.appendingPathComponent(name)) }
        // One line per hook run, empty when it was not told of a report.
        func lines() -> [String] {
            ((try? String(contentsOf: told, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        #expect(watch.wait { lines().count == 2 }, "\(watch.stderr)")
        #expect(watch.terminate() == 0)
        #expect(!watch.stderr.contains("error:"), "\(watch.stderr)")

        let reports = lines()
        #expect(Set(reports).count == 2 && reports.allSatisfy { !$0.isEmpty }, "\(reports)")
        var shown: [String] = []
        for report in reports where !report.isEmpty {
            let file = (report as NSString).lastPathComponent
            #expect(file.utf8.count <= 255 && file.hasSuffix(".html"), "\(file)")
            let path = report.hasPrefix("/") ? report : (dir.path as NSString).appendingPathComponent(report)
            let page = try String(contentsOfFile: path, encoding: .utf8)
            shown += names.filter { page.contains($0) }
        }
        #expect(shown.sorted() == names.sorted(), "each report names its own clip")
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("reports").path)
        #expect(written.count == 2)
    }

    /// A hook that hangs (issue 35, item 5): the next clip is checked and recorded while it runs,
    /// and SIGTERM ends it (its whole process group) and the watch within seconds, not after the
    /// hook's 60 s limit.
    @Test func aHangingHookDoesNotStallTheWatchAndAStopEndsIt() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let started = dir.appendingPathComponent("hook-started.txt")
        // The shell's process group (fifth field of its stat); `sleep` runs in that group as its child.
        let watch = try RunningWatch(["--json", "--settle", "0.5", "--on-match", "cut -d' ' -f5 /proc/$$/stat >> '\(started.path)'; sleep 600", "downloads"],
                                     environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        func groups() -> [pid_t] {
            ((try? String(contentsOf: started, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
        }
        /// Whether a process of `group` still runs (one that ended but is not yet reaped, a
        /// zombie, does not count).
        func alive(_ group: pid_t) -> Bool {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return pids.contains { pid in
                guard Int(pid) != nil, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let end = stat.range(of: ")", options: .backwards) else { return false }
                // After "(name)": state, ppid, pgrp.
                let fields = stat[end.upperBound...].split(separator: " ")
                return fields.count > 2 && fields[0] != "Z" && pid_t(fields[2]) == group
            }
        }

        try Self.copyClip("reupload.mp4", to: watched.appendingPathComponent("first.mp4"))
        #expect(watch.wait { groups().count == 1 }, "\(watch.stderr)")
        try Self.copyClip("reupload.mp4", to: watched.appendingPathComponent("second.mp4"))
        #expect(watch.wait { WatchTests.suspects(watch.stdout).contains("downloads/second.mp4") }, "\(watch.stderr)")
        // Recorded while the first hook still runs: it was not waited for.
        let first = groups().first ?? 0
        #expect(first > 0 && alive(first), "the first hook is no longer running: \(watch.stderr)")
        #expect(!watch.stderr.contains("took longer than"), "\(watch.stderr)")

        kill(watch.process.processIdentifier, SIGTERM)
        let stopped = watch.wait(limit: 10) { !watch.process.isRunning }
        #expect(stopped, "not stopped within 10 s: \(watch.stderr)")
        // (A hook left behind would keep the watch's process from being seen to end.)
        if !stopped { for group in groups() { kill(-group, SIGKILL) } }
        #expect(watch.terminate() == 0)
        // Nothing of any hook is left running.
        #expect(groups().allSatisfy { !alive($0) }, "\(groups())")
        #expect(watch.stderr.contains("--on-match command for '\(watched.path)/first.mp4' failed: it was stopped with the watch\n"), "\(watch.stderr)")
        // The second clip's hook waited its turn; the stop came first.
        #expect(groups().count == 1)
        #expect(watch.stderr.contains("--on-match command for '\(watched.path)/second.mp4' failed: it was not run: the watch stopped first\n"), "\(watch.stderr)")
        #expect(WatchTests.suspects(watch.stdout) == ["downloads/first.mp4", "downloads/second.mp4"])
        #expect(watch.stderr.hasSuffix("watch: stopped; 2 checked, 2 with reuse, 0 failed\n"), "\(watch.stderr)")
    }

    /// A watch killed with SIGKILL while a hook runs (issue 35): nothing is left to end the hook
    /// as a stop does, yet neither the hook's shell nor what it started in the background outlives
    /// the watch by more than a few seconds, without the watch being started again.
    @Test func aWatchKilledWithSIGKILLLeavesNoHookRunning() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let pids = dir.appendingPathComponent("hook-pids.txt")
        // The shell and its background child, each named by its PID; the shell waits for the child.
        let watch = try RunningWatch(["--json", "--settle", "0.5", "--on-match",
                                      "sleep 300 & echo \"$$ $!\" > '\(pids.path)'; wait", "downloads"],
                                     environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        func started() -> [pid_t] {
            ((try? String(contentsOf: pids, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        }
        /// Whether `pid` runs (a zombie, ended but not yet reaped, does not count).
        func alive(_ pid: pid_t) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let end = stat.range(of: ")", options: .backwards) else { return false }
            return stat[end.upperBound...].split(separator: " ").first != "Z"
        }

        try Self.copyClip("reupload.mp4", to: watched.appendingPathComponent("first.mp4"))
        #expect(watch.wait { started().count == 2 }, "\(watch.stderr)")
        let hook = started()
        #expect(hook.count == 2 && hook.allSatisfy(alive), "\(hook): \(watch.stderr)")

        // (Not `waitUntilExit`: Process sees the end only once every holder of a descriptor it
        // gave the watch has let go of it, a hook left behind included.)
        kill(watch.process.processIdentifier, SIGKILL)
        #expect(watch.wait(limit: 10) { !alive(watch.process.processIdentifier) })
        let end = Date().addingTimeInterval(5)
        while hook.contains(where: alive) && Date() < end { usleep(50_000) }
        let left = hook.filter(alive)
        // Not to be left behind by a failing test either.
        for pid in left { kill(pid, SIGKILL) }
        #expect(left.isEmpty, "still running 5 s after the watch was killed: \(left)")
    }

    /// A clip a process keeps open for writing and appends to slowly, with pauses longer than
    /// --settle, as a live recorder does (issue 35, item 2): not checked while it is open (no
    /// record, no decode error), checked once after it is closed, and again after it is changed.
    @Test func aClipKeptOpenForWritingIsCheckedOnlyAfterItIsClosed() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        let whole = try Data(contentsOf: Fixture.suspects.appendingPathComponent("reupload.mp4"))
        let clip = watched.appendingPathComponent("live.mp4")
        _ = FileManager.default.createFile(atPath: clip.path, contents: nil)
        let writer = try FileHandle(forWritingTo: clip)
        let pieces = 4
        for i in 0 ..< pieces {
            try writer.write(contentsOf: whole[(whole.count * i / pieces) ..< (whole.count * (i + 1) / pieces)])
            usleep(1_500_000)
        }
        #expect(watch.stdout.isEmpty, "checked while open for writing: \(watch.stdout)")
        #expect(!watch.stderr.contains("error:"), "\(watch.stderr)")
        try writer.close()
        #expect(watch.wait { WatchTests.suspects(watch.stdout) == ["downloads/live.mp4"] }, "\(watch.stderr)")
        usleep(1_500_000)
        #expect(WatchTests.suspects(watch.stdout) == ["downloads/live.mp4"])
        let first = WatchTests.records(watch.stdout).first
        #expect((first?["matches"] as? [[String: Any]])?.isEmpty == false, "\(watch.stdout)")

        // Changed after its check (written again, whole): checked again.
        try Data(contentsOf: Fixture.suspects.appendingPathComponent("unrelated.mp4")).write(to: clip)
        #expect(watch.wait { WatchTests.suspects(watch.stdout).count == 2 }, "\(watch.stderr)")
        #expect(watch.terminate() == 0)
        #expect(WatchTests.suspects(watch.stdout) == ["downloads/live.mp4", "downloads/live.mp4"])
        #expect(!watch.stderr.contains("error:"), "\(watch.stderr)")
        #expect(watch.stderr.hasSuffix("watch: stopped; 2 checked, 1 with reuse, 0 failed\n"), "\(watch.stderr)")
    }

    /// Two watches on one library would both check every clip: the second is refused at start,
    /// naming the log and the first watch's pid; the first goes on, and once it has stopped a new
    /// watch starts (the lock goes with its process, so a killed watch leaves none behind).
    @Test func aSecondWatchOnTheSameLibraryIsRefusedWhileTheFirstRuns() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let log = env["VMATCH_DB"]! + ".watched.jsonl"
        let arguments = ["--json", "--settle", "0.5", "downloads"]
        let first = try RunningWatch(arguments, environment: env, directory: dir)
        #expect(first.wait { first.stderr.contains("watch: watching downloads") }, "\(first.stderr)")

        // Refused at once: the second ends by itself, well before the bound.
        let second = try RunningWatch(arguments, environment: env, directory: dir)
        let ended = second.wait(limit: 20) { !second.process.isRunning }
        #expect(ended, "still running: \(second.stderr)")
        #expect((ended ? second.process.terminationStatus : second.terminate()) == 2)
        #expect(second.stdout.isEmpty)
        #expect(second.stderr == "error: another watch (pid \(first.process.processIdentifier)) is already using '\(log)' for this library; stop it first, or watch with another library\n",
                "\(second.stderr)")

        // The first is untouched: it still checks what lands.
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("first.mp4"))
        #expect(first.wait { WatchTests.suspects(first.stdout) == ["downloads/first.mp4"] }, "\(first.stderr)")
        #expect(first.process.isRunning)
        // Killed outright: no stale lock.
        #expect(first.stop(with: SIGKILL) == SIGKILL)

        let third = try RunningWatch(arguments, environment: env, directory: dir)
        #expect(third.wait { third.stderr.contains("watch: watching downloads") }, "\(third.stderr)")
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("second.mp4"))
        #expect(third.wait { WatchTests.suspects(third.stdout) == ["downloads/second.mp4"] }, "\(third.stderr)")
        #expect(third.terminate() == 0)
        #expect(!third.stderr.contains("error:"), "\(third.stderr)")
    }

    @Test func aHangUpStopsTheWatchAsSIGTERMDoes() throws {
        let (dir, _, env) = try WatchTests.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        let status = watch.stop(with: SIGHUP)
        #expect(watch.process.terminationReason == .exit, "killed by signal \(status.map(String.init) ?? "?")")
        #expect(status == 0)
        #expect(watch.stderr.hasSuffix("watch: stopped; 0 checked, 0 with reuse, 0 failed\n"), "\(watch.stderr)")
    }

    @Test func underNohupAHangUpIsIgnoredAndTheWatchGoesOn() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let watch = try RunningWatch(["--json", "--settle", "0.5", "downloads"], environment: env, directory: dir,
                                     launcher: ["/usr/bin/nohup"])
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        kill(watch.process.processIdentifier, SIGHUP)
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("after-hangup.mp4"))
        #expect(watch.wait { WatchTests.suspects(watch.stdout).contains("downloads/after-hangup.mp4") }, "\(watch.stderr)")
        #expect(watch.process.isRunning)
        #expect(watch.terminate() == 0)
    }

    /// Dangling links, link loops and names that are not UTF-8 (issue 35), there when the watch
    /// starts or arriving while it runs: each named once on stderr, with the words compare uses,
    /// and given a failure record in -o, as compare gives them; the watch goes on.
    @Test func brokenLinksLoopsAndBadNamesAreNamedOnceAndRecordedAsFailures() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: watched.appendingPathComponent("before.mp4").path, withDestinationPath: "/nonexistent/clip.mp4")
        let results = dir.appendingPathComponent("results.jsonl")
        func records() -> [[String: Any]] { WatchTests.records((try? String(contentsOf: results, encoding: .utf8)) ?? "") }
        let watch = try RunningWatch(["--json", "-o", "results.jsonl", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        try fm.createSymbolicLink(atPath: watched.appendingPathComponent("dangling.mp4").path, withDestinationPath: "/nonexistent/clip.mp4")
        try fm.createSymbolicLink(atPath: watched.appendingPathComponent("loop.mp4").path, withDestinationPath: "loop.mp4")
        #expect(BatchAndEvidenceTests.makeNonUTF8File(in: watched, prefix: "bad-", suffix: ".mp4",
                                                      contents: try Data(contentsOf: Fixture.suspects.appendingPathComponent("unrelated.mp4"))))
        try Self.copyClip("unrelated.mp4", to: watched.appendingPathComponent("good.mp4"))
        #expect(watch.wait { records().count == 5 }, "\(watch.stderr)")
        usleep(1_500_000)  // nothing more comes
        #expect(watch.terminate() == 0)
        let nothing = "a symbolic link to nothing (its target does not exist)"
        let loop = "a symbolic link in a loop (following it leads back to a link); point it at a file"
        let expected = [("before.mp4", nothing), ("dangling.mp4", nothing), ("loop.mp4", loop),
                        ("bad-\u{FFFD}\u{FFFD}.mp4", "the file name is not valid UTF-8")]
        let all = records()
        #expect(all.count == 5, "\(all)")
        for (name, reason) in expected {
            #expect(watch.stderr.components(separatedBy: "error: cannot read '\(watched.path)/\(name)': \(reason)\n").count == 2,
                    "\(name) named once: \(watch.stderr)")
            let record = all.first { $0["suspect"] as? String == "downloads/" + name }
            #expect(record?["error"] as? String == "cannot read '\(watched.path)/\(name)': \(reason)", "\(name): \(all)")
        }
        #expect(all.contains { $0["suspect"] as? String == "downloads/good.mp4" && $0["error"] is NSNull })
        #expect(watch.stderr.hasSuffix("watch: stopped; 5 checked, 0 with reuse, 4 failed\n"), "\(watch.stderr)")
    }

    /// A clip checked, then replaced by other content under the same name (issue 35, item 2's
    /// second half): checked again, and its new record says which record it supersedes (that
    /// one's SHA-256 and time). Both records stay valid against the published schema; the first
    /// carries no such field.
    @Test func aClipChangedAfterItsCheckIsCheckedAgainAndItsRecordSupersedesTheOld() throws {
        let (dir, watched, env) = try WatchTests.setUp()
        let results = dir.appendingPathComponent("results.jsonl")
        func records() -> [[String: Any]] { WatchTests.records((try? String(contentsOf: results, encoding: .utf8)) ?? "") }
        let watch = try RunningWatch(["--json", "-o", "results.jsonl", "--settle", "0.5", "downloads"], environment: env, directory: dir)
        #expect(watch.wait { watch.stderr.contains("watch: watching downloads") }, "\(watch.stderr)")
        let clip = watched.appendingPathComponent("clip.mp4")
        try Self.copyClip("unrelated.mp4", to: clip)
        #expect(watch.wait { records().count == 1 }, "\(watch.stderr)")
        // Re-fetched under the same name: written beside it, renamed over it.
        let fresh = dir.appendingPathComponent("fresh.mp4")
        try Self.copyClip("reupload.mp4", to: fresh)
        _ = rename(fresh.path, clip.path)
        #expect(watch.wait { records().count == 2 }, "\(watch.stderr)")
        #expect(watch.terminate() == 0)
        let all = records()
        #expect(all.count == 2, "\(all)")
        guard all.count == 2 else { return }
        #expect(all[0]["supersedes"] == nil)
        let supersedes = all[1]["supersedes"] as? [String: Any]
        #expect(supersedes?["sha256"] as? String == all[0]["sha256"] as? String, "\(all[1])")
        #expect(supersedes?["checked_at"] as? String == all[0]["checked_at"] as? String, "\(all[1])")
        #expect(all[1]["sha256"] as? String == (try EvidenceTests.sha256(clip.path)))
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: EvidenceTests.schemaURL)) as? [String: Any])
        let validator = SchemaValidator(root: schema)
        for record in all { #expect(validator.errors(record).isEmpty, "\(validator.errors(record))") }
    }
}
