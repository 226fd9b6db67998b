import Fingerprint
import Testing
import TestSupport
@testable import VideoFingerprint

@Suite struct KeypointRecipeTests {
    func keypoint(_ g: inout SeededGenerator) -> Keypoint {
        Keypoint(x: Float(g.next() % 1920) / 4, y: Float(g.next() % 1080) / 4, angle: 0, level: 0, response: 1,
                 descriptor: BinaryDescriptor(words: SIMD4(g.next(), g.next(), g.next(), g.next())))
    }

    /// `k` with `bits` of its descriptor's tests flipped and moved by (dx, dy).
    func seenAgain(_ k: Keypoint, bits: Int, dx: Float, dy: Float) -> Keypoint {
        var out = k
        out.x += dx
        out.y += dy
        for b in 0 ..< bits { out.descriptor.words[b % 4] ^= 1 << UInt64(b / 4 * 7 % 64) }
        return out
    }

    @Test func aCornerFoundAgainInPlaceIsCarriedOverAndOthersAreNot() {
        var g = SeededGenerator(seed: 7)
        let before = (0 ..< 20).map { _ in keypoint(&g) }
        // 480 × 270: the same place is within 0.005 of the 551-pixel diagonal, 2.75 pixels.
        let diagonal = Double(480 * 480 + 270 * 270).squareRoot()
        let now = [
            seenAgain(before[0], bits: 20, dx: 1, dy: -1.5),   // the same point: carried
            seenAgain(before[1], bits: KeypointRecipe.carriedDescriptor + 1, dx: 0, dy: 0),  // too many tests differ
            seenAgain(before[2], bits: 4, dx: 3, dy: 0),       // moved too far
            keypoint(&g),                                      // a new corner
            seenAgain(before[0], bits: 10, dx: 0.5, dy: 0),    // before[0] stands in once only
            seenAgain(before[3], bits: KeypointRecipe.carriedDescriptor, dx: 0, dy: 0),  // just within: carried
        ]
        let seen = KeypointRecipe.carryOver(now, from: before, diagonal: diagonal)
        #expect(seen.carried == [before[0], before[3]] && seen.fresh == Array(now[1 ... 4]))
        // Carried keypoints in their order in the frame before.
        let swapped = [keypoint(&g), seenAgain(before[5], bits: 3, dx: 0, dy: 0), seenAgain(before[2], bits: 3, dx: 0, dy: 0)]
        let swappedSeen = KeypointRecipe.carryOver(swapped, from: before, diagonal: diagonal)
        #expect(swappedSeen.carried == [before[2], before[5]] && swappedSeen.fresh == [swapped[0]])
        let first = KeypointRecipe.carryOver(now, from: [], diagonal: diagonal)
        #expect(first.carried.isEmpty && first.fresh == now)
    }

    @Test func aStillPictureIsDescribedOnceAndStoredSmaller() throws {
        // A textured still, described twice as a reference: the second description is the first
        // carried over, and packs as places in the first.
        var g = SeededGenerator(seed: 9)
        let (width, height) = (320, 180)
        var luma = [UInt8](repeating: 0, count: width * height)
        for y in 0 ..< height { for x in 0 ..< width { luma[y * width + x] = UInt8((x / 9 + y / 7) % 2 * 160 + Int(g.next() % 60)) } }
        let recipe = KeypointRecipe(role: .reference)
        let first = luma.withUnsafeBufferPointer { recipe.frames(luma: $0, width: width, height: height, time: 0) }
        let second = luma.withUnsafeBufferPointer { recipe.frames(luma: $0, width: width, height: height, time: 0.5) }
        let a = try #require(first.first), b = try #require(second.first)
        #expect(a.keypoints.count > 50 && a.keypoints == b.keypoints)
        // The second frame costs its header, a count and a bit per keypoint of the first.
        #expect(KeypointChannel.pack([a, b]).count == KeypointChannel.pack([a]).count + 11 + 2 + (a.keypoints.count + 7) / 8)
        // After a reset (another file) nothing is carried over.
        recipe.reset()
        let again = luma.withUnsafeBufferPointer { recipe.frames(luma: $0, width: width, height: height, time: 0) }
        #expect(again.first?.keypoints.count == a.keypoints.count)
    }

