/*
 * sections.c — one loader per config section: checks every key of SPEC
 * section 3 and fills the matching part of a Config (see sections.h).
 *
 * Pipeline place: first stage (config), after config/ini.c has read the
 * entries; config.c calls the loaders in order. Values are parsed with
 * config/values.c and errors reported at the entry's origin with
 * config/ini.c. Depends on model/formula (the model formula is compiled here,
 * so a bad formula is a config error with file and line), model/data (data
 * files, synthetic data), base/rng (random inits, derived seeds),
 * draw/colormap (the colormap names) and draw/text (a [video] font must
 * open as a font, so one that would fail the render fails --check).
 */
#include "config/sections.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "config/values.h"
#include "draw/colormap.h"
#include "draw/text.h"
#include "model/data.h"
#include "model/formula.h"
#include "model/typeset.h"

/* ---- defines and types -------------------------------------------------- */

#define NUM_COLORS         10
#define MAX_REPEAT         100
#define MAX_STEPS          1000000
#define MAX_XN             1000000
#define MAX_SECONDS        3600
#define SEED_PURPOSE_INIT  1
#define SEED_PURPOSE_BATCH 2

/* What the section loaders share: the document, the error to fill and the
 * Config being filled. */
typedef struct Loader {
    const IniDoc *doc;
    GdError *err;
    Config *cfg;
} Loader;

/* What one [run] section asks for, before repeat expansion. */
typedef struct RunSpec {
    const IniSection *sec;
    int random_init;
    double init[GD_MAX_PARAMS];
    double mean, std;
    int repeat;
    RunConfig base; /* everything but init, label suffix, colour and seeds */
    int has_color;
    unsigned long long seed;
} RunSpec;

static const char *const VIDEO_KEYS[] = {
    "output", "width", "height", "fps",        "duration", "hold",       "quality",  "crf",
    "preset", "title", "font",   "background", "theme",    "text_scale", "subtitles"};
static const char *const DATA_KEYS[] = {"x", "true", "noise", "seed", "file"};
static const char *const MODEL_KEYS[] = {"params", "variable", "formula", "loss"};
static const char *const SURFACE_KEYS[] = {
    "resolution", "colormap", "opacity", "wireframe", "contours", "zscale",    "arrows",
    "minima",     "plane",    "center",  "plane_u",   "plane_v",  "plane_seed"};
static const char *const RUN_KEYS[] = {"init",     "repeat", "lr",    "steps", "optimizer",
                                       "momentum", "beta1",  "beta2", "eps",   "alpha",
                                       "batch",    "color",  "label", "seed"};
static const char *const CAMERA_KEYS[] = {"key", "ease", "target"};
static const char *const TIMELINE_KEYS[] = {"key", "ease"};
static const char *const THEME_NAMES[] = {"light", "dark"};
static const char *const LAYOUT_KEYS[] = {"mode", "panels", "equation"};
static const char *const CAPTION_KEYS[] = {"text", "from", "to", "at", "run", "fade"};
static const char *const MARK_KEYS[] = {"at", "text", "color"};
static const char *const BASINS_KEYS[] = {"resolution", "run", "tolerance", "floor"};

static const char *const QUALITY_NAMES[] = {"draft", "medium", "high"};
static const char *const PRESET_NAMES[] = {"ultrafast", "superfast", "veryfast", "faster",
                                           "fast",      "medium",    "slow",     "slower",
                                           "veryslow",  "placebo"};
static const char *const ZSCALE_NAMES[] = {"linear", "log"};
static const char *const EASE_NAMES[] = {"smooth", "linear"};
static const char *const MODE_NAMES[] = {"overlay", "split"};
static const char *const PANEL_NAMES[] = {"surface", "contour", "fit", "loss", "basins"};
static const char *const LOSS_NAMES[] = {"mse"};

/* Default run colours, in run order: distinct hues, the first a strong red. */
static const Rgb PALETTE[NUM_COLORS] = {
    {0xd6, 0x27, 0x28}, /* red */
    {0x1f, 0x77, 0xb4}, /* blue */
    {0x2c, 0xa0, 0x2c}, /* green */
    {0xff, 0x7f, 0x0e}, /* orange */
    {0x94, 0x67, 0xbd}, /* purple */
    {0x8c, 0x56, 0x4b}, /* brown */
    {0xe3, 0x77, 0xc2}, /* pink */
    {0x17, 0xbe, 0xcf}, /* cyan */
    {0xbc, 0xbd, 0x22}, /* olive */
    {0x7f, 0x7f, 0x7f}, /* gray */
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A number macro as written ("1e300"), for messages. */
#define BOX_TEXT_(x) #x
#define BOX_TEXT(x)  BOX_TEXT_(x)

/* ---- errors --------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int fail_at(Loader *L, IniOrigin o, const char *fmt,
                                                         ...) {
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_at(L->doc, L->err, o, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* An error about a whole section, at its header: "[run good]: ...". */
__attribute__((format(printf, 3, 4))) static int fail_sec(Loader *L, const IniSection *s,
                                                          const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_section(L->doc, L->err, s, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* An error about one key's value, at its line: "[run good] lr: ...". */
__attribute__((format(printf, 4, 5))) static int fail_key(Loader *L, const IniSection *s,
                                                          const IniEntry *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_key(L->doc, L->err, s, e, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* Where an error that several entries cause together is reported: at its
 * own origin when an override wrote that, else at the first of the other
 * entries (NULLs skipped) that an override wrote, else at its own. A
 * "--set" is the user's latest word and the likelier culprit, and a file
 * line would send them looking in the wrong place. */
static IniOrigin blame(IniOrigin own, const IniEntry *const *others, int n) {
    if (own.ovr >= 0)
        return own;
    for (int i = 0; i < n; i++)
        if (others[i] && others[i]->origin.ovr >= 0)
            return others[i]->origin;
    return own;
}

/* fail_key, reported at origin o instead of e's (see blame). */
__attribute__((format(printf, 5, 6))) static int
fail_key_at(Loader *L, const IniSection *s, const IniEntry *e, IniOrigin o, const char *fmt, ...) {
    IniEntry at = *e;
    at.origin = o;
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_key(L->doc, L->err, s, &at, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* fail_sec, reported at origin o instead of the header's. */
__attribute__((format(printf, 4, 5))) static int fail_sec_at(Loader *L, const IniSection *s,
                                                             IniOrigin o, const char *fmt, ...) {
    IniSection at = *s;
    at.origin = o;
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_section(L->doc, L->err, &at, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* "ORIGIN: [section] key" for a point e gives that the box test, done once
 * the box is known, may refuse: at e, or at an override of a [surface]
 * range that shares the blame (see blame). */
static void box_where(Loader *L, const IniSection *s, const IniEntry *e, char *out, size_t size) {
    GdError where;
    Loader quiet = {L->doc, &where, L->cfg};
    const IniSection *sf = ini_find_section(L->doc, SEC_SURFACE);
    const IniEntry *others[GD_MAX_PARAMS];
    for (int p = 0; p < L->cfg->model.nparams; p++)
        others[p] = ini_find_entry(sf, L->cfg->model.params[p]);
    fail_key_at(&quiet, s, e, blame(e->origin, others, L->cfg->model.nparams), "%s", "");
    size_t n = strlen(where.msg);
    snprintf(out, size, "%.*s", (int)(n >= 2 ? n - 2 : n), where.msg);
}

static int fail_missing(Loader *L, const IniSection *s, const char *key) {
    IniEntry e = {(char *)key, NULL, s->origin};
    return fail_key(L, s, &e, "missing");
}

static int fail_oom(Loader *L) {
    return gd_error(L->err, GD_ERR_RUNTIME, "out of memory");
}

/* ---- keys and their values ---------------------------------------------- */

static int in_list(const char *name, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* Every key of s must be one of keys (or, for [surface], a parameter). */
static int check_keys(Loader *L, const IniSection *s, const char *const *keys, int nkeys,
                      const ModelConfig *model) {
    for (int i = 0; i < s->nentries; i++) {
        const IniEntry *e = &s->entries[i];
        int ok = in_list(e->key, keys, nkeys);
        for (int p = 0; model && !ok && p < model->nparams; p++)
            ok = strcmp(e->key, model->params[p]) == 0;
        if (!ok)
            return fail_key(L, s, e, "unknown key");
    }
    return 0;
}

static int need_value(Loader *L, const IniSection *s, const IniEntry *e) {
    if (e->value[0] == '\0')
        return fail_key(L, s, e, "no value given");
    return 0;
}

/* A value parser's verdict at its key: 0, or its message after
 * "[section] key: ". */
static int at_key(Loader *L, const IniSection *s, const IniEntry *e, int rc, const GdError *ve) {
    return rc ? fail_key(L, s, e, "%s", ve->msg) : 0;
}

/* One number (the whole value, or one item of a list). */
static int parse_number(Loader *L, const IniSection *s, const IniEntry *e, const char *text,
                        double *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_number(text, out, &ve), &ve);
}

static int parse_int(Loader *L, const IniSection *s, const IniEntry *e, const char *text,
                     long long *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_integer(text, out, &ve), &ve);
}

static int get_int(Loader *L, const IniSection *s, const IniEntry *e, int lo, int hi, int *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_int_range(e->value, lo, hi, out, &ve), &ve);
}

/* A number in [lo, hi] (or [lo, hi) when hi_open, (lo, hi] when lo_open). */
static int get_range(Loader *L, const IniSection *s, const IniEntry *e, double lo, int lo_open,
                     double hi, int hi_open, double *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_range(e->value, lo, lo_open, hi, hi_open, out, &ve), &ve);
}

static int get_seed(Loader *L, const IniSection *s, const IniEntry *e, unsigned long long *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_seed(e->value, out, &ve), &ve);
}

static int parse_choice(Loader *L, const IniSection *s, const IniEntry *e, const char *text,
                        const char *const *names, int n, int *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_choice(text, names, n, out, &ve), &ve);
}

static int get_choice(Loader *L, const IniSection *s, const IniEntry *e, const char *const *names,
                      int n, int *out) {
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return parse_choice(L, s, e, e->value, names, n, out);
}

/* A colormap name; draw/colormap.c owns the names. */
static int get_colormap(Loader *L, const IniSection *s, const IniEntry *e, ColormapKind *out) {
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    int k = colormap_parse(e->value);
    if (k >= 0) {
        *out = (ColormapKind)k;
        return 0;
    }
    const char *names[COLORMAP_COUNT];
    for (int i = 0; i < COLORMAP_COUNT; i++)
        names[i] = colormap_name((ColormapKind)i);
    return parse_choice(L, s, e, e->value, names, COLORMAP_COUNT, &k);
}

/* An optimizer name, from the table behind config_optimizer_name. */
static int get_optimizer(Loader *L, const IniSection *s, const IniEntry *e, OptimizerKind *out) {
    const char *names[GD_OPTIMIZER_COUNT];
    for (int i = 0; i < GD_OPTIMIZER_COUNT; i++)
        names[i] = config_optimizer_name((OptimizerKind)i);
    int k = 0;
    if (get_choice(L, s, e, names, GD_OPTIMIZER_COUNT, &k))
        return GD_ERR_INPUT;
    *out = (OptimizerKind)k;
    return 0;
}

static int get_bool(Loader *L, const IniSection *s, const IniEntry *e, int *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_bool(e->value, out, &ve), &ve);
}

static int get_color(Loader *L, const IniSection *s, const IniEntry *e, Rgb *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_color(e->value, out, &ve), &ve);
}

static int get_text(Loader *L, const IniSection *s, const IniEntry *e, int allow_empty, char *out,
                    size_t size) {
    GdError ve;
    if (!allow_empty && need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_copy_text(e->value, out, size, &ve), &ve);
}

/* A path relative to the config file's folder. */
static int get_path(Loader *L, const IniSection *s, const IniEntry *e, char *out, size_t size) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_resolve_path(L->cfg->dir, e->value, out, size, &ve), &ve);
}

