// Exact Hamming radius search over 256-bit hashes by multi-index hashing (Norouzi, Punjani and
// Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012; ThreatExchange
// pdq/cpp/index/mih.h). The hash is cut into m slots of b bits; by pigeonhole a hash within
// distance d of the query has some slot within ⌊d/m⌋ of the query's, so each slot's table is
// probed at that radius and the candidates are checked with a full popcount.
// Two layouts, after the paper's rule that b ≈ log2(n) balances probes against candidates:
//   - 16 slots of 16 bits (small tables, up to ~1M hashes): at d ≤ 31 each slot is probed at
//     radius 1, 17 keys; 64 bytes of ids per hash, 4 MB of bucket offsets.
//   - 12 slots of 21 bits (bits 0…251; the last 4 bits are in no slot, which the pigeonhole
//     argument allows): at d ≤ 31, radius 2, 232 keys, but ~30× fewer ids per key: at 3.6M hashes
//     ~4,000 candidates per query instead of ~15,000. 48 bytes of ids per hash, 100 MB of offsets.
// Each slot is a sorted table (CSR: bucket offsets + ids), no pointers, built once. The scan of
// a look-up's buckets, every slot's at once, is C (CHamming): prefetch well ahead across the
// buckets' ends, and popcnt when the CPU has it.
import CHamming
import Fingerprint

public struct HammingIndex: Sendable {
    public enum Layout: Sendable, Equatable {
        case slots16x16
        case slots12x21

        var slots: Int { self == .slots16x16 ? 16 : 12 }
        var bits: Int { self == .slots16x16 ? 16 : 21 }

        /// The layout for `count` hashes: the wider slots from a million on.
        public static func automatic(count: Int) -> Layout { count >= 1 << 20 ? .slots12x21 : .slots16x16 }
    }

    package let hashes: FlatArray<PDQHash>
    public let layout: Layout
    private let slots: Int
    private let bits: Int
    private let buckets: Int
    let offsets: FlatArray<UInt32>  // slots × (buckets + 1)
    let ids: FlatArray<UInt32>      // slots × count
    /// Most ids in one bucket (written to the candidate index's file and checked when it is mapped).
    let largestBucket: Int
    /// XOR masks of the keys within radius 1 and 2 of a slot value (radius 0: just 0).
    private let masks1: [Int]
    private let masks2: [Int]

    @inline(__always)
    static func slot(_ hash: PDQHash, _ s: Int, bits: Int) -> Int { slot(of: hash.words, s, bits: bits) }

    /// Bits s·bits ..< (s+1)·bits of 256 (`DescriptorIndex` cuts its descriptors the same way).
    @inline(__always)
    static func slot(of words: SIMD4<UInt64>, _ s: Int, bits: Int) -> Int {
        let first = s * bits, word = first >> 6, shift = first & 63
        var value = words[word] >> UInt64(shift)
        if shift + bits > 64 { value |= words[word + 1] << UInt64(64 - shift) }
        return Int(truncatingIfNeeded: value & ((1 << UInt64(bits)) - 1))
    }

    public init(_ hashes: [PDQHash], layout: Layout? = nil) {
        self.init(FlatArray(hashes), layout: layout)
    }

