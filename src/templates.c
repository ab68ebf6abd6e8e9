/*
 * templates.c — the texts of "gdrender new" (see templates.h). The
 * sections every template shares are macros, so a key's comment and
 * default are written once.
 */
#include "templates.h"

#include <stddef.h>
#include <string.h>

#define HOWTO(file)                                                                                \
    "; Render it:       gdrender " file "              (renders/<name>.mp4)\n"                     \
    "; One frame:       gdrender -f 120 " file "       (a PNG still, quick)\n"                     \
    "; A quick preview: gdrender -q draft " file "\n"                                              \
    "; Check only:      gdrender --check " file "      (simulates, prints a line per run)\n"       \
    "; While editing:   gdrender --watch -f 120 " file "\n"                                        \
    "; Every key below has its default in the comment above it; a commented-out\n"                 \
    "; key shows the default it would have. Full reference: man gdrender\n"                        \
    "\n"

#define VIDEO(title)                                                                               \
    "[video]\n"                                                                                    \
    "; text in a band at the top (default: none); {formula} is the model typeset\n"                \
    "title = " title "\n"                                                                          \
    "; frame size in pixels, even numbers (default 1280 x 720)\n"                                  \
    "width = 1280\n"                                                                               \
    "height = 720\n"                                                                               \
    "; frames per second, 1..240 (default 30)\n"                                                   \
    "fps = 30\n"                                                                                   \
    "; seconds over which the runs' steps play out (default 10)\n"                                 \
    "duration = 10\n"                                                                              \
    "; extra seconds at the end, the camera still moving (default 2)\n"                            \
    "hold = 2\n"                                                                                   \
    "; draft, medium or high anti-aliasing; -q overrides it (default medium)\n"                    \
    "quality = medium\n"                                                                           \
    "; H.264 quality, 0..51, lower is better and larger (default 18)\n"                            \
    "crf = 18\n"                                                                                   \
    "; x264 speed/size trade-off, ultrafast .. placebo (default medium)\n"                         \
    "preset = medium\n"                                                                            \
    "; light or dark: the colours of text, panes and panels (default light)\n"                     \
    "theme = light\n"                                                                              \
    "; #rrggbb (default #ffffff for the light theme, #111418 for the dark)\n"                      \
    "; background = #ffffff\n"                                                                     \
    "; multiplies every text size, 0.5..3; 1.3-1.6 for a big lecture hall (default 1)\n"           \
    "text_scale = 1\n"                                                                             \
    "; yes: store the captions in the MP4 as a subtitle track too (default no)\n"                  \
    "subtitles = no\n"                                                                             \
    "; output file, relative to this config (default renders/<name>.mp4 in the current folder)\n"  \
    "; output = lesson.mp4\n"                                                                      \
    "; a .ttf/.otf/.ttc font for all text (default the DejaVu Sans shipped with gdrender)\n"       \
    "; font = /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n"                                   \
    "; a narration track, cut or padded with silence to the video's length (default none)\n"       \
    "; audio = narration.m4a\n"                                                                    \
    "\n"

#define DATA_SYNTHETIC(truth)                                                                      \
    "[data]\n"                                                                                     \
    "; sample points, linspace(lo, hi, n) (default linspace(-1, 1, 200))\n"                        \
    "x = linspace(-1, 1, 200)\n"                                                                   \
    "; the true parameters: y = formula(x; true) + noise (required without file)\n"                \
    "true = " truth "\n"                                                                           \
    "; standard deviation of the Gaussian noise added to y (default 0.1)\n"                        \
    "noise = 0.1\n"                                                                                \
    "; random seed of the noise, and every run's default seed (default 1)\n"                       \
    "seed = 1\n"                                                                                   \
    "; instead of x, true and noise: a CSV file with columns x,y (see gdrender new csv)\n"         \
    "; file = data.csv\n"                                                                          \
    "\n"

#define MODEL(formula)                                                                             \
    "[model]\n"                                                                                    \
    "; the parameter names (required); a family w[8] declares w[1] .. w[8]\n"                      \
    "params = a, b\n"                                                                              \
    "; the data variable's name in the formula (default x)\n"                                      \
    "variable = x\n"                                                                               \
    "; an expression in x and the parameters (required): + - * / ^, sin cos exp log ...\n"         \
    "formula = " formula "\n"                                                                      \
    "; mse: the mean over the data of (y - formula)^2 (default mse)\n"                             \
    "loss = mse\n"                                                                                 \
    "\n"

