/*
 * test_data.c — model/data.c: linspace, synthetic data (exact points and
 * noise, the not-finite error), number parsing and the CSV reader's rows
 * and exact error messages.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/rng.h"
#include "model/data.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* Writes text into a fresh temp dir; returns the path (free with drop()). */
static char *temp_csv(const char *text) {
    return tu_write_file(tu_tmpdir(), "pts.csv", text);
}

static void drop(char *path) {
    unlink(path);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    rmdir(path);
    free(path);
}

/* Reads a CSV that must fail; checks the code and returns the message. */
static void expect_csv_error(const char *path, const char *msg) {
    double *x = (double *)1, *y = (double *)1;
    int n = -1;
    GdError err;
    gd_error_clear(&err);
    assert_int_equal(data_read_csv(path, &x, &y, &n, &err), GD_ERR_INPUT);
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg, msg);
    assert_null(x);
    assert_null(y);
    assert_int_equal(n, 0);
}

/* Writes text to a temp CSV and expects msg with PATH replaced by its path. */
static void expect_text_error(const char *text, const char *suffix) {
    char *path = temp_csv(text);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s%s", path, suffix);
    expect_csv_error(path, msg);
    drop(path);
}

/* ---- linspace, numbers --------------------------------------------------- */

static void test_linspace(void **state) {
    (void)state;
    double out[5];
    data_linspace(-1.0, 1.0, 5, out);
    const double expect[5] = {-1.0, -0.5, 0.0, 0.5, 1.0};
    assert_memory_equal(out, expect, sizeof out);
    data_linspace(3.0, 7.0, 1, out);
    assert_true(out[0] == 3.0);
    double many[200];
    data_linspace(-1.0, 1.0, 200, many);
    for (int i = 0; i < 200; i++)
        assert_true(many[i] == -1.0 + 2.0 * (double)i / 199.0);
    assert_true(many[199] == 1.0);
}

static void test_parse_number(void **state) {
    (void)state;
    static const struct {
        const char *text;
        double value;
    } good[] = {{"1", 1.0},      {"-2.5", -2.5}, {"+.5", 0.5}, {"1e-3", 1e-3},  {"1.", 1.0},
                {"1E+2", 100.0}, {"007", 7.0},   {"-0", -0.0}, {"1e308", 1e308}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double v = 0.0;
        assert_int_equal(data_parse_number(good[i].text, &v), DATA_NUMBER_OK);
        assert_true(v == good[i].value);
    }
    static const char *const bad[] = {"",    " 1",  "1 ",   "0x10", "inf", "nan",
                                      "1e",  "e5",  ".",    "-",    "1,5", "1..2",
                                      "1e+", "--1", "1e5.", "INF",  "1f",  "\xe4\xb8\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42.0;
        assert_int_equal(data_parse_number(bad[i], &v), DATA_NUMBER_SYNTAX);
        assert_true(v == 42.0);
    }
    double v = 0.0;
    assert_int_equal(data_parse_number("1e999", &v), DATA_NUMBER_NOT_FINITE);
    assert_int_equal(data_parse_number("-1e999", &v), DATA_NUMBER_NOT_FINITE);
}

/* ---- synthetic data ------------------------------------------------------ */

static Formula *compile(const char *text) {
    static const char *const names[] = {"a", "b"};
    Formula *f = NULL;
    GdError err;
    assert_int_equal(formula_compile(text, names, 2, &f, NULL, &err), GD_OK);
    return f;
}

static void test_generate(void **state) {
    (void)state;
    Formula *f = compile("a*x + b");
    const double params[2] = {2.0, -1.0};
    double *x, *y;
    GdError err;
    gd_error_clear(&err);
    /* Without noise: exactly the formula at linspace(-1, 1, 5). */
    DataSpec spec = {f, params, -1.0, 1.0, 5, 0.0, 7};
    assert_int_equal(data_generate(&spec, &x, &y, &err), GD_OK);
    const double ex[5] = {-1.0, -0.5, 0.0, 0.5, 1.0}, ey[5] = {-3.0, -2.0, -1.0, 0.0, 1.0};
    assert_memory_equal(x, ex, sizeof ex);
    assert_memory_equal(y, ey, sizeof ey);
    free(x);
    free(y);
    /* With noise: the deviates of one generator, in order of x. */
    spec = (DataSpec){f, params, 0.0, 3.0, 7, 0.3, 11};
    assert_int_equal(data_generate(&spec, &x, &y, &err), GD_OK);
    GdRng rng;
    rng_seed(&rng, 11);
    for (int i = 0; i < 7; i++) {
        assert_true(x[i] == 0.5 * i);
        assert_true(y[i] == 2.0 * x[i] - 1.0 + 0.3 * rng_normal(&rng));
    }
    free(x);
    free(y);
    /* One point sits at lo. */
    spec = (DataSpec){f, params, 5.0, 9.0, 1, 0.0, 1};
    assert_int_equal(data_generate(&spec, &x, &y, &err), GD_OK);
    assert_true(x[0] == 5.0 && y[0] == 9.0);
    free(x);
    free(y);
    formula_destroy(f);
}

