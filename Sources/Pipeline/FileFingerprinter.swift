// One file → its fingerprint, decoding it once: sampled luma frames go through the role's
// `FrameRecipe` (VideoFingerprint), and the audio through the landmark fingerprinter as it
// streams by. The fingerprint is handed out in
// pieces as it is made (`index` spools them to disk, `compare` matches them a window at a time):
// nothing here grows with the length of the file.
import AudioFingerprint
import Foundation
import Fingerprint
import Media
import VideoFingerprint

package struct FingerprintOptions: Sendable {
    package var role: FingerprintRole
    /// Sampling rate of video frames, by presentation time.
    package var framesPerSecond: Double
    /// Side of the square luma image the decoder scales each frame to before hashing.
    package var analysisSize: Int
    /// Decoder threads (0: FFmpeg chooses).
    package var threads: Int
    /// Seconds allowed per file; nil: automatic, 120 s + twice the stated duration (at most
    /// 6 hours of it), enough for any real file and a bound for files that would hang.
    package var timeBudget: Double?
    /// Leave undecoded the frames no other frame refers to (B-frames): sampling at a few frames
    /// per second still finds a frame within a frame period or two of each instant, and decoding,
    /// the whole cost, drops by a fifth or more on streams that have them.
    package var skipNonReferenceFrames: Bool
    /// Decoded frames left without the deblocking filter. Off (`.none`) by default: it saves
    /// decoding but did not keep every figure (issue 33). Measured against the filter on (dev
    /// and large profiles, 2026-12-07): `.bidirectional` (the reference B-frames of a pyramid,
    /// no drift) kept recall, micro-AP, every per-tag recall, false positives (0) and wrong
    /// references (0), picture pairs 201 -> 202 and modality 213 -> 214 of 248, but one
    /// compilation pair's (caption, caption_box) picture segment moved 2.2 s off the truth
    /// while another came within it; `scripts/bench/end-to-end` index CPU / FFmpeg decode,
    /// median of 3 rounds, 0.80 -> 0.69. `.all` drifts through each GOP: 5 picture pairs lost
    /// on the large profile and one suspect fewer in end-to-end, for 0.64.
    /// `VMATCH_SKIP_LOOP_FILTER=bidirectional` (or `all`) in the environment switches it on;
    /// thumbnails and evidence frames never skip the filter.
    package var skipLoopFilter: LoopFilterSkip
    /// Whether the keypoint channel is made (`KeypointRecipe`). On by default;
    /// `VMATCH_KEYPOINTS=0` in the environment switches it off.
    package var keypoints: Bool
    /// Whether a suspect's best inset (`InsetFinder`) is also described with keypoints on its own,
    /// enlarged (`KeypointRecipe.insetFrames`). On by default since 2026-12-07: over three draws
    /// of the large profile it found the picture of 6 more picture-in-picture pairs (draw 1:
    /// 215 -> 216 of 247 picture pairs; draw 2: 212 -> 213 of 240; draw 3: 205 -> 209 of 244,
    /// pip 3/7 -> 7/7 over passages with detail), nothing lost, no false alarm, for about 7 % more
    /// of `compare`'s CPU on the corpus and a sixth more on pictures full of straight edges
    /// (`scripts/bench/end-to-end`'s test patterns: 1.13 -> 1.33 of FFmpeg's decode; an estimated
    /// 1.24 since the inset is enlarged in two passes — from perf shares within one run, as whole
    /// runs on the machine of that evening scattered more than the change;
    /// Benchmarks/Results/2026-12-07-inset-enlarge.txt);
    /// `VMATCH_INSET_KEYPOINTS=0` in the environment of `compare` switches it off.
    package var insetKeypoints: Bool
    /// Cells a side of the grid a suspect's picture corners are spread over
    /// (`KeypointExtractor.Options.spreadCells`), by default `KeypointRecipe.suspectSpreadCells`;
    /// 0: the strongest corners anywhere. `VMATCH_SPREAD_CORNERS=0` in the environment of
    /// `compare` switches it off.
    package var spreadCorners: Int

    /// The corner spread as the environment sets it: `VMATCH_SPREAD_CORNERS=N` (cells a side, 0
    /// off), else `KeypointRecipe.suspectSpreadCells`.
    package static var spreadCornersFromEnvironment: Int {
        ProcessInfo.processInfo.environment["VMATCH_SPREAD_CORNERS"].flatMap(Int.init).map { max(0, $0) } ?? KeypointRecipe.suspectSpreadCells
    }

    /// The inset keypoints' switch as the environment sets it: on unless `VMATCH_INSET_KEYPOINTS=0`.
    package static var insetKeypointsFromEnvironment: Bool { ProcessInfo.processInfo.environment["VMATCH_INSET_KEYPOINTS"] != "0" }

    /// The keypoint channel's switch as the environment sets it: on unless `VMATCH_KEYPOINTS=0`.
    package static var keypointsFromEnvironment: Bool { ProcessInfo.processInfo.environment["VMATCH_KEYPOINTS"] != "0" }

    /// The loop-filter skip as the environment sets it: `VMATCH_SKIP_LOOP_FILTER=bidirectional`
    /// or `all`; `.none` otherwise.
    package static var loopFilterSkipFromEnvironment: LoopFilterSkip {
        ProcessInfo.processInfo.environment["VMATCH_SKIP_LOOP_FILTER"].flatMap(LoopFilterSkip.init(rawValue:)) ?? .none
    }

    package init(role: FingerprintRole, framesPerSecond: Double = 4, analysisSize: Int = 256, threads: Int = 0,
                timeBudget: Double? = nil, skipNonReferenceFrames: Bool = true,
                skipLoopFilter: LoopFilterSkip = loopFilterSkipFromEnvironment, keypoints: Bool = keypointsFromEnvironment,
                insetKeypoints: Bool = insetKeypointsFromEnvironment, spreadCorners: Int = spreadCornersFromEnvironment) {
        self.role = role
        self.framesPerSecond = framesPerSecond
        self.analysisSize = analysisSize
        self.threads = threads
        self.timeBudget = timeBudget
        self.skipNonReferenceFrames = skipNonReferenceFrames
        self.skipLoopFilter = skipLoopFilter
        self.keypoints = keypoints
        self.insetKeypoints = insetKeypoints
        self.spreadCorners = spreadCorners
    }

    /// The channels a fingerprint made with these options holds: every channel, less the
    /// keypoints when they are off.
    package var channels: [any FingerprintChannel.Type] {
        MediaFingerprint.channels.filter { channel in keypoints || channel.name != KeypointChannel.name }
    }

    /// The budget for a file of `duration` seconds.
    package func budget(forDuration duration: Double?) -> Double {
        timeBudget ?? 120 + 2 * min(max(duration ?? 0, 0), 6 * 3600)
    }
}

