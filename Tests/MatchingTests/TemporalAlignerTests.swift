import Fingerprint
@testable import Matching
import Testing
import TestSupport

@Suite struct TemporalAlignerTests {
    /// Query instants every 0.2 s for `seconds`, matching reference = rate × t + offset.
    func hits(seconds: Float, rate: Float, offset: Float, every step: Float = 0.2) -> [FrameHit] {
        stride(from: Float(0), to: seconds, by: step).map {
            FrameHit(queryTime: $0, referenceTime: rate * $0 + offset, similarity: 0.9)
        }
    }

    @Test func findsOffsetAndRate() {
        let query = stride(from: Float(0), to: 20, by: 0.2).map { $0 }
        for rate in [Float(0.9), 1.0, 1.1] {
            let found = TemporalAligner().align(hits(seconds: 20, rate: rate, offset: 7), usableQueryTimes: query)
            let best = try! #require(found.first)
            #expect(abs(best.rate - Double(rate)) < 0.01, "rate \(best.rate) for \(rate)")
            #expect(abs(best.referenceStart - 7) < 0.15)
            #expect(abs(best.queryEnd - 19.8) < 0.01)
            #expect(best.supportingInstants == 100 && best.uniqueness > 0.9)
        }
    }

    @Test func cutsSegmentsAtGapsAndFindsASecondExcerpt() {
        // 0–8 s from reference 30 s on, then 12–20 s from reference 5 s on.
        let first = hits(seconds: 8, rate: 1, offset: 30)
        let second = hits(seconds: 8, rate: 1, offset: 5).map {
            FrameHit(queryTime: $0.queryTime + 12, referenceTime: $0.referenceTime, similarity: 0.8)
        }
        let query = stride(from: Float(0), to: 20, by: 0.2).map { $0 }
        let found = TemporalAligner().align(first + second, usableQueryTimes: query)
        #expect(found.count == 2, "\(found)")
        let starts = found.map { ($0.queryStart.rounded(), $0.referenceStart.rounded()) }.sorted { $0.0 < $1.0 }
        #expect(starts.map(\.0) == [0, 12] && starts.map(\.1) == [30, 5], "\(found)")
    }

    @Test func hitsAlongAGivenLineFollowItWithOnePlacement() throws {
        // A steady pan: every instant (every 0.5 s for 8 s) matches every reference moment 0…20 s,
        // placed by how far apart they are. Along the line reference = t + 6 the hits are taken,
        // one placement, 16 instants; a stray instant on the line placed elsewhere is not.
        var all: [FrameHit] = []
        for q in stride(from: Float(0), to: 8, by: 0.5) {
            for r in stride(from: Float(0), to: 20, by: 0.5) {
                let c = r - q
                all.append(FrameHit(queryTime: q, referenceTime: r, similarity: 0.7,
                                    placement: Placement(centre: SIMD2(0.5 + 0.03 * c, 0.5), logScale: 0, rotation: 0)))
            }
        }
        all.append(FrameHit(queryTime: 8, referenceTime: 14, similarity: 0.9,
                            placement: Placement(centre: SIMD2(0.1, 0.5), logScale: 0, rotation: 0)))
        let times = Array(stride(from: Float(0), through: 8, by: 0.5))
        let along = TemporalAligner().along(all, rate: 1, offset: 6, queryRange: 0 ... 8, usableQueryTimes: times)
        let a = try #require(along.first)
        #expect(along.count == 1 && a.supportingInstants == 16 && a.queryStart == 0 && a.queryEnd == 7.5, "\(along)")
        #expect(a.rate == 1 && a.offset == 6 && abs(a.meanSimilarity - 0.7) < 1e-6)
        // Outside the given stretch nothing is taken.
        #expect(TemporalAligner().along(all, rate: 1, offset: 6, queryRange: 20 ... 30, usableQueryTimes: times).isEmpty)
    }

    @Test func aStaticViewHasNoUniqueAlignment() {
        // Every query instant matches every reference instant of a 20 s static shot.
        var all: [FrameHit] = []
        for q in stride(from: Float(0), to: 10, by: 0.5) {
            for r in stride(from: Float(0), to: 20, by: 0.5) {
                all.append(FrameHit(queryTime: q, referenceTime: r, similarity: 0.9))
            }
        }
        let query = stride(from: Float(0), to: 10, by: 0.5).map { $0 }
        let found = TemporalAligner().align(all, usableQueryTimes: query)
        #expect(found.allSatisfy { $0.uniqueness < 0.3 }, "\(found)")
    }

