// PDQTransform: PDQ's partial 2-D DCT, the quality metric and the median threshold
// (ThreatExchange `pdq/cpp/hashing/pdqhashing.cpp`: dct64To16, pdqImageDomainQualityMetric,
// pdqBuffer16x16ToBits, and the dct16OriginalTo* sign/transpose maps).
// Input shape: a 64x64 Float luma image, row-major, stored as 256 SIMD16<Float> (4 per row);
// output: the 16x16 coefficients of frequencies 1...16 on both axes (DC dropped), as 16 SIMD16.
//
// B = D · A · Dᵀ with D the 16x64 matrix sqrt(2/64)·cos(π/128·(i+1)(2j+1)). Written as two
// matrix products over SIMD16 lanes (the unit of a 16-wide coefficient row), accumulating over k
// in the same order as the reference's scalar loops, so each coefficient sees the same float
// rounding. `acc += a * b` rather than `addProduct`: on the default x86-64 target the latter
// becomes a call to a software fma per lane, since that target has no FMA instruction.
import Fingerprint
import Foundation

struct PDQTransform {
    /// Rows of D, one Float per (i, k): D[i * 64 + k].
    private let matrix: [Float]
    /// Columns of D as 16-lane vectors: transposed[k][i] = D[i][k].
    private let transposed: [SIMD16<Float>]

    init() {
        // The reference keeps the scale factor as a float and multiplies by a double cosine.
        let scale = Float((2.0 / 64.0).squareRoot())
        var m = [Float](repeating: 0, count: 16 * 64)
        for i in 0..<16 {
            for j in 0..<64 {
                m[i * 64 + j] = Float(Double(scale) * cos(Double.pi / 2.0 / 64.0 * Double(i + 1) * Double(2 * j + 1)))
            }
        }
        matrix = m
        var t = [SIMD16<Float>](repeating: .zero, count: 64)
        for k in 0..<64 {
            for i in 0..<16 { t[k][i] = m[i * 64 + k] }
        }
        transposed = t
    }

    /// image: 256 vectors (row r, lanes 16c..16c+15 at index r*4+c); scratch: 64 vectors (16x64);
    /// out: 16 vectors (row i of the 16x16 coefficients).
    func dct(_ image: UnsafePointer<SIMD16<Float>>, scratch t: UnsafeMutablePointer<SIMD16<Float>>,
             into out: UnsafeMutablePointer<SIMD16<Float>>) {
        matrix.withUnsafeBufferPointer { d in
            // T = D · A: row i of T is Σ_k D[i][k] · (row k of A), 4 vectors wide.
            for i in 0..<16 {
                var a0 = SIMD16<Float>.zero, a1 = a0, a2 = a0, a3 = a0
                let drow = d.baseAddress! + i * 64
                for k in 0..<64 {
                    let s = SIMD16<Float>(repeating: drow[k])
                    let row = image + k * 4
                    a0 += s * row[0]
                    a1 += s * row[1]
                    a2 += s * row[2]
                    a3 += s * row[3]
                }
                t[i * 4] = a0; t[i * 4 + 1] = a1; t[i * 4 + 2] = a2; t[i * 4 + 3] = a3
            }
        }
        transposed.withUnsafeBufferPointer { dt in
            // B = T · Dᵀ: row i of B is Σ_k T[i][k] · (column k of D as a 16-vector).
            for i in 0..<16 {
                var acc = SIMD16<Float>.zero
                for c in 0..<4 {
                    let v = t[i * 4 + c]
                    for l in 0..<16 {
                        acc += SIMD16<Float>(repeating: v[l]) * dt[c * 16 + l]
                    }
                }
                out[i] = acc
            }
        }
    }

