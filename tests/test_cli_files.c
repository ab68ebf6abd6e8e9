/*
 * test_cli_files.c — the command line's promises about files (README "What
 * gdrender guarantees for inputs and outputs"), run as a user would: inputs
 * that would block or never end are refused at once and in bounded memory,
 * no output overwrites an input or another output, outputs are checked
 * before any work, every legal output name renders, a SIGKILLed render's
 * temporary file is cleaned up by the next render, and libav never prints
 * its own lines. Every run here has a timeout, so a regression fails
 * instead of hanging the suite.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>

#include "testutil.h"

#define RUN_LIMITED(lim, ...) tu_run_limited((const char *const[]){__VA_ARGS__, NULL}, (lim))

/* "Within a second" for what needs no work; the hard timeout is longer so
 * that a slow machine shows as a failed time, a hang as a timeout. */
static const TuLimits QUICK = {.timeout = 10};
#define QUICK_SECONDS 1.0

static void expect_error(RunResult r, int status, const char *message) {
    if (r.status != status || strcmp(r.err, message) != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_false(r.timed_out);
    assert_int_equal(r.status, status);
    assert_string_equal(r.err, message);
}

/* expect_error, and it took less than QUICK_SECONDS. */
static void expect_quick_error(RunResult r, int status, const char *message) {
    expect_error(r, status, message);
    if (r.seconds >= QUICK_SECONDS)
        print_error("took %.2f s\n", r.seconds);
    assert_true(r.seconds < QUICK_SECONDS);
}

/* Copies the file at from to dir/name (bytes); returns the new path. */
static char *copy_file(const char *from, const char *dir, const char *name) {
    size_t len = 0;
    char *data = tu_read_file(from, &len);
    assert_non_null(data);
    char *to = tu_join(dir, name);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(data);
    return to;
}

static int same_bytes(const char *path, const char *expected) {
    char *text = tu_read_file(path, NULL);
    int same = text && strcmp(text, expected) == 0;
    free(text);
    return same;
}

/* ---- inputs that would block or never end -------------------------------- */

#define MODEL "[model]\nparams = a, b\nformula = a*x + b\n"
#define RUN   "[run]\ninit = 0, 0\nsteps = 10\n"

/* A named pipe with no writer as the config, as [data] file and as [video]
 * font: open(2) would wait for a writer for ever. */
static void test_fifo_inputs_never_block(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *pipe_ini = tu_join(dir, "p.ini"), *pipe_csv = tu_join(dir, "p.csv"),
         *pipe_ttf = tu_join(dir, "p.ttf");
    assert_int_equal(mkfifo(pipe_ini, 0644), 0);
    assert_int_equal(mkfifo(pipe_csv, 0644), 0);
    assert_int_equal(mkfifo(pipe_ttf, 0644), 0);
    char want[1024];

    snprintf(want, sizeof want,
             "gdrender: %s: cannot read config: not a regular file (a named pipe)\n", pipe_ini);
    RunResult r = RUN_LIMITED(&QUICK, "--check", pipe_ini);
    expect_quick_error(r, 2, want);
    tu_run_free(&r);

    char *cfg = tu_write_file(dir, "data.ini", MODEL "[data]\nfile = p.csv\n" RUN);
    snprintf(want, sizeof want,
             "gdrender: %s:5: [data] file: cannot open \"p.csv\": not a regular file (a named "
             "pipe)\n",
             cfg);
    r = RUN_LIMITED(&QUICK, "--check", cfg);
    expect_quick_error(r, 2, want);
    tu_run_free(&r);
    free(cfg);

    cfg =
        tu_write_file(dir, "font.ini", "[video]\nfont = p.ttf\n" MODEL "[data]\ntrue = 1, 2\n" RUN);
    snprintf(want, sizeof want,
             "gdrender: %s:2: [video] font: cannot open \"p.ttf\": not a regular file (a named "
             "pipe)\n",
             cfg);
    r = RUN_LIMITED(&QUICK, "--check", cfg);
    expect_quick_error(r, 2, want);
    tu_run_free(&r);
    /* a render too: the font is checked with the config, before anything */
    r = RUN_LIMITED(&QUICK, "-q", "draft", "--no-progress", "-o", "/tmp/never.mp4", cfg);
    expect_quick_error(r, 2, want);
    tu_run_free(&r);
    assert_false(tu_exists("/tmp/never.mp4"));
    free(cfg);
    tu_remove_dir(dir);
    free(pipe_ini);
    free(pipe_csv);
    free(pipe_ttf);
}

/* Limits for runs that must not take gigabytes: an address space of a few
 * hundred MB (not under AddressSanitizer, which reserves terabytes of it),
 * and the peak resident memory is checked either way. */
static TuLimits bounded(void) {
    TuLimits lim = QUICK;
    if (!tu_sanitized())
        lim.as_bytes = 512LL << 20;
    return lim;
}
#define MAX_RSS_KB (200L * 1024)

static void expect_bounded_error(RunResult r, const char *message) {
    expect_quick_error(r, 2, message);
    if (r.max_rss_kb >= MAX_RSS_KB)
        print_error("peak memory %ld kB\n", r.max_rss_kb);
    assert_true(r.max_rss_kb < MAX_RSS_KB);
}

/* Data without end or without lines: /dev/zero (it grew to 6.4 GB), a
 * 2 GB newline-free sparse file (it cost 2 GB before being refused), and
 * one within the size cap whose first line never ends. */
static void test_data_files_bounded(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    TuLimits lim = bounded();
    char want[1024];

    char *cfg = tu_write_file(dir, "zero.ini", MODEL "[data]\nfile = /dev/zero\n" RUN);
    snprintf(want, sizeof want,
             "gdrender: %s:5: [data] file: cannot open \"/dev/zero\": not a regular file (a "
             "character device)\n",
             cfg);
    RunResult r = RUN_LIMITED(&lim, "--check", cfg);
    expect_bounded_error(r, want);
    tu_run_free(&r);
    free(cfg);

    char *big = tu_join(dir, "big.csv");
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(truncate(big, 2LL << 30), 0);
    cfg = tu_write_file(dir, "big.ini", MODEL "[data]\nfile = big.csv\n" RUN);
    snprintf(want, sizeof want, "gdrender: %s: data file too large (more than 256 MiB)\n", big);
    r = RUN_LIMITED(&lim, "--check", cfg);
    expect_bounded_error(r, want);
    tu_run_free(&r);

    /* 200 MB of 'x' would take a while to write: a sparse file is NULs,
     * one line all the same */
    assert_int_equal(truncate(big, 200LL << 20), 0);
    snprintf(want, sizeof want, "gdrender: %s:1: line too long (more than 65536 bytes)\n", big);
    r = RUN_LIMITED(&lim, "--check", cfg);
    expect_bounded_error(r, want);
    tu_run_free(&r);
    free(cfg);
    free(big);
    tu_remove_dir(dir);
}

/* ---- outputs that would overwrite inputs or each other ------------------- */

/* gdrender with argv must exit 2 with exactly want, and leave dir as it
 * was: the config and data unchanged, no new file, no temporary file. */
static void expect_refused(const char *const *argv, const char *want, const char *dir,
                           const char *config, const char *config_text) {
    int before = tu_count_entries(dir);
    RunResult r = tu_run_limited(argv, &QUICK);
    expect_quick_error(r, 2, want);
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), before);
    assert_true(same_bytes(config, config_text));
}

