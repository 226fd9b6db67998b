// The fast subset of the bad-media set (scripts/check/make-bad-media has the full one): every file
// gets a result or one line naming it, nothing crashes or hangs, the batch goes on.
import Foundation
import Testing

@Suite struct BadMediaTests {
    @Test func everyFileGetsAResultOrOneNamedError() throws {
        try Fixture.make()
        let env = ["VMATCH_DB": Fixture.database()]
        #expect(try CLI.run(["index", Fixture.library.path], environment: env).status == 0)

        let folder = CLI.workDirectory.appendingPathComponent("bad-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let good = Fixture.suspects.appendingPathComponent("reupload.mp4")
        try fm.copyItem(at: good, to: folder.appendingPathComponent("with spaces & 'quotes'.mp4"))
        try fm.copyItem(at: good, to: folder.appendingPathComponent("видео 動画.mp4"))
        // A name that is not UTF-8 cannot be spelled as a Swift String: made through the C API.
        let raw = Array(folder.path.utf8) + Array("/bad-\u{0}".utf8.dropLast()) + [0xFF, 0xFE] + Array(".mp4".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        #expect(fd >= 0)
        close(fd)
        _ = fm.createFile(atPath: folder.appendingPathComponent("empty.mp4").path, contents: Data())
        var state: UInt64 = 7
        let noise = (0 ..< 20_000).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        _ = fm.createFile(atPath: folder.appendingPathComponent("noise.mkv").path, contents: Data(noise))
        _ = fm.createFile(atPath: folder.appendingPathComponent("claims-16384x16384.y4m").path,
                      contents: Data("YUV4MPEG2 W16384 H16384 F30:1 C420\nFRAME\n".utf8) + Data(count: 4096))
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("sub/loop").path, withDestinationPath: "..")

        let started = Date()
        let r = try CLI.run(["compare", "--json", folder.path], environment: env)
        #expect(Date().timeIntervalSince(started) < 120)
        #expect(r.status == 2)
        let lines = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let bySuffix = { (suffix: String) in lines.first { ($0["suspect"] as? String)?.hasSuffix(suffix) == true } }
        #expect(lines.count == 6, "\(r.stdout)")
        for name in ["with spaces & 'quotes'.mp4", "видео 動画.mp4"] {
            #expect((bySuffix(name)?["matches"] as? [Any])?.count == 1, "\(name) should match its source")
        }
        for name in ["empty.mp4", "noise.mkv", "claims-16384x16384.y4m"] {
            #expect((bySuffix(name)?["error"] as? String)?.contains(name) == true, "\(name) needs its error")
        }
        #expect(lines.contains { ($0["error"] as? String)?.contains("not valid UTF-8") == true })
        let lines2 = r.stderr.split(separator: "\n")
        let errors = lines2.filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 4, "\(r.stderr)")
        #expect(errors.allSatisfy { $0.hasPrefix("error: cannot ") })
        #expect(lines2.last == "compare: 6 checked, 2 with reuse, 4 failed", "\(r.stderr)")
        #expect(lines2.count == 5)
    }
}
