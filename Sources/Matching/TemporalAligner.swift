// Temporal alignment: from frame-level hits (query time, reference time, similarity) to the runs
// of a suspect that agree on one linear map reference = rate × query + offset. A generalized
// Hough vote over (rate, offset) finds the map, weighted least squares refines it, and the
// supporting query instants are cut into segments at gaps. A match is never a single frame: a
// segment needs several query instants agreeing on one map, and a map that is no better than
// far-away offsets (a static view, where every query frame matches every reference frame) is
// discounted by its uniqueness.
import Fingerprint

public struct FrameHit: Sendable {
    public var queryTime: Float
    public var referenceTime: Float
    /// 0…1, 1 for identical hashes.
    public var similarity: Float
    /// Where the reference picture lies in the query frame, for channels that verify geometry
    /// (keypoints); nil for whole-frame channels.
    public var placement: Placement?
    /// The fitted outline of the reference picture in the query frame, for the evidence
    /// (keypoints); nil for whole-frame channels.
    public var geometry: PictureGeometry?

    public init(queryTime: Float, referenceTime: Float, similarity: Float, placement: Placement? = nil,
                geometry: PictureGeometry? = nil) {
        self.queryTime = queryTime
        self.referenceTime = referenceTime
        self.similarity = similarity
        self.placement = placement
        self.geometry = geometry
    }
}

/// The placement of a reference picture in a query frame, in the query frame's proportions: the
/// reference centre's position (fractions of the query frame's width and height), its scale
/// (natural logarithm of the query pixels per reference pixel, so that zooms compare by ratio)
/// and its rotation (radians).
public struct Placement: Sendable, Equatable {
    public var centre: SIMD2<Float>
    public var logScale: Float
    public var rotation: Float

    public init(centre: SIMD2<Float>, logScale: Float, rotation: Float) {
        self.centre = centre
        self.logScale = logScale
        self.rotation = rotation
    }

    /// Whether two placements put the picture in the same place, within what a fit measures
    /// (`GeometricFit` recovers scale to about 0.5 % and angle to about 0.1°): the centre within
    /// 2 % of the frame, the scale within 2.5 %, the rotation within 1.5°. Off-map hits with another placement
    /// are another view (a camera move over a still shows each of its moments at another
    /// scale or shift), not the same view seen again.
    public func isSame(as other: Placement) -> Bool { deviation(from: other) <= 1 }

    /// How far `other` is from this placement, in units of the limits `isSame` allows (the
    /// largest of the three): 0 the same, 1 at the limit.
    public func deviation(from other: Placement) -> Float {
        let d = centre - other.centre
        var turn = abs(rotation - other.rotation).truncatingRemainder(dividingBy: 2 * .pi)
        if turn > .pi { turn = 2 * .pi - turn }
        return max((d * d).sum().squareRoot() / 0.02, abs(logScale - other.logScale) / 0.025, turn / (1.5 * .pi / 180))
    }
}

public struct Alignment: Sendable, Equatable {
    public var rate: Double
    public var offset: Double
    public var queryStart: Double
    public var queryEnd: Double
    /// Distinct query instants that agree with the map.
    public var supportingInstants: Int
    /// Query instants with usable frames inside [queryStart, queryEnd].
    public var instantsInSpan: Int
    public var meanSimilarity: Double
    /// Mean over supporting instants of how much better they match on the map than > 2 s off it
    /// (1: clearly better; 0: as good elsewhere, as in a static view).
    public var uniqueness: Double
    /// Distinct reference times matched (a frozen or static reference gives few).
    public var distinctReferenceTimes: Int
    /// Where the reference picture sits in the query frame: the fit of the segment's most
    /// similar instant (channels that verify geometry only).
    public var geometry: PictureGeometry?
    /// Uniqueness where the other places that match as well are repeats of the passage (a loop
    /// played forward and back, a shot used twice): other lines through time, each followed by
    /// most of the segment's instants, set aside — provided each instant's match also stands
    /// out from the reference moments just around it (content that changes, not a still view
    /// or a plateau, where every nearby moment matches as well). 0 when there are no repeats.
    public var uniquenessUpToRepeats: Double = 0
    /// Those other places: per repeat line, the reference range it maps the segment to
    /// (reversed for a backward pass: start after end).
    public var repeats: [ClosedRange<Double>] = []
    /// How far the picture's changes along the map agree with the reference's beyond any other
    /// offset (`MotionAgreement`): measured by the matcher for an alignment whose hashes alone
    /// do not single out its offset; 0 otherwise.
    public var motionUniqueness: Double = 0

