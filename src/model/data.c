/*
 * data.c — synthetic data, number syntax and the CSV reader for [data] file
 * (see data.h).
 *
 * Pipeline place: model stage; called by config/ while it loads [data].
 * Depends on model/formula, base/rng, base/files (the data file is opened
 * without blocking) and base/error.
 */
#include "model/data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "base/rng.h"

/* ---- points ------------------------------------------------------------ */

void data_linspace(double lo, double hi, int n, double *out) {
    if (n == 1) {
        out[0] = lo;
        return;
    }
    for (int i = 0; i < n; i++)
        out[i] = lo + (hi - lo) * (double)i / (double)(n - 1);
}

int data_generate(const DataSpec *spec, double **x, double **y, GdError *err) {
    *x = *y = NULL;
    const int n = spec->n;
    double *xs = malloc(sizeof(double) * (size_t)n);
    double *ys = malloc(sizeof(double) * (size_t)n);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    }
    data_linspace(spec->lo, spec->hi, n, xs);
    GdRng rng;
    rng_seed(&rng, spec->seed);
    for (int i = 0; i < n; i++) {
        double v = formula_eval(spec->formula, xs[i], spec->params);
        ys[i] = v + spec->noise * rng_normal(&rng);
        if (!isfinite(ys[i])) {
            int rc = gd_error(err, GD_ERR_INPUT, "the formula is not finite at x = %.17g", xs[i]);
            free(xs);
            free(ys);
            return rc;
        }
    }
    *x = xs;
    *y = ys;
    return GD_OK;
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

DataNumber data_parse_number(const char *s, double *out) {
    /* Check the syntax first: strtod alone would accept hex, inf, nan and
     * leading spaces. */
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    int digits = 0;
    while (is_digit(*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (is_digit(*p)) {
            p++;
            digits++;
        }
    }
    if (digits == 0)
        return DATA_NUMBER_SYNTAX;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return DATA_NUMBER_SYNTAX;
        while (is_digit(*p))
            p++;
    }
    if (*p != '\0')
        return DATA_NUMBER_SYNTAX;
    char *end;
    double v = strtod(s, &end);
    if (end != p)
        return DATA_NUMBER_SYNTAX;
    if (v - v != 0.0) /* inf (nan cannot get through the syntax check) */
        return DATA_NUMBER_NOT_FINITE;
    *out = v;
    return DATA_NUMBER_OK;
}

/* ---- CSV --------------------------------------------------------------- */

