/*
 * raster.c — the software rasterizer: Gouraud triangles with a depth
 * buffer, anti-aliased thick lines, discs and rings, rectangle fills,
 * coverage blits, layer compositing and the supersampling resolve.
 *
 * Pipeline place: draw stage, under frame/ (the 3D scene's surface, trails
 * and axes; the 2D panels) and draw/text.c (glyph blits). Depends on libc
 * and libm only; every function works on a caller-owned RasterTarget, so
 * threads can draw frames side by side.
 *
 * Triangles are set up in 24.8 fixed point (screen_ coordinates times 256)
 * with 64-bit edge functions, so an edge shared by two triangles is
 * evaluated to exactly opposite values in both and the top-left rule gives
 * each pixel centre to exactly one of them. Triangles reaching beyond a
 * guard band are first clipped to it in double precision. fill_triangle
 * runs in steps: snap_vertices, setup_box, setup_edges (the top-left rule
 * and exact per-row edge walks), setup_planes (colour, alpha, z), then per
 * row next_span and shade_span (depth test and shading); the steps are
 * static inline so the hot loops compile as one function. Lines, discs and
 * rings use analytic coverage computed per pixel from a per-row span.
 *
 * Blending rounds to nearest, halves up: out = floor(d + (s - d) * a + 0.5)
 * with s = colour * 255, so white under black at a = 0.5 gives 128.
 */
#include "draw/raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/simd.h"

#define SUBPIX      256       /* fixed-point steps per pixel */
#define HALF_SUBPIX 128       /* a pixel centre's offset */
#define GUARD       1048576.0 /* |screen_x|, |screen_y| limit of the fixed-point path */
#define MAX_CLIP    9         /* a triangle clipped by 4 planes has at most 7 vertices */

/* A vertex during setup: screen_ position, z and colour scaled to 0..255. */
typedef struct ClipVert {
    double x, y, z, r, g, b, a;
} ClipVert;

/* Per-primitive colour/depth state shared by the line, disc and ring code. */
typedef struct Paint {
    float r0, g0, b0, a0, z0; /* at the start (colour in 0..255) */
    float dr, dg, db, da, dz; /* change to the end */
    int test, write;
} Paint;

/* Written so that the compiler emits maxss/minss, not branches (NaN ends
 * up as lo). */
static inline float clampf(float v, float lo, float hi) {
    v = v > lo ? v : lo;
    return v < hi ? v : hi;
}

static inline uint8_t to_u8(float v) {
    return (uint8_t)(clampf(v, 0.0f, 255.0f) + 0.5f);
}

/* Source-over of s (0..255) with weight a (0..1) onto d. */
static inline uint8_t blend8(uint8_t d, float s, float a) {
    return (uint8_t)clampf((float)d + (s - (float)d) * a + 0.5f, 0.0f, 255.0f);
}

static inline void put_pixel(uint8_t *p, float r, float g, float b, float a) {
    if (a >= 1.0f) {
        p[0] = to_u8(r);
        p[1] = to_u8(g);
        p[2] = to_u8(b);
    } else if (a > 0.0f) {
        p[0] = blend8(p[0], r, a);
        p[1] = blend8(p[1], g, a);
        p[2] = blend8(p[2], b, a);
    }
}

static float unit_clamp(float v) {
    /* NaN becomes 0 through the negated test. */
    return !(v > 0.0f) ? 0.0f : v > 1.0f ? 1.0f : v;
}

int raster_target_init(RasterTarget *t, int w, int h, int with_depth) {
    memset(t, 0, sizeof *t);
    if (w <= 0 || h <= 0 || (size_t)w > SIZE_MAX / 3 / sizeof(float) / (size_t)h)
        return -1;
    size_t n = (size_t)w * (size_t)h;
    t->rgb = malloc(n * 3);
    if (!t->rgb)
        return -1;
    if (with_depth) {
        t->depth = malloc(n * sizeof(float));
        if (!t->depth) {
            free(t->rgb);
            t->rgb = NULL;
            return -1;
        }
    }
    t->w = w;
    t->h = h;
    raster_clear(t, 0, 0, 0);
    return 0;
}

void raster_target_free(RasterTarget *t) {
    if (!t)
        return;
    free(t->rgb);
    free(t->depth);
    memset(t, 0, sizeof *t);
}

/* Fills n pixels from p with rgb. */
static void fill_rgb(uint8_t *p, size_t n, uint8_t r, uint8_t g, uint8_t b) {
    if (r == g && g == b) {
        memset(p, r, n * 3);
        return;
    }
    for (size_t i = 0; i < n; i++, p += 3) {
        p[0] = r;
        p[1] = g;
        p[2] = b;
    }
}

void raster_clear(RasterTarget *t, uint8_t r, uint8_t g, uint8_t b) {
    size_t n = (size_t)t->w * (size_t)t->h;
    if (n == 0 || !t->rgb)
        return;
    fill_rgb(t->rgb, n, r, g, b);
    if (t->depth)
        raster_fill_depth(t->depth, n);
}

