// SHA-256 (FIPS 180-4), so an evidence report names the exact file it is about. Input is bytes,
// fed in any number of pieces; the digest is 32 bytes. Computed by OpenSSL's libcrypto (EVP digest
// API), which uses the CPU's SHA extensions where there are any: the hand-written version this
// replaces ran at about a tenth of its speed and was a quarter of `compare`'s CPU on a large clip.
import CCrypto
import Foundation

/// An incremental SHA-256 over one libcrypto digest context.
package final class SHA256 {
    private static let digestLength = 32
    private let context: OpaquePointer
    private var finished = false

    package init() throws(DigestError) {
        guard let context = EVP_MD_CTX_new() else { throw DigestError(step: "EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            let error = DigestError(step: "EVP_DigestInit_ex")
            EVP_MD_CTX_free(context)
            throw error
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    package func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "SHA256.update after finalize(): the hasher is spent")
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // With a context that initialised, libcrypto's SHA-256 update cannot fail.
        let status = EVP_DigestUpdate(context, base, bytes.count)
        precondition(status == 1, DigestError(step: "EVP_DigestUpdate").description)
    }

    package func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    package func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The 32-byte digest. The hasher is spent afterwards.
    package func finalize() -> [UInt8] {
        precondition(!finished, "SHA256.finalize() called twice: the hasher is spent")
        finished = true
        var digest = [UInt8](repeating: 0, count: Self.digestLength)
        var length: UInt32 = 0
        let status = EVP_DigestFinal_ex(context, &digest, &length)
        precondition(status == 1 && length == Self.digestLength, DigestError(step: "EVP_DigestFinal_ex").description)
        return digest
    }
}

extension SHA256 {
    /// Lower-case hex digest of `bytes`.
    package static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digest = bytes.withContiguousStorageIfAvailable { digestInOneCall(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes(digestInOneCall)
        return digest.hexString
    }

    /// Lower-case hex digest of a file's contents, read in 1 MiB pieces.
    package static func hex(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let hasher = try SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.finalize().hexString
    }

    /// libcrypto's one-shot digest; it fails only when libcrypto cannot allocate its own context.
    private static func digestInOneCall(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestLength)
        var length: UInt32 = 0
        let status = EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        precondition(status == 1 && length == digestLength, DigestError(step: "EVP_Digest").description)
        return digest
    }
}

/// libcrypto could not make a digest: the call that failed and OpenSSL's own reason.
package struct DigestError: Error, Sendable, CustomStringConvertible {
    package let step: String
    package let reason: String

    init(step: String) {
        self.step = step
        let code = ERR_get_error()
        reason = code == 0 ? "no reason given" : ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(code)"
        ERR_clear_error()
    }

    package var description: String { "cannot compute SHA-256: \(reason) (\(step))" }
}

extension [UInt8] {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
