// The working state of one `GeometricFit.fit` call: the pairs grouped into places, the scoring
// of a hypothesis against every pair, the two RANSAC stages (2-point similarity, 4-point
// homography), the refinement loop and the admissibility rules. Input: the caller's `PointPair`s
// unchanged; places and the sampler are built once per call.
import Foundation

extension GeometricFit {
    /// A hypothesis and its support.
    struct Scored {
        var transform: PlaneTransform
        var distinct: Int
        var count: Int
        var squaredError: Double

        /// More places first; among equals more pairs, then the tighter fit.
        func isBetter(than other: Scored?) -> Bool {
            guard let other else { return true }
            if distinct != other.distinct { return distinct > other.distinct }
            if count != other.count { return count > other.count }
            return squaredError < other.squaredError
        }
    }

    struct State {
        let pairs: [PointPair]
        let fit: GeometricFit
        let radius: Double
        /// The place of each pair's suspect point, and how many places there are.
        let place: [Int32]
        let placeCount: Int
        /// Pairs in each place.
        let placeSize: [Int32]
        /// Marks the places already counted for the current hypothesis (`tag`), so that counting
        /// distinct places costs one comparison per inlier and no clearing.
        private var stamp: [UInt32]
        /// The pairs' reference x, then reference y, suspect x and suspect y, each a plane of
        /// `pairs.count` values (a plane per value lets the compiler score several pairs per
        /// instruction); per pair whether it agrees with the hypothesis being scored (`mark`),
        /// zero-padded to whole 8-byte words; and room for the indices of its inliers.
        private let planes: [Double]
        private var agrees: [UInt8]
        private var hits: [Int32]
        private var tag: UInt32 = 0
        private var random: SplitMix64

        /// Pairs within this many radii of a similarity are "just outside" it: what a homography
        /// might explain.
        private static let nearFactor = 4.0

        init(pairs: [PointPair], fit: GeometricFit) {
            self.pairs = pairs
            self.fit = fit
            radius = fit.inlierRadius
            (place, placeCount) = Self.places(of: pairs.map { $0.suspect }, radius: fit.inlierRadius)
            var size = [Int32](repeating: 0, count: placeCount)
            for p in place { size[Int(p)] += 1 }
            placeSize = size
            stamp = [UInt32](repeating: 0, count: placeCount)
            random = SplitMix64(seed: fit.seed)
            // Closures, not key paths: this runs once per frame pair verified, and a key path
            // is read through the runtime.
            planes = pairs.map { $0.reference.x } + pairs.map { $0.reference.y } + pairs.map { $0.suspect.x } + pairs.map { $0.suspect.y }
            agrees = [UInt8](repeating: 0, count: (pairs.count + 7) / 8 * 8)
            hits = [Int32](repeating: 0, count: pairs.count)
        }

        /// Greedy grouping in input order: a point within `radius` of an earlier place's first
        /// point joins the earliest such place, otherwise it starts one. A grid of cells at least
        /// `radius` wide keeps the search to the 3×3 cells around a point.
        static func places(of points: [SIMD2<Double>], radius: Double) -> (place: [Int32], count: Int) {
            guard let first = points.first else { return ([], 0) }
            var low = first, high = first
            for p in points { low = pointwiseMin(low, p); high = pointwiseMax(high, p) }
            let span = high - low
            let cell = max(radius, max(span.x, span.y) / 256)
            let columns = Int(span.x / cell) + 1, rows = Int(span.y / cell) + 1
            var head = [Int32](repeating: -1, count: columns * rows)
            var next: [Int32] = [], origin: [SIMD2<Double>] = []
            var place = [Int32](repeating: 0, count: points.count)
            let r2 = radius * radius
            for (i, p) in points.enumerated() {
                let cx = Int((p.x - low.x) / cell), cy = Int((p.y - low.y) / cell)
                var found = Int32.max
                for y in max(cy - 1, 0) ... min(cy + 1, rows - 1) {
                    for x in max(cx - 1, 0) ... min(cx + 1, columns - 1) {
                        var q = head[y * columns + x]
                        while q >= 0 {
                            let d = origin[Int(q)] - p
                            if q < found, (d * d).sum() <= r2 { found = q }
                            q = next[Int(q)]
                        }
                    }
                }
                if found == Int32.max {
                    found = Int32(origin.count)
                    origin.append(p)
                    next.append(head[cy * columns + cx])
                    head[cy * columns + cx] = found
                }
                place[i] = found
            }
            return (place, origin.count)
        }

