/*
 * view.h — what a video shows of the simulation, in plane coordinates: the
 * plane, the runs' paths on it and the landscape of the loss over its box.
 *
 * Pipeline place: view stage. Built once per video from the config and the
 * finished trajectories (view_build), then read, never written, by every
 * frame's drawing (frame/), on any number of threads. The timeline
 * (timeline.h) and the camera (camera.h) are the view stage's other half:
 * which moment and from where each frame shows it.
 */
#ifndef GD_VIEW_H
#define GD_VIEW_H

#include "base/error.h"
#include "config/config.h"
#include "sim/basins.h"
#include "sim/sim.h"
#include "view/landscape.h"
#include "view/camera.h"
#include "view/minima.h"
#include "view/plane.h"

/* A [mark NAME] on the plane: where it is and the loss there. */
typedef struct ViewMark {
    double uv[2];
    double loss;
} ViewMark;

typedef struct View {
    Plane plane;
    Landscape land;
    int ntrails;       /* one per run, in config order */
    ViewTrail *trails; /* owned */
    int max_steps;     /* the longest run's last row: the timeline's length */
    CameraOrbit orbit; /* the default orbit, chosen to keep the trails in sight */
    /* Each caption's frames: shown in f0 <= frame < f1 (in config order). */
    int (*caption_frames)[2]; /* owned; cfg->ncaptions pairs */
    int nminima;              /* [surface] minima = yes: the lowest local minima, lowest first */
    ViewMinimum minima[MINIMA_MAX];
    int nmarks;      /* one per [mark], in config order */
    ViewMark *marks; /* owned; NULL when there are none */
    /* [basins]: where each start of a grid over the box ends (NULL
     * without the section); owned, or the one view_build_with was given. */
    const BasinMap *basins;
    BasinMap *basins_owned;
} View;

/* Builds the view of cfg's runs (trajs[0..cfg->nruns-1]): today's
 * two-parameter plane (the identity), every trajectory projected onto it,
 * the box ([surface] ranges, else landscape_default_range) and its
 * landscape, with the grid computed on `threads` threads, the marks and,
 * with [surface] minima, the landscape's minima (minima.h). Returns 0,
 * GD_ERR_INPUT for what view_check refuses, or GD_ERR_RUNTIME when out of
 * memory (then nothing needs freeing). */
int view_build(View *v, const Config *cfg, const Trajectory *trajs, int threads, GdError *err);
void view_free(View *v); /* NULL-safe, idempotent */

/* view_build with the basin map given (view_basins' for the same config
 * and runs; NULL: computed as view_build does), so a map needed before the
 * video (--basins) is not computed twice. v only points at it. */
int view_build_with(View *v, const Config *cfg, const Trajectory *trajs, const BasinMap *basins,
                    int threads, GdError *err);

/* view_build_with for plane `plane` of the planes shown side by side
 * ([surface] plane = b, c | pca): 0 the first, as view_build_with. */
int view_build_plane(View *v, const Config *cfg, const Trajectory *trajs, const BasinMap *basins,
                     int plane, int threads, GdError *err);

/* Every plane's view of [surface] plane, into views[0..nplanes-1]
 * (view_build_plane for each), their landscapes on one shared z range
 * (landscape_share_z) before the orbits are chosen. Returns 0 or the
 * error (then nothing needs freeing). */
int view_build_planes(View *views, const Config *cfg, const Trajectory *trajs,
                      const BasinMap *basins, int threads, GdError *err);

/* The basin map of cfg's [basins] (cfg->basins.enabled) over the box the
 * view would have, on `threads` threads: the grid of starts on the plane,
 * run with [basins] run's settings (sim/basins.h). Returns 0, or
 * GD_ERR_RUNTIME when out of memory (then nothing needs freeing). */
int view_basins(const Config *cfg, const Trajectory *trajs, int threads, BasinMap *out,
                GdError *err);

/* What view_build would refuse, without building the landscape (for
 * --check): a caption that ends before it starts, a caption's point, a
 * [camera] target or a [mark] outside the box ("ORIGIN: [mark NAME] at:
 * (P, Q) is outside the surface box (a LO..HI, b LO..HI)"). Returns 0 or
 * the error. */
int view_check(const Config *cfg, const Trajectory *trajs, GdError *err);

/* The world point ([camera] target) the camera looks at when the video
 * shows fractional step `step`: the box's centre, the target point on the
 * surface, or the centre of what the runs have visited by then (trails). */
void view_camera_target(const View *v, const Config *cfg, double step, double w[3]);

#endif