/* A path that must be readable now. */
static int get_input_path(Loader *L, const IniSection *s, const IniEntry *e, char *out,
                          size_t size) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_resolve_input_path(L->cfg->dir, e->value, out, size, &ve), &ve);
}

static int split_list(Loader *L, const IniSection *s, const IniEntry *e, const char *text,
                      ValueList *list) {
    GdError ve;
    return at_key(L, s, e, value_split_list(text, list, &ve), &ve);
}

/* Exactly count numbers; names describes them, e.g. "a, b" or "lo, hi". */
static int parse_numbers(Loader *L, const IniSection *s, const IniEntry *e, const char *text,
                         int count, const char *names, double *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_numbers(text, count, names, out, &ve), &ve);
}

/* "name(arg, arg, ...)" with count arguments (see value_parse_call). */
static int parse_call(Loader *L, const IniSection *s, const IniEntry *e, const char *name,
                      int count, const char *usage, ValueList *args, int *matched) {
    GdError ve;
    return at_key(L, s, e, value_parse_call(e->value, name, count, usage, args, matched, &ve), &ve);
}

/* "a, b" for the messages about per-parameter lists. */
static void param_list(const ModelConfig *m, char *buf, size_t size) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->nfamilies && o < size; i++) {
        const ParamFamily *f = &m->families[i];
        const char *sep = i ? ", " : "";
        if (!f->indexed)
            o += (size_t)snprintf(buf + o, size - o, "%s%s", sep, f->name);
        else if (f->count == 1)
            o += (size_t)snprintf(buf + o, size - o, "%s%s[1]", sep, f->name);
        else
            o += (size_t)snprintf(buf + o, size - o, "%s%s[1..%d]", sep, f->name, f->count);
    }
}

static void where_of(Loader *L, const IniSection *s, const IniEntry *e, char *out, size_t n);

/* A point on the view: how many values it takes (1 on a one-parameter
 * loss curve, else the plane's 2) and their names for messages: "a, b",
 * "b, c" for a slice, "PC1, PC2" or "d1, d2". */
static int shown_names(const Config *cfg, char *buf, size_t n) {
    const ModelConfig *m = &cfg->model;
    const SurfaceConfig *sf = &cfg->surface;
    if (m->nparams == 1) {
        snprintf(buf, n, "%s", m->params[0]);
        return 1;
    }
    if (sf->plane == PLANE_PCA)
        snprintf(buf, n, "PC1, PC2");
    else if (sf->plane == PLANE_RANDOM)
        snprintf(buf, n, "d1, d2");
    else
        snprintf(buf, n, "%s, %s", m->params[sf->plane_axis[0]], m->params[sf->plane_axis[1]]);
    return 2;
}

/* ---- module functions: one loader per section ----------------------------- */

/* Why name cannot be a parameter, or NULL if it can: the formula language
 * owns some names, and [surface] keys share a namespace with parameters. */
static const char *reserved_reason(const char *name, const char *variable) {
    if (strcmp(name, variable) == 0)
        return "the data variable";
    switch (formula_classify_name(name)) {
    case FORMULA_NAME_X:
        if (strcmp(variable, "x") == 0)
            return "the data variable";
        break;
    case FORMULA_NAME_CONSTANT:
        return "a constant";
    case FORMULA_NAME_FUNCTION:
        return "a function";
    case FORMULA_NAME_FREE:
        break;
    }
    if (in_list(name, SURFACE_KEYS, COUNT(SURFACE_KEYS)))
        return "a [surface] key";
    return NULL;
}

