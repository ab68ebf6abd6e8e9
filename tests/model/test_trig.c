/*
 * test_trig.c — gdrender's own sin and cos: within one unit in the last
 * place of the true value (long double's sinl and cosl as the reference),
 * the vector loops bit for bit equal to the scalar functions, and the
 * special values: zeros, NaN, infinities, huge arguments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/trig.h"

static uint64_t next_u64(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* |got - ref| in units in the last place of the double nearest ref. */
static double ulps(double got, long double ref) {
    double r = fabs((double)ref);
    double u = r > 0 ? nextafter(r, INFINITY) - r : 0x1p-1074;
    return (double)(fabsl((long double)got - ref) / u);
}

static void same_bits(double a, double b, const char *what, double x) {
    if (memcmp(&a, &b, sizeof a) != 0)
        fail_msg("%s(%a): %a != %a", what, x, a, b);
}

enum { N = 1 << 16 };

static void test_accuracy(void **state) {
    (void)state;
    static double x[N], s[N], c[N], s2[N], c2[N];
    static const double ranges[] = {1e-3, 0.8, 3.2, 10, 1e3, 1.5e6};
    uint64_t seed = 42;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (int i = 0; i < N; i++)
            x[i] = ranges[r] * (2.0 * (double)(next_u64(&seed) >> 11) * 0x1p-53 - 1.0);
        trig_sin_many(x, s, N);
        trig_cos_many(x, c, N);
        trig_sincos_many(x, s2, c2, N);
        double worst = 0;
        for (int i = 0; i < N; i++) {
            worst = fmax(worst, ulps(s[i], sinl(x[i])));
            worst = fmax(worst, ulps(c[i], cosl(x[i])));
            same_bits(trig_sin(x[i]), s[i], "sin", x[i]);
            same_bits(trig_cos(x[i]), c[i], "cos", x[i]);
            same_bits(s2[i], s[i], "sincos sin", x[i]);
            same_bits(c2[i], c[i], "sincos cos", x[i]);
        }
        if (worst >= 1.0)
            fail_msg("|x| <= %g: an error of %.3f ulp", ranges[r], worst);
    }
}

/* Near the multiples of pi/2, where the reduction cancels most. */
static void test_near_multiples_of_half_pi(void **state) {
    (void)state;
    for (int k = -2000; k <= 2000; k++) {
        double m = k * 1.5707963267948966;
        double x = m;
        for (int step = 0; step < 8; step++, x = nextafter(x, INFINITY)) {
            if (ulps(trig_sin(x), sinl(x)) >= 1.0 || ulps(trig_cos(x), cosl(x)) >= 1.0)
                fail_msg("x = %a (k = %d): sin %a (%.3f ulp), cos %a (%.3f ulp)", x, k, trig_sin(x),
                         ulps(trig_sin(x), sinl(x)), trig_cos(x), ulps(trig_cos(x), cosl(x)));
        }
    }
}

static void test_special_values(void **state) {
    (void)state;
    assert_true(trig_sin(0.0) == 0.0 && !signbit(trig_sin(0.0)));
    assert_true(trig_sin(-0.0) == 0.0 && signbit(trig_sin(-0.0)));
    assert_true(trig_cos(0.0) == 1.0 && trig_cos(-0.0) == 1.0);
    assert_true(trig_sin(0x1p-1074) == 0x1p-1074);
    assert_true(trig_sin(1e-30) == 1e-30);
    assert_true(isnan(trig_sin(NAN)) && isnan(trig_cos(NAN)));
    assert_true(isnan(trig_sin(INFINITY)) && isnan(trig_cos(-INFINITY)));
    /* Beyond the reduction's limit: libm. */
    assert_true(trig_sin(1e300) == sin(1e300));
    assert_true(trig_cos(-1e7) == cos(-1e7));
    /* Odd and even. */
    uint64_t seed = 7;
    for (int i = 0; i < 10000; i++) {
        double x = 100.0 * (double)(next_u64(&seed) >> 11) * 0x1p-53;
        assert_true(trig_sin(-x) == -trig_sin(x));
        assert_true(trig_cos(-x) == trig_cos(x));
    }
    /* The loops take the same special values, huge ones among ordinary
     * ones included. */
    double x[6] = {-0.0, NAN, INFINITY, 1e300, 2.0, -1e7}, s[6], c[6], s2[6], c2[6];
    trig_sin_many(x, s, 6);
    trig_cos_many(x, c, 6);
    trig_sincos_many(x, s2, c2, 6);
    for (int i = 0; i < 6; i++) {
        double a = trig_sin(x[i]), b = trig_cos(x[i]);
        assert_true((isnan(a) && isnan(s[i]) && isnan(s2[i])) ||
                    (memcmp(&a, &s[i], 8) == 0 && memcmp(&a, &s2[i], 8) == 0));
        assert_true((isnan(b) && isnan(c[i]) && isnan(c2[i])) ||
                    (memcmp(&b, &c[i], 8) == 0 && memcmp(&b, &c2[i], 8) == 0));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_near_multiples_of_half_pi),
        cmocka_unit_test(test_special_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
