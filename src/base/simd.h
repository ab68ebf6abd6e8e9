/*
 * simd.h — building a hot loop for the vector units the CPU has.
 *
 * GD_VECTOR_CLONES before a function builds it for AVX2 and AVX-512
 * besides plain x86-64, and the CPU picks one when the program starts
 * (GCC's function multi-versioning; with other compilers or CPUs, just the
 * plain build). Every version gives the same bits: the build never
 * contracts operations into fused multiply-adds (-ffp-contract=off), and
 * no loop using it reorders a floating-point sum. The trig loops, the
 * formula engine's block kernels and the renderer's per-pixel passes use
 * it.
 */
#ifndef GD_SIMD_H
#define GD_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define GD_VECTOR_CLONES                                                                           \
    __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define GD_VECTOR_CLONES
#endif

#endif
