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

    /// The full fingerprint of reference `r` of `index`; nil when its row is gone or unreadable
    /// (removed or re-indexed since the index was built).
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
                        try matcher.match(window, candidates: library.index, load: library.fingerprint)
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
