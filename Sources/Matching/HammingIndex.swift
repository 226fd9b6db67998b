// Exact Hamming radius search over 256-bit hashes by multi-index hashing (Norouzi, Punjani and
// Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012; ThreatExchange
// pdq/cpp/index/mih.h). The 256 bits are cut into 16 slots of 16 bits; by pigeonhole a hash
// within distance d of the query has some slot within ⌊d/16⌋ of the query's, so at d ≤ 31 each
// slot is probed at radius 1 (17 keys) and the candidates are checked with a full popcount.
// Each slot is a sorted table (CSR: bucket offsets + ids): 4 bytes per hash per slot, no
// pointers, built once. Trade-off: 64 bytes per hash of index beside its 32 bytes; a linear scan
// needs nothing but reads every hash for every query.

import CHamming

/// A 256-bit hash as four words, bit i of the hash in word i / 64.
public typealias Hash256 = SIMD4<UInt64>

@inline(__always)
public func hammingDistance(_ a: Hash256, _ b: Hash256) -> Int {
    let x = a ^ b
    return x[0].nonzeroBitCount + x[1].nonzeroBitCount + x[2].nonzeroBitCount + x[3].nonzeroBitCount
}

public struct HammingIndex: Sendable {
    static let slots = 16
    static let buckets = 1 << 16

    public let hashes: [Hash256]
    private let offsets: [UInt32]  // slots × (buckets + 1)
    private let ids: [UInt32]      // slots × count
    /// Most ids in one bucket: the scan's output never exceeds it.
    private let largestBucket: Int

    @inline(__always)
    static func slot(_ hash: Hash256, _ s: Int) -> Int {
        Int(truncatingIfNeeded: (hash[s >> 2] >> UInt64((s & 3) << 4)) & 0xFFFF)
    }

    public init(_ hashes: [Hash256]) {
        precondition(hashes.count < Int(UInt32.max), "HammingIndex holds at most 2^32 - 1 hashes")
        self.hashes = hashes
        let n = hashes.count
        var offsets = [UInt32](repeating: 0, count: Self.slots * (Self.buckets + 1))
        var ids = [UInt32](repeating: 0, count: Self.slots * n)
        offsets.withUnsafeMutableBufferPointer { off in
            ids.withUnsafeMutableBufferPointer { ids in
                for s in 0 ..< Self.slots {
                    let base = s * (Self.buckets + 1)
                    // Counting sort of the ids by this slot's 16 bits.
                    for h in hashes { off[base + Self.slot(h, s) + 1] += 1 }
                    for b in 0 ..< Self.buckets { off[base + b + 1] += off[base + b] }
                    var cursor = Array(off[base ..< base + Self.buckets])
                    for (i, h) in hashes.enumerated() {
                        let k = Self.slot(h, s)
                        ids[s * n + Int(cursor[k])] = UInt32(i)
                        cursor[k] += 1
                    }
                }
            }
        }
        var largest = 0
        for s in 0 ..< Self.slots {
            let base = s * (Self.buckets + 1)
            for b in 0 ..< Self.buckets { largest = max(largest, Int(offsets[base + b + 1] - offsets[base + b])) }
        }
        self.offsets = offsets
        self.ids = ids
        self.largestBucket = largest
    }

    /// Whether searches use the CPU's popcnt instruction (chosen at run time).
    public static var usesPopcount: Bool { vm_hamming_uses_popcnt() != 0 }

    public var count: Int { hashes.count }
    /// Bytes held: the hashes and the slot tables.
    public var bytes: Int { 32 * hashes.count + 4 * (offsets.count + ids.count) }

    /// Calls `found(id, distance)` once for every stored hash within `radius` of `query`.
    public func search(_ query: Hash256, radius: Int, _ found: (Int, Int) -> Void) {
        let n = hashes.count
        guard n > 0 else { return }
        let slotRadius = radius / Self.slots
        guard slotRadius <= 1 else {
            // Past radius 31 multi-index probing costs more than a scan.
            for (i, h) in hashes.enumerated() {
                let d = hammingDistance(query, h)
                if d <= radius { found(i, d) }
            }
            return
        }
        // The query's 16 slot values, kept in a SIMD value: no allocation per query.
        var querySlots = SIMD16<Int32>()
        for s in 0 ..< Self.slots { querySlots[s] = Int32(Self.slot(query, s)) }
        var q = query
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(largestBucket, 1)) { foundIDs in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(largestBucket, 1)) { foundDistances in
                hashes.withUnsafeBufferPointer { hashes in
                    offsets.withUnsafeBufferPointer { offsets in
                        ids.withUnsafeBufferPointer { ids in
                            let words = UnsafeRawPointer(hashes.baseAddress!).assumingMemoryBound(to: UInt64.self)
                            withUnsafePointer(to: &q) { qp in
                                let qWords = UnsafeRawPointer(qp).assumingMemoryBound(to: UInt64.self)
                                for s in 0 ..< Self.slots {
                                    let base = s * (Self.buckets + 1)
                                    let key = Int(querySlots[s])
                                    let probes = slotRadius == 0 ? 1 : 17
                                    for p in 0 ..< probes {
                                        let bucket = p == 0 ? key : key ^ (1 << (p - 1))
                                        let start = Int(offsets[base + bucket]), end = Int(offsets[base + bucket + 1])
                                        if start == end { continue }
                                        let matched = vm_hamming_scan(words, ids.baseAddress! + s * n, start, end, qWords, Int32(radius),
                                                                    foundIDs.baseAddress!, foundDistances.baseAddress!)
                                        for k in 0 ..< matched {
                                            let id = Int(foundIDs[k])
                                            let candidate = hashes[id]
                                            // Report each hash once: from the first slot that reaches it.
                                            var seenEarlier = false
                                            for earlier in 0 ..< s where (Int(querySlots[earlier]) ^ Self.slot(candidate, earlier)).nonzeroBitCount <= slotRadius {
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
    }
}