    /// The uniqueness that decides: a passage that matches equally well in a few other places
    /// (repeats) is still shown to be reused, its "where" ambiguous among them; a low-motion
    /// passage whose changes follow the reference's on the map (and nowhere else) is shown to
    /// be reused there.
    public var decidingUniqueness: Double { max(uniqueness, uniquenessUpToRepeats, motionUniqueness) }

    public var referenceStart: Double { rate * queryStart + offset }
    public var referenceEnd: Double { rate * queryEnd + offset }
}

public struct TemporalAligner: Sendable {
    public var rates: [Double]
    public var offsetBin: Double
    public var tolerance: Double
    public var maxGap: Double
    public var minimumSupport: Int
    public var maximumAlignments: Int

    public init(rates: [Double] = stride(from: 0.85, through: 1.1501, by: 0.025).map { $0 },
                offsetBin: Double = 0.25, tolerance: Double = 0.3, maxGap: Double = 4,
                minimumSupport: Int = 3, maximumAlignments: Int = 4) {
        self.rates = rates
        self.offsetBin = offsetBin
        self.tolerance = tolerance
        self.maxGap = maxGap
        self.minimumSupport = minimumSupport
        self.maximumAlignments = maximumAlignments
    }

    /// Alignments of one reference, strongest first. `usableQueryTimes`: the query's instants
    /// that could be evidence (sorted), for coverage.
    public func align(_ hits: [FrameHit], usableQueryTimes: [Float]) -> [Alignment] {
        var remaining = hits
        var result: [Alignment] = []
        while result.count < maximumAlignments, remaining.count >= minimumSupport {
            guard let (rate, offset, placement) = vote(remaining) else { break }
            // Hits with placements: the line is the one placement's (see `steadyVote`).
            let candidates = placement.map { p in remaining.filter { $0.placement?.isSame(as: p) ?? false } } ?? remaining
            // Keep the least-squares fit when it explains at least as many hits as the vote.
            let fitted = refine(candidates, rate: rate, offset: offset)
            let fittedInliers = inliers(of: candidates, rate: fitted.0, offset: fitted.1)
            let votedInliers = inliers(of: candidates, rate: rate, offset: offset)
            let useFit = fittedInliers.count >= votedInliers.count && abs(fitted.0 - 1) <= 0.2
            let (refinedRate, refinedOffset) = useFit ? fitted : (rate, offset)
            let inliers = useFit ? fittedInliers : votedInliers
            let segments = cut(inliers, all: hits, rate: refinedRate, offset: refinedOffset,
                               usableQueryTimes: usableQueryTimes)
            let accepted = segments.filter { $0.supportingInstants >= minimumSupport }
            if accepted.isEmpty { break }
            result += accepted
            // Look for further reuse of the same reference elsewhere in the suspect: a suspect
            // moment shows one reference moment, so the instants already explained are done.
            remaining = remaining.filter { h in
                abs(Double(h.referenceTime) - (refinedRate * Double(h.queryTime) + refinedOffset)) > tolerance * 2
                    && !accepted.contains { Double(h.queryTime) >= $0.queryStart - 0.5 && Double(h.queryTime) <= $0.queryEnd + 0.5 }
            }
        }
        return result.sorted { $0.supportingInstants > $1.supportingInstants }
    }

    /// The hits that lie along a line another medium found (reference = rate × query + offset,
    /// query times in `queryRange`), as alignments cut at gaps: for hits with placements, those
    /// that place the reference as most of the line's instants do (`steadyVote`). Nothing is
    /// voted: the line is given.
    public func along(_ hits: [FrameHit], rate: Double, offset: Double, queryRange: ClosedRange<Double>,
                      usableQueryTimes: [Float]) -> [Alignment] {
        let onLine = inliers(of: hits.filter { queryRange.contains(Double($0.queryTime)) }, rate: rate, offset: offset)
        guard onLine.count >= minimumSupport else { return [] }
        let placement = onLine.contains { $0.placement != nil } ? Self.steadyVote(onLine).1 : nil
        let steady = placement.map { p in onLine.filter { $0.placement?.isSame(as: p) ?? false } } ?? onLine
        return cut(steady, all: hits, rate: rate, offset: offset, usableQueryTimes: usableQueryTimes)
            .filter { $0.supportingInstants >= minimumSupport }
    }

