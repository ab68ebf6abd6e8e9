/*
 * test_geom.c — the segment clipper: exact parameters for segments that
 * cross, touch, miss or run along the box, in 2 and 3 dimensions.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "base/geom.h"
#include "testutil.h"

static const double LO2[2] = {0, 0}, HI2[2] = {10, 10};

static void test_crossing(void **state) {
    (void)state;
    /* From (-5, 5) to (15, 5): enters at x = 0 (t = 1/4), leaves at x = 10
     * (t = 3/4). */
    double a[2] = {-5, 5}, b[2] = {15, 5}, t0, t1;
    assert_int_equal(geom_clip_segment(2, a, b, LO2, HI2, 0, &t0, &t1), 1);
    assert_near(t0, 0.25, 0);
    assert_near(t1, 0.75, 0);
    /* A diagonal through a corner region: (-10, 0) -> (10, 20) is inside
     * for x in [0, 10] and y in [0, 10], i.e. t in [0.5, 0.5]. */
    double c[2] = {-10, 0}, d[2] = {10, 20};
    assert_int_equal(geom_clip_segment(2, c, d, LO2, HI2, 0, &t0, &t1), 1);
    assert_near(t0, 0.5, 0);
    assert_near(t1, 0.5, 0);
}

static void test_inside_and_missing(void **state) {
    (void)state;
    double t0, t1;
    double a[2] = {1, 1}, b[2] = {9, 2};
    assert_int_equal(geom_clip_segment(2, a, b, LO2, HI2, 0, &t0, &t1), 1);
    assert_near(t0, 0, 0);
    assert_near(t1, 1, 0);
    double c[2] = {11, -5}, d[2] = {20, 30}; /* entirely right of the box */
    assert_int_equal(geom_clip_segment(2, c, d, LO2, HI2, 0, &t0, &t1), 0);
    double e[2] = {-1, 5}, f[2] = {-1, 8}; /* along x = -1: outside */
    assert_int_equal(geom_clip_segment(2, e, f, LO2, HI2, 0, &t0, &t1), 0);
    /* ... but within a tolerance of 1 it counts as on the edge. */
    assert_int_equal(geom_clip_segment(2, e, f, LO2, HI2, 1, &t0, &t1), 1);
    double g[2] = {5, NAN}, h[2] = {5, 5};
    assert_int_equal(geom_clip_segment(2, g, h, LO2, HI2, 0, &t0, &t1), 0);
}

static void test_three_dims(void **state) {
    (void)state;
    const double lo[3] = {-1, -1, -0.5}, hi[3] = {1, 1, 0.5};
    /* Straight down through the box from z = 1.5 to z = -1.5: inside for
     * z in [-0.5, 0.5], t in [1/3, 2/3]. */
    double a[3] = {0.2, 0.3, 1.5}, b[3] = {0.2, 0.3, -1.5}, t0, t1;
    assert_int_equal(geom_clip_segment(3, a, b, lo, hi, 1e-9, &t0, &t1), 1);
    assert_near(t0, 1.0 / 3, 1e-15);
    assert_near(t1, 2.0 / 3, 1e-15);
}

/* A diamond |x| + |y| <= 1 (given with an inner point and a repeat, in
 * no order) against rectangles near its corner x + y = 1. */
static void test_hull_against_rect(void **state) {
    (void)state;
    const double d[] = {0, 1, 0.2, 0.1, -1, 0, 1, 0, 0, -1, 1, 0};
    const int n = 6;
    assert_int_equal(geom_hull_hits_rect(d, n, (Rect){0.6, 0.6, 1, 1}), 0); /* past the edge */
    assert_int_equal(geom_hull_hits_rect(d, n, (Rect){0.4, 0.4, 1, 1}), 1); /* over it */
    assert_int_equal(geom_hull_hits_rect(d, n, (Rect){0.5, 0.5, 1, 1}), 0); /* touching */
    assert_int_equal(geom_hull_hits_rect(d, n, (Rect){2, -3, 1, 6}), 0);    /* beside */
    assert_int_equal(geom_hull_hits_rect(d, n, (Rect){-2, -2, 4, 4}), 1);   /* around it */
    assert_int_equal(geom_hull_hits_rect(d, n, (Rect){-0.1, -0.1, 0.2, 0.2}), 1); /* inside */
    /* Screen corners (y down), a box in the top left corner of a view. */
    const double box[] = {100, 40, 160, 100, 100, 160, 40, 100};
    assert_int_equal(geom_hull_hits_rect(box, 4, (Rect){0, 0, 60, 60}), 0);
    assert_int_equal(geom_hull_hits_rect(box, 4, (Rect){0, 0, 80, 80}), 1);
    assert_int_equal(geom_hull_hits_rect(box, 0, (Rect){0, 0, 80, 80}), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossing),
        cmocka_unit_test(test_inside_and_missing),
        cmocka_unit_test(test_three_dims),
        cmocka_unit_test(test_hull_against_rect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
