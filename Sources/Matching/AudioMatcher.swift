// Landmark matching with joint time-offset and speed alignment (a 2-D Hough vote, after
// Wang 2003's offset histogram, extended to speed as Panako does; own implementation).
// Input: a query's landmarks (any order) and a `LandmarkIndex`.
// Output: per reference, segments where many query landmarks agree on
//   reference_time = speed · query_time + offset,  speed in `speedRange`,
// with a consistent pitch shift.
//
// Steps per reference with hits: (1) each hit whose own evidence — pitch difference of the
// anchors, ratio of the triplets' spans — is within range votes, for every speed on a grid,
// for the offset it implies; (2) the densest (speed, offset) cell wins; (3) its inliers are
// refined by least squares and filtered to the median pitch shift; (4) inliers are cut into
// segments at gaps; (5) the alignment's hits are removed and the search repeats, so a query
// re-using several parts of one reference yields several segments.
import Fingerprint

import Foundation

public struct AudioMatcher: Sendable {
    public struct Configuration: Sendable {
        /// Evidence a segment needs: distinct aligned query landmarks whose reference anchor
        /// lies in speech (all aligned landmarks when `requireSpeech` is off) …
        public var minHits = 24
        /// … spread over at least this many query seconds holding ≥ `minHitsPerSecond` each.
        /// Both set from unrelated pairs (dev corpus + synthetic espeak, scripts/experiments/audio-eval/README.md): the
        /// worst unrelated alignment had 31 hits but covered 3 such seconds, because it is a
        /// phrase shared by two recordings of one synthetic voice; reuse covers its length, or
        /// brings enough of its recording along (`heldByItsRecording`).
        public var minCoveredSeconds = 4
        /// A query second counts towards `coveredSeconds` with at least this many aligned hits.
        public var minHitsPerSecond = 3
        /// With `requireSpeech`, hits on reference frames that are not speech (a music bed,
        /// pauses) do not count: a shared soundtrack alone is no evidence of voice reuse.
        public var requireSpeech = true
        /// Speeds an alignment may have: the edit range (`SoundEdits`).
        public var speedRange: ClosedRange<Double> = SoundEdits.speeds
        /// Largest |pitch shift| accepted, semitones: the largest any edit in range causes
        /// (a 0.75× resampled copy, 4.98) plus the error of an anchor's pitch.
        public var maxPitchShift = SoundEdits.maxPitchShift + SoundEdits.pitchEstimateError
        /// Hits above `minHits` at which `score` reaches 0.63 (score = 1 − e^(−excess/scale)).
        public var scoreScale = 30.0
        public var maxSegmentsPerReference = 4
        /// A segment ends where aligned hits are further apart than this on the query axis, s.
        public var maxGap = 6.0
        /// Largest distance of an aligned hit from the fitted line, reference seconds.
        public var timeTolerance: Float = 0.08
        /// Largest deviation of a hit's pitch shift from the alignment's median, semitones.
        public var pitchTolerance: Float = 0.7
        /// Whether a segment the search finds must also stand out of its reference's background
        /// (`standsOut`); off only to measure what that refuses.
        public var judgedAgainstBackground = true
        public init() {}
    }

    public var configuration: Configuration

    /// Speech likelihood (0…255) from which a reference anchor counts as speech.
    public static let speech: UInt8 = 128

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    struct Hit {
        var queryTime: Float
        var referenceTime: Float
        var pitchShift: Float
        var logSpanRatio: Float       // log(reference span / query span) ≈ log(speed)
        var spanTolerance: Float      // in log units
        var speech: UInt8
        var query: Int32
    }

