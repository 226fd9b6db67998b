// The sound half of the library's candidate index: a fixed share of every reference's landmarks,
// four bytes each, enough to tell which references a query's sound could come from; the full
// landmarks of those few are then matched by `AudioMatcher` as usual.
//
// Which landmarks: those on reference speech (the only hits `AudioMatcher` counts as evidence)
// whose hash falls in one eighth of the hash space, chosen by a multiplicative mix of the hash
// so that the share does not follow any one hash field. A query landmark is looked up only when
// one of its probe hashes falls in that share too, so a reused stretch keeps about an eighth of
// its hits here, spread over its length.
// Layout: compressed sparse rows over the 2^21 hash buckets (as `LandmarkIndex`), each entry the
// landmark's place on one timeline that runs through all references in turn, in tenths of a
// second; the reference is found back by binary search over where each one starts.
// Why: at ~140 landmarks per reference second the full table costs ~2.2 KB per second (8 GB at
// 1000 hours); this costs ~8 bytes per second of speech.
import Fingerprint

public struct LandmarkSketch: Sendable {
    static let hashMask = UInt32((1 << LandmarkHash.bits) - 1)
    /// Timeline resolution, seconds.
    static let unit = AudioLandmark.sketchUnit
    /// Reference anchors below this speech likelihood (0…255) are left out: `AudioMatcher` does
    /// not count hits on them.
    public static let minimumSpeech = AudioLandmark.speechThreshold

    /// Whether a landmark hash is in the kept eighth of the hash space.
    @inline(__always)
    public static func keeps(_ hash: UInt32) -> Bool { (hash &* 0x9E37_79B1) >> 29 == 0 }

    /// The landmarks of one reference that the sketch holds.
    public static func selection(_ landmarks: [AudioLandmark]) -> [AudioLandmark] {
        landmarks.filter { $0.speech >= minimumSpeech && keeps($0.hash) }
    }

    let starts: FlatArray<UInt32>
    let entries: FlatArray<UInt32>
    /// Per reference, its first timeline unit; one more element at the end.
    let bases: FlatArray<UInt32>

    public var count: Int { entries.count }
    /// Bytes held.
    public var bytes: Int { 4 * (starts.count + entries.count + bases.count) }

    /// Collects the selected landmarks of one reference after another, then builds the table.
    public struct Builder {
        private var keys: [UInt64] = []
        private var bases: [UInt32] = [0]

        public init() {}

        /// Room for `count` kept landmarks: growing the array by doubling would briefly hold it
        /// one and a half times.
        public mutating func reserve(_ count: Int) { keys.reserveCapacity(count) }

        /// Adds the next reference (index = number of earlier calls). Only `selection` is kept.
        public mutating func add(_ landmarks: [AudioLandmark]) {
            let base = bases[bases.count - 1]
            var last: UInt32 = 0
            for l in landmarks where l.speech >= LandmarkSketch.minimumSpeech && LandmarkSketch.keeps(l.hash) {
                guard MediaFingerprint.isPlausible(l.time) else { continue }
                let u = AudioLandmark.sketchStep(l.time)
                last = max(last, u)
                keys.append(UInt64(l.hash & LandmarkSketch.hashMask) << 32 | UInt64(base &+ u))
            }
            // One spare unit so that the next reference never shares a unit with this one.
            let (next, overflow) = base.addingReportingOverflow(last + 2)
            precondition(!overflow && bases.count < 1 << 22, "LandmarkSketch: more than 13,000 hours or 4 million references")
            bases.append(next)
        }

