/*
 * ini.c — reads a config file into sections of entries with their origins,
 * applying --set overrides, and formats errors at an origin (see ini.h).
 *
 * Pipeline place: first stage (config), its reader; called by config.c,
 * its entries read by config/sections.c. The only file that sees libinih.
 * Depends on base/utf8, config/values (character classes) and model/data
 * (data_echo).
 */
#include "config/ini.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "base/utf8.h"
#include "config/values.h"
#include "model/data.h"

/* ---- defines and types -------------------------------------------------- */

#define MAX_FILE_BYTES (1 << 20) /* a config is a few hundred bytes */

typedef struct Line {
    char *text; /* without the line terminator */
    IniOrigin origin;
} Line;

/* State of one ini_read: the line list and inih's progress through it. */
typedef struct Reader {
    IniDoc *doc;
    GdError *err;
    Line *lines;
    int nlines, lcap;
    int feed;         /* index of the line last handed to inih */
    int cur;          /* section the parser is in; -1 before the first header */
    int failed;       /* err holds the first error */
    int fail_at;      /* line index of a structural error */
    char *long_value; /* the value of the line being fed, when inih's buffer is too short */
} Reader;

static const char *const SECTION_NAMES =
    "video, data, model, surface, run NAME, camera, layout, timeline, labels, "
    "caption NAME, mark NAME, basins";

/* Sections that carry a name: [run good], [caption intro], [mark best]. A
 * bare [run] is allowed (it is a plain section too); the others need their
 * name. */
static const struct {
    const char *word;
    IniSectionKind kind;
} NAMED[] = {{"run", SEC_RUN}, {"caption", SEC_CAPTION}, {"mark", SEC_MARK}};

/* The named kind whose word starts title and is followed by a space (or
 * ends it), or -1. */
static int named_kind(const char *t) {
    for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++) {
        size_t n = strlen(NAMED[i].word);
        if (strncmp(t, NAMED[i].word, n) == 0 && (t[n] == '\0' || value_is_space(t[n])))
            return (int)i;
    }
    return -1;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- errors --------------------------------------------------------------- */

static void origin_prefix(const IniDoc *doc, IniOrigin o, char *buf, size_t size) {
    if (o.ovr >= 0) {
        /* A long override is shortened so the reason still fits the line. */
        char ov[80];
        const char *t = doc->ovr[o.ovr].text;
        snprintf(buf, size, "--set %s: ", data_echo(t, strlen(t), ov, sizeof ov));
    } else if (o.line > 0)
        snprintf(buf, size, "%s:%d: ", doc->path, o.line);
    else
        snprintf(buf, size, "%s: ", doc->path);
}

void ini_describe_origin(const IniDoc *doc, IniOrigin o, char *buf, size_t size) {
    if (o.ovr >= 0)
        snprintf(buf, size, "in --set %s", doc->ovr[o.ovr].text);
    else
        snprintf(buf, size, "on line %d", o.line);
}

/* Records "ORIGIN: WHAT: message" (WHAT may be NULL) as a GD_ERR_INPUT. */
static int vfail(const IniDoc *doc, GdError *err, IniOrigin o, const char *what, const char *fmt,
                 va_list ap) {
    char pre[1024], msg[1024];
    origin_prefix(doc, o, pre, sizeof pre);
    vsnprintf(msg, sizeof msg, fmt, ap);
    gd_error(err, GD_ERR_INPUT, "%s%s%s%s", pre, what ? what : "", what ? ": " : "", msg);
    return GD_ERR_INPUT;
}

int ini_vfail_at(const IniDoc *doc, GdError *err, IniOrigin o, const char *fmt, va_list ap) {
    return vfail(doc, err, o, NULL, fmt, ap);
}

int ini_vfail_section(const IniDoc *doc, GdError *err, const IniSection *s, const char *fmt,
                      va_list ap) {
    char what[300];
    snprintf(what, sizeof what, "[%s]", s->title);
    return vfail(doc, err, s->origin, what, fmt, ap);
}

int ini_vfail_key(const IniDoc *doc, GdError *err, const IniSection *s, const IniEntry *e,
                  const char *fmt, va_list ap) {
    char what[400];
    snprintf(what, sizeof what, "[%s] %s", s->title, e->key);
    return vfail(doc, err, e->origin, what, fmt, ap);
}

/* The reader's errors: the first one stops it (R->failed). */
__attribute__((format(printf, 3, 4))) static int fail_at(Reader *R, IniOrigin o, const char *fmt,
                                                         ...) {
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_at(R->doc, R->err, o, fmt, ap);
    va_end(ap);
    R->failed = 1;
    return GD_ERR_INPUT;
}

