// KeypointExtractor+Descriptor: orientation by intensity centroid and steered BRIEF (Rublee et
// al. ICCV 2011, sections 3.2 and 4; Calonder et al., "BRIEF: Binary Robust Independent
// Elementary Features", ECCV 2010, for the sampling pattern).
// Input shape: a level of the pyramid (orientation) and the same level blurred 7x7, sigma 2
// (tests), both 8-bit luma packed with row length = level width; corners at least
// `minimumEdgeMargin` from the border.
//
// The pattern: 256 point pairs learned as Rublee et al. learned OpenCV's `bit_pattern_31_`
// (section 4.3), but by us, on our own training images: scripts/experiments/orb-pattern-learn
// drew 6000 candidate pairs from BRIEF's "G II" distribution (both points from an isotropic
// Gaussian of sigma 31/5, whole pixels, inside the radius-15 disc, so any rotation stays within
// 16 pixels), ordered them by how close their mean is to 1/2 on 21771 steered keypoints of
// photos that are not test images, and kept those correlated below 0.45 with every kept one.
// Why learned: with the seeded Gaussian pattern alone, steering biased the tests (mean bit
// imbalance 0.21 on the test photos, against 0.13 now and OpenCV's 0.07) and an unrelated photo
// had 36 mutual matches within distance 40 of 500 keypoints; now 0, as OpenCV.
import Fingerprint
import Foundation
#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

extension KeypointExtractor {
    /// Radius of the orientation disc (half of ORB's patch size 31).
    static let patchRadius = 15

    /// The 512 pattern points: test i compares point 2i with point 2i + 1.
    static func makePattern() -> [(x: Int, y: Int)] {
        stride(from: 0, to: learnedPattern.count, by: 2).map { (Int(learnedPattern[$0]), Int(learnedPattern[$0 + 1])) }
    }

