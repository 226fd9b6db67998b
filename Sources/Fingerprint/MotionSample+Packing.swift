// How the store keeps the motion channel's samples (`MotionChannel`), in two formats.
//
// Format 1 (before issue 33): one 136-byte little-endian record per sample: time and aspect
// (Float32), then the 64 cells row by row (UInt16). Still read: libraries indexed before keep
// their blobs (see `MotionChannel.format`).
//
// Format 2: a sample is written against the one before it. On the dev references (2,260 samples)
// times are frame times, 0.2–0.3 s apart and on no common grid (not a quarter-second: a quarter
// of them fall on one), the aspect never changes within a file, and a cell moves by a few luma
// levels between samples — under a quarter level only a quarter of the time, so a varint per cell
// would still take 2 bytes for most (112 bytes a sample), while each row's differences need about
// the same few bits. So each sample is
//   - a flags byte: bit 0 "absolute" (the time and cells are not relative to a sample before),
//     bit 1 "aspect written"; the other bits are never set, and "absolute" comes with "aspect";
//   - the time: a LEB128 varint of the zigzagged difference of its Float32 bit pattern from the
//     sample before's (with "absolute", of the bit pattern itself): exact in any order;
//   - with "aspect written" (the first sample, or the aspect differs bit for bit from the one
//     before), the aspect (Float32, little-endian);
//   - 4 bytes of widths, a nibble per row (row 0 the low nibble of the first byte): w in 0…14
//     bits, 15 for 16;
//   - each row: its 8 values in w bits each, low bits first, in w bytes. A value is the cell's
//     difference from the same cell of the sample before, wrapped to 16 bits and zigzagged
//     (with "absolute", the cell itself).
// 97 bytes a sample on the dev references (1.39 MB an hour of picture), against 136 (1.96).
//
// The first sample of every `pack` is absolute, so a blob made of pieces packed on their own (the
// index spools a file's fingerprint a piece at a time) reads by concatenation; a blob read a piece
// at a time unpacks each piece after the last sample of the one before (`unpack(_:after:)`).

extension MotionSample {
    /// Bytes of a format-1 record.
    public static let recordSize = 136
    /// About the bytes a sample takes in format 2, to reserve memory from a blob's length.
    public static let typicalPackedSize = 96

    static let absoluteFlag: UInt8 = 1
    static let aspectFlag: UInt8 = 2

    /// Packs samples in format 2.
    public static func pack(_ samples: [MotionSample]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(samples.count * typicalPackedSize)
        var before: MotionSample?
        for s in samples {
            let aspect = before.map { $0.aspect.bitPattern != s.aspect.bitPattern } ?? true
            out.append((before == nil ? absoluteFlag : 0) | (aspect ? aspectFlag : 0))
            var values = s.cells
            if let before {
                appendVarint(zigzag(Int32(bitPattern: s.time.bitPattern &- before.time.bitPattern)), to: &out)
                // Differences wrapped to 16 bits, zigzagged: small either way.
                let d = s.cells &- before.cells
                values = (d &<< 1) ^ (SIMD64<UInt16>(repeating: 0) &- (d &>> 15))
            } else {
                appendVarint(s.time.bitPattern, to: &out)
            }
            if aspect { appendLE(s.aspect.bitPattern, to: &out) }
            var widths = [Int](repeating: 0, count: side)
            for row in 0 ..< side {
                var any: UInt16 = 0
                for c in 0 ..< side { any |= values[row * side + c] }
                let bits = UInt16.bitWidth - any.leadingZeroBitCount
                widths[row] = bits >= 15 ? 16 : bits
            }
            for pair in 0 ..< side / 2 {
                out.append(UInt8(min(widths[2 * pair], 15) | min(widths[2 * pair + 1], 15) << 4))
            }
            for row in 0 ..< side where widths[row] > 0 {
                var acc: UInt32 = 0, held = 0
                for c in 0 ..< side {
                    acc |= UInt32(values[row * side + c]) << held
                    held += widths[row]
                    while held >= 8 {
                        out.append(UInt8(truncatingIfNeeded: acc))
                        acc >>= 8
                        held -= 8
                    }
                }
            }
            before = s
        }
        return out
    }

