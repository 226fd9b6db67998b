// Opt-in measurement harness (not part of the normal test run): recall per transformation,
// score distribution of unrelated pairs, fingerprinting speed, and the dev corpus.
//   VMATCH_AUDIO_EVAL=1 swift test -c release --filter AudioEvaluationTests
//   VMATCH_CORPUS=/work/corpus-cache/dev  (optional: also evaluate the corpus' audio)
@testable import AudioFingerprint
import Fingerprint
import Foundation
@testable import Matching
import Testing

private let evalEnabled = ProcessInfo.processInfo.environment["VMATCH_AUDIO_EVAL"] != nil

/// Best segment of one (query, reference) pair under the permissive configuration.
struct PairStat {
    var aligned = 0
    var speech = 0
    var seconds = 0
    var offsetOK = false
    var speed = 1.0
    var pitch = 0.0
}

func permissiveMatcher() -> AudioMatcher {
    var c = AudioMatcher.Configuration()
    c.minHits = 4
    c.minCoveredSeconds = 0
    c.requireSpeech = false
    let env = ProcessInfo.processInfo.environment
    if let t = env["VMATCH_TIME_TOL"].flatMap(Float.init) { c.timeTolerance = t }
    if let p = env["VMATCH_PITCH_TOL"].flatMap(Float.init) { c.pitchTolerance = p }
    if let g = env["VMATCH_MAX_GAP"].flatMap(Double.init) { c.maxGap = g }
    if let k = env["VMATCH_PER_SECOND"].flatMap(Int.init) { c.minHitsPerSecond = k }
    return AudioMatcher(configuration: c)
}

/// Per reference: best segment, and whether it sits at `expected` (reference id, ref time at query time 0, speed).
func pairStats(_ matches: [AudioReferenceMatch], expected: (UInt32, Double, Double)?) -> [UInt32: PairStat] {
    var out: [UInt32: PairStat] = [:]
    for m in matches {
        var best = PairStat()
        for s in m.segments {
            var ok = false
            if let e = expected, e.0 == m.referenceID {
                let predicted = s.referenceStart - s.speed * s.queryStart
                ok = abs(predicted - e.1) <= 0.5
            }
            // Prefer the correct alignment for the true reference; otherwise the strongest.
            if (ok && !best.offsetOK) || (ok == best.offsetOK && s.alignedHits > best.aligned) {
                best = PairStat(aligned: s.alignedHits, speech: s.speechHits, seconds: s.coveredSeconds, offsetOK: ok, speed: s.speed, pitch: s.pitchShift)
            }
        }
        out[m.referenceID] = best
    }
    return out
}

