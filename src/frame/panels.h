/*
 * panels.h — the 2D panels of [layout] panels (contour map, fit, loss,
 * basins) and
 * the colourbar of the 3D view.
 *
 * Pipeline place: frame stage, called by the composer (compose.h) for every
 * frame as a sibling of the 3D scene, drawing at output resolution into the
 * frame. It reads the view stage's landscape and plane-coordinate trails
 * through a FrameSpec, never the 3D scene. Depends on draw/ (raster, text,
 * colormap), base/ticks and the formula engine (the fitted curves).
 *
 * Recipe: panels_prepare once per video (it precomputes what never changes,
 * e.g. the filled contour image at the contour panel's size); then per
 * frame panels_draw for each panel of the layout; panels_free at the end.
 * The cache is read-only while frames render, so threads may share it, each
 * with its own target and TextRenderer.
 *
 * Every panel fills its rectangle with a light background, draws a thin
 * frame, a title, axes with ticks, tick labels and axis names, and keeps
 * everything inside its rectangle. `step` is the fractional step of
 * view/timeline.h: each run shows rows 0..min(floor(step), last), with its
 * current point interpolated between rows like the 3D ball.
 *
 * Coordinates: output pixels, x right, y down (raster.h). A PlotAxes maps
 * data values to pixels: the plot area [x0, x1) x [y0, y1) shows
 * xlo..xhi left to right and ylo..yhi bottom to top.
 */
#ifndef GD_PANELS_H
#define GD_PANELS_H

#include "base/error.h"
#include "base/geom.h"
#include "draw/raster.h"
#include "draw/text.h"
#include "frame/layout.h"
#include "frame/spec.h"
#include "view/timeline.h"

typedef struct PanelCache PanelCache;

typedef struct PlotAxes {
    double x0, y0, x1, y1;     /* plot area in output pixels (whole numbers): left, top, right,
                                  bottom */
    double xlo, xhi, ylo, yhi; /* data shown; log10 of the values when ylog */
    int ylog;
} PlotAxes;

/* Precomputes what does not change between frames for s and the panels of
 * L (the filled contour image at L's contour panel size, data and loss
 * ranges). Returns 0 and *out (free with panels_free), or GD_ERR_RUNTIME
 * when out of memory (then *out is NULL). */
int panels_prepare(const FrameSpec *s, const Layout *L, PanelCache **out, GdError *err);
void panels_free(PanelCache *pc); /* NULL-safe */

/* The data-to-pixel mapping of a panel of the given kind (PANEL_CONTOUR,
 * PANEL_FIT, PANEL_LOSS or PANEL_BASINS) drawn in r. Returns 1, or 0 when
 * r is too small for a plot area (the panel then draws only its
 * background, frame and title). The contour panel shows the surface box,
 * the fit panel the data with a margin, the loss panel steps 0..max_steps
 * and whole decades of loss (ylog), the basins panel the box of the starts
 * above its legend. */
int panels_axes(const FrameSpec *s, const PanelCache *pc, PanelKind kind, Rect r, PlotAxes *ax);

/* The colourbar's bar in r: columns [x0, x1), rows [y0, y1), ylo = the landscape's zlo
 * at the bottom, yhi = its zhi at the top. Returns 0 when r is too small. */
int panels_colorbar_axes(const FrameSpec *s, Rect r, PlotAxes *ax);

/* Pixel coordinates of data values (v on the y axis is the loss itself,
 * not its log, when ax->ylog). Not clamped. */
double panels_map_x(const PlotAxes *ax, double v);
double panels_map_y(const PlotAxes *ax, double v);

/* The panels, for fractional step `step`. Thread-safe given distinct
 * targets and TextRenderers. The contour image comes from pc when r has
 * the size panels_prepare saw; other sizes, or pc == NULL, compute it on
 * the fly (slow: a few ms). pc may be NULL everywhere in this header.
 * The contour map draws, over its bands and lines, the marks' and minima's
 * diamonds (s->points, frame/marks.h), the true values' cross, the trails
 * with their starts, afterimages and balls, and last the points' labels,
 * kept off all of those and off each other, inside the plot area. */
void panels_draw_contour(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr,
                         RasterTarget *out, Rect r, const TimelineMoment *m);
void panels_draw_fit(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr, RasterTarget *out,
                     Rect r, double step);
void panels_draw_loss(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr, RasterTarget *out,
                      Rect r, double step);

/* The basin map (View.basins): each start's cell in its minimum's colour
 * with crisp borders between minima, each minimum in the box marked with
 * its loss, the legend with each line's share of the starts at the
 * panel's foot, and the runs' trails and balls on top as on the contour
 * map. Without a map (no [basins]) only the frame and title. */
void panels_draw_basins(const FrameSpec *s, const PanelCache *pc, TextRenderer *tr,
                        RasterTarget *out, Rect r, const TimelineMoment *m);

/* The colourbar: the colormap from the landscape's zlo (bottom) to zhi (top) with
 * ticks (decades 1e-k for zscale log) and the name "loss", on the video
 * background. */
void panels_draw_colorbar(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r);

/* The pixels {x, y, w, h} of a w x h frame that panels_draw of this kind
 * and rectangle overwrites, every one (its background); all 0 for kinds
 * that draw nothing. */
void panels_pixels(PanelKind kind, Rect r, int w, int h, int px[4]);

/* Draws the 2D panel of the given kind (PANEL_CONTOUR/FIT/LOSS/BASINS);
 * other kinds draw nothing. For callers looping over Layout.panel. */
void panels_draw(const FrameSpec *s, const PanelCache *pc, PanelKind kind, TextRenderer *tr,
                 RasterTarget *out, Rect r, const TimelineMoment *m);

#endif