    /// Inverse of `pack` for the samples of `bytes` that follow `previous`; nil when the bytes are
    /// not whole samples or one needs a sample before and has none.
    public static func unpack(_ bytes: [UInt8], after previous: MotionSample? = nil) -> [MotionSample]? {
        bytes.withUnsafeBufferPointer { b -> [MotionSample]? in
            var out = [MotionSample]()
            out.reserveCapacity(b.count / typicalPackedSize)
            var before = previous
            var at = 0
            while at < b.count {
                guard let length = packedLength(b, at: at) else { return nil }
                let flags = b[at]
                var i = at + 1
                let time = readVarint(b, &i)
                var s = MotionSample(time: 0, cells: SIMD64<UInt16>())
                if flags & absoluteFlag != 0 {
                    s.time = Float(bitPattern: time)
                } else {
                    guard let before else { return nil }
                    s.time = Float(bitPattern: before.time.bitPattern &+ UInt32(bitPattern: unzigzag(time)))
                    s.aspect = before.aspect
                }
                if flags & aspectFlag != 0 {
                    s.aspect = Float(bitPattern: readLE(b, i, as: UInt32.self))
                    i += 4
                }
                let widthsAt = i
                i += side / 2
                var values = SIMD64<UInt16>()
                for row in 0 ..< side {
                    let w = width(b, widthsAt, row)
                    guard w > 0 else { continue }
                    let mask = UInt32(1) << w - 1
                    var acc: UInt32 = 0, held = 0
                    for c in 0 ..< side {
                        while held < w {
                            acc |= UInt32(b[i]) << held
                            i += 1
                            held += 8
                        }
                        values[row * side + c] = UInt16(truncatingIfNeeded: acc & mask)
                        acc >>= w
                        held -= w
                    }
                }
                if flags & absoluteFlag != 0 {
                    s.cells = values
                } else if let before {
                    s.cells = before.cells &+ ((values &>> 1) ^ (SIMD64<UInt16>(repeating: 0) &- (values & 1)))
                }
                out.append(s)
                before = s
                at += length
            }
            return out
        }
    }

    /// How many of `bytes`, from the start, hold whole format-2 samples.
    public static func wholePackedLength(_ bytes: [UInt8]) -> Int { wholeItemsLength(bytes, itemLength: packedLength) }

    /// The length of the whole format-2 sample at `at`; nil when it is cut or not one `pack` writes
    /// (a flag it never sets, "absolute" without the aspect, a time varint past 32 bits).
    private static func packedLength(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        guard at < b.count else { return nil }
        let flags = b[at]
        guard flags & ~(absoluteFlag | aspectFlag) == 0, flags & absoluteFlag == 0 || flags & aspectFlag != 0,
              let time = varintLength(b, at: at + 1, bits: 32) else { return nil }
        let widthsAt = at + 1 + time + (flags & aspectFlag != 0 ? 4 : 0)
        guard widthsAt + side / 2 <= b.count else { return nil }
        var end = widthsAt + side / 2
        for row in 0 ..< side { end += width(b, widthsAt, row) }
        return end <= b.count ? end - at : nil
    }

    /// Bits of each value of `row` (the bytes it takes), from the nibbles at `at`.
    @inline(__always)
    private static func width(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ row: Int) -> Int {
        let nibble = Int(b[at + row / 2] >> (4 * (row % 2)) & 0xF)
        return nibble == 15 ? 16 : nibble
    }

    /// Samples of format-1 records (`recordSize` bytes each); nil when the byte count is not a
    /// whole number of records.
    public static func unpackRecords(_ bytes: [UInt8]) -> [MotionSample]? {
        guard bytes.count % recordSize == 0 else { return nil }
        var out: [MotionSample] = []
        out.reserveCapacity(bytes.count / recordSize)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                var cells = SIMD64<UInt16>()
                for c in 0 ..< cellCount { cells[c] = readLE(b, i + 8 + 2 * c, as: UInt16.self) }
                out.append(MotionSample(time: Float(bitPattern: readLE(b, i, as: UInt32.self)),
                                        aspect: Float(bitPattern: readLE(b, i + 4, as: UInt32.self)), cells: cells))
                i += recordSize
            }
        }
        return out
    }
}

extension MotionSample: FixedSizeRecords {}
