// Per suspect, per reference: is it reused, where, and how (picture, sound, both)?
// Picture: every variant hash of every evidence frame of the suspect is looked up within PDQ's
// distance 31; hits are aligned in time per reference (TemporalAligner) and an alignment counts
// only when several instants agree on it, specifically (not a static view), over distinct
// reference moments. Sound: AudioMatcher's speech-gated landmark alignment. Segments of both
// kinds that describe the same stretch (overlapping, same offset) are merged into "both".
import Fingerprint
import Foundation

public struct Matcher: Sendable {
    public struct Configuration: Sendable {
        /// PDQ's conventional match radius.
        public var radius = 31
        public var minimumInstants = 5
        public var minimumUniqueness = 0.35
        public var minimumDistinctReferenceTimes = 3
        public var minimumCoverage = 0.2
        public var audio = AudioMatcher.Configuration()
        public init() {}
    }

    public var configuration: Configuration
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    public func match(_ suspect: MediaFingerprint, in library: ReferenceLibrary) -> [ReferenceMatch] {
        var byReference = videoSegments(suspect, library)
        let audio = AudioMatcher(configuration: configuration.audio).match(suspect.landmarks, against: library.landmarks)
        for m in audio {
            let segments = m.segments.map {
                MatchSegment(modality: .audio, suspectStart: $0.queryStart, suspectEnd: $0.queryEnd,
                             referenceStart: $0.referenceStart, referenceEnd: $0.referenceEnd,
                             score: $0.score, speed: $0.speed, matchedLandmarks: $0.alignedHits)
            }
            byReference[Int(m.referenceID), default: []] += segments
        }
        // Picture segments the sound search left unconfirmed (a reused stretch too short for the
        // search's evidence): the sound is checked along the picture's own line.
        let matcher = AudioMatcher(configuration: configuration.audio)
        for (id, segments) in byReference {
            let audio = segments.filter { $0.modality != .video }
            for v in segments where v.modality == .video
                && !audio.contains(where: { $0.suspectStart < v.suspectEnd && v.suspectStart < $0.suspectEnd }) {
                let offset = v.referenceStart - v.speed * v.suspectStart
                for s in matcher.confirm(suspect.landmarks, against: library.landmarks, reference: UInt32(id),
                                         speed: v.speed, offset: offset, queryRange: min(v.suspectStart, v.suspectEnd)...max(v.suspectStart, v.suspectEnd)) {
                    byReference[id, default: []].append(
                        MatchSegment(modality: .audio, suspectStart: s.queryStart, suspectEnd: s.queryEnd,
                                     referenceStart: s.referenceStart, referenceEnd: s.referenceEnd,
                                     score: s.score, speed: s.speed, matchedLandmarks: s.alignedHits))
                }
            }
        }
        var result: [ReferenceMatch] = []
        for (id, segments) in byReference {
            let merged = MatchSegment.merged(segments)
            guard let best = merged.map(\.score).max() else { continue }
            result.append(ReferenceMatch(reference: library.entries[id], score: best, modality: Modality(of: merged),
                                         segments: merged.sorted { $0.suspectStart < $1.suspectStart }))
        }
        return ReferenceMatch.ranked(result)
    }

    /// Two tiers: the references `index` names as candidates are read from `references` (their
    /// full fingerprints, or pieces of them; skipped when one is gone) and matched as
    /// `match(_:in:)` does. The result is that of a one-tier library of every reference, as long
    /// as the candidates include every reference that matches (and, for references read in
    /// pieces, each reused stretch lies whole in one piece).
    package func match(_ suspect: MediaFingerprint, candidates index: CandidateIndex,
                       references: some ReferenceSource) throws -> [ReferenceMatch] {
        var whole: [(entry: ReferenceEntry, fingerprint: MediaFingerprint)] = []
        var found: [ReferenceMatch] = []
        for r in index.candidates(for: suspect, radius: configuration.radius) {
            switch try references.fingerprint(ofReference: r) {
            case .whole(let fingerprint)?:
                whole.append((index.entries[r], fingerprint))
            case .pieces(var pieces)?:
                var joined: ReferenceMatch?
                while let piece = try pieces.next() {
                    for m in match(suspect, in: ReferenceLibrary([(index.entries[r], piece)])) {
                        joined = joined.map { $0.joined(with: m) } ?? m
                    }
                }
                if let joined { found.append(joined) }
            case nil:
                break
            }
        }
        if !whole.isEmpty { found += match(suspect, in: ReferenceLibrary(whole)) }
        return ReferenceMatch.ranked(found)
    }