int section_load_model(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    ModelConfig *m = &L->cfg->model;
    const IniSection *s = ini_find_section(L->doc, SEC_MODEL);
    if (!s)
        return fail_at(L, INI_FILE, "missing section [model]");
    if (check_keys(L, s, MODEL_KEYS, COUNT(MODEL_KEYS), NULL))
        return GD_ERR_INPUT;

    snprintf(m->variable, sizeof m->variable, "x");
    const IniEntry *e = ini_find_entry(s, "variable");
    if (e) {
        if (need_value(L, s, e))
            return GD_ERR_INPUT;
        FormulaName kind = formula_classify_name(e->value);
        if (!value_is_ident(e->value) || strlen(e->value) >= GD_NAME_MAX)
            return fail_key(L, s, e, "\"%s\" is not a valid name", e->value);
        if (kind == FORMULA_NAME_CONSTANT || kind == FORMULA_NAME_FUNCTION)
            return fail_key(L, s, e, "\"%s\" is reserved (%s)", e->value,
                            kind == FORMULA_NAME_CONSTANT ? "a constant" : "a function");
        snprintf(m->variable, sizeof m->variable, "%s", e->value);
    }
    e = ini_find_entry(s, "params");
    if (!e)
        return fail_missing(L, s, "params");
    ValueList list;
    if (need_value(L, s, e) || split_list(L, s, e, e->value, &list))
        return GD_ERR_INPUT;
    m->nparams = 0;
    m->nfamilies = 0;
    for (int i = 0; i < list.n && i < VALUE_MAX_LIST; i++) {
        /* "d", or a family "w[8]" */
        char name[GD_NAME_MAX + 16];
        const char *item = list.items[i], *open = strchr(item, '[');
        size_t nlen = open ? (size_t)(open - item) : strlen(item);
        long long count = 1;
        if (nlen >= sizeof name)
            nlen = sizeof name - 1;
        snprintf(name, sizeof name, "%.*s", (int)nlen, item);
        value_trim(name);
        if (open) {
            char digits[32];
            const char *close = strchr(open, ']');
            size_t dlen = close ? (size_t)(close - open - 1) : 0;
            if (!close || close[1] != '\0' || dlen >= sizeof digits)
                return fail_key(L, s, e, "\"%s\" is not a parameter or a family like w[8]", item);
            snprintf(digits, sizeof digits, "%.*s", (int)dlen, open + 1);
            if (!value_is_integer(value_trim(digits), &count) || count < 1 || count > GD_MAX_PARAMS)
                return fail_key(L, s, e,
                                "family \"%s\" must have from 1 to %d parameters, got \"%s\"", item,
                                GD_MAX_PARAMS, digits);
        }
        const char *why = reserved_reason(name, m->variable);
        if (!value_is_ident(name))
            return fail_key(L, s, e,
                            "\"%s\" is not a valid name (letters, digits and _, not starting "
                            "with a digit)",
                            name);
        /* room for "[256]" after a family's name */
        if (strlen(name) >= GD_NAME_MAX - (open ? 6 : 0))
            return fail_key(L, s, e, "\"%s\" is too long (more than %d bytes)", name,
                            GD_NAME_MAX - 1 - (open ? 6 : 0));
        if (why)
            return fail_key(L, s, e, "\"%s\" is reserved (%s)", name, why);
        for (int j = 0; j < m->nfamilies; j++)
            if (strcmp(name, m->families[j].name) == 0)
                return fail_key(L, s, e, "\"%s\" given twice", name);
        if (m->nparams + count > GD_MAX_PARAMS)
            return fail_key(L, s, e, "too many parameters (more than %d in all)", GD_MAX_PARAMS);
        ParamFamily *f = &m->families[m->nfamilies++];
        /* Precisions the length check above guarantees, spelled out so
         * that GCC's truncation warning (Debug builds) sees them. */
        snprintf(f->name, sizeof f->name, "%.*s", (int)sizeof f->name - 1, name);
        f->first = m->nparams;
        f->count = (int)count;
        f->indexed = open != NULL;
        for (int k = 1; k <= count; k++) {
            if (open)
                snprintf(m->params[m->nparams], GD_NAME_MAX, "%.*s[%u]", GD_NAME_MAX - 7, name,
                         (unsigned)k % 1000u);
            else
                snprintf(m->params[m->nparams], GD_NAME_MAX, "%.*s", GD_NAME_MAX - 1, name);
            m->nparams++;
        }
    }
    if (list.n > VALUE_MAX_LIST)
        return fail_key(L, s, e, "too many parameters (more than %d in all)", GD_MAX_PARAMS);

    e = ini_find_entry(s, "formula");
    if (!e)
        return fail_missing(L, s, "formula");
    if (get_text(L, s, e, 0, m->formula_text, sizeof m->formula_text))
        return GD_ERR_INPUT;
    const char *names[GD_MAX_PARAMS];
    for (int i = 0; i < m->nparams; i++)
        names[i] = m->params[i];
    int column = 0;
    GdError ferr;
    int rc = formula_compile_var(m->formula_text, m->variable, names, m->nparams, &m->formula,
                                 &column, &ferr);
    if (rc == GD_ERR_RUNTIME)
        return fail_oom(L);
    if (rc)
        return fail_key(L, s, e, "column %d: %s", column, ferr.msg);

    int loss = 0;
    e = ini_find_entry(s, "loss");
    if (e && get_choice(L, s, e, LOSS_NAMES, COUNT(LOSS_NAMES), &loss))
        return GD_ERR_INPUT;
    return 0;
}

/* [data] file: the points of a CSV; the x range is theirs. */
static int load_data_file(Loader *L, const IniSection *s, const IniEntry *file) {
    Config *cfg = L->cfg;
    DataConfig *d = &cfg->data;
    d->from_file = 1;
    if (get_input_path(L, s, file, d->file, sizeof d->file))
        return GD_ERR_INPUT;
    int rc = data_read_csv(d->file, &cfg->data_x, &cfg->data_y, &cfg->ndata, L->err);
    if (rc)
        return rc;
    d->x_n = cfg->ndata;
    d->x_lo = d->x_hi = cfg->data_x[0];
    for (int i = 1; i < cfg->ndata; i++) {
        d->x_lo = fmin(d->x_lo, cfg->data_x[i]);
        d->x_hi = fmax(d->x_hi, cfg->data_x[i]);
    }
    return 0;
}

/* [data] x = linspace(lo, hi, n). */
static int load_linspace(Loader *L, const IniSection *s, const IniEntry *e) {
    DataConfig *d = &L->cfg->data;
    ValueList args;
    const char *usage = "linspace(lo, hi, n)";
    int matched = 0;
    if (need_value(L, s, e) || parse_call(L, s, e, "linspace", 3, usage, &args, &matched))
        return GD_ERR_INPUT;
    if (!matched)
        return fail_key(L, s, e, "expected %s, got \"%s\"", usage, e->value);
    const char *lo = args.items[0], *hi = args.items[1], *count = args.items[2];
    long long n = 0;
    if (parse_number(L, s, e, lo, &d->x_lo) || parse_number(L, s, e, hi, &d->x_hi))
        return GD_ERR_INPUT;
    if (!value_is_integer(count, &n) || n < 1 || n > MAX_XN)
        return fail_key(L, s, e, "n must be an integer from 1 to %d, got \"%s\"", MAX_XN, count);
    d->x_n = (int)n;
    if (n > 1 && !(d->x_lo < d->x_hi))
        return fail_key(L, s, e, "lo (%s) must be less than hi (%s)", lo, hi);
    if (!isfinite(d->x_hi - d->x_lo))
        return fail_key(L, s, e, "the range from %s to %s is too wide", lo, hi);
    return 0;
}

/* Synthetic [data]: true, x and noise, then the points from data_generate. */
static int load_data_synthetic(Loader *L, const IniSection *s) {
    Config *cfg = L->cfg;
    DataConfig *d = &cfg->data;
    const ModelConfig *m = &cfg->model;
    const IniEntry *tr = ini_find_entry(s, "true");
    if (!tr)
        return fail_missing(L, s, "true");
    char names[GD_MAX_PARAMS * GD_NAME_MAX];
    param_list(m, names, sizeof names);
    if (need_value(L, s, tr) ||
        parse_numbers(L, s, tr, tr->value, m->nparams, names, d->true_params))
        return GD_ERR_INPUT;
    d->has_true = 1;

    const IniEntry *e = ini_find_entry(s, "x");
    if (e && load_linspace(L, s, e))
        return GD_ERR_INPUT;
    e = ini_find_entry(s, "noise");
    if (e && get_range(L, s, e, 0.0, 0, INFINITY, 0, &d->noise))
        return GD_ERR_INPUT;

    const DataSpec spec = {m->formula, d->true_params, d->x_lo, d->x_hi, d->x_n, d->noise, d->seed};
    GdError derr;
    int rc = data_generate(&spec, &cfg->data_x, &cfg->data_y, &derr);
    if (rc == GD_ERR_RUNTIME)
        return fail_oom(L);
    if (rc) {
        /* the formula, the points and the noise share the blame */
        const IniEntry *others[] = {ini_find_entry(ini_find_section(L->doc, SEC_MODEL), "formula"),
                                    ini_find_entry(ini_find_section(L->doc, SEC_MODEL), "variable"),
                                    ini_find_entry(s, "x"), ini_find_entry(s, "noise"),
                                    ini_find_entry(s, "seed")};
        return fail_key_at(L, s, tr, blame(tr->origin, others, COUNT(others)), "%s", derr.msg);
    }
    cfg->ndata = d->x_n;
    return 0;
}

int section_load_data(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    DataConfig *d = &cfg->data;
    const IniSection *s = ini_find_section(L->doc, SEC_DATA);
    if (!s)
        return fail_at(L, INI_FILE, "missing section [data]");
    if (check_keys(L, s, DATA_KEYS, COUNT(DATA_KEYS), NULL))
        return GD_ERR_INPUT;
    d->line = s->origin.line;
    d->seed = 1;
    d->noise = 0.1;
    d->x_lo = -1.0;
    d->x_hi = 1.0;
    d->x_n = 200;

    const IniEntry *file = ini_find_entry(s, "file");
    if (file)
        for (int i = 0; i < s->nentries; i++) {
            const char *k = s->entries[i].key;
            if (strcmp(k, "x") == 0 || strcmp(k, "true") == 0 || strcmp(k, "noise") == 0)
                return fail_key(L, s, file,
                                "cannot be combined with %s (use a file or "
                                "synthetic data, not both)",
                                k);
        }
    const IniEntry *e = ini_find_entry(s, "seed");
    if (e && get_seed(L, s, e, &d->seed))
        return GD_ERR_INPUT;
    return file ? load_data_file(L, s, file) : load_data_synthetic(L, s);
}

