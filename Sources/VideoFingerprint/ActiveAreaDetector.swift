// ActiveAreaDetector: finds the picture inside letterbox / pillarbox / window-box bars and inside
// the "blurred fill" framing of short-video apps (a sharp picture centred over a blurred, enlarged
// copy of itself). Input shape: one 8-bit luma frame, width x height ≥ 32 each, packed rows; the
// pipeline's analysis frames (e.g. 256x256, aspect not preserved) are the intended input.
//
// Why: a whole-frame hash of a padded or blur-filled copy is ~80 bits from the original. Cropping
// both reference and suspect to their active area restores the match — but only if the detector
// is a pure function of the frame (same answer on both sides) and never cuts into ordinary
// pictures (else references lose content the suspect still has). So every rule below errs
// towards "full frame":
//   1. Bars: runs of lines from an edge that are flat (tiny spread along the line) and at one
//      level, ended by a clear step into content; dark or near-perfectly flat lines only, and on
//      both opposite sides (a one-sided dark strip is usually the picture's): of similar widths,
//      or of any widths when both are near-perfectly flat at one level (padding around a picture
//      placed off-centre, as 9:16 re-uploads do to leave room for a title or captions).
//   2. Blurred fill: within what is left, a central band of lines with high-frequency energy, and
//      margins on both sides whose energy is a small fraction of the band's. Both margins must
//      exist and be roughly equal (the framing is centred), which a sky-over-ground photo is not.
// Lines are rows for the top/bottom margins and columns for left/right ones.
import Fingerprint

public struct ActiveAreaDetector: Sendable {
    /// Smallest frame side handled; smaller frames come back whole.
    public static let minimumSide = 32

    /// A line counts as a bar line when its luma spread (standard deviation) is below this…
    public var barFlatness: Double = 4.0
    /// …and, unless it is nearly perfectly flat (below `barStrictFlatness`), darker than this.
    public var barMaximumLevel: Double = 48
    /// Lines of one bar, and the two bars of a pair of unequal widths, keep to one level within
    /// this much (compression moves a flat bar's level by a few steps).
    public var barLevelTolerance: Double = 6
    public var barStrictFlatness: Double = 1.5
    /// A bar must cover at least this share of the side to count (thin dark borders of ordinary
    /// pictures — vignettes, encoder edge rows — are left alone).
    public var minimumBarFraction: Double = 0.03
    /// Blurred-fill margins: line energy below this share of the band's median energy.
    public var blurEnergyRatio: Double = 0.22
    /// Each blurred margin must cover at least this share of the side, and the two margins may
    /// differ by at most `blurAsymmetry` of it.
    public var minimumBlurFraction: Double = 0.08
    public var blurAsymmetry: Double = 0.06
    /// The picture must keep at least this share of each side.
    public var minimumAreaFraction: Double = 0.2

    public init() {}

