// The audio fingerprint item: one hashed peak triplet with its anchor time and frequency.
// Made by `AudioFingerprint`'s landmark hasher (hash layout: `LandmarkHash`); stored by the
// library packed as `AudioLandmark+Packing.swift` describes.

/// A landmark hash from three spectral peaks, with what the matcher needs to align it.
///
/// `hash` holds only quantities invariant to tempo and pitch change (see `LandmarkHasher`);
/// `pitch` and `span` keep the absolute anchor frequency and time extent so the matcher can
/// estimate and check the pitch shift and speed of a match hit by hit.
public struct AudioLandmark: Hashable, Sendable {
    /// `LandmarkHash.bits` significant bits.
    public var hash: UInt32
    /// Anchor (first peak) time in seconds from the start of the audio.
    public var time: Float
    /// Anchor frequency in 1/64 semitone above 55 Hz.
    public var pitch: UInt16
    /// Time from the first to the third peak, in units of 0.1 ms.
    public var span: UInt16
    /// Speech likelihood at the anchor, 0…255 (see `SpeechActivity`).
    public var speech: UInt8
    /// Query-side hint: which hash fields lie near a quantization edge (2 bits per field:
    /// 0 none, 1 also try the cell below, 2 the cell above). Ignored on the reference side, and
    /// not stored: a reference read back from the store has 0.
    public var probes: UInt8

    public init(hash: UInt32, time: Float, pitch: UInt16, span: UInt16, speech: UInt8, probes: UInt8) {
        self.hash = hash
        self.time = time
        self.pitch = pitch
        self.span = span
        self.speech = speech
        self.probes = probes
    }

    /// Anchor frequency in semitones above 55 Hz.
    public var pitchSemitones: Double { Double(pitch) / 64 }
    /// Span in seconds.
    public var spanSeconds: Double { Double(span) / 10_000 }
    /// Speech likelihood 0…1.
    public var speechLikelihood: Double { Double(speech) / 255 }

    /// `speech` from which the anchor counts as speech (likelihood ≥ 0.5): with speech required,
    /// only hits on reference speech are evidence of voice reuse (a shared music bed is not).
    public static let speechThreshold: UInt8 = 128
    public var isSpeech: Bool { speech >= Self.speechThreshold }
}
