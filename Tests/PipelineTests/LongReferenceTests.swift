import AudioFingerprint
import Fingerprint
import Foundation
import LibraryStore
import Matching
@testable import Pipeline
import Testing
import TestSupport

@Suite struct LongReferenceTests {
    /// A library file with a 4000 s reference (random frames at 4/s, every one unlike every
    /// other, a landmark every ½ s, and keypoint frames at 2/s that each carry all but one of
    /// the frame before's keypoints over) and a 60 s one; returns its path and the long one's
    /// frames.
    func library(_ g: inout SeededGenerator) throws -> (path: String, long: [FrameSignature], landmarks: [AudioLandmark], keypoints: [KeypointFrame]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-pipeline-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("library.sqlite").path
        let store = try LibraryDatabase(path: path)
        var long: [FrameSignature] = [], landmarks: [AudioLandmark] = [], keypointFrames: [KeypointFrame] = []
        func keypoint() -> Keypoint {
            Keypoint(x: Float(g.next() % 1920) / 4, y: Float(g.next() % 1080) / 4, angle: 0, level: 0, response: 0,
                     descriptor: BinaryDescriptor(words: SIMD4(g.next(), g.next(), g.next(), g.next())))
        }
        for (name, seconds) in [("/long.mp4", 4000), ("/short.mp4", 60)] {
            let frames = (0 ..< 4 * seconds).map { i in
                FrameSignature(time: Float(i) / 4, quality: 90, hashes: [PDQHash(words: SIMD4(g.next(), g.next(), g.next(), g.next()))])
            }
            let sounds = (0 ..< 2 * seconds).map { i in
                AudioLandmark(hash: UInt32(truncatingIfNeeded: g.next()) & 0x1F_FFFF, time: Float(i) / 2, pitch: 100, span: 500, speech: 0, probes: 0)
            }
            var keypoints = (0 ..< 20).map { _ in keypoint() }
            let keypointed = (0 ..< 2 * seconds).map { i in
                keypoints = Array(keypoints.dropFirst()) + [keypoint()]
                return KeypointFrame(time: Float(i) / 2, width: 480, height: 270, keypoints: keypoints)
            }
            if name == "/long.mp4" { (long, landmarks, keypointFrames) = (frames, sounds, keypointed) }
            try store.save(StoredVideo(
                video: IndexedVideo(id: 0, path: name, size: 1, modified: 1, digest: "d", duration: Double(seconds), hasVideo: true,
                                    hasAudio: true, fingerprintVersion: FingerprintFormat.version, indexedAt: 1),
                blobs: StoredVideo.blobs(full: MediaFingerprint(frames: frames, landmarks: sounds, keypointFrames: keypointed))))
        }
        // Read a piece at a time (`StoredReferencePieces.readSize`), the blob of carried frames breaks between frames.
        #expect(KeypointChannel.pack(keypointFrames).count > StoredReferencePieces.readSize)
        return (path, long, landmarks, keypointFrames)
    }

