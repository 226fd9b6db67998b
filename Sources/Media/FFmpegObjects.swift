// One final class per FFmpeg context: init allocates (or throws), deinit frees with the matching
// function, the pointer is private to this module and never escapes a decode pass.
import CFFmpeg
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// FFmpeg's text for an error code.
func ffmpegErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    vm_strerror(code, &buffer, buffer.count)
    let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: text, as: UTF8.self)
}

/// A time budget FFmpeg's I/O checks through its interrupt callback while it opens and reads
/// (so a file that makes a demuxer wait or loop cannot hang a batch), and the decode loop checks
/// between packets.
final class Deadline {
    private(set) var end: UInt64

    init(seconds: Double?) {
        end = Deadline.after(seconds)
    }

    static func after(_ seconds: Double?) -> UInt64 {
        guard let seconds, seconds > 0, seconds < 1e9 else { return .max }
        return DispatchTime.now().uptimeNanoseconds &+ UInt64(seconds * 1e9)
    }

    func reset(seconds: Double?) { end = Deadline.after(seconds) }

    var expired: Bool { DispatchTime.now().uptimeNanoseconds > end }
}

private func interruptCallback(_ opaque: UnsafeMutableRawPointer?) -> Int32 {
    guard let opaque else { return 0 }
    return Unmanaged<Deadline>.fromOpaque(opaque).takeUnretainedValue().expired ? 1 : 0
}

final class FormatInput {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    /// Held for as long as the context may call back into it.
    let deadline: Deadline

