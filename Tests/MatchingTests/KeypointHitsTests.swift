// The keypoint channel on synthetic keypoints: descriptor look-up, verification through a fitted
// placement, and the aligner's use of placements (a camera move over a still against a still
// view seen again).
import Fingerprint
import Foundation
@testable import Matching
import Testing
import TestSupport

@Suite struct KeypointHitsTests {
    func descriptor(_ g: inout SeededGenerator) -> BinaryDescriptor {
        BinaryDescriptor(words: SIMD4(g.next(), g.next(), g.next(), g.next()))
    }

    /// `d` with `bits` distinct bits flipped.
    func flip(_ d: BinaryDescriptor, bits: Int, _ g: inout SeededGenerator) -> BinaryDescriptor {
        var words = d.words
        var flipped = Set<Int>()
        while flipped.count < bits { flipped.insert(Int(g.next() % 256)) }
        for b in flipped { words[b / 64] ^= 1 << UInt64(b % 64) }
        return BinaryDescriptor(words: words)
    }

    /// A "picture": 150 keypoints at random places of a 480×270 frame.
    func picture(_ g: inout SeededGenerator) -> [Keypoint] {
        (0 ..< 150).map { _ in
            Keypoint(x: Float(g.next() % 4400) / 10 + 20, y: Float(g.next() % 2300) / 10 + 20, angle: 0, level: 0, response: 1,
                     descriptor: descriptor(&g))
        }
    }

    /// The picture placed in a 640×360 suspect frame by scale `s`, rotation `a` (radians) and
    /// shift `t`, each descriptor a few bits off, two thirds of the keypoints found again.
    func shown(_ p: [Keypoint], scale s: Double, angle a: Double, shift t: SIMD2<Double>, _ g: inout SeededGenerator) -> [Keypoint] {
        p.enumerated().compactMap { i, k in
            guard i % 3 != 0 else { return nil }
            let x = Double(k.x), y = Double(k.y)
            return Keypoint(x: Float(s * (cos(a) * x - sin(a) * y) + t.x), y: Float(s * (sin(a) * x + cos(a) * y) + t.y),
                            angle: 0, level: 0, response: 1, descriptor: flip(k.descriptor, bits: Int(g.next() % 12), &g))
        }
    }

