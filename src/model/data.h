/*
 * data.h — the points a model is fitted to, and the project's own random
 * numbers.
 *
 * Pipeline place: model stage, used by config.c (synthetic data, random
 * inits) and sim.c (minibatch shuffles). The generator is xoshiro256**
 * seeded through splitmix64, and normal deviates use only IEEE-exact
 * arithmetic (+ - * / sqrt, plus data_log below), so the same seed gives
 * bit-identical numbers on every machine and libc.
 */
#ifndef GD_DATA_H
#define GD_DATA_H

#include <stdint.h>

#include "base/error.h"

/* Most rows data_read_csv accepts. */
#define DATA_MAX_ROWS 10000000

typedef struct GdRng {
    uint64_t s[4];
    int has_spare; /* normal deviates come in pairs */
    double spare;
} GdRng;

/* One step of splitmix64: advances *state and returns the next output
 * (seed 0 gives 0xe220a8397b1dcdaf first). */
uint64_t rng_splitmix64(uint64_t *state);

/* A well-mixed 64-bit hash of x (the splitmix64 output for state x), for
 * deriving independent seeds from a seed and an index. */
uint64_t rng_hash(uint64_t x);

/* Seeds the generator; any seed (0 included) is fine. */
void rng_seed(GdRng *rng, uint64_t seed);
uint64_t rng_next(GdRng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(GdRng *rng);
/* Standard normal deviate (Marsaglia polar method). */
double rng_normal(GdRng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t rng_below(GdRng *rng, uint32_t n);
/* Fisher-Yates shuffle of idx[0..n-1]. */
void rng_shuffle(GdRng *rng, int *idx, int n);

/* Natural logarithm of x > 0 from IEEE-exact operations only (no libm),
 * accurate to a few ulp; the same bits everywhere. log(0) = -inf,
 * log(+inf) = +inf, negative or NaN gives NaN. */
double data_log(double x);

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
