/*
 * view.c — see view.h.
 */
#include "view/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/orbit.h"

int view_build(View *v, const Config *cfg, const Trajectory *trajs, int threads, GdError *err) {
    memset(v, 0, sizeof *v);
    plane_init_axes(&v->plane, &cfg->model, NULL, 0, 1);
    for (int i = 0; i < 2; i++) /* axes named as [labels] says */
        snprintf(v->plane.name[i], sizeof v->plane.name[i], "%s",
                 cfg->labels.param[v->plane.axis[i]]);
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
    double lo[2], hi[2];
    for (int i = 0; i < 2; i++) {
        int p = v->plane.axis[i];
        if (cfg->surface.has_range[p]) {
            lo[i] = cfg->surface.range[p][0];
            hi[i] = cfg->surface.range[p][1];
        } else {
            landscape_default_range(cfg, &v->plane, v->trails, v->ntrails, i, &lo[i], &hi[i]);
        }
    }
    int rc = landscape_build(&v->land, cfg, &v->plane, lo, hi, threads, err);
    if (rc != 0) {
        view_free(v);
        return rc;
    }
    v->orbit = CAMERA_ORBIT_CLASSIC;
    if (cfg->camera.nkeys == 0)
        v->orbit = orbit_choose(cfg, &v->land, v->trails, v->ntrails, v->max_steps);
    return 0;
oom:
    view_free(v);
    return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
}

void view_free(View *v) {
    if (!v)
        return;
    if (v->trails)
        for (int r = 0; r < v->ntrails; r++)
            plane_trail_free(&v->trails[r]);
    free(v->trails);
    landscape_free(&v->land);
    memset(v, 0, sizeof *v);
}
