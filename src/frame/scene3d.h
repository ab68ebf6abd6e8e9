/*
 * scene3d.h — the 3D view: the shaded loss landscape in its box, with the
 * runs' trails, starts and balls, and its axis labels.
 *
 * Pipeline place: frame stage, called by the composer (compose.h) as a
 * sibling of the 2D panels (panels.h); it reads the view stage's landscape
 * and plane-coordinate trails (view/view.h) through a FrameSpec and knows
 * nothing of the panels, the layout or the overlays.
 *
 * Coordinate spaces: plane coordinates (u, v) as in view/plane.h; world
 * space is the landscape's box coordinates as x and y (-1..1) with the z
 * value mapped to [-CAMERA_BOX_HALF_Z, +CAMERA_BOX_HALF_Z]; screen space is
 * pixels of the supersampled view (ss x ss samples per output pixel).
 *
 * scene3d_init computes what does not change between frames once per video
 * (the mesh heights and shaded vertex colours, the floor contours' colours,
 * the trails in world space). scene3d_render then draws one view of frame
 * k into a caller-owned RGB frame using only per-thread scratch memory
 * (Scene3DScratch), so several threads render frames side by side.
 *
 * The picture is drawn in horizontal bands of a supersampled target (ss = 1
 * at draft and medium quality), each band resolved into the frame before
 * the next is drawn: memory stays small at any size and the working set
 * stays in cache. Per band: the box's back panes (the floor one showing
 * the basin map with [basins] floor = yes) and floor contours, then
 * the trails, the marks' and minima's diamonds, the start markers and
 * balls (depth-tested), then the surface into its own layer,
 * of which only the nearest sheet is blended over the rest with [surface]
 * opacity (no sorting, so no seams or popping as the camera turns).
 */
#ifndef GD_SCENE3D_H
#define GD_SCENE3D_H

#include <stdint.h>

#include "base/error.h"
#include "base/geom.h"
#include "draw/raster.h"
#include "draw/text.h"
#include "frame/spec.h"
#include "view/camera.h"
#include "view/timeline.h"

/* One run's trail in world space. */
typedef struct Scene3DTrail {
    const ViewTrail *trail; /* plane coordinates, colour, trajectory */
    int npoints;            /* = trail->npoints */
    double (*point)[3];     /* world position of each row */
    /* The rows the trail is drawn through, ascending: all of them (keep
     * is NULL) up to SCENE3D_TRAIL_EXACT rows; in a longer run the first
     * and then each row that moved more than SCENE3D_TRAIL_TOL from the
     * last kept one (or changed its opacity).
     * Chosen once, so a long trail is the same line in every frame. */
    int *keep;
    int nkeep;
} Scene3DTrail;

typedef struct Scene3D {
    const FrameSpec *spec;
    const Landscape *land;
    double scale;       /* size unit of this view's lines and labels (see scene3d_render) */
    double *grid_z;     /* world z of each grid vertex */
    float *grid_rgb;    /* shaded colour of each vertex, 3 floats */
    float *contour_rgb; /* floor colour of each contour segment, 3 floats */
    int ntrails;
    Scene3DTrail *trails;
    /* The floor corner (x, y in -1, 1) the loss axis stands on all video
     * long, wherever the camera allows: the one on the left at the
     * video's middle pose. */
    double loss_corner[2];
} Scene3D;

/* A point of the surface a caption points at: a leader line from the
 * surface up past the box's top, drawn with depth like everything else, so
 * the surface hides what lies behind it. */
typedef struct Scene3DPin {
    double p[2]; /* the shown parameters' values */
    float alpha;
    /* Set by scene3d_render: the line's top (for the label) and foot in
     * output pixels, if they are in the picture. */
    int top_ok;
    float top_x, top_y, foot_x, foot_y;
} Scene3DPin;

