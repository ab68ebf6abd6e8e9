/*
 * test_landscape.c — the loss on the plane: the grid holds exactly the
 * model's loss at each vertex whatever the thread count, the z range and
 * log scale follow their rules, contours lie in box coordinates, and the
 * default box is worked out by hand.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "sim/sim.h"
#include "view/landscape.h"

static const char *CONFIG_TEXT = "[data]\n"
                                 "x = linspace(-1, 1, 21)\n"
                                 "true = 1, 0.5\n"
                                 "noise = 0\n"
                                 "[model]\n"
                                 "params = a, b\n"
                                 "formula = a*x + b\n"
                                 "[surface]\n"
                                 "a = -1, 3\n"
                                 "b = -1.5, 2.5\n"
                                 "resolution = 9\n"
                                 "contours = 4\n"
                                 "[run]\n"
                                 "init = 0, 0\n";

static void load(Config *cfg, const ConfigOverride *ov, int nov) {
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "l.ini", CONFIG_TEXT);
    GdError err;
    if (config_load(path, ov, nov, cfg, &err) != 0)
        fail_msg("%s", err.msg);
    unlink(path);
    free(path);
    rmdir(dir);
}

/* The config with the overrides and its landscape over the config's box
 * on the (a, b) plane, on 2 threads. */
static void build(Config *cfg, Landscape *ls, const ConfigOverride *ov, int nov) {
    load(cfg, ov, nov);
    Plane pl;
    plane_init_axes(&pl, &cfg->model, NULL, 0, 1);
    const double lo[2] = {-1, -1.5}, hi[2] = {3, 2.5};
    GdError err;
    assert_int_equal(landscape_build(ls, cfg, &pl, lo, hi, 2, &err), 0);
}

static void test_grid_is_the_loss(void **state) {
    (void)state;
    Config cfg;
    load(&cfg, NULL, 0);
    Plane pl;
    plane_init_axes(&pl, &cfg.model, NULL, 0, 1);
    const double lo[2] = {-1, -1.5}, hi[2] = {3, 2.5};
    Landscape one, three;
    GdError err;
    assert_int_equal(landscape_build(&one, &cfg, &pl, lo, hi, 1, &err), 0);
    assert_int_equal(landscape_build(&three, &cfg, &pl, lo, hi, 3, &err), 0);
    const int n = 9;
    assert_int_equal(one.res, n);
    /* Vertex (i, j) is at a = -1 + 0.5 i, b = -1.5 + 0.5 j. */
    double zmin = DBL_MAX, zmax = -DBL_MAX;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double p[2] = {-1 + 0.5 * i, -1.5 + 0.5 * j};
            double l =
                formula_mse(cfg.model.formula, cfg.data_x, cfg.data_y, NULL, cfg.ndata, p, NULL);
            assert_true(one.loss[j * n + i] == l);
            zmin = fmin(zmin, l);
            zmax = fmax(zmax, l);
        }
    /* The true values (1, 0.5) are vertex (4, 4): a perfect fit. */
    assert_true(one.loss[4 * n + 4] == 0);
    assert_memory_equal(one.loss, three.loss, sizeof(double) * n * n);
    assert_true(one.zlo == zmin && one.zhi == zmax);
    /* Box axes: a from -1 to 3 in steps of 1. */
    assert_int_equal(one.axis[0].n, 5);
    assert_string_equal(one.axis[0].label[0], "-1");
    assert_near(landscape_box(&one, 0, -1), -1, 0);
    assert_near(landscape_box(&one, 0, 3), 1, 0);
    assert_near(landscape_box(&one, 1, 0.5), 0, 0);
    /* Contours: 4 levels, every segment inside the box, levels 0..3. */
    assert_true(one.ncontour > 0);
    assert_int_equal(one.ncontour, three.ncontour);
    for (int k = 0; k < one.ncontour; k++) {
        for (int q = 0; q < 4; q++)
            assert_true(fabs(one.contour[4 * k + q]) <= 1);
        assert_true(one.contour_level[k] >= 0 && one.contour_level[k] < 4);
    }
    landscape_free(&one);
    landscape_free(&three);
    landscape_free(&three); /* idempotent */
    config_free(&cfg);
}

/* Point q (0 or 1) of contour chain entry e, as the line draws it. */
static const double *chain_point(const Landscape *ls, int e, int q) {
    const int seg = e >> 2, rev = e >> 1 & 1;
    return ls->contour + 4 * (size_t)seg + 2 * (rev ? 1 - q : q);
}

/* The contour segments chained into lines (Landscape.contour_chain):
 * every segment once, each line one level's with its segments end to
 * end, and the bowl's few lines: the lowest level one closed ellipse
 * around the fit, no level in more than the four arcs a box can cut an
 * ellipse into. */
