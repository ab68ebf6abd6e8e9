/*
 * ticks.h — axis ticks: where they go and how they are labelled, for the
 * 3D box's axes, the 2D panels and the colourbar alike.
 *
 * Pipeline place: base, below every stage. Ticks sit at whole multiples of
 * a round step (1, 2 or 5 times a power of ten); on a log axis the values
 * are decades (log10 of the loss) labelled "1e-3".
 */
#ifndef GD_TICKS_H
#define GD_TICKS_H

#define TICKS_MAX 16

typedef struct Ticks {
    double lo, hi; /* the axis range the ticks were made for */
    int n;
    double v[TICKS_MAX];
    char label[TICKS_MAX][32];
} Ticks;

/* A round tick spacing (1, 2 or 5 times a power of ten) giving about
 * `target` intervals over span. Always positive and finite: spacings are
 * kept within 1e-300..1e308 (a denormal or infinite span gets the nearest),
 * and a span that is not positive (or NaN), or a target below 1, gets 1. */
double ticks_nice_step(double span, int target);

/* Ticks at first + i * step for every whole multiple of step inside
 * [lo, hi] (with a 1e-9 step tolerance), at most max (<= TICKS_MAX) of
 * them; labels "%.6g" (more digits, up to 17, where six would label two
 * neighbouring ticks alike), or "1e%d" when logscale. A value within 1e-12
 * steps of zero is exactly 0. No ticks for a non-finite or empty range or
 * a step that is not positive and finite; a step too small to move from one
 * tick to the next (below the values' precision) stops at the first. */
void ticks_fill(Ticks *t, double lo, double hi, double step, int logscale, int max);

/* The 2D panels' rule: about `target` (clamped to 2..8) round ticks inside
 * [lo, hi]; with logscale, lo and hi are decades: at most two decades get
 * 1, 2 and 5 times each decade when they fit, otherwise whole decades. No
 * ticks for an empty or non-finite range, or one wider than a double holds
 * (hi - lo overflows). */
void ticks_make(Ticks *t, double lo, double hi, int target, int logscale);

#endif
