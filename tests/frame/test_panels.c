/*
 * test_panels.c — the 2D panels on a real view (config_load, sim_run_all,
 * view_build; no 3D scene is built): data dots and fitted curves where the axis mapping puts
 * them, the loss curve growing only up to the current step, the contour
 * map's bands in the colormap's colours with the trail's markers on top,
 * the colourbar's ends, the basin map's colours and legend, and nothing
 * drawn outside a panel's rectangle.
 */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "draw/colormap.h"
#include "config/config.h"
#include "model/formula.h"
#include "frame/layout.h"
#include "frame/panels.h"
#include "frame/spec.h"
#include "sim/sim.h"
#include "testutil.h"
#include "view/view.h"

/* Run "good" (red) converges from (5, 4); run "wild" (blue) diverges. */
static const char *CONFIG_TEXT = "[video]\n"
                                 "width = 1280\n"
                                 "height = 720\n"
                                 "fps = 10\n"
                                 "duration = 1\n"
                                 "hold = 0\n"
                                 "[data]\n"
                                 "x = linspace(-1, 1, 50)\n"
                                 "true = 1.2, 2.5\n"
                                 "noise = 0.1\n"
                                 "seed = 1\n"
                                 "[model]\n"
                                 "params = a, b\n"
                                 "formula = a*x + b\n"
                                 "[surface]\n"
                                 "a = -2, 7\n"
                                 "b = -2, 7\n"
                                 "resolution = 20\n"
                                 "contours = 5\n"
                                 "colormap = viridis\n"
                                 "[run good]\n"
                                 "init = 5, 4\n"
                                 "lr = 0.1\n"
                                 "steps = 40\n"
                                 "color = #ff0000\n"
                                 "[run wild]\n"
                                 "init = -2, -2\n"
                                 "lr = 3\n"
                                 "steps = 40\n"
                                 "color = #0000ff\n"
                                 "[layout]\n"
                                 "panels = surface, contour, fit, loss\n";

typedef struct Fixture {
    Config cfg;
    Trajectory trajs[2];
    View view;
    FrameSpec spec;
    TextRenderer *tr;
    RasterTarget out;
} Fixture;

/* The panel rectangle inside a larger target filled with a sentinel. */
static const Rect PANEL = {50, 40, 600, 400};
static const uint8_t SENTINEL[3] = {1, 2, 3};

static int setup(void **state) {
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    GdError err;
    gd_error_clear(&err);
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "plots.ini", CONFIG_TEXT);
    if (config_load(path, NULL, 0, &f->cfg, &err) != 0)
        fail_msg("%s", err.msg);
    free(path);
    assert_int_equal(f->cfg.nruns, 2);
    assert_int_equal(sim_run_all(&f->cfg, f->trajs, &err), 0);
    assert_int_equal(view_build(&f->view, &f->cfg, f->trajs, 1, &err), 0);
    frame_spec_init(&f->spec, &f->cfg, &f->view, 1280, 720, QUALITY_MEDIUM);
    f->tr = text_create(text_default_font(), &err);
    if (!f->tr)
        fail_msg("%s", err.msg);
    assert_int_equal(raster_target_init(&f->out, 700, 500, 0), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    Fixture *f = *state;
    raster_target_free(&f->out);
    text_destroy(f->tr);
    view_free(&f->view);
    for (int i = 0; i < 2; i++)
        trajectory_free(&f->trajs[i]);
    config_free(&f->cfg);
    free(f);
    return 0;
}

static void clear_sentinel(RasterTarget *t) {
    raster_clear(t, SENTINEL[0], SENTINEL[1], SENTINEL[2]);
}

static const uint8_t *px(const RasterTarget *t, int x, int y) {
    return t->rgb + ((size_t)y * t->w + x) * 3;
}

/* Nothing outside r changed. */
static void assert_outside_untouched(const RasterTarget *t, Rect r) {
    for (int y = 0; y < t->h; y++)
        for (int x = 0; x < t->w; x++) {
            if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h)
                continue;
            const uint8_t *p = px(t, x, y);
            if (p[0] != SENTINEL[0] || p[1] != SENTINEL[1] || p[2] != SENTINEL[2])
                fail_msg("pixel (%d, %d) outside the panel was drawn", x, y);
        }
}

static int is_red(const uint8_t *p) {
    return p[0] > 200 && p[1] < 80 && p[2] < 80;
}

