// Weighted least squares of y on x, accumulated a point at a time: the refinement step that both
// aligners (picture: `TemporalAligner`, sound: `AudioMatcher`) run on the inliers of their vote
// to turn a grid cell into a line reference_time = slope · suspect_time + intercept.

struct LineFit {
    private var weight = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0

    mutating func add(x: Double, y: Double, weight w: Double = 1) {
        weight += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y
    }

    var isEmpty: Bool { weight <= 0 }

    /// Weighted variance of x.
    var varianceX: Double { sxx / weight - (sx / weight) * (sx / weight) }

    /// The fitted line; nil when the points' x spread (variance) is not above `minimumVariance`,
    /// too short a run to pin the slope.
    func line(minimumVariance: Double) -> (slope: Double, intercept: Double)? {
        guard weight > 0 else { return nil }
        let variance = varianceX
        guard variance > minimumVariance else { return nil }
        let slope = (sxy / weight - (sx / weight) * (sy / weight)) / variance
        return (slope, intercept(slope: slope))
    }

    /// The best intercept for a given slope.
    func intercept(slope: Double) -> Double { (sy - slope * sx) / weight }
}
