/*
 * layout.c — the frame's arrangement of title, 3D views, colourbar and 2D
 * panels (see layout.h for the rules and why).
 *
 * Everything is computed in whole pixels of the output frame, so panels
 * drawn side by side never share or miss a pixel column.
 */
#include "frame/layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/tunables.h"
#include "draw/text.h"
#include "frame/equation.h"

static Rect rect(double x, double y, double w, double h) {
    Rect r = {x, y, w > 0 ? w : 0, h > 0 ? h : 0};
    return r;
}

static int clampi(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* Places n rects in rows (counts[i] rects in row i, nrows rows) over area,
 * with gap g around and between them; each row's rects share its width. */
static void place_rows(Rect area, const int *counts, int nrows, int g, Rect *out) {
    int x0 = (int)area.x + g, y0 = (int)area.y + g;
    int w = (int)area.w - 2 * g, h = (int)area.h - 2 * g;
    int k = 0;
    for (int r = 0; r < nrows; r++) {
        int ya = y0 + (h + g) * r / nrows, yb = y0 + (h + g) * (r + 1) / nrows - g;
        for (int c = 0; c < counts[r]; c++) {
            int xa = x0 + (w + g) * c / counts[r], xb = x0 + (w + g) * (c + 1) / counts[r] - g;
            out[k++] = rect(xa, ya, xb - xa, yb - ya);
        }
    }
}

/* The 2D panels share area: one row in a landscape area, one column in a
 * portrait one; three panels that would get cells too narrow or too flat
 * that way go two over one instead. */
static void place_panels(Rect area, int n, int g, Rect *out) {
    if (n <= 0)
        return;
    int counts[GD_MAX_PANELS];
    double inner_w = area.w - 2 * g, inner_h = area.h - 2 * g;
    int as_row = inner_w >= inner_h;
    double cell_aspect = as_row ? (inner_w / n) / inner_h : inner_w / (inner_h / n);
    if (n == 3 && (cell_aspect < 0.55 || cell_aspect > 3.0)) {
        counts[0] = 2;
        counts[1] = 1;
        place_rows(area, counts, 2, g, out);
    } else if (as_row) {
        counts[0] = n;
        place_rows(area, counts, 1, g, out);
    } else {
        for (int i = 0; i < n; i++)
            counts[i] = 1;
        place_rows(area, counts, n, g, out);
    }
}

/* Equal views for n runs over area; the last, incomplete row (or column in
 * a portrait area) is centred. */
static void place_views(Rect area, int n, double text_u, Layout *L) {
    int landscape = area.w >= area.h;
    int along = n <= 3 ? n : (int)ceil(sqrt((double)n) - 1e-9); /* views per line */
    int lines = (n + along - 1) / along;
    int cols = landscape ? along : lines, rows = landscape ? lines : along;
    int cw = (int)area.w / cols, ch = (int)area.h / rows;
    int ox = (int)area.x + ((int)area.w - cw * cols) / 2;
    int oy = (int)area.y + ((int)area.h - ch * rows) / 2;
    int cap = clampi((int)lround(LAYOUT_CAPTION_PX * text_u), 0, ch / 3);
    for (int k = 0; k < n; k++) {
        int line = k / along, pos = k % along;
        int in_line = line == lines - 1 ? n - line * along : along;
        int shift = (along - in_line); /* empty cells in this line, centred by half a cell each */
        int x, y;
        if (landscape) {
            x = ox + pos * cw + shift * cw / 2;
            y = oy + line * ch;
        } else {
            x = ox + line * cw;
            y = oy + pos * ch + shift * ch / 2;
        }
        L->view[k] = rect(x, y, cw, ch);
        L->caption[k] = rect(x, y, cw, cap);
    }
    L->nviews = n;
}

int layout_title_lines(const Config *cfg, int width, int height, TextRenderer *tr) {
    const double u = height / 720.0;
    const double text_scale = cfg->video.text_scale > 0 ? cfg->video.text_scale : 1.0;
    if (!cfg->video.title[0])
        return 0;
    double w = text_width(tr, cfg->video.title, OVERLAY_TITLE_PX * u * text_scale);
    return w > width - 32 * u ? 2 : 1;
}

/* Where a two-line title splits so its lines come out most even: at a
 * space, or between any two characters of a title without spaces
 * (Chinese). Sets L->title_split and L->title_skip. */
static void split_title(const char *title, TextRenderer *tr, Layout *L) {
    size_t n = strlen(title), best = 0;
    int spaces = strchr(title, ' ') != NULL;
    double best_w = 1e300;
    char left[GD_TEXT_MAX];
    for (size_t i = 1; i < n; i++) {
        if ((title[i] & 0xc0) == 0x80 || (spaces && title[i] != ' '))
            continue;
        snprintf(left, sizeof left, "%.*s", (int)i, title);
        double w = fmax(text_width(tr, left, 20), text_width(tr, title + i + spaces, 20));
        if (w < best_w) {
            best_w = w;
            best = i;
        }
    }
    L->title_split = best;
    L->title_skip = spaces ? 1 : 0;
    if (best == 0)
        L->title_lines = 1;
}

void layout_compute(const Config *cfg, int width, int height, TextRenderer *tr,
                    const int caption_lines[2], Layout *out) {
    memset(out, 0, sizeof *out);
    const double u = height / 720.0;
    /* A Config made by hand (tests) may leave it 0: no scaling then. */
    const double text_scale = cfg->video.text_scale > 0 ? cfg->video.text_scale : 1.0;
    int top = 0;
    if (cfg->video.title[0]) {
        out->title_lines = layout_title_lines(cfg, width, height, tr);
        if (out->title_lines == 2)
            split_title(cfg->video.title, tr, out);
        double band = LAYOUT_TITLE_BAND_PX + (out->title_lines - 1) * LAYOUT_TITLE_LINE_PX;
        top = clampi((int)lround(band * u * text_scale), 0, height);
        out->title = rect(0, 0, width, top);
    }
    Rect content = rect(0, top, width, height - top);
    if (caption_lines && caption_lines[0] > 0) {
        int h =
            clampi((int)lround((caption_lines[0] * LAYOUT_CAPTION_LINE_PX + 8) * u * text_scale), 0,
                   (int)content.h / 3);
        out->captions_top = rect(0, content.y, width, h);
        content = rect(0, content.y + h, width, content.h - h);
    }
    if (caption_lines && caption_lines[1] > 0) {
        int h =
            clampi((int)lround((caption_lines[1] * LAYOUT_CAPTION_LINE_PX + 8) * u * text_scale), 0,
                   (int)content.h / 3);
        out->captions_bottom = rect(0, content.y + content.h - h, width, h);
        content = rect(0, content.y, width, content.h - h);
    }

    int has_surface = 0;
    for (int i = 0; i < cfg->layout.npanels && i < GD_MAX_PANELS; i++) {
        if (cfg->layout.panels[i] == PANEL_SURFACE)
            has_surface = 1;
        else
            out->panel_kind[out->npanels++] = cfg->layout.panels[i];
    }

    Rect area3d = rect(0, 0, 0, 0), rest = content;
    if (has_surface && out->npanels > 0) {
        if (content.w >= content.h) {
            int w3 = (int)lround(LAYOUT_AREA_3D * content.w);
            area3d = rect(content.x, content.y, w3, content.h);
            rest = rect(content.x + w3, content.y, content.w - w3, content.h);
        } else {
            int h3 = (int)lround(LAYOUT_AREA_3D * content.h);
            area3d = rect(content.x, content.y, content.w, h3);
            rest = rect(content.x, content.y + h3, content.w, content.h - h3);
        }
    } else if (has_surface) {
        area3d = content;
    }

    /* The equation's band: across the bottom of the 3D area, or of the
     * panels' area without one. */
    const int eq_lines = equation_line_count(cfg);
    if (eq_lines > 0) {
        Rect *from = has_surface ? &area3d : &rest;
        double want = eq_lines * EQUATION_LINE_PX * u * text_scale + 2 * EQUATION_PAD_PX * u;
        int h = clampi((int)lround(want), 0, (int)(EQUATION_BAND_MAX * from->h));
        out->equation = rect(from->x, from->y + from->h - h, from->w, h);
        from->h -= h;
    }

    int g = clampi((int)lround(LAYOUT_GAP_PX * u), 1, 64);
    place_panels(rest, out->npanels, g, out->panel);

    if (has_surface && area3d.w > 0 && area3d.h > 0) {
        /* A one-parameter model's loss curve has its loss axis beside it:
         * no colourbar, and a plot as wide as the area. */
        const int curve = cfg->model.nparams == 1;
        int cbw = curve ? 0 : clampi((int)lround(LAYOUT_COLORBAR_PX * u), 0, (int)area3d.w / 4);
        out->colorbar = rect(area3d.x + area3d.w - cbw, area3d.y, cbw, area3d.h);
        Rect views = rect(area3d.x, area3d.y, area3d.w - cbw, area3d.h);
        if (cfg->layout.mode == LAYOUT_SPLIT) {
            int n = clampi(cfg->nruns, 1, GD_MAX_RUNS);
            place_views(views, n, u * text_scale, out);
        } else if (cfg->surface.nplanes > 1) {
            /* Planes side by side ([surface] plane = b, c | pca), each with
             * a caption band naming it. */
            place_views(views, clampi(cfg->surface.nplanes, 1, GD_MAX_PLANES), u * text_scale, out);
        } else {
            /* One view in a wide area: no wider than 1.5 times its height
             * (the box is drawn to fit the height), centred together with
             * the colourbar so the bar stands beside the landscape rather
             * than at the far edge of the frame. */
            int vw = (int)views.w, maxw = (int)lround(1.5 * views.h);
            if (vw > maxw && !curve) {
                int left = (int)lround((area3d.w - (maxw + cbw)) / 2.0);
                views = rect(area3d.x + left, views.y, maxw, views.h);
                out->colorbar = rect(views.x + views.w, area3d.y, cbw, area3d.h);
            }
            out->view[0] = views;
            out->caption[0] = rect(views.x, views.y, views.w, 0);
            out->nviews = 1;
        }
    }
}
