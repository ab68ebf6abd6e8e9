/*
 * config.c — reads the INI file, applies --set overrides, validates every key
 * of SPEC section 3 and fills a Config (see config.h).
 *
 * Pipeline place: first stage. Depends on libinih (the INI syntax), formula.c
 * (the model formula is compiled here, so a bad formula is a config error
 * with file and line) and data.c (data files, synthetic data, random inits).
 *
 * How it works:
 *   1. The file is read whole, checked for NUL bytes and invalid UTF-8, and
 *      split into lines; each line remembers its origin (file line number, or
 *      the --set override that wrote it). Overrides edit this line list.
 *   2. inih parses the lines through our own reader, which strips leading
 *      whitespace (no multi-line continuations), rejects over-long lines
 *      instead of letting inih split them, and sees every section header
 *      itself (so an unknown empty section is still caught). The handler
 *      collects (section, key, value, origin) entries; structural errors
 *      (syntax, unknown section, key given twice) are reported here, the one
 *      with the smallest line first.
 *   3. Sections are validated in a fixed order: [model] first (the [surface]
 *      keys are parameter names and list lengths depend on the parameter
 *      count), then [data] (batch sizes depend on the number of points),
 *      [video], [surface], the runs, [camera] and [layout].
 */
#include "config/config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "base/utf8.h"
#include "config/values.h"
#include "model/data.h"

/* ---- defines and types -------------------------------------------------- */

#define MAX_FILE_BYTES     (1 << 20) /* a config is a few hundred bytes */
#define NUM_COLORS         10
#define MAX_REPEAT         100
#define MAX_STEPS          1000000
#define MAX_XN             1000000
#define MAX_SECONDS        3600
#define SEED_PURPOSE_INIT  1
#define SEED_PURPOSE_BATCH 2

/* Where a line came from: a line of the file, or an override. */
typedef struct Origin {
    int line; /* 1-based file line; 0 = none */
    int ovr;  /* index of the --set override that wrote it; -1 = the file */
} Origin;

typedef struct Line {
    char *text; /* without the line terminator */
    Origin origin;
} Line;

typedef struct Entry {
    char *key, *value;
    Origin origin;
} Entry;

typedef enum {
    SEC_VIDEO,
    SEC_DATA,
    SEC_MODEL,
    SEC_SURFACE,
    SEC_RUN,
    SEC_CAMERA,
    SEC_LAYOUT
} SectionKind;

typedef struct Section {
    SectionKind kind;
    char title[256];        /* as shown in messages: "video", "run good", "run" */
    char name[GD_NAME_MAX]; /* run name; "" for a bare [run] */
    Origin origin;          /* the header line */
    Entry *entries;
    int nentries, cap;
} Section;

typedef struct Loader {
    const char *path;
    const ConfigOverride *ovr;
    int novr;
    Line *lines;
    int nlines, lcap;
    Section *secs;
    int nsecs, scap;
    int feed;         /* index of the line last handed to inih */
    int cur;          /* section the parser is in; -1 before the first header */
    int failed;       /* err holds the first error */
    int fail_at;      /* line index of a structural error */
    char *long_value; /* the value of the line being fed, when inih's buffer is too short */
    GdError *err;
    Config *cfg;
} Loader;

/* What one [run] section asks for, before repeat expansion. */
typedef struct RunSpec {
    const Section *sec;
    int random_init;
    double init[GD_MAX_PARAMS];
    double mean, std;
    int repeat;
    RunConfig base; /* everything but init, label suffix, colour and seeds */
    int has_color;
    unsigned long long seed;
} RunSpec;

static const char *const SECTION_NAMES = "video, data, model, surface, run NAME, camera, layout";

static const char *const VIDEO_KEYS[] = {"output",   "width", "height",  "fps",
                                         "duration", "hold",  "quality", "crf",
                                         "preset",   "title", "font",    "background"};
static const char *const DATA_KEYS[] = {"x", "true", "noise", "seed", "file"};
static const char *const MODEL_KEYS[] = {"params", "formula", "loss"};
static const char *const SURFACE_KEYS[] = {"resolution", "colormap", "opacity", "wireframe",
                                           "contours",   "zscale",   "arrows"};
static const char *const RUN_KEYS[] = {"init",     "repeat", "lr",    "steps", "optimizer",
                                       "momentum", "beta1",  "beta2", "eps",   "alpha",
                                       "batch",    "color",  "label", "seed"};
static const char *const CAMERA_KEYS[] = {"key", "ease"};
static const char *const LAYOUT_KEYS[] = {"mode", "panels"};

static const char *const QUALITY_NAMES[] = {"draft", "medium", "high"};
static const char *const PRESET_NAMES[] = {"ultrafast", "superfast", "veryfast", "faster",
                                           "fast",      "medium",    "slow",     "slower",
                                           "veryslow",  "placebo"};
static const char *const ZSCALE_NAMES[] = {"linear", "log"};
static const char *const EASE_NAMES[] = {"smooth", "linear"};
static const char *const MODE_NAMES[] = {"overlay", "split"};
static const char *const PANEL_NAMES[] = {"surface", "contour", "fit", "loss"};
static const char *const LOSS_NAMES[] = {"mse"};

static const char *const FUNCTION_NAMES[] = {"sin",  "cos",     "tan",  "exp", "log", "sqrt", "abs",
                                             "tanh", "sigmoid", "relu", "pow", "min", "max"};

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

/* ---- errors --------------------------------------------------------------- */

static void origin_prefix(const Loader *L, Origin o, char *buf, size_t size) {
    if (o.ovr >= 0) {
        /* A long override is shortened so the reason still fits the line. */
        char ov[80];
        const char *t = L->ovr[o.ovr].text;
        snprintf(buf, size, "--set %s: ", data_echo(t, strlen(t), ov, sizeof ov));
    } else if (o.line > 0)
        snprintf(buf, size, "%s:%d: ", L->path, o.line);
    else
        snprintf(buf, size, "%s: ", L->path);
}

/* "on line 4" or "in --set video.width=640", for "given twice" messages. */
static void origin_where(const Loader *L, Origin o, char *buf, size_t size) {
    if (o.ovr >= 0)
        snprintf(buf, size, "in --set %s", L->ovr[o.ovr].text);
    else
        snprintf(buf, size, "on line %d", o.line);
}

