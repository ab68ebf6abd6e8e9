/*
 * ini.h — a config file as sections of (key, value, origin) entries, with
 * the --set overrides applied, and the errors that point at an origin.
 *
 * Pipeline place: first stage (config), its reader. config.c calls
 * ini_read, then config/sections.c turns each section's entries into typed
 * Config fields, reporting errors at the entry's origin through
 * ini_vfail_key and friends. Private to src/config/. Depends on libinih
 * (the INI syntax; only ini.c sees it), base/files (opening the file),
 * base/utf8 (the file and every override must be valid UTF-8),
 * config/values (character classes) and model/data (data_echo, to shorten
 * a long override in a message).
 *
 * What ini_read does, in order (the first error stops it):
 *   1. reads the file whole (a regular file, opened without blocking by
 *      base/files, at most 1 MiB), skips a UTF-8 BOM, rejects NUL bytes
 *      and invalid UTF-8, and splits it into lines, each remembering its
 *      origin (file line number, or the --set override that wrote it);
 *   2. applies the overrides to that line list, so the effective text reads
 *      like a file (doc->text);
 *   3. runs inih's ini_parse_stream over the lines through its own reader,
 *      which strips leading whitespace (no multi-line continuations), hands
 *      over-long "key = value" lines past inih's 200-byte buffer whole,
 *      and sees every section header itself (so an unknown empty section
 *      is still caught). Structural errors (syntax, unknown section, key
 *      before the first section, section or key given twice) are reported
 *      here, the one on the smallest line first.
 *
 * Messages start with where: "FILE:LINE: ", "FILE: " for the file as a
 * whole, or "--set TEXT: " for an override (TEXT shortened past 60 bytes).
 */
#ifndef GD_CONFIG_INI_H
#define GD_CONFIG_INI_H

#include <stdarg.h>
#include <stddef.h>

#include "base/error.h"
#include "config/config.h"

/* Where a line came from: a line of the file, or an override. */
typedef struct IniOrigin {
    int line; /* 1-based file line; 0 = none */
    int ovr;  /* index of the --set override that wrote it; -1 = the file */
} IniOrigin;

/* The file as a whole, for errors about no line in particular. */
#define INI_FILE ((IniOrigin){0, -1})

typedef struct IniEntry {
    char *key, *value; /* value trimmed, any inline comment removed */
    IniOrigin origin;
} IniEntry;

typedef enum {
    SEC_VIDEO,
    SEC_DATA,
    SEC_MODEL,
    SEC_SURFACE,
    SEC_RUN,
    SEC_CAMERA,
    SEC_LAYOUT,
    SEC_TIMELINE,
    SEC_LABELS,
    SEC_CAPTION,
    SEC_MARK,
    SEC_BASINS
} IniSectionKind;

typedef struct IniSection {
    IniSectionKind kind;
    char title[256];        /* as shown in messages: "video", "run good", "run" */
    char name[GD_NAME_MAX]; /* run or mark name; "" for a bare [run] */
    IniOrigin origin;       /* the header line */
    IniEntry *entries;      /* in file order */
    int nentries, cap;
} IniSection;

typedef struct IniDoc {
    const char *path;          /* as given; the prefix of file errors */
    const ConfigOverride *ovr; /* the caller's; must outlive the doc */
    int novr;
    IniSection *secs; /* in file order */
    int nsecs, scap;
    char *text; /* the effective text after overrides (owned; NULL until read) */
} IniDoc;

/* Sets up doc for path and the overrides; allocates nothing, so errors
 * about the path (ini_vfail_at with INI_FILE) can be reported before
 * ini_read. */
void ini_init(IniDoc *doc, const char *path, const ConfigOverride *ovr, int novr);

/* Reads, checks and overrides the file and collects its entries (see the
 * top of this file). Returns 0, or GD_ERR_INPUT with err filled (an
 * unreadable file is bad input too: "FILE: cannot read config: STRERROR",
 * "FILE: cannot read config: not a regular file (a named pipe)", "FILE:
 * config file too large (more than 1 MiB)"),
 * or GD_ERR_RUNTIME when out of memory. Either way doc may hold memory:
 * free it with ini_free. */
int ini_read(IniDoc *doc, GdError *err);

/* Frees what ini_read allocated (doc->text included). Safe after ini_init
 * alone, and twice. */
void ini_free(IniDoc *doc);

/* The first section of that kind, or NULL. */
const IniSection *ini_find_section(const IniDoc *doc, IniSectionKind kind);

/* The first entry with that key in s (s may be NULL), or NULL. */
const IniEntry *ini_find_entry(const IniSection *s, const char *key);

/* "on line 4" or "in --set video.width=640", for "given twice" messages. */
void ini_describe_origin(const IniDoc *doc, IniOrigin o, char *buf, size_t size);

/* Fill err with GD_ERR_INPUT and "ORIGIN: message" (fmt, ap), and return
 * GD_ERR_INPUT: at an origin; about a whole section, at its header
 * ("ORIGIN: [run good]: message"); about one key, at its line
 * ("ORIGIN: [run good] lr: message"). */
int ini_vfail_at(const IniDoc *doc, GdError *err, IniOrigin o, const char *fmt, va_list ap);
int ini_vfail_section(const IniDoc *doc, GdError *err, const IniSection *s, const char *fmt,
                      va_list ap);
int ini_vfail_key(const IniDoc *doc, GdError *err, const IniSection *s, const IniEntry *e,
                  const char *fmt, va_list ap);

#endif
