import Foundation
@testable import Media
import Testing

@Suite struct BrokenInputTests {
    private func decodeAll(_ path: String) throws {
        try MediaDecoder(path: path).decode()
    }

    private func oneLineError(_ path: String) throws -> MediaError {
        do {
            try decodeAll(path)
        } catch let error as MediaError {
            return error
        }
        Issue.record("\(path) decoded without error")
        throw MediaError(.decode, path: path, reason: "no error")
    }

    @Test func emptyFile() throws {
        let path = try TestMedia.file("empty.mp4", bytes: [])
        let error = try oneLineError(path)
        #expect(error.kind == .open)
        #expect(error.description.hasPrefix("cannot decode '\(path)': "))
        #expect(!error.description.contains("\n"))
    }

    @Test func notMedia() throws {
        let text = Array("This is a text file, not a video.\n".utf8)
        let path = try TestMedia.file("notes.mkv", bytes: text)
        let error = try oneLineError(path)
        #expect(error.description == "cannot decode '\(path)': Invalid data found when processing input (avformat_open_input)")
    }

    @Test func randomBytesWithAMediaExtension() throws {
        var state: UInt64 = 0x9E3779B97F4A7C15
        let bytes = (0 ..< 65_536).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let path = try TestMedia.file("noise.mp4", bytes: bytes)
        let error = try oneLineError(path)
        #expect(error.description.hasPrefix("cannot decode '\(path)': "))
    }

    @Test func truncatedFiles() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: try TestMedia.clip()))
        for fraction in [0.01, 0.5, 0.9] {
            let cut = Int(Double(whole.count) * fraction)
            let path = try TestMedia.file("truncated-\(Int(fraction * 100)).mp4", bytes: [UInt8](whole.prefix(cut)))
            // The clip's index (moov) is written last, so a cut file cannot be opened at all.
            let error = try oneLineError(path)
            #expect(error.kind == .open, "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func missingFile() throws {
        let error = try oneLineError("/nonexistent/clip.mp4")
        // Regular files only: a missing one fails at the stat(2) check, before FFmpeg opens it,
        // worded as the walker words it ("cannot read"), with the path it was given.
        #expect(error.kind == .unreadable)
        #expect(error.description == "cannot read '/nonexistent/clip.mp4': no such file or directory")
    }
}

@Suite struct TimeBudgetTests {
    @Test func aFileOverItsTimeBudgetIsStoppedWithOneLine() throws {
        let path = try TestMedia.clip()
        let decoder = try MediaDecoder(path: path, options: DecodeOptions(video: VideoOutput(width: 64, height: 64)))
        decoder.setTimeBudget(0.000_001)
        #expect {
            try decoder.decode()
        } throws: { error in
            (error as? MediaError)?.kind == .timeout
                && "\(error)" == "cannot decode '\(path)': decoding took longer than the time budget"
        }
    }

    @Test func specialFilesAreRefusedWithoutBlocking() throws {
        let fifo = TestMedia.directory.appendingPathComponent("pipe.mp4").path
        if !FileManager.default.fileExists(atPath: fifo) { mkfifo(fifo, 0o600) }
        for path in [fifo, "/dev/zero"] {
            #expect {
                _ = try MediaDecoder.probe(path: path)
            } throws: { error in
                "\(error)".hasSuffix("not a regular file")
            }
        }
    }
}
