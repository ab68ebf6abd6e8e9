/*
 * test_formula.c — the formula engine: parsing (precedence, numbers,
 * functions), every error message with its column, nesting limits, exact
 * gradients against finite differences, and formula_mse against a direct
 * loop over formula_eval_grad, and formula_mse_many bit for bit against
 * formula_mse; indexed parameters and sums: values, gradients (the
 * 25-parameter network among them), every message, 256 parameters.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/formula.h"

static const char *const PARAMS[] = {"a", "b", "c"};

/* ---- helpers ----------------------------------------------------------- */

/* Fixed-seed generator (splitmix64) so every run checks the same points. */
typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rng_u64(Rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_in(Rng *r, double lo, double hi) {
    return lo + (hi - lo) * (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

static Formula *compile_ok(const char *text) {
    int col = -1;
    GdError err;
    Formula *f = NULL;
    int rc = formula_compile(text, PARAMS, 3, &f, &col, &err);
    if (rc != GD_OK || !f)
        fail_msg("\"%.60s\" did not compile: column %d: %s", text, col, err.msg);
    assert_int_equal(err.code, GD_OK);
    return f;
}

/* |actual - expected| <= tol * max(1, |expected|) */
static void check_near(double actual, double expected, double tol, const char *what) {
    double scale = fabs(expected) > 1.0 ? fabs(expected) : 1.0;
    if (!(fabs(actual - expected) <= tol * scale))
        fail_msg("%s: got %.17g, expected %.17g (tol %g)", what, actual, expected, tol);
}

static char *repeat_str(const char *prefix, int times, const char *middle, const char *suffix,
                        int suffix_times) {
    size_t lp = strlen(prefix), lm = strlen(middle), ls = strlen(suffix);
    size_t len = lp * (size_t)times + lm + ls * (size_t)suffix_times;
    char *s = malloc(len + 1), *q = s;
    assert_non_null(s);
    for (int i = 0; i < times; i++, q += lp)
        memcpy(q, prefix, lp);
    memcpy(q, middle, lm);
    q += lm;
    for (int i = 0; i < suffix_times; i++, q += ls)
        memcpy(q, suffix, ls);
    *q = '\0';
    return s;
}

static void check_error(const char *text, int column, const char *message) {
    int col = -1;
    GdError err;
    Formula *f = (Formula *)1;
    int rc = formula_compile(text, PARAMS, 3, &f, &col, &err);
    if (f) {
        if (rc == GD_OK)
            formula_destroy(f);
        fail_msg("\"%.60s\" compiled; expected error \"%s\"", text, message);
    }
    /* A bad formula is bad input, never a runtime failure. */
    assert_int_equal(rc, GD_ERR_INPUT);
    assert_int_equal(err.code, GD_ERR_INPUT);
    if (col != column || strcmp(err.msg, message) != 0)
        fail_msg("\"%.60s\": got column %d \"%s\", expected column %d \"%s\"", text, col, err.msg,
                 column, message);
}

/* ---- values ------------------------------------------------------------- */

typedef struct ValueCase {
    const char *text;
    double x;
    double expected;
    double tol; /* 0: exact */
} ValueCase;

static void check_values(const ValueCase *cases, size_t n) {
    const double params[3] = {2.0, 3.0, 0.5};
    for (size_t i = 0; i < n; i++) {
        Formula *f = compile_ok(cases[i].text);
        double v = formula_eval(f, cases[i].x, params);
        if (cases[i].tol == 0.0) {
            if (v != cases[i].expected)
                fail_msg("%s at x=%g: got %.17g, expected %.17g", cases[i].text, cases[i].x, v,
                         cases[i].expected);
        } else {
            check_near(v, cases[i].expected, cases[i].tol, cases[i].text);
        }
        /* The batch evaluator gives the very same bits. */
        double many;
        formula_eval_many(f, &cases[i].x, 1, params, &many);
        if (!(many == v || (isnan(many) && isnan(v))))
            fail_msg("%s: eval_many %.17g != eval %.17g", cases[i].text, many, v);
        formula_destroy(f);
    }
}

static void test_precedence(void **state) {
    (void)state;
    static const ValueCase cases[] = {
        {"2+3*4", 0, 14, 0},       {"(2+3)*4", 0, 20, 0},    {"2^3^2", 0, 512, 0},
        {"-2^2", 0, -4, 0},        {"(-2)^2", 0, 4, 0},      {"2^-1", 0, 0.5, 0},
        {"2^-1^2", 0, 0.5, 0}, /* 2^(-(1^2)) */
        {"8/4/2", 0, 1, 0},        {"10-4-3", 0, 3, 0},      {"2-3+4", 0, 3, 0},
        {"12/3*2", 0, 8, 0},       {"1/2^2", 0, 0.25, 0},    {"2*3^2", 0, 18, 0},
        {"2*-3", 0, -6, 0},        {"-2*3", 0, -6, 0},       {"(-2)^3", 0, -8, 0},
        {"-x", 1.5, -1.5, 0},      {"--x", 1.5, 1.5, 0},     {"+x", 1.5, 1.5, 0},
        {"-x^2", 3, -9, 0},        {"(-x)^2", 3, 9, 0},      {"(-x)^3", 2, -8, 0},
        {"x^2^3", 2, 256, 0},      {"x^-2", 2, 0.25, 0},     {"x^0.5", 4, 2, 0},
        {"2^x", 3, 8, 0},          {"x^a^b", 2, 256, 0}, /* 2^(2^3) */
        {"a*x + b", 1.5, 6, 0},    {"a - -b", 0, 5, 0},      {"a*x^3 + b*x^2", 2, 28, 0},
        {"x - 1 - x*2", 5, -6, 0}, {" ( ( x ) ) ", 7, 7, 0}, {"x*x*x", -3, -27, 0},
        {"b/a/c", 0, 3, 0}, /* (3/2)/0.5 */
    };
    check_values(cases, sizeof cases / sizeof cases[0]);
}

static void test_numbers(void **state) {
    (void)state;
    static const ValueCase cases[] = {
        {"12", 0, 12, 0},
        {"1.5", 0, 1.5, 0},
        {".5", 0, 0.5, 0},
        {"1e-3", 0, 1e-3, 0},
        {"2E+4", 0, 20000, 0},
        {"1.", 0, 1, 0},
        {"1.5e2", 0, 150, 0},
        {"007", 0, 7, 0},
        {"\t 7 \n", 0, 7, 0},
        {"3e0*x", 2, 6, 0},
        {"0.1+0.2", 0, 0.1 + 0.2, 0},
    };
    check_values(cases, sizeof cases / sizeof cases[0]);
}

static void test_functions(void **state) {
    (void)state;
    static const ValueCase cases[] = {
        {"sin(pi/2)", 0, 1, 0},
        {"sin(0)", 0, 0, 0},
        {"cos(0)", 0, 1, 0},
        {"cos(pi)", 0, -1, 0},
        {"tan(pi/4)", 0, 1, 1e-15},
        {"tan(x)", 0.5, 0.54630248984379051, 1e-15},
        {"exp(0)", 0, 1, 0},
        {"exp(1)", 0, 2.718281828459045, 1e-15},
        {"exp(x)", -1, 0.36787944117144233, 1e-15},
        {"log(1)", 0, 0, 0},
        {"log(e)", 0, 1, 1e-15},
        {"log(x)", 100, 4.6051701859880914, 1e-15},
        {"sqrt(16)", 0, 4, 0},
        {"sqrt(x)", 2, 1.4142135623730951, 0},
        {"abs(-3)", 0, 3, 0},
        {"abs(x)", 2.5, 2.5, 0},
        {"abs(x)", -2.5, 2.5, 0},
        {"tanh(0)", 0, 0, 0},
        {"tanh(x)", 0.5, 0.46211715726000974, 1e-15},
        {"tanh(x)", -1, -0.76159415595576489, 1e-15},
        {"sigmoid(0)", 0, 0.5, 0},
        {"sigmoid(x)", 2, 0.88079707797788231, 1e-15},
        {"sigmoid(x)", -2, 0.11920292202211755, 1e-15},
        {"sigmoid(x)", -800, 0, 0}, /* no overflow to NaN */
        {"sigmoid(x)", 800, 1, 0},
        {"relu(-1)", 0, 0, 0},
        {"relu(x)", 2.5, 2.5, 0},
        {"relu(x)", -0.5, 0, 0},
        {"pow(2, 10)", 0, 1024, 0},
        {"pow(-2, 3)", 0, -8, 0},
        {"pow(x, 0.5)", 9, 3, 0},
        {"pow(x, a)", 3, 9, 0},
        {"pow(a, x)", 3, 8, 0},
        {"min(3, -2)", 0, -2, 0},
        {"max(3, -2)", 0, 3, 0},
        {"min(x, a)", 5, 2, 0},
        {"max(x, a)", 5, 5, 0},
        {"e", 0, 2.718281828459045, 0},
        {"pi", 0, 3.141592653589793, 0},
        {"e^x", 2, 7.3890560989306504, 1e-15},
        {"sin(b*cos(a*x))", 0.5, 0.9987447270506674, 1e-14}, /* sin(3 cos 1) */
    };
    check_values(cases, sizeof cases / sizeof cases[0]);
}

static void test_nan_propagates(void **state) {
    (void)state;
    const double p[3] = {NAN, 1.0, 1.0};
    const char *texts[] = {"min(a, x)", "min(x, a)",  "max(a, x)", "max(x, a)", "relu(a)",
                           "abs(a)",    "sigmoid(a)", "a^2",       "pow(x, a)"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        Formula *f = compile_ok(texts[i]);
        /* x = 2: pow(1, NaN) would be 1 by IEEE rules. */
        if (!isnan(formula_eval(f, 2.0, p)))
            fail_msg("%s with a = NaN is not NaN", texts[i]);
        formula_destroy(f);
    }
}

static void test_tape_folding(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int len;
    } cases[] = {
        {"2*3+4^0.5", 1},                 /* all folded */
        {"2*3+x", 3},                     /* 6, x, + */
        {"x*x + x", 3},                   /* x shared: x, *, + */
        {"a*x + a", 4},                   /* a, x, *, + */
        {"sin(pi/2)*x", 3},               /* 1, x, * */
        {"x^2", 2},                       /* the constant exponent lives in the node */
        {"-(2+3)", 1},      {"x*2*3", 5}, /* (x*2)*3: left-associative, not reordered */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Formula *f = compile_ok(cases[i].text);
        if (formula_tape_length(f) != cases[i].len)
            fail_msg("%s: tape length %d, expected %d", cases[i].text, formula_tape_length(f),
                     cases[i].len);
        assert_int_equal(formula_nparams(f), 3);
        formula_destroy(f);
    }
}

/* ---- errors -------------------------------------------------------------- */

static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int column;
        const char *msg;
    } cases[] = {
        {"", 1, "empty formula"},
        {"  \t ", 1, "empty formula"},
        {"x)", 2, "unexpected ')'"},
        {"()", 2, "unexpected ')'"},
        {"x + 1)", 6, "unexpected ')'"},
        {"x +", 4, "unexpected end of formula"},
        {"(", 2, "unexpected end of formula"},
        {"-", 2, "unexpected end of formula"},
        {"a*c2 + b", 3, "unknown name 'c2'"},
        {"a*d", 3, "unknown name 'd'"},
        {"foo(x)", 1, "unknown function 'foo'"},
        {"2 + Sin(x)", 5, "unknown function 'Sin'"},
        {"sin(x, 1)", 1, "'sin' takes 1 argument, got 2"},
        {"x + sin()", 5, "'sin' takes 1 argument, got 0"},
        {"pow(x)", 1, "'pow' takes 2 arguments, got 1"},
        {"max(1, 2, 3)", 1, "'max' takes 2 arguments, got 3"},
        {"2*(x+1", 7, "expected ')' to close '(' at column 3"},
        {"sin(x", 6, "expected ')' to close '(' at column 4"},
        {"min(x, (a", 10, "expected ')' to close '(' at column 8"},
        {"x $ 2", 3, "unexpected character '$'"},
        {"x \xc3\x97 2", 3, "unexpected character '\xc3\x97'"},
        {"x\x01", 2, "unexpected character '\\x01'"},
        {". + x", 1, "unexpected character '.'"},
        {"x(2)", 1, "'x' is not a function"},
        {"3*a(2)", 3, "'a' is not a function"},
        {"pi(2)", 1, "'pi' is not a function"},
        {"1e", 1, "malformed number '1e'"},
        {"2*1e+", 3, "malformed number '1e+'"},
        {"1.2.3", 1, "malformed number '1.2.3'"},
        {"1ex", 1, "malformed number '1ex'"},
        {"1e999*x", 1, "number out of range '1e999'"},
        {"2x", 2, "missing operator before 'x'"},
        {"x 2", 3, "missing operator before '2'"},
        {"(x)(a)", 4, "missing operator before '('"},
        {"sin(x y)", 7, "missing operator before 'y'"},
        {"sin x", 5, "expected '(' after 'sin'"},
        {"x + sin", 8, "expected '(' after 'sin'"},
        {"x**2", 3, "unexpected '*'"},
        {"*x", 1, "unexpected '*'"},
        {"x ^ ^ 2", 5, "unexpected '^'"},
        {"1,2", 2, "unexpected ','"},
        {"(1,2)", 3, "unexpected ','"},
        {"min(,x)", 5, "unexpected ','"},
        {"x + zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 5,
         "unknown name 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_error(cases[i].text, cases[i].column, cases[i].msg);
}

static void test_error_outputs_optional(void **state) {
    (void)state;
    /* NULL column and error are safe; the status still says why. */
    Formula *f = (Formula *)1;
    assert_int_equal(formula_compile("x +", PARAMS, 3, &f, NULL, NULL), GD_ERR_INPUT);
    assert_null(f);
    f = (Formula *)1;
    assert_int_equal(formula_compile(NULL, PARAMS, 3, &f, NULL, NULL), GD_ERR_INPUT);
    assert_null(f);
    /* The column without the message, and the message without the column. */
    int col = 0;
    assert_int_equal(formula_compile("a*zz", PARAMS, 3, &f, &col, NULL), GD_ERR_INPUT);
    assert_int_equal(col, 3);
    GdError err;
    assert_int_equal(formula_compile("a*zz", PARAMS, 3, &f, NULL, &err), GD_ERR_INPUT);
    assert_int_equal(err.code, GD_ERR_INPUT);
    assert_string_equal(err.msg, "unknown name 'zz'");
    /* No parameters at all: a formula takes 1 to FORMULA_MAX_PARAMS. */
    col = 0;
    assert_int_equal(formula_compile("a*x", NULL, 0, &f, &col, &err), GD_ERR_INPUT);
    assert_null(f);
    assert_int_equal(col, 1);
    assert_string_equal(err.msg, "a formula takes 1 to 256 parameters, got 0");
    /* Success clears an earlier error. */
    assert_int_equal(formula_compile("a*x", PARAMS, 3, &f, &col, &err), GD_OK);
    assert_non_null(f);
    assert_int_equal(err.code, GD_OK);
    assert_string_equal(err.msg, "");
    formula_destroy(f);
}

static void check_depth_error(const char *text, int column) {
    check_error(text, column, "formula nested too deeply (more than 200 levels)");
}

static void check_value_at(const char *text, double x, double expected) {
    const double p[3] = {1, 1, 1};
    Formula *f = compile_ok(text);
    double v = formula_eval(f, x, p);
    formula_destroy(f);
    if (v != expected)
        fail_msg("%.40s...: got %.17g, expected %.17g", text, v, expected);
}

static void test_classify_name(void **state) {
    (void)state;
    assert_int_equal(formula_classify_name("x"), FORMULA_NAME_X);
    assert_int_equal(formula_classify_name("pi"), FORMULA_NAME_CONSTANT);
    assert_int_equal(formula_classify_name("e"), FORMULA_NAME_CONSTANT);
    static const char *const funcs[] = {"sin",  "cos",     "tan",  "exp", "log", "sqrt", "abs",
                                        "tanh", "sigmoid", "relu", "pow", "min", "max"};
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        assert_int_equal(formula_classify_name(funcs[i]), FORMULA_NAME_FUNCTION);
    assert_int_equal(formula_classify_name("sum"), FORMULA_NAME_FUNCTION);
    static const char *const free_names[] = {"a", "X", "Pi", "E", "xx", "sine", "", "w0"};
    for (size_t i = 0; i < sizeof free_names / sizeof free_names[0]; i++)
        assert_int_equal(formula_classify_name(free_names[i]), FORMULA_NAME_FREE);
}

static void test_nesting_limits(void **state) {
    (void)state;
    char *s;
    /* Parentheses: 200 levels fine, the 201st '(' is refused. */
    s = repeat_str("(", 200, "x", ")", 200);
    check_value_at(s, 2.5, 2.5);
    free(s);
    s = repeat_str("(", 201, "x", ")", 201);
    check_depth_error(s, 201);
    free(s);
    s = repeat_str("(", 10000, "x", ")", 10000);
    check_depth_error(s, 201);
    free(s);

    /* Unary minus chains. */
    s = repeat_str("-", 200, "x", "", 0);
    check_value_at(s, 2.5, 2.5);
    free(s);
    s = repeat_str("-", 201, "x", "", 0);
    check_depth_error(s, 201);
    free(s);
    s = repeat_str("-", 10000, "x", "", 0);
    check_depth_error(s, 201);
    free(s);

    /* Right-associative ^ chains: the 201st '^' sits at column 402. */
    s = repeat_str("x^", 200, "x", "", 0);
    check_value_at(s, 1.0, 1.0);
    free(s);
    s = repeat_str("x^", 201, "x", "", 0);
    check_depth_error(s, 402);
    free(s);
    s = repeat_str("x^", 10000, "x", "", 0);
    check_depth_error(s, 402);
    free(s);

    /* Function calls: the 201st '(' is that of the 201st "sin(". */
    s = repeat_str("sin(", 10000, "x", ")", 10000);
    check_depth_error(s, 804);
    free(s);

    /* Mixed: levels alternate '-' and '('; level 201 is a '-'. */
    s = repeat_str("-(", 10000, "x", ")", 10000);
    check_depth_error(s, 201);
    free(s);
    s = repeat_str("-(", 100, "x", ")", 100);
    check_value_at(s, 2.5, 2.5);
    free(s);

    /* Long left-associative chains are not nesting. */
    s = repeat_str("x+", 4000, "x", "", 0);
    check_value_at(s, 1.0, 4001.0);
    free(s);
}

static void test_length_limit(void **state) {
    (void)state;
    /* 8191 characters: fine (and a tape far beyond the stack scratch). */
    char *s = repeat_str("x+", 4095, "x", "", 0);
    assert_int_equal(strlen(s), 8191);
    Formula *f = compile_ok(s);
    assert_int_equal(formula_tape_length(f), 4096);
    const double p[3] = {0, 0, 0};
    assert_true(formula_eval(f, 1.0, p) == 4096.0);
    double g[3];
    assert_true(formula_eval_grad(f, 0.5, p, g) == 2048.0);
    assert_true(g[0] == 0.0 && g[1] == 0.0 && g[2] == 0.0);
    formula_destroy(f);
    free(s);
    /* 8193 characters: the token past the limit is refused. */
    s = repeat_str("x+", 4096, "x", "", 0);
    check_error(s, 8193, "formula too long (more than 8192 characters)");
    free(s);
}

/* ---- gradients against finite differences -------------------------------- */

/* Domain for all cases: a, b, c in [0.5, 1.5], x in [0.2, 1.2]. Every
 * formula is smooth there (abs/relu/min/max arguments stay off their kinks,
 * log and sqrt arguments positive). */
static const char *const GRAD_CASES[] = {
    "a*x + b",
    "a*x^3 + b*x^2",
    "sin(b*cos(a*x))",
    "a - b / (c + x)",
    "a*b*c*x",
    "(a + x) / (b - 3)",
    "a^2 + b^3 - c^-1",
    "x^a",
    "a^b",
    "pow(a + x, b*c)",
    "(-a)^3 + (b - 2)^2",
    "pow(-b, 3) * x",
    "sqrt(a*x + b)",
    "log(a + b*x)",
    "exp(-a*x^2) * b",
    "tan(a*x/2)",
    "cos(a*x + b) - sin(c*x)",
    "tanh(a*x - b)",
    "sigmoid(a*x - b*c)",
    "relu(a*x + 1) - relu(b - 3)",
    "abs(a*x - 2.5) + abs(b + x)",
    "min(a*x, b + 2) + max(c, x*b + 2)",
    "min(b + 2, a*x) * max(x*b + 2, c)",
    "a*sin(b*x) / (1 + c*x^2)",
    "exp(sin(a*x)) * log(1 + b^2)",
    "sigmoid(tanh(a*x) * b)^2",
    "sqrt(a^2 + b^2 + c^2) * x",
    "(a*x + b)^-2",
    "-a^2 * x + -(b*c)",
    "1 / (1 + exp(-(a*x + b)))",
    "log(sqrt(a*x + b*c)) + 2^(a*b)",
    "pow(a, x) * pow(x, b)",
    "x^2.5 * a + b^0.5",
    "(a*x + b)^10 / c",
    "max(a, b + 2) * min(b, c + 2) * x",
    "e^(a*x) - pi*b",
    "a*a*a - b*b + c*x*c",
    "sin(a)*cos(b)*x",
    "sin(a*b) + c",
    "x^3 + a",
    "tanh(sigmoid(exp(-a*x)) - b) * c",
    "relu(abs(a - 3) * x) / sqrt(b*c + x)",
};

static void test_gradients_finite_differences(void **state) {
    (void)state;
    Rng rng = {20240611};
    for (size_t i = 0; i < sizeof GRAD_CASES / sizeof GRAD_CASES[0]; i++) {
        Formula *f = compile_ok(GRAD_CASES[i]);
        for (int trial = 0; trial < 5; trial++) {
            double p[3], g[3];
            for (int j = 0; j < 3; j++)
                p[j] = rng_in(&rng, 0.5, 1.5);
            double x = rng_in(&rng, 0.2, 1.2);
            double v = formula_eval_grad(f, x, p, g);
            if (v != formula_eval(f, x, p))
                fail_msg("%s: eval_grad value differs from eval", GRAD_CASES[i]);
            assert_true(isfinite(v));
            for (int j = 0; j < 3; j++) {
                double h = 1e-6 * (fabs(p[j]) > 1 ? fabs(p[j]) : 1);
                double q[3] = {p[0], p[1], p[2]};
                q[j] = p[j] + h;
                double up = formula_eval(f, x, q);
                q[j] = p[j] - h;
                double down = formula_eval(f, x, q);
                double fd = (up - down) / (2 * h);
                char what[160];
                snprintf(what, sizeof what, "%s: d/d%s at a=%g b=%g c=%g x=%g", GRAD_CASES[i],
                         PARAMS[j], p[0], p[1], p[2], x);
                check_near(g[j], fd, 1e-6, what);
            }
        }
        formula_destroy(f);
    }
}

static void test_gradient_exact_values(void **state) {
    (void)state;
    double g[3];
    /* d/da (a*x + b) = x, d/db = 1, d/dc = 0 */
    Formula *f = compile_ok("a*x + b");
    const double p[3] = {2, 3, 4};
    assert_true(formula_eval_grad(f, 1.5, p, g) == 6.0);
    assert_true(g[0] == 1.5 && g[1] == 1.0 && g[2] == 0.0);
    formula_destroy(f);
    /* (-2)^3 with a negative base: value -8, derivative 3*a^2 = 12 */
    const double q[3] = {-2, 0, 0};
    f = compile_ok("a^3");
    assert_true(formula_eval_grad(f, 0, q, g) == -8.0);
    assert_true(g[0] == 12.0);
    formula_destroy(f);
    f = compile_ok("pow(a, 3)");
    assert_true(formula_eval_grad(f, 0, q, g) == -8.0);
    assert_true(g[0] == 12.0);
    formula_destroy(f);
    /* Kinks: abs'(0) = 0, relu'(0) = 0, min/max pick the first on ties. */
    const double z[3] = {0, 5, 5};
    f = compile_ok("abs(a) + relu(a)");
    formula_eval_grad(f, 0, z, g);
    assert_true(g[0] == 0.0);
    formula_destroy(f);
    f = compile_ok("min(b, c) + 10*max(b, c)");
    assert_true(formula_eval_grad(f, 0, z, g) == 55.0);
    assert_true(g[1] == 11.0 && g[2] == 0.0);
    formula_destroy(f);
    /* u^v with varying v at u = 0 and u < 0: the v-part is taken as 0. */
    f = compile_ok("x^b");
    const double two[3] = {0, 2, 0};
    assert_true(formula_eval_grad(f, -3, two, g) == 9.0);
    assert_true(g[1] == 0.0);
    assert_true(formula_eval_grad(f, 0, two, g) == 0.0);
    assert_true(g[1] == 0.0);
    formula_destroy(f);
    /* x^0 stays 1 with derivative 0 even at 0. */
    f = compile_ok("a^0 + a^1");
    const double zero[3] = {0, 0, 0};
    assert_true(formula_eval_grad(f, 0, zero, g) == 1.0);
    assert_true(g[0] == 1.0);
    formula_destroy(f);
}

/* ---- formula_mse ---------------------------------------------------------- */

/* The same mean and gradient from formula_eval_grad, one point at a time. */
static double direct_mse(const Formula *f, const double *x, const double *y, const int *idx, int m,
                         const double *p, double *grad) {
    double sse = 0, gk[3];
    for (int j = 0; j < 3; j++)
        grad[j] = 0;
    for (int k = 0; k < m; k++) {
        int j = idx ? idx[k] : k;
        double fk = formula_eval_grad(f, x[j], p, gk);
        double r = y[j] - fk;
        sse += r * r;
        for (int q = 0; q < 3; q++)
            grad[q] += -2.0 * r * gk[q];
    }
    for (int q = 0; q < 3; q++)
        grad[q] /= m;
    return sse / m;
}

#define NPOINTS 1003

static void check_mse(const char *text, const int *idx, int m, const double *x, const double *y,
                      const double *p) {
    Formula *f = compile_ok(text);
    double g[3], want_g[3];
    double mse = formula_mse(f, x, y, idx, m, p, g);
    double want = direct_mse(f, x, y, idx, m, p, want_g);
    char what[160];
    snprintf(what, sizeof what, "%s m=%d%s: mse", text, m, idx ? " (subset)" : "");
    check_near(mse, want, 1e-13, what);
    /* Without a gradient: the same sum in the same order, the same bits. */
    double plain = formula_mse(f, x, y, idx, m, p, NULL);
    if (plain != mse)
        fail_msg("%s: mse without gradient %.17g != %.17g", text, plain, mse);
    for (int j = 0; j < 3; j++) {
        snprintf(what, sizeof what, "%s m=%d%s: d/d%s", text, m, idx ? " (subset)" : "", PARAMS[j]);
        check_near(g[j], want_g[j], 1e-12, what);
    }
    formula_destroy(f);
}

static void make_data(double *x, double *y, Rng *rng) {
    for (int k = 0; k < NPOINTS; k++) {
        x[k] = -1.0 + 2.0 * k / (NPOINTS - 1);
        y[k] = sin(2.5 * cos(1.2 * x[k])) + rng_in(rng, -0.1, 0.1);
    }
}

static void test_mse_matches_direct_loop(void **state) {
    (void)state;
    static double x[NPOINTS], y[NPOINTS];
    Rng rng = {7};
    make_data(x, y, &rng);
    int idx[300];
    for (int k = 0; k < 300; k++)
        idx[k] = (int)(rng_u64(&rng) % NPOINTS); /* repeats and any order */
    const double p[3] = {1.7, -0.8, 0.6};
    static const char *const texts[] = {
        "sin(b*cos(a*x))",
        "a*x^3 + b*x^2",
        "a*x + b",
        "sin(a)*cos(b)*x + exp(c)", /* x-free subtrees feed the lanes */
        "a*b + c",                  /* no x at all */
        "x^2 - 1",                  /* no parameters: zero gradient */
        "min(a*x, b) + relu(x - c)*a + abs(b*x)/(1 + c^2)",
        "x*a*x*b*x*c",
        "(x*a*x*b*x*c)^2 - sigmoid(a*x)",
    };
    static const int sizes[] = {1, 7, 200, 203, 256, 257, 1003};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            check_mse(texts[t], NULL, sizes[s], x, y, p);
        check_mse(texts[t], idx, 1, x, y, p);
        check_mse(texts[t], idx, 37, x, y, p);
        check_mse(texts[t], idx, 300, x, y, p);
    }
}

static void test_mse_exact_small(void **state) {
    (void)state;
    /* f = a*x + b with a = 2, b = 1 on (0,1), (1,2), (2,7):
     * residuals y - f = 0, -1, 2; mse = 5/3;
     * d/da = -2/3 * (0*0 + 1*(-1) + 2*2) = -2, d/db = -2/3 * (0 - 1 + 2) = -2/3. */
    const double x[3] = {0, 1, 2}, y[3] = {1, 2, 7}, p[3] = {2, 1, 0};
    Formula *f = compile_ok("a*x + b");
    double g[3];
    check_near(formula_mse(f, x, y, NULL, 3, p, g), 5.0 / 3.0, 1e-15, "mse");
    check_near(g[0], -2.0, 1e-15, "d/da");
    check_near(g[1], -2.0 / 3.0, 1e-15, "d/db");
    assert_true(g[2] == 0.0);
    /* Subset {2, 0, 2}: residuals 2, 0, 2: mse 8/3, d/da = -2/3*(4+0+4) = -16/3,
     * d/db = -2/3 * 4 = -8/3. */
    const int idx[3] = {2, 0, 2};
    check_near(formula_mse(f, x, y, idx, 3, p, g), 8.0 / 3.0, 1e-15, "subset mse");
    check_near(g[0], -16.0 / 3.0, 1e-15, "subset d/da");
    check_near(g[1], -8.0 / 3.0, 1e-15, "subset d/db");
    formula_destroy(f);
}

static void test_mse_finite_differences(void **state) {
    (void)state;
    static double x[NPOINTS], y[NPOINTS];
    Rng rng = {11};
    make_data(x, y, &rng);
    int idx[100];
    for (int k = 0; k < 100; k++)
        idx[k] = (int)(rng_u64(&rng) % NPOINTS);
    static const char *const texts[] = {"sin(b*cos(a*x))", "a*x^3 + b*x^2 + c",
                                        "tanh(a*x)*b + c*x^2"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        Formula *f = compile_ok(texts[t]);
        for (int trial = 0; trial < 3; trial++) {
            const int *use = trial == 2 ? idx : NULL;
            int m = trial == 2 ? 100 : (trial == 0 ? 203 : NPOINTS);
            double p[3], g[3];
            for (int j = 0; j < 3; j++)
                p[j] = rng_in(&rng, -2.0, 3.0);
            formula_mse(f, x, y, use, m, p, g);
            for (int j = 0; j < 3; j++) {
                double h = 1e-6 * (fabs(p[j]) > 1 ? fabs(p[j]) : 1);
                double q[3] = {p[0], p[1], p[2]};
                q[j] = p[j] + h;
                double up = formula_mse(f, x, y, use, m, q, NULL);
                q[j] = p[j] - h;
                double down = formula_mse(f, x, y, use, m, q, NULL);
                char what[128];
                snprintf(what, sizeof what, "%s m=%d: d mse/d%s", texts[t], m, PARAMS[j]);
                check_near(g[j], (up - down) / (2 * h), 1e-6, what);
            }
        }
        formula_destroy(f);
    }
}

static void test_large_tape_uses_heap_scratch(void **state) {
    (void)state;
    /* About 1,200 nodes: past the evaluators' stack scratch. */
    char *s = repeat_str("sin(a*x + b)*c + ", 200, "x", "", 0);
    Formula *f = compile_ok(s);
    assert_true(formula_tape_length(f) > 1000);
    static double x[NPOINTS], y[NPOINTS];
    Rng rng = {3};
    make_data(x, y, &rng);
    const double p[3] = {0.9, 0.2, 0.01};
    double single = formula_eval(f, 0.25, p);
    check_near(single, 200 * sin(0.9 * 0.25 + 0.2) * 0.01 + 0.25, 1e-13, "large eval");
    check_mse(s, NULL, 203, x, y, p);
    check_mse(s, NULL, NPOINTS, x, y, p);
    double out[203];
    formula_eval_many(f, x, 203, p, out);
    for (int k = 0; k < 203; k++)
        if (out[k] != formula_eval(f, x[k], p))
            fail_msg("large eval_many differs at %d", k);
    formula_destroy(f);
    free(s);
}

static void test_eval_many_matches_eval(void **state) {
    (void)state;
    static double x[NPOINTS], y[NPOINTS], out[NPOINTS];
    Rng rng = {5};
    make_data(x, y, &rng);
    const double p[3] = {1.2, 2.5, -0.3};
    for (size_t i = 0; i < sizeof GRAD_CASES / sizeof GRAD_CASES[0]; i++) {
        Formula *f = compile_ok(GRAD_CASES[i]);
        formula_eval_many(f, x, NPOINTS, p, out);
        for (int k = 0; k < NPOINTS; k++) {
            double v = formula_eval(f, x[k], p);
            if (!(out[k] == v || (isnan(v) && isnan(out[k]))))
                fail_msg("%s at x=%g: eval_many %.17g != eval %.17g", GRAD_CASES[i], x[k], out[k],
                         v);
        }
        formula_destroy(f);
    }
}

/* Bit for bit, or both NaN (a NaN's sign may differ with the order of
 * the operands of a commutative operation). */
static int same_double(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* formula_mse_many against formula_mse, vector by vector: the same bits
 * for any number of vectors (groups of 32 and their remainders), full
 * data and subsets, formulas with and without x or parameters, and
 * vectors whose loss is NaN or overflows among the others. */
static void test_mse_many_matches_mse(void **state) {
    (void)state;
    static double x[NPOINTS], y[NPOINTS];
    Rng rng = {13};
    make_data(x, y, &rng);
    int idx[300];
    for (int k = 0; k < 300; k++)
        idx[k] = (int)(rng_u64(&rng) % NPOINTS);
    char *large = repeat_str("sin(a*x + b)*c + ", 60, "x", "", 0);
    const char *const texts[] = {
        "sin(b*cos(a*x))",
        "a*x + b",
        "a*x^3 + b*x^2 + c",
        "sin(a)*cos(b)*x + exp(c)",
        "a*b + c",
        "x^2 - 1",
        "cos(a*x)*sin(b*x + c) - sin(cos(c))",
        "min(a*x, b) + relu(x - c)*a + tanh(b*x)/(1 + c^2)",
        large,
    };
    enum { MAXN = 70 };
    static double params[MAXN * 3], loss[MAXN], grad[MAXN * 3];
    static const int counts[] = {1, 5, 32, 33, MAXN};
    static const int sizes[] = {1, 7, 200, 257, 1003};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        Formula *f = compile_ok(texts[t]);
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            const int n = counts[c];
            for (int s = 0; s < 3 * n; s++)
                params[s] = rng_in(&rng, -3.0, 6.0);
            if (n > 4) {
                params[3 * 2] = NAN;
                params[3 * 3 + 1] = 1e300;
                params[3 * 4 + 2] = -1e7; /* past the trig reduction's limit */
            }
            for (size_t z = 0; z <= sizeof sizes / sizeof sizes[0]; z++) {
                const int sub = z == sizeof sizes / sizeof sizes[0];
                const int m = sub ? 300 : sizes[z];
                const int *use = sub ? idx : NULL;
                for (int with_grad = 0; with_grad < 2; with_grad++) {
                    formula_mse_many(f, x, y, use, m, n, params, loss, with_grad ? grad : NULL);
                    for (int s = 0; s < n; s++) {
                        double g[3];
                        double l = formula_mse(f, x, y, use, m, params + 3 * s, g);
                        int ok = same_double(l, loss[s]);
                        for (int j = 0; with_grad && j < 3; j++)
                            ok &= same_double(g[j], grad[3 * s + j]);
                        if (!ok)
                            fail_msg("%s m=%d n=%d vector %d%s: many %a (%a %a %a) != single %a "
                                     "(%a %a %a)",
                                     texts[t], m, n, s, sub ? " (subset)" : "", loss[s],
                                     grad[3 * s], grad[3 * s + 1], grad[3 * s + 2], l, g[0], g[1],
                                     g[2]);
                    }
                }
            }
        }
        formula_destroy(f);
    }
    free(large);
}

