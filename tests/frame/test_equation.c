/*
 * test_equation.c — [layout] equation: for gd, momentum and adam the
 * numbers of every update equal the trajectory CSV's (and the recorded
 * optimizer state) at the shown precision; a minibatch run shows the
 * gradient it used; the row a frame shows; number formats; the equation
 * is drawn in its band and nowhere else, with no text overlapping, for
 * every optimizer at three sizes.
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

#include "frame/compose.h"
#include "testutil.h"

typedef struct Fixture {
    Config cfg;
    Trajectory trajs[GD_MAX_RUNS];
} Fixture;

static void load(Fixture *f, const char *path, const char *const *sets, int nsets) {
    ConfigOverride ov[4] = {{NULL}};
    for (int i = 0; i < nsets; i++)
        ov[i].text = sets[i];
    GdError err;
    if (config_load(path, ov, nsets, &f->cfg, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sim_run_all(&f->cfg, f->trajs, &err), 0);
}

static void unload(Fixture *f) {
    for (int r = 0; r < f->cfg.nruns; r++)
        trajectory_free(&f->trajs[r]);
    config_free(&f->cfg);
}

/* The CSV's rows of the run labelled `label`: a, b, loss, grad_a, grad_b
 * per row, as the numbers printed (malloc'd; *n rows). */
static double *csv_rows(const Fixture *f, const char *label, int *n) {
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(sim_write_csv(fp, &f->cfg, f->trajs, f->cfg.nruns), 0);
    rewind(fp);
    char line[1024];
    int cap = 1024, count = 0;
    double *rows = malloc(sizeof(double) * 5 * (size_t)cap);
    assert_non_null(fgets(line, sizeof line, fp)); /* the header */
    assert_string_equal(line, "run,step,a,b,loss,grad_a,grad_b\n");
    while (fgets(line, sizeof line, fp)) {
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        if ((size_t)(comma - line) != strlen(label) || strncmp(line, label, strlen(label)) != 0)
            continue;
        char *p = strchr(comma + 1, ',');
        assert_int_equal(atoi(comma + 1), count);
        if (count == cap) {
            cap *= 2;
            rows = realloc(rows, sizeof(double) * 5 * (size_t)cap);
        }
        for (int j = 0; j < 5; j++) {
            rows[5 * count + j] = strtod(p + 1, &p);
            assert_true(*p == ',' || *p == '\n');
        }
        count++;
    }
    fclose(fp);
    *n = count;
    return rows;
}

/* The test's own formatting: %.Nf, U+2212 for '-', no sign on a zero. */
static const char *num(double v, int decimals) {
    static char ring[16][64];
    static int next;
    char *out = ring[next++ % 16], raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    const char *s = raw;
    if (raw[0] == '-' && strspn(raw + 1, "0.") == strlen(raw + 1))
        s++;
    size_t o = 0;
    for (; *s; s++)
        if (*s == '-') {
            memcpy(out + o, "−", 3);
            o += 3;
        } else {
            out[o++] = *s;
        }
    out[o] = '\0';
    return out;
}

/* The decimals of a slot: the largest magnitude of a (stride 2, from
 * index i) over rows lo..hi. */
static int decimals(const double *a, int stride, int i, int lo, int hi) {
    double m = 0;
    for (int k = lo; k <= hi; k++)
        m = fmax(m, fabs(a[(size_t)k * stride + i]));
    return equation_decimals(m);
}

