/*
 * test_num.c — double to int conversions defined for every input.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "base/num.h"

static void test_clamp_int(void **state) {
    (void)state;
    assert_int_equal(num_clamp_int(3.9, 0, 10), 3);
    assert_int_equal(num_clamp_int(-3.9, -10, 10), -3);
    assert_int_equal(num_clamp_int(2.5e9, 1, 64), 64);
    assert_int_equal(num_clamp_int(-2.5e9, 1, 64), 1);
    assert_int_equal(num_clamp_int(NAN, 1, 64), 1);
    assert_int_equal(num_clamp_int(INFINITY, INT_MIN, INT_MAX), INT_MAX);
    assert_int_equal(num_clamp_int(-INFINITY, INT_MIN, INT_MAX), INT_MIN);
    assert_int_equal(num_clamp_int(1e300, INT_MIN, INT_MAX), INT_MAX);
    assert_int_equal(num_clamp_int(0.0, 5, 5), 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clamp_int),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
