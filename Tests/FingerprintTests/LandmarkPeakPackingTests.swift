@testable import Fingerprint
import Testing
import TestSupport

@Suite struct LandmarkPeakPackingTests {
    /// Peaks as a reference's peak picker keeps them: up to 7 per 16-frame block, in time order,
    /// on the kept grid, within the analysed bins; speech in runs.
    static func realistic(_ g: inout SeededGenerator, seconds: Double, from start: Double = 0) -> [LandmarkPeak] {
        var out: [LandmarkPeak] = []
        var frame = Int32(start * 62.5) * Int32(LandmarkPeak.frameSteps)
        var speech: UInt8 = 0
        while Double(frame) < (start + seconds) * 62.5 * Double(LandmarkPeak.frameSteps) {
            frame += Int32(g.next() % UInt64(6 * LandmarkPeak.frameSteps))
            if g.next() % 3 == 0 { speech = UInt8(truncatingIfNeeded: g.next()) }
            out.append(LandmarkPeak(frame: frame, bin: UInt16(19 * 64 + g.next() % (200 * 64)), speech: speech))
        }
        return out
    }

    @Test func realisticPeaksRoundTripExactlyInAboutFourBytes() {
        var g = SeededGenerator(seed: 41)
        for start: Double in [0, 590, 10_800] {
            let peaks = Self.realistic(&g, seconds: 60, from: start)
            let packed = LandmarkPeak.pack(peaks)
            #expect(LandmarkPeak.unpack(packed) == peaks, "from \(start) s")
            #expect(LandmarkPeak.wholePackedLength(packed) == packed.count)
            #expect(SoundPeakChannel.unpack(packed, format: SoundPeakChannel.format, after: nil) == peaks)
            #expect(packed.count <= peaks.count * 9 / 2, "\(packed.count) bytes for \(peaks.count) peaks")
        }
    }

    @Test func edgeValuesAndAnyOrderRoundTripExactly() {
        var g = SeededGenerator(seed: 42)
        var peaks = [
            LandmarkPeak(frame: -8, bin: 0, speech: 0),
            LandmarkPeak(frame: .max, bin: (1 << 14) - 1, speech: 255),
            LandmarkPeak(frame: .min, bin: 1, speech: 255),
            LandmarkPeak(frame: 0, bin: 1, speech: 7),
        ]
        for _ in 0 ..< 500 {
            peaks.append(LandmarkPeak(frame: Int32(truncatingIfNeeded: g.next()), bin: UInt16(g.next() % (1 << 14)),
                                      speech: UInt8(truncatingIfNeeded: g.next() % 3)))
        }
        #expect(LandmarkPeak.unpack(LandmarkPeak.pack(peaks)) == peaks)
        #expect(LandmarkPeak.unpack(LandmarkPeak.pack([])) == [])
    }

    @Test func piecesPackedOnTheirOwnJoinByConcatenationAndReadInAnyCuts() {
        var g = SeededGenerator(seed: 43)
        let peaks = Self.realistic(&g, seconds: 300)
        var blob: [UInt8] = [], at = 0
        while at < peaks.count {
            let n = min(peaks.count - at, 1 + Int(g.next() % 300))
            blob += LandmarkPeak.pack(Array(peaks[at ..< at + n]))
            at += n
        }
        #expect(LandmarkPeak.unpack(blob) == peaks)
        for _ in 0 ..< 5 {
            #expect(readInCuts(SoundPeakChannel.self, blob, format: 1, longestCut: 300, &g) == peaks)
        }
    }

    @Test func cutOrDamagedBytesAreRefused() {
        var g = SeededGenerator(seed: 44)
        let peaks = Self.realistic(&g, seconds: 20)
        let packed = LandmarkPeak.pack(peaks)
        // Cut inside the last peak: the whole ones before it are read, the cut one is not.
        for cut in 1 ... 3 {
            let short = Array(packed.dropLast(cut))
            let whole = LandmarkPeak.wholePackedLength(short)
            #expect(whole < short.count)
            #expect(LandmarkPeak.unpack(Array(short[..<whole])) == Array(peaks.dropLast()))
            #expect(LandmarkPeak.unpack(short) == nil)
        }
        // A relative peak with nothing before it, and an absolute one whose speech is "as before".
        let first = LandmarkPeak.pack([peaks[0]]).count
        #expect(LandmarkPeak.unpack(Array(packed[first...])) == nil)
        #expect(LandmarkPeak.unpack(Array(packed[first...]), after: peaks[0]) == Array(peaks.dropFirst()))
        var head = LandmarkPeak.pack([peaks[0]])
        head[1] |= UInt8(LandmarkPeak.speechAsBeforeFlag >> 8)
        #expect(LandmarkPeak.unpack(head) == nil)
        #expect(LandmarkPeak.wholePackedLength(head) == 0)
        // A varint past 32 bits.
        #expect(LandmarkPeak.unpack([0x00, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0]) == nil)
    }

    @Test func aPeaksTimeIsItsAnchorsFrameCentre() {
        // The sound analysis's frames: hop 128 at 8000 Hz, the 512-sample window's centre.
        for frame: Int32 in [-8, 0, 1, 17, 1000, 62_500 * 16] {
            let seconds = (Double(frame) / 16 * 128 + 256) / 8000
            #expect(LandmarkPeak(frame: frame, bin: 0, speech: 0).time == Float(seconds))
        }
    }

    @Test func theFullTierKeepsAReferencesPeaksInsteadOfItsLandmarks() throws {
        var g = SeededGenerator(seed: 45)
        let peaks = Self.realistic(&g, seconds: 10)
        let landmarks = AudioLandmarkPackingTests.realistic(&g, seconds: 10).map(\.asStored)
        let reference = MediaFingerprint(landmarks: landmarks, landmarkPeaks: peaks)
        let kept = reference.keptInFull
        #expect(kept.landmarks.isEmpty)
        #expect(kept.landmarkPeaks == peaks)
        let read = try #require(MediaFingerprint(packed: kept.packed()))
        #expect(read.landmarkPeaks == peaks)
        #expect(read.landmarks.isEmpty)
        // Without peaks (a suspect, or a test's landmarks alone) the landmarks are kept.
        #expect(AudioLandmarkPackingTests.same(MediaFingerprint(landmarks: landmarks).keptInFull.landmarks, landmarks))
    }
}