/* Records "ORIGIN: WHAT: message" (WHAT may be NULL) as a GD_ERR_INPUT. */
static int failv(Loader *L, Origin o, const char *what, const char *fmt, va_list ap) {
    char pre[1024], msg[1024];
    origin_prefix(L, o, pre, sizeof pre);
    vsnprintf(msg, sizeof msg, fmt, ap);
    gd_error(L->err, GD_ERR_INPUT, "%s%s%s%s", pre, what ? what : "", what ? ": " : "", msg);
    L->failed = 1;
    return GD_ERR_INPUT;
}

__attribute__((format(printf, 3, 4))) static int fail_at(Loader *L, Origin o, const char *fmt,
                                                         ...) {
    va_list ap;
    va_start(ap, fmt);
    failv(L, o, NULL, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* An error about a whole section, at its header: "[run good]: ...". */
__attribute__((format(printf, 3, 4))) static int fail_sec(Loader *L, const Section *s,
                                                          const char *fmt, ...) {
    char what[300];
    snprintf(what, sizeof what, "[%s]", s->title);
    va_list ap;
    va_start(ap, fmt);
    failv(L, s->origin, what, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

/* An error about one key's value, at its line: "[run good] lr: ...". */
__attribute__((format(printf, 4, 5))) static int fail_key(Loader *L, const Section *s,
                                                          const Entry *e, const char *fmt, ...) {
    char what[400];
    snprintf(what, sizeof what, "[%s] %s", s->title, e->key);
    va_list ap;
    va_start(ap, fmt);
    failv(L, e->origin, what, fmt, ap);
    va_end(ap);
    return GD_ERR_INPUT;
}

static int fail_missing(Loader *L, const Section *s, const char *key) {
    Entry e = {(char *)key, NULL, s->origin};
    return fail_key(L, s, &e, "missing");
}

static int fail_oom(Loader *L) {
    L->failed = 1;
    return gd_error(L->err, GD_ERR_RUNTIME, "out of memory");
}

/* ---- line syntax -------------------------------------------------------- */

/* inih's rule: stop at one of chars, or at an inline ';' comment (a ';'
 * after whitespace). Mirrored so our view of a line matches inih's. */
static const char *find_chars_or_comment(const char *s, const char *chars) {
    int was_space = 0;
    while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
        was_space = value_is_space(*s);
        s++;
    }
    return s;
}

/* Section header text normalised for messages and matching: trimmed, and
 * "run   good" written "run good". */
static void normalize_title(const char *raw, size_t len, char *out, size_t size) {
    char buf[256];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, raw, len);
    buf[len] = '\0';
    char *t = value_trim(buf);
    if (strncmp(t, "run", 3) == 0 && value_is_space(t[3]))
        snprintf(out, size, "run %s", value_skip_space(t + 3));
    else
        snprintf(out, size, "%s", t);
}

typedef enum { LINE_OTHER, LINE_HEADER, LINE_KEY } LineKind;

/* How inih will read a line: a section header (title set), a key (key set),
 * or anything else (blank, comment, syntax error). */
static LineKind classify_line(const char *text, char *title, size_t tsize, char *key,
                              size_t ksize) {
    const char *p = value_skip_space(text);
    if (*p == '\0' || *p == ';' || *p == '#')
        return LINE_OTHER;
    if (*p == '[') {
        const char *end = find_chars_or_comment(p + 1, "]");
        if (*end != ']')
            return LINE_OTHER;
        normalize_title(p + 1, (size_t)(end - p - 1), title, tsize);
        return LINE_HEADER;
    }
    const char *end = find_chars_or_comment(p, "=:");
    if (*end != '=' && *end != ':')
        return LINE_OTHER;
    size_t n = (size_t)(end - p);
    while (n > 0 && value_is_space(p[n - 1]))
        n--;
    if (n >= ksize)
        n = ksize - 1;
    memcpy(key, p, n);
    key[n] = '\0';
    return LINE_KEY;
}

/* ---- reading the file --------------------------------------------------- */

static int add_line(Loader *L, int at, char *text, Origin o) {
    if (L->nlines == L->lcap) {
        int nc = L->lcap ? L->lcap * 2 : 64;
        Line *nl = realloc(L->lines, sizeof *nl * (size_t)nc);
        if (!nl) {
            free(text);
            return fail_oom(L);
        }
        L->lines = nl;
        L->lcap = nc;
    }
    memmove(L->lines + at + 1, L->lines + at, sizeof *L->lines * (size_t)(L->nlines - at));
    L->lines[at].text = text;
    L->lines[at].origin = o;
    L->nlines++;
    return 0;
}

static int read_config(Loader *L, char **out, size_t *outlen) {
    FILE *f = fopen(L->path, "rb");
    if (!f)
        return fail_at(L, (Origin){0, -1}, "cannot read config: %s", strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return fail_oom(L);
    }
    for (;;) {
        if (len == cap) {
            char *nb = cap <= MAX_FILE_BYTES ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                fclose(f);
                if (cap > MAX_FILE_BYTES)
                    return fail_at(L, (Origin){0, -1}, "config file too large (more than %d MiB)",
                                   MAX_FILE_BYTES >> 20);
                return fail_oom(L);
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        free(buf);
        return fail_at(L, (Origin){0, -1}, "cannot read config: %s", strerror(e));
    }
    if (len > MAX_FILE_BYTES) {
        free(buf);
        return fail_at(L, (Origin){0, -1}, "config file too large (more than %d MiB)",
                       MAX_FILE_BYTES >> 20);
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* Checks the text and splits it into lines with their file line numbers. */
static int split_lines(Loader *L, const char *text, size_t len) {
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    int lineno = 1;
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *s = text + start;
        size_t n = end - start;
        const char *nul = memchr(s, '\0', n);
        if (nul)
            return fail_at(L, (Origin){lineno, -1}, "column %d: NUL byte (is this a text file?)",
                           (int)(nul - s) + 1);
        size_t bad;
        if (!utf8_is_valid(s, n, &bad))
            return fail_at(L, (Origin){lineno, -1}, "column %zu: invalid UTF-8 (byte 0x%02x)",
                           bad + 1, (unsigned char)s[bad]);
        if (n > 0 && s[n - 1] == '\r')
            n--;
        char *t = malloc(n + 1);
        if (!t)
            return fail_oom(L);
        memcpy(t, s, n);
        t[n] = '\0';
        if (add_line(L, L->nlines, t, (Origin){lineno, -1}))
            return GD_ERR_RUNTIME;
        lineno++;
        start = end + 1;
    }
    return 0;
}

/* ---- overrides ---------------------------------------------------------- */

typedef struct OverrideSpec {
    char title[256];
    char key[GD_NAME_MAX];
    const char *value;
} OverrideSpec;

static int is_word(const char *s, size_t n) {
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!value_is_ident_char(s[i]))
            return 0;
    return 1;
}

/* "section.key=value", "run.NAME.key=value" or "run.key=value". */
static int parse_override(const char *text, OverrideSpec *o) {
    if (strchr(text, '\n') || strchr(text, '\r'))
        return -1;
    text = value_skip_space(text);
    const char *eq = strchr(text, '=');
    if (!eq)
        return -1;
    o->value = value_skip_space(eq + 1);
    while (eq > text && value_is_space(eq[-1])) /* "video.fps = 25" is fine too */
        eq--;
    const char *dot = memchr(text, '.', (size_t)(eq - text));
    if (!dot)
        return -1;
    const char *last = dot;
    for (const char *p = dot; p < eq; p++)
        if (*p == '.')
            last = p;
    size_t slen = (size_t)(dot - text), klen = (size_t)(eq - last - 1);
    if (!is_word(text, slen) || !is_word(last + 1, klen) || klen >= sizeof o->key)
        return -1;
    memcpy(o->key, last + 1, klen);
    o->key[klen] = '\0';
    if (slen == 3 && strncmp(text, "run", 3) == 0 && last != dot) {
        size_t nlen = (size_t)(last - dot - 1);
        char name[GD_NAME_MAX];
        if (nlen >= sizeof name)
            return -1;
        memcpy(name, dot + 1, nlen);
        name[nlen] = '\0';
        if (!value_is_run_name(name))
            return -1;
        snprintf(o->title, sizeof o->title, "run %s", name);
        return 0;
    }
    if (last != dot)
        return -1;
    snprintf(o->title, sizeof o->title, "%.*s", (int)slen, text);
    return 0;
}

/* Replaces the key's line in its section, or adds the key to the section,
 * or appends the section: so the effective text reads like a file. */
static int apply_override(Loader *L, int index) {
    const char *text = L->ovr[index].text;
    Origin o = {0, index};
    OverrideSpec spec;
    if (!utf8_is_valid(text, strlen(text), NULL))
        return fail_at(L, o, "invalid UTF-8");
    if (parse_override(text, &spec))
        return fail_at(L, o, "expected SECTION.KEY=VALUE");
    size_t n = strlen(spec.key) + strlen(spec.value) + 4;
    char *line = malloc(n);
    if (!line)
        return fail_oom(L);
    snprintf(line, n, "%s = %s", spec.key, spec.value);
    int repeatable = strcmp(spec.title, "camera") == 0 && strcmp(spec.key, "key") == 0;

    int header = -1;
    char title[256], key[256];
    for (int i = 0; i < L->nlines && header < 0; i++)
        if (classify_line(L->lines[i].text, title, sizeof title, key, sizeof key) == LINE_HEADER &&
            strcmp(title, spec.title) == 0)
            header = i;
    if (header < 0) {
        size_t hn = strlen(spec.title) + 3;
        char *h = malloc(hn);
        if (!h) {
            free(line);
            return fail_oom(L);
        }
        snprintf(h, hn, "[%s]", spec.title);
        if (add_line(L, L->nlines, h, o)) {
            free(line);
            return GD_ERR_RUNTIME;
        }
        return add_line(L, L->nlines, line, o);
    }
    int last_key = header, match = -1;
    for (int i = header + 1; i < L->nlines; i++) {
        LineKind k = classify_line(L->lines[i].text, title, sizeof title, key, sizeof key);
        if (k == LINE_HEADER)
            break;
        if (k == LINE_KEY) {
            last_key = i;
            if (match < 0 && !repeatable && strcmp(key, spec.key) == 0)
                match = i;
        }
    }
    if (match >= 0) {
        free(L->lines[match].text);
        L->lines[match].text = line;
        L->lines[match].origin = o;
        return 0;
    }
    return add_line(L, last_key + 1, line, o);
}

static char *join_lines(const Loader *L) {
    size_t n = 1;
    for (int i = 0; i < L->nlines; i++)
        n += strlen(L->lines[i].text) + 1;
    char *text = malloc(n), *p = text;
    if (!text)
        return NULL;
    for (int i = 0; i < L->nlines; i++) {
        size_t k = strlen(L->lines[i].text);
        memcpy(p, L->lines[i].text, k);
        p[k] = '\n';
        p += k + 1;
    }
    *p = '\0';
    return text;
}

/* ---- phase 1: collecting entries with inih ------------------------------ */

static int open_section(Loader *L, const char *title, Origin o) {
    Section s;
    memset(&s, 0, sizeof s);
    snprintf(s.title, sizeof s.title, "%s", title);
    s.origin = o;
    static const struct {
        const char *name;
        SectionKind kind;
    } plain[] = {{"video", SEC_VIDEO},     {"data", SEC_DATA},     {"model", SEC_MODEL},
                 {"surface", SEC_SURFACE}, {"camera", SEC_CAMERA}, {"layout", SEC_LAYOUT},
                 {"run", SEC_RUN}};
    int known = 0;
    for (int i = 0; i < COUNT(plain); i++)
        if (strcmp(title, plain[i].name) == 0) {
            s.kind = plain[i].kind;
            known = 1;
        }
    if (!known && strncmp(title, "run ", 4) == 0) {
        const char *name = title + 4;
        if (!value_is_run_name(name))
            return fail_sec(L, &s, "bad run name \"%s\" (use letters, digits, _, - and .)", name);
        if (strlen(name) >= sizeof s.name)
            return fail_sec(L, &s, "run name longer than %d bytes", (int)sizeof s.name - 1);
        snprintf(s.name, sizeof s.name, "%s", name);
        s.kind = SEC_RUN;
        known = 1;
    }
    if (!known)
        return fail_sec(L, &s, "unknown section (expected %s)", SECTION_NAMES);
    for (int i = 0; i < L->nsecs; i++)
        if (L->secs[i].kind == s.kind && strcmp(L->secs[i].name, s.name) == 0) {
            char where[1024];
            origin_where(L, L->secs[i].origin, where, sizeof where);
            return fail_sec(L, &s, "given twice (first %s)", where);
        }
    if (L->nsecs == L->scap) {
        int nc = L->scap ? L->scap * 2 : 8;
        Section *ns = realloc(L->secs, sizeof *ns * (size_t)nc);
        if (!ns)
            return fail_oom(L);
        L->secs = ns;
        L->scap = nc;
    }
    L->secs[L->nsecs] = s;
    L->cur = L->nsecs++;
    return 0;
}

static int fail_syntax(Loader *L, int index) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", L->lines[index].text);
    return fail_at(L, L->lines[index].origin,
                   "expected \"key = value\" or \"[section]\", got \"%s\"", value_trim(buf));
}

/* Debian's libinih reads lines into a 200-byte buffer. A longer "key =
 * value" line (a long title, a long formula) is handed over as "key =
 * <LONG_MARK>" and its value, trimmed and with any inline comment removed
 * as inih would, waits in L->long_value for on_entry. */
#define LONG_MARK      "\x01"
#define MAX_LINE_BYTES 4095

/* inih's reader: hands over one line of L->lines per call. */
static char *feed_line(char *buf, int num, void *user) {
    Loader *L = user;
    if (L->failed || L->feed + 1 >= L->nlines)
        return NULL;
    int i = ++L->feed;
    const Line *ln = &L->lines[i];
    free(L->long_value);
    L->long_value = NULL;
    /* Without leading whitespace inih never sees a continuation line. */
    const char *p = value_skip_space(ln->text);
    size_t len = strlen(p);
    if (num < 16 || len > (size_t)num - 1) {
        char title[256], key[256];
        const char *sep = find_chars_or_comment(p, "=:");
        size_t klen = (size_t)(sep - p);
        if (num < 16 || len > MAX_LINE_BYTES || (*sep != '=' && *sep != ':') ||
            klen + 8 > (size_t)num - 1 ||
            classify_line(p, title, sizeof title, key, sizeof key) != LINE_KEY) {
            L->fail_at = i;
            fail_at(L, ln->origin, "line too long (more than %d bytes)",
                    len > MAX_LINE_BYTES ? MAX_LINE_BYTES : num - 1);
            return NULL;
        }
        const char *v = value_skip_space(sep + 1);
        const char *end = find_chars_or_comment(v, "");
        while (end > v && value_is_space(end[-1]))
            end--;
        L->long_value = strndup(v, (size_t)(end - v));
        if (!L->long_value) {
            fail_oom(L);
            return NULL;
        }
        snprintf(buf, (size_t)num, "%.*s= " LONG_MARK, (int)klen, p);
        return buf;
    }
    memcpy(buf, p, strlen(p) + 1);
    char title[256], key[256];
    if (classify_line(p, title, sizeof title, key, sizeof key) == LINE_HEADER &&
        open_section(L, title, ln->origin)) {
        L->fail_at = i;
        return NULL;
    }
    return buf;
}

static int on_entry(void *user, const char *section, const char *name, const char *value) {
    (void)section; /* inih truncates long section names; L->cur is exact */
    Loader *L = user;
    if (L->failed)
        return 1;
    int i = L->feed;
    Origin o = L->lines[i].origin;
    if (name[0] == '\0') {
        L->fail_at = i;
        fail_syntax(L, i);
        return 1;
    }
    if (L->cur < 0) {
        L->fail_at = i;
        fail_at(L, o, "%s: key before the first [section]", name);
        return 1;
    }
    Section *s = &L->secs[L->cur];
    Entry e = {(char *)name, NULL, o};
    if (!(s->kind == SEC_CAMERA && strcmp(name, "key") == 0))
        for (int k = 0; k < s->nentries; k++)
            if (strcmp(s->entries[k].key, name) == 0) {
                char where[1024];
                origin_where(L, s->entries[k].origin, where, sizeof where);
                L->fail_at = i;
                fail_key(L, s, &e, "given twice (first %s)", where);
                return 1;
            }
    if (s->nentries == s->cap) {
        int nc = s->cap ? s->cap * 2 : 8;
        Entry *ne = realloc(s->entries, sizeof *ne * (size_t)nc);
        if (!ne) {
            fail_oom(L);
            return 1;
        }
        s->entries = ne;
        s->cap = nc;
    }
    if (L->long_value && strcmp(value, LONG_MARK) == 0)
        value = L->long_value;
    e.key = strdup(name);
    e.value = strdup(value);
    if (!e.key || !e.value) {
        free(e.key);
        free(e.value);
        fail_oom(L);
        return 1;
    }
    s->entries[s->nentries++] = e;
    return 1;
}

static int collect_entries(Loader *L) {
    L->feed = -1;
    L->cur = -1;
    L->fail_at = L->nlines;
    int rc = ini_parse_stream(feed_line, L, on_entry, L);
    if (L->failed && L->err->code == GD_ERR_RUNTIME)
        return GD_ERR_RUNTIME;
    /* inih keeps going after a syntax error and reports the first one's line
     * at the end; report whichever error comes first. */
    if (rc > 0 && rc - 1 < L->fail_at)
        return fail_syntax(L, rc - 1);
    if (rc < 0)
        return fail_oom(L);
    return L->failed ? GD_ERR_INPUT : 0;
}

/* ---- phase 2: value parsers ---------------------------------------------- */

static Section *find_section(Loader *L, SectionKind kind) {
    for (int i = 0; i < L->nsecs; i++)
        if (L->secs[i].kind == kind)
            return &L->secs[i];
    return NULL;
}

static Entry *find_entry(const Section *s, const char *key) {
    if (!s)
        return NULL;
    for (int i = 0; i < s->nentries; i++)
        if (strcmp(s->entries[i].key, key) == 0)
            return (Entry *)&s->entries[i];
    return NULL;
}

static int in_list(const char *name, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* Every key of s must be one of keys (or, for [surface], a parameter). */
static int check_keys(Loader *L, const Section *s, const char *const *keys, int nkeys,
                      const ModelConfig *model) {
    for (int i = 0; i < s->nentries; i++) {
        const Entry *e = &s->entries[i];
        int ok = in_list(e->key, keys, nkeys);
        for (int p = 0; model && !ok && p < model->nparams; p++)
            ok = strcmp(e->key, model->params[p]) == 0;
        if (!ok)
            return fail_key(L, s, e, "unknown key");
    }
    return 0;
}

static int need_value(Loader *L, const Section *s, const Entry *e) {
    if (e->value[0] == '\0')
        return fail_key(L, s, e, "no value given");
    return 0;
}

/* A value parser's verdict at its key: 0, or its message after
 * "[section] key: ". */
static int at_key(Loader *L, const Section *s, const Entry *e, int rc, const GdError *ve) {
    return rc ? fail_key(L, s, e, "%s", ve->msg) : 0;
}

/* One number (the whole value, or one item of a list). */
static int parse_number(Loader *L, const Section *s, const Entry *e, const char *text,
                        double *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_number(text, out, &ve), &ve);
}

static int parse_int(Loader *L, const Section *s, const Entry *e, const char *text,
                     long long *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_integer(text, out, &ve), &ve);
}

static int get_int(Loader *L, const Section *s, const Entry *e, int lo, int hi, int *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_int_range(e->value, lo, hi, out, &ve), &ve);
}

