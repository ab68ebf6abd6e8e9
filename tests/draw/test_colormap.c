/*
 * test_colormap.c — colormap.c against matplotlib: entries of the published
 * viridis/plasma/inferno/magma tables, jet/coolwarm/gray/rainbow entries
 * recomputed here from their segment data and formulas, matplotlib's index
 * rule (floor(t * 256), no interpolation), clamping, NaN, names.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "draw/colormap.h"

#define TOL 1e-7

/* ---- helpers ------------------------------------------------------------ */

static void expect_rgb(ColormapKind k, double t, double r, double g, double b) {
    float c[3];
    colormap_eval(k, t, c);
    if (fabs(c[0] - r) > TOL || fabs(c[1] - g) > TOL || fabs(c[2] - b) > TOL)
        fail_msg("%s(%.9g) = (%.9f, %.9f, %.9f), want (%.9f, %.9f, %.9f)", colormap_name(k), t,
                 c[0], c[1], c[2], r, g, b);
}

/* t that falls in the middle of entry i. */
static double mid(int i) {
    return (i + 0.5) / 256.0;
}

/* Piecewise-linear channel through knots (x[k], y[k]), sampled at x. */
static double pwl(const double *x, const double *y, int n, double at) {
    for (int k = 1; k < n; k++)
        if (at <= x[k])
            return y[k - 1] + (y[k] - y[k - 1]) * (at - x[k - 1]) / (x[k] - x[k - 1]);
    return y[n - 1];
}

/* ---- tests -------------------------------------------------------------- */

/* Entries 0, 64, 128, 192, 255 of matplotlib's _cm_listed tables (t = 0,
 * 0.25, 0.5, 0.75, 1). */
static void test_listed_tables(void **state) {
    (void)state;
    expect_rgb(CMAP_VIRIDIS, 0.0, 0.267004, 0.004874, 0.329415);
    expect_rgb(CMAP_VIRIDIS, 0.25, 0.229739, 0.322361, 0.545706);
    expect_rgb(CMAP_VIRIDIS, 0.5, 0.127568, 0.566949, 0.550556);
    expect_rgb(CMAP_VIRIDIS, 0.75, 0.369214, 0.788888, 0.382914);
    expect_rgb(CMAP_VIRIDIS, 1.0, 0.993248, 0.906157, 0.143936);

    expect_rgb(CMAP_PLASMA, 0.0, 0.050383, 0.029803, 0.527975);
    expect_rgb(CMAP_PLASMA, 0.25, 0.494877, 0.011990, 0.657865);
    expect_rgb(CMAP_PLASMA, 0.5, 0.798216, 0.280197, 0.469538);
    expect_rgb(CMAP_PLASMA, 0.75, 0.973416, 0.585761, 0.251540);
    expect_rgb(CMAP_PLASMA, 1.0, 0.940015, 0.975158, 0.131326);

    expect_rgb(CMAP_INFERNO, 0.0, 0.001462, 0.000466, 0.013866);
    expect_rgb(CMAP_INFERNO, 0.25, 0.341500, 0.062325, 0.429425);
    expect_rgb(CMAP_INFERNO, 0.5, 0.735683, 0.215906, 0.330245);
    expect_rgb(CMAP_INFERNO, 0.75, 0.978422, 0.557937, 0.034931);
    expect_rgb(CMAP_INFERNO, 1.0, 0.988362, 0.998364, 0.644924);

    expect_rgb(CMAP_MAGMA, 0.0, 0.001462, 0.000466, 0.013866);
    expect_rgb(CMAP_MAGMA, 0.25, 0.316654, 0.071690, 0.485380);
    expect_rgb(CMAP_MAGMA, 0.5, 0.716387, 0.214982, 0.475290);
    expect_rgb(CMAP_MAGMA, 0.75, 0.986700, 0.535582, 0.382210);
    expect_rgb(CMAP_MAGMA, 1.0, 0.987053, 0.991438, 0.749504);
}