void raster_clear_around(RasterTarget *t, uint8_t r, uint8_t g, uint8_t b, const int (*keep)[4],
                         int n) {
    if (!t->rgb || t->w <= 0 || t->h <= 0)
        return;
    enum { MAX_KEEP = 64 };
    if (n > MAX_KEEP) {
        raster_clear(t, r, g, b);
        return;
    }
    for (int y = 0; y < t->h; y++) {
        /* The kept column ranges of this row, by their left end. */
        int lo[MAX_KEEP], hi[MAX_KEEP], m = 0;
        for (int i = 0; i < n; i++) {
            int x0 = keep[i][0] > 0 ? keep[i][0] : 0;
            int x1 = keep[i][0] + keep[i][2] < t->w ? keep[i][0] + keep[i][2] : t->w;
            if (y < keep[i][1] || y >= keep[i][1] + keep[i][3] || x0 >= x1)
                continue;
            int k = m++;
            for (; k > 0 && lo[k - 1] > x0; k--) {
                lo[k] = lo[k - 1];
                hi[k] = hi[k - 1];
            }
            lo[k] = x0;
            hi[k] = x1;
        }
        uint8_t *row = t->rgb + (size_t)y * (size_t)t->w * 3;
        int x = 0;
        for (int k = 0; k < m; k++) {
            if (lo[k] > x)
                fill_rgb(row + 3 * (size_t)x, (size_t)(lo[k] - x), r, g, b);
            x = hi[k] > x ? hi[k] : x;
        }
        if (x < t->w)
            fill_rgb(row + 3 * (size_t)x, (size_t)(t->w - x), r, g, b);
    }
    if (t->depth)
        raster_fill_depth(t->depth, (size_t)t->w * (size_t)t->h);
}

void raster_fill_depth(float *depth, size_t n) {
    /* A block of +inf, then copies of what is done (memcpy is the
     * fastest store loop libc has). */
    size_t done = n < 256 ? n : 256;
    for (size_t i = 0; i < done; i++)
        depth[i] = INFINITY;
    while (done < n) {
        size_t k = done < n - done ? done : n - done;
        memcpy(depth + done, depth, k * sizeof *depth);
        done += k;
    }
}

/* ---- triangles ---------------------------------------------------------- */

/* floor(a / b) for b > 0 and any sign of a (C division truncates). */
static inline int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return q - (a % b < 0);
}

static inline int64_t ceil_div(int64_t a, int64_t b) {
    return -floor_div(-a, b);
}

/* floor(d) for |d| < 2^62, without a libm call (x86-64's baseline has no
 * rounding instruction). */
static inline int64_t floor_i64(double d) {
    int64_t i = (int64_t)d;
    return i - ((double)i > d);
}

/* One edge's bound on a row's pixels, stepped exactly from row to row: for
 * a left edge the first column where its edge function is >= 0, for a right
 * edge the last one. r is the edge function's remainder at the bound,
 * 0 <= r < m, with m = |change per column|; each row adds rem to r and moves
 * k by step, plus carry when r wraps. */
typedef struct EdgeWalk {
    int64_t k, r, m, rem, step, carry;
} EdgeWalk;

static inline void edge_walk_next(EdgeWalk *w) {
    int64_t r = w->r + w->rem, wrapped = r - w->m;
    int c = wrapped >= 0;
    w->r = c ? wrapped : r;
    w->k += c ? w->step + w->carry : w->step;
}

/* A triangle set up for scanning, in screen_ pixels relative to the
 * corner (x0, y0) of its candidate box: the exact edge walks that bound
 * each row's span, the rows horizontal edges allow, and the attribute
 * planes sampled at pixel centres. */
typedef struct TriSetup {
    int x0, y0, x1, y1;             /* candidate pixels, clipped to the target */
    int64_t last;                   /* x1 - x0: the last column, relative to x0 */
    int64_t row_lo, row_hi;         /* rows (relative to y0) a horizontal edge allows */
    EdgeWalk left[2], right[2];     /* each row's span bounds; unused slots never bind */
    int opaque;                     /* every vertex at alpha 1: no blending */
    int flat;                       /* one colour: r, g, b do not change */
    double base[5], ddx[5], ddy[5]; /* r, g, b, a, z at the box's first pixel centre,
                                       and their change per column and per row */
    float fdx[5];                   /* ddx in float: the per-pixel step along a span */
} TriSetup;

/* Snaps the vertices to 24.8 fixed point (X, Y) and orders them so that the
 * interior is the positive side of every edge function (swapping v[1] and
 * v[2] if needed). Returns 0 for a degenerate triangle. */
static inline int snap_vertices(const ClipVert *v[3], int64_t X[3], int64_t Y[3]) {
    for (int k = 0; k < 3; k++) {
        X[k] = floor_i64(v[k]->x * SUBPIX + 0.5);
        Y[k] = floor_i64(v[k]->y * SUBPIX + 0.5);
    }
    int64_t area = (X[1] - X[0]) * (Y[2] - Y[0]) - (Y[1] - Y[0]) * (X[2] - X[0]);
    if (area == 0)
        return 0;
    if (area < 0) {
        const ClipVert *tv = v[1];
        v[1] = v[2];
        v[2] = tv;
        int64_t tx = X[1], ty = Y[1];
        X[1] = X[2], Y[1] = Y[2];
        X[2] = tx, Y[2] = ty;
    }
    return 1;
}

/* The candidate box: pixel i is a candidate when its centre i*256+128 lies
 * in [min, max] of the snapped vertices; clipped to the target. Returns 0
 * when no pixel is left. */
static inline int setup_box(TriSetup *s, const RasterTarget *t, const int64_t X[3],
                            const int64_t Y[3]) {
    int64_t minx = X[0], maxx = X[0], miny = Y[0], maxy = Y[0];
    for (int k = 1; k < 3; k++) {
        minx = X[k] < minx ? X[k] : minx;
        maxx = X[k] > maxx ? X[k] : maxx;
        miny = Y[k] < miny ? Y[k] : miny;
        maxy = Y[k] > maxy ? Y[k] : maxy;
    }
    int64_t fx0 = ceil_div(minx - HALF_SUBPIX, SUBPIX);
    int64_t fx1 = floor_div(maxx - HALF_SUBPIX, SUBPIX);
    int64_t fy0 = ceil_div(miny - HALF_SUBPIX, SUBPIX);
    int64_t fy1 = floor_div(maxy - HALF_SUBPIX, SUBPIX);
    s->x0 = fx0 < 0 ? 0 : (int)fx0;
    s->y0 = fy0 < 0 ? 0 : (int)fy0;
    s->x1 = fx1 > t->w - 1 ? t->w - 1 : (int)fx1;
    s->y1 = fy1 > t->h - 1 ? t->h - 1 : (int)fy1;
    return s->x0 <= s->x1 && s->y0 <= s->y1;
}

