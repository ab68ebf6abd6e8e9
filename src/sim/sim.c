/*
 * sim.c — optimizers, runs and trajectories (see sim.h).
 *
 * Each run starts at its init, then takes `steps` optimizer updates. Row k of
 * its trajectory holds the parameters after k updates with the full-data loss
 * and gradient there, whatever gradient (full or minibatch) drove the update.
 *
 * Pipeline place: sim stage, after config and model. Depends on
 * model/formula (loss and gradients) and base/rng (minibatch shuffles).
 */
#include "sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "model/formula.h"

void optimizer_step(const RunConfig *run, OptimizerState *st, double *p, const double *g, int n) {
    st->t++;
    const double lr = run->lr;
    switch (run->optimizer) {
    case OPT_GD:
        for (int i = 0; i < n; i++)
            p[i] -= lr * g[i];
        break;
    case OPT_MOMENTUM:
        for (int i = 0; i < n; i++) {
            st->m[i] = run->momentum * st->m[i] + g[i];
            p[i] -= lr * st->m[i];
        }
        break;
    case OPT_NESTEROV:
        for (int i = 0; i < n; i++) {
            st->m[i] = run->momentum * st->m[i] + g[i];
            p[i] -= lr * (g[i] + run->momentum * st->m[i]);
        }
        break;
    case OPT_ADAGRAD:
        for (int i = 0; i < n; i++) {
            st->s[i] += g[i] * g[i];
            p[i] -= lr * g[i] / (sqrt(st->s[i]) + run->eps);
        }
        break;
    case OPT_RMSPROP:
        for (int i = 0; i < n; i++) {
            st->s[i] = run->alpha * st->s[i] + (1.0 - run->alpha) * g[i] * g[i];
            p[i] -= lr * g[i] / (sqrt(st->s[i]) + run->eps);
        }
        break;
    case OPT_ADAM: {
        /* pow with an integer exponent is exact enough and the same on every
         * libc for these arguments; keep the SPEC's bias-corrected form
         * literally so independent implementations agree to the last bits. */
        const double c1 = 1.0 - pow(run->beta1, (double)st->t);
        const double c2 = 1.0 - pow(run->beta2, (double)st->t);
        for (int i = 0; i < n; i++) {
            st->m[i] = run->beta1 * st->m[i] + (1.0 - run->beta1) * g[i];
            st->s[i] = run->beta2 * st->s[i] + (1.0 - run->beta2) * g[i] * g[i];
            p[i] -= lr * (st->m[i] / c1) / (sqrt(st->s[i] / c2) + run->eps);
        }
        break;
    }
    }
}

int sim_value_diverged(double v) {
    return !isfinite(v) || fabs(v) > SIM_DIVERGE_LIMIT;
}

int optimizer_has_m(OptimizerKind k) {
    return k == OPT_MOMENTUM || k == OPT_NESTEROV || k == OPT_ADAM;
}

int optimizer_has_s(OptimizerKind k) {
    return k == OPT_ADAGRAD || k == OPT_RMSPROP || k == OPT_ADAM;
}

void trajectory_free(Trajectory *t) {
    if (t == NULL)
        return;
    free(t->params);
    free(t->loss);
    free(t->grad);
    free(t->step_grad);
    free(t->state_m);
    free(t->state_s);
    t->params = t->loss = t->grad = NULL;
    t->step_grad = t->state_m = t->state_s = NULL;
    t->nrows = 0;
}

const double *trajectory_step_grad(const Trajectory *t, int k) {
    const double *g = t->step_grad ? t->step_grad : t->grad;
    return g + (size_t)k * t->nparams;
}

int sim_run(const Config *cfg, const RunConfig *run, Trajectory *out, GdError *err) {
    const int np = cfg->model.nparams;
    const int rows = run->steps + 1;
    memset(out, 0, sizeof *out);
    out->run = run;
    out->nparams = np;
    out->params = malloc(sizeof(double) * (size_t)rows * (size_t)np);
    out->loss = malloc(sizeof(double) * (size_t)rows);
    out->grad = malloc(sizeof(double) * (size_t)rows * (size_t)np);
    const size_t row_bytes = sizeof(double) * (size_t)np;
    int *idx = NULL;
    int lost = 0; /* an optional array that could not be allocated */
    if (run->batch > 0) {
        idx = malloc(sizeof(int) * (size_t)cfg->ndata);
        out->step_grad = malloc(row_bytes * (size_t)rows);
        lost |= !idx || !out->step_grad;
    }
    if (optimizer_has_m(run->optimizer)) {
        out->state_m = calloc((size_t)rows, row_bytes);
        lost |= !out->state_m;
    }
    if (optimizer_has_s(run->optimizer)) {
        out->state_s = calloc((size_t)rows, row_bytes);
        lost |= !out->state_s;
    }
    if (!out->params || !out->loss || !out->grad || lost) {
        free(idx);
        trajectory_free(out);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory simulating run \"%s\"", run->label);
    }

    const Formula *f = cfg->model.formula;
    double p[GD_MAX_PARAMS], g[GD_MAX_PARAMS];
    memcpy(p, run->init, sizeof(double) * (size_t)np);
    OptimizerState st;
    memset(&st, 0, sizeof st);
    GdRng rng;
    int cursor = cfg->ndata; /* forces a shuffle before the first minibatch */
    if (idx) {
        rng_seed(&rng, run->batch_seed);
        for (int i = 0; i < cfg->ndata; i++)
            idx[i] = i;
    }

    out->status = RUN_MOVING;
    int k = 0;
    for (;;) {
        double *row_p = out->params + (size_t)k * np;
        double *row_g = out->grad + (size_t)k * np;
        memcpy(row_p, p, sizeof(double) * (size_t)np);
        out->loss[k] = formula_mse(f, cfg->data_x, cfg->data_y, NULL, cfg->ndata, p, row_g);
        int bad = sim_value_diverged(out->loss[k]);
        for (int i = 0; i < np; i++)
            bad |= sim_value_diverged(p[i]);
        if (bad) {
            out->status = RUN_DIVERGED;
            out->diverged_step = k;
            break;
        }
        if (k == run->steps)
            break;
        if (idx) {
            /* An epoch is a fresh permutation; a tail shorter than a batch
             * is skipped so every step sees exactly `batch` samples. */
            if (cursor + run->batch > cfg->ndata) {
                rng_shuffle(&rng, idx, cfg->ndata);
                cursor = 0;
            }
            formula_mse(f, cfg->data_x, cfg->data_y, idx + cursor, run->batch, p, g);
            cursor += run->batch;
            memcpy(out->step_grad + (size_t)k * np, g, row_bytes);
        } else {
            memcpy(g, row_g, row_bytes);
        }
        double before[GD_MAX_PARAMS];
        memcpy(before, p, row_bytes);
        optimizer_step(run, &st, p, g, np);
        k++;
        if (out->state_m)
            memcpy(out->state_m + (size_t)k * np, st.m, row_bytes);
        if (out->state_s)
            memcpy(out->state_s + (size_t)k * np, st.s, row_bytes);
        if (k == run->steps) {
            /* "Converged" means the last update no longer moved the point. */
            int still = 1;
            for (int i = 0; i < np; i++)
                if (!(fabs(p[i] - before[i]) <= 1e-6 * (1.0 + fabs(p[i]))))
                    still = 0;
            if (still)
                out->status = RUN_CONVERGED;
        }
    }
    out->nrows = k + 1;
    if (out->step_grad) /* no update leaves the last row */
        for (int i = 0; i < np; i++)
            out->step_grad[(size_t)k * np + i] = NAN;
    free(idx);
    return 0;
}