    /// Matches a query against the index; references without a segment are omitted.
    /// Results are sorted by score, best first.
    public func match(_ query: [AudioLandmark], against index: LandmarkIndex) -> [AudioReferenceMatch] {
        guard !query.isEmpty else { return [] }
        let hitsByReference = hits(query, against: index)
        let queryDuration = Double(query.map(\.time).max() ?? 0) - Double(query.map(\.time).min() ?? 0)
        var results: [AudioReferenceMatch] = []
        for (reference, hits) in hitsByReference where hits.count >= configuration.minHits {
            let aligned = align(hits, queryDuration: queryDuration, minCoveredSeconds: configuration.minCoveredSeconds)
            var segments = aligned.found
            if configuration.requireSpeech {
                for short in aligned.short where !segments.contains(where: { $0.overlaps(short) }) {
                    for held in heldByItsRecording(short, query: query, against: index, reference: reference)
                    where !segments.contains(where: { $0.overlaps(held) }) {
                        segments.append(held)
                    }
                }
            }
            if configuration.judgedAgainstBackground {
                let duration = index.durations[reference] ?? 0
                segments = segments.filter { standsOut($0, hits: hits, referenceDuration: duration) }
            }
            if !segments.isEmpty {
                results.append(AudioReferenceMatch(referenceID: reference,
                                                   segments: segments.sorted { $0.score > $1.score }))
            }
        }
        return results.sorted { $0.score > $1.score || ($0.score == $1.score && $0.referenceID < $1.referenceID) }
    }

    /// A passage whose speech aligns with `minHits` speech hits or more but covers fewer than
    /// `minCoveredSeconds`, because that is all the speech there is near it (a room recording in
    /// which someone speaks 3 s of 9, the rest room tone and breath): the line is searched again
    /// over the query up to `maxGap` either side, with the hits of every sound of the reference,
    /// speech or not, and a line found there stands when it holds `minHits` speech hits (the
    /// evidence, as ever) and its hits of any sound cover `minCoveredSeconds`. Why this is no
    /// looser test: `minCoveredSeconds` keeps out a phrase that two recordings of one voice share
    /// (identical in two synthetic renderings, 1–3 s); what surrounds such a phrase is another
    /// recording's sound in each, and falls on no common line, while a reused recording brings its
    /// surroundings along on the same line. A shared music bed alone still proves nothing: without
    /// the speech hits nothing is searched again.
    func heldByItsRecording(_ short: AudioMatchSegment, query: [AudioLandmark], against index: LandmarkIndex,
                            reference: UInt32) -> [AudioMatchSegment] {
        let reach = Double(configuration.maxGap)
        let window = (short.queryStart - reach) ... (short.queryEnd + reach)
        let near = query.filter { window.contains(Double($0.time)) }
        let all = hits(near, against: index, only: reference, speechOnly: false)[reference] ?? []
        guard all.count >= configuration.minHits else { return [] }
        return align(all, queryDuration: window.upperBound - window.lowerBound,
                     minCoveredSeconds: configuration.minCoveredSeconds).found.filter { $0.overlaps(short) }
    }

    /// How far a picture alignment may lie from the sound's, reference seconds: picture frames
    /// are sampled 4 per second, so its line is known to about two frame periods.
    public static let pictureLineTolerance = 0.5

