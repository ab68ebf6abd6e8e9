/*
 * fuzz_render.c — libFuzzer harness (d): the whole path from a config to
 * a few frames, as a render takes it. The input is a config and its
 * overrides (as fuzz_config.c). A config that loads and passes --check's
 * tests (simulation, view_check) must then render: the view, the
 * composer, the first four frames (consecutive frames are what a muxer
 * checks), the middle one and the last at a tiny size of the
 * config's shape, and (chosen by the input's bytes) those frames encoded
 * as an MP4, GIF or WebM with the config's encoder settings (an MP4, with
 * the captions' text track, when [video] subtitles = yes). Nothing after
 * --check may fail (SPEC section 6: a config either is refused up front or
 * renders). Inputs whose simulation or grid would take long are skipped,
 * so every execution stays quick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "config/config.h"
#include "frame/compose.h"
#include "fuzz_util.h"
#include "output/encode.h"
#include "output/subtitles.h"
#include "sim/sim.h"
#include "view/view.h"

/* Formula evaluations (times its tape length) an input may cost, and
 * rows in all (every row's readout is measured before the first frame, at
 * some 50 us a row under the sanitizers). */
#define WORK_BUDGET 4e7
#define ROW_BUDGET  2e4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int too_costly(const Config *cfg) {
    double steps = 0;
    for (int r = 0; r < cfg->nruns; r++)
        steps += cfg->runs[r].steps + 1.0;
    double res = cfg->surface.resolution;
    double evals = steps + res * res;
    if (cfg->basins.enabled) /* every start of the basin map runs the run's steps */
        evals += (double)cfg->basins.resolution * cfg->basins.resolution *
                 (cfg->runs[cfg->basins.run].steps + 1.0);
    double work = evals * cfg->ndata * formula_tape_length(cfg->model.formula);
    return work > WORK_BUDGET || steps > ROW_BUDGET;
}

/* Frames 0, middle and last of the composer into rgb (w * h * 3 each),
 * and, when ext is not NULL, encoded to a file of that extension. */
