/*
 * scene.c — the 3D loss landscape with descent trails, one frame at a time
 * (see scene.h for the drawing order and why).
 *
 * Coordinate spaces: `p` values are parameter values; `w` (world) is the box
 * x, y in [-1, 1], z in [-H, H]; `s` (screen) is pixels of the supersampled
 * frame; `o` is pixels of the output frame (s / ss).
 */
#include "frame/scene.h"

#include <float.h>
#include <pthread.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw/colormap.h"
#include "model/formula.h"
#include "frame/layout.h"
#include "frame/plots.h"
#include "view/timeline.h"

#define H            CAMERA_BOX_HALF_Z
#define BAND_PIXELS  60     /* output rows per band */
#define TRAIL_LIFT   0.02   /* world units a trail is moved toward the eye */
#define START_LIFT   0.10   /* ... and the start marker, on top of its trail */
#define BALL_LIFT    0.13   /* ... and the ball, on top of both (it starts on the start) */
#define PIECE_LEN    0.04   /* world length of a trail piece on long steps */
#define TRAIL_EXACT  20000  /* steps of a run drawn one by one */
#define TRAIL_PIECES 400000 /* pieces per trail and frame, at most */

/* A primitive of the per-frame display list, in supersampled screen space. */
typedef enum { PRIM_TRI, PRIM_LINE, PRIM_DOT, PRIM_RING } PrimKind;
typedef struct Prim {
    PrimKind kind;
    int flags;
    float width; /* line width, or radius of a dot/ring */
    float ring_width;
    float ymin, ymax; /* vertical extent, to skip bands it does not touch */
    RasterVertex v[3];
} Prim;

struct DrawList {
    Prim *prim;
    int n, cap;
};

/* ---------------------------------------------------------------- ranges */

double scene_nice_step(double span, int target) {
    double raw = span / target;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nice * mag;
}

void scene_default_range(const Config *cfg, const Trajectory *trajs, int param, double *lo,
                         double *hi) {
    double a = DBL_MAX, b = -DBL_MAX;
#define TAKE(v)                                                                                    \
    do {                                                                                           \
        double v_ = (v);                                                                           \
        if (isfinite(v_)) {                                                                        \
            a = fmin(a, v_);                                                                       \
            b = fmax(b, v_);                                                                       \
        }                                                                                          \
    } while (0)
    if (cfg->data.has_true && !cfg->data.from_file)
        TAKE(cfg->data.true_params[param]);
    for (int r = 0; r < cfg->nruns; r++)
        TAKE(cfg->runs[r].init[param]);
    double base_lo = a, base_hi = b, base_span = fmax(b - a, 1.0);
    for (int r = 0; r < cfg->nruns; r++) {
        const Trajectory *t = &trajs[r];
        for (int k = 0; k < t->nrows; k++) {
            double v = t->params[(size_t)k * t->nparams + param];
            /* A run flying off towards infinity must not stretch the box
             * until the landscape is a dot: keep near the starts. */
            if (!isfinite(v) || v < base_lo - 2 * base_span || v > base_hi + 2 * base_span)
                break;
            TAKE(v);
        }
    }
#undef TAKE
    if (a > b) {
        a = -1;
        b = 1;
    }
    double span = b - a;
    if (span < 1e-9 * fmax(1.0, fabs(a)))
        span = fmax(1.0, fabs(a) * 0.2);
    a -= 0.12 * span;
    b += 0.12 * span;
    double step = scene_nice_step(b - a, 10);
    *lo = floor(a / step) * step;
    *hi = ceil(b / step) * step;
}

static double zval(const Scene *s, double loss) {
    if (s->cfg->surface.zscale == ZSCALE_LOG)
        return log10(fmax(loss, 1e-300));
    return loss;
}

static void axis_ticks(Axis *ax, double lo, double hi, int logscale) {
    ax->lo = lo;
    ax->hi = hi;
    ax->nticks = 0;
    double step = scene_nice_step(hi - lo, 5);
    if (logscale && step < 1)
        step = 1;
    double first = ceil(lo / step - 1e-9) * step;
    for (double v = first; v <= hi + 1e-9 * step && ax->nticks < SCENE_MAX_TICKS; v += step) {
        double t = fabs(v) < 1e-12 * step ? 0.0 : v;
        ax->ticks[ax->nticks] = t;
        if (logscale)
            snprintf(ax->labels[ax->nticks], sizeof ax->labels[0], "1e%d", (int)lround(t));
        else
            snprintf(ax->labels[ax->nticks], sizeof ax->labels[0], "%.6g", t);
        ax->nticks++;
    }
}

/* ------------------------------------------------------------ world map */

static double map_x(const Scene *s, int i, double p) {
    return -1.0 + 2.0 * (p - s->lo[i]) / (s->hi[i] - s->lo[i]);
}

static double map_z(const Scene *s, double zv) {
    return -H + 2.0 * H * (zv - s->zlo) / (s->zhi - s->zlo);
}

/* Height of the drawn mesh at world (x, y) inside the box: the same two
 * triangles per cell that are rasterized, so a trail lies exactly on the
 * surface it is drawn over. */
static double mesh_z(const Scene *s, double x, double y) {
    int n = s->res;
    double u = (x + 1.0) * 0.5 * (n - 1), v = (y + 1.0) * 0.5 * (n - 1);
    int i = (int)floor(u), j = (int)floor(v);
    if (i < 0)
        i = 0;
    if (j < 0)
        j = 0;
    if (i > n - 2)
        i = n - 2;
    if (j > n - 2)
        j = n - 2;
    u -= i;
    v -= j;
    const double *z = s->grid_z;
    double z00 = z[j * n + i], z10 = z[j * n + i + 1], z01 = z[(j + 1) * n + i],
           z11 = z[(j + 1) * n + i + 1];
    if (u >= v)
        return z00 + u * (z10 - z00) + v * (z11 - z10);
    return z00 + v * (z01 - z00) + u * (z11 - z01);
}

static int in_box_xy(const double w[3]) {
    return w[0] >= -1.0 && w[0] <= 1.0 && w[1] >= -1.0 && w[1] <= 1.0;
}

void scene_world(const Scene *s, double p1, double p2, double loss, double w[3]) {
    w[0] = map_x(s, 0, p1);
    w[1] = map_x(s, 1, p2);
    double z = map_z(s, zval(s, loss));
    w[2] = fmax(-H, fmin(H, z));
}

/* ---------------------------------------------------------------- setup */

static void rgb_floats(Rgb c, float out[3]) {
    out[0] = c.r / 255.0f;
    out[1] = c.g / 255.0f;
    out[2] = c.b / 255.0f;
}

