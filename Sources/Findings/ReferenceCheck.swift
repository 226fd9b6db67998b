// For each reference a report names: its identity as indexed and whether the file on disk still
// has it (Pipeline's `ReferenceVerifier` checks it).
import Foundation

/// A reference as it was indexed, and whether the file at its path still is that file.
package struct ReferenceCheck: Sendable, Equatable {
    /// SHA-256 of the whole file when it was indexed.
    package var sha256: String
    package var size: Int64
    package var indexedAt: Date?
    /// True when the file on disk has the digest it was indexed with.
    package var verified: Bool
    /// Why not, for people: "changed since it was indexed", "is gone".
    package var problem: String?

    package init(sha256: String, size: Int64, indexedAt: Date?, verified: Bool, problem: String?) {
        self.sha256 = sha256
        self.size = size
        self.indexedAt = indexedAt
        self.verified = verified
        self.problem = problem
    }
}
