/*
 * test_timeline.c — which time and step each frame shows: the pacing curve
 * and the hold.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "testutil.h"
#include "view/timeline.h"

static void test_timeline_pacing(void **state) {
    (void)state;
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.video.fps = 30;
    cfg.video.duration = 10;
    cfg.video.hold = 2;
    assert_near(timeline_time(&cfg, 45), 1.5, 1e-15);
    assert_near(timeline_step(&cfg, 400, 0), 0, 0);
    assert_near(timeline_step(&cfg, 400, 10), 400, 0);
    assert_near(timeline_step(&cfg, 400, 11.5), 400, 0); /* the hold */
    assert_near(timeline_step(&cfg, 400, 5), 400 * (exp(1.5) - 1) / (exp(3) - 1), 1e-12);
    /* the first 5% of the steps get more than a fifth of the time */
    assert_true(timeline_step(&cfg, 400, 2.0) < 20);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline_pacing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
