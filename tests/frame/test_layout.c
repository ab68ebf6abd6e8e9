/*
 * test_layout.c — the frame arrangement: for many configs and frame sizes,
 * every rectangle lies inside the frame, none overlap, together they cover
 * the frame, split views are equal, and the exact numbers of the 1280x720
 * default arrangement.
 */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame/layout.h"
#include "testutil.h"

static Config *make_config(const char *title, LayoutMode mode, int nruns, const char *panels) {
    Config *c = calloc(1, sizeof *c);
    assert_non_null(c);
    snprintf(c->video.title, sizeof c->video.title, "%s", title);
    c->layout.mode = mode;
    c->nruns = nruns;
    for (const char *p = panels; *p; p++) {
        PanelKind k = *p == 's'   ? PANEL_SURFACE
                      : *p == 'c' ? PANEL_CONTOUR
                      : *p == 'f' ? PANEL_FIT
                                  : PANEL_LOSS;
        c->layout.panels[c->layout.npanels++] = k;
    }
    return c;
}

static int inside(Rect r, int w, int h) {
    return r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h;
}

static double overlap(Rect a, Rect b) {
    double w = fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x);
    double h = fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

static int whole(Rect r) {
    return r.x == floor(r.x) && r.y == floor(r.y) && r.w == floor(r.w) && r.h == floor(r.h);
}

/* Checks the invariants of L for cfg in a w x h frame. */
static void check_layout(const Config *cfg, const Layout *L, int w, int h) {
    Rect all[GD_MAX_RUNS + GD_MAX_PANELS + 3];
    int n = 0;
    all[n++] = L->title;
    all[n++] = L->colorbar;
    all[n++] = L->equation;
    for (int i = 0; i < L->nviews; i++)
        all[n++] = L->view[i];
    for (int i = 0; i < L->npanels; i++)
        all[n++] = L->panel[i];
    double area = 0;
    for (int i = 0; i < n; i++) {
        assert_true(inside(all[i], w, h));
        assert_true(whole(all[i]));
        area += all[i].w * all[i].h;
        for (int j = i + 1; j < n; j++)
            assert_true(overlap(all[i], all[j]) == 0);
    }

    int has_surface = 0, n2d = 0;
    for (int i = 0; i < cfg->layout.npanels; i++) {
        if (cfg->layout.panels[i] == PANEL_SURFACE)
            has_surface = 1;
        else
            assert_int_equal(L->panel_kind[n2d++], cfg->layout.panels[i]);
    }
    assert_int_equal(L->npanels, n2d);
    for (int i = 0; i < L->npanels; i++)
        assert_true(L->panel[i].w > 0 && L->panel[i].h > 0);
    if (cfg->video.title[0]) {
        assert_true(L->title.h > 0);
        assert_near(L->title.w, w, 0);
    } else {
        assert_near(L->title.h, 0, 0);
    }

    double empty_cells = 0;
    if (!has_surface) {
        assert_int_equal(L->nviews, 0);
        assert_near(L->colorbar.w, 0, 0);
    } else if (cfg->layout.mode == LAYOUT_OVERLAY) {
        assert_int_equal(L->nviews, 1);
        assert_near(L->caption[0].h, 0, 0);
        assert_true(L->colorbar.w > 0 && L->colorbar.h > 0);
        /* The colourbar stands right beside the view. */
        assert_near(L->colorbar.x, L->view[0].x + L->view[0].w, 0);
        /* A view no wider than 1.5 times its height, centred with the bar
         * in a wide area: the margins either side are left empty on
         * purpose. */
        assert_true(L->view[0].w <= lround(1.5 * L->view[0].h) || L->npanels > 0);
        if (L->npanels == 0)
            empty_cells = (w - L->view[0].w - L->colorbar.w) * L->view[0].h;
    } else {
        assert_int_equal(L->nviews, cfg->nruns);
        for (int i = 0; i < L->nviews; i++) {
            assert_near(L->view[i].w, L->view[0].w, 0);
            assert_near(L->view[i].h, L->view[0].h, 0);
            assert_true(L->view[i].w > 0 && L->view[i].h > 0);
            /* The caption is a band at the top of its view. */
            Rect c = L->caption[i];
            assert_true(c.h > 0 && c.h < L->view[i].h);
            assert_near(c.x, L->view[i].x, 0);
            assert_near(c.y, L->view[i].y, 0);
            assert_near(c.w, L->view[i].w, 0);
        }
        /* A grid whose last line is short leaves cells empty by design. */
        int along = cfg->nruns <= 3 ? cfg->nruns : (int)ceil(sqrt((double)cfg->nruns));
        int cells = along * ((cfg->nruns + along - 1) / along);
        empty_cells = (cells - cfg->nruns) * L->view[0].w * L->view[0].h;
    }
    assert_true((area + empty_cells) / ((double)w * h) >= 0.9);
}

static const int sizes[][2] = {{1280, 720}, {1920, 1080}, {640, 360}, {720, 1280}, {16, 16}};

