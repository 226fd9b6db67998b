import Foundation
@testable import Pipeline
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownVectors(message: String, digest: String) {
        #expect(SHA256.hex(of: Array(message.utf8)) == digest)
    }

    @Test func oneMillionAs() {
        #expect(SHA256.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Block boundaries: lengths around 55, 56, 63, 64 bytes pad differently.
    @Test func piecesGiveTheSameDigestAsTheWhole() throws {
        let bytes = (0 ..< 768).map { UInt8($0 % 256) }
        #expect(SHA256.hex(of: bytes) == "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363")
        for split in [1, 55, 56, 63, 64, 65, 128, 700] {
            let hasher = try SHA256()
            hasher.update(Data(bytes[..<split]))
            hasher.update(bytes[split...])
            #expect(hasher.finalize().hexString == SHA256.hex(of: bytes), "split at \(split)")
        }
    }

    @Test func fileDigest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("abc".utf8).write(to: url)
        #expect(try SHA256.hex(ofFileAt: url.path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(throws: (any Error).self) { try SHA256.hex(ofFileAt: url.path + ".missing") }
    }

    /// A file read in several 1 MiB pieces, the last one short (digest from Python's hashlib).
    @Test func fileOfSeveralPieces() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = (0 ..< (3 << 20) + 17).map { UInt8($0 % 251) }
        try Data(bytes).write(to: url)
        let digest = "fe2aaf82bfa2ffec207a0c6fa7ce7d4af268d67e2672fdaec675f3f9b65d0854"
        #expect(try SHA256.hex(ofFileAt: url.path) == digest)
        #expect(SHA256.hex(of: bytes) == digest)
    }

    /// Bytes without contiguous storage take the copying path.
    @Test func nonContiguousSequence() throws {
        let abc = "abc".utf8.lazy.map { $0 }
        #expect(SHA256.hex(of: abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let hasher = try SHA256()
        hasher.update(abc)
        #expect(hasher.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
