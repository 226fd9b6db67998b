// `vmatch compare`: loads the library's fingerprints into memory once, then fingerprints each
// suspect (several at once) and matches it. Results are handed out as each suspect finishes.
import AudioFingerprint
import Foundation
import LibraryStore
import Matching
import Media

public struct SuspectResult: Sendable {
    public var path: String
    public var duration: Double?
    public var matches: [ReferenceMatch]
    /// One line naming the file and the reason, when it could not be read.
    public var error: String?
    /// Seconds spent fingerprinting and matching.
    public var elapsed: Double
}

/// The library as `compare` holds it: the candidate index in memory; the full fingerprints of
/// the references a suspect names as candidates read from the store on demand, the most recently
/// used kept up to `cacheBytes` (a batch of clips from one source tends to name the same ones).
public final class LoadedLibrary: @unchecked Sendable {
    public let index: CandidateIndex
    public var entries: [ReferenceEntry] { index.entries }
    private let store: VideoLibrary
    private let lock = NSLock()
    private let cacheBytes: Int
    // Guarded by `lock`.
    private var cache: [Int: (frames: [FrameSignature], landmarks: [AudioLandmark], bytes: Int, used: Int)] = [:]
    private var cached = 0, clock = 0

    /// Builds the candidate index from every stored video's anchors (one row in memory at a time).
    /// Full fingerprints are read later through a connection of its own to `path`.
    public init(path: String, cacheBytes: Int = 64 << 20) throws {
        let reader = try VideoLibrary(path: path, create: false)
        var builder = CandidateIndex.Builder()
        let sizes = try reader.anchorBytes()
        builder.reserve(anchorHashes: sizes.frames / 32, landmarks: sizes.landmarks / AudioLandmark.packedSize)
        try reader.forEachAnchors { row in
            let v = row.video
            let frames: [FrameSignature]?, landmarks: [AudioLandmark]?
            if let packed = row.anchorFrames { frames = FramePacking.unpack(packed) }
            else { frames = row.frames.flatMap(FramePacking.unpack).map(Anchors.frames) }
            if let packed = row.anchorLandmarks { landmarks = AudioLandmark.unpack(packed) }
            else { landmarks = row.landmarks.flatMap(AudioLandmark.unpack).map(Anchors.landmarks) }
            guard v.fingerprintVersion == MediaFingerprint.formatVersion, let frames, let landmarks else {
                throw StoreError(path: path, reason: "'\(v.path)' was indexed by another vmatch version; run `vmatch index` on it again")
            }
            builder.add(ReferenceEntry(path: v.path, duration: v.duration), key: v.id,
                        frames: frames.filter { Self.plausible($0.time) }, landmarks: landmarks.filter { Self.plausible($0.time) })
        }
        index = builder.build()
        store = reader
        self.cacheBytes = cacheBytes
    }

    /// A damaged row must not take the matcher down: times outside any real file are dropped.
    static func plausible(_ t: Float) -> Bool { t.isFinite && t >= 0 && t < 1e7 }

    /// References longer than this are matched a piece at a time (see `source`).
    public static let pieceLength = 1800.0
    /// How much consecutive pieces share: more than the longest stretch of reference a suspect
    /// window (`SuspectWindows`, 600 s) can reuse at the fastest speed matched (1.15×).
    public static let pieceOverlap = 720.0

    /// Reference `r` of `index` for the matcher; nil when its row is gone or unreadable (removed
    /// or re-indexed since the index was built). Up to `pieceLength` seconds, its full fingerprint
    /// (cached); longer, its fingerprint streamed from the store in overlapping pieces, never held
    /// whole: a 10-hour reference would otherwise cost ~350 MB each time a suspect names it.
    public func source(_ r: Int) throws -> ReferenceSource? {
        if let duration = index.entries[r].duration, duration > Self.pieceLength {
            return .pieces { body in try self.pieces(r, body) }
        }
        return try fingerprint(r).map { .whole(frames: $0.frames, landmarks: $0.landmarks) }
    }

    /// The full fingerprint of reference `r` of `index`; nil when its row is gone or unreadable.
    public func fingerprint(_ r: Int) throws -> (frames: [FrameSignature], landmarks: [AudioLandmark])? {
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        if let hit = cache[r] {
            cache[r]?.used = clock
            return (hit.frames, hit.landmarks)
        }
        guard let row = try store.fingerprint(id: index.keys[r]),
              row.video.path == index.entries[r].path,
              let frames = FramePacking.unpack(row.frames), let landmarks = AudioLandmark.unpack(row.landmarks) else { return nil }
        let full = (frames: frames.filter { Self.plausible($0.time) }, landmarks: landmarks.filter { Self.plausible($0.time) })
        let bytes = row.frames.count + row.landmarks.count
        while cached + bytes > cacheBytes, let oldest = cache.min(by: { $0.value.used < $1.value.used }) {
            cached -= oldest.value.bytes
            cache[oldest.key] = nil
        }
        if bytes <= cacheBytes {
            cache[r] = (full.frames, full.landmarks, bytes, clock)
            cached += bytes
        }
        return full
    }
}

