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

/* Lines, markers and labels shrink with a small view (split mode with
 * many runs), down to 70% of their size in a full frame. */
static double label_scale(const FrameSpec *s, Rect v) {
    double k = fmin(v.w, v.h) / (0.75 * s->height);
    return k > 1 ? 1 : k < 0.7 ? 0.7 : k;
}

/* The spec and the 3D scene of layout view v: its plane's when planes
 * stand side by side, else the video's. */
static const FrameSpec *view_spec(const Composer *c, int v) {
    return c->nplanes > 1 && v > 0 ? &c->plane_spec[v] : &c->spec;
}

static const Scene3D *view_scene(const Composer *c, int v) {
    return c->nplanes > 1 && v > 0 ? &c->plane_scene[v] : &c->scene;
}

/* The box's corners on screen at zoom 1 for the poses sampled over the
 * video, as offsets from the centre of a view w x h (the projection
 * scales with the view's shorter side). */
typedef struct BoxProbe {
    int npose;
    double d[COMPOSE_FIT_SAMPLES + 1][8][2];
} BoxProbe;

static void probe_box(const FrameSpec *s, double w, double h, BoxProbe *bp) {
    const Config *cfg = s->cfg;
    const double H = CAMERA_BOX_HALF_Z, total = cfg->video.duration + cfg->video.hold;
    bp->npose = 0;
    for (int k = 0; k <= COMPOSE_FIT_SAMPLES; k++) {
        CameraPose pose =
            camera_pose_at(&cfg->camera, &s->view->orbit, total * k / COMPOSE_FIT_SAMPLES, total);
        pose.zoom = 1;
        Camera cam;
        camera_setup(&cam, pose, 0, 0, w, h);
        int ok = 1;
        for (int i = 0; i < 8 && ok; i++) {
            double c[3] = {i & 1 ? 1.15 : -1.15, i & 2 ? 1.15 : -1.15, i & 4 ? H : -H};
            float x, y, z;
            ok = camera_project(&cam, c, &x, &y, &z);
            bp->d[bp->npose][i][0] = x - cam.cx;
            bp->d[bp->npose][i][1] = y - cam.cy;
        }
        bp->npose += ok;
    }
}

/* Whether the box magnified by m, centred in v, keeps room for its labels
 * (mx beside it, my above and below) inside v at every pose, and its
 * outline with that room stays off the readouts' rectangle ro (ro.w == 0:
 * none). */
static int box_fits(const BoxProbe *bp, Rect v, Rect ro, double mx, double my, double m) {
    const double cx = v.x + 0.5 * v.w, cy = v.y + 0.5 * v.h;
    Rect grown = {ro.x - mx, ro.y - my, ro.w + 2 * mx, ro.h + 2 * my};
    for (int k = 0; k < bp->npose; k++) {
        double xy[16];
        for (int i = 0; i < 8; i++) {
            xy[2 * i] = cx + m * bp->d[k][i][0];
            xy[2 * i + 1] = cy + m * bp->d[k][i][1];
            if (fabs(m * bp->d[k][i][0]) > 0.5 * v.w - mx ||
                fabs(m * bp->d[k][i][1]) > 0.5 * v.h - my)
                return 0;
        }
        if (ro.w > 0 && geom_hull_hits_rect(xy, 8, grown))
            return 0;
    }
    return 1;
}

/* The largest magnification in [COMPOSE_FIT_MIN, COMPOSE_FIT_MAX] at which
 * the box fits v beside the readouts ro (see box_fits), or 0 when even the
 * smallest does not. The box grows from v's centre, so what fits at m fits
 * at anything smaller. */
