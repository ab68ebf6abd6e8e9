/*
 * test_segment.c — frame ranges and the join's plan (src/output/segment.c):
 * every frame in exactly one of N segments for N = 1..64 against many frame
 * counts, the --segment and --frames arguments, the tags, and each way a
 * set of segments can fail to be one video, with its exact message.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/segment.h"

static void test_range_every_frame_once(void **state) {
    (void)state;
    const int counts[] = {1, 2, 3, 7, 10, 63, 64, 65, 100, 127, 360, 1000, 7919, 86400, INT_MAX};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        const int f = counts[c];
        for (int n = 1; n <= 64; n++) {
            int next = 0, smallest = INT_MAX, largest = 0;
            for (int k = 0; k < n; k++) {
                FrameRange r = segment_range(f, k, n);
                assert_int_equal(r.first, next); /* contiguous: no gap, no overlap */
                assert_true(r.end >= r.first);
                int len = r.end - r.first;
                smallest = len < smallest ? len : smallest;
                largest = len > largest ? len : largest;
                if (n <= f)
                    assert_true(len > 0); /* empty only with more segments than frames */
                next = r.end;
            }
            assert_int_equal(next, f); /* the last one ends at the last frame */
            assert_true(largest - smallest <= 1);
        }
    }
    FrameRange r = segment_range(360, 3, 4);
    assert_int_equal(r.first, 270);
    assert_int_equal(r.end, 360);
    r = segment_range(10, 1, 4); /* 2, 3, 2, 3 */
    assert_int_equal(r.first, 2);
    assert_int_equal(r.end, 5);
    r = segment_range(10, 4, 4); /* out of range: empty */
    assert_int_equal(r.end - r.first, 0);
}

static void test_parse_index(void **state) {
    (void)state;
    GdError err;
    int k = -1, n = -1;
    assert_int_equal(segment_parse_index("3/8", &k, &n, &err), GD_OK);
    assert_int_equal(k, 3);
    assert_int_equal(n, 8);
    assert_int_equal(segment_parse_index("0/1", &k, &n, &err), GD_OK);
    assert_int_equal(segment_parse_index("99999/100000", &k, &n, &err), GD_OK);
    const char *bad[] = {"",     "1",    "1/",  "/2",    "2/2",      "-1/2",         "a/b",
                         "1/2x", " 1/2", "0/0", "1/2/3", "0/100001", "0/99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gd_error_clear(&err);
        assert_int_equal(segment_parse_index(bad[i], &k, &n, &err), GD_ERR_INPUT);
    }
    segment_parse_index("4/4", &k, &n, &err);
    assert_string_equal(
        err.msg, "--segment: expected K/N with 0 <= K < N <= 100000 (e.g. 3/8), got \"4/4\"");
}

