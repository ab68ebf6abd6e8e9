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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_step),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_make),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
