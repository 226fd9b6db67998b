// One sampled frame as every module sees it: its presentation time, its PDQ quality, and its
// hashes. References keep the active picture area's hash and a few crops of it; suspects keep
// several per frame (the area, its mirror image, sub-regions, insets) so that edited copies
// still meet the reference's hash.

public struct FrameSignature: Sendable, Equatable {
    public var time: Float
    /// PDQ quality, 0…100; below `PDQResult.minimumEvidenceQuality` a frame is never evidence.
    public var quality: UInt8
    /// The active area's hash first, then any variants.
    public var hashes: [PDQHash]

    public init(time: Float, quality: UInt8, hashes: [PDQHash]) {
        self.time = time
        self.quality = quality
        self.hashes = hashes
    }

    public var isEvidence: Bool { PDQResult.isEvidence(quality: Int(quality)) }
}
