/*
 * test_render.c — the renderer's promises, checked on pixels and files:
 * per-pixel depth (a trail behind a hill is hidden, or faint through a
 * translucent surface; in front it is drawn over), no cracks in the mesh,
 * camera keyframes and pacing, and whole videos through the command line
 * (frame counts, codec, metadata, stills, atomic writes, bad input).
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "view/camera.h"
#include "config/config.h"
#include "frame/scene.h"
#include "sim/sim.h"
#include "testutil.h"
#include "view/timeline.h"

extern char **environ;

/* A hill in front of a basin. The loss is the formula squared at the one
 * data point (0, 0): a bump of height 4 at (1, -1), in front of the eye at
 * azimuth -45, and a shallow bowl around (-1, 1) behind it, where the run
 * goes. The run's colour is one no gray surface can have. */
static const char *hill_config =
    "[video]\n"
    "width = 640\n"
    "height = 360\n"
    "background = #00ff00\n"
    "[data]\n"
    "file = one.csv\n"
    "[model]\n"
    "params = a, b\n"
    "formula = sqrt(4*exp(-2*((a-1)^2 + (b+1)^2)) + 0.05*((a+1)^2 + (b-1)^2))\n"
    "[surface]\n"
    "a = -2.5, 2.5\n"
    "b = -2.5, 2.5\n"
    "colormap = gray\n"
    "wireframe = no\n"
    "contours = 0\n"
    "resolution = 50\n"
    "[run]\n"
    "init = 0.2, 0.2\n"
    "lr = 1\n"
    "steps = 60\n"
    "color = #ff00ff\n";

/* A bowl filling the box, for the crack test. */
static const char *bowl_config = "[video]\n"
                                 "width = 320\n"
                                 "height = 180\n"
                                 "background = #00ff00\n"
                                 "[data]\n"
                                 "x = linspace(-1, 1, 50)\n"
                                 "true = 0, 0\n"
                                 "noise = 0\n"
                                 "[model]\n"
                                 "params = a, b\n"
                                 "formula = a*x + b\n"
                                 "[surface]\n"
                                 "a = -3, 3\n"
                                 "b = -3, 3\n"
                                 "colormap = gray\n"
                                 "wireframe = no\n"
                                 "contours = 0\n"
                                 "resolution = 40\n"
                                 "[run]\n"
                                 "init = 0.6, 0.5\n"
                                 "lr = 0.05\n"
                                 "steps = 40\n"
                                 "color = #ff00ff\n";

/* Loads the config text (written to a temporary folder with the extra
 * files given), simulates it and renders one frame of w x h at quality q.
 * Returns the frame (malloc'd RGB). */
static uint8_t *render_text_frame(const char *config_text, const char *extra_name,
                                  const char *extra_text, const ConfigOverride *ov, int nov, int w,
                                  int h, Quality q, int frame) {
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "scene.ini", config_text);
    char *extra = extra_name ? tu_write_file(dir, extra_name, extra_text) : NULL;
    Config cfg;
    GdError err;
    assert_int_equal(config_load(path, ov, nov, &cfg, &err), 0);
    Trajectory tr[1];
    assert_int_equal(cfg.nruns, 1);
    assert_int_equal(sim_run_all(&cfg, tr, &err), 0);
    Scene s;
    assert_int_equal(scene_init(&s, &cfg, tr, w, h, q, &err), 0);
    SceneScratch sc;
    assert_int_equal(scene_scratch_init(&sc, &s, &err), 0);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    assert_non_null(rgb);
    scene_render_frame(&s, &sc, frame < 0 ? config_frame_count(&cfg) - 1 : frame, rgb);
    scene_scratch_free(&sc);
    scene_free(&s);
    trajectory_free(&tr[0]);
    config_free(&cfg);
    unlink(path);
    free(path);
    if (extra) {
        unlink(extra);
        free(extra);
    }
    rmdir(dir);
    return rgb;
}

typedef struct Counts {
    int pure;   /* the trail's own colour */
    int tinted; /* the trail's colour seen through the surface */
    int bg;     /* background */
} Counts;

