// One part of the candidate index: the search tables of a set of references, built together and
// kept together in one file (`CandidateIndex+File`). An index built whole is one part; a library
// that grew since its file was written is answered from that file's part and a small part of the
// references indexed since, so that adding a video to a large library does not build the whole
// index again (`CandidateIndexFile`).
import Fingerprint

extension CandidateIndex {
    package struct Part: Sendable {
        let anchors: HammingIndex
        /// Per reference, its first anchor id; one more element at the end.
        let anchorStarts: FlatArray<UInt32>
        let sounds: LandmarkSketch
        /// Keypoint anchors' descriptors, and per keypoint its reference.
        let keypoints: DescriptorIndex
        let keypointOwner: FlatArray<UInt32>
        /// Per reference, the caller's key (e.g. store id) and the stamp of what it was built
        /// from (zero when none was given).
        package let keys: FlatArray<Int64>
        package let rowStamps: FlatArray<SIMD4<UInt64>>
        /// The stamp its file was written with (`write(to:stamp:)`); empty for a part built here.
        package var stamp: [UInt8] = []

        package var referenceCount: Int { keys.count }
        /// Whether its keypoint anchors are cut as this vmatch cuts that many
        /// (`DescriptorIndex.Layout.forAnchors`): a file written when the choice was another is
        /// built again, so that it gets the look-up its size asks for.
        package var keypointLayoutIsCurrent: Bool { keypoints.layout == .forAnchors(count: keypoints.count) }
        var bytes: Int {
            anchors.bytes + 4 * anchorStarts.count + sounds.bytes + keypoints.bytes + 4 * keypointOwner.count + 8 * keys.count + 32 * rowStamps.count
        }

        /// The part's reference an anchor belongs to.
        @inline(__always)
        func owner(ofAnchor id: Int) -> Int {
            var lo = 0, hi = anchorStarts.count - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if Int(anchorStarts[mid]) <= id { lo = mid } else { hi = mid }
            }
            return lo
        }
    }
}
