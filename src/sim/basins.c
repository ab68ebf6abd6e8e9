/*
 * basins.c — the basin map: every start of a grid run to its end, then
 * grouped into minima (see basins.h).
 *
 * A batch of starts is run as sim_run runs one: row k's loss and the
 * divergence test, then (until the last step) the update with the
 * full-data gradient (or the minibatch's, from the same shuffles), the
 * "converged" test after the last update. The starts of a batch share the
 * step counter; one that diverges leaves the batch, the rest go on.
 */
#include "sim/basins.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/parallel.h"
#include "base/rng.h"
#include "model/formula.h"

/* Starts per batch: what one call of formula_mse_many evaluates, and the
 * unit the threads take one at a time. */
#define BATCH 128

typedef struct Job {
    const Config *cfg;
    const RunConfig *run;
    const BasinGrid *g;
    BasinMap *m;
    int nbatches;
    atomic_int next;   /* the next batch to take */
    atomic_int failed; /* out of memory somewhere */
} Job;

/* A batch's scratch. */
typedef struct Lanes {
    double *p, *act, *loss, *grad; /* BATCH * np, ... (act: the active starts' parameters) */
    OptimizerState *st;
    int *alive; /* indices (within the batch) of the starts still running */
    int *idx;   /* minibatch index list */
} Lanes;

static void lanes_free(Lanes *l) {
    free(l->p);
    free(l->act);
    free(l->loss);
    free(l->grad);
    free(l->st);
    free(l->alive);
    free(l->idx);
}

static int lanes_init(Lanes *l, int np, int ndata, int batch) {
    memset(l, 0, sizeof *l);
    l->p = malloc(sizeof(double) * BATCH * (size_t)np);
    l->act = malloc(sizeof(double) * BATCH * (size_t)np);
    l->loss = malloc(sizeof(double) * BATCH);
    l->grad = malloc(sizeof(double) * BATCH * (size_t)np);
    l->st = malloc(sizeof(OptimizerState) * BATCH);
    l->alive = malloc(sizeof(int) * BATCH);
    if (batch > 0)
        l->idx = malloc(sizeof(int) * (size_t)ndata);
    if (!l->p || !l->act || !l->loss || !l->grad || !l->st || !l->alive || (batch > 0 && !l->idx)) {
        lanes_free(l);
        return -1;
    }
    return 0;
}

/* Starts [s0, s0 + n) of the map, to their ends. */
static int run_batch(const Job *J, Lanes *l, int s0, int n) {
    const Config *cfg = J->cfg;
    const RunConfig *run = J->run;
    const Formula *f = cfg->model.formula;
    const int np = cfg->model.nparams, res = J->g->res;
    BasinMap *m = J->m;
    for (int s = 0; s < n; s++) {
        int k = s0 + s;
        basins_start_params(J->g, k % res, k / res, l->p + (size_t)s * np);
        memset(&l->st[s], 0, sizeof l->st[s]);
        l->alive[s] = s;
        m->status[k] = RUN_MOVING;
    }
    int nalive = n;
    GdRng rng;
    int cursor = cfg->ndata; /* as sim_run: a shuffle before the first minibatch */
    if (l->idx) {
        rng_seed(&rng, run->batch_seed);
        for (int i = 0; i < cfg->ndata; i++)
            l->idx[i] = i;
    }
    for (int step = 0; nalive > 0; step++) {
        for (int a = 0; a < nalive; a++)
            memcpy(l->act + (size_t)a * np, l->p + (size_t)l->alive[a] * np,
                   sizeof(double) * (size_t)np);
        /* Row `step`: its loss (and, full-batch, the gradient the update
         * takes). */
        if (formula_mse_many(f, cfg->data_x, cfg->data_y, NULL, cfg->ndata, nalive, l->act, l->loss,
                             l->idx ? NULL : l->grad) != 0)
            return -1;
        int kept = 0;
        for (int a = 0; a < nalive; a++) {
            const int s = l->alive[a], k = s0 + s;
            const double *p = l->p + (size_t)s * np;
            int bad = sim_value_diverged(l->loss[a]);
            for (int i = 0; i < np; i++)
                bad |= sim_value_diverged(p[i]);
            m->loss[k] = l->loss[a];
            memcpy(m->end + (size_t)k * np, p, sizeof(double) * (size_t)np);
            if (bad) {
                m->status[k] = RUN_DIVERGED;
                continue;
            }
            /* the survivors, compacted with their gradients */
            l->alive[kept] = s;
            if (kept != a) {
                memcpy(l->act + (size_t)kept * np, l->act + (size_t)a * np,
                       sizeof(double) * (size_t)np);
                memcpy(l->grad + (size_t)kept * np, l->grad + (size_t)a * np,
                       sizeof(double) * (size_t)np);
            }
            kept++;
        }
        nalive = kept;
        if (step == run->steps || nalive == 0)
            break;
        if (l->idx) {
            if (cursor + run->batch > cfg->ndata) {
                rng_shuffle(&rng, l->idx, cfg->ndata);
                cursor = 0;
            }
            if (formula_mse_many(f, cfg->data_x, cfg->data_y, l->idx + cursor, run->batch, nalive,
                                 l->act, l->loss, l->grad) != 0)
                return -1;
            cursor += run->batch;
        }
        const int last = step + 1 == run->steps;
        for (int a = 0; a < nalive; a++) {
            const int s = l->alive[a];
            double *p = l->p + (size_t)s * np, before[GD_MAX_PARAMS];
            memcpy(before, p, sizeof(double) * (size_t)np);
            optimizer_step(run, &l->st[s], p, l->grad + (size_t)a * np, np);
            if (!last)
                continue;
            /* "Converged": the last update no longer moved the point. */
            int still = 1;
            for (int i = 0; i < np; i++)
                if (!(fabs(p[i] - before[i]) <= 1e-6 * (1.0 + fabs(p[i]))))
                    still = 0;
            if (still)
                m->status[s0 + s] = RUN_CONVERGED;
        }
    }
    return 0;
}

