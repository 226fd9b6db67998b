// The library in memory, as two tiers. A reference's full fingerprint — every sampled frame's
// hash and six crop hashes at 4 frames/s, ~140 landmarks/s — is ~2.5 KB per second before any
// search structure: 9.7 GB of picture index and 8 GB of landmark table at 1000 hours. The
// candidate index holds a sparse, fixed share of it (picture anchors every 2 s, an eighth of the
// speech landmarks) that is enough to say which references a suspect could reuse; the matcher
// then reads just those references' full fingerprints from the store and matches them exactly
// as one `ReferenceSet` of every reference would (`Matcher.match(_:in:)`).
//
// Picture anchors: the first evidence frame at or after every `anchorInterval` seconds, with its
// area hash and one of its crop hashes in turn. A suspect samples 4 frames/s, so some suspect
// frame lies within ⅛ s of each anchor of a reused stretch and meets it within PDQ's radius
// about as often as it meets the full fingerprint; one such frame suffices to make the reference
// a candidate (unrelated frames do not come within 31: see HashRegions). Searched with the same
// exact multi-index radius search.
import Fingerprint

public enum Anchors {
    /// Seconds between picture anchors.
    public static let interval: Float = 2

    /// A reference's picture anchors: frames with the area hash and one crop hash each.
    public static func frames(_ frames: [FrameSignature]) -> [FrameSignature] {
        var selector = FrameSelector()
        return selector.take(frames)
    }

    /// `frames(_:)` for a fingerprint that arrives in pieces: the anchors of the pieces, in
    /// order, are those of the whole.
    public struct FrameSelector: Sendable {
        private var next: Float = 0
        private var taken = 0

        public init() {}

        public mutating func take(_ frames: [FrameSignature]) -> [FrameSignature] {
            var out: [FrameSignature] = []
            for f in frames where f.isEvidence && !f.hashes.isEmpty && f.time >= next {
                let crops = f.hashes.count - 1
                var hashes = [f.hashes[0]]
                if crops > 0 { hashes.append(f.hashes[1 + taken % crops]) }
                out.append(FrameSignature(time: f.time, quality: f.quality, hashes: hashes))
                taken += 1
                next = (f.time / interval).rounded(.down) * interval + interval
            }
            return out
        }
    }

    /// A reference's landmarks that the candidate index keeps.
    public static func landmarks(_ landmarks: [AudioLandmark]) -> [AudioLandmark] {
        LandmarkSketch.selection(landmarks)
    }

    /// A reference's anchors, every channel's: what the store keeps as its anchors tier.
    public static func of(_ fingerprint: MediaFingerprint) -> MediaFingerprint {
        var selector = Selector()
        return selector.take(fingerprint)
    }

    /// `of(_:)` for a fingerprint that arrives in pieces: the anchors of the pieces, in order,
    /// are those of the whole. Each channel's rule is here, beside the index that reads it.
    public struct Selector: Sendable {
        private var frames = FrameSelector()
        private var keypoints = KeypointSelector()

        public init() {}

        public mutating func take(_ piece: MediaFingerprint) -> MediaFingerprint {
            MediaFingerprint(duration: piece.duration, frames: frames.take(piece.frames), landmarks: Anchors.landmarks(piece.landmarks),
                             keypointFrames: keypoints.take(piece.keypointFrames))
        }
    }

    /// Seconds between keypoint anchors, and keypoints kept of each (the strongest).
    public static let keypointInterval: Float = 4
    public static let keypointsPerAnchor = 64

    /// A reference's keypoint anchors: the first own (not mirrored) keypoint frame at or after
    /// every `keypointInterval` seconds, with those of its `keypointsPerAnchor` strongest
    /// keypoints that the anchor before did not hold already (a held view or a pan keeps its
    /// corners, carried over with their descriptors: `KeypointRecipe`). A suspect keypoint counts
    /// once per reference however many of its anchors it is close to (`evidence`), so an anchor
    /// written once votes as it would written every time.
    public struct KeypointSelector: Sendable {
        private var next: Float = 0
        /// The descriptors of the last anchor's strongest keypoints, written then or before.
        private var anchored: Set<BinaryDescriptor> = []

        public init() {}