const char *data_echo(const char *text, size_t len, char *buf, size_t size) {
    size_t max = 60, o = 0;
    for (size_t i = 0; i < len && o + 4 < size; i++) {
        if (i == max) {
            /* don't cut a UTF-8 sequence in half */
            while (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
                o--;
            if (o > 0 && (unsigned char)buf[o - 1] >= 0xc0)
                o--;
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)text[i];
        buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    buf[o] = '\0';
    return buf;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

typedef struct Row {
    int nfields;
    char *field[2];
} Row;

/* Splits line (modified in place) at commas into at most 2 trimmed fields;
 * nfields counts all of them. */
static void split_row(char *line, Row *row) {
    row->nfields = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (row->nfields < 2)
            row->field[row->nfields] = trim(p);
        row->nfields++;
        if (!comma)
            break;
        p = comma + 1;
    }
}

/* The points read so far. */
typedef struct Points {
    double *x, *y;
    int n, cap;
} Points;

static int append_point(Points *pts, double x, double y, GdError *err) {
    if (pts->n == pts->cap) {
        int na = pts->cap ? pts->cap * 2 : 256;
        double *nx = realloc(pts->x, sizeof *nx * (size_t)na);
        if (nx)
            pts->x = nx;
        double *ny = nx ? realloc(pts->y, sizeof *ny * (size_t)na) : NULL;
        if (ny)
            pts->y = ny;
        if (!nx || !ny)
            return gd_error(err, GD_ERR_RUNTIME, "out of memory");
        pts->cap = na;
    }
    pts->x[pts->n] = x;
    pts->y[pts->n] = y;
    pts->n++;
    return GD_OK;
}

/* One content line (text[0..len), terminator and BOM removed, not blank or
 * a comment): a header if it is the first and no field looks like a number
 * (*seen_content tells), else a row of two numbers appended to pts. */
static int read_row(const char *path, int lineno, const char *text, size_t len, int *seen_content,
                    Points *pts, GdError *err) {
    char ebuf[128];
    char *copy = strdup(text);
    if (!copy)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    Row row;
    split_row(copy, &row);
    double vx = 0.0, vy = 0.0;
    DataNumber px = row.nfields >= 1 ? data_parse_number(row.field[0], &vx) : DATA_NUMBER_SYNTAX;
    DataNumber py = row.nfields >= 2 ? data_parse_number(row.field[1], &vy) : DATA_NUMBER_SYNTAX;
    int rc = GD_OK;
    if (!*seen_content) {
        *seen_content = 1;
        /* A header: no field looks like a number. */
        int numeric = 0;
        for (int i = 0; i < row.nfields && i < 2; i++)
            numeric |= (i == 0 ? px : py) != DATA_NUMBER_SYNTAX;
        if (!numeric && row.nfields <= 2)
            goto done;
    }
    if (row.nfields != 2 || row.field[0][0] == '\0' || row.field[1][0] == '\0') {
        rc = gd_error(err, GD_ERR_INPUT, "%s:%d: expected two numbers x,y, got \"%s\"", path,
                      lineno, data_echo(text, len, ebuf, sizeof ebuf));
        goto done;
    }
    for (int i = 0; i < 2; i++) {
        DataNumber p = i == 0 ? px : py;
        if (p != DATA_NUMBER_OK) {
            const char *fld = row.field[i];
            rc = gd_error(err, GD_ERR_INPUT, "%s:%d: \"%s\" is not a %snumber", path, lineno,
                          data_echo(fld, strlen(fld), ebuf, sizeof ebuf),
                          p == DATA_NUMBER_NOT_FINITE ? "finite " : "");
            goto done;
        }
    }
    if (pts->n == DATA_MAX_ROWS) {
        rc = gd_error(err, GD_ERR_INPUT, "%s:%d: too many rows (more than %d)", path, lineno,
                      DATA_MAX_ROWS);
        goto done;
    }
    rc = append_point(pts, vx, vy, err);
done:
    free(copy);
    return rc;
}

/* A file read line by line through one buffer of DATA_MAX_LINE + 3 bytes
 * (a longest line, its "\r\n" and a NUL), so no line, however long, and no
 * file, however large, costs more memory than that. */
typedef struct LineReader {
    int fd;
    char *buf;
    size_t start, end; /* the unread bytes are buf[start..end) */
    int eof;
    size_t total; /* bytes read so far */
    int error;    /* errno of a failed read */
} LineReader;

#define LINE_BUF_BYTES (DATA_MAX_LINE + 3)

typedef enum { LINE_OK, LINE_END, LINE_TOO_LONG, LINE_FILE_TOO_LARGE, LINE_READ_ERROR } LineStatus;

/* The next line, NUL-terminated in place without its '\n' (*len bytes, NULs
 * inside and a final '\r' included); the last line may lack its '\n'. A
 * line longer than DATA_MAX_LINE (not counting a "\r\n" or "\n") is
 * LINE_TOO_LONG, found once DATA_MAX_LINE + 2 bytes hold no '\n'. */
static LineStatus next_line(LineReader *r, char **line, size_t *len) {
    for (;;) {
        char *at = r->buf + r->start;
        char *nl = memchr(at, '\n', r->end - r->start);
        if (nl || (r->eof && r->start < r->end)) {
            char *stop = nl ? nl : r->buf + r->end;
            *stop = '\0';
            *line = at;
            *len = (size_t)(stop - at);
            r->start = nl ? (size_t)(nl + 1 - r->buf) : r->end;
            size_t content = *len - (*len > 0 && at[*len - 1] == '\r');
            return content > DATA_MAX_LINE ? LINE_TOO_LONG : LINE_OK;
        }
        if (r->eof)
            return LINE_END;
        if (r->start > 0) {
            memmove(r->buf, at, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->end >= LINE_BUF_BYTES - 1)
            return LINE_TOO_LONG;
        ssize_t k = read(r->fd, r->buf + r->end, LINE_BUF_BYTES - 1 - r->end);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r->error = errno;
            return LINE_READ_ERROR;
        }
        if (k == 0)
            r->eof = 1;
        r->end += (size_t)k;
        r->total += (size_t)k;
        if (r->total > DATA_MAX_BYTES)
            return LINE_FILE_TOO_LARGE;
    }
}

int data_read_csv(const char *path, double **x, double **y, int *n, GdError *err) {
    *x = *y = NULL;
    *n = 0;
    struct stat st;
    const char *why;
    LineReader r = {.fd = files_open_input(path, &st, &why)};
    if (r.fd < 0)
        return gd_error(err, GD_ERR_INPUT, "%s: cannot open: %s", path, why);
    if (st.st_size > DATA_MAX_BYTES) {
        close(r.fd);
        return gd_error(err, GD_ERR_INPUT, "%s: data file too large (more than %d MiB)", path,
                        DATA_MAX_BYTES >> 20);
    }
    r.buf = malloc(LINE_BUF_BYTES);
    if (!r.buf) {
        close(r.fd);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    }
    Points pts = {NULL, NULL, 0, 0};
    int lineno = 0, seen_content = 0;
    int rc = GD_OK;
    char *line;
    size_t l;
    LineStatus ls = LINE_END;
    while (rc == GD_OK && (ls = next_line(&r, &line, &l)) == LINE_OK) {
        lineno++;
        if (memchr(line, '\0', l)) {
            rc =
                gd_error(err, GD_ERR_INPUT, "%s:%d: NUL byte (is this a text file?)", path, lineno);
            break;
        }
        while (l > 0 && line[l - 1] == '\r')
            line[--l] = '\0';
        char *text = line;
        if (lineno == 1 && l >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
            text += 3;
            l -= 3;
        }
        const char *t = text;
        while (*t == ' ' || *t == '\t')
            t++;
        if (*t == '\0' || *t == '#')
            continue;
        rc = read_row(path, lineno, text, l, &seen_content, &pts, err);
    }
    if (rc == GD_OK && ls == LINE_TOO_LONG)
        rc = gd_error(err, GD_ERR_INPUT, "%s:%d: line too long (more than %d bytes)", path,
                      lineno + 1, DATA_MAX_LINE);
    else if (rc == GD_OK && ls == LINE_FILE_TOO_LARGE)
        rc = gd_error(err, GD_ERR_INPUT, "%s: data file too large (more than %d MiB)", path,
                      DATA_MAX_BYTES >> 20);
    else if (rc == GD_OK && ls == LINE_READ_ERROR)
        rc = gd_error(err, GD_ERR_INPUT, "%s: cannot read: %s", path, strerror(r.error));
    else if (rc == GD_OK && pts.n == 0)
        rc = gd_error(err, GD_ERR_INPUT, "%s: no data rows", path);
    free(r.buf);
    close(r.fd);
    if (rc != GD_OK) {
        free(pts.x);
        free(pts.y);
        return rc;
    }
    *x = pts.x;
    *y = pts.y;
    *n = pts.n;
    return GD_OK;
}
