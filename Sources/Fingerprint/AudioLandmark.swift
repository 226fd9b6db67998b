// The audio fingerprint item: one hashed peak triplet with its anchor time and frequency.
// Made by `AudioFingerprint`'s landmark hasher (hash layout: `LandmarkHash`); stored by the
// library as packed little-endian blobs of `AudioLandmark.packedSize` bytes.

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
    /// 0 none, 1 also try the cell below, 2 the cell above). Ignored on the reference side.
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

    public static let packedSize = 14

    /// Packs landmarks into little-endian records of `packedSize` bytes.
    public static func pack(_ landmarks: [AudioLandmark]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(landmarks.count * packedSize)
        for l in landmarks {
            appendLE(l.hash, to: &out)
            appendLE(l.time.bitPattern, to: &out)
            appendLE(l.pitch, to: &out)
            appendLE(l.span, to: &out)
            out.append(l.speech)
            out.append(l.probes)
        }
        return out
    }

    /// Inverse of `pack`; returns nil when the byte count is not a whole number of records.
    public static func unpack(_ bytes: [UInt8]) -> [AudioLandmark]? {
        guard bytes.count % packedSize == 0 else { return nil }
        var out = [AudioLandmark]()
        out.reserveCapacity(bytes.count / packedSize)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                let hash = readLE(b, i, as: UInt32.self)
                let time = Float(bitPattern: readLE(b, i + 4, as: UInt32.self))
                let pitch = readLE(b, i + 8, as: UInt16.self)
                let span = readLE(b, i + 10, as: UInt16.self)
                out.append(AudioLandmark(hash: hash, time: time, pitch: pitch, span: span,
                                         speech: b[i + 12], probes: b[i + 13]))
                i += packedSize
            }
        }
        return out
    }
}
