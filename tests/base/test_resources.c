/*
 * test_resources.c — base/resources.c: the default font found from the
 * binary's location: an installed prefix's share/gdrender/fonts first,
 * then the build tree's marker, else the installed place (for the error).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/resources.h"
#include "testutil.h"

static void mkdirs(const char *dir, const char *rel) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0777);
            *p = '/';
        }
    mkdir(path, 0777);
}

static void test_installed_prefix(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    mkdirs(dir, "bin");
    mkdirs(dir, "share/gdrender/fonts");
    char exe[4096], want[4096], got[8192];
    snprintf(exe, sizeof exe, "%s/bin/gdrender", dir);
    char *font = tu_write_file(dir, "share/gdrender/fonts/DejaVuSans.ttf", "x");
    snprintf(want, sizeof want, "%s", font);
    resources_font_for(exe, got, sizeof got);
    assert_string_equal(got, want);
    free(font);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_build_tree_marker(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    mkdirs(dir, "src/fonts");
    mkdirs(dir, "build");
    char *font = tu_write_file(dir, "src/fonts/DejaVuSans.ttf", "x");
    char line[4200], exe[4096], got[8192];
    snprintf(line, sizeof line, "%s/src/fonts\n", dir);
    free(tu_write_file(dir, "build/gdrender-build-tree", line));
    snprintf(exe, sizeof exe, "%s/build/gdrender", dir);
    resources_font_for(exe, got, sizeof got);
    assert_string_equal(got, font);
    free(font);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_nothing_found(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    mkdirs(dir, "bin");
    char exe[4096], want[4200], got[8192];
    snprintf(exe, sizeof exe, "%s/bin/gdrender", dir);
    /* The installed place, without "bin/..", so the error names it plainly. */
    snprintf(want, sizeof want, "%s/share/gdrender/fonts/DejaVuSans.ttf", dir);
    resources_font_for(exe, got, sizeof got);
    assert_string_equal(got, want);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* This test program itself runs from the build folder: the marker. */
static void test_this_binary(void **state) {
    (void)state;
    const char *p = resources_default_font();
    const char *want = GD_SOURCE_DIR "/fonts/DejaVuSans.ttf";
    char real[8192];
    assert_non_null(realpath(want, real));
    assert_string_equal(p, real);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_installed_prefix),
        cmocka_unit_test(test_build_tree_marker),
        cmocka_unit_test(test_nothing_found),
        cmocka_unit_test(test_this_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
