/*
 * trig.h — sin and cos of the formula language, gdrender's own.
 *
 * Pipeline place: model stage, below the formula engine (model/formula.c),
 * whose sin and cos nodes, values and derivatives alike, are these. Depends
 * on libm only for arguments beyond TRIG_REDUCE_LIMIT.
 *
 * Why not libm's: the same numbers on every libc (trajectories are the same
 * on every machine, not only with the same C library), and loops over many
 * arguments that the compiler vectorises, which libm's calls prevent (the
 * basin map evaluates the formula for thousands of starts at once). The
 * _many functions give exactly the bits of the scalar ones, whatever the
 * vector width: each lane does the same IEEE operations in the same order
 * (the build never contracts them into fused multiply-adds).
 *
 * Method: x = k·π/2 + r with |r| <= π/4, k the nearest integer to x·2/π, and
 * π/2 in three parts (33, 33 and 53 bits) so that k times the first two is
 * exact; r is kept as a head and a tail. sin r and cos r are their Taylor
 * series to r^17 and r^18 (the truncation is below 1e-18 of the result on
 * |r| <= π/4), and k mod 4 picks ±sin r or ±cos r. The error is below one
 * unit in the last place (tests/model/test_trig.c measures it against long
 * double). |x| > TRIG_REDUCE_LIMIT, where k would need more bits, goes to
 * libm; NaN and ±inf give NaN; sin(-0) is -0.
 */
#ifndef GD_TRIG_H
#define GD_TRIG_H

#include "base/simd.h"

/* Beyond this |x| the reduction is libm's (k would exceed 2^20). */
#define TRIG_REDUCE_LIMIT 1.6e6

double trig_sin(double x);
double trig_cos(double x);

/* out[i] = trig_sin(x[i]) (trig_cos) for i < n, bit for bit; out must not
 * overlap x. */
void trig_sin_many(const double *x, double *out, int n);
void trig_cos_many(const double *x, double *out, int n);

/* Both at once (one reduction): s[i] = trig_sin(x[i]), c[i] = trig_cos(x[i]). */
void trig_sincos_many(const double *x, double *s, double *c, int n);

#endif
