// The motion channel's value: the mean luma of a coarse grid over the active picture area of one
// sampled frame, and the area's shape. One sample says little; the changes between samples say
// what happened in the picture — the camera's path, who walked by, a cut — and a copy changes
// where and when its source changed, while another moment of the same scene does not
// (`Matching.MotionAgreement`). Means of whole cells hold through downscaling, noise, blur and
// re-encoding, and a change's sign through any fixed brightness or contrast curve. The grid is
// fine enough (8x8) that a part of the picture (a crop, a 9:16 cut of a 16:9 frame) can be
// read from it as a coarser grid over that part; the shape says which parts a suspect of
// another shape may show. Stored packed, each sample against the one before
// (`MotionSample+Packing.swift`).

public struct MotionSample: Sendable, Equatable {
    /// Cells along each side of the grid.
    public static let side = 8
    public static let cellCount = side * side

    public var time: Float
    /// The active area's width over its height as displayed (0 when unknown).
    public var aspect: Float
    /// Mean luma of each cell, row by row from the top left, in 1/256 of a level (0…65280).
    public var cells: SIMD64<UInt16>

    public init(time: Float, aspect: Float = 0, cells: SIMD64<UInt16>) {
        self.time = time
        self.aspect = aspect
        self.cells = cells
    }

    /// The cells in luma levels (0…255).
    public var levels: SIMD64<Float> { SIMD64<Float>(cells) / 256 }

    /// The cells of the picture mirrored left to right.
    public var mirrored: MotionSample {
        var out = cells
        for row in 0 ..< Self.side {
            for column in 0 ..< Self.side { out[row * Self.side + column] = cells[row * Self.side + Self.side - 1 - column] }
        }
        return MotionSample(time: time, aspect: aspect, cells: out)
    }
}

/// The picture channel of coarse luma grids, one per sampled frame: evidence in what changes.
/// (Named for its grid: the 4x4 form of the first release was "picture-motion"; a library that
/// holds only that one is fingerprinted again by the next `index`.)
public enum MotionChannel: FingerprintChannel {
    public static var name: String { "picture-motion-8x8" }
    public static var medium: Medium { .picture }
    public static var items: WritableKeyPath<MediaFingerprint, [MotionSample]> { \.motion }
    public static func time(of item: MotionSample) -> Float { item.time }

    /// 2 (issue 33): samples written against the one before (`MotionSample+Packing.swift`).
    /// Blobs of format 1, 136-byte records, are read as they are and kept by `index`.
    public static var format: Int { 2 }
}
