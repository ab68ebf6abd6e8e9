/*
 * captions.c — see captions.h.
 *
 * Sizes are given at 720p and multiplied by the spec's scale.
 */
#include "frame/captions.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/tunables.h"
#include "frame/overlay.h"

#define TU (s->scale * s->text_scale)

/* Captions c and d compete for the same slots: the same band, the same
 * run's ball, or the same point. */
static int same_group(const CaptionConfig *c, const CaptionConfig *d) {
    if (c->at != d->at)
        return 0;
    if (c->at == CAPTION_BALL)
        return c->run == d->run;
    if (c->at == CAPTION_POINT)
        return c->point[0] == d->point[0] && c->point[1] == d->point[1];
    return 1;
}

void captions_plan(const FrameSpec *s, CaptionPlan *plan) {
    const Config *cfg = s->cfg;
    memset(plan, 0, sizeof *plan);
    for (int i = 0; i < cfg->ncaptions; i++) {
        const int *fi = s->view->caption_frames[i];
        /* The lowest slot no earlier caption of its group holds while it
         * is shown. */
        int slot = 0;
        for (int again = 1; again;) {
            again = 0;
            for (int j = 0; j < i; j++) {
                const int *fj = s->view->caption_frames[j];
                if (plan->slot[j] == slot && same_group(&cfg->captions[i], &cfg->captions[j]) &&
                    fi[0] < fj[1] && fj[0] < fi[1] && fi[0] < fi[1]) {
                    slot++;
                    again = 1;
                }
            }
        }
        plan->slot[i] = slot;
        CaptionPlace at = cfg->captions[i].at;
        if (at == CAPTION_TOP || at == CAPTION_BOTTOM) {
            int *lines = &plan->lines[at == CAPTION_TOP ? 0 : 1];
            *lines = slot + 1 > *lines ? slot + 1 : *lines;
        }
    }
}

double captions_alpha(const FrameSpec *s, int c, int frame) {
    const int *f = s->view->caption_frames[c];
    if (frame < f[0] || frame >= f[1])
        return 0;
    const double fps = s->cfg->video.fps, fade = s->cfg->captions[c].fade;
    if (fade <= 0)
        return 1;
    /* Counted to the frame's end, so its first frame already shows it. */
    double in = (frame - f[0] + 1) / fps, out = (f[1] - frame) / fps;
    return fmin(1.0, fmin(in, out) / fade);
}

void captions_text(const FrameSpec *s, int c, double step, char *out, size_t n) {
    const Config *cfg = s->cfg;
    const CaptionConfig *cc = &cfg->captions[c];
    const Trajectory *t = s->view->trails[cc->run].traj;
    const int row = overlay_row(t, step);
    size_t k = 0;
    if (n == 0)
        return;
    for (const char *p = cc->text; *p && k + 1 < n;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            out[k++] = *p++;
            continue;
        }
        char name[GD_NAME_MAX], val[GD_TEXT_MAX * 2];
        snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
        val[0] = '\0';
        if (strcmp(name, "step") == 0) {
            snprintf(val, sizeof val, "%d", row);
        } else if (strcmp(name, "loss") == 0) {
            overlay_format_loss(val, sizeof val, t->loss[row]);
        } else if (strcmp(name, "lr") == 0) {
            snprintf(val, sizeof val, "%g", t->run->lr);
        } else if (strcmp(name, "formula") == 0) {
            typeset_config_formula(cfg, val, sizeof val); /* cut if longer, never fails */
        } else if (strcmp(name, "basin_share") == 0) {
            if (s->view->basins)
                snprintf(val, sizeof val, "%d", basins_global_percent(s->view->basins));
        } else {
            for (int q = 0; q < cfg->model.nparams; q++)
                if (strcmp(name, cfg->model.params[q]) == 0)
                    overlay_format_param(val, sizeof val, t->params[(size_t)row * t->nparams + q]);
        }
        for (const char *v = val; *v && k + 1 < n; v++)
            out[k++] = *v;
        p = end + 1;
    }
    /* Never cut a character in half. */
    while (k > 0 && k + 1 >= n && (out[k] & 0xc0) == 0x80)
        k--;
    out[k] = '\0';
}