    @Test func aScratchServesAnyNumberOfSearches() {
        // The scratch counts searches in 16 bits: past 65,535 of them every search still reports
        // each descriptor within reach once.
        var g = SeededGenerator(seed: 53)
        let query = descriptor(&g)
        let stored = (0 ..< 40).map { _ in flip(query, bits: Int(g.next() % 30), &g) }
        let index = DescriptorIndex(stored)
        var scratch = index.scratch(), wrong = 0
        for _ in 0 ..< 70_000 {
            var n = 0
            index.search(query, maximumDistance: 64, scratch: &scratch) { _, _ in n += 1 }
            if n != stored.count { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    @Test func theIndexCountsTheBytesItHolds() {
        var g = SeededGenerator(seed: 52)
        let stored = (0 ..< 1000).map { _ in descriptor(&g) }
        // 32 bytes a descriptor; per chunk (16) an id a descriptor and 65537 bucket starts, 4 bytes each.
        #expect(DescriptorIndex(stored).bytes == 32 * 1000 + 4 * 16 * (1000 + 65537))
        #expect(DescriptorIndex([]).bytes == 0)
    }

    /// The candidate index's anchors: the chunk width nearer log2(n), 16 bits up to 2^18.5
    /// descriptors (370,727), 21 from there; a full match's keypoints: 21 from 4 million on.
    @Test func theLayoutFollowsTheCount() {
        #expect(DescriptorIndex.Layout.forAnchors(count: 0) == .chunks16x16)
        #expect(DescriptorIndex.Layout.forAnchors(count: 65_536) == .chunks16x16)
        #expect(DescriptorIndex.Layout.forAnchors(count: 370_727) == .chunks16x16)
        #expect(DescriptorIndex.Layout.forAnchors(count: 370_728) == .chunks12x21)
        #expect(DescriptorIndex.Layout.forAnchors(count: 2_900_000) == .chunks12x21)
        #expect(DescriptorIndex.Layout.automatic(count: 2_900_000) == .chunks16x16)
        #expect(DescriptorIndex.Layout.automatic(count: 1 << 22) == .chunks12x21)
    }

    @Test(arguments: [DescriptorIndex.Layout.chunks16x16, .chunks12x21])
    func theIndexFindsEveryDescriptorWithinItsReachAndNothingTooFar(layout: DescriptorIndex.Layout) {
        var g = SeededGenerator(seed: 51)
        let stored = (0 ..< 2000).map { _ in descriptor(&g) }
        let index = DescriptorIndex(stored, layout: layout)
        #expect(index.layout == layout)
        // Within 15 bits (16 × 16) or 11 (12 × 21), some chunk of the stored descriptor is the
        // query's: found whatever bits differ.
        let reach = layout == .chunks16x16 ? 15 : 11
        var scratch = index.scratch()
        for i in stride(from: 0, to: 2000, by: 97) {
            let query = flip(stored[i], bits: reach, &g)
            var found: [Int: Int] = [:]
            index.search(query, maximumDistance: 64, scratch: &scratch) { id, d in
                #expect(found[id] == nil, "reported once")
                found[id] = d
            }
            #expect(found[i] == reach)
            #expect(found.values.allSatisfy { $0 <= 64 })
            #expect(found.keys.allSatisfy { query.distance(to: stored[$0]) == found[$0] })
            // Exactly those that share a chunk (no bucket here is crowded) and are within 64.
            let expected = stored.indices.filter { id in
                (0 ..< layout.chunks).contains { DescriptorIndex.chunk(stored[id], $0, layout) == DescriptorIndex.chunk(query, $0, layout) }
                    && query.distance(to: stored[id]) <= 64
            }
            #expect(Set(found.keys) == Set(expected))
        }
    }

    @Test func aCrowdedBucketIsPassedOverAsCommonForTheKeypointsDescribed() {
        var g = SeededGenerator(seed: 50)
        // 100 alike descriptors fill one bucket of every table, among 2000 others.
        let common = descriptor(&g)
        let stored = [BinaryDescriptor](repeating: common, count: 100) + (0 ..< 2000).map { _ in descriptor(&g) }
        func found(_ index: DescriptorIndex) -> Int {
            var scratch = index.scratch(), n = 0
            index.search(common, maximumDistance: 0, scratch: &scratch) { _, _ in n += 1 }
            return n
        }
        // Beyond 64 (32 times the mean share of 2100 keypoints, at least 64): common, passed over.
        #expect(found(DescriptorIndex(stored)) == 0)
        // The same descriptors standing for 300,000 keypoints (each carried over many frames):
        // the limit is 32 × 300,000 / 65,536 = 146, and the 100 are read.
        #expect(found(DescriptorIndex(stored, occurrences: 300_000)) == 100)
    }

    @Test func anInsetTurnedAndScaledIsVerifiedWithItsPlacement() throws {
        var g = SeededGenerator(seed: 52)
        let reference = picture(&g), other = picture(&g)
        let channel = KeypointHits([
            MediaFingerprint(keypointFrames: [KeypointFrame(time: 7, width: 480, height: 270, keypoints: reference)]),
            MediaFingerprint(keypointFrames: [KeypointFrame(time: 3, width: 480, height: 270, keypoints: other)]),
        ])
        let suspect = KeypointFrame(time: 1.5, width: 640, height: 360,
                                    keypoints: shown(reference, scale: 0.5, angle: 10 * .pi / 180, shift: SIMD2(300, 80), &g))
        var scratch = KeypointHits.Scratch(channel)
        let verified = channel.verifiedHits(suspect, scratch: &scratch)
        let hits = verified.hits
        let (r, hit) = try #require(hits.first)
        #expect(hits.count == 1 && r == 0 && hit.queryTime == 1.5 && hit.referenceTime == 7)
        // Where the picture sits is sighted too (for the motion check), once: the reference's
        // whole picture in the part of the clip its turned outline spans.
        let (sightedReference, sighting) = try #require(verified.sightings.first)
        #expect(verified.sightings.count == 1 && sightedReference == 0 && sighting.referenceTime == 7 && !sighting.mirrored)
        let framings = try #require(sighting.framings)
        #expect(abs(framings.reference.x0) < 0.01 && abs(framings.reference.y0) < 0.01
                && abs(framings.reference.x1 - 1) < 0.01 && abs(framings.reference.y1 - 1) < 0.01)
        let p = try #require(hit.placement)
        // The reference centre (240, 135) lands at 0.5·R(10°)·(240, 135) + (300, 80).
        let a = 10 * Double.pi / 180
        let cx = 0.5 * (cos(a) * 240 - sin(a) * 135) + 300, cy = 0.5 * (sin(a) * 240 + cos(a) * 135) + 80
        #expect(abs(Double(p.centre.x) - cx / 640) < 0.005 && abs(Double(p.centre.y) - cy / 360) < 0.005)
        #expect(abs(Double(p.logScale) - log(0.5)) < 0.01 && abs(Double(p.rotation) - a) < 0.01)

        // The evidence's outline: the reference frame's corners where the placement puts them,
        // within 0.5 % of the frame; its area a quarter of the reference's, in suspect shares.
        func placed(_ x: Double, _ y: Double) -> SIMD2<Double> {
            SIMD2((0.5 * (cos(a) * x - sin(a) * y) + 300) / 640, (0.5 * (sin(a) * x + cos(a) * y) + 80) / 360)
        }
        let outline = try #require(hit.geometry)
        let truth = [placed(0, 0), placed(480, 0), placed(480, 270), placed(0, 270)]
        #expect(zip(outline.corners, truth).allSatisfy { c, t in let d = c - t; return (d * d).sum().squareRoot() < 0.005 },
                "\(outline.corners) against \(truth)")
        #expect(abs(outline.areaShare - 0.25 * 480 * 270 / (640 * 360)) < 0.005)
        #expect(abs(outline.rotation - 10) < 0.5 && !outline.mirrored && outline.inliers >= KeypointHits.minimumPairs)
        #expect(!outline.isWholeFrame())

        // A clip showing the picture mirrored is found through its mirrored description, whose
        // positions are those of the mirror image (here: the placement above). The outline is
        // given in the frame as it plays: mirrored, turned the other way.
        var mirroredFrame = suspect
        mirroredFrame.mirrored = true
        let mirroredOutline = try #require(channel.verifiedHits(mirroredFrame, scratch: &scratch).hits.first?.1.geometry)
        #expect(mirroredOutline.mirrored && abs(mirroredOutline.rotation + 10) < 0.5)
        let mirroredTruth = truth.map { SIMD2(1 - $0.x, $0.y) }
        #expect(zip(mirroredOutline.corners, mirroredTruth).allSatisfy { c, t in let d = c - t; return (d * d).sum().squareRoot() < 0.005 },
                "\(mirroredOutline.corners) against \(mirroredTruth)")

        // An unrelated picture shows nothing.
        let unrelated = KeypointFrame(time: 2, width: 640, height: 360, keypoints: picture(&g))
        #expect(channel.verifiedHits(unrelated, scratch: &scratch).hits.isEmpty)
    }

