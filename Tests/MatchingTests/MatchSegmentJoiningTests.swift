import Foundation
@testable import Matching
import Testing

@Suite struct MatchSegmentJoiningTests {
    /// A segment from `start` to `end` of the suspect, `offset` seconds into the reference at its
    /// start, at `speed`.
    func segment(_ modality: Modality, _ start: Double, _ end: Double, offset: Double, speed: Double = 1, score: Double) -> MatchSegment {
        MatchSegment(modality: modality, suspectStart: start, suspectEnd: end, referenceStart: offset,
                     referenceEnd: offset + speed * (end - start), score: score, speed: speed)
    }

    func kept(_ segments: [MatchSegment]) -> [String] {
        MatchSegment.withoutContradicted(segments).map { "\($0.modality) \($0.referenceStart)" }
    }

    // The large corpus profile's q039 (a rotated excerpt): the sound at the true offset, the
    // keypoints' fit ten seconds away at 0.925x over the same stretch.
    @Test func aWeakerSegmentElsewhereOverTheSameStretchIsDropped() {
        let sound = segment(.audio, 0.1, 12.5, offset: 19.3, score: 1)
        let picture = segment(.video, 1.0, 12.5, offset: 30.1, speed: 0.925, score: 0.76)
        #expect(kept([sound, picture]) == ["audio 19.3"])
        #expect(kept([picture, sound]) == ["audio 19.3"])
    }

    @Test func theWeakerIsDroppedWhicheverMediumItIs() {
        let sound = segment(.audio, 0, 10, offset: 40, score: 0.6)
        let picture = segment(.video, 0, 10, offset: 20, score: 0.9)
        #expect(kept([sound, picture]) == ["video 20.0"])
    }

    @Test func segmentsAtTheSamePlaceAreKept() {
        // Within the picture's sampling and alignment tolerance of each other.
        let sound = segment(.audio, 0, 10, offset: 20, score: 1)
        let picture = segment(.video, 0.5, 9.5, offset: 20.5 + 1.4, score: 0.5)
        #expect(kept([sound, picture]).count == 2)
    }

    @Test func segmentsOfOtherStretchesAreKept() {
        // A compilation: the reference's passage at 20 s, then its passage at 60 s, overlapping
        // by less than half of either.
        let first = segment(.both, 0, 10, offset: 20, score: 1)
        let second = segment(.video, 8, 18, offset: 60, score: 0.4)
        #expect(kept([first, second]).count == 2)
        // A short one mostly inside a long one's stretch is covered, however short.
        let inside = segment(.video, 3, 5, offset: 60, score: 0.4)
        #expect(kept([first, inside]) == ["both 20.0"])
    }

    // The large profile's q277 (a 9:16 blurred fill): the sound and a hash segment at 10.3 s, a
    // keypoint fit at 0.85x elsewhere, stronger than the hashes' segment but weaker than the sound.
    @Test func aSegmentDroppedDropsNoOther() {
        let sound = segment(.audio, 0.2, 8.6, offset: 10.5, score: 1)
        let misplaced = segment(.video, 0, 8.5, offset: 0.1, speed: 0.85, score: 0.75)
        let hashes = segment(.video, 0.5, 8, offset: 10.8, score: 0.6)
        #expect(kept([sound, misplaced, hashes]) == ["audio 10.5", "video 10.8"])
        #expect(kept([hashes, misplaced, sound]) == ["video 10.8", "audio 10.5"])
    }

    @Test func equalScoresKeepBoth() {
        let a = segment(.audio, 0, 10, offset: 20, score: 1)
        let b = segment(.video, 0, 10, offset: 40, score: 1)
        #expect(kept([a, b]).count == 2)
    }

    // Two suspect windows overlap: the first places 590…610 s of the clip at 20 s into the
    // reference, the second (its picture alone, weaker) at 300 s.
    @Test func windowsThatPlaceOneStretchDifferentlyKeepTheStrongerPlace() {
        let entry = ReferenceEntry(path: "/a.mp4", duration: 900)
        let first = ReferenceMatch(reference: entry, score: 1, modality: .both,
                                   segments: [segment(.both, 590, 610, offset: 20, score: 1)])
        let second = ReferenceMatch(reference: entry, score: 0.4, modality: .video,
                                    segments: [segment(.video, 592, 612, offset: 300, score: 0.4),
                                               segment(.video, 700, 720, offset: 400, score: 0.4)])
        let joined = first.joined(with: second)
        #expect(joined.segments.map(\.referenceStart) == [20, 400])
        #expect(joined.modality == .both)
    }

    @Test func contradictionIsSymmetric() {
        let a = segment(.audio, 0, 10, offset: 20, score: 1)
        let b = segment(.video, 2, 12, offset: 25, speed: 0.95, score: 0.3)
        #expect(a.contradicts(b) && b.contradicts(a))
        #expect(!a.contradicts(segment(.video, 2, 12, offset: 22, score: 0.3)))
    }
    /// Two segments of one stretch joined keep the stronger motion agreement and what it measured.
    @Test func aJoinedSegmentKeepsTheStrongerMotionEvidence() {
        func motion(_ start: Double, _ agreement: Double?, _ evidence: MatchSegment.MotionEvidence?) -> MatchSegment {
            MatchSegment(modality: .video, suspectStart: start, suspectEnd: start + 6, referenceStart: start + 10, referenceEnd: start + 16,
                         score: 0.5, speed: 1, motionAgreement: agreement, motionEvidence: evidence)
        }
        let joined = motion(0, 0.5, .changes).union(motion(4, 0.8, .appearance))
        #expect(joined.motionAgreement == 0.8 && joined.motionEvidence == .appearance)
        let other = motion(0, 0.9, .changes).union(motion(4, 0.8, .appearance))
        #expect(other.motionAgreement == 0.9 && other.motionEvidence == .changes)
        let one = motion(0, nil, nil).union(motion(4, 0.6, .appearance))
        #expect(one.motionAgreement == 0.6 && one.motionEvidence == .appearance)
        let none = motion(0, nil, nil).union(motion(4, nil, nil))
        #expect(none.motionAgreement == nil && none.motionEvidence == nil)
    }
}