/* A number in [lo, hi] (or [lo, hi) when hi_open, (lo, hi] when lo_open). */
static int get_range(Loader *L, const Section *s, const Entry *e, double lo, int lo_open, double hi,
                     int hi_open, double *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_range(e->value, lo, lo_open, hi, hi_open, out, &ve), &ve);
}

static int get_seed(Loader *L, const Section *s, const Entry *e, unsigned long long *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_seed(e->value, out, &ve), &ve);
}

static int parse_choice(Loader *L, const Section *s, const Entry *e, const char *text,
                        const char *const *names, int n, int *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_choice(text, names, n, out, &ve), &ve);
}

static int get_choice(Loader *L, const Section *s, const Entry *e, const char *const *names, int n,
                      int *out) {
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return parse_choice(L, s, e, e->value, names, n, out);
}

/* A colormap name; draw/colormap.c owns the names. */
static int get_colormap(Loader *L, const Section *s, const Entry *e, ColormapKind *out) {
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
static int get_optimizer(Loader *L, const Section *s, const Entry *e, OptimizerKind *out) {
    const char *names[GD_OPTIMIZER_COUNT];
    for (int i = 0; i < GD_OPTIMIZER_COUNT; i++)
        names[i] = config_optimizer_name((OptimizerKind)i);
    int k = 0;
    if (get_choice(L, s, e, names, GD_OPTIMIZER_COUNT, &k))
        return GD_ERR_INPUT;
    *out = (OptimizerKind)k;
    return 0;
}

static int get_bool(Loader *L, const Section *s, const Entry *e, int *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_bool(e->value, out, &ve), &ve);
}

