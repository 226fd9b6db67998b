// KeypointExtractor+Corners: FAST-9 corners with non-maximum suppression (Rosten & Drummond,
// "Machine learning for high-speed corner detection", ECCV 2006; OpenCV fast.cpp), and their
// ranking by the Harris response as ORB does it (OpenCV orb.cpp, HarrisResponses).
// Input shape: one pyramid level, 8-bit luma packed at `pyramid + level.offset`.
//
// The FAST score of a pixel is the largest t for which it is a corner plus one: the best, over
// the 16 arcs of 9 contiguous circle pixels, of the smallest brightness difference along the arc
// (all brighter or all darker). So "corner at threshold t" is exactly "score > t", and the
// scores of a level do not depend on the threshold used to find them. OpenCV's score is this
// minus one; only its order matters here.

extension KeypointExtractor {
    /// The circle, clockwise from the top; entries 0, 4, 8 and 12 are the compass points.
    static let circleXY: [(Int, Int)] = [
        (0, -3), (1, -3), (2, -2), (3, -1), (3, 0), (3, 1), (2, 2), (1, 3),
        (0, 3), (-1, 3), (-2, 2), (-3, 1), (-3, 0), (-3, -1), (-2, -2), (-1, -3),
    ]

    /// Harris constant and block, as ORB.
    static let harrisK: Float = 0.04
    static let harrisBlock = 7

    /// Fills `corners` with the level's FAST corners above `threshold` that are local maxima of
    /// the score and at least `edgeMargin` from the border, in raster order.
    func findCorners(_ level: Level, threshold: Int) {
        corners.removeAll(keepingCapacity: true)
        let w = level.width, h = level.height, margin = options.edgeMargin
        // Locals, not properties: stores to the scores could otherwise alias them.
        let circle = circle, scores = scores
        for (k, (dx, dy)) in Self.circleXY.enumerated() { circle[k] = dy * w + dx }
        let image = UnsafePointer(pyramid + level.offset)
        // Scores on the kept area and a one-pixel ring, which suppression compares against.
        let x0 = margin - 1, x1 = w - margin + 1, y0 = margin - 1, y1 = h - margin + 1
        for y in y0..<y1 {
            let row = image + y * w, scoreRow = scores + y * w
            if x1 - x0 < 16 {
                for x in x0..<x1 {
                    let score = cornerScore(row + x, circle: circle)
                    scoreRow[x] = Int(score) > threshold ? score : 0
                }
                continue
            }
            var x = x0
            while x < x1 {
                // The last block is moved left to end at x1: lanes scored twice get the same score.
                let start = min(x, x1 - 16)
                scoreBlock(row + start, scores: scoreRow + start, threshold: threshold, circle: circle)
                x += 16
            }
        }
        for y in margin..<(h - margin) {
            let s = scores + y * w, up = UnsafePointer(s - w), down = UnsafePointer(s + w)
            var x = margin
            let end = w - margin
            // 16 at a time; most scores are 0, and most of the rest are not maxima.
            while x + 16 <= end {
                let v = Self.load(s + x)
                if Self.any(v) {
                    var m = Self.maximum(Self.load(s + x - 1), Self.load(s + x + 1))
                    m = Self.maximum(m, Self.maximum(Self.load(up + x - 1), Self.load(up + x)))
                    m = Self.maximum(m, Self.maximum(Self.load(up + x + 1), Self.load(down + x - 1)))
                    m = Self.maximum(m, Self.maximum(Self.load(down + x), Self.load(down + x + 1)))
                    // v > m ≥ 0: a corner, and above its eight neighbours.
                    let peaks = unsafeBitCast(Self.bits(v .> m), to: SIMD2<UInt64>.self)
                    for half in 0..<2 {
                        // One bit per peak lane, lowest lane first: raster order.
                        var lanes = peaks[half] & 0x0101_0101_0101_0101
                        while lanes != 0 {
                            let lane = half * 8 + lanes.trailingZeroBitCount / 8
                            corners.append(Corner(x: Int32(x + lane), y: Int32(y), score: v[lane]))
                            lanes &= lanes &- 1
                        }
                    }
                }
                x += 16
            }
            while x < end {
                let v = s[x]
                if v > 0 && v > s[x - 1] && v > s[x + 1] && v > up[x - 1] && v > up[x] && v > up[x + 1]
                    && v > down[x - 1] && v > down[x] && v > down[x + 1] {
                    corners.append(Corner(x: Int32(x), y: Int32(y), score: v))
                }
                x += 1
            }
        }
    }

