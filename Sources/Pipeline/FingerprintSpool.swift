// Where `index` puts a fingerprint while the file is still being decoded: packed as the store
// keeps it, appended to unnamed files beside the library (created and unlinked at once, so they
// vanish with the process whatever happens), then streamed into the row in its one transaction.
// Holding the fingerprint in memory instead made `index` grow by ~50 MiB per hour of file.
import Fingerprint
import Foundation
import LibraryStore
import Matching

struct SpoolError: Error, CustomStringConvertible {
    var description: String
    /// The system's error number, when a system call failed.
    var code: Int32 = 0

    /// The disk (or the user's quota on it) is full: no other file can be spooled either.
    var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }
}

/// One append-then-read-once scratch file with no name.
final class SpoolFile {
    private let descriptor: Int32
    /// The folder it is in (for messages).
    let folder: String
    private(set) var count = 0

    /// In `directory`, else in the system's temporary folder.
    init(directory: String) throws {
        var opened: Int32 = -1
        var used = directory
        for folder in [directory, NSTemporaryDirectory()] where !folder.isEmpty {
            var template = ((folder.hasSuffix("/") ? folder : folder + "/") + ".vmatch-spool-XXXXXX").utf8CString
            opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if opened >= 0 {
                template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
                used = folder
                break
            }
        }
        guard opened >= 0 else {
            throw SpoolError(description: "cannot create a scratch file in '\(directory)': \(String(cString: strerror(errno)))", code: errno)
        }
        descriptor = opened
        folder = used
    }

    deinit { close(descriptor) }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count {
                let n = write(descriptor, raw.baseAddress! + at, raw.count - at)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    let code = n < 0 ? errno : ENOSPC
                    throw SpoolError(description: "cannot write a scratch file in '\(folder)': \(String(cString: strerror(code)))", code: code)
                }
                at += n
            }
        }
        count += bytes.count
    }

    /// Everything appended, from the start.
    func stream() -> BlobStream {
        var offset = 0
        let descriptor = self.descriptor
        return BlobStream(count: count) { buffer in
            var at = 0
            while at < buffer.count {
                let n = pread(descriptor, buffer.baseAddress! + at, buffer.count - at, off_t(offset + at))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SpoolError(description: "cannot read back a scratch file: \(n < 0 ? String(cString: strerror(errno)) : "it is shorter than written")") }
                at += n
            }
            offset += buffer.count
        }
    }
}

extension BlobKey.Tier {
    /// The format `channel`'s blobs of this tier are written in: the anchors tier may keep less of
    /// each value (`FingerprintChannel.anchorsFormat`).
    func format(of channel: any FingerprintChannel.Type) -> Int { self == .anchors ? channel.anchorsFormat : channel.format }

    /// `fingerprint`'s channels packed as this tier keeps them, by channel name.
    func packed(_ fingerprint: MediaFingerprint) -> [String: [UInt8]] {
        self == .anchors ? fingerprint.packedAsAnchors() : fingerprint.packed()
    }
}

/// A reference fingerprint on its way to the store: the full and anchors tiers of each channel
/// made. A channel not made (the keypoints, switched off) is not stored at all: its blob, even an
/// empty one, says it was made (see `KeypointChannel.format`).
final class FingerprintSpool {
    private var files: [BlobKey: SpoolFile] = [:]
    private var formats: [BlobKey: Int] = [:]
    private var anchors = Anchors.Selector()

    init(directory: String, channels: [any FingerprintChannel.Type]) throws {
        for channel in channels {
            for tier in BlobKey.Tier.allCases {
                files[BlobKey(channel: channel.name, tier: tier)] = try SpoolFile(directory: directory)
                formats[BlobKey(channel: channel.name, tier: tier)] = tier.format(of: channel)
            }
        }
    }

    /// A piece of the fingerprint, in time order.
    func add(_ piece: MediaFingerprint) throws {
        try append(piece.keptInFull, tier: .full)
        try append(anchors.take(piece), tier: .anchors)
    }

    private func append(_ piece: MediaFingerprint, tier: BlobKey.Tier) throws {
        for (channel, bytes) in tier.packed(piece) where !bytes.isEmpty {
            try files[BlobKey(channel: channel, tier: tier)]?.append(bytes)
        }
    }

    func save(_ video: IndexedVideo, to library: LibraryDatabase) throws {
        try library.save(video, blobs: files.sorted { $0.key.description < $1.key.description }.map {
            BlobWrite(key: $0.key, format: formats[$0.key] ?? 1, stream: $0.value.stream())
        })
    }
}
