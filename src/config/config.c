/*
 * config.c — config_load: the config stage from a path and --set overrides
 * to a validated Config (see config.h).
 *
 * Pipeline place: first stage; what main.c calls. It orchestrates the
 * stage's three parts, each in its own file:
 *   config/ini.c       reads the file and the overrides into sections of
 *                      (key, value, origin) entries; structural errors;
 *   config/sections.c  one loader per section: checks each key and fills
 *                      its part of the Config (formula compiled, data read
 *                      or generated, runs expanded);
 *   config/values.c    the value parsers both of them use.
 * This file also owns the optimizer names (config_optimizer_name), which the
 * [run] loader parses with and the renderer prints with.
 */
#include "config/config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/ini.h"
#include "config/sections.h"
#include "model/typeset.h"

/* ---- defines and types -------------------------------------------------- */

typedef int (*SectionLoader)(const IniDoc *doc, Config *cfg, GdError *err);

/* The order sections are validated in (and so which error comes first when
 * a config has several): [model] first, since the [surface] keys are
 * parameter names and list lengths depend on the parameter count; then
 * [data], since batch sizes depend on the number of points. */
static const SectionLoader LOADERS[] = {
    section_load_model,  section_load_data,     section_load_video,  section_load_surface,
    section_load_runs,   section_load_camera,   section_load_layout, section_load_timeline,
    section_load_labels, section_load_captions, section_load_marks,  section_load_basins};

/* ---- internal ------------------------------------------------------------ */

__attribute__((format(printf, 3, 4))) static int fail_file(const IniDoc *doc, GdError *err,
                                                           const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_at(doc, err, INI_FILE, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* cfg->path, and from it the folder (for relative paths in the file) and
 * the stem (for default output names). */
static int set_paths(const IniDoc *doc, Config *cfg, const char *path, GdError *err) {
    if (strlen(path) >= sizeof cfg->path)
        return fail_file(doc, err, "path too long");
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(cfg->dir, sizeof cfg->dir, ".");
    else if (slash == path)
        snprintf(cfg->dir, sizeof cfg->dir, "/");
    else
        snprintf(cfg->dir, sizeof cfg->dir, "%.*s", (int)(slash - path), path);
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(cfg->stem, sizeof cfg->stem, "%.*s", (int)n, base);
    return 0;
}

/* ---- module functions ---------------------------------------------------- */

int config_load(const char *path, const ConfigOverride *overrides, int noverrides, Config *cfg,
                GdError *err) {
    memset(cfg, 0, sizeof *cfg);
    gd_error_clear(err);
    GdError local;
    if (!err)
        err = &local;
    IniDoc doc;
    ini_init(&doc, path, overrides, noverrides);

    int rc = set_paths(&doc, cfg, path, err);
    if (!rc)
        rc = ini_read(&doc, err);
    if (!rc) {
        cfg->text = doc.text; /* the Config owns the effective text from here */
        doc.text = NULL;
    }
    for (size_t i = 0; !rc && i < sizeof LOADERS / sizeof LOADERS[0]; i++)
        rc = LOADERS[i](&doc, cfg, err);
    ini_free(&doc);
    if (rc) {
        config_free(cfg);
        memset(cfg, 0, sizeof *cfg);
    }
    return rc;
}

void config_free(Config *cfg) {
    if (!cfg)
        return;
    free(cfg->text);
    cfg->text = NULL;
    free(cfg->runs);
    cfg->runs = NULL;
    free(cfg->captions);
    cfg->captions = NULL;
    cfg->ncaptions = 0;
    cfg->nruns = 0;
    free(cfg->marks);
    cfg->marks = NULL;
    cfg->nmarks = 0;
    formula_destroy(cfg->model.formula);
    cfg->model.formula = NULL;
    free(cfg->data_x);
    free(cfg->data_y);
    cfg->data_x = cfg->data_y = NULL;
    cfg->ndata = 0;
}

void config_label_diverged(const Config *cfg, int step, char *buf, size_t size) {
    const char *t = cfg->labels.diverged, *at = strstr(t, "{step}");
    if (!at)
        snprintf(buf, size, "%s", t);
    else
        snprintf(buf, size, "%.*s%d%s", (int)(at - t), t, step, at + 6);
}

int typeset_config_formula(const Config *cfg, char *out, size_t n) {
    const char *names[GD_MAX_PARAMS];
    const int np = cfg->model.nparams < GD_MAX_PARAMS ? cfg->model.nparams : GD_MAX_PARAMS;
    for (int i = 0; i < np; i++)
        names[i] = cfg->model.params[i];
    const char *var = cfg->model.variable[0] ? cfg->model.variable : "x";
    return typeset_formula(cfg->model.formula_text, var, names, np, out, n, NULL);
}

int config_frame_count(const Config *cfg) {
    return (int)llround((double)cfg->video.fps * (cfg->video.duration + cfg->video.hold));
}

double config_box_min_span(double lo, double hi) {
    return fmax(GD_BOX_MIN_SPAN, GD_BOX_MIN_REL * fmax(fabs(lo), fabs(hi)));
}

const char *config_optimizer_name(OptimizerKind k) {
    static const char *const names[GD_OPTIMIZER_COUNT] = {
        [OPT_GD] = "gd",           [OPT_MOMENTUM] = "momentum", [OPT_NESTEROV] = "nesterov",
        [OPT_ADAGRAD] = "adagrad", [OPT_RMSPROP] = "rmsprop",   [OPT_ADAM] = "adam"};
    if ((int)k < 0 || (int)k >= GD_OPTIMIZER_COUNT)
        return "?";
    return names[k];
}
