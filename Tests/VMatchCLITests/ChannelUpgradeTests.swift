// A library indexed before a channel existed gets the channel the next time `index` sees the
// file: the file is fingerprinted again, not counted unchanged. Here the library is made as the
// release before the 8x8 motion grids left it: its grids under the 4x4 channel's name
// ("picture-motion"), which nothing reads any more; they go when the file is indexed again.
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

        func motionRows(_ channel: String = "picture-motion-8x8") throws -> Int {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            p.arguments = ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM fingerprints WHERE channel = ? AND length(data) > 0\", (sys.argv[2],)).fetchone()[0])", db, channel]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            p.waitUntilExit()
            return Int(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        #expect(try motionRows() == 1)
        let strip = Process()
        strip.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        strip.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE fingerprints SET channel = 'picture-motion' WHERE channel = 'picture-motion-8x8'\"); c.commit()", db]
        try strip.run()
        strip.waitUntilExit()
        #expect(strip.terminationStatus == 0)
        #expect(try motionRows() == 0)
        #expect(try motionRows("picture-motion") == 1)

        let again = try CLI.run(["index", "--db", db, folder.path])
        #expect(again.status == 0 && again.stderr.contains("1 indexed"), "\(again.stderr)")
        #expect(try motionRows() == 1)
        #expect(try motionRows("picture-motion") == 0)
        let third = try CLI.run(["index", "--db", db, folder.path])
        #expect(third.status == 0 && third.stderr.contains("1 unchanged"), "\(third.stderr)")
    }
}
