/*
 * overlay.c — the text laid over a frame: live readouts, split-view
 * captions and the title (see overlay.h).
 *
 * Sizes are given at 720p and multiplied by the spec's scale.
 */
#include "frame/overlay.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/tunables.h"

/* The text size unit (text sizes scale with [video] text_scale too). */
#define TU (s->scale * s->text_scale)

static void draw_text(TextRenderer *tr, RasterTarget *out, const char *str, double size, double x,
                      double y, int align, const float c[3]) {
    text_draw(tr, out, str, (float)size, (float)x, (float)y, align, c[0], c[1], c[2], 1.0f);
}

static RasterVertex vtx(float x, float y, float z, const float c[3], float a) {
    RasterVertex v = {x, y, z, c[0], c[1], c[2], a};
    return v;
}

static void format_loss(char *buf, size_t n, double loss) {
    if (isfinite(loss) && fabs(loss) >= 1e-3 && fabs(loss) < 1e5)
        snprintf(buf, n, "%.5f", loss);
    else
        snprintf(buf, n, "%.3e", loss);
}

/* "NAME = -000.000": the widest a parameter's readout gets. */
static void param_template(const FrameSpec *s, int p, char *buf, size_t n) {
    snprintf(buf, n, "%s = -000.000", s->view->plane.name[p]);
}

int overlay_readout_lines(const FrameSpec *s, double maxw, const int *runs, int nruns,
                          int compact) {
    const double size = (compact ? OVERLAY_COMPACT_PX : OVERLAY_READOUT_PX) * TU;
    double label_w = 0;
    for (int i = 0; i < nruns; i++)
        label_w =
            fmax(label_w, text_estimate_width(s->view->trails[runs[i]].traj->run->label, size));
    char buf[GD_LABEL_MAX + 32];
    char step_t[GD_LABEL_MAX + 16], loss_t[GD_LABEL_MAX + 16];
    snprintf(step_t, sizeof step_t, "%s 000000", s->cfg->labels.step);
    snprintf(loss_t, sizeof loss_t, "%s 0.000e+00", s->cfg->labels.loss);
    double w = 16 * s->scale + 0.9 * size + label_w + text_estimate_width(step_t, size) +
               text_estimate_width(loss_t, size) + 3 * 0.55 * size;
    for (int p = 0; p < 2; p++) {
        param_template(s, p, buf, sizeof buf);
        w += text_estimate_width(buf, size) + 0.55 * size;
    }
    return w <= maxw ? 1 : 2;
}