static void test_parse_frames(void **state) {
    (void)state;
    GdError err;
    FrameRange r;
    assert_int_equal(segment_parse_frames("0:90", &r, &err), GD_OK);
    assert_int_equal(r.first, 0);
    assert_int_equal(r.end, 90);
    assert_int_equal(segment_parse_frames("5:5", &r, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "--frames 5:5: the range is empty (A must be less than B)");
    assert_int_equal(segment_parse_frames("9:3", &r, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "--frames 9:3: the range is empty (A must be less than B)");
    const char *bad[] = {"", "1", "1:", ":2", "a:b", "1:2:3", "-1:2", "1-2", "1:2 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(segment_parse_frames(bad[i], &r, &err), GD_ERR_INPUT);
    segment_parse_frames("x", &r, &err);
    assert_string_equal(err.msg,
                        "--frames: expected A:B, the frames A <= f < B (e.g. 0:90), got \"x\"");
}

static void test_resolve(void **state) {
    (void)state;
    GdError err;
    FrameRange r, frames = {10, 500};
    assert_int_equal(segment_resolve(360, 0, 0, &frames, &r, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "--frames 10:500: the video has 360 frames (0..359)");
    frames.end = 360;
    assert_int_equal(segment_resolve(360, 0, 0, &frames, &r, &err), GD_OK);
    assert_int_equal(r.first, 10);
    assert_int_equal(r.end, 360);
    assert_int_equal(segment_resolve(360, 3, 400, &frames, &r, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "--segment 3/400: the video has 360 frames, fewer than 400 "
                                 "segments");
    assert_int_equal(segment_resolve(360, 1, 3, NULL, &r, &err), GD_OK);
    assert_int_equal(r.first, 120);
    assert_int_equal(r.end, 240);
}

static const char SHA_A[] = "35beb0ff00000000000000000000000000000000000000000000000000000000";
static const char SHA_B[] = "b0cddac000000000000000000000000000000000000000000000000000000000";

static void test_tags(void **state) {
    (void)state;
    char settings[SEGMENT_SETTINGS_MAX];
    segment_settings(settings, sizeof settings, 320, 180, 30, 18, "medium", "draft", "0.1.0");
    assert_string_equal(settings,
                        "libx264 320x180 fps=30 crf=18 preset=medium quality=draft gdrender=0.1.0");
    SegmentInfo s = {.path = "p.mp4"};
    GdError err;
    assert_int_equal(segment_parse_tags(&s, SHA_A, "90:180", "360", settings, &err), GD_OK);
    assert_int_equal(s.range.first, 90);
    assert_int_equal(s.range.end, 180);
    assert_int_equal(s.total, 360);
    assert_int_equal(s.fps, 30);
    assert_string_equal(s.sha256, SHA_A);
    assert_string_equal(s.settings, settings);

    assert_int_equal(segment_parse_tags(&s, NULL, NULL, NULL, NULL, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "p.mp4: not a gdrender segment (it has no gdrender_frames tag: "
                                 "a whole video, or made by another program)");
    assert_int_equal(segment_parse_tags(&s, SHA_A, "90:80", "360", settings, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "p.mp4: damaged segment metadata (gdrender_frames \"90:80\")");
    assert_int_equal(segment_parse_tags(&s, SHA_A, "90:180", "170", settings, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "p.mp4: damaged segment metadata (gdrender_total_frames \"170\")");
    assert_int_equal(segment_parse_tags(&s, "abc", "90:180", "360", settings, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg,
                        "p.mp4: damaged segment metadata (gdrender_config_sha256 \"abc\")");
    assert_int_equal(segment_parse_tags(&s, SHA_A, "90:180", "360", "libx264", &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "p.mp4: damaged segment metadata (gdrender_settings \"libx264\")");
}

/* n segments of one video of `total` frames, cut at the given frames. */
static uint8_t sps[] = {1, 100, 0, 31, 255, 225};

static void make_video(SegmentInfo *s, int n, const int *cuts, int total) {
    static char names[16][16];
    for (int i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "p%d.mp4", i);
        s[i] = (SegmentInfo){.path = names[i],
                             .range = {cuts[i], cuts[i + 1]},
                             .total = total,
                             .fps = 30,
                             .params = sps,
                             .nparams = sizeof sps};
        memcpy(s[i].sha256, SHA_A, 65);
        segment_settings(s[i].settings, sizeof s[i].settings, 320, 180, 30, 18, "medium", "medium",
                         "0.1.0");
    }
}

static void expect_plan_error(const SegmentInfo *s, int n, const char *msg) {
    int order[16];
    GdError err;
    gd_error_clear(&err);
    assert_int_equal(segment_plan(s, n, order, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, msg);
}

static void test_plan_orders_shuffled(void **state) {
    (void)state;
    const int cuts[] = {0, 90, 180, 270, 360};
    SegmentInfo video[4], shuffled[4];
    make_video(video, 4, cuts, 360);
    const int perm[4] = {2, 0, 3, 1};
    for (int i = 0; i < 4; i++)
        shuffled[i] = video[perm[i]];
    int order[4];
    GdError err;
    assert_int_equal(segment_plan(shuffled, 4, order, &err), GD_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(shuffled[order[i]].range.first, cuts[i]);
    /* one segment holding the whole video */
    const int whole[] = {0, 360};
    make_video(video, 1, whole, 360);
    assert_int_equal(segment_plan(video, 1, order, &err), GD_OK);
    assert_int_equal(order[0], 0);
}

static void test_plan_refusals(void **state) {
    (void)state;
    const int cuts[] = {0, 90, 180, 270, 360};
    SegmentInfo s[4];

    make_video(s, 4, cuts, 360);
    segment_settings(s[2].settings, sizeof s[2].settings, 320, 180, 30, 20, "medium", "medium",
                     "0.1.0");
    expect_plan_error(s, 4,
                      "p2.mp4: encoded with crf=20 where p0.mp4 has crf=18 (segments of one "
                      "video share its settings)");

    make_video(s, 4, cuts, 360);
    static uint8_t other[] = {1, 100, 0, 31, 255, 226};
    s[3].params = other;
    expect_plan_error(s, 4,
                      "p3.mp4: its H.264 parameters (SPS/PPS) differ from p0.mp4's (another "
                      "x264 build?)");

    make_video(s, 4, cuts, 360);
    memcpy(s[1].sha256, SHA_B, 65);
    expect_plan_error(s, 4,
                      "p1.mp4: rendered from another config than p0.mp4 (config SHA-256 "
                      "b0cddac0... vs 35beb0ff...)");

    make_video(s, 4, cuts, 360);
    s[1].total = 400;
    expect_plan_error(s, 4, "p1.mp4: part of a video of 400 frames, p0.mp4 of one of 360");

    /* gaps: at the start, in the middle, at the end */
    make_video(s, 4, cuts, 360);
    expect_plan_error(s + 1, 3,
                      "p1.mp4: frames 0..89 are missing before it (no segment holds "
                      "them)");
    SegmentInfo gap[3] = {s[0], s[1], s[3]};
    expect_plan_error(gap, 3,
                      "p3.mp4: frames 180..269 are missing before it (no segment holds "
                      "them)");
    expect_plan_error(s, 3,
                      "p2.mp4: frames 270..359 are missing after it (the video has 360 "
                      "frames)");

    /* overlaps: a range given twice, one reaching into the next */
    SegmentInfo twice[5] = {s[0], s[1], s[1], s[2], s[3]};
    twice[2].path = "again.mp4";
    expect_plan_error(twice, 5, "again.mp4: frames 90..179 are also in p1.mp4");
    make_video(s, 4, cuts, 360);
    s[1].range.end = 200;
    expect_plan_error(s, 4, "p2.mp4: frames 180..199 are also in p1.mp4");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_every_frame_once),
        cmocka_unit_test(test_parse_index),
        cmocka_unit_test(test_parse_frames),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_plan_orders_shuffled),
        cmocka_unit_test(test_plan_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
