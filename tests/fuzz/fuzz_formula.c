/*
 * fuzz_formula.c — libFuzzer harness (b): the formula compiler, the
 * evaluators and the gradient. The input is a formula in x and the
 * parameters a, b, c, w and the families v[1] .. v[3] and u[1], u[2] (for
 * w[k] and sum(k, ...)); bytes after a NUL, if any, replace the parameter
 * values and x samples (8 bytes a double, any bit pattern: NaN, infinities
 * and denormals included). A formula compiles or gets a one-line message
 * with a column inside it; a compiled one evaluates to the same value
 * through every evaluator, and the loss and its gradient do not depend on
 * how the points are handed over.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "model/formula.h"

#define NP 9
#define NX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Equal, or both NaN: the evaluators do the same arithmetic in the same
 * order. */
static int same(double a, double b) {
    return a == b || (a != a && b != b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[NP] = {"a",    "b",    "c",    "w",   "v[1]",
                                          "v[2]", "v[3]", "u[1]", "u[2]"};
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);
    double v[NP + NX] = {1.5, -0.5, 2, 0.25, 0.75, -1.25, 0.5, -2,  1,
                         -1,  -0.5, 0, 0.25, 0.5,  1,     3,   1e-3};
    const uint8_t *raw = data + len + 1;
    size_t nraw = len < size ? size - len - 1 : 0;
    for (size_t i = 0; i < NP + NX && (i + 1) * 8 <= nraw; i++)
        memcpy(&v[i], raw + 8 * i, 8);
    const double *params = v, *x = v + NP;

    Formula *f = NULL;
    int column = 0;
    GdError err;
    int rc = formula_compile_var(text, "x", names, NP, &f, &column, &err);
    if (rc != GD_OK) {
        fuzz_check_error(&err, 0, NULL);
        if (f)
            fuzz_fail("a formula that failed to compile was returned");
        if (err.code == GD_ERR_INPUT && (column < 1 || (size_t)column > len + 1))
            fuzz_fail("column %d outside the formula (%zu bytes): %s", column, len, err.msg);
        free(text);
        return 0;
    }
    if (formula_nparams(f) != NP || formula_tape_length(f) < 1)
        fuzz_fail("a compiled formula of %d parameters and %d nodes", formula_nparams(f),
                  formula_tape_length(f));
    double many[NX], y[NX], grad[NP], grad_mse[NP];
    formula_eval_many(f, x, NX, params, many);
    for (int i = 0; i < NX; i++) {
        double one = formula_eval(f, x[i], params);
        double with_grad = formula_eval_grad(f, x[i], params, grad);
        if (!same(one, with_grad) || !same(one, many[i]))
            fuzz_fail("\"%s\" at x = %g: eval %.17g, eval_grad %.17g, eval_many %.17g", text, x[i],
                      one, with_grad, many[i]);
        y[i] = 0.5 * i;
    }
    double mse = formula_mse(f, x, y, NULL, NX, params, grad_mse);
    double mse_only = formula_mse(f, x, y, NULL, NX, params, NULL);
    if (!same(mse, mse_only))
        fuzz_fail("\"%s\": mse %.17g with the gradient, %.17g without", text, mse, mse_only);
    /* The gradient of the loss over a list of points (idx) is the
     * gradient over those points in that order: the same arithmetic. (It
     * is not compared with the chain rule on formula_eval_grad's: the two
     * add the adjoints in other orders, and a formula like b/b at a tiny b
     * cancels terms of 1e298 there, so they may differ in every digit.) */
    const int order[NX] = {0, 1, 2, 3, 4, 5, 6, 7};
    double grad_idx[NP];
    double mse_idx = formula_mse(f, x, y, order, NX, params, grad_idx);
    if (!same(mse, mse_idx))
        fuzz_fail("\"%s\": mse %.17g over all points, %.17g over their list", text, mse, mse_idx);
    for (int k = 0; k < NP; k++)
        if (!same(grad_mse[k], grad_idx[k]))
            fuzz_fail("\"%s\": d/d%s of the loss %.17g over all points, %.17g over their list",
                      text, names[k], grad_mse[k], grad_idx[k]);
    const int idx[3] = {NX - 1, 0, 3};
    formula_mse(f, x, y, idx, 3, params, grad_mse);
    formula_destroy(f);
    free(text);
    return 0;
}
