/*
 * resources.c — finding the shipped files from the binary's location (see
 * resources.h).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "base/resources.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tunables.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static int is_file(const char *path) {
    return access(path, R_OK) == 0;
}

/* path made canonical as far as it exists: the longest existing leading
 * part resolved (no "..", no links), the rest appended as written. */
static void canonical(const char *path, char *buf, size_t size) {
    char head[PATH_MAX * 2], real[PATH_MAX];
    snprintf(head, sizeof head, "%s", path);
    size_t n = strlen(head);
    while (n > 1) {
        char keep = head[n];
        head[n] = '\0';
        if (realpath(head, real)) {
            snprintf(buf, size, "%s%s", real, path + n);
            return;
        }
        head[n] = keep;
        while (n > 1 && head[n - 1] != '/')
            n--;
        if (n > 1)
            n--; /* drop the slash too */
    }
    snprintf(buf, size, "%s", path);
}

/* dir + "/" + rel + "/" + RESOURCE_FONT_FILE into buf, canonical as far
 * as it exists. Returns 1 when the font is there. */
static int try_font(const char *dir, const char *rel, char *buf, size_t size) {
    char joined[PATH_MAX * 2];
    snprintf(joined, sizeof joined, "%s%s%s/%s", dir, rel[0] ? "/" : "", rel, RESOURCE_FONT_FILE);
    canonical(joined, buf, size);
    return is_file(buf);
}

char *resources_font_for(const char *exe, char *buf, unsigned long size) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", exe);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    /* 1. installed: <prefix>/bin/../share/gdrender/fonts */
    char installed[PATH_MAX * 2];
    if (try_font(dir, RESOURCE_SHARE_DIR "/fonts", installed, sizeof installed)) {
        snprintf(buf, size, "%s", installed);
        return buf;
    }
    /* 2. the build tree: a marker file beside the binary names the fonts
     * folder (one line). */
    char marker[PATH_MAX * 2];
    snprintf(marker, sizeof marker, "%s/%s", dir, RESOURCE_BUILD_MARKER);
    FILE *f = fopen(marker, "r");
    if (f) {
        char line[PATH_MAX];
        int ok = fgets(line, sizeof line, f) != NULL;
        fclose(f);
        if (ok) {
            line[strcspn(line, "\r\n")] = '\0';
            char found[PATH_MAX * 2];
            if (line[0] == '/' && try_font(line, "", found, sizeof found)) {
                snprintf(buf, size, "%s", found);
                return buf;
            }
        }
    }
    snprintf(buf, size, "%s", installed);
    return buf;
}

static char default_font[PATH_MAX * 2];
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void find_default_font(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        /* No /proc: fonts/ under the current directory, as before. */
        snprintf(default_font, sizeof default_font, "fonts/%s", RESOURCE_FONT_FILE);
        return;
    }
    exe[n] = '\0';
    resources_font_for(exe, default_font, sizeof default_font);
}

const char *resources_default_font(void) {
    pthread_once(&default_once, find_default_font);
    return default_font;
}
