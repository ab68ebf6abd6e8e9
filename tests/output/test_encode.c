/*
 * test_encode.c — the encoder (src/output/encode.c): videos and stills are
 * read back with libavformat/libavcodec (not the ffmpeg CLI) and checked
 * for codec, profile, size, rate, exact frame count, colours, metadata and
 * the +faststart layout; atomic writes (through base/atomic, tested on its
 * own in tests/base/test_atomic.c) and the error messages are checked
 * against the file system.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "base/atomic.h"
#include "output/encode.h"
#include "testutil.h"

#ifndef GD_VERSION
#define GD_VERSION "0.1.0"
#endif

#define NFRAMES 37

/* a colour off every axis: a wrong YUV matrix shifts it visibly */
#define SKY_R 40
#define SKY_G 160
#define SKY_B 220

static const char config_text[] = "[video]\n"
                                  "width = 64 ; a comment\n"
                                  "title = Gradient descent \xe6\xa2\xaf\xe5\xba\xa6\n"
                                  "\n"
                                  "[model]\n"
                                  "params = a, b\n"
                                  "formula = sin(b*cos(a*x))\n";

static EncoderOptions make_options(int w, int h) {
    EncoderOptions o = {0};
    o.width = w;
    o.height = h;
    o.fps = 30;
    o.crf = 18;
    o.preset = "ultrafast";
    o.version = GD_VERSION;
    o.config_text = config_text;
    o.title = "Learning rate 0.1";
    o.threads = 1;
    return o;
}

/* Frame i: solid red first, a solid sky blue last, and in between a
 * gradient with a square that moves, so that every frame differs. */
static void fill_frame(uint8_t *rgb, int w, int h, int stride, int i, int n) {
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + (size_t)y * (size_t)stride + (size_t)x * 3;
            if (i == 0) {
                p[0] = 255, p[1] = 0, p[2] = 0;
            } else if (i == n - 1) {
                p[0] = SKY_R, p[1] = SKY_G, p[2] = SKY_B;
            } else {
                int in_square = x >= i && x < i + 8 && y >= 4 && y < 12;
                p[0] = (uint8_t)(x * 255 / w);
                p[1] = in_square ? 255 : (uint8_t)(y * 255 / h);
                p[2] = (uint8_t)(i * 6);
            }
        }
}

/* Grey noise in 2x2 blocks, different in every frame i: yuv420p holds it
 * exactly (no chroma), so only a lossy encoder changes it. */
static int grey_noise(int x, int y, int i) {
    uint32_t h =
        (uint32_t)(x / 2) * 73856093u ^ (uint32_t)(y / 2) * 19349663u ^ (uint32_t)i * 83492791u;
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    return (int)((h ^ h >> 15) & 255u);
}

static void fill_noise(uint8_t *rgb, int w, int h, int stride, int i) {
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + (size_t)y * (size_t)stride + (size_t)x * 3;
            p[0] = p[1] = p[2] = (uint8_t)grey_noise(x, y, i);
        }
}

/* Writes n frames of w x h to path at crf (noise: grey_noise frames, else
 * fill_frame's); returns encoder_finish's status. */
static int write_video_at(const char *path, int w, int h, int n, int crf, int noise, int fps,
                          GdError *err) {
    EncoderOptions o = make_options(w, h);
    o.crf = crf;
    o.fps = fps;
    Encoder *enc = encoder_open(path, &o, err);
    if (enc == NULL)
        return err->code;
    int stride = w * 3 + 5; /* a padded stride, as a renderer may use */
    uint8_t *rgb = calloc((size_t)stride * (size_t)h, 1);
    assert_non_null(rgb);
    for (int i = 0; i < n; i++) {
        if (noise)
            fill_noise(rgb, w, h, stride, i);
        else
            fill_frame(rgb, w, h, stride, i, n);
        if (encoder_write_frame(enc, rgb, stride, err) != 0) {
            free(rgb);
            encoder_abort(enc);
            return err->code;
        }
    }
    free(rgb);
    return encoder_finish(enc, err);
}

static int write_video_crf(const char *path, int w, int h, int n, int crf, int noise,
                           GdError *err) {
    return write_video_at(path, w, h, n, crf, noise, 30, err);
}

static int write_video(const char *path, int w, int h, int n, GdError *err) {
    return write_video_crf(path, w, h, n, 18, 0, err);
}

