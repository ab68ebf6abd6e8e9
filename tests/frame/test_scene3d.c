/*
 * test_scene3d.c — the 3D scene's promises, checked on pixels of whole
 * frames: per-pixel depth (a trail behind a hill is hidden, or faint
 * through a translucent surface; in front it is drawn over), no cracks in
 * the mesh as the camera turns, the gradient arrows and the basin map on
 * the floor.
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

#include "config/config.h"
#include "frame/compose.h"
#include "sim/sim.h"
#include "testutil.h"
#include "view/view.h"

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
    View view;
    assert_int_equal(view_build(&view, &cfg, tr, 2, &err), 0);
    Composer c;
    assert_int_equal(compose_init(&c, &cfg, &view, w, h, q, &err), 0);
    ComposerScratch sc;
    assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    assert_non_null(rgb);
    compose_frame(&c, &sc, frame < 0 ? config_frame_count(&cfg) - 1 : frame, rgb);
    compose_scratch_free(&sc);
    compose_free(&c);
    view_free(&view);
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

/* A run of more than SCENE3D_TRAIL_EXACT steps is drawn through the rows
 * that move on screen (scene3d.c, build_trails): 40000 steps that creep
 * into the bowl's bottom look like the first 5000 of them, by then within
 * 1e-300 of it. Only the readout's step count may differ, so the pixels
 * are compared below it; the magenta count says a trail is there. */
static void test_long_trail_drawn_like_short(void **state) {
    (void)state;
    ConfigOverride shorter[3] = {{"camera.key=0, -60, 50, 1"}, {"run.lr=0.3"}, {"run.steps=5000"}};
    ConfigOverride longer[3] = {{"camera.key=0, -60, 50, 1"}, {"run.lr=0.3"}, {"run.steps=40000"}};
    uint8_t *a =
        render_text_frame(bowl_config, NULL, NULL, shorter, 3, 640, 360, QUALITY_MEDIUM, -1);
    uint8_t *b =
        render_text_frame(bowl_config, NULL, NULL, longer, 3, 640, 360, QUALITY_MEDIUM, -1);
    int trail = 0, differ = 0;
    for (int y = 60; y < 360; y++)
        for (int x = 0; x < 640; x++) {
            const uint8_t *p = a + 3 * (y * 640 + x), *q = b + 3 * (y * 640 + x);
            trail += p[0] - p[1] > 50 && p[2] - p[1] > 50;
            differ += abs(p[0] - q[0]) > 40 || abs(p[1] - q[1]) > 40 || abs(p[2] - q[2]) > 40;
        }
    if (trail < 80 || differ > 10)
        print_error("trail pixels %d, pixels that differ %d\n", trail, differ);
    assert_true(trail >= 80);
    assert_true(differ <= 10);
    free(a);
    free(b);
}

/* How much the mesh lines darken each pixel: the sum of the channels
 * without them minus the sum with them (0 above the readout band). */
static int *wire_darkening(const char *res) {
    ConfigOverride off[3] = {{"camera.key=0, -60, 35, 1"}, {"surface.wireframe=no"}, {res}};
    ConfigOverride on[3] = {{"camera.key=0, -60, 35, 1"}, {"surface.wireframe=yes"}, {res}};
    uint8_t *a = render_text_frame(bowl_config, NULL, NULL, off, 3, 640, 360, QUALITY_MEDIUM, 0);
    uint8_t *b = render_text_frame(bowl_config, NULL, NULL, on, 3, 640, 360, QUALITY_MEDIUM, 0);
    int *d = calloc(640 * 360, sizeof *d);
    assert_non_null(d);
    for (int i = 40 * 640; i < 640 * 360; i++) {
        const uint8_t *p = a + 3 * i, *q = b + 3 * i;
        d[i] = p[0] + p[1] + p[2] - (q[0] + q[1] + q[2]);
    }
    free(a);
    free(b);
    return d;
}

/* A grid finer than SCENE3D_MERGE_MIN_CELLS draws its mesh lines merged
 * (scene3d.c, MergedLine): resolution 241 puts them on the same 21 grid
 * lines as resolution 61, which draws one line per cell. Where either
 * darkens a pixel clearly (by more than 12), the other darkens it too;
 * the merged lines are a little lighter (no overlapping round caps at
 * every cell), not elsewhere. */
