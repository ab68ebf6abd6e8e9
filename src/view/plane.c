/*
 * plane.c — see plane.h.
 */
#include "view/plane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!out->uv || !out->dist) {
        plane_trail_free(out);
        return -1;
    }
    int n = 0, cut = 0;
    for (int k = 0; k < t->nrows; k++) {
        const double *p = t->params + (size_t)k * t->nparams;
        double *uv = out->uv + 2 * (size_t)k;
        plane_project(pl, p, uv);
        out->dist[k] = plane_distance(pl, p);
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
    tr->uv = tr->dist = NULL;
    tr->npoints = 0;
}
