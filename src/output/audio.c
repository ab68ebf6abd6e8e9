/*
 * audio.c — the narration track (see audio.h).
 *
 * Pipeline place: last stage, called by encode.c (audio_mux_*) and main
 * (audio_probe). Depends on libavformat (demuxing the input, the output's
 * muxer that encode.c made), libavcodec (decoding and encoding),
 * libswresample (sample format, rate and channels) and libavutil's audio
 * FIFO (the encoder's frame size).
 *
 * Copy mode: the input's packets go to the output stream with timestamps
 * moved so the first one is at 0, until one starts at or after the
 * video's end. Encode mode: decoded frames are converted into a FIFO in
 * the encoder's format; frames of the encoder's size are taken from it,
 * with silence once the input ends, until exactly the video's length in
 * samples has been sent.
 */
#include "output/audio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>

struct AudioMux {
    const char *out_path;
    AVFormatContext *in, *out;
    AVStream *ist, *ost;
    int copy;
    int64_t frames; /* the video's length in frames */
    int fps;
    AVPacket *pkt, *opkt;
    int64_t first_ts; /* copy: the input's first timestamp */
    int in_eof;       /* no more input packets */
    int done;         /* everything up to the end written (and flushed) */
    /* encode mode */
    AVCodecContext *dec, *enc;
    SwrContext *swr;
    AVAudioFifo *fifo;
    AVFrame *in_frame, *out_frame;
    int64_t sent;   /* samples sent to the encoder */
    int64_t target; /* samples in the video's length */
    int dec_eof;    /* the decoder and resampler are drained */
};

static int oom(GdError *err) {
    return gd_error(err, GD_ERR_RUNTIME, "out of memory");
}

/* Opens path for demuxing and finds its best audio stream. */
static int open_input(const char *path, AVFormatContext **in, AVStream **st, GdError *err) {
    size_t n = strlen(path) + 6;
    char *url = malloc(n);
    if (!url)
        return oom(err);
    snprintf(url, n, "file:%s", path); /* a colon in the name is no protocol */
    int ret = avformat_open_input(in, url, NULL, NULL);
    free(url);
    if (ret < 0)
        return gd_error(err, ret == AVERROR(ENOMEM) ? GD_ERR_RUNTIME : GD_ERR_INPUT,
                        "%s: not an audio file (%s)", path, av_err2str(ret));
    ret = avformat_find_stream_info(*in, NULL);
    if (ret < 0)
        return gd_error(err, GD_ERR_INPUT, "%s: not an audio file (%s)", path, av_err2str(ret));
    ret = av_find_best_stream(*in, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (ret < 0)
        return gd_error(err, GD_ERR_INPUT, "%s: no audio stream in it", path);
    *st = (*in)->streams[ret];
    return GD_OK;
}

static int open_decoder(const char *path, const AVStream *st, AVCodecContext **dec, GdError *err) {
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec)
        return gd_error(err, GD_ERR_INPUT, "%s: no decoder for its audio (%s)", path,
                        avcodec_get_name(st->codecpar->codec_id));
    *dec = avcodec_alloc_context3(codec);
    if (!*dec)
        return oom(err);
    int ret = avcodec_parameters_to_context(*dec, st->codecpar);
    if (ret >= 0)
        ret = avcodec_open2(*dec, codec, NULL);
    if (ret < 0)
        return gd_error(err, GD_ERR_INPUT, "%s: cannot decode its audio (%s)", path,
                        av_err2str(ret));
    return GD_OK;
}

int audio_probe(const char *path, GdError *err) {
    AVFormatContext *in = NULL;
    AVStream *st = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int rc = pkt && frame ? GD_OK : oom(err);
    if (rc == GD_OK)
        rc = open_input(path, &in, &st, err);
    if (rc == GD_OK)
        rc = open_decoder(path, st, &dec, err);
    /* The first frame must decode: a file that only looks like audio
     * fails here, before any rendering. */
    int got = 0, ret = 0, packets = 0;
    while (rc == GD_OK && !got && packets < 64 && (ret = av_read_frame(in, pkt)) >= 0) {
        if (pkt->stream_index == st->index) {
            packets++;
            ret = avcodec_send_packet(dec, pkt);
            if (ret >= 0 || ret == AVERROR(EAGAIN))
                got = avcodec_receive_frame(dec, frame) >= 0;
            else
                rc = gd_error(err, GD_ERR_INPUT, "%s: cannot decode its audio (%s)", path,
                              av_err2str(ret));
        }
        av_packet_unref(pkt);
    }
    if (rc == GD_OK && !got) {
        avcodec_send_packet(dec, NULL);
        got = avcodec_receive_frame(dec, frame) >= 0;
    }
    if (rc == GD_OK && !got)
        rc = gd_error(err, GD_ERR_INPUT, "%s: cannot decode its audio (%s)", path,
                      ret < 0 && ret != AVERROR_EOF ? av_err2str(ret) : "no audio in it");
    avcodec_free_context(&dec);
    avformat_close_input(&in);
    av_packet_free(&pkt);
    av_frame_free(&frame);
    return rc;
}

