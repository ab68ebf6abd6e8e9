/*
 * test_curve.c — the one-parameter view (frame/curve.c) on the shipped
 * configs/one_parameter.ini: the ball on the curve at every integer step
 * (its colour at the pixel the mapping puts (a_k, L(a_k)) at), a hop's arc
 * above its chord and never under the curve, the composer drawing the
 * curve where the 3D view would be with every ball in sight, the contour
 * panel's strip, [surface] minima on a curve, and the config rendering at
 * draft size with the right frame count.
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
#include "frame/curve.h"
#include "frame/panels.h"
#include "testutil.h"
#include "view/landscape.h"

#define CONFIG "configs/one_parameter.ini"

typedef struct Fixture {
    Config cfg;
    Trajectory trajs[GD_MAX_RUNS];
    View view;
    FrameSpec spec;
    TextRenderer *tr;
    RasterTarget out;
} Fixture;

static void load(Fixture *f, const char *const *sets, int nsets, int w, int h, Quality q) {
    GdError err;
    ConfigOverride ov[4] = {{NULL}};
    for (int i = 0; i < nsets; i++)
        ov[i].text = sets[i];
    if (config_load(CONFIG, ov, nsets, &f->cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run_all(&f->cfg, f->trajs, &err), 0);
    assert_int_equal(view_build(&f->view, &f->cfg, f->trajs, 2, &err), 0);
    assert_true(f->view.plane.curve);
    frame_spec_init(&f->spec, &f->cfg, &f->view, w, h, q);
    f->tr = text_create(text_default_font(), &err);
    if (!f->tr)
        fail_msg("%s", err.msg);
    assert_int_equal(raster_target_init(&f->out, w, h, 0), 0);
}

static void unload(Fixture *f) {
    raster_target_free(&f->out);
    text_destroy(f->tr);
    view_free(&f->view);
    for (int r = 0; r < f->cfg.nruns; r++)
        trajectory_free(&f->trajs[r]);
    config_free(&f->cfg);
}

static const uint8_t *px(const RasterTarget *t, int x, int y) {
    return t->rgb + ((size_t)y * t->w + x) * 3;
}

/* Whether the pixels within radius r of (x, y) are mostly colour c. */
static int disc_is(const RasterTarget *t, double x, double y, double r, const float c[3]) {
    int inside = 0, match = 0;
    for (int j = (int)floor(y - r); j <= (int)ceil(y + r); j++)
        for (int i = (int)floor(x - r); i <= (int)ceil(x + r); i++) {
            double dx = i + 0.5 - x, dy = j + 0.5 - y;
            if (dx * dx + dy * dy > r * r || i < 0 || j < 0 || i >= t->w || j >= t->h)
                continue;
            inside++;
            const uint8_t *p = px(t, i, j);
            int d = abs(p[0] - (int)lround(255 * c[0])) + abs(p[1] - (int)lround(255 * c[1])) +
                    abs(p[2] - (int)lround(255 * c[2]));
            match += d <= 60;
        }
    return inside > 0 && 4 * match >= 3 * inside;
}

/* A moment at whole step k, with no afterimages. */
static TimelineMoment at_step(double k) {
    TimelineMoment m = {0, k, floor(k) - 1, 0.1};
    return m;
}

/* At every integer step the ball is drawn on the curve: at the pixel of
 * (a_k, L(a_k)), which is within a pixel of the drawn curve's sample
 * there, and that pixel has the run's colour. */
