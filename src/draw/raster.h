/*
 * raster.h — our software rasterizer: triangles with a depth buffer, thick
 * anti-aliased lines, round points, alpha blending, 2D fills and coverage
 * blits (for glyphs).
 *
 * Pipeline place: draw, below the frame stage (frame/scene3d, panels,
 * overlay and draw/text draw through it). No dependencies but libc/libm. No global state:
 * everything goes through a RasterTarget the caller owns, so threads can render different frames
 * side by side.
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
 * sRGB-encoded RGB; blending is "source over" and rounds to nearest, halves
 * up: out = floor(dst + (src*255 - dst) * alpha + 0.5), so white under black
 * at alpha 0.5 gives 128. Colour and alpha inputs are clamped to [0, 1].
 *
 * Robustness: any coordinates are accepted (huge, off-screen, degenerate);
 * non-finite positions draw nothing; nothing is ever written outside the
 * target. Nothing here allocates except raster_target_init.
 */
#ifndef GD_RASTER_H
#define GD_RASTER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* Allocates w*h RGB (and a depth buffer when with_depth), cleared to black
 * and +inf depth. Returns 0, or -1 when out of memory or w, h <= 0 (then
 * nothing is allocated and *t is zeroed). */
int raster_target_init(RasterTarget *t, int w, int h, int with_depth);
/* Frees what init allocated and zeroes *t; NULL-safe. */
void raster_target_free(RasterTarget *t);

/* Fills the colour with rgb (0..255 each) and, if present, depth with +inf. */
void raster_clear(RasterTarget *t, uint8_t r, uint8_t g, uint8_t b);

/* The same, except for the colour inside the n rectangles keep[i] =
 * {x, y, w, h} (pixels, clipped to the target), which the caller is about
 * to overwrite whole: a frame does not clear what its 3D views and panels
 * cover. A depth buffer is filled whole. */
void raster_clear_around(RasterTarget *t, uint8_t r, uint8_t g, uint8_t b, const int (*keep)[4],
                         int n);

/* The first k' >= k below n with m[k'] != 0, or n: a scan of a sparse
 * byte mask that skips eight clear bytes at a time. */
static inline size_t raster_mask_next(const uint8_t *m, size_t k, size_t n) {
    for (; k + 8 <= n; k += 8) {
        uint64_t eight;
        memcpy(&eight, m + k, 8);
        if (eight != 0)
            break;
    }
    while (k < n && !m[k])
        k++;
    return k;
}

/* Sets depth[0..n-1] to +inf (nothing drawn there yet). */
void raster_fill_depth(float *depth, size_t n);

/* Fills a triangle: a pixel is covered when its centre is inside (top-left
 * fill rule, so triangles sharing an edge cover each pixel exactly once;
 * vertices are snapped to 1/256 pixel). Colour, alpha and z are interpolated
 * linearly in screen space (Gouraud). Either winding; degenerate triangles
 * draw nothing. With RASTER_DEPTH_TEST a pixel is drawn only where z < depth;
 * with RASTER_DEPTH_WRITE its z is stored where drawn (even at alpha < 1).
 * Without a depth buffer the depth flags are ignored. */
void raster_triangle(RasterTarget *t, const RasterVertex v[3], int flags);

/* A thick line from a to b, width in pixels, round caps; colour, alpha and z
 * are interpolated along it by the parameter of each pixel centre's nearest
 * point on the segment. Coverage is clamp(width/2 + 0.5 - distance, 0, 1)
 * (RASTER_NO_AA: 1 where distance <= width/2, else 0), multiplied into the
 * alpha. With depth test, each pixel is tested against the z at its nearest
 * point; with depth write, that z is stored only where coverage is full,
 * so the anti-aliased rim of one segment never blocks the next segment of a
 * polyline from covering that pixel fully (no light specks at joints). A line
 * thinner than 1 px is drawn 1 px wide at alpha * width. a == b draws a
 * disc. */
void raster_line(RasterTarget *t, RasterVertex a, RasterVertex b, float width, int flags);

/* A filled disc of the given radius around c (constant z, c's colour),
 * coverage as for raster_line. A radius below 0.5 is drawn at 0.5 with alpha
 * scaled by (2 * radius)^2. */
void raster_point(RasterTarget *t, RasterVertex c, float radius, int flags);

/* A ring (circle outline) of the given radius and line width; coverage
 * clamp(width/2 + 0.5 - |distance to centre - radius|, 0, 1), constant z.
 * Thinner than 1 px: drawn 1 px wide at alpha * width. */
void raster_ring(RasterTarget *t, RasterVertex c, float radius, float width, int flags);

/* Axis-aligned rectangle [x0, x1) x [y0, y1) blended with colour/alpha; no
 * depth. Fractional edges are anti-aliased by exact area coverage: with
 * x0 = 2.25 pixel column 2 gets alpha * 0.75. Empty when x1 <= x0. */
void raster_fill_rect(RasterTarget *t, float x0, float y0, float x1, float y1, float r, float g,
                      float b, float a);

/* Blends colour (r, g, b, 0..1) with per-pixel coverage cov[0..cw*ch) (row
 * pitch `pitch` bytes, 0..255) scaled by alpha, with its top-left pixel at
 * (x, y). Clipped to the target. Used for glyph bitmaps. Coverage 255 at
 * alpha 1 replaces the pixel; otherwise alpha * cov / 255 blends. */
void raster_blit_coverage(RasterTarget *t, int x, int y, const uint8_t *cov, int cw, int ch,
                          int pitch, float r, float g, float b, float alpha);

/* Composites a layer over t: wherever layer->depth < t->depth (the layer is
 * nearer), t.rgb = mix(t.rgb, layer.rgb, opacity), rounded as blending is.
 * Used for the translucent surface: only its nearest sheet is blended, so
 * there are no sorting seams or popping. A missing depth buffer counts as
 * +inf in t and -inf in layer. Does nothing unless both are the same size;
 * t's depth is not touched. */
void raster_composite_layer(RasterTarget *t, const RasterTarget *layer, float opacity);
/* The same for columns [x0, x1) of every row only (clipped to t). */
void raster_composite_layer_cols(RasterTarget *t, const RasterTarget *layer, float opacity, int x0,
                                 int x1);

/* Box-filter downsample of src (w*ss x h*ss) into dst (w x h): the
 * anti-aliasing resolve of a supersampled target. Each channel is the exact
 * rounded mean (sum + n/2) / n of its n = ss*ss samples. ss in 1..4; does
 * nothing when ss or the sizes do not fit. dst's depth is not touched. */
void raster_resolve(RasterTarget *dst, const RasterTarget *src, int ss);

#endif
