/*
 * config.h — the typed, validated configuration (SPEC section 3).
 *
 * Pipeline place: first stage, the public face of src/config/. config_load
 * reads the INI file and applies --set overrides (config/ini.c, with
 * libinih), checks every key's type and range and fills defaults
 * (config/sections.c, with config/values.c's parsers), compiles the formula
 * (model/formula) and reads or generates the data (model/data). Everything
 * after it reads a Config and never the INI text. Depends on base/error,
 * model/formula and draw/colormap (ColormapKind).
 *
 * Errors: one line "FILE:LINE: [section] key: what is wrong" (code 2); an
 * error caused by an override names it instead of FILE:LINE:
 * "--set run.good.lr=fast: [run good] lr: expected a number, got \"fast\"".
 */
#ifndef GD_CONFIG_H
#define GD_CONFIG_H

#include "base/error.h"
#include "draw/colormap.h"
#include "model/formula.h"

#define GD_MAX_PARAMS 256 /* model parameters the engine handles (SPEC: 1 to 256) */
#define GD_NAME_MAX   64  /* identifiers, section names */
#define GD_TEXT_MAX   512
#define GD_PATH_MAX   4096
#define GD_MAX_KEYS   64  /* camera keyframes */
#define GD_MAX_RUNS   256 /* runs after expanding repeat */
#define GD_MAX_PANELS 5
#define GD_MAX_MARKS  64 /* [mark NAME] sections */

/* A box axis ([surface] P = lo, hi, or the default box) that the grid, the
 * contours, the ticks and the trails can draw without losing precision:
 * lo and hi within +-GD_BOX_LIMIT (so no width or grid step overflows), and
 * a width of at least config_box_min_span(lo, hi): GD_BOX_MIN_REL times
 * the larger of |lo| and |hi| (grid steps stay thousands of rounding units
 * apart at the finest resolution), and at least GD_BOX_MIN_SPAN (values
 * stay far from the denormals: [surface] a = 0, 5e-324 is refused). */
#define GD_BOX_LIMIT    1e300
#define GD_BOX_MIN_REL  1e-9
#define GD_BOX_MIN_SPAN 1e-100

typedef enum { QUALITY_DRAFT, QUALITY_MEDIUM, QUALITY_HIGH } Quality;
typedef enum { ZSCALE_LINEAR, ZSCALE_LOG } ZScale;
typedef enum { EASE_SMOOTH, EASE_LINEAR } Ease;
typedef enum { LAYOUT_OVERLAY, LAYOUT_SPLIT } LayoutMode;
typedef enum { PANEL_SURFACE, PANEL_CONTOUR, PANEL_FIT, PANEL_LOSS, PANEL_BASINS } PanelKind;
typedef enum {
    OPT_GD,
    OPT_MOMENTUM,
    OPT_NESTEROV,
    OPT_ADAGRAD,
    OPT_RMSPROP,
    OPT_ADAM
} OptimizerKind;
#define GD_OPTIMIZER_COUNT (OPT_ADAM + 1)

typedef enum { THEME_LIGHT, THEME_DARK } Theme;

typedef struct Rgb {
    unsigned char r, g, b;
} Rgb;

typedef struct VideoConfig {
    char output[GD_PATH_MAX]; /* resolved path; "" = default (decided by main) */
    int width, height;        /* even, 16..7680 x 16..4320 */
    int fps;                  /* 1..240 */
    double duration, hold;    /* seconds, duration > 0, hold >= 0 */
    Quality quality;
    int crf;                  /* 0..51 */
    char preset[GD_NAME_MAX]; /* x264 preset name */
    char title[GD_TEXT_MAX];  /* UTF-8, "" = none */
    char font[GD_PATH_MAX];   /* resolved path of the main font */
    Rgb background;           /* given, or the theme's: #ffffff light, #111418 dark */
    Theme theme;              /* the chrome's colours; a dark background always gets dark */
    double text_scale;        /* 0.5..3: multiplies every text size */
    int subtitles;            /* yes: the captions as a text track in an MP4 */
    char audio[GD_PATH_MAX];  /* resolved path of the narration track; "" = none */
    char audio_where[1024];   /* "x.ini:7: [video] audio", for its errors (a GdError line) */
} VideoConfig;

/* The largest [video] audio file (an hour of CD-quality WAV is 605 MiB). */
#define GD_AUDIO_MAX_BYTES (1024LL << 20)