static void test_outputs_never_overwrite_inputs(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *text = tu_read_file("configs/linear.ini", NULL);
    char *cfg = tu_write_file(dir, "x.ini", text);
    char *dot = tu_join(dir, "./x.ini"), *sym = tu_join(dir, "link.ini");
    assert_int_equal(symlink("x.ini", sym), 0);
    char *hard = tu_join(dir, "hard.ini");
    assert_int_equal(link(cfg, hard), 0);
    char want[1024];

    /* --trajectory onto the config: as given, through ./, a symbolic link
     * and a hard link; with --check and with a render */
    const char *as[] = {cfg, dot, sym, hard};
    for (size_t i = 0; i < 4; i++) {
        snprintf(want, sizeof want,
                 "gdrender: %s: --trajectory would overwrite the config file %s\n", as[i], cfg);
        expect_refused((const char *const[]){"--check", "--trajectory", as[i], cfg, NULL}, want,
                       dir, cfg, text);
        expect_refused((const char *const[]){"-q", "draft", "--no-progress", "--discard",
                                             "--trajectory", as[i], cfg, NULL},
                       want, dir, cfg, text);
    }
    snprintf(want, sizeof want, "gdrender: %s: --timeline would overwrite the config file %s\n",
             sym, cfg);
    expect_refused((const char *const[]){"--check", "--timeline", sym, cfg, NULL}, want, dir, cfg,
                   text);

    /* the data file the config reads, and the font */
    char *pts = copy_file("tests/data/points.csv", dir, "pts.csv");
    char *font = copy_file("fonts/DejaVuSans.ttf", dir, "f.ttf");
    const char *dcfg_text = "[video]\nfont = f.ttf\n" MODEL "[data]\nfile = pts.csv\n" RUN;
    char *dcfg = tu_write_file(dir, "d.ini", dcfg_text);
    char *pts_dot = tu_join(dir, "./pts.csv");
    snprintf(want, sizeof want, "gdrender: %s: --trajectory would overwrite the data file %s\n",
             pts_dot, pts);
    expect_refused((const char *const[]){"--check", "--trajectory", pts_dot, dcfg, NULL}, want, dir,
                   dcfg, dcfg_text);
    snprintf(want, sizeof want, "gdrender: %s: --timeline would overwrite the font %s\n", font,
             font);
    expect_refused((const char *const[]){"--check", "--timeline", font, dcfg, NULL}, want, dir,
                   dcfg, dcfg_text);
    /* a video named like an input: a config called .mp4 */
    char *mp4cfg = tu_write_file(dir, "talk.mp4", text);
    snprintf(want, sizeof want, "gdrender: %s: --output would overwrite the config file %s\n",
             mp4cfg, mp4cfg);
    expect_refused((const char *const[]){"-q", "draft", "-o", mp4cfg, mp4cfg, NULL}, want, dir,
                   mp4cfg, text);
    char *orig = tu_read_file("tests/data/points.csv", NULL);
    assert_true(same_bytes(pts, orig));
    free(orig);

    tu_remove_dir(dir);
    free(text);
    free(cfg);
    free(dot);
    free(sym);
    free(hard);
    free(pts);
    free(font);
    free(dcfg);
    free(pts_dot);
    free(mp4cfg);
}

