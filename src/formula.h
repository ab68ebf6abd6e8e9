/*
 * formula.h — the expression engine: parse once, evaluate fast, exact gradients.
 *
 * Pipeline place: model stage. config.c compiles [model] formula with the
 * parameter names; sim.c and the renderer evaluate it. No dependencies but libm.
 *
 * Grammar (SPEC section 3): numbers (123, 1.5, .5, 1e-3), x, parameter names,
 * pi, e, + - * / ^ (right-associative, binds tighter than unary minus:
 * -x^2 == -(x^2)), unary minus, parentheses, and the functions
 * sin cos tan exp log sqrt abs tanh sigmoid relu (one argument) and
 * pow min max (two arguments, comma separated).
 *
 * Gradients with respect to every parameter are exact: reverse-mode automatic
 * differentiation over the compiled tape. Conventions at kinks: d|u| = sign(u)
 * (0 at 0), relu'(0) = 0, min/max pick the first argument on ties.
 *
 * A compiled Formula is immutable: evaluation functions may be called from
 * several threads at once.
 */
#ifndef GD_FORMULA_H
#define GD_FORMULA_H

#include <stddef.h>

typedef struct Formula Formula;

/* Deepest nesting of parentheses / operators accepted; deeper is an error,
 * never a stack overflow. */
#define FORMULA_MAX_DEPTH 200

/* Compiles text. param_names[0..nparams-1] are the parameter identifiers.
 * Returns a heap object (free with formula_destroy) or NULL on error; then
 * *err_column is the 1-based column (in bytes) of the offending token and
 * err_msg holds e.g. "unexpected ')'" or "unknown name 'c'" (no column or
 * file prefix; the caller adds them). */
Formula *formula_compile(const char *text, const char *const *param_names, int nparams,
                         int *err_column, char *err_msg, size_t err_size);

/* NULL-safe. */
void formula_destroy(Formula *f);

int formula_nparams(const Formula *f);

/* Value at one x. */
double formula_eval(const Formula *f, double x, const double *params);

/* Value at one x; writes d(value)/d(params[i]) to grad[0..nparams-1]. */
double formula_eval_grad(const Formula *f, double x, const double *params, double *grad);

/* out[i] = formula(x[i]) for i < n. */
void formula_eval_many(const Formula *f, const double *x, int n, const double *params,
                       double *out);

/* Mean squared error over points: (1/m) * sum_k (y[j] - f(x[j]))^2 with
 * j = idx[k] for k < m (or j = k when idx is NULL). If grad is not NULL it
 * receives the exact gradient of that mean with respect to the parameters.
 * Returns the mean. m must be > 0. */
double formula_mse(const Formula *f, const double *x, const double *y, const int *idx, int m,
                   const double *params, double *grad);

#endif
