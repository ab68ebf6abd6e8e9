/*
 * test_minima.c — [surface] minima: the minima found on the two-layer
 * network's landscape are those of a dense grid searched here with a loss
 * written here (not the formula engine), the lowest is the global one near
 * (1.2, 2.5), the refined points are flat by finite differences, a low
 * point on the box's edge where the loss keeps falling outward is no
 * minimum while one exactly on the edge is, a flat floor gives one minimum,
 * and the thread count changes nothing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "view/view.h"

/* Loads path with the overrides, simulates it and builds its view on
 * `threads` threads. */
static void load(const char *path, const ConfigOverride *ov, int nov, Config *cfg, Trajectory *t,
                 View *v, int threads) {
    GdError err;
    if (config_load(path, ov, nov, cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run_all(cfg, t, &err), 0);
    assert_int_equal(view_build(v, cfg, t, threads, &err), 0);
}

static void unload(Config *cfg, Trajectory *t, View *v) {
    view_free(v);
    for (int r = 0; r < cfg->nruns; r++)
        trajectory_free(&t[r]);
    config_free(cfg);
}

/* The loss of y = sin(b cos(a x)) on cfg's data, written out. */
static double two_layer_loss(const Config *cfg, double a, double b) {
    double s = 0;
    for (int k = 0; k < cfg->ndata; k++) {
        double e = cfg->data_y[k] - sin(b * cos(a * cfg->data_x[k]));
        s += e * e;
    }
    return s / cfg->ndata;
}

typedef struct GridMin {
    double a, b, loss;
} GridMin;

static int by_loss(const void *p, const void *q) {
    double x = ((const GridMin *)p)->loss, y = ((const GridMin *)q)->loss;
    return x < y ? -1 : x > y;
}

enum { DENSE = 1000 };

/* The strict local minima of the loss on a DENSE x DENSE grid over the box,
 * inside it (not on its edge), lowest first. Returns how many. */
static int dense_minima(const Config *cfg, const Landscape *ls, GridMin *out, int max) {
    double *g = malloc(sizeof(double) * DENSE * DENSE);
    double *c = malloc(sizeof(double) * (size_t)cfg->ndata);
    assert_non_null(g);
    assert_non_null(c);
    for (int i = 0; i < DENSE; i++) {
        double a = ls->lo[0] + (ls->hi[0] - ls->lo[0]) * i / (DENSE - 1);
        for (int k = 0; k < cfg->ndata; k++)
            c[k] = cos(a * cfg->data_x[k]);
        for (int j = 0; j < DENSE; j++) {
            double b = ls->lo[1] + (ls->hi[1] - ls->lo[1]) * j / (DENSE - 1), s = 0;
            for (int k = 0; k < cfg->ndata; k++) {
                double e = cfg->data_y[k] - sin(b * c[k]);
                s += e * e;
            }
            g[j * DENSE + i] = s / cfg->ndata;
        }
    }
    int n = 0;
    for (int j = 1; j + 1 < DENSE; j++)
        for (int i = 1; i + 1 < DENSE; i++) {
            double l = g[j * DENSE + i];
            int low = 1;
            for (int dj = -1; dj <= 1 && low; dj++)
                for (int di = -1; di <= 1 && low; di++)
                    if ((di || dj) && !(g[(j + dj) * DENSE + i + di] > l))
                        low = 0;
            if (low && n < max)
                out[n++] = (GridMin){ls->lo[0] + (ls->hi[0] - ls->lo[0]) * i / (DENSE - 1),
                                     ls->lo[1] + (ls->hi[1] - ls->lo[1]) * j / (DENSE - 1), l};
        }
    qsort(out, (size_t)n, sizeof *out, by_loss);
    free(g);
    free(c);
    return n;
}

static void test_two_layer_minima(void **state) {
    (void)state;
    static Config cfg;
    static Trajectory t[GD_MAX_RUNS];
    static View v;
    const ConfigOverride on[1] = {{"surface.minima=yes"}};
    load("configs/local_minimum.ini", on, 1, &cfg, t, &v, 2);
    assert_true(v.nminima >= 4 && v.nminima <= MINIMA_MAX);

    static GridMin dense[4096];
    const int nd = dense_minima(&cfg, &v.land, dense, 4096);
    const double cell = (v.land.hi[0] - v.land.lo[0]) / (DENSE - 1);
    /* Every minimum found is one of the dense grid's, within two of its
     * cells, and its loss no higher than that grid point's. The dense
     * grid's lowest minima are all found (the cap keeps the lowest). */
    for (int k = 0; k < v.nminima; k++) {
        const ViewMinimum *m = &v.minima[k];
        int match = -1;
        for (int d = 0; d < nd && match < 0; d++)
            if (fabs(dense[d].a - m->uv[0]) <= 2 * cell && fabs(dense[d].b - m->uv[1]) <= 2 * cell)
                match = d;
        if (match < 0)
            fail_msg("minimum %d at (%g, %g) is not a dense-grid minimum", k, m->uv[0], m->uv[1]);
        assert_true(m->loss <= dense[match].loss + 1e-12);
        assert_true(m->loss >= dense[match].loss - 1e-4);
        if (k > 0)
            assert_true(m->loss >= v.minima[k - 1].loss);
    }
    for (int d = 0; d < nd && d < v.nminima; d++) {
        int found = 0;
        for (int k = 0; k < v.nminima && !found; k++)
            found = fabs(dense[d].a - v.minima[k].uv[0]) <= 2 * cell &&
                    fabs(dense[d].b - v.minima[k].uv[1]) <= 2 * cell;
        if (!found)
            fail_msg("dense-grid minimum %d at (%g, %g), loss %g, not found", d, dense[d].a,
                     dense[d].b, dense[d].loss);
    }

    /* The global minimum near (1.2, 2.5), with its mirror image at
     * (-1.2, 2.5): cos is even, so the loss is the same for -a. Nothing
     * else is global. */
    int near = 0, mirror = 0;
    for (int k = 0; k < v.nminima; k++) {
        const ViewMinimum *m = &v.minima[k];
        if (m->global) {
            near += fabs(m->uv[0] - 1.2) < 0.05 && fabs(m->uv[1] - 2.5) < 0.05;
            mirror += fabs(m->uv[0] + 1.2) < 0.05 && fabs(m->uv[1] - 2.5) < 0.05;
            assert_near(m->loss, v.minima[0].loss, 1e-9);
        } else {
            assert_true(m->loss > v.minima[0].loss + 1e-3);
        }
    }
    assert_int_equal(near, 1);
    assert_int_equal(mirror, 1);
    assert_true(v.minima[0].global);
    /* The bad start's run ends in one of them: the local minimum it is
     * stuck in. */
    const Trajectory *tr = &t[0];
    const double *end = tr->params + (size_t)(tr->nrows - 1) * tr->nparams;
    int stuck = 0;
    for (int k = 0; k < v.nminima; k++)
        stuck += !v.minima[k].global && fabs(v.minima[k].uv[0] - end[0]) < 1e-3 &&
                 fabs(v.minima[k].uv[1] - end[1]) < 1e-3;
    assert_int_equal(stuck, 1);

    /* Refined to a flat point: the loss written here agrees, and its
     * central differences vanish. */
    for (int k = 0; k < v.nminima; k++) {
        const ViewMinimum *m = &v.minima[k];
        const double h = 1e-5, a = m->uv[0], b = m->uv[1];
        assert_near(two_layer_loss(&cfg, a, b), m->loss, 1e-12);
        double ga = (two_layer_loss(&cfg, a + h, b) - two_layer_loss(&cfg, a - h, b)) / (2 * h);
        double gb = (two_layer_loss(&cfg, a, b + h) - two_layer_loss(&cfg, a, b - h)) / (2 * h);
        if (fabs(ga) > 1e-7 || fabs(gb) > 1e-7)
            fail_msg("minimum %d at (%g, %g): gradient (%g, %g)", k, a, b, ga, gb);
    }

    /* The same minima, bit for bit, on one thread. */
    static Config cfg1;
    static Trajectory t1[GD_MAX_RUNS];
    static View v1;
    load("configs/local_minimum.ini", on, 1, &cfg1, t1, &v1, 1);
    assert_int_equal(v1.nminima, v.nminima);
    for (int k = 0; k < v.nminima; k++) {
        assert_true(v1.minima[k].uv[0] == v.minima[k].uv[0]);
        assert_true(v1.minima[k].uv[1] == v.minima[k].uv[1]);
        assert_true(v1.minima[k].loss == v.minima[k].loss);
        assert_int_equal(v1.minima[k].global, v.minima[k].global);
    }
    unload(&cfg1, t1, &v1);

    /* Without minima = yes there are none. */
    static Config cfg0;
    static Trajectory t0[GD_MAX_RUNS];
    static View v0;
    const ConfigOverride off[1] = {{"surface.minima=no"}};
    load("configs/local_minimum.ini", off, 1, &cfg0, t0, &v0, 2);
    assert_int_equal(v0.nminima, 0);
    unload(&cfg0, t0, &v0);
    unload(&cfg, t, &v);
}

/* A line fit a*x + b without noise, whose least-squares point is `true`;
 * box a from a_lo to a_hi, b from -1 to 3. */
static int line_minima(double true_a, double a_lo, double a_hi, View *v, Config *cfg,
                       Trajectory *t) {
    char text[1024];
    snprintf(text, sizeof text,
             "[data]\nx = linspace(-1, 1, 21)\ntrue = %g, 1\nnoise = 0\n"
             "[model]\nparams = a, b\nformula = a*x + b\n"
             "[surface]\na = %g, %g\nb = -1, 3\nresolution = 21\nminima = yes\n"
             "[run]\ninit = %g, 2\nsteps = 0\n",
             true_a, a_lo, a_hi, a_lo);
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "line.ini", text);
    load(path, NULL, 0, cfg, t, v, 2);
    tu_remove_dir(dir);
    free(path);
    return v->nminima;
}

