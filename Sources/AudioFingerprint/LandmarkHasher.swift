// Peak triplets → landmark hashes invariant to time-stretch and pitch shift
// (after JorenSix/Panako's triplet hash; own field layout and quantization).
// Input: `SpectralPeak`s in non-decreasing time order (streaming) and a speech score look-up.
// Output: `AudioLandmark`s in anchor-time order.
import Fingerprint
//
// For peaks p1 (anchor) < p2 < p3 in time:
// - r = (t2 − t1)/(t3 − t1) is unchanged by any uniform time scaling (tempo, speed);
// - d12 = φ2 − φ1 and d23 = φ3 − φ2 (φ = log-frequency in semitones) are unchanged by any
//   uniform frequency scaling (pitch shift, and the pitch part of a resampling speed-up);
// - the octave band of φ1 adds coarse absolute frequency for selectivity; a ±2-semitone
//   shift can move φ1 across a band edge, which the query side covers by probing (below).
// Absolute Δt and φ1 are kept outside the hash (`span`, `pitch`) so the matcher can check
// that all hits of one alignment share one speed and one pitch shift.
//
// Hash layout: `Fingerprint.LandmarkHash` (d23 | d12 | r | band in 21 bits); triplets keep
// |d| ≤ 18 semitones = 24 of its 0.75-semitone steps.
//
// Quantization edges lose matches when a value falls on different sides in reference and
// query. `probes` marks fields within `margin` of an edge; the matcher then also looks up the
// neighbouring cell. Only the query pays for it; references store one hash per landmark.
//
// Reference and suspect (query) form triplets differently (`FingerprintRole`). A reference triplet, played
// at a speed s in `SoundEdits.speeds`, reaches the query with every time gap divided by s, and
// the query's peak picker keeps more peaks per second than the reference's (`PeakPicker`), so
// more peaks can fall between the reference triplet's three. The query therefore accepts the
// reference's gap limits divided by any speed in range, and tries as many more partners as its
// peak density is higher, at worst (a 0.75× copy: its density per reference second is
// query density × 0.75⁻¹ … see `Geometry.query`). Only the query pays, at look-up time.

struct LandmarkHasher {
    static let pitchStep = 0.75               // semitones per d12/d23 cell
    static let ratioLevels = 16
    static let pitchMargin = 0.2              // fraction of a cell
    static let ratioMargin = 0.2
    static let bandWidth = 12.0               // semitones
    /// A query anchor within this many semitones of a band edge also probes the band beyond it:
    /// the largest pitch shift in range plus the error of a peak's pitch (5.2 semitones; less
    /// than half a band, so one neighbour is enough).
    static let bandMargin = SoundEdits.maxPitchShift + SoundEdits.pitchEstimateError
    static let basePitch = AnalysisParameters.pitch(ofBin: Double(AnalysisParameters.minBin))

    // Reference triplet geometry in frames (16 ms).
    static let minGap = 2.0                   // t2 − t1 and t3 − t2
    static let maxSecondGap = 24.0            // t2 − t1 ≤ 0.38 s
    static let maxSpan = 40.0                 // t3 − t1 ≤ 0.64 s
    static let maxInterval = 18.0             // |d12|, |d23| ≤ 18 semitones
    static let secondCandidates = 3
    static let thirdCandidates = 2

    /// Limits on the triplets one side forms.
    struct Geometry: Equatable {
        var minGap: Double
        var maxSecondGap: Double
        var maxSpan: Double
        var secondCandidates: Int
        var thirdCandidates: Int

        static let reference = Geometry(minGap: LandmarkHasher.minGap, maxSecondGap: LandmarkHasher.maxSecondGap,
                                        maxSpan: LandmarkHasher.maxSpan,
                                        secondCandidates: LandmarkHasher.secondCandidates,
                                        thirdCandidates: LandmarkHasher.thirdCandidates)
        /// The reference limits seen through any speed s in range (query gap = reference gap / s),
        /// and partner counts scaled by the most query peaks that can lie where the reference
        /// has one: the query keeps `PeakPicker.queryDensity` times the reference's peaks per
        /// second, and a 0.75× copy spreads one reference second over 1/0.75 query seconds.
        static let query: Geometry = {
            let fast = SoundEdits.speeds.upperBound, slow = SoundEdits.speeds.lowerBound
            let crowding = PeakPicker.queryDensity / slow
            return Geometry(minGap: LandmarkHasher.minGap / fast,
                            maxSecondGap: LandmarkHasher.maxSecondGap / slow,
                            maxSpan: LandmarkHasher.maxSpan / slow,
                            secondCandidates: Int((Double(LandmarkHasher.secondCandidates) * crowding).rounded(.up)),
                            thirdCandidates: Int((Double(LandmarkHasher.thirdCandidates) * crowding).rounded(.up)))
        }()

        static func of(_ role: FingerprintRole) -> Geometry { role == .reference ? .reference : .query }
    }

    let geometry: Geometry
    private var pending: [SpectralPeak] = []
    private var head = 0
    /// When set (a reference's hasher), every anchor's peak with its speech score, in the order
    /// the anchors are emitted: what the library keeps (`LandmarkPeak`), from which
    /// `landmarks(from:)` makes the same landmarks again.
    var keptPeaks: [LandmarkPeak]?

    init(role: FingerprintRole = .reference) { geometry = .of(role) }

    /// A reference's landmarks made from its kept peaks (`keptPeaks`, in their order): those
    /// the hasher emitted when it kept them, bit for bit.
    static func landmarks(from peaks: [LandmarkPeak]) -> [AudioLandmark] {
        var hasher = LandmarkHasher(role: .reference)
        hasher.pending = peaks.map { SpectralPeak(frame: $0.frameValue, bin: $0.binValue, level: 0, contrast: 0) }
        var out: [AudioLandmark] = []
        out.reserveCapacity(peaks.count * 5)
        for (i, p) in peaks.enumerated() { hasher.emitAnchor(i, speech: p.speech, into: &out) }
        return out
    }