typedef struct VideoInfo {
    enum AVCodecID codec_id;
    int pix_fmt, profile, width, height, color_space;
    AVRational avg_frame_rate;
    int frames;
    int first_rgb[3], last_rgb[3]; /* mean colours, converted by the test */
    double noise_err; /* largest difference from grey_noise, over every pixel and frame */
    char comment[1024], encoder[256], title[256], version[64];
} VideoInfo;

static void copy_tag(AVDictionary *md, const char *key, char *dst, size_t size) {
    AVDictionaryEntry *e = av_dict_get(md, key, NULL, 0);
    snprintf(dst, size, "%s", e ? e->value : "");
}

/* One pixel as RGB. YUV is converted here with the BT.709 limited-range
 * equations, independently of libswscale. */
static void pixel_rgb(const AVFrame *f, int x, int y, double out[3]) {
    switch (f->format) {
    case AV_PIX_FMT_YUV420P: {
        double Y = f->data[0][y * f->linesize[0] + x];
        double U = f->data[1][(y / 2) * f->linesize[1] + x / 2] - 128.0;
        double V = f->data[2][(y / 2) * f->linesize[2] + x / 2] - 128.0;
        double yy = (Y - 16.0) * 255.0 / 219.0;
        double k = 255.0 / 224.0;
        out[0] = yy + k * 1.5748 * V;
        out[1] = yy - k * (0.1873 * U + 0.4681 * V);
        out[2] = yy + k * 1.8556 * U;
        break;
    }
    case AV_PIX_FMT_PAL8: {
        uint32_t c = ((const uint32_t *)f->data[1])[f->data[0][y * f->linesize[0] + x]];
        out[0] = c >> 16 & 255, out[1] = c >> 8 & 255, out[2] = c & 255;
        break;
    }
    case AV_PIX_FMT_BGRA: {
        const uint8_t *p = f->data[0] + y * f->linesize[0] + x * 4;
        out[0] = p[2], out[1] = p[1], out[2] = p[0];
        break;
    }
    default:
        fail_msg("unexpected decoded pixel format %d", f->format);
    }
}

/* The frame's mean colour, rounded and clamped to 0..255. For a solid
 * colour that is the colour itself (averaged over GIF dithering). */
static void mean_rgb(const AVFrame *f, int out[3]) {
    double sum[3] = {0, 0, 0}, px[3] = {0, 0, 0};
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            pixel_rgb(f, x, y, px);
            for (int c = 0; c < 3; c++)
                sum[c] += px[c];
        }
    for (int c = 0; c < 3; c++) {
        double m = sum[c] / ((double)f->width * f->height);
        out[c] = m < 0 ? 0 : m > 255 ? 255 : (int)(m + 0.5);
    }
}

static void assert_rgb_near(const int got[3], int r, int g, int b, int tol) {
    const int want[3] = {r, g, b};
    for (int c = 0; c < 3; c++)
        if (abs(got[c] - want[c]) > tol)
            fail_msg("colour %d,%d,%d is not within %d of %d,%d,%d", got[0], got[1], got[2], tol, r,
                     g, b);
}

/* The largest difference of frame i from grey_noise's frame i. */
static double noise_error(const AVFrame *f, int i) {
    double e = 0, px[3];
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            pixel_rgb(f, x, y, px);
            for (int c = 0; c < 3; c++)
                e = fmax(e, fabs(px[c] - grey_noise(x, y, i)));
        }
    return e;
}

/* Opens path with libavformat, decodes every packet of its video stream
 * and fills info. */
