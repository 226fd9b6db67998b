// Content digest for incremental indexing: FNV-1a 64 over the file size and three 1 MiB blocks
// (head, middle, tail). It reads at most 3 MiB whatever the file's length, and tells apart
// re-encodes, edits and replaced files; it is a change detector, not a cryptographic hash.
import Foundation

package enum FileDigest {
    static let block = 1 << 20

    package static func digest(path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        withUnsafeBytes(of: size.littleEndian) { mix($0) }
        let offsets: [UInt64] = size <= UInt64(3 * block)
            ? [0]
            : [0, size / 2 - UInt64(block / 2), size - UInt64(block)]
        for offset in offsets {
            try handle.seek(toOffset: offset)
            let data = try handle.read(upToCount: size <= UInt64(3 * block) ? Int(size) : block) ?? Data()
            mix(data)
        }
        return String(format: "%016llx", hash)
    }
}