    /// Similarity margin (on the map over off it) at which an instant fully confirms the map:
    /// 0.1 is about 6 bits of a PDQ hash's 64-bit similarity scale.
    static let specificMargin: Float = 0.1

    private func inliers(of hits: [FrameHit], rate: Double, offset: Double) -> [FrameHit] {
        hits.filter { abs(Double($0.referenceTime) - (rate * Double($0.queryTime) + offset)) <= tolerance }
    }

    /// Vote of an offset cell: its own votes plus half of each neighbour's (offsets near a bin
    /// edge), less a hair for rates far from 1 so that ties go to the plainer explanation.
    private func cellScore(_ votes: [Int: Double], _ bin: Int, rate: Double) -> Double {
        (votes[bin] ?? 0) + 0.5 * ((votes[bin - 1] ?? 0) + (votes[bin + 1] ?? 0)) - abs(rate - 1) * 1e-3
    }

    /// The offset cell (bin) a hit votes for at `rate`.
    private func offsetCell(of h: FrameHit, rate: Double) -> Int {
        Int((Double(h.referenceTime) - rate * Double(h.queryTime)) / offsetBin)
    }

    /// The best (rate, offset) cell of the vote, and for hits with placements, the placement
    /// of its steadiest set.
    private func vote(_ hits: [FrameHit]) -> (Double, Double, Placement?)? {
        var best: (score: Double, rate: Double, bin: Int) = (0, 1, 0)
        var bestPlacement: Placement?
        let placed = hits.contains { $0.placement != nil }
        for rate in rates {
            var votes: [Int: Double] = [:]
            var anchors: [Int: Placement] = [:]
            if placed {
                // Hits that place the reference picture (keypoints) vote with their placement: a
                // copy shows the reference in one place along the stretch, while the other moments
                // of a camera move over a still explain the suspect each with a placement that
                // drifts as the camera did. A cell's vote is its largest set of instants that
                // place the picture the same way.
                var cells: [Int: [FrameHit]] = [:]
                for h in hits { cells[offsetCell(of: h, rate: rate), default: []].append(h) }
                for (bin, group) in cells { (votes[bin], anchors[bin]) = Self.steadyVote(group) }
            } else {
                // One vote per (query instant, offset bin): a query frame matching many reference
                // frames of a static shot must not outvote a real alignment.
                var seen = Set<Int64>()
                for h in hits {
                    let bin = offsetCell(of: h, rate: rate)
                    let key = Int64(bin) << 32 | Int64(Int32(truncatingIfNeeded: Int(h.queryTime * 1000)))
                    if seen.insert(key).inserted { votes[bin, default: 0] += Double(h.similarity) }
                }
            }
            // Sorted: among equal scores the first wins, and it must be the same one every run.
            for bin in votes.keys.sorted() {
                let s = cellScore(votes, bin, rate: rate)
                if s > best.score { best = (s, rate, bin); bestPlacement = anchors[bin] }
            }
        }
        guard best.score > 0 else { return nil }
        return (best.rate, (Double(best.bin) + 0.5) * offsetBin, bestPlacement)
    }

    /// The vote of hits that carry placements: the most similarity, one hit per instant, of the
    /// instants that place the reference as one of them does, each weighed down by how far its
    /// placement lies from that one (half at the limit of `Placement.isSame`): a copy's
    /// placement holds still, another moment of a camera move drifts within the limit.
    static func steadyVote(_ hits: [FrameHit]) -> (Double, Placement?) {
        var top: (vote: Double, placement: Placement?) = (0, nil)
        for anchor in hits {
            guard let p = anchor.placement else { continue }
            var instants: [Float: Float] = [:]
            for h in hits {
                guard let q = h.placement else { continue }
                let deviation = q.deviation(from: p)
                guard deviation <= 1 else { continue }
                instants[h.queryTime] = max(instants[h.queryTime] ?? 0, h.similarity * (1 - deviation / 2))
            }
            let vote = instants.values.reduce(0) { $0 + Double($1) }
            if vote > top.vote { top = (vote, p) }
        }
        return top
    }

