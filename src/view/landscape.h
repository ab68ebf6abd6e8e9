/*
 * landscape.h — the loss sampled on the shown plane, once per video.
 *
 * Pipeline place: view stage, after sim; read by the 3D scene, the contour
 * panel and the colourbar (frame/), which never evaluate the loss
 * themselves.
 *
 * Coordinate spaces: plane coordinates (u, v) as in plane.h; the box is
 * [lo[0], hi[0]] x [lo[1], hi[1]] of them; box coordinates map the box to
 * [-1, 1]^2 (u left to right, v front to back), the common ground of the 3D
 * scene (its world x and y) and the contour panel (its plot area); grid
 * coordinates are vertex indices 0..res-1 along u (i) and v (j). Heights
 * are "z values": the loss, or log10 of it with [surface] zscale = log (the
 * one place that rule lives: landscape_z).
 */
#ifndef GD_LANDSCAPE_H
#define GD_LANDSCAPE_H

#include "base/error.h"
#include "base/ticks.h"
#include "config/config.h"
#include "view/plane.h"

typedef struct Landscape {
    int res;             /* grid vertices along each side */
    double lo[2], hi[2]; /* the box in plane coordinates */
    ZScale zscale;
    double *loss;       /* res * res losses, row j (v) major; non-finite ones stored as DBL_MAX */
    double zlo, zhi;    /* z values at the box's bottom and top */
    Ticks axis[3];      /* u, v (plane coordinates) and z (z values; decades with log) */
    int ncontour;       /* contour segments of the [surface] contours levels */
    double *contour;    /* 4 doubles a segment: two points in box coordinates */
    int *contour_level; /* level m of each segment: z = zlo + (m + 0.5) / contours * (zhi - zlo) */
    /* The segments in the order of the lines they form, ncontour entries
     * of seg << 2 | reversed << 1 | first: segment seg, drawn from its
     * second point to its first when reversed, the first of a new line
     * when first. Each line is one level's, its segments joined end to
     * end (the next one starts where this one ends). */
    int *contour_chain;
} Landscape;

/* The z value of a loss: loss itself, or log10(max(loss, 1e-300)) on a log
 * scale. */
double landscape_z(ZScale zscale, double loss);

/* The rules a z range of losses keeps (zmin, zmax: the range of the
 * finite z values, or DBL_MAX, -DBL_MAX when there are none): none gives
 * 0..1; on a log scale at most LANDSCAPE_DECADES below the top; a flat
 * range is widened to 1 around its value. */
void landscape_z_limits(ZScale zscale, double *zmin, double *zmax);

/* Box coordinate (-1..1) of plane coordinate c along axis (0 = u, 1 = v). */
double landscape_box(const Landscape *ls, int axis, double c);

/* The box range along axis a config gets when [surface] gives none: a
 * padded box with round ends around every run's start, every point of the
 * runs that do not diverge and the true parameter values of synthetic
 * data; a diverging run is followed until it leaves that box by
 * LANDSCAPE_DIVERGE_SPAN times its span (at least 1). It keeps to the
 * rules of a [surface] range (config.h, GD_BOX_LIMIT): within +-1e300
 * (values beyond count as at the limit), and points closer together than
 * config_box_min_span get a box of a round size around them. */
void landscape_default_range(const Config *cfg, const Plane *pl, const ViewTrail *trails,
                             int ntrails, int axis, double *lo, double *hi);

/* Builds the landscape of cfg's loss on plane pl over the box lo..hi: the
 * grid on `threads` threads (the -j of the command line), its z range, the
 * axis ticks and the contour segments. Returns 0, or GD_ERR_RUNTIME when
 * out of memory (then nothing needs freeing). */
int landscape_build(Landscape *ls, const Config *cfg, const Plane *pl, const double lo[2],
                    const double hi[2], int threads, GdError *err);
void landscape_free(Landscape *ls); /* NULL-safe, idempotent */

/* Landscapes shown side by side (planes of one model) share one z range,
 * the union of theirs, so one colour bar and one height scale read the
 * same on each: their z ticks and contours are redone for it. Returns 0,
 * or GD_ERR_RUNTIME when out of memory. */
int landscape_share_z(Landscape *const *ls, int n, const Config *cfg, GdError *err);

#endif
