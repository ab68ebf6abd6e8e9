/*
 * test_text.c — text.c: font loading errors, glyph ink where
 * it must (and must not) be, alignment, CJK fallback, missing-glyph boxes,
 * and measure/draw agreement. Draws black on a white RGB target and looks at
 * the pixels.
 */
#include <math.h>
#include <pthread.h>
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
#include <fontconfig/fontconfig.h>

#include "draw/raster.h"
#include "testutil.h"
#include "draw/text.h"

typedef struct Box {
    int x0, y0, x1, y1; /* inclusive pixel bounds of the ink; x0 > x1 when none */
    int count;          /* dark pixels */
} Box;

static int is_dark(const RasterTarget *t, int x, int y) {
    const uint8_t *p = t->rgb + 3 * ((size_t)y * (size_t)t->w + (size_t)x);
    return (p[0] + p[1] + p[2]) < 3 * 128;
}

static Box ink_box(const RasterTarget *t) {
    Box b = {t->w, t->h, -1, -1, 0};
    for (int y = 0; y < t->h; y++)
        for (int x = 0; x < t->w; x++)
            if (is_dark(t, x, y)) {
                b.count++;
                if (x < b.x0)
                    b.x0 = x;
                if (x > b.x1)
                    b.x1 = x;
                if (y < b.y0)
                    b.y0 = y;
                if (y > b.y1)
                    b.y1 = y;
            }
    return b;
}

static void target_white(RasterTarget *t, int w, int h) {
    assert_int_equal(raster_target_init(t, w, h, 0), 0);
    raster_clear(t, 255, 255, 255);
}

static int target_is_white(const RasterTarget *t) {
    for (size_t i = 0; i < (size_t)t->w * (size_t)t->h * 3; i++)
        if (t->rgb[i] != 255)
            return 0;
    return 1;
}

static TextRenderer *open_default(void) {
    GdError err;
    gd_error_clear(&err);
    TextRenderer *tr = text_create(text_default_font(), &err);
    if (tr == NULL)
        fail_msg("%s", err.msg);
    return tr;
}

/* Draws s in black and returns the ink box; *adv gets the returned advance. */
static Box draw_black(TextRenderer *tr, RasterTarget *t, const char *s, float size, float x,
                      float y, int align, float *adv) {
    raster_clear(t, 255, 255, 255);
    float a = text_draw(tr, t, s, size, x, y, align, 0, 0, 0, 1);
    if (adv)
        *adv = a;
    return ink_box(t);
}

/* 1 when some installed font maps cp (asked of fontconfig independently). */
static int fontconfig_has(uint32_t cp) {
    /* Let text.c load fontconfig's configuration first: it hides the
     * one-time leak inside that load from LeakSanitizer. */
    TextRenderer *tr = open_default();
    text_measure(tr, "\xe5\xad\xa6", 10, NULL, NULL, NULL);
    text_destroy(tr);
    FcPattern *pat = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    FcCharSetAddChar(cs, cp);
    FcPatternAddCharSet(pat, FC_CHARSET, cs);
    FcObjectSet *os = FcObjectSetBuild(FC_FILE, (char *)NULL);
    FcFontSet *set = FcFontList(NULL, pat, os);
    int n = set ? set->nfont : 0;
    if (set)
        FcFontSetDestroy(set);
    FcObjectSetDestroy(os);
    FcCharSetDestroy(cs);
    FcPatternDestroy(pat);
    return n > 0;
}

/* ---- loading ---- */

static void test_default_font(void **state) {
    (void)state;
    const char *p = text_default_font();
    assert_int_equal(p[0], '/');
    const char *tail = "/fonts/DejaVuSans.ttf";
    assert_true(strlen(p) > strlen(tail));
    assert_string_equal(p + strlen(p) - strlen(tail), tail);
    assert_true(tu_exists(p));
}

static void expect_create_error(const char *path, const char *msg) {
    GdError err;
    gd_error_clear(&err);
    assert_null(text_create(path, &err));
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg, msg);
}

