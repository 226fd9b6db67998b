// A video's fingerprint as the store keeps it: one blob per channel and tier, each with the
// format its channel packed it in. The store does not know what a channel holds; `Pipeline` maps
// the fingerprint's channels to keys (`BlobKey.channel` is the channel's name).

/// Which of a video's fingerprint blobs: one channel's values at one tier.
package struct BlobKey: Hashable, Sendable, CustomStringConvertible {
    package var channel: String
    package var tier: Tier

    package enum Tier: String, Sendable, CaseIterable {
        /// Everything the channel extracted: what the matcher reads for a candidate reference.
        case full
        /// The share `compare` holds in memory for its candidate index.
        case anchors
    }

    package init(channel: String, tier: Tier) {
        self.channel = channel
        self.tier = tier
    }

    package var description: String { "\(channel)/\(tier.rawValue)" }
}

/// One stored blob and the format its channel wrote it in.
package struct StoredBlob: Sendable, Equatable {
    package var format: Int
    package var bytes: [UInt8]

    package init(format: Int, bytes: [UInt8]) {
        self.format = format
        self.bytes = bytes
    }
}

/// What the store says of one blob without reading it: its format and length.
package struct BlobSummary: Sendable, Equatable {
    package var format: Int
    /// Bytes.
    package var count: Int

    package init(format: Int, count: Int) {
        self.format = format
        self.count = count
    }
}

/// A video and (some of) its fingerprint blobs, as stored.
package struct StoredVideo: Sendable {
    package var video: IndexedVideo
    package var blobs: [BlobKey: StoredBlob]

    package init(video: IndexedVideo, blobs: [BlobKey: StoredBlob]) {
        self.video = video
        self.blobs = blobs
    }

    /// The blob of `channel` at `tier`, if the row has it.
    package func bytes(_ channel: String, _ tier: BlobKey.Tier = .full) -> [UInt8]? {
        blobs[BlobKey(channel: channel, tier: tier)]?.bytes
    }
}

/// A blob on its way into the store: its key, format and bytes as a stream.
package struct BlobWrite {
    package var key: BlobKey
    package var format: Int
    package var stream: BlobStream

    package init(key: BlobKey, format: Int, stream: BlobStream) {
        self.key = key
        self.format = format
        self.stream = stream
    }
}

/// A blob written without holding it whole: its length, and a reader that fills each buffer
/// it is given with the next bytes (exactly `buffer.count` of them), from the first on.
package struct BlobStream {
    package var count: Int
    package var read: (UnsafeMutableRawBufferPointer) throws -> Void

    package init(count: Int, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Void) {
        self.count = count
        self.read = read
    }

    /// The bytes of an array.
    package init(_ bytes: [UInt8]) {
        var at = 0
        self.init(count: bytes.count) { buffer in
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[at ..< at + buffer.count]))
            }
            at += buffer.count
        }
    }
}

/// See `LibraryDatabase.streamFingerprint(id:)`: a row's full-tier blobs, each read from the start
/// a piece at a time.
package final class FingerprintStream {
    package let video: IndexedVideo
    private let readers: [String: BlobReader]
    private let formats: [String: Int]

    init(video: IndexedVideo, readers: [String: BlobReader], formats: [String: Int]) {
        self.video = video
        self.readers = readers
        self.formats = formats
    }

    /// Total bytes of `channel`'s blob; 0 when the row has none.
    package func count(_ channel: String) -> Int { readers[channel]?.count ?? 0 }

    /// The format `channel`'s blob was written in; nil when the row has none.
    package func format(_ channel: String) -> Int? { formats[channel] }

    /// The next bytes of `channel`'s blob, at most `limit`; empty at its end (or when there is none).
    package func read(_ channel: String, upTo limit: Int) throws(StoreError) -> [UInt8] {
        try readers[channel]?.read(upTo: limit) ?? []
    }
}
