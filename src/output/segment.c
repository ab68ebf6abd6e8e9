/*
 * segment.c — frame ranges, the segment arguments and the join's plan (see
 * segment.h).
 */
#include "output/segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FrameRange segment_range(int nframes, int k, int n) {
    if (n <= 0 || k < 0 || k >= n || nframes <= 0)
        return (FrameRange){0, 0};
    long long f = nframes;
    return (FrameRange){(int)(f * k / n), (int)(f * (k + 1) / n)};
}

/* A decimal number in [0, INT_MAX) at *s, up to the first char not a
 * digit; *s moves past it. -1 when there is none or it is too long. */
static long long take_number(const char **s) {
    const char *p = *s;
    long long v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p - '0');
        if (++digits > 9)
            return -1;
        p++;
    }
    if (digits == 0)
        return -1;
    *s = p;
    return v;
}

int segment_parse_index(const char *s, int *k, int *n, GdError *err) {
    const char *p = s;
    long long kk = take_number(&p), nn = -1;
    if (kk >= 0 && *p == '/') {
        p++;
        nn = take_number(&p);
    }
    if (kk < 0 || nn < 1 || *p != '\0' || kk >= nn || nn > SEGMENT_MAX_COUNT)
        return gd_error(err, GD_ERR_INPUT,
                        "--segment: expected K/N with 0 <= K < N <= %d (e.g. 3/8), got \"%s\"",
                        SEGMENT_MAX_COUNT, s);
    *k = (int)kk;
    *n = (int)nn;
    return GD_OK;
}

int segment_parse_frames(const char *s, FrameRange *r, GdError *err) {
    const char *p = s;
    long long a = take_number(&p), b = -1;
    if (a >= 0 && *p == ':') {
        p++;
        b = take_number(&p);
    }
    if (a < 0 || b < 0 || *p != '\0')
        return gd_error(err, GD_ERR_INPUT,
                        "--frames: expected A:B, the frames A <= f < B (e.g. 0:90), got \"%s\"", s);
    if (a >= b)
        return gd_error(err, GD_ERR_INPUT,
                        "--frames %s: the range is empty (A must be less than B)", s);
    *r = (FrameRange){(int)a, (int)b};
    return GD_OK;
}

int segment_resolve(int nframes, int k, int n, const FrameRange *frames, FrameRange *out,
                    GdError *err) {
    if (n > 0) {
        if (n > nframes)
            return gd_error(err, GD_ERR_INPUT,
                            "--segment %d/%d: the video has %d frames, fewer than %d segments", k,
                            n, nframes, n);
        *out = segment_range(nframes, k, n);
        return GD_OK;
    }
    if (frames->end > nframes)
        return gd_error(err, GD_ERR_INPUT, "--frames %d:%d: the video has %d frames (0..%d)",
                        frames->first, frames->end, nframes, nframes - 1);
    *out = *frames;
    return GD_OK;
}

char *segment_settings(char *buf, size_t size, int width, int height, int fps, int crf,
                       const char *preset, const char *quality, const char *version) {
    snprintf(buf, size, "libx264 %dx%d fps=%d crf=%d preset=%s quality=%s gdrender=%s", width,
             height, fps, crf, preset, quality, version);
    return buf;
}

/* A whole decimal number in [lo, hi] filling s, or -1. */
static long long whole_number(const char *s, long long lo, long long hi) {
    const char *p = s;
    long long v = take_number(&p);
    return v >= lo && v <= hi && *p == '\0' ? v : -1;
}

/* The number after " fps=" in a settings line, or -1. */
static long long settings_fps(const char *settings) {
    const char *p = strstr(settings, " fps=");
    if (!p)
        return -1;
    p += 5;
    long long f = take_number(&p);
    return (*p == ' ' || *p == '\0') && f >= 1 && f <= 1000 ? f : -1;
}