    /// Test i: (x1, y1, x2, y2) at 4i, pixels from the corner with the orientation along +x.
    // Learned by scripts/experiments/orb-pattern-learn (21771 training keypoints, correlation bound 0.45).
    static let learnedPattern: [Int8] = [
        2, -9, 1, 2, 1, 3, 1, -2, 6, 1, 7, 1, 5, 7, 6, -9,
        -5, 5, -6, 9, -10, -3, -8, 1, 4, 3, 5, 5, -1, 0, 0, 7,
        -2, -5, -2, -2, 7, -1, 8, 1, 5, 12, 4, 8, -2, 8, -2, 10,
        1, 9, 1, -9, -11, 3, -13, -7, 6, -5, 6, -2, 3, 3, 3, 2,
        -3, -8, -4, 13, 8, -1, 12, 3, -1, -2, -1, 0, 6, 1, 10, -8,
        -1, -13, -1, -3, -2, -5, -2, 9, -2, 5, -2, -8, 11, 6, 14, 1,
        -10, 7, -6, 1, -5, -7, -4, 2, 5, -8, 8, -12, -9, -5, -12, 7,
        -10, -1, -8, -1, 7, -5, 9, 7, -10, -2, -14, -5, -6, 0, -6, 4,
        1, 5, 2, 11, 9, 3, 13, -3, 7, 5, 9, 6, -6, -11, -4, -6,
        5, 2, 9, 10, -3, 4, -3, -1, 7, -9, 6, -4, 3, -6, 5, 12,
        12, -8, 10, 5, -6, -9, -8, 12, -4, 3, -4, 5, 14, 2, 9, 2,
        -7, 10, -8, 12, -1, 4, -1, 8, -8, 6, -10, 10, 4, 7, 3, -3,
        6, -3, 6, 1, 9, 5, 11, 5, -9, 2, -8, -6, 9, -5, 12, -3,
        2, -1, 2, 0, -12, 4, -9, 4, -9, -1, -9, 3, -8, -10, -5, 6,
        4, -8, 5, -9, -2, -12, -1, 9, 7, -1, 10, -2, 5, -3, 7, -5,
        0, -10, 0, -15, 2, -3, 4, -9, 3, 13, 4, -14, -6, -3, -6, 2,
        -11, 3, -10, 7, -6, 9, -5, -5, -11, -8, -5, 0, 3, -1, 4, -3,
        4, 1, 4, 0, -11, 1, -13, 2, 2, -13, 1, 7, -1, -8, 0, 13,
        4, 3, 6, -13, -10, 7, -9, 7, 3, 13, 2, -1, 7, 11, 8, -8,
        7, 5, 10, -1, -6, 10, -3, -1, -7, -7, -9, -9, -7, 2, -5, 0,
        -8, -7, -7, -11, 3, -5, 4, 2, -6, -10, -5, -12, -12, 6, -13, -1,
        -14, 2, -6, -6, 1, -13, 0, 13, -6, 11, -4, 10, -5, 2, -5, -14,
        5, -6, 6, -5, -6, -4, -5, -8, 9, 4, 9, 3, -8, -2, -5, 0,
        -6, -1, -5, -2, -11, 4, -5, 3, -6, 6, -5, 7, -6, 8, -4, -10,
        4, -1, 6, -2, 10, 3, 10, 7, -4, -6, -3, -9, 4, 8, 8, 10,
        5, -7, 12, -7, -11, -8, -10, -5, -11, -5, -11, -3, 4, 1, 6, 2,
        5, 7, 6, 5, 4, -9, 5, -7, -13, 7, -5, -10, -1, -8, 0, -6,
        4, 2, 13, 3, -8, 9, -12, -6, -4, -14, -1, -10, 5, -8, 8, 4,
        -8, 0, -7, 12, 2, -5, 1, 11, -10, -6, -5, -5, 3, 6, 11, -10,
        6, 12, 7, -2, 3, -6, 2, -13, 13, -6, 8, -12, 8, 6, 8, 11,
        1, 1, 8, 10, -12, 4, -6, 9, -5, -9, -3, -8, 5, 9, 3, -13,
        2, 1, 14, -5, 1, -11, 5, -14, 7, 2, 6, 6, 3, 3, 8, -6,
        -7, 3, -9, 1, -2, -14, -2, -13, 0, -7, 2, 5, -9, -8, -5, -10,
        4, -3, 6, -2, -1, 11, 1, 8, -10, 11, -2, 4, 1, 13, -1, 8,
        2, -2, 5, 3, 6, 13, 10, 8, -5, 1, -4, 1, -1, -3, 1, -6,
        -6, 11, -6, 9, -6, -6, -3, -3, -2, -12, -3, -8, -4, 13, 0, -4,
        2, 6, 3, 3, -5, -2, -4, -2, 3, 4, 5, 0, 2, 1, 3, 1,
        -4, -3, -3, -2, 2, -4, 9, 9, 1, 4, -2, -14, 0, 2, 8, -12,
        2, 11, 5, -9, -3, 5, -2, 4, -5, 11, -1, -10, 0, 7, 1, 7,
        -6, 0, -3, -6, 11, 7, 5, -12, 0, -10, 2, -11, 2, -7, 4, -1,
        -4, 10, -8, -8, 0, 4, 3, -6, 12, 6, 5, 9, 12, 2, 4, -5,
        1, -4, 2, -4, -4, 13, -10, 11, 3, 9, 5, 7, -3, 8, -4, 9,
        0, -13, 3, -10, -3, 4, 0, -12, -3, 2, -2, 3, -1, 2, -6, -12,
        2, -9, 7, 8, 4, -11, 10, -1, -5, -7, -1, 7, -4, 2, -6, -1,
        0, -6, 4, 9, -5, 10, -1, 12, -8, -1, -3, 8, 1, 7, 6, 10,
        -5, 7, -1, -5, -4, 6, -1, 9, -9, -11, -1, 8, 4, 14, 14, -1,
        1, -6, 3, -7, -4, 1, -3, 0, 2, 4, 5, 5, 7, -10, 3, -12,
        7, 4, 5, 5, 9, -8, 1, -3, -4, -11, 1, -12, -8, 6, -2, 6,
        -1, 2, 3, 5, -2, -2, -11, 7, 3, -9, -1, 13, -11, 0, -3, -13,
        2, 11, -2, -10, 0, -3, 2, 0, -5, 13, 2, -13, -2, 9, 2, 4,
        -15, 0, -1, 7, 2, 8, 9, -4, -5, -1, 0, 13, 4, -14, -3, -1,
        -4, -4, -1, -6, 0, 14, 5, 1, -1, 11, 5, 10, -1, 4, 0, 4,
        -1, -13, -11, 10, -2, -1, -14, -2, 0, -8, -1, -7, 0, -2, 6, -4,
        1, 3, 9, 0, 0, -7, -4, -9, -3, -5, 3, 12, -9, 6, -1, -8,
        -5, -11, 1, 7, 2, -9, -2, 7, -4, -3, -1, 1, -12, -5, -1, 4,
        7, 0, 1, -14, 1, 1, 0, 2, -12, -6, 0, -14, 13, -4, 1, -10,
        1, -2, -2, -6, -1, 11, -11, 5, -1, 8, 4, -3, -3, 0, 0, -3,
        0, 11, -1, 11, 0, 6, 4, 4, 6, -7, 0, -9, 8, 12, -1, -10,
        -1, 3, -2, 4, -4, -4, -5, -4, 0, -3, 10, 3, -2, -13, 5, 7,
        -11, 10, 1, -5, 1, 6, -4, 8, 1, -3, -8, -11, -5, -3, 1, 5,
        10, 0, 1, 12, -12, 0, 0, -6, -1, 7, 6, -8, 0, 12, -12, -4,
        1, -6, 0, -6, 0, -4, -3, -5, -7, 9, 1, -1, -4, 1, 5, 11,
        -4, -10, 3, 2, -3, 12, 5, -6, -2, 8, 12, 7, -3, 4, 10, 11,
        -5, -11, 8, -11, 2, 0, -1, 0, -2, -1, 13, -3, -1, -8, 7, 5,
    ]

