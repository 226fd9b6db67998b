// The references one `compare` or `watch` run matches against, loaded from the library: the
// candidate index (`CandidateIndexFile`), and the database, from which the full
// fingerprints of the references a suspect names are read.
import AudioFingerprint
import Fingerprint
import Foundation
import LibraryStore
import Matching

/// The library's references as `compare` holds them: the candidate index in memory; the full
/// fingerprints of the references a suspect names as candidates read from the store on demand,
/// the most recently used kept up to `cacheBytes` (a batch of clips from one source tends to
/// name the same ones), each with its keypoints prepared for the keypoint channel
/// (`ReferenceKeypoints`: found once per reference while it stays cached, not once per suspect).
package final class LoadedReferences: ReferenceSource, @unchecked Sendable {
    package let index: CandidateIndex
    package var entries: [ReferenceEntry] { index.entries }
    /// Each reference as it was indexed (by path): its digest, size and when.
    package let indexed: [String: IndexedIdentity]

    /// SHA-256 of the library's content: every reference's path and digest, sorted. The same
    /// library gives the same identity, wherever its file is.
    package var identity: String {
        SHA256.hex(of: indexed.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value.sha256)\n" }.joined().utf8)
    }
    private let store: LibraryDatabase
    private let lock = NSLock()
    private let cacheBytes: Int
    // Guarded by `lock`.
    private var cache: [Int: (held: Held, bytes: Int, used: Int)] = [:]
    private var cached = 0, clock = 0
    /// The long references streamed in this run.
    private var streamed: Set<Int> = []

    /// What the cache holds of a reference: all of it, or every piece of a long one.
    private enum Held {
        case whole(MediaFingerprint, ReferenceKeypoints)
        case pieces([ReferencePiece])
    }

    /// Bytes the cache counts for what it holds (their stored size, `whole`), and how many references.
    package var cachedBytes: Int { lock.withLock { cached } }
    package var cachedReferences: Int { lock.withLock { cache.count } }

    /// How the candidate index came to be: mapped from its file beside the library, or built
    /// from the store (`CandidateIndexFile`).
    package let origin: CandidateIndexFile.Origin

    /// Opens the library's candidate index: mapped from its file when that was built from what
    /// the library holds now, else built from every stored video's anchors and saved for the next
    /// run (`CandidateIndexFile`). References in path order: ties between them are then broken
    /// the same way however the rows were numbered.
    /// Full fingerprints are read later through the same read-only connection, in the same
    /// snapshot: an `index` run that re-indexes references meanwhile does not make them vanish
    /// from under this `compare` (it sees the library as it was when it started).
    /// `willBuild`: told the number of videos before the index is built from the store.
    package init(path: String, cacheBytes: Int = 64 << 20, willBuild: (Int) -> Void = { _ in }) throws {
        let reader = try LibraryDatabase(readingAt: path, serialized: true)
        try reader.holdSnapshot()
        let (index, rows, origin) = try CandidateIndexFile.load(reader, libraryPath: path, willBuild: willBuild)
        self.index = index
        self.origin = origin
        indexed = Dictionary(rows.map { v in
            (v.path, IndexedIdentity(sha256: v.digest, size: v.size, modified: v.modified, indexedAt: Date(timeIntervalSince1970: v.indexedAt)))
        }, uniquingKeysWith: { first, _ in first })
        store = reader
        self.cacheBytes = cacheBytes
    }

    /// References longer than a piece are matched a piece at a time (see `fingerprint(ofReference:)`).
    /// Consecutive pieces share more than the longest stretch of reference a suspect window
    /// (`SuspectWindows`, 600 s) can reuse at the fastest speed matched (sound: 1.3×,
    /// `SoundEdits.speeds`; 780 s).
    package static let pieces = TimeGrid(length: 1800, overlap: 800)

    /// Reference `r` of `index` for the matcher; nil when its row is gone or unreadable (removed
    /// or re-indexed since the index was built). Up to a piece long, its full fingerprint
    /// (cached); longer, its fingerprint streamed from the store in overlapping pieces, never read
    /// whole at once: a 10-hour reference would otherwise cost ~350 MB each time a suspect names
    /// it. A long reference named a second time in a run (the next clip of a batch or a watch,
    /// the next window of a long clip), whose pieces fit in the cache, is kept there as it is
    /// streamed, its pieces prepared (`StoredReferencePieces`), and read from memory from then
    /// on: preparing a piece's keypoints again for every clip was most of what a batch of clips
    /// against a long reference cost. (Not the first time: a run that checks one short clip
    /// would hold it for nothing.)
    package func fingerprint(ofReference r: Int) throws -> ReferenceFingerprint? {
        if let duration = index.entries[r].duration, duration > Self.pieces.length {
            let (hit, before) = lock.withLock { (cacheHit(r), !streamed.insert(r).inserted) }
            if case .pieces(let pieces)? = hit { return .pieces(HeldPieces(pieces: pieces)) }
            guard let stored = try StoredReferencePieces(store: store, key: index.keys[r], path: index.entries[r].path,
                                                         grid: Self.pieces) else { return nil }
            // Each moment of the reference is in length / step pieces, give or take the last.
            let bytes = Int(Double(stored.storedBytes) * Self.pieces.length / Self.pieces.step)
            guard before, bytes <= cacheBytes else { return .pieces(stored) }
            return .pieces(KeepingPieces(stored: stored) { [weak self] pieces, landmarks in
                self?.keep(r, .pieces(pieces), bytes: bytes + landmarks * AudioLandmark.typicalPackedSize)
            })
        }
        return try whole(r).map { .whole($0.fingerprint, keypoints: $0.keypoints) }
    }

    /// A long reference's pieces as the cache holds them.
    private struct HeldPieces: ReferencePieces {
        let pieces: [ReferencePiece]
        var at = 0

        mutating func next() -> ReferencePiece? {
            guard at < pieces.count else { return nil }
            at += 1
            return pieces[at - 1]
        }
    }

    /// A long reference's pieces streamed from the store, each also kept (without its keypoint
    /// frames and peaks, which the matcher does not read once the keypoints are prepared and
    /// the landmarks made), and handed to `done` with the landmarks made from peaks (counted
    /// into the cache's bytes as `whole` counts them) when the last has been read: a reference
    /// read only in part (an error, a caller that stops) is not kept.
    private final class KeepingPieces: ReferencePieces {
        private let stored: StoredReferencePieces
        private var kept: [ReferencePiece] = []
        private var landmarks = 0
        private var done: (([ReferencePiece], Int) -> Void)?

        init(stored: StoredReferencePieces, done: @escaping ([ReferencePiece], Int) -> Void) {
            self.stored = stored
            self.done = done
        }

        func next() throws -> ReferencePiece? {
            guard let piece = try stored.next() else {
                done?(kept, landmarks)
                done = nil
                kept = []
                return nil
            }
            var held = piece
            held.fingerprint.keypointFrames = []
            held.fingerprint.landmarkPeaks = []
            // Landmarks made from kept peaks count as `whole` counts them; stored ones are in the blobs.
            if !piece.fingerprint.landmarkPeaks.isEmpty { landmarks += held.fingerprint.landmarks.count }
            kept.append(held)
            return piece
        }
    }

    /// The full fingerprint of reference `r` of `index` and its prepared keypoints; nil when its
    /// row is gone or unreadable. The fingerprint's keypoint frames are left out once prepared
    /// (the matcher reads the prepared ones), so a cached reference holds its keypoints once;
    /// `bytes` stays the stored size. The row is read and prepared outside the lock (the store's
    /// connection is serialized), so that other workers go on matching meanwhile; two that need
    /// the same uncached reference at once both prepare it, and the first one kept is used.
    private func whole(_ r: Int) throws -> (fingerprint: MediaFingerprint, keypoints: ReferenceKeypoints)? {
        if case .whole(let fingerprint, let keypoints)? = lock.withLock({ cacheHit(r) }) { return (fingerprint, keypoints) }
        guard let row = try store.fingerprint(id: index.keys[r]), row.video.path == index.entries[r].path,
              let stored = MediaFingerprint(row, tier: .full) else { return nil }
        var full = stored.filtered(MediaFingerprint.isPlausible)
        let keypoints = ReferenceKeypoints(full)
        full.keypointFrames = []
        // The matcher reads the landmarks made from the peaks, not the peaks.
        full.landmarkPeaks = []
        // Landmarks made from kept peaks count as the bytes they took when stored whole, so
        // that the cache holds about as much as before.
        let bytes = row.blobs.values.reduce(0) { $0 + $1.bytes.count }
            + (stored.landmarkPeaks.isEmpty ? 0 : stored.landmarks.count * AudioLandmark.typicalPackedSize)
        if case .whole(let fingerprint, let keypoints) = keep(r, .whole(full, keypoints), bytes: bytes) { return (fingerprint, keypoints) }
        return (full, keypoints)
    }

    /// Keeps `held` as reference `r`, counted as `bytes`, making room by dropping the least
    /// recently used, unless it is larger than the whole cache; what the cache holds of `r` when
    /// it holds it already (two workers that prepared it at once: the first one kept is used).
    @discardableResult
    private func keep(_ r: Int, _ held: Held, bytes: Int) -> Held {
        lock.withLock {
            if let hit = cacheHit(r) { return hit }
            guard bytes <= cacheBytes else { return held }
            while cached + bytes > cacheBytes, let oldest = cache.min(by: { $0.value.used < $1.value.used }) {
                cached -= oldest.value.bytes
                cache[oldest.key] = nil
            }
            cache[r] = (held, bytes, clock)
            cached += bytes
            return held
        }
    }

    /// Reference `r` from the cache, marked as just used; nil when not cached. Under `lock`.
    private func cacheHit(_ r: Int) -> Held? {
        clock += 1
        guard let hit = cache[r] else { return nil }
        cache[r]?.used = clock
        return hit.held
    }
}