        public mutating func take(_ frames: [KeypointFrame]) -> [KeypointFrame] {
            var out: [KeypointFrame] = []
            for f in frames where !f.mirrored && !f.keypoints.isEmpty && f.time >= next {
                let strongest = f.keypoints.enumerated().sorted {
                    $0.element.response != $1.element.response ? $0.element.response > $1.element.response : $0.offset < $1.offset
                }.prefix(keypointsPerAnchor).map(\.element)
                var kept = f
                kept.keypoints = strongest.filter { !anchored.contains($0.descriptor) }
                anchored = Set(strongest.map(\.descriptor))
                if !kept.keypoints.isEmpty { out.append(kept) }
                next = (f.time / keypointInterval).rounded(.down) * keypointInterval + keypointInterval
            }
            return out
        }
    }
}

public struct CandidateIndex: Sendable {
    /// The references, in the order they were added; `keys` are the caller's (e.g. store ids).
    /// Ties in evidence go to the reference added first (here, in `LandmarkSketch` and in the
    /// matcher, which takes the candidates in this order), so add them in an order that is a
    /// function of the library's content, e.g. by path (`LoadedReferences`).
    public let entries: [ReferenceEntry]
    public let keys: [Int64]
    let anchors: HammingIndex
    /// Per reference, its first anchor id; one more element at the end.
    let anchorStarts: FlatArray<UInt32>
    let sounds: LandmarkSketch
    /// Keypoint anchors' descriptors, and per keypoint its reference.
    let keypoints: DescriptorIndex
    let keypointOwner: FlatArray<UInt32>

    public var anchorCount: Int { anchors.count }
    public var landmarkCount: Int { sounds.count }
    /// Keypoint anchors held: none when no reference was indexed with the keypoint channel, and
    /// then a suspect's keypoints could match nothing.
    public var keypointCount: Int { keypoints.count }
    /// Bytes held by the search structures.
    public var bytes: Int { anchors.bytes + 4 * anchorStarts.count + sounds.bytes + keypoints.bytes + 4 * keypointOwner.count }

    public struct Builder {
        var entries: [ReferenceEntry] = []
        var keys: [Int64] = []
        var hashes: [PDQHash] = []
        var anchorStarts: [UInt32] = [0]
        var sounds = LandmarkSketch.Builder()
        var descriptors: [BinaryDescriptor] = []
        var keypointOwner: [UInt32] = []

        public init() {}

        /// Room for this many anchor hashes and kept landmarks (e.g. from the store's blob sizes).
        public mutating func reserve(anchorHashes: Int, landmarks: Int) {
            hashes.reserveCapacity(anchorHashes)
            sounds.reserve(landmarks)
        }

        /// Adds one reference by its anchors (`Anchors.of`, or any superset of them: only what
        /// the index keeps is kept).
        public mutating func add(_ entry: ReferenceEntry, key: Int64, anchors: MediaFingerprint) {
            entries.append(entry)
            keys.append(key)
            for f in anchors.frames where f.isEvidence { hashes += f.hashes }
            precondition(hashes.count < Int(UInt32.max), "CandidateIndex: too many anchors")
            anchorStarts.append(UInt32(hashes.count))
            sounds.add(anchors.landmarks)
            for f in anchors.keypointFrames where !f.mirrored {
                for k in f.keypoints {
                    descriptors.append(k.descriptor)
                    keypointOwner.append(UInt32(entries.count - 1))
                }
            }
        }

        /// Builds the index and empties the builder. The landmark table first: its build briefly
        /// needs three times its size, best before the picture index is added.
        public mutating func build() -> CandidateIndex { build(keypointLayout: nil) }

        /// `build()` with the keypoint anchors' layout chosen (by default by their number).
        package mutating func build(keypointLayout: DescriptorIndex.Layout?) -> CandidateIndex {
            let sketch = sounds.build()
            // Each table moved into place before the next is made, never held twice.
            let anchorHashes = FlatArray(hashes)
            hashes = []
            let anchors = HammingIndex(anchorHashes)
            let keypointDescriptors = FlatArray(descriptors)
            descriptors = []
            let index = CandidateIndex(entries: entries, keys: keys, anchors: anchors,
                                       anchorStarts: FlatArray(anchorStarts), sounds: sketch,
                                       keypoints: DescriptorIndex(keypointDescriptors, layout: keypointLayout), keypointOwner: FlatArray(keypointOwner))
            self = Builder()
            return index
        }
    }

