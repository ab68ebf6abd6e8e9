/*
 * test_sim.c — optimizers (SPEC section 4) against hand-computed first
 * steps, the run loop against hand-computed gradient descent, divergence
 * detection, minibatch determinism and the trajectory CSV layout.
 */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "model/formula.h"
#include "sim/sim.h"
#include "testutil.h"

static RunConfig make_run(OptimizerKind kind, double lr) {
    RunConfig r;
    memset(&r, 0, sizeof r);
    strcpy(r.name, "t");
    strcpy(r.label, "t");
    r.optimizer = kind;
    r.lr = lr;
    r.momentum = 0.9;
    r.beta1 = 0.9;
    r.beta2 = 0.999;
    r.eps = kind == OPT_ADAGRAD ? 1e-10 : 1e-8;
    r.alpha = 0.99;
    return r;
}

/* One step from p = (1, -2) with g = (0.5, -0.25) and lr 0.1. */
static void first_step(OptimizerKind kind, double *p) {
    RunConfig r = make_run(kind, 0.1);
    OptimizerState st;
    memset(&st, 0, sizeof st);
    p[0] = 1.0;
    p[1] = -2.0;
    const double g[2] = {0.5, -0.25};
    optimizer_step(&r, &st, p, g, 2);
    assert_int_equal(st.t, 1);
}

static void test_gd_step(void **state) {
    (void)state;
    double p[2];
    first_step(OPT_GD, p);
    assert_near(p[0], 0.95, 1e-15);
    assert_near(p[1], -1.975, 1e-15);
}

static void test_momentum_two_steps(void **state) {
    (void)state;
    RunConfig r = make_run(OPT_MOMENTUM, 0.1);
    OptimizerState st;
    memset(&st, 0, sizeof st);
    double p[2] = {1.0, -2.0};
    const double g[2] = {0.5, -0.25};
    optimizer_step(&r, &st, p, g, 2); /* v = g: a plain step */
    assert_near(p[0], 0.95, 1e-15);
    assert_near(p[1], -1.975, 1e-15);
    optimizer_step(&r, &st, p, g, 2); /* v = 0.9*0.5 + 0.5 = 0.95 */
    assert_near(st.m[0], 0.95, 1e-15);
    assert_near(p[0], 0.855, 1e-15);
    assert_near(p[1], -1.9275, 1e-15);
}

static void test_nesterov_step(void **state) {
    (void)state;
    double p[2];
    first_step(OPT_NESTEROV, p); /* p - lr*(g + 0.9*g) */
    assert_near(p[0], 0.905, 1e-15);
    assert_near(p[1], -1.9525, 1e-15);
}

static void test_adagrad_step(void **state) {
    (void)state;
    double p[2];
    first_step(OPT_ADAGRAD, p); /* s = g^2: p - lr*g/(|g| + 1e-10) */
    assert_near(p[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-10), 1e-16);
    assert_near(p[0], 0.90000000002, 1e-14);
    assert_near(p[1], -1.90000000004, 1e-14);
}

static void test_rmsprop_step(void **state) {
    (void)state;
    double p[2];
    first_step(OPT_RMSPROP, p); /* s = 0.01 g^2, sqrt(s) = 0.1 |g| */
    /* 1 - 0.05/0.05000001 = 1.9999996e-7, up to the cancellation's ulp */
    assert_near(p[0], 1.9999996e-07, 1e-15);
    assert_near(p[1], -1.0000003999998, 1e-12);
}

static void test_adam_two_steps(void **state) {
    (void)state;
    double p[2];
    first_step(OPT_ADAM, p); /* bias-corrected m = g, v = g^2 */
    assert_near(p[0], 0.900000002, 1e-15);
    assert_near(p[1], -1.900000004, 1e-15);
    /* A second step with another gradient, by hand:
     * m = 0.9*0.05 + 0.1*(-1) = -0.055, v = 0.999*0.00025 + 0.001*1 = 0.00124975
     * mhat = -0.055/0.19, vhat = 0.00124975/0.001999 */
    RunConfig r = make_run(OPT_ADAM, 0.1);
    OptimizerState st;
    memset(&st, 0, sizeof st);
    double q[1] = {0.0};
    double g1[1] = {0.5}, g2[1] = {-1.0};
    optimizer_step(&r, &st, q, g1, 1);
    optimizer_step(&r, &st, q, g2, 1);
    double mhat = -0.055 / 0.19, vhat = 0.00124975 / 0.001999;
    double expect = -0.1 * 0.5 / (0.5 + 1e-8) - 0.1 * mhat / (sqrt(vhat) + 1e-8);
    assert_near(q[0], expect, 1e-15);
}

/* A two-point data set where gradient descent can be done by hand:
 * x = (0, 1), y = (1, 3), f = a*x + b from (0, 0) with lr 0.1. */
