// What each role describes with keypoints (`KeypointExtractor`, ORB) of the detail pictures the
// decoder hands out (`KeypointRecipe.detail`: gray, the frame's shape, long side fixed):
// - a reference: up to `referenceKeypoints` keypoints of its picture, twice a second (once a
//   second halves the storage and lost 3 of 247 picture pairs on the large profile, 2026-12-06);
// - a suspect: more keypoints (`suspectKeypoints`) twice a second, on a larger picture (small
//   frames are scaled up, so that a picture inset at a fifth of the frame still has corners),
//   and the same picture described mirrored as well (BRIEF is not mirror invariant).
// Frames with no corners (uniform, black, tiny) give no keypoint frame at all.
import Fingerprint

public final class KeypointRecipe {
    public let role: FingerprintRole
    private let extractor: KeypointExtractor

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

    /// The keypoint frames of one picture at `time`: its own description and, for a suspect,
    /// the mirrored one; none for a picture without corners.
    public func frames(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double) -> [KeypointFrame] {
        let described = role == .suspect
            ? extractor.keypointsAndMirror(luma: luma, width: width, height: height)
            : (own: extractor.keypoints(luma: luma, width: width, height: height), mirrored: [])
        return [(false, described.own), (true, described.mirrored)].compactMap { mirrored, keypoints in
            keypoints.isEmpty ? nil : KeypointFrame(time: Float(time), width: width, height: height, mirrored: mirrored, keypoints: keypoints)
        }
    }
}
