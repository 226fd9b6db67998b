import Fingerprint

/// `blob` (a channel's packed blob of `format`) read as `StoredReferencePieces` reads one: in cuts of
/// 1…`longestCut` bytes, the whole items of what has come so far unpacked after the last item read,
/// the rest kept for the next cut. nil when a whole cut does not unpack or bytes are left over.
public func readInCuts<C: FingerprintChannel>(_: C.Type, _ blob: [UInt8], format: Int, longestCut: Int,
                                              _ g: inout SeededGenerator) -> [C.Item]? {
    var read: [C.Item] = [], pending: [UInt8] = [], offset = 0
    while offset < blob.count {
        let n = min(blob.count - offset, 1 + Int(g.next() % UInt64(longestCut)))
        pending += blob[offset ..< offset + n]
        offset += n
        let whole = C.wholeItemsLength(pending, format: format)
        guard let items = C.unpack(Array(pending[..<whole]), format: format, after: read.last) else { return nil }
        read += items
        pending.removeFirst(whole)
    }
    return pending.isEmpty ? read : nil
}