double overlay_draw_readouts(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, double x0,
                             double top, double maxw, const int *runs, int nruns, double step,
                             int compact) {
    const double u = s->scale;
    double size = (compact ? OVERLAY_COMPACT_PX : OVERLAY_READOUT_PX) * TU,
           lh = (compact ? OVERLAY_COMPACT_LINE_PX : OVERLAY_READOUT_LINE_PX) * TU;
    const float *ink = s->theme.ink;
    const Config *cfg = s->cfg;
    const int lines = overlay_readout_lines(s, maxw, runs, nruns, compact);
    float w, asc, desc;
    /* Columns: label, step, loss, then each shown parameter; on one line
     * when they fit, else the parameters on a second line under the step
     * column. Every field is measured with its own name (Vmax = ...), so
     * entries never touch; a line still too wide shrinks, never drops. */
    double col[4], pcol[2], right = 0;
    char step_t[GD_LABEL_MAX + 16], loss_t[GD_LABEL_MAX + 16];
    snprintf(step_t, sizeof step_t, "%s 000000", cfg->labels.step);
    snprintf(loss_t, sizeof loss_t, "%s 0.000e+00", cfg->labels.loss);
    for (int attempt = 0; attempt < 2; attempt++) {
        double label_w = 0, gap = 0.55 * size;
        for (int i = 0; i < nruns; i++) {
            text_measure(tr, s->view->trails[runs[i]].traj->run->label, (float)size, &w, &asc,
                         &desc);
            label_w = fmax(label_w, w);
        }
        col[0] = x0 + 16 * u + 0.9 * size;
        text_measure(tr, step_t, (float)size, &w, &asc, &desc);
        col[1] = col[0] + label_w + gap;
        col[2] = col[1] + w + gap;
        text_measure(tr, loss_t, (float)size, &w, &asc, &desc);
        col[3] = col[2] + w + gap;
        double x = lines == 1 ? col[3] : col[1];
        for (int p = 0; p < 2; p++) {
            char buf[GD_LABEL_MAX + 32];
            param_template(s, p, buf, sizeof buf);
            text_measure(tr, buf, (float)size, &w, &asc, &desc);
            pcol[p] = x;
            x += w + gap;
        }
        right = fmax(col[3], x) - gap;
        if (right - x0 <= maxw)
            break;
        double k = maxw / (right - x0);
        size *= k;
        lh *= k;
    }
    double height = lh * nruns * lines + 0.6 * lh;
    raster_fill_rect(out, (float)(x0 + 8 * u), (float)(top + 4 * u), (float)(right + 8 * u),
                     (float)(top + 4 * u + height), s->theme.box[0], s->theme.box[1],
                     s->theme.box[2], 0.8f);
    for (int i = 0; i < nruns; i++) {
        const ViewTrail *vt = &s->view->trails[runs[i]];
        const Trajectory *t = vt->traj;
        double y = top + 4 * u + lh * (i * lines + 1);
        /* The iterate the ball is at, or nearest to while it hops to the next. */
        int k = (int)floor(fmin(step + 0.5, (double)(t->nrows - 1)));
        RasterVertex dot =
            vtx((float)(x0 + 16 * u + 0.3 * size), (float)(y - 0.33 * size), 0, vt->color, 1);
        raster_point(out, dot, (float)(0.36 * size), 0);
        draw_text(tr, out, t->run->label, size, col[0], y, TEXT_LEFT, vt->color);
        char buf[2 * GD_LABEL_MAX + 64];
        if (t->status == RUN_DIVERGED && k >= t->diverged_step) {
            config_label_diverged(cfg, t->diverged_step, buf, sizeof buf);
            draw_text(tr, out, buf, size, col[1], y, TEXT_LEFT, vt->color);
            continue;
        }
        snprintf(buf, sizeof buf, "%s %d", cfg->labels.step, k);
        draw_text(tr, out, buf, size, col[1], y, TEXT_LEFT, ink);
        char lb[48];
        format_loss(lb, sizeof lb, t->loss[k]);
        snprintf(buf, sizeof buf, "%s %s", cfg->labels.loss, lb);
        draw_text(tr, out, buf, size, col[2], y, TEXT_LEFT, ink);
        double py = lines == 1 ? y : y + lh;
        for (int p = 0; p < 2; p++) {
            int a = s->view->plane.axis[p];
            snprintf(buf, sizeof buf, "%s = %.3f", s->view->plane.name[p],
                     t->params[(size_t)k * t->nparams + a]);
            draw_text(tr, out, buf, size, pcol[p], py, TEXT_LEFT, ink);
        }
    }
    return height + 8 * u;
}

void overlay_draw_caption(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r,
                          int run) {
    const RunConfig *rc = s->view->trails[run].traj->run;
    char buf[GD_TEXT_MAX + GD_LABEL_MAX + 128];
    snprintf(buf, sizeof buf, "%s  ·  %s (%.4g, %.4g)  ·  %s, LR %.4g", rc->label,
             s->cfg->labels.start, rc->init[0], rc->init[1], config_optimizer_name(rc->optimizer),
             rc->lr);
    raster_fill_rect(out, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h),
                     s->theme.caption_bg[0], s->theme.caption_bg[1], s->theme.caption_bg[2], 1);
    double size = OVERLAY_CAPTION_PX * TU;
    float w, asc, desc;
    text_measure(tr, buf, (float)size, &w, &asc, &desc);
    if (w > r.w - 8 * s->scale) /* shrink to fit a narrow view */
        size *= (r.w - 8 * s->scale) / w;
    draw_text(tr, out, buf, size, r.x + r.w / 2, r.y + r.h / 2 + 0.35 * size, TEXT_CENTER,
              s->view->trails[run].color);
}

void overlay_draw_title(const FrameSpec *s, const Layout *L, TextRenderer *tr, RasterTarget *out) {
    const Config *cfg = s->cfg;
    const double u = s->scale;
    if (!cfg->video.title[0])
        return;
    const float *ink = s->theme.ink;
    const double avail = s->width - 32 * u;
    double size = OVERLAY_TITLE_PX * TU;
    const char *title = cfg->video.title;
    char line[2][GD_TEXT_MAX];
    int nlines = L->title_lines == 2 ? 2 : 1;
    if (nlines == 2) {
        snprintf(line[0], sizeof line[0], "%.*s", (int)L->title_split, title);
        snprintf(line[1], sizeof line[1], "%s", title + L->title_split + L->title_skip);
    } else {
        snprintf(line[0], sizeof line[0], "%s", title);
    }
    /* A line still too wide shrinks (both, so they match). */
    for (int i = 0; i < nlines; i++) {
        float w, asc, desc;
        text_measure(tr, line[i], (float)size, &w, &asc, &desc);
        if (w > avail)
            size *= avail / w;
    }
    for (int i = 0; i < nlines; i++)
        draw_text(tr, out, line[i], size, s->width * 0.5,
                  OVERLAY_TITLE_BASELINE_PX * TU + i * LAYOUT_TITLE_LINE_PX * TU, TEXT_CENTER, ink);
}