/* Renders the last frame of the hill scene with the given camera and
 * opacity and counts pixel kinds below the readout band. */
static Counts render_hill(double elevation, double opacity, double azimuth) {
    char cam[64], op[64];
    snprintf(cam, sizeof cam, "camera.key=0, %g, %g, 1", azimuth, elevation);
    snprintf(op, sizeof op, "surface.opacity=%g", opacity);
    ConfigOverride ov[2] = {{cam}, {op}};
    uint8_t *rgb = render_text_frame(hill_config, "one.csv", "x,y\n0,0\n", ov, 2, 640, 360,
                                     QUALITY_MEDIUM, -1);
    Counts c = {0, 0, 0};
    for (int y = 40; y < 360; y++) {
        for (int x = 0; x < 640; x++) {
            const uint8_t *p = rgb + 3 * (y * 640 + x);
            if (p[0] > 200 && p[1] < 60 && p[2] > 200)
                c.pure++;
            else if (p[0] - p[1] > 50 && p[2] - p[1] > 50)
                c.tinted++;
            if (p[0] < 40 && p[1] > 215 && p[2] < 40)
                c.bg++;
        }
    }
    free(rgb);
    return c;
}

static void test_trail_in_front_is_drawn_over(void **state) {
    (void)state;
    /* From high above, the trail in the basin faces the eye. */
    Counts c = render_hill(60, 1.0, -45);
    if (c.pure <= 40)
        print_error("pure trail pixels: %d\n", c.pure);
    assert_true(c.pure > 40);
}

static void test_trail_behind_hill_is_hidden(void **state) {
    (void)state;
    /* From low down, the hill hides the basin: an opaque surface hides
     * every trail pixel (a painter's sort of whole polygons would not). */
    Counts c = render_hill(12, 1.0, -45);
    assert_int_equal(c.pure, 0);
    assert_int_equal(c.tinted, 0);
}

static void test_trail_behind_translucent_hill_is_faint(void **state) {
    (void)state;
    Counts c = render_hill(12, 0.6, -45);
    assert_int_equal(c.pure, 0); /* never at full strength through a hill */
    assert_true(c.tinted > 40);  /* but there, faintly */
}

static void test_no_cracks_as_camera_turns(void **state) {
    (void)state;
    /* Looking straight down at an opaque surface, no background may show
     * through between its triangles, at any azimuth. */
    for (int az = -90; az <= 90; az += 37) {
        char cam[64];
        snprintf(cam, sizeof cam, "camera.key=0, %d, 90, 1.6", az);
        ConfigOverride ov[2] = {{cam}, {"surface.opacity=1"}};
        uint8_t *rgb =
            render_text_frame(bowl_config, NULL, NULL, ov, 2, 320, 180, QUALITY_DRAFT, 0);
        /* The central 60x60 pixels lie inside the box's footprint. */
        for (int y = 60; y < 120; y++)
            for (int x = 130; x < 190; x++) {
                const uint8_t *p = rgb + 3 * (y * 320 + x);
                assert_false(p[1] > 200 && p[0] < 60 && p[2] < 60);
            }
        free(rgb);
    }
}

/* Near-black pixels of a frame below the readout band. */
static int count_ink(const uint8_t *rgb, int w, int h) {
    int n = 0;
    for (int y = 40; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = rgb + 3 * (y * w + x);
            n += p[0] < 30 && p[1] < 30 && p[2] < 30;
        }
    return n;
}

static void test_gradient_arrows(void **state) {
    (void)state;
    /* [surface] arrows = yes draws a near-black arrow at the ball; without
     * it nothing in the 3D view is that dark. Midway through the run, from
     * above, so the arrow faces the eye. */
    ConfigOverride off[2] = {{"camera.key=0, -60, 60, 1"}, {"surface.arrows=no"}};
    ConfigOverride on[2] = {{"camera.key=0, -60, 60, 1"}, {"surface.arrows=yes"}};
    uint8_t *a = render_text_frame(bowl_config, NULL, NULL, off, 2, 640, 360, QUALITY_MEDIUM, 30);
    uint8_t *b = render_text_frame(bowl_config, NULL, NULL, on, 2, 640, 360, QUALITY_MEDIUM, 30);
    int without = count_ink(a, 640, 360), with = count_ink(b, 640, 360);
    if (!(with > without + 20))
        print_error("dark pixels: %d without arrows, %d with\n", without, with);
    assert_true(with > without + 20);
    free(a);
    free(b);
}

