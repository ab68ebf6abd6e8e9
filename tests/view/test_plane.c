/*
 * test_plane.c — the plane of parameter space: the identity plane copies
 * parameters to the last bit, a general plane projects orthogonally and
 * measures the distance from it, plane points invert the projection, and a
 * trail is cut where the divergence rule says.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "view/plane.h"

static ModelConfig model3(void) {
    ModelConfig m;
    memset(&m, 0, sizeof m);
    m.nparams = 3;
    strcpy(m.params[0], "a");
    strcpy(m.params[1], "b");
    strcpy(m.params[2], "c");
    return m;
}

static void test_axis_plane_is_exact(void **state) {
    (void)state;
    ModelConfig m = model3();
    Plane pl;
    plane_init_axes(&pl, &m, NULL, 2, 0);
    assert_string_equal(pl.name[0], "c");
    assert_string_equal(pl.name[1], "a");
    const double p[3] = {0.1 + 0.2, -1e-300, 3.0000000000000004};
    double uv[2];
    plane_project(&pl, p, uv);
    assert_true(uv[0] == p[2]); /* bit for bit, not within a tolerance */
    assert_true(uv[1] == p[0]);
    /* b is off the plane by |b|. */
    const double q[3] = {1, -2.5, 4};
    assert_near(plane_distance(&pl, q), 2.5, 0);
    double back[3];
    plane_point(&pl, 4, 1, back);
    assert_true(back[0] == 1 && back[1] == 0 && back[2] == 4);
    double g[2];
    const double grad[3] = {7, 8, 9};
    plane_project_vector(&pl, grad, g);
    assert_true(g[0] == 9 && g[1] == 7);
}

static void test_general_plane(void **state) {
    (void)state;
    /* Through (1, 1, 1), spanned by (1, 1, 0) and (1, 0, 0): after
     * Gram-Schmidt e0 = (1, 1, 0)/sqrt2 and e1 = (1, -1, 0)/sqrt2, the
     * plane z = 1. */
    Plane pl;
    const double o[3] = {1, 1, 1}, d0[3] = {1, 1, 0}, d1[3] = {1, 0, 0};
    assert_int_equal(plane_init(&pl, 3, o, d0, d1, "u", "v"), 0);
    assert_int_equal(pl.axis[0], -1);
    assert_int_equal(pl.axis[1], -1);
    const double p[3] = {3, 1, 4};
    double uv[2];
    plane_project(&pl, p, uv);
    assert_near(uv[0], 2 / sqrt(2), 1e-15);
    assert_near(uv[1], 2 / sqrt(2), 1e-15);
    assert_near(plane_distance(&pl, p), 3, 1e-15);
    double q[3];
    plane_point(&pl, uv[0], uv[1], q);
    assert_near(q[0], 3, 1e-15);
    assert_near(q[1], 1, 1e-15);
    assert_near(q[2], 1, 1e-15); /* the foot of p on the plane */
    /* Parallel or zero directions make no plane and leave pl as it was. */
    const double par[3] = {2, 2, 0}, zero[3] = {0, 0, 0};
    assert_int_equal(plane_init(&pl, 3, o, d0, par, "u", "v"), -1);
    assert_int_equal(plane_init(&pl, 3, o, zero, d1, "u", "v"), -1);
    assert_near(pl.origin[0], 1, 0);
    /* Unit-vector directions are recognised as axes. */
    const double ex[3] = {1, 0, 0}, ez[3] = {0, 0, 2};
    assert_int_equal(plane_init(&pl, 3, zero, ex, ez, "a", "c"), 0);
    assert_int_equal(pl.axis[0], 0);
    assert_int_equal(pl.axis[1], 2);
}

