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

    /// 0…1: how far the alignment's change pattern agrees with the reference's on the map
    /// beyond any other offset (0 when it does not, or when there is too little to tell).
    static func uniqueness(suspect: [MotionSample], reference: [MotionSample], rate: Double, offset: Double,
                           queryStart: Double, queryEnd: Double) -> Double {
        guard let first = reference.first?.time, let last = reference.last?.time, reference.count >= 2 else { return 0 }
        let times = suspect.map { Double($0.time) }.filter { $0 >= queryStart - 1e-3 && $0 + lag <= queryEnd + 1e-3 }
        guard times.count >= minimumChanges else { return 0 }
        let referenceTrack = Track(reference)
        let referenceSpan = Double(first) ... Double(last)
        var best = 0.0
        for track in [Track(suspect), Track(suspect.map(\.mirrored))] {
            let changes = times.map { track.change(from: $0, over: lag) }
            guard let onMap = correlation(changes, times, referenceTrack, referenceSpan, rate: rate, offset: offset) else { continue }
            guard onMap > best else { continue }
            var others = 0
            var ceiling = 0.0
            let reach = Double(last - first) + queryEnd - queryStart
            var shift = -reach
            while shift <= reach, ceiling < onMap {
                if abs(shift) >= excluded,
                   let c = correlation(changes, times, referenceTrack, referenceSpan, rate: rate, offset: offset + shift) {
                    others += 1
                    ceiling = max(ceiling, c)
                }
                shift += step
            }
            // An offset elsewhere that agrees as well ends the search: the map does not stand out.
            guard others >= minimumOthers, ceiling < onMap else { continue }
            best = max(best, (onMap - ceiling) / (1 - ceiling))
        }
        return min(1, max(0, best))
    }

    /// Correlation of the suspect's changes with the reference's through the map, or nil when
    /// the map leaves the reference.
    private static func correlation(_ changes: [SIMD16<Float>], _ times: [Double], _ reference: Track,
                                    _ span: ClosedRange<Double>, rate: Double, offset: Double) -> Double? {
        var theirs: [SIMD16<Float>] = []
        theirs.reserveCapacity(times.count)
        for t in times {
            let a = rate * t + offset, b = rate * (t + lag) + offset
            guard span.contains(a), span.contains(b) else { return nil }
            theirs.append(reference.change(from: a, to: b))
        }
        return pearson(changes, theirs)
    }

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
    struct Track {
        let times: [Double]
        let levels: [SIMD16<Float>]

        init(_ samples: [MotionSample]) {
            times = samples.map { Double($0.time) }
            levels = samples.map(\.levels)
        }

        func at(_ t: Double) -> SIMD16<Float> {
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

        /// The grid at `b` less the grid at `a`, less its mean over the cells.
        func change(from a: Double, to b: Double) -> SIMD16<Float> {
            let d = at(b) - at(a)
            return d - d.sum() / 16
        }

        func change(from t: Double, over lag: Double) -> SIMD16<Float> { change(from: t, to: t + lag) }
    }
}
