/*
 * text.c — UTF-8 text with FreeType and fontconfig fallback (see text.h).
 *
 * Pipeline place: draw, below the frame stage; draws into a RasterTarget only through
 * raster_blit_coverage. Depends on FreeType (glyph outlines, rasterizing),
 * fontconfig (finding a font for characters the main font lacks), HarfBuzz
 * (shaping),
 * raster.h, base/utf8.h (decoding, the same rule the config reader
 * validates with), base/files.h (the main font is opened as every input)
 * and base/resources.h (where the default font is).
 *
 * A string is shaped once per size into glyph positions (cached per
 * renderer), which text_measure and text_draw both read, so they cannot
 * disagree: decode the codepoints, pick each one's face (main face, else
 * the fallback fontconfig chose, else the main face's .notdef box; marks
 * stay with their base), its script and bidi class; resolve bidi levels
 * (resolve_levels); cut runs of one face, script and level; order them
 * visually; shape each with HarfBuzz (hb_ft font per face, the whole line
 * as context). Drawing fetches each glyph's coverage bitmap from the
 * per-renderer cache (keyed by face, glyph index and size in 1/64 px).
 */
#include "draw/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ft.h>
#include <hb.h>

#include "base/files.h"
#include "base/resources.h"
#include "base/utf8.h"

#define MAX_FACES      16   /* main face + fallbacks; more scripts than this in one video is rare */
#define MAX_SIZE_PX    1024 /* larger glyphs would make multi-megabyte cache entries */
#define MAX_CACHE_BYTE (64u << 20) /* glyph bitmaps kept before the cache is emptied */
#define MAX_FC_TRIES   4           /* fallback candidates opened per codepoint before giving up */
#define PEN_LIMIT      1e6         /* glyph origins further out are off any target: not drawn */
#define SHAPE_CACHE    512         /* shaped strings kept per renderer (a power of two) */
#define SHAPE_MAX_LEN  1024        /* longer strings are shaped every time */

typedef struct FaceSlot {
    FT_Face face;
    char *file;    /* NULL for the main face */
    int index;     /* face index inside a .ttc collection */
    long size;     /* char size (26.6) currently set on face, 0 = none */
    hb_font_t *hb; /* HarfBuzz's view of face, created on first shaping */
    long hb_size;  /* the size hb was last told of */
} FaceSlot;

typedef struct Glyph {
    int used;
    int slot;       /* index into TextRenderer.faces */
    unsigned gid;   /* glyph index in that face */
    long size;      /* 26.6 pixels */
    int w, h;       /* coverage bitmap, pitch w */
    int left, top;  /* bitmap's top-left relative to the origin, y up */
    double advance; /* unhinted, pixels */
    uint8_t *cov;
} Glyph;

/* A codepoint the main face lacks, and the face slot that has it (-1: none). */
typedef struct FallbackEntry {
    int used;
    uint32_t cp;
    int slot;
} FallbackEntry;

/* One shaped glyph: origin relative to the string's left edge and
 * baseline (y up), in pixels, in visual (left to right) order. */
typedef struct ShapedGlyph {
    int slot;
    unsigned gid;
    uint32_t cluster; /* byte offset of its first character */
    double x, y, advance;
} ShapedGlyph;

/* A string shaped at one size: a cache entry. */
typedef struct ShapeEntry {
    char *str; /* NULL: empty slot */
    size_t len;
    uint64_t hash;
    long size;
    ShapedGlyph *g;
    int n;
    size_t cap;
    double width, asc, desc;
} ShapeEntry;

typedef struct CharInfo {
    uint32_t off; /* byte offset in the string */
    int slot;
    hb_script_t script;
    uint8_t cls; /* BIDI_* */
} CharInfo;

typedef struct Run {
    int start, end; /* codepoint indices */
    int level;      /* bidi level: odd is right to left */
} Run;

struct TextRenderer {
    FT_Library lib;
    FaceSlot faces[MAX_FACES];
    int nfaces;
    void *main_map; /* the main font file, mapped (FreeType reads it in place) */
    size_t main_map_size;
    int main_bold; /* ask fontconfig for bold fallbacks to match */
    int fc_ready;  /* fontconfig_init done */
    Glyph *glyphs; /* open addressing, capacity a power of two */
    size_t glyph_cap, glyph_count, glyph_bytes;
    FallbackEntry *fallbacks;
    size_t fb_cap, fb_count;
    TextBox *rec; /* text_record */
    int rec_cap, *rec_n;
    /* shaping scratch, grown as needed */
    uint32_t *cps;
    CharInfo *cinfo;
    uint8_t *cls;
    Run *runs;
    size_t cps_cap, cinfo_cap, cls_cap, runs_cap;
    hb_buffer_t *hbuf;
    ShapeEntry shapes[SHAPE_CACHE];
    ShapeEntry shape_scratch; /* strings too long to cache */
};

const char *text_default_font(void) {
    return resources_default_font();
}

/* ---- faces ---- */

static int set_size(FaceSlot *fs, long size26) {
    if (fs->size == size26)
        return 0;
    if (FT_Set_Char_Size(fs->face, 0, size26, 72, 72) != 0) {
        fs->size = 0;
        return -1;
    }
    fs->size = size26;
    return 0;
}