    /// Reference: a camera move over a still — frames 0…15 s at 2 a second (fewer than
    /// `KeypointHits.framesVerified`: every moment of the shot is verified), the picture zoomed
    /// in at a rate that grows (z = 1 + 0.004·t²) and drifting sideways. Suspect: 10 s of it
    /// from 5 s on, turned 5° and placed at half size. (A perfectly uniform move — a constant
    /// zoom ratio per second, or a constant pan — is truly ambiguous: every moment of it,
    /// scaled or shifted, is the suspect's picture; then the where is not knowable from the
    /// picture alone.)
    func cameraMove(_ g: inout SeededGenerator, still: Bool) -> (reference: MediaFingerprint, suspect: MediaFingerprint) {
        let photo = picture(&g)
        func view(_ t: Double) -> [Keypoint] {
            let z = still ? 1 : 1 + 0.004 * t * t
            let drift = still ? 0 : 6 * sin(t / 3)
            return photo.map { k in
                var k = k
                k.x = Float(240 + (Double(k.x) - 240) * z + drift)
                k.y = Float(135 + (Double(k.y) - 135) * z)
                return k
            }
        }
        let times = stride(from: 0.0, to: 15, by: 0.5).map { $0 }
        let reference = MediaFingerprint(keypointFrames: times.map { KeypointFrame(time: Float($0), width: 480, height: 270, keypoints: view($0)) })
        let suspect = MediaFingerprint(keypointFrames: stride(from: 0.0, to: 10, by: 0.5).map { t in
            KeypointFrame(time: Float(t), width: 640, height: 360,
                          keypoints: shown(view(5 + t), scale: 0.5, angle: 5 * .pi / 180, shift: SIMD2(200, 60), &g))
        })
        return (reference, suspect)
    }

