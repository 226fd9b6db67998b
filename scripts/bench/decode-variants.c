// decode-variants: one decode pass the way vmatch's Media module makes it (demux once; video
// through avcodec_send_packet/receive_frame, frames picked by presentation time as FrameSampler
// picks them, the luma plane of each picked frame scaled to SIDE x SIDE gray with SWS_AREA and
// range-expanded; audio decoded and resampled to 8 kHz mono float), with the decoder settings
// vmatch does not expose made into flags: thread_type and skip_frame. For measurements only
// (scripts/bench/threading, scripts/bench/keyframes); not part of the product.
//
// Build: cc -O2 -o decode-variants decode-variants.c $(pkg-config --cflags --libs libavformat
//        libavcodec libswscale libswresample libavutil)
// Usage: decode-variants [-t THREADS] [-T frame|slice|auto] [-s default|nonref|bidir|nonintra|nonkey]
//                        [-r FPS] [-S SIDE] [-n] [-p] FILE
//   -t  thread_count (0: FFmpeg chooses; default 1)      -T  thread_type (auto: FFmpeg's default, frame|slice)
//   -s  skip_frame (default: decode everything)           -r  sampling rate, frames/s (0: every frame; default 0)
//   -S  side of the gray output (default 64)              -n  no audio
//   -p  print the presentation time (s) of every decoded video frame, one per line, on stdout
// Prints one summary line on stderr: decoded and sampled video frames, audio samples out.
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int threads = 1, thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE, side = 64, audio_on = 1, print_times = 0;
static enum AVDiscard skip = AVDISCARD_DEFAULT;
static double fps = 0;

static void die(const char *what, int code) {
    char text[256] = "";
    if (code) av_strerror(code, text, sizeof text);
    fprintf(stderr, "decode-variants: %s %s\n", what, text);
    exit(2);
}

static AVCodecContext *open_decoder(AVStream *st, int is_video) {
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) die("no decoder", 0);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    int r = avcodec_parameters_to_context(c, st->codecpar);
    if (r < 0) die("avcodec_parameters_to_context", r);
    c->pkt_timebase = st->time_base;
    c->thread_count = threads;
    if (is_video) {
        c->thread_type = thread_type;
        c->skip_frame = skip;
    }
    if ((r = avcodec_open2(c, codec, NULL)) < 0) die("avcodec_open2", r);
    return c;
}

// FrameSampler (Sources/Media/MediaValues.swift): the first frame at or after each instant k / fps.
static double next_instant = -INFINITY;
static int sampler_accept(double t) {
    if (fps <= 0) return 1;
    const double eps = 1e-6;
    if (t < next_instant - eps) return 0;
    next_instant = (floor(t * fps + eps) + 1) / fps;
    return 1;
}