#define SURFACE_BOX(lo, hi)                                                                        \
    "; the axis range of each parameter, lo, hi (default: a box around the runs)\n"                \
    "a = " lo ", " hi "\n"                                                                         \
    "b = " lo ", " hi "\n"

#define SURFACE_REST(resolution)                                                                   \
    "; grid points per axis, 8..512 (default 60)\n"                                                \
    "resolution = " resolution "\n"                                                                \
    "; rainbow, viridis, plasma, inferno, magma, coolwarm, jet or gray (default rainbow)\n"        \
    "colormap = rainbow\n"                                                                         \
    "; 0..1; the trails show through a translucent surface (default 0.6)\n"                        \
    "opacity = 0.6\n"                                                                              \
    "; grid lines on the surface (default yes)\n"                                                  \
    "wireframe = yes\n"                                                                            \
    "; contour lines projected on the floor, 0 for none (default 10)\n"                            \
    "contours = 10\n"                                                                              \
    "; linear or log, for losses that span decades (default linear)\n"                             \
    "zscale = linear\n"                                                                            \
    "; an arrow at each ball pointing along its next step (default no)\n"                          \
    "arrows = no\n"                                                                                \
    "; mark and label the surface's local minima with their loss (default no)\n"                   \
    "minima = no\n"                                                                                \
    "; with three or more parameters: plane = P, Q | pca | random, center = final |\n"             \
    "; init | true | values, plane_u, plane_v, plane_seed (see man gdrender)\n"                    \
    "\n"

/* The keys of a run after init and lr, all at their defaults. */
#define RUN_REST(label)                                                                            \
    "; optimizer steps (default 400)\n"                                                            \
    "steps = 400\n"                                                                                \
    "; gd, momentum, nesterov, adagrad, rmsprop or adam (default gd)\n"                            \
    "optimizer = gd\n"                                                                             \
    "; with init = normal(mean, std): this many runs, each its own draw (default 1)\n"             \
    "; repeat = 1\n"                                                                               \
    "; for momentum and nesterov (default 0.9)\n"                                                  \
    "momentum = 0.9\n"                                                                             \
    "; for adam (default 0.9, 0.999)\n"                                                            \
    "beta1 = 0.9\n"                                                                                \
    "beta2 = 0.999\n"                                                                              \
    "; for rmsprop (default 0.99)\n"                                                               \
    "alpha = 0.99\n"                                                                               \
    "; for adagrad, rmsprop, adam (default 1e-8; 1e-10 for adagrad)\n"                             \
    "; eps = 1e-8\n"                                                                               \
    "; 0: full-batch gradient; N: minibatch SGD with N samples a step (default 0)\n"               \
    "batch = 0\n"                                                                                  \
    "; seeds a random init and the minibatch shuffles (default [data] seed)\n"                     \
    "; seed = 1\n"                                                                                 \
    "; #rrggbb of the trail and ball (default: a distinct colour per run)\n"                       \
    "; color = #e41a1c\n"                                                                          \
    "; shown in the legend and readouts, used by --check (default: the section name)\n"            \
    "label = " label "\n"                                                                          \
    "\n"

#define CAMERA_TIMELINE                                                                            \
    "[camera]\n"                                                                                   \
    "; keyframes key = t, azimuth, elevation, zoom, one line each (default: none, an orbit\n"      \
    "; chosen so that the surface never hides the trails for long)\n"                              \
    "; key = 0, -60, 30, 1\n"                                                                      \
    "; key = 12, -20, 40, 1.3\n"                                                                   \
    "; smooth or linear between keyframes (default smooth)\n"                                      \
    "ease = smooth\n"                                                                              \
    "; the point looked at: P, Q or trails (default the box's centre)\n"                           \
    "; target = trails\n"                                                                          \
    "\n"                                                                                           \
    "[timeline]\n"                                                                                 \
    "; key = t, step: at t seconds show this step; two keys with one step pause (default:\n"       \
    "; none, the first steps slow enough to follow, then faster)\n"                                \
    "; key = 0, 0\n"                                                                               \
    "; key = 8, 400\n"                                                                             \
    "; smooth or linear between keys (default linear)\n"                                           \
    "ease = linear\n"                                                                              \
    "\n"

