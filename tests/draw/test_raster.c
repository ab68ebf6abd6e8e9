/*
 * test_raster.c — raster.c: exact pixel sets of triangles (top-left rule,
 * shared edges and fans covered exactly once, found by blending at alpha
 * 0.5), Gouraud values, depth order and flags, hand-computed anti-aliased
 * values of lines, discs, rings and rectangles, blending rounding, coverage
 * blits, layer compositing, the resolve's exact rounding, and degenerate,
 * off-screen and huge primitives that must not write outside the target.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "draw/raster.h"

/* ---- helpers ------------------------------------------------------------ */

#define CANARY 64 /* guard bytes around a target's buffers */

/* A target whose buffers sit between canary bytes, to catch stray writes
 * even without ASan. */
typedef struct Guarded {
    RasterTarget t;
    uint8_t *rgb_block;
    float *depth_block;
} Guarded;

static void guarded_init(Guarded *g, int w, int h, int with_depth) {
    size_t n = (size_t)w * (size_t)h;
    g->rgb_block = malloc(n * 3 + 2 * CANARY);
    assert_non_null(g->rgb_block);
    memset(g->rgb_block, 0xA5, n * 3 + 2 * CANARY);
    g->depth_block = NULL;
    g->t.w = w;
    g->t.h = h;
    g->t.rgb = g->rgb_block + CANARY;
    g->t.depth = NULL;
    if (with_depth) {
        g->depth_block = malloc((n + 2 * CANARY) * sizeof(float));
        assert_non_null(g->depth_block);
        for (size_t i = 0; i < n + 2 * CANARY; i++)
            g->depth_block[i] = -123.0f;
        g->t.depth = g->depth_block + CANARY;
    }
    raster_clear(&g->t, 255, 255, 255);
}

static void guarded_check_free(Guarded *g) {
    size_t n = (size_t)g->t.w * (size_t)g->t.h;
    for (size_t i = 0; i < CANARY; i++) {
        assert_int_equal(g->rgb_block[i], 0xA5);
        assert_int_equal(g->rgb_block[CANARY + n * 3 + i], 0xA5);
    }
    if (g->depth_block)
        for (size_t i = 0; i < CANARY; i++) {
            assert_true(g->depth_block[i] == -123.0f);
            assert_true(g->depth_block[CANARY + n + i] == -123.0f);
        }
    free(g->rgb_block);
    free(g->depth_block);
}

static int px(const RasterTarget *t, int x, int y, int c) {
    return t->rgb[((size_t)y * (size_t)t->w + (size_t)x) * 3 + (size_t)c];
}

static float depth_at(const RasterTarget *t, int x, int y) {
    return t->depth[(size_t)y * (size_t)t->w + (size_t)x];
}

static RasterVertex vtx(float x, float y, float z, float r, float g, float b, float a) {
    RasterVertex v = {x, y, z, r, g, b, a};
    return v;
}

static void tri(RasterTarget *t, RasterVertex a, RasterVertex b, RasterVertex c, int flags) {
    RasterVertex v[3] = {a, b, c};
    raster_triangle(t, v, flags);
}

/* Black at alpha 0.5 on white: 128 once, 64 twice. */
static RasterVertex half_black(float x, float y) {
    return vtx(x, y, 0.5f, 0, 0, 0, 0.5f);
}

static int count_value(const RasterTarget *t, int value) {
    int n = 0;
    for (int i = 0; i < t->w * t->h; i++)
        n += t->rgb[i * 3] == value;
    return n;
}

/* Whether (x, y) is inside triangle abc (either winding) by more than 0.01
 * px, computed in double independently of raster.c (which snaps vertices
 * to 1/256 px, so centres closer to an edge than that may go either way). */
static int strictly_inside(const double a[2], const double b[2], const double c[2], double x,
                           double y) {
    const double *v[3] = {a, b, c};
    int pos = 0, neg = 0;
    for (int k = 0; k < 3; k++) {
        const double *p = v[k], *q = v[(k + 1) % 3];
        double len = hypot(q[0] - p[0], q[1] - p[1]);
        double d = ((q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])) / len;
        pos += d > 0.01;
        neg += d < -0.01;
    }
    return pos == 3 || neg == 3;
}

/* ---- target ------------------------------------------------------------- */

static void test_target_init_clear(void **state) {
    (void)state;
    RasterTarget t;
    assert_int_equal(raster_target_init(&t, 0, 5, 1), -1);
    assert_null(t.rgb);
    assert_int_equal(raster_target_init(&t, 4, 3, 1), 0);
    assert_int_equal(t.w, 4);
    assert_int_equal(t.h, 3);
    assert_int_equal(px(&t, 3, 2, 1), 0);
    assert_true(isinf(depth_at(&t, 3, 2)) && depth_at(&t, 3, 2) > 0);
    raster_clear(&t, 10, 20, 30);
    assert_int_equal(px(&t, 0, 0, 0), 10);
    assert_int_equal(px(&t, 3, 2, 1), 20);
    assert_int_equal(px(&t, 2, 1, 2), 30);
    raster_target_free(&t);
    assert_null(t.rgb);
    assert_null(t.depth);
    assert_int_equal(raster_target_init(&t, 2, 2, 0), 0);
    assert_null(t.depth);
    raster_target_free(&t);
    raster_target_free(NULL);
}

/* ---- triangles ---------------------------------------------------------- */

/* raster_clear_around: every pixel outside the kept rectangles (here two
 * that overlap and one that hangs over the right edge) gets the colour,
 * the ones inside keep theirs; with a gray and a coloured background. */
static void test_clear_around(void **state) {
    (void)state;
    const int keep[3][4] = {{3, 2, 2, 2}, {1, 1, 4, 2}, {8, 4, 5, 9}};
    const uint8_t bg[2][3] = {{7, 7, 7}, {10, 20, 30}};
    for (int c = 0; c < 2; c++) {
        RasterTarget t;
        assert_int_equal(raster_target_init(&t, 10, 6, 0), 0);
        memset(t.rgb, 200, 10 * 6 * 3);
        raster_clear_around(&t, bg[c][0], bg[c][1], bg[c][2], keep, 3);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 10; x++) {
                int kept = 0;
                for (int i = 0; i < 3; i++)
                    kept |= x >= keep[i][0] && x < keep[i][0] + keep[i][2] && y >= keep[i][1] &&
                            y < keep[i][1] + keep[i][3];
                for (int q = 0; q < 3; q++)
                    assert_int_equal(t.rgb[3 * (y * 10 + x) + q], kept ? 200 : bg[c][q]);
            }
        raster_target_free(&t);
    }
}