/* Returns the slot of the fallback face file#index, opening it on first
 * use; -1 when it cannot be used (not scalable, no Unicode map, no room). */
static int face_open(TextRenderer *tr, const char *file, int index) {
    for (int i = 1; i < tr->nfaces; i++)
        if (tr->faces[i].index == index && strcmp(tr->faces[i].file, file) == 0)
            return i;
    if (tr->nfaces == MAX_FACES)
        return -1;
    FT_Face face;
    if (FT_New_Face(tr->lib, file, index, &face) != 0)
        return -1;
    if (!FT_IS_SCALABLE(face) || FT_Select_Charmap(face, FT_ENCODING_UNICODE) != 0) {
        FT_Done_Face(face);
        return -1;
    }
    char *copy = strdup(file);
    if (copy == NULL) {
        FT_Done_Face(face);
        return -1;
    }
    FaceSlot *fs = &tr->faces[tr->nfaces];
    fs->face = face;
    fs->file = copy;
    fs->index = index;
    fs->size = 0;
    return tr->nfaces++;
}

/* LeakSanitizer's switches: defined only in sanitizer builds, NULL otherwise. */
extern void __lsan_disable(void) __attribute__((weak));
extern void __lsan_enable(void) __attribute__((weak));

/* Loads fontconfig's configuration once per process (later calls are
 * cheap). Parsing it leaks a few hundred bytes inside fontconfig that only
 * FcFini would free, and FcFini is unsafe while other threads may use
 * fontconfig; so the load is hidden from LeakSanitizer, and leaks of ours
 * (a pattern or font set not destroyed) are still reported. */
static int fontconfig_init(void) {
    if (__lsan_disable)
        __lsan_disable();
    FcBool ok = FcInit();
    if (__lsan_enable)
        __lsan_enable();
    return ok;
}

/* Han ideographs: shared by Chinese, Japanese and Korean, drawn slightly
 * differently in each. gdrender grew from a Chinese tutorial, so they get
 * Simplified Chinese forms (Noto Sans CJK SC) unless no such font exists. */
static int is_han(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

/* Asks fontconfig for the fonts that have cp, best first, and opens the
 * first one that really maps it. Returns its slot or -1. */
static int fallback_find(TextRenderer *tr, uint32_t cp) {
    int found = -1;
    if (!tr->fc_ready) {
        if (!fontconfig_init())
            return -1;
        tr->fc_ready = 1;
    }
    FcPattern *pat = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    if (pat == NULL || cs == NULL || !FcCharSetAddChar(cs, cp) ||
        !FcPatternAddCharSet(pat, FC_CHARSET, cs) ||
        !FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)"sans-serif") ||
        !FcPatternAddBool(pat, FC_SCALABLE, FcTrue) ||
        (tr->main_bold && !FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_BOLD)) ||
        (is_han(cp) && !FcPatternAddString(pat, FC_LANG, (const FcChar8 *)"zh-cn")))
        goto done;
    /* NULL config: fontconfig's default, which it initialises once and
     * guards itself, so several renderers on several threads may share it. */
    if (!FcConfigSubstitute(NULL, pat, FcMatchPattern))
        goto done;
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcTrue, NULL, &res);
    if (set == NULL)
        goto done;
    int tries = 0;
    for (int i = 0; i < set->nfont && found < 0 && tries < MAX_FC_TRIES; i++) {
        FcPattern *font = set->fonts[i];
        FcCharSet *fcs;
        FcChar8 *file;
        int index = 0;
        FcBool color = FcFalse;
        /* The sort ranks by closeness, not coverage: check each candidate. */
        if (FcPatternGetCharSet(font, FC_CHARSET, 0, &fcs) != FcResultMatch ||
            !FcCharSetHasChar(fcs, cp))
            continue;
        if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch)
            continue;
        FcPatternGetInteger(font, FC_INDEX, 0, &index);
        FcPatternGetBool(font, FC_COLOR, 0, &color);
        if (color) /* colour bitmap fonts (emoji) do not give 8-bit coverage */
            continue;
        tries++;
        int slot = face_open(tr, (const char *)file, index);
        if (slot > 0 && FT_Get_Char_Index(tr->faces[slot].face, cp) != 0)
            found = slot;
    }
    FcFontSetDestroy(set);
done:
    if (cs)
        FcCharSetDestroy(cs);
    if (pat)
        FcPatternDestroy(pat);
    return found;
}

