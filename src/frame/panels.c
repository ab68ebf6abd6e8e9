/*
 * panels.c — the 2D panels (contour map with trails, data with fitted
 * curves, loss per step) and the colourbar (see panels.h).
 *
 * Coordinate spaces: `p` values are parameter values, (u, v) plane
 * coordinates, box coordinates the landscape's box mapped to [-1, 1]^2, and
 * pixel coordinates are output pixels. Sizes are given at 720p and
 * multiplied by s->scale. The raster functions clip only
 * to the target, so every line is clipped to its plot area here
 * (Liang-Barsky), markers are drawn only inside it, and labels are kept
 * inside the panel's rectangle.
 */
#include "frame/panels.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/geom.h"
#include "base/num.h"
#include "base/ticks.h"
#include "base/tunables.h"
#include "draw/colormap.h"
#include "model/formula.h"

/* The text size unit (text sizes scale with [video] text_scale too). */
#define TU (s->scale * s->text_scale)

struct PanelCache {
    double fit_range[4];  /* data x lo/hi, y lo/hi, margins included */
    double loss_range[2]; /* log10 of the loss axis ends: whole decades */
    int has_image;        /* the contour panel's filled map with its lines */
    PlotAxes image_axes;
    RasterTarget image;
    int has_basins; /* the basins panel's map with its borders */
    RasterTarget basins;
};

/* ------------------------------------------------------------- helpers */

static RasterVertex vtx(double x, double y, const float c[3], float a) {
    RasterVertex v = {(float)x, (float)y, 0, c[0], c[1], c[2], a};
    return v;
}

/* The pixels [i0, i1) x [j0, j1) of a w x h target that fill_opaque
 * fills for the rectangle x0..x1, y0..y1. */
static void opaque_pixels(int w, int h, double x0, double y0, double x1, double y1, int *i0,
                          int *i1, int *j0, int *j1) {
    *i0 = num_clamp_int(ceil(x0), 0, w);
    *i1 = num_clamp_int(floor(x1), 0, w);
    *j0 = num_clamp_int(ceil(y0), 0, h);
    *j1 = num_clamp_int(floor(y1), 0, h);
}

/* Opaque fill of the whole pixels inside [x0, x1) x [y0, y1), clipped to t: the
 * backgrounds, without raster_fill_rect's per-pixel blending. */
static void fill_opaque(RasterTarget *t, double x0, double y0, double x1, double y1,
                        const float c[3]) {
    int i0, i1, j0, j1;
    opaque_pixels(t->w, t->h, x0, y0, x1, y1, &i0, &i1, &j0, &j1);
    if (i1 <= i0 || j1 <= j0)
        return;
    uint8_t px[3];
    for (int q = 0; q < 3; q++)
        px[q] = (uint8_t)lrintf(fminf(fmaxf(c[q], 0.0f), 1.0f) * 255.0f);
    uint8_t *row0 = t->rgb + ((size_t)j0 * t->w + i0) * 3;
    for (int i = 0; i < i1 - i0; i++)
        memcpy(row0 + 3 * i, px, 3);
    for (int j = j0 + 1; j < j1; j++)
        memcpy(t->rgb + ((size_t)j * t->w + i0) * 3, row0, (size_t)(i1 - i0) * 3);
}

static int line_flags(const FrameSpec *s) {
    return s->aa ? 0 : RASTER_NO_AA;
}

static double map_lin(double v, double lo, double hi, double a, double b) {
    return a + (v - lo) / (hi - lo) * (b - a);
}

double panels_map_x(const PlotAxes *ax, double v) {
    return map_lin(v, ax->xlo, ax->xhi, ax->x0, ax->x1);
}

double panels_map_y(const PlotAxes *ax, double v) {
    if (ax->ylog)
        v = v > 0 ? log10(v) : -HUGE_VAL;
    return map_lin(v, ax->ylo, ax->yhi, ax->y1, ax->y0);
}

/* Clips the segment a->b to the plot area; 0 if nothing is left. */
static int clip_segment(const PlotAxes *ax, double *xa, double *ya, double *xb, double *yb) {
    const double a[2] = {*xa, *ya}, b[2] = {*xb, *yb};
    const double lo[2] = {ax->x0, ax->y0}, hi[2] = {ax->x1, ax->y1};
    double t0, t1;
    if (!geom_clip_segment(2, a, b, lo, hi, 0, &t0, &t1))
        return 0;
    double dx = b[0] - a[0], dy = b[1] - a[1];
    *xa = a[0] + t0 * dx;
    *ya = a[1] + t0 * dy;
    *xb = a[0] + t1 * dx;
    *yb = a[1] + t1 * dy;
    return 1;
}

static void draw_segment(RasterTarget *out, const PlotAxes *ax, double xa, double ya, double xb,
                         double yb, const float c[3], float alpha, double width, int flags) {
    if (clip_segment(ax, &xa, &ya, &xb, &yb))
        raster_line(out, vtx(xa, ya, c, alpha), vtx(xb, yb, c, alpha), (float)width, flags);
}

static int in_area(const PlotAxes *ax, double x, double y) {
    return x >= ax->x0 && x <= ax->x1 && y >= ax->y0 && y <= ax->y1;
}

/* Text kept inside clip: shifted sideways to fit, skipped when it does not
 * fit vertically. */
static void draw_label(TextRenderer *tr, RasterTarget *out, const char *str, double size, double x,
                       double y, int align, const float c[3], Rect clip) {
    float w, asc, desc;
    text_measure(tr, str, (float)size, &w, &asc, &desc);
    if (w > clip.w || y - asc < clip.y - 0.5 || y + desc > clip.y + clip.h + 0.5)
        return;
    double left = align == TEXT_LEFT ? x : align == TEXT_CENTER ? x - w / 2 : x - w;
    if (left < clip.x)
        left = clip.x;
    if (left + w > clip.x + clip.w)
        left = clip.x + clip.w - w;
    text_draw(tr, out, str, (float)size, (float)left, (float)y, TEXT_LEFT, c[0], c[1], c[2], 1.0f);
}

/* ----------------------------------------------------------- ranges */

static void fit_range(const FrameSpec *s, double out[4]) {
    const Config *cfg = s->cfg;
    double xa = DBL_MAX, xb = -DBL_MAX, ya = DBL_MAX, yb = -DBL_MAX;
    for (int i = 0; i < cfg->ndata; i++) {
        double x = cfg->data_x[i], y = cfg->data_y[i];
        if (isfinite(x)) {
            xa = fmin(xa, x);
            xb = fmax(xb, x);
        }
        if (isfinite(y)) {
            ya = fmin(ya, y);
            yb = fmax(yb, y);
        }
    }
    if (xa > xb) {
        xa = -1;
        xb = 1;
    }
    if (ya > yb) {
        ya = -1;
        yb = 1;
    }
    if (xb - xa < 1e-12 * fmax(1.0, fabs(xa))) {
        xa -= 0.5;
        xb += 0.5;
    }
    if (yb - ya < 1e-12 * fmax(1.0, fabs(ya))) {
        ya -= 0.5;
        yb += 0.5;
    }
    double mx = 0.03 * (xb - xa), my = 0.12 * (yb - ya);
    out[0] = xa - mx;
    out[1] = xb + mx;
    out[2] = ya - my;
    out[3] = yb + my;
}

/* Whole decades around every run's finite, positive losses. */
static void loss_range(const FrameSpec *s, double out[2]) {
    double a = DBL_MAX, b = -DBL_MAX;
    for (int r = 0; r < s->view->ntrails; r++) {
        const ViewTrail *tr = &s->view->trails[r];
        for (int k = 0; k < tr->npoints; k++) {
            double l = tr->traj->loss[k];
            if (isfinite(l) && l > 0) {
                a = fmin(a, l);
                b = fmax(b, l);
            }
        }
    }
    if (a > b) {
        out[0] = -1;
        out[1] = 0;
        return;
    }
    out[0] = floor(log10(a) + 1e-9);
    out[1] = ceil(log10(b) - 1e-9);
    if (out[1] <= out[0])
        out[1] = out[0] + 1;
}

/* ------------------------------------------------------------- axes */

/* The basins panel's legend: a line per entry, at the foot of the panel. */
static double basins_line_h(const FrameSpec *s) {
    return 1.4 * PANEL_TICK_PX * TU;
}

static double basins_legend_h(const FrameSpec *s) {
    const BasinMap *bm = s->view->basins;
    return bm ? bm->nentries * basins_line_h(s) + 0.6 * PANEL_TICK_PX * TU : 0;
}

/* Tick label sizes and margins of a panel, and the plot area they leave;
 * the y ticks are chosen first because the left margin depends on them. */