/* Vertices on pixel centres: the top edge (y = 0.5) and the left edge
 * (x = 0.5) take their centres, the hypotenuse x + y = 7 does not. */
static void test_triangle_exact_pixels(void **state) {
    (void)state;
    for (int winding = 0; winding < 2; winding++) {
        Guarded g;
        guarded_init(&g, 10, 10, 0);
        RasterVertex a = vtx(0.5f, 0.5f, 0, 0, 0, 0, 1);
        RasterVertex b = vtx(6.5f, 0.5f, 0, 0, 0, 0, 1);
        RasterVertex c = vtx(0.5f, 6.5f, 0, 0, 0, 0, 1);
        if (winding)
            tri(&g.t, a, c, b, 0);
        else
            tri(&g.t, a, b, c, 0);
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 10; x++)
                if ((px(&g.t, x, y, 0) == 0) != (x + y <= 5))
                    fail_msg("winding %d: pixel (%d, %d) = %d", winding, x, y, px(&g.t, x, y, 0));
        guarded_check_free(&g);
    }

    /* Fractional vertices: covered iff the centre is inside. */
    Guarded g;
    guarded_init(&g, 10, 10, 0);
    tri(&g.t, vtx(1, 1, 0, 0, 0, 0, 1), vtx(7, 1, 0, 0, 0, 0, 1), vtx(1, 7, 0, 0, 0, 0, 1), 0);
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++)
            assert_int_equal(px(&g.t, x, y, 0) == 0, x >= 1 && y >= 1 && x + y <= 6);
    guarded_check_free(&g);

    /* One colour (a pane: filled, not shaded pixel by pixel): the same
     * pixels, each exactly that colour. 0.2, 0.4, 0.6 of 255 round to 51,
     * 102, 153. */
    Guarded f;
    guarded_init(&f, 10, 10, 0);
    tri(&f.t, vtx(1, 1, 0, 0.2f, 0.4f, 0.6f, 1), vtx(7, 1, 0, 0.2f, 0.4f, 0.6f, 1),
        vtx(1, 7, 0, 0.2f, 0.4f, 0.6f, 1), 0);
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++) {
            const int in = x >= 1 && y >= 1 && x + y <= 6;
            assert_int_equal(px(&f.t, x, y, 0), in ? 51 : 255);
            assert_int_equal(px(&f.t, x, y, 1), in ? 102 : 255);
            assert_int_equal(px(&f.t, x, y, 2), in ? 153 : 255);
        }
    guarded_check_free(&f);
}

/* A square [2.5, 10.5)^2 split along either diagonal, in every vertex
 * order, at alpha 0.5: each pixel of [2, 9]^2 is blended exactly once
 * (128), though the diagonal runs through pixel centres. */
static void test_shared_edge_once(void **state) {
    (void)state;
    const float lo = 2.5f, hi = 10.5f;
    RasterVertex q[4] = {half_black(lo, lo), half_black(hi, lo), half_black(hi, hi),
                         half_black(lo, hi)};
    for (int diag = 0; diag < 2; diag++)
        for (int order = 0; order < 3; order++) {
            Guarded g;
            guarded_init(&g, 14, 14, 0);
            RasterVertex t1[3] = {q[diag], q[diag + 1], q[diag + 2]};
            RasterVertex t2[3] = {q[diag + 2], q[(diag + 3) % 4], q[diag]};
            static const int perm[3][3] = {{0, 1, 2}, {0, 2, 1}, {2, 1, 0}};
            RasterVertex r1[3], r2[3];
            for (int k = 0; k < 3; k++) {
                r1[k] = t1[perm[order][k]];
                r2[k] = t2[perm[(order + 1) % 3][k]];
            }
            raster_triangle(&g.t, r1, 0);
            raster_triangle(&g.t, r2, 0);
            for (int y = 0; y < 14; y++)
                for (int x = 0; x < 14; x++) {
                    int want = (x >= 2 && x <= 9 && y >= 2 && y <= 9) ? 128 : 255;
                    if (px(&g.t, x, y, 0) != want)
                        fail_msg("diag %d order %d: (%d, %d) = %d, want %d", diag, order, x, y,
                                 px(&g.t, x, y, 0), want);
                }
            guarded_check_free(&g);
        }
}

/* A fan around a pixel centre with vertices on pixel centres, alternating
 * windings, then a jittered grid mesh: no pixel blended twice, every pixel
 * whose centre is strictly inside some triangle blended once. */
