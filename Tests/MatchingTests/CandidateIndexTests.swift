import Fingerprint
@testable import Matching
import Testing
import TestSupport

@Suite struct CandidateIndexTests {
    /// A reference of `seconds` at 4 frames/s, each frame its area hash and six crop hashes,
    /// all random (every frame unlike every other).
    func reference(_ g: inout SeededGenerator, seconds: Int) -> [FrameSignature] {
        (0..<(4 * seconds)).map { i in
            FrameSignature(time: Float(i) / 4, quality: 90, hashes: (0..<7).map { _ in randomHash(&g) })
        }
    }

    @Test func anchorsEveryTwoSecondsWithOneCropInTurn() {
        var g = SeededGenerator(seed: 5)
        var frames = reference(&g, seconds: 20)
        frames[8].quality = 10  // the 2 s frame is not evidence: the next one stands in
        let anchors = Anchors.frames(frames)
        #expect(anchors.map(\.time) == [0, 2.25, 4, 6, 8, 10, 12, 14, 16, 18])
        #expect(anchors.allSatisfy { $0.hashes.count == 2 })
        #expect(anchors[0].hashes == [frames[0].hashes[0], frames[0].hashes[1]])
        #expect(anchors[1].hashes == [frames[9].hashes[0], frames[9].hashes[2]])
        #expect(anchors[6].hashes[1] == frames[48].hashes[1])

        // Taken in pieces of any size, as `index` streams a file: the same anchors.
        for piece in [1, 3, 7, 64] {
            var selector = Anchors.FrameSelector()
            let pieces = stride(from: 0, to: frames.count, by: piece).flatMap {
                selector.take(Array(frames[$0 ..< min($0 + piece, frames.count)]))
            }
            #expect(pieces == anchors)
        }
    }

    /// `count` random keypoints, strongest first.
    func keypoints(_ g: inout SeededGenerator, count: Int) -> [Keypoint] {
        (0 ..< count).map { i in
            Keypoint(x: Float(g.next() % 480), y: Float(g.next() % 270), angle: 0, level: 0, response: Float(count - i),
                     descriptor: BinaryDescriptor(words: SIMD4(g.next(), g.next(), g.next(), g.next())))
        }
    }

    @Test func keypointAnchorsHoldACornerOnceWhileItIsSeen() {
        // 12 s of one held view (its corners carried over, 100 of them), then 8 s of another: the
        // first anchor holds the view's 64 strongest, the next two (4 and 8 s) nothing new and are
        // not written, the new view's first its own, the one after it (16 s) nothing.
        var g = SeededGenerator(seed: 21)
        let held = keypoints(&g, count: 100), other = keypoints(&g, count: 100)
        let frames = (0 ..< 40).map { i in
            KeypointFrame(time: Float(i) / 2, width: 480, height: 270, keypoints: i < 24 ? held : other)
        }
        let anchors = Anchors.of(MediaFingerprint(duration: 20, keypointFrames: frames)).keypointFrames
        #expect(anchors.map(\.time) == [0, 12])
        #expect(anchors[0].keypoints == Array(held.prefix(64)) && anchors[1].keypoints == Array(other.prefix(64)))
        // In pieces, as `index` streams a file: the same anchors.
        var selector = Anchors.KeypointSelector()
        #expect(stride(from: 0, to: 40, by: 3).flatMap { selector.take(Array(frames[$0 ..< min($0 + 3, 40)])) } == anchors)
        // A suspect showing the held view (14 of its corners among the anchors' every frame)
        // finds the reference as it would with every anchor written.
        var builder = CandidateIndex.Builder()
        builder.add(ReferenceEntry(path: "/r", duration: 20), key: 1, anchors: MediaFingerprint(duration: 20, keypointFrames: anchors))
        let index = builder.build()
        let shown = (0 ..< 4).map { i in KeypointFrame(time: Float(i) / 2, width: 480, height: 270, keypoints: Array(held.suffix(50))) }
        #expect(index.evidence(for: MediaFingerprint(duration: 2, keypointFrames: shown))[0]?.keypointFrames == 4)
    }

