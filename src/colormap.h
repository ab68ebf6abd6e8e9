/*
 * colormap.h — the colormaps of [surface] colormap, from their reference
 * tables (matplotlib's viridis/plasma/inferno/magma 256-entry tables, its
 * rainbow, jet, coolwarm and gray definitions), not approximations.
 *
 * Pipeline place: render stage (surface colours, contour panel, colourbar).
 */
#ifndef GD_COLORMAP_H
#define GD_COLORMAP_H

#include "config.h"

/* Colour of t in [0, 1] (clamped; NaN gives the t = 0 colour), each channel
 * 0..1, interpolated linearly between table entries as matplotlib's
 * ListedColormap/LinearSegmentedColormap with N = 256 would give. */
void colormap_eval(ColormapKind kind, double t, float rgb[3]);

/* Name as in the config ("viridis"); parse returns -1 for unknown names. */
const char *colormap_name(ColormapKind kind);
int colormap_parse(const char *name);

#endif