/* Edge k runs from vertex k+1 to k+2 and is the weight of vertex k.
 * E(p) = -(dy) * (px - ax) + dx * (py - ay) is positive inside. Each row's
 * span is where all three are >= 0; as the triangle is convex, that is the
 * columns between the largest bound of the left edges (E grows to the
 * right) and the smallest of the right edges, found exactly by stepping
 * each bound from row to row (edge_walk_next). */
static inline void setup_edges(TriSetup *s, const int64_t X[3], const int64_t Y[3]) {
    int64_t px0 = (int64_t)s->x0 * SUBPIX + HALF_SUBPIX;
    int64_t py0 = (int64_t)s->y0 * SUBPIX + HALF_SUBPIX;
    int64_t last = s->x1 - s->x0;
    const EdgeWalk never_left = {0, 0, 1, 0, 0, 0}, never_right = {last, 0, 1, 0, 0, 0};
    s->last = last;
    s->left[0] = s->left[1] = never_left;
    s->right[0] = s->right[1] = never_right;
    s->row_lo = 0;
    s->row_hi = s->y1 - s->y0;
    int nleft = 0, nright = 0;
    for (int k = 0; k < 3; k++) {
        int a = (k + 1) % 3, b = (k + 2) % 3;
        int64_t dx = X[b] - X[a], dy = Y[b] - Y[a];
        int64_t e = -dy * (px0 - X[a]) + dx * (py0 - Y[a]);
        /* Top-left rule: a centre exactly on an edge belongs to the
         * triangle only for top edges (horizontal, interior below) and left
         * edges. The two triangles sharing an edge traverse it in opposite
         * directions, so exactly one of them takes it. */
        int top_left = dy < 0 || (dy == 0 && dx > 0);
        if (!top_left)
            e -= 1;
        int64_t ex = -dy * SUBPIX, ey = dx * SUBPIX; /* per column, per row */
        if (ex == 0) {
            /* e + row * ey >= 0 */
            if (ey > 0) {
                int64_t lo = ceil_div(-e, ey);
                s->row_lo = lo > s->row_lo ? lo : s->row_lo;
            } else {
                int64_t hi = floor_div(e, -ey);
                s->row_hi = hi < s->row_hi ? hi : s->row_hi;
            }
            continue;
        }
        EdgeWalk w;
        if (ex > 0) {
            /* first column with e + col * ex >= 0 */
            w.m = ex;
            w.k = ceil_div(-e, ex);
            w.r = e + w.k * ex;
            int64_t st = floor_div(ey, ex);
            w.rem = ey - st * ex;
            w.step = -st;
            w.carry = -1;
            s->left[nleft++] = w;
        } else {
            /* last column with e - col * m >= 0 */
            w.m = -ex;
            w.k = floor_div(e, w.m);
            w.r = e - w.k * w.m;
            int64_t st = floor_div(ey, w.m);
            w.rem = ey - st * w.m;
            w.step = st;
            w.carry = 1;
            s->right[nright++] = w;
        }
    }
}

/* Attribute planes (r, g, b, a, z) in pixel units, from the snapped
 * positions so that they agree with the coverage. */
static inline void setup_planes(TriSetup *s, const ClipVert *v[3], const int64_t X[3],
                                const int64_t Y[3]) {
    s->opaque = v[0]->a >= 1.0 && v[1]->a >= 1.0 && v[2]->a >= 1.0;
    double sx0 = (double)X[0] / SUBPIX, sy0 = (double)Y[0] / SUBPIX;
    double ex1 = (double)X[1] / SUBPIX - sx0, ey1 = (double)Y[1] / SUBPIX - sy0;
    double ex2 = (double)X[2] / SUBPIX - sx0, ey2 = (double)Y[2] / SUBPIX - sy0;
    double inv_area = 1.0 / (ex1 * ey2 - ey1 * ex2);
    const double f0[5] = {v[0]->r, v[0]->g, v[0]->b, v[0]->a, v[0]->z};
    const double f1[5] = {v[1]->r, v[1]->g, v[1]->b, v[1]->a, v[1]->z};
    const double f2[5] = {v[2]->r, v[2]->g, v[2]->b, v[2]->a, v[2]->z};
    for (int c = 0; c < 5; c++) {
        s->base[c] = s->ddx[c] = s->ddy[c] = 0.0;
        if (c == 3 && s->opaque)
            continue; /* alpha is not needed */
        double d1 = f1[c] - f0[c], d2 = f2[c] - f0[c];
        s->ddx[c] = (d1 * ey2 - d2 * ey1) * inv_area;
        s->ddy[c] = (d2 * ex1 - d1 * ex2) * inv_area;
        s->base[c] = f0[c] + s->ddx[c] * (s->x0 + 0.5 - sx0) + s->ddy[c] * (s->y0 + 0.5 - sy0);
    }
    for (int c = 0; c < 5; c++)
        s->fdx[c] = (float)s->ddx[c];
    s->flat = 1;
    for (int c = 0; c < 3; c++)
        s->flat &= s->ddx[c] == 0.0 && s->ddy[c] == 0.0;
}

/* Row ry's span, columns [*lo, *hi] relative to x0, and the step of every
 * edge walk to the next row. Call once per row, in order. Returns 0 when
 * the row has no pixel. */
static inline int next_span(TriSetup *s, int64_t ry, int64_t *lo, int64_t *hi) {
    int64_t l = s->left[0].k > s->left[1].k ? s->left[0].k : s->left[1].k;
    int64_t h = s->right[0].k < s->right[1].k ? s->right[0].k : s->right[1].k;
    edge_walk_next(&s->left[0]);
    edge_walk_next(&s->left[1]);
    edge_walk_next(&s->right[0]);
    edge_walk_next(&s->right[1]);
    *lo = l > 0 ? l : 0;
    *hi = h < s->last ? h : s->last;
    return !(*lo > *hi || ry < s->row_lo || ry > s->row_hi);
}

