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
    /// A suspect's inset, enlarged, is described as a reference picture is: as many keypoints.
    private lazy var insetExtractor = KeypointExtractor(options: {
        var options = extractor.options
        options.maximumKeypoints = Self.referenceKeypoints
        options.spreadCells = 0   // the inset is one region already
        return options
    }())
    /// A reference's keypoints of the picture before, to carry over.
    private var before: [Keypoint] = []
    /// A reference's last picture whose new corners were kept: its time and keypoint count.
    private var kept: (time: Double, count: Int)?

    public static let referenceKeypoints = 192
    public static let suspectKeypoints = 512
    /// Cells a side of the grid a suspect's picture corners are spread over by default
    /// (`KeypointExtractor.Options.spreadCells`): a soft picture beside a busy one (a split
    /// screen's other half, a passage under a caption box) gets its share of the corners instead
    /// of none. A grid, not a searched value: 4 is the only one tried. Large profile (2026-12-07
    /// and again 2026-12-08 on a fresh machine): picture reported for 216 -> 218 of 247 pairs,
    /// nothing lost, no false alarm; its second draw 213 -> 217 of 240, main's one false alarm
    /// there gone (Benchmarks/Results/2026-12-07-spread-corners.txt). About 7 % more of
    /// `compare`'s CPU on the corpus's short clips.
    public static let suspectSpreadCells = 4

    /// The detail picture each role needs: pictures a second and their long side.
    public static func detail(for role: FingerprintRole) -> (framesPerSecond: Double, longSide: Int) {
        role == .reference ? (2, 480) : (2, 640)
    }

    /// `spreadCells`: a suspect's picture corners spread over a grid of that many cells a side
    /// (`KeypointExtractor.Options.spreadCells`; 0: the strongest anywhere). A reference's are
    /// never spread: what the library holds stays as it was indexed.
    public init(role: FingerprintRole, spreadCells: Int = suspectSpreadCells) {
        self.role = role
        var options = KeypointExtractor.Options()
        options.maximumKeypoints = role == .reference ? Self.referenceKeypoints : Self.suspectKeypoints
        if role == .suspect { options.spreadCells = spreadCells }
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
    /// A suspect's best inset (pictures pasted over other video, `InsetFinder`, best first, in
    /// this picture's pixels) is described as well, enlarged (`insetFrames`); the others are not.
    public func frames(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double,
                       insets: [PixelRect] = []) -> [KeypointFrame] {
        var frames = pictureFrames(luma: luma, width: width, height: height, time: time)
        if role == .suspect {
            for inset in insets.prefix(Self.describedInsets) { frames += insetFrames(inset, luma: luma, width: width, height: height, time: time) }
        }
        return frames
    }

    /// How many of a picture's insets, best first, are described on their own. The finder also
    /// takes straight edges of the content for sides (half the large profile's clips show such
    /// an inset somewhere), and each described inset adds 192 corners each way to the picture's
    /// 512 to be looked up and fitted. Over the large profile's third draw (dev-large-3, 2026-12-07) the best one alone
    /// found every picture-in-picture pair both did, for about half the added CPU.
    static let describedInsets = 1

    private func pictureFrames(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double) -> [KeypointFrame] {
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

    /// A picture inset at a fraction of the frame (picture-in-picture, one side of a split
    /// screen) has its corners at the pyramid's finest level and few of them: most of the
    /// frame's quota goes to what surrounds it, and the reference's corners at the scales the
    /// inset shows them come from its coarsest levels, which keep the fewest. So a suspect's
    /// inset is also described on its own, enlarged until its long side is the picture's (as a
    /// reference picture is described at its own size), both ways as the picture is; positions
    /// are given back in the picture's pixels, so that a fit places the reference where it sits
    /// in the frame. An inset within one pyramid step of the picture's size is left to the
    /// picture's own description.
    func insetFrames(_ inset: PixelRect, luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double) -> [KeypointFrame] {
        let rect = inset, long = max(rect.width, rect.height)
        guard rect.isInside(width: width, height: height), min(rect.width, rect.height) >= 2 * KeypointExtractor.minimumEdgeMargin else { return [] }
        let factor = Double(max(width, height)) / Double(long)
        guard factor >= Double(extractor.options.scaleFactor) else { return [] }
        let w = max(1, Int((Double(rect.width) * factor).rounded())), h = max(1, Int((Double(rect.height) * factor).rounded()))
        if enlarged.count < w * h { enlarged = [UInt8](repeating: 0, count: w * h) }
        Self.enlarge(luma, width: width, rect: rect, into: &enlarged, across: &across, width: w, height: h)
        let described = enlarged.withUnsafeBufferPointer { insetExtractor.keypointsAndMirror(luma: UnsafeBufferPointer(rebasing: $0[0 ..< w * h]), width: w, height: h) }
        // Enlarged pixel centre x' is the inset's (x' + ½) / f - ½; a mirrored position counts
        // from the other side, of the enlarged inset and of the picture.
        let fx = Double(w) / Double(rect.width), fy = Double(h) / Double(rect.height)
        func placed(_ k: Keypoint, mirrored: Bool) -> Keypoint {
            var k = k
            let ex = mirrored ? Double(w - 1) - Double(k.x) : Double(k.x)
            let x = Double(rect.x) + (ex + 0.5) / fx - 0.5, y = Double(rect.y) + (Double(k.y) + 0.5) / fy - 0.5
            k.x = Float(mirrored ? Double(width - 1) - x : x)
            k.y = Float(y)
            return k
        }
        return [(false, described.own), (true, described.mirrored)].compactMap { mirrored, keypoints in
            keypoints.isEmpty ? nil : KeypointFrame(time: Float(time), width: width, height: height, mirrored: mirrored,
                                                    keypoints: keypoints.map { placed($0, mirrored: mirrored) })
        }
    }

    /// Scratch for an enlarged inset, and for its rows enlarged across (`enlarge`).
    private var enlarged: [UInt8] = []
    private var across: [Float] = []

    /// `rect` of `luma` (rows of `width` pixels) enlarged bilinearly to `w`×`h` into `out`:
    /// output pixel centre (i + ½) samples the input at (i + ½)·rect/w - ½, clamped to the rect.
    /// In two passes: each of the rect's rows enlarged across once (into `across`, `w` values a
    /// row), then each output row blended from the two rows above and below its sample; the same
    /// arithmetic per output pixel as blending all four neighbours in one go, a row's horizontal
    /// blend shared by the 2–3 output rows that sample it (the inset's own description runs on
    /// every keypoint picture of a suspect; enlarging it took more CPU than describing it, perf
    /// on `scripts/bench/end-to-end`'s suspects, 2026-12-07).
    static func enlarge(_ luma: UnsafeBufferPointer<UInt8>, width: Int, rect: PixelRect, into out: inout [UInt8], across: inout [Float], width w: Int, height h: Int) {
        let sx = Double(rect.width) / Double(w), sy = Double(rect.height) / Double(h)
        // Per output column: the left input column and its weight, once.
        var left = [Int](repeating: 0, count: w), weight = [Float](repeating: 0, count: w)
        for i in 0 ..< w {
            let x = min(max((Double(i) + 0.5) * sx - 0.5, 0), Double(rect.width - 1))
            left[i] = min(Int(x), rect.width - 2 < 0 ? 0 : rect.width - 2)
            weight[i] = Float(x - Double(left[i]))
        }
        let right = rect.width > 1 ? 1 : 0
        if across.count < rect.height * w { across = [Float](repeating: 0, count: rect.height * w) }
        across.withUnsafeMutableBufferPointer { across in
            for r in 0 ..< rect.height {
                let row = (rect.y + r) * width + rect.x, base = r * w
                for i in 0 ..< w {
                    let a = Float(luma[row + left[i]]), b = Float(luma[row + left[i] + right])
                    across[base + i] = a + (b - a) * weight[i]
                }
            }
            let below = rect.height > 1 ? w : 0
            out.withUnsafeMutableBufferPointer { out in
                for j in 0 ..< h {
                    let y = min(max((Double(j) + 0.5) * sy - 0.5, 0), Double(rect.height - 1))
                    let top = min(Int(y), max(rect.height - 2, 0))
                    let wy = Float(y - Double(top))
                    let upperRow = top * w
                    for i in 0 ..< w {
                        let upper = across[upperRow + i], lower = across[upperRow + below + i]
                        // A blend of pixel values lies in 0...255 (give or take a rounding
                        // error): + ½ and truncation round it as `rounded()` does, without its
                        // call per pixel.
                        let v = upper + (lower - upper) * wy
                        out[j * w + i] = UInt8(truncatingIfNeeded: Int(max(0, min(255, v)) + 0.5))
                    }
                }
            }
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
