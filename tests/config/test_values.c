/*
 * test_values.c — config/values.c: every value parser's exact result and
 * exact message, the character classes of names, lists and calls.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/values.h"

/* The parser's result must be GD_ERR_INPUT with exactly msg. */
static void expect_msg(int rc, const GdError *err, const char *msg) {
    assert_int_equal(rc, GD_ERR_INPUT);
    assert_int_equal(err->code, GD_ERR_INPUT);
    assert_string_equal(err->msg, msg);
}

/* ---- character classes ----------------------------------------------------- */

static void test_classes(void **state) {
    (void)state;
    const char *spaces = " \t\r\n\v\f";
    for (const char *p = spaces; *p; p++)
        assert_true(value_is_space(*p));
    assert_false(value_is_space('x'));
    assert_false(value_is_space('\0'));
    assert_false(value_is_space((char)0xa0)); /* no-break space is not ASCII space */
    assert_string_equal(value_skip_space(" \t x "), "x ");
    char buf[] = "  a b \r\n";
    assert_string_equal(value_trim(buf), "a b");
    char empty[] = " \t ";
    assert_string_equal(value_trim(empty), "");

    assert_true(value_is_ident("w"));
    assert_true(value_is_ident("_b2"));
    assert_false(value_is_ident(""));
    assert_false(value_is_ident("2b"));
    assert_false(value_is_ident("a-b"));
    assert_false(value_is_ident("\xc3\xa9"));
    assert_true(value_is_ident_char('Z') && value_is_ident_char('9') && value_is_ident_char('_'));
    assert_false(value_is_ident_char('-'));

    assert_true(value_is_run_name("good"));
    assert_true(value_is_run_name("lr-0.5_b"));
    assert_true(value_is_run_name("\xe5\xad\xa6"));
    assert_true(value_is_run_name("9"));
    assert_false(value_is_run_name(""));
    assert_false(value_is_run_name("a b"));
    assert_false(value_is_run_name("a]"));
}

