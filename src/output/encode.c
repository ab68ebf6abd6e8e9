/*
 * encode.c — frames to .mp4/.webm/.gif files and single PNG stills with
 * FFmpeg's libraries (see encode.h).
 *
 * Pipeline place: the last stage; the only file that sees libav. Shaped
 * like FFmpeg's doc/examples/mux.c: one struct holds every libav object of
 * the single video stream; encoder_open runs one function per step:
 * choose_format, create_muxer, add_stream, open_codec, open_converter,
 * open_output, write_header. Each frame is converted (libswscale, or our
 * own palette quantizer for GIF), sent, and the packets are drained until
 * EAGAIN; finish = flush with NULL + drain + trailer + commit.
 *
 * Atomicity: every output is written to a temporary file beside the
 * target and renamed over it only once complete (base/atomic.h, which also
 * lets a signal handler unlink what is pending).
 */
#include "output/encode.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/sha.h>
#include <libswscale/swscale.h>

#include "base/atomic.h"
#include "output/audio.h"

/* ---- defines and types -------------------------------------------------- */

/* GIF palette: a 6x7x6 colour cube (252 entries; green gets the extra level
 * because the eye is most sensitive to it). */
#define GIF_LEVELS_R 6
#define GIF_LEVELS_G 7
#define GIF_LEVELS_B 6

typedef enum OutputKind { OUT_MP4, OUT_WEBM, OUT_GIF } OutputKind;

/* How one output format is written. */
typedef struct FormatSpec {
    const char *ext; /* ".mp4" */
    OutputKind kind;
    const char *muxer;   /* libavformat short name */
    const char *encoder; /* libavcodec encoder name */
    const char *library; /* what a build lacking the encoder needs */
    enum AVPixelFormat pix_fmt;
} FormatSpec;

static const FormatSpec format_specs[] = {
    {".mp4", OUT_MP4, "mp4", "libx264", "libavcodec-extra or an FFmpeg built with --enable-libx264",
     AV_PIX_FMT_YUV420P},
    {".webm", OUT_WEBM, "webm", "libvpx-vp9",
     "libavcodec-extra or an FFmpeg built with --enable-libvpx", AV_PIX_FMT_YUV420P},
    {".gif", OUT_GIF, "gif", "gif", "an FFmpeg built with its gif encoder", AV_PIX_FMT_PAL8},
};

/* What libav logged (see log_callback). */
#define LOG_TEXT_MAX 512
enum { LOG_EMPTY, LOG_OPEN, LOG_CLOSED }; /* nothing yet, a line begun, a line complete */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_verbose;
static int log_state;
static char log_first[LOG_TEXT_MAX];

struct Encoder {
    int discard; /* NULL path: accept frames, do nothing */
    int width, height;
    const FormatSpec *spec;
    char *path;     /* the target */
    AtomicFile out; /* the temporary file and its target */
    char *url;      /* "file:" + out.tmp_path, as libavformat sees it */
    AVFormatContext *fmt;
    AVCodecContext *codec;
    AVStream *stream;
    AVFrame *frame; /* in the encoder's pixel format, reused per frame */
    AVPacket *pkt;
    struct SwsContext *sws; /* RGB24 -> YUV (not used for GIF) */
    int64_t next_pts;
    int64_t last_tick; /* the stream timestamp of the last frame sent */
    int segment;       /* a segment of a longer video: tags, bit-exact muxing */
    /* The text track (MP4 with cues): its stream and encoder, and the
     * cues to write once the video is done. */
    AVStream *sub_stream;
    AVCodecContext *sub_codec;
    const EncoderCue *cues;
    int ncues;
    AudioMux *audio; /* the sound track, or NULL */
    /* GIF: ordered-dither lookup, [bayer threshold][8-bit value] -> that
     * channel's share of the palette index. */
    uint8_t (*gif_lut)[3][256];
};

/* ---- internal declarations --------------------------------------------- */

static void log_callback(void *avcl, int level, const char *fmt, va_list vl);
static void log_clear(void);
typedef struct StderrCapture StderrCapture;
static void stderr_capture_begin(StderrCapture *c);
static void stderr_capture_end(StderrCapture *c);
static int fail_av(GdError *err, const char *path, const char *what, int averr);
static int find_png_encoder(const char *path, const AVCodec **codec, GdError *err);
static int check_format(const char *path, const FormatSpec **spec, const AVCodec **codec,
                        GdError *err);
static const FormatSpec *find_format(const char *path);
static int choose_format(Encoder *enc, const EncoderOptions *opt, const AVCodec **codec,
                         GdError *err);
static int create_muxer(Encoder *enc, GdError *err);
static int add_stream(Encoder *enc, const AVCodec *codec, const EncoderOptions *opt, GdError *err);
static int open_codec(Encoder *enc, const AVCodec *codec, GdError *err);
static int open_converter(Encoder *enc, GdError *err);
static int open_output(Encoder *enc, GdError *err);
static int write_header(Encoder *enc, const EncoderOptions *opt, GdError *err);
static int add_text_track(Encoder *enc, const EncoderOptions *opt, GdError *err);
static int write_cues(Encoder *enc, GdError *err);
static int add_audio_track(Encoder *enc, const EncoderOptions *opt, GdError *err);
static int set_codec_options(Encoder *enc, const EncoderOptions *opt, GdError *err);
static int set_metadata(Encoder *enc, const EncoderOptions *opt, GdError *err);
static int drain_packets(Encoder *enc, GdError *err);
static int set_segment_tags(Encoder *enc, const EncoderOptions *opt);
static int open_segment(const char *path, AVFormatContext **fmt, AVStream **video, GdError *err);
static void gif_build_lut(Encoder *enc);
static void gif_quantize(Encoder *enc, const uint8_t *rgb, int stride);
static void encoder_free(Encoder *enc);

/* ---- module functions --------------------------------------------------- */

/* The steps follow FFmpeg's doc/examples/mux.c: choose the format, create
 * the muxer, add the stream, open the codec (and our pixel converter), then
 * open the file and write the header. Each step fills err and returns its
 * code; encoder_free undoes whatever the steps before a failure did. */
Encoder *encoder_open(const char *path, const EncoderOptions *opt, GdError *err) {
    log_clear();
    Encoder *enc = calloc(1, sizeof *enc);
    const AVCodec *codec = NULL;
    if (enc == NULL) {
        gd_error(err, GD_ERR_RUNTIME, "out of memory");
        return NULL;
    }
    enc->width = opt->width;
    enc->height = opt->height;
    if (opt->segment) {
        enc->segment = 1;
        enc->next_pts = opt->segment->range.first;
    }
    if (path == NULL) {
        enc->discard = 1;
        return enc;
    }
    enc->path = strdup(path);
    if (enc->path == NULL) {
        gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto fail;
    }
    if (choose_format(enc, opt, &codec, err) != GD_OK || create_muxer(enc, err) != GD_OK ||
        add_stream(enc, codec, opt, err) != GD_OK || open_codec(enc, codec, err) != GD_OK ||
        open_converter(enc, err) != GD_OK || add_text_track(enc, opt, err) != GD_OK ||
        add_audio_track(enc, opt, err) != GD_OK || open_output(enc, err) != GD_OK ||
        write_header(enc, opt, err) != GD_OK)
        goto fail;
    return enc;

fail:
    encoder_free(enc);
    return NULL;
}

