@testable import Fingerprint
import Testing
import TestSupport

@Suite struct FrameSignaturePackingTests {
    /// `hash` with `count` distinct random bits flipped.
    static func flipped(_ hash: PDQHash, bits count: Int, _ g: inout SeededGenerator) -> PDQHash {
        var words = hash.words, chosen = Set<Int>()
        while chosen.count < count { chosen.insert(Int(g.next() % 256)) }
        for b in chosen { words[b / 64] ^= 1 << UInt64(b % 64) }
        return PDQHash(words: words)
    }

    /// Frames as a file gives them: a quarter second apart, seven hashes each (the area and its
    /// regions) that drift by 0–24 bits from one frame to the next, a cut to another view now
    /// and then, and now and then a frame with only the area's hash.
    static func realistic(_ g: inout SeededGenerator, seconds: Double, from start: Double = 0) -> [FrameSignature] {
        var out: [FrameSignature] = []
        var hashes = (0 ..< 7).map { _ in randomHash(&g) }
        var time = start
        while time < start + seconds {
            time += 0.25 + Double(g.next() % 10) / 1000
            if g.next() % 30 == 0 {
                hashes = (0 ..< 7).map { _ in randomHash(&g) }
            } else {
                hashes = hashes.map { flipped($0, bits: Int(g.next() % 25), &g) }
            }
            let shown = g.next() % 12 == 0 ? Array(hashes.prefix(1)) : hashes
            out.append(FrameSignature(time: Float(time), quality: UInt8(40 + g.next() % 61), hashes: shown))
        }
        return out
    }

