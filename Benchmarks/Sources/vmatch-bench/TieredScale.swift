// vmatch-bench tiered-scale: the two-tier search of `vmatch compare` (CandidateIndex in memory,
// full fingerprints of the candidates read back and matched) against a synthetic library of H
// hours, built exactly as LoadedReferences builds it, with a 60 s suspect that reuses 30 s of one
// reference (picture and sound) and is random elsewhere.
//
// Densities (options): references of 10 min; picture anchors as `Anchors.frames` makes them (one
// frame every 2 s, area + one crop hash); sound as `Anchors.landmarks` keeps it: 140 landmarks/s
// (the dev corpus's density), all on speech (the worst case: a talking-head library), an eighth
// of them. Hashes are uniform random — real libraries cluster, which makes chance hits more
// common; the chance candidates this produces are reported.
//
//   vmatch-bench tiered-scale --hours H [--landmarks-per-second 140] [--speech 1]
import BenchSupport
import Fingerprint
import Foundation
import Matching

struct TieredScaleReport: Encodable {
    var hours: Double
    var references: Int
    var anchorHashes: Int
    var sketchLandmarks: Int
    var indexBytes: Int
    var buildSeconds: Double
    var rssAfterBuild: Int
    var peakRSSAfterBuild: Int
    var candidateSeconds: Double
    /// The candidate stage's two halves, measured apart.
    var pictureEvidenceSeconds: Double
    var soundEvidenceSeconds: Double
    var candidates: Int
    var trueReferenceRank: Int?
    var fineSeconds: Double
    /// Its parts: unpacking the stored blobs, building the candidates' tables, matching.
    var fineParts: [Double]
    var matched: [String]
    var totalSearchSeconds: Double
}

/// A reference's full synthetic fingerprint, from its seed: 4 frames/s × 7 hashes, landmarks.
func syntheticFull(seed: UInt64, seconds: Double, landmarksPerSecond: Double, kept: [UInt32])
    -> (frames: [FrameSignature], landmarks: [AudioLandmark]) {
    var rng = SplitMix64(seed: seed)
    let frames = (0 ..< Int(seconds * 4)).map { i in
        FrameSignature(time: Float(i) / 4, quality: 90,
                       hashes: (0 ..< 7).map { _ in PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next())) })
    }
    let n = Int(seconds * landmarksPerSecond)
    let landmarks = (0 ..< n).map { i in
        AudioLandmark(hash: UInt32(rng.next() % (1 << 21)), time: Float(seconds) * Float(i) / Float(n),
                      pitch: UInt16(2000 + rng.next() % 2000), span: UInt16(500 + rng.next() % 3000),
                      speech: 255, probes: 0)
    }
    return (frames, landmarks)
}

