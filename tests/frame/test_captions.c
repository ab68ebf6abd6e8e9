/*
 * test_captions.c — [caption NAME]: captions are drawn in exactly their
 * frames, a `step N` caption starts in the frame where the timeline
 * reaches N, placeholders carry the trajectory's numbers, captions shown
 * together take different lines, and a point caption's foot is hidden
 * where the surface hides the point.
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

#include "frame/compose.h"
#include "testutil.h"
#include "view/timeline.h"

/* A line fit from (5, 4) at LR 0.1, 100 steps, 4 s at 30 fps, 640x360. */
#define BASE                                                                                       \
    "[video]\nwidth = 640\nheight = 360\nduration = 3\nhold = 1\n"                                 \
    "[data]\nx = linspace(-1, 1, 50)\ntrue = 1.2, 2.5\n"                                           \
    "[model]\nparams = a, b\nformula = a*x + b\n"                                                  \
    "[run fit]\ninit = 5, 4\nlr = 0.1\nsteps = 100\n"

typedef struct Video {
    char *path;
    Config cfg;
    Trajectory trajs[GD_MAX_RUNS];
    View view;
    Composer comp;
    ComposerScratch sc;
} Video;

static void open_video(Video *v, const char *text) {
    memset(v, 0, sizeof *v);
    v->path = tu_write_file(tu_tmpdir(), "c.ini", text);
    GdError err;
    if (config_load(v->path, NULL, 0, &v->cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run_all(&v->cfg, v->trajs, &err), 0);
    if (view_build(&v->view, &v->cfg, v->trajs, 1, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(compose_init(&v->comp, &v->cfg, &v->view, 640, 360, QUALITY_DRAFT, &err), 0);
    assert_int_equal(compose_scratch_init(&v->sc, &v->comp, &err), 0);
}

static void close_video(Video *v) {
    compose_scratch_free(&v->sc);
    compose_free(&v->comp);
    view_free(&v->view);
    for (int r = 0; r < v->cfg.nruns; r++)
        trajectory_free(&v->trajs[r]);
    config_free(&v->cfg);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", v->path);
    *strrchr(dir, '/') = '\0';
    tu_remove_dir(dir);
    free(v->path);
}

static uint8_t *render(Video *v, int frame) {
    uint8_t *rgb = malloc((size_t)640 * 360 * 3);
    assert_non_null(rgb);
    compose_frame(&v->comp, &v->sc, frame, rgb);
    return rgb;
}

/* Pixels of r (clipped to the frame) that differ from the background. */
static int inked(const Video *v, const uint8_t *rgb, Rect r) {
    const Rgb bg = v->cfg.video.background;
    int n = 0;
    for (int y = (int)r.y; y < (int)(r.y + r.h) && y < 360; y++)
        for (int x = (int)r.x; x < (int)(r.x + r.w) && x < 640; x++) {
            const uint8_t *p = rgb + 3 * ((size_t)y * 640 + x);
            n += p[0] != bg.r || p[1] != bg.g || p[2] != bg.b;
        }
    return n;
}

static int band_inked(Video *v, int frame) {
    uint8_t *rgb = render(v, frame);
    int n = inked(v, rgb, v->comp.layout.captions_bottom);
    free(rgb);
    return n;
}

static void test_exactly_its_frames(void **state) {
    (void)state;
    static Video v;
    open_video(&v, BASE "[caption a]\ntext = LR {lr} is small\nfrom = 1\nto = 2\nfade = 0.2\n");
    assert_int_equal(v.view.caption_frames[0][0], 30);
    assert_int_equal(v.view.caption_frames[0][1], 60);
    assert_true(v.comp.layout.captions_bottom.h > 0);
    assert_int_equal(band_inked(&v, 0), 0);
    assert_int_equal(band_inked(&v, 29), 0);
    assert_true(band_inked(&v, 30) > 0);
    assert_true(band_inked(&v, 45) > 0);
    assert_true(band_inked(&v, 59) > 0);
    assert_int_equal(band_inked(&v, 60), 0);
    assert_int_equal(band_inked(&v, 119), 0);
    /* Fading in and out over 0.2 s (6 frames), counted to each frame's end. */
    assert_near(captions_alpha(&v.comp.spec, 0, 30), 1.0 / 6, 1e-12);
    assert_near(captions_alpha(&v.comp.spec, 0, 35), 1.0, 1e-12);
    assert_near(captions_alpha(&v.comp.spec, 0, 59), 1.0 / 6, 1e-12);
    assert_near(captions_alpha(&v.comp.spec, 0, 60), 0, 0);
    close_video(&v);
}

/* The first frame whose moment reaches step N, found here by stepping
 * through the frames. */
static int reaches(const Config *cfg, int max_steps, double n) {
    for (int f = 0; f < config_frame_count(cfg); f++) {
        TimelineMoment m;
        timeline_moment(cfg, max_steps, f, &m);
        if (m.step >= n)
            return f;
    }
    return -1;
}

static void test_step_caption_starts_when_reached(void **state) {
    (void)state;
    static Video v;
    open_video(&v,
               BASE "[caption a]\ntext = step {step}\nfrom = step 10\nto = step 40\nfade = 0\n");
    int f10 = reaches(&v.cfg, v.view.max_steps, 10), f40 = reaches(&v.cfg, v.view.max_steps, 40);
    assert_true(f10 > 0 && f40 > f10);
    assert_int_equal(v.view.caption_frames[0][0], f10);
    assert_int_equal(v.view.caption_frames[0][1], f40);
    assert_int_equal(band_inked(&v, f10 - 1), 0);
    assert_true(band_inked(&v, f10) > 0);
    assert_true(band_inked(&v, f40 - 1) > 0);
    assert_int_equal(band_inked(&v, f40), 0);
    close_video(&v);
}

static void test_placeholders_carry_the_numbers(void **state) {
    (void)state;
    static Video v;
    open_video(&v, BASE "[caption a]\ntext = {step}|{a}|{b}|{loss}|{lr}|{formula}\n");
    const Trajectory *t = &v.trajs[0];
    char got[512], want[512];
    /* The row the readout names: the nearest iterate. */
    const double steps[3] = {12.0, 12.4, 12.6};
    const int rows[3] = {12, 12, 13};
    for (int i = 0; i < 3; i++) {
        int k = rows[i];
        captions_text(&v.comp.spec, 0, steps[i], got, sizeof got);
        snprintf(want, sizeof want, "%d|%.3f|%.3f|%.5f|0.1|a·x + b", k, t->params[2 * k],
                 t->params[2 * k + 1], t->loss[k]);
        assert_string_equal(got, want);
    }
    close_video(&v);
}

/* {basin_share}: the global minimum's share of the basin map's starts,
 * as the legend says it: all of them for the line fit in 400 steps. */
static void test_basin_share(void **state) {
    (void)state;
    static Video v;
    open_video(&v,
               BASE "[run long]\ninit = 0, 0\nsteps = 400\n[basins]\nresolution = 8\nrun = long\n"
                    "[caption a]\ntext = {basin_share}% win\n");
    assert_non_null(v.view.basins);
    char got[64];
    captions_text(&v.comp.spec, 0, 0, got, sizeof got);
    assert_string_equal(got, "100% win");
    close_video(&v);
}

/* Captions shown together take lines of their own: a and b overlap in
 * time, c comes after a and b have gone and takes the first line again;
 * the band has room for two lines. */
static void test_captions_stack(void **state) {
    (void)state;
    static Video v;
    open_video(&v, BASE "[caption a]\ntext = first\nfrom = 0\nto = 2\n"
                        "[caption b]\ntext = second\nfrom = 1\nto = 3\n"
                        "[caption c]\ntext = third\nfrom = 3\n"
                        "[caption d]\ntext = up top\nat = top\nfrom = 1\n");
    const CaptionPlan *p = &v.comp.captions;
    assert_int_equal(p->slot[0], 0);
    assert_int_equal(p->slot[1], 1);
    assert_int_equal(p->slot[2], 0);
    assert_int_equal(p->slot[3], 0);
    assert_int_equal(p->lines[0], 1);
    assert_int_equal(p->lines[1], 2);
    /* Nothing drawn overlaps in a frame showing a, b and d. */
    TextBox box[256];
    int n = 0;
    text_record(v.sc.text, box, 256, &n);
    free(render(&v, 45));
    text_record(v.sc.text, NULL, 0, NULL);
    int seen = 0;
    for (int i = 0; i < n; i++) {
        seen += strcmp(box[i].text, "first") == 0 || strcmp(box[i].text, "second") == 0 ||
                strcmp(box[i].text, "up top") == 0;
        for (int j = i + 1; j < n; j++)
            assert_false(box[i].x0 < box[j].x1 && box[j].x0 < box[i].x1 && box[i].y0 < box[j].y1 &&
                         box[j].y0 < box[i].y1);
    }
    assert_int_equal(seen, 3);
    close_video(&v);
}

/* A point caption at the minimum of the bowl: seen from above its foot is
 * drawn; seen from 4 degrees above the floor the bowl's near wall hides it
 * (an opaque surface: the foot's pixels are those of the frame without
 * the caption). */
static int foot_shows(const char *camera) {
    char text[2048];
    snprintf(text, sizeof text,
             BASE "[surface]\na = -2.8, 5.2\nb = -1.5, 6.5\nopacity = 1\n[camera]\n%s\n", camera);
    static Video plain, pinned;
    open_video(&plain, text);
    strcat(text, "[caption m]\ntext = the minimum\nat = 1.2, 2.5\n");
    open_video(&pinned, text);
    uint8_t *a = render(&plain, 60), *b = render(&pinned, 60);
    assert_int_equal(pinned.sc.scene.npins, 1);
    const Scene3DPin *pin = &pinned.sc.scene.pins[0];
    assert_true(pin->top_ok);
    int x = (int)pin->foot_x, y = (int)pin->foot_y, differ = 0;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            size_t o = 3 * ((size_t)(y + dy) * 640 + (x + dx));
            differ += memcmp(a + o, b + o, 3) != 0;
        }
    free(a);
    free(b);
    close_video(&plain);
    close_video(&pinned);
    return differ;
}

static void test_point_caption_hidden_behind_the_surface(void **state) {
    (void)state;
    assert_int_equal(foot_shows("key = 0, -60, 80, 1"), 9);
    assert_int_equal(foot_shows("key = 0, -60, 4, 1"), 0);
}

/* A ball caption follows its ball. */
static void test_ball_caption_follows(void **state) {
    (void)state;
    static Video v;
    open_video(&v, BASE "[caption here]\ntext = here\nat = ball\n");
    TextBox box[256];
    double x[2], y[2];
    const int frames[2] = {5, 100};
    for (int k = 0; k < 2; k++) {
        int n = 0;
        text_record(v.sc.text, box, 256, &n);
        free(render(&v, frames[k]));
        text_record(v.sc.text, NULL, 0, NULL);
        int found = 0;
        for (int i = 0; i < n; i++)
            if (strcmp(box[i].text, "here") == 0) {
                found = 1;
                /* Right of and above the ball, within 40 px. */
                const Scene3DRunState *b = &v.sc.shown[0];
                assert_true(b->ball_drawn);
                assert_true(box[i].x0 > b->ball_x && box[i].x0 < b->ball_x + 40);
                assert_true(box[i].y1 < b->ball_y && box[i].y1 > b->ball_y - 40);
                x[k] = box[i].x0;
                y[k] = box[i].y0;
            }
        assert_true(found);
    }
    assert_true(fabs(x[1] - x[0]) + fabs(y[1] - y[0]) > 20);
    close_video(&v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exactly_its_frames),
        cmocka_unit_test(test_step_caption_starts_when_reached),
        cmocka_unit_test(test_placeholders_carry_the_numbers),
        cmocka_unit_test(test_basin_share),
        cmocka_unit_test(test_captions_stack),
        cmocka_unit_test(test_point_caption_hidden_behind_the_surface),
        cmocka_unit_test(test_ball_caption_follows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
