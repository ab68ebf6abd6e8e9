/*
 * data.h — the points a model is fitted to: linspace, the number syntax of
 * configs and data files, and the CSV reader for [data] file.
 *
 * Pipeline place: model stage, used by config/ (synthetic data, data files,
 * number values). Random numbers live in base/rng.h.
 */
#ifndef GD_DATA_H
#define GD_DATA_H

#include <stddef.h>

#include "base/error.h"

/* Most rows data_read_csv accepts. */
#define DATA_MAX_ROWS 10000000

/* Copies text[0..len) into buf (size > 4) for an error message: at most 60
 * bytes, then "..." (never cutting a UTF-8 sequence), control characters
 * shown as '?'. Returns buf. */
const char *data_echo(const char *text, size_t len, char *buf, size_t size);

/* out[i] = lo + (hi - lo) * i / (n - 1); n == 1 gives lo. */
void data_linspace(double lo, double hi, int n, double *out);

/* Parses the whole of s as a decimal number (digits, optional sign, point
 * and exponent; no hex, inf or nan, no surrounding spaces). Returns 0 and
 * sets *out, 1 if s is not a number, 2 if it is one but not finite
 * (e.g. "1e999"). */
int data_parse_number(const char *s, double *out);

/* Reads a CSV of x,y rows (an optional header line of non-numbers; blank
 * lines and lines starting with # are skipped; spaces around fields are
 * fine; a UTF-8 BOM is skipped). On success returns 0 and *x, *y (malloc'd,
 * caller frees) hold *n >= 1 points. On failure returns GD_ERR_INPUT with
 * err->msg "PATH:LINE: what is wrong" (PATH as given), e.g.
 *   PATH:LINE: expected two numbers x,y, got "1.0;2"
 *   PATH:LINE: "abc" is not a number
 *   PATH:LINE: "1e999" is not a finite number
 *   PATH: no data rows
 * or "PATH: cannot open: strerror" / "PATH: cannot read: strerror" for an
 * unreadable file; GD_ERR_RUNTIME when out of memory. */
int data_read_csv(const char *path, double **x, double **y, int *n, GdError *err);

#endif