/* The surface's case: opaque, depth-tested and depth-written. r, g, b, z
 * are the span's first pixel; fdx the per-pixel steps. */
static inline void shade_opaque_depth(uint8_t *p, float *dp, int n, float r, float g, float b,
                                      float z, const float fdx[5]) {
    for (int i = 0; i < n; i++, p += 3) {
        float fi = (float)i;
        float zi = z + fdx[4] * fi;
        if (!(zi < dp[i]))
            continue;
        dp[i] = zi;
        p[0] = to_u8(r + fdx[0] * fi);
        p[1] = to_u8(g + fdx[1] * fi);
        p[2] = to_u8(b + fdx[2] * fi);
    }
}

/* Panes and backgrounds: opaque, no depth. */
static inline void shade_opaque(uint8_t *p, int n, float r, float g, float b, const float fdx[5]) {
    for (int i = 0; i < n; i++, p += 3) {
        float fi = (float)i;
        p[0] = to_u8(r + fdx[0] * fi);
        p[1] = to_u8(g + fdx[1] * fi);
        p[2] = to_u8(b + fdx[2] * fi);
    }
}

/* Every other combination: optional depth test and write, blending unless
 * opaque (a is the span's first alpha, unused then). */
static inline void shade_general(uint8_t *p, float *dp, int n, float r, float g, float b, float a,
                                 float z, const float fdx[5], int opaque, int test, int write) {
    for (int i = 0; i < n; i++, p += 3) {
        float fi = (float)i;
        float zi = z + fdx[4] * fi;
        if (test && !(zi < dp[i]))
            continue;
        if (write)
            dp[i] = zi;
        float ri = r + fdx[0] * fi, gi = g + fdx[1] * fi, bi = b + fdx[2] * fi;
        if (opaque) {
            p[0] = to_u8(ri);
            p[1] = to_u8(gi);
            p[2] = to_u8(bi);
        } else {
            float ai = clampf(a + fdx[3] * fi, 0.0f, 1.0f);
            p[0] = blend8(p[0], ri, ai);
            p[1] = blend8(p[1], gi, ai);
            p[2] = blend8(p[2], bi, ai);
        }
    }
}

/* Shades columns [lo, hi] (relative to x0) of row ry: the attributes at the
 * span's first pixel come from the planes in double precision, the steps
 * along it in float. test/write are the effective depth flags. */
static inline void shade_span(RasterTarget *t, const TriSetup *s, int64_t ry, int64_t lo,
                              int64_t hi, int test, int write) {
    int y = s->y0 + (int)ry;
    int xs = s->x0 + (int)lo, n = (int)(hi - lo) + 1; /* span [xs, xs + n) */
    double dyr = (double)ry;
    double sk = (double)lo;
    float r = (float)(s->base[0] + s->ddy[0] * dyr + s->ddx[0] * sk);
    float g = (float)(s->base[1] + s->ddy[1] * dyr + s->ddx[1] * sk);
    float b = (float)(s->base[2] + s->ddy[2] * dyr + s->ddx[2] * sk);
    float z = (float)(s->base[4] + s->ddy[4] * dyr + s->ddx[4] * sk);
    size_t row = (size_t)y * (size_t)t->w;
    uint8_t *p = t->rgb + (row + (size_t)xs) * 3;
    float *dp = t->depth ? t->depth + row + xs : NULL;
    if (s->opaque && test && write) {
        shade_opaque_depth(p, dp, n, r, g, b, z, s->fdx);
        return;
    }
    if (s->opaque && !test && !write) {
        /* A pane: every pixel the colour shade_opaque would give it. */
        if (s->flat)
            fill_rgb(p, (size_t)n, to_u8(r), to_u8(g), to_u8(b));
        else
            shade_opaque(p, n, r, g, b, s->fdx);
        return;
    }
    float a = s->opaque ? 1.0f : (float)(s->base[3] + s->ddy[3] * dyr + s->ddx[3] * sk);
    shade_general(p, dp, n, r, g, b, a, z, s->fdx, s->opaque, test, write);
}

/* Rasterizes one triangle whose vertices lie inside the guard band: set
 * up (snap, box, edges, planes), then walk the rows and shade each span. */
static void fill_triangle(RasterTarget *t, const ClipVert *v0, const ClipVert *v1,
                          const ClipVert *v2, int flags) {
    const ClipVert *v[3] = {v0, v1, v2};
    int64_t X[3], Y[3]; /* screen_ position in 1/256 pixel */
    TriSetup s;
    if (!snap_vertices(v, X, Y) || !setup_box(&s, t, X, Y))
        return;
    setup_edges(&s, X, Y);
    setup_planes(&s, v, X, Y);
    int test = (flags & RASTER_DEPTH_TEST) && t->depth;
    int write = (flags & RASTER_DEPTH_WRITE) && t->depth;
    for (int64_t ry = 0; ry <= s.y1 - s.y0; ry++) {
        int64_t lo, hi;
        if (next_span(&s, ry, &lo, &hi))
            shade_span(t, &s, ry, lo, hi, test, write);
    }
}

/* Orders two vertices canonically, so that an edge clipped from either
 * triangle that shares it yields a bit-identical intersection point. */
static int vert_before(const ClipVert *p, const ClipVert *q) {
    if (p->x != q->x)
        return p->x < q->x;
    return p->y < q->y;
}

