/*
 * sections.h — one loader per config section: model, data, video, surface,
 * runs, camera, layout, timeline, labels, captions, marks.
 *
 * Pipeline place: first stage (config), after config/ini.c. config_load
 * calls the loaders in the order above, each on the IniDoc ini_read filled,
 * and stops at the first error; a loader may rely on what the earlier ones
 * filled ([surface] keys are the [model] parameter names, [run] batch sizes
 * are checked against the number of data points). Private to src/config/.
 *
 * Each loader sets its part of cfg to the SPEC defaults, then checks every
 * key of its section (unknown keys, missing required keys, each value's type
 * and range) and fills the typed fields. It returns 0, or GD_ERR_INPUT with
 * err "ORIGIN: [section] key: what is wrong" (ORIGIN as ini.h describes), or
 * GD_ERR_RUNTIME "out of memory". Heap memory it allocates (the formula, the
 * data points, the runs) belongs to cfg, even on failure: config_free frees
 * it.
 */
#ifndef GD_CONFIG_SECTIONS_H
#define GD_CONFIG_SECTIONS_H

#include "base/error.h"
#include "config/config.h"
#include "config/ini.h"

/* [model]: params (exactly 2 names, not reserved), formula (compiled into
 * cfg->model.formula), loss. A missing [model] is an error. */
int section_load_model(const IniDoc *doc, Config *cfg, GdError *err);

/* [data]: a CSV file, or synthetic points (true, x = linspace(...), noise,
 * seed) generated with data_generate; fills cfg->data_x/data_y/ndata. */
int section_load_data(const IniDoc *doc, Config *cfg, GdError *err);

/* [video] (optional): size, fps, duration, hold, quality, crf, preset, title
 * (with {formula} filled in: after [model]), font, background, output. */
int section_load_video(const IniDoc *doc, Config *cfg, GdError *err);

/* [surface] (optional): the range per parameter, resolution, colormap,
 * opacity, wireframe, contours, zscale, arrows. */
int section_load_surface(const IniDoc *doc, Config *cfg, GdError *err);

/* Every [run] and [run NAME], in file order, with repeat expanded into
 * cfg->runs: random inits and minibatch seeds derived from the run's seed,
 * name and repeat index; default colours by run index. At least one run. */
int section_load_runs(const IniDoc *doc, Config *cfg, GdError *err);

/* [camera] (optional): keyframes (sorted by t) and ease. */
int section_load_camera(const IniDoc *doc, Config *cfg, GdError *err);

/* [layout] (optional): mode, panels and equation (a run label: after
 * [run], to look it up). */
int section_load_layout(const IniDoc *doc, Config *cfg, GdError *err);

/* [timeline]: keys `t, step` in increasing t, steps within the longest run;
 * ease. After the runs (it needs their step counts). */
int section_load_timeline(const IniDoc *doc, Config *cfg, GdError *err);

/* [labels]: every built-in string and each parameter's axis name; unknown
 * keys are errors. After [model] (parameter names, the variable). */
int section_load_labels(const IniDoc *doc, Config *cfg, GdError *err);

/* Every [caption NAME] in file order (after [labels] and the runs: a
 * caption names a run by its label and fills in parameter names). */
int section_load_captions(const IniDoc *doc, Config *cfg, GdError *err);
/* Every [mark NAME], in file order: at (the shown parameters' values;
 * required), text (the section name by default), color. The box test
 * waits for the view (view/view.c), which may fit the box to the runs. */
int section_load_marks(const IniDoc *doc, Config *cfg, GdError *err);

/* [basins] (optional; the basins panel and {basin_share} need it):
 * resolution, run (a run's label), tolerance, floor. After the runs. */
int section_load_basins(const IniDoc *doc, Config *cfg, GdError *err);

#endif
