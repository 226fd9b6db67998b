// Exact tests of PDQHash (distance, bit numbering, text, bytes, Codable) and PDQHasher
// properties on small generated inputs: noise tolerance, low quality, entry points agreeing.

import Fingerprint
import Foundation
import Testing
import TestSupport
@testable import VideoFingerprint

@Suite struct PDQHashTests {
    static func randomHash(_ rng: inout SeededGenerator) -> PDQHash {
        PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next()))
    }

    @Test func distanceIsAMetricOnRandomHashes() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let a = Self.randomHash(&rng), b = Self.randomHash(&rng), c = Self.randomHash(&rng)
            #expect(a.distance(to: a) == 0)
            #expect(a.distance(to: b) == b.distance(to: a))
            #expect(a.distance(to: c) <= a.distance(to: b) + b.distance(to: c))
        }
        #expect(PDQHash.zero.distance(to: PDQHash(words: SIMD4(repeating: .max))) == 256)
    }

    @Test func bitNumberingMatchesTheStandardHex() {
        var h = PDQHash.zero
        h.setBit(255)
        #expect(h.hex == "8" + String(repeating: "0", count: 63))
        var l = PDQHash.zero
        l.setBit(0)
        #expect(l.hex == String(repeating: "0", count: 63) + "1")
        #expect(l.bit(0) && !l.bit(1))
    }

    @Test func textAndCodableRoundTrip() throws {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<50 {
            let h = Self.randomHash(&rng)
            #expect(PDQHash(hex: h.hex) == h)
            #expect(PDQHash(hex: h.hex.uppercased()) == h)
            let json = try JSONEncoder().encode([h])
            #expect(try JSONDecoder().decode([PDQHash].self, from: json) == [h])
        }
        let known = "4d6b12f3ad76cf29c79ca3d2506fa83494196c899edd04de0a26b851fc99b724"
        #expect(PDQHash(hex: known)?.hex == known)
        #expect(PDQHash(hex: known)?.words[3] == 0x4d6b_12f3_ad76_cf29)
        #expect(PDQHash(hex: "xyz") == nil)
        #expect(PDQHash(hex: String(known.dropLast())) == nil)
        #expect(PDQHash(hex: String(known.dropLast()) + "g") == nil)
    }

    @Test func hashSurvivesMildNoise() {
        let hasher = PDQHasher()
        let (w, h) = (160, 120)
        let picture = Synthetic.picture(width: w, height: h, seed: 3)
        let base = hasher.hash(luma: picture, width: w, height: h)
        #expect(base.isEvidence)
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<5 {
            let noisy = picture.map { UInt8(clamping: Int($0) + Int.random(in: -6...6, using: &rng)) }
            let d = hasher.hash(luma: noisy, width: w, height: h).hash.distance(to: base.hash)
            // Far inside PDQ's match threshold of 31; unrelated pictures sit near 128.
            #expect(d <= 20, "noise moved the hash by \(d) bits")
        }
    }

    @Test func uniformAndTinyImagesAreNotEvidence() {
        let hasher = PDQHasher()
        let flat = hasher.hash(luma: [UInt8](repeating: 128, count: 100 * 80), width: 100, height: 80)
        #expect(flat.quality == 0)
        #expect(!flat.isEvidence)
        let tiny = hasher.hash(luma: [UInt8](repeating: 9, count: 4 * 50), width: 4, height: 50)
        #expect(tiny == PDQResult(hash: .zero, quality: 0))
        let tinyRGB = hasher.dihedralHashes(rgb: [UInt8](repeating: 9, count: 50 * 3 * 3), width: 50, height: 3)
        #expect(tinyRGB.hashes.allSatisfy { $0 == .zero } && tinyRGB.quality == 0)
    }

    @Test func entryPointsAgree() {
        let hasher = PDQHasher(expectedPixels: 16)  // forces the scratch to grow
        let (w, h) = (200, 150)
        let picture = Synthetic.picture(width: w, height: h, seed: 5)
        // A rectangle of a frame hashes exactly like the same pixels cut out first.
        let rect = PixelRect(x: 30, y: 20, width: 120, height: 90)
        var cut = [UInt8]()
        for y in rect.y..<rect.maxY { cut += picture[(y * w + rect.x)..<(y * w + rect.maxX)] }
        #expect(hasher.hash(luma: picture, width: w, height: h, area: rect)
                == hasher.hash(luma: cut, width: rect.width, height: rect.height))
        // Luma as RGB gray gives the same hash as the luma path.
        let rgb = picture.flatMap { [$0, $0, $0] }
        #expect(hasher.hash(rgb: rgb, width: w, height: h).hash.distance(to: hasher.hash(luma: picture, width: w, height: h).hash) <= 2)
        // A 64x64 luma image and its Float copy through `downsampled64`.
        let small = Synthetic.picture(width: 64, height: 64, seed: 8)
        #expect(hasher.hash(downsampled64: small.map(Float.init)) == hasher.hash(luma: small, width: 64, height: 64))
        // `mirrored` is exactly the hash of the flipped picture.
        var flipped = picture
        for y in 0..<h { for x in 0..<w { flipped[y * w + x] = picture[y * w + w - 1 - x] } }
        #expect(hasher.hash(luma: picture, width: w, height: h, mirrored: true) == hasher.hash(luma: flipped, width: w, height: h))
        #expect(hasher.hashWithMirror(luma: picture.withUnsafeBufferPointer { $0 }, width: w, height: h).mirrored
                == hasher.hash(luma: flipped, width: w, height: h).hash)
    }

    @Test func dihedralVariantsMatchTransformedImagesAt64() {
        // At 64x64 there is no downsample, so the DCT sign/transpose maps are exact up to float
        // rounding: each variant must equal the hash of the transformed picture (± a near-median
        // coefficient or two).
        let hasher = PDQHasher()
        let n = 64
        let p = Synthetic.picture(width: n, height: n, seed: 21)
        func transformed(_ f: (Int, Int) -> (Int, Int)) -> [UInt8] {
            var out = p
            for y in 0..<n { for x in 0..<n { let (sx, sy) = f(x, y); out[y * n + x] = p[sy * n + sx] } }
            return out
        }
        let all = hasher.dihedralHashes(luma: p, width: n, height: n)
        let cases: [(PDQDihedral, (Int, Int) -> (Int, Int))] = [
            (.flipHorizontal, { x, y in (n - 1 - x, y) }),
            (.flipVertical, { x, y in (x, n - 1 - y) }),
            (.rotate180, { x, y in (n - 1 - x, n - 1 - y) }),
            (.rotate90FlipVertical, { x, y in (y, x) }),
        ]
        for (variant, map) in cases {
            let d = hasher.hash(luma: transformed(map), width: n, height: n).hash.distance(to: all[variant])
            #expect(d <= 2, "\(variant): \(d) bits from the transformed picture's hash")
        }
    }
}

@Suite struct PDQQualityTests {
    /// The reference's formula, scalar, as PDQ's C++ writes it.
    static func referenceQuality(_ image: [Float]) -> Int {
        var sum = 0
        for i in 0..<63 { for j in 0..<64 { sum += abs(Int((image[i * 64 + j] - image[(i + 1) * 64 + j]) * 100 / 255)) } }
        for i in 0..<64 { for j in 0..<63 { sum += abs(Int((image[i * 64 + j] - image[i * 64 + j + 1]) * 100 / 255)) } }
        return min(sum / 90, 100)
    }

    @Test func vectorizedQualityEqualsTheReferenceFormula() {
        var state: UInt64 = 99
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        for round in 0..<200 {
            // Smooth, noisy and flat images with fractional values, as the tent filter makes.
            let amplitude: Float = [255, 40, 3, 0.5][round % 4]
            var image = [Float](repeating: 0, count: 4096)
            for k in 0..<4096 { image[k] = 128 + amplitude * (next() - 0.5) + Float(k % 64) * Float(round % 3) }
            let got = image.withUnsafeBufferPointer { PDQTransform.quality($0.baseAddress!) }
            #expect(got == Self.referenceQuality(image), "round \(round)")
        }
    }
}
