// `vmatch index` runs that meet (issue 35, item 6): several creating one new library at once
// each wait for the lock, and every video lands.
import Foundation
import Testing

@Suite struct IndexFaultTests {
    @Test func indexRunsCreatingOneNewLibraryAtOnceAllSucceedAndKeepEveryVideo() throws {
        let dir = CLI.workDirectory.appendingPathComponent("index-race-\(UUID().uuidString)")
        let runs = 3
        var folders: [URL] = []
        for k in 0 ..< runs {
            let folder = dir.appendingPathComponent("folder\(k)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let clip = try CLI.ffmpeg("race-\(k).mp4", ["-f", "lavfi", "-i", "testsrc=size=64x36:rate=10:duration=1",
                                                        "-vf", "hue=h=\(k * 90)", "-pix_fmt", "yuv420p"])
            try FileManager.default.copyItem(atPath: clip, toPath: folder.appendingPathComponent("clip\(k).mp4").path)
            folders.append(folder)
        }
        // The race is narrow (it is in the first milliseconds of each run), so it is run several
        // times; LibraryCreationTests reproduces it reliably in one process.
        for round in 0 ..< 8 {
            let env = ["VMATCH_DB": dir.appendingPathComponent("library-\(round).sqlite").path]
            let lock = NSLock()
            nonisolated(unsafe) var results: [CLIResult] = []
            let done = DispatchGroup()
            for folder in folders {
                done.enter()
                Thread {
                    let result = (try? CLI.run(["index", "-q", folder.path], environment: env))
                        ?? CLIResult(status: -1, stdout: "", stderr: "could not run")
                    lock.lock()
                    results.append(result)
                    lock.unlock()
                    done.leave()
                }.start()
            }
            done.wait()
            #expect(results.map(\.status) == Array(repeating: 0, count: runs), "round \(round): \(results.map(\.stderr))")
            #expect(!results.contains { $0.stderr.contains("locked") }, "round \(round): \(results.map(\.stderr))")
            let list = try CLI.run(["list"], environment: env)
            #expect(list.stdout.split(separator: "\n").count == runs + 1, "round \(round): \(list.stdout)")
            if results.contains(where: { $0.status != 0 }) { break }
        }
    }
}