/* Replaces every {formula} in text (size bytes) by the model's typeset
 * formula; the result must still fit. */
static int fill_formula(Loader *L, const IniSection *s, const IniEntry *e, char *text,
                        size_t size) {
    static const char KEY[] = "{formula}";
    if (!strstr(text, KEY))
        return 0;
    char formula[TYPESET_MAX], out[GD_TEXT_MAX];
    if (typeset_config_formula(L->cfg, formula, sizeof formula) != 0)
        return fail_oom(L);
    size_t o = 0, flen = strlen(formula);
    for (const char *p = text; *p;) {
        const char *at = strstr(p, KEY);
        size_t lit = at ? (size_t)(at - p) : strlen(p);
        size_t add = lit + (at ? flen : 0);
        if (o + add >= sizeof out)
            return fail_key(L, s, e, "too long with {formula} filled in (more than %zu bytes)",
                            sizeof out - 1);
        memcpy(out + o, p, lit);
        if (at)
            memcpy(out + o + lit, formula, flen);
        o += add;
        p += lit + (at ? sizeof KEY - 1 : 0);
    }
    out[o] = '\0';
    snprintf(text, size, "%s", out);
    return 0;
}

int section_load_video(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    VideoConfig *v = &L->cfg->video;
    v->width = 1280;
    v->height = 720;
    v->fps = 30;
    v->duration = 10.0;
    v->hold = 2.0;
    v->quality = QUALITY_MEDIUM;
    v->crf = 18;
    snprintf(v->preset, sizeof v->preset, "medium");
    v->background = (Rgb){0xff, 0xff, 0xff};
    v->theme = THEME_LIGHT;
    v->text_scale = 1.0;
    const IniSection *s = ini_find_section(L->doc, SEC_VIDEO);
    if (!s)
        return 0;
    if (check_keys(L, s, VIDEO_KEYS, COUNT(VIDEO_KEYS), NULL))
        return GD_ERR_INPUT;
    const IniEntry *e;
    if ((e = ini_find_entry(s, "output")) && get_path(L, s, e, v->output, sizeof v->output))
        return GD_ERR_INPUT;
    static const struct {
        const char *key;
        int max;
    } sizes[2] = {{"width", 7680}, {"height", 4320}};
    for (int i = 0; i < 2; i++) {
        int *out = i == 0 ? &v->width : &v->height;
        long long n = 0;
        if (!(e = ini_find_entry(s, sizes[i].key)))
            continue;
        if (need_value(L, s, e) || parse_int(L, s, e, e->value, &n))
            return GD_ERR_INPUT;
        if (n < 16 || n > sizes[i].max || n % 2 != 0)
            return fail_key(L, s, e, "must be an even number from 16 to %d, got %s", sizes[i].max,
                            e->value);
        *out = (int)n;
    }
    if ((e = ini_find_entry(s, "fps")) && get_int(L, s, e, 1, 240, &v->fps))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "duration")) &&
        get_range(L, s, e, 0.0, 1, MAX_SECONDS, 0, &v->duration))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "hold")) && get_range(L, s, e, 0.0, 0, MAX_SECONDS, 0, &v->hold))
        return GD_ERR_INPUT;
    if (llround((double)v->fps * (v->duration + v->hold)) < 1) {
        const IniEntry *d = ini_find_entry(s, "duration");
        if (!d)
            d = ini_find_entry(s, "hold");
        const IniEntry *others[] = {ini_find_entry(s, "hold"), ini_find_entry(s, "fps")};
        return fail_key_at(L, s, d, blame(d->origin, others, COUNT(others)),
                           "fps x (duration + hold) = %d x %g s gives no frames", v->fps,
                           v->duration + v->hold);
    }
    int k = 0;
    if ((e = ini_find_entry(s, "quality"))) {
        if (get_choice(L, s, e, QUALITY_NAMES, COUNT(QUALITY_NAMES), &k))
            return GD_ERR_INPUT;
        v->quality = (Quality)k;
    }
    if ((e = ini_find_entry(s, "crf")) && get_int(L, s, e, 0, 51, &v->crf))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "preset"))) {
        if (get_choice(L, s, e, PRESET_NAMES, COUNT(PRESET_NAMES), &k))
            return GD_ERR_INPUT;
        snprintf(v->preset, sizeof v->preset, "%s", PRESET_NAMES[k]);
    }
    if ((e = ini_find_entry(s, "title")) && (get_text(L, s, e, 1, v->title, sizeof v->title) ||
                                             fill_formula(L, s, e, v->title, sizeof v->title)))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "font"))) {
        if (get_input_path(L, s, e, v->font, sizeof v->font))
            return GD_ERR_INPUT;
        /* Opened as the render will open it: a file that is not a usable
         * font passed --check and then failed every render. */
        GdError fe;
        TextRenderer *tr = text_create(v->font, &fe);
        if (!tr)
            return fe.code == GD_ERR_RUNTIME ? fail_oom(L) : fail_key(L, s, e, "%s", fe.msg);
        text_destroy(tr);
    }
    if ((e = ini_find_entry(s, "theme"))) {
        if (get_choice(L, s, e, THEME_NAMES, COUNT(THEME_NAMES), &k))
            return GD_ERR_INPUT;
        v->theme = (Theme)k;
        if (v->theme == THEME_DARK)
            v->background = (Rgb){0x11, 0x14, 0x18};
    }
    if ((e = ini_find_entry(s, "background")) && get_color(L, s, e, &v->background))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "subtitles")) && get_bool(L, s, e, &v->subtitles))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "text_scale")) && get_range(L, s, e, 0.5, 0, 3.0, 0, &v->text_scale))
        return GD_ERR_INPUT;
    return 0;
}

/* "lo, hi" of a range key into out[2]. */
static int get_lo_hi(Loader *L, const IniSection *s, const IniEntry *e, double out[2]) {
    ValueList list;
    if (need_value(L, s, e) || split_list(L, s, e, e->value, &list))
        return GD_ERR_INPUT;
    if (list.n != 2)
        return fail_key(L, s, e, "expected 2 values (lo, hi), got %d", list.n);
    const char *lo = list.items[0], *hi = list.items[1];
    if (parse_number(L, s, e, lo, &out[0]) || parse_number(L, s, e, hi, &out[1]))
        return GD_ERR_INPUT;
    if (!(out[0] < out[1]))
        return fail_key(L, s, e, "lo (%s) must be less than hi (%s)", lo, hi);
    if (out[0] < -GD_BOX_LIMIT || out[1] > GD_BOX_LIMIT)
        return fail_key(L, s, e,
                        "the range from %s to %s is too wide: lo and hi must be from -%s to %s", lo,
                        hi, BOX_TEXT(GD_BOX_LIMIT), BOX_TEXT(GD_BOX_LIMIT));
    if (out[1] - out[0] < config_box_min_span(out[0], out[1]))
        return fail_key(L, s, e,
                        "the range from %s to %s is too narrow to draw: it must be at least "
                        "%.3g wide (%s of max(|lo|, |hi|), at least %s)",
                        lo, hi, config_box_min_span(out[0], out[1]), BOX_TEXT(GD_BOX_MIN_REL),
                        BOX_TEXT(GD_BOX_MIN_SPAN));
    return 0;
}

/* The index of parameter name in m, or -1. */
static int param_index(const ModelConfig *m, const char *name) {
    for (int p = 0; p < m->nparams; p++)
        if (strcmp(m->params[p], name) == 0)
            return p;
    return -1;
}

/* [surface] plane, center, plane_u, plane_v and plane_seed (s may be NULL:
 * the defaults, already set). */
