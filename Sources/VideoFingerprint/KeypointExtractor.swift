// KeypointExtractor: ORB keypoints and descriptors (Rublee, Rabaud, Konolige, Bradski, "ORB: an
// efficient alternative to SIFT or SURF", ICCV 2011), following OpenCV's `cv::ORB` (orb.cpp) in
// its defaults and order of steps. Pure Swift; OpenCV is only a reference in
// scripts/experiments/keypoints-vs-opencv.
// Input shape: one 8-bit luma plane, width x height, rows `rowStride` bytes apart.
//
// Steps, as OpenCV does them:
//  1. Pyramid: `levels` images, each the previous one shrunk by `scaleFactor` with bilinear
//     interpolation (pixel centres aligned), sizes round(side / scaleFactor^level).
//  2. Per level: FAST-9 corners (16-pixel Bresenham circle of radius 3, 9 contiguous pixels all
//     brighter or all darker than the centre by more than the threshold) with 3x3 non-maximum
//     suppression on the FAST score, dropping those within `edgeMargin` of the level's border.
//  3. Per level: keep the 2 x quota best by FAST score, rank those by the Harris response (7x7
//     block of Sobel gradients, k = 0.04) and keep the quota. Quotas split `maximumKeypoints`
//     over the levels in geometric proportion to 1/scaleFactor^level (OpenCV's
//     nfeaturesPerLevel; the last level takes what is left).
//  4. Orientation: the intensity centroid of a disc of radius 15 around the corner.
//  5. Descriptor: 256 intensity comparisons between point pairs of a fixed pattern rotated by
//     the orientation (steered BRIEF), read on the level blurred by a 7x7 Gaussian of sigma 2.
//
// Departures from OpenCV, each for a reason:
//  - The point-pair pattern is not OpenCV's `bit_pattern_31_` but one we learned the same way
//    (see KeypointExtractor+Descriptor.swift). Descriptors are therefore not interchangeable
//    with OpenCV's, only comparable in quality.
//  - A fallback FAST threshold: a level whose normal threshold finds fewer than half its quota
//    is searched again with `fallbackFastThreshold`, so soft or dark video frames still get
//    corners (ORB-SLAM's iniThFAST/minThFAST idea, per level rather than per grid cell).
//  - By default no spatial grid: like OpenCV, the strongest corners win wherever they are, and
//    a frame whose corners crowd into one textured area is left to the matcher's geometric
//    check. `spreadCells` (0 in `Options`; a suspect's `KeypointRecipe` sets it) caps each cell
//    of a grid at its share first.
//  - Keypoint positions map pixel centres between levels ((x + 0.5) * scale - 0.5) rather than
//    OpenCV's x * scale, which is off by up to a pixel at the top levels.
//
// The extractor owns all scratch (pyramid, blurred levels, scores), grown only when a larger
// frame arrives, so describing a frame allocates nothing but the returned array. That makes it
// a mutable, non-Sendable object: use one per thread or task. Output is deterministic: ties are
// broken by position.
import Fingerprint
import Foundation

public final class KeypointExtractor {
    public struct Options: Sendable, Equatable {
        /// Upper bound on keypoints per frame (OpenCV's nfeatures).
        public var maximumKeypoints = 500
        /// Pyramid levels, the first at full resolution.
        public var levels = 8
        /// Size ratio between consecutive levels.
        public var scaleFactor: Float = 1.2
        /// FAST: a circle pixel counts as brighter (darker) when it exceeds the centre by more
        /// than this. OpenCV's default.
        public var fastThreshold = 20
        /// FAST threshold for a second search of a level where `fastThreshold` found fewer than
        /// half the level's quota (low-contrast frames).
        public var fallbackFastThreshold = 7
        /// Corners closer than this to a level's border are dropped (OpenCV's edgeThreshold, equal
        /// to its patch size 31). At least 16: the descriptor pattern and the orientation disc
        /// reach 16 pixels from the corner.
        public var edgeMargin = 31
        /// Cells per side of a grid over each level whose corners are spread over it (0: not
        /// spread, OpenCV's way: the strongest corners win wherever they are). Spread, each
        /// level is searched at `fallbackFastThreshold` and each cell keeps its strongest
        /// corners up to its share of the level's quota before the rest of the quota goes to the
        /// strongest left anywhere (ORB-SLAM's per-cell search, as a cap rather than a fixed
        /// count): a soft picture beside a busy one (a split screen, a caption box, a pip over
        /// busy footage) still gets corners of its own.
        public var spreadCells = 0

