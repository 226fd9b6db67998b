// References' full fingerprints held in memory for the exact match (`Matcher.match(_:in:)`):
// every evidence-quality frame hash in one multi-index table, every landmark in one landmark
// table. Built for the candidates a suspect window names (or for a whole small library in
// tests and benchmarks); lookups never touch the store.
import Fingerprint

public struct ReferenceLibrary: Sendable {
    public let entries: [ReferenceEntry]
    let frames: HammingIndex
    /// Per indexed frame: the entry it belongs to and its time.
    let frameOwner: [UInt32]
    let frameTime: [Float]
    let landmarks: LandmarkIndex

    public init(_ references: [(entry: ReferenceEntry, fingerprint: MediaFingerprint)]) {
        entries = references.map(\.entry)
        var hashes: [PDQHash] = [], owner: [UInt32] = [], time: [Float] = []
        for (i, r) in references.enumerated() {
            for f in r.fingerprint.frames where f.isEvidence {
                for h in f.hashes {
                    hashes.append(h)
                    owner.append(UInt32(i))
                    time.append(f.time)
                }
            }
        }
        frames = HammingIndex(hashes)
        frameOwner = owner
        frameTime = time
        landmarks = LandmarkIndex(references: references.enumerated().map { (id: UInt32($0.offset), landmarks: $0.element.fingerprint.landmarks) })
    }

    public var frameCount: Int { frames.count }
    public var landmarkCount: Int { landmarks.count }
}
