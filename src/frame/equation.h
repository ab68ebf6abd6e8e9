/*
 * equation.h — [layout] equation: one run's update rule with the numbers
 * of the step the ball is taking, in the optimizer's own form.
 *
 * Pipeline place: frame stage, a drawer beside overlay.h that the composer
 * calls into the layout's equation band; reads a Trajectory (sim/) and
 * draws with draw/. Per shown parameter P (g = ∂L/∂P, the gradient the
 * update used: the minibatch's with batch > 0), one line per state the
 * optimizer updates and one for P itself, each "rule = numbers = result":
 *   gd        P ← P − η·∂L/∂P                  = 4.000 − 0.1 × 3.020 = 3.698
 *   momentum  v_P ← μ·v_P + ∂L/∂P, P ← P − η·v_P
 *   nesterov  v_P ← μ·v_P + ∂L/∂P, P ← P − η·(∂L/∂P + μ·v_P)
 *   adagrad   s_P ← s_P + (∂L/∂P)²,  P ← P − η·(∂L/∂P)/(√s_P + ε)
 *   rmsprop   s_P ← α·s_P + (1 − α)·(∂L/∂P)², P as adagrad
 *   adam      m_P ← β₁·m_P + (1 − β₁)·∂L/∂P, v_P ← β₂·v_P + (1 − β₂)·(∂L/∂P)²,
 *             P ← P − η·m̂_P/(√v̂_P + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
 * (_P is drawn as a subscript). A frame at fractional step s shows the
 * update from row k = floor(s) to k + 1 (the last update from the last
 * row on); a run without steps shows the rules alone.
 *
 * Numbers: the trajectory's values (parameters, gradients and states)
 * with three decimals, or more for a number that stays small all run
 * (equation_decimals: adam's v of 0.002 is 0.00200), or with an exponent
 * in every row when it reaches 1e5 somewhere; U+2212 for minus; the
 * hyperparameters as %g (1e-08 as 10⁻⁸). Each number has the room of its
 * widest value over the run and is right-aligned in it, and the lines
 * align on their '=' signs, so nothing moves from frame to frame but the
 * digits.
 */
#ifndef GD_EQUATION_H
#define GD_EQUATION_H

#include <stddef.h>

#include "base/geom.h"
#include "config/config.h"
#include "draw/raster.h"
#include "draw/text.h"
#include "sim/sim.h"

#define EQUATION_MAX_LINES 6  /* three per parameter (adam), two parameters */
#define EQUATION_MAX_TERMS 16 /* numbers and operators between the two '=' */
#define EQUATION_TEXT_MAX  384

/* What a number of a line shows for the update from row k to row k + 1 of
 * the line's parameter. */
typedef enum {
    EQ_PARAM,      /* the parameter at row k */
    EQ_PARAM_NEXT, /* ... at row k + 1 */
    EQ_GRAD,       /* the gradient the update used */
    EQ_M,          /* the first state (v, or adam's m) before the update */
    EQ_M_NEXT,     /* ... after it */
    EQ_S,          /* the second state (s, or adam's v) before the update */
    EQ_S_NEXT,     /* ... after it */
    EQ_M_HAT,      /* adam's bias-corrected moments after the update */
    EQ_S_HAT
} EquationValue;

typedef struct EquationTerm {
    int is_number;
    char text[64];       /* fixed text: an operator, a hyperparameter, "²", "(√" */
    EquationValue value; /* a number's value */
    int decimals;        /* a number's decimals, -1 for an exponent (once per video) */
    int tight;           /* joined to the term before it, without a space */
    double w;            /* width at the measured size: the text's, or the widest number's */
} EquationTerm;

typedef struct EquationLine {
    int param;                    /* the parameter's index */
    char rule[EQUATION_TEXT_MAX]; /* the rule; "\x01" ... "\x02" around a subscript */
    int nterms;                   /* the numbers between the two '=' */
    EquationTerm term[EQUATION_MAX_TERMS];
    EquationTerm result;   /* after the second '=' */
    double rule_w, expr_w; /* measured */
} EquationLine;

typedef struct Equation {
    const Trajectory *traj; /* NULL: no equation */
    int nlines;
    EquationLine line[EQUATION_MAX_LINES];
    /* Set by equation_measure: text size, line height, the space between
     * terms, and the columns (rule, '=', numbers, '=', result) from the
     * block's left edge. */
    double size, lh, gap;
    double x_eq1, x_expr, x_eq2, x_result, width, height;
} Equation;

/* The decimals of a number whose largest magnitude over the run is m: 3,
 * or more for a small m (3 significant digits, at most 6); -1 (three
 * decimals with an exponent) from 1e5 on. */
int equation_decimals(double m);

/* Lines per shown parameter for an optimizer: 1 (gd), 2, or 3 (adam). */
int equation_lines_per_param(OptimizerKind k);

/* The lines cfg's [layout] equation takes (0 without one): per parameter
 * shown (at most two) times equation_lines_per_param. For the layout. */
int equation_line_count(const Config *cfg);

/* The equation of trajectory t (run t->run) for parameters
 * params[0..nparams-1] (at most 2), with its number formats decided over
 * all the run's rows. Nothing measured yet. */
void equation_build(Equation *eq, const Config *cfg, const Trajectory *t, const int *params,
                    int nparams);

/* The update a frame at fractional step `step` shows: from row k to k + 1
 * (clamped to the run's last update), or -1 for a run without updates. */
int equation_row(const Equation *eq, double step);

/* Line i for the update from row k as plain text: "rule = numbers =
 * result", a subscript written _P ("v_b ← μ·v_b + ∂L/∂b = 0.9 × 0.000 +
 * 3.006 = 3.006"); the rule alone when k < 0. */
void equation_text(const Equation *eq, int i, int k, char *buf, size_t n);

/* Measures every line with tr at text size `size` and line height lh,
 * then shrinks both until the block fits maxw x maxh. Once per video. */
void equation_measure(Equation *eq, TextRenderer *tr, double size, double lh, double maxw,
                      double maxh);

/* Draws the equation for fractional step `step`, centred in band, in ink,
 * with a dot in the run's colour before the first line. */
void equation_draw(const Equation *eq, TextRenderer *tr, RasterTarget *out, Rect band, double step,
                   const float ink[3], const float color[3]);

#endif
