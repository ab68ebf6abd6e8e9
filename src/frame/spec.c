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
    spec->nframes = config_frame_count(cfg);
}
