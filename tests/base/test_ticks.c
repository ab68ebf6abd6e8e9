/*
 * test_ticks.c — tick spacing and labels: round steps, the box axes' rule,
 * the panels' rule with 1-2-5 decades, and degenerate ranges.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "base/ticks.h"
#include "testutil.h"

static void test_nice_step(void **state) {
    (void)state;
    assert_near(ticks_nice_step(10, 5), 2, 0);      /* raw 2 */
    assert_near(ticks_nice_step(7, 5), 1, 0);       /* raw 1.4 -> 1 */
    assert_near(ticks_nice_step(12, 5), 2, 0);      /* raw 2.4 -> 2 */
    assert_near(ticks_nice_step(20, 5), 5, 0);      /* raw 4 -> 5 */
    assert_near(ticks_nice_step(40, 5), 10, 0);     /* raw 8 -> 10 */
    assert_near(ticks_nice_step(0.03, 3), 0.01, 0); /* raw 0.01 */
}

static void test_fill(void **state) {
    (void)state;
    Ticks t;
    ticks_fill(&t, -1.3, 2.1, 0.5, 0, TICKS_MAX);
    assert_int_equal(t.n, 7); /* -1, -0.5, 0, 0.5, 1, 1.5, 2 */
    assert_near(t.v[0], -1, 0);
    assert_near(t.v[2], 0, 0);
    assert_string_equal(t.label[2], "0");
    assert_string_equal(t.label[3], "0.5");
    assert_string_equal(t.label[6], "2");
    assert_near(t.lo, -1.3, 0);
    /* At most max, and decades labelled 1eK. */
    ticks_fill(&t, -6, 1, 1, 1, 3);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.label[0], "1e-6");
    assert_string_equal(t.label[2], "1e-4");
    /* 0.1 * 3 is not 0.3 in binary; the tick is still labelled 0.3. */
    ticks_fill(&t, 0, 0.5, 0.1, 0, TICKS_MAX);
    assert_int_equal(t.n, 6);
    assert_string_equal(t.label[3], "0.3");
}

static void test_make(void **state) {
    (void)state;
    Ticks t;
    ticks_make(&t, 0, 40, 4, 0); /* step 10 */
    assert_int_equal(t.n, 5);
    assert_string_equal(t.label[4], "40");
    /* One and a half decades: 1, 2 and 5 times each. */
    ticks_make(&t, -2, -0.5, 8, 1);
    assert_int_equal(t.n, 5); /* 1e-2 2e-2 5e-2 1e-1 2e-1 */
    assert_string_equal(t.label[0], "1e-2");
    assert_string_equal(t.label[2], "5e-2");
    assert_near(t.v[1], -2 + log10(2), 1e-15);
    /* Too crowded for 1-2-5 with a target of 2: whole decades. */
    ticks_make(&t, -2, 0, 2, 1);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.label[1], "1e-1");
    /* Empty and non-finite ranges get no ticks. */
    ticks_make(&t, 1, 1, 5, 0);
    assert_int_equal(t.n, 0);
    ticks_make(&t, 0, INFINITY, 5, 0);
    assert_int_equal(t.n, 0);
}

/* Degenerate spans and steps: every call returns, with a positive finite
 * step and ticks that increase. */
static void test_degenerate(void **state) {
    (void)state;
    const double spans[] = {0, -1, 5e-324, 1e-310, 1e-300, 1e300, 1.7e308, INFINITY, NAN};
    for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
        double s = ticks_nice_step(spans[i], 5);
        assert_true(s > 0 && isfinite(s));
    }
    assert_near(ticks_nice_step(0, 5), 1, 0);
    assert_near(ticks_nice_step(NAN, 5), 1, 0);
    assert_near(ticks_nice_step(10, 0), 1, 0);
    assert_near(ticks_nice_step(5e-324, 5), 1e-300, 1e-315);
    assert_near(ticks_nice_step(INFINITY, 5), 1e307, 0);

    Ticks t;
    /* The contour panel's hang: [0, 5e-324] gave a step of 0. */
    ticks_make(&t, 0, 5e-324, 5, 0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.label[0], "0");
    ticks_make(&t, 0, 5e-324, 5, 1);
    assert_int_equal(t.n, 1);
    /* Steps of 0, denormal, NaN, infinite or negative. */
    const double steps[] = {0, 5e-324, NAN, INFINITY, -1};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        ticks_fill(&t, -1, 1, steps[i], 0, TICKS_MAX);
        assert_true(t.n <= 1);
    }
    ticks_fill(&t, 0, 1, 0.5, 0, TICKS_MAX);
    assert_int_equal(t.n, 3);
    /* A step below the values' precision stops at one tick. */
    ticks_fill(&t, 1e9, 1e9 + 1e-3, 1e-12, 0, TICKS_MAX);
    assert_int_equal(t.n, 1);
    /* Huge ranges: wider than a double holds gets none; up to it, ticks. */
    ticks_make(&t, -1.7e308, 1.7e308, 5, 0);
    assert_int_equal(t.n, 0);
    ticks_make(&t, -1e300, 1e300, 5, 0);
    assert_true(t.n >= 3);
    assert_string_equal(t.label[0], "-1e+300");
    ticks_make(&t, 1e307, 1.7e308, 5, 0);
    assert_true(t.n >= 3);
    for (int i = 1; i < t.n; i++)
        assert_true(t.v[i] > t.v[i - 1]);
    /* A log axis of huge or tiny decades. */
    ticks_make(&t, 3e9, 3e9 + 1.5, 5, 1);
    assert_true(t.n <= 2);
    ticks_fill(&t, -1e300, 1e300, 1e299, 1, TICKS_MAX);
    assert_string_equal(t.label[0], "1e-999999");
    /* Non-finite ends. */
    ticks_fill(&t, NAN, 1, 0.1, 0, TICKS_MAX);
    assert_int_equal(t.n, 0);
    ticks_make(&t, -INFINITY, 0, 5, 1);
    assert_int_equal(t.n, 0);
}

/* A narrow range far from zero gets enough digits to tell ticks apart. */
static void test_labels_distinct(void **state) {
    (void)state;
    Ticks t;
    ticks_make(&t, 1e9, 1e9 + 1, 5, 0);
    assert_true(t.n >= 3);
    assert_string_equal(t.label[0], "1000000000");
    assert_string_equal(t.label[1], "1000000000.2");
    ticks_make(&t, 1.2, 1.2000001, 4, 0);
    assert_true(t.n >= 2);
    for (int i = 1; i < t.n; i++)
        assert_string_not_equal(t.label[i], t.label[i - 1]);
    /* Six digits when they do: the labels of ordinary axes are unchanged. */
    ticks_fill(&t, 0, 0.5, 0.1, 0, TICKS_MAX);
    assert_string_equal(t.label[3], "0.3");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_step),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_make),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_labels_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
