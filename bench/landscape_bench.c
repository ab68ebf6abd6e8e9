/*
 * landscape_bench.c — benchmark (not a test): the time to prepare a
 * video's landscape, the loss on the plane's resolution x resolution
 * grid, each point a full-model loss over all the data.
 *
 * Usage: build/landscape_bench CONFIG [RUNS] [THREADS]
 * Loads CONFIG, simulates its runs, finds its plane and box as a render
 * does, then builds the landscape RUNS times (default 5) on THREADS
 * threads (default 2) and prints the best and the median wall time, and
 * the same for the whole view (plane, trails, landscape, minima, orbit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config/config.h"
#include "sim/sim.h"
#include "view/landscape.h"
#include "view/plane.h"
#include "view/view.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CONFIG [RUNS] [THREADS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5, threads = argc > 3 ? atoi(argv[3]) : 2;
    if (runs < 1 || runs > 100)
        runs = 5;
    static Config cfg;
    GdError err;
    if (config_load(argv[1], NULL, 0, &cfg, &err) != GD_OK) {
        fprintf(stderr, "landscape_bench: %s\n", err.msg);
        return 2;
    }
    Trajectory *trajs = calloc((size_t)cfg.nruns, sizeof *trajs);
    View *v = malloc(sizeof *v);
    if (!trajs || !v || sim_run_all(&cfg, trajs, &err) != GD_OK) {
        fprintf(stderr, "landscape_bench: %s\n", err.msg);
        return 1;
    }
    double *grid = malloc(sizeof(double) * (size_t)runs),
           *whole = malloc(sizeof(double) * (size_t)runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now();
        if (view_build(v, &cfg, trajs, threads, &err) != GD_OK) {
            fprintf(stderr, "landscape_bench: %s\n", err.msg);
            return 1;
        }
        whole[i] = now() - t0;
        Landscape ls;
        t0 = now();
        if (landscape_build(&ls, &cfg, &v->plane, v->land.lo, v->land.hi, threads, &err) != GD_OK) {
            fprintf(stderr, "landscape_bench: %s\n", err.msg);
            return 1;
        }
        grid[i] = now() - t0;
        landscape_free(&ls);
        view_free(v);
    }
    qsort(grid, (size_t)runs, sizeof *grid, by_value);
    qsort(whole, (size_t)runs, sizeof *whole, by_value);
    printf("%s: %d parameters, %d data points, resolution %d, -j %d, %d runs\n", argv[1],
           cfg.model.nparams, cfg.ndata, cfg.surface.resolution, threads, runs);
    printf("  landscape (%d x %d full-model losses): best %.3f s, median %.3f s\n",
           cfg.surface.resolution, cfg.surface.resolution, grid[0], grid[runs / 2]);
    printf("  whole view (plane, trails, landscape, minima, orbit): best %.3f s, median %.3f s\n",
           whole[0], whole[runs / 2]);
    free(grid);
    free(whole);
    free(v);
    for (int r = 0; r < cfg.nruns; r++)
        trajectory_free(&trajs[r]);
    free(trajs);
    config_free(&cfg);
    return 0;
}
