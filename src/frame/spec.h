/*
 * spec.h — what every drawer of a frame reads: the config, the view data
 * and the frame's size and drawing units.
 *
 * Pipeline place: frame stage, below the composer (compose.h) and beside
 * the drawers it calls (scene3d.h, panels.h, overlay.h), which all take a
 * FrameSpec and know nothing of each other.
 */
#ifndef GD_FRAME_SPEC_H
#define GD_FRAME_SPEC_H

#include "config/config.h"
#include "draw/text.h"
#include "frame/marks.h"
#include "view/view.h"

/* The chrome's colours (RGB 0..1): everything drawn that is not data. It
 * follows the background's brightness, so text is always readable: a dark
 * background gets the dark theme's light text whatever [video] theme says
 * (theme picks the default background). */
typedef struct FrameTheme {
    int dark;
    float ink[3];      /* text */
    float axis[3];     /* axis lines and tick marks */
    float panel_bg[3]; /* 2D panels */
    float panel_frame[3];
    float panel_grid[3];
    float data_dot[3];   /* data points of the fit panel */
    float mark[3];       /* crosses, ball outlines, contour lines on the map */
    float box[3];        /* behind readouts and labels, translucent */
    float caption_bg[3]; /* split views' caption bands */
    float pane[3];       /* the 3D box's back walls */
    float pane_grid[3];
    float bg[3]; /* [video] background */
} FrameTheme;

typedef struct FrameSpec {
    const Config *cfg;
    const View *view;
    int width, height; /* output frame size (already halved for draft) */
    int ss;            /* supersampling factor of the 3D views: 2 at high quality, else 1 */
    int aa;            /* anti-aliased lines and points: 0 at draft quality */
    double scale;      /* line and marker size unit: height / 720 */
    double text_scale; /* [video] text_scale: text sizes are X_PX * scale * text_scale */
    int nframes;
    FrameTheme theme;
    int npoints; /* the marks and minima (marks.h) */
    FramePoint points[FRAME_MAX_POINTS];
    /* What decisions made once per video, on one thread, measure text
     * with (the composer's own renderer), or NULL for estimates. Never
     * used while frames are drawn. */
    TextRenderer *measure;
} FrameSpec;

/* Fills *spec for a width x height frame at quality q. */
void frame_spec_init(FrameSpec *spec, const Config *cfg, const View *view, int width, int height,
                     Quality q);

/* The chrome colours for a background. */
void frame_theme_init(FrameTheme *t, Rgb background);

/* The fill colour of legend line e of basin map m (the basins panel and
 * the 3D view's floor): light tints, so trails and balls stand out on
 * them. The global minima are green, the local minima the legend lists
 * blue, orange, purple, pink and cyan, the other minima sand, starts that
 * do not settle light gray, starts that diverge mid gray. */
void frame_basin_color(const BasinMap *m, int e, float c[3]);

#endif