/* Marching squares over the grid for one level; appends floor segments. */
static int add_contours(Scene *s, double level, const float rgb[3], int *cap) {
    const int n = s->res;
    for (int j = 0; j + 1 < n; j++) {
        for (int i = 0; i + 1 < n; i++) {
            double v[4] = {zval(s, s->grid_loss[j * n + i]), zval(s, s->grid_loss[j * n + i + 1]),
                           zval(s, s->grid_loss[(j + 1) * n + i + 1]),
                           zval(s, s->grid_loss[(j + 1) * n + i])};
            double cx[4] = {(double)i, i + 1.0, i + 1.0, (double)i};
            double cy[4] = {(double)j, (double)j, j + 1.0, j + 1.0};
            double px[4], py[4];
            int k = 0;
            for (int e = 0; e < 4; e++) {
                double a = v[e] - level, b = v[(e + 1) % 4] - level;
                if ((a < 0) != (b < 0)) {
                    double t = a / (a - b);
                    px[k] = cx[e] + t * (cx[(e + 1) % 4] - cx[e]);
                    py[k] = cy[e] + t * (cy[(e + 1) % 4] - cy[e]);
                    k++;
                }
            }
            for (int q = 0; q + 1 < k; q += 2) {
                if (s->ncontour == *cap) {
                    *cap = *cap ? *cap * 2 : 1024;
                    double *w = realloc(s->contour_w, sizeof(double) * 6 * (size_t)*cap);
                    if (!w)
                        return -1;
                    s->contour_w = w;
                    float *c = realloc(s->contour_rgb, sizeof(float) * 3 * (size_t)*cap);
                    if (!c)
                        return -1;
                    s->contour_rgb = c;
                }
                double *w = s->contour_w + 6 * (size_t)s->ncontour;
                w[0] = -1.0 + 2.0 * px[q] / (n - 1);
                w[1] = -1.0 + 2.0 * py[q] / (n - 1);
                w[2] = -H;
                w[3] = -1.0 + 2.0 * px[q + 1] / (n - 1);
                w[4] = -1.0 + 2.0 * py[q + 1] / (n - 1);
                w[5] = -H;
                memcpy(s->contour_rgb + 3 * (size_t)s->ncontour, rgb, sizeof(float) * 3);
                s->ncontour++;
            }
        }
    }
    return 0;
}

typedef struct GridJob {
    Scene *s;
    int j0, j1; /* rows [j0, j1) of the loss grid */
} GridJob;

static void *grid_rows(void *arg) {
    GridJob *job = arg;
    Scene *s = job->s;
    const Config *cfg = s->cfg;
    const int n = s->res;
    double p[GD_MAX_PARAMS] = {0};
    for (int j = job->j0; j < job->j1; j++) {
        for (int i = 0; i < n; i++) {
            p[0] = s->lo[0] + (s->hi[0] - s->lo[0]) * i / (n - 1);
            p[1] = s->lo[1] + (s->hi[1] - s->lo[1]) * j / (n - 1);
            double l = formula_mse(cfg->model.formula, cfg->data_x, cfg->data_y, NULL, cfg->ndata,
                                   p, NULL);
            s->grid_loss[j * n + i] = isfinite(l) ? l : DBL_MAX;
        }
    }
    return NULL;
}

static int build_surface(Scene *s) {
    const Config *cfg = s->cfg;
    const int n = s->res;
    s->grid_loss = malloc(sizeof(double) * (size_t)n * n);
    s->grid_z = malloc(sizeof(double) * (size_t)n * n);
    s->grid_rgb = malloc(sizeof(float) * 3 * (size_t)n * n);
    if (!s->grid_loss || !s->grid_z || !s->grid_rgb)
        return -1;
    /* resolution^2 x data points evaluations: on every core, since a large
     * data set at a fine resolution takes seconds even so. */
    enum { MAX_GRID_THREADS = 16 };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = ncpu < 1 ? 1 : ncpu > MAX_GRID_THREADS ? MAX_GRID_THREADS : (int)ncpu;
    if (nt > n)
        nt = n;
    GridJob jobs[MAX_GRID_THREADS];
    pthread_t tid[MAX_GRID_THREADS];
    int started[MAX_GRID_THREADS] = {0};
    for (int t = 0; t < nt; t++) {
        jobs[t] = (GridJob){s, n * t / nt, n * (t + 1) / nt};
        if (t > 0)
            started[t] = pthread_create(&tid[t], NULL, grid_rows, &jobs[t]) == 0;
    }
    grid_rows(&jobs[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            grid_rows(&jobs[t]); /* no thread: do its rows here */
    }
    double zmin = DBL_MAX, zmax = -DBL_MAX;
    for (int k = 0; k < n * n; k++) {
        double l = s->grid_loss[k];
        if (l < DBL_MAX) {
            zmin = fmin(zmin, zval(s, l));
            zmax = fmax(zmax, zval(s, l));
        }
    }
    if (zmin > zmax) {
        zmin = 0;
        zmax = 1;
    }
    /* On a log scale a loss of exactly 0 (a perfect fit) would stretch the
     * axis down to 1e-300 and flatten everything else: show 12 decades. */
    if (cfg->surface.zscale == ZSCALE_LOG && zmin < zmax - 12)
        zmin = zmax - 12;
    if (zmax - zmin < 1e-12 * fmax(1.0, fabs(zmax))) {
        zmin -= 0.5;
        zmax += 0.5;
    }
    s->zlo = zmin;
    s->zhi = zmax;
    for (int k = 0; k < n * n; k++)
        s->grid_z[k] = fmax(-H, fmin(H, map_z(s, zval(s, s->grid_loss[k]))));

    /* Light from the upper left behind the default view, fixed in the world
     * so the shading does not flicker as the camera turns. */
    const double L[3] = {-0.45, 0.35, 0.82};
    const double ll = sqrt(L[0] * L[0] + L[1] * L[1] + L[2] * L[2]);
    const double cell = 2.0 / (n - 1);
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++) {
            int i0 = i > 0 ? i - 1 : i, i1 = i < n - 1 ? i + 1 : i;
            int j0 = j > 0 ? j - 1 : j, j1 = j < n - 1 ? j + 1 : j;
            double dzdx = (s->grid_z[j * n + i1] - s->grid_z[j * n + i0]) / ((i1 - i0) * cell);
            double dzdy = (s->grid_z[j1 * n + i] - s->grid_z[j0 * n + i]) / ((j1 - j0) * cell);
            double nx = -dzdx, ny = -dzdy, nz = 1.0;
            double nl = sqrt(nx * nx + ny * ny + nz * nz);
            double d = fabs(nx * L[0] + ny * L[1] + nz * L[2]) / (nl * ll);
            float shade = (float)(0.5 + 0.5 * d);
            double t = (zval(s, s->grid_loss[j * n + i]) - s->zlo) / (s->zhi - s->zlo);
            float c[3];
            colormap_eval(cfg->surface.colormap, t, c);
            for (int q = 0; q < 3; q++)
                s->grid_rgb[3 * (j * n + i) + q] = c[q] * shade;
        }
    }

    int cap = 0;
    for (int m = 0; m < cfg->surface.contours; m++) {
        double t = (m + 0.5) / cfg->surface.contours;
        double level = s->zlo + t * (s->zhi - s->zlo);
        float c[3];
        colormap_eval(cfg->surface.colormap, t, c);
        for (int q = 0; q < 3; q++)
            c[q] *= 0.85f;
        if (add_contours(s, level, c, &cap) != 0)
            return -1;
    }
    return 0;
}

