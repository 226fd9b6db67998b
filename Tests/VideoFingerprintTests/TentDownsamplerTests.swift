// TentDownsampler against a line-by-line transcription of the reference (ThreatExchange
// `pdq/cpp/downscaling/downscaling.cpp`: box1DFloat, jaroszFilterFloat, decimateFloat), bit for
// bit, on random planes of many shapes: odd sizes, fewer rows than vector lanes, fewer than 64
// rows or columns, windows from 1 to 8 wide, one downsampler reused across all of them.

import Testing
import TestSupport
@testable import VideoFingerprint

@Suite struct TentDownsamplerTests {
    /// The reference's 1-D box filter, strided, exactly as written there.
    static func box1D(_ input: [Float], _ output: inout [Float], start: Int, length: Int, stride: Int, window: Int) {
        let half = (window + 2) / 2
        let phase1 = half - 1, phase2 = window - half + 1, phase3 = length - window, phase4 = half - 1
        var li = start, ri = start, oi = start
        var sum: Float = 0
        var current = 0
        for _ in 0..<phase1 { sum += input[ri]; current += 1; ri += stride }
        for _ in 0..<phase2 {
            sum += input[ri]; current += 1
            output[oi] = sum / Float(current)
            ri += stride; oi += stride
        }
        for _ in 0..<max(0, phase3) {
            sum += input[ri]; sum -= input[li]
            output[oi] = sum / Float(current)
            li += stride; ri += stride; oi += stride
        }
        for _ in 0..<phase4 {
            sum -= input[li]; current -= 1
            output[oi] = sum / Float(current)
            li += stride; oi += stride
        }
    }

    static func reference(_ plane: [Float], rows: Int, cols: Int) -> [Float] {
        var a = plane, b = [Float](repeating: 0, count: plane.count)
        let alongRows = (cols + 127) / 128, alongCols = (rows + 127) / 128
        for _ in 0..<2 {
            for i in 0..<rows { box1D(a, &b, start: i * cols, length: cols, stride: 1, window: alongRows) }
            for j in 0..<cols { box1D(b, &a, start: j, length: rows, stride: cols, window: alongCols) }
        }
        var out = [Float](repeating: 0, count: 4096)
        for oi in 0..<64 {
            let ii = Int((Double(oi) + 0.5) * Double(rows) / 64)
            for oj in 0..<64 {
                let ij = Int((Double(oj) + 0.5) * Double(cols) / 64)
                out[oi * 64 + oj] = a[ii * cols + ij]
            }
        }
        return out
    }

    @Test func equalsTheReferenceBitForBit() {
        var rng = SeededGenerator(seed: 33)
        var shapes = [(1, 1), (5, 5), (5, 7), (7, 5), (3, 200), (200, 3), (8, 8), (9, 9), (16, 17), (63, 64),
                      (64, 65), (65, 64), (129, 257), (256, 256), (1000, 24), (23, 1020)]
        for _ in 0..<24 { shapes.append((Int.random(in: 1...300, using: &rng), Int.random(in: 1...300, using: &rng))) }
        let downsampler = TentDownsampler(expectedPixels: 64)
        for (rows, cols) in shapes {
            // Values with fractions, as RGB luma has, so rounding differences would show.
            let plane = (0..<(rows * cols)).map { _ in Float(Int.random(in: 0...255_000, using: &rng)) / 1000 }
            let expected = Self.reference(plane, rows: rows, cols: cols)
            var scratch = plane
            var out = [Float](repeating: .nan, count: 4096)
            scratch.withUnsafeMutableBufferPointer { p in
                out.withUnsafeMutableBufferPointer { downsampler.downsample(p.baseAddress!, rows: rows, cols: cols, into: $0.baseAddress!) }
            }
            let mismatches = zip(out, expected).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(mismatches == 0, "\(rows)x\(cols): \(mismatches) of 4096 samples differ from the reference")
        }
    }

    /// The exact path for sides up to 256 of 8-bit luma (`downsampleExactly`) against the
    /// reference on the Float copy of the same rectangle, plain and mirrored: every shape it
    /// takes, windows of 1 and 2 and the edge where a side crosses from one to the other.
    @Test func exactPathEqualsTheReferenceBitForBit() {
        var rng = SeededGenerator(seed: 34)
        var shapes = [(1, 1), (5, 5), (7, 200), (64, 64), (127, 128), (128, 129), (129, 128), (130, 131), (255, 256),
                      (256, 256), (256, 130), (40, 256)]
        for _ in 0..<24 { shapes.append((Int.random(in: 1...256, using: &rng), Int.random(in: 1...256, using: &rng))) }
        let downsampler = TentDownsampler(expectedPixels: 64)
        for (rows, cols) in shapes {
            #expect(TentDownsampler.isExact(rows: rows, cols: cols))
            // The rectangle sits inside a larger frame, off its corner.
            let width = cols + 3, height = rows + 2
            let frame = (0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let rect = PixelRect(x: 2, y: 1, width: cols, height: rows)
            for mirrored in [false, true] {
                var plane = [Float](repeating: 0, count: rows * cols)
                for r in 0..<rows {
                    for c in 0..<cols {
                        plane[r * cols + c] = Float(frame[(rect.y + r) * width + rect.x + (mirrored ? cols - 1 - c : c)])
                    }
                }
                let expected = Self.reference(plane, rows: rows, cols: cols)
                var out = [Float](repeating: .nan, count: 4096)
                frame.withUnsafeBufferPointer { luma in
                    out.withUnsafeMutableBufferPointer {
                        downsampler.downsampleExactly(luma.baseAddress!, stride: width, rect: rect, mirrored: mirrored,
                                                      into: $0.baseAddress!)
                    }
                }
                let mismatches = zip(out, expected).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(mismatches == 0, "\(rows)x\(cols) mirrored \(mirrored): \(mismatches) of 4096 samples differ")
            }
        }
        #expect(!TentDownsampler.isExact(rows: 257, cols: 256) && !TentDownsampler.isExact(rows: 256, cols: 257))
    }
}
