/*
 * curve.h — the one-parameter view: the loss curve L(u) over the
 * parameter's box as a 2D plot, with each run's ball hopping along it.
 *
 * Pipeline place: frame stage, called by the composer (compose.h) in place
 * of the 3D scene (scene3d.h) when the view's plane is a curve (a
 * one-parameter model, view/plane.h: Plane.curve); a sibling of the 3D
 * scene and the 2D panels, it reads the view stage's plane-coordinate
 * trails and the timeline's moments through a FrameSpec. It fills the same
 * per-run state as the 3D scene (Scene3DRunState: where each ball was
 * drawn), so the composer places ball captions and the tests find balls
 * alike in both views.
 *
 * Coordinate spaces: u is the parameter's value (plane coordinate 0), z
 * the loss's z value (the loss, or log10 of it with [surface] zscale =
 * log: landscape_z); a CurveAxes maps (u, z) to output pixels of the plot
 * area, u left to right and z bottom to top.
 *
 * Motion: at an integer step k the ball is on the curve at (u_k, z_k), the
 * iterate's own loss. On the step k -> k + 1 (fraction f of view/timeline.h)
 * it travels on a hop: in screen space, the chord between the two iterates
 * lifted by CURVE_HOP_LIFT times the chord's horizontal length times
 * 4 f (1 - f) (a parabola, so a long step is a high hop), never below the
 * curve. The trail shows the last CURVE_TRAIL_HOPS hops as arcs, older ones
 * fading, every visited iterate as a faint dot, the timeline's afterimages
 * and a start marker.
 *
 * Recipe: curve_init once per video (it samples the curve at CURVE_SAMPLES
 * points: the loss of the model itself, not the landscape's coarser grid),
 * then curve_render for any frame on any thread (it reads the CurveScene
 * only), curve_free at the end.
 */
#ifndef GD_CURVE_H
#define GD_CURVE_H

#include "base/error.h"
#include "base/geom.h"
#include "draw/raster.h"
#include "draw/text.h"
#include "frame/scene3d.h"
#include "frame/spec.h"
#include "view/timeline.h"

typedef struct CurveScene {
    const FrameSpec *spec;
    int n;           /* samples */
    double *u, *z;   /* each sample's parameter value and z value (NAN: not finite) */
    double ylo, yhi; /* the plot's z range, margins included */
    double ulo, uhi; /* the parameter's box */
} CurveScene;

/* The data-to-pixel mapping of the plot area [x0, x1) x [y0, y1). */
typedef struct CurveAxes {
    double x0, y0, x1, y1;
    double ulo, uhi, ylo, yhi;
} CurveAxes;

/* Samples the curve of spec's view (a curve plane). Returns 0, or
 * GD_ERR_RUNTIME when out of memory (then nothing needs freeing). */
int curve_init(CurveScene *c, const FrameSpec *spec, GdError *err);
void curve_free(CurveScene *c); /* NULL-safe, idempotent */

/* The plot area the curve gets in view v with lines and text at size unit
 * `scale` (as scene3d_render's): room for the tick labels left and below,
 * the loss axis name above. Returns 0 when v is too small for a plot. */
int curve_axes(const CurveScene *c, Rect v, double scale, CurveAxes *ax);

/* Pixel coordinates of u and of z value z (not clamped). */
double curve_map_x(const CurveAxes *ax, double u);
double curve_map_y(const CurveAxes *ax, double z);

/* The curve's z value at u (linear between samples; NAN outside the box
 * or where the loss is not finite). */
double curve_z(const CurveScene *c, double u);

/* The point at fraction f (0..1) of the hop from pixel (x0, y0) to
 * (x1, y1): the chord lifted by h * 4 f (1 - f), h = CURVE_HOP_LIFT *
 * |x1 - x0| but no more than the chord's middle lies below `top` (the
 * plot's top, plus the ball's radius), and between two points below top
 * never higher than it; never below the curve (when c and ax are given). */
void curve_hop_point(const CurveScene *c, const CurveAxes *ax, double x0, double y0, double x1,
                     double y1, double f, double top, double *x, double *y);

/* Where run tr's ball is at fractional step `step` (view/timeline.h), in
 * pixels of ax: on the curve at an iterate, on the hop between two.
 * Returns 0 when the run has no drawn row. */
int curve_ball_xy(const CurveScene *c, const CurveAxes *ax, const ViewTrail *tr, double step,
                  double *x, double *y);

/* Draws the curve plot of runs[0..nruns-1] at moment m into view v of out:
 * axes, ticks and names, the curve, the marks and minima (spec->points)
 * with their labels, the caption pins (pins, npins: their top_* set for
 * the composer's labels), the trails and balls, and "diverged at step k";
 * fills ts[i] per run (ball_drawn, ball_x, ball_y, ball_r in output
 * pixels, row). Labels keep off keep_clear (the readouts; w == 0: none).
 * The marks' label boxes go to point_boxes (at most max); returns how
 * many. */
int curve_render(const CurveScene *c, TextRenderer *tr, RasterTarget *out, Rect v, Rect keep_clear,
                 const int *runs, int nruns, const TimelineMoment *m, double scale,
                 Scene3DPin *pins, int npins, Scene3DRunState *ts, Rect *point_boxes, int max);

/* The boxes of the plot's tick labels and axis names in view v (at most
 * max; returns how many), for captions to keep off. */
int curve_label_boxes(const CurveScene *c, TextRenderer *tr, Rect v, double scale, Rect *boxes,
                      int max);

#endif
