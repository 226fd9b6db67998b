@testable import Fingerprint
import Testing
import TestSupport

@Suite struct FrameSignatureTests {
    @Test func evidenceStartsAtPDQsQualityCutOff() {
        #expect(!FrameSignature(time: 0, quality: 49, hashes: []).isEvidence)
        #expect(FrameSignature(time: 0, quality: 50, hashes: []).isEvidence)
    }
}

@Suite struct AudioLandmarkTests {
    @Test func speechStartsAtHalfLikelihood() {
        #expect(!AudioLandmark(hash: 0, time: 0, pitch: 0, span: 0, speech: 127, probes: 0).isSpeech)
        #expect(AudioLandmark(hash: 0, time: 0, pitch: 0, span: 0, speech: 128, probes: 0).isSpeech)
    }
}

@Suite struct LandmarkHashTests {
    @Test func fieldsComposeAndDecomposeExactly() {
        let h = LandmarkHash.compose(d23: 100, d12: 3, ratio: 15, band: 2)
        #expect(h <= LandmarkHash.mask)
        #expect(LandmarkHash.fields(h) == (100, 3, 15, 2))
    }

    @Test func probesAddTheMarkedNeighbourCellsNeverPastAFieldsRange() {
        let base = LandmarkHash.compose(d23: 10, d12: 127, ratio: 0, band: 3)
        // d23: the cell below; d12: the cell above (none: 127 is the top); ratio: below (none: 0); band: above.
        let l = AudioLandmark(hash: base, time: 0, pitch: 0, span: 0, speech: 0, probes: 1 | 2 << 2 | 1 << 4 | 2 << 6)
        let probes = LandmarkHash.probes(of: l)
        #expect(probes.count == 4)
        #expect(Set(probes.map { LandmarkHash.fields($0).d23 }) == [9, 10])
        #expect(Set(probes.map { LandmarkHash.fields($0).band }) == [3, 4])
        #expect(probes.allSatisfy { LandmarkHash.fields($0).d12 == 127 && LandmarkHash.fields($0).ratio == 0 })
        #expect(probes.first == base)
    }
}

@Suite struct TimeGridTests {
    @Test func spansResumeOnTheGridAtTheFirstSpanHoldingATime() {
        let grid = TimeGrid(length: 60, overlap: 20)
        #expect(grid.step == 40)
        // Spans [0, 60), [40, 100), [80, 140), …: 59 is in the first, 61 first in the second.
        #expect(grid.start(holding: 0) == 0)
        #expect(grid.start(holding: 59) == 0)
        #expect(grid.start(holding: 61) == 40)
        #expect(grid.start(holding: 100) == 80)
        #expect(grid.start(holding: 1_000_000) == 999_960)
        for t in stride(from: 0.0, to: 500, by: 7.3) {
            let s = grid.start(holding: t)
            #expect(s <= t && t < s + grid.length && (s == 0 || t >= s - grid.step + grid.length))
        }
    }

    @Test func implausibleTimesAreRecognised() {
        #expect(MediaFingerprint.isPlausible(0) && MediaFingerprint.isPlausible(9_999_999))
        #expect(!MediaFingerprint.isPlausible(-0.5) && !MediaFingerprint.isPlausible(.nan) && !MediaFingerprint.isPlausible(.infinity))
        #expect(!MediaFingerprint.isPlausible(1e7))
    }
}

@Suite struct MotionSampleTests {
    @Test func samplesSurviveThePackedFormExactly() throws {
        var g = SeededGenerator(seed: 11)
        let samples = (0 ..< 7).map { i in
            MotionSample(time: Float(i) * 0.25 + 0.05, aspect: Float(i) * 0.3,
                         cells: SIMD64<UInt16>((0 ..< 64).map { _ in UInt16.random(in: 0 ... 65280, using: &g) }))
        }
        let packed = MotionChannel.pack(samples)
        #expect(MotionChannel.unpack(packed) == samples)
        #expect(MotionChannel.unpack(Array(packed.dropLast())) == nil)
        #expect(MotionChannel.wholeItemsLength(Array(packed.dropLast())) == MotionChannel.pack(Array(samples.dropLast())).count)
        // Through the fingerprint, by the channel's name.
        let fingerprint = try #require(MediaFingerprint(packed: MediaFingerprint(motion: samples).packed()))
        #expect(fingerprint.motion == samples)
    }

    @Test func theMirroredGridReversesEachRow() {
        let s = MotionSample(time: 1, aspect: 1.5, cells: SIMD64<UInt16>((0 ..< 64).map { UInt16($0) }))
        let reversedRows: [UInt16] = (0 ..< 64).map { (i: Int) -> UInt16 in UInt16(i / 8 * 8 + 7 - i % 8) }
        #expect(s.mirrored.cells == SIMD64<UInt16>(reversedRows))
        #expect(s.mirrored.aspect == 1.5)
        #expect(s.mirrored.mirrored == s)
    }
}

@Suite struct SoundPeakTests {
    @Test func aSuspectsPeaksAreCutAndJoinedWithItsChannelsButNeverStored() throws {
        let landmark = AudioLandmark(hash: 1, time: 1, pitch: 640, span: 300, speech: 255, probes: 0)
        let peaks = [SoundPeak(time: 0.5, pitch: 10), SoundPeak(time: 1.5, pitch: 20)]
        var fingerprint = MediaFingerprint(duration: 2, landmarks: [landmark], soundPeaks: peaks)
        #expect(fingerprint.filtered { $0 >= 1 }.soundPeaks == [peaks[1]])
        var joined = MediaFingerprint(soundPeaks: [peaks[0]])
        joined.append(MediaFingerprint(soundPeaks: [peaks[1]]))
        #expect(joined.soundPeaks == peaks)
        let back = try #require(MediaFingerprint(packed: fingerprint.packed()))
        #expect(back.landmarks == [landmark] && back.soundPeaks.isEmpty)
        fingerprint.removeAll { $0 < 1 }
        #expect(fingerprint.soundPeaks == [peaks[1]])
    }

    @Test func peaksAreTheLandmarksDistinctAnchors() {
        let a = AudioLandmark(hash: 1, time: 2, pitch: 640, span: 300, speech: 255, probes: 0)
        var b = a, c = a
        b.hash = 2
        c.time = 1
        #expect(SoundPeak.anchors(of: [a, b, c]) == [SoundPeak(time: 1, pitch: 10), SoundPeak(time: 2, pitch: 10)])
    }
}
