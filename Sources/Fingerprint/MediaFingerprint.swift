// `MediaFingerprint`, a file's fingerprint: one field per channel (`FingerprintChannel`), each a
// list of values with their times, and what is done to every channel alike (cut by time, append
// the pieces of a streamed fingerprint, pack and unpack as the store keeps them); and
// `FingerprintFormat.version`. Made by the extractors (`VideoFingerprint`, `AudioFingerprint`,
// driven by `Pipeline`) and handed out in pieces as a file decodes, kept by `LibraryStore` one
// blob per channel and tier, compared by `Matching`.

public struct MediaFingerprint: Sendable {
    public var duration: Double?
    /// `PictureHashChannel`: sampled frames' PDQ hashes.
    public var frames: [FrameSignature]
    /// `SoundLandmarkChannel`: the sound's landmark triplets.
    public var landmarks: [AudioLandmark]
    /// `SoundPeakChannel`: a reference's peaks, from which its landmarks are made (empty for a
    /// suspect, and for a reference read from a row that keeps its landmarks whole).
    public var landmarkPeaks: [LandmarkPeak]
    /// `KeypointChannel`: keypoints of some sampled frames (empty unless the keypoint channel is on).
    public var keypointFrames: [KeypointFrame]
    /// `MotionChannel`: sampled frames' coarse luma grids.
    public var motion: [MotionSample]
    /// A suspect's spectral peaks beyond its landmarks' anchors (`SoundPeak`): not a channel,
    /// never stored, empty for references; cut and joined with the channels.
    public var soundPeaks: [SoundPeak]

    public init(duration: Double? = nil, frames: [FrameSignature] = [], landmarks: [AudioLandmark] = [],
                keypointFrames: [KeypointFrame] = [], motion: [MotionSample] = [], soundPeaks: [SoundPeak] = [],
                landmarkPeaks: [LandmarkPeak] = []) {
        self.duration = duration
        self.frames = frames
        self.landmarks = landmarks
        self.landmarkPeaks = landmarkPeaks
        self.keypointFrames = keypointFrames
        self.motion = motion
        self.soundPeaks = soundPeaks
    }

    /// Every channel, once: a new channel adds its line here.
    public static var channels: [any FingerprintChannel.Type] {
        [PictureHashChannel.self, SoundLandmarkChannel.self, KeypointChannel.self, MotionChannel.self, SoundPeakChannel.self]
    }

    /// Times outside any real file (a damaged stream or store row) are never used: a matcher
    /// given them would build windows and vote cells without end.
    @inline(__always)
    public static func isPlausible(_ time: Float) -> Bool { time.isFinite && time >= 0 && time < 1e7 }
}

extension MediaFingerprint {
    /// No value in any channel.
    public var isEmpty: Bool { Self.channels.allSatisfy { count(of: $0) == 0 } }

    /// The number of values of `channel`.
    public func count<C: FingerprintChannel>(of channel: C.Type) -> Int { self[keyPath: C.items].count }

    /// Whether any value of any channel has a time `test` accepts.
    public func contains(time test: (Float) -> Bool) -> Bool {
        Self.channels.contains { contains($0, time: test) }
    }

    private func contains<C: FingerprintChannel>(_ channel: C.Type, time test: (Float) -> Bool) -> Bool {
        self[keyPath: C.items].contains { test(C.time(of: $0)) }
    }

    /// The values whose time `keep` accepts, in every channel (duration kept).
    public func filtered(_ keep: (Float) -> Bool) -> MediaFingerprint {
        var out = self
        for channel in Self.channels { out.removeAll(channel) { !keep($0) } }
        out.soundPeaks.removeAll { !keep($0.time) }
        return out
    }

    /// Removes the values whose time `drop` accepts, in every channel.
    public mutating func removeAll(where drop: (Float) -> Bool) {
        for channel in Self.channels { removeAll(channel, where: drop) }
        soundPeaks.removeAll { drop($0.time) }
    }