__attribute__((format(printf, 3, 4))) static int fail_sec(Reader *R, const IniSection *s,
                                                          const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_section(R->doc, R->err, s, fmt, ap);
    va_end(ap);
    R->failed = 1;
    return GD_ERR_INPUT;
}

__attribute__((format(printf, 4, 5))) static int fail_key(Reader *R, const IniSection *s,
                                                          const IniEntry *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ini_vfail_key(R->doc, R->err, s, e, fmt, ap);
    va_end(ap);
    R->failed = 1;
    return GD_ERR_INPUT;
}

static int fail_oom(Reader *R) {
    R->failed = 1;
    return gd_error(R->err, GD_ERR_RUNTIME, "out of memory");
}

/* ---- line syntax, as inih sees it ---------------------------------------- */

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
    int k = named_kind(t);
    if (k >= 0 && t[strlen(NAMED[k].word)] != '\0')
        snprintf(out, size, "%s %s", NAMED[k].word, value_skip_space(t + strlen(NAMED[k].word)));
    else
        snprintf(out, size, "%s", t);
}

/* What follows the ']' of a header line p (classified LINE_HEADER), when
 * it is more than blanks and a comment (';' or '#', as on any line): inih
 * would drop it silently, so "[run a] lr = 5" would lose its key. NULL
 * when there is nothing. */