int sim_run_all(const Config *cfg, Trajectory *trajs, GdError *err) {
    for (int r = 0; r < cfg->nruns; r++) {
        int rc = sim_run(cfg, &cfg->runs[r], &trajs[r], err);
        if (rc != 0) {
            for (int j = 0; j < r; j++)
                trajectory_free(&trajs[j]);
            return rc;
        }
    }
    return 0;
}

/* A number with 17 significant digits; NaN always as "nan" (printf may
 * write "-nan", and the sign of a NaN differs between machines). */
void sim_csv_number(FILE *f, double v) {
    if (isnan(v))
        fputs(",nan", f);
    else
        fprintf(f, ",%.17g", v);
}

/* CSV fields may contain commas or quotes only in labels; quote those. */
int sim_csv_field(FILE *f, const char *s) {
    if (strpbrk(s, ",\"\n\r") == NULL)
        return fputs(s, f) < 0 ? -1 : 0;
    if (fputc('"', f) == EOF)
        return -1;
    for (; *s; s++) {
        if (*s == '"' && fputc('"', f) == EOF)
            return -1;
        if (fputc(*s, f) == EOF)
            return -1;
    }
    return fputc('"', f) == EOF ? -1 : 0;
}

int sim_write_csv(FILE *f, const Config *cfg, const Trajectory *trajs, int n) {
    return sim_write_csv_with(f, cfg, trajs, n, NULL, NULL, NULL);
}

int sim_write_csv_with(FILE *f, const Config *cfg, const Trajectory *trajs, int n,
                       const char *extra_header, SimCsvExtra extra, void *ctx) {
    const int np = cfg->model.nparams;
    if (fputs("run,step", f) < 0)
        return -1;
    for (int i = 0; i < np; i++)
        fprintf(f, ",%s", cfg->model.params[i]);
    fputs(",loss", f);
    for (int i = 0; i < np; i++)
        fprintf(f, ",grad_%s", cfg->model.params[i]);
    if (extra_header)
        fputs(extra_header, f);
    fputc('\n', f);
    for (int r = 0; r < n; r++) {
        const Trajectory *t = &trajs[r];
        for (int k = 0; k < t->nrows; k++) {
            if (sim_csv_field(f, t->run->label) != 0)
                return -1;
            fprintf(f, ",%d", k);
            for (int i = 0; i < np; i++)
                sim_csv_number(f, t->params[(size_t)k * np + i]);
            sim_csv_number(f, t->loss[k]);
            for (int i = 0; i < np; i++)
                sim_csv_number(f, t->grad[(size_t)k * np + i]);
            if (extra)
                extra(f, t, k, ctx);
            if (fputc('\n', f) == EOF)
                return -1;
        }
    }
    return ferror(f) ? -1 : 0;
}

void sim_format_summary(char *buf, size_t size, const Config *cfg, const Trajectory *t) {
    const int np = cfg->model.nparams;
    const int last = t->nrows - 1;
    char num[GD_MAX_PARAMS + 1][32];
    for (int i = 0; i <= np; i++) {
        double v = i < np ? t->params[(size_t)last * np + i] : t->loss[last];
        if (isnan(v))
            snprintf(num[i], sizeof num[i], "nan");
        else
            snprintf(num[i], sizeof num[i], "%.8g", v);
    }
    size_t used = (size_t)snprintf(buf, size, "%s:", t->run->label);
    for (int i = 0; i < np && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " %s=%s", cfg->model.params[i], num[i]);
    if (used >= size)
        return;
    if (t->status == RUN_DIVERGED)
        snprintf(buf + used, size - used, " loss=%s steps=%d diverged at step %d", num[np], last,
                 t->diverged_step);
    else
        snprintf(buf + used, size - used, " loss=%s steps=%d %s", num[np], last,
                 t->status == RUN_CONVERGED ? "converged" : "not converged");
}
