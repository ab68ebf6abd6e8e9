/*
 * trig.c — sin and cos without libm (see trig.h for the method and why).
 *
 * Every function here is branch-free over its argument up to the final
 * libm fallback for huge ones, so the loops of the _many functions
 * vectorise; the scalar functions run the very same operations.
 */
#include "model/trig.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- constants ------------------------------------------------------------ */

/* 2/π, and π/2 = P1 + P2 + P3 + O(1e-37): P1 and P2 have 33 significant
 * bits, so k·P1 and k·P2 are exact for |k| < 2^20. */
#define INV_PIO2 0x1.45f306dc9c883p-1
#define PIO2_1   0x1.921fb54400000p+0
#define PIO2_2   0x1.0b4611a600000p-34
#define PIO2_3   0x1.3198a2e037073p-69

/* Adding and subtracting 1.5·2^52 rounds a double of magnitude below 2^51
 * to the nearest integer (ties to even), without a conversion. */
#define ROUND_SHIFT 0x1.8p52

/* (-1)^k / (2k+1)! and (-1)^k / (2k)!, the Taylor coefficients. */
#define S3  (-1.0 / 6.0)
#define S5  (1.0 / 120.0)
#define S7  (-1.0 / 5040.0)
#define S9  (1.0 / 362880.0)
#define S11 (-1.0 / 39916800.0)
#define S13 (1.0 / 6227020800.0)
#define S15 (-1.0 / 1307674368000.0)
#define S17 (1.0 / 355687428096000.0)
#define C4  (1.0 / 24.0)
#define C6  (-1.0 / 720.0)
#define C8  (1.0 / 40320.0)
#define C10 (-1.0 / 3628800.0)
#define C12 (1.0 / 479001600.0)
#define C14 (-1.0 / 87178291200.0)
#define C16 (1.0 / 20922789888000.0)
#define C18 (-1.0 / 6402373705728000.0)

/* ---- internal ------------------------------------------------------------- */

/* x = k·π/2 + hi + lo, and *q = k mod 4 in its low two bits. Valid for
 * |x| <= TRIG_REDUCE_LIMIT. */
static inline void reduce(double x, double *hi, double *lo, uint64_t *q) {
    const double shifted = x * INV_PIO2 + ROUND_SHIFT;
    const double k = shifted - ROUND_SHIFT;
    /* shifted is 1.5·2^52 + k: its low mantissa bits are k's (two's
     * complement, since 2^51 is a multiple of 4) */
    memcpy(q, &shifted, sizeof *q);
    const double t = x - k * PIO2_1; /* exact */
    const double w = k * PIO2_2;     /* exact */
    /* r1 + e1 = t - w exactly (two-sum) */
    const double r1 = t - w;
    const double bv = r1 - t;
    const double av = r1 - bv;
    const double e1 = (t - av) + (-w - bv);
    const double c = e1 - k * PIO2_3;
    const double h = r1 + c;
    *lo = (r1 - h) + c;
    *hi = h;
}

/* sin(hi + lo) for |hi| <= π/4 + tiny, |lo| <= ulp(hi). */
static inline double sin_poly(double hi, double lo) {
    const double z = hi * hi;
    const double p =
        S3 + z * (S5 + z * (S7 + z * (S9 + z * (S11 + z * (S13 + z * (S15 + z * S17))))));
    return hi + ((z * hi) * p + lo * (1.0 - 0.5 * z));
}

/* cos(hi + lo) likewise: 1 - z/2 with its rounding error kept. */
static inline double cos_poly(double hi, double lo) {
    const double z = hi * hi;
    const double hz = 0.5 * z;
    const double w = 1.0 - hz;
    const double err = (1.0 - w) - hz; /* exact: w >= 0.69 */
    const double q =
        C4 + z * (C6 + z * (C8 + z * (C10 + z * (C12 + z * (C14 + z * (C16 + z * C18))))));
    return w + (err + ((z * z) * q - hi * lo));
}

/* a when the low bit of q is 0, else b; negated when flip is 1: on the
 * bits, without a branch or a comparison (which would keep the loops from
 * vectorising). */
static inline double pick(double a, double b, uint64_t q, uint64_t flip) {
    uint64_t ab, bb;
    memcpy(&ab, &a, sizeof ab);
    memcpy(&bb, &b, sizeof bb);
    const uint64_t m = -(q & 1);
    const uint64_t v = ((ab & ~m) | (bb & m)) ^ (flip << 63);
    double r;
    memcpy(&r, &v, sizeof r);
    return r;
}

/* sin x = (sin r, cos r, -sin r, -cos r) for k mod 4 = 0, 1, 2, 3. */
static inline double sin_pick(double x, double s, double c, uint64_t q) {
    const double r = pick(s, c, q, (q >> 1) & 1);
    /* sin(-0) = -0 (r is +0 for either zero); written so that it stays a
     * select the vectoriser takes */
    return copysign(r, x == 0.0 ? x : r);
}

/* cos x = (cos r, -sin r, -cos r, sin r) for k mod 4 = 0, 1, 2, 3: the
 * sign flips for 1 and 2. */
static inline double cos_pick(double s, double c, uint64_t q) {
    return pick(c, s, q, ((q >> 1) ^ q) & 1);
}

/* sin x and cos x for |x| <= TRIG_REDUCE_LIMIT (and NaN for NaN or ±inf). */
static inline double sin_core(double x) {
    double hi, lo;
    uint64_t q;
    reduce(x, &hi, &lo, &q);
    return sin_pick(x, sin_poly(hi, lo), cos_poly(hi, lo), q);
}

static inline double cos_core(double x) {
    double hi, lo;
    uint64_t q;
    reduce(x, &hi, &lo, &q);
    return cos_pick(sin_poly(hi, lo), cos_poly(hi, lo), q);
}

/* ---- module functions ----------------------------------------------------- */

double trig_sin(double x) {
    return isgreater(fabs(x), TRIG_REDUCE_LIMIT) ? sin(x) : sin_core(x);
}

double trig_cos(double x) {
    return isgreater(fabs(x), TRIG_REDUCE_LIMIT) ? cos(x) : cos_core(x);
}

/* One vectorised pass, then libm for the rare huge arguments (a quiet
 * comparison: NaN raises no exception). */
GD_VECTOR_CLONES void trig_sin_many(const double *x, double *out, int n) {
    for (int i = 0; i < n; i++)
        out[i] = sin_core(x[i]);
    for (int i = 0; i < n; i++)
        if (isgreater(fabs(x[i]), TRIG_REDUCE_LIMIT))
            out[i] = sin(x[i]);
}

GD_VECTOR_CLONES void trig_cos_many(const double *x, double *out, int n) {
    for (int i = 0; i < n; i++)
        out[i] = cos_core(x[i]);
    for (int i = 0; i < n; i++)
        if (isgreater(fabs(x[i]), TRIG_REDUCE_LIMIT))
            out[i] = cos(x[i]);
}

GD_VECTOR_CLONES void trig_sincos_many(const double *x, double *s, double *c, int n) {
    for (int i = 0; i < n; i++) {
        double hi, lo;
        uint64_t q;
        reduce(x[i], &hi, &lo, &q);
        const double ps = sin_poly(hi, lo), pc = cos_poly(hi, lo);
        s[i] = sin_pick(x[i], ps, pc, q);
        c[i] = cos_pick(ps, pc, q);
    }
    for (int i = 0; i < n; i++)
        if (isgreater(fabs(x[i]), TRIG_REDUCE_LIMIT)) {
            s[i] = sin(x[i]);
            c[i] = cos(x[i]);
        }
}
