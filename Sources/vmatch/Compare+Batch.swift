// What `compare` needs for long batch jobs beyond checking clips: picking up a stopped batch
// where its output file ends (--resume), and the evidence report (--html).
import Foundation
import Matching
import Media
import Pipeline
import Report

/// What an earlier run of the same batch left in its JSON Lines output.
struct BatchProgress {
    /// Suspect paths as written in the file's `"suspect"` fields.
    var suspects: Set<String> = []
    var reused = false
    var failed = false

    /// Reads `path` (missing: nothing done yet). A last line without its newline was cut off by a
    /// killed run: it is removed from the file, so that clip is checked again and no line is ever
    /// glued to a broken one.
    static func read(_ path: String) throws -> BatchProgress {
        var progress = BatchProgress()
        guard FileManager.default.fileExists(atPath: path) else { return progress }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let whole = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        if whole < data.count {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(whole))
            try handle.close()
        }
        for line in data.prefix(whole).split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let suspect = object["suspect"] as? String else { continue }
            progress.suspects.insert(suspect)
            if let error = object["error"] as? String, !error.isEmpty { progress.failed = true }
            if let matches = object["matches"] as? [Any], !matches.isEmpty { progress.reused = true }
        }
        return progress
    }
}

/// The file `-o` appends to. A file that does not end in a newline (cut off mid-line) gets one
/// first, so every line written now stays whole.
func openForAppending(_ path: String) -> FileHandle? {
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forUpdatingAtPath: path) else { return nil }
    let end = handle.seekToEndOfFile()
    if end > 0 {
        handle.seek(toFileOffset: end - 1)
        let last = handle.readData(ofLength: 1)
        handle.seekToEndOfFile()
        if last != Data("\n".utf8) { handle.write(Data("\n".utf8)) }
    }
    return handle
}

/// Collects, clip by clip, what the HTML evidence report shows: file identity and pictures of
/// each reused passage cut from both files.
struct EvidenceCollector {
    private(set) var suspects: [SuspectEvidence] = []

    mutating func add(_ result: SuspectResult, report: SuspectReport) {
        let checkedAt = Date()
        let attributes = try? FileManager.default.attributesOfItem(atPath: result.path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value
        let digest = try? SHA256.hex(ofFileAt: result.path)
        var pictures: [[FramePair?]] = []
        if result.error == nil && !report.matches.isEmpty {
            var suspectPictures = Pictures(path: result.path)
            for match in report.matches {
                var referencePictures = Pictures(path: match.reference)
                pictures.append(match.segments.map { segment in
                    guard segment.modality != .audio else { return nil }
                    let times = segment.representativeTimes
                    let (a, aNote) = suspectPictures.jpeg(at: times.suspect)
                    let (b, bNote) = referencePictures.jpeg(at: times.reference)
                    let note = [aNote, bNote].compactMap { $0 }.joined(separator: "; ")
                    return FramePair(suspectTime: times.suspect, referenceTime: times.reference,
                                     suspectJPEG: a, referenceJPEG: b, note: note.isEmpty ? nil : note)
                })
            }
        }
        suspects.append(SuspectEvidence(report: report, sha256: digest, size: size, checkedAt: checkedAt, pictures: pictures))
    }

    /// One file's pictures; the file is opened on first use, and an error to open it is kept.
    private struct Pictures {
        let path: String
        var extractor: ThumbnailExtractor?
        var failure: String?

        init(path: String) { self.path = path }

        mutating func jpeg(at time: Double) -> ([UInt8]?, String?) {
            if extractor == nil && failure == nil {
                do { extractor = try ThumbnailExtractor(path: path) } catch { failure = "\(error)" }
            }
            guard let extractor else { return (nil, "picture not available: \(failure ?? "")") }
            do { return (try extractor.jpeg(at: time), nil) } catch { return (nil, "picture not available: \(error)") }
        }
    }
}
