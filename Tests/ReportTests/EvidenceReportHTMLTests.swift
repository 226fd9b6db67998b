import Findings
import Foundation
@testable import Matching
@testable import Report
import Testing

@Suite struct EvidenceReportHTMLTests {
    static let hostileName = "<b>&\"'ünï中.mp4"
    /// The smallest JPEG-looking bytes: the renderer does not decode them.
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0xFF, 0xD9]

    static func evidence(suspect: String = "/clips/" + hostileName) -> EvidenceReport {
        let segment = MatchSegment(modality: .both, suspectStart: 2, suspectEnd: 8, referenceStart: 12,
                                   referenceEnd: 18.6, score: 0.93, speed: 1.1)
        let sound = MatchSegment(modality: .audio, suspectStart: 9, suspectEnd: 10, referenceStart: 30,
                                 referenceEnd: 31, score: 0.5, speed: 1)
        let match = ReferenceMatch(reference: ReferenceEntry(path: "/library/<i>interview</i>.mp4", duration: 60),
                                   score: 0.93, modality: .both, segments: [segment, sound])
        let report = SuspectReport(suspect: suspect, duration: 20, matches: [match], error: nil)
        // The middle of the segment, mapped through its speed: 5 s → 12 + 3 × 1.1 = 15.3 s.
        let pair = FramePair(suspectTime: 5, referenceTime: 15.3, suspectJPEG: jpeg, referenceJPEG: jpeg, distance: 12)
        let checked = Date(timeIntervalSince1970: 1_700_000_000)
        let failed = SuspectReport(suspect: "/clips/broken & <bad>.mp4", duration: nil, matches: [],
                                   error: "cannot decode 'broken & <bad>.mp4': Invalid data")
        return EvidenceReport(generated: checked, vmatchVersion: "9.9.9", libraryVideos: 3, suspects: [
            SuspectEvidence(report: report, sha256: String(repeating: "ab", count: 32), size: 123_456,
                            checkedAt: checked, pictures: [[[pair], []]]),
            SuspectEvidence(report: failed, sha256: nil, size: nil, checkedAt: checked, pictures: []),
        ])
    }

    @Test func escapesTheFiveCharacters() {
        #expect("a&b<c>d\"e'f".htmlEscaped == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect("ünï中".htmlEscaped == "ünï中")
    }

    @Test func hostileFileNamesAreShownEscapedNeverAsMarkup() {
        let html = Self.evidence().html()
        let escaped = "&lt;b&gt;&amp;&quot;&#39;ünï中.mp4"
        #expect(html.contains("<h2>1. \(escaped)</h2>"))
        #expect(html.contains("/clips/\(escaped)"))
        #expect(html.contains("&lt;i&gt;interview&lt;/i&gt;.mp4"))
        #expect(html.contains("broken &amp; &lt;bad&gt;.mp4"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("<i>"))
        #expect(!html.contains("<bad>"))
        #expect(!html.contains(Self.hostileName))
    }

    @Test func picturesAreInlineAndNothingIsFetched() {
        let html = Self.evidence().html()
        let uri = "data:image/jpeg;base64," + Data(Self.jpeg).base64EncodedString()
        #expect(html.components(separatedBy: "<img src=\"\(uri)\"").count - 1 == 2)
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<link"))
    }

    @Test func statesTheFactsOfEachClip() {
        let html = Self.evidence().html()
        #expect(html.contains(String(repeating: "ab", count: 32)))
        #expect(html.contains("120.6 KiB (123,456 bytes)"))
        #expect(html.contains("2023-11-14T22:13:20Z"))
        #expect(html.contains("vmatch 9.9.9"))
        #expect(html.contains("00:02–00:08"))  // suspect side
        #expect(html.contains("00:12–00:19"))  // reference side
        #expect(html.contains("picture and sound"))
        #expect(html.contains("0.93"))
        #expect(html.contains("This clip at 00:05.0"))
        #expect(html.contains("PDQ distance 12 of 256 (the same picture)"))
        #expect(html.contains("at 00:15.3"))
        #expect(html.contains("sound only"))
        #expect(html.contains("Could not be read: cannot decode"))
        #expect(html.contains("2 checked, 1 with reuse, 1 could not be read"))
    }

    @Test func theTimelineMarksWhereTheReuseIs() {
        let html = Self.evidence().html()
        // 2–8 s of a 20 s clip: from 10 % for 30 %.
        #expect(html.contains("class=\"m-both\" style=\"left:10.00%;width:30.00%\""))
        #expect(html.contains("class=\"m-audio\" style=\"left:45.00%;width:5.00%\""))
    }

    /// Issue 31: a picture found inside the frame is outlined over the clip's frame (an SVG
    /// polygon, no script) and said in words; a segment without geometry draws nothing.
    @Test func aPictureInsideTheFrameIsOutlinedOverTheClipsFrame() throws {
        let geometry = PictureGeometry(corners: [SIMD2(0.25, 0.2), SIMD2(0.75, 0.25), SIMD2(0.7, 0.75), SIMD2(0.2, 0.7)],
                                       rotation: 5.7, mirrored: false, inliers: 37)
        let segment = MatchSegment(modality: .video, suspectStart: 2, suspectEnd: 8, referenceStart: 12, referenceEnd: 18,
                                   score: 0.8, speed: 1, matchedFrames: 12, geometry: geometry)
        let match = ReferenceMatch(reference: ReferenceEntry(path: "/library/talk.mp4", duration: 60), score: 0.8,
                                   modality: .video, segments: [segment])
        let report = SuspectReport(suspect: "/clips/inset.mp4", duration: 20, matches: [match], error: nil)
        let pair = FramePair(suspectTime: 5, referenceTime: 15, suspectJPEG: Self.jpeg, referenceJPEG: Self.jpeg, distance: 120)
        let html = EvidenceReport(generated: Date(timeIntervalSince1970: 1_700_000_000), vmatchVersion: "9.9.9", libraryVideos: 1,
                                  suspects: [SuspectEvidence(report: report, sha256: nil, size: nil,
                                                             checkedAt: Date(timeIntervalSince1970: 1_700_000_000), pictures: [[[pair]]])]).html()
        #expect(html.contains("<polygon points=\"0.2500,0.2000 0.7500,0.2500 0.7000,0.7500 0.2000,0.7000\""))
        #expect(html.components(separatedBy: "<polygon").count == 2, "only over the clip's frame, not the reference's")
        #expect(html.contains("fitted to 37 matched keypoints: shown at 25 % of the frame, rotated 6° clockwise"))
        #expect(html.contains("PDQ distance 120 of 256 (of the whole frames; the picture inside the outline is what matched)"))
        #expect(!html.contains("<script"))
        // The same segment without geometry: no outline.
        #expect(!Self.evidence().html().contains("<polygon"))
        // JSON: the outline as corners, area share and angle.
        let line = try report.jsonLine()
        #expect(line.contains("\"picture\":{\"area_share\":0.252,\"corners\":[[0.25,0.2],[0.75,0.25],[0.7,0.75],[0.2,0.7]],\"inliers\":37,\"mirrored\":false,\"rotation_degrees\":5.7}"), "\(line)")
        #expect(report.text().contains("picture, shown at 25 % of the frame, rotated 6° clockwise"))
    }

    /// Issue 31: each pair draws its own fit over its clip picture (polygon and inlier dots);
    /// a pair without one falls back to the passage's outline and says so.
    @Test func eachPairDrawsItsOwnOutlineAndInliers() {
        let passage = PictureGeometry(corners: [SIMD2(0.25, 0.2), SIMD2(0.75, 0.25), SIMD2(0.7, 0.75), SIMD2(0.2, 0.7)],
                                      rotation: 5.7, mirrored: false, inliers: 37)
        let own = PictureGeometry(corners: [SIMD2(0.3, 0.2), SIMD2(0.8, 0.2), SIMD2(0.8, 0.7), SIMD2(0.3, 0.7)],
                                  rotation: 0, mirrored: false, inliers: 24)
        let segment = MatchSegment(modality: .video, suspectStart: 2, suspectEnd: 8, referenceStart: 12, referenceEnd: 18,
                                   score: 0.8, speed: 1, matchedFrames: 12, geometry: passage)
        let match = ReferenceMatch(reference: ReferenceEntry(path: "/library/talk.mp4", duration: 60), score: 0.8,
                                   modality: .video, segments: [segment])
        let report = SuspectReport(suspect: "/clips/inset.mp4", duration: 20, matches: [match], error: nil)
        let fitted = FramePair(suspectTime: 2.6, referenceTime: 12.6, suspectJPEG: Self.jpeg, referenceJPEG: Self.jpeg, distance: 110,
                               geometry: own, inlierPoints: [SIMD2(0.4, 0.3), SIMD2(0.5, 0.55), SIMD2(0.75, 0.65)])
        let unfitted = FramePair(suspectTime: 5, referenceTime: 15, suspectJPEG: Self.jpeg, referenceJPEG: Self.jpeg, distance: 120)
        let html = EvidenceReport(generated: Date(timeIntervalSince1970: 1_700_000_000), vmatchVersion: "9.9.9", libraryVideos: 1,
                                  suspects: [SuspectEvidence(report: report, sha256: nil, size: nil,
                                                             checkedAt: Date(timeIntervalSince1970: 1_700_000_000),
                                                             pictures: [[[fitted, unfitted]]])]).html()
        // The fitted pair: its own outline and three dots, no more.
        #expect(html.contains("<polygon points=\"0.3000,0.2000 0.8000,0.2000 0.8000,0.7000 0.3000,0.7000\""))
        #expect(html.contains("<path class=\"inliers\" d=\"M0.4000,0.3000h0M0.5000,0.5500h0M0.7500,0.6500h0\""))
        #expect(html.components(separatedBy: "class=\"inliers\"").count - 1 == 1, "dots only where the pair has its own fit")
        #expect(html.contains("This clip at 00:02.6: this pair’s fit, 24 keypoints, shown at 25 % of the frame"))
        // The other: the passage's outline, said to be the passage's.
        #expect(html.contains("<polygon points=\"0.2500,0.2000 0.7500,0.2500 0.7000,0.7500 0.2000,0.7000\""))
        #expect(html.contains("This clip at 00:05.0: the passage’s outline (no fit of this pair’s own)"))
        #expect(html.components(separatedBy: "<polygon").count - 1 == 2, "one outline per clip picture")
        #expect(!html.contains("<script"))
        #expect(html.contains("Content-Security-Policy"))
    }

    /// What of the picture the motion grid measured is said as it is: how it changes, or how it
    /// looks along the sound's map — in JSON, in words and in the HTML report.
    @Test func aPictureShownByHowItLooksAlongItsSoundIsSaidSo() throws {
        func report(_ evidence: MatchSegment.MotionEvidence) -> SuspectReport {
            let segment = MatchSegment(modality: .video, suspectStart: 0, suspectEnd: 10, referenceStart: 4, referenceEnd: 14,
                                       score: 0.9, speed: 1, motionAgreement: 0.83, motionEvidence: evidence)
            let match = ReferenceMatch(reference: ReferenceEntry(path: "/library/sky.mp4", duration: 20), score: 0.9,
                                       modality: .video, segments: [segment])
            return SuspectReport(suspect: "/clips/sky.mp4", duration: 10, matches: [match], error: nil)
        }
        func html(_ report: SuspectReport) -> String {
            EvidenceReport(generated: Date(timeIntervalSince1970: 1_700_000_000), vmatchVersion: "9.9.9", libraryVideos: 1,
                           suspects: [SuspectEvidence(report: report, sha256: nil, size: nil,
                                                      checkedAt: Date(timeIntervalSince1970: 1_700_000_000), pictures: [])]).html()
        }
        let look = report(.appearance), change = report(.changes)
        let lookLine = try look.jsonLine(), changeLine = try change.jsonLine()
        #expect(lookLine.contains("\"motion_agreement\":0.83,\"motion_evidence\":\"appearance\""), "\(lookLine)")
        #expect(changeLine.contains("\"motion_evidence\":\"changes\""))
        #expect(look.text().contains("the picture by how it looks along the sound (agreement 0.83)"), "\(look.text())")
        #expect(change.text().contains("the picture by how it changes (agreement 0.83)"), "\(change.text())")
        #expect(html(look).contains("is shown reused by how it looks where its sound puts it"))
        #expect(html(change).contains("is shown reused by how it changes"))
        // A record read back keeps it; one of an earlier version, without it, reads as changes.
        let back = try JSONDecoder().decode(SuspectReport.self, from: Data(lookLine.utf8))
        #expect(back.matches[0].segments[0].motionEvidence == .appearance)
        let older = lookLine.replacingOccurrences(of: ",\"motion_evidence\":\"appearance\"", with: "")
        let read = try JSONDecoder().decode(SuspectReport.self, from: Data(older.utf8))
        #expect(read.matches[0].segments[0].matchSegment.motionEvidence == .changes)
        // No agreement, no evidence named.
        #expect(MatchSegment(modality: .video, suspectStart: 0, suspectEnd: 1, referenceStart: 0, referenceEnd: 1, score: 1, speed: 1,
                             motionEvidence: .appearance).motionEvidence == nil)
    }

    /// Issue 30: a passage the reference repeats is reported at one place with the others named.
    @Test func theOtherPlacesARepeatedPassageMatchesAreNamed() throws {
        let segment = MatchSegment(modality: .video, suspectStart: 0, suspectEnd: 8, referenceStart: 3.2, referenceEnd: 11.2,
                                   score: 0.8, speed: 1, matchedFrames: 30, alsoMatches: [8.2 ... 16.2, 0 ... 5.8])
        let match = ReferenceMatch(reference: ReferenceEntry(path: "/library/loop.mp4", duration: 20), score: 0.8,
                                   modality: .video, segments: [segment])
        let report = SuspectReport(suspect: "/clips/excerpt.mp4", duration: 8, matches: [match], error: nil)
        let line = try report.jsonLine()
        #expect(line.contains("\"also_matches\":[{\"reference_end\":16.2,\"reference_start\":8.2},{\"reference_end\":5.8,\"reference_start\":0}]"),
                "\(line)")
        #expect(report.text().contains("reference 00:03–00:11  picture; also matches the reference at 00:08–00:16, 00:00–00:06"), "\(report.text())")
        let html = EvidenceReport(generated: Date(timeIntervalSince1970: 1_700_000_000), vmatchVersion: "9.9.9", libraryVideos: 1,
                                  suspects: [SuspectEvidence(report: report, sha256: nil, size: nil,
                                                             checkedAt: Date(timeIntervalSince1970: 1_700_000_000), pictures: [])]).html()
        #expect(html.contains("also matches loop.mp4 at 00:08–00:16, 00:00–00:06 as well as where it is shown"), "\(html)")
        // A passage matched in one place only says nothing of the kind.
        let plain = SuspectReport(suspect: "/clips/x.mp4", duration: 8, matches: [ReferenceMatch(
            reference: ReferenceEntry(path: "/library/a.mp4", duration: 20), score: 0.8, modality: .video,
            segments: [MatchSegment(modality: .video, suspectStart: 0, suspectEnd: 8, referenceStart: 3, referenceEnd: 11, score: 0.8, speed: 1)])],
            error: nil)
        #expect(try !plain.jsonLine().contains("also_matches") && !plain.text().contains("also matches"))
    }
}
