// The sound along a line the picture fixed, peak by peak: when another voice or music over the
// voice leaves too few landmarks for `standingOut` (a landmark needs three peaks to survive and
// to be paired the same way again; a peak only needs itself), the reference's speech peaks are
// looked for in the clip's own peaks at the times the line gives them.
//
// The reference's peaks are its landmarks' anchors (every peak that starts a triplet: nearly all),
// at their exact time and pitch; the clip's are its `soundPeaks`, the peaks of its sound four
// times as dense as its landmarks' (the voice under the louder sound stands out of its
// neighbourhood, not among a block's strongest), or its landmarks' anchors where it has none. A reference peak
// and a clip peak agree when the clip peak lies where the line puts the reference peak, to within
// a cell of `peakTimeCell` seconds and `peakPitchCell` semitones; the line is searched within the
// picture's tolerances (`pictureLineTolerance` in time, `pictureSpeedTolerance` in speed) and
// over every pitch shift an edit can make, by a vote of every pair of peaks into (time, pitch)
// cells. Lines elsewhere in the reference are searched the same way, and the line counts when a
// Poisson count at the busiest one's rate reaches its votes with a chance of at most
// `lineFalseAlarm` (as `standingOut`). A replaced voice, even one speaking the same words in time,
// lands its peaks at other pitches, as it does on every other line.
import Fingerprint

import Foundation

extension AudioMatcher {
    /// Time and pitch cells of the peak vote: two spectrogram frames (a peak moves by about one
    /// when other sound is mixed over it), and half a semitone (the error of a peak's pitch,
    /// `SoundEdits.pitchEstimateError`, either way).
    static let peakTimeCell = 2 * SoundPeak.frameSeconds
    static let peakPitchCell = 2 * SoundEdits.pitchEstimateError

