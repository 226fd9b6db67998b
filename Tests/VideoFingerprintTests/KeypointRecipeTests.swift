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
            seenAgain(before[1], bits: 40, dx: 0, dy: 0),      // too many tests differ
            seenAgain(before[2], bits: 4, dx: 3, dy: 0),       // moved too far
            keypoint(&g),                                      // a new corner
            seenAgain(before[0], bits: 10, dx: 0.5, dy: 0),    // before[0] stands in once only
        ]
        #expect(KeypointRecipe.carryOver(now, from: before, diagonal: diagonal) == [before[0]] + now[1...])
        // Carried keypoints come first, in their order in the frame before.
        let swapped = [keypoint(&g), seenAgain(before[5], bits: 3, dx: 0, dy: 0), seenAgain(before[2], bits: 3, dx: 0, dy: 0)]
        #expect(KeypointRecipe.carryOver(swapped, from: before, diagonal: diagonal) == [before[2], before[5], swapped[0]])
        #expect(KeypointRecipe.carryOver(now, from: [], diagonal: diagonal) == now)
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
        #expect(KeypointChannel.pack([a, b]).count == KeypointChannel.pack([a]).count + 11 + 2 + 4 + (a.keypoints.count + 7) / 8 + 38 * fresh)
        #expect(KeypointChannel.unpack(KeypointChannel.pack([a, b])) == KeypointChannel.unpack(KeypointChannel.pack([a])).map { $0 + KeypointChannel.unpack(KeypointChannel.pack([b]))! })
    }
}
