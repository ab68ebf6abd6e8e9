/*
 * parallel.c — see parallel.h.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "base/parallel.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int threads_start(GdThreads *th, int n, void *(*fn)(void *), void *jobs, size_t stride) {
    memset(th, 0, sizeof *th);
    if (n < 0)
        n = 0;
    if (n > PARALLEL_MAX_THREADS)
        n = PARALLEL_MAX_THREADS;
    th->n = n;
    int ok = 0;
    for (int i = 0; i < n; i++) {
        th->started[i] =
            pthread_create(&th->tid[i], NULL, fn, (char *)jobs + (size_t)i * stride) == 0;
        ok += th->started[i];
    }
    return ok;
}

void threads_join(GdThreads *th) {
    for (int i = 0; i < th->n; i++)
        if (th->started[i])
            pthread_join(th->tid[i], NULL);
    th->n = 0;
}

typedef struct Chunk {
    void (*fn)(void *ctx, int lo, int hi);
    void *ctx;
    int lo, hi;
} Chunk;

static void *run_chunk(void *arg) {
    Chunk *c = arg;
    c->fn(c->ctx, c->lo, c->hi);
    return NULL;
}

void parallel_for(int nthreads, int n, void (*fn)(void *ctx, int lo, int hi), void *ctx) {
    if (n <= 0)
        return;
    int k = nthreads < 1 ? 1 : nthreads > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : nthreads;
    if (k > n)
        k = n;
    Chunk chunk[PARALLEL_MAX_THREADS];
    for (int t = 0; t < k; t++)
        chunk[t] = (Chunk){fn, ctx, (int)((long)n * t / k), (int)((long)n * (t + 1) / k)};
    GdThreads th;
    threads_start(&th, k - 1, run_chunk, chunk + 1, sizeof chunk[0]);
    run_chunk(&chunk[0]);
    for (int t = 1; t < k; t++)
        if (!th.started[t - 1])
            run_chunk(&chunk[t]); /* no thread: do its rows here */
    threads_join(&th);
}

/* A whole positive decimal number filling s (trailing spaces and a newline
 * allowed), or -1. */
static long long positive(const char *s, const char **rest) {
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    long long v = strtoll(s, &end, 10);
    if (v <= 0)
        return -1;
    *rest = end;
    return v;
}

int parallel_cpus_from(int affinity, const char *slurm, const char *cpu_max) {
    long long n = affinity > 0 ? affinity : 1;
    const char *rest;
    long long v;
    if (slurm && (v = positive(slurm, &rest)) > 0 && *rest == '\0' && v < n)
        n = v;
    if (cpu_max && (v = positive(cpu_max, &rest)) > 0 && *rest == ' ') {
        long long period = positive(rest + 1, &rest);
        if (period > 0 && (*rest == '\0' || *rest == '\n')) {
            long long q = (v + period - 1) / period;
            if (q < n)
                n = q;
        }
    }
    return n > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : (int)n;
}

int parallel_available_cpus(void) {
    int affinity = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        affinity = CPU_COUNT(&set);
    if (affinity <= 0) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        affinity =
            online > 0 ? (int)(online < PARALLEL_MAX_THREADS ? online : PARALLEL_MAX_THREADS) : 1;
    }
    char cpu_max[64];
    int have_max = 0;
    int fd = open("/sys/fs/cgroup/cpu.max", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, cpu_max, sizeof cpu_max - 1);
        close(fd);
        if (n > 0) {
            cpu_max[n] = '\0';
            have_max = 1;
        }
    }
    return parallel_cpus_from(affinity, getenv("SLURM_CPUS_PER_TASK"), have_max ? cpu_max : NULL);
}