    /// Whether the sound confirms a picture alignment: the query stretch `queryRange` plays
    /// `reference` along reference_time ≈ speed · query_time + offset (found by the picture,
    /// independently of the sound). Only hits near that line and inside that stretch are
    /// aligned, with the same evidence per segment as `match` (`minHits` speech hits, each
    /// covered second holding `minHitsPerSecond`), except that a stretch shorter than
    /// `minCoveredSeconds` need only cover as many whole seconds as it holds. Why that is no
    /// looser test: `minCoveredSeconds` guards a search over every offset and speed of every
    /// reference against a phrase that two recordings of one voice share (it covers 1–3 s
    /// somewhere); here the line is fixed beforehand by the picture, and such a phrase would have
    /// to fall on it by chance.
    ///
    /// `queryPeaks`: the query's `soundPeaks` when it has them (a suspect), for the check peak by
    /// peak (`peaksStandingOut`); nil or empty: its landmarks' anchors.
    public func confirm(_ query: [AudioLandmark], queryPeaks: [SoundPeak]? = nil, against index: LandmarkIndex, reference: UInt32,
                        speed: Double, offset: Double, queryRange: ClosedRange<Double>) -> [AudioMatchSegment] {
        guard !query.isEmpty, queryRange.upperBound > queryRange.lowerBound else { return [] }
        let margin = Self.pictureLineTolerance
        let all = hits(query, against: index, only: reference)[reference] ?? []
        let near = all.filter { h in
            let q = Double(h.queryTime)
            return q >= queryRange.lowerBound - margin && q <= queryRange.upperBound + margin
                && abs(Double(h.referenceTime) - (speed * q + offset)) <= margin
        }
        if near.count >= configuration.minHits {
            let length = queryRange.upperBound - queryRange.lowerBound
            let covered = min(configuration.minCoveredSeconds, Int(length.rounded(.down)))
            // The speed too is the picture's, to within its aligner's grid step: over a stretch of
            // a few seconds the hit times alone hardly tell speeds apart.
            let r = Self.pictureSpeedTolerance
            let lo = max(configuration.speedRange.lowerBound, speed - r), hi = min(configuration.speedRange.upperBound, speed + r)
            if lo <= hi {
                let segments = align(near, queryDuration: length, minCoveredSeconds: max(1, covered), speedRange: lo...hi).found
                if !segments.isEmpty { return segments }
            }
        }
        let duration = index.durations[reference] ?? 0
        if let found = standingOut(all, speed: speed, offset: offset, queryRange: queryRange, referenceDuration: duration) {
            return [found]
        }
        let peaks = queryPeaks.flatMap { $0.isEmpty ? nil : $0 } ?? SoundPeak.anchors(of: query)
        let referencePeaks = index.speechPeaks(of: reference)
        return Self.peakPieces(of: queryRange).compactMap {
            peaksStandingOut(query: peaks, reference: referencePeaks, speed: speed, offset: offset, queryRange: $0, referenceDuration: duration)
        }
    }

    /// The stretches of a picture segment that the peak check looks at: the whole when it is at
    /// most `peakPieceSeconds` long; otherwise at most `peakPiecesTried` of its equal pieces of at
    /// most that length, spread from its start to its end. The check's cost grows with the square
    /// of the stretch (its speed grid is finer the longer it is), and a voice that is there is
    /// there in any piece; each piece that passes is a segment of its own.
    static let peakPieceSeconds = 20.0
    static let peakPiecesTried = 4
    static func peakPieces(of range: ClosedRange<Double>) -> [ClosedRange<Double>] {
        let length = range.upperBound - range.lowerBound
        let count = Int((length / peakPieceSeconds).rounded(.up))
        guard count > 1 else { return [range] }
        let piece = length / Double(count)
        let chosen = Set((0 ..< min(count, peakPiecesTried)).map { j in
            min(count, peakPiecesTried) == 1 ? 0 : Int((Double(j) * Double(count - 1) / Double(min(count, peakPiecesTried) - 1)).rounded())
        }).sorted()
        return chosen.map { i in (range.lowerBound + Double(i) * piece) ... (range.lowerBound + Double(i + 1) * piece) }
    }

    /// Chance of a background line holding as many hits as the picture's line, below which the
    /// sound counts as reused along it (`standingOut`): one in a million lines checked.
    public static let lineFalseAlarm = 1e-6
    /// Lines elsewhere in the reference that a line's hits are held against, at most and at least.
    static let backgroundLines = 40
    static let leastBackgroundLines = 8

