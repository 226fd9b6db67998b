// TentDownsampler: PDQ's "Jarosz" tent-filter downsample to 64x64 (ThreatExchange
// `pdq/cpp/downscaling/downscaling.cpp`: jaroszFilterFloat + decimateFloat).
// Input shape: a row-major Float luma plane of rows x cols (any size ≥ 1), overwritten as
// scratch; output: 64x64 Float, row-major.
//
// Two passes of box filters along rows then columns approximate a tent filter; each box is
// ⌈old / 128⌉ wide, so two of them span one 64th of the image, then one centre sample per output
// cell is taken. The running-sum arithmetic (order of adds, subtracts and divides, window growing
// and shrinking at the ends) is reproduced exactly, so hashes agree bit for bit with the
// reference rather than "nearly": near-median DCT coefficients flip on tiny differences.
//
// Where the time goes, and what is done about it (results unchanged, every value still comes
// from the same float operations in the same order):
// - A row's running sum is one serial chain of dependent adds. Rows are filtered `Lanes` at a
//   time, interleaved so that each vector lane carries one row's chain.
// - Divisions dominate. A running sum is kept undivided and divided only where its value is
//   used: the last pass only needs the 64 sampled columns of its row filter and the 64 sampled
//   rows of those columns, so most of its work (and all of its divisions but 64 per row) goes.
// Scratch is owned and grown on demand, so downsampling a frame allocates nothing; one instance
// per thread.

final class TentDownsampler {
    static let passes = 2
    /// Rows filtered together, one per vector lane.
    typealias Lanes = SIMD8<Float>

    /// The row filter's output; rows x max(cols, 64) (the last pass keeps 64 columns).
    private var work: UnsafeMutablePointer<Float>
    private var workCapacity: Int
    /// A block of rows interleaved (one Lanes per column), and its running sums; max(cols, 64).
    private var lanes: UnsafeMutablePointer<Lanes>
    private var laneSums: UnsafeMutablePointer<Lanes>
    private var laneCapacity: Int
    /// The column filter's running sums, one per column.
    private var columnSums: UnsafeMutablePointer<Float>
    /// Samples in the window at each output position of a line.
    private var divisors: UnsafeMutablePointer<Float>
    private var lineCapacity: Int
    /// Identity column list (0..<cols) for the passes that keep every column or row.
    private var everyIndex: UnsafeMutablePointer<Int>
    private let sampledRows: UnsafeMutablePointer<Int>
    private let sampledCols: UnsafeMutablePointer<Int>

    init(expectedPixels: Int = 256 * 256) {
        workCapacity = max(expectedPixels, 64 * 64)
        work = .allocate(capacity: workCapacity)
        laneCapacity = 1024
        lanes = .allocate(capacity: laneCapacity)
        laneSums = .allocate(capacity: laneCapacity)
        lineCapacity = 1024
        columnSums = .allocate(capacity: lineCapacity)
        divisors = .allocate(capacity: lineCapacity)
        everyIndex = .allocate(capacity: lineCapacity)
        for i in 0..<lineCapacity { everyIndex[i] = i }
        sampledRows = .allocate(capacity: 64)
        sampledCols = .allocate(capacity: 64)
    }

    deinit {
        work.deallocate()
        lanes.deallocate()
        laneSums.deallocate()
        columnSums.deallocate()
        divisors.deallocate()
        everyIndex.deallocate()
        sampledRows.deallocate()
        sampledCols.deallocate()
    }

    /// The reference's window: ⌈old / (2 * new)⌉.
    static func windowSize(old: Int, new: Int) -> Int {
        (old + 2 * new - 1) / (2 * new)
    }

    /// The reference's decimation: the sample nearest output cell `o`'s centre, in Double.
    static func sampleIndex(_ o: Int, length: Int) -> Int {
        Int((Double(o) + 0.5) * Double(length) / 64)
    }