static int is_blue(const uint8_t *p) {
    return p[2] > 200 && p[0] < 80 && p[1] < 80;
}

static void assert_rgb_near(const uint8_t *p, const float c[3], int tol) {
    for (int q = 0; q < 3; q++) {
        int want = (int)lrintf(c[q] * 255.0f);
        if (abs(p[q] - want) > tol)
            fail_msg("channel %d: got %d, want %d", q, p[q], want);
    }
}

/* Distance from (x, y) to the line through (ax, ay) and (bx, by). */
static double line_dist(double x, double y, double ax, double ay, double bx, double by) {
    double dx = bx - ax, dy = by - ay;
    return fabs((x - ax) * dy - (y - ay) * dx) / sqrt(dx * dx + dy * dy);
}

static void test_fit_panel(void **state) {
    Fixture *f = *state;
    const FrameSpec *s = &f->spec;
    PanelCache *pc = NULL;
    GdError err;
    Layout L;
    layout_compute(&f->cfg, 1280, 720, NULL, NULL, &L);
    assert_int_equal(panels_prepare(s, &L, &pc, &err), 0);
    PlotAxes ax;
    assert_int_equal(panels_axes(s, pc, PANEL_FIT, PANEL, &ax), 1);
    /* The x range is the data's with a 3% margin, y the data's with 12%. */
    assert_near(ax.xlo, -1 - 0.06, 1e-12);
    assert_near(ax.xhi, 1 + 0.06, 1e-12);
    assert_true(ax.x0 > PANEL.x && ax.x1 < PANEL.x + PANEL.w);
    assert_true(ax.y0 > PANEL.y && ax.y1 < PANEL.y + PANEL.h);

    clear_sentinel(&f->out);
    panels_draw_fit(s, pc, f->tr, &f->out, PANEL, 0.0);
    assert_outside_untouched(&f->out, PANEL);

    /* At step 0 the red curve is y = 5x + 4 (the start), a straight line. */
    double lax = panels_map_x(&ax, -1), lay = panels_map_y(&ax, -1.0);
    double lbx = panels_map_x(&ax, 0), lby = panels_map_y(&ax, 4.0);
    int dots = 0;
    for (int i = 0; i < f->cfg.ndata; i++) {
        double x = panels_map_x(&ax, f->cfg.data_x[i]), y = panels_map_y(&ax, f->cfg.data_y[i]);
        if (line_dist(x, y, lax, lay, lbx, lby) < 8)
            continue;
        const uint8_t *p = px(&f->out, (int)floor(x), (int)floor(y));
        assert_int_equal(p[0], 153);
        assert_int_equal(p[1], 153);
        assert_int_equal(p[2], 153);
        dots++;
    }
    assert_true(dots > 30);
    /* On the line at x = -0.45 (y = 1.75): red. */
    double cx = panels_map_x(&ax, -0.45), cy = panels_map_y(&ax, 1.75);
    assert_true(is_red(px(&f->out, (int)floor(cx), (int)floor(cy))));
    /* Red only near that line, and only inside the plot area. */
    int reds = 0;
    for (int y = 0; y < f->out.h; y++)
        for (int x = 0; x < f->out.w; x++)
            if (is_red(px(&f->out, x, y))) {
                reds++;
                assert_true(line_dist(x + 0.5, y + 0.5, lax, lay, lbx, lby) < 2.5);
                assert_true(x >= ax.x0 - 1 && x < ax.x1 + 1 && y >= ax.y0 - 1 && y < ax.y1 + 1);
            }
    assert_true(reds > 100);

    /* At the end the red run has converged: its curve passes through the
     * least-squares line, at x = 0 near b = 2.5. */
    clear_sentinel(&f->out);
    panels_draw_fit(s, pc, f->tr, &f->out, PANEL, 40.0);
    const Trajectory *t = &f->trajs[0];
    const double *p = t->params + (size_t)(t->nrows - 1) * 2;
    double y0 = formula_eval(f->cfg.model.formula, 0.3, p);
    assert_true(
        is_red(px(&f->out, (int)floor(panels_map_x(&ax, 0.3)), (int)floor(panels_map_y(&ax, y0)))));
    assert_outside_untouched(&f->out, PANEL);
    panels_free(pc);
}