static size_t hash_u32(uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static int fallback_grow(TextRenderer *tr) {
    size_t cap = tr->fb_cap ? tr->fb_cap * 2 : 64;
    FallbackEntry *n = calloc(cap, sizeof *n);
    if (n == NULL)
        return -1;
    for (size_t i = 0; i < tr->fb_cap; i++) {
        if (!tr->fallbacks[i].used)
            continue;
        size_t h = hash_u32(tr->fallbacks[i].cp) & (cap - 1);
        while (n[h].used)
            h = (h + 1) & (cap - 1);
        n[h] = tr->fallbacks[i];
    }
    free(tr->fallbacks);
    tr->fallbacks = n;
    tr->fb_cap = cap;
    return 0;
}

/* The face slot for a codepoint the main face lacks, asking fontconfig
 * only the first time; -1 when no font has it. */
static int fallback_slot(TextRenderer *tr, uint32_t cp) {
    if (tr->fb_cap) {
        size_t h = hash_u32(cp) & (tr->fb_cap - 1);
        while (tr->fallbacks[h].used) {
            if (tr->fallbacks[h].cp == cp)
                return tr->fallbacks[h].slot;
            h = (h + 1) & (tr->fb_cap - 1);
        }
    }
    int slot = fallback_find(tr, cp);
    if ((tr->fb_count + 1) * 2 > tr->fb_cap && fallback_grow(tr) != 0)
        return slot; /* out of memory: correct, just not remembered */
    size_t h = hash_u32(cp) & (tr->fb_cap - 1);
    while (tr->fallbacks[h].used)
        h = (h + 1) & (tr->fb_cap - 1);
    tr->fallbacks[h].used = 1;
    tr->fallbacks[h].cp = cp;
    tr->fallbacks[h].slot = slot;
    tr->fb_count++;
    return slot;
}

/* ---- glyph cache ---- */

static size_t glyph_hash(int slot, unsigned gid, long size) {
    return hash_u32((uint32_t)gid * 31u + (uint32_t)slot) ^ hash_u32((uint32_t)size * 17u + 1u);
}

static void glyph_cache_clear(TextRenderer *tr) {
    for (size_t i = 0; i < tr->glyph_cap; i++)
        free(tr->glyphs[i].cov);
    free(tr->glyphs);
    tr->glyphs = NULL;
    tr->glyph_cap = tr->glyph_count = tr->glyph_bytes = 0;
}

static int glyph_cache_grow(TextRenderer *tr) {
    size_t cap = tr->glyph_cap ? tr->glyph_cap * 2 : 256;
    Glyph *n = calloc(cap, sizeof *n);
    if (n == NULL)
        return -1;
    for (size_t i = 0; i < tr->glyph_cap; i++) {
        Glyph *g = &tr->glyphs[i];
        if (!g->used)
            continue;
        size_t h = glyph_hash(g->slot, g->gid, g->size) & (cap - 1);
        while (n[h].used)
            h = (h + 1) & (cap - 1);
        n[h] = *g;
    }
    free(tr->glyphs);
    tr->glyphs = n;
    tr->glyph_cap = cap;
    return 0;
}

/* Copies FreeType's bitmap (8-bit grey or 1-bit, either row order) into a
 * tightly packed 8-bit coverage buffer. Other pixel modes give no ink. */
static int bitmap_copy(Glyph *g, const FT_Bitmap *bm) {
    g->w = (int)bm->width;
    g->h = (int)bm->rows;
    if (g->w == 0 || g->h == 0 ||
        (bm->pixel_mode != FT_PIXEL_MODE_GRAY && bm->pixel_mode != FT_PIXEL_MODE_MONO)) {
        g->w = g->h = 0;
        return 0;
    }
    g->cov = malloc((size_t)g->w * (size_t)g->h);
    if (g->cov == NULL) {
        g->w = g->h = 0;
        return -1;
    }
    /* A negative pitch means rows are stored bottom-up from buffer. */
    const unsigned char *row = bm->buffer;
    if (bm->pitch < 0)
        row -= (ptrdiff_t)bm->pitch * (g->h - 1);
    int grays = bm->num_grays > 1 ? bm->num_grays : 256;
    for (int j = 0; j < g->h; j++, row += bm->pitch) {
        uint8_t *out = g->cov + (size_t)j * (size_t)g->w;
        for (int i = 0; i < g->w; i++) {
            if (bm->pixel_mode == FT_PIXEL_MODE_MONO)
                out[i] = (row[i >> 3] & (0x80 >> (i & 7))) ? 255 : 0;
            else
                out[i] = (uint8_t)(grays == 256 ? row[i] : row[i] * 255 / (grays - 1));
        }
    }
    return 0;
}

static int has_ink(const Glyph *g) {
    for (size_t i = 0; i < (size_t)g->w * (size_t)g->h; i++)
        if (g->cov[i] != 0)
            return 1;
    return 0;
}

/* A rectangle outline, 0.5 em wide and 0.7 em tall on the baseline, for a
 * main font whose .notdef is blank. */
static void box_make(Glyph *g, double px) {
    free(g->cov);
    g->cov = NULL;
    int stroke = px >= 16 ? (int)lround(px / 16) : 1;
    int w = (int)lround(px * 0.5), h = (int)lround(px * 0.7);
    if (w < 2 * stroke + 1)
        w = 2 * stroke + 1;
    if (h < 2 * stroke + 1)
        h = 2 * stroke + 1;
    g->cov = calloc((size_t)w * (size_t)h, 1);
    g->w = g->h = 0;
    if (g->cov == NULL)
        return;
    int margin = (int)lround(px * 0.1);
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++)
            if (i < stroke || i >= w - stroke || j < stroke || j >= h - stroke)
                g->cov[(size_t)j * (size_t)w + (size_t)i] = 255;
    g->w = w;
    g->h = h;
    g->left = margin;
    g->top = h;
    if (g->advance < w + 2 * margin)
        g->advance = w + 2 * margin;
}