    /// Orientation, description and full-resolution position of the level's kept corners; with
    /// `alsoMirror`, also those of the same corners in the left-right mirror image, into `mirror`:
    /// the corner at x there is at width - 1 - x, its moments are (-m10, m01), and its tests read
    /// the blurred level at mirrored offsets, so no mirrored copy of the level is needed.
    func describe(_ level: Level, index: Int, fullWidth: Int, fullHeight: Int, into out: inout [Keypoint],
                  mirror: inout [Keypoint], alsoMirror: Bool) {
        let w = level.width
        let image = pyramid + level.offset, smooth = blurred + level.offset
        let scaleX = Float(fullWidth) / Float(w), scaleY = Float(fullHeight) / Float(level.height)
        for corner in corners {
            let x = Int(corner.x), y = Int(corner.y)
            let (m10, m01) = moments(image + y * w + x, rowLength: w)
            let angle = atan2(Float(m01), Float(m10))
            let descriptor = steeredBRIEF(smooth + y * w + x, rowLength: w, angle: angle, mirrored: false)
            let fullY = (Float(y) + 0.5) * scaleY - 0.5
            out.append(Keypoint(x: (Float(x) + 0.5) * scaleX - 0.5, y: fullY,
                                angle: angle, level: UInt8(index), response: corner.response, descriptor: descriptor))
            guard alsoMirror else { continue }
            let mirrorAngle = atan2(Float(m01), Float(-m10))
            let mirrorDescriptor = steeredBRIEF(smooth + y * w + x, rowLength: w, angle: mirrorAngle, mirrored: true)
            mirror.append(Keypoint(x: (Float(w - 1 - x) + 0.5) * scaleX - 0.5, y: fullY, angle: mirrorAngle,
                                   level: UInt8(index), response: corner.response, descriptor: mirrorDescriptor))
        }
    }

