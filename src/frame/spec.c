/*
 * spec.c — see spec.h.
 */
#include "frame/spec.h"

void frame_spec_init(FrameSpec *spec, const Config *cfg, const View *view, int width, int height,
                     Quality q) {
    spec->cfg = cfg;
    spec->view = view;
    spec->width = width;
    spec->height = height;
    spec->ss = q == QUALITY_HIGH ? 2 : 1;
    spec->aa = q != QUALITY_DRAFT;
    spec->scale = height / 720.0;
    spec->text_scale = cfg->video.text_scale > 0 ? cfg->video.text_scale : 1.0;
    spec->nframes = config_frame_count(cfg);
    frame_theme_init(&spec->theme, cfg->video.background);
    spec->npoints = frame_points_make(cfg, view, spec->theme.ink, spec->points);
}

static void set3(float c[3], float r, float g, float b) {
    c[0] = r;
    c[1] = g;
    c[2] = b;
}

void frame_theme_init(FrameTheme *t, Rgb background) {
    /* Relative luminance (Rec. 709) of the background. */
    double lum = (0.2126 * background.r + 0.7152 * background.g + 0.0722 * background.b) / 255.0;
    t->dark = lum < 0.45;
    set3(t->bg, background.r / 255.0f, background.g / 255.0f, background.b / 255.0f);
    if (!t->dark) {
        set3(t->ink, 0.15f, 0.15f, 0.18f);
        set3(t->axis, 0.35f, 0.35f, 0.38f);
        set3(t->panel_bg, 1, 1, 1);
        set3(t->panel_frame, 0.78f, 0.78f, 0.80f);
        set3(t->panel_grid, 0.90f, 0.90f, 0.92f);
        set3(t->data_dot, 0.6f, 0.6f, 0.6f);
        set3(t->mark, 0.1f, 0.1f, 0.1f);
        set3(t->box, 1, 1, 1);
        set3(t->caption_bg, 0.96f, 0.96f, 0.97f);
        set3(t->pane, 0.925f, 0.925f, 0.94f);
        set3(t->pane_grid, 0.80f, 0.80f, 0.82f);
        return;
    }
    set3(t->ink, 0.91f, 0.92f, 0.94f);
    set3(t->axis, 0.66f, 0.67f, 0.70f);
    set3(t->panel_bg, 0.09f, 0.10f, 0.12f);
    set3(t->panel_frame, 0.32f, 0.33f, 0.36f);
    set3(t->panel_grid, 0.20f, 0.21f, 0.24f);
    set3(t->data_dot, 0.62f, 0.63f, 0.66f);
    set3(t->mark, 0.94f, 0.94f, 0.96f);
    set3(t->box, 0.07f, 0.08f, 0.10f);
    set3(t->caption_bg, 0.14f, 0.15f, 0.18f);
    set3(t->pane, 0.15f, 0.16f, 0.19f);
    set3(t->pane_grid, 0.27f, 0.28f, 0.32f);
}

void frame_basin_color(const BasinMap *m, int e, float c[3]) {
    static const unsigned char local[BASIN_LEGEND_LOCAL][3] = {{0xae, 0xc7, 0xe8},
                                                               {0xff, 0xbb, 0x78},
                                                               {0xc5, 0xb0, 0xd5},
                                                               {0xf7, 0xb6, 0xd2},
                                                               {0x9e, 0xda, 0xe5}};
    static const unsigned char global[3] = {0x98, 0xdf, 0x8a}, others[3] = {0xe6, 0xd8, 0xb8},
                               moving[3] = {0xd9, 0xd9, 0xd9}, diverged[3] = {0x8c, 0x8c, 0x8c};
    const unsigned char *rgb = moving;
    if (e >= 0 && e < m->nentries) {
        switch (m->entry[e].kind) {
        case BASIN_ENTRY_GLOBAL:
            rgb = global;
            break;
        case BASIN_ENTRY_LOCAL: {
            int k = 0; /* which of the listed local minima */
            for (int i = 0; i < e; i++)
                k += m->entry[i].kind == BASIN_ENTRY_LOCAL;
            rgb = local[k % BASIN_LEGEND_LOCAL];
            break;
        }
        case BASIN_ENTRY_OTHERS:
            rgb = others;
            break;
        case BASIN_ENTRY_MOVING:
            rgb = moving;
            break;
        case BASIN_ENTRY_DIVERGED:
            rgb = diverged;
            break;
        }
    }
    set3(c, rgb[0] / 255.0f, rgb[1] / 255.0f, rgb[2] / 255.0f);
}
