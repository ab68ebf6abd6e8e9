/*
 * test_cli.c — the command line (SPEC section 2) run as a user would: exit
 * statuses, exact messages, --check summaries of the shipped configs, the
 * trajectory CSV, --set overrides, determinism and the basin map's CSV.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#define RUN(...) tu_run((const char *const[]){__VA_ARGS__, NULL})

static void expect_error(RunResult r, int status, const char *message) {
    if (r.status != status || strcmp(r.err, message) != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_int_equal(r.status, status);
    assert_string_equal(r.err, message);
}

static void test_help_and_version(void **state) {
    (void)state;
    RunResult r = RUN("--help");
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "Usage: gdrender [OPTIONS] CONFIG.ini\n", 37) == 0);
    assert_non_null(strstr(r.out, "--trajectory FILE"));
    /* It teaches: the common commands, then the options, then where the
     * full reference is. */
    const char *common = strstr(r.out, "\nCommon commands:\n");
    const char *options = strstr(r.out, "\nOptions:\n");
    assert_non_null(common);
    assert_non_null(options);
    assert_true(common < options);
    assert_non_null(strstr(common, "gdrender new > lesson.ini"));
    assert_non_null(strstr(common, "gdrender -f 120 lesson.ini"));
    assert_non_null(strstr(common, "gdrender -q draft lesson.ini"));
    assert_non_null(strstr(common, "gdrender --check lesson.ini"));
    const char *tail = "\nFull reference: man gdrender\n";
    assert_true(strlen(r.out) > strlen(tail));
    assert_string_equal(r.out + strlen(r.out) - strlen(tail), tail);
    assert_string_equal(r.err, "");
    tu_run_free(&r);
    r = RUN("-V");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "gdrender " GD_VERSION "\n");
    tu_run_free(&r);
}

static void test_command_line_errors(void **state) {
    (void)state;
    RunResult r = tu_run((const char *const[]){NULL});
    expect_error(r, 2, "gdrender: missing CONFIG.ini (see gdrender --help)\n");
    tu_run_free(&r);
    r = RUN("--bogus", "configs/linear.ini");
    expect_error(r, 2, "gdrender: unknown option \"--bogus\" (see gdrender --help)\n");
    tu_run_free(&r);
    r = RUN("-f", "x", "configs/linear.ini");
    expect_error(r, 2, "gdrender: --frame: expected a frame number (0, 1, ...), got \"x\"\n");
    tu_run_free(&r);
    r = RUN("-q", "ultra", "configs/linear.ini");
    expect_error(r, 2, "gdrender: --quality: expected draft, medium or high, got \"ultra\"\n");
    tu_run_free(&r);
    r = RUN("-j", "0", "configs/linear.ini");
    expect_error(r, 2, "gdrender: --threads: expected a number from 1 to 256, got \"0\"\n");
    tu_run_free(&r);
    r = RUN("configs/linear.ini", "configs/local_minimum.ini");
    expect_error(r, 2,
                 "gdrender: one config at a time: unexpected \"configs/local_minimum.ini\"\n");
    tu_run_free(&r);
    r = RUN("--output");
    expect_error(r, 2, "gdrender: --output: missing value (see gdrender --help)\n");
    tu_run_free(&r);
    r = RUN("--frame", "100000", "configs/linear.ini");
    expect_error(r, 2, "gdrender: --frame 100000: the video has 360 frames (0..359)\n");
    tu_run_free(&r);
    r = RUN("-f", "3", "-o", "/tmp/x.mp4", "configs/linear.ini");
    expect_error(r, 2,
                 "gdrender: /tmp/x.mp4: --frame writes a PNG still: the output must end in .png\n");
    tu_run_free(&r);
    r = RUN("--check", "-o", "/tmp/x.mp4", "configs/linear.ini");
    expect_error(r, 2, "gdrender: --check writes no video: it cannot be combined with --output\n");
    tu_run_free(&r);
    /* [layout] equation names a run that does not exist */
    r = RUN("--check", "--set", "layout.equation=LR 0.2", "configs/explained.ini");
    expect_error(r, 2,
                 "gdrender: --set layout.equation=LR 0.2: [layout] equation: no run is labelled "
                 "\"LR 0.2\" (the first is \"LR 0.1\")\n");
    tu_run_free(&r);
}