    @Test func picksTheReferenceWhoseFramesTheSuspectShows() {
        var g = SeededGenerator(seed: 9)
        let refs = (0..<30).map { _ in reference(&g, seconds: 60) }
        var builder = CandidateIndex.Builder()
        for (i, r) in refs.enumerated() {
            builder.add(ReferenceEntry(path: "/r\(i)", duration: 60), key: Int64(100 + i), anchors: Anchors.of(MediaFingerprint(frames: r)))
        }
        let index = builder.build()
        #expect(index.anchorCount == 30 * 30 * 2)
        // 10 s of reference 17 from 20 s on, every hash 20 bits off; and 10 s of a crop of
        // reference 4 (its third crop hash, 12 bits off).
        let shown = (80..<120).map { i in
            FrameSignature(time: Float(i - 80) / 4, quality: 80, hashes: [flip(refs[17][i].hashes[0], bits: 20, &g)])
        } + (0..<40).map { i in
            FrameSignature(time: 10 + Float(i) / 4, quality: 80, hashes: [flip(refs[4][i].hashes[3], bits: 12, &g)])
        }
        let suspect = MediaFingerprint(duration: 20, frames: shown, landmarks: [])
        let evidence = index.evidence(for: suspect)
        #expect(evidence[17]?.frames == 5)
        #expect(evidence[4]?.frames == 1 || evidence[4]?.frames == 2)
        #expect(Set(evidence.keys) == [4, 17])
        #expect(index.candidates(for: suspect) == [17, 4])
        #expect(index.keys[17] == 117)
    }

    @Test func twoTiersGiveWhatOneTierGives() throws {
        var g = SeededGenerator(seed: 11)
        let refs = (0..<8).map { _ in reference(&g, seconds: 40) }
        var builder = CandidateIndex.Builder()
        for (i, r) in refs.enumerated() {
            builder.add(ReferenceEntry(path: "/r\(i)", duration: 40), key: Int64(i), anchors: Anchors.of(MediaFingerprint(frames: r)))
        }
        let index = builder.build()
        let oneTier = ReferenceSet(refs.enumerated().map { (ReferenceEntry(path: "/r\($0.offset)", duration: 40), MediaFingerprint(frames: $0.element)) })
        // Reference 2's 5…25 s at speed 1.1, every other frame's hash 10 bits off.
        let frames = (0..<80).map { i -> FrameSignature in
            let t = Float(i) / 4, source = Int(((5 + 1.1 * t) * 4).rounded())
            let h = refs[2][source].hashes[0]
            return FrameSignature(time: t, quality: 80, hashes: [i % 2 == 0 ? flip(h, bits: 10, &g) : h])
        }
        let suspect = MediaFingerprint(duration: 20, frames: frames, landmarks: [])
        let store = RecordingReferences(refs.map { MediaFingerprint(frames: $0) })
        let two = try Matcher().match(suspect, candidates: index, references: store)
        let one = Matcher().match(suspect, in: oneTier)
        #expect(store.read == [2])
        #expect(two.count == 1 && two.first?.reference.path == "/r2")
        #expect(two.map(\.segments) == one.map(\.segments))
        #expect(two.map(\.score) == one.map(\.score))
        // A candidate whose row is gone is skipped.
        #expect(try Matcher().match(suspect, candidates: index, references: InMemoryReferences([])).isEmpty)
    }
}

/// In-memory references that note which ones the matcher reads.
final class RecordingReferences: ReferenceSource, @unchecked Sendable {
    let references: InMemoryReferences
    private(set) var read: [Int] = []

    init(_ references: [MediaFingerprint]) {
        self.references = InMemoryReferences(references)
    }

    func fingerprint(ofReference r: Int) -> ReferenceFingerprint? {
        read.append(r)
        return references.fingerprint(ofReference: r)
    }
}

@Suite struct StaticViewTests {
    @Test func spreadKeepsTheClosestHalfAndAnEvenSpreadOfTheRest() {
        // 100 hits at reference times 0…99; the most similar are at 40…45.
        let hits = (0 ..< 100).map { i in
            FrameHit(queryTime: 1, referenceTime: Float(i), similarity: (40 ..< 46).contains(i) ? 0.95 : 0.8 - Float(i) / 1000)
        }
        let kept = PictureHashHits.spread(hits, limit: 24)
        #expect(kept.count == 24)
        let times = kept.map(\.referenceTime)
        #expect(times == times.sorted())
        for t in 40 ..< 46 { #expect(times.contains(Float(t))) }
        #expect(times.first! < 10 && times.last! > 90, "the rest is spread over the whole reference")
        #expect(PictureHashHits.spread(Array(hits.prefix(10)), limit: 24).count == 10)
    }

    @Test func aLongStaticSuspectOfAStaticReferenceIsNotAMatch() {
        // A still room filmed twice: every frame of both within a few bits of one hash.
        var g = SeededGenerator(seed: 3)
        let room = randomHash(&g)
        let reference = (0 ..< 600).map { FrameSignature(time: Float($0) / 4, quality: 90, hashes: [flip(room, bits: Int($0 % 5), &g)]) }
        let suspect = MediaFingerprint(duration: 75, frames: (0 ..< 300).map {
            FrameSignature(time: Float($0) / 4, quality: 90, hashes: [flip(room, bits: 3, &g)])
        }, landmarks: [])
        let library = ReferenceSet([(ReferenceEntry(path: "/room.mp4", duration: 150), MediaFingerprint(frames: reference))])
        #expect(Matcher().match(suspect, in: library).isEmpty)
    }
}
