/*
 * marks.h — the points the picture marks and labels: each [mark NAME], and
 * with [surface] minima the landscape's minima; and where their labels go.
 *
 * Pipeline place: frame stage, below the 3D scene (scene3d.h) and the 2D
 * panels (panels.h), which both draw the points' markers and labels and
 * place the labels the same way, through these functions. The list is made
 * once per video in frame_spec_init (spec.h) from the config and the view
 * (view.h: ViewMark, ViewMinimum), and read by every frame.
 *
 * A label has two lines, its name ("global minimum", a mark's text) over
 * its value ("loss 0.01135", with [labels] loss), and goes beside its
 * marker: right, left, above, below, then the four diagonals, the first
 * place that is free. One that finds no free place is left out, never
 * drawn over something.
 */
#ifndef GD_FRAME_MARKS_H
#define GD_FRAME_MARKS_H

#include "base/geom.h"
#include "base/tunables.h"
#include "config/config.h"
#include "draw/raster.h"
#include "draw/text.h"
#include "view/view.h"

typedef struct FramePoint {
    double uv[2]; /* plane coordinates, inside the box */
    double loss;
    float color[3];                /* the marker's fill */
    int minimum;                   /* 0: a [mark]; 1: a local minimum; 2: the global minimum */
    char name[GD_LABEL_MAX];       /* the label's first line */
    char value[GD_LABEL_MAX + 32]; /* its second: "loss 0.01135" */
} FramePoint;

#define FRAME_MAX_POINTS (GD_MAX_MARKS + MINIMA_MAX)

/* The marks in config order (a mark without a colour gets ink), then the
 * minima lowest first (white), less those a mark stands on (closer than
 * FRAME_POINT_MERGE of the box side): labels are placed in this order, so
 * a label that finds no room is a later one. Returns how many (at most
 * FRAME_MAX_POINTS). */
int frame_points_make(const Config *cfg, const View *view, const float ink[3], FramePoint *out);

/* What labels keep off, in output pixels: boxes (markers, other labels,
 * readouts; each label placed is added), path pieces (trails, each piece
 * x0, y0, x1, y1, widened by seg_hw on every side) and everything outside
 * `area`. Paths rather than balls: a ball moves along its path, and a
 * bouncing ball on a label's edge would make the label flicker. */
typedef struct FrameObstacles {
    Rect area;
    Rect *rect;
    int nrect, cap;
    const float (*seg)[4];
    int nseg;
    double seg_hw;
    int own; /* the box that is the label's own marker (its places clear it); -1: none */
} FrameObstacles;

/* 1 when r lies inside o->area and touches none of o's boxes (but own)
 * and path pieces. */
int frame_obstacles_free(const FrameObstacles *o, Rect r);

/* A placed label: its box (padding included) and the two baselines, both
 * lines drawn at x with align (draw/text.h). */
typedef struct FrameLabel {
    Rect box;
    double x, base[2];
    int align;
} FrameLabel;

/* Places p's label (text of size px, box padding pad) beside a marker at
 * (x, y) that reaches `reach` pixels from its centre, in the first of the
 * places above that o leaves free, and adds its box to o. Returns 1 and
 * *out, or 0 when no place is free (or o has no room for another box). */
int frame_label_place(TextRenderer *tr, const FramePoint *p, double px, double pad, double x,
                      double y, double reach, FrameObstacles *o, FrameLabel *out);

/* Draws a placed label: its box filled with box_rgb at alpha 0.8, then the
 * two lines in ink. */
void frame_label_draw(TextRenderer *tr, RasterTarget *out, const FramePoint *p, double px,
                      const FrameLabel *l, const float box_rgb[3], const float ink[3]);

#endif