static int build_trails(Scene *s, const Trajectory *trajs) {
    const Config *cfg = s->cfg;
    s->ntrails = cfg->nruns;
    s->trails = calloc((size_t)cfg->nruns, sizeof *s->trails);
    if (!s->trails)
        return -1;
    for (int r = 0; r < cfg->nruns; r++) {
        SceneTrail *tr = &s->trails[r];
        const Trajectory *t = &trajs[r];
        tr->traj = t;
        rgb_floats(t->run->color, tr->color);
        tr->point = malloc(sizeof(TrailPoint) * (size_t)t->nrows);
        if (!tr->point)
            return -1;
        int n = 0;
        for (int k = 0; k < t->nrows; k++) {
            const double *p = t->params + (size_t)k * t->nparams;
            if (!isfinite(p[0]) || !isfinite(p[1]) || !isfinite(t->loss[k]) ||
                fabs(p[0]) > SIM_DIVERGE_LIMIT || fabs(p[1]) > SIM_DIVERGE_LIMIT)
                break;
            double *w = tr->point[n].w;
            w[0] = map_x(s, 0, p[0]);
            w[1] = map_x(s, 1, p[1]);
            w[2] = in_box_xy(w) ? mesh_z(s, w[0], w[1]) : map_z(s, zval(s, t->loss[k]));
            n++;
        }
        tr->npoints = n;
        tr->last_drawn = n - 1;
        if (t->nrows - 1 > s->max_steps)
            s->max_steps = t->nrows - 1;
    }
    return 0;
}

int scene_init(Scene *s, const Config *cfg, const Trajectory *trajs, int width, int height,
               Quality quality, GdError *err) {
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->width = width;
    s->height = height;
    s->ss = quality == QUALITY_HIGH ? 2 : 1;
    s->aa = quality != QUALITY_DRAFT;
    s->scale = height / 720.0;
    s->nframes = config_frame_count(cfg);
    s->res = cfg->surface.resolution;
    for (int i = 0; i < 2; i++) {
        if (cfg->surface.has_range[i]) {
            s->lo[i] = cfg->surface.range[i][0];
            s->hi[i] = cfg->surface.range[i][1];
        } else {
            scene_default_range(cfg, trajs, i, &s->lo[i], &s->hi[i]);
        }
    }
    if (build_surface(s) != 0 || build_trails(s, trajs) != 0) {
        scene_free(s);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
    }
    axis_ticks(&s->axis[0], s->lo[0], s->hi[0], 0);
    axis_ticks(&s->axis[1], s->lo[1], s->hi[1], 0);
    axis_ticks(&s->axis[2], s->zlo, s->zhi, cfg->surface.zscale == ZSCALE_LOG);
    s->layout = malloc(sizeof *s->layout);
    if (!s->layout) {
        scene_free(s);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
    }
    layout_compute(cfg, width, height, s->layout);
    int rc = plots_prepare(s, s->layout, &s->plots, err);
    if (rc != 0) {
        scene_free(s);
        return rc;
    }
    return 0;
}

void scene_free(Scene *s) {
    free(s->grid_loss);
    free(s->grid_z);
    free(s->grid_rgb);
    free(s->contour_w);
    free(s->contour_rgb);
    if (s->trails)
        for (int r = 0; r < s->ntrails; r++)
            free(s->trails[r].point);
    free(s->trails);
    free(s->layout);
    plots_free(s->plots);
    memset(s, 0, sizeof *s);
}

int scene_scratch_init(SceneScratch *sc, const Scene *s, GdError *err) {
    memset(sc, 0, sizeof *sc);
    const char *font = s->cfg->video.font[0] ? s->cfg->video.font : text_default_font();
    sc->text = text_create(font, err);
    if (!sc->text)
        return err->code;
    sc->band_rows = BAND_PIXELS * s->ss;
    int w = s->width * s->ss;
    size_t nv = (size_t)s->res * s->res;
    /* Two rows more than a band: its neighbours' edge rows (see render_view). */
    if (raster_target_init(&sc->band, w, sc->band_rows + 2, 1) != 0 ||
        raster_target_init(&sc->layer, w, sc->band_rows + 2, 1) != 0 ||
        !(sc->vx = malloc(sizeof(float) * nv)) || !(sc->vy = malloc(sizeof(float) * nv)) ||
        !(sc->vz = malloc(sizeof(float) * nv)) ||
        !(sc->edge_mask = malloc((size_t)w * (sc->band_rows + 2))) ||
        !(sc->resolved = malloc((size_t)s->width * BAND_PIXELS * 3)) ||
        !(sc->lists = calloc(2, sizeof *sc->lists))) {
        scene_scratch_free(sc);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory for render buffers");
    }
    return 0;
}

void scene_scratch_free(SceneScratch *sc) {
    raster_target_free(&sc->band);
    raster_target_free(&sc->layer);
    if (sc->lists)
        for (int i = 0; i < 2; i++)
            free(sc->lists[i].prim);
    free(sc->lists);
    free(sc->vx);
    free(sc->vy);
    free(sc->vz);
    free(sc->edge_mask);
    free(sc->resolved);
    text_destroy(sc->text);
    memset(sc, 0, sizeof *sc);
}

/* ------------------------------------------------------------ per frame */

/* Appends a primitive; on allocation failure the primitive is dropped (a
 * frame missing a line beats a crash, and it cannot happen after the first
 * frame has sized the list). */
static Prim *push(struct DrawList *l) {
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4096;
        Prim *p = realloc(l->prim, sizeof(Prim) * (size_t)cap);
        if (!p)
            return NULL;
        l->prim = p;
        l->cap = cap;
    }
    return &l->prim[l->n++];
}

static RasterVertex vtx(float x, float y, float z, const float c[3], float a) {
    RasterVertex v = {x, y, z, c[0], c[1], c[2], a};
    return v;
}

static void add_line(struct DrawList *l, RasterVertex a, RasterVertex b, float width, int flags) {
    Prim *p = push(l);
    if (!p)
        return;
    p->kind = PRIM_LINE;
    p->flags = flags;
    p->width = width;
    p->v[0] = a;
    p->v[1] = b;
    p->ymin = fminf(a.y, b.y) - width - 2;
    p->ymax = fmaxf(a.y, b.y) + width + 2;
}

static void add_dot(struct DrawList *l, PrimKind kind, RasterVertex c, float radius, float ring_w,
                    int flags) {
    Prim *p = push(l);
    if (!p)
        return;
    p->kind = kind;
    p->flags = flags;
    p->width = radius;
    p->ring_width = ring_w;
    p->v[0] = c;
    p->ymin = c.y - radius - ring_w - 2;
    p->ymax = c.y + radius + ring_w + 2;
}

static void add_tri(struct DrawList *l, RasterVertex a, RasterVertex b, RasterVertex c, int flags) {
    Prim *p = push(l);
    if (!p)
        return;
    p->kind = PRIM_TRI;
    p->flags = flags;
    p->v[0] = a;
    p->v[1] = b;
    p->v[2] = c;
    p->ymin = fminf(a.y, fminf(b.y, c.y)) - 1;
    p->ymax = fmaxf(a.y, fmaxf(b.y, c.y)) + 1;
}

/* Projects a world point moved `lift` towards the eye (so lines lying on the
 * surface are not lost in it), in supersampled pixels. */
static int project_lifted(const Camera *cam, const double w[3], double lift, RasterVertex *v) {
    double d[3] = {cam->eye[0] - w[0], cam->eye[1] - w[1], cam->eye[2] - w[2]};
    double len = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    double q[3] = {w[0] + lift * d[0] / len, w[1] + lift * d[1] / len, w[2] + lift * d[2] / len};
    return camera_project(cam, q, &v->x, &v->y, &v->z);
}

/* Liang-Barsky clip of the segment a->b to the box; returns 0 if nothing
 * is left, else the clipped parameters t0 <= t1. */
