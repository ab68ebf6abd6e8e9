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
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/atomic.h"
#include "testutil.h"

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
    char *path = tu_join(dir, "out.mp4");
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
    char *path = tu_join(dir, "t.csv");
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
    char *path = tu_join(dir, "out.mp4");
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
    char *path = tu_join(dir, "sub");
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
    char *path = tu_join(dir, "nope/out.mp4");
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
    char *path = tu_join(dir, "out.png");
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
    char *path = tu_join(dir, "out.mp4");
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
        paths[i] = tu_join(dir, name);
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
    char *a = tu_join(dir, "a.mp4"), *b = tu_write_file(dir, "b.csv", "old");
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

/* A name of n bytes in dir: "nnn...n.mp4" (n >= 5), with c as the filler. */
static char *long_name(const char *dir, size_t n, char c) {
    char name[NAME_MAX + 1];
    memset(name, c, n - 4);
    memcpy(name + n - 4, ".mp4", 5);
    return tu_join(dir, name);
}

/* Every legal name has a temporary name: up to 255 bytes (NAME_MAX), the
 * stem is cut so the temporary name fits, and two long names that share a
 * prefix still get different ones. */
static void test_long_names(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    size_t lens[] = {200, 240, 249, 255};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char *path = long_name(dir, lens[i], 'a');
        AtomicFile f = {0};
        GdError err = {0};
        if (atomic_file_create(&f, path, &err) != GD_OK)
            print_error("%zu bytes: %s\n", lens[i], err.msg);
        assert_int_equal(err.code, 0);
        const char *base = strrchr(f.tmp_path, '/') + 1;
        assert_true(strlen(base) <= NAME_MAX);
        assert_true(base[0] == '.');
        write_temp(&f, "x");
        assert_int_equal(atomic_file_commit(&f, &err), GD_OK);
        assert_true(tu_exists(path));
        assert_int_equal(tu_count_entries(dir), 1);
        unlink(path);
        free(path);
    }
    /* 255-byte names that differ only in their last letters before .mp4 */
    char *a = long_name(dir, 255, 'b'), *b = long_name(dir, 255, 'b');
    b[strlen(b) - 5] = 'c';
    AtomicFile fa = {0}, fb = {0};
    GdError err = {0};
    assert_int_equal(atomic_file_create(&fa, a, &err), GD_OK);
    assert_int_equal(atomic_file_create(&fb, b, &err), GD_OK);
    size_t na = strlen(fa.tmp_path) - 6, nb = strlen(fb.tmp_path) - 6;
    assert_true(na != nb || memcmp(fa.tmp_path, fb.tmp_path, na) != 0);
    atomic_file_abort(&fa);
    atomic_file_abort(&fb);
    assert_int_equal(tu_count_entries(dir), 0);
    free(a);
    free(b);
    rmdir(dir);
}

/* Process ids above the kernel's largest possible pid_max (2^22): no such
 * process can exist, with 7 and 8 digits. */
#define DEAD7 "9999999"
#define DEAD8 "99999999"

static void touch(const char *dir, const char *name) {
    free(tu_write_file(dir, name, "partial"));
}

static int exists_in(const char *dir, const char *name) {
    char *p = tu_join(dir, name);
    struct stat st;
    int r = lstat(p, &st) == 0;
    free(p);
    return r;
}

/* atomic_file_prepare removes exactly the stale temporary files of its
 * target: the right name for a process that is gone, a regular file, not
 * locked; and nothing else. */
