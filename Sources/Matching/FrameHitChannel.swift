// The seam between a picture channel and the rest of matching. A channel builds its index from
// the references' fingerprints (`ReferenceSet` lists the channels once) and, for a suspect,
// gives frame hits per reference: time pairs with a similarity (later also a geometry). The one
// temporal aligner, the one acceptance rule (`Matcher.accepts`), the one merge rule
// (`MatchSegment.merged`) and the verdict take them without knowing which channel spoke; the
// segments' modality comes from the channel's medium.
//
// Sound stays a channel of its own kind (`AudioMatcher`): its landmarks align by votes over
// speed and pitch that a frame hit cannot carry, and its segments join the others at the merge.
import Fingerprint

package protocol FrameHitChannel: Sendable {
    /// What the channel's evidence stands for in a verdict.
    var medium: Medium { get }
    /// Whether the channel holds anything to hit (a library of sound-only references has no
    /// picture).
    var isEmpty: Bool { get }
    /// Per reference (its place in the library), the suspect's hits, each suspect instant's in
    /// reference order; the matcher's configuration says how close a hit must be.
    func hits(for suspect: MediaFingerprint, configuration: Matcher.Configuration) -> [Int: [FrameHit]]
    /// The suspect instants that could have hit at all (the aligner's coverage counts them).
    func usableTimes(of suspect: MediaFingerprint) -> [Float]
    /// `hits`, and per reference where its picture sits in the suspect's at instants only its
    /// still scene matched (`SceneSighting`: where, not whether; for the motion check).
    func hitsAndSightings(for suspect: MediaFingerprint, configuration: Matcher.Configuration)
        -> (hits: [Int: [FrameHit]], sightings: [Int: [SceneSighting]])
}

extension FrameHitChannel {
    /// A channel without places in the picture (whole-frame hashes) sights nothing.
    package func hitsAndSightings(for suspect: MediaFingerprint, configuration: Matcher.Configuration)
        -> (hits: [Int: [FrameHit]], sightings: [Int: [SceneSighting]]) {
        (hits(for: suspect, configuration: configuration), [:])
    }
}