static int get_color(Loader *L, const Section *s, const Entry *e, Rgb *out) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_parse_color(e->value, out, &ve), &ve);
}

static int get_text(Loader *L, const Section *s, const Entry *e, int allow_empty, char *out,
                    size_t size) {
    GdError ve;
    if (!allow_empty && need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_copy_text(e->value, out, size, &ve), &ve);
}

/* A path relative to the config file's folder. */
static int get_path(Loader *L, const Section *s, const Entry *e, char *out, size_t size) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_resolve_path(L->cfg->dir, e->value, out, size, &ve), &ve);
}

/* A path that must be readable now. */
static int get_input_path(Loader *L, const Section *s, const Entry *e, char *out, size_t size) {
    GdError ve;
    if (need_value(L, s, e))
        return GD_ERR_INPUT;
    return at_key(L, s, e, value_resolve_input_path(L->cfg->dir, e->value, out, size, &ve), &ve);
}

static int split_list(Loader *L, const Section *s, const Entry *e, const char *text,
                      ValueList *list) {
    GdError ve;
    return at_key(L, s, e, value_split_list(text, list, &ve), &ve);
}

/* Exactly count numbers; names describes them, e.g. "a, b" or "lo, hi". */
static int parse_numbers(Loader *L, const Section *s, const Entry *e, const char *text, int count,
                         const char *names, double *out) {
    GdError ve;
    return at_key(L, s, e, value_parse_numbers(text, count, names, out, &ve), &ve);
}