static void test_create_errors(void **state) {
    (void)state;
    expect_create_error("/nonexistent-gdtest/font.ttf",
                        "/nonexistent-gdtest/font.ttf: cannot open font: No such file or "
                        "directory");
    const char *dir = tu_tmpdir();
    char msg[1024];
    snprintf(msg, sizeof msg, "%s: cannot open font: Is a directory", dir);
    expect_create_error(dir, msg);

    /* never opened: a named pipe would block, a device never end */
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/pipe.ttf", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    snprintf(msg, sizeof msg, "%s: cannot open font: not a regular file (a named pipe)", fifo);
    expect_create_error(fifo, msg);
    unlink(fifo);
    expect_create_error("/dev/zero",
                        "/dev/zero: cannot open font: not a regular file (a character device)");

    char *txt = tu_write_file(dir, "notes.txt", "this is not a font\n");
    snprintf(msg, sizeof msg, "%s: not a font file", txt);
    expect_create_error(txt, msg);

    char *empty = tu_write_file(dir, "empty.ttf", "");
    snprintf(msg, sizeof msg, "%s: not a font file", empty);
    expect_create_error(empty, msg);

    /* The first kilobyte of a real font: the right magic, then nothing. */
    size_t len = 0;
    char *font = tu_read_file(text_default_font(), &len);
    assert_non_null(font);
    assert_true(len > 1024);
    char cut_path[512];
    snprintf(cut_path, sizeof cut_path, "%s/cut.ttf", dir);
    FILE *f = fopen(cut_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(font, 1, 1024, f), 1024);
    fclose(f);
    free(font);
    GdError err;
    gd_error_clear(&err);
    TextRenderer *tr = text_create(cut_path, &err);
    if (tr != NULL) {
        /* FreeType may accept the header and fail per glyph: then drawing
         * must still be safe. */
        RasterTarget t;
        target_white(&t, 64, 32);
        text_draw(tr, &t, "Hi", 16, 2, 20, TEXT_LEFT, 0, 0, 0, 1);
        raster_target_free(&t);
        text_destroy(tr);
    } else {
        assert_int_equal(err.code, GD_ERR_INPUT);
        assert_memory_equal(err.msg, cut_path, strlen(cut_path));
        assert_memory_equal(err.msg + strlen(cut_path), ": not a", 7);
    }

    unlink(txt);
    unlink(empty);
    unlink(cut_path);
    rmdir(dir);
    free(txt);
    free(empty);
    text_destroy(NULL);
}

/* ---- Latin ---- */

static void test_hello_box(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 200, 60);
    const float x = 20.3f, y = 40, size = 24;
    float adv;
    Box b = draw_black(tr, &t, "Hello", size, x, y, TEXT_LEFT, &adv);
    float w, asc, desc;
    text_measure(tr, "Hello", size, &w, &asc, &desc);
    assert_true(w == adv);
    /* DejaVu Sans: ascender 1901/2048 em, descender 483/2048 em. */
    assert_float_equal(asc, 1901.0f / 2048 * size, 1e-3);
    assert_float_equal(desc, 483.0f / 2048 * size, 1e-3);
    assert_true(adv > 2.0f * size && adv < 3.0f * size);

    /* All ink inside [x, x+adv] x [y-asc, y+desc] (whole pixels)... */
    assert_true(b.count > 80);
    assert_true(b.x0 >= (int)floorf(x));
    assert_true(b.x1 + 1 <= (int)ceilf(x + adv));
    assert_true(b.y0 >= (int)floorf(y - asc));
    assert_true(b.y1 + 1 <= (int)ceilf(y + desc));
    /* ...and filling most of it: "Hello" has no descender, sits on the
     * baseline and reaches the ascender height of "ll" (0.76 em). */
    assert_int_equal(b.y1, (int)y - 1);
    assert_true(b.y0 <= (int)y - 17);
    assert_true(b.x1 - b.x0 + 1 >= (int)(0.85f * adv));
    text_destroy(tr);
    raster_target_free(&t);
}

static void test_widths(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    float www, iii, a, v, av, h24, h48;
    text_measure(tr, "WWW", 20, &www, NULL, NULL);
    text_measure(tr, "iii", 20, &iii, NULL, NULL);
    assert_true(www > 2 * iii);
    /* Unhinted advances: width scales with size (HarfBuzz rounds each
     * glyph's advance to 1/64 px). */
    text_measure(tr, "Hello, world", 24, &h24, NULL, NULL);
    text_measure(tr, "Hello, world", 48, &h48, NULL, NULL);
    assert_float_equal(h48, 2 * h24, 12 / 64.0);
    /* DejaVu kerns "AV" closer (its kern table pairs A and V). */
    text_measure(tr, "A", 40, &a, NULL, NULL);
    text_measure(tr, "V", 40, &v, NULL, NULL);
    text_measure(tr, "AV", 40, &av, NULL, NULL);
    assert_true(av < a + v - 1.0f);
    /* Empty: no width, but the line metrics of the font. */
    float e, easc, edesc;
    text_measure(tr, "", 24, &e, &easc, &edesc);
    assert_true(e == 0);
    assert_float_equal(easc, 1901.0f / 2048 * 24, 1e-3);
    assert_float_equal(edesc, 483.0f / 2048 * 24, 1e-3);
    text_destroy(tr);
}

