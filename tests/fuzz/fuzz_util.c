/*
 * fuzz_util.c — see fuzz_util.h.
 */
#include "fuzz_util.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static void remove_dir(void) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* A few points on a line, as tests/data/points.csv. */
static const char POINTS[] = "x,y\n-1,-1.9\n-0.5,-0.45\n0,0.98\n0.5,2.6\n1,4.1\n";

const char *fuzz_dir(void) {
    if (dir[0])
        return dir;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/gdfuzz-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir))
        fuzz_fail("cannot make a scratch folder %s", dir);
    atexit(remove_dir);
    fuzz_write("points.csv", POINTS, sizeof POINTS - 1);
    return dir;
}

const char *fuzz_write(const char *name, const void *data, size_t size) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fuzz_fail("cannot write %s", path);
    return path;
}

void fuzz_config_split(FuzzConfig *fc, const uint8_t *data, size_t size) {
    memset(fc, 0, sizeof *fc);
    fc->buf = malloc(size + 1);
    if (!fc->buf)
        fuzz_fail("out of memory");
    memcpy(fc->buf, data, size);
    fc->buf[size] = '\0';
    fc->text = fc->buf;
    fc->text_len = strlen(fc->buf);
    size_t at = fc->text_len + 1;
    while (at <= size && fc->novr < FUZZ_MAX_OVERRIDES) {
        fc->ovr[fc->novr++].text = fc->buf + at;
        at += strlen(fc->buf + at) + 1;
    }
}

void fuzz_config_free(FuzzConfig *fc) {
    free(fc->buf);
    memset(fc, 0, sizeof *fc);
}

/* Whether the line [p, end) mentions a path key and then a '/'. */
static int names_outside(const char *p, const char *end) {
    static const char *const keys[] = {"file", "font", "output"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t n = strlen(keys[k]);
        for (const char *q = p; q + n <= end; q++)
            if (memcmp(q, keys[k], n) == 0 && memchr(q + n, '/', (size_t)(end - q - n)))
                return 1;
    }
    return 0;
}

int fuzz_config_local(const FuzzConfig *fc) {
    const char *p = fc->text, *end = fc->text + fc->text_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        if (names_outside(p, line_end))
            return 0;
        p = line_end + 1;
    }
    for (int i = 0; i < fc->novr; i++)
        if (names_outside(fc->ovr[i].text, fc->ovr[i].text + strlen(fc->ovr[i].text)))
            return 0;
    return 1;
}

void fuzz_check_error(const GdError *err, int code, const char *prefix) {
    if (code ? err->code != code : err->code != GD_ERR_INPUT && err->code != GD_ERR_RUNTIME)
        fuzz_fail("error code %d (expected %d): %s", err->code, code, err->msg);
    if (err->msg[0] == '\0')
        fuzz_fail("an error without a message");
    if (strchr(err->msg, '\n') || strchr(err->msg, '\r'))
        fuzz_fail("a message of more than one line: %s", err->msg);
    if (prefix && strncmp(err->msg, prefix, strlen(prefix)) != 0)
        fuzz_fail("a message that does not start with \"%s\": %s", prefix, err->msg);
}

void fuzz_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