static void test_loss_panel(void **state) {
    Fixture *f = *state;
    const FrameSpec *s = &f->spec;
    PanelCache *pc = NULL;
    GdError err;
    Layout L;
    layout_compute(&f->cfg, 1280, 720, NULL, NULL, &L);
    assert_int_equal(panels_prepare(s, &L, &pc, &err), 0);
    const Trajectory *good = &f->trajs[0], *wild = &f->trajs[1];
    assert_int_equal(wild->status, RUN_DIVERGED);
    assert_int_equal(s->view->max_steps, 40);

    PlotAxes ax;
    assert_int_equal(panels_axes(s, pc, PANEL_LOSS, PANEL, &ax), 1);
    assert_int_equal(ax.ylog, 1);
    assert_near(ax.xlo, 0, 0);
    assert_near(ax.xhi, 40, 0);
    /* Whole decades around every finite loss of both runs. */
    double lo = 1e300, hi = 0;
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < s->view->trails[r].npoints; k++) {
            lo = fmin(lo, f->trajs[r].loss[k]);
            hi = fmax(hi, f->trajs[r].loss[k]);
        }
    assert_near(ax.ylo, floor(log10(lo)), 0);
    assert_near(ax.yhi, ceil(log10(hi)), 0);

    const double step = 10.5;
    clear_sentinel(&f->out);
    panels_draw_loss(s, pc, f->tr, &f->out, PANEL, step);
    assert_outside_untouched(&f->out, PANEL);
    /* Red at step 0 and step 10, none right of the current point's dot. */
    assert_true(is_red(px(&f->out, (int)floor(panels_map_x(&ax, 0)),
                          (int)floor(panels_map_y(&ax, good->loss[0])))));
    assert_true(is_red(px(&f->out, (int)floor(panels_map_x(&ax, 10)),
                          (int)floor(panels_map_y(&ax, good->loss[10])))));
    double xcur = panels_map_x(&ax, step);
    int reds = 0;
    for (int y = 0; y < f->out.h; y++)
        for (int x = 0; x < f->out.w; x++)
            if (is_red(px(&f->out, x, y))) {
                reds++;
                assert_true(x < xcur + 3.5 + 1.5);
            }
    assert_true(reds > 50);

    /* The diverged run's curve ends at its last finite row. */
    clear_sentinel(&f->out);
    panels_draw_loss(s, pc, f->tr, &f->out, PANEL, 40.0);
    int last = s->view->trails[1].npoints - 1;
    assert_true(last > 2 && last < 40);
    double xl = panels_map_x(&ax, last);
    int blues = 0;
    for (int y = 0; y < f->out.h; y++)
        for (int x = 0; x < f->out.w; x++)
            if (is_blue(px(&f->out, x, y))) {
                blues++;
                assert_true(x < xl + 3.5 + 1.5);
            }
    assert_true(blues > 30);
    assert_true(is_blue(px(&f->out, (int)floor(panels_map_x(&ax, 1)),
                           (int)floor(panels_map_y(&ax, wild->loss[1])))));
    panels_free(pc);
}

/* Expected band colour of the contour map at parameters (a, b), from the
 * exact loss; *edge gets the distance (in bands) to the nearest band edge. */
static void band_color(const Fixture *f, double a, double b, float c[3], double *edge) {
    const FrameSpec *s = &f->spec;
    const double p[2] = {a, b};
    double l = formula_mse(f->cfg.model.formula, f->cfg.data_x, f->cfg.data_y, NULL, f->cfg.ndata,
                           p, NULL);
    int C = f->cfg.surface.contours;
    double t = (l - s->view->land.zlo) / (s->view->land.zhi - s->view->land.zlo) * C + 0.5;
    double band = floor(t);
    *edge = fmin(t - band, band + 1 - t);
    colormap_eval(f->cfg.surface.colormap, band / C, c);
}

