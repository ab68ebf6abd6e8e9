/*
 * num.c — see num.h.
 */
#include "base/num.h"

int num_clamp_int(double x, int lo, int hi) {
    if (!(x > lo)) /* NaN too */
        return lo;
    if (x >= hi)
        return hi;
    return (int)x;
}