/* Loads and rasterizes one glyph into g (whose key is already set). A
 * glyph FreeType cannot load draws nothing and takes no space. */
static void glyph_render(TextRenderer *tr, Glyph *g) {
    FaceSlot *fs = &tr->faces[g->slot];
    double px = g->size / 64.0;
    g->cov = NULL;
    g->w = g->h = g->left = g->top = 0;
    g->advance = 0;
    /* Light hinting snaps only vertical positions (baseline, x-height), which
     * keeps text crisp at 720p without distorting glyph widths; embedded
     * bitmaps are skipped so every glyph is anti-aliased. */
    if (set_size(fs, g->size) == 0 &&
        FT_Load_Glyph(fs->face, g->gid, FT_LOAD_TARGET_LIGHT | FT_LOAD_NO_BITMAP) == 0) {
        FT_GlyphSlot s = fs->face->glyph;
        g->advance = s->linearHoriAdvance / 65536.0;
        if (s->format == FT_GLYPH_FORMAT_BITMAP || FT_Render_Glyph(s, FT_RENDER_MODE_NORMAL) == 0) {
            g->left = s->bitmap_left;
            g->top = s->bitmap_top;
            bitmap_copy(g, &s->bitmap);
        }
    }
    if (g->slot == 0 && g->gid == 0 && (g->cov == NULL || !has_ink(g)))
        box_make(g, px);
}

/* The cached glyph for (slot, gid, size26); NULL only when out of memory.
 * The pointer is valid until the next glyph_get. */
static const Glyph *glyph_get(TextRenderer *tr, int slot, unsigned gid, long size26) {
    if (tr->glyph_cap) {
        size_t h = glyph_hash(slot, gid, size26) & (tr->glyph_cap - 1);
        while (tr->glyphs[h].used) {
            Glyph *g = &tr->glyphs[h];
            if (g->slot == slot && g->gid == gid && g->size == size26)
                return g;
            h = (h + 1) & (tr->glyph_cap - 1);
        }
    }
    /* Sizes that change every frame (an animated zoom) would grow the cache
     * without bound: start over when it gets big. */
    if (tr->glyph_bytes > MAX_CACHE_BYTE)
        glyph_cache_clear(tr);
    if ((tr->glyph_count + 1) * 2 > tr->glyph_cap && glyph_cache_grow(tr) != 0)
        return NULL;
    size_t h = glyph_hash(slot, gid, size26) & (tr->glyph_cap - 1);
    while (tr->glyphs[h].used)
        h = (h + 1) & (tr->glyph_cap - 1);
    Glyph *g = &tr->glyphs[h];
    g->used = 1;
    g->slot = slot;
    g->gid = gid;
    g->size = size26;
    glyph_render(tr, g);
    tr->glyph_count++;
    tr->glyph_bytes += (size_t)g->w * (size_t)g->h + sizeof *g;
    return g;
}

/* ---- shaping ---- */

static int is_control(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static double face_ascent(const FT_Face f, double px) {
    return f->ascender > 0 ? f->ascender * px / f->units_per_EM : 0.8 * px;
}

static double face_descent(const FT_Face f, double px) {
    return f->descender < 0 ? -f->descender * px / f->units_per_EM : 0.2 * px;
}

static long size_26_6(float size_px) {
    if (!(size_px > 0)) /* also NaN */
        return 0;
    if (size_px > MAX_SIZE_PX)
        size_px = MAX_SIZE_PX;
    return lroundf(size_px * 64.0f);
}

/* The HarfBuzz font of a slot, created on first use and kept in step with
 * the FreeType face's size (which glyph rendering changes too). */
static hb_font_t *slot_hb_font(TextRenderer *tr, int slot, long size26) {
    FaceSlot *fs = &tr->faces[slot];
    if (set_size(fs, size26) != 0)
        return NULL;
    if (fs->hb == NULL) {
        fs->hb = hb_ft_font_create_referenced(fs->face);
        if (fs->hb == NULL)
            return NULL;
        /* Unhinted advances and positions: widths scale with the size. */
        hb_ft_font_set_load_flags(fs->hb, FT_LOAD_NO_HINTING);
        fs->hb_size = size26;
    } else if (fs->hb_size != size26) {
        hb_ft_font_changed(fs->hb);
        fs->hb_size = size26;
    }
    return fs->hb;
}

static int face_has(TextRenderer *tr, int slot, uint32_t cp) {
    return slot >= 0 && FT_Get_Char_Index(tr->faces[slot].face, cp) != 0;
}

static int is_mark(hb_unicode_funcs_t *uf, uint32_t cp) {
    hb_unicode_general_category_t gc = hb_unicode_general_category(uf, cp);
    return gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
           gc == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
           gc == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK;
}

/* Joiners and variation selectors: invisible, they belong to the run of
 * the character before them. */
static int is_joiner(uint32_t cp) {
    return cp == 0x200C || cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0xE0100 && cp <= 0xE01EF);
}

/* The face slot that draws cp, given the slot of the character before it
 * (-1 at the start): the main face when it has cp; a mark or joiner stays
 * in the previous character's face when that face has it (so it shapes
 * with its base); a letter stays in the previous fallback face when that
 * has it (a word in one fallback script stays one run); else the
 * fallback fontconfig ranks first; else the main face's .notdef. */