static void worker(void *ctx, int lo, int hi) {
    Job *J = ctx;
    (void)lo;
    (void)hi;
    Lanes l;
    if (lanes_init(&l, J->cfg->model.nparams, J->cfg->ndata, J->run->batch) != 0) {
        atomic_store(&J->failed, 1);
        return;
    }
    for (;;) {
        int b = atomic_fetch_add(&J->next, 1);
        if (b >= J->nbatches || atomic_load(&J->failed))
            break;
        int s0 = b * BATCH, n = J->m->nstarts - s0 < BATCH ? J->m->nstarts - s0 : BATCH;
        if (run_batch(J, &l, s0, n) != 0)
            atomic_store(&J->failed, 1);
    }
    lanes_free(&l);
}

static double distance(const double *a, const double *b, int n) {
    double d = 0;
    for (int i = 0; i < n; i++)
        d += (a[i] - b[i]) * (a[i] - b[i]);
    return sqrt(d);
}

/* Largest remainders: shares of counts[0..n) of total in whole percent
 * that sum to 100 (ties to the earlier). */
static void round_shares(const int *counts, int n, int total, int *pct) {
    int sum = 0;
    for (int i = 0; i < n; i++) {
        pct[i] = (int)((long long)counts[i] * 100 / total);
        sum += pct[i];
    }
    while (sum < 100) {
        int best = -1;
        long long best_rem = -1;
        for (int i = 0; i < n; i++) {
            long long rem = (long long)counts[i] * 100 - (long long)pct[i] * total;
            if (counts[i] > 0 && rem > best_rem) {
                best_rem = rem;
                best = i;
            }
        }
        pct[best]++;
        sum++;
    }
}

/* The legend (see basins.h); counts and pct: scratch of nminima + 4. */
static void legend(BasinMap *m, int *counts, int *pct) {
    const int n = m->nminima;
    BasinEntry *e = m->entry;
    int ne = 0;
    m->nglobal = 0;
    for (int q = 0; q < n; q++)
        if (m->minima[q].loss <= m->minima[0].loss + BASIN_GLOBAL_REL * fabs(m->minima[0].loss))
            m->nglobal = q + 1;
    if (m->nglobal > 0) {
        e[ne] = (BasinEntry){BASIN_ENTRY_GLOBAL, m->nglobal, 0, m->minima[0].loss, 0, 0};
        for (int q = 0; q < m->nglobal; q++) {
            e[ne].count += m->minima[q].count;
            m->minima[q].entry = ne;
        }
        ne++;
    }
    /* The local minima most starts reach, most first (ties: lower loss). */
    int listed = 0, others = 0, other_count = 0;
    for (int q = m->nglobal; q < n; q++)
        m->minima[q].entry = -1;
    while (listed < BASIN_LEGEND_LOCAL) {
        int best = -1;
        for (int q = m->nglobal; q < n; q++)
            if (m->minima[q].entry < 0 && (best < 0 || m->minima[q].count > m->minima[best].count))
                best = q;
        if (best < 0)
            break;
        e[ne] = (BasinEntry){BASIN_ENTRY_LOCAL,     1, best, m->minima[best].loss,
                             m->minima[best].count, 0};
        m->minima[best].entry = ne++;
        listed++;
    }
    for (int q = m->nglobal; q < n; q++)
        if (m->minima[q].entry < 0) {
            m->minima[q].entry = ne;
            others++;
            other_count += m->minima[q].count;
        }
    if (others > 0)
        e[ne++] = (BasinEntry){BASIN_ENTRY_OTHERS, others, 0, 0, other_count, 0};
    if (m->nmoving > 0)
        e[ne++] = (BasinEntry){BASIN_ENTRY_MOVING, 0, 0, 0, m->nmoving, 0};
    if (m->ndiverged > 0)
        e[ne++] = (BasinEntry){BASIN_ENTRY_DIVERGED, 0, 0, 0, m->ndiverged, 0};
    for (int i = 0; i < ne; i++)
        counts[i] = e[i].count;
    round_shares(counts, ne, m->nstarts, pct);
    for (int i = 0; i < ne; i++)
        e[i].percent = pct[i];
    m->nentries = ne;
}

