/*
 * test_files.c — src/base/files.c against the file system: inputs opened
 * without blocking and only as regular files, with the exact reasons.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/files.h"
#include "testutil.h"

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* files_open_input must refuse path with exactly why. */
static void expect_refused(const char *path, const char *why) {
    struct stat st;
    const char *got = NULL;
    assert_int_equal(files_open_input(path, &st, &got), -1);
    assert_non_null(got);
    assert_string_equal(got, why);
}

/* ---- inputs ------------------------------------------------------------- */

static void test_open_regular(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "in.ini", "[model]\n");
    struct stat st;
    const char *why = "unset";
    int fd = files_open_input(path, &st, &why);
    assert_true(fd >= 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 8);
    /* blocking again for the reader, and not inherited by children */
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    char buf[16];
    assert_int_equal(read(fd, buf, sizeof buf), 8);
    close(fd);
    /* through a symbolic link: the file it points to */
    char *link = join(dir, "link.ini");
    assert_int_equal(symlink("in.ini", link), 0);
    fd = files_open_input(link, &st, &why);
    assert_true(fd >= 0);
    assert_int_equal(st.st_size, 8);
    close(fd);
    tu_remove_dir(dir);
    free(path);
    free(link);
}

static void test_open_refused(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    expect_refused("/nonexistent-gdtest/x.ini", "No such file or directory");
    expect_refused(dir, "Is a directory");
    expect_refused("/dev/null", "not a regular file (a character device)");
    expect_refused("/dev/zero", "not a regular file (a character device)");

    /* a named pipe without a writer: open(2) would wait for one for ever */
    char *fifo = join(dir, "p.ini");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    expect_refused(fifo, "not a regular file (a named pipe)");
    char *link = join(dir, "to-pipe.ini");
    assert_int_equal(symlink("p.ini", link), 0);
    expect_refused(link, "not a regular file (a named pipe)");

    char *sock = join(dir, "s.sock");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock);
    assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof addr), 0);
    expect_refused(sock, "not a regular file (a socket)");
    close(s);

    if (geteuid() != 0) { /* root reads anything */
        char *locked = tu_write_file(dir, "locked.ini", "x");
        assert_int_equal(chmod(locked, 0), 0);
        expect_refused(locked, "Permission denied");
        free(locked);
    }
    tu_remove_dir(dir);
    free(fifo);
    free(link);
    free(sock);
}

static void test_kind_names(void **state) {
    (void)state;
    assert_string_equal(files_kind_name(S_IFIFO), "a named pipe");
    assert_string_equal(files_kind_name(S_IFCHR), "a character device");
    assert_string_equal(files_kind_name(S_IFBLK), "a block device");
    assert_string_equal(files_kind_name(S_IFSOCK), "a socket");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_regular),
        cmocka_unit_test(test_open_refused),
        cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
