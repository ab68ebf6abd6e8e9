/*
 * sim.h — the optimization runs: optimizers (SPEC section 4), trajectories,
 * divergence detection, and the trajectory CSV (SPEC section 5).
 *
 * Pipeline place: after config and model, before the view stage. All
 * runs are simulated before the first frame is drawn; the renderer only reads
 * Trajectory values.
 */
#ifndef GD_SIM_H
#define GD_SIM_H

#include <stdio.h>

#include "config/config.h"
#include "base/error.h"

/* Divergence: a loss or parameter that is non-finite or beyond this. */
#define SIM_DIVERGE_LIMIT 1e12

/* The divergence rule, in one place: 1 when v is non-finite or beyond
 * SIM_DIVERGE_LIMIT. A run diverges at the first row whose loss or any
 * parameter does. */
int sim_value_diverged(double v);

/* Optimizer state for one run; all zero at the start (SPEC section 4). */
typedef struct OptimizerState {
    double m[GD_MAX_PARAMS]; /* momentum velocity v, or adam's first moment */
    double s[GD_MAX_PARAMS]; /* adagrad/rmsprop accumulator, or adam's second moment */
    long t;                  /* steps taken so far */
} OptimizerState;

typedef enum { RUN_CONVERGED, RUN_MOVING, RUN_DIVERGED } RunStatus;

typedef struct Trajectory {
    const RunConfig *run; /* label, colour, hyperparameters (owned by Config) */
    int nparams;
    int nrows;      /* rows: step 0 (the start) .. last step */
    double *params; /* nrows * nparams */
    double *loss;   /* nrows, full-data loss at that row's parameters */
    double *grad;   /* nrows * nparams, full-data gradient there */
    RunStatus status;
    int diverged_step; /* with RUN_DIVERGED: the step whose values left the limits */
    /* What the optimizer itself used, for showing its update ([layout]
     * equation); none of it is in the CSV. */
    double *step_grad; /* nrows * nparams: the gradient the update from row k to k + 1 used (the
                          minibatch's with batch > 0; NaN in the last row); NULL when that is
                          the full-data grad (batch 0): see trajectory_step_grad */
    double *state_m;   /* nrows * nparams: the state after k updates (0 in row 0): momentum's and
                          nesterov's velocity v, adam's first moment m; NULL for the others */
    double *state_s;   /* ... adagrad's and rmsprop's s, adam's second moment v; NULL for the
                          others */
} Trajectory;

/* One optimizer update of p (n parameters) with gradient g; advances st->t.
 * Exactly the formulas of SPEC section 4 in double precision. */
void optimizer_step(const RunConfig *run, OptimizerState *st, double *p, const double *g, int n);

/* Simulates every run of cfg into trajs[0..cfg->nruns-1] (caller provides
 * the array). Returns 0, or GD_ERR_RUNTIME when out of memory (then nothing
 * needs freeing). */
int sim_run_all(const Config *cfg, Trajectory *trajs, GdError *err);

/* Simulates one run. */
int sim_run(const Config *cfg, const RunConfig *run, Trajectory *out, GdError *err);

void trajectory_free(Trajectory *t); /* NULL-safe, idempotent */

/* The gradient the update from row k to row k + 1 used: nparams values
 * (step_grad's row, or grad's when the run is full-batch). */
const double *trajectory_step_grad(const Trajectory *t, int k);

/* Whether the optimizer keeps state_m / state_s (see Trajectory). */
int optimizer_has_m(OptimizerKind k);
int optimizer_has_s(OptimizerKind k);

/* Writes the CSV of SPEC section 5 for all trajectories to f. Returns 0, or
 * -1 on a write error (errno set). */
int sim_write_csv(FILE *f, const Config *cfg, const Trajectory *trajs, int n);

/* sim_write_csv with more columns: extra_header (",u,v") after the
 * header's, and extra(f, t, k, ctx) writing row k's (",1.5,2") after
 * each row's gradients. */
typedef void (*SimCsvExtra)(FILE *f, const Trajectory *t, int k, void *ctx);
int sim_write_csv_with(FILE *f, const Config *cfg, const Trajectory *trajs, int n,
                       const char *extra_header, SimCsvExtra extra, void *ctx);

/* CSV pieces shared with the timeline CSV: ",<number>" with 17 significant
 * digits ("nan" for NaN), and a field quoted when it holds a comma, quote
 * or newline (0, or -1 on a write error). */
void sim_csv_number(FILE *f, double v);
int sim_csv_field(FILE *f, const char *s);

/* One line per run for --check, e.g.
 * "good: a=1.2000612 b=2.4981231 loss=0.0098765 steps=400 converged" or
 * "... diverged at step 17". No newline. */
void sim_format_summary(char *buf, size_t size, const Config *cfg, const Trajectory *t);

#endif
