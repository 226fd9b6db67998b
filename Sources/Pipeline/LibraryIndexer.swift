// `vmatch index`: brings the library up to date with the named files and folders. Unchanged
// files (same size and modification time, or same SHA-256 of the whole file) are skipped, changed ones
// re-fingerprinted, removed ones pruned. Several files are fingerprinted at once, each by its
// own single-threaded decoder (two decoders on two files beat one file with two threads); each
// video is saved in its own transaction as soon as it is done.
import Fingerprint
import Foundation
import LibraryStore
import Media

package struct IndexSummary: Sendable {
    package var indexed: [String] = []
    /// Files unchanged since they were indexed whose fingerprint lacks a channel this run makes
    /// (indexed before it existed or with it switched off) or is of an older format: they are
    /// fingerprinted again (and counted in `indexed` once done).
    package var renewed: [String] = []
    /// The channels some of them lack, by name (none when only their format is older).
    package var renewedChannels: Set<String> = []
    package var unchanged: [String] = []
    package var removed: [String] = []
    /// Files that are not audio or video at all (skipped silently, counted).
    package var notMedia: [String] = []
    /// Media that could not be read (and paths named that yielded nothing), each with its kind
    /// and a one-line message that names it.
    package var failed: [IndexFailure] = []
    /// Files not started because the run stopped early, and the failure that stopped it (the
    /// disk full, the library unwritable: `IndexFailure.stopsTheRun`).
    package var notStarted: [String] = []
    package var stoppedBy: IndexFailure?
}

package enum IndexEvent: Sendable {
    /// The files to fingerprint, `renewed` of them unchanged files fingerprinted again
    /// (`IndexSummary.renewed`).
    case started(total: Int, renewed: Int, channels: Set<String>)
    case finished(path: String, done: Int, total: Int)
}

