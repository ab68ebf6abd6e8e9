/*
 * curve.c — the one-parameter view (see curve.h).
 *
 * Sizes are given at 720p and multiplied by the view's size unit `scale`
 * (text by [video] text_scale too). The raster functions clip only to the
 * target, so lines are clipped to the plot area here and labels are kept
 * inside the view.
 */
#include "frame/curve.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/geom.h"
#include "base/ticks.h"
#include "base/tunables.h"
#include "draw/colormap.h"
#include "model/formula.h"
#include "view/landscape.h"

/* ------------------------------------------------------------- sampling */

int curve_init(CurveScene *c, const FrameSpec *spec, GdError *err) {
    memset(c, 0, sizeof *c);
    c->spec = spec;
    const Config *cfg = spec->cfg;
    const View *v = spec->view;
    const Landscape *ls = &v->land;
    c->ulo = ls->lo[0];
    c->uhi = ls->hi[0];
    c->n = CURVE_SAMPLES;
    c->u = malloc(sizeof(double) * 2 * (size_t)c->n);
    if (!c->u)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory sampling the loss curve");
    c->z = c->u + c->n;
    double zmin = DBL_MAX, zmax = -DBL_MAX;
    double p[GD_MAX_PARAMS] = {0};
    for (int i = 0; i < c->n; i++) {
        double u = c->ulo + (c->uhi - c->ulo) * i / (c->n - 1);
        plane_point(&v->plane, u, 0, p);
        double l =
            formula_mse(cfg->model.formula, cfg->data_x, cfg->data_y, NULL, cfg->ndata, p, NULL);
        double z = isfinite(l) ? landscape_z(ls->zscale, l) : NAN;
        c->u[i] = u;
        c->z[i] = z;
        if (isfinite(z)) {
            zmin = fmin(zmin, z);
            zmax = fmax(zmax, z);
        }
    }
    landscape_z_limits(ls->zscale, &zmin, &zmax);
    /* Room under the valley's floor for the ball, and above the rims. */
    double span = zmax - zmin;
    c->ylo = zmin - 0.05 * span;
    c->yhi = zmax + 0.06 * span;
    return 0;
}

void curve_free(CurveScene *c) {
    if (!c)
        return;
    free(c->u);
    memset(c, 0, sizeof *c);
}

double curve_z(const CurveScene *c, double u) {
    if (!(u >= c->ulo && u <= c->uhi) || c->n < 2)
        return NAN;
    double g = (u - c->ulo) / (c->uhi - c->ulo) * (c->n - 1);
    int i = (int)floor(g);
    if (i > c->n - 2)
        i = c->n - 2;
    double f = g - i;
    return c->z[i] + f * (c->z[i + 1] - c->z[i]);
}

/* ----------------------------------------------------------------- axes */

#define TICK_PX(scale) (SCENE3D_TICK_PX * (scale)*c->spec->text_scale)
#define NAME_PX(scale) (SCENE3D_NAME_PX * (scale)*c->spec->text_scale)

double curve_map_x(const CurveAxes *ax, double u) {
    return ax->x0 + (u - ax->ulo) / (ax->uhi - ax->ulo) * (ax->x1 - ax->x0);
}

double curve_map_y(const CurveAxes *ax, double z) {
    return ax->y1 - (z - ax->ylo) / (ax->yhi - ax->ylo) * (ax->y1 - ax->y0);
}

static int is_log(const CurveScene *c) {
    return c->spec->view->land.zscale == ZSCALE_LOG;
}

