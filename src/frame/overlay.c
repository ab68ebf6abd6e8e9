/*
 * overlay.c — the text laid over a frame: live readouts, split-view
 * captions and the title (see overlay.h).
 *
 * Sizes are given at 720p and multiplied by the spec's scale.
 */
#include "frame/overlay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tunables.h"
#include "view/timeline.h"

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

void overlay_format_loss(char *buf, size_t n, double loss) {
    if (isfinite(loss) && fabs(loss) >= 1e-3 && fabs(loss) < 1e5)
        snprintf(buf, n, "%.5f", loss);
    else
        snprintf(buf, n, "%.3e", loss);
}

void overlay_format_param(char *buf, size_t n, double v) {
    if (isfinite(v) && fabs(v) < 1e5)
        snprintf(buf, n, "%.3f", v);
    else
        snprintf(buf, n, "%.3e", v);
}

static void format_param(char *buf, size_t n, const char *name, double v) {
    char vb[48];
    overlay_format_param(vb, sizeof vb, v);
    snprintf(buf, n, "%s = %s", name, vb);
}

/* The readout of a run at row k: "step K", "loss X", the parameter
 * fields rm says. */
enum { FIELD_MAX = GD_LABEL_MAX + 64 };
static void field_text(const FrameSpec *s, const ViewTrail *vt, int k, int what, char *buf) {
    const Plane *pl = &s->view->plane;
    const Trajectory *t = vt->traj;
    if (what >= 0) {
        format_param(buf, FIELD_MAX, s->cfg->labels.param[what],
                     t->params[(size_t)k * t->nparams + what]);
    } else if (what == READOUT_DISTANCE) {
        format_param(buf, FIELD_MAX, s->cfg->labels.off_plane, vt->dist[k]);
    } else {
        int a = what == READOUT_PLANE_U ? 0 : 1;
        char name[16];
        snprintf(name, sizeof name, "%s%d", pl->kind == PLANE_PCA ? "PC" : "d", a + 1);
        format_param(buf, FIELD_MAX, name, vt->uv[2 * (size_t)k + a]);
    }
}

static void readout_fields(const FrameSpec *s, const ReadoutMetrics *rm, const ViewTrail *vt, int k,
                           char step[FIELD_MAX], char loss[FIELD_MAX],
                           char param[READOUT_MAX_FIELDS][FIELD_MAX]) {
    char lb[48];
    const Trajectory *t = vt->traj;
    snprintf(step, FIELD_MAX, "%s %d", s->cfg->labels.step, k);
    overlay_format_loss(lb, sizeof lb, t->loss[k]);
    snprintf(loss, FIELD_MAX, "%s %s", s->cfg->labels.loss, lb);
    for (int p = 0; p < rm->nfields; p++)
        field_text(s, vt, k, rm->field[p], param[p]);
}

int overlay_row(const Trajectory *t, double step) {
    return (int)floor(fmin(fmax(step, 0) + 0.5, (double)(t->nrows - 1)));
}

/* Rows a run's readout can show: up to the step it diverged at (from
 * then on it says so instead). */
static int shown_rows(const Trajectory *t) {
    return t->status == RUN_DIVERGED && t->diverged_step < t->nrows ? t->diverged_step : t->nrows;
}

/* The rows a run's readout shows in some frame of the video, each once,
 * ascending: what its fields are measured over. A frame shows one row, so
 * a million-step run is measured at most once a frame, not once a step.
 * The whole video counts, whatever part of it is rendered, so segments
 * lay out alike. */
typedef struct ShownRows {
    int *row; /* NULL: rows 0 .. n-1 (when memory ran out, so nothing is
                 missed) */
    int n;
} ShownRows;

static int shown_row(const ShownRows *r, int j) {
    return r->row ? r->row[j] : j;
}

static void shown_rows_free(ShownRows *rs, int nruns) {
    for (int i = 0; i < nruns; i++)
        free(rs[i].row);
}

