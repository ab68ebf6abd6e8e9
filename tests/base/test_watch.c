/*
 * test_watch.c — waiting for files to change (src/base/watch.c), against
 * the file system: a save that comes while the file list is set again (as
 * --watch does after every render) is not lost, and a save renamed into
 * place wakes it. A lost event would block watch_wait for ever, so each
 * wait runs under a 10 s alarm that kills the test instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/watch.h"
#include "testutil.h"

/* watch_wait with a 10 ms debounce, or the alarm ends the test. */
static int wait_once(Watcher *w) {
    GdError err;
    alarm(10);
    int r = watch_wait(w, 10, &err);
    alarm(0);
    return r;
}

static void test_save_kept_across_set_files(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *cfg = tu_write_file(dir, "cfg.ini", "one\n");
    char *data = tu_write_file(dir, "pts.csv", "x,y\n");
    GdError err;
    Watcher *w = watch_create(&err);
    assert_non_null(w);
    const char *files[2] = {cfg, data};
    assert_int_equal(watch_set_files(w, files, 1, &err), GD_OK);
    /* Saved while the render ran; then the render's inputs are watched
     * too (the same folder): the save is still there. */
    free(tu_write_file(dir, "cfg.ini", "two\n"));
    assert_int_equal(watch_set_files(w, files, 2, &err), GD_OK);
    assert_int_equal(wait_once(w), 1);
    /* The same list again, and a save renamed over the data file. */
    char *tmp = tu_write_file(dir, ".pts.csv.swp", "x,y\n0,1\n");
    assert_int_equal(watch_set_files(w, files, 2, &err), GD_OK);
    assert_int_equal(rename(tmp, data), 0);
    assert_int_equal(wait_once(w), 1);
    watch_destroy(w);
    unlink(cfg);
    unlink(data);
    rmdir(dir);
    free(tmp);
    free(cfg);
    free(data);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_kept_across_set_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