static int axes_in(const FrameSpec *s, Rect r, double xlo, double xhi, double ylo, double yhi,
                   int ylog, PlotAxes *ax, Ticks *xt, Ticks *yt) {
    const double u = s->scale, pad = PANEL_PAD_PX * u;
    memset(ax, 0, sizeof *ax);
    ax->xlo = xlo;
    ax->xhi = xhi;
    ax->ylo = ylo;
    ax->yhi = yhi;
    ax->ylog = ylog;
    /* The top tick label stays clear of the title line (and the y axis
     * name on it), the bottom ones of the x axis name: line ascent 0.93
     * em, descent 0.24 em; a tick label's middle is at its tick. */
    const double line_w = fmax(1.0, round(u));
    double top = r.y + pad +
                 (0.93 * PANEL_TITLE_PX + 0.24 * PANEL_NAME_PX + 0.58 * PANEL_TICK_PX) * TU + 2 * u;
    double bottom = r.y + r.h -
                    (pad + PANEL_NAME_PX * TU * 1.2 + PANEL_TICK_PX * TU * 1.25 +
                     PANEL_TICK_LEN_PX * u + line_w + 2 * u + 1);
    ax->y0 = round(top);
    ax->y1 = round(bottom);
    Ticks yt_local, xt_local;
    if (!yt)
        yt = &yt_local;
    if (!xt)
        xt = &xt_local;
    ticks_make(yt, ylo, yhi, (int)((ax->y1 - ax->y0) / (40 * u)), ylog);
    double lw = 0;
    for (int i = 0; i < yt->n; i++)
        lw = fmax(lw, text_estimate_width(yt->label[i], PANEL_TICK_PX * TU));
    ax->x0 = round(r.x + pad + lw + PANEL_TICK_LEN_PX * u + 3 * u);
    ax->x1 = round(r.x + r.w - fmax(12 * u, pad));
    /* Fewer x ticks while their labels would touch (long labels: a narrow
     * range far from zero needs many digits). */
    for (int target = (int)((ax->x1 - ax->x0) / (75 * u));; target--) {
        ticks_make(xt, xlo, xhi, target, 0);
        if (target <= 2 || xt->n < 2)
            break;
        double gap = fabs(panels_map_x(ax, xt->v[1]) - panels_map_x(ax, xt->v[0])), lw_x = 0;
        for (int i = 0; i < xt->n; i++)
            lw_x = fmax(lw_x, text_estimate_width(xt->label[i], PANEL_TICK_PX * TU));
        if (lw_x + 6 * u <= gap)
            break;
    }
    return ax->x1 - ax->x0 >= 8 && ax->y1 - ax->y0 >= 8 && xhi > xlo && yhi > ylo;
}

static int axes_for(const FrameSpec *s, const PanelCache *pc, PanelKind kind, Rect r, PlotAxes *ax,
                    Ticks *xt, Ticks *yt) {
    double range[4];
    switch (kind) {
    case PANEL_CONTOUR: {
        const Landscape *ls = &s->view->land;
        return axes_in(s, r, ls->lo[0], ls->hi[0], ls->lo[1], ls->hi[1], 0, ax, xt, yt);
    }
    case PANEL_BASINS: {
        /* The map of the starts' box, above its legend. */
        const BasinMap *bm = s->view->basins;
        if (!bm) {
            memset(ax, 0, sizeof *ax);
            return 0;
        }
        Rect top = r;
        top.h = fmax(0, r.h - basins_legend_h(s));
        return axes_in(s, top, bm->grid.lo[0], bm->grid.hi[0], bm->grid.lo[1], bm->grid.hi[1], 0,
                       ax, xt, yt);
    }
    case PANEL_FIT:
        if (pc)
            memcpy(range, pc->fit_range, sizeof range);
        else
            fit_range(s, range);
        return axes_in(s, r, range[0], range[1], range[2], range[3], 0, ax, xt, yt);
    case PANEL_LOSS:
        if (pc)
            memcpy(range, pc->loss_range, sizeof(double) * 2);
        else
            loss_range(s, range);
        return axes_in(s, r, 0, s->view->max_steps > 0 ? s->view->max_steps : 1, range[0], range[1],
                       1, ax, xt, yt);
    default:
        memset(ax, 0, sizeof *ax);
        return 0;
    }
}

int panels_axes(const FrameSpec *s, const PanelCache *pc, PanelKind kind, Rect r, PlotAxes *ax) {
    return axes_for(s, pc, kind, r, ax, NULL, NULL);
}

/* Background, frame and title of a panel; the y axis name goes top left
 * when it does not collide with the title. */
static void draw_panel_chrome(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r,
                              const char *title, const char *yname, const PlotAxes *ax, int ok) {
    const double u = s->scale, pad = PANEL_PAD_PX * u;
    const float fw = (float)fmax(1.0, round(u));
    float x0 = (float)r.x, y0 = (float)r.y, x1 = (float)(r.x + r.w), y1 = (float)(r.y + r.h);
    fill_opaque(out, r.x, r.y, r.x + r.w, r.y + r.h, s->theme.panel_bg);
    raster_fill_rect(out, x0, y0, x1, y0 + fw, s->theme.panel_frame[0], s->theme.panel_frame[1],
                     s->theme.panel_frame[2], 1);
    raster_fill_rect(out, x0, y1 - fw, x1, y1, s->theme.panel_frame[0], s->theme.panel_frame[1],
                     s->theme.panel_frame[2], 1);
    raster_fill_rect(out, x0, y0 + fw, x0 + fw, y1 - fw, s->theme.panel_frame[0],
                     s->theme.panel_frame[1], s->theme.panel_frame[2], 1);
    raster_fill_rect(out, x1 - fw, y0 + fw, x1, y1 - fw, s->theme.panel_frame[0],
                     s->theme.panel_frame[1], s->theme.panel_frame[2], 1);

    float tw, asc, desc;
    Rect inner = {r.x + pad, r.y + fw, r.w - 2 * pad, r.h - 2 * fw};
    double tsize = PANEL_TITLE_PX * TU;
    text_measure(tr, title, (float)tsize, &tw, &asc, &desc);
    if (tw > inner.w && tw > 0) {
        /* A narrow panel: a smaller title rather than none. */
        tsize *= 0.98 * inner.w / tw;
        text_measure(tr, title, (float)tsize, &tw, &asc, &desc);
    }
    double cx = ok ? (ax->x0 + ax->x1) / 2 : r.x + r.w / 2;
    double base = r.y + pad + asc;
    draw_label(tr, out, title, tsize, cx, base, TEXT_CENTER, s->theme.ink, inner);
    if (!ok)
        return;
    float nw, nasc, ndesc;
    const double nsize = PANEL_NAME_PX * TU;
    text_measure(tr, yname, (float)nsize, &nw, &nasc, &ndesc);
    double title_left = fmax(inner.x, cx - tw / 2);
    if (r.x + pad + nw + 6 * u <= title_left)
        draw_label(tr, out, yname, nsize, r.x + pad, base, TEXT_LEFT, s->theme.ink, inner);
}

/* Box around the plot area, ticks, tick labels, x axis name and (grid)
 * light lines at the ticks. */
static void draw_axes(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r,
                      const PlotAxes *ax, const Ticks *xt, const Ticks *yt, const char *xname,
                      int grid) {
    const double u = s->scale;
    const float lw = (float)fmax(1.0, round(u));
    const float tl = (float)(PANEL_TICK_LEN_PX * u);
    float x0 = (float)ax->x0, y0 = (float)ax->y0, x1 = (float)ax->x1, y1 = (float)ax->y1;
    const float *c = s->theme.axis;
    Rect clip = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
    for (int i = 0; i < xt->n; i++) {
        double x = round(panels_map_x(ax, xt->v[i]));
        if (x < ax->x0 - 0.5 || x > ax->x1 + 0.5)
            continue;
        if (grid && x > ax->x0 + 1 && x < ax->x1 - 1)
            raster_fill_rect(out, (float)x, y0, (float)x + lw, y1, s->theme.panel_grid[0],
                             s->theme.panel_grid[1], s->theme.panel_grid[2], 1);
        raster_fill_rect(out, (float)x, y1, (float)x + lw, y1 + lw + tl, c[0], c[1], c[2], 1);
        draw_label(tr, out, xt->label[i], PANEL_TICK_PX * TU, x + lw / 2.0,
                   y1 + lw + tl + 2 * u + 0.93 * PANEL_TICK_PX * TU, TEXT_CENTER, s->theme.ink,
                   clip);
    }
    for (int i = 0; i < yt->n; i++) {
        double y = round(map_lin(yt->v[i], ax->ylo, ax->yhi, ax->y1, ax->y0));
        if (y < ax->y0 - 0.5 || y > ax->y1 + 0.5)
            continue;
        if (grid && y > ax->y0 + 1 && y < ax->y1 - 1)
            raster_fill_rect(out, x0, (float)y - lw, x1, (float)y, s->theme.panel_grid[0],
                             s->theme.panel_grid[1], s->theme.panel_grid[2], 1);
        raster_fill_rect(out, x0 - lw - tl, (float)y - lw, x0, (float)y, c[0], c[1], c[2], 1);
        draw_label(tr, out, yt->label[i], PANEL_TICK_PX * TU, x0 - lw - tl - 2 * u,
                   y - lw / 2.0 + 0.35 * PANEL_TICK_PX * TU, TEXT_RIGHT, s->theme.ink, clip);
    }
    raster_fill_rect(out, x0 - lw, y0 - lw, x1 + lw, y0, c[0], c[1], c[2], 1);
    raster_fill_rect(out, x0 - lw, y1, x1 + lw, y1 + lw, c[0], c[1], c[2], 1);
    raster_fill_rect(out, x0 - lw, y0, x0, y1, c[0], c[1], c[2], 1);
    raster_fill_rect(out, x1, y0, x1 + lw, y1, c[0], c[1], c[2], 1);
    draw_label(tr, out, xname, PANEL_NAME_PX * TU, (ax->x0 + ax->x1) / 2,
               r.y + r.h - PANEL_PAD_PX * u - 0.24 * PANEL_NAME_PX * TU, TEXT_CENTER, s->theme.ink,
               clip);
}

