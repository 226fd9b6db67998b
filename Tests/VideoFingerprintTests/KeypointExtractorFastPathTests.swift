// The keypoint extractor's vector paths against their plain formulation, bit for bit: the blur
// in 16-bit lanes, and only around the corners, against the 7x7 kernel in 32 bits; the turned
// pattern by the processor's truncating conversion against the portable rounding; the disc's
// moments, 32 columns at a time, against the sum over the disc.
import Fingerprint
import Foundation
import Testing
@testable import VideoFingerprint

struct KeypointExtractorFastPathTests {
    /// The level blurred as the two-pass 7x7 formula in 32-bit integers, borders replicated.
    static func plainBlur(_ image: UnsafePointer<UInt8>, width w: Int, height h: Int) -> [UInt8] {
        let k: [Int] = [56, 49, 33, 18]
        func clamp(_ v: Int, _ n: Int) -> Int { min(max(v, 0), n - 1) }
        var rows = [Int](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                rows[y * w + x] = (-3...3).reduce(0) { $0 + k[abs($1)] * Int(image[y * w + clamp(x + $1, w)]) }
            }
        }
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let sum = (-3...3).reduce(0) { $0 + k[abs($1)] * rows[clamp(y + $1, h) * w + x] }
                out[y * w + x] = UInt8((sum + (1 << 15)) >> 16)
            }
        }
        return out
    }

    @Test func blurIsTheSevenBySevenFormula() {
        // Widths not a multiple of any vector length; a white frame reaches the largest sums.
        let white = [UInt8](repeating: 255, count: 131 * 70)
        for (width, height, image) in [(203, 97, KeypointExtractorTests.texture(width: 203, height: 97, stride: 203, seed: 7)),
                                       (131, 70, white)] {
            let extractor = KeypointExtractorTests.pyramid(of: image, width: width, height: height)
            var mismatches = 0
            for level in extractor.levelShapes.prefix(3) {
                extractor.blur(level)
                let plain = Self.plainBlur(extractor.pyramid + level.offset, width: level.width, height: level.height)
                for i in 0..<(level.width * level.height) where extractor.blurred[level.offset + i] != plain[i] { mismatches += 1 }
            }
            #expect(mismatches == 0, "\(width)x\(height)")
        }
    }

    @Test func blurAroundCornersIsTheWholeBlurThereAndLeavesTheRest() {
        let (width, height) = (211, 163)
        let extractor = KeypointExtractorTests.pyramid(of: KeypointExtractorTests.texture(width: width, height: height, stride: width, seed: 8),
                                                       width: width, height: height)
        let level = extractor.levelShapes[0]
        let plain = Self.plainBlur(extractor.pyramid + level.offset, width: width, height: height)
        // Corners near a border and inside; the rectangle reaches 16 pixels past them.
        for corners in [[(40, 50), (90, 33)], [(16, 16)], [(width - 17, height - 17), (100, 80)]] {
            extractor.corners = corners.map { KeypointExtractor.Corner(x: Int32($0.0), y: Int32($0.1), score: 1) }
            (extractor.blurred + level.offset).update(repeating: 7, count: width * height)
            extractor.blur(level, onlyAroundCorners: true)
            let xs = corners.map(\.0), ys = corners.map(\.1)
            let columns = max(xs.min()! - 16, 0)...min(xs.max()! + 16, width - 1)
            let rows = max(ys.min()! - 16, 0)...min(ys.max()! + 16, height - 1)
            var inside = 0, outside = 0
            for y in 0..<height {
                for x in 0..<width {
                    let v = extractor.blurred[level.offset + y * width + x]
                    if columns.contains(x) && rows.contains(y) {
                        if v != plain[y * width + x] { inside += 1 }
                    } else if v != 7 {
                        outside += 1
                    }
                }
            }
            #expect(inside == 0 && outside == 0, "\(corners): \(inside) wrong inside, \(outside) written outside")
        }
    }

    @Test func everyPatternPointStaysWithinTheBlurredReach() {
        // The rectangle around corners assumes the turned, rounded points lie within 16 pixels.
        let reach = KeypointExtractor.makePattern().map { ($0.x * $0.x + $0.y * $0.y) }.max()!
        #expect(Double(reach).squareRoot() <= Double(KeypointExtractor.minimumEdgeMargin) - 0.5)
    }

    @Test func truncatingConversionTurnsThePatternAsThePortableRounding() {
        let extractor = KeypointExtractor()
        var angles: [Float] = [0, .pi, -.pi, .pi / 2, -.pi / 2, .pi / 4, -3 * .pi / 4]
        for k in 0..<2000 { angles.append(Float(k) * 0.003141 - 3.1416) }
        var mismatches = 0
        for (k, angle) in angles.enumerated() {
            let width = [64, 640, 1921, (1 << 18) + 3][k % 4], mirrored = k % 3 == 0
            extractor.turnPattern(cos: cos(angle), sin: sin(angle), rowLength: width, mirrored: mirrored, truncating: false)
            let portable = Array(UnsafeBufferPointer(start: extractor.briefOffsets, count: 512))
            extractor.turnPattern(cos: cos(angle), sin: sin(angle), rowLength: width, mirrored: mirrored, truncating: true)
            if Array(UnsafeBufferPointer(start: extractor.briefOffsets, count: 512)) != portable { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func momentsAreTheSumsOverTheDisc() {
        // Every pixel within r + ½ of the corner (u² + v² ≤ r² + r), at the margin the extractor
        // allows and inside; a white picture reaches the largest sums.
        let (width, height) = (150, 120), r = KeypointExtractor.patchRadius
        let texture = KeypointExtractorTests.texture(width: width, height: height, stride: width, seed: 9)
        let extractor = KeypointExtractor()
        var mismatches = 0, checked = 0
        for image in [texture, [UInt8](repeating: 255, count: width * height)] {
            var image = image
            image.withUnsafeMutableBufferPointer { pixels in
                let base = pixels.baseAddress!
                for y in stride(from: 16, to: height - 16, by: 7) {
                    for x in stride(from: 16, to: width - 16, by: 5) {
                        var m10 = 0, m01 = 0
                        for v in -r...r {
                            for u in -r...r where u * u + v * v <= r * r + r {
                                let p = Int(base[(y + v) * width + x + u])
                                m10 += u * p
                                m01 += v * p
                            }
                        }
                        let fast = extractor.moments(base + y * width + x, rowLength: width)
                        if fast.m10 != m10 || fast.m01 != m01 { mismatches += 1 }
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 400)
        #expect(mismatches == 0)
    }
}