/* "name(arg, arg, ...)" with count arguments (see value_parse_call). */
static int parse_call(Loader *L, const Section *s, const Entry *e, const char *name, int count,
                      const char *usage, ValueList *args, int *matched) {
    GdError ve;
    return at_key(L, s, e, value_parse_call(e->value, name, count, usage, args, matched, &ve), &ve);
}

/* "a, b" for the messages about per-parameter lists. */
static void param_list(const ModelConfig *m, char *buf, size_t size) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->nparams && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", m->params[i]);
}

/* ---- phase 2: sections --------------------------------------------------- */

static const char *reserved_reason(const char *name) {
    if (strcmp(name, "x") == 0)
        return "the data variable";
    if (strcmp(name, "pi") == 0 || strcmp(name, "e") == 0)
        return "a constant";
    if (in_list(name, FUNCTION_NAMES, COUNT(FUNCTION_NAMES)))
        return "a function";
    if (in_list(name, SURFACE_KEYS, COUNT(SURFACE_KEYS)))
        return "a [surface] key";
    return NULL;
}

static int load_model(Loader *L) {
    ModelConfig *m = &L->cfg->model;
    Section *s = find_section(L, SEC_MODEL);
    if (!s)
        return fail_at(L, (Origin){0, -1}, "missing section [model]");
    if (check_keys(L, s, MODEL_KEYS, COUNT(MODEL_KEYS), NULL))
        return GD_ERR_INPUT;

    Entry *e = find_entry(s, "params");
    if (!e)
        return fail_missing(L, s, "params");
    ValueList list;
    if (need_value(L, s, e) || split_list(L, s, e, e->value, &list))
        return GD_ERR_INPUT;
    if (list.n != 2)
        return fail_key(L, s, e, "expected 2 parameters (the 3D view shows two), got %d", list.n);
    for (int i = 0; i < list.n; i++) {
        const char *name = list.items[i];
        const char *why = reserved_reason(name);
        if (!value_is_ident(name))
            return fail_key(L, s, e,
                            "\"%s\" is not a valid name (letters, digits and _, not starting "
                            "with a digit)",
                            name);
        if (strlen(name) >= GD_NAME_MAX)
            return fail_key(L, s, e, "\"%s\" is too long (more than %d bytes)", name,
                            GD_NAME_MAX - 1);
        if (why)
            return fail_key(L, s, e, "\"%s\" is reserved (%s)", name, why);
        for (int j = 0; j < i; j++)
            if (strcmp(name, list.items[j]) == 0)
                return fail_key(L, s, e, "\"%s\" given twice", name);
        snprintf(m->params[i], sizeof m->params[i], "%s", name);
    }
    m->nparams = list.n;

    e = find_entry(s, "formula");
    if (!e)
        return fail_missing(L, s, "formula");
    if (get_text(L, s, e, 0, m->formula_text, sizeof m->formula_text))
        return GD_ERR_INPUT;
    const char *names[GD_MAX_PARAMS];
    for (int i = 0; i < m->nparams; i++)
        names[i] = m->params[i];
    int column = 0;
    GdError ferr;
    int rc = formula_compile(m->formula_text, names, m->nparams, &m->formula, &column, &ferr);
    if (rc == GD_ERR_RUNTIME)
        return fail_oom(L);
    if (rc)
        return fail_key(L, s, e, "column %d: %s", column, ferr.msg);

    int loss = 0;
    e = find_entry(s, "loss");
    if (e && get_choice(L, s, e, LOSS_NAMES, COUNT(LOSS_NAMES), &loss))
        return GD_ERR_INPUT;
    return 0;
}

