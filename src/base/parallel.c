/*
 * parallel.c — see parallel.h.
 */
#include "base/parallel.h"

#include <string.h>

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
