/*
 * test_utf8.c — base/utf8.c: utf8_next's exact code points and lengths,
 * and utf8_is_valid's verdict and offset, for valid 1-4 byte sequences and
 * for every kind of ill-formed one (stray bytes, overlongs, surrogates,
 * truncation, values above U+10FFFF).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"

/* ---- utf8_next ---------------------------------------------------------- */

/* Decodes all of s; returns the number of codepoints, lengths in len[]. */
static int decode_all(const char *s, uint32_t *cps, int *len, int max) {
    int n = 0, k;
    uint32_t cp;
    while (n < max && (k = utf8_next(s, &cp)) > 0) {
        cps[n] = cp;
        len[n++] = k;
        s += k;
    }
    return n;
}

static void expect_decode(const char *s, int n, const uint32_t *cps, const int *lens) {
    uint32_t got[16];
    int glen[16];
    int m = decode_all(s, got, glen, 16);
    assert_int_equal(m, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(got[i], cps[i]);
        assert_int_equal(glen[i], lens[i]);
    }
}

static void test_utf8_valid(void **state) {
    (void)state;
    expect_decode("A", 1, (uint32_t[]){0x41}, (int[]){1});
    expect_decode("\xc3\xa9", 1, (uint32_t[]){0xE9}, (int[]){2});
    expect_decode("\xe5\xad\xa6x", 2, (uint32_t[]){0x5B66, 'x'}, (int[]){3, 1});
    expect_decode("\xf0\x9f\x98\x80", 1, (uint32_t[]){0x1F600}, (int[]){4});
    expect_decode("\xf4\x8f\xbf\xbf", 1, (uint32_t[]){0x10FFFF}, (int[]){4});
    expect_decode("\xed\x9f\xbf", 1, (uint32_t[]){0xD7FF}, (int[]){3});
    /* The first and last code point of every length. */
    expect_decode("\x7f", 1, (uint32_t[]){0x7F}, (int[]){1});
    expect_decode("\xc2\x80", 1, (uint32_t[]){0x80}, (int[]){2});
    expect_decode("\xdf\xbf", 1, (uint32_t[]){0x7FF}, (int[]){2});
    expect_decode("\xe0\xa0\x80", 1, (uint32_t[]){0x800}, (int[]){3});
    expect_decode("\xef\xbf\xbf", 1, (uint32_t[]){0xFFFF}, (int[]){3});
    expect_decode("\xf0\x90\x80\x80", 1, (uint32_t[]){0x10000}, (int[]){4});
    /* Just past the surrogates, and U+FFFD itself, which is well-formed. */
    expect_decode("\xee\x80\x80", 1, (uint32_t[]){0xE000}, (int[]){3});
    expect_decode("\xef\xbf\xbd", 1, (uint32_t[]){0xFFFD}, (int[]){3});
    uint32_t cp = 7;
    assert_int_equal(utf8_next("", &cp), 0);
    assert_int_equal(cp, 0);
}

static void test_utf8_invalid(void **state) {
    (void)state;
    /* Bytes that can never start a sequence: one U+FFFD each. */
    expect_decode("\xff\xfe", 2, (uint32_t[]){0xFFFD, 0xFFFD}, (int[]){1, 1});
    /* Truncated by the end of the string: one U+FFFD for the whole prefix. */
    expect_decode("\xe5\xad", 1, (uint32_t[]){0xFFFD}, (int[]){2});
    expect_decode("\xf0\x9f\x98", 1, (uint32_t[]){0xFFFD}, (int[]){3});
    /* Truncated by a non-continuation byte, which then decodes normally. */
    expect_decode("\xe5\xad"
                  "A",
                  2, (uint32_t[]){0xFFFD, 'A'}, (int[]){2, 1});
    /* Overlong forms: C0 is never a lead byte; E0 80 is out of range. */
    expect_decode("\xc0\xaf", 2, (uint32_t[]){0xFFFD, 0xFFFD}, (int[]){1, 1});
    expect_decode("\xe0\x80\xaf", 3, (uint32_t[]){0xFFFD, 0xFFFD, 0xFFFD}, (int[]){1, 1, 1});
    /* A surrogate (U+D800) and a value above U+10FFFF. */
    expect_decode("\xed\xa0\x80", 3, (uint32_t[]){0xFFFD, 0xFFFD, 0xFFFD}, (int[]){1, 1, 1});
    expect_decode("\xf4\x90\x80\x80", 4, (uint32_t[]){0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD},
                  (int[]){1, 1, 1, 1});
    /* More overlongs: the longest overlong of each length. */
    expect_decode("\xc1\xbf", 2, (uint32_t[]){0xFFFD, 0xFFFD}, (int[]){1, 1});
    expect_decode("\xe0\x9f\xbf", 3, (uint32_t[]){0xFFFD, 0xFFFD, 0xFFFD}, (int[]){1, 1, 1});
    expect_decode("\xf0\x8f\xbf\xbf", 4, (uint32_t[]){0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD},
                  (int[]){1, 1, 1, 1});
    /* The last surrogate (U+DFFF); lead bytes past U+10FFFF (F5..F7). */
    expect_decode("\xed\xbf\xbf", 3, (uint32_t[]){0xFFFD, 0xFFFD, 0xFFFD}, (int[]){1, 1, 1});
    expect_decode("\xf5\x80", 2, (uint32_t[]){0xFFFD, 0xFFFD}, (int[]){1, 1});
    /* Truncated 2- and 4-byte sequences at the end. */
    expect_decode("\xc3", 1, (uint32_t[]){0xFFFD}, (int[]){1});
    expect_decode("a\xf4\x8f\xbf", 2, (uint32_t[]){'a', 0xFFFD}, (int[]){1, 3});
    /* A stray continuation byte between valid characters. */
    expect_decode("a\x80"
                  "b",
                  3, (uint32_t[]){'a', 0xFFFD, 'b'}, (int[]){1, 1, 1});
}

