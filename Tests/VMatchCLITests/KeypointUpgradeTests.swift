// Issue 29: a library indexed with the keypoint channel off gets its keypoints the first time
// `index` runs with it on (VMATCH_KEYPOINTS=1), with no `vmatch remove` first; a file indexed
// with it on is not fingerprinted again when it is off, nor on every run with it on when it has
// no keypoints to give (a file without pictures, a picture without corners).
import Foundation
import Testing

@Suite struct KeypointUpgradeTests {
    /// A folder of its own under the test's work directory holding `files` (made on first use).
    func folder(_ name: String, _ files: [(name: String, make: (String) throws -> Void)]) throws -> URL {
        let folder = CLI.workDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(file.name).path) {
            try file.make(folder.appendingPathComponent(file.name).path)
        }
        return folder
    }

    func talk(into path: String) throws {
        try Fixture.make()
        try FileManager.default.copyItem(at: Fixture.library.appendingPathComponent("talk.mp4"), to: URL(fileURLWithPath: path))
    }

    func ffmpeg(_ arguments: [String]) -> (String) throws -> Void {
        { path in
            let made = try CLI.ffmpeg((path as NSString).lastPathComponent, arguments)
            try FileManager.default.copyItem(atPath: made, toPath: path)
        }
    }

    /// Bytes of the full-tier keypoint blob of the file named `name`; nil when there is none.
    func keypointBytes(_ db: String, _ name: String) throws -> Int? {
        try CLI.sqlite(db, """
            SELECT length(f.data) FROM fingerprints f JOIN videos v ON v.id = f.video_id
            WHERE f.channel = 'keypoints' AND f.tier = 'full' AND v.path LIKE '%/\(name)'
            """).first.flatMap { Int($0) }
    }

    @Test func aVideoIndexedWithKeypointsOffGetsThemWhenIndexedWithThemOn() throws {
        let folder = try folder("keypoint-upgrade-talk", [("talk.mp4", talk)])
        let db = Fixture.database()
        let off = ["VMATCH_DB": db, "VMATCH_KEYPOINTS": "0"], on = ["VMATCH_DB": db, "VMATCH_KEYPOINTS": "1"]

        let first = try CLI.run(["index", folder.path], environment: off)
        #expect(first.status == 0 && first.stderr.contains("1 indexed"), "\(first.stderr)")
        #expect(try keypointBytes(db, "talk.mp4") ?? 0 == 0)

        let upgrade = try CLI.run(["index", folder.path], environment: on)
        #expect(upgrade.status == 0 && upgrade.stderr.contains("1 indexed"), "\(upgrade.stderr)")
        // Said before the work, since the file did not change.
        #expect(upgrade.stderr.hasPrefix("index: 1 unchanged file was indexed without the keypoints channel; fingerprinting it again\n"),
                "\(upgrade.stderr)")
        #expect(try keypointBytes(db, "talk.mp4") ?? 0 > 0)

        let again = try CLI.run(["index", folder.path], environment: on)
        #expect(again.status == 0 && again.stderr.contains("1 unchanged"), "\(again.stderr)")
        #expect(!again.stderr.contains("fingerprinting"), "\(again.stderr)")
        let switchedOff = try CLI.run(["index", folder.path], environment: off)
        #expect(switchedOff.status == 0 && switchedOff.stderr.contains("1 unchanged"), "\(switchedOff.stderr)")
        #expect(try keypointBytes(db, "talk.mp4") ?? 0 > 0)
    }

    @Test func filesWithNoKeypointsToGiveAreNotIndexedOnEveryRunWithThemOn() throws {
        let folder = try folder("keypoint-upgrade-none", [
            ("tone.m4a", ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=6", "-c:a", "aac"])),
            ("plain.mp4", ffmpeg(["-f", "lavfi", "-i", "color=c=gray:size=160x90:rate=25:duration=6",
                                  "-f", "lavfi", "-i", "sine=frequency=550:sample_rate=44100:duration=6",
                                  "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"])),
        ])
        let db = Fixture.database()
        let on = ["VMATCH_DB": db, "VMATCH_KEYPOINTS": "1"]

        let first = try CLI.run(["index", folder.path], environment: on)
        #expect(first.status == 0 && first.stderr.contains("2 indexed"), "\(first.stderr)")
        #expect(try keypointBytes(db, "plain.mp4") == 0)
        let again = try CLI.run(["index", folder.path], environment: on)
        #expect(again.status == 0 && again.stderr.contains("2 unchanged"), "\(again.stderr)")

        // Indexed with the channel off, a file without pictures has nothing to add when it is on.
        let tone = folder.appendingPathComponent("tone.m4a").path
        #expect(try CLI.run(["remove", tone], environment: on).status == 0)
        let off = try CLI.run(["index", tone], environment: ["VMATCH_DB": db, "VMATCH_KEYPOINTS": "0"])
        #expect(off.status == 0 && off.stderr.contains("1 indexed"), "\(off.stderr)")
        let onAgain = try CLI.run(["index", tone], environment: on)
        #expect(onAgain.status == 0 && onAgain.stderr.contains("1 unchanged"), "\(onAgain.stderr)")
    }

    /// Rows written before issue 29 keep an empty keypoint blob (format 1) whether the channel
    /// was off or found nothing: a video's is made again once, a file without pictures is left.
    @Test func aLibraryFromBeforeTheFixIsUpgradedOnce() throws {
        let folder = try folder("keypoint-upgrade-legacy", [
            ("talk.mp4", talk),
            ("tone.m4a", ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=6", "-c:a", "aac"])),
        ])
        let db = Fixture.database()
        let on = ["VMATCH_DB": db, "VMATCH_KEYPOINTS": "1"]
        let first = try CLI.run(["index", folder.path], environment: on)
        #expect(first.status == 0 && first.stderr.contains("2 indexed"), "\(first.stderr)")
        // What the release before wrote with the channel off.
        _ = try CLI.sqlite(db, "DELETE FROM fingerprints WHERE channel = 'keypoints'")
        _ = try CLI.sqlite(db, """
            INSERT INTO fingerprints (video_id, channel, tier, format, data)
            SELECT id, 'keypoints', tier, 1, x'' FROM videos, (SELECT 'full' AS tier UNION SELECT 'anchors')
            """)
        #expect(try keypointBytes(db, "talk.mp4") == 0)

        let upgrade = try CLI.run(["index", folder.path], environment: on)
        #expect(upgrade.status == 0 && upgrade.stderr.contains("1 indexed, 1 unchanged"), "\(upgrade.stderr)")
        #expect(try keypointBytes(db, "talk.mp4") ?? 0 > 0)
        let again = try CLI.run(["index", folder.path], environment: on)
        #expect(again.status == 0 && again.stderr.contains("2 unchanged"), "\(again.stderr)")
    }
}
