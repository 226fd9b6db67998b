import Foundation
import Testing

@Suite struct HashCommandTests {
    /// ../shared/testvectors/pdq beside the repository (so in CI too).
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/testvectors/pdq")

    /// The product's own path (FFmpeg library decode to RGB24, then PDQHasher) agrees with
    /// Meta's reference implementation on every test vector.
    @Test func agreesWithTheReferenceImplementation() throws {
        let data = try Data(contentsOf: Self.vectors.appendingPathComponent("vectors.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let cases = root["vectors"] as! [[String: Any]]
        let files = cases.map { Self.vectors.appendingPathComponent($0["file"] as! String).path }
        let result = try CLI.run(["hash", "--json"] + files)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == cases.count)
        var exact = 0
        for (line, expected) in zip(lines, cases) {
            let got = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let distance = hexDistance(got["pdq"] as! String, expected["pdq"] as! String)
            #expect(distance <= 2, "\(expected["file"]!): distance \(distance)")
            #expect(abs((got["quality"] as! Int) - (expected["quality"] as! Int)) <= 2)
            if distance == 0 { exact += 1 }
        }
        #expect(Double(exact) >= 0.9 * Double(cases.count), "\(exact) of \(cases.count) exact")
    }

    @Test func videoGivesOneLinePerSampledFrame() throws {
        let clip = try CLI.ffmpeg("hash-video.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=4",
                                                     "-c:v", "libx264", "-preset", "ultrafast"])
        let result = try CLI.run(["hash", "--fps", "2", clip])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 8)
        #expect(lines.first?.hasPrefix("    0.000  ") == true)
    }

    func hexDistance(_ a: String, _ b: String) -> Int {
        zip(a, b).reduce(0) { sum, pair in
            sum + (Int(String(pair.0), radix: 16)! ^ Int(String(pair.1), radix: 16)!).nonzeroBitCount
        }
    }
}
