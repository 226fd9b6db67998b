// Where the library's candidate index is kept between runs, and when the kept one is used: a file
// beside the library (`<library>.candidates`), written by `index` after every run that changed the
// library and by `compare` or `watch` when they find it missing or stale, used only when it was
// built from exactly what the library holds now (its stamp, below). A library that changed since
// is never answered from an old index: the index is built from the store again, as it always was
// before the file existed, and saved for the next run.
import Fingerprint
import Foundation
import LibraryStore
import Matching

package enum CandidateIndexFile {
    /// The file beside the library at `library`.
    package static func path(ofLibrary library: String) -> String { library + ".candidates" }

    /// What the index is built from, as one digest: each video's id, path, digest, fingerprint
    /// version, indexing time and duration, and its blobs (`LibraryDatabase.contentSummary`), in
    /// path order. Any `index` that adds, replaces or removes a video changes it.
    static func stamp(of rows: [(video: IndexedVideo, blobs: String)]) throws -> [UInt8] {
        let digest = try SHA256()
        for (v, blobs) in rows {
            let duration = v.duration.map { String($0.bitPattern) } ?? "-"
            digest.update("\(v.id)\t\(v.path)\t\(v.digest)\t\(v.fingerprintVersion)\t\(v.indexedAt.bitPattern)\t\(duration)\t\(blobs)\n".utf8)
        }
        return digest.finalize()
    }

    /// How the index at hand came to be.
    package enum Origin: Sendable, Equatable {
        /// Mapped from the file.
        case file
        /// Built from the store and saved (the file was missing or stale, for the reason given).
        case built(reason: String)
        /// Built from the store; it could not be saved (the reason given), so the next run builds it too.
        case builtNotSaved(reason: String)
        /// Built from the store of a library too old for the file (schema 2 and before).
        case builtForOldLibrary
    }

    /// The candidate index of the library open in `reader` (holding its snapshot), with its
    /// references in path order; throws when a row was indexed by another vmatch version.
    /// `willBuild` is told the number of videos before the index is built from the store (at
    /// 1000 hours that takes minutes: a caller may say so).
    static func load(_ reader: LibraryDatabase, libraryPath: String, willBuild: (Int) -> Void = { _ in }) throws
        -> (index: CandidateIndex, rows: [IndexedVideo], origin: Origin) {
        guard let summary = try reader.contentSummary() else {
            willBuild(try reader.videos().count)
            let (index, rows) = try build(reader, libraryPath: libraryPath)
            return (index, rows, .builtForOldLibrary)
        }
        let rows = summary.map(\.video)
        for v in rows where v.fingerprintVersion != FingerprintFormat.version {
            throw StoreError(path: libraryPath, reason: "'\(v.path)' was indexed by another vmatch version; run `vmatch index` on it again")
        }
        let stamp = try stamp(of: summary)
        let file = path(ofLibrary: libraryPath)
        let entries = rows.map { ReferenceEntry(path: $0.path, duration: $0.duration) }
        let why: String
        do {
            return (try CandidateIndex(mapping: file, stamp: stamp, entries: entries, keys: rows.map(\.id)), rows, .file)
        } catch {
            why = error.reason
        }
        willBuild(rows.count)
        let (index, built) = try build(reader, libraryPath: libraryPath)
        // The rows read while building are those summarised (one snapshot); said rather than assumed.
        guard built.map(\.id) == rows.map(\.id) else { return (index, built, .builtNotSaved(reason: "the library changed while it was read")) }
        do {
            try index.write(to: file, stamp: stamp)
        } catch {
            return (index, built, .builtNotSaved(reason: error.description))
        }
        return (index, built, .built(reason: why))
    }

    /// Makes the file fit the library at `libraryPath` (after `index` changed it): nothing when it
    /// does already, else built and saved. Returns what was done.
    package static func refresh(libraryPath: String, willBuild: (Int) -> Void = { _ in }) throws -> Origin {
        let reader = try LibraryDatabase(readingAt: libraryPath, serialized: true)
        try reader.holdSnapshot()
        return try load(reader, libraryPath: libraryPath, willBuild: willBuild).origin
    }

    /// The index built from every stored video's anchors (one row in memory at a time), in path
    /// order: ties between references are then broken the same way however the rows were
    /// numbered. Returns the rows it was built from.
    private static func build(_ reader: LibraryDatabase, libraryPath: String) throws -> (CandidateIndex, [IndexedVideo]) {
        var builder = CandidateIndex.Builder()
        var rows: [IndexedVideo] = []
        let sizes = try reader.anchorBytes()
        builder.reserve(anchorHashes: (sizes[PictureHashChannel.name] ?? 0) / 32,
                        landmarks: (sizes[SoundLandmarkChannel.name] ?? 0) / AudioLandmark.typicalSketchSize)
        try reader.forEachAnchors { row in
            let v = row.video
            // Channels stored without their anchors tier (rows written before schema 2) have
            // their full tier read instead: the anchors are taken from it.
            guard v.fingerprintVersion == FingerprintFormat.version,
                  var anchors = MediaFingerprint(row, tier: .anchors), let full = MediaFingerprint(row, tier: .full) else {
                throw StoreError(path: libraryPath, reason: "'\(v.path)' was indexed by another vmatch version; run `vmatch index` on it again")
            }
            anchors.append(Anchors.of(full))
            rows.append(v)
            builder.add(ReferenceEntry(path: v.path, duration: v.duration), key: v.id,
                        anchors: anchors.filtered(MediaFingerprint.isPlausible))
        }
        return (builder.build(), rows)
    }
}

extension CandidateIndexFile.Origin {
    /// A line for the user when the file could not be used or saved; nil when all went as it should.
    package var note: String? {
        switch self {
        case .builtNotSaved(let reason): "the library's candidate index was built but not saved (\(reason)); the next run builds it again"
        case .file, .built, .builtForOldLibrary: nil
        }
    }
}
