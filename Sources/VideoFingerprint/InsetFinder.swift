// InsetFinder: finds picture-in-picture insets — rectangles pasted over other video — by their
// straight edges. Input shape: one 8-bit luma frame, width x height ≥ 32 each, packed rows.
//
// Why: a reference shown at 40% over unrelated video is ~120 bits from its full-frame hash, and
// fixed sub-windows only help when they happen to fit the inset within a pixel or two (PDQ moves
// ~50 bits for a 3% misfit). A pasted picture has what natural content rarely has: long,
// axis-aligned edges that meet at right angles. The finder marks edge pixels (a luma step across
// a row or column boundary), keeps the rows and columns with the most of them as candidate sides,
// and scores every rectangle they form by how much of each side is edge (prefix sums make that
// O(1) per rectangle). Found rectangles are only *extra* suspect-side regions to hash, so a false
// find (a window, a TV screen in the picture) costs one lookup, never a lost match.
import Fingerprint

public struct InsetFinder: Sendable {
    /// Minimum luma step across an edge pixel.
    public var edgeContrast: Int = 10
    /// Inset sides, as shares of the frame side.
    public var minimumSideFraction: Double = 0.18
    public var maximumAreaFraction: Double = 0.8
    /// Share of each inset side that must be edge pixels.
    public var minimumCoverage: Double = 0.6
    /// Candidate rows and columns kept (those with the most edge pixels).
    public var candidateLines: Int = 24
    /// At most this many rectangles, best first.
    public var maximumInsets: Int = 2

    public init() {}

