// Evidence in what changes (the motion channel, `MotionSample`). A low-motion passage — a slow
// camera move over a photo, a talking head, a held shot — looks alike at many moments, so its
// picture hashes match about as well a few seconds off the true offset as on it, and the
// uniqueness rule cannot tell a copy from another moment of the same scene. What a copy shares
// with its source and a re-shoot does not is how the picture changes: where and when it
// brightens and darkens as the camera moves, someone passes, the light shifts, a shot cuts.
//
// For an alignment (reference = rate × suspect + offset over a span of the suspect), each
// suspect sample's change over `lag` seconds — the coarse grid at t + lag less the grid at t,
// less its mean over the cells (a global fade or exposure drift) — is set against the
// reference's change over the same stretch through the map, each cell's changes taken about
// their mean over the span (a steady drift that any offset of a steady move shares). Their
// correlation on the map is measured against the same correlation at every other offset of the
// reference more than `excluded` seconds away, on the footage itself: the agreement is how far
// the map stands above the best of them, as a share of what is left up to perfect agreement.
// Noise (a still view filmed again) correlates with nothing; a change pattern that repeats all
// along the reference (a steady pan) stands out from nothing. The mirrored picture is tried as
// well, since a copy may be mirrored.
//
// The suspect's picture may show only a part of the reference's (a crop, a zoom, a 9:16 cut of
// a 16:9 frame): the suspect's whole area, as a 4x4 grid, is then compared with a 4x4 grid over
// that part of the reference's 8x8 one (`MotionFraming`). The map's best framing is held against
// the best framing at every other offset, so that trying many framings does not let one that
// fits by chance stand out.
import Fingerprint