        /// Support of `t`: pairs whose mapped reference point lies within the radius of their
        /// suspect point, and the places they touch. Compares |u − s·w|² with r²·w² to spare a
        /// division per pair; a point behind the homography's horizon (w ≤ 0) never agrees.
        /// Leaves the inliers' indices, ascending, in `hits` until the next call.
        mutating func score(_ t: PlaneTransform) -> Scored {
            score(t, marked: mark(t))
        }

        /// The hot loop of a fit: marks in `agrees` the pairs that agree with `t` (1, else 0)
        /// and counts them, a branch-free pass over the planes the compiler vectorises. Most
        /// hypotheses a search draws explain a handful of pairs; marking them is all they cost.
        mutating func mark(_ t: PlaneTransform) -> Int {
            let r2 = radius * radius
            let (h11, h12, h13, h21, h22, h23, h31, h32) = (t.h11, t.h12, t.h13, t.h21, t.h22, t.h23, t.h31, t.h32)
            let n = pairs.count
            var count = 0
            planes.withUnsafeBufferPointer { c in
                agrees.withUnsafeMutableBufferPointer { agrees in
                    guard let rx = c.baseAddress, let out = agrees.baseAddress else { return }
                    let ry = rx + n, sx = ry + n, sy = sx + n
                    if t.kind == .similarity {
                        // h31 = h32 = 0, so w is exactly 1 at every finite point, s·w is s and
                        // r²·w² is r²: the same results with a third less arithmetic, for the
                        // hypotheses most searches draw.
                        for i in 0 ..< n {
                            let x = rx[i], y = ry[i]
                            let ex = h11 * x + h12 * y + h13 - sx[i]
                            let ey = h21 * x + h22 * y + h23 - sy[i]
                            let agreement: UInt8 = ex * ex + ey * ey <= r2 ? 1 : 0
                            out[i] = agreement
                            count &+= Int(agreement)
                        }
                        return
                    }
                    for i in 0 ..< n {
                        let x = rx[i], y = ry[i]
                        let w = h31 * x + h32 * y + 1
                        let ex = h11 * x + h12 * y + h13 - sx[i] * w
                        let ey = h21 * x + h22 * y + h23 - sy[i] * w
                        let inFront: UInt8 = w > 0 ? 1 : 0, within: UInt8 = ex * ex + ey * ey <= r2 * w * w ? 1 : 0
                        let agreement = inFront & within
                        out[i] = agreement
                        count &+= Int(agreement)
                    }
                }
            }
            return count
        }

