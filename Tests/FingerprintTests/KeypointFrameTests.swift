@testable import Fingerprint
import Testing
import TestSupport

@Suite struct KeypointFrameTests {
    func keypoint(_ g: inout SeededGenerator) -> Keypoint {
        Keypoint(x: Float(g.next() % 25_600) / 40, y: Float(g.next() % 14_400) / 40,
                 angle: Float(Double(g.next() % 1000) / 1000 * 2 * .pi - .pi), level: UInt8(g.next() % 8), response: 1,
                 descriptor: BinaryDescriptor(words: SIMD4(g.next(), g.next(), g.next(), g.next())))
    }

    @Test func framesSurviveThePackedFormUpToItsSteps() throws {
        var g = SeededGenerator(seed: 41)
        let frames = (0 ..< 5).map { i in
            KeypointFrame(time: Float(i) / 2, width: 640, height: 360, mirrored: i % 2 == 1, keypoints: (0 ..< (i * 7)).map { _ in keypoint(&g) })
        }
        let packed = KeypointChannel.pack(frames)
        #expect(packed.count == frames.reduce(0) { $0 + 11 + 36 * $1.keypoints.count })
        #expect(KeypointChannel.wholeItemsLength(packed) == packed.count)
        let back = try #require(KeypointChannel.unpack(packed))
        #expect(back.count == frames.count)
        for (a, b) in zip(frames, back) {
            #expect(a.time == b.time && a.width == b.width && a.height == b.height && a.mirrored == b.mirrored)
            #expect(a.keypoints.count == b.keypoints.count)
            for (p, q) in zip(a.keypoints, b.keypoints) {
                #expect(p.descriptor == q.descriptor)
                #expect(abs(p.x - q.x) <= 0.125 && abs(p.y - q.y) <= 0.125)
                // Matching reads neither: they are not kept.
                #expect(q.angle == 0 && q.level == 0 && q.response == 0)
            }
        }
    }

    @Test func aCutBlobHoldsOnlyItsWholeFramesAndBrokenBytesDoNotUnpack() throws {
        var g = SeededGenerator(seed: 42)
        let frames = (0 ..< 3).map { i in KeypointFrame(time: Float(i), width: 480, height: 270, keypoints: (0 ..< 4).map { _ in keypoint(&g) }) }
        let packed = KeypointChannel.pack(frames)
        let cut = Array(packed.dropLast(5))
        #expect(KeypointChannel.unpack(cut) == nil)
        #expect(KeypointChannel.wholeItemsLength(cut) == 2 * (11 + 4 * 36))
        #expect(KeypointChannel.unpack(Array(cut.prefix(KeypointChannel.wholeItemsLength(cut))))?.count == 2)
    }

    @Test func theChannelRidesInTheFingerprintLikeTheOthers() throws {
        var g = SeededGenerator(seed: 43)
        let fingerprint = MediaFingerprint(duration: 3, keypointFrames: [KeypointFrame(time: 1, width: 64, height: 64, keypoints: [keypoint(&g)])])
        let packed = fingerprint.packed()
        #expect(Set(packed.keys) == ["picture-hashes", "sound-landmarks", "keypoints", "picture-motion-8x8", "sound-peaks"])
        let back = try #require(MediaFingerprint(packed: packed))
        #expect(back.keypointFrames.count == 1 && back.keypointFrames[0].keypoints[0].descriptor == fingerprint.keypointFrames[0].keypoints[0].descriptor)
        #expect(fingerprint.filtered { $0 < 1 }.isEmpty && !fingerprint.filtered { $0 >= 1 }.isEmpty)
        #expect(fingerprint.earliestTime == 1)
    }

    @Test func format3BlobsWithAnglesAndLevelsAreStillRead() throws {
        // Two frames as format 3 wrote them: per keypoint x, y (quarter pixels), angle (1/256
        // turns), level, descriptor; the second frame carries the first's keypoint 1 over as a bit.
        var bytes: [UInt8] = []
        func header(time: Float, count: UInt16, flags: UInt8) {
            appendLE(time.bitPattern, to: &bytes)
            appendLE(UInt16(480), to: &bytes)
            appendLE(UInt16(270), to: &bytes)
            bytes.append(flags)
            appendLE(count, to: &bytes)
        }
        func keypoint(x: UInt16, y: UInt16, turn: UInt8, level: UInt8, word: UInt64) {
            appendLE(x, to: &bytes)
            appendLE(y, to: &bytes)
            bytes += [turn, level]
            for w in 0 ..< 4 { appendLE(word &+ UInt64(w), to: &bytes) }
        }
        header(time: 0, count: 2, flags: 0)
        keypoint(x: 40, y: 80, turn: 64, level: 2, word: 7)
        keypoint(x: 100, y: 4, turn: 192, level: 0, word: 9)
        header(time: 0.5, count: 2, flags: 2)
        appendLE(UInt16(2), to: &bytes)
        bytes.append(0b10)
        keypoint(x: 8, y: 12, turn: 0, level: 5, word: 11)
        #expect(bytes.count == 2 * 11 + 2 + 1 + 3 * 38)
        #expect(KeypointChannel.wholeItemsLength(bytes, format: 3) == bytes.count)
        let frames = try #require(KeypointChannel.unpack(bytes, format: 3, after: nil))
        #expect(frames.map(\.keypoints.count) == [2, 2] && frames[1].time == 0.5)
        let first = frames[0].keypoints
        #expect(first[0].x == 10 && first[0].y == 20 && first[0].level == 2 && abs(first[0].angle - .pi / 2) < 1e-6)
        #expect(first[1].x == 25 && first[1].y == 1 && abs(first[1].angle + .pi / 2) < 1e-6)
        #expect(first[0].descriptor.words == SIMD4(7, 8, 9, 10))
        #expect(frames[1].keypoints[0] == first[1])
        #expect(frames[1].keypoints[1].x == 2 && frames[1].keypoints[1].level == 5)
        // A format this vmatch does not know is not read.
        #expect(KeypointChannel.unpack(bytes, format: KeypointChannel.format + 1, after: nil) == nil)
    }