static void test_mesh_fan_once(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 24, 24, 0);
    const double ring[8][2] = {{14.5, 8.5}, {12.5, 12.5}, {8.5, 14.5}, {4.5, 12.5},
                               {2.5, 8.5},  {4.5, 4.5},   {8.5, 2.5},  {12.5, 4.5}};
    const double ctr[2] = {8.5, 8.5};
    for (int k = 0; k < 8; k++) {
        const double *a = ring[k], *b = ring[(k + 1) % 8];
        if (k % 2)
            tri(&g.t, half_black((float)ctr[0], (float)ctr[1]),
                half_black((float)a[0], (float)a[1]), half_black((float)b[0], (float)b[1]), 0);
        else
            tri(&g.t, half_black((float)b[0], (float)b[1]), half_black((float)a[0], (float)a[1]),
                half_black((float)ctr[0], (float)ctr[1]), 0);
    }
    assert_int_equal(count_value(&g.t, 64), 0);
    for (int y = 0; y < 24; y++)
        for (int x = 0; x < 24; x++) {
            int v = px(&g.t, x, y, 0), in = 0;
            for (int k = 0; k < 8; k++)
                in |= strictly_inside(ctr, ring[k], ring[(k + 1) % 8], x + 0.5, y + 0.5);
            assert_true(v == 128 || v == 255);
            if (in)
                assert_int_equal(v, 128);
        }
    /* The centre pixel lies on all 8 shared edges and is covered once. */
    assert_int_equal(px(&g.t, 8, 8, 0), 128);
    guarded_check_free(&g);

    /* Jittered 6x6-quad grid with both diagonal choices. */
    guarded_init(&g, 40, 40, 0);
    double gx[7][7], gy[7][7];
    for (int j = 0; j < 7; j++)
        for (int i = 0; i < 7; i++) {
            gx[j][i] = 3 + 5.3 * i + 1.0 * sin(i * 7.1 + j * 3.3);
            gy[j][i] = 2 + 5.7 * j + 1.1 * cos(i * 2.9 + j * 5.3);
        }
    double tris[72][3][2];
    int nt = 0;
    for (int j = 0; j < 6; j++)
        for (int i = 0; i < 6; i++) {
            double p[4][2] = {{gx[j][i], gy[j][i]},
                              {gx[j][i + 1], gy[j][i + 1]},
                              {gx[j + 1][i + 1], gy[j + 1][i + 1]},
                              {gx[j + 1][i], gy[j + 1][i]}};
            int s = (i + j) % 2;
            int idx[2][3] = {{s, s + 1, s + 2}, {s + 2, (s + 3) % 4, s}};
            for (int h = 0; h < 2; h++, nt++)
                for (int k = 0; k < 3; k++) {
                    tris[nt][k][0] = p[idx[h][k]][0];
                    tris[nt][k][1] = p[idx[h][k]][1];
                }
        }
    for (int k = 0; k < nt; k++)
        tri(&g.t, half_black((float)tris[k][0][0], (float)tris[k][0][1]),
            half_black((float)tris[k][1][0], (float)tris[k][1][1]),
            half_black((float)tris[k][2][0], (float)tris[k][2][1]), 0);
    assert_int_equal(count_value(&g.t, 64), 0);
    int inside = 0;
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 40; x++)
            for (int k = 0; k < nt; k++)
                if (strictly_inside(tris[k][0], tris[k][1], tris[k][2], x + 0.5, y + 0.5)) {
                    if (px(&g.t, x, y, 0) != 128)
                        fail_msg("pixel (%d, %d) in triangle %d: %d", x, y, k, px(&g.t, x, y, 0));
                    inside++;
                    break;
                }
    assert_true(inside > 900);
    guarded_check_free(&g);
}

/* r = x/8 across the triangle (0,0) (8,0) (0,8); z = 0.1 + 0.1 y. */
static void test_gouraud(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 10, 10, 1);
    tri(&g.t, vtx(0, 0, 0.1f, 0, 0, 1, 1), vtx(8, 0, 0.1f, 1, 0, 0, 1), vtx(0, 8, 0.9f, 0, 0, 0, 1),
        RASTER_DEPTH_WRITE);
    assert_int_equal(px(&g.t, 3, 2, 0), 112); /* 3.5/8 * 255 = 111.5625 */
    assert_int_equal(px(&g.t, 1, 0, 0), 48);  /* 1.5/8 * 255 = 47.8125 */
    /* blue = 1 - (x + y)/8: at (3.5, 2.5) 0.25 * 255 = 63.75 */
    assert_int_equal(px(&g.t, 3, 2, 2), 64);
    assert_int_equal(px(&g.t, 3, 2, 1), 0);
    assert_float_equal(depth_at(&g.t, 3, 2), 0.35f, 1e-6);
    assert_float_equal(depth_at(&g.t, 0, 6), 0.75f, 1e-6);
    guarded_check_free(&g);
}

/* A near red and a far blue triangle, drawn in both orders. */
static void test_depth_order(void **state) {
    (void)state;
    Guarded g1, g2;
    guarded_init(&g1, 16, 16, 1);
    guarded_init(&g2, 16, 16, 1);
    RasterVertex n0 = vtx(1, 1, 0.2f, 1, 0, 0, 1), n1 = vtx(14, 2, 0.2f, 1, 0, 0, 1),
                 n2 = vtx(3, 13, 0.2f, 1, 0, 0, 1);
    RasterVertex f0 = vtx(2, 3, 0.8f, 0, 0, 1, 1), f1 = vtx(15, 15, 0.8f, 0, 0, 1, 1),
                 f2 = vtx(12, 1, 0.8f, 0, 0, 1, 1);
    int fl = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE;
    tri(&g1.t, n0, n1, n2, fl);
    tri(&g1.t, f0, f1, f2, fl);
    tri(&g2.t, f0, f1, f2, fl);
    tri(&g2.t, n0, n1, n2, fl);
    assert_memory_equal(g1.t.rgb, g2.t.rgb, 16 * 16 * 3);
    assert_memory_equal(g1.t.depth, g2.t.depth, 16 * 16 * sizeof(float));
    /* (6, 4) is in both: red wins; (13, 12) only in the far one. */
    assert_int_equal(px(&g1.t, 6, 4, 0), 255);
    assert_int_equal(px(&g1.t, 6, 4, 2), 0);
    assert_float_equal(depth_at(&g1.t, 6, 4), 0.2f, 1e-7);
    assert_int_equal(px(&g1.t, 13, 12, 0), 0);
    assert_int_equal(px(&g1.t, 13, 12, 2), 255);
    guarded_check_free(&g1);
    guarded_check_free(&g2);
}

static void test_depth_flags(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 4, 4, 1);
    /* Covers every pixel of the 4x4 target. */
#define FULL(z, r, gg, b, fl)                                                                      \
    do {                                                                                           \
        tri(&g.t, vtx(-1, -1, z, r, gg, b, 1), vtx(9, -1, z, r, gg, b, 1),                         \
            vtx(-1, 9, z, r, gg, b, 1), fl);                                                       \
    } while (0)
    FULL(0.5f, 1, 0, 0, RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE);
    assert_int_equal(px(&g.t, 2, 2, 0), 255);
    assert_float_equal(depth_at(&g.t, 2, 2), 0.5f, 0);

    FULL(0.7f, 0, 1, 0, RASTER_DEPTH_TEST); /* farther: rejected */
    assert_int_equal(px(&g.t, 2, 2, 1), 0);
    FULL(0.5f, 0, 1, 0, RASTER_DEPTH_TEST); /* equal: rejected (strict) */
    assert_int_equal(px(&g.t, 2, 2, 1), 0);

    FULL(0.3f, 0, 1, 0, RASTER_DEPTH_TEST); /* nearer, test only: drawn, depth kept */
    assert_int_equal(px(&g.t, 2, 2, 1), 255);
    assert_float_equal(depth_at(&g.t, 2, 2), 0.5f, 0);
    FULL(0.4f, 0, 0, 1, RASTER_DEPTH_TEST); /* still nearer than the stored 0.5 */
    assert_int_equal(px(&g.t, 2, 2, 2), 255);

    FULL(0.9f, 1, 1, 1, RASTER_DEPTH_WRITE); /* write only: drawn and stored */
    assert_int_equal(px(&g.t, 2, 2, 0), 255);
    assert_int_equal(px(&g.t, 2, 2, 1), 255);
    assert_float_equal(depth_at(&g.t, 2, 2), 0.9f, 0);

    FULL(0.1f, 0, 0, 0, 0); /* no flags: drawn, depth untouched */
    assert_int_equal(px(&g.t, 2, 2, 0), 0);
    assert_float_equal(depth_at(&g.t, 2, 2), 0.9f, 0);
