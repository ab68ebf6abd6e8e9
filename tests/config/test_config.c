/*
 * test_config.c — config_load end to end (config.c with config/ini.c and
 * config/sections.c behind it): a full config read back value by value,
 * every default, every kind of error with its exact message, --set
 * overrides, repeat expansion, default colours, relative paths, synthetic
 * data (recomputed here from base/rng's generator) and the optimizer names.
 * The value parsers alone are tested in test_values.c.
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "model/formula.h"
#include "base/rng.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* The smallest valid config: lines 1-3 [model], 4-5 [data], 6-7 [run]. */
#define MODEL "[model]\nparams = a, b\nformula = a*x + b\n"
#define DATA  "[data]\ntrue = 2, 1\n"
#define RUN   "[run]\ninit = 0, 0\n"
#define MIN   MODEL DATA RUN

/* The sections an unknown one is told about. */
#define SECTIONS                                                                                   \
    "video, data, model, surface, run NAME, camera, layout, timeline, labels, caption NAME, "      \
    "mark NAME, basins"

/* Writes text as DIR/c.ini in a fresh temp dir; returns the path. */
static char *write_config(const char *text) {
    return tu_write_file(tu_tmpdir(), "c.ini", text);
}

static void drop_config(char *path) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    tu_remove_dir(dir);
    free(path);
}

/* Loads path with overrides and expects failure with exactly msg, where a
 * leading "PATH" stands for the config's path. */
static void expect_load_error(const char *path, const char *const *ovr, int novr, const char *msg) {
    ConfigOverride o[16];
    for (int i = 0; i < novr; i++)
        o[i].text = ovr[i];
    Config cfg;
    GdError err;
    gd_error_clear(&err);
    int rc = config_load(path, o, novr, &cfg, &err);
    char expect[2048];
    if (strncmp(msg, "PATH", 4) == 0)
        snprintf(expect, sizeof expect, "%s%s", path, msg + 4);
    else
        snprintf(expect, sizeof expect, "%s", msg);
    if (rc != GD_ERR_INPUT)
        print_error("rc %d for expected error %s\n", rc, expect);
    assert_int_equal(rc, GD_ERR_INPUT);
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg, expect);
    /* nothing to free, and freeing anyway is harmless */
    assert_null(cfg.text);
    assert_null(cfg.runs);
    assert_null(cfg.marks);
    assert_null(cfg.model.formula);
    config_free(&cfg);
}

static void expect_error(const char *text, const char *msg) {
    char *path = write_config(text);
    expect_load_error(path, NULL, 0, msg);
    drop_config(path);
}