static const char *header_tail(const char *p) {
    const char *end = find_chars_or_comment(value_skip_space(p) + 1, "]");
    const char *rest = value_skip_space(end + 1);
    return *rest == '\0' || *rest == ';' || *rest == '#' ? NULL : rest;
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

static int add_line(Reader *R, int at, char *text, IniOrigin o) {
    if (R->nlines == R->lcap) {
        int nc = R->lcap ? R->lcap * 2 : 64;
        Line *nl = realloc(R->lines, sizeof *nl * (size_t)nc);
        if (!nl) {
            free(text);
            return fail_oom(R);
        }
        R->lines = nl;
        R->lcap = nc;
    }
    memmove(R->lines + at + 1, R->lines + at, sizeof *R->lines * (size_t)(R->nlines - at));
    R->lines[at].text = text;
    R->lines[at].origin = o;
    R->nlines++;
    return 0;
}

/* The whole file, at most MAX_FILE_BYTES, opened without blocking (base/files:
 * a named pipe or a device is refused, never waited on). */
static int read_file(Reader *R, char **out, size_t *outlen) {
    struct stat st;
    const char *why;
    int fd = files_open_input(R->doc->path, &st, &why);
    if (fd < 0)
        return fail_at(R, INI_FILE, "cannot read config: %s", why);
    if (st.st_size > MAX_FILE_BYTES) {
        close(fd);
        return fail_at(R, INI_FILE, "config file too large (more than %d MiB)",
                       MAX_FILE_BYTES >> 20);
    }
    /* One byte more than the cap, to see a file that grew past it. */
    char *buf = malloc(MAX_FILE_BYTES + 1);
    if (!buf) {
        close(fd);
        return fail_oom(R);
    }
    size_t len = 0;
    int e = 0;
    while (len < MAX_FILE_BYTES + 1) {
        ssize_t k = read(fd, buf + len, MAX_FILE_BYTES + 1 - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            e = errno;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    close(fd);
    if (e) {
        free(buf);
        return fail_at(R, INI_FILE, "cannot read config: %s", strerror(e));
    }
    if (len > MAX_FILE_BYTES) {
        free(buf);
        return fail_at(R, INI_FILE, "config file too large (more than %d MiB)",
                       MAX_FILE_BYTES >> 20);
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* Checks the text and splits it into lines with their file line numbers. */
static int split_lines(Reader *R, const char *text, size_t len) {
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
            return fail_at(R, (IniOrigin){lineno, -1}, "column %d: NUL byte (is this a text file?)",
                           (int)(nul - s) + 1);
        size_t bad;
        if (!utf8_is_valid(s, n, &bad))
            return fail_at(R, (IniOrigin){lineno, -1}, "column %zu: invalid UTF-8 (byte 0x%02x)",
                           bad + 1, (unsigned char)s[bad]);
        if (n > 0 && s[n - 1] == '\r')
            n--;
        char *t = malloc(n + 1);
        if (!t)
            return fail_oom(R);
        memcpy(t, s, n);
        t[n] = '\0';
        if (add_line(R, R->nlines, t, (IniOrigin){lineno, -1}))
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

/* Whether text is "section.key=value", "run.NAME.key=value" (or the
 * same for another named section: caption, mark) or "run.key=value"; if
 * so, fills o. */
static int parse_override(const char *text, OverrideSpec *o) {
    if (strchr(text, '\n') || strchr(text, '\r'))
        return 0;
    text = value_skip_space(text);
    const char *eq = strchr(text, '=');
    if (!eq)
        return 0;
    o->value = value_skip_space(eq + 1);
    while (eq > text && value_is_space(eq[-1])) /* "video.fps = 25" is fine too */
        eq--;
    const char *dot = memchr(text, '.', (size_t)(eq - text));
    if (!dot)
        return 0;
    const char *last = dot;
    for (const char *p = dot; p < eq; p++)
        if (*p == '.')
            last = p;
    size_t slen = (size_t)(dot - text), klen = (size_t)(eq - last - 1);
    if (!is_word(text, slen) || !is_word(last + 1, klen) || klen >= sizeof o->key)
        return 0;
    memcpy(o->key, last + 1, klen);
    o->key[klen] = '\0';
    char word[16];
    snprintf(word, sizeof word, "%.*s", (int)(slen < 15 ? slen : 15), text);
    int k = slen < 15 ? named_kind(word) : -1;
    if (k >= 0 && last != dot) {
        size_t nlen = (size_t)(last - dot - 1);
        char name[GD_NAME_MAX];
        if (nlen >= sizeof name)
            return 0;
        memcpy(name, dot + 1, nlen);
        name[nlen] = '\0';
        if (!value_is_run_name(name))
            return 0;
        snprintf(o->title, sizeof o->title, "%s %s", NAMED[k].word, name);
        return 1;
    }
    if (last != dot)
        return 0;
    snprintf(o->title, sizeof o->title, "%.*s", (int)slen, text);
    return 1;
}

/* Replaces the key's line in its section, or adds the key to the section,
 * or appends the section: so the effective text reads like a file. */
static int apply_override(Reader *R, int index) {
    const char *text = R->doc->ovr[index].text;
    IniOrigin o = {0, index};
    OverrideSpec spec;
    if (!utf8_is_valid(text, strlen(text), NULL))
        return fail_at(R, o, "invalid UTF-8");
    if (!parse_override(text, &spec))
        return fail_at(R, o, "expected SECTION.KEY=VALUE");
    size_t n = strlen(spec.key) + strlen(spec.value) + 4;
    char *line = malloc(n);
    if (!line)
        return fail_oom(R);
    snprintf(line, n, "%s = %s", spec.key, spec.value);
    int repeatable = (strcmp(spec.title, "camera") == 0 || strcmp(spec.title, "timeline") == 0) &&
                     strcmp(spec.key, "key") == 0;

    int header = -1;
    char title[256], key[256];
    for (int i = 0; i < R->nlines && header < 0; i++)
        if (classify_line(R->lines[i].text, title, sizeof title, key, sizeof key) == LINE_HEADER &&
            strcmp(title, spec.title) == 0)
            header = i;
    if (header < 0) {
        size_t hn = strlen(spec.title) + 3;
        char *h = malloc(hn);
        if (!h) {
            free(line);
            return fail_oom(R);
        }
        snprintf(h, hn, "[%s]", spec.title);
        if (add_line(R, R->nlines, h, o)) {
            free(line);
            return GD_ERR_RUNTIME;
        }
        return add_line(R, R->nlines, line, o);
    }
    int last_key = header, match = -1;
    for (int i = header + 1; i < R->nlines; i++) {
        LineKind k = classify_line(R->lines[i].text, title, sizeof title, key, sizeof key);
        if (k == LINE_HEADER)
            break;
        if (k == LINE_KEY) {
            last_key = i;
            if (match < 0 && !repeatable && strcmp(key, spec.key) == 0)
                match = i;
        }
    }
    if (match >= 0) {
        free(R->lines[match].text);
        R->lines[match].text = line;
        R->lines[match].origin = o;
        return 0;
    }
    return add_line(R, last_key + 1, line, o);
}

/* doc->text: the lines after overrides, each ending in a newline. */
static int join_lines(Reader *R) {
    size_t n = 1;
    for (int i = 0; i < R->nlines; i++)
        n += strlen(R->lines[i].text) + 1;
    char *text = malloc(n), *p = text;
    if (!text)
        return fail_oom(R);
    for (int i = 0; i < R->nlines; i++) {
        size_t k = strlen(R->lines[i].text);
        memcpy(p, R->lines[i].text, k);
        p[k] = '\n';
        p += k + 1;
    }
    *p = '\0';
    R->doc->text = text;
    return 0;
}

/* ---- collecting entries with inih ---------------------------------------- */

static int open_section(Reader *R, const char *title, IniOrigin o) {
    IniSection s;
    memset(&s, 0, sizeof s);
    snprintf(s.title, sizeof s.title, "%s", title);
    s.origin = o;
    static const struct {
        const char *name;
        IniSectionKind kind;
    } plain[] = {{"video", SEC_VIDEO},     {"data", SEC_DATA},         {"model", SEC_MODEL},
                 {"surface", SEC_SURFACE}, {"camera", SEC_CAMERA},     {"layout", SEC_LAYOUT},
                 {"run", SEC_RUN},         {"timeline", SEC_TIMELINE}, {"labels", SEC_LABELS},
                 {"basins", SEC_BASINS}};
    int known = 0;
    for (int i = 0; i < COUNT(plain); i++)
        if (strcmp(title, plain[i].name) == 0) {
            s.kind = plain[i].kind;
            known = 1;
        }
    int k = known ? -1 : named_kind(title);
    if (k >= 0) {
        const char *word = NAMED[k].word;
        if (title[strlen(word)] == '\0')
            return fail_sec(R, &s, "a %s section needs a name: [%s NAME]", word, word);
        const char *name = title + strlen(word) + 1;
        if (!value_is_run_name(name))
            return fail_sec(R, &s, "bad %s name \"%s\" (use letters, digits, _, - and .)", word,
                            name);
        if (strlen(name) >= sizeof s.name)
            return fail_sec(R, &s, "%s name longer than %d bytes", word, (int)sizeof s.name - 1);
        snprintf(s.name, sizeof s.name, "%s", name);
        s.kind = NAMED[k].kind;
        known = 1;
    }
    if (!known)
        return fail_sec(R, &s, "unknown section (expected %s)", SECTION_NAMES);
    for (int i = 0; i < R->doc->nsecs; i++)
        if (R->doc->secs[i].kind == s.kind && strcmp(R->doc->secs[i].name, s.name) == 0) {
            char where[1024];
            ini_describe_origin(R->doc, R->doc->secs[i].origin, where, sizeof where);
            return fail_sec(R, &s, "given twice (first %s)", where);
        }
    if (R->doc->nsecs == R->doc->scap) {
        int nc = R->doc->scap ? R->doc->scap * 2 : 8;
        IniSection *ns = realloc(R->doc->secs, sizeof *ns * (size_t)nc);
        if (!ns)
            return fail_oom(R);
        R->doc->secs = ns;
        R->doc->scap = nc;
    }
    R->doc->secs[R->doc->nsecs] = s;
    R->cur = R->doc->nsecs++;
    return 0;
}

static int fail_syntax(Reader *R, int index) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", R->lines[index].text);
    return fail_at(R, R->lines[index].origin,
                   "expected \"key = value\" or \"[section]\", got \"%s\"", value_trim(buf));
}

/* Debian's libinih reads lines into a 200-byte buffer. A longer "key =
 * value" line (a long title, a long formula) is handed over as "key =
 * <LONG_MARK>" and its value, trimmed and with any inline comment removed
 * as inih would, waits in R->long_value for on_entry. */
#define LONG_MARK      "\x01"
#define MAX_LINE_BYTES 4095

/* inih's reader: hands over one line of R->lines per call. */
static char *feed_line(char *buf, int num, void *user) {
    Reader *R = user;
    if (R->failed || R->feed + 1 >= R->nlines)
        return NULL;
    int i = ++R->feed;
    const Line *ln = &R->lines[i];
    free(R->long_value);
    R->long_value = NULL;
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
            R->fail_at = i;
            fail_at(R, ln->origin, "line too long (more than %d bytes)",
                    len > MAX_LINE_BYTES ? MAX_LINE_BYTES : num - 1);
            return NULL;
        }
        const char *v = value_skip_space(sep + 1);
        const char *end = find_chars_or_comment(v, "");
        while (end > v && value_is_space(end[-1]))
            end--;
        R->long_value = strndup(v, (size_t)(end - v));
        if (!R->long_value) {
            fail_oom(R);
            return NULL;
        }
        snprintf(buf, (size_t)num, "%.*s= " LONG_MARK, (int)klen, p);
        return buf;
    }
    memcpy(buf, p, strlen(p) + 1);
    char title[256], key[256];
    if (classify_line(p, title, sizeof title, key, sizeof key) == LINE_HEADER) {
        const char *tail = header_tail(p);
        if (tail) {
            char echo[80];
            size_t n = strlen(tail);
            while (n > 0 && value_is_space(tail[n - 1]))
                n--;
            R->fail_at = i;
            fail_at(R, ln->origin, "[%s]: unexpected text after the header: \"%s\"", title,
                    data_echo(tail, n, echo, sizeof echo));
            return NULL;
        }
        if (open_section(R, title, ln->origin)) {
            R->fail_at = i;
            return NULL;
        }
    }
    return buf;
}

static int on_entry(void *user, const char *section, const char *name, const char *value) {
    (void)section; /* inih truncates long section names; R->cur is exact */
    Reader *R = user;
    if (R->failed)
        return 1;
    int i = R->feed;
    IniOrigin o = R->lines[i].origin;
    if (name[0] == '\0') {
        R->fail_at = i;
        fail_syntax(R, i);
        return 1;
    }
    if (R->cur < 0) {
        R->fail_at = i;
        fail_at(R, o, "%s: key before the first [section]", name);
        return 1;
    }
    IniSection *s = &R->doc->secs[R->cur];
    IniEntry e = {(char *)name, NULL, o};
    if (!((s->kind == SEC_CAMERA || s->kind == SEC_TIMELINE) && strcmp(name, "key") == 0))
        for (int k = 0; k < s->nentries; k++)
            if (strcmp(s->entries[k].key, name) == 0) {
                char where[1024];
                ini_describe_origin(R->doc, s->entries[k].origin, where, sizeof where);
                R->fail_at = i;
                fail_key(R, s, &e, "given twice (first %s)", where);
                return 1;
            }
    if (s->nentries == s->cap) {
        int nc = s->cap ? s->cap * 2 : 8;
        IniEntry *ne = realloc(s->entries, sizeof *ne * (size_t)nc);
        if (!ne) {
            fail_oom(R);
            return 1;
        }
        s->entries = ne;
        s->cap = nc;
    }
    if (R->long_value && strcmp(value, LONG_MARK) == 0)
        value = R->long_value;
    e.key = strdup(name);
    e.value = strdup(value);
    if (!e.key || !e.value) {
        free(e.key);
        free(e.value);
        fail_oom(R);
        return 1;
    }
    s->entries[s->nentries++] = e;
    return 1;
}

static int collect_entries(Reader *R) {
    R->feed = -1;
    R->cur = -1;
    R->fail_at = R->nlines;
    int rc = ini_parse_stream(feed_line, R, on_entry, R);
    if (R->failed && R->err->code == GD_ERR_RUNTIME)
        return GD_ERR_RUNTIME;
    /* inih keeps going after a syntax error and reports the first one's line
     * at the end; report whichever error comes first. */
    if (rc > 0 && rc - 1 < R->fail_at)
        return fail_syntax(R, rc - 1);
    if (rc < 0)
        return fail_oom(R);
    return R->failed ? GD_ERR_INPUT : 0;
}

/* ---- module functions ---------------------------------------------------- */

void ini_init(IniDoc *doc, const char *path, const ConfigOverride *ovr, int novr) {
    memset(doc, 0, sizeof *doc);
    doc->path = path;
    doc->ovr = ovr;
    doc->novr = novr;
}

int ini_read(IniDoc *doc, GdError *err) {
    Reader R;
    memset(&R, 0, sizeof R);
    R.doc = doc;
    R.err = err;
    char *file = NULL;
    size_t len = 0;
    int rc = read_file(&R, &file, &len);
    if (!rc)
        rc = split_lines(&R, file, len);
    free(file);
    for (int i = 0; !rc && i < doc->novr; i++)
        rc = apply_override(&R, i);
    if (!rc)
        rc = join_lines(&R);
    if (!rc)
        rc = collect_entries(&R);
    free(R.long_value);
    for (int i = 0; i < R.nlines; i++)
        free(R.lines[i].text);
    free(R.lines);
    return rc;
}

void ini_free(IniDoc *doc) {
    for (int i = 0; i < doc->nsecs; i++) {
        for (int k = 0; k < doc->secs[i].nentries; k++) {
            free(doc->secs[i].entries[k].key);
            free(doc->secs[i].entries[k].value);
        }
        free(doc->secs[i].entries);
    }
    free(doc->secs);
    doc->secs = NULL;
    doc->nsecs = doc->scap = 0;
    free(doc->text);
    doc->text = NULL;
}

const IniSection *ini_find_section(const IniDoc *doc, IniSectionKind kind) {
    for (int i = 0; i < doc->nsecs; i++)
        if (doc->secs[i].kind == kind)
            return &doc->secs[i];
    return NULL;
}

const IniEntry *ini_find_entry(const IniSection *s, const char *key) {
    if (!s)
        return NULL;
    for (int i = 0; i < s->nentries; i++)
        if (strcmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}