#undef FULL
    guarded_check_free(&g);
}

/* source over, rounded half up. */
static void test_alpha_blend_exact(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 4, 4, 0);
    tri(&g.t, half_black(-1, -1), half_black(9, -1), half_black(-1, 9), 0);
    assert_int_equal(px(&g.t, 1, 1, 0), 128); /* 255 * 0.5 = 127.5 -> 128 */
    assert_int_equal(px(&g.t, 1, 1, 2), 128);
    raster_clear(&g.t, 0, 0, 255);
    tri(&g.t, vtx(-1, -1, 0, 1, 0, 0, 0.25f), vtx(9, -1, 0, 1, 0, 0, 0.25f),
        vtx(-1, 9, 0, 1, 0, 0, 0.25f), 0);
    assert_int_equal(px(&g.t, 1, 1, 0), 64);  /* 63.75 */
    assert_int_equal(px(&g.t, 1, 1, 1), 0);   /* 0 */
    assert_int_equal(px(&g.t, 1, 1, 2), 191); /* 255 - 63.75 = 191.25 */
    /* alpha 0 leaves the pixel; alpha above 1 is clamped to opaque */
    tri(&g.t, vtx(-1, -1, 0, 1, 1, 1, 0), vtx(9, -1, 0, 1, 1, 1, 0), vtx(-1, 9, 0, 1, 1, 1, 0), 0);
    assert_int_equal(px(&g.t, 1, 1, 0), 64);
    tri(&g.t, vtx(-1, -1, 0, 0.5f, 2, -1, 3), vtx(9, -1, 0, 0.5f, 2, -1, 3),
        vtx(-1, 9, 0, 0.5f, 2, -1, 3), 0);
    assert_int_equal(px(&g.t, 1, 1, 0), 128);
    assert_int_equal(px(&g.t, 1, 1, 1), 255);
    assert_int_equal(px(&g.t, 1, 1, 2), 0);
    guarded_check_free(&g);
}

static void test_triangle_robustness(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 12, 9, 1);
    int fl = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE;
    /* degenerate: collinear, coincident, sliver between centres */
    tri(&g.t, vtx(1, 1, 0.5f, 0, 0, 0, 1), vtx(5, 5, 0.5f, 0, 0, 0, 1), vtx(9, 9, 0.5f, 0, 0, 0, 1),
        fl);
    tri(&g.t, vtx(3, 3, 0.5f, 0, 0, 0, 1), vtx(3, 3, 0.5f, 0, 0, 0, 1), vtx(3, 3, 0.5f, 0, 0, 0, 1),
        fl);
    tri(&g.t, vtx(0, 1.6f, 0.5f, 0, 0, 0, 1), vtx(12, 1.6f, 0.5f, 0, 0, 0, 1),
        vtx(6, 1.9f, 0.5f, 0, 0, 0, 1), fl);
    /* off screen on every side, and non-finite */
    tri(&g.t, vtx(-9, 1, 0.5f, 0, 0, 0, 1), vtx(-1, 1, 0.5f, 0, 0, 0, 1),
        vtx(-5, 8, 0.5f, 0, 0, 0, 1), fl);
    tri(&g.t, vtx(13, 1, 0.5f, 0, 0, 0, 1), vtx(30, 1, 0.5f, 0, 0, 0, 1),
        vtx(20, 8, 0.5f, 0, 0, 0, 1), fl);
    tri(&g.t, vtx(1, -30, 0.5f, 0, 0, 0, 1), vtx(9, -30, 0.5f, 0, 0, 0, 1),
        vtx(5, -0.6f, 0.5f, 0, 0, 0, 1), fl);
    tri(&g.t, vtx(1, 9.5f, 0.5f, 0, 0, 0, 1), vtx(9, 9.5f, 0.5f, 0, 0, 0, 1),
        vtx(5, 1e9f, 0.5f, 0, 0, 0, 1), fl);
    tri(&g.t, vtx(NAN, 1, 0.5f, 0, 0, 0, 1), vtx(9, 1, 0.5f, 0, 0, 0, 1),
        vtx(5, 8, 0.5f, 0, 0, 0, 1), fl);
    tri(&g.t, vtx(-INFINITY, -1, 0.5f, 0, 0, 0, 1), vtx(INFINITY, -1, 0.5f, 0, 0, 0, 1),
        vtx(5, INFINITY, 0.5f, 0, 0, 0, 1), fl);
    tri(&g.t, vtx(-1, -1, NAN, 0, 0, 0, 1), vtx(20, -1, 0.5f, 0, 0, 0, 1),
        vtx(-1, 20, 0.5f, 0, 0, 0, 1), fl);
    assert_int_equal(count_value(&g.t, 255), 12 * 9);
    for (int i = 0; i < 12 * 9; i++)
        assert_true(isinf(g.t.depth[i]));

    /* Huge vertices around the screen: the whole target, once. */
    tri(&g.t, half_black(-1e30f, -10), half_black(1e30f, -10), half_black(3, 1e30f), 0);
    assert_int_equal(count_value(&g.t, 128), 12 * 9);
    /* A square of side 2e7 split along a diagonal that passes through pixel
     * centres: both halves are clipped, and still no pixel twice. */
    raster_clear(&g.t, 255, 255, 255);
    RasterVertex s0 = half_black(-1e7f, -1e7f), s1 = half_black(1e7f, -1e7f),
                 s2 = half_black(1e7f, 1e7f), s3 = half_black(-1e7f, 1e7f);
    tri(&g.t, s0, s1, s2, 0);
    tri(&g.t, s2, s3, s0, 0);
    assert_int_equal(count_value(&g.t, 128), 12 * 9);
    /* Gouraud survives the clipping: z = 0.25 + x * 1e-9 is ~0.25 here. */
    raster_clear(&g.t, 255, 255, 255);
    tri(&g.t, vtx(-1e8f, -1e8f, 0.25f - 0.1f, 1, 0, 0, 1),
        vtx(1e8f, -1e8f, 0.25f + 0.1f, 1, 0, 0, 1), vtx(0, 1e8f, 0.25f, 1, 0, 0, 1), fl);
    assert_float_equal(depth_at(&g.t, 6, 4), 0.25f, 1e-5);
    assert_int_equal(px(&g.t, 6, 4, 1), 0);
    guarded_check_free(&g);
}

