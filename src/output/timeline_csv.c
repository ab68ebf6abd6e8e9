/*
 * timeline_csv.c — see timeline_csv.h.
 */
#include "output/timeline_csv.h"

#include <math.h>

#include "view/camera.h"
#include "view/timeline.h"

/* One run's row of a frame: the ball at fractional step `step`. */
static void write_run(FILE *f, const Config *cfg, const Trajectory *t, int drawn, double step) {
    const int np = t->nparams;
    double s = fmin(step, (double)(drawn - 1));
    int k = (int)floor(s);
    double frac = s - k;
    int k1 = k + 1 < drawn ? k + 1 : k;
    double p[GD_MAX_PARAMS];
    for (int i = 0; i < np; i++) {
        double a = t->params[(size_t)k * np + i], b = t->params[(size_t)k1 * np + i];
        p[i] = frac == 0 ? a : a + frac * (b - a);
    }
    double loss = frac == 0 ? t->loss[k]
                            : formula_mse(cfg->model.formula, cfg->data_x, cfg->data_y, NULL,
                                          cfg->ndata, p, NULL);
    sim_csv_field(f, t->run->label);
    sim_csv_number(f, s);
    for (int i = 0; i < np; i++)
        sim_csv_number(f, p[i]);
    sim_csv_number(f, loss);
    fputc('\n', f);
}

int timeline_csv_write(FILE *f, const Config *cfg, const View *view) {
    const int np = cfg->model.nparams;
    fputs("frame,time,azimuth,elevation,zoom,run,step", f);
    for (int i = 0; i < np; i++)
        fprintf(f, ",%s", cfg->model.params[i]);
    fputs(",loss\n", f);
    const int nframes = config_frame_count(cfg);
    const double total = cfg->video.duration + cfg->video.hold;
    for (int frame = 0; frame < nframes && !ferror(f); frame++) {
        TimelineMoment m;
        timeline_moment(cfg, view->max_steps, frame, &m);
        CameraPose pose = camera_pose_at(&cfg->camera, &view->orbit, m.t, total);
        for (int r = 0; r < view->ntrails; r++) {
            const ViewTrail *t = &view->trails[r];
            if (t->npoints == 0)
                continue;
            fprintf(f, "%d", frame);
            sim_csv_number(f, m.t);
            sim_csv_number(f, pose.azimuth);
            sim_csv_number(f, pose.elevation);
            sim_csv_number(f, pose.zoom);
            fputc(',', f);
            write_run(f, cfg, t->traj, t->npoints, m.step);
        }
    }
    return ferror(f) ? -1 : 0;
}