static int clip_box(const double a[3], const double b[3], double *t0, double *t1) {
    const double lo[3] = {-1, -1, -H}, hi[3] = {1, 1, H};
    *t0 = 0;
    *t1 = 1;
    for (int i = 0; i < 3; i++) {
        double d = b[i] - a[i];
        if (fabs(d) < 1e-15) {
            if (a[i] < lo[i] - 1e-9 || a[i] > hi[i] + 1e-9)
                return 0;
            continue;
        }
        double ta = (lo[i] - a[i]) / d, tb = (hi[i] - a[i]) / d;
        if (ta > tb) {
            double t = ta;
            ta = tb;
            tb = t;
        }
        if (ta > *t0)
            *t0 = ta;
        if (tb < *t1)
            *t1 = tb;
        if (*t0 > *t1)
            return 0;
    }
    return 1;
}

/* The point at parameter u along a step's path from a to b: straight in
 * x and y, and never below the surface, so a step across a ridge hops over
 * it instead of tunnelling through. */
static void path_point(const Scene *s, const double a[3], const double b[3], double u,
                       double out[3]) {
    for (int i = 0; i < 3; i++)
        out[i] = a[i] + u * (b[i] - a[i]);
    if (in_box_xy(out)) {
        double m = mesh_z(s, out[0], out[1]);
        if (out[2] < m)
            out[2] = m;
    }
}

typedef struct TrailState {
    int has_end;
    float end_x, end_y; /* screen position where the drawn trail ends */
    double ball[3];
    int ball_in_box;
    int row; /* the trajectory row the ball has reached */
} TrailState;

/* Emits the trail of one run up to fractional step `step`. */
static void emit_trail(const Scene *s, const Camera *cam, const SceneTrail *tr, double step,
                       struct DrawList *l, TrailState *ts) {
    const float width = (float)(4.0 * s->scale * s->ss);
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->aa ? 0 : RASTER_NO_AA);
    memset(ts, 0, sizeof *ts);
    if (tr->npoints == 0)
        return;
    double last = fmin(step, (double)(tr->npoints - 1));
    int kmax = (int)floor(last);
    ts->row = kmax;
    memcpy(ts->ball, tr->point[0].w, sizeof ts->ball);
    /* Pieces shorter than a pixel or so are merged into one line, so a run
     * of a million tiny steps costs lines in proportion to its length on
     * screen, not to its step count. */
    const float merge = 1.5f * (float)s->ss;
    int open = 0; /* a polyline is under way from `from` to `to` */
    RasterVertex from = vtx(0, 0, 0, tr->color, 1), to = from;
    /* A very long run (hundreds of thousands of steps) keeps its first
     * TRAIL_EXACT steps and is drawn through every stride-th point after
     * them, so one frame's work and memory stay bounded; the pieces that
     * drape a step over the surface are rationed the same way. */
    const int exact = TRAIL_EXACT;
    int stride = kmax > 2 * exact ? (kmax - exact + exact - 1) / exact : 1;
    int nseg = kmax < 2 * exact ? kmax + 1 : exact + (kmax - exact) / stride + 1;
    int max_pieces = TRAIL_PIECES / (nseg > 0 ? nseg : 1);
    max_pieces = max_pieces < 1 ? 1 : max_pieces > 64 ? 64 : max_pieces;
    for (int k = 0; k <= kmax && k + 1 < tr->npoints;) {
        int next = k + (k >= exact && stride > 1 ? stride : 1);
        if (next > kmax)
            next = kmax + 1 < tr->npoints ? kmax + 1 : kmax;
        if (next <= k)
            break;
        double frac = next <= kmax ? 1.0 : last - kmax;
        if (frac <= 0)
            break;
        const double *a = tr->point[k].w, *b = tr->point[next].w;
        k = next;
        double len = sqrt((b[0] - a[0]) * (b[0] - a[0]) + (b[1] - a[1]) * (b[1] - a[1]) +
                          (b[2] - a[2]) * (b[2] - a[2]));
        int m = (int)ceil(len * frac / PIECE_LEN);
        if (m < 1)
            m = 1;
        if (m > max_pieces)
            m = max_pieces;
        double prev[3];
        path_point(s, a, b, 0.0, prev);
        for (int q = 1; q <= m; q++) {
            double cur[3];
            path_point(s, a, b, frac * q / m, cur);
            double t0, t1;
            if (clip_box(prev, cur, &t0, &t1)) {
                double p0[3], p1[3];
                for (int i = 0; i < 3; i++) {
                    p0[i] = prev[i] + t0 * (cur[i] - prev[i]);
                    p1[i] = prev[i] + t1 * (cur[i] - prev[i]);
                }
                RasterVertex va = vtx(0, 0, 0, tr->color, 1), vb = va;
                if (project_lifted(cam, p0, TRAIL_LIFT, &va) &&
                    project_lifted(cam, p1, TRAIL_LIFT, &vb)) {
                    /* A gap (the path left the box and came back) ends the
                     * polyline under way. */
                    if (!open || fabsf(va.x - to.x) + fabsf(va.y - to.y) > 0.01f) {
                        if (open && (to.x != from.x || to.y != from.y))
                            add_line(l, from, to, width, flags);
                        from = va;
                        open = 1;
                    }
                    to = vb;
                    if (fabsf(to.x - from.x) + fabsf(to.y - from.y) >= merge) {
                        add_line(l, from, to, width, flags);
                        from = to;
                    }
                    ts->has_end = 1;
                    ts->end_x = vb.x;
                    ts->end_y = vb.y;
                }
            }
            memcpy(prev, cur, sizeof prev);
        }
        memcpy(ts->ball, prev, sizeof ts->ball);
    }
    if (open && (to.x != from.x || to.y != from.y))
        add_line(l, from, to, width, flags);
    const double *w = ts->ball;
    ts->ball_in_box = in_box_xy(w) && w[2] >= -H - 1e-9 && w[2] <= H + 1e-9;
}

/* The direction the next step takes, drawn at the ball as an arrow along
 * the surface: the parameter change from this row to the next (for plain
 * gradient descent, minus the gradient), a fixed length in the box. */
static void emit_arrow(const Scene *s, const Camera *cam, const SceneTrail *tr,
                       const TrailState *ts, struct DrawList *l) {
    const Trajectory *t = tr->traj;
    int k = ts->row;
    double d[2];
    if (k + 1 < tr->npoints) {
        d[0] = tr->point[k + 1].w[0] - tr->point[k].w[0];
        d[1] = tr->point[k + 1].w[1] - tr->point[k].w[1];
    } else {
        const double *g = t->grad + (size_t)k * t->nparams;
        d[0] = -g[0] * 2.0 / (s->hi[0] - s->lo[0]);
        d[1] = -g[1] * 2.0 / (s->hi[1] - s->lo[1]);
    }
    double len = sqrt(d[0] * d[0] + d[1] * d[1]);
    if (!(len > 1e-12) || !isfinite(len))
        return;
    const double L = 0.28;
    double ux = d[0] / len, uy = d[1] / len;
    double tip[3] = {ts->ball[0] + L * ux, ts->ball[1] + L * uy, 0};
    double left[3] = {tip[0] - 0.08 * ux - 0.05 * uy, tip[1] - 0.08 * uy + 0.05 * ux, 0};
    double right[3] = {tip[0] - 0.08 * ux + 0.05 * uy, tip[1] - 0.08 * uy - 0.05 * ux, 0};
    double *pts[3] = {tip, left, right};
    for (int i = 0; i < 3; i++) {
        double *p = pts[i];
        p[0] = fmax(-1, fmin(1, p[0]));
        p[1] = fmax(-1, fmin(1, p[1]));
        p[2] = mesh_z(s, p[0], p[1]);
    }
    static const float ink[3] = {0.05f, 0.05f, 0.05f};
    const float w = (float)(2.6 * s->scale * s->ss);
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->aa ? 0 : RASTER_NO_AA);
    RasterVertex a = vtx(0, 0, 0, ink, 1), b = a, c = a, e = a;
    if (project_lifted(cam, ts->ball, BALL_LIFT, &a) && project_lifted(cam, tip, BALL_LIFT, &b) &&
        project_lifted(cam, left, BALL_LIFT, &c) && project_lifted(cam, right, BALL_LIFT, &e)) {
        add_line(l, a, b, w, flags);
        add_line(l, b, c, w, flags);
        add_line(l, b, e, w, flags);
    }
}

