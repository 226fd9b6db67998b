@testable import Fingerprint
import Testing
import TestSupport

@Suite struct AudioLandmarkPackingTests {
    /// Landmarks as the hasher makes them: anchors at interpolated frame times (hop 128 at
    /// 8 kHz, centred: `AnalysisParameters.seconds(ofFrame:)`), 1–6 triplets each sharing the
    /// anchor's time, pitch and speech; speech in runs.
    static func realistic(_ g: inout SeededGenerator, seconds: Double, from start: Double = 0) -> [AudioLandmark] {
        var out: [AudioLandmark] = []
        var frame = start * 62.5
        var speech: UInt8 = 0
        while frame < (start + seconds) * 62.5 {
            frame += 0.3 + Double(g.next() % 3000) / 1000
            let time = Float((frame * 128 + 256) / 8000)
            let pitch = UInt16(1800 + g.next() % 2800)
            if g.next() % 4 == 0 { speech = UInt8(truncatingIfNeeded: g.next()) }
            for _ in 0 ..< 1 + Int(g.next() % 6) {
                out.append(AudioLandmark(hash: UInt32(truncatingIfNeeded: g.next()) & LandmarkHash.mask, time: time, pitch: pitch,
                                         span: UInt16(640 + g.next() % 5800), speech: speech, probes: UInt8(truncatingIfNeeded: g.next())))
            }
        }
        return out
    }