static void read_video(const char *path, VideoInfo *info) {
    memset(info, 0, sizeof *info);
    AVFormatContext *fmt = NULL;
    assert_int_equal(avformat_open_input(&fmt, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fmt, NULL) >= 0);
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    assert_true(si >= 0);
    AVStream *st = fmt->streams[si];
    info->codec_id = st->codecpar->codec_id;
    info->pix_fmt = st->codecpar->format;
    info->profile = st->codecpar->profile;
    info->width = st->codecpar->width;
    info->height = st->codecpar->height;
    info->color_space = st->codecpar->color_space;
    info->avg_frame_rate = st->avg_frame_rate;
    copy_tag(fmt->metadata, "comment", info->comment, sizeof info->comment);
    copy_tag(fmt->metadata, "encoder", info->encoder, sizeof info->encoder);
    copy_tag(fmt->metadata, "title", info->title, sizeof info->title);
    copy_tag(fmt->metadata, "gdrender_version", info->version, sizeof info->version);

    const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
    assert_non_null(dec);
    AVCodecContext *ctx = avcodec_alloc_context3(dec);
    assert_non_null(ctx);
    assert_true(avcodec_parameters_to_context(ctx, st->codecpar) >= 0);
    ctx->thread_count = 1;
    assert_int_equal(avcodec_open2(ctx, dec, NULL), 0);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    assert_non_null(pkt);
    assert_non_null(frame);
    int eof = 0;
    while (!eof) {
        int ret = av_read_frame(fmt, pkt);
        if (ret < 0) {
            eof = 1;
            assert_int_equal(avcodec_send_packet(ctx, NULL), 0);
        } else {
            if (pkt->stream_index == si)
                assert_int_equal(avcodec_send_packet(ctx, pkt), 0);
            av_packet_unref(pkt);
        }
        while ((ret = avcodec_receive_frame(ctx, frame)) >= 0) {
            assert_int_equal(frame->width, info->width);
            assert_int_equal(frame->height, info->height);
            mean_rgb(frame, info->frames == 0 ? info->first_rgb : info->last_rgb);
            info->noise_err = fmax(info->noise_err, noise_error(frame, info->frames));
            info->frames++;
            av_frame_unref(frame);
        }
        assert_true(ret == AVERROR(EAGAIN) || ret == AVERROR_EOF);
    }
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    avformat_close_input(&fmt);
}

/* Offsets of the top-level MP4 boxes "moov" and "mdat" (-1 if absent),
 * found by walking the size+type headers. */
static void find_boxes(const uint8_t *b, size_t len, long *moov, long *mdat) {
    *moov = *mdat = -1;
    size_t off = 0;
    while (off + 8 <= len) {
        uint64_t size = (uint64_t)b[off] << 24 | (uint64_t)b[off + 1] << 16 |
                        (uint64_t)b[off + 2] << 8 | b[off + 3];
        if (size == 1) {
            assert_true(off + 16 <= len);
            size = 0;
            for (int i = 8; i < 16; i++)
                size = size << 8 | b[off + i];
        } else if (size == 0) {
            size = len - off; /* the box runs to the end of the file */
        }
        assert_true(size >= 8);
        if (memcmp(b + off + 4, "moov", 4) == 0)
            *moov = (long)off;
        if (memcmp(b + off + 4, "mdat", 4) == 0)
            *mdat = (long)off;
        off += size;
    }
    assert_int_equal(off, len); /* the boxes tile the file exactly */
}

/* ---- tests -------------------------------------------------------------- */

static void test_mp4_roundtrip(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "out.mp4");
    GdError err = {0};
    assert_int_equal(write_video(path, 64, 48, NFRAMES, &err), 0);
    assert_int_equal(tu_count_entries(dir), 1); /* no temporary file left */
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    /* created like any new file (umask applies), not mkstemp's 0600 */
    mode_t mask = umask(022);
    umask(mask);
    assert_int_equal(sb.st_mode & 0777, 0666 & ~mask);

    VideoInfo v;
    read_video(path, &v);
    assert_int_equal(v.codec_id, AV_CODEC_ID_H264);
    assert_int_equal(v.pix_fmt, AV_PIX_FMT_YUV420P);
    assert_int_equal(v.profile, FF_PROFILE_H264_HIGH);
    assert_int_equal(v.width, 64);
    assert_int_equal(v.height, 48);
    assert_int_equal(v.color_space, AVCOL_SPC_BT709);
    assert_int_equal(v.avg_frame_rate.num, 30);
    assert_int_equal(v.avg_frame_rate.den, 1);
    assert_int_equal(v.frames, NFRAMES);
    /* solid colours come back (within yuv420p and crf 18 tolerance) */
    assert_true(v.first_rgb[0] > 200 && v.first_rgb[1] < 60 && v.first_rgb[2] < 60);
    assert_rgb_near(v.first_rgb, 255, 0, 0, 4);
    assert_rgb_near(v.last_rgb, SKY_R, SKY_G, SKY_B, 4);
    assert_string_equal(v.comment, config_text);
    assert_string_equal(v.title, "Learning rate 0.1");
    const char *want = "gdrender " GD_VERSION " (Lavf";
    assert_memory_equal(v.encoder, want, strlen(want));

    size_t len = 0;
    uint8_t *bytes = (uint8_t *)tu_read_file(path, &len);
    assert_non_null(bytes);
    long moov, mdat;
    find_boxes(bytes, len, &moov, &mdat);
    assert_true(moov > 0 && mdat > 0);
    assert_true(moov < mdat); /* +faststart: the index comes first */
    free(bytes);
    tu_remove_dir(dir);
    free(path);
}

