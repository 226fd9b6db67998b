// Streaming audio fingerprinter: PCM chunks → STFT → spectral peaks → triplet landmarks.
// Input: mono Float32 PCM at `AudioFingerprinter.sampleRate` (8000 Hz), any chunk sizes.
// Output: `AudioLandmark`s in anchor-time order, released with ≈ 1 s of latency; `finish()`
// releases the rest. Memory stays bounded (a few seconds of frames), whatever the file length.
import Fingerprint

/// Fingerprints one audio stream. Not `Sendable` (owns an FFTW plan): create one per stream
/// and task; the landmarks it returns are values and may cross tasks.
public final class AudioFingerprinter {
    /// The PCM rate the decoder must deliver.
    public static let sampleRate = AnalysisParameters.sampleRate

    static let sliceSamples = 16 * AnalysisParameters.hop * 4
    private let spectrogram = Spectrogram()
    private var peakPicker: PeakPicker
    private var speech = SpeechActivity()
    private var hasher: LandmarkHasher
    public let role: FingerprintRole
    private var peakScratch: [SpectralPeak] = []
    private var finished = false
    /// Tests and tools may record the peaks to inspect them.
    var recordedPeaks: [SpectralPeak]?
    var recordedSpeech: [Float]?

    /// `role`: `.reference` for the library (what is stored), `.suspect` for suspects (denser
    /// peaks and more triplets, so that a copy at another speed or pitch still contains the
    /// reference's triplets; see `LandmarkHasher`).
    public init(role: FingerprintRole = .reference) {
        self.role = role
        peakPicker = PeakPicker(role: role)
        hasher = LandmarkHasher(role: role)
        if role == .reference { hasher.keptPeaks = [] }
    }

    /// A reference's landmarks made again from the peaks the library keeps of it
    /// (`takeLandmarkPeaks`, in their order): those its fingerprinter returned, bit for bit.
    public static func landmarks(from peaks: [LandmarkPeak]) -> [AudioLandmark] {
        LandmarkHasher.landmarks(from: peaks)
    }

    /// Convenience for a whole buffer.
    public static func landmarks(for samples: [Float], role: FingerprintRole = .reference) -> [AudioLandmark] {
        let f = AudioFingerprinter(role: role)
        var out = f.append(samples)
        out += f.finish()
        return out
    }

    /// Feeds the next chunk; returns the landmarks completed so far.
    public func append(_ samples: [Float]) -> [AudioLandmark] {
        samples.withUnsafeBufferPointer { append($0) }
    }

    public func append(_ samples: UnsafeBufferPointer<Float>) -> [AudioLandmark] {
        precondition(!finished, "AudioFingerprinter.append after finish()")
        var out: [AudioLandmark] = []
        // Work in slices of ~1 s so the bounded look-back buffers (speech scores, pending
        // peaks) never fall behind, whatever size of chunk the caller hands over.
        var start = 0
        while start < samples.count {
            let end = min(samples.count, start + AudioFingerprinter.sliceSamples)
            spectrogram.append(UnsafeBufferPointer(rebasing: samples[start..<end])) { frame in consume(frame) }
            releaseLandmarks(into: &out)
            start = end
        }
        return out
    }

    /// The sound's peaks released since the last call, for a suspect (`SoundPeak`; empty for a
    /// reference): in time order, each block's before the next's.
    public func takeSoundPeaks() -> [SoundPeak] {
        defer { peakPicker.soundPeaks.removeAll(keepingCapacity: true) }
        return peakPicker.soundPeaks.map {
            SoundPeak(time: Float(AnalysisParameters.seconds(ofFrame: $0.frame)), pitch: Float(AnalysisParameters.pitch(ofBin: $0.bin)))
        }
    }

    /// Seconds past a landmark's anchor within which its other two peaks lie (a reference's
    /// triplets): the landmarks of the anchors before a time are made from the peaks up to this
    /// much after it.
    public static let landmarkReach = (LandmarkHasher.maxSpan + 1) / AnalysisParameters.framesPerSecond

    /// A reference's peaks whose landmarks have been returned since the last call, in order
    /// (`LandmarkPeak`: what the library keeps of its sound); empty for a suspect.
    public func takeLandmarkPeaks() -> [LandmarkPeak] {
        defer { hasher.keptPeaks?.removeAll(keepingCapacity: true) }
        return hasher.keptPeaks ?? []
    }

    /// Ends the stream; returns the remaining landmarks. Further `append` calls trap.
    public func finish() -> [AudioLandmark] {
        guard !finished else { return [] }
        finished = true
        var out: [AudioLandmark] = []
        spectrogram.finish { frame in consume(frame) }
        peakPicker.finish(into: &peakScratch)
        speech.finish()
        let s = speech
        recordedPeaks?.append(contentsOf: peakScratch)
        hasher.push(peakScratch, horizon: Int.min, speech: { s.score(atFrame: $0) }, into: &out)
        hasher.finish(speech: { s.score(atFrame: $0) }, into: &out)
        peakScratch.removeAll()
        return out
    }

    private func consume(_ frame: SpectrumFrame) {
        peakPicker.push(frame, into: &peakScratch)
        speech.push(bandLevel: frame.bandLevel)
    }

    private func releaseLandmarks(into out: inout [AudioLandmark]) {
        // Anchors are final once no earlier-or-equal peak can still arrive and the speech
        // score of their frame is known; the hasher's own maxSpan wait covers the latter
        // (SpeechActivity.halfWindow < LandmarkHasher.maxSpan ≤ the hasher's geometry.maxSpan).
        let horizon = min(peakPicker.releasedThroughFrame, speech.scored - 1)
        recordedPeaks?.append(contentsOf: peakScratch)
        let s = speech
        hasher.push(peakScratch, horizon: horizon, speech: { s.score(atFrame: $0) }, into: &out)
        peakScratch.removeAll(keepingCapacity: true)
    }
}
