/*
 * error.h — errors as values.
 *
 * Every stage that can fail returns a status (0 = ok) and fills a GdError.
 * Only main.c prints ("gdrender: " + message) and exits with err.code.
 * Messages are one line, without the "gdrender: " prefix and without a
 * trailing newline, e.g. "configs/x.ini:12: [run good] lr: expected a number, got \"fast\"".
 */
#ifndef GD_ERROR_H
#define GD_ERROR_H

#include <stddef.h>

enum {
    GD_OK = 0,
    GD_ERR_RUNTIME = 1, /* I/O, encoder, out of memory */
    GD_ERR_INPUT = 2    /* bad command line, config, data file or formula */
};

typedef struct GdError {
    int code;       /* GD_ERR_RUNTIME or GD_ERR_INPUT; 0 when no error */
    char msg[1024]; /* one line, no trailing newline */
} GdError;

/* Sets err->code and formats err->msg (printf-style, truncated to fit).
 * Returns code, so callers can write `return gd_error(err, 2, ...)`.
 * err may be NULL (then nothing is recorded). */
int gd_error(GdError *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clears err (code 0, empty message). */
void gd_error_clear(GdError *err);

#endif