/* Fills rs[i] for runs[i]; free with shown_rows_free. */
static void shown_rows_collect(const FrameSpec *s, const int *runs, int nruns, ShownRows *rs) {
    memset(rs, 0, sizeof *rs * (size_t)nruns);
    double *step = malloc(sizeof *step * (size_t)(s->nframes > 0 ? s->nframes : 1));
    int ok = step != NULL;
    for (int f = 0; ok && f < s->nframes; f++) {
        TimelineMoment m;
        timeline_moment(s->cfg, s->view->max_steps, f, &m);
        step[f] = m.step;
    }
    for (int i = 0; ok && i < nruns; i++) {
        const Trajectory *t = s->view->trails[runs[i]].traj;
        int n = shown_rows(t);
        unsigned char *seen = calloc((size_t)(n > 0 ? n : 1), 1);
        rs[i].row = malloc(sizeof *rs[i].row * (size_t)(n < s->nframes ? n + 1 : s->nframes + 1));
        ok = seen && rs[i].row;
        for (int f = 0; ok && f < s->nframes; f++) {
            int k = overlay_row(t, step[f]);
            if (k < n && !seen[k]) {
                seen[k] = 1;
                rs[i].n++;
            }
        }
        for (int k = 0, j = 0; ok && k < n; k++)
            if (seen[k])
                rs[i].row[j++] = k;
        free(seen);
    }
    free(step);
    if (!ok) {
        shown_rows_free(rs, nruns);
        for (int i = 0; i < nruns; i++)
            rs[i] = (ShownRows){NULL, shown_rows(s->view->trails[runs[i]].traj)};
    }
}

/* The width of the widest value of field `what` over every row the
 * readouts of runs show (rs), at text size `size`. */
static double field_width(const FrameSpec *s, const int *runs, int nruns, const ShownRows *rs,
                          int what, double size) {
    char buf[FIELD_MAX];
    double w = 0;
    for (int i = 0; i < nruns; i++) {
        const ViewTrail *vt = &s->view->trails[runs[i]];
        for (int j = 0; j < rs[i].n; j++) {
            field_text(s, vt, shown_row(&rs[i], j), what, buf);
            w = fmax(w, text_width(s->measure, buf, size));
        }
    }
    return w;
}

void overlay_readout_metrics(const FrameSpec *s, const int *runs, int nruns, int compact,
                             double maxw, ReadoutMetrics *rm) {
    TextRenderer *tr = s->measure;
    const Plane *pl = &s->view->plane;
    memset(rm, 0, sizeof *rm);
    rm->size = (compact ? OVERLAY_COMPACT_PX : OVERLAY_READOUT_PX) * TU;
    rm->lh = (compact ? OVERLAY_COMPACT_LINE_PX : OVERLAY_READOUT_LINE_PX) * TU;
    const double size = rm->size, gap = 0.55 * size;
    char buf[2 * GD_LABEL_MAX + 64], num[48];
    char step[FIELD_MAX], loss[FIELD_MAX];
    ShownRows rs[GD_MAX_RUNS];
    shown_rows_collect(s, runs, nruns, rs);
    for (int i = 0; i < nruns; i++) {
        const ViewTrail *vt = &s->view->trails[runs[i]];
        const Trajectory *t = vt->traj;
        rm->label_w = fmax(rm->label_w, text_width(tr, t->run->label, size));
        if (t->status == RUN_DIVERGED) {
            config_label_diverged(s->cfg, t->diverged_step, buf, sizeof buf);
            rm->div_w = fmax(rm->div_w, text_width(tr, buf, size));
        }
        /* Every row the readout can show, measured: the widest of each
         * field over the video, so no field ever runs into the next. */
        for (int j = 0; j < rs[i].n; j++) {
            int k = shown_row(&rs[i], j);
            snprintf(step, FIELD_MAX, "%s %d", s->cfg->labels.step, k);
            overlay_format_loss(num, sizeof num, t->loss[k]);
            snprintf(loss, FIELD_MAX, "%s %s", s->cfg->labels.loss, num);
            rm->step_w = fmax(rm->step_w, text_width(tr, step, size));
            rm->loss_w = fmax(rm->loss_w, text_width(tr, loss, size));
        }
    }
    /* The shown fields: the plane's parameters or coordinates, then the
     * distance from it. */
    int shown[2] = {-1, -1};
    for (int a = 0; a < (pl->curve ? 1 : 2); a++) {
        shown[a] = pl->axis[a];
        rm->field[rm->nfields++] = pl->axis[a] >= 0 ? pl->axis[a]
                                   : a == 0         ? READOUT_PLANE_U
                                                    : READOUT_PLANE_V;
    }
    if (plane_is_projection(s->cfg))
        rm->field[rm->nfields++] = READOUT_DISTANCE;
    double line = 0;
    for (int f = 0; f < rm->nfields; f++) {
        rm->param_w[f] = field_width(s, runs, nruns, rs, rm->field[f], size);
        line += rm->param_w[f] + (f ? gap : 0);
    }
    /* Then the others, while the parameters' line keeps within maxw. */
    for (int p = 0; p < pl->nparams && rm->nfields < READOUT_MAX_FIELDS; p++) {
        if (p == shown[0] || p == shown[1])
            continue;
        double w = field_width(s, runs, nruns, rs, p, size);
        if (line + gap + w > maxw - 40 * s->scale - 0.9 * size)
            break;
        rm->field[rm->nfields] = p;
        rm->param_w[rm->nfields++] = w;
        line += gap + w;
    }
    shown_rows_free(rs, nruns);
}

