// Closed-form estimators of a `PlaneTransform` from point pairs (reference → suspect), the steps
// `GeometricFit` samples and refines with:
// - the similarity through two pairs, exactly (complex division);
// - the weighted least-squares similarity without reflection (Umeyama, "Least-squares
//   estimation of transformation parameters between two point patterns", PAMI 1991; in the
//   plane, with z = s·e^{iθ}, it is z = Σ w·conj(r̃)·s̃ / Σ w·|r̃|² over centred points);
// - the homography through four pairs and the DLT homography over many (Hartley & Zisserman,
//   "Multiple View Geometry", 2nd ed., algorithm 4.2), both on Hartley-normalised coordinates
//   (centroid at the origin, mean distance √2) so that pixel magnitudes do not ruin the
//   conditioning of the linear system.
import Foundation

extension PlaneTransform {
    /// The similarity mapping `p.reference` to `p.suspect` and `q.reference` to `q.suspect`
    /// exactly: z = (s₂ − s₁)/(r₂ − r₁), t = s₁ − z·r₁. nil when the reference points coincide.
    package static func similarity(through p: PointPair, _ q: PointPair) -> PlaneTransform? {
        let dr = q.reference - p.reference, ds = q.suspect - p.suspect
        let n = (dr * dr).sum()
        guard n > 0 else { return nil }
        let a = (ds.x * dr.x + ds.y * dr.y) / n, b = (ds.y * dr.x - ds.x * dr.y) / n
        let t = SIMD2(p.suspect.x - (a * p.reference.x - b * p.reference.y),
                      p.suspect.y - (b * p.reference.x + a * p.reference.y))
        return PlaneTransform(a: a, b: b, translation: t)
    }

    /// The similarity minimising Σ wᵢ·|suspectᵢ − (z·referenceᵢ + t)|² over `indices` of
    /// `pairs` (weights in the same order). Being z·r + t with z complex, it cannot mirror,
    /// unlike an unconstrained affine fit. nil when the reference points all coincide.
    package static func leastSquaresSimilarity(_ pairs: [PointPair], indices: [Int], weights: [Double]) -> PlaneTransform? {
        precondition(indices.count == weights.count, "one weight per index")
        var total = 0.0, meanR = SIMD2<Double>.zero, meanS = SIMD2<Double>.zero
        for (i, w) in zip(indices, weights) {
            total += w; meanR += w * pairs[i].reference; meanS += w * pairs[i].suspect
        }
        guard total > 0 else { return nil }
        meanR /= total; meanS /= total
        var sa = 0.0, sb = 0.0, n = 0.0
        for (i, w) in zip(indices, weights) {
            let r = pairs[i].reference - meanR, s = pairs[i].suspect - meanS
            sa += w * (r.x * s.x + r.y * s.y); sb += w * (r.x * s.y - r.y * s.x); n += w * (r * r).sum()
        }
        guard n > 0 else { return nil }
        let a = sa / n, b = sb / n
        return PlaneTransform(a: a, b: b, translation: SIMD2(meanS.x - (a * meanR.x - b * meanR.y),
                                                             meanS.y - (b * meanR.x + a * meanR.y)))
    }

