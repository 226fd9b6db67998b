// Still pictures of a video at given times, as JPEG bytes from FFmpeg's own MJPEG encoder, for
// evidence reports. For each time: seek backward to the keyframe at or before it, decode forward
// to the first frame at or after it, scale (swscale) to a fixed width in full-range YUV 4:2:0,
// turn upright as the display matrix says, encode. Costs a keyframe interval of decoding per
// picture, not a pass over the file.
import CFFmpeg

package final class ThumbnailExtractor {
    package let path: String
    /// Width of the pictures; the height follows the display aspect ratio.
    package let width: Int
    /// MJPEG quantiser scale, 2 (best) to 31.
    package let quality: Int
    private let input: FormatInput
    private let videoIndex: Int32
    private let decoder: StreamDecoder
    private let info: VideoStreamInfo
    private let startTime: Double
    private let packet = Packet()
    private let timeBudget: Double?
    /// The gray detail picture `picture(at:detail:)` also gives (as `MediaDecoder` makes it for
    /// keypoints), when asked for; nil: none.
    package let detailLongSide: Int?
    private let detailScaler = Scaler()

    /// `timeBudget`: seconds allowed for opening the file and for each picture cut from it.
    /// `detailLongSide`: the long side of the gray detail pictures asked for (as the
    /// fingerprint's keypoints saw the frames; see `DetailOutput`).
    package init(path: String, width: Int = 320, quality: Int = 3, timeBudget: Double? = 60, detailLongSide: Int? = nil) throws(MediaError) {
        precondition(width >= 16 && width % 2 == 0, "ThumbnailExtractor: width must be even and at least 16")
        vm_quiet_logs()
        self.path = path
        self.width = width
        self.quality = quality
        self.detailLongSide = detailLongSide
        input = try FormatInput(path: path, deadline: Deadline(seconds: timeBudget))
        self.timeBudget = timeBudget
        videoIndex = input.bestStream(AVMEDIA_TYPE_VIDEO)
        guard let stream = input.stream(videoIndex),
              let video = MediaDecoder.describe(input, path: path, video: videoIndex, audio: -1).video else {
            throw MediaError(.noStreams, path: path, reason: "no picture to show")
        }
        info = video
        decoder = try StreamDecoder(stream: stream, threads: 1, skipNonReference: false, path: path)
        startTime = input.startTime
    }

    /// The picture shown at `time` seconds from the start of the file (as `MediaDecoder` counts
    /// time); past the end, the last picture.
    package func jpeg(at time: Double) throws(MediaError) -> [UInt8] {
        try picture(at: time).jpeg
    }

    /// The picture at `time` as JPEG bytes and as its luma plane (`width` × `height`, rows
    /// contiguous), upright: what the report shows and what its distances are measured on.
    /// `detail` (with `detailLongSide` set): the same decoded frame also as a gray detail
    /// picture, scaled and turned as `MediaDecoder` does for keypoints; nil if it cannot be made.
    package func picture(at time: Double, detail: Bool = false) throws(MediaError)
        -> (jpeg: [UInt8], luma: [UInt8], width: Int, height: Int, detail: DetailPicture?) {
        let frame = try decodeFrame(at: max(0, time))
        let detailPicture = detail ? detailLongSide.flatMap { self.detail(of: frame, longSide: $0) } : nil
        let picture = try scaledUpright(frame)
        let f = picture.pointer.pointee
        let w = Int(f.width), h = Int(f.height), stride = Int(f.linesize.0)
        var luma = [UInt8](repeating: 0, count: w * h)
        if let plane = f.data.0 {
            luma.withUnsafeMutableBufferPointer { out in
                for y in 0 ..< h { (out.baseAddress! + y * w).update(from: plane + y * stride, count: w) }
            }
        }
        let encoder = try MJPEGEncoder(width: w, height: h, quality: quality, path: path)
        return (try encoder.encode(picture, packet: packet), luma, w, h, detailPicture)
    }

    /// `frame` gray, its long side `longSide`, upright: `MediaDecoder`'s detail picture.
    private func detail(of frame: Frame, longSide: Int) -> DetailPicture? {
        let f = frame.pointer.pointee
        guard f.width > 0, f.height > 0 else { return nil }
        let upright = info.rotation % 180 == 0
        let size = DetailOutput(framesPerSecond: 1, longSide: longSide)
            .size(width: Int(upright ? f.width : f.height), height: Int(upright ? f.height : f.width))
        let (w, h) = upright ? (size.width, size.height) : (size.height, size.width)
        guard w > 0, h > 0, let gray = detailScaler.scale(frame.pointer, width: w, height: h, layout: .gray8) else { return nil }
        let picture = uprightImage(gray, width: w, height: h, bytesPerPixel: 1, clockwise: info.rotation, mirror: info.mirrored)
        return DetailPicture(width: picture.width, height: picture.height, pixels: picture.pixels)
    }

    private func decodeFrame(at time: Double) throws(MediaError) -> Frame {
        let target = Int64(((time + startTime) / av_q2d(decoder.timeBase)).rounded(.down))
        var sought = avformat_seek_file(input.pointer, videoIndex, Int64.min, target, target, 0)
        if sought < 0 { sought = av_seek_frame(input.pointer, videoIndex, target, AVSEEK_FLAG_BACKWARD) }
        if sought < 0 { throw MediaError(.decode, path: path, reason: ffmpegErrorText(sought), function: "avformat_seek_file") }
        decoder.flush()
        input.deadline.reset(seconds: timeBudget)

        // Half a frame's tolerance: timestamps of the wanted frame may round to just below `time`.
        let tolerance = 0.5 / (info.frameRate ?? 30)
        let current = Frame(), previous = Frame()
        var havePrevious = false
        var lastError: Int32 = 0
        var lastTime = -Double.infinity
        var flushed = false
        while true {
            if input.deadline.expired {
                throw MediaError(.timeout, path: path, reason: "cutting a picture took longer than the time budget")
            }
            if !flushed {
                let read = av_read_frame(input.pointer, packet.pointer)
                if read < 0 {
                    flushed = true
                    _ = decoder.send(nil)
                } else {
                    defer { av_packet_unref(packet.pointer) }
                    guard packet.pointer.pointee.stream_index == videoIndex else { continue }
                    let sent = decoder.send(packet.pointer)
                    if sent < 0 && sent != vm_averror_eagain() { lastError = sent }
                }
            }
            receiving: while true {
                switch decoder.receive(into: current) {
                case .needsInput: break receiving
                case .endOfStream:
                    if havePrevious { return previous }
                    let reason = lastError != 0 ? ffmpegErrorText(lastError) : "no picture at \(time) s"
                    throw MediaError(.decode, path: path, reason: reason, function: lastError != 0 ? "avcodec_receive_frame" : nil)
                case .failed(let code):
                    lastError = code
                    if flushed {
                        if havePrevious { return previous }
                        throw MediaError(.decode, path: path, reason: ffmpegErrorText(code), function: "avcodec_receive_frame")
                    }
                    break receiving
                case .frame:
                    let frameTime = decoder.seconds(current.pointer.pointee.best_effort_timestamp, startTime: startTime)
                        ?? lastTime + 1 / (info.frameRate ?? 30)
                    lastTime = frameTime
                    if frameTime >= time - tolerance { return current }
                    av_frame_unref(previous.pointer)
                    av_frame_move_ref(previous.pointer, current.pointer)
                    havePrevious = true
                }
            }
        }
    }

    /// The frame at `width` wide in YUVJ420P, upright. Sizes are even (4:2:0 chroma).
    private func scaledUpright(_ frame: Frame) throws(MediaError) -> Frame {
        let f = frame.pointer.pointee
        guard f.width > 0, f.height > 0 else { throw MediaError(.decode, path: path, reason: "a picture without size") }
        let sar = f.sample_aspect_ratio.num > 0 && f.sample_aspect_ratio.den > 0 ? av_q2d(f.sample_aspect_ratio) : 1
        let displayWidth = Double(f.width) * sar, displayHeight = Double(f.height)
        let sideways = info.rotation % 180 != 0
        let aspect = sideways ? displayWidth / displayHeight : displayHeight / displayWidth
        let height = max(2, Int((Double(width) * aspect / 2).rounded()) * 2)
        let scaledWidth = sideways ? height : width, scaledHeight = sideways ? width : height

        let scaler = try ScaleContext(width: f.width, height: f.height, format: AVPixelFormat(rawValue: f.format),
                                      toWidth: Int32(scaledWidth), toHeight: Int32(scaledHeight), toFormat: AV_PIX_FMT_YUVJ420P,
                                      flags: SWS_BICUBIC, path: path)
        let scaled = try Frame.picture(width: scaledWidth, height: scaledHeight, path: path)
        let scaledRows = scaler.scale(frame, into: scaled)
        if scaledRows < 0 {
            throw MediaError(.codec, path: "", reason: ffmpegErrorText(scaledRows), function: "sws_scale_frame")
        }
        guard info.rotation != 0 || info.mirrored else { return scaled }

        let upright = try Frame.picture(width: width, height: height, path: path)
        for plane in 0 ..< 3 {
            let w = plane == 0 ? scaledWidth : scaledWidth / 2, h = plane == 0 ? scaledHeight : scaledHeight / 2
            let source = scaled.plane(plane)
            var packed = [UInt8](repeating: 0, count: w * h)
            for row in 0 ..< h {
                for x in 0 ..< w { packed[row * w + x] = source.base[row * source.stride + x] }
            }
            let turned = uprightImage(packed, width: w, height: h, bytesPerPixel: 1, clockwise: info.rotation, mirror: info.mirrored)
            let target = upright.plane(plane)
            for row in 0 ..< turned.height {
                for x in 0 ..< turned.width { target.base[row * target.stride + x] = turned.pixels[row * turned.width + x] }
            }
        }
        return upright
    }
}