int main(int argc, char **argv) {
    int opt;
    while ((opt = getopt(argc, argv, "t:T:s:r:S:np")) != -1) {
        switch (opt) {
        case 't': threads = atoi(optarg); break;
        case 'T': thread_type = !strcmp(optarg, "frame") ? FF_THREAD_FRAME
                              : !strcmp(optarg, "slice") ? FF_THREAD_SLICE : FF_THREAD_FRAME | FF_THREAD_SLICE; break;
        case 's': skip = !strcmp(optarg, "nonref") ? AVDISCARD_NONREF : !strcmp(optarg, "bidir") ? AVDISCARD_BIDIR
                       : !strcmp(optarg, "nonintra") ? AVDISCARD_NONINTRA : !strcmp(optarg, "nonkey") ? AVDISCARD_NONKEY
                       : AVDISCARD_DEFAULT; break;
        case 'r': fps = atof(optarg); break;
        case 'S': side = atoi(optarg); break;
        case 'n': audio_on = 0; break;
        case 'p': print_times = 1; break;
        default: fprintf(stderr, "usage: see the comment at the top of decode-variants.c\n"); return 64;
        }
    }
    if (optind >= argc) { fprintf(stderr, "decode-variants: no file\n"); return 64; }
    av_log_set_level(AV_LOG_QUIET);
    AVFormatContext *fmt = NULL;
    int r = avformat_open_input(&fmt, argv[optind], NULL, NULL);
    if (r < 0) die("avformat_open_input", r);
    if ((r = avformat_find_stream_info(fmt, NULL)) < 0) die("avformat_find_stream_info", r);
    int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    int ai = audio_on ? av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0) : -1;
    if (vi < 0) die("no video stream", 0);
    AVCodecContext *vc = open_decoder(fmt->streams[vi], 1);
    AVCodecContext *ac = ai >= 0 ? open_decoder(fmt->streams[ai], 0) : NULL;
    double start = fmt->start_time == AV_NOPTS_VALUE ? 0 : (double)fmt->start_time / AV_TIME_BASE;
    double vtb = av_q2d(fmt->streams[vi]->time_base);

    struct SwsContext *sws = NULL;
    uint8_t *gray = av_malloc((size_t)((side + 63) & ~63) * side + 64);
    uint8_t expand[256];
    for (int i = 0; i < 256; i++) { int v = ((i - 16) * 255 + 109) / 219; expand[i] = v < 0 ? 0 : v > 255 ? 255 : v; }
    SwrContext *swr = NULL;
    float *pcm = NULL; int pcm_cap = 0;
    long decoded = 0, sampled = 0, samples_out = 0;
    double last_time = -1;

    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int eof = 0;
    while (!eof) {
        AVPacket *send = pkt;
        if (av_read_frame(fmt, pkt) < 0) { eof = 1; send = NULL; }
        for (int pass = 0; pass < 2; pass++) {  // pass 0 video, pass 1 audio (flush both at eof)
            AVCodecContext *c = pass == 0 ? vc : ac;
            int index = pass == 0 ? vi : ai;
            if (!c || (send && send->stream_index != index)) continue;
            avcodec_send_packet(c, send);
            while (avcodec_receive_frame(c, frame) >= 0) {
                if (pass == 0) {
                    decoded++;
                    int64_t pts = frame->best_effort_timestamp;
                    double t = pts == AV_NOPTS_VALUE ? last_time + 1.0 / 30 : pts * vtb - start;
                    if (t < 0) t = 0;
                    last_time = t;
                    if (print_times) printf("%.6f %c\n", t, av_get_picture_type_char(frame->pict_type));
                    if (side > 0 && sampler_accept(t)) {
                        sampled++;
                        int stride = (side + 63) & ~63;
                        sws = sws_getCachedContext(sws, frame->width, frame->height, AV_PIX_FMT_GRAY8,
                                                   side, side, AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
                        const uint8_t *src[4] = { frame->data[0] };
                        int src_stride[4] = { frame->linesize[0] };
                        uint8_t *dst[4] = { gray };
                        int dst_stride[4] = { stride };
                        sws_scale(sws, src, src_stride, 0, frame->height, dst, dst_stride);
                        for (int y = 0; y < side; y++)
                            for (int x = 0; x < side; x++) gray[y * stride + x] = expand[gray[y * stride + x]];
                    }
                } else {
                    if (!swr) {
                        AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
                        if (swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, 8000, &frame->ch_layout,
                                                frame->format, frame->sample_rate, 0, NULL) < 0 || swr_init(swr) < 0)
                            die("swresample", 0);
                    }
                    int cap = swr_get_out_samples(swr, frame->nb_samples) + 32;
                    if (cap > pcm_cap) { pcm = realloc(pcm, sizeof(float) * cap); pcm_cap = cap; }
                    uint8_t *out[1] = { (uint8_t *)pcm };
                    int n = swr_convert(swr, out, cap, (const uint8_t **)frame->extended_data, frame->nb_samples);
                    if (n > 0) samples_out += n;
                }
                av_frame_unref(frame);
            }
        }
        if (send) av_packet_unref(pkt);
    }
    fprintf(stderr, "decoded %ld sampled %ld samples %ld\n", decoded, sampled, samples_out);
    av_packet_free(&pkt);
    av_frame_free(&frame);
    avcodec_free_context(&vc);
    if (ac) avcodec_free_context(&ac);
    sws_freeContext(sws);
    swr_free(&swr);
    av_free(gray);
    free(pcm);
    avformat_close_input(&fmt);
    return 0;
}