static void test_ball_on_curve_at_integer_steps(void **state) {
    (void)state;
    static Fixture f;
    load(&f, NULL, 0, 1280, 720, QUALITY_MEDIUM);
    GdError err;
    CurveScene c;
    assert_int_equal(curve_init(&c, &f.spec, &err), 0);
    const Rect v = {40, 60, 900, 600};
    CurveAxes ax;
    assert_true(curve_axes(&c, v, f.spec.scale, &ax));
    for (int r = 0; r < f.view.ntrails; r++) {
        const ViewTrail *t = &f.view.trails[r];
        for (int k = 0; k < t->npoints; k += 3) {
            raster_clear(&f.out, 255, 255, 255);
            TimelineMoment m = at_step(k);
            Scene3DRunState ts;
            Scene3DPin pins[1];
            curve_render(&c, f.tr, &f.out, v, (Rect){0, 0, 0, 0}, &r, 1, &m, f.spec.scale, pins, 0,
                         &ts, NULL, 0);
            const double u = t->uv[2 * (size_t)k];
            const double z = landscape_z(f.cfg.surface.zscale, t->traj->loss[k]);
            const double x = curve_map_x(&ax, u), y = curve_map_y(&ax, z);
            /* On the curve as drawn. */
            assert_true(fabs(curve_map_y(&ax, curve_z(&c, u)) - y) < 1.0);
            /* The ball is there, in its colour. */
            assert_true(ts.ball_drawn);
            assert_true(fabs(ts.ball_x - x) < 1e-3 && fabs(ts.ball_y - y) < 1e-3);
            double bx, by;
            assert_true(curve_ball_xy(&c, &ax, t, k, &bx, &by));
            assert_true(fabs(bx - x) < 1e-9 && fabs(by - y) < 1e-9);
            if (!disc_is(&f.out, x, y, 0.5 * ts.ball_r, t->color))
                fail_msg("run %d step %d: no ball at (%.1f, %.1f)", r, k, x, y);
        }
    }
    curve_free(&c);
    curve_free(&c); /* idempotent */
    unload(&f);
}

/* A hop rises above its chord (highest in the middle, by CURVE_HOP_LIFT
 * times its width), starts and ends at its iterates, and between two
 * iterates the ball never leaves the stretch between them or dips under
 * the curve. */
static void test_hop_arcs_above_the_chord(void **state) {
    (void)state;
    double x, y;
    curve_hop_point(NULL, NULL, 100, 300, 300, 200, 0.5, 0, &x, &y);
    assert_true(fabs(x - 200) < 1e-9);
    assert_true(fabs(y - (250 - CURVE_HOP_LIFT * 200)) < 1e-9); /* the chord's middle is 250 */
    curve_hop_point(NULL, NULL, 100, 300, 300, 200, 0, 0, &x, &y);
    assert_true(x == 100 && y == 300);
    curve_hop_point(NULL, NULL, 100, 300, 300, 200, 1, 0, &x, &y);
    assert_true(x == 300 && y == 200);
    /* Capped at the top given, never below the chord for it. */
    curve_hop_point(NULL, NULL, 100, 300, 300, 200, 0.5, 240, &x, &y);
    assert_true(fabs(y - 240) < 1e-9);

    static Fixture f;
    load(&f, NULL, 0, 1280, 720, QUALITY_MEDIUM);
    GdError err;
    CurveScene c;
    assert_int_equal(curve_init(&c, &f.spec, &err), 0);
    CurveAxes ax;
    assert_true(curve_axes(&c, (Rect){0, 0, 900, 600}, f.spec.scale, &ax));
    const ViewTrail *t = &f.view.trails[1]; /* LR 3.0: every step crosses the valley */
    for (int k = 0; k + 1 < t->npoints; k++) {
        double x0, y0, x1, y1;
        curve_ball_xy(&c, &ax, t, k, &x0, &y0);
        curve_ball_xy(&c, &ax, t, k + 1, &x1, &y1);
        assert_true(fabs(x1 - x0) > 20); /* a hop across */
        for (int q = 1; q < 10; q++) {
            double fq = q / 10.0;
            curve_ball_xy(&c, &ax, t, k + fq, &x, &y);
            assert_true(x >= fmin(x0, x1) - 1e-9 && x <= fmax(x0, x1) + 1e-9);
            double chord = y0 + fq * (y1 - y0);
            assert_true(y < chord); /* above it (y grows downwards) */
            double u = ax.ulo + (x - ax.x0) / (ax.x1 - ax.x0) * (ax.uhi - ax.ulo);
            assert_true(y <= curve_map_y(&ax, curve_z(&c, u)) + 1e-9);
        }
        /* The full height in the middle, where the plot's top allows. */
        const double mid = y0 + 0.5 * (y1 - y0), lift = CURVE_HOP_LIFT * fabs(x1 - x0);
        curve_ball_xy(&c, &ax, t, k + 0.5, &x, &y);
        if (mid - lift > ax.y0 + CURVE_BALL_R_PX * f.spec.scale)
            assert_true(fabs(y - (mid - lift)) < 1e-9);
        else
            assert_true(y < mid);
    }
    curve_free(&c);
    unload(&f);
}

