// What `vmatch hash` prints for people (text) and for vPDQ's tools: one line per hashed frame,
// `frame number,quality,PDQ hex,timestamp` with timestamp = frame number / frame rate, 3
// decimals (facebook/ThreatExchange vpdq/cpp, `io/vpdqio.cpp`).
import Findings
import Foundation

extension HashLine {
    /// Still image: `hash  quality  file`; video frame: `time  quality  hash  file`.
    package var text: String {
        if let time { return String(format: "%9.3f  %3d  ", time, quality) + pdq + "  \(file)" }
        return "\(pdq)  \(String(format: "%3d", quality))  \(file)"
    }
}

extension VPDQFeature {
    /// `12,100,e271…055c,0.400`
    package var line: String { "\(frame),\(quality),\(pdq)," + String(format: "%.3f", time ?? 0) }
}

extension FileHashes {
    /// The vPDQ lines of every frame.
    package var vpdqLines: String { frames.map { $0.line + "\n" }.joined() }
}
