// Test media made on the fly with the ffmpeg CLI (small, deterministic, in a temporary folder).
import Foundation

enum TestMedia {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vmatch-media-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    private static let lock = NSLock()

    /// Runs ffmpeg with `arguments` writing `name` in the test folder, once per process: tests
    /// run in parallel, so files are made under a lock and appear whole (written, then renamed).
    static func make(_ name: String, _ arguments: [String]) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let path = directory.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) { return path }
        let partial = directory.appendingPathComponent("partial-" + name).path
        try run("/usr/bin/ffmpeg", ["-v", "error", "-y"] + arguments + [partial])
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return path
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "\(tool) \(arguments.joined(separator: " ")): "
                                + (String(data: errors, encoding: .utf8) ?? ""))
        }
        return data
    }

    /// A 10 s 320x240 30 fps H.264 clip with a 440 Hz tone at 44.1 kHz stereo.
    static func clip() throws -> String {
        try make("clip.mp4", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=10",
                              "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=10",
                              "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                              "-c:a", "aac", "-shortest"])
    }
}

extension TestMedia {
    /// `clip()` with display-matrix rotation metadata: a phone held upright.
    static func rotatedClip() throws -> String {
        try make("rotated.mp4", ["-i", try clip(), "-c", "copy", "-metadata:s:v:0", "rotate=90"])
    }

    /// Variable frame rate: 2 s at 30 fps then 2 s at 10 fps, timestamps kept as they are.
    static func variableRateClip() throws -> String {
        let first = try make("vfr-a.mkv", ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=2",
                                           "-c:v", "libx264", "-preset", "ultrafast"])
        let second = try make("vfr-b.mkv", ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=2",
                                            "-c:v", "libx264", "-preset", "ultrafast"])
        let list = directory.appendingPathComponent("vfr.txt")
        try "file '\(first)'\nfile '\(second)'\n".write(to: list, atomically: true, encoding: .utf8)
        return try make("vfr.mkv", ["-f", "concat", "-safe", "0", "-i", list.path, "-c", "copy"])
    }

    /// 2 s of noisy 320x240 H.264 at a high quantizer with B-frames: the deblocking filter has
    /// edges to smooth (`clip()` is made with `ultrafast`, which turns deblocking off).
    static func blockyClip() throws -> String {
        try make("blocky.mp4", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=2",
                                "-vf", "noise=alls=20:allf=t", "-c:v", "libx264", "-preset", "veryfast",
                                "-crf", "40", "-bf", "2", "-pix_fmt", "yuv420p"])
    }

    static func audioOnly() throws -> String {
        try make("tone.m4a", ["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=3", "-c:a", "aac"])
    }

    static func videoOnly() throws -> String {
        try make("silent.webm", ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2",
                                 "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"])
    }

    /// Raw 8-bit gray frames of `path` as ffmpeg's own CLI decodes them (it applies rotation).
    static func ffmpegGrayFrame(_ path: String, at seconds: Double, width: Int, height: Int) throws -> [UInt8] {
        let data = try run("/usr/bin/ffmpeg", ["-v", "error", "-ss", String(seconds), "-i", path, "-frames:v", "1",
                                               "-vf", "scale=\(width):\(height):flags=area", "-f", "rawvideo",
                                               "-pix_fmt", "gray", "-"])
        return [UInt8](data)
    }

    /// A file made of `bytes` (for broken-input tests).
    static func file(_ name: String, bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}
