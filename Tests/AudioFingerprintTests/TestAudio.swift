// Test media: synthetic signals built in Swift, and speech generated with espeak-ng and
// transformed with sox / ffmpeg (their CLIs, through `Process`). All deterministic.
@testable import AudioFingerprint
import Fingerprint
import Foundation

enum TestAudio {
    static let rate = AudioFingerprinter.sampleRate

    static func tone(hz: Double, seconds: Double, amplitude: Float = 0.5) -> [Float] {
        (0..<Int(seconds * Double(rate))).map {
            amplitude * Float(sin(2 * Double.pi * hz * Double($0) / Double(rate)))
        }
    }

    /// Linear chirp from f0 to f1 Hz.
    static func chirp(from f0: Double, to f1: Double, seconds: Double, amplitude: Float = 0.5) -> [Float] {
        let n = Int(seconds * Double(rate))
        let k = (f1 - f0) / seconds
        return (0..<n).map {
            let t = Double($0) / Double(rate)
            return amplitude * Float(sin(2 * Double.pi * (f0 * t + k * t * t / 2)))
        }
    }

    /// Seeded white noise (SplitMix64).
    static func noise(count: Int, amplitude: Float, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return amplitude * (Float(z >> 40) / Float(1 << 24) * 2 - 1)
        }
    }

    /// A simple "music bed": four-note chords of harmonic tones changing every 0.5 s.
    static func music(seconds: Double, amplitude: Float = 0.1, seed: UInt64) -> [Float] {
        let n = Int(seconds * Double(rate))
        var out = [Float](repeating: 0, count: n)
        let notes = noise(count: Int(seconds * 2 + 1) * 4, amplitude: 1, seed: seed)
        let chordLength = rate / 2
        for c in 0..<(n / chordLength + 1) {
            for v in 0..<4 {
                let semis = (Double(notes[c * 4 + v]) + 1) * 12 + 3   // 3…27 semitones above A2
                let f0 = 110 * pow(2, semis / 12)
                for i in 0..<chordLength where c * chordLength + i < n {
                    let t = Double(i) / Double(rate)
                    var s = 0.0
                    for h in 1...4 { s += sin(2 * Double.pi * f0 * Double(h) * t) / Double(h) }
                    out[c * chordLength + i] += amplitude * Float(s * exp(-2 * t)) / 4
                }
            }
        }
        return out
    }

    static func mix(_ a: [Float], _ b: [Float], gainB: Float) -> [Float] {
        (0..<a.count).map { a[$0] + ($0 < b.count ? gainB * b[$0] : 0) }
    }

    static func rms(_ x: [Float]) -> Float {
        (x.reduce(0) { $0 + $1 * $1 } / Float(max(1, x.count))).squareRoot()
    }

    // MARK: - External tools

    static let workDir: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vmatch-audio-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static var toolsAvailable: Bool {
        ["/usr/bin/espeak-ng", "/usr/bin/sox", "/usr/bin/ffmpeg"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "TestAudio", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(tool) \(args.joined(separator: " ")) failed"])
        }
        return p.terminationStatus
    }

    private static func temp(_ name: String) -> URL {
        workDir.appendingPathComponent("\(UUID().uuidString)-\(name)")
    }

    static func readRaw(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func writeRaw(_ samples: [Float], to url: URL) throws {
        try samples.withUnsafeBufferPointer { try Data(buffer: $0).write(to: url) }
    }

    private static func soxRawArgs(rate r: Int = rate) -> [String] {
        ["-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r", "\(r)"]
    }

    /// espeak-ng speech at the analysis rate.
    static func speech(_ text: String, voice: String = "en", speed: Int = 160, pitch: Int = 50) throws -> [Float] {
        let wav = temp("speech.wav"), raw = temp("speech.raw")
        defer { try? FileManager.default.removeItem(at: wav); try? FileManager.default.removeItem(at: raw) }
        try run("/usr/bin/espeak-ng", ["-v", voice, "-s", "\(speed)", "-p", "\(pitch)", "-w", wav.path, text])
        try run("/usr/bin/sox", [wav.path] + soxRawArgs() + [raw.path])
        return try readRaw(raw)
    }

    /// Applies sox effects (e.g. ["tempo", "1.1"]) and returns audio at the analysis rate.
    static func sox(_ samples: [Float], effects: [String]) throws -> [Float] {
        let input = temp("in.raw"), output = temp("out.raw")
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: output) }
        try writeRaw(samples, to: input)
        try run("/usr/bin/sox", soxRawArgs() + [input.path] + soxRawArgs() + [output.path] + effects)
        return try readRaw(output)
    }

    /// Round trip through MP3 at `bitrate` (encoded at 22.05 kHz as a low-rate upload would be).
    static func mp3(_ samples: [Float], bitrate: String = "32k") throws -> [Float] {
        let input = temp("in.raw"), mp3 = temp("c.mp3"), output = temp("out.raw")
        defer { for u in [input, mp3, output] { try? FileManager.default.removeItem(at: u) } }
        try writeRaw(samples, to: input)
        try run("/usr/bin/ffmpeg", ["-nostdin", "-y", "-loglevel", "error", "-f", "f32le", "-ar", "\(rate)", "-ac", "1",
                                    "-i", input.path, "-ar", "22050", "-b:a", bitrate, mp3.path])
        try run("/usr/bin/ffmpeg", ["-nostdin", "-y", "-loglevel", "error", "-i", mp3.path,
                                    "-f", "f32le", "-ar", "\(rate)", "-ac", "1", output.path])
        return try readRaw(output)
    }
}
