/*
 * camera.c — see camera.h.
 */
#include "view/camera.h"

#include <math.h>

#define DEG (3.14159265358979323846 / 180.0)

static double ease(Ease e, double u) {
    return e == EASE_LINEAR ? u : u * u * (3.0 - 2.0 * u);
}

double camera_world_z(double zlo, double zhi, double z) {
    return -CAMERA_BOX_HALF_Z + 2.0 * CAMERA_BOX_HALF_Z * (z - zlo) / (zhi - zlo);
}

double camera_loss_z(const Landscape *ls, double loss) {
    double z = camera_world_z(ls->zlo, ls->zhi, landscape_z(ls->zscale, loss));
    return fmax(-CAMERA_BOX_HALF_Z, fmin(CAMERA_BOX_HALF_Z, z));
}

double camera_surface_z(const Landscape *ls, double x, double y) {
    int n = ls->res;
    double gx = fmin(fmax((x + 1) * 0.5 * (n - 1), 0), n - 1);
    double gy = fmin(fmax((y + 1) * 0.5 * (n - 1), 0), n - 1);
    int i = (int)fmin(floor(gx), n - 2), j = (int)fmin(floor(gy), n - 2);
    double fx = gx - i, fy = gy - j, z[4];
    const int k[4] = {j * n + i, j * n + i + 1, (j + 1) * n + i, (j + 1) * n + i + 1};
    for (int q = 0; q < 4; q++)
        z[q] = camera_loss_z(ls, ls->loss[k[q]]);
    return (z[0] * (1 - fx) + z[1] * fx) * (1 - fy) + (z[2] * (1 - fx) + z[3] * fx) * fy;
}

CameraPose camera_pose_at(const CameraConfig *cam, const CameraOrbit *orbit, double t,
                          double total_seconds) {
    CameraPose p = {0};
    if (cam->nkeys == 0) {
        double u = total_seconds > 0 ? t / total_seconds : 0;
        if (u < 0)
            u = 0;
        if (u > 1)
            u = 1;
        u = ease(EASE_SMOOTH, u);
        const CameraOrbit o = orbit ? *orbit : CAMERA_ORBIT_CLASSIC;
        p.azimuth = o.azimuth + CAMERA_ORBIT_TURN * u;
        p.elevation = o.elevation + CAMERA_ORBIT_RISE * u;
        p.zoom = 1.0;
        return p;
    }
    const CameraKey *k = cam->keys;
    int n = cam->nkeys;
    if (t <= k[0].t || n == 1) {
        p = (CameraPose){k[0].azimuth, k[0].elevation, k[0].zoom, {0, 0, 0}};
        return p;
    }
    if (t >= k[n - 1].t) {
        p = (CameraPose){k[n - 1].azimuth, k[n - 1].elevation, k[n - 1].zoom, {0, 0, 0}};
        return p;
    }
    int i = 0;
    while (i + 1 < n && k[i + 1].t <= t)
        i++;
    double u = (t - k[i].t) / (k[i + 1].t - k[i].t);
    u = ease(cam->ease, u);
    p.azimuth = k[i].azimuth + (k[i + 1].azimuth - k[i].azimuth) * u;
    p.elevation = k[i].elevation + (k[i + 1].elevation - k[i].elevation) * u;
    /* Zoom is a magnification: interpolate it geometrically so a 1 -> 4
     * zoom feels even. */
    p.zoom = k[i].zoom * pow(k[i + 1].zoom / k[i].zoom, u);
    return p;
}

void camera_setup(Camera *c, CameraPose pose, double vx, double vy, double vw, double vh) {
    const double half_fov = 0.5 * CAMERA_FOV_DEG * DEG;
    const double radius = sqrt(2.0 + CAMERA_BOX_HALF_Z * CAMERA_BOX_HALF_Z);
    const double dist = radius / sin(half_fov);
    double az = pose.azimuth * DEG, el = pose.elevation * DEG;
    double dir[3] = {cos(el) * cos(az), cos(el) * sin(az), sin(el)}; /* origin -> eye */
    for (int i = 0; i < 3; i++) {
        c->eye[i] = pose.target[i] + dist * dir[i];
        c->fwd[i] = -dir[i];
    }
    /* right = fwd x up_world, up = right x fwd; up_world = +z. At the poles
     * (elevation +-90) fall back to the azimuth's tangent. */
    double r[3] = {c->fwd[1], -c->fwd[0], 0.0};
    double rl = sqrt(r[0] * r[0] + r[1] * r[1]);
    if (rl < 1e-9) {
        r[0] = -sin(az);
        r[1] = cos(az);
        rl = 1.0;
    }
    for (int i = 0; i < 3; i++)
        c->right[i] = r[i] / rl;
    c->up[0] = c->right[1] * c->fwd[2] - c->right[2] * c->fwd[1];
    c->up[1] = c->right[2] * c->fwd[0] - c->right[0] * c->fwd[2];
    c->up[2] = c->right[0] * c->fwd[1] - c->right[1] * c->fwd[0];
    /* 0.92: a margin for the tick labels outside the box. */
    double fit = 0.92 * (vh < vw ? vh : vw);
    c->focal = pose.zoom * 0.5 * fit / tan(half_fov);
    c->cx = vx + 0.5 * vw;
    c->cy = vy + 0.5 * vh;
}

int camera_project(const Camera *c, const double w[3], float *sx, float *sy, float *depth) {
    double d[3] = {w[0] - c->eye[0], w[1] - c->eye[1], w[2] - c->eye[2]};
    double xv = d[0] * c->right[0] + d[1] * c->right[1] + d[2] * c->right[2];
    double yv = d[0] * c->up[0] + d[1] * c->up[1] + d[2] * c->up[2];
    double zv = d[0] * c->fwd[0] + d[1] * c->fwd[1] + d[2] * c->fwd[2];
    if (zv <= 1e-6)
        return 0;
    *sx = (float)(c->cx + c->focal * xv / zv);
    *sy = (float)(c->cy - c->focal * yv / zv);
    *depth = (float)(-1.0 / zv);
    return 1;
}
