import Fingerprint
import Foundation
@testable import Matching
import Testing
import TestSupport

@Suite struct MotionAgreementTests {
    /// Gaussian-ish noise: the sum of four uniforms, scaled to standard deviation `sd`.
    func noise(_ g: inout SeededGenerator, _ sd: Float) -> Float {
        ((0 ..< 4).map { _ in Float.random(in: -1 ... 1, using: &g) }.reduce(0, +)) * sd * 0.866
    }

    /// A picture that changes as a slow camera move does: each cell a sum of slow waves (periods
    /// 3–20 s, a few levels), sampled at 4 frames/s from `start` for `seconds`.
    struct Scene {
        var waves: [[(amplitude: Float, period: Float, phase: Float)]]
        init(seed: UInt64) {
            var g = SeededGenerator(seed: seed)
            waves = (0 ..< 64).map { _ in
                (0 ..< 3).map { _ in (Float.random(in: 1 ... 4, using: &g), Float.random(in: 3 ... 20, using: &g), Float.random(in: 0 ... 6.28, using: &g)) }
            }
        }
        func levels(at t: Float) -> SIMD64<Float> {
            var out = SIMD64<Float>(repeating: 100)
            for c in 0 ..< 64 { for w in waves[c] { out[c] += w.amplitude * sin(2 * .pi * t / w.period + w.phase) } }
            return out
        }
    }

    /// A picture whose light varies smoothly across it and in time (travelling waves of 0.5–2
    /// cycles across the frame, periods 3–20 s); `levels` gives the 8x8 grid over the part
    /// (x0, y0)–(x1, y1) of it, each cell's mean taken from 4 x 4 points in it.
    struct Field {
        var waves: [(amplitude: Float, fx: Float, fy: Float, period: Float, phase: Float)]
        init(seed: UInt64) {
            var g = SeededGenerator(seed: seed)
            waves = (0 ..< 8).map { _ in
                (Float.random(in: 4 ... 10, using: &g), Float.random(in: -2 ... 2, using: &g), Float.random(in: -2 ... 2, using: &g),
                 Float.random(in: 3 ... 20, using: &g), Float.random(in: 0 ... 6.28, using: &g))
            }
        }
        func value(_ x: Float, _ y: Float, _ t: Float) -> Float {
            waves.reduce(100) { $0 + $1.amplitude * sin(2 * .pi * ($1.fx * x + $1.fy * y + t / $1.period) + $1.phase) }
        }
        func levels(at t: Float, part: (Float, Float, Float, Float) = (0, 0, 1, 1)) -> SIMD64<Float> {
            let (x0, y0, x1, y1) = part
            return MotionAgreementTests.grid { x, y in value(x0 + (x1 - x0) * x, y0 + (y1 - y0) * y, t) }
        }
    }

    /// The 8x8 grid of a picture given point by point over (0, 0)–(1, 1): each cell's mean of
    /// 4 x 4 points in it.
    static func grid(_ value: (Float, Float) -> Float) -> SIMD64<Float> {
        var out = SIMD64<Float>()
        for r in 0 ..< 8 {
            for c in 0 ..< 8 {
                var sum: Float = 0
                for i in 0 ..< 4 {
                    for j in 0 ..< 4 { sum += value((Float(c) + (Float(j) + 0.5) / 4) / 8, (Float(r) + (Float(i) + 0.5) / 4) / 8) }
                }
                out[r * 8 + c] = sum / 16
            }
        }
        return out
    }

    func samples(_ levels: (Float) -> SIMD64<Float>, from start: Float, seconds: Float, phase: Float = 0,
                 noise sd: Float = 0, seed: UInt64 = 1, aspect: Float = 16.0 / 9) -> [MotionSample] {
        var g = SeededGenerator(seed: seed)
        return stride(from: phase, to: seconds, by: 0.25).map { t in
            var l = levels(start + t)
            for c in 0 ..< 64 { l[c] += noise(&g, sd) }
            let cells = SIMD64<UInt16>((l * 256).rounded(.toNearestOrEven).clamped(lowerBound: .zero, upperBound: .init(repeating: 65280)))
            return MotionSample(time: t, aspect: aspect, cells: cells)
        }
    }

    func agreement(_ suspect: [MotionSample], _ reference: [MotionSample], offset: Double, rate: Double = 1,
                   framings: [MotionFraming] = [.whole]) -> Double {
        MotionAgreement.uniqueness(suspect: suspect, reference: reference, rate: rate, offset: offset,
                                   queryStart: Double(suspect.first!.time), queryEnd: Double(suspect.last!.time), framings: framings)
    }

