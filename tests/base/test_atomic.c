/*
 * test_atomic.c — atomic file replacement (src/base/atomic.c), checked
 * against the file system: where the temporary file is made and with which
 * mode, what commit and abort leave behind, that a failing commit keeps the
 * old target, the exact error messages, the pending list's limit and the
 * signal-handler cleanup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/atomic.h"
#include "testutil.h"

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Writes text into f's temporary file, by name, as the encoder does. */
static void write_temp(const AtomicFile *f, const char *text) {
    FILE *fp = fopen(f->tmp_path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void assert_empty(const AtomicFile *f) {
    assert_null(f->path);
    assert_null(f->tmp_path);
}

static void test_temp_name_beside_target(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = join(dir, "out.mp4");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    assert_string_equal(f.path, path);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s/.out.mp4.tmp-%ld-", dir, (long)getpid());
    assert_int_equal(strncmp(f.tmp_path, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(f.tmp_path), strlen(prefix) + 6);
    assert_true(tu_exists(f.tmp_path));
    assert_false(tu_exists(path)); /* nothing at the target until the commit */
    assert_int_equal(tu_count_entries(dir), 1);
    atomic_file_abort(&f);
    rmdir(dir);
    free(path);
}

static void test_commit_leaves_exactly_the_target(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = join(dir, "t.csv");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    write_temp(&f, "run,step\n");
    assert_int_equal(atomic_file_commit(&f, &err), GD_OK);
    assert_int_equal(err.code, 0);
    assert_empty(&f);
    assert_int_equal(tu_count_entries(dir), 1);
    char *text = tu_read_file(path, NULL);
    assert_string_equal(text, "run,step\n");
    free(text);
    atomic_file_abort(&f); /* after a commit: does nothing */
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_dir(dir);
    free(path);
}

static void test_commit_replaces_old_target(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "out.gif", "an older file");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    write_temp(&f, "the new one");
    char *text = tu_read_file(path, NULL); /* untouched until the rename */
    assert_string_equal(text, "an older file");
    free(text);
    assert_int_equal(atomic_file_commit(&f, &err), GD_OK);
    assert_int_equal(tu_count_entries(dir), 1);
    text = tu_read_file(path, NULL);
    assert_string_equal(text, "the new one");
    free(text);
    tu_remove_dir(dir);
    free(path);
}

static void test_abort_leaves_nothing(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = join(dir, "out.mp4");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    write_temp(&f, "half a video");
    atomic_file_abort(&f);
    assert_empty(&f);
    assert_int_equal(tu_count_entries(dir), 0);
    atomic_file_abort(&f); /* twice, and on an empty value: harmless */
    AtomicFile none = {0};
    atomic_file_abort(&none);
    rmdir(dir);
    free(path);
}

static void test_abort_keeps_old_target(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "out.mp4", "an older video");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    write_temp(&f, "half a video");
    assert_int_equal(tu_count_entries(dir), 2);
    atomic_file_abort(&f);
    assert_int_equal(tu_count_entries(dir), 1);
    char *text = tu_read_file(path, NULL);
    assert_string_equal(text, "an older video");
    free(text);
    tu_remove_dir(dir);
    free(path);
}

/* The rename fails when the temporary file has vanished: the error names
 * the target, and the old target stays as it was. */
static void test_failing_commit_keeps_old_target(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "t.csv", "the old trajectory");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    assert_int_equal(unlink(f.tmp_path), 0);
    assert_int_equal(atomic_file_commit(&f, &err), GD_ERR_RUNTIME);
    assert_int_equal(err.code, GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: No such file or directory", path);
    assert_string_equal(err.msg, want);
    assert_empty(&f);
    assert_int_equal(tu_count_entries(dir), 1);
    char *text = tu_read_file(path, NULL);
    assert_string_equal(text, "the old trajectory");
    free(text);
    tu_remove_dir(dir);
    free(path);
}

/* A file cannot be renamed over a folder: the temporary file is removed and
 * the folder and its contents stay. */
static void test_failing_commit_onto_folder(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = join(dir, "sub");
    assert_int_equal(mkdir(path, 0755), 0);
    char *inner = tu_write_file(path, "keep", "kept");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    write_temp(&f, "data");
    assert_int_equal(atomic_file_commit(&f, &err), GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: Is a directory", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 1);
    char *text = tu_read_file(inner, NULL);
    assert_string_equal(text, "kept");
    free(text);
    tu_remove_dir(path);
    rmdir(dir);
    free(inner);
    free(path);
}

static void test_missing_folder(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = join(dir, "nope/out.mp4");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_ERR_RUNTIME);
    assert_int_equal(err.code, GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: No such file or directory", path);
    assert_string_equal(err.msg, want);
    assert_empty(&f);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
    free(path);
}

static void test_unwritable_folder(void **state) {
    (void)state;
    if (geteuid() == 0)
        skip(); /* root writes anywhere */
    const char *dir = tu_tmpdir();
    assert_int_equal(chmod(dir, 0555), 0);
    char *path = join(dir, "out.png");
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: Permission denied", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 0);
    chmod(dir, 0755);
    rmdir(dir);
    free(path);
}

/* Too long for the temporary name: refused before anything is created.
 * (The message, "PATH: cannot write: File name too long", is longer than a
 * GdError holds, so only its start is compared.) */
static void test_name_too_long(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char path[4100];
    int n = snprintf(path, sizeof path, "%s/", dir);
    memset(path + n, 'a', sizeof path - 1 - (size_t)n);
    path[sizeof path - 1] = '\0';
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_ERR_RUNTIME);
    assert_int_equal(err.code, GD_ERR_RUNTIME);
    assert_int_equal(strncmp(err.msg, path, sizeof err.msg - 1), 0);
    assert_empty(&f);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

/* The temporary file, and so the committed one, gets 0666 minus the umask,
 * as any new file would (not mkstemp's 0600). */
static void test_mode_follows_umask(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = join(dir, "out.mp4");
    mode_t old = umask(022);
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, path, &err), GD_OK);
    assert_int_equal(atomic_file_commit(&f, &err), GD_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    umask(old);
    tu_remove_dir(dir);
    free(path);
}

/* A bare name's temporary file goes in the current folder. */
static void test_bare_name(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    AtomicFile f = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&f, "x.csv", &err), GD_OK);
    char prefix[64];
    snprintf(prefix, sizeof prefix, ".x.csv.tmp-%ld-", (long)getpid());
    assert_int_equal(strncmp(f.tmp_path, prefix, strlen(prefix)), 0);
    assert_int_equal(atomic_file_commit(&f, &err), GD_OK);
    assert_true(tu_exists("x.csv"));
    unlink("x.csv");
    assert_int_equal(chdir(cwd), 0);
    rmdir(dir);
}

