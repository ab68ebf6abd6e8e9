/*
 * data.h — the points a model is fitted to: synthetic data (linspace, the
 * true formula, seeded noise), the CSV reader for [data] file, and the
 * number syntax of configs and data files.
 *
 * Pipeline place: model stage, called by config/ while it loads [data].
 * Depends on model/formula (evaluating the true model), base/rng (the
 * noise) and base/error.
 */
#ifndef GD_DATA_H
#define GD_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "model/formula.h"

/* The most data_read_csv accepts: rows, bytes of the file and bytes of one
 * line (without its terminator). Its memory is one line buffer and the
 * points, never the file. */
#define DATA_MAX_ROWS  10000000
#define DATA_MAX_BYTES (256 << 20)
#define DATA_MAX_LINE  65536

/* Copies text[0..len) into buf (size > 4) for an error message: at most 60
 * bytes, then "..." (never cutting a UTF-8 sequence), control characters
 * shown as '?'. Returns buf. */
const char *data_echo(const char *text, size_t len, char *buf, size_t size);

/* out[i] = lo + (hi - lo) * i / (n - 1); n == 1 gives lo. */
void data_linspace(double lo, double hi, int n, double *out);

/* What synthetic data is made of. */
typedef struct DataSpec {
    const Formula *formula; /* the model */
    const double *params;   /* its true parameters */
    double lo, hi;          /* x = linspace(lo, hi, n) */
    int n;                  /* >= 1 */
    double noise;           /* standard deviation of the added noise, >= 0 */
    uint64_t seed;          /* of the one generator all the noise comes from */
} DataSpec;

/* Synthetic points: x[i] = linspace(lo, hi, n)[i] and y[i] = formula(x[i];
 * params) + noise * z[i], the z[i] drawn in order of i with rng_normal from
 * rng_seed(seed), so a seed gives the same points on every machine. On
 * success returns GD_OK and *x, *y (malloc'd, caller frees) hold n points.
 * On failure *x = *y = NULL and it returns GD_ERR_INPUT with err->msg
 * "the formula is not finite at x = X" (the first such x, printed %.17g),
 * or GD_ERR_RUNTIME with "out of memory". */
int data_generate(const DataSpec *spec, double **x, double **y, GdError *err);

/* What data_parse_number found. */
typedef enum {
    DATA_NUMBER_OK,        /* a finite number; *out is set */
    DATA_NUMBER_SYNTAX,    /* not a number */
    DATA_NUMBER_NOT_FINITE /* a number too large for a double, e.g. "1e999" */
} DataNumber;

/* Parses the whole of s as a decimal number (digits, optional sign, point
 * and exponent; no hex, inf or nan, no surrounding spaces). *out is set
 * only for DATA_NUMBER_OK. A syntax check rather than a fallible operation,
 * so it returns what it found and leaves the message to the caller (a
 * config key and a CSV row word it differently). */
DataNumber data_parse_number(const char *s, double *out);

/* Reads a CSV of x,y rows (an optional header line of non-numbers; blank
 * lines and lines starting with # are skipped; spaces around fields are
 * fine; a UTF-8 BOM is skipped). The file must be a regular file (opened
 * with base/files, so a named pipe or a device is refused, never waited
 * on) of at most DATA_MAX_BYTES, with lines of at most DATA_MAX_LINE bytes.
 * On success returns 0 and *x, *y (malloc'd, caller frees) hold *n >= 1
 * points. On failure returns GD_ERR_INPUT with err->msg "PATH:LINE: what
 * is wrong" (PATH as given), e.g.
 *   PATH:LINE: expected two numbers x,y, got "1.0;2"
 *   PATH:LINE: "abc" is not a number
 *   PATH:LINE: "1e999" is not a finite number
 *   PATH:LINE: line too long (more than 65536 bytes)
 *   PATH: data file too large (more than 256 MiB)
 *   PATH: no data rows
 * or "PATH: cannot open: REASON" (files_open_input's reason: a strerror,
 * or "not a regular file (a named pipe)", ...) / "PATH: cannot read:
 * strerror" for an unreadable file; GD_ERR_RUNTIME "out of memory". */
int data_read_csv(const char *path, double **x, double **y, int *n, GdError *err);

#endif
