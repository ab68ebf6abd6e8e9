/*
 * ticks.c — see ticks.h.
 */
#include "base/ticks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/num.h"

/* Spacings are kept within normal doubles, so a step is never 0 (doubling
 * it then never grows) and never infinite. */
#define STEP_MIN 1e-300
#define STEP_MAX 1e307

double ticks_nice_step(double span, int target) {
    if (!(span > 0) || target < 1)
        return 1.0;
    double raw = span / target;
    raw = fmin(fmax(raw, STEP_MIN), STEP_MAX); /* inf too */
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nice * mag;
}

/* Labels "%.6g", with more digits where six would make two neighbouring
 * ticks read the same (a narrow range far from zero: 1000000.5, 1000001). */
static void label_values(Ticks *t) {
    for (int digits = 6;; digits++) {
        for (int i = 0; i < t->n; i++)
            snprintf(t->label[i], sizeof t->label[0], "%.*g", digits, t->v[i]);
        int same = 0;
        for (int i = 1; i < t->n && !same; i++)
            same = strcmp(t->label[i], t->label[i - 1]) == 0;
        if (!same || digits == 17)
            return;
    }
}

void ticks_fill(Ticks *t, double lo, double hi, double step, int logscale, int max) {
    t->lo = lo;
    t->hi = hi;
    t->n = 0;
    if (max > TICKS_MAX)
        max = TICKS_MAX;
    if (!(hi >= lo) || !isfinite(lo) || !isfinite(hi) || !(step > 0) || !isfinite(step))
        return;
    double first = ceil(lo / step - 1e-9) * step;
    for (int i = 0; t->n < max; i++) {
        double v = first + i * step;
        if (!(v <= hi + 1e-9 * step))
            break;
        /* A step below the values' precision: the next tick would repeat
         * this one. */
        if (t->n > 0 && !(v > t->v[t->n - 1]))
            break;
        if (fabs(v) < 1e-12 * step)
            v = 0.0;
        t->v[t->n++] = v;
    }
    if (!logscale) {
        label_values(t);
        return;
    }
    for (int i = 0; i < t->n; i++)
        snprintf(t->label[i], sizeof t->label[0], "1e%d",
                 num_clamp_int(round(t->v[i]), -999999, 999999));
}

void ticks_make(Ticks *t, double lo, double hi, int target, int logscale) {
    t->lo = lo;
    t->hi = hi;
    t->n = 0;
    if (!(hi > lo) || !isfinite(hi - lo))
        return;
    if (target < 2)
        target = 2;
    if (target > 8)
        target = 8;
    /* Decades of a double lie well within +-1000. */
    if (logscale && hi - lo <= 2 + 1e-9 && fabs(lo) < 1e6 && fabs(hi) < 1e6) {
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
    /* Each doubling halves the count; a finite span needs at most ~1100. */
    for (int i = 0; i < 2200 && (hi - lo) / step > TICKS_MAX - 1; i++)
        step *= 2;
    ticks_fill(t, lo, hi, step, logscale, TICKS_MAX);
}