    @Test func cornersOfAPictureThatMovedAreCarriedOverMoved() throws {
        // A textured picture, then the same moved 6 pixels right and 3 up: the move is found,
        // and the corners found again where they moved to (at the coarser pyramid levels the
        // move is not whole pixels there, and fewer are) pack as bits and the move.
        var g = SeededGenerator(seed: 10)
        let (width, height) = (360, 200)
        var texture = [UInt8](repeating: 0, count: width * height)
        for y in 0 ..< height { for x in 0 ..< width { texture[y * width + x] = UInt8((x / 9 + y / 7) % 2 * 160 + Int(g.next() % 60)) } }
        func view(dx: Int, dy: Int) -> [UInt8] {
            (0 ..< 180 * 320).map { i in texture[(i / 320 + 10 - dy) * width + i % 320 + 10 - dx] }
        }
        let recipe = KeypointRecipe(role: .reference)
        let a = try #require(view(dx: 0, dy: 0).withUnsafeBufferPointer { recipe.frames(luma: $0, width: 320, height: 180, time: 0) }.first)
        let b = try #require(view(dx: 6, dy: -3).withUnsafeBufferPointer { recipe.frames(luma: $0, width: 320, height: 180, time: 0.5) }.first)
        #expect(KeypointRecipe.shift(from: a.keypoints, to: b.keypoints) == SIMD2(6, -3))
        let moved = b.keypoints.prefix { k in a.keypoints.contains { $0.descriptor == k.descriptor && $0.x + 6 == k.x && $0.y - 3 == k.y } }
        #expect(moved.count >= 20)
        let fresh = b.keypoints.count - moved.count
        #expect(KeypointChannel.pack([a, b]).count == KeypointChannel.pack([a]).count + 11 + 2 + 4 + (a.keypoints.count + 7) / 8 + 36 * fresh)
        #expect(KeypointChannel.unpack(KeypointChannel.pack([a, b])) == KeypointChannel.unpack(KeypointChannel.pack([a])).map { $0 + KeypointChannel.unpack(KeypointChannel.pack([b]))! })
    }

    /// A textured picture of `width` x `height`: rectangles of random size, place and grey,
    /// their corners other for each seed.
    func texture(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var g = SeededGenerator(seed: seed)
        var luma = [UInt8](repeating: 128, count: width * height)
        for _ in 0 ..< 400 {
            let w = 4 + Int(g.next() % 24), h = 4 + Int(g.next() % 24)
            let x0 = Int(g.next() % UInt64(width - w)), y0 = Int(g.next() % UInt64(height - h)), v = UInt8(g.next() % 256)
            for y in y0 ..< y0 + h { for x in x0 ..< x0 + w { luma[y * width + x] = v } }
        }
        return luma
    }

    @Test func aViewThatKeepsMostOfItsCornersKeepsOnlyThoseUntilItChangesOrTimePasses() throws {
        // A textured picture, then the same with its right quarter replaced by other texture:
        // most corners are seen again, so the second picture keeps only those (what came in on
        // the right waits); another picture altogether keeps its own; and the partly changed one
        // seen `keptGap` seconds after the last kept picture keeps its new corners too.
        let (width, height) = (320, 180)
        let a = texture(width: width, height: height, seed: 11), other = texture(width: width, height: height, seed: 12)
        var b = a
        for y in 0 ..< height { for x in width * 3 / 4 ..< width { b[y * width + x] = other[y * width + x] } }
        let recipe = KeypointRecipe(role: .reference)
        func frame(_ luma: [UInt8], _ time: Double) throws -> [Keypoint] {
            try #require(luma.withUnsafeBufferPointer { recipe.frames(luma: $0, width: width, height: height, time: time) }.first).keypoints
        }
        let first = try frame(a, 0)
        let second = try frame(b, 0.5)
        #expect(second.count * 2 >= first.count && second.count < first.count)
        #expect(second.allSatisfy { k in first.contains { $0.descriptor == k.descriptor && $0.x == k.x && $0.y == k.y } })
        // The corners on the right are there to be kept: a reference that starts with b keeps them.
        let fresh = KeypointRecipe(role: .reference)
        let own = try #require(b.withUnsafeBufferPointer { fresh.frames(luma: $0, width: width, height: height, time: 0) }.first).keypoints
        #expect(own.contains { k in k.x > Float(width * 3 / 4 + 4) && !first.contains { $0.descriptor == k.descriptor } })
        // Time passes: the new corners are kept.
        let later = try frame(b, KeypointRecipe.keptGap)
        #expect(later.count > second.count)
        // After a picture without corners (a fade to black), the next picture keeps its own.
        let blank = [UInt8](repeating: 16, count: width * height)
        #expect(blank.withUnsafeBufferPointer { recipe.frames(luma: $0, width: width, height: height, time: KeypointRecipe.keptGap + 0.25) }.isEmpty)
        #expect(try frame(b, KeypointRecipe.keptGap + 0.4) == own)
        // Another picture altogether: its own corners.
        let third = try frame(texture(width: width, height: height, seed: 13), KeypointRecipe.keptGap + 0.5)
        #expect(third.count > first.count / 2 && !third.contains { k in later.contains { $0.descriptor == k.descriptor } })
    }

