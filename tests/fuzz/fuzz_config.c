/*
 * fuzz_config.c — libFuzzer harness (a): the config loader with --set
 * overrides. The input is an INI file, then NUL-separated override texts
 * (fuzz_util.h). Whatever it is, config_load returns: a Config that
 * config_free releases, or one error line that says where (the file, or
 * the override) and what. An accepted config's effective text (what a
 * video stores in its comment tag, to be rendered again) loads again, with
 * no overrides, to the same Config.
 */
#include <string.h>

#include "config/config.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where a and b differ (NULL when they do not), but for what says where
 * each came from: file lines, "--set" texts. */
static const char *config_diff(const Config *a, const Config *b) {
    VideoConfig va = a->video, vb = b->video;
    DataConfig da = a->data, db = b->data;
    CameraConfig ca = a->camera, cb = b->camera;
    da.line = db.line = 0;
    memset(ca.target_where, 0, sizeof ca.target_where);
    memset(cb.target_where, 0, sizeof cb.target_where);
    if (memcmp(&va, &vb, sizeof va))
        return "[video]";
    if (memcmp(&da, &db, sizeof da) || a->ndata != b->ndata ||
        memcmp(a->data_x, b->data_x, sizeof(double) * (size_t)a->ndata) ||
        memcmp(a->data_y, b->data_y, sizeof(double) * (size_t)a->ndata))
        return "[data]";
    if (a->model.nparams != b->model.nparams || strcmp(a->model.variable, b->model.variable) ||
        strcmp(a->model.formula_text, b->model.formula_text) ||
        memcmp(a->model.params, b->model.params, sizeof a->model.params))
        return "[model]";
    if (memcmp(&a->surface, &b->surface, sizeof a->surface))
        return "[surface]";
    if (a->nruns != b->nruns)
        return "the number of runs";
    for (int r = 0; r < a->nruns; r++) {
        RunConfig ra = a->runs[r], rb = b->runs[r];
        ra.line = rb.line = 0;
        if (memcmp(&ra, &rb, sizeof ra))
            return "a [run]";
    }
    if (memcmp(&ca, &cb, sizeof ca))
        return "[camera]";
    if (memcmp(&a->timeline, &b->timeline, sizeof a->timeline))
        return "[timeline]";
    if (memcmp(&a->layout, &b->layout, sizeof a->layout))
        return "[layout]";
    if (memcmp(&a->labels, &b->labels, sizeof a->labels))
        return "[labels]";
    return NULL;
}

/* The effective text of cfg, loaded again from a file of the same folder
 * and name, must give the same Config. */
static void check_reload(const Config *cfg) {
    const char *path = fuzz_write("c.ini", cfg->text, strlen(cfg->text));
    Config again;
    GdError err;
    if (config_load(path, NULL, 0, &again, &err) != GD_OK)
        fuzz_fail("the effective text does not load again: %s", err.msg);
    const char *where = config_diff(cfg, &again);
    if (where)
        fuzz_fail("the effective text loads to a different %s", where);
    config_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzConfig fc;
    fuzz_config_split(&fc, data, size);
    if (!fuzz_config_local(&fc)) {
        fuzz_config_free(&fc);
        return 0;
    }
    const char *path = fuzz_write("c.ini", fc.text, fc.text_len);
    Config cfg;
    GdError err;
    int rc = config_load(path, fc.ovr, fc.novr, &cfg, &err);
    if (rc == GD_OK) {
        if (cfg.nruns < 1 || cfg.nruns > GD_MAX_RUNS || cfg.ndata < 1 || !cfg.model.formula)
            fuzz_fail("a config without runs, data or formula was accepted");
        for (int p = 0; p < cfg.model.nparams; p++)
            if (cfg.surface.has_range[p]) {
                double lo = cfg.surface.range[p][0], hi = cfg.surface.range[p][1];
                if (!(lo >= -GD_BOX_LIMIT && hi <= GD_BOX_LIMIT &&
                      hi - lo >= config_box_min_span(lo, hi)))
                    fuzz_fail("[surface] range %g .. %g was accepted", lo, hi);
            }
        if (config_frame_count(&cfg) < 1)
            fuzz_fail("a video of no frames was accepted");
        check_reload(&cfg);
    } else {
        /* Errors name the file (its line, or the file as a whole), the
         * override, or (data files) their own path. */
        fuzz_check_error(&err, 0, NULL);
        if (rc != err.code)
            fuzz_fail("returned %d with an error of code %d", rc, err.code);
        if (err.code == GD_ERR_INPUT && strncmp(err.msg, path, strlen(path)) != 0 &&
            strncmp(err.msg, "--set ", 6) != 0 && strncmp(err.msg, fuzz_dir(), strlen(fuzz_dir())))
            fuzz_fail("an error that does not say where: %s", err.msg);
    }
    config_free(&cfg);
    fuzz_config_free(&fc);
    return 0;
}