        /// `score(t)` once `mark(t)` has marked its `count` inliers: gathers them into `hits`,
        /// eight marks at a time (a word of marks that is all zero, the common case, costs one
        /// test), then sums their errors and counts their places.
        private mutating func score(_ t: PlaneTransform, marked count: Int) -> Scored {
            nextTag()
            let tag = tag
            var distinct = 0, squaredError = 0.0
            let (h11, h12, h13, h21, h22, h23, h31, h32) = (t.h11, t.h12, t.h13, t.h21, t.h22, t.h23, t.h31, t.h32)
            let n = pairs.count
            planes.withUnsafeBufferPointer { c in
                hits.withUnsafeMutableBufferPointer { hits in
                    agrees.withUnsafeBytes { agrees in
                        guard let rx = c.baseAddress, let out = hits.baseAddress, let marks = agrees.baseAddress else { return }
                        let ry = rx + n, sx = ry + n, sy = sx + n
                        // `agrees` is padded with zeros to whole words.
                        var found = 0
                        for start in stride(from: 0, to: n, by: 8) {
                            var word = UInt64(littleEndian: marks.loadUnaligned(fromByteOffset: start, as: UInt64.self))
                            while word != 0 {
                                out[found] = Int32(truncatingIfNeeded: start &+ word.trailingZeroBitCount &>> 3)
                                found &+= 1
                                word &= word &- 1
                            }
                        }
                        place.withUnsafeBufferPointer { place in
                            stamp.withUnsafeMutableBufferPointer { stamp in
                                for k in 0 ..< found {
                                    let i = Int(out[k])
                                    let x = rx[i], y = ry[i]
                                    let w = h31 * x + h32 * y + 1
                                    let ex = h11 * x + h12 * y + h13 - sx[i] * w
                                    let ey = h21 * x + h22 * y + h23 - sy[i] * w
                                    squaredError += (ex * ex + ey * ey) / (w * w)
                                    let p = Int(place[i])
                                    if stamp[p] != tag { stamp[p] = tag; distinct += 1 }
                                }
                            }
                        }
                    }
                }
            }
            return Scored(transform: t, distinct: distinct, count: count, squaredError: squaredError)
        }

        /// `score(t)` when it is better than `best` (`Scored.isBetter`) and touches enough places
        /// to be admissible (`isAdmissible`), else nil. A hypothesis agreeing with fewer pairs
        /// than that cannot be either, and is only marked.
        mutating func score(_ t: PlaneTransform, ifBetterThan best: Scored?) -> Scored? {
            let least = max(best?.distinct ?? 0, 2 * Self.droppedPlaces(t.kind) + 1)
            let count = mark(t)
            if count < least { return nil }
            let s = score(t, marked: count)
            return s.isBetter(than: best) ? s : nil
        }

        /// A fresh mark for counting places; the stamps are cleared once every 2³² uses.
        private mutating func nextTag() {
            tag &+= 1
            if tag == 0 {
                for i in stamp.indices { stamp[i] = 0 }
                tag = 1
            }
        }

        /// MSAC's truncated quadratic cost (Torr & Zisserman, "MLESAC", CVIU 2000), Σ min(e², r²),
        /// with each place weighing 1 in all, as in the refinement's weights.
        func cost(of t: PlaneTransform) -> Double {
            let r2 = radius * radius
            var total = 0.0
            for i in pairs.indices {
                let r = pairs[i].reference, s = pairs[i].suspect
                let w = t.h31 * r.x + t.h32 * r.y + 1
                let ex = t.h11 * r.x + t.h12 * r.y + t.h13 - s.x * w
                let ey = t.h21 * r.x + t.h22 * r.y + t.h23 - s.y * w
                let e2 = w > 0 ? (ex * ex + ey * ey) / (w * w) : r2
                total += min(e2, r2) / Double(placeSize[Int(place[i])])
            }
            return total
        }

        /// Indices of the pairs within `factor` radii of `t`, ascending; the same arithmetic as
        /// `score`, so that both agree on every pair.
        func inliers(of t: PlaneTransform, within factor: Double = 1) -> [Int] {
            let limit = factor * factor * radius * radius
            return pairs.indices.filter { i in
                let r = pairs[i].reference, s = pairs[i].suspect
                let w = t.h31 * r.x + t.h32 * r.y + 1
                let ex = t.h11 * r.x + t.h12 * r.y + t.h13 - s.x * w
                let ey = t.h21 * r.x + t.h22 * r.y + t.h23 - s.y * w
                return w > 0 && ex * ex + ey * ey <= limit * w * w
            }
        }