extension Frame {
    /// A frame with its own buffers, for a picture of this size in YUVJ420P.
    static func picture(width: Int, height: Int, path: String) throws(MediaError) -> Frame {
        let frame = Frame()
        frame.pointer.pointee.width = Int32(width)
        frame.pointer.pointee.height = Int32(height)
        frame.pointer.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        frame.pointer.pointee.color_range = AVCOL_RANGE_JPEG
        let allocated = av_frame_get_buffer(frame.pointer, 0)
        if allocated < 0 {
            throw MediaError(.codec, path: path, reason: ffmpegErrorText(allocated), function: "av_frame_get_buffer")
        }
        return frame
    }

    /// Plane 0, 1 or 2 of a planar picture: its first byte and row stride.
    func plane(_ index: Int) -> (base: UnsafeMutablePointer<UInt8>, stride: Int) {
        let f = pointer.pointee
        switch index {
        case 0: return (f.data.0!, Int(f.linesize.0))
        case 1: return (f.data.1!, Int(f.linesize.1))
        default: return (f.data.2!, Int(f.linesize.2))
        }
    }
}

/// FFmpeg's MJPEG encoder, opened for one picture size.
final class MJPEGEncoder {
    private let codec: CodecContext
    private let path: String

    init(width: Int, height: Int, quality: Int, path: String) throws(MediaError) {
        self.path = path
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError(.codec, path: path, reason: "this FFmpeg has no MJPEG encoder", function: "avcodec_find_encoder")
        }
        codec = try CodecContext(codec: encoder, path: path) { context in
            context.pointee.width = Int32(width)
            context.pointee.height = Int32(height)
            context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
            context.pointee.color_range = AVCOL_RANGE_JPEG
            context.pointee.time_base = AVRational(num: 1, den: 25)
            // A fixed quantiser: every picture in a report looks alike, whatever its content.
            context.pointee.flags |= AV_CODEC_FLAG_QSCALE
            context.pointee.global_quality = Int32(max(2, min(31, quality))) * FF_QP2LAMBDA
        }
    }

    func encode(_ picture: Frame, packet: Packet) throws(MediaError) -> [UInt8] {
        picture.pointer.pointee.pts = 0
        picture.pointer.pointee.quality = codec.globalQuality
        var code = codec.send(picture: picture)
        if code >= 0 { code = codec.send(picture: nil) }
        if code < 0 { throw MediaError(.codec, path: path, reason: ffmpegErrorText(code), function: "avcodec_send_frame") }
        var bytes: [UInt8] = []
        while true {
            let received = codec.receive(into: packet)
            if received == vm_averror_eof() || received == vm_averror_eagain() { break }
            if received < 0 { throw MediaError(.codec, path: path, reason: ffmpegErrorText(received), function: "avcodec_receive_packet") }
            let p = packet.pointer.pointee
            if let data = p.data, p.size > 0 { bytes += UnsafeBufferPointer(start: data, count: Int(p.size)) }
            av_packet_unref(packet.pointer)
        }
        guard !bytes.isEmpty else { throw MediaError(.codec, path: path, reason: "the encoder gave no picture", function: "avcodec_receive_packet") }
        return bytes
    }
}

