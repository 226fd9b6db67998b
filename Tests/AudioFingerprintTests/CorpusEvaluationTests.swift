// Opt-in: the dev corpus' audio (see ../shared/corpus/README.md). Extracts each file's audio
// with the ffmpeg CLI at the analysis rate, indexes refs/*.mp4, matches queries/*.mp4 and
// prints, per query, the true reference's best alignment and the best wrong one.
//   VMATCH_AUDIO_EVAL=1 VMATCH_CORPUS=/work/corpus-cache/dev swift test -c release … --filter CorpusEvaluationTests
@testable import AudioFingerprint
import Fingerprint
import Foundation
@testable import Matching
import Testing

private let corpus = ProcessInfo.processInfo.environment["VMATCH_CORPUS"]

@Suite(.enabled(if: corpus != nil && ProcessInfo.processInfo.environment["VMATCH_AUDIO_EVAL"] != nil))
struct CorpusEvaluationTests {
    func audio(_ file: URL) throws -> [Float] {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-corpus-audio")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        // Keyed by corpus, folder and name: dev and large both have refs/ref01.mp4.
        let folder = file.deletingLastPathComponent()
        let raw = cache.appendingPathComponent(folder.deletingLastPathComponent().lastPathComponent + "-" + file.deletingPathExtension().lastPathComponent + "-\(folder.lastPathComponent).f32")
        if !FileManager.default.fileExists(atPath: raw.path) {
            try TestAudio.run("/usr/bin/ffmpeg", ["-nostdin", "-y", "-loglevel", "error", "-i", file.path, "-vn",
                                                  "-ac", "1", "-ar", "\(AudioFingerprinter.sampleRate)", "-f", "f32le", raw.path])
        }
        return try TestAudio.readRaw(raw)
    }

    @Test func devCorpus() throws {
        let root = URL(fileURLWithPath: corpus!)
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("truth.json"))) as! [String: Any]
        let queries = truth["queries"] as! [String: [String: Any]]
        let refNames = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("refs").path)
            .filter { $0.hasSuffix(".mp4") }.sorted()
        var refs: [(id: UInt32, landmarks: [AudioLandmark])] = []
        for (i, name) in refNames.enumerated() {
            refs.append((UInt32(i + 1), AudioFingerprinter.landmarks(for: try audio(root.appendingPathComponent("refs/\(name)")))))
        }
        let index = LandmarkIndex(references: refs)
        let matcher = permissiveMatcher()
        let decide = AudioMatcher()
        var predictions: [String: [[String: Any]]] = [:]
        print("| query | tags | true ref: aligned/speech/seconds ok | best wrong: aligned/speech/seconds | decision |")
        print("|---|---|---|---|---|")
        for q in queries.keys.sorted() {
            let info = queries[q]!
            let tags = (info["tags"] as! [String]).joined(separator: ",")
            let samples = try audio(root.appendingPathComponent("queries/\(q)"))
            let landmarks = AudioFingerprinter.landmarks(for: samples, role: .suspect)
            var expected: (UInt32, Double, Double)?
            if let m = (info["matches"] as! [[String: Any]]).first(where: { ($0["modality"] as! String) != "video" }),
               let r = refNames.firstIndex(of: m["reference"] as! String) {
                let speed = m["speed"] as! Double
                expected = (UInt32(r + 1), (m["ref_start"] as! Double) - speed * (m["query_start"] as! Double), speed)
            }
            let stats = pairStats(matcher.match(landmarks, against: index), expected: expected)
            let t = expected.flatMap { stats[$0.0] }
            let wrong = stats.filter { $0.key != expected?.0 }.max { $0.value.aligned < $1.value.aligned }
            let decided = decide.match(landmarks, against: index)
            predictions[q] = decided.map { m in
                let s = m.segments[0]
                return ["reference": refNames[Int(m.referenceID) - 1], "score": m.score, "modality": "audio",
                        "query_start": s.queryStart, "query_end": s.queryEnd, "ref_start": s.referenceStart, "ref_end": s.referenceEnd]
            }
            let d = decided.map { "\(refNames[Int($0.referenceID) - 1])(\($0.segments[0].speechHits))" }.joined(separator: " ")
            print("| \(q) | \(tags) | \(t.map { "\($0.aligned)/\($0.speech)/\($0.seconds) \($0.offsetOK ? "ok" : "OFF") s=\(String(format: "%.3f", $0.speed)) p=\(String(format: "%.2f", $0.pitch))" } ?? "-") | \(wrong.map { "\($0.value.aligned)/\($0.value.speech)/\($0.value.seconds)" } ?? "-") | \(d) |")
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-audio-predictions.json")
        try JSONSerialization.data(withJSONObject: predictions, options: [.prettyPrinted, .sortedKeys]).write(to: out)
        print("predictions: \(out.path)")
        #expect(!predictions.isEmpty)
    }
}
