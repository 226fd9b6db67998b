// Spectral peak picking on a streaming log-power spectrogram (Wang 2003 "constellation",
// as in dpwe/audfprint and JorenSix/Olaf, with our own thresholds).
// Input: `SpectrumFrame`s in order (bins minBin…maxBin, dB). Output: `SpectralPeak`s in
// non-decreasing time order, released one block (blockFrames) at a time.
//
// A peak is a cell that is the maximum of its ±timeRadius × ±binRadius neighbourhood and
// stands out of its frame. Thresholds are relative (to the frame's strongest bin and to the
// band level around it), so a −16 dB copy yields the same peaks; an absolute floor keeps
// digital silence and dither from producing any. Density is bounded by keeping the
// `peaksPerBlock` most prominent peaks of each block, ranked by contrast to the local
// spectral mean — this spreads peaks over formants instead of piling them on the loud
// low harmonics of speech.

import Fingerprint

/// A spectral peak with sub-frame time and sub-bin frequency (parabolic interpolation of dB).
struct SpectralPeak: Equatable {
    var frame: Double
    var bin: Double
    var level: Float
    var contrast: Float
}

struct PeakPicker {
    static let timeRadius = 4          // ±64 ms
    static let binRadius = 3           // ±47 Hz
    static let contrastRadius = 10     // ±156 Hz for the local mean
    static let blockFrames = 16        // 256 ms
    static let peaksPerBlock = 7       // ≤ 27 peaks/s (references)
    /// A query keeps this many times the reference's peaks per block. A reference block's sound
    /// played 1.3× faster fills only 1/1.3 of a query block, so 1.3 would keep every peak the
    /// reference kept at any speed in range; measured on the large corpus it found 4 more
    /// reused sounds but raised chance alignments between two recordings of one synthetic voice
    /// (~30 aligned hits over 9–11 s) to 2 wrong-reference predictions, so the query keeps the
    /// reference's density and a fast copy loses the peaks that fall out of its blocks.
    static let queryDensity = 1.0
    static func peaksPerBlock(_ role: FingerprintRole) -> Int {
        role == .reference ? peaksPerBlock : Int((Double(peaksPerBlock) * queryDensity).rounded(.up))
    }
    /// A suspect also keeps, as its `soundPeaks`, this many times a block's peaks, the most
    /// prominent first: a voice under louder sound keeps its peaks, not its place among a
    /// block's strongest (`AudioMatcher.peaksStandingOut`). References keep none.
    static let soundPeakDensity = 4
    static func soundPeaksPerBlock(_ role: FingerprintRole) -> Int {
        role == .reference ? 0 : soundPeakDensity * peaksPerBlock
    }
    static let relativeFloorDB: Float = -40   // below the frame's strongest bin
    static let absoluteFloorDB: Float = -85   // re. full-scale sine
    static let minContrastDB: Float = 4

    private let bins = AnalysisParameters.binCount
    let peaksPerBlock: Int
    let soundPeaksPerBlock: Int
    /// The `soundPeaksPerBlock` most prominent peaks of each block flushed so far (suspects).
    var soundPeaks: [SpectralPeak] = []
    private let ringFrames = 2 * PeakPicker.timeRadius + 1
    private var ring: [Float]
    private var frameMax: [Float]
    private var received = 0           // frames pushed so far
    private var evaluated = 0          // frames whose peaks are decided
    private var block: [SpectralPeak] = []

    init(role: FingerprintRole = .reference) {
        peaksPerBlock = PeakPicker.peaksPerBlock(role)
        soundPeaksPerBlock = PeakPicker.soundPeaksPerBlock(role)
        ring = [Float](repeating: Spectrogram.floorDB, count: ringFrames * bins)
        frameMax = [Float](repeating: Spectrogram.floorDB, count: ringFrames)
    }

    /// Adds a frame; evaluates the frame `timeRadius` behind it. Completed blocks are appended to `out`.
    mutating func push(_ frame: SpectrumFrame, into out: inout [SpectralPeak]) {
        precondition(frame.index == received, "PeakPicker: frames must arrive in order")
        let slot = received % ringFrames
        var m = Spectrogram.floorDB
        ring.withUnsafeMutableBufferPointer { r in
            for k in 0..<bins {
                r[slot * bins + k] = frame.logPower[k]
                m = max(m, frame.logPower[k])
            }
        }
        frameMax[slot] = m
        received += 1
        while evaluated + PeakPicker.timeRadius < received {
            evaluate(evaluated, into: &out)
            evaluated += 1
        }
    }

