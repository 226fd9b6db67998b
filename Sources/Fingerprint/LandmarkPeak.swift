// A reference's sound as the library keeps it since issue 33: the spectral peaks its landmarks
// are made of, not the landmarks. A reference keeps up to 27 peaks a second (`PeakPicker`), and
// every peak anchors up to six triplets (`LandmarkHasher`): ~140 landmarks a second at 6.1 bytes
// each (3.1 MB an hour of sound on the large profile), where the peaks take ~4 bytes each. The
// landmarks are made again from the peaks when a reference is read (`Pipeline`'s
// `MediaFingerprint.makeLandmarksFromPeaks`), by the same hasher that made them when it was indexed,
// so they are the same landmarks bit for bit: a peak's place is kept on the grid the peak picker
// puts it on (`frameSteps`, `binSteps`), and the speech score at its frame with it.
//
// Values: `LandmarkPeak`; channel: `SoundPeakChannel` (it stands for `SoundLandmarkChannel`'s full
// tier, which then holds nothing; the anchors tier keeps landmarks, as the candidate index reads
// them); packing: `LandmarkPeak+Packing.swift`.

/// A spectral peak on the grid the library keeps: frame and bin in fixed steps, with the speech
/// score of the sound at its frame.
public struct LandmarkPeak: Hashable, Sendable {
    /// Steps of a spectrogram frame (16 ms) a peak's time is rounded to: 1 ms.
    public static let frameSteps = 16
    /// Steps of an FFT bin (15.6 Hz) a peak's frequency is rounded to: at most 0.05 semitone
    /// at the lowest bin kept, against the 0.75-semitone cells of a landmark's hash.
    public static let binSteps = 64

    /// Time in 1/`frameSteps` of a spectrogram frame (interpolated; −0.5 frame at the earliest).
    public var frame: Int32
    /// Frequency in 1/`binSteps` of an FFT bin (bins 19…218 are analysed: below 2^14).
    public var bin: UInt16
    /// Speech likelihood of the sound at the peak's frame, 0…255, as its landmarks carry it
    /// (`AudioLandmark.speech`).
    public var speech: UInt8

    public init(frame: Int32, bin: UInt16, speech: UInt8) {
        self.frame = frame
        self.bin = bin
        self.speech = speech
    }

    /// The peak at fractional frame `frameValue` and bin `binValue`, each rounded to its grid
    /// (clamped to the fields' ranges, which no analysed peak reaches).
    public init(frameValue: Double, binValue: Double, speech: UInt8) {
        self.init(frame: Int32(clamping: Int((frameValue * Double(Self.frameSteps)).rounded())),
                  bin: UInt16(clamping: Int((binValue * Double(Self.binSteps)).rounded())), speech: speech)
    }

    /// A fractional frame rounded to the grid peaks are kept on.
    public static func onFrameGrid(_ frame: Double) -> Double { (frame * Double(frameSteps)).rounded() / Double(frameSteps) }
    /// A fractional bin rounded to the grid peaks are kept on.
    public static func onBinGrid(_ bin: Double) -> Double { (bin * Double(binSteps)).rounded() / Double(binSteps) }

    /// The frame as a fractional spectrogram frame.
    public var frameValue: Double { Double(frame) / Double(Self.frameSteps) }
    /// The bin as a fractional FFT bin.
    public var binValue: Double { Double(bin) / Double(Self.binSteps) }

    /// Seconds from the start of the audio to the centre of the peak's frame: a landmark anchored
    /// on the peak has this time (the sound analysis's own conversion, step for step; a test
    /// holds the two equal).
    public var time: Float { Float((frameValue * Self.hop + Self.window / 2) / Self.sampleRate) }

    /// The sound analysis's hop and window in samples, and its sample rate (`AudioFingerprint`'s
    /// `AnalysisParameters`; a test holds them equal), for `time`.
    package static let hop = 128.0, window = 512.0, sampleRate = 8000.0
}

/// The reference sound's peaks, from which its landmarks are made when it is read. Stored in the
/// full tier only; a reference indexed before this channel existed keeps its landmarks in
/// `SoundLandmarkChannel`'s full tier, read as before.
public enum SoundPeakChannel: FingerprintChannel {
    public static var name: String { "sound-peaks" }
    public static var medium: Medium { .sound }
    public static var items: WritableKeyPath<MediaFingerprint, [LandmarkPeak]> { \.landmarkPeaks }
    public static func time(of item: LandmarkPeak) -> Float { item.time }
    public static func pack(_ items: [LandmarkPeak]) -> [UInt8] { LandmarkPeak.pack(items) }
    public static func unpack(_ bytes: [UInt8]) -> [LandmarkPeak]? { LandmarkPeak.unpack(bytes, after: nil) }
    public static func unpack(_ bytes: [UInt8], after previous: LandmarkPeak?) -> [LandmarkPeak]? {
        LandmarkPeak.unpack(bytes, after: previous)
    }
    public static func wholeItemsLength(_ bytes: [UInt8]) -> Int { LandmarkPeak.wholePackedLength(bytes) }
    /// A video whose landmarks were stored whole, before this channel, holds its sound there.
    public static var formerChannel: String? { SoundLandmarkChannel.name }
}