/* A minimum while grouping: its number in founding order, its founder
 * (the first start to reach it) and its lowest loss. */
typedef struct Found {
    int old, first;
    double loss;
} Found;

/* By loss, then by founder: a total order, so the numbering is the same
 * whatever qsort does with equal keys. */
static int by_loss(const void *a, const void *b) {
    const Found *x = a, *y = b;
    if (x->loss != y->loss)
        return x->loss < y->loss ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

/* The minima of the converged starts, in start order (see basins.h);
 * numbered by loss; shares in percent. */
static int group(BasinMap *m) {
    const int np = m->grid.nparams;
    int cap = 16, rc = -1;
    BasinMinimum *mins = malloc(sizeof *mins * (size_t)cap);
    Found *found = malloc(sizeof *found * (size_t)cap);
    int *renumber = NULL, *counts = NULL, *pct = NULL;
    if (!mins || !found)
        goto done;
    int n = 0;
    for (int k = 0; k < m->nstarts; k++) {
        m->basin[k] = BASIN_NONE;
        m->ndiverged += m->status[k] == RUN_DIVERGED;
        m->nmoving += m->status[k] == RUN_MOVING;
        if (m->status[k] != RUN_CONVERGED)
            continue;
        const double *e = m->end + (size_t)k * np;
        int best = -1;
        double best_d = m->tolerance;
        for (int q = 0; q < n; q++) {
            double d = distance(e, m->end + (size_t)found[q].first * np, np);
            if (d < best_d || (d == 0 && best < 0)) {
                best = q;
                best_d = d;
            }
        }
        if (best < 0) {
            if (n == cap) {
                cap *= 2;
                BasinMinimum *mm = realloc(mins, sizeof *mm * (size_t)cap);
                if (mm)
                    mins = mm;
                Found *ff = realloc(found, sizeof *ff * (size_t)cap);
                if (ff)
                    found = ff;
                if (!mm || !ff)
                    goto done;
            }
            best = n++;
            memset(&mins[best], 0, sizeof mins[best]);
            mins[best].loss = INFINITY;
            found[best].old = best;
            found[best].first = k;
        }
        BasinMinimum *b = &mins[best];
        b->count++;
        if (m->loss[k] < b->loss) {
            b->loss = m->loss[k];
            memcpy(b->p, e, sizeof(double) * (size_t)np);
        }
        m->basin[k] = best;
    }
    for (int q = 0; q < n; q++)
        found[q].loss = mins[q].loss;
    qsort(found, (size_t)n, sizeof *found, by_loss);
    renumber = malloc(sizeof *renumber * (size_t)(n + 1));
    counts = malloc(sizeof *counts * (size_t)(n + 4));
    pct = malloc(sizeof *pct * (size_t)(n + 4));
    m->minima = malloc(sizeof *m->minima * (size_t)(n + 1));
    if (!renumber || !counts || !pct || !m->minima)
        goto done;
    for (int q = 0; q < n; q++) {
        renumber[found[q].old] = q;
        m->minima[q] = mins[found[q].old];
    }
    m->nminima = n;
    for (int k = 0; k < m->nstarts; k++)
        if (m->basin[k] != BASIN_NONE)
            m->basin[k] = renumber[m->basin[k]];
    legend(m, counts, pct);
    rc = 0;
done:
    free(mins);
    free(found);
    free(renumber);
    free(counts);
    free(pct);
    return rc;
}

/* ---- module functions ---------------------------------------------------- */

int basins_entry_of(const BasinMap *m, int k) {
    for (int i = 0; i < m->nentries; i++) {
        BasinEntryKind kind = m->entry[i].kind;
        if ((m->status[k] == RUN_MOVING && kind == BASIN_ENTRY_MOVING) ||
            (m->status[k] == RUN_DIVERGED && kind == BASIN_ENTRY_DIVERGED))
            return i;
    }
    return m->basin[k] != BASIN_NONE ? m->minima[m->basin[k]].entry : 0;
}

int basins_global_percent(const BasinMap *m) {
    return m->nentries > 0 && m->entry[0].kind == BASIN_ENTRY_GLOBAL ? m->entry[0].percent : 0;
}

void basins_start_uv(const BasinGrid *g, int i, int j, double uv[2]) {
    uv[0] = g->lo[0] + (i + 0.5) * (g->hi[0] - g->lo[0]) / g->res;
    uv[1] = g->lo[1] + (j + 0.5) * (g->hi[1] - g->lo[1]) / g->res;
}

void basins_start_params(const BasinGrid *g, int i, int j, double *p) {
    double uv[2];
    basins_start_uv(g, i, j, uv);
    for (int q = 0; q < g->nparams; q++)
        p[q] = g->origin[q] + uv[0] * g->dir[0][q] + uv[1] * g->dir[1][q];
}

int basins_compute(const Config *cfg, const RunConfig *run, const BasinGrid *g, int threads,
                   BasinMap *out, GdError *err) {
    memset(out, 0, sizeof *out);
    out->grid = *g;
    const int np = g->nparams, n = g->res * g->res;
    const double du = g->hi[0] - g->lo[0], dv = g->hi[1] - g->lo[1];
    out->tolerance = g->tolerance >= 0 ? g->tolerance : 1e-3 * sqrt(du * du + dv * dv);
    out->nstarts = n;
    out->end = malloc(sizeof(double) * (size_t)n * (size_t)np);
    out->loss = malloc(sizeof(double) * (size_t)n);
    out->status = malloc((size_t)n);
    out->basin = malloc(sizeof(int) * (size_t)n);
    if (!out->end || !out->loss || !out->status || !out->basin)
        goto oom;
    Job job = {cfg, run, g, out, (n + BATCH - 1) / BATCH, 0, 0};
    int nt = threads < 1 ? 1 : threads > job.nbatches ? job.nbatches : threads;
    parallel_for(nt, nt, worker, &job);
    if (atomic_load(&job.failed) || group(out) != 0)
        goto oom;
    return 0;
oom:
    basins_free(out);
    return gd_error(err, GD_ERR_RUNTIME, "out of memory computing the basin map");
}

void basins_free(BasinMap *m) {
    if (!m)
        return;
    free(m->end);
    free(m->loss);
    free(m->status);
    free(m->basin);
    free(m->minima);
    memset(m, 0, sizeof *m);
}

int basins_write_csv(FILE *f, const Config *cfg, const BasinMap *m) {
    const int np = cfg->model.nparams;
    for (int i = 0; i < np; i++)
        fprintf(f, "%s,", cfg->model.params[i]);
    for (int i = 0; i < np; i++)
        fprintf(f, "end_%s,", cfg->model.params[i]);
    fputs("loss,basin,status\n", f);
    double p[GD_MAX_PARAMS];
    for (int k = 0; k < m->nstarts; k++) {
        basins_start_params(&m->grid, k % m->grid.res, k / m->grid.res, p);
        /* sim_csv_number writes ",<number>": the first column without it */
        for (int i = 0; i < np; i++) {
            char buf[64];
            if (isnan(p[i]))
                snprintf(buf, sizeof buf, "nan");
            else
                snprintf(buf, sizeof buf, "%.17g", p[i]);
            fprintf(f, i ? ",%s" : "%s", buf);
        }
        for (int i = 0; i < np; i++)
            sim_csv_number(f, m->end[(size_t)k * np + i]);
        sim_csv_number(f, m->loss[k]);
        static const char *const names[] = {"converged", "not converged", "diverged"};
        int st = m->status[k] <= RUN_DIVERGED ? m->status[k] : RUN_DIVERGED;
        if (fprintf(f, ",%d,%s\n", m->basin[k] == BASIN_NONE ? 0 : m->basin[k] + 1, names[st]) < 0)
            return -1;
    }
    return ferror(f) ? -1 : 0;
}
