// Geometric verification of keypoint matches between one suspect frame and one reference frame:
// do many of the matched points agree on one placement of the reference picture in the suspect?
// RANSAC (Fischler & Bolles, "Random sample consensus", CACM 1981) on a similarity from 2-point
// samples, with the adaptive sample count N = log(1 − p) / log(1 − wᵏ) (Hartley & Zisserman,
// "Multiple View Geometry", §4.7) — w the best hypothesis's inlier ratio, and never below
// `minimumInliers` of the pairs, since less cannot pass: a search that finds nothing stops after
// the samples that would have found the least acceptable placement —, then least squares on the inliers (`PlaneTransform+Estimation`)
// and a re-count. When perspective is allowed and the similarity fails or leaves many pairs just
// outside the radius, a 4-point homography RANSAC with DLT refinement, taken only if it explains
// clearly more (`homographyGain`) and is a plausible view of a flat picture.
//
// Input: `PointPair`s, a suspect keypoint and the reference keypoint its descriptor matched, in
// pixels of their own frames; any order, repeats allowed (a corner found at several pyramid
// levels). Evidence is counted in distinct places, not pairs: the suspect points are grouped once
// into places (in input order, a point within `inlierRadius` of an earlier place's first point
// joins that place), and an inlier set is worth the number of places it touches. A corner seen 30
// times is one piece of evidence, so a cluster cannot make a chance fit. Deterministic: the
// samples come from a fixed-seed SplitMix64.
import Foundation

/// A putative match: a keypoint in the suspect frame and the reference keypoint it matched.
package struct PointPair: Sendable, Equatable {
    package var suspect: SIMD2<Double>
    package var reference: SIMD2<Double>

    package init(suspect: SIMD2<Double>, reference: SIMD2<Double>) {
        self.suspect = suspect
        self.reference = reference
    }
}

package struct GeometricFit: Sendable {
    package struct Fit: Sendable {
        /// Reference → suspect.
        package var transform: PlaneTransform
        /// Indices of the pairs within `inlierRadius` of the transform, ascending.
        package var inliers: [Int]
        /// The places those inliers touch: the evidence.
        package var distinctInliers: Int
        /// Mean distance in suspect pixels between an inlier's suspect point and its mapped
        /// reference point.
        package var meanError: Double
    }

    /// Suspect pixels within which a mapped reference point agrees (e.g. 1 % of the suspect's
    /// diagonal); also the size of a place.
    package var inlierRadius: Double
    /// Distinct places a fit needs.
    package var minimumInliers = 10
    /// Samples per RANSAC stage at most (the adaptive count is usually far lower).
    package var maximumIterations = 1000
    /// Probability of having drawn one all-inlier sample when the adaptive count stops.
    package var confidence = 0.999
    /// Plausible linear scale of the reference picture in the suspect (a homography: the
    /// square root of the area ratio of the inliers' reference box).
    package var scaleRange: ClosedRange<Double> = 0.1 ... 4
    package var allowsHomography = false
    /// The inliers' suspect points must span at least this many radii in x and in y: a clump
    /// of nearby corners or a single line of text pins no placement.
    package var minimumSpan = 3.0
    /// A homography replaces the similarity only with this many times its distinct inliers.
    package var homographyGain = 1.25
    /// A homography's quad may stretch one side against another at most this much more than
    /// the reference box: strong perspective of a flat picture, not a fold into a sliver.
    package var maximumDistortion = 3.0
    package var seed: UInt64 = 0x5EED_0F_F17

    package init(inlierRadius: Double) {
        precondition(inlierRadius > 0, "the inlier radius must be positive")
        self.inlierRadius = inlierRadius
    }

    /// The best placement of the reference in the suspect, or nil when none passes.
    package func fit(_ pairs: [PointPair]) -> Fit? {
        precondition(pairs.allSatisfy { p in p.suspect.x.isFinite && p.suspect.y.isFinite && p.reference.x.isFinite && p.reference.y.isFinite },
                     "point pairs must have finite coordinates")
        guard pairs.count >= max(minimumInliers, 2) else { return nil }
        var state = State(pairs: pairs, fit: self)
        guard state.placeCount >= minimumInliers else { return nil }

        var similarity = state.ransacSimilarity().map { state.refine($0, estimate: PlaneTransform.leastSquaresSimilarity) }
        if let s = similarity, s.distinct < minimumInliers { similarity = nil }
        var chosen = similarity
        if allowsHomography, let candidates = state.homographyCandidates(after: similarity),
           let found = state.ransacHomography(candidates: candidates) {
            let refined = state.refine(found, estimate: PlaneTransform.dltHomography)
            let needed = similarity.map { homographyGain * Double($0.distinct) } ?? 0
            if refined.distinct >= minimumInliers, Double(refined.distinct) >= needed { chosen = refined }
        }
        return chosen.map(state.result)
    }

    /// Samples drawn before any hypothesis is found: enough for `confidence` of drawing one
    /// all-inlier sample of a placement with the least support that can pass
    /// (`minimumInliers` of the `count` pairs sampled). Where no such placement exists (most
    /// frame pairs a candidate stage proposes), that is all a search costs.
    func iterationsToFindAcceptable(among count: Int, sampleSize: Int) -> Int {
        iterationsNeeded(inlierRatio: Double(minimumInliers) / Double(max(count, 1)), sampleSize: sampleSize)
    }

    /// Samples needed for `confidence` of one all-inlier sample of `sampleSize` pairs at inlier ratio
    /// `w`, at most `maximumIterations`.
    func iterationsNeeded(inlierRatio w: Double, sampleSize: Int) -> Int {
        let good = pow(min(max(w, 0), 1), Double(sampleSize))
        if good >= 1 { return 1 }
        let n = log(1 - confidence) / log(1 - good)
        return n.isFinite && n < Double(maximumIterations) ? max(1, Int(n.rounded(.up))) : maximumIterations
    }
}
