import Fingerprint
import Foundation
@testable import Matching
import Testing

@Suite struct SceneSightingTests {
    func sighting(_ transform: PlaneTransform, mirrored: Bool = false, at time: Float = 0, inliers: Int = 20) -> SceneSighting {
        SceneSighting(queryTime: time, referenceTime: 0, transform: transform, referenceSize: SIMD2(480, 270),
                      suspectSize: SIMD2(640, 360), mirrored: mirrored, inliers: inliers)
    }

    func rounded(_ f: MotionFraming?) -> [Double] {
        f.map { [$0.x0, $0.y0, $0.x1, $0.y1].map { ($0 * 1000).rounded() / 1000 } } ?? []
    }

    @Test func aCropShowsPartOfTheReferenceOverTheWholeClip() {
        // The part (120, 54)–(360, 189) of the reference (half its side) scaled up to fill the clip.
        let crop = PlaneTransform(scale: 640.0 / 240, rotation: 0, translation: SIMD2(-120 * 640.0 / 240, -54 * 640.0 / 240))
        let framings = sighting(crop).framings
        #expect(rounded(framings?.reference) == [0.25, 0.2, 0.75, 0.7])
        #expect(rounded(framings?.suspect) == [0, 0, 1, 1])
    }

    @Test func aSplitScreenShowsTheWholeReferenceInPartOfTheClip() {
        // The whole reference at half the clip's width, in its right half, from the top.
        let split = PlaneTransform(scale: 320.0 / 480, rotation: 0, translation: SIMD2(320, 0))
        let framings = sighting(split).framings
        #expect(rounded(framings?.reference) == [0, 0, 1, 1])
        #expect(rounded(framings?.suspect) == [0.5, 0, 1, 0.5])
        // Described mirrored, the same place is the left half of the mirrored picture: the part
        // is given unmirrored.
        let mirrored = PlaneTransform(scale: 320.0 / 480, rotation: 0, translation: SIMD2(0, 0))
        #expect(rounded(sighting(mirrored, mirrored: true).framings?.suspect) == [0.5, 0, 1, 0.5])
    }

    @Test func aPartTooSmallToReadGivesNoFraming() {
        // The reference at a fifth of the clip's side: its cells are under a grid cell.
        let inset = PlaneTransform(scale: 128.0 / 480, rotation: 0, translation: SIMD2(500, 20))
        #expect(sighting(inset).framings == nil)
        // Placed outside the clip altogether.
        #expect(sighting(PlaneTransform(scale: 1, rotation: 0, translation: SIMD2(700, 0))).framings == nil)
    }

    @Test func runsAreSplitAtGaps() {
        let t = PlaneTransform(scale: 1, rotation: 0, translation: .zero)
        let times: [Float] = [0, 0.5, 1, 1.5, 2, 2.5, 10, 10.5, 11]
        let all = times.map { sighting(t, at: $0) }
        let runs = SceneSighting.runs(all.reversed(), minimumCount: 5)
        #expect(runs.map { $0.map(\.queryTime) } == [[0, 0.5, 1, 1.5, 2, 2.5]])
        #expect(SceneSighting.runs([], minimumCount: 0).isEmpty)
    }

    @Test func thePartsAgreedOnAreTheMediansOfEachSide() {
        // Three fits of one crop, one of them misplaced, and one that places nothing.
        func crop(_ x: Double) -> PlaneTransform {
            PlaneTransform(scale: 640.0 / 240, rotation: 0, translation: SIMD2(-x * 640.0 / 240, -54 * 640.0 / 240))
        }
        let sightings = [sighting(crop(120)), sighting(crop(124)), sighting(crop(200)),
                         sighting(PlaneTransform(scale: 1, rotation: 0, translation: SIMD2(700, 0)))]
        let agreed = SceneSighting.agreedFramings(sightings)
        #expect(rounded(agreed?.reference) == [0.258, 0.2, 0.758, 0.7])
        #expect(rounded(agreed?.suspect) == [0, 0, 1, 1])
        #expect(SceneSighting.agreedFramings([]) == nil)
    }
}