    /// The active picture rectangle; the full frame when nothing is found.
    public func detect(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> PixelRect {
        precondition(luma.count >= width * height, "ActiveAreaDetector: buffer smaller than \(width)x\(height)")
        let full = PixelRect.full(width: width, height: height)
        guard width >= Self.minimumSide, height >= Self.minimumSide else { return full }
        let frame = LumaView(base: luma.baseAddress!, width: width)

        // 1. Bars, on the full frame.
        var rect = full
        let rows = frame.lineStats(in: rect, rows: true)
        let (top, bottom) = bars(rows)
        rect = PixelRect(x: rect.x, y: rect.y + top, width: rect.width, height: rect.height - top - bottom)
        let colsRect = rect
        let cols = frame.lineStats(in: rect, rows: false)
        let (left, right) = bars(cols)
        rect = PixelRect(x: rect.x + left, y: rect.y, width: rect.width - left - right, height: rect.height)
        guard acceptable(rect, in: full) else { return full }

        // 2. Blurred fill, inside the bars. Where a rectangle is the one step 1 already took
        // statistics in (no bars, the common case; no blurred rows), those are reused: the
        // statistics are a function of the frame and the rectangle.
        let rowStats = top == 0 && bottom == 0 && left == 0 && right == 0 ? rows : frame.lineStats(in: rect, rows: true)
        if let (t, b) = blurMargins(rowStats) ?? edgePairMargins(rowStats) {
            let r = PixelRect(x: rect.x, y: rect.y + t, width: rect.width, height: rect.height - t - b)
            if acceptable(r, in: full) { rect = r }
        }
        let colStats = rect == colsRect ? cols : frame.lineStats(in: rect, rows: false)
        if let (l, r) = blurMargins(colStats) ?? edgePairMargins(colStats) {
            let c = PixelRect(x: rect.x + l, y: rect.y, width: rect.width - l - r, height: rect.height)
            if acceptable(c, in: full) { rect = c }
        }
        return rect
    }

    public func detect(luma: [UInt8], width: Int, height: Int) -> PixelRect {
        luma.withUnsafeBufferPointer { detect(luma: $0, width: width, height: height) }
    }

    private func acceptable(_ rect: PixelRect, in full: PixelRect) -> Bool {
        Double(rect.width) >= minimumAreaFraction * Double(full.width)
            && Double(rect.height) >= minimumAreaFraction * Double(full.height)
            && rect.width >= PDQHasher.minimumSide && rect.height >= PDQHasher.minimumSide
    }

    // MARK: - Bars

    private func isBarLine(_ s: LineStat, level: Double) -> Bool {
        guard abs(s.mean - level) <= barLevelTolerance else { return false }
        return s.spread < barStrictFlatness || (s.spread < barFlatness && s.mean <= barMaximumLevel)
    }

    /// Bar widths at the start and end of the line sequence. Bars come in pairs: centred
    /// (letterbox, pillarbox), or off-centre where a picture is placed higher or lower in a
    /// taller frame (a 9:16 re-upload leaving room for a title or captions) — then both bars
    /// are padding: at one level and near-perfectly flat. A dark strip on one side only is
    /// taken as picture content (an image's own black border), so both are kept.
    func bars(_ stats: [LineStat]) -> (Int, Int) {
        let a = barRun(stats, reversed: false), b = barRun(stats, reversed: true)
        guard a > 0, b > 0 else { return (0, 0) }
        if abs(a - b) <= max(3, max(a, b) / 4) { return (a, b) }
        let n = stats.count
        guard abs(stats[0].mean - stats[n - 1].mean) <= barLevelTolerance,
              stats[..<a].allSatisfy({ $0.spread < barStrictFlatness }),
              stats[(n - b)...].allSatisfy({ $0.spread < barStrictFlatness }) else { return (0, 0) }
        return (a, b)
    }

    private func barRun(_ stats: [LineStat], reversed: Bool) -> Int {
        let n = stats.count
        let at = { (i: Int) in stats[reversed ? n - 1 - i : i] }
        let level = at(0).mean
        var run = 0
        while run < n / 2 && isBarLine(at(run), level: level) { run += 1 }
        guard run > 0, Double(run) >= minimumBarFraction * Double(n), run < n / 2 else { return 0 }
        // The bar must end in a step into picture content, not fade into a flat region (a sky
        // gradient, a dark room) — else the cut would move with the content.
        // Scaling blurs the bar's edge over a line or two, so look a few lines further.
        for k in run..<min(n, run + 4) {
            let next = at(k)
            if next.spread > 2 * barFlatness || abs(next.mean - level) > 12 { return run }
        }
        return 0
    }

    // MARK: - Blurred fill

    /// Margins (start, end) whose along-line energy is far below the centre band's, or nil.
    func blurMargins(_ stats: [LineStat]) -> (Int, Int)? {
        let n = stats.count
        guard n >= Self.minimumSide else { return nil }
        // Energy smoothed over 3 lines: compression ringing on a single line must not end a run.
        var energy = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let a = stats[max(0, i - 1)].energy, b = stats[i].energy, c = stats[min(n - 1, i + 1)].energy
            energy[i] = max(min(a, b), min(max(a, b), c))  // median of three
        }
        // Reference level: the median energy of the middle 20%, which lies inside the picture in
        // every centred framing the detector is meant for.
        let mid = Array(energy[(n * 2 / 5)..<max(n * 2 / 5 + 1, n * 3 / 5)]).sorted()
        let bandLevel = mid[mid.count / 2]
        guard bandLevel >= 2.0 else { return nil }  // flat or blurry picture: nothing to compare
        let low = blurEnergyRatio * bandLevel
        var lead = 0
        while lead < n / 2 && energy[lead] < low { lead += 1 }
        var trail = 0
        while trail < n / 2 && energy[n - 1 - trail] < low { trail += 1 }
        let minimum = Int((minimumBlurFraction * Double(n)).rounded(.up))
        guard lead >= minimum, trail >= minimum, lead < n / 2, trail < n / 2,
              Double(abs(lead - trail)) <= blurAsymmetry * Double(n),
              marginsAreBlurredPicture(stats, lead: lead, trail: trail, bandEnergy: bandLevel) else { return nil }
        // The edge must be a step: just inside the band the energy is back near the band level.
        let inside = (energy[lead] + energy[n - 1 - trail]) / 2
        guard inside >= 0.5 * bandLevel else { return nil }
        // Energy locates the boundary to a few lines (it depends on what the content does near
        // it); the pasted picture's edge is a step between two lines: snap to the strongest
        // step nearby.
        // …and that step must stand out from its neighbourhood: a pasted picture has a straight
        // edge there, a round object or a paragraph of text fading into smooth paper has not.
        let top = snapToStep(stats, near: lead), bottom = snapToStep(stats, near: n - trail)
        guard marginStepPeak(stats, top, outsideBelow: true) >= 3,
              marginStepPeak(stats, bottom, outsideBelow: false) >= 3 else { return nil }
        return (top, n - bottom)
    }