/* The composer draws the curve in each split view (or in the one view of
 * overlay mode): no orbit was chosen, there is no colourbar, and in every
 * third frame of the video every ball is drawn, inside its view, in its
 * colour. */
static void composed_balls_show(const char *mode) {
    static Fixture f;
    load(&f, &mode, 1, 640, 360, QUALITY_DRAFT);
    const int split = f.cfg.layout.mode == LAYOUT_SPLIT;
    assert_memory_equal(&f.view.orbit, &CAMERA_ORBIT_CLASSIC, sizeof f.view.orbit);
    GdError err;
    Composer c;
    assert_int_equal(compose_init(&c, &f.cfg, &f.view, 640, 360, QUALITY_DRAFT, &err), 0);
    assert_true(c.curve);
    assert_int_equal(c.layout.colorbar.w, 0);
    assert_int_equal(c.layout.nviews, split ? 2 : 1);
    ComposerScratch sc;
    assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
    uint8_t *rgb = malloc((size_t)640 * 360 * 3);
    assert_non_null(rgb);
    RasterTarget t = {640, 360, rgb, NULL};
    for (int k = 0; k < c.spec.nframes; k += tu_sanitized() ? 17 : 3) {
        compose_frame(&c, &sc, k, rgb);
        for (int r = 0; r < f.view.ntrails; r++) {
            const Scene3DRunState *b = &sc.shown[r];
            const Rect v = c.views[split ? r : 0].view3d;
            if (!b->ball_drawn)
                fail_msg("frame %d run %d: no ball", k, r);
            assert_true(b->ball_x >= v.x && b->ball_x <= v.x + v.w && b->ball_y >= v.y &&
                        b->ball_y <= v.y + v.h);
            /* Its colour, or that of a ball drawn over it (overlay runs
             * that start together). */
            int seen = 0;
            for (int o = 0; o < f.view.ntrails && !seen; o++) {
                const Scene3DRunState *q = &sc.shown[o];
                seen = q->ball_drawn && fabs(q->ball_x - b->ball_x) <= 2 * b->ball_r &&
                       fabs(q->ball_y - b->ball_y) <= 2 * b->ball_r &&
                       disc_is(&t, b->ball_x, b->ball_y, 0.5 * b->ball_r, f.view.trails[o].color);
            }
            if (!seen)
                fail_msg("frame %d run %d: ball at (%.0f, %.0f) not in sight", k, r, b->ball_x,
                         b->ball_y);
        }
    }
    free(rgb);
    compose_scratch_free(&sc);
    compose_free(&c);
    unload(&f);
}

static void test_composed_balls_show(void **state) {
    (void)state;
    composed_balls_show("layout.mode=split");
    composed_balls_show("layout.mode=overlay");
}

/* The contour panel is a strip: colormap colours along its centre line
 * (v = 0), the panel background above and below the band, and each run's
 * ball on the centre line at its iterate's a. */
