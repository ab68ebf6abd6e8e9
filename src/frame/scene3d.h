/*
 * scene.h — what one video shows, and drawing one frame of it.
 *
 * Pipeline place: render stage. scene_init computes everything that does not
 * change between frames once per video (the loss grid over the surface box,
 * its shaded vertex colours, the floor contours, axis ticks, the trails in
 * world space). scene_render_frame then draws frame k into a caller-owned
 * RGB buffer using only per-thread scratch memory (SceneScratch), so several
 * threads render frames side by side.
 *
 * The 3D picture is drawn in horizontal bands of a supersampled target (ss x
 * ss samples per pixel; ss = 1 at draft quality), each band resolved into
 * the frame before the next is drawn: memory stays small at any size and
 * the working set stays in cache. Per band: the box's back panes and floor
 * contours, then the trails and balls (depth-tested), then the surface into
 * its own layer, of which only the nearest sheet is blended over the rest
 * with [surface] opacity (no sorting, so no seams or popping as the camera
 * turns). Text and 2D panels are drawn last at output resolution.
 */
#ifndef GD_SCENE_H
#define GD_SCENE_H

#include <stdint.h>

#include "view/camera.h"
#include "config/config.h"
#include "base/error.h"
#include "draw/raster.h"
#include "sim/sim.h"
#include "draw/text.h"

#define SCENE_MAX_TICKS 12

/* One precomputed polyline point of a trail in world space. */
typedef struct TrailPoint {
    double w[3];
} TrailPoint;

typedef struct SceneTrail {
    const Trajectory *traj;
    float color[3];
    int npoints;       /* = traj->nrows, or fewer when the run diverged */
    TrailPoint *point; /* world position of each step's point */
    int last_drawn;    /* last step with a finite, in-box-or-clippable point */
} SceneTrail;

typedef struct Axis {
    double lo, hi;
    int nticks;
    double ticks[SCENE_MAX_TICKS];
    char labels[SCENE_MAX_TICKS][32];
} Axis;

typedef struct Rect {
    double x, y, w, h;
} Rect;

typedef struct Scene {
    const Config *cfg;
    int width, height; /* output frame size */
    int ss;            /* supersampling factor */
    int aa;            /* anti-aliased lines and points */
    double scale;      /* text and line size unit: height / 720 */
    int nframes;
    int max_steps;

    /* Surface box: the two shown parameters' ranges and the loss range. */
    int res;
    double lo[2], hi[2];
    double zlo, zhi;   /* loss values (after zscale) at the box bottom/top */
    double *grid_loss; /* res*res loss values, row j (param 2) major */
    double *grid_z;    /* world z of each grid vertex */
    float *grid_rgb;   /* shaded colour of each vertex, 3 floats */
    int ncontour;      /* floor contour segments */
    double *contour_w; /* 6 doubles a segment: two world points */
    float *contour_rgb;
    Axis axis[3]; /* param 1, param 2, loss */

    int ntrails;
    SceneTrail *trails;

    struct Layout *layout;   /* where the views, panels and colourbar go (owned) */
    struct PlotCache *plots; /* the 2D panels' precomputed images (owned) */
} Scene;

/* Per-thread scratch: band targets, projected vertices, text. */
typedef struct SceneScratch {
    RasterTarget band, layer;
    int band_rows;          /* band height in samples */
    float *vx, *vy, *vz;    /* projected surface vertices (supersampled pixels) */
    uint8_t *edge_mask;     /* band-sized: silhouette pixels to smooth (medium quality) */
    struct DrawList *lists; /* per-frame primitives: [0] main pass, [1] surface layer */
    uint8_t *resolved;      /* one band of a view at output resolution */
    TextRenderer *text;
} SceneScratch;

/* Builds the scene for cfg and its simulated trajectories (one per run).
 * width/height are the output frame size (already halved for draft).
 * Returns 0, or an error (out of memory: GD_ERR_RUNTIME). */
int scene_init(Scene *s, const Config *cfg, const Trajectory *trajs, int width, int height,
               Quality quality, GdError *err);
void scene_free(Scene *s);

/* Per-thread scratch for s. Opens the font (cfg font or the shipped one):
 * an unreadable font is GD_ERR_INPUT. */
int scene_scratch_init(SceneScratch *sc, const Scene *s, GdError *err);
void scene_scratch_free(SceneScratch *sc);

/* Renders frame k into rgb (width*height*3 bytes, pitch width*3). */
void scene_render_frame(const Scene *s, SceneScratch *sc, int frame, uint8_t *rgb);

/* A round tick spacing (1, 2 or 5 times a power of ten) giving about
 * `target` intervals over span; shared by the 3D axes and the 2D panels. */
double scene_nice_step(double span, int target);

/* The world position of parameter values (p1, p2) and a loss on the box
 * (loss mapped through zscale, clamped to the box). */
void scene_world(const Scene *s, double p1, double p2, double loss, double w[3]);

/* The surface box range a config gets when [surface] gives none: a padded
 * box around every run's start and path (up to divergence) and the true
 * parameter values, with round ends. */
void scene_default_range(const Config *cfg, const Trajectory *trajs, int param, double *lo,
                         double *hi);

#endif