static void test_contour_panel(void **state) {
    Fixture *f = *state;
    const FrameSpec *s = &f->spec;
    Layout L;
    memset(&L, 0, sizeof L);
    L.npanels = 1;
    L.panel_kind[0] = PANEL_CONTOUR;
    L.panel[0] = PANEL;
    PanelCache *pc = NULL;
    GdError err;
    assert_int_equal(panels_prepare(s, &L, &pc, &err), 0);
    PlotAxes ax;
    assert_int_equal(panels_axes(s, pc, PANEL_CONTOUR, PANEL, &ax), 1);
    assert_near(ax.xlo, -2, 0);
    assert_near(ax.xhi, 7, 0);
    assert_near(ax.ylo, -2, 0);
    assert_near(ax.yhi, 7, 0);

    clear_sentinel(&f->out);
    panels_draw_contour(s, pc, f->tr, &f->out, PANEL, &(TimelineMoment){0, 0.0, -1, 0});
    assert_outside_untouched(&f->out, PANEL);
    /* Step 0: the red ball sits on the start (5, 4). */
    double sx = panels_map_x(&ax, 5), sy = panels_map_y(&ax, 4);
    const uint8_t *p = px(&f->out, (int)floor(sx), (int)floor(sy));
    assert_int_equal(p[0], 255);
    assert_int_equal(p[1], 0);
    assert_int_equal(p[2], 0);

    /* Elsewhere the bands of the colormap, away from band edges (contour
     * lines), the balls and the true-value cross. */
    double tx = panels_map_x(&ax, 1.2), ty = panels_map_y(&ax, 2.5);
    double bx = panels_map_x(&ax, -2), by = panels_map_y(&ax, -2);
    int checked = 0;
    for (int j = 0; j < 12; j++)
        for (int i = 0; i < 12; i++) {
            int x = (int)ax.x0 + 2 + (int)((ax.x1 - ax.x0 - 4) * i / 11);
            int y = (int)ax.y0 + 2 + (int)((ax.y1 - ax.y0 - 4) * j / 11);
            double cx = x + 0.5, cy = y + 0.5;
            if (hypot(cx - sx, cy - sy) < 12 || hypot(cx - tx, cy - ty) < 12 ||
                hypot(cx - bx, cy - by) < 12)
                continue;
            double a = ax.xlo + (cx - ax.x0) / (ax.x1 - ax.x0) * (ax.xhi - ax.xlo);
            double b = ax.yhi - (cy - ax.y0) / (ax.y1 - ax.y0) * (ax.yhi - ax.ylo);
            float c[3];
            double edge;
            band_color(f, a, b, c, &edge);
            if (edge < 0.2)
                continue;
            assert_rgb_near(px(&f->out, x, y), c, 0);
            checked++;
        }
    assert_true(checked > 60);

    /* Later: a red ring around the start, the trail inside the area. */
    clear_sentinel(&f->out);
    panels_draw_contour(s, pc, f->tr, &f->out, PANEL, &(TimelineMoment){0, 20.0, 19, 0});
    assert_true(is_red(px(&f->out, (int)floor(sx + 5), (int)floor(sy))));
    assert_outside_untouched(&f->out, PANEL);

    /* The cached image and the on-the-fly path draw the same picture. */
    RasterTarget other;
    assert_int_equal(raster_target_init(&other, 700, 500, 0), 0);
    clear_sentinel(&other);
    panels_draw_contour(s, NULL, f->tr, &other, PANEL, &(TimelineMoment){0, 20.0, 19, 0});
    /* Up to float rounding of the contour lines' vertices (drawn at other
     * coordinates into the cached image). */
    int differ = 0;
    for (size_t i = 0; i < (size_t)700 * 500 * 3; i++) {
        assert_true(abs(other.rgb[i] - f->out.rgb[i]) <= 1);
        differ += other.rgb[i] != f->out.rgb[i];
    }
    assert_true(differ < 100);
    raster_target_free(&other);
    panels_free(pc);
}

static void test_colorbar(void **state) {
    Fixture *f = *state;
    const FrameSpec *s = &f->spec;
    const Rect r = {300, 20, 70, 440};
    PlotAxes ax;
    assert_int_equal(panels_colorbar_axes(s, r, &ax), 1);
    clear_sentinel(&f->out);
    panels_draw_colorbar(s, f->tr, &f->out, r);
    assert_outside_untouched(&f->out, r);
    float lo[3], hi[3];
    colormap_eval(f->cfg.surface.colormap, 0, lo);
    colormap_eval(f->cfg.surface.colormap, 1, hi);
    int xm = (int)((ax.x0 + ax.x1) / 2);
    assert_rgb_near(px(&f->out, xm, (int)ax.y1 - 1), lo, 1);
    assert_rgb_near(px(&f->out, xm, (int)ax.y0), hi, 1);
    /* The middle row shows the middle of the map. */
    float mid[3];
    int ym = (int)(ax.y0 + ax.y1) / 2;
    colormap_eval(f->cfg.surface.colormap, (ax.y1 - 1 - ym) / (ax.y1 - 1 - ax.y0), mid);
    assert_rgb_near(px(&f->out, xm, ym), mid, 1);
    /* Around the bar: the video background (white) or ink, never sentinel. */
    const uint8_t *bgp = px(&f->out, (int)r.x + 1, (int)r.y + 1);
    assert_int_equal(bgp[0], 255);
}

