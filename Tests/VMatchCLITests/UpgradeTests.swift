// A library written by the previous release, used by this one: read as it is by `compare`,
// upgraded by the first command that writes to it, and the same answers before and after.
import Foundation
import Testing

@Suite struct UpgradeTests {
    /// `Tests/Fixtures/library-schema2.sqlite`: `Fixture.library` (talk.mp4, garden.mp4, made by
    /// the same commands under /tmp/vmatch-schema2-fixture/library) indexed by vmatch 0.1.0 at main
    /// 2a13354 (library schema 2); `library-schema2.expected.json`: what that release answered for
    /// `Fixture.suspects/reupload.mp4` against it.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    struct Segment: Decodable, Equatable {
        var modality: String
        var suspect_start, suspect_end, reference_start, reference_end, score, speed: Double
    }
    struct Match: Decodable, Equatable {
        var reference: String
        var modality: String
        var score: Double
        var segments: [Segment]
    }
    struct Record: Decodable { var matches: [Match] }

    func matches(_ r: CLIResult) throws -> [Match] {
        try JSONDecoder().decode(Record.self, from: Data(r.stdout.utf8)).matches
    }

    @Test func aLibraryOfThePreviousReleaseGivesTheSameAnswersBeforeAndAfterItsUpgrade() throws {
        try Fixture.make()
        let db = Fixture.database()
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("library-schema2.sqlite").path, toPath: db)
        let suspect = Fixture.suspects.appendingPathComponent("reupload.mp4").path

        // Read as it is: compare never writes to the library.
        let before = try CLI.run(["compare", "--json", "--db", db, suspect])
        #expect(before.status == 1, "\(before.stderr)")
        #expect(!before.stderr.contains("upgraded"), "\(before.stderr)")
        let list = try CLI.run(["list", "--db", db])
        #expect(list.status == 0 && list.stdout.contains("/tmp/vmatch-schema2-fixture/library/talk.mp4"), "\(list.stderr)")

        // The first command that writes upgrades it, says so once, and keeps what was indexed.
        let index = try CLI.run(["index", "--db", db, Fixture.suspects.appendingPathComponent("unrelated.mp4").path])
        #expect(index.status == 0, "\(index.stderr)")
        #expect(index.stderr.contains("vmatch: upgraded library '\(db)' from schema 2 to 7"), "\(index.stderr)")
        #expect(index.stderr.contains("1 indexed"), "\(index.stderr)")
        let again = try CLI.run(["index", "--db", db, Fixture.suspects.appendingPathComponent("unrelated.mp4").path])
        #expect(again.status == 0 && !again.stderr.contains("upgraded"), "\(again.stderr)")

        let after = try CLI.run(["compare", "--json", "--db", db, suspect])
        #expect(after.status == 1, "\(after.stderr)")
        let found = try matches(after)
        #expect(found == (try matches(before)))

        // And what the previous release itself answered (the clip is made again by the same
        // commands, so times may differ by a frame's worth).
        struct Expected: Decodable { var matches: [Match] }
        let old = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("library-schema2.expected.json"))).matches
        #expect(found.count == old.count)
        for (new, was) in zip(found, old) {
            #expect(new.reference == was.reference && new.modality == was.modality && abs(new.score - was.score) <= 0.01)
            #expect(new.segments.count == was.segments.count)
            for (s, t) in zip(new.segments, was.segments) {
                #expect(s.modality == t.modality && abs(s.speed - t.speed) <= 0.01)
                for (a, b) in [(s.suspect_start, t.suspect_start), (s.suspect_end, t.suspect_end),
                               (s.reference_start, t.reference_start), (s.reference_end, t.reference_end)] {
                    #expect(abs(a - b) <= 0.1, "\(s) against \(t)")
                }
            }
        }
    }
}
