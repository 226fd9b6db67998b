// Near neighbours of 256-bit binary descriptors (ORB) by multi-index hashing (Norouzi, Punjani &
// Fleet, "Fast search in Hamming space with multi-index hashing", CVPR 2012): the descriptor is
// cut into 16 chunks of 16 bits, one table per chunk; a look-up reads the 16 buckets of the
// query's own chunk values. By pigeonhole that finds every descriptor within distance 15, and
// most within the distances ORB matches of one scene point have (a descriptor 40 bits off keeps
// some chunk whole two times in three). Tables are counting-sorted id arrays with bucket starts:
// no hashing, no per-bucket allocation. ORB's bits are far from uniform (flat texture gives
// many near-identical descriptors), so a few buckets hold thousands; a bucket beyond
// `bucketLimit` is passed over: what it holds is common, not distinctive. A bucket is scanned
// by CHamming's `vm_hamming_scan`, as `HammingIndex`'s are: the scan waits on memory once the
// descriptors outgrow the caches (a 1000-hour library holds 29 million), and the C loop
// prefetches the descriptors a bucket's ids point at and counts bits with popcnt where the CPU
// has it.
import CHamming
import Fingerprint

package struct DescriptorIndex: Sendable {
    static let chunks = 16
    package let descriptors: [BinaryDescriptor]
    /// Per chunk, 65537 bucket starts into `ids`.
    private let starts: [[UInt32]]
    private let ids: [[UInt32]]

    /// Largest bucket read: 32 times a bucket's mean share of the keypoints described.
    private let bucketLimit: Int

    package var count: Int { descriptors.count }
    /// Bytes held: the descriptors, and per chunk its id table and bucket starts.
    package var bytes: Int {
        MemoryLayout<BinaryDescriptor>.stride * descriptors.count + 4 * (starts.reduce(0) { $0 + $1.count } + ids.reduce(0) { $0 + $1.count })
    }

    /// `occurrences`: how many keypoints the descriptors describe, when one stands for several
    /// (a keypoint carried over from frame to frame is stored once: `ReferenceKeypoints`), so
    /// that what counts as common is the same however the library is stored; by default one each.
    package init(_ descriptors: [BinaryDescriptor], occurrences: Int? = nil) {
        self.descriptors = descriptors
        bucketLimit = max(64, 32 * (occurrences ?? descriptors.count) / 65536)
        guard !descriptors.isEmpty else {
            starts = []
            ids = []
            return
        }
        var starts: [[UInt32]] = [], ids: [[UInt32]] = []
        for c in 0 ..< Self.chunks {
            var counts = [UInt32](repeating: 0, count: 65537)
            for d in descriptors { counts[Int(Self.chunk(d, c)) + 1] += 1 }
            for v in 1 ... 65536 { counts[v] += counts[v - 1] }
            var fill = counts
            var table = [UInt32](repeating: 0, count: descriptors.count)
            for (i, d) in descriptors.enumerated() {
                let v = Int(Self.chunk(d, c))
                table[Int(fill[v])] = UInt32(i)
                fill[v] += 1
            }
            starts.append(counts)
            ids.append(table)
        }
        self.starts = starts
        self.ids = ids
    }

    @inline(__always)
    static func chunk(_ d: BinaryDescriptor, _ c: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: d.words[c >> 2] >> UInt64((c & 3) * 16))
    }

    /// What a search needs besides the index, made once per searching thread (`scratch()`): per
    /// descriptor the search that last reported it (each is reported once per search, whichever
    /// chunks it shares; counted in 16 bits, 2 bytes a descriptor, and cleared when the count
    /// wraps), and room for one bucket's scan.
    package struct Scratch {
        var reported: [UInt16]
        var search: UInt16 = 0
        var ids: [UInt32]
        var distances: [UInt8]
    }

    package func scratch() -> Scratch {
        Scratch(reported: [UInt16](repeating: 0, count: descriptors.count),
                ids: [UInt32](repeating: 0, count: bucketLimit), distances: [UInt8](repeating: 0, count: bucketLimit))
    }

    /// Calls `body(id, distance)` for each stored descriptor that shares a chunk with `query`
    /// and lies within `maximumDistance` (below 256), once per id, in the order the chunks'
    /// buckets hold them.
    package func search(_ query: BinaryDescriptor, maximumDistance: Int, scratch s: inout Scratch, _ body: (Int, Int) -> Void) {
        guard !descriptors.isEmpty else { return }
        precondition(maximumDistance < 256 && s.reported.count == descriptors.count, "DescriptorIndex.search: scratch of another index, or distance past a byte")
        if s.search == .max {
            s.reported = [UInt16](repeating: 0, count: descriptors.count)
            s.search = 0
        }
        s.search += 1
        let search = s.search
        var q = query.words
        // The scratch's buffers are taken once for the whole search, not per chunk or per id: a
        // write through an array in an inout struct checks its uniqueness every time.
        descriptors.withUnsafeBufferPointer { stored in
            let words = UnsafeRawPointer(stored.baseAddress!).assumingMemoryBound(to: UInt64.self)
            withUnsafePointer(to: &q) { qp in
                let queryWords = UnsafeRawPointer(qp).assumingMemoryBound(to: UInt64.self)
                s.reported.withUnsafeMutableBufferPointer { reported in
                    s.ids.withUnsafeMutableBufferPointer { outIDs in
                        s.distances.withUnsafeMutableBufferPointer { outDistances in
                            for c in 0 ..< Self.chunks {
                                let range = bucket(of: query, chunk: c)
                                guard !range.isEmpty else { continue }
                                let found = ids[c].withUnsafeBufferPointer { table in
                                    vm_hamming_scan(words, table.baseAddress!, range.lowerBound, range.upperBound, queryWords,
                                                    Int32(maximumDistance), outIDs.baseAddress!, outDistances.baseAddress!)
                                }
                                for j in 0 ..< found {
                                    let id = Int(outIDs[j])
                                    guard reported[id] != search else { continue }
                                    reported[id] = search
                                    body(id, Int(outDistances[j]))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The positions in chunk `c`'s table of the ids that share `query`'s chunk value; empty
    /// for a bucket beyond `bucketLimit`.
    @inline(__always)
    private func bucket(of query: BinaryDescriptor, chunk c: Int) -> Range<Int> {
        let v = Int(Self.chunk(query, c))
        let range = Int(starts[c][v]) ..< Int(starts[c][v + 1])
        return range.count > bucketLimit ? 0 ..< 0 : range
    }
}