static void test_mp4_size_not_multiple_of_16(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "odd.mp4");
    GdError err = {0};
    assert_int_equal(write_video(path, 160, 90, NFRAMES, &err), 0);
    VideoInfo v;
    read_video(path, &v);
    assert_int_equal(v.width, 160);
    assert_int_equal(v.height, 90);
    assert_int_equal(v.profile, FF_PROFILE_H264_HIGH);
    assert_int_equal(v.frames, NFRAMES);
    assert_rgb_near(v.first_rgb, 255, 0, 0, 4);
    assert_rgb_near(v.last_rgb, SKY_R, SKY_G, SKY_B, 4);
    tu_remove_dir(dir);
    free(path);
}

/* crf 0 is lossless: x264 allows that only in the High 4:4:4 Predictive
 * profile (the High profile refused it, so every crf 0 render failed). */
static void test_mp4_crf0_lossless(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "lossless.mp4");
    GdError err = {0};
    assert_int_equal(write_video_crf(path, 64, 48, 5, 0, 1, &err), 0);
    VideoInfo v;
    read_video(path, &v);
    assert_int_equal(v.codec_id, AV_CODEC_ID_H264);
    assert_int_equal(v.pix_fmt, AV_PIX_FMT_YUV420P);
    assert_int_equal(v.profile, FF_PROFILE_H264_HIGH_444_PREDICTIVE);
    assert_int_equal(v.frames, 5);
    /* Only the limited-range rounding of Y (< 0.6) is left... */
    assert_true(v.noise_err < 1.0);
    /* ...where crf 1 loses much more of the same noise. */
    assert_int_equal(write_video_crf(path, 64, 48, 5, 1, 1, &err), 0);
    read_video(path, &v);
    assert_int_equal(v.profile, FF_PROFILE_H264_HIGH);
    assert_true(v.noise_err > 2.0);
    tu_remove_dir(dir);
    free(path);
}

static void test_gif_roundtrip(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "out.gif");
    GdError err = {0};
    assert_int_equal(write_video(path, 64, 48, NFRAMES, &err), 0);
    VideoInfo v;
    read_video(path, &v);
    assert_int_equal(v.codec_id, AV_CODEC_ID_GIF);
    assert_int_equal(v.width, 64);
    assert_int_equal(v.height, 48);
    assert_int_equal(v.frames, NFRAMES);
    /* pure red is a palette entry: exact; the sky blue is dithered
     * between palette entries and averages out to itself */
    assert_rgb_near(v.first_rgb, 255, 0, 0, 0);
    assert_rgb_near(v.last_rgb, SKY_R, SKY_G, SKY_B, 3);
    /* loops forever: the NETSCAPE2.0 extension with loop count 0 */
    size_t len = 0;
    char *bytes = tu_read_file(path, &len);
    assert_non_null(bytes);
    const char *ext = NULL;
    for (size_t i = 0; i + 15 <= len && !ext; i++)
        if (memcmp(bytes + i, "NETSCAPE2.0", 11) == 0)
            ext = bytes + i;
    assert_non_null(ext);
    assert_memory_equal(ext + 11, "\x03\x01\x00\x00", 4);
    free(bytes);
    tu_remove_dir(dir);
    free(path);
}

/* Above 100 fps two GIF frames would share a hundredth of a second, which
 * the muxer refused (every 240 fps GIF failed): the first of each is kept. */
static void test_gif_above_100_fps(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "fast.gif");
    GdError err = {0};
    assert_int_equal(write_video_at(path, 32, 16, NFRAMES, 18, 0, 240, &err), 0);
    int ticks = 0;
    for (long k = 0, last = -1; k < NFRAMES; k++) {
        long cs = lround(100.0 * k / 240);
        ticks += cs != last;
        last = cs;
    }
    VideoInfo v;
    read_video(path, &v);
    assert_int_equal(v.frames, ticks);
    assert_int_equal(ticks, 16);
    assert_rgb_near(v.first_rgb, 255, 0, 0, 0);
    /* and every frame of a 100 fps one */
    assert_int_equal(write_video_at(path, 32, 16, NFRAMES, 18, 0, 100, &err), 0);
    read_video(path, &v);
    assert_int_equal(v.frames, NFRAMES);
    tu_remove_dir(dir);
    free(path);
}