/* The axes and their ticks (either tick pointer may be NULL). */
static int axes_ticks(const CurveScene *c, Rect v, double scale, CurveAxes *ax, Ticks *xt,
                      Ticks *yt) {
    Ticks xl, yl;
    if (!xt)
        xt = &xl;
    if (!yt)
        yt = &yl;
    memset(ax, 0, sizeof *ax);
    const double tick = TICK_PX(scale), name = NAME_PX(scale);
    ax->ulo = c->ulo;
    ax->uhi = c->uhi;
    ax->ylo = c->ylo;
    ax->yhi = c->yhi;
    /* Above: the loss axis name; below: tick labels and the parameter's
     * name. */
    ax->y0 = round(v.y + 1.45 * name + 10 * scale);
    ax->y1 = round(v.y + v.h - (1.3 * tick + 1.35 * name + 14 * scale));
    ticks_make(yt, ax->ylo, ax->yhi, (int)((ax->y1 - ax->y0) / (48 * scale)), is_log(c));
    double lw = 0;
    for (int i = 0; i < yt->n; i++)
        lw = fmax(lw, text_estimate_width(yt->label[i], tick));
    ax->x0 = round(v.x + 10 * scale + lw + 10 * scale);
    ax->x1 = round(v.x + v.w - 24 * scale);
    for (int target = (int)((ax->x1 - ax->x0) / (80 * scale));; target--) {
        ticks_make(xt, ax->ulo, ax->uhi, target, 0);
        if (target <= 2 || xt->n < 2)
            break;
        double gap = fabs(curve_map_x(ax, xt->v[1]) - curve_map_x(ax, xt->v[0])), w = 0;
        for (int i = 0; i < xt->n; i++)
            w = fmax(w, text_estimate_width(xt->label[i], tick));
        if (w + 10 * scale <= gap)
            break;
    }
    return ax->x1 - ax->x0 >= 16 && ax->y1 - ax->y0 >= 16 && ax->uhi > ax->ulo && ax->yhi > ax->ylo;
}

int curve_axes(const CurveScene *c, Rect v, double scale, CurveAxes *ax) {
    return axes_ticks(c, v, scale, ax, NULL, NULL);
}

/* The tick labels' and names' positions: each string, its size, its
 * anchor (x, baseline y) and alignment; returns how many (at most max). */
typedef struct AxisText {
    const char *text;
    double size, x, y;
    int align;
} AxisText;

static int axis_texts(const CurveScene *c, Rect v, double scale, const CurveAxes *ax,
                      const Ticks *xt, const Ticks *yt, AxisText *t, int max) {
    const Config *cfg = c->spec->cfg;
    const double tick = TICK_PX(scale), name = NAME_PX(scale), tl = 6 * scale;
    int n = 0;
    for (int i = 0; i < xt->n && n < max; i++) {
        double x = round(curve_map_x(ax, xt->v[i]));
        if (x < ax->x0 - 0.5 || x > ax->x1 + 0.5)
            continue;
        t[n++] =
            (AxisText){xt->label[i], tick, x, ax->y1 + tl + 3 * scale + 0.93 * tick, TEXT_CENTER};
    }
    for (int i = 0; i < yt->n && n < max; i++) {
        double y = round(curve_map_y(ax, yt->v[i]));
        if (y < ax->y0 - 0.5 || y > ax->y1 + 0.5)
            continue;
        t[n++] =
            (AxisText){yt->label[i], tick, ax->x0 - tl - 4 * scale, y + 0.35 * tick, TEXT_RIGHT};
    }
    if (n < max)
        t[n++] = (AxisText){c->spec->view->plane.name[0], name, 0.5 * (ax->x0 + ax->x1),
                            v.y + v.h - 6 * scale - 0.24 * name, TEXT_CENTER};
    if (n < max)
        t[n++] = (AxisText){cfg->labels.loss, name, fmax(v.x + 6 * scale, ax->x0 - tl),
                            ax->y0 - 8 * scale - 0.24 * name, TEXT_LEFT};
    return n;
}

static Rect text_box(TextRenderer *tr, const AxisText *a, double pad) {
    float w, asc, desc;
    text_measure(tr, a->text, (float)a->size, &w, &asc, &desc);
    double left = a->align == TEXT_LEFT ? a->x : a->align == TEXT_CENTER ? a->x - w / 2 : a->x - w;
    return (Rect){left - pad, a->y - asc - pad, w + 2 * pad, asc + desc + 2 * pad};
}