/* Parses "label: a=A b=B loss=L steps=S status" lines. */
static void parse_summary(const char *line, double *a, double *b, double *loss, int *steps,
                          char *status) {
    const char *p = strstr(line, " a=");
    assert_non_null(p);
    assert_int_equal(
        sscanf(p, " a=%lf b=%lf loss=%lf steps=%d %63[^\n]", a, b, loss, steps, status), 5);
}

static void test_check_global_and_local(void **state) {
    (void)state;
    double a, b, loss;
    int steps;
    char status[64];
    RunResult r = RUN("--check", "configs/global_minimum.ini");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_true(strncmp(r.out, "start (2, 4.5): ", 16) == 0);
    parse_summary(r.out, &a, &b, &loss, &steps, status);
    assert_near(a, 1.2, 0.05);
    assert_near(b, 2.5, 0.05);
    assert_true(loss < 0.02); /* the noise floor: 0.1^2 */
    assert_int_equal(steps, 400);
    tu_run_free(&r);

    r = RUN("--check", "configs/local_minimum.ini");
    assert_int_equal(r.status, 0);
    parse_summary(r.out, &a, &b, &loss, &steps, status);
    /* Stuck: far from (1.2, 2.5) with a much higher loss. */
    assert_true(hypot(a - 1.2, b - 2.5) > 1.0);
    assert_true(loss > 0.1);
    tu_run_free(&r);
}

static void test_check_linear_and_empirical(void **state) {
    (void)state;
    double a, b, loss;
    int steps;
    char status[64];
    RunResult r = RUN("--check", "configs/linear.ini");
    assert_int_equal(r.status, 0);
    parse_summary(r.out, &a, &b, &loss, &steps, status);
    assert_near(a, 1.2, 0.05);
    assert_near(b, 2.5, 0.05);
    assert_string_equal(status, "converged");
    tu_run_free(&r);
    r = RUN("--check", "configs/empirical_formula.ini");
    assert_int_equal(r.status, 0);
    parse_summary(r.out, &a, &b, &loss, &steps, status);
    assert_near(a, 1.2, 0.1);
    assert_near(b, 2.5, 0.1);
    tu_run_free(&r);
}

/* Reads column `col` (0-based) of the CSV rows into v; returns the count. */
static int csv_column(const char *csv, int col, double *v, int max) {
    int n = 0;
    const char *line = strchr(csv, '\n') + 1; /* skip the header */
    while (*line && n < max) {
        const char *p = line;
        for (int c = 0; c < col; c++)
            p = strchr(p, ',') + 1;
        v[n++] = strtod(p, NULL);
        line = strchr(line, '\n') + 1;
    }
    return n;
}

static void test_lr_too_large_zigzags(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char csv[256];
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    RunResult r = RUN("--check", "--trajectory", csv, "configs/lr_too_large.ini");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "not converged"));
    tu_run_free(&r);
    char *text = tu_read_file(csv, NULL);
    assert_non_null(text);
    assert_true(strncmp(text, "run,step,a,b,loss,grad_a,grad_b\n", 32) == 0);
    static double b[401];
    assert_int_equal(csv_column(text, 3, b, 401), 401);
    /* Every step of b jumps across the valley and back: the sign of the
     * change alternates to the very end, by the same amount (period 2). */
    for (int k = 2; k <= 400; k++) {
        assert_true((b[k] - b[k - 1]) * (b[k - 1] - b[k - 2]) < 0);
        assert_true(fabs(b[k] - b[k - 1]) > 1.0);
    }
    assert_near(b[400], b[398], 1e-9);
    free(text);
    unlink(csv);
    rmdir(dir);
}

/* --discard renders every frame, prints nothing on stdout, and reports
 * the frame loop in one line on stderr: 30 fps for 1 s of steps and a 0.5 s hold is 45 frames. */
