// `probe --json`'s record of a file the decoder read, when a number in it is not one JSON can
// hold. FFmpeg's fields reach MediaInfo as finite numbers today, so no media file makes one: the
// record of a real file is taken and one field broken, as a future source of these numbers could.
import Foundation
import Pipeline
import Testing
@testable import vmatch

@Suite struct ProbeRecordTests {
    static func probed() throws -> MediaInfo {
        try MediaFiles.probe(try CLI.ffmpeg("probe.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2",
                                                           "-c:v", "libx264", "-preset", "ultrafast"]))
    }

    /// What `run` writes for a file it read and for one it could not: the same one-object line.
    @Test func aFiniteRecordIsWritten() throws {
        let info = try Self.probed()
        let line = try ProbeRecord(info: info).jsonLine()
        #expect(line.hasPrefix(#"{"info":{"#) && line.hasSuffix(#""path":"\#(info.path)","schema":1}"#), "\(line)")
        #expect(line.contains(#""frameRate":25"#) && !line.contains("\n"))
    }

    /// A NaN frame rate or an infinite duration: the record is refused with an error naming the
    /// file and the field, and that error is the file's failure record, as for an unreadable file.
    @Test(arguments: [("info.video.frameRate", "nan"), ("info.duration", "inf")])
    func aNonFiniteNumberMakesTheFilesFailureRecord(field: String, value: String) throws {
        var info = try Self.probed()
        if field == "info.duration" { info.duration = .infinity } else { info.video?.frameRate = .nan }
        let error = #expect(throws: (any Error).self) { try ProbeRecord(info: info).jsonLine() }
        let message = "cannot write the record of '\(info.path)': \(field) is \(value), which JSON cannot hold"
        #expect(error.map { "\($0)" } == message, "\(String(describing: error))")

        let failure = try ProbeRecord(path: info.path, error: "\(try #require(error))").jsonLine()
        let object = try JSONSerialization.jsonObject(with: Data(failure.utf8)) as? [String: Any]
        #expect(object?.count == 3 && object?["info"] == nil)
        #expect(object?["error"] as? String == message && object?["path"] as? String == info.path && object?["schema"] as? Int == 1)
    }
}