    /// The sound along a line the picture fixed, when too little of it is left for `align`'s
    /// evidence (another voice or music over it, noise: most of its landmarks are lost). Where the
    /// line is known beforehand, the question is no longer whether some line of some reference
    /// holds enough hits, but whether this one holds more than chance: the hits on it (distinct
    /// query landmarks on reference speech, within `timeTolerance` of the line, with one pitch
    /// shift, the line searched within the picture's own tolerances — `pictureLineTolerance` in
    /// time, `pictureSpeedTolerance` in speed) are held against the same count on lines shifted
    /// elsewhere in the reference (each searched alike), and the sound counts when a Poisson count
    /// at the busiest background line's rate reaches the line's with a chance of at most
    /// `lineFalseAlarm` and the hits span half of the stretch or the `minCoveredSeconds` that a
    /// phrase two recordings of one voice share does not (see `confirm`). A replaced voice holds what
    /// the background holds, and a reference too short for `leastBackgroundLines` to fit is not
    /// judged this way.
    func standingOut(_ hits: [Hit], speed: Double, offset: Double, queryRange: ClosedRange<Double>,
                     referenceDuration: Double) -> AudioMatchSegment? {
        guard let line = lineAgainstBackground(hits, speed: speed, offset: offset, queryRange: queryRange,
                                               referenceDuration: referenceDuration),
              let needed = line.needed, line.count > 0, line.count >= needed else { return nil }
        let times = line.hits.map { Double($0.queryTime) }
        let queryStart = times.min() ?? 0, queryEnd = times.max() ?? 0
        let half = (queryRange.upperBound - queryRange.lowerBound) / 2
        guard queryEnd - queryStart >= min(half, Double(configuration.minCoveredSeconds)) else { return nil }
        let shifts = line.hits.map(\.pitchShift).sorted()
        // The score as `makeSegments` gives it, counted from the least count that would pass.
        return AudioMatchSegment(
            queryStart: queryStart, queryEnd: queryEnd, referenceStart: line.reference(queryStart), referenceEnd: line.reference(queryEnd),
            speed: line.speed, pitchShift: Double(shifts[shifts.count / 2]),
            alignedHits: line.count, speechHits: line.count, coveredSeconds: coveredSeconds(line.hits),
            score: 1 - exp(-Double(line.count - needed + 1) / configuration.scoreScale))
    }

    /// Whether a segment the search found (`align`) stands out of its reference's background as
    /// a line the picture fixed must (`standingOut`): its count of hits against the least count
    /// that lines shifted elsewhere in the reference make likely (`leastStandingOut`). The search
    /// keeps the best of many lines, and a voice like the reference's (its speaker saying other
    /// words, a synthetic voice of its family) fills many of them a little: one can reach
    /// `minHits` over `minCoveredSeconds` while lines elsewhere hold nearly as many (the large
    /// corpus profile drawn again with another seed: five such segments in four clips, 25–37 hits
    /// over 7–13 s, against backgrounds of 18–39, where every reused passage stands out,
    /// 2026-12-07). A segment
    /// longer than `peakPieceSeconds` is judged by its pieces (`peakPieces`: the check's cost grows
    /// with the square of the stretch) and stands when one of them does; a reference too short to
    /// hold `leastBackgroundLines` lines is not judged this way.
    func standsOut(_ segment: AudioMatchSegment, hits: [Hit], referenceDuration: Double) -> Bool {
        let range = min(segment.queryStart, segment.queryEnd) ... max(segment.queryStart, segment.queryEnd)
        let offset = segment.referenceStart - segment.speed * segment.queryStart
        for piece in Self.peakPieces(of: range) {
            guard let line = lineAgainstBackground(hits, speed: segment.speed, offset: offset, queryRange: piece,
                                                   referenceDuration: referenceDuration) else { continue }
            guard let needed = line.needed else { return true }
            if line.count >= needed { return true }
        }
        return false
    }