package struct LibraryIndexer {
    package var jobs: Int
    package var options: FingerprintOptions

    package init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                options: FingerprintOptions = FingerprintOptions(role: .reference)) {
        self.jobs = max(1, jobs)
        self.options = options
    }

    package func run(paths: [String], library: Library,
                    progress: @escaping @Sendable (IndexEvent) -> Void = { _ in }) throws -> IndexSummary {
        let store = library.store
        var summary = IndexSummary()
        let (files, problems) = MediaWalker.files(under: paths)
        for p in problems { summary.failed.append(IndexFailure(.unreadable, path: p.path, message: p.description)) }
        summary.removed = try prune(store, named: paths, onDisk: Set(files))
        let work = try plan(files, store, &summary)
        progress(.started(total: work.count, renewed: summary.renewed.count, channels: summary.renewedChannels))
        summary = fingerprint(work, into: store, summary: summary, progress: progress)
        if summary.stoppedBy == nil { Self.checkEveryPathYielded(paths, &summary) }
        return summary
    }

    /// A path named that gave nothing — no media indexed, unchanged, removed or failed under it
    /// (an empty or mistyped folder, a text file) — is a failure with its reason, so that it never
    /// reads as done.
    private static func checkEveryPathYielded(_ paths: [String], _ summary: inout IndexSummary) {
        let accounted = summary.indexed + summary.unchanged + summary.removed + summary.failed.map(\.path)
        for path in paths {
            let absolute = MediaWalker.absolutePath(path)
            let folder = absolute.hasSuffix("/") ? absolute : absolute + "/"
            guard !accounted.contains(where: { $0 == absolute || $0 == path || $0.hasPrefix(folder) }) else { continue }
            let skipped = summary.notMedia.filter { $0 == absolute || $0.hasPrefix(folder) }.count
            let reason = summary.notMedia.contains(absolute) ? "not audio or video"
                : skipped > 0 ? "the folder holds no media files (\(skipped) not audio or video)"
                : "the folder holds no files"
            summary.failed.append(IndexFailure(.nothingToIndex, path: path, message: "cannot index '\(path)': \(reason)"))
        }
    }

    /// Removes the rows of files that vanished from the named folders (or were named and are gone).
    private func prune(_ store: LibraryDatabase, named paths: [String], onDisk: Set<String>) throws -> [String] {
        let named = paths.map(MediaWalker.absolutePath)
        let folders = named.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        var removed: [String] = []
        for video in try store.videos() {
            let inFolder = folders.contains { video.path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
            if (inFolder || named.contains(video.path)) && !onDisk.contains(video.path) && !FileManager.default.fileExists(atPath: video.path) {
                try store.remove(path: video.path)
                removed.append(video.path)
            }
        }
        return removed
    }

    /// A file to fingerprint.
    private struct Work {
        var path: String
        var size: Int64
        var modified: Double
    }

    /// The files that need work: new, changed (size, or modification time and content digest),
    /// indexed by another format version, or lacking a channel this run makes (indexed before the
    /// channel existed, or with it switched off: they are fingerprinted again to add it). The
    /// others are counted unchanged.
    private func plan(_ files: [String], _ store: LibraryDatabase, _ summary: inout IndexSummary) throws -> [Work] {
        var work: [Work] = []
        for path in files {
            // Size and time as the store keeps them (`FileIdentity`, nanoseconds from stat): through
            // Foundation's Date a third of the times came back a fraction of a microsecond off, and
            // each such unchanged file was read whole for its digest on the next run.
            guard let identity = try? FileIdentity(path: path) else {
                summary.failed.append(IndexFailure(.unreadable, path: path,
                                                   message: "cannot read '\(path)': its size and modification time cannot be read"))
                continue
            }
            let size = identity.size, modified = identity.modifiedSeconds
            let known = try store.video(path: path)
            if let known, known.size == size, known.fingerprintVersion == FingerprintFormat.version,
               try hasEveryChannel(known, in: store) {
                if known.modified == modified {
                    summary.unchanged.append(path)
                    continue
                }
                if let digest = try? SHA256.hex(ofFileAt: path), digest == known.digest {
                    try store.updateModified(id: known.id, modified: modified)
                    summary.unchanged.append(path)
                    continue
                }
            }
            // Unchanged by size and time (the message needs no digest).
            if let known, known.size == size, known.modified == modified {
                summary.renewed.append(path)
                summary.renewedChannels.formUnion(try missingChannels(known, in: store))
            }
            work.append(Work(path: path, size: size, modified: modified))
        }
        return work
    }

    /// Whether the store holds every channel this run makes for `video` (a row indexed before a
    /// channel existed, or with the keypoints switched off, lacks it). A channel made with the
    /// keypoints off and stored since is kept when they are on.
    private func hasEveryChannel(_ video: IndexedVideo, in store: LibraryDatabase) throws -> Bool {
        try missingChannels(video, in: store).isEmpty
    }

    /// The names of the channels this run makes that the store lacks for `video`.
    private func missingChannels(_ video: IndexedVideo, in store: LibraryDatabase) throws -> [String] {
        let stored = try store.storedChannels(id: video.id)
        return options.channels.filter { channel in
            !Self.holds(stored[channel.name], channel, for: video) && !Self.heldBefore(channel, in: stored)
        }.map { $0.name }
    }

    /// Whether a video indexed before `channel` existed holds its values in the channel that
    /// held them then (`FingerprintChannel.formerChannel`): the sound's landmarks stored whole,
    /// before the peaks stood for them. Such a row is read as it is, not made again.
    static func heldBefore(_ channel: any FingerprintChannel.Type, in stored: [String: BlobSummary]) -> Bool {
        guard let former = channel.formerChannel, let blob = stored[former] else { return false }
        return blob.count > 0
    }

    /// Whether `blob` is `channel` as made for `video`. A file without the channel's medium has
    /// nothing to make in it, stored or not. A blob that holds something is kept whatever its
    /// format (readers read every format); an empty one only from the channel's
    /// `emptyMeansMadeFrom`: the keypoint blobs of format 1, from before issue 29, are empty
    /// whether the channel was off or found nothing, so a video's is made again (once: the new
    /// one says which).
    static func holds(_ blob: BlobSummary?, _ channel: any FingerprintChannel.Type, for video: IndexedVideo) -> Bool {
        guard channel.medium == .picture ? video.hasVideo : video.hasAudio else { return true }
        guard let blob else { return false }
        return blob.count > 0 || blob.format >= channel.emptyMeansMadeFrom
    }

    /// Fingerprints `work` on up to `jobs` workers; each video is saved in its own transaction
    /// as soon as it is done. The fingerprints wait on disk beside the library, not in memory
    /// (see FingerprintSpool). A store error, or a full disk, fails that file and stops the run:
    /// the files not started are listed in the summary with the reason.
    private func fingerprint(_ work: [Work], into store: LibraryDatabase, summary: IndexSummary,
                             progress: @escaping @Sendable (IndexEvent) -> Void) -> IndexSummary {
        struct Shared {
            var summary: IndexSummary
            var done = 0
            var started = Set<Int>()
        }
        let shared = Locked(Shared(summary: summary))
        let folder = (store.path as NSString).deletingLastPathComponent
        let spoolFolder = folder.isEmpty ? MediaWalker.currentDirectory : folder
        FingerprintWorkers.run(count: work.count, jobs: jobs, options: options) { i, fingerprinter in
            let item = work[i]
            let go = shared.withLock { state -> Bool in
                guard state.summary.stoppedBy == nil else { return false }
                state.started.insert(i)
                return true
            }
            guard go else { return false }
            // The file as it is now, its fingerprint, its SHA-256, and the file as it is after:
            // stored only if nothing changed meanwhile (see FileIdentity).
            let outcome = Result { () throws -> (FileFingerprinter.Streamed, FingerprintSpool, FileIdentity, String) in
                let before = try FileIdentity(path: item.path)
                let spool = try FingerprintSpool(directory: spoolFolder, channels: options.channels)
                let made = try fingerprinter.fingerprint(path: item.path, deliver: spool.add)
                let digest = try SHA256.hex(ofFileAt: item.path)
                let after = try FileIdentity(path: item.path)
                guard after == before else {
                    throw FileIdentityError(reason: "\(before.change(to: after)) while it was being indexed; nothing was stored: index it again once it is complete")
                }
                return (made, spool, before, digest)
            }
            let done = shared.withLock { state in
                switch outcome {
                case .success(let (made, spool, identity, digest)):
                    let video = IndexedVideo(id: 0, path: item.path, size: identity.size, modified: identity.modifiedSeconds,
                                             digest: digest, duration: made.duration,
                                             hasVideo: made.info.hasVideo && made.frameCount > 0,
                                             hasAudio: made.info.hasAudio, fingerprintVersion: FingerprintFormat.version,
                                             indexedAt: Date().timeIntervalSince1970)
                    do {
                        try spool.save(video, to: store)
                        state.summary.indexed.append(item.path)
                    } catch {
                        state.summary.fail(IndexFailure(.storeWriteFailed, path: item.path, message: "\(error)"))
                    }
                case .failure(let error):
                    if Self.isNotMedia(error, path: item.path) {
                        state.summary.notMedia.append(item.path)
                    } else {
                        state.summary.fail(.fingerprinting(item.path, error))
                    }
                }
                state.done += 1
                return state.done
            }
            progress(.finished(path: item.path, done: done, total: work.count))
            return shared.withLock { $0.summary.stoppedBy == nil }
        }
        return shared.withLock { state in
            state.summary.notStarted = work.indices.filter { !state.started.contains($0) }.map { work[$0].path }
            return state.summary
        }
    }

    /// A file the decoder says is not audio or video, or that does not open and is named like a
    /// non-media file (or not named like anything): counted as not media, not failed.
    static func isNotMedia(_ error: any Error, path: String) -> Bool {
        guard let media = error as? MediaError else { return false }
        let ext = (path as NSString).pathExtension.lowercased()
        return media.kind == .notMedia || (media.kind == .open && (MediaWalker.nonMediaExtensions.contains(ext) || ext.isEmpty))
    }
}

extension IndexSummary {
    /// Records `failure`; the first that stops the run is the one that stopped it.
    mutating func fail(_ failure: IndexFailure) {
        failed.append(failure)
        if failure.stopsTheRun, stoppedBy == nil { stoppedBy = failure }
    }
}
