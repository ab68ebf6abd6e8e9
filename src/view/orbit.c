/*
 * orbit.c — see orbit.h.
 *
 * Coordinate spaces as in camera.h: world x, y are the landscape's box
 * coordinates, z the world height of a loss; screen space is pixels of the
 * small depth buffer.
 */
#include "view/orbit.h"

#include <math.h>
#include <stdlib.h>

#include "base/num.h"
#include "base/parallel.h"
#include "base/tunables.h"
#include "draw/raster.h"
#include "view/timeline.h"

#define BALL_LIFT   0.13 /* as the 3D scene lifts its balls toward the eye */
#define GRID_MAX    48   /* surface quads per side judged, at most */
#define TRAIL_PICKS 24   /* trail points sampled per run and moment */

typedef struct Judge {
    const Landscape *ls;
    double *wz; /* world z of each grid vertex */
    RasterTarget depth;
} Judge;

/* World position of a trail row: on the surface inside the box, at its
 * loss's height outside. */
static void row_world(const Judge *j, const ViewTrail *t, int k, double w[3]) {
    const Landscape *ls = j->ls;
    w[0] = landscape_box(ls, 0, t->uv[2 * (size_t)k]);
    w[1] = landscape_box(ls, 1, t->uv[2 * (size_t)k + 1]);
    if (w[0] < -1 || w[0] > 1 || w[1] < -1 || w[1] > 1)
        w[2] = camera_loss_z(ls, t->traj->loss[k]);
    else
        w[2] = camera_surface_z(ls, w[0], w[1]);
}

/* The surface's depth as seen by cam. */
static void draw_surface_depth(Judge *j, const Camera *cam) {
    const int n = j->ls->res, stride = (n - 1 + GRID_MAX - 1) / GRID_MAX;
    RasterTarget *t = &j->depth;
    for (int i = 0; i < t->w * t->h; i++)
        t->depth[i] = INFINITY;
    for (int y = 0; y + stride < n + stride - 1; y += stride) {
        int y1 = y + stride < n ? y + stride : n - 1;
        if (y1 == y)
            break;
        for (int x = 0; x + 1 < n; x += stride) {
            int x1 = x + stride < n ? x + stride : n - 1;
            int ix[4] = {x, x1, x1, x}, iy[4] = {y, y, y1, y1};
            RasterVertex v[4];
            int ok = 1;
            for (int q = 0; q < 4; q++) {
                double w[3] = {-1.0 + 2.0 * ix[q] / (n - 1), -1.0 + 2.0 * iy[q] / (n - 1),
                               j->wz[iy[q] * n + ix[q]]};
                v[q] = (RasterVertex){0, 0, 0, 0, 0, 0, 1};
                ok &= camera_project(cam, w, &v[q].x, &v[q].y, &v[q].z);
            }
            if (!ok)
                continue;
            RasterVertex a[3] = {v[0], v[1], v[2]}, b[3] = {v[0], v[2], v[3]};
            raster_triangle(t, a, RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | RASTER_NO_AA);
            raster_triangle(t, b, RASTER_DEPTH_TEST | RASTER_DEPTH_WRITE | RASTER_NO_AA);
        }
    }
}

/* Whether world point w (lifted toward the eye) is in the picture and not
 * behind the surface; with a radius r (depth-buffer pixels), whether most
 * of a disc around it is: its centre and three of four points at 0.6 r. */
static int visible(const Judge *j, const Camera *cam, const double w[3], double lift, double r) {
    double d[3] = {cam->eye[0] - w[0], cam->eye[1] - w[1], cam->eye[2] - w[2]};
    double len = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    double q[3] = {w[0] + lift * d[0] / len, w[1] + lift * d[1] / len, w[2] + lift * d[2] / len};
    float x, y, z;
    if (!camera_project(cam, q, &x, &y, &z))
        return 0;
    static const int off[5][2] = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    int seen = 0;
    for (int i = 0; i < (r > 0 ? 5 : 1); i++) {
        /* Clamped before the conversion: a row far outside a tiny box
         * projects to billions of pixels (or inf); -1 and w are outside. */
        int px = num_clamp_int(floor(x + 0.6 * r * off[i][0]), -1, j->depth.w);
        int py = num_clamp_int(floor(y + 0.6 * r * off[i][1]), -1, j->depth.h);
        if (px < 0 || py < 0 || px >= j->depth.w || py >= j->depth.h) {
            if (i == 0)
                return 0;
            continue;
        }
        int in_sight = j->depth.depth[(size_t)py * j->depth.w + px] >= z - 1e-4f;
        if (i == 0 && !in_sight)
            return 0;
        seen += in_sight;
    }
    return r > 0 ? seen >= 4 : seen;
}

