/*
 * ticks.c — see ticks.h.
 */
#include "base/ticks.h"

#include <math.h>
#include <stdio.h>

double ticks_nice_step(double span, int target) {
    double raw = span / target;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nice * mag;
}

void ticks_fill(Ticks *t, double lo, double hi, double step, int logscale, int max) {
    t->lo = lo;
    t->hi = hi;
    t->n = 0;
    if (max > TICKS_MAX)
        max = TICKS_MAX;
    double first = ceil(lo / step - 1e-9) * step;
    for (int i = 0; t->n < max; i++) {
        double v = first + i * step;
        if (v > hi + 1e-9 * step)
            break;
        if (fabs(v) < 1e-12 * step)
            v = 0.0;
        t->v[t->n] = v;
        if (logscale)
            snprintf(t->label[t->n], sizeof t->label[0], "1e%d", (int)lround(v));
        else
            snprintf(t->label[t->n], sizeof t->label[0], "%.6g", v);
        t->n++;
    }
}

void ticks_make(Ticks *t, double lo, double hi, int target, int logscale) {
    t->lo = lo;
    t->hi = hi;
    t->n = 0;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
        return;
    if (target < 2)
        target = 2;
    if (target > 8)
        target = 8;
    if (logscale && hi - lo <= 2 + 1e-9) {
        /* Few decades: 1, 2 and 5 times each, so the axis still reads. */
        static const int mant[3] = {1, 2, 5};
        for (int k = (int)floor(lo); k <= (int)ceil(hi); k++)
            for (int m = 0; m < 3 && t->n < TICKS_MAX; m++) {
                double v = k + log10(mant[m]);
                if (v < lo - 1e-9 || v > hi + 1e-9)
                    continue;
                t->v[t->n] = v;
                snprintf(t->label[t->n++], sizeof t->label[0], "%de%d", mant[m], k);
            }
        if (t->n <= target + 1)
            return;
        t->n = 0; /* too crowded for the axis: whole decades only */
    }
    double step = ticks_nice_step(hi - lo, target);
    if (logscale)
        step = fmax(1.0, ceil((hi - lo) / target));
    while ((hi - lo) / step > TICKS_MAX - 1)
        step *= 2;
    ticks_fill(t, lo, hi, step, logscale, TICKS_MAX);
}
