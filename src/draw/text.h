/*
 * text.h — UTF-8 text with FreeType, shaped with HarfBuzz, with font
 * fallback through fontconfig.
 *
 * Pipeline place: draw, below the frame stage (titles, axis labels, tick labels, legends,
 * live readouts). Only text.c sees FreeType and fontconfig.
 *
 * A TextRenderer is one thread's: FreeType faces are not thread-safe, so each
 * render thread creates its own (cheap: faces are opened once, glyphs are
 * cached per size). Two renderers may be used at the same time by two
 * threads. Characters missing from the main font come from the installed
 * font fontconfig ranks first among those that have them (the choice depends
 * only on the machine's fonts, never on what was drawn before, so frames are
 * reproducible); a character no font has draws as a box (the main font's
 * .notdef, or a drawn rectangle). Invalid UTF-8 draws as U+FFFD. Control
 * characters (U+0000..U+001F, U+007F..U+009F) draw nothing and take no
 * space: text is one line. Never crashes on any input.
 *
 * Text is shaped (kerning, ligatures, marks, Arabic joining, Devanagari
 * conjuncts) in runs of one face, script and bidi level; right-to-left
 * runs are laid out right to left and reordered visually (a simplified
 * bidi algorithm, see text.c). The fallback face is chosen per run: marks
 * and joiners stay in their base's face when it has them.
 *
 * Glyphs are hinted lightly (vertical only) and placed on whole pixels;
 * advances are HarfBuzz's unhinted ones (in 1/64 px), so a string's width
 * scales with its size and text_measure agrees exactly with text_draw.
 */
#ifndef GD_TEXT_H
#define GD_TEXT_H

#include <stdint.h>

#include "base/error.h"
#include "draw/raster.h"

typedef struct TextRenderer TextRenderer;

enum { TEXT_LEFT = 0, TEXT_CENTER = 1, TEXT_RIGHT = 2 };

/* The largest main font text_create opens (the largest CJK collections are
 * a tenth of it). */
#define TEXT_MAX_FONT_BYTES (256 << 20)

/* Opens font_path (.ttf/.otf/.ttc; face 0 of a collection), a regular file
 * opened without blocking (base/files) and mapped into memory. Returns NULL
 * with err on failure: code GD_ERR_INPUT with "FONT: cannot open font:
 * <reason>" (missing, unreadable, a directory, "not a regular file (a named
 * pipe)" and the other kinds), "FONT: font file too large (more than 256
 * MiB)", "FONT: not a font file"
 * (a format FreeType does not know), "FONT: not a usable font (FreeType
 * error N)" (a damaged font), "FONT: not a scalable font" (bitmap-only) or
 * "FONT: font has no Unicode character map"; code GD_ERR_RUNTIME when out
 * of memory. */
TextRenderer *text_create(const char *font_path, GdError *err);
void text_destroy(TextRenderer *tr); /* NULL-safe */

/* An estimate of utf8's width at px without a font, for layout decided
 * once per video before any thread opens one: digits 0.64 em, '.' 0.32,
 * '-' 0.37, other Latin 0.62, CJK and other wide characters 1.0. */
double text_estimate_width(const char *utf8, double px);

/* utf8's width at px: measured with tr, or text_estimate_width's estimate
 * when tr is NULL. */
double text_width(TextRenderer *tr, const char *utf8, double px);

/* Metrics of utf8 at size_px (the em size in pixels): advance width, and
 * the ascent/descent (positive numbers) of the line: the largest of the
 * ascents/descents of the main font and of every fallback font the string
 * uses. Sizes are clamped to 0..1024 px; size 0 (or NaN) measures 0. */
void text_measure(TextRenderer *tr, const char *utf8, float size_px, float *width, float *ascent,
                  float *descent);

/* Draws utf8 with its baseline at y and its left edge / centre / right
 * edge (align) at x, blended with colour (0..1) and alpha. Returns the
 * advance width drawn, always equal to text_measure's width. Glyph origins
 * are rounded to whole pixels. Clipped to the target. */
float text_draw(TextRenderer *tr, RasterTarget *t, const char *utf8, float size_px, float x,
                float y, int align, float r, float g, float b, float alpha);

/* The glyphs utf8 is drawn with at size_px, for tests and checks: writes
 * up to cap of them to out, in visual order (left to right), and returns
 * how many there are. x and y are the glyph's origin relative to the
 * string's left edge and baseline (y up), in pixels; face 0 is the main
 * font, others fallbacks; cluster is the byte offset in utf8 of the first
 * character the glyph draws. */
typedef struct TextGlyph {
    float x, y, advance;
    unsigned gid;
    int face;
    unsigned cluster;
} TextGlyph;
int text_glyphs(TextRenderer *tr, const char *utf8, float size_px, TextGlyph *out, int cap);

/* The boxes of the strings drawn, for layout checks: while a record is
 * set, every text_draw that draws something appends the box of its string
 * (advance width by the line's ascent + descent, where it was placed) and
 * the string's first bytes; past cap it only counts (*n grows beyond cap).
 * text_record(tr, NULL, 0, NULL) stops recording. */
typedef struct TextBox {
    float x0, y0, x1, y1;
    char text[40];
} TextBox;
void text_record(TextRenderer *tr, TextBox *boxes, int cap, int *n);

/* Path of the default font shipped in fonts/ (absolute, static storage),
 * found from the binary's location: base/resources.h. */
const char *text_default_font(void);

#endif