    /// The disc's first moments about the corner (m10, m01); atan2(m01, m10) is the direction
    /// from the corner to its intensity centroid. Integer sums, so in any order: 32 columns
    /// u = -15...16 at a time (`discMask` keeps those within the disc's row, none at 16), in 16-bit
    /// lanes that the optimiser vectorises: per column, the sum of the disc's pixels above and
    /// below the centre row (30 pixels, at most 7650) and Σv·(below - above) (|·| ≤ 120 · 255).
    func moments(_ center: UnsafeMutablePointer<UInt8>, rowLength w: Int) -> (m10: Int, m01: Int) {
        let r = Self.patchRadius, discMask = discMask
        return withUnsafeTemporaryAllocation(of: Int16.self, capacity: 64) { buffer -> (m10: Int, m01: Int) in
            let columns = buffer.baseAddress!, moment = columns + 32
            columns.initialize(repeating: 0, count: 64)
            for v in 1...r {
                let below = UnsafePointer(center + v * w - r), above = UnsafePointer(center - v * w - r)
                let mask = discMask + 32 * v, weight = Int16(v)
                for i in 0..<32 {
                    let b = Int16(below[i]), a = Int16(above[i]), m = mask[i]
                    columns[i] = columns[i] &+ ((b &+ a) & m)
                    moment[i] = moment[i] &+ weight &* ((b &- a) & m)
                }
            }
            var m10: Int32 = 0, m01: Int32 = 0
            let middle = UnsafePointer(center - r)
            for i in 0..<32 {
                let u = Int32(i - r), column = Int32(columns[i]) &+ (i < 2 * r + 1 ? Int32(middle[i]) : 0)
                m10 = m10 &+ u &* column
                m01 = m01 &+ Int32(moment[i])
            }
            return (Int(m10), Int(m01))
        }
    }

    /// Half away from zero, as `rounded()`, without the libm call that shows in profiles
    /// (it differs only within an ulp of a half).
    @inline(__always)
    static func round(_ v: Float) -> Int {
        Int(v + (v < 0 ? -0.5 : 0.5))
    }

    typealias FloatLanes = SIMD16<Float>
    typealias OffsetLanes = SIMD16<Int32>

    /// `round` in 16 lanes: the same addition, then truncation towards zero. Swift's
    /// float-to-integer conversions check their range lane by lane (ten times slower than the
    /// scalar code), so the truncation is done in floats, on the magnitude a: for 0 ≤ a < 2²²,
    /// a + 1.5·2²³ is a rounded to the nearest integer (ulp 1 there), less one where that is above
    /// a, and its bits minus those of 1.5·2²³ are ⌊a⌋. The points lie within 16 pixels of the corner.
    @inline(__always)
    static func round(_ v: FloatLanes) -> OffsetLanes {
        let shifted = v + FloatLanes(repeating: 0.5).replacing(with: -0.5, where: v .< 0)
        let magnitude = shifted.replacing(with: -shifted, where: shifted .< 0)
        let magic = FloatLanes(repeating: 12_582_912)
        var nearest = magnitude + magic
        nearest = nearest.replacing(with: nearest - 1, where: nearest - magic .> magnitude)
        let floor = unsafeBitCast(nearest, to: OffsetLanes.self) &- OffsetLanes(repeating: Int32(bitPattern: magic[0].bitPattern))
        return floor.replacing(with: 0 &- floor, where: shifted .< 0)
    }

    /// 256 tests "pattern point 2i darker than point 2i + 1", the pattern turned by `angle`;
    /// `mirrored` reads the level's mirror image (column offsets negated).
    func steeredBRIEF(_ center: UnsafeMutablePointer<UInt8>, rowLength w: Int, angle: Float, mirrored: Bool) -> BinaryDescriptor {
        turnPattern(cos: cos(angle), sin: sin(angle), rowLength: w, mirrored: mirrored)
        let offsets = briefOffsets
        var words = SIMD4<UInt64>(repeating: 0)
        for word in 0..<4 {
            var bits: UInt64 = 0
            let pairs = offsets + 128 * word
            for bit in 0..<64 {
                let darker = center[Int(pairs[2 * bit])] < center[Int(pairs[2 * bit + 1])]
                bits |= UInt64(darker ? 1 : 0) << UInt64(bit)
            }
            words[word] = bits
        }
        return BinaryDescriptor(words: words)
    }

