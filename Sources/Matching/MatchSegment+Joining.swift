// The one rule by which segments found separately become one: two segments describe the same
// stretch when they overlap on the suspect (or, across windows and pieces, lie within `gap`
// seconds of each other) and map the suspect to the same reference time, within `tolerance`,
// where they meet. It is used three times:
// - two picture channels (hashes, keypoints) that find one stretch give one segment (`union`,
//   in `Matcher.videoSegments`);
// - `merged`: a picture segment and a sound segment of one stretch become one "both" segment,
//   with the sound's finer map (16 ms frames against the picture's sampling interval);
// - `joined`: segments of one reference found in different suspect windows or reference pieces
//   that continue each other become their union.
// And its converse: two segments of one reference that cover much of one stretch of the suspect
// at different places contradict each other (`withoutContradicted`): in `Matcher.match`, and again
// where windows' and pieces' matches are joined.

extension MatchSegment {
    /// Whether `self` and `other` describe the same stretch (see above). With `gap` 0 they must
    /// overlap.
    func continues(_ other: MatchSegment, gap: Double, tolerance: Double) -> Bool {
        if gap > 0 {
            guard other.suspectStart <= suspectEnd + gap, suspectStart <= other.suspectEnd + gap else { return false }
        } else {
            guard min(suspectEnd, other.suspectEnd) - max(suspectStart, other.suspectStart) > 0 else { return false }
        }
        let meet = min(max(other.suspectStart, suspectStart), min(suspectEnd, other.suspectEnd))
        return abs(referenceTime(at: meet) - other.referenceTime(at: meet)) < tolerance
    }

    /// Whether the two segments share some of the suspect's time (wherever they map it): a stretch
    /// one medium found that the other has not covered is checked along its line (`Matcher.match`).
    func overlapsOnSuspect(_ other: MatchSegment) -> Bool {
        suspectStart < other.suspectEnd && other.suspectStart < suspectEnd
    }

    /// Reference seconds within which two maps count as one where they meet: more than the
    /// picture's sampling interval and alignment tolerance together, less than any cut between
    /// two distinct reused passages is likely to move the offset.
    static let sameMapTolerance = 1.5

    /// Picture and sound segments of one reference with every pair that describes one stretch
    /// as one "both" segment; the others as they are.
    static func merged(_ segments: [MatchSegment]) -> [MatchSegment] {
        var videos = segments.filter { $0.modality == .video }
        var result: [MatchSegment] = []
        for a in segments where a.modality == .audio {
            if let i = videos.firstIndex(where: { $0.continues(a, gap: 0, tolerance: sameMapTolerance) }) {
                let v = videos.remove(at: i)
                let start = min(v.suspectStart, a.suspectStart), end = max(v.suspectEnd, a.suspectEnd)
                result.append(MatchSegment(modality: .both, suspectStart: start, suspectEnd: end,
                                           referenceStart: a.referenceTime(at: start), referenceEnd: a.referenceTime(at: end),
                                           score: 1 - (1 - v.score) * (1 - a.score), speed: a.speed,
                                           matchedFrames: v.matchedFrames, matchedLandmarks: a.matchedLandmarks,
                                           geometry: v.geometry, alsoMatches: v.alsoMatches, motionAgreement: v.motionAgreement,
                                           motionEvidence: v.motionEvidence))
            } else {
                result.append(a)
            }
        }
        return result + videos
    }

    /// `segments` (of one reference) less each that a stronger one contradicts. One stretch of a
    /// clip shows one moment of a reference; where two segments cover at least half of the
    /// shorter one's stretch and map it to reference times more than `sameMapTolerance` apart
    /// where they overlap, the one with the lower score is a misplacement — a still or slowly
    /// moving scene lets a picture channel fit an offset, or a speed, beside the true one — and
    /// is dropped. Equal scores keep both. Strongest first, and only a segment kept drops
    /// another: a misplaced segment that a stronger one drops does not take a weaker, rightly
    /// placed one with it.
    static func withoutContradicted(_ segments: [MatchSegment]) -> [MatchSegment] {
        let order = segments.indices.sorted { segments[$0].score != segments[$1].score ? segments[$0].score > segments[$1].score : $0 < $1 }
        var kept: [Int] = []
        for i in order where !kept.contains(where: { segments[$0].score > segments[i].score && segments[$0].contradicts(segments[i]) }) {
            kept.append(i)
        }
        return kept.sorted().map { segments[$0] }
    }

