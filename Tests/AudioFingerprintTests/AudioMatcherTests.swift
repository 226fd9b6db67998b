@testable import AudioFingerprint
import Fingerprint
import Foundation
@testable import Matching
import Testing

@Suite struct MatcherTests {
    /// Landmarks of a pseudo-random "reference" and a query made from its 20…35 s part,
    /// played at `speed` (reference seconds per query second).
    func landmarks(seed: UInt64, seconds: Double) -> [AudioLandmark] {
        let r = TestAudio.noise(count: Int(seconds * 100) * 3, amplitude: 1, seed: seed)
        return (0..<Int(seconds * 100)).map { (i: Int) -> AudioLandmark in
            let hash = UInt32((r[3 * i] + 1) / 2 * Float((1 << 21) - 1))
            let time = Float(i) / 100 + 0.004 * r[3 * i + 1]
            let pitch = UInt16(64 * (40 + 10 * (r[3 * i + 2] + 1)))
            return AudioLandmark(hash: hash, time: time, pitch: pitch, span: 3000, speech: 255, probes: 0)
        }
    }

    @Test(arguments: [1.0, 1.1, 0.9, 0.75, 1.3])
    func findsOffsetAndSpeed(speed: Double) {
        let ref = landmarks(seed: 1, seconds: 60)
        let other = landmarks(seed: 2, seconds: 60)
        let query = ref.filter { $0.time >= 20 && $0.time < 35 }.enumerated()
            .filter { $0.offset % 3 != 0 }          // a third of the landmarks lost
            .map { l in
                var q = l.element
                q.time = (q.time - 20) / Float(speed) + 3      // starts 3 s into the query
                q.span = UInt16(Double(q.span) / speed)
                return q
            }
        let refs: [(id: UInt32, landmarks: [AudioLandmark])] = [(7, ref), (8, other)]
        let index = LandmarkIndex(references: refs)
        let matches = AudioMatcher().match(query, against: index)
        #expect(matches.count == 1)
        let s = try! #require(matches.first?.segments.first)
        #expect(matches[0].referenceID == 7)
        #expect(abs(s.speed - speed) < 0.01)
        #expect(abs(s.queryStart - 3) < 0.1)
        #expect(abs(s.referenceStart - 20) < 0.15)
        #expect(abs(s.referenceEnd - 35) < 0.2)
        #expect(s.alignedHits > 500)
        #expect(s.score > 0.9)
    }

    @Test func speedsOutsideTheEditRangeAreNotAligned() {
        // 1.45× is beyond SoundEdits.speeds (0.75–1.3): the search does not reach it.
        let ref = landmarks(seed: 1, seconds: 60)
        let query = ref.filter { $0.time >= 20 && $0.time < 35 }.map { l in
            var q = l
            q.time = (q.time - 20) / 1.45
            q.span = UInt16(Double(q.span) / 1.45)
            return q
        }
        let index = LandmarkIndex(references: [(id: UInt32(1), landmarks: ref)])
        #expect(AudioMatcher().match(query, against: index).isEmpty)
    }

    /// A reference and a 2.5 s excerpt of it (from 20 s on, 1 s into the query), all landmarks kept.
    func shortExcerpt() -> (index: LandmarkIndex, query: [AudioLandmark]) {
        let ref = landmarks(seed: 1, seconds: 60)
        let other = landmarks(seed: 2, seconds: 60)
        let query = ref.filter { $0.time >= 20 && $0.time < 22.5 }.map { l in var q = l; q.time -= 19; return q }
        let refs: [(id: UInt32, landmarks: [AudioLandmark])] = [(7, ref), (8, other)]
        return (LandmarkIndex(references: refs), query)
    }

