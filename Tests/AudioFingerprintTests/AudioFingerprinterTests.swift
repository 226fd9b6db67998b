@testable import AudioFingerprint
import Fingerprint
import Foundation
import Testing

@Suite struct StreamingAndFormatTests {
    @Test func chirpGivesPeaksRisingInFrequency() {
        let f = AudioFingerprinter()
        f.recordedPeaks = []
        _ = f.append(TestAudio.chirp(from: 400, to: 3000, seconds: 3))
        _ = f.finish()
        let peaks = (f.recordedPeaks ?? []).sorted { $0.frame < $1.frame }
        #expect(peaks.count >= 10)
        // Expected bin at each peak's time: f(t) = 400 + (2600/3)·t Hz.
        for p in peaks {
            let t = AnalysisParameters.seconds(ofFrame: p.frame)
            let expected = (400 + 2600 / 3 * t) / 15.625
            #expect(abs(p.bin - expected) < 3, "peak at \(t) s, bin \(p.bin), expected \(expected)")
        }
        #expect(peaks.last!.bin > peaks.first!.bin + 100)
    }

    @Test func chunkingDoesNotChangeTheFingerprint() {
        let signal = TestAudio.mix(TestAudio.music(seconds: 6, amplitude: 0.2, seed: 3),
                                   TestAudio.noise(count: 48_000, amplitude: 0.01, seed: 4), gainB: 1)
        let whole = AudioFingerprinter.landmarks(for: signal)
        let f = AudioFingerprinter()
        var chunked: [AudioLandmark] = []
        var i = 0, size = 1
        while i < signal.count {   // irregular chunk sizes, including 1-sample chunks
            chunked += f.append(Array(signal[i..<min(signal.count, i + size)]))
            i += size
            size = size * 7 % 5003 + 1
        }
        chunked += f.finish()
        #expect(!whole.isEmpty)
        #expect(chunked == whole)
    }

    @Test func packRoundTrips() {
        let l = [AudioLandmark(hash: 0x1F_FFFF, time: 12.345, pitch: 4000, span: 6400, speech: 200, probes: 0x9A),
                 AudioLandmark(hash: 0, time: 0, pitch: 0, span: 0, speech: 0, probes: 0)]
        let bytes = AudioLandmark.pack(l)
        #expect(bytes.count == 2 * AudioLandmark.packedSize)
        #expect(AudioLandmark.unpack(bytes) == l)
        #expect(AudioLandmark.unpack(Array(bytes.dropLast())) == nil)
    }

    @Test func hashIsInvariantToTimeAndFrequencyScaling() {
        let hasher = LandmarkHasher()
        let p = [SpectralPeak(frame: 100, bin: 40.3, level: 0, contrast: 10),
                 SpectralPeak(frame: 107.2, bin: 61.7, level: 0, contrast: 10),
                 SpectralPeak(frame: 121.9, bin: 52.2, level: 0, contrast: 10)]
        let base = hasher.landmark(p[0], p[1], p[2], speech: 0)
        // Tempo ×1.1 / ×0.9 (times shrink or stretch), pitch ±2 semitones, and both together.
        for (timeScale, semitones) in [(1 / 1.1, 0.0), (1 / 0.9, 0.0), (1.0, 2.0), (1.0, -2.0), (1 / 1.1, 1.65)] {
            let fs = pow(2, semitones / 12)
            let q = p.map { (peak: SpectralPeak) -> SpectralPeak in
                let frame = 100 + (peak.frame - 100) * timeScale
                return SpectralPeak(frame: frame, bin: peak.bin * fs, level: 0, contrast: 10)
            }
            let l = hasher.landmark(q[0], q[1], q[2], speech: 0)
            // The query finds the reference through its hash or one of its edge probes.
            #expect(LandmarkHash.probes(of: l).contains(base.hash), "scale \(timeScale), \(semitones) st")
            #expect(abs(l.pitchSemitones - base.pitchSemitones - semitones) < 0.05)
        }
    }
}
