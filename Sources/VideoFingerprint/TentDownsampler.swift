// TentDownsampler: PDQ's "Jarosz" tent-filter downsample to 64x64 (ThreatExchange
// `pdq/cpp/downscaling/downscaling.cpp`: jaroszFilterFloat + decimateFloat).
// Input shape: a row-major Float luma plane of rows x cols (any size ≥ 1), plus a second plane of
// the same size as scratch; output: 64x64 Float, row-major.
//
// Two passes of box filters along rows then columns approximate a tent filter; each box is
// ⌈old / 128⌉ wide, so two of them span one 64th of the image, then one centre sample per output
// cell is taken. The running-sum arithmetic (order of adds, subtracts and divides, window growing
// and shrinking at the ends) is reproduced exactly, so hashes agree bit for bit with the
// reference rather than "nearly": near-median DCT coefficients flip on tiny differences.

enum TentDownsampler {
    static let passes = 2

    /// The reference's window: ⌈old / (2 * new)⌉.
    static func windowSize(old: Int, new: Int) -> Int {
        (old + 2 * new - 1) / (2 * new)
    }

    /// Blurs `buffer1` in place (rows x cols), using `buffer2` and `columnSums` (cols floats) as
    /// scratch, then samples the 64x64 centres into `out`.
    static func downsample(_ buffer1: UnsafeMutablePointer<Float>, _ buffer2: UnsafeMutablePointer<Float>,
                           columnSums: UnsafeMutablePointer<Float>,
                           rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        let windowAlongRows = windowSize(old: cols, new: 64)
        let windowAlongCols = windowSize(old: rows, new: 64)
        for _ in 0..<passes {
            for i in 0..<rows {
                boxRow(buffer1 + i * cols, buffer2 + i * cols, length: cols, window: windowAlongRows)
            }
            boxColumns(buffer2, buffer1, sums: columnSums, rows: rows, cols: cols, window: windowAlongCols)
        }
        decimate(buffer1, rows: rows, cols: cols, into: out)
    }

    /// The reference's phase counts: the window grows from half size at the start, slides, and
    /// shrinks at the end, dividing by the number of samples actually summed.
    @inline(__always)
    static func phases(length: Int, window: Int) -> (grow0: Int, grow: Int, slide: Int, shrink: Int) {
        let half = (window + 2) / 2
        return (half - 1, window - half + 1, length - window, half - 1)
    }

    // Hot loop: runs over every pixel of the frame four times.
    @inline(__always)
    static func boxRow(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                       length: Int, window: Int) {
        let p = phases(length: length, window: window)
        var li = 0, ri = 0, oi = 0
        var sum: Float = 0
        var count = 0
        for _ in 0..<p.grow0 {
            sum += input[ri]; count += 1; ri += 1
        }
        for _ in 0..<p.grow {
            sum += input[ri]; count += 1
            output[oi] = sum / Float(count)
            ri += 1; oi += 1
        }
        if p.slide > 0 {
            let c = Float(count)
            for _ in 0..<p.slide {
                sum += input[ri]
                sum -= input[li]
                output[oi] = sum / c
                li += 1; ri += 1; oi += 1
            }
        }
        for _ in 0..<p.shrink {
            sum -= input[li]; count -= 1
            output[oi] = sum / Float(count)
            li += 1; oi += 1
        }
    }

    /// Same arithmetic as `boxRow` down every column, but swept row by row over all columns at
    /// once so memory is read contiguously (each column's sum sees the same operations in the same
    /// order as the reference's strided loop, so results are identical).
    static func boxColumns(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                           sums: UnsafeMutablePointer<Float>, rows: Int, cols: Int, window: Int) {
        let p = phases(length: rows, window: window)
        sums.initialize(repeating: 0, count: cols)
        var li = 0, ri = 0, oi = 0
        var count = 0
        for _ in 0..<p.grow0 {
            let r = input + ri * cols
            for j in 0..<cols { sums[j] += r[j] }
            count += 1; ri += 1
        }
        for _ in 0..<p.grow {
            let r = input + ri * cols
            let o = output + oi * cols
            count += 1
            let c = Float(count)
            for j in 0..<cols {
                sums[j] += r[j]
                o[j] = sums[j] / c
            }
            ri += 1; oi += 1
        }
        if p.slide > 0 {
            let c = Float(count)
            for _ in 0..<p.slide {
                let r = input + ri * cols
                let l = input + li * cols
                let o = output + oi * cols
                for j in 0..<cols {
                    var s = sums[j] + r[j]
                    s -= l[j]
                    sums[j] = s
                    o[j] = s / c
                }
                li += 1; ri += 1; oi += 1
            }
        }
        for _ in 0..<p.shrink {
            let l = input + li * cols
            let o = output + oi * cols
            count -= 1
            let c = Float(count)
            for j in 0..<cols {
                sums[j] -= l[j]
                o[j] = sums[j] / c
            }
            li += 1; oi += 1
        }
    }

    /// Nearest sample at each output cell's centre, computed in Double as the reference does.
    static func decimate(_ input: UnsafePointer<Float>, rows: Int, cols: Int,
                         into out: UnsafeMutablePointer<Float>) {
        for oi in 0..<64 {
            let ii = Int((Double(oi) + 0.5) * Double(rows) / 64)
            for oj in 0..<64 {
                let ij = Int((Double(oj) + 0.5) * Double(cols) / 64)
                out[oi * 64 + oj] = input[ii * cols + ij]
            }
        }
    }
}