        /// 2-point similarity RANSAC; the sample count adapts to the best hypothesis so far, its
        /// support taken as at least the least that can pass (`iterationsToFindAcceptable`). A
        /// sample is skipped (still counted) when its two points
        /// share a place or lie closer than two radii in the suspect (their scale and turn would
        /// be noise), or when it implies a scale outside `scaleRange`.
        mutating func ransacSimilarity() -> Scored? {
            let n = pairs.count
            var best: Scored?
            var needed = fit.iterationsToFindAcceptable(among: n, sampleSize: 2), drawn = 0
            while drawn < needed {
                drawn += 1
                let i = random.index(below: n), j = random.index(below: n)
                guard place[i] != place[j] else { continue }
                let d = pairs[i].suspect - pairs[j].suspect
                guard (d * d).sum() >= 4 * radius * radius,
                      let t = PlaneTransform.similarity(through: pairs[i], pairs[j]),
                      fit.scaleRange.contains(t.scale()) else { continue }
                guard let s = score(t, ifBetterThan: best), isAdmissible(t, inliers: hits.prefix(s.count)) else { continue }
                best = s
                needed = fit.iterationsNeeded(inlierRatio: Double(max(s.count, fit.minimumInliers)) / Double(n), sampleSize: 2)
            }
            return best
        }

        /// The pairs a homography search samples from: all of them when no similarity passed;
        /// those within `nearFactor` radii of the similarity when they touch `homographyGain`
        /// times its places (a perspective the similarity only fits in the middle); else nil,
        /// nothing to gain.
        mutating func homographyCandidates(after similarity: Scored?) -> [Int]? {
            guard let similarity else { return Array(pairs.indices) }
            let near = inliers(of: similarity.transform, within: Self.nearFactor)
            nextTag()
            var distinct = 0
            for i in near where stamp[Int(place[i])] != tag { stamp[Int(place[i])] = tag; distinct += 1 }
            return Double(distinct) >= fit.homographyGain * Double(similarity.distinct) ? near : nil
        }

        /// 4-point homography RANSAC over `candidates`, scored over all pairs. A sample is
        /// skipped (still counted) unless its four suspect points are four places, no three
        /// of them nearly collinear (triangle area below r²), and each triangle turns the same
        /// way in both frames: Chum's oriented constraint, which rules out mirrored and folded
        /// samples before solving.
        mutating func ransacHomography(candidates: [Int]) -> Scored? {
            let m = candidates.count
            guard m >= 4 else { return nil }
            var best: Scored?
            var needed = fit.iterationsToFindAcceptable(among: m, sampleSize: 4), drawn = 0
            func isOriented(_ a: Int, _ b: Int, _ c: Int) -> Bool {
                let s = cross(pairs[b].suspect - pairs[a].suspect, pairs[c].suspect - pairs[a].suspect)
                let r = cross(pairs[b].reference - pairs[a].reference, pairs[c].reference - pairs[a].reference)
                return abs(s) >= radius * radius && s * r > 0
            }
            while drawn < needed {
                drawn += 1
                let k0 = candidates[random.index(below: m)], k1 = candidates[random.index(below: m)]
                let k2 = candidates[random.index(below: m)], k3 = candidates[random.index(below: m)]
                let p = (place[k0], place[k1], place[k2], place[k3])
                guard p.0 != p.1, p.0 != p.2, p.0 != p.3, p.1 != p.2, p.1 != p.3, p.2 != p.3 else { continue }
                guard isOriented(k0, k1, k2), isOriented(k0, k1, k3), isOriented(k0, k2, k3), isOriented(k1, k2, k3),
                      let t = PlaneTransform.homography(through: pairs, k0, k1, k2, k3),
                      t.determinant > 0 else { continue }
                guard let s = score(t, ifBetterThan: best), isAdmissible(t, inliers: hits.prefix(s.count)) else { continue }
                best = s
                needed = fit.iterationsNeeded(inlierRatio: Double(max(s.count, fit.minimumInliers)) / Double(m), sampleSize: 4)
            }
            return best
        }