package enum MotionAgreement {
    /// Seconds over which a change is measured: long enough for a slow move to exceed the noise
    /// of a cell's mean, short enough to follow the camera's path.
    static let lag = 1.0
    /// Other offsets closer than this to the map are the same moment, give or take (as the
    /// aligner's off-map hits).
    static let excluded = 2.0
    /// Step between the other offsets tried.
    static let step = 0.5
    /// Fewest other offsets the map must stand out from, and fewest changes it is measured on.
    static let minimumOthers = 8
    static let minimumChanges = 4
    /// Most other offsets tried (over a long reference they are spread more than `step` apart).
    static let maximumOthers = 480

    /// 0…1: how far the alignment's change pattern agrees with the reference's on the map
    /// beyond any other offset, through the best of `framings` (0 when it does not, when there
    /// is too little to tell, or when it is below `atLeast`: the search stops as soon as that is
    /// certain). `suspectFraming`: the part of the suspect's picture that shows the reference
    /// (unmirrored; a split screen's half), by default all of it.
    static func uniqueness(suspect: [MotionSample], reference: [MotionSample], rate: Double, offset: Double,
                           queryStart: Double, queryEnd: Double, framings: [MotionFraming] = [.whole],
                           suspectFraming: MotionFraming = .whole, atLeast: Double = 0) -> Double {
        agreement(suspect: suspect, reference: reference, rate: rate, offset: offset, queryStart: queryStart, queryEnd: queryEnd,
                  framings: framings, suspectFraming: suspectFraming, atLeast: atLeast)?.agreement ?? 0
    }

    /// Step between the offsets `searched` tries: a quarter of the lag, so that the true offset
    /// is never more than an eighth of a change's length from one tried.
    static let searchStep = lag / 4

    /// `uniqueness` at the offset, over the whole reference, where the suspect's changes agree
    /// best with the reference's (the where unknown: a still scene's keypoints placed the
    /// picture but cannot tell the moment), and that offset; nil when there is too little to tell.
    static func searched(suspect: [MotionSample], reference: [MotionSample], queryStart: Double, queryEnd: Double,
                         framings: [MotionFraming], suspectFraming: MotionFraming, atLeast: Double = 0) -> (agreement: Double, offset: Double)? {
        agreement(suspect: suspect, reference: reference, rate: 1, offset: nil, queryStart: queryStart, queryEnd: queryEnd,
                  framings: framings, suspectFraming: suspectFraming, atLeast: atLeast)
    }

    /// `uniqueness` at `offset`, or at the best offset when nil (`searched`).
    private static func agreement(suspect: [MotionSample], reference: [MotionSample], rate: Double, offset given: Double?,
                                  queryStart: Double, queryEnd: Double, framings: [MotionFraming],
                                  suspectFraming: MotionFraming, atLeast: Double) -> (agreement: Double, offset: Double)? {
        guard let first = reference.first?.time, let last = reference.last?.time, reference.count >= 2 else { return nil }
        let times = suspect.map { Double($0.time) }.filter { $0 >= queryStart - 1e-3 && $0 + lag <= queryEnd + 1e-3 }
        guard times.count >= minimumChanges else { return nil }
        let referenceTrack = Track(times: reference.map { Double($0.time) }, levels: reference.map(\.levels))
        let referenceSpan = Double(first) ... Double(last)
        let suspectTimes = suspect.map { Double($0.time) }
        let straight = Track(times: suspectTimes, levels: suspect.map { suspectFraming.pool($0.levels) })
        let mirroredFraming = suspectFraming.mirroredLeftRight
        let mirrored = Track(times: suspectTimes, levels: suspect.map { mirroredFraming.pool($0.mirrored.levels) })
        let suspectChanges = [straight, mirrored].map { track in times.map { centred(track.at($0 + lag) - track.at($0)) } }

        // The best of every framing and mirror at an offset: on the map, and at each other
        // offset, where it must stay below the map's (the rule for one framing, held over all
        // of them, so that trying many does not make a chance fit stand out). Stops early once
        // it reaches `stop`. Through the fine grid: with a = the suspect's changes about their
        // mean over the span, P a framing's centred weights and y the reference's changes on
        // the 8x8 grid, Σ a·P(y − ȳ) = Σ (Pᵀa)·y and Σ |P(y − ȳ)|² = Σ (y − ȳ)ᵀ PᵀP (y − ȳ).
        let centredSuspect = suspectChanges.map { changes in
            let mean = changes.reduce(SIMD16<Float>(), +) / Float(changes.count)
            return changes.map { $0 - mean }
        }
        let suspectEnergy = centredSuspect.map { $0.reduce(Float(0)) { $0 + ($1 * $1).sum() } }
        // A few framings (the whole picture) are cheaper read from the reference's samples pooled once.
        let fewFramings = framings.count <= 4
        let pooledReference = fewFramings ? framings.map { framing in
            Track(times: referenceTrack.times, levels: referenceTrack.levels.map(framing.pool))
        } : []
        // Per framing and mirror, Pᵀa of every change, flat (sample by sample, 64 each).
        let backProjected: [[[Float]]] = fewFramings ? [] : framings.map { framing in
            centredSuspect.map { changes in
                changes.flatMap { a in
                    let v = (0 ..< 16).reduce(SIMD64<Float>()) { $0 + a[$1] * framing.centredWeights[$1] }
                    return (0 ..< 64).map { v[$0] }
                }
            }
        }
        func bestOfFew(at offset: Double, stop: Double) -> Double? {
            var top = -1.0
            for track in pooledReference {
                var theirs: [SIMD16<Float>] = []
                theirs.reserveCapacity(times.count)
                for t in times {
                    let a = rate * t + offset, b = rate * (t + lag) + offset
                    guard referenceSpan.contains(a), referenceSpan.contains(b) else { return nil }
                    theirs.append(centred(track.at(b) - track.at(a)))
                }
                for changes in suspectChanges {
                    top = max(top, pearson(changes, theirs))
                    if top >= stop { return top }
                }
            }
            return top
        }
        func best(at offset: Double, stop: Double) -> Double? {
            if fewFramings { return bestOfFew(at: offset, stop: stop) }
            // The reference's changes on the map, flat (sample by sample, 64 each), and their scatter
            // about their mean (64 x 64).
            let n = times.count, cells = 64
            var mapped = [Float](repeating: 0, count: n * cells)
            var mean = SIMD64<Float>()
            for (i, t) in times.enumerated() {
                let a = rate * t + offset, b = rate * (t + lag) + offset
                guard referenceSpan.contains(a), referenceSpan.contains(b) else { return nil }
                let d = referenceTrack.at(b) - referenceTrack.at(a)
                mean += d
                for k in 0 ..< cells { mapped[i * cells + k] = d[k] }
            }
            mean /= Float(n)
            var scatter = [Float](repeating: 0, count: cells * cells)
            scatter.withUnsafeMutableBufferPointer { s in
                mapped.withUnsafeBufferPointer { y in
                    var d = [Float](repeating: 0, count: cells)
                    for i in 0 ..< n {
                        for k in 0 ..< cells { d[k] = y[i * cells + k] - mean[k] }
                        for r in 0 ..< cells {
                            let dr = d[r]
                            for c in 0 ..< cells { s[r * cells + c] += dr * d[c] }
                        }
                    }
                }
            }
            var top = -1.0
            for (f, framing) in framings.enumerated() {
                let energy = dot(framing.gram, scatter)
                guard energy > 0 else { continue }
                for m in 0 ..< 2 where suspectEnergy[m] > 0 {
                    let product = dot(backProjected[f][m], mapped)
                    top = max(top, Double(product / (suspectEnergy[m] * energy).squareRoot()))
                    if top >= stop { return top }
                }
            }
            return top
        }
        var offset = given ?? 0
        if given == nil {
            // Every offset that keeps the suspect's span within the reference, the best kept.
            var top = -Double.infinity
            var o = Double(first) - queryStart
            while o + queryEnd <= Double(last) {
                if let c = best(at: o, stop: 1), c > top { (top, offset) = (c, o) }
                o += searchStep
            }
            guard top > -Double.infinity else { return nil }
        }
        guard let onMap = best(at: offset, stop: 1) else { return (0, offset) }
        let reach = Double(last - first) + queryEnd - queryStart
        return (standingOut(onMap, atLeast: atLeast, reach: reach) { shift, stop in best(at: offset + shift, stop: stop) }, offset)
    }

    /// How far `onMap` (a correlation on the map) stands above the best of `other(shift, stop)`,
    /// the same correlation at every other offset `shift` away — more than `excluded`, a `step`
    /// apart, or over a long reference (`reach` seconds either way) as many as `maximumOthers`
    /// spread evenly; nil where the map's line leaves the reference —, as a share of what is left
    /// up to perfect agreement: (onMap − ceiling) / (1 − ceiling), 0 when it does not stand out,
    /// when fewer than `minimumOthers` offsets were measured, or when it is below `atLeast`
    /// (`other` may stop once it reaches `stop`, which settles that).
    private static func standingOut(_ onMap: Double, atLeast: Double, reach: Double,
                                    _ other: (_ shift: Double, _ stop: Double) -> Double?) -> Double {
        guard onMap > atLeast, onMap > 0 else { return 0 }
        // The agreement is (onMap − ceiling) / (1 − ceiling): below `atLeast` once the ceiling passes this.
        let highestCeiling = (onMap - atLeast) / (1 - atLeast)
        let step = max(Self.step, 2 * reach / Double(maximumOthers))
        var others = 0
        var ceiling = 0.0
        var shift = -reach
        while shift <= reach, ceiling < highestCeiling {
            if abs(shift) >= excluded, let c = other(shift, highestCeiling) {
                others += 1
                ceiling = max(ceiling, c)
            }
            shift += step
        }
        // An offset elsewhere that agrees as well: the map does not stand out.
        guard others >= minimumOthers, ceiling < highestCeiling else { return 0 }
        return min(1, max(0, (onMap - ceiling) / (1 - ceiling)))
    }

    /// 0…1: how far the clip's picture *looks* like the reference's along a map (reference =
    /// rate × suspect + offset, suspect times `queryStart`…`queryEnd`) beyond any other offset,
    /// by the same rule as `uniqueness`. Where `uniqueness` reads what changes, this reads the
    /// coarse picture itself: each sample's whole-picture 4x4 grid less its mean over the cells (a
    /// brightness change), correlated with the reference's on the map, straight or mirrored. A
    /// picture with no detail for a frame hash that moves steadily (a slowly turning colour field)
    /// changes alike at every offset, so its changes single out none; what it looks like at each
    /// moment does. A view that holds still looks alike at every offset and stands out nowhere.
    static func appearance(suspect: [MotionSample], reference: [MotionSample], rate: Double, offset: Double,
                           queryStart: Double, queryEnd: Double, atLeast: Double = 0) -> Double {
        guard let first = reference.first?.time, let last = reference.last?.time, reference.count >= 2 else { return 0 }
        let times = suspect.map { Double($0.time) }.filter { $0 >= queryStart - 1e-3 && $0 <= queryEnd + 1e-3 }
        guard times.count >= minimumChanges else { return 0 }
        let whole = MotionFraming.whole
        let referenceTrack = Track(times: reference.map { Double($0.time) }, levels: reference.map { whole.pool($0.levels) })
        let suspectTimes = suspect.map { Double($0.time) }
        let looks = [suspect.map { whole.pool($0.levels) }, suspect.map { whole.pool($0.mirrored.levels) }].map { levels in
            let track = Track(times: suspectTimes, levels: levels)
            return times.map { centred(track.at($0)) }
        }
        let span = Double(first) ... Double(last)
        func best(at offset: Double) -> Double? {
            var theirs: [SIMD16<Float>] = []
            theirs.reserveCapacity(times.count)
            for t in times {
                let a = rate * t + offset
                guard span.contains(a) else { return nil }
                theirs.append(centred(referenceTrack.at(a)))
            }
            return looks.map { cosine($0, theirs) }.max()
        }
        guard let onMap = best(at: offset) else { return 0 }
        let reach = Double(last - first) + queryEnd - queryStart
        return standingOut(onMap, atLeast: atLeast, reach: reach) { shift, _ in best(at: offset + shift) }
    }

    /// Σ x·y / √(Σ x² · Σ y²) over two series of vectors: 0 when either is all zero.
    static func cosine(_ x: [SIMD16<Float>], _ y: [SIMD16<Float>]) -> Double {
        var xy: Float = 0, xx: Float = 0, yy: Float = 0
        for (a, b) in zip(x, y) {
            xy += (a * b).sum(); xx += (a * a).sum(); yy += (b * b).sum()
        }
        guard xx > 0, yy > 0 else { return 0 }
        return Double(xy / (xx * yy).squareRoot())
    }

    /// Σ x[i]·y[i] over two arrays of one length, eight lanes at a time.
    private static func dot(_ x: [Float], _ y: [Float]) -> Float {
        x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                let count = min(a.count, b.count)
                var lanes = SIMD8<Float>(), i = 0
                while i + 8 <= count {
                    lanes += SIMD8(a[i], a[i + 1], a[i + 2], a[i + 3], a[i + 4], a[i + 5], a[i + 6], a[i + 7])
                        * SIMD8(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7])
                    i += 8
                }
                var sum = lanes.sum()
                while i < count { sum += a[i] * b[i]; i += 1 }
                return sum
            }
        }
    }

    /// A change less its mean over the cells.
    private static func centred(_ d: SIMD16<Float>) -> SIMD16<Float> { d - d.sum() / 16 }

    /// Pooled correlation of two series of change vectors, each cell taken about its own mean.
    static func pearson(_ x: [SIMD16<Float>], _ y: [SIMD16<Float>]) -> Double {
        let n = Float(x.count)
        let mx = x.reduce(SIMD16<Float>(), +) / n, my = y.reduce(SIMD16<Float>(), +) / n
        var xy: Float = 0, xx: Float = 0, yy: Float = 0
        for i in x.indices {
            let a = x[i] - mx, b = y[i] - my
            xy += (a * b).sum(); xx += (a * a).sum(); yy += (b * b).sum()
        }
        guard xx > 0, yy > 0 else { return 0 }
        return Double(xy / (xx * yy).squareRoot())
    }

    /// Samples in time order, read between samples by linear interpolation.
    struct Track<Levels: SIMD> where Levels.Scalar == Float {
        let times: [Double]
        let levels: [Levels]

        func at(_ t: Double) -> Levels {
            var low = 0, high = times.count - 1
            if t <= times[low] { return levels[low] }
            if t >= times[high] { return levels[high] }
            while high - low > 1 {
                let mid = (low + high) / 2
                if times[mid] <= t { low = mid } else { high = mid }
            }
            let w = Float((t - times[low]) / max(1e-9, times[high] - times[low]))
            return levels[low] * (1 - w) + levels[high] * w
        }
    }
}
