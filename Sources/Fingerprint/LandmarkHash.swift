// The layout of a landmark hash, shared by the side that makes it (`AudioFingerprint`'s
// `LandmarkHasher`, which quantizes a peak triplet into these fields) and the side that looks it
// up (`Matching`: the landmark table's buckets, and the edge-neighbour probes of a query).
//
// 21 bits, LSB first: d23 [0,7) | d12 [7,14) | r [14,18) | band [18,21)
// d12, d23: pitch intervals between the peaks in 0.75-semitone cells, offset by 64 into 7 bits;
// r: the ratio of the triplet's two time gaps, 16 levels; band: octave of the anchor above
// 297 Hz (0…3), with 3 bits reserved. A field value that lay near a cell edge is marked in the
// landmark's `probes` byte (2 bits per field, in this order: 0 none, 1 also the cell below,
// 2 the cell above); only queries use the marks.

public enum LandmarkHash {
    public static let bits = 21
    public static let mask = UInt32((1 << bits) - 1)

    @inline(__always)
    public static func compose(d23: Int, d12: Int, ratio: Int, band: Int) -> UInt32 {
        UInt32(d23) | UInt32(d12) << 7 | UInt32(ratio) << 14 | UInt32(band) << 18
    }

    /// Fields of a hash, in `compose` order.
    @inline(__always)
    public static func fields(_ h: UInt32) -> (d23: Int, d12: Int, ratio: Int, band: Int) {
        (Int(h & 0x7F), Int(h >> 7 & 0x7F), Int(h >> 14 & 0xF), Int(h >> 18 & 0x7))
    }

    /// The hash and its edge-neighbour variants (at most 16) for a query landmark.
    public static func probes(of l: AudioLandmark) -> [UInt32] {
        let f = fields(l.hash)
        var cells = [[f.d23], [f.d12], [f.ratio], [f.band]]
        for field in 0..<4 {
            let p = Int(l.probes >> (2 * field) & 3)
            // Never past a field's range (a signed field's top cell, or a damaged probe byte).
            let limit = [128, 128, 16, 8][field]
            if p == 1, cells[field][0] > 0 { cells[field].append(cells[field][0] - 1) }
            if p == 2, cells[field][0] + 1 < limit { cells[field].append(cells[field][0] + 1) }
        }
        var out: [UInt32] = []
        out.reserveCapacity(16)
        for a in cells[0] { for b in cells[1] { for c in cells[2] { for d in cells[3] {
            out.append(compose(d23: a, d12: b, ratio: c, band: d))
        } } } }
        return out
    }
}
