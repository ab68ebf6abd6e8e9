/*
 * plane.h — the plane of parameter space that a video shows.
 *
 * Pipeline place: view stage, after sim. A Plane is an origin and two
 * orthonormal directions in the model's parameter space; plane coordinates
 * (u, v) of a parameter vector p are its projection, and the plane point of
 * (u, v) is origin + u * dir[0] + v * dir[1]. Everything drawn downstream
 * (the landscape, the 3D scene, the panels) sees plane coordinates only, so
 * it never knows how many parameters the model has.
 *
 * For today's two-parameter models the plane is the identity: origin 0 and
 * the unit vectors of parameters 1 and 2. A direction that is a unit vector
 * of one parameter is an "axis" direction, projected by copying that
 * parameter, so identity-plane coordinates are the parameter values to the
 * last bit.
 */
#ifndef GD_PLANE_H
#define GD_PLANE_H

#include <stdio.h>

#include "config/config.h"
#include "sim/sim.h"

typedef struct Plane {
    int nparams;
    PlaneKind kind;      /* how it was chosen ([surface] plane); PLANE_AXES for a slice */
    int curve;           /* 1 for a one-parameter model: dir[1] is zero, v is always 0 */
    double explained[2]; /* PLANE_PCA: each direction's share of the variance, 0..1 */
    double origin[GD_MAX_PARAMS];
    double dir[2][GD_MAX_PARAMS]; /* orthonormal */
    int axis[2];                  /* dir[i] is the unit vector of parameter axis[i]; -1: general */
    char name[2][GD_LABEL_MAX];   /* axis names: the parameter names, or their [labels] */
} Plane;

/* The plane through origin (nparams values; NULL = all zero) spanned by the
 * unit vectors of parameters a and b (distinct, < m->nparams), named after
 * them. */
void plane_init_axes(Plane *pl, const ModelConfig *m, const double *origin, int a, int b);

/* Sets a general plane: origin and two directions (nparams values each),
 * which are orthonormalised (Gram-Schmidt). Returns 0, or -1 when the
 * directions are zero, non-finite or parallel (pl is then unchanged). */
int plane_init(Plane *pl, int nparams, const double *origin, const double *d0, const double *d1,
               const char *name0, const char *name1);

/* The first two principal directions of nrows rows of nparams values
 * (each a parameter vector's delta from the plane's origin), without
 * centring them: the eigenvectors of D^T D with the two largest
 * eigenvalues (D the rows, one per line), as the right singular vectors of
 * an SVD of D. Sign convention: each direction's entry of largest
 * magnitude (the first of equals) is positive. explained[k] is the
 * eigenvalue over the trace of D^T D (the share of the rows' squared
 * length along it). Returns 0, -1 when every row is zero (no plane), or -2
 * when out of memory. */
int plane_pca(const double *rows, long nrows, int nparams, double dir[2][GD_MAX_PARAMS],
              double explained[2]);

/* The plane [surface] plane and center ask for, from the finished runs:
 * a slice through two parameters (the others at center; two parameters
 * without a center: the identity), pca or random; a one-parameter model
 * gets the curve "plane" (dir[0] its unit vector, dir[1] zero). Axis names
 * are the [labels] of the parameters, "PC1 (87%)" or "d1". Returns 0, or
 * GD_ERR_INPUT ("ORIGIN: the runs never leave the center, so they span no
 * plane ...") or GD_ERR_RUNTIME. index picks one of the planes shown side
 * by side ([surface] plane = b, c | pca), 0 the first. */
int plane_from_config(Plane *pl, const Config *cfg, const Trajectory *trajs, int index,
                      GdError *err);

/* Whether the view of cfg is on a plane whose trails can leave it (three
 * or more parameters, or an explicit [surface] plane other than the
 * identity): then the trajectory CSV has plane_u, plane_v and plane_dist
 * and the readout shows the distance. */
int plane_is_projection(const Config *cfg);

/* The trajectory CSV (SPEC section 5) of cfg's runs, with the columns
 * plane_u, plane_v and plane_dist (each row's plane coordinates and
 * distance from the plane) when plane_is_projection(cfg), and
 * plane2_u, ... for a second plane side by side, and so on. Returns 0, -1
 * on a write error (errno set), or the error of plane_from_config. */
int plane_write_csv(FILE *f, const Config *cfg, const Trajectory *trajs, GdError *err);

/* Plane coordinates of parameter vector p (nparams values). */
void plane_project(const Plane *pl, const double *p, double uv[2]);

/* Plane components of a vector d in parameter space (a gradient, a step):
 * its dot products with the two directions (the entries themselves for
 * axis directions). */
void plane_project_vector(const Plane *pl, const double *d, double uv[2]);

/* Distance of p from the plane (0 for any p of a two-parameter model). */
double plane_distance(const Plane *pl, const double *p);

/* The parameter vector at plane coordinates (u, v): nparams values. */
void plane_point(const Plane *pl, double u, double v, double *p);

/* One run's path on the plane: every row's plane coordinates. */
typedef struct ViewTrail {
    const Trajectory *traj;
    int npoints;  /* rows 0..npoints-1 are drawn: up to the first whose shown coordinates
                     leave the divergence limits or whose loss is not finite */
    double *uv;   /* 2 per row, all traj->nrows rows */
    double *dist; /* distance of each row from the plane */
    float *alpha; /* how opaque each row's piece of trail is drawn: 1 on the plane, fading
                     with the distance (view_build sets it from the box; 1 until then) */
    float color[3];
} ViewTrail;

/* Projects every row of t onto pl into *out (colour from the run). Returns
 * 0, or -1 when out of memory (then nothing needs freeing). */
int plane_trail_init(ViewTrail *out, const Plane *pl, const Trajectory *t);
void plane_trail_free(ViewTrail *tr); /* NULL-safe, idempotent */

#endif