    /// The best line near reference = speed · query + offset over `queryRange` (searched within
    /// the picture's tolerances: `pictureLineTolerance` in time, `pictureSpeedTolerance` in
    /// speed), with its hits (distinct query landmarks within `timeTolerance` of it, with one
    /// pitch shift), and the least count that stands out of the background (`leastStandingOut`;
    /// nil when the reference is too short for it); nil when no hit lies in the range.
    private func lineAgainstBackground(_ hits: [Hit], speed: Double, offset: Double, queryRange: ClosedRange<Double>,
                                       referenceDuration: Double)
        -> (count: Int, speed: Double, hits: [Hit], needed: Int?, reference: (Double) -> Double)? {
        let inRange = hits.filter { queryRange.contains(Double($0.queryTime)) }
        guard !inRange.isEmpty else { return nil }
        let tolerance = Double(configuration.timeTolerance)
        // Lines pivot on the stretch's middle, where the line puts the reference at `at`.
        let mid = (queryRange.lowerBound + queryRange.upperBound) / 2, at = speed * mid + offset
        let half = (queryRange.upperBound - queryRange.lowerBound) / 2
        // Speeds a step apart that moves the stretch's ends by half of `tolerance`.
        let step = tolerance / max(2 * half, tolerance)
        let reach = Int((Self.pictureSpeedTolerance / step).rounded(.down))
        let speeds = (-reach ... reach).map { speed + Double($0) * step }.filter { configuration.speedRange.contains($0) }
        guard !speeds.isEmpty else { return nil }
        // Per speed, each hit's distance from the line through `at`, when its span agrees.
        let residuals: [[Double?]] = speeds.map { s in
            let logS = Float(log(s))
            return inRange.map { h in
                abs(h.logSpanRatio - logS) <= h.spanTolerance ? Double(h.referenceTime) - (at + s * (Double(h.queryTime) - mid)) : nil
            }
        }
        // The hits within `tolerance` of the line of speed `si` shifted by `shift`, with one pitch shift.
        func onLine(_ si: Int, _ shift: Double) -> [Int] {
            let idx = inRange.indices.filter { i in residuals[si][i].map { abs($0 - shift) <= tolerance } ?? false }
            guard idx.count >= 3 else { return idx }
            let shifts = idx.map { inRange[$0].pitchShift }.sorted()
            let median = shifts[shifts.count / 2]
            return idx.filter { abs(inRange[$0].pitchShift - median) <= configuration.pitchTolerance }
        }
        // The best line within the picture's tolerances of the one shifted by `centre`.
        let steps = Int((Self.pictureLineTolerance / tolerance).rounded(.up))
        func searched(_ centre: Double) -> (count: Int, speed: Double, shift: Double, hits: [Int]) {
            var best = (count: -1, speed: speed, shift: centre, hits: [Int]())
            for si in speeds.indices {
                for k in -steps ... steps {
                    let shift = centre + Double(k) * tolerance
                    let idx = onLine(si, shift)
                    let n = Set(idx.map { inRange[$0].query }).count
                    if n > best.count { best = (n, speeds[si], shift, idx) }
                }
            }
            return best
        }
        let found = searched(0)
        let width = 2 * (Self.pictureLineTolerance + tolerance + Self.pictureSpeedTolerance * half)
        let needed = Self.leastStandingOut(width: width, stretch: (at - speed * half) ... (at + speed * half),
                                           referenceDuration: referenceDuration, count: { searched($0).count })
        return (max(0, found.count), found.speed, found.hits.map { inRange[$0] }, needed,
                { q in at + found.shift + found.speed * (q - mid) })
    }

    /// The least count a line must hold to stand out (`standingOut`, `peaksStandingOut`): one
    /// that a Poisson count at the rate of the busiest of up to `backgroundLines` lines elsewhere
    /// reaches with a chance of at most `lineFalseAlarm`. The lines are shifted by whole `width`s
    /// (past the searched band) on either side, nearest first, with the `stretch` mapped wholly
    /// inside the reference; `count` gives a line's count from its shift. nil when fewer than
    /// `leastBackgroundLines` fit.
    static func leastStandingOut(width: Double, stretch: ClosedRange<Double>, referenceDuration: Double,
                                 count: (Double) -> Int) -> Int? {
        var background: [Int] = []
        var k = 1
        while background.count < backgroundLines, Double(k) * width <= referenceDuration {
            for shift in [Double(k) * width, -Double(k) * width]
            where stretch.lowerBound + shift >= 0 && stretch.upperBound + shift <= referenceDuration && background.count < backgroundLines {
                background.append(count(shift))
            }
            k += 1
        }
        guard background.count >= leastBackgroundLines else { return nil }
        let rate = Double(max(background.max() ?? 0, 1))
        var needed = 1
        while poissonTail(atLeast: needed, rate: rate) > lineFalseAlarm { needed += 1 }
        return needed
    }

