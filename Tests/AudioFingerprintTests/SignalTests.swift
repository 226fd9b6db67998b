@testable import AudioFingerprint
import Fingerprint
import Testing

@Suite struct SignalTests {
    @Test func silenceAndEmptyInputGiveNoLandmarks() {
        #expect(AudioFingerprinter.landmarks(for: []).isEmpty)
        #expect(AudioFingerprinter.landmarks(for: [Float](repeating: 0, count: 8000 * 3)).isEmpty)
        let f = AudioFingerprinter()
        #expect(f.append([]).isEmpty)
        #expect(f.finish().isEmpty)
    }

    @Test func toneGivesPeaksAtItsBin() {
        // 1000 Hz = bin 64 exactly at 8 kHz / 512.
        let f = AudioFingerprinter()
        f.recordedPeaks = []
        _ = f.append(TestAudio.tone(hz: 1000, seconds: 2))
        _ = f.finish()
        let peaks = f.recordedPeaks ?? []
        #expect(!peaks.isEmpty)
        for p in peaks { #expect(abs(p.bin - 64) < 0.1) }
        // 1031.25 Hz is between bins 66 and 66.5: interpolation must land near 66.
        let g = AudioFingerprinter()
        g.recordedPeaks = []
        _ = g.append(TestAudio.tone(hz: 1031.25, seconds: 2))
        _ = g.finish()
        for p in g.recordedPeaks ?? [] { #expect(abs(p.bin - 66) < 0.15) }
    }
}