static void emit_markers(const Scene *s, const Camera *cam, const SceneTrail *tr,
                         const TrailState *ts, struct DrawList *l) {
    /* Markers write depth too, or the surface would be blended over them. */
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->aa ? 0 : RASTER_NO_AA);
    const float u = (float)(s->scale * s->ss);
    static const float white[3] = {1, 1, 1}, dark[3] = {0.1f, 0.1f, 0.1f};
    if (tr->npoints == 0)
        return;
    const double *w0 = tr->point[0].w;
    RasterVertex v;
    if (in_box_xy(w0) && project_lifted(cam, w0, START_LIFT, &v)) {
        /* The start: a ring in the run's colour around a white dot. */
        add_dot(l, PRIM_DOT, vtx(v.x, v.y, v.z, white, 1), 8.0f * u, 0, flags);
        add_dot(l, PRIM_RING, vtx(v.x, v.y, v.z, tr->color, 1), 8.0f * u, 3.0f * u, flags);
    }
    if (s->cfg->surface.arrows && ts->ball_in_box)
        emit_arrow(s, cam, tr, ts, l);
    if (ts->ball_in_box && project_lifted(cam, ts->ball, BALL_LIFT, &v)) {
        add_dot(l, PRIM_DOT, vtx(v.x, v.y, v.z, tr->color, 1), 7.0f * u, 0, flags);
        add_dot(l, PRIM_RING, vtx(v.x, v.y, v.z, dark, 0.8f), 7.0f * u, 1.5f * u, flags);
    }
}

static void emit_panes(const Scene *s, const Camera *cam, struct DrawList *l) {
    const float pane[3] = {0.925f, 0.925f, 0.94f}, grid[3] = {0.80f, 0.80f, 0.82f};
    const float gw = (float)(1.1 * s->scale * s->ss);
    const int lf = s->aa ? 0 : RASTER_NO_AA;
    /* The walls farthest from the eye, like matplotlib's 3D axes. */
    double xf = cam->eye[0] > 0 ? -1 : 1, yf = cam->eye[1] > 0 ? -1 : 1;
    double zf = cam->eye[2] > 0 ? -H : H;
    double quads[3][4][3] = {
        {{-1, -1, zf}, {1, -1, zf}, {1, 1, zf}, {-1, 1, zf}},
        {{xf, -1, -H}, {xf, 1, -H}, {xf, 1, H}, {xf, -1, H}},
        {{-1, yf, -H}, {1, yf, -H}, {1, yf, H}, {-1, yf, H}},
    };
    for (int q = 0; q < 3; q++) {
        RasterVertex v[4];
        int ok = 1;
        for (int i = 0; i < 4; i++) {
            v[i] = vtx(0, 0, 0, pane, 1);
            ok &= camera_project(cam, quads[q][i], &v[i].x, &v[i].y, &v[i].z);
        }
        if (!ok)
            continue;
        add_tri(l, v[0], v[1], v[2], 0);
        add_tri(l, v[0], v[2], v[3], 0);
    }
    /* Grid lines at the ticks: on the floor for both parameters, on the
     * walls for the parameter along them and for the loss. */
    for (int ax = 0; ax < 3; ax++) {
        const Axis *A = &s->axis[ax];
        for (int k = 0; k < A->nticks; k++) {
            double t = -1.0 + 2.0 * (A->ticks[k] - A->lo) / (A->hi - A->lo);
            double segs[2][2][3];
            int nseg = 0;
            if (ax == 0) {
                double a[2][3] = {{t, -1, zf}, {t, 1, zf}}, b[2][3] = {{t, yf, -H}, {t, yf, H}};
                memcpy(segs[nseg++], a, sizeof a);
                memcpy(segs[nseg++], b, sizeof b);
            } else if (ax == 1) {
                double a[2][3] = {{-1, t, zf}, {1, t, zf}}, b[2][3] = {{xf, t, -H}, {xf, t, H}};
                memcpy(segs[nseg++], a, sizeof a);
                memcpy(segs[nseg++], b, sizeof b);
            } else {
                double z = t * H;
                double a[2][3] = {{xf, -1, z}, {xf, 1, z}}, b[2][3] = {{-1, yf, z}, {1, yf, z}};
                memcpy(segs[nseg++], a, sizeof a);
                memcpy(segs[nseg++], b, sizeof b);
            }
            for (int i = 0; i < nseg; i++) {
                RasterVertex va = vtx(0, 0, 0, grid, 1), vb = va;
                if (camera_project(cam, segs[i][0], &va.x, &va.y, &va.z) &&
                    camera_project(cam, segs[i][1], &vb.x, &vb.y, &vb.z))
                    add_line(l, va, vb, gw, lf);
            }
        }
    }
    const float cw = (float)(1.3 * s->scale * s->ss);
    for (int i = 0; i < s->ncontour; i++) {
        const double *w = s->contour_w + 6 * (size_t)i;
        double a[3] = {w[0], w[1], zf}, b[3] = {w[3], w[4], zf};
        RasterVertex va = vtx(0, 0, 0, s->contour_rgb + 3 * (size_t)i, 1), vb = va;
        if (camera_project(cam, a, &va.x, &va.y, &va.z) &&
            camera_project(cam, b, &vb.x, &vb.y, &vb.z))
            add_line(l, va, vb, cw, lf);
    }
}

static void emit_wireframe(const Scene *s, const Camera *cam, struct DrawList *l) {
    const int n = s->res;
    const int stride = (n - 1 + 19) / 20;
    const float dark[3] = {0.12f, 0.12f, 0.16f};
    const float ww = (float)(0.9 * s->scale * s->ss);
    const int flags = RASTER_DEPTH_TEST | (s->aa ? 0 : RASTER_NO_AA);
    for (int dir = 0; dir < 2; dir++) {
        for (int line = 0; line < n; line += stride) {
            RasterVertex prev = vtx(0, 0, 0, dark, 0.35f);
            for (int k = 0; k < n; k++) {
                int i = dir == 0 ? k : line, j = dir == 0 ? line : k;
                double w[3] = {-1.0 + 2.0 * i / (n - 1), -1.0 + 2.0 * j / (n - 1),
                               s->grid_z[j * n + i]};
                RasterVertex v = prev;
                if (!project_lifted(cam, w, 0.006, &v))
                    continue;
                if (k > 0)
                    add_line(l, prev, v, ww, flags);
                prev = v;
            }
        }
    }
}

