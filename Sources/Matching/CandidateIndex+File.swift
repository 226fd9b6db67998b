// The candidate index kept in a file beside the library, so that `compare` and `watch` start by
// mapping it instead of reading every reference's anchors from the store and building the index
// again (at 1000 hours of references: minutes of CPU and gigabytes of memory before the first
// clip is checked). The file is the index's own tables, as `CandidateIndex.Builder` makes them,
// each at a 64-byte boundary, read in place (`FlatArray`): opening costs the checks below, a
// look-up pages in only what it touches.
//
// A file holds one part of the index (`CandidateIndex.Part`): its references' keys and stamps
// with their tables.
// Layout (little-endian, this machine's own: the file is a cache of the library, rebuilt from it
// whenever it is missing, stale or does not fit): a 4096-byte header — the magic, the layout
// version, the strides of a hash and a descriptor, the stamp the part was built for (the
// caller's: e.g. a digest of its references' stamps), the scalars, and an (offset, count) per
// table — then the tables. Opening checks everything that could make a look-up read out of bounds
// (sizes, bucket bounds; ids are checked as they are scanned), so a damaged file is refused by
// reason, never read past its end.
import Fingerprint
import Glibc

extension CandidateIndex.Part {
    /// Bump whenever what the index holds, or how, changes (the anchors' rules in `Anchors`, a
    /// table's layout): a file of another version is rebuilt, never read.
    static let fileVersion: UInt64 = 3
    private static let magic = Array("vmatch-candidate".utf8)
    private static let headerBytes = 4096
    /// The tables in the file's order, by the bytes of one element: anchor hashes, their slot
    /// offsets and ids, anchor owners' starts; the sound sketch's bucket starts, entries and
    /// reference bases; keypoint descriptors, their chunk starts and ids, their owners; store
    /// keys; the references' stamps.
    private static let tableStrides = [MemoryLayout<PDQHash>.stride, 4, 4, 4, 4, 4, 4, MemoryLayout<BinaryDescriptor>.stride, 4, 4, 4, 8,
                                       MemoryLayout<SIMD4<UInt64>>.stride]

    package struct FileError: Error, Sendable, CustomStringConvertible {
        package var path: String
        package var reason: String
        package init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        package var description: String { "candidate index '\(path)': \(reason)" }
    }

