/*
 * test_compose.c — the frame composer: a frame is a pure function of the
 * composer and the frame number (the same bytes whatever was rendered
 * before it, on whichever scratch, and whatever -j built the view), and
 * what it composes lands where the layout puts it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame/compose.h"
#include "testutil.h"

/* Moments of each video the text test draws, and the stride of the frames
 * the ball test judges: fewer under the sanitizers (see CMakeLists.txt). */
#ifdef GD_SANITIZED
#define TEXT_MOMENTS 3
#define BALL_STRIDE  9
#else
#define TEXT_MOMENTS 8
#define BALL_STRIDE  3
#endif

typedef struct Fixture {
    Config cfg;
    Trajectory trajs[GD_MAX_RUNS];
} Fixture;

static void load(Fixture *f, const char *path) {
    GdError err;
    if (config_load(path, NULL, 0, &f->cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run_all(&f->cfg, f->trajs, &err), 0);
}

static void unload(Fixture *f) {
    for (int r = 0; r < f->cfg.nruns; r++)
        trajectory_free(&f->trajs[r]);
    config_free(&f->cfg);
}

/* A shipped config's view, built on 2 threads. */
static void load_view(Fixture *f, const char *path, View *v) {
    load(f, path);
    GdError err;
    assert_int_equal(view_build(v, &f->cfg, f->trajs, 2, &err), 0);
}

/* A composer of v at w x h and quality q, with its scratch. */
static void open_composer(const Fixture *f, const View *v, int w, int h, Quality q, Composer *c,
                          ComposerScratch *sc) {
    GdError err;
    assert_int_equal(compose_init(c, &f->cfg, v, w, h, q, &err), 0);
    assert_int_equal(compose_scratch_init(sc, c, &err), 0);
}

static uint8_t *render(const Composer *c, ComposerScratch *sc, int frame) {
    uint8_t *rgb = malloc((size_t)c->spec.width * c->spec.height * 3);
    assert_non_null(rgb);
    memset(rgb, 0x5a, (size_t)c->spec.width * c->spec.height * 3);
    compose_frame(c, sc, frame, rgb);
    return rgb;
}

static void test_frames_are_pure(void **state) {
    (void)state;
    static Fixture f;
    load(&f, "configs/good_vs_bad_init.ini");
    GdError err;
    View v1, v2;
    assert_int_equal(view_build(&v1, &f.cfg, f.trajs, 1, &err), 0);
    assert_int_equal(view_build(&v2, &f.cfg, f.trajs, 2, &err), 0);
    Composer c1, c2;
    assert_int_equal(compose_init(&c1, &f.cfg, &v1, 320, 180, QUALITY_MEDIUM, &err), 0);
    assert_int_equal(compose_init(&c2, &f.cfg, &v2, 320, 180, QUALITY_MEDIUM, &err), 0);
    ComposerScratch a, b;
    assert_int_equal(compose_scratch_init(&a, &c1, &err), 0);
    assert_int_equal(compose_scratch_init(&b, &c2, &err), 0);
    const size_t bytes = (size_t)320 * 180 * 3;
    /* Frame 200 alone on b, and after frames 359 and 3 on a. */
    uint8_t *alone = render(&c2, &b, 200);
    free(render(&c1, &a, 359));
    free(render(&c1, &a, 3));
    uint8_t *after = render(&c1, &a, 200);
    assert_memory_equal(alone, after, bytes);
    /* A different moment is a different picture. */
    uint8_t *other = render(&c1, &a, 100);
    assert_true(memcmp(alone, other, bytes) != 0);
    free(alone);
    free(after);
    free(other);
    compose_scratch_free(&a);
    compose_scratch_free(&b);
    compose_scratch_free(&b); /* idempotent */
    compose_free(&c1);
    compose_free(&c2);
    view_free(&v1);
    view_free(&v2);
    unload(&f);
}

static void test_layout_is_honoured(void **state) {
    (void)state;
    static Fixture f;
    load(&f, "configs/good_vs_bad_init.ini");
    GdError err;
    View v;
    assert_int_equal(view_build(&v, &f.cfg, f.trajs, 2, &err), 0);
    Composer c;
    assert_int_equal(compose_init(&c, &f.cfg, &v, 640, 360, QUALITY_DRAFT, &err), 0);
    ComposerScratch sc;
    assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
    /* Split view: one 3D view per run, each with its caption band on the
     * pale caption colour (0.96, 0.96, 0.97). */
    assert_int_equal(c.layout.nviews, f.cfg.nruns);
    uint8_t *rgb = render(&c, &sc, 0);
    for (int v = 0; v < c.layout.nviews; v++) {
        Rect r = c.layout.caption[v];
        assert_true(r.h > 0);
        const uint8_t *p = rgb + ((size_t)((int)r.y + 1) * 640 + (int)r.x + 1) * 3;
        assert_int_equal(p[0], 245);
        assert_int_equal(p[2], 247);
    }
    free(rgb);
    compose_scratch_free(&sc);
    compose_free(&c);
    view_free(&v);
    unload(&f);
}

/* The largest difference from the background in the title band and in
 * the 3D view's tick-label corner: text must stand out on any background. */
static int text_contrast(const char *background) {
    static Fixture f;
    const ConfigOverride ov[1] = {{background}};
    GdError err;
    if (config_load("configs/optimizers.ini", ov, background ? 1 : 0, &f.cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run_all(&f.cfg, f.trajs, &err), 0);
    View v;
    assert_int_equal(view_build(&v, &f.cfg, f.trajs, 2, &err), 0);
    Composer c;
    assert_int_equal(compose_init(&c, &f.cfg, &v, 640, 360, QUALITY_MEDIUM, &err), 0);
    ComposerScratch sc;
    assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
    uint8_t *rgb = render(&c, &sc, 100);
    const Rgb bg = f.cfg.video.background;
    int best = 0;
    for (int y = 0; y < (int)c.layout.title.h; y++)
        for (int x = 0; x < 640; x++) {
            const uint8_t *p = rgb + 3 * ((size_t)y * 640 + x);
            int d = abs(p[0] - bg.r) + abs(p[1] - bg.g) + abs(p[2] - bg.b);
            best = d > best ? d : best;
        }
    free(rgb);
    compose_scratch_free(&sc);
    compose_free(&c);
    view_free(&v);
    unload(&f);
    return best;
}

static void test_text_reads_on_any_background(void **state) {
    (void)state;
    /* Text differs from the background by at least 400 of 765 levels:
     * the default white, the README's dark blue, and the dark theme. */
    assert_true(text_contrast(NULL) > 400);
    assert_true(text_contrast("video.background=#102030") > 400);
    assert_true(text_contrast("video.theme=dark") > 400);
}

/* A frame writes every pixel: rendered over a buffer of zeros and over
 * one of 0xff, every shipped config's middle frame is the same bytes (the
 * background is not cleared under the 3D views and panels, which cover
 * their rectangles whole). */
static void test_frames_write_every_pixel(void **state) {
    (void)state;
    int nconfigs;
    const char *const *configs = tu_shipped_configs(&nconfigs);
    static const Quality qs[2] = {QUALITY_DRAFT, QUALITY_MEDIUM};
    enum { W = 320, H = 180 };
    static uint8_t a[W * H * 3], b[W * H * 3];
    for (int i = 0; i < nconfigs; i++) {
        static Fixture f;
        View v;
        load_view(&f, configs[i], &v);
        for (int q = 0; q < 2; q++) {
            Composer c;
            ComposerScratch sc;
            open_composer(&f, &v, W, H, qs[q], &c, &sc);
            memset(a, 0, sizeof a);
            memset(b, 0xff, sizeof b);
            compose_frame(&c, &sc, c.spec.nframes / 2, a);
            compose_frame(&c, &sc, c.spec.nframes / 2, b);
            if (memcmp(a, b, sizeof a) != 0)
                print_error("%s (quality %d): a pixel is left as it was\n", configs[i], (int)qs[q]);
            assert_memory_equal(a, b, sizeof a);
            compose_scratch_free(&sc);
            compose_free(&c);
        }
        view_free(&v);
        unload(&f);
    }
}

/* Every string a frame draws, in every shipped config at the three common
 * sizes and at eight moments: no two text boxes overlap, and each lies
 * inside the frame. */
static void test_no_text_overlaps(void **state) {
    (void)state;
    int nconfigs;
    const char *const *configs = tu_shipped_configs(&nconfigs);
    static const int sizes[3][2] = {{640, 360}, {1280, 720}, {1920, 1080}};
    enum { CAP = 512 };
    static TextBox box[CAP];
    int failures = 0;
    for (int i = 0; i < nconfigs; i++) {
        static Fixture f;
        View v;
        load_view(&f, configs[i], &v);
        for (int z = 0; z < 3; z++) {
            const int W = sizes[z][0], H = sizes[z][1];
            Composer c;
            ComposerScratch sc;
            open_composer(&f, &v, W, H, QUALITY_DRAFT, &c, &sc);
            const int nf = c.spec.nframes;
            int frames[TEXT_MOMENTS];
            for (int k = 0; k < TEXT_MOMENTS; k++)
                frames[k] = k * (nf - 1) / (TEXT_MOMENTS - 1);
            for (int k = 0; k < TEXT_MOMENTS; k++) {
                int n = 0;
                text_record(sc.text, box, CAP, &n);
                free(render(&c, &sc, frames[k]));
                text_record(sc.text, NULL, 0, NULL);
                assert_true(n > 0 && n <= CAP);
                for (int a = 0; a < n; a++) {
                    const TextBox *p = &box[a];
                    if (p->x0 < 0 || p->y0 < 0 || p->x1 > W || p->y1 > H) {
                        print_message("%s %dx%d frame %d: \"%s\" [%.0f,%.0f]-[%.0f,%.0f] leaves "
                                      "the frame\n",
                                      configs[i], W, H, frames[k], p->text, p->x0, p->y0, p->x1,
                                      p->y1);
                        failures++;
                    }
                    for (int b = a + 1; b < n; b++) {
                        const TextBox *q = &box[b];
                        if (p->x0 < q->x1 && q->x0 < p->x1 && p->y0 < q->y1 && q->y0 < p->y1) {
                            print_message("%s %dx%d frame %d: \"%s\" and \"%s\" overlap\n",
                                          configs[i], W, H, frames[k], p->text, q->text);
                            failures++;
                        }
                    }
                }
            }
            compose_scratch_free(&sc);
            compose_free(&c);
        }
        view_free(&v);
        unload(&f);
    }
    assert_int_equal(failures, 0);
}

/* Whether run r's ball shows in the frame just composed on sc: at least
 * half of the pixels of its inner disc have a ball's colour (its own, or
 * that of another ball or of its dark rim drawn at the same place: runs
 * that end together), not that of a surface or a readout box in front of
 * it. */
static int ball_shows(const Composer *c, const ComposerScratch *sc, const uint8_t *rgb, int r) {
    const Scene3DRunState *b = &sc->shown[r];
    const int W = c->spec.width, H = c->spec.height;
    const double R = 0.6 * b->ball_r;
    int inside = 0, ball = 0;
    for (int y = (int)floor(b->ball_y - R); y <= (int)ceil(b->ball_y + R); y++)
        for (int x = (int)floor(b->ball_x - R); x <= (int)ceil(b->ball_x + R); x++) {
            double dx = x + 0.5 - b->ball_x, dy = y + 0.5 - b->ball_y;
            if (dx * dx + dy * dy > R * R || x < 0 || y < 0 || x >= W || y >= H)
                continue;
            inside++;
            const uint8_t *p = rgb + 3 * ((size_t)y * W + x);
            for (int o = 0; o < c->spec.view->ntrails; o++) {
                const Scene3DRunState *q = &sc->shown[o];
                const float *col = c->spec.view->trails[o].color;
                if (!q->ball_drawn || fabs(q->ball_x - b->ball_x) > 2 * b->ball_r ||
                    fabs(q->ball_y - b->ball_y) > 2 * b->ball_r)
                    continue;
                int d = abs(p[0] - (int)lround(255 * col[0])) +
                        abs(p[1] - (int)lround(255 * col[1])) +
                        abs(p[2] - (int)lround(255 * col[2]));
                int rim = o != r && p[0] < 75 && p[1] < 75 && p[2] < 75;
                if (d <= 60 || rim) {
                    ball++;
                    break;
                }
            }
        }
    return inside > 0 && 2 * ball >= inside;
}

/* Under the default camera of every shipped config, every run's ball
 * shows (its pixels are in the frame, not hidden by the surface or by
 * text) in at least 95% of the frames, judged on the pixels of every
 * third frame at 640x360; a run that does not diverge is drawn in every
 * frame (a diverging one leaves the box). */
static void test_balls_show_in_frames(void **state) {
    (void)state;
    int nconfigs;
    const char *const *configs = tu_shipped_configs(&nconfigs);
    int failures = 0;
    for (int i = 0; i < nconfigs; i++) {
        static Fixture f;
        View v;
        load_view(&f, configs[i], &v);
        Composer c;
        ComposerScratch sc;
        open_composer(&f, &v, 640, 360, QUALITY_DRAFT, &c, &sc);
        static int drawn[GD_MAX_RUNS], shown[GD_MAX_RUNS];
        memset(drawn, 0, sizeof drawn);
        memset(shown, 0, sizeof shown);
        int frames = 0;
        for (int k = 0; k < c.spec.nframes; k += BALL_STRIDE, frames++) {
            uint8_t *rgb = render(&c, &sc, k);
            for (int r = 0; r < v.ntrails; r++) {
                drawn[r] += sc.shown[r].ball_drawn;
                int ok = sc.shown[r].ball_drawn && ball_shows(&c, &sc, rgb, r);
                shown[r] += ok;
                if (getenv("GD_DBG") && !ok)
                    print_message("%s frame %d run %d at %.0f,%.0f\n", configs[i], k, r,
                                  sc.shown[r].ball_x, sc.shown[r].ball_y);
            }
            free(rgb);
        }
        for (int r = 0; r < v.ntrails; r++) {
            const int diverges = f.trajs[r].status == RUN_DIVERGED;
            if ((!diverges && drawn[r] != frames) || shown[r] < 0.95 * drawn[r]) {
                print_message("%s run %d: ball drawn in %d of %d frames, shows in %d\n", configs[i],
                              r, drawn[r], frames, shown[r]);
                failures++;
            }
        }
        compose_scratch_free(&sc);
        compose_free(&c);
        view_free(&v);
        unload(&f);
    }
    assert_int_equal(failures, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_are_pure),
        cmocka_unit_test(test_frames_write_every_pixel),
        cmocka_unit_test(test_layout_is_honoured),
        cmocka_unit_test(test_text_reads_on_any_background),
        cmocka_unit_test(test_no_text_overlaps),
        cmocka_unit_test(test_balls_show_in_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