static void test_alignment(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 300, 50);
    const float x = 150, y = 35;
    float al, ac, ar;
    Box l = draw_black(tr, &t, "Hello", 24, x, y, TEXT_LEFT, &al);
    Box c = draw_black(tr, &t, "Hello", 24, x, y, TEXT_CENTER, &ac);
    Box r = draw_black(tr, &t, "Hello", 24, x, y, TEXT_RIGHT, &ar);
    assert_true(al == ac && al == ar);
    /* The first glyph's origin is the rounded start of the line. */
    int dc = (int)floorf(x - al / 2 + 0.5f) - (int)x;
    int dr = (int)floorf(x - al + 0.5f) - (int)x;
    assert_true(dc < -20 && dr < 2 * dc + 2);
    assert_int_equal(c.x0, l.x0 + dc);
    assert_int_equal(r.x0, l.x0 + dr);
    assert_in_range(c.x1, l.x1 + dc - 1, l.x1 + dc + 1);
    assert_in_range(r.x1, l.x1 + dr - 1, l.x1 + dr + 1);
    assert_int_equal(c.y0, l.y0);
    assert_int_equal(c.y1, l.y1);
    assert_int_equal(r.y0, l.y0);
    assert_int_equal(c.count, l.count);
    /* Right-aligned text ends at x. */
    assert_true(r.x1 < (int)x && r.x1 >= (int)x - 4);
    text_destroy(tr);
    raster_target_free(&t);
}

static void test_glyph_l(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 40, 50);
    Box b = draw_black(tr, &t, "l", 24, 10, 40, TEXT_LEFT, NULL);
    /* A thin vertical stem standing on the baseline... */
    assert_true(b.x1 - b.x0 + 1 <= 4);
    assert_int_equal(b.y1, 39);
    /* ...with a column that is dark for 0.7 em without a break. */
    int best = 0;
    for (int x = 0; x < t.w; x++) {
        int run = 0;
        for (int y = 0; y < t.h; y++) {
            run = is_dark(&t, x, y) ? run + 1 : 0;
            if (run > best)
                best = run;
        }
    }
    assert_true(best >= 17);
    text_destroy(tr);
    raster_target_free(&t);
}

static void test_glyph_hyphen(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 40, 50);
    const float size = 24, y = 40;
    Box b = draw_black(tr, &t, "-", size, 10, y, TEXT_LEFT, NULL);
    /* A short horizontal bar: 2-3 px thick, centred near half the x-height
     * (DejaVu's x-height is 1120/2048 em, so about 6.6 px above the baseline). */
    assert_true(b.count >= 8);
    assert_in_range(b.y1 - b.y0 + 1, 1, 3);
    assert_true(b.x1 - b.x0 + 1 >= 4);
    float mid = y - (b.y0 + b.y1 + 1) / 2.0f;
    float half_x = 1120.0f / 2048 * size / 2;
    assert_true(fabsf(mid - half_x) <= 2.0f);
    text_destroy(tr);
    raster_target_free(&t);
}

static void test_colour_alpha(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 60, 40);
    text_draw(tr, &t, "H", 30, 10, 32, TEXT_LEFT, 1, 0, 0, 0);
    assert_true(target_is_white(&t));
    text_draw(tr, &t, "H", 30, 10, 32, TEXT_LEFT, 1, 0, 0, 1);
    int red = 0;
    for (int i = 0; i < t.w * t.h; i++) {
        const uint8_t *p = t.rgb + 3 * i;
        assert_true(p[0] >= 254); /* red over white keeps the red channel */
        assert_int_equal(p[1], p[2]);
        if (p[1] < 10)
            red++;
    }
    assert_true(red > 40);
    text_destroy(tr);
    raster_target_free(&t);
}

/* ---- fallback and missing glyphs ---- */