static void test_webm_roundtrip(void **state) {
    (void)state;
    if (avcodec_find_encoder_by_name("libvpx-vp9") == NULL)
        skip();
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "out.webm");
    GdError err = {0};
    assert_int_equal(write_video(path, 64, 48, NFRAMES, &err), 0);
    VideoInfo v;
    read_video(path, &v);
    assert_int_equal(v.codec_id, AV_CODEC_ID_VP9);
    assert_int_equal(v.pix_fmt, AV_PIX_FMT_YUV420P);
    assert_int_equal(v.width, 64);
    assert_int_equal(v.height, 48);
    assert_int_equal(v.frames, NFRAMES);
    assert_int_equal(v.avg_frame_rate.num, 30);
    assert_int_equal(v.avg_frame_rate.den, 1);
    assert_rgb_near(v.first_rgb, 255, 0, 0, 6);
    assert_rgb_near(v.last_rgb, SKY_R, SKY_G, SKY_B, 6);
    assert_string_equal(v.comment, config_text);
    assert_string_equal(v.version, GD_VERSION);
    tu_remove_dir(dir);
    free(path);
}

static void test_png_exact(void **state) {
    (void)state;
    enum { W = 32, H = 16, STRIDE = W * 3 + 7 };
    uint8_t rgb[STRIDE * H];
    memset(rgb, 0xAB, sizeof rgb); /* padding the encoder must not read */
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = rgb + y * STRIDE + x * 3;
            p[0] = (uint8_t)(x * 8);
            p[1] = (uint8_t)(y * 16);
            p[2] = (uint8_t)((x ^ y) * 7);
        }
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "still.png");
    char *old = tu_write_file(dir, "still.png", "old contents");
    free(old);
    GdError err = {0};
    assert_int_equal(encode_png(path, rgb, W, H, STRIDE, &err), 0);
    assert_int_equal(tu_count_entries(dir), 1);

    size_t len = 0;
    uint8_t *bytes = (uint8_t *)tu_read_file(path, &len);
    assert_non_null(bytes);
    assert_memory_equal(bytes, "\x89PNG\r\n\x1a\n", 8);
    const AVCodec *dec = avcodec_find_decoder(AV_CODEC_ID_PNG);
    AVCodecContext *ctx = avcodec_alloc_context3(dec);
    assert_int_equal(avcodec_open2(ctx, dec, NULL), 0);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    assert_int_equal(av_new_packet(pkt, (int)len), 0);
    memcpy(pkt->data, bytes, len);
    assert_int_equal(avcodec_send_packet(ctx, pkt), 0);
    assert_int_equal(avcodec_receive_frame(ctx, frame), 0);
    assert_int_equal(frame->format, AV_PIX_FMT_RGB24);
    assert_int_equal(frame->width, W);
    assert_int_equal(frame->height, H);
    for (int y = 0; y < H; y++)
        assert_memory_equal(frame->data[0] + y * frame->linesize[0], rgb + y * STRIDE, W * 3);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    free(bytes);
    tu_remove_dir(dir);
    free(path);
}

static void test_abort_keeps_old_file(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "out.mp4", "an older video");
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    Encoder *enc = encoder_open(path, &o, &err);
    assert_non_null(enc);
    uint8_t rgb[64 * 48 * 3];
    for (int i = 0; i < 5; i++) {
        fill_frame(rgb, 64, 48, 64 * 3, i, 5);
        assert_int_equal(encoder_write_frame(enc, rgb, 64 * 3, &err), 0);
    }
    assert_int_equal(tu_count_entries(dir), 2); /* the old file + the temporary one */
    encoder_abort(enc);
    assert_int_equal(tu_count_entries(dir), 1);
    char *text = tu_read_file(path, NULL);
    assert_string_equal(text, "an older video");
    free(text);
    tu_remove_dir(dir);
    free(path);
}

