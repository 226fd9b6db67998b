// What each role describes with keypoints (`KeypointExtractor`, ORB) of the detail pictures the
// decoder hands out (`KeypointRecipe.detail`: gray, the frame's shape, long side fixed):
// - a reference: up to `referenceKeypoints` keypoints of its picture, twice a second (once a
//   second halves the storage and lost 3 of 247 picture pairs on the large profile, 2026-12-06);
// - a suspect: more keypoints (`suspectKeypoints`) twice a second, on a larger picture (small
//   frames are scaled up, so that a picture inset at a fifth of the frame still has corners),
//   and the same picture described mirrored as well (BRIEF is not mirror invariant).
// Frames with no corners (uniform, black, tiny) give no keypoint frame at all.
//
// A reference's picture mostly holds still from one sample to the next (a held shot, a slow
// pan, a still background), and so do its corners: a corner found again in the same place
// (`Keypoint.samePlace`, `Keypoint.sameDescriptor`) is carried over as it was, so that the store
// writes it once (`KeypointChannel.pack`). What matching reads is the same set of points give or
// take their extraction noise.
import Fingerprint

public final class KeypointRecipe {
    public let role: FingerprintRole
    private let extractor: KeypointExtractor
    /// A reference's keypoints of the picture before, to carry over.
    private var before: [Keypoint] = []

    public static let referenceKeypoints = 256
    public static let suspectKeypoints = 512

    /// The detail picture each role needs: pictures a second and their long side.
    public static func detail(for role: FingerprintRole) -> (framesPerSecond: Double, longSide: Int) {
        role == .reference ? (2, 480) : (2, 640)
    }

    public init(role: FingerprintRole) {
        self.role = role
        var options = KeypointExtractor.Options()
        options.maximumKeypoints = role == .reference ? Self.referenceKeypoints : Self.suspectKeypoints
        extractor = KeypointExtractor(options: options)
    }

    /// Starts a file: nothing to carry over.
    public func reset() {
        before = []
    }

    /// The keypoint frames of one picture at `time` (pictures in time order since `reset`): its
    /// own description and, for a suspect, the mirrored one; none for a picture without corners.
    public func frames(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double) -> [KeypointFrame] {
        var described = role == .suspect
            ? extractor.keypointsAndMirror(luma: luma, width: width, height: height)
            : (own: extractor.keypoints(luma: luma, width: width, height: height), mirrored: [])
        if role == .reference {
            described.own = Self.carryOver(described.own, from: before, diagonal: Double(width * width + height * height).squareRoot())
            before = described.own
        }
        return [(false, described.own), (true, described.mirrored)].compactMap { mirrored, keypoints in
            keypoints.isEmpty ? nil : KeypointFrame(time: Float(time), width: width, height: height, mirrored: mirrored, keypoints: keypoints)
        }
    }

    /// `keypoints` with each that is a point of `before` seen again replaced by it (the closest
    /// in descriptor of those in the same place; each of `before` stands in for one keypoint at
    /// most): those first, in their order in `before` (as the store writes them most briefly),
    /// then the others in their order.
    static func carryOver(_ keypoints: [Keypoint], from before: [Keypoint], diagonal: Double) -> [Keypoint] {
        guard !before.isEmpty else { return keypoints }
        let radius = Float(Keypoint.samePlace * diagonal)
        var taken = [Bool](repeating: false, count: before.count)
        let fresh = keypoints.filter { k in
            var best: (index: Int, distance: Int)?
            for (i, b) in before.enumerated() where !taken[i] {
                let dx = b.x - k.x, dy = b.y - k.y
                guard dx * dx + dy * dy <= radius * radius else { continue }
                let d = b.descriptor.distance(to: k.descriptor)
                if d <= Keypoint.sameDescriptor, d < best?.distance ?? .max { best = (i, d) }
            }
            guard let best else { return true }
            taken[best.index] = true
            return false
        }
        return zip(before, taken).compactMap { $1 ? $0 : nil } + fresh
    }
}