typedef struct DataConfig {
    int from_file;          /* 1: file, 0: synthetic */
    char file[GD_PATH_MAX]; /* resolved path; "" for synthetic data */
    double x_lo, x_hi;      /* linspace(lo, hi, n); from a file: min and max of x */
    int x_n;                /* >= 1; from a file: the number of rows */
    int has_true;
    double true_params[GD_MAX_PARAMS];
    double noise;            /* >= 0 */
    unsigned long long seed; /* also the default seed of every run */
    int line;                /* line of [data] header (or 0), for data-file errors */
} DataConfig;

/* One item of [model] params: a single parameter "d" (count 1, not
 * indexed) or a family "w[8]" (its parameters are named "w[1]" .. "w[8]"). */
typedef struct ParamFamily {
    char name[GD_NAME_MAX]; /* "w" */
    int first, count;       /* its parameters: params[first .. first + count - 1] */
    int indexed;            /* 1 for a family w[N], 0 for a single parameter */
} ParamFamily;

typedef struct ModelConfig {
    int nparams;
    char params[GD_MAX_PARAMS][GD_NAME_MAX]; /* as declared: "a", or "w[1]" .. "w[8]" */
    int nfamilies;
    ParamFamily families[GD_MAX_PARAMS];
    char variable[GD_NAME_MAX]; /* the data variable's name in the formula: "x" by default */
    char formula_text[GD_TEXT_MAX * 2];
    Formula *formula; /* compiled; owned by Config */
    /* loss: only "mse" exists today */
} ModelConfig;

/* [surface] plane: what the 3D view shows of three or more parameters. */
typedef enum { PLANE_AXES, PLANE_PCA, PLANE_RANDOM } PlaneKind;
/* [surface] center: the plane's origin. */
typedef enum { CENTER_FINAL, CENTER_INIT, CENTER_TRUE, CENTER_VALUES } CenterKind;

/* One plane of [surface] plane. */
typedef struct PlaneChoice {
    PlaneKind kind;
    int axis[2]; /* PLANE_AXES: the two shown parameters (indices) */
} PlaneChoice;
#define GD_MAX_PLANES 4 /* planes side by side: plane = b, c | pca */

typedef struct SurfaceConfig {
    /* 1 where [surface] gives the range (then lo < hi); 0 leaves the box to
     * the renderer, which fits it around the runs and the true values. */
    int has_range[GD_MAX_PARAMS];
    double range[GD_MAX_PARAMS][2];
    int resolution; /* 8..512 */
    ColormapKind colormap;
    double opacity; /* 0..1 */
    int wireframe;
    int contours; /* 0..100 */
    ZScale zscale;
    int arrows; /* gradient arrow at each ball */
    int minima; /* mark and label the landscape's local minima */
    /* The plane (view/plane): for one parameter none (a curve); for two,
     * the parameters themselves unless plane says otherwise. */
    PlaneKind plane;
    int plane_given;   /* 1 when [surface] plane is in the config */
    int plane_axis[2]; /* PLANE_AXES: the two shown parameters (indices) */
    /* Every plane of [surface] plane, each in a view of its own side by
     * side (plane and plane_axis are the first's). */
    int nplanes;
    PlaneChoice planes[GD_MAX_PLANES];
    CenterKind center;
    double center_at[GD_MAX_PARAMS]; /* CENTER_VALUES: one value per parameter */
    int has_plane_range[2];          /* plane_u, plane_v given (pca and random) */
    double plane_range[2][2];
    unsigned long long plane_seed;  /* plane = random: [data] seed unless given */
    char plane_where[GD_TEXT_MAX];  /* "FILE:LINE: [surface] plane", for errors found later */
    char center_where[GD_TEXT_MAX]; /* "FILE:LINE: [surface] center" (or plane's) */
} SurfaceConfig;

typedef struct RunConfig {
    char name[GD_NAME_MAX];  /* section name ("" for a bare [run]) */
    char label[GD_TEXT_MAX]; /* label; with repeat, "label#i" */
    double init[GD_MAX_PARAMS];
    OptimizerKind optimizer;
    double lr;       /* > 0 */
    int steps;       /* 0..1000000 */
    double momentum; /* [0, 1) */
    double beta1, beta2, eps, alpha;
    int batch; /* 0 = full batch; <= the number of data points */
    /* Minibatch shuffle seed, derived from the run's seed (default: the
     * [data] seed), its section name and its repeat index. Random inits are
     * drawn the same way from a seed of their own. */
    unsigned long long batch_seed;
    Rgb color; /* given, or the default palette's colour for this run index */
    int line;  /* line of the section header; 0 if an override made it */
} RunConfig;