static int slot_choose(TextRenderer *tr, hb_unicode_funcs_t *uf, uint32_t cp, int prev) {
    if (prev >= 0 && is_joiner(cp))
        return prev;
    if (prev > 0 && is_mark(uf, cp) && face_has(tr, prev, cp))
        return prev;
    if (face_has(tr, 0, cp))
        return 0;
    if (prev > 0 && face_has(tr, prev, cp))
        return prev;
    int s = fallback_slot(tr, cp);
    return s > 0 && face_has(tr, s, cp) ? s : 0;
}

/* Bidi classes of the simplified algorithm (see resolve_levels). */
enum { BIDI_N = 0, BIDI_L, BIDI_R, BIDI_EN };

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = realloc(*p, c * elem);
    if (n == NULL)
        return -1;
    *p = n;
    *cap = c;
    return 0;
}

/* A simplified Unicode bidi algorithm for one line without explicit
 * embeddings: letters of right-to-left scripts are R, letters of other
 * scripts L, digits EN, marks take their base's class, everything else is
 * neutral. The paragraph direction is that of the first strong letter
 * (left to right when there is none). Digits after L (or at the start of a
 * left-to-right line) are L (rule W7); neutrals between two letters of one
 * direction take it, others the paragraph's (N1, N2, digits counting as
 * R); then levels as rules I1/I2: even is left to right. */
static void resolve_levels(const uint8_t *cls, int n, uint8_t *level) {
    int base = 0;
    for (int i = 0; i < n; i++)
        if (cls[i] == BIDI_L || cls[i] == BIDI_R) {
            base = cls[i] == BIDI_R;
            break;
        }
    int prev_strong = base ? BIDI_R : BIDI_L;
    uint8_t *c = level; /* resolved class first, level after */
    for (int i = 0; i < n; i++) {
        c[i] = cls[i];
        if (c[i] == BIDI_L || c[i] == BIDI_R)
            prev_strong = c[i];
        else if (c[i] == BIDI_EN && prev_strong == BIDI_L)
            c[i] = BIDI_L;
    }
    for (int i = 0; i < n;) {
        if (c[i] != BIDI_N) {
            i++;
            continue;
        }
        int j = i;
        while (j < n && c[j] == BIDI_N)
            j++;
        int before = i > 0 ? (c[i - 1] == BIDI_L ? BIDI_L : BIDI_R) : (base ? BIDI_R : BIDI_L);
        int after = j < n ? (c[j] == BIDI_L ? BIDI_L : BIDI_R) : (base ? BIDI_R : BIDI_L);
        int dir = before == after ? before : (base ? BIDI_R : BIDI_L);
        for (int k = i; k < j; k++)
            c[k] = (uint8_t)dir;
        i = j;
    }
    for (int i = 0; i < n; i++) {
        int k = c[i];
        if (base == 0)
            level[i] = k == BIDI_L ? 0 : k == BIDI_R ? 1 : 2;
        else
            level[i] = k == BIDI_R ? 1 : 2;
    }
}

