// What goes into an evidence report: for each checked clip, what identifies the file (name,
// SHA-256, size), when and by which vmatch it was checked, what it reuses, and still pictures of
// the suspect and the reference at matched instants, as JPEG bytes cut by the caller (Pipeline's
// `EvidenceCollector`). Report renders it as one HTML page.
import Foundation
import Matching

package struct EvidenceReport: Sendable {
    package var generated: Date
    package var vmatchVersion: String
    /// How many videos the library held when the clips were checked.
    package var libraryVideos: Int
    package var suspects: [SuspectEvidence]
    /// Who claims the reused material, and how to reach them (`--claimant`, `--contact`).
    package var claimant: String?
    package var contact: String?
    /// How the check was made: the command line, the library file and its identity (SHA-256 of
    /// its videos' paths and digests: the same library gives the same identity).
    package var commandLine: String?
    package var libraryPath: String?
    package var libraryIdentity: String?

    package init(generated: Date, vmatchVersion: String, libraryVideos: Int, suspects: [SuspectEvidence],
                 claimant: String? = nil, contact: String? = nil, commandLine: String? = nil,
                 libraryPath: String? = nil, libraryIdentity: String? = nil) {
        self.generated = generated
        self.vmatchVersion = vmatchVersion
        self.libraryVideos = libraryVideos
        self.suspects = suspects
        self.claimant = claimant
        self.contact = contact
        self.commandLine = commandLine
        self.libraryPath = libraryPath
        self.libraryIdentity = libraryIdentity
    }
}

package struct SuspectEvidence: Sendable {
    /// The check's result (as in the text and JSON reports); `report.suspect` is the path shown.
    package var report: SuspectReport
    /// The clip's full path (the report shows it as the user typed it).
    package var path: String?
    /// Lower-case hex; nil when the file could not be read.
    package var sha256: String?
    package var size: Int64?
    /// The file's modification time.
    package var modified: Date?
    package var checkedAt: Date
    /// `pictures[m][s]`: the picture pairs for segment `s` of match `m` of `report` (start,
    /// middle, end), empty where none were cut (sound-only segments).
    package var pictures: [[[FramePair]]]
    /// Durations of the references, by path (for their timelines).
    package var referenceDurations: [String: Double]
    /// `sounds[m][s]`: the spectrograms of segment `s` of match `m`, nil where its sound is not
    /// reused (picture-only segments).
    package var sounds: [[SoundPair?]] = []

    package init(report: SuspectReport, path: String? = nil, sha256: String?, size: Int64?, modified: Date? = nil, checkedAt: Date,
                 pictures: [[[FramePair]]], referenceDurations: [String: Double] = [:]) {
        self.report = report
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.modified = modified
        self.checkedAt = checkedAt
        self.pictures = pictures
        self.referenceDurations = referenceDurations
    }
}

/// The suspect's picture and the reference's picture at one matched instant.
package struct FramePair: Sendable {
    package var suspectTime: Double
    package var referenceTime: Double
    /// JPEG bytes; nil when the picture could not be cut (the reason is in `note`).
    package var suspectJPEG: [UInt8]?
    package var referenceJPEG: [UInt8]?
    /// PDQ distance (0–256 bits) between the two pictures as the fingerprint measures them; the
    /// matcher counts a frame as matching up to 31.
    package var distance: Int?
    package var note: String?
    /// Where the reference picture sits in this pair's suspect picture, fitted to the two
    /// pictures' own keypoints (only for passages the keypoint channel found); nil when not
    /// fitted or no fit was found.
    package var geometry: PictureGeometry?
    /// Suspect positions (fractions of the frame as it plays) of keypoints that agree with
    /// `geometry`, a spread-out sample of them at most `maximumInlierPoints`.
    package var inlierPoints: [SIMD2<Double>]

    package static let maximumInlierPoints = 60

    package init(suspectTime: Double, referenceTime: Double, suspectJPEG: [UInt8]?, referenceJPEG: [UInt8]?,
                 distance: Int? = nil, note: String? = nil, geometry: PictureGeometry? = nil, inlierPoints: [SIMD2<Double>] = []) {
        self.suspectTime = suspectTime
        self.referenceTime = referenceTime
        self.suspectJPEG = suspectJPEG
        self.referenceJPEG = referenceJPEG
        self.distance = distance
        self.note = note
        self.geometry = geometry
        self.inlierPoints = inlierPoints
    }
}

/// The sound of a reused passage as the fingerprint sees it: the two spectrograms (297–3406 Hz,
/// high frequencies up) over the same stretch of the clip, the reference's drawn through the
/// passage's offset and speed so that the two line up column for column.
package struct SoundPair: Sendable {
    package var suspectStart: Double
    package var suspectEnd: Double
    package var referenceStart: Double
    package var referenceEnd: Double
    /// JPEG bytes; nil when it could not be drawn (the reason is in `note`).
    package var suspectJPEG: [UInt8]?
    package var referenceJPEG: [UInt8]?
    package var matchedLandmarks: Int?
    /// Landmarks found again in both drawn stretches at the same place on the map (marked red).
    package var markedLandmarks: Int?
    package var note: String?

    package init(suspectStart: Double, suspectEnd: Double, referenceStart: Double, referenceEnd: Double,
                 suspectJPEG: [UInt8]?, referenceJPEG: [UInt8]?, matchedLandmarks: Int?, markedLandmarks: Int? = nil, note: String? = nil) {
        self.markedLandmarks = markedLandmarks
        self.suspectStart = suspectStart
        self.suspectEnd = suspectEnd
        self.referenceStart = referenceStart
        self.referenceEnd = referenceEnd
        self.suspectJPEG = suspectJPEG
        self.referenceJPEG = referenceJPEG
        self.matchedLandmarks = matchedLandmarks
        self.note = note
    }
}
