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

    /// The keypoints of `references` laid out as the channel lays them out (reference by
    /// reference, frame by frame), found from the fingerprints directly.
    func layout(_ references: [MediaFingerprint])
        -> (frame: [UInt32], position: [SIMD2<Double>], descriptors: [BinaryDescriptor], owner: [UInt32], time: [Float], size: [SIMD2<Double>]) {
        var out: (frame: [UInt32], position: [SIMD2<Double>], descriptors: [BinaryDescriptor], owner: [UInt32], time: [Float], size: [SIMD2<Double>])
            = ([], [], [], [], [], [])
        for (r, fingerprint) in references.enumerated() {
            for frame in fingerprint.keypointFrames where !frame.mirrored && MediaFingerprint.isPlausible(frame.time) {
                out.owner.append(UInt32(r))
                out.time.append(frame.time)
                out.size.append(SIMD2(Double(frame.width), Double(frame.height)))
                for k in frame.keypoints {
                    out.frame.append(UInt32(out.owner.count - 1))
                    out.position.append(SIMD2(Double(k.x), Double(k.y)))
                    out.descriptors.append(k.descriptor)
                }
            }
        }
        return out
    }

    @Test func preparedFlagsAndLayoutAreThoseFoundOverTheWholeSet() {
        var g = SeededGenerator(seed: 57)
        let fingerprints = references(&g).references
        let all = layout(fingerprints)
        let flags = KeypointHits.staticKeypoints(frame: all.frame, position: all.position, descriptors: all.descriptors,
                                                 owner: all.owner, time: all.time, size: all.size)
        let prepared = fingerprints.map(ReferenceKeypoints.init)
        #expect(prepared.flatMap(\.isStatic) == flags)
        #expect(flags.contains(true) && flags.contains(false))
        let channel = KeypointHits(prepared)
        #expect(channel.isStatic == flags)
        #expect(channel.keypointFrame == all.frame && channel.position == all.position)
        #expect(channel.frameOwner == all.owner && channel.frameTime == all.time && channel.frameSize == all.size)
        #expect(channel.index.count == all.descriptors.count)
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