    typealias Bytes = SIMD16<UInt8>

    /// FAST scores of 16 neighbouring centres at once, stored where above `threshold` (a corner)
    /// and 0 elsewhere. In bytes throughout: how much brighter than the centre a circle pixel is,
    /// saturated at 0 (a darker pixel is 0 brighter), so an arc's bright score is the smallest of
    /// its nine and the FAST score the best arc on either side — with no test per arc, as
    /// "corner" is "score > threshold". Saturated subtraction keeps order, so that is the centre
    /// subtracted from the largest over arcs of the arc's darkest pixel (and the mirror for
    /// darker): one subtraction per side rather than one per pixel.
    /// Any 9-pixel arc holds two neighbouring compass points (0 and 4, 4 and 8, ...), so its score
    /// is at most that of min(max(at 0, at 8), max(at 4, at 12)): blocks where that bound is at
    /// most the threshold in every lane — most of a picture — are rejected from four loads.
    @inline(__always)
    func scoreBlock(_ p: UnsafePointer<UInt8>, scores: UnsafeMutablePointer<UInt8>, threshold: Int,
                    circle: UnsafeMutablePointer<Int>) {
        let t = Bytes(repeating: UInt8(threshold))
        let c = Self.load(p)
        let n = Self.load(p + circle[0]), e = Self.load(p + circle[4])
        let s = Self.load(p + circle[8]), w = Self.load(p + circle[12])
        // Saturation keeps order, so an extreme of differences is the difference of the extreme.
        let brightBound = Self.brighter(Self.minimum(Self.maximum(n, s), Self.maximum(e, w)), c)
        let darkBound = Self.darker(Self.maximum(Self.minimum(n, s), Self.minimum(e, w)), c)
        guard Self.any(Self.bits(Self.maximum(brightBound, darkBound) .> t)) else {
            UnsafeMutableRawPointer(scores).storeBytes(of: Bytes(repeating: 0), as: Bytes.self)
            return
        }
        // The best arc's smallest difference is the difference of the best arc's extreme pixel.
        let bright = Self.arcExtreme(inner: Self.minimum, outer: Self.maximum) { k in Self.load(p + circle[k]) }
        let dark = Self.arcExtreme(inner: Self.maximum, outer: Self.minimum) { k in Self.load(p + circle[k]) }
        let score = Self.maximum(Self.brighter(bright, c), Self.darker(dark, c))
        UnsafeMutableRawPointer(scores).storeBytes(of: score & Self.bits(score .> t), as: Bytes.self)
    }

    /// max over the 16 arcs of 9 of the smallest of `ring(k)` along the arc (with `inner` and
    /// `outer` swapped, min of the largest). Arc i is the run of 8 from i and pixel i + 8; the
    /// runs of 8 come from minima from each end of the two halves of the circle (van Herk /
    /// Gil & Werman), 71 byte operations in all.
    @inline(__always)
    static func arcExtreme(inner minimum: (Bytes, Bytes) -> Bytes, outer maximum: (Bytes, Bytes) -> Bytes,
                           _ ring: (Int) -> Bytes) -> Bytes {
        let x0 = ring(0), x1 = ring(1), x2 = ring(2), x3 = ring(3), x4 = ring(4), x5 = ring(5), x6 = ring(6), x7 = ring(7)
        let x8 = ring(8), x9 = ring(9), x10 = ring(10), x11 = ring(11), x12 = ring(12), x13 = ring(13), x14 = ring(14), x15 = ring(15)
        // Suffix minima of each half (s1 = min x1...x7) and prefix minima (p9 = min x8, x9).
        let s6 = minimum(x6, x7), s5 = minimum(x5, s6), s4 = minimum(x4, s5), s3 = minimum(x3, s4)
        let s2 = minimum(x2, s3), s1 = minimum(x1, s2), s0 = minimum(x0, s1)
        let s14 = minimum(x14, x15), s13 = minimum(x13, s14), s12 = minimum(x12, s13), s11 = minimum(x11, s12)
        let s10 = minimum(x10, s11), s9 = minimum(x9, s10), s8 = minimum(x8, s9)
        let p1 = minimum(x0, x1), p2 = minimum(p1, x2), p3 = minimum(p2, x3), p4 = minimum(p3, x4)
        let p5 = minimum(p4, x5), p6 = minimum(p5, x6)
        let p9 = minimum(x8, x9), p10 = minimum(p9, x10), p11 = minimum(p10, x11), p12 = minimum(p11, x12)
        let p13 = minimum(p12, x13), p14 = minimum(p13, x14)
        // Arc i: run of 8 from i (suffix of its half, prefix of the other), then pixel i + 8.
        var best = minimum(s0, x8)
        best = maximum(best, minimum(minimum(s1, x8), x9))
        best = maximum(best, minimum(minimum(s2, p9), x10))
        best = maximum(best, minimum(minimum(s3, p10), x11))
        best = maximum(best, minimum(minimum(s4, p11), x12))
        best = maximum(best, minimum(minimum(s5, p12), x13))
        best = maximum(best, minimum(minimum(s6, p13), x14))
        best = maximum(best, minimum(minimum(x7, p14), x15))
        best = maximum(best, minimum(s8, x0))
        best = maximum(best, minimum(minimum(s9, x0), x1))
        best = maximum(best, minimum(minimum(s10, p1), x2))
        best = maximum(best, minimum(minimum(s11, p2), x3))
        best = maximum(best, minimum(minimum(s12, p3), x4))
        best = maximum(best, minimum(minimum(s13, p4), x5))
        best = maximum(best, minimum(minimum(s14, p5), x6))
        best = maximum(best, minimum(minimum(x15, p6), x7))
        return best
    }

