@testable import Matching
import Testing
import TestSupport

@Suite struct DensestWindowTests {
    /// Offsets as the audio vote makes them: a few dense clusters (a true alignment, repeated
    /// phrases) over a spread of chance ones, with exact repeats and values on cell edges.
    func offsets(_ g: inout SeededGenerator, spread: Float) -> [Float] {
        var out: [Float] = []
        for _ in 0 ..< Int.random(in: 0 ... 400, using: &g) { out.append(Float.random(in: -spread ... spread, using: &g)) }
        for _ in 0 ..< Int.random(in: 0 ... 4, using: &g) {
            let centre = Float.random(in: -spread ... spread, using: &g), n = Int.random(in: 1 ... 60, using: &g)
            for _ in 0 ..< n { out.append(centre + Float.random(in: -0.1 ... 0.1, using: &g)) }
        }
        if let x = out.first { out += [x, x, x + 0.15, x + 0.1515, x - 0.1515, x + 0.303] }
        out.shuffle(using: &g)
        return out
    }

    @Test func theCellCountGivesThePlainSortsAnswerToTheBit() {
        var g = SeededGenerator(seed: 7)
        var window = DensestWindow(width: 0.15)
        var found = 0
        for round in 0 ..< 3000 {
            let values = offsets(&g, spread: [1, 30, 600, 5000][round % 4])
            for floor in [-1, 0, 3, 23, 40] {
                let plain = DensestWindow.sorted(values, width: 0.15, beating: floor)
                let counted = window.densest(values, beating: floor)
                #expect(plain?.count == counted?.count && plain?.offset.bitPattern == counted?.offset.bitPattern,
                        "round \(round), floor \(floor)")
                if counted != nil { found += 1 }
            }
        }
        // Both kinds of answer were tried: a window found, and none dense enough.
        #expect(found > 3000 && found < 15000)
    }

    @Test func everyWindowOfMoreThanTheFloorLiesAmongTheCrowdedOffsets() {
        // What the landmark sketch's vote relies on: it counts distinct landmarks in the windows of
        // the kept offsets only.
        var g = SeededGenerator(seed: 11)
        var window = DensestWindow(width: 0.3)
        var checked = 0
        for round in 0 ..< 500 {
            let values = offsets(&g, spread: [1, 30, 600][round % 3])
            for floor in [0, 5, 20] {
                let counted = window.crowded(values, beating: floor)
                #expect(counted)
                let kept = Set(window.keptIndices)
                #expect(window.keptIndices == window.keptIndices.sorted())
                let order = values.indices.sorted { values[$0] < values[$1] }
                var lo = 0
                for hi in order.indices {
                    while values[order[hi]] - values[order[lo]] > 0.3 { lo += 1 }
                    guard hi - lo + 1 > floor else { continue }
                    #expect(order[lo ... hi].allSatisfy(kept.contains), "round \(round), floor \(floor)")
                    checked += 1
                }
            }
        }
        #expect(checked > 10000)
    }

    @Test func offsetsSpreadPastTheCountedCellsAreSortedWhole() {
        let spread = Float(DensestWindow.mostCells) * 0.16
        let values: [Float] = [0, 0.05, 0.1, spread, spread + 0.01]
        var window = DensestWindow(width: 0.15)
        #expect(window.densest(values, beating: 0).map { [Float($0.count), $0.offset] } == [3, 0.05])
        #expect(window.densest(values, beating: 3) == nil)
    }

    @Test func theFirstOfEquallyDenseWindowsIsTheAnswer() {
        var window = DensestWindow(width: 0.15)
        let values: [Float] = [10, 10.1, 3, 3.1, 20, 20.05]
        #expect(window.densest(values, beating: 0).map { [Float($0.count), $0.offset] } == [2, 3.05])
    }
}