int curve_label_boxes(const CurveScene *c, TextRenderer *tr, Rect v, double scale, Rect *boxes,
                      int max) {
    CurveAxes ax;
    Ticks xt, yt;
    if (!axes_ticks(c, v, scale, &ax, &xt, &yt))
        return 0;
    AxisText t[2 * TICKS_MAX + 2];
    int n = axis_texts(c, v, scale, &ax, &xt, &yt, t, 2 * TICKS_MAX + 2);
    int k = 0;
    for (int i = 0; i < n && k < max; i++)
        boxes[k++] = text_box(tr, &t[i], 2 * scale);
    return k;
}

/* ---------------------------------------------------------------- hops */

void curve_hop_point(const CurveScene *c, const CurveAxes *ax, double x0, double y0, double x1,
                     double y1, double f, double top, double *x, double *y) {
    double cx = x0 + f * (x1 - x0), cy = y0 + f * (y1 - y0);
    /* Up (y falls): a parabola over the chord, lowered as a whole where
     * its middle would rise above top (a hop near the top of the plot, or
     * one out of it), so it keeps its shape instead of flattening. */
    double height = CURVE_HOP_LIFT * fabs(x1 - x0);
    height = fmin(height, fmax(0.0, 0.5 * (y0 + y1) - top));
    double py = cy - height * 4 * f * (1 - f);
    if (py < top && y0 >= top && y1 >= top) /* a steep chord's arc peaks off its middle */
        py = fmin(cy, top);
    if (c && ax && f > 0 && f < 1) {
        double zc = curve_z(c, ax->ulo + (cx - ax->x0) / (ax->x1 - ax->x0) * (ax->uhi - ax->ulo));
        if (isfinite(zc))
            py = fmin(py, curve_map_y(ax, zc)); /* never under the curve */
    }
    *x = cx;
    *y = py;
}

/* The pixel position of row k of a trail: its u and its own loss. */
static void row_xy(const CurveScene *c, const CurveAxes *ax, const ViewTrail *tr, int k, double *x,
                   double *y) {
    const double big = 1e7;
    double z = landscape_z(c->spec->view->land.zscale, tr->traj->loss[k]);
    *x = fmin(fmax(curve_map_x(ax, tr->uv[2 * (size_t)k]), -big), big);
    *y = isfinite(z) ? fmin(fmax(curve_map_y(ax, z), -big), big) : -big;
}

/* The row range a run shows at `step`: its last whole row k and the
 * fraction f of the hop after it. Returns 0 without rows. */
static int run_at(const ViewTrail *tr, double step, int *k, double *f) {
    if (tr->npoints <= 0)
        return 0;
    double l = fmin(fmax(step, 0.0), (double)(tr->npoints - 1));
    *k = (int)floor(l);
    *f = *k + 1 < tr->npoints ? l - *k : 0;
    return 1;
}

int curve_ball_xy(const CurveScene *c, const CurveAxes *ax, const ViewTrail *tr, double step,
                  double *x, double *y) {
    int k;
    double f;
    if (!run_at(tr, step, &k, &f))
        return 0;
    double x0, y0;
    row_xy(c, ax, tr, k, &x0, &y0);
    if (f <= 0) {
        *x = x0;
        *y = y0;
        return 1;
    }
    double x1, y1;
    row_xy(c, ax, tr, k + 1, &x1, &y1);
    const double r = CURVE_BALL_R_PX * c->spec->scale;
    curve_hop_point(c, ax, x0, y0, x1, y1, f, ax->y0 + r, x, y);
    return 1;
}

/* ------------------------------------------------------------- drawing */

static RasterVertex vtx(double x, double y, const float col[3], float a) {
    RasterVertex v = {(float)x, (float)y, 0, col[0], col[1], col[2], a};
    return v;
}

static int flags_of(const CurveScene *c) {
    return c->spec->aa ? 0 : RASTER_NO_AA;
}

static int in_plot(const CurveAxes *ax, double x, double y) {
    return x >= ax->x0 - 0.5 && x <= ax->x1 + 0.5 && y >= ax->y0 - 0.5 && y <= ax->y1 + 0.5;
}

