/*
 * test_cli_new.c — "gdrender new [TEMPLATE]": every template prints a
 * config that passes --check and renders a draft still as it is (csv with
 * a data.csv written beside it), each key it sets has a comment above it,
 * the list and the one-line error for an unknown template.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#define RUN(...) tu_run((const char *const[]){__VA_ARGS__, NULL})

static const char *const NAMES[] = {"lr", "formula", "minima", "compare", "csv"};
#define NNAMES (sizeof NAMES / sizeof NAMES[0])

static void expect_ok(RunResult r) {
    if (r.status != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
}

/* Every "key = value" line follows a comment line (its one-line comment),
 * or is the second of a pair that shares one (width and height). */
static void expect_commented(const char *name, const char *text) {
    const char *prev = "", *line = text;
    int keys = 0, prev_key = 0;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        int key = n && line[0] != ';' && line[0] != '[' && memchr(line, '=', n);
        if (key) {
            keys++;
            if (prev[0] != ';' && prev_key != 1)
                fail_msg("template %s: \"%.*s\" has no comment above it", name, (int)n, line);
            prev_key = prev[0] == ';' ? 1 : 2;
        } else {
            prev_key = 0;
        }
        prev = line;
        line = end ? end + 1 : line + n;
    }
    assert_true(keys > 20);
}

static void test_templates_render(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    /* The csv template's data file: a noisy line. */
    char csv[4096] = "x,y\n";
    size_t len = strlen(csv);
    for (int i = -20; i <= 20; i++)
        len += (size_t)snprintf(csv + len, sizeof csv - len, "%g,%g\n", i / 20.0,
                                1.2 * i / 20.0 + 2.5 + ((i * 7) % 5 - 2) * 0.05);
    free(tu_write_file(dir, "data.csv", csv));
    for (size_t i = 0; i < NNAMES; i++) {
        RunResult r = RUN("new", NAMES[i]);
        expect_ok(r);
        expect_commented(NAMES[i], r.out);
        char ini[64], png[64];
        snprintf(ini, sizeof ini, "%s.ini", NAMES[i]);
        snprintf(png, sizeof png, "%s.png", NAMES[i]);
        char *cfg = tu_write_file(dir, ini, r.out), *out = tu_join(dir, png);
        tu_run_free(&r);
        r = RUN("--check", cfg);
        expect_ok(r);
        assert_true(strlen(r.out) > 0);
        tu_run_free(&r);
        r = RUN("-q", "draft", "-f", "30", "--no-progress", "-o", out, cfg);
        expect_ok(r);
        tu_run_free(&r);
        size_t n;
        char *img = tu_read_file(out, &n);
        assert_non_null(img);
        assert_true(n > 1000 && memcmp(img, "\x89PNG\r\n\x1a\n", 8) == 0);
        free(img);
        free(cfg);
        free(out);
    }
    tu_remove_dir(dir);
}

static void test_default_and_list(void **state) {
    (void)state;
    RunResult a = RUN("new"), b = RUN("new", "lr");
    expect_ok(a);
    assert_string_equal(a.out, b.out);
    tu_run_free(&a);
    tu_run_free(&b);
    const char *const lists[] = {"-l", "--list", "--help", "-h"};
    for (int i = 0; i < 4; i++) {
        RunResult r = RUN("new", lists[i]);
        expect_ok(r);
        assert_true(strncmp(r.out, "Usage: gdrender new [TEMPLATE] > FILE.ini\n", 42) == 0);
        for (size_t k = 0; k < NNAMES; k++) {
            char want[32];
            snprintf(want, sizeof want, "\n  %s ", NAMES[k]);
            assert_non_null(strstr(r.out, want));
        }
        tu_run_free(&r);
    }
}

static void test_errors(void **state) {
    (void)state;
    RunResult r = RUN("new", "nosuch");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "gdrender: new: unknown template \"nosuch\" (templates: lr, "
                               "formula, minima, compare, csv)\n");
    tu_run_free(&r);
    r = RUN("new", "lr", "csv");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: new: one template at a time: unexpected \"csv\"\n");
    tu_run_free(&r);
    r = RUN("new", "--bogus");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err,
                        "gdrender: new: unknown option \"--bogus\" (see gdrender new --list)\n");
    tu_run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_render),
        cmocka_unit_test(test_default_and_list),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