/* ---- lines, points, rings ----------------------------------------------- */

/* A black horizontal line at y = 10.25 from x = 4 to 28, 3 px wide, on
 * white: rows 9 and 10 are within 0.75 px of it (full), row 11's centre is
 * 1.25 px away (coverage 1.5 + 0.5 - 1.25 = 0.75 -> 63.75 -> 64), row 8's
 * 1.75 (0.25 -> 191.25 -> 191), rows 7 and 12 are 2.25+ away. */
static void test_line_coverage(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 32, 20, 0);
    RasterVertex a = vtx(4, 10.25f, 0, 0, 0, 0, 1), b = vtx(28, 10.25f, 0, 0, 0, 0, 1);
    raster_line(&g.t, a, b, 3.0f, 0);
    for (int x = 5; x < 27; x++) {
        assert_int_equal(px(&g.t, x, 9, 0), 0);
        assert_int_equal(px(&g.t, x, 10, 0), 0);
        assert_int_equal(px(&g.t, x, 11, 0), 64);
        assert_int_equal(px(&g.t, x, 8, 0), 191);
        assert_int_equal(px(&g.t, x, 7, 0), 255);
        assert_int_equal(px(&g.t, x, 12, 0), 255);
    }
    /* round cap: (3.5, 10.5) is 0.559 from (4, 10.25): full; (2.5, 10.5)
     * is sqrt(2.3125) = 1.52069 away: coverage 0.47931, 255 * 0.52069 =
     * 132.78 -> 133; (1.5, 10.5) is 2.51 away: untouched. */
    assert_int_equal(px(&g.t, 3, 10, 0), 0);
    assert_int_equal(px(&g.t, 2, 10, 0), 133);
    assert_int_equal(px(&g.t, 1, 10, 0), 255);
    assert_int_equal(px(&g.t, 30, 10, 0), 255);
    /* nothing but the capsule: 2 px above and below stay white */
    for (int x = 0; x < 32; x++)
        for (int y = 0; y < 20; y++)
            if (y < 8 || y > 11)
                assert_int_equal(px(&g.t, x, y, 0), 255);
    guarded_check_free(&g);

    /* RASTER_NO_AA: hard edge at 1.5 px: rows 9, 10, 11 in, row 8 out. */
    guarded_init(&g, 32, 20, 0);
    raster_line(&g.t, a, b, 3.0f, RASTER_NO_AA);
    assert_int_equal(px(&g.t, 16, 9, 0), 0);
    assert_int_equal(px(&g.t, 16, 11, 0), 0);
    assert_int_equal(px(&g.t, 16, 8, 0), 255);
    assert_int_equal(px(&g.t, 2, 10, 0), 255);
    assert_int_equal(count_value(&g.t, 0) + count_value(&g.t, 255), 32 * 20);
    guarded_check_free(&g);
}

/* Colour and z follow the nearest point's parameter s = (x + 0.5 - 4)/24. */
static void test_line_interpolation_depth(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 32, 20, 1);
    RasterVertex a = vtx(4, 10.25f, 0, 1, 0, 0, 1), b = vtx(28, 10.25f, 1, 0, 0, 1, 1);
    raster_line(&g.t, a, b, 3.0f, RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE);
    /* column 10: s = 6.5/24; red 255 (1 - s) = 185.94, blue 69.06 */
    assert_int_equal(px(&g.t, 10, 10, 0), 186);
    assert_int_equal(px(&g.t, 10, 10, 2), 69);
    assert_float_equal(depth_at(&g.t, 10, 10), 6.5f / 24, 1e-6);
    assert_float_equal(depth_at(&g.t, 10, 11), 6.5f / 24, 1e-6); /* coverage 0.75 */
    assert_true(isinf(depth_at(&g.t, 10, 8)));                   /* coverage 0.25 */
    guarded_check_free(&g);

    /* depth 0.5 everywhere: only columns with s < 0.5 (x <= 15) pass */
    guarded_init(&g, 32, 20, 1);
    for (int i = 0; i < 32 * 20; i++)
        g.t.depth[i] = 0.5f;
    raster_line(&g.t, a, b, 3.0f, RASTER_DEPTH_TEST);
    assert_int_equal(px(&g.t, 15, 10, 1), 0);
    assert_int_equal(px(&g.t, 16, 10, 1), 255);
    assert_int_equal(px(&g.t, 16, 10, 0), 255);
    assert_float_equal(depth_at(&g.t, 15, 10), 0.5f, 0);
    guarded_check_free(&g);
}

static void test_line_zero_length_and_thin(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 24, 24, 0);
    RasterVertex c = vtx(10.5f, 10.5f, 0, 0, 0, 0, 1);
    raster_line(&g.t, c, c, 4.0f, 0); /* a disc of radius 2 */
    assert_int_equal(px(&g.t, 10, 10, 0), 0);
    assert_int_equal(px(&g.t, 11, 10, 0), 0);   /* 1 px from the centre */
    assert_int_equal(px(&g.t, 12, 10, 0), 128); /* 2 px: coverage 0.5 */
    assert_int_equal(px(&g.t, 10, 12, 0), 128);
    assert_int_equal(px(&g.t, 13, 10, 0), 255); /* 3 px */
    /* A 0.5 px line is drawn 1 px wide at half alpha: a centre on it gets
     * coverage 1 * 0.5. */
    raster_clear(&g.t, 255, 255, 255);
    raster_line(&g.t, vtx(2, 20.5f, 0, 0, 0, 0, 1), vtx(20, 20.5f, 0, 0, 0, 0, 1), 0.5f, 0);
    assert_int_equal(px(&g.t, 10, 20, 0), 128);
    assert_int_equal(px(&g.t, 10, 19, 0), 255); /* 1 px away: coverage 0 */
    /* zero width, NaN: nothing */
    raster_line(&g.t, vtx(2, 5.5f, 0, 0, 0, 0, 1), vtx(20, 5.5f, 0, 0, 0, 0, 1), 0.0f, 0);
    raster_line(&g.t, vtx(NAN, 5.5f, 0, 0, 0, 0, 1), vtx(20, 5.5f, 0, 0, 0, 0, 1), 2.0f, 0);
    assert_int_equal(px(&g.t, 10, 5, 0), 255);
    guarded_check_free(&g);
}