    /// Lane by lane; the stdlib's pointwiseMin and pointwiseMax are calls, not inlined.
    @inline(__always)
    static func minimum(_ a: Bytes, _ b: Bytes) -> Bytes { a.replacing(with: b, where: b .< a) }

    @inline(__always)
    static func maximum(_ a: Bytes, _ b: Bytes) -> Bytes { a.replacing(with: b, where: b .> a) }

    /// How much brighter than `c` each lane of `v` is, 0 if darker.
    @inline(__always)
    static func brighter(_ v: Bytes, _ c: Bytes) -> Bytes { Self.maximum(v, c) &- c }

    /// How much darker than `c` each lane of `v` is, 0 if brighter.
    @inline(__always)
    static func darker(_ v: Bytes, _ c: Bytes) -> Bytes { c &- Self.minimum(v, c) }

    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> Bytes {
        UnsafeRawPointer(p).loadUnaligned(as: Bytes.self)
    }

    /// A lane mask as bytes 0xFF / 0x00 (a mask is stored as exactly that vector).
    @inline(__always)
    static func bits(_ mask: SIMDMask<SIMD16<Int8>>) -> Bytes {
        unsafeBitCast(mask, to: Bytes.self)
    }

    /// Whether any lane is non-zero, in two 64-bit words rather than the stdlib's lane loop.
    @inline(__always)
    static func any(_ v: Bytes) -> Bool {
        let words = unsafeBitCast(v, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }

    /// See the file header; at least 1 for a corner at threshold 0. Extremes over each arc of 9
    /// are built from those over runs of 2, 4 and 8, in place, in 16-bit lanes (differences
    /// lie in −255...255), which the vector unit takes 8 at a time.
    @inline(__always)
    func cornerScore(_ p: UnsafePointer<UInt8>, circle: UnsafeMutablePointer<Int>) -> UInt8 {
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: 72) { buffer -> UInt8 in
            let d = buffer.baseAddress!, low = d + 24, high = d + 48
            let c = Int16(p[0])
            for k in 0..<16 { d[k] = Int16(p[circle[k]]) &- c }
            for k in 16..<24 { d[k] = d[k - 16] }
            for i in 0..<23 { low[i] = min(d[i], d[i + 1]); high[i] = max(d[i], d[i + 1]) }
            for i in 0..<21 { low[i] = min(low[i], low[i + 2]); high[i] = max(high[i], high[i + 2]) }
            for i in 0..<17 { low[i] = min(low[i], low[i + 4]); high[i] = max(high[i], high[i + 4]) }
            var best: Int16 = 0
            for i in 0..<16 {
                // Brighter arc: its smallest difference; darker arc: its smallest negated one.
                best = max(best, min(low[i], d[i + 8]), 0 &- max(high[i], d[i + 8]))
            }
            return UInt8(min(best, 255))
        }
    }

