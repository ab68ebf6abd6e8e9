/*
 * test_camera.c — camera keyframes and easing, the default orbit, and the
 * world -> screen projection.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "view/camera.h"
#include "testutil.h"

static void test_camera_keyframes(void **state) {
    (void)state;
    CameraConfig cam;
    memset(&cam, 0, sizeof cam);
    cam.nkeys = 2;
    cam.keys[0] = (CameraKey){0, 0, 10, 1};
    cam.keys[1] = (CameraKey){2, 90, 50, 4};
    cam.ease = EASE_SMOOTH;
    CameraPose p = camera_pose_at(&cam, NULL, 1.0, 10);
    assert_near(p.azimuth, 45, 1e-12);
    assert_near(p.elevation, 30, 1e-12);
    assert_near(p.zoom, 2, 1e-12);           /* geometric: halfway from 1 to 4 is 2 */
    p = camera_pose_at(&cam, NULL, 0.5, 10); /* smoothstep(0.25) = 0.15625 */
    assert_near(p.azimuth, 90 * 0.15625, 1e-12);
    cam.ease = EASE_LINEAR;
    p = camera_pose_at(&cam, NULL, 0.5, 10);
    assert_near(p.azimuth, 22.5, 1e-12);
    p = camera_pose_at(&cam, NULL, -1, 10);
    assert_near(p.azimuth, 0, 0);
    p = camera_pose_at(&cam, NULL, 7, 10);
    assert_near(p.azimuth, 90, 0);
    assert_near(p.zoom, 4, 0);
    cam.nkeys = 0; /* default orbit: -75 -> -35 degrees */
    assert_near(camera_pose_at(&cam, NULL, 0, 10).azimuth, -75, 1e-12);
    assert_near(camera_pose_at(&cam, NULL, 10, 10).azimuth, -35, 1e-12);
    assert_near(camera_pose_at(&cam, NULL, 5, 10).azimuth, -55, 1e-12);
}

static void test_projection(void **state) {
    (void)state;
    /* matplotlib's view_init(30, -60): the box centre lands in the middle
     * of the viewport, and a point nearer the eye has smaller depth. */
    Camera c;
    camera_setup(&c, (CameraPose){-60, 30, 1, {0, 0, 0}}, 0, 0, 400, 200);
    double origin[3] = {0, 0, 0}, near[3] = {0.5, -0.866, 0.5};
    float x, y, z1, z2;
    assert_true(camera_project(&c, origin, &x, &y, &z1));
    assert_near(x, 200, 1e-3);
    assert_near(y, 100, 1e-3);
    assert_true(camera_project(&c, near, &x, &y, &z2));
    assert_true(z2 < z1);
    double up[3] = {0, 0, 0.5};
    assert_true(camera_project(&c, up, &x, &y, &z1));
    assert_true(y < 100); /* +z is up on screen */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_camera_keyframes),
        cmocka_unit_test(test_projection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
