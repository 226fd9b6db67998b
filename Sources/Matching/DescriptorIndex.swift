// Near neighbours of 256-bit binary descriptors (ORB) by multi-index hashing (Norouzi, Punjani &
// Fleet, "Fast search in Hamming space with multi-index hashing", CVPR 2012): the descriptor is
// cut into chunks (16 of 16 bits; 12 of 21 bits from 4 million descriptors on, or from about
// 370,000 for the candidate index's anchors: `Layout`), one table per chunk; a look-up reads the
// buckets of the query's own chunk values. By pigeonhole
// that finds every descriptor within distance 15 (11), and most within the distances ORB matches of one scene point have (a descriptor 40 bits
// off keeps some 16-bit chunk whole two times in three). Tables are counting-sorted id arrays with bucket starts:
// no hashing, no per-bucket allocation. ORB's bits are far from uniform (flat texture gives
// many near-identical descriptors), so a few buckets hold thousands; a bucket beyond
// `bucketLimit` is passed over: what it holds is common, not distinctive. A look-up's buckets
// are scanned together by CHamming's `vm_hamming_scan_ranges`, as `HammingIndex`'s are: the scan
// waits on memory once the descriptors outgrow the caches (a 1000-hour library holds 29
// million), and the C loop prefetches the descriptors the buckets' ids point at, well ahead and
// across the buckets' ends, and counts bits with popcnt where the CPU has it.
import CHamming
import Fingerprint
import Foundation