static int load_plane(Loader *L, const IniSection *s) {
    SurfaceConfig *sf = &L->cfg->surface;
    const ModelConfig *m = &L->cfg->model;
    const IniEntry *e = s ? ini_find_entry(s, "plane") : NULL;
    if (e) {
        sf->plane_given = 1;
        if (need_value(L, s, e))
            return GD_ERR_INPUT;
        if (m->nparams == 1)
            return fail_key(L, s, e,
                            "a model with one parameter is shown as a loss curve, "
                            "without a plane");
        if (strcmp(e->value, "pca") == 0) {
            sf->plane = PLANE_PCA;
        } else if (strcmp(e->value, "random") == 0) {
            sf->plane = PLANE_RANDOM;
        } else {
            ValueList list;
            if (split_list(L, s, e, e->value, &list))
                return GD_ERR_INPUT;
            if (list.n != 2)
                return fail_key(L, s, e,
                                "expected two parameters P, Q, or pca or random, got \"%s\"",
                                e->value);
            for (int i = 0; i < 2; i++) {
                int p = param_index(m, list.items[i]);
                if (p < 0)
                    return fail_key(L, s, e,
                                    "\"%s\" is not a parameter (expected two of the "
                                    "parameters, or pca or random)",
                                    list.items[i]);
                if (i == 1 && p == sf->plane_axis[0])
                    return fail_key(L, s, e,
                                    "\"%s\" given twice: a slice needs two different parameters",
                                    list.items[i]);
                sf->plane_axis[i] = p;
            }
            sf->plane = PLANE_AXES;
        }
        where_of(L, s, e, sf->plane_where, sizeof sf->plane_where);
    } else if (m->nparams >= 3) {
        /* the default for three or more: "FILE: [surface] plane (pca, the default ...)" */
        snprintf(sf->plane_where, sizeof sf->plane_where,
                 "%.400s: [surface] plane = pca (the default for %d parameters)", L->cfg->path,
                 m->nparams);
    }
    snprintf(sf->center_where, sizeof sf->center_where, "%s", sf->plane_where);
    if (!s)
        return 0;
    if ((e = ini_find_entry(s, "center"))) {
        if (need_value(L, s, e))
            return GD_ERR_INPUT;
        if (m->nparams == 1)
            return fail_key(L, s, e, "a model with one parameter has no plane to center");
        if (strcmp(e->value, "final") == 0) {
            sf->center = CENTER_FINAL;
        } else if (strcmp(e->value, "init") == 0) {
            sf->center = CENTER_INIT;
        } else if (strcmp(e->value, "true") == 0) {
            sf->center = CENTER_TRUE;
        } else {
            char names[GD_MAX_PARAMS * GD_NAME_MAX];
            param_list(m, names, sizeof names);
            GdError ve;
            if (value_parse_numbers(e->value, m->nparams, names, sf->center_at, &ve))
                return fail_key(L, s, e, "%s; or final, init or true", ve.msg);
            sf->center = CENTER_VALUES;
        }
        where_of(L, s, e, sf->center_where, sizeof sf->center_where);
    }
    static const char *const uv[2] = {"plane_u", "plane_v"};
    for (int i = 0; i < 2; i++) {
        if (!(e = ini_find_entry(s, uv[i])))
            continue;
        if (sf->plane == PLANE_AXES)
            return fail_key(L, s, e,
                            "only for plane = pca or random (a slice's ranges are its "
                            "parameters' keys, e.g. %s = lo, hi)",
                            m->params[sf->plane_axis[i]]);
        if (get_lo_hi(L, s, e, sf->plane_range[i]))
            return GD_ERR_INPUT;
        sf->has_plane_range[i] = 1;
    }
    if ((e = ini_find_entry(s, "plane_seed"))) {
        if (sf->plane != PLANE_RANDOM)
            return fail_key(L, s, e, "only for plane = random");
        if (get_seed(L, s, e, &sf->plane_seed))
            return GD_ERR_INPUT;
    }
    return 0;
}

int section_load_surface(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    SurfaceConfig *sf = &L->cfg->surface;
    const ModelConfig *m = &L->cfg->model;
    sf->resolution = 60;
    sf->colormap = CMAP_RAINBOW;
    sf->opacity = 0.6;
    sf->wireframe = 1;
    sf->contours = 10;
    sf->zscale = ZSCALE_LINEAR;
    sf->arrows = 0;
    sf->minima = 0;
    sf->plane = m->nparams >= 3 ? PLANE_PCA : PLANE_AXES;
    sf->plane_axis[0] = 0;
    sf->plane_axis[1] = m->nparams >= 2 ? 1 : 0;
    sf->center = CENTER_FINAL;
    sf->plane_seed = L->cfg->data.seed;
    const IniSection *s = ini_find_section(L->doc, SEC_SURFACE);
    if (s && check_keys(L, s, SURFACE_KEYS, COUNT(SURFACE_KEYS), m))
        return GD_ERR_INPUT;
    if (load_plane(L, s))
        return GD_ERR_INPUT;
    if (!s)
        return 0;
    const IniEntry *e;
    for (int p = 0; p < m->nparams; p++) {
        if (!(e = ini_find_entry(s, m->params[p])))
            continue;
        if (sf->plane != PLANE_AXES)
            return fail_key(L, s, e,
                            "the plane is %s: give its ranges as plane_u = lo, hi and "
                            "plane_v = lo, hi",
                            sf->plane == PLANE_PCA ? "pca" : "random");
        if (p != sf->plane_axis[0] && p != sf->plane_axis[1])
            return fail_key(L, s, e, "%s is not shown (the plane shows %s and %s)", m->params[p],
                            m->params[sf->plane_axis[0]], m->params[sf->plane_axis[1]]);
        if (get_lo_hi(L, s, e, sf->range[p]))
            return GD_ERR_INPUT;
        sf->has_range[p] = 1;
    }
    int k = 0;
    if ((e = ini_find_entry(s, "resolution")) && get_int(L, s, e, 8, 512, &sf->resolution))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "colormap")) && get_colormap(L, s, e, &sf->colormap))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "opacity")) && get_range(L, s, e, 0.0, 0, 1.0, 0, &sf->opacity))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "wireframe")) && get_bool(L, s, e, &sf->wireframe))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "contours")) && get_int(L, s, e, 0, 100, &sf->contours))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "zscale"))) {
        if (get_choice(L, s, e, ZSCALE_NAMES, COUNT(ZSCALE_NAMES), &k))
            return GD_ERR_INPUT;
        sf->zscale = (ZScale)k;
    }
    if ((e = ini_find_entry(s, "arrows")) && get_bool(L, s, e, &sf->arrows))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "minima")) && get_bool(L, s, e, &sf->minima))
        return GD_ERR_INPUT;
    return 0;
}

/* A seed for one purpose of one run, from the run's seed, its section name
 * and its repeat index: stable when other runs are added or reordered. */
static uint64_t derive_seed(uint64_t seed, const char *name, int index, uint64_t purpose) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the name */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    uint64_t z = rng_hash(seed ^ rng_hash(purpose));
    z = rng_hash(z ^ h);
    return rng_hash(z + (uint64_t)index);
}

static int load_run_spec(Loader *L, const IniSection *s, RunSpec *r) {
    const Config *cfg = L->cfg;
    const ModelConfig *m = &cfg->model;
    RunConfig *b = &r->base;
    memset(r, 0, sizeof *r);
    r->sec = s;
    r->repeat = 1;
    r->seed = cfg->data.seed;
    snprintf(b->name, sizeof b->name, "%s", s->name);
    snprintf(b->label, sizeof b->label, "%s", s->name[0] ? s->name : "run");
    b->lr = 0.1;
    b->steps = 400;
    b->optimizer = OPT_GD;
    b->momentum = 0.9;
    b->beta1 = 0.9;
    b->beta2 = 0.999;
    b->alpha = 0.99;
    b->line = s->origin.line;
    if (check_keys(L, s, RUN_KEYS, COUNT(RUN_KEYS), NULL))
        return GD_ERR_INPUT;

    const IniEntry *e = ini_find_entry(s, "init");
    if (!e)
        return fail_missing(L, s, "init");
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    ValueList args;
    int matched = 0;
    if (parse_call(L, s, e, "normal", 2, "normal(mean, std)", &args, &matched))
        return GD_ERR_INPUT;
    if (matched) {
        r->random_init = 1;
        if (parse_number(L, s, e, args.items[0], &r->mean) ||
            parse_number(L, s, e, args.items[1], &r->std))
            return GD_ERR_INPUT;
        if (r->std < 0.0)
            return fail_key(L, s, e, "std must be at least 0, got %s", args.items[1]);
    } else {
        char names[GD_MAX_PARAMS * GD_NAME_MAX];
        param_list(m, names, sizeof names);
        if (parse_numbers(L, s, e, e->value, m->nparams, names, r->init))
            return GD_ERR_INPUT;
    }
    if ((e = ini_find_entry(s, "repeat"))) {
        if (!r->random_init)
            return fail_key(L, s, e, "needs a random init, e.g. init = normal(0, 1)");
        if (get_int(L, s, e, 1, MAX_REPEAT, &r->repeat))
            return GD_ERR_INPUT;
    }
    if ((e = ini_find_entry(s, "lr")) && get_range(L, s, e, 0.0, 1, INFINITY, 0, &b->lr))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "steps")) && get_int(L, s, e, 0, MAX_STEPS, &b->steps))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "optimizer")) && get_optimizer(L, s, e, &b->optimizer))
        return GD_ERR_INPUT;
    static const char *const unit_keys[] = {"momentum", "beta1", "beta2", "alpha"};
    double *unit_vals[] = {&b->momentum, &b->beta1, &b->beta2, &b->alpha};
    for (int i = 0; i < 4; i++)
        if ((e = ini_find_entry(s, unit_keys[i])) &&
            get_range(L, s, e, 0.0, 0, 1.0, 1, unit_vals[i]))
            return GD_ERR_INPUT;
    b->eps = b->optimizer == OPT_ADAGRAD ? 1e-10 : 1e-8;
    if ((e = ini_find_entry(s, "eps")) && get_range(L, s, e, 0.0, 1, INFINITY, 0, &b->eps))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "batch"))) {
        long long n = 0;
        if (need_value(L, s, e) || parse_int(L, s, e, e->value, &n))
            return GD_ERR_INPUT;
        if (n < 0)
            return fail_key(L, s, e, "must be at least 0, got %s", e->value);
        if (n > cfg->ndata) {
            const IniSection *ds = ini_find_section(L->doc, SEC_DATA);
            const IniEntry *others[] = {ini_find_entry(ds, "x"), ini_find_entry(ds, "file")};
            return fail_key_at(L, s, e, blame(e->origin, others, COUNT(others)),
                               "%s is more than the number of data points (%d)", e->value,
                               cfg->ndata);
        }
        b->batch = (int)n;
    }
    if ((e = ini_find_entry(s, "color"))) {
        if (get_color(L, s, e, &b->color))
            return GD_ERR_INPUT;
        r->has_color = 1;
    }
    /* room for "#100" after a repeated run's label */
    if ((e = ini_find_entry(s, "label")) && get_text(L, s, e, 0, b->label, sizeof b->label - 8))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "seed")) && get_seed(L, s, e, &r->seed))
        return GD_ERR_INPUT;
    return 0;
}

