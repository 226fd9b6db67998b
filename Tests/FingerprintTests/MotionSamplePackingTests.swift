@testable import Fingerprint
import Testing
import TestSupport

@Suite struct MotionSamplePackingTests {
    /// Samples as a file gives them: frame times of a 30 fps stream 6–9 frames apart, one aspect,
    /// cells that drift by a few levels, with a cut to another picture now and then.
    static func realistic(_ g: inout SeededGenerator, seconds: Double, from start: Double = 0) -> [MotionSample] {
        var out: [MotionSample] = []
        var frame = Int(start * 30)
        var cells = SIMD64<UInt16>((0 ..< 64).map { _ in UInt16(g.next() % 65281) })
        while Double(frame) < (start + seconds) * 30 {
            frame += 6 + Int(g.next() % 4)
            if g.next() % 40 == 0 {
                cells = SIMD64<UInt16>((0 ..< 64).map { _ in UInt16(g.next() % 65281) })
            } else {
                for i in 0 ..< 64 {
                    let step = Int(g.next() % 1201) - 600
                    cells[i] = UInt16(clamping: min(max(Int(cells[i]) + step, 0), 65280))
                }
            }
            out.append(MotionSample(time: Float(Double(frame) / 30), aspect: 16.0 / 9, cells: cells))
        }
        return out
    }

