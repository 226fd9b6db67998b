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
    /// The search tables: one part when the index is built whole; a kept file's part and the part
    /// of the references indexed since, when the file is extended rather than built again
    /// (`CandidateIndexFile`). Each part's references have their place in `entries`, or none
    /// when they left the library after the part was built (their anchors are passed over).
    package let parts: [(part: Part, places: [Int?])]

    /// One part holding every reference, in its order.
    init(entries: [ReferenceEntry], part: Part) {
        precondition(entries.count == part.keys.count, "CandidateIndex: a part of other references")
        self.entries = entries
        keys = Array(part.keys)
        parts = [(part, Array(0 ..< entries.count))]
    }

    /// `entries` with store keys `keys`, their anchors held by `parts`: each part's reference of a
    /// key in `keys` stands for that entry unless `stands` refuses it (e.g. its row changed since
    /// the part was built); any other is passed over. Every entry must be held by one part.
    package init(entries: [ReferenceEntry], keys: [Int64], parts: [Part], stands: (_ part: Int, _ reference: Int) -> Bool = { _, _ in true }) {
        precondition(entries.count == keys.count, "CandidateIndex: an entry without its key")
        let placeOf = Dictionary(keys.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var held = [Bool](repeating: false, count: keys.count)
        self.entries = entries
        self.keys = keys
        self.parts = parts.enumerated().map { p, part in
            (part, part.keys.enumerated().map { r, key in
                guard let place = placeOf[key], !held[place], stands(p, r) else { return nil }
                held[place] = true
                return place
            })
        }
        precondition(held.allSatisfy { $0 }, "CandidateIndex: an entry no part holds")
    }

    public var anchorCount: Int { parts.reduce(0) { $0 + $1.part.anchors.count } }
    public var landmarkCount: Int { parts.reduce(0) { $0 + $1.part.sounds.count } }
    /// Keypoint anchors held: none when no reference was indexed with the keypoint channel, and
    /// then a suspect's keypoints could match nothing.
    public var keypointCount: Int { parts.reduce(0) { $0 + $1.part.keypoints.count } }
    /// Bytes held by the search structures.
    public var bytes: Int { parts.reduce(0) { $0 + $1.part.bytes } }

    public struct Builder {
        var entries: [ReferenceEntry] = []
        var keys: [Int64] = []
        var stamps: [SIMD4<UInt64>] = []
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
        /// the index keeps is kept). `stamp`: what the reference was built from, for an index
        /// kept in a file and checked row by row when it is opened (`CandidateIndexFile`).
        public mutating func add(_ entry: ReferenceEntry, key: Int64, stamp: SIMD4<UInt64> = .zero, anchors: MediaFingerprint) {
            entries.append(entry)
            keys.append(key)
            stamps.append(stamp)
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

        /// `build()`, with the index's one part (to be written to a file).
        package mutating func buildWhole() -> (index: CandidateIndex, part: Part) {
            let index = build()
            return (index, index.parts[0].part)
        }

        /// The part of the references added, to be used beside `other` (`CandidateIndex(entries:keys:parts:)`):
        /// what counts as a common keypoint is measured on both parts' keypoints.
        package mutating func build(alongside other: Part) -> Part {
            build(keypointLayout: nil, keypointOccurrences: other.keypoints.count + descriptors.count).parts[0].part
        }

        /// `build()` with the keypoint anchors' layout chosen (by default by their number:
        /// `DescriptorIndex.Layout.forAnchors`), and
        /// what counts as a common keypoint measured on `keypointOccurrences` keypoints (by
        /// default those added).
        package mutating func build(keypointLayout: DescriptorIndex.Layout?, keypointOccurrences: Int? = nil) -> CandidateIndex {
            let sketch = sounds.build()
            // Each table moved into place before the next is made, never held twice.
            let anchorHashes = FlatArray(hashes)
            hashes = []
            let anchors = HammingIndex(anchorHashes)
            let keypointDescriptors = FlatArray(descriptors)
            descriptors = []
            let part = Part(anchors: anchors, anchorStarts: FlatArray(anchorStarts), sounds: sketch,
                            keypoints: DescriptorIndex(keypointDescriptors, occurrences: keypointOccurrences,
                                                       layout: keypointLayout ?? .forAnchors(count: keypointDescriptors.count)),
                            keypointOwner: FlatArray(keypointOwner), keys: FlatArray(keys), rowStamps: FlatArray(stamps))
            let index = CandidateIndex(entries: entries, part: part)
            self = Builder()
            return index
        }
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
                for (part, places) in parts {
                    part.anchors.search(hash, radius: radius) { id, _ in
                        if let r = places[part.owner(ofAnchor: id)] { owners.insert(r) }
                    }
                }
            }
            for r in owners { result[r, default: Evidence()].frames += 1 }
        }
        for (r, n) in LandmarkSketch.votes(for: suspect.landmarks, in: parts.map { ($0.part.sounds, $0.places) }) {
            result[r, default: Evidence()].landmarks = n
        }
        let searched = parts.filter { $0.part.keypoints.count > 0 }
        if !searched.isEmpty {
            // Scratch once per suspect: per part, its search's; per reference, the keypoints of
            // the frame at hand close to its anchors, and the last keypoint counted for it (each
            // keypoint counts once).
            var scratch = searched.map { $0.part.keypoints.scratch() }
            var matched = [Int](repeating: 0, count: entries.count), counted = [Int](repeating: -1, count: entries.count)
            var touched: [Int] = []
            var serial = 0
            for frame in suspect.keypointFrames {
                for k in frame.keypoints {
                    for (p, (part, places)) in searched.enumerated() {
                        part.keypoints.search(k.descriptor, maximumDistance: Self.keypointDistance, scratch: &scratch[p]) { id, _ in
                            let owner = Int(part.keypointOwner[id])
                            // (An owner past the part's references could only come from a damaged file.)
                            guard owner < places.count, let r = places[owner], counted[r] != serial else { return }
                            counted[r] = serial
                            if matched[r] == 0 { touched.append(r) }
                            matched[r] += 1
                        }
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
