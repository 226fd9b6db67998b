// The keypoint channel's frame hits: a suspect picture counts as showing a reference picture when
// many of its keypoints match that picture's and agree on one placement of it (`GeometricFit`),
// wherever it sits in the suspect frame (an inset, a rotation, a crop, a re-filmed screen).
//
// Per suspect keypoint frame (its own description and its mirror image's):
// 1. Candidates: each keypoint's descriptor looked up among the references' (`DescriptorIndex`);
//    per reference frame, the closest within `maximumDistance`. Distinctiveness is judged
//    between videos, not frames: a match into one video counts only if no other video has a
//    keypoint nearly as close (`ratio`) — the next frame of a held shot holds the same point and
//    says nothing against it.
//    Reference keypoints of the scene rather than the moment (seen again in place seconds
//    apart: a still camera's background) are not evidence (`isOfScene`).
// 2. The reference frames with the most matched keypoints (`framesVerified`, at least
//    `minimumPairs` each) are verified: a similarity (or, for perspective, a homography) fitted
//    robustly to the pairs, with enough inliers in distinct places.
// 3. Each verified pair of frames is a hit at (suspect time, reference time), its similarity
//    rising with the inliers, with the placement the fit found (`Placement`); the aligner then
//    asks for several instants on one time line with one placement, and counts an instant as
//    specific unless other reference moments place the picture the same way (a still view).
import Fingerprint
import Foundation

