/*
 * tunables.h — every knob of the picture and the pipeline in one place,
 * each with what it does (as raylib's config.h). Sizes marked "px" are
 * pixels at 720p and scale with the frame height; text sizes also with
 * [video] text_scale. The text sizes are chosen to read at the back of a
 * lecture hall at 720p full screen.
 *
 * Pipeline place: base; read by view/, frame/ and output/. Limits that are
 * part of the config's contract (GD_MAX_*, value ranges) live in
 * config/config.h instead; implementation limits stay with their module.
 */
#ifndef GD_TUNABLES_H
#define GD_TUNABLES_H

/* ---- view: timeline, camera, landscape ---- */
/* Default pacing: each of the first steps takes this long, then the pace
 * grows exponentially so that all steps fit in [video] duration. */
#define TIMELINE_FIRST_STEP_S    0.4
#define TIMELINE_DWELL           0.45 /* share of a slow step the ball rests at its iterate */
#define TIMELINE_SNAP_RATE       1.0  /* steps per frame from which the ball shows whole iterates */
#define TIMELINE_PHASE_RATE      2.0  /* ... and from which it keeps to even iterates */
#define TIMELINE_AFTERIMAGE_RATE 0.34 /* steps per frame from which recent iterates stay lit */
#define TIMELINE_AFTERIMAGE_S    0.4  /* how long an iterate stays lit after the ball left it */
#define TIMELINE_AFTERIMAGES     24   /* afterimages per run, at most */
#define CAMERA_BOX_HALF_Z        0.7  /* world half-height of the box (x and y span -1..1) */
/* Vertical field of view at zoom 1: gentle perspective, close to a
 * photographic "normal" lens, so hills in front look nearer than behind. */
#define CAMERA_FOV_DEG      28.0
#define CAMERA_ORBIT_TURN   40.0 /* degrees the default orbit turns over the video */
#define CAMERA_ORBIT_RISE   5.0  /* degrees its elevation rises */
#define VIEW_TARGET_ROWS    4096 /* rows a run contributes to [camera] target = trails */
#define VIEW_FADE_DIST      0.1 /* off-plane distance (x the box's side) where a trail is half faded */
#define VIEW_FADE_MIN       0.25 /* the faintest a trail far off the plane is drawn */
#define PLANE_PCA_ROWS      8192 /* rows, over all runs, that plane = pca is fitted to */
#define PLANE_JACOBI_SWEEPS 60   /* most sweeps of the Jacobi eigensolver (it converges in ~10) */
#define ORBIT_SAMPLES       16   /* moments of the video the orbit choice looks at */
#define ORBIT_DEPTH_W       288  /* size of the depth buffer it judges visibility with */
#define ORBIT_DEPTH_H       162
#define LANDSCAPE_TICKS     5  /* intervals the box's axes aim for */
#define LANDSCAPE_TICKS_MAX 12 /* ticks on a box axis, at most */
#define LANDSCAPE_DIVERGE_SPAN                                                                     \
    2.0                      /* the default box follows a diverging run this many spans out        \
                              */
#define LANDSCAPE_DECADES 12 /* a log z axis shows at most this many decades */
/* [surface] minima (view/minima.h). */
#define MINIMA_MAX      8     /* minima kept, the lowest */
#define MINIMA_REFINE   64    /* grid candidates refined, the lowest */
#define MINIMA_STEPS    60    /* Newton / descent steps per candidate, at most */
#define MINIMA_MERGE    0.005 /* closer than this share of the box side: one minimum */
#define MINIMA_GRAD_TOL 1e-6  /* |gradient| x box side below this share of the loss range: flat */

/* ---- frame/layout: where things go ---- */
#define LAYOUT_TITLE_BAND_PX   60.0 /* height of the title band */
#define LAYOUT_TITLE_LINE_PX   38.0 /* ... and what a second title line adds */
#define LAYOUT_CAPTION_PX      34.0 /* height of a split view's caption band */
#define LAYOUT_CAPTION_LINE_PX 34.0 /* a line of [caption] text in its band */
#define CAPTIONS_TEXT_PX       24.0 /* [caption] text */
#define LAYOUT_COLORBAR_PX     80.0 /* width of the colourbar strip, tick labels included */
#define LAYOUT_GAP_PX          8.0  /* space around and between 2D panels */
#define LAYOUT_AREA_3D         0.6  /* share of the frame the 3D area takes beside 2D panels */

