// A suspect's record for jobs: one line of JSON (JSON Lines), keys sorted, slashes as they are.
// JSON has no NaN or infinity: a record holding one cannot be written, and says so instead of
// stopping the batch (the clip is then a failed one, its record `failed(because:)`).
import Findings
import Foundation

extension SuspectReport {
    /// Why a record cannot be written as JSON, naming its clip:
    /// `cannot write the record of 'clip.mp4': matches[0].score is nan, which JSON cannot hold`.
    package struct JSONLineError: Error, CustomStringConvertible {
        package var suspect: String
        package var reason: String
        package var description: String { "cannot write the record of '\(suspect)': \(reason)" }
    }

    /// One line of JSON; throws `JSONLineError` when a number in the record is not finite.
    package func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch let EncodingError.invalidValue(value, context) {
            let place = Self.fieldPath(context.codingPath)
            throw JSONLineError(suspect: suspect, reason: "\(place.isEmpty ? "a value" : place) is \(value), which JSON cannot hold")
        } catch {
            throw JSONLineError(suspect: suspect, reason: "\(error)")
        }
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

    /// `matches[0].segments[1].score`, as the encoder's coding path names the field.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { text, key in
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
    }
}
