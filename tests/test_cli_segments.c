/*
 * test_cli_segments.c — --segment and --frames (SPEC section 7) run as a
 * farm runs them: a segment's frames, timestamps and tags; byte-identical
 * segments on reruns; x264 on -j threads (or the CPUs the process was
 * given); a SIGKILLed segment leaves no segment behind. ffprobe reads the
 * videos back.
 */
#include <dirent.h>
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

#include <cmocka.h>

#include "testutil.h"

#define RUN(...) tu_run((const char *const[]){__VA_ARGS__, NULL})

/* A 20-frame video (20 fps, 1 s) at 160x90: quick to render many times. */
#define SMALL                                                                                      \
    "--no-progress", "-j", "2", "--set", "video.width=160", "--set", "video.height=90", "--set",   \
        "video.fps=20", "--set", "video.duration=1", "--set", "video.hold=0"
#define CONFIG "configs/linear.ini"

static void expect_error(RunResult r, int status, const char *message) {
    if (r.status != status || strcmp(r.err, message) != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_int_equal(r.status, status);
    assert_string_equal(r.err, message);
}

static void expect_ok(RunResult r) {
    if (r.status != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
}

static char *path_in(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* What a shell command prints (malloc'd, trailing newlines cut). */
static char *shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *shell(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t got;
    while ((got = fread(out + n, 1, cap - 1 - n, p)) > 0)
        n += got;
    out[n] = '\0';
    pclose(p);
    while (n > 0 && out[n - 1] == '\n')
        out[--n] = '\0';
    return out;
}

static int count_frames(const char *path) {
    char *s = shell("ffprobe -v error -select_streams v:0 -count_frames -show_entries "
                    "stream=nb_read_frames -of csv=p=0 '%s'",
                    path);
    int n = atoi(s);
    free(s);
    return n;
}

static char *probe(const char *path, const char *entries) {
    return shell("ffprobe -v error -show_entries %s -of default=nw=1 '%s'", entries, path);
}

/* Renders --segment k/n of the SMALL video into dir/p<k>.mp4. */
static char *render_segment(const char *dir, int k, int n) {
    char name[32], seg[32];
    snprintf(name, sizeof name, "p%d.mp4", k);
    snprintf(seg, sizeof seg, "%d/%d", k, n);
    char *out = path_in(dir, name);
    RunResult r = RUN(SMALL, "--segment", seg, "-o", out, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    return out;
}

static int same_file_bytes(const char *a, const char *b) {
    size_t na = 0, nb = 0;
    char *x = tu_read_file(a, &na), *y = tu_read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static void test_segment_command_line(void **state) {
    (void)state;
    RunResult r = RUN("--segment", "4/4", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment: expected K/N with 0 <= K < N <= 100000 (e.g. 3/8), got "
                 "\"4/4\"\n");
    tu_run_free(&r);
    r = RUN("--frames", "5:5", CONFIG);
    expect_error(r, 2, "gdrender: --frames 5:5: the range is empty (A must be less than B)\n");
    tu_run_free(&r);
    r = RUN("--frames", "9:3", CONFIG);
    expect_error(r, 2, "gdrender: --frames 9:3: the range is empty (A must be less than B)\n");
    tu_run_free(&r);
    r = RUN("--frames", "10:361", CONFIG);
    expect_error(r, 2, "gdrender: --frames 10:361: the video has 360 frames (0..359)\n");
    tu_run_free(&r);
    r = RUN("--segment", "3/400", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment 3/400: the video has 360 frames, fewer than 400 segments\n");
    tu_run_free(&r);
    r = RUN("--segment", "0/2", "--frames", "0:5", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment and --frames cannot be combined (one range at a time)\n");
    tu_run_free(&r);
    r = RUN("--segment", "0/2", "-f", "3", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment renders part of a video: it cannot be combined with "
                 "--frame\n");
    tu_run_free(&r);
    r = RUN("--frames", "0:5", "--check", CONFIG);
    expect_error(r, 2,
                 "gdrender: --frames renders part of a video: it cannot be combined with "
                 "--check\n");
    tu_run_free(&r);
    r = RUN("--segment", "0/2", "-o", "/tmp/x.gif", CONFIG);
    expect_error(r, 2,
                 "gdrender: /tmp/x.gif: --segment writes an MP4 segment: the output must end in "
                 ".mp4\n");
    tu_run_free(&r);
    r = RUN("--frames", "0:5", "--set", "video.subtitles=yes", "-o", "/tmp/x.mp4", CONFIG);
    expect_error(r, 2,
                 "gdrender: --frames: [video] subtitles = yes is not made in segments (set "
                 "video.subtitles=no; --subtitles FILE writes the captions)\n");
    tu_run_free(&r);
    r = RUN("--help");
    assert_non_null(strstr(r.out, "--segment K/N"));
    assert_non_null(strstr(r.out, "--frames A:B"));
    tu_run_free(&r);
}

/* A segment holds its frames, its timestamps start at its first frame,
 * and its tags say what it is. */
static void test_segment_file(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *p = render_segment(dir, 1, 4);
    assert_int_equal(count_frames(p), 5);
    char *start = probe(p, "stream=start_time:format_tags=gdrender_frames");
    assert_string_equal(start, "start_time=0.250000\nTAG:gdrender_frames=5:10");
    free(start);
    char *tags = probe(p, "format_tags=gdrender_total_frames,gdrender_settings");
    assert_string_equal(tags,
                        "TAG:gdrender_total_frames=20\nTAG:gdrender_settings=libx264 "
                        "160x90 fps=20 crf=18 preset=medium quality=medium gdrender=" GD_VERSION);
    free(tags);
    assert_int_equal(tu_count_entries(dir), 1);
    free(p);
    tu_remove_dir(dir);
}

/* The same range renders the same bytes; x264 runs on -j threads, or on
 * the CPUs the scheduler gave (SLURM_CPUS_PER_TASK). */
static void test_segments_deterministic(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *a = path_in(dir, "a.mp4"), *b = path_in(dir, "b.mp4");
    RunResult r = RUN(SMALL, "--frames", "3:17", "-o", a, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    r = RUN(SMALL, "--frames", "3:17", "-o", b, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    assert_true(same_file_bytes(a, b));
    /* x264 writes its options into the stream */
    char *threads = shell("grep -a -o ' threads=[0-9]* ' '%s'", a);
    assert_string_equal(threads, " threads=2 ");
    free(threads);
    setenv("SLURM_CPUS_PER_TASK", "1", 1);
    r = RUN("--no-progress", "--set", "video.width=160", "--set", "video.height=90", "--set",
            "video.fps=20", "--set", "video.duration=1", "--set", "video.hold=0", "--frames",
            "3:17", "-o", b, CONFIG);
    unsetenv("SLURM_CPUS_PER_TASK");
    expect_ok(r);
    tu_run_free(&r);
    threads = shell("grep -a -o ' threads=[0-9]* ' '%s'", b);
    assert_string_equal(threads, " threads=1 ");
    free(threads);
    tu_remove_dir(dir);
    free(a);
    free(b);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The name of a file in dir starting with prefix (static), or NULL. */
static const char *entry_with_prefix(const char *dir, const char *prefix) {
    static char found[NAME_MAX + 1];
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

/* A segment job killed by the scheduler (SIGKILL: nothing can clean up)
 * leaves no segment: only its temporary file, which no join would take
 * and the rerun removes. */
static void test_killed_segment(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *seg = path_in(dir, "part-1.mp4");
    const char *const argv[] = {"--no-progress",
                                "-j",
                                "2",
                                "--set",
                                "video.width=320",
                                "--set",
                                "video.height=180",
                                "--set",
                                "video.duration=40",
                                "--segment",
                                "1/2",
                                "-o",
                                seg,
                                CONFIG,
                                NULL};
    int pid = tu_spawn(argv);
    char *tmp = NULL;
    struct stat st;
    double t0 = now_seconds();
    while (now_seconds() - t0 < 60) {
        const char *name = entry_with_prefix(dir, ".part-1.mp4.tmp-");
        if (name) {
            free(tmp);
            tmp = path_in(dir, name);
            if (stat(tmp, &st) == 0 && st.st_size > 0)
                break;
        }
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    assert_non_null(tmp);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_false(tu_exists(seg));
    assert_true(tu_exists(tmp));
    assert_int_equal(tu_count_entries(dir), 1);

    RunResult r = tu_run(argv);
    expect_ok(r);
    tu_run_free(&r);
    assert_true(tu_exists(seg));
    assert_false(tu_exists(tmp));
    assert_int_equal(tu_count_entries(dir), 1);
    assert_int_equal(count_frames(seg), 630); /* frames 630..1259 of 1260 */
    free(tmp);
    free(seg);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment_command_line),
        cmocka_unit_test(test_segment_file),
        cmocka_unit_test(test_segments_deterministic),
        cmocka_unit_test(test_killed_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