    @Test func anInsetIsEnlargedBilinearlyFromItsOwnPixels() {
        // A frame whose brightness is linear in x and y: bilinear sampling gives it back exactly,
        // so every enlarged pixel is 20·x + 3·y at the frame point it samples — (i + ½)/2 - ½
        // of the rect, clamped to it — rounded.
        let width = 10, height = 6
        let luma = (0 ..< width * height).map { UInt8(20 * ($0 % width) + 3 * ($0 / width)) }
        let rect = PixelRect(x: 3, y: 2, width: 4, height: 3)
        var out = [UInt8](repeating: 0, count: 8 * 6), across: [Float] = []
        luma.withUnsafeBufferPointer { KeypointRecipe.enlarge($0, width: width, rect: rect, into: &out, across: &across, width: 8, height: 6) }
        for j in 0 ..< 6 {
            for i in 0 ..< 8 {
                let x = 3 + min(max((Double(i) + 0.5) / 2 - 0.5, 0), 3), y = 2 + min(max((Double(j) + 0.5) / 2 - 0.5, 0), 2)
                #expect(out[j * 8 + i] == UInt8((20 * x + 3 * y).rounded()), "(\(i), \(j))")
            }
        }
    }

    @Test func anInsetIsEnlargedAsItsFourNeighboursBlendedInOneGo() {
        // Enlarging row by row (each rect row across once, then output rows blended from two of
        // them) gives every pixel exactly what blending its four neighbours at once gives, on
        // arbitrary pixels and rects of every shape (one pixel wide or high included), with the
        // scratch rows reused from a larger rect.
        var rng = SeededGenerator(seed: 5)
        let width = 37, height = 23
        let luma = (0 ..< width * height).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var across: [Float] = []
        for (rect, w, h) in [(PixelRect(x: 2, y: 3, width: 30, height: 17), 75, 43), (PixelRect(x: 5, y: 1, width: 11, height: 9), 40, 31),
                             (PixelRect(x: 0, y: 0, width: 1, height: 5), 3, 12), (PixelRect(x: 36, y: 4, width: 1, height: 1), 4, 4),
                             (PixelRect(x: 7, y: 22, width: 13, height: 1), 29, 3)] {
            var out = [UInt8](repeating: 0, count: w * h)
            luma.withUnsafeBufferPointer { KeypointRecipe.enlarge($0, width: width, rect: rect, into: &out, across: &across, width: w, height: h) }
            let sx = Double(rect.width) / Double(w), sy = Double(rect.height) / Double(h)
            for j in 0 ..< h {
                let y = min(max((Double(j) + 0.5) * sy - 0.5, 0), Double(rect.height - 1))
                let top = min(Int(y), max(rect.height - 2, 0)), wy = Float(y - Double(top))
                for i in 0 ..< w {
                    let x = min(max((Double(i) + 0.5) * sx - 0.5, 0), Double(rect.width - 1))
                    let left = min(Int(x), max(rect.width - 2, 0)), wx = Float(x - Double(left))
                    let p = (rect.y + top) * width + rect.x + left, right = rect.width > 1 ? 1 : 0, below = rect.height > 1 ? width : 0
                    let a = Float(luma[p]), b = Float(luma[p + right]), c = Float(luma[p + below]), d = Float(luma[p + below + right])
                    let upper = a + (b - a) * wx, lower = c + (d - c) * wx
                    let expected = UInt8(min(255, max(0, (upper + (lower - upper) * wy).rounded())))
                    #expect(out[j * w + i] == expected, "\(rect) \(w)x\(h) (\(i), \(j))")
                }
            }
        }
    }