int encoder_write_frame(Encoder *enc, const uint8_t *rgb, int stride, GdError *err) {
    if (enc->discard)
        return GD_OK;
    log_clear();
    /* A container clock coarser than the frame rate (GIF counts hundredths
     * of a second, so above 100 fps) cannot hold two frames in one tick:
     * the muxer refused the second. Keep the first of each tick. */
    int64_t tick = av_rescale_q(enc->next_pts, enc->codec->time_base, enc->stream->time_base);
    if (enc->next_pts > 0 && tick <= enc->last_tick) {
        enc->next_pts++;
        return GD_OK;
    }
    enc->last_tick = tick;
    /* The encoder may still hold a reference to the previous frame's
     * buffer (frame threading, lookahead): get a private one if so. */
    int ret = av_frame_make_writable(enc->frame);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot allocate a frame", ret);
    if (enc->spec->kind == OUT_GIF) {
        gif_quantize(enc, rgb, stride);
    } else {
        const uint8_t *src[1] = {rgb};
        const int src_stride[1] = {stride};
        sws_scale(enc->sws, src, src_stride, 0, enc->height, enc->frame->data,
                  enc->frame->linesize);
    }
    enc->frame->pts = enc->next_pts++;
    ret = avcodec_send_frame(enc->codec, enc->frame);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot encode a frame", ret);
    int rc = drain_packets(enc, err);
    /* The sound up to this frame's end, so the muxer can interleave. */
    if (rc == GD_OK && enc->audio)
        rc = audio_mux_write(enc->audio, enc->next_pts, err);
    return rc;
}

int encoder_finish(Encoder *enc, GdError *err) {
    int rc = GD_OK, ret;
    if (enc->discard)
        goto done;
    log_clear();
    ret = avcodec_send_frame(enc->codec, NULL);
    if (ret < 0) {
        rc = fail_av(err, enc->path, "cannot flush the encoder", ret);
        goto done;
    }
    rc = drain_packets(enc, err);
    if (rc == GD_OK && enc->audio)
        rc = audio_mux_finish(enc->audio, err);
    if (rc == GD_OK)
        rc = write_cues(enc, err);
    if (rc != GD_OK)
        goto done;
    ret = av_write_trailer(enc->fmt);
    if (ret < 0) {
        rc = fail_av(err, enc->path, "cannot write the trailer", ret);
        goto done;
    }
    /* Closing flushes the last buffered bytes: a full disk shows up here. */
    ret = avio_closep(&enc->fmt->pb);
    if (ret < 0) {
        rc = fail_av(err, enc->path, "cannot write", ret);
        goto done;
    }
    rc = atomic_file_commit(&enc->out, err);
done:
    encoder_free(enc);
    return rc;
}

void encoder_abort(Encoder *enc) {
    if (enc != NULL)
        encoder_free(enc);
}