/* Loads a config that must be valid. */
static void load_ok(const char *path, const char *const *ovr, int novr, Config *cfg) {
    ConfigOverride o[16];
    for (int i = 0; i < novr; i++)
        o[i].text = ovr[i];
    GdError err;
    gd_error_clear(&err);
    int rc = config_load(path, o, novr, cfg, &err);
    if (rc)
        print_error("unexpected error: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(err.code, 0);
}

static void load_text_ok(const char *text, Config *cfg) {
    char *path = write_config(text);
    load_ok(path, NULL, 0, cfg);
    drop_config(path);
}

static int rgb_is(Rgb c, unsigned r, unsigned g, unsigned b) {
    return c.r == r && c.g == g && c.b == b;
}

/* ---- valid configs ------------------------------------------------------ */

static const char FULL[] = "; every key\n"
                           "[video]\n"
                           "output = out/x.mp4\n"
                           "width = 640\n"
                           "    height = 360\n" /* indented: not a continuation */
                           "fps = 24\n"
                           "duration = 5.5\n"
                           "hold = 0\n"
                           "quality = high\n"
                           "crf = 23\n"
                           "preset = slow\n"
                           "title = 梯度下降 ; comment\n"
                           "font = f.ttf\n"
                           "background = #10a0Ff\n"
                           "\n"
                           "[data]\n"
                           "x = linspace(0, 3, 4)\n"
                           "true = 2, -1\n"
                           "noise = 0\n"
                           "seed = 7\n"
                           "\n"
                           "[model]\n"
                           "params = w, b\n"
                           "formula = w*x + b\n"
                           "loss = mse\n"
                           "\n"
                           "[surface]\n"
                           "w = -1, 5\n"
                           "resolution = 100\n"
                           "colormap = viridis\n"
                           "opacity = 1\n"
                           "wireframe = off\n"
                           "contours = 0\n"
                           "zscale = log\n"
                           "arrows = yes\n"
                           "\n"
                           "[run fast]\n"
                           "init = 4, 4\n"
                           "lr = 0.25\n"
                           "steps = 10\n"
                           "optimizer = adam\n"
                           "beta1 = 0.5\n"
                           "beta2 = 0.75\n"
                           "eps = 1e-6\n"
                           "batch = 2\n"
                           "color = #00FF80\n"
                           "label = Fast one\n"
                           "seed = 99\n"
                           "\n"
                           "[run slow]\n"
                           "init = -1, 2.5\n"
                           "optimizer = momentum\n"
                           "momentum = 0.5\n"
                           "alpha = 0\n"
                           "\n"
                           "[camera]\n"
                           "key = 4, 0, 45, 2\n"
                           "key = 0, -60, 30, 1\n"
                           "key: 2.5, 10, -90, 0.05\n"
                           "ease = linear\n"
                           "\n"
                           "[layout]\n"
                           "mode = split\n"
                           "panels = loss, surface,fit\n";

static void test_full_config(void **state) {
    (void)state;
    char *path = write_config(FULL);
    char dir[1024], want[1200];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    /* the font is opened: a real one, under the name the config gives */
    size_t font_len = 0;
    char *font = tu_read_file(GD_SOURCE_DIR "/fonts/DejaVuSans.ttf", &font_len);
    assert_non_null(font);
    char *font_path = tu_write_file(dir, "f.ttf", "");
    FILE *ff = fopen(font_path, "wb");
    assert_non_null(ff);
    assert_int_equal(fwrite(font, 1, font_len, ff), font_len);
    assert_int_equal(fclose(ff), 0);
    free(font);
    free(font_path);
    Config cfg;
    load_ok(path, NULL, 0, &cfg);

    assert_string_equal(cfg.path, path);
    assert_string_equal(cfg.dir, dir);
    assert_string_equal(cfg.stem, "c");
    assert_string_equal(cfg.text, FULL); /* no overrides: the file itself */

    const VideoConfig *v = &cfg.video;
    snprintf(want, sizeof want, "%s/out/x.mp4", dir);
    assert_string_equal(v->output, want);
    assert_int_equal(v->width, 640);
    assert_int_equal(v->height, 360);
    assert_int_equal(v->fps, 24);
    assert_true(v->duration == 5.5);
    assert_true(v->hold == 0.0);
    assert_int_equal(v->quality, QUALITY_HIGH);
    assert_int_equal(v->crf, 23);
    assert_string_equal(v->preset, "slow");
    assert_string_equal(v->title, "梯度下降");
    snprintf(want, sizeof want, "%s/f.ttf", dir);
    assert_string_equal(v->font, want);
    assert_true(rgb_is(v->background, 0x10, 0xa0, 0xff));
    assert_int_equal(config_frame_count(&cfg), 132); /* 24 * 5.5 */

    const DataConfig *d = &cfg.data;
    assert_int_equal(d->from_file, 0);
    assert_true(d->x_lo == 0.0 && d->x_hi == 3.0);
    assert_int_equal(d->x_n, 4);
    assert_int_equal(d->has_true, 1);
    assert_true(d->true_params[0] == 2.0 && d->true_params[1] == -1.0);
    assert_true(d->noise == 0.0);
    assert_true(d->seed == 7);
    assert_int_equal(d->line, 16);
    assert_int_equal(cfg.ndata, 4);
    for (int i = 0; i < 4; i++) {
        assert_true(cfg.data_x[i] == (double)i);
        assert_true(cfg.data_y[i] == 2.0 * i - 1.0); /* noise 0 */
    }

    const ModelConfig *m = &cfg.model;
    assert_int_equal(m->nparams, 2);
    assert_string_equal(m->params[0], "w");
    assert_string_equal(m->params[1], "b");
    assert_string_equal(m->formula_text, "w*x + b");
    assert_non_null(m->formula);
    double p[2] = {3.0, 0.5};
    assert_true(formula_eval(m->formula, 2.0, p) == 6.5);

    const SurfaceConfig *s = &cfg.surface;
    assert_int_equal(s->has_range[0], 1);
    assert_true(s->range[0][0] == -1.0 && s->range[0][1] == 5.0);
    assert_int_equal(s->has_range[1], 0);
    assert_int_equal(s->resolution, 100);
    assert_int_equal(s->colormap, CMAP_VIRIDIS);
    assert_true(s->opacity == 1.0);
    assert_int_equal(s->wireframe, 0);
    assert_int_equal(s->contours, 0);
    assert_int_equal(s->zscale, ZSCALE_LOG);
    assert_int_equal(s->arrows, 1);

    assert_int_equal(cfg.nruns, 2);
    const RunConfig *r = &cfg.runs[0];
    assert_string_equal(r->name, "fast");
    assert_string_equal(r->label, "Fast one");
    assert_true(r->init[0] == 4.0 && r->init[1] == 4.0);
    assert_int_equal(r->optimizer, OPT_ADAM);
    assert_true(r->lr == 0.25);
    assert_int_equal(r->steps, 10);
    assert_true(r->momentum == 0.9);
    assert_true(r->beta1 == 0.5 && r->beta2 == 0.75 && r->eps == 1e-6 && r->alpha == 0.99);
    assert_int_equal(r->batch, 2);
    assert_true(rgb_is(r->color, 0x00, 0xff, 0x80));
    assert_int_equal(r->line, 37);
    r = &cfg.runs[1];
    assert_string_equal(r->name, "slow");
    assert_string_equal(r->label, "slow");
    assert_true(r->init[0] == -1.0 && r->init[1] == 2.5);
    assert_int_equal(r->optimizer, OPT_MOMENTUM);
    assert_true(r->lr == 0.1);
    assert_int_equal(r->steps, 400);
    assert_true(r->momentum == 0.5 && r->alpha == 0.0 && r->eps == 1e-8);
    assert_int_equal(r->batch, 0);
    /* the second run gets the second default colour (the first has its own) */
    assert_true(rgb_is(r->color, 0x1f, 0x77, 0xb4));
    assert_int_equal(r->line, 50);
    /* batch seeds: per run, from the run seed */
    assert_true(cfg.runs[0].batch_seed != cfg.runs[1].batch_seed);

    const CameraConfig *c = &cfg.camera;
    assert_int_equal(c->nkeys, 3);
    assert_true(c->keys[0].t == 0.0 && c->keys[0].azimuth == -60.0 &&
                c->keys[0].elevation == 30.0 && c->keys[0].zoom == 1.0);
    assert_true(c->keys[1].t == 2.5 && c->keys[1].azimuth == 10.0 &&
                c->keys[1].elevation == -90.0 && c->keys[1].zoom == 0.05);
    assert_true(c->keys[2].t == 4.0 && c->keys[2].elevation == 45.0 && c->keys[2].zoom == 2.0);
    assert_int_equal(c->ease, EASE_LINEAR);

    assert_int_equal(cfg.layout.mode, LAYOUT_SPLIT);
    assert_int_equal(cfg.layout.npanels, 3);
    assert_int_equal(cfg.layout.panels[0], PANEL_LOSS);
    assert_int_equal(cfg.layout.panels[1], PANEL_SURFACE);
    assert_int_equal(cfg.layout.panels[2], PANEL_FIT);

    config_free(&cfg);
    config_free(&cfg); /* idempotent */
    assert_null(cfg.text);
    drop_config(path);
}

static void test_defaults(void **state) {
    (void)state;
    Config cfg;
    load_text_ok(MIN, &cfg);
    const VideoConfig *v = &cfg.video;
    assert_string_equal(v->output, "");
    assert_int_equal(v->width, 1280);
    assert_int_equal(v->height, 720);
    assert_int_equal(v->fps, 30);
    assert_true(v->duration == 10.0 && v->hold == 2.0);
    assert_int_equal(v->quality, QUALITY_MEDIUM);
    assert_int_equal(v->crf, 18);
    assert_string_equal(v->preset, "medium");
    assert_string_equal(v->title, "");
    assert_string_equal(v->font, "");
    assert_true(rgb_is(v->background, 0xff, 0xff, 0xff));
    assert_int_equal(config_frame_count(&cfg), 360);

    const DataConfig *d = &cfg.data;
    assert_int_equal(d->from_file, 0);
    assert_string_equal(d->file, "");
    assert_true(d->x_lo == -1.0 && d->x_hi == 1.0);
    assert_int_equal(d->x_n, 200);
    assert_true(d->noise == 0.1);
    assert_true(d->seed == 1);
    assert_int_equal(d->line, 4);
    assert_int_equal(cfg.ndata, 200);

    const SurfaceConfig *s = &cfg.surface;
    assert_int_equal(s->has_range[0], 0);
    assert_int_equal(s->has_range[1], 0);
    assert_int_equal(s->resolution, 60);
    assert_int_equal(s->colormap, CMAP_RAINBOW);
    assert_true(s->opacity == 0.6);
    assert_int_equal(s->wireframe, 1);
    assert_int_equal(s->contours, 10);
    assert_int_equal(s->zscale, ZSCALE_LINEAR);
    assert_int_equal(s->arrows, 0);
    assert_int_equal(s->minima, 0);
    assert_int_equal(cfg.nmarks, 0);
    assert_null(cfg.marks);
    assert_string_equal(cfg.labels.minimum, "local minimum");
    assert_string_equal(cfg.labels.global_minimum, "global minimum");

    assert_int_equal(cfg.nruns, 1);
    const RunConfig *r = &cfg.runs[0];
    assert_string_equal(r->name, "");
    assert_string_equal(r->label, "run");
    assert_true(r->init[0] == 0.0 && r->init[1] == 0.0);
    assert_int_equal(r->optimizer, OPT_GD);
    assert_true(r->lr == 0.1);
    assert_int_equal(r->steps, 400);
    assert_true(r->momentum == 0.9 && r->beta1 == 0.9 && r->beta2 == 0.999);
    assert_true(r->eps == 1e-8 && r->alpha == 0.99);
    assert_int_equal(r->batch, 0);
    assert_true(rgb_is(r->color, 0xd6, 0x27, 0x28));
    assert_int_equal(r->line, 6);

    assert_int_equal(cfg.camera.nkeys, 0);
    assert_int_equal(cfg.camera.ease, EASE_SMOOTH);
    assert_int_equal(cfg.layout.mode, LAYOUT_OVERLAY);
    assert_int_equal(cfg.layout.npanels, 1);
    assert_int_equal(cfg.layout.panels[0], PANEL_SURFACE);
    config_free(&cfg);

    /* eps defaults to 1e-10 for adagrad, 1e-8 for rmsprop */
    load_text_ok(MODEL DATA "[run a]\ninit = 0, 0\noptimizer = adagrad\n"
                            "[run r]\ninit = 0, 0\noptimizer = rmsprop\n"
                            "[run e]\ninit = 0, 0\noptimizer = adagrad\neps = 0.5\n",
                 &cfg);
    assert_true(cfg.runs[0].eps == 1e-10);
    assert_true(cfg.runs[1].eps == 1e-8);
    assert_true(cfg.runs[2].eps == 0.5);
    config_free(&cfg);

    /* BOM, CRLF line ends, comments, ':' separators, booleans */
    load_text_ok("\xef\xbb\xbf# comment\r\n[model]\r\nparams: a, b\r\nformula = a*x+b\r\n"
                 "[data]\r\ntrue = 1, 2\r\n[run]\r\ninit = 1, 1\r\n[surface]\r\n"
                 "wireframe = 0\r\narrows = true\r\n",
                 &cfg);
    assert_int_equal(cfg.surface.wireframe, 0);
    assert_int_equal(cfg.surface.arrows, 1);
    assert_int_equal(cfg.runs[0].line, 7);
    config_free(&cfg);

    /* a line of exactly 199 bytes is fine */
    char text[1024], title[200];
    memset(title, 'x', 191);
    title[191] = '\0';
    snprintf(text, sizeof text, MIN "[video]\ntitle = %s\n", title);
    load_text_ok(text, &cfg);
    assert_string_equal(cfg.video.title, title);
    config_free(&cfg);
}

/* ---- errors --------------------------------------------------------------- */

static void test_structure_errors(void **state) {
    (void)state;
    expect_error(MIN "[vidoe]\nwidth = 5\n",
                 "PATH:8: [vidoe]: unknown section (expected " SECTIONS ")");
    expect_error(MIN "[extra]\n", "PATH:8: [extra]: unknown section (expected " SECTIONS ")");
    expect_error(MIN "[]\n", "PATH:8: []: unknown section (expected " SECTIONS ")");
    expect_error(MIN "[video]\nwidht = 5\n", "PATH:9: [video] widht: unknown key");
    expect_error("[video]\nwidth = 640\n\nwidth = 800\n" MIN,
                 "PATH:4: [video] width: given twice (first on line 2)");
    expect_error(MIN "[run]\ninit = 1, 1\n", "PATH:8: [run]: given twice (first on line 6)");
    expect_error(MIN "[run  x]\ninit = 1, 1\n[run x]\n",
                 "PATH:10: [run x]: given twice (first on line 8)");
    expect_error(MIN "[model]\n", "PATH:8: [model]: given twice (first on line 1)");
    expect_error(MIN "[run a b]\n",
                 "PATH:8: [run a b]: bad run name \"a b\" (use letters, digits, _, - and .)");
    expect_error(MIN "[video]\nwidth 640\n",
                 "PATH:9: expected \"key = value\" or \"[section]\", got \"width 640\"");
    expect_error(MIN "[video\n", "PATH:8: expected \"key = value\" or \"[section]\", got "
                                 "\"[video\"");
    expect_error(MIN "[video]\n = 5\n",
                 "PATH:9: expected \"key = value\" or \"[section]\", got \"= 5\"");
    expect_error("width = 640\n" MIN, "PATH:1: width: key before the first [section]");
    /* text after a header would be dropped by inih: an error, not a lost key */
    expect_error(MODEL DATA "[run descent] lr = 5\ninit = 0, 0\n",
                 "PATH:6: [run descent]: unexpected text after the header: \"lr = 5\"");
    expect_error(MIN "[video]]  \n", "PATH:8: [video]: unexpected text after the header: \"]\"");
    expect_error(MIN "[video] x ; note\n",
                 "PATH:8: [video]: unexpected text after the header: \"x ; note\"");
    Config ok;
    load_text_ok("[model] ; comment\nparams = a, b\nformula = a*x + b\n[data]# comment\n"
                 "true = 2, 1\n  [run  x]\t \ninit = 0, 0\n",
                 &ok);
    assert_string_equal(ok.runs[0].label, "x");
    config_free(&ok);
    /* the first error by line wins: inih's syntax error (line 2) over the
     * unknown section (line 8) it keeps parsing past */
    expect_error("[model]\noops\nparams = a, b\nformula = a*x\n" DATA RUN "[bad]\n",
                 "PATH:2: expected \"key = value\" or \"[section]\", got \"oops\"");
    expect_error("[bad]\n" MIN "oops\n", "PATH:1: [bad]: unknown section (expected " SECTIONS ")");

    /* Lines past libinih's 200-byte buffer: a long value is read whole (and
     * its inline comment dropped, as inih would); a long header is not. */
    static char text[6000], title[5000];
    memset(title, 'x', 500);
    title[500] = '\0';
    snprintf(text, sizeof text, MIN "[video]\ntitle = %s   ; a comment\n", title);
    Config cfg;
    load_text_ok(text, &cfg);
    assert_string_equal(cfg.video.title, title);
    config_free(&cfg);
    memset(title, 'x', 512);
    title[512] = '\0';
    snprintf(text, sizeof text, MIN "[video]\ntitle = %s\n", title);
    expect_error(text, "PATH:9: [video] title: too long (more than 511 bytes)");
    memset(title, 'x', 4100);
    title[4100] = '\0';
    snprintf(text, sizeof text, MIN "[video]\ntitle = %s\n", title);
    expect_error(text, "PATH:9: line too long (more than 4095 bytes)");
    memset(title, 'x', 300);
    title[300] = '\0';
    snprintf(text, sizeof text, MIN "[run %s]\ninit = 1, 1\n", title);
    expect_error(text, "PATH:8: line too long (more than 199 bytes)");

    expect_error("", "PATH: missing section [model]");
    expect_error(DATA RUN, "PATH: missing section [model]");
    expect_error(MODEL RUN, "PATH: missing section [data]");
    expect_error(MODEL DATA, "PATH: missing section [run]");
    expect_error(MODEL DATA "[video]\n", "PATH: missing section [run]");
    expect_error("[model]\nparams = a, b\n" DATA RUN, "PATH:1: [model] formula: missing");
    expect_error("[model]\nformula = a\n" DATA RUN, "PATH:1: [model] params: missing");
    expect_error(MODEL "[data]\nnoise = 1\n" RUN, "PATH:4: [data] true: missing");
    expect_error(MODEL DATA "[run x]\nlr = 1\n", "PATH:6: [run x] init: missing");

    /* unreadable, or not text */
    expect_load_error("/nonexistent/x.ini", NULL, 0,
                      "/nonexistent/x.ini: cannot read config: No such file or directory");
    const char *dir = tu_tmpdir();
    char msg[512];
    snprintf(msg, sizeof msg, "%s: cannot read config: Is a directory", dir);
    expect_load_error(dir, NULL, 0, msg);
    char path[512];
    snprintf(path, sizeof path, "%s/nul.ini", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("[model]\npar\0ams = a\n", 1, 20, f);
    fclose(f);
    expect_load_error(path, NULL, 0, "PATH:2: column 4: NUL byte (is this a text file?)");
    /* what would block or never end is refused unread */
    snprintf(path, sizeof path, "%s/pipe.ini", dir);
    assert_int_equal(mkfifo(path, 0644), 0);
    expect_load_error(path, NULL, 0, "PATH: cannot read config: not a regular file (a named pipe)");
    expect_load_error("/dev/zero", NULL, 0,
                      "/dev/zero: cannot read config: not a regular file (a character device)");
    snprintf(path, sizeof path, "%s/big.ini", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(truncate(path, (1 << 20) + 1), 0);
    expect_load_error(path, NULL, 0, "PATH: config file too large (more than 1 MiB)");
    tu_remove_dir(dir);
    expect_error(MIN "[video]\ntitle = ab\xff\n", "PATH:9: column 11: invalid UTF-8 (byte 0xff)");
    expect_error("[video]\ntitle = \xc0\xaf\n", "PATH:2: column 9: invalid UTF-8 (byte 0xc0)");
    expect_error("[video]\ntitle = \xed\xa0\x80\n", /* a UTF-16 surrogate */
                 "PATH:2: column 9: invalid UTF-8 (byte 0xed)");
}

static void test_video_errors(void **state) {
    (void)state;
    static const struct {
        const char *line, *msg;
    } cases[] = {
        {"width = 17", "[video] width: must be an even number from 16 to 7680, got 17"},
        {"duration = 0.1\nfps = 1\nhold = 0",
         "[video] duration: fps x (duration + hold) = 1 x 0.1 s gives no frames"},
        {"width = 7682", "[video] width: must be an even number from 16 to 7680, got 7682"},
        {"width = 14", "[video] width: must be an even number from 16 to 7680, got 14"},
        {"height = 4322", "[video] height: must be an even number from 16 to 4320, got 4322"},
        {"width = 6.4e2", "[video] width: expected an integer, got \"6.4e2\""},
        {"width = 99999999999999999999999",
         "[video] width: must be an even number from 16 to 7680, got 99999999999999999999999"},
        {"width =", "[video] width: no value given"},
        {"fps = 0", "[video] fps: must be an integer from 1 to 240, got 0"},
        {"fps = 241", "[video] fps: must be an integer from 1 to 240, got 241"},
        {"duration = 0", "[video] duration: must be greater than 0 and at most 3600, got 0"},
        {"duration = 3601", "[video] duration: must be greater than 0 and at most 3600, got 3601"},
        {"duration = inf", "[video] duration: expected a number, got \"inf\""},
        {"duration = 0x10", "[video] duration: expected a number, got \"0x10\""},
        {"duration = 1e999", "[video] duration: expected a finite number, got \"1e999\""},
        {"duration = 10 s", "[video] duration: expected a number, got \"10 s\""},
        {"hold = -1", "[video] hold: must be from 0 to 3600, got -1"},
        {"quality = best", "[video] quality: expected one of draft, medium, high, got \"best\""},
        {"crf = 52", "[video] crf: must be an integer from 0 to 51, got 52"},
        {"preset = turbo", "[video] preset: expected one of ultrafast, superfast, veryfast, "
                           "faster, fast, medium, slow, slower, veryslow, placebo, got \"turbo\""},
        {"font = nofont.ttf",
         "[video] font: cannot open \"nofont.ttf\": No such file or directory"},
        {"font = /dev/zero",
         "[video] font: cannot open \"/dev/zero\": not a regular file (a character device)"},
        {"background = white", "[video] background: expected a color #rrggbb, got \"white\""},
        {"background = #12345", "[video] background: expected a color #rrggbb, got \"#12345\""},
        {"background = #12345g", "[video] background: expected a color #rrggbb, got \"#12345g\""},
        {"output =", "[video] output: no value given"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], msg[512];
        snprintf(text, sizeof text, MIN "[video]\n%s\n", cases[i].line);
        snprintf(msg, sizeof msg, "PATH:9: %s", cases[i].msg);
        expect_error(text, msg);
    }
    /* A file that is not a font is refused when the config is read: it
     * passed --check and then failed every render. */
    char *path = write_config(MIN "[video]\nfont = c.ini\n");
    char msg[2048];
    snprintf(msg, sizeof msg, "PATH:9: [video] font: %s: not a font file", path);
    expect_load_error(path, NULL, 0, msg);
    drop_config(path);
}

static void test_model_errors(void **state) {
    (void)state;
    static const struct {
        const char *params, *formula, *msg;
    } cases[] = {
        {"w[0], b", "b", "params: family \"w[0]\" must have from 1 to 256 parameters, got \"0\""},
        {"w[257], b", "b",
         "params: family \"w[257]\" must have from 1 to 256 parameters, got \"257\""},
        {"w[200], v[57]", "b", "params: too many parameters (more than 256 in all)"},
        {"w[x], b", "b", "params: family \"w[x]\" must have from 1 to 256 parameters, got \"x\""},
        {"w[2, b", "b", "params: \"w[2\" is not a parameter or a family like w[8]"},
        {"w[2]z, b", "b", "params: \"w[2]z\" is not a parameter or a family like w[8]"},
        {"w[2], w", "b", "params: \"w\" given twice"},
        {"pi[2], b", "b", "params: \"pi\" is reserved (a constant)"},
        {"a, plane", "a", "params: \"plane\" is reserved (a [surface] key)"},
        {"a, 2b", "a*x",
         "params: \"2b\" is not a valid name (letters, digits and _, not starting with a "
         "digit)"},
        {"a, b-c", "a*x",
         "params: \"b-c\" is not a valid name (letters, digits and _, not starting with a "
         "digit)"},
        {"x, b", "b", "params: \"x\" is reserved (the data variable)"},
        {"a, pi", "a", "params: \"pi\" is reserved (a constant)"},
        {"e, b", "b", "params: \"e\" is reserved (a constant)"},
        {"sin, b", "b", "params: \"sin\" is reserved (a function)"},
        {"a, opacity", "a", "params: \"opacity\" is reserved (a [surface] key)"},
        {"a, a", "a", "params: \"a\" given twice"},
        {"a,, b", "a", "params: empty item in list \"a,, b\""},
        {"a, b", "a*x + )", "formula: column 7: unexpected ')'"},
        {"a, b", "a*x + c", "formula: column 7: unknown name 'c'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], msg[512];
        snprintf(text, sizeof text, "[model]\nparams = %s\nformula = %s\n" DATA RUN,
                 cases[i].params, cases[i].formula);
        snprintf(msg, sizeof msg, "PATH:%d: [model] %s", cases[i].msg[0] == 'p' ? 2 : 3,
                 cases[i].msg);
        expect_error(text, msg);
    }
    expect_error(MODEL "loss = mae\n" DATA RUN, "PATH:4: [model] loss: expected mse, got \"mae\"");
}

static void test_data_errors(void **state) {
    (void)state;
    static const struct {
        const char *line, *msg;
    } cases[] = {
        {"true = 1", "true: expected 2 values (a, b), got 1"},
        {"true = 1, 2, 3", "true: expected 2 values (a, b), got 3"},
        {"true = 1, x", "true: expected a number, got \"x\""},
        {"true = 1, 2\nx = range(0, 1, 5)",
         "x: expected linspace(lo, hi, n), got \"range(0, 1, 5)\""},
        {"true = 1, 2\nx = linspace(0, 1)",
         "x: expected linspace(lo, hi, n), got \"linspace(0, 1)\""},
        {"true = 1, 2\nx = linspace(0, 1, 5",
         "x: expected linspace(lo, hi, n), got \"linspace(0, 1, 5\""},
        {"true = 1, 2\nx = linspace(0, 1, 0)",
         "x: n must be an integer from 1 to 1000000, got \"0\""},
        {"true = 1, 2\nx = linspace(0, 1, 2.5)",
         "x: n must be an integer from 1 to 1000000, got \"2.5\""},
        {"true = 1, 2\nx = linspace(0, 1, 1000001)",
         "x: n must be an integer from 1 to 1000000, got \"1000001\""},
        {"true = 1, 2\nx = linspace(1, 1, 5)", "x: lo (1) must be less than hi (1)"},
        {"true = 1, 2\nx = linspace(a, 1, 5)", "x: expected a number, got \"a\""},
        {"true = 1, 2\nnoise = -0.1", "noise: must be at least 0, got -0.1"},
        {"true = 1, 2\nseed = -1",
         "seed: expected an integer from 0 to 18446744073709551615, got \"-1\""},
        {"true = 1, 2\nseed = 18446744073709551616",
         "seed: expected an integer from 0 to 18446744073709551615, got "
         "\"18446744073709551616\""},
        {"true = 1, 2\nseed = 1.5",
         "seed: expected an integer from 0 to 18446744073709551615, got \"1.5\""},
        {"true = 1, 2\nfile = pts.csv",
         "file: cannot be combined with true (use a file or synthetic data, not both)"},
        {"noise = 0\nfile = pts.csv",
         "file: cannot be combined with noise (use a file or synthetic data, not both)"},
        {"file = pts.csv", "file: cannot open \"pts.csv\": No such file or directory"},
        {"file = /dev/zero", "file: cannot open \"/dev/zero\": not a regular file (a character "
                             "device)"},
        {"nois = 1", "nois: unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], msg[512];
        snprintf(text, sizeof text, MODEL "[data]\n%s\n" RUN, cases[i].line);
        /* the line of the key the message names */
        int line = 5;
        const char *key = cases[i].msg;
        size_t klen = strcspn(key, ":");
        const char *at = cases[i].line;
        while (strncmp(at, key, klen) != 0) {
            at = strchr(at, '\n') + 1;
            line++;
        }
        snprintf(msg, sizeof msg, "PATH:%d: [data] %s", line, cases[i].msg);
        expect_error(text, msg);
    }
    /* a malformed data file names its own file and line */
    expect_load_error("tests/data/badcsv.ini", NULL, 0,
                      "tests/data/bad.csv:5: expected two numbers x,y, got \"1.0;2\"");
    /* the formula must be finite at the true values */
    expect_error("[model]\nparams = a, b\nformula = log(a*x) + b\n"
                 "[data]\ntrue = 1, 0\nx = linspace(-1, 1, 3)\n" RUN,
                 "PATH:5: [data] true: the formula is not finite at x = -1");
}

/* Models of one to 256 parameters: families, the plane and its center. */
#define MODEL3 "[model]\nparams = a, b, c\nformula = a*x^2 + b*x + c\n"
#define DATA3  "[data]\ntrue = 1, 2, 3\n"
#define RUN3   "[run]\ninit = 0, 0, 0\n"

static void test_many_params(void **state) {
    (void)state;
    /* A family is its parameters in order, named w[1] .. w[N]. */
    char *path = write_config("[model]\nparams = w[3], d\nformula = w[1]*x + w[2] + w[3] + d\n"
                              "[data]\ntrue = 1, 2, 3, 4\n[run]\ninit = normal(0, 0.5)\n");
    Config cfg;
    load_ok(path, NULL, 0, &cfg);
    assert_int_equal(cfg.model.nparams, 4);
    assert_string_equal(cfg.model.params[0], "w[1]");
    assert_string_equal(cfg.model.params[2], "w[3]");
    assert_string_equal(cfg.model.params[3], "d");
    assert_int_equal(cfg.model.nfamilies, 2);
    assert_int_equal(cfg.model.families[0].count, 3);
    assert_int_equal(cfg.model.families[1].first, 3);
    /* normal() draws every parameter; three or more default to pca. */
    assert_true(cfg.runs[0].init[3] != 0 && cfg.runs[0].init[0] != cfg.runs[0].init[1]);
    assert_int_equal(cfg.surface.plane, PLANE_PCA);
    config_free(&cfg);
    drop_config(path);
    /* Planes side by side. */
    path = write_config(MODEL3 DATA3 RUN3 "[surface]\nplane = c, a | random\nplane_seed = 7\n");
    load_ok(path, NULL, 0, &cfg);
    assert_int_equal(cfg.surface.nplanes, 2);
    assert_int_equal(cfg.surface.planes[0].kind, PLANE_AXES);
    assert_int_equal(cfg.surface.planes[0].axis[0], 2);
    assert_int_equal(cfg.surface.planes[0].axis[1], 0);
    assert_int_equal(cfg.surface.planes[1].kind, PLANE_RANDOM);
    assert_true(cfg.surface.plane_seed == 7);
    config_free(&cfg);
    drop_config(path);
    /* One parameter: a curve, no plane. */
    path = write_config("[model]\nparams = a\nformula = a*x\n[data]\ntrue = 2\n[run]\ninit = "
                        "-1\n[mark m]\nat = 1.5\n");
    load_ok(path, NULL, 0, &cfg);
    assert_int_equal(cfg.model.nparams, 1);
    assert_near(cfg.marks[0].at[0], 1.5, 0);
    config_free(&cfg);
    drop_config(path);

    static const struct {
        const char *text, *msg;
    } cases[] = {
        {MODEL3 DATA3 RUN3 "[surface]\nplane = a, q",
         "PATH:9: [surface] plane: \"q\" is not a parameter (expected two of the parameters, or "
         "pca or random)"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = b, b",
         "PATH:9: [surface] plane: \"b\" given twice: a slice needs two different parameters"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = a, b, c",
         "PATH:9: [surface] plane: expected two parameters P, Q, or pca or random, got \"a, b, "
         "c\""},
        {MODEL3 DATA3 RUN3 "[surface]\ncenter = 1, 2",
         "PATH:9: [surface] center: expected 3 values (a, b, c), got 2; or final, init or true"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = a, b\nc = 0, 1",
         "PATH:10: [surface] c: c is not shown (the plane shows a and b)"},
        {MODEL3 DATA3 RUN3 "[surface]\na = 0, 1",
         "PATH:9: [surface] a: the plane is pca: give its ranges as plane_u = lo, hi and plane_v "
         "= lo, hi"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = a, b\nplane_u = 0, 1",
         "PATH:10: [surface] plane_u: only for plane = pca or random (a slice's ranges are its "
         "parameters' keys, e.g. a = lo, hi)"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane_seed = 3", "PATH:9: [surface] plane_seed: only for "
                                                        "plane = random"},
        {"[model]\nparams = a\nformula = a*x\n[data]\ntrue = 2\n[run]\ninit = 1\n[surface]\n"
         "plane = pca",
         "PATH:9: [surface] plane: a model with one parameter is shown as a loss curve, without a "
         "plane"},
        {"[model]\nparams = w[2], d\nformula = d\n[data]\ntrue = 1, 2\n[run]\ninit = 0, 0\n",
         "PATH:5: [data] true: expected 3 values (w[1..2], d), got 2"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = b, c | pca | random | a, b | pca",
         "PATH:9: [surface] plane: more than 4 planes"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = b, c | pca\n[layout]\nmode = split",
         "PATH:11: [layout] mode: split shows one view per run, and [surface] plane shows 2 "
         "planes side by side: choose one"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = b, c | pca\n[mark m]\nat = 1, 2",
         "PATH:11: [mark m] at: a point on the view needs one plane ([surface] plane shows 2 side "
         "by side)"},
        {MODEL3 DATA3 RUN3 "[surface]\nplane = b, c | q",
         "PATH:9: [surface] plane: expected two parameters P, Q, or pca or random, got \"q\""},
        {"[model]\nparams = w[8]\nformula = w[9]*x\n[data]\ntrue = 1\n",
         "PATH:3: [model] formula: column 3: index 9 out of range for 'w' (w[1] .. w[8])"},
        {"[model]\nparams = w[8], u[4]\nformula = sum(k, w[k]*u[k])\n",
         "PATH:3: [model] formula: column 13: sum over 'k': 'w' has 8 parameters but 'u' has 4"},
        {"[model]\nparams = w[8]\nformula = sum(k, x)\n",
         "PATH:3: [model] formula: column 5: sum over 'k' indexes no parameter family (write e.g. "
         "w[k])"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i].text, cases[i].msg);
}

static void test_surface_errors(void **state) {
    (void)state;
    static const struct {
        const char *line, *msg;
    } cases[] = {
        {"a = 1", "a: expected 2 values (lo, hi), got 1"},
        {"b = 2, 1", "b: lo (2) must be less than hi (1)"},
        {"b = 1, 1", "b: lo (1) must be less than hi (1)"},
        {"b = -1e308, 1e308",
         "b: the range from -1e308 to 1e308 is too wide: lo and hi must be from -1e300 to 1e300"},
        {"b = -1e301, 0",
         "b: the range from -1e301 to 0 is too wide: lo and hi must be from -1e300 to 1e300"},
        /* Boxes too narrow for the grid, the ticks and the trails. */
        {"a = 0, 5e-324", "a: the range from 0 to 5e-324 is too narrow to draw: it must be at "
                          "least 1e-100 wide (1e-9 of max(|lo|, |hi|), at least 1e-100)"},
        {"a = 0, 1e-300", "a: the range from 0 to 1e-300 is too narrow to draw: it must be at "
                          "least 1e-100 wide (1e-9 of max(|lo|, |hi|), at least 1e-100)"},
        {"a = 1e299, 1.0000000001e299",
         "a: the range from 1e299 to 1.0000000001e299 is too narrow to draw: it must be at least "
         "1e+290 wide (1e-9 of max(|lo|, |hi|), at least 1e-100)"},
        {"a = -1, -0.9999999999", "a: the range from -1 to -0.9999999999 is too narrow to draw: it "
                                  "must be at least 1e-09 wide (1e-9 of max(|lo|, |hi|), at least "
                                  "1e-100)"},
        {"a = 1,,2", "a: empty item in list \"1,,2\""},
        {"a = 1, z", "a: expected a number, got \"z\""},
        {"c = 1, 2", "c: unknown key"},
        {"resolution = 7", "resolution: must be an integer from 8 to 512, got 7"},
        {"resolution = 513", "resolution: must be an integer from 8 to 512, got 513"},
        {"colormap = hot", "colormap: expected one of rainbow, viridis, plasma, inferno, magma, "
                           "coolwarm, jet, gray, got \"hot\""},
        {"opacity = 1.5", "opacity: must be from 0 to 1, got 1.5"},
        {"opacity = -0.5", "opacity: must be from 0 to 1, got -0.5"},
        {"wireframe = maybe", "wireframe: expected yes or no, got \"maybe\""},
        {"wireframe = Yes", "wireframe: expected yes or no, got \"Yes\""},
        {"contours = 101", "contours: must be an integer from 0 to 100, got 101"},
        {"zscale = ln", "zscale: expected linear or log, got \"ln\""},
        {"arrows = 2", "arrows: expected yes or no, got \"2\""},
        {"minima = some", "minima: expected yes or no, got \"some\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], msg[512];
        snprintf(text, sizeof text, MIN "[surface]\n%s\n", cases[i].line);
        snprintf(msg, sizeof msg, "PATH:9: [surface] %s", cases[i].msg);
        expect_error(text, msg);
    }
}

/* The widest and the narrowest ranges the rules allow load as given. */
static void test_surface_range_limits(void **state) {
    (void)state;
    static const struct {
        const char *line;
        double lo, hi;
    } cases[] = {
        {"a = -1e300, 1e300", -1e300, 1e300},
        {"a = 0, 1e-100", 0, 1e-100},
        {"a = 1e9, 1000000002", 1e9, 1000000002},
        {"a = -1, -0.999999998", -1, -0.999999998},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MIN "[surface]\n%s\n", cases[i].line);
        Config cfg;
        load_text_ok(text, &cfg);
        assert_int_equal(cfg.surface.has_range[0], 1);
        assert_true(cfg.surface.range[0][0] == cases[i].lo &&
                    cfg.surface.range[0][1] == cases[i].hi);
        config_free(&cfg);
    }
    assert_near(config_box_min_span(0, 0), 1e-100, 0);
    assert_near(config_box_min_span(-3e9, 2), 3, 1e-15);
}

static void test_run_errors(void **state) {
    (void)state;
    static const struct {
        const char *line, *msg;
    } cases[] = {
        {"init = 1", "init: expected 2 values (a, b), got 1"},
        {"init = 1, 2, 3", "init: expected 2 values (a, b), got 3"},
        {"init = 1, two", "init: expected a number, got \"two\""},
        {"init = normal(0)", "init: expected normal(mean, std), got \"normal(0)\""},
        {"init = normal 0, 1", "init: expected normal(mean, std), got \"normal 0, 1\""},
        {"init = normal(0, -1)", "init: std must be at least 0, got -1"},
        {"init = 1, 1\nrepeat = 3", "repeat: needs a random init, e.g. init = normal(0, 1)"},
        {"init = normal(0, 1)\nrepeat = 0", "repeat: must be an integer from 1 to 100, got 0"},
        {"init = normal(0, 1)\nrepeat = 101", "repeat: must be an integer from 1 to 100, got 101"},
        {"init = 1, 1\nlr = 0", "lr: must be greater than 0, got 0"},
        {"init = 1, 1\nlr = fast", "lr: expected a number, got \"fast\""},
        {"init = 1, 1\nsteps = -1", "steps: must be an integer from 0 to 1000000, got -1"},
        {"init = 1, 1\nsteps = 1000001",
         "steps: must be an integer from 0 to 1000000, got 1000001"},
        {"init = 1, 1\noptimizer = sgd", "optimizer: expected one of gd, momentum, nesterov, "
                                         "adagrad, rmsprop, adam, got \"sgd\""},
        {"init = 1, 1\nmomentum = 1", "momentum: must be at least 0 and less than 1, got 1"},
        {"init = 1, 1\nbeta1 = -0.1", "beta1: must be at least 0 and less than 1, got -0.1"},
        {"init = 1, 1\nbeta2 = 1.0", "beta2: must be at least 0 and less than 1, got 1.0"},
        {"init = 1, 1\nalpha = 2", "alpha: must be at least 0 and less than 1, got 2"},
        {"init = 1, 1\neps = 0", "eps: must be greater than 0, got 0"},
        {"init = 1, 1\nbatch = 201", "batch: 201 is more than the number of data points (200)"},
        {"init = 1, 1\nbatch = -1", "batch: must be at least 0, got -1"},
        {"init = 1, 1\nbatch = all", "batch: expected an integer, got \"all\""},
        {"init = 1, 1\ncolor = red", "color: expected a color #rrggbb, got \"red\""},
        {"init = 1, 1\nlabel =", "label: no value given"},
        {"init = 1, 1\nseed = x",
         "seed: expected an integer from 0 to 18446744073709551615, got \"x\""},
        {"init = 1, 1\nlrate = 1", "lrate: unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], msg[512];
        snprintf(text, sizeof text, MODEL DATA "[run good]\n%s\n", cases[i].line);
        int line = strncmp(cases[i].msg, "init", 4) == 0 ? 7 : 8;
        snprintf(msg, sizeof msg, "PATH:%d: [run good] %s", line, cases[i].msg);
        expect_error(text, msg);
    }
    /* the brief's example, with a run section in the middle of the file */
    expect_error(MODEL "[run good]\ninit = 1, 1\nlr = fast\n" DATA,
                 "PATH:6: [run good] lr: expected a number, got \"fast\"");
}

static void test_camera_layout_errors(void **state) {
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[camera]\nkey = 1, 2, 3",
         "PATH:9: [camera] key: expected 4 values (t, azimuth, elevation, zoom), got 3"},
        {"[camera]\nkey = -1, 0, 30, 1", "PATH:9: [camera] key: t must be at least 0, got -1"},
        {"[camera]\nkey = 0, 1e308, 30, 1",
         "PATH:9: [camera] key: azimuth must be from -36000 to 36000, got 1e+308"},
        {"[camera]\nkey = 0, 0, 95, 1",
         "PATH:9: [camera] key: elevation must be from -90 to 90, got 95"},
        {"[camera]\nkey = 0, 0, 30, 0.01",
         "PATH:9: [camera] key: zoom must be from 0.05 to 20, got 0.01"},
        {"[camera]\nkey = 0, 0, 30, 21",
         "PATH:9: [camera] key: zoom must be from 0.05 to 20, got 21"},
        {"[camera]\nkey = 2, 0, 30, 1\nkey = 1, 0, 0, 1\nkey = 2.0, 5, 5, 1",
         "PATH:11: [camera] key: t = 2 given twice (first on line 9)"},
        {"[camera]\nease = fast", "PATH:9: [camera] ease: expected smooth or linear, got \"fast\""},
        {"[camera]\nease = linear\nease = smooth",
         "PATH:10: [camera] ease: given twice (first on line 9)"},
        {"[layout]\nmode = grid", "PATH:9: [layout] mode: expected overlay or split, got \"grid\""},
        {"[layout]\npanels = surface, bogus", "PATH:9: [layout] panels: expected one of surface, "
                                              "contour, fit, loss, basins, got \"bogus\""},
        {"[layout]\npanels = fit, contour, fit", "PATH:9: [layout] panels: \"fit\" given twice"},
        {"[layout]\npanels =", "PATH:9: [layout] panels: no value given"},
        {"[layout]\npanels = fit,", "PATH:9: [layout] panels: empty item in list \"fit,\""},
        {"[layout]\nequation = nobody",
         "PATH:9: [layout] equation: no run is labelled \"nobody\" (the first is \"run\")"},
        {"[layout]\nequation =", "PATH:9: [layout] equation: no value given"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MIN "%s\n", cases[i].text);
        expect_error(text, cases[i].msg);
    }
    /* at most GD_MAX_KEYS keyframes */
    char *text = malloc(16384);
    size_t o = (size_t)sprintf(text, MIN "[camera]\n");
    for (int i = 0; i <= GD_MAX_KEYS; i++)
        o += (size_t)sprintf(text + o, "key = %d, 0, 30, 1\n", i);
    char msg[128];
    snprintf(msg, sizeof msg, "PATH:%d: [camera] key: more than %d keyframes", 9 + GD_MAX_KEYS,
             GD_MAX_KEYS);
    expect_error(text, msg);
    free(text);
}

static void test_timeline_theme_errors(void **state) {
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[timeline]\nkey = 1", "PATH:9: [timeline] key: expected 2 values (t, step), got 1"},
        {"[timeline]\nkey = 2, 5\nkey = 1, 8",
         "PATH:10: [timeline] key: t = 1 must come after the previous key's t = 2"},
        {"[timeline]\nkey = 1, 5\nkey = 1, 8",
         "PATH:10: [timeline] key: t = 1 must come after the previous key's t = 1"},
        {"[timeline]\nkey = -1, 0",
         "PATH:9: [timeline] key: t must be from 0 to 3600 seconds, got -1"},
        {"[timeline]\nkey = 0, -2",
         "PATH:9: [timeline] key: step must be from 0 to 400 (the longest run's steps), got -2"},
        {"[timeline]\nkey = 3, 400.5",
         "PATH:9: [timeline] key: step must be from 0 to 400 (the longest run's steps), got 400.5"},
        {"[timeline]\nease = fast",
         "PATH:9: [timeline] ease: expected smooth or linear, got \"fast\""},
        {"[timeline]\nspeed = 2", "PATH:9: [timeline] speed: unknown key"},
        {"[video]\ntext_scale = 0.4", "PATH:9: [video] text_scale: must be from 0.5 to 3, got 0.4"},
        {"[video]\ntext_scale = big", "PATH:9: [video] text_scale: expected a number, got \"big\""},
        {"[video]\ntheme = grey", "PATH:9: [video] theme: expected light or dark, got \"grey\""},
        {"[camera]\ntarget = middle",
         "PATH:9: [camera] target: expected 2 values (a, b, or trails), got 1"},
        {"[camera]\ntarget = 1, x", "PATH:9: [camera] target: expected a number, got \"x\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MIN "%s\n", cases[i].text);
        expect_error(text, cases[i].msg);
    }
}

static void test_labels_and_variable(void **state) {
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[labels]\nfoo = bar",
         "PATH:9: [labels] foo: unknown label (expected step, loss, start, diverged, contour, "
         "fit, loss_panel, basins, minimum, global_minimum, off_plane, basin_global, "
         "basin_globals, "
         "basin_local, basin_others, basin_moving, basin_diverged, x, y or a parameter name)"},
        {"[labels]\nstep =", "PATH:9: [labels] step: no value given"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MIN "%s\n", cases[i].text);
        expect_error(text, cases[i].msg);
    }
    expect_error("[model]\nparams = a, v\nvariable = v\nformula = a*v\n" DATA RUN,
                 "PATH:2: [model] params: \"v\" is reserved (the data variable)");
    expect_error("[model]\nparams = a, b\nvariable = exp\nformula = a\n" DATA RUN,
                 "PATH:3: [model] variable: \"exp\" is reserved (a function)");
    expect_error("[model]\nparams = a, b\nvariable = v\nformula = a*x + b\n" DATA RUN,
                 "PATH:4: [model] formula: column 3: unknown name 'x'");
    /* With variable v, x may name a parameter; labels replace the chrome. */
    char *path = write_config("[model]\nparams = a, x\nvariable = v\nformula = a*v + x\n" DATA RUN
                              "[labels]\na = slope (m/s)\ndiverged = 发散于第 {step} 步\n");
    Config cfg;
    GdError err;
    assert_int_equal(config_load(path, NULL, 0, &cfg, &err), 0);
    assert_string_equal(cfg.model.variable, "v");
    assert_string_equal(cfg.labels.param[0], "slope (m/s)");
    assert_string_equal(cfg.labels.param[1], "x");
    assert_string_equal(cfg.labels.x, "v"); /* the fit panel's axis: the variable */
    assert_string_equal(cfg.labels.step, "step");
    char buf[128];
    config_label_diverged(&cfg, 17, buf, sizeof buf);
    assert_string_equal(buf, "发散于第 17 步");
    /* The formula reads v as the data: y = a*v + x at v = 2. */
    double p[2] = {3, 1}, xs[1] = {2}, ys[1];
    formula_eval_many(cfg.model.formula, xs, 1, p, ys);
    assert_near(ys[0], 7, 0);
    config_free(&cfg);
    drop_config(path);
}

/* [mark NAME]: at, text (the name by default), color; --set reaches a mark
 * as mark.NAME.key; [surface] minima and its labels. */
static void test_marks(void **state) {
    (void)state;
    Config cfg;
    load_text_ok(MIN "[mark best]\nat = 1.2, 2.5\ntext = 全局最小值\ncolor = #FF8000\n"
                     "[mark start-2]\nat = -1, 0\n[surface]\nminima = yes\n"
                     "[labels]\nminimum = 局部最小值\nglobal_minimum = best of all\n",
                 &cfg);
    assert_int_equal(cfg.nmarks, 2);
    const MarkConfig *m = &cfg.marks[0];
    assert_string_equal(m->name, "best");
    assert_string_equal(m->text, "全局最小值");
    assert_true(m->at[0] == 1.2 && m->at[1] == 2.5);
    assert_int_equal(m->has_color, 1);
    assert_true(rgb_is(m->color, 0xff, 0x80, 0x00));
    assert_true(strstr(m->where, ":9: [mark best] at") != NULL);
    m = &cfg.marks[1];
    assert_string_equal(m->name, "start-2");
    assert_string_equal(m->text, "start-2");
    assert_true(m->at[0] == -1 && m->at[1] == 0);
    assert_int_equal(m->has_color, 0);
    assert_int_equal(cfg.surface.minima, 1);
    assert_string_equal(cfg.labels.minimum, "局部最小值");
    assert_string_equal(cfg.labels.global_minimum, "best of all");
    config_free(&cfg);

    char *path = write_config(MIN "[mark best]\nat = 1, 2\n");
    const char *ovr[] = {"mark.best.at=3, 4", "mark.new.at = 5,6", "mark.new.text=here"};
    load_ok(path, ovr, 3, &cfg);
    assert_int_equal(cfg.nmarks, 2);
    assert_true(cfg.marks[0].at[0] == 3 && cfg.marks[0].at[1] == 4);
    assert_string_equal(cfg.marks[0].where, "--set mark.best.at=3, 4: [mark best] at");
    assert_string_equal(cfg.marks[1].name, "new");
    assert_string_equal(cfg.marks[1].text, "here");
    assert_true(cfg.marks[1].at[0] == 5 && cfg.marks[1].at[1] == 6);
    config_free(&cfg);
    const char *bad[] = {"mark.best.color=red"};
    expect_load_error(path, bad, 1,
                      "--set mark.best.color=red: [mark best] color: expected a color #rrggbb, got "
                      "\"red\"");
    drop_config(path);

    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[mark best]\ntext = hi", "PATH:8: [mark best] at: missing"},
        {"[mark best]\nat = 1", "PATH:9: [mark best] at: expected 2 values (a, b), got 1"},
        {"[mark best]\nat = 1, x", "PATH:9: [mark best] at: expected a number, got \"x\""},
        {"[mark best]\nat =", "PATH:9: [mark best] at: no value given"},
        {"[mark best]\nat = 1, 2\ncolor = #12345",
         "PATH:10: [mark best] color: expected a color #rrggbb, got \"#12345\""},
        {"[mark best]\nat = 1, 2\nsize = 3", "PATH:10: [mark best] size: unknown key"},
        {"[mark best]\nat = 1, 2\ntext =", "PATH:10: [mark best] text: no value given"},
        {"[mark best]\nat = 1, 2\n[mark best]\nat = 3, 4",
         "PATH:10: [mark best]: given twice (first on line 8)"},
        {"[mark]\nat = 1, 2", "PATH:8: [mark]: a mark section needs a name: [mark NAME]"},
        {"[mark a b]\nat = 1, 2",
         "PATH:8: [mark a b]: bad mark name \"a b\" (use letters, digits, _, - and .)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MIN "%s\n", cases[i].text);
        expect_error(text, cases[i].msg);
    }
    /* at most GD_MAX_MARKS marks */
    char *text = malloc(16384);
    size_t o = (size_t)sprintf(text, MIN);
    for (int i = 0; i <= GD_MAX_MARKS; i++)
        o += (size_t)sprintf(text + o, "[mark m%d]\nat = 0, 0\n", i);
    char msg[128];
    snprintf(msg, sizeof msg, "PATH:%d: [mark m%d]: more than %d marks", 8 + 2 * GD_MAX_MARKS,
             GD_MAX_MARKS, GD_MAX_MARKS);
    expect_error(text, msg);
    free(text);
}

/* [layout] equation names a run by its label (repeat's "label#i"
 * included). */
static void test_equation_run(void **state) {
    (void)state;
    Config cfg;
    load_text_ok(MIN, &cfg);
    assert_int_equal(cfg.layout.show_equation, 0);
    config_free(&cfg);
    load_text_ok(MODEL DATA "[run a]\ninit = 0, 0\nlabel = LR 0.1\n[run b]\ninit = 1, 1\n"
                            "[layout]\nequation = b\n",
                 &cfg);
    assert_int_equal(cfg.layout.show_equation, 1);
    assert_int_equal(cfg.layout.equation_run, 1);
    config_free(&cfg);
    load_text_ok(MODEL DATA "[run s]\ninit = normal(0, 1)\nrepeat = 3\n"
                            "[layout]\nequation = s#2\n",
                 &cfg);
    assert_int_equal(cfg.layout.equation_run, 1);
    config_free(&cfg);
    expect_error(MODEL DATA "[run a]\ninit = 0, 0\nlabel = LR 0.1\n[run b]\ninit = 1, 1\n"
                            "[layout]\nequation = a\n",
                 "PATH:12: [layout] equation: no run is labelled \"a\" (the first is \"LR 0.1\")");
    expect_error(MODEL DATA "[run s]\ninit = normal(0, 1)\nrepeat = 3\n"
                            "[layout]\nequation = s\n",
                 "PATH:10: [layout] equation: no run is labelled \"s\" (the first is \"s#1\")");
}

/* {formula} in the title is the typeset formula. */
static void test_title_formula(void **state) {
    (void)state;
    Config cfg;
    load_text_ok(MIN "[video]\ntitle = y = {formula}, {formula}!\n", &cfg);
    assert_string_equal(cfg.video.title, "y = a·x + b, a·x + b!");
    config_free(&cfg);
    load_text_ok("[model]\nparams = a, b\nformula = a*x^3 + b*x^2\n" DATA RUN
                 "[video]\ntitle = {formula}\n",
                 &cfg);
    assert_string_equal(cfg.video.title, "a·x³ + b·x²");
    config_free(&cfg);
    load_text_ok(MIN "[video]\ntitle = {formula\n", &cfg);
    assert_string_equal(cfg.video.title, "{formula");
    config_free(&cfg);
    /* 40 placeholders (360 bytes) of 14 bytes each: too long once filled in */
    static char text[2048];
    size_t o = (size_t)snprintf(text, sizeof text,
                                "[model]\nparams = a, b\nformula = a*x*x*x + b\n" DATA RUN
                                "[video]\ntitle = ");
    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "{formula}");
    snprintf(text + o, sizeof text - o, "\n");
    expect_error(text, "PATH:9: [video] title: too long with {formula} filled in (more than 511 "
                       "bytes)");
}

static void test_timeline_theme_values(void **state) {
    (void)state;
    char *path = write_config(MIN "[video]\ntheme = dark\ntext_scale = 1.5\n"
                                  "[timeline]\nkey = 0, 0\nkey = 2, 2\nkey = 3, 2\nkey = 10, 400\n"
                                  "ease = smooth\n");
    Config cfg;
    GdError err;
    assert_int_equal(config_load(path, NULL, 0, &cfg, &err), 0);
    assert_int_equal(cfg.video.theme, THEME_DARK);
    assert_int_equal(cfg.video.background.r, 0x11); /* the dark theme's background */
    assert_int_equal(cfg.video.background.b, 0x18);
    assert_near(cfg.video.text_scale, 1.5, 0);
    assert_int_equal(cfg.timeline.nkeys, 4);
    assert_near(cfg.timeline.keys[2].t, 3, 0);
    assert_near(cfg.timeline.keys[2].step, 2, 0);
    assert_int_equal(cfg.timeline.ease, EASE_SMOOTH);
    config_free(&cfg);
    drop_config(path);
}

/* ---- runs: colours, repeat ---------------------------------------------- */

static void test_run_colors(void **state) {
    (void)state;
    static const unsigned palette[10] = {0xd62728, 0x1f77b4, 0x2ca02c, 0xff7f0e, 0x9467bd,
                                         0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f};
    char text[4096];
    size_t o = (size_t)sprintf(text, MODEL DATA);
    for (int i = 1; i <= 10; i++)
        o += (size_t)sprintf(text + o, "[run r%d]\ninit = %d, 0\n", i, i);
    Config cfg;
    load_text_ok(text, &cfg);
    assert_int_equal(cfg.nruns, 10);
    for (int i = 0; i < 10; i++) {
        const Rgb c = cfg.runs[i].color;
        assert_int_equal((c.r << 16) | (c.g << 8) | c.b, palette[i]);
        for (int j = 0; j < i; j++)
            assert_false(rgb_is(cfg.runs[j].color, c.r, c.g, c.b));
        assert_true(cfg.runs[i].init[0] == i + 1);
    }
    config_free(&cfg);

    /* an 11th run needs a colour of its own */
    char more[8192];
    snprintf(more, sizeof more, "%s[run r11]\ninit = 0, 0\n", text);
    expect_error(more, "PATH:26: [run r11]: more runs (11) than distinct default colors (10): "
                       "give each run a color");
    snprintf(more, sizeof more, "%s[run r11]\ninit = 0, 0\ncolor = #000000\n", text);
    load_text_ok(more, &cfg);
    assert_int_equal(cfg.nruns, 11);
    assert_true(rgb_is(cfg.runs[10].color, 0, 0, 0));
    config_free(&cfg);

    /* repeat counts runs too */
    expect_error(MODEL DATA "[run many]\ninit = normal(0, 1)\nrepeat = 11\n",
                 "PATH:6: [run many]: more runs (11) than distinct default colors (10): give "
                 "each run a color");
    /* and at most GD_MAX_RUNS in all */
    expect_error(MODEL DATA "[run a]\ninit = normal(0, 1)\nrepeat = 100\ncolor = #000000\n"
                            "[run b]\ninit = normal(0, 1)\nrepeat = 100\ncolor = #000000\n"
                            "[run c]\ninit = normal(0, 1)\nrepeat = 100\ncolor = #000000\n",
                 "PATH:16: [run c] repeat: too many runs in all (more than 256)");
}

static void test_repeat(void **state) {
    (void)state;
    const char *text = MODEL DATA "[run good]\ninit = 1, 2\n"
                                  "[run rnd]\ninit = normal(1, 0.5)\nrepeat = 3\nlabel = Random\n"
                                  "[run zero]\ninit = normal(-2, 0)\nrepeat = 2\n";
    Config a, b;
    load_text_ok(text, &a);
    load_text_ok(text, &b);
    assert_int_equal(a.nruns, 6);
    static const char *const labels[6] = {"good",     "Random#1", "Random#2",
                                          "Random#3", "zero#1",   "zero#2"};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(a.runs[i].label, labels[i]);
        /* deterministic: the same config gives the same inits and seeds */
        assert_memory_equal(a.runs[i].init, b.runs[i].init, sizeof a.runs[i].init);
        assert_true(a.runs[i].batch_seed == b.runs[i].batch_seed);
        for (int j = 0; j < i; j++)
            assert_true(a.runs[i].batch_seed != a.runs[j].batch_seed);
    }
    assert_string_equal(a.runs[1].name, "rnd");
    assert_string_equal(a.runs[3].name, "rnd");
    /* each repeat draws its own init, each parameter its own value */
    for (int i = 1; i <= 3; i++) {
        assert_true(a.runs[i].init[0] != a.runs[i].init[1]);
        for (int j = 1; j < i; j++)
            assert_true(a.runs[i].init[0] != a.runs[j].init[0]);
        /* normal(1, 0.5): within 6 sigma */
        assert_true(fabs(a.runs[i].init[0] - 1.0) < 3.0 && fabs(a.runs[i].init[1] - 1.0) < 3.0);
    }
    /* std 0 gives the mean exactly */
    assert_true(a.runs[4].init[0] == -2.0 && a.runs[5].init[1] == -2.0);
    /* default colours continue through the repeats */
    assert_true(rgb_is(a.runs[1].color, 0x1f, 0x77, 0xb4));
    assert_true(rgb_is(a.runs[3].color, 0xff, 0x7f, 0x0e));
    config_free(&b);

    /* another seed gives other draws; the fixed run is unchanged */
    const char *ovr[] = {"run.rnd.seed=2"};
    char *path = write_config(text);
    load_ok(path, ovr, 1, &b);
    assert_true(b.runs[0].init[0] == 1.0 && b.runs[0].init[1] == 2.0);
    for (int i = 1; i <= 3; i++)
        assert_true(b.runs[i].init[0] != a.runs[i].init[0]);
    assert_true(b.runs[1].batch_seed != a.runs[1].batch_seed);
    assert_true(b.runs[0].batch_seed == a.runs[0].batch_seed);
    config_free(&b);
    /* the run seed defaults to the data seed */
    const char *ovr2[] = {"data.seed=2"};
    load_ok(path, ovr2, 1, &b);
    for (int i = 1; i <= 3; i++)
        assert_true(b.runs[i].init[0] != a.runs[i].init[0]);
    config_free(&b);
    const char *ovr3[] = {"data.seed=2", "run.rnd.seed=1"};
    load_ok(path, ovr3, 2, &b);
    for (int i = 1; i <= 3; i++)
        assert_memory_equal(b.runs[i].init, a.runs[i].init, sizeof a.runs[i].init);
    config_free(&b);
    drop_config(path);
    config_free(&a);

    /* repeat = 1 keeps the plain label */
    load_text_ok(MODEL DATA "[run one]\ninit = normal(0, 1)\nrepeat = 1\n", &a);
    assert_int_equal(a.nruns, 1);
    assert_string_equal(a.runs[0].label, "one");
    config_free(&a);
}