    /// Bit for bit (a Float's `==` would let -0 pass for 0 and fail NaN).
    static func same(_ a: [AudioLandmark]?, _ b: [AudioLandmark]) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy {
            $0.hash == $1.hash && $0.time.bitPattern == $1.time.bitPattern && $0.pitch == $1.pitch && $0.span == $1.span
                && $0.speech == $1.speech && $0.probes == $1.probes
        }
    }

    /// Format 1 as libraries before issue 33 hold it.
    static func records(_ landmarks: [AudioLandmark]) -> [UInt8] {
        var out: [UInt8] = []
        for l in landmarks {
            appendLE(l.hash, to: &out)
            appendLE(l.time.bitPattern, to: &out)
            appendLE(l.pitch, to: &out)
            appendLE(l.span, to: &out)
            out += [l.speech, l.probes]
        }
        return out
    }

    @Test func realisticLandmarksRoundTripBitExactWithoutTheirProbes() {
        var g = SeededGenerator(seed: 33)
        for start: Double in [0, 0.001, 590, 10_800] {
            let landmarks = Self.realistic(&g, seconds: 60, from: start)
            let packed = AudioLandmark.pack(landmarks)
            #expect(Self.same(AudioLandmark.unpack(packed), landmarks.map(\.asStored)), "from \(start) s")
            #expect(AudioLandmark.wholePackedLength(packed) == packed.count)
            #expect(SoundLandmarkChannel.unpack(packed, format: SoundLandmarkChannel.format, after: nil).map { Self.same($0, landmarks.map(\.asStored)) } == true)
            // Compact: under half the 14 bytes of format 1.
            #expect(packed.count * 2 < landmarks.count * AudioLandmark.recordSize, "\(packed.count) bytes for \(landmarks.count) landmarks")
        }
    }

    @Test func anyTimesInAnyOrderAndEdgeValuesRoundTripBitExact() {
        var g = SeededGenerator(seed: 34)
        var landmarks = [
            AudioLandmark(hash: LandmarkHash.mask, time: 12.5, pitch: .max, span: .max, speech: 255, probes: 0),
            AudioLandmark(hash: 0, time: 0, pitch: 0, span: 0, speech: 0, probes: 0),
            AudioLandmark(hash: 1, time: -0.0, pitch: 0, span: 0, speech: 0, probes: 0),
            AudioLandmark(hash: 2, time: .nan, pitch: 1, span: 2, speech: 3, probes: 0),
            AudioLandmark(hash: 3, time: Float(bitPattern: 0xFFFF_FFFF), pitch: 1, span: 2, speech: 3, probes: 0),
            AudioLandmark(hash: 4, time: .infinity, pitch: 1, span: 2, speech: 3, probes: 0),
            AudioLandmark(hash: 5, time: -1e30, pitch: 1, span: 2, speech: 3, probes: 0),
            AudioLandmark(hash: 6, time: .leastNonzeroMagnitude, pitch: 1, span: 2, speech: 3, probes: 0),
        ]
        for _ in 0 ..< 500 {
            landmarks.append(AudioLandmark(hash: UInt32(truncatingIfNeeded: g.next()) & LandmarkHash.mask,
                                           time: Float(bitPattern: UInt32(truncatingIfNeeded: g.next())),
                                           pitch: UInt16(truncatingIfNeeded: g.next()), span: UInt16(truncatingIfNeeded: g.next()),
                                           speech: UInt8(truncatingIfNeeded: g.next()), probes: 0))
        }
        #expect(Self.same(AudioLandmark.unpack(AudioLandmark.pack(landmarks)), landmarks))
        #expect(AudioLandmark.unpack(AudioLandmark.pack([])) == [])
    }

    @Test func piecesPackedOnTheirOwnJoinByConcatenationAndReadInAnyCuts() {
        var g = SeededGenerator(seed: 35)
        let landmarks = Self.realistic(&g, seconds: 300).map(\.asStored)
        // As the index spools a file: pieces packed on their own, appended.
        var blob: [UInt8] = [], at = 0
        while at < landmarks.count {
            let n = min(landmarks.count - at, 1 + Int(g.next() % 400))
            blob += AudioLandmark.pack(Array(landmarks[at ..< at + n]))
            at += n
        }
        #expect(Self.same(AudioLandmark.unpack(blob), landmarks))
        // As `StoredReferencePieces` reads a blob: cuts anywhere, whole landmarks unpacked after
        // the last one read, the rest kept for the next cut.
        for _ in 0 ..< 5 {
            #expect(Self.same(readInCuts(SoundLandmarkChannel.self, blob, format: 2, longestCut: 700, &g), landmarks))
        }
    }

    @Test func blobsOfFormat1ReadAsBeforeProbesIncluded() throws {
        var g = SeededGenerator(seed: 36)
        let landmarks = Self.realistic(&g, seconds: 30)
        let old = Self.records(landmarks)
        #expect(Self.same(SoundLandmarkChannel.unpack(old, format: 1, after: nil), landmarks))
        #expect(SoundLandmarkChannel.wholeItemsLength(Array(old.dropLast(3)), format: 1) == old.count - AudioLandmark.recordSize)
        #expect(SoundLandmarkChannel.unpack(Array(old.dropLast()), format: 1, after: nil) == nil)
        // A whole fingerprint read from the store with the blob's format.
        var fingerprint = MediaFingerprint()
        let unpacked = fingerprint.unpack(SoundLandmarkChannel.self, old, format: 1)
        #expect(unpacked)
        #expect(Self.same(fingerprint.landmarks, landmarks))
        let read = try #require(MediaFingerprint(packed: [SoundLandmarkChannel.name: old], formats: [SoundLandmarkChannel.name: 1]))
        #expect(Self.same(read.landmarks, landmarks))
        // The same bytes taken for format 2 are not read as landmarks they do not hold...
        #expect(SoundLandmarkChannel.unpack(old, format: 2, after: nil).map { Self.same($0, landmarks) } != true)
        // ...and a format this build does not know is not read at all.
        #expect(SoundLandmarkChannel.unpack(AudioLandmark.pack(landmarks), format: 4, after: nil) == nil)
        #expect(SoundLandmarkChannel.wholeItemsLength(AudioLandmark.pack(landmarks), format: 4) == 0)
    }

    @Test func cutOrDamagedBlobsAreRefusedNotMisread() {
        var g = SeededGenerator(seed: 37)
        let landmarks = Self.realistic(&g, seconds: 5).map(\.asStored)
        let packed = AudioLandmark.pack(landmarks)
        // Every cut: whole landmarks up to it, and nil unless it falls between two.
        var ends: [Int] = []
        for n in 0 ... packed.count {
            let prefix = Array(packed.prefix(n))
            let whole = AudioLandmark.wholePackedLength(prefix)
            if whole == n { ends.append(n) }
            #expect(AudioLandmark.unpack(prefix).map { Self.same($0, Array(landmarks.prefix($0.count))) } ?? (whole < n))
        }
        #expect(ends.count == landmarks.count + 1)
        // Landmarks written relative to one before, read without it.
        #expect(AudioLandmark.unpack(Array(packed[ends[1]...])) == nil)
        // Flags `pack` never writes: bit 23, or "same anchor" with "absolute time".
        var flagged = packed
        flagged[2] |= 0x80
        #expect(AudioLandmark.unpack(flagged) == nil && AudioLandmark.wholePackedLength(flagged) == 0)
        flagged = packed
        flagged[2] |= 0x60
        #expect(AudioLandmark.unpack(flagged) == nil)
        // A time past 32 bits.
        #expect(AudioLandmark.unpack([0, 0, 0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0, 0, 0, 0, 0]) == nil)
        #expect(AudioLandmark.unpack([0, 0, 0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0, 0, 0, 0]) == nil)
        #expect(AudioLandmark.unpack([0, 0, 0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 0, 2, 3, 0]).map { $0.first?.time.bitPattern } == 0xFFFF_FFFF)
        // Random bytes never trap; what they read is whole landmarks.
        for _ in 0 ..< 2000 {
            let junk = (0 ..< Int(g.next() % 64)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            if let read = AudioLandmark.unpack(junk, after: landmarks.last) {
                #expect(AudioLandmark.wholePackedLength(junk) == junk.count && read.allSatisfy { $0.hash <= LandmarkHash.mask && $0.probes == 0 })
            }
        }
    }

    /// Format 3, the anchors tier's: hash and tenth of a second, exact for what the candidate
    /// index reads; pieces join by concatenation and read in any cuts; damaged bytes refused.
    @Test func anchorsKeepTheirHashAndTenthOfASecond() throws {
        var g = SeededGenerator(seed: 37)
        for start: Double in [0, 590, 10_800, 800_000] {
            var landmarks = Self.realistic(&g, seconds: 60, from: start)
            landmarks.insert(AudioLandmark(hash: 5, time: .nan, pitch: 1, span: 1, speech: 255, probes: 0), at: landmarks.count / 2)
            let plausible = landmarks.filter { MediaFingerprint.isPlausible($0.time) }
            let packed = AudioLandmark.packSketch(landmarks)
            let back = try #require(SoundLandmarkChannel.unpack(packed, format: 3, after: nil))
            #expect(back.count == plausible.count)
            #expect(zip(back, plausible).allSatisfy {
                $0.hash == $1.hash && AudioLandmark.sketchStep($0.time) == AudioLandmark.sketchStep($1.time)
                    && $0.speech == 255 && $0.pitch == 0 && $0.span == 0 && $0.probes == 0
            }, "from \(start) s")
            #expect(SoundLandmarkChannel.wholeItemsLength(packed, format: 3) == packed.count)
            #expect(packed.count <= plausible.count * 4 + 5)
            // In pieces, and read in cuts after the landmark before.
            var blob: [UInt8] = [], at = 0
            while at < landmarks.count {
                let n = min(landmarks.count - at, 1 + Int(g.next() % 200))
                blob += AudioLandmark.packSketch(Array(landmarks[at ..< at + n]))
                at += n
            }
            let cuts = try #require(readInCuts(SoundLandmarkChannel.self, blob, format: 3, longestCut: 50, &g))
            #expect(cuts.map(\.hash) == back.map(\.hash) && cuts.map(\.time) == back.map(\.time))
            // A relative landmark with nothing before it, a flag never written, a cut one.
            let first = AudioLandmark.packSketch([plausible[0]]).count
            #expect(AudioLandmark.unpackSketch(Array(packed[first...])) == nil)
            var flagged = packed
            flagged[2] |= 0x20
            #expect(AudioLandmark.unpackSketch(flagged) == nil)
            #expect(AudioLandmark.unpackSketch(Array(packed.dropLast())) == nil)
        }
    }

    /// Every tenth of a second of a reference up to 233 hours comes back as itself.
    @Test func everyTenthOfASecondComesBackAsItself() {
        var wrong = 0
        for step in UInt32(0) ..< 1 << 23 where AudioLandmark.sketchStep(AudioLandmark.sketchTime(step)) != step { wrong += 1 }
        #expect(wrong == 0)
    }
}