/* ---------------------------------------------------------- per run */

/* The row range a run shows at `step` and its current parameters, plane
 * coordinates and loss (interpolated between rows). Any of p, uv and loss
 * may be NULL. Returns 0 when the run has no drawn row. */
static int run_at(const ViewTrail *tr, double step, int *kmax, double *last, double *p, double *uv,
                  double *loss) {
    const Trajectory *t = tr->traj;
    if (tr->npoints <= 0)
        return 0;
    double l = fmin(fmax(step, 0.0), (double)(tr->npoints - 1));
    int k = (int)floor(l);
    double f = l - k;
    int k1 = k + 1 < tr->npoints ? k + 1 : k;
    const double *a = t->params + (size_t)k * t->nparams, *b = t->params + (size_t)k1 * t->nparams;
    if (p)
        for (int i = 0; i < t->nparams; i++)
            p[i] = a[i] + f * (b[i] - a[i]);
    if (uv)
        for (int i = 0; i < 2; i++)
            uv[i] = tr->uv[2 * (size_t)k + i] +
                    f * (tr->uv[2 * (size_t)k1 + i] - tr->uv[2 * (size_t)k + i]);
    if (loss) {
        double la = t->loss[k], lb = t->loss[k1];
        /* Between rows the loss moves geometrically, as it looks on the log
         * axis it is drawn on. */
        *loss = la > 0 && lb > 0 ? pow(10.0, log10(la) + f * (log10(lb) - log10(la)))
                                 : la + f * (lb - la);
    }
    *kmax = k;
    *last = l;
    return 1;
}

static void draw_ball(const FrameSpec *s, RasterTarget *out, double x, double y, const float c[3]) {
    const double u = s->scale;
    raster_point(out, vtx(x, y, c, 1), (float)(PANEL_BALL_R_PX * u), line_flags(s));
    raster_ring(out, vtx(x, y, s->theme.mark, 0.8f), (float)(PANEL_BALL_R_PX * u), (float)(1.2 * u),
                line_flags(s));
}

static void draw_start(const FrameSpec *s, RasterTarget *out, double x, double y,
                       const float c[3]) {
    const double u = s->scale;
    raster_point(out, vtx(x, y, s->theme.panel_bg, 0.9f), (float)(PANEL_BALL_R_PX * u),
                 line_flags(s));
    raster_ring(out, vtx(x, y, c, 1), (float)(PANEL_BALL_R_PX * u), (float)(2.0 * u),
                line_flags(s));
}

/* Half-diagonal of a point's diamond on the map. */
static double mark_radius(const FrameSpec *s, const FramePoint *p) {
    return (p->minimum == 2 ? 1.3 : 1.0) * PANEL_MARK_R_PX * s->scale;
}

/* A mark's or minimum's diamond, filled with c and outlined in the
 * theme's mark colour. */
static void draw_diamond(const FrameSpec *s, RasterTarget *out, double x, double y, double r,
                         const float c[3]) {
    static const double dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1};
    RasterVertex q[4];
    for (int k = 0; k < 4; k++)
        q[k] = vtx(x + dx[k] * r, y + dy[k] * r, c, 1);
    RasterVertex t1[3] = {q[0], q[1], q[2]}, t2[3] = {q[0], q[2], q[3]};
    raster_triangle(out, t1, 0);
    raster_triangle(out, t2, 0);
    for (int k = 0; k < 4; k++)
        raster_line(out, vtx(q[k].x, q[k].y, s->theme.mark, 1),
                    vtx(q[(k + 1) % 4].x, q[(k + 1) % 4].y, s->theme.mark, 1),
                    (float)(1.4 * s->scale), line_flags(s));
}

/* The marks' and minima's labels on the contour map (marks.h), in spec
 * order, inside the plot area, off the obstacles of o (whose first boxes
 * are the diamonds of the points in the plot area, in spec order); a
 * label with no room is left out. */
static void draw_point_labels(const FrameSpec *s, TextRenderer *tr, RasterTarget *out,
                              const PlotAxes *ax, FrameObstacles *o) {
    const double u = s->scale, size = PANEL_MARK_PX * TU;
    for (int i = 0, k = 0; i < s->npoints; i++) {
        const FramePoint *pt = &s->points[i];
        double x = panels_map_x(ax, pt->uv[0]), y = panels_map_y(ax, pt->uv[1]);
        FrameLabel l;
        if (!in_area(ax, x, y))
            continue;
        o->own = k++;
        if (frame_label_place(tr, pt, size, 2 * u, x, y, mark_radius(s, pt) + 4 * u, o, &l))
            frame_label_draw(tr, out, pt, size, &l, s->theme.panel_bg, s->theme.ink);
    }
}

/* ---------------------------------------------------------- contour */

/* Fills the plot area of ax (a target whose pixel (0, 0) is the area's
 * top-left pixel when `local`, else the frame) with the banded colormap of
 * the bilinearly interpolated loss grid, then draws the contour lines. */
static void render_contour_map(const FrameSpec *s, RasterTarget *t, const PlotAxes *ax, int local) {
    const Config *cfg = s->cfg;
    const Landscape *ls = &s->view->land;
    const int n = ls->res, C = cfg->surface.contours;
    const int W = (int)(ax->x1 - ax->x0), Hh = (int)(ax->y1 - ax->y0);
    const int ox = local ? 0 : (int)ax->x0, oy = local ? 0 : (int)ax->y0;
    float lut[256][3];
    colormap_fill_lut(cfg->surface.colormap, lut);
    const double span = ls->zhi - ls->zlo;
    for (int j = 0; j < Hh; j++) {
        int ty = oy + j;
        if (ty < 0 || ty >= t->h)
            continue;
        double gy = (1.0 - (j + 0.5) / Hh) * (n - 1);
        int j0 = (int)floor(gy);
        if (j0 > n - 2)
            j0 = n - 2;
        double fy = gy - j0;
        for (int i = 0; i < W; i++) {
            int tx = ox + i;
            if (tx < 0 || tx >= t->w)
                continue;
            double gx = (i + 0.5) / W * (n - 1);
            int i0 = (int)floor(gx);
            if (i0 > n - 2)
                i0 = n - 2;
            double fx = gx - i0;
            const double *g = ls->loss + (size_t)j0 * n + i0;
            double z[4];
            double l4[4] = {g[0], g[1], g[n], g[n + 1]};
            for (int q = 0; q < 4; q++) {
                double zv = landscape_z(ls->zscale, l4[q]);
                /* Non-finite losses were stored as DBL_MAX: keep them at
                 * the top of the scale without overflowing the blend. */
                z[q] = fmin(fmax(zv, ls->zlo - span), ls->zhi + span);
            }
            double zz =
                (z[0] * (1 - fx) + z[1] * fx) * (1 - fy) + (z[2] * (1 - fx) + z[3] * fx) * fy;
            double tt = (zz - ls->zlo) / span;
            if (C > 0) {
                /* Bands between the contour levels (m + 0.5) / C, each in
                 * the colour of its middle. */
                double b = floor(fmin(fmax(tt, 0.0), 1.0) * C + 0.5);
                tt = b / C;
            }
            int idx = num_clamp_int(tt * 256, 0, 255);
            uint8_t *px = t->rgb + ((size_t)ty * t->w + tx) * 3;
            for (int q = 0; q < 3; q++)
                px[q] = (uint8_t)lrintf(lut[idx][q] * 255.0f);
        }
    }
    PlotAxes area = *ax;
    area.x0 = ox;
    area.y0 = oy;
    area.x1 = ox + W;
    area.y1 = oy + Hh;
    const double lw = fmax(1.0, 1.0 * s->scale);
    for (int i = 0; i < ls->ncontour; i++) {
        /* Box coordinates to pixels of the plot area. */
        const double *w = ls->contour + 4 * (size_t)i;
        double xa = ox + (w[0] + 1) * 0.5 * W, ya = oy + (1 - (w[1] + 1) * 0.5) * Hh;
        double xb = ox + (w[2] + 1) * 0.5 * W, yb = oy + (1 - (w[3] + 1) * 0.5) * Hh;
        draw_segment(t, &area, xa, ya, xb, yb, s->theme.mark, 0.45f, lw, line_flags(s));
    }
}

