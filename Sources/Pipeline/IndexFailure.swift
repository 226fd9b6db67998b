// What `index` could not do with one path, as a value: what kind of failure it is, the path, and
// the one-line message for people (which names the file). The command line tells the kinds
// apart by `kind`, never by reading the text.
import Foundation
import Media

package struct IndexFailure: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable, CaseIterable {
        /// The system refused the path or its bytes: missing, no permission, a dangling link,
        /// its size and modification time unreadable, a read error while taking its digest.
        case unreadable
        /// A path named that yielded nothing to index: an empty folder, a folder of non-media
        /// files, a file that is not audio or video.
        case nothingToIndex
        /// The decoder refused the file (it opens as media but cannot be decoded, no streams,
        /// over the limits or the time budget): a `MediaError`.
        case unreadableMedia
        /// The file changed, or vanished, while it was being indexed; nothing was stored.
        case changedWhileIndexing
        /// Its fingerprint could not be spooled to a scratch file (the disk not full).
        case scratchFileFailed
        /// The disk (or the user's quota on it) is full: the run stops.
        case diskFull
        /// The library refused to store the fingerprint: the run stops.
        case storeWriteFailed
    }

    package let kind: Kind
    package let path: String
    /// The line people read, naming the file (`cannot decode 'clip.mp4': …`).
    package let message: String

    package init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    package var description: String { message }

    /// Whether no other file should be started after this one: the next would fail the same way.
    package var stopsTheRun: Bool { kind == .diskFull || kind == .storeWriteFailed }

    /// A file that failed between its first look and its fingerprint being ready to store, by
    /// what `error` is. Errors that already name the file keep their words; the others get
    /// "cannot index '<path>': " before them.
    static func fingerprinting(_ path: String, _ error: any Error) -> IndexFailure {
        switch error {
        case let spool as SpoolError:
            IndexFailure(spool.isDiskFull ? .diskFull : .scratchFileFailed, path: path, message: spool.description)
        case let media as MediaError:
            IndexFailure(.unreadableMedia, path: path, message: media.description)
        case let identity as FileIdentityError:
            IndexFailure(.changedWhileIndexing, path: path, message: "cannot index '\(path)': \(identity)")
        case let digest as DigestError:
            IndexFailure(.unreadable, path: path, message: digest.description)
        default:
            IndexFailure(.unreadable, path: path, message: "cannot index '\(path)': \(error)")
        }
    }
}
