/*
 * test_cli_watch.c — --watch as an author uses it: gdrender --watch -f 0
 * -o out.png cfg.ini in the background; the first still appears and its
 * path is printed; a changed title (saved in place, then saved as an
 * editor does, through a temporary file and a rename) renders again; a
 * broken config prints its one-line error and the process stays alive;
 * the fixed config renders again; a changed data file renders again;
 * SIGINT ends it with status 0 and no temporary file left. Also: --watch
 * with --check is refused, and the re-render time of a still is printed.
 */
#include <errno.h>
#include <fcntl.h>
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

static const char CONFIG[] = "[video]\n"
                             "width = 320\n"
                             "height = 180\n"
                             "title = %s\n"
                             "[model]\n"
                             "params = a, b\n"
                             "formula = a*x + b\n"
                             "[data]\n"
                             "file = pts.csv\n"
                             "[run]\n"
                             "init = 0, 0\n";

static void nap_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_config(const char *dir, const char *title, int by_rename) {
    char text[1024];
    snprintf(text, sizeof text, CONFIG, title);
    if (!by_rename) {
        free(tu_write_file(dir, "cfg.ini", text));
        return;
    }
    /* An editor's save: a new file beside it, renamed over it. */
    char *tmp = tu_write_file(dir, ".cfg.ini.swp", text);
    char *cfg = tu_join(dir, "cfg.ini");
    assert_int_equal(rename(tmp, cfg), 0);
    free(tmp);
    free(cfg);
}

/* The lines in file (0 when it is missing). */
static int count_lines(const char *path) {
    size_t n = 0;
    char *s = tu_read_file(path, &n);
    int lines = 0;
    for (size_t i = 0; s && i < n; i++)
        lines += s[i] == '\n';
    free(s);
    return lines;
}

/* Waits up to 20 s for file to have at least `lines` lines. */
static int wait_lines(const char *path, int lines) {
    for (double t0 = now(); now() - t0 < 20;) {
        if (count_lines(path) >= lines)
            return 1;
        nap_ms(10);
    }
    return 0;
}

static char *contents(const char *path, size_t *n) {
    char *s = tu_read_file(path, n);
    assert_non_null(s);
    return s;
}

static int same_contents(const char *a, size_t na, const char *path) {
    size_t nb = 0;
    char *b = tu_read_file(path, &nb);
    int same = b && na == nb && memcmp(a, b, na) == 0;
    free(b);
    return same;
}

static pid_t start_watch(const char *dir, const char *out_log, const char *err_log) {
    char *cfg = tu_join(dir, "cfg.ini"), *png = tu_join(dir, "out.png");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || in < 0)
            _exit(127);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        execl(GD_BINARY, GD_BINARY, "--watch", "--no-progress", "-j", "2", "-f", "0", "-o", png,
              cfg, (char *)NULL);
        _exit(127);
    }
    free(cfg);
    free(png);
    return pid;
}