int section_load_runs(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    const int np = cfg->model.nparams;
    int nspecs = 0;
    for (int i = 0; i < L->doc->nsecs; i++)
        nspecs += L->doc->secs[i].kind == SEC_RUN;
    if (nspecs == 0)
        return fail_at(L, INI_FILE, "missing section [run]");
    RunSpec *specs = calloc((size_t)nspecs, sizeof *specs);
    if (!specs)
        return fail_oom(L);
    int rc = 0, total = 0, k = 0;
    for (int i = 0; i < L->doc->nsecs && !rc; i++) {
        const IniSection *s = &L->doc->secs[i];
        if (s->kind != SEC_RUN)
            continue;
        RunSpec *r = &specs[k++];
        rc = load_run_spec(L, s, r);
        if (rc)
            break;
        total += r->repeat;
        if (total > GD_MAX_RUNS) {
            const IniEntry *e = ini_find_entry(s, "repeat");
            rc = e ? fail_key(L, s, e, "too many runs in all (more than %d)", GD_MAX_RUNS)
                   : fail_sec(L, s, "too many runs (more than %d)", GD_MAX_RUNS);
        }
    }
    /* Default colours are handed out by run index; past the palette two runs
     * would look the same, so the user must choose. */
    int index = 0;
    for (int i = 0; i < nspecs && !rc; i++) {
        if (!specs[i].has_color && index + specs[i].repeat > NUM_COLORS) {
            const IniEntry *others[] = {ini_find_entry(specs[i].sec, "repeat")};
            rc = fail_sec_at(L, specs[i].sec, blame(specs[i].sec->origin, others, COUNT(others)),
                             "more runs (%d) than distinct default colors (%d): give each run a "
                             "color",
                             total, NUM_COLORS);
        }
        index += specs[i].repeat;
    }
    if (!rc) {
        cfg->runs = calloc((size_t)total, sizeof *cfg->runs);
        if (!cfg->runs)
            rc = fail_oom(L);
    }
    for (int i = 0, j = 0; i < nspecs && !rc; i++) {
        const RunSpec *r = &specs[i];
        for (int t = 1; t <= r->repeat; t++, j++) {
            RunConfig *run = &cfg->runs[j];
            *run = r->base;
            if (r->repeat > 1)
                snprintf(run->label, sizeof run->label, "%.500s#%d", r->base.label, t % 1000);
            if (r->random_init) {
                GdRng rng;
                rng_seed(&rng, derive_seed(r->seed, r->base.name, t, SEED_PURPOSE_INIT));
                for (int p = 0; p < np; p++)
                    run->init[p] = r->mean + r->std * rng_normal(&rng);
            } else {
                memcpy(run->init, r->init, sizeof run->init);
            }
            run->batch_seed = derive_seed(r->seed, r->base.name, t, SEED_PURPOSE_BATCH);
            run->color = r->has_color ? r->base.color : PALETTE[j];
        }
    }
    if (!rc)
        cfg->nruns = total;
    free(specs);
    return rc;
}

int section_load_camera(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    CameraConfig *c = &L->cfg->camera;
    c->ease = EASE_SMOOTH;
    const IniSection *s = ini_find_section(L->doc, SEC_CAMERA);
    if (!s)
        return 0;
    if (check_keys(L, s, CAMERA_KEYS, COUNT(CAMERA_KEYS), NULL))
        return GD_ERR_INPUT;
    IniOrigin where[GD_MAX_KEYS];
    for (int i = 0; i < s->nentries; i++) {
        const IniEntry *e = &s->entries[i];
        if (strcmp(e->key, "key") != 0)
            continue;
        if (c->nkeys == GD_MAX_KEYS)
            return fail_key(L, s, e, "more than %d keyframes", GD_MAX_KEYS);
        double v[4];
        if (need_value(L, s, e) ||
            parse_numbers(L, s, e, e->value, 4, "t, azimuth, elevation, zoom", v))
            return GD_ERR_INPUT;
        if (v[0] < 0.0)
            return fail_key(L, s, e, "t must be at least 0, got %g", v[0]);
        if (v[0] > 1e6)
            return fail_key(L, s, e, "t must be at most 1e6 seconds, got %g", v[0]);
        if (v[1] < -36000.0 || v[1] > 36000.0)
            return fail_key(L, s, e, "azimuth must be from -36000 to 36000, got %g", v[1]);
        if (v[2] < -90.0 || v[2] > 90.0)
            return fail_key(L, s, e, "elevation must be from -90 to 90, got %g", v[2]);
        if (v[3] < 0.05 || v[3] > 20.0)
            return fail_key(L, s, e, "zoom must be from 0.05 to 20, got %g", v[3]);
        for (int k = 0; k < c->nkeys; k++)
            if (c->keys[k].t == v[0]) {
                char w[1024];
                ini_describe_origin(L->doc, where[k], w, sizeof w);
                return fail_key(L, s, e, "t = %g given twice (first %s)", v[0], w);
            }
        /* insertion keeps the keys sorted by t */
        int at = c->nkeys;
        while (at > 0 && c->keys[at - 1].t > v[0]) {
            c->keys[at] = c->keys[at - 1];
            where[at] = where[at - 1];
            at--;
        }
        c->keys[at] = (CameraKey){v[0], v[1], v[2], v[3]};
        where[at] = e->origin;
        c->nkeys++;
    }
    const IniEntry *e = ini_find_entry(s, "ease");
    int k = 0;
    if (e) {
        if (get_choice(L, s, e, EASE_NAMES, COUNT(EASE_NAMES), &k))
            return GD_ERR_INPUT;
        c->ease = (Ease)k;
    }
    if ((e = ini_find_entry(s, "target"))) {
        if (need_value(L, s, e))
            return GD_ERR_INPUT;
        box_where(L, s, e, c->target_where, sizeof c->target_where);
        if (strcmp(e->value, "trails") == 0) {
            c->target = TARGET_TRAILS;
        } else {
            char names[GD_TEXT_MAX + 16];
            int n = shown_names(L->cfg, names, GD_TEXT_MAX);
            snprintf(names + strlen(names), 16, ", or trails");
            if (parse_numbers(L, s, e, e->value, n, names, c->target_at))
                return GD_ERR_INPUT;
            c->target = TARGET_POINT;
        }
    }
    return 0;
}

