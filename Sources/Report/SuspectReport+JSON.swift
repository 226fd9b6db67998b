// A suspect's record for jobs: one line of JSON (JSON Lines), keys sorted, slashes as they are.
// JSON has no NaN or infinity: a record holding one cannot be written, and says so instead of
// stopping the batch (the clip is then a failed one, its record `failed(because:)`).
import Findings
import Foundation

extension SuspectReport {
    /// One line of JSON; throws `JSONLine.Failure` naming the clip when a number in the record
    /// is not finite.
    package func jsonLine() throws(JSONLine.Failure) -> String {
        try JSONLine.encode(self, of: suspect)
    }

    /// This record as the failure of its clip: the findings dropped, `error` saying why, what
    /// identifies the clip (digest, times, source) kept. It holds no number that can fail to encode.
    package func failed(because error: String) -> SuspectReport {
        var record = self
        record.matches = []
        record.error = error
        record.duration = duration.flatMap { $0.isFinite ? $0 : nil }
        return record
    }

    /// The record a command writes for this one, with its JSON line: this record, or, when it
    /// cannot be written as JSON, its clip's failure record (`error` naming the clip and why).
    /// The line is nil only if even that cannot be encoded, which its plain values rule out.
    package func checkedForWriting() -> (record: SuspectReport, jsonLine: String?) {
        do {
            return (self, try jsonLine())
        } catch {
            let record = failed(because: "\(error)")
            return (record, try? record.jsonLine())
        }
    }
}
