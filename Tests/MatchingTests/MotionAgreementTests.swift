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
            waves = (0 ..< 16).map { _ in
                (0 ..< 3).map { _ in (Float.random(in: 1 ... 4, using: &g), Float.random(in: 3 ... 20, using: &g), Float.random(in: 0 ... 6.28, using: &g)) }
            }
        }
        func levels(at t: Float) -> SIMD16<Float> {
            var out = SIMD16<Float>(repeating: 100)
            for c in 0 ..< 16 { for w in waves[c] { out[c] += w.amplitude * sin(2 * .pi * t / w.period + w.phase) } }
            return out
        }
    }

    func samples(_ levels: (Float) -> SIMD16<Float>, from start: Float, seconds: Float, phase: Float = 0,
                 noise sd: Float = 0, seed: UInt64 = 1) -> [MotionSample] {
        var g = SeededGenerator(seed: seed)
        return stride(from: phase, to: seconds, by: 0.25).map { t in
            var l = levels(start + t)
            for c in 0 ..< 16 { l[c] += noise(&g, sd) }
            let cells = SIMD16<UInt16>((l * 256).rounded(.toNearestOrEven).clamped(lowerBound: .zero, upperBound: .init(repeating: 65280)))
            return MotionSample(time: t, cells: cells)
        }
    }

    func agreement(_ suspect: [MotionSample], _ reference: [MotionSample], offset: Double, rate: Double = 1) -> Double {
        MotionAgreement.uniqueness(suspect: suspect, reference: reference, rate: rate, offset: offset,
                                   queryStart: Double(suspect.first!.time), queryEnd: Double(suspect.last!.time))
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
        let still = SIMD16<Float>((0 ..< 16).map { Float(60 + 7 * $0) })
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
        let rates = SIMD16<Float>((0 ..< 16).map { Float($0 % 5) - 2 })
        let reference = samples({ SIMD16<Float>(repeating: 100) + rates * $0 * 0.5 }, from: 0, seconds: 60, noise: 0.2, seed: 4)
        let copy = samples({ SIMD16<Float>(repeating: 100) + rates * $0 * 0.5 }, from: 20, seconds: 12, noise: 0.2, seed: 5)
        #expect(agreement(copy, reference, offset: 20) < 0.35)
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
}
