/*
 * layout.h — where each part of a frame goes ([layout] of SPEC section 3).
 *
 * Pipeline place: frame stage. Pure geometry in output pixels, computed
 * once per video from the config and the frame size; the composer
 * (compose.c) has scene3d.c draw the 3D views into `view`, and panels.c the
 * 2D panels and the colourbar into their rectangles.
 *
 * Arrangement: a title band on top (when [video] title is set). Below it,
 * with both a 3D view and 2D panels, the 3D area takes 60% of the frame (on
 * the left of a landscape frame, on top of a portrait one) and the 2D
 * panels share the rest: one row in a landscape area, one column in a
 * portrait one (a column beside a landscape 3D area), or two over one when
 * three panels would get cells narrower than 0.55:1 or flatter than 3:1.
 * 2D panels without a 3D view share the whole area the same way. The
 * colourbar is a thin strip at the right edge of the 3D area. In split mode
 * the 3D area (without the colourbar) holds one equal view per run: side by
 * side for up to 3 runs (stacked in a portrait area), otherwise a grid of
 * ceil(sqrt(n)) columns (rows in a portrait area) whose short last line is
 * centred, leaving cells empty; each view has a caption band at its top.
 * [layout] equation takes a band across the bottom of the 3D area (of the
 * 2D panels' area when there is no 3D view), above any bottom captions, as
 * high as its lines need (equation_line_count), at most EQUATION_BAND_MAX
 * of that area.
 *
 * All edges are whole pixels; no two of title, views, panels, colourbar and
 * equation band overlap, and all lie inside the frame.
 */
#ifndef GD_LAYOUT_H
#define GD_LAYOUT_H

#include "config/config.h"
#include "base/geom.h"
#include "draw/text.h"

typedef struct Layout {
    Rect title;                /* band at the top; h = 0 when there is no title */
    Rect captions_top;         /* [caption] at = top: a band under the title (h = 0: none) */
    Rect captions_bottom;      /* ... at = bottom: a band at the bottom of the frame */
    int title_lines;           /* 0 (no title), 1, or 2 (layout_title_lines) */
    size_t title_split;        /* with 2 lines: the second starts at this byte of the title */
    int title_skip;            /* ... after skipping this many bytes (the space split at) */
    int nviews;                /* 3D views: 0 without "surface"; 1 in overlay mode; one per run in
                                  split mode */
    Rect view[GD_MAX_RUNS];    /* each 3D view's rectangle (including its caption band in split) */
    Rect caption[GD_MAX_RUNS]; /* split mode: a caption band at the top of each view (h = 0 in
                                  overlay) */
    int npanels; /* 2D panels in config order: contour, fit, loss, basins (surface excluded) */
    PanelKind panel_kind[GD_MAX_PANELS];
    Rect panel[GD_MAX_PANELS];
    Rect colorbar; /* thin vertical strip for the surface colormap at the right edge of the 3D
                      area; w = 0 when there is no 3D view */
    Rect equation; /* [layout] equation: a band across the bottom of the 3D area (of the 2D
                      panels' area without a 3D view); h = 0 without one */
} Layout;

/* How many lines the title takes in a width x height frame: 0 without one,
 * 2 when it is too wide for one line, else 1. Text is measured with tr, or
 * estimated without a font when tr is NULL (as in layout_compute). */
int layout_title_lines(const Config *cfg, int width, int height, TextRenderer *tr);

/* Fills *out with the arrangement of cfg's panels in a width x height frame,
 * with bands for caption_lines[0] lines of top captions and [1] of bottom
 * ones (NULL: none)
 * (reads cfg->video.title, cfg->nruns, cfg->layout and, for the equation,
 * the model's parameter count and that run's optimizer; the title is
 * measured with tr, or estimated when it is NULL). Sizes scale
 * with height / 720, like the rest of the picture. Never fails; a frame too
 * small for some part gives that part an empty rectangle (w or h = 0). */
void layout_compute(const Config *cfg, int width, int height, TextRenderer *tr,
                    const int caption_lines[2], Layout *out);

#endif
