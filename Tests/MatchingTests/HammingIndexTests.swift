import Fingerprint
@testable import Matching
import Testing
import TestSupport


/// `hash` with `bits` distinct bits flipped.
func flip(_ hash: PDQHash, bits: Int, _ g: inout SeededGenerator) -> PDQHash {
    var h = hash
    var chosen = Set<Int>()
    while chosen.count < bits { chosen.insert(Int(g.next() % 256)) }
    for b in chosen { h.words[b / 64] ^= 1 << UInt64(b % 64) }
    return h
}

@Suite struct HammingIndexTests {
    @Test func distanceIsAMetricOnSmallCases() {
        var g = SeededGenerator(seed: 1)
        for _ in 0 ..< 100 {
            let a = randomHash(&g), b = randomHash(&g)
            #expect(a.distance(to: a) == 0)
            #expect(a.distance(to: b) == b.distance(to: a))
            #expect(a.distance(to: flip(a, bits: 17, &g)) == 17)
        }
        #expect(PDQHash(words: SIMD4(0, 0, 0, 0)).distance(to: PDQHash(words: SIMD4(~0, ~0, ~0, ~0))) == 256)
    }

    /// `hash` with `bits` bits flipped spread evenly over its 256 bits, in bits 252…255 first:
    /// the hardest case for the pigeonhole argument of either layout.
    func spread(_ hash: PDQHash, bits: Int) -> PDQHash {
        var h = hash
        for k in 0 ..< bits {
            let b = k < 4 ? 252 + k : (k * 256 / bits + 7) % 252
            h.words[b / 64] ^= 1 << UInt64(b % 64)
        }
        return h
    }

    @Test(arguments: [HammingIndex.Layout.slots16x16, .slots12x21])
    func radiusSearchEqualsALinearScan(layout: HammingIndex.Layout) {
        var g = SeededGenerator(seed: 42)
        var stored = (0 ..< 5000).map { _ in randomHash(&g) }
        let queries = (0 ..< 40).map { _ in randomHash(&g) }
        // Plant neighbours at every distance around the thresholds, in varied slots and spread.
        for query in queries {
            for d in [0, 1, 2, 3, 11, 12, 15, 16, 17, 23, 24, 25, 30, 31, 32, 33, 35, 36, 40] {
                stored.append(flip(query, bits: d, &g))
                stored.append(spread(query, bits: d))
            }
        }
        let index = HammingIndex(stored, layout: layout)
        #expect(index.layout == layout)
        for query in queries {
            for radius in [0, 11, 15, 23, 24, 31, 35, 40] {
                var found: [Int: Int] = [:]
                var reports = 0
                index.search(query, radius: radius) { id, d in found[id] = d; reports += 1 }
                var expected: [Int: Int] = [:]
                for (i, h) in stored.enumerated() where h.distance(to: query) <= radius { expected[i] = h.distance(to: query) }
                #expect(found == expected, "radius \(radius)")
                #expect(reports == expected.count, "each hash is reported once")
            }
        }
    }

    @Test func layoutFollowsSize() {
        #expect(HammingIndex.Layout.automatic(count: 1000) == .slots16x16)
        #expect(HammingIndex.Layout.automatic(count: 2_000_000) == .slots12x21)
    }

    @Test func emptyIndexFindsNothing() {
        var calls = 0
        HammingIndex([]).search(PDQHash(words: SIMD4(1, 2, 3, 4)), radius: 31) { _, _ in calls += 1 }
        #expect(calls == 0)
    }
}