static void make_config(Config *cfg, RunConfig *run, double *xs, double *ys) {
    memset(cfg, 0, sizeof *cfg);
    cfg->model.nparams = 2;
    strcpy(cfg->model.params[0], "a");
    strcpy(cfg->model.params[1], "b");
    const char *names[2] = {"a", "b"};
    GdError err;
    assert_int_equal(formula_compile("a*x + b", names, 2, &cfg->model.formula, NULL, &err), GD_OK);
    assert_non_null(cfg->model.formula);
    xs[0] = 0;
    xs[1] = 1;
    ys[0] = 1;
    ys[1] = 3;
    cfg->ndata = 2;
    cfg->data_x = xs;
    cfg->data_y = ys;
    cfg->nruns = 1;
    cfg->runs = run;
}

static void test_gd_by_hand(void **state) {
    (void)state;
    Config cfg;
    RunConfig run = make_run(OPT_GD, 0.1);
    run.steps = 2;
    double xs[2], ys[2];
    make_config(&cfg, &run, xs, ys);
    Trajectory t;
    GdError err;
    assert_int_equal(sim_run(&cfg, &run, &t, &err), 0);
    assert_int_equal(t.nrows, 3);
    /* step 0: residuals (-1, -3): loss 5, grad_a = -3, grad_b = -4 */
    assert_near(t.loss[0], 5.0, 1e-15);
    assert_near(t.grad[0], -3.0, 1e-15);
    assert_near(t.grad[1], -4.0, 1e-15);
    /* step 1: (0.3, 0.4), residuals (-0.6, -2.3) */
    assert_near(t.params[2], 0.3, 1e-15);
    assert_near(t.params[3], 0.4, 1e-15);
    assert_near(t.loss[1], (0.36 + 5.29) / 2, 1e-14);
    assert_near(t.grad[2], -2.3, 1e-14);
    assert_near(t.grad[3], -2.9, 1e-14);
    /* step 2: (0.53, 0.69) */
    assert_near(t.params[4], 0.53, 1e-14);
    assert_near(t.params[5], 0.69, 1e-14);
    assert_int_equal(t.status, RUN_MOVING);
    trajectory_free(&t);
    formula_destroy(cfg.model.formula);
}

static void test_divergence_detected(void **state) {
    (void)state;
    Config cfg;
    /* With lr 2 the b-direction factor is 1 - 2*2*... : the error in b
     * multiplies by about -2.6 or more each step until it passes 1e12. */
    RunConfig run = make_run(OPT_GD, 2.0);
    run.steps = 1000;
    double xs[2], ys[2];
    make_config(&cfg, &run, xs, ys);
    Trajectory t;
    GdError err;
    assert_int_equal(sim_run(&cfg, &run, &t, &err), 0);
    assert_int_equal(t.status, RUN_DIVERGED);
    assert_true(t.diverged_step > 5 && t.diverged_step < 100);
    assert_int_equal(t.nrows, t.diverged_step + 1);
    /* The last row is the first one out of bounds, and only it. */
    int k = t.diverged_step;
    assert_true(t.loss[k] > 1e12 || fabs(t.params[2 * k]) > 1e12 ||
                fabs(t.params[2 * k + 1]) > 1e12);
    assert_true(t.loss[k - 1] <= 1e12);
    char line[256];
    sim_format_summary(line, sizeof line, &cfg, &t);
    char expect[64];
    snprintf(expect, sizeof expect, "diverged at step %d", k);
    assert_non_null(strstr(line, expect));
    trajectory_free(&t);
    formula_destroy(cfg.model.formula);
}

static void test_converged_status(void **state) {
    (void)state;
    Config cfg;
    RunConfig run = make_run(OPT_GD, 0.5);
    run.steps = 500;
    double xs[2], ys[2];
    make_config(&cfg, &run, xs, ys);
    Trajectory t;
    GdError err;
    assert_int_equal(sim_run(&cfg, &run, &t, &err), 0);
    assert_int_equal(t.status, RUN_CONVERGED);
    assert_near(t.params[2 * 500], 2.0, 1e-9); /* exact fit: a = 2, b = 1 */
    assert_near(t.params[2 * 500 + 1], 1.0, 1e-9);
    char line[256];
    sim_format_summary(line, sizeof line, &cfg, &t);
    assert_string_equal(line, "t: a=2 b=1 loss=0 steps=500 converged");
    trajectory_free(&t);
    formula_destroy(cfg.model.formula);
}