    /// Whether the reference's speech peaks stand out along the line (see the file comment):
    /// the segment they make, or nil. `reference` holds the reference's speech peaks, sorted by
    /// time; `query` the clip's peaks, sorted by time.
    func peaksStandingOut(query: [SoundPeak], reference: [SoundPeak], speed: Double, offset: Double,
                          queryRange: ClosedRange<Double>, referenceDuration: Double) -> AudioMatchSegment? {
        guard !query.isEmpty, !reference.isEmpty else { return nil }
        let mid = (queryRange.lowerBound + queryRange.upperBound) / 2, at = speed * mid + offset
        let half = (queryRange.upperBound - queryRange.lowerBound) / 2
        let cell = Self.peakTimeCell, pitchCell = Self.peakPitchCell
        let band = Self.pictureLineTolerance
        let maxShift = configuration.maxPitchShift
        // Speeds a step apart that moves the stretch's ends by half a cell.
        let step = cell / max(2 * half, cell)
        let reach = Int((Self.pictureSpeedTolerance / step).rounded(.down))
        let speeds = (-reach ... reach).map { speed + Double($0) * step }.filter { configuration.speedRange.contains($0) }
        guard !speeds.isEmpty else { return nil }
        let timeCells = Int((2 * band / cell).rounded(.up)) + 1, pitchCells = Int((2 * maxShift / pitchCell).rounded(.up)) + 1
        var votes = [Int32](repeating: 0, count: timeCells * pitchCells)
        let queryTimes = query.map { Double($0.time) }

        // The busiest (time, pitch) block of 2 × 2 cells of the lines through `at + centre` within
        // the searched band, over the speeds; with its speed, shift and pitch shift.
        func searched(_ centre: Double) -> (count: Int, speed: Double, shift: Double, pitch: Double) {
            var best = (count: 0, speed: speed, shift: centre, pitch: 0.0)
            let lo = at + centre - speed * half - band - Self.pictureSpeedTolerance * half
            let hi = at + centre + speed * half + band + Self.pictureSpeedTolerance * half
            let first = reference.partitionIndex { Double($0.time) >= lo }
            let last = reference.partitionIndex { Double($0.time) > hi }
            guard first < last else { return best }
            for s in speeds {
                for i in votes.indices { votes[i] = 0 }
                for r in reference[first ..< last] {
                    // Clip times at which the line shifted by up to `band` puts this peak.
                    let t0 = mid + (Double(r.time) - at - centre) / s
                    let qlo = max(queryRange.lowerBound, t0 - band / s), qhi = min(queryRange.upperBound, t0 + band / s)
                    guard qlo <= qhi else { continue }
                    var j = queryTimes.partitionIndex { $0 >= qlo }
                    while j < query.count, queryTimes[j] <= qhi {
                        let q = query[j]
                        j += 1
                        let dp = Double(q.pitch - r.pitch)
                        guard abs(dp) <= maxShift else { continue }
                        let shift = Double(r.time) - at - centre - s * (queryTimes[j - 1] - mid)
                        let ti = Int(((shift + band) / cell).rounded(.down)), pi = Int(((dp + maxShift) / pitchCell).rounded(.down))
                        guard ti >= 0, ti < timeCells, pi >= 0, pi < pitchCells else { continue }
                        votes[ti * pitchCells + pi] += 1
                    }
                }
                for ti in 0 ..< timeCells - 1 {
                    for pi in 0 ..< pitchCells - 1 {
                        let n = Int(votes[ti * pitchCells + pi] + votes[ti * pitchCells + pi + 1]
                                    + votes[(ti + 1) * pitchCells + pi] + votes[(ti + 1) * pitchCells + pi + 1])
                        if n > best.count {
                            best = (n, s, centre + Double(ti + 1) * cell - band, Double(pi + 1) * pitchCell - maxShift)
                        }
                    }
                }
            }
            return best
        }

        let found = searched(0)
        guard found.count > 0 else { return nil }
        let width = 2 * (band + cell + Self.pictureSpeedTolerance * half)
        guard let needed = Self.leastStandingOut(width: width, stretch: (at - speed * half) ... (at + speed * half),
                                                  referenceDuration: referenceDuration, count: { searched($0).count }),
              found.count >= needed else { return nil }
        // The clip peaks that agree with the found line and pitch shift, for its extent.
        func referenceTime(_ q: Double) -> Double { at + found.shift + found.speed * (q - mid) }
        var agreeing: [Double] = []
        for (j, q) in query.enumerated() where queryRange.contains(queryTimes[j]) {
            let t = referenceTime(queryTimes[j])
            var i = reference.partitionIndex { Double($0.time) >= t - cell }
            while i < reference.count, Double(reference[i].time) <= t + cell {
                if abs(Double(q.pitch - reference[i].pitch) - found.pitch) <= pitchCell { agreeing.append(queryTimes[j]); break }
                i += 1
            }
        }
        guard let queryStart = agreeing.min(), let queryEnd = agreeing.max(),
              queryEnd - queryStart >= min(half, Double(configuration.minCoveredSeconds)) else { return nil }
        let seconds = Set(agreeing.map { Int($0.rounded(.down)) }).count
        return AudioMatchSegment(
            queryStart: queryStart, queryEnd: queryEnd, referenceStart: referenceTime(queryStart), referenceEnd: referenceTime(queryEnd),
            speed: found.speed, pitchShift: found.pitch,
            alignedHits: found.count, speechHits: found.count, coveredSeconds: seconds,
            score: 1 - exp(-Double(found.count - needed + 1) / configuration.scoreScale))
    }
}

extension RandomAccessCollection {
    /// The first index at which `predicate` holds, for a predicate false then true along the
    /// collection (a binary search); `endIndex` when it never holds.
    func partitionIndex(where predicate: (Element) -> Bool) -> Index {
        var lo = startIndex, n = count
        while n > 0 {
            let h = n / 2, m = index(lo, offsetBy: h)
            if predicate(self[m]) { n = h } else { lo = index(after: m); n -= h + 1 }
        }
        return lo
    }
}
