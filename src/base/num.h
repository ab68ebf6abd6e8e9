/*
 * num.h — double to integer conversions that are defined for every input.
 *
 * Pipeline place: base, below every stage. C leaves (int)x undefined when
 * x is NaN or outside int's range (a diverging run's step length, a point
 * far outside a tiny box); every such conversion in src/ goes through here,
 * so huge and NaN values are clamped before the cast.
 */
#ifndef GD_NUM_H
#define GD_NUM_H

/* x truncated toward zero and clamped to lo..hi (lo <= hi); NaN gives lo.
 * Round first (floor, ceil, lround's rounding) where that is wanted. */
int num_clamp_int(double x, int lo, int hi);

#endif