    @Test func aShortExcerptIsConfirmedOnlyAlongThePictureLine() throws {
        let (index, query) = shortExcerpt()
        // Too short for the search: it covers 3 whole seconds, the search needs 4.
        #expect(AudioMatcher().match(query, against: index).isEmpty)
        // Along the line the picture found (offset 19 s, speed 1, query 1…3.5 s) the sound confirms it.
        let s = try #require(AudioMatcher().confirm(query, against: index, reference: 7, speed: 1, offset: 19,
                                                    queryRange: 1...3.5).first)
        #expect(abs(s.referenceStart - s.speed * s.queryStart - 19) < 0.1)
        #expect(s.speechHits >= 200)
        // Another line of the same reference, or another reference: nothing.
        #expect(AudioMatcher().confirm(query, against: index, reference: 7, speed: 1, offset: 25, queryRange: 1...3.5).isEmpty)
        #expect(AudioMatcher().confirm(query, against: index, reference: 8, speed: 1, offset: 19, queryRange: 1...3.5).isEmpty)
        // Outside the stretch the picture names there is no sound to confirm.
        #expect(AudioMatcher().confirm(query, against: index, reference: 7, speed: 1, offset: 19, queryRange: 10...14).isEmpty)
    }

    /// A reference that is a room recording: speech only in 16…19 s, room tone (landmarks on no
    /// speech) everywhere else.
    func roomRecording() -> [AudioLandmark] {
        landmarks(seed: 1, seconds: 30).map { l in
            var r = l
            r.speech = (16 ..< 19).contains(l.time) ? 255 : 0
            return r
        }
    }

    @Test func aPassageWithLittleSpeechIsFoundWhenItsRecordingComesAlong() throws {
        // 9 s of the room recording (10…19 s, played from 0 s): its speech covers 3 whole seconds,
        // fewer than the search's 4, but the room tone before it lies on the same line.
        let ref = roomRecording()
        let index = LandmarkIndex(references: [(id: UInt32(7), landmarks: ref), (id: UInt32(8), landmarks: landmarks(seed: 2, seconds: 30))])
        let query = ref.filter { $0.time >= 10 && $0.time < 19 }.map { l in var q = l; q.time -= 10; return q }
        let match = try #require(AudioMatcher().match(query, against: index).first)
        #expect(match.referenceID == 7 && match.segments.count == 1)
        let s = match.segments[0]
        #expect(abs(s.referenceStart - s.queryStart - 10) < 0.1 && abs(s.speed - 1) < 0.01)
        #expect(s.queryStart < 1 && s.queryEnd > 8.5)          // the room tone is the recording's too
        #expect(s.coveredSeconds >= 8 && s.speechHits >= 200 && s.speechHits < s.alignedHits)
        // The same 3 s of speech in another recording (another room's tone before it): a phrase
        // that two recordings share, no more; and the speech alone, with nothing around it.
        let otherRoom = landmarks(seed: 3, seconds: 30).filter { $0.time < 6 }.map { l in var q = l; q.speech = 0; return q }
        let phrase = query.filter { $0.time >= 6 }
        #expect(AudioMatcher().match(otherRoom + phrase, against: index).isEmpty)
        #expect(AudioMatcher().match(phrase, against: index).isEmpty)
        // The room tone alone is no evidence of the voice.
        #expect(AudioMatcher().match(query.filter { $0.time < 6 }, against: index).isEmpty)
    }

    @Test func aLineTheSearchFindsStandsOnlyWhereItStandsOutOfTheBackground() throws {
        // A monotone voice of few sounds (its landmarks' hashes from a small alphabet, one pitch):
        // the same voice saying other words hits every stretch of the reference a little, and the
        // best of the search's many lines reaches its evidence (24 hits over 4 seconds), while
        // lines elsewhere in the reference hold nearly as many. An excerpt stands out of them.
        func voice(seed: UInt64, seconds: Double) -> [AudioLandmark] {
            landmarks(seed: seed, seconds: seconds).map { l in
                var l = l
                l.hash %= 1024
                l.pitch = 64 * 50
                return l
            }
        }
        let ref = voice(seed: 1, seconds: 90)
        let index = LandmarkIndex(references: [(id: UInt32(7), landmarks: ref)])
        let otherWords = voice(seed: 2, seconds: 12)
        var unjudged = AudioMatcher.Configuration()
        unjudged.judgedAgainstBackground = false
        let chance = try #require(AudioMatcher(configuration: unjudged).match(otherWords, against: index).first?.segments.first)
        #expect(chance.speechHits >= unjudged.minHits && chance.coveredSeconds >= unjudged.minCoveredSeconds)
        #expect(AudioMatcher().match(otherWords, against: index).isEmpty)
        // Its own words, 40…50 s played from 1 s, a third of them lost: found.
        let excerpt = ref.filter { $0.time >= 40 && $0.time < 50 }.enumerated().filter { $0.offset % 3 != 0 }
            .map { l in var q = l.element; q.time -= 39; return q }
        let s = try #require(AudioMatcher().match(excerpt, against: index).first?.segments.first)
        #expect(abs(s.referenceStart - s.queryStart - 39) < 0.1 && s.queryEnd - s.queryStart > 8)
    }

    @Test func alongThePictureLineFewHitsConfirmOnlyWhereTheyStandOutOfTheBackground() throws {
        // 1.5 s of the reference with an eighth of its landmarks: fewer than minHits (24) speech
        // hits, too few for the search and for `align` along the line; on the line they stand out
        // (elsewhere in the reference no line holds more than chance), so the sound is confirmed.
        let (index, query) = shortExcerpt()
        let sparse = query.filter { $0.time < 2.5 }.enumerated().filter { $0.offset % 8 == 0 }.map(\.element)
        #expect(sparse.count < AudioMatcher.Configuration().minHits)
        #expect(AudioMatcher().match(sparse, against: index).isEmpty)
        let s = try #require(AudioMatcher().confirm(sparse, against: index, reference: 7, speed: 1, offset: 19, queryRange: 1...2.5).first)
        #expect(abs(s.referenceStart - s.speed * s.queryStart - 19) < 0.1 && s.speechHits == sparse.count)
        // Off the line by more than the picture's tolerance, or against another reference: nothing.
        #expect(AudioMatcher().confirm(sparse, against: index, reference: 7, speed: 1, offset: 21, queryRange: 1...2.5).isEmpty)
        #expect(AudioMatcher().confirm(sparse, against: index, reference: 8, speed: 1, offset: 19, queryRange: 1...2.5).isEmpty)
        // A stretch the hits do not span half of (the picture names 1…6 s; they lie in 1…2.5 s).
        #expect(AudioMatcher().confirm(sparse, against: index, reference: 7, speed: 1, offset: 19, queryRange: 1...6).isEmpty)
    }

    @Test func aLineIsNotConfirmedWhereTheReferenceRepeatsItself() {
        // A reference that loops one 2.4-s phrase: every line shifted by a whole number of loops
        // holds as many hits as the true one, so the few hits of a masked copy single out nothing.
        let phrase = landmarks(seed: 3, seconds: 2.4)
        let looped = (0 ..< 25).flatMap { k in phrase.map { l in var l = l; l.time += Float(k) * 2.4; return l } }
        let index = LandmarkIndex(references: [(id: UInt32(5), landmarks: looped)])
        let query = looped.filter { $0.time >= 24 && $0.time < 28 }.enumerated().filter { $0.offset % 20 == 0 }
            .map { l in var q = l.element; q.time -= 23; return q }
        #expect(query.count < AudioMatcher.Configuration().minHits)
        #expect(AudioMatcher().confirm(query, against: index, reference: 5, speed: 1, offset: 23, queryRange: 1...5).isEmpty)
    }

    @Test func aReplacedVoiceIsNotConfirmedAlongThePictureLine() {
        // The picture of the reference's 20…30 s with another recording's sound: on the line it
        // holds what any line holds.
        let ref = landmarks(seed: 1, seconds: 60)
        let index = LandmarkIndex(references: [(id: UInt32(7), landmarks: ref)])
        let voice = landmarks(seed: 9, seconds: 10)
        #expect(AudioMatcher().confirm(voice, against: index, reference: 7, speed: 1, offset: 20, queryRange: 0...10).isEmpty)
    }

    /// The reference's 20…30 s as a clip whose voice is masked: one in four of its peaks left,
    /// none of them in its landmarks (their hashes are another sound's), under another voice's
    /// peaks four times as many; the voice shifted by `pitch` semitones.
    func maskedVoice(_ ref: [AudioLandmark], pitch: Double = 0) -> [AudioLandmark] {
        let hashes = TestAudio.noise(count: 1000, amplitude: 1, seed: 21)
        let kept = ref.filter { $0.time >= 20 && $0.time < 30 }.enumerated().filter { $0.offset % 4 == 0 }.map { e -> AudioLandmark in
            var l = e.element
            l.time -= 20
            l.pitch = UInt16(Double(l.pitch) + 64 * pitch)
            l.hash = UInt32((hashes[e.offset] + 1) / 2 * Float((1 << 21) - 1))
            return l
        }
        return (kept + landmarks(seed: 11, seconds: 10)).sorted { $0.time < $1.time }
    }

    @Test func aMaskedVoiceIsConfirmedAlongThePictureLineByItsPeaks() throws {
        // No landmark of the clip is the reference's: the search and the landmarks along the line
        // find nothing; a quarter of the reference's peaks, where the line puts them, stand out.
        let ref = landmarks(seed: 1, seconds: 60)
        let index = LandmarkIndex(references: [(id: UInt32(7), landmarks: ref)])
        for pitch in [0.0, 2.0] {
            let clip = maskedVoice(ref, pitch: pitch)
            #expect(AudioMatcher().match(clip, against: index).isEmpty)
            // The picture's line is 0.3 s and 1 % off the true one, within its tolerances.
            let s = try #require(AudioMatcher().confirm(clip, against: index, reference: 7, speed: 1.01, offset: 19.7, queryRange: 0...10).first)
            #expect(abs(s.referenceStart - (s.queryStart + 20)) < 0.05 && abs(s.referenceEnd - (s.queryEnd + 20)) < 0.05)
            #expect(abs(s.speed - 1) < 0.005 && abs(s.pitchShift - pitch) <= AudioMatcher.peakPitchCell)
            #expect(s.queryStart < 1 && s.queryEnd > 8.5)
            // Off the line by more than the picture's tolerance: nothing.
            #expect(AudioMatcher().confirm(clip, against: index, reference: 7, speed: 1, offset: 22, queryRange: 0...10).isEmpty)
        }
    }

    @Test func aLongPictureSegmentIsCheckedPeakByPeakInAFewPieces() {
        #expect(AudioMatcher.peakPieces(of: 3 ... 23) == [3 ... 23])
        // 100 s: five pieces of 20 s, four of them tried, from the first to the last.
        let pieces = AudioMatcher.peakPieces(of: 0 ... 100)
        #expect(pieces.count == 4 && pieces.first == 0 ... 20 && pieces.last == 80 ... 100)
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound })
        #expect(AudioMatcher.peakPieces(of: 0 ... 30).map(\.lowerBound) == [0, 15])
    }

    @Test func aLongMaskedStretchIsConfirmedInThePiecesTried() throws {
        // 50 s of the reference masked as `maskedVoice` does, shown by the picture along its line:
        // three pieces of 16.7 s, each confirmed where it is.
        let ref = landmarks(seed: 1, seconds: 120)
        let index = LandmarkIndex(references: [(id: UInt32(7), landmarks: ref)])
        let hashes = TestAudio.noise(count: 5000, amplitude: 1, seed: 21)
        let kept = ref.filter { $0.time >= 20 && $0.time < 70 }.enumerated().filter { $0.offset % 4 == 0 }.map { e -> AudioLandmark in
            var l = e.element
            l.time -= 20
            l.hash = UInt32((hashes[e.offset] + 1) / 2 * Float((1 << 21) - 1))
            return l
        }
        let clip = (kept + landmarks(seed: 11, seconds: 50)).sorted { $0.time < $1.time }
        let segments = AudioMatcher().confirm(clip, against: index, reference: 7, speed: 1, offset: 20, queryRange: 0...50)
        #expect(segments.count == 3)
        for s in segments { #expect(abs(s.referenceStart - (s.queryStart + 20)) < 0.05 && s.queryEnd - s.queryStart > 10) }
    }

    @Test func aVoiceSpeakingInTimeWithTheReferenceAtOtherPitchesIsNotConfirmed() {
        // A lip-synced re-dub: another voice's peaks at the reference's very times, at its own pitches.
        let ref = landmarks(seed: 1, seconds: 60)
        let index = LandmarkIndex(references: [(id: UInt32(7), landmarks: ref)])
        let pitches = TestAudio.noise(count: 1000, amplitude: 1, seed: 5)
        let redub = ref.filter { $0.time >= 20 && $0.time < 30 }.enumerated().map { e -> AudioLandmark in
            var l = e.element
            l.time -= 20
            l.pitch = UInt16(64 * (40 + 10 * (pitches[e.offset] + 1)))
            l.hash = 0
            return l
        }
        #expect(AudioMatcher().confirm(redub, against: index, reference: 7, speed: 1, offset: 20, queryRange: 0...10).isEmpty)
    }

    @Test func aHitsAgreeingSpeedsAreTheRunThePerSpeedTestGives() {
        // `align` looks a hit's speeds up once instead of testing its span at every grid speed.
        let speeds = Array(stride(from: 0.75, through: 1.3 + 1e-9, by: 0.002)), logs = speeds.map { Float(log($0)) }
        let r = TestAudio.noise(count: 6000, amplitude: 1, seed: 17)
        for i in 0 ..< 3000 {
            let ratio = 0.5 * r[2 * i], tolerance = 0.06 + 0.1 * abs(r[2 * i + 1])
            let run = AudioMatcher.agreeingSpeeds(logSpanRatio: ratio, tolerance: tolerance, logSpeeds: logs)
            let tested = logs.indices.filter { abs(ratio - logs[$0]) <= tolerance }
            #expect(Array(run) == tested)
        }
        // Exactly on a grid speed, and at the ends of the grid.
        #expect(AudioMatcher.agreeingSpeeds(logSpanRatio: logs[10], tolerance: 0, logSpeeds: logs) == 10 ..< 11)
        #expect(AudioMatcher.agreeingSpeeds(logSpanRatio: 1, tolerance: 0.1, logSpeeds: logs).isEmpty)
        #expect(AudioMatcher.agreeingSpeeds(logSpanRatio: logs[0] - 0.05, tolerance: 0.06, logSpeeds: logs).lowerBound == 0)
    }

    @Test func poissonTailsAreExact() {
        #expect(AudioMatcher.poissonTail(atLeast: 0, rate: 3) == 1)
        #expect(abs(AudioMatcher.poissonTail(atLeast: 1, rate: 2) - (1 - exp(-2))) < 1e-12)
        // P(X ≥ 3) at rate 1: 1 − e⁻¹(1 + 1 + 1/2).
        #expect(abs(AudioMatcher.poissonTail(atLeast: 3, rate: 1) - (1 - exp(-1) * 2.5)) < 1e-12)
        #expect(AudioMatcher.poissonTail(atLeast: 10, rate: 1) < 1e-6 && AudioMatcher.poissonTail(atLeast: 9, rate: 1) > 1e-6)
        // Large rates, where e^−rate underflows: the mean itself is about as likely to be
        // reached as not; 15 standard deviations above it hardly ever is.
        #expect(abs(AudioMatcher.poissonTail(atLeast: 800, rate: 800) - 0.5) < 0.02)
        #expect(AudioMatcher.poissonTail(atLeast: 800 + 15 * 28, rate: 800) < 1e-12)
        #expect(AudioMatcher.poissonTail(atLeast: 800 - 15 * 28, rate: 800) > 1 - 1e-12)
    }

    @Test func emptyQueryOrIndexGivesNoMatch() {
        let one: [(id: UInt32, landmarks: [AudioLandmark])] = [(1, landmarks(seed: 1, seconds: 10))]
        let index = LandmarkIndex(references: one)
        #expect(AudioMatcher().match([], against: index).isEmpty)
        let empty = LandmarkIndex(references: [(id: UInt32, landmarks: [AudioLandmark])]())
        #expect(AudioMatcher().match(landmarks(seed: 1, seconds: 10), against: empty).isEmpty)
    }

    @Test func hitsOutsideSpeechAreNoVoiceEvidence() {
        var ref = landmarks(seed: 1, seconds: 30)
        for i in ref.indices { ref[i].speech = 0 }       // e.g. a music bed under pauses
        let query = ref.filter { $0.time >= 5 && $0.time < 15 }.map { l in var q = l; q.time -= 5; return q }
        let refs: [(id: UInt32, landmarks: [AudioLandmark])] = [(1, ref)]
        let index = LandmarkIndex(references: refs)
        #expect(AudioMatcher().match(query, against: index).isEmpty)
        var c = AudioMatcher.Configuration()
        c.requireSpeech = false
        #expect(AudioMatcher(configuration: c).match(query, against: index).count == 1)
    }
}

@Suite struct CommonHashTests {
    @Test func aHashStoredFarMoreOftenThanAverageIsLeftOut() {
        // A reference that is one steady tone: the same hash 20,000 times; the query: the tone too.
        let tone = (0 ..< 20_000).map { AudioLandmark(hash: 12345, time: Float($0) / 100, pitch: 3000, span: 3000, speech: 255, probes: 0) }
        let index = LandmarkIndex(references: [(id: UInt32(1), landmarks: tone)])
        let query = (0 ..< 2_000).map { AudioLandmark(hash: 12345, time: Float($0) / 100, pitch: 3000, span: 3000, speech: 255, probes: 0) }
        #expect(AudioMatcher().match(query, against: index).isEmpty)
    }
}