static void render(const Config *cfg, const Composer *c, const char *ext, uint8_t *rgb) {
    ComposerScratch sc;
    GdError err;
    if (compose_scratch_init(&sc, c, &err) != GD_OK)
        fuzz_fail("compose_scratch_init: %s", err.msg);
    const int n = c->spec.nframes, w = c->spec.width, h = c->spec.height;
    int frames[6], nf = 0;
    for (int f = 0; f < 4 && f < n; f++)
        frames[nf++] = f;
    if (n / 2 >= nf)
        frames[nf++] = n / 2;
    if (n - 1 > frames[nf - 1])
        frames[nf++] = n - 1;
    Encoder *enc = NULL;
    char path[512];
    SubtitleCue *cues = NULL;
    EncoderCue *ecues = NULL;
    int ncues = 0;
    if (ext && cfg->video.subtitles) {
        /* As video_render: the captions as the MP4's text track. */
        if (subtitles_track(cfg, c->spec.view, &cues, &ncues) != 0 ||
            (ncues > 0 && !(ecues = calloc((size_t)ncues, sizeof *ecues))))
            fuzz_fail("out of memory");
        for (int i = 0; i < ncues; i++)
            ecues[i] = (EncoderCue){subtitles_ms(cues[i].f0, cfg->video.fps),
                                    subtitles_ms(cues[i].f1, cfg->video.fps), cues[i].text};
    }
    if (ext) {
        snprintf(path, sizeof path, "%s/out%s", fuzz_dir(), ext);
        EncoderOptions eo = {.width = w,
                             .height = h,
                             .fps = cfg->video.fps,
                             .crf = cfg->video.crf,
                             .preset = cfg->video.preset,
                             .version = GD_VERSION,
                             .config_text = cfg->text,
                             .title = cfg->video.title,
                             .threads = 1,
                             .cues = ecues,
                             .ncues = ncues};
        if (!(enc = encoder_open(path, &eo, &err)))
            fuzz_fail("encoder_open %s: %s", ext, err.msg);
    }
    for (int i = 0; i < nf; i++) {
        compose_frame(c, &sc, frames[i], rgb);
        if (enc && encoder_write_frame(enc, rgb, w * 3, &err) != GD_OK)
            fuzz_fail("encoder_write_frame %s: %s", ext, err.msg);
    }
    if (enc) {
        if (encoder_finish(enc, &err) != GD_OK)
            fuzz_fail("encoder_finish %s: %s", ext, err.msg);
        remove(path);
    }
    free(ecues);
    subtitles_free_cues(cues, ncues);
    compose_scratch_free(&sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int quiet;
    if (!quiet++)
        encoder_set_libav_verbose(0);
    FuzzConfig fc;
    fuzz_config_split(&fc, data, size);
    Config cfg;
    GdError err;
    if (!fuzz_config_local(&fc) || config_load(fuzz_write("c.ini", fc.text, fc.text_len), fc.ovr,
                                               fc.novr, &cfg, &err) != GD_OK) {
        fuzz_config_free(&fc);
        return 0;
    }
    Trajectory *trajs = calloc((size_t)cfg.nruns, sizeof *trajs);
    /* One view per plane shown side by side, as a render builds them. */
    View *view = calloc(GD_MAX_PLANES, sizeof *view);
    const int nviews = cfg.surface.nplanes > 1 ? cfg.surface.nplanes : 1;
    Composer *composer = malloc(sizeof *composer);
    if (!trajs || !view || !composer)
        fuzz_fail("out of memory");
    int simulated = 0, viewed = 0;
    if (too_costly(&cfg)) {
        if (getenv("GD_FUZZ_VERBOSE"))
            fprintf(stderr, "fuzz_render: skipped (too costly)\n");
        goto done;
    }
    if (sim_run_all(&cfg, trajs, &err) != GD_OK)
        fuzz_fail("sim_run_all: %s", err.msg);
    simulated = 1;
    if (view_check(&cfg, trajs, &err) != GD_OK) {
        fuzz_check_error(&err, GD_ERR_INPUT, NULL);
        goto done; /* --check refuses it too */
    }
    /* From here on nothing may fail: --check said yes. */
    if (view_build_planes(view, &cfg, trajs, NULL, 1, &err) != GD_OK)
        fuzz_fail("view_build_planes after view_check passed: %s", err.msg);
    viewed = 1;
    /* A tiny frame of the config's shape (landscape or portrait layouts). */
    int w = 64, h = 64;
    if (cfg.video.width >= cfg.video.height)
        h = (int)(64.0 * cfg.video.height / cfg.video.width) & ~1;
    else
        w = (int)(64.0 * cfg.video.width / cfg.video.height) & ~1;
    w = w < 16 ? 16 : w;
    h = h < 16 ? 16 : h;
    if (compose_init_planes(composer, &cfg, view, nviews, w, h, cfg.video.quality, &err) != GD_OK)
        fuzz_fail("compose_init: %s", err.msg);
    unsigned sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += data[i];
    static const char *const exts[4] = {".mp4", ".gif", ".webm", NULL};
    const char *ext = exts[sum % 4];
    if (ext && strcmp(ext, ".webm") == 0 && !avcodec_find_encoder_by_name("libvpx-vp9"))
        ext = ".mp4"; /* an FFmpeg without VP9 */
    if (ext && cfg.video.subtitles)
        ext = ".mp4"; /* the only output a text track goes into (checked up front) */
    uint8_t *rgb = malloc((size_t)w * h * 3);
    if (!rgb)
        fuzz_fail("out of memory");
    render(&cfg, composer, ext, rgb);
    free(rgb);
    compose_free(composer);
done:
    for (int k = 0; viewed && k < nviews; k++)
        view_free(&view[k]);
    for (int r = 0; simulated && r < cfg.nruns; r++)
        trajectory_free(&trajs[r]);
    free(composer);
    free(view);
    free(trajs);
    config_free(&cfg);
    fuzz_config_free(&fc);
    return 0;
}
