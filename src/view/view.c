/*
 * view.c — see view.h.
 */
#include "view/view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tunables.h"
#include "model/formula.h"
#include "view/orbit.h"
#include "view/timeline.h"

/* The view without its landscape: the plane, every trajectory on it, the
 * box (lo, hi) and the [camera] target checked against it. */
static int view_plan(View *v, const Config *cfg, const Trajectory *trajs, int plane, double lo[2],
                     double hi[2], GdError *err) {
    memset(v, 0, sizeof *v);
    int rc0 = plane_from_config(&v->plane, cfg, trajs, plane, err);
    if (rc0)
        return rc0;
    v->trails = calloc((size_t)(cfg->nruns > 0 ? cfg->nruns : 1), sizeof *v->trails);
    if (!v->trails)
        goto oom;
    v->ntrails = cfg->nruns;
    for (int r = 0; r < cfg->nruns; r++) {
        if (plane_trail_init(&v->trails[r], &v->plane, &trajs[r]) != 0)
            goto oom;
        if (trajs[r].nrows - 1 > v->max_steps)
            v->max_steps = trajs[r].nrows - 1;
    }
    for (int i = 0; i < 2; i++) {
        int p = v->plane.axis[i];
        if (v->plane.curve && i == 1) {
            lo[i] = -1; /* a loss curve: the second axis is only the grid's */
            hi[i] = 1;
        } else if (p >= 0 && cfg->surface.has_range[p]) {
            lo[i] = cfg->surface.range[p][0];
            hi[i] = cfg->surface.range[p][1];
        } else if (p < 0 && cfg->surface.has_plane_range[i]) {
            lo[i] = cfg->surface.plane_range[i][0];
            hi[i] = cfg->surface.plane_range[i][1];
        } else {
            landscape_default_range(cfg, &v->plane, v->trails, v->ntrails, i, &lo[i], &hi[i]);
        }
    }
    /* A trail fades as it leaves the plane: to half its opacity at
     * VIEW_FADE_DIST of the box's smaller side, never below VIEW_FADE_MIN. */
    const double fade =
        VIEW_FADE_DIST * fmin(hi[0] - lo[0], v->plane.curve ? INFINITY : hi[1] - lo[1]);
    for (int r = 0; r < v->ntrails; r++)
        for (int k = 0; k < trajs[r].nrows; k++) {
            double d = v->trails[r].dist[k] / fade;
            v->trails[r].alpha[k] = (float)fmax(VIEW_FADE_MIN, 1 / (1 + d * d));
        }
    if (cfg->ncaptions > 0) {
        v->caption_frames = calloc((size_t)cfg->ncaptions, sizeof *v->caption_frames);
        if (!v->caption_frames)
            goto oom;
    }
    for (int c = 0; c < cfg->ncaptions; c++) {
        const CaptionConfig *cc = &cfg->captions[c];
        int *f = v->caption_frames[c];
        const int nframes = config_frame_count(cfg);
        const CaptionTime *ends[2] = {&cc->from, &cc->to};
        for (int k = 0; k < 2; k++) {
            const CaptionTime *e = ends[k];
            if (k == 1 && e->value < 0)
                f[k] = nframes;
            else if (e->at_step)
                f[k] = timeline_first_frame(cfg, v->max_steps, e->value);
            else
                f[k] = (int)fmin(ceil(e->value * cfg->video.fps - 1e-9), nframes);
        }
        if (f[1] < f[0]) {
            int rc = gd_error(err, GD_ERR_INPUT,
                              "%s: the caption ends (frame %d) before it starts (frame %d)",
                              cc->where_to, f[1], f[0]);
            view_free(v);
            return rc;
        }
        const double *p = cc->point;
        if (cc->at == CAPTION_POINT &&
            !(p[0] >= lo[0] && p[0] <= hi[0] && p[1] >= lo[1] && p[1] <= hi[1])) {
            int rc = gd_error(err, GD_ERR_INPUT,
                              "%s: (%g, %g) is outside the surface box (%s %g..%g, %s %g..%g)",
                              cc->where_at, p[0], p[1], v->plane.name[0], lo[0], hi[0],
                              v->plane.name[1], lo[1], hi[1]);
            view_free(v);
            return rc;
        }
    }
    /* Points the config names must lie in the box, which may only now be
     * known (fitted around the runs). */
    for (int m = -1; m < cfg->nmarks; m++) {
        if (m < 0 && cfg->camera.target != TARGET_POINT)
            continue;
        const double *t = m < 0 ? cfg->camera.target_at : cfg->marks[m].at;
        const char *where = m < 0 ? cfg->camera.target_where : cfg->marks[m].where;
        if (!(t[0] >= lo[0] && t[0] <= hi[0] && t[1] >= lo[1] && t[1] <= hi[1])) {
            int rc = gd_error(
                err, GD_ERR_INPUT, "%s: (%g, %g) is outside the surface box (%s %g..%g, %s %g..%g)",
                where, t[0], t[1], v->plane.name[0], lo[0], hi[0], v->plane.name[1], lo[1], hi[1]);
            view_free(v);
            return rc;
        }
    }
    return 0;
oom:
    view_free(v);
    return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
}