/* A line clipped to the plot area. */
static void line(const CurveScene *c, RasterTarget *out, const CurveAxes *ax, double xa, double ya,
                 double xb, double yb, const float col[3], float alpha, double width) {
    const double a[2] = {xa, ya}, b[2] = {xb, yb};
    const double lo[2] = {ax->x0, ax->y0}, hi[2] = {ax->x1, ax->y1};
    double t0, t1;
    if (!geom_clip_segment(2, a, b, lo, hi, 0, &t0, &t1))
        return;
    double dx = xb - xa, dy = yb - ya;
    raster_line(out, vtx(xa + t0 * dx, ya + t0 * dy, col, alpha),
                vtx(xa + t1 * dx, ya + t1 * dy, col, alpha), (float)width, flags_of(c));
}

/* The grid, the tinted area under the curve, the curve and the axes. */
static void draw_plot(const CurveScene *c, TextRenderer *tr, RasterTarget *out, Rect v,
                      double scale, const CurveAxes *ax, const Ticks *xt, const Ticks *yt) {
    const FrameSpec *s = c->spec;
    const FrameTheme *th = &s->theme;
    const float lw = (float)fmax(1.0, round(scale));
    for (int i = 0; i < yt->n; i++) {
        double y = round(curve_map_y(ax, yt->v[i]));
        if (y > ax->y0 + 1 && y < ax->y1 - 1)
            raster_fill_rect(out, (float)ax->x0, (float)y - lw, (float)ax->x1, (float)y,
                             th->pane_grid[0], th->pane_grid[1], th->pane_grid[2], 1);
    }
    for (int i = 0; i < xt->n; i++) {
        double x = round(curve_map_x(ax, xt->v[i]));
        if (x > ax->x0 + 1 && x < ax->x1 - 1)
            raster_fill_rect(out, (float)x, (float)ax->y0, (float)x + lw, (float)ax->y1,
                             th->pane_grid[0], th->pane_grid[1], th->pane_grid[2], 1);
    }
    /* Under the curve, each column tinted with the colormap's colour of its
     * loss: the contour strip's colours, and the colourbar's. */
    const Landscape *ls = &s->view->land;
    const double zspan = ls->zhi - ls->zlo;
    for (int px = (int)ax->x0; px < (int)ax->x1; px++) {
        double u = ax->ulo + (px + 0.5 - ax->x0) / (ax->x1 - ax->x0) * (ax->uhi - ax->ulo);
        double z = curve_z(c, u);
        if (!isfinite(z))
            continue;
        double y = fmax(curve_map_y(ax, z), ax->y0);
        if (y >= ax->y1)
            continue;
        float col[3];
        colormap_eval(s->cfg->surface.colormap, fmin(fmax((z - ls->zlo) / zspan, 0), 1), col);
        raster_fill_rect(out, (float)px, (float)y, (float)px + 1, (float)ax->y1, col[0], col[1],
                         col[2], 0.2f);
    }
    /* The curve: a polyline through the samples, broken where the loss is
     * not finite. */
    const double w = CURVE_LINE_PX * scale;
    for (int i = 0; i + 1 < c->n; i++) {
        if (!isfinite(c->z[i]) || !isfinite(c->z[i + 1]))
            continue;
        double ya = fmin(fmax(curve_map_y(ax, c->z[i]), -1e7), 1e7);
        double yb = fmin(fmax(curve_map_y(ax, c->z[i + 1]), -1e7), 1e7);
        line(c, out, ax, curve_map_x(ax, c->u[i]), ya, curve_map_x(ax, c->u[i + 1]), yb, th->ink, 1,
             w);
    }
    /* The axes: left and bottom, with ticks. */
    const float *k = th->axis;
    const float tl = (float)(6 * scale);
    float x0 = (float)ax->x0, y0 = (float)ax->y0, x1 = (float)ax->x1, y1 = (float)ax->y1;
    raster_fill_rect(out, x0 - lw, y0, x0, y1 + lw, k[0], k[1], k[2], 1);
    raster_fill_rect(out, x0 - lw, y1, x1, y1 + lw, k[0], k[1], k[2], 1);
    for (int i = 0; i < xt->n; i++) {
        double x = round(curve_map_x(ax, xt->v[i]));
        if (x >= ax->x0 - 0.5 && x <= ax->x1 + 0.5)
            raster_fill_rect(out, (float)x - lw, y1 + lw, (float)x, y1 + lw + tl, k[0], k[1], k[2],
                             1);
    }
    for (int i = 0; i < yt->n; i++) {
        double y = round(curve_map_y(ax, yt->v[i]));
        if (y >= ax->y0 - 0.5 && y <= ax->y1 + 0.5)
            raster_fill_rect(out, x0 - lw - tl, (float)y, x0 - lw, (float)y + lw, k[0], k[1], k[2],
                             1);
    }
    AxisText t[2 * TICKS_MAX + 2];
    int n = axis_texts(c, v, scale, ax, xt, yt, t, 2 * TICKS_MAX + 2);
    for (int i = 0; i < n; i++) {
        Rect b = text_box(tr, &t[i], 0);
        if (b.x < v.x || b.x + b.w > v.x + v.w || b.y < v.y || b.y + b.h > v.y + v.h)
            continue;
        text_draw(tr, out, t[i].text, (float)t[i].size, (float)t[i].x, (float)t[i].y, t[i].align,
                  th->ink[0], th->ink[1], th->ink[2], 1);
    }
}

