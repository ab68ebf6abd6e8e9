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

/* A loss as readouts show it: five decimals, or an exponent outside
 * 1e-3..1e5. */
void overlay_format_loss(char *buf, size_t n, double loss);

/* A parameter's value: three decimals, or (beyond 1e5, on the way to
 * diverging) four significant digits with an exponent. */
void overlay_format_param(char *buf, size_t n, double v);

/* The row a readout names at fractional step `step`: the iterate the ball
 * is at, or nearest to while it hops to the next. */
int overlay_row(const Trajectory *t, double step);

/* How a readout is laid out: per run, everything on one line; the
 * parameters on a second line; or a column, one field per line (a single
 * run's readout beside its box). */
enum { READOUT_ONE_LINE = 1, READOUT_TWO_LINES = 2, READOUT_COLUMN = 3 };

/* A readout's text size and line height, and the room of each of its
 * fields: the widest that field gets over the whole video (every row a
 * run can show, measured), at that size. */
#define READOUT_MAX_FIELDS 8
/* What a parameter field shows: a parameter (its index, >= 0), or one of
 * these. */
enum { READOUT_PLANE_U = -1, READOUT_PLANE_V = -2, READOUT_DISTANCE = -3 };

typedef struct ReadoutMetrics {
    double size, lh;
    double label_w, step_w, loss_w;
    int nfields;                        /* the parameter fields, in order */
    int field[READOUT_MAX_FIELDS];      /* what each shows (see above) */
    double param_w[READOUT_MAX_FIELDS]; /* the widest each gets */
    double div_w;                       /* "diverged at step N", 0 when no run diverges */
} ReadoutMetrics;

/* Measures the readout of runs[0..nruns-1] with s->measure (estimates
 * when it is NULL); compact is the smaller text for many runs. Once per
 * video. The parameter fields are the shown ones (the plane's two
 * parameters, or its coordinates, and then the distance from a plane the
 * trails can leave), then as many of the other parameters, in order, as
 * keep the parameters' line within maxw. */
void overlay_readout_metrics(const FrameSpec *s, const int *runs, int nruns, int compact,
                             double maxw, ReadoutMetrics *rm);

/* READOUT_ONE_LINE when everything fits on one line of at most maxw,
 * else READOUT_TWO_LINES. */
int overlay_readout_lines(const FrameSpec *s, const ReadoutMetrics *rm, double maxw);

/* Lines a run's readout takes in `layout` (a column: label, step, loss,
 * then one per parameter). */
int overlay_readout_rows(const ReadoutMetrics *rm, int layout);

/* The size of the readout's box for nruns runs in `layout`, as drawn at
 * (x0, top): its right edge and bottom from there. */
void overlay_readout_extent(const FrameSpec *s, const ReadoutMetrics *rm, int nruns, int layout,
                            double *w, double *h);

/* The live readout: per run of runs[0..nruns-1] at fractional step `step`,
 * label, step, loss and the shown parameters laid out as `layout` says, in
 * a translucent box at (x0, top), at most maxw wide, with the room rm
 * gives each field. Nothing is dropped: a readout still too wide shrinks.
 * Returns the height used. */
double overlay_draw_readouts(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, double x0,
                             double top, double maxw, const int *runs, int nruns, double step,
                             int layout, const ReadoutMetrics *rm);

/* Split mode's caption band r for run `run`: label, start (its values, for
 * up to OVERLAY_CAPTION_START_PARAMS parameters), optimizer and learning
 * rate, in the run's colour, shrunk to fit a narrow view. */
void overlay_draw_caption(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r, int run);

/* The caption band r of a plane's view when planes stand side by side:
 * what the plane is ("slice through b, c (a = 0.99)", "PCA plane of
 * the paths (PC1 95%, PC2 4%)", "random plane (seed 1)"). */
void overlay_draw_plane_caption(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, Rect r);

/* The title ([video] title), centred at the top, on the one or two lines
 * L gives it (split where L says), shrunk only when a line still does not
 * fit the width; nothing when there is none. */
void overlay_draw_title(const FrameSpec *s, const Layout *L, TextRenderer *tr, RasterTarget *out);

#endif
