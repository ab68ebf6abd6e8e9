/*
 * test_typeset.c — the formula typeset for reading: exact UTF-8 strings for
 * products, powers, roots, functions, unary and binary minus, division
 * chains and the fewest parentheses; the shipped configs' formulas; parse
 * errors; a buffer too small; the longest formula a config accepts;
 * indexed parameters (w₃) and sums (Σₖ wₖ·...).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "model/typeset.h"

static const char *const PARAMS[] = {"a", "b", "c", "n"};

static void expect(const char *formula, const char *shown) {
    char out[TYPESET_MAX];
    GdError err;
    int rc = typeset_formula(formula, "x", PARAMS, 4, out, sizeof out, &err);
    if (rc != GD_OK)
        fail_msg("\"%s\": %s", formula, err.msg);
    if (strcmp(out, shown) != 0)
        fail_msg("\"%s\": got \"%s\", expected \"%s\"", formula, out, shown);
}

static void test_products_and_powers(void **state) {
    (void)state;
    expect("a*x^3 + b*x^2", "a·x³ + b·x²");
    expect("a*x^3+b*x^2", "a·x³ + b·x²");
    expect("a*x + b", "a·x + b");
    expect("2*pi*x", "2·π·x");
    expect("x^10", "x¹⁰");
    expect("x^-1", "x⁻¹");
    expect("x^(-2)", "x⁻²");
    expect("x^0.5", "x^0.5");
    expect("x^2.0", "x^2.0");
    expect("x^a", "x^a");
    expect("x^(n+1)", "x^(n + 1)");
    expect("x^-a", "x^(−a)");
    expect("x^sin(a)", "x^sin(a)");
    expect("2^x", "2^x");
    expect("e^x", "e^x");
    /* nested powers: ^ is right-associative */
    expect("x^2^3", "x^(2³)");
    expect("(x^2)^3", "(x²)³");
    expect("a^b^c", "a^(b^c)");
    expect("(a^b)^c", "(a^b)^c");
    expect("pow(x, 3)", "x³");
    expect("pow(x+1, a)", "(x + 1)^a");
    expect("(1e-3)^2", "(1e-3)²");
    expect("abs(x)^2", "|x|²");
    expect("exp(x)^2", "exp(x)²");
}

static void test_functions(void **state) {
    (void)state;
    expect("sin(b*cos(a*x))", "sin(b·cos(a·x))");
    expect("sqrt(x)", "√x");
    expect("sqrt(x+1)", "√(x + 1)");
    expect("sqrt(a*x)", "√(a·x)");
    expect("sqrt(sin(x))", "√sin(x)");
    expect("sqrt(-x)", "√(−x)");
    expect("sqrt(x)^2", "(√x)²");
    expect("sqrt(x^2)", "√(x²)");
    expect("sigmoid(a*x+b)", "σ(a·x + b)");
    expect("exp(-a*x)", "exp(−a·x)");
    expect("abs(x-a)", "|x − a|");
    expect("tanh(a*x) + log(b)", "tanh(a·x) + log(b)");
    expect("min(a, b) + max(x,0)", "min(a, b) + max(x, 0)");
    expect("relu(a*x)", "relu(a·x)");
    expect("tan(x)", "tan(x)");
}

static void test_minus_and_division(void **state) {
    (void)state;
    expect("-x^2", "−x²");
    expect("(-x)^2", "(−x)²");
    expect("-2*x", "−2·x");
    expect("-(a*x)", "−a·x");
    expect("-(a+x)", "−(a + x)");
    expect("--x", "−(−x)");
    expect("+x", "x");
    expect("a*-x", "a·(−x)");
    expect("a - -b", "a − (−b)");
    expect("a + -b", "a + (−b)");
    expect("a/-x", "a/(−x)");
    expect("a-(b-c)", "a − (b − c)");
    expect("a-(b+c)", "a − (b + c)");
    expect("a+(b-c)", "a + b − c");
    expect("(a-b)-c", "a − b − c");
    expect("a/b/c", "a/b/c");
    expect("a/(b/c)", "a/(b/c)");
    expect("a/(b*c)", "a/(b·c)");
    expect("(a*b)/c", "a·b/c");
    expect("a*(b/c)", "a·b/c");
    expect("a*x/(b+c)", "a·x/(b + c)");
    expect("a/sqrt(x)", "a/√x");
    expect("a/x^2", "a/x²");
    expect("(a/b)^2", "(a/b)²");
}

static void test_grouping_and_numbers(void **state) {
    (void)state;
    expect("(a+b)*x", "(a + b)·x");
    expect("a*(b*x)", "a·b·x");
    expect("((a))*((x))", "a·x");
    expect("x*(a+b)*(c-n)", "x·(a + b)·(c − n)");
    expect("1.50*x + .5", "1.50·x + .5");
    expect("1e-3*x", "1e-3·x");
    expect("3", "3");
    expect("pi", "π");
}