/* A hop's arc from row k to row k + 1, up to fraction f. */
static void draw_hop(const CurveScene *c, RasterTarget *out, const CurveAxes *ax,
                     const ViewTrail *tr, int k, double f, float alpha, double width) {
    double x0, y0, x1, y1;
    row_xy(c, ax, tr, k, &x0, &y0);
    row_xy(c, ax, tr, k + 1, &x1, &y1);
    const double top = ax->y0 + CURVE_BALL_R_PX * c->spec->scale;
    double len = fabs(x1 - x0) + fabs(y1 - y0);
    if (!(len < 1e7))
        len = 1e7;
    int pieces = (int)fmin(fmax(ceil(f * len / (4 * c->spec->scale)), 2), 64);
    double px = x0, py = y0;
    for (int q = 1; q <= pieces; q++) {
        double x, y;
        curve_hop_point(c, ax, x0, y0, x1, y1, f * q / pieces, top, &x, &y);
        line(c, out, ax, px, py, x, y, tr->color, alpha, width);
        px = x;
        py = y;
    }
}

static void draw_ball(const CurveScene *c, RasterTarget *out, double x, double y, double r,
                      const float col[3], float alpha) {
    static const float dark[3] = {0.1f, 0.1f, 0.1f};
    raster_point(out, vtx(x, y, col, alpha), (float)r, flags_of(c));
    raster_ring(out, vtx(x, y, dark, 0.8f * alpha), (float)r, (float)(1.5 * c->spec->scale),
                flags_of(c));
}

/* A run's visited iterates (faint dots on the curve, one per pixel) and
 * its last hops as arcs, the older the fainter, the one under way up to
 * the ball. */
static void draw_trail(const CurveScene *c, RasterTarget *out, const CurveAxes *ax,
                       const ViewTrail *tr, const TimelineMoment *m, double scale) {
    int kmax;
    double f;
    if (!run_at(tr, m->step, &kmax, &f))
        return;
    double lx = -1e9, ly = -1e9;
    for (int k = 0; k <= kmax; k++) {
        double x, y;
        row_xy(c, ax, tr, k, &x, &y);
        if (fabs(x - lx) < 1 && fabs(y - ly) < 1)
            continue;
        lx = x;
        ly = y;
        if (in_plot(ax, x, y))
            raster_point(out, vtx(x, y, tr->color, 0.45f * tr->alpha[k]), (float)(2.6 * scale),
                         flags_of(c));
    }
    const double w = CURVE_TRAIL_PX * scale;
    for (int k = kmax - CURVE_TRAIL_HOPS; k <= kmax; k++) {
        if (k < 0 || k + 1 >= tr->npoints)
            continue;
        double ff = k < kmax ? 1 : f;
        if (ff <= 0)
            continue;
        double age = (double)(kmax - k) / CURVE_TRAIL_HOPS;
        draw_hop(c, out, ax, tr, k, ff, (float)(0.9 * (1 - age) * tr->alpha[k]), w);
    }
}