    /// How much line `i`'s step stands above the steps on the margin side of it (the band side
    /// of a sharp picture has large steps of its own).
    private func marginStepPeak(_ stats: [LineStat], _ i: Int, outsideBelow: Bool) -> Double {
        let n = stats.count
        let range = outsideBelow ? max(1, i - 10)...max(1, i - 2) : min(n - 1, i + 2)...min(n - 1, i + 10)
        var around = range.map { stats[$0].step }
        around.sort()
        let base = around.isEmpty ? 0 : around[around.count / 2]
        return stats[i].step / max(base, 0.75)
    }

    /// How much line `i`'s step from line i-1 stands above the steps around it.
    private func stepPeak(_ stats: [LineStat], _ i: Int) -> Double {
        let n = stats.count
        var around: [Double] = []
        for k in max(1, i - 8)...min(n - 1, i + 8) where abs(k - i) > 1 { around.append(stats[k].step) }
        around.sort()
        let base = around.isEmpty ? 0 : around[around.count / 2]
        return stats[i].step / max(base, 0.75)
    }

    /// The line within ±6 of `near` with the largest step from its predecessor.
    private func snapToStep(_ stats: [LineStat], near: Int) -> Int {
        let n = stats.count
        var best = near
        for i in max(1, near - 6)...min(n - 1, near + 6) where stats[i].step > stats[best].step { best = i }
        return best
    }

