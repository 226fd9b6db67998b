import Foundation
import Fingerprint
@testable import Matching
import Testing
import TestSupport

@Suite struct CandidateIndexFileTests {
    /// Twelve references with every channel the index keeps: picture anchors, speech landmarks
    /// and keypoint anchors, all random; and a suspect showing and saying parts of three of them.
    func references(_ g: inout SeededGenerator) -> (references: [MediaFingerprint], suspect: MediaFingerprint) {
        var references: [MediaFingerprint] = []
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
            references.append(MediaFingerprint(duration: 60, frames: frames, landmarks: landmarks, keypointFrames: keypointFrames))
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
        return (references, MediaFingerprint(duration: 15, frames: shown, landmarks: said, keypointFrames: seen))
    }

    func library(_ g: inout SeededGenerator, keypointLayout: DescriptorIndex.Layout? = nil) -> (index: CandidateIndex, suspect: MediaFingerprint) {
        let (references, suspect) = references(&g)
        var builder = CandidateIndex.Builder()
        for (r, reference) in references.enumerated() {
            builder.add(ReferenceEntry(path: "/r\(r)", duration: 60), key: Int64(100 + r), anchors: Anchors.of(reference))
        }
        return (builder.build(keypointLayout: keypointLayout), suspect)
    }

    @Test func partsAnswerAsOneIndexOfTheReferencesTheyStandFor() throws {
        // A file's part of references 0–8, one of them (5) since removed and one (2) since
        // indexed again under the same key (SQLite may give a new row the id of the last one
        // deleted); a part of those indexed since (2 again, 9–11). Together they answer as one
        // index of the library as it is now, in its order; the removed one and the old row of
        // the one indexed again (refused by `stands`) are passed over.
        var g = SeededGenerator(seed: 34)
        let (references, suspect) = references(&g)
        func entry(_ r: Int) -> ReferenceEntry { ReferenceEntry(path: "/r\(r)", duration: 60) }
        var first = CandidateIndex.Builder(), since = CandidateIndex.Builder(), whole = CandidateIndex.Builder()
        for r in 0 ... 8 { first.add(entry(r), key: Int64(100 + r), anchors: Anchors.of(references[r])) }
        for r in [2, 9, 10, 11] { since.add(entry(r), key: Int64(r == 2 ? 102 : 200 + r), anchors: Anchors.of(references[r])) }
        let now = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
        let key = { (r: Int) in Int64(r > 8 ? 200 + r : 100 + r) }
        for r in now { whole.add(entry(r), key: key(r), anchors: Anchors.of(references[r])) }
        let base = first.build().parts[0].part
        let added = since.build(alongside: base)
        let parts = CandidateIndex(entries: now.map(entry), keys: now.map(key), parts: [base, added]) { p, r in !(p == 0 && r == 2) }
        let one = whole.build()
        let evidence = one.evidence(for: suspect)
        #expect(evidence[now.firstIndex(of: 3)!]?.frames ?? 0 > 0 && evidence[now.firstIndex(of: 7)!]?.landmarks ?? 0 > 10
                && evidence[now.firstIndex(of: 9)!]?.keypointFrames ?? 0 >= 2)
        #expect(parts.evidence(for: suspect) == evidence)
        #expect(parts.candidates(for: suspect) == one.candidates(for: suspect))
        #expect(parts.parts[0].places == [0, 1, nil, 3, 4, nil, 5, 6, 7] && parts.parts[1].places == [2, 8, 9, 10])
        // A suspect made of the removed reference names nothing.
        let removed = MediaFingerprint(duration: 10, frames: Array(references[5].frames.prefix(40)),
                                       landmarks: Array(references[5].landmarks.prefix(1000)), keypointFrames: Array(references[5].keypointFrames.prefix(6)))
        #expect(parts.evidence(for: removed).isEmpty && one.evidence(for: removed).isEmpty)
        // Without the refusal, the old row would stand for reference 2 and the new one be passed over.
        let unrefused = CandidateIndex(entries: now.map(entry), keys: now.map(key), parts: [base, added])
        #expect(unrefused.parts[0].places[2] == 2 && unrefused.parts[1].places[0] == nil)
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-candidates-\(UUID().uuidString)").path
    }

    let stamp = (0 ..< 32).map { UInt8($0 * 7 % 256) }

    /// The index of the one part in the file at `path`, for `entries`.
    func mapped(_ path: String, entries: [ReferenceEntry]) throws -> CandidateIndex {
        CandidateIndex(entries: entries, part: try CandidateIndex.Part(mapping: path))
    }

    @Test(arguments: [DescriptorIndex.Layout.chunks16x16, .chunks12x21])
    func aMappedIndexAnswersAsTheBuiltOne(keypointLayout: DescriptorIndex.Layout) throws {
        var g = SeededGenerator(seed: 31)
        let (built, suspect) = library(&g, keypointLayout: keypointLayout)
        #expect(built.parts[0].part.keypoints.layout == keypointLayout)
        let path = temporaryPath()
        defer { unlink(path) }
        try built.parts[0].part.write(to: path, stamp: stamp)
        let mapped = try mapped(path, entries: built.entries)
        #expect(mapped.parts[0].part.keypoints.layout == keypointLayout && mapped.parts[0].part.stamp == stamp && mapped.keys == built.keys)
        // A small library's keypoints are cut in 16-bit chunks: a file cut otherwise is not current.
        #expect(mapped.parts[0].part.keypointLayoutIsCurrent == (keypointLayout == .chunks16x16))
        #expect(mapped.anchorCount == built.anchorCount && mapped.landmarkCount == built.landmarkCount
                && mapped.keypointCount == built.keypointCount && mapped.bytes == built.bytes)
        let evidence = built.evidence(for: suspect)
        #expect(evidence[3]?.frames ?? 0 > 0 && evidence[7]?.landmarks ?? 0 > 10 && evidence[9]?.keypointFrames ?? 0 >= 2)
        #expect(mapped.evidence(for: suspect) == evidence)
        #expect(mapped.candidates(for: suspect) == built.candidates(for: suspect))
        // Written again from the mapped one: the same bytes.
        let again = temporaryPath()
        defer { unlink(again) }
        try mapped.parts[0].part.write(to: again, stamp: stamp)
        #expect(FileManager.default.contents(atPath: again) == FileManager.default.contents(atPath: path))
    }

    @Test func anEmptyLibraryRoundTrips() throws {
        var builder = CandidateIndex.Builder()
        let path = temporaryPath()
        defer { unlink(path) }
        try builder.build().parts[0].part.write(to: path, stamp: stamp)
        let mapped = try mapped(path, entries: [])
        #expect(mapped.entries.isEmpty && mapped.anchorCount == 0 && mapped.evidence(for: MediaFingerprint(duration: 1)).isEmpty)
    }

    /// Why opening `path` fails, or nil when it opens.
    func refusal(_ path: String) -> String? {
        do {
            _ = try CandidateIndex.Part(mapping: path)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aDamagedFileIsRefusedByReason() throws {
        var g = SeededGenerator(seed: 32)
        let (built, _) = library(&g)
        let path = temporaryPath()
        defer { unlink(path) }
        #expect(refusal(path) == "missing")
        try built.parts[0].part.write(to: path, stamp: stamp)
        let whole = try #require(FileManager.default.contents(atPath: path))

        func damaged(_ change: (inout Data) -> Void) throws -> String? {
            var bytes = whole
            change(&bytes)
            try bytes.write(to: URL(fileURLWithPath: path))
            return refusal(path)
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
        let abandoned = "\(path)\(CandidateIndex.Part.temporaryMark)\(Int32.max - 7)-42", live = "\(path)\(CandidateIndex.Part.temporaryMark)\(getpid())-1"
        for name in [abandoned, live] { #expect(FileManager.default.createFile(atPath: name, contents: Data([1, 2, 3]))) }
        defer { for name in [path, abandoned, live] { unlink(name) } }
        var builder = CandidateIndex.Builder()
        try builder.build().parts[0].part.write(to: path, stamp: stamp)
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