static void draw_prim(RasterTarget *t, const Prim *p, float y0) {
    RasterVertex v[3];
    switch (p->kind) {
    case PRIM_TRI:
        for (int i = 0; i < 3; i++) {
            v[i] = p->v[i];
            v[i].y -= y0;
        }
        raster_triangle(t, v, p->flags);
        break;
    case PRIM_LINE:
        v[0] = p->v[0];
        v[1] = p->v[1];
        v[0].y -= y0;
        v[1].y -= y0;
        raster_line(t, v[0], v[1], p->width, p->flags);
        break;
    case PRIM_DOT:
        v[0] = p->v[0];
        v[0].y -= y0;
        raster_point(t, v[0], p->width, p->flags);
        break;
    case PRIM_RING:
        v[0] = p->v[0];
        v[0].y -= y0;
        raster_ring(t, v[0], p->width, p->ring_width, p->flags);
        break;
    }
}

static void draw_list(RasterTarget *t, const struct DrawList *l, float y0, float y1) {
    for (int i = 0; i < l->n; i++) {
        const Prim *p = &l->prim[i];
        if (p->ymax >= y0 && p->ymin < y1)
            draw_prim(t, p, y0);
    }
}

/* Medium quality's anti-aliasing of the surface's silhouettes, without
 * supersampling: a pixel where the surface layer starts, ends or folds
 * behind itself (its depth jumps between neighbours) is replaced by a
 * weighted mean of itself (1/2) and its four neighbours (1/8 each), which
 * softens the staircase to a ramp. Lines, points and text are already
 * anti-aliased analytically. Copies band -> dst (ss == 1) as it goes. */
static void smooth_edges_copy(const RasterTarget *band, const RasterTarget *layer, uint8_t *mask,
                              int first, int count, uint8_t *dst, size_t dst_pitch) {
    const int w = band->w, h = band->h;
    const float *ld = layer->depth;
    /* Depth is -1/distance, so near the box (distance about 6) a depth step
     * of 0.0015 is a jump of about 0.05 in distance: a fold, not a slope. */
    const float jump = 0.0015f;
    /* Empty pixels hold +inf: inf - finite = inf counts as an edge, and
     * inf - inf = NaN compares false, so one test covers every case and the
     * loop has no branches (it vectorises). */
    for (int y = first; y < first + count; y++) {
        const float *d = ld + (size_t)y * w;
        const float *up = y > 0 ? d - w : d, *dn = y + 1 < h ? d + w : d;
        uint8_t *m = mask + (size_t)y * w;
        for (int x = 1; x + 1 < w; x++) {
            float c = d[x];
            m[x] = (uint8_t)((fabsf(c - d[x - 1]) > jump) | (fabsf(c - d[x + 1]) > jump) |
                             (fabsf(c - up[x]) > jump) | (fabsf(c - dn[x]) > jump));
        }
        m[0] = m[w - 1] = 0;
    }
    for (int y = first; y < first + count; y++) {
        const uint8_t *row = band->rgb + (size_t)y * w * 3;
        uint8_t *out = dst + (size_t)(y - first) * dst_pitch;
        const uint8_t *m = mask + (size_t)y * w;
        memcpy(out, row, (size_t)w * 3);
        for (int x = 0; x < w; x++) {
            /* Edges are rare: skip eight clear mask bytes at a time. */
            if (x + 8 <= w) {
                uint64_t eight;
                memcpy(&eight, m + x, 8);
                if (eight == 0) {
                    x += 7;
                    continue;
                }
            }
            if (!m[x])
                continue;
            const uint8_t *p = row + 3 * x;
            const uint8_t *l = x > 0 ? p - 3 : p, *r = x + 1 < w ? p + 3 : p;
            const uint8_t *u = y > 0 ? p - 3 * w : p, *dd = y + 1 < h ? p + 3 * w : p;
            for (int q = 0; q < 3; q++)
                out[3 * x + q] = (uint8_t)((4 * p[q] + l[q] + r[q] + u[q] + dd[q] + 4) >> 3);
        }
    }
}

/* Surface triangles of the projected grid that touch rows [y0, y1). */
static void draw_surface(const Scene *s, SceneScratch *sc, float y0, float y1) {
    const int n = s->res;
    const float *vx = sc->vx, *vy = sc->vy, *vz = sc->vz, *c = s->grid_rgb;
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE;
    for (int j = 0; j + 1 < n; j++) {
        for (int i = 0; i + 1 < n; i++) {
            int k[4] = {j * n + i, j * n + i + 1, (j + 1) * n + i + 1, (j + 1) * n + i};
            float ymin = vy[k[0]], ymax = ymin;
            for (int q = 1; q < 4; q++) {
                float y = vy[k[q]];
                ymin = y < ymin ? y : ymin;
                ymax = y > ymax ? y : ymax;
            }
            if (ymax < y0 || ymin >= y1)
                continue;
            RasterVertex v[4];
            for (int q = 0; q < 4; q++) {
                const float *cc = c + 3 * k[q];
                v[q] = (RasterVertex){vx[k[q]], vy[k[q]] - y0, vz[k[q]], cc[0], cc[1], cc[2], 1};
            }
            /* The same split as mesh_z: (00, 10, 11) and (00, 11, 01). */
            RasterVertex t1[3] = {v[0], v[1], v[2]}, t2[3] = {v[0], v[2], v[3]};
            raster_triangle(&sc->layer, t1, flags);
            raster_triangle(&sc->layer, t2, flags);
        }
    }
}

/* ------------------------------------------------------------- overlay */

static void draw_text(SceneScratch *sc, RasterTarget *out, const char *str, double size, double x,
                      double y, int align, const float c[3]) {
    text_draw(sc->text, out, str, (float)size, (float)x, (float)y, align, c[0], c[1], c[2], 1.0f);
}

static void draw_axes_labels(const Scene *s, SceneScratch *sc, const Camera *co,
                             RasterTarget *out) {
    const float ink[3] = {0.15f, 0.15f, 0.18f};
    const double u = s->scale;
    const double tick_px = 14 * u, name_px = 19 * u;
    double xf = co->eye[0] > 0 ? -1 : 1, yf = co->eye[1] > 0 ? -1 : 1;
    double zf = co->eye[2] > 0 ? -H : H;
    float x, y, z;
    for (int ax = 0; ax < 2; ax++) {
        const Axis *A = &s->axis[ax];
        for (int k = 0; k < A->nticks; k++) {
            double t = -1.0 + 2.0 * (A->ticks[k] - A->lo) / (A->hi - A->lo);
            double w[3] = {ax == 0 ? t : -xf * 1.14, ax == 0 ? -yf * 1.14 : t, zf};
            if (camera_project(co, w, &x, &y, &z))
                draw_text(sc, out, A->labels[k], tick_px, x, y + 0.35 * tick_px, TEXT_CENTER, ink);
        }
        double w[3] = {ax == 0 ? 0 : -xf * 1.36, ax == 0 ? -yf * 1.36 : 0, zf};
        if (camera_project(co, w, &x, &y, &z))
            draw_text(sc, out, s->cfg->model.params[ax], name_px, x, y + 0.35 * name_px,
                      TEXT_CENTER, ink);
    }
    /* The loss axis stands on the leftmost back-or-side corner. */
    double best_x = 1e30, cx = xf, cy = yf;
    for (int i = 0; i < 4; i++) {
        double c[3] = {i & 1 ? 1 : -1, i & 2 ? 1 : -1, -H};
        if (c[0] == -xf && c[1] == -yf)
            continue; /* the corner nearest the eye hides nothing behind it */
        if (camera_project(co, c, &x, &y, &z) && x < best_x) {
            best_x = x;
            cx = c[0];
            cy = c[1];
        }
    }
    const Axis *A = &s->axis[2];
    for (int k = 0; k < A->nticks; k++) {
        double t = -1.0 + 2.0 * (A->ticks[k] - A->lo) / (A->hi - A->lo);
        double w[3] = {cx, cy, t * H};
        if (camera_project(co, w, &x, &y, &z))
            draw_text(sc, out, A->labels[k], tick_px, x - 10 * u, y + 0.35 * tick_px, TEXT_RIGHT,
                      ink);
    }
    double top[3] = {cx, cy, H};
    if (camera_project(co, top, &x, &y, &z))
        draw_text(sc, out, s->cfg->surface.zscale == ZSCALE_LOG ? "loss (log)" : "loss", name_px, x,
                  y - 14 * u, TEXT_CENTER, ink);
}