int segment_parse_tags(SegmentInfo *info, const char *sha256, const char *frames, const char *total,
                       const char *settings, GdError *err) {
    if (!frames)
        return gd_error(err, GD_ERR_INPUT,
                        "%s: not a gdrender segment (it has no gdrender_frames tag: a whole "
                        "video, or made by another program)",
                        info->path);
    const char *bad = NULL, *value = NULL;
    const char *p = frames;
    long long a = take_number(&p), b = -1;
    if (a >= 0 && *p == ':') {
        p++;
        b = take_number(&p);
    }
    long long t = total ? whole_number(total, 1, 0x7fffffff) : -1;
    long long fps = settings ? settings_fps(settings) : -1;
    if (a < 0 || b <= a || *p != '\0')
        bad = "gdrender_frames", value = frames;
    else if (t < 0 || b > t)
        bad = "gdrender_total_frames", value = total ? total : "";
    else if (!sha256 || strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64)
        bad = "gdrender_config_sha256", value = sha256 ? sha256 : "";
    else if (!settings || strlen(settings) >= SEGMENT_SETTINGS_MAX || fps < 0)
        bad = "gdrender_settings", value = settings ? settings : "";
    if (bad)
        return gd_error(err, GD_ERR_INPUT, "%s: damaged segment metadata (%s \"%.60s\")",
                        info->path, bad, value);
    memcpy(info->sha256, sha256, 65);
    info->range = (FrameRange){(int)a, (int)b};
    info->total = (int)t;
    info->fps = (int)fps;
    snprintf(info->settings, sizeof info->settings, "%s", settings);
    return GD_OK;
}

/* The first space-separated word where the settings lines a and b differ,
 * as pointers and lengths into them. */
static void first_difference(const char *a, const char *b, const char **wa, int *na,
                             const char **wb, int *nb) {
    for (;;) {
        size_t la = strcspn(a, " "), lb = strcspn(b, " ");
        if (la != lb || memcmp(a, b, la) != 0 || (!a[la] && !b[lb])) {
            *wa = a, *na = (int)la, *wb = b, *nb = (int)lb;
            return;
        }
        a += la + (a[la] == ' ');
        b += lb + (b[lb] == ' ');
    }
}

/* A segment's place in the sort: its range and where it is in segs. */
typedef struct Slot {
    FrameRange range;
    int index;
} Slot;

static int by_range(const void *x, const void *y) {
    const Slot *a = x, *b = y;
    if (a->range.first != b->range.first)
        return a->range.first < b->range.first ? -1 : 1;
    if (a->range.end != b->range.end)
        return a->range.end < b->range.end ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

int segment_plan(const SegmentInfo *segs, int n, int *order, GdError *err) {
    const SegmentInfo *ref = &segs[0];
    for (int i = 1; i < n; i++) {
        const SegmentInfo *s = &segs[i];
        if (strcmp(s->settings, ref->settings) != 0) {
            const char *wa, *wb;
            int na, nb;
            first_difference(s->settings, ref->settings, &wa, &na, &wb, &nb);
            return gd_error(err, GD_ERR_INPUT,
                            "%s: encoded with %.*s where %s has %.*s (segments of one video "
                            "share its settings)",
                            s->path, na, wa, ref->path, nb, wb);
        }
        if (s->nparams != ref->nparams ||
            (s->nparams > 0 && memcmp(s->params, ref->params, (size_t)s->nparams) != 0))
            return gd_error(err, GD_ERR_INPUT,
                            "%s: its H.264 parameters (SPS/PPS) differ from %s's (another x264 "
                            "build?)",
                            s->path, ref->path);
        if (strcmp(s->sha256, ref->sha256) != 0)
            return gd_error(err, GD_ERR_INPUT,
                            "%s: rendered from another config than %s (config SHA-256 %.8s... vs "
                            "%.8s...)",
                            s->path, ref->path, s->sha256, ref->sha256);
        if (s->total != ref->total)
            return gd_error(err, GD_ERR_INPUT, "%s: part of a video of %d frames, %s of one of %d",
                            s->path, s->total, ref->path, ref->total);
    }
    Slot *slots = malloc((size_t)n * sizeof *slots);
    if (!slots)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    for (int i = 0; i < n; i++)
        slots[i] = (Slot){segs[i].range, i};
    qsort(slots, (size_t)n, sizeof *slots, by_range);
    for (int i = 0; i < n; i++)
        order[i] = slots[i].index;
    free(slots);
    int next = 0; /* the first frame no segment so far holds */
    for (int i = 0; i < n; i++) {
        const SegmentInfo *s = &segs[order[i]];
        if (s->range.first > next)
            return gd_error(err, GD_ERR_INPUT,
                            "%s: frames %d..%d are missing before it (no segment holds them)",
                            s->path, next, s->range.first - 1);
        if (s->range.first < next) {
            const SegmentInfo *prev = &segs[order[i - 1]];
            int last = s->range.end < next ? s->range.end : next;
            return gd_error(err, GD_ERR_INPUT, "%s: frames %d..%d are also in %s", s->path,
                            s->range.first, last - 1, prev->path);
        }
        next = s->range.end;
    }
    if (next < ref->total)
        return gd_error(err, GD_ERR_INPUT,
                        "%s: frames %d..%d are missing after it (the video has %d frames)",
                        segs[order[n - 1]].path, next, ref->total - 1, ref->total);
    return GD_OK;
}
