// KeypointExtractor+Descriptor: orientation by intensity centroid and steered BRIEF (Rublee et
// al. ICCV 2011, sections 3.2 and 4; Calonder et al., "BRIEF: Binary Robust Independent
// Elementary Features", ECCV 2010, for the sampling pattern).
// Input shape: a level of the pyramid (orientation) and the same level blurred 7x7, sigma 2
// (tests), both 8-bit luma packed with row length = level width; corners at least
// `minimumEdgeMargin` from the border.
//
// The pattern: 256 pairs of points, both points of each pair drawn independently from an
// isotropic Gaussian of sigma 31/5 around the corner (BRIEF's "G II", which Calonder et al.
// found the best of their random patterns), rounded to whole pixels and kept inside the
// radius-15 disc so that any rotation stays within 16 pixels. It comes from a fixed seed with
// SplitMix64 and an Irwin–Hall Gaussian (sum of 12 uniforms) in exact arithmetic, so every
// build and machine gets the same pattern. OpenCV instead uses `bit_pattern_31_`, a pattern
// learned for low correlation between tests (Rublee et al. section 4.3); ours is not learned,
// so its tests are somewhat more correlated and its descriptors somewhat less distinctive.
import Fingerprint
import Foundation

extension KeypointExtractor {
    /// Radius of the orientation disc (half of ORB's patch size 31).
    static let patchRadius = 15
    static let patternSeed: UInt64 = 2011
    static let patternSigma = 31.0 / 5.0

    /// The 512 pattern points: test i compares point 2i with point 2i + 1.
    static func makePattern() -> [(x: Int, y: Int)] {
        var state = patternSeed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func gaussian() -> Double {
            var sum = 0.0
            for _ in 0..<12 { sum += Double(next() >> 11) * 0x1p-53 }
            return sum - 6
        }
        func point() -> (x: Int, y: Int) {
            while true {
                let x = Int((gaussian() * patternSigma).rounded()), y = Int((gaussian() * patternSigma).rounded())
                if x * x + y * y <= patchRadius * patchRadius { return (x, y) }
            }
        }
        var points: [(x: Int, y: Int)] = []
        var seen = Set<Int>()
        func key(_ a: (x: Int, y: Int), _ b: (x: Int, y: Int)) -> Int {
            ((a.x + 16) << 15) | ((a.y + 16) << 10) | ((b.x + 16) << 5) | (b.y + 16)
        }
        while points.count < 512 {
            let a = point(), b = point()
            // A pair comparing a point with itself is a constant bit; a repeated pair, a copied one.
            guard a != b, !seen.contains(key(a, b)), !seen.contains(key(b, a)) else { continue }
            seen.insert(key(a, b))
            points.append(a)
            points.append(b)
        }
        return points
    }

    /// Orientation, description and full-resolution position of the level's kept corners.
    func describe(_ level: Level, index: Int, fullWidth: Int, fullHeight: Int, into out: inout [Keypoint]) {
        let w = level.width
        let image = pyramid + level.offset, smooth = blurred + level.offset
        let scaleX = Float(fullWidth) / Float(w), scaleY = Float(fullHeight) / Float(level.height)
        for corner in corners {
            let x = Int(corner.x), y = Int(corner.y)
            let angle = orientation(image + y * w + x, rowLength: w)
            let descriptor = steeredBRIEF(smooth + y * w + x, rowLength: w, angle: angle)
            out.append(Keypoint(x: (Float(x) + 0.5) * scaleX - 0.5, y: (Float(y) + 0.5) * scaleY - 0.5,
                                angle: angle, level: UInt8(index), response: corner.response, descriptor: descriptor))
        }
    }

    /// atan2 of the disc's first moments about the corner: the direction from the corner to
    /// its intensity centroid.
    func orientation(_ center: UnsafeMutablePointer<UInt8>, rowLength w: Int) -> Float {
        var m10 = 0, m01 = 0
        let r = Self.patchRadius, discHalfWidths = discHalfWidths
        for u in -r...r { m10 += u * Int(center[u]) }
        for v in 1...r {
            let d = discHalfWidths[v]
            var difference = 0
            for u in -d...d {
                let below = Int(center[v * w + u]), above = Int(center[-v * w + u])
                difference += below - above
                m10 += u * (below + above)
            }
            m01 += v * difference
        }
        return atan2(Float(m01), Float(m10))
    }

    /// Half away from zero, as `rounded()`, without the libm call that shows in profiles
    /// (it differs only within an ulp of a half).
    @inline(__always)
    static func round(_ v: Float) -> Int {
        Int(v + (v < 0 ? -0.5 : 0.5))
    }

    /// 256 tests "pattern point 2i darker than point 2i + 1", the pattern turned by `angle`.
    func steeredBRIEF(_ center: UnsafeMutablePointer<UInt8>, rowLength w: Int, angle: Float) -> BinaryDescriptor {
        let c = cos(angle), s = sin(angle)
        let patternX = patternX, patternY = patternY
        @inline(__always) func sample(_ k: Int) -> UInt8 {
            let px = patternX[k], py = patternY[k]
            return center[Self.round(px * s + py * c) * w + Self.round(px * c - py * s)]
        }
        var words = SIMD4<UInt64>(repeating: 0)
        for word in 0..<4 {
            var bits: UInt64 = 0
            for bit in 0..<64 {
                let test = word * 64 + bit
                if sample(2 * test) < sample(2 * test + 1) { bits |= 1 << UInt64(bit) }
            }
            words[word] = bits
        }
        return BinaryDescriptor(words: words)
    }
}