/* A run's start: a ring in its colour around a dot of the background. */
static void draw_start(const CurveScene *c, RasterTarget *out, const CurveAxes *ax,
                       const ViewTrail *tr, double scale) {
    double sx, sy;
    if (tr->npoints <= 0)
        return;
    row_xy(c, ax, tr, 0, &sx, &sy);
    if (in_plot(ax, sx, sy)) {
        const double r = CURVE_BALL_R_PX * scale;
        raster_point(out, vtx(sx, sy, c->spec->theme.bg, 1), (float)r, flags_of(c));
        raster_ring(out, vtx(sx, sy, tr->color, 1), (float)r, (float)(3 * scale), flags_of(c));
    }
}

/* A run's afterimages (the iterates of the last moments, view/timeline.h,
 * fading) and its ball; fills ts. */
static void draw_balls(const CurveScene *c, RasterTarget *out, const CurveAxes *ax,
                       const ViewTrail *tr, const TimelineMoment *m, double scale,
                       Scene3DRunState *ts) {
    memset(ts, 0, sizeof *ts);
    int kmax;
    double f;
    if (!run_at(tr, m->step, &kmax, &f))
        return;
    ts->row = kmax;
    const double r = CURVE_BALL_R_PX * scale;
    for (int i = kmax - 1; i > (int)m->recent; i--) {
        if (i < 0)
            continue;
        double x, y;
        row_xy(c, ax, tr, i, &x, &y);
        if (!in_plot(ax, x, y))
            continue;
        float a = (float)(1.0 - 0.45 * timeline_afterimage_age(m, i));
        double rr = 0.85 * r;
        if (m->rate >= TIMELINE_SNAP_RATE && i == kmax - 1) {
            a = 1;
            rr = r;
        }
        draw_ball(c, out, x, y, rr, tr->color, a);
    }
    double bx, by;
    curve_ball_xy(c, ax, tr, m->step, &bx, &by);
    if (in_plot(ax, bx, by)) {
        draw_ball(c, out, bx, by, r, tr->color, 1);
        ts->ball_drawn = ts->ball_in_box = 1;
        ts->ball_x = (float)bx;
        ts->ball_y = (float)by;
        ts->ball_r = (float)r;
    }
    /* Where the drawn trail ends: the ball, or the last iterate in the
     * plot (a diverging run leaves it). */
    for (int k = kmax; k >= 0 && !ts->has_end; k--) {
        double x = bx, y = by;
        if (k < kmax || !ts->ball_drawn)
            row_xy(c, ax, tr, k, &x, &y);
        if (in_plot(ax, x, y)) {
            ts->has_end = 1;
            ts->end_x = (float)x;
            ts->end_y = (float)y;
        }
    }
}

static float point_radius(const FramePoint *p, double scale) {
    return (float)((p->minimum == 2 ? SCENE3D_GLOBAL_R_PX : SCENE3D_MARK_R_PX) * scale);
}

/* A mark's or minimum's position on the curve (its loss is the curve's). */
static void point_xy(const CurveScene *c, const CurveAxes *ax, const FramePoint *p, double *x,
                     double *y) {
    *x = curve_map_x(ax, p->uv[0]);
    double z = landscape_z(c->spec->view->land.zscale, p->loss);
    *y = isfinite(z) ? curve_map_y(ax, z) : -1e7;
}

static void draw_diamond(const CurveScene *c, RasterTarget *out, double x, double y, double r,
                         const float col[3]) {
    static const double dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1};
    RasterVertex q[4];
    for (int k = 0; k < 4; k++)
        q[k] = vtx(x + dx[k] * r, y + dy[k] * r, col, 1);
    RasterVertex t1[3] = {q[0], q[1], q[2]}, t2[3] = {q[0], q[2], q[3]};
    raster_triangle(out, t1, 0);
    raster_triangle(out, t2, 0);
    for (int k = 0; k < 4; k++)
        raster_line(out, vtx(q[k].x, q[k].y, c->spec->theme.mark, 1),
                    vtx(q[(k + 1) % 4].x, q[(k + 1) % 4].y, c->spec->theme.mark, 1),
                    (float)(1.4 * c->spec->scale), flags_of(c));
}