    /// Bit for bit (a Float's `==` would let -0 pass for 0).
    static func same(_ a: [FrameSignature]?, _ b: [FrameSignature]) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.time.bitPattern == $1.time.bitPattern && $0.quality == $1.quality && $0.hashes == $1.hashes }
    }

    /// Format 1 as libraries before issue 33 hold it.
    static func records(_ frames: [FrameSignature]) -> [UInt8] {
        var out: [UInt8] = []
        for f in frames {
            appendLE(f.time.bitPattern, to: &out)
            out += [f.quality, UInt8(f.hashes.count)]
            for h in f.hashes { for w in 0 ..< 4 { appendLE(h.words[w], to: &out) } }
        }
        return out
    }

    @Test func realisticFramesRoundTripBitExactAndSmaller() {
        var g = SeededGenerator(seed: 41)
        for start: Double in [0, 0.001, 590, 10_800] {
            let frames = Self.realistic(&g, seconds: 60, from: start)
            let packed = FrameSignature.pack(frames)
            #expect(Self.same(FrameSignature.unpack(packed), frames), "from \(start) s")
            #expect(FrameSignature.wholePackedLength(packed) == packed.count)
            // Hashes 0–24 bits from the one before: about 13 bytes a hash, not 32.
            #expect(packed.count * 10 < Self.records(frames).count * 6, "\(packed.count) bytes against \(Self.records(frames).count)")
        }
    }

    @Test func unrelatedHashesAndOddTimesRoundTripWhole() {
        var g = SeededGenerator(seed: 42)
        let frames = (0 ..< 40).map { i in
            FrameSignature(time: Float(bitPattern: UInt32(truncatingIfNeeded: g.next())), quality: UInt8(truncatingIfNeeded: g.next()),
                           hashes: (0 ..< Int(g.next() % 9)).map { _ in randomHash(&g) })
        } + [FrameSignature(time: -0.0, quality: 0, hashes: []), FrameSignature(time: .infinity, quality: 100, hashes: [PDQHash(words: .zero)])]
        let packed = FrameSignature.pack(frames)
        #expect(Self.same(FrameSignature.unpack(packed), frames))
        // Unrelated hashes are written whole: a byte more than format 1 each.
        let hashes = frames.reduce(0) { $0 + $1.hashes.count }
        #expect(packed.count <= Self.records(frames).count + hashes + 6 * frames.count)
    }

    @Test func theLayoutIsAsDocumented() {
        let a = PDQHash(words: SIMD4(0x0102_0304_0506_0708, 0, 0, 0xFF00_0000_0000_0000))
        var bWords = a.words
        bWords[0] ^= 1 << 3
        bWords[2] ^= 1 << 2
        let b = PDQHash(words: bWords), c = PDQHash(words: ~a.words)
        let packed = FrameSignature.pack([FrameSignature(time: 1, quality: 77, hashes: [a]),
                                          FrameSignature(time: 1.25, quality: 80, hashes: [b, c])])
        // Absolute; 1.0's bit pattern 0x3F800000 as a varint; quality, count; a whole hash.
        #expect(Array(packed[0 ..< 8]) == [1, 0x80, 0x80, 0x80, 0xFC, 0x03, 77, 1])
        #expect(packed[8] == 255 && Array(packed[9 ..< 17]) == [8, 7, 6, 5, 4, 3, 2, 1] && packed[40] == 0xFF)
        // Relative; 1.25 − 1.0 is 0x200000 in bit patterns, zigzagged 0x400000; bits 3 and 130
        // flipped from the hash at the same place; the second hash has none before it: whole.
        #expect(Array(packed[41 ..< 52]) == [0, 0x80, 0x80, 0x80, 0x02, 80, 2, 2, 3, 130, 255])
        #expect(packed.count == 52 + 32)
    }

    @Test func piecesPackedOnTheirOwnJoinAndReadInAnyCuts() {
        var g = SeededGenerator(seed: 43)
        let frames = Self.realistic(&g, seconds: 40)
        // As the index spools a fingerprint: pieces packed on their own, concatenated.
        let blob = stride(from: 0, to: frames.count, by: 37).map { FrameSignature.pack(Array(frames[$0 ..< min($0 + 37, frames.count)])) }.reduce([], +)
        #expect(Self.same(FrameSignature.unpack(blob), frames))
        // As `StoredReferencePieces` reads a blob: cuts anywhere, whole frames unpacked after the
        // last one read, the rest kept for the next cut.
        for _ in 0 ..< 5 {
            #expect(Self.same(readInCuts(PictureHashChannel.self, blob, format: 2, longestCut: 300, &g), frames))
        }
    }

    @Test func blobsOfFormat1ReadAsBefore() throws {
        var g = SeededGenerator(seed: 44)
        let frames = Self.realistic(&g, seconds: 20)
        let old = Self.records(frames)
        #expect(Self.same(PictureHashChannel.unpack(old, format: 1, after: nil), frames))
        let lastLength = 6 + 32 * frames.last!.hashes.count
        #expect(PictureHashChannel.wholeItemsLength(Array(old.dropLast(3)), format: 1) == old.count - lastLength)
        #expect(PictureHashChannel.unpack(Array(old.dropLast()), format: 1, after: nil) == nil)
        let read = try #require(MediaFingerprint(packed: [PictureHashChannel.name: old], formats: [PictureHashChannel.name: 1]))
        #expect(Self.same(read.frames, frames))
        // The same bytes taken for format 2 are not read as the frames they hold, and a format
        // this build does not know is not read at all.
        #expect(PictureHashChannel.unpack(old, format: 2, after: nil).map { Self.same($0, frames) } != true)
        #expect(PictureHashChannel.unpack(FrameSignature.pack(frames), format: 3, after: nil) == nil)
        #expect(PictureHashChannel.wholeItemsLength(FrameSignature.pack(frames), format: 3) == 0)
    }

    @Test func cutOrDamagedBlobsAreRefusedNotMisread() {
        var g = SeededGenerator(seed: 45)
        let frames = Self.realistic(&g, seconds: 5)
        let packed = FrameSignature.pack(frames)
        #expect(FrameSignature.unpack(Array(packed.dropLast())) == nil)
        #expect(FrameSignature.wholePackedLength(Array(packed.dropLast())) < packed.count)
        // A relative frame with no frame before it.
        let second = FrameSignature.wholePackedLength(FrameSignature.pack([frames[0]]))
        #expect(FrameSignature.unpack(Array(packed[second...])) == nil)
        // A flag `pack` never sets; a hash byte it never writes.
        var flagged = packed
        flagged[0] |= 2
        #expect(FrameSignature.unpack(flagged) == nil)
        var counted = FrameSignature.pack([FrameSignature(time: 0, quality: 90, hashes: [randomHash(&g)]),
                                           FrameSignature(time: 0, quality: 90, hashes: [randomHash(&g)])])
        // The second frame: flags, time (no change: one byte), quality, count, then its hash's byte.
        let at = FrameSignature.wholePackedLength(Array(counted.dropLast()))
        #expect(counted[at + 4] == 255)
        counted[at + 4] = 40
        #expect(FrameSignature.unpack(counted) == nil)
    }
}