int view_check(const Config *cfg, const Trajectory *trajs, GdError *err) {
    View *v = malloc(sizeof *v);
    if (!v)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    double lo[2], hi[2];
    int rc = 0;
    for (int k = 0; k < cfg->surface.nplanes && rc == 0; k++)
        if ((rc = view_plan(v, cfg, trajs, k, lo, hi, err)) == 0)
            view_free(v);
    free(v);
    return rc;
}

/* The starts of [basins] on the view's plane and box. */
static int plan_basins(const Config *cfg, const Plane *pl, const double lo[2], const double hi[2],
                       int threads, BasinMap *out, GdError *err) {
    BasinGrid g;
    memset(&g, 0, sizeof g);
    g.nparams = pl->nparams;
    memcpy(g.origin, pl->origin, sizeof g.origin);
    memcpy(g.dir, pl->dir, sizeof g.dir);
    for (int i = 0; i < 2; i++) {
        g.lo[i] = lo[i];
        g.hi[i] = hi[i];
    }
    g.res = cfg->basins.resolution;
    g.tolerance = cfg->basins.tolerance;
    return basins_compute(cfg, &cfg->runs[cfg->basins.run], &g, threads, out, err);
}

int view_basins(const Config *cfg, const Trajectory *trajs, int threads, BasinMap *out,
                GdError *err) {
    View *v = malloc(sizeof *v);
    if (!v)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    double lo[2], hi[2];
    int rc = view_plan(v, cfg, trajs, 0, lo, hi, err);
    if (rc == 0) {
        rc = plan_basins(cfg, &v->plane, lo, hi, threads, out, err);
        view_free(v);
    }
    free(v);
    return rc;
}

int view_build(View *v, const Config *cfg, const Trajectory *trajs, int threads, GdError *err) {
    return view_build_with(v, cfg, trajs, NULL, threads, err);
}

int view_build_with(View *v, const Config *cfg, const Trajectory *trajs, const BasinMap *basins,
                    int threads, GdError *err) {
    return view_build_plane(v, cfg, trajs, basins, 0, threads, err);
}

/* The first half of a view: its plane, trails, box and landscape (and the
 * basin map on that box). */
static int view_build_land(View *v, const Config *cfg, const Trajectory *trajs,
                           const BasinMap *basins, int plane, int threads, GdError *err) {
    double lo[2], hi[2];
    int rc = view_plan(v, cfg, trajs, plane, lo, hi, err);
    if (rc != 0)
        return rc;
    rc = landscape_build(&v->land, cfg, &v->plane, lo, hi, threads, err);
    if (rc == 0 && cfg->basins.enabled && basins) {
        v->basins = basins;
    } else if (rc == 0 && cfg->basins.enabled) {
        if (!(v->basins_owned = malloc(sizeof *v->basins_owned)))
            rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        else if ((rc = plan_basins(cfg, &v->plane, lo, hi, threads, v->basins_owned, err)) != 0) {
            free(v->basins_owned);
            v->basins_owned = NULL;
        }
        v->basins = v->basins_owned;
    }
    if (rc != 0)
        view_free(v);
    return rc;
}

/* The second half, on the landscape's final z range: marks, minima and
 * the default orbit. */
