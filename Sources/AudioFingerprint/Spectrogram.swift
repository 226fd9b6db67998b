// Streaming short-time Fourier transform (Hann window, FFTW r2c) with log-power output.
// Input: mono Float32 PCM at `AnalysisParameters.sampleRate`, in chunks of any length.
// Output: one frame per hop: log power (dB re. a full-scale sine) for bins minBin…maxBin,
// plus the frame's total level in that band (used by the speech detector).
import Foundation

/// One STFT frame, valid only during the callback that receives it.
struct SpectrumFrame {
    let index: Int
    /// dB per bin, `AnalysisParameters.binCount` values starting at `minBin`.
    let logPower: UnsafeBufferPointer<Float>
    /// dB of the summed power in the analysed band.
    let bandLevel: Float
}

/// Keeps only the samples of the frame being assembled: memory is O(fftSize), not O(file).
final class Spectrogram {
    private let fft: RealFFT
    private let window: [Float]
    private var pending: [Float] = []
    private var consumed = 0            // samples of `pending` already past (frame starts)
    private var logPower: [Float]
    private(set) var frameCount = 0
    private var finished = false

    /// Power of silence is clamped here so that log stays finite (−120 dB).
    static let floorDB: Float = -120

    init() {
        let n = AnalysisParameters.fftSize
        fft = RealFFT(size: n)
        // Periodic Hann: overlap-adds to a constant at hop n/4.
        window = (0..<n).map { 0.5 - 0.5 * Float(cos(2 * Double.pi * Double($0) / Double(n))) }
        logPower = [Float](repeating: Spectrogram.floorDB, count: AnalysisParameters.binCount)
        pending.reserveCapacity(4 * n)
    }

    func append(_ samples: UnsafeBufferPointer<Float>, emit: (SpectrumFrame) -> Void) {
        precondition(!finished, "Spectrogram.append after finish")
        pending.append(contentsOf: samples)
        drain(emit: emit)
    }

    /// Pads the tail with zeros so the last samples reach a frame centre, then emits the rest.
    func finish(emit: (SpectrumFrame) -> Void) {
        guard !finished else { return }
        if frameCount > 0 || pending.count > consumed {
            pending.append(contentsOf: repeatElement(0, count: AnalysisParameters.fftSize / 2))
            drain(emit: emit)
        }
        finished = true
        pending = []
    }

    private func drain(emit: (SpectrumFrame) -> Void) {
        let n = AnalysisParameters.fftSize
        let hop = AnalysisParameters.hop
        // Full-scale sine A=1 with a Hann window gives |X| = n/4: normalise to 0 dB.
        let norm = 1 / (Float(n) * Float(n) / 16)
        while pending.count - consumed >= n {
            let start = consumed
            var band: Float = 0
            pending.withUnsafeBufferPointer { src in
                window.withUnsafeBufferPointer { win in
                    logPower.withUnsafeMutableBufferPointer { out in
                        fft.transform(fill: { dst in
                            for i in 0..<n { dst[i] = src[start + i] * win[i] }
                        }, read: { spec in
                            for k in 0..<out.count {
                                let b = AnalysisParameters.minBin + k
                                let re = spec[2 * b], im = spec[2 * b + 1]
                                let p = (re * re + im * im) * norm
                                band += p
                                out[k] = p > 1e-12 ? 10 * log10f(p) : Spectrogram.floorDB
                            }
                        })
                    }
                }
            }
            let bandLevel = band > 1e-12 ? 10 * log10f(band) : Spectrogram.floorDB
            logPower.withUnsafeBufferPointer {
                emit(SpectrumFrame(index: frameCount, logPower: $0, bandLevel: bandLevel))
            }
            frameCount += 1
            consumed += hop
        }
        // Compact rarely so appends stay amortised O(1).
        if consumed >= 8 * n {
            pending.removeFirst(consumed)
            consumed = 0
        }
    }
}
