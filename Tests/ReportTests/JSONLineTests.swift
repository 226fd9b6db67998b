import Findings
import Foundation
@testable import Report
import Testing

/// The one encoder of every JSON line vmatch writes (compare, watch, probe, hash): sorted keys,
/// slashes as they are, and a number JSON cannot hold refused with an error naming the file and
/// the field, never the encoder's dump.
@Suite struct JSONLineTests {
    static func hashes(duration: Double? = 2, secondTime: Double? = 1) -> FileHashes {
        var record = FileHashes(file: "clips/a b.mp4", duration: duration, width: 160, height: 90, frames: [
            VPDQFeature(frame: 0, time: 0, quality: 100, pdq: String(repeating: "ab", count: 32)),
            VPDQFeature(frame: 25, time: secondTime, quality: 87, pdq: String(repeating: "0f", count: 32)),
        ])
        record.frameRate = 25
        record.secondsPerHash = 1
        return record
    }

    /// What `hash --format json` wrote before this encoder was shared, byte for byte.
    @Test func aFiniteRecordIsOneSortedLine() throws {
        let line = try JSONLine.encode(Self.hashes(), of: "clips/a b.mp4")
        #expect(line == #"{"duration":2,"file":"clips/a b.mp4","frame_rate":25,"frames":[{"frame":0,"pdq":"\#(String(repeating: "ab", count: 32))","quality":100,"time":0},{"frame":25,"pdq":"\#(String(repeating: "0f", count: 32))","quality":87,"time":1}],"height":90,"schema":1,"seconds_per_hash":1,"width":160}"#)
    }

    @Test func aNaNFrameTimeNamesTheFileAndTheFrame() {
        let error = #expect(throws: JSONLine.Failure.self) { try JSONLine.encode(Self.hashes(secondTime: .nan), of: "clips/a b.mp4") }
        #expect(error?.file == "clips/a b.mp4")
        #expect(error?.description == "cannot write the record of 'clips/a b.mp4': frames[1].time is nan, which JSON cannot hold",
                "\(String(describing: error))")
    }

    @Test func anInfiniteTopLevelNumberIsNamedByItsKey() {
        let error = #expect(throws: JSONLine.Failure.self) { try JSONLine.encode(Self.hashes(duration: -.infinity), of: "x.mp4") }
        #expect(error?.description == "cannot write the record of 'x.mp4': duration is -inf, which JSON cannot hold",
                "\(String(describing: error))")
    }

    /// A bare number has no field to name.
    @Test func aBareNaNIsAValue() {
        let error = #expect(throws: JSONLine.Failure.self) { try JSONLine.encode(Double.nan, of: "x.mp4") }
        #expect(error?.reason == "a value is nan, which JSON cannot hold", "\(String(describing: error))")
    }
}
