import Foundation
import Fingerprint
@testable import Matching
import Testing
import TestSupport

@Suite struct CandidateIndexFileTests {
    /// Twelve references with every channel the index keeps: picture anchors, speech landmarks
    /// and keypoint anchors, all random; and a suspect showing and saying parts of three of them.
    func library(_ g: inout SeededGenerator, keypointLayout: DescriptorIndex.Layout? = nil) -> (index: CandidateIndex, suspect: MediaFingerprint) {
        var builder = CandidateIndex.Builder()
        var shown: [FrameSignature] = [], said: [AudioLandmark] = [], seen: [KeypointFrame] = []
        for r in 0 ..< 12 {
            let frames = (0 ..< 240).map { i in FrameSignature(time: Float(i) / 4, quality: 90, hashes: (0 ..< 7).map { _ in randomHash(&g) }) }
            let landmarks = (0 ..< 6000).map { i in
                AudioLandmark(hash: UInt32(g.next() % (1 << 21)), time: Float(i) / 100, pitch: 3000, span: 3000, speech: 255, probes: 0)
            }
            let keypointFrames = (0 ..< 120).map { i in
                KeypointFrame(time: Float(i) / 2, width: 480, height: 270, keypoints: (0 ..< 80).map { k in
                    Keypoint(x: Float(g.next() % 480), y: Float(g.next() % 270), angle: 0, level: 0, response: Float(80 - k),
                             descriptor: BinaryDescriptor(words: SIMD4(g.next(), g.next(), g.next(), g.next())))
                })
            }
            let reference = MediaFingerprint(duration: 60, frames: frames, landmarks: landmarks, keypointFrames: keypointFrames)
            builder.add(ReferenceEntry(path: "/r\(r)", duration: 60), key: Int64(100 + r), anchors: Anchors.of(reference))
            switch r {
            case 3: shown = (0 ..< 40).map { i in FrameSignature(time: Float(i) / 4, quality: 80, hashes: [flip(frames[80 + i].hashes[0], bits: 12, &g)]) }
            case 7: said = landmarks[1000 ..< 2500].map { var l = $0; l.time -= 10; return l }
            case 9: seen = (0 ..< 6).map { i in
                var f = keypointFrames[8 * i]
                f.time = Float(i) / 2
                return f
            }
            default: break
            }
        }
        return (builder.build(keypointLayout: keypointLayout), MediaFingerprint(duration: 15, frames: shown, landmarks: said, keypointFrames: seen))
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-candidates-\(UUID().uuidString)").path
    }

    let stamp = (0 ..< 32).map { UInt8($0 * 7 % 256) }