/* The input's length in seconds, or -1 when the container does not say. */
static double input_seconds(const AVFormatContext *in, const AVStream *st) {
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        return st->duration * av_q2d(st->time_base);
    if (in->duration != AV_NOPTS_VALUE && in->duration > 0)
        return in->duration / (double)AV_TIME_BASE;
    return -1;
}

static int can_copy(enum AVCodecID id, int webm) {
    if (webm)
        return id == AV_CODEC_ID_OPUS || id == AV_CODEC_ID_VORBIS;
    return id == AV_CODEC_ID_AAC || id == AV_CODEC_ID_MP3;
}

static int open_encoder(AudioMux *a, int webm, GdError *err) {
    int rc = open_decoder(a->out_path, a->ist, &a->dec, err);
    if (rc != GD_OK)
        return rc;
    const AVCodec *codec = NULL;
    if (webm) {
        codec = avcodec_find_encoder_by_name("libopus");
        if (!codec)
            codec = avcodec_find_encoder_by_name("libvorbis");
    } else {
        codec = avcodec_find_encoder_by_name("aac");
    }
    if (!codec)
        return gd_error(err, GD_ERR_RUNTIME,
                        "%s: this FFmpeg build has no %s encoder for the audio (install "
                        "libavcodec-extra)",
                        a->out_path, webm ? "libopus or libvorbis" : "aac");
    AVCodecContext *c = a->enc = avcodec_alloc_context3(codec);
    if (!c)
        return oom(err);
    /* The input's rate where the encoder takes it (Opus: 48 kHz). */
    int rate = a->dec->sample_rate > 0 ? a->dec->sample_rate : 48000;
    if (codec->supported_samplerates) {
        int ok = 0;
        for (const int *r = codec->supported_samplerates; *r; r++)
            ok |= *r == rate;
        if (!ok)
            rate = 48000;
    }
    if (codec->id == AV_CODEC_ID_OPUS)
        rate = 48000;
    c->sample_rate = rate;
    int nch = a->dec->ch_layout.nb_channels == 1 ? 1 : 2;
    av_channel_layout_default(&c->ch_layout, nch);
    c->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
    c->bit_rate = codec->id == AV_CODEC_ID_AAC ? 160000 : 96000;
    c->time_base = (AVRational){1, rate};
    if (a->out->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int ret = avcodec_open2(c, codec, NULL);
    if (ret < 0)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot open the %s encoder: %s", a->out_path,
                        codec->name, av_err2str(ret));
    ret = avcodec_parameters_from_context(a->ost->codecpar, c);
    if (ret < 0)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot set the audio parameters: %s", a->out_path,
                        av_err2str(ret));
    a->ost->time_base = c->time_base;
    ret = swr_alloc_set_opts2(&a->swr, &c->ch_layout, c->sample_fmt, c->sample_rate,
                              &a->dec->ch_layout, a->dec->sample_fmt, a->dec->sample_rate, 0, NULL);
    if (ret >= 0)
        ret = swr_init(a->swr);
    if (ret < 0)
        return gd_error(err, GD_ERR_INPUT, "%s: cannot convert its audio (%s)", a->out_path,
                        av_err2str(ret));
    a->fifo = av_audio_fifo_alloc(c->sample_fmt, nch, 4096);
    a->in_frame = av_frame_alloc();
    a->out_frame = av_frame_alloc();
    if (!a->fifo || !a->in_frame || !a->out_frame)
        return oom(err);
    a->target = av_rescale(a->frames, rate, a->fps);
    return GD_OK;
}

