/*
 * utf8.c — UTF-8 decoding and validation with one decoder (see utf8.h).
 *
 * Pipeline place: base, below every stage; used by config/ (validation)
 * and draw/text.c (decoding). Depends on nothing but the C library.
 */
#include "base/utf8.h"

/* ---- internal ------------------------------------------------------------ */

/* Decodes the sequence at s[0..avail), avail >= 1. Returns the bytes taken
 * and sets *cp; an ill-formed sequence sets *cp = U+FFFD, *ok = 0 and takes
 * its maximal valid prefix (at least 1 byte). Reads s[i] only after s[i-1]
 * was a lead or continuation byte, so a NUL-terminated string with avail = 4
 * is never read past its NUL. */
static int decode(const unsigned char *s, size_t avail, uint32_t *cp, int *ok) {
    unsigned b0 = s[0];
    *ok = 1;
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    /* Unicode Table 3-7: the lead byte fixes the length and the range of
     * the second byte, which is what excludes overlong forms, surrogates
     * and values above U+10FFFF. */
    int len;
    unsigned lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        v = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        v = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        v = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        *cp = UTF8_REPLACEMENT;
        *ok = 0;
        return 1;
    }
    for (int i = 1; i < len; i++) {
        /* A NUL fails the range test, so a C string is never read past. */
        unsigned b = (size_t)i < avail ? s[i] : 0;
        if (b < lo || b > hi) {
            *cp = UTF8_REPLACEMENT;
            *ok = 0;
            return i;
        }
        v = (v << 6) | (b & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return len;
}

/* ---- module functions ---------------------------------------------------- */

int utf8_next(const char *s, uint32_t *cp) {
    if (s[0] == '\0') {
        *cp = 0;
        return 0;
    }
    int ok;
    return decode((const unsigned char *)s, 4, cp, &ok);
}

int utf8_is_valid(const char *s, size_t len, size_t *bad_at) {
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        int ok;
        int n = decode((const unsigned char *)s + i, len - i, &cp, &ok);
        if (!ok) {
            if (bad_at)
                *bad_at = i;
            return 0;
        }
        i += (size_t)n;
    }
    return 1;
}