    /// Hits of a suspect against a reference that is a 2.5 s clip played forward and back six
    /// times (a loop), sampled 4 a second: each moment matches its own and the loop's other
    /// passes equally, and moments of the clip 0.5 s apart clearly less.
    func loopHits(suspectFrom start: Double, seconds: Double) -> [FrameHit] {
        func clipTime(_ r: Double) -> Double {  // where in the 2.5 s clip reference time r is
            let pass = Int(r / 2.5), within = r - 2.5 * Double(pass)
            return pass % 2 == 0 ? within : 2.5 - within
        }
        var hits: [FrameHit] = []
        for q in stride(from: 0.0, to: seconds, by: 0.25) {
            for r in stride(from: 0.0, to: 15, by: 0.25) {
                let similarity = 1 - 0.4 * abs(clipTime(start + q) - clipTime(r))
                if similarity >= 0.6 { hits.append(FrameHit(queryTime: Float(q), referenceTime: Float(r), similarity: Float(similarity))) }
            }
        }
        return hits
    }

    @Test func aLoopIsFoundAtOneOfItsPassesWithTheOthersNamed() throws {
        let hits = loopHits(suspectFrom: 3.25, seconds: 8)
        let query = stride(from: Float(0), to: 8, by: 0.25).map { $0 }
        let found = TemporalAligner().align(hits, usableQueryTimes: query)
        let best = try #require(found.first)
        // Every other pass matches as well: nothing is unique, but the match is a peak and the
        // rest lies on repeat lines (forwards every 5 s, backwards in between).
        #expect(best.uniqueness < 0.1 && best.uniquenessUpToRepeats >= 0.7, "\(best)")
        #expect(Matcher().accepts(best))
        #expect(abs(best.rate - 1) < 0.03)
        let start = best.referenceStart
        #expect([-1.75, 3.25, 8.25].contains { abs(start - $0) < 0.3 }, "\(best)")  // a forward pass
        #expect(best.repeats.count >= 2, "\(best.repeats)")
    }

    @Test func aStillViewIsNoLoop() {
        // The still view above, with a hair of noise: every moment matches every moment.
        var g = SeededGenerator(seed: 8)
        var all: [FrameHit] = []
        for q in stride(from: Float(0), to: 10, by: 0.25) {
            for r in stride(from: Float(0), to: 20, by: 0.25) {
                all.append(FrameHit(queryTime: q, referenceTime: r, similarity: 0.9 + Float(g.next() % 5) / 100))
            }
        }
        let found = TemporalAligner().align(all, usableQueryTimes: stride(from: Float(0), to: 10, by: 0.25).map { $0 })
        #expect(!found.isEmpty && found.allSatisfy { $0.decidingUniqueness < 0.1 && !Matcher().accepts($0) }, "\(found)")
    }

    @Test func chanceMatchesHereAndThereAreNoRepeats() {
        // A re-shoot of a scene: each suspect moment matches a few reference moments by chance
        // (a pose, a passer-by), as well as the best line does, off any line.
        var g = SeededGenerator(seed: 9)
        var all: [FrameHit] = []
        for q in stride(from: Float(0), to: 10, by: 0.25) {
            all.append(FrameHit(queryTime: q, referenceTime: q + 20, similarity: 0.8))
            for _ in 0 ..< 4 {
                all.append(FrameHit(queryTime: q, referenceTime: Float(g.next() % 240) / 4, similarity: 0.8))
            }
        }
        let found = TemporalAligner().align(all, usableQueryTimes: stride(from: Float(0), to: 10, by: 0.25).map { $0 })
        #expect(found.allSatisfy { $0.uniquenessUpToRepeats < 0.35 && !Matcher().accepts($0) }, "\(found)")
    }

    @Test func scatteredHitsGiveNothing() {
        var g = SeededGenerator(seed: 7)
        let noise = (0 ..< 30).map { _ in
            FrameHit(queryTime: Float(g.next() % 200) / 10, referenceTime: Float(g.next() % 600) / 10, similarity: 0.6)
        }
        let found = TemporalAligner().align(noise, usableQueryTimes: stride(from: Float(0), to: 20, by: 0.2).map { $0 })
        #expect(found.allSatisfy { $0.supportingInstants <= 4 })
    }
}

@Suite struct SlowMotionTests {
    @Test func aSlowZoomGivesOneAlignmentNotAShiftedSecondOne() {
        // Each query instant also matches reference frames up to 1.5 s around the true one, a
        // little less well (a slow zoom): only the true map may come out.
        var all: [FrameHit] = []
        for q in stride(from: Float(0), to: 12, by: 0.25) {
            for dr in stride(from: Float(-1.5), through: 1.5, by: 0.25) {
                all.append(FrameHit(queryTime: q, referenceTime: q + 5 + dr, similarity: 0.95 - abs(dr) * 0.1))
            }
        }
        let query = stride(from: Float(0), to: 12, by: 0.25).map { $0 }
        let found = TemporalAligner().align(all, usableQueryTimes: query)
        #expect(found.count == 1, "\(found)")
        #expect(abs((found.first?.referenceStart ?? 0) - 5) < 0.2)
    }
}
