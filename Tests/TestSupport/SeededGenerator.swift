// Shared by the test targets: what every suite needs to make reproducible inputs.

/// SplitMix64: tiny, seeded, good enough to make reproducible noise, hashes and test inputs.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Fingerprint

/// A uniformly random 256-bit hash: unrelated to any other by ~128 bits.
public func randomHash(_ g: inout SeededGenerator) -> PDQHash {
    PDQHash(words: SIMD4(g.next(), g.next(), g.next(), g.next()))
}
