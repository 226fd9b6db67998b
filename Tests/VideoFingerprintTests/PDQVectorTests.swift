// Agreement with Meta's reference PDQ (via its Python binding) on ../shared/testvectors/pdq:
// every image decoded to RGB24 with the ffmpeg CLI and hashed, plain and dihedral.

import Fingerprint
import Foundation
import Testing
@testable import VideoFingerprint

@Suite struct PDQVectorTests {
    struct Outcome {
        var file: String
        var distance: Int
        var qualityDiff: Int
        var dihedralDistances: [PDQDihedral: Int]
    }

    static func run() throws -> [Outcome] {
        let hasher = PDQHasher()
        var outcomes: [Outcome] = []
        for v in try TestSupport.loadVectors() {
            let rgb = try TestSupport.decodeRGB(TestSupport.pdqVectorsDirectory.appendingPathComponent(v.file))
            #expect(rgb.count == v.width * v.height * 3, "\(v.file): decoded \(rgb.count) bytes")
            let result = hasher.hash(rgb: rgb, width: v.width, height: v.height)
            let dihedral = hasher.dihedralHashes(rgb: rgb, width: v.width, height: v.height)
            let expected = try #require(PDQHash(hex: v.pdq))
            var dd: [PDQDihedral: Int] = [:]
            for variant in PDQDihedral.allCases {
                let want = try #require(PDQHash(hex: v.dihedral["\(variant)"] ?? ""), "\(v.file) lacks \(variant)")
                dd[variant] = dihedral[variant].distance(to: want)
            }
            outcomes.append(Outcome(file: v.file, distance: result.hash.distance(to: expected),
                                    qualityDiff: result.quality - v.quality, dihedralDistances: dd))
            #expect(dihedral[.original] == result.hash, "\(v.file): dihedral original differs from hash")
            #expect(dihedral.quality == result.quality)
        }
        return outcomes
    }

    @Test func agreesWithReferenceOnAllVectors() throws {
        let outcomes = try Self.run()
        #expect(outcomes.count >= 30)
        for o in outcomes {
            #expect(o.distance <= 2, "\(o.file): distance \(o.distance) to the reference hash")
            #expect(abs(o.qualityDiff) <= 2, "\(o.file): quality differs by \(o.qualityDiff)")
            #expect((o.dihedralDistances[.flipHorizontal] ?? 999) <= 2,
                    "\(o.file): flipHorizontal at \(o.dihedralDistances[.flipHorizontal] ?? -1)")
            for (variant, d) in o.dihedralDistances {
                #expect(d <= 2, "\(o.file): \(variant) at distance \(d)")
            }
        }
        let exact = outcomes.filter { $0.distance == 0 }.count
        #expect(Double(exact) >= 0.9 * Double(outcomes.count), "only \(exact)/\(outcomes.count) exact")
        // Summary for the log (the report quotes it).
        let maxD = outcomes.map(\.distance).max() ?? -1
        let maxQ = outcomes.map { abs($0.qualityDiff) }.max() ?? -1
        let dihedralMax = PDQDihedral.allCases.map { v in "\(v)=\(outcomes.map { $0.dihedralDistances[v] ?? 999 }.max() ?? -1)" }
        print("PDQ vectors: \(exact)/\(outcomes.count) exact, max distance \(maxD), max |quality diff| \(maxQ); dihedral max: \(dihedralMax.joined(separator: " "))")
        for o in outcomes where o.distance > 0 || o.qualityDiff != 0 || o.dihedralDistances.values.contains(where: { $0 > 0 }) {
            print("  \(o.file): d=\(o.distance) dq=\(o.qualityDiff) dihedral=\(PDQDihedral.allCases.map { o.dihedralDistances[$0] ?? -1 })")
        }
    }
}