/* ---- utf8_is_valid -------------------------------------------------------- */

/* s[0..len) must be ill-formed with the first bad sequence at offset at. */
static void expect_invalid(const char *s, size_t len, size_t at) {
    size_t bad = 12345;
    assert_int_equal(utf8_is_valid(s, len, &bad), 0);
    assert_int_equal(bad, at);
    assert_int_equal(utf8_is_valid(s, len, NULL), 0);
}

static void test_valid_text(void **state) {
    (void)state;
    size_t bad = 12345;
    static const char *const good[] = {
        "",
        "plain ASCII",
        "\xc3\xa9t\xc3\xa9",                    /* 2 bytes */
        "\xe5\xad\xa6\xe4\xb9\xa0\xe7\x8e\x87", /* 3 bytes: 学习率 */
        "\xf0\x9f\x98\x80",                     /* 4 bytes */
        "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
        "\xed\x9f\xbf\xee\x80\x80", /* either side of the surrogates */
        "\xef\xbf\xbd",             /* U+FFFD itself */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(utf8_is_valid(good[i], strlen(good[i]), &bad), 1);
        assert_int_equal(bad, 12345); /* untouched */
    }
    /* NUL bytes are characters; len, not a NUL, ends the text. */
    assert_int_equal(utf8_is_valid("a\0b", 3, NULL), 1);
    assert_int_equal(utf8_is_valid("\xc3\xa9\xff", 2, NULL), 1);
}

static void test_invalid_text(void **state) {
    (void)state;
    /* Bytes that never start a sequence. */
    expect_invalid("\x80", 1, 0);
    expect_invalid("ab\xbf", 3, 2);
    expect_invalid("\xff", 1, 0);
    expect_invalid("x\xf5\x80\x80\x80", 5, 1);
    /* Overlongs. */
    expect_invalid("\xc0\xaf", 2, 0);
    expect_invalid("\xc1\xbf", 2, 0);
    expect_invalid("a\xe0\x9f\xbf", 4, 1);
    expect_invalid("\xf0\x8f\xbf\xbf", 4, 0);
    /* Surrogates. */
    expect_invalid("\xed\xa0\x80", 3, 0);
    expect_invalid("ok\xed\xbf\xbf", 5, 2);
    /* Above U+10FFFF. */
    expect_invalid("\xf4\x90\x80\x80", 4, 0);
    /* Truncated, by the end of the text or by a non-continuation byte; the
     * offset is that of the lead byte. */
    expect_invalid("\xc3", 1, 0);
    expect_invalid("\xc3\xa9\xe5\xad", 4, 2);
    expect_invalid("\xe5\xad\xa6\xf0\x9f\x98", 6, 3);
    expect_invalid("\xe5\xad"
                   "A",
                   3, 0);
    expect_invalid("\xc3\xa9", 1, 0); /* len cuts the sequence */
    expect_invalid("\xe5\0\xa6", 3, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_valid_text),
        cmocka_unit_test(test_invalid_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