int overlay_readout_rows(const ReadoutMetrics *rm, int layout) {
    return layout == READOUT_COLUMN ? 3 + rm->nfields : layout == READOUT_TWO_LINES ? 2 : 1;
}

/* The left edges of the fields from x0 at text size k * rm->size: label,
 * step, loss, parameter fields; returns the right edge of the widest
 * line. */
static double readout_columns(const FrameSpec *s, const ReadoutMetrics *rm, int layout, double k,
                              double x0, double col[3], double pcol[READOUT_MAX_FIELDS]) {
    const double u = s->scale, size = k * rm->size, gap = 0.55 * size;
    const double left = x0 + 16 * u;
    col[0] = left + 0.9 * size;
    if (layout == READOUT_COLUMN) {
        /* A field per line, each under the label's dot. */
        double w = fmax(rm->step_w, rm->loss_w);
        col[1] = col[2] = left;
        for (int f = 0; f < rm->nfields; f++) {
            pcol[f] = left;
            w = fmax(w, rm->param_w[f]);
        }
        return fmax(col[0] + k * rm->label_w, left + k * fmax(w, rm->div_w));
    }
    col[1] = col[0] + k * rm->label_w + gap;
    col[2] = col[1] + k * rm->step_w + gap;
    double x = layout == READOUT_ONE_LINE ? col[2] + k * rm->loss_w + gap : col[1];
    double right = col[2] + k * rm->loss_w;
    for (int f = 0; f < rm->nfields; f++) {
        pcol[f] = x;
        x += k * rm->param_w[f];
        right = fmax(right, x);
        x += gap;
    }
    return fmax(right, col[1] + k * rm->div_w);
}

void overlay_readout_extent(const FrameSpec *s, const ReadoutMetrics *rm, int nruns, int layout,
                            double *w, double *h) {
    double col[3], pcol[READOUT_MAX_FIELDS];
    *w = readout_columns(s, rm, layout, 1, 0, col, pcol) + 8 * s->scale;
    *h = 4 * s->scale + rm->lh * nruns * overlay_readout_rows(rm, layout) + 0.6 * rm->lh;
}

int overlay_readout_lines(const FrameSpec *s, const ReadoutMetrics *rm, double maxw) {
    double col[3], pcol[READOUT_MAX_FIELDS];
    return readout_columns(s, rm, READOUT_ONE_LINE, 1, 0, col, pcol) <= maxw ? READOUT_ONE_LINE
                                                                             : READOUT_TWO_LINES;
}

double overlay_draw_readouts(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, double x0,
                             double top, double maxw, const int *runs, int nruns, double step,
                             int layout, const ReadoutMetrics *rm) {
    const double u = s->scale;
    const float *ink = s->theme.ink;
    const Config *cfg = s->cfg;
    const int column = layout == READOUT_COLUMN, rows = overlay_readout_rows(rm, layout);
    /* Every field has the room of its widest value over the video (see
     * overlay_readout_metrics), so entries never touch; a readout still
     * too wide for maxw shrinks, never drops. */
    double col[3], pcol[READOUT_MAX_FIELDS], k = 1;
    double right = readout_columns(s, rm, layout, 1, x0, col, pcol);
    if (right - x0 > maxw) {
        k = maxw / (right - x0);
        right = readout_columns(s, rm, layout, k, x0, col, pcol);
    }
    const double size = k * rm->size, lh = k * rm->lh;
    double height = lh * nruns * rows + 0.6 * lh;
    raster_fill_rect(out, (float)(x0 + 8 * u), (float)(top + 4 * u), (float)(right + 8 * u),
                     (float)(top + 4 * u + height), s->theme.box[0], s->theme.box[1],
                     s->theme.box[2], 0.8f);
    char stepb[FIELD_MAX], lossb[FIELD_MAX], param[READOUT_MAX_FIELDS][FIELD_MAX];
    char buf[2 * GD_LABEL_MAX + 64];
    for (int i = 0; i < nruns; i++) {
        const ViewTrail *vt = &s->view->trails[runs[i]];
        const Trajectory *t = vt->traj;
        double y = top + 4 * u + lh * (i * rows + 1);
        /* The row of each field: one line, two, or one per field. */
        double ystep = column ? y + lh : y, yloss = column ? y + 2 * lh : y;
        double yparam = column ? y + 3 * lh : layout == READOUT_TWO_LINES ? y + lh : y;
        int row = overlay_row(t, step);
        RasterVertex dot =
            vtx((float)(x0 + 16 * u + 0.3 * size), (float)(y - 0.33 * size), 0, vt->color, 1);
        raster_point(out, dot, (float)(0.36 * size), 0);
        draw_text(tr, out, t->run->label, size, col[0], y, TEXT_LEFT, vt->color);
        if (t->status == RUN_DIVERGED && row >= t->diverged_step) {
            config_label_diverged(cfg, t->diverged_step, buf, sizeof buf);
            draw_text(tr, out, buf, size, col[1], ystep, TEXT_LEFT, vt->color);
            continue;
        }
        readout_fields(s, rm, vt, row, stepb, lossb, param);
        draw_text(tr, out, stepb, size, col[1], ystep, TEXT_LEFT, ink);
        draw_text(tr, out, lossb, size, col[2], yloss, TEXT_LEFT, ink);
        for (int p = 0; p < rm->nfields; p++)
            draw_text(tr, out, param[p], size, pcol[p], yparam + (column ? p * lh : 0), TEXT_LEFT,
                      ink);
    }
    return height + 8 * u;
}

