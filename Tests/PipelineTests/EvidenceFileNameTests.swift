import Foundation
@testable import Pipeline
import Testing

@Suite struct EvidenceFileNameTests {
    @Test func aShortNameIsKeptWithItsCopyNumber() {
        #expect(evidenceFileName(forClip: "/dl/clip.mp4") == "clip.html")
        #expect(evidenceFileName(forClip: "/dl/clip.mp4", copy: 3) == "clip-3.html")
        #expect(evidenceFileName(forClip: "/dl/clip") == "clip.html")
    }

    /// A name that fits exactly is kept; one byte more and it is cut, with the digest of the
    /// whole name, to the limit at most.
    @Test func aNameOverTheLimitIsCutAndGetsADigest() {
        #expect(evidenceFileName(forClip: "abcdefghijklmno.mp4", maxBytes: 20) == "abcdefghijklmno.html")
        let cut = evidenceFileName(forClip: "abcdefghijklmnop.mp4", maxBytes: 20)
        let digest = String(SHA256.hex(of: Array("abcdefghijklmnop".utf8)).prefix(8))
        #expect(cut == "abcdef-\(digest).html")
        #expect(cut.utf8.count == 20)
    }

    /// The cut never splits a character: "é" is two bytes, "é" written as e and a combining
    /// accent is three, and neither is broken.
    @Test func theCutFallsBetweenCharacters() {
        // 11 bytes of room before the digest: five "é" (10 bytes), three "é" decomposed (9).
        let composed = evidenceFileName(forClip: String(repeating: "\u{E9}", count: 20) + ".mp4", maxBytes: 25)
        #expect(Array(composed.utf8.prefix(11)) == Array((String(repeating: "\u{E9}", count: 5) + "-").utf8))
        #expect(composed.hasSuffix(".html") && composed.utf8.count == 24)
        let decomposed = evidenceFileName(forClip: String(repeating: "e\u{301}", count: 20) + ".mp4", maxBytes: 25)
        #expect(Array(decomposed.utf8.prefix(10)) == Array((String(repeating: "e\u{301}", count: 3) + "-").utf8))
        #expect(decomposed.utf8.count == 23)
    }

    /// Two long names alike up to the cut still get two names, and the same name always gets
    /// the same report name; a copy of a cut name keeps the digest and stays within the limit.
    @Test func longNamesAlikeUpToTheCutDoNotCollide() {
        let common = String(repeating: "x", count: 300)
        let a = evidenceFileName(forClip: common + "-a.mp4"), b = evidenceFileName(forClip: common + "-b.mp4")
        #expect(a != b)
        #expect(a.utf8.count <= 255 && b.utf8.count <= 255)
        #expect(a == evidenceFileName(forClip: "/elsewhere/" + common + "-a.mkv"))
        let copy = evidenceFileName(forClip: common + "-a.mp4", copy: 12)
        let digest = String(a.dropLast(".html".count).suffix(9))
        #expect(copy == String(repeating: "x", count: 255 - digest.count - "-12.html".count) + digest + "-12.html")
    }

    /// The first name not taken in the folder: NAME.html, then NAME-2.html, NAME-3.html.
    @Test func theFreePathSkipsTakenNames() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(freeEvidencePath(forClip: "/dl/clip.mp4", in: folder) == folder + "/clip.html")
        FileManager.default.createFile(atPath: folder + "/clip.html", contents: Data())
        #expect(freeEvidencePath(forClip: "/dl/clip.mp4", in: folder) == folder + "/clip-2.html")
        FileManager.default.createFile(atPath: folder + "/clip-2.html", contents: Data())
        #expect(freeEvidencePath(forClip: "/dl/clip.mp4", in: folder) == folder + "/clip-3.html")
    }
}
