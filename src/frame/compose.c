/*
 * compose.c — see compose.h.
 *
 * Sizes are given at 720p and multiplied by spec.scale.
 */
#include "frame/compose.h"

#include <math.h>
#include <string.h>

#include "base/tunables.h"
#include "frame/overlay.h"
#include "view/camera.h"
#include "view/timeline.h"

/* The magnification at which the box, with room for its tick labels and
 * axis names, fills the rectangle v at every camera pose of the video (so
 * it never breathes): the tightest of the poses sampled. A keyframe's zoom
 * multiplies it. */
static double view_fit(const FrameSpec *s, Rect v) {
    const Config *cfg = s->cfg;
    const double H = CAMERA_BOX_HALF_Z, tu = s->scale * s->text_scale;
    const double total = cfg->video.duration + cfg->video.hold;
    /* Label room around the box: loss ticks beside it, names below. */
    const double mx = COMPOSE_LABEL_ROOM_X_PX * tu, my = COMPOSE_LABEL_ROOM_Y_PX * tu;
    double fit = COMPOSE_FIT_MAX;
    for (int k = 0; k <= COMPOSE_FIT_SAMPLES; k++) {
        CameraPose pose =
            camera_pose_at(&cfg->camera, &s->view->orbit, total * k / COMPOSE_FIT_SAMPLES, total);
        pose.zoom = 1;
        Camera cam;
        camera_setup(&cam, pose, 0, 0, v.w, v.h);
        double dx = 1e-9, dy = 1e-9;
        for (int i = 0; i < 8; i++) {
            double w[3] = {i & 1 ? 1.15 : -1.15, i & 2 ? 1.15 : -1.15, i & 4 ? H : -H};
            float x, y, z;
            if (!camera_project(&cam, w, &x, &y, &z))
                continue;
            dx = fmax(dx, fabs(x - cam.cx));
            dy = fmax(dy, fabs(y - cam.cy));
        }
        fit = fmin(fit, fmin((0.5 * v.w - mx) / dx, (0.5 * v.h - my) / dy));
    }
    return fit < COMPOSE_FIT_MIN ? COMPOSE_FIT_MIN : fit;
}

/* The areas of view v: caption band, readouts band, 3D view. */
static void place_view(Composer *c, int v) {
    const FrameSpec *s = &c->spec;
    const Layout *L = &c->layout;
    ComposedView *cv = &c->views[v];
    int nruns = s->cfg->layout.mode == LAYOUT_SPLIT ? 1 : s->view->ntrails;
    cv->area = L->view[v];
    if (L->caption[v].h > 0) {
        cv->area.y += L->caption[v].h;
        cv->area.h -= L->caption[v].h;
    }
    /* Many runs get the compact (smaller) readouts. */
    cv->compact = nruns > OVERLAY_COMPACT_RUNS;
    int runs[GD_MAX_RUNS];
    for (int i = 0; i < nruns; i++)
        runs[i] = nruns == 1 ? v : i;
    int lines = overlay_readout_lines(s, cv->area.w - 24 * s->scale, runs, nruns, cv->compact);
    double line = cv->compact ? OVERLAY_COMPACT_LINE_PX : OVERLAY_READOUT_LINE_PX;
    double band = (nruns * lines * line + 18) * s->scale * s->text_scale;
    /* Readouts get a band of their own above the box unless that would
     * take too much of the view; then they sit over its top left corner. */
    if (band > COMPOSE_READOUT_BAND_MAX * cv->area.h)
        band = 0;
    Rect r = {cv->area.x, cv->area.y + band, cv->area.w, cv->area.h - band};
    r.y = floor(r.y);
    r.h = floor(cv->area.y + cv->area.h) - r.y;
    cv->view3d = r;
    cv->fit = r.w > 4 && r.h > 4 ? view_fit(s, r) : 1;
}

int compose_init(Composer *c, const Config *cfg, const View *view, int width, int height, Quality q,
                 GdError *err) {
    memset(c, 0, sizeof *c);
    frame_spec_init(&c->spec, cfg, view, width, height, q);
    int rc = scene3d_init(&c->scene, &c->spec, err);
    if (rc != 0)
        return rc;
    layout_compute(cfg, width, height, &c->layout);
    for (int v = 0; v < c->layout.nviews; v++)
        place_view(c, v);
    rc = panels_prepare(&c->spec, &c->layout, &c->panels, err);
    if (rc != 0) {
        compose_free(c);
        return rc;
    }
    return 0;
}