static void format_loss(char *buf, size_t n, double loss) {
    if (isfinite(loss) && fabs(loss) >= 1e-3 && fabs(loss) < 1e5)
        snprintf(buf, n, "%.5f", loss);
    else
        snprintf(buf, n, "%.3e", loss);
}

/* The live readout: one line per shown run (colour dot, label, step, loss,
 * parameters), at the top left of a view. Returns the height used. */
static double draw_readouts(const Scene *s, SceneScratch *sc, RasterTarget *out, double x0,
                            double top, double maxw, const int *runs, int nruns, double step,
                            int compact) {
    const double u = s->scale;
    double size = (compact ? 12.5 : 15.5) * u, lh = (compact ? 17 : 23) * u;
    const float ink[3] = {0.12f, 0.12f, 0.15f};
    const Config *cfg = s->cfg;
    float w, asc, desc;
    double col[5], right = 0;
    /* Lay the columns out; a line too wide for the view drops the
     * parameter columns, then shrinks. */
    for (int attempt = 0; attempt < 3; attempt++) {
        double label_w = 0;
        for (int i = 0; i < nruns; i++) {
            text_measure(sc->text, s->trails[runs[i]].traj->run->label, (float)size, &w, &asc,
                         &desc);
            label_w = fmax(label_w, w);
        }
        double gap = 0.55 * size;
        col[0] = x0 + 16 * u + 0.9 * size;
        text_measure(sc->text, "step 000000", (float)size, &w, &asc, &desc);
        col[1] = col[0] + label_w + gap;
        col[2] = col[1] + w + gap;
        text_measure(sc->text, "loss 0.000e+00", (float)size, &w, &asc, &desc);
        col[3] = col[2] + w + gap;
        double lossw = w;
        text_measure(sc->text, "a = -000.000", (float)size, &w, &asc, &desc);
        col[4] = col[3] + w + gap;
        right = compact ? col[2] + lossw : col[4] + w;
        if (right - x0 <= maxw)
            break;
        if (!compact) {
            compact = 1;
            continue;
        }
        double k = maxw / (right - x0);
        size *= k;
        lh *= k;
    }
    double height = lh * nruns + 0.6 * lh;
    raster_fill_rect(out, (float)(x0 + 8 * u), (float)(top + 4 * u), (float)(right + 8 * u),
                     (float)(top + 4 * u + height), 1, 1, 1, 0.8f);
    for (int i = 0; i < nruns; i++) {
        const SceneTrail *tr = &s->trails[runs[i]];
        const Trajectory *t = tr->traj;
        double y = top + 4 * u + lh * (i + 1);
        int k = (int)floor(fmin(step, (double)(t->nrows - 1)));
        RasterVertex dot =
            vtx((float)(x0 + 16 * u + 0.3 * size), (float)(y - 0.33 * size), 0, tr->color, 1);
        raster_point(out, dot, (float)(0.36 * size), 0);
        draw_text(sc, out, t->run->label, size, col[0], y, TEXT_LEFT, tr->color);
        char buf[96];
        if (t->status == RUN_DIVERGED && k >= t->diverged_step) {
            snprintf(buf, sizeof buf, "diverged at step %d", t->diverged_step);
            draw_text(sc, out, buf, size, col[1], y, TEXT_LEFT, tr->color);
            continue;
        }
        snprintf(buf, sizeof buf, "step %d", k);
        draw_text(sc, out, buf, size, col[1], y, TEXT_LEFT, ink);
        char lb[48];
        format_loss(lb, sizeof lb, t->loss[k]);
        snprintf(buf, sizeof buf, "loss %s", lb);
        draw_text(sc, out, buf, size, col[2], y, TEXT_LEFT, ink);
        if (compact)
            continue;
        for (int p = 0; p < 2; p++) {
            snprintf(buf, sizeof buf, "%s = %.3f", cfg->model.params[p],
                     t->params[(size_t)k * t->nparams + p]);
            draw_text(sc, out, buf, size, col[3 + p], y, TEXT_LEFT, ink);
        }
    }
    return height + 8 * u;
}

/* "diverged at step k" where a run left, once the clock has got there. */
static void draw_divergence_labels(const Scene *s, SceneScratch *sc, RasterTarget *out,
                                   const Rect *view, const int *runs, int nruns,
                                   const TrailState *ts, double step) {
    const double u = s->scale;
    float w, asc, desc;
    for (int i = 0; i < nruns; i++) {
        int r = runs[i];
        const Trajectory *t = s->trails[r].traj;
        if (t->status != RUN_DIVERGED || step < t->diverged_step)
            continue;
        char buf[64];
        snprintf(buf, sizeof buf, "diverged at step %d", t->diverged_step);
        text_measure(sc->text, buf, (float)(17 * u), &w, &asc, &desc);
        double x = ts[i].has_end ? view->x + ts[i].end_x / s->ss + 12 * u : view->x + view->w / 2;
        double y = ts[i].has_end ? view->y + ts[i].end_y / s->ss : view->y + view->h / 2;
        x = fmin(fmax(x, view->x + 8 * u), view->x + view->w - w - 8 * u);
        y = fmin(fmax(y, view->y + asc + 4 * u), view->y + view->h - desc - 4 * u);
        raster_fill_rect(out, (float)(x - 4 * u), (float)(y - asc - 3 * u), (float)(x + w + 4 * u),
                         (float)(y + desc + 3 * u), 1, 1, 1, 0.85f);
        draw_text(sc, out, buf, 17 * u, x, y, TEXT_LEFT, s->trails[r].color);
    }
}

static const char *optimizer_name(OptimizerKind k) {
    static const char *names[] = {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"};
    return names[k];
}

/* Split mode's caption: label, start, optimizer and learning rate. */
static void draw_caption(const Scene *s, SceneScratch *sc, RasterTarget *out, Rect r, int run) {
    const RunConfig *rc = s->trails[run].traj->run;
    char buf[GD_TEXT_MAX + 128];
    snprintf(buf, sizeof buf, "%s  ·  start (%.4g, %.4g)  ·  %s, LR %.4g", rc->label, rc->init[0],
             rc->init[1], optimizer_name(rc->optimizer), rc->lr);
    raster_fill_rect(out, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h), 0.96f,
                     0.96f, 0.97f, 1);
    double size = 15 * s->scale;
    float w, asc, desc;
    text_measure(sc->text, buf, (float)size, &w, &asc, &desc);
    if (w > r.w - 8 * s->scale) /* shrink to fit a narrow view */
        size *= (r.w - 8 * s->scale) / w;
    draw_text(sc, out, buf, size, r.x + r.w / 2, r.y + r.h / 2 + 0.35 * size, TEXT_CENTER,
              s->trails[run].color);
}

