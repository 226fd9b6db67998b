@testable import AudioFingerprint
import Fingerprint
@testable import Matching
import Testing

@Suite struct LandmarkSketchTests {
    /// Speech landmarks with pseudo-random hashes, 100 per second.
    func landmarks(seed: UInt64, seconds: Double, speech: UInt8 = 255) -> [AudioLandmark] {
        let r = TestAudio.noise(count: Int(seconds * 100) * 2, amplitude: 1, seed: seed)
        return (0..<Int(seconds * 100)).map { i in
            AudioLandmark(hash: UInt32((r[2 * i] + 1) / 2 * Float((1 << 21) - 1)),
                          time: Float(i) / 100 + 0.004 * r[2 * i + 1], pitch: 3000, span: 3000, speech: speech, probes: 0)
        }
    }

    /// The anchors tier keeps a landmark's hash and tenth of a second only (format 3 of the sound
    /// channel's anchors): the sketch built from what it gives back is the sketch built from the
    /// landmarks, table for table, whether the blob was packed whole or in pieces.
    @Test func theSketchOfTheAnchorsTierAsStoredIsTheSketchOfTheLandmarks() throws {
        #expect(AudioLandmark.sketchUnit == LandmarkSketch.unit)
        let refs = (0..<4).map { landmarks(seed: UInt64(20 + $0), seconds: 90 + 1000 * Double($0)) }
        var original = LandmarkSketch.Builder(), stored = LandmarkSketch.Builder(), pieced = LandmarkSketch.Builder()
        for r in refs {
            let kept = Anchors.landmarks(r)
            original.add(kept)
            let blob = SoundLandmarkChannel.packAnchors(kept)
            #expect(blob.count <= kept.count * 4, "\(blob.count) bytes for \(kept.count) landmarks")
            let back = try #require(SoundLandmarkChannel.unpack(blob, format: SoundLandmarkChannel.anchorsFormat, after: nil))
            // (A landmark at a time before the start is in no index, and not written.)
            let plausible = kept.filter { MediaFingerprint.isPlausible($0.time) }
            #expect(back.count == plausible.count && zip(back, plausible).allSatisfy { $0.hash == $1.hash && $0.speech == 255 })
            stored.add(back)
            // Packed in pieces, as the index spools them, read in one go.
            let cut = kept.count / 3
            let joined = SoundLandmarkChannel.packAnchors(Array(kept[..<cut])) + SoundLandmarkChannel.packAnchors(Array(kept[cut...]))
            pieced.add(try #require(SoundLandmarkChannel.unpack(joined, format: 3, after: nil)))
        }
        let a = original.build(), b = stored.build(), c = pieced.build()
        for other in [b, c] {
            #expect(Array(other.starts) == Array(a.starts) && Array(other.entries) == Array(a.entries) && Array(other.bases) == Array(a.bases))
        }
    }

    @Test func keepsAnEighthOfTheHashSpaceAndOnlySpeech() {
        let all = (0..<(1 << 21)).filter { LandmarkSketch.keeps(UInt32($0)) }.count
        #expect(abs(Double(all) / Double(1 << 21) - 0.125) < 0.001)
        #expect(LandmarkSketch.selection(landmarks(seed: 3, seconds: 10, speech: 100)).isEmpty)
        let kept = LandmarkSketch.selection(landmarks(seed: 3, seconds: 100)).count
        #expect(kept > 1000 && kept < 1500)
    }

    @Test(arguments: [1.0, 1.12, 0.88, 0.75, 1.3])
    func votesForTheReferenceAQueryCameFrom(speed: Double) {
        var builder = LandmarkSketch.Builder()
        let refs = (0..<5).map { landmarks(seed: UInt64(10 + $0), seconds: 120) }
        for r in refs { builder.add(r) }
        let sketch = builder.build()
        #expect(sketch.count == refs.map { LandmarkSketch.selection($0).count }.reduce(0, +))
        // 30 s of reference 3 from 40 s on, at `speed`, half its landmarks lost, 5 s into the query.
        let query = refs[3].filter { $0.time >= 40 && $0.time < 70 }.enumerated().filter { $0.offset % 2 == 0 }.map { l in
            var q = l.element
            q.time = (q.time - 40) / Float(speed) + 5
            return q
        }
        let votes = sketch.votes(for: query)
        // An eighth of 1500 surviving landmarks is ~190; unrelated references get a few chance hits.
        #expect(votes[3, default: 0] > 120)
        for r in [0, 1, 2, 4] { #expect(votes[r, default: 0] < 10) }
        // Unrelated query: nothing stands out.
        let unrelated = sketch.votes(for: landmarks(seed: 99, seconds: 30))
        #expect(unrelated.values.allSatisfy { $0 < 10 })
    }

    @Test func eachBucketHoldsItsUnitsInOrderWhateverOrderTheLandmarksCameIn() {
        // As a sort of (hash, unit) keys would leave them: landmarks in time order, and the same
        // landmarks shuffled (a bucket out of order is sorted on its own), give the same table.
        let refs = (0 ..< 4).map { landmarks(seed: UInt64(20 + $0), seconds: 90) }
        var inOrder = LandmarkSketch.Builder(), shuffled = LandmarkSketch.Builder()
        for r in refs {
            inOrder.add(r)
            // A fixed permutation (7919 is prime to the 9,000 landmarks).
            shuffled.add((0 ..< r.count).map { r[($0 * 7919) % r.count] })
        }
        let a = inOrder.build(), b = shuffled.build()
        #expect(a.starts == b.starts && a.entries == b.entries)
        for bucket in 0 ..< (1 << LandmarkHash.bits) {
            let units = a.entries[Int(a.starts[bucket]) ..< Int(a.starts[bucket + 1])]
            if !zip(units, units.dropFirst()).allSatisfy({ $0 <= $1 }) {
                Issue.record("bucket \(bucket) out of order")
                break
            }
        }
        #expect(a.count > 4000)
    }

    @Test func findsTheReferenceOfATimeOnTheSharedTimeline() {
        var builder = LandmarkSketch.Builder()
        builder.add(landmarks(seed: 1, seconds: 20))
        builder.add([])
        builder.add(landmarks(seed: 2, seconds: 50))
        let sketch = builder.build()
        let query = landmarks(seed: 2, seconds: 50).filter { $0.time > 30 && $0.time < 40 }
        let votes = sketch.votes(for: query)
        #expect(votes[2, default: 0] > 50)
        #expect(votes[0, default: 0] < 10 && votes[1] == nil)
    }
}
