/*
 * timeline_csv.h — the --timeline CSV (SPEC section 5b): for every frame and
 * run, the time, the camera, the fractional step the frame shows and the
 * ball's parameters and loss: exactly what is drawn.
 *
 * Pipeline place: output stage, beside the video; it reads the view stage's
 * timeline and camera and the plane-coordinate trails' drawn rows, so its
 * numbers are the pictures' numbers.
 */
#ifndef GD_TIMELINE_CSV_H
#define GD_TIMELINE_CSV_H

#include <stdio.h>

#include "config/config.h"
#include "sim/sim.h"
#include "view/view.h"

/* Writes the CSV for cfg's runs as view shows them (its drawn rows, its
 * camera orbit) to f: header
 * "frame,time,azimuth,elevation,zoom,run,step,<param 1>,...,loss", then one
 * row per frame and run. A run shows min(step, its last drawn row); between
 * rows k and k+1 the parameters are interpolated on the straight step and
 * the loss is the model's loss there. Returns 0, or -1 on a write error
 * (errno set). */
int timeline_csv_write(FILE *f, const Config *cfg, const View *view);

#endif
