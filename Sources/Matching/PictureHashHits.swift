// The picture-hash channel's frame hits: every variant hash of every evidence frame of the
// suspect looked up within PDQ's radius (`Matcher.Configuration.radius`) among the references' evidence-frame hashes (exact
// multi-index search, `HammingIndex`); per suspect instant, the closest variant per reference
// frame, at most `hitsPerInstant` per reference (see `spread`).
import Fingerprint

package struct PictureHashHits: FrameHitChannel {
    let frames: HammingIndex
    /// Per indexed hash: the reference it belongs to and its frame's time.
    let owner: [UInt32]
    let time: [Float]

    package var medium: Medium { PictureHashChannel.medium }
    package var isEmpty: Bool { frames.count == 0 }

    init(_ references: [MediaFingerprint]) {
        var hashes: [PDQHash] = [], owner: [UInt32] = [], time: [Float] = []
        for (i, r) in references.enumerated() {
            for f in r.frames where f.isEvidence {
                for h in f.hashes {
                    hashes.append(h)
                    owner.append(UInt32(i))
                    time.append(f.time)
                }
            }
        }
        frames = HammingIndex(hashes)
        self.owner = owner
        self.time = time
    }

    package func usableTimes(of suspect: MediaFingerprint) -> [Float] {
        suspect.frames.filter(\.isEvidence).map(\.time)
    }

    package func hits(for suspect: MediaFingerprint, configuration: Matcher.Configuration) -> [Int: [FrameHit]] {
        var hits: [Int: [FrameHit]] = [:]
        for frame in suspect.frames where frame.isEvidence {
            // Best hit per (reference frame) across this frame's variants.
            var best: [Int: Int] = [:]
            for hash in frame.hashes {
                frames.search(hash, radius: configuration.radius) { id, d in
                    if d < (best[id] ?? Int.max) { best[id] = d }
                }
            }
            // In id order: the aligner keeps the first hit per (instant, offset), so the order of
            // hits must not depend on the per-process hash seed.
            var perReference: [Int: [FrameHit]] = [:]
            for (id, d) in best.sorted(by: { $0.key < $1.key }) {
                perReference[Int(owner[id]), default: []].append(
                    FrameHit(queryTime: frame.time, referenceTime: time[id], similarity: 1 - Float(d) / 64))
            }
            for (reference, frameHits) in perReference {
                hits[reference, default: []] += Self.spread(frameHits, limit: Self.hitsPerInstant)
            }
        }
        return hits
    }

    /// Most hits one suspect instant keeps on one reference. A frame of real, specific reuse meets
    /// a handful of reference frames (its own and its neighbours); one that meets more is a
    /// static view (a slide, a still room, a test card) that matches everywhere. Keeping all of
    /// them made a 10-minute static suspect against its 10-minute reference cost 40M hits,
    /// 1.4 GB and minutes. Kept: the closest half (the instant's own moment is among them if it
    /// stands out at all), and an even spread of the rest, so that the aligner still sees that
    /// the instant matches far from any one offset as well.
    static let hitsPerInstant = 24

    /// At most `limit` of `hits` (given in reference order, one per reference frame): the
    /// `limit / 2` most similar, then an even spread over the others; in reference order.
    static func spread(_ hits: [FrameHit], limit: Int) -> [FrameHit] {
        guard hits.count > limit else { return hits }
        let order = hits.indices.sorted { hits[$0].similarity != hits[$1].similarity ? hits[$0].similarity > hits[$1].similarity : $0 < $1 }
        let closest = Set(order.prefix(limit / 2))
        let rest = hits.indices.filter { !closest.contains($0) }
        let others = (0 ..< (limit - closest.count)).map { rest[$0 * rest.count / (limit - closest.count)] }
        return (closest.union(others)).sorted().map { hits[$0] }
    }
}
