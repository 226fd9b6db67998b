// What matching says of one suspect and one reference: whether it is reused, where (segments
// mapping suspect time to reference time), and how (picture, sound, both).
import Fingerprint

public struct ReferenceEntry: Sendable, Equatable {
    public var path: String
    public var duration: Double?

    public init(path: String, duration: Double?) {
        self.path = path
        self.duration = duration
    }
}

public enum Modality: String, Sendable, Codable {
    case video
    case audio
    case both
}

extension Modality {
    /// The modality of evidence from a channel that stands for `medium`.
    public init(_ medium: Medium) {
        self = switch medium {
        case .picture: .video
        case .sound: .audio
        }
    }
}

public struct MatchSegment: Sendable, Equatable, Codable {
    public var modality: Modality
    public var suspectStart: Double
    public var suspectEnd: Double
    public var referenceStart: Double
    public var referenceEnd: Double
    public var score: Double
    /// Reference seconds per suspect second (1.1: the suspect plays 10 % faster).
    public var speed: Double
    /// Evidence behind the segment: suspect instants whose frames matched a reference frame on
    /// the segment's map, and suspect landmarks that matched on it (0 for the other modality).
    /// Where windows of a long suspect overlap, the overlap's share is counted once, estimated.
    public var matchedFrames: Int
    public var matchedLandmarks: Int
    /// Where the reference picture sits in the suspect frame, when a channel that verifies
    /// geometry (keypoints) found the picture.
    public var geometry: PictureGeometry?
    /// Other reference ranges the passage matches as well (a loop, a shot used twice): the
    /// "where" is ambiguous among them and this one, the "whether" is not. Empty when the
    /// passage matches clearly better here than anywhere else.
    public var alsoMatches: [ClosedRange<Double>]
    /// When the picture is shown reused by how it changes (`MotionAgreement`: a low-motion
    /// passage whose hashes match as well elsewhere, or a picture no hash holds, checked along
    /// the sound's line): how far its changes agree with the reference's on the map beyond any
    /// other offset, 0…1. nil when frame hashes or keypoints show it on their own.
    public var motionAgreement: Double?
    /// What of the picture `motionAgreement` measured: how it changes, or, along the sound's
    /// line where its changes single out no offset, what it looks like (`MotionAgreement.appearance`).
    public var motionEvidence: MotionEvidence?

    public enum MotionEvidence: String, Sendable, Codable {
        case changes, appearance
    }

    public init(modality: Modality, suspectStart: Double, suspectEnd: Double, referenceStart: Double,
                referenceEnd: Double, score: Double, speed: Double, matchedFrames: Int = 0, matchedLandmarks: Int = 0,
                geometry: PictureGeometry? = nil, alsoMatches: [ClosedRange<Double>] = [], motionAgreement: Double? = nil,
                motionEvidence: MotionEvidence? = nil) {
        self.motionAgreement = motionAgreement
        self.motionEvidence = motionAgreement == nil ? nil : motionEvidence ?? .changes
        self.geometry = geometry
        self.alsoMatches = alsoMatches
        self.matchedFrames = matchedFrames
        self.matchedLandmarks = matchedLandmarks
        self.modality = modality
        self.suspectStart = suspectStart
        self.suspectEnd = suspectEnd
        self.referenceStart = referenceStart
        self.referenceEnd = referenceEnd
        self.score = score
        self.speed = speed
    }

    /// Where suspect time `t` lands in the reference on this segment's map.
    public func referenceTime(at t: Double) -> Double { referenceStart + speed * (t - suspectStart) }
}

public struct ReferenceMatch: Sendable {
    public var reference: ReferenceEntry
    public var score: Double
    public var modality: Modality
    public var segments: [MatchSegment]
}

extension Modality {
    /// What a reference's segments show together: both when one of them is both, or when there
    /// are picture and sound segments; otherwise their one kind.
    init(of segments: [MatchSegment]) {
        let kinds = Set(segments.map(\.modality))
        self = kinds.count > 1 || kinds.contains(.both) ? .both : (kinds.first ?? .video)
    }
}

extension ReferenceMatch {
    /// Best score first; equal scores by path, so that the order does not vary between runs.
    static func ranked(_ matches: some Sequence<ReferenceMatch>) -> [ReferenceMatch] {
        matches.sorted { $0.score > $1.score || ($0.score == $1.score && $0.reference.path < $1.reference.path) }
    }
}