static void expect_line(const Equation *eq, int line, int k, const char *want) {
    char got[1024];
    equation_text(eq, line, k, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("line %d, row %d:\n got  \"%s\"\n want \"%s\"", line, k, got, want);
}

static const int AB[2] = {0, 1};
static const char *const NAME[2] = {"a", "b"};

static void test_gd_numbers_are_the_csv(void **state) {
    (void)state;
    static Fixture f;
    load(&f, "configs/explained.ini", NULL, 0);
    assert_int_equal(f.cfg.layout.show_equation, 1);
    const int r = f.cfg.layout.equation_run;
    int n;
    double *csv = csv_rows(&f, f.cfg.runs[r].label, &n);
    assert_int_equal(n, 401);
    Equation eq;
    equation_build(&eq, &f.cfg, &f.trajs[r], AB, 2);
    assert_int_equal(eq.nlines, 2);
    char want[512];
    for (int k = 0; k + 1 < n; k++)
        for (int i = 0; i < 2; i++) {
            const double *row = csv + 5 * k, *next = csv + 5 * (k + 1);
            snprintf(want, sizeof want, "%s ← %s − η·∂L/∂%s = %s − 0.1 × %s = %s", NAME[i], NAME[i],
                     NAME[i], num(row[i], 3), num(row[3 + i], 3), num(next[i], 3));
            expect_line(&eq, i, k, want);
        }
    /* The first update by hand, as the SPEC's example reads. */
    expect_line(&eq, 1, 0, "b ← b − η·∂L/∂b = 4.000 − 0.1 × 3.006 = 3.699");
    free(csv);
    unload(&f);
}

static void test_momentum_numbers(void **state) {
    (void)state;
    static Fixture f;
    const char *const sets[] = {"run.descent.optimizer=momentum"};
    load(&f, "configs/explained.ini", sets, 1);
    const Trajectory *t = &f.trajs[f.cfg.layout.equation_run];
    int n;
    double *csv = csv_rows(&f, "LR 0.1", &n);
    Equation eq;
    equation_build(&eq, &f.cfg, t, AB, 2);
    assert_int_equal(eq.nlines, 4);
    char want[512];
    for (int i = 0; i < 2; i++) {
        const int dv0 = decimals(t->state_m, 2, i, 0, n - 2);
        const int dv1 = decimals(t->state_m, 2, i, 1, n - 1);
        for (int k = 0; k + 1 < n; k++) {
            const double *row = csv + 5 * k, *next = csv + 5 * (k + 1);
            const double v0 = t->state_m[2 * k + i], v1 = t->state_m[2 * (k + 1) + i];
            /* v ← μ·v + g, with the CSV's gradient: the same numbers. */
            assert_true(v1 == 0.9 * v0 + row[3 + i]);
            snprintf(want, sizeof want, "v_%s ← μ·v_%s + ∂L/∂%s = 0.9 × %s + %s = %s", NAME[i],
                     NAME[i], NAME[i], num(v0, dv0), num(row[3 + i], 3), num(v1, dv1));
            expect_line(&eq, 2 * i, k, want);
            snprintf(want, sizeof want, "%s ← %s − η·v_%s = %s − 0.1 × %s = %s", NAME[i], NAME[i],
                     NAME[i], num(row[i], 3), num(v1, dv1), num(next[i], 3));
            expect_line(&eq, 2 * i + 1, k, want);
        }
    }
    free(csv);
    unload(&f);
}

static void test_adam_numbers(void **state) {
    (void)state;
    static Fixture f;
    const char *const sets[] = {"layout.equation=adam"};
    load(&f, "configs/optimizers.ini", sets, 1);
    const Trajectory *t = &f.trajs[f.cfg.layout.equation_run];
    assert_string_equal(t->run->label, "adam");
    int n;
    double *csv = csv_rows(&f, "adam", &n);
    assert_int_equal(n, t->nrows);
    Equation eq;
    equation_build(&eq, &f.cfg, t, AB, 2);
    assert_int_equal(eq.nlines, 6);
    /* m̂ and v̂ after each update, and each slot's decimals. */
    double *hat = malloc(sizeof(double) * 4 * (size_t)n);
    for (int k = 0; k + 1 < n; k++)
        for (int i = 0; i < 2; i++) {
            hat[4 * k + i] = t->state_m[2 * (k + 1) + i] / (1.0 - pow(0.9, k + 1));
            hat[4 * k + 2 + i] = t->state_s[2 * (k + 1) + i] / (1.0 - pow(0.999, k + 1));
        }
    char want[1024];
    for (int i = 0; i < 2; i++) {
        const char *P = NAME[i];
        const int dm0 = decimals(t->state_m, 2, i, 0, n - 2);
        const int dm1 = decimals(t->state_m, 2, i, 1, n - 1);
        const int ds0 = decimals(t->state_s, 2, i, 0, n - 2);
        const int ds1 = decimals(t->state_s, 2, i, 1, n - 1);
        const int dmh = decimals(hat, 4, i, 0, n - 2), dsh = decimals(hat, 4, 2 + i, 0, n - 2);
        for (int k = 0; k + 1 < n; k += 7) {
            const double *row = csv + 5 * k, *next = csv + 5 * (k + 1);
            const double *m = t->state_m, *s = t->state_s;
            snprintf(want, sizeof want,
                     "m_%s ← β₁·m_%s + (1 − β₁)·∂L/∂%s = 0.9 × %s + 0.1 × %s = %s", P, P, P,
                     num(m[2 * k + i], dm0), num(row[3 + i], 3), num(m[2 * k + 2 + i], dm1));
            expect_line(&eq, 3 * i, k, want);
            snprintf(want, sizeof want,
                     "v_%s ← β₂·v_%s + (1 − β₂)·(∂L/∂%s)² = 0.999 × %s + 0.001 × (%s)² = %s", P, P,
                     P, num(s[2 * k + i], ds0), num(row[3 + i], 3), num(s[2 * k + 2 + i], ds1));
            expect_line(&eq, 3 * i + 1, k, want);
            snprintf(want, sizeof want,
                     "%s ← %s − η·m̂_%s/(√v̂_%s + ε) = %s − 0.1 × %s/(√%s + 10⁻⁸) = %s", P, P, P, P,
                     num(row[i], 3), num(hat[4 * k + i], dmh), num(hat[4 * k + 2 + i], dsh),
                     num(next[i], 3));
            expect_line(&eq, 3 * i + 2, k, want);
        }
    }
    free(hat);
    free(csv);
    unload(&f);
}

/* With batch > 0 the CSV's gradient is the full-data one; the equation
 * shows the minibatch gradient the step used, and its numbers add up. */
static void test_minibatch_shows_its_gradient(void **state) {
    (void)state;
    static Fixture f;
    const char *const sets[] = {"run.descent.batch=20"};
    load(&f, "configs/explained.ini", sets, 1);
    const Trajectory *t = &f.trajs[0];
    assert_non_null(t->step_grad);
    Equation eq;
    equation_build(&eq, &f.cfg, t, AB, 2);
    char want[512];
    int differs = 0;
    for (int k = 0; k + 1 < t->nrows; k++) {
        const double g = trajectory_step_grad(t, k)[0];
        assert_true(t->params[2 * (k + 1)] == t->params[2 * k] - 0.1 * g);
        differs += strcmp(num(g, 3), num(t->grad[2 * k], 3)) != 0;
        snprintf(want, sizeof want, "a ← a − η·∂L/∂a = %s − 0.1 × %s = %s",
                 num(t->params[2 * k], 3), num(g, 3), num(t->params[2 * (k + 1)], 3));
        expect_line(&eq, 0, k, want);
    }
    assert_true(differs > 100);
    unload(&f);
}

static void test_rows_and_formats(void **state) {
    (void)state;
    static Fixture f;
    load(&f, "configs/explained.ini", NULL, 0);
    Equation eq;
    equation_build(&eq, &f.cfg, &f.trajs[0], AB, 2);
    /* The update from floor(step); the last one from the last row on. */
    assert_int_equal(equation_row(&eq, 0), 0);
    assert_int_equal(equation_row(&eq, 0.99), 0);
    assert_int_equal(equation_row(&eq, 12.25), 12);
    assert_int_equal(equation_row(&eq, 399), 399);
    assert_int_equal(equation_row(&eq, 400), 399);
    assert_int_equal(equation_row(&eq, 1e9), 399);
    assert_int_equal(equation_row(&eq, -3), 0);
    assert_int_equal(equation_row(&eq, NAN), 0);
    /* A run without steps shows its rules. */
    Trajectory one = f.trajs[0];
    one.nrows = 1;
    equation_build(&eq, &f.cfg, &one, AB, 2);
    assert_int_equal(equation_row(&eq, 5), -1);
    expect_line(&eq, 1, -1, "b ← b − η·∂L/∂b");
    /* Decimals: three, more for a slot that stays small, an exponent
     * from 1e5. */
    assert_int_equal(equation_decimals(0), 3);
    assert_int_equal(equation_decimals(5), 3);
    assert_int_equal(equation_decimals(0.3), 3);
    assert_int_equal(equation_decimals(0.05), 4);
    assert_int_equal(equation_decimals(0.0025), 5);
    assert_int_equal(equation_decimals(1e-9), 6);
    assert_int_equal(equation_decimals(99999), 3);
    assert_int_equal(equation_decimals(1e5), -1);
    assert_int_equal(equation_decimals(INFINITY), -1);
    unload(&f);
    /* A run that diverges: its big numbers get exponents in every row,
     * and the last update is the one that left the limits. */
    const char *const sets[] = {"run.descent.lr=1.5"};
    load(&f, "configs/explained.ini", sets, 1);
    const Trajectory *t = &f.trajs[0];
    assert_int_equal(t->status, RUN_DIVERGED);
    equation_build(&eq, &f.cfg, t, AB, 2);
    char got[512];
    equation_text(&eq, 1, 0, got, sizeof got);
    assert_string_equal(got, "b ← b − η·∂L/∂b = 4.000e+00 − 1.5 × 3.006e+00 = −5.087e−01");
    equation_text(&eq, 1, equation_row(&eq, 1e9), got, sizeof got);
    assert_string_equal(got, "b ← b − η·∂L/∂b = −7.879e+05 − 1.5 × −1.576e+06 = 1.576e+06");
    unload(&f);
}

/* Every text box drawn in a frame: none overlaps another or leaves the
 * frame; the equation's lie in its band. Returns the boxes in the band. */
static int check_boxes(const Composer *c, ComposerScratch *sc, int frame, const char *what) {
    enum { CAP = 512 };
    static TextBox box[CAP];
    const int W = c->spec.width, H = c->spec.height;
    const Rect band = c->layout.equation;
    uint8_t *rgb = malloc((size_t)W * H * 3);
    int n = 0;
    text_record(sc->text, box, CAP, &n);
    compose_frame(c, sc, frame, rgb);
    text_record(sc->text, NULL, 0, NULL);
    free(rgb);
    assert_true(n > 0 && n <= CAP);
    int in_band = 0;
    for (int a = 0; a < n; a++) {
        const TextBox *p = &box[a];
        if (p->x0 < 0 || p->y0 < 0 || p->x1 > W || p->y1 > H)
            fail_msg("%s frame %d: \"%s\" leaves the frame", what, frame, p->text);
        int inside = p->x0 >= band.x && p->x1 <= band.x + band.w && p->y0 >= band.y &&
                     p->y1 <= band.y + band.h;
        int touches =
            p->x0 < band.x + band.w && band.x < p->x1 && p->y0 < band.y + band.h && band.y < p->y1;
        if (touches && !inside)
            fail_msg("%s frame %d: \"%s\" crosses the equation's band", what, frame, p->text);
        in_band += inside;
        for (int b = a + 1; b < n; b++) {
            const TextBox *q = &box[b];
            if (p->x0 < q->x1 && q->x0 < p->x1 && p->y0 < q->y1 && q->y0 < p->y1)
                fail_msg("%s frame %d: \"%s\" and \"%s\" overlap", what, frame, p->text, q->text);
        }
    }
    return in_band;
}

/* Each optimizer's equation in optimizers.ini (three panels: the narrow
 * 3D area) at three sizes: drawn in its band, nothing overlapping. */
static void test_every_optimizer_fits(void **state) {
    (void)state;
    static const char *const labels[] = {"gd",      "momentum", "nesterov",
                                         "adagrad", "rmsprop",  "adam"};
    static const int sizes[3][2] = {{640, 360}, {1280, 720}, {1920, 1080}};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        static Fixture f;
        char set[64];
        snprintf(set, sizeof set, "layout.equation=%s", labels[i]);
        const char *const sets[] = {set};
        load(&f, "configs/optimizers.ini", sets, 1);
        GdError err;
        View v;
        assert_int_equal(view_build(&v, &f.cfg, f.trajs, 2, &err), 0);
        for (int z = 0; z < 3; z++) {
            Composer c;
            assert_int_equal(
                compose_init(&c, &f.cfg, &v, sizes[z][0], sizes[z][1], QUALITY_DRAFT, &err), 0);
            assert_true(c.layout.equation.h > 0);
            assert_int_equal(c.equation.nlines,
                             2 * equation_lines_per_param(f.cfg.runs[i].optimizer));
            ComposerScratch sc;
            assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
            const int nf = c.spec.nframes, frames[3] = {0, nf / 3, nf - 1};
            for (int k = 0; k < 3; k++) {
                /* per line: the rule's pieces, two '=', the terms, the result */
                int in_band = check_boxes(&c, &sc, frames[k], set);
                assert_true(in_band >= c.equation.nlines * 5);
            }
            compose_scratch_free(&sc);
            compose_free(&c);
        }
        view_free(&v);
        unload(&f);
    }
}