        public init(maximumKeypoints: Int = 500, levels: Int = 8, scaleFactor: Float = 1.2,
                    fastThreshold: Int = 20, fallbackFastThreshold: Int = 7, edgeMargin: Int = 31) {
            self.maximumKeypoints = maximumKeypoints
            self.levels = levels
            self.scaleFactor = scaleFactor
            self.fastThreshold = fastThreshold
            self.fallbackFastThreshold = fallbackFastThreshold
            self.edgeMargin = edgeMargin
        }
    }

    /// The smallest margin the descriptor and orientation allow (see `Options.edgeMargin`).
    public static let minimumEdgeMargin = 16

    public let options: Options
    /// Keypoints each level may keep, from `Options` alone (not from the frame).
    public let levelQuotas: [Int]

    /// One pyramid level inside the shared buffers.
    struct Level {
        var width: Int
        var height: Int
        /// Start of the level in `pyramid` and `blurred`.
        var offset: Int
    }

    /// A FAST corner of the level being processed.
    struct Corner {
        var x: Int32
        var y: Int32
        var score: UInt8
        var response: Float = 0
    }

    // Scratch, grown by `reserve(width:height:)`.
    var pyramid: UnsafeMutablePointer<UInt8>
    var blurred: UnsafeMutablePointer<UInt8>
    var pyramidCapacity: Int
    /// FAST scores of one level (0: not a corner).
    var scores: UnsafeMutablePointer<UInt8>
    /// The blur's horizontal pass.
    var blurRows: UnsafeMutablePointer<UInt16>
    var planeCapacity: Int
    /// Bilinear taps of the current downscale, per destination column.
    var columnIndex: UnsafeMutablePointer<Int>
    var columnWeight: UnsafeMutablePointer<Int>
    /// Two source rows of the current downscale after its horizontal taps.
    var downscaleRows: UnsafeMutablePointer<Int32>
    var columnCapacity: Int
    var levelShapes: [Level]
    var corners: [Corner]
    /// `keepSpread`'s scratch: corners taken per cell, and which corners are kept.
    var spreadTaken: [Int] = []
    var spreadKept: [Bool] = []
    /// Offsets of the 16 FAST circle pixels for the current level's row length.
    let circle: UnsafeMutablePointer<Int>
    /// The orientation disc's rows v = 0...15 as masks over columns u = -15...16 (-1 within the
    /// disc, |u| ≤ the row's half-width; 0 elsewhere), 32 a row.
    let discMask: UnsafeMutablePointer<Int16>
    /// The 512 pattern points (x, y), two per test.
    let patternX: UnsafeMutablePointer<Float>
    let patternY: UnsafeMutablePointer<Float>
    /// The pattern points of one descriptor, turned, as offsets from the corner in the level.
    let briefOffsets: UnsafeMutablePointer<Int32>

