// One final class per FFmpeg context: init allocates (or throws), deinit frees with the matching
// function, the pointer is private to this module and never escapes a decode pass.
import CFFmpeg

/// FFmpeg's text for an error code.
func ffmpegErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    vm_strerror(code, &buffer, buffer.count)
    let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: text, as: UTF8.self)
}

final class FormatInput {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    init(path: String) throws(MediaError) {
        var context: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
        guard context != nil else {
            throw MediaError(.open, path: path, reason: "out of memory", function: "avformat_alloc_context")
        }
        let opened = avformat_open_input(&context, path, nil, nil)
        guard opened >= 0, let context else {
            throw MediaError(.open, path: path, reason: ffmpegErrorText(opened), function: "avformat_open_input")
        }
        pointer = context
        let found = avformat_find_stream_info(context, nil)
        if found < 0 {
            throw MediaError(.open, path: path, reason: ffmpegErrorText(found), function: "avformat_find_stream_info")
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, UInt32(index) < pointer.pointee.nb_streams else { return nil }
        return pointer.pointee.streams[Int(index)]
    }

    func bestStream(_ type: AVMediaType) -> Int32 {
        let index = av_find_best_stream(pointer, type, -1, -1, nil, 0)
        guard index >= 0, let stream = stream(index) else { return -1 }
        // A cover picture attached to an audio file is not a video stream.
        if type == AVMEDIA_TYPE_VIDEO, stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 { return -1 }
        return index
    }
}

final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>
    init() {
        guard let packet = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        pointer = packet
    }
    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>
    init() {
        guard let frame = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = frame
    }
    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }
}

/// What a decoder answers when asked for output: end of stream and "send more input" are states.
enum DecodeStep {
    case frame
    case needsInput
    case endOfStream
    case failed(Int32)
}

final class StreamDecoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    let timeBase: AVRational

    init(stream: UnsafeMutablePointer<AVStream>, threads: Int, skipNonReference: Bool, path: String) throws(MediaError) {
        let parameters = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            throw MediaError(.codec, path: path, reason: "no decoder for codec \(name)", function: "avcodec_find_decoder")
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError(.codec, path: path, reason: "out of memory", function: "avcodec_alloc_context3")
        }
        self.context = context
        timeBase = stream.pointee.time_base
        let copied = avcodec_parameters_to_context(context, parameters)
        if copied < 0 {
            throw MediaError(.codec, path: path, reason: ffmpegErrorText(copied), function: "avcodec_parameters_to_context")
        }
        context.pointee.pkt_timebase = stream.pointee.time_base
        // The library defaults to one thread; 0 lets FFmpeg pick (frame and slice threads).
        context.pointee.thread_count = Int32(threads)
        if skipNonReference { context.pointee.skip_frame = AVDISCARD_NONREF }
        let opened = avcodec_open2(context, codec, nil)
        if opened < 0 {
            throw MediaError(.codec, path: path, reason: ffmpegErrorText(opened), function: "avcodec_open2")
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    /// Sends a packet (nil flushes). Returns FFmpeg's code: invalid data is the caller's to count.
    func send(_ packet: UnsafeMutablePointer<AVPacket>?) -> Int32 {
        avcodec_send_packet(context, packet)
    }

    func receive(into frame: Frame) -> DecodeStep {
        let result = avcodec_receive_frame(context, frame.pointer)
        if result >= 0 { return .frame }
        if result == vm_averror_eagain() { return .needsInput }
        if result == vm_averror_eof() { return .endOfStream }
        return .failed(result)
    }
}