int encode_png(const char *path, const uint8_t *rgb, int width, int height, int stride,
               GdError *err) {
    AVCodecContext *ctx = NULL;
    AVFrame *frame = NULL;
    AVPacket *pkt = NULL;
    AtomicFile out = {0};
    int fd = -1, rc = GD_OK, ret;

    log_clear();
    const AVCodec *codec = NULL;
    if ((rc = find_png_encoder(path, &codec, err)) != GD_OK)
        return rc;
    ctx = avcodec_alloc_context3(codec);
    frame = av_frame_alloc();
    pkt = av_packet_alloc();
    if (!ctx || !frame || !pkt) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    ctx->width = width;
    ctx->height = height;
    ctx->pix_fmt = AV_PIX_FMT_RGB24;
    ctx->time_base = (AVRational){1, 1};
    ret = avcodec_open2(ctx, codec, NULL);
    if (ret < 0) {
        rc = fail_av(err, path, "cannot open the png encoder", ret);
        goto done;
    }
    frame->format = AV_PIX_FMT_RGB24;
    frame->width = width;
    frame->height = height;
    ret = av_frame_get_buffer(frame, 0);
    if (ret < 0) {
        rc = fail_av(err, path, "cannot allocate a frame", ret);
        goto done;
    }
    av_image_copy_plane(frame->data[0], frame->linesize[0], rgb, stride, width * 3, height);
    frame->pts = 0;
    ret = avcodec_send_frame(ctx, frame);
    if (ret >= 0)
        ret = avcodec_send_frame(ctx, NULL);
    if (ret >= 0)
        ret = avcodec_receive_packet(ctx, pkt);
    if (ret < 0) {
        rc = fail_av(err, path, "cannot encode the image", ret);
        goto done;
    }
    rc = atomic_file_create(&out, path, err);
    if (rc != GD_OK)
        goto done;
    fd = open(out.tmp_path, O_WRONLY | O_TRUNC);
    if (fd < 0) {
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    for (size_t off = 0; off < (size_t)pkt->size;) {
        ssize_t k = write(fd, pkt->data + off, (size_t)pkt->size - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
            goto done;
        }
        off += (size_t)k;
    }
    ret = close(fd);
    fd = -1;
    if (ret != 0) {
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    rc = atomic_file_commit(&out, err);
done:
    if (fd >= 0)
        close(fd);
    atomic_file_abort(&out);
    av_packet_free(&pkt);
    av_frame_free(&frame);
    avcodec_free_context(&ctx);
    return rc;
}

int encoder_check_output(const char *path, int still, GdError *err) {
    const AVCodec *codec = NULL;
    if (still)
        return find_png_encoder(path, &codec, err);
    const FormatSpec *spec = NULL;
    return check_format(path, &spec, &codec, err);
}

void encoder_set_libav_verbose(int verbose) {
    pthread_mutex_lock(&log_mu);
    log_verbose = verbose;
    pthread_mutex_unlock(&log_mu);
    av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_ERROR);
    av_log_set_callback(log_callback);
}

int encoder_probe_segment(SegmentInfo *info, GdError *err) {
    log_clear();
    AVFormatContext *fmt = NULL;
    AVStream *st = NULL;
    int rc = open_segment(info->path, &fmt, &st, err);
    if (rc != GD_OK)
        return rc;
    const AVDictionaryEntry *tag[4];
    static const char *const names[4] = {"gdrender_config_sha256", "gdrender_frames",
                                         "gdrender_total_frames", "gdrender_settings"};
    for (int i = 0; i < 4; i++)
        tag[i] = av_dict_get(fmt->metadata, names[i], NULL, 0);
    rc = segment_parse_tags(info, tag[0] ? tag[0]->value : NULL, tag[1] ? tag[1]->value : NULL,
                            tag[2] ? tag[2]->value : NULL, tag[3] ? tag[3]->value : NULL, err);
    if (rc == GD_OK && !st)
        rc = gd_error(err, GD_ERR_INPUT,
                      "%s: damaged segment: it holds other streams than one H.264 video",
                      info->path);
    int want = info->range.end - info->range.first;
    int count = rc == GD_OK ? avformat_index_get_entries_count(st) : 0;
    if (rc == GD_OK && count != want)
        rc =
            gd_error(err, GD_ERR_INPUT, "%s: damaged segment: %d frames where its metadata says %d",
                     info->path, count, want);
    /* The index is at the front (+faststart): a file cut short still has
     * all of it, and the frames it lists past the end are what is lost. */
    int64_t end = 0, size = rc == GD_OK ? avio_size(fmt->pb) : 0;
    for (int i = 0; rc == GD_OK && i < count; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        if (e && e->pos + e->size > end)
            end = e->pos + e->size;
    }
    if (rc == GD_OK && (size < 0 || end > size))
        rc = gd_error(err, GD_ERR_INPUT,
                      "%s: truncated: its last frames are missing (the file ends at byte %lld of "
                      "%lld)",
                      info->path, (long long)size, (long long)end);
    /* The reordering delay: x264 gives a segment of one or two frames
     * none, a longer one that of its B-frame pyramid. */
    AVPacket *pkt = rc == GD_OK ? av_packet_alloc() : NULL;
    int ret = 0;
    if (rc == GD_OK && !pkt)
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
    while (rc == GD_OK && (ret = av_read_frame(fmt, pkt)) >= 0 && pkt->stream_index != st->index)
        av_packet_unref(pkt);
    if (rc == GD_OK && ret < 0)
        rc = gd_error(err, GD_ERR_INPUT, "%s: damaged segment: cannot read frame %d (%s)",
                      info->path, info->range.first, av_err2str(ret));
    if (rc == GD_OK) {
        int64_t d = pkt->pts - pkt->dts;
        if (pkt->pts == AV_NOPTS_VALUE || pkt->dts == AV_NOPTS_VALUE || d < 0)
            rc = gd_error(err, GD_ERR_INPUT, "%s: damaged segment: its first frame has no time",
                          info->path);
        else
            info->delay =
                (int)av_rescale_q_rnd(d, st->time_base, (AVRational){1, info->fps}, AV_ROUND_UP);
    }
    av_packet_free(&pkt);
    if (rc == GD_OK && st->codecpar->extradata_size > 0) {
        info->params = malloc((size_t)st->codecpar->extradata_size);
        if (!info->params)
            rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        else {
            memcpy(info->params, st->codecpar->extradata, (size_t)st->codecpar->extradata_size);
            info->nparams = st->codecpar->extradata_size;
        }
    }
    avformat_close_input(&fmt);
    return rc;
}

/* The frames of one segment into the joined file, each packet checked as
 * read. Its presentation times are moved so that its first frame is at
 * info->range.first; decoding times are the packet's place in the whole
 * video less `delay` frames, the largest reordering delay of all segments
 * (the same as each segment's own but for segments too short for
 * B-frames), so they increase across segments and never pass the
 * presentation times. *last_dts is the previous packet's dts in the
 * output's time base (INT64_MIN before the first). */
static int copy_segment(Encoder *enc, const SegmentInfo *info, AVFormatContext *in, AVStream *ist,
                        int delay, int64_t *last_dts, GdError *err) {
    const AVRational frame = {1, info->fps};
    const int want = info->range.end - info->range.first;
    const int64_t first = av_rescale_q(info->range.first, frame, ist->time_base);
    const int64_t last = av_rescale_q(info->range.end - 1, frame, ist->time_base);
    int64_t offset = 0;
    int count = 0, ret;
    AVPacket *pkt = enc->pkt;
    while ((ret = av_read_frame(in, pkt)) >= 0) {
        if (pkt->stream_index != ist->index) {
            av_packet_unref(pkt);
            continue;
        }
        const char *bad = NULL;
        if (count == 0 && !(pkt->flags & AV_PKT_FLAG_KEY))
            bad = "it does not start with a key frame";
        else if (pkt->flags & AV_PKT_FLAG_CORRUPT)
            bad = "a frame is cut short";
        else if (pkt->pts == AV_NOPTS_VALUE || pkt->dts == AV_NOPTS_VALUE)
            bad = "a frame has no timestamp";
        if (!bad && count == 0)
            offset = first - pkt->pts;
        if (!bad && (pkt->pts + offset < first || pkt->pts + offset > last))
            bad = "a frame's time is outside its range";
        if (!bad && count >= want)
            bad = "it holds more frames than its metadata says";
        if (!bad) {
            pkt->pts += offset;
            pkt->dts = av_rescale_q(info->range.first + count - delay, frame, ist->time_base);
            count++;
            av_packet_rescale_ts(pkt, ist->time_base, enc->stream->time_base);
            if (pkt->dts > pkt->pts || (*last_dts != INT64_MIN && pkt->dts <= *last_dts))
                bad = "its frames are not in the order x264 gives them";
        }
        if (bad) {
            av_packet_unref(pkt);
            return gd_error(err, GD_ERR_INPUT, "%s: damaged segment: %s", info->path, bad);
        }
        *last_dts = pkt->dts;
        pkt->stream_index = enc->stream->index;
        pkt->pos = -1;
        ret = av_interleaved_write_frame(enc->fmt, pkt);
        if (ret < 0)
            return fail_av(err, enc->path, "cannot write", ret);
    }
    if (ret != AVERROR_EOF)
        return gd_error(err, GD_ERR_INPUT, "%s: damaged segment: cannot read frame %d (%s)",
                        info->path, info->range.first + count, av_err2str(ret));
    if (count != want)
        return gd_error(err, GD_ERR_INPUT,
                        "%s: damaged segment: %d frames where its metadata says %d", info->path,
                        count, want);
    return GD_OK;
}

int encoder_join(const char *out_path, const char *version, const SegmentInfo *segs,
                 const int *order, int n, GdError *err) {
    log_clear();
    AVFormatContext *in = NULL;
    AVStream *ist = NULL;
    Encoder *enc = calloc(1, sizeof *enc);
    int rc = GD_OK;
    if (!enc || !(enc->path = strdup(out_path)) || !(enc->pkt = av_packet_alloc())) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    enc->spec = find_format(out_path);
    if (!enc->spec || enc->spec->kind != OUT_MP4) {
        rc = gd_error(err, GD_ERR_INPUT, "%s: join writes an MP4: the output must end in .mp4",
                      out_path);
        goto done;
    }
    /* The first segment gives the stream's parameters and the metadata. */
    if ((rc = open_segment(segs[order[0]].path, &in, &ist, err)) != GD_OK ||
        (rc = create_muxer(enc, err)) != GD_OK)
        goto done;
    if (!ist) {
        rc = gd_error(err, GD_ERR_INPUT,
                      "%s: damaged segment: it holds other streams than one H.264 video",
                      segs[order[0]].path);
        goto done;
    }
    enc->stream = avformat_new_stream(enc->fmt, NULL);
    if (!enc->stream) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    int ret = avcodec_parameters_copy(enc->stream->codecpar, ist->codecpar);
    if (ret < 0) {
        rc = fail_av(err, out_path, "cannot set the stream parameters", ret);
        goto done;
    }
    enc->stream->codecpar->codec_tag = 0;
    enc->stream->time_base = ist->time_base;
    enc->stream->avg_frame_rate = (AVRational){segs[order[0]].fps, 1};
    const AVDictionaryEntry *comment = av_dict_get(in->metadata, "comment", NULL, 0);
    const AVDictionaryEntry *title = av_dict_get(in->metadata, "title", NULL, 0);
    EncoderOptions eo = {.version = version,
                         .config_text = comment ? comment->value : NULL,
                         .title = title ? title->value : NULL};
    if ((rc = open_output(enc, err)) != GD_OK || (rc = write_header(enc, &eo, err)) != GD_OK)
        goto done;
    int64_t last_dts = INT64_MIN;
    int delay = 0;
    for (int i = 0; i < n; i++)
        delay = segs[i].delay > delay ? segs[i].delay : delay;
    for (int i = 0; i < n; i++) {
        const SegmentInfo *info = &segs[order[i]];
        if (i > 0 && (rc = open_segment(info->path, &in, &ist, err)) != GD_OK)
            goto done;
        if (!ist) {
            rc = gd_error(err, GD_ERR_INPUT,
                          "%s: damaged segment: it holds other streams than one H.264 video",
                          info->path);
            goto done;
        }
        if ((rc = copy_segment(enc, info, in, ist, delay, &last_dts, err)) != GD_OK)
            goto done;
        avformat_close_input(&in);
    }
    ret = av_write_trailer(enc->fmt);
    if (ret < 0) {
        rc = fail_av(err, out_path, "cannot write the trailer", ret);
        goto done;
    }
    ret = avio_closep(&enc->fmt->pb);
    if (ret < 0) {
        rc = fail_av(err, out_path, "cannot write", ret);
        goto done;
    }
    rc = atomic_file_commit(&enc->out, err);
done:
    avformat_close_input(&in);
    if (enc)
        encoder_free(enc);
    return rc;
}

/* ---- internal definitions ----------------------------------------------- */

/* libav's and x264's own messages (x264 logs through libavcodec's libx264
 * wrapper, so av_log sees it too): never printed (unless verbose), and the
 * first error since log_clear is kept to fold into our one-line message,
 * as "NAME: text" with NAME the logging context's ("libx264", "mp4"). The
 * encoder's threads log too, hence the lock. */
static void log_callback(void *avcl, int level, const char *fmt, va_list vl) {
    pthread_mutex_lock(&log_mu);
    int verbose = log_verbose;
    pthread_mutex_unlock(&log_mu);
    if (verbose) {
        va_list copy;
        va_copy(copy, vl);
        av_log_default_callback(avcl, level, fmt, copy);
        va_end(copy);
    }
    if (level > AV_LOG_ERROR)
        return;
    char text[LOG_TEXT_MAX];
    vsnprintf(text, sizeof text, fmt, vl);
    int ends_line = strchr(text, '\n') != NULL;
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == ' ')
        text[--n] = '\0';
    pthread_mutex_lock(&log_mu);
    if (log_state == LOG_EMPTY && n > 0) {
        const AVClass *avc = avcl ? *(const AVClass *const *)avcl : NULL;
        const char *name = avc && avc->item_name ? avc->item_name(avcl) : NULL;
        snprintf(log_first, sizeof log_first, "%s%s%s", name ? name : "", name ? ": " : "",
                 text + strspn(text, " "));
        log_state = LOG_OPEN;
    } else if (log_state == LOG_OPEN && n > 0) {
        /* a line logged in pieces */
        size_t k = strlen(log_first);
        snprintf(log_first + k, sizeof log_first - k, "%s", text);
    }
    if (log_state == LOG_OPEN && ends_line)
        log_state = LOG_CLOSED;
    pthread_mutex_unlock(&log_mu);
}

