/*
 * test_basins.c — the basin map: each start of the grid ends exactly where
 * the same start run as an ordinary run ends (every optimizer, minibatches,
 * divergence), its minimum is the one an independent grouping of those
 * ordinary end points gives, the shares sum to 100%, the map is the same
 * on any number of threads, a convex model has one basin of 100%, and the
 * --basins CSV has its columns.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "sim/basins.h"
#include "sim/sim.h"
#include "testutil.h"

/* The two-layer network of the tutorial, on a small grid and few steps
 * (the sanitizer build runs this too). */
#define NETWORK                                                                                    \
    "[data]\nx = linspace(-1, 1, 60)\ntrue = 1.2, 2.5\n"                                           \
    "[model]\nparams = a, b\nformula = sin(b*cos(a*x))\n"

/* A cubic whose large-b starts overshoot and diverge, the others not. */
#define CUBIC                                                                                      \
    "[data]\nx = linspace(-1, 1, 60)\ntrue = 1.2, 0.5\n"                                           \
    "[model]\nparams = a, b\nformula = a*x + b^3\n"                                                \
    "[run r]\ninit = 0, 0\nlr = 0.05\nsteps = 60\n"

static void load(const char *text, Config *cfg) {
    char *path = tu_write_file(tu_tmpdir(), "b.ini", text);
    GdError err;
    if (config_load(path, NULL, 0, cfg, &err) != 0)
        fail_msg("%s", err.msg);
    free(path);
}

/* The identity plane over [lo, hi]^2 with res starts per axis. */
static BasinGrid grid(int res, double lo, double hi, double tolerance) {
    BasinGrid g;
    memset(&g, 0, sizeof g);
    g.nparams = 2;
    g.dir[0][0] = g.dir[1][1] = 1;
    g.lo[0] = g.lo[1] = lo;
    g.hi[0] = g.hi[1] = hi;
    g.res = res;
    g.tolerance = tolerance;
    return g;
}

static int same_double(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* Every start against sim_run from the same point, and the minima against
 * a grouping of sim_run's end points done here from basins.h's rule. */
static void check_against_runs(const Config *cfg, const BasinMap *m) {
    const int n = m->nstarts, np = 2;
    int *founder = calloc((size_t)n, sizeof *founder), nfound = 0;
    int *label = calloc((size_t)n, sizeof *label);
    double *ends = calloc((size_t)n * np, sizeof *ends);
    assert_non_null(founder);
    assert_non_null(label);
    assert_non_null(ends);
    for (int k = 0; k < n; k++) {
        RunConfig run = cfg->runs[cfg->basins.run];
        basins_start_params(&m->grid, k % m->grid.res, k / m->grid.res, run.init);
        Trajectory t;
        GdError err;
        assert_int_equal(sim_run(cfg, &run, &t, &err), 0);
        const int last = t.nrows - 1;
        for (int i = 0; i < np; i++) {
            ends[(size_t)k * np + i] = t.params[(size_t)last * np + i];
            if (!same_double(t.params[(size_t)last * np + i], m->end[(size_t)k * np + i]))
                fail_msg("start %d: end %s = %a, sim_run %a", k, cfg->model.params[i],
                         m->end[(size_t)k * np + i], t.params[(size_t)last * np + i]);
        }
        if (!same_double(t.loss[last], m->loss[k]))
            fail_msg("start %d: loss %a, sim_run %a", k, m->loss[k], t.loss[last]);
        assert_int_equal(m->status[k], t.status);
        /* nearest founder within the tolerance, in start order */
        label[k] = -1;
        if (t.status == RUN_CONVERGED) {
            double best = m->tolerance;
            for (int q = 0; q < nfound; q++) {
                double da = ends[(size_t)k * np] - ends[(size_t)founder[q] * np];
                double db = ends[(size_t)k * np + 1] - ends[(size_t)founder[q] * np + 1];
                double d = sqrt(da * da + db * db);
                if (d < best || (d == 0 && label[k] < 0)) {
                    best = d;
                    label[k] = q;
                }
            }
            if (label[k] < 0) {
                founder[nfound] = k;
                label[k] = nfound++;
            }
        }
        trajectory_free(&t);
    }
    /* The same partition of the starts (the map numbers its minima by loss,
     * the grouping here by founding). */
    assert_int_equal(m->nminima, nfound);
    int *to_map = malloc(sizeof(int) * (size_t)(nfound > 0 ? nfound : 1));
    for (int q = 0; q < nfound; q++)
        to_map[q] = m->basin[founder[q]];
    for (int k = 0; k < n; k++) {
        if (label[k] < 0)
            assert_int_equal(m->basin[k], BASIN_NONE);
        else
            assert_int_equal(m->basin[k], to_map[label[k]]);
    }
    /* numbered by loss, the lowest first */
    for (int q = 1; q < m->nminima; q++)
        assert_true(m->minima[q - 1].loss <= m->minima[q].loss);
    free(to_map);
    free(founder);
    free(label);
    free(ends);
}

static void compute(const Config *cfg, const BasinGrid *g, int threads, BasinMap *m) {
    GdError err;
    assert_int_equal(basins_compute(cfg, &cfg->runs[cfg->basins.run], g, threads, m, &err), 0);
}

static void test_starts_end_as_ordinary_runs(void **state) {
    (void)state;
    static const char *const configs[] = {
        "[run r]\ninit = 0, 0\nlr = 0.1\nsteps = 120\n",
        "[run r]\ninit = 0, 0\noptimizer = momentum\nlr = 0.05\nsteps = 60\n",
        "[run r]\ninit = 0, 0\noptimizer = nesterov\nlr = 0.05\nsteps = 60\n",
        "[run r]\ninit = 0, 0\noptimizer = adam\nlr = 0.05\nsteps = 60\n",
        "[run r]\ninit = 0, 0\noptimizer = adagrad\nlr = 0.3\nsteps = 60\n",
        "[run r]\ninit = 0, 0\noptimizer = rmsprop\nlr = 0.01\nsteps = 60\n",
        /* minibatches: every start sees the run's shuffles */
        "[run r]\ninit = 0, 0\nlr = 0.1\nsteps = 80\nbatch = 7\n",
        /* the second run's settings, and no step at all for the first */
        "[run a]\ninit = 1, 1\nsteps = 0\n[run r]\ninit = 0, 0\nlr = 0.2\nsteps = 100\n"
        "[basins]\nrun = r\n",
        /* some starts diverge, and leave their batch early */
        NULL,
    };
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
        char text[1024];
        if (configs[i])
            snprintf(text, sizeof text, NETWORK "%s", configs[i]);
        else
            snprintf(text, sizeof text, CUBIC);
        Config cfg;
        load(text, &cfg);
        BasinGrid g = grid(8, -2, 7, -1);
        BasinMap m;
        compute(&cfg, &g, 2, &m);
        assert_int_equal(m.nstarts, 64);
        check_against_runs(&cfg, &m);
        if (!configs[i])
            assert_true(m.ndiverged > 0 && m.ndiverged < 64);
        basins_free(&m);
        basins_free(&m); /* idempotent */
        config_free(&cfg);
    }
}

