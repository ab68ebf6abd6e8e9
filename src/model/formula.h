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
 * pow min max (two arguments, comma separated), and sum(k, EXPR).
 *
 * Indexed parameters (SPEC section 3): a parameter named IDENT[i] (e.g.
 * "w[3]", as config/ expands "params = w[8]" into "w[1]" .. "w[8]")
 * belongs to the family IDENT, whose length is the number of such names
 * (declared as IDENT[1] .. IDENT[n]). In a formula, w[3] (a decimal
 * integer literal) is that parameter, and sum(k, EXPR) is EXPR added up
 * for k = 1 .. n, where n is the length of every family indexed by k in
 * EXPR (w[k]); k may also appear as a number in EXPR (sum(k, k*w[k])).
 * Sums nest with distinct index names. The index name must be free: not
 * the data variable, a parameter, a family, pi, e, a function (sum
 * included) or an enclosing sum's index. Sums are unrolled onto the tape
 * at compile time, left to right ((term 1 + term 2) + term 3 ...), so
 * gradients stay exact.
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

/* Most parameters a formula takes (nparams is 1 .. this). */
#define FORMULA_MAX_PARAMS 256

/* Most tokens a formula may have once its sums are written out (each sum's
 * body counted once per term, nested sums multiplied out); more is an
 * error, never a runaway compile. */
#define FORMULA_MAX_EXPANDED 262144

/* Compiles text. param_names[0..nparams-1] are the parameter identifiers
 * (1 <= nparams <= FORMULA_MAX_PARAMS): plain names, or IDENT[i] for the
 * members of a family (above).
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
 *   "a formula takes 1 to 256 parameters, got N"   (column 1)
 * Indexed parameters and sums (w a family of 8, u one of 4, k a sum
 * index; the column is that of the token in quotes, unless noted):
 *   "index 9 out of range for 'w' (w[1] .. w[8])"        (the index)
 *   "index 1.5 is not a whole number"                    (the index)
 *   "expected a number or a sum index inside '[ ]'"      (the token after '[')
 *   "'j' is not the index of an enclosing sum(j, ...)"   (j inside '[ ]')
 *   "'k' is used outside its sum(k, ...)"                (k after its sum)
 *   "expected ']' to close '[' at column N"              (the token instead)
 *   "'w' is a family of 8 parameters: write w[1] .. w[8], or w[k] inside
 *    sum(k, ...)"                                        (bare w; one line)
 *   "'a' is not a parameter family"                      (a[1], a a parameter,
 *                                                         x, pi, e or an index)
 *   "unknown name 'q'"                                   (q[1], q unknown)
 *   "sum over 'k': 'w' has 8 parameters but 'u' has 4"   (u)
 *   "sum over 'k' indexes no parameter family (write e.g. w[k])"   (k in sum(k,)
 *   "expected an index name after 'sum(', as in sum(k, w[k])"      (that token)
 *   "'x' cannot be a sum index: it is the data variable"  (likewise "a
 *    constant", "a function", "a parameter", "a parameter family")
 *   "'k' cannot be a sum index: it is already an enclosing sum's index"
 *   "expected ',' after the sum index 'k'"               (the token instead)
 *   "'sum' takes 2 arguments, got M"                     ('sum')
 *   "expected '(' after 'sum'"
 *   "no parameter 'w[2]'"   (w) when the names skip w[2] (w[1], w[3]:
 *                           a family of 2 without its second member)
 *   "formula too large once its sums are written out (more than 262144
 *    tokens)"                                            (the sum crossing it)
 * Nesting counts parentheses, argument lists (sum's included), unary
 * operators and the right operands of ^; the column is where the limit is
 * crossed. */
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
    FORMULA_SYN_CALL,     /* a function (the token is its name) of a, or of a and b */
    FORMULA_SYN_INDEXED,  /* w[3] or w[k]: the token is the family's name (w), index_start
                             and index_len the index as written (3 or k); param is the
                             parameter's index for a number, -1 for a sum index; count
                             is the family's length */
    FORMULA_SYN_INDEX,    /* a sum's index used as a number (sum(k, k*w[k])); the token
                             is its name */
    FORMULA_SYN_SUM       /* sum(k, a): the token is the index's name (k), count the
                             number of terms */
} FormulaSynKind;

typedef struct FormulaSynNode {
    FormulaSynKind kind;
    int a, b;          /* operands (node indices), -1 where there is none */
    int param;         /* FORMULA_SYN_PARAM (and INDEXED w[3]): the parameter's index, else -1 */
    size_t start, len; /* the token in the text: a number, a name or a function's name */
    size_t index_start, index_len; /* FORMULA_SYN_INDEXED: the index token, else 0 */
    int count;                     /* FORMULA_SYN_INDEXED, FORMULA_SYN_SUM (above), else 0 */
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
 * above (sum included), or nothing (free to name a parameter).
 * Case-sensitive. */
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
 * (formula_eval and formula_eval_grad: 256; the 8-unit network
 * sum(k, w[k]*tanh(v[k]*x + c[k])) + d has 66); beyond that they malloc
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