    @Test func aCopyOfAMovingPictureAgreesOnItsOffsetOnly() {
        let scene = Scene(seed: 3)
        let reference = samples(scene.levels, from: 0, seconds: 60)
        // 12 s from 20 s, with another contrast and brightness, noise, sampled 0.1 s out of step.
        let copy = samples({ scene.levels(at: $0) * 0.7 + 30 }, from: 20, seconds: 12, phase: 0.1, noise: 0.3, seed: 9)
        let onMap = agreement(copy, reference, offset: 20)
        #expect(onMap > 0.5, "\(onMap)")
        // The same passage placed 10 s off: nothing agrees there.
        #expect(agreement(copy, reference, offset: 30) == 0)
        // Mirrored, it agrees through the mirrored grid.
        let mirrored = copy.map(\.mirrored)
        #expect(agreement(mirrored, reference, offset: 20) > 0.5)
    }

    @Test func aStillSceneFilmedAgainAgreesWithNothing() {
        let still = SIMD64<Float>((0 ..< 64).map { Float(60 + 2 * $0) })
        let reference = samples({ _ in still }, from: 0, seconds: 60, noise: 0.4, seed: 2)
        let again = samples({ _ in still * 1.1 }, from: 20, seconds: 12, noise: 0.4, seed: 7)
        #expect(agreement(again, reference, offset: 20) < 0.35)
    }

    @Test func anotherSceneAgreesWithNothing() {
        let reference = samples(Scene(seed: 3).levels, from: 0, seconds: 60)
        let other = samples(Scene(seed: 4).levels, from: 20, seconds: 12, noise: 0.3)
        #expect(agreement(other, reference, offset: 20) < 0.35)
    }

    @Test func aSteadyDriftStandsOutFromNothing() {
        // Every cell brightening at its own constant rate: every offset sees the same changes.
        let rates = SIMD64<Float>((0 ..< 64).map { Float($0 % 5) - 2 })
        let reference = samples({ SIMD64<Float>(repeating: 100) + rates * $0 * 0.5 }, from: 0, seconds: 60, noise: 0.2, seed: 4)
        let copy = samples({ SIMD64<Float>(repeating: 100) + rates * $0 * 0.5 }, from: 20, seconds: 12, noise: 0.2, seed: 5)
        #expect(agreement(copy, reference, offset: 20) < 0.35)
    }

    func appearance(_ suspect: [MotionSample], _ reference: [MotionSample], offset: Double) -> Double {
        MotionAgreement.appearance(suspect: suspect, reference: reference, rate: 1, offset: offset,
                                   queryStart: Double(suspect.first!.time), queryEnd: Double(suspect.last!.time))
    }

    @Test func aFeaturelessPictureLooksLikeItsSourceOnItsOffsetOnly() {
        // A soft light field, one wave across the frame, turning steadily (0.08 rad a second):
        // at each moment it looks as it does at no other moment of the minute.
        func turning(_ t: Float) -> SIMD64<Float> {
            Self.grid { x, y in 100 + 20 * sin(2 * .pi * ((x - 0.5) * cos(0.08 * t) + (y - 0.5) * sin(0.08 * t))) }
        }
        let reference = samples(turning, from: 0, seconds: 60, noise: 0.3, seed: 11)
        // 12 s from 20 s, darker and flatter, noisy, sampled out of step.
        let copy = samples({ turning($0) * 0.8 + 10 }, from: 20, seconds: 12, phase: 0.1, noise: 0.3, seed: 12)
        let onMap = appearance(copy, reference, offset: 20)
        #expect(onMap > 0.5, "\(onMap)")
        #expect(appearance(copy, reference, offset: 32) == 0)
        #expect(appearance(copy.map(\.mirrored), reference, offset: 20) > 0.5)
        // A still picture looks alike at every offset; another field, and a uniform one, like none.
        let still = samples({ _ in turning(25) }, from: 0, seconds: 60, noise: 0.3, seed: 13)
        #expect(appearance(samples({ _ in turning(25) }, from: 20, seconds: 12, noise: 0.3, seed: 14), still, offset: 20) == 0)
        let other = samples({ t in Self.grid { x, y in 100 + 20 * sin(2 * .pi * (2 * x + 0.05 * t)) } }, from: 20, seconds: 12, seed: 15)
        #expect(appearance(other, reference, offset: 20) == 0)
        let grey = samples({ _ in SIMD64<Float>(repeating: 90) }, from: 20, seconds: 12, seed: 16)
        #expect(appearance(grey, reference, offset: 20) == 0)
    }