int section_load_timeline(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    TimelineConfig *tl = &L->cfg->timeline;
    tl->ease = EASE_LINEAR;
    const IniSection *s = ini_find_section(L->doc, SEC_TIMELINE);
    if (!s)
        return 0;
    if (check_keys(L, s, TIMELINE_KEYS, COUNT(TIMELINE_KEYS), NULL))
        return GD_ERR_INPUT;
    int max_steps = 0;
    for (int r = 0; r < L->cfg->nruns; r++)
        if (L->cfg->runs[r].steps > max_steps)
            max_steps = L->cfg->runs[r].steps;
    for (int i = 0; i < s->nentries; i++) {
        const IniEntry *e = &s->entries[i];
        if (strcmp(e->key, "key") != 0)
            continue;
        if (tl->nkeys == GD_MAX_KEYS)
            return fail_key(L, s, e, "more than %d keys", GD_MAX_KEYS);
        double v[2];
        if (need_value(L, s, e) || parse_numbers(L, s, e, e->value, 2, "t, step", v))
            return GD_ERR_INPUT;
        if (v[0] < 0.0 || v[0] > MAX_SECONDS)
            return fail_key(L, s, e, "t must be from 0 to %d seconds, got %g", MAX_SECONDS, v[0]);
        /* Keys in time order, so the file reads as the video plays. */
        if (tl->nkeys > 0 && v[0] <= tl->keys[tl->nkeys - 1].t)
            return fail_key(L, s, e, "t = %g must come after the previous key's t = %g", v[0],
                            tl->keys[tl->nkeys - 1].t);
        if (v[1] < 0.0 || v[1] > max_steps)
            return fail_key(L, s, e, "step must be from 0 to %d (the longest run's steps), got %g",
                            max_steps, v[1]);
        tl->keys[tl->nkeys++] = (TimelineKey){v[0], v[1]};
    }
    const IniEntry *e = ini_find_entry(s, "ease");
    int k = 0;
    if (e) {
        if (get_choice(L, s, e, EASE_NAMES, COUNT(EASE_NAMES), &k))
            return GD_ERR_INPUT;
        tl->ease = (Ease)k;
    }
    return 0;
}

int section_load_labels(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    LabelsConfig *lb = &L->cfg->labels;
    static const struct {
        const char *key, *value;
        size_t offset;
    } fixed[] = {
        {"step", "step", offsetof(LabelsConfig, step)},
        {"loss", "loss", offsetof(LabelsConfig, loss)},
        {"start", "start", offsetof(LabelsConfig, start)},
        {"diverged", "diverged at step {step}", offsetof(LabelsConfig, diverged)},
        {"contour", "Loss contours", offsetof(LabelsConfig, contour)},
        {"fit", "Fit to the data", offsetof(LabelsConfig, fit)},
        {"loss_panel", "Loss per step", offsetof(LabelsConfig, loss_panel)},
        {"basins", "Basins of attraction", offsetof(LabelsConfig, basins)},
        {"minimum", "local minimum", offsetof(LabelsConfig, minimum)},
        {"global_minimum", "global minimum", offsetof(LabelsConfig, global_minimum)},
        {"off_plane", "off-plane", offsetof(LabelsConfig, off_plane)},
        {"basin_global", "global minimum, loss {loss}: {share} of starts",
         offsetof(LabelsConfig, basin_global)},
        {"basin_globals", "{n} global minima, loss {loss}: {share} of starts",
         offsetof(LabelsConfig, basin_globals)},
        {"basin_local", "local minimum, loss {loss}: {share}", offsetof(LabelsConfig, basin_local)},
        {"basin_others", "{n} other minima: {share}", offsetof(LabelsConfig, basin_others)},
        {"basin_moving", "not settled in {steps} steps: {share}",
         offsetof(LabelsConfig, basin_moving)},
        {"basin_diverged", "diverged: {share}", offsetof(LabelsConfig, basin_diverged)},
        {"x", NULL, offsetof(LabelsConfig, x)},
        {"y", "y", offsetof(LabelsConfig, y)},
    };
    const ModelConfig *m = &L->cfg->model;
    for (size_t i = 0; i < COUNT(fixed); i++)
        snprintf((char *)lb + fixed[i].offset, GD_LABEL_MAX, "%s",
                 fixed[i].value ? fixed[i].value : m->variable);
    for (int p = 0; p < m->nparams; p++)
        snprintf(lb->param[p], sizeof lb->param[p], "%s", m->params[p]);
    const IniSection *s = ini_find_section(L->doc, SEC_LABELS);
    if (!s)
        return 0;
    for (int i = 0; i < s->nentries; i++) {
        const IniEntry *e = &s->entries[i];
        char *out = NULL;
        for (size_t k = 0; k < COUNT(fixed) && !out; k++)
            if (strcmp(e->key, fixed[k].key) == 0)
                out = (char *)lb + fixed[k].offset;
        for (int p = 0; p < m->nparams && !out; p++)
            if (strcmp(e->key, m->params[p]) == 0)
                out = lb->param[p];
        if (!out)
            return fail_key(L, s, e,
                            "unknown label (expected step, loss, start, diverged, contour, fit, "
                            "loss_panel, basins, minimum, global_minimum, off_plane, basin_global, "
                            "basin_globals, basin_local, basin_others, basin_moving, "
                            "basin_diverged, x, y or a parameter "
                            "name)");
        if (get_text(L, s, e, 0, out, GD_LABEL_MAX))
            return GD_ERR_INPUT;
    }
    return 0;
}

/* A run's label (after repeat expansion: "start#3"): the index of the
 * first run with it. */
static int get_run_label(Loader *L, const IniSection *s, const IniEntry *e, int *out) {
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    for (int r = 0; r < L->cfg->nruns; r++)
        if (strcmp(L->cfg->runs[r].label, e->value) == 0) {
            *out = r;
            return 0;
        }
    return fail_key(L, s, e, "no run is labelled \"%s\" (the first is \"%s\")", e->value,
                    L->cfg->runs[0].label);
}

int section_load_layout(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    LayoutConfig *lay = &L->cfg->layout;
    lay->mode = LAYOUT_OVERLAY;
    lay->npanels = 1;
    lay->panels[0] = PANEL_SURFACE;
    const IniSection *s = ini_find_section(L->doc, SEC_LAYOUT);
    if (!s)
        return 0;
    if (check_keys(L, s, LAYOUT_KEYS, COUNT(LAYOUT_KEYS), NULL))
        return GD_ERR_INPUT;
    const IniEntry *e;
    int k = 0;
    if ((e = ini_find_entry(s, "mode"))) {
        if (get_choice(L, s, e, MODE_NAMES, COUNT(MODE_NAMES), &k))
            return GD_ERR_INPUT;
        lay->mode = (LayoutMode)k;
    }
    if ((e = ini_find_entry(s, "panels"))) {
        ValueList list;
        if (need_value(L, s, e) || split_list(L, s, e, e->value, &list))
            return GD_ERR_INPUT;
        lay->npanels = 0;
        for (int i = 0; i < list.n && i < VALUE_MAX_LIST; i++) {
            if (parse_choice(L, s, e, list.items[i], PANEL_NAMES, COUNT(PANEL_NAMES), &k))
                return GD_ERR_INPUT;
            for (int j = 0; j < lay->npanels; j++)
                if (lay->panels[j] == (PanelKind)k)
                    return fail_key(L, s, e, "\"%s\" given twice", list.items[i]);
            if (k == PANEL_BASINS && !ini_find_section(L->doc, SEC_BASINS))
                return fail_key(L, s, e,
                                "the basins panel needs a [basins] section (its keys have "
                                "defaults: an empty [basins] will do)");
            lay->panels[lay->npanels++] = (PanelKind)k;
        }
    }
    if ((e = ini_find_entry(s, "equation"))) {
        if (get_run_label(L, s, e, &lay->equation_run))
            return GD_ERR_INPUT;
        lay->show_equation = 1;
    }
    return 0;
}

/* ---- [caption NAME] ------------------------------------------------------ */

/* "FILE:LINE: [section] key" of an entry, for errors found after loading. */
static void where_of(Loader *L, const IniSection *s, const IniEntry *e, char *out, size_t n) {
    GdError where;
    Loader quiet = {L->doc, &where, L->cfg};
    if (e)
        fail_key(&quiet, s, e, "%s", "");
    else
        fail_sec(&quiet, s, "%s", "");
    size_t len = strlen(where.msg);
    snprintf(out, n, "%.*s", (int)(len >= 2 ? len - 2 : len), where.msg);
}

/* Every {name} in text is a placeholder gdrender fills in; {basin_share}
 * needs the basin map. */
static int check_placeholders(Loader *L, const IniSection *s, const IniEntry *e, const char *text) {
    const ModelConfig *m = &L->cfg->model;
    for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            return fail_key(L, s, e, "'{' without its '}'");
        size_t n = (size_t)(end - p - 1);
        static const char *const fixed[] = {"step", "loss", "lr", "formula", "basin_share"};
        int ok = 0;
        for (size_t k = 0; k < COUNT(fixed) && !ok; k++)
            ok = strlen(fixed[k]) == n && strncmp(p + 1, fixed[k], n) == 0;
        if (ok && n == 11 && strncmp(p + 1, "basin_share", n) == 0 &&
            !ini_find_section(L->doc, SEC_BASINS))
            return fail_key(L, s, e, "{basin_share} needs a [basins] section");
        for (int k = 0; k < m->nparams && !ok; k++)
            ok = strlen(m->params[k]) == n && strncmp(p + 1, m->params[k], n) == 0;
        if (!ok)
            return fail_key(L, s, e,
                            "unknown placeholder {%.*s} (expected {step}, {loss}, {lr}, "
                            "{formula}, {basin_share} or a parameter, e.g. {%s})",
                            (int)(n > 40 ? 40 : n), p + 1, m->params[0]);
        p = end;
    }
    return 0;
}

