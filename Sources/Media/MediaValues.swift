// The plain values the decoder hands out and takes in; these are what cross tasks.

package enum PixelLayout: Sendable, Equatable {
    case gray8
    case rgb24

    package var bytesPerPixel: Int { self == .gray8 ? 1 : 3 }
}

/// One sampled picture, upright, with its presentation time.
package struct VideoFrame: Sendable {
    /// Seconds from the start of the file (the container's start time is 0).
    package var time: Double
    package var width: Int
    package var height: Int
    package var layout: PixelLayout
    /// Packed rows, `width * layout.bytesPerPixel` bytes each.
    package var pixels: [UInt8]
    /// The same instant as a larger gray picture that keeps the frame's shape, when
    /// `VideoOutput.detail` asked for one at this instant.
    package var detail: DetailPicture? = nil
}

/// A gray picture, upright, packed rows of `width` bytes.
package struct DetailPicture: Sendable {
    package var width: Int
    package var height: Int
    package var pixels: [UInt8]

    package init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count >= width * height,
                     "DetailPicture: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// A second picture of some sampled frames, for analysis that needs more pixels than the main
/// output has (keypoints): gray, the frame's own shape, its longer side `longSide` (scaled up
/// when the stream is smaller), at most `framesPerSecond` of them by presentation time, each at
/// a frame the main output samples.
package struct DetailOutput: Sendable, Equatable {
    package var framesPerSecond: Double
    package var longSide: Int

    package init(framesPerSecond: Double, longSide: Int) {
        self.framesPerSecond = framesPerSecond
        self.longSide = longSide
    }

    /// The upright size for an upright stream of `width`×`height`: the longer side `longSide`,
    /// the other in proportion (even, at least 2).
    package func size(width: Int, height: Int) -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { return (0, 0) }
        let shorter = { (long: Int, short: Int) in max(2, Int((Double(longSide) * Double(short) / Double(long) / 2).rounded()) * 2) }
        return width >= height ? (longSide, shorter(width, height)) : (shorter(height, width), longSide)
    }
}

/// Mono Float32 samples at the requested rate, starting at `startTime` seconds.
package struct AudioChunk: Sendable {
    package var startTime: Double
    package var sampleRate: Int
    package var samples: [Float]
}

package struct VideoOutput: Sendable {
    /// Frames per second to sample by presentation time; nil delivers every decoded frame.
    package var framesPerSecond: Double?
    /// Upright output size; nil keeps the stream's own (upright) size.
    package var width: Int?
    package var height: Int?
    package var layout: PixelLayout
    /// A second, larger picture of some of the sampled frames (see `DetailOutput`); nil: none.
    package var detail: DetailOutput?

    package init(framesPerSecond: Double? = nil, width: Int? = nil, height: Int? = nil, layout: PixelLayout = .gray8,
                detail: DetailOutput? = nil) {
        self.framesPerSecond = framesPerSecond
        self.width = width
        self.height = height
        self.layout = layout
        self.detail = detail
    }
}

package struct AudioOutput: Sendable {
    package var sampleRate: Int
    package init(sampleRate: Int = 8000) { self.sampleRate = sampleRate }
}

/// Which decoded video frames go without the deblocking (loop) filter. The filter smooths block
/// edges and its output is what later frames predict from: leaving it out saves decoding work but
/// the pictures drift from the encoder's until the next keyframe, except where nothing decoded
/// predicts from the unfiltered frame.
package enum LoopFilterSkip: String, Sendable {
    /// Every frame filtered, as encoded.
    case none
    /// B-frames unfiltered. With `skipNonReferenceFrames` the B-frames left are the reference
    /// B-frames of a B-pyramid, which only the skipped B-frames predict from: no drift.
    case bidirectional
    /// No frame filtered, keyframes included: the most saved, drift through each GOP.
    case all
}

package struct DecodeOptions: Sendable {
    /// nil: the video stream is not decoded.
    package var video: VideoOutput?
    /// nil: the audio stream is not decoded.
    package var audio: AudioOutput?
    /// Decoder threads; 0 lets FFmpeg choose (the library's own default is 1).
    package var threads: Int
    /// Skip decoding frames no other frame refers to (B-frames): fewer frames, less work.
    package var skipNonReferenceFrames: Bool
    /// Video frames decoded without the deblocking filter.
    package var skipLoopFilter: LoopFilterSkip
    /// Streams above this many pixels per frame are refused (decompression bombs).
    package var maxPixels: Int
    /// Seconds the decoder may spend on the file, from opening it; nil: no limit. It can be
    /// changed after opening (`MediaDecoder.setTimeBudget`) once the duration is known.
    package var timeBudget: Double?

    package init(video: VideoOutput? = VideoOutput(), audio: AudioOutput? = AudioOutput(), threads: Int = 0,
                skipNonReferenceFrames: Bool = false, skipLoopFilter: LoopFilterSkip = .none,
                maxPixels: Int = 8192 * 8192, timeBudget: Double? = nil) {
        self.video = video
        self.audio = audio
        self.threads = threads
        self.skipNonReferenceFrames = skipNonReferenceFrames
        self.skipLoopFilter = skipLoopFilter
        self.maxPixels = maxPixels
        self.timeBudget = timeBudget
    }
}

/// Picks frames by presentation time at a fixed rate: the first frame at or after each sampling
/// instant k / rate. Works with variable frame rate and gaps, since it never counts frames.
package struct FrameSampler: Sendable {
    package let rate: Double?
    private var next: Double = -.infinity

    package init(rate: Double?) { self.rate = rate }

    package mutating func accept(_ time: Double) -> Bool {
        guard let rate, rate > 0 else { return true }
        // A timestamp a hair below an instant (rounding of time bases) still counts for it.
        let epsilon = 1e-6
        guard time >= next - epsilon else { return false }
        next = (Double((time * rate + epsilon).rounded(.down)) + 1) / rate
        return true
    }
}
