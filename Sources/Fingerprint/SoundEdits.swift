// The range of sound edits the audio fingerprint is built to survive (issue 14), in one place:
// the hasher (which triplets a query forms, which neighbouring cells it probes), the matcher
// (which speeds and pitch shifts an alignment may have) and the candidate sketch (its speed
// grid) all derive their limits from these figures, never from a corpus.
//
// - Speed: 0.75–1.3 reference seconds per query second, by tempo change (pitch kept) or by
//   resampling (pitch follows the speed: 12·log2(speed) semitones, −4.98 … +4.54).
// - Pitch shift alone (tempo kept): −4 … +4 semitones.
// Both are the stated edit range; the two are not assumed to be stacked on one clip.

import Foundation

public enum SoundEdits {
    /// Reference seconds per query second.
    public static let speeds: ClosedRange<Double> = 0.75...1.3
    /// Largest |pitch shift| of a pitch-only edit, semitones.
    public static let pitchOnlyShift = 4.0
    /// Largest |pitch shift| any edit in range causes, semitones: a resampled 0.75× copy
    /// (12·log2(1/0.75) = 4.98) is lower than any pitch-only edit.
    public static let maxPitchShift: Double = max(pitchOnlyShift,
                                                 12 * log2(1 / speeds.lowerBound),
                                                 12 * log2(speeds.upperBound))
    /// Uncertainty of one peak's log-frequency, semitones: parabolic interpolation is good to
    /// ~¼ bin, and one 15.6 Hz bin is 0.9 semitone at the 297 Hz bottom of the analysed band.
    public static let pitchEstimateError = 0.25
}
