/*
 * minima.h — the local minima of the loss on the shown plane's box
 * ([surface] minima = yes).
 *
 * Pipeline place: view stage, after the landscape (landscape.h), whose
 * grid it starts from; built once per video by view_build and read by the
 * frame stage (the 3D view and the contour panel mark and label them).
 * Depends on model/formula (the loss and its exact gradient) and
 * base/parallel.
 *
 * How they are found:
 *   1. candidates: grid vertices lower than each of their neighbours (8
 *      inside the grid, fewer on the box's edge). Of equal neighbours the
 *      one first in grid order counts as the lower, so a flat floor (a
 *      plateau) gives one candidate, not one per vertex; vertices whose
 *      loss is not finite are never candidates. Only the MINIMA_REFINE
 *      lowest candidates go on.
 *   2. refinement, in box-scaled coordinates: Newton steps with the exact
 *      gradient and a Hessian from central differences of it, or a
 *      steepest-descent step where the Hessian is not positive definite;
 *      every step is at most two grid cells long, backtracked until the
 *      loss does not rise, and kept inside the box (clamped to its edge).
 *   3. acceptance: the refined point must be a minimum of the loss itself,
 *      not only of the box: its gradient vanishes (|gradient| times the
 *      box side at most MINIMA_GRAD_TOL of the grid's loss range) and its
 *      Hessian has no clearly negative curvature. A low point on the box's
 *      edge where the loss keeps falling outward (the gradient points out
 *      of the box) is the edge, not a minimum, and is dropped; a minimum
 *      that lies exactly on the edge stays.
 *   4. duplicates: points closer than MINIMA_MERGE of the box side, or of
 *      equal loss joined by a level straight path (one flat floor), are one
 *      minimum, the lower kept.
 *   5. the MINIMA_MAX lowest are kept, lowest first. The lowest is the
 *      global minimum as far as the box shows; minima whose loss ties with
 *      it (within 1e-9 of the grid's loss range, e.g. mirror images of a
 *      symmetric loss) are global too.
 * The result depends only on the config and the grid, never on the number
 * of threads.
 */
#ifndef GD_MINIMA_H
#define GD_MINIMA_H

#include "base/tunables.h"
#include "config/config.h"
#include "view/landscape.h"
#include "view/plane.h"

typedef struct ViewMinimum {
    double uv[2]; /* plane coordinates, inside the box */
    double loss;
    int global; /* the lowest in the box (or tied with it) */
} ViewMinimum;

/* The local minima of cfg's loss on plane pl over ls's box and grid, at
 * most max of them (max <= MINIMA_MAX), into out, lowest first; refined
 * on `threads` threads. Returns how many. Allocates nothing that outlives
 * the call; when out of memory it returns -1. */
int minima_find(const Config *cfg, const Plane *pl, const Landscape *ls, int threads,
                ViewMinimum *out, int max);

#endif