static void test_variable_and_configs(void **state) {
    (void)state;
    char out[TYPESET_MAX];
    static const char *const ab[] = {"a", "b"};
    assert_int_equal(typeset_formula("a*v + b*v^2", "v", ab, 2, out, sizeof out, NULL), 0);
    assert_string_equal(out, "a·v + b·v²");
    static const struct {
        const char *path, *shown;
    } shipped[] = {
        {"configs/linear.ini", "a·x + b"},
        {"configs/empirical_formula.ini", "a·x³ + b·x²"},
        {"configs/global_minimum.ini", "sin(b·cos(a·x))"},
        {"configs/optimizers.ini", "sin(b·cos(a·x))"},
    };
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        Config cfg;
        GdError err;
        if (config_load(shipped[i].path, NULL, 0, &cfg, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(typeset_config_formula(&cfg, out, sizeof out), 0);
        assert_string_equal(out, shipped[i].shown);
        config_free(&cfg);
    }
}

static void test_errors_and_limits(void **state) {
    (void)state;
    char out[TYPESET_MAX];
    GdError err;
    assert_int_equal(typeset_formula("a*(x", "x", PARAMS, 4, out, sizeof out, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "expected ')' to close '(' at column 3");
    assert_string_equal(out, "");
    assert_int_equal(typeset_formula("q*x", "x", PARAMS, 4, out, sizeof out, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "unknown name 'q'");
    /* Too small: cut between two characters, never inside "·". */
    char small[3];
    assert_int_equal(typeset_formula("a*x", "x", PARAMS, 4, small, sizeof small, &err),
                     GD_ERR_INPUT);
    assert_string_equal(small, "a");
    char five[5]; /* "a·x" is 4 bytes */
    assert_int_equal(typeset_formula("a*x", "x", PARAMS, 4, five, sizeof five, NULL), 0);
    assert_string_equal(five, "a·x");
    /* The longest formula a config takes (1023 bytes), of the constructs
     * that grow most, fits TYPESET_MAX. */
    char text[1024];
    size_t o = 0;
    strcpy(text, "x");
    o = 1;
    while (o + 4 < sizeof text) {
        memcpy(text + o, "--x-", 4);
        o += 4;
    }
    text[o - 1] = '\0';
    if (typeset_formula(text, "x", PARAMS, 4, out, sizeof out, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(strlen(out) < TYPESET_MAX);
    static const char head[] = "x − (−x) − (−(−x)) − (−(−x))";
    assert_true(strncmp(out, head, strlen(head)) == 0);
}

static void expect_net(const char *formula, const char *shown) {
    static const char *const names[] = {"w[1]", "w[2]", "w[3]", "v[1]", "v[2]", "v[3]",
                                        "c[1]", "c[2]", "c[3]", "d",    "u[1]", "u[2]"};
    char out[TYPESET_MAX];
    GdError err;
    int rc = typeset_formula(formula, "x", names, 12, out, sizeof out, &err);
    if (rc != GD_OK)
        fail_msg("\"%s\": %s", formula, err.msg);
    if (strcmp(out, shown) != 0)
        fail_msg("\"%s\": got \"%s\", expected \"%s\"", formula, out, shown);
}

static void test_indexed_and_sums(void **state) {
    (void)state;
    expect_net("sum(k, w[k]*tanh(v[k]*x + c[k])) + d", "Σₖ wₖ·tanh(vₖ·x + cₖ) + d");
    expect_net("w[3]", "w₃");
    expect_net("w[1]*x^2 + v[2]", "w₁·x² + v₂");
    expect_net("u[ 2 ]", "u₂");
    expect_net("sum(i, w[i])", "Σᵢ wᵢ");
    expect_net("sum(j, j*w[j])", "Σⱼ j·wⱼ");
    expect_net("sum(i, sum(j, w[i]*v[j]))", "Σᵢ Σⱼ wᵢ·vⱼ");
    expect_net("sum(q, w[q])", "Σ_q w_q");
    expect_net("sum(kk, w[kk])", "Σₖₖ wₖₖ");
    expect_net("sum(idx, w[idx])", "Σ_idx w_idx");
    expect_net("sum(n1, w[n1])", "Σₙ₁ wₙ₁");
    /* The body in parentheses when it is a sum or a negation; the whole
     * Σ as an operand binds like a sum. */
    expect_net("sum(k, w[k] + v[k])", "Σₖ (wₖ + vₖ)");
    expect_net("sum(k, -w[k])", "Σₖ (−wₖ)");
    expect_net("sum(k, w[k]*x)*2", "(Σₖ wₖ·x)·2");
    expect_net("2*sum(k, w[k])", "2·(Σₖ wₖ)");
    expect_net("d - sum(k, w[k])", "d − (Σₖ wₖ)");
    expect_net("d + sum(k, w[k])", "d + Σₖ wₖ");
    expect_net("sum(k, w[k])^2", "(Σₖ wₖ)²");
    expect_net("-sum(k, w[k])", "−(Σₖ wₖ)");
    expect_net("sum(k, w[k]) + sum(k, u[k]^2)", "Σₖ wₖ + Σₖ uₖ²");
    expect_net("sqrt(sum(k, w[k]^2))", "√(Σₖ wₖ²)");
    expect_net("exp(sum(k, w[k]))", "exp(Σₖ wₖ)");
    expect_net("sum(k, w[k]*x^k)", "Σₖ wₖ·x^k");
    /* Errors are the parser's. */
    static const char *const names[] = {"w[1]", "w[2]"};
    char out[TYPESET_MAX];
    GdError err;
    assert_int_equal(typeset_formula("w[3]", "x", names, 2, out, sizeof out, &err), GD_ERR_INPUT);
    assert_string_equal(err.msg, "index 3 out of range for 'w' (w[1] .. w[2])");
    assert_string_equal(out, "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products_and_powers),  cmocka_unit_test(test_functions),
        cmocka_unit_test(test_minus_and_division),   cmocka_unit_test(test_grouping_and_numbers),
        cmocka_unit_test(test_variable_and_configs), cmocka_unit_test(test_errors_and_limits),
        cmocka_unit_test(test_indexed_and_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
