// Gathers, clip by clip, what the HTML evidence report shows beside the verdict: the clip's
// identity (SHA-256 of the whole file, size, file time, when it was checked) and pairs of still
// pictures of each reused passage (start, middle, end) cut from both files through `Media`, each
// with the PDQ distance between the two as the fingerprint measures it (the suspect's variants
// against the reference's crops, the closest pair). For a passage the keypoint channel found
// (the segment has a geometry), each pair also gets its own fit (`PairGeometry`) from gray
// detail pictures of the same decoded frames.
import Findings
import Fingerprint
import Foundation
import Matching
import Media
import VideoFingerprint

package struct EvidenceCollector {
    package private(set) var suspects: [SuspectEvidence] = []
    /// Reference durations, for the report's reference timelines.
    private let durations: [String: Double]

    package init(library: LoadedReferences? = nil) {
        var durations: [String: Double] = [:]
        for entry in library?.entries ?? [] { durations[entry.path] = entry.duration }
        self.durations = durations
    }

    /// The instants shown for a segment: its start, middle and end (a tenth of its length in
    /// from each end) when it lasts 3 s or more, else its middle; on the suspect's axis.
    static func instants(of segment: SuspectReport.Segment) -> [Double] {
        let length = segment.suspectEnd - segment.suspectStart
        guard length >= 3 else { return [(segment.suspectStart + segment.suspectEnd) / 2] }
        return [0.1, 0.5, 0.9].map { segment.suspectStart + length * $0 }
    }

    package mutating func add(_ result: SuspectResult, report: SuspectReport) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: result.path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value
        let modified = attributes?[.modificationDate] as? Date
        let digest = result.sha256 ?? (try? SHA256.hex(ofFileAt: result.path))
        var pictures: [[[FramePair]]] = []
        var sounds: [[SoundPair?]] = []
        if result.error == nil && !report.matches.isEmpty {
            for match in report.matches {
                let verified = match.referenceVerified != false
                sounds.append(match.segments.map { segment in
                    guard segment.modality != .video else { return nil }
                    return SoundEvidence.pair(suspect: result.path, reference: match.reference, segment: segment,
                                              referenceShown: verified ? nil : "the reference is not shown: it \(match.referenceProblem ?? "is not the file indexed")")
                })
            }
            var suspectPictures = Pictures(path: result.path, role: .suspect)
            let fitter = PairGeometry()
            for match in report.matches {
                var referencePictures = Pictures(path: match.reference, role: .reference)
                let verified = match.referenceVerified != false
                pictures.append(match.segments.map { segment in
                    guard segment.modality != .audio else { return [] }
                    // Only where the keypoint channel found the picture: a whole-frame match
                    // has no outline to show.
                    let fits = segment.picture != nil && verified
                    return Self.instants(of: segment).map { suspectTime in
                        let referenceTime = segment.referenceTime(at: suspectTime)
                        let a = suspectPictures.picture(at: suspectTime, detail: fits)
                        // A reference that is no longer the file indexed is not shown: a picture
                        // cut from another file would be false evidence.
                        let b = verified ? referencePictures.picture(at: referenceTime, detail: fits)
                            : (nil, nil, nil, "the reference is not shown: it \(match.referenceProblem ?? "is not the file indexed")")
                        var distance: Int?
                        if let x = a.hashes, let y = b.hashes {
                            distance = x.flatMap { h in y.map { h.distance(to: $0) } }.min()
                        }
                        var found: PairGeometry.Found?
                        if let x = a.detail, let y = b.detail { found = fitter.fit(suspect: x, reference: y) }
                        let note = [a.note, b.note].compactMap { $0 }.joined(separator: "; ")
                        return FramePair(suspectTime: suspectTime, referenceTime: referenceTime, suspectJPEG: a.jpeg,
                                         referenceJPEG: b.jpeg, distance: distance, note: note.isEmpty ? nil : note,
                                         geometry: found?.geometry, inlierPoints: found?.inlierPoints ?? [])
                    }
                })
            }
        }
        var evidence = SuspectEvidence(report: report, path: result.path, sha256: digest, size: size, modified: modified,
                                       checkedAt: result.checkedAt, pictures: pictures, referenceDurations: durations)
        evidence.sounds = sounds
        suspects.append(evidence)
    }

    /// A clip checked by an earlier run of the batch, from its record (`compare --resume`): its
    /// pictures are cut again from the file at `path`, when that still holds the bytes the
    /// record's SHA-256 names; otherwise the verdict is shown without them, saying why (pictures
    /// of other content would be false evidence).
    package mutating func add(earlier report: SuspectReport, path: String) {
        let checkedAt = report.checkedAt.flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date(timeIntervalSince1970: 0)
        let digest = try? SHA256.hex(ofFileAt: path)
        if report.error != nil || (digest != nil && digest == report.sha256) {
            add(SuspectResult(path: path, duration: report.duration, matches: [], error: report.error, elapsed: 0,
                              sha256: report.sha256, checkedAt: checkedAt), report: report)
            return
        }
        let why = digest == nil ? "it cannot be read now" : "it is not the file that was checked (its SHA-256 differs)"
        let pictures = report.matches.map { match in
            match.segments.map { segment -> [FramePair] in
                guard segment.modality != .audio else { return [] }
                return Self.instants(of: segment).map {
                    FramePair(suspectTime: $0, referenceTime: segment.referenceTime(at: $0), suspectJPEG: nil, referenceJPEG: nil,
                              distance: nil, note: "not shown: the clip was checked by an earlier run, and \(why)")
                }
            }
        }
        suspects.append(SuspectEvidence(report: report, path: path, sha256: report.sha256, size: nil, modified: nil,
                                        checkedAt: checkedAt, pictures: pictures, referenceDurations: durations))
    }

    /// One file's pictures and their hashes; the file is opened on first use, and an error to
    /// open it is kept.
    private struct Pictures {
        let path: String
        let role: FingerprintRole
        let hasher: FileFingerprinter
        var extractor: ThumbnailExtractor?
        var failure: String?

        init(path: String, role: FingerprintRole) {
            self.path = path
            self.role = role
            hasher = FileFingerprinter(options: FingerprintOptions(role: role))
        }

        /// `detail`: also the gray picture the role's keypoints are found on (same decoded frame).
        mutating func picture(at time: Double, detail: Bool = false)
            -> (jpeg: [UInt8]?, hashes: [PDQHash]?, detail: DetailPicture?, note: String?) {
            if extractor == nil && failure == nil {
                do {
                    extractor = try ThumbnailExtractor(path: path, detailLongSide: KeypointRecipe.detail(for: role).longSide)
                } catch { failure = "\(error)" }
            }
            guard let extractor else { return (nil, nil, nil, "picture not available: \(failure ?? "")") }
            do {
                let p = try extractor.picture(at: time, detail: detail)
                return (p.jpeg, hasher.hashes(ofPicture: p.luma, width: p.width, height: p.height),
                        p.detail, nil)
            } catch {
                return (nil, nil, nil, "picture not available: \(error)")
            }
        }
    }
}