    /// Evaluates the remaining frames (missing future frames count as silence) and flushes.
    mutating func finish(into out: inout [SpectralPeak]) {
        while evaluated < received {
            evaluate(evaluated, into: &out)
            evaluated += 1
        }
        flushBlock(into: &out)
        releasedThroughFrame = received - 1
    }

    /// The last frame whose peaks have all been released (no later peak can be earlier).
    private(set) var releasedThroughFrame = -1

    private func value(_ r: UnsafeBufferPointer<Float>, _ t: Int, _ k: Int) -> Float {
        guard t >= 0, t < received, t > received - ringFrames else { return Spectrogram.floorDB }
        return r[(t % ringFrames) * bins + k]
    }

    private mutating func evaluate(_ t: Int, into out: inout [SpectralPeak]) {
        if t > 0 && t % PeakPicker.blockFrames == 0 {
            flushBlock(into: &out)
            releasedThroughFrame = t - 1
        }
        let fmax = frameMax[t % ringFrames]
        let floor = max(fmax + PeakPicker.relativeFloorDB, PeakPicker.absoluteFloorDB)
        guard fmax > PeakPicker.absoluteFloorDB else { return }
        let tr = PeakPicker.timeRadius, br = PeakPicker.binRadius, cr = PeakPicker.contrastRadius
        var found: [SpectralPeak] = []
        ring.withUnsafeBufferPointer { r in
            let row = (t % ringFrames) * bins
            for k in 1..<(bins - 1) {
                let v = r[row + k]
                guard v > floor, v > r[row + k - 1], v >= r[row + k + 1] else { continue }
                var isMax = true
                search: for dt in -tr...tr {
                    let tt = t + dt
                    guard tt >= 0, tt < received else { continue }
                    let base = (tt % ringFrames) * bins
                    for kk in max(0, k - br)...min(bins - 1, k + br) where !(dt == 0 && kk == k) {
                        let w = r[base + kk]
                        // Ties go to the earlier / lower cell so a flat plateau yields one peak.
                        if w > v || (w == v && (dt < 0 || (dt == 0 && kk < k))) { isMax = false; break search }
                    }
                }
                guard isMax else { continue }
                var sum: Float = 0
                let lo = max(0, k - cr), hi = min(bins - 1, k + cr)
                for kk in lo...hi { sum += r[row + kk] }
                let contrast = v - sum / Float(hi - lo + 1)
                guard contrast >= PeakPicker.minContrastDB else { continue }
                // Parabolic interpolation of the dB surface around the maximum.
                let a = r[row + k - 1], c = r[row + k + 1]
                let db = Double(v)
                let fOff = parabolicOffset(Double(a), db, Double(c))
                let ta = Double(value(r, t - 1, k)), tc = Double(value(r, t + 1, k))
                let tOff = parabolicOffset(ta, db, tc)
                // On the grid the library keeps peaks on (`LandmarkPeak`), for both roles: a
                // reference's landmarks made again from its stored peaks are those made here.
                found.append(SpectralPeak(frame: LandmarkPeak.onFrameGrid(Double(t) + tOff),
                                          bin: LandmarkPeak.onBinGrid(Double(AnalysisParameters.minBin + k) + fOff),
                                          level: v, contrast: contrast))
            }
        }
        block.append(contentsOf: found)
    }

    private mutating func flushBlock(into out: inout [SpectralPeak]) {
        guard !block.isEmpty else { return }
        if soundPeaksPerBlock > 0 {
            let kept = block.count > soundPeaksPerBlock ? Array(block.sorted { $0.contrast > $1.contrast }.prefix(soundPeaksPerBlock)) : block
            soundPeaks += kept.sorted { $0.frame < $1.frame }
        }
        if block.count > peaksPerBlock {
            block.sort { $0.contrast > $1.contrast }
            block.removeLast(block.count - peaksPerBlock)
        }
        block.sort { $0.frame < $1.frame }
        out.append(contentsOf: block)
        block.removeAll(keepingCapacity: true)
    }
}

/// Offset in (−0.5, 0.5) of the vertex of the parabola through (−1, a), (0, b), (1, c).
@inline(__always)
func parabolicOffset(_ a: Double, _ b: Double, _ c: Double) -> Double {
    let d = a - 2 * b + c
    guard d < 0 else { return 0 }
    return max(-0.5, min(0.5, 0.5 * (a - c) / d))
}
