/*
 * landscape.c — see landscape.h.
 */
#include "view/landscape.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/parallel.h"
#include "base/tunables.h"

double landscape_z(ZScale zscale, double loss) {
    if (zscale == ZSCALE_LOG)
        return log10(fmax(loss, 1e-300));
    return loss;
}

double landscape_box(const Landscape *ls, int axis, double c) {
    return -1.0 + 2.0 * (c - ls->lo[axis]) / (ls->hi[axis] - ls->lo[axis]);
}

/* ---------------------------------------------------------------- range */

typedef struct Span {
    double a, b;
} Span;

/* Finite values only, and none beyond the box's limit: a start at 1e305
 * pulls the box to the limit, not past it. */
static void take(Span *s, double v) {
    if (isfinite(v)) {
        v = fmin(fmax(v, -GD_BOX_LIMIT), GD_BOX_LIMIT);
        s->a = fmin(s->a, v);
        s->b = fmax(s->b, v);
    }
}

void landscape_default_range(const Config *cfg, const Plane *pl, const ViewTrail *trails,
                             int ntrails, int axis, double *lo, double *hi) {
    Span s = {DBL_MAX, -DBL_MAX};
    double uv[2];
    if (cfg->data.has_true && !cfg->data.from_file) {
        plane_project(pl, cfg->data.true_params, uv);
        take(&s, uv[axis]);
    }
    for (int r = 0; r < cfg->nruns; r++) {
        plane_project(pl, cfg->runs[r].init, uv);
        take(&s, uv[axis]);
    }
    /* Runs that do not diverge: every row (all are finite). */
    for (int r = 0; r < ntrails; r++) {
        const ViewTrail *t = &trails[r];
        if (t->traj->status == RUN_DIVERGED)
            continue;
        for (int k = 0; k < t->npoints; k++)
            take(&s, t->uv[2 * (size_t)k + axis]);
    }
    /* A diverging run is followed until it leaves the other points' box by
     * LANDSCAPE_DIVERGE_SPAN times its span: far enough to show it flying
     * off, not so far that the landscape becomes a dot. */
    double base_lo = s.a, base_hi = s.b, base_span = fmax(s.b - s.a, 1.0);
    double reach = LANDSCAPE_DIVERGE_SPAN * base_span;
    for (int r = 0; r < ntrails; r++) {
        const ViewTrail *t = &trails[r];
        if (t->traj->status != RUN_DIVERGED)
            continue;
        for (int k = 0; k < t->npoints; k++) {
            double v = t->uv[2 * (size_t)k + axis];
            if (!isfinite(v) || v < base_lo - reach || v > base_hi + reach)
                break;
            take(&s, v);
        }
    }
    double a = s.a, b = s.b;
    if (a > b) {
        a = -1;
        b = 1;
    }
    /* Everything at one point (or closer than a box may be narrow): a box
     * of a round size around it. */
    double span = b - a;
    if (span < config_box_min_span(a, b))
        span = fmax(1.0, fmax(fabs(a), fabs(b)) * 0.2);
    a -= 0.12 * span;
    b += 0.12 * span;
    double step = ticks_nice_step(b - a, 10);
    /* Rounded outwards, then held to the limit (values were, so the
     * width stays above config_box_min_span). */
    *lo = fmax(floor(a / step) * step, -GD_BOX_LIMIT);
    *hi = fmin(ceil(b / step) * step, GD_BOX_LIMIT);
}

/* ----------------------------------------------------------------- grid */

typedef struct GridJob {
    Landscape *ls;
    const Config *cfg;
    const Plane *pl;
} GridJob;

static void grid_rows(void *ctx, int j0, int j1) {
    const GridJob *job = ctx;
    Landscape *ls = job->ls;
    const Config *cfg = job->cfg;
    const int n = ls->res;
    double p[GD_MAX_PARAMS] = {0};
    for (int j = j0; j < j1; j++) {
        for (int i = 0; i < n; i++) {
            double u = ls->lo[0] + (ls->hi[0] - ls->lo[0]) * i / (n - 1);
            double v = ls->lo[1] + (ls->hi[1] - ls->lo[1]) * j / (n - 1);
            plane_point(job->pl, u, v, p);
            double l = formula_mse(cfg->model.formula, cfg->data_x, cfg->data_y, NULL, cfg->ndata,
                                   p, NULL);
            ls->loss[j * n + i] = isfinite(l) ? l : DBL_MAX;
        }
    }
}

/* The z range of the grid: every finite value, at most LANDSCAPE_DECADES decades
 * on a log scale, never empty. */
static void z_range(Landscape *ls) {
    const int n = ls->res;
    double zmin = DBL_MAX, zmax = -DBL_MAX;
    for (int k = 0; k < n * n; k++) {
        double l = ls->loss[k];
        if (l < DBL_MAX) {
            zmin = fmin(zmin, landscape_z(ls->zscale, l));
            zmax = fmax(zmax, landscape_z(ls->zscale, l));
        }
    }
    landscape_z_limits(ls->zscale, &zmin, &zmax);
    ls->zlo = zmin;
    ls->zhi = zmax;
}

