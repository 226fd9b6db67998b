// Before a report names a reference, the file at its path is checked to still be the file that
// was indexed: its whole-file SHA-256 against the one `index` stored. A reference replaced or
// edited after indexing, or gone, is said so in every output and shown in no picture. Digests
// are kept for the run by (path, size, modification time, inode): a batch or a watch reads each
// reference once.
import Findings
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package final class ReferenceVerifier: @unchecked Sendable {
    private let lock = NSLock()
    private var digests: [String: (key: [Int64], sha256: String)] = [:]

    package init() {}

    /// What the report says of the reference at `path`, indexed as `identity`.
    package func check(_ path: String, indexed identity: IndexedIdentity) -> ReferenceCheck {
        func result(_ verified: Bool, _ problem: String?) -> ReferenceCheck {
            ReferenceCheck(sha256: identity.sha256, size: identity.size, indexedAt: identity.indexedAt, verified: verified, problem: problem)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            return result(false, errno == ENOENT ? "is gone (no file at that path)" : "cannot be read (\(String(cString: strerror(errno)).lowercased()))")
        }
        let key = [Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec), Int64(info.st_ino)]
        if Int64(info.st_size) != identity.size { return result(false, "changed since it was indexed (its size differs)") }
        lock.lock()
        let known = digests[path]
        lock.unlock()
        let digest: String
        if let known, known.key == key {
            digest = known.sha256
        } else {
            guard let made = try? SHA256.hex(ofFileAt: path) else { return result(false, "cannot be read") }
            digest = made
            lock.lock()
            digests[path] = (key, made)
            lock.unlock()
        }
        return digest == identity.sha256 ? result(true, nil) : result(false, "changed since it was indexed (its SHA-256 differs)")
    }
}