static void test_line_robustness(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 16, 12, 1);
    int fl = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE;
    /* A diagonal through the screen with far-away ends. */
    raster_line(&g.t, vtx(-1e6f, -1e6f, 0, 0, 0, 0, 1), vtx(1e6f, 1e6f, 0, 0, 0, 0, 1), 2.0f, fl);
    assert_int_equal(px(&g.t, 5, 5, 0), 0);
    assert_int_equal(px(&g.t, 9, 3, 0), 255);
    raster_clear(&g.t, 255, 255, 255);
    raster_line(&g.t, vtx(-1e30f, 6.5f, 0, 0, 0, 0, 1), vtx(1e30f, 6.5f, 0, 0, 0, 0, 1), 1.0f, 0);
    assert_int_equal(px(&g.t, 0, 6, 0), 0);
    assert_int_equal(px(&g.t, 15, 6, 0), 0);
    assert_int_equal(px(&g.t, 15, 5, 0), 255);
    /* Off screen: nothing. */
    raster_clear(&g.t, 255, 255, 255);
    raster_line(&g.t, vtx(-50, -50, 0, 0, 0, 0, 1), vtx(-20, 60, 0, 0, 0, 0, 1), 9.0f, fl);
    raster_line(&g.t, vtx(30, 3, 0, 0, 0, 0, 1), vtx(30, 3, 0, 0, 0, 0, 1), 20.0f, 0);
    raster_point(&g.t, vtx(1e30f, 3, 0, 0, 0, 0, 1), 1e9f, 0);
    raster_ring(&g.t, vtx(8, 6, 0, 0, 0, 0, 1), 1e9f, 3.0f, 0);
    raster_ring(&g.t, vtx(8, 6, 0, 0, 0, 0, 1), 1.0f, NAN, 0);
    raster_point(&g.t, vtx(8, 6, 0, 0, 0, 0, 1), INFINITY, 0);
    raster_point(&g.t, vtx(8, NAN, 0, 0, 0, 0, 1), 3.0f, 0);
    assert_int_equal(count_value(&g.t, 255), 16 * 12);
    /* A disc far larger than the target covers all of it. */
    raster_point(&g.t, vtx(-1e20f, 3, 0, 0, 0, 0, 1), 1e30f, 0);
    assert_int_equal(count_value(&g.t, 0), 16 * 12);
    /* Ill-conditioned but legal: whatever is drawn stays inside. */
    raster_ring(&g.t, vtx(-1e20f, 3, 0, 0, 0, 0, 1), 1e20f, 3.0f, fl);
    raster_line(&g.t, vtx(-1e30f, -1e30f, 0, 0, 0, 0, 1), vtx(1e30f, 1e30f, 0, 0, 0, 0, 1), 3.0f,
                fl);
    guarded_check_free(&g);
}

/* A white disc of radius 5 on black: centre full, outside untouched, total
 * coverage pi r^2 (+ pi/12 from the symmetric 1 px ramp). */
static void test_point_coverage(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 32, 32, 0);
    raster_clear(&g.t, 0, 0, 0);
    raster_point(&g.t, vtx(16, 16, 0, 1, 1, 1, 1), 5.0f, 0);
    assert_int_equal(px(&g.t, 15, 15, 0), 255);
    assert_int_equal(px(&g.t, 16, 16, 0), 255);
    /* (20.5, 15.5) is sqrt(20.5) = 4.5277 away: 0.9723 * 255 = 247.93 */
    assert_int_equal(px(&g.t, 20, 15, 0), 248);
    /* (21.5, 16.5) is sqrt(30.5) = 5.5227 away: untouched */
    assert_int_equal(px(&g.t, 21, 16, 0), 0);
    double sum = 0;
    for (int i = 0; i < 32 * 32; i++)
        sum += g.t.rgb[i * 3] / 255.0;
    assert_float_equal(sum, 3.14159265 * 25 + 3.14159265 / 12, 0.5);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            double dx = x + 0.5 - 16, dy = y + 0.5 - 16;
            if (dx * dx + dy * dy >= 5.5 * 5.5)
                assert_int_equal(px(&g.t, x, y, 0), 0);
        }
    /* No AA: exactly the centres within 5. */
    raster_clear(&g.t, 0, 0, 0);
    raster_point(&g.t, vtx(16, 16, 0, 1, 1, 1, 1), 5.0f, RASTER_NO_AA);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            double dx = x + 0.5 - 16, dy = y + 0.5 - 16;
            assert_int_equal(px(&g.t, x, y, 0), dx * dx + dy * dy <= 25 ? 255 : 0);
        }
    guarded_check_free(&g);
}

static void test_ring_coverage(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 32, 32, 0);
    raster_clear(&g.t, 0, 0, 0);
    raster_ring(&g.t, vtx(16, 16, 0, 1, 1, 1, 1), 6.0f, 2.0f, 0);
    /* (22.5, 15.5): sqrt(42.5) = 6.5192, 0.5192 off the circle: coverage
     * 1 + 0.5 - 0.5192 = 0.9808 -> 250.1 -> 250 */
    assert_int_equal(px(&g.t, 22, 15, 0), 250);
    /* (21.5, 16.5): 5.5227 -> 0.4773 off -> full */
    assert_int_equal(px(&g.t, 21, 16, 0), 255);
    /* (23.5, 16.5): 7.5166 -> 1.5166 off -> 0 */
    assert_int_equal(px(&g.t, 23, 16, 0), 0);
    /* (19.5, 16.5): 3.5355 off by 2.46: inside the hole */
    assert_int_equal(px(&g.t, 19, 16, 0), 0);
    assert_int_equal(px(&g.t, 16, 16, 0), 0);
    assert_int_equal(px(&g.t, 15, 15, 0), 0);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            double d = fabs(hypot(x + 0.5 - 16, y + 0.5 - 16) - 6);
            if (d >= 1.5)
                assert_int_equal(px(&g.t, x, y, 0), 0);
            if (d <= 0.5)
                assert_int_equal(px(&g.t, x, y, 0), 255);
        }
    guarded_check_free(&g);
}

