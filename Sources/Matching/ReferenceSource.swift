// Where the matcher reads the full fingerprints of the references a suspect names as candidates:
// the seam between matching and the store. `Pipeline` implements it over `LibraryStore` (rows
// read on demand, long references streamed in pieces); `InMemoryReferences` holds them in
// arrays, for tests and benchmarks. Matching never calls back into its caller otherwise.
import Fingerprint

package protocol ReferenceSource: Sendable {
    /// The full fingerprint of reference `r` (its place in the candidate index); nil when it is
    /// gone or unreadable (removed or re-indexed since the index was built).
    func fingerprint(ofReference r: Int) throws -> ReferenceFingerprint?
}

package enum ReferenceFingerprint {
    /// All of it at once, with its keypoints as the keypoint channel reads them, prepared once
    /// (a source that keeps references across suspects keeps them prepared). The channel reads
    /// `keypoints`, never the fingerprint's own keypoint frames, which a source may leave out.
    case whole(MediaFingerprint, keypoints: ReferenceKeypoints)
    /// A reference too long to hold: its fingerprint in overlapping pieces, in time order (times
    /// as in the whole).
    case pieces(any ReferencePieces)
}

package protocol ReferencePieces {
    /// The next piece (every channel's values in one stretch of the reference); nil after the last.
    mutating func next() throws -> MediaFingerprint?
}

/// References held whole in memory, in candidate-index order; their keypoints prepared each time
/// one is asked for.
package struct InMemoryReferences: ReferenceSource {
    package var references: [MediaFingerprint]

    package init(_ references: [MediaFingerprint]) {
        self.references = references
    }

    package func fingerprint(ofReference r: Int) -> ReferenceFingerprint? {
        references.indices.contains(r) ? .whole(references[r], keypoints: ReferenceKeypoints(references[r])) : nil
    }
}