static int load_data(Loader *L) {
    Config *cfg = L->cfg;
    DataConfig *d = &cfg->data;
    const ModelConfig *m = &cfg->model;
    Section *s = find_section(L, SEC_DATA);
    if (!s)
        return fail_at(L, (Origin){0, -1}, "missing section [data]");
    if (check_keys(L, s, DATA_KEYS, COUNT(DATA_KEYS), NULL))
        return GD_ERR_INPUT;
    d->line = s->origin.line;
    d->seed = 1;
    d->noise = 0.1;
    d->x_lo = -1.0;
    d->x_hi = 1.0;
    d->x_n = 200;

    Entry *file = find_entry(s, "file");
    if (file)
        for (int i = 0; i < s->nentries; i++) {
            const char *k = s->entries[i].key;
            if (strcmp(k, "x") == 0 || strcmp(k, "true") == 0 || strcmp(k, "noise") == 0)
                return fail_key(L, s, file,
                                "cannot be combined with %s (use a file or "
                                "synthetic data, not both)",
                                k);
        }
    Entry *e = find_entry(s, "seed");
    if (e && get_seed(L, s, e, &d->seed))
        return GD_ERR_INPUT;

    if (file) {
        d->from_file = 1;
        if (get_input_path(L, s, file, d->file, sizeof d->file))
            return GD_ERR_INPUT;
        int rc = data_read_csv(d->file, &cfg->data_x, &cfg->data_y, &cfg->ndata, L->err);
        if (rc) {
            L->failed = 1;
            return rc;
        }
        d->x_n = cfg->ndata;
        d->x_lo = d->x_hi = cfg->data_x[0];
        for (int i = 1; i < cfg->ndata; i++) {
            d->x_lo = fmin(d->x_lo, cfg->data_x[i]);
            d->x_hi = fmax(d->x_hi, cfg->data_x[i]);
        }
        return 0;
    }

    Entry *tr = find_entry(s, "true");
    if (!tr)
        return fail_missing(L, s, "true");
    char names[GD_MAX_PARAMS * GD_NAME_MAX];
    param_list(m, names, sizeof names);
    if (need_value(L, s, tr) ||
        parse_numbers(L, s, tr, tr->value, m->nparams, names, d->true_params))
        return GD_ERR_INPUT;
    d->has_true = 1;

    e = find_entry(s, "x");
    if (e) {
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
            return fail_key(L, s, e, "n must be an integer from 1 to %d, got \"%s\"", MAX_XN,
                            count);
        d->x_n = (int)n;
        if (n > 1 && !(d->x_lo < d->x_hi))
            return fail_key(L, s, e, "lo (%s) must be less than hi (%s)", lo, hi);
        if (!isfinite(d->x_hi - d->x_lo))
            return fail_key(L, s, e, "the range from %s to %s is too wide", lo, hi);
    }
    e = find_entry(s, "noise");
    if (e && get_range(L, s, e, 0.0, 0, INFINITY, 0, &d->noise))
        return GD_ERR_INPUT;

    const DataSpec spec = {m->formula, d->true_params, d->x_lo, d->x_hi, d->x_n, d->noise, d->seed};
    GdError derr;
    int rc = data_generate(&spec, &cfg->data_x, &cfg->data_y, &derr);
    if (rc == GD_ERR_RUNTIME)
        return fail_oom(L);
    if (rc)
        return fail_key(L, s, tr, "%s", derr.msg);
    cfg->ndata = d->x_n;
    return 0;
}

static int load_video(Loader *L) {
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
    Section *s = find_section(L, SEC_VIDEO);
    if (!s)
        return 0;
    if (check_keys(L, s, VIDEO_KEYS, COUNT(VIDEO_KEYS), NULL))
        return GD_ERR_INPUT;
    Entry *e;
    if ((e = find_entry(s, "output")) && get_path(L, s, e, v->output, sizeof v->output))
        return GD_ERR_INPUT;
    static const struct {
        const char *key;
        int max;
    } sizes[2] = {{"width", 7680}, {"height", 4320}};
    for (int i = 0; i < 2; i++) {
        int *out = i == 0 ? &v->width : &v->height;
        long long n = 0;
        if (!(e = find_entry(s, sizes[i].key)))
            continue;
        if (need_value(L, s, e) || parse_int(L, s, e, e->value, &n))
            return GD_ERR_INPUT;
        if (n < 16 || n > sizes[i].max || n % 2 != 0)
            return fail_key(L, s, e, "must be an even number from 16 to %d, got %s", sizes[i].max,
                            e->value);
        *out = (int)n;
    }
    if ((e = find_entry(s, "fps")) && get_int(L, s, e, 1, 240, &v->fps))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "duration")) && get_range(L, s, e, 0.0, 1, MAX_SECONDS, 0, &v->duration))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "hold")) && get_range(L, s, e, 0.0, 0, MAX_SECONDS, 0, &v->hold))
        return GD_ERR_INPUT;
    if (llround((double)v->fps * (v->duration + v->hold)) < 1) {
        const Entry *d = find_entry(s, "duration");
        if (!d)
            d = find_entry(s, "hold");
        return fail_key(L, s, d, "fps x (duration + hold) = %d x %g s gives no frames", v->fps,
                        v->duration + v->hold);
    }
    int k = 0;
    if ((e = find_entry(s, "quality"))) {
        if (get_choice(L, s, e, QUALITY_NAMES, COUNT(QUALITY_NAMES), &k))
            return GD_ERR_INPUT;
        v->quality = (Quality)k;
    }
    if ((e = find_entry(s, "crf")) && get_int(L, s, e, 0, 51, &v->crf))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "preset"))) {
        if (get_choice(L, s, e, PRESET_NAMES, COUNT(PRESET_NAMES), &k))
            return GD_ERR_INPUT;
        snprintf(v->preset, sizeof v->preset, "%s", PRESET_NAMES[k]);
    }
    if ((e = find_entry(s, "title")) && get_text(L, s, e, 1, v->title, sizeof v->title))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "font")) && get_input_path(L, s, e, v->font, sizeof v->font))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "background")) && get_color(L, s, e, &v->background))
        return GD_ERR_INPUT;
    return 0;
}