    /// P(X ≥ n) for X Poisson with mean `rate`.
    static func poissonTail(atLeast n: Int, rate: Double) -> Double {
        guard n > 0 else { return 1 }
        guard rate > 0 else { return 0 }
        // Each term from its logarithm: e^−rate alone underflows to 0 past a rate of ~745 (the
        // peak check's counts reach that), which made every tail 1.
        let logRate = log(rate)
        func term(_ i: Int) -> Double { exp(-rate + Double(i) * logRate - lgamma(Double(i) + 1)) }
        if Double(n) > rate {
            // Past the mean: the tail summed from n on, its terms falling faster than a
            // geometric series of ratio rate / (n + 1) < 1.
            var sum = 0.0, t = term(n), i = n
            while t > 0, t > sum * 1e-17 {
                sum += t
                i += 1
                t *= rate / Double(i)
            }
            return min(1, sum)
        }
        // Up to the mean: 1 − P(X < n).
        var below = 0.0
        for i in 0 ..< n { below += term(i) }
        return max(0, 1 - below)
    }

    /// Step of the picture aligner's speed grid (`TemporalAligner`).
    public static let pictureSpeedTolerance = 0.025

    /// Hits of the query's landmarks per reference (only `reference`'s when given); with
    /// `speechOnly` (the configuration's `requireSpeech` unless given), only those on reference speech.
    private func hits(_ query: [AudioLandmark], against index: LandmarkIndex, only: UInt32? = nil,
                      speechOnly: Bool? = nil) -> [UInt32: [Hit]] {
        var hitsByReference: [UInt32: [Hit]] = [:]
        let maxShift = Float(configuration.maxPitchShift)
        // A hash stored far more often than average (a steady tone, a hum, a loop) says nothing
        // about where a query comes from, and its hits grow with the product of both lengths:
        // a 2-hour query over a reference of one tone made gigabytes of hits. Such hashes are
        // left out, as common words are from a text index.
        let commonBucket = max(256, 64 * index.count >> LandmarkHash.bits)
        let requireSpeech = speechOnly ?? configuration.requireSpeech
        for (qi, q) in query.enumerated() {
            let qPitch = Float(q.pitchSemitones)
            let qSpan = max(Float(q.spanSeconds), 1e-3)
            // Span end points are interpolated frame times (±~0.3 frame each): short spans
            // give loose speed estimates, so the tolerance widens as the span shrinks.
            let tol = 0.06 + 0.012 / qSpan
            for h in LandmarkHash.probes(of: q) {
                index.withEntries(for: h) { entries in
                    guard entries.count <= commonBucket else { return }
                    for e in entries {
                        // Hits on reference sound that is not speech can never be evidence when
                        // speech is required; kept, they grow with both lengths (a 2-hour query
                        // over a music bed: ~10M hits per 20 minutes).
                        if requireSpeech && e.speech < AudioLandmark.speechThreshold { continue }
                        if let only, e.reference != only { continue }
                        let shift = qPitch - Float(e.pitch) / 64
                        guard abs(shift) <= maxShift else { continue }
                        hitsByReference[e.reference, default: []].append(Hit(
                            queryTime: q.time, referenceTime: e.time, pitchShift: shift,
                            logSpanRatio: logf(max(Float(e.span) / 10_000, 1e-3) / qSpan), spanTolerance: tol,
                            speech: e.speech, query: Int32(qi)))
                    }
                }
            }
        }
        return hitsByReference
    }