/* Marks and minima on the contour map: a [mark]'s diamond in its colour
 * with its label, and the one minimum of the line fit (near the true
 * values) as a white diamond under the true values' dark cross, which
 * stays visible on it. */
static void test_contour_marks(void **state) {
    (void)state;
    static Fixture f;
    GdError err;
    const char *dir = tu_tmpdir();
    char text[4096];
    snprintf(text, sizeof text, "%s[mark here]\nat = 0, 6\ncolor = #ff00ff\ntext = look here\n",
             CONFIG_TEXT);
    char *path = tu_write_file(dir, "marks.ini", text);
    const ConfigOverride ov[1] = {{"surface.minima=yes"}};
    if (config_load(path, ov, 1, &f.cfg, &err) != 0)
        fail_msg("%s", err.msg);
    free(path);
    tu_remove_dir(dir);
    assert_int_equal(sim_run_all(&f.cfg, f.trajs, &err), 0);
    assert_int_equal(view_build(&f.view, &f.cfg, f.trajs, 1, &err), 0);
    assert_int_equal(f.view.nminima, 1);
    frame_spec_init(&f.spec, &f.cfg, &f.view, 1280, 720, QUALITY_MEDIUM);
    assert_int_equal(f.spec.npoints, 2); /* the mark, then the minimum */
    assert_string_equal(f.spec.points[0].name, "look here");
    assert_string_equal(f.spec.points[1].name, "global minimum");
    f.tr = text_create(text_default_font(), &err);
    assert_non_null(f.tr);
    assert_int_equal(raster_target_init(&f.out, 700, 500, 0), 0);
    PlotAxes ax;
    assert_int_equal(panels_axes(&f.spec, NULL, PANEL_CONTOUR, PANEL, &ax), 1);

    static TextBox box[256];
    int n = 0;
    clear_sentinel(&f.out);
    text_record(f.tr, box, 256, &n);
    panels_draw_contour(&f.spec, NULL, f.tr, &f.out, PANEL, &(TimelineMoment){0, 0.0, -1, 0});
    text_record(f.tr, NULL, 0, NULL);
    assert_outside_untouched(&f.out, PANEL);
    /* The mark: magenta around its point, its two label lines beside it. */
    double mx = panels_map_x(&ax, 0), my = panels_map_y(&ax, 6);
    int magenta = 0;
    for (int y = (int)my - 3; y <= (int)my + 3; y++)
        for (int x = (int)mx - 3; x <= (int)mx + 3; x++) {
            const uint8_t *p = px(&f.out, x, y);
            magenta += p[0] > 200 && p[1] < 60 && p[2] > 200;
        }
    assert_true(magenta >= 20);
    int name = -1, value = -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(box[i].text, "look here") == 0)
            name = i;
        if (strcmp(box[i].text, f.spec.points[0].value) == 0)
            value = i;
    }
    assert_true(name >= 0 && value >= 0);
    assert_true(strncmp(f.spec.points[0].value, "loss ", 5) == 0);
    assert_true(box[value].y0 >= box[name].y1 - 0.5); /* the value under the name */
    assert_true(fabs(box[name].x0 - mx) < 150 && fabs(box[name].y1 - my) < 60);
    /* The minimum near (1.2, 2.5): white on the diamond beside the cross's
     * arms, dark at the cross's centre. */
    const ViewMinimum *mn = &f.view.minima[0];
    double cx = panels_map_x(&ax, mn->uv[0]), cy = panels_map_y(&ax, mn->uv[1]);
    double tx = panels_map_x(&ax, 1.2), ty = panels_map_y(&ax, 2.5);
    assert_true(hypot(cx - tx, cy - ty) < 3);
    const uint8_t *w = px(&f.out, (int)floor(cx + 3.5), (int)floor(cy));
    assert_true(w[0] > 230 && w[1] > 230 && w[2] > 230);
    const uint8_t *k = px(&f.out, (int)floor(tx), (int)floor(ty));
    assert_true(k[0] < 80 && k[1] < 80 && k[2] < 80);

    raster_target_free(&f.out);
    text_destroy(f.tr);
    view_free(&f.view);
    for (int i = 0; i < 2; i++)
        trajectory_free(&f.trajs[i]);
    config_free(&f.cfg);
}