static void test_prepare_removes_stale(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *target = tu_write_file(dir, "k.mp4", "old video");
    char live[64], own[64], locked[64];
    snprintf(live, sizeof live, ".k.mp4.tmp-%ld-AbC123", (long)getppid());
    snprintf(own, sizeof own, ".k.mp4.tmp-%ld-AbC123", (long)getpid());
    snprintf(locked, sizeof locked, ".k.mp4.tmp-%s-Lck123", DEAD8);
    static const char *const stale[] = {".k.mp4.tmp-" DEAD7 "-AbC123",
                                        ".k.mp4.tmp-" DEAD8 "-zz9ZZ0"};
    static const char *const kept[] = {
        ".k.mp4.tmp-" DEAD7 "-AbC12",      /* five random letters */
        ".k.mp4.tmp-" DEAD7 "-AbC1234",    /* seven */
        ".k.mp4.tmp-" DEAD7 "-AbC12_",     /* not a letter or digit */
        ".k.mp4.tmp-0" DEAD7 "-AbC123",    /* a leading zero */
        ".k.mp4.tmp--AbC123",              /* no pid */
        ".k.mp4.tmp-" DEAD7 "AbC123",      /* no dash */
        "k.mp4.tmp-" DEAD7 "-AbC123",      /* no leading dot */
        "..k.mp4.tmp-" DEAD7 "-AbC123",    /* another name */
        ".k.mp4x.tmp-" DEAD7 "-AbC123",    /* another target */
        ".j.mp4.tmp-" DEAD7 "-AbC123",     /* another target */
        ".k.mp4.tmp-" DEAD7 "-AbC123.bak", /* a suffix */
        ".k.mp4.TMP-" DEAD7 "-AbC123",     /* case */
    };
    for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++)
        touch(dir, stale[i]);
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        touch(dir, kept[i]);
    touch(dir, live);
    touch(dir, own);
    touch(dir, locked);
    char *lp = tu_join(dir, locked);
    int lfd = open(lp, O_RDONLY);
    assert_true(lfd >= 0);
    assert_int_equal(flock(lfd, LOCK_EX), 0); /* as a render elsewhere would hold it */
    char *sub = tu_join(dir, ".k.mp4.tmp-" DEAD7 "-Dir123");
    assert_int_equal(mkdir(sub, 0755), 0);
    char *link = tu_join(dir, ".k.mp4.tmp-" DEAD7 "-Lnk123");
    assert_int_equal(symlink("k.mp4", link), 0);

    int before = tu_count_entries(dir);
    GdError err = {0};
    assert_int_equal(atomic_file_prepare(target, &err), GD_OK);
    assert_int_equal(tu_count_entries(dir), before - 2); /* and no probe left behind */
    for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++)
        assert_false(exists_in(dir, stale[i]));
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        assert_true(exists_in(dir, kept[i]));
    assert_true(exists_in(dir, live));
    assert_true(exists_in(dir, own));
    assert_true(exists_in(dir, locked));
    assert_true(exists_in(dir, ".k.mp4.tmp-" DEAD7 "-Dir123"));
    assert_true(exists_in(dir, ".k.mp4.tmp-" DEAD7 "-Lnk123"));
    char *text = tu_read_file(target, NULL);
    assert_string_equal(text, "old video");
    free(text);
    /* unlocked, it goes too */
    close(lfd);
    assert_int_equal(atomic_file_prepare(target, &err), GD_OK);
    assert_false(exists_in(dir, locked));
    rmdir(sub);
    tu_remove_dir(dir);
    free(target);
    free(lp);
    free(sub);
    free(link);
}

/* The stem atomic.h describes for a name too long to keep whole, for a pid
 * of `digits` digits: the name cut to leave room, "~", and the 32-bit
 * FNV-1a hash of the whole name in 8 hex digits. */
static void short_stem(const char *name, int digits, char *out) {
    size_t keep = NAME_MAX - 13 - (size_t)digits - 9;
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    snprintf(out, 300, "%.*s~%08x", (int)keep, name, (unsigned)h);
}

/* A long target's stale file carries the stem cut for the dead process's
 * pid digits; the stem cut for another digit count is not one. */
static void test_prepare_long_name(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *target = long_name(dir, 250, 'q');
    const char *name = strrchr(target, '/') + 1;
    char stem7[300], stem8[300], n7[600], n8[600], wrong[600];
    short_stem(name, 7, stem7);
    short_stem(name, 8, stem8);
    snprintf(n7, sizeof n7, ".%s.tmp-" DEAD7 "-AbC123", stem7);
    snprintf(n8, sizeof n8, ".%s.tmp-" DEAD8 "-AbC123", stem8);
    /* the 8-digit stem (one byte shorter) with a 7-digit pid */
    snprintf(wrong, sizeof wrong, ".%s.tmp-" DEAD7 "-AbC123", stem8);
    assert_int_equal(strlen(n7), NAME_MAX);
    assert_int_equal(strlen(n8), NAME_MAX);
    touch(dir, n7);
    touch(dir, n8);
    touch(dir, wrong);
    GdError err = {0};
    assert_int_equal(atomic_file_prepare(target, &err), GD_OK);
    assert_false(exists_in(dir, n7));
    assert_false(exists_in(dir, n8));
    assert_true(exists_in(dir, wrong));
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_dir(dir);
    free(target);
}

static void test_prepare_errors(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *path = tu_join(dir, "nope/out.mp4");
    GdError err = {0};
    assert_int_equal(atomic_file_prepare(path, &err), GD_ERR_RUNTIME);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot write: No such file or directory", path);
    assert_string_equal(err.msg, want);
    free(path);
    path = tu_join(dir, "ok.csv");
    assert_int_equal(atomic_file_prepare(path, &err), GD_OK);
    assert_int_equal(tu_count_entries(dir), 0);
    free(path);
    rmdir(dir);
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
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_prepare_removes_stale),
        cmocka_unit_test(test_prepare_long_name),
        cmocka_unit_test(test_prepare_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
