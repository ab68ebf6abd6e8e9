/*
 * watch.h — waiting for files to change, for --watch (Linux inotify).
 *
 * Pipeline place: base, below every stage; used by main.c only. Knows
 * nothing of gdrender: it watches the folders of a set of files and wakes
 * when one of those files is written and closed (IN_CLOSE_WRITE) or
 * renamed into place (IN_MOVED_TO), which is how editors that save
 * through a temporary file and rename(2) replace it. Other files in those
 * folders (the render's own outputs, editors' swap files) are ignored.
 * Watching folders, not files, keeps working across such renames and
 * when a file is deleted and created again. Depends on libc and Linux.
 */
#ifndef GD_WATCH_H
#define GD_WATCH_H

#include "base/error.h"

typedef struct Watcher Watcher;

/* An inotify instance; NULL with err (GD_ERR_RUNTIME) when the system
 * refuses one. */
Watcher *watch_create(GdError *err);
void watch_destroy(Watcher *w); /* NULL-safe */

/* Watches exactly these files from now on (paths as given, relative to
 * the current directory; up to 16; the same folder may hold several). A
 * folder that cannot be watched (missing, no permission) is skipped.
 * Returns GD_OK, or GD_ERR_RUNTIME when out of memory. */
int watch_set_files(Watcher *w, const char *const *paths, int n, GdError *err);

/* Blocks until one of the files changes, then until no further change
 * has come for debounce_ms (an editor's save is several events; a burst
 * of saves is one render). Returns 1 on a change, -1 with err on an
 * inotify failure (a signal does not end the wait). */
int watch_wait(Watcher *w, int debounce_ms, GdError *err);

#endif
