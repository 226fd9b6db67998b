import Foundation
@testable import Matching
import Testing

@Suite struct PlaneTransformTests {
    func distance(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double { ((a - b) * (a - b)).sum().squareRoot() }

    /// A keystone: the reference frame 1280×720 as an inset of scale 0.6 in a 1280×720 suspect,
    /// top corners pulled in and bottom corners pushed out by 8 % of the side (61.44 px).
    static let keystoneCorners: [SIMD2<Double>] = [SIMD2(317.44, 144), SIMD2(962.56, 144), SIMD2(1085.44, 576), SIMD2(194.56, 576)]
    static let frameCorners: [SIMD2<Double>] = [SIMD2(0, 0), SIMD2(1280, 0), SIMD2(1280, 720), SIMD2(0, 720)]
    static var keystone: PlaneTransform {
        let pairs = zip(keystoneCorners, frameCorners).map { PointPair(suspect: $0, reference: $1) }
        return PlaneTransform.homography(through: pairs, 0, 1, 2, 3)!
    }

    @Test func similarityThroughTwoPointsIsExact() throws {
        let truth = PlaneTransform(scale: 0.75, rotation: 0.3, translation: SIMD2(12, -5))
        let r1 = SIMD2<Double>(100, 40), r2 = SIMD2<Double>(-30, 250)
        let fitted = try #require(PlaneTransform.similarity(through: PointPair(suspect: truth.apply(to: r1), reference: r1),
                                                            PointPair(suspect: truth.apply(to: r2), reference: r2)))
        #expect(fitted.kind == .similarity)
        #expect(abs(fitted.scale() - 0.75) < 1e-12 && abs(fitted.rotation() - 0.3) < 1e-12)
        #expect(abs(fitted.h13 - 12) < 1e-12 && abs(fitted.h23 + 5) < 1e-12)
        #expect(distance(fitted.apply(to: SIMD2(500, 500)), truth.apply(to: SIMD2(500, 500))) < 1e-10)
        // One point twice pins nothing.
        #expect(PlaneTransform.similarity(through: PointPair(suspect: .zero, reference: r1),
                                          PointPair(suspect: SIMD2(1, 1), reference: r1)) == nil)
    }

    @Test func leastSquaresSimilarityOfExactPointsIsExact() throws {
        let truth = PlaneTransform(scale: 1.7, rotation: -0.2, translation: SIMD2(-400, 90))
        let points = (0 ..< 20).map { SIMD2(Double(37 * $0 % 500), Double(53 * $0 % 300)) }
        let pairs = points.map { PointPair(suspect: truth.apply(to: $0), reference: $0) }
        let fitted = try #require(PlaneTransform.leastSquaresSimilarity(pairs, indices: Array(pairs.indices),
                                                                         weights: pairs.indices.map { 1 + Double($0 % 3) }))
        #expect(abs(fitted.scale() - 1.7) < 1e-12 && abs(fitted.rotation() + 0.2) < 1e-12)
        #expect(abs(fitted.h13 + 400) < 1e-9 && abs(fitted.h23 - 90) < 1e-9)
    }

    @Test func homographyThroughFourPointsIsExact() throws {
        let truth = Self.keystone
        #expect(truth.kind == .homography && !truth.isReflection)
        for (corner, expected) in zip(truth.corners(ofWidth: 1280, height: 720), Self.keystoneCorners) {
            #expect(distance(corner, expected) < 1e-9)
        }
        // A perspective, not an affine map: the bottom widens while the top narrows.
        #expect(truth.h32 != 0)
        // Three collinear reference points: no homography.
        let collinear = [SIMD2<Double>(0, 0), SIMD2(100, 0), SIMD2(200, 0), SIMD2(0, 100)]
            .map { PointPair(suspect: $0 + 5, reference: $0) }
        #expect(PlaneTransform.homography(through: collinear, 0, 1, 2, 3) == nil)
    }

    @Test func dltOverExactPointsIsExact() throws {
        let truth = Self.keystone
        let points = (0 ..< 30).map { SIMD2(Double(97 * $0 % 1280), Double(61 * $0 % 720)) }
        let pairs = points.map { PointPair(suspect: truth.apply(to: $0), reference: $0) }
        let fitted = try #require(PlaneTransform.dltHomography(pairs, indices: Array(pairs.indices),
                                                                weights: [Double](repeating: 1, count: pairs.count)))
        for (a, b) in zip(fitted.corners(ofWidth: 1280, height: 720), truth.corners(ofWidth: 1280, height: 720)) {
            #expect(distance(a, b) < 1e-6)
        }
    }

    @Test func inversesUndo() throws {
        let similarity = PlaneTransform(scale: 0.4, rotation: 0.21, translation: SIMD2(700, 380))
        for t in [similarity, Self.keystone] {
            let inverse = try #require(t.inverse)
            #expect(inverse.kind == t.kind)
            for p in [SIMD2<Double>(0, 0), SIMD2(1280, 0), SIMD2(640, 360), SIMD2(13, 700)] {
                #expect(distance(inverse.apply(to: t.apply(to: p)), p) < 1e-9)
            }
        }
        #expect(PlaneTransform(scale: 0, rotation: 0, translation: .zero).inverse == nil)
    }

    @Test func scaleRotationAndReflectionOfAHomography() throws {
        // A similarity written as a homography reads the same everywhere.
        let similarity = PlaneTransform(scale: 0.8, rotation: 12 * .pi / 180, translation: SIMD2(30, 40))
        let asHomography = try #require(PlaneTransform(homography: similarity.matrix.map { 2 * $0 }))
        #expect(asHomography.kind == .homography)
        for p in [SIMD2<Double>(0, 0), SIMD2(640, 360)] {
            #expect(abs(asHomography.scale(at: p) - 0.8) < 1e-12)
            #expect(abs(asHomography.rotation(at: p) - 12 * .pi / 180) < 1e-12)
        }
        // The keystone: no turn at the centre, area ratio there between the top's and the bottom's.
        let centre = SIMD2<Double>(640, 360)
        #expect(abs(Self.keystone.rotation(at: centre)) < 1e-12)
        let s = Self.keystone.scale(at: centre)
        #expect(s > 0.55 && s < 0.65, "\(s)")
        #expect(Self.keystone.scale(at: SIMD2(640, 0)) < Self.keystone.scale(at: SIMD2(640, 720)))
        // Mirrored left to right: a negative determinant.
        let mirror = try #require(PlaneTransform(homography: [-1, 0, 1280, 0, 1, 0, 0, 0, 1]))
        #expect(mirror.isReflection && !Self.keystone.isReflection && !similarity.isReflection)
    }
}