/* ---- overrides ---------------------------------------------------------- */

static void test_overrides(void **state) {
    (void)state;
    const char *text = "[video]\nwidth = 640 ; small\nheight = 360\n\n" MODEL DATA
                       "[run good]\ninit = 1, 1\nlr = 0.5\n\n# end\n";
    char *path = write_config(text);
    Config cfg;
    const char *ovr[] = {"video.width=800",     "video.fps = 25",    "run.good.lr=0.25",
                         "run.init=3,4",        "run.new.init=5, 6", "camera.key=1,0,30,1",
                         "camera.key=0,0,30,2", "video.width=1024",  "run.good.steps=7"};
    load_ok(path, ovr, 9, &cfg);
    assert_int_equal(cfg.video.width, 1024); /* the later override wins */
    assert_int_equal(cfg.video.height, 360);
    assert_int_equal(cfg.video.fps, 25);
    assert_int_equal(cfg.nruns, 3);
    assert_string_equal(cfg.runs[0].label, "good");
    assert_true(cfg.runs[0].lr == 0.25);
    assert_int_equal(cfg.runs[0].steps, 7);
    assert_string_equal(cfg.runs[1].label, "run");
    assert_true(cfg.runs[1].init[0] == 3.0 && cfg.runs[1].init[1] == 4.0);
    assert_string_equal(cfg.runs[2].label, "new");
    assert_true(cfg.runs[2].init[0] == 5.0 && cfg.runs[2].init[1] == 6.0);
    assert_int_equal(cfg.camera.nkeys, 2);
    assert_true(cfg.camera.keys[0].zoom == 2.0 && cfg.camera.keys[1].t == 1.0);
    /* the effective text: replaced lines in place, new keys after the
     * section's last key, new sections at the end */
    assert_string_equal(cfg.text, "[video]\nwidth = 1024\nheight = 360\nfps = 25\n\n" MODEL DATA
                                  "[run good]\ninit = 1, 1\nlr = 0.25\nsteps = 7\n\n# end\n"
                                  "[run]\ninit = 3,4\n[run new]\ninit = 5, 6\n"
                                  "[camera]\nkey = 1,0,30,1\nkey = 0,0,30,2\n");
    /* run lines keep their file line; override-made ones have none */
    assert_int_equal(cfg.runs[0].line, 10);
    assert_int_equal(cfg.runs[1].line, 0);
    config_free(&cfg);

    /* errors name the override */
    const char *bad[] = {"run.good.lr=fast"};
    expect_load_error(path, bad, 1,
                      "--set run.good.lr=fast: [run good] lr: expected a number, got \"fast\"");
    const char *bad2[] = {"vidoe.width=5"};
    expect_load_error(path, bad2, 1,
                      "--set vidoe.width=5: [vidoe]: unknown section (expected " SECTIONS ")");
    const char *bad3[] = {"video.widht=5"};
    expect_load_error(path, bad3, 1, "--set video.widht=5: [video] widht: unknown key");
    const char *bad4[] = {"run.x.lr=1"};
    expect_load_error(path, bad4, 1, "--set run.x.lr=1: [run x] init: missing");
    const char *bad5[] = {"camera.key=0,0,30,1", "camera.key=0,10,30,1"};
    expect_load_error(path, bad5, 2,
                      "--set camera.key=0,10,30,1: [camera] key: t = 0 given twice (first in "
                      "--set camera.key=0,0,30,1)");
    /* a key given twice in the file, one of them overridden */
    char *path2 = write_config(MIN "[surface]\nopacity = 0.5\nopacity = 0.7\n");
    const char *ov6[] = {"surface.opacity=0.1"};
    expect_load_error(path2, ov6, 1,
                      "PATH:10: [surface] opacity: given twice (first in --set "
                      "surface.opacity=0.1)");
    drop_config(path2);

    static const char *const malformed[] = {"videowidth=5",   "video.width",
                                            ".width=5",       "video.=5",
                                            "video.a.b=5",    "=5",
                                            "run..lr=1",      "run.a b.lr=1",
                                            "video.wi dth=5", "video.title=a\n[run evil]"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        char msg[256];
        snprintf(msg, sizeof msg, "--set %s: expected SECTION.KEY=VALUE", malformed[i]);
        /* messages are one line: control characters are shown as '?' */
        for (char *p = msg; *p; p++)
            if (*p == '\n')
                *p = '?';
        expect_load_error(path, &malformed[i], 1, msg);
    }
    const char *bad7[] = {"video.title=\xff"};
    expect_load_error(path, bad7, 1, "--set video.title=\xff: invalid UTF-8");
    static char longv[5000], msg[512];
    snprintf(longv, sizeof longv, "video.title=%04200d", 0);
    /* a long override is echoed shortened to 60 bytes, so the reason fits */
    snprintf(msg, sizeof msg, "--set %.60s...: line too long (more than 4095 bytes)", longv);
    const char *bad8[] = {longv};
    expect_load_error(path, bad8, 1, msg);
    /* an error that an override and the file cause together names the
     * override, not the file's line */
    char *path3 = write_config("[model]\nparams = a, b\nformula = a*x + b\n"
                               "[data]\ntrue = 1, 0\nx = linspace(-1, 1, 3)\n" RUN
                               "[video]\nduration = 0.1\nhold = 1\nfps = 1\n"
                               "[camera]\ntarget = 1, 1\n");
    const char *ov9[] = {"model.formula=log(a*x) + b"};
    expect_load_error(path3, ov9, 1,
                      "--set model.formula=log(a*x) + b: [data] true: the formula is not finite "
                      "at x = -1");
    const char *ov10[] = {"data.x=linspace(0, 1, 2)", "model.formula=log(x)"};
    expect_load_error(path3, ov10, 2,
                      "--set model.formula=log(x): [data] true: the formula is not finite at x = "
                      "0");
    const char *ov11[] = {"video.hold=0"};
    expect_load_error(path3, ov11, 1,
                      "--set video.hold=0: [video] duration: fps x (duration + hold) = 1 x 0.1 s "
                      "gives no frames");
    const char *ov12[] = {"run.batch=3", "data.x=linspace(0, 1, 2)"};
    expect_load_error(path3, ov12, 2,
                      "--set run.batch=3: [run] batch: 3 is more than the number of data points "
                      "(2)");
    const char *ov13[] = {"data.x=linspace(0, 1, 2)", "run.batch=3"};
    expect_load_error(path3, ov13, 2,
                      "--set run.batch=3: [run] batch: 3 is more than the number of data points "
                      "(2)");
    char *path4 = write_config(MODEL "[data]\ntrue = 1, 0\nx = linspace(-1, 1, 3)\n"
                                     "[run]\ninit = 0, 0\nbatch = 3\n");
    const char *ov14[] = {"data.x=linspace(0, 1, 2)"};
    expect_load_error(path4, ov14, 1,
                      "--set data.x=linspace(0, 1, 2): [run] batch: 3 is more than the number of "
                      "data points (2)");
    drop_config(path4);
    Config tcfg;
    const char *ov15[] = {"surface.a=5, 6"};
    load_ok(path3, ov15, 1, &tcfg);
    assert_string_equal(tcfg.camera.target_where, "--set surface.a=5, 6: [camera] target");
    config_free(&tcfg);
    load_ok(path3, NULL, 0, &tcfg);
    char where[1100];
    snprintf(where, sizeof where, "%s:14: [camera] target", path3);
    assert_string_equal(tcfg.camera.target_where, where);
    config_free(&tcfg);
    drop_config(path3);

    /* a value with '=' and '.' in it is fine */
    const char *ok[] = {"video.title=a.b=c", "model.formula=a*x + b + 0.5"};
    load_ok(path, ok, 2, &cfg);
    assert_string_equal(cfg.video.title, "a.b=c");
    assert_string_equal(cfg.model.formula_text, "a*x + b + 0.5");
    config_free(&cfg);
    drop_config(path);
}