/* x264 reports some refusals (settings its profile cannot hold, a preset
 * it does not know) with its own fprintf to stderr, not through av_log:
 * while a codec opens, fd 2 is the write end of a pipe (non-blocking, so a
 * flood is cut, never waited on), and its first "x264 [error]: TEXT" line
 * becomes the libav message "x264: TEXT". Only the calling thread runs
 * then: the render threads start once the encoder is open. */
typedef struct StderrCapture {
    int saved; /* the real stderr, -1 when not capturing */
    int read_end;
} StderrCapture;

static void stderr_capture_begin(StderrCapture *c) {
    c->saved = c->read_end = -1;
    int fds[2];
    if (pipe(fds) != 0)
        return;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    fflush(stderr);
    c->saved = dup(2);
    if (c->saved < 0 || dup2(fds[1], 2) < 0) {
        if (c->saved >= 0)
            close(c->saved);
        c->saved = -1;
        close(fds[0]);
        close(fds[1]);
        return;
    }
    close(fds[1]);
    c->read_end = fds[0];
}

static void stderr_capture_end(StderrCapture *c) {
    if (c->saved < 0)
        return;
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    char buf[4096];
    ssize_t n = read(c->read_end, buf, sizeof buf - 1);
    close(c->read_end);
    if (n <= 0)
        return;
    buf[n] = '\0';
    static const char tag[] = "x264 [error]: ";
    const char *line = strstr(buf, tag);
    if (line == NULL)
        return;
    line += sizeof tag - 1;
    size_t len = strcspn(line, "\n");
    pthread_mutex_lock(&log_mu);
    /* it came before anything libav logged about it */
    snprintf(log_first, sizeof log_first, "x264: %.*s", (int)len, line);
    log_state = LOG_CLOSED;
    pthread_mutex_unlock(&log_mu);
}

/* Forgets what libav said before the operation that starts now. */
static void log_clear(void) {
    pthread_mutex_lock(&log_mu);
    log_state = LOG_EMPTY;
    log_first[0] = '\0';
    pthread_mutex_unlock(&log_mu);
}

