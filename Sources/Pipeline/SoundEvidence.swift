// The evidence report's picture of a passage reused for its sound: the spectrogram of the clip's
// stretch and of the reference's, decoded again from both files and drawn from the fingerprint's
// own STFT (`SpectrogramPicture`), the reference's stretched through the passage's speed so that
// the two line up; encoded as JPEG by FFmpeg.
import AudioFingerprint
import Foundation
import Media
import Report

enum SoundEvidence {
    /// Seconds of a passage drawn at most (its start): a picture a page wide stays readable.
    static let longest = 15.0

    /// The pair for `segment`; `referenceShown` non-nil: the reason the reference is not drawn.
    static func pair(suspect: String, reference: String, segment: SuspectReport.Segment, referenceShown: String?) -> SoundPair {
        let start = segment.suspectStart, end = min(segment.suspectEnd, segment.suspectStart + longest)
        let referenceStart = segment.referenceStart, referenceEnd = segment.referenceStart + (end - start) * segment.speed
        var notes: [String] = []
        var suspectPicture: [UInt8]?, referencePicture: [UInt8]?
        var columns: Int?
        do {
            let drawn = try picture(of: suspect, from: start, to: end, columns: nil)
            suspectPicture = drawn.jpeg
            columns = drawn.columns
        } catch {
            notes.append("spectrogram not available: \(error)")
        }
        if let referenceShown {
            notes.append(referenceShown)
        } else {
            do { referencePicture = try picture(of: reference, from: referenceStart, to: referenceEnd, columns: columns).jpeg } catch {
                notes.append("spectrogram not available: \(error)")
            }
        }
        return SoundPair(suspectStart: start, suspectEnd: end, referenceStart: referenceStart, referenceEnd: referenceEnd,
                         suspectJPEG: suspectPicture, referenceJPEG: referencePicture, matchedLandmarks: segment.matchedLandmarks,
                         note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    private struct Enough: Error {}

    /// The spectrogram of `path` from `start` to `end` seconds, `columns` wide when given (the
    /// clip's width, for the reference), else one column per STFT frame.
    static func picture(of path: String, from start: Double, to end: Double, columns: Int?) throws -> (jpeg: [UInt8], columns: Int) {
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
        let drawn = SpectrogramPicture.gray(of: samples)
        guard drawn.width > 1 else { throw MediaError(.decode, path: path, reason: "no sound in that stretch") }
        var pixels = drawn.pixels, width = drawn.width
        if let columns, columns > 1, columns != width {
            // Through the passage's speed: column x of the clip's picture is this stretch's x·w/columns.
            var stretched = [UInt8](repeating: 255, count: columns * drawn.height)
            for y in 0 ..< drawn.height {
                for x in 0 ..< columns { stretched[y * columns + x] = pixels[y * width + min(width - 1, x * width / columns)] }
            }
            pixels = stretched
            width = columns
        }
        return (try ThumbnailExtractor.jpeg(gray: pixels, width: width, height: drawn.height, path: path), width)
    }
}
