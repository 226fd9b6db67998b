// In-memory landmark table of the reference library: hash → (reference, time, pitch, span, speech).
// Input: each reference's landmarks (e.g. unpacked from the store's blobs).
// Layout: compressed sparse rows over the full hash space (2^21 buckets): a prefix-sum
// `starts` array and one flat `entries` array, built by counting sort in O(n + 2^21).
// Why not a Dictionary of arrays: one allocation per bucket costs ~10× the memory of the
// 16-byte entries themselves and scatters look-ups; here a look-up is two reads and a slice.
import Fingerprint

public struct LandmarkIndex: Sendable {
    struct Entry: Sendable {
        var reference: UInt32
        var time: Float
        var pitch: UInt16
        var span: UInt16
        var speech: UInt8
    }

    private var starts: [UInt32]
    private var entries: [Entry]
    /// Largest anchor time per reference, seconds.
    public private(set) var durations: [UInt32: Double] = [:]

    public var count: Int { entries.count }
    public var referenceCount: Int { durations.count }

    /// Builds the table from every reference's landmarks. IDs are the caller's (e.g. store row ids).
    public init<S: Sequence>(references: S) where S.Element == (id: UInt32, landmarks: [AudioLandmark]) {
        let buckets = 1 << LandmarkHash.bits
        let mask = UInt32(buckets - 1)
        var counts = [UInt32](repeating: 0, count: buckets + 1)
        let refs = Array(references)
        var total = 0
        for (id, landmarks) in refs {
            for l in landmarks { counts[Int(l.hash & mask) + 1] += 1 }
            total += landmarks.count
            durations[id] = max(durations[id] ?? 0, Double(landmarks.map(\.time).max() ?? 0))
        }
        precondition(total < Int(UInt32.max), "LandmarkIndex: too many landmarks for 32-bit offsets")
        for b in 0..<buckets { counts[b + 1] += counts[b] }
        starts = counts
        var fill = counts
        var entries = [Entry](repeating: Entry(reference: 0, time: 0, pitch: 0, span: 0, speech: 0), count: total)
        for (id, landmarks) in refs {
            for l in landmarks {
                let b = Int(l.hash & mask)
                entries[Int(fill[b])] = Entry(reference: id, time: l.time, pitch: l.pitch, span: l.span, speech: l.speech)
                fill[b] += 1
            }
        }
        self.entries = entries
    }

    /// Calls `body` with the entries stored under `hash`.
    @inline(__always)
    func withEntries<R>(for hash: UInt32, _ body: (ArraySlice<Entry>) -> R) -> R {
        let b = Int(hash & UInt32((1 << LandmarkHash.bits) - 1))
        return body(entries[Int(starts[b])..<Int(starts[b + 1])])
    }

    /// The distinct anchor peaks of `reference`'s speech landmarks, sorted by time
    /// (`AudioMatcher.peaksStandingOut`): a walk over the whole table, for the few references a
    /// picture line asks about.
    func speechPeaks(of reference: UInt32) -> [SoundPeak] {
        var peaks = Set<SoundPeak>()
        for e in entries where e.reference == reference && e.speech >= AudioLandmark.speechThreshold {
            peaks.insert(SoundPeak(time: e.time, pitch: Float(e.pitch) / 64))
        }
        return peaks.sorted { ($0.time, $0.pitch) < ($1.time, $1.pitch) }
    }
}
