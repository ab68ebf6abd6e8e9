/*
 * plane.c — see plane.h.
 */
#include "view/plane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "base/tunables.h"

void plane_init_axes(Plane *pl, const ModelConfig *m, const double *origin, int a, int b) {
    memset(pl, 0, sizeof *pl);
    pl->nparams = m->nparams;
    if (origin)
        memcpy(pl->origin, origin, sizeof(double) * (size_t)m->nparams);
    pl->dir[0][a] = 1;
    pl->dir[1][b] = 1;
    pl->axis[0] = a;
    pl->axis[1] = b;
    snprintf(pl->name[0], sizeof pl->name[0], "%s", m->params[a]);
    snprintf(pl->name[1], sizeof pl->name[1], "%s", m->params[b]);
}

static double dot(const double *x, const double *y, int n) {
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

int plane_init(Plane *pl, int nparams, const double *origin, const double *d0, const double *d1,
               const char *name0, const char *name1) {
    double e0[GD_MAX_PARAMS], e1[GD_MAX_PARAMS];
    double n0 = sqrt(dot(d0, d0, nparams));
    if (!(n0 > 0) || !isfinite(n0))
        return -1;
    for (int i = 0; i < nparams; i++)
        e0[i] = d0[i] / n0;
    double c = dot(d1, e0, nparams);
    for (int i = 0; i < nparams; i++)
        e1[i] = d1[i] - c * e0[i];
    double n1 = sqrt(dot(e1, e1, nparams));
    /* Parallel within rounding: no plane. */
    if (!(n1 > 1e-12 * sqrt(dot(d1, d1, nparams))) || !isfinite(n1))
        return -1;
    for (int i = 0; i < nparams; i++)
        e1[i] /= n1;
    memset(pl, 0, sizeof *pl);
    pl->nparams = nparams;
    memcpy(pl->origin, origin, sizeof(double) * (size_t)nparams);
    memcpy(pl->dir[0], e0, sizeof(double) * (size_t)nparams);
    memcpy(pl->dir[1], e1, sizeof(double) * (size_t)nparams);
    for (int k = 0; k < 2; k++) {
        int ones = 0, zeros = 0, a = -1;
        for (int i = 0; i < nparams; i++) {
            ones += pl->dir[k][i] == 1.0;
            zeros += pl->dir[k][i] == 0.0;
            if (pl->dir[k][i] == 1.0)
                a = i;
        }
        pl->axis[k] = ones == 1 && zeros == nparams - 1 ? a : -1;
    }
    snprintf(pl->name[0], sizeof pl->name[0], "%s", name0);
    snprintf(pl->name[1], sizeof pl->name[1], "%s", name1);
    return 0;
}

void plane_project(const Plane *pl, const double *p, double uv[2]) {
    for (int k = 0; k < 2; k++) {
        int a = pl->axis[k];
        if (a >= 0) {
            /* Exactly the parameter when the origin is 0 there. */
            uv[k] = pl->origin[a] == 0 ? p[a] : p[a] - pl->origin[a];
            continue;
        }
        double s = 0;
        for (int i = 0; i < pl->nparams; i++)
            s += (p[i] - pl->origin[i]) * pl->dir[k][i];
        uv[k] = s;
    }
}

void plane_project_vector(const Plane *pl, const double *d, double uv[2]) {
    for (int k = 0; k < 2; k++) {
        if (pl->axis[k] >= 0) {
            uv[k] = d[pl->axis[k]];
            continue;
        }
        double s = 0;
        for (int i = 0; i < pl->nparams; i++)
            s += d[i] * pl->dir[k][i];
        uv[k] = s;
    }
}

double plane_distance(const Plane *pl, const double *p) {
    double uv[2];
    plane_project(pl, p, uv);
    double s = 0;
    for (int i = 0; i < pl->nparams; i++) {
        double r = p[i] - pl->origin[i] - uv[0] * pl->dir[0][i] - uv[1] * pl->dir[1][i];
        s += r * r;
    }
    return sqrt(s);
}

void plane_point(const Plane *pl, double u, double v, double *p) {
    for (int i = 0; i < pl->nparams; i++)
        p[i] = pl->origin[i] + u * pl->dir[0][i] + v * pl->dir[1][i];
    /* Axis directions: the coordinate itself, not a sum with zeros. */
    for (int k = 0; k < 2; k++) {
        int a = pl->axis[k];
        if (a >= 0)
            p[a] = pl->origin[a] == 0 ? (k == 0 ? u : v) : pl->origin[a] + (k == 0 ? u : v);
    }
}

int plane_trail_init(ViewTrail *out, const Plane *pl, const Trajectory *t) {
    memset(out, 0, sizeof *out);
    out->traj = t;
    out->color[0] = t->run->color.r / 255.0f;
    out->color[1] = t->run->color.g / 255.0f;
    out->color[2] = t->run->color.b / 255.0f;
    out->uv = malloc(sizeof(double) * 2 * (size_t)(t->nrows > 0 ? t->nrows : 1));
    out->dist = malloc(sizeof(double) * (size_t)(t->nrows > 0 ? t->nrows : 1));
    out->alpha = malloc(sizeof(float) * (size_t)(t->nrows > 0 ? t->nrows : 1));
    if (!out->uv || !out->dist || !out->alpha) {
        plane_trail_free(out);
        return -1;
    }
    int n = 0, cut = 0;
    for (int k = 0; k < t->nrows; k++) {
        const double *p = t->params + (size_t)k * t->nparams;
        double *uv = out->uv + 2 * (size_t)k;
        plane_project(pl, p, uv);
        out->dist[k] = plane_distance(pl, p);
        out->alpha[k] = 1;
        /* The divergence rule of the simulation, on the shown coordinates;
         * the loss only has to be finite, so the row where the loss passed
         * the limit is still drawn: the trail shows where the run left. */
        if (!cut &&
            (sim_value_diverged(uv[0]) || sim_value_diverged(uv[1]) || !isfinite(t->loss[k])))
            cut = 1;
        if (!cut)
            n++;
    }
    out->npoints = n;
    return 0;
}

void plane_trail_free(ViewTrail *tr) {
    if (!tr)
        return;
    free(tr->uv);
    free(tr->dist);
    free(tr->alpha);
    tr->uv = tr->dist = NULL;
    tr->alpha = NULL;
    tr->npoints = 0;
}

/* ------------------------------------------------------------------ pca */

/* Eigen-decomposition of the symmetric n x n matrix a (row-major,
 * destroyed) by cyclic Jacobi rotations: eigenvalues into w, eigenvectors
 * as the columns of v. */
static void jacobi_eigen(double *a, int n, double *w, double *v) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            v[i * n + j] = i == j;
    for (int sweep = 0; sweep < PLANE_JACOBI_SWEEPS; sweep++) {
        double off = 0, diag = 0;
        for (int i = 0; i < n; i++) {
            diag += a[i * n + i] * a[i * n + i];
            for (int j = i + 1; j < n; j++)
                off += a[i * n + j] * a[i * n + j];
        }
        if (off == 0 || off < 1e-32 * diag)
            break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = a[p * n + q];
                if (apq == 0)
                    continue;
                double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) { /* columns p and q */
                    double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) { /* rows p and q */
                    double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < n; k++) {
                    double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    for (int i = 0; i < n; i++)
        w[i] = a[i * n + i];
}

int plane_pca(const double *rows, long nrows, int nparams, double dir[2][GD_MAX_PARAMS],
              double explained[2]) {
    const int n = nparams;
    double *g = calloc((size_t)n * (size_t)n, sizeof *g);
    double *vec = malloc(sizeof *vec * (size_t)n * (size_t)n);
    double *w = malloc(sizeof *w * (size_t)n);
    if (!g || !vec || !w) {
        free(g);
        free(vec);
        free(w);
        return -2;
    }
    for (long r = 0; r < nrows; r++) {
        const double *d = rows + (size_t)r * (size_t)n;
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                g[i * n + j] += d[i] * d[j];
    }
    double trace = 0;
    for (int i = 0; i < n; i++) {
        trace += g[i * n + i];
        for (int j = 0; j < i; j++)
            g[i * n + j] = g[j * n + i];
    }
    int rc = -1;
    if (trace > 0 && isfinite(trace)) {
        jacobi_eigen(g, n, w, vec);
        int best[2] = {-1, -1};
        for (int i = 0; i < n; i++) {
            if (best[0] < 0 || w[i] > w[best[0]]) {
                best[1] = best[0];
                best[0] = i;
            } else if (best[1] < 0 || w[i] > w[best[1]]) {
                best[1] = i;
            }
        }
        for (int k = 0; k < 2; k++) {
            int c = best[k] >= 0 ? best[k] : 0, big = 0;
            for (int i = 0; i < n; i++)
                if (fabs(vec[i * n + c]) > fabs(vec[big * n + c]))
                    big = i;
            double sign = vec[big * n + c] < 0 ? -1 : 1;
            memset(dir[k], 0, sizeof dir[k]);
            for (int i = 0; i < n; i++)
                dir[k][i] = sign * vec[i * n + c];
            explained[k] = best[k] >= 0 ? fmax(0, w[c]) / trace : 0;
        }
        rc = 0;
    }
    free(g);
    free(vec);
    free(w);
    return rc;
}

/* -------------------------------------------------------- from the config */

int plane_is_projection(const Config *cfg) {
    const ModelConfig *m = &cfg->model;
    const SurfaceConfig *sf = &cfg->surface;
    if (m->nparams >= 3)
        return 1;
    int other = 0;
    for (int k = 0; k < sf->nplanes; k++) {
        const PlaneChoice *pc = &sf->planes[k];
        other |= !(pc->kind == PLANE_AXES && pc->axis[0] == 0 && pc->axis[1] == 1);
    }
    return m->nparams == 2 && sf->plane_given && other;
}

/* The last row of t that is still on the drawable side of the divergence
 * rule (its final point when it settles). */
static const double *final_point(const Trajectory *t) {
    int k = t->nrows - 1;
    while (k > 0) {
        const double *p = t->params + (size_t)k * t->nparams;
        int bad = !isfinite(t->loss[k]);
        for (int i = 0; i < t->nparams && !bad; i++)
            bad = sim_value_diverged(p[i]);
        if (!bad)
            break;
        k--;
    }
    return t->params + (size_t)k * t->nparams;
}

static int plane_center(const Config *cfg, const Trajectory *trajs, double *c, GdError *err) {
    const int n = cfg->model.nparams;
    switch (cfg->surface.center) {
    case CENTER_FINAL:
        memcpy(c, final_point(&trajs[0]), sizeof(double) * (size_t)n);
        break;
    case CENTER_INIT:
        memcpy(c, cfg->runs[0].init, sizeof(double) * (size_t)n);
        break;
    case CENTER_TRUE:
        if (!cfg->data.has_true)
            return gd_error(err, GD_ERR_INPUT,
                            "%s: center = true needs [data] true (the data comes from a file)",
                            cfg->surface.center_where);
        memcpy(c, cfg->data.true_params, sizeof(double) * (size_t)n);
        break;
    case CENTER_VALUES:
        memcpy(c, cfg->surface.center_at, sizeof(double) * (size_t)n);
        break;
    }
    return 0;
}

/* PCA of every run's rows (at most PLANE_PCA_ROWS of them, evenly spaced
 * over each run) as deltas from c. */
static int plane_of_pca(Plane *pl, const Config *cfg, const Trajectory *trajs, const double *c,
                        GdError *err) {
    const int n = cfg->model.nparams;
    long total = 0;
    for (int r = 0; r < cfg->nruns; r++)
        total += trajs[r].nrows;
    long stride = total / PLANE_PCA_ROWS + 1, count = 0;
    double *rows = malloc(sizeof(double) * (size_t)n * (size_t)(total / stride + cfg->nruns + 1));
    if (!rows)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    for (int r = 0; r < cfg->nruns; r++) {
        const Trajectory *t = &trajs[r];
        const double *last = final_point(t);
        for (long k = 0; k < t->nrows; k += stride) {
            const double *p = t->params + (size_t)k * (size_t)n;
            if (p > last)
                break;
            for (int i = 0; i < n; i++)
                rows[count * n + i] = p[i] - c[i];
            count++;
        }
    }
    double dir[2][GD_MAX_PARAMS], explained[2];
    int rc = plane_pca(rows, count, n, dir, explained);
    free(rows);
    if (rc == -2)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    char names[2][32];
    for (int k = 0; k < 2; k++)
        snprintf(names[k], sizeof names[k], "PC%d (%.0f%%)", k + 1,
                 rc == 0 ? 100 * explained[k] : 0.0);
    if (rc != 0 || explained[1] <= 0 ||
        plane_init(pl, n, c, dir[0], dir[1], names[0], names[1]) != 0)
        return gd_error(err, GD_ERR_INPUT,
                        "%s: the runs %s, so they span no plane (use plane = P, Q or random)",
                        cfg->surface.plane_where,
                        rc != 0 ? "never leave the center" : "move along one line only");
    pl->explained[0] = explained[0];
    pl->explained[1] = explained[1];
    return 0;
}

/* Two seeded Gaussian directions, each parameter family scaled to the
 * norm of its values at c (Li et al.'s filter normalisation, a family
 * being one filter; a family that is zero at c keeps a unit norm). */
static int plane_of_random(Plane *pl, const Config *cfg, const double *c) {
    const ModelConfig *m = &cfg->model;
    double dir[2][GD_MAX_PARAMS];
    GdRng rng;
    rng_seed(&rng, cfg->surface.plane_seed);
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < m->nparams; i++)
            dir[k][i] = rng_normal(&rng);
        for (int f = 0; f < m->nfamilies; f++) {
            const ParamFamily *fam = &m->families[f];
            double dn = 0, cn = 0;
            for (int i = fam->first; i < fam->first + fam->count; i++) {
                dn += dir[k][i] * dir[k][i];
                cn += c[i] * c[i];
            }
            double scale = (cn > 0 ? sqrt(cn) : 1) / (dn > 0 ? sqrt(dn) : 1);
            for (int i = fam->first; i < fam->first + fam->count; i++)
                dir[k][i] *= scale;
        }
    }
    return plane_init(pl, m->nparams, c, dir[0], dir[1], "d1", "d2");
}