static void test_fine_mesh_lines_merged_in_place(void **state) {
    (void)state;
    int *d61 = wire_darkening("surface.resolution=61");
    int *d241 = wire_darkening("surface.resolution=241");
    int n61 = 0, n241 = 0, in241 = 0, in61 = 0;
    long sum61 = 0, sum241 = 0;
    for (int i = 0; i < 640 * 360; i++) {
        if (d61[i] > 12) {
            n61++;
            in241 += d241[i] > 3;
        }
        if (d241[i] > 12) {
            n241++;
            in61 += d61[i] > 3;
        }
        sum61 += d61[i] > 0 ? d61[i] : 0;
        sum241 += d241[i] > 0 ? d241[i] : 0;
    }
    if (n61 < 1500 || in241 < 0.97 * n61 || in61 < 0.97 * n241 || sum241 < 0.7 * sum61 ||
        sum241 > 1.05 * sum61)
        print_error("mesh pixels: %d at 61 (%d darker at 241), %d at 241 (%d at 61); "
                    "darkening %ld at 61, %ld at 241\n",
                    n61, in241, n241, in61, sum61, sum241);
    assert_true(n61 >= 1500);
    assert_true(in241 >= 0.97 * n61);
    assert_true(in61 >= 0.97 * n241);
    assert_true(sum241 >= 0.7 * sum61 && sum241 <= 1.05 * sum61);
    free(d61);
    free(d241);
}

enum { MW = 1280, MH = 720 };

/* The hill scene at frame 0 (the ball still at its start) at MW x MH from
 * the given camera, opaque, with `mark` (a [mark] section, or "") added: the frame,
 * the output pixel where the surface point (a, b) shows, and the strings
 * drawn. */
static uint8_t *render_mark(const char *mark, double azimuth, double elevation, double a, double b,
                            double *mx, double *my, TextBox *boxes, int cap, int *nboxes) {
    const char *dir = tu_tmpdir();
    char text[4096], cam[64];
    snprintf(text, sizeof text, "%s%s", hill_config, mark);
    snprintf(cam, sizeof cam, "camera.key=0, %g, %g, 1", azimuth, elevation);
    ConfigOverride ov[2] = {{cam}, {"surface.opacity=1"}};
    char *path = tu_write_file(dir, "scene.ini", text);
    free(tu_write_file(dir, "one.csv", "x,y\n0,0\n"));
    static Config cfg;
    static Trajectory tr[1];
    GdError err;
    assert_int_equal(config_load(path, ov, 2, &cfg, &err), 0);
    assert_int_equal(sim_run_all(&cfg, tr, &err), 0);
    static View view;
    assert_int_equal(view_build(&view, &cfg, tr, 2, &err), 0);
    static Composer c;
    assert_int_equal(compose_init(&c, &cfg, &view, MW, MH, QUALITY_MEDIUM, &err), 0);
    ComposerScratch sc;
    assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
    uint8_t *rgb = malloc((size_t)MW * MH * 3);
    assert_non_null(rgb);
    text_record(sc.text, boxes, cap, nboxes);
    compose_frame(&c, &sc, 0, rgb);
    text_record(sc.text, NULL, 0, NULL);
    /* Where the point is drawn: the view's camera at frame 0. */
    TimelineMoment m;
    timeline_moment(&cfg, view.max_steps, 0, &m);
    CameraPose pose =
        camera_pose_at(&cfg.camera, &view.orbit, m.t, cfg.video.duration + cfg.video.hold);
    view_camera_target(&view, &cfg, m.step, pose.target);
    pose.zoom *= c.views[0].fit;
    Rect v = c.views[0].view3d;
    Camera co;
    camera_setup(&co, pose, floor(v.x), v.y, floor(v.w), v.h);
    double w[3] = {landscape_box(&view.land, 0, a), landscape_box(&view.land, 1, b), 0};
    w[2] = camera_surface_z(&view.land, w[0], w[1]);
    float x, y, z;
    assert_true(camera_project(&co, w, &x, &y, &z));
    *mx = x;
    *my = y;
    compose_scratch_free(&sc);
    compose_free(&c);
    view_free(&view);
    trajectory_free(&tr[0]);
    config_free(&cfg);
    free(path);
    tu_remove_dir(dir);
    return rgb;
}

