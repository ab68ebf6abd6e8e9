/*
 * data.c — synthetic data, number syntax and the CSV reader for [data] file
 * (see data.h).
 *
 * Pipeline place: model stage; called by config/ while it loads [data].
 * Depends on model/formula, base/rng and base/error.
 */
#include "model/data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int data_read_csv(const char *path, double **x, double **y, int *n, GdError *err) {
    *x = *y = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return gd_error(err, GD_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    Points pts = {NULL, NULL, 0, 0};
    int lineno = 0, seen_content = 0;
    int rc = GD_OK;
    ssize_t len;
    errno = 0;
    while (rc == GD_OK && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t l = (size_t)len;
        if (memchr(line, '\0', l)) {
            rc =
                gd_error(err, GD_ERR_INPUT, "%s:%d: NUL byte (is this a text file?)", path, lineno);
            break;
        }
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
            line[--l] = '\0';
        char *text = line;
        if (lineno == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0) {
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
    if (rc == GD_OK && ferror(f))
        rc = gd_error(err, GD_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
    else if (rc == GD_OK && pts.n == 0)
        rc = gd_error(err, GD_ERR_INPUT, "%s: no data rows", path);
    free(line);
    fclose(f);
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
