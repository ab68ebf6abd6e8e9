/*
 * scene3d.c — the 3D loss landscape with descent trails, one view at a time
 * (see scene3d.h for the drawing order and why).
 *
 * Coordinate spaces: `p` values are parameter values, (u, v) plane
 * coordinates; `w` (world) is the box x, y in [-1, 1], z in [-H, H]; `s`
 * (screen) is pixels of the supersampled view; `o` is pixels of the output
 * frame (s / ss).
 */
#include "frame/scene3d.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/geom.h"
#include "base/num.h"
#include "base/simd.h"
#include "base/tunables.h"
#include "draw/colormap.h"

#define H CAMERA_BOX_HALF_Z

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

/* ------------------------------------------------------------ world map */

static double map_z(const Landscape *ls, double zv) {
    return camera_world_z(ls->zlo, ls->zhi, zv);
}

/* Height of the drawn mesh at world (x, y) inside the box: the same two
 * triangles per cell that are rasterized, so a trail lies exactly on the
 * surface it is drawn over. */
static double mesh_z(const Scene3D *s, double x, double y) {
    int n = s->land->res;
    double u = (x + 1.0) * 0.5 * (n - 1), v = (y + 1.0) * 0.5 * (n - 1);
    int i = num_clamp_int(floor(u), 0, n - 2), j = num_clamp_int(floor(v), 0, n - 2);
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

/* ---------------------------------------------------------------- setup */

/* World heights and shaded colours of the mesh, and the floor contours'
 * colours. */
static int build_surface(Scene3D *s) {
    const Config *cfg = s->spec->cfg;
    const Landscape *ls = s->land;
    const int n = ls->res;
    s->grid_z = malloc(sizeof(double) * (size_t)n * n);
    s->grid_rgb = malloc(sizeof(float) * 3 * (size_t)n * n);
    s->contour_rgb = malloc(sizeof(float) * 3 * (size_t)(ls->ncontour > 0 ? ls->ncontour : 1));
    if (!s->grid_z || !s->grid_rgb || !s->contour_rgb)
        return -1;
    for (int k = 0; k < n * n; k++)
        s->grid_z[k] = camera_loss_z(ls, ls->loss[k]);

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
            double t =
                (landscape_z(ls->zscale, ls->loss[j * n + i]) - ls->zlo) / (ls->zhi - ls->zlo);
            float c[3];
            colormap_eval(cfg->surface.colormap, t, c);
            for (int q = 0; q < 3; q++)
                s->grid_rgb[3 * (j * n + i) + q] = c[q] * shade;
        }
    }
    for (int i = 0; i < ls->ncontour; i++) {
        double t = (ls->contour_level[i] + 0.5) / cfg->surface.contours;
        float c[3];
        colormap_eval(cfg->surface.colormap, t, c);
        for (int q = 0; q < 3; q++)
            s->contour_rgb[3 * (size_t)i + q] = c[q] * 0.85f;
    }
    return 0;
}

/* Each run's drawn rows in world space: on the mesh inside the box, at
 * their loss's height outside it. */
static int build_trails(Scene3D *s) {
    const View *view = s->spec->view;
    const Landscape *ls = s->land;
    s->ntrails = view->ntrails;
    s->trails = calloc((size_t)(view->ntrails > 0 ? view->ntrails : 1), sizeof *s->trails);
    if (!s->trails)
        return -1;
    for (int r = 0; r < view->ntrails; r++) {
        Scene3DTrail *tr = &s->trails[r];
        const ViewTrail *vt = &view->trails[r];
        tr->trail = vt;
        tr->point = malloc(sizeof *tr->point * (size_t)(vt->npoints > 0 ? vt->npoints : 1));
        if (!tr->point)
            return -1;
        for (int k = 0; k < vt->npoints; k++) {
            double *w = tr->point[k];
            w[0] = landscape_box(ls, 0, vt->uv[2 * (size_t)k]);
            w[1] = landscape_box(ls, 1, vt->uv[2 * (size_t)k + 1]);
            w[2] = in_box_xy(w) ? mesh_z(s, w[0], w[1])
                                : map_z(ls, landscape_z(ls->zscale, vt->traj->loss[k]));
        }
        tr->npoints = vt->npoints;
        tr->nkeep = vt->npoints;
        if (vt->npoints > SCENE3D_TRAIL_EXACT) {
            /* A million steps that creep toward a minimum are a few
             * hundred rows apart on screen: nothing is lost by drawing
             * the line through those alone, and the frames' work is then
             * in proportion to the line, not to the step count. */
            tr->keep = malloc(sizeof *tr->keep * (size_t)vt->npoints);
            if (!tr->keep)
                return -1;
            int n = 0, last = 0;
            for (int k = 0; k < vt->npoints; k++) {
                const double *a = tr->point[last], *b = tr->point[k];
                double d = fabs(b[0] - a[0]) + fabs(b[1] - a[1]) + fabs(b[2] - a[2]);
                if (k == 0 || !(d <= SCENE3D_TRAIL_TOL) ||
                    fabsf(vt->alpha[k] - vt->alpha[last]) > 1.0f / 64) {
                    tr->keep[n++] = k;
                    last = k;
                }
            }
            tr->nkeep = n;
        }
    }
    return 0;
}

/* The j-th row a trail is drawn through (see Scene3DTrail). */
static int trail_row(const Scene3DTrail *tr, int j) {
    return tr->keep ? tr->keep[j] : j;
}