static void test_outputs_never_overwrite_each_other(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *text = tu_read_file("configs/linear.ini", NULL);
    char *cfg = tu_write_file(dir, "x.ini", text);
    char *video = tu_join(dir, "v.mp4"), *video_dot = tu_join(dir, "./v.mp4");
    char *csv = tu_join(dir, "t.csv"), *csv_link = tu_join(dir, "link.csv");
    char want[1024];

    /* not there yet: the same folder and name */
    snprintf(want, sizeof want, "gdrender: %s: --trajectory and --output name the same file\n",
             video_dot);
    expect_refused((const char *const[]){"-q", "draft", "--no-progress", "-o", video,
                                         "--trajectory", video_dot, cfg, NULL},
                   want, dir, cfg, text);
    snprintf(want, sizeof want, "gdrender: %s: --timeline and --trajectory name the same file\n",
             csv);
    expect_refused(
        (const char *const[]){"--check", "--trajectory", csv, "--timeline", csv, cfg, NULL}, want,
        dir, cfg, text);
    /* there already, and through a symbolic link */
    free(tu_write_file(dir, "t.csv", "old"));
    assert_int_equal(symlink("t.csv", csv_link), 0);
    snprintf(want, sizeof want, "gdrender: %s: --timeline and --trajectory name the same file\n",
             csv_link);
    expect_refused(
        (const char *const[]){"--check", "--trajectory", csv, "--timeline", csv_link, cfg, NULL},
        want, dir, cfg, text);
    assert_true(same_bytes(csv, "old"));
    /* a still, and [video] output */
    char *png = tu_join(dir, "s.png");
    snprintf(want, sizeof want, "gdrender: %s: --timeline and --output name the same file\n", png);
    expect_refused((const char *const[]){"-f", "0", "-o", png, "--timeline", png, cfg, NULL}, want,
                   dir, cfg, text);
    const char *otext = "[video]\noutput = v.mp4\n" MODEL "[data]\ntrue = 1, 2\n" RUN;
    char *ocfg = tu_write_file(dir, "o.ini", otext);
    snprintf(want, sizeof want,
             "gdrender: %s: --trajectory and [video] output name the same file\n", video_dot);
    expect_refused((const char *const[]){"--trajectory", video_dot, ocfg, NULL}, want, dir, ocfg,
                   otext);
    /* a device is never replaced by a rename, nor a link to nothing
     * written through */
    expect_refused((const char *const[]){"--check", "--trajectory", "/dev/null", cfg, NULL},
                   "gdrender: /dev/null: cannot write: not a regular file (a character device)\n",
                   dir, cfg, text);
    char *dangling = tu_join(dir, "dangling.csv");
    assert_int_equal(symlink("nowhere.csv", dangling), 0);
    snprintf(want, sizeof want, "gdrender: %s: cannot write: a symbolic link to a missing file\n",
             dangling);
    expect_refused((const char *const[]){"--check", "--trajectory", dangling, cfg, NULL}, want, dir,
                   cfg, text);

    /* the format follows the name of the file written */
    char *bin = tu_write_file(dir, "data.bin", "bytes");
    char *bin_link = tu_join(dir, "bin.mp4");
    assert_int_equal(symlink("data.bin", bin_link), 0);
    snprintf(want, sizeof want,
             "gdrender: %s: unsupported output format '.bin' (use .mp4, .webm, .gif or .png)\n",
             bin);
    expect_refused((const char *const[]){"-q", "draft", "-o", bin_link, cfg, NULL}, want, dir, cfg,
                   text);
    assert_true(same_bytes(bin, "bytes"));
    free(bin);
    free(bin_link);

    /* written through a link to a file: the link stays, the file changes */
    RunResult r = RUN_LIMITED(&QUICK, "--check", "--trajectory", csv_link, cfg);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    struct stat st;
    assert_int_equal(lstat(csv_link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *written = tu_read_file(csv, NULL);
    assert_int_equal(strncmp(written, "run,step,a,b,", 13), 0);
    free(written);

    tu_remove_dir(dir);
    free(text);
    free(cfg);
    free(video);
    free(video_dot);
    free(csv);
    free(csv_link);
    free(png);
    free(ocfg);
    free(dangling);
}

/* ---- checks before any work ---------------------------------------------- */

/* Four runs of a million steps: seconds of simulation that an output
 * error must not wait for. */
#define SLOW_SIM                                                                                   \
    "--set", "run.descent.steps=1000000", "--set", "run.b.init=5,4", "--set",                      \
        "run.b.steps=1000000", "--set", "run.c.init=-1,4", "--set", "run.c.steps=1000000",         \
        "--set", "run.d.init=6,-1", "--set", "run.d.steps=1000000"

static void test_output_errors_before_simulation(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *sub = tu_join(dir, "dir.mp4");
    assert_int_equal(mkdir(sub, 0755), 0);
    char want[1024];
    RunResult r = RUN_LIMITED(&QUICK, "-q", "draft", "--no-progress", "-o",
                              "/nonexistent-gdtest/x.mp4", SLOW_SIM, "configs/linear.ini");
    expect_quick_error(r, 1,
                       "gdrender: /nonexistent-gdtest/x.mp4: cannot write: No such file or "
                       "directory\n");
    tu_run_free(&r);
    snprintf(want, sizeof want, "gdrender: %s: cannot write: Is a directory\n", sub);
    r = RUN_LIMITED(&QUICK, "-q", "draft", "--no-progress", "-o", sub, SLOW_SIM,
                    "configs/linear.ini");
    expect_quick_error(r, 1, want);
    tu_run_free(&r);
    r = RUN_LIMITED(&QUICK, "-o", "/tmp/x.avi", SLOW_SIM, "configs/linear.ini");
    expect_quick_error(
        r, 2,
        "gdrender: /tmp/x.avi: unsupported output format '.avi' (use .mp4, .webm, .gif or "
        ".png)\n");
    tu_run_free(&r);
    r = RUN_LIMITED(&QUICK, "--check", "--timeline", "/nonexistent-gdtest/t.csv", SLOW_SIM,
                    "configs/linear.ini");
    expect_quick_error(r, 1,
                       "gdrender: /nonexistent-gdtest/t.csv: cannot write: No such file or "
                       "directory\n");
    tu_run_free(&r);
    r = RUN_LIMITED(&QUICK, "--frame", "100000", SLOW_SIM, "configs/linear.ini");
    expect_quick_error(r, 2, "gdrender: --frame 100000: the video has 360 frames (0..359)\n");
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_dir(sub);
    tu_remove_dir(dir);
    free(sub);
}

/* ---- names and temporary files -------------------------------------------- */

/* A short, small video: 9 frames at 64x64 (draft halves 128). */
#define TINY                                                                                       \
    "--no-progress", "-q", "draft", "--set", "video.width=128", "--set", "video.height=128",       \
        "--set", "video.duration=0.3", "--set", "video.hold=0"

/* Names up to NAME_MAX render: the temporary name is cut to fit. */
static void test_long_output_names(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    size_t lens[] = {249, 255};
    for (size_t i = 0; i < 2; i++) {
        char name[NAME_MAX + 1];
        memset(name, 'v', lens[i] - 4);
        memcpy(name + lens[i] - 4, ".mp4", 5);
        char *video = tu_join(dir, name);
        memcpy(name + lens[i] - 4, ".csv", 5);
        char *csv = tu_join(dir, name);
        TuLimits lim = {.timeout = 120};
        RunResult r =
            RUN_LIMITED(&lim, TINY, "-o", video, "--trajectory", csv, "configs/linear.ini");
        if (r.status != 0)
            print_error("%zu bytes: %s\n", lens[i], r.err);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        tu_run_free(&r);
        assert_true(tu_exists(video));
        assert_true(tu_exists(csv));
        assert_int_equal(tu_count_entries(dir), 2);
        unlink(video);
        unlink(csv);
        free(video);
        free(csv);
    }
    rmdir(dir);
}

/* The name of the one temporary file in dir (static), or NULL. */
static const char *temp_in(const char *dir, const char *target_name) {
    static char found[NAME_MAX + 1];
    char prefix[NAME_MAX + 1];
    snprintf(prefix, sizeof prefix, ".%s.tmp-", target_name);
    DIR *d = opendir(dir);
    assert_non_null(d);
    const char *result = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(found, sizeof found, "%s", e->d_name);
            result = found;
        }
    closedir(d);
    return result;
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Frames in a video, as ffprobe counts them by decoding. */
static int count_frames(const char *path) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -select_streams v:0 -count_frames -show_entries "
             "stream=nb_read_frames -of csv=p=0 '%s' 2>&1",
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = -1;
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

/* SIGKILL cannot be caught, so a killed render leaves its temporary file
 * (and the older video intact); the next render of the same output
 * removes it and writes a correct video. */
static void test_sigkill_then_rerun_cleans_up(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *video = tu_join(dir, "k.mp4");
    TuLimits lim = {.timeout = 120};
    RunResult r = RUN_LIMITED(&lim, TINY, "-o", video, "configs/linear.ini");
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    size_t old_len = 0;
    char *old = tu_read_file(video, &old_len);

    /* a long render, killed once its temporary file has frames in it */
    int pid = tu_spawn((const char *const[]){"--no-progress", "-q", "draft", "--set",
                                             "video.duration=120", "-o", video,
                                             "configs/linear.ini", NULL});
    const char *tmp = NULL;
    char *tmp_path = NULL;
    double t0 = now_seconds();
    while (now_seconds() - t0 < 60) {
        if ((tmp = temp_in(dir, "k.mp4")) != NULL) {
            free(tmp_path);
            tmp_path = tu_join(dir, tmp);
            if (file_size(tmp_path) > 0)
                break;
        }
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    assert_non_null(tmp_path);
    assert_true(file_size(tmp_path) > 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    assert_true(tu_exists(tmp_path)); /* left behind */
    assert_int_equal(tu_count_entries(dir), 2);
    size_t len = 0;
    char *now = tu_read_file(video, &len);
    assert_int_equal(len, old_len); /* the older video is intact */
    assert_memory_equal(now, old, len);
    free(now);
    free(old);

    r = RUN_LIMITED(&lim, TINY, "-o", video, "configs/linear.ini");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    tu_run_free(&r);
    assert_false(tu_exists(tmp_path));
    assert_int_equal(tu_count_entries(dir), 1);
    assert_int_equal(count_frames(video), 9); /* round(30 x 0.3) */
    tu_remove_dir(dir);
    free(video);
    free(tmp_path);
}

/* ---- messages ------------------------------------------------------------ */

/* x264 refuses crf 0 under the High profile: whatever the outcome, libav
 * and x264 print nothing of their own, and gdrender one line at most. */
static void test_no_libav_lines(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *video = tu_join(dir, "c.mp4");
    TuLimits lim = {.timeout = 120};
    RunResult r =
        RUN_LIMITED(&lim, TINY, "--set", "video.crf=0", "-o", video, "configs/linear.ini");
    if (r.status == 0) {
        assert_string_equal(r.err, "");
    } else {
        assert_int_equal(strncmp(r.err, "gdrender: ", 10), 0);
        char *nl = strchr(r.err, '\n');
        assert_non_null(nl);
        assert_int_equal(nl[1], '\0');
        assert_null(strstr(r.err, "x264 ["));
        assert_null(strstr(r.err, " @ 0x"));
        assert_int_equal(tu_count_entries(dir), 0);
    }
    tu_run_free(&r);
    tu_remove_dir(dir);
    free(video);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_inputs_never_block),
        cmocka_unit_test(test_data_files_bounded),
        cmocka_unit_test(test_outputs_never_overwrite_inputs),
        cmocka_unit_test(test_outputs_never_overwrite_each_other),
        cmocka_unit_test(test_output_errors_before_simulation),
        cmocka_unit_test(test_long_output_names),
        cmocka_unit_test(test_sigkill_then_rerun_cleans_up),
        cmocka_unit_test(test_no_libav_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