    @Test func aCameraMoveOverAStillIsFoundAtItsOwnMoment() throws {
        var g = SeededGenerator(seed: 53)
        let (reference, suspect) = cameraMove(&g, still: false)
        let library = ReferenceSet([(ReferenceEntry(path: "/move.mp4", duration: 20), reference)])
        let match = try #require(Matcher().match(suspect, in: library).first)
        let segment = try #require(match.segments.first)
        #expect(match.modality == .video && match.segments.count == 1)
        // Measured: reference 5.26–14.42 s for 5–14.5 s, speed 0.964 (neighbouring moments of
        // the move place the picture within the same-placement limits, which pulls the rate).
        #expect(abs(segment.referenceStart - 5) < 0.3 && abs(segment.referenceEnd - 14.5) < 0.3 && abs(segment.speed - 1) < 0.05, "\(segment)")
        #expect(segment.suspectEnd - segment.suspectStart > 8)
    }

    /// Pseudo-random landmarks marked as speech, 100 a second for `seconds`: a voice to the matcher.
    func landmarks(seed: UInt64, seconds: Double) -> [AudioLandmark] {
        var g = SeededGenerator(seed: seed)
        return (0 ..< Int(seconds * 100)).map { i in
            AudioLandmark(hash: UInt32(truncatingIfNeeded: g.next()) & 0x1F_FFFF, time: Float(i) / 100, pitch: UInt16(2560 + g.next() % 1280),
                          span: 3000, speech: 255, probes: 0)
        }
    }

