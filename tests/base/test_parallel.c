/*
 * test_parallel.c — the worker pool: every job runs exactly once on its own
 * struct, parallel_for covers [0, n) with contiguous chunks for any thread
 * count, and the results do not depend on the thread count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/parallel.h"

typedef struct Job {
    int index, runs;
    pthread_t self;
} Job;

static void *job_main(void *arg) {
    Job *j = arg;
    j->runs++;
    j->self = pthread_self();
    return NULL;
}

static void test_threads_start_join(void **state) {
    (void)state;
    Job jobs[5];
    memset(jobs, 0, sizeof jobs);
    GdThreads th;
    assert_int_equal(threads_start(&th, 5, job_main, jobs, sizeof jobs[0]), 5);
    threads_join(&th);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(jobs[i].runs, 1);
        assert_false(pthread_equal(jobs[i].self, pthread_self()));
    }
    assert_int_equal(threads_start(&th, 0, job_main, jobs, sizeof jobs[0]), 0);
    threads_join(&th);
}

typedef struct Ctx {
    int hits[1000];
    int calls;
    pthread_mutex_t mu;
} Ctx;

static void mark(void *arg, int lo, int hi) {
    Ctx *c = arg;
    for (int i = lo; i < hi; i++)
        c->hits[i]++;
    pthread_mutex_lock(&c->mu);
    c->calls++;
    pthread_mutex_unlock(&c->mu);
}

static void test_parallel_for_covers_once(void **state) {
    (void)state;
    const int counts[] = {1, 2, 3, 7, 16, 256};
    const int sizes[] = {1, 5, 999, 1000};
    for (size_t a = 0; a < sizeof counts / sizeof *counts; a++)
        for (size_t b = 0; b < sizeof sizes / sizeof *sizes; b++) {
            static Ctx c;
            memset(&c, 0, sizeof c);
            pthread_mutex_init(&c.mu, NULL);
            parallel_for(counts[a], sizes[b], mark, &c);
            for (int i = 0; i < sizes[b]; i++)
                assert_int_equal(c.hits[i], 1);
            for (int i = sizes[b]; i < 1000; i++)
                assert_int_equal(c.hits[i], 0);
            /* min(threads, n) chunks */
            int want = counts[a] < sizes[b] ? counts[a] : sizes[b];
            assert_int_equal(c.calls, want);
            pthread_mutex_destroy(&c.mu);
        }
    static Ctx none;
    memset(&none, 0, sizeof none);
    parallel_for(4, 0, mark, &none);
    assert_int_equal(none.calls, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_start_join),
        cmocka_unit_test(test_parallel_for_covers_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