package struct KeypointHits: FrameHitChannel {
    let index: DescriptorIndex
    /// Per indexed keypoint: its first and last reference frame (it is in every one between:
    /// `ReferenceKeypoints`) and position, and whether it belongs to the scene rather than the
    /// moment at some of its frames (`seen`, `isOfScene`).
    let firstFrame: [UInt32]
    let lastFrame: [UInt32]
    let position: [SIMD2<Double>]
    let seen: [SIMD2<Float>]
    /// Per reference keypoint frame: its reference, time and picture size.
    let frameOwner: [UInt32]
    let frameTime: [Float]
    let frameSize: [SIMD2<Double>]
    /// Per reference: its keypoints and its keypoint frames, as ranges of the arrays above.
    let keypointsOf: [Range<Int>]
    let framesOf: [Range<Int>]

    static let maximumDistance = 64
    static let ratio = 0.8
    static let framesVerified = 32
    static let minimumPairs = 12
    /// Inliers at which a verified pair of frames counts as fully similar.
    static let fullSimilarityInliers = 40.0

    package var medium: Medium { KeypointChannel.medium }
    package var isEmpty: Bool { index.count == 0 }

    /// The channel over `references`, their keypoints as prepared once each (`ReferenceKeypoints`):
    /// laid out reference by reference, frame by frame.
    init(_ references: [ReferenceKeypoints]) {
        var descriptors: [BinaryDescriptor] = [], firstFrame: [UInt32] = [], lastFrame: [UInt32] = []
        var position: [SIMD2<Double>] = []
        var seen: [SIMD2<Float>] = []
        var frameOwner: [UInt32] = [], frameTime: [Float] = [], frameSize: [SIMD2<Double>] = []
        let keypoints = references.reduce(0) { $0 + $1.keypointCount }, frames = references.reduce(0) { $0 + $1.frameTime.count }
        descriptors.reserveCapacity(keypoints)
        firstFrame.reserveCapacity(keypoints)
        lastFrame.reserveCapacity(keypoints)
        position.reserveCapacity(keypoints)
        seen.reserveCapacity(keypoints)
        frameOwner.reserveCapacity(frames)
        frameTime.reserveCapacity(frames)
        frameSize.reserveCapacity(frames)
        var keypointsOf: [Range<Int>] = [], framesOf: [Range<Int>] = []
        for (r, reference) in references.enumerated() {
            let offset = UInt32(frameOwner.count)
            keypointsOf.append(descriptors.count ..< descriptors.count + reference.keypointCount)
            framesOf.append(frameOwner.count ..< frameOwner.count + reference.frameTime.count)
            frameOwner.append(contentsOf: repeatElement(UInt32(r), count: reference.frameTime.count))
            frameTime += reference.frameTime
            frameSize += reference.frameSize
            descriptors += reference.descriptors
            firstFrame += reference.firstFrame.lazy.map { $0 + offset }
            lastFrame += reference.lastFrame.lazy.map { $0 + offset }
            position += reference.position
            seen += reference.seen
        }
        // Each run of a keypoint carried over describes the keypoint in each of its frames.
        index = DescriptorIndex(descriptors, occurrences: zip(firstFrame, lastFrame).reduce(0) { $0 + Int($1.1 - $1.0) + 1 })
        self.firstFrame = firstFrame
        self.lastFrame = lastFrame
        self.position = position
        self.seen = seen
        self.frameOwner = frameOwner
        self.frameTime = frameTime
        self.frameSize = frameSize
        self.keypointsOf = keypointsOf
        self.framesOf = framesOf
    }

    /// The channel over `references`' fingerprints, each prepared on the spot.
    init(_ references: [MediaFingerprint]) {
        self.init(references.map(ReferenceKeypoints.init))
    }

    /// Seconds apart beyond which a keypoint seen again (`Keypoint.samePlace`,
    /// `Keypoint.sameDescriptor`) is a point of a still scene.
    static let staticSpan: Float = 2

    /// A keypoint of a reference at one of its frames is of the scene when it is seen again at
    /// the same place of the frame, nearly alike, at least `staticSpan` seconds away: it belongs
    /// to the scene (a still camera's background, a logo), not to the moment. Such keypoints
    /// cannot tell one moment of the video from another, and the same scene filmed another time
    /// has them too ("burstiness", Jégou et al.), so they are not evidence of a copy.
    ///
    /// `seenSpans` gives per keypoint (of frames `first` to `last`, carried over as it was: seen
    /// at each of their times) the first and last time it or one like it is seen; at a frame of
    /// time t it is of the scene when t is `staticSpan` or more from either.
    static func isOfScene(seen: SIMD2<Float>, at t: Float) -> Bool {
        t - seen.x >= staticSpan || seen.y - t >= staticSpan
    }

    /// The first and last time each keypoint, or one like it in the same place, is seen in its
    /// reference (`isOfScene`).
    ///
    /// A function of each reference's own keypoints: `ReferenceKeypoints` finds it once per
    /// reference (`owner` all one), not once per set of references a suspect names.
    ///
    /// Exact, and found per reference through the place rather than the descriptor: keypoints
    /// are sorted into square cells of the place radius, and each is compared with those of the
    /// nine cells around its own (a few per cell even for an hour of a held shot's corners).
    static func seenSpans(first: [UInt32], last: [UInt32], position: [SIMD2<Double>], descriptors: [BinaryDescriptor],
                          owner: [UInt32], time: [Float], size: [SIMD2<Double>]) -> [SIMD2<Float>] {
        var result = zip(first, last).map { SIMD2(time[Int($0)], time[Int($1)]) }
        // Keypoints are laid out reference by reference, frame by frame.
        var start = 0
        while start < first.count {
            let video = owner[Int(first[start])]
            var end = start
            var largest = SIMD2<Double>(1, 1)
            while end < first.count, owner[Int(first[end])] == video {
                largest = pointwiseMax(largest, size[Int(first[end])])
                end += 1
            }
            widenSeenSpans(start ..< end, largest: largest, first: first, last: last, position: position, descriptors: descriptors,
                       time: time, size: size, into: &result)
            start = end
        }
        return result
    }

    /// `seenSpans` for the keypoints `range` of one reference: each span widened to those of
    /// the keypoints like it in the same place.
    private static func widenSeenSpans(_ range: Range<Int>, largest: SIMD2<Double>, first firstFrame: [UInt32], last lastFrame: [UInt32],
                                   position: [SIMD2<Double>],
                                   descriptors: [BinaryDescriptor], time: [Float], size: [SIMD2<Double>],
                                   into result: inout [SIMD2<Float>]) {
        let cell = max(1, Keypoint.samePlace * (largest * largest).sum().squareRoot())
        let columns = Int(largest.x / cell) + 1, rows = Int(largest.y / cell) + 1
        func cellOf(_ i: Int) -> (Int, Int) {
            let p = position[i]
            return (min(columns - 1, max(0, Int(p.x / cell))), min(rows - 1, max(0, Int(p.y / cell))))
        }
        // Counting sort of the keypoints by cell.
        var first = [Int](repeating: 0, count: columns * rows + 1)
        for i in range { let (c, r) = cellOf(i); first[r * columns + c + 1] += 1 }
        for c in 0 ..< columns * rows { first[c + 1] += first[c] }
        var next = first
        // What the search reads of each keypoint, laid out cell by cell (in the order of `range`
        // within a cell): a cell's keypoints are read as one stretch of memory, not gathered from
        // all over the reference's (the search is most of the cost of a long reference's piece).
        var cellPosition = [SIMD2<Double>](repeating: .zero, count: range.count)
        var cellDescriptor = [BinaryDescriptor](repeating: BinaryDescriptor.zero, count: range.count)
        var cellSeen = [SIMD2<Float>](repeating: .zero, count: range.count)
        for i in range {
            let (c, r) = cellOf(i)
            let m = next[r * columns + c]
            cellPosition[m] = position[i]
            cellDescriptor[m] = descriptors[i]
            cellSeen[m] = SIMD2(time[Int(firstFrame[i])], time[Int(lastFrame[i])])
            next[r * columns + c] += 1
        }
        for i in range {
            let d = size[Int(firstFrame[i])]
            let radius = Keypoint.samePlace * (d * d).sum().squareRoot()
            let (c, r) = cellOf(i)
            let here = position[i], descriptor = descriptors[i]
            search: for rr in max(0, r - 1) ... min(rows - 1, r + 1) {
                for cc in max(0, c - 1) ... min(columns - 1, c + 1) {
                    for m in first[rr * columns + cc] ..< first[rr * columns + cc + 1] {
                        let delta = cellPosition[m] - here
                        guard (delta * delta).sum() <= radius * radius,
                              descriptor.distance(to: cellDescriptor[m]) <= Keypoint.sameDescriptor else { continue }
                        result[i] = SIMD2(min(result[i].x, cellSeen[m].x), max(result[i].y, cellSeen[m].y))
                        // Once it is of the scene at each of its frames, more cannot change that
                        // (and a held shot's hour of corners in one place is not searched through).
                        let seen = result[i]
                        if time[Int(firstFrame[i])] - seen.x >= staticSpan || seen.y - time[Int(lastFrame[i])] >= staticSpan
                            || seen.y - seen.x >= 2 * staticSpan {
                            break search
                        }
                    }
                }
            }
        }
    }

    package func usableTimes(of suspect: MediaFingerprint) -> [Float] {
        Array(Set(suspect.keypointFrames.map(\.time))).sorted()
    }

    package func hits(for suspect: MediaFingerprint, configuration: Matcher.Configuration) -> [Int: [FrameHit]] {
        hitsAndSightings(for: suspect, configuration: configuration).hits
    }

    package func hitsAndSightings(for suspect: MediaFingerprint, configuration: Matcher.Configuration)
        -> (hits: [Int: [FrameHit]], sightings: [Int: [SceneSighting]]) {
        guard !isEmpty else { return ([:], [:]) }
        var scratch = Scratch(self)
        var hits: [Int: [FrameHit]] = [:]
        var sightings: [Int: [SceneSighting]] = [:]
        for frame in suspect.keypointFrames {
            let found = verifiedHits(frame, scratch: &scratch)
            for (reference, hit) in found.hits { hits[reference, default: []].append(hit) }
            for (reference, sighting) in found.sightings { sightings[reference, default: []].append(sighting) }
        }
        // Per instant in reference order, as the aligner expects (mirror and own description
        // of one instant may both hit).
        for r in hits.keys { hits[r]?.sort { ($0.queryTime, $0.referenceTime) < ($1.queryTime, $1.referenceTime) } }
        return (hits, sightings)
    }

    /// Scratch for `verifiedHits`, sized to the library: per reference frame and video, the
    /// closest match of the keypoint at hand, and what was touched.
    struct Scratch {
        var search: DescriptorIndex.Scratch
        var frameBest: [Int32], frameBestID: [Int32], touchedFrames: [Int] = []
        var videoBest: [Int32], touchedVideos: [Int] = []
        var pairs: [[PointPair]], framesWithPairs: [Int] = []
        /// Per video, the closest keypoint of its scene (`isOfScene`) to the keypoint at hand
        /// over all its frames (a still scene's points are in the same place in each), and the
        /// pairs so found for the suspect frame.
        var sceneBest: [(distance: Int32, id: Int32, frame: Int32)], touchedSceneVideos: [Int] = []
        var scenePairs: [[PointPair]], sceneFrame: [Int32], videosWithScenePairs: [Int] = []

        init(_ channel: KeypointHits) {
            search = channel.index.scratch()
            frameBest = [Int32](repeating: .max, count: channel.frameOwner.count)
            frameBestID = [Int32](repeating: 0, count: channel.frameOwner.count)
            videoBest = [Int32](repeating: .max, count: Int(channel.frameOwner.max() ?? 0) + 1)
            pairs = [[PointPair]](repeating: [], count: channel.frameOwner.count)
            sceneBest = [(distance: Int32, id: Int32, frame: Int32)](repeating: (.max, 0, 0), count: videoBest.count)
            scenePairs = [[PointPair]](repeating: [], count: videoBest.count)
            sceneFrame = [Int32](repeating: 0, count: videoBest.count)
        }
    }

    /// The fit `found` of reference frame `f` in suspect keypoint frame `frame` as a hit: its
    /// similarity rising with the inliers, with the placement the fit found.
    private func frameHit(_ found: GeometricFit.Fit, suspect frame: KeypointFrame, referenceFrame f: Int) -> FrameHit {
        let similarity = Float(min(1, Double(found.distinctInliers) / Self.fullSimilarityInliers))
        let size = frameSize[f]
        let centre = found.transform.apply(to: size / 2)
        let placement = Placement(centre: SIMD2(Float(centre.x / Double(frame.width)), Float(centre.y / Double(frame.height))),
                                  logScale: Float(log(found.transform.scale(at: size / 2))),
                                  rotation: Float(found.transform.rotation(at: size / 2)))
        let geometry = PictureGeometry(found, referenceSize: size, suspectSize: SIMD2(Double(frame.width), Double(frame.height)),
                                       mirrored: frame.mirrored)
        return FrameHit(queryTime: frame.time, referenceTime: frameTime[f], similarity: similarity, placement: placement, geometry: geometry)
    }

    /// The fit a suspect keypoint frame's verification asks of a frame pair.
    private static func verification(for frame: KeypointFrame) -> GeometricFit {
        let diagonal = (Double(frame.width * frame.width + frame.height * frame.height)).squareRoot()
        var fit = GeometricFit(inlierRadius: max(3, 0.01 * diagonal))
        fit.allowsHomography = true
        return fit
    }

    /// Hits of reference `reference` along a line another medium found (reference time =
    /// rate × suspect time + offset, suspect times in `queryRange`): each suspect keypoint frame
    /// there is verified against the reference's keypoint frame nearest the time the line puts it
    /// at, as one pair of frames, with all that frame's keypoints — those of its still scene
    /// too. The search (`hits`) leaves a still scene's keypoints out because another take of the
    /// same place has them and they cannot tell one moment from another; on a line the sound
    /// found, the moment is the sound's, and what is asked is only whether the picture shown
    /// there is the reference's (a cropped or zoomed held shot, a camera move over a still).
    /// Distinctiveness is judged within the frame (Lowe's ratio to the second-closest keypoint).
    package func hitsAlong(_ suspect: MediaFingerprint, reference: Int, rate: Double, offset: Double,
                           queryRange: ClosedRange<Double>) -> [FrameHit] {
        guard keypointsOf.indices.contains(reference), !framesOf[reference].isEmpty else { return [] }
        let frames = framesOf[reference], keypoints = keypointsOf[reference]
        var out: [FrameHit] = []
        for frame in suspect.keypointFrames where queryRange.contains(Double(frame.time)) {
            let t = Float(rate * Double(frame.time) + offset)
            // The reference frame nearest t (frames in time order).
            var lo = frames.lowerBound, hi = frames.upperBound
            while lo < hi {
                let mid = (lo + hi) / 2
                if frameTime[mid] < t { lo = mid + 1 } else { hi = mid }
            }
            guard let f = [lo - 1, lo].filter(frames.contains).min(by: { abs(frameTime[$0] - t) < abs(frameTime[$1] - t) }) else { continue }
            // Its keypoints: those first seen at or before it and last seen at or after it
            // (keypoints in order of first frame).
            var alive: [Int] = []
            for i in keypoints {
                guard Int(firstFrame[i]) <= f else { break }
                if Int(lastFrame[i]) >= f { alive.append(i) }
            }
            guard alive.count >= Self.minimumPairs else { continue }
            var pairs: [PointPair] = []
            for k in frame.keypoints {
                var best = (id: -1, distance: Int.max), second = Int.max
                for i in alive {
                    let d = k.descriptor.distance(to: index.descriptors[i])
                    if d < best.distance { second = best.distance; best = (i, d) } else if d < second { second = d }
                }
                guard best.distance <= Self.maximumDistance,
                      second == .max || Double(best.distance) <= Self.ratio * Double(second) else { continue }
                pairs.append(PointPair(suspect: SIMD2(Double(k.x), Double(k.y)), reference: position[best.id]))
            }
            guard pairs.count >= Self.minimumPairs, let found = Self.verification(for: frame).fit(pairs) else { continue }
            out.append(frameHit(found, suspect: frame, referenceFrame: f))
        }
        return out.sorted { ($0.queryTime, $0.referenceTime) < ($1.queryTime, $1.referenceTime) }
    }

    /// References that only their scene's keypoints place in one suspect frame are fitted for
    /// a `SceneSighting`, the most matched first, at most this many.
    static let sightedReferences = 4

    /// The reference frames one suspect keypoint frame verifiably shows, as hits by reference;
    /// and, for references it shows no frame of, where their still scene sits in it.
    func verifiedHits(_ frame: KeypointFrame, scratch s: inout Scratch) -> (hits: [(Int, FrameHit)], sightings: [(Int, SceneSighting)]) {
        for k in frame.keypoints {
            // The closest keypoint per reference frame, and the closest per video. The buffers
            // are taken once per keypoint, not per id and frame: each write through the scratch's
            // arrays checked their uniqueness.
            s.frameBest.withUnsafeMutableBufferPointer { frameBest in
                s.frameBestID.withUnsafeMutableBufferPointer { frameBestID in
                    s.videoBest.withUnsafeMutableBufferPointer { videoBest in
                        index.search(k.descriptor, maximumDistance: Self.maximumDistance, scratch: &s.search) { id, d in
                            let first = Int(firstFrame[id])
                            for f in first ... Int(lastFrame[id]) {
                                if frameBest[f] == .max { s.touchedFrames.append(f) }
                                if Int32(d) < frameBest[f] { frameBest[f] = Int32(d); frameBestID[f] = Int32(id) }
                            }
                            let v = Int(frameOwner[first])
                            if videoBest[v] == .max { s.touchedVideos.append(v) }
                            videoBest[v] = min(videoBest[v], Int32(d))
                        }
                    }
                }
            }
            // The closest and second-closest videos.
            var first = (video: -1, distance: Int32.max), second = Int32.max
            for v in s.touchedVideos {
                if s.videoBest[v] < first.distance { second = first.distance; first = (v, s.videoBest[v]) }
                else { second = min(second, s.videoBest[v]) }
                s.videoBest[v] = .max
            }
            s.touchedVideos.removeAll(keepingCapacity: true)
            for f in s.touchedFrames {
                let others = Int(frameOwner[f]) == first.video ? second : first.distance
                let d = s.frameBest[f]
                s.frameBest[f] = .max
                if others != .max, Double(d) > Self.ratio * Double(others) { continue }
                if Self.isOfScene(seen: seen[Int(s.frameBestID[f])], at: frameTime[f]) {
                    let v = Int(frameOwner[f])
                    if s.sceneBest[v].distance == .max { s.touchedSceneVideos.append(v) }
                    if d < s.sceneBest[v].distance { s.sceneBest[v] = (d, s.frameBestID[f], Int32(f)) }
                    continue
                }
                if s.pairs[f].isEmpty { s.framesWithPairs.append(f) }
                s.pairs[f].append(PointPair(suspect: SIMD2(Double(k.x), Double(k.y)), reference: position[Int(s.frameBestID[f])]))
            }
            s.touchedFrames.removeAll(keepingCapacity: true)
            for v in s.touchedSceneVideos {
                if s.scenePairs[v].isEmpty { s.videosWithScenePairs.append(v) }
                s.scenePairs[v].append(PointPair(suspect: SIMD2(Double(k.x), Double(k.y)), reference: position[Int(s.sceneBest[v].id)]))
                s.sceneFrame[v] = s.sceneBest[v].frame
                s.sceneBest[v].distance = .max
            }
            s.touchedSceneVideos.removeAll(keepingCapacity: true)
        }
        var pairs: [UInt32: [PointPair]] = [:]
        for f in s.framesWithPairs {
            if s.pairs[f].count >= Self.minimumPairs { pairs[UInt32(f)] = s.pairs[f] }
            s.pairs[f].removeAll(keepingCapacity: true)
        }
        s.framesWithPairs.removeAll(keepingCapacity: true)
        let ranked = pairs
            .sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
            .prefix(Self.framesVerified)
        let fit = Self.verification(for: frame)
        var out: [(Int, FrameHit)] = []
        defer {
            for v in s.videosWithScenePairs { s.scenePairs[v].removeAll(keepingCapacity: true) }
            s.videosWithScenePairs.removeAll(keepingCapacity: true)
        }
        var sightings: [(Int, SceneSighting)] = []
        func sight(_ r: Int, _ found: GeometricFit.Fit, frame f: Int) {
            sightings.append((r, SceneSighting(queryTime: frame.time, referenceTime: frameTime[f], transform: found.transform,
                                               referenceSize: frameSize[f], suspectSize: SIMD2(Double(frame.width), Double(frame.height)),
                                               mirrored: frame.mirrored, inliers: found.distinctInliers)))
        }
        for (f, framePairs) in ranked {
            guard let found = fit.fit(framePairs) else { continue }
            // Where the reference's picture sits, once per reference (the frame with the most pairs):
            // the same whether or not the hit singles out a moment.
            if !out.contains(where: { $0.0 == Int(frameOwner[Int(f)]) }) { sight(Int(frameOwner[Int(f)]), found, frame: Int(f)) }
            out.append((Int(frameOwner[Int(f)]), frameHit(found, suspect: frame, referenceFrame: Int(f))))
        }
        // References without a hit here, by their pairs of scene keypoints, the most first.
        let hit = Set(out.map(\.0))
        let sighted = s.videosWithScenePairs.filter { !hit.contains($0) && s.scenePairs[$0].count >= Self.minimumPairs }.sorted {
            s.scenePairs[$0].count != s.scenePairs[$1].count ? s.scenePairs[$0].count > s.scenePairs[$1].count : $0 < $1
        }.prefix(Self.sightedReferences)
        for r in sighted {
            guard let found = fit.fit(s.scenePairs[r]) else { continue }
            sight(r, found, frame: Int(s.sceneFrame[r]))
        }
        return (out, sightings)
    }
}