void compose_free(Composer *c) {
    scene3d_free(&c->scene);
    panels_free(c->panels);
    memset(c, 0, sizeof *c);
}

int compose_scratch_init(ComposerScratch *sc, const Composer *c, GdError *err) {
    memset(sc, 0, sizeof *sc);
    const Config *cfg = c->spec.cfg;
    const char *font = cfg->video.font[0] ? cfg->video.font : text_default_font();
    sc->text = text_create(font, err);
    if (!sc->text)
        return err->code;
    int rc = scene3d_scratch_init(&sc->scene, &c->scene, err);
    if (rc != 0) {
        compose_scratch_free(sc);
        return rc;
    }
    return 0;
}

void compose_scratch_free(ComposerScratch *sc) {
    scene3d_scratch_free(&sc->scene);
    text_destroy(sc->text);
    memset(sc, 0, sizeof *sc);
}

/* One 3D view v of the layout: the runs it shows, their readouts in a band
 * above the box (or over its corner), the landscape and its labels, and
 * split mode's caption. */
static void compose_view(const Composer *c, ComposerScratch *sc, int v, CameraPose pose,
                         const TimelineMoment *m, uint8_t *rgb, RasterTarget *out) {
    const double step = m->step;
    const FrameSpec *s = &c->spec;
    const Layout *L = &c->layout;
    const double u = s->scale;
    int split = s->cfg->layout.mode == LAYOUT_SPLIT;
    int one = v, nruns = split ? 1 : s->view->ntrails;
    int runs[GD_MAX_RUNS];
    if (split)
        runs[0] = one;
    else
        for (int i = 0; i < nruns; i++)
            runs[i] = i;
    const ComposedView *cv = &c->views[v];
    const Rect area = cv->area, view3d = cv->view3d;
    const int compact = cv->compact;
    pose.zoom *= cv->fit;
    Scene3DRunState ts[GD_MAX_RUNS];
    /* Lines, markers and labels shrink with a small view (split mode with
     * many runs), down to 70% of their size in a full frame. */
    double side = fmin(view3d.w, view3d.h), k = side / (0.75 * s->height);
    double scale = s->scale * (k > 1 ? 1 : k < 0.7 ? 0.7 : k);
    scene3d_render(&c->scene, &sc->scene, view3d, runs, nruns, pose, m, scale, rgb, ts);
    /* A view too small for its labels (hundreds of runs side by side) shows
     * the landscape and its caption only. */
    if (side >= 120 * u) {
        scene3d_draw_labels(&c->scene, sc->text, out, view3d, runs, nruns, pose, step, scale, ts);
        overlay_draw_readouts(s, sc->text, out, area.x, area.y, area.w - 24 * u, runs, nruns, step,
                              compact);
    }
    if (L->caption[v].h > 0)
        overlay_draw_caption(s, sc->text, out, L->caption[v], one);
}

void compose_frame(const Composer *c, ComposerScratch *sc, int frame, uint8_t *rgb) {
    const FrameSpec *s = &c->spec;
    const Config *cfg = s->cfg;
    const Layout *L = &c->layout;
    TimelineMoment m;
    timeline_moment(cfg, s->view->max_steps, frame, &m);
    double total = cfg->video.duration + cfg->video.hold;
    CameraPose pose = camera_pose_at(&cfg->camera, &s->view->orbit, m.t, total);
    view_camera_target(s->view, cfg, m.step, pose.target);
    RasterTarget out = {s->width, s->height, rgb, NULL};
    const Rgb bg = cfg->video.background;
    raster_clear(&out, bg.r, bg.g, bg.b);

    for (int v = 0; v < L->nviews; v++)
        compose_view(c, sc, v, pose, &m, rgb, &out);
    for (int i = 0; i < L->npanels; i++)
        panels_draw(s, c->panels, L->panel_kind[i], sc->text, &out, L->panel[i], &m);
    if (L->colorbar.w > 0)
        panels_draw_colorbar(s, sc->text, &out, L->colorbar);
    overlay_draw_title(s, L, sc->text, &out);
}
