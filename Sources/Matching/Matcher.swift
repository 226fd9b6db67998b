// Per suspect, per reference: is it reused, where, and how (picture, sound, both)?
// Picture: each frame-hit channel (`FrameHitChannel`; today the PDQ hashes, `PictureHashHits`)
// gives frame hits per reference; they are aligned in time (TemporalAligner) and an alignment
// counts only when several instants agree on it, specifically (not a static view), over distinct
// reference moments; an alignment whose hashes do not single out its offset (a low-motion
// passage) is accepted when the picture's changes do (`MotionAgreement`). Sound: AudioMatcher's
// speech-gated landmark alignment. Each medium is checked along the other's line: the sound
// along a picture segment's; the picture along a sound segment's, by the hits that place the
// reference's picture in the clip (keypoints: on a camera move over a still every moment matches,
// and the sound says which one the clip shows), then by its changes. Where keypoints of
// a still scene place the reference's picture in the clip (`SceneSighting`: a crop, half of a
// split screen), the changes are compared through those parts of the two pictures, along the
// sound's line or, with nothing else found there, at the moment they single out. Segments that
// describe the same stretch (overlapping, same offset) are merged into "both"; of segments that
// place one stretch at different moments of a reference, the weaker is dropped.
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
        /// Whether the motion check along the sound's line also tries parts of the reference's
        /// picture with the clip's shape (`MotionFraming.parts`: crops, 9:16 cuts). Off by
        /// default: on the large corpus profile it found 4 more of 247 pictures for a quarter
        /// more of `compare`'s CPU; `VMATCH_MOTION_PARTS=1` in the environment switches it on.
        public var motionParts = ProcessInfo.processInfo.environment["VMATCH_MOTION_PARTS"] == "1"
        public var audio = AudioMatcher.Configuration()
        public init() {}
    }

    public var configuration: Configuration
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    public func match(_ suspect: MediaFingerprint, in references: ReferenceSet) -> [ReferenceMatch] {
        var (byReference, sightings, placedHits) = videoSegments(suspect, references)
        let audio = AudioMatcher(configuration: configuration.audio).match(suspect.landmarks, against: references.landmarks)
        for m in audio {
            let segments = m.segments.map {
                MatchSegment(modality: .audio, suspectStart: $0.queryStart, suspectEnd: $0.queryEnd,
                             referenceStart: $0.referenceStart, referenceEnd: $0.referenceEnd,
                             score: $0.score, speed: $0.speed, matchedLandmarks: $0.alignedHits)
            }
            byReference[Int(m.referenceID), default: []] += segments
        }
        // A stretch of the clip shows one moment of a reference: of segments that place it
        // differently, the weaker is dropped, before either medium is checked along the other's
        // line (a misplaced picture segment would otherwise keep the sound's line from being checked).
        for (id, segments) in byReference { byReference[id] = MatchSegment.withoutContradicted(segments) }
        // Picture segments the sound search left unconfirmed (a reused stretch too short for the
        // search's evidence): the sound is checked along the picture's own line.
        let matcher = AudioMatcher(configuration: configuration.audio)
        for (id, segments) in byReference {
            let audio = segments.filter { $0.modality != .video }
            for v in segments where v.modality == .video
                && !audio.contains(where: v.overlapsOnSuspect) {
                let offset = v.referenceTime(at: 0)
                for s in matcher.confirm(suspect.landmarks, queryPeaks: suspect.soundPeaks, against: references.landmarks, reference: UInt32(id),
                                         speed: v.speed, offset: offset, queryRange: min(v.suspectStart, v.suspectEnd)...max(v.suspectStart, v.suspectEnd)) {
                    byReference[id, default: []].append(
                        MatchSegment(modality: .audio, suspectStart: s.queryStart, suspectEnd: s.queryEnd,
                                     referenceStart: s.referenceStart, referenceEnd: s.referenceEnd,
                                     score: s.score, speed: s.speed, matchedLandmarks: s.alignedHits))
                }
            }
        }
        // Sound segments no picture segment covers: the picture is checked along the sound's own
        // line by the hits that place the reference's picture in the clip (keypoints). A camera
        // move over a still lets every moment of the reference match, each with a steady placement
        // of its own, so the picture alone cannot say which moment the clip shows (where it shows
        // a part of the picture, several can); the sound can, and the picture shown there is reused.
        // Hits of a still scene's keypoints are not among them (`KeypointHits.isOfScene`): the same
        // place filmed again has those. Where those hits do not show it, each clip picture on the
        // line is verified against the reference picture the line puts it at, with all its
        // keypoints (`KeypointHits.hitsAlong`): the sound has said which moment, so a held shot
        // cropped or zoomed is found as well.
        let aligner = TemporalAligner()
        let keypoints = references.frameChannels.lazy.compactMap { $0 as? KeypointHits }.first { !$0.isEmpty }
        // The clip's keypoint times, found once and only if a passage needs them.
        var keypointTimes: [Float]?
        for (id, segments) in byReference {
            let pictures = segments.filter { $0.modality != .audio }
            for s in segments where s.modality == .audio
                && !pictures.contains(where: s.overlapsOnSuspect) {
                let start = min(s.suspectStart, s.suspectEnd), end = max(s.suspectStart, s.suspectEnd)
                let offset = s.referenceTime(at: 0)
                var found = placedHits[id].map { placed in
                    aligner.along(placed.hits, rate: s.speed, offset: offset, queryRange: start ... end,
                                  usableQueryTimes: placed.usable).filter(acceptsSupport)
                } ?? []
                if found.isEmpty, let keypoints {
                    let times = keypointTimes ?? keypoints.usableTimes(of: suspect)
                    keypointTimes = times
                    if !times.isEmpty {
                        found = aligner.along(keypoints.hitsAlong(suspect, reference: id, rate: s.speed, offset: offset, queryRange: start ... end),
                                              rate: s.speed, offset: offset, queryRange: start ... end,
                                              usableQueryTimes: times).filter(acceptsSupport)
                    }
                }
                for a in found {
                    byReference[id, default: []].append(
                        MatchSegment(modality: .video, suspectStart: a.queryStart, suspectEnd: a.queryEnd,
                                     referenceStart: a.referenceStart, referenceEnd: a.referenceEnd,
                                     score: Self.pictureScore(evidence: Double(a.supportingInstants) * a.meanSimilarity), speed: a.rate,
                                     matchedFrames: a.supportingInstants, geometry: a.geometry))
                }
            }
        }
        // Sound segments no picture channel found: the picture is checked along the sound's own
        // line by what changes in it (`MotionAgreement`) — a featureless or degraded picture
        // that no hash holds still changes where and when its source did — as a whole (or, when
        // switched on, also as a part of the reference's picture with the suspect's shape).
        let suspectAspect = MotionFraming.aspect(of: suspect.motion)
        var partsByShape: [[Double]: [MotionFraming]] = [:]
        for (id, segments) in byReference {
            let referenceAspect = MotionFraming.aspect(of: references.motion[id])
            let pictures = segments.filter { $0.modality != .audio }
            for s in segments where s.modality == .audio
                && !pictures.contains(where: s.overlapsOnSuspect) {
                let start = min(s.suspectStart, s.suspectEnd), end = max(s.suspectStart, s.suspectEnd)
                // The whole picture first; the parts, each held against every part elsewhere, only when it fails.
                func agreementThrough(_ framings: [MotionFraming]) -> Double {
                    MotionAgreement.uniqueness(suspect: suspect.motion, reference: references.motion[id], rate: s.speed,
                                               offset: s.referenceTime(at: 0), queryStart: start, queryEnd: end,
                                               framings: framings, atLeast: configuration.minimumUniqueness)
                }
                var agreement = agreementThrough([.whole])
                // Where the keypoints of its still scene place the reference in the clip (a crop,
                // one half of a split screen): that part of each picture.
                if agreement < configuration.minimumUniqueness,
                   let framings = Self.placedParts((sightings[id] ?? []).filter { (start ... end).contains(Double($0.queryTime)) },
                                                   suspect: suspect.motion, reference: references.motion[id]) {
                    agreement = MotionAgreement.uniqueness(suspect: suspect.motion, reference: references.motion[id], rate: s.speed,
                                                           offset: s.referenceTime(at: 0), queryStart: start, queryEnd: end,
                                                           framings: [framings.reference], suspectFraming: framings.suspect,
                                                           atLeast: configuration.minimumUniqueness)
                }
                // What the whole picture looks like along the line, where what changes in it is
                // alike everywhere (a featureless picture moving steadily).
                var evidence = MatchSegment.MotionEvidence.changes
                if agreement < configuration.minimumUniqueness {
                    let look = MotionAgreement.appearance(
                        suspect: suspect.motion, reference: references.motion[id], rate: s.speed, offset: s.referenceTime(at: 0),
                        queryStart: start, queryEnd: end, atLeast: configuration.minimumUniqueness)
                    if look > agreement { (agreement, evidence) = (look, .appearance) }
                }
                if agreement < configuration.minimumUniqueness, configuration.motionParts {
                    let key = [suspectAspect, referenceAspect]
                    let parts = partsByShape[key] ?? MotionFraming.parts(suspectAspect: suspectAspect, referenceAspect: referenceAspect)
                    partsByShape[key] = parts
                    if !parts.isEmpty { (agreement, evidence) = (agreementThrough(parts), .changes) }
                }
                guard agreement >= configuration.minimumUniqueness else { continue }
                byReference[id, default: []].append(
                    Self.motionSegment(suspectStart: s.suspectStart, suspectEnd: s.suspectEnd, referenceStart: s.referenceStart,
                                       referenceEnd: s.referenceEnd, speed: s.speed, agreement: agreement, evidence: evidence,
                                       suspect: suspect.motion))
            }
        }
        // Still scenes the keypoints placed in the clip where no channel found the reference's
        // picture or sound: the moment is searched by what changes (`MotionAgreement.searched`).
        for (id, placed) in sightings {
            for run in SceneSighting.runs(placed, minimumCount: configuration.minimumInstants) {
                guard let first = run.first, let last = run.last else { continue }
                let start = Double(first.queryTime), end = Double(last.queryTime)
                guard !(byReference[id] ?? []).contains(where: { min($0.suspectStart, $0.suspectEnd) < end && start < max($0.suspectStart, $0.suspectEnd) }),
                      let framings = Self.placedParts(run, suspect: suspect.motion, reference: references.motion[id]),
                      let found = MotionAgreement.searched(suspect: suspect.motion, reference: references.motion[id], queryStart: start, queryEnd: end,
                                                           framings: [framings.reference], suspectFraming: framings.suspect,
                                                           atLeast: configuration.minimumUniqueness),
                      found.agreement >= configuration.minimumUniqueness else { continue }
                byReference[id, default: []].append(
                    Self.motionSegment(suspectStart: start, suspectEnd: end, referenceStart: start + found.offset,
                                       referenceEnd: end + found.offset, speed: 1, agreement: found.agreement, suspect: suspect.motion))
            }
        }
        var result: [ReferenceMatch] = []
        for (id, segments) in byReference {
            let merged = MatchSegment.merged(segments)
            guard let best = merged.map(\.score).max() else { continue }
            result.append(ReferenceMatch(reference: references.entries[id], score: best, modality: Modality(of: merged),
                                         segments: merged.sorted { $0.suspectStart < $1.suspectStart }))
        }
        return ReferenceMatch.ranked(result)
    }

    /// Two tiers: the references `index` names as candidates are read from `references` (their
    /// full fingerprints, or pieces of them; skipped when one is gone) and matched as
    /// `match(_:in:)` does. The result is that of one `ReferenceSet` of every reference, as long
    /// as the candidates include every reference that matches (and, for references read in
    /// pieces, each reused stretch lies whole in one piece).
    package func match(_ suspect: MediaFingerprint, candidates index: CandidateIndex,
                       references: some ReferenceSource) throws -> [ReferenceMatch] {
        var whole: [(entry: ReferenceEntry, fingerprint: MediaFingerprint, keypoints: ReferenceKeypoints)] = []
        var found: [ReferenceMatch] = []
        for r in index.candidates(for: suspect, radius: configuration.radius) {
            switch try references.fingerprint(ofReference: r) {
            case .whole(let fingerprint, let keypoints)?:
                whole.append((index.entries[r], fingerprint, keypoints))
            case .pieces(var pieces)?:
                var joined: ReferenceMatch?
                while let piece = try pieces.next() {
                    for m in match(suspect, in: ReferenceSet(prepared: [(index.entries[r], piece.fingerprint, piece.keypoints)])) {
                        joined = joined.map { $0.joined(with: m) } ?? m
                    }
                }
                if let joined { found.append(joined) }
            case nil:
                break
            }
        }
        if !whole.isEmpty { found += match(suspect, in: ReferenceSet(prepared: whole)) }
        return ReferenceMatch.ranked(found)
    }

    /// Aligned segments per reference index, from every frame-hit channel: each channel's hits
    /// go through the one aligner and the one acceptance rule; a segment's modality is what its
    /// channel stands for.
    /// Two channels of one medium that find one stretch give one segment (`MatchSegment.union`: the best
    /// score, the evidence counted once, the geometry of the channel that measures it).
    /// Also where the channels sighted each reference's still scene in the clip (`SceneSighting`), and
    /// the hits of the channel that places the reference's picture (keypoints) with its usable times.
    func videoSegments(_ suspect: MediaFingerprint, _ references: ReferenceSet)
        -> ([Int: [MatchSegment]], sightings: [Int: [SceneSighting]], placedHits: [Int: (hits: [FrameHit], usable: [Float])]) {
        var result: [Int: [MatchSegment]] = [:]
        var sightings: [Int: [SceneSighting]] = [:]
        var placedHits: [Int: (hits: [FrameHit], usable: [Float])] = [:]
        let aligner = TemporalAligner()
        for channel in references.frameChannels where !channel.isEmpty {
            let usable = channel.usableTimes(of: suspect)
            guard !usable.isEmpty else { continue }
            let found = channel.hitsAndSightings(for: suspect, configuration: configuration)
            sightings.merge(found.sightings) { $0 + $1 }
            for (reference, referenceHits) in found.hits {
                if referenceHits.contains(where: { $0.placement != nil }) { placedHits[reference] = (referenceHits, usable) }
                let earlier = result[reference, default: []].count
                for var a in aligner.align(referenceHits, usableQueryTimes: usable) {
                    // Hashes that do not single out the offset (a low-motion passage): the
                    // picture's changes may (`MotionAgreement`).
                    if acceptsSupport(a), a.decidingUniqueness < configuration.minimumUniqueness {
                        a.motionUniqueness = MotionAgreement.uniqueness(
                            suspect: suspect.motion, reference: references.motion[reference], rate: a.rate, offset: a.offset,
                            queryStart: a.queryStart, queryEnd: a.queryEnd, atLeast: configuration.minimumUniqueness)
                    }
                    guard accepts(a) else { continue }
                    let segment = MatchSegment(modality: Modality(channel.medium), suspectStart: a.queryStart, suspectEnd: a.queryEnd,
                                               referenceStart: a.referenceStart, referenceEnd: a.referenceEnd,
                                               score: videoScore(a), speed: a.rate, matchedFrames: a.supportingInstants,
                                               geometry: a.geometry, alsoMatches: alsoMatches(a, in: references.entries[reference]),
                                               motionAgreement: decidedByMotion(a) ? a.motionUniqueness : nil)
                    if let i = result[reference, default: []].prefix(earlier).firstIndex(where: {
                        $0.modality == segment.modality && $0.continues(segment, gap: 0, tolerance: MatchSegment.sameMapTolerance)
                    }) {
                        result[reference]![i] = result[reference]![i].union(segment)
                    } else {
                        result[reference, default: []].append(segment)
                    }
                }
            }
        }
        return (result, sightings, placedHits)
    }

    /// A picture segment decided by the motion grid (what changes, or, along the sound's line, what
    /// it looks like: `evidence`): its score from the suspect's samples over it (motion samples
    /// between its ends) times the agreement.
    static func motionSegment(suspectStart: Double, suspectEnd: Double, referenceStart: Double, referenceEnd: Double,
                              speed: Double, agreement: Double, evidence: MatchSegment.MotionEvidence = .changes,
                              suspect: [MotionSample]) -> MatchSegment {
        let start = min(suspectStart, suspectEnd), end = max(suspectStart, suspectEnd)
        let changes = suspect.filter { Double($0.time) >= start && Double($0.time) <= end }.count
        return MatchSegment(modality: .video, suspectStart: suspectStart, suspectEnd: suspectEnd,
                            referenceStart: referenceStart, referenceEnd: referenceEnd,
                            score: pictureScore(evidence: Double(changes) * agreement), speed: speed, motionAgreement: agreement,
                            motionEvidence: evidence)
    }

    /// The parts of the two pictures `sighted` agree on (`SceneSighting.agreedFramings`), when both
    /// motion grids lie over the keypoint frames' whole pictures; nil otherwise.
    static func placedParts(_ sighted: [SceneSighting], suspect: [MotionSample], reference: [MotionSample])
        -> (reference: MotionFraming, suspect: MotionFraming)? {
        guard let first = sighted.first, motionCoversKeypointFrame(suspect, first.suspectSize),
              motionCoversKeypointFrame(reference, first.referenceSize) else { return nil }
        return SceneSighting.agreedFramings(sighted)
    }

    /// Whether motion samples' grid lies over the whole picture a keypoint frame of `size`
    /// describes: their area's shape is the frame's, within a twentieth (keypoints are found in
    /// the whole frame, the grid over its active area; with bars, parts of the one are not parts
    /// of the other, and the check is not made).
    static func motionCoversKeypointFrame(_ samples: [MotionSample], _ size: SIMD2<Double>) -> Bool {
        let aspect = MotionFraming.aspect(of: samples)
        return aspect > 0 && size.y > 0 && abs(aspect / (size.x / size.y) - 1) <= 0.05
    }

    func accepts(_ a: Alignment) -> Bool {
        acceptsSupport(a) && a.decidingUniqueness >= configuration.minimumUniqueness
    }

    /// The acceptance rule apart from uniqueness: enough agreeing instants, over distinct
    /// reference moments, covering enough of the span.
    func acceptsSupport(_ a: Alignment) -> Bool {
        let c = configuration
        return a.supportingInstants >= c.minimumInstants && a.distinctReferenceTimes >= c.minimumDistinctReferenceTimes
            && Double(a.supportingInstants) / Double(a.instantsInSpan) >= c.minimumCoverage
    }

    /// Whether the picture's changes, not its hashes, single out the alignment's offset.
    func decidedByMotion(_ a: Alignment) -> Bool {
        max(a.uniqueness, a.uniquenessUpToRepeats) < configuration.minimumUniqueness && a.motionUniqueness >= configuration.minimumUniqueness
    }

    /// The other places an alignment accepted on its repeats matches as well, within the
    /// reference.
    func alsoMatches(_ a: Alignment, in entry: ReferenceEntry) -> [ClosedRange<Double>] {
        guard a.uniqueness < configuration.minimumUniqueness else { return [] }
        let end = entry.duration ?? .infinity
        let own = min(a.referenceStart, a.referenceEnd) ... max(a.referenceStart, a.referenceEnd)
        return a.repeats.compactMap { r in
            let length = r.upperBound - r.lowerBound
            let clipped = max(0, r.lowerBound) ... max(0, min(end, r.upperBound))
            // Mostly inside the reference, and mostly elsewhere than the segment's own range (a
            // backward pass crosses it).
            let overlap = max(0, min(own.upperBound, r.upperBound) - max(own.lowerBound, r.lowerBound))
            return clipped.upperBound - clipped.lowerBound >= 0.5 * length && overlap <= 0.5 * length ? clipped : nil
        }
    }

    /// 0…1, rising with the number of specific, agreeing instants.
    func videoScore(_ a: Alignment) -> Double {
        Self.pictureScore(evidence: Double(a.supportingInstants) * a.decidingUniqueness * a.meanSimilarity)
    }

    /// 0…1 from a picture segment's evidence, in instants that single out its offset.
    static func pictureScore(evidence: Double) -> Double {
        1 - exp(-evidence / 10)
    }
}
