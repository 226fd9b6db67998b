// Helpers shared by the VideoFingerprint tests: locating ../shared/testvectors beside the repo,
// decoding images with the ffmpeg CLI and small synthetic frames (the seeded RNG is in the
// TestSupport target).

import Fingerprint
import Foundation
import TestSupport
@testable import VideoFingerprint

enum TestSupport {
    /// The repository root, from this file's path (Tests/VideoFingerprintTests/TestSupport.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/testvectors/pdq` beside the repository (also true in CI, where the repo is cloned
    /// elsewhere but `shared` sits next to it).
    static let pdqVectorsDirectory: URL = repoRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/testvectors/pdq")

    static let ffmpegPath = "/usr/bin/ffmpeg"

    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes an image file to packed RGB24 with the ffmpeg CLI.
    static func decodeRGB(_ url: URL) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpegPath)
        process.arguments = ["-v", "error", "-i", url.path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: the pipe buffer is smaller than most images.
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DecodeError(description: "ffmpeg failed on \(url.path): \(String(decoding: errData, as: UTF8.self))")
        }
        return [UInt8](data)
    }

    struct Vector: Decodable {
        var file: String
        var width: Int
        var height: Int
        var pdq: String
        var quality: Int
        var dihedral: [String: String]
    }

    struct VectorFile: Decodable {
        var vectors: [Vector]
    }

    static func loadVectors() throws -> [Vector] {
        let data = try Data(contentsOf: pdqVectorsDirectory.appendingPathComponent("vectors.json"))
        return try JSONDecoder().decode(VectorFile.self, from: data).vectors
    }
}

/// Deterministic synthetic luma pictures with detail at several scales.
enum Synthetic {
    /// A "natural-looking" picture: value noise over several octaves with amplitude falling with
    /// frequency (roughly the 1/f spectrum of photographs, so its DCT has structure at every scale
    /// and its hash bits are not decided by rounding). Content is defined in frame-relative
    /// coordinates, so the same seed at two sizes is the same picture.
    static func picture(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        let octaves: [(cells: Int, amplitude: Double)] = [(3, 70), (6, 40), (12, 24), (24, 14), (48, 8)]
        let grids = octaves.map { o in (0...o.cells).map { _ in (0...o.cells).map { _ in Double.random(in: -1...1, using: &rng) } } }
        var out = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var s = 128.0
                for (k, o) in octaves.enumerated() {
                    let u = (Double(x) + 0.5) / Double(width) * Double(o.cells)
                    let v = (Double(y) + 0.5) / Double(height) * Double(o.cells)
                    let i = min(Int(u), o.cells - 1), j = min(Int(v), o.cells - 1)
                    let fu = u - Double(i), fv = v - Double(j)
                    let g = grids[k]
                    let top = g[j][i] * (1 - fu) + g[j][i + 1] * fu
                    let bottom = g[j + 1][i] * (1 - fu) + g[j + 1][i + 1] * fu
                    s += o.amplitude * (top * (1 - fv) + bottom * fv)
                }
                out[y * width + x] = UInt8(max(0, min(255, s.rounded())))
            }
        }
        return out
    }

    /// 2x2 box average: a clean half-size copy, as a scaler would make.
    static func halve(_ src: [UInt8], width: Int, height: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (width / 2) * (height / 2))
        for y in 0..<(height / 2) {
            for x in 0..<(width / 2) {
                let s = Int(src[2 * y * width + 2 * x]) + Int(src[2 * y * width + 2 * x + 1])
                    + Int(src[(2 * y + 1) * width + 2 * x]) + Int(src[(2 * y + 1) * width + 2 * x + 1])
                out[y * (width / 2) + x] = UInt8((s + 2) / 4)
            }
        }
        return out
    }

    /// Nearest-neighbour resize, enough for synthetic layouts.
    static func resize(_ src: [UInt8], width: Int, height: Int, toWidth w: Int, height h: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let sy = min(height - 1, (y * height) / h)
            for x in 0..<w {
                out[y * w + x] = src[sy * width + min(width - 1, (x * width) / w)]
            }
        }
        return out
    }
}