static uint64_t hash_str(const char *s, size_t len, long size26) {
    uint64_t h = 1469598103934665603ull ^ (uint64_t)size26;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Shapes utf8 at size26 into e (whose old glyphs it replaces). Returns 0,
 * or -1 when out of memory (e is then empty). */
static int shape_into(TextRenderer *tr, const char *utf8, long size26, ShapeEntry *e) {
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    double px = size26 / 64.0;
    e->n = 0;
    e->width = 0;
    int used[MAX_FACES] = {1};
    /* 1. Codepoints (controls dropped), with their byte offsets, face,
     * script and bidi class. */
    size_t len = strlen(utf8), n = 0;
    if (grow((void **)&tr->cps, &tr->cps_cap, len + 1, sizeof *tr->cps) != 0 ||
        grow((void **)&tr->cinfo, &tr->cinfo_cap, len + 1, sizeof *tr->cinfo) != 0)
        return -1;
    int prev = -1;
    hb_script_t prev_script = HB_SCRIPT_COMMON;
    uint8_t prev_cls = BIDI_N;
    const char *s = utf8;
    uint32_t cp;
    int k;
    while ((k = utf8_next(s, &cp)) > 0) {
        size_t off = (size_t)(s - utf8);
        s += k;
        if (is_control(cp))
            continue;
        CharInfo *ci = &tr->cinfo[n];
        tr->cps[n] = cp;
        ci->off = (uint32_t)off;
        ci->slot = slot_choose(tr, uf, cp, prev);
        prev = ci->slot;
        hb_script_t raw = hb_unicode_script(uf, cp), sc = raw;
        int mark = is_mark(uf, cp) || is_joiner(cp);
        if (sc == HB_SCRIPT_COMMON || sc == HB_SCRIPT_INHERITED || sc == HB_SCRIPT_UNKNOWN) {
            sc = prev_script; /* neutral: the script around it */
        } else if (prev_script == HB_SCRIPT_COMMON) {
            for (size_t j = 0; j < n; j++) /* the leading neutrals join the first script */
                tr->cinfo[j].script = sc;
        }
        prev_script = sc;
        ci->script = sc;
        if (mark)
            ci->cls = prev_cls;
        else if (hb_unicode_general_category(uf, cp) == HB_UNICODE_GENERAL_CATEGORY_DECIMAL_NUMBER)
            ci->cls = BIDI_EN;
        else if (raw == HB_SCRIPT_COMMON || raw == HB_SCRIPT_INHERITED || raw == HB_SCRIPT_UNKNOWN)
            ci->cls = BIDI_N;
        else
            ci->cls = hb_script_get_horizontal_direction(sc) == HB_DIRECTION_RTL ? BIDI_R : BIDI_L;
        prev_cls = ci->cls;
        n++;
    }
    if (n == 0)
        goto metrics;
    if (grow((void **)&tr->cls, &tr->cls_cap, n, 2) != 0)
        return -1;
    uint8_t *cls = tr->cls, *lev = tr->cls + n;
    int any_rtl = 0;
    for (size_t i = 0; i < n; i++) {
        cls[i] = tr->cinfo[i].cls;
        any_rtl |= cls[i] == BIDI_R;
    }
    if (any_rtl)
        resolve_levels(cls, (int)n, lev);
    else
        memset(lev, 0, n);
    /* 2. Runs: spans of one face, script and level, in logical order. */
    size_t nruns = 0;
    for (size_t i = 0; i < n; i++) {
        const CharInfo *a = &tr->cinfo[i];
        if (i == 0 || a->slot != tr->cinfo[i - 1].slot || a->script != tr->cinfo[i - 1].script ||
            lev[i] != lev[i - 1]) {
            if (grow((void **)&tr->runs, &tr->runs_cap, nruns + 1, sizeof *tr->runs) != 0)
                return -1;
            tr->runs[nruns].start = (int)i;
            tr->runs[nruns].level = lev[i];
            nruns++;
        }
        tr->runs[nruns - 1].end = (int)i + 1;
    }
    /* 3. Visual order (rule L2, on whole runs: HarfBuzz reverses the
     * characters inside a right-to-left run itself). */
    int maxlev = 0;
    for (size_t r = 0; r < nruns; r++)
        maxlev = tr->runs[r].level > maxlev ? tr->runs[r].level : maxlev;
    for (int l = maxlev; l >= 1; l--)
        for (size_t r = 0; r < nruns;) {
            if (tr->runs[r].level < l) {
                r++;
                continue;
            }
            size_t q = r;
            while (q < nruns && tr->runs[q].level >= l)
                q++;
            for (size_t a = r, b = q - 1; a < b; a++, b--) {
                Run t = tr->runs[a];
                tr->runs[a] = tr->runs[b];
                tr->runs[b] = t;
            }
            r = q;
        }
    /* 4. Shape each run, placing its glyphs after the previous run's. */
    if (tr->hbuf == NULL && (tr->hbuf = hb_buffer_create()) == NULL)
        return -1;
    if (!hb_buffer_allocation_successful(tr->hbuf))
        return -1;
    double pen = 0;
    for (size_t r = 0; r < nruns; r++) {
        const Run *run = &tr->runs[r];
        int slot = tr->cinfo[run->start].slot;
        hb_script_t sc = tr->cinfo[run->start].script;
        used[slot] = 1;
        hb_font_t *font = slot_hb_font(tr, slot, size26);
        hb_buffer_t *buf = tr->hbuf;
        hb_buffer_clear_contents(buf);
        /* The whole line is the context, so Arabic letters join across a
         * change of font or a neutral. */
        hb_buffer_add_utf32(buf, tr->cps, (int)n, (unsigned)run->start, run->end - run->start);
        hb_buffer_set_direction(buf, run->level & 1 ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
        /* A fixed language, not the locale's: the same frames everywhere. */
        hb_buffer_set_language(buf,
                               hb_language_from_string(sc == HB_SCRIPT_HAN ? "zh-cn" : "und", -1));
        hb_buffer_guess_segment_properties(buf);
        if (font == NULL || !hb_buffer_allocation_successful(buf))
            continue; /* a face FreeType cannot size draws nothing */
        hb_shape(font, buf, NULL, 0);
        unsigned gn;
        hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(buf, &gn);
        hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(buf, &gn);
        if (grow((void **)&e->g, &e->cap, (size_t)e->n + gn, sizeof *e->g) != 0)
            return -1;
        for (unsigned i = 0; i < gn; i++) {
            ShapedGlyph *o = &e->g[e->n++];
            o->slot = slot;
            o->gid = gi[i].codepoint;
            o->cluster = tr->cinfo[gi[i].cluster < n ? gi[i].cluster : 0].off;
            double adv = gp[i].x_advance / 64.0;
            if (slot == 0 && o->gid == 0) { /* the .notdef box: its own width */
                const Glyph *g = glyph_get(tr, 0, 0, size26);
                if (g != NULL)
                    adv = g->advance;
            }
            o->x = pen + gp[i].x_offset / 64.0;
            o->y = gp[i].y_offset / 64.0;
            o->advance = adv;
            pen += adv;
        }
    }
    e->width = pen;
metrics:
    e->asc = e->desc = 0;
    for (int i = 0; i < tr->nfaces; i++) {
        if (!used[i])
            continue;
        e->asc = fmax(e->asc, face_ascent(tr->faces[i].face, px));
        e->desc = fmax(e->desc, face_descent(tr->faces[i].face, px));
    }
    return 0;
}

/* utf8 shaped at size26, from the per-renderer cache (strings repeat from
 * frame to frame: titles, labels, most of every readout). NULL when out of
 * memory. The entry is valid until the next call. */
static const ShapeEntry *shape(TextRenderer *tr, const char *utf8, long size26) {
    size_t len = strlen(utf8);
    ShapeEntry *e;
    uint64_t h = hash_str(utf8, len, size26);
    if (len > SHAPE_MAX_LEN) {
        e = &tr->shape_scratch;
    } else {
        e = &tr->shapes[h & (SHAPE_CACHE - 1)];
        if (e->str != NULL && e->hash == h && e->size == size26 && e->len == len &&
            memcmp(e->str, utf8, len) == 0)
            return e;
        free(e->str);
        e->str = NULL;
    }
    if (shape_into(tr, utf8, size26, e) != 0) {
        e->n = 0;
        return NULL;
    }
    if (e != &tr->shape_scratch) {
        e->str = malloc(len + 1);
        if (e->str != NULL) {
            memcpy(e->str, utf8, len + 1);
            e->len = len;
            e->hash = h;
            e->size = size26;
        }
    }
    return e;
}

static void shape_cache_clear(TextRenderer *tr) {
    for (int i = 0; i < SHAPE_CACHE; i++) {
        free(tr->shapes[i].str);
        free(tr->shapes[i].g);
    }
    free(tr->shape_scratch.g);
}

/* Draws shaped text e with its left edge at x0 and baseline y. */
static void draw_shaped(TextRenderer *tr, const ShapeEntry *e, long size26, RasterTarget *t,
                        double x0, double y, const float rgba[4]) {
    if (!(fabs(y) < PEN_LIMIT))
        return; /* far off (or NaN) */
    for (int i = 0; i < e->n; i++) {
        const ShapedGlyph *sg = &e->g[i];
        double gx = x0 + sg->x, gy = y - sg->y;
        if (!(fabs(gx) < PEN_LIMIT) || !(fabs(gy) < PEN_LIMIT))
            continue;
        const Glyph *g = glyph_get(tr, sg->slot, sg->gid, size26);
        if (g == NULL || g->w == 0)
            continue;
        /* Whole-pixel origins: stems land on pixel columns and stay sharp. */
        int ox = (int)floor(gx + 0.5), oy = (int)floor(gy + 0.5);
        raster_blit_coverage(t, ox + g->left, oy - g->top, g->cov, g->w, g->h, g->w, rgba[0],
                             rgba[1], rgba[2], rgba[3]);
    }
}

double text_estimate_width(const char *utf8, double px) {
    double w = 0;
    uint32_t cp;
    int n;
    for (const char *c = utf8; (n = utf8_next(c, &cp)) > 0; c += n)
        w += cp >= '0' && cp <= '9' ? 0.64
             : cp == '.'            ? 0.32
             : cp == '-'            ? 0.37
             : cp >= 0x2E80         ? 1.0
                                    : 0.62;
    return w * px;
}

void text_measure(TextRenderer *tr, const char *utf8, float size_px, float *width, float *ascent,
                  float *descent) {
    long size26 = size_26_6(size_px);
    double w = 0, a = 0, d = 0;
    if (size26 > 0) {
        const ShapeEntry *e = shape(tr, utf8 ? utf8 : "", size26);
        if (e != NULL) {
            w = e->width;
            a = e->asc;
            d = e->desc;
        }
    }
    if (width)
        *width = (float)w;
    if (ascent)
        *ascent = (float)a;
    if (descent)
        *descent = (float)d;
}

float text_draw(TextRenderer *tr, RasterTarget *t, const char *utf8, float size_px, float x,
                float y, int align, float r, float g, float b, float alpha) {
    long size26 = size_26_6(size_px);
    if (size26 == 0 || utf8 == NULL)
        return 0;
    const ShapeEntry *e = shape(tr, utf8, size26);
    if (e == NULL)
        return 0;
    double w = e->width, asc = e->asc, desc = e->desc;
    double x0 = x;
    if (align == TEXT_CENTER)
        x0 -= w / 2;
    else if (align == TEXT_RIGHT)
        x0 -= w;
    const float rgba[4] = {r, g, b, alpha};
    if (isfinite(x0) && t != NULL)
        draw_shaped(tr, e, size26, t, x0, y, rgba);
    if (tr->rec_n && w > 0 && isfinite(x0) && isfinite(y)) {
        if (*tr->rec_n < tr->rec_cap) {
            TextBox *bx = &tr->rec[*tr->rec_n];
            bx->x0 = (float)x0;
            bx->x1 = (float)(x0 + w);
            bx->y0 = (float)(y - asc);
            bx->y1 = (float)(y + desc);
            snprintf(bx->text, sizeof bx->text, "%s", utf8);
        }
        ++*tr->rec_n;
    }
    return (float)w;
}

int text_glyphs(TextRenderer *tr, const char *utf8, float size_px, TextGlyph *out, int cap) {
    long size26 = size_26_6(size_px);
    if (size26 == 0 || utf8 == NULL)
        return 0;
    const ShapeEntry *e = shape(tr, utf8, size26);
    if (e == NULL)
        return 0;
    for (int i = 0; i < e->n && i < cap; i++) {
        out[i].x = (float)e->g[i].x;
        out[i].y = (float)e->g[i].y;
        out[i].advance = (float)e->g[i].advance;
        out[i].gid = e->g[i].gid;
        out[i].face = e->g[i].slot;
        out[i].cluster = e->g[i].cluster;
    }
    return e->n;
}

double text_width(TextRenderer *tr, const char *utf8, double px) {
    if (!tr)
        return text_estimate_width(utf8, px);
    float w, asc, desc;
    text_measure(tr, utf8, (float)px, &w, &asc, &desc);
    return w;
}

void text_record(TextRenderer *tr, TextBox *boxes, int cap, int *n) {
    tr->rec = boxes;
    tr->rec_cap = boxes ? cap : 0;
    tr->rec_n = boxes ? n : NULL;
    if (n)
        *n = 0;
}

/* ---- life cycle ---- */

TextRenderer *text_create(const char *font_path, GdError *err) {
    /* Opened as every input is (base/files: never blocking, regular files
     * only), and mapped rather than reopened by name, so FreeType reads
     * exactly the file that was checked; the OS's reasons say what is
     * wrong better than FreeType's vague ones. */
    struct stat st;
    const char *why;
    int fd = files_open_input(font_path, &st, &why);
    if (fd < 0) {
        gd_error(err, GD_ERR_INPUT, "%s: cannot open font: %s", font_path, why);
        return NULL;
    }
    if (st.st_size > TEXT_MAX_FONT_BYTES) {
        close(fd);
        gd_error(err, GD_ERR_INPUT, "%s: font file too large (more than %d MiB)", font_path,
                 TEXT_MAX_FONT_BYTES >> 20);
        return NULL;
    }
    if (st.st_size == 0) {
        close(fd);
        gd_error(err, GD_ERR_INPUT, "%s: not a font file", font_path);
        return NULL;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED) {
        gd_error(err, map_errno == ENOMEM ? GD_ERR_RUNTIME : GD_ERR_INPUT,
                 "%s: cannot open font: %s", font_path, strerror(map_errno));
        return NULL;
    }

    TextRenderer *tr = calloc(1, sizeof *tr);
    if (tr == NULL) {
        munmap(map, (size_t)st.st_size);
        gd_error(err, GD_ERR_RUNTIME, "out of memory");
        return NULL;
    }
    tr->main_map = map;
    tr->main_map_size = (size_t)st.st_size;
    if (FT_Init_FreeType(&tr->lib) != 0) {
        munmap(map, (size_t)st.st_size);
        free(tr);
        gd_error(err, GD_ERR_RUNTIME, "cannot initialise FreeType");
        return NULL;
    }
    FT_Face face;
    FT_Error fe = FT_New_Memory_Face(tr->lib, map, (FT_Long)st.st_size, 0, &face);
    /* In memory, FreeType's last probe (for a Mac resource fork) reports a
     * file too short for any font as a read past the end. */
    if (fe == FT_Err_Unknown_File_Format || fe == FT_Err_Invalid_Stream_Operation ||
        fe == FT_Err_Invalid_Stream_Read || fe == FT_Err_Invalid_Stream_Seek ||
        fe == FT_Err_Invalid_Stream_Skip) {
        gd_error(err, GD_ERR_INPUT, "%s: not a font file", font_path);
        goto fail;
    }
    if (fe == FT_Err_Out_Of_Memory) {
        gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto fail;
    }
    if (fe != 0) {
        gd_error(err, GD_ERR_INPUT, "%s: not a usable font (FreeType error %d)", font_path, fe);
        goto fail;
    }
    tr->faces[0].face = face;
    tr->nfaces = 1;
    if (!FT_IS_SCALABLE(face)) {
        gd_error(err, GD_ERR_INPUT, "%s: not a scalable font", font_path);
        goto fail;
    }
    if (FT_Select_Charmap(face, FT_ENCODING_UNICODE) != 0) {
        gd_error(err, GD_ERR_INPUT, "%s: font has no Unicode character map", font_path);
        goto fail;
    }
    tr->main_bold = (face->style_flags & FT_STYLE_FLAG_BOLD) != 0;
    return tr;
fail:
    text_destroy(tr);
    return NULL;
}

void text_destroy(TextRenderer *tr) {
    if (tr == NULL)
        return;
    glyph_cache_clear(tr);
    shape_cache_clear(tr);
    free(tr->fallbacks);
    free(tr->cps);
    free(tr->cinfo);
    free(tr->cls);
    free(tr->runs);
    hb_buffer_destroy(tr->hbuf);
    for (int i = 0; i < tr->nfaces; i++) {
        hb_font_destroy(tr->faces[i].hb);
        FT_Done_Face(tr->faces[i].face);
        free(tr->faces[i].file);
    }
    FT_Done_FreeType(tr->lib);
    if (tr->main_map != NULL)
        munmap(tr->main_map, tr->main_map_size);
    free(tr);
}