    /// The segments along the densest lines (`found`), and those that hold the evidence in hits
    /// but cover fewer than `minCoveredSeconds` (`short`).
    private func align(_ allHits: [Hit], queryDuration: Double, minCoveredSeconds: Int,
                       speedRange: ClosedRange<Double>? = nil) -> (found: [AudioMatchSegment], short: [AudioMatchSegment]) {
        var hits = allHits
        var segments: [AudioMatchSegment] = []
        var short: [AudioMatchSegment] = []
        let cfg = configuration
        // Speed grid fine enough that the drift of a wrong grid speed over the query stays
        // inside the offset window.
        let step = max(0.002, min(0.01, 0.15 / max(queryDuration, 1)))
        let range = speedRange ?? cfg.speedRange
        let speeds = Array(stride(from: range.lowerBound, through: range.upperBound + 1e-9, by: step))
        let logSpeeds = speeds.map { Float(log($0)) }
        var densest = DensestWindow(width: 0.15)
        for _ in 0..<cfg.maxSegmentsPerReference {
            guard hits.count >= cfg.minHits else { break }
            // The first densest window over the speeds in order; one of fewer than `minHits`
            // offsets is never used, so it is not looked for.
            var best = (count: cfg.minHits - 1, speed: 1.0, offset: Float(0))
            var offsets: [Float] = []
            offsets.reserveCapacity(hits.count)
            // A hit votes at the grid speeds its span agrees with: a run of them, found once
            // (not tested at every speed); the hits whose run covers a speed are kept at hand.
            let runs = hits.map { Self.agreeingSpeeds(logSpanRatio: $0.logSpanRatio, tolerance: $0.spanTolerance, logSpeeds: logSpeeds) }
            let byStart = hits.indices.filter { !runs[$0].isEmpty }.sorted { runs[$0].lowerBound < runs[$1].lowerBound }
            var next = 0
            var active: [Int] = []
            for (i, s) in speeds.enumerated() {
                while next < byStart.count, runs[byStart[next]].lowerBound <= i { active.append(byStart[next]); next += 1 }
                active.removeAll { runs[$0].upperBound <= i }
                offsets.removeAll(keepingCapacity: true)
                for h in active { offsets.append(hits[h].referenceTime - Float(s) * hits[h].queryTime) }
                if let found = densest.densest(offsets, beating: best.count) { best = (found.count, s, found.offset) }
            }
            guard best.count >= cfg.minHits else { break }
            var speed = best.speed
            var offset = Double(best.offset)
            var inliers = selectInliers(hits, speed: speed, offset: offset, tolerance: 0.12)
            // Least-squares refinement when the inliers span enough time to pin the slope.
            for _ in 0..<2 {
                guard inliers.count >= 8 else { break }
                let fit = fitLine(inliers.map { hits[$0] })
                guard let fit, range.contains(fit.speed) else { break }
                speed = fit.speed
                offset = fit.offset
                inliers = selectInliers(hits, speed: speed, offset: offset, tolerance: cfg.timeTolerance)
            }
            // Remove everything near this line, consistent or not, before the next round.
            let near = Set(selectInliers(hits, speed: speed, offset: offset, tolerance: 0.15, checkSpan: false))
            for segment in makeSegments(inliers.map { hits[$0] }, speed: speed, offset: offset) {
                if segment.coveredSeconds >= minCoveredSeconds { segments.append(segment) } else { short.append(segment) }
            }
            hits = hits.enumerated().filter { !near.contains($0.offset) }.map(\.element)
        }
        return (segments, short)
    }

