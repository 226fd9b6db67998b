// Which stored channels `index` counts as made (issue 29): the keypoint blobs of format 1 are
// empty whether the channel was off or found nothing.
import Fingerprint
import LibraryStore
@testable import Pipeline
import Testing

@Suite struct LibraryIndexerTests {
    func video(picture: Bool, sound: Bool) -> IndexedVideo {
        IndexedVideo(id: 1, path: "/a.mp4", size: 1, modified: 1, digest: "d", duration: 1, hasVideo: picture,
                     hasAudio: sound, fingerprintVersion: FingerprintFormat.version, indexedAt: 1)
    }

    @Test func anEmptyKeypointBlobCountsOnlyInTheFormatThatSaysItWasMade() {
        let both = video(picture: true, sound: true)
        #expect(!LibraryIndexer.holds(nil, KeypointChannel.self, for: both))
        #expect(!LibraryIndexer.holds(BlobSummary(format: 1, count: 0), KeypointChannel.self, for: both))
        #expect(LibraryIndexer.holds(BlobSummary(format: 1, count: 49), KeypointChannel.self, for: both))
        #expect(LibraryIndexer.holds(BlobSummary(format: KeypointChannel.format, count: 0), KeypointChannel.self, for: both))
        #expect(LibraryIndexer.holds(BlobSummary(format: 1, count: 0), MotionChannel.self, for: both))
        #expect(!LibraryIndexer.holds(nil, MotionChannel.self, for: both))
        // The packed formats of motion and landmarks changed how, not whether, a blob is written:
        // an empty one of format 1 (no frames, a silent file) is as made as ever.
        #expect(MotionChannel.format > 1 && SoundLandmarkChannel.format > 1)
        #expect(LibraryIndexer.holds(BlobSummary(format: 1, count: 0), SoundLandmarkChannel.self, for: both))
    }

    @Test func aChannelOfAMediumTheFileLacksHasNothingToMake() {
        let soundOnly = video(picture: false, sound: true)
        #expect(LibraryIndexer.holds(nil, KeypointChannel.self, for: soundOnly))
        #expect(LibraryIndexer.holds(BlobSummary(format: 1, count: 0), KeypointChannel.self, for: soundOnly))
        #expect(!LibraryIndexer.holds(nil, SoundLandmarkChannel.self, for: soundOnly))
        #expect(LibraryIndexer.holds(nil, SoundLandmarkChannel.self, for: video(picture: true, sound: false)))
    }

    @Test func theKeypointChannelIsMadeOnlyWhenSwitchedOn() {
        func names(_ keypoints: Bool) -> [String] {
            FingerprintOptions(role: .reference, keypoints: keypoints).channels.map { channel in channel.name }
        }
        #expect(names(true) == MediaFingerprint.channels.map { channel in channel.name })
        #expect(names(false) == names(true).filter { $0 != KeypointChannel.name })
    }
}
