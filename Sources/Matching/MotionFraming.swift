// Which part of the reference's picture a suspect's whole picture is compared with, for the
// motion check (`MotionAgreement`): a rectangle in fractions of the reference's active area, read
// as a 4x4 grid from the stored 8x8 one, each of its cells the area-weighted mean of the grid
// cells it covers (as if each grid cell were uniform).
//
// `parts` lists the framings a copy plausibly shows besides the whole picture (stretched or
// not): parts of the reference with the suspect's own shape — a crop or zoom keeps the shape, a 9:16
// cut of a 16:9 frame takes a full-height band — from the largest such part down to a sixth of
// the picture (below that a part's cells are well under a grid cell and read mostly the
// neighbours'), in steps of a quarter of an octave in size and of one grid cell in place.
import Fingerprint
import Foundation

package struct MotionFraming: Sendable, Equatable {
    package let x0: Double, y0: Double, x1: Double, y1: Double
    /// Per cell of the 4x4 grid, row by row, its weight on each cell of the 8x8 one.
    private let cellWeights: [SIMD64<Float>]
    /// The same, less their mean over the 16 cells: the weights of a change less its mean
    /// over the cells (`centredChange`).
    package let centredWeights: [SIMD64<Float>]
    /// centredWeightsᵀ · centredWeights, 64 x 64 row by row: the squared length of a centred
    /// change is vᵀ · gram · v.
    package let gram: [Float]

    package static let whole = MotionFraming(x0: 0, y0: 0, x1: 1, y1: 1)
    /// A part is at least this share of the reference's area.
    static let smallestArea = 1.0 / 6
    /// Successive sizes of the parts tried, as a ratio of their sides.
    static let sizeStep = pow(2, -0.25)
    /// Successive places of a part, at most this share of the picture apart (one grid cell).
    static let placeStep = 1.0 / Double(MotionSample.side)

    package init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
        let n = MotionSample.side
        let columns = Self.weights(x0, x1), rows = Self.weights(y0, y1)
        cellWeights = (0 ..< 16).map { cell in
            var w = SIMD64<Float>()
            for i in 0 ..< n { for j in 0 ..< n { w[i * n + j] = rows[cell / 4 * n + i] * columns[cell % 4 * n + j] } }
            return w
        }
        let mean = cellWeights.reduce(SIMD64<Float>(), +) / 16
        let centred = cellWeights.map { $0 - mean }
        centredWeights = centred
        let cells = n * n
        let flat = centred.flatMap { w in (0 ..< cells).map { w[$0] } }
        var gram = [Float](repeating: 0, count: cells * cells)
        for k in 0 ..< 16 {
            for r in 0 ..< cells where flat[k * cells + r] != 0 {
                let wr = flat[k * cells + r]
                for c in 0 ..< cells { gram[r * cells + c] += wr * flat[k * cells + c] }
            }
        }
        self.gram = gram
    }

    /// 4 x 8 weights: for each of 4 equal stretches of [a, b], its overlap with each of the 8
    /// grid stretches of [0, 1], as a share of the stretch.
    private static func weights(_ a: Double, _ b: Double) -> [Float] {
        let n = MotionSample.side
        var out = [Float](repeating: 0, count: 4 * n)
        for k in 0 ..< 4 {
            let lo = a + (b - a) * Double(k) / 4, hi = a + (b - a) * Double(k + 1) / 4
            for i in 0 ..< n {
                let overlap = min(hi, Double(i + 1) / Double(n)) - max(lo, Double(i) / Double(n))
                if overlap > 0 { out[k * n + i] = Float(overlap / (hi - lo)) }
            }
        }
        return out
    }

    /// The same part of the picture mirrored left to right.
    package var mirroredLeftRight: MotionFraming { MotionFraming(x0: 1 - x1, y0: y0, x1: 1 - x0, y1: y1) }

    /// The framing's 4x4 grid (row by row) from an 8x8 one.
    package func pool(_ v: SIMD64<Float>) -> SIMD16<Float> {
        var out = SIMD16<Float>()
        for cell in 0 ..< 16 { out[cell] = (cellWeights[cell] * v).sum() }
        return out
    }

    /// The parts of the reference's picture with the suspect's shape, smaller than the whole
    /// (none when a shape is unknown).
    package static func parts(suspectAspect s: Double, referenceAspect r: Double) -> [MotionFraming] {
        var out: [MotionFraming] = []
        guard s > 0, r > 0 else { return out }
        var w = min(1, s / r), h = min(1, r / s)
        while w * h >= smallestArea {
            for x0 in places(1 - w) {
                for y0 in places(1 - h) {
                    let f = MotionFraming(x0: x0, y0: y0, x1: x0 + w, y1: y0 + h)
                    if !f.isClose(to: whole), !out.contains(where: { $0.isClose(to: f) }) { out.append(f) }
                }
            }
            w *= sizeStep
            h *= sizeStep
        }
        return out
    }

    private static func places(_ slack: Double) -> [Double] {
        guard slack > 1e-6 else { return [0] }
        let n = Int((slack / placeStep - 1e-9).rounded(.up))
        return (0 ... n).map { slack * Double($0) / Double(n) }
    }

    private func isClose(to o: MotionFraming) -> Bool {
        max(abs(x0 - o.x0), abs(y0 - o.y0), abs(x1 - o.x1), abs(y1 - o.y1)) < 0.01
    }

    /// The median shape (width over height) of the samples' areas, 0 when none says.
    package static func aspect(of samples: some Collection<MotionSample>) -> Double {
        let known = samples.map(\.aspect).filter { $0 > 0 }.sorted()
        return known.isEmpty ? 0 : Double(known[known.count / 2])
    }
}
