// A suspect's record for jobs: one line of JSON (JSON Lines), keys sorted, slashes as they are.
import Findings
import Foundation

extension SuspectReport {
    /// One line of JSON.
    package func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain values cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
