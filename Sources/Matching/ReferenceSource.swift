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
    /// A reference too long to hold at once: its fingerprint in overlapping pieces, in time order
    /// (times as in the whole).
    case pieces(any ReferencePieces)
}

package protocol ReferencePieces {
    /// The next piece (every channel's values in one stretch of the reference) with its keypoints
    /// prepared, as `whole` gives them (the piece's own keypoint frames may be left out); nil
    /// after the last.
    mutating func next() throws -> ReferencePiece?
}

/// One piece of a long reference, as the matcher reads it.
package struct ReferencePiece: Sendable {
    package var fingerprint: MediaFingerprint
    package var keypoints: ReferenceKeypoints

    package init(fingerprint: MediaFingerprint, keypoints: ReferenceKeypoints) {
        self.fingerprint = fingerprint
        self.keypoints = keypoints
    }
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