static void test_cjk_fallback(void **state) {
    (void)state;
    if (!fontconfig_has(0x5B66)) {
        skip(); /* no CJK font installed (e.g. fonts-noto-cjk missing) */
        return;
    }
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 260, 60);
    const float size = 32;
    float adv;
    Box b = draw_black(tr, &t, "\xe5\xad\xa6", size, 10, 45, TEXT_LEFT, &adv); /* 学 */
    assert_true(b.count > 60);
    assert_float_equal(adv, size, 0.1f * size); /* CJK ideographs are 1 em wide */
    assert_true(b.x1 - b.x0 + 1 >= (int)(0.7f * size));
    assert_true(b.y1 - b.y0 + 1 >= (int)(0.7f * size));

    /* It is not the box of a missing character. */
    RasterTarget box;
    target_white(&box, 260, 60);
    text_draw(tr, &box, "\xf4\x8f\xbf\xbd", size, 10, 45, TEXT_LEFT, 0, 0, 0, 1);
    assert_memory_not_equal(box.rgb, t.rgb, (size_t)t.w * (size_t)t.h * 3);
    raster_target_free(&box);

    /* 学习率太大: five ideographs, five ems; the line is as tall as the CJK
     * font needs, at least the main font's. */
    float w, asc, desc;
    const char *title = "\xe5\xad\xa6\xe4\xb9\xa0\xe7\x8e\x87\xe5\xa4\xaa\xe5\xa4\xa7";
    text_measure(tr, title, size, &w, &asc, &desc);
    assert_float_equal(w, 5 * size, 0.5f * size);
    assert_true(asc >= 1901.0f / 2048 * size - 1e-3f);
    Box tb = draw_black(tr, &t, title, size, 10, 45, TEXT_LEFT, &adv);
    assert_true(adv == w);
    assert_true(tb.count > 5 * 60);
    assert_true(tb.x1 - tb.x0 + 1 >= (int)(4.5f * size));
    /* Mixed with Latin, and again (now from the caches): same width. */
    float m1, m2, lat, cjk;
    text_measure(tr, "lr \xe5\xad\xa6", size, &m1, NULL, NULL);
    text_measure(tr, "lr \xe5\xad\xa6", size, &m2, NULL, NULL);
    text_measure(tr, "lr ", size, &lat, NULL, NULL);
    text_measure(tr, "\xe5\xad\xa6", size, &cjk, NULL, NULL);
    assert_true(m1 == m2);
    assert_float_equal(m1, lat + cjk, 1e-3);
    text_destroy(tr);
    raster_target_free(&t);
}

static void test_missing_glyph_box(void **state) {
    (void)state;
    /* A private-use codepoint no installed font covers. */
    static const struct {
        uint32_t cp;
        const char *utf8;
    } cands[] = {
        {0x10FFFD, "\xf4\x8f\xbf\xbd"}, {0xFFFFD, "\xf3\xbf\xbf\xbd"}, {0xE000, "\xee\x80\x80"}};
    const char *s = NULL;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0] && s == NULL; i++)
        if (!fontconfig_has(cands[i].cp))
            s = cands[i].utf8;
    if (s == NULL) {
        skip(); /* every candidate is covered by some installed font */
        return;
    }
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 60, 50);
    float adv;
    Box b = draw_black(tr, &t, s, 24, 10, 36, TEXT_LEFT, &adv);
    assert_true(adv > 0.3f * 24);
    assert_true(b.count > 30);
    /* A box: ink on its outline, none in its middle. */
    assert_true(b.x1 - b.x0 + 1 >= 6 && b.y1 - b.y0 + 1 >= 10);
    assert_false(is_dark(&t, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2));
    assert_true(is_dark(&t, b.x0, (b.y0 + b.y1) / 2));
    assert_true(is_dark(&t, b.x1, (b.y0 + b.y1) / 2));
    /* Twice in a row: twice the width. */
    char two[16];
    snprintf(two, sizeof two, "%s%s", s, s);
    float w2;
    text_measure(tr, two, 24, &w2, NULL, NULL);
    assert_float_equal(w2, 2 * adv, 1e-3);
    text_destroy(tr);
    raster_target_free(&t);
}