func runTieredScale(_ a: Arguments) {
    let hours = a.double("hours", 10)
    let perSecond = a.double("landmarks-per-second", 140), speech = a.double("speech", 1)
    let referenceSeconds = 600.0
    let count = Int(hours * 3600 / referenceSeconds)
    let kept = (0 ..< UInt32(1 << 21)).filter(LandmarkSketch.keeps)
    let keptPerReference = Int(referenceSeconds * perSecond * speech * Double(kept.count) / Double(1 << 21))
    let truth = count / 2
    let trueFull = syntheticFull(seed: 77, seconds: referenceSeconds, landmarksPerSecond: perSecond, kept: kept)

    var index: CandidateIndex!
    let build = seconds(ContinuousClock().measure {
        var builder = CandidateIndex.Builder()
        builder.reserve(anchorHashes: count * Int(referenceSeconds / 2) * 2, landmarks: count * keptPerReference)
        var rng = SplitMix64(seed: 5)
        for r in 0 ..< count {
            let entry = ReferenceEntry(path: "/library/ref\(r).mp4", duration: referenceSeconds)
            if r == truth {
                builder.add(entry, key: Int64(r), anchors: Anchors.of(MediaFingerprint(frames: trueFull.frames, landmarks: trueFull.landmarks)))
                continue
            }
            let frames = (0 ..< Int(referenceSeconds / 2)).map { i in
                FrameSignature(time: Float(2 * i), quality: 90, hashes: [PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next())),
                                                                         PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next()))])
            }
            let landmarks = (0 ..< keptPerReference).map { _ in
                AudioLandmark(hash: kept[Int(rng.next() % UInt64(kept.count))], time: Float(rng.unit()) * Float(referenceSeconds),
                              pitch: 3000, span: 2000, speech: 255, probes: 0)
            }
            builder.add(entry, key: Int64(r), anchors: MediaFingerprint(frames: frames, landmarks: landmarks))
        }
        index = builder.build()
    })
    let afterBuild = memory()

    // The suspect: 60 s at 4 frames/s, 6 hashes a frame (area, mirror, 4 windows), 140
    // landmarks/s with the usual probes; 10…40 s reuse the true reference's 100…130 s.
    var rng = SplitMix64(seed: 9)
    let frames = (0 ..< 240).map { i -> FrameSignature in
        var hashes = (0 ..< 6).map { _ in PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next())) }
        let t = Float(i) / 4
        if t >= 10, t < 40 {
            let source = trueFull.frames[Int((t - 10 + 100) * 4)]
            hashes[0] = SyntheticHashes.neighbour(of: source.hashes[0], distance: 4 + Int(rng.next() % 21), using: &rng)
        }
        return FrameSignature(time: t, quality: 80, hashes: hashes)
    }
    var landmarks = (0 ..< Int(60 * perSecond)).map { i -> AudioLandmark in
        let probes = UInt8(truncatingIfNeeded: rng.next()) & 0b0101_0101 & UInt8(truncatingIfNeeded: rng.next())
        return AudioLandmark(hash: UInt32(rng.next() % (1 << 21)), time: 60 * Float(i) / Float(60 * perSecond),
                             pitch: 3000, span: 2000, speech: 200, probes: probes)
    }
    landmarks.removeAll { $0.time >= 10 && $0.time < 40 }
    landmarks += trueFull.landmarks.filter { $0.time >= 100 && $0.time < 130 && rng.next() % 2 == 0 }.map {
        var l = $0
        l.time = l.time - 100 + 10
        return l
    }
    let suspect = MediaFingerprint(duration: 60, frames: frames, landmarks: landmarks)

    let pictureOnly = seconds(ContinuousClock().measure {
        _ = index.evidence(for: MediaFingerprint(duration: 60, frames: frames, landmarks: []))
    })
    let soundOnly = seconds(ContinuousClock().measure {
        _ = index.evidence(for: MediaFingerprint(duration: 60, frames: [], landmarks: landmarks))
    })
    var candidates: [Int] = []
    let candidateTime = seconds(ContinuousClock().measure { candidates = index.candidates(for: suspect) })
    // What the store would return for each candidate, packed as stored (outside the timing).
    let blobs = candidates.map { r -> (frames: [UInt8], landmarks: [UInt8]) in
        let full = r == truth ? trueFull : syntheticFull(seed: 1000 + UInt64(r), seconds: referenceSeconds, landmarksPerSecond: perSecond, kept: kept)
        return (FramePacking.pack(full.frames), AudioLandmark.pack(full.landmarks))
    }
    var matches: [ReferenceMatch] = []
    var loaded: [(entry: ReferenceEntry, fingerprint: MediaFingerprint)] = []
    let unpack = seconds(ContinuousClock().measure {
        for (k, r) in candidates.enumerated() {
            loaded.append((index.entries[r], MediaFingerprint(frames: FramePacking.unpack(blobs[k].frames)!, landmarks: AudioLandmark.unpack(blobs[k].landmarks)!)))
        }
    })
    var library: ReferenceSet?
    let libraryBuild = seconds(ContinuousClock().measure { library = ReferenceSet(loaded) })
    let fineMatch = seconds(ContinuousClock().measure { matches = Matcher().match(suspect, in: library!) })
    let fine = unpack + libraryBuild + fineMatch
    emit(TieredScaleReport(
        hours: hours, references: count, anchorHashes: index.anchorCount, sketchLandmarks: index.landmarkCount,
        indexBytes: index.bytes, buildSeconds: build, rssAfterBuild: afterBuild.rss, peakRSSAfterBuild: afterBuild.peak,
        candidateSeconds: candidateTime, pictureEvidenceSeconds: pictureOnly, soundEvidenceSeconds: soundOnly,
        candidates: candidates.count,
        trueReferenceRank: candidates.firstIndex(of: truth).map { $0 + 1 }, fineSeconds: fine, fineParts: [unpack, libraryBuild, fineMatch],
        matched: matches.map { "\($0.reference.path) \($0.modality.rawValue) \(($0.score * 1000).rounded() / 1000)" },
        totalSearchSeconds: candidateTime + fine))
}