        /// Builds the table and empties the builder: each bucket holds its keys' timeline units in
        /// increasing order, as a sort of the keys (hash, then unit) would leave them. The keys
        /// are placed by a counting sort on the hash, which keeps the order they came in; they came
        /// in timeline order (each reference's landmarks in time order, each reference after the
        /// ones before), so a bucket is in order as placed, and one that is not (landmarks given
        /// out of time order) is sorted on its own. The collected keys (8 bytes a landmark) are
        /// freed once the entries (4 bytes) are written.
        public mutating func build() -> LandmarkSketch {
            let buckets = 1 << LandmarkHash.bits
            var starts = [UInt32](repeating: 0, count: buckets + 1)
            for k in keys { starts[Int(k >> 32) + 1] += 1 }
            for b in 0..<buckets { starts[b + 1] += starts[b] }
            var entries = [UInt32](repeating: 0, count: keys.count)
            var unordered: [Int] = []
            var fill = starts
            entries.withUnsafeMutableBufferPointer { entries in
                for k in keys {
                    let b = Int(k >> 32), at = Int(fill[b]), unit = UInt32(truncatingIfNeeded: k)
                    if at > Int(starts[b]), entries[at - 1] > unit { unordered.append(b) }
                    entries[at] = unit
                    fill[b] += 1
                }
            }
            for b in Set(unordered) { entries[Int(starts[b]) ..< Int(starts[b + 1])].sort() }
            keys = []
            let sketch = LandmarkSketch(checked: FlatArray(starts), entries: FlatArray(entries), bases: FlatArray(bases))
            bases = [0]
            return sketch
        }
    }

    private init(checked starts: FlatArray<UInt32>, entries: FlatArray<UInt32>, bases: FlatArray<UInt32>) {
        self.starts = starts
        self.entries = entries
        self.bases = bases
    }

    /// A sketch from its tables as `Builder.build()` made them (e.g. mapped from a file); nil when
    /// they do not fit together: bucket starts and reference bases must rise from 0, the last
    /// start being the number of entries (every one is checked, so that no look-up reads out of
    /// bounds; an entry's unit needs no check, any unit lies in some reference's span).
    init?(starts: FlatArray<UInt32>, entries: FlatArray<UInt32>, bases: FlatArray<UInt32>) {
        guard starts.count == (1 << LandmarkHash.bits) + 1, starts[0] == 0, Int(starts[starts.count - 1]) == entries.count,
              bases.count >= 1, bases[0] == 0 else { return nil }
        for b in 1 ..< starts.count where starts[b - 1] > starts[b] { return nil }
        for r in 1 ..< bases.count where bases[r - 1] > bases[r] { return nil }
        self.init(checked: starts, entries: entries, bases: bases)
    }

    /// References held (the sketch's own count: a reference without kept landmarks counts too).
    var referenceCount: Int { bases.count - 1 }

