// One record as one line of JSON (JSON Lines), keys sorted, slashes as they are: what compare,
// watch, probe and hash write. JSON has no NaN or infinity: a record holding one cannot be
// written, and says so in one line naming its file and the field, instead of the encoder's dump;
// each command then treats that file as one that failed and goes on with the others.
import Foundation

package enum JSONLine {
    /// Why a record cannot be written as JSON, naming its file:
    /// `cannot write the record of 'clip.mp4': matches[0].score is nan, which JSON cannot hold`.
    package struct Failure: Error, CustomStringConvertible {
        package var file: String
        package var reason: String
        package var description: String { "cannot write the record of '\(file)': \(reason)" }
    }

    /// `record` as one line of JSON; throws `Failure` naming `file` when a number in it is not finite.
    package static func encode(_ record: some Encodable, of file: String) throws(Failure) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(record), as: UTF8.self)
        } catch let EncodingError.invalidValue(value, context) {
            let place = fieldPath(context.codingPath)
            throw Failure(file: file, reason: "\(place.isEmpty ? "a value" : place) is \(value), which JSON cannot hold")
        } catch {
            throw Failure(file: file, reason: "\(error)")
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