/* "diverged at step k" beside where a diverged run's trail ends. */
static void draw_divergence(const CurveScene *c, TextRenderer *tr, RasterTarget *out,
                            const CurveAxes *ax, const ViewTrail *t, const Scene3DRunState *ts,
                            double step, double scale, Rect *taken, int *ntaken, int cap) {
    const Trajectory *traj = t->traj;
    if (traj->status != RUN_DIVERGED || step < traj->diverged_step)
        return;
    char buf[64];
    config_label_diverged(c->spec->cfg, traj->diverged_step, buf, sizeof buf);
    const double size = SCENE3D_DIVERGED_PX * scale * c->spec->text_scale;
    float w, asc, desc;
    text_measure(tr, buf, (float)size, &w, &asc, &desc);
    /* Beside where the trail leaves, inside the plot area. */
    double x = ts->has_end ? ts->end_x + 14 * scale : 0.5 * (ax->x0 + ax->x1 - w);
    double y = ts->has_end ? ts->end_y : 0.5 * (ax->y0 + ax->y1);
    x = fmin(fmax(x, ax->x0 + 8 * scale), ax->x1 - w - 8 * scale);
    y = fmin(fmax(y, ax->y0 + asc + 6 * scale), ax->y1 - desc - 6 * scale);
    const float *b = c->spec->theme.box;
    raster_fill_rect(out, (float)(x - 4 * scale), (float)(y - asc - 3 * scale),
                     (float)(x + w + 4 * scale), (float)(y + desc + 3 * scale), b[0], b[1], b[2],
                     0.85f);
    if (*ntaken < cap)
        taken[(*ntaken)++] =
            (Rect){x - 4 * scale, y - asc - 3 * scale, w + 8 * scale, asc + desc + 6 * scale};
    text_draw(tr, out, buf, (float)size, (float)x, (float)y, TEXT_LEFT, t->color[0], t->color[1],
              t->color[2], 1);
}

