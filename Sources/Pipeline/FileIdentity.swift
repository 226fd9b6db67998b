// Which bytes a file held while vmatch read it. A file can change under a running `index`: a
// download still being written, a copy truncated, an overwrite in place with other content of
// the same size. Its identity (device, inode, size, modification and status-change times in
// nanoseconds; the status-change time moves with every write and cannot be set back) is taken
// before it is opened and again after its fingerprint and whole-file SHA-256 are made; if the
// two differ, what was read is not one state of the file, and nothing is stored.
import Foundation

struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: timespec
    var changed: timespec

    init(path: String) throws(FileIdentityError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileIdentityError(reason: String(cString: strerror(errno)).lowercased()) }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    /// Modification time, seconds since 1970 (as the store keeps it).
    var modifiedSeconds: Double { Double(modified.tv_sec) + Double(modified.tv_nsec) / 1e9 }

    static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size
            && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
    }

    /// What changed from `self` to `later`, for people.
    func change(to later: FileIdentity) -> String {
        if inode != later.inode || device != later.device { return "it was replaced by another file" }
        if size != later.size { return "its size changed from \(size) to \(later.size) bytes" }
        return "it was written to"
    }
}

struct FileIdentityError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