    /// Second cue for blurred fill, for pictures that are smooth themselves (where the energy
    /// rule cannot tell picture from blur): the pasted picture's two edges are straight lines
    /// across the whole frame, at mirror positions, and the margins outside them are smoother than
    /// the band. A horizon or a table edge is one line, not a centred pair.
    func edgePairMargins(_ stats: [LineStat]) -> (Int, Int)? {
        let n = stats.count
        guard n >= Self.minimumSide else { return nil }
        func peak(_ i: Int) -> Double { stepPeak(stats, i) }
        let lo = Int(minimumBlurFraction * Double(n)), hi = n * 9 / 20
        guard hi > lo else { return nil }
        var best: (score: Double, lead: Int, trail: Int)?
        for t in lo...hi where stats[t].step >= 4 && stats[t].stepCoverage >= 0.6 {
            let pt = peak(t)
            guard pt >= 3 else { continue }
            // The bottom edge is the step into line n - b, i.e. b lines remain below it.
            let tolerance = Int(blurAsymmetry * 0.6 * Double(n))
            for b in max(lo, t - tolerance)...min(hi, t + tolerance) {
                let e = n - b
                guard e > t, stats[e].step >= 4, stats[e].stepCoverage >= 0.6 else { continue }
                let pb = peak(e)
                guard pb >= 3 else { continue }
                let score = min(pt, pb)
                if best == nil || score > best!.score { best = (score, t, b) }
            }
        }
        guard let found = best else { return nil }
        // Every margin line smooth (a high quantile, not the mean: a paragraph of text has smooth
        // paper between its lines), the band clearly sharper.
        let margins = (stats[0..<found.lead] + stats[(n - found.trail)..<n]).map(\.energy).sorted()
        let marginEnergy = margins[min(margins.count - 1, margins.count * 3 / 4)]
        let band = stats[found.lead..<(n - found.trail)].map(\.energy)
        let bandEnergy = band.reduce(0, +) / Double(band.count)
        guard marginEnergy <= 0.6 * bandEnergy,
              marginsAreBlurredPicture(stats, lead: found.lead, trail: found.trail, bandEnergy: bandEnergy) else { return nil }
        return (found.lead, found.trail)
    }

    /// A blurred enlarged copy still varies along each line (it is a picture: flat margins are
    /// bars, or the picture's own flat borders, to be left alone), and it is smooth in both
    /// directions — unlike stripes or bars that are part of the picture, which are smooth along
    /// the line but have sharp steps between lines.
    private func marginsAreBlurredPicture(_ stats: [LineStat], lead: Int, trail: Int, bandEnergy: Double) -> Bool {
        let n = stats.count
        func quantile(_ s: ArraySlice<LineStat>, _ q: Double, _ key: (LineStat) -> Double) -> Double {
            let v = s.map(key).sorted()
            return v.isEmpty ? 0 : v[min(v.count - 1, Int(q * Double(v.count)))]
        }
        // Lines next to the boundary see the pasted picture's edge; leave them out. Medians, not
        // maxima: captions and logos are often drawn over the blurred margins.
        let leadInner = stats[0..<max(1, lead - 2)], trailInner = stats[min(n - 1, n - trail + 2)..<n]
        let crossLimit = max(2 * blurEnergyRatio * bandEnergy, 1.5)
        return quantile(stats[0..<lead], 0.25, \.spread) >= 3 && quantile(stats[(n - trail)..<n], 0.25, \.spread) >= 3
            && quantile(leadInner, 0.7, \.step) <= crossLimit
            && quantile(trailInner, 0.7, \.step) <= crossLimit
    }
}

/// Per-line statistics: mean level, spread (standard deviation) and mean absolute difference
/// between neighbouring pixels along the line (the line's high-frequency energy).
struct LineStat {
    var mean: Double
    var spread: Double
    var energy: Double
    /// Mean absolute difference to the previous line (0 for the first): straight edges across
    /// the frame show up as isolated peaks of it.
    var step: Double
    /// Share of the line's pixels that differ from the previous line's by 8 or more: a pasted
    /// picture's edge runs the whole width, a line of text covers part of it.
    var stepCoverage: Double
}

/// Read-only access to a packed 8-bit luma frame.
struct LumaView {
    let base: UnsafePointer<UInt8>
    let width: Int

    /// Statistics of each row (rows == true) or column of `rect`, restricted to `rect`.
    /// Both sweep the frame row by row (columns keep one accumulator each), so memory is read
    /// contiguously; the sums are integers, so the order of adding changes nothing.
    func lineStats(in rect: PixelRect, rows: Bool) -> [LineStat] {
        rows ? rowStats(in: rect) : columnStats(in: rect)
    }

    /// Running sums of one line: pixel values, their squares, |differences| along the line, and
    /// |differences| to the previous line with how many of them are ≥ 8.
    private struct Sums {
        var sum = 0, sumSq = 0, diff = 0, step = 0, covered = 0

        mutating func add(sum: Int32, sumSq: Int32, diff: Int32, step: Int32, covered: Int32) {
            self.sum += Int(sum)
            self.sumSq += Int(sumSq)
            self.diff += Int(diff)
            self.step += Int(step)
            self.covered += Int(covered)
        }

