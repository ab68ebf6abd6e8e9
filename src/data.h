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

#include "error.h"

typedef struct GdRng {
    uint64_t s[4];
    int has_spare; /* normal deviates come in pairs */
    double spare;
} GdRng;

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
 * accurate to a few ulp; the same bits everywhere. */
double data_log(double x);

/* out[i] = lo + (hi - lo) * i / (n - 1); n == 1 gives lo. */
void data_linspace(double lo, double hi, int n, double *out);

/* Reads a CSV of x,y rows (an optional header line of non-numbers; blank
 * lines and lines starting with # are skipped). On success returns 0 and
 * *x, *y (malloc'd, caller frees) hold *n >= 1 points. On failure returns
 * GD_ERR_INPUT with err->msg "PATH:LINE: what is wrong" (PATH as given), or
 * "PATH: cannot open: strerror" for an unreadable file. */
int data_read_csv(const char *path, double **x, double **y, int *n, GdError *err);

#endif