/* ---- 2D ----------------------------------------------------------------- */

static void test_fill_rect(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 10, 6, 0);
    raster_fill_rect(&g.t, 2.25f, 1, 6, 3, 0, 0, 0, 1);
    assert_int_equal(px(&g.t, 2, 1, 0), 64); /* 75%: 255 * 0.25 = 63.75 */
    assert_int_equal(px(&g.t, 3, 1, 0), 0);
    assert_int_equal(px(&g.t, 5, 2, 0), 0);
    assert_int_equal(px(&g.t, 1, 1, 0), 255);
    assert_int_equal(px(&g.t, 6, 1, 0), 255);
    assert_int_equal(px(&g.t, 3, 0, 0), 255);
    assert_int_equal(px(&g.t, 3, 3, 0), 255);
    /* A quarter pixel in each of two pixels, at alpha 0.5: 255 - 31.875 */
    raster_clear(&g.t, 255, 255, 255);
    raster_fill_rect(&g.t, 7.25f, 1.5f, 7.75f, 2.5f, 0, 0, 0, 0.5f);
    assert_int_equal(px(&g.t, 7, 1, 0), 223);
    assert_int_equal(px(&g.t, 7, 2, 0), 223);
    assert_int_equal(count_value(&g.t, 255), 58);
    /* clipped, inverted, NaN */
    raster_clear(&g.t, 255, 255, 255);
    raster_fill_rect(&g.t, -1e30f, -5, 1e30f, 0.5f, 1, 0, 0, 1);
    assert_int_equal(px(&g.t, 9, 0, 1), 128);
    assert_int_equal(px(&g.t, 0, 0, 0), 255);
    assert_int_equal(px(&g.t, 0, 1, 1), 255);
    raster_fill_rect(&g.t, 5, 5, 2, 2, 0, 0, 0, 1);
    raster_fill_rect(&g.t, NAN, 2, 8, 4, 0, 0, 0, 1);
    raster_fill_rect(&g.t, 20, 2, 30, 4, 0, 0, 0, 1);
    assert_int_equal(count_value(&g.t, 255), 60);
    /* Translucent over a varied background (the readout box): each pixel
     * is mixed with its own old value, floor(d + (s - d) * a + 0.5); the
     * half-covered last row at half the alpha. */
    for (int i = 0; i < 60; i++)
        for (int c = 0; c < 3; c++)
            g.t.rgb[3 * i + c] = (uint8_t)(4 * i + 10 * c);
    raster_fill_rect(&g.t, 0, 1, 10, 3.5f, 1, 0.5f, 0, 0.8f);
    assert_int_equal(px(&g.t, 4, 1, 0), 215); /* d 56: 56 + 199 * 0.8 = 215.2 */
    assert_int_equal(px(&g.t, 4, 1, 1), 115); /* d 66, s 127.5: 115.2 */
    assert_int_equal(px(&g.t, 4, 1, 2), 15);  /* d 76: 76 - 60.8 = 15.2 */
    assert_int_equal(px(&g.t, 0, 1, 0), 212); /* d 40: 212 */
    assert_int_equal(px(&g.t, 4, 3, 0), 184); /* d 136, a 0.4: 183.6 */
    assert_int_equal(px(&g.t, 4, 3, 2), 94);  /* d 156: 93.6 */
    assert_int_equal(px(&g.t, 4, 0, 0), 16);  /* rows 0 and 4 untouched */
    assert_int_equal(px(&g.t, 4, 4, 0), 176);
    guarded_check_free(&g);
}

static void test_blit_coverage(void **state) {
    (void)state;
    Guarded g;
    guarded_init(&g, 6, 4, 0);
    /* 3x2 mask, pitch 4, top-left at (-1, 1): its first column is clipped. */
    const uint8_t cov[8] = {9, 128, 255, 77, 9, 64, 0, 77};
    raster_blit_coverage(&g.t, -1, 1, cov, 3, 2, 4, 0, 0, 0, 1.0f);
    assert_int_equal(px(&g.t, 0, 1, 0), 127); /* 255 - 255 * 128/255 = 127 */
    assert_int_equal(px(&g.t, 1, 1, 0), 0);
    assert_int_equal(px(&g.t, 0, 2, 0), 191); /* 255 - 64 */
    assert_int_equal(px(&g.t, 1, 2, 0), 255);
    assert_int_equal(count_value(&g.t, 255), 24 - 3);
    /* alpha scales coverage; clipped at the bottom right */
    raster_clear(&g.t, 255, 255, 255);
    raster_blit_coverage(&g.t, 5, 3, cov + 1, 2, 2, 4, 0, 0, 0, 0.5f);
    assert_int_equal(px(&g.t, 5, 3, 0), 191); /* 255 - 255 * 0.5 * 128/255 = 191 */
    assert_int_equal(count_value(&g.t, 255), 23);
    raster_blit_coverage(&g.t, 6, 0, cov, 3, 2, 4, 0, 0, 0, 1.0f);
    raster_blit_coverage(&g.t, -3, 0, cov, 3, 2, 4, 0, 0, 0, 1.0f);
    raster_blit_coverage(&g.t, 0, -2, cov, 3, 2, 4, 0, 0, 0, 1.0f);
    raster_blit_coverage(&g.t, 2147483600, 2147483600, cov, 3, 2, 4, 0, 0, 0, 1.0f);
    assert_int_equal(count_value(&g.t, 255), 23);
    guarded_check_free(&g);
}

static void test_composite_layer(void **state) {
    (void)state;
    Guarded t, l;
    guarded_init(&t, 3, 1, 1);
    guarded_init(&l, 3, 1, 1);
    raster_clear(&l.t, 0, 0, 0);
    t.t.depth[0] = 0.5f, l.t.depth[0] = 0.3f; /* layer nearer: blended */
    t.t.depth[1] = 0.5f, l.t.depth[1] = 0.7f; /* farther: not */
    t.t.depth[2] = 0.5f, l.t.depth[2] = 0.5f; /* equal: not */
    raster_composite_layer(&t.t, &l.t, 0.5f);
    assert_int_equal(px(&t.t, 0, 0, 0), 128);
    assert_int_equal(px(&t.t, 1, 0, 0), 255);
    assert_int_equal(px(&t.t, 2, 0, 0), 255);
    assert_float_equal(t.t.depth[0], 0.5f, 0);
    raster_composite_layer(&t.t, &l.t, 0.25f);
    assert_int_equal(px(&t.t, 0, 0, 0), 96); /* 128 * 0.75 */
    guarded_check_free(&t);
    guarded_check_free(&l);
}

