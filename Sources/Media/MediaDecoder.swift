// Opens anything FFmpeg reads and decodes its video and audio in one pass over the packets:
// sampled frames by presentation time, upright, scaled small; audio as mono Float32 chunks.
// Memory does not grow with file length: frames are handed out as they come.
import CFFmpeg

package final class MediaDecoder {
    package let path: String
    package let info: MediaInfo
    /// What `decode` will deliver; may be adjusted after looking at `info`.
    package var options: DecodeOptions
    private let input: FormatInput
    private let videoIndex: Int32
    private let audioIndex: Int32

    package init(path: String, options: DecodeOptions = DecodeOptions()) throws(MediaError) {
        vm_quiet_logs()
        self.path = path
        self.options = options
        input = try FormatInput(path: path, deadline: Deadline(seconds: options.timeBudget))
        videoIndex = input.bestStream(AVMEDIA_TYPE_VIDEO)
        audioIndex = input.bestStream(AVMEDIA_TYPE_AUDIO)
        info = MediaDecoder.describe(input, path: path, video: videoIndex, audio: audioIndex)
        guard info.video != nil || info.audio != nil else {
            throw MediaError(.noStreams, path: path, reason: "no audio or video stream")
        }
        if let video = info.video {
            let pixels = video.codedWidth * video.codedHeight
            if video.codedWidth <= 0 || video.codedHeight <= 0 {
                throw MediaError(.decode, path: path, reason: "the picture size cannot be read")
            }
            if pixels > options.maxPixels {
                throw MediaError(.limit, path: path,
                                 reason: "video size \(video.codedWidth)x\(video.codedHeight) is outside the decoder's limits")
            }
        }
    }

    /// Restarts the time budget: `seconds` from now (nil: no limit).
    package func setTimeBudget(_ seconds: Double?) {
        input.deadline.reset(seconds: seconds)
    }

    /// Reads the file's metadata without decoding.
    package static func probe(path: String, timeBudget: Double? = 60) throws(MediaError) -> MediaInfo {
        try MediaDecoder(path: path, options: DecodeOptions(video: nil, audio: nil, timeBudget: timeBudget)).info
    }

    /// Decodes the whole file once. `video` gets the sampled frames in presentation order,
    /// `audio` the resampled chunks in order. Errors thrown by either handler stop the pass.
    package func decode(video: (VideoFrame) throws -> Void = { _ in },
                       audio: (AudioChunk) throws -> Void = { _ in }) throws {
        var videoPass = try decoder(videoIndex, wanted: options.video != nil && info.video != nil,
                                    skipNonReference: options.skipNonReferenceFrames,
                                    skipLoopFilter: options.skipLoopFilter)
            .map { VideoPass(decoder: $0, output: options.video!, info: info.video!) }
        var audioPass = try decoder(audioIndex, wanted: options.audio != nil && info.audio != nil,
                                    skipNonReference: false)
            .map { AudioPass(decoder: $0, output: options.audio!) }
        guard videoPass != nil || audioPass != nil else { return }
        let startTime = input.startTime

        let packet = Packet()
        var readError: Int32 = 0
        while true {
            if input.deadline.expired {
                throw MediaError(.timeout, path: path, reason: "decoding took longer than the time budget")
            }
            let read = av_read_frame(input.pointer, packet.pointer)
            if read < 0 {
                if read != vm_averror_eof() { readError = read }
                break
            }
            defer { av_packet_unref(packet.pointer) }
            let index = packet.pointer.pointee.stream_index
            if index == videoIndex, videoPass != nil {
                try videoPass!.feed(packet.pointer, startTime: startTime, deliver: video)
            } else if index == audioIndex, audioPass != nil {
                try audioPass!.feed(packet.pointer, startTime: startTime, deliver: audio)
            }
        }
        if input.deadline.expired {
            throw MediaError(.timeout, path: path, reason: "decoding took longer than the time budget")
        }
        try videoPass?.feed(nil, startTime: startTime, deliver: video)
        try audioPass?.feed(nil, startTime: startTime, deliver: audio)

        // A damaged file that still gave pictures or sound yields what it has; one that gave
        // nothing at all is an error the user must see.
        let produced = (videoPass?.decodedFrames ?? 0) + (audioPass?.decodedFrames ?? 0)
        if produced == 0 {
            let failure = readError != 0 ? readError : (videoPass?.lastError ?? audioPass?.lastError ?? 0)
            let reason = failure != 0 ? ffmpegErrorText(failure) : "no frame could be decoded"
            throw MediaError(.decode, path: path, reason: reason, function: failure != 0 ? "decode" : nil)
        }
    }
}

