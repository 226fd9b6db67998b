// Results of matching a query's landmarks against the reference table.
import Fingerprint

/// One stretch of the query aligned to one stretch of a reference at one speed and pitch.
public struct AudioMatchSegment: Sendable, Hashable {
    public var queryStart: Double
    public var queryEnd: Double
    public var referenceStart: Double
    public var referenceEnd: Double
    /// Reference seconds per query second (as `speed` in the corpus truth): 1.1 means the
    /// query plays the reference 10 % faster.
    public var speed: Double
    /// Pitch of the query relative to the reference, semitones (speed-up by resampling
    /// shows both; a tempo change shows speed only; a pitch shift shows pitch only).
    public var pitchShift: Double
    /// Distinct query landmarks agreeing with the alignment.
    public var alignedHits: Int
    /// Of those, hits whose reference anchor lies in speech (`SpeechActivity` ≥ 0.5).
    public var speechHits: Int
    /// Whole seconds of the query holding ≥ `minHitsPerSecond` aligned hits (on reference speech;
    /// of any sound for a segment held by its recording, `AudioMatcher.heldByItsRecording`): a
    /// coincidence (a phrase shared by two recordings of one synthetic voice) covers one to
    /// three; a real excerpt covers most of its length.
    public var coveredSeconds: Int
    /// 0…1, monotone in `speechHits` (see `AudioMatcher.Configuration`).
    public var score: Double

    public var speechFraction: Double { alignedHits > 0 ? Double(speechHits) / Double(alignedHits) : 0 }

    /// Whether the two share query time.
    func overlaps(_ other: AudioMatchSegment) -> Bool {
        queryStart <= other.queryEnd && other.queryStart <= queryEnd
    }
}

/// All segments found for one reference, best first.
public struct AudioReferenceMatch: Sendable, Hashable {
    public var referenceID: UInt32
    public var segments: [AudioMatchSegment]
    public var score: Double { segments.map(\.score).max() ?? 0 }
}