    init(path: String, deadline: Deadline) throws(MediaError) {
        self.deadline = deadline
        var context: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
        guard let allocated = context else {
            throw MediaError(.open, path: path, reason: "out of memory", function: "avformat_alloc_context")
        }
        allocated.pointee.interrupt_callback = AVIOInterruptCB(callback: interruptCallback,
                                                               opaque: Unmanaged.passUnretained(deadline).toOpaque())
        // Regular files only: a FIFO or device would block in open(2), where no budget reaches,
        // and a URL would reach the network. Local files only, also for playlists' entries.
        var status = stat()
        guard stat(path, &status) == 0 else {
            avformat_free_context(context)
            throw MediaError(.unreadable, path: path, reason: String(cString: strerror(errno)).lowercased())
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            avformat_free_context(context)
            throw MediaError(.unreadable, path: path, reason: "not a regular file")
        }
        var options: OpaquePointer?
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        defer { av_dict_free(&options) }
        let opened = avformat_open_input(&context, path, nil, &options)
        guard opened >= 0, let context else {
            if deadline.expired { throw MediaError(.timeout, path: path, reason: "opening took longer than the time budget") }
            throw MediaError(.open, path: path, reason: ffmpegErrorText(opened), function: "avformat_open_input")
        }
        // FFmpeg renders any text file (and text-mode art) as video through these demuxers: a
        // `.txt`, `.nfo` or `.bin` would be indexed as a 640×400 "video". They are never camera
        // or screen media.
        if let format = context.pointee.iformat, Self.textDemuxers.contains(String(cString: format.pointee.name)) {
            let name = String(cString: format.pointee.name)
            var closing: UnsafeMutablePointer<AVFormatContext>? = context
            avformat_close_input(&closing)
            throw MediaError(.notMedia, path: path, reason: "a text file, not camera or screen media (FFmpeg's '\(name)' demuxer would show it as text-mode art)")
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

    /// Demuxers of text and text-mode art (ANSI, BinText, XBin, ArtWorx, iCE Draw).
    static let textDemuxers: Set<String> = ["tty", "bintext", "xbin", "adf", "idf"]

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

    /// Where the file's timeline starts, in seconds (0 when the container does not say).
    var startTime: Double {
        let start = pointer.pointee.start_time
        return start == vm_nopts() ? 0 : Double(start) / Double(AV_TIME_BASE)
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

/// The one owner of an `AVCodecContext`, decoder or encoder: allocated for `codec`, set up by
/// `configure`, opened; freed in deinit.
final class CodecContext {
    private let pointer: UnsafeMutablePointer<AVCodecContext>

    init(codec: UnsafePointer<AVCodec>, path: String,
         configure: (UnsafeMutablePointer<AVCodecContext>) throws(MediaError) -> Void) throws(MediaError) {
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError(.codec, path: path, reason: "out of memory", function: "avcodec_alloc_context3")
        }
        pointer = context
        try configure(context)
        let opened = avcodec_open2(context, codec, nil)
        if opened < 0 {
            throw MediaError(.codec, path: path, reason: ffmpegErrorText(opened), function: "avcodec_open2")
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    /// The quality the encoder was opened with (`global_quality`).
    var globalQuality: Int32 { pointer.pointee.global_quality }

    /// Decoding: sends a packet (nil flushes); FFmpeg's code.
    func send(_ packet: UnsafeMutablePointer<AVPacket>?) -> Int32 {
        avcodec_send_packet(pointer, packet)
    }

    /// Decoding: the next frame; FFmpeg's code.
    func receive(into frame: Frame) -> Int32 {
        avcodec_receive_frame(pointer, frame.pointer)
    }

    /// Decoding: drops what the decoder holds (after a seek).
    func flush() {
        avcodec_flush_buffers(pointer)
    }

    /// Encoding: sends a picture (nil flushes); FFmpeg's code.
    func send(picture: Frame?) -> Int32 {
        avcodec_send_frame(pointer, picture?.pointer)
    }

    /// Encoding: the next packet; FFmpeg's code.
    func receive(into packet: Packet) -> Int32 {
        avcodec_receive_packet(pointer, packet.pointer)
    }
}

/// The decoder of one stream, with the stream's time base.
final class StreamDecoder {
    private let codec: CodecContext
    let timeBase: AVRational

    init(stream: UnsafeMutablePointer<AVStream>, threads: Int, skipNonReference: Bool,
         skipLoopFilter: LoopFilterSkip = .none, path: String) throws(MediaError) {
        let parameters = stream.pointee.codecpar!
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            throw MediaError(.codec, path: path, reason: "no decoder for codec \(name)", function: "avcodec_find_decoder")
        }
        timeBase = stream.pointee.time_base
        codec = try CodecContext(codec: decoder, path: path) { context throws(MediaError) in
            let copied = avcodec_parameters_to_context(context, parameters)
            if copied < 0 {
                throw MediaError(.codec, path: path, reason: ffmpegErrorText(copied), function: "avcodec_parameters_to_context")
            }
            context.pointee.pkt_timebase = stream.pointee.time_base
            // The library defaults to one thread; 0 lets FFmpeg pick (frame and slice threads).
            context.pointee.thread_count = Int32(threads)
            if skipNonReference { context.pointee.skip_frame = AVDISCARD_NONREF }
            switch skipLoopFilter {
            case .none: break
            case .bidirectional: context.pointee.skip_loop_filter = AVDISCARD_BIDIR
            case .all: context.pointee.skip_loop_filter = AVDISCARD_ALL
            }
        }
    }

    /// Sends a packet (nil flushes). Returns FFmpeg's code: invalid data is the caller's to count.
    func send(_ packet: UnsafeMutablePointer<AVPacket>?) -> Int32 {
        codec.send(packet)
    }

    func receive(into frame: Frame) -> DecodeStep {
        let result = codec.receive(into: frame)
        if result >= 0 { return .frame }
        if result == vm_averror_eagain() { return .needsInput }
        if result == vm_averror_eof() { return .endOfStream }
        return .failed(result)
    }

    /// Drops the frames in flight, as after a seek.
    func flush() {
        codec.flush()
    }

    /// Seconds from the file's start (`startTime`, as `FormatInput.startTime` gives it) of a
    /// timestamp in this stream's time base; nil for no timestamp.
    func seconds(_ pts: Int64, startTime: Double) -> Double? {
        pts == vm_nopts() ? nil : Double(pts) * av_q2d(timeBase) - startTime
    }
}

/// The one owner of an `SwsContext`: one source size and format to one target size and format.
final class ScaleContext {
    private let pointer: OpaquePointer

    init(width: Int32, height: Int32, format: AVPixelFormat,
         toWidth: Int32, toHeight: Int32, toFormat: AVPixelFormat, flags: Int32, path: String) throws(MediaError) {
        guard let context = sws_getContext(width, height, format, toWidth, toHeight, toFormat, flags, nil, nil, nil) else {
            throw MediaError(.codec, path: path, reason: "cannot scale this picture format", function: "sws_getContext")
        }
        pointer = context
    }

    deinit { sws_freeContext(pointer) }

    /// Scales `source` into `target`'s buffers; FFmpeg's code.
    func scale(_ source: Frame, into target: Frame) -> Int32 {
        sws_scale_frame(pointer, target.pointer, source.pointer)
    }

    /// Scales `frame` (only its first plane when `firstPlaneOnly`) into one packed plane at
    /// `destination`, rows `stride` bytes apart; the rows written, or FFmpeg's negative code.
    func scale(_ frame: UnsafeMutablePointer<AVFrame>, firstPlaneOnly: Bool,
               into destination: UnsafeMutablePointer<UInt8>?, stride: Int32) -> Int32 {
        firstPlaneOnly ? vm_sws_scale_plane0_to(pointer, frame, destination, stride)
                       : vm_sws_scale_frame_to(pointer, frame, destination, stride)
    }
}
