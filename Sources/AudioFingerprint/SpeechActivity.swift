// Cheap per-frame speech likelihood from the voice-band level envelope.
// Input: the band level (dB, 300–3400 Hz) of each STFT frame, in order, ~62.5 frames/s.
// Output: a score in 0…1 per frame, available `halfWindow` frames after the frame arrives.
//
// Why: a reference's music bed must not count as evidence of voice reuse. Speech has two
// properties music beds rarely have together, both visible in the band level alone:
// - syllabic modulation: the level swings by 10–20 dB at 2–8 Hz (syllables, stops, pauses),
//   while a sustained bed varies a few dB; measured as the standard deviation of the dB
//   envelope over ±0.5 s after removing its slow trend;
// - activity: a frame in a pause between phrases sits far below the loudest frame near it;
//   landmarks there come from whatever is underneath (the music bed), so they score 0.
// The score is the product of the two ramps. It is a gate for evidence, not a classifier:
// the matcher counts aligned hits whose reference anchor scores ≥ 0.5 as voice evidence.

struct SpeechActivity {
    static let halfWindow = 31                 // ±0.5 s
    static let modulationLowDB: Float = 4      // std of the envelope: 0 at ≤ 4 dB …
    static let modulationHighDB: Float = 9     // … 1 at ≥ 9 dB
    static let pauseDepthDB: Float = 22        // 0 when ≥ 22 dB below the window maximum …
    static let activeDepthDB: Float = 12       // … 1 when within 12 dB of it
    static let silenceDB: Float = -80

    private let ringSize = 512                 // frames of history (≈ 8 s) kept for look-ups
    private var levels: [Float]
    private var scores: [Float]
    private var received = 0
    private(set) var scored = 0                // frames 0..<scored have scores

    init() {
        levels = [Float](repeating: Spectrogram.floorDB, count: ringSize)
        scores = [Float](repeating: 0, count: ringSize)
    }

    mutating func push(bandLevel: Float) {
        levels[received % ringSize] = max(bandLevel, SpeechActivity.silenceDB)
        received += 1
        while scored + SpeechActivity.halfWindow < received { scoreFrame(scored); scored += 1 }
    }

    mutating func finish() {
        while scored < received { scoreFrame(scored); scored += 1 }
    }

    /// Score of `frame`; it must be scored and not older than the ring.
    func score(atFrame frame: Int) -> Float {
        let f = max(0, min(frame, scored - 1))
        guard f >= 0, f > scored - ringSize + 2 * SpeechActivity.halfWindow else { return 0 }
        return scores[f % ringSize]
    }

    private mutating func scoreFrame(_ t: Int) {
        let lo = max(0, t - SpeechActivity.halfWindow)
        let hi = min(received - 1, t + SpeechActivity.halfWindow)
        let n = hi - lo + 1
        var maxLevel = -Float.infinity
        // Linear trend removal: fit level ≈ a + b·x over the window, then take the residual spread.
        var sx: Float = 0, sy: Float = 0, sxx: Float = 0, sxy: Float = 0, syy: Float = 0
        for i in lo...hi {
            let y = levels[i % ringSize]
            let x = Float(i - t)
            maxLevel = max(maxLevel, y)
            sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y
        }
        let fn = Float(n)
        let varX = sxx / fn - (sx / fn) * (sx / fn)
        let covXY = sxy / fn - (sx / fn) * (sy / fn)
        let varY = syy / fn - (sy / fn) * (sy / fn)
        let residual = max(0, varY - (varX > 0 ? covXY * covXY / varX : 0))
        let spread = residual.squareRoot()
        let level = levels[t % ringSize]
        let modulation = ramp(spread, SpeechActivity.modulationLowDB, SpeechActivity.modulationHighDB)
        let active = ramp(level - maxLevel, -SpeechActivity.pauseDepthDB, -SpeechActivity.activeDepthDB)
        let audible: Float = maxLevel > SpeechActivity.silenceDB + 1 ? 1 : 0
        scores[t % ringSize] = modulation * active * audible
    }
}

@inline(__always)
private func ramp(_ x: Float, _ lo: Float, _ hi: Float) -> Float {
    max(0, min(1, (x - lo) / (hi - lo)))
}
