/*
 * colormap.h — the colormaps of [surface] colormap, from their reference
 * data (matplotlib's viridis/plasma/inferno/magma 256-entry tables, its
 * rainbow, jet, coolwarm and gray definitions), not approximations.
 *
 * Pipeline place: draw, below the frame stage (surface colours, contour
 * panel, colourbar). Owns the colormap names: config/ parses [surface]
 * colormap with colormap_parse. Depends on nothing but libm.
 *
 * Every map behaves like matplotlib's colormap object with N = 256 called on
 * a float: Colormap.__call__ multiplies t by N, truncates to an index, maps
 * t == 1 to index N-1 and out-of-range values to the first/last entry (the
 * default under/over colours). There is no interpolation between the 256
 * entries. For the LinearSegmented maps (jet, coolwarm, gray) entry i is the
 * segment data interpolated linearly at i/255, and for rainbow it is the
 * gnuplot formula evaluated at i/255, as matplotlib builds its lookup table.
 */
#ifndef GD_COLORMAP_H
#define GD_COLORMAP_H

typedef enum {
    CMAP_RAINBOW,
    CMAP_VIRIDIS,
    CMAP_PLASMA,
    CMAP_INFERNO,
    CMAP_MAGMA,
    CMAP_COOLWARM,
    CMAP_JET,
    CMAP_GRAY
} ColormapKind;

/* Number of kinds: CMAP_RAINBOW .. CMAP_GRAY. */
#define COLORMAP_COUNT (CMAP_GRAY + 1)

/* Colour of t (each channel 0..1): entry min(floor(t * 256), 255) of the
 * map's 256-entry table; t < 0 gives entry 0 and t > 1 entry 255. NaN also
 * gives entry 0 (matplotlib would give its transparent "bad" colour; a
 * surface has no use for holes). Unknown kinds give black. */
void colormap_eval(ColormapKind kind, double t, float rgb[3]);

/* Fills lut with the map's 256 entries (the values colormap_eval returns),
 * for callers that colour many values per frame. */
void colormap_fill_lut(ColormapKind kind, float lut[256][3]);

/* Name as in the config ("viridis"), or "?" for an unknown kind; parse
 * returns the kind, or -1 for unknown names (case-sensitive, as the config
 * schema spells them). */
const char *colormap_name(ColormapKind kind);
int colormap_parse(const char *name);

#endif