static void test_contours_chained(void **state) {
    (void)state;
    ConfigOverride ov[1] = {{"surface.resolution=201"}};
    Config cfg;
    Landscape ls;
    build(&cfg, &ls, ov, 1);
    assert_true(ls.ncontour > 400);
    int *seen = calloc((size_t)ls.ncontour, sizeof *seen);
    assert_non_null(seen);
    int lines[4] = {0}, first = -1;
    for (int k = 0; k < ls.ncontour; k++) {
        const int e = ls.contour_chain[k], seg = e >> 2;
        assert_true(seg >= 0 && seg < ls.ncontour);
        seen[seg]++;
        assert_true(k > 0 || (e & 1)); /* the first entry starts a line */
        if (e & 1) {
            lines[ls.contour_level[seg]]++;
            first = k;
        } else {
            const int prev = ls.contour_chain[k - 1];
            assert_int_equal(ls.contour_level[prev >> 2], ls.contour_level[seg]);
            const double *a = chain_point(&ls, prev, 1), *b = chain_point(&ls, e, 0);
            assert_near(a[0], b[0], 1e-12);
            assert_near(a[1], b[1], 1e-12);
        }
        const int last = k + 1 == ls.ncontour || ls.contour_chain[k + 1] & 1;
        if (last && ls.contour_level[seg] == 0) {
            /* The lowest level closes on itself. */
            const double *a = chain_point(&ls, e, 1),
                         *b = chain_point(&ls, ls.contour_chain[first], 0);
            assert_near(a[0], b[0], 1e-12);
            assert_near(a[1], b[1], 1e-12);
        }
    }
    for (int s = 0; s < ls.ncontour; s++)
        assert_int_equal(seen[s], 1);
    assert_int_equal(lines[0], 1);
    for (int m = 0; m < 4; m++) {
        if (lines[m] < 1 || lines[m] > 4)
            print_error("level %d: %d lines\n", m, lines[m]);
        assert_true(lines[m] >= 1 && lines[m] <= 4);
    }
    free(seen);
    landscape_free(&ls);
    config_free(&cfg);
}

static void test_log_scale(void **state) {
    (void)state;
    ConfigOverride ov[1] = {{"surface.zscale=log"}};
    Config cfg;
    Landscape ls;
    build(&cfg, &ls, ov, 1);
    /* The perfect fit (loss 0) would reach 1e-300: 12 decades are shown. */
    assert_near(ls.zhi - ls.zlo, 12, 0);
    assert_near(landscape_z(ZSCALE_LOG, 1000), 3, 1e-15);
    assert_near(landscape_z(ZSCALE_LOG, 0), -300, 0);
    assert_near(landscape_z(ZSCALE_LINEAR, 0.25), 0.25, 0);
    /* The z axis ticks are whole decades. */
    for (int k = 0; k < ls.axis[2].n; k++)
        assert_near(ls.axis[2].v[k], round(ls.axis[2].v[k]), 0);
    landscape_free(&ls);
    config_free(&cfg);
}

static void test_default_range(void **state) {
    (void)state;
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.model.nparams = 2;
    strcpy(cfg.model.params[0], "a");
    strcpy(cfg.model.params[1], "b");
    RunConfig runs[2];
    memset(runs, 0, sizeof runs);
    runs[0].init[0] = 0;
    runs[1].init[0] = 2;
    cfg.nruns = 2;
    cfg.runs = runs;
    cfg.data.from_file = 1;
    Plane pl;
    plane_init_axes(&pl, &cfg.model, NULL, 0, 1);
    /* Run 0 diverges, 0 -> 1 -> 100 in a: 100 is more than twice the
     * others' span beyond them, so the box stops at 1. */
    double p0[6] = {0, 0, 1, 0, 100, 0}, l0[3] = {1, 1, 1};
    double p1[2] = {2, 0}, l1[1] = {1};
    Trajectory t[2] = {{.run = &runs[0],
                        .nparams = 2,
                        .nrows = 3,
                        .params = p0,
                        .loss = l0,
                        .status = RUN_DIVERGED,
                        .diverged_step = 2},
                       {.run = &runs[1],
                        .nparams = 2,
                        .nrows = 1,
                        .params = p1,
                        .loss = l1,
                        .status = RUN_MOVING}};
    ViewTrail vt[2];
    for (int r = 0; r < 2; r++)
        assert_int_equal(plane_trail_init(&vt[r], &pl, &t[r]), 0);
    double lo, hi;
    /* a in [0, 2], padded by 12% of 2 to [-0.24, 2.24], round step 0.2. */
    landscape_default_range(&cfg, &pl, vt, 2, 0, &lo, &hi);
    assert_near(lo, -0.4, 1e-12);
    assert_near(hi, 2.4, 1e-12);
    /* With synthetic data the true value counts too: a in [0, 5], padded
     * by 0.6, step nice(6.2 / 10) = 0.5. */
    cfg.data.from_file = 0;
    cfg.data.has_true = 1;
    cfg.data.true_params[0] = 5;
    landscape_default_range(&cfg, &pl, vt, 2, 0, &lo, &hi);
    assert_near(lo, -1, 1e-12);
    assert_near(hi, 6, 1e-12);
    /* A run that does not diverge is followed all the way, however far
     * from the starts it goes: the 100 now counts. */
    t[0].status = RUN_CONVERGED;
    landscape_default_range(&cfg, &pl, vt, 2, 0, &lo, &hi);
    assert_true(lo <= 0 && hi >= 100);
    for (int r = 0; r < 2; r++)
        plane_trail_free(&vt[r]);
}