extension MediaInfo {
    /// What the file's streams give the fingerprint: picture, sound or both.
    package var media: Set<Medium> {
        var media: Set<Medium> = []
        if hasVideo { media.insert(.picture) }
        if hasAudio { media.insert(.sound) }
        return media
    }
}

/// Not Sendable: one per worker (it owns hashing scratch space).
package final class FileFingerprinter {
    package let options: FingerprintOptions
    private let recipe: FrameRecipe
    private let keypointRecipe: KeypointRecipe?

    package init(options: FingerprintOptions) {
        self.options = options
        recipe = FrameRecipe(role: options.role, expectedPixels: options.analysisSize * options.analysisSize)
        keypointRecipe = options.keypoints ? KeypointRecipe(role: options.role, spreadCells: options.spreadCorners) : nil
    }

    /// What a streamed fingerprint leaves besides its values.
    package struct Streamed: Sendable {
        package var info: MediaInfo
        package var duration: Double?
        package var frameCount: Int
    }

    /// Frames handed out at a time: few enough that nothing held grows with the file.
    package static let frameBatch = 64

    /// Fingerprints `path` and hands out the fingerprint as it is made, in time order: each
    /// `deliver` gets a piece, one channel's values (a batch of at most `frameBatch` frames, or
    /// the landmarks the audio released, about a second's worth). Nothing of the fingerprint is
    /// kept here, so memory does not grow with the length of the file; an error thrown by
    /// `deliver` ends decoding and is rethrown. `opened` is told what the file holds before
    /// anything is decoded.
    package func fingerprint(path: String, opened: (MediaInfo) throws -> Void = { _ in },
                            deliver: (MediaFingerprint) throws -> Void) throws -> Streamed {
        let size = options.analysisSize
        let decoder = try MediaDecoder(path: path, options: DecodeOptions(
            video: VideoOutput(framesPerSecond: options.framesPerSecond, width: size, height: size, layout: .gray8,
                               detail: keypointRecipe.map { _ in
                                   let detail = KeypointRecipe.detail(for: options.role)
                                   return DetailOutput(framesPerSecond: detail.framesPerSecond, longSide: detail.longSide)
                               }),
            audio: AudioOutput(sampleRate: AudioFingerprinter.sampleRate),
            threads: options.threads, skipNonReferenceFrames: options.skipNonReferenceFrames,
            skipLoopFilter: options.skipLoopFilter, timeBudget: options.timeBudget ?? 60))
        decoder.setTimeBudget(options.budget(forDuration: decoder.info.duration))
        // Portrait video gets twice the rows: a 16:9 picture inside a 9:16 frame would otherwise
        // be hashed from a band a third of the analysis image high.
        if let video = decoder.info.video, video.height > video.width {
            decoder.options.video?.height = 2 * size
        }
        try opened(decoder.info)
        var batch: [FrameSignature] = []
        batch.reserveCapacity(Self.frameBatch)
        var keypointBatch: [KeypointFrame] = []
        var motionBatch: [MotionSample] = []
        var delivered = 0
        var lastFrameTime: Float?
        var audioSeconds = 0.0
        recipe.reset()
        keypointRecipe?.reset()
        let audio = AudioFingerprinter(role: options.role)
        // The analysis image squeezes the upright frame into its own shape; a pixel of it is
        // displayed this much wider than high.
        let upright = decoder.info.video.map { (width: Double($0.width), height: Double($0.height)) }
        try decoder.decode(video: { frame in
            let pixelAspect = upright.map { frame.width > 0 && frame.height > 0 && $0.height > 0 ? ($0.width / Double(frame.width)) / ($0.height / Double(frame.height)) : 1 } ?? 1
            let (signature, motion) = frame.pixels.withUnsafeBufferPointer {
                self.recipe.sample(luma: $0, width: frame.width, height: frame.height, pixelAspect: pixelAspect, time: frame.time)
            }
            motionBatch.append(motion)
            lastFrameTime = signature.time
            delivered += 1
            batch.append(signature)
            if let keypointRecipe = self.keypointRecipe, let detail = frame.detail {
                // The insets the recipe found on the analysis image, in the detail picture's pixels
                // (both show the whole frame, each in its own shape).
                let insets = !self.options.insetKeypoints ? [] : self.recipe.foundInsets.map { r in
                    PixelRect.fraction(x: Double(r.x) / Double(frame.width), y: Double(r.y) / Double(frame.height),
                                       width: Double(r.width) / Double(frame.width), height: Double(r.height) / Double(frame.height),
                                       ofWidth: detail.width, height: detail.height)
                }
                keypointBatch += detail.pixels.withUnsafeBufferPointer {
                    keypointRecipe.frames(luma: $0, width: detail.width, height: detail.height, time: frame.time, insets: insets)
                }
            }
            if batch.count >= Self.frameBatch {
                try deliver(MediaFingerprint(frames: batch, keypointFrames: keypointBatch, motion: motionBatch))
                batch.removeAll(keepingCapacity: true)
                keypointBatch.removeAll(keepingCapacity: true)
                motionBatch.removeAll(keepingCapacity: true)
            }
        }, audio: { chunk in
            audioSeconds = chunk.startTime + Double(chunk.samples.count) / Double(chunk.sampleRate)
            let released = audio.append(chunk.samples), peaks = audio.takeSoundPeaks(), kept = audio.takeLandmarkPeaks()
            if !released.isEmpty || !peaks.isEmpty || !kept.isEmpty {
                try deliver(MediaFingerprint(landmarks: released, soundPeaks: peaks, landmarkPeaks: kept))
            }
        })
        if !batch.isEmpty { try deliver(MediaFingerprint(frames: batch, keypointFrames: keypointBatch, motion: motionBatch)) }
        let rest = audio.finish(), peaks = audio.takeSoundPeaks(), kept = audio.takeLandmarkPeaks()
        if !rest.isEmpty || !peaks.isEmpty || !kept.isEmpty { try deliver(MediaFingerprint(landmarks: rest, soundPeaks: peaks, landmarkPeaks: kept)) }
        // What was decoded is the truth; a container's stated duration can be anything.
        let decoded = max(lastFrameTime.map { Double($0) + 1 / options.framesPerSecond } ?? 0, audioSeconds)
        let stated = decoder.info.duration
        let duration = decoded > 0 && (stated == nil || abs(stated! - decoded) > 2) ? decoded : (stated ?? decoded)
        return Streamed(info: decoder.info, duration: duration, frameCount: delivered)
    }

    /// The hashes this fingerprinter gives one picture seen alone (its own active area and, for
    /// a suspect, its variants and insets): the evidence report measures frame pairs with them.
    package func hashes(ofPicture luma: [UInt8], width: Int, height: Int) -> [PDQHash] {
        luma.withUnsafeBufferPointer { recipe.hashes(ofPicture: $0, width: width, height: height) }
    }
}