        /// Re-estimates on the inliers, keeping a round only if it lowers the truncated cost
        /// (`cost(of:)`) and stays admissible; stops when the inliers and the placement settle
        /// (at most 8 rounds). The cost, not the inlier count, judges a round: a better estimate
        /// may lose a false pair that a rough sample had let in at the edge of the radius. Each
        /// place weighs 1 in all, so a corner seen 30 times does not pull the fit towards
        /// itself. Within that, Tukey's biweight on the residual (cut-off 4.685 σ,
        /// σ from the median residual) lets a false pair that happens to lie inside the radius
        /// count as evidence without pulling the estimate: measured, one such pair moved a
        /// keystone's corner by 1.6 px.
        mutating func refine(_ start: Scored,
                             estimate: ([PointPair], [Int], [Double]) -> PlaneTransform?) -> Scored {
            var current = start
            var previous: [Int] = []
            var members = [Int](repeating: 0, count: placeCount)
            for _ in 0 ..< 8 {
                let t0 = current.transform
                let inliers = inliers(of: t0)
                let residuals = inliers.map { distance(t0.apply(to: pairs[$0].reference), pairs[$0].suspect) }
                // The length of a 2-D Gaussian error with σ per axis has median σ·√(2 ln 2).
                let sigma = residuals.sorted()[residuals.count / 2] / (2 * log(2.0)).squareRoot()
                let cutoff = max(4.685 * sigma, 0.05 * radius)
                for i in inliers { members[Int(place[i])] += 1 }
                let weights = zip(inliers, residuals).map { i, e in
                    let u = e / cutoff
                    return u < 1 ? (1 - u * u) * (1 - u * u) / Double(members[Int(place[i])]) : 0
                }
                for i in inliers { members[Int(place[i])] = 0 }
                guard let t = estimate(pairs, inliers, weights) else { break }
                guard cost(of: t) <= cost(of: t0), isAdmissible(t) else { break }
                let s = score(t)
                let moved = inliers.map { distance(t.apply(to: pairs[$0].reference), t0.apply(to: pairs[$0].reference)) }.max() ?? 0
                current = s
                if inliers == previous, moved < 1e-3 * radius { break }
                previous = inliers
            }
            return current
        }

        /// The rules every accepted transform meets. Its inlier places span at least
        /// `minimumSpan` radii in x and in y once the outermost places at each end are dropped
        /// (each place counted at its first inlier): one for a similarity, three for a
        /// homography, so that a clump of true corners, a logo say, plus the few false pairs far
        /// off that the transform can bend to agree with is not a placement. A
        /// similarity's scale is in `scaleRange`. A homography maps the bounding box of its
        /// inliers' reference points (where the data supports it) to a quad that lies in front
        /// (w > 0 at each corner), is convex and turns the box's way (so neither folded nor
        /// mirrored), has an area ratio within the square of `scaleRange`, and stretches its
        /// sides unevenly by at most `maximumDistortion`.
        mutating func isAdmissible(_ t: PlaneTransform) -> Bool {
            isAdmissible(t, inliers: inliers(of: t).map(Int32.init))
        }

        /// `isAdmissible(t)` given `t`'s inliers, ascending (as `score(t)` leaves them in `hits`).
        /// Runs for most hypotheses a search scores, so it allocates nothing: the span needs only
        /// the places' `dropped + 1` smallest and largest coordinates, the values a sort would
        /// put at `dropped` from either end.
        mutating func isAdmissible(_ t: PlaneTransform, inliers: some Collection<Int32>) -> Bool {
            guard let first = inliers.first.map(Int.init) else { return false }
            var referenceLow = pairs[first].reference, referenceHigh = referenceLow
            var xs = Extremes(), ys = Extremes()
            nextTag()
            for i in inliers.lazy.map(Int.init) {
                referenceLow = pointwiseMin(referenceLow, pairs[i].reference)
                referenceHigh = pointwiseMax(referenceHigh, pairs[i].reference)
                let p = Int(place[i])
                if stamp[p] != tag { stamp[p] = tag; xs.insert(pairs[i].suspect.x); ys.insert(pairs[i].suspect.y) }
            }
            let dropped = Self.droppedPlaces(t.kind)
            guard xs.count > 2 * dropped else { return false }
            let span = SIMD2(xs.high[dropped] - xs.low[dropped], ys.high[dropped] - ys.low[dropped])
            guard span.x >= fit.minimumSpan * radius, span.y >= fit.minimumSpan * radius else { return false }
            switch t.kind {
            case .similarity:
                return fit.scaleRange.contains(t.scale())
            case .homography:
                return isPlausible(t, box: (referenceLow, referenceHigh))
            }
        }