int curve_render(const CurveScene *c, TextRenderer *tr, RasterTarget *out, Rect v, Rect keep_clear,
                 const int *runs, int nruns, const TimelineMoment *m, double scale,
                 Scene3DPin *pins, int npins, Scene3DRunState *ts, Rect *point_boxes, int max) {
    const FrameSpec *s = c->spec;
    for (int i = 0; i < nruns; i++)
        memset(&ts[i], 0, sizeof ts[i]);
    for (int i = 0; i < npins; i++)
        pins[i].top_ok = 0;
    CurveAxes ax;
    Ticks xt, yt;
    if (!axes_ticks(c, v, scale, &ax, &xt, &yt))
        return 0;
    draw_plot(c, tr, out, v, scale, &ax, &xt, &yt);

    /* What labels keep off: the axes' labels, the readouts, the markers,
     * and the curve itself and each run's path (as pieces). */
    enum { NRECT = 2 * TICKS_MAX + 2 + FRAME_MAX_POINTS * 2 + GD_MAX_RUNS + 2, NSEG = 2048 };
    Rect rect[NRECT];
    float seg[NSEG][4];
    int nrect = curve_label_boxes(c, tr, v, scale, rect, 2 * TICKS_MAX + 2), nseg = 0;
    if (keep_clear.w > 0)
        rect[nrect++] = keep_clear;

    /* Marks and minima: diamonds on the curve. */
    int first_point = nrect;
    for (int i = 0; i < s->npoints; i++) {
        double x, y;
        point_xy(c, &ax, &s->points[i], &x, &y);
        if (!in_plot(&ax, x, y))
            continue;
        double r = point_radius(&s->points[i], scale);
        draw_diamond(c, out, x, y, r, s->points[i].color);
        rect[nrect++] = (Rect){x - r - scale, y - r - scale, 2 * r + 2 * scale, 2 * r + 2 * scale};
    }
    /* Caption pins: a dot on the curve and a leader line up from it. */
    for (int i = 0; i < npins; i++) {
        Scene3DPin *p = &pins[i];
        double x = curve_map_x(&ax, p->p[0]), z = curve_z(c, p->p[0]);
        if (!isfinite(z))
            continue;
        double y = curve_map_y(&ax, z);
        if (!in_plot(&ax, x, y))
            continue;
        double top = fmax(ax.y0, y - CURVE_PIN_RISE_PX * scale);
        const float *ink = s->theme.ink;
        line(c, out, &ax, x, y, x, top, ink, 0.8f * p->alpha, 1.3 * scale);
        raster_point(out, vtx(x, y, ink, p->alpha), (float)(3.5 * scale), flags_of(c));
        p->top_ok = 1;
        p->top_x = (float)x;
        p->top_y = (float)top;
        p->foot_x = (float)x;
        p->foot_y = (float)y;
    }
    for (int i = 0; i + 1 < c->n && nseg < NSEG; i += 8) {
        int j = i + 8 < c->n ? i + 8 : c->n - 1;
        if (!isfinite(c->z[i]) || !isfinite(c->z[j]))
            continue;
        seg[nseg][0] = (float)curve_map_x(&ax, c->u[i]);
        seg[nseg][1] = (float)fmin(fmax(curve_map_y(&ax, c->z[i]), -1e7), 1e7);
        seg[nseg][2] = (float)curve_map_x(&ax, c->u[j]);
        seg[nseg][3] = (float)fmin(fmax(curve_map_y(&ax, c->z[j]), -1e7), 1e7);
        nseg++;
    }
    /* Every trail, then every start, then every ball: no start marker
     * covers a ball (runs that start together). */
    for (int i = 0; i < nruns; i++)
        draw_trail(c, out, &ax, &s->view->trails[runs[i]], m, scale);
    for (int i = 0; i < nruns; i++)
        draw_start(c, out, &ax, &s->view->trails[runs[i]], scale);
    for (int i = 0; i < nruns; i++)
        draw_balls(c, out, &ax, &s->view->trails[runs[i]], m, scale, &ts[i]);
    for (int i = 0; i < nruns; i++)
        draw_divergence(c, tr, out, &ax, &s->view->trails[runs[i]], &ts[i], m->step, scale, rect,
                        &nrect, NRECT);
    /* The points' labels beside their diamonds, where there is room. */
    FrameObstacles o = {.area = {ax.x0, v.y, ax.x1 - ax.x0, ax.y1 - v.y},
                        .rect = rect,
                        .nrect = nrect,
                        .cap = NRECT,
                        .seg = (const float(*)[4])seg,
                        .nseg = nseg,
                        .seg_hw = 2 * scale,
                        .own = -1};
    int nboxes = 0;
    for (int i = 0, k = first_point; i < s->npoints; i++) {
        const FramePoint *pt = &s->points[i];
        double x, y;
        point_xy(c, &ax, pt, &x, &y);
        if (!in_plot(&ax, x, y))
            continue;
        o.own = k++;
        FrameLabel l;
        const double size = SCENE3D_MARK_PX * scale * s->text_scale;
        /* Off the curve where there is room, else across it (a minimum
         * at the bottom of a narrow dip has the curve all around it). */
        const double reach = point_radius(pt, scale) + 4 * scale;
        o.nseg = nseg;
        int placed = frame_label_place(tr, pt, size, 2 * scale, x, y, reach, &o, &l);
        if (!placed) {
            o.nseg = 0;
            placed = frame_label_place(tr, pt, size, 2 * scale, x, y, reach, &o, &l);
        }
        if (placed) {
            frame_label_draw(tr, out, pt, size, &l, s->theme.box, s->theme.ink);
            if (point_boxes && nboxes < max)
                point_boxes[nboxes++] = l.box;
        }
    }
    return nboxes;
}
