/*
 * typeset.h — the model's formula as a reader sees it: "a*x^3 + b*x^2"
 * becomes "a·x³ + b·x²", for titles ({formula}) and captions.
 *
 * Pipeline place: model stage, beside model/formula, whose parser it uses
 * (formula_parse_syntax), so what is shown is exactly what is evaluated.
 * Depends on base/error. The Config-level entry point,
 * typeset_config_formula, lives in config/config.h (the config stage sits
 * above the model).
 *
 * Rules (UTF-8 out):
 *   a*b          a·b            explicit products get a middle dot
 *   a + b, a - b a + b, a − b   spaced, with U+2212 MINUS SIGN
 *   -a           −a             unary minus, U+2212, unspaced
 *   a/b          a/b            unspaced
 *   x^2, x^-1    x², x⁻¹        an integer exponent as written becomes
 *                               superscript digits (and ⁻)
 *   x^a, x^0.5   x^a, x^0.5     any other single-token exponent (a name, a
 *                               number, a function call) keeps ^ ...
 *   x^(n+1)      x^(n + 1)      ... and a compound one its parentheses
 *   pow(u, v)    as u^v
 *   sqrt(u)      √u, √(u + 1)   bare before a name, number or call;
 *                               parenthesised otherwise
 *   abs(u)       |u|
 *   sigmoid(u)   σ(u)
 *   exp(u)       exp(u)         (kept as a function: a long exponent
 *                               would be unreadable as a superscript)
 *   sin cos tan log tanh relu min max: as written, name(args)
 *   pi           π              e stays e
 *   w[3], w[k]   w₃, wₖ         an index as a subscript (digits and the
 *                               letters a e h i j k l m n o p r s t u v x);
 *                               any other index as _ and its name: w_q
 *   sum(k, u)    Σₖ u           U+03A3; the body is parenthesised when it
 *                               is a sum or difference or a negation:
 *                               Σₖ (wₖ + vₖ); the whole Σ binds like a
 *                               sum: Σₖ wₖ·x + d, (Σₖ wₖ)·x, d − (Σₖ wₖ);
 *                               nested sums run on: Σᵢ Σⱼ wᵢ·vⱼ
 *   k (a sum index as a number)  k
 * Numbers and names are shown as written. Parentheses appear only where
 * the value needs them, from precedence and associativity: (a+b)*x keeps
 * them, a*(b*x) becomes a·b·x, a-(b-c) and a/(b*c) keep theirs, a+(b-c)
 * becomes a + b − c. A negation that is the right operand of a binary
 * operator, the base of a power or negated again is parenthesised:
 * a·(−b), (−x)², −(−x).
 */
#ifndef GD_TYPESET_H
#define GD_TYPESET_H

#include <stddef.h>

#include "base/error.h"

/* A buffer of this many bytes holds the typeset form of any formula a
 * config accepts (at most 1023 bytes: no character grows by more than
 * five times). */
#define TYPESET_MAX 8192

/* Typesets formula (in the data variable `variable` and the parameters
 * params[0..nparams-1], as formula_compile_var reads it) into out, n
 * bytes, NUL-terminated. Returns GD_OK; GD_ERR_INPUT when the formula does
 * not parse (err as formula_compile_var's, out empty) or when out is too
 * small (then out holds as much as fits, cut between two characters, and
 * err says "typeset formula longer than the buffer"); GD_ERR_RUNTIME when
 * out of memory. err may be NULL. */
int typeset_formula(const char *formula, const char *variable, const char *const *params,
                    int nparams, char *out, size_t n, GdError *err);

#endif
