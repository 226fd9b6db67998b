// Fixed analysis parameters shared by the spectrogram, peak picker, speech detector and hasher.
// They are part of the fingerprint format: changing any of them invalidates stored landmarks,
// so `FingerprintFormat.version` must change with them.

import Foundation

/// Parameters of the audio analysis. Why these values:
/// - 8 kHz keeps the 300–3400 Hz voice band (all a telephone passes) and makes the FFT cheap.
/// - 512-point Hann window (64 ms, 15.6 Hz bins) resolves speech harmonics (f0 ≥ 80 Hz);
///   hop 128 (16 ms) gives ~62 frames/s, fine enough for syllables once peak times are
///   interpolated between frames.
/// - Peaks only in 300–3400 Hz so that telephone-band copies keep the same peaks.
enum AnalysisParameters {
    static let sampleRate = 8000
    static let fftSize = 512
    static let hop = 128
    /// Bins 19…218 ≈ 297…3406 Hz.
    static let minBin = 19
    static let maxBin = 218
    static var binCount: Int { maxBin - minBin + 1 }
    static var framesPerSecond: Double { Double(sampleRate) / Double(hop) }

    /// Time in seconds of the centre of (possibly fractional) frame `frame`.
    static func seconds(ofFrame frame: Double) -> Double {
        (frame * Double(hop) + Double(fftSize) / 2) / Double(sampleRate)
    }

    /// Log-frequency in semitones above 55 Hz of a (fractional) FFT bin.
    static func pitch(ofBin bin: Double) -> Double {
        let hz = max(bin, 1) * Double(sampleRate) / Double(fftSize)
        return 12 * log2(hz / 55)
    }
}