static void test_shares_sum_to_100(void **state) {
    (void)state;
    static const char *const configs[] = {
        NETWORK "[run r]\ninit = 0, 0\nsteps = 150\n",
        NETWORK "[run r]\ninit = 0, 0\nsteps = 40\n",
        CUBIC,
    };
    static const int res[] = {8, 13, 21};
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
        const char *text = configs[i];
        Config cfg;
        load(text, &cfg);
        for (size_t r = 0; r < sizeof res / sizeof *res; r++) {
            BasinGrid g = grid(res[r], -2, 7, -1);
            BasinMap m;
            compute(&cfg, &g, 2, &m);
            int pct = 0, count = 0, in_minima = 0;
            for (int e = 0; e < m.nentries; e++) {
                assert_true(m.entry[e].percent >= 0 && m.entry[e].count > 0);
                pct += m.entry[e].percent;
                count += m.entry[e].count;
            }
            for (int q = 0; q < m.nminima; q++)
                in_minima += m.minima[q].count;
            assert_int_equal(pct, 100);
            assert_int_equal(count, m.nstarts);
            assert_int_equal(in_minima + m.nmoving + m.ndiverged, m.nstarts);
            /* each start's legend line counts it */
            int *per = calloc((size_t)m.nentries, sizeof *per);
            for (int k = 0; k < m.nstarts; k++)
                per[basins_entry_of(&m, k)]++;
            for (int e = 0; e < m.nentries; e++)
                assert_int_equal(per[e], m.entry[e].count);
            free(per);
            if (m.nminima > 0) {
                assert_int_equal(m.entry[0].kind, BASIN_ENTRY_GLOBAL);
                assert_int_equal(basins_global_percent(&m), m.entry[0].percent);
            }
            basins_free(&m);
        }
        config_free(&cfg);
    }
}

static void test_same_on_any_thread_count(void **state) {
    (void)state;
    Config cfg;
    load(NETWORK "[run r]\ninit = 0, 0\nsteps = 100\n", &cfg);
    BasinGrid g = grid(20, -2, 7, -1);
    BasinMap one, two, five;
    compute(&cfg, &g, 1, &one);
    compute(&cfg, &g, 2, &two);
    compute(&cfg, &g, 5, &five);
    const BasinMap *other[2] = {&two, &five};
    for (int i = 0; i < 2; i++) {
        const BasinMap *m = other[i];
        assert_int_equal(m->nstarts, one.nstarts);
        assert_memory_equal(m->end, one.end, sizeof(double) * 2 * (size_t)one.nstarts);
        assert_memory_equal(m->loss, one.loss, sizeof(double) * (size_t)one.nstarts);
        assert_memory_equal(m->status, one.status, (size_t)one.nstarts);
        assert_memory_equal(m->basin, one.basin, sizeof(int) * (size_t)one.nstarts);
        assert_int_equal(m->nminima, one.nminima);
        assert_memory_equal(m->minima, one.minima, sizeof *one.minima * (size_t)one.nminima);
        assert_memory_equal(m->entry, one.entry, sizeof one.entry);
    }
    basins_free(&one);
    basins_free(&two);
    basins_free(&five);
    config_free(&cfg);
}

