/*
 * minima.c — see minima.h.
 *
 * Coordinates: `s` values are box-scaled plane coordinates, (u - lo) / (hi
 * - lo) along each axis, so 0..1 across the box; gradients and Hessians are
 * taken in them, which makes the tolerances independent of the units.
 */
#include "view/minima.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/parallel.h"
#include "base/tunables.h"
#include "model/formula.h"

/* Central-difference step of the Hessian, in box-scaled coordinates. */
#define HESSIAN_STEP 1e-5

typedef struct Candidate {
    double loss;
    int k; /* grid index */
} Candidate;

typedef struct Problem {
    const Config *cfg;
    const Plane *pl;
    const Landscape *ls;
    double scale;          /* the grid's finite loss range: what "small" is measured against */
    double cell;           /* a grid cell, in box-scaled coordinates */
    int ncand;             /* candidates to refine, lowest first */
    const Candidate *cand; /* their grid vertices */
    ViewMinimum *mp;       /* refined, one per candidate; loss = NaN when rejected */
} Problem;

/* The loss at box-scaled point s, and (when g is not NULL) its gradient
 * with respect to s. */
static double loss_at(const Problem *P, const double s[2], double g[2]) {
    const Landscape *ls = P->ls;
    const Config *cfg = P->cfg;
    double p[GD_MAX_PARAMS] = {0}, full[GD_MAX_PARAMS] = {0};
    double u = ls->lo[0] + s[0] * (ls->hi[0] - ls->lo[0]);
    double v = ls->lo[1] + s[1] * (ls->hi[1] - ls->lo[1]);
    plane_point(P->pl, u, v, p);
    double l = formula_mse(cfg->model.formula, cfg->data_x, cfg->data_y, NULL, cfg->ndata, p,
                           g ? full : NULL);
    if (g) {
        double guv[2];
        plane_project_vector(P->pl, full, guv);
        g[0] = guv[0] * (ls->hi[0] - ls->lo[0]);
        g[1] = guv[1] * (ls->hi[1] - ls->lo[1]);
    }
    return l;
}

/* The Hessian at s, from central differences of the exact gradient,
 * symmetrised: h[0] = d2/ds0^2, h[1] = d2/ds0 ds1, h[2] = d2/ds1^2. */
static void hessian_at(const Problem *P, const double s[2], double h[3]) {
    double col[2][2];
    for (int j = 0; j < 2; j++) {
        double a[2] = {s[0], s[1]}, b[2] = {s[0], s[1]}, ga[2], gb[2];
        a[j] += HESSIAN_STEP;
        b[j] -= HESSIAN_STEP;
        loss_at(P, a, ga);
        loss_at(P, b, gb);
        col[j][0] = (ga[0] - gb[0]) / (2 * HESSIAN_STEP);
        col[j][1] = (ga[1] - gb[1]) / (2 * HESSIAN_STEP);
    }
    h[0] = col[0][0];
    h[1] = 0.5 * (col[0][1] + col[1][0]);
    h[2] = col[1][1];
}