/* Cyan pixels (the mark's colour: no gray surface, green background or
 * magenta trail has it) within r of (x, y). */
static int count_cyan(const uint8_t *rgb, double x, double y, int r) {
    int n = 0;
    for (int j = (int)y - r; j <= (int)y + r; j++)
        for (int i = (int)x - r; i <= (int)x + r; i++) {
            if (i < 0 || j < 0 || i >= MW || j >= MH)
                continue;
            const uint8_t *p = rgb + 3 * (j * MW + i);
            n += p[0] < 60 && p[1] > 200 && p[2] > 200;
        }
    return n;
}

static int has_text(const TextBox *b, int n, const char *s) {
    for (int i = 0; i < n; i++)
        if (strcmp(b[i].text, s) == 0)
            return 1;
    return 0;
}

/* A [mark] in the basin behind the hill: from above, its diamond (in its
 * colour, where the basin point projects, and nowhere in a frame without
 * the mark) and its label show; from low down, behind the opaque hill,
 * neither does. */
static void test_marks_show_unless_hidden(void **state) {
    (void)state;
    static const char *mark = "[mark basin]\nat = -1, 1\ncolor = #00ffff\n";
    static TextBox boxes[256];
    int n = 0;
    double x, y;
    uint8_t *plain = render_mark("", -45, 60, -1, 1, &x, &y, boxes, 256, &n);
    assert_false(has_text(boxes, n, "basin"));
    uint8_t *marked = render_mark(mark, -45, 60, -1, 1, &x, &y, boxes, 256, &n);
    assert_true(has_text(boxes, n, "basin"));
    int with = count_cyan(marked, x, y, 4), without = count_cyan(plain, x, y, 4);
    if (!(with >= 20 && without == 0))
        print_error("cyan pixels at (%.0f, %.0f): %d with the mark, %d without\n", x, y, with,
                    without);
    assert_true(with >= 20 && without == 0);
    int changed = 0;
    for (int j = (int)y - 6; j <= (int)y + 6; j++)
        for (int i = (int)x - 6; i <= (int)x + 6; i++)
            changed += memcmp(marked + 3 * (j * MW + i), plain + 3 * (j * MW + i), 3) != 0;
    assert_true(changed >= 40);
    free(plain);
    free(marked);

    /* Behind the hill: no cyan anywhere, and no label, though the point
     * projects inside the view. */
    marked = render_mark(mark, -45, 12, -1, 1, &x, &y, boxes, 256, &n);
    assert_true(x > 100 && x < MW - 100 && y > 100 && y < MH - 100);
    int anywhere = count_cyan(marked, MW / 2, MH / 2, MW / 2);
    assert_int_equal(anywhere, 0);
    assert_false(has_text(boxes, n, "basin"));
    free(marked);
}

/* Pixels of the global basin's green (frame_basin_color) in a frame. */
static int count_green(const uint8_t *rgb, int w, int h) {
    int n = 0;
    for (int i = 0; i < w * h; i++) {
        const uint8_t *p = rgb + 3 * i;
        n += abs(p[0] - 0x98) <= 2 && abs(p[1] - 0xdf) <= 2 && abs(p[2] - 0x8a) <= 2;
    }
    return n;
}

