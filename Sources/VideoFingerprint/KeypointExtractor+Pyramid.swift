// KeypointExtractor+Pyramid: the scale pyramid and the Gaussian blur the descriptors read
// (OpenCV orb.cpp: `resize(..., INTER_LINEAR_EXACT)` level from level, then
// `GaussianBlur(level, Size(7, 7), 2, 2)` before describing).
// Input shape: 8-bit luma, width x height, rows `stride` bytes apart; levels are stored packed
// (row length = level width) back to back in `pyramid`.
//
// Fixed-point arithmetic throughout: 11-bit bilinear weights, and a 7-tap kernel in 256ths, so
// results are the same on every machine.

extension KeypointExtractor {
    /// exp(-d² / (2·2²)) for d = -3...3, normalised and rounded to sum to 256.
    static let blurKernel: (Int32, Int32, Int32, Int32) = (56, 49, 33, 18)

    func buildPyramid(_ luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, stride: Int, mirrored: Bool) {
        guard let base = luma.baseAddress, let first = levelShapes.first else { return }
        for y in 0..<height {
            let src = base + y * stride, dst = pyramid + first.offset + y * width
            if mirrored {
                for x in 0..<width { dst[x] = src[width - 1 - x] }
            } else {
                dst.update(from: src, count: width)
            }
        }
        for index in levelShapes.indices.dropFirst() {
            downscale(from: levelShapes[index - 1], to: levelShapes[index])
        }
    }