    /// Aligned picture segments per reference index.
    func videoSegments(_ suspect: MediaFingerprint, _ library: ReferenceLibrary) -> [Int: [MatchSegment]] {
        let evidence = suspect.frames.filter(\.isEvidence)
        guard !evidence.isEmpty, library.frameCount > 0 else { return [:] }
        var hits: [Int: [FrameHit]] = [:]
        for frame in evidence {
            // Best hit per (reference frame) across this frame's variants.
            var best: [Int: Int] = [:]
            for hash in frame.hashes {
                library.frames.search(hash, radius: configuration.radius) { id, d in
                    if d < (best[id] ?? Int.max) { best[id] = d }
                }
            }
            // In id order: the aligner keeps the first hit per (instant, offset), so the order of
            // hits must not depend on the per-process hash seed.
            var perReference: [Int: [FrameHit]] = [:]
            for (id, d) in best.sorted(by: { $0.key < $1.key }) {
                perReference[Int(library.frameOwner[id]), default: []].append(
                    FrameHit(queryTime: frame.time, referenceTime: library.frameTime[id],
                             similarity: 1 - Float(d) / 64))
            }
            for (reference, frameHits) in perReference {
                hits[reference, default: []] += Self.spread(frameHits, limit: Self.hitsPerInstant)
            }
        }
        let usable = evidence.map(\.time)
        let aligner = TemporalAligner()
        var result: [Int: [MatchSegment]] = [:]
        for (reference, referenceHits) in hits {
            for a in aligner.align(referenceHits, usableQueryTimes: usable) where accepts(a) {
                result[reference, default: []].append(
                    MatchSegment(modality: .video, suspectStart: a.queryStart, suspectEnd: a.queryEnd,
                                 referenceStart: a.referenceStart, referenceEnd: a.referenceEnd,
                                 score: videoScore(a), speed: a.rate, matchedFrames: a.supportingInstants))
            }
        }
        return result
    }

    /// Most hits one suspect instant keeps on one reference. A frame of real, specific reuse meets
    /// a handful of reference frames (its own and its neighbours); one that meets more is a
    /// static view (a slide, a still room, a test card) that matches everywhere. Keeping all of
    /// them made a 10-minute static suspect against its 10-minute reference cost 40M hits,
    /// 1.4 GB and minutes. Kept: the closest half (the instant's own moment is among them if it
    /// stands out at all), and an even spread of the rest, so that the aligner still sees that
    /// the instant matches far from any one offset as well.
    static let hitsPerInstant = 24

    /// At most `limit` of `hits` (given in reference order, one per reference frame): the
    /// `limit / 2` most similar, then an even spread over the others; in reference order.
    static func spread(_ hits: [FrameHit], limit: Int) -> [FrameHit] {
        guard hits.count > limit else { return hits }
        let order = hits.indices.sorted { hits[$0].similarity != hits[$1].similarity ? hits[$0].similarity > hits[$1].similarity : $0 < $1 }
        let closest = Set(order.prefix(limit / 2))
        let rest = hits.indices.filter { !closest.contains($0) }
        let others = (0 ..< (limit - closest.count)).map { rest[$0 * rest.count / (limit - closest.count)] }
        return (closest.union(others)).sorted().map { hits[$0] }
    }

    func accepts(_ a: Alignment) -> Bool {
        let c = configuration
        return a.supportingInstants >= c.minimumInstants && a.uniqueness >= c.minimumUniqueness
            && a.distinctReferenceTimes >= c.minimumDistinctReferenceTimes
            && Double(a.supportingInstants) / Double(a.instantsInSpan) >= c.minimumCoverage
    }

    /// 0…1, rising with the number of specific, agreeing instants.
    func videoScore(_ a: Alignment) -> Double {
        let effective = Double(a.supportingInstants) * a.uniqueness * a.meanSimilarity
        return 1 - exp(-effective / 10)
    }
}
