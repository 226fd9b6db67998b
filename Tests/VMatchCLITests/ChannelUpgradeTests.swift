// A library indexed before a channel existed (here: its motion grids taken out, as a library of
// the release before them lacks them) gets the channel the next time `index` sees the file: the
// file is fingerprinted again, not counted unchanged.
import Foundation
import Testing

@Suite struct ChannelUpgradeTests {
    @Test func aVideoIndexedWithoutAChannelIsIndexedAgainToAddIt() throws {
        try Fixture.make()
        let folder = CLI.workDirectory.appendingPathComponent("channel-upgrade-library")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let clip = folder.appendingPathComponent("talk.mp4")
        if !FileManager.default.fileExists(atPath: clip.path) {
            try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent("talk.mp4"), to: clip)
        }
        let db = Fixture.database()
        let first = try CLI.run(["index", "--db", db, folder.path])
        #expect(first.status == 0 && first.stderr.contains("1 indexed"), "\(first.stderr)")

        func motionRows() throws -> Int {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            p.arguments = ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM fingerprints WHERE channel = 'picture-motion' AND length(data) > 0\").fetchone()[0])", db]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            p.waitUntilExit()
            return Int(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        #expect(try motionRows() == 1)
        let strip = Process()
        strip.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        strip.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"DELETE FROM fingerprints WHERE channel = 'picture-motion'\"); c.commit()", db]
        try strip.run()
        strip.waitUntilExit()
        #expect(strip.terminationStatus == 0)
        #expect(try motionRows() == 0)

        let again = try CLI.run(["index", "--db", db, folder.path])
        #expect(again.status == 0 && again.stderr.contains("1 indexed"), "\(again.stderr)")
        #expect(try motionRows() == 1)
        let third = try CLI.run(["index", "--db", db, folder.path])
        #expect(third.status == 0 && third.stderr.contains("1 unchanged"), "\(third.stderr)")
    }
}
