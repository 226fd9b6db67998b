// What each role describes with keypoints (`KeypointExtractor`, ORB) of the detail pictures the
// decoder hands out (`KeypointRecipe.detail`: gray, the frame's shape, long side fixed):
// - a reference: up to `referenceKeypoints` keypoints of its picture, twice a second (once a
//   second halved the storage and lost 3 of 247 picture pairs on the large profile, 2026-12-06,
//   before corners were carried over);
// - a suspect: more keypoints (`suspectKeypoints`) twice a second, on a larger picture (small
//   frames are scaled up, so that a picture inset at a fifth of the frame still has corners),
//   and the same picture described mirrored as well (BRIEF is not mirror invariant).
// Frames with no corners (uniform, black, tiny) give no keypoint frame at all.
//
// A reference's picture mostly holds still or moves alike from one sample to the next (a held
// shot, a pan, a still background), and so do its corners: a corner found again in the same
// place once moved as the picture moved (`Keypoint.samePlace`, `carriedDescriptor`) is
// carried over as it was, moved, so that the store writes it as a bit (`KeypointChannel.pack`).
// What matching reads is the same set of points give or take their extraction noise. And a
// reference keeps a picture's new corners only when its view has changed (`keptShare`,
// `keptGap`): in between, the corners still seen stand for the view, as bits.
//
// How many corners a reference keeps, how far a corner's description may drift and still be
// carried, and how much of a view must go before its new corners are kept trade the library's
// size against what is found. Measured on both corpus profiles (2026-12-06, keypoints on,
// Benchmarks/Results/2026-12-06-keypoints-store.txt): 256 corners, carried within 32 tests,
// new corners kept below half: 13.8 MB per hour of reference, picture placed for 185 of 247
// pairs on the large profile; 192, 48 tests, below a quarter: 6.3 MB per hour, 186 placed, no
// false alarm, the dev corpus 37 of 37 either way. 160 corners lost 2 pairs, a fifth lost 1.
import Fingerprint

public final class KeypointRecipe {
    public let role: FingerprintRole
    private let extractor: KeypointExtractor
    /// A reference's keypoints of the picture before, to carry over.
    private var before: [Keypoint] = []
    /// A reference's last picture whose new corners were kept: its time and keypoint count.
    private var kept: (time: Double, count: Int)?

    public static let referenceKeypoints = 192
    public static let suspectKeypoints = 512

    /// The detail picture each role needs: pictures a second and their long side.
    public static func detail(for role: FingerprintRole) -> (framesPerSecond: Double, longSide: Int) {
        role == .reference ? (2, 480) : (2, 640)
    }

    public init(role: FingerprintRole) {
        self.role = role
        var options = KeypointExtractor.Options()
        options.maximumKeypoints = role == .reference ? Self.referenceKeypoints : Self.suspectKeypoints
        extractor = KeypointExtractor(options: options)
    }

    /// Starts a file: nothing to carry over.
    public func reset() {
        before = []
        kept = nil
    }

    /// A reference keeps a picture's new corners when fewer than this share of the last kept
    /// picture's corners are still seen (the view has changed: a new shot, a pan or zoom that
    /// took three quarters of it away), or `keptGap` seconds after it (what came into a view
    /// that otherwise holds still); in between it keeps the corners still seen, written as bits:
    /// a quarter of 192 is still four times the pairs a placement needs (`KeypointHits.minimumPairs`).
    static let keptShare = 0.25
    static let keptGap = 4.0

    /// The keypoint frames of one picture at `time` (pictures in time order since `reset`): its
    /// own description and, for a suspect, the mirrored one; none for a picture without corners.
    public func frames(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double) -> [KeypointFrame] {
        var described = role == .suspect
            ? extractor.keypointsAndMirror(luma: luma, width: width, height: height)
            : (own: extractor.keypoints(luma: luma, width: width, height: height), mirrored: [])
        if role == .reference {
            let seen = Self.carryOver(described.own, from: before, diagonal: Double(width * width + height * height).squareRoot())
            if let kept, kept.count > 0, Double(seen.carried.count) >= Self.keptShare * Double(kept.count),
               time - kept.time < Self.keptGap {
                described.own = seen.carried
            } else {
                described.own = seen.carried + seen.fresh
                kept = (time, described.own.count)
            }
            before = described.own
        }
        return [(false, described.own), (true, described.mirrored)].compactMap { mirrored, keypoints in
            keypoints.isEmpty ? nil : KeypointFrame(time: Float(time), width: width, height: height, mirrored: mirrored, keypoints: keypoints)
        }
    }

