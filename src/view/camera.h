/*
 * camera.h — camera keyframes, easing, and the world -> screen projection.
 *
 * Pipeline place: view stage (the camera at time t); frame/scene3d uses the
 * projection. World space: the surface box is x, y in [-1, 1] (box
 * coordinates of the landscape: the plane's two axes) and z in [-CAMERA_BOX_HALF_Z,
 * +CAMERA_BOX_HALF_Z] (the loss), centred on the origin. Angles follow matplotlib's view_init:
 * azimuth -60 and elevation 30 is the classic view; zoom 1 fits the whole
 * box (its bounding sphere) in the viewport's height, zoom 2 doubles the
 * magnification (a narrower field of view, so the eye never enters the box).
 */
#ifndef GD_CAMERA_H
#define GD_CAMERA_H

#include "base/tunables.h"
#include "config/config.h"
#include "view/landscape.h"

typedef struct CameraPose {
    double azimuth, elevation, zoom; /* degrees, degrees, factor */
    double target[3];                /* world point looked at and zoomed into: 0 = box centre */
} CameraPose;

/* The default orbit (no keyframes): a gentle turn of the azimuth from
 * azimuth to azimuth + CAMERA_ORBIT_TURN over the video while the
 * elevation rises by CAMERA_ORBIT_RISE. view/orbit.h chooses it so the
 * trails stay in sight. */
typedef struct CameraOrbit {
    double azimuth, elevation; /* at t = 0, degrees */
} CameraOrbit;

/* The classic start: azimuth -75, elevation 30 (matplotlib's view). */
#define CAMERA_ORBIT_CLASSIC ((CameraOrbit){-75.0, 30.0})

/* The pose at time t seconds. With keyframes: before the first / after the
 * last keyframe, that keyframe's pose; between two, interpolated with the
 * ease (smooth = smoothstep 3u^2 - 2u^3; linear). Without keyframes: the
 * orbit (NULL: the classic one), eased over total_seconds, zoom 1. */
CameraPose camera_pose_at(const CameraConfig *cam, const CameraOrbit *orbit, double t,
                          double total_seconds);

/* World z of a z value (loss, or its log) on a box whose bottom and top
 * are zlo and zhi: -CAMERA_BOX_HALF_Z .. +CAMERA_BOX_HALF_Z, not clamped. */
double camera_world_z(double zlo, double zhi, double z);

/* World height of a loss on the landscape's box, clamped to the box: the
 * height the surface mesh is drawn at. */
double camera_loss_z(const Landscape *ls, double loss);

/* World height of the surface at box coordinates (x, y), bilinear in the
 * grid (clamped to the box's edges). */
double camera_surface_z(const Landscape *ls, double x, double y);

/* A projection for one viewport (pixels of the target: left, top, width,
 * height). */
typedef struct Camera {
    double eye[3];
    double right[3], up[3], fwd[3]; /* view basis in world space */
    double focal;                   /* pixels */
    double cx, cy;                  /* viewport centre in pixels */
} Camera;

void camera_setup(Camera *c, CameraPose pose, double vx, double vy, double vw, double vh);

/* World -> screen: sx, sy in pixels and depth (smaller = nearer, linear in
 * screen space: -1/view distance). Returns 0 if the point is behind the eye
 * (never happens for points in the box). */
int camera_project(const Camera *c, const double world[3], float *sx, float *sy, float *depth);

#endif
