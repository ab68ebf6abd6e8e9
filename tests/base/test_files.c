/*
 * test_files.c — src/base/files.c against the file system: inputs opened
 * without blocking and only as regular files, and the outputs check (the
 * same file by inode or by folder and name, links followed, what cannot
 * be replaced), with the exact messages.
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
    char *link = tu_join(dir, "link.ini");
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
    char *fifo = tu_join(dir, "p.ini");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    expect_refused(fifo, "not a regular file (a named pipe)");
    char *link = tu_join(dir, "to-pipe.ini");
    assert_int_equal(symlink("p.ini", link), 0);
    expect_refused(link, "not a regular file (a named pipe)");

    char *sock = tu_join(dir, "s.sock");
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

/* ---- outputs ------------------------------------------------------------ */

/* files_check_outputs over n outputs (paths, each named what[i]) against
 * the inputs; returns its code, err->msg and the targets in t (freed by
 * the caller with free_targets). */
static int check(const FileRole *in, int nin, const char *const *paths, int n, char **t,
                 GdError *err) {
    static const char *const what[] = {"--output", "--trajectory", "--timeline"};
    FileRole out[3];
    for (int i = 0; i < n; i++)
        out[i] = (FileRole){what[i], paths[i]};
    gd_error_clear(err);
    return files_check_outputs(in, nin, out, n, t, err);
}

static void free_targets(char **t, int n) {
    for (int i = 0; i < n; i++)
        free(t[i]);
}

static void expect_check_error(const FileRole *in, int nin, const char *const *paths, int n,
                               int code, const char *msg) {
    char *t[3];
    GdError err;
    assert_int_equal(check(in, nin, paths, n, t, &err), code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, msg);
    free_targets(t, n);
}

static void test_outputs_ok(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *cfg = tu_write_file(dir, "x.ini", "[model]\n");
    char *old = tu_write_file(dir, "old.csv", "old");
    char *v = tu_join(dir, "v.mp4"), *t = tu_join(dir, "t.csv");
    FileRole in[] = {{"the config file", cfg}};
    const char *paths[] = {v, t, old};
    char *targets[3];
    GdError err;
    assert_int_equal(check(in, 1, paths, 3, targets, &err), GD_OK);
    assert_string_equal(targets[0], v);
    assert_string_equal(targets[1], t);
    assert_string_equal(targets[2], old);
    free_targets(targets, 3);
    /* nothing was made */
    assert_int_equal(tu_count_entries(dir), 2);

    /* a link is followed to the file it names, relative to its folder,
     * through a chain of links */
    char *sub = tu_join(dir, "sub");
    assert_int_equal(mkdir(sub, 0755), 0);
    char *l1 = tu_join(dir, "l1.csv"), *l2 = tu_join(sub, "l2.csv");
    assert_int_equal(symlink("sub/l2.csv", l1), 0);
    assert_int_equal(symlink("../old.csv", l2), 0);
    const char *via[] = {l1};
    assert_int_equal(check(in, 1, via, 1, targets, &err), GD_OK);
    char want[1024];
    snprintf(want, sizeof want, "%s/sub/../old.csv", dir);
    assert_string_equal(targets[0], want);
    free_targets(targets, 1);
    /* a bare name and a file at the root have their folders too */
    const char *bare[] = {"gdtest-not-here.csv"};
    assert_int_equal(check(in, 1, bare, 1, targets, &err), GD_OK);
    assert_string_equal(targets[0], "gdtest-not-here.csv");
    free_targets(targets, 1);

    unlink(l2);
    tu_remove_dir(sub);
    tu_remove_dir(dir);
    free(cfg);
    free(old);
    free(v);
    free(t);
    free(sub);
    free(l1);
    free(l2);
}