    /// Weighted least squares of reference time on query time over the inliers.
    private func refine(_ hits: [FrameHit], rate: Double, offset: Double) -> (Double, Double) {
        var fit = LineFit()
        for h in hits {
            let x = Double(h.queryTime), y = Double(h.referenceTime)
            guard abs(y - (rate * x + offset)) <= tolerance * 1.5 else { continue }
            fit.add(x: x, y: y, weight: Double(h.similarity))
        }
        guard !fit.isEmpty else { return (rate, offset) }
        // A short or static run cannot pin the rate: keep the voted one, fit only the offset.
        guard let line = fit.line(minimumVariance: 4) else { return (rate, fit.intercept(slope: rate)) }
        return (line.slope, line.intercept)
    }

    /// Whether a hit elsewhere competes with an instant's match on the map: always for
    /// whole-frame hits; for hits with placements, only when it places the picture as the match
    /// does (a still view seen again), not otherwise (another moment of a camera move).
    static func competes(_ hit: FrameHit, with onMap: Placement?) -> Bool {
        guard let p = hit.placement, let q = onMap else { return true }
        return p.isSame(as: q)
    }

    /// Reference seconds of matching moments around an instant's match beyond which it is a
    /// plateau (a still view, a held shot: every moment matches as well) rather than a peak
    /// (content that changes: the match stands out, give or take the frames that blur into it).
    static let plateau = 2.0

    /// `Alignment.uniquenessUpToRepeats` and the repeats' reference ranges for the instants
    /// `group` of one segment. Per instant, the reference moments that match about as well as
    /// its match on the map (within `specificMargin`) are split into runs of adjacent samples:
    /// the run through the map point must be a peak (at most `plateau` seconds either side),
    /// and the other runs lie elsewhere. A repeat line has the segment's speed, forwards or
    /// backwards, and at least half of the instants have another run on it (a loop, a shot used
    /// twice); the instant's uniqueness is then its margin over what matches elsewhere off
    /// every repeat line. A re-shoot of a scene matches here and there by chance, off any line.
    private func repeatUniqueness(_ group: [Float], all: [FrameHit], rate: Double, offset: Double,
                                  onMap: (Float) -> (similarity: Float, placement: Placement?)) -> (Double, [ClosedRange<Double>]) {
        let instants = Set(group)
        // The reference's sampling step: the smallest gap between matched reference moments.
        let times = Set(all.map(\.referenceTime)).sorted()
        let step = zip(times, times.dropFirst()).map { Double($1 - $0) }.filter { $0 > 1e-3 }.min() ?? 0.25
        // Per instant, the hits that match about as well as its own (as in `cut`: with
        // placements, only those placing the picture the same way).
        var close: [Float: [Double]] = [:]
        for h in all where instants.contains(h.queryTime) {
            let own = onMap(h.queryTime)
            guard Self.competes(h, with: own.placement) else { continue }
            guard h.similarity > own.similarity - Self.specificMargin else { continue }
            close[h.queryTime, default: []].append(Double(h.referenceTime))
        }
        var peaks = Set<Float>()
        var elsewhere: [(query: Float, reference: Double)] = []
        for t in group {
            let onLine = rate * Double(t) + offset
            let moments = (close[t] ?? []).sorted()
            // The run of adjacent matching moments through the map point.
            var low = onLine, high = onLine
            for r in moments.filter({ $0 >= onLine - tolerance }) where r - high <= 1.5 * step { high = max(high, r) }
            for r in moments.filter({ $0 <= onLine + tolerance }).reversed() where low - r <= 1.5 * step { low = min(low, r) }
            if onLine - low <= Self.plateau && high - onLine <= Self.plateau { peaks.insert(t) }
            for r in moments where r < low - 1e-6 || r > high + 1e-6 { elsewhere.append((t, r)) }
        }
        // Without peaks at most instants, this is a still view or a plateau: nothing to add.
        guard 2 * peaks.count > group.count else { return (0, []) }
        struct Line: Hashable { var direction: Int; var cell: Int }
        func position(_ e: (query: Float, reference: Double), _ direction: Int) -> Double {
            (e.reference - Double(direction) * rate * Double(e.query)) / offsetBin
        }
        var followers: [Line: Set<Float>] = [:]
        for e in elsewhere {
            for direction in [1, -1] {
                let c = Int(position(e, direction).rounded(.down))
                // Neighbouring cells too: an offset near a cell edge.
                for n in c - 1 ... c + 1 { followers[Line(direction: direction, cell: n), default: []].insert(e.query) }
            }
        }
        let lines = followers.filter { 2 * $0.value.count >= group.count }.keys
        guard !lines.isEmpty else { return (0, []) }
        var unexplained = Set<Float>()
        for e in elsewhere where !lines.contains(where: { abs(position(e, $0.direction) - (Double($0.cell) + 0.5)) <= 1.5 }) {
            unexplained.insert(e.query)
        }
        // An instant counts when its match is a peak and whatever matches as well elsewhere
        // lies on a repeat line.
        let counted = peaks.subtracting(unexplained).count
        // The repeats' reference ranges, one per run of adjacent cells (a line spreads over two
        // or three), at the cell most instants follow.
        var ranges: [ClosedRange<Double>] = []
        for direction in [1, -1] {
            var run: [Int] = []
            func flush() {
                guard let best = run.max(by: { followers[Line(direction: direction, cell: $0)]!.count < followers[Line(direction: direction, cell: $1)]!.count }) else { return }
                let c = (Double(best) + 0.5) * offsetBin
                let a = Double(direction) * rate * Double(group.first!) + c, b = Double(direction) * rate * Double(group.last!) + c
                ranges.append(min(a, b) ... max(a, b))
                run = []
            }
            for c in lines.filter({ $0.direction == direction }).map(\.cell).sorted() {
                if let last = run.last, c > last + 1 { flush() }
                run.append(c)
            }
            flush()
        }
        return (Double(counted) / Double(group.count), ranges.sorted { $0.lowerBound < $1.lowerBound })
    }

