// What each role hashes of one sampled frame (luma plane, `width`×`height`, in presentation
// order along a file): the active picture area (bars and blurred 9:16 fill cut off, steadied
// along the shot by `ActiveAreaTracker`) with PDQ, and
// - a reference: the area's hash and, when the area is evidence, the evidence-quality hashes of
//   six crops of it (`HashRegions.referenceCrops`), so that a cropped copy still meets one;
// - a suspect: the area's hash, its mirror image's, and the evidence-quality hashes of
//   inset-sized windows of the area and of picture-in-picture insets found by their edges
//   (`InsetFinder`, looked for every `insetInterval` frames: insets stay put along a shot).
// The frame's quality is the area's. Every frame also gives the motion channel its coarse grid of
// the same area (`MotionGrid`). Scratch is allocated once per recipe; one recipe per file
// at a time (it remembers the shot's area and insets).
import Fingerprint

public final class FrameRecipe {
    public let role: FingerprintRole
    private let hasher: PDQHasher
    private let detector = ActiveAreaDetector()
    private let insets = InsetFinder()
    private var tracker = ActiveAreaTracker()
    private var knownInsets: [PixelRect] = []
    /// A suspect's pictures pasted over other video as last found (`InsetFinder`), in the pixels
    /// of the images `sample` is given; none for a reference.
    public var foundInsets: [PixelRect] { knownInsets }
    private var frameCount = 0
    /// Frames between two looks for insets (finding them costs more than all the hashing of a
    /// frame).
    public static let insetInterval = 4

    public init(role: FingerprintRole, expectedPixels: Int = 256 * 256) {
        self.role = role
        hasher = PDQHasher(expectedPixels: expectedPixels)
    }

    /// Forgets the file before: the next frame starts a new one.
    public func reset() {
        tracker = ActiveAreaTracker()
        knownInsets = []
        frameCount = 0
    }

    /// The signature of the next frame of the file.
    public func signature(luma: UnsafeBufferPointer<UInt8>, width w: Int, height h: Int, time: Double) -> FrameSignature {
        sample(luma: luma, width: w, height: h, time: time).signature
    }

    /// The signature and the motion sample (`MotionGrid`, over the same active area) of the next
    /// frame of the file; `pixelAspect` as `MotionGrid` takes it.
    public func sample(luma: UnsafeBufferPointer<UInt8>, width w: Int, height h: Int, pixelAspect: Double = 1, time: Double)
        -> (signature: FrameSignature, motion: MotionSample) {
        defer { frameCount += 1 }
        let area = tracker.update(detector.detect(luma: luma, width: w, height: h))
        let motion = MotionGrid.sample(luma: luma, width: w, height: h, area: area, pixelAspect: pixelAspect, time: time)
        let main = hasher.hash(luma: luma, width: w, height: h, area: area)
        var hashes = [main.hash]
        switch role {
        case .reference:
            if main.isEvidence {
                for region in HashRegions.regions(in: area, templates: HashRegions.referenceCrops) {
                    let r = hasher.hash(luma: luma, width: w, height: h, area: region.rect)
                    if r.isEvidence { hashes.append(r.hash) }
                }
            }
        case .suspect:
            hashes.append(hasher.hash(luma: luma, width: w, height: h, area: area, mirrored: true).hash)
            var regions = HashRegions.regions(in: area).map(\.rect)
            if frameCount % Self.insetInterval == 0 { knownInsets = insets.find(luma: luma, width: w, height: h) }
            regions += knownInsets
            for rect in regions {
                let r = hasher.hash(luma: luma, width: w, height: h, area: rect)
                if r.isEvidence { hashes.append(r.hash) }
            }
        }
        return (FrameSignature(time: Float(time), quality: UInt8(clamping: main.quality), hashes: hashes), motion)
    }

    /// The hashes this recipe gives one picture seen alone (as the first frame of a file).
    public func hashes(ofPicture luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> [PDQHash] {
        reset()
        defer { reset() }
        return signature(luma: luma, width: width, height: height, time: 0).hashes
    }
}