int plane_from_config(Plane *pl, const Config *cfg, const Trajectory *trajs, int index,
                      GdError *err) {
    const ModelConfig *m = &cfg->model;
    const SurfaceConfig *sf = &cfg->surface;
    const PlaneChoice *pc = &sf->planes[index >= 0 && index < sf->nplanes ? index : 0];
    memset(pl, 0, sizeof *pl);
    if (m->nparams == 1) {
        pl->nparams = 1;
        pl->kind = PLANE_AXES;
        pl->curve = 1;
        pl->dir[0][0] = 1;
        pl->axis[0] = 0;
        pl->axis[1] = -1;
        snprintf(pl->name[0], sizeof pl->name[0], "%s", cfg->labels.param[0]);
        snprintf(pl->name[1], sizeof pl->name[1], "%s", cfg->labels.loss);
        return 0;
    }
    double c[GD_MAX_PARAMS] = {0};
    int rc = 0;
    if (pc->kind != PLANE_AXES || m->nparams >= 3 || sf->plane_given)
        rc = plane_center(cfg, trajs, c, err);
    if (rc)
        return rc;
    if (pc->kind == PLANE_PCA) {
        rc = plane_of_pca(pl, cfg, trajs, c, err);
    } else if (pc->kind == PLANE_RANDOM) {
        if (plane_of_random(pl, cfg, c) != 0)
            rc = gd_error(err, GD_ERR_INPUT, "%s: the random directions are parallel",
                          sf->plane_where);
    } else {
        int a = pc->axis[0], b = pc->axis[1];
        c[a] = c[b] = 0; /* the shown parameters' own values are the coordinates */
        plane_init_axes(pl, m, c, a, b);
        for (int i = 0; i < 2; i++) /* axes named as [labels] says */
            snprintf(pl->name[i], sizeof pl->name[i], "%s", cfg->labels.param[pl->axis[i]]);
    }
    if (rc == 0)
        pl->kind = pc->kind;
    return rc;
}