/* Colormap.__call__: index int(t * 256), no blending between entries. */
static void test_index_rule(void **state) {
    (void)state;
    expect_rgb(CMAP_VIRIDIS, 1.0 / 256 - 1e-9, 0.267004, 0.004874, 0.329415);
    expect_rgb(CMAP_VIRIDIS, 1.0 / 256, 0.268510, 0.009605, 0.335427);
    expect_rgb(CMAP_VIRIDIS, 0.5 + 0.9 / 256, 0.127568, 0.566949, 0.550556);
    expect_rgb(CMAP_VIRIDIS, 0.999, 0.993248, 0.906157, 0.143936);
    expect_rgb(CMAP_PLASMA, 1.0 / 256, 0.063536, 0.028426, 0.533124);
    expect_rgb(CMAP_MAGMA, 1.0 / 256, 0.002258, 0.001295, 0.018331);
    expect_rgb(CMAP_INFERNO, 1.0 / 256, 0.002267, 0.001270, 0.018570);
}

static void test_clamp_and_nan(void **state) {
    (void)state;
    for (int k = CMAP_RAINBOW; k <= CMAP_GRAY; k++) {
        float lo[3], hi[3], c[3];
        colormap_eval((ColormapKind)k, 0.0, lo);
        colormap_eval((ColormapKind)k, 1.0, hi);
        colormap_eval((ColormapKind)k, -3.0, c);
        assert_memory_equal(c, lo, sizeof c);
        colormap_eval((ColormapKind)k, -INFINITY, c);
        assert_memory_equal(c, lo, sizeof c);
        colormap_eval((ColormapKind)k, NAN, c);
        assert_memory_equal(c, lo, sizeof c);
        colormap_eval((ColormapKind)k, 7.5, c);
        assert_memory_equal(c, hi, sizeof c);
        colormap_eval((ColormapKind)k, INFINITY, c);
        assert_memory_equal(c, hi, sizeof c);
        colormap_eval((ColormapKind)k, 1e300, c);
        assert_memory_equal(c, hi, sizeof c);
    }
}

/* gray: entry i is i/255. */
static void test_gray(void **state) {
    (void)state;
    expect_rgb(CMAP_GRAY, 0.0, 0, 0, 0);
    expect_rgb(CMAP_GRAY, 0.5, 128 / 255.0, 128 / 255.0, 128 / 255.0);
    expect_rgb(CMAP_GRAY, 1.0, 1, 1, 1);
    for (int i = 0; i < 256; i++)
        expect_rgb(CMAP_GRAY, mid(i), i / 255.0, i / 255.0, i / 255.0);
}

/* rainbow: r = |2x - 0.5|, g = sin(pi x), b = cos(pi x / 2), clipped, at
 * x = i/255. */
static void test_rainbow(void **state) {
    (void)state;
    expect_rgb(CMAP_RAINBOW, 0.0, 0.5, 0.0, 1.0);
    expect_rgb(CMAP_RAINBOW, 0.25, 0.001960784, 0.709281308, 0.923289106);
    expect_rgb(CMAP_RAINBOW, 0.5, 0.503921569, 0.999981027, 0.704925547);
    expect_rgb(CMAP_RAINBOW, 1.0, 1.0, 0.0, 0.0);
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < 256; i++) {
        double x = i / 255.0;
        double r = fabs(2 * x - 0.5);
        expect_rgb(CMAP_RAINBOW, mid(i), r > 1 ? 1 : r, sin(pi * x), cos(pi * x / 2));
    }
}

