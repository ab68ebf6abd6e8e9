/*
 * values.c — the value syntax of a config (see values.h).
 *
 * Pipeline place: first stage (config), at its bottom: pure functions from a
 * value's text to a typed value or a GdError, used by config/ini.c and
 * config/sections.c. Depends on model/data (data_parse_number), base/files
 * (input paths are opened as the readers will) and the C library.
 */
#include "config/values.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "model/data.h"

/* ---- character classes --------------------------------------------------- */

int value_is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

const char *value_skip_space(const char *s) {
    while (value_is_space(*s))
        s++;
    return s;
}

char *value_trim(char *s) {
    s = (char *)value_skip_space(s);
    size_t n = strlen(s);
    while (n > 0 && value_is_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int value_is_ident_char(char c) {
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

int value_is_ident(const char *s) {
    if (!is_ident_start(*s))
        return 0;
    while (*s && value_is_ident_char(*s))
        s++;
    return *s == '\0';
}

int value_is_run_name(const char *s) {
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!(value_is_ident_char(*s) || c == '-' || c == '.' || c >= 0x80))
            return 0;
    }
    return 1;
}

int value_is_integer(const char *s, long long *out) {
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!(*p >= '0' && *p <= '9'))
        return 0;
    long long v = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        v = v > 100000000000000000LL ? 1000000000000000000LL : v * 10 + (*p - '0');
    if (*p)
        return 0;
    *out = neg ? -v : v;
    return 1;
}

/* ---- numbers ----------------------------------------------------------------- */

int value_parse_number(const char *text, double *out, GdError *err) {
    int rc = data_parse_number(text, out);
    if (rc == DATA_NUMBER_SYNTAX)
        return gd_error(err, GD_ERR_INPUT, "expected a number, got \"%s\"", text);
    if (rc == DATA_NUMBER_NOT_FINITE)
        return gd_error(err, GD_ERR_INPUT, "expected a finite number, got \"%s\"", text);
    return 0;
}

int value_parse_integer(const char *text, long long *out, GdError *err) {
    if (!value_is_integer(text, out))
        return gd_error(err, GD_ERR_INPUT, "expected an integer, got \"%s\"", text);
    return 0;
}

int value_parse_int_range(const char *text, int lo, int hi, int *out, GdError *err) {
    long long v = 0;
    if (value_parse_integer(text, &v, err))
        return GD_ERR_INPUT;
    if (v < lo || v > hi)
        return gd_error(err, GD_ERR_INPUT, "must be an integer from %d to %d, got %s", lo, hi,
                        text);
    *out = (int)v;
    return 0;
}