double captions_line_px(const FrameSpec *s) {
    return LAYOUT_CAPTION_LINE_PX * TU;
}

/* Text on its translucent box: left edge x, baseline y, at most maxw wide
 * (it shrinks beyond). */
static void boxed_text(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, const char *text,
                       double x, double y, double size, double alpha) {
    float w, asc, desc;
    text_measure(tr, text, (float)size, &w, &asc, &desc);
    const double pad = 0.3 * size;
    raster_fill_rect(out, (float)(x - pad), (float)(y - asc - 0.5 * pad), (float)(x + w + pad),
                     (float)(y + desc + 0.5 * pad), s->theme.box[0], s->theme.box[1],
                     s->theme.box[2], (float)(0.85 * alpha));
    text_draw(tr, out, text, (float)size, (float)x, (float)y, TEXT_LEFT, s->theme.ink[0],
              s->theme.ink[1], s->theme.ink[2], (float)alpha);
}

/* The text size that fits text in maxw, at most the caption size. */
static double fit_size(const FrameSpec *s, TextRenderer *tr, const char *text, double maxw) {
    double size = CAPTIONS_TEXT_PX * TU;
    float w, asc, desc;
    text_measure(tr, text, (float)size, &w, &asc, &desc);
    return w > maxw && w > 0 ? size * maxw / w : size;
}

void captions_draw_band(const FrameSpec *s, const CaptionPlan *plan, TextRenderer *tr,
                        RasterTarget *out, Rect band, CaptionPlace place, int frame, double step) {
    if (band.h <= 0)
        return;
    const double lh = captions_line_px(s);
    for (int c = 0; c < s->cfg->ncaptions; c++) {
        if (s->cfg->captions[c].at != place)
            continue;
        double a = captions_alpha(s, c, frame);
        if (a <= 0)
            continue;
        char text[2 * GD_TEXT_MAX];
        captions_text(s, c, step, text, sizeof text);
        double size = fit_size(s, tr, text, band.w - 32 * s->scale);
        float w, asc, desc;
        text_measure(tr, text, (float)size, &w, &asc, &desc);
        double y = band.y + 4 * s->scale + lh * plan->slot[c] + 0.5 * lh + 0.35 * size;
        boxed_text(s, tr, out, text, band.x + 0.5 * (band.w - w), y, size, a);
    }
}

static double overlap_area(Rect a, Rect b) {
    double w = fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x);
    double h = fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

void captions_draw_label(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, const char *text,
                         double x, double y, int slot, double alpha, double k, Rect clip,
                         const Rect *avoid, int navoid) {
    const double u = s->scale;
    double size = k * fit_size(s, tr, text, fmax((clip.w - 24 * u) / k, 8));
    float w, asc, desc;
    text_measure(tr, text, (float)size, &w, &asc, &desc);
    const double pad = 0.3 * size, lh = 1.5 * size, gap = 10 * u * k;
    double best = -1, bx = x, by = y;
    for (int c = 0; c < 18; c++) {
        /* The baseline and left edge of candidate c: beside the anchor
         * (right, left, centred over it), above or below, then the same a
         * line and two lines further out. */
        int side = c % 3, below = (c / 3) % 2, out = c / 6;
        double tx = side == 0 ? x + gap : side == 1 ? x - gap - w : x - 0.5 * w;
        double far = (slot + out) * lh;
        double ty = below ? y + gap + asc + far : y - gap - desc - far;
        Rect box = {tx - pad, ty - asc - 0.5 * pad, w + 2 * pad, asc + desc + pad};
        double cost = 0;
        if (box.x < clip.x || box.y < clip.y || box.x + box.w > clip.x + clip.w ||
            box.y + box.h > clip.y + clip.h)
            cost += box.w * box.h; /* as bad as covering a label */
        for (int i = 0; i < navoid; i++)
            cost += overlap_area(box, avoid[i]);
        if (best < 0 || cost < best) {
            best = cost;
            bx = tx;
            by = ty;
        }
        if (cost == 0)
            break;
    }
    bx = fmax(clip.x + pad, fmin(bx, clip.x + clip.w - w - pad));
    by = fmax(clip.y + asc + pad, fmin(by, clip.y + clip.h - desc - pad));
    boxed_text(s, tr, out, text, bx, by, size, alpha);
}