static void blit(RasterTarget *out, const RasterTarget *img, int x, int y) {
    for (int j = 0; j < img->h; j++) {
        int ty = y + j;
        if (ty < 0 || ty >= out->h)
            continue;
        int i0 = x < 0 ? -x : 0, i1 = x + img->w > out->w ? out->w - x : img->w;
        if (i1 <= i0)
            return;
        memcpy(out->rgb + ((size_t)ty * out->w + x + i0) * 3,
               img->rgb + ((size_t)j * img->w + i0) * 3, (size_t)(i1 - i0) * 3);
    }
}

/* Every run's trail up to moment m on the map ax: its line, start marker,
 * afterimages and ball (the contour and basins panels). With seg, also the
 * path up to each ball as pieces for labels to keep off (at most cap, *nseg
 * counting them). */
static void draw_trails(const FrameSpec *s, RasterTarget *out, const PlotAxes *axp,
                        const TimelineMoment *m, float (*seg)[4], int cap, int *nseg) {
    const double u = s->scale, step = m->step;
    const PlotAxes ax = *axp;
    const double width = PANEL_CURVE_W_PX * u;
    for (int ri = 0; ri < s->view->ntrails; ri++) {
        const ViewTrail *tr_ = &s->view->trails[ri];
        int kmax;
        double last, p[2];
        if (!run_at(tr_, step, &kmax, &last, NULL, p, NULL))
            continue;
        double px = panels_map_x(&ax, tr_->uv[0]), py = panels_map_y(&ax, tr_->uv[1]);
        const double sx = px, sy = py;
        /* Steps shorter than a pixel add nothing but cost: skip them. */
        for (int k = 1; k <= kmax + 1; k++) {
            double qx, qy;
            if (k <= kmax) {
                const double *q = tr_->uv + 2 * (size_t)k;
                qx = panels_map_x(&ax, q[0]);
                qy = panels_map_y(&ax, q[1]);
                if (k < kmax && fabs(qx - px) < 0.75 && fabs(qy - py) < 0.75)
                    continue;
            } else {
                qx = panels_map_x(&ax, p[0]);
                qy = panels_map_y(&ax, p[1]);
            }
            draw_segment(out, &ax, px, py, qx, qy, tr_->color, tr_->alpha[k - 1], width,
                         line_flags(s));
            px = qx;
            py = qy;
        }
        if (in_area(&ax, sx, sy))
            draw_start(s, out, sx, sy, tr_->color);
        /* The iterates passed in the last moments, fading (timeline.h). */
        for (int i = (int)m->recent + 1; i < kmax && i < tr_->npoints; i++) {
            if (i < 0)
                continue;
            double gx = panels_map_x(&ax, tr_->uv[2 * (size_t)i]);
            double gy = panels_map_y(&ax, tr_->uv[2 * (size_t)i + 1]);
            float a = (float)(0.85 * (1.0 - 0.75 * timeline_afterimage_age(m, i)));
            if (in_area(&ax, gx, gy))
                raster_point(out, vtx(gx, gy, tr_->color, a), (float)(0.7 * PANEL_BALL_R_PX * u),
                             line_flags(s));
        }
        if (in_area(&ax, px, py))
            draw_ball(s, out, px, py, tr_->color);
        /* The path up to the ball, for the labels to keep off: rows 0,
         * stride, ... and the last, then the ball. */
        if (!seg)
            continue;
        const int budget = cap / s->view->ntrails > 16 ? cap / s->view->ntrails : 16;
        const int stride = kmax / budget + 1;
        double lx = sx, ly = sy;
        for (int k = 0;; k = k + stride < kmax ? k + stride : kmax + (k == kmax)) {
            double qx = px, qy = py;
            if (k <= kmax) {
                qx = panels_map_x(&ax, tr_->uv[2 * (size_t)k]);
                qy = panels_map_y(&ax, tr_->uv[2 * (size_t)k + 1]);
            }
            if (seg && *nseg < cap) {
                float *q = seg[(*nseg)++];
                q[0] = (float)lx;
                q[1] = (float)ly;
                q[2] = (float)qx;
                q[3] = (float)qy;
            }
            lx = qx;
            ly = qy;
            if (k > kmax)
                break;
        }
    }
}

/* ------------------------------------------------------------ strip */

/* A one-parameter model's contour panel is a strip: the loss over the
 * parameter as a band of colormap colours (banded at the contour levels,
 * as the map is) across the middle of the plot area (v = 0), with the
 * runs on its centre line and their recent steps as hops above it. */
static double strip_half(const PlotAxes *ax, double u) {
    return fmin(0.5 * (ax->y1 - ax->y0), fmax(14 * u, 0.22 * (ax->y1 - ax->y0)));
}

static void render_strip(const FrameSpec *s, RasterTarget *out, const PlotAxes *ax) {
    const Landscape *ls = &s->view->land;
    const int n = ls->res, C = s->cfg->surface.contours;
    const double span = ls->zhi - ls->zlo, yc = panels_map_y(ax, 0);
    const double hb = strip_half(ax, s->scale);
    int prev_band = -1;
    for (int px = (int)ax->x0; px < (int)ax->x1; px++) {
        double gx = (px + 0.5 - ax->x0) / (ax->x1 - ax->x0) * (n - 1);
        int i0 = num_clamp_int((int)floor(gx), 0, n - 2);
        double fx = gx - i0;
        double za = landscape_z(ls->zscale, ls->loss[i0]);
        double zb = landscape_z(ls->zscale, ls->loss[i0 + 1]);
        za = fmin(fmax(za, ls->zlo - span), ls->zhi + span);
        zb = fmin(fmax(zb, ls->zlo - span), ls->zhi + span);
        double tt = (za + fx * (zb - za) - ls->zlo) / span;
        int band = -1;
        if (C > 0) {
            band = (int)floor(fmin(fmax(tt, 0.0), 1.0) * C + 0.5);
            tt = (double)band / C;
        }
        float c[3];
        colormap_eval(s->cfg->surface.colormap, fmin(fmax(tt, 0.0), 1.0), c);
        fill_opaque(out, px, yc - hb, px + 1, yc + hb, c);
        /* The contour levels: a thin line where the band changes. */
        if (C > 0 && prev_band >= 0 && band != prev_band)
            raster_fill_rect(out, (float)px, (float)(yc - hb), (float)px + 1, (float)(yc + hb),
                             s->theme.mark[0], s->theme.mark[1], s->theme.mark[2], 0.45f);
        prev_band = band;
    }
}

/* The point at fraction f of the hop from x0 to x1 on the strip's centre
 * line yc: lifted by CURVE_HOP_LIFT times its width, as on the curve,
 * its middle no higher than top. */
static void strip_hop(double x0, double x1, double yc, double f, double top, double *x, double *y) {
    /* Lowered as a whole where it would rise above top. */
    double height = fmin(CURVE_HOP_LIFT * fabs(x1 - x0), fmax(0.0, yc - top));
    *x = x0 + f * (x1 - x0);
    *y = yc - height * 4 * f * (1 - f);
}

/* Every run on the strip up to moment m: its visited iterates, its last
 * hops, start, afterimages and ball; its path as pieces for labels to keep
 * off (as draw_trails). */
