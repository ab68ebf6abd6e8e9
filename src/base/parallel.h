/*
 * parallel.h — the one worker pool: start N threads over N job structs and
 * join them, or split a range of rows over N threads.
 *
 * Pipeline place: base, below every stage. Used by the landscape grid
 * (view/), the basin map and the frame loop (output/video.c). Thread counts
 * always come from the caller (the command line's -j), never from the
 * machine: on a scheduler's allocation `-j 1` means one thread. -j's
 * default is parallel_available_cpus: the CPUs the process was given, not
 * every CPU of the machine.
 *
 * Recipe:
 *   GdThreads th;
 *   threads_start(&th, n, worker, jobs, sizeof jobs[0]); // jobs[i] to thread i
 *   ... the calling thread works too, e.g. encodes ...
 *   threads_join(&th);
 * or, for independent chunks of a range:
 *   parallel_for(nthreads, nrows, rows_fn, ctx); // rows_fn(ctx, lo, hi)
 */
#ifndef GD_PARALLEL_H
#define GD_PARALLEL_H

#include <pthread.h>
#include <stddef.h>

#define PARALLEL_MAX_THREADS 256 /* the largest -j */

typedef struct GdThreads {
    int n;
    pthread_t tid[PARALLEL_MAX_THREADS];
    unsigned char started[PARALLEL_MAX_THREADS];
} GdThreads;

/* Starts n (1..PARALLEL_MAX_THREADS) threads, thread i running
 * fn((char *)jobs + i * stride). Returns how many started; those that could
 * not start are not run (the caller decides: run them inline, or fail).
 * threads_join waits for the started ones and must always be called. */
int threads_start(GdThreads *th, int n, void *(*fn)(void *), void *jobs, size_t stride);
void threads_join(GdThreads *th);

/* Calls fn(ctx, lo, hi) over [0, n) split into min(nthreads, n) contiguous
 * chunks [n*t/k, n*(t+1)/k), chunk 0 on the calling thread and the others on
 * threads; a chunk whose thread cannot start runs on the calling thread, so
 * the work is always done. fn must write only its own rows. */
void parallel_for(int nthreads, int n, void (*fn)(void *ctx, int lo, int hi), void *ctx);

/* The CPUs this process may use, 1..PARALLEL_MAX_THREADS: its CPU affinity
 * (sched_getaffinity: what taskset, Slurm's task affinity, cpusets and
 * container runtimes give it), further capped by SLURM_CPUS_PER_TASK when
 * that is set (Slurm without task affinity) and by the cgroup's CPU quota
 * (/sys/fs/cgroup/cpu.max, rounded up: a Kubernetes CPU limit). */
int parallel_available_cpus(void);

/* The rule of parallel_available_cpus, on given facts: affinity (the
 * affinity's CPU count, <= 0 when unknown), slurm (SLURM_CPUS_PER_TASK's
 * text or NULL) and cpu_max (cpu.max's text, "QUOTA PERIOD" or "max
 * PERIOD", or NULL). Text that does not parse is ignored. */
int parallel_cpus_from(int affinity, const char *slurm, const char *cpu_max);

#endif
