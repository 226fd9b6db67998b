// The evidence report's picture of a passage reused for its sound: the spectrogram of the clip's
// stretch and of the reference's, decoded again from both files and drawn from the fingerprint's
// own STFT (`SpectrogramPicture`), the reference's stretched through the passage's speed so that
// the two line up; encoded as JPEG by FFmpeg.
import AudioFingerprint
import Findings
import Fingerprint
import Foundation
import Media

enum SoundEvidence {
    /// Seconds of a passage drawn at most (its start): a picture a page wide stays readable.
    static let longest = 15.0

    /// The pair for `segment`; `referenceShown` non-nil: the reason the reference is not drawn.
    /// Landmarks found in both stretches at the same place on the passage's map are marked red.
    static func pair(suspect: String, reference: String, segment: SuspectReport.Segment, referenceShown: String?) -> SoundPair {
        let start = segment.suspectStart, end = min(segment.suspectEnd, segment.suspectStart + longest)
        let referenceStart = segment.referenceTime(at: start), referenceEnd = segment.referenceTime(at: end)
        var notes: [String] = []
        var clip: [Float]?, original: [Float]?
        do { clip = try samples(of: suspect, from: start, to: end) } catch { notes.append("spectrogram not available: \(error)") }
        if let referenceShown {
            notes.append(referenceShown)
        } else {
            do { original = try samples(of: reference, from: referenceStart, to: referenceEnd) } catch {
                notes.append("spectrogram not available: \(error)")
            }
        }
        let matched = clip.flatMap { c in original.map { matchedLandmarks(clip: c, reference: $0, speed: segment.speed) } } ?? []
        var suspectPicture: [UInt8]?, referencePicture: [UInt8]?
        var columns: Int?
        do {
            if let clip {
                let drawn = try picture(clip, columns: nil, marks: matched.map { ($0.clip.time, $0.clip.pitch) }, path: suspect)
                suspectPicture = drawn.jpeg
                columns = drawn.columns
            }
            if let original {
                referencePicture = try picture(original, columns: columns, marks: matched.map { ($0.reference.time, $0.reference.pitch) }, path: reference).jpeg
            }
        } catch {
            notes.append("spectrogram not available: \(error)")
        }
        return SoundPair(suspectStart: start, suspectEnd: end, referenceStart: referenceStart, referenceEnd: referenceEnd,
                         suspectJPEG: suspectPicture, referenceJPEG: referencePicture, matchedLandmarks: segment.matchedLandmarks,
                         markedLandmarks: original == nil ? nil : matched.count, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// Landmarks of the two stretches (each timed from its own start) that have one hash (the
    /// clip's probes included, as the matcher looks them up) and the same time on the passage's
    /// map, within two STFT hops.
    static func matchedLandmarks(clip: [Float], reference: [Float], speed: Double)
        -> [(clip: (time: Double, pitch: Double), reference: (time: Double, pitch: Double))] {
        func landmarks(_ samples: [Float], _ role: FingerprintRole) -> [AudioLandmark] {
            let fingerprinter = AudioFingerprinter(role: role)
            return fingerprinter.append(samples) + fingerprinter.finish()
        }
        var byHash: [UInt32: [AudioLandmark]] = [:]
        for r in landmarks(reference, .reference) { byHash[r.hash, default: []].append(r) }
        let tolerance = 2 / SpectrogramPicture.columnsPerSecond
        var found: [(clip: (time: Double, pitch: Double), reference: (time: Double, pitch: Double))] = []
        for q in landmarks(clip, .suspect) {
            let hit = LandmarkHash.probes(of: q).lazy.compactMap { byHash[$0] }.joined()
                .first { abs(Double($0.time) - Double(q.time) * speed) <= tolerance }
            if let r = hit {
                found.append(((Double(q.time), q.pitchSemitones), (Double(r.time), r.pitchSemitones)))
            }
        }
        return found
    }

    private struct Enough: Error {}

    /// The mono samples of `path` from `start` to `end` seconds, at the analysis rate.
    static func samples(of path: String, from start: Double, to end: Double) throws -> [Float] {
        let rate = SpectrogramPicture.sampleRate
        let decoder = try MediaDecoder(path: path, options: DecodeOptions(video: nil, audio: AudioOutput(sampleRate: rate),
                                                                          timeBudget: 60 + 2 * end))
        guard decoder.info.hasAudio else { throw MediaError(.noStreams, path: path, reason: "no sound") }
        var samples: [Float] = []
        let first = Int((start * Double(rate)).rounded()), last = Int((end * Double(rate)).rounded())
        do {
            try decoder.decode(audio: { chunk in
                let at = Int((chunk.startTime * Double(rate)).rounded())
                let from = max(0, first - at), to = min(chunk.samples.count, last - at)
                if from < to { samples += chunk.samples[from ..< to] }
                if at + chunk.samples.count >= last { throw Enough() }
            })
        } catch is Enough {}
        return samples
    }

    /// The spectrogram of `samples`, `columns` wide when given (the clip's width, for the
    /// reference: stretched through the passage's speed), else one column per STFT frame;
    /// `marks` (time in the samples, pitch in semitones above 55 Hz) drawn red.
    static func picture(_ samples: [Float], columns: Int?, marks: [(time: Double, pitch: Double)], path: String) throws -> (jpeg: [UInt8], columns: Int) {
        let drawn = SpectrogramPicture.gray(of: samples)
        guard drawn.width > 1 else { throw MediaError(.decode, path: path, reason: "no sound in that stretch") }
        var pixels = drawn.pixels, width = drawn.width
        if let columns, columns > 1, columns != width {
            // Column x of the clip's picture is this stretch's x·w/columns.
            var stretched = [UInt8](repeating: 255, count: columns * drawn.height)
            for y in 0 ..< drawn.height {
                for x in 0 ..< columns { stretched[y * columns + x] = pixels[y * width + min(width - 1, x * width / columns)] }
            }
            pixels = stretched
            width = columns
        }
        let scale = Double(width) / Double(drawn.width)
        let points = marks.map { (x: Int((Double(SpectrogramPicture.column(ofTime: $0.time)) * scale).rounded()), y: SpectrogramPicture.row(ofPitch: $0.pitch)) }
        return (try ThumbnailExtractor.jpeg(gray: pixels, width: width, height: drawn.height, marks: points, path: path), width)
    }
}