static void check_all_sizes(const Config *cfg) {
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        Layout L;
        layout_compute(cfg, sizes[i][0], sizes[i][1], NULL, NULL, &L);
        if (sizes[i][0] >= 64)
            check_layout(cfg, &L, sizes[i][0], sizes[i][1]);
        else /* a tiny frame only has to stay inside itself */
            for (int k = 0; k < L.npanels; k++)
                assert_true(inside(L.panel[k], sizes[i][0], sizes[i][1]));
    }
}

static void test_invariants_many_configs(void **state) {
    (void)state;
    struct {
        const char *title;
        LayoutMode mode;
        int nruns;
        const char *panels;
    } cases[] = {
        {"", LAYOUT_OVERLAY, 1, "s"},     {"Gradient descent", LAYOUT_OVERLAY, 3, "s"},
        {"T", LAYOUT_OVERLAY, 2, "scl"},  {"", LAYOUT_OVERLAY, 2, "scl"},
        {"T", LAYOUT_OVERLAY, 2, "sfcl"}, {"", LAYOUT_OVERLAY, 1, "cs"},
        {"T", LAYOUT_SPLIT, 2, "s"},      {"", LAYOUT_SPLIT, 3, "s"},
        {"T", LAYOUT_SPLIT, 4, "s"},      {"T", LAYOUT_SPLIT, 10, "s"},
        {"", LAYOUT_SPLIT, 10, "sl"},     {"T", LAYOUT_SPLIT, 3, "sfl"},
        {"T", LAYOUT_OVERLAY, 1, "c"},    {"", LAYOUT_OVERLAY, 1, "cf"},
        {"T", LAYOUT_OVERLAY, 1, "cfl"},  {"", LAYOUT_SPLIT, 2, "fl"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Config *c = make_config(cases[i].title, cases[i].mode, cases[i].nruns, cases[i].panels);
        check_all_sizes(c);
        free(c);
    }
}

/* The default 1280x720 arrangement with a title, the surface, a contour
 * map and the loss plot, number by number. */
static void test_default_numbers(void **state) {
    (void)state;
    Config *c = make_config("T", LAYOUT_OVERLAY, 2, "scl");
    Layout L;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    assert_near(L.title.h, 60, 0);
    assert_int_equal(L.nviews, 1);
    /* 3D area: 60% of 1280 = 768 wide, the colourbar its last 80 columns. */
    assert_near(L.view[0].x, 0, 0);
    assert_near(L.view[0].y, 60, 0);
    assert_near(L.view[0].w, 688, 0);
    assert_near(L.view[0].h, 660, 0);
    assert_near(L.colorbar.x, 688, 0);
    assert_near(L.colorbar.w, 80, 0);
    assert_near(L.colorbar.h, 660, 0);
    /* Right column x 768..1280, 8 px gaps: two panels of (660 - 24) / 2. */
    assert_int_equal(L.npanels, 2);
    assert_int_equal(L.panel_kind[0], PANEL_CONTOUR);
    assert_int_equal(L.panel_kind[1], PANEL_LOSS);
    assert_near(L.panel[0].x, 776, 0);
    assert_near(L.panel[0].y, 68, 0);
    assert_near(L.panel[0].w, 496, 0);
    assert_near(L.panel[0].h, 318, 0);
    assert_near(L.panel[1].y, 394, 0);
    assert_near(L.panel[1].h, 318, 0);
    free(c);
}

/* [layout] equation: a band across the bottom of the 3D area, as high as
 * its lines (two per parameter for momentum: 4 x 27 + 2 x 8 px at 720p),
 * that the views, the colourbar and the panels make room for. */
static void test_equation_band(void **state) {
    (void)state;
    static RunConfig runs[3];
    for (int i = 0; i < 3; i++) {
        memset(&runs[i], 0, sizeof runs[i]);
        runs[i].optimizer = i == 1 ? OPT_MOMENTUM : OPT_GD;
    }
    Config *c = make_config("T", LAYOUT_OVERLAY, 3, "scl");
    c->runs = runs;
    c->model.nparams = 2;
    c->layout.show_equation = 1;
    c->layout.equation_run = 1;
    Layout L;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    assert_near(L.equation.h, 4 * 27 + 2 * 8, 0);
    assert_near(L.equation.x, 0, 0);
    assert_near(L.equation.w, 768, 0);
    assert_near(L.equation.y, 720 - L.equation.h, 0);
    assert_near(L.view[0].h, 660 - L.equation.h, 0);
    assert_near(L.colorbar.h, 660 - L.equation.h, 0);
    assert_near(L.panel[1].y + L.panel[1].h, 712, 0); /* the panels keep their height */
    check_all_sizes(c);
    /* Without a 3D view the band spans the frame; in split mode it runs
     * under every view. */
    c->layout.npanels = 0;
    c->layout.panels[c->layout.npanels++] = PANEL_FIT;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    assert_near(L.equation.w, 1280, 0);
    check_all_sizes(c);
    c->layout.mode = LAYOUT_SPLIT;
    c->layout.panels[0] = PANEL_SURFACE;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    for (int i = 0; i < L.nviews; i++)
        assert_true(L.view[i].y + L.view[i].h <= L.equation.y);
    check_all_sizes(c);
    /* text_scale grows it; gd has one line per parameter; none without. */
    c->video.text_scale = 1.5;
    c->layout.equation_run = 0;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    assert_near(L.equation.h, lround(2 * 27 * 1.5 + 2 * 8), 0);
    /* Bottom captions keep the frame's bottom; the band sits above them. */
    const int lines[2] = {1, 2};
    layout_compute(c, 1280, 720, NULL, lines, &L);
    assert_true(L.captions_bottom.h > 0 && L.captions_top.h > 0);
    assert_near(L.equation.y + L.equation.h, L.captions_bottom.y, 0);
    assert_true(L.view[0].y >= L.captions_top.y + L.captions_top.h);
    assert_near(L.view[0].y + L.view[0].h, L.equation.y, 0);
    c->layout.show_equation = 0;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    assert_near(L.equation.h, 0, 0);
    free(c);
}

/* A title too long for one line gets a second line's height, before it
 * would shrink; a short one does not. */
static void test_long_title_wraps(void **state) {
    (void)state;
    Config *c = make_config("Gradient descent with a learning rate that is far too large for "
                            "this valley: b zig-zags between two values for ever",
                            LAYOUT_OVERLAY, 1, "s");
    assert_int_equal(layout_title_lines(c, 1280, 720, NULL), 2);
    Layout L;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    assert_near(L.title.h, 60 + 38, 0);
    assert_near(L.view[0].y, 98, 0);
    /* Split at the space that makes the lines most even (by the font-free
     * estimate): "... far too large" / "for this valley: ..." (59 and 55
     * characters). */
    assert_int_equal(L.title_lines, 2);
    assert_int_equal(L.title_skip, 1);
    assert_int_equal(c->video.title[L.title_split], ' ');
    assert_int_equal(L.title_split, 59);
    assert_int_equal(strncmp(c->video.title + L.title_split + 1, "for this valley", 15), 0);
    free(c);
    c = make_config("Short", LAYOUT_OVERLAY, 1, "s");
    assert_int_equal(layout_title_lines(c, 1280, 720, NULL), 1);
    free(c);
}

/* Split mode: side by side up to three runs, then ceil(sqrt(n)) columns,
 * the short last row centred. */
static void test_split_grids(void **state) {
    (void)state;
    Config *c = make_config("", LAYOUT_SPLIT, 3, "s");
    Layout L;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    /* 1200 px of views (80 for the colourbar): 400 each. */
    assert_near(L.view[0].w, 400, 0);
    assert_near(L.view[0].h, 720, 0);
    assert_near(L.view[1].x, L.view[0].x + 400, 0);
    assert_near(L.view[2].y, 0, 0);
    assert_near(L.caption[0].h, 34, 0);
    free(c);

    c = make_config("", LAYOUT_SPLIT, 10, "s");
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    /* 4 columns x 3 rows of 300 x 240; the last row's two views centred. */
    assert_near(L.view[0].w, 300, 0);
    assert_near(L.view[0].h, 240, 0);
    assert_near(L.view[4].y, L.view[0].y + 240, 0);
    assert_near(L.view[8].y, L.view[0].y + 480, 0);
    assert_near(L.view[8].x, L.view[1].x, 0);
    assert_near(L.view[9].x, L.view[2].x, 0);
    free(c);

    /* A portrait frame stacks the views. */
    c = make_config("", LAYOUT_SPLIT, 2, "s");
    layout_compute(c, 720, 1280, NULL, NULL, &L);
    assert_near(L.view[0].x, L.view[1].x, 0);
    assert_near(L.view[1].y, L.view[0].y + L.view[0].h, 0);
    free(c);
}

/* Panels without a 3D view: side by side in a landscape frame, stacked in
 * a portrait one; with a 3D view in a portrait frame they go below it. */
static void test_panels_without_surface(void **state) {
    (void)state;
    Config *c = make_config("", LAYOUT_OVERLAY, 1, "cfl");
    Layout L;
    layout_compute(c, 1280, 720, NULL, NULL, &L);
    assert_int_equal(L.nviews, 0);
    assert_near(L.panel[0].y, L.panel[1].y, 0);
    assert_near(L.panel[1].y, L.panel[2].y, 0);
    assert_true(L.panel[0].x < L.panel[1].x && L.panel[1].x < L.panel[2].x);
    layout_compute(c, 720, 1280, NULL, NULL, &L);
    assert_near(L.panel[0].x, L.panel[1].x, 0);
    assert_true(L.panel[0].y < L.panel[1].y && L.panel[1].y < L.panel[2].y);
    free(c);

    c = make_config("", LAYOUT_OVERLAY, 1, "sc");
    layout_compute(c, 720, 1280, NULL, NULL, &L);
    assert_true(L.panel[0].y >= L.view[0].y + L.view[0].h);
    free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariants_many_configs),
        cmocka_unit_test(test_default_numbers),
        cmocka_unit_test(test_equation_band),
        cmocka_unit_test(test_split_grids),
        cmocka_unit_test(test_long_title_wraps),
        cmocka_unit_test(test_panels_without_surface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
