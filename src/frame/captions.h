/*
 * captions.h — [caption NAME] in the frame: text on the clock, with live
 * placeholders, in a band under the title (at = top) or at the bottom of
 * the frame (bottom), next to a run's ball (ball), or on a point of the
 * surface with a leader line (P, Q).
 *
 * Pipeline place: frame stage, called by the composer (compose.h) like
 * the overlays; reads the config's captions, and the frames the view stage
 * resolved for them (View.caption_frames), through a FrameSpec.
 *
 * Captions that are shown at the same time never overlap: each takes a
 * slot (a line of its band, or a place in the stack at its ball or point)
 * decided once per video, the lowest free one over its whole time, so a
 * caption never moves while it is shown.
 */
#ifndef GD_CAPTIONS_H
#define GD_CAPTIONS_H

#include "base/geom.h"
#include "draw/raster.h"
#include "draw/text.h"
#include "frame/spec.h"

typedef struct CaptionPlan {
    int slot[GD_MAX_CAPTIONS]; /* each caption's line or stack place, from 0 */
    int lines[2];              /* lines the top and the bottom bands need */
} CaptionPlan;

/* Assigns the slots of spec's captions. */
void captions_plan(const FrameSpec *s, CaptionPlan *plan);

/* Caption c's opacity in frame `frame`: 0 outside its frames, fading in
 * and out over its `fade` seconds, else 1. */
double captions_alpha(const FrameSpec *s, int c, int frame);

/* Caption c's text with its placeholders filled for the moment at
 * fractional step `step`: {step} the iterate the readout names, {loss},
 * {<param>} and {lr} of its run, {formula} the model's formula typeset
 * (typeset_config_formula: "a·x + b"), {basin_share} the global minima's
 * share of the basin map's starts in whole percent, as its legend says. */
void captions_text(const FrameSpec *s, int c, double step, char *out, size_t n);

/* The line height and text size of caption text (output pixels). */
double captions_line_px(const FrameSpec *s);

/* The captions of place (CAPTION_TOP or CAPTION_BOTTOM) shown in frame
 * `frame`, each on its slot's line of band, centred. */
void captions_draw_band(const FrameSpec *s, const CaptionPlan *plan, TextRenderer *tr,
                        RasterTarget *out, Rect band, CaptionPlace place, int frame, double step);

/* A caption's label anchored at (x, y) (a ball, or the top of a leader
 * line), at k times the caption size: on a translucent box beside the
 * anchor (right, left or centred; above or below; then one or two lines
 * further out: the first place that stays inside clip and off the avoid
 * rectangles, else the one that covers least of them); slot stacks it
 * away from the anchor past the ones before. */
void captions_draw_label(const FrameSpec *s, TextRenderer *tr, RasterTarget *out, const char *text,
                         double x, double y, int slot, double alpha, double k, Rect clip,
                         const Rect *avoid, int navoid);

#endif