        /// Places a transform of this kind can bend to reach beyond a clump, dropped at each end
        /// of the span: one less than its sample (a similarity swings its scale and turn to one
        /// far point; a homography's shear and perspective reach three).
        static func droppedPlaces(_ kind: PlaneTransform.Kind) -> Int { kind == .similarity ? 1 : 3 }

        private func isPlausible(_ t: PlaneTransform, box: (low: SIMD2<Double>, high: SIMD2<Double>)) -> Bool {
            let size = box.high - box.low
            guard size.x > 0, size.y > 0, t.determinant > 0 else { return false }
            let corners = [box.low, SIMD2(box.high.x, box.low.y), box.high, SIMD2(box.low.x, box.high.y)]
            guard corners.allSatisfy({ t.h31 * $0.x + t.h32 * $0.y + 1 > 0 }) else { return false }
            let q = corners.map(t.apply(to:))
            var area = 0.0
            for i in 0 ..< 4 {
                // y points down, so the box's corners in this order turn with positive cross products.
                guard cross(q[(i + 1) % 4] - q[i], q[(i + 2) % 4] - q[(i + 1) % 4]) > 0 else { return false }
                area += cross(q[i], q[(i + 1) % 4]) / 2
            }
            let ratio = area / (size.x * size.y)
            let limits = fit.scaleRange
            guard ratio >= limits.lowerBound * limits.lowerBound, ratio <= limits.upperBound * limits.upperBound else { return false }
            let stretch = (0 ..< 4).map { i in
                let side = q[(i + 1) % 4] - q[i]
                return (side * side).sum().squareRoot() / (i % 2 == 0 ? size.x : size.y)
            }
            return stretch.max()! <= fit.maximumDistortion * stretch.min()!
        }

        func result(_ s: Scored) -> Fit {
            let inliers = inliers(of: s.transform)
            let error = inliers.reduce(0.0) { sum, i in
                let d = s.transform.apply(to: pairs[i].reference) - pairs[i].suspect
                return sum + (d * d).sum().squareRoot()
            }
            return Fit(transform: s.transform, inliers: inliers, distinctInliers: s.distinct,
                       meanError: error / Double(max(inliers.count, 1)))
        }
    }
}

extension GeometricFit {
    /// The four smallest and four largest of the values inserted, with repeats: `low[k]` and
    /// `high[k]` are what `sorted()` holds at `k` from the start and from the end, for k below 4
    /// and below `count` (`droppedPlaces` is at most 3).
    struct Extremes {
        var low = SIMD4<Double>(repeating: .infinity)
        var high = SIMD4<Double>(repeating: -.infinity)
        var count = 0

        @inline(__always)
        mutating func insert(_ v: Double) {
            count += 1
            if v < low[3] {
                var i = 3
                while i > 0, low[i - 1] > v { low[i] = low[i - 1]; i -= 1 }
                low[i] = v
            }
            if v > high[3] {
                var i = 3
                while i > 0, high[i - 1] < v { high[i] = high[i - 1]; i -= 1 }
                high[i] = v
            }
        }
    }
}

private func cross(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double { a.x * b.y - a.y * b.x }

private func distance(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double { ((a - b) * (a - b)).sum().squareRoot() }

/// SplitMix64 (Steele, Lea & Flood 2014): a fixed seed makes every fit reproducible.
private struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0 ..< n by the high half of a 64×64-bit product (Lemire), bias < n / 2⁶⁴.
    mutating func index(below n: Int) -> Int {
        Int(UInt64(n).multipliedFullWidth(by: next()).high)
    }
}