static double best_fit(const FrameSpec *s, Rect v, Rect ro) {
    if (v.w <= 4 || v.h <= 4)
        return 0;
    const double tu = s->scale * s->text_scale * label_scale(s, v);
    const double mx = COMPOSE_LABEL_ROOM_X_PX * tu, my = COMPOSE_LABEL_ROOM_Y_PX * tu;
    BoxProbe bp;
    probe_box(s, v.w, v.h, &bp);
    double lo = COMPOSE_FIT_MIN, hi = COMPOSE_FIT_MAX;
    if (!box_fits(&bp, v, ro, mx, my, lo))
        return 0;
    if (box_fits(&bp, v, ro, mx, my, hi))
        return hi;
    for (int i = 0; i < 40; i++) {
        double mid = 0.5 * (lo + hi);
        if (box_fits(&bp, v, ro, mx, my, mid))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The size the box gets in v at magnification fit, in pixels. */
static double view_size(Rect v, double fit) {
    return fit * fmin(v.w, v.h);
}

/* The areas of view v: caption band, readouts, 3D view. Of the ways to
 * place the readouts (top left over the view, where the box leaves room;
 * in a band above the box; for a single run, as a column beside it), each
 * in the layouts that fit, the one that leaves the biggest box wins; when
 * none leaves room, the readouts sit over the top left of the box. */
static void place_view(Composer *c, int v) {
    const FrameSpec *s = view_spec(c, v);
    const Layout *L = &c->layout;
    ComposedView *cv = &c->views[v];
    int nruns = s->cfg->layout.mode == LAYOUT_SPLIT ? 1 : s->view->ntrails;
    cv->area = L->view[v];
    if (L->caption[v].h > 0) {
        cv->area.y += L->caption[v].h;
        cv->area.h -= L->caption[v].h;
    }
    const Rect a = cv->area;
    /* Many runs get the compact (smaller) readouts. */
    cv->compact = nruns > OVERLAY_COMPACT_RUNS;
    int runs[GD_MAX_RUNS];
    for (int i = 0; i < s->view->ntrails; i++)
        runs[i] = i;
    const double maxw = a.w - 24 * s->scale;
    /* Split views are measured for all runs, so that they all come out
     * alike. */
    overlay_readout_metrics(s, runs, s->view->ntrails, cv->compact, maxw, &cv->metrics);
    const int line = overlay_readout_lines(s, &cv->metrics, maxw);
    cv->readout_layout = line;
    cv->readout = (Rect){a.x, a.y, maxw, 0};
    cv->view3d = a;
    cv->fit = 0;
    if (c->curve) {
        /* A 2D plot has no camera to fit: the readouts in a band above
         * it, on one line or two, the plot below. */
        const int lay[2] = {line, READOUT_TWO_LINES};
        for (int i = 0; i < 2; i++) {
            double w, h;
            overlay_readout_extent(s, &cv->metrics, nruns, lay[i], &w, &h);
            if (w - 8 * s->scale > maxw && i == 0)
                continue;
            cv->readout_layout = lay[i];
            h = fmin(h, COMPOSE_READOUT_BAND_MAX * a.h);
            cv->view3d = (Rect){a.x, ceil(a.y + h), a.w, floor(a.y + a.h) - ceil(a.y + h)};
            break;
        }
        double rw, rh;
        overlay_readout_extent(s, &cv->metrics, nruns, cv->readout_layout, &rw, &rh);
        cv->readout_box = (Rect){a.x, a.y, fmin(rw, a.w), rh};
        cv->fit = 1;
        cv->view3d.x = floor(cv->view3d.x);
        cv->view3d.y = floor(cv->view3d.y);
        return;
    }
    const int layouts[3] = {line, READOUT_TWO_LINES, READOUT_COLUMN};
    const int nlayouts = nruns == 1 ? 3 : line == READOUT_ONE_LINE ? 2 : 1;
    double best = 0;
    for (int i = 0; i < nlayouts; i++) {
        double w, h;
        overlay_readout_extent(s, &cv->metrics, nruns, layouts[i], &w, &h);
        /* A readout a little too wide shrinks to maxw (by 20% at most). */
        if (w - 8 * s->scale > maxw) {
            double k = maxw / (w - 8 * s->scale);
            if (k < 0.8)
                continue;
            w = maxw + 8 * s->scale;
            h *= k;
        }
        if (h > a.h)
            continue;
        Rect ro = {a.x, a.y, w, h};
        /* Over the view, in a band above the box, or beside it. */
        Rect band = {a.x, ceil(a.y + h), a.w, floor(a.y + a.h) - ceil(a.y + h)};
        Rect side = {ceil(a.x + w), a.y, floor(a.x + a.w) - ceil(a.x + w), a.h};
        const Rect views[3] = {a, band, side};
        for (int k = 0; k < 3; k++) {
            if (k == 2 && layouts[i] != READOUT_COLUMN)
                continue;
            double fit = best_fit(s, views[k], k == 0 ? ro : (Rect){0, 0, 0, 0});
            /* A bigger box by 3% at least, so that near-ties keep the
             * simpler arrangement tried first. */
            if (fit > 0 && view_size(views[k], fit) > 1.03 * best) {
                best = view_size(views[k], fit);
                cv->readout_layout = layouts[i];
                cv->readout = (Rect){a.x, a.y, layouts[i] == READOUT_COLUMN ? w : maxw, h};
                cv->view3d = views[k];
                cv->fit = fit;
            }
        }
    }
    double rw, rh;
    overlay_readout_extent(s, &cv->metrics, nruns, cv->readout_layout, &rw, &rh);
    cv->readout_box = (Rect){a.x, a.y, fmin(rw, a.w), rh};
    if (cv->fit == 0) /* no room beside the box: readouts over its corner */
        cv->fit = best_fit(s, a, (Rect){0, 0, 0, 0});
    if (cv->fit == 0)
        cv->fit = COMPOSE_FIT_MIN;
    cv->view3d.x = floor(cv->view3d.x);
    cv->view3d.y = floor(cv->view3d.y);
}

/* The equation of [layout] equation's run for the plane's parameters,
 * measured to fit its band. */
static void prepare_equation(Composer *c) {
    const FrameSpec *s = &c->spec;
    const Rect band = c->layout.equation;
    const int run = s->cfg->layout.equation_run;
    if (band.h <= 0 || run < 0 || run >= s->view->ntrails)
        return;
    int params[2], n = 0;
    for (int i = 0; i < 2; i++)
        if (s->view->plane.axis[i] >= 0)
            params[n++] = s->view->plane.axis[i];
    equation_build(&c->equation, s->cfg, s->view->trails[run].traj, params, n);
    const double tu = s->scale * s->text_scale;
    equation_measure(&c->equation, c->measure, EQUATION_PX * tu, EQUATION_LINE_PX * tu,
                     band.w - 32 * s->scale, band.h - 2 * EQUATION_PAD_PX * s->scale);
}

int compose_init(Composer *c, const Config *cfg, const View *view, int width, int height, Quality q,
                 GdError *err) {
    return compose_init_planes(c, cfg, view, 1, width, height, q, err);
}

int compose_init_planes(Composer *c, const Config *cfg, const View *views, int nviews, int width,
                        int height, Quality q, GdError *err) {
    memset(c, 0, sizeof *c);
    frame_spec_init(&c->spec, cfg, &views[0], width, height, q);
    /* The layout is measured with the video's own font. */
    c->measure = text_create(cfg->video.font[0] ? cfg->video.font : text_default_font(), err);
    if (!c->measure)
        return err->code;
    c->spec.measure = c->measure;
    int rc = scene3d_init(&c->scene, &c->spec, err);
    if (rc != 0) {
        compose_free(c);
        return rc;
    }
    c->nplanes = nviews > 1 ? (nviews < GD_MAX_PLANES ? nviews : GD_MAX_PLANES) : 1;
    for (int k = 1; k < c->nplanes; k++) {
        frame_spec_init(&c->plane_spec[k], cfg, &views[k], width, height, q);
        c->plane_spec[k].measure = c->measure;
        if ((rc = scene3d_init(&c->plane_scene[k], &c->plane_spec[k], err)) != 0) {
            compose_free(c);
            return rc;
        }
    }
    c->curve = views[0].plane.curve;
    if (c->curve && (rc = curve_init(&c->curve_scene, &c->spec, err)) != 0) {
        compose_free(c);
        return rc;
    }
    captions_plan(&c->spec, &c->captions);
    layout_compute(cfg, width, height, c->measure, c->captions.lines, &c->layout);
    for (int v = 0; v < c->layout.nviews; v++)
        place_view(c, v);
    prepare_equation(c);
    rc = panels_prepare(&c->spec, &c->layout, &c->panels, err);
    c->spec.measure = NULL; /* frames are drawn on many threads */
    for (int k = 1; k < c->nplanes; k++)
        c->plane_spec[k].measure = NULL;
    if (rc != 0) {
        compose_free(c);
        return rc;
    }
    return 0;
}

void compose_free(Composer *c) {
    scene3d_free(&c->scene);
    for (int k = 1; k < c->nplanes; k++)
        scene3d_free(&c->plane_scene[k]);
    curve_free(&c->curve_scene);
    panels_free(c->panels);
    text_destroy(c->measure);
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
/* The point captions shown in frame `frame`: as pins for the 3D scene. */
static void set_pins(const Composer *c, ComposerScratch *sc, int frame) {
    const Config *cfg = c->spec.cfg;
    sc->scene.npins = 0;
    for (int k = 0; k < cfg->ncaptions; k++) {
        double a = captions_alpha(&c->spec, k, frame);
        if (cfg->captions[k].at != CAPTION_POINT || a <= 0)
            continue;
        Scene3DPin *pin = &sc->scene.pins[sc->scene.npins++];
        pin->p[0] = cfg->captions[k].point[0];
        pin->p[1] = cfg->captions[k].point[1];
        pin->alpha = (float)a;
        sc->pin_caption[sc->scene.npins - 1] = k;
    }
}

/* The captions in 3D view v: each pin's label at the top of its leader,
 * and each ball caption beside its ball, kept off the box's labels, the
 * readouts, the balls and the marks' labels. */
static void draw_view_captions(const Composer *c, ComposerScratch *sc, int v, const int *runs,
                               int nruns, CameraPose pose, double scale, int frame, double step,
                               RasterTarget *out) {
    const FrameSpec *s = view_spec(c, v);
    const Config *cfg = s->cfg;
    const ComposedView *cv = &c->views[v];
    int nball = 0;
    for (int k = 0; k < cfg->ncaptions; k++)
        for (int i = 0; i < nruns; i++)
            nball += cfg->captions[k].at == CAPTION_BALL && cfg->captions[k].run == runs[i] &&
                     captions_alpha(s, k, frame) > 0;
    if (nball == 0 && sc->scene.npins == 0)
        return;
    Rect avoid[SCENE3D_MAX_LABELS + GD_MAX_RUNS + 1 + FRAME_MAX_POINTS];
    int n = c->curve ? curve_label_boxes(&c->curve_scene, sc->text, cv->view3d, scale, avoid,
                                         SCENE3D_MAX_LABELS)
                     : scene3d_label_boxes(view_scene(c, v), sc->text, cv->view3d, pose, scale,
                                           avoid, SCENE3D_MAX_LABELS);
    avoid[n++] = cv->readout_box;
    for (int i = 0; i < sc->npoint_labels; i++)
        avoid[n++] = sc->point_labels[i];
    for (int i = 0; i < nruns && n < (int)(sizeof avoid / sizeof *avoid); i++) {
        const Scene3DRunState *b = &sc->shown[runs[i]];
        if (b->ball_drawn)
            avoid[n++] =
                (Rect){b->ball_x - b->ball_r, b->ball_y - b->ball_r, 2 * b->ball_r, 2 * b->ball_r};
    }
    const double k = scale / s->scale;
    char text[2 * GD_TEXT_MAX];
    for (int i = 0; i < sc->scene.npins; i++) {
        const Scene3DPin *pin = &sc->scene.pins[i];
        if (!pin->top_ok)
            continue;
        int cap = sc->pin_caption[i];
        captions_text(s, cap, step, text, sizeof text);
        captions_draw_label(s, sc->text, out, text, pin->top_x, pin->top_y, c->captions.slot[cap],
                            pin->alpha, k, cv->view3d, avoid, n);
    }
    for (int cap = 0; cap < cfg->ncaptions; cap++) {
        const CaptionConfig *cc = &cfg->captions[cap];
        double a = captions_alpha(s, cap, frame);
        const Scene3DRunState *b = &sc->shown[cc->run];
        int here = 0;
        for (int i = 0; i < nruns; i++)
            here |= runs[i] == cc->run;
        if (cc->at != CAPTION_BALL || a <= 0 || !here || !b->ball_drawn)
            continue;
        captions_text(s, cap, step, text, sizeof text);
        captions_draw_label(s, sc->text, out, text, b->ball_x, b->ball_y, c->captions.slot[cap], a,
                            k, cv->view3d, avoid, n);
    }
}

/* The point captions on the contour map r: a dot and the label beside it. */
static void draw_map_pins(const Composer *c, ComposerScratch *sc, Rect r, const TimelineMoment *m,
                          RasterTarget *out) {
    const FrameSpec *s = &c->spec;
    PlotAxes ax;
    if (sc->scene.npins == 0 || !panels_axes(s, c->panels, PANEL_CONTOUR, r, &ax))
        return;
    const Rect plot = {ax.x0, ax.y0, ax.x1 - ax.x0, ax.y1 - ax.y0};
    for (int i = 0; i < sc->scene.npins; i++) {
        const Scene3DPin *pin = &sc->scene.pins[i];
        double x = panels_map_x(&ax, pin->p[0]), y = panels_map_y(&ax, pin->p[1]);
        const float *ink = s->theme.ink;
        RasterVertex dot = {(float)x, (float)y, 0, ink[0], ink[1], ink[2], pin->alpha};
        raster_point(out, dot, (float)(4 * s->scale), s->aa ? 0 : RASTER_NO_AA);
        int k = sc->pin_caption[i];
        char text[2 * GD_TEXT_MAX];
        captions_text(s, k, m->step, text, sizeof text);
        /* At the panels' text size rather than the 3D view's. */
        captions_draw_label(s, sc->text, out, text, x, y, c->captions.slot[k], pin->alpha, 0.75,
                            plot, NULL, 0);
    }
}

static void compose_view(const Composer *c, ComposerScratch *sc, int v, CameraPose pose,
                         const TimelineMoment *m, int frame, uint8_t *rgb, RasterTarget *out) {
    const double step = m->step;
    const FrameSpec *s = view_spec(c, v);
    const Scene3D *scene = view_scene(c, v);
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
    const Rect view3d = cv->view3d;
    pose.zoom *= cv->fit;
    Scene3DRunState ts[GD_MAX_RUNS];
    memset(ts, 0, sizeof(Scene3DRunState) * (size_t)nruns);
    sc->npoint_labels = 0;
    double side = fmin(view3d.w, view3d.h), scale = s->scale * label_scale(s, view3d);
    if (c->curve) {
        /* A flat plot needs no 3D room: its text shrinks less. */
        scale = s->scale * fmax(label_scale(s, view3d), 0.85);
        sc->npoint_labels = curve_render(&c->curve_scene, sc->text, out, view3d, cv->readout_box,
                                         runs, nruns, m, scale, sc->scene.pins, sc->scene.npins, ts,
                                         sc->point_labels, FRAME_MAX_POINTS);
        for (int i = 0; i < nruns; i++)
            sc->shown[runs[i]] = ts[i];
        if (side >= 120 * u)
            overlay_draw_readouts(s, sc->text, out, cv->readout.x, cv->readout.y, cv->readout.w,
                                  runs, nruns, step, cv->readout_layout, &cv->metrics);
        if (L->caption[v].h > 0)
            overlay_draw_caption(s, sc->text, out, L->caption[v], one);
        draw_view_captions(c, sc, v, runs, nruns, pose, scale, frame, step, out);
        return;
    }
    scene3d_render(scene, &sc->scene, view3d, runs, nruns, pose, m, scale, rgb, ts);
    for (int i = 0; i < nruns; i++)
        sc->shown[runs[i]] = ts[i];
    /* A view too small for its labels (hundreds of runs side by side) shows
     * the landscape and its caption only. */
    if (side >= 120 * u) {
        sc->npoint_labels =
            scene3d_draw_labels(scene, sc->text, out, view3d, cv->readout_box, runs, nruns, pose, m,
                                scale, ts, sc->point_labels, FRAME_MAX_POINTS);
        overlay_draw_readouts(s, sc->text, out, cv->readout.x, cv->readout.y, cv->readout.w, runs,
                              nruns, step, cv->readout_layout, &cv->metrics);
    }
    if (L->caption[v].h > 0 && c->nplanes > 1)
        overlay_draw_plane_caption(s, sc->text, out, L->caption[v]);
    else if (L->caption[v].h > 0)
        overlay_draw_caption(s, sc->text, out, L->caption[v], one);
    draw_view_captions(c, sc, v, runs, nruns, pose, scale, frame, step, out);
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
    /* The 3D views and the panels overwrite every pixel of their
     * rectangles. */
    int keep[GD_MAX_RUNS + GD_MAX_PANELS][4], nkeep = 0;
    for (int v = 0; !c->curve && v < L->nviews; v++) {
        int k[4];
        scene3d_pixels(c->views[v].view3d, k);
        if (k[2] > 0)
            memcpy(keep[nkeep++], k, sizeof k);
    }
    for (int i = 0; i < L->npanels; i++) {
        int k[4];
        panels_pixels(L->panel_kind[i], L->panel[i], s->width, s->height, k);
        if (k[2] > 0)
            memcpy(keep[nkeep++], k, sizeof k);
    }
    raster_clear_around(&out, bg.r, bg.g, bg.b, (const int(*)[4])keep, nkeep);

    set_pins(c, sc, frame);
    for (int v = 0; v < L->nviews; v++) {
        /* Each plane's view turns on its own orbit, around its own box. */
        const View *vv = view_spec(c, v)->view;
        CameraPose vp = vv == s->view ? pose : camera_pose_at(&cfg->camera, &vv->orbit, m.t, total);
        if (vv != s->view)
            view_camera_target(vv, cfg, m.step, vp.target);
        compose_view(c, sc, v, vp, &m, frame, rgb, &out);
    }
    for (int i = 0; i < L->npanels; i++) {
        panels_draw(s, c->panels, L->panel_kind[i], sc->text, &out, L->panel[i], &m);
        if (L->panel_kind[i] == PANEL_CONTOUR)
            draw_map_pins(c, sc, L->panel[i], &m, &out);
    }
    if (L->colorbar.w > 0)
        panels_draw_colorbar(s, sc->text, &out, L->colorbar);
    if (c->equation.traj)
        equation_draw(&c->equation, sc->text, &out, L->equation, m.step, s->theme.ink,
                      s->view->trails[cfg->layout.equation_run].color);
    overlay_draw_title(s, L, sc->text, &out);
    captions_draw_band(s, &c->captions, sc->text, &out, L->captions_top, CAPTION_TOP, frame,
                       m.step);
    captions_draw_band(s, &c->captions, sc->text, &out, L->captions_bottom, CAPTION_BOTTOM, frame,
                       m.step);
}