static void test_box_edge(void **state) {
    (void)state;
    static Config cfg;
    static Trajectory t[1];
    static View v;
    /* Inside the box: the one minimum, at the true values. */
    assert_int_equal(line_minima(1.5, -1, 3, &v, &cfg, t), 1);
    assert_near(v.minima[0].uv[0], 1.5, 1e-9);
    assert_near(v.minima[0].uv[1], 1, 1e-9);
    assert_near(v.minima[0].loss, 0, 1e-18);
    assert_true(v.minima[0].global);
    unload(&cfg, t, &v);
    /* The box ends at a = 1 while the loss keeps falling towards a = 1.5:
     * the lowest point of the box is its edge, not a minimum. */
    assert_int_equal(line_minima(1.5, -1, 1, &v, &cfg, t), 0);
    unload(&cfg, t, &v);
    /* A minimum exactly on the edge (a = 1.5 = the box's end) is one. */
    assert_int_equal(line_minima(1.5, -1, 1.5, &v, &cfg, t), 1);
    assert_near(v.minima[0].uv[0], 1.5, 1e-9);
    assert_near(v.minima[0].uv[1], 1, 1e-9);
    unload(&cfg, t, &v);
}

/* relu(a)*x + b fitted to y = 0.5: for every a <= 0 the model is the
 * constant b, so the loss has a flat floor along b = 0.5 (and zero there).
 * One minimum stands for it, not one per grid vertex. */
static void test_flat_floor(void **state) {
    (void)state;
    static Config cfg;
    static Trajectory t[1];
    static View v;
    const char *text = "[data]\nx = linspace(-1, 1, 21)\ntrue = -1, 0.5\nnoise = 0\n"
                       "[model]\nparams = a, b\nformula = relu(a)*x + b\n"
                       "[surface]\na = -2, 2\nb = -1, 2\nresolution = 25\nminima = yes\n"
                       "[run]\ninit = 1, 1\nsteps = 0\n";
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "flat.ini", text);
    load(path, NULL, 0, &cfg, t, &v, 2);
    tu_remove_dir(dir);
    free(path);
    assert_int_equal(v.nminima, 1);
    assert_true(v.minima[0].uv[0] <= 0);
    assert_near(v.minima[0].uv[1], 0.5, 1e-9);
    assert_near(v.minima[0].loss, 0, 1e-18);
    unload(&cfg, t, &v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_layer_minima),
        cmocka_unit_test(test_box_edge),
        cmocka_unit_test(test_flat_floor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