/* Columns [x0, x1) only: exactly the full composite's pixels there, and
 * the others untouched; ranges are clipped to the target. */
static void test_composite_layer_cols(void **state) {
    (void)state;
    Guarded t, l, full;
    guarded_init(&t, 6, 2, 1);
    guarded_init(&l, 6, 2, 1);
    guarded_init(&full, 6, 2, 1);
    for (int i = 0; i < 12; i++) {
        for (int c = 0; c < 3; c++) {
            l.t.rgb[3 * i + c] = (uint8_t)(20 * i + 7 * c);
            t.t.rgb[3 * i + c] = full.t.rgb[3 * i + c] = (uint8_t)(250 - 9 * i - c);
        }
        t.t.depth[i] = full.t.depth[i] = 0.5f;
        l.t.depth[i] = i % 5 == 3 ? 0.9f : 0.2f; /* pixels 3 and 8 behind */
    }
    raster_composite_layer(&full.t, &l.t, 0.6f);
    raster_composite_layer_cols(&t.t, &l.t, 0.6f, 2, 5);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 6; x++)
            for (int c = 0; c < 3; c++) {
                int i = y * 6 + x;
                int want = x >= 2 && x < 5 ? full.t.rgb[3 * i + c] : 250 - 9 * i - c;
                assert_int_equal(t.t.rgb[3 * i + c], want);
            }
    assert_int_not_equal(px(&t.t, 2, 0, 0), 250 - 2 * 9); /* blended */
    assert_int_equal(px(&t.t, 3, 0, 0), 250 - 3 * 9);     /* behind: not */
    /* clipped: [-4, 2) is [0, 2); [6, 9) and [4, 4) are empty */
    raster_composite_layer_cols(&t.t, &l.t, 0.6f, -4, 2);
    raster_composite_layer_cols(&t.t, &l.t, 0.6f, 6, 9);
    raster_composite_layer_cols(&t.t, &l.t, 0.6f, 4, 4);
    for (int i = 0; i < 12; i++)
        for (int c = 0; c < 3; c++)
            assert_int_equal(t.t.rgb[3 * i + c],
                             i % 6 < 5 ? full.t.rgb[3 * i + c] : 250 - 9 * i - c);
    guarded_check_free(&t);
    guarded_check_free(&l);
    guarded_check_free(&full);
}

static void test_resolve(void **state) {
    (void)state;
    Guarded s, d;
    guarded_init(&s, 4, 2, 0);
    guarded_init(&d, 2, 1, 0);
    const uint8_t src[2][4] = {{0, 0, 255, 254}, {0, 1, 254, 254}};
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++)
                s.t.rgb[(y * 4 + x) * 3 + c] = (uint8_t)(src[y][x] + (c == 1 && x < 2 ? 2 : 0));
    raster_resolve(&d.t, &s.t, 2);
    assert_int_equal(px(&d.t, 0, 0, 0), 0);   /* (1 + 2) / 4 */
    assert_int_equal(px(&d.t, 0, 0, 1), 2);   /* (9 + 2) / 4 */
    assert_int_equal(px(&d.t, 1, 0, 0), 254); /* (1017 + 2) / 4 */
    raster_resolve(&d.t, &s.t, 3);            /* sizes do not fit: untouched */
    raster_resolve(&d.t, &s.t, 0);
    assert_int_equal(px(&d.t, 1, 0, 0), 254);
    guarded_check_free(&s);
    guarded_check_free(&d);

    /* Every possible sum for every ss: (sum + n/2) / n. */
    for (int ss = 1; ss <= 4; ss++) {
        int n = ss * ss, w = 255 * n + 1;
        RasterTarget src_t, dst_t;
        assert_int_equal(raster_target_init(&src_t, w * ss, ss, 0), 0);
        assert_int_equal(raster_target_init(&dst_t, w, 1, 0), 0);
        for (int sum = 0; sum < w; sum++) {
            int left = sum;
            for (int j = 0; j < ss; j++)
                for (int i = 0; i < ss; i++) {
                    int v = left > 255 ? 255 : left;
                    left -= v;
                    for (int c = 0; c < 3; c++)
                        src_t.rgb[((size_t)j * (size_t)src_t.w + (size_t)(sum * ss + i)) * 3 +
                                  (size_t)c] = (uint8_t)v;
                }
        }
        raster_resolve(&dst_t, &src_t, ss);
        for (int sum = 0; sum < w; sum++)
            if (px(&dst_t, sum, 0, 0) != (sum + n / 2) / n ||
                px(&dst_t, sum, 0, 2) != px(&dst_t, sum, 0, 0))
                fail_msg("ss %d sum %d: %d", ss, sum, px(&dst_t, sum, 0, 0));
        raster_target_free(&src_t);
        raster_target_free(&dst_t);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_init_clear),
        cmocka_unit_test(test_clear_around),
        cmocka_unit_test(test_triangle_exact_pixels),
        cmocka_unit_test(test_shared_edge_once),
        cmocka_unit_test(test_mesh_fan_once),
        cmocka_unit_test(test_gouraud),
        cmocka_unit_test(test_depth_order),
        cmocka_unit_test(test_depth_flags),
        cmocka_unit_test(test_alpha_blend_exact),
        cmocka_unit_test(test_triangle_robustness),
        cmocka_unit_test(test_line_coverage),
        cmocka_unit_test(test_line_interpolation_depth),
        cmocka_unit_test(test_line_zero_length_and_thin),
        cmocka_unit_test(test_line_robustness),
        cmocka_unit_test(test_point_coverage),
        cmocka_unit_test(test_ring_coverage),
        cmocka_unit_test(test_fill_rect),
        cmocka_unit_test(test_blit_coverage),
        cmocka_unit_test(test_composite_layer),
        cmocka_unit_test(test_composite_layer_cols),
        cmocka_unit_test(test_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
