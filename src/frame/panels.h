/*
 * plots.h — the 2D panels of [layout] panels (contour map, fit, loss) and
 * the colourbar of the 3D view.
 *
 * Pipeline place: render stage, after scene_init and layout_compute; called
 * by scene_render_frame for every frame, drawing at output resolution into
 * the finished frame. Depends on raster (lines, dots, fills), text (labels),
 * colormap and the formula engine (the fitted curves).
 *
 * Recipe: plots_prepare once per video (it precomputes what never changes,
 * e.g. the filled contour image at the contour panel's size); then per
 * frame plot_draw_* for each panel of the layout; plots_free at the end.
 * The cache is read-only while frames render, so threads may share it, each
 * with its own target and TextRenderer.
 *
 * Every panel fills its rectangle with a light background, draws a thin
 * frame, a title, axes with ticks, tick labels and axis names, and keeps
 * everything inside its rectangle. `step` is the fractional step of
 * timeline_step: each run shows rows 0..min(floor(step), last), with its
 * current point interpolated between rows like the 3D ball.
 *
 * Coordinates: output pixels, x right, y down (raster.h). A PlotAxes maps
 * data values to pixels: the plot area [x0, x1) x [y0, y1) shows
 * xlo..xhi left to right and ylo..yhi bottom to top.
 */
#ifndef GD_PLOTS_H
#define GD_PLOTS_H

#include "base/error.h"
#include "frame/layout.h"
#include "draw/raster.h"
#include "frame/scene.h"
#include "draw/text.h"

typedef struct PlotCache PlotCache;

typedef struct PlotAxes {
    double x0, y0, x1, y1;     /* plot area in output pixels (whole numbers): left, top, right,
                                  bottom */
    double xlo, xhi, ylo, yhi; /* data shown; log10 of the values when ylog */
    int ylog;
} PlotAxes;

/* Precomputes what does not change between frames for s and the panels of
 * L (the filled contour image at L's contour panel size, data and loss
 * ranges). Returns 0 and *out (free with plots_free), or GD_ERR_RUNTIME
 * when out of memory (then *out is NULL). */
int plots_prepare(const Scene *s, const Layout *L, PlotCache **out, GdError *err);
void plots_free(PlotCache *pc); /* NULL-safe */

/* The data-to-pixel mapping of a panel of the given kind (PANEL_CONTOUR,
 * PANEL_FIT or PANEL_LOSS) drawn in r. Returns 1, or 0 when r is too small
 * for a plot area (the panel then draws only its background, frame and
 * title). The contour panel shows the surface box, the fit panel the data
 * with a margin, the loss panel steps 0..max_steps and whole decades of
 * loss (ylog). */
int plot_axes(const Scene *s, const PlotCache *pc, PanelKind kind, Rect r, PlotAxes *ax);

/* The colourbar's bar in r: columns [x0, x1), rows [y0, y1), ylo = s->zlo
 * at the bottom, yhi = s->zhi at the top. Returns 0 when r is too small. */
int plot_colorbar_axes(const Scene *s, Rect r, PlotAxes *ax);

/* Pixel coordinates of data values (v on the y axis is the loss itself,
 * not its log, when ax->ylog). Not clamped. */
double plot_map_x(const PlotAxes *ax, double v);
double plot_map_y(const PlotAxes *ax, double v);

/* The panels, for fractional step `step`. Thread-safe given distinct
 * targets and TextRenderers. The contour image comes from pc when r has
 * the size plots_prepare saw; other sizes, or pc == NULL, compute it on
 * the fly (slow: a few ms). pc may be NULL everywhere in this header. */
void plot_draw_contour(const Scene *s, const PlotCache *pc, TextRenderer *tr, RasterTarget *out,
                       Rect r, double step);
void plot_draw_fit(const Scene *s, const PlotCache *pc, TextRenderer *tr, RasterTarget *out, Rect r,
                   double step);
void plot_draw_loss(const Scene *s, const PlotCache *pc, TextRenderer *tr, RasterTarget *out,
                    Rect r, double step);

/* The colourbar: the colormap from s->zlo (bottom) to s->zhi (top) with
 * ticks (decades 1e-k for zscale log) and the name "loss", on the video
 * background. */
void plot_draw_colorbar(const Scene *s, TextRenderer *tr, RasterTarget *out, Rect r);

/* Draws the 2D panel of the given kind (PANEL_CONTOUR/FIT/LOSS); other
 * kinds draw nothing. For callers looping over Layout.panel. */
void plot_draw_panel(const Scene *s, const PlotCache *pc, PanelKind kind, TextRenderer *tr,
                     RasterTarget *out, Rect r, double step);

#endif