static double clamp01(double x) {
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Refines the candidate at s into a minimum: 1 and *out, or 0 when it is
 * not one (see minima.h, steps 2 and 3). */
static int refine(const Problem *P, const double start[2], ViewMinimum *out) {
    double s[2] = {start[0], start[1]}, g[2], h[3];
    double f = loss_at(P, s, g);
    if (!isfinite(f))
        return 0;
    const double trust = 2 * P->cell;
    for (int it = 0; it < MINIMA_STEPS; it++) {
        hessian_at(P, s, h);
        double det = h[0] * h[2] - h[1] * h[1], d[2];
        if (P->pl->curve) {
            /* A loss curve: Newton along u alone (v has no direction). */
            d[0] = h[0] > 0 && isfinite(h[0]) ? -g[0] / h[0] : -g[0];
            d[1] = 0;
        } else if (h[0] > 0 && det > 0 && isfinite(det)) {
            d[0] = -(h[2] * g[0] - h[1] * g[1]) / det;
            d[1] = -(h[0] * g[1] - h[1] * g[0]) / det;
        } else {
            d[0] = -g[0];
            d[1] = -g[1];
        }
        double len = sqrt(d[0] * d[0] + d[1] * d[1]);
        if (!(len > 0) || !isfinite(len))
            break;
        if (len > trust) {
            d[0] *= trust / len;
            d[1] *= trust / len;
        }
        /* Backtrack until the loss does not rise; clamped to the box. */
        int moved = 0;
        double t = 1, sn[2], fn = f;
        for (int k = 0; k < 40 && !moved; k++, t *= 0.5) {
            sn[0] = clamp01(s[0] + t * d[0]);
            sn[1] = clamp01(s[1] + t * d[1]);
            if (sn[0] == s[0] && sn[1] == s[1])
                break;
            fn = loss_at(P, sn, NULL);
            moved = fn <= f;
        }
        if (!moved)
            break;
        double step = fabs(sn[0] - s[0]) + fabs(sn[1] - s[1]);
        s[0] = sn[0];
        s[1] = sn[1];
        f = loss_at(P, s, g);
        if (step < 1e-13)
            break;
    }
    /* A minimum of the loss, not of the box: no slope left (where the box
     * cut the descent short the gradient points out of it), and no
     * direction of clearly negative curvature (not a saddle). */
    hessian_at(P, s, h);
    double tr = h[0] + h[2], disc = sqrt(0.25 * (h[0] - h[2]) * (h[0] - h[2]) + h[1] * h[1]);
    double gmax = fmax(fabs(g[0]), fabs(g[1]));
    if (!isfinite(f) || !(gmax <= MINIMA_GRAD_TOL * P->scale) ||
        !(0.5 * tr - disc >= -MINIMA_GRAD_TOL * P->scale))
        return 0;
    const Landscape *ls = P->ls;
    out->uv[0] = ls->lo[0] + s[0] * (ls->hi[0] - ls->lo[0]);
    out->uv[1] = ls->lo[1] + s[1] * (ls->hi[1] - ls->lo[1]);
    out->loss = f;
    out->global = 0;
    return 1;
}

static void refine_range(void *ctx, int lo, int hi) {
    Problem *P = ctx;
    const int n = P->ls->res;
    for (int c = lo; c < hi; c++) {
        int k = P->cand[c].k;
        double s[2] = {(double)(k % n) / (n - 1), (double)(k / n) / (n - 1)};
        if (P->pl->curve)
            s[1] = 0.5; /* v = 0: on the curve */
        if (!refine(P, s, &P->mp[c]))
            P->mp[c].loss = NAN;
    }
}

/* Whether grid vertex k is lower than each of its neighbours; of equal
 * ones, the first in grid order counts as the lower. */
static int is_candidate(const Landscape *ls, int k) {
    const int n = ls->res, i = k % n, j = k / n;
    const double l = ls->loss[k];
    if (!(l < DBL_MAX))
        return 0;
    for (int dj = -1; dj <= 1; dj++)
        for (int di = -1; di <= 1; di++) {
            int a = i + di, b = j + dj, q = b * n + a;
            if ((di == 0 && dj == 0) || a < 0 || b < 0 || a >= n || b >= n)
                continue;
            if (ls->loss[q] < l || (ls->loss[q] == l && q < k))
                return 0;
        }
    return 1;
}

static int by_grid_loss(const void *a, const void *b) {
    const Candidate *p = a, *q = b;
    return p->loss < q->loss ? -1 : p->loss > q->loss ? 1 : p->k - q->k;
}

static int by_loss(const void *a, const void *b) {
    const ViewMinimum *p = a, *q = b;
    if (p->loss != q->loss)
        return p->loss < q->loss ? -1 : 1;
    if (p->uv[0] != q->uv[0])
        return p->uv[0] < q->uv[0] ? -1 : 1;
    return p->uv[1] < q->uv[1] ? -1 : p->uv[1] > q->uv[1];
}

/* Whether a and b (a no higher than b) are one minimum: close together, or
 * on one flat floor (equal losses, and level along the straight path). */
static int same_minimum(const Problem *P, const ViewMinimum *a, const ViewMinimum *b) {
    const Landscape *ls = P->ls;
    double sa[2], sb[2], d = 0;
    for (int i = 0; i < 2; i++) {
        sa[i] = (a->uv[i] - ls->lo[i]) / (ls->hi[i] - ls->lo[i]);
        sb[i] = (b->uv[i] - ls->lo[i]) / (ls->hi[i] - ls->lo[i]);
        d += (sa[i] - sb[i]) * (sa[i] - sb[i]);
    }
    if (sqrt(d) < MINIMA_MERGE)
        return 1;
    const double level = 1e-12 * P->scale;
    if (b->loss - a->loss > level)
        return 0;
    for (int k = 1; k < 16; k++) {
        double t = k / 16.0, s[2] = {sa[0] + t * (sb[0] - sa[0]), sa[1] + t * (sb[1] - sa[1])};
        if (!(loss_at(P, s, NULL) <= b->loss + level))
            return 0;
    }
    return 1;
}

int minima_find(const Config *cfg, const Plane *pl, const Landscape *ls, int threads,
                ViewMinimum *out, int max) {
    const int n = ls->res;
    if (max > MINIMA_MAX)
        max = MINIMA_MAX;
    if (max <= 0 || n < 2)
        return 0;
    Problem P = {cfg, pl, ls, 0, 1.0 / (n - 1), 0, NULL, NULL};
    double lo = DBL_MAX, hi = -DBL_MAX;
    for (int k = 0; k < n * n; k++)
        if (ls->loss[k] < DBL_MAX) {
            lo = fmin(lo, ls->loss[k]);
            hi = fmax(hi, ls->loss[k]);
        }
    if (lo > hi)
        return 0;
    P.scale = fmax(hi - lo, 1e-300);
    int ncand = 0;
    for (int k = 0; k < n * n; k++)
        ncand += is_candidate(ls, k);
    Candidate *cand = malloc(sizeof *cand * (size_t)(ncand > 0 ? ncand : 1));
    P.mp = malloc(sizeof(ViewMinimum) * (size_t)(ncand > 0 ? ncand : 1));
    if (!cand || !P.mp) {
        free(cand);
        free(P.mp);
        return -1;
    }
    for (int k = 0, c = 0; k < n * n; k++)
        if (is_candidate(ls, k))
            cand[c++] = (Candidate){ls->loss[k], k};
    qsort(cand, (size_t)ncand, sizeof *cand, by_grid_loss);
    P.cand = cand;
    P.ncand = ncand < MINIMA_REFINE ? ncand : MINIMA_REFINE;
    parallel_for(threads, P.ncand, refine_range, &P);

    int nok = 0;
    for (int c = 0; c < P.ncand; c++)
        if (!isnan(P.mp[c].loss))
            P.mp[nok++] = P.mp[c];
    qsort(P.mp, (size_t)nok, sizeof(ViewMinimum), by_loss);
    int count = 0;
    for (int c = 0; c < nok && count < max; c++) {
        int dup = 0;
        for (int k = 0; k < count && !dup; k++)
            dup = same_minimum(&P, &out[k], &P.mp[c]);
        if (!dup)
            out[count++] = P.mp[c];
    }
    for (int k = 0; k < count; k++)
        out[k].global = out[k].loss - out[0].loss <= 1e-9 * P.scale;
    free(cand);
    free(P.mp);
    return count;
}
