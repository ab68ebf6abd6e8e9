/*
 * basins.h — the basin map ([basins], SPEC section 3): where every start of
 * a grid over the surface's box ends, grouped by the minimum it reaches.
 *
 * Pipeline place: sim stage. The view stage, which knows the plane and the
 * box, asks for the map once per video before the first frame
 * (view_build); the basins panel, the floor drape, {basin_share} and
 * --basins read it. Depends on model/formula (formula_mse_many), sim/sim
 * (optimizer_step, the divergence rule) and base/parallel.
 *
 * The starts: cell centres of a res x res grid over the box in plane
 * coordinates, start (i, j) at u = lo[0] + (i + 0.5) (hi[0] - lo[0]) / res
 * (and v likewise with j), in parameter space origin + u dir[0] + v
 * dir[1]. Each is run exactly as a [run] with that init and the chosen
 * run's optimizer, lr, steps and the rest (minibatches included: the same
 * shuffles): its end point, loss and status are bit for bit what sim_run
 * gives. Starts run in lock step, many at a time (formula_mse_many), with
 * only their current state kept: memory does not grow with the steps.
 * Batches of starts go to the threads as they free up; each batch's result
 * depends on nothing else, so the map is the same whatever the thread
 * count.
 *
 * Minima: after the runs, in start order (j major, then i), each
 * converged start joins the minimum whose first start's end point is
 * nearest, if that is closer than the tolerance (Euclidean, in parameter
 * space), else it founds a new one. Starts that diverge or do not settle
 * (RUN_DIVERGED, RUN_MOVING) belong to none. Minima are numbered by loss,
 * lowest first; each stands at the end point of its member with the
 * lowest loss. The global minima are those whose loss is the lowest any
 * start found, to BASIN_GLOBAL_REL: a symmetric model has several
 * (sin(b·cos(a·x)) is the same at -a as at a).
 *
 * The legend: the shares of the starts, as a lecture shows them: the
 * global minima together, the BASIN_LEGEND_LOCAL local minima that most
 * starts reach, one by one, the other minima together, then the starts
 * that do not settle and those that diverge; each share in whole percent,
 * rounded so that they sum to 100 (largest remainders), empty ones left
 * out.
 */
#ifndef GD_BASINS_H
#define GD_BASINS_H

#include <stdio.h>

#include "base/error.h"
#include "config/config.h"
#include "sim/sim.h"

#define BASIN_NONE         (-1) /* a start that reaches no minimum */
#define BASIN_GLOBAL_REL   1e-6 /* minima within this (relative) of the lowest loss are global */
#define BASIN_LEGEND_LOCAL 5    /* local minima the legend lists one by one */
#define BASIN_MAX_ENTRIES  (BASIN_LEGEND_LOCAL + 4)

/* Where the starts lie: the plane (for two parameters, origin 0 and the
 * two unit vectors) and the box in its coordinates. */
typedef struct BasinGrid {
    int nparams;
    double origin[GD_MAX_PARAMS];
    double dir[2][GD_MAX_PARAMS];
    double lo[2], hi[2];
    int res;          /* starts per axis */
    double tolerance; /* < 0: 1e-3 of the box's diagonal */
} BasinGrid;

typedef struct BasinMinimum {
    double p[GD_MAX_PARAMS]; /* where it is: its member's end point with the lowest loss */
    double loss;
    int count; /* starts that reach it */
    int entry; /* its line of the legend */
} BasinMinimum;

typedef enum {
    BASIN_ENTRY_GLOBAL,   /* the global minima */
    BASIN_ENTRY_LOCAL,    /* one local minimum */
    BASIN_ENTRY_OTHERS,   /* the other local minima */
    BASIN_ENTRY_MOVING,   /* starts that do not settle in their steps */
    BASIN_ENTRY_DIVERGED, /* starts that diverge */
} BasinEntryKind;

/* One line of the legend. */
typedef struct BasinEntry {
    BasinEntryKind kind;
    int nminima; /* minima it stands for (GLOBAL: minima 0 .. nminima-1) */
    int minimum; /* LOCAL: which */
    double loss; /* GLOBAL, LOCAL: the loss */
    int count;   /* starts */
    int percent; /* of all starts; the entries' percents sum to 100 */
} BasinEntry;

typedef struct BasinMap {
    BasinGrid grid;
    double tolerance;      /* the one used */
    int nstarts;           /* res * res, start (i, j) at index j * res + i */
    double *end;           /* nstarts * nparams: where each start ends */
    double *loss;          /* nstarts: the loss there */
    unsigned char *status; /* nstarts RunStatus values */
    int *basin;            /* nstarts: index into minima, or BASIN_NONE */
    int nminima;
    BasinMinimum *minima; /* lowest loss first */
    int nglobal;          /* minima 0 .. nglobal-1 are global */
    int nmoving, ndiverged;
    int nentries;
    BasinEntry entry[BASIN_MAX_ENTRIES]; /* the legend, global first */
} BasinMap;

/* The legend line of start k (index j * res + i). */
int basins_entry_of(const BasinMap *m, int k);

/* The global minima's share of the starts in whole percent (the legend's;
 * 0 when no start settled). */
int basins_global_percent(const BasinMap *m);

/* Runs every start of grid g with cfg's run `run` (its init unused) on
 * `threads` threads and groups the end points into *out. Returns 0, or
 * GD_ERR_RUNTIME when out of memory (then nothing needs freeing). */
int basins_compute(const Config *cfg, const RunConfig *run, const BasinGrid *g, int threads,
                   BasinMap *out, GdError *err);
void basins_free(BasinMap *m); /* NULL-safe, idempotent */

/* Plane coordinates of start (i, j), and its parameter vector. */
void basins_start_uv(const BasinGrid *g, int i, int j, double uv[2]);
void basins_start_params(const BasinGrid *g, int i, int j, double *p);

/* The CSV of --basins: one header line
 * "<param 1>,...,end_<param 1>,...,loss,basin,status", then one row per
 * start in index order: its parameters, where it ends, the loss there, its
 * minimum's number (1 = the global one, 0 for none) and "converged", "not
 * converged" or "diverged". 17 significant digits. Returns 0, or -1 on a
 * write error. */
int basins_write_csv(FILE *f, const Config *cfg, const BasinMap *m);

#endif