int value_parse_range(const char *text, double lo, int lo_open, double hi, int hi_open, double *out,
                      GdError *err) {
    if (value_parse_number(text, out, err))
        return GD_ERR_INPUT;
    double v = *out;
    int ok = (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    if (ok)
        return 0;
    if (lo_open && hi == INFINITY)
        return gd_error(err, GD_ERR_INPUT, "must be greater than %g, got %s", lo, text);
    if (hi == INFINITY)
        return gd_error(err, GD_ERR_INPUT, "must be at least %g, got %s", lo, text);
    if (lo_open)
        return gd_error(err, GD_ERR_INPUT, "must be greater than %g and at most %g, got %s", lo, hi,
                        text);
    if (hi_open)
        return gd_error(err, GD_ERR_INPUT, "must be at least %g and less than %g, got %s", lo, hi,
                        text);
    return gd_error(err, GD_ERR_INPUT, "must be from %g to %g, got %s", lo, hi, text);
}

int value_parse_seed(const char *text, unsigned long long *out, GdError *err) {
    const char *p = text;
    if (*p == '+')
        p++;
    unsigned long long v = 0;
    int ok = *p != '\0';
    for (; ok && *p; p++) {
        if (!(*p >= '0' && *p <= '9') || v > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
            ok = 0;
        else
            v = v * 10 + (unsigned)(*p - '0');
    }
    if (!ok)
        return gd_error(err, GD_ERR_INPUT, "expected an integer from 0 to %llu, got \"%s\"",
                        ULLONG_MAX, text);
    *out = v;
    return 0;
}

/* ---- words ------------------------------------------------------------------- */

/* "one of a, b, c" / "a or b" / "a". */
static void describe_choices(const char *const *names, int n, char *buf, size_t size) {
    size_t o = (size_t)snprintf(buf, size, "%s", n > 2 ? "one of " : "");
    for (int i = 0; i < n && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i == 0 ? "" : (n > 2 ? ", " : " or "),
                              names[i]);
}

int value_parse_choice(const char *text, const char *const *names, int n, int *out, GdError *err) {
    for (int i = 0; i < n; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return 0;
        }
    char choices[512];
    describe_choices(names, n, choices, sizeof choices);
    return gd_error(err, GD_ERR_INPUT, "expected %s, got \"%s\"", choices, text);
}

int value_parse_bool(const char *text, int *out, GdError *err) {
    static const char *const names[] = {"no", "yes", "false", "true", "off", "on", "0", "1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (int)(i % 2);
            return 0;
        }
    return gd_error(err, GD_ERR_INPUT, "expected yes or no, got \"%s\"", text);
}

/* The value of a hex digit; -1 for any other character. */
static int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int value_parse_color(const char *text, Rgb *out, GdError *err) {
    const char *v = text;
    int ok = v[0] == '#' && strlen(v) == 7;
    for (int i = 1; ok && i < 7; i++)
        ok = hex_digit(v[i]) >= 0;
    if (!ok)
        return gd_error(err, GD_ERR_INPUT, "expected a color #rrggbb, got \"%s\"", v);
    out->r = (unsigned char)(hex_digit(v[1]) * 16 + hex_digit(v[2]));
    out->g = (unsigned char)(hex_digit(v[3]) * 16 + hex_digit(v[4]));
    out->b = (unsigned char)(hex_digit(v[5]) * 16 + hex_digit(v[6]));
    return 0;
}

/* ---- text and paths ---------------------------------------------------------- */

int value_copy_text(const char *text, char *out, size_t size, GdError *err) {
    if (strlen(text) >= size)
        return gd_error(err, GD_ERR_INPUT, "too long (more than %d bytes)", (int)size - 1);
    memcpy(out, text, strlen(text) + 1);
    return 0;
}

int value_resolve_path(const char *dir, const char *text, char *out, size_t size, GdError *err) {
    int n;
    if (text[0] == '/' || strcmp(dir, ".") == 0)
        n = snprintf(out, size, "%s", text);
    else
        n = snprintf(out, size, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", text);
    if (n < 0 || (size_t)n >= size)
        return gd_error(err, GD_ERR_INPUT, "path too long (more than %d bytes)", (int)size - 1);
    return 0;
}

int value_resolve_input_path(const char *dir, const char *text, char *out, size_t size,
                             GdError *err) {
    if (value_resolve_path(dir, text, out, size, err))
        return GD_ERR_INPUT;
    struct stat st;
    const char *why;
    int fd = files_open_input(out, &st, &why);
    if (fd < 0)
        return gd_error(err, GD_ERR_INPUT, "cannot open \"%s\": %s", text, why);
    close(fd);
    return 0;
}

/* ---- lists and calls ----------------------------------------------------------- */

int value_split_list(const char *text, ValueList *list, GdError *err) {
    snprintf(list->buf, sizeof list->buf, "%s", text);
    list->n = 0;
    char *p = list->buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *item = value_trim(p);
        if (*item == '\0')
            return gd_error(err, GD_ERR_INPUT, "empty item in list \"%s\"", text);
        if (list->n < VALUE_MAX_LIST)
            list->items[list->n] = item;
        list->n++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int value_parse_numbers(const char *text, int count, const char *names, double *out, GdError *err) {
    ValueList list;
    if (value_split_list(text, &list, err))
        return GD_ERR_INPUT;
    if (list.n != count)
        return gd_error(err, GD_ERR_INPUT, "expected %d values (%s), got %d", count, names, list.n);
    for (int i = 0; i < list.n; i++)
        if (value_parse_number(list.items[i], &out[i], err))
            return GD_ERR_INPUT;
    return 0;
}

int value_parse_call(const char *text, const char *name, int count, const char *usage,
                     ValueList *args, int *matched, GdError *err) {
    size_t k = strlen(name);
    *matched = strncmp(text, name, k) == 0;
    if (!*matched)
        return 0;
    const char *p = value_skip_space(text + k);
    size_t len = strlen(p);
    int n = -1;
    if (*p == '(' && len >= 2 && p[len - 1] == ')') {
        char inner[1024];
        snprintf(inner, sizeof inner, "%.*s", (int)(len - 2), p + 1);
        if (value_split_list(inner, args, err))
            return GD_ERR_INPUT;
        n = args->n;
    }
    if (n != count)
        return gd_error(err, GD_ERR_INPUT, "expected %s, got \"%s\"", usage, text);
    return 0;
}