    public init(options: Options = Options()) {
        precondition(options.maximumKeypoints >= 0, "KeypointExtractor: maximumKeypoints must not be negative")
        precondition((1...32).contains(options.levels), "KeypointExtractor: levels must be in 1...32")
        precondition(options.scaleFactor > 1, "KeypointExtractor: scaleFactor must exceed 1")
        precondition((0...254).contains(options.fastThreshold) && (0...254).contains(options.fallbackFastThreshold),
                     "KeypointExtractor: FAST thresholds must be in 0...254")
        precondition(options.edgeMargin >= Self.minimumEdgeMargin,
                     "KeypointExtractor: edgeMargin must be at least \(Self.minimumEdgeMargin)")
        self.options = options
        levelQuotas = Self.quotas(total: options.maximumKeypoints, levels: options.levels, scaleFactor: options.scaleFactor)

        pyramidCapacity = 0
        pyramid = .allocate(capacity: 1)
        blurred = .allocate(capacity: 1)
        planeCapacity = 0
        scores = .allocate(capacity: 1)
        blurRows = .allocate(capacity: 1)
        columnCapacity = 0
        columnIndex = .allocate(capacity: 1)
        columnWeight = .allocate(capacity: 1)
        downscaleRows = .allocate(capacity: 2)
        levelShapes = []
        levelShapes.reserveCapacity(options.levels)
        corners = []
        circle = .allocate(capacity: 16)
        circle.initialize(repeating: 0, count: 16)
        discMask = .allocate(capacity: 32 * (Self.patchRadius + 1))
        for v in 0...Self.patchRadius {
            // u² + v² ≤ r² + r, i.e. within r + ½: a test symmetric in u and v, so the disc is the
            // same after a quarter turn, which the orientation's rotation invariance needs.
            var d = 0
            while (d + 1) * (d + 1) + v * v <= Self.patchRadius * Self.patchRadius + Self.patchRadius { d += 1 }
            for i in 0..<32 { (discMask + 32 * v + i).initialize(to: abs(i - Self.patchRadius) <= d ? -1 : 0) }
        }
        patternX = .allocate(capacity: 512)
        patternY = .allocate(capacity: 512)
        let points = Self.makePattern()
        for (i, p) in points.enumerated() {
            (patternX + i).initialize(to: Float(p.x))
            (patternY + i).initialize(to: Float(p.y))
        }
        briefOffsets = .allocate(capacity: 512)
        briefOffsets.initialize(repeating: 0, count: 512)
        reserve(width: 640, height: 360)
    }

    deinit {
        pyramid.deallocate()
        blurred.deallocate()
        scores.deallocate()
        blurRows.deallocate()
        columnIndex.deallocate()
        columnWeight.deallocate()
        downscaleRows.deallocate()
        circle.deallocate()
        discMask.deallocate()
        patternX.deallocate()
        patternY.deallocate()
        briefOffsets.deallocate()
    }

    /// OpenCV's nfeaturesPerLevel: a geometric series in 1/scaleFactor summing to `total`.
    static func quotas(total: Int, levels: Int, scaleFactor: Float) -> [Int] {
        let factor = 1 / Double(scaleFactor)
        var perScale = Double(total) * (1 - factor) / (1 - pow(factor, Double(levels)))
        var out: [Int] = []
        var sum = 0
        for _ in 0..<(levels - 1) {
            let n = Int(perScale.rounded())
            out.append(n)
            sum += n
            perScale *= factor
        }
        out.append(max(total - sum, 0))
        return out
    }

    // MARK: - Entry points

    /// Keypoints of an 8-bit luma image, strongest first within each level, levels in order.
    /// `mirrored` describes the left-right mirror image instead (positions are in the mirrored
    /// image): BRIEF tests are not mirror symmetric, so a flipped copy is found by describing the
    /// reference both ways. Frames too small for one level, or without corners, give [].
    public func keypoints(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, rowStride: Int? = nil,
                          mirrored: Bool = false) -> [Keypoint] {
        extract(luma: luma, width: width, height: height, rowStride: rowStride, mirrored: mirrored, alsoMirror: false).own
    }

    /// The keypoints of the image and of its left-right mirror image at once, for a suspect
    /// (BRIEF is not mirror symmetric): the pyramid, corners and Harris ranking are found once —
    /// FAST, its non-maximum suppression and the Harris response are mirror symmetric, so the
    /// mirror image has the same corners, mirrored — and so are the orientation's moments (the
    /// disc is symmetric, so the mirror's are (-m10, m01)); only the descriptors are read again,
    /// at mirrored offsets in the same blurred level. `mirrored` is what
    /// `keypoints(…, mirrored: true)` gives, up to the order of corners of equal strength.
    public func keypointsAndMirror(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                                   rowStride: Int? = nil) -> (own: [Keypoint], mirrored: [Keypoint]) {
        let both = extract(luma: luma, width: width, height: height, rowStride: rowStride, mirrored: false, alsoMirror: true)
        return (both.own, both.mirror)
    }

