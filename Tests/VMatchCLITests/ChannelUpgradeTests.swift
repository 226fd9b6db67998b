// A library indexed before a channel existed gets the channel the next time `index` sees the
// file: the file is fingerprinted again, not counted unchanged. Here the library is made as the
// release before the 8x8 motion grids left it: its grids under the 4x4 channel's name
// ("picture-motion"), which nothing reads any more; they go when the file is indexed again.
import Foundation
import Testing

@Suite struct ChannelUpgradeTests {
    /// A folder of its own holding the fixture's talk.mp4, indexed once into a new library.
    func indexedTalk(_ name: String) throws -> (db: String, folder: URL) {
        try Fixture.make()
        let folder = CLI.workDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let clip = folder.appendingPathComponent("talk.mp4")
        if !FileManager.default.fileExists(atPath: clip.path) {
            try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent("talk.mp4"), to: clip)
        }
        let db = Fixture.database()
        let first = try CLI.run(["index", "--db", db, folder.path])
        #expect(first.status == 0 && first.stderr.contains("1 indexed"), "\(first.stderr)")
        return (db, folder)
    }

    @Test func aVideoIndexedWithoutAChannelIsIndexedAgainToAddIt() throws {
        let (db, folder) = try indexedTalk("channel-upgrade-library")

        func motionRows(_ channel: String = "picture-motion-8x8") throws -> Int {
            Int(try CLI.sqlite(db, "SELECT count(*) FROM fingerprints WHERE channel = '\(channel)' AND length(data) > 0").first ?? "") ?? -1
        }
        #expect(try motionRows() == 1)
        _ = try CLI.sqlite(db, "UPDATE fingerprints SET channel = 'picture-motion' WHERE channel = 'picture-motion-8x8'")
        #expect(try motionRows() == 0)
        #expect(try motionRows("picture-motion") == 1)

        let again = try CLI.run(["index", "--db", db, folder.path])
        #expect(again.status == 0 && again.stderr.contains("1 indexed"), "\(again.stderr)")
        #expect(try motionRows() == 1)
        #expect(try motionRows("picture-motion") == 0)
        let third = try CLI.run(["index", "--db", db, folder.path])
        #expect(third.status == 0 && third.stderr.contains("1 unchanged"), "\(third.stderr)")
    }

    /// Since issue 33 a reference's sound is kept as its peaks ("sound-peaks"), its landmarks made
    /// from them when read. A video indexed before holds its landmarks whole ("sound-landmarks",
    /// full tier): `index` keeps it as it is (it reads as before); one that holds neither is
    /// fingerprinted again.
    @Test func aVideoWhoseLandmarksAreStoredWholeIsNotIndexedAgainForThePeaks() throws {
        let (db, folder) = try indexedTalk("peaks-upgrade-library")

        func bytes(_ channel: String, _ tier: String = "full") throws -> Int {
            Int(try CLI.sqlite(db, "SELECT coalesce(sum(length(data)), -1) FROM fingerprints WHERE channel = '\(channel)' AND tier = '\(tier)'").first ?? "") ?? -2
        }
        #expect(try bytes("sound-peaks") > 0)
        #expect(try bytes("sound-landmarks") == 0)
        #expect(try bytes("sound-landmarks", "anchors") > 0)

        // As an older vmatch left it: landmarks whole (here the anchors' ones), no peaks.
        _ = try CLI.sqlite(db, """
            UPDATE fingerprints SET data = (SELECT data FROM fingerprints WHERE channel = 'sound-landmarks' AND tier = 'anchors')
            WHERE channel = 'sound-landmarks' AND tier = 'full'
            """)
        _ = try CLI.sqlite(db, "DELETE FROM fingerprints WHERE channel = 'sound-peaks'")
        #expect(try bytes("sound-peaks") == -1)
        let kept = try CLI.run(["index", "--db", db, folder.path])
        #expect(kept.status == 0 && kept.stderr.contains("1 unchanged"), "\(kept.stderr)")
        #expect(try bytes("sound-peaks") == -1 && bytes("sound-landmarks") > 0)

        // Neither landmarks nor peaks: made again.
        _ = try CLI.sqlite(db, "UPDATE fingerprints SET data = x'' WHERE channel = 'sound-landmarks' AND tier = 'full'")
        let again = try CLI.run(["index", "--db", db, folder.path])
        #expect(again.status == 0 && again.stderr.contains("1 indexed"), "\(again.stderr)")
        #expect(try bytes("sound-peaks") > 0 && bytes("sound-landmarks") == 0)
    }
}