/* ---- indexed parameters and sums ----------------------------------------- */

/* The names config/ makes of "params = w[8], v[8], c[8], d, u[4]": the
 * network's 25 in order, then a family of another length. */
enum { NET = 25, NET_U = 29 };
static char net_buf[NET_U][8];
static const char *net_names[NET_U];

static const char *const *net(void) {
    for (int i = 0; i < 8; i++) {
        snprintf(net_buf[i], sizeof net_buf[i], "w[%d]", i + 1);
        snprintf(net_buf[8 + i], sizeof net_buf[i], "v[%d]", i + 1);
        snprintf(net_buf[16 + i], sizeof net_buf[i], "c[%d]", i + 1);
    }
    snprintf(net_buf[24], sizeof net_buf[24], "d");
    for (int i = 0; i < 4; i++)
        snprintf(net_buf[25 + i], sizeof net_buf[i], "u[%d]", i + 1);
    for (int i = 0; i < NET_U; i++)
        net_names[i] = net_buf[i];
    return net_names;
}

static const char NETWORK[] = "sum(k, w[k]*tanh(v[k]*x + c[k])) + d";

static Formula *compile_net(const char *text) {
    int col = -1;
    GdError err;
    Formula *f = NULL;
    if (formula_compile(text, net(), NET_U, &f, &col, &err) != GD_OK || !f)
        fail_msg("\"%.60s\" did not compile: column %d: %s", text, col, err.msg);
    assert_int_equal(formula_nparams(f), NET_U);
    return f;
}

