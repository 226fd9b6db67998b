// Gathers, clip by clip, what the HTML evidence report shows beside the verdict: the clip's
// identity (SHA-256 of the whole file, size, when it was checked) and still pictures of each
// reused passage cut from both files through `Media`.
import Foundation
import Media
import Report

package struct EvidenceCollector {
    package private(set) var suspects: [SuspectEvidence] = []

    package init() {}

    package mutating func add(_ result: SuspectResult, report: SuspectReport) {
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