    /// The steps above, level by level; with `alsoMirror`, each level's corners are also
    /// described as the mirror image's, into `mirror`, in the same order.
    private func extract(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, rowStride: Int?,
                         mirrored: Bool, alsoMirror: Bool) -> (own: [Keypoint], mirror: [Keypoint]) {
        let stride = rowStride ?? width
        precondition(width >= 0 && height >= 0 && stride >= width, "KeypointExtractor: bad shape \(width)x\(height) stride \(stride)")
        precondition(height == 0 || luma.count >= (height - 1) * stride + width,
                     "KeypointExtractor: \(luma.count) bytes for a \(width)x\(height) image with stride \(stride)")
        let minimumSide = 2 * options.edgeMargin + 1
        guard width >= minimumSide, height >= minimumSide, options.maximumKeypoints > 0 else { return ([], []) }
        reserve(width: width, height: height)
        buildPyramid(luma, width: width, height: height, stride: stride, mirrored: mirrored)

        var own: [Keypoint] = [], mirror: [Keypoint] = []
        own.reserveCapacity(options.maximumKeypoints)
        if alsoMirror { mirror.reserveCapacity(options.maximumKeypoints) }
        for (index, level) in levelShapes.enumerated() {
            let quota = levelQuotas[index]
            guard quota > 0 else { continue }
            if options.spreadCells > 0 {
                findCorners(level, threshold: min(options.fastThreshold, options.fallbackFastThreshold))
                guard !corners.isEmpty else { continue }
                keepSpread(level, 2 * quota, rankedByResponse: false)
                rankByHarris(level, keeping: corners.count)
                keepSpread(level, quota, rankedByResponse: true)
            } else {
                findCorners(level, threshold: options.fastThreshold)
                if corners.count * 2 < quota && options.fallbackFastThreshold < options.fastThreshold {
                    findCorners(level, threshold: options.fallbackFastThreshold)
                }
                guard !corners.isEmpty else { continue }
                keepBestByScore(2 * quota)
                rankByHarris(level, keeping: quota)
            }
            blur(level, onlyAroundCorners: true)
            describe(level, index: index, fullWidth: width, fullHeight: height, into: &own,
                     mirror: &mirror, alsoMirror: alsoMirror)
        }
        return (own, mirror)
    }

    public func keypoints(luma: [UInt8], width: Int, height: Int, rowStride: Int? = nil,
                          mirrored: Bool = false) -> [Keypoint] {
        luma.withUnsafeBufferPointer { keypoints(luma: $0, width: width, height: height, rowStride: rowStride, mirrored: mirrored) }
    }

    // MARK: - Scratch

    /// Sizes the level shapes for a frame and grows the buffers if they are too small.
    func reserve(width: Int, height: Int) {
        levelShapes.removeAll(keepingCapacity: true)
        var offset = 0
        let minimumSide = 2 * options.edgeMargin + 1
        for level in 0..<options.levels {
            let scale = pow(Double(options.scaleFactor), Double(level))
            let w = Int((Double(width) / scale).rounded()), h = Int((Double(height) / scale).rounded())
            // Smaller levels have no room inside the margin; the rest of the pyramid is smaller still.
            guard w >= minimumSide, h >= minimumSide else { break }
            levelShapes.append(Level(width: w, height: h, offset: offset))
            offset += w * h
        }
        if offset > pyramidCapacity {
            pyramid.deallocate()
            blurred.deallocate()
            pyramid = .allocate(capacity: offset)
            blurred = .allocate(capacity: offset)
            pyramidCapacity = offset
        }
        if width * height > planeCapacity {
            scores.deallocate()
            blurRows.deallocate()
            scores = .allocate(capacity: width * height)
            blurRows = .allocate(capacity: width * height)
            planeCapacity = width * height
        }
        if width > columnCapacity {
            columnIndex.deallocate()
            columnWeight.deallocate()
            downscaleRows.deallocate()
            columnIndex = .allocate(capacity: width)
            columnWeight = .allocate(capacity: width)
            downscaleRows = .allocate(capacity: 2 * width)
            columnCapacity = width
        }
        if corners.capacity < 4096 { corners.reserveCapacity(4096) }
    }
}