/* A moment: seconds, or "step N" with N at most the longest run's steps. */
static int get_moment(Loader *L, const IniSection *s, const IniEntry *e, int max_steps,
                      CaptionTime *out) {
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    const char *v = e->value;
    if (strncmp(v, "step", 4) == 0 && (v[4] == ' ' || v[4] == '\t')) {
        out->at_step = 1;
        if (parse_number(L, s, e, v + 5, &out->value))
            return GD_ERR_INPUT;
        if (!(out->value >= 0 && out->value <= max_steps))
            return fail_key(L, s, e, "step must be from 0 to %d (the longest run's steps), got %g",
                            max_steps, out->value);
        return 0;
    }
    out->at_step = 0;
    if (parse_number(L, s, e, v, &out->value))
        return GD_ERR_INPUT;
    if (!(out->value >= 0 && out->value <= MAX_SECONDS))
        return fail_key(L, s, e, "expected seconds from 0 to %d, or step N; got %g", MAX_SECONDS,
                        out->value);
    return 0;
}

static int load_caption(Loader *L, const IniSection *s, int max_steps, CaptionConfig *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", s->name);
    c->to.value = -1;
    c->fade = 0.3;
    where_of(L, s, NULL, c->where_at, sizeof c->where_at);
    where_of(L, s, NULL, c->where_to, sizeof c->where_to);
    if (check_keys(L, s, CAPTION_KEYS, COUNT(CAPTION_KEYS), NULL))
        return GD_ERR_INPUT;
    const IniEntry *e = ini_find_entry(s, "text");
    if (!e)
        return fail_missing(L, s, "text");
    if (get_text(L, s, e, 0, c->text, sizeof c->text) || check_placeholders(L, s, e, c->text))
        return GD_ERR_INPUT;
    const IniEntry *ef = ini_find_entry(s, "from"), *et = ini_find_entry(s, "to");
    if (ef && get_moment(L, s, ef, max_steps, &c->from))
        return GD_ERR_INPUT;
    if (et && get_moment(L, s, et, max_steps, &c->to))
        return GD_ERR_INPUT;
    if (et && c->from.at_step == c->to.at_step && c->to.value < c->from.value)
        return fail_key(L, s, et, "%s%g comes before from = %s%g", c->to.at_step ? "step " : "",
                        c->to.value, c->from.at_step ? "step " : "", c->from.value);
    if (et && c->from.at_step != c->to.at_step)
        where_of(L, s, et, c->where_to, sizeof c->where_to); /* checked once the pacing is known */
    if ((e = ini_find_entry(s, "fade")) && get_range(L, s, e, 0, 0, 10, 0, &c->fade))
        return GD_ERR_INPUT;
    c->run = 0;
    if ((e = ini_find_entry(s, "run")) && get_run_label(L, s, e, &c->run))
        return GD_ERR_INPUT;
    c->at = CAPTION_BOTTOM;
    if ((e = ini_find_entry(s, "at"))) {
        if (need_value(L, s, e))
            return GD_ERR_INPUT;
        static const char *const places[] = {"bottom", "top", "ball"};
        int k = -1;
        for (int i = 0; i < COUNT(places); i++)
            if (strcmp(e->value, places[i]) == 0)
                k = i;
        if (k >= 0) {
            c->at = (CaptionPlace)k;
        } else {
            char names[GD_TEXT_MAX], what[GD_TEXT_MAX + 64];
            int n = shown_names(L->cfg, names, sizeof names);
            snprintf(what, sizeof what, "top, bottom, ball or a point %s", names);
            double v;
            if (!strchr(e->value, ',') && (n == 2 || value_parse_number(e->value, &v, NULL)))
                return fail_key(L, s, e, "expected %s, got \"%s\"", what, e->value);
            if (parse_numbers(L, s, e, e->value, n, what, c->point))
                return GD_ERR_INPUT;
            c->at = CAPTION_POINT;
            where_of(L, s, e, c->where_at, sizeof c->where_at); /* the box test comes later */
        }
    }
    return 0;
}

int section_load_captions(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    int n = 0, max_steps = 0;
    for (int i = 0; i < doc->nsecs; i++)
        n += doc->secs[i].kind == SEC_CAPTION;
    if (n == 0)
        return 0;
    if (n > GD_MAX_CAPTIONS) {
        for (int i = 0, k = 0; i < doc->nsecs; i++)
            if (doc->secs[i].kind == SEC_CAPTION && ++k > GD_MAX_CAPTIONS)
                return fail_sec(L, &doc->secs[i], "more than %d captions", GD_MAX_CAPTIONS);
    }
    for (int r = 0; r < cfg->nruns; r++)
        if (cfg->runs[r].steps > max_steps)
            max_steps = cfg->runs[r].steps;
    cfg->captions = calloc((size_t)n, sizeof *cfg->captions);
    if (!cfg->captions)
        return fail_oom(L);
    for (int i = 0; i < doc->nsecs; i++)
        if (doc->secs[i].kind == SEC_CAPTION) {
            int rc = load_caption(L, &doc->secs[i], max_steps, &cfg->captions[cfg->ncaptions]);
            if (rc)
                return rc;
            cfg->ncaptions++;
        }
    return 0;
}

int section_load_marks(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    int n = 0;
    for (int i = 0; i < doc->nsecs; i++)
        n += doc->secs[i].kind == SEC_MARK;
    if (n == 0)
        return 0;
    cfg->marks = calloc((size_t)(n < GD_MAX_MARKS ? n : GD_MAX_MARKS), sizeof *cfg->marks);
    if (!cfg->marks)
        return fail_oom(L);
    char names[GD_TEXT_MAX];
    const int nshown = shown_names(cfg, names, sizeof names);
    for (int i = 0; i < doc->nsecs; i++) {
        const IniSection *s = &doc->secs[i];
        if (s->kind != SEC_MARK)
            continue;
        if (cfg->nmarks == GD_MAX_MARKS)
            return fail_sec(L, s, "more than %d marks", GD_MAX_MARKS);
        MarkConfig *mk = &cfg->marks[cfg->nmarks];
        if (check_keys(L, s, MARK_KEYS, COUNT(MARK_KEYS), NULL))
            return GD_ERR_INPUT;
        snprintf(mk->name, sizeof mk->name, "%s", s->name);
        const IniEntry *e = ini_find_entry(s, "at");
        if (!e)
            return fail_missing(L, s, "at");
        if (need_value(L, s, e) || parse_numbers(L, s, e, e->value, nshown, names, mk->at))
            return GD_ERR_INPUT;
        box_where(L, s, e, mk->where, sizeof mk->where);
        /* The label: the section name unless text says otherwise. */
        snprintf(mk->text, sizeof mk->text, "%s", s->name);
        if ((e = ini_find_entry(s, "text")) && get_text(L, s, e, 0, mk->text, sizeof mk->text))
            return GD_ERR_INPUT;
        if ((e = ini_find_entry(s, "color"))) {
            if (get_color(L, s, e, &mk->color))
                return GD_ERR_INPUT;
            mk->has_color = 1;
        }
        cfg->nmarks++;
    }
    return 0;
}

int section_load_basins(const IniDoc *doc, Config *cfg, GdError *err) {
    Loader loader = {doc, err, cfg}, *L = &loader;
    BasinsConfig *b = &cfg->basins;
    b->resolution = 64;
    b->run = 0;
    b->tolerance = -1;
    const IniSection *s = ini_find_section(L->doc, SEC_BASINS);
    if (!s)
        return 0;
    b->enabled = 1;
    if (check_keys(L, s, BASINS_KEYS, COUNT(BASINS_KEYS), NULL))
        return GD_ERR_INPUT;
    const IniEntry *e;
    if ((e = ini_find_entry(s, "resolution")) && get_int(L, s, e, 8, 512, &b->resolution))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "run")) && get_run_label(L, s, e, &b->run))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "tolerance")) &&
        get_range(L, s, e, 0.0, 0, INFINITY, 0, &b->tolerance))
        return GD_ERR_INPUT;
    if ((e = ini_find_entry(s, "floor")) && get_bool(L, s, e, &b->floor))
        return GD_ERR_INPUT;
    return 0;
}
