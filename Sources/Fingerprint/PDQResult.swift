// PDQResult and PDQDihedralResult: a hash with the reference's quality score (0...100), and the
// eight dihedral hashes computed from one DCT. Input shape: values produced by `PDQHasher`.

public struct PDQResult: Sendable, Hashable, Codable {
    public var hash: PDQHash
    /// The reference's image-domain gradient measure, 0...100. Uniform or nearly uniform frames
    /// (black, fades, flat title cards) score low and hash unstably.
    public var quality: Int

    public init(hash: PDQHash, quality: Int) {
        self.hash = hash
        self.quality = quality
    }

    /// PDQ's conventional cut-off: frames below it are not used as evidence, because their hashes
    /// are dominated by noise and collide across unrelated clips (black frames, fades).
    public static let minimumEvidenceQuality = 50

    /// The one rule for whether a frame of this quality may count as evidence of reuse.
    public static func isEvidence(quality: Int) -> Bool { quality >= minimumEvidenceQuality }

    /// Whether this frame may count as evidence of reuse.
    public var isEvidence: Bool { Self.isEvidence(quality: quality) }
}

/// The eight symmetries of the square, in the order the reference's Python binding (`pdqhash`
/// `compute_dihedral`) returns them and the test vectors list them.
public enum PDQDihedral: Int, Sendable, CaseIterable, Codable {
    case original = 0
    case rotate90
    case rotate180
    case rotate270
    /// Upside down (the reference's `FlipX`).
    case flipVertical
    /// Mirrored left to right (the reference's `FlipY`): the usual "mirror" edit of videos.
    case flipHorizontal
    /// Transpose (the reference's `FlipPlus1`).
    case rotate90FlipVertical
    /// Anti-transpose (the reference's `FlipMinus1`).
    case rotate90FlipHorizontal
}

public struct PDQDihedralResult: Sendable, Hashable {
    /// Indexed by `PDQDihedral.rawValue`.
    public var hashes: [PDQHash]
    public var quality: Int

    public init(hashes: [PDQHash], quality: Int) {
        precondition(hashes.count == 8, "PDQDihedralResult needs 8 hashes, got \(hashes.count)")
        self.hashes = hashes
        self.quality = quality
    }

    public subscript(_ variant: PDQDihedral) -> PDQHash { hashes[variant.rawValue] }

    public var isEvidence: Bool { PDQResult.isEvidence(quality: quality) }
}