static void axis_ticks(Ticks *t, double lo, double hi, int logscale) {
    double step = ticks_nice_step(hi - lo, LANDSCAPE_TICKS);
    if (logscale && step < 1)
        step = 1;
    ticks_fill(t, lo, hi, step, logscale, LANDSCAPE_TICKS_MAX);
}

/* ------------------------------------------------------------- contours */

/* What contour building keeps beside the segments: the two grid edges
 * each segment ends on (edge), and for each grid edge the segment ends
 * that lie on it (slot, two a grid edge: seg << 1 | end, or -1). */
typedef struct ContourBuild {
    int cap;
    int *edge;
    int *slot;
    unsigned char *seen; /* a segment already in a line */
} ContourBuild;

static int push_segment(Landscape *ls, ContourBuild *cb, const double seg[4], int level,
                        const int edge[2]) {
    if (ls->ncontour == cb->cap) {
        int nc = cb->cap ? cb->cap * 2 : 1024;
        double *c = realloc(ls->contour, sizeof(double) * 4 * (size_t)nc);
        if (!c)
            return -1;
        ls->contour = c;
        int *l = realloc(ls->contour_level, sizeof(int) * (size_t)nc);
        if (!l)
            return -1;
        ls->contour_level = l;
        int *e = realloc(cb->edge, sizeof(int) * 2 * (size_t)nc);
        if (!e)
            return -1;
        cb->edge = e;
        int *ch = realloc(ls->contour_chain, sizeof(int) * (size_t)nc);
        if (!ch)
            return -1;
        ls->contour_chain = ch;
        unsigned char *sn = realloc(cb->seen, (size_t)nc);
        if (!sn)
            return -1;
        cb->seen = sn;
        cb->cap = nc;
    }
    memcpy(ls->contour + 4 * (size_t)ls->ncontour, seg, sizeof(double) * 4);
    cb->edge[2 * ls->ncontour] = edge[0];
    cb->edge[2 * ls->ncontour + 1] = edge[1];
    cb->seen[ls->ncontour] = 0;
    ls->contour_level[ls->ncontour++] = level;
    return 0;
}

/* The segment end (seg << 1 | end) that shares the grid edge of segment
 * end se, or -1. */
static int contour_neighbour(const ContourBuild *cb, int se) {
    const int *sl = cb->slot + 2 * (size_t)cb->edge[se];
    return sl[0] == se ? sl[1] : sl[0];
}

/* Orders one level's segments [first, ls->ncontour) into lines (the
 * contour_chain entries from first on): each segment end is joined to
 * the one on the same grid edge, which the cell beside it made. */
static void chain_level(Landscape *ls, ContourBuild *cb, int first) {
    const int last = ls->ncontour;
    for (int s = first; s < last; s++)
        for (int q = 0; q < 2; q++) {
            int *sl = cb->slot + 2 * (size_t)cb->edge[2 * s + q];
            sl[sl[0] < 0 ? 0 : 1] = 2 * s + q;
        }
    int k = first;
    for (int s = first; s < last; s++) {
        if (cb->seen[s])
            continue;
        /* Back to the line's start (or once round a closed one): c is
         * entered through its end a. */
        int c = s, a = 0;
        for (int guard = first; guard < last; guard++) {
            int nb = contour_neighbour(cb, 2 * c + a);
            if (nb < 0 || nb >> 1 == s || cb->seen[nb >> 1])
                break;
            c = nb >> 1;
            a = 1 - (nb & 1);
        }
        int start = 1;
        for (;;) {
            cb->seen[c] = 1;
            ls->contour_chain[k++] = c << 2 | a << 1 | start;
            start = 0;
            int nb = contour_neighbour(cb, 2 * c + 1 - a);
            if (nb < 0 || cb->seen[nb >> 1])
                break;
            c = nb >> 1;
            a = nb & 1;
        }
    }
    for (int s = first; s < last; s++)
        for (int q = 0; q < 2; q++) {
            int *sl = cb->slot + 2 * (size_t)cb->edge[2 * s + q];
            sl[0] = sl[1] = -1;
        }
}

/* Marching squares over the grid for one level; appends its segments and
 * chains them into lines. */