static ClipVert clip_point(const ClipVert *p, const ClipVert *q, int axis, double bound) {
    if (!vert_before(p, q)) {
        const ClipVert *s = p;
        p = q;
        q = s;
    }
    double pv = axis ? p->y : p->x, qv = axis ? q->y : q->x;
    double s = (bound - pv) / (qv - pv);
    ClipVert o;
    o.x = axis ? p->x + (q->x - p->x) * s : bound;
    o.y = axis ? bound : p->y + (q->y - p->y) * s;
    o.z = p->z + (q->z - p->z) * s;
    o.r = p->r + (q->r - p->r) * s;
    o.g = p->g + (q->g - p->g) * s;
    o.b = p->b + (q->b - p->b) * s;
    o.a = p->a + (q->a - p->a) * s;
    return o;
}

/* Sutherland-Hodgman against one side of the guard band: keeps the part
 * where sign * coordinate <= GUARD. Returns the new vertex count. */
static int clip_polygon(const ClipVert *in, int n, ClipVert *out, int axis, double sign) {
    int m = 0;
    for (int i = 0; i < n; i++) {
        const ClipVert *p = &in[i], *q = &in[(i + 1) % n];
        double pv = sign * (axis ? p->y : p->x), qv = sign * (axis ? q->y : q->x);
        int pin = pv <= GUARD, qin = qv <= GUARD;
        if (pin)
            out[m++] = *p;
        if (pin != qin)
            out[m++] = clip_point(p, q, axis, sign * GUARD);
    }
    return m;
}

void raster_triangle(RasterTarget *t, const RasterVertex v[3], int flags) {
    ClipVert cv[3];
    int inside = 1;
    for (int k = 0; k < 3; k++) {
        if (!isfinite(v[k].x) || !isfinite(v[k].y) || !isfinite(v[k].z))
            return;
        cv[k].x = v[k].x;
        cv[k].y = v[k].y;
        cv[k].z = v[k].z;
        cv[k].r = unit_clamp(v[k].r) * 255.0;
        cv[k].g = unit_clamp(v[k].g) * 255.0;
        cv[k].b = unit_clamp(v[k].b) * 255.0;
        cv[k].a = unit_clamp(v[k].a);
        if (fabs(cv[k].x) > GUARD || fabs(cv[k].y) > GUARD)
            inside = 0;
    }
    if (cv[0].a <= 0.0 && cv[1].a <= 0.0 && cv[2].a <= 0.0 && !(flags & RASTER_DEPTH_WRITE))
        return;
    if (inside) {
        fill_triangle(t, &cv[0], &cv[1], &cv[2], flags);
        return;
    }
    /* A vertex far off screen (a projection close to the camera plane):
     * clip to the guard band so the fixed-point setup cannot overflow. */
    ClipVert a[MAX_CLIP], b[MAX_CLIP];
    int n = 3;
    memcpy(a, cv, sizeof cv);
    n = clip_polygon(a, n, b, 0, 1.0);
    n = clip_polygon(b, n, a, 0, -1.0);
    n = clip_polygon(a, n, b, 1, 1.0);
    n = clip_polygon(b, n, a, 1, -1.0);
    for (int k = 1; k + 1 < n; k++)
        fill_triangle(t, &a[0], &a[k], &a[k + 1], flags);
}

/* ---- lines, discs, rings ------------------------------------------------ */

static void paint_init(Paint *pt, const RasterVertex *a, const RasterVertex *b, float alpha_scale,
                       int flags, const RasterTarget *t) {
    pt->r0 = unit_clamp(a->r) * 255.0f;
    pt->g0 = unit_clamp(a->g) * 255.0f;
    pt->b0 = unit_clamp(a->b) * 255.0f;
    pt->a0 = unit_clamp(a->a) * alpha_scale;
    pt->z0 = a->z;
    pt->dr = unit_clamp(b->r) * 255.0f - pt->r0;
    pt->dg = unit_clamp(b->g) * 255.0f - pt->g0;
    pt->db = unit_clamp(b->b) * 255.0f - pt->b0;
    pt->da = unit_clamp(b->a) * alpha_scale - pt->a0;
    pt->dz = b->z - a->z;
    pt->test = (flags & RASTER_DEPTH_TEST) && t->depth;
    pt->write = (flags & RASTER_DEPTH_WRITE) && t->depth;
}

/* Shades pixel (x, y) at parameter s (0..1 along the primitive) with
 * coverage cov (0..1]. */
static inline void paint_pixel(RasterTarget *t, const Paint *pt, int x, int y, float s, float cov) {
    size_t idx = (size_t)y * (size_t)t->w + (size_t)x;
    if (pt->test || pt->write) {
        float z = pt->z0 + pt->dz * s;
        if (pt->test && !(z < t->depth[idx]))
            return;
        if (pt->write && cov >= 1.0f)
            t->depth[idx] = z;
    }
    float a = (pt->a0 + pt->da * s) * cov;
    put_pixel(t->rgb + idx * 3, pt->r0 + pt->dr * s, pt->g0 + pt->dg * s, pt->b0 + pt->db * s, a);
}

/* Pixel columns whose centres lie in [lo, hi], clipped to the target.
 * Returns 0 when there are none. */
static int span_columns(double lo, double hi, int w, int *i0, int *i1) {
    if (!(lo <= hi))
        return 0;
    /* ceil and floor by truncation (no libm call), after clamping to
     * [-1, w], which changes no answer: both ends are clamped to the
     * target afterwards. */
    double a = lo - 0.5, b = hi - 0.5;
    a = a > -1.0 ? a : -1.0;
    a = a < (double)w ? a : (double)w;
    b = b > -1.0 ? b : -1.0;
    b = b < (double)w ? b : (double)w;
    int ia = (int)a, ib = (int)b;
    ia += a > (double)ia;
    ib -= b < (double)ib;
    ia = ia < 0 ? 0 : ia;
    ib = ib > w - 1 ? w - 1 : ib;
    if (ia > ib)
        return 0;
    *i0 = ia;
    *i1 = ib;
    return 1;
}

