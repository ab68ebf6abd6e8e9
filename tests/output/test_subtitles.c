/*
 * test_subtitles.c — --subtitles: the captions as WebVTT or SubRip, timed
 * exactly as the frames draw them (a cue from its first frame's start to
 * its last frame's end), in order of their start; live placeholders give
 * one cue per run of frames with the same text; markup characters are
 * escaped in WebVTT; a bad file name is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "view/timeline.h"

/* 30 fps, 3 s + 1 s hold; a caption from 1 s to 2 s, one from 0.5 s to
 * the end, and one with the step over the first ten frames (the default
 * pacing's slow start: they show iterates 0 and 1 only). */
static const char *const CONFIG = "[video]\nduration = 3\nhold = 1\n"
                                  "[data]\nx = linspace(-1, 1, 50)\ntrue = 1.2, 2.5\n"
                                  "[model]\nparams = a, b\nformula = a*x + b\n"
                                  "[run fit]\ninit = 5, 4\nlr = 0.1\nsteps = 100\n"
                                  "[caption a]\ntext = Gradients & <steps>\nfrom = 1\nto = 2\n"
                                  "[caption b]\ntext = The end\nfrom = 0.5\n"
                                  "[caption c]\ntext = now at step {step}\nfrom = 0\nto = 0.3333\n";

static char *run_subtitles(const char *dir, const char *name) {
    char *cfg = tu_write_file(dir, "c.ini", CONFIG);
    char out[512];
    snprintf(out, sizeof out, "%s/%s", dir, name);
    RunResult r = tu_run((const char *const[]){"--check", "--subtitles", out, cfg, NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    free(cfg);
    char *text = tu_read_file(out, NULL);
    assert_non_null(text);
    return text;
}

static void test_vtt_and_srt(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *vtt = run_subtitles(dir, "s.vtt");
    /* Caption c names the iterate the readout names: the nearest, so step
     * 1 from the first frame whose moment passes step 0.5. */
    static Config cfg;
    GdError err;
    char path[512];
    snprintf(path, sizeof path, "%s/c.ini", dir);
    assert_int_equal(config_load(path, NULL, 0, &cfg, &err), 0);
    int half = -1;
    for (int f = 0; f < 10 && half < 0; f++) {
        TimelineMoment m;
        timeline_moment(&cfg, 100, f, &m);
        if (m.step >= 0.5)
            half = f;
    }
    config_free(&cfg);
    assert_true(half > 0);
    char ms[16], want_vtt[1024], want_srt[1024];
    snprintf(ms, sizeof ms, "%03d", (half * 1000 + 15) / 30);
    snprintf(want_vtt, sizeof want_vtt,
             "WEBVTT\n\n"
             "1\n00:00:00.000 --> 00:00:00.%s\nnow at step 0\n\n"
             "2\n00:00:00.%s --> 00:00:00.333\nnow at step 1\n\n"
             "3\n00:00:00.500 --> 00:00:04.000\nThe end\n\n"
             "4\n00:00:01.000 --> 00:00:02.000\nGradients &amp; &lt;steps&gt;\n\n",
             ms, ms);
    assert_string_equal(vtt, want_vtt);
    free(vtt);
    char *srt = run_subtitles(dir, "s.SRT");
    snprintf(want_srt, sizeof want_srt,
             "1\n00:00:00,000 --> 00:00:00,%s\nnow at step 0\n\n"
             "2\n00:00:00,%s --> 00:00:00,333\nnow at step 1\n\n"
             "3\n00:00:00,500 --> 00:00:04,000\nThe end\n\n"
             "4\n00:00:01,000 --> 00:00:02,000\nGradients & <steps>\n\n",
             ms, ms);
    assert_string_equal(srt, want_srt);
    free(srt);
    tu_remove_dir(dir);
}

static void test_bad_name(void **state) {
    (void)state;
    RunResult r = tu_run(
        (const char *const[]){"--check", "--subtitles", "/tmp/x.txt", "configs/linear.ini", NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: --subtitles /tmp/x.txt: the file name must end in .vtt "
                               "or .srt\n");
    tu_run_free(&r);
}

/* What ffmpeg reads back from the MP4's text track, as SubRip with the
 * decoder's <font> tags and its CRs taken out. */
static char *read_track(const char *mp4) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -i '%s' -map 0:s -f srt - 2>&1", mp4);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    static char buf[8192];
    size_t n = 0;
    int c, in_tag = 0;
    while ((c = fgetc(p)) != EOF && n + 1 < sizeof buf) {
        if (c == '<')
            in_tag = 1;
        else if (c == '>' && in_tag)
            in_tag = 0;
        else if (!in_tag && c != '\r')
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    pclose(p);
    return buf;
}

/* [video] subtitles = yes: the MP4 carries the captions as a mov_text
 * track; captions shown together share a sample, a line each. */
static void test_mp4_text_track(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *cfg = tu_write_file(dir, "c.ini",
                              "[video]\nwidth = 160\nheight = 90\nduration = 1.5\nhold = 0.5\n"
                              "subtitles = yes\nquality = draft\n"
                              "[data]\ntrue = 1.2, 2.5\n"
                              "[model]\nparams = a, b\nformula = a*x + b\n"
                              "[run]\ninit = 5, 4\nsteps = 20\n"
                              "[caption a]\ntext = first\nfrom = 0\nto = 1\n"
                              "[caption b]\ntext = second\nfrom = 0.5\nto = 1.5\n");
    char mp4[512];
    snprintf(mp4, sizeof mp4, "%s/v.mp4", dir);
    RunResult r = tu_run((const char *const[]){"--no-progress", "-o", mp4, cfg, NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_string_equal(read_track(mp4), "1\n00:00:00,000 --> 00:00:00,500\nfirst\n\n"
                                         "2\n00:00:00,500 --> 00:00:01,000\nfirst\nsecond\n\n"
                                         "3\n00:00:01,000 --> 00:00:01,500\nsecond\n\n");
    /* A text track needs an MP4. */
    char gif[512];
    snprintf(gif, sizeof gif, "%s/v.gif", dir);
    r = tu_run((const char *const[]){"--no-progress", "-o", gif, cfg, NULL});
    assert_int_equal(r.status, 2);
    char want[1024];
    snprintf(want, sizeof want,
             "gdrender: %s: [video] subtitles = yes needs an .mp4 output (or use --subtitles "
             "FILE)\n",
             gif);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    assert_false(tu_exists(gif));
    free(cfg);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vtt_and_srt),
        cmocka_unit_test(test_bad_name),
        cmocka_unit_test(test_mp4_text_track),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
