/*
 * formula.h — the expression engine: parse once, evaluate fast, exact gradients.
 *
 * Pipeline place: model stage. config/ compiles [model] formula with the
 * parameter names; sim/ and the renderer evaluate it. Depends on libm and
 * base/error.
 *
 * Grammar (SPEC section 3): numbers (123, 1.5, .5, 1e-3), x, parameter names,
 * pi, e, + - * / ^ (right-associative, binds tighter than unary minus:
 * -x^2 == -(x^2)), unary minus, parentheses, and the functions
 * sin cos tan exp log sqrt abs tanh sigmoid relu (one argument) and
 * pow min max (two arguments, comma separated).
 *
 * Numbers are 12, 1.5, .5, 1., 1e-3, 2E+4; unary plus is accepted too.
 * Implicit multiplication is not: "2x" is an error ("missing operator").
 *
 * Gradients with respect to every parameter are exact: reverse-mode automatic
 * differentiation over the compiled tape. Conventions at kinks: d|u| = sign(u)
 * (0 at 0), relu'(0) = 0, min/max pick the first argument on ties.
 * u^v and pow(u, v): a constant exponent c is differentiated as c*u^(c-1)
 * (exact for negative u with integer c; integer |c| <= 64 is computed by
 * repeated multiplication, so (-2)^3 = -8 exactly). When v varies,
 * d/dv = u^v*log(u) for u > 0 and is taken as 0 for u <= 0 (u^v has no
 * derivative in v there; for non-integer v its value is NaN anyway).
 * NaN propagates through every operation, min and max included.
 *
 * A compiled Formula is immutable: evaluation functions may be called from
 * several threads at once.
 */
#ifndef GD_FORMULA_H
#define GD_FORMULA_H

#include <stddef.h>

#include "base/error.h"

typedef struct Formula Formula;

/* Deepest nesting of parentheses / operators accepted; deeper is an error,
 * never a stack overflow. */
#define FORMULA_MAX_DEPTH 200

/* Longest formula text accepted, in bytes. */
#define FORMULA_MAX_LENGTH 8192

/* Compiles text. param_names[0..nparams-1] are the parameter identifiers.
 * On success returns GD_OK and *out is a heap object (free with
 * formula_destroy). On failure *out is NULL, *err_column is the 1-based
 * column (in bytes) of the offending token, and the return value and
 * err->code say why: GD_ERR_INPUT for a bad formula, with err->msg e.g.
 * "unexpected ')'" or "unknown name 'c'" (no column or file prefix; the
 * caller adds them), GD_ERR_RUNTIME when out of memory ("out of memory").
 * err_column and err may be NULL.
 * Messages (X = the offending token as written):
 *   "empty formula"                      "unexpected character 'X'"
 *   "unexpected 'X'"                     "unexpected end of formula"
 *   "missing operator before 'X'"        "malformed number 'X'"
 *   "number out of range 'X'"            "unknown name 'X'"
 *   "unknown function 'X'"               "'X' is not a function"
 *   "expected '(' after 'X'"             "'X' takes N argument(s), got M"
 *   "expected ')' to close '(' at column N"
 *   "formula nested too deeply (more than 200 levels)"
 *   "formula too long (more than 8192 characters)"
 * Nesting counts parentheses, argument lists, unary operators and the right
 * operands of ^; the column is where the limit is crossed. */
int formula_compile(const char *text, const char *const *param_names, int nparams, Formula **out,
                    int *err_column, GdError *err);

/* The same with the data variable named `variable` (an identifier that is
 * neither a constant nor a function) instead of x, e.g. "v" for
 * "a*v + b*v^2"; x is then an ordinary name. */
int formula_compile_var(const char *text, const char *variable, const char *const *param_names,
                        int nparams, Formula **out, int *err_column, GdError *err);

/* NULL-safe. */
void formula_destroy(Formula *f);

/* The formula as written, for showing it (model/typeset): the parser's
 * syntax tree, without constant folding or shared leaves. */