static void hull(double *lo, double *hi, double a, double b) {
    if (a < *lo)
        *lo = a;
    if (b > *hi)
        *hi = b;
}

/* Draws the capsule of radius r around segment a-b (a disc when a == b):
 * the thick line with round caps. Coverage is r + 0.5 - distance, clamped,
 * or a hard edge at distance r with RASTER_NO_AA. */
static void draw_capsule(RasterTarget *t, const RasterVertex *va, const RasterVertex *vb, double r,
                         float alpha_scale, int flags) {
    double ax = va->x, ay = va->y, bx = vb->x, by = vb->y;
    if (!isfinite(ax) || !isfinite(ay) || !isfinite(bx) || !isfinite(by) || !(r > 0.0) ||
        !isfinite(r))
        return;
    int aa = !(flags & RASTER_NO_AA);
    Paint pt;
    paint_init(&pt, va, vb, alpha_scale, flags, t);

    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double len = len2 > 1e-12 ? sqrt(len2) : 0.0; /* 0: a disc */
    double inv_len = len > 0.0 ? 1.0 / len : 0.0;
    double reach = aa ? r + 0.5 : r;
    double reach2 = reach * reach;
    double inner = aa && r > 0.5 ? (r - 0.5) * (r - 0.5) : -1.0; /* full coverage within */
    double span_r = reach + 0.01; /* spans are conservative; each pixel decides */

    double ylo = (ay < by ? ay : by) - span_r, yhi = (ay > by ? ay : by) + span_r;
    int j0, j1;
    if (!span_columns(ylo, yhi, t->h, &j0, &j1))
        return;
    /* Unit direction u and the band |n . (p - a)| <= r, 0 <= u . (p - a) <= len. */
    double ux = len > 0.0 ? dx / len : 0.0, uy = len > 0.0 ? dy / len : 0.0;
    for (int j = j0; j <= j1; j++) {
        double py = j + 0.5;
        double lo = INFINITY, hi = -INFINITY;
        double oa = py - ay, ob = py - by;
        if (fabs(oa) <= span_r) {
            double h = sqrt(span_r * span_r - oa * oa);
            hull(&lo, &hi, ax - h, ax + h);
        }
        if (fabs(ob) <= span_r) {
            double h = sqrt(span_r * span_r - ob * ob);
            hull(&lo, &hi, bx - h, bx + h);
        }
        if (len > 0.0) {
            double blo = -INFINITY, bhi = INFINITY;
            /* perpendicular: -uy * (x - ax) + ux * oa in [-r, r] */
            if (fabs(uy) > 1e-9) {
                double p = ax + (ux * oa - span_r) / uy, q = ax + (ux * oa + span_r) / uy;
                blo = p < q ? p : q;
                bhi = p < q ? q : p;
            } else if (fabs(ux * oa) > span_r) {
                blo = INFINITY;
            }
            /* along: ux * (x - ax) + uy * oa in [0, len] */
            if (fabs(ux) > 1e-9) {
                double p = ax - uy * oa / ux, q = ax + (len - uy * oa) / ux;
                double plo = p < q ? p : q, phi = p < q ? q : p;
                blo = plo > blo ? plo : blo;
                bhi = phi < bhi ? phi : bhi;
            } else if (uy * oa < -span_r || uy * oa > len + span_r) {
                blo = INFINITY;
            }
            if (blo <= bhi)
                hull(&lo, &hi, blo, bhi);
        }
        int i0, i1;
        if (!span_columns(lo, hi, t->w, &i0, &i1))
            continue;
        /* Along- and across-segment offsets of the row's first centre; the
         * across one is exact for axis-aligned lines whatever the ends. */
        double ox = i0 + 0.5 - ax;
        double al_row = len > 0.0 ? ux * ox + uy * oa : -1.0, pe_row = -uy * ox + ux * oa;
        for (int i = i0; i <= i1; i++) {
            double k = i - i0, al = al_row + ux * k, s, d2, d = -1.0;
            if (al <= 0.0) {
                double qx = i + 0.5 - ax;
                d2 = qx * qx + oa * oa;
                s = 0.0;
            } else if (al >= len) {
                double qx = i + 0.5 - bx;
                d2 = qx * qx + ob * ob;
                s = 1.0;
            } else {
                double pe = pe_row - uy * k;
                d2 = pe * pe;
                /* sqrt(pe * pe) is |pe| exactly in binary floating point
                 * (no underflow: a pixel this near is drawn, and pe * pe
                 * would be 0 only for a tiny |pe|, where both are 0). */
                d = fabs(pe);
                s = al * inv_len;
            }
            float cov;
            if (!aa) {
                if (d2 > reach2)
                    continue;
                cov = 1.0f;
            } else {
                if (d2 >= reach2)
                    continue;
                cov = d2 <= inner ? 1.0f : (float)(reach - (d >= 0.0 ? d : sqrt(d2)));
                if (cov > 1.0f)
                    cov = 1.0f;
                if (!(cov > 0.0f))
                    continue;
            }
            paint_pixel(t, &pt, i, j, (float)s, cov);
        }
    }
}

void raster_line(RasterTarget *t, RasterVertex a, RasterVertex b, float width, int flags) {
    if (!(width > 0.0f))
        return;
    /* Below a pixel, a 1 px line at proportional opacity reads the same and
     * does not break up into dots. */
    float scale = 1.0f;
    if (width < 1.0f) {
        scale = width;
        width = 1.0f;
    }
    draw_capsule(t, &a, &b, 0.5 * width, scale, flags);
}

void raster_point(RasterTarget *t, RasterVertex c, float radius, int flags) {
    if (!(radius > 0.0f))
        return;
    float scale = 1.0f;
    if (radius < 0.5f) {
        scale = (radius / 0.5f) * (radius / 0.5f);
        radius = 0.5f;
    }
    draw_capsule(t, &c, &c, radius, scale, flags);
}