static void test_basins_on_the_floor(void **state) {
    (void)state;
    /* The line fit converges from every start: one basin, green. From
     * above, through an invisible surface, the floor shows it with
     * [basins] floor = yes, and the plain pane without. */
    ConfigOverride off[6] = {
        {"camera.key=0, -60, 80, 1"}, {"surface.opacity=0"}, {"run.lr=0.3"}, {"run.steps=300"},
        {"basins.resolution=8"},      {"basins.floor=no"}};
    ConfigOverride on[6] = {
        {"camera.key=0, -60, 80, 1"}, {"surface.opacity=0"}, {"run.lr=0.3"}, {"run.steps=300"},
        {"basins.resolution=8"},      {"basins.floor=yes"}};
    uint8_t *a = render_text_frame(bowl_config, NULL, NULL, off, 6, 640, 360, QUALITY_MEDIUM, 0);
    uint8_t *b = render_text_frame(bowl_config, NULL, NULL, on, 6, 640, 360, QUALITY_MEDIUM, 0);
    int without = count_green(a, 640, 360), with = count_green(b, 640, 360);
    if (!(without == 0 && with > 20000))
        print_error("green pixels: %d without the drape, %d with\n", without, with);
    assert_int_equal(without, 0);
    assert_true(with > 20000);
    free(a);
    free(b);
}

static int overlaps(Rect a, Rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Every shipped config at three sizes, at its first, middle and last
 * frame: the box's labels never touch each other or the loss column, and
 * stay inside their view; each axis keeps some ticks. */
static void test_labels_never_collide(void **state) {
    (void)state;
    int nconfigs;
    const char *const *configs = tu_shipped_configs(&nconfigs);
    static const int sizes[3][2] = {{640, 360}, {1280, 720}, {1920, 1080}};
    GdError err;
    TextRenderer *tr = text_create(text_default_font(), &err);
    assert_non_null(tr);
    for (int i = 0; i < nconfigs; i++) {
        const char *path = configs[i];
        static Config cfg;
        static Trajectory trajs[GD_MAX_RUNS];
        if (config_load(path, NULL, 0, &cfg, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(sim_run_all(&cfg, trajs, &err), 0);
        View view;
        assert_int_equal(view_build(&view, &cfg, trajs, 2, &err), 0);
        for (int z = 0; z < 3; z++) {
            static Composer c;
            assert_int_equal(
                compose_init(&c, &cfg, &view, sizes[z][0], sizes[z][1], QUALITY_MEDIUM, &err), 0);
            int n = config_frame_count(&cfg), frames[3] = {0, n / 2, n - 1};
            for (int f = 0; f < 3; f++) {
                TimelineMoment m;
                timeline_moment(&cfg, view.max_steps, frames[f], &m);
                CameraPose pose = camera_pose_at(&cfg.camera, &view.orbit, m.t,
                                                 cfg.video.duration + cfg.video.hold);
                pose.zoom *= c.views[0].fit;
                Rect v = c.views[0].view3d, box[64];
                int nb = scene3d_label_boxes(&c.scene, tr, v, pose, c.spec.scale, box, 64);
                if (nb < 6)
                    fail_msg("%s %dx%d frame %d: only %d labels", tu_config_name(configs[i]),
                             sizes[z][0], sizes[z][1], frames[f], nb);
                for (int a = 0; a < nb; a++) {
                    assert_true(box[a].x >= v.x && box[a].x + box[a].w <= v.x + v.w);
                    assert_true(box[a].y >= v.y && box[a].y + box[a].h <= v.y + v.h);
                    for (int b = a + 1; b < nb; b++)
                        if (overlaps(box[a], box[b]))
                            fail_msg("%s %dx%d frame %d: labels %d and %d overlap",
                                     tu_config_name(configs[i]), sizes[z][0], sizes[z][1],
                                     frames[f], a, b);
                }
            }
            compose_free(&c);
        }
        view_free(&view);
        for (int r = 0; r < cfg.nruns; r++)
            trajectory_free(&trajs[r]);
        config_free(&cfg);
    }
    text_destroy(tr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trail_in_front_is_drawn_over),
        cmocka_unit_test(test_trail_behind_hill_is_hidden),
        cmocka_unit_test(test_trail_behind_translucent_hill_is_faint),
        cmocka_unit_test(test_no_cracks_as_camera_turns),
        cmocka_unit_test(test_gradient_arrows),
        cmocka_unit_test(test_long_trail_drawn_like_short),
        cmocka_unit_test(test_fine_mesh_lines_merged_in_place),
        cmocka_unit_test(test_basins_on_the_floor),
        cmocka_unit_test(test_labels_never_collide),
        cmocka_unit_test(test_marks_show_unless_hidden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
