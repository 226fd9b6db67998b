// Robustness on generated speech: an espeak-ng reference, 8 s excerpts transformed with sox /
// ffmpeg, matched against an index that also holds an unrelated recording. Skipped when the
// tools are missing. Runtime ≈ 5–10 s in a debug build.
@testable import AudioFingerprint
import Fingerprint
import Foundation
@testable import Matching
import Testing

@Suite(.enabled(if: TestAudio.toolsAvailable), .serialized)
struct SpeechRobustnessTests {
    static let referenceText = """
    Welcome back to the channel. Today I want to show you how I plan a long trip on a small \
    budget, starting with the map, the train times and a notebook full of questions. Last \
    spring I walked along the river for three days, and the weather changed every morning. \
    Honestly, the best part was the people I met at the market and the stories they told me \
    about the old bridge and the mountain village above it.
    """
    static let otherText = """
    Please remember that the library closes early on holidays. Visitors should return every \
    borrowed item before the end of the month, or contact the front desk to ask for more time.
    """

    struct Fixture {
        let reference: [Float]
        let index: LandmarkIndex
    }

    static let fixture: Fixture? = {
        guard let speech = try? TestAudio.speech(referenceText, voice: "en-us", speed: 165),
              let other = try? TestAudio.speech(otherText, voice: "en-gb-x-rp", speed: 150) else { return nil }
        let refs: [(id: UInt32, landmarks: [AudioLandmark])] = [
            (1, AudioFingerprinter.landmarks(for: speech)),
            (2, AudioFingerprinter.landmarks(for: other)),
        ]
        return Fixture(reference: speech, index: LandmarkIndex(references: refs))
    }()

    /// Excerpt of 8 s (of query time) starting at reference second 9.
    func excerpt(speed: Double) throws -> [Float] {
        let f = try #require(Self.fixture)
        let a = 9 * 8000, b = a + Int(8 * speed * 8000)
        return Array(f.reference[a..<min(b, f.reference.count)])
    }

    static let cases: [(String, Double)] = [
        ("mp3_32k", 1), ("noise_5dB", 1), ("music_-10dB", 1), ("telephone", 1), ("volume_-16dB", 1),
        ("tempo_1.1", 1.1), ("pitch_+2", 1), ("speed_1.1", 1.1),
    ]

    func transform(_ name: String, _ x: [Float]) throws -> [Float] {
        switch name {
        case "mp3_32k": return try TestAudio.mp3(x, bitrate: "32k")
        case "noise_5dB":
            let n = TestAudio.noise(count: x.count, amplitude: 1, seed: 11)
            return TestAudio.mix(x, n, gainB: TestAudio.rms(x) / TestAudio.rms(n) * 0.56)
        case "music_-10dB":
            let m = TestAudio.music(seconds: Double(x.count) / 8000 + 1, seed: 12)
            return TestAudio.mix(x, m, gainB: TestAudio.rms(x) / TestAudio.rms(m) * 0.316)
        case "telephone": return try TestAudio.sox(x, effects: ["sinc", "300-3400"])
        case "volume_-16dB": return try TestAudio.sox(x, effects: ["vol", "-16dB"])
        case "tempo_1.1": return try TestAudio.sox(x, effects: ["tempo", "-s", "1.1"])
        case "pitch_+2": return try TestAudio.sox(x, effects: ["pitch", "200"])
        case "speed_1.1": return try TestAudio.sox(x, effects: ["speed", "1.1", "rate", "8000"])
        default: Issue.record("unknown transform \(name)"); return x
        }
    }

    @Test(arguments: cases)
    func excerptSurvives(_ name: String, _ speed: Double) throws {
        let f = try #require(Self.fixture)
        let query = try transform(name, try excerpt(speed: speed))
        let matches = AudioMatcher().match(AudioFingerprinter.landmarks(for: query, role: .suspect), against: f.index)
        #expect(matches.map(\.referenceID) == [1], "\(name)")
        let s = try #require(matches.first?.segments.first)
        // Reference time at query time 0 must be 9 s; speed as applied.
        #expect(abs(s.referenceStart - s.speed * s.queryStart - 9) <= 0.5, "\(name): \(s)")
        #expect(abs(s.speed - speed) < 0.03, "\(name): speed \(s.speed)")
        #expect(s.speechFraction > 0.5)
    }

    @Test func unrelatedSpeechDoesNotMatch() throws {
        let f = try #require(Self.fixture)
        let unrelated = try TestAudio.speech("""
            The committee met on Tuesday evening to discuss the new parking rules, and most members \
            agreed that bicycles deserve a safer lane near the school.
            """, voice: "en+f3", speed: 160)
        #expect(AudioMatcher().match(AudioFingerprinter.landmarks(for: unrelated, role: .suspect), against: f.index).isEmpty)
    }

    @Test func musicBedAloneIsNoVoiceEvidence() throws {
        // Reference = speech over a music bed at −18 dB; query = the same bed alone, aligned.
        let f = try #require(Self.fixture)
        let bed = TestAudio.music(seconds: Double(f.reference.count) / 8000 + 1, seed: 21)
        let gain = TestAudio.rms(f.reference) / TestAudio.rms(bed) * 0.126
        let withBed = TestAudio.mix(f.reference, bed, gainB: gain)
        let refs: [(id: UInt32, landmarks: [AudioLandmark])] = [(1, AudioFingerprinter.landmarks(for: withBed))]
        let index = LandmarkIndex(references: refs)
        let query = Array(bed[(5 * 8000)..<(20 * 8000)])
        #expect(AudioMatcher().match(AudioFingerprinter.landmarks(for: query, role: .suspect), against: index).isEmpty)
        // The voice itself still matches through the bed.
        let voice = Array(withBed[(5 * 8000)..<(15 * 8000)])
        #expect(AudioMatcher().match(AudioFingerprinter.landmarks(for: voice, role: .suspect), against: index).count == 1)
    }
}
