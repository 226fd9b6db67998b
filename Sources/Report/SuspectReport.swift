// What a suspect's check says, in the two forms people and jobs read: a text block, and one JSON
// object per suspect (JSON Lines, schema 1, DESIGN.md's output contract).
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

        enum CodingKeys: String, CodingKey {
            case modality, score, speed
            case suspectStart = "suspect_start", suspectEnd = "suspect_end"
            case referenceStart = "reference_start", referenceEnd = "reference_end"
        }
    }

    package struct Match: Sendable, Codable {
        package var reference: String
        package var score: Double
        package var modality: Modality
        package var segments: [Segment]
    }

    /// The JSON Lines schema this version writes (and `--resume` reads).
    package static let currentSchema = 1
    package var schema = currentSchema
    package var suspect: String
    package var duration: Double?
    package var matches: [Match]
    package var error: String?

    package init(suspect: String, duration: Double?, matches: [ReferenceMatch], error: String?) {
        self.suspect = suspect
        self.duration = duration.map(Self.rounded)
        self.error = error
        self.matches = matches.map { m in
            Match(reference: m.reference.path, score: Self.rounded(m.score), modality: m.modality,
                  segments: m.segments.map {
                      Segment(modality: $0.modality, suspectStart: Self.rounded($0.suspectStart),
                              suspectEnd: Self.rounded($0.suspectEnd), referenceStart: Self.rounded($0.referenceStart),
                              referenceEnd: Self.rounded($0.referenceEnd), score: Self.rounded($0.score),
                              speed: Self.rounded($0.speed))
                  })
        }
    }

    /// Milliseconds are as precise as any of these numbers are.
    static func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    enum CodingKeys: String, CodingKey { case schema, suspect, duration, matches, error }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(suspect, forKey: .suspect)
        try c.encode(duration, forKey: .duration)  // null when unknown, never missing
        try c.encode(matches, forKey: .matches)
        try c.encode(error, forKey: .error)
    }

    /// One line of JSON.
    package func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain values cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// The block for people (control characters in names shown escaped: `String.terminalSafe`).
    /// References are named by their whole path, as `shown` gives it (the command line shows
    /// paths under the current folder relative to it): two references with one file name must
    /// not read the same.
    package func text(shown: (String) -> String = { $0 }) -> String {
        var lines: [String] = []
        let length = duration.map { " (\(Self.clock($0)))" } ?? ""
        lines.append("\(suspect.terminalSafe)\(length)")
        if let error {
            lines.append("  error: \(error.terminalSafe)")
        } else if matches.isEmpty {
            lines.append("  no reuse found")
        }
        for m in matches {
            lines.append("  reuses \(shown(m.reference).terminalSafe)  \(Self.words(m.modality))  confidence \(String(format: "%.2f", m.score))")
            for s in m.segments {
                var line = "    suspect \(Self.clock(s.suspectStart))–\(Self.clock(s.suspectEnd))"
                line += "  =  reference \(Self.clock(s.referenceStart))–\(Self.clock(s.referenceEnd))"
                line += "  \(Self.words(s.modality))"
                if abs(s.speed - 1) >= 0.02 { line += String(format: ", speed ×%.2f", s.speed) }
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
