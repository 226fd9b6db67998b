// A file's fingerprint, the value that flows through the whole house: sampled frame signatures
// with their times and quality, and audio landmarks. Made by the extractors (`VideoFingerprint`,
// `AudioFingerprint`, driven by `Pipeline`), kept by `LibraryStore` in the packed forms below,
// compared by `Matching`.

public struct MediaFingerprint: Sendable {
    public var duration: Double?
    public var frames: [FrameSignature]
    public var landmarks: [AudioLandmark]

    public init(duration: Double?, frames: [FrameSignature], landmarks: [AudioLandmark]) {
        self.duration = duration
        self.frames = frames
        self.landmarks = landmarks
    }

    /// Times outside any real file (a damaged stream or store row) are never used: a matcher
    /// given them would build windows and vote cells without end.
    @inline(__always)
    public static func isPlausible(_ time: Float) -> Bool { time.isFinite && time >= 0 && time < 1e7 }
}

/// The version of what the extractors store, picture and sound together: the frame sampling,
/// hash regions and PDQ variant (`VideoFingerprint`, `Pipeline.FileFingerprinter`), and the audio
/// analysis parameters and landmark hash layout (`AudioFingerprint.AnalysisParameters`,
/// `LandmarkHash`). Bump it whenever any of them changes what a fingerprint holds: rows of
/// another version are fingerprinted again by `index`, and `compare` refuses them by name.
public enum FingerprintFormat {
    public static let version = 1
}