static void draw_strip_runs(const FrameSpec *s, RasterTarget *out, const PlotAxes *ax,
                            const TimelineMoment *m, float (*seg)[4], int cap, int *nseg) {
    const double u = s->scale, yc = panels_map_y(ax, 0);
    const double top = ax->y0 + PANEL_BALL_R_PX * u;
    /* Every run's trail, then every start, then every ball: no start
     * marker covers a ball (runs that start together). */
    for (int phase = 0; phase < 3; phase++)
        for (int ri = 0; ri < s->view->ntrails; ri++) {
            const ViewTrail *t = &s->view->trails[ri];
            int kmax;
            double last, uv[2];
            if (!run_at(t, m->step, &kmax, &last, NULL, uv, NULL))
                continue;
            double f = last - kmax;
#define XOF(k) fmin(fmax(panels_map_x(ax, t->uv[2 * (size_t)(k)]), -1e7), 1e7)
            if (phase == 1) {
                double sx = XOF(0);
                if (in_area(ax, sx, yc))
                    draw_start(s, out, sx, yc, t->color);
                continue;
            }
            if (phase == 2) {
                for (int i = (int)m->recent + 1; i < kmax && i < t->npoints; i++) {
                    if (i < 0)
                        continue;
                    double gx = XOF(i);
                    float a = (float)(0.85 * (1.0 - 0.75 * timeline_afterimage_age(m, i)));
                    if (in_area(ax, gx, yc))
                        raster_point(out, vtx(gx, yc, t->color, a),
                                     (float)(0.7 * PANEL_BALL_R_PX * u), line_flags(s));
                }
                double bx = XOF(kmax), by = yc;
                if (f > 0 && kmax + 1 < t->npoints)
                    strip_hop(XOF(kmax), XOF(kmax + 1), yc, f, top, &bx, &by);
                if (in_area(ax, bx, by))
                    draw_ball(s, out, bx, by, t->color);
                continue;
            }
            double lx = -1e9, lo = 1e9, hi = -1e9;
            for (int k = 0; k <= kmax; k++) {
                double x = XOF(k);
                lo = fmin(lo, x);
                hi = fmax(hi, x);
                if (fabs(x - lx) < 1)
                    continue;
                lx = x;
                if (in_area(ax, x, yc))
                    raster_point(out, vtx(x, yc, t->color, 0.55f * t->alpha[k]), (float)(2.0 * u),
                                 line_flags(s));
            }
            for (int k = kmax - CURVE_TRAIL_HOPS; k <= kmax; k++) {
                if (k < 0 || k + 1 >= t->npoints)
                    continue;
                double ff = k < kmax ? 1 : f;
                if (ff <= 0)
                    continue;
                float a = (float)(0.9 * (1 - (double)(kmax - k) / CURVE_TRAIL_HOPS) * t->alpha[k]);
                double x0 = XOF(k), x1 = XOF(k + 1), px = x0, py = yc;
                if (!in_area(ax, x0, yc) || !in_area(ax, x1, yc)) {
                    /* Out of the box (a diverging run): straight along the
                     * line, as the map draws it. */
                    draw_segment(out, ax, x0, yc, x0 + ff * (x1 - x0), yc, t->color, a,
                                 PANEL_CURVE_W_PX * u, line_flags(s));
                    continue;
                }
                int pieces = (int)fmin(fmax(ceil(ff * fabs(x1 - x0) / (4 * u)), 2), 48);
                for (int q = 1; q <= pieces; q++) {
                    double x, y;
                    strip_hop(x0, x1, yc, ff * q / pieces, top, &x, &y);
                    draw_segment(out, ax, px, py, x, y, t->color, a, PANEL_CURVE_W_PX * u,
                                 line_flags(s));
                    px = x;
                    py = y;
                }
            }
            /* The visited stretch of the centre line, for labels to keep off. */
            if (seg && *nseg < cap) {
                float *q = seg[(*nseg)++];
                q[0] = (float)lo;
                q[1] = (float)yc;
                q[2] = (float)hi;
                q[3] = (float)yc;
            }
#undef XOF
        }
}

void panels_draw_contour(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr,
                         RasterTarget *out, Rect r, const TimelineMoment *m) {
    const Config *cfg = s->cfg;
    const double u = s->scale;
    PlotAxes ax;
    Ticks xt, yt;
    const int strip = s->view->plane.curve;
    int ok = axes_for(s, pc, PANEL_CONTOUR, r, &ax, &xt, &yt);
    draw_panel_chrome(s, tr, out, r, cfg->labels.contour, strip ? "" : s->view->plane.name[1], &ax,
                      ok);
    if (!ok)
        return;
    if (strip) {
        render_strip(s, out, &ax);
        yt.n = 0; /* the strip's height means nothing */
    } else if (pc && pc->has_image && pc->image.w == (int)(ax.x1 - ax.x0) &&
               pc->image.h == (int)(ax.y1 - ax.y0)) {
        blit(out, &pc->image, (int)ax.x0, (int)ax.y0);
    } else {
        render_contour_map(s, out, &ax, 0);
    }
    draw_axes(s, tr, out, r, &ax, &xt, &yt, s->view->plane.name[0], 0);

    /* Marks and minima under the true values' cross: a cross at a
     * minimum stays visible on its diamond. */
    enum { OBST = 2 * FRAME_MAX_POINTS + GD_MAX_RUNS + 1, NSEG = 4096 };
    Rect obst[OBST];
    float seg[NSEG][4];
    int no = 0, nseg = 0;
    for (int i = 0; i < s->npoints; i++) {
        const FramePoint *pt = &s->points[i];
        double x = panels_map_x(&ax, pt->uv[0]), y = panels_map_y(&ax, pt->uv[1]);
        if (!in_area(&ax, x, y))
            continue;
        double r = mark_radius(s, pt);
        draw_diamond(s, out, x, y, r, pt->color);
        obst[no++] = (Rect){x - r - u, y - r - u, 2 * r + 2 * u, 2 * r + 2 * u};
    }
    if (cfg->data.has_true && !cfg->data.from_file) {
        double tuv[2];
        plane_project(&s->view->plane, cfg->data.true_params, tuv);
        double x = panels_map_x(&ax, tuv[0]);
        double y = panels_map_y(&ax, tuv[1]);
        double d = 4.5 * u;
        if (in_area(&ax, x, y)) {
            obst[no++] = (Rect){x - d - u, y - d - u, 2 * d + 2 * u, 2 * d + 2 * u};
            draw_segment(out, &ax, x - d, y - d, x + d, y + d, s->theme.mark, 1, 1.8 * u,
                         line_flags(s));
            draw_segment(out, &ax, x - d, y + d, x + d, y - d, s->theme.mark, 1, 1.8 * u,
                         line_flags(s));
        }
    }
    if (strip)
        draw_strip_runs(s, out, &ax, m, seg, NSEG, &nseg);
    else
        draw_trails(s, out, &ax, m, seg, NSEG, &nseg);
    /* Trails as wide as the balls: the balls, starts and afterimages lie
     * on them. */
    FrameObstacles o = {.area = {ax.x0, ax.y0, ax.x1 - ax.x0, ax.y1 - ax.y0},
                        .rect = obst,
                        .nrect = no,
                        .cap = OBST,
                        .seg = seg,
                        .nseg = nseg,
                        .seg_hw = PANEL_BALL_R_PX * u + 2 * u,
                        .own = -1};
    draw_point_labels(s, tr, out, &ax, &o);
}

/* ------------------------------------------------------------- basins */

/* What the map shows at cell k: its minimum, or a status of its own. */
static int basin_key(const BasinMap *bm, int k) {
    return bm->basin[k] != BASIN_NONE ? bm->basin[k] : -2 - bm->status[k];
}

/* The map of the starts (ax as in render_contour_map): each start's cell
 * in the colour of its legend line, one crisp darker line of pixels
 * where two minima's (or statuses') cells meet. */
static void render_basin_map(const FrameSpec *s, RasterTarget *t, const PlotAxes *ax, int local) {
    const BasinMap *bm = s->view->basins;
    const int n = bm->grid.res;
    const int W = (int)(ax->x1 - ax->x0), Hh = (int)(ax->y1 - ax->y0);
    const int ox = local ? 0 : (int)ax->x0, oy = local ? 0 : (int)ax->y0;
    if (W <= 0 || Hh <= 0)
        return;
    int *col = malloc(sizeof(int) * ((size_t)W + (size_t)Hh));
    uint8_t(*fill)[3] = malloc(sizeof *fill * (size_t)bm->nentries);
    if (!col || !fill) {
        free(col);
        free(fill);
        return;
    }
    int *row = col + W;
    for (int i = 0; i < W; i++)
        col[i] = (int)fmin(n - 1, floor((i + 0.5) / W * n));
    for (int j = 0; j < Hh; j++)
        row[j] = (int)fmin(n - 1, floor((1.0 - (j + 0.5) / Hh) * n));
    for (int e = 0; e < bm->nentries; e++) {
        float c[3];
        frame_basin_color(bm, e, c);
        for (int q = 0; q < 3; q++)
            fill[e][q] = (uint8_t)lrintf(c[q] * 255.0f);
    }
    for (int j = 0; j < Hh; j++) {
        int ty = oy + j;
        if (ty < 0 || ty >= t->h)
            continue;
        for (int i = 0; i < W; i++) {
            int tx = ox + i;
            if (tx < 0 || tx >= t->w)
                continue;
            const int k = row[j] * n + col[i];
            const int key = basin_key(bm, k);
            int edge = (i + 1 < W && basin_key(bm, row[j] * n + col[i + 1]) != key) ||
                       (j + 1 < Hh && basin_key(bm, row[j + 1] * n + col[i]) != key);
            const uint8_t *c = fill[basins_entry_of(bm, k)];
            uint8_t *px = t->rgb + ((size_t)ty * t->w + tx) * 3;
            for (int q = 0; q < 3; q++)
                px[q] = edge ? (uint8_t)(c[q] * 0.55f) : c[q];
        }
    }
    free(col);
    free(fill);
}

