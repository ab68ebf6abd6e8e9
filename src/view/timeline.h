/*
 * timeline.h — which moment of the runs each frame shows.
 *
 * Pipeline place: view stage, after sim. Frame k shows time k / fps. The
 * runs' steps play out over [video] duration on one clock (the longest run
 * sets the pace; shorter runs finish early and wait), then the last state
 * holds for [video] hold seconds while the camera keeps moving.
 *
 * Pacing: step(t) = S * (exp(K u) - 1) / (exp(K) - 1) with u = t / duration
 * and K = TIMELINE_PACE. The early steps, where gradient descent moves most,
 * get the most time (with K = 3 the first 5% of 400 steps take 22% of the
 * time), and the long tail of small refinements passes quickly.
 */
#ifndef GD_TIMELINE_H
#define GD_TIMELINE_H

#include "base/tunables.h"
#include "config/config.h"

/* Time in seconds that frame k shows. */
double timeline_time(const Config *cfg, int frame);

/* The (fractional) step shown at time t, in [0, max_steps]. */
double timeline_step(const Config *cfg, int max_steps, double t);

#endif