static int add_contours(Landscape *ls, double z, int level, ContourBuild *cb) {
    const int n = ls->res;
    const int first = ls->ncontour;
    const double *g = ls->loss;
    for (int j = 0; j + 1 < n; j++) {
        for (int i = 0; i + 1 < n; i++) {
            double v[4] = {landscape_z(ls->zscale, g[j * n + i]),
                           landscape_z(ls->zscale, g[j * n + i + 1]),
                           landscape_z(ls->zscale, g[(j + 1) * n + i + 1]),
                           landscape_z(ls->zscale, g[(j + 1) * n + i])};
            double cx[4] = {(double)i, i + 1.0, i + 1.0, (double)i};
            double cy[4] = {(double)j, (double)j, j + 1.0, j + 1.0};
            /* The grid edges of the cell's sides: the horizontal ones
             * (i, j)-(i + 1, j) first, then the vertical (i, j)-(i, j + 1). */
            const int hor = n * (n - 1);
            const int side[4] = {j * (n - 1) + i, hor + j * n + i + 1, (j + 1) * (n - 1) + i,
                                 hor + j * n + i};
            double px[4], py[4];
            int pe[4];
            int k = 0;
            for (int e = 0; e < 4; e++) {
                double a = v[e] - z, b = v[(e + 1) % 4] - z;
                if ((a < 0) != (b < 0)) {
                    double t = a / (a - b);
                    px[k] = cx[e] + t * (cx[(e + 1) % 4] - cx[e]);
                    py[k] = cy[e] + t * (cy[(e + 1) % 4] - cy[e]);
                    pe[k] = side[e];
                    k++;
                }
            }
            for (int q = 0; q + 1 < k; q += 2) {
                /* Grid coordinates to box coordinates. */
                double seg[4] = {-1.0 + 2.0 * px[q] / (n - 1), -1.0 + 2.0 * py[q] / (n - 1),
                                 -1.0 + 2.0 * px[q + 1] / (n - 1),
                                 -1.0 + 2.0 * py[q + 1] / (n - 1)};
                if (push_segment(ls, cb, seg, level, pe + q) != 0)
                    return -1;
            }
        }
    }
    chain_level(ls, cb, first);
    return 0;
}

/* The z axis's ticks and the contour segments of the z range. */
static int z_levels(Landscape *ls, const Config *cfg) {
    axis_ticks(&ls->axis[2], ls->zlo, ls->zhi, ls->zscale == ZSCALE_LOG);
    if (cfg->surface.contours <= 0)
        return 0;
    const size_t nedges = 2 * (size_t)ls->res * (size_t)(ls->res - 1);
    ContourBuild cb = {0, NULL, malloc(sizeof(int) * 2 * nedges), NULL};
    int rc = cb.slot ? 0 : -1;
    for (size_t e = 0; rc == 0 && e < 2 * nedges; e++)
        cb.slot[e] = -1;
    for (int m = 0; rc == 0 && m < cfg->surface.contours; m++) {
        double t = (m + 0.5) / cfg->surface.contours;
        rc = add_contours(ls, ls->zlo + t * (ls->zhi - ls->zlo), m, &cb);
    }
    free(cb.edge);
    free(cb.slot);
    free(cb.seen);
    return rc;
}

void landscape_z_limits(ZScale zscale, double *zmin, double *zmax) {
    if (*zmin > *zmax) {
        *zmin = 0;
        *zmax = 1;
    }
    /* On a log scale a loss of exactly 0 (a perfect fit) would stretch the
     * axis down to 1e-300 and flatten everything else. */
    if (zscale == ZSCALE_LOG && *zmin < *zmax - LANDSCAPE_DECADES)
        *zmin = *zmax - LANDSCAPE_DECADES;
    if (*zmax - *zmin < 1e-12 * fmax(1.0, fabs(*zmax))) {
        *zmin -= 0.5;
        *zmax += 0.5;
    }
}

/* ---------------------------------------------------------------- build */

int landscape_build(Landscape *ls, const Config *cfg, const Plane *pl, const double lo[2],
                    const double hi[2], int threads, GdError *err) {
    memset(ls, 0, sizeof *ls);
    const int n = cfg->surface.resolution;
    ls->res = n;
    ls->zscale = cfg->surface.zscale;
    for (int i = 0; i < 2; i++) {
        ls->lo[i] = lo[i];
        ls->hi[i] = hi[i];
    }
    ls->loss = malloc(sizeof(double) * (size_t)n * n);
    if (!ls->loss)
        goto oom;
    /* resolution^2 x data points evaluations: a large data set at a fine
     * resolution takes seconds even on every core. */
    GridJob job = {ls, cfg, pl};
    parallel_for(threads, n, grid_rows, &job);
    z_range(ls);
    axis_ticks(&ls->axis[0], ls->lo[0], ls->hi[0], 0);
    axis_ticks(&ls->axis[1], ls->lo[1], ls->hi[1], 0);
    if (z_levels(ls, cfg) != 0)
        goto oom;
    return 0;
oom:
    landscape_free(ls);
    return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
}

int landscape_share_z(Landscape *const *ls, int n, const Config *cfg, GdError *err) {
    if (n < 2)
        return 0;
    double lo = ls[0]->zlo, hi = ls[0]->zhi;
    for (int i = 1; i < n; i++) {
        lo = fmin(lo, ls[i]->zlo);
        hi = fmax(hi, ls[i]->zhi);
    }
    for (int i = 0; i < n; i++) {
        ls[i]->zlo = lo;
        ls[i]->zhi = hi;
        free(ls[i]->contour);
        free(ls[i]->contour_level);
        free(ls[i]->contour_chain);
        ls[i]->contour = NULL;
        ls[i]->contour_level = NULL;
        ls[i]->contour_chain = NULL;
        ls[i]->ncontour = 0;
        if (z_levels(ls[i], cfg) != 0)
            return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
    }
    return 0;
}

void landscape_free(Landscape *ls) {
    if (!ls)
        return;
    free(ls->loss);
    free(ls->contour);
    free(ls->contour_level);
    free(ls->contour_chain);
    memset(ls, 0, sizeof *ls);
}