    /// Writes the part to `path` with the caller's `stamp` (32 bytes), through a new file
    /// renamed over it when whole: a reader sees the old file or the new one, never half of one.
    package func write(to path: String, stamp: [UInt8]) throws(FileError) {
        precondition(stamp.count == 32, "CandidateIndex.Part.write: a stamp is 32 bytes")
        precondition(rowStamps.count == keys.count, "CandidateIndex.Part.write: a reference without its stamp")
        Self.removeAbandonedTemporaries(of: path)
        let temporary = "\(path)\(Self.temporaryMark)\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, reason: "cannot create \(temporary): \(Self.errnoText())") }
        var closed = false
        defer {
            if !closed { close(fd) }
            unlink(temporary)
        }
        let tables: [UnsafeRawBufferPointer] = [
            anchors.hashes.bytes, anchors.offsets.bytes, anchors.ids.bytes, anchorStarts.bytes,
            sounds.starts.bytes, sounds.entries.bytes, sounds.bases.bytes,
            keypoints.descriptors.bytes, keypoints.starts.bytes, keypoints.ids.bytes, keypointOwner.bytes, keys.bytes, rowStamps.bytes,
        ]
        precondition(tables.count == Self.tableStrides.count, "CandidateIndex.Part.write: a table without its stride")
        let counts = zip(tables, Self.tableStrides).map { $0.count / $1 }
        var header = [UInt8](repeating: 0, count: Self.headerBytes)
        var at = 0
        func put(_ value: UInt64) {
            for i in 0 ..< 8 { header[at + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
            at += 8
        }
        header.replaceSubrange(0 ..< 16, with: Self.magic)
        at = 16
        put(Self.fileVersion)
        put(UInt64(MemoryLayout<PDQHash>.stride) << 32 | UInt64(MemoryLayout<BinaryDescriptor>.stride))
        header.replaceSubrange(32 ..< 64, with: stamp)
        at = 64
        put(UInt64(referenceCount))
        put(anchors.layout == .slots12x21 ? 1 : 0)
        put(UInt64(anchors.largestBucket))
        put(UInt64(keypoints.bucketLimit))
        put(keypoints.layout == .chunks12x21 ? 1 : 0)
        var offset = Self.headerBytes
        for (table, count) in zip(tables, counts) {
            put(UInt64(offset))
            put(UInt64(count))
            offset += (table.count + 63) / 64 * 64
        }
        var written = 0
        func writeAll(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(FileError) {
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw FileError(path: path, reason: "cannot write \(temporary): \(Self.errnoText())") }
                done += n
            }
            written = max(written, position + bytes.count)
        }
        let failure: FileError? = header.withUnsafeBytes { bytes in
            do throws(FileError) { try writeAll(bytes, at: 0) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        offset = Self.headerBytes
        for table in tables {
            if table.count > 0 { try writeAll(table, at: offset) }
            offset += (table.count + 63) / 64 * 64
        }
        guard ftruncate(fd, off_t(offset)) == 0, fsync(fd) == 0 else {
            throw FileError(path: path, reason: "cannot write \(temporary): \(Self.errnoText())")
        }
        closed = true
        guard close(fd) == 0 else { throw FileError(path: path, reason: "cannot write \(temporary): \(Self.errnoText())") }
        guard rename(temporary, path) == 0 else { throw FileError(path: path, reason: "cannot rename \(temporary) to it: \(Self.errnoText())") }
    }

    /// The part in the file at `path`, mapped, with the stamp it was written with. Throws, saying
    /// why, when the file is missing, of another version, or does not hold a whole, consistent part.
    package init(mapping path: String) throws(FileError) {
        func fail(_ reason: String) -> FileError { FileError(path: path, reason: reason) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail(errno == ENOENT ? "missing" : "cannot open it: \(Self.errnoText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("cannot read it: \(Self.errnoText())") }
        let size = Int(info.st_size)
        guard size >= Self.headerBytes else { throw fail("cut short (\(size) bytes)") }
        let storage: FlatStorage
        do {
            storage = try FlatStorage(mapping: fd, byteCount: size)
        } catch {
            throw fail(error.reason)
        }
        let header = UnsafeRawBufferPointer(start: storage.base, count: Self.headerBytes)
        var at = 0
        func take() -> UInt64 {
            var value: UInt64 = 0
            for i in 0 ..< 8 { value |= UInt64(header[at + i]) << UInt64(8 * i) }
            at += 8
            return value
        }
        guard Array(header[0 ..< 16]) == Self.magic else { throw fail("not a vmatch candidate index") }
        at = 16
        let version = take()
        guard version == Self.fileVersion else { throw fail("of layout \(version), this vmatch writes \(Self.fileVersion)") }
        guard take() == UInt64(MemoryLayout<PDQHash>.stride) << 32 | UInt64(MemoryLayout<BinaryDescriptor>.stride) else {
            throw fail("written by a build of another memory layout")
        }
        let stamp = Array(header[32 ..< 64])
        at = 64
        let referenceCount = take(), wide = take(), largestBucket = take(), bucketLimit = take(), wideChunks = take()
        guard referenceCount < UInt64(Int32.max), wide <= 1, wideChunks <= 1,
              largestBucket < UInt64(Int32.max), bucketLimit < UInt64(Int32.max) else { throw fail("does not fit the library") }
        var tables: [(offset: Int, count: Int)] = []
        for _ in Self.tableStrides {
            let offset = take(), count = take()
            guard offset <= UInt64(size), count <= UInt64(size) else { throw fail("cut short or damaged") }
            tables.append((Int(offset), Int(count)))
        }
        // The writer ends the file with the last table's padding: any other length is a file cut
        // short (or grown), whichever table it cut into.
        guard zip(tables, Self.tableStrides).map({ ($0.offset + $0.count * $1 + 63) / 64 * 64 }).max() == size else {
            throw fail("cut short or damaged")
        }
        func table<T>(_ i: Int, _: T.Type) throws(FileError) -> FlatArray<T> {
            let (offset, count) = tables[i]
            guard offset >= Self.headerBytes, offset % 64 == 0, count.multipliedReportingOverflow(by: MemoryLayout<T>.stride).partialValue
                    <= size - offset, count <= size / MemoryLayout<T>.stride else { throw fail("cut short or damaged") }
            return FlatArray(storage, byteOffset: offset, count: count)
        }
        let keys = try table(11, Int64.self), rowStamps = try table(12, SIMD4<UInt64>.self)
        guard keys.count == referenceCount, rowStamps.count == referenceCount else { throw fail("damaged (references)") }
        let entries = keys.count
        guard let anchors = HammingIndex(hashes: try table(0, PDQHash.self), layout: wide == 1 ? .slots12x21 : .slots16x16,
                                         offsets: try table(1, UInt32.self), ids: try table(2, UInt32.self),
                                         largestBucket: Int(largestBucket)) else { throw fail("damaged (picture anchors)") }
        let anchorStarts = try table(3, UInt32.self)
        guard anchorStarts.count == entries + 1, anchorStarts[0] == 0, Int(anchorStarts[entries]) == anchors.count,
              zip(anchorStarts.dropFirst(), anchorStarts).allSatisfy({ $0 >= $1 }) else { throw fail("damaged (anchor owners)") }
        guard let sounds = LandmarkSketch(starts: try table(4, UInt32.self), entries: try table(5, UInt32.self), bases: try table(6, UInt32.self)),
              sounds.referenceCount == entries else { throw fail("damaged (sound sketch)") }
        guard let keypoints = DescriptorIndex(descriptors: try table(7, BinaryDescriptor.self), layout: wideChunks == 1 ? .chunks12x21 : .chunks16x16,
                                              starts: try table(8, UInt32.self),
                                              ids: try table(9, UInt32.self), bucketLimit: Int(bucketLimit)) else { throw fail("damaged (keypoint anchors)") }
        let keypointOwner = try table(10, UInt32.self)
        guard keypointOwner.count == keypoints.count else { throw fail("damaged (keypoint owners)") }
        self.init(anchors: anchors, anchorStarts: anchorStarts, sounds: sounds, keypoints: keypoints, keypointOwner: keypointOwner,
                  keys: keys, rowStamps: rowStamps)
        self.stamp = stamp
    }

    /// What follows the file's name in the name of a file being written: then the writer's
    /// process id, a dash and a random number.
    static let temporaryMark = ".tmp-"

    /// Removes the files a writer of `path` left half-written when it was killed (at 1000 hours
    /// one is gigabytes): those whose writer's process is gone. A live writer's is left alone.
    static func removeAbandonedTemporaries(of path: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let prefix = (slash.map { String(path[path.index(after: $0)...]) } ?? path) + temporaryMark
        guard let directory = opendir(folder.isEmpty ? "/" : folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0,
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink((folder.isEmpty ? "" : folder) + "/" + name)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
