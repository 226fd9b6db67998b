// A suspect's record for people: the text block `compare` and `watch` print, and the lines
// stderr gives besides errors. Times as `mm:ss`; control characters in names shown escaped.
import Findings
import Foundation
import Matching

extension SuspectReport {
    /// What stderr says besides errors: references that are no longer the files indexed.
    package var warnings: [String] {
        changedDuringCheck.map { ["'\(suspect)' changed while it was checked (\($0)); checked again, this record is of the file as it is now"] } ?? []
        + matches.filter { $0.referenceVerified == false }.map {
            "'\($0.reference)' \($0.referenceProblem ?? "is not the file that was indexed"); '\(suspect)' was matched against it as it was indexed: run `vmatch index` on it again"
        }
    }

    /// The block for people (control characters in names shown escaped: `String.terminalSafe`).
    /// References are named by their whole path, as `shown` gives it (the command line shows
    /// paths under the current folder relative to it): two references with one file name must
    /// not read the same.
    package func text(shown: (String) -> String = { $0 }) -> String {
        var lines: [String] = []
        let length = duration.map { " (\(Self.clock($0)))" } ?? ""
        lines.append("\(suspect.terminalSafe)\(length)")
        for (label, value) in source?.lines ?? [] { lines.append("  \(label): \(value.terminalSafe)") }
        if let changedDuringCheck { lines.append("  changed during the check (\(changedDuringCheck)); checked again") }
        if let supersedes { lines.append("  changed since its check of \(supersedes.checkedAt) (SHA-256 \(supersedes.sha256)); this record supersedes that one") }
        if let error {
            lines.append("  error: \(error.terminalSafe)")
        } else if matches.isEmpty {
            lines.append("  no reuse found")
        }
        for m in matches {
            lines.append("  reuses \(shown(m.reference).terminalSafe)  \(Self.words(m.modality))  confidence \(String(format: "%.2f", m.score))")
            for other in m.sameContent ?? [] { lines.append("    (the same file as \(shown(other).terminalSafe))") }
            if m.referenceVerified == false {
                lines.append("    warning: \(shown(m.reference).terminalSafe) \(m.referenceProblem ?? "is not the file that was indexed"); this match is from the file as it was indexed: run `vmatch index` on it again")
            }
            for s in m.segments {
                var line = "    suspect \(Self.clock(s.suspectStart))–\(Self.clock(s.suspectEnd))"
                line += "  =  reference \(Self.clock(s.referenceStart))–\(Self.clock(s.referenceEnd))"
                line += "  \(Self.words(s.modality))"
                if abs(s.speed - 1) >= 0.02 { line += String(format: ", speed ×%.2f", s.speed) }
                if let phrase = s.picture?.phrase { line += ", \(phrase)" }
                if let agreement = s.motionAgreement {
                    line += s.motionEvidence == .appearance
                        ? String(format: "; the picture by how it looks along the sound (agreement %.2f)", agreement)
                        : String(format: "; the picture by how it changes (agreement %.2f)", agreement)
                }
                if let also = s.alsoMatches, !also.isEmpty {
                    let places = also.prefix(3).map(\.clock).joined(separator: ", ")
                    line += "; also matches the reference at \(places)" + (also.count > 3 ? " and \(also.count - 3) more" : "")
                        + " (a loop or a repeated shot: which one was taken cannot be told)"
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func words(_ modality: Modality) -> String {
        switch modality {
        case .video: "picture"
        case .audio: "sound"
        case .both: "picture and sound"
        }
    }

    /// `mm:ss`, or `h:mm:ss` past an hour.
    package static func clock(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%02d:%02d", m, s)
    }
}

extension SuspectReport.Segment.Range {
    /// `mm:ss–mm:ss`.
    package var clock: String { "\(SuspectReport.clock(referenceStart))–\(SuspectReport.clock(referenceEnd))" }
}

extension SuspectReport.Picture {
    /// The phrase for people when the picture sits inside the frame ("shown at 31 % of the
    /// frame, rotated 7° clockwise, mirrored"); nil for a whole-frame copy.
    package var phrase: String? {
        let g = geometry
        guard !g.isWholeFrame() else { return nil }
        var parts: [String] = []
        if areaShare < 0.9 {
            parts.append("shown at \(Int((areaShare * 100).rounded())) % of the frame")
        } else if areaShare > 1.1 {
            parts.append(String(format: "enlarged ×%.1f", areaShare.squareRoot()))
        }
        if abs(rotationDegrees) >= 1 {
            parts.append(String(format: "rotated %.0f° %@", abs(rotationDegrees), rotationDegrees > 0 ? "clockwise" : "anticlockwise"))
        }
        if mirrored { parts.append("mirrored") }
        return parts.isEmpty ? "moved within the frame" : parts.joined(separator: ", ")
    }
}