    @Test func tooLittleToTellIsNoAgreement() {
        let scene = Scene(seed: 3)
        let reference = samples(scene.levels, from: 0, seconds: 60)
        let copy = samples(scene.levels, from: 20, seconds: 1.5)
        #expect(agreement(copy, reference, offset: 20) == 0)
        // A reference too short to hold other offsets to compare with.
        let short = samples(scene.levels, from: 18, seconds: 16)
        let excerpt = samples(scene.levels, from: 20, seconds: 12)
        #expect(agreement(excerpt, short.map { MotionSample(time: $0.time + 18, cells: $0.cells) }, offset: 20) == 0)
        #expect(agreement(excerpt, reference, offset: 20) > 0.5)
    }

    @Test func aCropIsFoundThroughThePartOfTheReferenceItShows() {
        let field = Field(seed: 5)
        let reference = samples({ field.levels(at: $0) }, from: 0, seconds: 60)
        // 12 s from 20 s of the part (0.3, 0.1)–(0.9, 0.7) of the picture, scaled up to the whole
        // frame (its shape kept), with noise.
        let crop = samples({ field.levels(at: $0, part: (0.3, 0.1, 0.9, 0.7)) }, from: 20, seconds: 12, noise: 0.3, seed: 8)
        let parts = [MotionFraming.whole] + MotionFraming.parts(suspectAspect: 16.0 / 9, referenceAspect: 16.0 / 9)
        let whole = agreement(crop, reference, offset: 20)
        let throughParts = agreement(crop, reference, offset: 20, framings: parts)
        #expect(throughParts > 0.5, "\(throughParts)")
        #expect(throughParts > whole + 0.1, "whole \(whole), parts \(throughParts)")
        // Anywhere else, and from another picture, the parts agree with nothing.
        #expect(agreement(crop, reference, offset: 32, framings: parts) < 0.35)
        let other = samples({ Field(seed: 6).levels(at: $0, part: (0.3, 0.1, 0.9, 0.7)) }, from: 20, seconds: 12, noise: 0.3, seed: 8)
        #expect(agreement(other, reference, offset: 20, framings: parts) < 0.35)
    }

    /// The 8x8 grid of a split screen: the reference's whole picture squeezed into the part
    /// `shown` of the frame, another picture everywhere else (each cell's mean from 4 x 4 points).
    func splitLevels(_ reference: Field, _ other: Field, shown: (Float, Float, Float, Float), at t: Float) -> SIMD64<Float> {
        let (x0, y0, x1, y1) = shown
        return Self.grid { x, y in
            x >= x0 && x < x1 && y >= y0 && y < y1 ? reference.value((x - x0) / (x1 - x0), (y - y0) / (y1 - y0), t) : other.value(x, y, t)
        }
    }

    @Test func aSplitScreenIsComparedThroughThePartThatShowsTheReference() {
        let field = Field(seed: 5), beside = Field(seed: 11)
        let reference = samples({ field.levels(at: $0) }, from: 0, seconds: 60)
        let split = samples({ splitLevels(field, beside, shown: (0.5, 0, 1, 1), at: $0) }, from: 20, seconds: 12, noise: 0.3, seed: 8)
        let whole = agreement(split, reference, offset: 20)
        let throughPart = MotionAgreement.uniqueness(suspect: split, reference: reference, rate: 1, offset: 20, queryStart: 0, queryEnd: 11.75,
                                                     suspectFraming: MotionFraming(x0: 0.5, y0: 0, x1: 1, y1: 1))
        #expect(throughPart > 0.5, "\(throughPart)")
        #expect(throughPart > whole + 0.1, "whole \(whole), part \(throughPart)")
        // Mirrored: the same part of the mirrored picture is the other half, and it is found
        // through the part as given (unmirrored).
        let mirrored = MotionAgreement.uniqueness(suspect: split.map(\.mirrored), reference: reference, rate: 1, offset: 20, queryStart: 0,
                                                  queryEnd: 11.75, suspectFraming: MotionFraming(x0: 0, y0: 0, x1: 0.5, y1: 1))
        #expect(mirrored > 0.5, "\(mirrored)")
    }