/* The default box keeps the [surface] range rules (config.h): values
 * within +-1e300 and a width of at least config_box_min_span. */
static void test_default_range_limits(void **state) {
    (void)state;
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.model.nparams = 2;
    RunConfig run;
    memset(&run, 0, sizeof run);
    cfg.nruns = 1;
    cfg.runs = &run;
    cfg.data.has_true = 1;
    Plane pl;
    plane_init_axes(&pl, &cfg.model, NULL, 0, 1);
    static const struct {
        double init, truth;
    } cases[] = {
        {0, 0},         {1e-300, 0},       {5e-324, 0},     {1e-50, 2e-50}, {1, 1 + 1e-12},
        {1e305, 1e305}, {-1.7e308, 1e308}, {1e300, -1e300}, {1e-12, 3e-12}, {1e9, 1e9 + 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run.init[0] = cases[i].init;
        cfg.data.true_params[0] = cases[i].truth;
        double lo, hi;
        landscape_default_range(&cfg, &pl, NULL, 0, 0, &lo, &hi);
        if (!(lo >= -GD_BOX_LIMIT && hi <= GD_BOX_LIMIT && hi - lo >= config_box_min_span(lo, hi)))
            fail_msg("case %zu: box %g .. %g", i, lo, hi);
    }
    /* Points at a tiny scale get a box of their own scale... */
    run.init[0] = 1e-12;
    cfg.data.true_params[0] = 3e-12;
    double lo, hi;
    landscape_default_range(&cfg, &pl, NULL, 0, 0, &lo, &hi);
    assert_true(lo <= 1e-12 && hi >= 3e-12 && hi - lo < 1e-11);
    /* ...and one point alone a box of a round size around it. */
    run.init[0] = cfg.data.true_params[0] = 5e-324;
    landscape_default_range(&cfg, &pl, NULL, 0, 0, &lo, &hi);
    assert_near(lo, -0.12, 1e-12);
    assert_near(hi, 0.12, 1e-12);
}

/* The case: CSV data (no true values), runs from (-1, 3) on
 * a*x^2 + b whose minimum is at b = -1.5: the box must hold both the
 * starts and where the runs end. */
static void test_default_box_holds_the_trails(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char csv[4096];
    size_t o = (size_t)snprintf(csv, sizeof csv, "x,y\n");
    for (int i = 0; i <= 20; i++) {
        double x = -1 + 0.1 * i;
        o += (size_t)snprintf(csv + o, sizeof csv - o, "%g,%.17g\n", x, 0.5 * x * x - 1.5);
    }
    char *data = tu_write_file(dir, "pts.csv", csv);
    char *path = tu_write_file(dir, "box.ini",
                               "[data]\nfile = pts.csv\n[model]\nparams = a, b\n"
                               "formula = a*x^2 + b\n[run one]\ninit = -1, 3\nlr = 0.3\n"
                               "[run two]\ninit = -0.5, 3\nlr = 0.1\n");
    Config cfg;
    GdError err;
    if (config_load(path, NULL, 0, &cfg, &err) != 0)
        fail_msg("%s", err.msg);
    Trajectory tr[2];
    assert_int_equal(sim_run_all(&cfg, tr, &err), 0);
    Plane pl;
    plane_init_axes(&pl, &cfg.model, NULL, 0, 1);
    ViewTrail vt[2];
    for (int r = 0; r < 2; r++)
        assert_int_equal(plane_trail_init(&vt[r], &pl, &tr[r]), 0);
    for (int axis = 0; axis < 2; axis++) {
        double lo, hi;
        landscape_default_range(&cfg, &pl, vt, 2, axis, &lo, &hi);
        for (int r = 0; r < 2; r++)
            for (int k = 0; k < vt[r].npoints; k++) {
                double v = vt[r].uv[2 * (size_t)k + axis];
                /* inside, with a margin of 5% of the box */
                assert_true(v >= lo + 0.05 * (hi - lo) && v <= hi - 0.05 * (hi - lo));
            }
    }
    /* The runs do reach the minimum's b = -1.5. */
    assert_near(vt[0].uv[2 * (size_t)(vt[0].npoints - 1) + 1], -1.5, 0.05);
    for (int r = 0; r < 2; r++) {
        plane_trail_free(&vt[r]);
        trajectory_free(&tr[r]);
    }
    config_free(&cfg);
    free(path);
    free(data);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_is_the_loss),
        cmocka_unit_test(test_contours_chained),
        cmocka_unit_test(test_log_scale),
        cmocka_unit_test(test_default_range),
        cmocka_unit_test(test_default_range_limits),
        cmocka_unit_test(test_default_box_holds_the_trails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