/* Renders the 3D view of the given runs into the frame rectangle v. */
static void render_view(const Scene *s, SceneScratch *sc, Rect v, const int *runs, int nruns,
                        CameraPose pose, double step, uint8_t *rgb, TrailState *ts) {
    const Config *cfg = s->cfg;
    const int ss = s->ss;
    const int vx = (int)v.x, vy = (int)v.y, vw = (int)v.w, vh = (int)v.h;
    if (vw < 4 || vh < 4)
        return;
    Camera cs;
    camera_setup(&cs, pose, 0, 0, (double)vw * ss, (double)vh * ss);

    struct DrawList *main_list = &sc->lists[0], *layer_list = &sc->lists[1];
    main_list->n = layer_list->n = 0;
    emit_panes(s, &cs, main_list);
    for (int i = 0; i < nruns; i++)
        emit_trail(s, &cs, &s->trails[runs[i]], step, main_list, &ts[i]);
    for (int i = 0; i < nruns; i++)
        emit_markers(s, &cs, &s->trails[runs[i]], &ts[i], main_list);
    if (cfg->surface.wireframe)
        emit_wireframe(s, &cs, layer_list);
    const int n = s->res;
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++) {
            int k = j * n + i;
            double w[3] = {-1.0 + 2.0 * i / (n - 1), -1.0 + 2.0 * j / (n - 1), s->grid_z[k]};
            if (!camera_project(&cs, w, &sc->vx[k], &sc->vy[k], &sc->vz[k]))
                sc->vy[k] = -1e9f;
        }
    }

    const Rgb bg = cfg->video.background;
    const int hs = vh * ss;
    const float opacity = (float)cfg->surface.opacity;
    sc->band.w = sc->layer.w = vw * ss;
    const int smooth = ss == 1 && s->aa;
    for (int y0 = 0; y0 < hs; y0 += sc->band_rows) {
        int rows = hs - y0 < sc->band_rows ? hs - y0 : sc->band_rows;
        /* Silhouette smoothing looks at the rows above and below, so the
         * band is drawn with one row of its neighbours on each side: no
         * seams where bands meet. */
        int ya = smooth && y0 > 0 ? y0 - 1 : y0;
        int yb = smooth && y0 + rows < hs ? y0 + rows + 1 : y0 + rows;
        sc->band.h = sc->layer.h = yb - ya;
        raster_clear(&sc->band, bg.r, bg.g, bg.b);
        draw_list(&sc->band, main_list, (float)ya, (float)yb);
        /* The layer's colour is only read where its depth was written. */
        for (size_t i = 0, n_px = (size_t)sc->layer.w * (yb - ya); i < n_px; i++)
            sc->layer.depth[i] = INFINITY;
        draw_surface(s, sc, (float)ya, (float)yb);
        draw_list(&sc->layer, layer_list, (float)ya, (float)yb);
        raster_composite_layer(&sc->band, &sc->layer, opacity);
        uint8_t *frame_rows = rgb + ((size_t)(vy + y0 / ss) * s->width + vx) * 3;
        if (smooth) {
            smooth_edges_copy(&sc->band, &sc->layer, sc->edge_mask, y0 - ya, rows, frame_rows,
                              (size_t)s->width * 3);
            continue;
        }
        RasterTarget dst = {vw, rows / ss, sc->resolved, NULL};
        raster_resolve(&dst, &sc->band, ss);
        for (int r = 0; r < rows / ss; r++)
            memcpy(frame_rows + (size_t)r * s->width * 3, sc->resolved + (size_t)r * vw * 3,
                   (size_t)vw * 3);
    }
    sc->band.w = sc->layer.w = s->width * ss;
    sc->band.h = sc->layer.h = sc->band_rows;
}

void scene_render_frame(const Scene *s, SceneScratch *sc, int frame, uint8_t *rgb) {
    const Config *cfg = s->cfg;
    const Layout *L = s->layout;
    const double u = s->scale;
    double t = frame / (double)cfg->video.fps;
    double total = cfg->video.duration + cfg->video.hold;
    double step = timeline_step(cfg, s->max_steps, t);
    CameraPose pose = camera_pose_at(&cfg->camera, t, total);
    RasterTarget out = {s->width, s->height, rgb, NULL};
    const Rgb bg = cfg->video.background;
    raster_clear(&out, bg.r, bg.g, bg.b);

    for (int v = 0; v < L->nviews; v++) {
        int split = cfg->layout.mode == LAYOUT_SPLIT;
        int one = v, nruns = split ? 1 : s->ntrails;
        int runs_buf[GD_MAX_RUNS];
        const int *runs = runs_buf;
        if (split)
            runs_buf[0] = one;
        else
            for (int i = 0; i < nruns; i++)
                runs_buf[i] = i;
        Rect area = L->view[v];
        if (L->caption[v].h > 0) {
            area.y += L->caption[v].h;
            area.h -= L->caption[v].h;
        }
        /* A few runs' readouts get a band of their own above the box; many
         * runs' compact readouts sit over the view's top left corner. */
        int compact = nruns > 4;
        double band = compact ? 0 : nruns * 23 * u + 18 * u;
        Rect view3d = {area.x, area.y + band, area.w, area.h - band};
        view3d.y = floor(view3d.y);
        view3d.h = floor(area.y + area.h) - view3d.y;
        TrailState ts[GD_MAX_RUNS];
        /* Lines, markers and labels shrink with a small view (split mode
         * with many runs), down to 70% of their size in a full frame. */
        double side = fmin(view3d.w, view3d.h), k = side / (0.75 * s->height);
        Scene sv = *s;
        sv.scale = s->scale * (k > 1 ? 1 : k < 0.7 ? 0.7 : k);
        render_view(&sv, sc, view3d, runs, nruns, pose, step, rgb, ts);
        /* A view too small for its labels (hundreds of runs side by side)
         * shows the landscape and its caption only. */
        if (side < 120 * u) {
            if (L->caption[v].h > 0)
                draw_caption(s, sc, &out, L->caption[v], one);
            continue;
        }
        Camera co;
        camera_setup(&co, pose, floor(view3d.x), view3d.y, floor(view3d.w), view3d.h);
        draw_axes_labels(&sv, sc, &co, &out);
        draw_divergence_labels(&sv, sc, &out, &view3d, runs, nruns, ts, step);
        draw_readouts(s, sc, &out, area.x, area.y, area.w - 24 * u, runs, nruns, step, compact);
        if (L->caption[v].h > 0)
            draw_caption(s, sc, &out, L->caption[v], one);
    }
    for (int i = 0; i < L->npanels; i++)
        plot_draw_panel(s, s->plots, L->panel_kind[i], sc->text, &out, L->panel[i], step);
    if (L->colorbar.w > 0)
        plot_draw_colorbar(s, sc->text, &out, L->colorbar);
    if (cfg->video.title[0]) {
        /* A long title shrinks to fit the frame's width. */
        const float ink[3] = {0.08f, 0.08f, 0.1f};
        double size = 27 * u;
        float w, asc, desc;
        text_measure(sc->text, cfg->video.title, (float)size, &w, &asc, &desc);
        if (w > s->width - 32 * u)
            size *= (s->width - 32 * u) / w;
        draw_text(sc, &out, cfg->video.title, size, s->width * 0.5, 38 * u, TEXT_CENTER, ink);
    }
}