    /// Frames that open with most of the frame before's keypoints in their order there (as
    /// `KeypointRecipe` carries them over), then new ones; the last frame has a carried one
    /// out of order: the one before it is carried, it and the rest are written in full.
    func carryingFrames(_ g: inout SeededGenerator) -> [KeypointFrame] {
        var frames: [KeypointFrame] = []
        var before: [Keypoint] = []
        for i in 0 ..< 6 {
            var keypoints = before.enumerated().filter { $0.offset % 3 != 1 }.map(\.element) + (0 ..< 9 + i).map { _ in keypoint(&g) }
            if i == 5 { keypoints.swapAt(0, 1) }
            // As they come back from the store: response 0, angle and position in steps.
            keypoints = KeypointChannel.unpack(KeypointChannel.pack([KeypointFrame(time: 0, width: 480, height: 270, keypoints: keypoints)]))![0].keypoints
            frames.append(KeypointFrame(time: Float(i) / 2, width: 480, height: 270, keypoints: keypoints))
            before = keypoints
        }
        return frames
    }

    @Test func keypointsOpeningWithTheFrameBeforesAreWrittenAsBits() throws {
        var g = SeededGenerator(seed: 44)
        let frames = carryingFrames(&g)
        // Per frame after the first, how many open it in their order in the frame before.
        let carried = zip(frames.dropFirst(), frames).map { f, b in
            var last = -1
            return f.keypoints.prefix { k in
                guard let i = b.keypoints.firstIndex(of: k), i > last else { return false }
                last = i
                return true
            }.count
        }
        #expect(Array(carried.prefix(4)).allSatisfy { $0 >= 3 } && carried[4] == 1)
        let packed = KeypointChannel.pack(frames)
        let expected = frames.enumerated().reduce(0) { total, e in
            let c = e.offset == 0 ? 0 : carried[e.offset - 1]
            let bits = e.offset == 0 ? 0 : frames[e.offset - 1].keypoints.count
            return total + 11 + (c > 0 ? 2 + (bits + 7) / 8 : 0) + 36 * (e.element.keypoints.count - c)
        }
        #expect(packed.count == expected)
        #expect(KeypointChannel.wholeItemsLength(packed) == packed.count)
        #expect(KeypointChannel.unpack(packed) == frames)
        // Cut anywhere, the whole frames before the cut unpack, and the rest after them.
        for cut in stride(from: 1, to: packed.count, by: 97) {
            let whole = KeypointChannel.wholeItemsLength(Array(packed.prefix(cut)))
            let head = try #require(KeypointChannel.unpack(Array(packed.prefix(whole))))
            let tail = try #require(KeypointChannel.unpack(Array(packed.dropFirst(whole)), after: head.last))
            #expect(head + tail == frames)
            if whole > 0, whole < packed.count, packed[whole + 8] & 2 != 0 {
                #expect(KeypointChannel.unpack(Array(packed.dropFirst(whole))) == nil)
            }
        }
        // Pieces packed on their own join by concatenation.
        let joined = KeypointChannel.pack(Array(frames.prefix(3))) + KeypointChannel.pack(Array(frames.dropFirst(3)))
        #expect(KeypointChannel.unpack(joined) == frames)
        #expect(joined.count > packed.count)
    }

    @Test func keypointsMovedAlikeAreWrittenAsBitsAndTheMove() throws {
        var g = SeededGenerator(seed: 45)
        let first = KeypointChannel.unpack(KeypointChannel.pack([
            KeypointFrame(time: 0, width: 480, height: 270, keypoints: (0 ..< 30).map { _ in keypoint(&g) })]))![0]
        // The first 20 moved 2.5 pixels right and 1.25 down, then 5 new ones.
        var second = KeypointFrame(time: 0.5, width: 480, height: 270, keypoints: first.keypoints.prefix(20).map { k in
            var k = k
            k.x += 2.5
            k.y += 1.25
            return k
        } + (0 ..< 5).map { _ in keypoint(&g) })
        second = KeypointChannel.unpack(KeypointChannel.pack([second]))![0]
        let packed = KeypointChannel.pack([first, second])
        #expect(packed[11 + 36 * 30 + 8] == 6)
        #expect(packed.count == 11 + 36 * 30 + 11 + 2 + 4 + 4 + 36 * 5)
        #expect(KeypointChannel.unpack(packed) == [first, second])
        #expect(KeypointChannel.wholeItemsLength(packed) == packed.count)
        #expect(KeypointChannel.wholeItemsLength(Array(packed.dropLast())) == 11 + 36 * 30)
    }
}