#define LAYOUT(mode, panels, label)                                                                \
    "[layout]\n"                                                                                   \
    "; overlay: all runs on one surface; split: one 3D view per run (default overlay)\n"           \
    "mode = " mode "\n"                                                                            \
    "; any of surface, contour, fit, loss, basins (default surface)\n"                             \
    "panels = " panels "\n"                                                                        \
    "; a run's label: show its update rule with this frame's numbers (default none)\n"             \
    "; equation = " label "\n"                                                                     \
    "\n"

#define CAPTION_KEYS(run_line)                                                                     \
    "; when it shows: seconds or step N (default 0 and the end)\n"                                 \
    "; from = 0\n"                                                                                 \
    "; to = 12\n"                                                                                  \
    "; top, bottom, ball or a point P, Q with a leader line (default bottom)\n"                    \
    "at = bottom\n"                                                                                \
    "; whose numbers fill {step}, {loss}, {a}, {lr} (default the first run)\n" run_line            \
    "; seconds of fade in and out (default 0.3)\n"                                                 \
    "fade = 0.3\n"

#define MARK(name, at, text)                                                                       \
    "[mark " name "]\n"                                                                            \
    "; a point to mark, one value per parameter (required)\n"                                      \
    "at = " at "\n"                                                                                \
    "; its label (default the section name); the loss there is added\n"                            \
    "text = " text "\n"                                                                            \
    "; #rrggbb of its diamond (default the theme's text colour)\n"                                 \
    "; color = #ffd700\n"                                                                          \
    "\n"

#define LABELS_BASINS(label)                                                                       \
    "[labels]\n"                                                                                   \
    "; replace any text gdrender writes, e.g. for a lecture in another language,\n"                \
    "; and name the axes (defaults shown)\n"                                                       \
    "; step = step\n"                                                                              \
    "; loss = loss\n"                                                                              \
    "; start = start\n"                                                                            \
    "; diverged = diverged at step {step}\n"                                                       \
    "; contour = Loss contours\n"                                                                  \
    "; fit = Fit to the data\n"                                                                    \
    "; loss_panel = Loss per step\n"                                                               \
    "; basins = Basins of attraction\n"                                                            \
    "; x = x\n"                                                                                    \
    "; y = y\n"                                                                                    \
    "; a = slope a\n"                                                                              \
    "\n"                                                                                           \
    "; Where every start ends: uncomment to compute the basin map, and add basins\n"               \
    "; to [layout] panels to show it.\n"                                                           \
    "; [basins]\n"                                                                                 \
    "; starts per axis, 8..512 (default 64)\n"                                                     \
    "; resolution = 64\n"                                                                          \
    "; whose optimizer and settings every start uses (default the first run)\n"                    \
    "; run = " label "\n"                                                                          \
    "; end points closer than this are one minimum (default 1e-3 of the box)\n"                    \
    "; tolerance = 0.01\n"                                                                         \
    "; yes: drape the map on the 3D box's floor (default no)\n"                                    \
    "; floor = no\n"

// The templates read as the configs they print: no reflowing.
// clang-format off
static const char LR[] =
    "; Lesson 1: fitting a line y = a*x + b by gradient descent, with a learning\n"
    "; rate that is too large. Along b the loss curves so steeply that each step\n"
    "; of 1.0 overshoots the valley: b zig-zags for ever and the fit never\n"
    "; settles. Try lr = 0.1 (or --set run.descent.lr=0.1): it converges.\n"
    ";\n"
    HOWTO("lesson.ini")
    VIDEO("Learning rate too large (LR 1.0): b zig-zags")
    DATA_SYNTHETIC("1.2, 2.5")
    MODEL("a*x + b")
    "[surface]\n"
    SURFACE_BOX("-2", "7")
    SURFACE_REST("60")
    "[run descent]\n"
    "; the starting point, one value per parameter, or normal(mean, std) (required)\n"
    "init = 5, 4\n"
    "; learning rate, > 0 (default 0.1)\n"
    "lr = 1.0\n"
    RUN_REST("LR 1.0")
    CAMERA_TIMELINE
    LAYOUT("overlay", "surface", "LR 1.0")
    "[caption jump]\n"
    "; the text; {step}, {loss}, {a}, {b}, {lr} and {formula} are filled in (required)\n"
    "text = LR = {lr} is too large: b jumps across the valley\n"
    CAPTION_KEYS("; run = LR 1.0\n")
    "\n"
    MARK("minimum", "1.2, 2.5", "the minimum: never reached")
    LABELS_BASINS("LR 1.0");