static void test_watch_loop(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    free(tu_write_file(dir, "pts.csv", "x,y\n0,1\n1,3\n2,5\n3,7\n"));
    write_config(dir, "First", 0);
    char *out_log = tu_join(dir, "watch.out"), *err_log = tu_join(dir, "watch.err");
    char *png = tu_join(dir, "out.png");
    /* The logs live in the watched folder too: their writes are not
     * changes of the config. */
    pid_t pid = start_watch(dir, out_log, err_log);

    /* 1. The first still, its path on stdout. */
    assert_true(wait_lines(out_log, 1));
    size_t n1 = 0;
    char *first = contents(png, &n1);
    char *log = tu_read_file(out_log, NULL);
    char want[4200];
    snprintf(want, sizeof want, "%s\n", png);
    assert_string_equal(log, want);
    free(log);

    /* 2. A new title, saved in place: a new still. */
    double t0 = now();
    write_config(dir, "Second", 0);
    assert_true(wait_lines(out_log, 2));
    double dt = now() - t0;
    fprintf(stderr,
            "test_watch_loop: a 320x180 still rendered again %.0f ms after the save "
            "(100 ms of it the debounce)\n",
            dt * 1000);
    assert_false(same_contents(first, n1, png));
    size_t n2 = 0;
    char *second = contents(png, &n2);

    /* 3. A broken config: the one-line error, still alive, no new still. */
    char *cfg = tu_join(dir, "cfg.ini");
    free(tu_write_file(dir, "cfg.ini", "[video\n"));
    for (double t = now(); now() - t < 20 && count_lines(err_log) < 1;)
        nap_ms(10);
    char *err = tu_read_file(err_log, NULL);
    snprintf(want, sizeof want,
             "gdrender: %s:1: expected \"key = value\" or \"[section]\", got \"[video\"\n", cfg);
    assert_string_equal(err, want);
    free(err);
    assert_int_equal(kill(pid, 0), 0);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
    assert_int_equal(count_lines(out_log), 2);

    /* 4. Fixed, saved through a rename: a new still again. */
    write_config(dir, "Third", 1);
    assert_true(wait_lines(out_log, 3));
    assert_false(same_contents(second, n2, png));
    size_t n3 = 0;
    char *third = contents(png, &n3);

    /* 5. The data file changes: a new still. */
    free(tu_write_file(dir, "pts.csv", "x,y\n0,-1\n1,-3\n2,-5\n3,-7\n"));
    assert_true(wait_lines(out_log, 4));
    assert_false(same_contents(third, n3, png));

    /* 6. Ctrl-C: status 0, nothing temporary left (a .tmp- file). */
    assert_int_equal(kill(pid, SIGINT), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char *left = NULL;
    {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '\\.tmp-' || true", dir);
        FILE *p = popen(cmd, "r");
        char buf[64] = "";
        assert_non_null(fgets(buf, sizeof buf, p));
        pclose(p);
        left = strdup(buf);
    }
    assert_string_equal(left, "0\n");
    free(left);
    free(first);
    free(second);
    free(third);
    free(cfg);
    free(png);
    free(out_log);
    free(err_log);
    tu_remove_dir(dir);
}

/* SIGINT in the middle of a video render: status 0, no partial file. */
static void test_watch_interrupt_video(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    free(tu_write_file(dir, "pts.csv", "x,y\n0,1\n1,3\n2,5\n3,7\n"));
    write_config(dir, "Video", 0);
    char *cfg = tu_join(dir, "cfg.ini"), *mp4 = tu_join(dir, "out.mp4");
    char *out_log = tu_join(dir, "watch.out"), *err_log = tu_join(dir, "watch.err");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        execl(GD_BINARY, GD_BINARY, "--watch", "--no-progress", "-j", "1", "-o", mp4, cfg,
              (char *)NULL);
        _exit(127);
    }
    /* Wait for the encoder's temporary file, then interrupt. */
    int seen = 0;
    for (double t = now(); now() - t < 20 && !seen;) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '\\.tmp-' || true", dir);
        FILE *p = popen(cmd, "r");
        char buf[64] = "";
        if (fgets(buf, sizeof buf, p))
            seen = atoi(buf) > 0;
        pclose(p);
        if (!seen)
            nap_ms(5);
    }
    kill(pid, SIGINT);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '\\.tmp-' || true", dir);
    FILE *p = popen(cmd, "r");
    char buf[64] = "";
    assert_non_null(fgets(buf, sizeof buf, p));
    pclose(p);
    assert_string_equal(buf, "0\n");
    free(cfg);
    free(mp4);
    free(out_log);
    free(err_log);
    tu_remove_dir(dir);
}

static void test_watch_refusals(void **state) {
    (void)state;
    RunResult r = RUN("--watch", "--check", "configs/linear.ini");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: --watch renders a still or a video: it cannot be "
                               "combined with --check\n");
    tu_run_free(&r);
    r = RUN("--watch", "--segment", "0/2", "configs/linear.ini");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: --watch renders a still or a video: it cannot be "
                               "combined with --segment\n");
    tu_run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch_loop),
        cmocka_unit_test(test_watch_interrupt_video),
        cmocka_unit_test(test_watch_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
