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

    /// 7x7 Gaussian (sigma 2) of a level into `blurred`, borders replicated.
    func blur(_ level: Level) {
        let w = level.width, h = level.height
        let (k0, k1, k2, k3) = Self.blurKernel
        let src = pyramid + level.offset, dst = blurred + level.offset, blurRows = blurRows
        // Horizontal pass into 16 bits (at most 255 · 256).
        for y in 0..<h {
            let s = src + y * w, t = blurRows + y * w
            @inline(__always) func at(_ x: Int) -> Int32 { Int32(s[min(max(x, 0), w - 1)]) }
            for x in 0..<3 {
                t[x] = UInt16(k0 * at(x) + k1 * (at(x - 1) + at(x + 1)) + k2 * (at(x - 2) + at(x + 2)) + k3 * (at(x - 3) + at(x + 3)))
            }
            for x in 3..<(w - 3) {
                let a = k0 * Int32(s[x]) + k1 * (Int32(s[x - 1]) + Int32(s[x + 1]))
                let b = k2 * (Int32(s[x - 2]) + Int32(s[x + 2])) + k3 * (Int32(s[x - 3]) + Int32(s[x + 3]))
                t[x] = UInt16(truncatingIfNeeded: a + b)
            }
            for x in (w - 3)..<w {
                t[x] = UInt16(k0 * at(x) + k1 * (at(x - 1) + at(x + 1)) + k2 * (at(x - 2) + at(x + 2)) + k3 * (at(x - 3) + at(x + 3)))
            }
        }
        // Vertical pass: rows clamped at the borders, then rounded back to 8 bits.
        for y in 0..<h {
            @inline(__always) func row(_ r: Int) -> UnsafeMutablePointer<UInt16> { blurRows + min(max(r, 0), h - 1) * w }
            let r0 = row(y), rm1 = row(y - 1), rp1 = row(y + 1), rm2 = row(y - 2), rp2 = row(y + 2), rm3 = row(y - 3), rp3 = row(y + 3)
            let d = dst + y * w
            for x in 0..<w {
                let a = k0 * Int32(r0[x]) + k1 * (Int32(rm1[x]) + Int32(rp1[x]))
                let b = k2 * (Int32(rm2[x]) + Int32(rp2[x])) + k3 * (Int32(rm3[x]) + Int32(rp3[x]))
                d[x] = UInt8(truncatingIfNeeded: (a + b + (1 << 15)) >> 16)
            }
        }
    }
}
