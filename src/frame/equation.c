/*
 * equation.c — the update rule of one run with each frame's numbers (see
 * equation.h).
 *
 * A line is its rule (text with subscripts), '=', a row of terms (fixed
 * text: operators and hyperparameters; numbers: the trajectory's values
 * for the row shown), '=' and the result. Every term's room is measured
 * once per video: a number's is that of its widest value over the run, so
 * the columns and every term stand still while the digits change.
 */
#include "frame/equation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A subscript: "\x01" NAME "\x02" in a rule, drawn smaller and lower. */
#define SUB_ON  '\x01'
#define SUB_OFF '\x02'
#define SUB                                                                                        \
    "\x01"                                                                                         \
    "%s"                                                                                           \
    "\x02"
#define SUB_SCALE 0.7
#define SUB_DROP  0.22 /* em the subscript's baseline drops */

#define GAP_EM   0.3  /* space between terms */
#define TIGHT_EM 0.04 /* between joined terms: a hair, so that no two text boxes touch */

/* A number from 1e5 on gets an exponent. */
#define SCI_FROM     1e5
#define MAX_DECIMALS 6

int equation_decimals(double m) {
    if (!(m < SCI_FROM))
        return -1;
    if (!(m > 0))
        return 3;
    int d = 3 - 1 - (int)floor(log10(m));
    return d < 3 ? 3 : d > MAX_DECIMALS ? MAX_DECIMALS : d;
}

int equation_lines_per_param(OptimizerKind k) {
    switch (k) {
    case OPT_GD:
        return 1;
    case OPT_ADAM:
        return 3;
    default:
        return 2;
    }
}

int equation_line_count(const Config *cfg) {
    const int run = cfg->layout.equation_run;
    if (!cfg->layout.show_equation || run < 0 || run >= cfg->nruns || !cfg->runs)
        return 0;
    const int shown = cfg->model.nparams < 2 ? cfg->model.nparams : 2;
    return shown * equation_lines_per_param(cfg->runs[run].optimizer);
}

/* ---- numbers ------------------------------------------------------------ */