    @Test(arguments: [DescriptorIndex.Layout.chunks16x16, .chunks12x21])
    func aMappedIndexAnswersAsTheBuiltOne(keypointLayout: DescriptorIndex.Layout) throws {
        var g = SeededGenerator(seed: 31)
        let (built, suspect) = library(&g, keypointLayout: keypointLayout)
        #expect(built.keypoints.layout == keypointLayout)
        let path = temporaryPath()
        defer { unlink(path) }
        try built.write(to: path, stamp: stamp)
        let mapped = try CandidateIndex(mapping: path, stamp: stamp, entries: built.entries, keys: built.keys)
        #expect(mapped.keypoints.layout == keypointLayout)
        #expect(mapped.anchorCount == built.anchorCount && mapped.landmarkCount == built.landmarkCount
                && mapped.keypointCount == built.keypointCount && mapped.bytes == built.bytes)
        let evidence = built.evidence(for: suspect)
        #expect(evidence[3]?.frames ?? 0 > 0 && evidence[7]?.landmarks ?? 0 > 10 && evidence[9]?.keypointFrames ?? 0 >= 2)
        #expect(mapped.evidence(for: suspect) == evidence)
        #expect(mapped.candidates(for: suspect) == built.candidates(for: suspect))
        // Written again from the mapped one: the same bytes.
        let again = temporaryPath()
        defer { unlink(again) }
        try mapped.write(to: again, stamp: stamp)
        #expect(FileManager.default.contents(atPath: again) == FileManager.default.contents(atPath: path))
    }

    @Test func anEmptyLibraryRoundTrips() throws {
        var builder = CandidateIndex.Builder()
        let path = temporaryPath()
        defer { unlink(path) }
        try builder.build().write(to: path, stamp: stamp)
        let mapped = try CandidateIndex(mapping: path, stamp: stamp, entries: [], keys: [])
        #expect(mapped.entries.isEmpty && mapped.anchorCount == 0 && mapped.evidence(for: MediaFingerprint(duration: 1)).isEmpty)
    }

    /// Why opening `path` fails, or nil when it opens.
    func refusal(_ path: String, stamp: [UInt8], entries: [ReferenceEntry], keys: [Int64]) -> String? {
        do {
            _ = try CandidateIndex(mapping: path, stamp: stamp, entries: entries, keys: keys)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aFileOfAnotherLibraryOrDamagedIsRefusedByReason() throws {
        var g = SeededGenerator(seed: 32)
        let (built, _) = library(&g)
        let path = temporaryPath()
        defer { unlink(path) }
        #expect(refusal(path, stamp: stamp, entries: built.entries, keys: built.keys) == "missing")
        try built.write(to: path, stamp: stamp)
        let whole = try #require(FileManager.default.contents(atPath: path))
        var other = stamp
        other[5] ^= 1
        #expect(refusal(path, stamp: other, entries: built.entries, keys: built.keys)?.hasPrefix("stale") == true)
        #expect(refusal(path, stamp: stamp, entries: Array(built.entries.dropLast()), keys: Array(built.keys.dropLast())) != nil)
        var keys = built.keys
        keys.swapAt(0, 1)
        #expect(refusal(path, stamp: stamp, entries: built.entries, keys: keys) != nil)

        func damaged(_ change: (inout Data) -> Void) throws -> String? {
            var bytes = whole
            change(&bytes)
            try bytes.write(to: URL(fileURLWithPath: path))
            return refusal(path, stamp: stamp, entries: built.entries, keys: built.keys)
        }
        // Cut short anywhere: refused.
        for cut in [0, 100, 4096, whole.count / 2, whole.count - 1] {
            #expect(try damaged { $0 = $0.prefix(cut) } != nil, "cut at \(cut)")
        }
        #expect(try damaged { $0[3] ^= 0xFF } == "not a vmatch candidate index")
        #expect(try damaged { $0[16] = 99 }?.hasPrefix("of layout 99") == true)
        // A bucket start of the picture anchors' first slot (the table right after the header
        // and the hashes) made to fall: refused, not read out of bounds.
        let offsets = Int(whole[120 ..< 128].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })  // the directory's second entry
        #expect(try damaged { $0[offsets + 4 * 1000 + 3] = 0xFF } == "damaged (picture anchors)")
        // As written: opens.
        #expect(try damaged { _ in } == nil)
    }

    @Test func aWriterKilledMidWayLeavesNothingBehindForLong() throws {
        // A half-written file whose writer is gone is removed by the next write; one of a live
        // writer (this process) is not.
        let path = temporaryPath()
        let abandoned = "\(path)\(CandidateIndex.temporaryMark)\(Int32.max - 7)-42", live = "\(path)\(CandidateIndex.temporaryMark)\(getpid())-1"
        for name in [abandoned, live] { #expect(FileManager.default.createFile(atPath: name, contents: Data([1, 2, 3]))) }
        defer { for name in [path, abandoned, live] { unlink(name) } }
        var builder = CandidateIndex.Builder()
        try builder.build().write(to: path, stamp: stamp)
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: live) && FileManager.default.fileExists(atPath: path))
    }

    @Test func aDamagedIdIsPassedOverNotFollowed() throws {
        // Ids are not checked when the file is opened (that would read all of them): a scan
        // passes over an id past the hashes instead of reading there.
        var g = SeededGenerator(seed: 33)
        let stored = (0 ..< 3000).map { _ in randomHash(&g) }
        let index = HammingIndex(stored, layout: .slots16x16)
        var ids = Array(index.ids)
        let query = stored[17]
        ids[ids.firstIndex(of: 17)!] = 1 << 30
        let damaged = try #require(HammingIndex(hashes: index.hashes, layout: .slots16x16, offsets: index.offsets, ids: FlatArray(ids),
                                                largestBucket: index.largestBucket))
        var found: [Int] = []
        damaged.search(query, radius: 0) { id, _ in found.append(id) }
        // (Hash 17 is not reported: the later slots that hold it leave it to the first slot.)
        #expect(!found.contains(1 << 30))
        damaged.search(stored[18], radius: 0) { id, _ in found.append(id) }
        #expect(found == [18])
    }
}
