/*
 * orbit.h — the default camera orbit, chosen by how much of the runs it
 * shows.
 *
 * Pipeline place: view stage, after the landscape and the plane-coordinate
 * trails are built. Without [camera] keyframes a fixed orbit can put a hill
 * between the eye and the minimum or the ball for seconds (an orange wedge
 * where the lesson should be). So a few candidate orbits (eight starting
 * azimuths at three elevations) are each judged at ORBIT_SAMPLES moments
 * of the video: the surface is rasterized into a small depth buffer and
 * every run's ball and a sample of its trail are tested against it. The
 * orbit that shows the most balls (then trail) wins; ties keep the classic
 * view.
 */
#ifndef GD_ORBIT_H
#define GD_ORBIT_H

#include "config/config.h"
#include "view/camera.h"
#include "view/landscape.h"
#include "view/plane.h"

/* What an orbit shows: for the run whose ball is seen least, the share
 * (0..1) of the moments its ball is in the box in which it is in the
 * picture and mostly not behind the surface (balls); the same share over
 * all (moment, run) pairs (balls_mean); and the share of sampled trail
 * points in sight. */
typedef struct OrbitScore {
    double balls, balls_mean, trails;
} OrbitScore;

/* Judges orbit o for cfg's video of the trails over landscape ls (the
 * timeline's length max_steps). Returns the score; -1 shares when out of
 * memory. */
OrbitScore orbit_score(const Config *cfg, const Landscape *ls, const ViewTrail *trails, int ntrails,
                       int max_steps, const CameraOrbit *o);

/* The candidate orbit with the best score (CAMERA_ORBIT_CLASSIC when it
 * is as good as any, or when out of memory), judged on `threads` threads;
 * the same whatever their number. */
CameraOrbit orbit_choose(const Config *cfg, const Landscape *ls, const ViewTrail *trails,
                         int ntrails, int max_steps, int threads);

#endif