/* ---- frame/compose: fitting the 3D box to its view ---- */
#define COMPOSE_FIT_SAMPLES      24  /* camera poses sampled over the video */
#define COMPOSE_FIT_MIN          0.5 /* magnification limits of the fit */
#define COMPOSE_FIT_MAX          3.0
#define COMPOSE_LABEL_ROOM_X_PX  46.0 /* room beside the box for the loss ticks */
#define COMPOSE_READOUT_BAND_MAX 0.4  /* readouts above the box take at most this share */
#define COMPOSE_LABEL_ROOM_Y_PX  16.0 /* room above and below it for labels */

/* ---- frame/scene3d: the 3D view ---- */
#define SCENE3D_BAND_ROWS    60     /* output rows drawn per band (memory and cache) */
#define SCENE3D_TRAIL_LIFT   0.02   /* world units a trail is moved toward the eye */
#define SCENE3D_START_LIFT   0.10   /* ... the start marker, on top of its trail */
#define SCENE3D_BALL_LIFT    0.13   /* ... the ball, on top of both (it starts on the start) */
#define SCENE3D_PIN_RISE     0.25   /* a caption's leader line ends this far above the box */
#define SCENE3D_PIECE_LEN    0.04   /* world length of a trail piece draped over the surface */
#define SCENE3D_TRAIL_EXACT  20000  /* a run of up to this many rows is drawn through every row */
#define SCENE3D_TRAIL_TOL    2.5e-4 /* a longer one through rows this far apart (world units) */
#define SCENE3D_TRAIL_PIECES 400000 /* trail pieces per run and frame, at most */
#define SCENE3D_TICK_PX      17.0   /* box tick labels */
#define SCENE3D_NAME_PX      22.0   /* box axis names */
#define SCENE3D_MAX_LABELS   160    /* labels placed per view, at most */
#define SCENE3D_DIVERGED_PX  19.0   /* "diverged at step k" */
#define SCENE3D_MARK_LIFT    0.07   /* world units a mark or minimum is moved toward the eye */
#define SCENE3D_MARK_R_PX    6.5    /* its diamond's half-diagonal */
#define SCENE3D_GLOBAL_R_PX  8.5    /* ... the global minimum's */
#define SCENE3D_MARK_PX      16.0   /* its label */
#define FRAME_POINT_MERGE    0.02   /* a minimum this near a mark (share of the box) is not drawn */

/* ---- frame/curve: the one-parameter view (a loss curve) ---- */
#define CURVE_SAMPLES     1024 /* points the curve is evaluated at, once per video */
#define CURVE_HOP_LIFT    0.35 /* a hop's height over its chord, per pixel of its width */
#define CURVE_TRAIL_HOPS  8    /* hops of the trail drawn as arcs (older ones fade out) */
#define CURVE_LINE_PX     2.6  /* the curve's width */
#define CURVE_TRAIL_PX    3.0  /* a hop's arc's width */
#define CURVE_BALL_R_PX   8.0  /* ball radius */
#define CURVE_PIN_RISE_PX 46.0 /* a caption's leader line above the curve */
/* Level of detail of the drawn surface mesh (scene3d.c project_surface):
 * grid cells are merged while the merged cell's longest edge on screen stays
 * under SCENE3D_LOD_PX output pixels, judged on a probe of SCENE3D_LOD_PROBE
 * cells a side, and never below SCENE3D_LOD_MIN_CELLS cells a side (so a
 * grid of 60 or fewer is drawn whole). At 720p bench/scene.ini's 240 and 512
 * grids keep >= 48 dB PSNR of the full mesh's frames. */
