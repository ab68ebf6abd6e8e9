/*
 * testutil.c — see testutil.h.
 */
#define _DEFAULT_SOURCE /* wait4: the child's peak memory */
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

extern char **environ;

static char *read_fd_all(int fd) {
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t k = read(fd, buf + len, cap - len - 1);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    buf[len] = '\0';
    return buf;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* argv with GD_BINARY in front (calloc'd). */
static char **binary_args(const char *const *argv) {
    int n = 0;
    while (argv[n])
        n++;
    char **args = calloc((size_t)n + 2, sizeof *args);
    assert_non_null(args);
    args[0] = (char *)GD_BINARY;
    for (int i = 0; i < n; i++)
        args[i + 1] = (char *)argv[i];
    return args;
}

/* In the child: the limits, then GD_BINARY; never returns. */
static void exec_limited(char **args, const char *outp, const char *errp, const TuLimits *lim) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(127);
    if (lim && lim->as_bytes > 0) {
        struct rlimit rl = {(rlim_t)lim->as_bytes, (rlim_t)lim->as_bytes};
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            _exit(127);
    }
    if (lim && lim->fsize_bytes > 0) {
        struct rlimit rl = {(rlim_t)lim->fsize_bytes, (rlim_t)lim->fsize_bytes};
        signal(SIGXFSZ, SIG_IGN); /* kept across exec: a write past it fails with EFBIG */
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(127);
    }
    execve(GD_BINARY, args, environ);
    _exit(127);
}

RunResult tu_run_limited(const char *const *argv, const TuLimits *lim) {
    /* A private folder for the captured output: not one of tu_tmpdir's
     * slots, which callers hold on to. */
    char dir[64] = "/tmp/gdrun-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char outp[512], errp[512];
    snprintf(outp, sizeof outp, "%s/stdout", dir);
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    char **args = binary_args(argv);
    double t0 = now_seconds();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        exec_limited(args, outp, errp, lim);
    free(args);
    RunResult r;
    memset(&r, 0, sizeof r);
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t w = wait4(pid, &st, lim && lim->timeout > 0 ? WNOHANG : 0, &ru);
        assert_true(w >= 0);
        if (w == pid)
            break;
        if (now_seconds() - t0 > lim->timeout) {
            kill(pid, SIGKILL);
            r.timed_out = 1;
            assert_true(wait4(pid, &st, 0, &ru) == pid);
            break;
        }
        struct timespec nap = {0, 5 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    r.seconds = now_seconds() - t0;
    r.max_rss_kb = ru.ru_maxrss;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    int fd = open(outp, O_RDONLY);
    r.out = read_fd_all(fd);
    close(fd);
    fd = open(errp, O_RDONLY);
    r.err = read_fd_all(fd);
    close(fd);
    unlink(outp);
    unlink(errp);
    rmdir(dir);
    return r;
}

RunResult tu_run(const char *const *argv) {
    return tu_run_limited(argv, NULL);
}

int tu_spawn(const char *const *argv) {
    char **args = binary_args(argv);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        exec_limited(args, "/dev/null", "/dev/null", NULL);
    free(args);
    return (int)pid;
}

int tu_sanitized(void) {
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 1;
#else
    return 0;
#endif
#else
    return 0;
#endif
}

void tu_run_free(RunResult *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

const char *tu_tmpdir(void) {
    static char slots[8][64];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, 64, "/tmp/gdtest-XXXXXX");
    assert_non_null(mkdtemp(p));
    return p;
}

char *tu_write_file(const char *dir, const char *name, const char *text) {
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    assert_non_null(path);
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

char *tu_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        if (k == 0)
            break;
        n += k;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int tu_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

int tu_count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

void tu_assert_near(double actual, double expected, double tol, const char *what, const char *file,
                    int line) {
    if (fabs(actual - expected) <= tol)
        return;
    print_error("%s = %.17g, expected %.17g (tolerance %g)\n", what, actual, expected, tol);
    _fail(file, line);
}

void tu_remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

char *tu_join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

const char *const *tu_shipped_configs(int *n) {
    static char paths[64][256];
    static const char *list[65];
    glob_t g;
    int count = 0;
    if (glob("configs/*.ini", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && count < 64; i++)
            snprintf(paths[count++], sizeof paths[0], "%s", g.gl_pathv[i]);
        globfree(&g);
    }
    assert_true(count > 0);
    for (int i = 0; i < count; i++)
        list[i] = paths[i];
    list[count] = NULL;
    *n = count;
    return list;
}

const char *tu_config_name(const char *path) {
    static char slots[8][256];
    static int next;
    char *out = slots[next++ % 8];
    const char *base = strrchr(path, '/');
    snprintf(out, sizeof slots[0], "%s", base ? base + 1 : path);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = '\0';
    return out;
}

char *tu_shell(const char *fmt, ...) {
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
