/*
 * geom.c — see geom.h.
 */
#include "base/geom.h"

#include <math.h>

int geom_clip_segment(int dims, const double *a, const double *b, const double *lo,
                      const double *hi, double tol, double *t0, double *t1) {
    *t0 = 0;
    *t1 = 1;
    for (int i = 0; i < dims; i++) {
        if (!isfinite(a[i]) || !isfinite(b[i]))
            return 0;
        double d = b[i] - a[i];
        if (fabs(d) < 1e-15) {
            if (a[i] < lo[i] - tol || a[i] > hi[i] + tol)
                return 0;
            continue;
        }
        double ta = (lo[i] - a[i]) / d, tb = (hi[i] - a[i]) / d;
        if (ta > tb) {
            double t = ta;
            ta = tb;
            tb = t;
        }
        if (ta > *t0)
            *t0 = ta;
        if (tb < *t1)
            *t1 = tb;
        if (*t0 > *t1)
            return 0;
    }
    return 1;
}
