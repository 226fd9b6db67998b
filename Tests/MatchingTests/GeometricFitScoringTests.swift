import Foundation
@testable import Matching
import Testing
import TestSupport

/// The shortcuts a fit's hot loops take must give what the plain rules give: `score`'s marks and
/// word-at-a-time gathering the inliers `inliers(of:)` filters, and `Extremes` the values a sort
/// puts at each end.
@Suite struct GeometricFitScoringTests {
    @Test func extremesAreWhatASortHoldsAtEachEnd() {
        var g = SeededGenerator(seed: 29)
        for trial in 0 ..< 500 {
            // Few distinct values, so that repeats straddle the kept four.
            let values = (0 ..< Int.random(in: 1 ... 40, using: &g)).map { _ in
                Double(Int.random(in: -6 ... 6, using: &g)) * (trial % 2 == 0 ? 1 : 0.37)
            }
            var extremes = GeometricFit.Extremes()
            for v in values { extremes.insert(v) }
            let sorted = values.sorted()
            #expect(extremes.count == values.count)
            for k in 0 ..< min(4, values.count) {
                #expect(extremes.low[k] == sorted[k])
                #expect(extremes.high[k] == sorted[sorted.count - 1 - k])
            }
        }
    }

    @Test func scoreCountsTheInliersThePlainFilterFinds() {
        var g = SeededGenerator(seed: 33)
        // Pair counts on both sides of whole words of marks.
        for n in [10, 15, 16, 17, 63, 64, 65, 200] {
            let pairs = (0 ..< n).map { i in
                let r = SIMD2(Double.random(in: 0 ..< 640, using: &g), Double.random(in: 0 ..< 360, using: &g))
                // Every other pair under the known placement (x2, +10), the rest anywhere.
                let s = i % 2 == 0 ? 2 * r + SIMD2(10, 10) + SIMD2(Double.random(in: -3 ... 3, using: &g), 0)
                                   : SIMD2(Double.random(in: 0 ..< 1280, using: &g), Double.random(in: 0 ..< 720, using: &g))
                return PointPair(suspect: s, reference: r)
            }
            var state = GeometricFit.State(pairs: pairs, fit: GeometricFit(inlierRadius: 5))
            let transforms = [
                PlaneTransform(a: 2, b: 0, translation: SIMD2(10, 10)),
                PlaneTransform(scale: 1.9, rotation: 0.01, translation: SIMD2(14, 8)),
                PlaneTransform(homography: [2, 0.01, 10, 0.02, 2, 10, 0.0001, 0.00005, 1])!,
                PlaneTransform(homography: [2, 0, 10, 0, 2, 10, -0.01, 0, 1])!,
            ]
            for t in transforms {
                let inliers = state.inliers(of: t)
                let places = Set(inliers.map { state.place[$0] }).count
                let scored = state.score(t)
                #expect(scored.count == inliers.count)
                #expect(scored.distinct == places)
                #expect(state.mark(t) == inliers.count)
                let least = 2 * GeometricFit.State.droppedPlaces(t.kind) + 1
                let gated = state.score(t, ifBetterThan: nil)
                #expect((gated != nil) == (inliers.count >= least))
                let squaredError = inliers.reduce(0.0) { sum, i in
                    let r = pairs[i].reference, s = pairs[i].suspect
                    let w = t.h31 * r.x + t.h32 * r.y + 1
                    let ex = t.h11 * r.x + t.h12 * r.y + t.h13 - s.x * w
                    let ey = t.h21 * r.x + t.h22 * r.y + t.h23 - s.y * w
                    return sum + (ex * ex + ey * ey) / (w * w)
                }
                #expect(scored.squaredError == squaredError)
            }
        }
    }
}
