/*
 * utf8.h — the one UTF-8 rule: decoding for the text renderer, validation
 * for the config reader.
 *
 * Pipeline place: base, below every stage. Used by config/ini.c (a config
 * and every --set override must be valid UTF-8) and draw/text.c (decoding
 * titles and labels). Depends on nothing but the C library.
 *
 * Well-formed means Unicode Table 3-7: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences. Both
 * functions apply the same rule, so what the config accepts is exactly what
 * the renderer draws without U+FFFD.
 */
#ifndef GD_UTF8_H
#define GD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* What an ill-formed sequence decodes to. */
#define UTF8_REPLACEMENT 0xFFFDu

/* Decodes the UTF-8 sequence at the NUL-terminated s into *cp and returns
 * the number of bytes it took (0 at the terminating NUL, then *cp = 0). An
 * ill-formed sequence (a stray or invalid byte, an overlong form, a
 * surrogate, a value above U+10FFFF, a truncated sequence) gives U+FFFD and
 * consumes its maximal valid prefix (at least 1 byte), as Unicode
 * recommends: one U+FFFD per bad sequence. Never reads past the NUL. */
int utf8_next(const char *s, uint32_t *cp);

/* Whether s[0..len) is well-formed UTF-8 (NUL bytes count as characters;
 * len need not end at a NUL). Returns 1 if it is; otherwise returns 0 and
 * sets *bad_at (when not NULL) to the offset of the first byte of the first
 * ill-formed sequence, e.g. 1 for "a\xe5\xad" (truncated) and 0 for
 * "\xc0\xaf" (overlong). */
int utf8_is_valid(const char *s, size_t len, size_t *bad_at);

#endif