    private func cut(_ inliers: [FrameHit], all: [FrameHit], rate: Double, offset: Double,
                     usableQueryTimes: [Float]) -> [Alignment] {
        // Best similarity of each query instant to reference frames far (> 2 s) from the map:
        // when it is as good as on the map, that instant does not confirm this offset.
        // Best hit per query instant.
        var byInstant: [Float: (similarity: Float, reference: Float, placement: Placement?, geometry: PictureGeometry?)] = [:]
        for h in inliers where h.similarity > (byInstant[h.queryTime]?.similarity ?? -1) {
            byInstant[h.queryTime] = (h.similarity, h.referenceTime, h.placement, h.geometry)
        }
        // Off-map hits count against the instant where they compete with it (`competes`).
        var offMap: [Float: Float] = [:]
        for h in all where abs(Double(h.referenceTime) - (rate * Double(h.queryTime) + offset)) > 2 {
            guard Self.competes(h, with: byInstant[h.queryTime]?.placement) else { continue }
            offMap[h.queryTime] = max(offMap[h.queryTime] ?? 0, h.similarity)
        }
        let instants = byInstant.keys.sorted()
        guard !instants.isEmpty else { return [] }
        var groups: [[Float]] = [[instants[0]]]
        for t in instants.dropFirst() {
            if Double(t - groups[groups.count - 1].last!) > maxGap { groups.append([t]) } else { groups[groups.count - 1].append(t) }
        }
        return groups.map { group in
            let start = Double(group.first!), end = Double(group.last!)
            let inSpan = usableQueryTimes.filter { Double($0) >= start - 1e-3 && Double($0) <= end + 1e-3 }.count
            let similarities = group.map { Double(byInstant[$0]!.similarity) }
            let references = Set(group.map { Int((byInstant[$0]!.reference * 4).rounded()) })
            let specificity = group.map { t -> Double in
                let margin = Double(byInstant[t]!.similarity - (offMap[t] ?? 0))
                return min(1, max(0, margin / Double(Self.specificMargin)))
            }
            let uniqueness = specificity.reduce(0, +) / Double(group.count)
            // The geometry of the most similar instant (the earliest of equals).
            let shown = group.compactMap { t in byInstant[t]!.geometry.map { (byInstant[t]!.similarity, $0) } }
                .max { $0.0 < $1.0 }?.1
            var alignment = Alignment(rate: rate, offset: offset, queryStart: start, queryEnd: end,
                                      supportingInstants: group.count, instantsInSpan: max(inSpan, group.count),
                                      meanSimilarity: similarities.reduce(0, +) / Double(similarities.count),
                                      uniqueness: uniqueness, distinctReferenceTimes: references.count, geometry: shown)
            if uniqueness < 1 {
                (alignment.uniquenessUpToRepeats, alignment.repeats) = repeatUniqueness(
                    group, all: all, rate: rate, offset: offset,
                    onMap: { (byInstant[$0]!.similarity, byInstant[$0]!.placement) })
            }
            return alignment
        }
    }
}
