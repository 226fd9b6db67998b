// What a suspect's check found: the record of one clip, with the JSON Lines field names of
// schema 1 (DESIGN.md's output contract) that `compare --resume` reads back. Report renders it:
// the text block, the JSON line, the HTML evidence.
import Foundation
import Matching

package struct SuspectReport: Sendable, Codable {
    package struct Segment: Sendable, Codable {
        package var modality: Modality
        package var suspectStart: Double
        package var suspectEnd: Double
        package var referenceStart: Double
        package var referenceEnd: Double
        package var score: Double
        package var speed: Double
        /// The evidence counted by the matcher (nil in records of earlier versions).
        package var matchedFrames: Int?
        package var matchedLandmarks: Int?
        /// Where the reference picture sits in the clip's frame (keypoint channel only).
        package var picture: Picture?
        /// Other reference ranges the passage matches as well (a loop, a repeated shot).
        package var alsoMatches: [Range]?
        /// How far the picture's changes agree with the reference's on the map beyond any other
        /// offset, when that is what shows the picture reused (`MatchSegment.motionAgreement`).
        package var motionAgreement: Double?
        /// What of the picture `motionAgreement` measured (`MatchSegment.motionEvidence`): "changes"
        /// or "appearance"; nil with it, and in records of earlier versions (read as "changes").
        package var motionEvidence: MatchSegment.MotionEvidence? = nil

        package struct Range: Sendable, Codable, Equatable {
            package var referenceStart: Double
            package var referenceEnd: Double

            enum CodingKeys: String, CodingKey {
                case referenceStart = "reference_start", referenceEnd = "reference_end"
            }
        }

        /// The segment as the matcher described it.
        package var matchSegment: MatchSegment {
            MatchSegment(modality: modality, suspectStart: suspectStart, suspectEnd: suspectEnd, referenceStart: referenceStart,
                         referenceEnd: referenceEnd, score: score, speed: speed,
                         matchedFrames: matchedFrames ?? 0, matchedLandmarks: matchedLandmarks ?? 0,
                         geometry: picture?.geometry,
                         alsoMatches: (alsoMatches ?? []).map { $0.referenceStart ... max($0.referenceStart, $0.referenceEnd) },
                         motionAgreement: motionAgreement, motionEvidence: motionEvidence)
        }

        /// Where suspect time `t` lands in the reference: the matcher's one time map.
        package func referenceTime(at t: Double) -> Double { matchSegment.referenceTime(at: t) }

        enum CodingKeys: String, CodingKey {
            case modality, score, speed
            case suspectStart = "suspect_start", suspectEnd = "suspect_end"
            case referenceStart = "reference_start", referenceEnd = "reference_end"
            case matchedFrames = "matched_frames", matchedLandmarks = "matched_landmarks"
            case picture
            case alsoMatches = "also_matches"
            case motionAgreement = "motion_agreement"
            case motionEvidence = "motion_evidence"
        }
    }

    /// `PictureGeometry` as records give it: corners as [x, y] fractions of the clip's frame,
    /// rounded to a thousandth, the area share and the angle alongside.
    package struct Picture: Sendable, Codable, Equatable {
        package var corners: [[Double]]
        package var areaShare: Double
        package var rotationDegrees: Double
        package var mirrored: Bool
        package var inliers: Int

        package init(_ g: PictureGeometry) {
            corners = g.corners.map { [SuspectReport.rounded($0.x), SuspectReport.rounded($0.y)] }
            areaShare = SuspectReport.rounded(g.areaShare)
            rotationDegrees = (g.rotation * 10).rounded() / 10
            mirrored = g.mirrored
            inliers = g.inliers
        }

        package var geometry: PictureGeometry {
            PictureGeometry(corners: corners.map { SIMD2($0.first ?? 0, $0.count > 1 ? $0[1] : 0) },
                            rotation: rotationDegrees, mirrored: mirrored, inliers: inliers)
        }

        enum CodingKeys: String, CodingKey {
            case corners, mirrored, inliers
            case areaShare = "area_share", rotationDegrees = "rotation_degrees"
        }
    }

    package struct Match: Sendable, Codable {
        package var reference: String
        package var score: Double
        package var modality: Modality
        package var segments: [Segment]
        /// SHA-256 of the reference as it was indexed.
        package var sha256: String?
        /// Whether the reference file still has that digest; false when it changed or is gone
        /// (then `referenceProblem` says which, and no picture of it is shown).
        package var referenceVerified: Bool?
        package var referenceProblem: String?
        /// Other library paths holding the same content (same digest), matched alike.
        package var sameContent: [String]?

        enum CodingKeys: String, CodingKey {
            case reference, score, modality, segments, sha256
            case referenceVerified = "reference_verified", referenceProblem = "reference_problem"
            case sameContent = "same_content"
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reference, forKey: .reference)
            try c.encode(score, forKey: .score)
            try c.encode(modality, forKey: .modality)
            try c.encode(segments, forKey: .segments)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(referenceVerified, forKey: .referenceVerified)
            try c.encode(referenceProblem, forKey: .referenceProblem)
            try c.encode(sameContent ?? [], forKey: .sameContent)
        }
    }

    /// The JSON Lines schema this version writes (and `--resume` reads). Fields added since
    /// schema 1 began (sha256, source, checked_at, vmatch_version, the references' identity and
    /// the evidence counts) are additive: readers of schema 1 keep working.
    package static let currentSchema = 1
    package var schema = currentSchema
    package var suspect: String
    package var duration: Double?
    package var matches: [Match]
    package var error: String?
    /// SHA-256 of the whole clip, as checked.
    package var sha256: String?
    package var source: SourceInfo?
    /// UTC, ISO 8601.
    package var checkedAt: String?
    /// The clip file's modification time, UTC, ISO 8601.
    package var fileModified: String?
    package var vmatchVersion: String?
    /// Set when the clip changed while it was checked (what changed) and was checked again: the
    /// record is of the file as it stood through the last check. Absent otherwise.
    package var changedDuringCheck: String?
    /// Set by `watch` when the clip was checked before with other content (the same path, new
    /// bytes): the earlier record this one replaces. Absent otherwise.
    package var supersedes: Supersedes?

    /// The earlier record of the same path that a record replaces: its digest and time.
    package struct Supersedes: Sendable, Codable, Equatable {
        package var sha256: String
        package var checkedAt: String

        package init(sha256: String, checkedAt: String) {
            self.sha256 = sha256
            self.checkedAt = checkedAt
        }

        enum CodingKeys: String, CodingKey {
            case sha256
            case checkedAt = "checked_at"
        }
    }

    /// `references`: what the library knows of each matched reference path and whether it was
    /// verified (absent: unknown, as for a clip that could not be read). References with the
    /// same indexed digest, both still verified, are reported once, under the best-matching
    /// path, with the others in `sameContent`.
    package init(suspect: String, duration: Double?, matches: [ReferenceMatch], error: String?,
                 sha256: String? = nil, source: SourceInfo? = nil, checkedAt: Date? = nil, fileModified: Date? = nil, vmatchVersion: String? = nil,
                 references: [String: ReferenceCheck] = [:], changedDuringCheck: String? = nil) {
        self.suspect = suspect
        self.changedDuringCheck = changedDuringCheck
        // A stated length that is not a number is an unknown one (JSON cannot hold it).
        self.duration = duration.flatMap { $0.isFinite ? Self.rounded($0) : nil }
        self.error = error
        self.sha256 = sha256
        self.source = source
        self.checkedAt = checkedAt.map(Self.timestamp)
        self.fileModified = fileModified.map(Self.timestamp)
        self.vmatchVersion = vmatchVersion
        var byDigest: [String: Int] = [:]
        var kept: [Match] = []
        for m in matches {
            let check = references[m.reference.path]
            // Only files verified to still hold that content are named together.
            let digest = check.flatMap { $0.verified ? $0.sha256 : nil }
            if let digest, let i = byDigest[digest] {
                kept[i].sameContent = (kept[i].sameContent ?? []) + [m.reference.path]
                continue
            }
            if let digest { byDigest[digest] = kept.count }
            kept.append(Match(reference: m.reference.path, score: Self.rounded(m.score), modality: m.modality,
                              segments: m.segments.map {
                                  Segment(modality: $0.modality, suspectStart: Self.rounded($0.suspectStart),
                                          suspectEnd: Self.rounded($0.suspectEnd), referenceStart: Self.rounded($0.referenceStart),
                                          referenceEnd: Self.rounded($0.referenceEnd), score: Self.rounded($0.score),
                                          speed: Self.rounded($0.speed), matchedFrames: $0.matchedFrames, matchedLandmarks: $0.matchedLandmarks,
                                          picture: $0.geometry.map(Picture.init),
                                          alsoMatches: $0.alsoMatches.isEmpty ? nil : $0.alsoMatches.map {
                                              Segment.Range(referenceStart: Self.rounded($0.lowerBound), referenceEnd: Self.rounded($0.upperBound))
                                          },
                                          motionAgreement: $0.motionAgreement.map(Self.rounded),
                                          motionEvidence: $0.motionEvidence)
                              },
                              sha256: check?.sha256, referenceVerified: check?.verified, referenceProblem: check?.problem,
                              sameContent: nil))
        }
        self.matches = kept
    }

    /// Milliseconds are as precise as any of these numbers are.
    static func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    /// `2026-12-02T14:05:09Z`.
    package static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    enum CodingKeys: String, CodingKey {
        case schema, suspect, duration, matches, error, sha256, source
        case checkedAt = "checked_at", vmatchVersion = "vmatch_version", fileModified = "file_modified"
        case changedDuringCheck = "changed_during_check"
        case supersedes
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(suspect, forKey: .suspect)
        try c.encode(duration, forKey: .duration)  // null when unknown, never missing
        try c.encode(matches, forKey: .matches)
        try c.encode(error, forKey: .error)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(source, forKey: .source)
        try c.encode(checkedAt, forKey: .checkedAt)
        try c.encode(fileModified, forKey: .fileModified)
        try c.encode(vmatchVersion, forKey: .vmatchVersion)
        try c.encodeIfPresent(changedDuringCheck, forKey: .changedDuringCheck)  // absent in the plain case
        try c.encodeIfPresent(supersedes, forKey: .supersedes)  // likewise
    }
}