    /// Bit for bit (a Float's `==` would let -0 pass for 0 and fail NaN).
    static func same(_ a: [MotionSample]?, _ b: [MotionSample]) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy {
            $0.time.bitPattern == $1.time.bitPattern && $0.aspect.bitPattern == $1.aspect.bitPattern && $0.cells == $1.cells
        }
    }

    /// Format 1 as libraries before issue 33 hold it.
    static func records(_ samples: [MotionSample]) -> [UInt8] {
        var out: [UInt8] = []
        for s in samples {
            appendLE(s.time.bitPattern, to: &out)
            appendLE(s.aspect.bitPattern, to: &out)
            for i in 0 ..< 64 { appendLE(s.cells[i], to: &out) }
        }
        return out
    }

    static func random(_ g: inout SeededGenerator, count: Int) -> [MotionSample] {
        (0 ..< count).map { _ in
            MotionSample(time: Float(bitPattern: UInt32(truncatingIfNeeded: g.next())),
                         aspect: Float(bitPattern: UInt32(truncatingIfNeeded: g.next())),
                         cells: SIMD64<UInt16>((0 ..< 64).map { _ in UInt16(truncatingIfNeeded: g.next()) }))
        }
    }

    @Test func realisticSamplesRoundTripBitExactAndSmaller() {
        var g = SeededGenerator(seed: 33)
        for start: Double in [0, 0.001, 590, 10_800] {
            let samples = Self.realistic(&g, seconds: 60, from: start)
            let packed = MotionSample.pack(samples)
            #expect(Self.same(MotionSample.unpack(packed), samples), "from \(start) s")
            #expect(MotionSample.wholePackedLength(packed) == packed.count)
            #expect(MotionChannel.unpack(packed, format: MotionChannel.format, after: nil).map { Self.same($0, samples) } == true)
            // Cells moving by up to 2.3 levels take 13 bits each at most: under 120 of the 136 bytes.
            #expect(packed.count < samples.count * 120, "\(packed.count) bytes for \(samples.count) samples")
        }
    }

    @Test func anyValuesInAnyOrderRoundTripBitExact() {
        var g = SeededGenerator(seed: 34)
        let flat = MotionSample(time: 1, aspect: 1.5, cells: SIMD64<UInt16>(repeating: 0))
        let bright = MotionSample(time: 1.25, aspect: 1.5, cells: SIMD64<UInt16>(repeating: 65280))
        var samples = [
            flat, bright, flat, flat, bright, bright,
            MotionSample(time: 1.5, aspect: 0.5625, cells: SIMD64<UInt16>(repeating: 65535)),
            MotionSample(time: 0.5, aspect: 0, cells: SIMD64<UInt16>((0 ..< 64).map { $0 % 2 == 0 ? 0 : 65280 })),
            MotionSample(time: -0.0, aspect: -0.0, cells: SIMD64<UInt16>((0 ..< 64).map { $0 % 2 == 0 ? 65535 : 0 })),
            MotionSample(time: .nan, aspect: .nan, cells: SIMD64<UInt16>((0 ..< 64).map { UInt16($0 * 1000) })),
            MotionSample(time: Float(bitPattern: 0xFFFF_FFFF), aspect: .infinity, cells: SIMD64<UInt16>(repeating: 32768)),
            MotionSample(time: -1e30, aspect: .leastNonzeroMagnitude, cells: SIMD64<UInt16>(repeating: 32767)),
            MotionSample(time: .infinity, aspect: 1.5, cells: SIMD64<UInt16>(repeating: 1)),
        ]
        samples += Self.random(&g, count: 300)
        samples += Self.realistic(&g, seconds: 10).reversed()
        #expect(Self.same(MotionSample.unpack(MotionSample.pack(samples)), samples))
        for n in 1 ... 4 { #expect(Self.same(MotionSample.unpack(MotionSample.pack(Array(samples.prefix(n)))), Array(samples.prefix(n)))) }
        #expect(MotionSample.unpack(MotionSample.pack([])) == [])
        // The aspect is written when it changes, and only then.
        let same = MotionSample.pack([flat, flat]).count, changed = MotionSample.pack([flat, MotionSample(time: 1, aspect: 1.25, cells: flat.cells)]).count
        #expect(changed == same + 4)
    }

    @Test func piecesPackedOnTheirOwnJoinByConcatenationAndReadInAnyCuts() {
        var g = SeededGenerator(seed: 35)
        let samples = Self.realistic(&g, seconds: 300)
        // As the index spools a file: pieces packed on their own, appended.
        var blob: [UInt8] = [], at = 0
        while at < samples.count {
            let n = min(samples.count - at, 1 + Int(g.next() % 200))
            blob += MotionSample.pack(Array(samples[at ..< at + n]))
            at += n
        }
        #expect(Self.same(MotionSample.unpack(blob), samples))
        // As `StoredReferencePieces` reads a blob: cuts anywhere, whole samples unpacked after the
        // last one read, the rest kept for the next cut.
        for _ in 0 ..< 5 {
            #expect(Self.same(readInCuts(MotionChannel.self, blob, format: 2, longestCut: 700, &g), samples))
        }
    }

    @Test func blobsOfFormat1ReadAsBefore() throws {
        var g = SeededGenerator(seed: 36)
        let samples = Self.realistic(&g, seconds: 30)
        let old = Self.records(samples)
        #expect(Self.same(MotionChannel.unpack(old, format: 1, after: nil), samples))
        #expect(MotionChannel.wholeItemsLength(Array(old.dropLast(3)), format: 1) == old.count - MotionSample.recordSize)
        #expect(MotionChannel.unpack(Array(old.dropLast()), format: 1, after: nil) == nil)
        let read = try #require(MediaFingerprint(packed: [MotionChannel.name: old], formats: [MotionChannel.name: 1]))
        #expect(Self.same(read.motion, samples))
        // The same bytes taken for format 2 are not read as the samples they hold...
        #expect(MotionChannel.unpack(old, format: 2, after: nil).map { Self.same($0, samples) } != true)
        // ...and a format this build does not know is not read at all.
        #expect(MotionChannel.unpack(MotionSample.pack(samples), format: 3, after: nil) == nil)
        #expect(MotionChannel.wholeItemsLength(MotionSample.pack(samples), format: 3) == 0)
    }

    @Test func cutOrDamagedBlobsAreRefusedNotMisread() {
        var g = SeededGenerator(seed: 37)
        let samples = Self.realistic(&g, seconds: 5)
        let packed = MotionSample.pack(samples)
        // Every cut: whole samples up to it, and nil unless it falls between two.
        var ends: [Int] = []
        for n in 0 ... packed.count {
            let prefix = Array(packed.prefix(n))
            let whole = MotionSample.wholePackedLength(prefix)
            if whole == n { ends.append(n) }
            #expect(MotionSample.unpack(prefix).map { Self.same($0, Array(samples.prefix($0.count))) } ?? (whole < n))
        }
        #expect(ends.count == samples.count + 1)
        // Samples written relative to one before, read without it.
        #expect(MotionSample.unpack(Array(packed[ends[1]...])) == nil)
        // Flags `pack` never writes: a high bit, or "absolute" without the aspect.
        var flagged = packed
        flagged[0] |= 0x80
        #expect(MotionSample.unpack(flagged) == nil && MotionSample.wholePackedLength(flagged) == 0)
        flagged = packed
        flagged[0] = 1
        #expect(MotionSample.unpack(flagged).map { Self.same($0, samples) } != true)
        #expect(MotionSample.unpack([1, 0, 0, 0, 0, 0]) == nil)
        // A time past 32 bits.
        let zeroCells: [UInt8] = [0, 0, 0, 0]
        #expect(MotionSample.unpack([3, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0, 0, 0, 0] + zeroCells) == nil)
        #expect(MotionSample.unpack([3, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0, 0, 0] + zeroCells) == nil)
        #expect(MotionSample.unpack([3, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0, 0] + zeroCells).map { $0.first?.time.bitPattern } == 0xFFFF_FFFF)
        // Random bytes never trap; what they read is whole samples.
        for _ in 0 ..< 3000 {
            let junk = (0 ..< Int(g.next() % 160)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            for previous in [nil, samples.last] {
                if MotionSample.unpack(junk, after: previous) != nil {
                    #expect(MotionSample.wholePackedLength(junk) == junk.count)
                }
            }
        }
    }
}