static void test_generate_not_finite(void **state) {
    (void)state;
    Formula *f = compile("a/x + b");
    const double params[2] = {1.0, 0.0};
    double *x = (double *)1, *y = (double *)1;
    GdError err;
    DataSpec spec = {f, params, -1.0, 1.0, 3, 0.0, 1};
    assert_int_equal(data_generate(&spec, &x, &y, &err), GD_ERR_INPUT);
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg, "the formula is not finite at x = 0");
    assert_null(x);
    assert_null(y);
    spec = (DataSpec){f, params, 0.1, 0.2, 2, 0.0, 1};
    formula_destroy(f);
    f = compile("exp(a*x) + b");
    spec.formula = f;
    const double big[2] = {7000.0, 0.0}; /* exp(700) is finite, exp(1400) is not */
    spec.params = big;
    assert_int_equal(data_generate(&spec, &x, &y, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "the formula is not finite at x = 0.20000000000000001");
    formula_destroy(f);
}

/* ---- CSV ---------------------------------------------------------------- */

static void test_csv_good(void **state) {
    (void)state;
    double *x, *y;
    int n;
    GdError err;
    gd_error_clear(&err);
    assert_int_equal(data_read_csv("tests/data/points.csv", &x, &y, &n, &err), 0);
    assert_int_equal(n, 4);
    const double ex[4] = {0.0, 1.0, 2.0, -1.5}, ey[4] = {1.0, 3.0, 5.0, -2.0};
    assert_memory_equal(x, ex, sizeof ex);
    assert_memory_equal(y, ey, sizeof ey);
    free(x);
    free(y);

    /* No header, BOM, no final newline, tabs around fields. */
    char *path = temp_csv("\xef\xbb\xbf"
                          "0.25,\t-1e-3\n\t7 ,8");
    assert_int_equal(data_read_csv(path, &x, &y, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_true(x[0] == 0.25 && y[0] == -1e-3 && x[1] == 7.0 && y[1] == 8.0);
    free(x);
    free(y);
    drop(path);

    /* Many rows (the arrays grow). */
    char *big = malloc(20000 * 16);
    size_t o = 0;
    for (int i = 0; i < 20000; i++)
        o += (size_t)sprintf(big + o, "%d,%d\n", i, -i);
    path = temp_csv(big);
    free(big);
    assert_int_equal(data_read_csv(path, &x, &y, &n, &err), 0);
    assert_int_equal(n, 20000);
    assert_true(x[12345] == 12345.0 && y[19999] == -19999.0);
    free(x);
    free(y);
    drop(path);
}

static void test_csv_errors(void **state) {
    (void)state;
    expect_csv_error("tests/data/bad.csv",
                     "tests/data/bad.csv:5: expected two numbers x,y, got \"1.0;2\"");
    expect_csv_error("tests/data/no-such.csv",
                     "tests/data/no-such.csv: cannot open: No such file or directory");
    expect_csv_error("tests/data", "tests/data: cannot open: Is a directory");

    expect_text_error("x,y\n1,2\nabc,3\n", ":3: \"abc\" is not a number");
    expect_text_error("1,2\n3, 4x\n", ":2: \"4x\" is not a number");
    expect_text_error("1,2\n1e999,3\n", ":2: \"1e999\" is not a finite number");
    expect_text_error("1,nan\n", ":1: \"nan\" is not a number");
    expect_text_error("0x1,2\n", ":1: \"0x1\" is not a number");
    expect_text_error("1,2,3\n", ":1: expected two numbers x,y, got \"1,2,3\"");
    expect_text_error("1,2\n5\n", ":2: expected two numbers x,y, got \"5\"");
    expect_text_error("1,2\n5,\n", ":2: expected two numbers x,y, got \"5,\"");
    expect_text_error("x,y\nx,y\n", ":2: \"x\" is not a number");
    expect_text_error("x,y\n# nothing\n\n", ": no data rows");
    expect_text_error("", ": no data rows");
    expect_text_error("1,2\n\x01,2\n", ":2: \"?\" is not a number");
    /* A long line is shortened in the message. */
    expect_text_error("1,2\n1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23;24;25\n",
                      ":2: expected two numbers x,y, got "
                      "\"1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23;...\"");

    /* A NUL byte: the file is not text. */
    const char *dir = tu_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/nul.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("1,2\n3\0,4\n", 1, 9, f);
    fclose(f);
    char msg[512];
    snprintf(msg, sizeof msg, "%s:2: NUL byte (is this a text file?)", path);
    expect_csv_error(path, msg);
    unlink(path);
    rmdir(dir);
}

/* A line of exactly DATA_MAX_LINE bytes is read; one byte more is an
 * error at its line, found without reading the rest of the file. */
static void test_csv_line_cap(void **state) {
    (void)state;
    static char text[3 * DATA_MAX_LINE];
    /* "1," + spaces + "2": spaces around fields are fine */
    size_t n = (size_t)snprintf(text, sizeof text, "x,y\n1,");
    memset(text + n, ' ', DATA_MAX_LINE - 3);
    n += DATA_MAX_LINE - 3;
    n += (size_t)snprintf(text + n, sizeof text - n, "2\r\n3,4"); /* CRLF, no final newline */
    char *path = temp_csv(text);
    double *x, *y;
    int count;
    GdError err;
    gd_error_clear(&err);
    assert_int_equal(data_read_csv(path, &x, &y, &count, &err), GD_OK);
    assert_int_equal(count, 2);
    assert_true(x[0] == 1.0 && y[0] == 2.0 && x[1] == 3.0 && y[1] == 4.0);
    free(x);
    free(y);
    drop(path);

    /* 65537 bytes without a newline, as the last line and mid-file */
    memset(text, '7', DATA_MAX_LINE + 1);
    text[DATA_MAX_LINE + 1] = '\0';
    expect_text_error(text, ":1: line too long (more than 65536 bytes)");
    n = (size_t)snprintf(text, sizeof text, "1,2\n\n");
    memset(text + n, ',', DATA_MAX_LINE + 1);
    snprintf(text + n + DATA_MAX_LINE + 1, sizeof text - n - DATA_MAX_LINE - 1, "\n1,2\n");
    expect_text_error(text, ":3: line too long (more than 65536 bytes)");
}

/* Files the reader refuses without reading them: a named pipe without a
 * writer (which would block open(2) for ever), devices, and a file larger
 * than DATA_MAX_BYTES (sparse here: 2 GB that cost no disk). */
static void test_csv_not_read(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char path[512], msg[1024];
    snprintf(path, sizeof path, "%s/pipe.csv", dir);
    assert_int_equal(mkfifo(path, 0644), 0);
    snprintf(msg, sizeof msg, "%s: cannot open: not a regular file (a named pipe)", path);
    expect_csv_error(path, msg);
    unlink(path);
    expect_csv_error("/dev/zero",
                     "/dev/zero: cannot open: not a regular file (a character device)");

    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(truncate(path, 2LL << 30), 0);
    snprintf(msg, sizeof msg, "%s: data file too large (more than 256 MiB)", path);
    expect_csv_error(path, msg);
    /* just past the cap is too large; at the cap the reader starts (and
     * stops at the first line: a sparse file is all NUL bytes, on one line) */
    assert_int_equal(truncate(path, DATA_MAX_BYTES + 1), 0);
    expect_csv_error(path, msg);
    assert_int_equal(truncate(path, DATA_MAX_BYTES), 0);
    snprintf(msg, sizeof msg, "%s:1: line too long (more than 65536 bytes)", path);
    expect_csv_error(path, msg);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linspace),     cmocka_unit_test(test_parse_number),
        cmocka_unit_test(test_generate),     cmocka_unit_test(test_generate_not_finite),
        cmocka_unit_test(test_csv_good),     cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_csv_line_cap), cmocka_unit_test(test_csv_not_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
