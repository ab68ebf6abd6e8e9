/*
 * rng.h — the project's own random numbers, the same bits on every machine.
 *
 * Pipeline place: base, below every stage. Used by model/data.c (synthetic
 * noise), config/ (random inits, derived seeds) and sim/ (minibatch
 * shuffles). The generator is xoshiro256** seeded through splitmix64, and
 * normal deviates use only IEEE-exact arithmetic (+ - * / sqrt, plus rng_log
 * below), so the same seed gives bit-identical numbers on every machine and
 * libc. Depends on nothing but the C library.
 *
 * Recipe:
 *   GdRng rng;
 *   rng_seed(&rng, seed);           // any seed, 0 included
 *   double z = rng_normal(&rng);    // or rng_uniform, rng_below, rng_shuffle
 * A GdRng is the caller's (a plain struct, nothing to free); one per thread.
 */
#ifndef GD_RNG_H
#define GD_RNG_H

#include <stdint.h>

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

/* The next 64 raw bits (xoshiro256**). */
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
double rng_log(double x);

#endif