/* ---- paths and data --------------------------------------------------- */

static void test_paths(void **state) {
    (void)state;
    Config cfg;
    load_ok("tests/data/points.ini", NULL, 0, &cfg);
    assert_string_equal(cfg.path, "tests/data/points.ini");
    assert_string_equal(cfg.dir, "tests/data");
    assert_string_equal(cfg.stem, "points");
    assert_int_equal(cfg.data.from_file, 1);
    assert_string_equal(cfg.data.file, "tests/data/points.csv");
    assert_int_equal(cfg.data.has_true, 0);
    assert_true(cfg.data.seed == 5);
    assert_int_equal(cfg.data.line, 6);
    assert_int_equal(cfg.ndata, 4);
    const double ex[4] = {0.0, 1.0, 2.0, -1.5}, ey[4] = {1.0, 3.0, 5.0, -2.0};
    assert_memory_equal(cfg.data_x, ex, sizeof ex);
    assert_memory_equal(cfg.data_y, ey, sizeof ey);
    assert_true(cfg.data.x_lo == -1.5 && cfg.data.x_hi == 2.0);
    assert_int_equal(cfg.data.x_n, 4);
    assert_int_equal(cfg.runs[0].batch, 4);
    config_free(&cfg);

    /* absolute paths stay as they are; output need not exist */
    char *path = write_config(MODEL "[data]\nfile = /nonexistent.csv\n" RUN);
    expect_load_error(path, NULL, 0,
                      "PATH:5: [data] file: cannot open \"/nonexistent.csv\": No such file or "
                      "directory");
    drop_config(path);
    path = write_config(MIN "[video]\noutput = /tmp/some/where.mp4\n");
    load_ok(path, NULL, 0, &cfg);
    assert_string_equal(cfg.video.output, "/tmp/some/where.mp4");
    config_free(&cfg);
    drop_config(path);

    /* the stem drops only the last extension */
    const char *dir = tu_tmpdir();
    char *p2 = tu_write_file(dir, "my.lesson.ini", MIN);
    load_ok(p2, NULL, 0, &cfg);
    assert_string_equal(cfg.stem, "my.lesson");
    assert_string_equal(cfg.dir, dir);
    config_free(&cfg);
    free(p2);
    tu_remove_dir(dir);

    /* batch may not exceed the file's rows */
    const char *ovr[] = {"run.batch=5"};
    expect_load_error("tests/data/points.ini", ovr, 1,
                      "--set run.batch=5: [run] batch: 5 is more than the number of data points "
                      "(4)");
}

