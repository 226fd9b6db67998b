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
                                           geometry: v.geometry, alsoMatches: v.alsoMatches, motionAgreement: v.motionAgreement))
            } else {
                result.append(a)
            }
        }
        return result + videos
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
                            motionAgreement: [motionAgreement, b.motionAgreement].compactMap { $0 }.max())
    }
}

extension ReferenceMatch {
    /// This match and another of the same reference (found in another window of the suspect or
    /// another piece of the reference) as one: segments that continue each other joined, score
    /// the best segment's, modality from the segments.
    package func joined(with other: ReferenceMatch) -> ReferenceMatch {
        var result = self
        result.segments = MatchSegment.joined(segments + other.segments)
        result.score = result.segments.map(\.score).max() ?? max(score, other.score)
        result.modality = Modality(of: result.segments)
        return result
    }
}