extension LoadedLibrary {
    /// Streams reference `r`'s fingerprint from the store (a connection of its own, so that
    /// several suspects can do this at once) and hands `body` its pieces: `pieceLength` seconds,
    /// each starting `pieceLength - pieceOverlap` after the one before.
    func pieces(_ r: Int, _ body: ([FrameSignature], [AudioLandmark]) throws -> Void) throws {
        let reader = try VideoLibrary(path: store.path, create: false)
        guard let stream = try reader.streamFingerprint(id: index.keys[r]), stream.video.path == index.entries[r].path,
              stream.landmarkBytes % AudioLandmark.packedSize == 0 else { return }
        let read = 1 << 18
        var frameBytes: [UInt8] = [], frames: [FrameSignature] = [], landmarks: [AudioLandmark] = []
        var framesDone = false, landmarksDone = false
        var start = 0.0
        let step = Self.pieceLength - Self.pieceOverlap
        while true {
            let end = start + Self.pieceLength
            // Read each stream until it passes the piece's end (both are in time order).
            while !framesDone && (frames.last.map { Double($0.time) < end } ?? true) {
                let more = try stream.readFrames(upTo: read)
                if more.isEmpty { framesDone = true; break }
                frameBytes += more
                let whole = FramePacking.wholeFramesLength(frameBytes)
                guard let unpacked = FramePacking.unpack(Array(frameBytes[..<whole])) else { return }
                frames += unpacked.filter { Self.plausible($0.time) && Double($0.time) >= start }
                frameBytes.removeFirst(whole)
            }
            while !landmarksDone && (landmarks.last.map { Double($0.time) < end } ?? true) {
                let more = try stream.readLandmarks(upTo: read / AudioLandmark.packedSize * AudioLandmark.packedSize)
                if more.isEmpty { landmarksDone = true; break }
                guard let unpacked = AudioLandmark.unpack(more) else { return }
                landmarks += unpacked.filter { Self.plausible($0.time) && Double($0.time) >= start }
            }
            // The piece is handed over as the buffers themselves (what lies past its end set
            // aside), so that it is not copied.
            let laterFrames = Self.takeItems(from: &frames, from: end, time: { $0.time })
            let laterLandmarks = Self.takeItems(from: &landmarks, from: end, time: { $0.time })
            if !frames.isEmpty || !landmarks.isEmpty { try body(frames, landmarks) }
            if framesDone && landmarksDone && laterFrames.isEmpty && laterLandmarks.isEmpty { return }
            start += step
            // Across a gap in the reference, on to the first piece that holds anything.
            let earliest = Double(min(laterFrames.first?.time ?? .infinity, laterLandmarks.first?.time ?? .infinity))
            if earliest.isFinite && earliest >= start + Self.pieceLength {
                start = SuspectWindows.gridStart(holding: earliest, length: Self.pieceLength, step: step)
            }
            frames.removeAll { Double($0.time) < start }
            landmarks.removeAll { Double($0.time) < start }
            frames += laterFrames
            landmarks += laterLandmarks
        }
    }

    /// Removes from `items` those at `time` ≥ `limit` and returns them, in order.
    static func takeItems<T>(from items: inout [T], from limit: Double, time: (T) -> Float) -> [T] {
        let later = items.filter { Double(time($0)) >= limit }
        if !later.isEmpty { items.removeAll { Double(time($0)) >= limit } }
        return later
    }
}

public struct SuspectChecker {
    public var jobs: Int
    public var options: FingerprintOptions
    public var matcher: Matcher
    /// How a long suspect is cut into windows.
    public var windowing: SuspectWindows.Configuration

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                options: FingerprintOptions = FingerprintOptions(role: .suspect), matcher: Matcher = Matcher(),
                windowing: SuspectWindows.Configuration = SuspectWindows.Configuration()) {
        self.jobs = max(1, jobs)
        self.options = options
        self.matcher = matcher
        self.windowing = windowing
    }

    /// Checks every file; `report` is called serially for each result, in the order of `files`
    /// (a result waits only for those before it).
    public func run(files: [String], against library: LoadedLibrary,
                    report: @escaping (SuspectResult) -> Void) {
        let lock = NSLock()
        let matcher = self.matcher
        let windowing = self.windowing
        nonisolated(unsafe) let report = report
        // Guarded by `lock`.
        nonisolated(unsafe) var finished: [Int: SuspectResult] = [:]
        nonisolated(unsafe) var emitted = 0
        FingerprintWorkers.run(count: files.count, jobs: jobs, options: options) { i, fingerprinter in
            let start = Date()
            let path = files[i]
            var result: SuspectResult
            do {
                // Matched a window at a time as it is decoded (see SuspectWindows).
                var windows: SuspectWindows?
                let made = try fingerprinter.fingerprint(path: path, opened: { info in
                    windows = SuspectWindows(configuration: windowing, expectsFrames: info.hasVideo,
                                             expectsLandmarks: info.hasAudio) { window in
                        try matcher.match(window, candidates: library.index, load: library.source)
                    }
                }, frames: { try windows?.add(frames: $0) }, landmarks: { try windows?.add(landmarks: $0) })
                let matches = try windows?.finish() ?? []
                result = SuspectResult(path: path, duration: made.duration, matches: matches,
                                       error: nil, elapsed: Date().timeIntervalSince(start))
            } catch {
                result = SuspectResult(path: path, duration: nil, matches: [], error: "\(error)",
                                       elapsed: Date().timeIntervalSince(start))
            }
            lock.lock()
            finished[i] = result
            while let next = finished.removeValue(forKey: emitted) {
                report(next)
                emitted += 1
            }
            lock.unlock()
        }
    }
}
