/*
 * geom.h — small shared geometry: rectangles in output pixels and the one
 * segment clipper (Liang-Barsky) that the 3D scene and the 2D panels use.
 *
 * Pipeline place: base, below every stage.
 */
#ifndef GD_GEOM_H
#define GD_GEOM_H

/* A rectangle in output pixels: left, top, width, height (x right, y down). */
typedef struct Rect {
    double x, y, w, h;
} Rect;

/* Liang-Barsky: the part of the segment a->b (dims coordinates each, 1..3)
 * inside the box lo..hi, as parameters 0 <= *t0 <= *t1 <= 1 along it.
 * A coordinate along which the segment does not move (|d| < 1e-15) keeps the
 * segment when it lies within tol of the box's slab. Returns 1 when
 * something is left, 0 otherwise (also for non-finite input). */
int geom_clip_segment(int dims, const double *a, const double *b, const double *lo,
                      const double *hi, double tol, double *t0, double *t1);

/* 1 when the convex hull of the n points (x, y pairs in xy; n <= 64)
 * overlaps the rectangle r with positive area, 0 when they are apart or
 * only touch (separating axes: r's two, and the hull's edge normals). */
int geom_hull_hits_rect(const double *xy, int n, Rect r);

#endif