static void test_strip_panel(void **state) {
    (void)state;
    static Fixture f;
    load(&f, NULL, 0, 1280, 720, QUALITY_MEDIUM);
    const Rect r = {20, 20, 800, 300};
    PlotAxes ax;
    assert_true(panels_axes(&f.spec, NULL, PANEL_CONTOUR, r, &ax));
    const double yc = panels_map_y(&ax, 0);
    for (int run = 0; run < f.view.ntrails; run++) {
        const int k = 30;
        TimelineMoment m = at_step(k);
        raster_clear(&f.out, 255, 255, 255);
        panels_draw_contour(&f.spec, NULL, f.tr, &f.out, r, &m);
        /* Both runs are drawn; check this one's ball where no other is. */
        const ViewTrail *t = &f.view.trails[run];
        double x = panels_map_x(&ax, t->uv[2 * k]);
        const ViewTrail *o = &f.view.trails[1 - run];
        if (fabs(panels_map_x(&ax, o->uv[2 * k]) - x) > 3 * PANEL_BALL_R_PX * f.spec.scale)
            assert_true(disc_is(&f.out, x, yc, 0.5 * PANEL_BALL_R_PX * f.spec.scale, t->color));
    }
    /* The band: at the left end (a = -2, far from every run) the colour of
     * the loss there; the panel background near the plot's bottom. */
    const uint8_t *band = px(&f.out, (int)ax.x0 + 2, (int)yc);
    const uint8_t *below = px(&f.out, (int)ax.x0 + 2, (int)ax.y1 - 3);
    const float *bg = f.spec.theme.panel_bg;
    assert_true(abs(below[0] - (int)lround(255 * bg[0])) +
                    abs(below[1] - (int)lround(255 * bg[1])) +
                    abs(below[2] - (int)lround(255 * bg[2])) <=
                6);
    assert_true(abs(band[0] - below[0]) + abs(band[1] - below[1]) + abs(band[2] - below[2]) > 60);
    unload(&f);
}

/* [surface] minima = yes on a curve: the minimum of the parabola is found
 * (at the least-squares slope), marked on the curve, and frames render. */
static void test_minima_on_a_curve(void **state) {
    (void)state;
    static Fixture f;
    const char *sets[1] = {"surface.minima=yes"};
    load(&f, sets, 1, 640, 360, QUALITY_DRAFT);
    assert_true(f.view.nminima >= 1);
    double sxy = 0, sxx = 0;
    for (int i = 0; i < f.cfg.ndata; i++) {
        sxy += f.cfg.data_x[i] * f.cfg.data_y[i];
        sxx += f.cfg.data_x[i] * f.cfg.data_x[i];
    }
    assert_true(fabs(f.view.minima[0].uv[0] - sxy / sxx) < 1e-6);
    assert_true(f.view.minima[0].uv[1] == 0); /* on the curve, not at the grid's v edge */
    assert_true(f.view.minima[0].global);
    GdError err;
    Composer c;
    assert_int_equal(compose_init(&c, &f.cfg, &f.view, 640, 360, QUALITY_DRAFT, &err), 0);
    ComposerScratch sc;
    assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
    uint8_t *rgb = malloc((size_t)640 * 360 * 3);
    assert_non_null(rgb);
    compose_frame(&c, &sc, c.spec.nframes - 1, rgb);
    free(rgb);
    compose_scratch_free(&sc);
    compose_free(&c);
    unload(&f);
}

/* The shipped config renders at draft size to a video with
 * round(fps * (duration + hold)) frames, as ffprobe counts them. */
static void test_config_renders(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *video = tu_join(dir, "one.mp4");
    RunResult r =
        tu_run((const char *const[]){"--no-progress", "-q", "draft", "-o", video, CONFIG, NULL});
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    tu_run_free(&r);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -select_streams v:0 -count_frames -show_entries "
             "stream=nb_read_frames,width,height -of csv=p=0 '%s' 2>&1",
             video);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int w = 0, h = 0, n = -1;
    if (fscanf(p, "%d,%d,%d", &w, &h, &n) != 3)
        n = -1;
    pclose(p);
    assert_int_equal(w, 640);
    assert_int_equal(h, 360);
    assert_int_equal(n, 30 * (12 + 2));
    free(video);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ball_on_curve_at_integer_steps),
        cmocka_unit_test(test_hop_arcs_above_the_chord),
        cmocka_unit_test(test_composed_balls_show),
        cmocka_unit_test(test_strip_panel),
        cmocka_unit_test(test_minima_on_a_curve),
        cmocka_unit_test(test_config_renders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