typedef enum {
    FORMULA_SYN_NUMBER,   /* a number; its token is the text as written */
    FORMULA_SYN_VARIABLE, /* the data variable */
    FORMULA_SYN_PARAM,    /* parameter `param` */
    FORMULA_SYN_CONSTANT, /* pi or e (the token says which) */
    FORMULA_SYN_NEG,      /* -a (a unary plus leaves no node) */
    FORMULA_SYN_ADD,      /* a + b */
    FORMULA_SYN_SUB,      /* a - b */
    FORMULA_SYN_MUL,      /* a * b */
    FORMULA_SYN_DIV,      /* a / b */
    FORMULA_SYN_POW,      /* a ^ b */
    FORMULA_SYN_CALL      /* a function (the token is its name) of a, or of a and b */
} FormulaSynKind;

typedef struct FormulaSynNode {
    FormulaSynKind kind;
    int a, b;          /* operands (node indices), -1 where there is none */
    int param;         /* FORMULA_SYN_PARAM: the parameter's index, else -1 */
    size_t start, len; /* the token in the text: a number, a name or a function's name */
} FormulaSynNode;

typedef struct FormulaSyntax {
    int n;                 /* nodes, in postorder: operands before their node */
    int root;              /* the whole formula: n - 1 */
    FormulaSynNode *nodes; /* owned */
} FormulaSyntax;

/* Parses text exactly as formula_compile_var does (same grammar, same
 * errors and columns) into *out (free with formula_syntax_free). Returns
 * GD_OK, or the error with *out empty. */
int formula_parse_syntax(const char *text, const char *variable, const char *const *param_names,
                         int nparams, FormulaSyntax *out, int *err_column, GdError *err);

/* NULL-safe, idempotent. */
void formula_syntax_free(FormulaSyntax *s);

/* What a name means in the formula language itself, whatever the
 * parameters: the data variable x, a constant (pi, e), one of the functions
 * above, or nothing (free to name a parameter). Case-sensitive. */
typedef enum {
    FORMULA_NAME_FREE,
    FORMULA_NAME_X,
    FORMULA_NAME_CONSTANT,
    FORMULA_NAME_FUNCTION
} FormulaName;
FormulaName formula_classify_name(const char *name);

int formula_nparams(const Formula *f);

/* Number of nodes on the compiled tape, after constant folding (x and each
 * parameter count once however often they appear). For tests and tuning. */
int formula_tape_length(const Formula *f);

/* The evaluators allocate nothing for tapes of up to about a hundred nodes
 * (formula_eval and formula_eval_grad: 256); beyond that they malloc
 * scratch, and should that fail they return NaN (and NaN gradients). */

/* Value at one x. */
double formula_eval(const Formula *f, double x, const double *params);

/* Value at one x; writes d(value)/d(params[i]) to grad[0..nparams-1]. */
double formula_eval_grad(const Formula *f, double x, const double *params, double *grad);

/* out[i] = formula(x[i]) for i < n. */
void formula_eval_many(const Formula *f, const double *x, int n, const double *params, double *out);

/* Mean squared error over points: (1/m) * sum_k (y[j] - f(x[j]))^2 with
 * j = idx[k] for k < m (or j = k when idx is NULL). If grad is not NULL it
 * receives the exact gradient of that mean with respect to the parameters.
 * Returns the mean. m must be > 0 (otherwise NaN). */
double formula_mse(const Formula *f, const double *x, const double *y, const int *idx, int m,
                   const double *params, double *grad);

/* formula_mse for n parameter vectors at once (params: n rows of nparams
 * values): loss[s], and grad's row s when grad is not NULL, are bit for
 * bit what formula_mse(f, x, y, idx, m, params + s * nparams, grad row s)
 * gives, whatever n and whichever other vectors come along. The vectors
 * are evaluated side by side, one vector lane each, so the sin and cos
 * loops vectorise across them (the basin map's thousands of starts).
 * Returns 0, or -1 when its scratch cannot be allocated (then every loss
 * and gradient is NaN). */
int formula_mse_many(const Formula *f, const double *x, const double *y, const int *idx, int m,
                     int n, const double *params, double *loss, double *grad);

#endif