/* The first installed font file of a family, malloc'd, or NULL. */
static char *fontconfig_family_file(const char *family) {
    FcPattern *pat = FcPatternCreate();
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcPatternAddString(pat, FC_STYLE, (const FcChar8 *)"Regular");
    FcPatternAddString(pat, FC_FONTFORMAT, (const FcChar8 *)"CFF");
    FcObjectSet *os = FcObjectSetBuild(FC_FILE, (char *)NULL);
    FcFontSet *set = FcFontList(NULL, pat, os);
    char *file = NULL;
    FcChar8 *f;
    if (set && set->nfont > 0 && FcPatternGetString(set->fonts[0], FC_FILE, 0, &f) == FcResultMatch)
        file = strdup((const char *)f);
    if (set)
        FcFontSetDestroy(set);
    FcObjectSetDestroy(os);
    FcPatternDestroy(pat);
    return file;
}

/* A main font whose .notdef glyph is blank (the URW fonts' CFF .notdef has
 * no outline) still draws a box for a character no font has. */
static void test_drawn_box_for_blank_notdef(void **state) {
    (void)state;
    if (fontconfig_has(0x10FFFD)) {
        skip();
        return;
    }
    char *file = fontconfig_family_file("Nimbus Sans");
    if (file == NULL) {
        skip(); /* fonts-urw-base35 not installed */
        return;
    }
    GdError err;
    TextRenderer *tr = text_create(file, &err);
    free(file);
    assert_non_null(tr);
    RasterTarget t;
    target_white(&t, 60, 50);
    float adv;
    Box b = draw_black(tr, &t, "\xf4\x8f\xbf\xbd", 24, 10, 36, TEXT_LEFT, &adv);
    /* 0.5 em x 0.7 em on the baseline, 0.1 em from the origin, 2 px lines. */
    assert_int_equal(b.x0, 10 + 2);
    assert_int_equal(b.x1, 10 + 2 + 12 - 1);
    assert_int_equal(b.y1, 35);
    assert_int_equal(b.y0, 36 - 17);
    assert_int_equal(b.count, 2 * (12 * 2) + 2 * (17 - 4) * 2);
    assert_true(adv >= 12 + 2 * 2);
    text_destroy(tr);
    raster_target_free(&t);
}

/* An invalid string must draw exactly what its U+FFFD replacement draws. */
static void expect_same_drawing(TextRenderer *tr, const char *bad, const char *good) {
    RasterTarget a, b;
    target_white(&a, 120, 40);
    target_white(&b, 120, 40);
    float wa = text_draw(tr, &a, bad, 20, 5, 30, TEXT_LEFT, 0, 0, 0, 1);
    float wb = text_draw(tr, &b, good, 20, 5, 30, TEXT_LEFT, 0, 0, 0, 1);
    assert_true(wa == wb);
    assert_true(ink_box(&a).count > 20);
    assert_memory_equal(a.rgb, b.rgb, (size_t)a.w * (size_t)a.h * 3);
    raster_target_free(&a);
    raster_target_free(&b);
}

static void test_invalid_utf8_draws(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
#define FFFD "\xef\xbf\xbd"
    expect_same_drawing(tr, "\xff\xfe", FFFD FFFD);
    expect_same_drawing(tr, "\xe5\xad", FFFD);
    expect_same_drawing(tr, "\xc0\xaf", FFFD FFFD);
    expect_same_drawing(tr, "x\xed\xa0\x80y", "x" FFFD FFFD FFFD "y");
#undef FFFD
    text_destroy(tr);
}

static void test_measure_matches_draw(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 320, 60);
    const char *strs[] = {"Hello",
                          "loss = 0.0123",
                          "\xce\xb8 \xe2\x86\x92 \xce\xb1",
                          "step 12 \xe5\xad\xa6\xe4\xb9\xa0",
                          ("a\xff"
                           "b"),
                          ""};
    const float sizes[] = {9.5f, 14, 24, 37.25f};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
            for (int align = TEXT_LEFT; align <= TEXT_RIGHT; align++) {
                float w;
                text_measure(tr, strs[i], sizes[k], &w, NULL, NULL);
                float d = text_draw(tr, &t, strs[i], sizes[k], 160, 40, align, 0, 0, 0, 1);
                assert_true(w == d);
            }
    text_destroy(tr);
    raster_target_free(&t);
}