    /// Adds peaks (time-ordered) and emits landmarks for anchors that can no longer gain
    /// partners: those more than `geometry.maxSpan` frames before `horizon` (no later peak can precede it).
    mutating func push(_ peaks: [SpectralPeak], horizon: Int,
                       speech: (Int) -> Float, into out: inout [AudioLandmark]) {
        pending.append(contentsOf: peaks)
        while head < pending.count, pending[head].frame + geometry.maxSpan < Double(horizon) {
            emitAnchor(head, speech: speech, into: &out)
            head += 1
        }
        if head > 256 { pending.removeFirst(head); head = 0 }
    }

    mutating func finish(speech: (Int) -> Float, into out: inout [AudioLandmark]) {
        while head < pending.count {
            emitAnchor(head, speech: speech, into: &out)
            head += 1
        }
        pending.removeAll()
        head = 0
    }

    private mutating func emitAnchor(_ i: Int, speech: (Int) -> Float, into out: inout [AudioLandmark]) {
        let p1 = pending[i]
        let s = UInt8(max(0, min(255, (speech(Int(p1.frame.rounded())) * 255).rounded())))
        if keptPeaks != nil {
            keptPeaks!.append(LandmarkPeak(frameValue: p1.frame, binValue: p1.bin, speech: s))
        }
        emitAnchor(i, speech: s, into: &out)
    }

    private func emitAnchor(_ i: Int, speech s: UInt8, into out: inout [AudioLandmark]) {
        let p1 = pending[i]
        var seconds = 0
        var j = i + 1
        let g = geometry
        while j < pending.count, seconds < g.secondCandidates {
            let p2 = pending[j]
            let g12 = p2.frame - p1.frame
            if g12 > g.maxSecondGap { break }
            j += 1
            guard g12 >= g.minGap,
                  abs(pitch(p2) - pitch(p1)) <= LandmarkHasher.maxInterval else { continue }
            seconds += 1
            var thirds = 0
            var k = j
            while k < pending.count, thirds < g.thirdCandidates {
                let p3 = pending[k]
                let span = p3.frame - p1.frame
                if span > g.maxSpan { break }
                k += 1
                guard p3.frame - p2.frame >= g.minGap,
                      abs(pitch(p3) - pitch(p2)) <= LandmarkHasher.maxInterval else { continue }
                thirds += 1
                out.append(landmark(p1, p2, p3, speech: s))
            }
        }
    }

    private func pitch(_ p: SpectralPeak) -> Double { AnalysisParameters.pitch(ofBin: p.bin) }

    func landmark(_ p1: SpectralPeak, _ p2: SpectralPeak, _ p3: SpectralPeak, speech: UInt8) -> AudioLandmark {
        let f1 = pitch(p1), f2 = pitch(p2), f3 = pitch(p3)
        let ratio = (p2.frame - p1.frame) / (p3.frame - p1.frame)
        let d12 = LandmarkHasher.quantize(signed: (f2 - f1) / LandmarkHasher.pitchStep, margin: LandmarkHasher.pitchMargin)
        let d23 = LandmarkHasher.quantize(signed: (f3 - f2) / LandmarkHasher.pitchStep, margin: LandmarkHasher.pitchMargin)
        let r = LandmarkHasher.quantize(unit: ratio * Double(LandmarkHasher.ratioLevels),
                                        levels: LandmarkHasher.ratioLevels, margin: LandmarkHasher.ratioMargin)
        let band = LandmarkHasher.quantize(unit: (f1 - LandmarkHasher.basePitch) / LandmarkHasher.bandWidth, levels: 4,
                                           margin: LandmarkHasher.bandMargin / LandmarkHasher.bandWidth)
        let hash = LandmarkHash.compose(d23: d23.cell, d12: d12.cell, ratio: r.cell, band: band.cell)
        let probes = UInt8(d23.probe | d12.probe << 2 | r.probe << 4 | band.probe << 6)
        let t1 = AnalysisParameters.seconds(ofFrame: p1.frame)
        let spanSeconds = (p3.frame - p1.frame) / AnalysisParameters.framesPerSecond
        return AudioLandmark(hash: hash, time: Float(t1),
                             pitch: UInt16(max(0, min(65535, (f1 * 64).rounded()))),
                             span: UInt16(max(0, min(65535, (spanSeconds * 10_000).rounded()))),
                             speech: speech, probes: probes)
    }

    struct Quantized { var cell: Int; var probe: Int }

    /// Signed value in cells → 0…127 (offset 64, clamped), with the edge-probe direction.
    static func quantize(signed x: Double, margin: Double) -> Quantized {
        let c = (x + 0.5).rounded(.down)
        let frac = x + 0.5 - c
        let cell = Int(max(-63, min(63, c))) + 64
        let probe = frac < margin ? 1 : (frac > 1 - margin ? 2 : 0)
        return Quantized(cell: cell, probe: probe)
    }

    /// Value in [0, levels) → cell, clamped, with the edge-probe direction (never past the ends).
    static func quantize(unit x: Double, levels: Int, margin: Double) -> Quantized {
        let c = Int(max(0, min(Double(levels - 1), x.rounded(.down))))
        let frac = x - Double(c)
        var probe = 0
        if frac < margin && c > 0 { probe = 1 } else if frac > 1 - margin && c < levels - 1 { probe = 2 }
        return Quantized(cell: c, probe: probe)
    }
}
