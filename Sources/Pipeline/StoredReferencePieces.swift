// A long reference read from the store a piece at a time, never whole: its frames and landmarks
// streamed from the row's blobs (incremental blob I/O on the library's serialized connection, in
// its snapshot, so that several suspects can do this at once) and handed out in the pieces of a
// `TimeGrid`, in time order.
import Fingerprint
import LibraryStore
import Matching

final class StoredReferencePieces: ReferencePieces {
    private let stream: FingerprintStream
    private let grid: TimeGrid
    private var frameBytes: [UInt8] = []
    private var frames: [FrameSignature] = []
    private var landmarks: [AudioLandmark] = []
    /// What was read past the current piece's end, for the next one.
    private var laterFrames: [FrameSignature] = []
    private var laterLandmarks: [AudioLandmark] = []
    private var framesDone = false, landmarksDone = false
    private var start = 0.0
    /// Whether the current piece has been handed out (the next call moves on first).
    private var handedOut = false
    private var finished = false

    /// Bytes read from a blob at a time.
    static let readSize = 1 << 18

    /// nil when the row `key` is gone or no longer holds `path` (re-indexed since), or its
    /// landmark blob is not whole records.
    init?(store: VideoLibrary, key: Int64, path expected: String, grid: TimeGrid) throws {
        guard let stream = try store.streamFingerprint(id: key), stream.video.path == expected,
              stream.landmarkBytes % AudioLandmark.packedSize == 0 else { return nil }
        self.stream = stream
        self.grid = grid
    }

    func next() throws -> ReferencePiece? {
        while !finished {
            if handedOut { moveOn() }
            guard !finished else { break }
            let end = start + grid.length
            // Read each stream until it passes the piece's end (both are in time order). A blob
            // that does not unpack ends the reference where it broke.
            while !framesDone && (frames.last.map { Double($0.time) < end } ?? true) {
                let more = try stream.readFrames(upTo: Self.readSize)
                if more.isEmpty { framesDone = true; break }
                frameBytes += more
                let whole = FramePacking.wholeFramesLength(frameBytes)
                guard let unpacked = FramePacking.unpack(Array(frameBytes[..<whole])) else { finished = true; return nil }
                frames += unpacked.filter { MediaFingerprint.isPlausible($0.time) && Double($0.time) >= start }
                frameBytes.removeFirst(whole)
            }
            while !landmarksDone && (landmarks.last.map { Double($0.time) < end } ?? true) {
                let more = try stream.readLandmarks(upTo: Self.readSize / AudioLandmark.packedSize * AudioLandmark.packedSize)
                if more.isEmpty { landmarksDone = true; break }
                guard let unpacked = AudioLandmark.unpack(more) else { finished = true; return nil }
                landmarks += unpacked.filter { MediaFingerprint.isPlausible($0.time) && Double($0.time) >= start }
            }
            laterFrames = Self.takeItems(from: &frames, from: end, time: { $0.time })
            laterLandmarks = Self.takeItems(from: &landmarks, from: end, time: { $0.time })
            handedOut = true
            // The piece is handed over as the buffers themselves; they are trimmed for the next
            // piece only on the next call, once the caller has let go of this one, so that
            // nothing is copied.
            if !frames.isEmpty || !landmarks.isEmpty { return ReferencePiece(frames: frames, landmarks: landmarks) }
        }
        return nil
    }

    /// From the piece just handed out to the next one on the grid that holds anything.
    private func moveOn() {
        handedOut = false
        if framesDone && landmarksDone && laterFrames.isEmpty && laterLandmarks.isEmpty {
            finished = true
            return
        }
        start += grid.step
        let earliest = Double(min(laterFrames.first?.time ?? .infinity, laterLandmarks.first?.time ?? .infinity))
        if earliest.isFinite && earliest >= start + grid.length {
            start = grid.start(holding: earliest)
        }
        frames.removeAll { Double($0.time) < start }
        landmarks.removeAll { Double($0.time) < start }
        frames += laterFrames
        landmarks += laterLandmarks
        laterFrames = []
        laterLandmarks = []
    }

    /// Removes from `items` those at `time` ≥ `limit` and returns them, in order.
    static func takeItems<T>(from items: inout [T], from limit: Double, time: (T) -> Float) -> [T] {
        let later = items.filter { Double(time($0)) >= limit }
        if !later.isEmpty { items.removeAll { Double(time($0)) >= limit } }
        return later
    }
}