    /// Blurs `plane` (rows x cols, overwritten) and writes its 64x64 centre samples to `out`.
    func downsample(_ plane: UnsafeMutablePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        precondition(rows >= 1 && cols >= 1, "TentDownsampler: empty \(rows)x\(cols) plane")
        reserve(rows: rows, cols: cols)
        let windowAlongRows = Self.windowSize(old: cols, new: 64)
        let windowAlongCols = Self.windowSize(old: rows, new: 64)
        for o in 0..<64 {
            sampledRows[o] = Self.sampleIndex(o, length: rows)
            sampledCols[o] = Self.sampleIndex(o, length: cols)
        }
        let allCols = UnsafeBufferPointer(start: everyIndex, count: cols)
        let allRows = UnsafeBufferPointer(start: everyIndex, count: rows)
        for _ in 0..<(Self.passes - 1) {
            boxRows(plane, work, rows: rows, cols: cols, window: windowAlongRows, keep: allCols)
            boxColumns(work, plane, rows: rows, cols: cols, window: windowAlongCols, keep: allRows)
        }
        boxRows(plane, work, rows: rows, cols: cols, window: windowAlongRows,
                keep: UnsafeBufferPointer(start: sampledCols, count: 64))
        boxColumns(work, out, rows: rows, cols: 64, window: windowAlongCols,
                   keep: UnsafeBufferPointer(start: sampledRows, count: 64))
    }

    private func reserve(rows: Int, cols: Int) {
        let pixels = rows * max(cols, 64)
        if pixels > workCapacity {
            work.deallocate()
            workCapacity = pixels
            work = .allocate(capacity: pixels)
        }
        let line = max(rows, cols, 64)
        if line > laneCapacity {  // 64: the last pass keeps 64 columns, some repeated in short rows
            lanes.deallocate(); laneSums.deallocate()
            laneCapacity = line
            lanes = .allocate(capacity: line)
            laneSums = .allocate(capacity: line)
        }
        if line > lineCapacity {
            columnSums.deallocate(); divisors.deallocate(); everyIndex.deallocate()
            lineCapacity = line
            columnSums = .allocate(capacity: line)
            divisors = .allocate(capacity: line)
            everyIndex = .allocate(capacity: line)
            for i in 0..<line { everyIndex[i] = i }
        }
    }

    /// The reference's phase counts: the window grows from half size at the start, slides, and
    /// shrinks at the end, dividing by the number of samples actually summed.
    @inline(__always)
    static func phases(length: Int, window: Int) -> (grow0: Int, grow: Int, slide: Int, shrink: Int) {
        let half = (window + 2) / 2
        return (half - 1, window - half + 1, max(0, length - window), half - 1)
    }

    /// `divisors[o]`: how many samples the window at output position `o` sums.
    private func fillDivisors(length: Int, window: Int) {
        let p = Self.phases(length: length, window: window)
        var count = p.grow0, o = 0
        for _ in 0..<p.grow { count += 1; divisors[o] = Float(count); o += 1 }
        for _ in 0..<p.slide { divisors[o] = Float(count); o += 1 }
        for _ in 0..<p.shrink { count -= 1; divisors[o] = Float(count); o += 1 }
    }

    /// Box filter along every row of `input` (rows x cols), keeping the columns `keep`
    /// (ascending, repeats allowed): `output` is rows x keep.count.
    private func boxRows(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                         rows: Int, cols: Int, window: Int, keep: UnsafeBufferPointer<Int>) {
        fillDivisors(length: cols, window: window)
        let n = Lanes.scalarCount
        var r0 = 0
        while r0 + n <= rows {
            boxRowBlock(input + r0 * cols, output + r0 * keep.count, lines: n, cols: cols, window: window, keep: keep)
            r0 += n
        }
        if r0 < rows {
            boxRowBlock(input + r0 * cols, output + r0 * keep.count, lines: rows - r0, cols: cols, window: window, keep: keep)
        }
    }

