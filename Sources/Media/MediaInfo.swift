// What the decoder sees in a file: container, duration and its streams.

/// The video stream the decoder uses (the container's best one).
public struct VideoStreamInfo: Sendable, Equatable, Codable {
    public var codec: String
    /// Coded size, before rotation.
    public var codedWidth: Int
    public var codedHeight: Int
    /// Clockwise rotation in degrees (0, 90, 180, 270) the display matrix asks for.
    public var rotation: Int
    /// Whether the display matrix also mirrors the picture.
    public var mirrored: Bool
    /// Average frame rate, when the container states one.
    public var frameRate: Double?
    public var pixelFormat: String
    /// Stream duration in seconds, when known.
    public var duration: Double?

    /// Upright size, as the frames are delivered.
    public var width: Int { rotation % 180 == 0 ? codedWidth : codedHeight }
    public var height: Int { rotation % 180 == 0 ? codedHeight : codedWidth }
}

public struct AudioStreamInfo: Sendable, Equatable, Codable {
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    public var duration: Double?
}

public struct MediaInfo: Sendable, Equatable, Codable {
    public var path: String
    public var container: String
    /// Duration in seconds, from the container (or the longest stream).
    public var duration: Double?
    public var bitRate: Int?
    public var video: VideoStreamInfo?
    public var audio: AudioStreamInfo?
    /// True for single still images (PNG, JPEG, ...).
    public var isStillImage: Bool

    public var hasVideo: Bool { video != nil }
    public var hasAudio: Bool { audio != nil }
}