static void test_synthetic_data(void **state) {
    (void)state;
    Config cfg;
    load_text_ok("[model]\nparams = a, b\nformula = a*x + b\n"
                 "[data]\ntrue = 1.5, -0.25\nx = linspace(-2, 3, 7)\nnoise = 0.3\nseed = 11\n" RUN,
                 &cfg);
    assert_int_equal(cfg.ndata, 7);
    GdRng rng;
    rng_seed(&rng, 11);
    for (int i = 0; i < 7; i++) {
        double x = -2.0 + 5.0 * (double)i / 6.0;
        assert_true(cfg.data_x[i] == x);
        double y = 1.5 * x + -0.25 + 0.3 * rng_normal(&rng);
        uint64_t got, want;
        memcpy(&got, &cfg.data_y[i], sizeof got);
        memcpy(&want, &y, sizeof want);
        assert_true(got == want);
    }
    /* the first values, pinned: the same seed gives the same data everywhere */
    assert_true(cfg.data_x[6] == 3.0);
    config_free(&cfg);

    /* n = 1 gives lo, even with lo > hi */
    load_text_ok("[model]\nparams = a, b\nformula = a*x + b\n"
                 "[data]\ntrue = 1, 0\nx = linspace(5, 1, 1)\nnoise = 0\n" RUN,
                 &cfg);
    assert_int_equal(cfg.ndata, 1);
    assert_true(cfg.data_x[0] == 5.0 && cfg.data_y[0] == 5.0);
    config_free(&cfg);

    /* the default noise (0.1) and seed (1) over linspace(-1, 1, 200) */
    load_text_ok(MIN, &cfg);
    rng_seed(&rng, 1);
    for (int i = 0; i < 200; i++) {
        double x = -1.0 + 2.0 * (double)i / 199.0;
        assert_true(cfg.data_x[i] == x);
        assert_true(cfg.data_y[i] == 2.0 * x + 1.0 + 0.1 * rng_normal(&rng));
    }
    config_free(&cfg);
}