    /// The 512 pattern points turned by the angle whose cosine and sine are `c` and `s`, rounded
    /// (`round`) and made offsets in a level of row length `w`, into `briefOffsets`: 4 or 16 at a
    /// time, with the scalar formula's operations in its order (products, then their sum or
    /// difference; no fused multiply-add), so they round exactly as it does. On x86-64 the
    /// rounded coordinates are also combined into offsets in floats, exactly (integers below
    /// 2²³), for rows up to 2¹⁸ long: SSE2 has no 32-bit integer multiply.
    /// `truncating: false` takes the portable path on every machine (for tests).
    func turnPattern(cos c: Float, sin s: Float, rowLength w: Int, mirrored: Bool,
                     truncating: Bool = KeypointExtractor.hasTruncatingConversion) {
        let patternX = patternX, patternY = patternY, offsets = briefOffsets
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        if truncating && w <= 1 << 18 {
            typealias Lanes = SIMD4<Float>
            let row = Lanes(repeating: Float(w)), column = Lanes(repeating: mirrored ? -1 : 1)
            let vc = Lanes(repeating: c), vs = Lanes(repeating: s)
            for k in stride(from: 0, to: 512, by: Lanes.scalarCount) {
                let px = UnsafeRawPointer(patternX + k).loadUnaligned(as: Lanes.self)
                let py = UnsafeRawPointer(patternY + k).loadUnaligned(as: Lanes.self)
                let dy = Self.roundByTruncation(px * vs + py * vc), dx = Self.roundByTruncation(px * vc - py * vs)
                let offset = _mm_cvttps_epi32(dy * row + dx * column)
                UnsafeMutableRawPointer(offsets + k).storeBytes(of: unsafeBitCast(offset, to: SIMD4<Int32>.self), as: SIMD4<Int32>.self)
            }
            return
        }
        #endif
        let rowStep = OffsetLanes(repeating: Int32(w)), columnStep = OffsetLanes(repeating: mirrored ? -1 : 1)
        for k in stride(from: 0, to: 512, by: FloatLanes.scalarCount) {
            let px = UnsafeRawPointer(patternX + k).loadUnaligned(as: FloatLanes.self)
            let py = UnsafeRawPointer(patternY + k).loadUnaligned(as: FloatLanes.self)
            let dy = Self.round(px * s + py * c), dx = Self.round(px * c - py * s)
            UnsafeMutableRawPointer(offsets + k).storeBytes(of: dy &* rowStep &+ dx &* columnStep, as: OffsetLanes.self)
        }
    }

    /// Whether `turnPattern` converts with the processor's truncating conversion (x86-64, where
    /// SSE2's cvttps2dq is always there) rather than `round(FloatLanes)`.
    #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    static let hasTruncatingConversion = true
    #else
    static let hasTruncatingConversion = false
    #endif

    #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    /// `round` in 4 lanes, as whole floats: the same addition (a half with the sign of v: v < 0
    /// but for -0, which rounds to 0 either way), then SSE2's truncating conversion (cvttps2dq),
    /// exact for the points' range, which Swift's own vector conversions do not reach (they check
    /// each lane's range, one at a time), and back.
    @inline(__always)
    static func roundByTruncation(_ v: SIMD4<Float>) -> SIMD4<Float> {
        let sign = unsafeBitCast(v, to: SIMD4<UInt32>.self) & SIMD4(repeating: 0x8000_0000)
        let half = unsafeBitCast(sign | SIMD4(repeating: Float(0.5).bitPattern), to: SIMD4<Float>.self)
        return _mm_cvtepi32_ps(_mm_cvttps_epi32(v + half))
    }
    #endif
}
