// The motion channel's value: the mean luma of a coarse grid over the active picture area of one
// sampled frame. One sample says little; the changes between samples say what happened in the
// picture — the camera's path, who walked by, a cut — and a copy changes where and when its
// source changed, while another moment of the same scene does not (`Matching.MotionAgreement`).
// Means of whole cells hold through downscaling, noise, blur and re-encoding, and a change's
// sign through any fixed brightness or contrast curve. Stored packed, little-endian: time
// (Float32), then each cell row by row (UInt16, in 1/256 of a luma level): 36 bytes a sample.

public struct MotionSample: Sendable, Equatable {
    /// Cells along each side of the grid.
    public static let side = 4
    public static let packedSize = 4 + 2 * 16

    public var time: Float
    /// Mean luma of each cell, row by row from the top left, in 1/256 of a level (0…65280).
    public var cells: SIMD16<UInt16>

    public init(time: Float, cells: SIMD16<UInt16>) {
        self.time = time
        self.cells = cells
    }

    /// The cells in luma levels (0…255).
    public var levels: SIMD16<Float> { SIMD16<Float>(cells) / 256 }

    /// The cells of the picture mirrored left to right.
    public var mirrored: MotionSample {
        var out = cells
        for row in 0 ..< Self.side {
            for column in 0 ..< Self.side { out[row * Self.side + column] = cells[row * Self.side + Self.side - 1 - column] }
        }
        return MotionSample(time: time, cells: out)
    }
}

/// The picture channel of coarse luma grids, one per sampled frame: evidence in what changes.
public enum MotionChannel: FingerprintChannel {
    public static var name: String { "picture-motion" }
    public static var medium: Medium { .picture }
    public static var items: WritableKeyPath<MediaFingerprint, [MotionSample]> { \.motion }
    public static func time(of item: MotionSample) -> Float { item.time }

    public static func pack(_ items: [MotionSample]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.count * MotionSample.packedSize)
        for s in items {
            appendLE(s.time.bitPattern, to: &out)
            for i in 0 ..< 16 { appendLE(s.cells[i], to: &out) }
        }
        return out
    }

    public static func unpack(_ bytes: [UInt8]) -> [MotionSample]? {
        guard bytes.count % MotionSample.packedSize == 0 else { return nil }
        var out: [MotionSample] = []
        out.reserveCapacity(bytes.count / MotionSample.packedSize)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                var cells = SIMD16<UInt16>()
                for c in 0 ..< 16 { cells[c] = readLE(b, i + 4 + 2 * c, as: UInt16.self) }
                out.append(MotionSample(time: Float(bitPattern: readLE(b, i, as: UInt32.self)), cells: cells))
                i += MotionSample.packedSize
            }
        }
        return out
    }

    public static func wholeItemsLength(_ bytes: [UInt8]) -> Int {
        bytes.count / MotionSample.packedSize * MotionSample.packedSize
    }
}