static int load_surface(Loader *L) {
    SurfaceConfig *sf = &L->cfg->surface;
    const ModelConfig *m = &L->cfg->model;
    sf->resolution = 60;
    sf->colormap = CMAP_RAINBOW;
    sf->opacity = 0.6;
    sf->wireframe = 1;
    sf->contours = 10;
    sf->zscale = ZSCALE_LINEAR;
    sf->arrows = 0;
    Section *s = find_section(L, SEC_SURFACE);
    if (!s)
        return 0;
    if (check_keys(L, s, SURFACE_KEYS, COUNT(SURFACE_KEYS), m))
        return GD_ERR_INPUT;
    Entry *e;
    for (int p = 0; p < m->nparams; p++) {
        if (!(e = find_entry(s, m->params[p])))
            continue;
        ValueList list;
        if (need_value(L, s, e) || split_list(L, s, e, e->value, &list))
            return GD_ERR_INPUT;
        if (list.n != 2)
            return fail_key(L, s, e, "expected 2 values (lo, hi), got %d", list.n);
        const char *lo = list.items[0], *hi = list.items[1];
        if (parse_number(L, s, e, lo, &sf->range[p][0]) ||
            parse_number(L, s, e, hi, &sf->range[p][1]))
            return GD_ERR_INPUT;
        if (!(sf->range[p][0] < sf->range[p][1]))
            return fail_key(L, s, e, "lo (%s) must be less than hi (%s)", lo, hi);
        if (!isfinite(sf->range[p][1] - sf->range[p][0]))
            return fail_key(L, s, e, "the range from %s to %s is too wide", lo, hi);
        sf->has_range[p] = 1;
    }
    int k = 0;
    if ((e = find_entry(s, "resolution")) && get_int(L, s, e, 8, 512, &sf->resolution))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "colormap")) && get_colormap(L, s, e, &sf->colormap))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "opacity")) && get_range(L, s, e, 0.0, 0, 1.0, 0, &sf->opacity))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "wireframe")) && get_bool(L, s, e, &sf->wireframe))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "contours")) && get_int(L, s, e, 0, 100, &sf->contours))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "zscale"))) {
        if (get_choice(L, s, e, ZSCALE_NAMES, COUNT(ZSCALE_NAMES), &k))
            return GD_ERR_INPUT;
        sf->zscale = (ZScale)k;
    }
    if ((e = find_entry(s, "arrows")) && get_bool(L, s, e, &sf->arrows))
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

static int load_run_spec(Loader *L, const Section *s, RunSpec *r) {
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

    Entry *e = find_entry(s, "init");
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
    if ((e = find_entry(s, "repeat"))) {
        if (!r->random_init)
            return fail_key(L, s, e, "needs a random init, e.g. init = normal(0, 1)");
        if (get_int(L, s, e, 1, MAX_REPEAT, &r->repeat))
            return GD_ERR_INPUT;
    }
    if ((e = find_entry(s, "lr")) && get_range(L, s, e, 0.0, 1, INFINITY, 0, &b->lr))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "steps")) && get_int(L, s, e, 0, MAX_STEPS, &b->steps))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "optimizer")) && get_optimizer(L, s, e, &b->optimizer))
        return GD_ERR_INPUT;
    static const char *const unit_keys[] = {"momentum", "beta1", "beta2", "alpha"};
    double *unit_vals[] = {&b->momentum, &b->beta1, &b->beta2, &b->alpha};
    for (int i = 0; i < 4; i++)
        if ((e = find_entry(s, unit_keys[i])) && get_range(L, s, e, 0.0, 0, 1.0, 1, unit_vals[i]))
            return GD_ERR_INPUT;
    b->eps = b->optimizer == OPT_ADAGRAD ? 1e-10 : 1e-8;
    if ((e = find_entry(s, "eps")) && get_range(L, s, e, 0.0, 1, INFINITY, 0, &b->eps))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "batch"))) {
        long long n = 0;
        if (need_value(L, s, e) || parse_int(L, s, e, e->value, &n))
            return GD_ERR_INPUT;
        if (n < 0)
            return fail_key(L, s, e, "must be at least 0, got %s", e->value);
        if (n > cfg->ndata)
            return fail_key(L, s, e, "%s is more than the number of data points (%d)", e->value,
                            cfg->ndata);
        b->batch = (int)n;
    }
    if ((e = find_entry(s, "color"))) {
        if (get_color(L, s, e, &b->color))
            return GD_ERR_INPUT;
        r->has_color = 1;
    }
    /* room for "#100" after a repeated run's label */
    if ((e = find_entry(s, "label")) && get_text(L, s, e, 0, b->label, sizeof b->label - 8))
        return GD_ERR_INPUT;
    if ((e = find_entry(s, "seed")) && get_seed(L, s, e, &r->seed))
        return GD_ERR_INPUT;
    return 0;
}