    /// The homography through four pairs exactly; nil when three of the points are collinear
    /// (the 8×8 system is singular) or the result sends the reference origin to infinity.
    package static func homography(through pairs: [PointPair], _ i: Int, _ j: Int, _ k: Int, _ l: Int) -> PlaneTransform? {
        // A RANSAC stage solves this for most of the samples it draws, so it allocates nothing
        // before the solution: the points and the 8×9 system live on the stack.
        let sample = (i, j, k, l)
        let nr = Normalisation(pairs[i].reference, pairs[j].reference, pairs[k].reference, pairs[l].reference)
        let ns = Normalisation(pairs[i].suspect, pairs[j].suspect, pairs[k].suspect, pairs[l].suspect)
        let solved: [Double]? = withUnsafeTemporaryAllocation(of: Double.self, capacity: 72) { m in
            m.initialize(repeating: 0)
            // h33 = 1 in normalised coordinates: the centroid of the reference points maps to a
            // finite point, true of any homography we would accept. Rows: A·h = b, b in column 8.
            for row in 0 ..< 4 {
                let index = row == 0 ? sample.0 : row == 1 ? sample.1 : row == 2 ? sample.2 : sample.3
                let r = nr.apply(pairs[index].reference), s = ns.apply(pairs[index].suspect)
                let top = 18 * row, bottom = top + 9
                m[top] = r.x; m[top + 1] = r.y; m[top + 2] = 1
                m[top + 6] = -s.x * r.x; m[top + 7] = -s.x * r.y; m[top + 8] = s.x
                m[bottom + 3] = r.x; m[bottom + 4] = r.y; m[bottom + 5] = 1
                m[bottom + 6] = -s.y * r.x; m[bottom + 7] = -s.y * r.y; m[bottom + 8] = s.y
            }
            // Gaussian elimination with partial pivoting.
            for column in 0 ..< 8 {
                var pivot = column
                for row in column + 1 ..< 8 where abs(m[9 * row + column]) > abs(m[9 * pivot + column]) { pivot = row }
                guard abs(m[9 * pivot + column]) > 1e-9 else { return nil }
                if pivot != column {
                    for c in column ..< 9 { m.swapAt(9 * pivot + c, 9 * column + c) }
                }
                let inverse = 1 / m[9 * column + column]
                for row in column + 1 ..< 8 {
                    let f = m[9 * row + column] * inverse
                    if f == 0 { continue }
                    for c in column ..< 9 { m[9 * row + c] -= f * m[9 * column + c] }
                }
            }
            var h = [Double](repeating: 0, count: 9)
            h[8] = 1
            for row in (0 ..< 8).reversed() {
                var v = m[9 * row + 8]
                for c in row + 1 ..< 8 { v -= m[9 * row + c] * h[c] }
                h[row] = v / m[9 * row + row]
            }
            return h
        }
        guard let h = solved else { return nil }
        return denormalised(h, reference: nr, suspect: ns)
    }

    /// The DLT homography over `indices` of `pairs`: the h (|h| = 1) minimising the weighted
    /// algebraic error Σ wᵢ·|Aᵢ·h|², the eigenvector of AᵀWA with the smallest eigenvalue. nil
    /// for fewer than four pairs or a degenerate result.
    package static func dltHomography(_ pairs: [PointPair], indices: [Int], weights: [Double]) -> PlaneTransform? {
        precondition(indices.count == weights.count, "one weight per index")
        guard indices.count >= 4 else { return nil }
        let nr = Normalisation(indices.map { pairs[$0].reference }), ns = Normalisation(indices.map { pairs[$0].suspect })
        var ata = [Double](repeating: 0, count: 81)
        var a = [Double](repeating: 0, count: 9)
        for (index, w) in zip(indices, weights) {
            let r = nr.apply(pairs[index].reference), s = ns.apply(pairs[index].suspect)
            for row in 0 ..< 2 {
                let u = row == 0 ? s.x : s.y
                for c in 0 ..< 6 { a[c] = 0 }
                a[3 * row] = r.x; a[3 * row + 1] = r.y; a[3 * row + 2] = 1
                a[6] = -u * r.x; a[7] = -u * r.y; a[8] = -u
                for p in 0 ..< 9 where a[p] != 0 {
                    for q in p ..< 9 { ata[9 * p + q] += w * a[p] * a[q] }
                }
            }
        }
        for p in 0 ..< 9 { for q in 0 ..< p { ata[9 * p + q] = ata[9 * q + p] } }
        let h = smallestEigenvector(ata)
        return denormalised(h, reference: nr, suspect: ns)
    }