    @Test func aPanThatEveryMomentMatchesIsPlacedWhereItsSoundIs() throws {
        // A steady pan across a wide photo, 12 px a second, with a voice; the clip shows 5…14.5 s
        // of it enlarged 1.3 times and turned 4° (a part of each view), with the same voice. Every
        // moment of the pan is in the clip's picture, each placed steadily along a line of its
        // own (the picture alone cannot say which), and the voice says where: the picture is
        // reused there.
        var g = SeededGenerator(seed: 57)
        let photo = (0 ..< 600).map { _ in
            Keypoint(x: Float(g.next() % 7200) / 10, y: Float(g.next() % 2700) / 10, angle: 0, level: 0, response: 1, descriptor: descriptor(&g))
        }
        func view(_ t: Double) -> [Keypoint] {
            photo.compactMap { k in
                var k = k
                k.x -= Float(12 * t)
                return (0 ..< 480).contains(k.x) ? k : nil
            }
        }
        let voice = landmarks(seed: 58, seconds: 20)
        let reference = MediaFingerprint(duration: 20, landmarks: voice,
                                         keypointFrames: stride(from: 0.0, to: 20, by: 0.5).map { KeypointFrame(time: Float($0), width: 480, height: 270, keypoints: view($0)) })
        let clipVoice = voice.filter { $0.time >= 5 && $0.time < 14.5 }.map { l in
            var l = l
            l.time -= 5
            return l
        }
        let suspect = MediaFingerprint(duration: 9.5, landmarks: clipVoice, keypointFrames: stride(from: 0.0, to: 9.5, by: 0.5).map { t in
            KeypointFrame(time: Float(t), width: 640, height: 360,
                          keypoints: shown(view(5 + t), scale: 1.3, angle: 4 * .pi / 180, shift: SIMD2(-10, -20), &g)
                              .filter { (0 ..< 640).contains($0.x) && (0 ..< 360).contains($0.y) })
        })
        let library = ReferenceSet([(ReferenceEntry(path: "/pan.mp4", duration: 20), reference)])
        let match = try #require(Matcher().match(suspect, in: library).first)
        #expect(match.modality == .both, "\(match.segments)")
        let picture = try #require(match.segments.first { $0.modality != .audio }, "\(match.segments)")
        #expect(abs(picture.referenceTime(at: (picture.suspectStart + picture.suspectEnd) / 2) - (5 + (picture.suspectStart + picture.suspectEnd) / 2)) < 0.5,
                "\(picture)")
        #expect(picture.suspectEnd - picture.suspectStart > 6 && picture.geometry != nil, "\(picture)")
    }

    @Test func aStillViewSeenAgainConfirmsNoMoment() {
        var g = SeededGenerator(seed: 54)
        let (reference, suspect) = cameraMove(&g, still: true)
        let library = ReferenceSet([(ReferenceEntry(path: "/still.mp4", duration: 20), reference)])
        #expect(Matcher().match(suspect, in: library).isEmpty)
    }

    /// A still camera: the same background in every frame, people (their own keypoints) passing
    /// by, a new set every second.
    func stillCamera(_ g: inout SeededGenerator, seconds: Int, background: [Keypoint]) -> [KeypointFrame] {
        stride(from: 0.0, to: Double(seconds), by: 0.5).map { t in
            var people = picture(&g)
            people.removeLast(90)
            return KeypointFrame(time: Float(t), width: 480, height: 270, keypoints: background + people)
        }
    }

    @Test func theSameSceneFilmedAtAnotherMomentIsNotACopyButACopyIs() throws {
        var g = SeededGenerator(seed: 55)
        var background = picture(&g)
        background.removeLast(50)
        let reference = stillCamera(&g, seconds: 20, background: background)
        let library = ReferenceSet([(ReferenceEntry(path: "/street.mp4", duration: 20), MediaFingerprint(keypointFrames: reference))])
        func suspect(_ frames: [KeypointFrame]) -> MediaFingerprint {
            MediaFingerprint(keypointFrames: frames.enumerated().map { i, f in
                KeypointFrame(time: Float(i) / 2, width: 640, height: 360,
                              keypoints: shown(f.keypoints, scale: 1.2, angle: 6 * .pi / 180, shift: SIMD2(20, -10), &g))
            })
        }
        // Other moments of the same scene: the background matches, the people do not.
        let otherMoments = suspect(stillCamera(&g, seconds: 10, background: background))
        #expect(Matcher().match(otherMoments, in: library).isEmpty)
        // The background still says where the scene sits in the clip (a where, not a whether):
        // enlarged 1.2 times, turned 6° and moved by (20, -10), the reference's corners land at
        // (20, -10), (592.8, 50.2), (558.9, 372.4), (-13.9, 312.2): the part of the clip up to
        // x = 592.8 of 640 shows it, and that part shows all of the reference.
        let sightings = try #require(KeypointHits([MediaFingerprint(keypointFrames: reference)])
            .hitsAndSightings(for: otherMoments, configuration: Matcher.Configuration()).sightings[0])
        #expect(sightings.count >= 10, "\(sightings.count) of 20 frames")
        let framings = try #require(SceneSighting.agreedFramings(sightings))
        let sides = { (f: MotionFraming) in [f.x0, f.y0, f.x1, f.y1] }
        #expect(zip(sides(framings.suspect), [0, 0, 592.8 / 640, 1]).allSatisfy { abs($0 - $1) < 0.01 }, "\(sides(framings.suspect))")
        #expect(zip(sides(framings.reference), [0, 0, 1, 1]).allSatisfy { abs($0 - $1) < 0.02 }, "\(sides(framings.reference))")
        // A copy of 4…14 s: the people match too.
        let copy = try #require(Matcher().match(suspect(Array(reference[8 ..< 28])), in: library).first)
        #expect(abs(copy.segments[0].referenceStart - 4) < 0.3 && copy.modality == .video, "\(copy.segments)")
    }

    @Test func aHeldShotEnlargedIsPlacedWhereItsSoundIsAndOnlyThere() throws {
        // A camera held still on one scene for 10 s, then on another for 10 s, with a voice
        // throughout: every keypoint is of its scene (seen again in place seconds apart), so the
        // search leaves them all out, and the picture alone cannot say which moment a clip shows.
        // The clip: 2…9.5 s enlarged 1.6 times (a crop of the middle), with its voice. The voice
        // says where; the picture shown there is the reference's.
        var g = SeededGenerator(seed: 59)
        let scenes = [picture(&g), picture(&g)]
        let voice = landmarks(seed: 60, seconds: 20)
        let times = stride(from: 0.0, to: 20, by: 0.5).map { $0 }
        let reference = MediaFingerprint(duration: 20, landmarks: voice, keypointFrames: times.map {
            KeypointFrame(time: Float($0), width: 480, height: 270, keypoints: scenes[$0 < 10 ? 0 : 1])
        })
        func clip(scene: Int, voiceFrom start: Double) -> MediaFingerprint {
            let clipVoice = voice.filter { Double($0.time) >= start && Double($0.time) < start + 7.5 }.map { l in
                var l = l
                l.time -= Float(start)
                return l
            }
            return MediaFingerprint(duration: 7.5, landmarks: clipVoice, keypointFrames: stride(from: 0.0, to: 7.5, by: 0.5).map { t in
                KeypointFrame(time: Float(t), width: 640, height: 360,
                              keypoints: shown(scenes[scene], scale: 1.6 * 640 / 480, angle: 0, shift: SIMD2(-190, -110), &g)
                                  .filter { (0 ..< 640).contains($0.x) && (0 ..< 360).contains($0.y) })
            })
        }
        let library = ReferenceSet([(ReferenceEntry(path: "/held.mp4", duration: 20), reference)])
        let channel = try #require(library.frameChannels.lazy.compactMap { $0 as? KeypointHits }.first)
        #expect(channel.hits(for: clip(scene: 0, voiceFrom: 2), configuration: Matcher.Configuration()).isEmpty,
                "the search finds no moment of a held shot")

        let match = try #require(Matcher().match(clip(scene: 0, voiceFrom: 2), in: library).first)
        #expect(match.modality == .both, "\(match.segments)")
        let picture = try #require(match.segments.first { $0.modality != .audio }, "\(match.segments)")
        #expect(abs(picture.referenceStart - 2) < 0.3 && picture.suspectEnd - picture.suspectStart > 6, "\(picture)")
        // Shown 1.6 times the clip's width and height: 2.56 times its area.
        let area = try #require(picture.geometry?.areaShare)
        #expect(abs(area - 2.56) < 0.05, "\(area)")

        // The first scene's picture with the voice of 12…19.5 s: the line puts it where the
        // reference shows the second scene, so the sound alone is reused.
        let moved = try #require(Matcher().match(clip(scene: 0, voiceFrom: 12), in: library).first)
        #expect(moved.modality == .audio, "\(moved.segments)")
        #expect(channel.hitsAlong(clip(scene: 0, voiceFrom: 12), reference: 0, rate: 1, offset: 12, queryRange: 0 ... 7.5).isEmpty)
        #expect(channel.hitsAlong(clip(scene: 1, voiceFrom: 12), reference: 0, rate: 1, offset: 12, queryRange: 0 ... 7.5).count == 15)
        // Without the voice, nothing says which moment: no match.
        var silent = clip(scene: 0, voiceFrom: 2)
        silent.landmarks = []
        #expect(Matcher().match(silent, in: library).isEmpty)
    }

    @Test func placementsAreTheSameWithinWhatAFitMeasures() {
        let p = Placement(centre: SIMD2(0.5, 0.5), logScale: 0.2, rotation: 0.07)
        #expect(p.isSame(as: Placement(centre: SIMD2(0.51, 0.505), logScale: 0.21, rotation: 0.08)))
        #expect(!p.isSame(as: Placement(centre: SIMD2(0.5, 0.5), logScale: 0.246, rotation: 0.07)))
        #expect(!p.isSame(as: Placement(centre: SIMD2(0.53, 0.5), logScale: 0.2, rotation: 0.07)))
        #expect(!p.isSame(as: Placement(centre: SIMD2(0.5, 0.5), logScale: 0.2, rotation: 0.12)))
        #expect(Placement(centre: .zero, logScale: 0, rotation: 3.13).isSame(as: Placement(centre: .zero, logScale: 0, rotation: -3.13)))
    }

    @Test func aKeypointIsOfTheSceneWhenSeenAgainInPlaceSecondsApartInItsOwnVideo() {
        var g = SeededGenerator(seed: 56)
        let d = descriptor(&g), other = descriptor(&g)
        // Per keypoint: frame, position, descriptor. Frames 0-2 of video 0 at 0, 1 and 3 s, frame
        // 3 of video 1 at 5 s; all 480×270 (place radius 0.005 × 551 ≈ 2.75 px).
        let owner: [UInt32] = [0, 0, 0, 1], time: [Float] = [0, 1, 3, 5]
        let size = [SIMD2<Double>](repeating: SIMD2(480, 270), count: 4)
        let keypoints: [(UInt32, SIMD2<Double>, BinaryDescriptor)] = [
            (0, SIMD2(100, 100), d),                         // 0: seen again by 3 at 3 s
            (0, SIMD2(300, 200), d),                         // 1: only by 6 in another video
            (0, SIMD2(50, 50), d),                           // 2: only 1 s later (4)
            (2, SIMD2(101.5, 101.5), flip(d, bits: 30, &g)), // 3: 2.1 px and 30 bits from 0
            (1, SIMD2(50, 50), d),                           // 4
            (2, SIMD2(400, 100), d),                         // 5: same descriptor, elsewhere
            (3, SIMD2(300, 200), d),                         // 6
            (2, SIMD2(200, 60), other),                      // 7: unrelated at 8's place
            (0, SIMD2(200, 60), flip(other, bits: 40, &g)),  // 8: 40 bits from 7
        ]
        // The computation expects keypoints grouped by video, as `init` lays them out.
        let order = keypoints.indices.sorted { owner[Int(keypoints[$0].0)] < owner[Int(keypoints[$1].0)] }
        let seen = KeypointHits.seenSpans(first: order.map { keypoints[$0].0 }, last: order.map { keypoints[$0].0 },
                                          position: order.map { keypoints[$0].1 },
                                          descriptors: order.map { keypoints[$0].2 }, owner: owner, time: time, size: size)
        let marks = zip(order, seen).map { k, seen in KeypointHits.isOfScene(seen: seen, at: time[Int(keypoints[k].0)]) }
        let byKeypoint = Dictionary(uniqueKeysWithValues: zip(order, marks))
        #expect((0 ..< keypoints.count).map { byKeypoint[$0]! } == [true, false, false, true, false, false, false, false, false])
    }
}