static void test_trail_cut_by_divergence_rule(void **state) {
    (void)state;
    ModelConfig m = model3();
    Plane pl;
    plane_init_axes(&pl, &m, NULL, 0, 1);
    RunConfig run;
    memset(&run, 0, sizeof run);
    run.color = (Rgb){255, 0, 51};
    double params[5 * 3] = {1, 2, 3, 1, 2e12, 3, 0, 0, 0, 1, 1, 1, 2, 2, 2};
    double loss[5] = {1, 2, 3, 4, 5};
    Trajectory t = {.run = &run,
                    .nparams = 3,
                    .nrows = 5,
                    .params = params,
                    .loss = loss,
                    .status = RUN_MOVING};
    ViewTrail vt;
    assert_int_equal(plane_trail_init(&vt, &pl, &t), 0);
    /* Row 1's b is beyond 1e12: rows 0 only are drawn, all are projected. */
    assert_int_equal(vt.npoints, 1);
    assert_near(vt.uv[2 * 4], 2, 0);
    assert_near(vt.dist[0], 3, 0);
    assert_near(vt.color[2], 0.2f, 1e-7);
    plane_trail_free(&vt);
    /* c off the plane does not cut; a non-finite loss does, but a finite
     * loss beyond the limit does not (the trail shows where it left). */
    params[4] = 2;
    params[5] = 1e300;
    loss[1] = 1e30;
    loss[3] = NAN;
    assert_int_equal(plane_trail_init(&vt, &pl, &t), 0);
    assert_int_equal(vt.npoints, 3);
    plane_trail_free(&vt);
    plane_trail_free(&vt); /* idempotent */
}

/* PCA against a decomposition known in advance: rows D = U S V^T with
 * U = I (one row per direction, some negated: a row's sign does not
 * matter), so the principal directions are V's rows in order of S and
 * the explained shares S^2 / sum S^2. Sign convention: each direction's
 * largest-magnitude entry is positive. */
static void test_pca_known_svd(void **state) {
    (void)state;
    const double v[4][4] = {
        {0.6, -0.8, 0, 0}, {0, 0, 0.28, 0.96}, {0.8, 0.6, 0, 0}, {0, 0, 0.96, -0.28}};
    const double sv[4] = {3, 2, 1, 0.5}, sign[4] = {-1, 1, -1, 1};
    double rows[4 * 4];
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < 4; i++)
            rows[r * 4 + i] = sign[r] * sv[r] * v[r][i];
    double dir[2][GD_MAX_PARAMS], explained[2];
    assert_int_equal(plane_pca(rows, 4, 4, dir, explained), 0);
    /* v[0]'s largest entry is -0.8: flipped. v[1]'s is 0.96: kept. */
    const double want0[4] = {-0.6, 0.8, 0, 0}, want1[4] = {0, 0, 0.28, 0.96};
    for (int i = 0; i < 4; i++) {
        assert_near(dir[0][i], want0[i], 1e-14);
        assert_near(dir[1][i], want1[i], 1e-14);
    }
    assert_near(explained[0], 9 / 14.25, 1e-14);
    assert_near(explained[1], 4 / 14.25, 1e-14);
    /* Rows that never leave the origin span nothing. */
    memset(rows, 0, sizeof rows);
    assert_int_equal(plane_pca(rows, 4, 4, dir, explained), -1);
}

/* A two-parameter model's plane is the identity: every distance is 0. */
static void test_two_params_distance_zero(void **state) {
    (void)state;
    ModelConfig m = model3();
    m.nparams = 2;
    Plane pl;
    plane_init_axes(&pl, &m, NULL, 0, 1);
    RunConfig run;
    memset(&run, 0, sizeof run);
    double params[3 * 2] = {1, 2, -3.5, 1e5, 0.1, -0.2}, loss[3] = {1, 2, 3};
    Trajectory t = {.run = &run, .nparams = 2, .nrows = 3, .params = params, .loss = loss};
    ViewTrail vt;
    assert_int_equal(plane_trail_init(&vt, &pl, &t), 0);
    for (int k = 0; k < 3; k++) {
        assert_true(vt.dist[k] == 0);
        assert_true(vt.uv[2 * k] == params[2 * k] && vt.uv[2 * k + 1] == params[2 * k + 1]);
    }
    plane_trail_free(&vt);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axis_plane_is_exact),          cmocka_unit_test(test_general_plane),
        cmocka_unit_test(test_trail_cut_by_divergence_rule), cmocka_unit_test(test_pca_known_svd),
        cmocka_unit_test(test_two_params_distance_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