    /// Up to `Lanes.scalarCount` rows at once: interleave, run the sums, divide and write out the
    /// kept columns. Unused lanes of a short block carry zeros and are never written out.
    // Hot loop: runs over every pixel of the frame twice.
    @inline(__always)
    private func boxRowBlock(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                             lines: Int, cols: Int, window: Int, keep: UnsafeBufferPointer<Int>) {
        let n = Lanes.scalarCount
        if lines == 8 {
            // A whole block: one vector built from registers per column, not eight strided
            // stores (written out for Lanes == SIMD8).
            let r0 = input, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols
            let r4 = r3 + cols, r5 = r4 + cols, r6 = r5 + cols, r7 = r6 + cols
            for k in 0..<cols { lanes[k] = Lanes(r0[k], r1[k], r2[k], r3[k], r4[k], r5[k], r6[k], r7[k]) }
        } else {
            lanes.withMemoryRebound(to: Float.self, capacity: cols * n) { interleaved in
                interleaved.update(repeating: 0, count: cols * n)
                for i in 0..<lines {
                    let row = input + i * cols
                    for k in 0..<cols { interleaved[k * n + i] = row[k] }
                }
            }
        }
        Self.runningSums(lanes, laneSums, length: cols, window: window)
        // The kept columns, divided, into `lanes` (its input is spent), then written out row by
        // row: contiguous stores, which cost less than eight scattered ones per column.
        let kept = keep.count
        for (j, k) in keep.enumerated() {
            lanes[j] = laneSums[k] / Lanes(repeating: divisors[k])
        }
        lanes.withMemoryRebound(to: Float.self, capacity: kept * n) { divided in
            for i in 0..<lines {
                let row = output + i * kept
                for j in 0..<kept { row[j] = divided[j * n + i] }
            }
        }
    }

    /// The reference's running sum along a line, for every lane at once: `sums[o]` is the window
    /// sum at output position `o`, undivided (see `divisors`).
    @inline(__always)
    static func runningSums(_ input: UnsafePointer<Lanes>, _ sums: UnsafeMutablePointer<Lanes>, length: Int, window: Int) {
        let p = phases(length: length, window: window)
        var li = 0, ri = 0, oi = 0
        var sum = Lanes()
        for _ in 0..<p.grow0 {
            sum += input[ri]; ri += 1
        }
        for _ in 0..<p.grow {
            sum += input[ri]
            sums[oi] = sum
            ri += 1; oi += 1
        }
        for _ in 0..<p.slide {
            sum += input[ri]
            sum -= input[li]
            sums[oi] = sum
            li += 1; ri += 1; oi += 1
        }
        for _ in 0..<p.shrink {
            sum -= input[li]
            sums[oi] = sum
            li += 1; oi += 1
        }
    }

    /// Box filter down every column, swept row by row over all columns at once so memory is read
    /// contiguously (each column's sum sees the same operations in the same order as the
    /// reference's strided loop). Only the rows `keep` (ascending, repeats allowed) are divided
    /// and written: `output` is keep.count x cols.
    private func boxColumns(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                            rows: Int, cols: Int, window: Int, keep: UnsafeBufferPointer<Int>) {
        let p = Self.phases(length: rows, window: window)
        fillDivisors(length: rows, window: window)
        let sums = columnSums
        sums.initialize(repeating: 0, count: cols)
        var li = 0, ri = 0, oi = 0
        var next = 0
        func emit() {
            let c = divisors[oi]
            while next < keep.count && keep[next] == oi {
                let o = output + next * cols
                for j in 0..<cols { o[j] = sums[j] / c }
                next += 1
            }
            oi += 1
        }
        for _ in 0..<p.grow0 {
            let r = input + ri * cols
            for j in 0..<cols { sums[j] += r[j] }
            ri += 1
        }
        for _ in 0..<p.grow {
            let r = input + ri * cols
            for j in 0..<cols { sums[j] += r[j] }
            ri += 1
            emit()
        }
        for _ in 0..<p.slide {
            let r = input + ri * cols
            let l = input + li * cols
            for j in 0..<cols {
                var s = sums[j] + r[j]
                s -= l[j]
                sums[j] = s
            }
            li += 1; ri += 1
            emit()
        }
        for _ in 0..<p.shrink {
            let l = input + li * cols
            for j in 0..<cols { sums[j] -= l[j] }
            li += 1
            emit()
        }
    }
}