static void test_finish_replaces_old_file(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "out.mp4", "an older video");
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    Encoder *enc = encoder_open(path, &o, &err);
    assert_non_null(enc);
    uint8_t rgb[64 * 48 * 3];
    for (int i = 0; i < 3; i++) {
        fill_frame(rgb, 64, 48, 64 * 3, i, 3);
        assert_int_equal(encoder_write_frame(enc, rgb, 64 * 3, &err), 0);
    }
    char *text = tu_read_file(path, NULL); /* untouched until the rename */
    assert_string_equal(text, "an older video");
    free(text);
    assert_int_equal(encoder_finish(enc, &err), 0);
    assert_int_equal(tu_count_entries(dir), 1);
    VideoInfo v;
    read_video(path, &v);
    assert_int_equal(v.frames, 3);
    tu_remove_dir(dir);
    free(path);
}

static void test_cleanup_on_signal_removes_temp(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "out.gif");
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    Encoder *enc = encoder_open(path, &o, &err);
    assert_non_null(enc);
    assert_int_equal(tu_count_entries(dir), 1);
    atomic_cleanup_on_signal();
    assert_int_equal(tu_count_entries(dir), 0);
    encoder_abort(enc);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
    free(path);
}

static void test_missing_folder(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "nope/out.mp4");
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    assert_null(encoder_open(path, &o, &err));
    assert_int_equal(err.code, GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: No such file or directory", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 0);

    gd_error_clear(&err);
    uint8_t rgb[2 * 2 * 3] = {0};
    char *png = tu_join(dir, "nope/a.png");
    assert_int_equal(encode_png(png, rgb, 2, 2, 6, &err), GD_ERR_RUNTIME);
    snprintf(want, sizeof want, "%s: cannot write: No such file or directory", png);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
    free(png);
    free(path);
}

/* The final rename fails when a folder has the target's name: the error
 * names the target, and neither a video nor a still leaves a temporary
 * file behind. */
static void test_rename_failure_leaves_nothing(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *gif = tu_join(dir, "out.gif"), *png = tu_join(dir, "out.png");
    assert_int_equal(mkdir(gif, 0755), 0);
    assert_int_equal(mkdir(png, 0755), 0);
    GdError err = {0};
    assert_int_equal(write_video(gif, 64, 48, 3, &err), GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: Is a directory", gif);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 2);

    gd_error_clear(&err);
    uint8_t rgb[2 * 2 * 3] = {0};
    assert_int_equal(encode_png(png, rgb, 2, 2, 6, &err), GD_ERR_RUNTIME);
    snprintf(want, sizeof want, "%s: cannot write: Is a directory", png);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 2);
    rmdir(gif);
    rmdir(png);
    rmdir(dir);
    free(gif);
    free(png);
}

/* Sends this process's stderr to a fresh file until stderr_restore, which
 * returns what was written there (malloc'd). */
static int stderr_divert(char *path, size_t size) {
    const char *dir = tu_tmpdir();
    snprintf(path, size, "%s/stderr", dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    assert_true(dup2(fd, 2) >= 0);
    close(fd);
    return saved;
}

static char *stderr_restore(int saved, const char *path) {
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *text = tu_read_file(path, NULL);
    assert_non_null(text);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    unlink(path);
    *strrchr(dir, '/') = '\0';
    rmdir(dir);
    return text;
}

/* x264 refuses the preset: what it and libav say is folded into our one
 * line, and none of it reaches stderr (x264 prints this one itself, libav
 * adds "[libx264 @ 0x...] Error setting preset/tune"). */
static void test_encoder_failure_leaves_nothing(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "out.mp4");
    EncoderOptions o = make_options(64, 48);
    o.preset = "no-such-preset";
    GdError err = {0};
    char log[512];
    int saved = stderr_divert(log, sizeof log);
    Encoder *enc = encoder_open(path, &o, &err);
    char *printed = stderr_restore(saved, log);
    assert_null(enc);
    assert_string_equal(printed, "");
    free(printed);
    assert_int_equal(err.code, GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want,
             "%s: cannot open the libx264 encoder: Invalid argument (x264: invalid preset "
             "'no-such-preset')",
             path);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
    free(path);
}

/* What libav logs is folded only into the failure it belongs to: an error
 * logged before an operation starts is not blamed on it. */
