import Foundation
@testable import Media
import Testing

@Suite struct ThumbnailExtractorTests {
    /// 6 s at 25 fps whose brightness says the time (Y = 40 t), keyframes every 2 s, so a picture
    /// between keyframes needs decoding forward from the one before.
    static func rampClip() throws -> String {
        try TestMedia.make("ramp.mp4", ["-f", "lavfi", "-i", "color=c=black:s=160x120:r=25:d=6,format=yuv420p,geq=lum='clip(16+40*T,16,235)':cb=128:cr=128",
                                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"])
    }

    /// Decodes JPEG bytes with the product's own decoder: mean luma and size.
    static func look(_ jpeg: [UInt8]) throws -> (mean: Double, width: Int, height: Int) {
        let url = TestMedia.directory.appendingPathComponent("thumb-\(UUID().uuidString).jpg")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(jpeg).write(to: url)
        var result: (Double, Int, Int)?
        try MediaDecoder(path: url.path, options: DecodeOptions(video: VideoOutput(layout: .gray8), audio: nil)).decode(video: { frame in
            result = (Double(frame.pixels.reduce(0) { $0 + Int($1) }) / Double(frame.pixels.count), frame.width, frame.height)
        })
        let r = try #require(result)
        return (r.0, r.1, r.2)
    }

    @Test func picturesAreJPEGsOfTheFrameAtTheTimeAsked() throws {
        let extractor = try ThumbnailExtractor(path: try Self.rampClip(), width: 320)
        // Out of order on purpose: each picture seeks anew.
        for time in [3.0, 1.0, 4.6, 0.0, 2.2] {
            let jpeg = try extractor.jpeg(at: time)
            #expect(jpeg.prefix(2) == [0xFF, 0xD8] && jpeg.suffix(2) == [0xFF, 0xD9])
            let seen = try Self.look(jpeg)
            #expect(seen.width == 320 && seen.height == 240)
            // Limited-range Y = 16 + 40 t, shown full range.
            let expected = 40 * time * 255 / 219
            #expect(abs(seen.mean - expected) < 6, "at \(time) s: mean \(seen.mean), expected \(expected)")
        }
    }

    @Test func pastTheEndGivesTheLastPicture() throws {
        let extractor = try ThumbnailExtractor(path: try Self.rampClip())
        let seen = try Self.look(try extractor.jpeg(at: 60))
        #expect(seen.mean > 245)  // Y clipped at 235 from 5.5 s on: white
    }

    @Test func soundOnlyAndBrokenFilesAreErrors() throws {
        let tone = try TestMedia.make("tone-only.m4a", ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac"])
        #expect(throws: MediaError.self) { try ThumbnailExtractor(path: tone) }
        let junk = TestMedia.directory.appendingPathComponent("junk-thumb.mp4")
        try Data(repeating: 7, count: 1000).write(to: junk)
        #expect(throws: MediaError.self) { try ThumbnailExtractor(path: junk.path) }
    }
}