extension MediaDecoder {
    /// The decoder of stream `index` for this pass, when `wanted`.
    private func decoder(_ index: Int32, wanted: Bool, skipNonReference: Bool,
                         skipLoopFilter: LoopFilterSkip = .none) throws(MediaError) -> StreamDecoder? {
        guard wanted else { return nil }
        return try StreamDecoder(stream: input.stream(index)!, threads: options.threads,
                                 skipNonReference: skipNonReference, skipLoopFilter: skipLoopFilter, path: path)
    }

    static func describe(_ input: FormatInput, path: String, video: Int32, audio: Int32) -> MediaInfo {
        let context = input.pointer.pointee
        let container = context.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        var duration: Double? = context.duration > 0 && context.duration != vm_nopts()
            ? Double(context.duration) / Double(AV_TIME_BASE) : nil

        func seconds(_ stream: UnsafeMutablePointer<AVStream>) -> Double? {
            let s = stream.pointee
            guard s.duration > 0, s.duration != vm_nopts(), s.time_base.den != 0 else { return nil }
            return Double(s.duration) * av_q2d(s.time_base)
        }

        var videoInfo: VideoStreamInfo?
        var still = false
        if let stream = input.stream(video), let parameters = stream.pointee.codecpar {
            let p = parameters.pointee
            let ccw = vm_stream_rotation(stream)
            let clockwise = ccw.isNaN ? 0 : ((Int((-ccw / 90).rounded()) * 90) % 360 + 360) % 360
            let rate = stream.pointee.avg_frame_rate
            let pixelFormat = av_get_pix_fmt_name(AVPixelFormat(rawValue: p.format)).map { String(cString: $0) } ?? "unknown"
            videoInfo = VideoStreamInfo(
                codec: String(cString: avcodec_get_name(p.codec_id)),
                codedWidth: Int(p.width), codedHeight: Int(p.height),
                rotation: clockwise, mirrored: vm_stream_display_flipped(stream) != 0,
                frameRate: rate.den > 0 && rate.num > 0 ? av_q2d(rate) : nil,
                pixelFormat: pixelFormat, duration: seconds(stream))
            still = container.hasSuffix("_pipe") || container == "image2"
        }
        var audioInfo: AudioStreamInfo?
        if let stream = input.stream(audio), let parameters = stream.pointee.codecpar {
            let p = parameters.pointee
            audioInfo = AudioStreamInfo(codec: String(cString: avcodec_get_name(p.codec_id)),
                                        sampleRate: Int(p.sample_rate), channels: Int(p.ch_layout.nb_channels),
                                        duration: seconds(stream))
        }
        if duration == nil { duration = [videoInfo?.duration, audioInfo?.duration].compactMap { $0 }.max() }
        if still { duration = nil }
        return MediaInfo(path: path, container: container, duration: duration,
                         bitRate: context.bit_rate > 0 ? Int(context.bit_rate) : nil,
                         video: videoInfo, audio: audioInfo, isStillImage: still)
    }
}

/// What the video and audio halves of a pass share: a decoder, the frame it decodes into, and
/// the counts `decode` reports from. `feed` sends a packet and hands each decoded frame to `take`.
private protocol DecodePass {
    associatedtype Output
    var decoder: StreamDecoder { get }
    var frame: Frame { get }
    var decodedFrames: Int { get set }
    var lastError: Int32 { get set }
    /// Turns `frame` (decoded, unreferenced after this returns) into output.
    mutating func take(startTime: Double, deliver: (Output) throws -> Void) throws
    /// The decoder gave its last frame.
    mutating func finish(deliver: (Output) throws -> Void) throws
}

extension DecodePass {
    /// Sends `packet` (nil flushes) and takes every frame the decoder then gives.
    mutating func feed(_ packet: UnsafeMutablePointer<AVPacket>?, startTime: Double,
                       deliver: (Output) throws -> Void) throws {
        let sent = decoder.send(packet)
        if sent < 0 && sent != vm_averror_eof() { lastError = sent }
        while true {
            switch decoder.receive(into: frame) {
            case .needsInput: return
            case .endOfStream: try finish(deliver: deliver); return
            case .failed(let code): lastError = code; return
            case .frame:
                defer { av_frame_unref(frame.pointer) }
                decodedFrames += 1
                try take(startTime: startTime, deliver: deliver)
            }
        }
    }
}

