/*
 * raster.h — our software rasterizer: triangles with a depth buffer, thick
 * anti-aliased lines, round points, alpha blending, 2D fills and coverage
 * blits (for glyphs).
 *
 * Pipeline place: render stage, below surface/scene/plots. No dependencies
 * but libc/libm. No global state: everything goes through a RasterTarget the
 * caller owns, so threads can render different frames side by side.
 *
 * Coordinate space: every function here takes SCREEN space, in pixels of the
 * target: x right, y down, pixel (i, j) covers [i, i+1) x [j, j+1) and its
 * centre is (i + 0.5, j + 0.5). Depth z is any value that is linear in screen
 * space (the camera's NDC z), smaller = nearer. The 3D -> screen projection
 * lives in camera.c.
 *
 * Anti-aliasing: lines and points are always drawn with analytic coverage
 * (distance to the segment / centre, a 1-pixel ramp) unless RASTER_NO_AA is
 * given; triangles are not anti-aliased here (the caller supersamples the
 * 3D target and resolves it with raster_resolve). Colour is linear 8-bit
 * sRGB-encoded RGB; blending is "source over".
 */
#ifndef GD_RASTER_H
#define GD_RASTER_H

#include <stdint.h>

typedef struct RasterTarget {
    int w, h;     /* pixels */
    uint8_t *rgb; /* w*h*3, row-major, top row first */
    float *depth; /* w*h, or NULL for a 2D-only target */
} RasterTarget;

/* A vertex in screen space with a colour; a is the opacity in [0, 1]. */
typedef struct RasterVertex {
    float x, y, z;
    float r, g, b, a; /* 0..1 */
} RasterVertex;

enum {
    RASTER_DEPTH_TEST = 1,  /* draw only where z < depth (strictly nearer) */
    RASTER_DEPTH_WRITE = 2, /* store z where drawn */
    RASTER_NO_AA = 4        /* lines/points: hard edges (draft quality) */
};

/* Allocates w*h RGB (and a depth buffer when with_depth). Returns 0, or -1
 * when out of memory (then nothing is allocated). */
int raster_target_init(RasterTarget *t, int w, int h, int with_depth);
void raster_target_free(RasterTarget *t);

/* Fills the colour with rgb (0..255 each) and, if present, depth with +inf. */
void raster_clear(RasterTarget *t, uint8_t r, uint8_t g, uint8_t b);

/* Fills a triangle: a pixel is covered when its centre is inside (top-left
 * fill rule, so triangles sharing an edge cover each pixel exactly once).
 * Colour and z are interpolated linearly in screen space (Gouraud). Either
 * winding. */
void raster_triangle(RasterTarget *t, const RasterVertex v[3], int flags);

/* A thick line from a to b, width in pixels, round caps; colour and z are
 * interpolated along it. With depth test, each pixel is tested against the
 * z at its nearest point on the segment. */
void raster_line(RasterTarget *t, RasterVertex a, RasterVertex b, float width, int flags);

/* A filled disc of the given radius around c (constant z, c's colour). */
void raster_point(RasterTarget *t, RasterVertex c, float radius, int flags);

/* A ring (circle outline) of the given radius and line width. */
void raster_ring(RasterTarget *t, RasterVertex c, float radius, float width, int flags);

/* Axis-aligned rectangle [x0, x1) x [y0, y1) blended with colour/alpha; no
 * depth. Fractional edges are anti-aliased. */
void raster_fill_rect(RasterTarget *t, float x0, float y0, float x1, float y1, float r, float g,
                      float b, float a);

/* Blends colour (r, g, b, 0..1) with per-pixel coverage cov[0..cw*ch) (row
 * pitch `pitch` bytes, 0..255) scaled by alpha, with its top-left pixel at
 * (x, y). Clipped to the target. Used for glyph bitmaps. */
void raster_blit_coverage(RasterTarget *t, int x, int y, const uint8_t *cov, int cw, int ch,
                          int pitch, float r, float g, float b, float alpha);

/* Composites a layer over t: wherever layer->depth < t->depth (the layer is
 * nearer), t.rgb = mix(t.rgb, layer.rgb, opacity). Both the same size. Used
 * for the translucent surface: only its nearest sheet is blended, so there
 * are no sorting seams or popping. */
void raster_composite_layer(RasterTarget *t, const RasterTarget *layer, float opacity);

/* Box-filter downsample of src (w*ss x h*ss) into dst (w x h): the
 * anti-aliasing resolve of a supersampled target. ss in 1..4. dst's depth is
 * not touched. */
void raster_resolve(RasterTarget *dst, const RasterTarget *src, int ss);

#endif