static void check_net_error(const char *text, int column, const char *message) {
    int col = -1;
    GdError err;
    Formula *f = (Formula *)1;
    int rc = formula_compile(text, net(), NET_U, &f, &col, &err);
    if (f) {
        if (rc == GD_OK)
            formula_destroy(f);
        fail_msg("\"%.60s\" compiled; expected error \"%s\"", text, message);
    }
    assert_int_equal(rc, GD_ERR_INPUT);
    assert_int_equal(err.code, GD_ERR_INPUT);
    if (col != column || strcmp(err.msg, message) != 0)
        fail_msg("\"%.60s\": got column %d \"%s\", expected column %d \"%s\"", text, col, err.msg,
                 column, message);
    /* The syntax tree's parser says the same. */
    FormulaSyntax syn;
    col = -1;
    assert_int_equal(formula_parse_syntax(text, "x", net(), NET_U, &syn, &col, &err), GD_ERR_INPUT);
    assert_int_equal(col, column);
    assert_string_equal(err.msg, message);
    assert_null(syn.nodes);
}

/* w[k] = k, v[k] = 10 + k, c[k] = 20 + k, d = 25, u[k] = 30 + k: the
 * value of each parameter is easy to add up by hand. */
static void net_params(double *p) {
    for (int i = 0; i < 8; i++) {
        p[i] = i + 1;
        p[8 + i] = 11 + i;
        p[16 + i] = 21 + i;
    }
    p[24] = 25;
    for (int i = 0; i < 4; i++)
        p[25 + i] = 31 + i;
}

