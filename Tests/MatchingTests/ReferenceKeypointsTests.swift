// Each reference's keypoints prepared once (`ReferenceKeypoints`) give the keypoint channel what
// laying out every reference's fingerprint for each suspect gave it: the same scene flags, the
// same layout, the same hits.
import Fingerprint
import Foundation
@testable import Matching
import Testing
import TestSupport

@Suite struct ReferenceKeypointsTests {
    let make = KeypointHitsTests()

    /// Still cameras (their backgrounds are of the scene), a camera move, frames the channel
    /// skips (mirrored, implausible times), another picture size and an empty reference.
    func references(_ g: inout SeededGenerator) -> (references: [MediaFingerprint], copied: [KeypointFrame], move: MediaFingerprint) {
        var background = make.picture(&g)
        background.removeLast(50)
        let street = make.stillCamera(&g, seconds: 20, background: background)
        let (move, moveSuspect) = make.cameraMove(&g, still: false)
        var skipped = make.stillCamera(&g, seconds: 8, background: Array(make.picture(&g).prefix(80)))
        skipped[3].mirrored = true
        skipped[5].time = -1
        skipped[6].time = .nan
        let large = make.stillCamera(&g, seconds: 6, background: Array(make.picture(&g).prefix(70))).map {
            KeypointFrame(time: $0.time, width: 640, height: 360, keypoints: $0.keypoints.map { var k = $0; k.x *= 1.3; k.y *= 1.3; return k })
        }
        let references = [MediaFingerprint(keypointFrames: street), move, MediaFingerprint(keypointFrames: skipped),
                          MediaFingerprint(), MediaFingerprint(keypointFrames: large)]
        return (references, Array(street[8 ..< 28]), moveSuspect)
    }

    typealias Layout = (frame: [UInt32], position: [SIMD2<Double>], descriptors: [BinaryDescriptor], owner: [UInt32], time: [Float],
                        size: [SIMD2<Double>], run: [Int])

    /// The keypoints of `references` laid out frame by frame (reference by reference), found
    /// from the fingerprints directly, and per keypoint its run: the keypoints carried over
    /// from frame to frame as they were (place and descriptor) are one run, numbered in order
    /// of first frame.
    func layout(_ references: [MediaFingerprint]) -> Layout {
        var out: Layout = ([], [], [], [], [], [], [])
        var runs = 0
        for (r, fingerprint) in references.enumerated() {
            var before: [(Keypoint, Int)] = []
            for frame in fingerprint.keypointFrames where !frame.mirrored && MediaFingerprint.isPlausible(frame.time) {
                out.owner.append(UInt32(r))
                out.time.append(frame.time)
                out.size.append(SIMD2(Double(frame.width), Double(frame.height)))
                var now: [(Keypoint, Int)] = []
                for k in frame.keypoints {
                    out.frame.append(UInt32(out.owner.count - 1))
                    out.position.append(SIMD2(Double(k.x), Double(k.y)))
                    out.descriptors.append(k.descriptor)
                    if let i = before.firstIndex(where: { $0.0.x == k.x && $0.0.y == k.y && $0.0.descriptor == k.descriptor }) {
                        out.run.append(before.remove(at: i).1)
                    } else {
                        out.run.append(runs)
                        runs += 1
                    }
                    now.append((k, out.run.last!))
                }
                before = now
            }
        }
        return out
    }

    /// Per keypoint of each frame, whether another like it in the same place is seen at least
    /// `staticSpan` seconds away in its video: the definition, pair by pair.
    func ofTheScene(_ all: Layout) -> [Bool] {
        let owner = all.frame.map { all.owner[Int($0)] }, time = all.frame.map { all.time[Int($0)] }, position = all.position
        return all.frame.indices.map { i in
            let d = all.size[Int(all.frame[i])]
            let radius = Keypoint.samePlace * (d * d).sum().squareRoot()
            // Keypoints are laid out video by video.
            let video = (owner.firstIndex(of: owner[i])!) ..< (owner.lastIndex(of: owner[i])! + 1)
            return video.contains { j in
                let delta = position[j] - position[i]
                return (delta * delta).sum() <= radius * radius && abs(time[j] - time[i]) >= KeypointHits.staticSpan
                    && all.descriptors[i].distance(to: all.descriptors[j]) <= Keypoint.sameDescriptor
            }
        }
    }

