import Fingerprint
@testable import Matching
import Testing
import TestSupport

@Suite struct SuspectWindowsTests {
    /// Random frames (every one unlike every other) at 4 frames/s from `from` seconds.
    func randomFrames(_ g: inout SeededGenerator, seconds: Int, from: Float = 0) -> [FrameSignature] {
        (0..<(4 * seconds)).map { i in FrameSignature(time: from + Float(i) / 4, quality: 90, hashes: [randomHash(&g)]) }
    }

    /// The library in two tiers, as `compare` holds it: a candidate index of the references'
    /// anchors, their full fingerprints in memory.
    struct Library {
        var entries: [ReferenceEntry]
        var candidates: CandidateIndex
        var references: InMemoryReferences
        /// The same references in one tier, to compare with.
        var whole: ReferenceSet

        init(_ references: [(entry: ReferenceEntry, frames: [FrameSignature], landmarks: [AudioLandmark])]) {
            var builder = CandidateIndex.Builder()
            let fingerprints = references.map { MediaFingerprint(frames: $0.frames, landmarks: $0.landmarks) }
            for (i, r) in references.enumerated() {
                builder.add(r.entry, key: Int64(i), anchors: Anchors.of(fingerprints[i]))
            }
            entries = references.map(\.entry)
            candidates = builder.build()
            self.references = InMemoryReferences(fingerprints)
            whole = ReferenceSet(zip(references, fingerprints).map { ($0.entry, $1) })
        }

        func windows(_ configuration: SuspectWindows<InMemoryReferences>.Configuration = .init(), expectsLandmarks: Bool = false)
            -> SuspectWindows<InMemoryReferences> {
            SuspectWindows(configuration: configuration, expected: expectsLandmarks ? [.picture, .sound] : [.picture],
                           matcher: Matcher(), candidates: candidates, references: references)
        }
    }

    /// The suspect fed in batches of 64 frames, as `compare` decodes it, matched in windows.
    func windowed(_ suspect: [FrameSignature], library: Library, length: Double, overlap: Double,
                  expectsLandmarks: Bool = false) throws -> (matches: [ReferenceMatch], windows: Int) {
        var configuration = SuspectWindows<InMemoryReferences>.Configuration()
        configuration.grid = TimeGrid(length: length, overlap: overlap)
        var windows = library.windows(configuration, expectsLandmarks: expectsLandmarks)
        for start in stride(from: 0, to: suspect.count, by: 64) {
            try windows.add(MediaFingerprint(frames: Array(suspect[start ..< min(start + 64, suspect.count)])))
        }
        let matches = try windows.finish()
        return (matches, windows.windows)
    }

    @Test func aLongReuseCutIntoWindowsIsOneSegmentAsWhenMatchedWhole() throws {
        var g = SeededGenerator(seed: 21)
        let reference = randomFrames(&g, seconds: 400)
        let other = randomFrames(&g, seconds: 100)
        let library = Library([(ReferenceEntry(path: "/ref", duration: 400), reference, []),
                                        (ReferenceEntry(path: "/other", duration: 100), other, [])])
        // 20 s unrelated, then the reference's 30…330 s, then 20 s unrelated.
        var suspect = randomFrames(&g, seconds: 20)
        suspect += reference[120 ..< 1320].map { FrameSignature(time: $0.time - 10, quality: 80, hashes: $0.hashes) }
        suspect += randomFrames(&g, seconds: 20, from: 320)

        let whole = Matcher().match(MediaFingerprint(duration: 340, frames: suspect, landmarks: []), in: library.whole)
        let (matches, windows) = try windowed(suspect, library: library, length: 60, overlap: 20)
        #expect(windows == 8)
        #expect(matches.map(\.reference.path) == ["/ref"] && whole.map(\.reference.path) == ["/ref"])
        let one = try #require(matches.first?.segments), all = try #require(whole.first?.segments)
        #expect(one.count == 1 && all.count == 1)
        #expect(abs(one[0].suspectStart - 20) < 0.5 && abs(one[0].suspectEnd - 320) < 0.5)
        #expect(abs(one[0].referenceStart - 30) < 0.5 && abs(one[0].speed - 1) < 0.01)
        #expect(abs(one[0].suspectStart - all[0].suspectStart) < 0.3 && abs(one[0].suspectEnd - all[0].suspectEnd) < 0.3)
        #expect(one[0].modality == .video && matches[0].modality == .video)
    }