static const char FORMULA[] =
    "; Lesson 2: gradient descent calibrates the parameters of an empirical\n"
    "; formula, y = a*x^3 + b*x^2. A known formula with a few tuned parameters is\n"
    "; often simpler than a neural network, and it explains itself.\n"
    ";\n"
    HOWTO("lesson.ini")
    VIDEO("Calibrating an empirical formula y = {formula}")
    DATA_SYNTHETIC("1.2, 2.5")
    MODEL("a*x^3 + b*x^2")
    "[surface]\n"
    SURFACE_BOX("-2", "7")
    SURFACE_REST("60")
    "[run descent]\n"
    "; the starting point, one value per parameter, or normal(mean, std) (required)\n"
    "init = 5, 4\n"
    "; learning rate, > 0 (default 0.1)\n"
    "lr = 0.1\n"
    RUN_REST("LR 0.1")
    CAMERA_TIMELINE
    LAYOUT("overlay", "surface, fit", "LR 0.1")
    "[caption fit]\n"
    "; the text; {step}, {loss}, {a}, {b}, {lr} and {formula} are filled in (required)\n"
    "text = step {step}: a = {a}, b = {b}, loss {loss}\n"
    CAPTION_KEYS("; run = LR 0.1\n")
    "\n"
    MARK("truth", "1.2, 2.5", "the true a, b")
    LABELS_BASINS("LR 0.1");

static const char MINIMA[] =
    "; Lesson 3: y = sin(b*cos(a*x)), the simplest two-layer network (cos, then\n"
    "; sin). Its landscape has many pits. From (2, 4.5) the descent reaches the\n"
    "; global minimum near a = 1.2, b = 2.5; from (5, 1) it slides into the\n"
    "; nearest local minimum and stays there. Initialization matters: try\n"
    "; init = normal(3, 2) with repeat = 10.\n"
    ";\n"
    HOWTO("lesson.ini")
    VIDEO("Local versus global minimum: y = {formula}")
    DATA_SYNTHETIC("1.2, 2.5")
    MODEL("sin(b*cos(a*x))")
    "[surface]\n"
    SURFACE_BOX("-2", "7")
    SURFACE_REST("90")
    "[run good]\n"
    "; the starting point, one value per parameter, or normal(mean, std) (required)\n"
    "init = 2, 4.5\n"
    "; learning rate, > 0 (default 0.1)\n"
    "lr = 0.1\n"
    RUN_REST("good start (2, 4.5)")
    "[run bad]\n"
    "; the starting point, one value per parameter, or normal(mean, std) (required)\n"
    "init = 5, 1\n"
    "; learning rate, > 0 (default 0.1)\n"
    "lr = 0.1\n"
    RUN_REST("bad start (5, 1)")
    CAMERA_TIMELINE
    LAYOUT("overlay", "surface, contour", "good start (2, 4.5)")
    "[caption stuck]\n"
    "; the text; {step}, {loss}, {a}, {b}, {lr} and {formula} are filled in (required)\n"
    "text = a bad start gets stuck in a local minimum\n"
    CAPTION_KEYS("; run = good start (2, 4.5)\n")
    "\n"
    MARK("global", "1.2, 2.5", "global minimum")
    LABELS_BASINS("good start (2, 4.5)");

