// PDQHash: the 256-bit PDQ perceptual hash value (Meta ThreatExchange `pdq/cpp/common/pdqhashtypes`).
// Input shape: 256 bits, bit k = DCT coefficient (k / 16, k % 16) above the median.
//
// Stored as four UInt64 words, words[0] holding bits 0...63, so Hamming distance is four XORs and
// four popcounts. The text form is the standard PDQ hex: 64 hex digits, bit 255 first (the
// reference's `Hash256::format` prints its uint16 words from w[15] down), which is what other
// PDQ implementations and hash-sharing programs exchange.

public struct PDQHash: Sendable, Hashable {
    /// Bits 0...63 in `words[0]`, ..., bits 192...255 in `words[3]`.
    public var words: SIMD4<UInt64>

    public init(words: SIMD4<UInt64>) {
        self.words = words
    }

    /// All bits clear: what the reference returns for images too small to hash.
    public static let zero = PDQHash(words: .zero)

    /// Number of differing bits, 0...256. Matching thresholds are stated in this unit (PDQ: ≤ 31).
    @inlinable
    public func distance(to other: PDQHash) -> Int {
        let x = words ^ other.words
        return x[0].nonzeroBitCount + x[1].nonzeroBitCount + x[2].nonzeroBitCount + x[3].nonzeroBitCount
    }

    /// Bit `index` (0...255) in the reference's numbering (row-major over the 16x16 coefficients).
    public func bit(_ index: Int) -> Bool {
        precondition((0..<256).contains(index), "PDQHash bit index \(index) out of 0..<256")
        return (words[index >> 6] >> UInt64(index & 63)) & 1 == 1
    }

    public mutating func setBit(_ index: Int) {
        precondition((0..<256).contains(index), "PDQHash bit index \(index) out of 0..<256")
        words[index >> 6] |= 1 << UInt64(index & 63)
    }
}

// MARK: - Text (the packed form for the store is in `FrameSignature+Packing.swift`)

extension PDQHash: CustomStringConvertible, LosslessStringConvertible {
    /// 64 lowercase hex digits, bit 255 first.
    public var hex: String {
        var out = ""
        out.reserveCapacity(64)
        for w in (0..<4).reversed() {
            let s = String(words[w], radix: 16)
            out += String(repeating: "0", count: 16 - s.count) + s
        }
        return out
    }

    public var description: String { hex }

    /// Parses the standard 64-digit hex form (either case). Returns nil for anything else.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 64 else { return nil }
        var w = SIMD4<UInt64>.zero
        let chars = Array(hex.utf8)
        for i in 0..<4 {
            // Word 3 comes first in the text.
            let chunk = chars[(i * 16)..<(i * 16 + 16)]
            guard let v = UInt64(String(decoding: chunk, as: UTF8.self), radix: 16) else { return nil }
            w[3 - i] = v
        }
        self.init(words: w)
    }

    public init?(_ description: String) {
        self.init(hex: description)
    }
}

// MARK: - Codable as the hex string

extension PDQHash: Codable {
    // The hex form, not the words: JSON readers elsewhere (and people) expect PDQ hex, and
    // UInt64 does not survive JavaScript number parsing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let hash = PDQHash(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a 64-digit PDQ hex hash: '\(text)'")
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
