/*
 * test_cli_new.c — "gdrender new [TEMPLATE]": every template prints a
 * config that passes --check and renders a draft still as it is (csv with
 * a data.csv written beside it), each shows every key of its sections
 * (set or commented out) and each key it sets has a comment above it,
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

/* The keys of SPEC section 3, per section: each template shows every one,
 * set or commented out ("; key = default"), in its section. The sections
 * a template leaves out (csv has no mark) are skipped. */
static const char *const SECTION_KEYS[][17] = {
    {"video", "title", "width", "height", "fps", "duration", "hold", "quality", "crf", "preset",
     "theme", "background", "text_scale", "subtitles", "output", "font", "audio"},
    {"data", "x", "true", "noise", "seed", "file"},
    {"model", "params", "variable", "formula", "loss"},
    {"surface", "a", "b", "resolution", "colormap", "opacity", "wireframe", "contours", "zscale",
     "arrows", "minima"},
    {"run", "init", "repeat", "lr", "steps", "optimizer", "momentum", "beta1", "beta2", "eps",
     "alpha", "batch", "color", "label", "seed"},
    {"camera", "key", "ease", "target"},
    {"timeline", "key", "ease"},
    {"layout", "mode", "panels", "equation"},
    {"caption", "text", "from", "to", "at", "run", "fade"},
    {"mark", "at", "text", "color"},
    {"labels", "step", "loss", "start", "diverged", "contour", "fit", "loss_panel", "basins", "x",
     "y"},
    {"basins", "resolution", "run", "tolerance", "floor"},
};

/* 1 when the first section headed [kind ...] (or "; [kind ...]") of text
 * has a line "key = " or "; key = " before the next header; -1 when there
 * is no such section. */
static int section_has_key(const char *text, const char *kind, const char *key) {
    char head[64], head_c[64];
    snprintf(head, sizeof head, "\n[%s", kind);
    snprintf(head_c, sizeof head_c, "\n; [%s", kind);
    const char *sec = strstr(text, head), *sec_c = strstr(text, head_c);
    if (!sec || (sec_c && sec_c < sec))
        sec = sec_c;
    if (!sec)
        return -1;
    const char *line = strchr(sec + 1, '\n');
    size_t kn = strlen(key);
    while (line && line[1]) {
        line++;
        const char *l = line;
        if (l[0] == '[' || strncmp(l, "; [", 3) == 0)
            break;
        if (strncmp(l, "; ", 2) == 0)
            l += 2;
        if (strncmp(l, key, kn) == 0 && strncmp(l + kn, " = ", 3) == 0)
            return 1;
        line = strchr(line, '\n');
    }
    return 0;
}

static void test_templates_show_every_key(void **state) {
    (void)state;
    for (size_t i = 0; i < NNAMES; i++) {
        RunResult r = RUN("new", NAMES[i]);
        expect_ok(r);
        for (size_t s = 0; s < sizeof SECTION_KEYS / sizeof SECTION_KEYS[0]; s++) {
            const char *kind = SECTION_KEYS[s][0];
            for (int k = 1; k < 17 && SECTION_KEYS[s][k]; k++) {
                int has = section_has_key(r.out, kind, SECTION_KEYS[s][k]);
                if (has == -1 && strcmp(kind, "mark") == 0)
                    break;
                if (has != 1)
                    fail_msg("template %s: [%s] does not show %s", NAMES[i], kind,
                             SECTION_KEYS[s][k]);
            }
        }
        tu_run_free(&r);
    }
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
        cmocka_unit_test(test_templates_show_every_key),
        cmocka_unit_test(test_templates_render),
        cmocka_unit_test(test_default_and_list),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
