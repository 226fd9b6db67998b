// The keypoint channel, on by default (VMATCH_KEYPOINTS=0 switches it off): a re-upload turned by
// a few degrees with its voice replaced has only its picture to give it away, and a whole-frame
// hash does not survive the turn.
import Foundation
import Testing

@Suite struct KeypointSwitchTests {
    /// The fixture's talk (input 0) edited by `filter` into `[v]`, with the unrelated clip
    /// (input 1) for its sound: only the picture is reused.
    func talkPictureWithAnotherVoice(_ name: String, filter: String) throws -> String {
        try Fixture.make()
        return try CLI.ffmpeg(name, [
            "-i", Fixture.library.appendingPathComponent("talk.mp4").path,
            "-i", Fixture.suspects.appendingPathComponent("unrelated.mp4").path,
            "-filter_complex", filter,
            "-map", "[v]", "-map", "1:a", "-shortest", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac"])
    }

    /// A fresh library of the fixture indexed with the keypoint channel on, and its environment.
    func keypointLibrary() throws -> [String: String] {
        let on = ["VMATCH_DB": Fixture.database(), "VMATCH_KEYPOINTS": "1"]
        let index = try CLI.run(["index", Fixture.library.path], environment: on)
        #expect(index.status == 0, "\(index.stderr)")
        return on
    }

    @Test func aTurnedReuploadWithANewVoiceIsFoundOnlyWithKeypointsOn() throws {
        let turned = try talkPictureWithAnotherVoice(
            "turned-new-voice.mp4", filter: "[0:v]trim=start=2:end=11,setpts=PTS-STARTPTS,rotate=8*PI/180:ow=iw:oh=ih:c=black[v]")
        // By default: found.
        let byDefault = ["VMATCH_DB": Fixture.database()]
        #expect(try CLI.run(["index", Fixture.library.path], environment: byDefault).status == 0)
        #expect(try CLI.run(["compare", turned], environment: byDefault).status == 1)
        let on = try keypointLibrary()

        let found = try CLI.run(["compare", "--json", turned], environment: on)
        #expect(found.status == 1, "\(found.stderr)")
        struct Record: Decodable {
            struct Match: Decodable { var reference: String; var modality: String }
            var matches: [Match]
        }
        let record = try JSONDecoder().decode(Record.self, from: Data(found.stdout.utf8))
        #expect(record.matches.map { ($0.reference as NSString).lastPathComponent } == ["talk.mp4"], "\(found.stdout)")
        #expect(record.matches.first?.modality == "video", "\(found.stdout)")

        var off = on
        off["VMATCH_KEYPOINTS"] = "0"
        let missed = try CLI.run(["compare", turned], environment: off)
        #expect(missed.status == 0, "\(missed.stdout)")
    }

    /// By default (VMATCH_INSET_KEYPOINTS=0 switches it off) a small picture-in-picture inset is
    /// also described on its own, enlarged, and its keypoints are given back where the inset is:
    /// the reference shown at a quarter of the frame's width, at (400, 230) of other footage with
    /// another voice, is found there. (This fixture's inset is found without the switch too, by
    /// the whole frame's keypoints; what the switch adds is measured on the large profile, see
    /// FingerprintOptions.)
    @Test func aSmallInsetIsFoundWithInsetKeypointsOn() throws {
        let inset = try talkPictureWithAnotherVoice(
            "inset-quarter.mp4",
            filter: "[1:v]scale=640:360,setsar=1[bg];[0:v]trim=start=1:end=11,setpts=PTS-STARTPTS,scale=160:90[fg];"
                + "[bg][fg]overlay=x=400:y=230:shortest=1,format=yuv420p[v]")
        let on = try keypointLibrary()
        let found = try CLI.run(["compare", "--json", inset], environment: on)
        #expect(found.status == 1, "\(found.stderr)")
        struct Record: Decodable {
            struct Picture: Decodable { var corners: [[Double]]; var area_share: Double }
            struct Segment: Decodable { var picture: Picture? }
            struct Match: Decodable { var reference: String; var modality: String; var segments: [Segment] }
            var matches: [Match]
        }
        let record = try JSONDecoder().decode(Record.self, from: Data(found.stdout.utf8))
        let match = try #require(record.matches.first, "\(found.stdout)")
        #expect((match.reference as NSString).lastPathComponent == "talk.mp4" && match.modality == "video", "\(found.stdout)")
        // Where: centred on the inset. (How large is not asked: the fixture's picture zooms
        // steadily, so neighbouring reference moments fit the inset at their own sizes; see below.)
        let picture = try #require(match.segments.compactMap(\.picture).first, "\(found.stdout)")
        #expect(picture.corners.count == 4)
        let centre = picture.corners.reduce(SIMD2<Double>.zero) { $0 + SIMD2($1[0], $1[1]) } / 4
        #expect(abs(centre.x - 480.0 / 640) < 0.02 && abs(centre.y - 275.0 / 360) < 0.02, "\(picture.corners)")
        #expect(picture.area_share < 0.15, "\(picture.area_share)")
    }

    /// Issue 31: the reference shown as an inset of known place, size and angle is outlined
    /// where it is, within 3 % of the frame, in JSON and in words.
    ///
    /// The reference is a slideshow of textures, a new one each second, so that which of its
    /// moments the inset shows is a question with one answer. The fixture's talk.mp4 is a
    /// camera move over a still (a zoom and a pan): each of its moments is another view of
    /// the same picture, and every one of them fits the inset at a size and place of its own —
    /// which one is shown is told only by what the two pictures cover (the wider views' margins
    /// have no counterpart in the inset), not by the keypoints' fits. vmatch picks among them
    /// by the fits and can land a second early there (README, "What it does not detect");
    /// this test asked for that answer until 2026-12-08, and it passed or failed by machine.
    @Test func anInsetIsOutlinedWhereItIs() throws {
        try Fixture.make()
        // Twelve different textures, one a second (blurred noise: corners everywhere, nothing
        // in common between two of them).
        let library = CLI.workDirectory.appendingPathComponent("slideshow-library")
        try FileManager.default.createDirectory(at: library, withIntermediateDirectories: true)
        let slides = library.appendingPathComponent("slides.mp4")
        if !FileManager.default.fileExists(atPath: slides.path) {
            let made = try CLI.ffmpeg("slides.mp4", [
                "-f", "lavfi", "-i", "color=gray:s=80x45:r=1,noise=alls=100:allf=t,scale=320:180:flags=bicubic,fps=25,format=yuv420p",
                "-t", "12", "-c:v", "libx264", "-preset", "veryfast"])
            try FileManager.default.copyItem(atPath: made, toPath: slides.path)
        }
        // The slideshow (320×180) turned 7° clockwise, its bounding box at (200, 100) of a
        // 640×360 frame of other footage, with another voice.
        let angle = 7 * Double.pi / 180
        let inset = try CLI.ffmpeg("inset-turned-slides.mp4", [
            "-i", slides.path,
            "-i", Fixture.suspects.appendingPathComponent("unrelated.mp4").path,
            "-filter_complex",
            "[1:v]scale=640:360,setsar=1[bg];[0:v]trim=start=1:end=11,setpts=PTS-STARTPTS,format=rgba,"
                + "rotate=7*PI/180:ow=rotw(7*PI/180):oh=roth(7*PI/180):c=none[fg];[bg][fg]overlay=x=200:y=100:shortest=1,format=yuv420p[v]",
            "-map", "[v]", "-map", "1:a", "-shortest", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac"])
        let on = ["VMATCH_DB": Fixture.database(), "VMATCH_KEYPOINTS": "1"]
        let index = try CLI.run(["index", library.path], environment: on)
        #expect(index.status == 0, "\(index.stderr)")
        let found = try CLI.run(["compare", "--json", inset], environment: on)
        #expect(found.status == 1, "\(found.stderr)")
        struct Record: Decodable {
            struct Picture: Decodable {
                var corners: [[Double]]
                var area_share: Double
                var rotation_degrees: Double
                var mirrored: Bool
                var inliers: Int
            }
            struct Segment: Decodable { var picture: Picture? }
            struct Match: Decodable { var reference: String; var segments: [Segment] }
            var matches: [Match]
        }
        let record = try JSONDecoder().decode(Record.self, from: Data(found.stdout.utf8))
        let match = try #require(record.matches.first, "\(found.stdout)")
        #expect((match.reference as NSString).lastPathComponent == "slides.mp4")
        let picture = try #require(match.segments.compactMap(\.picture).first, "\(found.stdout)")
        // ffmpeg's rotate centres the turned picture in its bounding box.
        let boxWidth = (320 * cos(angle) + 180 * sin(angle)).rounded(), boxHeight = (320 * sin(angle) + 180 * cos(angle)).rounded()
        let centre = SIMD2(200 + boxWidth / 2, 100 + boxHeight / 2)
        let truth = [SIMD2(-160.0, -90), SIMD2(160, -90), SIMD2(160, 90), SIMD2(-160, 90)].map { p in
            (centre + SIMD2(cos(angle) * p.x - sin(angle) * p.y, sin(angle) * p.x + cos(angle) * p.y)) / SIMD2(640, 360)
        }
        #expect(picture.corners.count == 4)
        for (corner, t) in zip(picture.corners, truth) {
            #expect(abs(corner[0] - t.x) <= 0.03 && abs(corner[1] - t.y) <= 0.03, "\(picture.corners) against \(truth)")
        }
        #expect(abs(picture.rotation_degrees - 7) < 1.5 && !picture.mirrored && picture.inliers > 0)
        #expect(abs(picture.area_share - 0.25) < 0.03, "\(picture.area_share)")

        let text = try CLI.run(["compare", inset], environment: on)
        #expect(text.stdout.contains("shown at 2") && text.stdout.contains("% of the frame, rotated") && text.stdout.contains("clockwise"),
                "\(text.stdout)")

        // The evidence report: each pair's own fit, from its two pictures, outlined where the
        // inset is, with its inliers as dots.
        let html = FileManager.default.temporaryDirectory.appendingPathComponent("inset-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: html) }
        let report = try CLI.run(["compare", "--html", html.path, inset], environment: on)
        #expect(report.status == 1, "\(report.stderr)")
        let page = try String(contentsOf: html, encoding: .utf8)
        let fitted = page.components(separatedBy: "<polygon points=\"").dropFirst().filter { $0.contains("class=\"inliers\"") }
        #expect(!fitted.isEmpty && page.contains("this pair’s fit"), "no pair with its own fit")
        let captions = page.components(separatedBy: "<figcaption>").dropFirst().map { $0.prefix { $0 != "<" } }.filter { $0.hasPrefix("This clip") }
        print("KeypointSwitchTests inset: \(fitted.count) pairs with their own fit: \(captions)")
        for polygon in fitted {
            let corners = polygon.prefix { $0 != "\"" }.split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
            #expect(corners.count == 4)
            for (corner, t) in zip(corners, truth) {
                #expect(abs(corner[0] - t.x) <= 0.03 && abs(corner[1] - t.y) <= 0.03, "pair outline \(corners) against \(truth)")
            }
        }
    }
}