#define SCENE3D_LOD_PX        24.0
#define SCENE3D_LOD_PROBE     16
#define SCENE3D_LOD_MIN_CELLS 60
/* The mesh lines of a grid of more than SCENE3D_MERGE_MIN_CELLS cells are
 * merged into lines that stay within SCENE3D_MERGE_PX output pixels and
 * SCENE3D_MERGE_DEPTH of depth (a tenth of the lines' lift toward the eye)
 * of every vertex, at most SCENE3D_MERGE_RUN vertices each. The shipped
 * configs (resolutions up to 90) keep one line per cell. */
#define SCENE3D_MERGE_MIN_CELLS 120
#define SCENE3D_MERGE_PX        0.2
#define SCENE3D_MERGE_DEPTH     2e-5f
#define SCENE3D_MERGE_RUN       32

/* ---- frame/panels: the 2D panels and colourbar ---- */
#define PANEL_PAD_PX           6.0  /* inner padding of a panel */
#define PANEL_TITLE_PX         18.0 /* panel title */
#define PANEL_NAME_PX          16.0 /* axis names */
#define PANEL_TICK_PX          15.0 /* tick labels */
#define PANEL_TICK_LEN_PX      4.0  /* tick marks */
#define PANEL_COLORBAR_TICK_PX 14.0 /* colourbar tick labels (they shrink to fit the strip) */
#define PANEL_FIT_POINTS       400  /* data points drawn at most */
#define PANEL_FIT_SAMPLES      200  /* x samples of a fitted curve */
#define PANEL_CURVE_W_PX       2.2  /* curve and trail width */
#define PANEL_BALL_R_PX        5.0  /* ball and start marker radius */
#define PANEL_MARK_R_PX        5.5  /* a mark's or minimum's diamond, half-diagonal */
#define PANEL_MARK_PX          14.0 /* its label */

/* ---- frame/overlay: readouts, captions, title ---- */
#define OVERLAY_READOUT_PX      19.0 /* readout text */
#define OVERLAY_READOUT_LINE_PX 27.0 /* readout line height */
#define OVERLAY_COMPACT_PX      15.0 /* readout text with many runs */
#define OVERLAY_COMPACT_LINE_PX 20.0 /* ... and its line height */
#define OVERLAY_COMPACT_RUNS    4    /* more runs than this: compact readouts over the view */
#define OVERLAY_CAPTION_PX      18.0 /* split view captions */
#define OVERLAY_CAPTION_START_PARAMS                                                               \
    4 /* a split caption lists a start of at most this many values */
#define OVERLAY_TITLE_PX          32.0 /* the title */
#define OVERLAY_TITLE_BASELINE_PX 43.0 /* the title's baseline from the top */

/* ---- frame/equation: [layout] equation ---- */
#define EQUATION_PX       19.0 /* its text, as big as the readouts */
#define EQUATION_LINE_PX  27.0 /* its line height */
#define EQUATION_PAD_PX   8.0  /* room above and below its lines in the band */
#define EQUATION_BAND_MAX 0.4  /* the band takes at most this share of the area it is cut from */

/* ---- output: the frame loop ---- */
#define VIDEO_RING_BYTES ((size_t)512 << 20) /* frames in flight are held to about this */
/* The x264 preset of every -q draft video, whatever [video] preset says: the
 * fastest, so a draft of a 12 s lesson encodes in a fraction of a second
 * (medium took ~3 s of the 3.5 s at 640x360). */
#define VIDEO_DRAFT_PRESET "ultrafast"

/* ---- base/resources: where the shipped files are (see resources.h) ---- */
/* The installed data folder, relative to the folder of the running binary:
 * <prefix>/bin/gdrender reads <prefix>/share/gdrender/fonts. It must match
 * CMakeLists.txt's GD_INSTALL_DATADIR relative to its bin/. */
#define RESOURCE_SHARE_DIR "../share/gdrender"
/* A file CMake writes beside the build tree's binaries (never installed):
 * one line, the absolute path of the source tree's fonts/ folder. */
#define RESOURCE_BUILD_MARKER "gdrender-build-tree"
#define RESOURCE_FONT_FILE    "DejaVuSans.ttf" /* the default font, in fonts/ */

#endif
