// Where a reference's picture sits in a suspect's, when only its still scene says so. A held
// shot's corners (a building, a room, a desk) match a copy's by the hundred, but they match
// another take of the same scene as well, so `KeypointHits` does not count them as evidence of
// a copy (`KeypointHits.isOfScene`). They still say *where* the reference's picture sits in the
// suspect's — cropped, in one half of a split screen, moved into a corner — which the motion
// check needs to compare what changes in the one with what changes in the other
// (`MotionAgreement` through `framings`): the whole suspect picture against the whole
// reference says nothing when the suspect shows a part of it, or shows it beside something else.
import Fingerprint

package struct SceneSighting: Sendable, Equatable {
    /// The suspect keypoint frame's time, and that of a reference frame holding the matched
    /// points (a still scene's points are in the same place in each).
    package var queryTime: Float
    package var referenceTime: Float
    /// Reference picture points to suspect picture points (pixels of each one's keypoint frame;
    /// the suspect's mirrored when `mirrored`).
    package var transform: PlaneTransform
    package var referenceSize: SIMD2<Double>
    package var suspectSize: SIMD2<Double>
    package var mirrored: Bool
    /// Inliers of the fit in distinct places.
    package var inliers: Int

    /// The part of the suspect's picture that shows the reference's, and the part of the
    /// reference's it shows, as framings of the two motion grids (fractions of each picture;
    /// the suspect's unmirrored): the reference's frame mapped into the suspect's and cut to it,
    /// and that part mapped back. Bounding rectangles, so a turned picture reads its cells a
    /// little askew. Nil when either part is under `MotionFraming.smallestArea` of its picture
    /// (its cells would read mostly their neighbours') or the fit cannot be inverted.
    package var framings: (reference: MotionFraming, suspect: MotionFraming)? {
        guard let back = transform.inverse else { return nil }
        func box(_ points: [SIMD2<Double>], within size: SIMD2<Double>) -> (SIMD2<Double>, SIMD2<Double>)? {
            guard points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
            let lo = pointwiseMax(points.dropFirst().reduce(points[0], pointwiseMin), .zero)
            let hi = pointwiseMin(points.dropFirst().reduce(points[0], pointwiseMax), size)
            guard hi.x > lo.x, hi.y > lo.y else { return nil }
            return (lo / size, hi / size)
        }
        guard let shown = box(transform.corners(ofWidth: referenceSize.x, height: referenceSize.y), within: suspectSize) else { return nil }
        let corners = [SIMD2(shown.0.x, shown.0.y), SIMD2(shown.1.x, shown.0.y), SIMD2(shown.1.x, shown.1.y), SIMD2(shown.0.x, shown.1.y)]
        guard let source = box(corners.map { back.apply(to: $0 * suspectSize) }, within: referenceSize) else { return nil }
        func area(_ b: (SIMD2<Double>, SIMD2<Double>)) -> Double { (b.1.x - b.0.x) * (b.1.y - b.0.y) }
        guard area(shown) >= MotionFraming.smallestArea, area(source) >= MotionFraming.smallestArea else { return nil }
        let suspect = MotionFraming(x0: shown.0.x, y0: shown.0.y, x1: shown.1.x, y1: shown.1.y)
        return (MotionFraming(x0: source.0.x, y0: source.0.y, x1: source.1.x, y1: source.1.y),
                mirrored ? suspect.mirroredLeftRight : suspect)
    }

    /// Longest gap between the suspect times of one run of sightings (`runs`), seconds.
    static let runGap: Float = 2

    /// `sightings` (of one reference) in runs along the suspect's time, a run ending where the
    /// next is more than `runGap` seconds later; only runs of at least `minimumCount` instants.
    package static func runs(_ sightings: [SceneSighting], minimumCount: Int) -> [[SceneSighting]] {
        var runs: [[SceneSighting]] = []
        var run: [SceneSighting] = []
        for s in sightings.sorted(by: { $0.queryTime < $1.queryTime }) {
            if let last = run.last, s.queryTime - last.queryTime > runGap {
                runs.append(run)
                run = []
            }
            run.append(s)
        }
        if !run.isEmpty { runs.append(run) }
        return runs.filter { Set($0.map(\.queryTime)).count >= minimumCount }
    }

    /// The parts of the two pictures `sightings` agree on: each side of each part the median
    /// of theirs (one fit now and then places the picture elsewhere); nil when none has parts.
    package static func agreedFramings(_ sightings: [SceneSighting]) -> (reference: MotionFraming, suspect: MotionFraming)? {
        let all = sightings.compactMap(\.framings)
        guard !all.isEmpty else { return nil }
        func median(_ side: (MotionFraming) -> Double, _ part: ((reference: MotionFraming, suspect: MotionFraming)) -> MotionFraming) -> Double {
            let v = all.map { side(part($0)) }.sorted()
            return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
        }
        func agreed(_ part: ((reference: MotionFraming, suspect: MotionFraming)) -> MotionFraming) -> MotionFraming {
            MotionFraming(x0: median(\.x0, part), y0: median(\.y0, part), x1: median(\.x1, part), y1: median(\.y1, part))
        }
        return (agreed(\.reference), agreed(\.suspect))
    }
}
