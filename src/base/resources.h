/*
 * resources.h — where the files gdrender ships beside its binary are: the
 * default font (fonts/). Nothing is compiled in as an absolute path; the
 * folder is found from the running binary's own location
 * (/proc/self/exe), so an installed tree can be moved as a whole.
 *
 * Candidates, in order (the names are in base/tunables.h):
 *   1. <exe dir>/RESOURCE_SHARE_DIR/fonts: an installed binary
 *      (<prefix>/bin/gdrender finds <prefix>/share/gdrender/fonts);
 *   2. the folder named by the file RESOURCE_BUILD_MARKER beside the
 *      binary: CMake writes it into the build folder (never installed),
 *      naming the source tree's fonts/, so build/gdrender and the test
 *      programs find the fonts without the binary knowing the source path.
 * When neither has the font, the first candidate is returned, so the
 * error that opening it gives names where an installed font belongs.
 *
 * Pipeline place: base; used by draw/text.c (text_default_font). Depends on
 * libc, POSIX and Linux's /proc only.
 */
#ifndef GD_RESOURCES_H
#define GD_RESOURCES_H

/* Absolute path of the default font (static storage, computed once,
 * thread-safe). */
const char *resources_default_font(void);

/* The candidate font path for a binary at exe (an absolute path) into buf:
 * the lookup above without /proc, for tests. Returns buf. */
char *resources_font_for(const char *exe, char *buf, unsigned long size);

#endif