    /// Bilinear resampling with pixel centres aligned: destination pixel x samples the source at
    /// (x + 0.5) · srcWidth / dstWidth - 0.5. Separable, with the integer results of the 2x2
    /// formula: each source row's horizontal taps (at most 255 · 2¹¹) are computed once into
    /// `downscaleRows` — a source row serves at most two destination rows, as the ratio exceeds
    /// 1, so two cached rows suffice — and the vertical blend (below 2³¹) runs 16 lanes at a time.
    func downscale(from source: Level, to target: Level) {
        let one = 1 << 11
        let ratioX = Double(source.width) / Double(target.width)
        let ratioY = Double(source.height) / Double(target.height)
        // Locals, not properties: stores through `dst` could otherwise alias them.
        let columnIndex = columnIndex, columnWeight = columnWeight, rows = downscaleRows
        for x in 0..<target.width {
            let (i, w) = Self.tap(Double(x), ratio: ratioX, limit: source.width, one: one)
            columnIndex[x] = i
            columnWeight[x] = w
        }
        let src = pyramid + source.offset, tw = target.width
        // The source rows held by the two halves of `rows` (-1: none yet).
        var held = (-1, -1)
        @inline(__always) func horizontal(_ j: Int, keeping other: Int) -> UnsafeMutablePointer<Int32> {
            if held.0 == j { return rows }
            if held.1 == j { return rows + tw }
            let slot = held.0 == other ? 1 : 0
            let s = src + j * source.width, t = rows + slot * tw
            for x in 0..<tw {
                // a·(one - wx) + b·wx, rewritten with one multiply; wrapping operators because
                // nothing can overflow and the checks cost more than the arithmetic.
                let i = columnIndex[x], a = Int(s[i]), b = Int(s[i &+ 1])
                t[x] = Int32(truncatingIfNeeded: (a &<< 11) &+ (b &- a) &* columnWeight[x])
            }
            if slot == 0 { held.0 = j } else { held.1 = j }
            return t
        }
        typealias Lanes = SIMD16<Int32>
        for y in 0..<target.height {
            let (j, wy) = Self.tap(Double(y), ratio: ratioY, limit: source.height, one: one)
            let top = horizontal(j, keeping: j + 1), bottom = horizontal(j + 1, keeping: j)
            let dst = pyramid + target.offset + y * tw
            // t·(one - wy) + b·wy as t·2¹¹ + (b - t)·wy: one 32-bit multiply, which SSE2 lacks.
            let wBottom = Int32(wy), half = Int32(1 << 21)
            var x = 0
            while x + Lanes.scalarCount <= tw {
                let t = UnsafeRawPointer(top + x).loadUnaligned(as: Lanes.self)
                let b = UnsafeRawPointer(bottom + x).loadUnaligned(as: Lanes.self)
                let v = ((t &<< 11) &+ (b &- t) &* wBottom &+ half) &>> 22
                UnsafeMutableRawPointer(dst + x).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: v), as: SIMD16<UInt8>.self)
                x += Lanes.scalarCount
            }
            while x < tw {
                dst[x] = UInt8(truncatingIfNeeded: ((top[x] &<< 11) &+ (bottom[x] &- top[x]) &* wBottom &+ half) >> 22)
                x += 1
            }
        }
    }

    /// Left source index and weight of its right neighbour for destination coordinate `d`,
    /// clamped so both taps are inside the source.
    @inline(__always)
    static func tap(_ d: Double, ratio: Double, limit: Int, one: Int) -> (Int, Int) {
        let s = (d + 0.5) * ratio - 0.5
        if s <= 0 { return (0, 0) }
        var i = Int(s)
        var w = Int(((s - Double(i)) * Double(one)).rounded())
        if w == one { i += 1; w = 0 }
        if i >= limit - 1 { return (limit - 2, one) }
        return (i, w)
    }

    /// 7x7 Gaussian (sigma 2) of a level into `blurred`, borders replicated: of the whole level,
    /// or only of the rectangle the descriptors of the current `corners` read (within
    /// `minimumEdgeMargin` of a corner: the pattern's points lie within 15 pixels of it, turned
    /// and rounded). Pixels outside it are left as they were; each pixel inside is what blurring
    /// the whole level gives, as the passes read the level, not `blurred`.
    func blur(_ level: Level, onlyAroundCorners: Bool = false) {
        var columns = 0..<level.width, rows = 0..<level.height
        if onlyAroundCorners {
            guard let first = corners.first else { return }
            var (x0, x1, y0, y1) = (first.x, first.x, first.y, first.y)
            for c in corners {
                x0 = min(x0, c.x); x1 = max(x1, c.x); y0 = min(y0, c.y); y1 = max(y1, c.y)
            }
            let reach = Self.minimumEdgeMargin
            columns = max(Int(x0) - reach, 0)..<min(Int(x1) + reach + 1, level.width)
            rows = max(Int(y0) - reach, 0)..<min(Int(y1) + reach + 1, level.height)
        }
        blur(level, columns: columns, rows: rows)
    }

    /// The blur of `columns` x `rows` of a level. Both passes in 16-bit lanes, exactly: the
    /// horizontal sums are at most 255 · 256; the vertical pass splits each into its high and low
    /// byte, Σk·t = 256·Σk·(t >> 8) + Σk·(t & 255), both sums at most 255 · 256, and
    /// (Σk·t + 2¹⁵) >> 16 = (Σk·(t >> 8) + 128 + (Σk·(t & 255) >> 8)) >> 8 (below 2¹⁶), as the
    /// low byte dropped from the second sum cannot carry into the 2¹⁶ place.
    func blur(_ level: Level, columns: Range<Int>, rows: Range<Int>) {
        let w = level.width, h = level.height
        guard !columns.isEmpty, !rows.isEmpty else { return }
        let (k0, k1, k2, k3) = Self.blurKernel
        let src = pyramid + level.offset, dst = blurred + level.offset, blurRows = blurRows
        // The same kernel in 16 bits. The loops below are plain wrapping arithmetic on pointers,
        // which the optimiser turns into 16-bit vector code (Swift's SIMD16<UInt8> to
        // SIMD16<UInt16> conversion, by contrast, is a call).
        let (h0, h1, h2, h3) = (UInt16(k0), UInt16(k1), UInt16(k2), UInt16(k3))
        // Horizontal pass into 16 bits (at most 255 · 256), on the rows the vertical pass reads.
        // Columns whose taps leave the level are done one by one with clamping.
        let inner = max(columns.lowerBound, 3)..<max(min(columns.upperBound, w - 3), max(columns.lowerBound, 3))
        for y in max(rows.lowerBound - 3, 0)..<min(rows.upperBound + 3, h) {
            let s = UnsafePointer(src + y * w), t = blurRows + y * w
            @inline(__always) func at(_ x: Int) -> Int32 { Int32(s[min(max(x, 0), w - 1)]) }
            @inline(__always) func clamped(_ x: Int) {
                t[x] = UInt16(k0 * at(x) + k1 * (at(x - 1) + at(x + 1)) + k2 * (at(x - 2) + at(x + 2)) + k3 * (at(x - 3) + at(x + 3)))
            }
            for x in columns.lowerBound..<min(inner.lowerBound, columns.upperBound) { clamped(x) }
            for x in inner {
                @inline(__always) func at(_ d: Int) -> UInt16 { UInt16(s[x &+ d]) }
                t[x] = h0 &* at(0) &+ h1 &* (at(-1) &+ at(1)) &+ h2 &* (at(-2) &+ at(2)) &+ h3 &* (at(-3) &+ at(3))
            }
            for x in min(max(inner.upperBound, columns.lowerBound), columns.upperBound)..<columns.upperBound { clamped(x) }
        }
        // Vertical pass: rows clamped at the borders, then rounded back to 8 bits.
        for y in rows {
            @inline(__always) func row(_ r: Int) -> UnsafePointer<UInt16> { UnsafePointer(blurRows + min(max(r, 0), h - 1) * w) }
            let r0 = row(y), rm1 = row(y - 1), rp1 = row(y + 1), rm2 = row(y - 2), rp2 = row(y + 2), rm3 = row(y - 3), rp3 = row(y + 3)
            let d = dst + y * w
            for x in columns {
                @inline(__always) func high(_ r: UnsafePointer<UInt16>) -> UInt16 { r[x] &>> 8 }
                @inline(__always) func low(_ r: UnsafePointer<UInt16>) -> UInt16 { r[x] & 255 }
                let sumHigh = h0 &* high(r0) &+ h1 &* (high(rm1) &+ high(rp1)) &+ h2 &* (high(rm2) &+ high(rp2))
                    &+ h3 &* (high(rm3) &+ high(rp3))
                let sumLow = h0 &* low(r0) &+ h1 &* (low(rm1) &+ low(rp1)) &+ h2 &* (low(rm2) &+ low(rp2))
                    &+ h3 &* (low(rm3) &+ low(rp3))
                d[x] = UInt8(truncatingIfNeeded: (sumHigh &+ 128 &+ (sumLow &>> 8)) &>> 8)
            }
        }
    }
}