static void test_pending_list_limit(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    AtomicFile f[17] = {{0}};
    GdError err = {0};
    char *paths[17];
    for (int i = 0; i < 17; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d.mp4", i);
        paths[i] = join(dir, name);
    }
    for (int i = 0; i < 16; i++)
        assert_int_equal(atomic_file_create(&f[i], paths[i], &err), GD_OK);
    assert_int_equal(atomic_file_create(&f[16], paths[16], &err), GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: more than 16 outputs open at once", paths[16]);
    assert_string_equal(err.msg, want);
    assert_int_equal(tu_count_entries(dir), 16);
    atomic_file_abort(&f[3]); /* a freed slot is taken again */
    assert_int_equal(atomic_file_create(&f[16], paths[16], &err), GD_OK);
    for (int i = 0; i < 17; i++) {
        atomic_file_abort(&f[i]);
        free(paths[i]);
    }
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

static void test_cleanup_on_signal(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *a = join(dir, "a.mp4"), *b = tu_write_file(dir, "b.csv", "old");
    AtomicFile fa = {0}, fb = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&fa, a, &err), GD_OK);
    assert_int_equal(atomic_file_create(&fb, b, &err), GD_OK);
    assert_int_equal(tu_count_entries(dir), 3);
    atomic_cleanup_on_signal();
    assert_int_equal(tu_count_entries(dir), 1); /* only the old b.csv */
    atomic_file_abort(&fa);
    atomic_file_abort(&fb);
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_dir(dir);
    free(a);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_temp_name_beside_target),
        cmocka_unit_test(test_commit_leaves_exactly_the_target),
        cmocka_unit_test(test_commit_replaces_old_target),
        cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_abort_keeps_old_target),
        cmocka_unit_test(test_failing_commit_keeps_old_target),
        cmocka_unit_test(test_failing_commit_onto_folder),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_unwritable_folder),
        cmocka_unit_test(test_name_too_long),
        cmocka_unit_test(test_mode_follows_umask),
        cmocka_unit_test(test_bare_name),
        cmocka_unit_test(test_pending_list_limit),
        cmocka_unit_test(test_cleanup_on_signal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