    private mutating func removeAll<C: FingerprintChannel>(_ channel: C.Type, where drop: (Float) -> Bool) {
        self[keyPath: C.items].removeAll { drop(C.time(of: $0)) }
    }

    /// Appends `other`'s values to each channel (the pieces of a streamed fingerprint, in order).
    public mutating func append(_ other: MediaFingerprint) {
        for channel in Self.channels { append(channel, from: other) }
        soundPeaks += other.soundPeaks
    }

    private mutating func append<C: FingerprintChannel>(_ channel: C.Type, from other: MediaFingerprint) {
        self[keyPath: C.items] += other[keyPath: C.items]
    }

    /// The earliest time of any value, or nil when there is none.
    public var earliestTime: Float? {
        Self.channels.compactMap { earliestTime(of: $0) }.min()
    }

    public func earliestTime<C: FingerprintChannel>(of channel: C.Type) -> Float? {
        self[keyPath: C.items].lazy.map(C.time(of:)).min()
    }

    /// The time of the last value of `channel` whose time is plausible (values come in time order).
    public func lastPlausibleTime<C: FingerprintChannel>(of channel: C.Type) -> Float? {
        self[keyPath: C.items].last { Self.isPlausible(C.time(of: $0)) }.map(C.time(of:))
    }

    /// What the store's full tier keeps of the fingerprint: a reference's landmarks as the peaks
    /// they are made of, when it has them (`SoundPeakChannel`); reading makes them again.
    public var keptInFull: MediaFingerprint {
        guard !landmarkPeaks.isEmpty else { return self }
        var out = self
        out.landmarks = []
        return out
    }

    /// Each channel packed as the store keeps it, by channel name.
    public func packed() -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for channel in Self.channels { out[channel.name] = pack(channel) }
        return out
    }

    public func pack<C: FingerprintChannel>(_ channel: C.Type) -> [UInt8] { C.pack(self[keyPath: C.items]) }

    /// Each channel packed as the store's anchors tier keeps it (`FingerprintChannel.anchorsFormat`),
    /// by channel name: for a fingerprint of anchors (`Matching.Anchors.of`).
    public func packedAsAnchors() -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for channel in Self.channels { out[channel.name] = packAnchors(channel) }
        return out
    }

    private func packAnchors<C: FingerprintChannel>(_ channel: C.Type) -> [UInt8] { C.packAnchors(self[keyPath: C.items]) }

    /// A fingerprint from packed channels (`packed()`); a channel missing from `packed` is empty.
    /// `formats` are the blobs' formats as stored, by channel name (missing: the channel's
    /// current one). nil when a channel's bytes are not whole values.
    public init?(packed: [String: [UInt8]], formats: [String: Int] = [:], duration: Double? = nil) {
        self.init(duration: duration)
        for channel in Self.channels {
            guard unpack(channel, packed[channel.name] ?? [], format: formats[channel.name]) else { return nil }
        }
    }

    /// Sets `channel`'s values from bytes packed in `format` (nil: the channel's current one);
    /// false when they are not whole values.
    public mutating func unpack<C: FingerprintChannel>(_ channel: C.Type, _ bytes: [UInt8], format: Int? = nil) -> Bool {
        guard let items = C.unpack(bytes, format: format ?? C.format, after: nil) else { return false }
        self[keyPath: C.items] = items
        return true
    }
}

/// The version of what the extractors store, picture and sound together: the frame sampling,
/// hash regions and PDQ variant (`VideoFingerprint`, `Pipeline.FileFingerprinter`), and the audio
/// analysis parameters and landmark hash layout (`AudioFingerprint.AnalysisParameters`,
/// `LandmarkHash`). Bump it whenever any of them changes what a fingerprint holds: rows of
/// another version are fingerprinted again by `index`, and `compare` refuses them by name.
public enum FingerprintFormat {
    public static let version = 1
}
