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

public enum LibraryLoading {
    /// Builds the in-memory search structures from every stored video.
    public static func load(_ library: VideoLibrary) throws -> ReferenceLibrary {
        var references: [(entry: ReferenceEntry, frames: [FrameSignature], landmarks: [AudioLandmark])] = []
        try library.forEachFingerprint { stored in
            guard stored.video.fingerprintVersion == MediaFingerprint.formatVersion,
                  let frames = FramePacking.unpack(stored.frames),
                  let landmarks = AudioLandmark.unpack(stored.landmarks) else {
                throw StoreError(path: library.path, reason: "'\(stored.video.path)' was indexed by another vmatch version; run `vmatch index` on it again")
            }
            // A damaged row must not take the matcher down: times outside any real file are dropped.
            let plausible: (Float) -> Bool = { $0.isFinite && $0 >= 0 && $0 < 1e7 }
            references.append((ReferenceEntry(path: stored.video.path, duration: stored.video.duration),
                               frames.filter { plausible($0.time) }, landmarks.filter { plausible($0.time) }))
        }
        return ReferenceLibrary(references)
    }
}

public struct SuspectChecker {
    public var jobs: Int
    public var options: FingerprintOptions
    public var matcher: Matcher

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                options: FingerprintOptions = FingerprintOptions(role: .suspect), matcher: Matcher = Matcher()) {
        self.jobs = max(1, jobs)
        self.options = options
        self.matcher = matcher
    }

    /// Checks every file; `report` is called serially for each result, in the order of `files`
    /// (a result waits only for those before it).
    public func run(files: [String], against library: ReferenceLibrary,
                    report: @escaping (SuspectResult) -> Void) {
        let lock = NSLock()
        let matcher = self.matcher
        nonisolated(unsafe) let report = report
        // Guarded by `lock`.
        nonisolated(unsafe) var finished: [Int: SuspectResult] = [:]
        nonisolated(unsafe) var emitted = 0
        FingerprintWorkers.run(count: files.count, jobs: jobs, options: options) { i, fingerprinter in
            let start = Date()
            let path = files[i]
            var result: SuspectResult
            do {
                let fp = try fingerprinter.fingerprint(path: path)
                let matches = matcher.match(fp.fingerprint, in: library)
                result = SuspectResult(path: path, duration: fp.fingerprint.duration, matches: matches,
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