static void test_libav_log_not_printed(void **state) {
    (void)state;
    char log[512];
    int saved = stderr_divert(log, sizeof log);
    av_log(NULL, AV_LOG_ERROR, "an error of some earlier step\n");
    av_log(NULL, AV_LOG_WARNING, "a warning\n");
    av_log(NULL, AV_LOG_INFO, "x264 statistics\n");
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    assert_null(encoder_open("renders/out.xyz", &o, &err));
    char *printed = stderr_restore(saved, log);
    assert_string_equal(printed, "");
    free(printed);
    assert_string_equal(err.msg, "renders/out.xyz: unsupported output format '.xyz' (use .mp4, "
                                 ".webm, .gif or .png)");
}

static void test_check_output(void **state) {
    (void)state;
    GdError err = {0};
    assert_int_equal(encoder_check_output("a/b.MP4", 0, &err), GD_OK);
    assert_int_equal(encoder_check_output("b.gif", 0, &err), GD_OK);
    assert_int_equal(encoder_check_output("b.png", 1, &err), GD_OK);
    assert_int_equal(encoder_check_output("renders/out.xyz", 0, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "renders/out.xyz: unsupported output format '.xyz' (use .mp4, "
                                 ".webm, .gif or .png)");
    assert_int_equal(encoder_check_output("some.dir/out", 0, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "some.dir/out: no file extension to choose the output format "
                                 "(use .mp4, .webm, .gif or .png)");
    assert_int_equal(encoder_check_output("x.png", 0, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "x.png: a .png output holds one still image, not a video (use "
                                 ".mp4, .webm or .gif)");
}

static void test_unwritable_folder(void **state) {
    (void)state;
    if (geteuid() == 0)
        skip(); /* root writes anywhere */
    const char *dir = tu_tmpdir();
    assert_int_equal(chmod(dir, 0555), 0);
    char *path = tu_join(dir, "out.mp4");
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    assert_null(encoder_open(path, &o, &err));
    assert_int_equal(err.code, GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: Permission denied", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 0);
    chmod(dir, 0755);
    rmdir(dir);
    free(path);
}

static void test_unsupported_formats(void **state) {
    (void)state;
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    assert_null(encoder_open("renders/out.xyz", &o, &err));
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg, "renders/out.xyz: unsupported output format '.xyz' (use .mp4, "
                                 ".webm, .gif or .png)");
    assert_null(encoder_open("some.dir/out", &o, &err));
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg, "some.dir/out: no file extension to choose the output format "
                                 "(use .mp4, .webm, .gif or .png)");
    assert_null(encoder_open("still.png", &o, &err));
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg,
                        "still.png: a .png output holds one still image, not a video (use .mp4, "
                        ".webm or .gif)");
}

static void test_discard_mode(void **state) {
    (void)state;
    EncoderOptions o = make_options(64, 48);
    GdError err = {0};
    Encoder *enc = encoder_open(NULL, &o, &err);
    assert_non_null(enc);
    uint8_t rgb[64 * 48 * 3] = {0};
    for (int i = 0; i < NFRAMES; i++)
        assert_int_equal(encoder_write_frame(enc, rgb, 64 * 3, &err), 0);
    assert_int_equal(encoder_finish(enc, &err), 0);
    assert_int_equal(err.code, 0);
    enc = encoder_open(NULL, &o, &err);
    assert_non_null(enc);
    encoder_abort(enc);
    encoder_abort(NULL);
}

int main(void) {
    encoder_set_libav_verbose(0); /* no x264 statistics in the test log */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mp4_roundtrip),
        cmocka_unit_test(test_mp4_size_not_multiple_of_16),
        cmocka_unit_test(test_mp4_crf0_lossless),
        cmocka_unit_test(test_gif_roundtrip),
        cmocka_unit_test(test_gif_above_100_fps),
        cmocka_unit_test(test_webm_roundtrip),
        cmocka_unit_test(test_png_exact),
        cmocka_unit_test(test_abort_keeps_old_file),
        cmocka_unit_test(test_finish_replaces_old_file),
        cmocka_unit_test(test_cleanup_on_signal_removes_temp),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_rename_failure_leaves_nothing),
        cmocka_unit_test(test_encoder_failure_leaves_nothing),
        cmocka_unit_test(test_unwritable_folder),
        cmocka_unit_test(test_unsupported_formats),
        cmocka_unit_test(test_discard_mode),
        cmocka_unit_test(test_libav_log_not_printed),
        cmocka_unit_test(test_check_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