/* tpl with its placeholders filled: {loss}, {share} ("23%"), {n}, {steps}. */
static void fill_template(const char *tpl, const char *loss, int share, int count, int steps,
                          char *out, size_t size) {
    size_t k = 0;
    for (const char *p = tpl; *p && k + 1 < size;) {
        char val[64] = "";
        int used = 0;
        if (strncmp(p, "{loss}", 6) == 0) {
            snprintf(val, sizeof val, "%s", loss);
            used = 6;
        } else if (strncmp(p, "{share}", 7) == 0) {
            snprintf(val, sizeof val, "%d%%", share);
            used = 7;
        } else if (strncmp(p, "{n}", 3) == 0) {
            snprintf(val, sizeof val, "%d", count);
            used = 3;
        } else if (strncmp(p, "{steps}", 7) == 0) {
            snprintf(val, sizeof val, "%d", steps);
            used = 7;
        }
        if (!used) {
            out[k++] = *p++;
            continue;
        }
        for (const char *v = val; *v && k + 1 < size; v++)
            out[k++] = *v;
        p += used;
    }
    out[k] = '\0';
}

/* A minimum's loss as the map and its legend show it. */
static void format_basin_loss(double loss, char *buf, size_t n) {
    snprintf(buf, n, "%.3g", loss);
}

/* Legend line e of the basin map. */
static void basins_entry_text(const FrameSpec *s, int e, char *buf, size_t n) {
    const BasinMap *bm = s->view->basins;
    const BasinEntry *en = &bm->entry[e];
    const LabelsConfig *lb = &s->cfg->labels;
    char loss[32];
    format_basin_loss(en->loss, loss, sizeof loss);
    const char *tpl = lb->basin_diverged;
    switch (en->kind) {
    case BASIN_ENTRY_GLOBAL:
        tpl = en->nminima > 1 ? lb->basin_globals : lb->basin_global;
        break;
    case BASIN_ENTRY_LOCAL:
        tpl = lb->basin_local;
        break;
    case BASIN_ENTRY_OTHERS:
        tpl = lb->basin_others;
        break;
    case BASIN_ENTRY_MOVING:
        tpl = lb->basin_moving;
        break;
    case BASIN_ENTRY_DIVERGED:
        break;
    }
    fill_template(tpl, loss, en->percent, en->nminima, s->cfg->runs[s->cfg->basins.run].steps, buf,
                  n);
}

/* Text on a translucent box of the theme, left edge x, baseline y. */
static void boxed_label(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, const char *text,
                        double size, double x, double y, float w, float asc, float desc) {
    const double pad = 0.25 * size;
    raster_fill_rect(out, (float)(x - pad), (float)(y - asc - 0.3 * pad), (float)(x + w + pad),
                     (float)(y + desc + 0.3 * pad), s->theme.box[0], s->theme.box[1],
                     s->theme.box[2], 0.8f);
    text_draw(tr, out, text, (float)size, (float)x, (float)y, TEXT_LEFT, s->theme.ink[0],
              s->theme.ink[1], s->theme.ink[2], 1.0f);
}

static int rects_overlap(Rect a, Rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Whether any run's whole trail (every row, whatever the moment: so a
 * label keeps its place all video long), or its start or end marker,
 * crosses box on the map ax. */
static int trails_cross(const FrameSpec *s, const PlotAxes *ax, Rect box) {
    const double r = (PANEL_BALL_R_PX + 1.2) * s->scale;
    const double lo[2] = {box.x, box.y}, hi[2] = {box.x + box.w, box.y + box.h};
    for (int ri = 0; ri < s->view->ntrails; ri++) {
        const ViewTrail *t = &s->view->trails[ri];
        double prev[2] = {0, 0};
        for (int k = 0; k < t->npoints; k++) {
            const double q[2] = {panels_map_x(ax, t->uv[2 * (size_t)k]),
                                 panels_map_y(ax, t->uv[2 * (size_t)k + 1])};
            const int marker = k == 0 || k == t->npoints - 1;
            if (marker && q[0] > lo[0] - r && q[0] < hi[0] + r && q[1] > lo[1] - r &&
                q[1] < hi[1] + r)
                return 1;
            double t0, t1;
            if (k > 0 && geom_clip_segment(2, prev, q, lo, hi, 0, &t0, &t1))
                return 1;
            prev[0] = q[0];
            prev[1] = q[1];
        }
    }
    return 0;
}

/* Each minimum in the box: a dark diamond, and its loss beside it where
 * that fits inside the map, off the diamonds and the labels placed before
 * (the global minima first, then by their starts), and off the runs'
 * trails where it can. */
static void draw_basin_minima(const FrameSpec *s, TextRenderer *tr, RasterTarget *out,
                              const PlotAxes *ax) {
    const BasinMap *bm = s->view->basins;
    const double u = s->scale, size = PANEL_TICK_PX * TU, d = 4.5 * u;
    enum { MAX_MARKS = 64 };
    Rect taken[2 * MAX_MARKS]; /* the diamonds, then the labels placed */
    double mx[MAX_MARKS], my[MAX_MARKS];
    int mark[MAX_MARKS], nmarks = 0, ntaken = 0;
    const Rect plot = {ax->x0, ax->y0, ax->x1 - ax->x0, ax->y1 - ax->y0};
    int *order = malloc(sizeof(int) * (size_t)(bm->nminima > 0 ? bm->nminima : 1));
    if (!order)
        return;
    /* The global ones (they come first), then the rest, most starts first
     * (an insertion sort: stable). */
    for (int q = 0; q < bm->nminima; q++) {
        int at = q;
        while (at > bm->nglobal && bm->minima[order[at - 1]].count < bm->minima[q].count)
            at--;
        memmove(order + at + 1, order + at, sizeof(int) * (size_t)(q - at));
        order[at] = q;
    }
    for (int o = 0; o < bm->nminima && nmarks < MAX_MARKS; o++) {
        double uv[2];
        plane_project(&s->view->plane, bm->minima[order[o]].p, uv);
        double x = panels_map_x(ax, uv[0]), y = panels_map_y(ax, uv[1]);
        if (!(x >= ax->x0 + d && x <= ax->x1 - d && y >= ax->y0 + d && y <= ax->y1 - d))
            continue;
        const float *k = s->theme.mark;
        RasterVertex a = vtx(x, y - d, k, 1), b = vtx(x + d, y, k, 1), c = vtx(x, y + d, k, 1),
                     e = vtx(x - d, y, k, 1);
        RasterVertex t1[3] = {a, b, c}, t2[3] = {a, c, e};
        raster_triangle(out, t1, line_flags(s));
        raster_triangle(out, t2, line_flags(s));
        mark[nmarks] = order[o];
        mx[nmarks] = x;
        my[nmarks] = y;
        taken[ntaken++] = (Rect){x - d, y - d, 2 * d, 2 * d};
        nmarks++;
    }
    for (int i = 0; i < nmarks; i++) {
        const double x = mx[i], y = my[i];
        char text[32];
        format_basin_loss(bm->minima[mark[i]].loss, text, sizeof text);
        float w, asc, desc;
        text_measure(tr, text, (float)size, &w, &asc, &desc);
        /* the label's box clear of a ball resting on the minimum, rim
         * included */
        const double pad = 0.25 * size, gap = fmax(d, (PANEL_BALL_R_PX + 1.2) * u) + pad + 2 * u;
        const double cand[4][2] = {{x + gap, y + 0.35 * size},
                                   {x - gap - w, y + 0.35 * size},
                                   {x - 0.5 * w, y - gap - desc},
                                   {x - 0.5 * w, y + gap + asc}};
        /* The first place inside the map, off what is taken and off the
         * trails; else the first one off what is taken. */
        int pick = -1;
        for (int pass = 0; pass < 2 && pick < 0; pass++)
            for (int ci = 0; ci < 4 && pick < 0; ci++) {
                Rect box = {cand[ci][0] - pad, cand[ci][1] - asc - 0.3 * pad, w + 2 * pad,
                            asc + desc + 0.6 * pad};
                int ok = box.x >= plot.x && box.y >= plot.y && box.x + box.w <= plot.x + plot.w &&
                         box.y + box.h <= plot.y + plot.h;
                for (int t = 0; ok && t < ntaken; t++)
                    ok = !rects_overlap(box, taken[t]);
                if (ok && pass == 0)
                    ok = !trails_cross(s, ax, box);
                if (!ok)
                    continue;
                pick = ci;
                taken[ntaken++] = box;
            }
        if (pick >= 0)
            boxed_label(s, tr, out, text, size, cand[pick][0], cand[pick][1], w, asc, desc);
    }
    free(order);
}