static void test_camera_keyframes(void **state) {
    (void)state;
    CameraConfig cam;
    memset(&cam, 0, sizeof cam);
    cam.nkeys = 2;
    cam.keys[0] = (CameraKey){0, 0, 10, 1};
    cam.keys[1] = (CameraKey){2, 90, 50, 4};
    cam.ease = EASE_SMOOTH;
    CameraPose p = camera_pose_at(&cam, 1.0, 10);
    assert_near(p.azimuth, 45, 1e-12);
    assert_near(p.elevation, 30, 1e-12);
    assert_near(p.zoom, 2, 1e-12);     /* geometric: halfway from 1 to 4 is 2 */
    p = camera_pose_at(&cam, 0.5, 10); /* smoothstep(0.25) = 0.15625 */
    assert_near(p.azimuth, 90 * 0.15625, 1e-12);
    cam.ease = EASE_LINEAR;
    p = camera_pose_at(&cam, 0.5, 10);
    assert_near(p.azimuth, 22.5, 1e-12);
    p = camera_pose_at(&cam, -1, 10);
    assert_near(p.azimuth, 0, 0);
    p = camera_pose_at(&cam, 7, 10);
    assert_near(p.azimuth, 90, 0);
    assert_near(p.zoom, 4, 0);
    cam.nkeys = 0; /* default orbit: -75 -> -35 degrees */
    assert_near(camera_pose_at(&cam, 0, 10).azimuth, -75, 1e-12);
    assert_near(camera_pose_at(&cam, 10, 10).azimuth, -35, 1e-12);
    assert_near(camera_pose_at(&cam, 5, 10).azimuth, -55, 1e-12);
}

