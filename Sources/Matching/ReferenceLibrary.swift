// The reference side held in memory for matching: every evidence-quality frame hash of every
// reference in one multi-index table, and every landmark in one landmark table. Built once per
// `compare` run from the store; lookups never touch SQL.
import AudioFingerprint

public struct ReferenceEntry: Sendable, Equatable {
    public var path: String
    public var duration: Double?

    public init(path: String, duration: Double?) {
        self.path = path
        self.duration = duration
    }
}

public struct ReferenceLibrary: Sendable {
    public let entries: [ReferenceEntry]
    let frames: HammingIndex
    /// Per indexed frame: the entry it belongs to and its time.
    let frameOwner: [UInt32]
    let frameTime: [Float]
    let landmarks: LandmarkIndex

    public init(_ references: [(entry: ReferenceEntry, frames: [FrameSignature], landmarks: [AudioLandmark])]) {
        entries = references.map(\.entry)
        var hashes: [Hash256] = [], owner: [UInt32] = [], time: [Float] = []
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
        frameOwner = owner
        frameTime = time
        landmarks = LandmarkIndex(references: references.enumerated().map { (id: UInt32($0.offset), landmarks: $0.element.landmarks) })
    }

    public var frameCount: Int { frames.count }
    public var landmarkCount: Int { landmarks.count }
}
