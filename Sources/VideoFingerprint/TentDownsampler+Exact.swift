// TentDownsampler, the sides up to 256 of 8-bit luma: the same 64x64 samples as `downsample`,
// to the bit, from the samples' neighbourhoods alone. Input shape: a rectangle of a packed 8-bit
// luma plane, optionally read mirrored left-right; output: 64x64 Float, row-major.
//
// Why it is exact: a side of at most 256 gives boxes of 1 or 2 samples (`windowSize`), so each
// pass divides by 1 or 2. Starting from whole numbers 0...255, every value of the four passes
// is then a multiple of 1/16 below 3 * 256, and every running sum (and every partial sum of its
// adds and subtracts) fits a Float's 24-bit mantissa: no operation of the reference rounds, so
// its result is the exact value of the linear filter, whatever the order of the operations.
// That filter is two boxes along each axis: a 2-box is (x[c] + x[c+1]) / 2, except the last
// sample, which the shrinking window leaves as it is; two of them give weights (1, 2, 1) / 4 on
// x[c...c+2], (1, 3) / 4 on the last two samples, 4 / 4 on the last one; a 1-box is the
// identity. So each output sample is an integer sum over at most 3x3 pixels, divided by 16,
// both exact. This skips the Float copy of the rectangle and all four passes over it, which
// cost more than the rest of a frame's hashing (the pipeline's 256x256 analysis frames).
extension TentDownsampler {
    /// Whether `downsampleExactly` takes a rectangle of this shape.
    static func isExact(rows: Int, cols: Int) -> Bool {
        rows >= 1 && cols >= 1 && windowSize(old: rows, new: 64) <= 2 && windowSize(old: cols, new: 64) <= 2
    }

    /// Where output sample `o` of a line of `length` reads, and its three weights (sum 4) on
    /// positions first, first + 1, first + 2 (zero weights point at `first`, inside the line).
    @inline(__always)
    static func taps(_ o: Int, length n: Int) -> (first: Int, weights: SIMD3<Int32>, offsets: SIMD3<Int>) {
        let c = sampleIndex(o, length: n)
        if windowSize(old: n, new: 64) == 1 || c == n - 1 { return (c, [4, 0, 0], [0, 0, 0]) }
        if c == n - 2 { return (c, [1, 3, 0], [0, 1, 0]) }
        return (c, [1, 2, 1], [0, 1, 2])
    }

    /// The 64x64 tent-downsampled samples of `rect` of `luma` (rows of `stride` bytes), read
    /// mirrored left-right when `mirrored`; `isExact(rows: rect.height, cols: rect.width)` must hold.
    func downsampleExactly(_ luma: UnsafePointer<UInt8>, stride: Int, rect: PixelRect, mirrored: Bool,
                           into out: UnsafeMutablePointer<Float>) {
        precondition(Self.isExact(rows: rect.height, cols: rect.width),
                     "TentDownsampler: \(rect) is too large for the exact path")
        // Per output column: the three source byte offsets within a row and their weights (on
        // the stack: hashing a frame allocates nothing).
        withUnsafeTemporaryAllocation(of: (offsets: SIMD3<Int>, weights: SIMD3<Int32>).self, capacity: 64) { columns in
            for o in 0..<64 {
                let t = Self.taps(o, length: rect.width)
                let c = SIMD3(repeating: t.first) &+ t.offsets
                let x = mirrored ? SIMD3(repeating: rect.x + rect.width - 1) &- c : SIMD3(repeating: rect.x) &+ c
                columns.initializeElement(at: o, to: (x, t.weights))
            }
            for i in 0..<64 {
                let t = Self.taps(i, length: rect.height)
                let rows = SIMD3(repeating: rect.y + t.first) &+ t.offsets
                let r0 = luma + rows[0] * stride, r1 = luma + rows[1] * stride, r2 = luma + rows[2] * stride
                let line = out + i * 64
                for j in 0..<64 {
                    let column = columns[j]
                    func across(_ row: UnsafePointer<UInt8>) -> Int32 {
                        Int32(row[column.offsets[0]]) &* column.weights[0] &+ Int32(row[column.offsets[1]]) &* column.weights[1]
                            &+ Int32(row[column.offsets[2]]) &* column.weights[2]
                    }
                    let sum = across(r0) &* t.weights[0] &+ across(r1) &* t.weights[1] &+ across(r2) &* t.weights[2]
                    line[j] = Float(sum) / 16
                }
            }
        }
    }
}