/* Copies s to out, each '-' written as U+2212. */
static void with_minus_signs(const char *s, char *out, size_t n) {
    size_t o = 0;
    for (; *s && o + 4 < n; s++) {
        if (*s == '-') {
            memcpy(out + o, "−", 3);
            o += 3;
        } else {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
}

/* A trajectory value with `decimals` decimals, or (decimals < 0) with
 * three and an exponent; a value that rounds to zero has no sign. */
static void format_number(double v, int decimals, char *out, size_t n) {
    if (isnan(v)) {
        snprintf(out, n, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(out, n, "%s", v < 0 ? "−∞" : "∞");
        return;
    }
    char raw[64];
    if (decimals < 0)
        snprintf(raw, sizeof raw, "%.3e", v);
    else
        snprintf(raw, sizeof raw, "%.*f", decimals, v);
    const char *s = raw;
    if (raw[0] == '-') {
        int zero = 1;
        for (const char *c = raw + 1; *c && *c != 'e'; c++)
            zero &= *c == '0' || *c == '.';
        s += zero;
    }
    with_minus_signs(s, out, n);
}

static void superscript_int(int v, char *out, size_t n) {
    static const char *const SUP[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
    char digits[16];
    snprintf(digits, sizeof digits, "%d", v < 0 ? -v : v);
    size_t o = (size_t)snprintf(out, n, "%s", v < 0 ? "⁻" : "");
    for (const char *d = digits; *d && o < n; d++)
        o += (size_t)snprintf(out + o, n - o, "%s", SUP[*d - '0']);
}

/* A hyperparameter: %g, with a decimal point (1.0) or as a power of ten
 * (10⁻⁸, 2.5·10⁻⁷). */
static void format_hyper(double v, char *out, size_t n) {
    char g[16];
    snprintf(g, sizeof g, "%g", v);
    char *e = strchr(g, 'e');
    if (!e) {
        snprintf(out, n, "%s%s", g, strchr(g, '.') || strchr(g, 'n') ? "" : ".0");
        return;
    }
    *e = '\0';
    char sup[24];
    superscript_int(atoi(e + 1), sup, sizeof sup);
    if (strcmp(g, "1") == 0)
        snprintf(out, n, "10%s", sup);
    else
        snprintf(out, n, "%s·10%s", g, sup);
}

/* The value v of line ln's parameter for the update from row k. */
static double value_at(const Equation *eq, const EquationLine *ln, EquationValue v, int k) {
    const Trajectory *t = eq->traj;
    const size_t np = (size_t)t->nparams, p = (size_t)ln->param;
    const size_t now = (size_t)k * np + p, next = (size_t)(k + 1) * np + p;
    const RunConfig *run = t->run;
    switch (v) {
    case EQ_PARAM:
        return t->params[now];
    case EQ_PARAM_NEXT:
        return t->params[next];
    case EQ_GRAD:
        return trajectory_step_grad(t, k)[p];
    case EQ_M:
        return t->state_m ? t->state_m[now] : NAN;
    case EQ_M_NEXT:
        return t->state_m ? t->state_m[next] : NAN;
    case EQ_S:
        return t->state_s ? t->state_s[now] : NAN;
    case EQ_S_NEXT:
        return t->state_s ? t->state_s[next] : NAN;
    case EQ_M_HAT: /* as optimizer_step computes it, step t = k + 1 */
        return t->state_m ? t->state_m[next] / (1.0 - pow(run->beta1, (double)(k + 1))) : NAN;
    case EQ_S_HAT:
        return t->state_s ? t->state_s[next] / (1.0 - pow(run->beta2, (double)(k + 1))) : NAN;
    }
    return NAN;
}

/* Rows whose update can be shown: 0 .. last. */
static int last_update(const Equation *eq) {
    return eq->traj ? eq->traj->nrows - 2 : -1;
}

/* ---- building ----------------------------------------------------------- */

static EquationTerm *add_term(EquationLine *ln, int tight) {
    if (ln->nterms >= EQUATION_MAX_TERMS)
        return NULL;
    EquationTerm *tm = &ln->term[ln->nterms++];
    memset(tm, 0, sizeof *tm);
    tm->tight = tight;
    return tm;
}

static void add_text(EquationLine *ln, const char *text, int tight) {
    EquationTerm *tm = add_term(ln, tight);
    if (tm)
        snprintf(tm->text, sizeof tm->text, "%s", text);
}

static void add_number(EquationLine *ln, EquationValue v, int tight) {
    EquationTerm *tm = add_term(ln, tight);
    if (tm) {
        tm->is_number = 1;
        tm->value = v;
    }
}

static EquationLine *new_line(Equation *eq, int param, EquationValue result) {
    EquationLine *ln = &eq->line[eq->nlines++];
    memset(ln, 0, sizeof *ln);
    ln->param = param;
    ln->result.is_number = 1;
    ln->result.value = result;
    return ln;
}

/* "[g]", or "([g])²" (a negative number squared needs its parentheses). */
static void add_squared_gradient(EquationLine *ln, int squared) {
    if (squared)
        add_text(ln, "(", 0);
    add_number(ln, EQ_GRAD, squared);
    if (squared)
        add_text(ln, ")²", 1);
}

/* "β × [state] + (1 − β) × [g]" (squared) for the moving averages. */
static void average_terms(EquationLine *ln, const char *keep, const char *take, EquationValue state,
                          int squared) {
    add_text(ln, keep, 0);
    add_text(ln, "×", 0);
    add_number(ln, state, 0);
    add_text(ln, "+", 0);
    add_text(ln, take, 0);
    add_text(ln, "×", 0);
    add_squared_gradient(ln, squared);
}

/* "[p] − η × [top]/(√[below] + ε)" for the adaptive methods. */
static void adaptive_terms(EquationLine *ln, const char *lr, const char *eps, EquationValue top,
                           EquationValue below) {
    add_number(ln, EQ_PARAM, 0);
    add_text(ln, "−", 0);
    add_text(ln, lr, 0);
    add_text(ln, "×", 0);
    add_number(ln, top, 0);
    add_text(ln, "/(√", 1);
    add_number(ln, below, 1);
    add_text(ln, "+", 0);
    add_text(ln, eps, 0);
    add_text(ln, ")", 1);
}

/* The lines of parameter p (named P) for run r. */
static void build_param(Equation *eq, const RunConfig *r, int p, const char *P) {
    char lr[48], mu[48], eps[48], a[48], na[48], b1[48], nb1[48], b2[48], nb2[48];
    format_hyper(r->lr, lr, sizeof lr);
    format_hyper(r->momentum, mu, sizeof mu);
    format_hyper(r->eps, eps, sizeof eps);
    format_hyper(r->alpha, a, sizeof a);
    format_hyper(1.0 - r->alpha, na, sizeof na);
    format_hyper(r->beta1, b1, sizeof b1);
    format_hyper(1.0 - r->beta1, nb1, sizeof nb1);
    format_hyper(r->beta2, b2, sizeof b2);
    format_hyper(1.0 - r->beta2, nb2, sizeof nb2);
    EquationLine *ln;
    switch (r->optimizer) {
    case OPT_GD:
        ln = new_line(eq, p, EQ_PARAM_NEXT);
        snprintf(ln->rule, sizeof ln->rule, "%s ← %s − η·∂L/∂%s", P, P, P);
        add_number(ln, EQ_PARAM, 0);
        add_text(ln, "−", 0);
        add_text(ln, lr, 0);
        add_text(ln, "×", 0);
        add_number(ln, EQ_GRAD, 0);
        break;
    case OPT_MOMENTUM:
    case OPT_NESTEROV:
        ln = new_line(eq, p, EQ_M_NEXT);
        snprintf(ln->rule, sizeof ln->rule, "v" SUB " ← μ·v" SUB " + ∂L/∂%s", P, P, P);
        add_text(ln, mu, 0);
        add_text(ln, "×", 0);
        add_number(ln, EQ_M, 0);
        add_text(ln, "+", 0);
        add_number(ln, EQ_GRAD, 0);
        ln = new_line(eq, p, EQ_PARAM_NEXT);
        add_number(ln, EQ_PARAM, 0);
        add_text(ln, "−", 0);
        add_text(ln, lr, 0);
        add_text(ln, "×", 0);
        if (r->optimizer == OPT_MOMENTUM) {
            snprintf(ln->rule, sizeof ln->rule, "%s ← %s − η·v" SUB, P, P, P);
            add_number(ln, EQ_M_NEXT, 0);
        } else {
            snprintf(ln->rule, sizeof ln->rule, "%s ← %s − η·(∂L/∂%s + μ·v" SUB ")", P, P, P, P);
            add_text(ln, "(", 0);
            add_number(ln, EQ_GRAD, 1);
            add_text(ln, "+", 0);
            add_text(ln, mu, 0);
            add_text(ln, "×", 0);
            add_number(ln, EQ_M_NEXT, 0);
            add_text(ln, ")", 1);
        }
        break;
    case OPT_ADAGRAD:
    case OPT_RMSPROP:
        ln = new_line(eq, p, EQ_S_NEXT);
        if (r->optimizer == OPT_ADAGRAD) {
            snprintf(ln->rule, sizeof ln->rule, "s" SUB " ← s" SUB " + (∂L/∂%s)²", P, P, P);
            add_number(ln, EQ_S, 0);
            add_text(ln, "+", 0);
            add_squared_gradient(ln, 1);
        } else {
            snprintf(ln->rule, sizeof ln->rule, "s" SUB " ← α·s" SUB " + (1 − α)·(∂L/∂%s)²", P, P,
                     P);
            average_terms(ln, a, na, EQ_S, 1);
        }
        ln = new_line(eq, p, EQ_PARAM_NEXT);
        snprintf(ln->rule, sizeof ln->rule, "%s ← %s − η·(∂L/∂%s)/(√s" SUB " + ε)", P, P, P, P);
        adaptive_terms(ln, lr, eps, EQ_GRAD, EQ_S_NEXT);
        break;
    case OPT_ADAM:
        ln = new_line(eq, p, EQ_M_NEXT);
        snprintf(ln->rule, sizeof ln->rule, "m" SUB " ← β₁·m" SUB " + (1 − β₁)·∂L/∂%s", P, P, P);
        average_terms(ln, b1, nb1, EQ_M, 0);
        ln = new_line(eq, p, EQ_S_NEXT);
        snprintf(ln->rule, sizeof ln->rule, "v" SUB " ← β₂·v" SUB " + (1 − β₂)·(∂L/∂%s)²", P, P, P);
        average_terms(ln, b2, nb2, EQ_S, 1);
        ln = new_line(eq, p, EQ_PARAM_NEXT);
        snprintf(ln->rule, sizeof ln->rule, "%s ← %s − η·m̂" SUB "/(√v̂" SUB " + ε)", P, P, P, P);
        adaptive_terms(ln, lr, eps, EQ_M_HAT, EQ_S_HAT);
        break;
    }
}

/* A number term's format, from the largest magnitude m it takes in the
 * run: an exponent from SCI_FROM on, else three decimals, or as many
 * more as show m with three significant digits (0.00250), at most
 * MAX_DECIMALS. */
static void decide_format(const Equation *eq, const EquationLine *ln, EquationTerm *tm) {
    if (!tm->is_number)
        return;
    double m = 0;
    for (int k = 0; k <= last_update(eq); k++) {
        double v = value_at(eq, ln, tm->value, k);
        if (isfinite(v))
            m = fmax(m, fabs(v));
    }
    tm->decimals = equation_decimals(m);
}

void equation_build(Equation *eq, const Config *cfg, const Trajectory *t, const int *params,
                    int nparams) {
    memset(eq, 0, sizeof *eq);
    if (!t || !t->run)
        return;
    eq->traj = t;
    for (int i = 0; i < nparams && i < 2; i++)
        build_param(eq, t->run, params[i], cfg->model.params[params[i]]);
    for (int i = 0; i < eq->nlines; i++) {
        EquationLine *ln = &eq->line[i];
        for (int j = 0; j < ln->nterms; j++)
            decide_format(eq, ln, &ln->term[j]);
        decide_format(eq, ln, &ln->result);
    }
}

int equation_row(const Equation *eq, double step) {
    const int last = last_update(eq);
    if (last < 0)
        return -1;
    double k = floor(step);
    if (!(k >= 0)) /* NaN too */
        return 0;
    return k > last ? last : (int)k;
}

/* ---- text ----------------------------------------------------------------- */

static void term_text(const Equation *eq, const EquationLine *ln, const EquationTerm *tm, int k,
                      char *out, size_t n) {
    if (tm->is_number)
        format_number(value_at(eq, ln, tm->value, k), tm->decimals, out, n);
    else
        snprintf(out, n, "%s", tm->text);
}

void equation_text(const Equation *eq, int i, int k, char *buf, size_t n) {
    const EquationLine *ln = &eq->line[i];
    size_t o = 0;
    buf[0] = '\0';
    for (const char *c = ln->rule; *c && o + 2 < n; c++) {
        if (*c == SUB_ON)
            buf[o++] = '_';
        else if (*c != SUB_OFF)
            buf[o++] = *c;
    }
    buf[o] = '\0';
    if (k < 0 || k > last_update(eq))
        return;
    char t[64];
    o += (size_t)snprintf(buf + o, o < n ? n - o : 0, " =");
    for (int j = 0; j < ln->nterms && o < n; j++) {
        term_text(eq, ln, &ln->term[j], k, t, sizeof t);
        o += (size_t)snprintf(buf + o, n - o, "%s%s", ln->term[j].tight ? "" : " ", t);
    }
    term_text(eq, ln, &ln->result, k, t, sizeof t);
    if (o < n)
        snprintf(buf + o, n - o, " = %s", t);
}

/* ---- measuring and drawing ------------------------------------------------ */

/* The runs of a rule, one at a time: each is plain or a subscript. */
typedef struct RuleRun {
    const char *next;
    char text[EQUATION_TEXT_MAX];
    int sub;
} RuleRun;

static int rule_run(RuleRun *r) {
    const char *c = r->next;
    if (!c || !*c)
        return 0;
    r->sub = *c == SUB_ON;
    if (*c == SUB_ON || *c == SUB_OFF)
        c++;
    size_t n = 0;
    while (*c && *c != SUB_ON && *c != SUB_OFF && n + 1 < sizeof r->text)
        r->text[n++] = *c++;
    r->text[n] = '\0';
    if (*c == SUB_OFF)
        c++;
    r->next = c;
    return 1;
}

/* Draws (out != NULL) or measures a rule at x, baseline y; its width. */
static double rule_layout(TextRenderer *tr, RasterTarget *out, const char *rule, double size,
                          double x, double y, const float ink[3]) {
    RuleRun r = {rule, "", 0};
    double w = 0;
    int first = 1;
    while (rule_run(&r)) {
        if (!r.text[0])
            continue;
        if (!first)
            w += TIGHT_EM * size;
        first = 0;
        double sz = r.sub ? SUB_SCALE * size : size, dy = r.sub ? SUB_DROP * size : 0;
        if (out)
            text_draw(tr, out, r.text, (float)sz, (float)(x + w), (float)(y + dy), TEXT_LEFT,
                      ink[0], ink[1], ink[2], 1.0f);
        w += text_width(tr, r.text, sz);
    }
    return w;
}

/* The widest value number term tm takes over the run. With digits of
 * equal width (tabular figures, as DejaVu Sans has), a fixed format's
 * width grows with |v|, so the largest magnitude of each sign (and, with
 * an exponent, the smallest, whose exponent may be longest) is measured;
 * otherwise every row. */
static double number_width(const Equation *eq, const EquationLine *ln, const EquationTerm *tm,
                           TextRenderer *tr, double size, int tabular) {
    const int last = last_update(eq);
    char s[64];
    double w = 0;
    if (!tabular) {
        for (int k = 0; k <= last; k++) {
            format_number(value_at(eq, ln, tm->value, k), tm->decimals, s, sizeof s);
            w = fmax(w, text_width(tr, s, size));
        }
        return w;
    }
    /* Largest and smallest nonzero magnitude of each sign; odd values. */
    double big[2] = {-1, -1}, small[2] = {INFINITY, INFINITY};
    int odd_nan = 0, odd_inf[2] = {0, 0};
    for (int k = 0; k <= last; k++) {
        double v = value_at(eq, ln, tm->value, k);
        int neg = v < 0;
        if (isnan(v))
            odd_nan = 1;
        else if (isinf(v))
            odd_inf[neg] = 1;
        else {
            big[neg] = fmax(big[neg], fabs(v));
            if (v != 0)
                small[neg] = fmin(small[neg], fabs(v));
        }
    }
    for (int neg = 0; neg < 2; neg++) {
        const double sign = neg ? -1 : 1;
        if (big[neg] >= 0) {
            format_number(sign * big[neg], tm->decimals, s, sizeof s);
            w = fmax(w, text_width(tr, s, size));
        }
        if (tm->decimals < 0 && isfinite(small[neg])) {
            format_number(sign * small[neg], tm->decimals, s, sizeof s);
            w = fmax(w, text_width(tr, s, size));
        }
        if (odd_inf[neg])
            w = fmax(w, text_width(tr, neg ? "−∞" : "∞", size));
    }
    if (odd_nan)
        w = fmax(w, text_width(tr, "nan", size));
    return w;
}

static void measure_at(Equation *eq, TextRenderer *tr, double size, double lh) {
    eq->size = size;
    eq->lh = lh;
    eq->gap = GAP_EM * size;
    int tabular = 1;
    const double w0 = text_width(tr, "0", size);
    for (char d = '1'; d <= '9'; d++) {
        const char digit[2] = {d, '\0'};
        tabular &= fabs(text_width(tr, digit, size) - w0) < 1e-9;
    }
    const int numbers = last_update(eq) >= 0;
    double rule_w = 0, expr_w = 0, result_w = 0;
    for (int i = 0; i < eq->nlines; i++) {
        EquationLine *ln = &eq->line[i];
        ln->rule_w = rule_layout(tr, NULL, ln->rule, size, 0, 0, NULL);
        rule_w = fmax(rule_w, ln->rule_w);
        if (!numbers)
            continue;
        ln->expr_w = 0;
        for (int j = 0; j < ln->nterms; j++) {
            EquationTerm *tm = &ln->term[j];
            tm->w = tm->is_number ? number_width(eq, ln, tm, tr, size, tabular)
                                  : text_width(tr, tm->text, size);
            if (j > 0)
                ln->expr_w += tm->tight ? TIGHT_EM * size : eq->gap;
            ln->expr_w += tm->w;
        }
        ln->result.w = number_width(eq, ln, &ln->result, tr, size, tabular);
        expr_w = fmax(expr_w, ln->expr_w);
        result_w = fmax(result_w, ln->result.w);
    }
    /* The run's dot, then the columns. */
    const double dot = 0.9 * size, eqw = text_width(tr, "=", size);
    eq->x_eq1 = dot + rule_w + eq->gap;
    eq->x_expr = eq->x_eq1 + eqw + eq->gap;
    eq->x_eq2 = eq->x_expr + expr_w + eq->gap;
    eq->x_result = eq->x_eq2 + eqw + eq->gap;
    eq->width = numbers ? eq->x_result + result_w : dot + rule_w;
    eq->height = eq->nlines * lh;
}

void equation_measure(Equation *eq, TextRenderer *tr, double size, double lh, double maxw,
                      double maxh) {
    if (!eq->traj || eq->nlines == 0)
        return;
    measure_at(eq, tr, size, lh);
    /* Widths scale with the size (text.h), up to the rounding of sizes to
     * 1/64 px: shrink until it fits. */
    for (int i = 0; i < 4 && (eq->width > maxw || eq->height > maxh) && maxw > 0 && maxh > 0; i++) {
        double k = 0.998 * fmin(maxw / eq->width, maxh / eq->height);
        measure_at(eq, tr, eq->size * k, eq->lh * k);
    }
}

void equation_draw(const Equation *eq, TextRenderer *tr, RasterTarget *out, Rect band, double step,
                   const float ink[3], const float color[3]) {
    if (!eq->traj || eq->nlines == 0 || band.w <= 0 || band.h <= 0)
        return;
    const int k = equation_row(eq, step);
    const double size = eq->size;
    const double x0 = band.x + 0.5 * (band.w - eq->width);
    const double top = band.y + 0.5 * (band.h - eq->height);
    const float sz = (float)size;
    char s[64];
    for (int i = 0; i < eq->nlines; i++) {
        const EquationLine *ln = &eq->line[i];
        const double y = top + (i + 0.5) * eq->lh + 0.35 * size;
        if (i == 0) {
            RasterVertex c = {(float)(x0 + 0.3 * size),
                              (float)(y - 0.33 * size),
                              0,
                              color[0],
                              color[1],
                              color[2],
                              1};
            raster_point(out, c, (float)(0.36 * size), 0);
        }
        rule_layout(tr, out, ln->rule, size, x0 + 0.9 * size, y, ink);
        if (k < 0)
            continue;
        text_draw(tr, out, "=", sz, (float)(x0 + eq->x_eq1), (float)y, TEXT_LEFT, ink[0], ink[1],
                  ink[2], 1.0f);
        double x = x0 + eq->x_expr;
        for (int j = 0; j < ln->nterms; j++) {
            const EquationTerm *tm = &ln->term[j];
            if (j > 0)
                x += tm->tight ? TIGHT_EM * size : eq->gap;
            term_text(eq, ln, tm, k, s, sizeof s);
            /* A number right-aligned in the room of its widest value. */
            text_draw(tr, out, s, sz, (float)(tm->is_number ? x + tm->w : x), (float)y,
                      tm->is_number ? TEXT_RIGHT : TEXT_LEFT, ink[0], ink[1], ink[2], 1.0f);
            x += tm->w;
        }
        text_draw(tr, out, "=", sz, (float)(x0 + eq->x_eq2), (float)y, TEXT_LEFT, ink[0], ink[1],
                  ink[2], 1.0f);
        term_text(eq, ln, &ln->result, k, s, sizeof s);
        text_draw(tr, out, s, sz, (float)(x0 + eq->width), (float)y, TEXT_RIGHT, ink[0], ink[1],
                  ink[2], 1.0f);
    }
}
