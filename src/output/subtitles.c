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

typedef struct Cue {
    int caption, f0, f1; /* frames f0 <= f < f1 */
    char *text;
} Cue;

int subtitles_format(const char *path) {
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".vtt") == 0)
        return SUBTITLES_VTT;
    if (n > 4 && strcasecmp(path + n - 4, ".srt") == 0)
        return SUBTITLES_SRT;
    return -1;
}

static int cue_order(const void *pa, const void *pb) {
    const Cue *a = pa, *b = pb;
    if (a->f0 != b->f0)
        return a->f0 < b->f0 ? -1 : 1;
    return a->caption - b->caption;
}

/* hh:mm:ss.mmm (or , for SubRip) of frame f's start. */
static void stamp(char *buf, size_t n, int f, int fps, SubtitleFormat format) {
    long long ms = ((long long)f * 1000 + fps / 2) / fps;
    snprintf(buf, n, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
             format == SUBTITLES_SRT ? ',' : '.', ms % 1000);
}

int subtitles_write(FILE *f, const Config *cfg, const View *view, SubtitleFormat format) {
    FrameSpec spec;
    frame_spec_init(&spec, cfg, view, cfg->video.width, cfg->video.height, QUALITY_DRAFT);
    Cue *cues = NULL;
    size_t ncues = 0, cap = 0;
    int rc = 0;
    char text[2 * GD_TEXT_MAX];
    for (int c = 0; c < cfg->ncaptions && rc == 0; c++) {
        const int *fr = view->caption_frames[c];
        for (int k = fr[0]; k < fr[1] && rc == 0; k++) {
            TimelineMoment m;
            timeline_moment(cfg, view->max_steps, k, &m);
            captions_text(&spec, c, m.step, text, sizeof text);
            if (ncues > 0 && cues[ncues - 1].caption == c && cues[ncues - 1].f1 == k &&
                strcmp(cues[ncues - 1].text, text) == 0) {
                cues[ncues - 1].f1 = k + 1;
                continue;
            }
            if (ncues == cap) {
                size_t nc = cap ? 2 * cap : 64;
                Cue *grown = realloc(cues, nc * sizeof *grown);
                if (!grown) {
                    rc = -1;
                    break;
                }
                cues = grown;
                cap = nc;
            }
            cues[ncues] = (Cue){c, k, k + 1, strdup(text)};
            if (!cues[ncues].text)
                rc = -1;
            else
                ncues++;
        }
    }
    if (rc == 0) {
        qsort(cues, ncues, sizeof *cues, cue_order);
        if (format == SUBTITLES_VTT)
            fputs("WEBVTT\n\n", f);
        for (size_t i = 0; i < ncues; i++) {
            char a[32], b[32];
            stamp(a, sizeof a, cues[i].f0, cfg->video.fps, format);
            stamp(b, sizeof b, cues[i].f1, cfg->video.fps, format);
            fprintf(f, "%zu\n%s --> %s\n", i + 1, a, b);
            /* WebVTT reads &, < and > as markup. */
            for (const char *p = cues[i].text; *p; p++) {
                if (format == SUBTITLES_VTT && (*p == '&' || *p == '<' || *p == '>'))
                    fputs(*p == '&' ? "&amp;" : *p == '<' ? "&lt;" : "&gt;", f);
                else
                    fputc(*p, f);
            }
            fputs("\n\n", f);
        }
        if (ferror(f))
            rc = -1;
    } else {
        errno = ENOMEM;
    }
    for (size_t i = 0; i < ncues; i++)
        free(cues[i].text);
    free(cues);
    return rc;
}
