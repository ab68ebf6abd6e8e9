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

#include "config/config.h"
#include "sim/sim.h"

typedef struct Plane {
    int nparams;
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
    float color[3];
} ViewTrail;

/* Projects every row of t onto pl into *out (colour from the run). Returns
 * 0, or -1 when out of memory (then nothing needs freeing). */
int plane_trail_init(ViewTrail *out, const Plane *pl, const Trajectory *t);
void plane_trail_free(ViewTrail *tr); /* NULL-safe, idempotent */

#endif
