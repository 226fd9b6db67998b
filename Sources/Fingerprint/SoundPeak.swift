// A spectral peak of a suspect's sound, kept besides its landmarks for the check of the sound
// along a line the picture found (`AudioMatcher.peaksStandingOut`): where another voice or music
// is mixed over the voice, few of its landmarks survive (a landmark needs three peaks, paired the
// same way again), but many of its peaks still stand out of their neighbourhood, if not among a
// block's strongest. Made for suspects only (`FingerprintRole.suspect`), never stored: the
// reference's peaks are its landmarks' anchors.

public struct SoundPeak: Hashable, Sendable {
    /// Seconds from the start of the audio, as a landmark's anchor time.
    public var time: Float
    /// Semitones above 55 Hz, as a landmark's `pitchSemitones`.
    public var pitch: Float

    /// Seconds between two spectrogram frames, where peaks are found: the sound analysis's hop
    /// (`AudioFingerprint.AnalysisParameters`: 128 samples at 8000 Hz; a test holds them equal),
    /// here for the matcher, which sees the peaks and not the analysis.
    public static let frameSeconds = 128.0 / 8000.0

    public init(time: Float, pitch: Float) {
        self.time = time
        self.pitch = pitch
    }

    /// The distinct anchors of `landmarks` (fan-out gives one anchor several landmarks), sorted
    /// by time: a fingerprint's peaks where it keeps no others.
    public static func anchors(of landmarks: [AudioLandmark]) -> [SoundPeak] {
        Array(Set(landmarks.map { SoundPeak(time: $0.time, pitch: Float($0.pitch) / 64) }))
            .sorted { ($0.time, $0.pitch) < ($1.time, $1.pitch) }
    }
}