static void test_odd_input(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    RasterTarget t;
    target_white(&t, 64, 48);
    float w = -1, a = -1, d = -1;
    /* Nothing to draw: no ink, zero width. */
    assert_true(text_draw(tr, &t, NULL, 20, 10, 30, TEXT_LEFT, 0, 0, 0, 1) == 0);
    assert_true(text_draw(tr, &t, "Hi", 0, 10, 30, TEXT_LEFT, 0, 0, 0, 1) == 0);
    assert_true(text_draw(tr, &t, "Hi", -5, 10, 30, TEXT_LEFT, 0, 0, 0, 1) == 0);
    assert_true(text_draw(tr, &t, "Hi", NAN, 10, 30, TEXT_LEFT, 0, 0, 0, 1) == 0);
    text_measure(tr, "Hi", NAN, &w, &a, &d);
    assert_true(w == 0 && a == 0 && d == 0);
    assert_true(target_is_white(&t));
    /* Far away or NaN positions: measured, not drawn. */
    float hi;
    text_measure(tr, "Hi", 20, &hi, NULL, NULL);
    assert_true(text_draw(tr, &t, "Hi", 20, NAN, 30, TEXT_LEFT, 0, 0, 0, 1) == hi);
    assert_true(text_draw(tr, &t, "Hi", 20, 10, INFINITY, TEXT_LEFT, 0, 0, 0, 1) == hi);
    assert_true(text_draw(tr, &t, "Hi", 20, 1e30f, 30, TEXT_LEFT, 0, 0, 0, 1) == hi);
    assert_true(text_draw(tr, &t, "Hi", 20, -1e30f, 30, TEXT_RIGHT, 0, 0, 0, 1) == hi);
    assert_true(target_is_white(&t));
    /* Partly off the target on every side: clipped, some ink remains. */
    text_draw(tr, &t, "Hello", 40, -20, 20, TEXT_LEFT, 0, 0, 0, 1);
    text_draw(tr, &t, "Hello", 40, 50, 60, TEXT_LEFT, 0, 0, 0, 1);
    assert_true(ink_box(&t).count > 10);
    /* Huge sizes are clamped, not refused. */
    float big, clamp;
    text_measure(tr, "i", 5000, &big, NULL, NULL);
    text_measure(tr, "i", 1024, &clamp, NULL, NULL);
    assert_true(big == clamp);
    /* Control characters take no space. */
    float ab, actl;
    text_measure(tr, "ab", 20, &ab, NULL, NULL);
    text_measure(tr,
                 "a\n\t\r\x7f"
                 "b",
                 20, &actl, NULL, NULL);
    assert_true(ab == actl);
    text_destroy(tr);
    raster_target_free(&t);
}

/* Two renderers on two threads draw the same pixels: the fallback choice does
 * not depend on what a renderer drew before. */
typedef struct ThreadJob {
    const char *warmup;
    RasterTarget t;
    int ok;
} ThreadJob;

/* ---- shaping (HarfBuzz) ---- */

#define MAXG 64

static int glyphs_of(TextRenderer *tr, const char *s, float size, TextGlyph *g) {
    int n = text_glyphs(tr, s, size, g, MAXG);
    assert_true(n <= MAXG);
    return n;
}

/* Kerning: "AV" is narrower than A and V side by side, and V's glyph
 * starts before A's advance ends; measuring and drawing agree. */
static void test_shape_kerning(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    TextGlyph g[MAXG];
    float a, v, av;
    text_measure(tr, "A", 40, &a, NULL, NULL);
    text_measure(tr, "V", 40, &v, NULL, NULL);
    text_measure(tr, "AV", 40, &av, NULL, NULL);
    assert_true(av < a + v - 1.0f);
    assert_int_equal(glyphs_of(tr, "AV", 40, g), 2);
    assert_float_equal(g[0].x, 0, 1e-6);
    assert_true(g[1].x < a - 1.0f);
    assert_float_equal(g[1].x + g[1].advance, av, 1e-3);
    RasterTarget t;
    target_white(&t, 200, 60);
    float adv = text_draw(tr, &t, "AV", 40, 10, 45, TEXT_LEFT, 0, 0, 0, 1);
    assert_true(adv == av);
    text_destroy(tr);
    raster_target_free(&t);
}

/* Ligatures: where the font has them, "fi" and "ffi" are fewer glyphs
 * than characters, and each glyph's cluster is its first character. */