/* The legend under the map: a swatch and a line per entry, shrunk to fit
 * the panel's width. */
static void draw_basin_legend(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r) {
    const BasinMap *bm = s->view->basins;
    const double u = s->scale, pad = PANEL_PAD_PX * u, lh = basins_line_h(s);
    double size = PANEL_TICK_PX * TU, sw = 0.8 * size, x0 = r.x + pad + 4 * u;
    const double avail = r.x + r.w - pad - (x0 + sw + 0.5 * size);
    char text[GD_LABEL_MAX + 64];
    for (int e = 0; e < bm->nentries; e++) {
        basins_entry_text(s, e, text, sizeof text);
        float w, asc, desc;
        text_measure(tr, text, (float)size, &w, &asc, &desc);
        if (w > avail && w > 0)
            size = fmax(size * avail / w, 0.6 * PANEL_TICK_PX * TU);
    }
    sw = 0.8 * size;
    const double top = r.y + r.h - basins_legend_h(s) + 0.2 * PANEL_TICK_PX * TU;
    for (int e = 0; e < bm->nentries; e++) {
        double y = top + (e + 0.5) * lh; /* the line's middle */
        float c[3];
        frame_basin_color(bm, e, c);
        const float lw = (float)fmax(1.0, round(u));
        raster_fill_rect(out, (float)x0, (float)(y - sw / 2), (float)(x0 + sw), (float)(y + sw / 2),
                         s->theme.axis[0], s->theme.axis[1], s->theme.axis[2], 1);
        raster_fill_rect(out, (float)x0 + lw, (float)(y - sw / 2) + lw, (float)(x0 + sw) - lw,
                         (float)(y + sw / 2) - lw, c[0], c[1], c[2], 1);
        basins_entry_text(s, e, text, sizeof text);
        draw_label(tr, out, text, size, x0 + sw + 0.5 * size, y + 0.35 * size, TEXT_LEFT,
                   s->theme.ink, r);
    }
}

void panels_draw_basins(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr,
                        RasterTarget *out, Rect r, const TimelineMoment *m) {
    PlotAxes ax;
    Ticks xt, yt;
    int ok = axes_for(s, pc, PANEL_BASINS, r, &ax, &xt, &yt);
    const int strip = s->view->plane.curve; /* one parameter: bands over it, no v axis */
    draw_panel_chrome(s, tr, out, r, s->cfg->labels.basins, strip ? "" : s->view->plane.name[1],
                      &ax, ok);
    if (!ok)
        return;
    if (strip)
        yt.n = 0;
    if (pc && pc->has_basins && pc->basins.w == (int)(ax.x1 - ax.x0) &&
        pc->basins.h == (int)(ax.y1 - ax.y0))
        blit(out, &pc->basins, (int)ax.x0, (int)ax.y0);
    else
        render_basin_map(s, out, &ax, 0);
    /* The x axis name goes above the legend. */
    Rect above = r;
    above.h = fmax(0, r.h - basins_legend_h(s));
    draw_axes(s, tr, out, above, &ax, &xt, &yt, s->view->plane.name[0], 0);
    draw_basin_minima(s, tr, out, &ax);
    draw_basin_legend(s, tr, out, r);
    draw_trails(s, out, &ax, m, NULL, 0, NULL);
}

/* The frame, title and axes of a plain panel (fit, loss); 0 when the
 * rectangle is too small to hold a plot. */
static int panel_begin(const FrameSpec *s, const PanelCache *pc, PanelKind kind, TextRenderer *tr,
                       RasterTarget *out, Rect r, const char *title, const char *yname,
                       const char *xname, PlotAxes *ax) {
    Ticks xt, yt;
    int ok = axes_for(s, pc, kind, r, ax, &xt, &yt);
    draw_panel_chrome(s, tr, out, r, title, yname, ax, ok);
    if (ok)
        draw_axes(s, tr, out, r, ax, &xt, &yt, xname, 1);
    return ok;
}

/* --------------------------------------------------------------- fit */

void panels_draw_fit(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr, RasterTarget *out,
                     Rect r, double step) {
    const Config *cfg = s->cfg;
    const double u = s->scale;
    PlotAxes ax;
    if (!panel_begin(s, pc, PANEL_FIT, tr, out, r, cfg->labels.fit, cfg->labels.y, cfg->labels.x,
                     &ax))
        return;

    int stride =
        cfg->ndata > PANEL_FIT_POINTS ? (cfg->ndata + PANEL_FIT_POINTS - 1) / PANEL_FIT_POINTS : 1;
    for (int i = 0; i < cfg->ndata; i += stride) {
        double x = panels_map_x(&ax, cfg->data_x[i]), y = panels_map_y(&ax, cfg->data_y[i]);
        if (in_area(&ax, x, y))
            raster_point(out, vtx(x, y, s->theme.data_dot, 1), (float)(2.2 * u), line_flags(s));
    }
    double xs[PANEL_FIT_SAMPLES], ys[PANEL_FIT_SAMPLES];
    for (int i = 0; i < PANEL_FIT_SAMPLES; i++)
        xs[i] = ax.xlo + (ax.xhi - ax.xlo) * i / (PANEL_FIT_SAMPLES - 1);
    for (int ri = 0; ri < s->view->ntrails; ri++) {
        const ViewTrail *st = &s->view->trails[ri];
        int kmax;
        double last, p[GD_MAX_PARAMS];
        if (!run_at(st, step, &kmax, &last, p, NULL, NULL))
            continue;
        formula_eval_many(cfg->model.formula, xs, PANEL_FIT_SAMPLES, p, ys);
        for (int i = 0; i + 1 < PANEL_FIT_SAMPLES; i++)
            draw_segment(out, &ax, panels_map_x(&ax, xs[i]), panels_map_y(&ax, ys[i]),
                         panels_map_x(&ax, xs[i + 1]), panels_map_y(&ax, ys[i + 1]), st->color, 1,
                         PANEL_CURVE_W_PX * u, line_flags(s));
    }
}

/* -------------------------------------------------------------- loss */

static double log_loss(double l) {
    return l > 0 ? log10(l) : -HUGE_VAL;
}

void panels_draw_loss(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr, RasterTarget *out,
                      Rect r, double step) {
    const double u = s->scale;
    PlotAxes ax;
    if (!panel_begin(s, pc, PANEL_LOSS, tr, out, r, s->cfg->labels.loss_panel, s->cfg->labels.loss,
                     s->cfg->labels.step, &ax))
        return;
    const double width = PANEL_CURVE_W_PX * u;
    const int flags = line_flags(s);
    /* A log axis below its range: clamp -inf (a zero loss) to just under
     * the bottom so the curve runs along the axis instead of vanishing. */
    const double floor_v = ax.ylo - 0.01 * (ax.yhi - ax.ylo);
#define YPIX(lv) map_lin(fmax((lv), floor_v), ax.ylo, ax.yhi, ax.y1, ax.y0)
    for (int ri = 0; ri < s->view->ntrails; ri++) {
        const ViewTrail *st = &s->view->trails[ri];
        const Trajectory *t = st->traj;
        int kmax;
        double last, cur;
        if (!run_at(st, step, &kmax, &last, NULL, NULL, &cur))
            continue;
        double px = panels_map_x(&ax, 0), py = YPIX(log_loss(t->loss[0]));
        /* More rows than pixel columns: per column, join the previous
         * column to this one's first row and draw its min..max range, so
         * oscillations stay visible at any step count. */
        int dense = kmax + 1 > 2 * (int)(ax.x1 - ax.x0);
        int col = (int)floor(px);
        double cx = px, first = py, mn = py, mx = py, lastv = py;
        for (int k = 1; k <= kmax; k++) {
            double qx = panels_map_x(&ax, k), qy = YPIX(log_loss(t->loss[k]));
            if (!dense) {
                draw_segment(out, &ax, px, py, qx, qy, st->color, 1, width, flags);
                px = qx;
                py = qy;
                continue;
            }
            if ((int)floor(qx) == col) {
                mn = fmin(mn, qy);
                mx = fmax(mx, qy);
                lastv = qy;
                continue;
            }
            draw_segment(out, &ax, px, py, cx, first, st->color, 1, width, flags);
            draw_segment(out, &ax, cx, mn, cx, mx, st->color, 1, width, flags);
            px = cx;
            py = lastv;
            col = (int)floor(qx);
            cx = qx;
            first = mn = mx = lastv = qy;
        }
        if (dense) {
            draw_segment(out, &ax, px, py, cx, first, st->color, 1, width, flags);
            draw_segment(out, &ax, cx, mn, cx, mx, st->color, 1, width, flags);
            px = cx;
            py = lastv;
        }
        double qx = panels_map_x(&ax, last), qy = YPIX(log_loss(cur));
        draw_segment(out, &ax, px, py, qx, qy, st->color, 1, width, flags);
        if (in_area(&ax, qx, qy)) {
            raster_point(out, vtx(qx, qy, st->color, 1), (float)(3.5 * u), flags);
            if (t->status == RUN_DIVERGED && step >= st->npoints - 1) {
                /* The run left the box after this row: mark where. */
                double d = 5 * u;
                draw_segment(out, &ax, qx - d, qy - d, qx + d, qy + d, s->theme.mark, 1, 1.6 * u,
                             flags);
                draw_segment(out, &ax, qx - d, qy + d, qx + d, qy - d, s->theme.mark, 1, 1.6 * u,
                             flags);
            }
        }
    }
#undef YPIX
}