static void test_is_integer(void **state) {
    (void)state;
    long long v = 7;
    assert_true(value_is_integer("42", &v) && v == 42);
    assert_true(value_is_integer("-0", &v) && v == 0);
    assert_true(value_is_integer("+17", &v) && v == 17);
    assert_true(value_is_integer("007", &v) && v == 7);
    /* Saturated, so a range check rejects it. */
    assert_true(value_is_integer("99999999999999999999999", &v) && v == 1000000000000000000LL);
    assert_true(value_is_integer("-99999999999999999999999", &v) && v == -1000000000000000000LL);
    v = 7;
    static const char *const bad[] = {"", "+", "-", "1.0", "1e3", " 1", "1 ", "0x1", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(value_is_integer(bad[i], &v));
    assert_true(v == 7);
}

/* ---- numbers ----------------------------------------------------------------- */

static void test_number(void **state) {
    (void)state;
    GdError err;
    double v = 0.0;
    assert_int_equal(value_parse_number("-2.5e-3", &v, &err), 0);
    assert_true(v == -2.5e-3);
    assert_int_equal(value_parse_number(".5", &v, &err), 0);
    assert_true(v == 0.5);
    expect_msg(value_parse_number("fast", &v, &err), &err, "expected a number, got \"fast\"");
    expect_msg(value_parse_number("", &v, &err), &err, "expected a number, got \"\"");
    expect_msg(value_parse_number("inf", &v, &err), &err, "expected a number, got \"inf\"");
    expect_msg(value_parse_number("1e999", &v, &err), &err,
               "expected a finite number, got \"1e999\"");
    assert_int_equal(value_parse_number("1", &v, NULL), 0);
    assert_int_equal(value_parse_number("x", &v, NULL), GD_ERR_INPUT);
}

static void test_integer(void **state) {
    (void)state;
    GdError err;
    long long v = 0;
    assert_int_equal(value_parse_integer("-12", &v, &err), 0);
    assert_true(v == -12);
    expect_msg(value_parse_integer("1.5", &v, &err), &err, "expected an integer, got \"1.5\"");

    int k = 3;
    assert_int_equal(value_parse_int_range("240", 1, 240, &k, &err), 0);
    assert_int_equal(k, 240);
    assert_int_equal(value_parse_int_range("1", 1, 240, &k, &err), 0);
    assert_int_equal(k, 1);
    expect_msg(value_parse_int_range("0", 1, 240, &k, &err), &err,
               "must be an integer from 1 to 240, got 0");
    expect_msg(value_parse_int_range("+241", 1, 240, &k, &err), &err,
               "must be an integer from 1 to 240, got +241");
    expect_msg(value_parse_int_range("99999999999999999999", 0, 51, &k, &err), &err,
               "must be an integer from 0 to 51, got 99999999999999999999");
    expect_msg(value_parse_int_range("ten", 0, 51, &k, &err), &err,
               "expected an integer, got \"ten\"");
    assert_int_equal(k, 1); /* untouched by the failures */
}

static void test_range(void **state) {
    (void)state;
    GdError err;
    double v = 0.0;
    assert_int_equal(value_parse_range("0.25", 0.0, 0, 1.0, 0, &v, &err), 0);
    assert_true(v == 0.25);
    assert_int_equal(value_parse_range("0", 0.0, 0, 1.0, 0, &v, &err), 0);
    assert_int_equal(value_parse_range("1", 0.0, 0, 1.0, 0, &v, &err), 0);
    assert_int_equal(value_parse_range("1e300", 0.0, 1, INFINITY, 0, &v, &err), 0);
    assert_true(v == 1e300);
    expect_msg(value_parse_range("0", 0.0, 1, INFINITY, 0, &v, &err), &err,
               "must be greater than 0, got 0");
    expect_msg(value_parse_range("-0.5", 0.0, 0, INFINITY, 0, &v, &err), &err,
               "must be at least 0, got -0.5");
    expect_msg(value_parse_range("0", 0.0, 1, 3600.0, 0, &v, &err), &err,
               "must be greater than 0 and at most 3600, got 0");
    expect_msg(value_parse_range("1", 0.0, 0, 1.0, 1, &v, &err), &err,
               "must be at least 0 and less than 1, got 1");
    expect_msg(value_parse_range("1.5", 0.0, 0, 1.0, 0, &v, &err), &err,
               "must be from 0 to 1, got 1.5");
    expect_msg(value_parse_range("abc", 0.0, 0, 1.0, 0, &v, &err), &err,
               "expected a number, got \"abc\"");
}

static void test_seed(void **state) {
    (void)state;
    GdError err;
    unsigned long long v = 0;
    assert_int_equal(value_parse_seed("0", &v, &err), 0);
    assert_true(v == 0);
    assert_int_equal(value_parse_seed("+42", &v, &err), 0);
    assert_true(v == 42);
    assert_int_equal(value_parse_seed("18446744073709551615", &v, &err), 0);
    assert_true(v == ULLONG_MAX);
    const char *msg = "expected an integer from 0 to 18446744073709551615, got \"%s\"";
    static const char *const bad[] = {"18446744073709551616", "-1", "", "+", "1.0", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256];
        snprintf(want, sizeof want, msg, bad[i]);
        expect_msg(value_parse_seed(bad[i], &v, &err), &err, want);
    }
    assert_true(v == ULLONG_MAX);
}

/* ---- words ------------------------------------------------------------------- */

static void test_choice(void **state) {
    (void)state;
    GdError err;
    static const char *const three[] = {"draft", "medium", "high"};
    static const char *const two[] = {"overlay", "split"};
    static const char *const one[] = {"mse"};
    int k = -1;
    assert_int_equal(value_parse_choice("high", three, 3, &k, &err), 0);
    assert_int_equal(k, 2);
    expect_msg(value_parse_choice("High", three, 3, &k, &err), &err,
               "expected one of draft, medium, high, got \"High\"");
    expect_msg(value_parse_choice("grid", two, 2, &k, &err), &err,
               "expected overlay or split, got \"grid\"");
    expect_msg(value_parse_choice("mae", one, 1, &k, &err), &err, "expected mse, got \"mae\"");
    assert_int_equal(k, 2);
}

