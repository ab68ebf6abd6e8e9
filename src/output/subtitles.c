/*
 * subtitles.c — see subtitles.h.
 */
#include "output/subtitles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/captions.h"
#include "frame/spec.h"
#include "view/timeline.h"

int subtitles_format(const char *path) {
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".vtt") == 0)
        return SUBTITLES_VTT;
    if (n > 4 && strcasecmp(path + n - 4, ".srt") == 0)
        return SUBTITLES_SRT;
    return -1;
}

static int cue_order(const void *pa, const void *pb) {
    const SubtitleCue *a = pa, *b = pb;
    if (a->f0 != b->f0)
        return a->f0 < b->f0 ? -1 : 1;
    return a->caption - b->caption;
}

void subtitles_free_cues(SubtitleCue *cues, int ncues) {
    for (int i = 0; i < ncues; i++)
        free(cues[i].text);
    free(cues);
}

int subtitles_cues(const Config *cfg, const View *view, SubtitleCue **out, int *nout) {
    FrameSpec spec;
    frame_spec_init(&spec, cfg, view, cfg->video.width, cfg->video.height, QUALITY_DRAFT);
    SubtitleCue *cues = NULL;
    int ncues = 0, cap = 0;
    char text[2 * GD_TEXT_MAX];
    *out = NULL;
    *nout = 0;
    for (int c = 0; c < cfg->ncaptions; c++) {
        const int *fr = view->caption_frames[c];
        for (int k = fr[0]; k < fr[1]; k++) {
            TimelineMoment m;
            timeline_moment(cfg, view->max_steps, k, &m);
            captions_text(&spec, c, m.step, text, sizeof text);
            if (ncues > 0 && cues[ncues - 1].caption == c && cues[ncues - 1].f1 == k &&
                strcmp(cues[ncues - 1].text, text) == 0) {
                cues[ncues - 1].f1 = k + 1;
                continue;
            }
            if (ncues == cap) {
                int nc = cap ? 2 * cap : 64;
                SubtitleCue *grown = realloc(cues, (size_t)nc * sizeof *grown);
                if (!grown)
                    goto oom;
                cues = grown;
                cap = nc;
            }
            cues[ncues] = (SubtitleCue){c, k, k + 1, strdup(text)};
            if (!cues[ncues].text)
                goto oom;
            ncues++;
        }
    }
    qsort(cues, (size_t)ncues, sizeof *cues, cue_order);
    *out = cues;
    *nout = ncues;
    return 0;
oom:
    subtitles_free_cues(cues, ncues);
    errno = ENOMEM;
    return -1;
}

static int int_order(const void *pa, const void *pb) {
    int a = *(const int *)pa, b = *(const int *)pb;
    return (a > b) - (a < b);
}

int subtitles_track(const Config *cfg, const View *view, SubtitleCue **out, int *nout) {
    SubtitleCue *cues, *pieces = NULL;
    int ncues, npieces = 0;
    *out = NULL;
    *nout = 0;
    if (subtitles_cues(cfg, view, &cues, &ncues) != 0)
        return -1;
    int *cut = malloc(sizeof(int) * (size_t)(2 * ncues + 1));
    if (!cut)
        goto oom;
    int ncut = 0;
    cut[ncut++] = 0;
    for (int i = 0; i < ncues; i++) {
        cut[ncut++] = cues[i].f0;
        cut[ncut++] = cues[i].f1;
    }
    qsort(cut, (size_t)ncut, sizeof *cut, int_order);
    pieces = calloc((size_t)ncut, sizeof *pieces);
    if (!pieces)
        goto oom;
    for (int k = 0; k + 1 < ncut; k++) {
        if (cut[k] == cut[k + 1])
            continue;
        size_t len = 1;
        for (int i = 0; i < ncues; i++)
            if (cues[i].f0 <= cut[k] && cut[k] < cues[i].f1)
                len += strlen(cues[i].text) + 1;
        char *text = malloc(len);
        if (!text)
            goto oom;
        text[0] = '\0';
        /* In config order: the cues of one moment sorted by caption. */
        for (int c = 0; c < cfg->ncaptions; c++)
            for (int i = 0; i < ncues; i++)
                if (cues[i].caption == c && cues[i].f0 <= cut[k] && cut[k] < cues[i].f1) {
                    if (text[0])
                        strcat(text, "\n");
                    strcat(text, cues[i].text);
                }
        pieces[npieces++] = (SubtitleCue){-1, cut[k], cut[k + 1], text};
    }
    free(cut);
    subtitles_free_cues(cues, ncues);
    *out = pieces;
    *nout = npieces;
    return 0;
oom:
    free(cut);
    subtitles_free_cues(cues, ncues);
    subtitles_free_cues(pieces, npieces);
    errno = ENOMEM;
    return -1;
}

/* hh:mm:ss.mmm (or , for SubRip) of frame f's start. */
long long subtitles_ms(int f, int fps) {
    return ((long long)f * 1000 + fps / 2) / fps;
}

static void stamp(char *buf, size_t n, int f, int fps, SubtitleFormat format) {
    long long ms = subtitles_ms(f, fps);
    snprintf(buf, n, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
             format == SUBTITLES_SRT ? ',' : '.', ms % 1000);
}

int subtitles_write(FILE *f, const Config *cfg, const View *view, SubtitleFormat format) {
    SubtitleCue *cues;
    int ncues;
    if (subtitles_cues(cfg, view, &cues, &ncues) != 0)
        return -1;
    if (format == SUBTITLES_VTT)
        fputs("WEBVTT\n\n", f);
    for (int i = 0; i < ncues; i++) {
        char a[32], b[32];
        stamp(a, sizeof a, cues[i].f0, cfg->video.fps, format);
        stamp(b, sizeof b, cues[i].f1, cfg->video.fps, format);
        fprintf(f, "%d\n%s --> %s\n", i + 1, a, b);
        /* WebVTT reads &, < and > as markup. */
        for (const char *p = cues[i].text; *p; p++) {
            if (format == SUBTITLES_VTT && (*p == '&' || *p == '<' || *p == '>'))
                fputs(*p == '&' ? "&amp;" : *p == '<' ? "&lt;" : "&gt;", f);
            else
                fputc(*p, f);
        }
        fputs("\n\n", f);
    }
    subtitles_free_cues(cues, ncues);
    return ferror(f) ? -1 : 0;
}