AudioMux *audio_mux_open(struct AVFormatContext *out, const char *out_path, const char *path,
                         int webm, int64_t frames, int fps, GdError *err) {
    AudioMux *a = calloc(1, sizeof *a);
    if (!a) {
        oom(err);
        return NULL;
    }
    a->out_path = out_path;
    a->out = out;
    a->frames = frames;
    a->fps = fps;
    a->first_ts = AV_NOPTS_VALUE;
    a->pkt = av_packet_alloc();
    a->opkt = av_packet_alloc();
    if (!a->pkt || !a->opkt) {
        oom(err);
        goto fail;
    }
    if (open_input(path, &a->in, &a->ist, err) != GD_OK)
        goto fail;
    /* Messages about the input name the input. */
    a->out_path = path;
    a->ost = avformat_new_stream(out, NULL);
    if (!a->ost) {
        oom(err);
        goto fail;
    }
    double secs = input_seconds(a->in, a->ist);
    a->copy = can_copy(a->ist->codecpar->codec_id, webm) && secs >= (double)frames / fps;
    if (a->copy) {
        int ret = avcodec_parameters_copy(a->ost->codecpar, a->ist->codecpar);
        if (ret < 0) {
            gd_error(err, GD_ERR_RUNTIME, "%s: cannot copy the audio: %s", out_path,
                     av_err2str(ret));
            goto fail;
        }
        a->ost->codecpar->codec_tag = 0;
        a->ost->time_base = a->ist->time_base;
    } else if (open_encoder(a, webm, err) != GD_OK) {
        goto fail;
    }
    a->out_path = out_path;
    return a;
fail:
    audio_mux_free(a);
    return NULL;
}

static int write_packet(AudioMux *a, AVPacket *p, AVRational tb, GdError *err) {
    av_packet_rescale_ts(p, tb, a->ost->time_base);
    p->stream_index = a->ost->index;
    p->pos = -1;
    int ret = av_interleaved_write_frame(a->out, p);
    if (ret < 0)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write the audio: %s", a->out_path,
                        av_err2str(ret));
    return GD_OK;
}

/* Copy mode: packets that start before `frames`, moved to start at 0. */
static int copy_until(AudioMux *a, int64_t frames, GdError *err) {
    int64_t end = av_rescale_q(a->frames, (AVRational){1, a->fps}, a->ist->time_base);
    int64_t until = av_rescale_q(frames, (AVRational){1, a->fps}, a->ist->time_base);
    while (!a->in_eof) {
        AVPacket *p = a->pkt;
        if (p->data == NULL) { /* no packet held back from the last call */
            int ret = av_read_frame(a->in, p);
            if (ret == AVERROR_EOF) {
                a->in_eof = 1;
                break;
            }
            if (ret < 0)
                return gd_error(err, GD_ERR_INPUT, "%s: cannot read the audio: %s", a->out_path,
                                av_err2str(ret));
            if (p->stream_index != a->ist->index) {
                av_packet_unref(p);
                continue;
            }
            if (p->pts == AV_NOPTS_VALUE)
                p->pts = p->dts;
            /* A late start moves to 0; a negative one (AAC's priming
             * samples, which the MP4's edit list then skips) stays. */
            if (a->first_ts == AV_NOPTS_VALUE)
                a->first_ts = p->pts != AV_NOPTS_VALUE && p->pts > 0 ? p->pts : 0;
            if (p->pts != AV_NOPTS_VALUE)
                p->pts -= a->first_ts;
            if (p->dts != AV_NOPTS_VALUE)
                p->dts -= a->first_ts;
        }
        if (p->pts >= end) { /* past the video's end: the cut */
            av_packet_unref(p);
            a->in_eof = 1;
            break;
        }
        if (p->pts >= until)
            return GD_OK; /* kept for the next call */
        int rc = write_packet(a, p, a->ist->time_base, err);
        av_packet_unref(p);
        if (rc != GD_OK)
            return rc;
    }
    return GD_OK;
}

/* Sends frame (NULL: flush) to the encoder and writes what comes out. */
static int encode(AudioMux *a, AVFrame *frame, GdError *err) {
    int ret = avcodec_send_frame(a->enc, frame);
    if (ret < 0)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot encode the audio: %s", a->out_path,
                        av_err2str(ret));
    for (;;) {
        ret = avcodec_receive_packet(a->enc, a->opkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return GD_OK;
        if (ret < 0)
            return gd_error(err, GD_ERR_RUNTIME, "%s: cannot encode the audio: %s", a->out_path,
                            av_err2str(ret));
        int rc = write_packet(a, a->opkt, a->enc->time_base, err);
        av_packet_unref(a->opkt);
        if (rc != GD_OK)
            return rc;
    }
}

/* Converts in (NULL: drain the resampler) into the FIFO. */
static int convert(AudioMux *a, const AVFrame *in, GdError *err) {
    int64_t delay = swr_get_delay(a->swr, a->enc->sample_rate); /* in output samples */
    int n = (int)(delay + av_rescale_rnd(in ? in->nb_samples : 0, a->enc->sample_rate,
                                         a->dec->sample_rate, AV_ROUND_UP)) +
            32;
    uint8_t **buf = NULL;
    int ret = av_samples_alloc_array_and_samples(&buf, NULL, a->enc->ch_layout.nb_channels, n,
                                                 a->enc->sample_fmt, 0);
    if (ret < 0)
        return oom(err);
    ret = swr_convert(a->swr, buf, n, in ? (const uint8_t **)in->extended_data : NULL,
                      in ? in->nb_samples : 0);
    int rc = GD_OK;
    if (ret < 0)
        rc = gd_error(err, GD_ERR_INPUT, "%s: cannot convert the audio: %s", a->out_path,
                      av_err2str(ret));
    else if (ret > 0 && av_audio_fifo_write(a->fifo, (void **)buf, ret) < ret)
        rc = oom(err);
    av_freep(&buf[0]);
    av_freep(&buf);
    return rc;
}