/* The straight-line fit: one minimum, reached from everywhere. */
static void test_convex_model_has_one_basin(void **state) {
    (void)state;
    Config cfg;
    load("[data]\ntrue = 1.2, 2.5\n[model]\nparams = a, b\nformula = a*x + b\n"
         "[run r]\ninit = 5, 4\n",
         &cfg);
    BasinGrid g = grid(16, -2, 7, -1);
    BasinMap m;
    compute(&cfg, &g, 2, &m);
    assert_int_equal(m.nminima, 1);
    assert_int_equal(m.nglobal, 1);
    assert_int_equal(m.nmoving, 0);
    assert_int_equal(m.ndiverged, 0);
    assert_int_equal(m.nentries, 1);
    assert_int_equal(m.entry[0].kind, BASIN_ENTRY_GLOBAL);
    assert_int_equal(m.entry[0].percent, 100);
    assert_int_equal(m.minima[0].count, 256);
    assert_int_equal(basins_global_percent(&m), 100);
    /* the least-squares line, as the ordinary run finds it */
    assert_near(m.minima[0].p[0], 1.1949, 1e-3);
    assert_near(m.minima[0].p[1], 2.4971, 1e-3);
    for (int k = 0; k < m.nstarts; k++)
        assert_int_equal(m.basin[k], 0);
    basins_free(&m);
    config_free(&cfg);
}

/* Two minima closer than the tolerance are one; a tolerance of 0 keeps
 * every distinct end point apart. */
static void test_tolerance(void **state) {
    (void)state;
    Config cfg;
    load(NETWORK "[run r]\ninit = 0, 0\nsteps = 150\n", &cfg);
    BasinGrid g = grid(12, -2, 7, -1);
    BasinMap wide, fine;
    g.tolerance = 1e9;
    compute(&cfg, &g, 2, &wide);
    assert_int_equal(wide.nminima, wide.nstarts - wide.nmoving - wide.ndiverged > 0 ? 1 : 0);
    g.tolerance = 0;
    compute(&cfg, &g, 2, &fine);
    assert_true(fine.nminima >= wide.nminima);
    assert_near(fine.tolerance, 0, 0);
    g.tolerance = -1; /* the default: 1e-3 of the box's diagonal */
    BasinMap def;
    compute(&cfg, &g, 2, &def);
    assert_near(def.tolerance, 1e-3 * sqrt(2.0) * 9, 1e-15);
    basins_free(&wide);
    basins_free(&fine);
    basins_free(&def);
    config_free(&cfg);
}

static void test_csv(void **state) {
    (void)state;
    Config cfg;
    load(CUBIC, &cfg);
    BasinGrid g = grid(8, -2, 7, -1);
    BasinMap m;
    compute(&cfg, &g, 2, &m);
    const char *dir = tu_tmpdir();
    char path[1024];
    snprintf(path, sizeof path, "%s/b.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(basins_write_csv(f, &cfg, &m), 0);
    fclose(f);
    char *text = tu_read_file(path, NULL);
    assert_non_null(text);
    char *line = strtok(text, "\n");
    assert_string_equal(line, "a,b,end_a,end_b,loss,basin,status");
    int rows = 0, statuses[3] = {0, 0, 0};
    for (line = strtok(NULL, "\n"); line; line = strtok(NULL, "\n"), rows++) {
        double a, b;
        char ea[64], eb[64], loss[64], status[32];
        int basin = -1;
        assert_int_equal(sscanf(line, "%lf,%lf,%63[^,],%63[^,],%63[^,],%d,%31[^\n]", &a, &b, ea, eb,
                                loss, &basin, status),
                         7);
        double p[2];
        basins_start_params(&g, rows % 8, rows / 8, p);
        assert_true(a == p[0] && b == p[1]); /* 17 digits: exact */
        assert_true(strtod(ea, NULL) == m.end[2 * rows] || isnan(m.end[2 * rows]));
        assert_int_equal(basin, m.basin[rows] == BASIN_NONE ? 0 : m.basin[rows] + 1);
        int st = strcmp(status, "converged") == 0       ? RUN_CONVERGED
                 : strcmp(status, "not converged") == 0 ? RUN_MOVING
                 : strcmp(status, "diverged") == 0      ? RUN_DIVERGED
                                                        : -1;
        assert_int_equal(st, m.status[rows]);
        statuses[st]++;
        if (st != RUN_CONVERGED)
            assert_int_equal(basin, 0);
    }
    assert_int_equal(rows, 64);
    assert_true(statuses[RUN_DIVERGED] > 0);
    free(text);
    tu_remove_dir(dir);
    basins_free(&m);
    config_free(&cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_end_as_ordinary_runs),
        cmocka_unit_test(test_shares_sum_to_100),
        cmocka_unit_test(test_same_on_any_thread_count),
        cmocka_unit_test(test_convex_model_has_one_basin),
        cmocka_unit_test(test_tolerance),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