/* A caption band r: its background and text, centred, shrunk to fit. */
static void draw_band(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r,
                      const char *text, const float color[3]) {
    raster_fill_rect(out, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h),
                     s->theme.caption_bg[0], s->theme.caption_bg[1], s->theme.caption_bg[2], 1);
    double size = OVERLAY_CAPTION_PX * TU;
    float w, asc, desc;
    text_measure(tr, text, (float)size, &w, &asc, &desc);
    if (w > r.w - 8 * s->scale) /* shrink to fit a narrow view */
        size *= (r.w - 8 * s->scale) / w;
    draw_text(tr, out, text, size, r.x + r.w / 2, r.y + r.h / 2 + 0.35 * size, TEXT_CENTER, color);
}

void overlay_draw_caption(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r,
                          int run) {
    const RunConfig *rc = s->view->trails[run].traj->run;
    const int np = s->cfg->model.nparams;
    char start[GD_LABEL_MAX + 200] = "", buf[GD_TEXT_MAX + 2 * GD_LABEL_MAX + 256];
    /* The start's values when they are few enough to read. */
    if (np == 1) /* "start a = 0.5" */
        snprintf(start, sizeof start, "  ·  %s %.60s = %.4g", s->cfg->labels.start,
                 s->view->plane.name[0], rc->init[0]);
    else if (np <= OVERLAY_CAPTION_START_PARAMS) {
        size_t o = (size_t)snprintf(start, sizeof start, "  ·  %s (", s->cfg->labels.start);
        for (int i = 0; i < np && o < sizeof start; i++)
            o +=
                (size_t)snprintf(start + o, sizeof start - o, "%s%.4g", i ? ", " : "", rc->init[i]);
        if (o < sizeof start)
            snprintf(start + o, sizeof start - o, ")");
    }
    snprintf(buf, sizeof buf, "%s%s  ·  %s, LR %.4g", rc->label, start,
             config_optimizer_name(rc->optimizer), rc->lr);
    draw_band(s, tr, out, r, buf, s->view->trails[run].color);
}

void overlay_draw_plane_caption(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r) {
    const Plane *pl = &s->view->plane;
    const Config *cfg = s->cfg;
    char buf[3 * GD_LABEL_MAX + 128];
    if (pl->kind == PLANE_PCA) {
        snprintf(buf, sizeof buf, "PCA plane of the paths (PC1 %.0f%%, PC2 %.0f%%)",
                 100 * pl->explained[0], 100 * pl->explained[1]);
    } else if (pl->kind == PLANE_RANDOM) {
        snprintf(buf, sizeof buf, "random plane (seed %llu)", cfg->surface.plane_seed);
    } else {
        int held = -1, nheld = 0;
        for (int i = 0; i < pl->nparams; i++)
            if (i != pl->axis[0] && i != pl->axis[1]) {
                held = i;
                nheld++;
            }
        if (nheld == 1)
            snprintf(buf, sizeof buf, "slice through %s, %s (%s = %.3g)", pl->name[0], pl->name[1],
                     cfg->labels.param[held], pl->origin[held]);
        else
            snprintf(buf, sizeof buf, "slice through %s, %s (%d others at the center)", pl->name[0],
                     pl->name[1], nheld);
    }
    draw_band(s, tr, out, r, buf, s->theme.ink);
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