/* The equation is drawn: its band differs from the same frame without
 * it, and nothing else changes. */
static void test_equation_is_drawn(void **state) {
    (void)state;
    static Fixture f;
    load(&f, "configs/explained.ini", NULL, 0);
    GdError err;
    View v;
    assert_int_equal(view_build(&v, &f.cfg, f.trajs, 2, &err), 0);
    Composer c;
    assert_int_equal(compose_init(&c, &f.cfg, &v, 640, 360, QUALITY_MEDIUM, &err), 0);
    ComposerScratch sc;
    assert_int_equal(compose_scratch_init(&sc, &c, &err), 0);
    const size_t bytes = (size_t)640 * 360 * 3;
    uint8_t *with = malloc(bytes), *without = malloc(bytes);
    compose_frame(&c, &sc, 100, with);
    const Trajectory *saved = c.equation.traj;
    c.equation.traj = NULL;
    compose_frame(&c, &sc, 100, without);
    c.equation.traj = saved;
    const Rect band = c.layout.equation;
    int inside = 0, outside = 0;
    for (int y = 0; y < 360; y++)
        for (int x = 0; x < 640; x++) {
            size_t o = 3 * ((size_t)y * 640 + x);
            int d = memcmp(with + o, without + o, 3) != 0;
            int in = x >= band.x && x < band.x + band.w && y >= band.y && y < band.y + band.h;
            inside += d && in;
            outside += d && !in;
        }
    assert_true(inside > 500);
    assert_int_equal(outside, 0);
    free(with);
    free(without);
    compose_scratch_free(&sc);
    compose_free(&c);
    view_free(&v);
    unload(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gd_numbers_are_the_csv),
        cmocka_unit_test(test_momentum_numbers),
        cmocka_unit_test(test_adam_numbers),
        cmocka_unit_test(test_minibatch_shows_its_gradient),
        cmocka_unit_test(test_rows_and_formats),
        cmocka_unit_test(test_every_optimizer_fits),
        cmocka_unit_test(test_equation_is_drawn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