static void test_discard_reports_frames(void **state) {
    (void)state;
    RunResult r = RUN("--discard", "--no-progress", "-q", "draft", "--set", "video.duration=1",
                      "--set", "video.hold=0.5", "--set", "video.fps=30", "configs/linear.ini");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    int frames = -1;
    double sec = -1, fps = -1;
    char tail = 0;
    assert_int_equal(sscanf(r.err, "gdrender: discarded %d frames, rendered in %lf s (%lf fps)%c",
                            &frames, &sec, &fps, &tail),
                     4);
    assert_int_equal(frames, 45);
    assert_true(sec > 0);
    assert_near(fps, 45 / sec, 0.05 * fps + 0.1); /* printed to 3 and 1 decimals */
    assert_int_equal(tail, '\n');
    assert_true(strchr(r.err, '\n') == r.err + strlen(r.err) - 1); /* one line */
    tu_run_free(&r);
}

static void test_trajectory_deterministic_and_atomic(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/one.csv", dir);
    snprintf(p2, sizeof p2, "%s/two.csv", dir);
    RunResult r = RUN("--check", "--trajectory", p1, "configs/global_minimum.ini");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    r = RUN("--check", "--trajectory", p2, "configs/global_minimum.ini");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    size_t n1, n2;
    char *a = tu_read_file(p1, &n1), *b = tu_read_file(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    /* 401 rows and a header, numbers with 17 significant digits */
    int lines = 0;
    for (size_t i = 0; i < n1; i++)
        lines += a[i] == '\n';
    assert_int_equal(lines, 402);
    free(a);
    free(b);
    assert_int_equal(tu_count_entries(dir), 2); /* no temporary files left */
    unlink(p1);
    unlink(p2);
    /* A trajectory into a missing folder fails at run time, cleanly. */
    r = RUN("--check", "--trajectory", "/nonexistent-dir/t.csv", "configs/linear.ini");
    expect_error(r, 1,
                 "gdrender: /nonexistent-dir/t.csv: cannot write: No such file or directory\n");
    tu_run_free(&r);
    rmdir(dir);
}

/* A trajectory whose final rename fails (the name is taken by a folder)
 * fails at run time and leaves no temporary file beside it. */
static void test_trajectory_rename_failure_leaves_nothing(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char path[256], want[512];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    RunResult r = RUN("--check", "--trajectory", path, "configs/linear.ini");
    snprintf(want, sizeof want, "gdrender: %s: cannot write: Is a directory\n", path);
    expect_error(r, 1, want);
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), 1); /* only the folder */
    rmdir(path);
    rmdir(dir);
}

static void test_set_overrides(void **state) {
    (void)state;
    RunResult r = RUN("--check", "--set", "run.descent.lr=1.0", "configs/linear.ini");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "not converged")); /* now it is lr_too_large */
    tu_run_free(&r);
    r = RUN("--check", "--set", "run.descent.steps=3", "configs/linear.ini");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, " steps=3 "));
    tu_run_free(&r);
    r = RUN("--check", "--set", "run.descent.lr=fast", "configs/linear.ini");
    expect_error(r, 2,
                 "gdrender: --set run.descent.lr=fast: [run descent] lr: expected a number, got "
                 "\"fast\"\n");
    tu_run_free(&r);
    /* a formula that is not finite on the data: the override is to blame,
     * not the file's [data] true line */
    r = RUN("--check", "--set", "model.formula=log(a*x) + b", "configs/linear.ini");
    expect_error(r, 2,
                 "gdrender: --set model.formula=log(a*x) + b: [data] true: the formula is not "
                 "finite at x = -1\n");
    tu_run_free(&r);
    r = RUN("--check", "--set", "model.formula=a*x + (b", "configs/linear.ini");
    expect_error(r, 2,
                 "gdrender: --set model.formula=a*x + (b: [model] formula: column 9: expected "
                 "')' to close '(' at column 7\n");
    tu_run_free(&r);
    /* at most 256 overrides */
    static const char *argv[2 * 257 + 3];
    int n = 0;
    argv[n++] = "--check";
    for (int i = 0; i < 257; i++) {
        argv[n++] = "--set";
        argv[n++] = "run.descent.steps=3";
    }
    argv[n++] = "configs/linear.ini";
    argv[n] = NULL;
    r = tu_run(argv);
    expect_error(r, 2, "gdrender: --set: at most 256 overrides\n");
    tu_run_free(&r);
    argv[2 * 256 + 1] = "configs/linear.ini";
    argv[2 * 256 + 2] = NULL;
    r = tu_run(argv);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