/* Fills err with "PATH: what: <libav's words for averr>", and libav's own
 * first error line in brackets when it logged one since log_clear (that
 * is where x264 says what it refused); returns the code. */
static int fail_av(GdError *err, const char *path, const char *what, int averr) {
    char said[LOG_TEXT_MAX];
    pthread_mutex_lock(&log_mu);
    snprintf(said, sizeof said, "%s", log_state == LOG_EMPTY ? "" : log_first);
    pthread_mutex_unlock(&log_mu);
    if (said[0])
        return gd_error(err, GD_ERR_RUNTIME, "%s: %s: %s (%s)", path, what, av_err2str(averr),
                        said);
    return gd_error(err, GD_ERR_RUNTIME, "%s: %s: %s", path, what, av_err2str(averr));
}

/* FFmpeg's png encoder (*codec), or the error. */
static int find_png_encoder(const char *path, const AVCodec **codec, GdError *err) {
    *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (*codec == NULL)
        return gd_error(err, GD_ERR_RUNTIME,
                        "%s: this FFmpeg build has no png encoder (install an FFmpeg built with "
                        "zlib)",
                        path);
    return GD_OK;
}

/* The spec for path's extension (case-insensitive), or NULL. */
static const FormatSpec *find_format(const char *path) {
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (dot == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof format_specs / sizeof format_specs[0]; i++)
        if (strcasecmp(dot, format_specs[i].ext) == 0)
            return &format_specs[i];
    return NULL;
}

/* The format of path's extension (*spec) and this FFmpeg build's encoder
 * for it (*codec), or the error that names what is wrong. */
static int check_format(const char *path, const FormatSpec **spec, const AVCodec **codec,
                        GdError *err) {
    *spec = find_format(path);
    if (*spec == NULL) {
        const char *slash = strrchr(path, '/');
        const char *dot = strrchr(slash ? slash + 1 : path, '.');
        if (dot == NULL)
            return gd_error(err, GD_ERR_INPUT,
                            "%s: no file extension to choose the output format (use .mp4, .webm, "
                            ".gif or .png)",
                            path);
        if (strcasecmp(dot, ".png") == 0)
            return gd_error(err, GD_ERR_INPUT,
                            "%s: a .png output holds one still image, not a video (use .mp4, "
                            ".webm or .gif)",
                            path);
        return gd_error(err, GD_ERR_INPUT,
                        "%s: unsupported output format '%s' (use .mp4, .webm, .gif or .png)", path,
                        dot);
    }
    *codec = avcodec_find_encoder_by_name((*spec)->encoder);
    if (*codec == NULL)
        return gd_error(err, GD_ERR_RUNTIME, "%s: this FFmpeg build has no %s encoder (install %s)",
                        path, (*spec)->encoder, (*spec)->library);
    return GD_OK;
}

/* Picks the format by the target's extension and checks what can be
 * checked before anything is created: this FFmpeg build has its encoder
 * (*codec), and the size suits the format's pixel layout. */
static int choose_format(Encoder *enc, const EncoderOptions *opt, const AVCodec **codec,
                         GdError *err) {
    int rc = check_format(enc->path, &enc->spec, codec, err);
    if (rc != GD_OK)
        return rc;
    if (opt->segment && enc->spec->kind != OUT_MP4)
        return gd_error(err, GD_ERR_INPUT, "%s: a segment is an MP4: the output must end in .mp4",
                        enc->path);
    if (opt->width <= 0 || opt->height <= 0 || opt->fps <= 0 ||
        (enc->spec->pix_fmt == AV_PIX_FMT_YUV420P && (opt->width % 2 || opt->height % 2)))
        return gd_error(err, GD_ERR_INPUT,
                        "%s: invalid video size %dx%d at %d fps (even sizes only)", enc->path,
                        opt->width, opt->height, opt->fps);
    return GD_OK;
}

/* Creates the temporary file beside the target (which also checks that the
 * folder exists and is writable) and the muxer's context for it. */
static int create_muxer(Encoder *enc, GdError *err) {
    int rc = atomic_file_create(&enc->out, enc->path, err);
    if (rc != GD_OK)
        return rc;
    /* The "file:" protocol prefix keeps a colon in the user's path from
     * being read as a protocol name, and the muxer is named explicitly
     * because the temporary name has no useful extension. The mov muxer's
     * +faststart pass reopens the output by this same URL to read it back,
     * so it must name the temporary file, not the target. */
    size_t url_len = strlen(enc->out.tmp_path) + 6;
    enc->url = malloc(url_len);
    if (enc->url == NULL)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    snprintf(enc->url, url_len, "file:%s", enc->out.tmp_path);
    int ret = avformat_alloc_output_context2(&enc->fmt, NULL, enc->spec->muxer, enc->url);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot create the output", ret);
    return GD_OK;
}

/* The one video stream, its codec context configured but not yet opened,
 * and the reusable frame and packet. */
static int add_stream(Encoder *enc, const AVCodec *codec, const EncoderOptions *opt, GdError *err) {
    enc->stream = avformat_new_stream(enc->fmt, NULL);
    enc->codec = avcodec_alloc_context3(codec);
    enc->frame = av_frame_alloc();
    enc->pkt = av_packet_alloc();
    if (!enc->stream || !enc->codec || !enc->frame || !enc->pkt)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    return set_codec_options(enc, opt, err);
}

/* Opens the codec, copies its parameters to the stream and gives the frame
 * its buffers in the codec's pixel format. */
static int open_codec(Encoder *enc, const AVCodec *codec, GdError *err) {
    StderrCapture cap;
    stderr_capture_begin(&cap);
    int ret = avcodec_open2(enc->codec, codec, NULL);
    stderr_capture_end(&cap);
    if (ret < 0) {
        char what[64];
        snprintf(what, sizeof what, "cannot open the %s encoder", enc->spec->encoder);
        return fail_av(err, enc->path, what, ret);
    }
    ret = avcodec_parameters_from_context(enc->stream->codecpar, enc->codec);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot set the stream parameters", ret);
    enc->stream->time_base = enc->codec->time_base;
    enc->stream->avg_frame_rate = enc->codec->framerate;
    enc->frame->format = enc->codec->pix_fmt;
    enc->frame->width = enc->width;
    enc->frame->height = enc->height;
    ret = av_frame_get_buffer(enc->frame, 0);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot allocate a frame", ret);
    return GD_OK;
}

/* RGB24 to the codec's pixels: our dither lookup for GIF, libswscale for
 * YUV. */