    /// The reference of a timeline unit, and the time within it.
    @inline(__always)
    func locate(_ unit: UInt32) -> (reference: Int, time: Float) {
        // Last base <= unit.
        var lo = 0, hi = bases.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if bases[mid] <= unit { lo = mid } else { hi = mid }
        }
        return (lo, Float(unit - bases[lo]) * Self.unit)
    }

    /// Per reference, the largest number of distinct query landmarks whose hits agree on one
    /// line reference_time = speed · query_time + offset (speed in `SoundEdits.speeds` on a 0.005
    /// grid, within ±0.15 s): a cheap version of `AudioMatcher`'s vote, without the pitch and span
    /// checks the sketch has no room for. That vote costs ~110 sorts per reference, so it is run
    /// only for the `examined` references that lead a coarser count: hits per (`window` s of
    /// query, `offsetCell` s of offset) cell with its two neighbours; over one window a speed in
    /// range moves the offset by at most |speed − 1| · window, less than one cell, so a reused
    /// stretch's hits stay in three neighbouring cells. References not examined are left out.
    static let window: Float = 5
    static let offsetCell: Float = {
        let drift = max(SoundEdits.speeds.upperBound - 1, 1 - SoundEdits.speeds.lowerBound)
        return Float(drift) * window
    }()
    static let speeds: [Float] = Array(stride(from: SoundEdits.speeds.lowerBound, through: SoundEdits.speeds.upperBound + 1e-9,
                                              by: 0.005)).map(Float.init)

    public func votes(for query: [AudioLandmark], examined: Int = 32) -> [Int: Int] {
        Self.votes(for: query, in: [(self, Array(0 ..< referenceCount))], examined: examined)
    }

    /// `votes(for:examined:)` over several sketches (the parts of one candidate index), each
    /// reference numbered by its place in `places` (none: passed over): the same votes as one
    /// sketch of every reference, numbered so, would give.
    static func votes(for query: [AudioLandmark], in sketches: [(sketch: LandmarkSketch, places: [Int?])], examined: Int = 32) -> [Int: Int] {
        // Every hit as one sortable key: reference, query window, offset cell; and its times.
        var keys: [UInt64] = []
        var hits: [(key: UInt64, query: Float, reference: Float, landmark: Int32)] = []
        for (qi, q) in query.enumerated() {
            guard MediaFingerprint.isPlausible(q.time) else { continue }
            let window = UInt64(min(q.time / Self.window, Float(1 << 14 - 1)))
            for h in LandmarkHash.probes(of: q) where Self.keeps(h) {
                let b = Int(h & Self.hashMask)
                for (sketch, places) in sketches {
                    for i in Int(sketch.starts[b])..<Int(sketch.starts[b + 1]) {
                        let (local, time) = sketch.locate(sketch.entries[i])
                        // (A reference past the sketch's could only come from a damaged file.)
                        guard local < places.count, let reference = places[local] else { continue }
                        let offsetCell = UInt64(Int64(((time - q.time) / Self.offsetCell).rounded(.down)) + (1 << 27))
                        let key = UInt64(reference) << 42 | window << 28 | offsetCell
                        keys.append(key)
                        hits.append((key, q.time, time, Int32(qi)))
                    }
                }
            }
        }
        guard !keys.isEmpty else { return [:] }
        // Coarse count per reference: the best cell with its neighbours (hits, not landmarks).
        keys.sort()
        var runs: [(key: UInt64, count: Int)] = []
        for k in keys {
            if let last = runs.last, last.key == k { runs[runs.count - 1].count += 1 } else { runs.append((k, 1)) }
        }
        var coarse: [Int: Int] = [:]
        for (i, r) in runs.enumerated() {
            var total = r.count
            if i > 0, runs[i - 1].key == r.key &- 1 { total += runs[i - 1].count }
            if i + 1 < runs.count, runs[i + 1].key == r.key &+ 1 { total += runs[i + 1].count }
            let reference = Int(r.key >> 42)
            if total > coarse[reference] ?? 0 { coarse[reference] = total }
        }
        let leaders = Set(coarse.filter { $0.value >= 2 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(examined).map(\.key))
        var byReference: [Int: [(query: Float, reference: Float, landmark: Int32)]] = [:]
        for h in hits {
            let reference = Int(h.key >> 42)
            if leaders.contains(reference) { byReference[reference, default: []].append((h.query, h.reference, h.landmark)) }
        }
        var result: [Int: Int] = [:]
        var offsets: [(offset: Float, landmark: Int32)] = []
        var all: [Float] = []
        // Only windows of more hits than the best count so far can raise it (a window's distinct
        // landmarks are at most its hits), and those lie wholly in the crowded cells.
        var crowd = DensestWindow(width: 0.3)
        for (reference, h) in byReference {
            var best = 0
            for speed in Self.speeds {
                all.removeAll(keepingCapacity: true)
                for x in h { all.append(x.reference - speed * x.query) }
                offsets.removeAll(keepingCapacity: true)
                if crowd.crowded(all, beating: best) {
                    for i in crowd.keptIndices { offsets.append((all[i], h[i].landmark)) }
                } else {
                    for (i, x) in h.enumerated() { offsets.append((all[i], x.landmark)) }
                }
                offsets.sort { $0.offset < $1.offset }
                var lo = 0
                for hi in 0..<offsets.count {
                    while offsets[hi].offset - offsets[lo].offset > 0.3 { lo += 1 }
                    if hi - lo + 1 > best {
                        // Distinct query landmarks (a landmark's probe hashes may hit twice).
                        best = max(best, Set(offsets[lo...hi].map(\.landmark)).count)
                    }
                }
            }
            result[reference] = best
        }
        return result
    }
}