/* jet from its segment data in _cm.py, entry i sampled at i/255. */
static void test_jet(void **state) {
    (void)state;
    expect_rgb(CMAP_JET, 0.0, 0.0, 0.0, 0.5);
    expect_rgb(CMAP_JET, 0.25, 0.0, 0.503921569, 1.0);
    expect_rgb(CMAP_JET, 0.5, 0.490196078, 1.0, 0.477545857);
    expect_rgb(CMAP_JET, 0.75, 1.0, 0.581699346, 0.0);
    expect_rgb(CMAP_JET, 1.0, 0.5, 0.0, 0.0);
    static const double rx[] = {0, 0.35, 0.66, 0.89, 1}, ry[] = {0, 0, 1, 1, 0.5};
    static const double gx[] = {0, 0.125, 0.375, 0.64, 0.91, 1}, gy[] = {0, 0, 1, 1, 0, 0};
    static const double bx[] = {0, 0.11, 0.34, 0.65, 1}, by[] = {0.5, 1, 1, 0, 0};
    for (int i = 0; i < 256; i++) {
        double x = i / 255.0;
        expect_rgb(CMAP_JET, mid(i), pwl(rx, ry, 5, x), pwl(gx, gy, 6, x), pwl(bx, by, 5, x));
    }
}

/* coolwarm: knots of _coolwarm_data at 0, 0.5, 1, and entries between. */
static void test_coolwarm(void **state) {
    (void)state;
    expect_rgb(CMAP_COOLWARM, 0.0, 0.2298057, 0.298717966, 0.753683153);
    expect_rgb(CMAP_COOLWARM, 1.0, 0.705673158, 0.01555616, 0.150232812);
    /* Entry 128 sits at x = 128/255, 1/15.9375 of the way from the knot at
     * 0.5 (0.865395197, 0.86541021, 0.865395561) to the knot at 0.53125
     * (0.897787179, 0.848937047, 0.820880546). */
    double f = (128 / 255.0 - 0.5) / 0.03125;
    expect_rgb(CMAP_COOLWARM, 0.5, 0.865395197 + f * (0.897787179 - 0.865395197),
               0.86541021 + f * (0.848937047 - 0.86541021),
               0.865395561 + f * (0.820880546 - 0.865395561));
    expect_rgb(CMAP_COOLWARM, 0.5, 0.867427635, 0.864376600, 0.862602462);
    expect_rgb(CMAP_COOLWARM, 0.25, 0.554311870, 0.690097011, 0.995515548);
    expect_rgb(CMAP_COOLWARM, 0.75, 0.956653211, 0.598033823, 0.477302292);
}

static void test_fill_lut(void **state) {
    (void)state;
    for (int k = CMAP_RAINBOW; k <= CMAP_GRAY; k++) {
        float lut[256][3];
        colormap_fill_lut((ColormapKind)k, lut);
        for (int i = 0; i < 256; i++) {
            float c[3];
            colormap_eval((ColormapKind)k, mid(i), c);
            assert_memory_equal(c, lut[i], sizeof c);
        }
    }
}

static void test_names(void **state) {
    (void)state;
    static const char *const names[] = {"rainbow", "viridis",  "plasma", "inferno",
                                        "magma",   "coolwarm", "jet",    "gray"};
    assert_int_equal(CMAP_RAINBOW, 0);
    for (int k = 0; k < 8; k++) {
        assert_string_equal(colormap_name((ColormapKind)k), names[k]);
        assert_int_equal(colormap_parse(names[k]), k);
    }
    assert_int_equal(colormap_parse("Viridis"), -1);
    assert_int_equal(colormap_parse("grey"), -1);
    assert_int_equal(colormap_parse(""), -1);
    assert_int_equal(colormap_parse(NULL), -1);
    assert_string_equal(colormap_name((ColormapKind)42), "?");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listed_tables), cmocka_unit_test(test_index_rule),
        cmocka_unit_test(test_clamp_and_nan), cmocka_unit_test(test_gray),
        cmocka_unit_test(test_rainbow),       cmocka_unit_test(test_jet),
        cmocka_unit_test(test_coolwarm),      cmocka_unit_test(test_fill_lut),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
