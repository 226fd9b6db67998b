// Where the library's candidate index is kept between runs, and when the kept one is used: a file
// beside the library (`<library>.candidates`), written by `index` after every run that changed the
// library and by `compare` or `watch` when they find it missing or stale. Each reference in it
// carries the stamp of the row it was built from, and only references whose row is still the same
// answer: one removed or indexed again since is passed over. A library that grew by a few videos is
// answered from the file and a second, small one of the videos indexed since
// (`<library>.candidates-added`), built from those rows alone, so that adding a video to a large
// library costs what the video costs, not the library; once the videos changed since the file was
// written pass a quarter of it, the index is built whole again and saved. A library that changed
// since is never answered from an old index.
import Fingerprint
import Foundation
import LibraryStore
import Matching

package enum CandidateIndexFile {
    /// The file beside the library at `library`.
    package static func path(ofLibrary library: String) -> String { library + ".candidates" }

    /// The file of the videos indexed since that one was written.
    package static func addedPath(ofLibrary library: String) -> String { library + ".candidates-added" }

    /// What a row's anchors are read from, as one digest: the video's id, path, digest,
    /// fingerprint version, indexing time and duration, and its blobs
    /// (`LibraryDatabase.contentSummary`). `index` replacing the row changes it.
    static func stamp(of row: (video: IndexedVideo, blobs: String)) throws -> SIMD4<UInt64> {
        let digest = try SHA256()
        let v = row.video
        let duration = v.duration.map { String($0.bitPattern) } ?? "-"
        digest.update("\(v.id)\t\(v.path)\t\(v.digest)\t\(v.fingerprintVersion)\t\(v.indexedAt.bitPattern)\t\(duration)\t\(row.blobs)\n".utf8)
        let bytes = digest.finalize()
        return SIMD4((0 ..< 4).map { w in (0 ..< 8).reduce(UInt64(0)) { $0 | UInt64(bytes[8 * w + $1]) << UInt64(8 * $1) } })
    }

    /// A part's file stamp: the digest of its references' stamps, after `base`'s (the stamp of
    /// the file it extends; empty for a file built whole), so that a file of added videos is
    /// used only beside the file it was built for.
    static func stamp(of rows: some Sequence<SIMD4<UInt64>>, after base: [UInt8]) throws -> [UInt8] {
        let digest = try SHA256()
        digest.update(base)
        for s in rows { withUnsafeBytes(of: s) { digest.update($0) } }
        return digest.finalize()
    }

    /// How the index at hand came to be.
    package enum Origin: Sendable, Equatable {
        /// Mapped from the file (and the file of videos added since, when there is one).
        case file
        /// Mapped from the file; the videos indexed since it was written built from the store and
        /// saved beside it (`addedPath`).
        case extended(videos: Int)
        /// Built from the store and saved (the file was missing or stale, for the reason given).
        case built(reason: String)
        /// Built from the store; it could not be saved (the reason given), so the next run builds it too.
        case builtNotSaved(reason: String)
        /// Built from the store of a library too old for the file (schema 2 and before).
        case builtForOldLibrary
    }

    /// The candidate index of the library open in `reader` (holding its snapshot), with its
    /// references in path order; throws when a row was indexed by another vmatch version.
    /// `willBuild` is told the number of videos before an index is built from the store (at
    /// 1000 hours that takes minutes: a caller may say so).
    static func load(_ reader: LibraryDatabase, libraryPath: String, willBuild: (Int) -> Void = { _ in }) throws
        -> (index: CandidateIndex, rows: [IndexedVideo], origin: Origin) {
        guard let summary = try reader.contentSummary() else {
            willBuild(try reader.videos().count)
            let (index, _, rows) = try build(reader, libraryPath: libraryPath)
            return (index, rows, .builtForOldLibrary)
        }
        let rows = summary.map(\.video)
        for v in rows where v.fingerprintVersion != FingerprintFormat.version {
            throw StoreError(path: libraryPath, reason: "'\(v.path)' was indexed by another vmatch version; run `vmatch index` on it again")
        }
        let stamps = try summary.map(stamp(of:))
        let entries = rows.map { ReferenceEntry(path: $0.path, duration: $0.duration) }
        let keys = rows.map(\.id)
        let file = path(ofLibrary: libraryPath), addedFile = addedPath(ofLibrary: libraryPath)
        let why: String
        do {
            return try extend(try CandidateIndex.Part(mapping: file), reader, libraryPath: libraryPath, rows: rows,
                              entries: entries, keys: keys, stamps: stamps, willBuild: willBuild)
        } catch let error as CandidateIndex.Part.FileError {
            why = error.reason
        }
        willBuild(rows.count)
        let (index, part, builtRows) = try build(reader, libraryPath: libraryPath, stamps: stamps)
        // The rows read while building are those summarised (one snapshot); said rather than assumed.
        guard builtRows.map(\.id) == keys else { return (index, builtRows, .builtNotSaved(reason: "the library changed while it was read")) }
        let partStamp = try stamp(of: part.rowStamps, after: [])
        do {
            try part.write(to: file, stamp: partStamp)
        } catch {
            return (index, builtRows, .builtNotSaved(reason: error.description))
        }
        unlink(addedFile)
        return (index, builtRows, .built(reason: why))
    }

    /// The index of the file's part `base` and a part of the rows not in it (mapped from its file
    /// when that holds just them, else built and saved). Throws a `FileError` saying why when the
    /// base no longer fits: damaged, or more than a quarter of it changed.
    private static func extend(_ base: CandidateIndex.Part, _ reader: LibraryDatabase, libraryPath: String, rows: [IndexedVideo],
                               entries: [ReferenceEntry], keys: [Int64], stamps: [SIMD4<UInt64>], willBuild: (Int) -> Void) throws
        -> (index: CandidateIndex, rows: [IndexedVideo], origin: Origin) {
        let file = path(ofLibrary: libraryPath), addedFile = addedPath(ofLibrary: libraryPath)
        guard base.stamp == (try stamp(of: base.rowStamps, after: [])) else {
            throw CandidateIndex.Part.FileError(path: file, reason: "damaged (references)")
        }
        guard base.keypointLayoutIsCurrent else {
            throw CandidateIndex.Part.FileError(path: file, reason: "stale (keypoint anchors cut in chunks of another width than this vmatch chooses for their number)")
        }
        let current = Dictionary(zip(keys, stamps), uniquingKeysWith: { first, _ in first })
        let standing = (0 ..< base.referenceCount).filter { current[base.keys[$0]] == base.rowStamps[$0] }
        let held = Set(standing.map { base.keys[$0] })
        let rest = keys.indices.filter { !held.contains(keys[$0]) }
        let gone = base.referenceCount - standing.count
        guard (rest.count + gone) * 4 <= base.referenceCount else {
            throw CandidateIndex.Part.FileError(path: file, reason: "stale (\(gone) of its \(base.referenceCount) videos removed or indexed again, "
                                                + "\(rest.count) added since it was written)")
        }
        func index(_ parts: [CandidateIndex.Part]) -> CandidateIndex {
            CandidateIndex(entries: entries, keys: keys, parts: parts) { p, r in p > 0 || current[base.keys[r]] == base.rowStamps[r] }
        }
        guard !rest.isEmpty else { return (index([base]), rows, .file) }
        let restStamps = rest.map { stamps[$0] }
        if let added = try? CandidateIndex.Part(mapping: addedFile), Array(added.keys) == rest.map({ keys[$0] }),
           Array(added.rowStamps) == restStamps, added.stamp == (try stamp(of: restStamps, after: base.stamp)) {
            return (index([base, added]), rows, .file)
        }
        willBuild(rest.count)
        var builder = CandidateIndex.Builder()
        for i in rest {
            guard let row = try reader.anchors(id: keys[i]) else {
                let (whole, _, builtRows) = try build(reader, libraryPath: libraryPath)
                return (whole, builtRows, .builtNotSaved(reason: "the library changed while it was read"))
            }
            try add(row, stamp: stamps[i], to: &builder, libraryPath: libraryPath)
        }
        let added = builder.build(alongside: base)
        let extended = index([base, added])
        let addedStamp = try stamp(of: restStamps, after: base.stamp)
        do {
            try added.write(to: addedFile, stamp: addedStamp)
        } catch {
            return (extended, rows, .builtNotSaved(reason: error.description))
        }
        return (extended, rows, .extended(videos: rest.count))
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
    /// numbered. Returns the rows it was built from. `stamps`: the rows' stamps, in that order.
    private static func build(_ reader: LibraryDatabase, libraryPath: String, stamps: [SIMD4<UInt64>] = []) throws
        -> (index: CandidateIndex, part: CandidateIndex.Part, rows: [IndexedVideo]) {
        var builder = CandidateIndex.Builder()
        var rows: [IndexedVideo] = []
        let sizes = try reader.anchorBytes()
        builder.reserve(anchorHashes: (sizes[PictureHashChannel.name] ?? 0) / 32,
                        landmarks: (sizes[SoundLandmarkChannel.name] ?? 0) / AudioLandmark.typicalSketchSize)
        try reader.forEachAnchors { row in
            let stamp = rows.count < stamps.count ? stamps[rows.count] : .zero
            rows.append(row.video)
            try add(row, stamp: stamp, to: &builder, libraryPath: libraryPath)
        }
        let (index, part) = builder.buildWhole()
        return (index, part, rows)
    }

    /// Adds one stored row's anchors to `builder`.
    private static func add(_ row: StoredVideo, stamp: SIMD4<UInt64>, to builder: inout CandidateIndex.Builder, libraryPath: String) throws {
        let v = row.video
        // Channels stored without their anchors tier (rows written before schema 2) have
        // their full tier read instead: the anchors are taken from it.
        guard v.fingerprintVersion == FingerprintFormat.version,
              var anchors = MediaFingerprint(row, tier: .anchors), let full = MediaFingerprint(row, tier: .full) else {
            throw StoreError(path: libraryPath, reason: "'\(v.path)' was indexed by another vmatch version; run `vmatch index` on it again")
        }
        anchors.append(Anchors.of(full))
        builder.add(ReferenceEntry(path: v.path, duration: v.duration), key: v.id, stamp: stamp,
                    anchors: anchors.filtered(MediaFingerprint.isPlausible))
    }
}

extension CandidateIndexFile.Origin {
    /// A line for the user when the file could not be used or saved; nil when all went as it should.
    package var note: String? {
        switch self {
        case .builtNotSaved(let reason): "the library's candidate index was built but not saved (\(reason)); the next run builds it again"
        case .file, .extended, .built, .builtForOldLibrary: nil
        }
    }
}