    @Test func anInsetIsDescribedEnlargedWithItsKeypointsWhereTheyAreInTheFrame() throws {
        // A picture pasted at a quarter of a 640×360 frame's width, at (200, 120), over flat grey.
        // Described on its own, enlarged to 640×360, its keypoints land in the frame where the
        // same points of the picture described at 640×360 lie, scaled by a quarter and moved to
        // the inset (within a pixel and a half: the inset is a smaller copy, enlarged again);
        // the mirrored description likewise, counted from the frame's right side.
        let (width, height) = (640, 360)
        let picture = Synthetic.picture(width: width, height: height, seed: 21)
        let small = Synthetic.picture(width: 160, height: 90, seed: 21)
        var frame = [UInt8](repeating: 128, count: width * height)
        for y in 0 ..< 90 { for x in 0 ..< 160 { frame[(120 + y) * width + 200 + x] = small[y * 160 + x] } }
        let recipe = KeypointRecipe(role: .suspect)
        let inset = PixelRect(x: 200, y: 120, width: 160, height: 90)
        let frames = frame.withUnsafeBufferPointer { recipe.insetFrames(inset, luma: $0, width: width, height: height, time: 1.5) }
        #expect(frames.count == 2 && frames.allSatisfy { $0.width == width && $0.height == height && $0.time == 1.5 })
        let extractor = KeypointExtractor()
        for mirrored in [false, true] {
            let described = try #require(frames.first { $0.mirrored == mirrored }).keypoints
            let whole = extractor.keypoints(luma: picture, width: width, height: height, mirrored: mirrored)
            // Each inset keypoint's nearest description among the whole picture's, when close.
            var agree = 0, paired = 0
            for k in described {
                guard let best = whole.min(by: { $0.descriptor.distance(to: k.descriptor) < $1.descriptor.distance(to: k.descriptor) }),
                      best.descriptor.distance(to: k.descriptor) <= 40 else { continue }
                paired += 1
                // Where the whole picture's point is in the frame: its own side, then a quarter, then the inset.
                let x = mirrored ? Float(width - 1) - best.x : best.x
                var fx = 200 + (x + 0.5) / 4 - 0.5
                let fy = 120 + (best.y + 0.5) / 4 - 0.5
                if mirrored { fx = Float(width - 1) - fx }
                if abs(k.x - fx) <= 1.5 && abs(k.y - fy) <= 1.5 { agree += 1 }
            }
            #expect(paired >= 40 && Double(agree) >= 0.8 * Double(paired), "mirrored \(mirrored): \(agree) of \(paired)")
            // Everything in the inset.
            #expect(described.allSatisfy { k in
                let x = mirrored ? Float(width - 1) - k.x : k.x
                return x >= 199 && x <= 360 && k.y >= 119 && k.y <= 210
            })
        }
        // An inset within one pyramid step of the picture's size, or one outside the picture: nothing.
        let large = PixelRect(x: 20, y: 10, width: 560, height: 320)
        #expect(frame.withUnsafeBufferPointer { recipe.insetFrames(large, luma: $0, width: width, height: height, time: 0) }.isEmpty)
        let outside = PixelRect(x: 600, y: 10, width: 160, height: 90)
        #expect(frame.withUnsafeBufferPointer { recipe.insetFrames(outside, luma: $0, width: width, height: height, time: 0) }.isEmpty)
        // Of several insets, the best (first) alone is described: the picture's two frames and its
        // two, not those of a second inset (one with corners of its own, inside the picture).
        let second = PixelRect(x: 240, y: 130, width: 100, height: 70)
        #expect(!frame.withUnsafeBufferPointer { recipe.insetFrames(second, luma: $0, width: width, height: height, time: 0) }.isEmpty)
        let described = frame.withUnsafeBufferPointer { recipe.frames(luma: $0, width: width, height: height, time: 0, insets: [inset, second]) }
        let alone = frame.withUnsafeBufferPointer { recipe.frames(luma: $0, width: width, height: height, time: 0, insets: [inset]) }
        #expect(described.count == alone.count && zip(described, alone).allSatisfy { $0.keypoints == $1.keypoints })
        // A reference is not given insets: its picture alone.
        let reference = KeypointRecipe(role: .reference)
        #expect(frame.withUnsafeBufferPointer { reference.frames(luma: $0, width: width, height: height, time: 0, insets: [inset]) }.count == 1)
    }
}