typedef struct CameraKey {
    double t, azimuth, elevation, zoom;
} CameraKey;

typedef enum { TARGET_CENTRE, TARGET_POINT, TARGET_TRAILS } CameraTarget;

typedef struct CameraConfig {
    int nkeys;                   /* 0: default orbit */
    CameraKey keys[GD_MAX_KEYS]; /* sorted by t */
    Ease ease;
    CameraTarget target;            /* [camera] target: the box's centre by default */
    double target_at[2];            /* TARGET_POINT: the shown parameters' values */
    char target_where[GD_TEXT_MAX]; /* "FILE:LINE: [camera] target", for errors found later */
} CameraConfig;

#define GD_LABEL_MAX 128

/* Every string the program writes itself ([labels]), with its default. */
typedef struct LabelsConfig {
    char step[GD_LABEL_MAX];           /* "step" */
    char loss[GD_LABEL_MAX];           /* "loss" */
    char start[GD_LABEL_MAX];          /* "start" (split captions) */
    char diverged[GD_LABEL_MAX];       /* "diverged at step {step}" */
    char contour[GD_LABEL_MAX];        /* "Loss contours" */
    char fit[GD_LABEL_MAX];            /* "Fit to the data" */
    char loss_panel[GD_LABEL_MAX];     /* "Loss per step" */
    char basins[GD_LABEL_MAX];         /* "Basins of attraction" */
    char minimum[GD_LABEL_MAX];        /* "local minimum" ([surface] minima) */
    char global_minimum[GD_LABEL_MAX]; /* "global minimum" (the lowest in the box) */
    char off_plane[GD_LABEL_MAX];      /* "off-plane": a trail's distance from the plane */
    /* The basins panel's legend lines: {loss} the minimum's loss, {share}
     * its share of the starts ("23%"), {n} how many minima, {steps} the
     * run's steps. */
    char basin_global[GD_LABEL_MAX];       /* "global minimum, loss {loss}: {share} of starts" */
    char basin_globals[GD_LABEL_MAX];      /* "{n} global minima, loss {loss}: {share} of starts" */
    char basin_local[GD_LABEL_MAX];        /* "local minimum, loss {loss}: {share}" */
    char basin_others[GD_LABEL_MAX];       /* "{n} other minima: {share}" */
    char basin_moving[GD_LABEL_MAX];       /* "not settled in {steps} steps: {share}" */
    char basin_diverged[GD_LABEL_MAX];     /* "diverged: {share}" */
    char x[GD_LABEL_MAX], y[GD_LABEL_MAX]; /* the fit panel's axes: the variable's name, "y" */
    char param[GD_MAX_PARAMS][GD_LABEL_MAX]; /* axis names: the parameter names */
} LabelsConfig;

/* One [mark NAME]: a point of the shown parameters, marked and labelled
 * on the 3D view and the contour panel. */
typedef struct MarkConfig {
    char name[GD_NAME_MAX];  /* the section name */
    char text[GD_LABEL_MAX]; /* its label: the section name by default */
    double at[2];            /* the shown parameters' values (checked against the box later) */
    int has_color;           /* 0: the theme's ink */
    Rgb color;
    char where[GD_TEXT_MAX]; /* "FILE:LINE: [mark NAME] at", for errors found later */
} MarkConfig;

typedef struct TimelineKey {
    double t, step; /* at t seconds the video shows this (fractional) step */
} TimelineKey;

typedef struct TimelineConfig {
    int nkeys;                     /* 0: the default pacing */
    TimelineKey keys[GD_MAX_KEYS]; /* strictly increasing t, as given */
    Ease ease;                     /* between keys; linear by default */
} TimelineConfig;

/* [caption NAME]: text on the clock. */
#define GD_MAX_CAPTIONS 64

typedef enum { CAPTION_BOTTOM, CAPTION_TOP, CAPTION_BALL, CAPTION_POINT } CaptionPlace;

/* A moment: seconds into the video, or the moment the timeline reaches a
 * step (resolved to frames once the runs are known). */
typedef struct CaptionTime {
    int at_step;
    double value;
} CaptionTime;

typedef struct CaptionConfig {
    char name[GD_NAME_MAX];
    char text[GD_TEXT_MAX]; /* with {step}, {loss}, {lr}, {formula}, {<param>} placeholders */
    CaptionTime from, to;   /* to.value < 0: the end of the video */
    CaptionPlace at;
    double point[2]; /* CAPTION_POINT: the shown parameters' values */
    int run;         /* index into Config.runs: placeholders and at = ball */
    double fade;     /* seconds of fade in and out */
    /* "FILE:LINE: [caption NAME] at" and "... to", for errors found once
     * the box and the pacing are known. */
    char where_at[GD_TEXT_MAX], where_to[GD_TEXT_MAX];
} CaptionConfig;