static const char COMPARE[] =
    "; Good versus bad, side by side: the same line fit with a learning rate of\n"
    "; 0.1 (it converges) and of 1.0 (it zig-zags), one 3D view each, with the\n"
    "; same camera and clock. Change what differs between the runs (init, lr,\n"
    "; optimizer) to compare something else.\n"
    ";\n"
    HOWTO("compare.ini")
    VIDEO("Learning rate 0.1 versus 1.0: y = {formula}")
    DATA_SYNTHETIC("1.2, 2.5")
    MODEL("a*x + b")
    "[surface]\n"
    SURFACE_BOX("-2", "7")
    SURFACE_REST("60")
    "[run good]\n"
    "; the starting point, one value per parameter, or normal(mean, std) (required)\n"
    "init = 5, 4\n"
    "; learning rate, > 0 (default 0.1)\n"
    "lr = 0.1\n"
    RUN_REST("LR 0.1")
    "[run bad]\n"
    "; the starting point, one value per parameter, or normal(mean, std) (required)\n"
    "init = 5, 4\n"
    "; learning rate, > 0 (default 0.1)\n"
    "lr = 1.0\n"
    RUN_REST("LR 1.0")
    CAMERA_TIMELINE
    LAYOUT("split", "surface", "LR 0.1")
    "[caption loss]\n"
    "; the text; {step}, {loss}, {a}, {b}, {lr} and {formula} are filled in (required)\n"
    "text = LR 1.0 at step {step}: loss {loss}\n"
    CAPTION_KEYS("run = LR 1.0\n")
    "\n"
    MARK("minimum", "1.2, 2.5", "the minimum")
    LABELS_BASINS("LR 0.1");

static const char CSV[] =
    "; Fitting your own data: the points come from a CSV file, data.csv next to\n"
    "; this config (a relative path is relative to the config's folder), with\n"
    "; two columns x,y and an optional header line, e.g.\n"
    ";     x,y\n"
    ";     -1,-1.3\n"
    ";     0,2.5\n"
    ";     1,3.7\n"
    "; Create one before rendering, e.g. a noisy line with awk:\n"
    ";   awk 'BEGIN { srand(1); print \"x,y\"; for (i = -50; i <= 50; i++) {\n"
    ";     x = i / 50; print x \",\" 1.2 * x + 2.5 + 0.3 * (rand() - 0.5) } }' > data.csv\n"
    "; Without ranges in [surface] the box fits itself around the runs.\n"
    ";\n"
    HOWTO("fit.ini")
    VIDEO("Fitting y = {formula} to data.csv")
    "[data]\n"
    "; a CSV file with columns x,y, header optional (instead of x, true, noise)\n"
    "file = data.csv\n"
    "; or synthetic data instead of file: x, true (required) and noise\n"
    "; x = linspace(-1, 1, 200)\n"
    "; true = 1.2, 2.5\n"
    "; noise = 0.1\n"
    "; seeds the runs' random inits and minibatch shuffles (default 1)\n"
    "seed = 1\n"
    "\n"
    MODEL("a*x + b")
    "[surface]\n"
    "; the axis range of each parameter, lo, hi (default: a box around the runs)\n"
    "; a = -2, 7\n"
    "; b = -2, 7\n"
    SURFACE_REST("60")
    "[run descent]\n"
    "; the starting point, one value per parameter, or normal(mean, std) (required)\n"
    "init = 0, 0\n"
    "; learning rate, > 0 (default 0.1)\n"
    "lr = 0.1\n"
    RUN_REST("LR 0.1")
    CAMERA_TIMELINE
    LAYOUT("overlay", "surface, fit, loss", "LR 0.1")
    "[caption fit]\n"
    "; the text; {step}, {loss}, {a}, {b}, {lr} and {formula} are filled in (required)\n"
    "text = step {step}: y = {a}·x + {b}, loss {loss}\n"
    CAPTION_KEYS("; run = LR 0.1\n")
    "\n"
    LABELS_BASINS("LR 0.1");
// clang-format on

static const Template TEMPLATES[] = {
    {"lr", "Lesson 1: a line fit with a learning rate too large (the default)", LR},
    {"formula", "Lesson 2: calibrating an empirical formula y = a*x^3 + b*x^2", FORMULA},
    {"minima", "Lesson 3: sin(b*cos(a*x)), a good start and one stuck in a local minimum", MINIMA},
    {"compare", "Good versus bad learning rate, side by side (split layout)", COMPARE},
    {"csv", "Your own data from a CSV file (data.csv next to the config)", CSV},
};

const Template *templates_all(int *n) {
    *n = (int)(sizeof TEMPLATES / sizeof TEMPLATES[0]);
    return TEMPLATES;
}

const Template *templates_find(const char *name) {
    int n;
    const Template *t = templates_all(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}