static void test_shape_ligatures(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    TextGlyph g[MAXG];
    /* DejaVu Sans ligates "fi", "fl" and "ffi" (U+FB01, U+FB02, U+FB03):
     * one glyph each, each another glyph, from the first character on. */
    assert_int_equal(glyphs_of(tr, "fi", 30, g), 1);
    unsigned fi = g[0].gid;
    assert_int_equal(glyphs_of(tr, "fl", 30, g), 1);
    unsigned fl = g[0].gid;
    assert_int_equal(glyphs_of(tr, "ffi", 30, g), 1);
    unsigned ffi = g[0].gid;
    assert_true(fi != fl && fi != ffi && fl != ffi);
    /* "office": o, ffi, c, e; the c's glyph belongs to byte 4. */
    assert_int_equal(glyphs_of(tr, "office", 30, g), 4);
    assert_int_equal(g[1].gid, ffi);
    assert_int_equal(g[1].cluster, 1);
    assert_int_equal(g[2].cluster, 4);
    /* No ligature where the letters are apart. */
    assert_int_equal(glyphs_of(tr, "f i", 30, g), 3);
    text_destroy(tr);
}

/* A combining mark: "e" + U+0301 takes one advance, as "é" does, and its
 * ink sits above the e's, not after it. */
static void test_shape_combining_mark(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    float e, ecomb, eacute;
    text_measure(tr, "e", 40, &e, NULL, NULL);
    text_measure(tr, "e\xcc\x81", 40, &ecomb, NULL, NULL);
    text_measure(tr, "\xc3\xa9", 40, &eacute, NULL, NULL);
    assert_float_equal(ecomb, e, 1e-3);
    assert_float_equal(eacute, e, 1e-3);
    /* A mark the font must position itself: e + U+0323 (dot below) +
     * U+0301; still one advance. */
    float e2;
    text_measure(tr, "e\xcc\xa3\xcc\x81", 40, &e2, NULL, NULL);
    assert_float_equal(e2, e, 1e-3);
    RasterTarget t;
    target_white(&t, 120, 80);
    Box b = draw_black(tr, &t, "e\xcc\x81", 40, 20, 60, TEXT_LEFT, NULL);
    Box be = draw_black(tr, &t, "e", 40, 20, 60, TEXT_LEFT, NULL);
    assert_true(b.y0 < be.y0 - 5); /* the acute above */
    assert_true(b.x1 <= (int)ceilf(20 + e) + 1);
    text_destroy(tr);
    raster_target_free(&t);
}

/* Right to left: the first character's glyph is the rightmost, in Hebrew
 * and in (joined) Arabic, alone and inside a left-to-right line; digits in
 * a right-to-left line stay left to right. */
static void test_shape_rtl(void **state) {
    (void)state;
    TextRenderer *tr = open_default();
    TextGlyph g[MAXG];
    /* שלום: shin, lamed, vav, final mem. */
    const char *shalom = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d";
    int n = glyphs_of(tr, shalom, 30, g);
    assert_int_equal(n, 4);
    for (int i = 0; i < n; i++)
        assert_int_equal(g[i].cluster, (unsigned)(2 * (n - 1 - i)));
    for (int i = 1; i < n; i++)
        assert_true(g[i].x > g[i - 1].x);
    /* سلام: seen, lam, alef, meem; lam-alef may ligate. */
    const char *salaam = "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85";
    n = glyphs_of(tr, salaam, 30, g);
    assert_true(n >= 3 && n <= 4);
    assert_int_equal(g[n - 1].cluster, 0); /* seen: rightmost */
    assert_int_equal(g[0].cluster, 6);     /* meem: leftmost */
    /* Joined: the initial seen is not the isolated form. */
    TextGlyph iso[MAXG];
    assert_int_equal(glyphs_of(tr, "\xd8\xb3", 30, iso), 1);
    assert_true(g[n - 1].gid != iso[0].gid);
    /* In a left-to-right line: "ab שלום cd" keeps a, b first and c, d
     * last, with the Hebrew word reversed between them. */
    char mixed[64];
    snprintf(mixed, sizeof mixed, "ab %s cd", shalom);
    n = glyphs_of(tr, mixed, 30, g);
    assert_int_equal(n, 10);
    assert_int_equal(g[0].cluster, 0);
    assert_int_equal(g[1].cluster, 1);
    assert_int_equal(g[3].cluster, 3 + 6); /* final mem, leftmost of the word */
    assert_int_equal(g[6].cluster, 3);     /* shin, rightmost */
    assert_int_equal(g[9].cluster, 11 + 2);
    /* A right-to-left line with a number: "שלום 12": the number is to the
     * left of the word and reads 1, 2. */
    snprintf(mixed, sizeof mixed, "%s 12", shalom);
    n = glyphs_of(tr, mixed, 30, g);
    assert_int_equal(n, 7);
    assert_int_equal(g[0].cluster, 9);  /* '1' */
    assert_int_equal(g[1].cluster, 10); /* '2' */
    assert_int_equal(g[6].cluster, 0);  /* shin, rightmost */
    /* Measured and drawn alike. */
    float w;
    text_measure(tr, mixed, 30, &w, NULL, NULL);
    assert_float_equal(g[n - 1].x + g[n - 1].advance, w, 1e-3);
    text_destroy(tr);
}