/// Video half of a pass: decode, pick frames by time, scale, turn upright.
private struct VideoPass: DecodePass {
    let decoder: StreamDecoder
    let output: VideoOutput
    let info: VideoStreamInfo
    var sampler: FrameSampler
    var detailSampler: FrameSampler?
    let scaler = Scaler()
    let detailScaler = Scaler()
    let frame = Frame()
    var decodedFrames = 0
    var lastError: Int32 = 0
    var lastTime: Double = -1

    init(decoder: StreamDecoder, output: VideoOutput, info: VideoStreamInfo) {
        self.decoder = decoder
        self.output = output
        self.info = info
        sampler = FrameSampler(rate: output.framesPerSecond)
        detailSampler = output.detail.map { FrameSampler(rate: $0.framesPerSecond) }
    }

    mutating func take(startTime: Double, deliver: (VideoFrame) throws -> Void) throws {
        let f = frame.pointer.pointee
        var time = decoder.seconds(f.best_effort_timestamp, startTime: startTime) ?? lastTime + 1 / (info.frameRate ?? 30)
        time = max(time, 0)
        lastTime = time
        guard sampler.accept(time) else { return }
        guard f.width > 0, f.height > 0 else { return }
        let upright = info.rotation % 180 == 0
        let outWidth = output.width ?? Int(upright ? f.width : f.height)
        let outHeight = output.height ?? Int(upright ? f.height : f.width)
        let scaledWidth = upright ? outWidth : outHeight
        let scaledHeight = upright ? outHeight : outWidth
        guard let pixels = scaler.scale(frame.pointer, width: scaledWidth, height: scaledHeight,
                                        layout: output.layout) else { return }
        let image = uprightImage(pixels, width: scaledWidth, height: scaledHeight,
                                 bytesPerPixel: output.layout.bytesPerPixel,
                                 clockwise: info.rotation, mirror: info.mirrored)
        var sampled = VideoFrame(time: time, width: image.width, height: image.height,
                                 layout: output.layout, pixels: image.pixels)
        if let detail = output.detail, detailSampler?.accept(time) == true {
            let size = detail.size(width: Int(upright ? f.width : f.height), height: Int(upright ? f.height : f.width))
            let (w, h) = upright ? (size.width, size.height) : (size.height, size.width)
            if w > 0, h > 0, let gray = detailScaler.scale(frame.pointer, width: w, height: h, layout: .gray8) {
                let picture = uprightImage(gray, width: w, height: h, bytesPerPixel: 1, clockwise: info.rotation, mirror: info.mirrored)
                sampled.detail = DetailPicture(width: picture.width, height: picture.height, pixels: picture.pixels)
            }
        }
        try deliver(sampled)
    }

    func finish(deliver: (VideoFrame) throws -> Void) {}
}

/// Audio half of a pass: decode, downmix and resample; chunk times count delivered samples from
/// the first frame's time, so they stay gap-free at the output rate.
private struct AudioPass: DecodePass {
    let decoder: StreamDecoder
    let output: AudioOutput
    let resampler: Resampler
    let frame = Frame()
    var decodedFrames = 0
    var lastError: Int32 = 0
    var firstTime: Double?
    var delivered = 0

    init(decoder: StreamDecoder, output: AudioOutput) {
        self.decoder = decoder
        self.output = output
        resampler = Resampler(outputRate: output.sampleRate)
    }

    mutating func take(startTime: Double, deliver: (AudioChunk) throws -> Void) throws {
        if firstTime == nil {
            firstTime = decoder.seconds(frame.pointer.pointee.best_effort_timestamp, startTime: startTime).map { max(0, $0) } ?? 0
        }
        guard let samples = resampler.convert(frame.pointer) else {
            lastError = vm_averror(22)  // EINVAL: a format swresample cannot take
            return
        }
        if !samples.isEmpty { try emit(samples, deliver: deliver) }
    }

    mutating func finish(deliver: (AudioChunk) throws -> Void) throws {
        if decodedFrames > 0, let rest = resampler.convert(nil), !rest.isEmpty {
            try emit(rest, deliver: deliver)
        }
    }

    private mutating func emit(_ samples: [Float], deliver: (AudioChunk) throws -> Void) throws {
        let start = (firstTime ?? 0) + Double(delivered) / Double(output.sampleRate)
        delivered += samples.count
        try deliver(AudioChunk(startTime: start, sampleRate: output.sampleRate, samples: samples))
    }
}
