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
//    apart: a still camera's background) are not evidence (`staticKeypoints`).
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
    /// Per indexed keypoint: its reference frame and position, and whether it belongs to the
    /// scene rather than the moment (`isStatic`).
    let keypointFrame: [UInt32]
    let position: [SIMD2<Double>]
    let isStatic: [Bool]
    /// Per reference keypoint frame: its reference, time and picture size.
    let frameOwner: [UInt32]
    let frameTime: [Float]
    let frameSize: [SIMD2<Double>]

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
        var descriptors: [BinaryDescriptor] = [], keypointFrame: [UInt32] = [], position: [SIMD2<Double>] = []
        var isStatic: [Bool] = []
        var frameOwner: [UInt32] = [], frameTime: [Float] = [], frameSize: [SIMD2<Double>] = []
        let keypoints = references.reduce(0) { $0 + $1.keypointCount }, frames = references.reduce(0) { $0 + $1.frameTime.count }
        descriptors.reserveCapacity(keypoints)
        keypointFrame.reserveCapacity(keypoints)
        position.reserveCapacity(keypoints)
        isStatic.reserveCapacity(keypoints)
        frameOwner.reserveCapacity(frames)
        frameTime.reserveCapacity(frames)
        frameSize.reserveCapacity(frames)
        for (r, reference) in references.enumerated() {
            let firstFrame = UInt32(frameOwner.count)
            frameOwner.append(contentsOf: repeatElement(UInt32(r), count: reference.frameTime.count))
            frameTime += reference.frameTime
            frameSize += reference.frameSize
            descriptors += reference.descriptors
            keypointFrame += reference.keypointFrame.lazy.map { $0 + firstFrame }
            position += reference.position
            isStatic += reference.isStatic
        }
        index = DescriptorIndex(descriptors)
        self.keypointFrame = keypointFrame
        self.position = position
        self.isStatic = isStatic
        self.frameOwner = frameOwner
        self.frameTime = frameTime
        self.frameSize = frameSize
    }

    /// The channel over `references`' fingerprints, each prepared on the spot.
    init(_ references: [MediaFingerprint]) {
        self.init(references.map(ReferenceKeypoints.init))
    }

    /// Seconds apart beyond which a keypoint seen again (`Keypoint.samePlace`,
    /// `Keypoint.sameDescriptor`) is a point of a still scene.
    static let staticSpan: Float = 2

    /// Keypoints of a reference seen again at the same place of its frame, nearly alike, at
    /// least `staticSpan` seconds away: they belong to the scene (a still camera's background, a
    /// logo), not to the moment. They cannot tell one moment of the video from another, and
    /// the same scene filmed another time has them too ("burstiness", Jégou et al.), so they
    /// are not evidence of a copy.
    ///
    /// A function of each reference's own keypoints: `ReferenceKeypoints` finds it once per
    /// reference (`owner` all one), not once per set of references a suspect names.
    ///
    /// Exact, and found per reference through the place rather than the descriptor: keypoints
    /// are sorted into square cells of the place radius, and each is compared with those of the
    /// nine cells around its own (a few per cell even for an hour of a held shot's corners).
    static func staticKeypoints(frame: [UInt32], position: [SIMD2<Double>], descriptors: [BinaryDescriptor],
                                owner: [UInt32], time: [Float], size: [SIMD2<Double>]) -> [Bool] {
        var result = [Bool](repeating: false, count: frame.count)
        // Keypoints are laid out reference by reference, frame by frame.
        var start = 0
        while start < frame.count {
            let video = owner[Int(frame[start])]
            var end = start
            var largest = SIMD2<Double>(1, 1)
            while end < frame.count, owner[Int(frame[end])] == video {
                largest = pointwiseMax(largest, size[Int(frame[end])])
                end += 1
            }
            markStatic(start ..< end, largest: largest, frame: frame, position: position, descriptors: descriptors,
                       time: time, size: size, into: &result)
            start = end
        }
        return result
    }

    private static func markStatic(_ range: Range<Int>, largest: SIMD2<Double>, frame: [UInt32], position: [SIMD2<Double>],
                                   descriptors: [BinaryDescriptor], time: [Float], size: [SIMD2<Double>],
                                   into result: inout [Bool]) {
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
        var members = [Int](repeating: 0, count: range.count)
        for i in range {
            let (c, r) = cellOf(i)
            members[next[r * columns + c]] = i
            next[r * columns + c] += 1
        }
        for i in range {
            let d = size[Int(frame[i])]
            let radius = Keypoint.samePlace * (d * d).sum().squareRoot()
            let (c, r) = cellOf(i)
            search: for rr in max(0, r - 1) ... min(rows - 1, r + 1) {
                for cc in max(0, c - 1) ... min(columns - 1, c + 1) {
                    for m in first[rr * columns + cc] ..< first[rr * columns + cc + 1] {
                        let j = members[m]
                        guard abs(time[Int(frame[j])] - time[Int(frame[i])]) >= staticSpan else { continue }
                        let delta = position[j] - position[i]
                        guard (delta * delta).sum() <= radius * radius,
                              descriptors[i].distance(to: descriptors[j]) <= Keypoint.sameDescriptor else { continue }
                        result[i] = true
                        break search
                    }
                }
            }
        }
    }

    package func usableTimes(of suspect: MediaFingerprint) -> [Float] {
        Array(Set(suspect.keypointFrames.map(\.time))).sorted()
    }

    package func hits(for suspect: MediaFingerprint, configuration: Matcher.Configuration) -> [Int: [FrameHit]] {
        guard !isEmpty else { return [:] }
        var scratch = Scratch(self)
        var hits: [Int: [FrameHit]] = [:]
        for frame in suspect.keypointFrames {
            for (reference, hit) in verifiedHits(frame, scratch: &scratch) { hits[reference, default: []].append(hit) }
        }
        // Per instant in reference order, as the aligner expects (mirror and own description
        // of one instant may both hit).
        for r in hits.keys { hits[r]?.sort { ($0.queryTime, $0.referenceTime) < ($1.queryTime, $1.referenceTime) } }
        return hits
    }

    /// Scratch for `verifiedHits`, sized to the library: per reference frame and video, the
    /// closest match of the keypoint at hand, and what was touched.
    struct Scratch {
        var seen: [Bool]
        var frameBest: [Int32], frameBestID: [Int32], touchedFrames: [Int] = []
        var videoBest: [Int32], touchedVideos: [Int] = []
        var pairs: [[PointPair]], framesWithPairs: [Int] = []

        init(_ channel: KeypointHits) {
            seen = [Bool](repeating: false, count: channel.index.count)
            frameBest = [Int32](repeating: .max, count: channel.frameOwner.count)
            frameBestID = [Int32](repeating: 0, count: channel.frameOwner.count)
            videoBest = [Int32](repeating: .max, count: Int(channel.frameOwner.max() ?? 0) + 1)
            pairs = [[PointPair]](repeating: [], count: channel.frameOwner.count)
        }
    }

    /// The reference frames one suspect keypoint frame verifiably shows, as hits by reference.
    func verifiedHits(_ frame: KeypointFrame, scratch s: inout Scratch) -> [(Int, FrameHit)] {
        for k in frame.keypoints {
            // The closest keypoint per reference frame, and the closest per video.
            index.search(k.descriptor, maximumDistance: Self.maximumDistance, seen: &s.seen) { id, d in
                let f = Int(keypointFrame[id]), v = Int(frameOwner[f])
                if s.frameBest[f] == .max { s.touchedFrames.append(f) }
                if Int32(d) < s.frameBest[f] { s.frameBest[f] = Int32(d); s.frameBestID[f] = Int32(id) }
                if s.videoBest[v] == .max { s.touchedVideos.append(v) }
                s.videoBest[v] = min(s.videoBest[v], Int32(d))
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
                if isStatic[Int(s.frameBestID[f])] { continue }
                if s.pairs[f].isEmpty { s.framesWithPairs.append(f) }
                s.pairs[f].append(PointPair(suspect: SIMD2(Double(k.x), Double(k.y)), reference: position[Int(s.frameBestID[f])]))
            }
            s.touchedFrames.removeAll(keepingCapacity: true)
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
        let diagonal = (Double(frame.width * frame.width + frame.height * frame.height)).squareRoot()
        var fit = GeometricFit(inlierRadius: max(3, 0.01 * diagonal))
        fit.allowsHomography = true
        var out: [(Int, FrameHit)] = []
        for (f, framePairs) in ranked {
            guard let found = fit.fit(framePairs) else { continue }
            let similarity = Float(min(1, Double(found.distinctInliers) / Self.fullSimilarityInliers))
            let size = frameSize[Int(f)]
            let centre = found.transform.apply(to: size / 2)
            let rotation = found.transform.rotation(at: size / 2)
            let placement = Placement(centre: SIMD2(Float(centre.x / Double(frame.width)), Float(centre.y / Double(frame.height))),
                                      logScale: Float(log(found.transform.scale(at: size / 2))),
                                      rotation: Float(rotation))
            // The outline in the suspect frame as it plays (a mirrored description's positions
            // are in the mirror image).
            let frameSize = SIMD2(Double(frame.width), Double(frame.height))
            let corners = found.transform.corners(ofWidth: size.x, height: size.y).map { p -> SIMD2<Double> in
                let share = p / frameSize
                return frame.mirrored ? SIMD2(1 - share.x, share.y) : share
            }
            let geometry = PictureGeometry(corners: corners, rotation: (frame.mirrored ? -rotation : rotation) * 180 / .pi,
                                           mirrored: frame.mirrored, inliers: found.distinctInliers)
            out.append((Int(frameOwner[Int(f)]), FrameHit(queryTime: frame.time, referenceTime: frameTime[Int(f)],
                                                          similarity: similarity, placement: placement, geometry: geometry)))
        }
        return out
    }
}
