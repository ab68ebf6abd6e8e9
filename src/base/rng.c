/*
 * rng.c — xoshiro256** with splitmix64 seeding, Marsaglia normals and a
 * libm-free logarithm (see rng.h).
 *
 * Pipeline place: base, below every stage. Of libm only sqrt, which IEEE 754
 * rounds correctly, so the numbers do not depend on the libm in use.
 */
#include "base/rng.h"

#include <math.h>
#include <string.h>

/* ---- random numbers ---------------------------------------------------- */

uint64_t rng_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t rng_hash(uint64_t x) {
    return rng_splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void rng_seed(GdRng *rng, uint64_t seed) {
    /* splitmix64 never yields four zero words in a row, so every seed gives
     * a valid (non-zero) xoshiro state. */
    uint64_t st = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = rng_splitmix64(&st);
    rng->has_spare = 0;
    rng->spare = 0.0;
}

uint64_t rng_next(GdRng *rng) {
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(GdRng *rng) {
    return (double)(rng_next(rng) >> 11) * 0x1.0p-53;
}

double rng_normal(GdRng *rng) {
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(rng) - 1.0;
        v = 2.0 * rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    /* sqrt is correctly rounded by IEEE 754, so this stays bit-identical. */
    double f = sqrt(-2.0 * rng_log(s) / s);
    rng->spare = v * f;
    rng->has_spare = 1;
    return u * f;
}

uint32_t rng_below(GdRng *rng, uint32_t n) {
    /* Reject the top partial block of 2^32 so every residue is equally likely. */
    uint32_t rem = (uint32_t)(-n) % n; /* 2^32 mod n */
    for (;;) {
        uint32_t r = (uint32_t)(rng_next(rng) >> 32);
        if (r >= rem)
            return r % n;
    }
}

void rng_shuffle(GdRng *rng, int *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(rng, (uint32_t)i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

/* ---- logarithm --------------------------------------------------------- */

/* ln 2 split so that k * LN2_HI is exact for every exponent k (LN2_HI has
 * only 32 significant bits). */
static const double LN2_HI = 0x1.62e42feep-1;
static const double LN2_LO = 0x1.a39ef35793c76p-33;

static uint64_t bits_of(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static double double_of(uint64_t b) {
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

double rng_log(double x) {
    if (x != x)
        return x;
    if (x < 0.0)
        return NAN;
    if (x == 0.0)
        return -INFINITY;
    if (x == INFINITY)
        return x;
    int k = 0;
    if (x < 0x1.0p-1022) { /* subnormal: make it normal first */
        x *= 0x1.0p54;
        k = -54;
    }
    uint64_t b = bits_of(x);
    k += (int)((b >> 52) & 0x7ff) - 1023;
    /* m in [1, 2), then moved to [sqrt(1/2), sqrt(2)) so |f| stays small. */
    b = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    double m = double_of(b);
    if (m >= 0x1.6a09e667f3bcdp+0) { /* sqrt(2) */
        m *= 0.5;
        k += 1;
    }
    double f = m - 1.0; /* exact (Sterbenz) */
    double dk = (double)k;
    if (f == 0.0)
        return dk * LN2_HI + dk * LN2_LO;
    /* log(1+f) = 2 atanh(s) = 2s + s*R with s = f/(2+f) and
     * R = 2s^2/3 + 2s^4/5 + ...; written as f - (hfsq - s*(hfsq + R)) so the
     * exact f carries the result and the rounding of s only touches small
     * correction terms. |s| < 0.172, so 12 terms reach full precision. */
    double s = f / (2.0 + f);
    double z = s * s;
    double r = 0.0;
    for (int j = 12; j >= 1; j--)
        r = (r + 2.0 / (double)(2 * j + 1)) * z;
    double hfsq = 0.5 * f * f;
    return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
}