static void test_bool(void **state) {
    (void)state;
    GdError err;
    static const struct {
        const char *text;
        int value;
    } good[] = {{"yes", 1}, {"no", 0},  {"true", 1}, {"false", 0},
                {"on", 1},  {"off", 0}, {"1", 1},    {"0", 0}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int v = -1;
        assert_int_equal(value_parse_bool(good[i].text, &v, &err), 0);
        assert_int_equal(v, good[i].value);
    }
    int v = -1;
    expect_msg(value_parse_bool("Yes", &v, &err), &err, "expected yes or no, got \"Yes\"");
    expect_msg(value_parse_bool("2", &v, &err), &err, "expected yes or no, got \"2\"");
    assert_int_equal(v, -1);
}

static void test_color(void **state) {
    (void)state;
    GdError err;
    Rgb c = {1, 2, 3};
    assert_int_equal(value_parse_color("#d62728", &c, &err), 0);
    assert_true(c.r == 0xd6 && c.g == 0x27 && c.b == 0x28);
    assert_int_equal(value_parse_color("#FFfF00", &c, &err), 0);
    assert_true(c.r == 0xff && c.g == 0xff && c.b == 0x00);
    static const char *const bad[] = {"red", "#fff", "#12345g", "#1234567", "123456", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[128];
        snprintf(want, sizeof want, "expected a color #rrggbb, got \"%s\"", bad[i]);
        expect_msg(value_parse_color(bad[i], &c, &err), &err, want);
    }
    assert_true(c.r == 0xff && c.g == 0xff && c.b == 0x00);
}

/* ---- text and paths ---------------------------------------------------------- */

static void test_text(void **state) {
    (void)state;
    GdError err;
    char out[8];
    assert_int_equal(value_copy_text("1234567", out, sizeof out, &err), 0);
    assert_string_equal(out, "1234567");
    assert_int_equal(value_copy_text("", out, sizeof out, &err), 0);
    assert_string_equal(out, "");
    expect_msg(value_copy_text("12345678", out, sizeof out, &err), &err,
               "too long (more than 7 bytes)");
}

static void test_paths(void **state) {
    (void)state;
    GdError err;
    char out[32];
    assert_int_equal(value_resolve_path("configs", "x.mp4", out, sizeof out, &err), 0);
    assert_string_equal(out, "configs/x.mp4");
    assert_int_equal(value_resolve_path("configs/", "x.mp4", out, sizeof out, &err), 0);
    assert_string_equal(out, "configs/x.mp4");
    assert_int_equal(value_resolve_path("/", "x.mp4", out, sizeof out, &err), 0);
    assert_string_equal(out, "/x.mp4");
    assert_int_equal(value_resolve_path(".", "x.mp4", out, sizeof out, &err), 0);
    assert_string_equal(out, "x.mp4");
    assert_int_equal(value_resolve_path("configs", "/tmp/x.mp4", out, sizeof out, &err), 0);
    assert_string_equal(out, "/tmp/x.mp4");
    expect_msg(
        value_resolve_path("a/long/folder/name", "and-a-long-file.mp4", out, sizeof out, &err),
        &err, "path too long (more than 31 bytes)");

    char path[256];
    assert_int_equal(value_resolve_input_path("tests/data", "points.csv", path, sizeof path, &err),
                     0);
    assert_string_equal(path, "tests/data/points.csv");
    expect_msg(value_resolve_input_path("tests/data", "no-such.csv", path, sizeof path, &err), &err,
               "cannot open \"no-such.csv\": No such file or directory");
    expect_msg(value_resolve_input_path("a/long/folder/name", "and-a-long-file.mp4", out,
                                        sizeof out, &err),
               &err, "path too long (more than 31 bytes)");
}

/* ---- lists and calls ----------------------------------------------------------- */

