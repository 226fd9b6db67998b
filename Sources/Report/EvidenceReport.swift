// What goes into an evidence report: for each checked clip, what identifies the file (name,
// SHA-256, size), when and by which vmatch it was checked, what it reuses, and still pictures of
// the suspect and the reference at matched instants, as JPEG bytes cut by the caller.
import Foundation

package struct EvidenceReport: Sendable {
    package var generated: Date
    package var vmatchVersion: String
    /// How many videos the library held when the clips were checked.
    package var libraryVideos: Int
    package var suspects: [SuspectEvidence]

    package init(generated: Date, vmatchVersion: String, libraryVideos: Int, suspects: [SuspectEvidence]) {
        self.generated = generated
        self.vmatchVersion = vmatchVersion
        self.libraryVideos = libraryVideos
        self.suspects = suspects
    }
}

package struct SuspectEvidence: Sendable {
    /// The check's result (as in the text and JSON reports); `report.suspect` is the path shown.
    package var report: SuspectReport
    /// Lower-case hex; nil when the file could not be read.
    package var sha256: String?
    package var size: Int64?
    package var checkedAt: Date
    /// `pictures[m][s]`: the pictures for segment `s` of match `m` of `report`, nil where none
    /// were cut (sound-only segments).
    package var pictures: [[FramePair?]]

    package init(report: SuspectReport, sha256: String?, size: Int64?, checkedAt: Date, pictures: [[FramePair?]]) {
        self.report = report
        self.sha256 = sha256
        self.size = size
        self.checkedAt = checkedAt
        self.pictures = pictures
    }
}

/// The suspect's picture and the reference's picture at one matched instant.
package struct FramePair: Sendable {
    package var suspectTime: Double
    package var referenceTime: Double
    /// JPEG bytes; nil when the picture could not be cut (the reason is in `note`).
    package var suspectJPEG: [UInt8]?
    package var referenceJPEG: [UInt8]?
    package var note: String?

    package init(suspectTime: Double, referenceTime: Double, suspectJPEG: [UInt8]?, referenceJPEG: [UInt8]?, note: String? = nil) {
        self.suspectTime = suspectTime
        self.referenceTime = referenceTime
        self.suspectJPEG = suspectJPEG
        self.referenceJPEG = referenceJPEG
        self.note = note
    }
}

extension SuspectReport.Segment {
    /// The instant shown for a segment: its middle on the suspect's axis, and where that lands in
    /// the reference through the segment's offset and speed.
    package var representativeTimes: (suspect: Double, reference: Double) {
        let middle = (suspectStart + suspectEnd) / 2
        return (middle, referenceStart + (middle - suspectStart) * speed)
    }
}