/* ---------------------------------------------------------- colorbar */

int panels_colorbar_axes(const FrameSpec *s, Rect r, PlotAxes *ax) {
    const double u = s->scale;
    memset(ax, 0, sizeof *ax);
    ax->x0 = round(r.x + 6 * u);
    ax->x1 = ax->x0 + fmax(2.0, round(14 * u));
    ax->y0 = round(r.y + fmax(34 * u, 0.15 * r.h));
    ax->y1 = round(r.y + r.h - fmax(24 * u, 0.15 * r.h));
    ax->xlo = 0;
    ax->xhi = 1;
    ax->ylo = s->view->land.zlo;
    ax->yhi = s->view->land.zhi;
    return ax->x1 <= r.x + r.w && ax->y1 - ax->y0 >= 4 && ax->yhi > ax->ylo;
}

void panels_draw_colorbar(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r) {
    const Config *cfg = s->cfg;
    const double u = s->scale;
    const Rgb bg = cfg->video.background;
    const float bgc[3] = {bg.r / 255.0f, bg.g / 255.0f, bg.b / 255.0f};
    fill_opaque(out, r.x, r.y, r.x + r.w, r.y + r.h, bgc);
    PlotAxes ax;
    if (!panels_colorbar_axes(s, r, &ax))
        return;
    const int y0 = (int)ax.y0, y1 = (int)ax.y1;
    for (int y = y0; y < y1; y++) {
        float c[3];
        colormap_eval(cfg->surface.colormap, (double)(y1 - 1 - y) / (y1 - 1 - y0), c);
        fill_opaque(out, ax.x0, y, ax.x1, y + 1, c);
    }
    const float lw = (float)fmax(1.0, round(u));
    const float *k = s->theme.axis;
    float bx0 = (float)ax.x0, bx1 = (float)ax.x1, by0 = (float)ax.y0, by1 = (float)ax.y1;
    raster_fill_rect(out, bx0 - lw, by0 - lw, bx1 + lw, by0, k[0], k[1], k[2], 1);
    raster_fill_rect(out, bx0 - lw, by1, bx1 + lw, by1 + lw, k[0], k[1], k[2], 1);
    raster_fill_rect(out, bx0 - lw, by0, bx0, by1, k[0], k[1], k[2], 1);
    raster_fill_rect(out, bx1, by0, bx1 + lw, by1, k[0], k[1], k[2], 1);

    /* The same ticks as the 3D loss axis; labels shrink to fit the strip. */
    const Ticks *A = &s->view->land.axis[2];
    double size = PANEL_COLORBAR_TICK_PX * TU, lx = ax.x1 + lw + 4 * u + 2 * u,
           avail = r.x + r.w - lx - 1;
    for (int i = 0; i < A->n; i++) {
        float w, asc, desc;
        text_measure(tr, A->label[i], (float)size, &w, &asc, &desc);
        if (w > avail && w > 0)
            size *= avail / w;
    }
    for (int i = 0; i < A->n; i++) {
        double y = round(panels_map_y(&ax, A->v[i]));
        if (y < ax.y0 - 0.5 || y > ax.y1 + 0.5)
            continue;
        raster_fill_rect(out, bx1 + lw, (float)y - lw / 2, bx1 + lw + (float)(4 * u),
                         (float)y + lw / 2, k[0], k[1], k[2], 1);
        draw_label(tr, out, A->label[i], size, lx, y + 0.35 * size, TEXT_LEFT, s->theme.ink, r);
    }
    draw_label(tr, out, cfg->labels.loss, PANEL_NAME_PX * TU, (ax.x0 + ax.x1) / 2, ax.y0 - 10 * u,
               TEXT_CENTER, s->theme.ink, r);
}

/* ------------------------------------------------------------- cache */

int panels_prepare(const FrameSpec *s, const Layout *L, PanelCache **out, GdError *err) {
    *out = NULL;
    PanelCache *pc = calloc(1, sizeof *pc);
    if (!pc)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory preparing the plots");
    fit_range(s, pc->fit_range);
    loss_range(s, pc->loss_range);
    for (int i = 0; i < L->npanels; i++) {
        PlotAxes ax;
        if (L->panel_kind[i] != PANEL_BASINS || pc->has_basins ||
            !axes_for(s, pc, PANEL_BASINS, L->panel[i], &ax, NULL, NULL))
            continue;
        if (raster_target_init(&pc->basins, (int)(ax.x1 - ax.x0), (int)(ax.y1 - ax.y0), 0) != 0) {
            panels_free(pc);
            return gd_error(err, GD_ERR_RUNTIME, "out of memory preparing the basin map");
        }
        render_basin_map(s, &pc->basins, &ax, 1);
        pc->has_basins = 1;
    }
    for (int i = 0; i < L->npanels; i++) {
        if (L->panel_kind[i] != PANEL_CONTOUR || s->view->plane.curve)
            continue;
        PlotAxes ax;
        if (!axes_for(s, pc, PANEL_CONTOUR, L->panel[i], &ax, NULL, NULL))
            break;
        if (raster_target_init(&pc->image, (int)(ax.x1 - ax.x0), (int)(ax.y1 - ax.y0), 0) != 0) {
            panels_free(pc);
            return gd_error(err, GD_ERR_RUNTIME, "out of memory preparing the contour map");
        }
        render_contour_map(s, &pc->image, &ax, 1);
        pc->image_axes = ax;
        pc->has_image = 1;
        break;
    }
    *out = pc;
    return 0;
}

void panels_free(PanelCache *pc) {
    if (!pc)
        return;
    raster_target_free(&pc->image);
    raster_target_free(&pc->basins);
    free(pc);
}

void panels_pixels(PanelKind kind, Rect r, int w, int h, int px[4]) {
    px[0] = px[1] = px[2] = px[3] = 0;
    if (kind != PANEL_CONTOUR && kind != PANEL_FIT && kind != PANEL_LOSS && kind != PANEL_BASINS)
        return;
    /* Each begins with draw_panel_chrome, which fills r. */
    int i0, i1, j0, j1;
    opaque_pixels(w, h, r.x, r.y, r.x + r.w, r.y + r.h, &i0, &i1, &j0, &j1);
    if (i1 <= i0 || j1 <= j0)
        return;
    px[0] = i0;
    px[1] = j0;
    px[2] = i1 - i0;
    px[3] = j1 - j0;
}

void panels_draw(const FrameSpec *s, const PanelCache *pc, PanelKind kind, TextRenderer *tr,
                 RasterTarget *out, Rect r, const TimelineMoment *m) {
    const double step = m->step;
    switch (kind) {
    case PANEL_CONTOUR:
        panels_draw_contour(s, pc, tr, out, r, m);
        break;
    case PANEL_FIT:
        panels_draw_fit(s, pc, tr, out, r, step);
        break;
    case PANEL_LOSS:
        panels_draw_loss(s, pc, tr, out, r, step);
        break;
    case PANEL_BASINS:
        panels_draw_basins(s, pc, tr, out, r, m);
        break;
    default:
        break;
    }
}