void raster_ring(RasterTarget *t, RasterVertex c, float radius, float width, int flags) {
    if (!(width > 0.0f) || !(radius >= 0.0f) || !isfinite(c.x) || !isfinite(c.y) ||
        !isfinite(radius) || !isfinite(width))
        return;
    float scale = 1.0f;
    if (width < 1.0f) {
        scale = width;
        width = 1.0f;
    }
    int aa = !(flags & RASTER_NO_AA);
    Paint pt;
    paint_init(&pt, &c, &c, scale, flags, t);
    double cx = c.x, cy = c.y, hw = 0.5 * width;
    double ext = aa ? hw + 0.5 : hw;
    double outer = radius + ext + 0.01;
    double inner = radius - ext - 0.01; /* centres nearer than this are not covered */
    int j0, j1;
    if (!span_columns(cy - outer, cy + outer, t->h, &j0, &j1))
        return;
    for (int j = j0; j <= j1; j++) {
        double py = j + 0.5, oy = py - cy;
        double h = sqrt(fmax(outer * outer - oy * oy, 0.0));
        int i0, i1;
        if (!span_columns(cx - h, cx + h, t->w, &i0, &i1))
            continue;
        double hole_lo = INFINITY, hole_hi = -INFINITY;
        if (inner > 0.0 && fabs(oy) < inner) {
            double hi_ = sqrt(inner * inner - oy * oy);
            hole_lo = cx - hi_;
            hole_hi = cx + hi_;
        }
        for (int i = i0; i <= i1; i++) {
            double px = i + 0.5;
            if (px > hole_lo && px < hole_hi) {
                /* jump over the hole */
                double next = ceil(hole_hi - 0.5);
                if (next > i1)
                    break;
                i = (int)next - 1;
                continue;
            }
            double ox = px - cx;
            double d = fabs(sqrt(ox * ox + oy * oy) - radius);
            float cov;
            if (!aa) {
                if (d > hw)
                    continue;
                cov = 1.0f;
            } else {
                cov = (float)(ext - d);
                if (!(cov > 0.0f))
                    continue;
                if (cov > 1.0f)
                    cov = 1.0f;
            }
            paint_pixel(t, &pt, i, j, 0.0f, cov);
        }
    }
}

/* ---- 2D fills, blits, compositing, resolve ------------------------------ */

/* Coverage of pixel i by [lo, hi) along one axis. */
static inline float axis_cover(int i, float lo, float hi) {
    float a = lo > (float)i ? lo : (float)i;
    float b = hi < (float)(i + 1) ? hi : (float)(i + 1);
    return b > a ? b - a : 0.0f;
}

void raster_fill_rect(RasterTarget *t, float x0, float y0, float x1, float y1, float r, float g,
                      float b, float a) {
    if (isnan(x0) || isnan(y0) || isnan(x1) || isnan(y1))
        return;
    /* Clamp in float first: the int conversions below must not overflow. */
    x0 = fmaxf(x0, 0.0f);
    y0 = fmaxf(y0, 0.0f);
    x1 = fminf(x1, (float)t->w);
    y1 = fminf(y1, (float)t->h);
    a = unit_clamp(a);
    if (!(x0 < x1) || !(y0 < y1) || a <= 0.0f)
        return;
    float sr = unit_clamp(r) * 255.0f, sg = unit_clamp(g) * 255.0f, sb = unit_clamp(b) * 255.0f;
    int i0 = (int)x0, i1 = (int)ceilf(x1), j0 = (int)y0, j1 = (int)ceilf(y1);
    /* Inside a row every pixel has the row's coverage, so its new value
     * depends on its old one alone: put_pixel's results for the 256 old
     * values of each channel, tabulated once per coverage (the rows but
     * the first and last share one). */
    uint8_t tab[3][256];
    float tab_cov = NAN;
    for (int j = j0; j < j1; j++) {
        float cy = axis_cover(j, y0, y1) * a;
        uint8_t *p = t->rgb + ((size_t)j * (size_t)t->w + (size_t)i0) * 3;
        if (i1 - i0 > 2 && !(cy == tab_cov)) {
            for (int v = 0; v < 256; v++) {
                uint8_t q[3] = {(uint8_t)v, (uint8_t)v, (uint8_t)v};
                put_pixel(q, sr, sg, sb, cy);
                tab[0][v] = q[0];
                tab[1][v] = q[1];
                tab[2][v] = q[2];
            }
            tab_cov = cy;
        }
        for (int i = i0; i < i1; i++, p += 3) {
            if (i == i0 || i == i1 - 1) {
                put_pixel(p, sr, sg, sb, axis_cover(i, x0, x1) * cy);
                continue;
            }
            p[0] = tab[0][p[0]];
            p[1] = tab[1][p[1]];
            p[2] = tab[2][p[2]];
        }
    }
}

void raster_blit_coverage(RasterTarget *t, int x, int y, const uint8_t *cov, int cw, int ch,
                          int pitch, float r, float g, float b, float alpha) {
    alpha = unit_clamp(alpha);
    if (!cov || cw <= 0 || ch <= 0 || alpha <= 0.0f)
        return;
    /* Clip in 64-bit so x + cw cannot overflow. */
    int64_t cx0 = x < 0 ? -(int64_t)x : 0, cy0 = y < 0 ? -(int64_t)y : 0;
    int64_t cx1 = (int64_t)t->w - x < cw ? (int64_t)t->w - x : cw;
    int64_t cy1 = (int64_t)t->h - y < ch ? (int64_t)t->h - y : ch;
    if (cx0 >= cx1 || cy0 >= cy1)
        return;
    float sr = unit_clamp(r) * 255.0f, sg = unit_clamp(g) * 255.0f, sb = unit_clamp(b) * 255.0f;
    float k = alpha / 255.0f;
    for (int64_t j = cy0; j < cy1; j++) {
        const uint8_t *c = cov + (size_t)j * (size_t)pitch;
        uint8_t *p = t->rgb + ((size_t)(y + j) * (size_t)t->w + (size_t)(x + cx0)) * 3;
        for (int64_t i = cx0; i < cx1; i++, p += 3) {
            if (c[i] == 0)
                continue;
            /* Full coverage at full alpha is an exact copy. */
            float w = c[i] == 255 ? alpha : (float)c[i] * k;
            put_pixel(p, sr, sg, sb, w);
        }
    }
}

