// Keypoint: an oriented corner with its 256-bit binary descriptor, the value of the "keypoints"
// channel (ORB, Rublee et al., "ORB: an efficient alternative to SIFT or SURF", ICCV 2011).
// Input shape: what `KeypointExtractor` (VideoFingerprint) produces from one 8-bit luma frame.
//
// Kept plain for now: Float coordinates and a full 256-bit descriptor per keypoint. A packed
// form for storage (quantised position and angle) can come with the channel's packing.

/// 256 binary intensity tests (steered BRIEF), compared by Hamming distance.
public struct BinaryDescriptor: Sendable, Hashable {
    /// Test k is bit `k % 64` of `words[k / 64]`.
    public var words: SIMD4<UInt64>

    public init(words: SIMD4<UInt64>) {
        self.words = words
    }

    public static let zero = BinaryDescriptor(words: .zero)

    /// Number of differing tests, 0...256. Unrelated ORB descriptors sit near 128; matches of the
    /// same scene point are usually below ~50.
    @inlinable
    public func distance(to other: BinaryDescriptor) -> Int {
        let x = words ^ other.words
        return x[0].nonzeroBitCount + x[1].nonzeroBitCount + x[2].nonzeroBitCount + x[3].nonzeroBitCount
    }

    /// Test `index` (0...255).
    public func bit(_ index: Int) -> Bool {
        precondition((0..<256).contains(index), "BinaryDescriptor bit index \(index) out of 0..<256")
        return (words[index >> 6] >> UInt64(index & 63)) & 1 == 1
    }
}

/// A corner found at some level of a scale pyramid, described at that level.
public struct Keypoint: Sendable, Equatable {
    /// Share of its picture's diagonal within which, and descriptor bits within which, a corner
    /// found again is the same point of the picture: extracted again, a corner shifts by a pixel
    /// or two and flips some of its 256 tests (unrelated ones differ in about 128), well inside
    /// what a placement fit allows (`GeometricFit`'s inlier radius, 1 % of the diagonal).
    public static let samePlace = 0.005
    public static let sameDescriptor = 32

    /// Position in pixels of the full-resolution input image (of the mirrored image when the
    /// extractor was asked for the mirror), pixel centres at integer coordinates.
    public var x: Float
    public var y: Float
    /// Orientation of the intensity centroid, radians in -π...π, measured from +x towards +y
    /// (image rows grow downwards, so positive angles turn clockwise on screen).
    public var angle: Float
    /// Pyramid level the corner was found at; its scale is `scaleFactor^level` (1.2^level by
    /// default), so level 0 is the full-resolution image.
    public var level: UInt8
    /// Harris corner response at that level: larger is a stronger corner. Only for ranking.
    public var response: Float
    public var descriptor: BinaryDescriptor

    public init(x: Float, y: Float, angle: Float, level: UInt8, response: Float, descriptor: BinaryDescriptor) {
        self.x = x
        self.y = y
        self.angle = angle
        self.level = level
        self.response = response
        self.descriptor = descriptor
    }
}