/* Devanagari conjuncts: क्ष (ka, virama, ssa) is one glyph, and नमस्ते
 * has fewer glyphs than codepoints; the fallback font draws the whole
 * run. Needs an installed Devanagari font (fonts-lohit-deva). */
static void test_shape_devanagari(void **state) {
    (void)state;
    if (!fontconfig_has(0x0915)) {
        fprintf(stderr, "test_shape_devanagari: no Devanagari font installed "
                        "(apt-get install fonts-lohit-deva): skipped\n");
        skip();
        return;
    }
    TextRenderer *tr = open_default();
    TextGlyph g[MAXG];
    int n = glyphs_of(tr, "\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xb7", 30, g);
    assert_true(n < 3);
    /* नमस्ते: na, ma, sa, virama, ta, vowel sign e: 6 codepoints. */
    const char *namaste =
        "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87";
    n = glyphs_of(tr, namaste, 30, g);
    assert_true(n < 6);
    for (int i = 0; i < n; i++)
        assert_int_equal(g[i].face, g[0].face);
    assert_true(g[0].face > 0); /* not DejaVu */
    float w;
    text_measure(tr, namaste, 30, &w, NULL, NULL);
    assert_true(w > 0);
    /* Next to Latin: "x नमस्ते" is the Latin x then the same glyphs. */
    TextGlyph h[MAXG];
    int m = glyphs_of(
        tr, "x \xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87", 30, h);
    assert_int_equal(m, n + 2);
    for (int i = 0; i < n; i++)
        assert_int_equal(h[i + 2].gid, g[i].gid);
    text_destroy(tr);
}

static void *thread_draw(void *arg) {
    ThreadJob *job = arg;
    GdError err;
    TextRenderer *tr = text_create(text_default_font(), &err);
    if (tr == NULL)
        return NULL;
    text_draw(tr, &job->t, job->warmup, 18, 0, 20, TEXT_LEFT, 0, 0, 0, 1);
    raster_clear(&job->t, 255, 255, 255);
    text_draw(tr, &job->t, "gd \xce\xb1=0.1 \xe5\xad\xa6 \xd0\xaf", 18, 4, 30, TEXT_LEFT, 0, 0, 0,
              1);
    text_destroy(tr);
    job->ok = 1;
    return NULL;
}

static void test_threads_same_pixels(void **state) {
    (void)state;
    ThreadJob jobs[2] = {{"\xe5\xa4\xa7\xe5\xa4\xaa \xf4\x8f\xbf\xbd", {0}, 0}, {"", {0}, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        target_white(&jobs[i].t, 160, 40);
        assert_int_equal(pthread_create(&th[i], NULL, thread_draw, &jobs[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_true(jobs[0].ok && jobs[1].ok);
    assert_true(ink_box(&jobs[0].t).count > 50);
    assert_memory_equal(jobs[0].t.rgb, jobs[1].t.rgb, 160 * 40 * 3);
    raster_target_free(&jobs[0].t);
    raster_target_free(&jobs[1].t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_font),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_hello_box),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_glyph_l),
        cmocka_unit_test(test_glyph_hyphen),
        cmocka_unit_test(test_colour_alpha),
        cmocka_unit_test(test_cjk_fallback),
        cmocka_unit_test(test_missing_glyph_box),
        cmocka_unit_test(test_drawn_box_for_blank_notdef),
        cmocka_unit_test(test_invalid_utf8_draws),
        cmocka_unit_test(test_measure_matches_draw),
        cmocka_unit_test(test_odd_input),
        cmocka_unit_test(test_threads_same_pixels),
        cmocka_unit_test(test_shape_kerning),
        cmocka_unit_test(test_shape_ligatures),
        cmocka_unit_test(test_shape_combining_mark),
        cmocka_unit_test(test_shape_rtl),
        cmocka_unit_test(test_shape_devanagari),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
