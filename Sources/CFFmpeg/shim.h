// What Swift cannot import from FFmpeg: function-like macros, compound constants and calls that
// take AVFrame's fixed-size pointer arrays. Each is a static inline wrapper; nothing else lives here.
#ifndef VMATCH_CFFMPEG_SHIM_H
#define VMATCH_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>

static inline int vm_averror(int e) { return AVERROR(e); }
static inline int vm_averror_eof(void) { return AVERROR_EOF; }
static inline int vm_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t vm_nopts(void) { return AV_NOPTS_VALUE; }

/// Writes FFmpeg's text for an error code into buf.
static inline void vm_strerror(int code, char *buf, size_t size) { av_strerror(code, buf, size); }

/// Mono layout, for swresample's output.
static inline void vm_layout_mono(AVChannelLayout *layout) {
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    *layout = mono;
}

/// sws_scale from a decoded frame into one destination plane.
static inline int vm_sws_scale_frame_to(struct SwsContext *ctx, const AVFrame *src,
                                         uint8_t *dst, int dst_stride) {
    uint8_t *planes[4] = { dst, NULL, NULL, NULL };
    int strides[4] = { dst_stride, 0, 0, 0 };
    return sws_scale(ctx, (const uint8_t * const *)src->data, src->linesize, 0, src->height,
                     planes, strides);
}

/// sws_scale of a frame's first plane alone (the luma of planar YUV, read as GRAY8).
static inline int vm_sws_scale_plane0_to(struct SwsContext *ctx, const AVFrame *src,
                                         uint8_t *dst, int dst_stride) {
    const uint8_t *planes[4] = { src->data[0], NULL, NULL, NULL };
    int src_strides[4] = { src->linesize[0], 0, 0, 0 };
    uint8_t *dst_planes[4] = { dst, NULL, NULL, NULL };
    int dst_strides[4] = { dst_stride, 0, 0, 0 };
    return sws_scale(ctx, planes, src_strides, 0, src->height, dst_planes, dst_strides);
}

/// swr_convert from a decoded frame's planes into an interleaved (here mono float) buffer.
static inline int vm_swr_convert_frame_to(struct SwrContext *ctx, const AVFrame *src,
                                          uint8_t *dst, int dst_capacity) {
    uint8_t *out[1] = { dst };
    const uint8_t **in = src ? (const uint8_t **)src->extended_data : NULL;
    int n = src ? src->nb_samples : 0;
    return swr_convert(ctx, out, dst_capacity, in, n);
}

/// The rotation in degrees (counter-clockwise, as av_display_rotation_get reports it) of a
/// stream's display matrix side data, or NAN when it has none.
static inline double vm_stream_rotation(const AVStream *st) {
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t)) return NAN;
    return av_display_rotation_get((const int32_t *)m);
}

/// Whether the display matrix also mirrors the picture (negative determinant).
static inline int vm_stream_display_flipped(const AVStream *st) {
    size_t size = 0;
    const int32_t *m = (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t)) return 0;
    double det = (double)m[0] * m[4] - (double)m[1] * m[3];
    return det < 0;
}

/// Silences FFmpeg's own logging (errors are reported through return codes).
static inline void vm_quiet_logs(void) { av_log_set_level(AV_LOG_QUIET); }
#endif
