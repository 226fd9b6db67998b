// What the decoder sees in a file: container, duration and its streams.

/// The video stream the decoder uses (the container's best one).
package struct VideoStreamInfo: Sendable, Equatable, Codable {
    package var codec: String
    /// Coded size, before rotation.
    package var codedWidth: Int
    package var codedHeight: Int
    /// Clockwise rotation in degrees (0, 90, 180, 270) the display matrix asks for.
    package var rotation: Int
    /// Whether the display matrix also mirrors the picture.
    package var mirrored: Bool
    /// Average frame rate, when the container states one.
    package var frameRate: Double?
    package var pixelFormat: String
    /// Stream duration in seconds, when known.
    package var duration: Double?

    /// Upright size, as the frames are delivered.
    package var width: Int { rotation % 180 == 0 ? codedWidth : codedHeight }
    package var height: Int { rotation % 180 == 0 ? codedHeight : codedWidth }
}

package struct AudioStreamInfo: Sendable, Equatable, Codable {
    package var codec: String
    package var sampleRate: Int
    package var channels: Int
    package var duration: Double?
}

package struct MediaInfo: Sendable, Equatable, Codable {
    package var path: String
    package var container: String
    /// Duration in seconds, from the container (or the longest stream).
    package var duration: Double?
    package var bitRate: Int?
    package var video: VideoStreamInfo?
    package var audio: AudioStreamInfo?
    /// True for single still images (PNG, JPEG, ...).
    package var isStillImage: Bool

    package var hasVideo: Bool { video != nil }
    package var hasAudio: Bool { audio != nil }
}
