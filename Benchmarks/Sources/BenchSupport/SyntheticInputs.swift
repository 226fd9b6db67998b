// Deterministic synthetic inputs for the benchmarks: frames, audio, hash libraries with planted
// neighbours, and frame hits of a suspect. Same seed, same bytes, on every machine, so runs can be
// compared; several distinct inputs per benchmark so that no result can be hoisted out of a loop.
import Fingerprint
import Foundation
import Matching

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and good enough for test data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    public mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

public enum SyntheticFrames {
    /// A luma picture with content at several scales (smooth gradients, a few rectangles, grain),
    /// so PDQ's quality is high and its DCT is not degenerate.
    public static func luma(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        let fx = 1 + rng.unit() * 4, fy = 1 + rng.unit() * 4
        var rowTerm = [Float](repeating: 0, count: height), colTerm = [Float](repeating: 0, count: width)
        for y in 0 ..< height { rowTerm[y] = 60 * sinf(Float(y) / Float(height) * fy * 6.283) }
        for x in 0 ..< width { colTerm[x] = 60 * cosf(Float(x) / Float(width) * fx * 6.283) }
        var out = [UInt8](repeating: 0, count: width * height)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let v = 128 + rowTerm[y] + colTerm[x] + Float(rng.next() & 15) - 8
                out[y * width + x] = UInt8(clamping: Int(v))
            }
        }
        for _ in 0 ..< 6 {
            let w = 1 + Int(rng.unit() * Float(width / 3)), h = 1 + Int(rng.unit() * Float(height / 3))
            let x0 = Int(rng.unit() * Float(width - w)), y0 = Int(rng.unit() * Float(height - h))
            let level = UInt8(rng.next() & 255)
            for y in y0 ..< y0 + h { for x in x0 ..< x0 + w { out[y * width + x] = level } }
        }
        return out
    }

    /// The same kind of picture as packed RGB24 (channels offset so that R, G, B differ).
    public static func rgb(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        let y = luma(width: width, height: height, seed: seed)
        var out = [UInt8](repeating: 0, count: 3 * y.count)
        for i in 0 ..< y.count {
            out[3 * i] = y[i]
            out[3 * i + 1] = y[i] &+ 40
            out[3 * i + 2] = 255 &- y[i]
        }
        return out
    }

    /// A 64x64 Float image, luma 0...255 scale, for `PDQHasher.hash(downsampled64:)`.
    public static func downsampled64(seed: UInt64) -> [Float] {
        luma(width: 64, height: 64, seed: seed).map(Float.init)
    }
}

public enum SyntheticAudio {
    public static let sampleRate = 8000

    /// Speech-like sound over noise: a voiced source (f0 100–220 Hz gliding, harmonics shaped by
    /// two moving formants) switched on and off in syllables of 120–300 ms with pauses, plus two
    /// steady tones and white noise 20 dB down. Gives the peak picker, speech detector and
    /// landmark hasher realistic work.
    public static func speechLike(seconds: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let n = seconds * sampleRate
        var out = [Float](repeating: 0, count: n)
        var i = 0
        var phase: Float = 0
        while i < n {
            let voiced = rng.unit() < 0.75
            let length = Int((0.12 + rng.unit() * 0.18) * Float(sampleRate))
            let f0a = 100 + rng.unit() * 120, f0b = 100 + rng.unit() * 120
            let f1 = 300 + rng.unit() * 600, f2 = 900 + rng.unit() * 1600
            for k in 0 ..< min(length, n - i) {
                let t = Float(k) / Float(length)
                let envelope = voiced ? sinf(t * .pi) : 0
                let f0 = f0a + (f0b - f0a) * t
                phase += 2 * .pi * f0 / Float(sampleRate)
                if phase > 2 * .pi { phase -= 2 * .pi }
                var s: Float = 0
                if envelope > 0 {
                    var h: Float = 1
                    while h * f0 < 3400 {
                        let f = h * f0
                        let gain = 1 / (1 + ((f - f1) / 150) * ((f - f1) / 150)) + 0.7 / (1 + ((f - f2) / 200) * ((f - f2) / 200))
                        s += gain * sinf(phase * h)
                        h += 1
                    }
                }
                out[i + k] = 0.3 * envelope * s
            }
            i += length
        }
        for j in 0 ..< n {
            let t = Float(j) / Float(sampleRate)
            out[j] += 0.05 * sinf(2 * .pi * 440 * t) + 0.03 * sinf(2 * .pi * 1250 * t) + 0.03 * (rng.unit() - 0.5)
        }
        return out
    }
}