/* How many of the rows a trail is drawn through are at most row k. */
static int trail_rows_upto(const Scene3DTrail *tr, int k) {
    if (!tr->keep)
        return k + 1 < tr->nkeep ? k + 1 : tr->nkeep;
    int lo = 0, hi = tr->nkeep; /* keep[0..lo-1] <= k < keep[hi..] */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (tr->keep[mid] <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The leftmost floor corner seen from cam, other than the one nearest the
 * eye (it hides nothing behind it). */
static void leftmost_corner(const Camera *cam, double out[2]) {
    const double xf = cam->eye[0] > 0 ? -1 : 1, yf = cam->eye[1] > 0 ? -1 : 1;
    double best_x = 1e30;
    float x, y, z;
    out[0] = xf;
    out[1] = yf;
    for (int i = 0; i < 4; i++) {
        double c[3] = {i & 1 ? 1 : -1, i & 2 ? 1 : -1, -H};
        if (c[0] == -xf && c[1] == -yf)
            continue;
        if (camera_project(cam, c, &x, &y, &z) && x < best_x) {
            best_x = x;
            out[0] = c[0];
            out[1] = c[1];
        }
    }
}

int scene3d_init(Scene3D *s, const FrameSpec *spec, GdError *err) {
    memset(s, 0, sizeof *s);
    s->spec = spec;
    s->land = &spec->view->land;
    s->scale = spec->scale;
    const Config *cfg = spec->cfg;
    const double total = cfg->video.duration + cfg->video.hold;
    Camera mid;
    camera_setup(&mid, camera_pose_at(&cfg->camera, &spec->view->orbit, 0.5 * total, total), 0, 0,
                 spec->width, spec->height);
    leftmost_corner(&mid, s->loss_corner);
    if (build_surface(s) != 0 || build_trails(s) != 0) {
        scene3d_free(s);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory building the scene");
    }
    return 0;
}

void scene3d_free(Scene3D *s) {
    if (!s)
        return;
    free(s->grid_z);
    free(s->grid_rgb);
    free(s->contour_rgb);
    if (s->trails)
        for (int r = 0; r < s->ntrails; r++)
            free(s->trails[r].point), free(s->trails[r].keep);
    free(s->trails);
    memset(s, 0, sizeof *s);
}

int scene3d_scratch_init(Scene3DScratch *sc, const Scene3D *s, GdError *err) {
    memset(sc, 0, sizeof *sc);
    sc->band_rows = SCENE3D_BAND_ROWS * s->spec->ss;
    int w = s->spec->width * s->spec->ss;
    size_t nv = (size_t)s->land->res * s->land->res;
    /* Two rows more than a band: its neighbours' edge rows (see scene3d_render). */
    if (raster_target_init(&sc->band, w, sc->band_rows + 2, 1) != 0 ||
        raster_target_init(&sc->layer, w, sc->band_rows + 2, 1) != 0 ||
        !(sc->vx = malloc(sizeof(float) * nv)) || !(sc->vy = malloc(sizeof(float) * nv)) ||
        !(sc->vz = malloc(sizeof(float) * nv)) ||
        !(sc->lod = malloc(sizeof(int) * (size_t)s->land->res)) ||
        !(sc->edge_mask = malloc((size_t)w * (sc->band_rows + 2))) ||
        !(sc->resolved = malloc((size_t)s->spec->width * SCENE3D_BAND_ROWS * 3)) ||
        !(sc->lists = calloc(2, sizeof *sc->lists))) {
        scene3d_scratch_free(sc);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory for render buffers");
    }
    return 0;
}

void scene3d_scratch_free(Scene3DScratch *sc) {
    raster_target_free(&sc->band);
    raster_target_free(&sc->layer);
    if (sc->lists)
        for (int i = 0; i < 2; i++)
            free(sc->lists[i].prim);
    free(sc->lists);
    free(sc->vx);
    free(sc->vy);
    free(sc->vz);
    free(sc->lod);
    free(sc->edge_mask);
    free(sc->resolved);
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

/* The part of the segment a->b inside the box, as parameters t0 <= t1;
 * 0 if nothing is left. */
static int clip_box(const double a[3], const double b[3], double *t0, double *t1) {
    static const double lo[3] = {-1, -1, -H}, hi[3] = {1, 1, H};
    return geom_clip_segment(3, a, b, lo, hi, 1e-9, t0, t1);
}

/* The point at parameter u along a step's path from a to b: straight in
 * x and y, and never below the surface, so a step across a ridge hops over
 * it instead of tunnelling through. */
static void path_point(const Scene3D *s, const double a[3], const double b[3], double u,
                       double out[3]) {
    for (int i = 0; i < 3; i++)
        out[i] = a[i] + u * (b[i] - a[i]);
    if (in_box_xy(out)) {
        double m = mesh_z(s, out[0], out[1]);
        if (out[2] < m)
            out[2] = m;
    }
}

/* Emits the trail of one run up to fractional step `step`. */
static void emit_trail(const Scene3D *s, const Camera *cam, const Scene3DTrail *tr, double step,
                       struct DrawList *l, Scene3DRunState *ts) {
    const float width = (float)(4.0 * s->scale * s->spec->ss);
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->spec->aa ? 0 : RASTER_NO_AA);
    memset(ts, 0, sizeof *ts);
    if (tr->npoints == 0)
        return;
    double last = fmin(step, (double)(tr->npoints - 1));
    int kmax = (int)floor(last);
    ts->row = kmax;
    memcpy(ts->ball, tr->point[0], sizeof ts->ball);
    /* Pieces shorter than a pixel or so are merged into one line, so a run
     * of a million tiny steps costs lines in proportion to its length on
     * screen, not to its step count. */
    const float merge = 1.5f * (float)s->spec->ss;
    int open = 0; /* a polyline is under way from `from` to `to` */
    RasterVertex from = vtx(0, 0, 0, tr->trail->color, 1), to = from;
    /* The line goes through the kept rows up to kmax, then kmax itself
     * (where the ball rests or sets off from), then as far along the
     * step to kmax + 1 as the clock is. A long run that keeps moving (a
     * bounce that never settles) keeps its first SCENE3D_TRAIL_EXACT of
     * those and is drawn through every stride-th one after them, so one
     * frame's work and memory stay bounded; the pieces that drape a step
     * over the surface are rationed the same way. */
    const int exact = SCENE3D_TRAIL_EXACT;
    const int nk = trail_rows_upto(tr, kmax);
    const int total = nk + (nk == 0 || trail_row(tr, nk - 1) != kmax);
    int stride = total > 2 * exact ? (total - exact + exact - 1) / exact : 1;
    int nseg = total < 2 * exact ? total : exact + (total - exact) / stride + 1;
    int max_pieces = SCENE3D_TRAIL_PIECES / (nseg > 0 ? nseg : 1);
    max_pieces = max_pieces < 1 ? 1 : max_pieces > 64 ? 64 : max_pieces;
    for (int j = 0; j < total;) {
        int k = j < nk ? trail_row(tr, j) : kmax, next;
        double frac = 1.0;
        if (j + 1 < total) {
            j += j >= exact ? stride : 1;
            if (j > total - 1)
                j = total - 1;
            next = j < nk ? trail_row(tr, j) : kmax;
        } else {
            j = total;
            next = kmax + 1;
            frac = last - kmax;
            if (next >= tr->npoints || frac <= 0)
                break;
        }
        const double *a = tr->point[k], *b = tr->point[next];
        const float alpha = tr->trail->alpha[k];
        double len = sqrt((b[0] - a[0]) * (b[0] - a[0]) + (b[1] - a[1]) * (b[1] - a[1]) +
                          (b[2] - a[2]) * (b[2] - a[2]));
        /* A diverging step can be billions of pieces long (or NaN). */
        int m = num_clamp_int(ceil(len * frac / SCENE3D_PIECE_LEN), 1, max_pieces);
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
                RasterVertex va = vtx(0, 0, 0, tr->trail->color, alpha), vb = va;
                if (project_lifted(cam, p0, SCENE3D_TRAIL_LIFT, &va) &&
                    project_lifted(cam, p1, SCENE3D_TRAIL_LIFT, &vb)) {
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
static void emit_arrow(const Scene3D *s, const Camera *cam, const Scene3DTrail *tr,
                       const Scene3DRunState *ts, struct DrawList *l) {
    const Trajectory *t = tr->trail->traj;
    const Landscape *ls = s->land;
    int k = ts->row;
    double d[2];
    if (k + 1 < tr->npoints) {
        d[0] = tr->point[k + 1][0] - tr->point[k][0];
        d[1] = tr->point[k + 1][1] - tr->point[k][1];
    } else {
        /* The last row: downhill, the gradient's part in the plane. */
        double g[2];
        plane_project_vector(&s->spec->view->plane, t->grad + (size_t)k * t->nparams, g);
        d[0] = -g[0] * 2.0 / (ls->hi[0] - ls->lo[0]);
        d[1] = -g[1] * 2.0 / (ls->hi[1] - ls->lo[1]);
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
    const float w = (float)(2.6 * s->scale * s->spec->ss);
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->spec->aa ? 0 : RASTER_NO_AA);
    RasterVertex a = vtx(0, 0, 0, ink, 1), b = a, c = a, e = a;
    if (project_lifted(cam, ts->ball, SCENE3D_BALL_LIFT, &a) &&
        project_lifted(cam, tip, SCENE3D_BALL_LIFT, &b) &&
        project_lifted(cam, left, SCENE3D_BALL_LIFT, &c) &&
        project_lifted(cam, right, SCENE3D_BALL_LIFT, &e)) {
        add_line(l, a, b, w, flags);
        add_line(l, b, c, w, flags);
        add_line(l, b, e, w, flags);
    }
}

/* The iterates the ball passed in the last moments, as small fading balls:
 * an oscillation faster than the frame rate shows both its ends. */
static void emit_afterimages(const Scene3D *s, const Camera *cam, const Scene3DTrail *tr,
                             const TimelineMoment *m, const Scene3DRunState *ts,
                             struct DrawList *l) {
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->spec->aa ? 0 : RASTER_NO_AA);
    const float u = (float)(s->scale * s->spec->ss);
    int newest = ts->row < tr->npoints ? ts->row : tr->npoints - 1;
    /* Newest first: where iterates coincide (a bounce revisits its ends)
     * the brightest is the one the depth test keeps. */
    for (int i = newest - 1; i > (int)m->recent; i--) {
        if (i < 0 || !in_box_xy(tr->point[i]))
            continue;
        RasterVertex v;
        if (!project_lifted(cam, tr->point[i], SCENE3D_BALL_LIFT * 0.9, &v))
            continue;
        float a = (float)(1.0 - 0.45 * timeline_afterimage_age(m, i)), r = 6.0f * u;
        /* Faster than an iterate a frame, the iterate before the newest is
         * drawn as a full ball too: a bounce shows two equal balls, not one
         * ball jumping between its ends at random. */
        if (m->rate >= TIMELINE_SNAP_RATE && i == newest - 1) {
            a = 1;
            r = 7.0f * u;
        }
        static const float dark[3] = {0.1f, 0.1f, 0.1f};
        add_dot(l, PRIM_DOT, vtx(v.x, v.y, v.z, tr->trail->color, a), r, 0, flags);
        add_dot(l, PRIM_RING, vtx(v.x, v.y, v.z, dark, 0.8f * a), r, 1.5f * u, flags);
    }
}

/* The start: a ring in the run's colour around a white dot. Markers
 * write depth too, or the surface would be blended over them. */
static void emit_start(const Scene3D *s, const Camera *cam, const Scene3DTrail *tr,
                       struct DrawList *l) {
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->spec->aa ? 0 : RASTER_NO_AA);
    const float u = (float)(s->scale * s->spec->ss);
    static const float white[3] = {1, 1, 1};
    RasterVertex v;
    if (tr->npoints > 0 && in_box_xy(tr->point[0]) &&
        project_lifted(cam, tr->point[0], SCENE3D_START_LIFT, &v)) {
        add_dot(l, PRIM_DOT, vtx(v.x, v.y, v.z, white, 1), 8.0f * u, 0, flags);
        add_dot(l, PRIM_RING, vtx(v.x, v.y, v.z, tr->trail->color, 1), 8.0f * u, 3.0f * u, flags);
    }
}

/* The ball (and its direction arrow), emitted after every start marker
 * and drawn over them and over the trails whatever their depth: a ball
 * that has barely left the start of six runs is not hidden under their
 * markers. It writes its depth, so the surface in front still covers it. */
static void emit_ball(const Scene3D *s, const Camera *cam, const Scene3DTrail *tr,
                      Scene3DRunState *ts, struct DrawList *l) {
    const int flags = RASTER_DEPTH_WRITE | (s->spec->aa ? 0 : RASTER_NO_AA);
    const float u = (float)(s->scale * s->spec->ss);
    static const float dark[3] = {0.1f, 0.1f, 0.1f};
    RasterVertex v;
    if (tr->npoints == 0)
        return;
    if (s->spec->cfg->surface.arrows && ts->ball_in_box)
        emit_arrow(s, cam, tr, ts, l);
    if (ts->ball_in_box && project_lifted(cam, ts->ball, SCENE3D_BALL_LIFT, &v)) {
        ts->ball_drawn = 1;
        ts->ball_x = v.x;
        ts->ball_y = v.y;
        ts->ball_r = 7.0f * u;
        add_dot(l, PRIM_DOT, vtx(v.x, v.y, v.z, tr->trail->color, 1), 7.0f * u, 0, flags);
        add_dot(l, PRIM_RING, vtx(v.x, v.y, v.z, dark, 0.8f), 7.0f * u, 1.5f * u, flags);
    }
}

/* The pins: a dot on the surface and a thin line up to just above the
 * box, both depth-tested. */
static void emit_pins(const Scene3D *s, const Camera *cam, Scene3DScratch *sc, struct DrawList *l) {
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | (s->spec->aa ? 0 : RASTER_NO_AA);
    const float u = (float)(s->scale * s->spec->ss);
    const float *ink = s->spec->theme.ink;
    for (int i = 0; i < sc->npins; i++) {
        Scene3DPin *pin = &sc->pins[i];
        pin->top_ok = 0;
        double w[3] = {landscape_box(s->land, 0, pin->p[0]), landscape_box(s->land, 1, pin->p[1]),
                       0};
        w[2] = camera_surface_z(s->land, w[0], w[1]);
        double top[3] = {w[0], w[1], H + SCENE3D_PIN_RISE};
        RasterVertex a, b;
        if (!project_lifted(cam, w, SCENE3D_TRAIL_LIFT, &a) ||
            !project_lifted(cam, top, SCENE3D_TRAIL_LIFT, &b))
            continue;
        a = vtx(a.x, a.y, a.z, ink, pin->alpha);
        b = vtx(b.x, b.y, b.z, ink, pin->alpha);
        add_line(l, a, b, 1.5f * u, flags);
        add_dot(l, PRIM_DOT, a, 4.0f * u, 0, flags);
        pin->top_ok = 1;
        pin->top_x = b.x;
        pin->top_y = b.y;
        pin->foot_x = a.x;
        pin->foot_y = a.y;
    }
}

/* World position of a marked point: on the drawn mesh. 0 outside the box. */
static int point_world(const Scene3D *s, const FramePoint *p, double w[3]) {
    w[0] = landscape_box(s->land, 0, p->uv[0]);
    w[1] = landscape_box(s->land, 1, p->uv[1]);
    if (!(in_box_xy(w)))
        return 0;
    w[2] = mesh_z(s, w[0], w[1]);
    return 1;
}

/* Half-diagonal of a point's diamond in pixels of size unit u. */
static float point_radius(const FramePoint *p, double u) {
    return (float)((p->minimum == 2 ? SCENE3D_GLOBAL_R_PX : SCENE3D_MARK_R_PX) * u);
}

/* Each mark and minimum: a diamond on the surface, filled with its colour
 * and outlined dark, depth-tested like the trails (hidden where the
 * surface hides it, faint through a translucent one). Drawn under the
 * start markers and balls: a run that ends in a minimum shows its ball on
 * the minimum's diamond. */
static void emit_points(const Scene3D *s, const Camera *cam, struct DrawList *l) {
    const FrameSpec *sp = s->spec;
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE;
    const int lf = flags | (sp->aa ? 0 : RASTER_NO_AA);
    const double u = s->scale * sp->ss;
    static const float dark[3] = {0.1f, 0.1f, 0.1f};
    static const float dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1};
    for (int i = 0; i < sp->npoints; i++) {
        const FramePoint *p = &sp->points[i];
        double w[3];
        RasterVertex c, o;
        /* The outline a little nearer than the fill, so it passes the
         * depth test over it. */
        if (!point_world(s, p, w) || !project_lifted(cam, w, SCENE3D_MARK_LIFT, &c) ||
            !project_lifted(cam, w, SCENE3D_MARK_LIFT + 0.01, &o))
            continue;
        const float r = point_radius(p, u);
        RasterVertex q[4];
        for (int k = 0; k < 4; k++)
            q[k] = vtx(c.x + dx[k] * r, c.y + dy[k] * r, c.z, p->color, 1);
        add_tri(l, q[0], q[1], q[2], flags);
        add_tri(l, q[0], q[2], q[3], flags);
        for (int k = 0; k < 4; k++) {
            RasterVertex a = vtx(q[k].x, q[k].y, o.z, dark, 1);
            RasterVertex b = vtx(q[(k + 1) % 4].x, q[(k + 1) % 4].y, o.z, dark, 1);
            add_line(l, a, b, (float)(1.6 * u), lf);
        }
    }
}

/* What the floor shows of start k: its minimum, or its status. */
static int floor_key(const BasinMap *bm, int k) {
    return bm->basin[k] != BASIN_NONE ? bm->basin[k] : -2 - bm->status[k];
}

/* [basins] floor = yes: the basin map on the floor (at height zf) instead
 * of the plain pane, each row's runs of cells of one colour as one quad,
 * with a thin dark line where two minima's cells meet. */
static void emit_basin_floor(const Scene3D *s, const Camera *cam, struct DrawList *l, double zf) {
    const BasinMap *bm = s->spec->view->basins;
    const int n = bm->grid.res;
    const int lf = s->spec->aa ? 0 : RASTER_NO_AA;
    const float bw = (float)(1.0 * s->scale * s->spec->ss);
    const float edge[3] = {0.25f, 0.25f, 0.28f};
    float rgb[BASIN_MAX_ENTRIES][3];
    for (int e = 0; e < bm->nentries; e++)
        frame_basin_color(bm, e, rgb[e]);
    for (int j = 0; j < n; j++) {
        const double v0 = -1.0 + 2.0 * j / n, v1 = -1.0 + 2.0 * (j + 1) / n;
        for (int i = 0; i < n;) {
            const int e = basins_entry_of(bm, j * n + i);
            int i1 = i + 1;
            while (i1 < n && basins_entry_of(bm, j * n + i1) == e)
                i1++;
            const double u0 = -1.0 + 2.0 * i / n, u1 = -1.0 + 2.0 * i1 / n;
            const double c[4][3] = {{u0, v0, zf}, {u1, v0, zf}, {u1, v1, zf}, {u0, v1, zf}};
            RasterVertex v[4];
            int ok = 1;
            for (int k = 0; k < 4; k++) {
                v[k] = vtx(0, 0, 0, rgb[e], 1);
                ok &= camera_project(cam, c[k], &v[k].x, &v[k].y, &v[k].z);
            }
            if (ok) {
                add_tri(l, v[0], v[1], v[2], 0);
                add_tri(l, v[0], v[2], v[3], 0);
            }
            i = i1;
        }
    }
    /* Borders: cell edges between different minima or statuses, joined
     * along their line. */
    for (int dir = 0; dir < 2; dir++)
        for (int a = 1; a < n; a++)
            for (int b = 0; b < n;) {
                int k0 = dir == 0 ? b * n + a - 1 : (a - 1) * n + b;
                int k1 = dir == 0 ? b * n + a : a * n + b;
                if (floor_key(bm, k0) == floor_key(bm, k1)) {
                    b++;
                    continue;
                }
                int b1 = b + 1;
                for (; b1 < n; b1++) {
                    int q0 = dir == 0 ? b1 * n + a - 1 : (a - 1) * n + b1;
                    int q1 = dir == 0 ? b1 * n + a : a * n + b1;
                    if (floor_key(bm, q0) == floor_key(bm, q1))
                        break;
                }
                const double t = -1.0 + 2.0 * a / n, s0 = -1.0 + 2.0 * b / n,
                             s1 = -1.0 + 2.0 * b1 / n;
                double pa[3] = {dir == 0 ? t : s0, dir == 0 ? s0 : t, zf};
                double pb[3] = {dir == 0 ? t : s1, dir == 0 ? s1 : t, zf};
                RasterVertex va = vtx(0, 0, 0, edge, 0.6f), vb = va;
                if (camera_project(cam, pa, &va.x, &va.y, &va.z) &&
                    camera_project(cam, pb, &vb.x, &vb.y, &vb.z))
                    add_line(l, va, vb, bw, lf);
                b = b1;
            }
}

/* A polyline given a vertex at a time and drawn as the fewest lines that
 * stay within tol pixels of every vertex on screen and within ztol of its
 * depth (so the depth test decides as it would for the vertices): a mesh
 * line of a fine grid costs lines in proportion to its length on screen,
 * not to the grid's resolution. */
typedef struct MergedLine {
    struct DrawList *l;
    float width, tol, ztol;
    int flags, n;
    RasterVertex run[SCENE3D_MERGE_RUN]; /* run[0] -> run[n-1] is one line */
} MergedLine;

/* An empty merged line into l: pieces width wide, within SCENE3D_MERGE_PX
 * output pixels and ztol of depth of every vertex. */
static void merged_init(MergedLine *m, const Scene3D *s, struct DrawList *l, float width,
                        float ztol, int flags) {
    memset(m, 0, sizeof *m);
    m->l = l;
    m->width = width;
    m->tol = (float)(SCENE3D_MERGE_PX * s->spec->ss);
    m->ztol = ztol;
    m->flags = flags;
}

/* Whether run[0] -> v passes within the tolerances of run[1..n-1]. */
static int merged_fits(const MergedLine *m, RasterVertex v) {
    const RasterVertex a = m->run[0];
    const float dx = v.x - a.x, dy = v.y - a.y, len2 = dx * dx + dy * dy;
    if (!(len2 > 0))
        return 0;
    for (int i = 1; i < m->n; i++) {
        const RasterVertex *p = &m->run[i];
        float t = ((p->x - a.x) * dx + (p->y - a.y) * dy) / len2;
        if (!(t >= 0 && t <= 1))
            return 0;
        float ex = a.x + t * dx - p->x, ey = a.y + t * dy - p->y;
        if (ex * ex + ey * ey > m->tol * m->tol || fabsf(a.z + t * (v.z - a.z) - p->z) > m->ztol)
            return 0;
    }
    return 1;
}

static void merged_add(MergedLine *m, RasterVertex v) {
    if (m->n >= 2 && (m->n == SCENE3D_MERGE_RUN || !merged_fits(m, v))) {
        add_line(m->l, m->run[0], m->run[m->n - 1], m->width, m->flags);
        m->run[0] = m->run[m->n - 1];
        m->n = 1;
    }
    m->run[m->n++] = v;
}

static void merged_end(MergedLine *m) {
    if (m->n >= 2)
        add_line(m->l, m->run[0], m->run[m->n - 1], m->width, m->flags);
    m->n = 0;
}

/* The floor's contours of a grid finer than SCENE3D_MERGE_MIN_CELLS:
 * their segments in line order (Landscape.contour_chain), merged
 * (MergedLine; the floor is flat and drawn without the depth test, so
 * only the pixel tolerance counts). */
static void emit_contours_merged(const Scene3D *s, const Camera *cam, struct DrawList *l, double zf,
                                 float width, int flags) {
    MergedLine ml;
    merged_init(&ml, s, l, width, INFINITY, flags);
    for (int k = 0; k < s->land->ncontour; k++) {
        const int e = s->land->contour_chain[k], i = e >> 2, rev = e >> 1 & 1;
        const double *w = s->land->contour + 4 * (size_t)i;
        if (e & 1)
            merged_end(&ml);
        RasterVertex v = vtx(0, 0, 0, s->contour_rgb + 3 * (size_t)i, 1);
        for (int q = ml.n == 0 ? 0 : 1; q < 2; q++) {
            const int p = rev ? 1 - q : q;
            double a[3] = {w[2 * p], w[2 * p + 1], zf};
            if (camera_project(cam, a, &v.x, &v.y, &v.z))
                merged_add(&ml, v);
            else
                merged_end(&ml);
        }
    }
    merged_end(&ml);
}

static void emit_panes(const Scene3D *s, const Camera *cam, struct DrawList *l) {
    const float *pane = s->spec->theme.pane, *grid = s->spec->theme.pane_grid;
    const float gw = (float)(1.1 * s->scale * s->spec->ss);
    const int lf = s->spec->aa ? 0 : RASTER_NO_AA;
    /* The walls farthest from the eye, like matplotlib's 3D axes. */
    double xf = cam->eye[0] > 0 ? -1 : 1, yf = cam->eye[1] > 0 ? -1 : 1;
    double zf = cam->eye[2] > 0 ? -H : H;
    double quads[3][4][3] = {
        {{-1, -1, zf}, {1, -1, zf}, {1, 1, zf}, {-1, 1, zf}},
        {{xf, -1, -H}, {xf, 1, -H}, {xf, 1, H}, {xf, -1, H}},
        {{-1, yf, -H}, {1, yf, -H}, {1, yf, H}, {-1, yf, H}},
    };
    const BasinMap *bm = s->spec->view->basins;
    const int drape = bm && s->spec->cfg->basins.floor;
    for (int q = drape ? 1 : 0; q < 3; q++) {
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
    if (drape)
        emit_basin_floor(s, cam, l, zf);
    /* Grid lines at the ticks: on the floor for both parameters, on the
     * walls for the parameter along them and for the loss. */
    for (int ax = 0; ax < 3; ax++) {
        const Ticks *A = &s->land->axis[ax];
        for (int k = 0; k < A->n; k++) {
            double t = -1.0 + 2.0 * (A->v[k] - A->lo) / (A->hi - A->lo);
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
    const float cw = (float)(1.3 * s->scale * s->spec->ss);
    if (s->land->res - 1 > SCENE3D_MERGE_MIN_CELLS) {
        emit_contours_merged(s, cam, l, zf, cw, lf);
        return;
    }
    for (int i = 0; i < s->land->ncontour; i++) {
        const double *w = s->land->contour + 4 * (size_t)i;
        double a[3] = {w[0], w[1], zf}, b[3] = {w[2], w[3], zf};
        RasterVertex va = vtx(0, 0, 0, s->contour_rgb + 3 * (size_t)i, 1), vb = va;
        if (camera_project(cam, a, &va.x, &va.y, &va.z) &&
            camera_project(cam, b, &vb.x, &vb.y, &vb.z))
            add_line(l, va, vb, cw, lf);
    }
}

/* The mesh lines of every ~20th grid line in each direction. A grid of
 * up to SCENE3D_MERGE_MIN_CELLS cells draws each cell's piece, exactly as
 * always; a finer one merges them (MergedLine). */
static void emit_wireframe(const Scene3D *s, const Camera *cam, struct DrawList *l) {
    const int n = s->land->res;
    const int stride = (n - 1 + 19) / 20;
    const float dark[3] = {0.12f, 0.12f, 0.16f};
    const float ww = (float)(0.9 * s->scale * s->spec->ss);
    const int flags = RASTER_DEPTH_TEST | (s->spec->aa ? 0 : RASTER_NO_AA);
    const int merge = n - 1 > SCENE3D_MERGE_MIN_CELLS;
    MergedLine ml;
    merged_init(&ml, s, l, ww, SCENE3D_MERGE_DEPTH, flags);
    for (int dir = 0; dir < 2; dir++) {
        for (int line = 0; line < n; line += stride) {
            RasterVertex prev = vtx(0, 0, 0, dark, 0.35f);
            int have_prev = 0; /* a vertex of this line projected */
            for (int k = 0; k < n; k++) {
                int i = dir == 0 ? k : line, j = dir == 0 ? line : k;
                double w[3] = {-1.0 + 2.0 * i / (n - 1), -1.0 + 2.0 * j / (n - 1),
                               s->grid_z[j * n + i]};
                RasterVertex v = prev;
                if (!project_lifted(cam, w, 0.006, &v))
                    continue;
                if (merge)
                    merged_add(&ml, v);
                else if (have_prev)
                    add_line(l, prev, v, ww, flags);
                prev = v;
                have_prev = 1;
            }
            merged_end(&ml);
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

/* One row of smooth_edges_copy's mask: 1 where depth d jumps by more than
 * `jump` to a neighbour (up and dn are the rows above and below). Empty
 * pixels hold +inf: inf - finite = inf counts as an edge, and inf - inf =
 * NaN compares false, so one test covers every case and the loop has no
 * branches; apart (restrict) from the depth it reads, it vectorises. */
GD_VECTOR_CLONES static void edge_mask_row(const float *restrict d, const float *restrict up,
                                           const float *restrict dn, uint8_t *restrict m, int lo,
                                           int hi, float jump) {
    for (int x = lo; x < hi; x++) {
        float c = d[x];
        m[x] = (uint8_t)((fabsf(c - d[x - 1]) > jump) | (fabsf(c - d[x + 1]) > jump) |
                         (fabsf(c - up[x]) > jump) | (fabsf(c - dn[x]) > jump));
    }
}

/* Medium quality's anti-aliasing of the surface's silhouettes, without
 * supersampling: a pixel where the surface layer starts, ends or folds
 * behind itself (its depth jumps between neighbours) is replaced by a
 * weighted mean of itself (1/2) and its four neighbours (1/8 each), which
 * softens the staircase to a ramp. Lines, points and text are already
 * anti-aliased analytically. Copies band -> dst (ss == 1) as it goes.
 * Only columns [lo, hi) can be edges (1 <= lo, hi <= w - 1: the layer's
 * depth is +inf in [lo - 1, hi + 1) outside the surface's columns, and is
 * not read elsewhere). */
static void smooth_edges_copy(const RasterTarget *band, const RasterTarget *layer, uint8_t *mask,
                              int first, int count, int lo, int hi, uint8_t *dst,
                              size_t dst_pitch) {
    const int w = band->w, h = band->h;
    const float *ld = layer->depth;
    /* Depth is -1/distance, so near the box (distance about 6) a depth step
     * of 0.0015 is a jump of about 0.05 in distance: a fold, not a slope. */
    const float jump = 0.0015f;
    for (int y = first; y < first + count && lo < hi; y++) {
        const float *d = ld + (size_t)y * w;
        edge_mask_row(d, y > 0 ? d - w : d, y + 1 < h ? d + w : d, mask + (size_t)y * w, lo, hi,
                      jump);
    }
    for (int y = first; y < first + count; y++) {
        const uint8_t *row = band->rgb + (size_t)y * w * 3;
        uint8_t *out = dst + (size_t)(y - first) * dst_pitch;
        const uint8_t *m = mask + (size_t)y * w;
        memcpy(out, row, (size_t)w * 3);
        /* Edges are rare: the mask is scanned eight clear bytes at a time. */
        for (int x = lo < hi ? (int)raster_mask_next(m, (size_t)lo, (size_t)hi) : hi; x < hi;
             x = (int)raster_mask_next(m, (size_t)x + 1, (size_t)hi)) {
            const uint8_t *p = row + 3 * x;
            const uint8_t *l = x > 0 ? p - 3 : p, *r = x + 1 < w ? p + 3 : p;
            const uint8_t *u = y > 0 ? p - 3 * w : p, *dd = y + 1 < h ? p + 3 * w : p;
            for (int q = 0; q < 3; q++)
                out[3 * x + q] = (uint8_t)((4 * p[q] + l[q] + r[q] + u[q] + dd[q] + 4) >> 3);
        }
    }
}

/* Quad (a, b) of the drawn mesh (grid lines lod[a..a+1] by lod[b..b+1]):
 * its vertices' indices in k (00, 10, 11, 01), and whether its projected
 * rows reach [y0, y1). */
static inline int surface_quad(int n, const int *lod, int a, int b, const float *vy, float y0,
                               float y1, int k[4]) {
    const int i = lod[a], i1 = lod[a + 1], j = lod[b], j1 = lod[b + 1];
    k[0] = j * n + i;
    k[1] = j * n + i1;
    k[2] = j1 * n + i1;
    k[3] = j1 * n + i;
    float ymin = vy[k[0]], ymax = ymin;
    for (int q = 1; q < 4; q++) {
        float y = vy[k[q]];
        ymin = y < ymin ? y : ymin;
        ymax = y > ymax ? y : ymax;
    }
    return !(ymax < y0 || ymin >= y1);
}

/* The columns [*x0, *x1) of the band holding rows [y0, y1) that the
 * surface's triangles there can touch: their projected vertices' span, a
 * pixel wider on each side, clipped to [0, w) (empty when none does). */
static void surface_columns(const Scene3D *s, const Scene3DScratch *sc, float y0, float y1, int w,
                            int *x0, int *x1) {
    const int n = s->land->res, *lod = sc->lod, m = sc->nlod;
    const float *vx = sc->vx, *vy = sc->vy;
    float lo = INFINITY, hi = -INFINITY;
    for (int b = 0; b + 1 < m; b++) {
        for (int a = 0; a + 1 < m; a++) {
            int k[4];
            if (!surface_quad(n, lod, a, b, vy, y0, y1, k))
                continue;
            for (int q = 0; q < 4; q++) {
                /* NaN counts as the whole width. */
                float x = vx[k[q]];
                lo = x < lo ? x : (x == x ? lo : -INFINITY);
                hi = x > hi ? x : (x == x ? hi : INFINITY);
            }
        }
    }
    *x0 = lo > -1.0f ? (lo < (float)w ? (int)lo - 1 : w) : 0;
    *x1 = hi < (float)w ? (hi > -2.0f ? (int)hi + 2 : 0) : w;
    *x0 = *x0 > 0 ? *x0 : 0;
    *x1 = *x1 < w ? *x1 : w;
    if (*x0 >= *x1)
        *x0 = *x1 = 0;
}

/* Surface triangles of the projected mesh (the grid lines sc->lod) that
 * touch rows [y0, y1). */
static void draw_surface(const Scene3D *s, Scene3DScratch *sc, float y0, float y1) {
    const int n = s->land->res, *lod = sc->lod, m = sc->nlod;
    const float *vx = sc->vx, *vy = sc->vy, *vz = sc->vz, *c = s->grid_rgb;
    const int flags = RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE;
    for (int b = 0; b + 1 < m; b++) {
        for (int a = 0; a + 1 < m; a++) {
            int k[4];
            if (!surface_quad(n, lod, a, b, vy, y0, y1, k))
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

/* Projects grid vertex (i, j) into sc->vx/vy/vz (vy = -1e9: not drawable). */
static void project_vertex(const Scene3D *s, const Camera *cam, Scene3DScratch *sc, int i, int j) {
    const int n = s->land->res, k = j * n + i;
    double w[3] = {-1.0 + 2.0 * i / (n - 1), -1.0 + 2.0 * j / (n - 1), s->grid_z[k]};
    if (!camera_project(cam, w, &sc->vx[k], &sc->vy[k], &sc->vz[k]))
        sc->vy[k] = -1e9f;
}

/* Level of detail by projected size: the grid lines of this frame's mesh
 * (every stride-th line and the last) in sc->lod, and their vertices
 * projected. The stride is the largest that keeps the longest cell edge of
 * a coarse probe of the grid, shared out over the grid cells it spans,
 * under SCENE3D_LOD_PX output pixels, and leaves at least
 * SCENE3D_LOD_MIN_CELLS cells a side: a grid of 60 or fewer is always drawn
 * whole, exactly as without it. The grid itself keeps its resolution
 * (contours, minima and mesh_z read it). */
static void project_surface(const Scene3D *s, const Camera *cam, Scene3DScratch *sc) {
    const int n = s->land->res;
    const int probe = (n - 1 + SCENE3D_LOD_PROBE - 1) / SCENE3D_LOD_PROBE;
    int stride = 1;
    if (probe > 1) {
        float longest = 0;
        for (int j = 0; j < n; j += probe)
            for (int i = 0; i < n; i += probe)
                project_vertex(s, cam, sc, i, j);
        for (int j = 0; j < n; j += probe) {
            for (int i = 0; i < n; i += probe) {
                const int k = j * n + i;
                const int nb[2] = {i + probe < n ? k + probe : -1,
                                   j + probe < n ? k + probe * n : -1};
                for (int q = 0; q < 2; q++) {
                    if (nb[q] < 0 || sc->vy[k] == -1e9f || sc->vy[nb[q]] == -1e9f)
                        continue;
                    float dx = sc->vx[nb[q]] - sc->vx[k], dy = sc->vy[nb[q]] - sc->vy[k];
                    float d = sqrtf(dx * dx + dy * dy);
                    longest = d > longest ? d : longest;
                }
            }
        }
        const double cell_px = longest / probe / s->spec->ss;
        const int coarsest = (n - 1) / SCENE3D_LOD_MIN_CELLS;
        if (cell_px > 0 && coarsest > 1)
            stride = num_clamp_int(floor(SCENE3D_LOD_PX / cell_px), 1,
                                   coarsest < probe ? coarsest : probe);
    }
    sc->nlod = 0;
    for (int i = 0; i < n - 1; i += stride)
        sc->lod[sc->nlod++] = i;
    sc->lod[sc->nlod++] = n - 1;
    for (int b = 0; b < sc->nlod; b++)
        for (int a = 0; a < sc->nlod; a++)
            project_vertex(s, cam, sc, sc->lod[a], sc->lod[b]);
}

/* -------------------------------------------------------------- render */

void scene3d_pixels(Rect v, int px[4]) {
    px[0] = (int)v.x;
    px[1] = (int)v.y;
    px[2] = (int)v.w;
    px[3] = (int)v.h;
    if (px[2] < 4 || px[3] < 4)
        px[2] = px[3] = 0;
}

void scene3d_render(const Scene3D *scene, Scene3DScratch *sc, Rect v, const int *runs, int nruns,
                    CameraPose pose, const TimelineMoment *m, double scale, uint8_t *rgb,
                    Scene3DRunState *ts) {
    const double step = m->step;
    /* Lines and markers at this view's size unit. */
    Scene3D sv = *scene;
    sv.scale = scale;
    const Scene3D *s = &sv;
    const Config *cfg = s->spec->cfg;
    const int ss = s->spec->ss;
    int px[4];
    scene3d_pixels(v, px);
    const int vx = px[0], vy = px[1], vw = px[2], vh = px[3];
    if (vw == 0)
        return;
    Camera cs;
    camera_setup(&cs, pose, 0, 0, (double)vw * ss, (double)vh * ss);

    struct DrawList *main_list = &sc->lists[0], *layer_list = &sc->lists[1];
    main_list->n = layer_list->n = 0;
    emit_panes(s, &cs, main_list);
    for (int i = 0; i < nruns; i++)
        emit_trail(s, &cs, &s->trails[runs[i]], step, main_list, &ts[i]);
    emit_points(s, &cs, main_list);
    for (int i = 0; i < nruns; i++) {
        emit_afterimages(s, &cs, &s->trails[runs[i]], m, &ts[i], main_list);
        emit_start(s, &cs, &s->trails[runs[i]], main_list);
    }
    emit_pins(s, &cs, sc, main_list);
    for (int i = 0; i < nruns; i++) {
        emit_ball(s, &cs, &s->trails[runs[i]], &ts[i], main_list);
        /* Supersampled view pixels to output pixels. */
        ts[i].ball_x = (float)(vx + ts[i].ball_x / ss);
        ts[i].ball_y = (float)(vy + ts[i].ball_y / ss);
        ts[i].ball_r /= (float)ss;
    }
    for (int i = 0; i < sc->npins; i++) {
        sc->pins[i].top_x = (float)(vx + sc->pins[i].top_x / ss);
        sc->pins[i].top_y = (float)(vy + sc->pins[i].top_y / ss);
        sc->pins[i].foot_x = (float)(vx + sc->pins[i].foot_x / ss);
        sc->pins[i].foot_y = (float)(vy + sc->pins[i].foot_y / ss);
    }
    if (cfg->surface.wireframe)
        emit_wireframe(s, &cs, layer_list);
    project_surface(s, &cs, sc);

    const Rgb bg = cfg->video.background;
    const int hs = vh * ss;
    const float opacity = (float)cfg->surface.opacity;
    sc->band.w = sc->layer.w = vw * ss;
    const int smooth = ss == 1 && s->spec->aa;
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
        /* The layer's colour is only read where its depth was written, and
         * its depth only in the surface's columns and one beyond (the
         * silhouette test's neighbours): only those are reset. */
        const int lw = sc->layer.w;
        int cx0, cx1;
        surface_columns(s, sc, (float)ya, (float)yb, lw, &cx0, &cx1);
        const int fx0 = cx0 > 1 ? cx0 - 2 : 0, fx1 = cx1 + 2 < lw ? cx1 + 2 : lw;
        for (int r = 0; r < yb - ya && cx0 < cx1; r++)
            raster_fill_depth(sc->layer.depth + (size_t)r * lw + fx0, (size_t)(fx1 - fx0));
        draw_surface(s, sc, (float)ya, (float)yb);
        draw_list(&sc->layer, layer_list, (float)ya, (float)yb);
        raster_composite_layer_cols(&sc->band, &sc->layer, opacity, cx0, cx1);
        uint8_t *frame_rows = rgb + ((size_t)(vy + y0 / ss) * s->spec->width + vx) * 3;
        if (smooth) {
            const int mx0 = cx0 > 1 ? cx0 - 1 : 1, mx1 = cx1 + 1 < lw - 1 ? cx1 + 1 : lw - 1;
            smooth_edges_copy(&sc->band, &sc->layer, sc->edge_mask, y0 - ya, rows,
                              cx0 < cx1 ? mx0 : 0, cx0 < cx1 ? mx1 : 0, frame_rows,
                              (size_t)s->spec->width * 3);
            continue;
        }
        RasterTarget dst = {vw, rows / ss, sc->resolved, NULL};
        raster_resolve(&dst, &sc->band, ss);
        for (int r = 0; r < rows / ss; r++)
            memcpy(frame_rows + (size_t)r * s->spec->width * 3, sc->resolved + (size_t)r * vw * 3,
                   (size_t)vw * 3);
    }
    sc->band.w = sc->layer.w = s->spec->width * ss;
    sc->band.h = sc->layer.h = sc->band_rows;
}

/* -------------------------------------------------------------- labels */

static void draw_text(TextRenderer *tr, RasterTarget *out, const char *str, double size, double x,
                      double y, int align, const float c[3]) {
    if (!out)
        return; /* placing labels only (scene3d_label_boxes) */
    text_draw(tr, out, str, (float)size, (float)x, (float)y, align, c[0], c[1], c[2], 1.0f);
}

/* Labels already placed in a view, so no two collide and none reads as
 * part of another axis. */
typedef struct Placed {
    int n;
    Rect r[SCENE3D_MAX_LABELS];
    int stride[2]; /* every stride-th tick of each parameter axis is shown */
} Placed;

static int overlaps(Rect a, Rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* The box a label drawn at (x, y) with align takes, padded by pad. */
static Rect label_rect(TextRenderer *tr, const char *str, double size, double x, double y,
                       int align, double pad) {
    float w, asc, desc;
    text_measure(tr, str, (float)size, &w, &asc, &desc);
    double left = align == TEXT_LEFT ? x : align == TEXT_CENTER ? x - w / 2 : x - w;
    return (Rect){left - pad, y - asc - pad, w + 2 * pad, asc + desc + 2 * pad};
}

/* Reserves r; 0 (and nothing reserved) when it collides or leaves clip. */
static int reserve(Placed *pl, Rect r, Rect clip) {
    if (r.x < clip.x || r.y < clip.y || r.x + r.w > clip.x + clip.w || r.y + r.h > clip.y + clip.h)
        return 0;
    for (int i = 0; i < pl->n; i++)
        if (overlaps(r, pl->r[i]))
            return 0;
    if (pl->n < SCENE3D_MAX_LABELS)
        pl->r[pl->n++] = r;
    return 1;
}

/* Where tick k of parameter axis ax is drawn ((x, y): its label's anchor,
 * centred) and the padded box its label takes; 0 when it does not
 * project. */
static int param_tick_box(const Scene3D *s, TextRenderer *tr, const Camera *co, int ax, int k,
                          double size, double xf, double yf, double zf, Rect *r, float *x,
                          float *y) {
    const Ticks *A = &s->land->axis[ax];
    double t = -1.0 + 2.0 * (A->v[k] - A->lo) / (A->hi - A->lo);
    double w[3] = {ax == 0 ? t : -xf * 1.14, ax == 0 ? -yf * 1.14 : t, zf};
    float z;
    if (!camera_project(co, w, x, y, &z))
        return 0;
    *r = label_rect(tr, A->label[k], size, *x, *y + 0.35 * size, TEXT_CENTER, 0.15 * size);
    return 1;
}

/* One parameter axis's tick labels, every stride-th. A tick whose label
 * would touch another axis's labels (or leave the view) is dropped. Without
 * commit: 1 when the remaining ticks do not touch each other, else 0 (the
 * caller then thins them). With commit: places them (and draws them into
 * out unless it is NULL). */
static int axis_ticks_fit(const Scene3D *s, TextRenderer *tr, const Camera *co, Placed *pl,
                          Rect clip, int ax, int stride, double size, double xf, double yf,
                          double zf, int commit, RasterTarget *out) {
    const Ticks *A = &s->land->axis[ax];
    Placed own = {0};
    float x, y;
    for (int k = 0; k < A->n; k += stride) {
        Rect r;
        if (!param_tick_box(s, tr, co, ax, k, size, xf, yf, zf, &r, &x, &y))
            continue;
        Placed others = *pl;
        if (!reserve(&others, r, clip))
            continue; /* near another axis's labels: dropped */
        if (!reserve(&own, r, clip)) {
            if (!commit)
                return 0; /* crowded: fewer ticks */
            continue;
        }
        if (commit) {
            reserve(pl, r, clip);
            draw_text(tr, out, A->label[k], size, x, y + 0.35 * size, TEXT_CENTER,
                      s->spec->theme.ink);
        }
    }
    return 1;
}

/* The box's labels: the loss axis first (its column kept clear below its
 * lowest tick, so no parameter tick reads as a loss value), then the axis
 * names, then each parameter axis's ticks, thinned to every second or
 * fourth tick rather than crowded; nothing outside the view. */
static void draw_axes_labels(const Scene3D *s, TextRenderer *tr, const Camera *co, Rect clip,
                             RasterTarget *out, Placed *placed) {
    const float *ink = s->spec->theme.ink;
    const double u = s->scale;
    const double tu = u * s->spec->text_scale;
    const double tick_px = SCENE3D_TICK_PX * tu, name_px = SCENE3D_NAME_PX * tu;
    double xf = co->eye[0] > 0 ? -1 : 1, yf = co->eye[1] > 0 ? -1 : 1;
    double zf = co->eye[2] > 0 ? -H : H;
    float x, y, z;
    Placed pl = {0};
    /* The loss axis keeps the video's corner (no jumps as the camera
     * turns) unless it came nearest the eye; then the leftmost other. */
    double cx = s->loss_corner[0], cy = s->loss_corner[1];
    if (cx == -xf && cy == -yf) {
        double c[2];
        leftmost_corner(co, c);
        cx = c[0];
        cy = c[1];
    }
    const Ticks *A = &s->land->axis[2];
    Rect column = {0, 0, 0, 0};
    /* Every tick, or every second or fourth when they would touch: evenly
     * spaced, never with gaps where one happened to collide. */
    int stride = 1;
    for (; stride < 4; stride *= 2) {
        Placed trial = {0};
        int ok = 1;
        for (int k = 0; k < A->n && ok; k += stride) {
            double t = -1.0 + 2.0 * (A->v[k] - A->lo) / (A->hi - A->lo);
            double w[3] = {cx, cy, t * H};
            if (camera_project(co, w, &x, &y, &z))
                ok = reserve(&trial,
                             label_rect(tr, A->label[k], tick_px, x - 10 * u, y + 0.35 * tick_px,
                                        TEXT_RIGHT, 0.1 * tick_px),
                             clip);
        }
        if (ok)
            break;
    }
    for (int k = 0; k < A->n; k += stride) {
        double t = -1.0 + 2.0 * (A->v[k] - A->lo) / (A->hi - A->lo);
        double w[3] = {cx, cy, t * H};
        if (!camera_project(co, w, &x, &y, &z))
            continue;
        Rect r = label_rect(tr, A->label[k], tick_px, x - 10 * u, y + 0.35 * tick_px, TEXT_RIGHT,
                            0.1 * tick_px);
        if (!reserve(&pl, r, clip))
            continue;
        draw_text(tr, out, A->label[k], tick_px, x - 10 * u, y + 0.35 * tick_px, TEXT_RIGHT, ink);
        if (column.w == 0) {
            column = r;
        } else {
            double x0 = fmin(column.x, r.x), y0 = fmin(column.y, r.y);
            double x1 = fmax(column.x + column.w, r.x + r.w);
            double y1 = fmax(column.y + column.h, r.y + r.h);
            column = (Rect){x0, y0, x1 - x0, y1 - y0};
        }
    }
    if (column.w > 0) {
        /* The column stands for the loss ticks it holds. */
        column.h += 1.6 * tick_px; /* below the lowest tick too */
        pl.n = 0;
        pl.r[pl.n++] = column;
    }
    double top[3] = {cx, cy, H};
    char lname[GD_LABEL_MAX + 8];
    snprintf(lname, sizeof lname, "%s%s", s->spec->cfg->labels.loss,
             s->land->zscale == ZSCALE_LOG ? " (log)" : "");
    if (camera_project(co, top, &x, &y, &z) &&
        reserve(&pl, label_rect(tr, lname, name_px, x, y - 14 * u, TEXT_CENTER, 0), clip))
        draw_text(tr, out, lname, name_px, x, y - 14 * u, TEXT_CENTER, ink);
    for (int ax = 0; ax < 2; ax++) {
        double w[3] = {ax == 0 ? 0 : -xf * 1.36, ax == 0 ? -yf * 1.36 : 0, zf};
        const char *name = s->spec->view->plane.name[ax];
        if (camera_project(co, w, &x, &y, &z) &&
            reserve(&pl, label_rect(tr, name, name_px, x, y + 0.35 * name_px, TEXT_CENTER, 0),
                    clip))
            draw_text(tr, out, name, name_px, x, y + 0.35 * name_px, TEXT_CENTER, ink);
    }
    for (int ax = 0; ax < 2; ax++)
        for (int stride = 1; stride <= 4; stride *= 2)
            if (axis_ticks_fit(s, tr, co, &pl, clip, ax, stride, tick_px, xf, yf, zf, 0, NULL) ||
                stride == 4) {
                axis_ticks_fit(s, tr, co, &pl, clip, ax, stride, tick_px, xf, yf, zf, 1, out);
                pl.stride[ax] = stride;
                break;
            }
    if (placed)
        *placed = pl;
}

/* "diverged at step k" where a run left, once the clock has got there. */
static void draw_divergence_labels(const Scene3D *s, TextRenderer *tr, RasterTarget *out,
                                   const Rect *view, const int *runs, int nruns,
                                   const Scene3DRunState *ts, double step, Placed *pl) {
    const double u = s->scale;
    float w, asc, desc;
    for (int i = 0; i < nruns; i++) {
        int r = runs[i];
        const Trajectory *t = s->trails[r].trail->traj;
        if (t->status != RUN_DIVERGED || step < t->diverged_step)
            continue;
        char buf[64];
        config_label_diverged(s->spec->cfg, t->diverged_step, buf, sizeof buf);
        const double size = SCENE3D_DIVERGED_PX * u * s->spec->text_scale;
        text_measure(tr, buf, (float)size, &w, &asc, &desc);
        double x =
            ts[i].has_end ? view->x + ts[i].end_x / s->spec->ss + 12 * u : view->x + view->w / 2;
        double y = ts[i].has_end ? view->y + ts[i].end_y / s->spec->ss : view->y + view->h / 2;
        x = fmin(fmax(x, view->x + 8 * u), view->x + view->w - w - 8 * u);
        y = fmin(fmax(y, view->y + asc + 4 * u), view->y + view->h - desc - 4 * u);
        raster_fill_rect(out, (float)(x - 4 * u), (float)(y - asc - 3 * u), (float)(x + w + 4 * u),
                         (float)(y + desc + 3 * u), s->spec->theme.box[0], s->spec->theme.box[1],
                         s->spec->theme.box[2], 0.85f);
        /* Drawn whatever it covers; later labels keep off it. */
        if (pl->n < SCENE3D_MAX_LABELS)
            pl->r[pl->n++] = (Rect){x - 4 * u, y - asc - 3 * u, w + 8 * u, asc + desc + 6 * u};
        draw_text(tr, out, buf, size, x, y, TEXT_LEFT, s->trails[r].trail->color);
    }
}

/* Whether the world point w (lifted toward the eye as its marker is) is
 * in sight: the straight line from it to the eye never passes under the
 * drawn surface inside the box. */
static int in_sight(const Scene3D *s, const Camera *cam, const double w[3]) {
    double d[3] = {cam->eye[0] - w[0], cam->eye[1] - w[1], cam->eye[2] - w[2]};
    double len = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (!(len > 0))
        return 1;
    const double step = 1.0 / (s->land->res - 1); /* half a grid cell */
    for (double t = step; t < len; t += step) {
        double p[3] = {w[0] + t * d[0] / len, w[1] + t * d[1] / len, w[2] + t * d[2] / len};
        if (!in_box_xy(p) || p[2] > H)
            return 1;
        if (p[2] < mesh_z(s, p[0], p[1]))
            return 0;
    }
    return 1;
}

/* A square of half side r around (x, y). */
static Rect square(double x, double y, double r) {
    return (Rect){x - r, y - r, 2 * r, 2 * r};
}

/* The labels of the marks and minima in sight (marks.h), in spec order,
 * inside the view: never over the box's labels (pl), where a tick label of
 * the shown ones could go (one left out where it met another axis's labels
 * may come back), the readouts (keep_clear), a marker, a start marker, a
 * trail, or a ball with its afterimages (all of them, so that a bouncing
 * ball does not make a label flicker); a label with no room is left out.
 * A point whose marker the surface hides has no label. */
static int draw_point_labels(const Scene3D *s, TextRenderer *tr, const Camera *co, Rect clip,
                             Rect keep_clear, const int *runs, int nruns, const TimelineMoment *m,
                             const Scene3DRunState *ts, RasterTarget *out, const Placed *pl,
                             Rect *boxes, int max) {
    const FrameSpec *sp = s->spec;
    int nboxes = 0;
    if (sp->npoints == 0)
        return 0;
    const double u = s->scale, size = SCENE3D_MARK_PX * u * sp->text_scale;
    /* Room for the box's labels, the readouts, the ticks, the markers and
     * their labels, and each run's start and ball. */
    enum {
        NRECT = SCENE3D_MAX_LABELS + 1 + 2 * LANDSCAPE_TICKS_MAX + 2 * FRAME_MAX_POINTS +
                2 * GD_MAX_RUNS,
        NSEG = 4096
    };
    Rect rect[NRECT];
    float seg[NSEG][4];
    FrameObstacles o = {
        .area = clip, .rect = rect, .cap = NRECT, .seg = seg, .seg_hw = 3 * u, .own = -1};
    for (int i = 0; i < pl->n; i++)
        rect[o.nrect++] = pl->r[i];
    if (keep_clear.w > 0 && keep_clear.h > 0)
        rect[o.nrect++] = keep_clear;
    const double tick_px = SCENE3D_TICK_PX * u * sp->text_scale;
    const double xf = co->eye[0] > 0 ? -1 : 1, yf = co->eye[1] > 0 ? -1 : 1;
    const double zf = co->eye[2] > 0 ? -H : H;
    for (int ax = 0; ax < 2; ax++) {
        const int every = pl->stride[ax] > 0 ? pl->stride[ax] : 1;
        for (int k = 0; k < s->land->axis[ax].n; k += every) {
            float x, y;
            if (param_tick_box(s, tr, co, ax, k, tick_px, xf, yf, zf, &rect[o.nrect], &x, &y))
                o.nrect++;
        }
    }
    float px[FRAME_MAX_POINTS], py[FRAME_MAX_POINTS];
    int seen[FRAME_MAX_POINTS], own[FRAME_MAX_POINTS];
    for (int i = 0; i < sp->npoints; i++) {
        double w[3];
        RasterVertex v;
        own[i] = -1;
        seen[i] = point_world(s, &sp->points[i], w) && project_lifted(co, w, SCENE3D_MARK_LIFT, &v);
        if (!seen[i])
            continue;
        px[i] = v.x;
        py[i] = v.y;
        own[i] = o.nrect;
        rect[o.nrect++] = square(v.x, v.y, point_radius(&sp->points[i], u) + 1.5 * u);
        /* The lifted point, as the marker is drawn: hidden where its centre is. */
        double d[3] = {co->eye[0] - w[0], co->eye[1] - w[1], co->eye[2] - w[2]};
        double len = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        double q[3];
        for (int k = 0; k < 3; k++)
            q[k] = w[k] + SCENE3D_MARK_LIFT * d[k] / len;
        seen[i] = in_sight(s, co, q);
    }
    /* Each run's start marker, and its trail up to the ball, through at
     * most NSEG points in all. */
    for (int i = 0; i < nruns; i++) {
        const Scene3DTrail *t = &s->trails[runs[i]];
        RasterVertex v;
        if (t->npoints == 0)
            continue;
        if (in_box_xy(t->point[0]) && project_lifted(co, t->point[0], SCENE3D_START_LIFT, &v))
            rect[o.nrect++] = square(v.x, v.y, 9.5 * u);
        const int last = ts[i].row < t->npoints ? ts[i].row : t->npoints - 1;
        /* The ball and its afterimages: one box around them all. */
        Rect ball = {0, 0, 0, 0};
        int first = (int)floor(m->recent) + 1;
        first = first < 0 ? 0 : first > last ? last : first;
        for (int k = first; k <= last + 1; k++) {
            const double *w = k > last ? ts[i].ball : t->point[k];
            if (k > last && !ts[i].ball_in_box)
                continue;
            if (!in_box_xy(w) || !project_lifted(co, w, SCENE3D_BALL_LIFT, &v))
                continue;
            Rect b = square(v.x, v.y, 8.5 * u);
            if (ball.w == 0) {
                ball = b;
            } else {
                double x0 = fmin(ball.x, b.x), y0 = fmin(ball.y, b.y);
                double x1 = fmax(ball.x + ball.w, b.x + b.w), y1 = fmax(ball.y + ball.h, b.y + b.h);
                ball = (Rect){x0, y0, x1 - x0, y1 - y0};
            }
        }
        if (ball.w > 0)
            rect[o.nrect++] = ball;
        const int budget = NSEG / nruns > 16 ? NSEG / nruns : 16;
        const int stride = last / budget + 1;
        RasterVertex a = {0}, b;
        int have = 0;
        for (int k = 0;; k = k + stride < last ? k + stride : last + (k == last)) {
            /* Rows 0, stride, ... and the last, then the ball. */
            const double *w = k <= last ? t->point[k] : ts[i].ball;
            int ok = in_box_xy(w) && project_lifted(co, w, SCENE3D_TRAIL_LIFT, &b);
            if (ok && o.nseg < NSEG) {
                const RasterVertex *from = have ? &a : &b;
                float *q = seg[o.nseg++];
                q[0] = from->x;
                q[1] = from->y;
                q[2] = b.x;
                q[3] = b.y;
            }
            a = b;
            have = ok;
            if (k > last)
                break;
        }
    }
    for (int i = 0; i < sp->npoints; i++) {
        FrameLabel l;
        o.own = own[i];
        if (!seen[i] || !frame_label_place(tr, &sp->points[i], size, 3 * u, px[i], py[i],
                                           point_radius(&sp->points[i], u) + 5 * u, &o, &l))
            continue;
        if (out)
            frame_label_draw(tr, out, &sp->points[i], size, &l, sp->theme.box, sp->theme.ink);
        if (boxes && nboxes < max)
            boxes[nboxes++] = l.box;
    }
    return nboxes;
}

int scene3d_draw_labels(const Scene3D *scene, TextRenderer *tr, RasterTarget *out, Rect v,
                        Rect keep_clear, const int *runs, int nruns, CameraPose pose,
                        const TimelineMoment *m, double scale, const Scene3DRunState *ts,
                        Rect *point_boxes, int max) {
    const double step = m->step;
    Scene3D sv = *scene;
    sv.scale = scale;
    Camera co;
    camera_setup(&co, pose, floor(v.x), v.y, floor(v.w), v.h);
    Placed pl;
    draw_axes_labels(&sv, tr, &co, v, out, &pl);
    draw_divergence_labels(&sv, tr, out, &v, runs, nruns, ts, step, &pl);
    return draw_point_labels(&sv, tr, &co, v, keep_clear, runs, nruns, m, ts, out, &pl, point_boxes,
                             max);
}

int scene3d_label_boxes(const Scene3D *scene, TextRenderer *tr, Rect v, CameraPose pose,
                        double scale, Rect *boxes, int max) {
    Scene3D sv = *scene;
    sv.scale = scale;
    Camera co;
    camera_setup(&co, pose, floor(v.x), v.y, floor(v.w), v.h);
    Placed pl;
    draw_axes_labels(&sv, tr, &co, v, NULL, &pl);
    int n = pl.n < max ? pl.n : max;
    memcpy(boxes, pl.r, sizeof(Rect) * (size_t)n);
    return n;
}
