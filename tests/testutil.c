/*
 * testutil.c — see testutil.h.
 */
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

RunResult tu_run(const char *const *argv) {
    /* A private folder for the captured output: not one of tu_tmpdir's
     * slots, which callers hold on to. */
    char dir[64] = "/tmp/gdrun-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char outp[512], errp[512];
    snprintf(outp, sizeof outp, "%s/stdout", dir);
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    int n = 0;
    while (argv[n])
        n++;
    char **args = calloc((size_t)n + 2, sizeof *args);
    assert_non_null(args);
    args[0] = (char *)GD_BINARY;
    for (int i = 0; i < n; i++)
        args[i + 1] = (char *)argv[i];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, GD_BINARY, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(args);
    assert_int_equal(rc, 0);
    int st = 0;
    assert_true(waitpid(pid, &st, 0) == pid);
    RunResult r;
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
