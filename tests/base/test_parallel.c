/*
 * test_parallel.c — the worker pool: every job runs exactly once on its own
 * struct, parallel_for covers [0, n) with contiguous chunks for any thread
 * count, and the results do not depend on the thread count; -j's default
 * is the CPUs the process was given (affinity, Slurm, the cgroup quota).
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
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

static void test_cpus_from(void **state) {
    (void)state;
    assert_int_equal(parallel_cpus_from(8, NULL, NULL), 8);
    assert_int_equal(parallel_cpus_from(0, NULL, NULL), 1); /* unknown affinity */
    assert_int_equal(parallel_cpus_from(1000, NULL, NULL), PARALLEL_MAX_THREADS);
    assert_int_equal(parallel_cpus_from(8, "2", NULL), 2);  /* --cpus-per-task=2 */
    assert_int_equal(parallel_cpus_from(2, "16", NULL), 2); /* never more than given */
    assert_int_equal(parallel_cpus_from(8, "x", NULL), 8);  /* ignored */
    assert_int_equal(parallel_cpus_from(8, "0", NULL), 8);
    assert_int_equal(parallel_cpus_from(8, "2x", NULL), 8);
    assert_int_equal(parallel_cpus_from(8, NULL, "max 100000\n"), 8);
    assert_int_equal(parallel_cpus_from(8, NULL, "150000 100000\n"), 2); /* 1.5 CPUs: 2 */
    assert_int_equal(parallel_cpus_from(8, NULL, "100000 100000\n"), 1);
    assert_int_equal(parallel_cpus_from(8, NULL, "50000 100000"), 1);
    assert_int_equal(parallel_cpus_from(8, NULL, "400000 100000\n"), 4);
    assert_int_equal(parallel_cpus_from(8, NULL, "garbage"), 8);
    assert_int_equal(parallel_cpus_from(8, "3", "400000 100000\n"), 3);
}

/* The process's own affinity and SLURM_CPUS_PER_TASK, for real. */
static void test_available_cpus(void **state) {
    (void)state;
    unsetenv("SLURM_CPUS_PER_TASK");
    int all = parallel_available_cpus();
    assert_true(all >= 1 && all <= PARALLEL_MAX_THREADS);
    cpu_set_t old, one;
    assert_int_equal(sched_getaffinity(0, sizeof old, &old), 0);
    int cpu = -1;
    for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
        if (CPU_ISSET(i, &old))
            cpu = i;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    assert_int_equal(parallel_available_cpus(), 1); /* taskset -c CPU */
    assert_int_equal(sched_setaffinity(0, sizeof old, &old), 0);
    setenv("SLURM_CPUS_PER_TASK", "1", 1);
    assert_int_equal(parallel_available_cpus(), 1);
    unsetenv("SLURM_CPUS_PER_TASK");
    assert_int_equal(parallel_available_cpus(), all);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpus_from),
        cmocka_unit_test(test_available_cpus),
        cmocka_unit_test(test_threads_start_join),
        cmocka_unit_test(test_parallel_for_covers_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