OrbitScore orbit_score(const Config *cfg, const Landscape *ls, const ViewTrail *trails, int ntrails,
                       int max_steps, const CameraOrbit *o) {
    OrbitScore sc = {-1, -1, -1};
    long *run_in = calloc((size_t)(ntrails > 0 ? ntrails : 1), 2 * sizeof(long));
    Judge j = {ls, malloc(sizeof(double) * (size_t)ls->res * ls->res), {0}};
    if (!j.wz || !run_in || raster_target_init(&j.depth, ORBIT_DEPTH_W, ORBIT_DEPTH_H, 1) != 0) {
        free(j.wz);
        free(run_in);
        return sc;
    }
    /* The ball's radius in the depth buffer, as the 3D scene draws it in a
     * full-height view. */
    const double ball_r = 7.0 * ORBIT_DEPTH_H / 720.0;
    for (int k = 0; k < ls->res * ls->res; k++)
        j.wz[k] = camera_loss_z(ls, ls->loss[k]);
    const double total = cfg->video.duration + cfg->video.hold;
    const int nframes = config_frame_count(cfg);
    long balls = 0, balls_seen = 0, points = 0, points_seen = 0;
    for (int m = 0; m < ORBIT_SAMPLES; m++) {
        int frame = (int)((m + 0.5) * nframes / ORBIT_SAMPLES);
        TimelineMoment tm;
        timeline_moment(cfg, max_steps, frame, &tm);
        CameraPose pose = camera_pose_at(&cfg->camera, o, tm.t, total);
        Camera cam;
        camera_setup(&cam, pose, 0, 0, ORBIT_DEPTH_W, ORBIT_DEPTH_H);
        draw_surface_depth(&j, &cam);
        for (int r = 0; r < ntrails; r++) {
            const ViewTrail *t = &trails[r];
            if (t->npoints == 0)
                continue;
            int last = (int)fmin(floor(tm.step), t->npoints - 1);
            double w[3];
            row_world(&j, t, last, w);
            /* A ball that left the box is not drawn: nothing to see. */
            if (w[0] >= -1 && w[0] <= 1 && w[1] >= -1 && w[1] <= 1) {
                int seen = visible(&j, &cam, w, BALL_LIFT, ball_r);
                balls++;
                balls_seen += seen;
                run_in[2 * r]++;
                run_in[2 * r + 1] += seen;
            }
            for (int p = 0; p < TRAIL_PICKS && last > 0; p++) {
                row_world(&j, t, (int)((long)last * p / (TRAIL_PICKS - 1)), w);
                points++;
                points_seen += visible(&j, &cam, w, 0.02, 0);
            }
        }
    }
    raster_target_free(&j.depth);
    free(j.wz);
    sc.balls = 1;
    for (int r = 0; r < ntrails; r++)
        if (run_in[2 * r] > 0)
            sc.balls = fmin(sc.balls, (double)run_in[2 * r + 1] / run_in[2 * r]);
    free(run_in);
    sc.balls_mean = balls ? (double)balls_seen / balls : 1;
    sc.trails = points ? (double)points_seen / points : 1;
    return sc;
}

/* The candidates: the classic orbit, then at each elevation eight
 * azimuths, two in each quadrant, whose whole turn over the video stays
 * inside it: the eye never crosses a wall's plane, so the back walls and
 * the axis labels never jump from one side to the other mid-video. */
enum { N_ELEVATIONS = 4, N_CANDIDATES = 1 + 8 * N_ELEVATIONS };

typedef struct Candidates {
    const Config *cfg;
    const Landscape *ls;
    const ViewTrail *trails;
    int ntrails, max_steps;
    CameraOrbit orbit[N_CANDIDATES];
    OrbitScore score[N_CANDIDATES];
} Candidates;

static void score_range(void *ctx, int lo, int hi) {
    Candidates *c = ctx;
    for (int i = lo; i < hi; i++)
        c->score[i] = orbit_score(c->cfg, c->ls, c->trails, c->ntrails, c->max_steps, &c->orbit[i]);
}

CameraOrbit orbit_choose(const Config *cfg, const Landscape *ls, const ViewTrail *trails,
                         int ntrails, int max_steps, int threads) {
    static const double elevations[N_ELEVATIONS] = {30, 42, 55, 70};
    static Candidates c0;
    Candidates *c = malloc(sizeof *c);
    if (!c)
        return CAMERA_ORBIT_CLASSIC;
    *c = c0;
    c->cfg = cfg;
    c->ls = ls;
    c->trails = trails;
    c->ntrails = ntrails;
    c->max_steps = max_steps;
    c->orbit[0] = CAMERA_ORBIT_CLASSIC;
    for (int e = 0; e < N_ELEVATIONS; e++)
        for (int a = 0; a < 8; a++)
            c->orbit[1 + 8 * e + a] = (CameraOrbit){
                CAMERA_ORBIT_CLASSIC.azimuth + 90.0 * (a / 2) + 25.0 * (a % 2), elevations[e]};
    /* Scored on the threads; chosen in order, so -j never changes it. */
    parallel_for(threads, N_CANDIDATES, score_range, c);
    CameraOrbit best = c->orbit[0];
    double best_value = 3 * c->score[0].balls + c->score[0].balls_mean + c->score[0].trails;
    for (int i = 1; i < N_CANDIDATES; i++) {
        const OrbitScore *s = &c->score[i];
        int e = (i - 1) / 8, a = (i - 1) % 8;
        /* A steeper or turned view must be clearly better to win. */
        double value = 3 * s->balls + s->balls_mean + s->trails - 0.02 * (e + (a != 0));
        if (value > best_value + 1e-9) {
            best_value = value;
            best = c->orbit[i];
        }
    }
    free(c);
    return best;
}