static void test_bad_config_file(void **state) {
    (void)state;
    RunResult r = RUN("--check", "/nonexistent.ini");
    assert_int_equal(r.status, 2);
    assert_true(strncmp(r.err, "gdrender: /nonexistent.ini: ", 28) == 0);
    assert_non_null(strchr(r.err, '\n'));
    assert_true(strchr(r.err, '\n')[1] == '\0'); /* one line */
    tu_run_free(&r);
    const char *dir = tu_tmpdir();
    char *cfg = tu_write_file(dir, "bad.ini",
                              "[model]\nparams = a, b\nformula = a*x + (b\n[data]\ntrue = 1, 2\n"
                              "[run]\ninit = 0, 0\n");
    r = RUN("--check", cfg);
    assert_int_equal(r.status, 2);
    char expect[512];
    snprintf(expect, sizeof expect, "gdrender: %s:3: [model] formula: ", cfg);
    assert_true(strncmp(r.err, expect, strlen(expect)) == 0);
    tu_run_free(&r);
    unlink(cfg);
    free(cfg);
    rmdir(dir);
}

/* Text after a section header is an error at its line, not a key that
 * inih would drop (lr stayed 0.1 and the run exited 0). */
static void test_text_after_header(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *cfg = tu_write_file(dir, "h.ini",
                              "[model]\nparams = a, b\nformula = a*x + b\n[data]\ntrue = 1, 2\n"
                              "[run descent] lr = 5\ninit = 0, 0\n");
    RunResult r = RUN("--check", cfg);
    char want[512];
    snprintf(want, sizeof want,
             "gdrender: %s:6: [run descent]: unexpected text after the header: \"lr = 5\"\n", cfg);
    expect_error(r, 2, want);
    tu_run_free(&r);
    tu_remove_dir(dir);
    free(cfg);
}

/* A [camera] target outside the box is refused before anything is
 * written, by --check as by a render. */
