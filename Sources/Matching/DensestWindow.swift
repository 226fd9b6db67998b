// The densest window of a set of numbers (`AudioMatcher`'s offset vote: per grid speed, the most
// hit offsets within 0.15 s of one another), found without sorting them all.
//
// The plain way sorts the offsets and slides a window over them. Most of that work cannot change
// the answer: the vote only wants a window denser than the best one so far (and than the least
// count a segment needs), and every window of width w lies within two neighbouring cells of
// width a little over w. So the offsets are counted per cell first; a speed whose neighbouring
// cells hold no more than the count to beat is passed over, and otherwise only the offsets in
// cells of such pairs are sorted and slid over. The answer is the plain way's, to the bit: the
// same count and the same first window of it (a window of the answer lies wholly in the offsets
// kept; a window among the kept that misses some of its offsets counts fewer, never more).
struct DensestWindow {
    let width: Float
    private var counts: [Int32] = []
    private var kept: [Float] = []

    init(width: Float) {
        self.width = width
    }

    /// The count and middle ((first + last) / 2) of the first window, in increasing order of
    /// its last offset, holding the most offsets within `width` of its first, when that is more
    /// than `floor`; nil otherwise.
    mutating func densest(_ offsets: [Float], beating floor: Int) -> (count: Int, offset: Float)? {
        guard offsets.count > floor else { return nil }
        guard crowded(offsets, beating: floor) else { return Self.sorted(offsets, width: width, beating: floor) }
        kept.removeAll(keepingCapacity: true)
        for i in keptIndices { kept.append(offsets[i]) }
        return kept.isEmpty ? nil : Self.sorted(kept, width: width, beating: floor)
    }

    /// The indices of `offsets`, in order, that lie in a cell holding more than `floor` with a
    /// neighbour: every window of more than `floor` offsets lies wholly among them. Set by
    /// `crowded`.
    private(set) var keptIndices: [Int] = []

    /// Sets `keptIndices` for `offsets` and `floor`; false (and nothing set) when they spread
    /// over more than `mostCells` cells: then every offset has to be looked at.
    mutating func crowded(_ offsets: [Float], beating floor: Int) -> Bool {
        keptIndices.removeAll(keepingCapacity: true)
        guard let low = offsets.min(), let high = offsets.max() else { return true }
        // Cells a hundredth wider than the window: rounding never puts a window across three.
        // Cell c is counted at c + 1, so that both neighbours of every cell exist.
        let cell = Double(width) * 1.01
        let cells = Int((Double(high) - Double(low)) / cell) + 1
        guard cells <= Self.mostCells else { return false }
        if counts.count < cells + 2 { counts = [Int32](repeating: 0, count: cells + 2) }
        counts.withUnsafeMutableBufferPointer { counts in
            func slot(_ x: Float) -> Int { Int((Double(x) - Double(low)) / cell) + 1 }
            for x in offsets { counts[slot(x)] += 1 }
            for (i, x) in offsets.enumerated() {
                let c = slot(x), here = counts[c]
                if Int(here + max(counts[c - 1], counts[c + 1])) > floor { keptIndices.append(i) }
            }
            // The counts are left all zero for the next call.
            for x in offsets { counts[slot(x)] = 0 }
        }
        return true
    }

    /// Cells counted at most (16 MB of counts: offsets spread over 176 hours); offsets spread
    /// wider are sorted whole.
    static let mostCells = 1 << 22

    /// The plain way: sort, slide.
    static func sorted(_ offsets: [Float], width: Float, beating floor: Int) -> (count: Int, offset: Float)? {
        let offsets = offsets.sorted()
        var best: (count: Int, offset: Float)?
        var most = floor
        var lo = 0
        for hi in 0 ..< offsets.count {
            while offsets[hi] - offsets[lo] > width { lo += 1 }
            if hi - lo + 1 > most {
                most = hi - lo + 1
                best = (most, (offsets[hi] + offsets[lo]) / 2)
            }
        }
        return best
    }
}
