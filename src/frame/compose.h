/*
 * compose.h — the frame composer: the one place that decides what goes
 * where in a frame and draws it.
 *
 * Pipeline place: frame stage, after view. It lays the frame out
 * (layout.h), then for frame k asks the timeline for the step and the
 * camera for the pose (view/), and calls the 3D scene (scene3d.h), the 2D
 * panels and colourbar (panels.h), the text overlays (overlay.h) and the
 * update equation (equation.h) as
 * siblings, each into its rectangle of one RGB frame. Those never call each
 * other; what they share they read from the FrameSpec.
 *
 * Recipe: compose_init once per video (it precomputes the 3D scene and the
 * panels' images); per rendering thread compose_scratch_init; then
 * compose_frame for any frame in any order on any thread: a frame is a pure
 * function of (composer, frame number), which segments and render farms
 * rely on. compose_scratch_free and compose_free at the end.
 */
#ifndef GD_COMPOSE_H
#define GD_COMPOSE_H

#include <stdint.h>

#include "base/error.h"
#include "draw/text.h"
#include "frame/captions.h"
#include "frame/curve.h"
#include "frame/equation.h"
#include "frame/layout.h"
#include "frame/overlay.h"
#include "frame/panels.h"
#include "frame/scene3d.h"
#include "frame/spec.h"

/* Built in place by compose_init and not moved after (its parts point at
 * its spec). */
/* Where one 3D view's parts go, decided once per video. */
typedef struct ComposedView {
    Rect area;              /* below the caption band: readouts, then the 3D box */
    Rect view3d;            /* the 3D view proper */
    Rect readout;           /* where the readouts go (their width is at most readout.w) */
    Rect readout_box;       /* the box they are drawn in */
    int readout_layout;     /* READOUT_ONE_LINE, _TWO_LINES or _COLUMN (overlay.h) */
    ReadoutMetrics metrics; /* the readouts' sizes, measured once */
    int compact;            /* many runs: compact readouts over the view's corner */
    double fit;             /* magnification that makes the box fill view3d all video long */
} ComposedView;

typedef struct Composer {
    FrameSpec spec; /* the video's, and the first plane's view */
    Layout layout;
    CaptionPlan captions;
    ComposedView views[GD_MAX_RUNS];
    Scene3D scene;
    /* Planes side by side ([surface] plane = b, c | pca): view k > 0 shows
     * plane k with its own spec (its view) and 3D scene. */
    int nplanes;
    FrameSpec plane_spec[GD_MAX_PLANES];
    Scene3D plane_scene[GD_MAX_PLANES];
    int curve; /* a one-parameter model: the views show its loss curve, not scene */
    CurveScene curve_scene;
    Equation equation;     /* [layout] equation, measured once (empty without one) */
    PanelCache *panels;    /* owned */
    TextRenderer *measure; /* owned; spec.measure while compose_init runs */
} Composer;

/* Per-thread scratch: the 3D scene's buffers and a text renderer. */
typedef struct ComposerScratch {
    Scene3DScratch scene;
    TextRenderer *text;
    /* Each run's 3D state in the last frame composed on this scratch
     * (where its ball was drawn, ...), by run index. */
    Scene3DRunState shown[GD_MAX_RUNS];
    int pin_caption[GD_MAX_CAPTIONS]; /* the caption of each of scene.pins */
    /* The marks' and minima's labels in the 3D view just drawn, for its
     * captions to keep off. */
    int npoint_labels;
    Rect point_labels[FRAME_MAX_POINTS];
} ComposerScratch;

/* Prepares the video's frames of cfg and its view at width x height (the
 * output size: already halved for draft) and quality q, measuring its text
 * with the video's font. Returns 0, GD_ERR_INPUT for an unusable font (as
 * text_create says), or GD_ERR_RUNTIME when out of memory (then nothing
 * needs freeing). */
int compose_init(Composer *c, const Config *cfg, const View *view, int width, int height, Quality q,
                 GdError *err);

/* compose_init for planes side by side: views[0..nviews-1] the views of
 * [surface] plane's planes (view_build_planes), one 3D view each; the
 * panels show the first. */
int compose_init_planes(Composer *c, const Config *cfg, const View *views, int nviews, int width,
                        int height, Quality q, GdError *err);
void compose_free(Composer *c); /* idempotent */

/* Opens the font ([video] font or the shipped one; an unreadable font is
 * GD_ERR_INPUT) and the render buffers for one thread. */
int compose_scratch_init(ComposerScratch *sc, const Composer *c, GdError *err);
void compose_scratch_free(ComposerScratch *sc); /* idempotent */

/* Renders frame k (0 <= k < spec.nframes) into rgb (width * height * 3
 * bytes, pitch width * 3). */
void compose_frame(const Composer *c, ComposerScratch *sc, int frame, uint8_t *rgb);

#endif