/* The basins panel: every start's cell in its legend line's colour (away
 * from borders, markers, labels and the balls), each legend line's text
 * with its share and its swatch, nothing outside the panel, and the cached
 * map the same as one drawn on the fly. */
static void test_basins_panel(void **state) {
    (void)state;
    static const char text[] = "[video]\nwidth = 1280\nheight = 720\nfps = 10\nduration = 1\n"
                               "hold = 0\n"
                               "[data]\nx = linspace(-1, 1, 60)\ntrue = 1.2, 2.5\n"
                               "[model]\nparams = a, b\nformula = sin(b*cos(a*x))\n"
                               "[surface]\na = -2, 7\nb = -2, 7\nresolution = 20\n"
                               "[run good]\ninit = 2, 4.5\nsteps = 400\ncolor = #ff0000\n"
                               "[layout]\npanels = surface, basins\n"
                               "[basins]\nresolution = 12\n";
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "basins.ini", text);
    Config cfg;
    GdError err;
    if (config_load(path, NULL, 0, &cfg, &err) != 0)
        fail_msg("%s", err.msg);
    free(path);
    tu_remove_dir(dir);
    Trajectory traj;
    assert_int_equal(sim_run_all(&cfg, &traj, &err), 0);
    View view;
    assert_int_equal(view_build(&view, &cfg, &traj, 2, &err), 0);
    const BasinMap *bm = view.basins;
    assert_non_null(bm);
    assert_true(bm->nminima > 1 && bm->nentries > 2);
    FrameSpec spec;
    frame_spec_init(&spec, &cfg, &view, 1280, 720, QUALITY_MEDIUM);
    TextRenderer *tr = text_create(text_default_font(), &err);
    assert_non_null(tr);
    RasterTarget out;
    assert_int_equal(raster_target_init(&out, 700, 600, 0), 0);
    const Rect R = {20, 10, 660, 580};
    Layout L;
    memset(&L, 0, sizeof L);
    L.npanels = 1;
    L.panel_kind[0] = PANEL_BASINS;
    L.panel[0] = R;
    PanelCache *pc = NULL;
    assert_int_equal(panels_prepare(&spec, &L, &pc, &err), 0);
    PlotAxes ax;
    assert_int_equal(panels_axes(&spec, pc, PANEL_BASINS, R, &ax), 1);
    assert_near(ax.xlo, -2, 0);
    assert_near(ax.yhi, 7, 0);

    clear_sentinel(&out);
    enum { CAP = 128 };
    static TextBox boxes[CAP];
    int nbox = 0;
    text_record(tr, boxes, CAP, &nbox);
    panels_draw_basins(&spec, pc, tr, &out, R, &(TimelineMoment){0, 0.0, -1, 0});
    text_record(tr, NULL, 0, NULL);
    assert_outside_untouched(&out, R);

    /* The cells: their centre pixels (borders are at their edges), away
     * from the minima's diamonds, the labels and the run's start. */
    const int n = bm->grid.res;
    const double cw = (ax.x1 - ax.x0) / n, ch = (ax.y1 - ax.y0) / n;
    double sx = panels_map_x(&ax, 2), sy = panels_map_y(&ax, 4.5);
    int checked = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double x = ax.x0 + (i + 0.5) * cw, y = ax.y1 - (j + 0.5) * ch;
            int near = hypot(x - sx, y - sy) < 15;
            for (int q = 0; q < bm->nminima; q++) {
                double mx = panels_map_x(&ax, bm->minima[q].p[0]);
                double my = panels_map_y(&ax, bm->minima[q].p[1]);
                near |= fabs(x - mx) < 10 && fabs(y - my) < 10;
            }
            for (int b = 0; b < nbox && b < CAP; b++) /* the labels, with their boxes */
                near |= x > boxes[b].x0 - 8 && x < boxes[b].x1 + 8 && y > boxes[b].y0 - 8 &&
                        y < boxes[b].y1 + 8;
            if (near)
                continue;
            float c[3];
            frame_basin_color(bm, basins_entry_of(bm, j * n + i), c);
            assert_rgb_near(px(&out, (int)x, (int)y), c, 0);
            checked++;
        }
    assert_true(checked > 20);

    /* The legend: a line per entry with its share, which sum to 100, and a
     * swatch of its colour below the map. */
    int pct = 0;
    for (int e = 0; e < bm->nentries; e++) {
        const BasinEntry *en = &bm->entry[e];
        char want[128];
        switch (en->kind) {
        case BASIN_ENTRY_GLOBAL:
            if (en->nminima > 1)
                snprintf(want, sizeof want, "%d global minima, loss %.3g: %d%% of starts",
                         en->nminima, en->loss, en->percent);
            else
                snprintf(want, sizeof want, "global minimum, loss %.3g: %d%% of starts", en->loss,
                         en->percent);
            break;
        case BASIN_ENTRY_LOCAL:
            snprintf(want, sizeof want, "local minimum, loss %.3g: %d%%", en->loss, en->percent);
            break;
        case BASIN_ENTRY_OTHERS:
            snprintf(want, sizeof want, "%d other minima: %d%%", en->nminima, en->percent);
            break;
        case BASIN_ENTRY_MOVING:
            snprintf(want, sizeof want, "not settled in 400 steps: %d%%", en->percent);
            break;
        default:
            snprintf(want, sizeof want, "diverged: %d%%", en->percent);
            break;
        }
        int found = 0;
        for (int b = 0; b < nbox && b < CAP; b++)
            found |=
                strncmp(boxes[b].text, want, sizeof boxes[b].text - 1) == 0 && boxes[b].y0 > ax.y1;
        if (!found)
            fail_msg("legend line \"%s\" not drawn below the map", want);
        pct += en->percent;
        float c[3];
        frame_basin_color(bm, e, c);
        int swatch = 0;
        for (int y = (int)ax.y1 + 30; y < R.y + R.h; y++)
            for (int x = (int)R.x; x < R.x + 60; x++) {
                const uint8_t *p = px(&out, x, y);
                swatch += abs(p[0] - (int)lrintf(c[0] * 255)) +
                              abs(p[1] - (int)lrintf(c[1] * 255)) +
                              abs(p[2] - (int)lrintf(c[2] * 255)) ==
                          0;
            }
        assert_true(swatch > 4);
    }
    assert_int_equal(pct, 100);
    /* The minima in the map are marked with their loss (the first one
     * placed, a global one if any is inside, always finds room). */
    int inside = 0, marked = 0;
    for (int q = 0; q < bm->nminima; q++) {
        double mx = panels_map_x(&ax, bm->minima[q].p[0]);
        double my = panels_map_y(&ax, bm->minima[q].p[1]);
        if (mx < ax.x0 + 10 || mx > ax.x1 - 10 || my < ax.y0 + 10 || my > ax.y1 - 10)
            continue;
        inside++;
        char loss[32];
        snprintf(loss, sizeof loss, "%.3g", bm->minima[q].loss);
        int here = 0;
        for (int b = 0; b < nbox && b < CAP; b++)
            here |= strcmp(boxes[b].text, loss) == 0 && boxes[b].y1 <= ax.y1 &&
                    boxes[b].x0 >= ax.x0 && fabs(boxes[b].y0 - my) < 40;
        marked += here;
        if (q < bm->nglobal)
            assert_true(here);
    }
    assert_true(inside > 0 && marked > 0);

    /* The cached map and the one drawn on the fly: the same picture. */
    RasterTarget other;
    assert_int_equal(raster_target_init(&other, 700, 600, 0), 0);
    clear_sentinel(&other);
    panels_draw_basins(&spec, NULL, tr, &other, R, &(TimelineMoment){0, 0.0, -1, 0});
    assert_memory_equal(other.rgb, out.rgb, (size_t)700 * 600 * 3);
    raster_target_free(&other);

    panels_free(pc);
    raster_target_free(&out);
    text_destroy(tr);
    view_free(&view);
    trajectory_free(&traj);
    config_free(&cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fit_panel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loss_panel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contour_panel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_colorbar, setup, teardown),
        cmocka_unit_test(test_contour_marks),
        cmocka_unit_test(test_basins_panel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