    /// The reference an anchor belongs to.
    @inline(__always)
    func owner(ofAnchor id: Int) -> Int {
        var lo = 0, hi = anchorStarts.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if Int(anchorStarts[mid]) <= id { lo = mid } else { hi = mid }
        }
        return lo
    }

    public struct Evidence: Sendable, Equatable {
        /// Suspect frames with some hash within the radius of one of the reference's anchors.
        public var frames = 0
        /// Largest number of the suspect's landmarks agreeing on one alignment (see `LandmarkSketch`).
        public var landmarks = 0
        /// Suspect keypoint frames with at least `keypointMatches` keypoints close to the
        /// reference's keypoint anchors.
        public var keypointFrames = 0
    }

    /// Keypoints of one suspect frame that must be close to one reference's anchors for the
    /// frame to vote for it, and how close.
    static let keypointMatches = 10
    static let keypointDistance = 40

    /// What the suspect has in common with each reference's anchors, for references with any.
    public func evidence(for suspect: MediaFingerprint, radius: Int = 31) -> [Int: Evidence] {
        var result: [Int: Evidence] = [:]
        for (i, frame) in suspect.frames.enumerated() where frame.isEvidence {
            var owners = Set<Int>()
            // A suspect frame's hashes are its area's, its mirror image's, then windows of it
            // (FileFingerprinter): the windows are looked up on every other frame only, which
            // still puts one within ¼ s of every anchor and saves a third of the look-ups.
            for hash in i % 2 == 0 ? frame.hashes[...] : frame.hashes.prefix(2) {
                anchors.search(hash, radius: radius) { id, _ in owners.insert(owner(ofAnchor: id)) }
            }
            for r in owners { result[r, default: Evidence()].frames += 1 }
        }
        for (r, n) in sounds.votes(for: suspect.landmarks) {
            result[r, default: Evidence()].landmarks = n
        }
        if keypoints.count > 0 {
            // Scratch once per suspect: per reference, the keypoints of the frame at hand close to
            // its anchors, and the last keypoint counted for it (each keypoint counts once).
            var scratch = keypoints.scratch()
            var matched = [Int](repeating: 0, count: entries.count), counted = [Int](repeating: -1, count: entries.count)
            var touched: [Int] = []
            var serial = 0
            for frame in suspect.keypointFrames {
                for k in frame.keypoints {
                    keypoints.search(k.descriptor, maximumDistance: Self.keypointDistance, scratch: &scratch) { id, _ in
                        let r = Int(keypointOwner[id])
                        // (An owner past the references could only come from a damaged file.)
                        guard r < counted.count, counted[r] != serial else { return }
                        counted[r] = serial
                        if matched[r] == 0 { touched.append(r) }
                        matched[r] += 1
                    }
                    serial += 1
                }
                for r in touched {
                    if matched[r] >= Self.keypointMatches { result[r, default: Evidence()].keypointFrames += 1 }
                    matched[r] = 0
                }
                touched.removeAll(keepingCapacity: true)
            }
        }
        return result
    }

    /// The references worth a full match: every reference with a picture anchor hit (chance
    /// hits within the radius are rare: see HashRegions), best first, and the `soundLimit`
    /// references with the most sound votes, at least `minimumLandmarks` — chance votes grow with
    /// the library (a library of 100 h of uniform random landmarks gives dozens of references 3
    /// or more), and each candidate costs a full match (~5–20 ms). At most `limit` in all.
    public func candidates(for suspect: MediaFingerprint, radius: Int = 31, minimumLandmarks: Int = 3,
                           soundLimit: Int = 8, limit: Int = 64) -> [Int] {
        let evidence = evidence(for: suspect, radius: radius)
        let picture = evidence.filter { $0.value.frames > 0 }.sorted {
            $0.value.frames != $1.value.frames ? $0.value.frames > $1.value.frames : $0.key < $1.key
        }.map(\.key)
        // Keypoint votes from two frames or more (chance closeness of one frame's keypoints to a
        // reference's is not rare in a large library).
        let keypoint = evidence.filter { $0.value.keypointFrames >= 2 }.sorted {
            $0.value.keypointFrames != $1.value.keypointFrames ? $0.value.keypointFrames > $1.value.keypointFrames : $0.key < $1.key
        }.map(\.key)
        let sound = evidence.filter { $0.value.landmarks >= minimumLandmarks }.sorted {
            $0.value.landmarks != $1.value.landmarks ? $0.value.landmarks > $1.value.landmarks : $0.key < $1.key
        }.prefix(soundLimit).map(\.key)
        var chosen = picture
        for r in keypoint + sound where !chosen.contains(r) { chosen.append(r) }
        return Array(chosen.prefix(limit))
    }
}