static void test_indexed_values(void **state) {
    (void)state;
    double p[NET_U];
    net_params(p);
    static const struct {
        const char *text;
        double x, expected;
    } cases[] = {
        {"w[3]", 0, 3},
        {"w[1] + v[8]*c[2] - d", 0, 1 + 18 * 22 - 25},
        {"w[ 3 ] * x", 2, 6},
        {"u[4]", 0, 34},
        {"sum(k, w[k])", 0, 36},
        {"sum(k, u[k])", 0, 31 + 32 + 33 + 34},
        {"sum(k, k*w[k])", 0, 1 + 4 + 9 + 16 + 25 + 36 + 49 + 64},
        {"sum(k, w[k]*x^k)", 2,
         1 * 2 + 2 * 4 + 3 * 8 + 4 * 16 + 5 * 32 + 6 * 64 + 7 * 128 + 8 * 256},
        {"sum(k, w[k] - v[k]) + d", 0, 36 - 116 + 25},
        {"sum(i, sum(j, w[i]*v[j]))", 0, 36 * 116},
        {"sum(i, sum(j, w[i]*u[j]))", 0, 36 * 130},
        {"sum(i, w[i]*sum(j, i*j*u[j]))", 0,
         (1 + 4 + 9 + 16 + 25 + 36 + 49 + 64) * (31 + 64 + 99 + 136)},
        {"sum(k, w[k]) * sum(k, u[k])", 0, 36 * 130},
        {"sum(k, w[k]*w[3])", 0, 36 * 3},
        {"-sum(kk, -w[kk]/2)^2", 0, -(18.0 * 18.0)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int col = -1;
        GdError err;
        Formula *f = NULL;
        if (formula_compile(cases[i].text, net(), NET_U, &f, &col, &err) != GD_OK)
            fail_msg("%s: column %d: %s", cases[i].text, col, err.msg);
        double v = formula_eval(f, cases[i].x, p), many;
        if (v != cases[i].expected)
            fail_msg("%s: got %.17g, expected %.17g", cases[i].text, v, cases[i].expected);
        formula_eval_many(f, &cases[i].x, 1, p, &many);
        assert_true(many == v);
        formula_destroy(f);
    }
    /* The network with its terms added one by one, left to right. */
    Formula *f = compile_net(NETWORK);
    Rng rng = {99};
    for (int trial = 0; trial < 5; trial++) {
        for (int j = 0; j < NET_U; j++)
            p[j] = rng_in(&rng, -1.5, 1.5);
        double x = rng_in(&rng, -2, 2), want = 0.0;
        for (int k = 0; k < 8; k++) {
            double t = p[k] * tanh(p[8 + k] * x + p[16 + k]);
            want = k == 0 ? t : want + t;
        }
        want += p[24];
        check_near(formula_eval(f, x, p), want, 1e-15, "network value");
    }
    formula_destroy(f);
}

/* formula_eval_grad against central differences of formula_eval, and
 * formula_eval_many against formula_eval. */
static void check_grad_fd(const char *text, const char *const *names, int np, Rng *rng) {
    int col = -1;
    GdError err;
    Formula *f = NULL;
    if (formula_compile(text, names, np, &f, &col, &err) != GD_OK)
        fail_msg("%s: column %d: %s", text, col, err.msg);
    double *p = malloc(3 * (size_t)np * sizeof *p), *g = p + np, *q = g + np;
    assert_non_null(p);
    for (int trial = 0; trial < 3; trial++) {
        for (int j = 0; j < np; j++)
            p[j] = rng_in(rng, -1.5, 1.5);
        double x = rng_in(rng, -1.5, 1.5);
        double v = formula_eval_grad(f, x, p, g), many;
        assert_true(v == formula_eval(f, x, p));
        formula_eval_many(f, &x, 1, p, &many);
        assert_true(many == v);
        for (int j = 0; j < np; j++) {
            memcpy(q, p, (size_t)np * sizeof *q);
            double h = 1e-6 * (fabs(p[j]) > 1 ? fabs(p[j]) : 1);
            q[j] = p[j] + h;
            double up = formula_eval(f, x, q);
            q[j] = p[j] - h;
            double down = formula_eval(f, x, q);
            char what[200];
            snprintf(what, sizeof what, "%s: d/d%s at x=%g", text, names[j], x);
            check_near(g[j], (up - down) / (2 * h), 1e-6, what);
        }
    }
    free(p);
    formula_destroy(f);
}

static void test_indexed_gradients(void **state) {
    (void)state;
    Rng rng = {4242};
    static const char *const texts[] = {
        NETWORK,
        "sum(k, k*w[k]*sigmoid(v[k]*x)) - c[3]^2 + d*x",
        "sum(i, sum(j, w[i]*u[j]*sin(v[i]*x + u[j])))",
        "sum(i, w[i]*sum(j, c[j]*x^j)) / (1 + d^2)",
        "w[1]*w[8] + tanh(v[2]*x + c[7]) * u[4]",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
        check_grad_fd(texts[t], net(), NET_U, &rng);
    /* The network alone: exactly its 25 parameters, on a tape of 66 nodes
     * (26 leaves, 5 per unit, 8 sums), inside the evaluators' stack
     * scratch. */
    check_grad_fd(NETWORK, net(), NET, &rng);
    /* d/dw[k] = tanh(v[k] x + c[k]) exactly: the tape's own arithmetic. */
    Formula *f = compile_net(NETWORK);
    assert_int_equal(formula_tape_length(f), 66);
    double p[NET_U], g[NET_U];
    net_params(p);
    for (int j = 0; j < NET_U; j++)
        p[j] *= 0.05;
    formula_eval_grad(f, 0.5, p, g);
    for (int k = 0; k < 8; k++) {
        double th = tanh(p[8 + k] * 0.5 + p[16 + k]);
        assert_true(g[k] == th);
        check_near(g[16 + k], p[k] * (1 - th * th), 1e-15, "d/dc[k]");
    }
    assert_true(g[24] == 1.0);
    for (int j = 25; j < NET_U; j++)
        assert_true(g[j] == 0.0);
    formula_destroy(f);
}

static void test_indexed_mse(void **state) {
    (void)state;
    static double x[NPOINTS], y[NPOINTS];
    Rng rng = {515};
    make_data(x, y, &rng);
    int idx[100];
    for (int k = 0; k < 100; k++)
        idx[k] = (int)(rng_u64(&rng) % NPOINTS);
    static const char *const texts[] = {NETWORK, "sum(i, sum(j, w[i]*u[j]*sin(v[i]*x + u[j])))"};
    enum { NV = 37 };
    static double params[NV * NET_U], loss[NV], grad[NV * NET_U];
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        Formula *f = compile_net(texts[t]);
        for (int trial = 0; trial < 2; trial++) {
            const int *use = trial ? idx : NULL;
            const int m = trial ? 100 : NPOINTS;
            double p[NET_U], g[NET_U], q[NET_U];
            for (int j = 0; j < NET_U; j++)
                p[j] = rng_in(&rng, -1.0, 1.0);
            formula_mse(f, x, y, use, m, p, g);
            for (int j = 0; j < NET_U; j++) {
                memcpy(q, p, sizeof q);
                double h = 1e-6 * (fabs(p[j]) > 1 ? fabs(p[j]) : 1);
                q[j] = p[j] + h;
                double up = formula_mse(f, x, y, use, m, q, NULL);
                q[j] = p[j] - h;
                double down = formula_mse(f, x, y, use, m, q, NULL);
                char what[200];
                snprintf(what, sizeof what, "%s m=%d: d mse/d%s", texts[t], m, net()[j]);
                check_near(g[j], (up - down) / (2 * h), 1e-6, what);
            }
            /* formula_mse_many: the same bits, vector by vector. */
            for (int s = 0; s < NV * NET_U; s++)
                params[s] = rng_in(&rng, -2.0, 2.0);
            assert_int_equal(formula_mse_many(f, x, y, use, m, NV, params, loss, grad), 0);
            for (int s = 0; s < NV; s++) {
                double l = formula_mse(f, x, y, use, m, params + (size_t)s * NET_U, g);
                if (!same_double(l, loss[s]))
                    fail_msg("%s vector %d: many %a != single %a", texts[t], s, loss[s], l);
                for (int j = 0; j < NET_U; j++)
                    if (!same_double(g[j], grad[(size_t)s * NET_U + j]))
                        fail_msg("%s vector %d d/d%s: many %a != single %a", texts[t], s, net()[j],
                                 grad[(size_t)s * NET_U + j], g[j]);
            }
        }
        formula_destroy(f);
    }
}

static void test_indexed_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int column;
        const char *msg;
    } cases[] = {
        {"w[9]", 3, "index 9 out of range for 'w' (w[1] .. w[8])"},
        {"x*u[5]", 5, "index 5 out of range for 'u' (u[1] .. u[4])"},
        {"w[0]", 3, "index 0 out of range for 'w' (w[1] .. w[8])"},
        {"w[99999999999999999999]", 3,
         "index 99999999999999999999 out of range for 'w' (w[1] .. w[8])"},
        {"w[1.5]", 3, "index 1.5 is not a whole number"},
        {"w[1e0]", 3, "index 1e0 is not a whole number"},
        {"2*w", 3,
         "'w' is a family of 8 parameters: write w[1] .. w[8], or w[k] inside sum(k, ...)"},
        {"sum(k, w[k]) + u", 16,
         "'u' is a family of 4 parameters: write u[1] .. u[4], or u[k] inside sum(k, ...)"},
        {"q[1]", 1, "unknown name 'q'"},
        {"d[1]", 1, "'d' is not a parameter family"},
        {"x[1]", 1, "'x' is not a parameter family"},
        {"pi[2]", 1, "'pi' is not a parameter family"},
        {"sum(k, w[k]*k[1])", 13, "'k' is not a parameter family"},
        {"sin[1]", 4, "expected '(' after 'sin'"},
        {"sum[1]", 4, "expected '(' after 'sum'"},
        {"sum + 1", 5, "expected '(' after 'sum'"},
        {"sum(k, w[k]*u[k])", 13, "sum over 'k': 'w' has 8 parameters but 'u' has 4"},
        {"sum(i, u[i] + sum(j, v[j]*w[i]))", 27,
         "sum over 'i': 'u' has 4 parameters but 'w' has 8"},
        {"sum(k, x)", 5, "sum over 'k' indexes no parameter family (write e.g. w[k])"},
        {"sum(k, k*w[1])", 5, "sum over 'k' indexes no parameter family (write e.g. w[k])"},
        {"sum(i, sum(j, w[i]))", 12, "sum over 'j' indexes no parameter family (write e.g. w[j])"},
        {"w[]", 3, "expected a number or a sum index inside '[ ]'"},
        {"w[-1]", 3, "expected a number or a sum index inside '[ ]'"},
        {"w[(1)]", 3, "expected a number or a sum index inside '[ ]'"},
        {"w[", 3, "expected a number or a sum index inside '[ ]'"},
        {"w[j]", 3, "'j' is not the index of an enclosing sum(j, ...)"},
        {"sum(k, w[j])", 10, "'j' is not the index of an enclosing sum(j, ...)"},
        {"w[3", 4, "expected ']' to close '[' at column 2"},
        {"x + w[3 + 1]", 9, "expected ']' to close '[' at column 6"},
        {"sum(k, w[k + 1])", 12, "expected ']' to close '[' at column 9"},
        {"sum(k, w[k]) + k", 16, "'k' is used outside its sum(k, ...)"},
        {"sum(k, w[k]) * v[k]", 18, "'k' is used outside its sum(k, ...)"},
        {"k + sum(k, w[k])", 1, "unknown name 'k'"},
        {"sum()", 1, "'sum' takes 2 arguments, got 0"},
        {"sum(k)", 1, "'sum' takes 2 arguments, got 1"},
        {"2*sum(k, w[k], 1)", 3, "'sum' takes 2 arguments, got 3"},
        {"sum(1, w[1])", 5, "expected an index name after 'sum(', as in sum(k, w[k])"},
        {"sum(, w[1])", 5, "expected an index name after 'sum(', as in sum(k, w[k])"},
        {"sum(k w[k])", 7, "expected ',' after the sum index 'k'"},
        {"sum(k + 1, w[k])", 7, "expected ',' after the sum index 'k'"},
        {"sum(x, w[x])", 5, "'x' cannot be a sum index: it is the data variable"},
        {"sum(pi, w[1])", 5, "'pi' cannot be a sum index: it is a constant"},
        {"sum(e, w[1])", 5, "'e' cannot be a sum index: it is a constant"},
        {"sum(tanh, w[1])", 5, "'tanh' cannot be a sum index: it is a function"},
        {"sum(sum, w[1])", 5, "'sum' cannot be a sum index: it is a function"},
        {"sum(d, w[d])", 5, "'d' cannot be a sum index: it is a parameter"},
        {"sum(w, w[1])", 5, "'w' cannot be a sum index: it is a parameter family"},
        {"sum(k, sum(k, w[k]))", 12,
         "'k' cannot be a sum index: it is already an enclosing sum's index"},
        {"sum(k, w[k]", 12, "expected ')' to close '(' at column 4"},
        {"sum(k, w[k]))", 13, "unexpected ')'"},
        {"w(2)", 1, "'w' is not a function"},
        {"sum(k, k(2)*w[k])", 8, "'k' is not a function"},
        {"(w[1])[2]", 7, "unexpected '['"},
        {"w[1]]", 5, "unexpected ']'"},
        {"]", 1, "unexpected ']'"},
        {"w[1][2]", 5, "unexpected '['"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_net_error(cases[i].text, cases[i].column, cases[i].msg);
    /* Sums multiplied out past FORMULA_MAX_EXPANDED tokens: refused
     * before they are written out, at the sum that crosses the limit. */
    check_net_error("sum(a, sum(b, sum(f, sum(g, sum(h, sum(i, w[a]*w[b]*w[f]*w[g]*w[h]*w[i]))))))",
                    8, "formula too large once its sums are written out (more than 262144 tokens)");
    check_net_error("x + sum(a, sum(b, sum(f, sum(g, sum(h, w[a]*w[b]*w[f]*w[g]*w[h]*x^2*x^3)))))",
                    5, "formula too large once its sums are written out (more than 262144 tokens)");
    /* Under it compiles: 8^4 = 4096 terms. */
    Formula *f = compile_net("sum(a, sum(b, sum(f, sum(g, w[a]*w[b]*w[f]*w[g]*x))))");
    double p[NET_U];
    net_params(p);
    assert_true(formula_eval(f, 1.0, p) == 36.0 * 36.0 * 36.0 * 36.0);
    formula_destroy(f);
}

static void test_param_count(void **state) {
    (void)state;
    enum { MAXP = FORMULA_MAX_PARAMS };
    static char buf[MAXP + 1][12];
    static const char *names[MAXP + 1];
    for (int i = 0; i < MAXP + 1; i++) {
        snprintf(buf[i], sizeof buf[i], "p[%d]", i + 1);
        names[i] = buf[i];
    }
    assert_int_equal(MAXP, 256);
    /* 256: one family of 256. */
    Formula *f = NULL;
    GdError err;
    int col = -1;
    assert_int_equal(formula_compile("sum(k, p[k]*x^2) + p[256]", names, MAXP, &f, &col, &err),
                     GD_OK);
    assert_int_equal(formula_nparams(f), MAXP);
    static double p[MAXP], g[MAXP];
    for (int i = 0; i < MAXP; i++)
        p[i] = i + 1;
    assert_true(formula_eval(f, 2.0, p) == 4.0 * (256.0 * 257.0 / 2.0) + 256.0);
    assert_true(formula_eval_grad(f, 2.0, p, g) == 4.0 * (256.0 * 257.0 / 2.0) + 256.0);
    for (int i = 0; i < MAXP - 1; i++)
        assert_true(g[i] == 4.0);
    assert_true(g[MAXP - 1] == 5.0);
    const double xs[2] = {1, 2}, ys[2] = {0, 0};
    double loss, gm[MAXP];
    loss = formula_mse(f, xs, ys, NULL, 2, p, gm);
    assert_int_equal(formula_mse_many(f, xs, ys, NULL, 2, 1, p, &loss, g), 0);
    assert_true(loss == formula_mse(f, xs, ys, NULL, 2, p, NULL));
    for (int i = 0; i < MAXP; i++)
        assert_true(same_double(g[i], gm[i]));
    formula_destroy(f);
    /* w[256] of a family of 256 is in range; a 257th parameter is refused. */
    assert_int_equal(formula_compile("p[256]", names, MAXP, &f, &col, &err), GD_OK);
    formula_destroy(f);
    f = (Formula *)1;
    assert_int_equal(formula_compile("p[1]", names, MAXP + 1, &f, &col, &err), GD_ERR_INPUT);
    assert_null(f);
    assert_int_equal(col, 1);
    assert_string_equal(err.msg, "a formula takes 1 to 256 parameters, got 257");
    assert_int_equal(formula_compile("p[1]", names, -1, &f, &col, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "a formula takes 1 to 256 parameters, got -1");
    FormulaSyntax syn;
    assert_int_equal(formula_parse_syntax("p[1]", "x", names, MAXP + 1, &syn, &col, &err),
                     GD_ERR_INPUT);
    assert_string_equal(err.msg, "a formula takes 1 to 256 parameters, got 257");
    /* Families beside plain names, in any order; a family of one. */
    static const char *const mixed[] = {"a", "z[1]", "b", "y[2]", "y[1]"};
    assert_int_equal(formula_compile("a + sum(k, y[k]*k) + z[1]*b", mixed, 5, &f, &col, &err),
                     GD_OK);
    const double pm[5] = {1, 10, 2, 300, 20};
    assert_true(formula_eval(f, 0, pm) == 1 + (20 * 1 + 300 * 2) + 10 * 2);
    formula_destroy(f);
    assert_int_equal(formula_compile("z", mixed, 5, &f, &col, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg,
                        "'z' is a family of 1 parameter: write z[1], or z[k] inside sum(k, ...)");
    /* A family whose names skip a member: its length is its count. */
    static const char *const gap[] = {"w[1]", "w[3]"};
    assert_int_equal(formula_compile("x + w[2]", gap, 2, &f, &col, &err), GD_ERR_INPUT);
    assert_int_equal(col, 5);
    assert_string_equal(err.msg, "no parameter 'w[2]'");
    assert_int_equal(formula_compile("w[3]", gap, 2, &f, &col, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "index 3 out of range for 'w' (w[1] .. w[2])");
}

/* The syntax tree keeps one body under a sum: postorder, with the index
 * and family tokens. */
static void test_indexed_syntax(void **state) {
    (void)state;
    const char *text = "sum(k, w[k]*k) + u[3]";
    FormulaSyntax syn;
    GdError err;
    assert_int_equal(formula_parse_syntax(text, "x", net(), NET_U, &syn, NULL, &err), GD_OK);
    assert_int_equal(syn.n, 6);
    assert_int_equal(syn.root, 5);
    const FormulaSynNode *n = syn.nodes;
    assert_int_equal(n[0].kind, FORMULA_SYN_INDEXED);
    assert_int_equal(n[0].param, -1);
    assert_int_equal(n[0].start, 7);
    assert_int_equal(n[0].len, 1);
    assert_int_equal(n[0].index_start, 9);
    assert_int_equal(n[0].index_len, 1);
    assert_int_equal(n[0].count, 8);
    assert_int_equal(n[1].kind, FORMULA_SYN_INDEX);
    assert_int_equal(n[1].start, 12);
    assert_int_equal(n[2].kind, FORMULA_SYN_MUL);
    assert_int_equal(n[2].a, 0);
    assert_int_equal(n[2].b, 1);
    assert_int_equal(n[3].kind, FORMULA_SYN_SUM);
    assert_int_equal(n[3].a, 2);
    assert_int_equal(n[3].b, -1);
    assert_int_equal(n[3].start, 4);
    assert_int_equal(n[3].len, 1);
    assert_int_equal(n[3].count, 8);
    assert_int_equal(n[4].kind, FORMULA_SYN_INDEXED);
    assert_int_equal(n[4].param, 27);
    assert_int_equal(n[4].start, 17);
    assert_int_equal(n[4].index_start, 19);
    assert_int_equal(n[4].count, 4);
    assert_int_equal(n[5].kind, FORMULA_SYN_ADD);
    assert_int_equal(n[5].a, 3);
    assert_int_equal(n[5].b, 4);
    formula_syntax_free(&syn);
    /* The compiled tape has the sum written out: x, 8 w's, 8 products, 7
     * sums, u[3] and the last sum. */
    Formula *f = compile_net("sum(k, w[k]*x) + u[3]");
    assert_int_equal(formula_tape_length(f), 1 + 8 + 8 + 7 + 1 + 1);
    formula_destroy(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_nan_propagates),
        cmocka_unit_test(test_tape_folding),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_outputs_optional),
        cmocka_unit_test(test_classify_name),
        cmocka_unit_test(test_nesting_limits),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_gradients_finite_differences),
        cmocka_unit_test(test_gradient_exact_values),
        cmocka_unit_test(test_mse_exact_small),
        cmocka_unit_test(test_mse_matches_direct_loop),
        cmocka_unit_test(test_mse_finite_differences),
        cmocka_unit_test(test_large_tape_uses_heap_scratch),
        cmocka_unit_test(test_eval_many_matches_eval),
        cmocka_unit_test(test_mse_many_matches_mse),
        cmocka_unit_test(test_indexed_values),
        cmocka_unit_test(test_indexed_gradients),
        cmocka_unit_test(test_indexed_mse),
        cmocka_unit_test(test_indexed_errors),
        cmocka_unit_test(test_param_count),
        cmocka_unit_test(test_indexed_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