    /// `init(_:layout:)` over hashes held already (a builder hands its own over, so that they are
    /// not held twice while the tables are made).
    init(_ hashes: FlatArray<PDQHash>, layout: Layout? = nil) {
        precondition(hashes.count < Int(UInt32.max), "HammingIndex holds at most 2^32 - 1 hashes")
        let layout = layout ?? .automatic(count: hashes.count)
        let (slots, bits) = (layout.slots, layout.bits)
        let buckets = 1 << bits
        let n = hashes.count
        var ids = FlatArray<UInt32>()
        var largest = 0
        let offsets = FlatArray<UInt32>(zeroed: slots * (buckets + 1)) { off in
            ids = FlatArray<UInt32>(zeroed: slots * n) { ids in
                hashes.withUnsafeBufferPointer { hashes in
                    var keys = [UInt32](repeating: 0, count: n)
                    var cursor = [UInt32](repeating: 0, count: buckets)
                    keys.withUnsafeMutableBufferPointer { keys in
                        cursor.withUnsafeMutableBufferPointer { cursor in
                            for s in 0 ..< slots {
                                let base = s * (buckets + 1)
                                // Counting sort of the ids by this slot's bits.
                                for i in 0 ..< n {
                                    let k = Self.slot(hashes[i], s, bits: bits)
                                    keys[i] = UInt32(truncatingIfNeeded: k)
                                    off[base + k + 1] &+= 1
                                }
                                for b in 0 ..< buckets {
                                    largest = max(largest, Int(off[base + b + 1]))
                                    off[base + b + 1] &+= off[base + b]
                                    cursor[b] = off[base + b]
                                }
                                let slotIDs = ids.baseAddress! + s * n
                                for i in 0 ..< n {
                                    let k = Int(keys[i])
                                    slotIDs[Int(cursor[k])] = UInt32(truncatingIfNeeded: i)
                                    cursor[k] &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        self.init(checked: hashes, layout: layout, offsets: offsets, ids: ids, largestBucket: largest)
    }

    /// An index from its tables as `init(_:layout:)` made them (e.g. mapped from a file); nil
    /// when their sizes do not fit together or a bucket's bounds fall outside its table (checked
    /// on every bucket: a damaged file is refused, not read out of bounds).
    init?(hashes: FlatArray<PDQHash>, layout: Layout, offsets: FlatArray<UInt32>, ids: FlatArray<UInt32>, largestBucket: Int) {
        let n = hashes.count, buckets = 1 << layout.bits
        guard offsets.count == layout.slots * (buckets + 1), ids.count == layout.slots * n, largestBucket >= 0,
              n < Int(UInt32.max) else { return nil }
        var largest = 0
        for s in 0 ..< layout.slots {
            let base = s * (buckets + 1)
            guard offsets[base] == 0, Int(offsets[base + buckets]) == n else { return nil }
            for b in 0 ..< buckets {
                let start = offsets[base + b], end = offsets[base + b + 1]
                guard start <= end else { return nil }
                largest = max(largest, Int(end - start))
            }
        }
        guard largest == largestBucket else { return nil }
        self.init(checked: hashes, layout: layout, offsets: offsets, ids: ids, largestBucket: largestBucket)
    }

    private init(checked hashes: FlatArray<PDQHash>, layout: Layout, offsets: FlatArray<UInt32>, ids: FlatArray<UInt32>, largestBucket: Int) {
        self.hashes = hashes
        self.layout = layout
        slots = layout.slots
        bits = layout.bits
        buckets = 1 << bits
        self.offsets = offsets
        self.ids = ids
        self.largestBucket = largestBucket
        let bits = layout.bits
        masks1 = (0 ..< bits).map { 1 << $0 }
        masks2 = (0 ..< bits).flatMap { i in (i + 1 ..< bits).map { j in 1 << i | 1 << j } }
    }

    /// Whether searches use the CPU's popcnt instruction (chosen at run time).
    public static var usesPopcount: Bool { vm_hamming_uses_popcnt() != 0 }

    public var count: Int { hashes.count }
    /// Bytes held: the hashes and the slot tables.
    public var bytes: Int { 32 * hashes.count + 4 * (offsets.count + ids.count) }

    /// Calls `found(id, distance)` once for every stored hash within `radius` of `query`.
    public func search(_ query: PDQHash, radius: Int, _ found: (Int, Int) -> Void) {
        let n = hashes.count
        guard n > 0 else { return }
        let slotRadius = radius / slots
        guard slotRadius <= 2 else {
            // Past that, multi-index probing costs more than a scan.
            for (i, h) in hashes.enumerated() {
                let d = query.distance(to: h)
                if d <= radius { found(i, d) }
            }
            return
        }
        let (slots, bits, buckets) = (self.slots, self.bits, self.buckets)
        let probes = 1 + (slotRadius >= 1 ? masks1.count : 0) + (slotRadius >= 2 ? masks2.count : 0)
        // Scratch for the look-up, in one allocation on the stack or heap, none per bucket: the
        // query's slot values, then every probed bucket of every slot as a range of positions in
        // `ids` (slot after slot: a position's slot is position / n). The ranges are scanned as
        // one stream (`vm_hamming_scan_ranges`): past a million hashes most buckets hold an id or
        // two, too few to hide the wait for each hash behind the next.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: slots + 2 * slots * probes) { work in
            let querySlots = work.baseAddress!, ranges = querySlots + slots
            for s in 0 ..< slots { querySlots[s] = Self.slot(query, s, bits: bits) }
            var rangeCount = 0, total = 0
            offsets.withUnsafeBufferPointer { offsets in
                for s in 0 ..< slots {
                    let base = s * (buckets + 1)
                    let key = querySlots[s]
                    for p in 0 ..< probes {
                        let bucket = p == 0 ? key : key ^ (p <= masks1.count ? masks1[p - 1] : masks2[p - 1 - masks1.count])
                        let start = Int(offsets[base + bucket]), end = Int(offsets[base + bucket + 1])
                        if start == end { continue }
                        ranges[2 * rangeCount] = s * n + start
                        ranges[2 * rangeCount + 1] = s * n + end
                        rangeCount += 1
                        total += end - start
                    }
                }
            }
            guard total > 0 else { return }
            var q = query.words
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * total) { scratch in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: total) { foundDistances in
                    let flatIDs = scratch.baseAddress!, flatRanges = flatIDs + total, foundIDs = flatIDs + 2 * total, foundRanges = flatIDs + 3 * total
                    hashes.withUnsafeBufferPointer { hashes in
                        ids.withUnsafeBufferPointer { ids in
                            let words = UnsafeRawPointer(hashes.baseAddress!).assumingMemoryBound(to: UInt64.self)
                            withUnsafePointer(to: &q) { qp in
                                let qWords = UnsafeRawPointer(qp).assumingMemoryBound(to: UInt64.self)
                                let matched = vm_hamming_scan_ranges(words, n, ids.baseAddress!, ranges, rangeCount, qWords, Int32(radius),
                                                                     flatIDs, flatRanges, foundIDs, foundRanges, foundDistances.baseAddress!)
                                for k in 0 ..< matched {
                                    let id = Int(foundIDs[k])
                                    let s = ranges[2 * Int(foundRanges[k])] / n
                                    let candidate = hashes[id]
                                    // Report each hash once: from the first slot that reaches it.
                                    var seenEarlier = false
                                    for earlier in 0 ..< s where (querySlots[earlier] ^ Self.slot(candidate, earlier, bits: bits)).nonzeroBitCount <= slotRadius {
                                        seenEarlier = true
                                        break
                                    }
                                    if !seenEarlier { found(id, Int(foundDistances[k])) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
