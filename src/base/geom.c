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

/* z of (b - a) x (c - a). */
static double cross(const double *a, const double *b, const double *c) {
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/* The convex hull of n points, counter-clockwise in a y-up sense
 * (Andrew's monotone chain); returns its vertex count. */
static int hull(const double *xy, int n, double (*h)[2]) {
    double p[64][2];
    for (int i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        int j = i;
        for (; j > 0 && (p[j - 1][0] > x || (p[j - 1][0] == x && p[j - 1][1] > y)); j--) {
            p[j][0] = p[j - 1][0];
            p[j][1] = p[j - 1][1];
        }
        p[j][0] = x;
        p[j][1] = y;
    }
    int k = 0;
    for (int i = 0; i < n; i++) { /* lower chain */
        while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k][0] = p[i][0];
        h[k++][1] = p[i][1];
    }
    for (int i = n - 2, lo = k + 1; i >= 0; i--) { /* upper chain */
        while (k >= lo && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k][0] = p[i][0];
        h[k++][1] = p[i][1];
    }
    return n > 1 ? k - 1 : n;
}

int geom_hull_hits_rect(const double *xy, int n, Rect r) {
    if (n <= 0 || n > 64)
        return 0;
    double h[130][2];
    int m = hull(xy, n, h);
    double lo[2] = {h[0][0], h[0][1]}, hi[2] = {h[0][0], h[0][1]};
    for (int i = 1; i < m; i++)
        for (int d = 0; d < 2; d++) {
            lo[d] = fmin(lo[d], h[i][d]);
            hi[d] = fmax(hi[d], h[i][d]);
        }
    if (hi[0] <= r.x || lo[0] >= r.x + r.w || hi[1] <= r.y || lo[1] >= r.y + r.h)
        return 0;
    const double corner[4][2] = {
        {r.x, r.y}, {r.x + r.w, r.y}, {r.x, r.y + r.h}, {r.x + r.w, r.y + r.h}};
    for (int i = 0; i < m && m >= 3; i++) {
        const double *a = h[i], *b = h[(i + 1) % m];
        /* The hull lies on the left of a->b; r is apart when all of its
         * corners are on the right or on the line. */
        int apart = 1;
        for (int c = 0; c < 4 && apart; c++)
            apart = cross(a, b, corner[c]) <= 0;
        if (apart)
            return 0;
    }
    return 1;
}