/* Per-thread scratch: band targets, projected vertices, display lists. */
typedef struct Scene3DScratch {
    int npins; /* the pins scene3d_render draws (set before the call) */
    Scene3DPin pins[GD_MAX_CAPTIONS];
    RasterTarget band, layer;
    int band_rows;          /* band height in samples */
    float *vx, *vy, *vz;    /* projected surface vertices (supersampled pixels) */
    int *lod, nlod;         /* this frame's grid lines of the drawn mesh (level of detail) */
    uint8_t *edge_mask;     /* band-sized: silhouette pixels to smooth (medium quality) */
    struct DrawList *lists; /* per-frame primitives: [0] main pass, [1] surface layer */
    uint8_t *resolved;      /* one band of a view at output resolution */
} Scene3DScratch;

/* Where a run's drawn trail ended in one rendered view, for labels. */
typedef struct Scene3DRunState {
    int has_end;
    float end_x, end_y; /* supersampled screen position where the drawn trail ends */
    double ball[3];     /* world position of the ball */
    int ball_in_box;
    int row; /* the trajectory row the ball has reached */
    /* Where the ball was drawn, in output pixels (ball_r: its radius), if
     * it was (ball_drawn); for checks of what the picture shows. */
    int ball_drawn;
    float ball_x, ball_y, ball_r;
} Scene3DRunState;

/* Builds the 3D scene of spec's view. Returns 0, or GD_ERR_RUNTIME when out
 * of memory (then nothing needs freeing). */
int scene3d_init(Scene3D *s, const FrameSpec *spec, GdError *err);
void scene3d_free(Scene3D *s); /* NULL-safe, idempotent */

int scene3d_scratch_init(Scene3DScratch *sc, const Scene3D *s, GdError *err);
void scene3d_scratch_free(Scene3DScratch *sc);

/* The pixels {x, y, w, h} of the frame that scene3d_render writes for the
 * rectangle v, every one of them (w = h = 0 when v is too small to draw). */
void scene3d_pixels(Rect v, int px[4]);

/* Renders the 3D view of the runs runs[0..nruns-1] at moment m (its step,
 * and its recent iterates as afterimages) from camera pose `pose` into the rectangle v of the frame
 * rgb (spec->width x spec->height, pitch width * 3), with lines and markers at size unit `scale`;
 * fills ts[i] for each run. */
void scene3d_render(const Scene3D *s, Scene3DScratch *sc, Rect v, const int *runs, int nruns,
                    CameraPose pose, const TimelineMoment *m, double scale, uint8_t *rgb,
                    Scene3DRunState *ts);

/* Draws the box's tick labels and axis names, "diverged at step k" where
 * a diverged run's trail ends once the clock has got there, and the labels
 * of the marks and minima in sight (spec->points, frame/marks.h) beside
 * their markers, over the view v rendered by scene3d_render (same runs,
 * pose, moment m, scale and ts). No label overlaps another; the marks'
 * labels also keep off the markers, trails, balls and their afterimages,
 * start markers and keep_clear (the readouts; w == 0: none), and one that
 * finds no room is left out. The boxes of the marks' labels drawn go to
 * point_boxes (at most max; it may be NULL), for what is placed later
 * (captions) to keep off; returns how many. */
int scene3d_draw_labels(const Scene3D *s, TextRenderer *tr, RasterTarget *out, Rect v,
                        Rect keep_clear, const int *runs, int nruns, CameraPose pose,
                        const TimelineMoment *m, double scale, const Scene3DRunState *ts,
                        Rect *point_boxes, int max);

/* The boxes that scene3d_draw_labels gives the box's labels in view v
 * (padded label boxes, and the loss axis's column, which no other label may
 * enter), at most max of them; returns how many. For tests and layout
 * checks: no two of them overlap and all lie inside v. */
int scene3d_label_boxes(const Scene3D *s, TextRenderer *tr, Rect v, CameraPose pose, double scale,
                        Rect *boxes, int max);

#endif