    @Test func preparedLayoutAndSceneKeypointsAreThoseOfTheDefinition() {
        var g = SeededGenerator(seed: 57)
        let fingerprints = references(&g).references
        let all = layout(fingerprints)
        let scene = ofTheScene(all)
        #expect(scene.contains(true) && scene.contains(false))
        let runs = all.run.max()! + 1
        var first = [UInt32](repeating: .max, count: runs), last = [UInt32](repeating: 0, count: runs)
        var position = [SIMD2<Double>](repeating: .zero, count: runs)
        for (i, r) in all.run.enumerated() {
            first[r] = min(first[r], all.frame[i])
            last[r] = max(last[r], all.frame[i])
            position[r] = all.position[i]
        }
        #expect(runs < all.frame.count && zip(first, last).contains { $0 < $1 })
        let prepared = fingerprints.map(ReferenceKeypoints.init)
        let channel = KeypointHits(prepared)
        #expect(channel.seen == prepared.flatMap(\.seen))
        #expect(channel.firstFrame == first && channel.lastFrame == last && channel.position == position)
        #expect(channel.frameOwner == all.owner && channel.frameTime == all.time && channel.frameSize == all.size)
        #expect(channel.index.count == runs)
        // Each keypoint at each of its frames is of the scene as the definition says.
        let found = all.run.indices.map { i in KeypointHits.isOfScene(seen: channel.seen[all.run[i]], at: all.time[Int(all.frame[i])]) }
        #expect(found == scene)
    }

    @Test func keypointsCarriedOverAreLookedUpOnceAndFindWhatTheirCopiesFind() throws {
        var g = SeededGenerator(seed: 59)
        // A still camera whose people move: each frame's new corners are carried over to the next
        // frame (held half a second: of the moment, not the scene).
        var background = make.picture(&g)
        background.removeLast(70)
        var fresh: [Keypoint] = []
        let frames = stride(from: 0.0, to: 12, by: 0.5).map { t in
            let carried = fresh
            fresh = Array(make.picture(&g).prefix(50))
            return KeypointFrame(time: Float(t), width: 480, height: 270, keypoints: background + carried + fresh)
        }
        // The same, each frame's keypoints a thousandth of a pixel apart from the frame before's.
        let apart = frames.enumerated().map { i, f in
            KeypointFrame(time: f.time, width: 480, height: 270, keypoints: f.keypoints.map { var k = $0; k.x += Float(i) / 1000; return k })
        }
        let carried = KeypointHits([ReferenceKeypoints(MediaFingerprint(keypointFrames: frames))])
        let separate = KeypointHits([ReferenceKeypoints(MediaFingerprint(keypointFrames: apart))])
        #expect(separate.index.count == frames.reduce(0) { $0 + $1.keypoints.count })
        #expect(carried.index.count < separate.index.count / 3)
        let suspect = MediaFingerprint(keypointFrames: frames[6 ..< 20].enumerated().map { i, f in
            KeypointFrame(time: Float(i) / 2, width: 640, height: 360,
                          keypoints: make.shown(f.keypoints, scale: 1.2, angle: 4 * .pi / 180, shift: SIMD2(30, 5), &g))
        })
        let found = carried.hits(for: suspect, configuration: .init())[0] ?? []
        let again = separate.hits(for: suspect, configuration: .init())[0] ?? []
        #expect(found.count >= 10 && found.count == again.count)
        for (a, b) in zip(found, again) {
            #expect(a.queryTime == b.queryTime && a.referenceTime == b.referenceTime && a.similarity == b.similarity)
            #expect(a.placement.map { p in b.placement.map { p.deviation(from: $0) < 0.01 } ?? false } ?? false)
        }
    }

    @Test func aSetOfPreparedReferencesGivesTheSameHitsAndMatches() throws {
        var g = SeededGenerator(seed: 58)
        let (fingerprints, copied, move) = references(&g)
        let entries = fingerprints.indices.map { ReferenceEntry(path: "/r\($0).mp4", duration: 20) }
        let old = ReferenceSet(Array(zip(entries, fingerprints)))
        // As `LoadedReferences` hands them out: the fingerprint's own keypoint frames left out.
        let prepared = ReferenceSet(prepared: zip(entries, fingerprints).map { entry, fingerprint in
            var rest = fingerprint
            rest.keypointFrames = []
            return (entry, rest, ReferenceKeypoints(fingerprint))
        })
        let copy = MediaFingerprint(keypointFrames: copied.enumerated().map { i, f in
            KeypointFrame(time: Float(i) / 2, width: 640, height: 360,
                          keypoints: make.shown(f.keypoints, scale: 1.2, angle: 6 * .pi / 180, shift: SIMD2(20, -10), &g))
        })
        for suspect in [copy, move] {
            let before = try #require(old.frameChannels.last as? KeypointHits).hits(for: suspect, configuration: .init())
            let after = try #require(prepared.frameChannels.last as? KeypointHits).hits(for: suspect, configuration: .init())
            #expect(!before.isEmpty)
            #expect(String(describing: before.sorted { $0.key < $1.key }) == String(describing: after.sorted { $0.key < $1.key }))
            let found = Matcher().match(suspect, in: old), again = Matcher().match(suspect, in: prepared)
            #expect(!found.isEmpty)
            #expect(found.map(\.reference.path) == again.map(\.reference.path) && found.map(\.score) == again.map(\.score))
            #expect(found.map(\.segments) == again.map(\.segments))
        }
    }
}