    @Test func aSuspectWithinOneWindowIsMatchedExactlyAsWhole() throws {
        var g = SeededGenerator(seed: 22)
        let reference = randomFrames(&g, seconds: 120)
        let library = Library([(ReferenceEntry(path: "/ref", duration: 120), reference, [])])
        let suspect = reference[40 ..< 200].map { FrameSignature(time: $0.time - 10, quality: 80, hashes: $0.hashes) }
        let whole = Matcher().match(MediaFingerprint(duration: 40, frames: suspect, landmarks: []), in: library.whole)
        let (matches, windows) = try windowed(suspect, library: library, length: 600, overlap: 120)
        #expect(windows == 1)
        #expect(matches.map(\.segments) == whole.map(\.segments) && matches.map(\.score) == whole.map(\.score))
    }

    @Test func twoReusedPartsStayTwoSegments() throws {
        var g = SeededGenerator(seed: 23)
        let reference = randomFrames(&g, seconds: 400)
        let library = Library([(ReferenceEntry(path: "/ref", duration: 400), reference, [])])
        // Suspect 0…100 s = reference 0…100 s; suspect 100…200 s = reference 250…350 s.
        let suspect = Array(reference[0 ..< 400]) + reference[1000 ..< 1400].map {
            FrameSignature(time: $0.time - 150, quality: 80, hashes: $0.hashes)
        }
        let (matches, _) = try windowed(suspect, library: library, length: 60, overlap: 20)
        let segments = try #require(matches.first?.segments)
        #expect(segments.count == 2)
        #expect(abs(segments[0].referenceStart - 0) < 0.5 && abs(segments[0].suspectEnd - 100) < 0.5)
        #expect(abs(segments[1].referenceStart - 250) < 0.5 && abs(segments[1].suspectStart - 100) < 0.5)
    }

    @Test func aMissingStreamHoldsWindowsBackOnlyUpToTheSkew() throws {
        var g = SeededGenerator(seed: 24)
        let reference = randomFrames(&g, seconds: 30)
        let library = Library([(ReferenceEntry(path: "/ref", duration: 30), reference, [])])
        var configuration = SuspectWindows<InMemoryReferences>.Configuration()
        configuration.grid = TimeGrid(length: 60, overlap: 20)
        configuration.skew = 100
        // The file says it has sound, but none comes: frames of a window wait until the picture is
        // `skew` past the window's end, then are matched.
        var windows = library.windows(configuration, expectsLandmarks: true)
        let suspect = reference + randomFrames(&g, seconds: 270, from: 30)
        for start in stride(from: 0, to: suspect.count, by: 64) {
            try windows.add(MediaFingerprint(frames: Array(suspect[start ..< min(start + 64, suspect.count)])))
            let latest = suspect[min(start + 64, suspect.count) - 1].time
            // Never more than length + skew (+ one batch) behind the picture.
            #expect(Double(latest) - Double(windows.windows) * 40 <= 60 + 100 + 16)
        }
        let matches = try windows.finish()
        #expect(windows.windows == 7)
        #expect(matches.map(\.reference.path) == ["/ref"])
    }

    @Test func damagedTimesAreDroppedAndGapsSkipped() throws {
        var g = SeededGenerator(seed: 25)
        let reference = randomFrames(&g, seconds: 30)
        let library = Library([(ReferenceEntry(path: "/ref", duration: 30), reference, [])])
        var windows = library.windows()
        try windows.add(MediaFingerprint(frames: [FrameSignature(time: .nan, quality: 90, hashes: [randomHash(&g)]),
                                                  FrameSignature(time: .infinity, quality: 90, hashes: [randomHash(&g)])]))
        // The same 30 s a million seconds in: one window, not two thousand empty ones.
        try windows.add(MediaFingerprint(frames: reference.map { FrameSignature(time: $0.time + 1_000_000, quality: 80, hashes: $0.hashes) }))
        let matches = try windows.finish()
        #expect(windows.windows == 1)
        #expect(matches.first?.segments.first.map { abs($0.suspectStart - 1_000_000) < 1 } == true)
    }
}
