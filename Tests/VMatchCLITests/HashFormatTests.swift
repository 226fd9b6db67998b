import Foundation
import Testing

@Suite struct HashFormatTests {
    static func clip() throws -> String {
        try CLI.ffmpeg("hash-format.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=4",
                                           "-c:v", "libx264", "-preset", "ultrafast"])
    }

    /// vPDQ's text format (vpdq/cpp io/vpdqio.cpp): `frame,quality,hex,seconds` with 3 decimals,
    /// one line per hashed frame: every 25th frame of 25 fps at one hash a second.
    @Test func vpdqLines() throws {
        let r = try CLI.run(["hash", "--format", "vpdq", try Self.clip()])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines.count == 4)
        for (i, fields) in lines.enumerated() {
            #expect(fields.count == 4)
            #expect(fields[0] == "\(25 * i)")
            #expect(Int(fields[1]).map { (0 ... 100).contains($0) } == true)
            #expect(fields[2].count == 64 && fields[2].allSatisfy(\.isHexDigit) && fields[2].lowercased() == fields[2])
            #expect(fields[3] == "\(i).000")
        }
        // Two hashes a second: every 12th frame (vPDQ truncates 0.5 × 25).
        let twice = try CLI.run(["hash", "--format", "vpdq", "--fps", "2", try Self.clip()])
        #expect(twice.stdout.split(separator: "\n").map { $0.split(separator: ",")[0] } == ["0", "12", "24", "36", "48", "60", "72", "84", "96"])  // 100 frames
    }

    @Test func jsonIsTheWholeRecordAndAgreesWithVPDQ() throws {
        let clip = try Self.clip()
        let r = try CLI.run(["hash", "--format", "json", clip])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["schema"] as? Int == 1)
        #expect(object["frame_rate"] as? Double == 25)
        #expect(object["width"] as? Int == 160 && object["height"] as? Int == 90)
        let frames = object["frames"] as! [[String: Any]]
        let vpdq = try CLI.run(["hash", "--format", "vpdq", clip]).stdout.split(separator: "\n")
        #expect(frames.count == vpdq.count)
        for (frame, line) in zip(frames, vpdq) {
            #expect("\(frame["frame"]!),\(frame["quality"]!),\(frame["pdq"]!)," == line.prefix(while: { _ in true }).split(separator: ",").prefix(3).joined(separator: ",") + ",")
        }
    }

    /// A file that fails (unreadable, or a record JSON cannot hold) is named on stderr in one
    /// line and has no record; the files after it are still hashed, in both JSON formats.
    @Test(arguments: [["--format", "json"], ["--json"]])
    func aFailedFileIsNamedAndTheOthersAreHashed(format: [String]) throws {
        let clip = try Self.clip()
        let broken = CLI.workDirectory.appendingPathComponent("broken hash\(format.joined()).mov").path
        try Data("nope".utf8).write(to: URL(fileURLWithPath: broken))
        let alone = try CLI.run(["hash"] + format + [clip])
        let r = try CLI.run(["hash"] + format + [broken, clip])
        #expect(r.status == 2)
        #expect(r.stderr == "error: cannot decode '\(broken)': Invalid data found when processing input (avformat_open_input)\n")
        #expect(!alone.stdout.isEmpty && r.stdout == alone.stdout)
    }

    @Test func jsonFlagIsFormatJSONLines() throws {
        let clip = try Self.clip()
        let a = try CLI.run(["hash", "--json", clip]), b = try CLI.run(["hash", "--format", "jsonl", clip])
        #expect(a.status == 0 && a.stdout == b.stdout && a.stdout.split(separator: "\n").count == 4)
        #expect(try CLI.run(["hash", "--json", "--format", "vpdq", clip]).status == 64)
        #expect(try CLI.run(["hash", "--format", "vpdq", clip, clip]).status == 64)
    }
}