    public func find(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> [PixelRect] {
        precondition(luma.count >= width * height, "InsetFinder: buffer smaller than \(width)x\(height)")
        guard width >= ActiveAreaDetector.minimumSide, height >= ActiveAreaDetector.minimumSide else { return [] }
        let p = luma.baseAddress!
        // rowEdges[r] prefix sums over x of "step between rows r-1 and r at x"; a rectangle whose
        // first row is r has its top side there, and one ending before row r its bottom side.
        let rowEdges = PrefixLines(count: height, length: width) { r, x in
            r > 0 && abs(Int(p[r * width + x]) - Int(p[(r - 1) * width + x])) >= edgeContrast
        }
        let colEdges = PrefixLines(count: width, length: height) { c, y in
            c > 0 && abs(Int(p[y * width + c]) - Int(p[y * width + c - 1])) >= edgeContrast
        }
        let minW = max(PDQHasher.minimumSide, Int(minimumSideFraction * Double(width)))
        let minH = max(PDQHasher.minimumSide, Int(minimumSideFraction * Double(height)))
        // Frame borders are candidate sides too (insets in a corner touching the edge).
        let rows = Set(rowEdges.strongest(candidateLines, minimum: minW / 2) + [0, height]).sorted()
        let cols = Set(colEdges.strongest(candidateLines, minimum: minH / 2) + [0, width]).sorted()

        var found: [(score: Double, rect: PixelRect)] = []
        for (ti, top) in rows.enumerated() {
            for bottom in rows[(ti + 1)...] where bottom - top >= minH {
                for (li, left) in cols.enumerated() {
                    for right in cols[(li + 1)...] where right - left >= minW {
                        let rect = PixelRect(x: left, y: top, width: right - left, height: bottom - top)
                        guard Double(rect.area) <= maximumAreaFraction * Double(width * height) else { continue }
                        // A side on the frame border counts as present; opposite borders both
                        // present would be a band, which is the active-area detector's business.
                        guard (top > 0 || bottom < height), (left > 0 || right < width) else { continue }
                        // The sides off the border, in this order, each covered enough (no
                        // arrays: this runs for every rectangle of every frame).
                        var present = 0, covered = 0.0
                        func side(_ c: Double) -> Bool {
                            present += 1
                            covered += c
                            return c >= minimumCoverage
                        }
                        if top > 0, !side(rowEdges.coverage(line: top, from: left, to: right)) { continue }
                        if bottom < height, !side(rowEdges.coverage(line: bottom, from: left, to: right)) { continue }
                        if left > 0, !side(colEdges.coverage(line: left, from: top, to: bottom)) { continue }
                        if right < width, !side(colEdges.coverage(line: right, from: top, to: bottom)) { continue }
                        guard present >= 2 else { continue }
                        // A real inset's sides stop at its corners; a rectangle cut out of a
                        // larger one (an edge inside the inset's content as one side) has its
                        // other sides running on past that corner.
                        let reach = 8
                        var overhang = 0.0
                        if top > 0 {
                            overhang += rowEdges.coverage(line: top, from: max(0, left - reach), to: left)
                            overhang += rowEdges.coverage(line: top, from: right, to: min(width, right + reach))
                        }
                        if bottom < height {
                            overhang += rowEdges.coverage(line: bottom, from: max(0, left - reach), to: left)
                            overhang += rowEdges.coverage(line: bottom, from: right, to: min(width, right + reach))
                        }
                        if left > 0 {
                            overhang += colEdges.coverage(line: left, from: max(0, top - reach), to: top)
                            overhang += colEdges.coverage(line: left, from: bottom, to: min(height, bottom + reach))
                        }
                        if right < width {
                            overhang += colEdges.coverage(line: right, from: max(0, top - reach), to: top)
                            overhang += colEdges.coverage(line: right, from: bottom, to: min(height, bottom + reach))
                        }
                        // A frame border is weaker evidence of a side than an edge.
                        let score = covered + 0.25 * Double(4 - present) - overhang
                        found.append((score, rect))
                    }
                }
            }
        }
        // Best first (score, then area, then the order found), each overlapping none before it
        // by more than half: picked one at a time; sorting every rectangle of a frame full of
        // straight edges (a screen recording, a test pattern) took over half the finder's time
        // (perf, `scripts/bench/end-to-end`'s suspects).
        func better(_ a: (score: Double, rect: PixelRect), _ b: (score: Double, rect: PixelRect)) -> Bool {
            a.score > b.score || (a.score == b.score && a.rect.area > b.rect.area)
        }
        var out: [PixelRect] = []
        while out.count < maximumInsets {
            var best: Int?
            for i in found.indices where best == nil || better(found[i], found[best!]) {
                if !out.contains(where: { $0.overlap(with: found[i].rect) > 0.5 }) { best = i }
            }
            guard let b = best else { break }
            out.append(found[b].rect)
        }
        return out
    }

    public func find(luma: [UInt8], width: Int, height: Int) -> [PixelRect] {
        luma.withUnsafeBufferPointer { find(luma: $0, width: width, height: height) }
    }
}

/// Edge flags per line with prefix sums, for O(1) "how much of this span is edge".
/// Line `count` (one past the end) exists and is empty, so a bottom/right side may sit there.
struct PrefixLines {
    let length: Int
    private var sums: [Int32]   // (count + 1) lines of (length + 1) prefix sums
    private var totals: [Int]

    init(count: Int, length: Int, isEdge: (Int, Int) -> Bool) {
        self.length = length
        sums = [Int32](repeating: 0, count: (count + 1) * (length + 1))
        totals = [Int](repeating: 0, count: count + 1)
        for line in 0..<count {
            var acc: Int32 = 0
            let base = line * (length + 1)
            for k in 0..<length {
                if isEdge(line, k) { acc += 1 }
                sums[base + k + 1] = acc
            }
            totals[line] = Int(acc)
        }
    }

    func coverage(line: Int, from: Int, to: Int) -> Double {
        let base = line * (length + 1)
        return Double(sums[base + to] - sums[base + from]) / Double(max(1, to - from))
    }

    /// The `k` lines with the most edge pixels (at least `minimum`), not counting line 0.
    func strongest(_ k: Int, minimum: Int) -> [Int] {
        totals.indices.dropFirst().filter { totals[$0] >= minimum }
            .sorted { totals[$0] > totals[$1] }.prefix(k).map { $0 }
    }
}