static int load_runs(Loader *L) {
    Config *cfg = L->cfg;
    const int np = cfg->model.nparams;
    int nspecs = 0;
    for (int i = 0; i < L->nsecs; i++)
        nspecs += L->secs[i].kind == SEC_RUN;
    if (nspecs == 0)
        return fail_at(L, (Origin){0, -1}, "missing section [run]");
    RunSpec *specs = calloc((size_t)nspecs, sizeof *specs);
    if (!specs)
        return fail_oom(L);
    int rc = 0, total = 0, k = 0;
    for (int i = 0; i < L->nsecs && !rc; i++) {
        const Section *s = &L->secs[i];
        if (s->kind != SEC_RUN)
            continue;
        RunSpec *r = &specs[k++];
        rc = load_run_spec(L, s, r);
        if (rc)
            break;
        total += r->repeat;
        if (total > GD_MAX_RUNS) {
            Entry *e = find_entry(s, "repeat");
            rc = e ? fail_key(L, s, e, "too many runs in all (more than %d)", GD_MAX_RUNS)
                   : fail_sec(L, s, "too many runs (more than %d)", GD_MAX_RUNS);
        }
    }
    /* Default colours are handed out by run index; past the palette two runs
     * would look the same, so the user must choose. */
    int index = 0;
    for (int i = 0; i < nspecs && !rc; i++) {
        if (!specs[i].has_color && index + specs[i].repeat > NUM_COLORS)
            rc = fail_sec(L, specs[i].sec,
                          "more runs (%d) than distinct default colors (%d): give each run a "
                          "color",
                          total, NUM_COLORS);
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

static int load_camera(Loader *L) {
    CameraConfig *c = &L->cfg->camera;
    c->ease = EASE_SMOOTH;
    Section *s = find_section(L, SEC_CAMERA);
    if (!s)
        return 0;
    if (check_keys(L, s, CAMERA_KEYS, COUNT(CAMERA_KEYS), NULL))
        return GD_ERR_INPUT;
    Origin where[GD_MAX_KEYS];
    for (int i = 0; i < s->nentries; i++) {
        const Entry *e = &s->entries[i];
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
                origin_where(L, where[k], w, sizeof w);
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
    Entry *e = find_entry(s, "ease");
    int k = 0;
    if (e) {
        if (get_choice(L, s, e, EASE_NAMES, COUNT(EASE_NAMES), &k))
            return GD_ERR_INPUT;
        c->ease = (Ease)k;
    }
    return 0;
}

static int load_layout(Loader *L) {
    LayoutConfig *lay = &L->cfg->layout;
    lay->mode = LAYOUT_OVERLAY;
    lay->npanels = 1;
    lay->panels[0] = PANEL_SURFACE;
    Section *s = find_section(L, SEC_LAYOUT);
    if (!s)
        return 0;
    if (check_keys(L, s, LAYOUT_KEYS, COUNT(LAYOUT_KEYS), NULL))
        return GD_ERR_INPUT;
    Entry *e;
    int k = 0;
    if ((e = find_entry(s, "mode"))) {
        if (get_choice(L, s, e, MODE_NAMES, COUNT(MODE_NAMES), &k))
            return GD_ERR_INPUT;
        lay->mode = (LayoutMode)k;
    }
    if ((e = find_entry(s, "panels"))) {
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
            lay->panels[lay->npanels++] = (PanelKind)k;
        }
    }
    return 0;
}

/* ---- module functions ---------------------------------------------------- */

static int set_paths(Loader *L, const char *path) {
    Config *cfg = L->cfg;
    if (strlen(path) >= sizeof cfg->path)
        return fail_at(L, (Origin){0, -1}, "path too long");
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(cfg->dir, sizeof cfg->dir, ".");
    else if (slash == path)
        snprintf(cfg->dir, sizeof cfg->dir, "/");
    else
        snprintf(cfg->dir, sizeof cfg->dir, "%.*s", (int)(slash - path), path);
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(cfg->stem, sizeof cfg->stem, "%.*s", (int)n, base);
    return 0;
}

static void loader_free(Loader *L) {
    free(L->long_value);
    L->long_value = NULL;
    for (int i = 0; i < L->nlines; i++)
        free(L->lines[i].text);
    free(L->lines);
    for (int i = 0; i < L->nsecs; i++) {
        for (int k = 0; k < L->secs[i].nentries; k++) {
            free(L->secs[i].entries[k].key);
            free(L->secs[i].entries[k].value);
        }
        free(L->secs[i].entries);
    }
    free(L->secs);
}

int config_load(const char *path, const ConfigOverride *overrides, int noverrides, Config *cfg,
                GdError *err) {
    memset(cfg, 0, sizeof *cfg);
    gd_error_clear(err);
    GdError local;
    Loader L;
    memset(&L, 0, sizeof L);
    L.path = path;
    L.ovr = overrides;
    L.novr = noverrides;
    L.err = err ? err : &local;
    L.cfg = cfg;

    char *file = NULL;
    size_t len = 0;
    int rc = set_paths(&L, path);
    if (!rc)
        rc = read_config(&L, &file, &len);
    if (!rc)
        rc = split_lines(&L, file, len);
    free(file);
    for (int i = 0; !rc && i < noverrides; i++)
        rc = apply_override(&L, i);
    if (!rc && !(cfg->text = join_lines(&L)))
        rc = fail_oom(&L);
    if (!rc)
        rc = collect_entries(&L);
    if (!rc)
        rc = load_model(&L);
    if (!rc)
        rc = load_data(&L);
    if (!rc)
        rc = load_video(&L);
    if (!rc)
        rc = load_surface(&L);
    if (!rc)
        rc = load_runs(&L);
    if (!rc)
        rc = load_camera(&L);
    if (!rc)
        rc = load_layout(&L);
    loader_free(&L);
    if (rc) {
        config_free(cfg);
        memset(cfg, 0, sizeof *cfg);
    }
    return rc;
}

void config_free(Config *cfg) {
    if (!cfg)
        return;
    free(cfg->text);
    cfg->text = NULL;
    free(cfg->runs);
    cfg->runs = NULL;
    cfg->nruns = 0;
    formula_destroy(cfg->model.formula);
    cfg->model.formula = NULL;
    free(cfg->data_x);
    free(cfg->data_y);
    cfg->data_x = cfg->data_y = NULL;
    cfg->ndata = 0;
}

int config_frame_count(const Config *cfg) {
    return (int)llround((double)cfg->video.fps * (cfg->video.duration + cfg->video.hold));
}

const char *config_optimizer_name(OptimizerKind k) {
    static const char *const names[GD_OPTIMIZER_COUNT] = {
        [OPT_GD] = "gd",           [OPT_MOMENTUM] = "momentum", [OPT_NESTEROV] = "nesterov",
        [OPT_ADAGRAD] = "adagrad", [OPT_RMSPROP] = "rmsprop",   [OPT_ADAM] = "adam"};
    if ((int)k < 0 || (int)k >= GD_OPTIMIZER_COUNT)
        return "?";
    return names[k];
}
