// The channel seam: the matcher aligns, accepts and merges whatever frame-hit channels the
// library lists, knowing of each only its medium.
import Fingerprint
@testable import Matching
import Testing

/// A channel that reports fixed hits for one reference: suspect `start`…`seconds` at 4 instants
/// a second = reference `offset` + `rate` × t.
struct ScriptedChannel: FrameHitChannel {
    var medium: Medium
    var start: Float = 0
    var seconds: Float = 12
    var rate: Float = 1
    var offset: Float = 30
    var reference = 0
    var geometry: PictureGeometry?
    var isEmpty: Bool { false }

    func usableTimes(of suspect: MediaFingerprint) -> [Float] {
        stride(from: start, to: seconds, by: 0.25).map { $0 }
    }

    func hits(for suspect: MediaFingerprint, configuration: Matcher.Configuration) -> [Int: [FrameHit]] {
        [reference: usableTimes(of: suspect).map { FrameHit(queryTime: $0, referenceTime: offset + rate * $0, similarity: 0.9, geometry: geometry) }]
    }
}

@Suite struct FrameHitChannelTests {
    let entries = [ReferenceEntry(path: "/a.mp4", duration: 60), ReferenceEntry(path: "/b.mp4", duration: 60)]

    @Test func aChannelsHitsAreAlignedIntoASegmentOfItsMedium() throws {
        let library = ReferenceSet(entries: entries, frameChannels: [ScriptedChannel(medium: .picture, rate: 1.1)], landmarks: [[], []])
        let matches = Matcher().match(MediaFingerprint(), in: library)
        let match = try #require(matches.first)
        #expect(matches.count == 1 && match.reference.path == "/a.mp4" && match.modality == .video)
        let segment = try #require(match.segments.first)
        #expect(match.segments.count == 1 && segment.modality == .video)
        #expect(abs(segment.referenceStart - 30) < 0.2 && abs(segment.speed - 1.1) < 0.02 && abs(segment.suspectEnd - 11.75) < 0.01)
        #expect(segment.matchedFrames == 48)
    }

    @Test func twoChannelsAgreeingOnOneStretchAreOneSegmentOfBoth() throws {
        let library = ReferenceSet(entries: entries, frameChannels: [ScriptedChannel(medium: .picture), ScriptedChannel(medium: .sound)],
                                       landmarks: [[], []])
        let match = try #require(Matcher().match(MediaFingerprint(), in: library).first)
        #expect(match.modality == .both && match.segments.count == 1 && match.segments[0].modality == .both)
    }

    @Test func twoPictureChannelsFindingOneStretchGiveOneSegment() throws {
        // The hashes and the keypoints both find 0…12 s at 30 s on; the keypoints also say
        // where the picture sits.
        var keypoints = ScriptedChannel(medium: .picture)
        keypoints.geometry = PictureGeometry(corners: [SIMD2(0.1, 0.1), SIMD2(0.6, 0.1), SIMD2(0.6, 0.5), SIMD2(0.1, 0.5)],
                                             rotation: 0, mirrored: false, inliers: 30)
        let library = ReferenceSet(entries: entries, frameChannels: [ScriptedChannel(medium: .picture), keypoints], landmarks: [[], []])
        let match = try #require(Matcher().match(MediaFingerprint(), in: library).first)
        #expect(match.segments.count == 1 && match.modality == .video, "\(match.segments)")
        #expect(match.segments.first?.matchedFrames == 48)
        #expect(match.segments.first?.geometry == keypoints.geometry)
        // A stretch found by one channel only stays a segment of its own.
        let apart = ReferenceSet(entries: entries, frameChannels: [ScriptedChannel(medium: .picture, seconds: 6),
                                                                       ScriptedChannel(medium: .picture, start: 6, offset: 40)], landmarks: [[], []])
        #expect(Matcher().match(MediaFingerprint(), in: apart).first?.segments.count == 2)
    }

    @Test func channelsPlacingOneStretchAtTwoMomentsLeaveTheStrongerPlace() throws {
        // The first 6 s at 30 s on by one channel, all 12 s at 40 s on by the other: one stretch
        // of the clip shows one moment of the reference, and the longer evidence wins.
        let placed = ReferenceSet(entries: entries, frameChannels: [ScriptedChannel(medium: .picture, seconds: 6),
                                                                        ScriptedChannel(medium: .picture, offset: 40)], landmarks: [[], []])
        let match = try #require(Matcher().match(MediaFingerprint(), in: placed).first)
        #expect(match.segments.count == 1 && abs(match.segments[0].referenceStart - 40) < 0.2, "\(match.segments)")
    }

    @Test func channelsThatDisagreeOnTheReferenceGiveTwoMatches() throws {
        let library = ReferenceSet(entries: entries, frameChannels: [ScriptedChannel(medium: .picture),
                                                                         ScriptedChannel(medium: .picture, offset: 5, reference: 1)],
                                       landmarks: [[], []])
        let matches = Matcher().match(MediaFingerprint(), in: library)
        #expect(Set(matches.map(\.reference.path)) == ["/a.mp4", "/b.mp4"])
        #expect(matches.allSatisfy { $0.modality == .video })
    }
}