    /// Tests of 256 within which a corner found again in place is the same corner, carried over:
    /// extracted again, the same point of a picture flips 32 or fewer in 65 % of cases and 48 or
    /// fewer in 77 % (the large profile's references), while descriptors of unrelated points
    /// differ in about 128. Wider than `Keypoint.sameDescriptor`, which decides what is of a
    /// still scene and so not evidence; here the carried description stands in for the new one.
    static let carriedDescriptor = 48

    /// `keypoints` with each that is a point of `before` seen again replaced by it, moved as the
    /// picture moved: the closest in descriptor (within `carriedDescriptor`) of those in the same
    /// place once moved; each of `before` stands in for one keypoint at most. The picture moved
    /// either not at all or as `shift` says, whichever carries more keypoints over (a still
    /// background with someone moving in front of it holds still; a pan moves everything).
    /// `carried` in their order in `before` (as the store writes them most briefly), `fresh` the
    /// others in their order.
    /// Positions in quarter pixels, as the store keeps them.
    static func carryOver(_ keypoints: [Keypoint], from before: [Keypoint], diagonal: Double) -> (carried: [Keypoint], fresh: [Keypoint]) {
        let keypoints = keypoints.map(\.placedAsStored)
        guard !before.isEmpty, !keypoints.isEmpty else { return ([], keypoints) }
        let radius = Float(Keypoint.samePlace * diagonal)
        // Per keypoint of `before`, whether it stands in for one of `keypoints`, and per keypoint
        // whether one stands in for it, with the picture moved by `moved`.
        func carried(moved: SIMD2<Float>) -> (taken: [Bool], replaced: [Bool]) {
            var taken = [Bool](repeating: false, count: before.count)
            let replaced = keypoints.map { k in
                var best: (index: Int, distance: Int)?
                for (i, b) in before.enumerated() where !taken[i] {
                    let dx = b.x + moved.x - k.x, dy = b.y + moved.y - k.y
                    guard dx * dx + dy * dy <= radius * radius else { continue }
                    let d = b.descriptor.distance(to: k.descriptor)
                    if d <= carriedDescriptor, d < best?.distance ?? .max { best = (i, d) }
                }
                guard let best else { return false }
                taken[best.index] = true
                return true
            }
            return (taken, replaced)
        }
        var moved = SIMD2<Float>.zero, found = carried(moved: .zero)
        let shift = shift(from: before, to: keypoints)
        if shift != .zero {
            let other = carried(moved: shift)
            if other.taken.count(where: { $0 }) > found.taken.count(where: { $0 }) { (moved, found) = (shift, other) }
        }
        let carried = zip(before, found.taken).compactMap { b, taken -> Keypoint? in
            guard taken else { return nil }
            var b = b
            b.x += moved.x
            b.y += moved.y
            return b
        }
        return (carried, zip(keypoints, found.replaced).compactMap { $1 ? nil : $0 })
    }

    /// How far the picture moved from `before` to `keypoints`: the median displacement of the
    /// keypoints that are each other's nearest in descriptor (within `Keypoint.sameDescriptor`),
    /// in quarter pixels; none when fewer than three pairs say.
    static func shift(from before: [Keypoint], to keypoints: [Keypoint]) -> SIMD2<Float> {
        var nearest = [(index: Int, distance: Int)](repeating: (-1, .max), count: keypoints.count)
        var nearestBefore = [(index: Int, distance: Int)](repeating: (-1, .max), count: before.count)
        for (i, k) in keypoints.enumerated() {
            for (j, b) in before.enumerated() {
                let d = k.descriptor.distance(to: b.descriptor)
                if d < nearest[i].distance { nearest[i] = (j, d) }
                if d < nearestBefore[j].distance { nearestBefore[j] = (i, d) }
            }
        }
        var dx: [Float] = [], dy: [Float] = []
        for (i, n) in nearest.enumerated() where n.distance <= Keypoint.sameDescriptor && nearestBefore[n.index].index == i {
            dx.append(keypoints[i].x - before[n.index].x)
            dy.append(keypoints[i].y - before[n.index].y)
        }
        guard dx.count >= 3 else { return .zero }
        func median(_ v: [Float]) -> Float { v.sorted()[v.count / 2] }
        return SIMD2((median(dx) * 4).rounded() / 4, (median(dy) * 4).rounded() / 4)
    }
}