    /// Keeps the `count` highest FAST scores; among equal scores at the cut, the first in raster
    /// order. Linear: scores are bytes, so a histogram finds the cut.
    func keepBestByScore(_ count: Int) {
        guard corners.count > count else { return }
        var histogram = [Int](repeating: 0, count: 256)
        for c in corners { histogram[Int(c.score)] += 1 }
        var cut = 255, above = 0
        while above + histogram[cut] < count {
            above += histogram[cut]
            cut -= 1
        }
        var atCut = count - above
        var kept = 0
        for i in corners.indices {
            let s = Int(corners[i].score)
            if s > cut || (s == cut && atCut > 0) {
                if s == cut { atCut -= 1 }
                corners[kept] = corners[i]
                kept += 1
            }
        }
        corners.removeLast(corners.count - kept)
    }

    /// Keeps `count` corners spread over the level's `spreadCells`² cells: the strongest first
    /// (by FAST score, ties by position; or in their order, already ranked by Harris response),
    /// each cell taking at most its share (`count` over the cells, rounded up), then the strongest
    /// of those left anywhere until `count`. The kept corners stay in that order of strength.
    func keepSpread(_ level: Level, _ count: Int, rankedByResponse: Bool) {
        guard corners.count > count else { return }
        if !rankedByResponse {
            corners.sort { l, r in
                if l.score != r.score { return l.score > r.score }
                return l.y != r.y ? l.y < r.y : l.x < r.x
            }
        }
        let n = options.spreadCells, share = (count + n * n - 1) / (n * n)
        // Scratch kept between calls: this runs twice per level of every suspect picture.
        spreadTaken.removeAll(keepingCapacity: true)
        spreadTaken.append(contentsOf: repeatElement(0, count: n * n))
        spreadKept.removeAll(keepingCapacity: true)
        spreadKept.append(contentsOf: repeatElement(false, count: corners.count))
        var kept = 0
        for (i, c) in corners.enumerated() where kept < count {
            let cell = min(n - 1, Int(c.y) * n / level.height) * n + min(n - 1, Int(c.x) * n / level.width)
            if spreadTaken[cell] < share { spreadTaken[cell] += 1; spreadKept[i] = true; kept += 1 }
        }
        for i in corners.indices where kept < count && !spreadKept[i] { spreadKept[i] = true; kept += 1 }
        var out = 0
        for i in corners.indices where spreadKept[i] { corners[out] = corners[i]; out += 1 }
        corners.removeLast(corners.count - out)
    }

    /// Harris responses of the corners, then keeps the `count` strongest, strongest first (ties
    /// by position).
    func rankByHarris(_ level: Level, keeping count: Int) {
        let w = level.width
        let image = pyramid + level.offset
        let r = Self.harrisBlock / 2
        // OpenCV's normalisation: gradients of a 3x3 Sobel (×4) over the block, in 0...1 units.
        let scale = 1 / (Float(4 * Self.harrisBlock) * 255)
        let scale4 = scale * scale * scale * scale
        for i in corners.indices {
            let x0 = Int(corners[i].x), y0 = Int(corners[i].y)
            var a = 0, b = 0, c = 0
            for y in (y0 - r)...(y0 + r) {
                let row = image + y * w
                for x in (x0 - r)...(x0 + r) {
                    let p = row + x
                    let ix = (Int(p[1]) - Int(p[-1])) * 2 + (Int(p[-w + 1]) - Int(p[-w - 1])) + (Int(p[w + 1]) - Int(p[w - 1]))
                    let iy = (Int(p[w]) - Int(p[-w])) * 2 + (Int(p[w - 1]) - Int(p[-w - 1])) + (Int(p[w + 1]) - Int(p[-w + 1]))
                    a += ix * ix
                    b += iy * iy
                    c += ix * iy
                }
            }
            let fa = Float(a), fb = Float(b), fc = Float(c)
            corners[i].response = (fa * fb - fc * fc - Self.harrisK * (fa + fb) * (fa + fb)) * scale4
        }
        corners.sort { l, r in
            if l.response != r.response { return l.response > r.response }
            return l.y != r.y ? l.y < r.y : l.x < r.x
        }
        if corners.count > count { corners.removeLast(corners.count - count) }
    }
}
