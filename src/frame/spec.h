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
#include "view/view.h"

typedef struct FrameSpec {
    const Config *cfg;
    const View *view;
    int width, height; /* output frame size (already halved for draft) */
    int ss;            /* supersampling factor of the 3D views: 2 at high quality, else 1 */
    int aa;            /* anti-aliased lines and points: 0 at draft quality */
    double scale;      /* text and line size unit: height / 720 */
    int nframes;
} FrameSpec;

/* Fills *spec for a width x height frame at quality q. */
void frame_spec_init(FrameSpec *spec, const Config *cfg, const View *view, int width, int height,
                     Quality q);

#endif
