/*
 * test_orbit.c — the default camera orbit keeps the balls in sight: for
 * every shipped config, without its keyframes, the orbit view_build
 * chooses shows each run's ball (mostly not behind the surface, inside the
 * picture) in at least 95% of the moments judged, and never less than the
 * classic orbit does; so does each config's own camera as shipped. (A
 * one-parameter config's loss curve has no camera: test_curve.c.)
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
#include "view/orbit.h"
#include "view/view.h"

static void test_shipped_configs_keep_balls_visible(void **state) {
    (void)state;
    int nconfigs;
    const char *const *configs = tu_shipped_configs(&nconfigs);
    int failures = 0;
    for (int i = 0; i < nconfigs; i++) {
        const char *path = configs[i];
        static Config cfg;
        static Trajectory trajs[GD_MAX_RUNS];
        GdError err;
        if (config_load(path, NULL, 0, &cfg, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(sim_run_all(&cfg, trajs, &err), 0);
        if (cfg.model.nparams == 1) {
            /* A loss curve is a 2D plot without a camera (test_curve.c
             * checks its balls). */
            for (int r = 0; r < cfg.nruns; r++)
                trajectory_free(&trajs[r]);
            config_free(&cfg);
            continue;
        }
        View v;
        /* The config's own camera, as shipped, shows the balls too. */
        assert_int_equal(view_build(&v, &cfg, trajs, 2, &err), 0);
        OrbitScore own = orbit_score(&cfg, &v.land, v.trails, v.ntrails, v.max_steps, &v.orbit);
        print_message("%-18s as shipped (%d keys): balls %.2f trails %.2f\n",
                      tu_config_name(configs[i]), cfg.camera.nkeys, own.balls, own.trails);
        failures += own.balls < 0.95;
        view_free(&v);
        cfg.camera.nkeys = 0; /* the default orbit */
        assert_int_equal(view_build(&v, &cfg, trajs, 2, &err), 0);
        OrbitScore chosen = orbit_score(&cfg, &v.land, v.trails, v.ntrails, v.max_steps, &v.orbit);
        OrbitScore classic =
            orbit_score(&cfg, &v.land, v.trails, v.ntrails, v.max_steps, &CAMERA_ORBIT_CLASSIC);
        print_message("%-18s orbit (%g, %g): balls %.2f trails %.2f; classic: %.2f %.2f\n",
                      tu_config_name(configs[i]), v.orbit.azimuth, v.orbit.elevation, chosen.balls,
                      chosen.trails, classic.balls, classic.trails);
        assert_true(chosen.balls >= 0.95);
        assert_true(chosen.balls >= classic.balls);
        view_free(&v);
        for (int r = 0; r < cfg.nruns; r++)
            trajectory_free(&trajs[r]);
        config_free(&cfg);
    }
    assert_int_equal(failures, 0);
}

/* A ball behind a hill is judged hidden: a bump between the eye and a
 * basin, seen from low down, hides the ball in the basin. */
static void test_hill_hides_the_ball(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *data = tu_write_file(dir, "one.csv", "x,y\n0,0\n");
    char *path =
        tu_write_file(dir, "hill.ini",
                      "[data]\nfile = one.csv\n[model]\nparams = a, b\n"
                      "formula = sqrt(4*exp(-2*((a-1)^2 + (b+1)^2)) + 0.05*((a+1)^2 + (b-1)^2))\n"
                      "[surface]\na = -2.5, 2.5\nb = -2.5, 2.5\n[run]\ninit = -1, 1\nsteps = 0\n");
    static Config cfg;
    static Trajectory t[1];
    GdError err;
    if (config_load(path, NULL, 0, &cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run_all(&cfg, t, &err), 0);
    View v;
    assert_int_equal(view_build(&v, &cfg, t, 1, &err), 0);
    /* The hill at (1, -1) stands between an eye at azimuth -45 and the ball
     * at (-1, 1); from above the ball is in plain sight. */
    CameraOrbit low = {-45 - 20, 8}, high = {-45 - 20, 70};
    assert_true(orbit_score(&cfg, &v.land, v.trails, 1, v.max_steps, &low).balls < 0.5);
    assert_true(orbit_score(&cfg, &v.land, v.trails, 1, v.max_steps, &high).balls > 0.99);
    view_free(&v);
    trajectory_free(&t[0]);
    config_free(&cfg);
    free(path);
    free(data);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hill_hides_the_ball),
        cmocka_unit_test(test_shipped_configs_keep_balls_visible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