/* m[i] = a[i] < b[i] (0 for NaN). */
GD_VECTOR_CLONES static void depth_less(const float *restrict a, const float *restrict b,
                                        uint8_t *restrict m, size_t n) {
    for (size_t i = 0; i < n; i++)
        m[i] = a[i] < b[i];
}

/* With a fixed opacity the blend of d towards s moves d by an amount that
 * depends only on s - d: tabulated once per call (511 entries) instead of
 * converting every channel to float and back. Rounds as blend8 does,
 * floor(d + (s - d) * a + 0.5), up to float's own rounding of that sum. */
#define BLEND_TAB(dp, sp) (dp) = (uint8_t)((dp) + step[(int)(sp) - (int)(dp) + 255])

/* Composites n pixels: d/td the target's colour and depth, s/ld the
 * layer's (either depth may be NULL). */
static void composite_run(uint8_t *d, const float *td, const uint8_t *s, const float *ld, size_t n,
                          const int16_t step[511]) {
    if (ld && td) {
        /* Most of the frame is not covered by the layer: the depth test
         * for a chunk of pixels at once (vectorised), then only the
         * covered ones blended, eight clear ones skipped at a time. */
        enum { CHUNK = 4096 };
        uint8_t cover[CHUNK];
        for (size_t i = 0; i < n; i += CHUNK) {
            size_t cn = n - i < CHUNK ? n - i : CHUNK;
            depth_less(ld + i, td + i, cover, cn);
            for (size_t k = raster_mask_next(cover, 0, cn); k < cn;
                 k = raster_mask_next(cover, k + 1, cn)) {
                size_t q = 3 * (i + k);
                BLEND_TAB(d[q], s[q]);
                BLEND_TAB(d[q + 1], s[q + 1]);
                BLEND_TAB(d[q + 2], s[q + 2]);
            }
        }
        return;
    }
    for (size_t i = 0; i < n; i++, s += 3, d += 3) {
        float lz = ld ? ld[i] : -INFINITY;
        float tz = td ? td[i] : INFINITY;
        if (!(lz < tz))
            continue;
        BLEND_TAB(d[0], s[0]);
        BLEND_TAB(d[1], s[1]);
        BLEND_TAB(d[2], s[2]);
    }
}
#undef BLEND_TAB

void raster_composite_layer(RasterTarget *t, const RasterTarget *layer, float opacity) {
    raster_composite_layer_cols(t, layer, opacity, 0, t->w);
}

void raster_composite_layer_cols(RasterTarget *t, const RasterTarget *layer, float opacity, int x0,
                                 int x1) {
    if (t->w != layer->w || t->h != layer->h)
        return;
    opacity = unit_clamp(opacity);
    x0 = x0 > 0 ? x0 : 0;
    x1 = x1 < t->w ? x1 : t->w;
    if (opacity <= 0.0f || x0 >= x1)
        return;
    int16_t step[511];
    for (int k = 0; k < 511; k++)
        step[k] = (int16_t)floor((k - 255) * (double)opacity + 0.5);
    const size_t w = (size_t)t->w;
    if (x0 == 0 && x1 == t->w) {
        composite_run(t->rgb, t->depth, layer->rgb, layer->depth, w * (size_t)t->h, step);
        return;
    }
    /* Every pixel's result depends on that pixel alone: row by row. */
    for (size_t y = 0; y < (size_t)t->h; y++) {
        size_t o = y * w + (size_t)x0;
        composite_run(t->rgb + 3 * o, t->depth ? t->depth + o : NULL, layer->rgb + 3 * o,
                      layer->depth ? layer->depth + o : NULL, (size_t)(x1 - x0), step);
    }
}

void raster_resolve(RasterTarget *dst, const RasterTarget *src, int ss) {
    if (ss < 1 || ss > 4 || src->w != dst->w * ss || src->h != dst->h * ss)
        return;
    unsigned n = (unsigned)(ss * ss);
    /* (sum + n/2) / n by multiply and shift: with m = ceil(2^20 / n) the
     * quotient is exact for every sum up to 16 * 255 (the error term
     * sum * (m * n - 2^20) / 2^20 stays below 1/n). */
    uint32_t m = (uint32_t)(((1u << 20) + n - 1) / n);
    size_t sw = (size_t)src->w;
    if (ss == 1) {
        memcpy(dst->rgb, src->rgb, sw * (size_t)src->h * 3);
        return;
    }
    for (int y = 0; y < dst->h; y++) {
        uint8_t *d = dst->rgb + (size_t)y * (size_t)dst->w * 3;
        const uint8_t *s0 = src->rgb + (size_t)y * (size_t)ss * sw * 3;
        for (int x = 0; x < dst->w; x++, d += 3) {
            uint32_t sr = 0, sg = 0, sb = 0;
            const uint8_t *row = s0 + (size_t)x * (size_t)ss * 3;
            for (int j = 0; j < ss; j++, row += sw * 3) {
                for (int i = 0; i < ss; i++) {
                    sr += row[i * 3];
                    sg += row[i * 3 + 1];
                    sb += row[i * 3 + 2];
                }
            }
            d[0] = (uint8_t)(((sr + n / 2) * m) >> 20);
            d[1] = (uint8_t)(((sg + n / 2) * m) >> 20);
            d[2] = (uint8_t)(((sb + n / 2) * m) >> 20);
        }
    }
}