typedef struct PlaneCsv {
    int n;
    Plane *planes;
} PlaneCsv;

static void plane_csv_columns(FILE *f, const Trajectory *t, int k, void *ctx) {
    const PlaneCsv *pc = ctx;
    const double *p = t->params + (size_t)k * (size_t)t->nparams;
    for (int i = 0; i < pc->n; i++) {
        double uv[2];
        plane_project(&pc->planes[i], p, uv);
        sim_csv_number(f, uv[0]);
        sim_csv_number(f, uv[1]);
        sim_csv_number(f, plane_distance(&pc->planes[i], p));
    }
}

int plane_write_csv(FILE *f, const Config *cfg, const Trajectory *trajs, GdError *err) {
    if (!plane_is_projection(cfg))
        return sim_write_csv(f, cfg, trajs, cfg->nruns);
    PlaneCsv pc = {cfg->surface.nplanes, calloc((size_t)cfg->surface.nplanes, sizeof(Plane))};
    if (!pc.planes)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    char header[GD_MAX_PLANES * 48] = "";
    int rc = 0;
    for (int i = 0; i < pc.n && rc == 0; i++) {
        rc = plane_from_config(&pc.planes[i], cfg, trajs, i, err);
        /* plane_u, ... for the first plane; plane2_u, ... for the next */
        char tag[16] = "plane";
        if (i > 0)
            snprintf(tag, sizeof tag, "plane%d", i + 1);
        size_t o = strlen(header);
        snprintf(header + o, sizeof header - o, ",%s_u,%s_v,%s_dist", tag, tag, tag);
    }
    if (rc == 0)
        rc = sim_write_csv_with(f, cfg, trajs, cfg->nruns, header, plane_csv_columns, &pc);
    free(pc.planes);
    return rc;
}
