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
            (scoreRow + x0).update(repeating: 0, count: x1 - x0)
            if x1 - x0 < 16 {
                for x in x0..<x1 where isCorner(row + x, threshold: threshold, circle: circle) {
                    scoreRow[x] = cornerScore(row + x, circle: circle)
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
            let s = scores + y * w, up = s - w, down = s + w
            var x = margin
            let end = w - margin
            while x < end {
                // Most scores are 0: skip them eight at a time.
                if x + 8 <= end && UnsafeRawPointer(s + x).loadUnaligned(as: UInt64.self) == 0 {
                    x += 8
                    continue
                }
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

    /// FAST for 16 neighbouring centres at once: per lane, the longest run of brighter and of
    /// darker circle pixels, going round 24 steps so that runs crossing pixel 0 count. The (few)
    /// corners are then scored one by one. 8-bit lanes throughout: c + t can wrap, so lanes
    /// whose centre is within t of 255 (0) cannot have brighter (darker) pixels.
    @inline(__always)
    func scoreBlock(_ p: UnsafePointer<UInt8>, scores: UnsafeMutablePointer<UInt8>, threshold: Int,
                    circle: UnsafeMutablePointer<Int>) {
        let t = Bytes(repeating: UInt8(threshold))
        let c = Self.load(p)
        let bright = c &+ t, dark = c &- t
        let canBeBright = Self.bits(c .<= Bytes(repeating: UInt8(255 - threshold)))
        let canBeDark = Self.bits(c .> t)
        // Any 9-pixel arc contains circle pixel 0 or pixel 8.
        let a = Self.load(p + circle[0]), b = Self.load(p + circle[8])
        let quick = (Self.bits(a .> bright) | Self.bits(b .> bright)) & canBeBright
            | (Self.bits(a .< dark) | Self.bits(b .< dark)) & canBeDark
        guard Self.any(quick) else { return }
        let one = Bytes(repeating: 1), nine = Bytes(repeating: 8)
        var brightRun = Bytes(repeating: 0), darkRun = Bytes(repeating: 0), found = Bytes(repeating: 0)
        for k in 0..<24 {
            let v = Self.load(p + circle[k & 15])
            brightRun = (brightRun &+ one) & Self.bits(v .> bright)
            darkRun = (darkRun &+ one) & Self.bits(v .< dark)
            found |= Self.bits(brightRun .> nine) & canBeBright | Self.bits(darkRun .> nine) & canBeDark
        }
        guard Self.any(found) else { return }
        for lane in 0..<16 where found[lane] != 0 {
            scores[lane] = cornerScore(p + lane, circle: circle)
        }
    }

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

    /// Whether the 16-bit circular mask has 9 contiguous set bits.
    @inline(__always)
    static func hasArc(_ mask: UInt16) -> Bool {
        let m = UInt32(mask) | UInt32(mask) << 16
        let two = m & (m >> 1)
        let four = two & (two >> 2)
        let eight = four & (four >> 4)
        return (eight & (m >> 8)) & 0xFFFF != 0
    }

    /// The FAST test for one pixel (the tail of a row).
    @inline(__always)
    func isCorner(_ p: UnsafePointer<UInt8>, threshold: Int, circle: UnsafeMutablePointer<Int>) -> Bool {
        let c = Int(p[0])
        var brightBits: UInt16 = 0, darkBits: UInt16 = 0
        for k in 0..<16 {
            let v = Int(p[circle[k]])
            brightBits |= (v > c + threshold ? 1 : 0) << UInt16(k)
            darkBits |= (v < c - threshold ? 1 : 0) << UInt16(k)
        }
        return Self.hasArc(brightBits) || Self.hasArc(darkBits)
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
