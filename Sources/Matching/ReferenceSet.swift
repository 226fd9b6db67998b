// A set of references held in memory for the exact match (`Matcher.match(_:in:)`): their
// entries, each picture channel's index of their full fingerprints (`FrameHitChannel`), the
// sound's landmark table and their motion samples. Built for the candidates a suspect window
// names (or for a whole small library in tests and benchmarks); lookups never touch the store.
import Fingerprint

public struct ReferenceSet: Sendable {
    public let entries: [ReferenceEntry]
    /// The picture channels, once: a new one adds its line here.
    let frameChannels: [any FrameHitChannel]
    let landmarks: LandmarkIndex
    /// Each reference's motion samples (`MotionAgreement`), by its place in `entries`.
    let motion: [[MotionSample]]

    public init(_ references: [(entry: ReferenceEntry, fingerprint: MediaFingerprint)]) {
        self.init(prepared: references.map { ($0.entry, $0.fingerprint, ReferenceKeypoints($0.fingerprint)) })
    }

    /// With each reference's keypoints prepared already (`ReferenceFingerprint.whole`); the
    /// fingerprints' own keypoint frames are not read.
    package init(prepared references: [(entry: ReferenceEntry, fingerprint: MediaFingerprint, keypoints: ReferenceKeypoints)]) {
        entries = references.map(\.entry)
        let fingerprints = references.map(\.fingerprint)
        motion = fingerprints.map(\.motion)
        frameChannels = [PictureHashHits(fingerprints), KeypointHits(references.map(\.keypoints))]
        landmarks = LandmarkIndex(references: fingerprints.enumerated().map { (id: UInt32($0.offset), landmarks: $0.element.landmarks) })
    }

    /// With the picture channels given (tests of the seam).
    init(entries: [ReferenceEntry], frameChannels: [any FrameHitChannel], landmarks: [[AudioLandmark]]) {
        self.entries = entries
        self.frameChannels = frameChannels
        motion = entries.map { _ in [] }
        self.landmarks = LandmarkIndex(references: landmarks.enumerated().map { (id: UInt32($0.offset), landmarks: $0.element) })
    }

    public var landmarkCount: Int { landmarks.count }
}