    /// H = Tₛ⁻¹ · Hₙ · Tᵣ, from normalised coordinates back to pixels.
    private static func denormalised(_ h: [Double], reference nr: Normalisation,
                                     suspect ns: Normalisation) -> PlaneTransform? {
        // Hₙ · Tᵣ with Tᵣ = [[k, 0, −k·cx], [0, k, −k·cy], [0, 0, 1]].
        var m = [Double](repeating: 0, count: 9)
        for row in 0 ..< 3 {
            let a = h[3 * row], b = h[3 * row + 1], c = h[3 * row + 2]
            m[3 * row] = a * nr.scale
            m[3 * row + 1] = b * nr.scale
            m[3 * row + 2] = c - nr.scale * (a * nr.center.x + b * nr.center.y)
        }
        // Tₛ⁻¹ · m with Tₛ⁻¹ = [[1/k, 0, cx], [0, 1/k, cy], [0, 0, 1]].
        let ik = 1 / ns.scale
        var out = [Double](repeating: 0, count: 9)
        for c in 0 ..< 3 {
            out[c] = ik * m[c] + ns.center.x * m[6 + c]
            out[3 + c] = ik * m[3 + c] + ns.center.y * m[6 + c]
            out[6 + c] = m[6 + c]
        }
        guard out.allSatisfy(\.isFinite) else { return nil }
        return PlaneTransform(homography: out)
    }

    /// Cyclic Jacobi rotations on a symmetric 9×9 matrix (row-major); the eigenvector of the
    /// smallest eigenvalue. Jacobi rather than an SVD of A: AᵀA is tiny and this is exact enough
    /// for a refinement step run a few times per fit.
    private static func smallestEigenvector(_ matrix: [Double]) -> [Double] {
        var a = matrix
        var v = [Double](repeating: 0, count: 81)
        for i in 0 ..< 9 { v[10 * i] = 1 }
        var scale = 0.0
        for i in 0 ..< 81 { scale += a[i] * a[i] }
        for _ in 0 ..< 60 {
            var off = 0.0
            for p in 0 ..< 9 { for q in p + 1 ..< 9 { off += a[9 * p + q] * a[9 * p + q] } }
            if off <= 1e-30 * scale { break }
            for p in 0 ..< 8 {
                for q in p + 1 ..< 9 {
                    let apq = a[9 * p + q]
                    if apq == 0 { continue }
                    let theta = (a[9 * q + q] - a[9 * p + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0 ..< 9 {  // columns: A·P
                        let akp = a[9 * k + p], akq = a[9 * k + q]
                        a[9 * k + p] = c * akp - s * akq; a[9 * k + q] = s * akp + c * akq
                    }
                    for k in 0 ..< 9 {  // rows: Pᵀ·(A·P)
                        let apk = a[9 * p + k], aqk = a[9 * q + k]
                        a[9 * p + k] = c * apk - s * aqk; a[9 * q + k] = s * apk + c * aqk
                    }
                    for k in 0 ..< 9 {
                        let vkp = v[9 * k + p], vkq = v[9 * k + q]
                        v[9 * k + p] = c * vkp - s * vkq; v[9 * k + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        var smallest = 0
        for i in 1 ..< 9 where a[10 * i] < a[10 * smallest] { smallest = i }
        var h = [Double](repeating: 0, count: 9)
        for k in 0 ..< 9 { h[k] = v[9 * k + smallest] }
        return h
    }
}

/// Hartley's normalisation of a point set: p ↦ scale·(p − center), mean distance √2.
private struct Normalisation {
    let center: SIMD2<Double>
    let scale: Double

    init(_ points: [SIMD2<Double>]) {
        var c = SIMD2<Double>.zero
        for p in points { c += p }
        c /= Double(points.count)
        var mean = 0.0
        for p in points { mean += ((p - c) * (p - c)).sum().squareRoot() }
        mean /= Double(points.count)
        center = c
        scale = mean > 0 ? 2.0.squareRoot() / mean : 1
    }

    /// The same as `init(_:)` of the four points, in the same order of operations, without the array.
    init(_ p0: SIMD2<Double>, _ p1: SIMD2<Double>, _ p2: SIMD2<Double>, _ p3: SIMD2<Double>) {
        var c = SIMD2<Double>.zero
        c += p0; c += p1; c += p2; c += p3
        c /= 4.0
        var mean = 0.0
        mean += ((p0 - c) * (p0 - c)).sum().squareRoot()
        mean += ((p1 - c) * (p1 - c)).sum().squareRoot()
        mean += ((p2 - c) * (p2 - c)).sum().squareRoot()
        mean += ((p3 - c) * (p3 - c)).sum().squareRoot()
        mean /= 4.0
        center = c
        scale = mean > 0 ? 2.0.squareRoot() / mean : 1
    }

    func apply(_ p: SIMD2<Double>) -> SIMD2<Double> { scale * (p - center) }
}