        func stat(length: Int) -> LineStat {
            let n = Double(length)
            let mean = Double(sum) / n
            let variance = max(0, Double(sumSq) / n - mean * mean)
            return LineStat(mean: mean, spread: variance.squareRoot(),
                            energy: length > 1 ? Double(diff) / Double(length - 1) : 0,
                            step: Double(step) / n, stepCoverage: Double(covered) / n)
        }
    }

    /// Pixels summed in 32-bit lanes before they are added to `Sums`: 16384 squares of 255 stay
    /// below 2³¹, so no sum wraps, and wrapping arithmetic (no overflow checks) lets the
    /// compiler vectorise the loops.
    private static let chunk = 16384

    // Hot loop: every pixel of the frame, twice per look.
    private func rowStats(in rect: PixelRect) -> [LineStat] {
        let length = rect.width
        var out = [LineStat]()
        out.reserveCapacity(rect.height)
        for line in 0..<rect.height {
            let row = base + (rect.y + line) * width + rect.x
            var s = Sums()
            var start = 0
            while start < length {
                let end = min(length, start + Self.chunk)
                var sum: Int32 = 0, sumSq: Int32 = 0, diff: Int32 = 0, step: Int32 = 0, covered: Int32 = 0
                for k in start..<end {
                    let v = Int32(row[k])
                    sum &+= v
                    sumSq &+= v &* v
                }
                for k in max(1, start)..<max(1, end) { diff &+= Self.distance(row[k], row[k - 1]) }
                if line > 0 {
                    let here = row + start, above = row - width + start
                    for k in 0..<(end - start) {
                        let d = Self.distance(here[k], above[k])
                        step &+= d
                        covered &+= Self.atLeast8(d)
                    }
                }
                s.add(sum: sum, sumSq: sumSq, diff: diff, step: step, covered: covered)
                start = end
            }
            out.append(s.stat(length: length))
        }
        return out
    }

    /// |a - b|, without branches (the loops vectorise).
    @inline(__always)
    private static func distance(_ a: UInt8, _ b: UInt8) -> Int32 {
        let d = Int32(a) &- Int32(b), sign = d >> 31
        return (d ^ sign) &- sign
    }

    /// 1 when a distance (0...255) is at least 8, else 0, without branches.
    @inline(__always)
    private static func atLeast8(_ d: Int32) -> Int32 {
        1 &+ ((d &- 8) >> 31)
    }

    private func columnStats(in rect: PixelRect) -> [LineStat] {
        let count = rect.width
        guard count > 0 else { return [] }
        var sums = [Sums](repeating: Sums(), count: count)
        // Per column, the chunk's 32-bit sums (see `chunk`): sum, sum of squares, difference to
        // the line above, step from the column before and its coverage, `count` apart.
        var lanes = [Int32](repeating: 0, count: 5 * count)
        var y = 0
        while y < rect.height {
            let end = min(rect.height, y + Self.chunk)
            lanes.withUnsafeMutableBufferPointer { lanes in
                let sum = lanes.baseAddress!, sumSq = sum + count, diff = sumSq + count, step = diff + count, covered = step + count
                sum.update(repeating: 0, count: 5 * count)
                for line in y..<end {
                    let row = base + (rect.y + line) * width + rect.x
                    for c in 0..<count {
                        let v = Int32(row[c])
                        sum[c] &+= v
                        sumSq[c] &+= v &* v
                    }
                    if line > 0 {
                        let above = row - width
                        for c in 0..<count { diff[c] &+= Self.distance(row[c], above[c]) }
                    }
                    // The previous column is the previous line (none for the first).
                    for c in 1..<max(1, count) {
                        let d = Self.distance(row[c], row[c - 1])
                        step[c] &+= d
                        covered[c] &+= Self.atLeast8(d)
                    }
                }
                for c in 0..<count {
                    sums[c].add(sum: sum[c], sumSq: sumSq[c], diff: diff[c], step: step[c], covered: covered[c])
                }
            }
            y = end
        }
        return sums.map { $0.stat(length: rect.height) }
    }
}