static int open_converter(Encoder *enc, GdError *err) {
    if (enc->spec->kind == OUT_GIF) {
        enc->gif_lut = malloc(64 * sizeof *enc->gif_lut);
        if (enc->gif_lut == NULL)
            return gd_error(err, GD_ERR_RUNTIME, "out of memory");
        gif_build_lut(enc);
        return GD_OK;
    }
    /* Same size, so the filter only matters for the 2x2 chroma
     * subsampling: bilinear averages the chroma (clean coloured edges)
     * and stays fast. Full-range RGB in, limited-range BT.709 out, as
     * the stream is tagged in set_codec_options. */
    enc->sws = sws_getContext(enc->width, enc->height, AV_PIX_FMT_RGB24, enc->width, enc->height,
                              enc->codec->pix_fmt, SWS_BILINEAR, NULL, NULL, NULL);
    if (enc->sws == NULL)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot set up the RGB to YUV conversion",
                        enc->path);
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(enc->sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
    return GD_OK;
}

/* Opens the temporary file for libavformat's writes. */
static int open_output(Encoder *enc, GdError *err) {
    int ret = avio_open(&enc->fmt->pb, enc->url, AVIO_FLAG_WRITE);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot write", ret);
    return GD_OK;
}

/* The tags and the muxer's options (MP4: +faststart; GIF: loop forever),
 * then the header. */
static int write_header(Encoder *enc, const EncoderOptions *opt, GdError *err) {
    AVDictionary *mux_opts = NULL;
    int rc = set_metadata(enc, opt, err);
    if (rc != GD_OK)
        goto done;
    int ret = 0;
    if (enc->segment) {
        /* The segment tags are keys of our own, which the mov muxer
         * writes only as 'mdta' keys. Bit-exact: no libavformat version
         * or time of day in the file. */
        ret = av_dict_set(&mux_opts, "movflags", "+faststart+use_metadata_tags", 0);
        enc->fmt->flags |= AVFMT_FLAG_BITEXACT;
    } else if (enc->spec->kind == OUT_MP4)
        ret = av_dict_set(&mux_opts, "movflags", "+faststart", 0);
    else if (enc->spec->kind == OUT_GIF)
        ret = av_dict_set(&mux_opts, "loop", "0", 0); /* 0 = loop forever */
    if (ret >= 0)
        ret = avformat_write_header(enc->fmt, &mux_opts);
    if (ret < 0)
        rc = fail_av(err, enc->path, "cannot write the header", ret);
done:
    av_dict_free(&mux_opts);
    return rc;
}

/* The ASS header libavcodec's mov_text encoder reads its default style
 * from (it converts ASS events to 3GPP timed text): one plain style. */
static const char TEXT_TRACK_HEADER[] =
    "[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 384\r\nPlayResY: 288\r\n\r\n"
    "[V4+ Styles]\r\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
    "OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, "
    "Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
    "Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0"
    "\r\n\r\n[Events]\r\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
    "Effect, Text\r\n";

/* MP4 with cues: a second stream, a 3GPP text track, encoded by
 * libavcodec's mov_text encoder in milliseconds. */
static int add_text_track(Encoder *enc, const EncoderOptions *opt, GdError *err) {
    if (enc->spec->kind != OUT_MP4 || opt->ncues <= 0)
        return GD_OK;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MOV_TEXT);
    if (!codec)
        return gd_error(err, GD_ERR_RUNTIME, "%s: this FFmpeg has no mov_text encoder", enc->path);
    enc->sub_stream = avformat_new_stream(enc->fmt, NULL);
    enc->sub_codec = avcodec_alloc_context3(codec);
    if (!enc->sub_stream || !enc->sub_codec)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    enc->sub_codec->time_base = (AVRational){1, 1000};
    enc->sub_codec->subtitle_header = (uint8_t *)av_strdup(TEXT_TRACK_HEADER);
    if (!enc->sub_codec->subtitle_header)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    enc->sub_codec->subtitle_header_size = (int)strlen(TEXT_TRACK_HEADER);
    int ret = avcodec_open2(enc->sub_codec, codec, NULL);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot open the mov_text encoder", ret);
    ret = avcodec_parameters_from_context(enc->sub_stream->codecpar, enc->sub_codec);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot set the text track's parameters", ret);
    enc->sub_stream->time_base = enc->sub_codec->time_base;
    enc->cues = opt->cues;
    enc->ncues = opt->ncues;
    return GD_OK;
}

/* MP4 and WebM with [video] audio: the sound track's stream (output/audio.c
 * copies or encodes it as the frames come). */
static int add_audio_track(Encoder *enc, const EncoderOptions *opt, GdError *err) {
    if (!opt->audio || !opt->audio[0] || enc->spec->kind == OUT_GIF || enc->segment)
        return GD_OK;
    enc->audio = audio_mux_open(enc->fmt, enc->path, opt->audio, enc->spec->kind == OUT_WEBM,
                                opt->frames, opt->fps, err);
    return enc->audio ? GD_OK : err->code;
}

/* Every cue as one text sample, after the video's packets (the muxer
 * interleaves them by time). ASS reads a backslash and braces as markup:
 * they become their fullwidth look-alikes. */
static int write_cues(Encoder *enc, GdError *err) {
    if (!enc->sub_codec)
        return GD_OK;
    enum { TEXT_MAX = 4096 };
    uint8_t *buf = av_malloc(TEXT_MAX + 64);
    char *ass = malloc(3 * TEXT_MAX + 64);
    int rc = GD_OK;
    if (!buf || !ass) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    for (int i = 0; i < enc->ncues && rc == GD_OK; i++) {
        const EncoderCue *c = &enc->cues[i];
        size_t k = (size_t)snprintf(ass, 64, "%d,0,Default,,0,0,0,,", i);
        for (const char *p = c->text; *p && k < 3 * TEXT_MAX; p++) {
            const char *rep = *p == '\\'   ? "\xef\xbc\xbc"
                              : *p == '{'  ? "\xef\xbd\x9b"
                              : *p == '}'  ? "\xef\xbd\x9d"
                              : *p == '\n' ? "\\N"
                                           : NULL;
            if (rep) {
                memcpy(ass + k, rep, strlen(rep));
                k += strlen(rep);
            } else {
                ass[k++] = *p;
            }
        }
        ass[k] = '\0';
        AVSubtitleRect rect = {.type = SUBTITLE_ASS, .ass = ass};
        AVSubtitleRect *rects[1] = {&rect};
        AVSubtitle sub = {.num_rects = 1,
                          .rects = rects,
                          .start_display_time = 0,
                          .end_display_time = (uint32_t)(c->end_ms - c->start_ms),
                          .pts = av_rescale_q(c->start_ms, (AVRational){1, 1000}, AV_TIME_BASE_Q)};
        int size = avcodec_encode_subtitle(enc->sub_codec, buf, TEXT_MAX + 64, &sub);
        if (size < 0) {
            rc = fail_av(err, enc->path, "cannot encode a subtitle", size);
            break;
        }
        av_packet_unref(enc->pkt);
        int ret = av_new_packet(enc->pkt, size);
        if (ret < 0) {
            rc = fail_av(err, enc->path, "cannot encode a subtitle", ret);
            break;
        }
        memcpy(enc->pkt->data, buf, (size_t)size);
        enc->pkt->stream_index = enc->sub_stream->index;
        enc->pkt->pts = enc->pkt->dts =
            av_rescale_q(c->start_ms, (AVRational){1, 1000}, enc->sub_stream->time_base);
        enc->pkt->duration = av_rescale_q(c->end_ms - c->start_ms, (AVRational){1, 1000},
                                          enc->sub_stream->time_base);
        ret = av_interleaved_write_frame(enc->fmt, enc->pkt);
        if (ret < 0)
            rc = fail_av(err, enc->path, "cannot write a subtitle", ret);
    }
done:
    av_free(buf);
    free(ass);
    return rc;
}

