// The sound channel's own spectrogram as a picture, for the evidence report: the same STFT and
// band the fingerprint's peaks are picked from (Hann 512 at 8 kHz, hop 16 ms, 297–3406 Hz), so
// that what the report shows is what was compared.

import Foundation

package enum SpectrogramPicture {
    /// Rate the samples must be at.
    package static var sampleRate: Int { AnalysisParameters.sampleRate }
    /// Columns per second of sound.
    package static var columnsPerSecond: Double { AnalysisParameters.framesPerSecond }
    /// Lowest and highest frequency drawn, Hz (the picture's bottom and top rows).
    package static var band: ClosedRange<Double> {
        Double(AnalysisParameters.minBin) * Double(AnalysisParameters.sampleRate) / Double(AnalysisParameters.fftSize)
            ... Double(AnalysisParameters.maxBin) * Double(AnalysisParameters.sampleRate) / Double(AnalysisParameters.fftSize)
    }

    /// The picture's column of `seconds` from the start of the samples drawn.
    package static func column(ofTime seconds: Double) -> Int {
        Int(((seconds * Double(AnalysisParameters.sampleRate) - Double(AnalysisParameters.fftSize) / 2) / Double(AnalysisParameters.hop)).rounded())
    }

    /// The picture's row (0 at the top) of a landmark's anchor pitch, in a picture `gray` drew.
    package static func row(ofPitch semitones: Double) -> Int {
        let hz = 55 * pow(2, semitones / 12)
        let bin = hz * Double(AnalysisParameters.fftSize) / Double(AnalysisParameters.sampleRate)
        return AnalysisParameters.binCount - 1 - Int((bin - Double(AnalysisParameters.minBin)).rounded())
    }

    /// Gray pixels, one column per STFT frame and one row per frequency bin (high frequencies at
    /// the top), dark for loud: the loudest bin is black, 60 dB below it and quieter white.
    package static func gray(of samples: [Float]) -> (pixels: [UInt8], width: Int, height: Int) {
        let spectrogram = Spectrogram()
        var columns: [[Float]] = []
        let collect: (SpectrumFrame) -> Void = { columns.append(Array($0.logPower)) }
        samples.withUnsafeBufferPointer { spectrogram.append($0, emit: collect) }
        spectrogram.finish(emit: collect)
        let height = AnalysisParameters.binCount, width = columns.count
        guard width > 0 else { return ([], 0, height) }
        let top = columns.lazy.flatMap { $0 }.max() ?? 0
        var pixels = [UInt8](repeating: 255, count: width * height)
        for (x, column) in columns.enumerated() {
            for (bin, dB) in column.enumerated() {
                let level = max(0, min(1, (top - dB) / 60))
                pixels[(height - 1 - bin) * width + x] = UInt8((level * 255).rounded())
            }
        }
        return (pixels, width, height)
    }
}
