// `vmatch index`: brings the library up to date with the named files and folders. Unchanged
// files (same size and modification time, or same content digest) are skipped, changed ones
// re-fingerprinted, removed ones pruned. Several files are fingerprinted at once, each by its
// own single-threaded decoder (two decoders on two files beat one file with two threads); each
// video is saved in its own transaction as soon as it is done.
import AudioFingerprint
import Foundation
import LibraryStore
import Matching
import Media

public struct IndexSummary: Sendable {
    public var indexed: [String] = []
    public var unchanged: [String] = []
    public var removed: [String] = []
    /// Files that are not audio or video at all (skipped silently, counted).
    public var notMedia: [String] = []
    /// Media that could not be read, with the one-line reason.
    public var failed: [(path: String, reason: String)] = []
}

public enum IndexEvent: Sendable {
    case started(total: Int)
    case finished(path: String, done: Int, total: Int)
}

public struct LibraryIndexer {
    public var jobs: Int
    public var options: FingerprintOptions

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                options: FingerprintOptions = FingerprintOptions(role: .reference)) {
        self.jobs = max(1, jobs)
        self.options = options
    }

    /// Extensions that are surely not audio or video: failing to decode them is not an error.
    public static let nonMediaExtensions: Set<String> = ["txt", "md", "json", "jsonl", "csv", "xml", "html", "pdf", "doc",
                                                   "docx", "zip", "gz", "sqlite", "sqlite-wal", "sqlite-shm", "db", "log", "srt", "vtt", "ass"]

    public func run(paths: [String], library: VideoLibrary,
                    progress: @escaping @Sendable (IndexEvent) -> Void = { _ in }) throws -> IndexSummary {
        var summary = IndexSummary()
        let (files, problems) = MediaWalker.files(under: paths)
        for p in problems { summary.failed.append((p.path, p.reason)) }

        // Prune what vanished from the named folders.
        let folders = paths.map(MediaWalker.absolutePath).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        let onDisk = Set(files)
        for video in try library.videos() {
            let inFolder = folders.contains { video.path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
            let named = paths.map(MediaWalker.absolutePath).contains(video.path)
            if (inFolder || named) && !onDisk.contains(video.path) && !FileManager.default.fileExists(atPath: video.path) {
                try library.remove(path: video.path)
                summary.removed.append(video.path)
            }
        }

        // Decide what needs work.
        var work: [(path: String, size: Int64, modified: Double)] = []
        for path in files {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
                summary.failed.append((path, "cannot read file attributes"))
                continue
            }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            if let known = try library.video(path: path), known.size == size,
               known.fingerprintVersion == MediaFingerprint.formatVersion {
                if known.modified == modified {
                    summary.unchanged.append(path)
                    continue
                }
                if let digest = try? FileDigest.digest(path: path), digest == known.digest {
                    try library.updateModified(id: known.id, modified: modified)
                    summary.unchanged.append(path)
                    continue
                }
            }
            work.append((path, size, modified))
        }

        progress(.started(total: work.count))
        let lock = NSLock()
        // Shared between workers; every access below holds `lock`.
        nonisolated(unsafe) var firstStoreError: Error?
        nonisolated(unsafe) var done = 0
        nonisolated(unsafe) let library = library
        let pending = work
        nonisolated(unsafe) var mutableSummary = summary
        // Fingerprints wait on disk beside the library, not in memory (see FingerprintSpool).
        let folder = (library.path as NSString).deletingLastPathComponent
        let spoolFolder = folder.isEmpty ? FileManager.default.currentDirectoryPath : folder
        FingerprintWorkers.run(count: pending.count, jobs: jobs, options: options) { i, fingerprinter in
            let item = pending[i]
            let outcome: Result<(FileFingerprinter.Streamed, FingerprintSpool), Error>
            do {
                let spool = try FingerprintSpool(directory: spoolFolder)
                let made = try fingerprinter.fingerprint(path: item.path, frames: spool.add(frames:),
                                                         landmarks: spool.add(landmarks:))
                outcome = .success((made, spool))
            } catch {
                outcome = .failure(error)
            }
            let digest = try? FileDigest.digest(path: item.path)
            lock.lock()
            switch outcome {
            case .success(let (made, spool)):
                let video = IndexedVideo(id: 0, path: item.path, size: item.size, modified: item.modified,
                                         digest: digest ?? "", duration: made.duration,
                                         hasVideo: made.info.hasVideo && made.frameCount > 0,
                                         hasAudio: made.info.hasAudio, fingerprintVersion: MediaFingerprint.formatVersion,
                                         indexedAt: Date().timeIntervalSince1970)
                do {
                    try spool.save(video, to: library)
                    mutableSummary.indexed.append(item.path)
                } catch {
                    if firstStoreError == nil { firstStoreError = error }
                    mutableSummary.failed.append((item.path, "\(error)"))
                }
            case .failure(let error):
                let ext = (item.path as NSString).pathExtension.lowercased()
                if let media = error as? MediaError, media.kind == .open,
                   Self.nonMediaExtensions.contains(ext) || ext.isEmpty {
                    mutableSummary.notMedia.append(item.path)
                } else {
                    mutableSummary.failed.append((item.path, "\(error)"))
                }
            }
            done += 1
            let count = done
            lock.unlock()
            progress(.finished(path: item.path, done: count, total: pending.count))
        }
        summary = mutableSummary
        if let firstStoreError { throw firstStoreError }
        return summary
    }
}