    /// The indices of `logSpeeds` (increasing) at which a hit's span agrees with the speed,
    /// |logSpanRatio − log speed| ≤ tolerance as computed in `Float`: one run, since the
    /// rounded difference is monotone in the speed.
    static func agreeingSpeeds(logSpanRatio: Float, tolerance: Float, logSpeeds: [Float]) -> Range<Int> {
        func agrees(_ i: Int) -> Bool { abs(logSpanRatio - logSpeeds[i]) <= tolerance }
        let first = logSpeeds.indices.partitionIndex { agrees($0) || logSpeeds[$0] >= logSpanRatio }
        guard first < logSpeeds.count, agrees(first) else { return first ..< first }
        let end = logSpeeds.indices[first...].partitionIndex { logSpeeds[$0] > logSpanRatio && !agrees($0) }
        return first ..< end
    }

    private func selectInliers(_ hits: [Hit], speed: Double, offset: Double, tolerance: Float,
                               checkSpan: Bool = true) -> [Int] {
        let logS = Float(log(speed))
        var idx: [Int] = []
        for (i, h) in hits.enumerated() {
            let r = h.referenceTime - Float(speed) * h.queryTime - Float(offset)
            guard abs(r) <= tolerance else { continue }
            if checkSpan && abs(h.logSpanRatio - logS) > h.spanTolerance { continue }
            idx.append(i)
        }
        guard checkSpan, idx.count >= 3 else { return idx }
        // One alignment has one pitch shift: keep hits near the median.
        let shifts = idx.map { hits[$0].pitchShift }.sorted()
        let median = shifts[shifts.count / 2]
        return idx.filter { abs(hits[$0].pitchShift - median) <= configuration.pitchTolerance }
    }

    private func fitLine(_ hits: [Hit]) -> (speed: Double, offset: Double)? {
        var fit = LineFit()
        for h in hits { fit.add(x: Double(h.queryTime), y: Double(h.referenceTime)) }
        // Less than ~3.5 s of spread: keep the grid speed.
        return fit.line(minimumVariance: 1).map { ($0.slope, $0.intercept) }
    }

    /// Whole query seconds holding at least `minHitsPerSecond` distinct aligned landmarks.
    private func coveredSeconds(_ hits: [Hit]) -> Int {
        var perSecond: [Int: Set<Int32>] = [:]
        for h in hits { perSecond[Int(h.queryTime.rounded(.down)), default: []].insert(h.query) }
        return perSecond.values.filter { $0.count >= configuration.minHitsPerSecond }.count
    }

    /// The inliers cut into segments at gaps; those holding `minHits` of evidence, however much they cover.
    private func makeSegments(_ inliers: [Hit], speed: Double, offset: Double) -> [AudioMatchSegment] {
        let cfg = configuration
        let sorted = inliers.sorted { $0.queryTime < $1.queryTime }
        var groups: [[Hit]] = []
        for h in sorted {
            if let last = groups.last?.last, Double(h.queryTime - last.queryTime) <= cfg.maxGap {
                groups[groups.count - 1].append(h)
            } else {
                groups.append([h])
            }
        }
        var out: [AudioMatchSegment] = []
        for g in groups {
            let aligned = Set(g.map(\.query)).count
            let speechHits = Set(g.filter { $0.speech >= AudioLandmark.speechThreshold }.map(\.query)).count
            let evidence = cfg.requireSpeech ? speechHits : aligned
            let covered = coveredSeconds(g)
            guard evidence >= cfg.minHits, let firstHit = g.first, let lastHit = g.last else { continue }
            let qs = Double(firstHit.queryTime), qe = Double(lastHit.queryTime)
            let shifts = g.map(\.pitchShift).sorted()
            let score = 1 - exp(-Double(evidence - cfg.minHits + 1) / cfg.scoreScale)
            out.append(AudioMatchSegment(
                queryStart: qs, queryEnd: qe,
                referenceStart: speed * qs + offset, referenceEnd: speed * qe + offset,
                speed: speed, pitchShift: Double(shifts[shifts.count / 2]),
                alignedHits: aligned, speechHits: speechHits,
                coveredSeconds: covered, score: score))
        }
        return out
    }
}
