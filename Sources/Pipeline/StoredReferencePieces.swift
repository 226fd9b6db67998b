// A long reference read from the store a piece at a time, never whole: each channel's values
// streamed from the row's blobs (incremental blob I/O on the library's serialized connection, in
// its snapshot, so that several suspects can do this at once) and handed out in the pieces of a
// `TimeGrid`, in time order.
import AudioFingerprint
import Fingerprint
import LibraryStore
import Matching

final class StoredReferencePieces: ReferencePieces {
    private let stream: FingerprintStream
    private let grid: TimeGrid
    /// Per channel, bytes read past its last whole value, and that value (a channel may write a
    /// value relative to the one before: `FingerprintChannel.unpack(_:after:)`).
    private var pending: [String: [UInt8]] = [:]
    private var lastRead: [String: Any] = [:]
    /// Channels whose blob has been read to its end.
    private var done: Set<String> = []
    /// The piece being made (values from `start` on).
    private var current = MediaFingerprint()
    /// What was read past the current piece's end, for the next one.
    private var later = MediaFingerprint()
    private var start = 0.0
    /// Whether the current piece has been handed out (the next call moves on first).
    private var handedOut = false
    private var finished = false

    /// Bytes read from a blob at a time.
    static let readSize = 1 << 18

    /// nil when the row `key` is gone or no longer holds `path` (re-indexed since).
    init?(store: LibraryDatabase, key: Int64, path expected: String, grid: TimeGrid) throws {
        guard let stream = try store.streamFingerprint(id: key), stream.video.path == expected else { return nil }
        self.stream = stream
        self.grid = grid
    }

    /// The bytes the row's blobs hold, every channel's.
    var storedBytes: Int { MediaFingerprint.channels.reduce(0) { $0 + stream.count($1.name) } }

    func next() throws -> ReferencePiece? {
        while !finished {
            if handedOut { moveOn() }
            guard !finished else { break }
            let end = start + grid.length
            // Read each channel until it passes the piece's end (each is in time order). A blob
            // that does not unpack ends the reference where it broke.
            // The peaks a bit further: the landmarks of an anchor just before the end reach
            // peaks past it.
            for channel in MediaFingerprint.channels {
                let until = channel.name == SoundPeakChannel.name ? end + AudioFingerprinter.landmarkReach : end
                guard try read(channel, until: until) else {
                    finished = true
                    return nil
                }
            }
            current.makeLandmarksFromPeaks()
            later = current.filtered { Double($0) >= end }
            current.removeAll { Double($0) >= end }
            handedOut = true
            // The piece is handed over as the buffers themselves; they are trimmed for the next
            // piece only on the next call, once the caller has let go of this one, so that
            // nothing is copied.
            if !current.isEmpty { return ReferencePiece(fingerprint: current, keypoints: ReferenceKeypoints(current)) }
        }
        return nil
    }

    /// Reads `channel` until its values pass `end` or its blob ends (trailing bytes that are not a
    /// whole value are left unread); false when the blob does not unpack.
    private func read<C: FingerprintChannel>(_ channel: C.Type, until end: Double) throws -> Bool {
        while !done.contains(C.name) && (current[keyPath: C.items].last.map { Double(C.time(of: $0)) < end } ?? true) {
            let more = try stream.read(C.name, upTo: Self.readSize)
            if more.isEmpty {
                done.insert(C.name)
                break
            }
            var bytes = pending[C.name, default: []] + more
            let format = stream.format(C.name) ?? C.format
            let whole = C.wholeItemsLength(bytes, format: format)
            guard let items = C.unpack(Array(bytes[..<whole]), format: format, after: lastRead[C.name] as? C.Item) else { return false }
            if let last = items.last { lastRead[C.name] = last }
            let start = self.start
            current[keyPath: C.items] += items.filter { MediaFingerprint.isPlausible(C.time(of: $0)) && Double(C.time(of: $0)) >= start }
            bytes.removeFirst(whole)
            pending[C.name] = bytes
        }
        return true
    }

    /// From the piece just handed out to the next one on the grid that holds anything.
    private func moveOn() {
        handedOut = false
        if done.count == MediaFingerprint.channels.count && later.isEmpty {
            finished = true
            return
        }
        start += grid.step
        if let earliest = later.earliestTime.map(Double.init), earliest >= start + grid.length {
            start = grid.start(holding: earliest)
        }
        let start = self.start
        current.removeAll { Double($0) < start }
        current.append(later)
        later = MediaFingerprint()
    }
}