static void test_frame_count(void **state) {
    (void)state;
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.video.fps = 30;
    cfg.video.duration = 10.0;
    cfg.video.hold = 2.0;
    assert_int_equal(config_frame_count(&cfg), 360);
    cfg.video.fps = 24;
    cfg.video.duration = 0.1;
    cfg.video.hold = 0.0;
    assert_int_equal(config_frame_count(&cfg), 2); /* 2.4 rounds to 2 */
    cfg.video.duration = 0.0625;
    assert_int_equal(config_frame_count(&cfg), 2); /* 1.5 rounds up */
    cfg.video.fps = 1;
    cfg.video.duration = 0.25;
    assert_int_equal(config_frame_count(&cfg), 0);
    config_free(&cfg); /* nothing allocated: still fine */
    config_free(NULL);
}

static void test_optimizer_names(void **state) {
    (void)state;
    static const char *const names[] = {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"};
    assert_int_equal(GD_OPTIMIZER_COUNT, 6);
    for (int k = 0; k < GD_OPTIMIZER_COUNT; k++)
        assert_string_equal(config_optimizer_name((OptimizerKind)k), names[k]);
    assert_string_equal(config_optimizer_name((OptimizerKind)GD_OPTIMIZER_COUNT), "?");
    assert_string_equal(config_optimizer_name((OptimizerKind)-1), "?");
    /* The names the loader accepts are the names it prints. */
    Config cfg;
    GdError err;
    for (int k = 0; k < GD_OPTIMIZER_COUNT; k++) {
        char set[64];
        snprintf(set, sizeof set, "run.optimizer=%s", config_optimizer_name(k));
        ConfigOverride o = {set};
        assert_int_equal(config_load("tests/data/points.ini", &o, 1, &cfg, &err), 0);
        assert_int_equal(cfg.runs[0].optimizer, k);
        config_free(&cfg);
    }
}

/* Random edits of a valid config: every outcome is success or a one-line
 * input error naming the file; never a crash (run under ASan in CI). */
static void test_mutations(void **state) {
    (void)state;
    static const char base[] = "[video]\nwidth = 640\ntitle = hi\n[model]\nparams = a, b\n"
                               "formula = sin(b*cos(a*x))\n[data]\ntrue = 1, 2\n"
                               "x = linspace(-1, 1, 20)\n[surface]\na = 0, 3\n"
                               "[run good]\ninit = normal(0, 1)\nrepeat = 3\nbatch = 5\n"
                               "[camera]\nkey = 0, 1, 2, 1\n[layout]\npanels = fit, loss\n";
    static const char *const tokens[] = {"[",
                                         "]",
                                         "=",
                                         ",",
                                         ";",
                                         "#",
                                         "\n",
                                         " ",
                                         "run",
                                         "(",
                                         ")",
                                         "\xff",
                                         "\xe4\xb8\x80",
                                         "1e999",
                                         "-",
                                         "0",
                                         "x",
                                         "key",
                                         "[run]",
                                         "normal(",
                                         "\t",
                                         "\r\n",
                                         ":",
                                         "linspace("};
    const char *dir = tu_tmpdir();
    GdRng r;
    rng_seed(&r, 5);
    char buf[2048];
    int nok = 0, nbad = 0;
    for (int it = 0; it < 1500; it++) {
        size_t n = strlen(base);
        memcpy(buf, base, n + 1);
        int muts = 1 + (int)rng_below(&r, 6);
        for (int m = 0; m < muts; m++) {
            size_t pos = rng_below(&r, (uint32_t)n + 1);
            if (rng_below(&r, 3) == 0 && pos < n) {
                size_t len = 1 + rng_below(&r, 8);
                if (pos + len > n)
                    len = n - pos;
                memmove(buf + pos, buf + pos + len, n - pos - len + 1);
                n -= len;
            } else {
                const char *t = tokens[rng_below(&r, sizeof tokens / sizeof tokens[0])];
                size_t tl = strlen(t);
                memmove(buf + pos + tl, buf + pos, n - pos + 1);
                memcpy(buf + pos, t, tl);
                n += tl;
            }
        }
        char *path = tu_write_file(dir, "m.ini", buf);
        Config cfg;
        GdError err;
        int rc = config_load(path, NULL, 0, &cfg, &err);
        if (rc == 0) {
            nok++;
            assert_true(cfg.nruns >= 1 && cfg.ndata >= 1);
        } else {
            nbad++;
            assert_int_equal(rc, GD_ERR_INPUT);
            assert_true(strncmp(err.msg, path, strlen(path)) == 0);
            assert_null(strchr(err.msg, '\n'));
        }
        config_free(&cfg);
        free(path);
    }
    assert_true(nok > 0 && nbad > 0);
    tu_remove_dir(dir);
}

/* [caption NAME]: each key's errors, at its line (the caption starts at
 * line 8; MIN's run is labelled "run" and has 400 steps). */
static void test_caption_errors(void **state) {
    (void)state;
    expect_error(MIN "[caption]\ntext = x\n",
                 "PATH:8: [caption]: a caption section needs a name: [caption NAME]");
    expect_error(MIN "[caption a]\nfrom = 1\n", "PATH:8: [caption a] text: missing");
    expect_error(MIN "[caption a]\ntext = x\nfrom = 3\nto = 2\n",
                 "PATH:11: [caption a] to: 2 comes before from = 3");
    expect_error(MIN "[caption a]\ntext = x\nfrom = step 30\nto = step 20\n",
                 "PATH:11: [caption a] to: step 20 comes before from = step 30");
    expect_error(MIN "[caption a]\ntext = x\nfrom = step 401\n",
                 "PATH:10: [caption a] from: step must be from 0 to 400 (the longest run's "
                 "steps), got 401");
    expect_error(MIN "[caption a]\ntext = x\nto = soon\n",
                 "PATH:10: [caption a] to: expected a number, got \"soon\"");
    expect_error(MIN "[caption a]\ntext = b is {bb}\n",
                 "PATH:9: [caption a] text: unknown placeholder {bb} (expected {step}, {loss}, "
                 "{lr}, {formula}, {basin_share} or a parameter, e.g. {a})");
    expect_error(MIN "[caption a]\ntext = b is {b\n",
                 "PATH:9: [caption a] text: '{' without its '}'");
    expect_error(MIN "[caption a]\ntext = x\nrun = fast\n",
                 "PATH:10: [caption a] run: no run is labelled \"fast\" (the first is \"run\")");
    expect_error(
        MIN "[caption a]\ntext = x\nat = left\n",
        "PATH:10: [caption a] at: expected top, bottom, ball or a point a, b, got \"left\"");
    expect_error(MIN "[caption a]\ntext = x\nfade = 11\n",
                 "PATH:10: [caption a] fade: must be from 0 to 10, got 11");
    expect_error(MIN "[caption a]\ntext = x\ncolour = red\n",
                 "PATH:10: [caption a] colour: unknown key");
    expect_error(MIN "[caption a]\ntext = x\n[caption a]\ntext = y\n",
                 "PATH:10: [caption a]: given twice (first on line 8)");
}

/* [basins]: the defaults, every key, and each bad input at its line (the
 * section starts at line 8). */
static void test_basins(void **state) {
    (void)state;
    Config cfg;
    load_text_ok(MIN "[layout]\npanels = surface, basins\n[basins]\n", &cfg);
    assert_true(cfg.basins.enabled);
    assert_int_equal(cfg.basins.resolution, 64);
    assert_int_equal(cfg.basins.run, 0);
    assert_true(cfg.basins.tolerance < 0); /* 1e-3 of the box, once it is known */
    assert_false(cfg.basins.floor);
    assert_int_equal(cfg.layout.npanels, 2);
    assert_int_equal(cfg.layout.panels[1], PANEL_BASINS);
    config_free(&cfg);
    load_text_ok(MODEL DATA "[run slow]\ninit = 0, 0\n[run fast]\ninit = 1, 1\nlr = 0.5\n"
                            "[basins]\nresolution = 8\nrun = fast\ntolerance = 0.01\nfloor = yes\n"
                            "[caption c]\ntext = {basin_share}% of starts win\n",
                 &cfg);
    assert_int_equal(cfg.basins.resolution, 8);
    assert_int_equal(cfg.basins.run, 1);
    assert_near(cfg.basins.tolerance, 0.01, 0);
    assert_true(cfg.basins.floor);
    config_free(&cfg);
    load_text_ok(MIN, &cfg);
    assert_false(cfg.basins.enabled);
    config_free(&cfg);

    expect_error(MIN "[basins]\nresolution = 7\n",
                 "PATH:9: [basins] resolution: must be an integer from 8 to 512, got 7");
    expect_error(MIN "[basins]\nresolution = 513\n",
                 "PATH:9: [basins] resolution: must be an integer from 8 to 512, got 513");
    expect_error(MIN "[basins]\nrun = fast\n",
                 "PATH:9: [basins] run: no run is labelled \"fast\" (the first is \"run\")");
    expect_error(MIN "[basins]\ntolerance = -0.5\n",
                 "PATH:9: [basins] tolerance: must be at least 0, got -0.5");
    expect_error(MIN "[basins]\nfloor = maybe\n",
                 "PATH:9: [basins] floor: expected yes or no, got \"maybe\"");
    expect_error(MIN "[basins]\nsteps = 5\n", "PATH:9: [basins] steps: unknown key");
    expect_error(MIN "[layout]\npanels = contour, basins\n",
                 "PATH:9: [layout] panels: the basins panel needs a [basins] section (its keys "
                 "have defaults: an empty [basins] will do)");
    expect_error(MIN "[caption c]\ntext = {basin_share}%\n",
                 "PATH:9: [caption c] text: {basin_share} needs a [basins] section");
    expect_error(MIN "[basins]\n[basins]\n", "PATH:9: [basins]: given twice (first on line 8)");
    /* an override names itself */
    char *path = write_config(MIN "[basins]\n");
    const char *bad[] = {"basins.resolution=1000"};
    expect_load_error(path, bad, 1,
                      "--set basins.resolution=1000: [basins] resolution: must be an integer "
                      "from 8 to 512, got 1000");
    drop_config(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_video_errors),
        cmocka_unit_test(test_timeline_theme_errors),
        cmocka_unit_test(test_timeline_theme_values),
        cmocka_unit_test(test_labels_and_variable),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_data_errors),
        cmocka_unit_test(test_surface_errors),
        cmocka_unit_test(test_many_params),
        cmocka_unit_test(test_surface_range_limits),
        cmocka_unit_test(test_run_errors),
        cmocka_unit_test(test_camera_layout_errors),
        cmocka_unit_test(test_title_formula),
        cmocka_unit_test(test_equation_run),
        cmocka_unit_test(test_run_colors),
        cmocka_unit_test(test_repeat),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_synthetic_data),
        cmocka_unit_test(test_frame_count),
        cmocka_unit_test(test_optimizer_names),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_caption_errors),
        cmocka_unit_test(test_basins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