    @Test func theMomentIsSearchedByWhatChanges() {
        let field = Field(seed: 5)
        let reference = samples({ field.levels(at: $0) }, from: 0, seconds: 60)
        let part = MotionFraming(x0: 0.3, y0: 0.1, x1: 0.9, y1: 0.7)
        let crop = samples({ field.levels(at: $0, part: (0.3, 0.1, 0.9, 0.7)) }, from: 23.4, seconds: 12, noise: 0.3, seed: 8)
        let found = MotionAgreement.searched(suspect: crop, reference: reference, queryStart: 0, queryEnd: 11.75, framings: [part],
                                             suspectFraming: .whole)
        #expect(found.map { $0.agreement > 0.5 } == true, "\(String(describing: found))")
        #expect(found.map { abs($0.offset - 23.4) <= MotionAgreement.searchStep / 2 } == true, "\(String(describing: found))")
        // Another picture's changes, or a still view filmed again, single out no moment.
        let other = samples({ Field(seed: 6).levels(at: $0, part: (0.3, 0.1, 0.9, 0.7)) }, from: 20, seconds: 12, noise: 0.3, seed: 8)
        let still = SIMD64<Float>((0 ..< 64).map { Float(60 + 2 * $0) })
        let again = samples({ _ in still * 1.1 }, from: 20, seconds: 12, noise: 0.4, seed: 7)
        let stillReference = samples({ _ in still }, from: 0, seconds: 60, noise: 0.4, seed: 2)
        for (suspect, reference) in [(other, reference), (again, stillReference)] {
            let none = MotionAgreement.searched(suspect: suspect, reference: reference, queryStart: 0, queryEnd: 11.75, framings: [part],
                                                suspectFraming: .whole)
            #expect(none.map { $0.agreement < 0.35 } == true, "\(String(describing: none))")
        }
        // A span longer than the reference: nothing to search.
        #expect(MotionAgreement.searched(suspect: reference, reference: crop, queryStart: 0, queryEnd: 59.75, framings: [part],
                                         suspectFraming: .whole) == nil)
    }
}

@Suite struct MotionFramingTests {
    @Test func theWholeFramingAveragesEachTwoByTwoBlock() {
        let v = SIMD64<Float>((0 ..< 64).map { Float($0 * $0 % 17) })
        let pooled = MotionFraming.whole.pool(v)
        for r in 0 ..< 4 {
            for c in 0 ..< 4 {
                let block = [v[(2 * r) * 8 + 2 * c], v[(2 * r) * 8 + 2 * c + 1], v[(2 * r + 1) * 8 + 2 * c], v[(2 * r + 1) * 8 + 2 * c + 1]]
                #expect(abs(pooled[r * 4 + c] - block.reduce(0, +) / 4) < 1e-4)
            }
        }
    }

    @Test func aPartReadsTheGridCellsItCoversByArea() {
        // The part (0.25, 0.5)–(0.75, 1): each of its cells is one grid cell.
        let v = SIMD64<Float>((0 ..< 64).map { Float($0) })
        let pooled = MotionFraming(x0: 0.25, y0: 0.5, x1: 0.75, y1: 1).pool(v)
        for r in 0 ..< 4 { for c in 0 ..< 4 { #expect(abs(pooled[r * 4 + c] - v[(4 + r) * 8 + 2 + c]) < 1e-4) } }
        // Half a grid cell to the right: each cell half of one grid cell, half of the next.
        let shifted = MotionFraming(x0: 0.3125, y0: 0.5, x1: 0.8125, y1: 1).pool(v)
        for r in 0 ..< 4 { for c in 0 ..< 4 { #expect(abs(shifted[r * 4 + c] - (v[(4 + r) * 8 + 2 + c] + 0.5)) < 1e-4) } }
    }

    @Test func thePartsTriedHaveTheSuspectsShapeInsideTheReference() {
        let same = MotionFraming.parts(suspectAspect: 16.0 / 9, referenceAspect: 16.0 / 9)
        #expect(!same.contains(.whole))
        // Sides 0.84, 0.71, 0.59, 0.5, 0.42 (a sixth of the area at least), placed a grid cell apart at most.
        #expect(same.count == 9 + 16 + 25 + 25 + 36)
        let tall = MotionFraming.parts(suspectAspect: 9.0 / 16, referenceAspect: 16.0 / 9)
        for f in same + tall {
            #expect(f.x0 >= -1e-9 && f.y0 >= -1e-9 && f.x1 <= 1 + 1e-9 && f.y1 <= 1 + 1e-9)
            #expect((f.x1 - f.x0) * (f.y1 - f.y0) >= 1.0 / 6 - 1e-9)
        }
        // A 9:16 cut of a 16:9 picture: full-height bands 0.316 wide across it, then smaller.
        #expect(tall.contains { abs($0.x1 - $0.x0 - 81.0 / 256) < 1e-6 && $0.y0 == 0 && $0.y1 == 1 })
        for f in tall { #expect(abs((f.x1 - f.x0) / (f.y1 - f.y0) - 81.0 / 256) < 1e-6) }
        // Without a shape, none.
        #expect(MotionFraming.parts(suspectAspect: 0, referenceAspect: 16.0 / 9).isEmpty)
    }
}