static void test_projection(void **state) {
    (void)state;
    /* matplotlib's view_init(30, -60): the box centre lands in the middle
     * of the viewport, and a point nearer the eye has smaller depth. */
    Camera c;
    camera_setup(&c, (CameraPose){-60, 30, 1}, 0, 0, 400, 200);
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

static void test_timeline_pacing(void **state) {
    (void)state;
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.video.fps = 30;
    cfg.video.duration = 10;
    cfg.video.hold = 2;
    assert_near(timeline_time(&cfg, 45), 1.5, 1e-15);
    assert_near(timeline_step(&cfg, 400, 0), 0, 0);
    assert_near(timeline_step(&cfg, 400, 10), 400, 0);
    assert_near(timeline_step(&cfg, 400, 11.5), 400, 0); /* the hold */
    assert_near(timeline_step(&cfg, 400, 5), 400 * (exp(1.5) - 1) / (exp(3) - 1), 1e-12);
    /* the first 5% of the steps get more than a fifth of the time */
    assert_true(timeline_step(&cfg, 400, 2.0) < 20);
}

/* ------------------------------------------------------------- videos */

/* Runs ffprobe on a file and returns its one-line answer (static). */
static const char *probe(const char *args, const char *path) {
    static char line[8192];
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffprobe -v error %s '%s' 2>&1", args, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(line, 1, sizeof line - 1, p);
    line[n] = '\0';
    pclose(p);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

static void test_shipped_configs_render(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int frames; /* 30 fps x (duration + hold) */
    } configs[] = {{"linear", 360},         {"lr_too_large", 360},  {"empirical_formula", 360},
                   {"global_minimum", 360}, {"local_minimum", 360}, {"good_vs_bad_init", 360},
                   {"learning_rates", 360}, {"optimizers", 420},    {"multi_start", 360}};
    const char *dir = tu_tmpdir();
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
        char cfg[256], out[512];
        snprintf(cfg, sizeof cfg, "configs/%s.ini", configs[i].name);
        snprintf(out, sizeof out, "%s/%s.mp4", dir, configs[i].name);
        RunResult r =
            tu_run((const char *const[]){"-q", "draft", "--no-progress", "-o", out, cfg, NULL});
        if (r.status != 0)
            print_error("%s: %s\n", cfg, r.err);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        tu_run_free(&r);
        /* draft: half of 1280x720 */
        char expect[64];
        snprintf(expect, sizeof expect, "h264,High,640,360,yuv420p,%d", configs[i].frames);
        assert_string_equal(probe("-count_frames -select_streams v:0 -show_entries "
                                  "stream=codec_name,profile,pix_fmt,width,height,nb_read_frames "
                                  "-of csv=p=0",
                                  out),
                            expect);
        unlink(out);
    }
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

static void test_metadata_carries_config(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/m.mp4", dir);
    RunResult r =
        tu_run((const char *const[]){"-q", "draft", "--set", "video.duration=1", "--set",
                                     "video.hold=0", "-o", out, "configs/linear.ini", NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_string_equal(probe("-count_frames -show_entries stream=nb_read_frames -of csv=p=0", out),
                        "30");
    const char *enc = probe("-show_entries format_tags=encoder -of csv=p=0", out);
    assert_true(strncmp(enc, "gdrender " GD_VERSION, strlen("gdrender " GD_VERSION)) == 0);
    const char *comment = probe("-show_entries format_tags=comment -of default=nw=1:nk=1", out);
    /* The effective config, overrides applied, so the video re-renders. */
    assert_non_null(strstr(comment, "formula = a*x + b"));
    assert_non_null(strstr(comment, "duration = 1"));
    unlink(out);
    rmdir(dir);
}

static void test_png_still(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/f.png", dir);
    RunResult r =
        tu_run((const char *const[]){"-f", "12", "-o", out, "configs/lr_too_large.ini", NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_string_equal(probe("-show_entries stream=codec_name,width,height -of csv=p=0", out),
                        "png,1280,720");
    unlink(out);
    rmdir(dir);
}

static void test_bad_outputs_leave_nothing(void **state) {
    (void)state;
    RunResult r =
        tu_run((const char *const[]){"-o", "/nonexistent-dir/x.mp4", "configs/linear.ini", NULL});
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err, "gdrender: /nonexistent-dir/x.mp4: cannot write: No such file or "
                               "directory\n");
    tu_run_free(&r);
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/x.mp4", dir);
    r = tu_run((const char *const[]){"--set", "video.font=/nonexistent.ttf", "-o", out,
                                     "configs/linear.ini", NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: --set video.font=/nonexistent.ttf: [video] font: cannot "
                               "open \"/nonexistent.ttf\": No such file or directory\n");
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

static void test_interrupt_keeps_old_video(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *old = tu_write_file(dir, "v.mp4", "an older video");
    char *argv[] = {
        (char *)GD_BINARY, "--no-progress", "-o", old, "configs/global_minimum.ini", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, GD_BINARY, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    /* Wait until the temporary file exists (encoding has begun). */
    struct timespec tick = {0, 10000000};
    for (int i = 0; i < 3000 && tu_count_entries(dir) < 2; i++)
        nanosleep(&tick, NULL);
    assert_int_equal(tu_count_entries(dir), 2);
    kill(pid, SIGINT);
    int st;
    assert_true(waitpid(pid, &st, 0) == pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    char *text = tu_read_file(old, NULL);
    assert_string_equal(text, "an older video");
    assert_int_equal(tu_count_entries(dir), 1); /* no partial file */
    free(text);
    unlink(old);
    free(old);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trail_in_front_is_drawn_over),
        cmocka_unit_test(test_trail_behind_hill_is_hidden),
        cmocka_unit_test(test_trail_behind_translucent_hill_is_faint),
        cmocka_unit_test(test_no_cracks_as_camera_turns),
        cmocka_unit_test(test_gradient_arrows),
        cmocka_unit_test(test_camera_keyframes),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_timeline_pacing),
        cmocka_unit_test(test_shipped_configs_render),
        cmocka_unit_test(test_metadata_carries_config),
        cmocka_unit_test(test_png_still),
        cmocka_unit_test(test_bad_outputs_leave_nothing),
        cmocka_unit_test(test_interrupt_keeps_old_video),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
