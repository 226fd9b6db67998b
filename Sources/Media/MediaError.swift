// The decoder's one error type: our context (file, what we were doing) plus FFmpeg's own text.

/// Why a file could not be read. `description` is one line naming the file by the path it was
/// opened with and the reason, e.g.
/// `cannot decode '/home/me/dl/clip.mp4': Invalid data found when processing input (avformat_open_input)`,
/// or, when the system refused the file before any decoding, `cannot read 'clip.mp4': no such file or directory`.
package struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The system refused the file (missing, no permission) or it is not a regular file.
        case unreadable
        /// The file could not be opened or its container not understood.
        case open
        /// The file opens, but as something that is not audio or video (a text file).
        case notMedia
        /// The container holds no audio or video stream we can decode.
        case noStreams
        /// A decoder for a stream could not be set up.
        case codec
        /// Reading or decoding failed before any usable output came out.
        case decode
        /// The stream is larger than the limits set against decompression bombs.
        case limit
        /// Opening or decoding took longer than the time budget.
        case timeout
    }

    package let kind: Kind
    package let path: String
    /// FFmpeg's text (or ours), without the file name.
    package let reason: String
    /// The library call that failed, when there is one.
    package let function: String?

    package init(_ kind: Kind, path: String, reason: String, function: String? = nil) {
        self.kind = kind
        self.path = path
        self.reason = reason
        self.function = function
    }

    package var description: String {
        if kind == .unreadable { return "cannot read '\(path)': \(reason)" }
        let call = function.map { " (\($0))" } ?? ""
        return "cannot decode '\(path)': \(reason)\(call)"
    }
}