extension StoredVideo {
    /// The blobs `index` stores for a fingerprint made whole with every channel on: each channel
    /// at both tiers.
    package static func blobs(full: MediaFingerprint) -> [BlobKey: StoredBlob] {
        var blobs: [BlobKey: StoredBlob] = [:]
        for (tier, fingerprint) in [(BlobKey.Tier.full, full.keptInFull), (.anchors, Anchors.of(full))] {
            let packed = tier.packed(fingerprint)
            for channel in MediaFingerprint.channels {
                blobs[BlobKey(channel: channel.name, tier: tier)] = StoredBlob(format: tier.format(of: channel), bytes: packed[channel.name] ?? [])
            }
        }
        return blobs
    }
}

extension MediaFingerprint {
    /// The channels `row` holds at `tier`, unpacked (a channel it lacks there is empty), with the
    /// landmarks made from the peaks where the row keeps those (`makeLandmarksFromPeaks`); nil when
    /// one is not whole values.
    init?(_ row: StoredVideo, tier: BlobKey.Tier) {
        let blobs = row.blobs.filter { $0.key.tier == tier }
        self.init(packed: Dictionary(uniqueKeysWithValues: blobs.map { ($0.key.channel, $0.value.bytes) }),
                  formats: Dictionary(uniqueKeysWithValues: blobs.map { ($0.key.channel, $0.value.format) }),
                  duration: row.video.duration)
        makeLandmarksFromPeaks()
    }

    /// A reference read from the store: its landmarks made from its kept peaks, the same ones
    /// `index` made (`SoundPeakChannel`); a row indexed before keeps its landmarks and no peaks,
    /// and is left as it is.
    mutating func makeLandmarksFromPeaks() {
        guard !landmarkPeaks.isEmpty else { return }
        landmarks = AudioFingerprinter.landmarks(from: landmarkPeaks)
    }
}

/// A reference's identity as `index` recorded it.
package struct IndexedIdentity: Sendable, Equatable {
    package var sha256: String
    package var size: Int64
    package var modified: Double
    package var indexedAt: Date
}
