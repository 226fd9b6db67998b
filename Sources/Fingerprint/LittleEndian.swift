// Little-endian integers in packed channel blobs (the store's byte order on every machine).

@inline(__always)
func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
    var x = v.littleEndian
    withUnsafeBytes(of: &x) { out.append(contentsOf: $0) }
}

@inline(__always)
func readLE<T: FixedWidthInteger>(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, as _: T.Type) -> T {
    var v: T = 0
    for k in 0..<MemoryLayout<T>.size { v |= T(b[at + k]) << (8 * k) }
    return v
}