static void test_outputs_clobbering(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *cfg = tu_write_file(dir, "x.ini", "[model]\n");
    char *data = tu_write_file(dir, "pts.csv", "1,2\n");
    char *dot = tu_join(dir, "./x.ini"), *sym = tu_join(dir, "sym.csv"),
         *hard = tu_join(dir, "hard.csv");
    assert_int_equal(symlink("pts.csv", sym), 0);
    assert_int_equal(link(data, hard), 0);
    FileRole in[] = {{"the config file", cfg}, {"the data file", data}};
    char msg[1024];

    const char *a[] = {"/tmp/gdtest-none.mp4", dot};
    snprintf(msg, sizeof msg, "%s: --trajectory would overwrite the config file %s", dot, cfg);
    expect_check_error(in, 2, a, 2, GD_ERR_INPUT, msg);
    const char *b[] = {sym};
    snprintf(msg, sizeof msg, "%s: --output would overwrite the data file %s", sym, data);
    expect_check_error(in, 2, b, 1, GD_ERR_INPUT, msg);
    const char *c[] = {hard};
    snprintf(msg, sizeof msg, "%s: --output would overwrite the data file %s", hard, data);
    expect_check_error(in, 2, c, 1, GD_ERR_INPUT, msg);

    /* two outputs: not there yet (same folder and name), or there */
    char *v = tu_join(dir, "v.mp4"), *v2 = tu_join(dir, "./v.mp4");
    const char *d[] = {v, "/tmp/gdtest-none.csv", v2};
    snprintf(msg, sizeof msg, "%s: --timeline and --output name the same file", v2);
    expect_check_error(in, 2, d, 3, GD_ERR_INPUT, msg);
    char *old = tu_write_file(dir, "old.csv", "old");
    char *old_sym = tu_join(dir, "old-link.csv");
    assert_int_equal(symlink("old.csv", old_sym), 0);
    const char *e[] = {old_sym, old};
    snprintf(msg, sizeof msg, "%s: --trajectory and --output name the same file", old);
    expect_check_error(in, 2, e, 2, GD_ERR_INPUT, msg);
    /* a missing input is skipped: it was read already */
    FileRole gone[] = {{"the config file", "/tmp/gdtest-gone.ini"}};
    char *t[3];
    GdError err;
    const char *f[] = {v};
    assert_int_equal(check(gone, 1, f, 1, t, &err), GD_OK);
    free_targets(t, 1);

    tu_remove_dir(dir);
    free(cfg);
    free(data);
    free(dot);
    free(sym);
    free(hard);
    free(v);
    free(v2);
    free(old);
    free(old_sym);
}

static void test_outputs_unwritable(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *file = tu_write_file(dir, "file.txt", "x");
    char *under_file = tu_join(file, "t.csv"), *missing = tu_join(dir, "nope/t.csv");
    char *dangling = tu_join(dir, "dangling.csv"), *loop = tu_join(dir, "loop.csv");
    assert_int_equal(symlink("nowhere.csv", dangling), 0);
    assert_int_equal(symlink("loop.csv", loop), 0);
    char *slash = tu_join(dir, "new/"), *dotdot = tu_join(dir, "..");
    char msg[1024];
#define EXPECT(path, code, reason)                                                                 \
    do {                                                                                           \
        const char *p_[] = {path};                                                                 \
        snprintf(msg, sizeof msg, "%s: cannot write: %s", p_[0], reason);                          \
        expect_check_error(NULL, 0, p_, 1, code, msg);                                             \
    } while (0)
    EXPECT(dir, GD_ERR_RUNTIME, "Is a directory");
    EXPECT(slash, GD_ERR_RUNTIME, "Is a directory");
    EXPECT(dotdot, GD_ERR_RUNTIME, "Is a directory");
    EXPECT(missing, GD_ERR_RUNTIME, "No such file or directory");
    EXPECT(under_file, GD_ERR_RUNTIME, "Not a directory");
    EXPECT("", GD_ERR_RUNTIME, "No such file or directory");
    EXPECT(loop, GD_ERR_RUNTIME, "Too many levels of symbolic links");
    EXPECT(dangling, GD_ERR_INPUT, "a symbolic link to a missing file");
    EXPECT("/dev/null", GD_ERR_INPUT, "not a regular file (a character device)");
    char *fifo = tu_join(dir, "p.csv");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    EXPECT(fifo, GD_ERR_INPUT, "not a regular file (a named pipe)");
#undef EXPECT
    tu_remove_dir(dir);
    free(file);
    free(under_file);
    free(missing);
    free(dangling);
    free(loop);
    free(slash);
    free(dotdot);
    free(fifo);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_regular),       cmocka_unit_test(test_open_refused),
        cmocka_unit_test(test_kind_names),         cmocka_unit_test(test_outputs_ok),
        cmocka_unit_test(test_outputs_clobbering), cmocka_unit_test(test_outputs_unwritable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