extension ThumbnailExtractor {
    /// A gray picture (`width` × `height`, rows contiguous; sizes rounded down to even) as JPEG
    /// bytes, through FFmpeg's MJPEG encoder: how the report draws spectrograms. `path` names
    /// the file the picture is of, for errors.
    /// `marks`: points (x, y) drawn as small red squares over the picture.
    package static func jpeg(gray pixels: [UInt8], width: Int, height: Int, marks: [(x: Int, y: Int)] = [],
                             quality: Int = 3, path: String) throws(MediaError) -> [UInt8] {
        let w = width & ~1, h = height & ~1
        guard w >= 2, h >= 2, pixels.count >= width * height else {
            throw MediaError(.decode, path: path, reason: "a picture without size")
        }
        let frame = try Frame.picture(width: w, height: h, path: path)
        let y = frame.plane(0)
        for row in 0 ..< h {
            pixels.withUnsafeBufferPointer { (y.base + row * y.stride).update(from: $0.baseAddress! + row * width, count: w) }
        }
        for index in 1 ... 2 {
            let p = frame.plane(index)
            for row in 0 ..< h / 2 { (p.base + row * p.stride).update(repeating: 128, count: w / 2) }
        }
        // Red in full-range YCbCr: Y 76, Cb 85, Cr 255; a 6 × 6 square per mark (3 × 3 in chroma).
        let (u, v) = (frame.plane(1), frame.plane(2))
        for mark in marks {
            for cy in (mark.y / 2 - 1) ... (mark.y / 2 + 1) where cy >= 0 && cy < h / 2 {
                for cx in (mark.x / 2 - 1) ... (mark.x / 2 + 1) where cx >= 0 && cx < w / 2 {
                    u.base[cy * u.stride + cx] = 85
                    v.base[cy * v.stride + cx] = 255
                    for dy in 0 ... 1 { for dx in 0 ... 1 { y.base[(2 * cy + dy) * y.stride + 2 * cx + dx] = 76 } }
                }
            }
        }
        let encoder = try MJPEGEncoder(width: w, height: h, quality: quality, path: path)
        return try encoder.encode(frame, packet: Packet())
    }
}