@Suite(.enabled(if: evalEnabled), .serialized) struct AudioEvaluationTests {
    static let words = """
    the a our my this that creator video today people really think about make time year way day \
    because thing world life channel camera light story water city morning travel coffee music \
    friends energy simple question answer important little never always maybe together project \
    mountain river garden kitchen market winter summer building picture moment reason better \
    quickly slowly finally honestly remember decided started finished learned wanted showed \
    everyone somebody nothing everything tomorrow yesterday another different special amazing
    """.split(separator: " ").map(String.init)

    static func text(seed: UInt64, words n: Int) -> String {
        let r = TestAudio.noise(count: n, amplitude: 1, seed: seed)
        var out: [String] = []
        for (i, x) in r.enumerated() {
            out.append(words[Int((x + 1) / 2 * Float(words.count - 1))])
            if i % 11 == 10 { out[out.count - 1] += "." }
        }
        return out.joined(separator: " ")
    }

    static let voices = ["en", "en-us", "en-gb-x-rp", "en+f3", "en-us+m3", "en-gb-scotland+f2", "en+m7", "en-029"]

    /// Two other voices (other texts, other espeak voices) mixed so that the voice is `snrDB`
    /// above their sum.
    static let babbleVoices: [[Float]] = {
        (0..<2).compactMap { k in
            try? TestAudio.speech(text(seed: UInt64(900 + k), words: 80), voice: ["en-us+f4", "en-gb+m2"][k], speed: 170)
        }
    }()

    static func babble(_ x: [Float], snrDB: Float) throws -> [Float] {
        var other = [Float](repeating: 0, count: x.count)
        for v in babbleVoices { for i in 0..<min(x.count, v.count) { other[i] += v[i] } }
        return TestAudio.mix(x, other, gainB: TestAudio.rms(x) / TestAudio.rms(other) / powf(10, snrDB / 20))
    }

    @Test func synthetic() throws {
        // References: 6 × ~45 s, two with a music bed at −18 dB.
        var refs: [(id: UInt32, landmarks: [AudioLandmark])] = []
        var refAudio: [[Float]] = []
        for i in 0..<6 {
            var s = try TestAudio.speech(Self.text(seed: UInt64(100 + i), words: 120), voice: Self.voices[i], speed: 155 + 5 * i)
            if i < 2 {
                let m = TestAudio.music(seconds: Double(s.count) / 8000 + 1, seed: UInt64(7 + i))
                s = TestAudio.mix(s, m, gainB: TestAudio.rms(s) / TestAudio.rms(m) * 0.126)
            }
            refAudio.append(s)
            refs.append((UInt32(i + 1), AudioFingerprinter.landmarks(for: s)))
        }
        let index = LandmarkIndex(references: refs)
        let totalSeconds = refAudio.reduce(0) { $0 + Double($1.count) } / 8000
        print("refs: \(refs.count), \(String(format: "%.0f", totalSeconds)) s, \(index.count) landmarks, \(String(format: "%.1f", Double(index.count) / totalSeconds))/s")

        let transforms: [(String, Double, ([Float]) throws -> [Float])] = [
            ("identity", 1.0, { $0 }),
            ("mp3_32k", 1.0, { try TestAudio.mp3($0) }),
            ("music_0dB", 1.0, { x in let m = TestAudio.music(seconds: Double(x.count) / 8000 + 1, seed: 99)
                return TestAudio.mix(x, m, gainB: TestAudio.rms(x) / TestAudio.rms(m)) }),
            ("noise_5dB", 1.0, { x in let n = TestAudio.noise(count: x.count, amplitude: 1, seed: 5)
                return TestAudio.mix(x, n, gainB: TestAudio.rms(x) / TestAudio.rms(n) * 0.56) }),
            ("telephone", 1.0, { try TestAudio.sox($0, effects: ["sinc", "300-3400"]) }),
            ("volume_-16dB", 1.0, { try TestAudio.sox($0, effects: ["vol", "-16dB"]) }),
            ("tempo_1.1", 1.1, { try TestAudio.sox($0, effects: ["tempo", "-s", "1.1"]) }),
            ("tempo_0.9", 0.9, { try TestAudio.sox($0, effects: ["tempo", "-s", "0.9"]) }),
            ("pitch_+2", 1.0, { try TestAudio.sox($0, effects: ["pitch", "200"]) }),
            ("pitch_-2", 1.0, { try TestAudio.sox($0, effects: ["pitch", "-200"]) }),
            ("speed_1.1", 1.1, { try TestAudio.sox($0, effects: ["speed", "1.1", "rate", "8000"]) }),
            ("speed_0.9", 0.9, { try TestAudio.sox($0, effects: ["speed", "0.9", "rate", "8000"]) }),
            // The edit range of issue 14: pitch ±4 semitones, speed 0.75–1.3 (resampled, and
            // tempo only), music 10 dB louder than the voice, two other voices.
            ("pitch_+4", 1.0, { try TestAudio.sox($0, effects: ["pitch", "400"]) }),
            ("pitch_-4", 1.0, { try TestAudio.sox($0, effects: ["pitch", "-400"]) }),
            ("speed_1.3", 1.3, { try TestAudio.sox($0, effects: ["speed", "1.3", "rate", "8000"]) }),
            ("speed_0.75", 0.75, { try TestAudio.sox($0, effects: ["speed", "0.75", "rate", "8000"]) }),
            ("tempo_1.3", 1.3, { try TestAudio.sox($0, effects: ["tempo", "-s", "1.3"]) }),
            ("tempo_0.75", 0.75, { try TestAudio.sox($0, effects: ["tempo", "-s", "0.75"]) }),
            ("music_-10dB", 1.0, { x in let m = TestAudio.music(seconds: Double(x.count) / 8000 + 1, seed: 98)
                return TestAudio.mix(x, m, gainB: TestAudio.rms(x) / TestAudio.rms(m) * 3.162) }),
            ("babble_+6dB", 1.0, { x in try Self.babble(x, snrDB: 6) }),
            ("babble_-3dB", 1.0, { x in try Self.babble(x, snrDB: -3) }),
        ]
        let matcher = permissiveMatcher()
        var lines: [String] = []
        var trueStats: [String: [PairStat]] = [:]
        for length in [5.0, 10.0] {
            for (name, speed, transform) in transforms {
                var found = 0, total = 0, falseRefs = 0
                var hits: [Int] = [], secs: [Int] = []
                for (r, audio) in refAudio.enumerated() {
                    for start in [4.0, 17.0, 29.0] {
                        let a = Int(start * 8000), b = min(audio.count, a + Int(length * speed * 8000))
                        let q = try transform(Array(audio[a..<b]))
                        let lq = AudioFingerprinter.landmarks(for: q, role: .suspect)
                        let m = matcher.match(lq, against: index)
                        let st = pairStats(m, expected: (UInt32(r + 1), start, speed))[UInt32(r + 1)] ?? PairStat()
                        let decided = pairStats(AudioMatcher().match(lq, against: index), expected: (UInt32(r + 1), start, speed))
                        if decided[UInt32(r + 1)]?.offsetOK == true { found += 1 }
                        falseRefs += decided.keys.filter { $0 != UInt32(r + 1) }.count
                        trueStats["\(name)@\(Int(length))", default: []].append(st)
                        total += 1
                        hits.append(st.offsetOK ? st.aligned : 0)
                        secs.append(st.offsetOK ? st.seconds : 0)
                    }
                }
                hits.sort(); secs.sort()
                lines.append("| \(name) | \(Int(length)) s | \(found)/\(total) | min \(hits.first!) median \(hits[hits.count / 2]) | min \(secs.first!) median \(secs[secs.count / 2]) | \(falseRefs) |")
            }
        }
        // Unrelated: other texts, voices, and music alone, against the same references.
        var unrelatedDecided = 0
        var unrelated: [Int] = [], unrelatedSpeech: [Int] = [], unrelatedSeconds: [Int] = []
        var musicBedBest = PairStat()
        for k in 0..<8 {
            let s = try TestAudio.speech(Self.text(seed: UInt64(500 + k), words: 60), voice: Self.voices[k % Self.voices.count], speed: 160)
            let ls = AudioFingerprinter.landmarks(for: s, role: .suspect)
            unrelatedDecided += AudioMatcher().match(ls, against: index).count
            for m in matcher.match(ls, against: index) {
                unrelated.append(m.segments.map(\.alignedHits).max() ?? 0)
                unrelatedSpeech.append(m.segments.map(\.speechHits).max() ?? 0)
                unrelatedSeconds.append(m.segments.map(\.coveredSeconds).max() ?? 0)
            }
        }
        // The music bed of references 1 and 2 alone, aligned with them (the shared_music case).
        for i in 0..<2 {
            let m = TestAudio.music(seconds: 30, seed: UInt64(7 + i))
            let st = pairStats(matcher.match(AudioFingerprinter.landmarks(for: Array(m[(4 * 8000)...]), role: .suspect), against: index), expected: nil)
            for (_, v) in st where v.aligned > musicBedBest.aligned { musicBedBest = v }
        }
        print("| transformation | excerpt | recall (default decision, offset ±0.5 s) | true-pair aligned hits | covered seconds | wrong refs decided |")
        print("|---|---|---|---|---|---|")
        lines.forEach { print($0) }
        print("unrelated speech pairs: \(unrelated.count) with ≥4 hits; best aligned \(unrelated.max() ?? 0), best speech hits \(unrelatedSpeech.max() ?? 0); sorted: \(unrelated.sorted().suffix(10)); covered seconds: \(unrelatedSeconds.sorted().suffix(10))")
        print("unrelated pairs decided as matches by the default configuration: \(unrelatedDecided)")
        print("music bed alone vs its reference: best aligned \(musicBedBest.aligned), speech hits \(musicBedBest.speech), seconds \(musicBedBest.seconds)")
        #expect(!lines.isEmpty)
    }

    @Test(arguments: [FingerprintRole.reference, .suspect]) func speed(role: FingerprintRole) throws {
        let s = try TestAudio.speech(Self.text(seed: 42, words: 170), voice: "en", speed: 160)
        let sixty = Array((s + s + s).prefix(60 * 8000))
        _ = AudioFingerprinter.landmarks(for: sixty, role: role)   // warm-up
        let clock = ContinuousClock()
        var count = 0
        let d = clock.measure {
            for _ in 0..<5 {
                let f = AudioFingerprinter(role: role)
                var n = 0
                var i = 0
                while i < sixty.count {   // 0.5 s chunks, as a decoder would deliver
                    n += f.append(Array(sixty[i..<min(sixty.count, i + 4000)])).count
                    i += 4000
                }
                count = n + f.finish().count
            }
        }
        let perRun = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        print("speed (\(role)): 60 s in \(String(format: "%.2f", perRun / 5 * 1000)) ms = \(String(format: "%.0f", 60 / (perRun / 5)))× realtime, \(count) landmarks (\(count / 60)/s)")
        #expect(count > 0)
    }
}