static int view_build_rest(View *v, const Config *cfg, int threads, GdError *err) {
    if (cfg->nmarks > 0 && !(v->marks = calloc((size_t)cfg->nmarks, sizeof *v->marks)))
        goto oom;
    v->nmarks = cfg->nmarks;
    for (int m = 0; m < cfg->nmarks; m++) {
        double p[GD_MAX_PARAMS] = {0};
        v->marks[m].uv[0] = cfg->marks[m].at[0];
        v->marks[m].uv[1] = cfg->marks[m].at[1];
        plane_point(&v->plane, v->marks[m].uv[0], v->marks[m].uv[1], p);
        v->marks[m].loss =
            formula_mse(cfg->model.formula, cfg->data_x, cfg->data_y, NULL, cfg->ndata, p, NULL);
    }
    if (cfg->surface.minima) {
        v->nminima = minima_find(cfg, &v->plane, &v->land, threads, v->minima, MINIMA_MAX);
        if (v->nminima < 0)
            goto oom;
    }
    v->orbit = CAMERA_ORBIT_CLASSIC;
    /* A loss curve is a 2D plot: no camera to choose. */
    if (cfg->camera.nkeys == 0 && !v->plane.curve)
        v->orbit = orbit_choose(cfg, &v->land, v->trails, v->ntrails, v->max_steps, threads);
    return 0;
oom:
    view_free(v);
    return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
}

int view_build_plane(View *v, const Config *cfg, const Trajectory *trajs, const BasinMap *basins,
                     int plane, int threads, GdError *err) {
    int rc = view_build_land(v, cfg, trajs, basins, plane, threads, err);
    return rc ? rc : view_build_rest(v, cfg, threads, err);
}

int view_build_planes(View *views, const Config *cfg, const Trajectory *trajs,
                      const BasinMap *basins, int threads, GdError *err) {
    const int n = cfg->surface.nplanes > 0 ? cfg->surface.nplanes : 1;
    Landscape *lands[GD_MAX_PLANES];
    int rc = 0, nland = 0;
    for (; nland < n; nland++) {
        if ((rc = view_build_land(&views[nland], cfg, trajs, basins, nland, threads, err)) != 0)
            break; /* it freed itself */
        lands[nland] = &views[nland].land;
    }
    if (rc == 0)
        rc = landscape_share_z(lands, n, cfg, err);
    for (int k = 0; k < n && rc == 0; k++)
        rc = view_build_rest(&views[k], cfg, threads, err);
    if (rc != 0) /* view_free is idempotent: the one that failed freed itself */
        for (int k = 0; k < nland; k++)
            view_free(&views[k]);
    return rc;
}

void view_camera_target(const View *v, const Config *cfg, double step, double w[3]) {
    const Landscape *ls = &v->land;
    w[0] = w[1] = w[2] = 0;
    if (cfg->camera.target == TARGET_POINT) {
        w[0] = landscape_box(ls, 0, cfg->camera.target_at[0]);
        w[1] = landscape_box(ls, 1, cfg->camera.target_at[1]);
        w[2] = camera_surface_z(ls, w[0], w[1]);
    } else if (cfg->camera.target == TARGET_TRAILS) {
        /* The centre of the visited rows' bounding box, from at most
         * VIEW_TARGET_ROWS rows a run, so long runs cost no more. */
        double lo[2] = {1, 1}, hi[2] = {-1, -1};
        for (int r = 0; r < v->ntrails; r++) {
            const ViewTrail *t = &v->trails[r];
            int last = (int)fmin(floor(step), t->npoints - 1);
            int stride = last / VIEW_TARGET_ROWS + 1;
            for (int k = 0; k <= last; k += stride)
                for (int a = 0; a < 2; a++) {
                    double b = fmax(-1, fmin(1, landscape_box(ls, a, t->uv[2 * (size_t)k + a])));
                    lo[a] = fmin(lo[a], b);
                    hi[a] = fmax(hi[a], b);
                }
        }
        if (lo[0] <= hi[0]) {
            w[0] = 0.5 * (lo[0] + hi[0]);
            w[1] = 0.5 * (lo[1] + hi[1]);
            w[2] = camera_surface_z(ls, w[0], w[1]);
        }
    }
}

void view_free(View *v) {
    if (!v)
        return;
    if (v->trails)
        for (int r = 0; r < v->ntrails; r++)
            plane_trail_free(&v->trails[r]);
    free(v->trails);
    free(v->caption_frames);
    free(v->marks);
    basins_free(v->basins_owned);
    free(v->basins_owned);
    landscape_free(&v->land);
    memset(v, 0, sizeof *v);
}
