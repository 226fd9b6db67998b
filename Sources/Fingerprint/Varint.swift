// LEB128 varints in packed channel blobs (`AudioLandmark+Packing.swift`, `MotionSample+Packing.swift`,
// `FrameSignature+Packing.swift`): seven bits a byte, low first, the top bit set on every byte but
// the last; and the walk over a packed blob's whole items that all three share.

@inline(__always)
func appendVarint(_ v: UInt32, to out: inout [UInt8]) {
    var v = v
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// A varint its caller has checked: whole, at most 5 bytes, within 32 bits.
@inline(__always)
func readVarint(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt32 {
    var v: UInt32 = 0
    var shift: UInt32 = 0
    while true {
        let byte = b[i]
        i += 1
        v |= UInt32(byte & 0x7F) << shift
        if byte < 0x80 { return v }
        shift += 7
    }
}

/// The length of the varint at `at` when it is whole and holds at most `bits` bits; nil otherwise.
@inline(__always)
func varintLength(_ b: UnsafeBufferPointer<UInt8>, at: Int, bits: Int) -> Int? {
    let most = (bits + 6) / 7
    var i = at
    while true {
        guard i < b.count, i - at < most else { return nil }
        let byte = b[i]
        i += 1
        if byte < 0x80 {
            // The last possible byte holds only the bits left.
            guard i - at < most || Int(byte) < 1 << (bits - 7 * (most - 1)) else { return nil }
            return i - at
        }
    }
}

@inline(__always)
func zigzag(_ v: Int32) -> UInt32 { UInt32(bitPattern: v << 1 ^ v >> 31) }

@inline(__always)
func unzigzag(_ v: UInt32) -> Int32 { Int32(bitPattern: v >> 1) ^ -Int32(bitPattern: v & 1) }

/// How many of `bytes`, from the start, hold whole items of a packed blob, `itemLength` giving the
/// length of the item at an offset (nil: cut, or not an item its `pack` writes).
@inline(__always)
func wholeItemsLength(_ bytes: [UInt8], itemLength: (UnsafeBufferPointer<UInt8>, Int) -> Int?) -> Int {
    bytes.withUnsafeBufferPointer { b in
        var at = 0
        while let length = itemLength(b, at), length > 0, at + length <= b.count { at += length }
        return at
    }
}
