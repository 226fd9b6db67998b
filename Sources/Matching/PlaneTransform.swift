// Where a reference frame's picture lies in a suspect frame: a map from reference pixel
// coordinates (x right, y down) to suspect pixel coordinates, either a similarity
// (suspect = s·R(θ)·reference + t: a picture scaled, turned and moved, as picture-in-picture,
// crops and zooms are) or a plane homography (Hartley & Zisserman, "Multiple View Geometry",
// ch. 2 and 4: the same plus perspective, as a screen filmed at an angle is). Both are kept as
// one 3×3 matrix normalised to h33 = 1, so that `GeometricFit` scores either kind with one loop.
// The estimators from point pairs are in `PlaneTransform+Estimation.swift`.
import Foundation

package struct PlaneTransform: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case similarity
        case homography
    }

    package let kind: Kind
    // Row-major entries of H with h33 = 1: suspect ∝ H · (x, y, 1).
    package let h11: Double, h12: Double, h13: Double
    package let h21: Double, h22: Double, h23: Double
    package let h31: Double, h32: Double

    /// suspect = scale · R(rotation) · reference + translation; rotation in radians, turning
    /// +x towards +y (clockwise on screen, since y points down).
    package init(scale: Double, rotation: Double, translation: SIMD2<Double>) {
        self.init(a: scale * cos(rotation), b: scale * sin(rotation), translation: translation)
    }

    /// The similarity with linear part [[a, −b], [b, a]]: a = s·cos θ, b = s·sin θ.
    package init(a: Double, b: Double, translation: SIMD2<Double>) {
        kind = .similarity
        h11 = a; h12 = -b; h13 = translation.x
        h21 = b; h22 = a; h23 = translation.y
        h31 = 0; h32 = 0
    }

    /// A homography from its nine row-major entries, scaled so that h33 = 1; nil when h33 is
    /// (nearly) zero, i.e. when the reference origin is sent to infinity.
    package init?(homography m: [Double]) {
        precondition(m.count == 9, "a homography has 9 entries, got \(m.count)")
        let largest = m.lazy.map(abs).max() ?? 0
        guard largest > 0, abs(m[8]) > 1e-12 * largest else { return nil }
        let k = 1 / m[8]
        kind = .homography
        h11 = m[0] * k; h12 = m[1] * k; h13 = m[2] * k
        h21 = m[3] * k; h22 = m[4] * k; h23 = m[5] * k
        h31 = m[6] * k; h32 = m[7] * k
    }

    /// The nine row-major entries (h33 = 1).
    package var matrix: [Double] { [h11, h12, h13, h21, h22, h23, h31, h32, 1] }

    /// Where a reference point lands in the suspect. For a homography, a point on the line
    /// sent to infinity gives non-finite coordinates.
    @inline(__always)
    package func apply(to p: SIMD2<Double>) -> SIMD2<Double> {
        let w = h31 * p.x + h32 * p.y + 1
        return SIMD2((h11 * p.x + h12 * p.y + h13) / w, (h21 * p.x + h22 * p.y + h23) / w)
    }

    /// The reference frame's corners in the suspect, clockwise on screen from the top left:
    /// (0, 0), (width, 0), (width, height), (0, height).
    package func corners(ofWidth width: Double, height: Double) -> [SIMD2<Double>] {
        [SIMD2(0, 0), SIMD2(width, 0), SIMD2(width, height), SIMD2(0, height)].map(apply(to:))
    }

    /// The derivative of the map at a reference point, [[∂x′/∂x, ∂x′/∂y], [∂y′/∂x, ∂y′/∂y]]
    /// as (j11, j12, j21, j22): a homography's scale and turn vary over the picture, so they are
    /// read from this local linearisation.
    package func jacobian(at p: SIMD2<Double>) -> (j11: Double, j12: Double, j21: Double, j22: Double) {
        let w = h31 * p.x + h32 * p.y + 1
        let u = (h11 * p.x + h12 * p.y + h13) / w, v = (h21 * p.x + h22 * p.y + h23) / w
        return ((h11 - u * h31) / w, (h12 - u * h32) / w, (h21 - v * h31) / w, (h22 - v * h32) / w)
    }

    /// Linear scale at a reference point: the square root of the local area ratio. The same
    /// everywhere for a similarity; pass the reference frame's centre for a homography.
    package func scale(at p: SIMD2<Double> = .zero) -> Double {
        let j = jacobian(at: p)
        return abs(j.j11 * j.j22 - j.j12 * j.j21).squareRoot()
    }

    /// Rotation in radians at a reference point: the turn of the similarity nearest (in least
    /// squares) to the local linearisation, so that a shear or perspective does not read as a
    /// turn. The same everywhere for a similarity.
    package func rotation(at p: SIMD2<Double> = .zero) -> Double {
        let j = jacobian(at: p)
        return atan2(j.j21 - j.j12, j.j11 + j.j22)
    }

    /// Whether the map mirrors the picture: a negative determinant. det H is the sign of the
    /// local linear part wherever the picture lies in front (h31·x + h32·y + 1 > 0, which holds
    /// at the reference origin); a similarity never mirrors (its determinant is s²).
    package var isReflection: Bool { determinant < 0 }

    /// det H (h33 = 1).
    package var determinant: Double {
        h11 * (h22 - h23 * h32) - h12 * (h21 - h23 * h31) + h13 * (h21 * h32 - h22 * h31)
    }

    /// The map from suspect back to reference; nil when it does not exist (zero scale, or a
    /// homography whose inverse sends the suspect origin to infinity).
    package var inverse: PlaneTransform? {
        switch kind {
        case .similarity:
            // z⁻¹ = conj(z)/|z|², t′ = −z⁻¹·t with z = a + ib.
            let a = h11, b = h21, n = a * a + b * b
            guard n > 0 else { return nil }
            let ia = a / n, ib = -b / n
            return PlaneTransform(a: ia, b: ib, translation: SIMD2(-(ia * h13 - ib * h23), -(ib * h13 + ia * h23)))
        case .homography:
            // The adjugate is the inverse up to scale; `init(homography:)` rescales it.
            let adjugate = [
                h22 - h23 * h32, h13 * h32 - h12, h12 * h23 - h13 * h22,
                h23 * h31 - h21, h11 - h13 * h31, h13 * h21 - h11 * h23,
                h21 * h32 - h22 * h31, h12 * h31 - h11 * h32, h11 * h22 - h12 * h21,
            ]
            guard determinant != 0 else { return nil }
            return PlaneTransform(homography: adjugate)
        }
    }
}