/* [basins]: where every start of a grid over the box ends. */
typedef struct BasinsConfig {
    int enabled;      /* a [basins] section is given: the map is computed */
    int resolution;   /* starts per axis: 8..512 */
    int run;          /* index into Config.runs: whose optimizer, lr, steps, ... every start uses */
    double tolerance; /* end points closer than this are one minimum; < 0: 1e-3 of the box's
                         diagonal */
    int floor;        /* drape the map on the 3D view's floor */
} BasinsConfig;

typedef struct LayoutConfig {
    LayoutMode mode;
    int npanels;
    PanelKind panels[GD_MAX_PANELS]; /* in the order given, no duplicates */
    /* [layout] equation: 1 to show the update rule of run equation_run (the
     * first run with the given label); 0 (also in a Config made by hand)
     * for none. */
    int show_equation;
    int equation_run;
} LayoutConfig;

typedef struct Config {
    char path[GD_PATH_MAX]; /* as given on the command line */
    char dir[GD_PATH_MAX];  /* its folder, for relative paths inside it */
    char stem[GD_PATH_MAX]; /* file name without folder and extension */
    char *text;             /* the effective INI text after overrides (owned) */

    VideoConfig video;
    DataConfig data;
    ModelConfig model;
    SurfaceConfig surface;
    int nruns;       /* after expanding repeat */
    RunConfig *runs; /* owned */
    CameraConfig camera;
    TimelineConfig timeline;
    LayoutConfig layout;
    LabelsConfig labels;
    int ncaptions;
    CaptionConfig *captions; /* owned; in file order */
    int nmarks;              /* [mark NAME] sections, in file order */
    MarkConfig *marks;       /* owned; NULL when there are none */
    BasinsConfig basins;

    /* Data points (owned): synthetic or read from data.file. */
    int ndata;
    double *data_x, *data_y;
} Config;

/* One --set override, "section.key=value" as typed by the user
 * ("run.NAME.key=value" for [run NAME], "run.key=value" for a bare [run]).
 * It replaces the key's line in its section, or adds the key to the section,
 * or appends the section; `key` in [camera] always adds a keyframe. */
typedef struct ConfigOverride {
    const char *text;
} ConfigOverride;

/* Reads, overrides, validates and fills cfg (which the caller provides
 * uninitialized). On success returns 0 and cfg owns heap memory (free with
 * config_free). On failure returns GD_ERR_INPUT (an unreadable config or data
 * file is bad input too; GD_ERR_RUNTIME only when out of memory), fills err,
 * and cfg is zeroed: nothing to free, config_free is still safe.
 * Lines longer than 199 bytes are an error (inih's limit). When a config has
 * several errors, syntax-level ones (in line order) come first, then the
 * sections in the order model, data, video, surface, runs, camera, layout,
 * timeline, labels, captions, marks. */
int config_load(const char *path, const ConfigOverride *overrides, int noverrides, Config *cfg,
                GdError *err);

/* Frees what config_load allocated. NULL-safe, idempotent. */
void config_free(Config *cfg);

/* labels.diverged with {step} replaced by step, into buf. */
void config_label_diverged(const Config *cfg, int step, char *buf, size_t size);

/* The model's formula typeset (model/typeset.h: "a·x³ + b·x²") into out,
 * n bytes: what {formula} stands for in titles and captions. Returns 0; it
 * cannot fail for a config that loaded and an out of TYPESET_MAX bytes
 * (nonzero only when out is smaller than the text, which is then cut
 * between two characters, or when out of memory). */
int typeset_config_formula(const Config *cfg, char *out, size_t n);

/* Number of frames: round(fps * (duration + hold)). */
int config_frame_count(const Config *cfg);

/* The least width a box axis from lo to hi may have (see GD_BOX_LIMIT):
 * max(GD_BOX_MIN_SPAN, GD_BOX_MIN_REL * max(|lo|, |hi|)). */
double config_box_min_span(double lo, double hi);

/* The optimizer's name as [run] optimizer spells it ("gd", "adam"), static
 * storage; "?" for a value outside OptimizerKind. The one name table: the
 * loader parses with it and the renderer prints with it. */
const char *config_optimizer_name(OptimizerKind k);

#endif