/* Decodes more input into the FIFO; at the input's end, drains the
 * decoder and resampler and sets dec_eof. A packet that does not decode
 * is skipped (a damaged stretch of a long narration plays as a gap). */
static int decode_more(AudioMux *a, GdError *err) {
    for (;;) {
        int ret = avcodec_receive_frame(a->dec, a->in_frame);
        if (ret >= 0) {
            int rc = convert(a, a->in_frame, err);
            av_frame_unref(a->in_frame);
            return rc;
        }
        if (ret == AVERROR_EOF) {
            a->dec_eof = 1;
            return convert(a, NULL, err);
        }
        if (ret != AVERROR(EAGAIN))
            return gd_error(err, GD_ERR_INPUT, "%s: cannot decode the audio: %s", a->out_path,
                            av_err2str(ret));
        if (a->in_eof) {
            avcodec_send_packet(a->dec, NULL);
            continue;
        }
        ret = av_read_frame(a->in, a->pkt);
        if (ret == AVERROR_EOF) {
            a->in_eof = 1;
            avcodec_send_packet(a->dec, NULL);
            continue;
        }
        if (ret < 0)
            return gd_error(err, GD_ERR_INPUT, "%s: cannot read the audio: %s", a->out_path,
                            av_err2str(ret));
        if (a->pkt->stream_index == a->ist->index)
            avcodec_send_packet(a->dec, a->pkt);
        av_packet_unref(a->pkt);
    }
}

/* Encode mode: frames of the encoder's size until `until` samples are
 * sent (at most the video's length), silence once the input has ended. */
static int encode_until(AudioMux *a, int64_t until, GdError *err) {
    int fs = a->enc->frame_size > 0 ? a->enc->frame_size : 1024;
    int small_last = (a->enc->codec->capabilities &
                      (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE)) != 0;
    if (until > a->target)
        until = a->target;
    while (a->sent < until) {
        int64_t left = a->target - a->sent;
        int n = left < fs ? (int)left : fs;
        while (av_audio_fifo_size(a->fifo) < n && !a->dec_eof) {
            int rc = decode_more(a, err);
            if (rc != GD_OK)
                return rc;
        }
        AVFrame *f = a->out_frame;
        av_frame_unref(f);
        f->nb_samples = n < fs && !small_last ? fs : n;
        f->format = a->enc->sample_fmt;
        f->sample_rate = a->enc->sample_rate;
        if (av_channel_layout_copy(&f->ch_layout, &a->enc->ch_layout) < 0 ||
            av_frame_get_buffer(f, 0) < 0)
            return oom(err);
        av_samples_set_silence(f->extended_data, 0, f->nb_samples, f->ch_layout.nb_channels,
                               (enum AVSampleFormat)f->format);
        int take = av_audio_fifo_size(a->fifo) < n ? av_audio_fifo_size(a->fifo) : n;
        if (take > 0 && av_audio_fifo_read(a->fifo, (void **)f->extended_data, take) < take)
            return oom(err);
        f->pts = a->sent;
        a->sent += n;
        int rc = encode(a, f, err);
        if (rc != GD_OK)
            return rc;
    }
    return GD_OK;
}

int audio_mux_write(AudioMux *a, int64_t frames, GdError *err) {
    if (a->done)
        return GD_OK;
    if (a->copy)
        return copy_until(a, frames, err);
    return encode_until(a, av_rescale(frames, a->enc->sample_rate, a->fps), err);
}

int audio_mux_finish(AudioMux *a, GdError *err) {
    if (a->done)
        return GD_OK;
    int rc = audio_mux_write(a, a->frames, err);
    if (rc == GD_OK && !a->copy)
        rc = encode(a, NULL, err);
    a->done = 1;
    return rc;
}

void audio_mux_free(AudioMux *a) {
    if (!a)
        return;
    avformat_close_input(&a->in);
    avcodec_free_context(&a->dec);
    avcodec_free_context(&a->enc);
    swr_free(&a->swr);
    if (a->fifo)
        av_audio_fifo_free(a->fifo);
    av_frame_free(&a->in_frame);
    av_frame_free(&a->out_frame);
    av_packet_free(&a->pkt);
    av_packet_free(&a->opkt);
    free(a);
}
