/*
 * overlay.h — the text laid over a frame: each view's live readouts (colour
 * dot, label, step, loss, the shown parameters), split mode's captions
 * (label, start, optimizer, LR) and the video's title.
 *
 * Pipeline place: frame stage, called by the composer (compose.h) after
 * the 3D views and panels are drawn; reads the config and the view's
 * trails through a FrameSpec, and draws with draw/ into the frame.
 */
#ifndef GD_OVERLAY_H
#define GD_OVERLAY_H

#include "base/geom.h"
#include "draw/raster.h"
#include "draw/text.h"
#include "frame/layout.h"
#include "frame/spec.h"

/* Lines per run of the readout at most maxw wide: 1, or 2 when the
 * parameters go on a line of their own. Decided without a font (so the
 * composer can size the readout band once per video). */
int overlay_readout_lines(const FrameSpec *s, double maxw, const int *runs, int nruns, int compact);

/* The live readout: per run of runs[0..nruns-1] at fractional step `step`,
 * label, step, loss and the shown parameters (overlay_readout_lines lines),
 * in a translucent box at (x0, top), at most maxw wide; compact uses the
 * smaller text for many runs. Nothing is dropped: a line still too wide
 * shrinks. Returns the height used. */
double overlay_draw_readouts(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, double x0,
                             double top, double maxw, const int *runs, int nruns, double step,
                             int compact);

/* Split mode's caption band r for run `run`: label, start, optimizer and
 * learning rate, in the run's colour, shrunk to fit a narrow view. */
void overlay_draw_caption(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r, int run);

/* The title ([video] title), centred at the top, on the one or two lines
 * L gives it (split where L says), shrunk only when a line still does not
 * fit the width; nothing when there is none. */
void overlay_draw_title(const FrameSpec *s, const Layout *L, TextRenderer *tr, RasterTarget *out);

#endif