static void test_target_outside_box_writes_nothing(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char csv[512];
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    RunResult r =
        tu_run((const char *const[]){"--check", "--trajectory", csv, "--set", "camera.target=50, 1",
                                     "configs/global_minimum.ini", NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "gdrender: --set camera.target=50, 1: [camera] target: (50, 1) is "
                               "outside the surface box (a -2..7, b -2..7)\n");
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

/* Caption errors found once the box and the pacing are known: a point
 * outside the box, and a caption whose `to` in seconds comes before its
 * `from` at a step. Both stop --check before anything is written. */
static void test_caption_errors_after_the_runs(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char csv[512];
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    RunResult r = tu_run((const char *const[]){"--check", "--trajectory", csv, "--set",
                                               "caption.m.text=here", "--set", "caption.m.at=50, 1",
                                               "configs/global_minimum.ini", NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "gdrender: --set caption.m.at=50, 1: [caption m] at: (50, 1) is "
                               "outside the surface box (a -2..7, b -2..7)\n");
    tu_run_free(&r);
    r = tu_run((const char *const[]){"--check", "--trajectory", csv, "--set", "caption.m.text=x",
                                     "--set", "caption.m.from=step 200", "--set",
                                     "caption.m.to=1.5", "configs/global_minimum.ini", NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_true(strstr(r.err, "gdrender: --set caption.m.to=1.5: [caption m] to: the caption ends "
                              "(frame 45) before it starts (frame ") == r.err);
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

/* A [mark] outside the box is refused the same way, also when the box is
 * the default one, fitted around the runs after simulating them: by
 * --check before the trajectory is written, and by a render before the
 * still is. */
static void test_mark_outside_box_writes_nothing(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *cfg = tu_write_file(dir, "m.ini",
                              "[model]\nparams = a, b\nformula = a*x + b\n[data]\ntrue = 2, 1\n"
                              "[run]\ninit = 0, 0\n[mark far]\nat = 2, 5\n");
    char csv[512], png[512], expect[1024];
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    snprintf(png, sizeof png, "%s/s.png", dir);
    snprintf(expect, sizeof expect,
             "gdrender: %s:9: [mark far] at: (2, 5) is outside the surface box (a -0.4..2.4, "
             "b -0.2..1.2)\n",
             cfg);
    RunResult r = tu_run((const char *const[]){"--check", "--trajectory", csv, cfg, NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, expect);
    tu_run_free(&r);
    r = tu_run((const char *const[]){"-f", "3", "-o", png, cfg, NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, expect);
    tu_run_free(&r);
    r = tu_run((const char *const[]){"--check", "--set", "mark.far.at=9, 1",
                                     "configs/global_minimum.ini", NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: --set mark.far.at=9, 1: [mark far] at: (9, 1) is "
                               "outside the surface box (a -2..7, b -2..7)\n");
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), 1); /* the config alone */
    free(cfg);
    tu_remove_dir(dir);
}

/* A short, small render of config with every panel (the contour panel's
 * ticks hung on a tiny box) and the two extra --set. */
static RunResult render_small(const char *config, const char *out, const char *set1,
                              const char *set2) {
    return RUN("-q", "draft", "--no-progress", "--set", "video.width=320", "--set",
               "video.height=180", "--set", "video.fps=5", "--set", "video.duration=1", "--set",
               "video.hold=0.2", "--set", "layout.panels=surface,contour,fit,loss", "--set",
               "surface.arrows=yes", "--set", set1, "--set", set2, "-o", out, config);
}

/* Boxes too narrow to draw are refused when the config is read, with the
 * line that says why; the widest and narrowest allowed ones render, and so
 * does a diverging run (whose trail pieces overflowed an int). Under the
 * clang sanitizer build (scripts/test.sh) any undefined behaviour fails. */
static void test_degenerate_boxes(void **state) {
    (void)state;
    RunResult r = RUN("--check", "--set", "surface.a=0, 5e-324", "configs/linear.ini");
    expect_error(r, 2,
                 "gdrender: --set surface.a=0, 5e-324: [surface] a: the range from 0 to 5e-324 "
                 "is too narrow to draw: it must be at least 1e-100 wide (1e-9 of max(|lo|, "
                 "|hi|), at least 1e-100)\n");
    tu_run_free(&r);
    r = RUN("--check", "--set", "surface.b=1, 1.0000000000000002", "configs/linear.ini");
    expect_error(r, 2,
                 "gdrender: --set surface.b=1, 1.0000000000000002: [surface] b: the range from 1 "
                 "to 1.0000000000000002 is too narrow to draw: it must be at least 1e-09 wide "
                 "(1e-9 of max(|lo|, |hi|), at least 1e-100)\n");
    tu_run_free(&r);
    r = RUN("--check", "--set", "surface.a=-1e300, 1e301", "configs/linear.ini");
    expect_error(r, 2,
                 "gdrender: --set surface.a=-1e300, 1e301: [surface] a: the range from -1e300 to "
                 "1e301 is too wide: lo and hi must be from -1e300 to 1e300\n");
    tu_run_free(&r);

    /* Given boxes (configs/linear.ini), then default ones around runs that
     * diverge, start beyond the box's limit or at a denormal (points.ini). */
    static const char *const ok[][3] = {
        {"configs/linear.ini", "surface.a=-1e300, 1e300", "surface.b=-1e300, 1e300"},
        {"configs/linear.ini", "surface.a=0, 1e-100", "surface.b=-1e-100, 0"},
        {"configs/linear.ini", "surface.a=1e9, 1000000002", "surface.b=2.5, 2.5000001"},
        {"configs/linear.ini", "run.descent.lr=1.05", "surface.contours=10"},
        {"configs/linear.ini", "run.descent.lr=1.05", "surface.zscale=log"},
        {"tests/data/points.ini", "run.lr=5", "run.batch=0"},
        {"tests/data/points.ini", "run.init=1e305, -1e305", "surface.zscale=log"},
        {"tests/data/points.ini", "run.init=5e-324, 0", "run.steps=0"},
    };
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/box.mp4", dir);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        r = render_small(ok[i][0], out, ok[i][1], ok[i][2]);
        if (r.status != 0 || r.err[0])
            print_error("%s %s %s: %s\n", ok[i][0], ok[i][1], ok[i][2], r.err);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        tu_run_free(&r);
        assert_true(tu_exists(out));
    }
    tu_remove_dir(dir);
}

/* --basins with --check: the map's CSV, the same bytes on -j 1 and -j 2;
 * refused without a [basins] section, and onto another output. */
static void test_basins_csv(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char one[512], two[512];
    snprintf(one, sizeof one, "%s/one.csv", dir);
    snprintf(two, sizeof two, "%s/two.csv", dir);
    RunResult r = RUN("--check", "-j", "1", "--basins", one, "--set", "basins.resolution=8",
                      "configs/global_minimum.ini");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_non_null(strstr(r.out, "converged"));
    tu_run_free(&r);
    r = RUN("--check", "-j", "2", "--basins", two, "--set", "basins.resolution=8",
            "configs/global_minimum.ini");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    size_t n1, n2;
    char *a = tu_read_file(one, &n1), *b = tu_read_file(two, &n2);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    assert_true(strncmp(a, "a,b,end_a,end_b,loss,basin,status\n", 34) == 0);
    int lines = 0;
    for (const char *p = a; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + 64);
    free(a);
    free(b);

    char three[512], want[1024];
    snprintf(three, sizeof three, "%s/three.csv", dir);
    r = RUN("--check", "--basins", three, "configs/global_minimum.ini");
    snprintf(want, sizeof want, "gdrender: --basins %s: the config has no [basins] section\n",
             three);
    expect_error(r, 2, want);
    tu_run_free(&r);
    r = RUN("--check", "--trajectory", three, "--basins", three, "--set", "basins.resolution=8",
            "configs/global_minimum.ini");
    snprintf(want, sizeof want, "gdrender: %s: --basins and --trajectory name the same file\n",
             three);
    expect_error(r, 2, want);
    tu_run_free(&r);
    assert_false(tu_exists(three));
    tu_remove_dir(dir);
}

/* Planes refused once the runs are known: pca of a run that never
 * moves, center = true without true values; nothing is written. And a
 * slice whose held parameter never moves keeps every trail on the plane:
 * plane_dist is 0 in every row. */
static void test_plane_errors_and_slice(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *csv = tu_join(dir, "t.csv");
    char *cfg = tu_write_file(dir, "p.ini",
                              "[data]\ntrue = 1, 2, 0\n[model]\nparams = a, b, c\n"
                              "formula = a*x + b*x^2 + 0*c\n[run]\ninit = 0, 0, 0.5\n"
                              "steps = 50\n[surface]\nplane = a, b\n");
    RunResult r = tu_run((const char *const[]){"--check", "--trajectory", csv, cfg, NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    size_t len;
    char *text = tu_read_file(csv, &len);
    assert_non_null(strstr(text, ",grad_c,plane_u,plane_v,plane_dist\n"));
    int rows = 0;
    for (char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char *end = strchr(line + 1, '\n'), *comma = end;
        while (comma > line && comma[-1] != ',')
            comma--;
        assert_true(strncmp(comma, "0\n", 2) == 0); /* plane_dist */
        rows++;
    }
    assert_int_equal(rows, 51);
    free(text);
    unlink(csv);
    r = tu_run((const char *const[]){"--check", "--trajectory", csv, "--set", "run.steps=0",
                                     "--set", "surface.plane=pca", cfg, NULL});
    assert_int_equal(r.status, 2);
    char want[1024];
    snprintf(want, sizeof want,
             "gdrender: --set surface.plane=pca: [surface] plane: the runs never leave the "
             "center, so they span no plane (use plane = P, Q or random)\n");
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    assert_int_equal(tu_exists(csv), 0);
    unlink(cfg);
    free(cfg);
    free(csv);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_command_line_errors),
        cmocka_unit_test(test_check_global_and_local),
        cmocka_unit_test(test_check_linear_and_empirical),
        cmocka_unit_test(test_lr_too_large_zigzags),
        cmocka_unit_test(test_discard_reports_frames),
        cmocka_unit_test(test_trajectory_deterministic_and_atomic),
        cmocka_unit_test(test_trajectory_rename_failure_leaves_nothing),
        cmocka_unit_test(test_set_overrides),
        cmocka_unit_test(test_bad_config_file),
        cmocka_unit_test(test_target_outside_box_writes_nothing),
        cmocka_unit_test(test_caption_errors_after_the_runs),
        cmocka_unit_test(test_text_after_header),
        cmocka_unit_test(test_mark_outside_box_writes_nothing),
        cmocka_unit_test(test_degenerate_boxes),
        cmocka_unit_test(test_basins_csv),
        cmocka_unit_test(test_plane_errors_and_slice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