public enum SyntheticHashes {
    public static func random(count: Int, seed: UInt64) -> [PDQHash] {
        var rng = SplitMix64(seed: seed)
        var out = [PDQHash]()
        out.reserveCapacity(count)
        for _ in 0 ..< count { out.append(PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next()))) }
        return out
    }

    /// `hash` with exactly `distance` distinct bits flipped.
    public static func neighbour<G: RandomNumberGenerator>(of hash: PDQHash, distance: Int, using rng: inout G) -> PDQHash {
        var h = hash
        var flipped = Set<Int>()
        while flipped.count < distance {
            let bit = Int(rng.next() & 255)
            if flipped.insert(bit).inserted { h.words[bit >> 6] ^= 1 << UInt64(bit & 63) }
        }
        return h
    }

    /// A library of `count` random hashes into which, for each of `queries` random query hashes,
    /// `neighboursPerQuery` hashes at distances 0…31 are planted at random positions. Random
    /// 256-bit hashes are ~128 bits apart, so the planted ones are (almost surely) the only hits.
    public static func plantedLibrary(count: Int, queries: Int, neighboursPerQuery: Int, seed: UInt64)
        -> (library: [PDQHash], queries: [PDQHash]) {
        var library = random(count: count, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xA5A5_A5A5)
        var qs = [PDQHash]()
        for _ in 0 ..< queries {
            let q = PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next()))
            qs.append(q)
            for k in 0 ..< neighboursPerQuery {
                let position = Int(rng.next() % UInt64(count))
                library[position] = neighbour(of: q, distance: (k * 7 + 3) % 32, using: &rng)
            }
        }
        return (library, qs)
    }
}

public enum SyntheticHits {
    /// Frame hits of a `seconds`-long suspect sampled at `framesPerSecond` against one
    /// reference, as Matcher hands them to TemporalAligner: a reused stretch (the middle 60 % of
    /// the suspect, at `rate` and `offset`) where each query instant hits the mapped reference
    /// frame and its neighbours (shots change slowly, so 2–5 neighbouring reference frames are
    /// within radius), a static stretch where every query instant hits ~20 reference frames
    /// scattered over a still scene, and chance hits elsewhere.
    public static func suspect(seconds: Double, framesPerSecond: Double, rate: Double, offset: Double,
                               referenceLength: Double, seed: UInt64) -> (hits: [FrameHit], usable: [Float]) {
        var rng = SplitMix64(seed: seed)
        var hits: [FrameHit] = []
        var usable: [Float] = []
        let instants = Int(seconds * framesPerSecond)
        let referenceStep = 1 / framesPerSecond
        for i in 0 ..< instants {
            let q = Double(i) / framesPerSecond
            usable.append(Float(q))
            let fraction = q / seconds
            if fraction > 0.2 && fraction < 0.8 {
                if rng.unit() < 0.1 { continue }  // a frame too edited to hit
                let mapped = rate * q + offset
                let neighbours = 2 + Int(rng.next() % 4)
                for k in 0 ..< neighbours {
                    let r = (mapped / referenceStep).rounded() * referenceStep + Double(k - neighbours / 2) * referenceStep
                    let d = Float(4 + Int(rng.next() % 20) + 3 * abs(k - neighbours / 2))
                    hits.append(FrameHit(queryTime: Float(q), referenceTime: Float(r), similarity: 1 - min(d, 31) / 64))
                }
            } else if fraction < 0.1 {
                // Static view: a still title card matches a still stretch of the reference.
                for _ in 0 ..< 20 {
                    let r = 30 + Double(rng.next() % 80) * referenceStep
                    hits.append(FrameHit(queryTime: Float(q), referenceTime: Float(r), similarity: 0.6 + 0.3 * rng.unit()))
                }
            }
            if rng.unit() < 0.3 {
                let r = Double(rng.next() % UInt64(referenceLength * framesPerSecond)) * referenceStep
                hits.append(FrameHit(queryTime: Float(q), referenceTime: Float(r), similarity: 0.52 + 0.1 * rng.unit()))
            }
        }
        return (hits, usable)
    }
}