    @Test func aLongReferenceIsReadInOverlappingPiecesThatHoldAllOfIt() throws {
        var g = SeededGenerator(seed: 31)
        let (path, long, landmarks, keypoints) = try library(&g)
        let loaded = try LoadedReferences(path: path)
        let r = try #require(loaded.entries.firstIndex { $0.path == "/long.mp4" })
        var spans: [(Float, Float)] = [], frameCount = 0, landmarkCount = 0
        var seenFrames = Set<Float>(), seenLandmarks = Set<Float>(), seenKeypoints: [Float: KeypointFrame] = [:]
        guard case .pieces(var pieces)? = try loaded.fingerprint(ofReference: r) else {
            Issue.record("long not in pieces")
            return
        }
        while let piece = try pieces.next() {
            let frames = piece.fingerprint.frames, sounds = piece.fingerprint.landmarks
            spans.append((frames.first!.time, frames.last!.time))
            frameCount += frames.count
            landmarkCount += sounds.count
            seenFrames.formUnion(frames.map(\.time))
            seenLandmarks.formUnion(sounds.map(\.time))
            for f in piece.fingerprint.keypointFrames { seenKeypoints[f.time] = f }
            #expect(frames.map(\.time) == frames.map(\.time).sorted())
            #expect(sounds.allSatisfy { $0.time >= frames.first!.time - 0.5 && $0.time < frames.first!.time + 1800 })
        }
        // Pieces of 1800 s every 1000 s (overlap 800 s ≥ 600 s × 1.3): [0, 1800), [1000, 2800),
        // [2000, 3800), [3000, 4000).
        #expect(spans.map(\.0) == [0, 1000, 2000, 3000])
        #expect(spans.map(\.1) == [1799.75, 2799.75, 3799.75, 3999.75])
        #expect(seenFrames.count == long.count && seenLandmarks.count == landmarks.count)
        #expect(seenKeypoints.count == keypoints.count && keypoints.allSatisfy { seenKeypoints[$0.time] == $0 })
        #expect(frameCount == 4 * (1800 + 1800 + 1800 + 1000))
        // The short reference is read whole; the long one in pieces.
        let short = try #require(loaded.entries.firstIndex { $0.path == "/short.mp4" })
        if case .whole(let fingerprint, _)? = try loaded.fingerprint(ofReference: short) { #expect(fingerprint.frames.count == 240) } else { Issue.record("short not whole") }
    }

    @Test func reuseOfALongReferenceIsFoundAsInTheWholeReference() throws {
        var g = SeededGenerator(seed: 32)
        let (path, long, _, _) = try library(&g)
        let loaded = try LoadedReferences(path: path)
        // Suspect: the reference's 1700…1900 s (across the first piece's end) then its 2500…2800 s
        // (inside the overlap of the second and third pieces), at the suspect's 0…200 s and 200…500 s.
        let suspect = MediaFingerprint(duration: 500, frames:
            long[6800 ..< 7600].map { FrameSignature(time: $0.time - 1700, quality: 80, hashes: $0.hashes) }
            + long[10000 ..< 11200].map { FrameSignature(time: $0.time - 2300, quality: 80, hashes: $0.hashes) },
            landmarks: [])
        let pieced = try Matcher().match(suspect, candidates: loaded.index, references: loaded)
        let whole = Matcher().match(suspect, in: ReferenceSet([(ReferenceEntry(path: "/long.mp4", duration: 4000), MediaFingerprint(frames: long))]))
        #expect(pieced.map(\.reference.path) == ["/long.mp4"])
        let a = try #require(pieced.first?.segments), b = try #require(whole.first?.segments)
        #expect(a.count == 2 && b.count == 2)
        for (x, y) in zip(a, b) {
            #expect(abs(x.suspectStart - y.suspectStart) < 0.01 && abs(x.suspectEnd - y.suspectEnd) < 0.01)
            #expect(abs(x.referenceStart - y.referenceStart) < 0.01 && abs(x.referenceEnd - y.referenceEnd) < 0.01)
            #expect(abs(x.score - y.score) < 1e-9 && x.modality == y.modality)
        }
        #expect(abs(a[0].referenceStart - 1700) < 0.5 && abs(a[1].referenceStart - 2500) < 0.5)
    }

    /// A long reference's pieces that fit in the cache are kept as they are streamed the second
    /// time a run reads it, and read from memory from then on: the same pieces, keypoints
    /// prepared, without the keypoint frames the matcher no longer reads; the same matches.
    @Test func aLongReferenceReadAgainIsKeptAndReadFromMemoryNext() throws {
        var g = SeededGenerator(seed: 34)
        let (path, long, _, _) = try library(&g)
        let loaded = try LoadedReferences(path: path)
        let r = try #require(loaded.entries.firstIndex { $0.path == "/long.mp4" })
        func pieces(of loaded: LoadedReferences, upTo limit: Int = .max) throws -> [ReferencePiece] {
            guard case .pieces(var pieces)? = try loaded.fingerprint(ofReference: r) else {
                Issue.record("long not in pieces")
                return []
            }
            var out: [ReferencePiece] = []
            while out.count < limit, let piece = try pieces.next() { out.append(piece) }
            return out
        }
        // Read once: not kept (a run that checks one clip would hold it for nothing).
        #expect(try pieces(of: loaded).count == 4)
        #expect(loaded.cachedReferences == 0)
        // Read in part (a caller that stops): not kept.
        #expect(try pieces(of: loaded, upTo: 2).count == 2)
        #expect(loaded.cachedReferences == 0)
        let streamed = try pieces(of: loaded)
        #expect(loaded.cachedReferences == 1 && loaded.cachedBytes > 0)
        let held = try pieces(of: loaded)
        #expect(streamed.count == 4 && held.count == 4)
        for (a, b) in zip(streamed, held) {
            #expect(!a.fingerprint.keypointFrames.isEmpty && b.fingerprint.keypointFrames.isEmpty)
            #expect(a.fingerprint.frames == b.fingerprint.frames && a.fingerprint.landmarks == b.fingerprint.landmarks)
            #expect(a.fingerprint.motion == b.fingerprint.motion && a.fingerprint.duration == b.fingerprint.duration)
            #expect(a.keypoints.keypointCount == b.keypoints.keypointCount && a.keypoints.keypointCount > 0)
        }
        // The same matches, read from memory, as streamed by a run that keeps nothing.
        let suspect = MediaFingerprint(duration: 200, frames:
            long[6800 ..< 7600].map { FrameSignature(time: $0.time - 1700, quality: 80, hashes: $0.hashes) }, landmarks: [])
        let keepsNothing = try LoadedReferences(path: path, cacheBytes: 0)
        let fromMemory = try Matcher().match(suspect, candidates: loaded.index, references: loaded)
        var fromStore: [ReferenceMatch] = []
        for _ in 0 ..< 3 { fromStore = try Matcher().match(suspect, candidates: keepsNothing.index, references: keepsNothing) }
        #expect(keepsNothing.cachedReferences == 0)
        #expect(fromMemory.map(\.reference.path) == ["/long.mp4"])
        #expect(fromMemory.map(\.segments) == fromStore.map(\.segments))
        // A cache too small for the pieces keeps none of them.
        let small = try LoadedReferences(path: path, cacheBytes: 1 << 20)
        for _ in 0 ..< 3 { #expect(try pieces(of: small).count == 4) }
        #expect(small.cachedReferences == 0)
    }

    /// The sound channel read a piece at a time as it was written: in 14-byte records (format 1,
    /// as a library indexed before issue 33 keeps them) or packed (format 2, relative to the
    /// landmark before, across the store's reads: blobs longer than `StoredReferencePieces.readSize`).
    @Test(arguments: [1, 2]) func landmarksAreReadInPiecesAsTheyWereWritten(format: Int) throws {
        var g = SeededGenerator(seed: 33)
        var written: [String: [AudioLandmark]] = [:], videos: [StoredTwin] = []
        for (name, seconds) in [("/long.mp4", 4000), ("/short.mp4", 60)] {
            let frames = (0 ..< 4 * seconds).map { i in
                FrameSignature(time: Float(i) / 4, quality: 90, hashes: [PDQHash(words: SIMD4(g.next(), g.next(), g.next(), g.next()))])
            }
            // Four triplets an anchor, five anchors a second; each hash once. Format 1 keeps the
            // probes a reference made before issue 33 stored; format 2 gives 0.
            let sounds = (0 ..< 20 * seconds).map { (i: Int) -> AudioLandmark in
                let anchor = i / 4
                let probes: UInt8 = format == 1 ? UInt8(truncatingIfNeeded: i | 1) : 0
                return AudioLandmark(hash: UInt32(i), time: Float(anchor) / 5 + 0.013, pitch: UInt16(2000 + anchor % 900),
                                     span: UInt16(700 + i % 4), speech: UInt8(truncatingIfNeeded: anchor / 10), probes: probes)
            }
            written[name] = sounds
            var blobs = StoredVideo.blobs(full: MediaFingerprint(frames: frames, landmarks: sounds))
            if format == 1 {
                for (tier, landmarks) in [(BlobKey.Tier.full, sounds), (.anchors, Anchors.landmarks(sounds))] {
                    var records: [UInt8] = []
                    for l in landmarks {
                        withUnsafeBytes(of: l.hash.littleEndian) { records += $0 }
                        withUnsafeBytes(of: l.time.bitPattern.littleEndian) { records += $0 }
                        withUnsafeBytes(of: l.pitch.littleEndian) { records += $0 }
                        withUnsafeBytes(of: l.span.littleEndian) { records += $0 }
                        records += [l.speech, l.probes]
                    }
                    blobs[BlobKey(channel: SoundLandmarkChannel.name, tier: tier)] = StoredBlob(format: 1, bytes: records)
                }
            }
            videos.append(StoredTwin(name: name, seconds: seconds, hasAudio: true, blobs: blobs))
        }
        let read = try #require(try readBack(SoundLandmarkChannel.self, videos, format: format))
        let seen = Dictionary(read.long.map { ($0.hash, $0) }) { a, _ in a }
        let longSounds = try #require(written["/long.mp4"])
        #expect(seen.count == longSounds.count && longSounds.allSatisfy { seen[$0.hash] == $0 })
        #expect(read.short == written["/short.mp4"])
    }

    /// A reference's sound kept as its peaks (`SoundPeakChannel`): read whole or a piece at a
    /// time, its landmarks are those made from all its peaks, bit for bit, the anchors near a
    /// piece's end with their partners past it; the full tier holds no landmarks.
    @Test func landmarksKeptAsTheirPeaksAreMadeAgainWholeAndInPieces() throws {
        var g = SeededGenerator(seed: 35)
        var written: [String: [AudioLandmark]] = [:], videos: [StoredTwin] = []
        for (name, seconds) in [("/long.mp4", 4000), ("/short.mp4", 60)] {
            let frames = (0 ..< 4 * seconds).map { i in
                FrameSignature(time: Float(i) / 4, quality: 90, hashes: [PDQHash(words: SIMD4(g.next(), g.next(), g.next(), g.next()))])
            }
            // About 25 peaks a second on the kept grid, in time order, speech in runs.
            var peaks: [LandmarkPeak] = [], frame: Int32 = 0, speech: UInt8 = 0
            while frame < Int32(seconds) * 1000 {
                frame += Int32(g.next() % 80)
                if g.next() % 5 == 0 { speech = UInt8(truncatingIfNeeded: g.next()) }
                peaks.append(LandmarkPeak(frame: frame, bin: UInt16(19 * 64 + g.next() % (200 * 64)), speech: speech))
            }
            let landmarks = AudioFingerprinter.landmarks(from: peaks)
            written[name] = landmarks
            let blobs = StoredVideo.blobs(full: MediaFingerprint(frames: frames, landmarks: landmarks, landmarkPeaks: peaks))
            #expect(blobs[BlobKey(channel: SoundLandmarkChannel.name, tier: .full)]?.bytes.isEmpty == true)
            #expect(blobs[BlobKey(channel: SoundLandmarkChannel.name, tier: .anchors)]?.bytes.isEmpty == false)
            videos.append(StoredTwin(name: name, seconds: seconds, hasAudio: true, blobs: blobs))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-pipeline-\(UUID().uuidString)")
            .appendingPathComponent("library.sqlite").path
        let store = try LibraryDatabase(path: path)
        for v in videos {
            try store.save(StoredVideo(
                video: IndexedVideo(id: 0, path: v.name, size: 1, modified: 1, digest: "d", duration: Double(v.seconds), hasVideo: true,
                                    hasAudio: true, fingerprintVersion: FingerprintFormat.version, indexedAt: 1),
                blobs: v.blobs))
        }
        let loaded = try LoadedReferences(path: path)
        let long = try #require(loaded.entries.firstIndex { $0.path == "/long.mp4" })
        guard case .pieces(var pieces)? = try loaded.fingerprint(ofReference: long) else {
            Issue.record("long not in pieces")
            return
        }
        let whole = try #require(written["/long.mp4"])
        var starts: [Float] = []
        while let piece = try pieces.next() {
            let start = Float(1000 * starts.count)
            starts.append(start)
            let expected = whole.filter { $0.time >= start && $0.time < start + 1800 }
            #expect(!expected.isEmpty)
            #expect(piece.fingerprint.landmarks == expected, "piece from \(start) s: \(piece.fingerprint.landmarks.count) landmarks, \(expected.count) expected")
        }
        #expect(starts == [0, 1000, 2000, 3000])
        let short = try #require(loaded.entries.firstIndex { $0.path == "/short.mp4" })
        guard case .whole(let fingerprint, _)? = try loaded.fingerprint(ofReference: short) else {
            Issue.record("short not whole")
            return
        }
        #expect(fingerprint.landmarks == written["/short.mp4"])
    }

    /// The motion channel read a piece at a time as it was written: in 136-byte records (format 1,
    /// as a library indexed before issue 33 keeps them) or packed (format 2, each sample against
    /// the one before, across the store's reads: blobs longer than `StoredReferencePieces.readSize`).
    @Test(arguments: [1, 2]) func motionIsReadInPiecesAsItWasWritten(format: Int) throws {
        var g = SeededGenerator(seed: 34)
        var written: [String: [MotionSample]] = [:], videos: [StoredTwin] = []
        for (name, seconds) in [("/long.mp4", 4000), ("/short.mp4", 60)] {
            let frames = (0 ..< 4 * seconds).map { i in
                FrameSignature(time: Float(i) / 4, quality: 90, hashes: [PDQHash(words: SIMD4(g.next(), g.next(), g.next(), g.next()))])
            }
            // Frame times of a 30 fps stream, cells drifting; each sample's first cell says which it is.
            var cells = SIMD64<UInt16>((0 ..< 64).map { _ in UInt16(g.next() % 65281) })
            let motion = (0 ..< 4 * seconds).map { (i: Int) -> MotionSample in
                for c in 1 ..< 64 { cells[c] = UInt16(clamping: min(max(Int(cells[c]) + Int(g.next() % 801) - 400, 0), 65280)) }
                cells[0] = UInt16(i % 65536)
                return MotionSample(time: Float(Double(i * 15 / 2) / 30), aspect: 16.0 / 9, cells: cells)
            }
            written[name] = motion
            var blobs = StoredVideo.blobs(full: MediaFingerprint(frames: frames, motion: motion))
            if format == 1 {
                var records: [UInt8] = []
                for s in motion {
                    withUnsafeBytes(of: s.time.bitPattern.littleEndian) { records += $0 }
                    withUnsafeBytes(of: s.aspect.bitPattern.littleEndian) { records += $0 }
                    for c in 0 ..< 64 { withUnsafeBytes(of: s.cells[c].littleEndian) { records += $0 } }
                }
                blobs[BlobKey(channel: MotionChannel.name, tier: .full)] = StoredBlob(format: 1, bytes: records)
            }
            videos.append(StoredTwin(name: name, seconds: seconds, hasAudio: false, blobs: blobs))
        }
        let read = try #require(try readBack(MotionChannel.self, videos, format: format))
        let seen = Dictionary(read.long.map { ($0.time, $0) }) { a, _ in a }
        let longMotion = try #require(written["/long.mp4"])
        #expect(seen.count == longMotion.count && longMotion.allSatisfy { seen[$0.time] == $0 })
        #expect(read.short == written["/short.mp4"])
    }

    /// A video of the two-format tests: "/long.mp4", whose blobs exceed the store's read size, or
    /// "/short.mp4".
    struct StoredTwin {
        var name: String
        var seconds: Int
        var hasAudio: Bool
        var blobs: [BlobKey: StoredBlob]
    }

    /// `videos` saved into a fresh library (each one's `channel` blob of the tested `format`, the
    /// long one's longer than a store read), then `channel`'s items of "/long.mp4" read a piece
    /// at a time (pieces overlap: items repeat) and of "/short.mp4" read whole; nil, with the
    /// issue recorded, when either is not read that way.
    func readBack<C: FingerprintChannel>(_ channel: C.Type, _ videos: [StoredTwin], format: Int) throws -> (long: [C.Item], short: [C.Item])? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmatch-pipeline-\(UUID().uuidString)")
            .appendingPathComponent("library.sqlite").path
        let store = try LibraryDatabase(path: path)
        for v in videos {
            let full = try #require(v.blobs[BlobKey(channel: C.name, tier: .full)])
            #expect(full.format == format && (v.name != "/long.mp4" || full.bytes.count > StoredReferencePieces.readSize))
            try store.save(StoredVideo(
                video: IndexedVideo(id: 0, path: v.name, size: 1, modified: 1, digest: "d", duration: Double(v.seconds), hasVideo: true,
                                    hasAudio: v.hasAudio, fingerprintVersion: FingerprintFormat.version, indexedAt: 1),
                blobs: v.blobs))
        }
        let loaded = try LoadedReferences(path: path)
        let long = try #require(loaded.entries.firstIndex { $0.path == "/long.mp4" })
        guard case .pieces(var pieces)? = try loaded.fingerprint(ofReference: long) else {
            Issue.record("long not in pieces")
            return nil
        }
        var longItems: [C.Item] = []
        while let piece = try pieces.next() { longItems += piece.fingerprint[keyPath: C.items] }
        let short = try #require(loaded.entries.firstIndex { $0.path == "/short.mp4" })
        guard case .whole(let fingerprint, _)? = try loaded.fingerprint(ofReference: short) else {
            Issue.record("short not whole")
            return nil
        }
        return (longItems, fingerprint[keyPath: C.items])
    }
}
