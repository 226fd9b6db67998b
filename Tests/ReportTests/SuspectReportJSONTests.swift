import Findings
import Foundation
@testable import Matching
@testable import Report
import Testing

/// A record holding a number JSON cannot (NaN, infinity) is refused with an error naming its
/// clip, never a trap: one such report must not end a batch.
@Suite struct SuspectReportJSONTests {
    static func report(score: Double = 0.8, segmentScore: Double = 0.8, duration: Double? = 8) -> SuspectReport {
        let segment = MatchSegment(modality: .video, suspectStart: 0, suspectEnd: 8, referenceStart: 3, referenceEnd: 11,
                                   score: segmentScore, speed: 1, matchedFrames: 30)
        let match = ReferenceMatch(reference: ReferenceEntry(path: "/library/a.mp4", duration: 20), score: score,
                                   modality: .video, segments: [segment])
        return SuspectReport(suspect: "clips/x.mp4", duration: duration, matches: [match], error: nil,
                             sha256: String(repeating: "cd", count: 32), checkedAt: Date(timeIntervalSince1970: 1_700_000_000),
                             vmatchVersion: "9.9.9")
    }

    @Test func aNaNScoreThrowsNamingTheClipAndTheField() {
        let error = #expect(throws: JSONLine.Failure.self) { try Self.report(score: .nan).jsonLine() }
        #expect(error?.file == "clips/x.mp4")
        #expect(error?.description == "cannot write the record of 'clips/x.mp4': matches[0].score is nan, which JSON cannot hold",
                "\(String(describing: error))")
    }

    @Test func anInfiniteSegmentScoreThrowsNamingTheField() {
        let error = #expect(throws: JSONLine.Failure.self) { try Self.report(segmentScore: .infinity).jsonLine() }
        #expect(error?.description == "cannot write the record of 'clips/x.mp4': matches[0].segments[0].score is inf, which JSON cannot hold",
                "\(String(describing: error))")
    }

    @Test func aNaNSetAfterTheRecordWasMadeThrowsToo() {
        var report = Self.report()
        report.matches[0].segments[0].suspectEnd = -.infinity
        #expect(throws: JSONLine.Failure.self) { try report.jsonLine() }
    }

    /// A length the container states as not a number is an unknown one: the record is written.
    @Test func aNonFiniteDurationIsUnknown() throws {
        for duration in [Double.nan, .infinity, -.infinity] {
            let report = Self.report(duration: duration)
            #expect(report.duration == nil)
            #expect(try report.jsonLine().contains("\"duration\":null"))
        }
        #expect(Self.report(duration: 8.0004).duration == 8)
    }

    /// What compare and watch write for each clip: the record itself when it can be written…
    @Test func aWritableReportIsWrittenAsItIs() throws {
        let report = Self.report()
        let (record, line) = report.checkedForWriting()
        #expect(record.error == nil && record.matches.count == 1)
        #expect(line == (try report.jsonLine()))
    }

    /// …and otherwise its clip's failure record: findings dropped, the error naming the clip and
    /// why, what identifies the clip kept, and a line `--resume` reads back as a failed clip.
    @Test func anUnwritableReportBecomesItsClipsFailureRecord() throws {
        var report = Self.report(score: .nan)
        report.duration = .nan  // set past the initialiser's check
        let (record, line) = report.checkedForWriting()
        #expect(record.error == "cannot write the record of 'clips/x.mp4': duration is nan, which JSON cannot hold")
        #expect(record.matches.isEmpty && record.duration == nil)
        #expect(record.suspect == "clips/x.mp4" && record.sha256 == report.sha256 && record.checkedAt == report.checkedAt)
        let written = try #require(line)
        #expect(!written.contains("\n"))
        let read = try JSONDecoder().decode(SuspectReport.self, from: Data(written.utf8))
        #expect(read.schema == SuspectReport.currentSchema && read.suspect == "clips/x.mp4")
        #expect(read.error == record.error && read.matches.isEmpty)
        #expect(record.text().contains("  error: cannot write the record of 'clips/x.mp4'"))
    }
}