static void test_minibatch_deterministic(void **state) {
    (void)state;
    Config cfg;
    RunConfig run = make_run(OPT_GD, 0.1);
    run.steps = 50;
    run.batch = 1;
    run.batch_seed = 7;
    double xs[2], ys[2];
    make_config(&cfg, &run, xs, ys);
    Trajectory t1, t2;
    GdError err;
    assert_int_equal(sim_run(&cfg, &run, &t1, &err), 0);
    assert_int_equal(sim_run(&cfg, &run, &t2, &err), 0);
    assert_memory_equal(t1.params, t2.params, sizeof(double) * 2 * 51);
    /* A one-sample step uses one residual: from (0, 0) either sample 0
     * (grad (0, -2)) or sample 1 (grad (-6, -6)). */
    int took0 = fabs(t1.params[2] - 0.0) < 1e-15 && fabs(t1.params[3] - 0.2) < 1e-15;
    int took1 = fabs(t1.params[2] - 0.6) < 1e-15 && fabs(t1.params[3] - 0.6) < 1e-15;
    assert_true(took0 || took1);
    /* The CSV still reports the full-data loss and gradient. */
    assert_near(t1.loss[0], 5.0, 1e-15);
    run.batch_seed = 8;
    Trajectory t3;
    assert_int_equal(sim_run(&cfg, &run, &t3, &err), 0);
    assert_true(memcmp(t1.params, t3.params, sizeof(double) * 2 * 51) != 0);
    trajectory_free(&t1);
    trajectory_free(&t2);
    trajectory_free(&t3);
    formula_destroy(cfg.model.formula);
}

/* What the trajectory records of each update is what the optimizer used:
 * replaying optimizer_step with the recorded gradients gives every row and
 * every recorded state bit for bit, for every optimizer, full-batch and
 * minibatch; a full-batch run's step gradient is the CSV's grad, a
 * minibatch run's is not. */
static void test_recorded_updates(void **state) {
    (void)state;
    for (int kind = 0; kind < GD_OPTIMIZER_COUNT; kind++) {
        for (int batch = 0; batch <= 1; batch++) {
            Config cfg;
            RunConfig run = make_run((OptimizerKind)kind, 0.05);
            run.steps = 30;
            run.batch = batch;
            run.batch_seed = 3;
            double xs[2], ys[2];
            make_config(&cfg, &run, xs, ys);
            Trajectory t;
            GdError err;
            assert_int_equal(sim_run(&cfg, &run, &t, &err), 0);
            assert_int_equal(t.nrows, 31);
            assert_int_equal(t.step_grad != NULL, batch);
            assert_int_equal(t.state_m != NULL, optimizer_has_m(run.optimizer));
            assert_int_equal(t.state_s != NULL, optimizer_has_s(run.optimizer));
            OptimizerState st;
            memset(&st, 0, sizeof st);
            double p[2] = {t.params[0], t.params[1]};
            int differs = 0;
            for (int k = 0; k + 1 < t.nrows; k++) {
                const double *g = trajectory_step_grad(&t, k);
                differs |= g[0] != t.grad[2 * k] || g[1] != t.grad[2 * k + 1];
                optimizer_step(&run, &st, p, g, 2);
                assert_memory_equal(p, t.params + 2 * (k + 1), sizeof p);
                if (t.state_m)
                    assert_memory_equal(st.m, t.state_m + 2 * (k + 1), 2 * sizeof(double));
                if (t.state_s)
                    assert_memory_equal(st.s, t.state_s + 2 * (k + 1), 2 * sizeof(double));
            }
            assert_int_equal(differs, batch);
            if (t.state_m)
                assert_true(t.state_m[0] == 0 && t.state_m[1] == 0);
            if (t.step_grad)
                assert_true(isnan(t.step_grad[2 * 30]));
            trajectory_free(&t);
            assert_null(t.step_grad);
            assert_null(t.state_m);
            assert_null(t.state_s);
            formula_destroy(cfg.model.formula);
        }
    }
}

static void test_csv_layout(void **state) {
    (void)state;
    Config cfg;
    RunConfig run = make_run(OPT_GD, 0.1);
    run.steps = 1;
    strcpy(run.label, "good, \"one\"");
    double xs[2], ys[2];
    make_config(&cfg, &run, xs, ys);
    Trajectory t;
    GdError err;
    assert_int_equal(sim_run(&cfg, &run, &t, &err), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(sim_write_csv(f, &cfg, &t, 1), 0);
    fclose(f);
    assert_string_equal(buf, "run,step,a,b,loss,grad_a,grad_b\n"
                             "\"good, \"\"one\"\"\",0,0,0,5,-3,-4\n"
                             "\"good, \"\"one\"\"\",1,0.30000000000000004,0.40000000000000002,"
                             "2.8249999999999997,-2.2999999999999998,-2.8999999999999999\n");
    free(buf);
    trajectory_free(&t);
    formula_destroy(cfg.model.formula);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gd_step),          cmocka_unit_test(test_momentum_two_steps),
        cmocka_unit_test(test_nesterov_step),    cmocka_unit_test(test_adagrad_step),
        cmocka_unit_test(test_rmsprop_step),     cmocka_unit_test(test_adam_two_steps),
        cmocka_unit_test(test_gd_by_hand),       cmocka_unit_test(test_divergence_detected),
        cmocka_unit_test(test_converged_status), cmocka_unit_test(test_minibatch_deterministic),
        cmocka_unit_test(test_recorded_updates), cmocka_unit_test(test_csv_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
