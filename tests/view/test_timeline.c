/*
 * test_timeline.c — which time and step each frame shows: the default
 * pacing (the first steps slow enough to follow, all steps in the
 * duration), [timeline] keys with pauses, and the moments drawn: the ball
 * always at an iterate or on the step between two, whole iterates once the
 * clock passes one per frame, and the period-2 bounce of
 * configs/lr_too_large.ini shown as a bounce in every frame.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "sim/sim.h"
#include "testutil.h"
#include "view/timeline.h"

static Config plain(int fps, double duration, double hold) {
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.video.fps = fps;
    cfg.video.duration = duration;
    cfg.video.hold = hold;
    return cfg;
}

static void test_default_pacing(void **state) {
    (void)state;
    Config cfg = plain(30, 10, 2);
    assert_near(timeline_time(&cfg, 45), 1.5, 1e-15);
    assert_near(timeline_step(&cfg, 400, 0), 0, 0);
    assert_near(timeline_step(&cfg, 400, 10), 400, 0);
    assert_near(timeline_step(&cfg, 400, 11.5), 400, 0); /* the hold */
    /* The first step takes TIMELINE_FIRST_STEP_S (to within the
     * exponential's curvature), and the clock only ever moves forward. */
    double first = timeline_step(&cfg, 400, TIMELINE_FIRST_STEP_S);
    assert_true(first > 1.0 && first < 1.12);
    double prev = 0;
    for (int f = 1; f <= 300; f++) {
        double s = timeline_step(&cfg, 400, f / 30.0);
        assert_true(s > prev);
        prev = s;
    }
    assert_near(prev, 400, 1e-6);
    /* Few steps: linear, never faster than one step per 0.4 s. */
    assert_near(timeline_step(&cfg, 20, 5), 10, 1e-12);
}

static void test_keys(void **state) {
    (void)state;
    Config cfg = plain(10, 10, 0);
    cfg.timeline.nkeys = 4;
    cfg.timeline.ease = EASE_LINEAR;
    cfg.timeline.keys[0] = (TimelineKey){1, 2};
    cfg.timeline.keys[1] = (TimelineKey){3, 6};
    cfg.timeline.keys[2] = (TimelineKey){5, 6}; /* a pause at step 6 */
    cfg.timeline.keys[3] = (TimelineKey){6, 12.25};
    assert_near(timeline_step(&cfg, 20, 0), 2, 0); /* before the first key */
    assert_near(timeline_step(&cfg, 20, 2), 4, 1e-12);
    assert_near(timeline_step(&cfg, 20, 4), 6, 0);
    assert_near(timeline_step(&cfg, 20, 9), 12.25, 0); /* after the last */
    TimelineMoment m;
    timeline_moment(&cfg, 20, 45, &m); /* t = 4.5: in the pause */
    assert_near(m.step, 6, 0);
    assert_near(m.rate, 0, 0);
    timeline_moment(&cfg, 20, 80, &m); /* keys may end on a fraction */
    assert_near(m.step, 12.25, 0);
    cfg.timeline.ease = EASE_SMOOTH; /* smoothstep(0.25) = 0.15625 */
    assert_near(timeline_step(&cfg, 20, 1.5), 2 + 4 * 0.15625, 1e-12);
}

static void test_slow_steps_dwell_then_hop(void **state) {
    (void)state;
    Config cfg = plain(30, 10, 2);
    TimelineMoment m;
    for (int f = 0; f < 30; f++) {
        timeline_moment(&cfg, 400, f, &m);
        double c = timeline_step(&cfg, 400, f / 30.0), k = floor(c);
        /* Between iterate k and k + 1, resting at k for the first part. */
        assert_true(m.step >= k && m.step <= k + 1);
        if (c - k <= TIMELINE_DWELL)
            assert_near(m.step, k, 0);
        assert_true(m.recent >= floor(m.step) - 1); /* no afterimages yet */
    }
}

/* The period-2 bounce of the main job, frame by frame. */
static void test_period_two_over_every_frame(void **state) {
    (void)state;
    Config cfg;
    GdError err;
    if (config_load("configs/lr_too_large.ini", NULL, 0, &cfg, &err) != 0)
        fail_msg("%s", err.msg);
    Trajectory t;
    assert_int_equal(sim_run(&cfg, &cfg.runs[0], &t, &err), 0);
    const int np = t.nparams, S = t.nrows - 1;
    /* b alternates between two values: iterates of one parity sit at one
     * end of the chord, the others at the other end. */
    const double *p = t.params;
    assert_true(fabs(p[(size_t)(S - 1) * np + 1] - p[(size_t)S * np + 1]) > 2);
    int frames = config_frame_count(&cfg), bounced = 0, checked = 0;
    double last = -1;
    for (int f = 0; f < frames; f++) {
        TimelineMoment m;
        timeline_moment(&cfg, S, f, &m);
        assert_true(m.step >= last); /* never backwards */
        last = m.step;
        int k = (int)floor(m.step);
        /* At an iterate, or on the straight step from k to k + 1. */
        assert_true(m.step - k < 1);
        if (m.rate >= TIMELINE_SNAP_RATE)
            assert_near(m.step, k, 0);
        /* Faster still, the ball keeps to one phase of the bounce (even
         * iterates, b = 4), so the readout does not flip at random. */
        if (m.rate >= TIMELINE_PHASE_RATE && k < S)
            assert_int_equal(k % 2, 0);
        /* Once the clock passes iterates faster than the eye can follow
         * them one by one (and through the hold after that), every frame
         * lights both ends: the ball and its afterimages include an even
         * and an odd iterate. */
        if (m.rate >= TIMELINE_AFTERIMAGE_RATE)
            bounced = 1;
        else if (!(bounced && m.rate == 0))
            continue;
        checked++;
        int even = 0, odd = 0;
        double hop = m.step - k;
        for (int i = (int)m.recent + 1; i <= k + (hop > 0); i++) {
            if (i < 1)
                continue;
            even |= i % 2 == 0;
            odd |= i % 2 == 1;
        }
        if (!(even && odd))
            fail_msg("frame %d: step %g, lit from %g: one end of the bounce only", f, m.step,
                     m.recent);
    }
    assert_true(checked > frames / 2); /* most of the video is fast or held */
    trajectory_free(&t);
    config_free(&cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_pacing),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_slow_steps_dwell_then_hop),
        cmocka_unit_test(test_period_two_over_every_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