/* Size, rate, colour tags and the codec's private quality options. */
static int set_codec_options(Encoder *enc, const EncoderOptions *opt, GdError *err) {
    AVCodecContext *c = enc->codec;
    c->width = opt->width;
    c->height = opt->height;
    c->pix_fmt = enc->spec->pix_fmt;
    c->time_base = (AVRational){1, opt->fps};
    c->framerate = (AVRational){opt->fps, 1};
    c->sample_aspect_ratio = (AVRational){1, 1};
    c->thread_count = opt->threads > 0 ? opt->threads : 0;
    if (enc->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (enc->spec->pix_fmt == AV_PIX_FMT_YUV420P) {
        /* Tagged BT.709 limited range (what the swscale matrix produces):
         * players then show the colours we drew instead of guessing. */
        c->color_range = AVCOL_RANGE_MPEG;
        c->colorspace = AVCOL_SPC_BT709;
        c->color_primaries = AVCOL_PRI_BT709;
        c->color_trc = AVCOL_TRC_BT709;
    }
    char num[32];
    int ret = 0;
    const char *preset = opt->preset && opt->preset[0] ? opt->preset : "medium";
    switch (enc->spec->kind) {
    case OUT_MP4: {
        snprintf(num, sizeof num, "%d", opt->crf);
        /* crf 0 is x264's lossless mode, which the High profile does not
         * allow: it needs High 4:4:4 Predictive (still yuv420p). */
        const char *profile = opt->crf == 0 ? "high444" : "high";
        if ((ret = av_opt_set(c->priv_data, "preset", preset, 0)) < 0 ||
            (ret = av_opt_set(c->priv_data, "profile", profile, 0)) < 0 ||
            (ret = av_opt_set(c->priv_data, "x264-params", "8x8dct=1", 0)) < 0 ||
            (ret = av_opt_set(c->priv_data, "crf", num, 0)) < 0)
            return fail_av(err, enc->path, "cannot configure libx264", ret);
        break;
    }
    case OUT_WEBM: {
        /* VP9 has no x264-style presets: map the preset's speed onto
         * cpu-used (0 slowest .. 5 fastest in "good" mode). */
        static const char *const speeds[] = {"veryslow", "slower", "slow",
                                             "medium",   "fast",   "ultrafast"};
        int cpu_used = 2;
        for (int i = 0; i < 6; i++)
            if (strcmp(preset, speeds[i]) == 0)
                cpu_used = i;
        if (strcmp(preset, "faster") == 0 || strcmp(preset, "veryfast") == 0 ||
            strcmp(preset, "superfast") == 0)
            cpu_used = 5;
        /* Constant quality needs a zero bit rate with libvpx-vp9. */
        c->bit_rate = 0;
        snprintf(num, sizeof num, "%d", opt->crf);
        if ((ret = av_opt_set(c->priv_data, "crf", num, 0)) < 0 ||
            (ret = av_opt_set_int(c->priv_data, "cpu-used", cpu_used, 0)) < 0 ||
            (ret = av_opt_set_int(c->priv_data, "row-mt", 1, 0)) < 0)
            return fail_av(err, enc->path, "cannot configure libvpx-vp9", ret);
        break;
    }
    case OUT_GIF:
        break;
    }
    return GD_OK;
}

/* Format-level tags that trace a video back to its config: "comment" holds
 * the full config text (so the video can be re-rendered from it), "title"
 * the title, and the version goes two ways:
 * - "encoding_tool" = "gdrender VERSION (LavfX.Y.Z)". libavformat
 *   overwrites any user "encoder" tag with its own ident when the header is
 *   written, but the mp4 muxer stores "encoding_tool" as the standard
 *   iTunes ©too atom, which ffprobe reads back as "encoder"; the webm muxer
 *   stores it as the Matroska WritingApp (shown by mediainfo/mkvinfo).
 * - "gdrender_version" = VERSION, which webm keeps as a tag that ffprobe
 *   shows. The mp4 muxer drops it: it writes only the well-known iTunes
 *   keys (©nam, ©cmt, ©too, ...) unless +use_metadata_tags is set, and that
 *   flag writes every tag as a QuickTime 'mdta' key instead, which
 *   iTunes-style readers do not look at: we keep the widely read layout.
 * GIF has no metadata: the gif muxer writes only the picture (no comment
 * extension), so a GIF carries neither version nor config. */
static int set_metadata(Encoder *enc, const EncoderOptions *opt, GdError *err) {
    AVDictionary **md = &enc->fmt->metadata;
    char encoder_tag[128];
    snprintf(encoder_tag, sizeof encoder_tag, "gdrender %s (%s)",
             opt->version ? opt->version : "unknown", LIBAVFORMAT_IDENT);
    int ret = av_dict_set(md, "encoding_tool", encoder_tag, 0);
    if (ret >= 0)
        ret = av_dict_set(md, "gdrender_version", opt->version ? opt->version : "unknown", 0);
    if (ret >= 0 && opt->config_text != NULL)
        ret = av_dict_set(md, "comment", opt->config_text, 0);
    if (ret >= 0 && opt->title != NULL && opt->title[0] != '\0')
        ret = av_dict_set(md, "title", opt->title, 0);
    if (ret >= 0 && opt->segment)
        ret = set_segment_tags(enc, opt);
    if (ret < 0)
        return fail_av(err, enc->path, "cannot set the metadata", ret);
    return GD_OK;
}

/* Moves every packet the encoder has ready into the muxer; stops at EAGAIN
 * (it wants more frames) or EOF (flushed). */
static int drain_packets(Encoder *enc, GdError *err) {
    for (;;) {
        int ret = avcodec_receive_packet(enc->codec, enc->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return GD_OK;
        if (ret < 0)
            return fail_av(err, enc->path, "cannot encode a frame", ret);
        av_packet_rescale_ts(enc->pkt, enc->codec->time_base, enc->stream->time_base);
        enc->pkt->stream_index = enc->stream->index;
        /* Takes ownership of the packet's data and leaves pkt blank. */
        ret = av_interleaved_write_frame(enc->fmt, enc->pkt);
        if (ret < 0)
            return fail_av(err, enc->path, "cannot write", ret);
    }
}

/* The segment tags of segment.h: the config's SHA-256, the range, the
 * total and the settings line. A libav error code, or 0. */
static int set_segment_tags(Encoder *enc, const EncoderOptions *opt) {
    const EncoderSegment *seg = opt->segment;
    const char *text = opt->config_text ? opt->config_text : "";
    struct AVSHA *sha = av_sha_alloc();
    if (!sha)
        return AVERROR(ENOMEM);
    uint8_t digest[32];
    av_sha_init(sha, 256);
    av_sha_update(sha, (const uint8_t *)text, strlen(text));
    av_sha_final(sha, digest);
    av_free(sha);
    char hex[65], frames[32], total[16];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    snprintf(frames, sizeof frames, "%d:%d", seg->range.first, seg->range.end);
    snprintf(total, sizeof total, "%d", seg->total);
    AVDictionary **md = &enc->fmt->metadata;
    int ret = av_dict_set(md, "gdrender_config_sha256", hex, 0);
    if (ret >= 0)
        ret = av_dict_set(md, "gdrender_frames", frames, 0);
    if (ret >= 0)
        ret = av_dict_set(md, "gdrender_total_frames", total, 0);
    if (ret >= 0)
        ret = av_dict_set(md, "gdrender_settings", seg->settings ? seg->settings : "", 0);
    return ret;
}

/* Opens the MP4 at path for reading (*fmt) and finds its one H.264 video
 * stream (*video; NULL when the file holds anything else). */
static int open_segment(const char *path, AVFormatContext **fmt, AVStream **video, GdError *err) {
    *video = NULL;
    size_t len = strlen(path) + 6;
    char *url = malloc(len);
    if (!url)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    snprintf(url, len, "file:%s", path);
    /* The mov demuxer by name: a text file must not be probed as some
     * other format that happens to take it. */
    int ret = avformat_open_input(fmt, url, av_find_input_format("mp4"), NULL);
    free(url);
    if (ret < 0)
        return gd_error(err, GD_ERR_INPUT, "%s: not a readable MP4 file (%s)", path,
                        av_err2str(ret));
    if ((*fmt)->nb_streams == 1 && (*fmt)->streams[0]->codecpar->codec_id == AV_CODEC_ID_H264)
        *video = (*fmt)->streams[0];
    return GD_OK;
}

/* 8x8 Bayer matrix: thresholds 0..63 spread evenly in space. */
static const uint8_t bayer8[8][8] = {
    {0, 32, 8, 40, 2, 34, 10, 42},  {48, 16, 56, 24, 50, 18, 58, 26},
    {12, 44, 4, 36, 14, 46, 6, 38}, {60, 28, 52, 20, 62, 30, 54, 22},
    {3, 35, 11, 43, 1, 33, 9, 41},  {51, 19, 59, 27, 49, 17, 57, 25},
    {15, 47, 7, 39, 13, 45, 5, 37}, {63, 31, 55, 23, 61, 29, 53, 21}};

/* GIF colours: FFmpeg's fixed rgb8 palette has only 4 blue levels, which
 * bands the blue end of every colormap, and error diffusion makes still
 * areas shimmer from frame to frame (and defeats the gif encoder's
 * unchanged-area cropping). A 6x7x6 cube with ordered dithering is stable
 * over time, keeps a fixed global palette, and looks decent on smooth
 * shading. Level q of a channel with L levels is round(q*255/(L-1)). */
static void gif_build_lut(Encoder *enc) {
    static const int levels[3] = {GIF_LEVELS_R, GIF_LEVELS_G, GIF_LEVELS_B};
    static const int weight[3] = {GIF_LEVELS_G * GIF_LEVELS_B, GIF_LEVELS_B, 1};
    for (int t = 0; t < 64; t++)
        for (int ch = 0; ch < 3; ch++)
            for (int v = 0; v < 256; v++) {
                int span = levels[ch] - 1;
                /* floor(v*span/255 + (t+0.5)/64) in integers */
                int q = (v * span * 128 + (2 * t + 1) * 255) / (255 * 128);
                if (q > span)
                    q = span;
                enc->gif_lut[t][ch][v] = (uint8_t)(q * weight[ch]);
            }
}

static void gif_quantize(Encoder *enc, const uint8_t *rgb, int stride) {
    AVFrame *f = enc->frame;
    uint32_t *pal = (uint32_t *)f->data[1];
    int i = 0;
    for (int r = 0; r < GIF_LEVELS_R; r++)
        for (int g = 0; g < GIF_LEVELS_G; g++)
            for (int b = 0; b < GIF_LEVELS_B; b++, i++) {
                uint32_t rv =
                    (uint32_t)((r * 255 * 2 + GIF_LEVELS_R - 1) / (2 * (GIF_LEVELS_R - 1)));
                uint32_t gv =
                    (uint32_t)((g * 255 * 2 + GIF_LEVELS_G - 1) / (2 * (GIF_LEVELS_G - 1)));
                uint32_t bv =
                    (uint32_t)((b * 255 * 2 + GIF_LEVELS_B - 1) / (2 * (GIF_LEVELS_B - 1)));
                pal[i] = 0xFF000000u | rv << 16 | gv << 8 | bv;
            }
    for (; i < 256; i++)
        pal[i] = 0xFF000000u; /* opaque: no entry may read as transparent */
    for (int y = 0; y < enc->height; y++) {
        const uint8_t *src = rgb + (size_t)y * (size_t)stride;
        uint8_t *dst = f->data[0] + (size_t)y * (size_t)f->linesize[0];
        const uint8_t *row = bayer8[y & 7];
        for (int x = 0; x < enc->width; x++, src += 3) {
            const uint8_t(*lut)[256] = enc->gif_lut[row[x & 7]];
            dst[x] = (uint8_t)(lut[0][src[0]] + lut[1][src[1]] + lut[2][src[2]]);
        }
    }
}

/* Frees every libav object; removes the temporary file unless it has been
 * renamed (then enc->out is empty). */
static void encoder_free(Encoder *enc) {
    if (enc->fmt != NULL && enc->fmt->pb != NULL)
        avio_closep(&enc->fmt->pb);
    atomic_file_abort(&enc->out);
    avformat_free_context(enc->fmt);
    avcodec_free_context(&enc->codec);
    avcodec_free_context(&enc->sub_codec);
    audio_mux_free(enc->audio);
    av_frame_free(&enc->frame);
    av_packet_free(&enc->pkt);
    sws_freeContext(enc->sws);
    free(enc->gif_lut);
    free(enc->url);
    free(enc->path);
    free(enc);
}
