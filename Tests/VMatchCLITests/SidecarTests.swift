// The yt-dlp sidecar (`NAME.info.json`) as a hostile download could make it (issue 35, item 9):
// huge fields, a huge file. What a report shows of it stays small; the clip is checked anyway.
import Foundation
import Testing

@Suite struct SidecarTests {
    /// The fixture's library indexed, and `clips/NAME.mp4` (the re-upload) with `sidecar` as
    /// its `NAME.info.json`.
    private static func setUp(clip name: String, sidecar: [String: Any]) throws -> (dir: URL, env: [String: String]) {
        let (dir, _, env) = try WatchTests.setUp()
        let clips = dir.appendingPathComponent("clips")
        try FileManager.default.createDirectory(at: clips, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixture.suspects.appendingPathComponent("reupload.mp4"), to: clips.appendingPathComponent(name + ".mp4"))
        try JSONSerialization.data(withJSONObject: sidecar).write(to: clips.appendingPathComponent(name + ".info.json"))
        return (dir, env)
    }

    /// A 2 MB title and a 5,000-character uploader (a sidecar under the size limit) are shown
    /// cut, ending in an ellipsis, in the JSON record, the text report and the HTML report alike;
    /// a field of ordinary length is shown whole.
    @Test func longFieldsAreShownCutWithAnEllipsis() throws {
        let title = "Miracle trick " + String(repeating: "A", count: 2_000_000)
        let (dir, env) = try Self.setUp(clip: "long", sidecar: ["title": title, "uploader": String(repeating: "U", count: 5000),
                                                                "webpage_url": "https://video.example/watch?v=x1Y2"])
        let long = String(repeating: "A", count: 1000)

        let json = try CLI.run(["compare", "--json", "--html", "report.html", "clips/long.mp4"], environment: env, directory: dir)
        #expect(json.status == 1, "\(json.stderr)")
        let record = try #require(WatchTests.records(json.stdout).first)
        let source = try #require(record["source"] as? [String: Any])
        // Expectations on booleans: a failure must not print megabytes.
        let shownTitle = try #require(source["title"] as? String)
        let titleCut = shownTitle.hasPrefix("Miracle trick AAA") && shownTitle.hasSuffix("…") && shownTitle.count <= 1000
        #expect(titleCut, "a title of \(shownTitle.count) characters")
        let uploader = try #require(source["uploader"] as? String)
        let uploaderCut = uploader.hasPrefix("UUU") && uploader.hasSuffix("…") && uploader.count <= 1000
        #expect(uploaderCut, "an uploader of \(uploader.count) characters")
        #expect(source["webpage_url"] as? String == "https://video.example/watch?v=x1Y2")
        #expect(json.stdout.utf8.count < 20_000, "a record of \(json.stdout.utf8.count) bytes")

        let page = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        let pageShowsTitle = page.contains(shownTitle), pageShowsLong = page.contains(long)
        #expect(pageShowsTitle && !pageShowsLong, "the HTML report does not show the title as the record does")

        let text = try CLI.run(["compare", "clips/long.mp4"], environment: env, directory: dir)
        #expect(text.status == 1, "\(text.stderr)")
        let textShowsTitle = text.stdout.contains("  title: \(shownTitle)\n"), textShowsLong = text.stdout.contains(long)
        #expect(textShowsTitle && !textShowsLong, "\(text.stdout.prefix(500))")
    }

    /// A sidecar over the size limit is not read: a one-line warning names it, and the clip is
    /// checked and reported as usual, without a source.
    @Test func aSidecarOverTheSizeLimitIsNamedAndPassedOver() throws {
        let (dir, env) = try Self.setUp(clip: "huge", sidecar: ["title": String(repeating: "T", count: 9_000_000), "id": "x1Y2"])
        let r = try CLI.run(["compare", "--json", "clips/huge.mp4"], environment: env, directory: dir)
        #expect(r.status == 1, "\(r.stderr)")
        let record = try #require(WatchTests.records(r.stdout).first)
        let noSource = record["source"] is NSNull
        #expect(noSource, "\(String(describing: record["source"]).prefix(200))")
        #expect((record["matches"] as? [[String: Any]])?.isEmpty == false)
        let warnings = r.stderr.split(separator: "\n").filter { $0.contains("clips/huge.info.json") }
        #expect(warnings.count == 1 && warnings.allSatisfy { $0.hasPrefix("warning: ") && $0.count < 300 }, "\(r.stderr.prefix(2000))")
    }

    /// A sidecar that is a symbolic link (issue 35): one to a file in the clip's folder is read and
    /// the record names the file read, not the link; one that leads out of the clip's folder
    /// (a download that points its sidecar at someone else's file) is not read: a warning says
    /// so, and the clip is reported without a source.
    @Test func aSymlinkedSidecarIsReadOnlyInsideTheClipsFolderAndNamedByItsTarget() throws {
        let (dir, env) = try Self.setUp(clip: "inside", sidecar: ["title": "Kept", "id": "x1Y2"])
        let clips = dir.appendingPathComponent("clips")
        let fm = FileManager.default
        // inside.info.json is real; linked.mp4's sidecar links to it (same folder).
        try fm.copyItem(at: Fixture.suspects.appendingPathComponent("reupload.mp4"), to: clips.appendingPathComponent("linked.mp4"))
        try fm.createSymbolicLink(atPath: clips.appendingPathComponent("linked.info.json").path, withDestinationPath: "inside.info.json")
        // outside.mp4's sidecar links out of the folder.
        let elsewhere = dir.appendingPathComponent("private.json")
        try JSONSerialization.data(withJSONObject: ["title": "Secret", "id": "s3"]).write(to: elsewhere)
        try fm.copyItem(at: Fixture.suspects.appendingPathComponent("reupload.mp4"), to: clips.appendingPathComponent("outside.mp4"))
        try fm.createSymbolicLink(atPath: clips.appendingPathComponent("outside.info.json").path, withDestinationPath: elsewhere.path)

        let r = try CLI.run(["compare", "--json", "clips/linked.mp4", "clips/outside.mp4"], environment: env, directory: dir)
        #expect(r.status == 1, "\(r.stderr)")
        let records = WatchTests.records(r.stdout)
        #expect(records.count == 2)
        let linked = records.first { $0["suspect"] as? String == "clips/linked.mp4" }?["source"] as? [String: Any]
        #expect(linked?["title"] as? String == "Kept")
        #expect(linked?["sidecar"] as? String == clips.appendingPathComponent("inside.info.json").path, "\(String(describing: linked))")
        let outside = records.first { $0["suspect"] as? String == "clips/outside.mp4" }
        #expect(outside?["source"] is NSNull, "\(String(describing: outside?["source"]))")
        #expect(!r.stdout.contains("Secret"))
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings == ["warning: '\(clips.path)/outside.info.json' is a symbolic link to '\(elsewhere.path)', outside the clip's folder, and was not read; the report has no source for '\(clips.path)/outside.mp4'"], "\(r.stderr)")
    }
}
