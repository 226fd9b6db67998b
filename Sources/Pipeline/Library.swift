// The library as the commands use it: the file at its path (the standard location or the one
// chosen), opened (or created for `index`), listed, pruned. Underneath it is a `LibraryDatabase`
// (LibraryStore); indexing and checking go through `LibraryIndexer` and `LoadedReferences`.
import Foundation
import LibraryStore

/// One indexed video, as `list` shows it.
package typealias LibraryVideo = IndexedVideo

/// The user's library, the file `--db` names.
package final class Library {
    let store: LibraryDatabase
    package var path: String { store.path }

    /// $VMATCH_DB, else $XDG_DATA_HOME/vmatch/library.sqlite.
    package static func defaultPath() -> String { LibraryDatabase.defaultPath() }

    /// True when `path` is the standard location ($XDG_DATA_HOME/vmatch/library.sqlite), whose
    /// folder may be made; not when the user chose the file ($VMATCH_DB, --db).
    package static func isStandardLocation(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        var standard = environment
        standard["VMATCH_DB"] = nil
        return path == LibraryDatabase.defaultPath(environment: standard)
    }

    /// For writing (`index`, `remove`): created when missing if `create` is set; its folder is
    /// made only for the standard location.
    package init(path: String, create: Bool) throws {
        store = try LibraryDatabase(path: path, create: create, createFolder: Self.isStandardLocation(path))
    }

    /// For reading only (`list`, `compare`): never created, migrated or written.
    package init(readingAt path: String) throws {
        store = try LibraryDatabase(readingAt: path)
    }

    package func videos() throws -> [LibraryVideo] { try store.videos() }

    /// The schema the file had when opening it for writing upgraded it (its fingerprints are
    /// kept as they were); nil when it was already current, new, or opened to read.
    package var upgradedFromSchema: Int? { store.upgradedFrom }
    package static var schemaVersion: Int { LibraryDatabase.schemaVersion }

    /// Inode, size and modification time of the library file at `path` and of its write-ahead
    /// log: changes when `index` writes, so a watch knows to load the library again.
    package static func fileState(at path: String) -> [Int64] {
        [path, path + "-wal"].flatMap { file -> [Int64] in
            var info = stat()
            guard stat(file, &info) == 0 else { return [-1] }
            return [Int64(info.st_ino), Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec)]
        }
    }

    /// Removes a video's row; false when it was not there.
    @discardableResult
    package func remove(path: String) throws -> Bool { try store.remove(path: path) }
}
