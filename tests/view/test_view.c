/*
 * test_view.c — the view as a whole: [camera] target in world space (a
 * point on the surface, or the centre of what the runs visited so far), a
 * target outside the box refused with the config's file and line, and the
 * axis names from [labels].
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

static const char *TEXT = "[data]\nx = linspace(-1, 1, 21)\ntrue = 1, 0.5\nnoise = 0\n"
                          "[model]\nparams = a, b\nformula = a*x + b\n"
                          "[surface]\na = -1, 3\nb = -1.5, 2.5\n"
                          "[run]\ninit = 3, 2.5\nlr = 0.2\nsteps = 50\n"
                          "[labels]\na = slope\n";

static int load_view(const char *extra, Config *cfg, Trajectory *t, View *v, GdError *err) {
    const char *dir = tu_tmpdir();
    char text[2048];
    snprintf(text, sizeof text, "%s%s", TEXT, extra);
    char *path = tu_write_file(dir, "v.ini", text);
    if (config_load(path, NULL, 0, cfg, err) != 0)
        fail_msg("%s", err->msg);
    unlink(path);
    free(path);
    rmdir(dir);
    assert_int_equal(sim_run_all(cfg, t, err), 0);
    return view_build(v, cfg, t, 1, err);
}

static void test_targets(void **state) {
    (void)state;
    static Config cfg;
    static Trajectory t[1];
    View v;
    GdError err;
    assert_int_equal(load_view("[camera]\ntarget = 1, 0.5\n", &cfg, t, &v, &err), 0);
    assert_string_equal(v.plane.name[0], "slope"); /* [labels] */
    assert_string_equal(v.plane.name[1], "b");
    double w[3];
    view_camera_target(&v, &cfg, 0, w);
    /* (1, 0.5) is the box centre in a and b: box coordinates (0, 0); the
     * loss there is 0, the bottom of the box. */
    assert_near(w[0], 0, 1e-12);
    assert_near(w[1], 0, 1e-12);
    assert_near(w[2], -CAMERA_BOX_HALF_Z, 1e-9);
    view_free(&v);
    trajectory_free(&t[0]);
    config_free(&cfg);

    assert_int_equal(load_view("[camera]\ntarget = trails\n", &cfg, t, &v, &err), 0);
    /* At step 0 only the start (3, 2.5) is visited: the box corner. */
    view_camera_target(&v, &cfg, 0, w);
    assert_near(w[0], 1, 1e-12);
    assert_near(w[1], 1, 1e-12);
    /* Later, the centre of the visited rows' bounding box. */
    view_camera_target(&v, &cfg, 50, w);
    double lo[2] = {1, 1}, hi[2] = {-1, -1};
    for (int k = 0; k <= 50; k++)
        for (int a = 0; a < 2; a++) {
            double b = landscape_box(&v.land, a, v.trails[0].uv[2 * k + a]);
            lo[a] = fmin(lo[a], b);
            hi[a] = fmax(hi[a], b);
        }
    assert_near(w[0], 0.5 * (lo[0] + hi[0]), 1e-12);
    assert_near(w[1], 0.5 * (lo[1] + hi[1]), 1e-12);
    view_free(&v);
    trajectory_free(&t[0]);
    config_free(&cfg);

    /* Outside the box: refused, naming the config line. */
    int rc = load_view("[camera]\ntarget = 5, 0\n", &cfg, t, &v, &err);
    assert_int_equal(rc, GD_ERR_INPUT);
    const char *tail = ":18: [camera] target: (5, 0) is outside the surface box (slope -1..3, b "
                       "-1.5..2.5)";
    if (!strstr(err.msg, tail))
        fail_msg("%s", err.msg);
    trajectory_free(&t[0]);
    config_free(&cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
