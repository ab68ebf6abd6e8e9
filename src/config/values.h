/*
 * values.h — the value syntax of a config: numbers, integers, seeds, ranges,
 * booleans, colours, choices, lists, calls such as normal(0, 1), text and
 * paths, plus the character classes of names.
 *
 * Pipeline place: first stage (config), at its bottom. config/ini.c uses the
 * character classes while reading lines; config/sections.c parses every
 * value with these. Private to src/config/. Depends on base/error,
 * model/data (the decimal number syntax) and config.h (Rgb).
 *
 * Each parser is a pure function of the value's text. It returns 0, or
 * GD_ERR_INPUT with err->msg saying what is wrong with the value alone, e.g.
 *   expected a number, got "fast"
 *   must be an integer from 1 to 240, got 0
 * and the caller puts where the value came from in front
 * ("FILE:LINE: [run good] lr: "). None of them allocates. Callers check for
 * an empty value ("no value given") themselves where that matters.
 */
#ifndef GD_CONFIG_VALUES_H
#define GD_CONFIG_VALUES_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"

/* Items kept from one comma-separated value (more are counted, not kept). */
#define VALUE_MAX_LIST GD_MAX_PARAMS

/* A comma-separated value split into trimmed items. Only the first 4095
 * bytes of the value (a config line's limit) are looked at. */
typedef struct ValueList {
    char buf[4096];              /* the copy the items point into */
    char *items[VALUE_MAX_LIST]; /* the first VALUE_MAX_LIST items */
    int n;                       /* number of items in all */
} ValueList;

/* ---- character classes --------------------------------------------------- */

/* 1 for ' ', \t, \r, \n, \v, \f (ASCII only, whatever the locale). */
int value_is_space(char c);

/* s past its leading spaces. */
const char *value_skip_space(const char *s);

/* Trims s in place; returns the start of the trimmed text. */
char *value_trim(char *s);

/* 1 for a letter, digit or _ (ASCII). */
int value_is_ident_char(char c);

/* 1 if s is an identifier: a letter or _, then letters, digits and _. */
int value_is_ident(const char *s);

/* 1 if s is a run name: not empty; letters, digits, _ - . and any
 * non-ASCII (UTF-8) byte. */
int value_is_run_name(const char *s);

/* 1 if the whole of s is integer syntax (an optional sign and digits); then
 * *out is its value, saturated at +-1e18 (which every range check then
 * rejects). 0 otherwise, *out untouched. */
int value_is_integer(const char *s, long long *out);

/* ---- parsers --------------------------------------------------------------- */

/* A decimal number (see data_parse_number).
 *   expected a number, got "TEXT"
 *   expected a finite number, got "TEXT"   (e.g. 1e999) */
int value_parse_number(const char *text, double *out, GdError *err);

/* Integer syntax, any size (saturated as value_is_integer).
 *   expected an integer, got "TEXT" */
int value_parse_integer(const char *text, long long *out, GdError *err);

/* An integer from lo to hi.
 *   expected an integer, got "TEXT"
 *   must be an integer from LO to HI, got TEXT */
int value_parse_int_range(const char *text, int lo, int hi, int *out, GdError *err);

/* A number in [lo, hi] ((lo, ... when lo_open, ..., hi) when hi_open; hi may
 * be INFINITY). The number's own errors as value_parse_number, then one of
 *   must be greater than LO, got TEXT              (lo_open, hi = inf)
 *   must be at least LO, got TEXT                  (hi = inf)
 *   must be greater than LO and at most HI, got TEXT
 *   must be at least LO and less than HI, got TEXT
 *   must be from LO to HI, got TEXT
 * with LO and HI printed %g. *out is set whenever the text is a number. */
int value_parse_range(const char *text, double lo, int lo_open, double hi, int hi_open, double *out,
                      GdError *err);

/* A seed: an optional + and digits, 0 to ULLONG_MAX.
 *   expected an integer from 0 to 18446744073709551615, got "TEXT" */
int value_parse_seed(const char *text, unsigned long long *out, GdError *err);

/* One of names[0..n-1] (case-sensitive); *out is its index.
 *   expected one of a, b, c, got "TEXT"   (n > 2)
 *   expected a or b, got "TEXT"           (n = 2)
 *   expected a, got "TEXT"                (n = 1) */
int value_parse_choice(const char *text, const char *const *names, int n, int *out, GdError *err);

/* yes/no, true/false, on/off, 1/0; *out is 1 or 0.
 *   expected yes or no, got "TEXT" */
int value_parse_bool(const char *text, int *out, GdError *err);

/* #rrggbb (hex digits in either case).
 *   expected a color #rrggbb, got "TEXT" */
int value_parse_color(const char *text, Rgb *out, GdError *err);

/* Copies text into out[size].
 *   too long (more than SIZE-1 bytes) */
int value_copy_text(const char *text, char *out, size_t size, GdError *err);

/* text as a path relative to dir (the config file's folder; "." for the
 * working directory), into out[size]; an absolute text stays as it is.
 *   path too long (more than SIZE-1 bytes) */
int value_resolve_path(const char *dir, const char *text, char *out, size_t size, GdError *err);

/* value_resolve_path, and the file must be a readable regular file now
 * (base/files: opened without blocking, so a named pipe is refused).
 *   cannot open "TEXT": STRERROR
 *   cannot open "TEXT": not a regular file (a named pipe) */
int value_resolve_input_path(const char *dir, const char *text, char *out, size_t size,
                             GdError *err);

/* Splits text at commas into trimmed items (see ValueList).
 *   empty item in list "TEXT" */
int value_split_list(const char *text, ValueList *list, GdError *err);

/* Exactly count comma-separated numbers into out[0..count-1]; names
 * describes them for the message, e.g. "a, b" or "lo, hi".
 *   expected COUNT values (NAMES), got N
 * and the errors of value_split_list and value_parse_number. */
int value_parse_numbers(const char *text, int count, const char *names, double *out, GdError *err);

/* A call "name(arg, ..., arg)" with count arguments. When text does not
 * start with name, *matched = 0 and it returns 0 (the value is something
 * else). Otherwise *matched = 1 and args holds the arguments, or
 *   expected USAGE, got "TEXT"
 * and the errors of value_split_list (about the text inside the brackets). */
int value_parse_call(const char *text, const char *name, int count, const char *usage,
                     ValueList *args, int *matched, GdError *err);

#endif