package struct DescriptorIndex: Sendable {
    /// How the descriptor is cut: by the paper's rule that b ≈ log2(n) bits a chunk balances the
    /// buckets read against the ids in them, as in `HammingIndex`.
    ///   - 16 chunks of 16 bits: a look-up reads 16 buckets of n / 65536 ids.
    ///   - 12 chunks of 21 bits (bits 0…251): 12 buckets of n / 2 million ids; at 29 million
    ///     descriptors (1000 hours of reference) a look-up reads ~170 ids instead of ~7,000. Fewer
    ///     distant neighbours keep a whole chunk: some chunk of a descriptor 20 bits off is whole
    ///     94 times in 100 (16 × 16: 99.9), 30 bits off 59 (93). Forced on the large corpus
    ///     profile's library it changed no reference and no modality found. (Reading the buckets
    ///     one bit off as well keeps more of them, but 264 scattered buckets a look-up cost more
    ///     than the 7,000 ids read in place: 5.0 s against 4.1 s for one query at 1000 hours.)
    package enum Layout: Sendable, Equatable {
        case chunks16x16
        case chunks12x21

        var chunks: Int { self == .chunks16x16 ? 16 : 12 }
        var bits: Int { self == .chunks16x16 ? 16 : 21 }
        var buckets: Int { 1 << bits }

        /// The layout for `count` descriptors: the wider chunks from 4 million on (below that the
        /// larger tables of bucket starts, 100 MB, cost more than the ids they save). The full
        /// match of a candidate's keypoints (`KeypointHits`) reads it: its neighbours 30 bits off
        /// keep a whole chunk less often with the wider chunks.
        package static func automatic(count: Int) -> Layout { count >= 1 << 22 ? .chunks12x21 : .chunks16x16 }

        /// The layout of the candidate index's keypoint anchors (`CandidateIndex`): the one whose
        /// chunk width is nearer log2(count), the wider chunks from 2^18.5 (about 370,000
        /// anchors, some 13 hours of reference) on. Until 2026-12-08 they took `automatic`'s
        /// 4 million (~140 hours); measured at 100 hours (2.9 million anchors,
        /// `scripts/bench/library-scale`), the 16 × 16 look-up read ~700 anchors a suspect
        /// keypoint and was 29 % of all of `compare`'s CPU: the 46 dev queries took 41.2 s of CPU
        /// with 16 × 16 and 32.3 s with 12 × 21 (medians of three alternated rounds; 28.9 s against
        /// the corpus library alone), the same answers for 46 of 46, ~50 MB more resident from
        /// the mapped tables (Benchmarks/Results/2026-12-08-library-scale-100h.txt). A frame votes
        /// for a reference with 10 of its keypoints near the reference's anchors, from 2 frames
        /// on: the vote needs some of a copy's keypoints, not each.
        package static func forAnchors(count: Int) -> Layout { log2(Double(max(count, 1))) >= 18.5 ? .chunks12x21 : .chunks16x16 }
    }

    package let layout: Layout
    package let descriptors: FlatArray<BinaryDescriptor>
    /// Per chunk, its bucket starts (one more than its buckets) into its part of `ids`, chunk after chunk.
    let starts: FlatArray<UInt32>
    /// Per chunk, the descriptors' ids by bucket, chunk after chunk.
    let ids: FlatArray<UInt32>

    /// Largest bucket read: 32 times a bucket's mean share of the keypoints described.
    let bucketLimit: Int

    package var count: Int { descriptors.count }
    /// Bytes held: the descriptors, and per chunk its id table and bucket starts.
    package var bytes: Int { MemoryLayout<BinaryDescriptor>.stride * descriptors.count + 4 * (starts.count + ids.count) }

    /// `occurrences`: how many keypoints the descriptors describe, when one stands for several
    /// (a keypoint carried over from frame to frame is stored once: `ReferenceKeypoints`), so
    /// that what counts as common is the same however the library is stored; by default one each.
    package init(_ descriptors: [BinaryDescriptor], occurrences: Int? = nil, layout: Layout? = nil) {
        self.init(FlatArray(descriptors), occurrences: occurrences, layout: layout)
    }

    /// `init(_:occurrences:layout:)` over descriptors held already (a builder hands its own over,
    /// so that they are not held twice while the tables are made).
    package init(_ descriptors: FlatArray<BinaryDescriptor>, occurrences: Int? = nil, layout: Layout? = nil) {
        let layout = layout ?? .automatic(count: descriptors.count)
        let limit = Self.bucketLimit(occurrences ?? descriptors.count, layout)
        guard !descriptors.isEmpty else {
            self.init(checked: descriptors, layout: layout, starts: FlatArray(), ids: FlatArray(), bucketLimit: limit)
            return
        }
        let n = descriptors.count, width = layout.buckets + 1
        var ids = FlatArray<UInt32>()
        let starts = FlatArray<UInt32>(zeroed: layout.chunks * width) { starts in
            ids = FlatArray<UInt32>(zeroed: layout.chunks * n) { ids in
                var fill = [UInt32](repeating: 0, count: width)
                for c in 0 ..< layout.chunks {
                    let counts = UnsafeMutableBufferPointer(rebasing: starts[c * width ..< (c + 1) * width])
                    for d in descriptors.buffer { counts[Self.chunk(d, c, layout) + 1] += 1 }
                    for v in 1 ... layout.buckets { counts[v] += counts[v - 1] }
                    for v in 0 ..< width { fill[v] = counts[v] }
                    let table = UnsafeMutableBufferPointer(rebasing: ids[c * n ..< (c + 1) * n])
                    for (i, d) in descriptors.buffer.enumerated() {
                        let v = Self.chunk(d, c, layout)
                        table[Int(fill[v])] = UInt32(i)
                        fill[v] += 1
                    }
                }
            }
        }
        self.init(checked: descriptors, layout: layout, starts: starts, ids: ids, bucketLimit: limit)
    }

    /// 32 times a bucket's mean share of `keypoints`, at least 64.
    static func bucketLimit(_ keypoints: Int, _ layout: Layout) -> Int { max(64, 32 * keypoints / layout.buckets) }

    /// An index from its tables as `init(_:occurrences:)` made them (e.g. mapped from a file);
    /// nil when their sizes do not fit together or a bucket's bounds fall outside its table
    /// (every bucket start is checked: a damaged file is refused, not read out of bounds).
    init?(descriptors: FlatArray<BinaryDescriptor>, layout: Layout, starts: FlatArray<UInt32>, ids: FlatArray<UInt32>, bucketLimit: Int) {
        let n = descriptors.count, width = layout.buckets + 1
        guard bucketLimit >= 0, n < Int(UInt32.max) else { return nil }
        if n == 0 {
            guard starts.count == 0, ids.count == 0 else { return nil }
        } else {
            guard starts.count == layout.chunks * width, ids.count == layout.chunks * n else { return nil }
            for c in 0 ..< layout.chunks {
                guard starts[c * width] == 0, Int(starts[c * width + layout.buckets]) == n else { return nil }
                for v in 0 ..< layout.buckets where starts[c * width + v] > starts[c * width + v + 1] { return nil }
            }
        }
        self.init(checked: descriptors, layout: layout, starts: starts, ids: ids, bucketLimit: bucketLimit)
    }

    private init(checked descriptors: FlatArray<BinaryDescriptor>, layout: Layout, starts: FlatArray<UInt32>, ids: FlatArray<UInt32>,
                 bucketLimit: Int) {
        self.layout = layout
        self.descriptors = descriptors
        self.starts = starts
        self.ids = ids
        self.bucketLimit = bucketLimit
    }

    /// Chunk `c` of `d`: its bits c·b ..< (c+1)·b for b bits a chunk.
    @inline(__always)
    static func chunk(_ d: BinaryDescriptor, _ c: Int, _ layout: Layout) -> Int {
        HammingIndex.slot(of: d.words, c, bits: layout.bits)
    }

    /// What a search needs besides the index, made once per searching thread (`scratch()`): per
    /// descriptor the search that last reported it (each is reported once per search, whichever
    /// chunks it shares; counted in 16 bits, 2 bytes a descriptor, and cleared when the count
    /// wraps), and room for one look-up's scan: its buckets, at most `bucketLimit` ids each.
    package struct Scratch {
        var reported: [UInt16]
        var search: UInt16 = 0
        var ranges: [Int]
        var flatIDs: [UInt32], flatRanges: [UInt32]
        var ids: [UInt32], fromRanges: [UInt32]
        var distances: [UInt8]
    }

    package func scratch() -> Scratch {
        let room = layout.chunks * bucketLimit
        return Scratch(reported: [UInt16](repeating: 0, count: descriptors.count), ranges: [Int](repeating: 0, count: 2 * layout.chunks),
                       flatIDs: [UInt32](repeating: 0, count: room), flatRanges: [UInt32](repeating: 0, count: room),
                       ids: [UInt32](repeating: 0, count: room), fromRanges: [UInt32](repeating: 0, count: room),
                       distances: [UInt8](repeating: 0, count: room))
    }

    /// Calls `body(id, distance)` for each stored descriptor that shares a chunk with `query`
    /// and lies within `maximumDistance` (below 256), once per id, in the order the chunks'
    /// buckets hold them. The buckets are scanned as one stream (`vm_hamming_scan_ranges`): at a
    /// 1000-hour library a look-up's 12 buckets hold ~14 ids each, too few to hide the wait for
    /// each descriptor behind the next ones within a bucket.
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
        let n = descriptors.count
        var rangeCount = 0
        for c in 0 ..< layout.chunks {
            let range = bucket(Self.chunk(query, c, layout), chunk: c)
            guard !range.isEmpty else { continue }
            s.ranges[2 * rangeCount] = c * n + range.lowerBound
            s.ranges[2 * rangeCount + 1] = c * n + range.upperBound
            rangeCount += 1
        }
        guard rangeCount > 0 else { return }
        // The scratch's buffers are taken once for the whole search, not per id: a write
        // through an array in an inout struct checks its uniqueness every time.
        descriptors.withUnsafeBufferPointer { stored in
            let words = UnsafeRawPointer(stored.baseAddress!).assumingMemoryBound(to: UInt64.self)
            withUnsafePointer(to: &q) { qp in
                let queryWords = UnsafeRawPointer(qp).assumingMemoryBound(to: UInt64.self)
                s.reported.withUnsafeMutableBufferPointer { reported in
                    s.ranges.withUnsafeBufferPointer { ranges in
                        s.flatIDs.withUnsafeMutableBufferPointer { flatIDs in
                            s.flatRanges.withUnsafeMutableBufferPointer { flatRanges in
                                s.ids.withUnsafeMutableBufferPointer { outIDs in
                                    s.fromRanges.withUnsafeMutableBufferPointer { outRanges in
                                        s.distances.withUnsafeMutableBufferPointer { outDistances in
                                            let matched = vm_hamming_scan_ranges(
                                                words, n, ids.base!, ranges.baseAddress!, rangeCount, queryWords, Int32(maximumDistance), flatIDs.baseAddress!, flatRanges.baseAddress!,
                                                outIDs.baseAddress!, outRanges.baseAddress!, outDistances.baseAddress!)
                                            for j in 0 ..< matched {
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
            }
        }
    }

    /// The positions in chunk `c`'s table of the ids whose chunk value is `value`; empty for a
    /// bucket beyond `bucketLimit`.
    @inline(__always)
    private func bucket(_ value: Int, chunk c: Int) -> Range<Int> {
        let at = c * (layout.buckets + 1) + value
        let range = Int(starts[at]) ..< Int(starts[at + 1])
        return range.count > bucketLimit ? 0 ..< 0 : range
    }
}