    /// The reference's quality heuristic: count significant neighbour differences (each truncated
    /// to an integer percentage of full scale) over the 64x64 image, /90, capped at 100.
    ///
    /// Written 16 lanes at a time: the scalar loop's checked `Int(Float)` conversions do not
    /// vectorize on the default x86-64 target and were two thirds of a 64×64 hash. Truncation is
    /// round-to-nearest through 2^23 plus a fix-up; every term is an integer 0…100 and the total
    /// is below 2^24, so the Float sum is exact and the result equals the reference's.
    static func quality(_ image: UnsafePointer<Float>) -> Int {
        let magic = SIMD16<Float>(repeating: 8_388_608)
        @inline(__always) func truncatedMagnitude(_ x: SIMD16<Float>) -> SIMD16<Float> {
            let scaled = x * 100 / 255
            let y = scaled.replacing(with: -scaled, where: scaled .< 0)
            let r = (y + magic) - magic
            return r.replacing(with: r - 1, where: r .> y)
        }
        let raw = UnsafeRawPointer(image)
        @inline(__always) func load(_ index: Int) -> SIMD16<Float> {
            raw.loadUnaligned(fromByteOffset: 4 * index, as: SIMD16<Float>.self)
        }
        var sum = SIMD16<Float>.zero
        for i in 0..<63 {
            for c in 0..<4 { sum += truncatedMagnitude(load(i * 64 + 16 * c) - load((i + 1) * 64 + 16 * c)) }
        }
        // Horizontal neighbours: columns 0…47 in three blocks, then 48…62 from a block starting
        // at 47 whose first lane (already counted) is masked out.
        var first = SIMDMask<SIMD16<Int32>>(repeating: false)
        first[0] = true
        for i in 0..<64 {
            for c in 0..<3 { sum += truncatedMagnitude(load(i * 64 + 16 * c) - load(i * 64 + 16 * c + 1)) }
            sum += truncatedMagnitude(load(i * 64 + 47) - load(i * 64 + 48)).replacing(with: 0, where: first)
        }
        return min(Int(sum.sum()) / 90, 100)
    }

    /// Bit (i, j) = coefficient > the lower median (128th smallest of 256, what the reference's
    /// Torben selection returns for an even count). `work` is 256 floats of scratch.
    static func threshold(_ coefficients: UnsafePointer<Float>, work: UnsafeMutablePointer<Float>) -> PDQHash {
        work.update(from: coefficients, count: 256)
        let median = select(work, count: 256, k: 127)
        var words = SIMD4<UInt64>.zero
        for w in 0..<4 {
            var bits: UInt64 = 0
            let base = coefficients + w * 64
            for b in 0..<64 where base[b] > median {
                bits |= 1 << UInt64(b)
            }
            words[w] = bits
        }
        return PDQHash(words: words)
    }

    /// k-th smallest (0-based) by Hoare's quickselect; reorders `a`. Median-of-three pivots keep
    /// it linear on the sorted-ish inputs DCT coefficients sometimes are.
    static func select(_ p: UnsafeMutablePointer<Float>, count: Int, k: Int) -> Float {
        let a = UnsafeMutableBufferPointer(start: p, count: count)
        var lo = 0, hi = count - 1
        while hi > lo {
            let mid = (lo + hi) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return a[k] }
        }
        return a[k]
    }

    /// The dihedral variant's coefficients from the original's (the reference's sign table).
    /// Mirroring an axis multiplies frequency u by (-1)^u; PDQ's frequencies are 1-based, so the
    /// even 0-based indices change sign. A quarter turn is a transpose plus one mirror.
    static func dihedral(_ variant: PDQDihedral, from a: UnsafePointer<Float>, into b: UnsafeMutablePointer<Float>) {
        for i in 0..<16 {
            for j in 0..<16 {
                let v = a[i * 16 + j]
                switch variant {
                case .original: b[i * 16 + j] = v
                case .rotate90: b[j * 16 + i] = (j & 1) != 0 ? v : -v
                case .rotate180: b[i * 16 + j] = ((i + j) & 1) != 0 ? -v : v
                case .rotate270: b[j * 16 + i] = (i & 1) != 0 ? v : -v
                case .flipVertical: b[i * 16 + j] = (i & 1) != 0 ? v : -v
                case .flipHorizontal: b[i * 16 + j] = (j & 1) != 0 ? v : -v
                case .rotate90FlipVertical: b[j * 16 + i] = v
                case .rotate90FlipHorizontal: b[j * 16 + i] = ((i + j) & 1) != 0 ? -v : v
                }
            }
        }
    }
}