    /// Whether `self` and `other` cover at least half of the shorter one's stretch of the
    /// suspect and map the middle of their overlap to reference times `sameMapTolerance` or
    /// more apart.
    func contradicts(_ other: MatchSegment) -> Bool {
        let start = max(suspectStart, other.suspectStart), end = min(suspectEnd, other.suspectEnd)
        let shorter = min(suspectEnd - suspectStart, other.suspectEnd - other.suspectStart)
        guard end > start, end - start >= 0.5 * shorter else { return false }
        let middle = (start + end) / 2
        return abs(referenceTime(at: middle) - other.referenceTime(at: middle)) >= Self.sameMapTolerance
    }

    /// Segments with every chain of continuations (within `gap` seconds) as their union
    /// (picture and sound together become both); the others as they are.
    static func joined(_ segments: [MatchSegment], gap: Double = 1) -> [MatchSegment] {
        var result: [MatchSegment] = []
        for s in segments.sorted(by: { $0.suspectStart < $1.suspectStart }) {
            if let i = result.lastIndex(where: { $0.continues(s, gap: gap, tolerance: sameMapTolerance) }) {
                result[i] = result[i].union(s)
            } else {
                result.append(s)
            }
        }
        return result
    }

    /// From the earlier start to the later end, on the map between them.
    func union(_ b: MatchSegment) -> MatchSegment {
        let first = suspectStart <= b.suspectStart ? self : b
        let last = suspectEnd >= b.suspectEnd ? self : b
        let start = first.suspectStart, end = last.suspectEnd
        let referenceStart = first.referenceStart, referenceEnd = last.referenceEnd
        let speed = end > start ? (referenceEnd - referenceStart) / (end - start) : first.speed
        // Where the two overlap (windows of a long suspect share 2 minutes), the evidence of the
        // overlap was counted in both: the later one's share of it is taken off.
        let second = suspectStart <= b.suspectStart ? b : self
        let overlap = max(0, min(suspectEnd, b.suspectEnd) - max(suspectStart, b.suspectStart))
        let secondLength = second.suspectEnd - second.suspectStart
        let kept = secondLength > 0 ? 1 - min(1, overlap / secondLength) : 0
        let other = suspectStart <= b.suspectStart ? self : b
        return MatchSegment(modality: modality == b.modality ? modality : .both,
                            suspectStart: start, suspectEnd: end, referenceStart: referenceStart, referenceEnd: referenceEnd,
                            score: max(score, b.score), speed: speed.isFinite && speed > 0 ? speed : first.speed,
                            matchedFrames: other.matchedFrames + Int((Double(second.matchedFrames) * kept).rounded()),
                            matchedLandmarks: other.matchedLandmarks + Int((Double(second.matchedLandmarks) * kept).rounded()),
                            geometry: [self, b].compactMap(\.geometry).max { $0.inliers < $1.inliers },
                            alsoMatches: alsoMatches + b.alsoMatches,
                            motionAgreement: [motionAgreement, b.motionAgreement].compactMap { $0 }.max(),
                            motionEvidence: [self, b].compactMap { s in s.motionAgreement.map { ($0, s.motionEvidence) } }
                                .max { $0.0 < $1.0 }?.1 ?? nil)
    }
}

extension ReferenceMatch {
    /// This match and another of the same reference (found in another window of the suspect or
    /// another piece of the reference) as one: segments that continue each other joined, score
    /// the best segment's, modality from the segments.
    package func joined(with other: ReferenceMatch) -> ReferenceMatch {
        var result = self
        // Two windows (or pieces) may each place one stretch, differently: one moment at a time.
        result.segments = MatchSegment.withoutContradicted(MatchSegment.joined(segments + other.segments))
        result.score = result.segments.map(\.score).max() ?? max(score, other.score)
        result.modality = Modality(of: result.segments)
        return result
    }
}