static void test_lists(void **state) {
    (void)state;
    GdError err;
    ValueList list;
    assert_int_equal(value_split_list(" a ,b,\tc d ", &list, &err), 0);
    assert_int_equal(list.n, 3);
    assert_string_equal(list.items[0], "a");
    assert_string_equal(list.items[1], "b");
    assert_string_equal(list.items[2], "c d");
    assert_int_equal(value_split_list("one", &list, &err), 0);
    assert_int_equal(list.n, 1);
    expect_msg(value_split_list("a,,b", &list, &err), &err, "empty item in list \"a,,b\"");
    expect_msg(value_split_list("a, ", &list, &err), &err, "empty item in list \"a, \"");
    expect_msg(value_split_list("", &list, &err), &err, "empty item in list \"\"");
    /* Past VALUE_MAX_LIST items are counted, not kept. */
    char many[1024] = "";
    for (int i = 0; i < VALUE_MAX_LIST + 8; i++)
        strcat(many, i ? ",x" : "x");
    assert_int_equal(value_split_list(many, &list, &err), 0);
    assert_int_equal(list.n, VALUE_MAX_LIST + 8);
    assert_string_equal(list.items[VALUE_MAX_LIST - 1], "x");

    double v[4] = {0};
    assert_int_equal(
        value_parse_numbers("0, 30, -10.5, 1", 4, "t, azimuth, elevation, zoom", v, &err), 0);
    assert_true(v[0] == 0.0 && v[1] == 30.0 && v[2] == -10.5 && v[3] == 1.0);
    expect_msg(value_parse_numbers("1, 2, 3", 2, "a, b", v, &err), &err,
               "expected 2 values (a, b), got 3");
    expect_msg(value_parse_numbers("1, two", 2, "a, b", v, &err), &err,
               "expected a number, got \"two\"");
    expect_msg(value_parse_numbers("1,", 2, "a, b", v, &err), &err, "empty item in list \"1,\"");
}

static void test_calls(void **state) {
    (void)state;
    GdError err;
    ValueList args;
    int matched = -1;
    const char *usage = "normal(mean, std)";
    assert_int_equal(value_parse_call("normal(0, 1.5)", "normal", 2, usage, &args, &matched, &err),
                     0);
    assert_int_equal(matched, 1);
    assert_int_equal(args.n, 2);
    assert_string_equal(args.items[0], "0");
    assert_string_equal(args.items[1], "1.5");
    assert_int_equal(value_parse_call("normal ( 0,1 )", "normal", 2, usage, &args, &matched, &err),
                     0);
    assert_string_equal(args.items[1], "1");
    /* Not a call of that name: something else, not an error. */
    assert_int_equal(value_parse_call("0.5, 1", "normal", 2, usage, &args, &matched, &err), 0);
    assert_int_equal(matched, 0);
    expect_msg(value_parse_call("normal(0)", "normal", 2, usage, &args, &matched, &err), &err,
               "expected normal(mean, std), got \"normal(0)\"");
    assert_int_equal(matched, 1);
    expect_msg(value_parse_call("normal 0, 1", "normal", 2, usage, &args, &matched, &err), &err,
               "expected normal(mean, std), got \"normal 0, 1\"");
    expect_msg(value_parse_call("normal()", "normal", 2, usage, &args, &matched, &err), &err,
               "empty item in list \"\"");
    expect_msg(value_parse_call("normal(0,,1)", "normal", 2, usage, &args, &matched, &err), &err,
               "empty item in list \"0,,1\"");
    expect_msg(value_parse_call("normalize(0, 1)", "normal", 2, usage, &args, &matched, &err), &err,
               "expected normal(mean, std), got \"normalize(0, 1)\"");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes), cmocka_unit_test(test_is_integer),
        cmocka_unit_test(test_number),  cmocka_unit_test(test_integer),
        cmocka_unit_test(test_range),   cmocka_unit_test(test_seed),
        cmocka_unit_test(test_choice),  cmocka_unit_test(test_bool),
        cmocka_unit_test(test_color),   cmocka_unit_test(test_text),
        cmocka_unit_test(test_paths),   cmocka_unit_test(test_lists),
        cmocka_unit_test(test_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
