// swscale behind a class: decoded frames of any pixel format and size → a small 8-bit gray or
// RGB24 image, then turned upright in Swift (cheap at the small sizes fingerprinting uses).
import CFFmpeg

final class Scaler {
    private var context: ScaleContext?
    private var source: (width: Int32, height: Int32, format: Int32) = (0, 0, -1)
    private var scratch: [UInt8] = []
    /// Limited-range luma (16…235) to full range, as swscale's YUV → gray conversion maps it.
    static let expand: [UInt8] = (0 ..< 256).map { UInt8(clamping: (($0 - 16) * 255 + 109) / 219) }

    /// 8-bit planar YUV formats whose first plane is the luma: gray output scales that plane
    /// alone (swscale would otherwise convert the whole picture first, ~0.5 ms a 720p frame).
    private static let lumaFirstFormats: Set<Int32> = [
        AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV440P,
        AV_PIX_FMT_YUV411P, AV_PIX_FMT_YUV410P, AV_PIX_FMT_NV12, AV_PIX_FMT_NV21,
        AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
    private static let fullRangeFormats: Set<Int32> = [
        AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
    private var lumaOnly = false

    /// `expand` of each of `count` bytes in place, 16 at a time: the table's formula in 16-bit
    /// lanes, where a table look-up goes one byte at a time. Values below 16 count as 16 (both
    /// give 0); 255 gives 61054 before the division, which becomes a multiply; results above 255
    /// are 255. The clamps are sign-mask arithmetic, not comparisons: SIMD comparisons build
    /// their masks lane by lane on this target.
    static func expandRange(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) {
        typealias Lanes = SIMD16<Int16>
        var x = 0
        while x + Lanes.scalarCount <= count {
            let raw = UnsafeMutableRawPointer(bytes + x)
            var v = Lanes(truncatingIfNeeded: raw.loadUnaligned(as: SIMD16<UInt8>.self))
            let below = Lanes(repeating: 16) &- v
            v &+= below & ~(below &>> 15)
            var e = Lanes(truncatingIfNeeded: ((SIMD16<UInt16>(truncatingIfNeeded: v) &- 16) &* 255 &+ 109) / 219)
            let above = e &- 255
            e &-= above & ~(above &>> 15)
            raw.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: e), as: SIMD16<UInt8>.self)
            x += Lanes.scalarCount
        }
        while x < count {
            bytes[x] = expand[Int(bytes[x])]
            x += 1
        }
    }

    /// Scales `frame` to `width`×`height` (before rotation) in `layout`, packed rows.
    func scale(_ frame: UnsafeMutablePointer<AVFrame>, width: Int, height: Int, layout: PixelLayout) -> [UInt8]? {
        let f = frame.pointee
        let target = layout == .gray8 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24
        if context == nil || source != (f.width, f.height, f.format) {
            lumaOnly = layout == .gray8 && Self.lumaFirstFormats.contains(f.format)
            let input = lumaOnly ? AV_PIX_FMT_GRAY8 : AVPixelFormat(rawValue: f.format)
            // SWS_AREA averages source pixels: the right filter for strong downscaling.
            context = try? ScaleContext(width: f.width, height: f.height, format: input,
                                        toWidth: Int32(width), toHeight: Int32(height), toFormat: target,
                                        flags: SWS_AREA, path: "")
            source = (f.width, f.height, f.format)
        }
        guard let context else { return nil }
        let rowBytes = width * layout.bytesPerPixel
        // swscale's fast paths want 64-byte aligned destination rows.
        let stride = (rowBytes + 63) & ~63
        if scratch.count < stride * height + 64 { scratch = [UInt8](repeating: 0, count: stride * height + 64) }
        let lines = scratch.withUnsafeMutableBufferPointer { buffer in
            context.scale(frame, firstPlaneOnly: lumaOnly, into: buffer.baseAddress, stride: Int32(stride))
        }
        guard lines > 0 else { return nil }
        // Video luma is usually limited range (16…235): expand it as a YUV → gray conversion does.
        if lumaOnly && f.color_range != AVCOL_RANGE_JPEG && !Self.fullRangeFormats.contains(f.format) {
            scratch.withUnsafeMutableBufferPointer { buffer in
                for row in 0 ..< height { Self.expandRange(buffer.baseAddress! + row * stride, count: rowBytes) }
            }
        }
        if stride == rowBytes { return Array(scratch[0 ..< rowBytes * height]) }
        var packed = [UInt8](repeating: 0, count: rowBytes * height)
        for row in 0 ..< height {
            packed[row * rowBytes ..< (row + 1) * rowBytes] = scratch[row * stride ..< row * stride + rowBytes]
        }
        return packed
    }
}

/// Turns a packed image upright: `degrees` clockwise (0, 90, 180, 270), then mirrored if asked.
func uprightImage(_ pixels: [UInt8], width: Int, height: Int, bytesPerPixel bpp: Int,
                  clockwise degrees: Int, mirror: Bool) -> (pixels: [UInt8], width: Int, height: Int) {
    if degrees == 0 && !mirror { return (pixels, width, height) }
    let outWidth = degrees % 180 == 0 ? width : height
    let outHeight = degrees % 180 == 0 ? height : width
    var out = [UInt8](repeating: 0, count: pixels.count)
    pixels.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0 ..< outHeight {
                for x in 0 ..< outWidth {
                    let ox = mirror ? outWidth - 1 - x : x
                    // (sx, sy): the source pixel that lands at (x, y) after rotating clockwise.
                    let sx: Int, sy: Int
                    switch degrees {
                    case 90: sx = y; sy = height - 1 - ox
                    case 180: sx = width - 1 - ox; sy = height - 1 - y
                    case 270: sx = width - 1 - y; sy = ox
                    default: sx = ox; sy = y
                    }
                    let s = (sy * width + sx) * bpp, d = (y * outWidth + x) * bpp
                    for c in 0 ..< bpp { dst[d + c] = src[s + c] }
                }
            }
        }
    }
    return (out, outWidth, outHeight)
}
