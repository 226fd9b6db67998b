// swresample behind a class: any decoded audio → mono Float32 at the analysis rate.
import CFFmpeg

final class Resampler {
    private var context: OpaquePointer?
    private var input: (rate: Int32, format: Int32, channels: Int32) = (0, -1, 0)
    private let outputRate: Int32
    private var buffer: [Float] = []

    init(outputRate: Int) { self.outputRate = Int32(outputRate) }

    deinit { swr_free(&context) }

    private func configure(for frame: UnsafeMutablePointer<AVFrame>) -> Bool {
        let f = frame.pointee
        if context != nil && input == (f.sample_rate, f.format, f.ch_layout.nb_channels) { return true }
        swr_free(&context)
        var inLayout = AVChannelLayout()
        if f.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || av_channel_layout_check([f.ch_layout]) == 0 {
            av_channel_layout_default(&inLayout, max(1, f.ch_layout.nb_channels))
        } else {
            var source = f.ch_layout
            guard av_channel_layout_copy(&inLayout, &source) >= 0 else { return false }
        }
        defer { av_channel_layout_uninit(&inLayout) }
        var outLayout = AVChannelLayout()
        vm_layout_mono(&outLayout)
        let made = swr_alloc_set_opts2(&context, &outLayout, AV_SAMPLE_FMT_FLT, outputRate,
                                       &inLayout, AVSampleFormat(rawValue: f.format), f.sample_rate, 0, nil)
        guard made >= 0, context != nil, swr_init(context) >= 0 else {
            swr_free(&context)
            return false
        }
        input = (f.sample_rate, f.format, f.ch_layout.nb_channels)
        return true
    }

    /// Converts one frame; nil flushes what the resampler still holds. Returns nil on failure.
    func convert(_ frame: UnsafeMutablePointer<AVFrame>?) -> [Float]? {
        if let frame {
            guard configure(for: frame) else { return nil }
        } else if context == nil {
            return []
        }
        let inCount = frame.map { Int32($0.pointee.nb_samples) } ?? 0
        let capacity = Int(swr_get_out_samples(context, inCount)) + 32
        guard capacity > 0 else { return [] }
        if buffer.count < capacity { buffer = [Float](repeating: 0, count: capacity) }
        let produced = buffer.withUnsafeMutableBytes { raw in
            vm_swr_convert_frame_to(context, frame, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(capacity))
        }
        guard produced >= 0 else { return nil }
        return Array(buffer[0 ..< Int(produced)])
    }
}
