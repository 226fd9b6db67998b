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

    @Test(arguments: [FingerprintRole.reference, .suspect])
    func chunkingDoesNotChangeTheFingerprint(role: FingerprintRole) {
        let signal = TestAudio.mix(TestAudio.music(seconds: 6, amplitude: 0.2, seed: 3),
                                   TestAudio.noise(count: 48_000, amplitude: 0.01, seed: 4), gainB: 1)
        let whole = AudioFingerprinter.landmarks(for: signal, role: role)
        let f = AudioFingerprinter(role: role)
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

    @Test func editRangeFigures() {
        #expect(abs(SoundEdits.maxPitchShift - 12 * log2(4.0 / 3)) < 1e-9)      // 0.75× resampled
        // One neighbouring band is enough for the query's band probe.
        #expect(LandmarkHasher.bandMargin < LandmarkHasher.bandWidth / 2)
        #expect(LandmarkHasher.bandMargin >= SoundEdits.maxPitchShift)
        let q = LandmarkHasher.Geometry.query, r = LandmarkHasher.Geometry.reference
        #expect(abs(q.minGap - 2 / 1.3) < 1e-9 && abs(q.maxSecondGap - 32) < 1e-9 && abs(q.maxSpan - 160.0 / 3) < 1e-9)
        #expect(q.secondCandidates == 4 && q.thirdCandidates == 3)
        #expect(r == LandmarkHasher.Geometry(minGap: 2, maxSecondGap: 24, maxSpan: 40, secondCandidates: 3, thirdCandidates: 2))
    }

    /// Peaks every 5 frames on a zig-zag of bins (all gaps ≥ 2 frames at any speed in range).
    func zigzag(count: Int, timeScale: Double = 1, frequencyScale: Double = 1) -> [SpectralPeak] {
        (0..<count).map { i in
            SpectralPeak(frame: 100 + Double(i) * 5 * timeScale,
                         bin: (40 + Double((i * 7) % 23) * 3.1) * frequencyScale, level: 0, contrast: 10)
        }
    }

    func hashes(_ peaks: [SpectralPeak], role: FingerprintRole) -> [AudioLandmark] {
        var h = LandmarkHasher(role: role)
        var out: [AudioLandmark] = []
        h.push(peaks, horizon: Int.min, speech: { _ in 1 }, into: &out)
        h.finish(speech: { _ in 1 }, into: &out)
        return out
    }

    @Test(arguments: [(1.0, 0.0), (1.3, 0.0), (0.75, 0.0), (1.0, 4.0), (1.0, -4.0), (1.3, 12 * log2(1.3)), (0.75, 12 * log2(0.75))])
    func aQueryFormsEveryTripletOfTheReferenceAtAnySpeedAndPitchInRange(speed: Double, semitones: Double) {
        let reference = hashes(zigzag(count: 40), role: .reference)
        #expect(reference.count == 35 * 6 + 5 + 3 + 1)   // 3 × 2 per anchor, fewer near the end
        // The same sound played at `speed` (query frames = reference frames / speed) and shifted.
        let query = hashes(zigzag(count: 40, timeScale: 1 / speed, frequencyScale: pow(2, semitones / 12)), role: .suspect)
        var probed = Set<UInt32>()
        for l in query { probed.formUnion(LandmarkHash.probes(of: l)) }
        let missing = reference.filter { !probed.contains($0.hash) }
        #expect(missing.isEmpty, "speed \(speed), \(semitones) st: \(missing.count) of \(reference.count) not formed")
        // A reference never forms the query's wider triplets.
        #expect(query.count > reference.count)
    }

    @Test func aQueryKeepsTheReferencePeakDensity() {
        #expect(PeakPicker.peaksPerBlock(.reference) == 7)
        #expect(PeakPicker.peaksPerBlock(.suspect) == 7)
    }

    @Test func theMatchersFramePeriodIsTheAnalysisHop() {
        #expect(SoundPeak.frameSeconds == Double(AnalysisParameters.hop) / Double(AnalysisParameters.sampleRate))
        #expect(LandmarkPeak.hop == Double(AnalysisParameters.hop) && LandmarkPeak.window == Double(AnalysisParameters.fftSize)
            && LandmarkPeak.sampleRate == Double(AnalysisParameters.sampleRate))
        // Every kept bin fits the packed peak's 14 bits.
        #expect((Double(AnalysisParameters.maxBin) + 0.5) * Double(LandmarkPeak.binSteps) < Double(1 << 14))
        for frame in [-0.5, 0, 0.0625, 17.3125, 1000.5, 225_000] {
            let kept = LandmarkPeak(frame: Int32(frame * Double(LandmarkPeak.frameSteps)), bin: 0, speech: 0)
            #expect(kept.time == Float(AnalysisParameters.seconds(ofFrame: frame)))
        }
    }

    /// What the library keeps of a reference's sound, its peaks, makes the landmarks its
    /// fingerprinter returned again, bit for bit, however the stream was chunked; a suspect keeps none.
    @Test func aReferencesLandmarksAreMadeAgainFromItsKeptPeaks() {
        let signal = TestAudio.mix(TestAudio.music(seconds: 20, amplitude: 0.2, seed: 5),
                                   TestAudio.noise(count: 160_000, amplitude: 0.01, seed: 6), gainB: 1)
        let f = AudioFingerprinter(role: .reference)
        f.recordedPeaks = []
        var landmarks: [AudioLandmark] = [], kept: [LandmarkPeak] = []
        var i = 0, size = 1
        while i < signal.count {
            landmarks += f.append(Array(signal[i..<min(signal.count, i + size)]))
            kept += f.takeLandmarkPeaks()
            i += size
            size = size * 7 % 9001 + 1
        }
        landmarks += f.finish()
        kept += f.takeLandmarkPeaks()
        #expect(landmarks.count > 1000)
        // One kept peak per peak picked, each anchoring its landmarks, in time order.
        #expect(kept.count == f.recordedPeaks?.count)
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.frame <= $1.frame })
        #expect(Set(landmarks.map(\.time)).isSubset(of: Set(kept.map(\.time))))
        #expect(AudioFingerprinter.landmarks(from: kept) == landmarks)
        // The peaks picked lie on the kept grid.
        #expect(f.recordedPeaks?.allSatisfy {
            ($0.frame * Double(LandmarkPeak.frameSteps)).rounded() == $0.frame * Double(LandmarkPeak.frameSteps)
                && ($0.bin * Double(LandmarkPeak.binSteps)).rounded() == $0.bin * Double(LandmarkPeak.binSteps)
        } == true)
        let suspect = AudioFingerprinter(role: .suspect)
        #expect(!suspect.append(signal).isEmpty)
        _ = suspect.finish()
        #expect(suspect.takeLandmarkPeaks().isEmpty)
    }

    @Test func aSuspectKeepsItsPeaksFourTimesAsDenseAndAReferenceNone() {
        let signal = TestAudio.mix(TestAudio.music(seconds: 6, amplitude: 0.2, seed: 3),
                                   TestAudio.noise(count: 48_000, amplitude: 0.01, seed: 4), gainB: 1)
        let reference = AudioFingerprinter(role: .reference)
        _ = reference.append(signal)
        _ = reference.finish()
        #expect(reference.takeSoundPeaks().isEmpty)
        // Fed in chunks and taken as they come, the suspect's peaks are those of the whole, in
        // time order; they hold every landmark's anchor, and at most four times a block's peaks.
        let suspect = AudioFingerprinter(role: .suspect)
        var landmarks: [AudioLandmark] = [], peaks: [SoundPeak] = []
        for start in stride(from: 0, to: signal.count, by: 3001) {
            landmarks += suspect.append(Array(signal[start ..< min(signal.count, start + 3001)]))
            peaks += suspect.takeSoundPeaks()
        }
        landmarks += suspect.finish()
        peaks += suspect.takeSoundPeaks()
        let whole = AudioFingerprinter(role: .suspect)
        _ = whole.append(signal)
        _ = whole.finish()
        #expect(peaks == whole.takeSoundPeaks())
        #expect(zip(peaks, peaks.dropFirst()).allSatisfy { $0.time <= $1.time })
        let anchors = SoundPeak.anchors(of: landmarks)
        let held = Set(peaks.map { SoundPeak(time: $0.time, pitch: ($0.pitch * 64).rounded() / 64) })
        #expect(!anchors.isEmpty && anchors.allSatisfy(held.contains))
        #expect(peaks.count > 2 * anchors.count)
        let blocks = Int((Double(signal.count) / Double(AnalysisParameters.hop) / Double(PeakPicker.blockFrames)).rounded(.up)) + 1
        #expect(peaks.count <= blocks * PeakPicker.soundPeaksPerBlock(.suspect))
    }

    @Test func packRoundTrips() {
        let l = [AudioLandmark(hash: 0x1F_FFFF, time: 12.345, pitch: 4000, span: 6400, speech: 200, probes: 0x9A),
                 AudioLandmark(hash: 0, time: 0, pitch: 0, span: 0, speech: 0, probes: 0)]
        let bytes = AudioLandmark.pack(l)
        #expect(AudioLandmark.unpack(bytes) == l.map(\.asStored))
        #expect(AudioLandmark.unpack(Array(bytes.dropLast())) == nil)
    }

    @Test func hashIsInvariantToTimeAndFrequencyScaling() {
        let hasher = LandmarkHasher()
        let p = [SpectralPeak(frame: 100, bin: 40.3, level: 0, contrast: 10),
                 SpectralPeak(frame: 107.2, bin: 61.7, level: 0, contrast: 10),
                 SpectralPeak(frame: 121.9, bin: 52.2, level: 0, contrast: 10)]
        let base = hasher.landmark(p[0], p[1], p[2], speech: 0)
        // Tempo (times shrink or stretch) over the edit range 0.75–1.3, pitch shifts up to ±4
        // semitones, and resampling (both together: 1.3× is +4.54, 0.75× is −4.98 semitones).
        func resampled(_ s: Double) -> (Double, Double) { (1 / s, 12 * log2(s)) }
        var cases: [(Double, Double)] = [(1 / 1.1, 0), (1 / 0.9, 0), (1 / 1.3, 0), (1 / 0.75, 0)]
        cases += [(1, 2), (1, -2), (1, 4), (1, -4), (1, 3.1), (1, -3.3), (1 / 1.1, 1.65)]
        cases += [resampled(1.3), resampled(0.75), resampled(1.2), resampled(0.8)]
        for (timeScale, semitones) in cases {
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
