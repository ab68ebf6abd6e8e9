/*
 * watch.c — waiting for files to change with inotify (see watch.h).
 *
 * Each watched file is (folder's watch descriptor, base name). Setting a
 * new list removes the watches of folders no longer needed and adds the
 * new ones; events are matched on (wd, name).
 */
#include "base/watch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define WATCH_MAX 16

typedef struct WatchedFile {
    int wd;
    char *dir;  /* the folder as given ("." for a bare name) */
    char *name; /* the base name */
} WatchedFile;

struct Watcher {
    int fd;
    WatchedFile files[WATCH_MAX];
    int n;
};

Watcher *watch_create(GdError *err) {
    Watcher *w = calloc(1, sizeof *w);
    if (!w) {
        gd_error(err, GD_ERR_RUNTIME, "out of memory");
        return NULL;
    }
    w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (w->fd < 0) {
        gd_error(err, GD_ERR_RUNTIME, "--watch: cannot watch files: %s", strerror(errno));
        free(w);
        return NULL;
    }
    return w;
}

static void clear_files(Watcher *w) {
    for (int i = 0; i < w->n; i++) {
        free(w->files[i].dir);
        free(w->files[i].name);
    }
    w->n = 0;
}

void watch_destroy(Watcher *w) {
    if (!w)
        return;
    clear_files(w);
    close(w->fd);
    free(w);
}

int watch_set_files(Watcher *w, const char *const *paths, int n, GdError *err) {
    /* The new watches are added before the old ones go, and only folders
     * no longer needed are removed: inotify gives a folder watched again
     * its old descriptor, so the events already queued for it (a save
     * while the last render ran, or right after it) still match. */
    WatchedFile old[WATCH_MAX];
    const int nold = w->n;
    memcpy(old, w->files, sizeof(WatchedFile) * (size_t)nold);
    w->n = 0;
    int rc = GD_OK;
    for (int i = 0; i < n && w->n < WATCH_MAX; i++) {
        const char *slash = strrchr(paths[i], '/');
        WatchedFile *f = &w->files[w->n];
        f->name = strdup(slash ? slash + 1 : paths[i]);
        if (slash == paths[i])
            f->dir = strdup("/");
        else if (slash)
            f->dir = strndup(paths[i], (size_t)(slash - paths[i]));
        else
            f->dir = strdup(".");
        if (!f->name || !f->dir) {
            free(f->name);
            free(f->dir);
            rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
            break;
        }
        f->wd = inotify_add_watch(w->fd, f->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR);
        w->n++;
    }
    for (int i = 0; i < nold; i++) {
        int keep = old[i].wd < 0;
        for (int j = 0; j < w->n; j++)
            keep |= w->files[j].wd == old[i].wd;
        for (int j = 0; j < i; j++)
            keep |= old[j].wd == old[i].wd; /* removed already */
        if (!keep)
            inotify_rm_watch(w->fd, old[i].wd);
        free(old[i].dir);
        free(old[i].name);
    }
    return rc;
}

/* Reads the events that are there; 1 when one names a watched file. */
static int read_events(Watcher *w, GdError *err) {
    _Alignas(struct inotify_event) char buf[8192];
    int hit = 0;
    for (;;) {
        ssize_t k = read(w->fd, buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == EAGAIN)
            return hit;
        if (k <= 0) {
            gd_error(err, GD_ERR_RUNTIME, "--watch: cannot read file events: %s",
                     k < 0 ? strerror(errno) : "end of file");
            return -1;
        }
        for (char *p = buf; p < buf + k;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            if (ev->len > 0)
                for (int i = 0; i < w->n; i++)
                    if (w->files[i].wd == ev->wd && strcmp(w->files[i].name, ev->name) == 0)
                        hit = 1;
            p += sizeof *ev + ev->len;
        }
    }
}

int watch_wait(Watcher *w, int debounce_ms, GdError *err) {
    int changed = 0;
    for (;;) {
        struct pollfd pfd = {w->fd, POLLIN, 0};
        int r = poll(&pfd, 1, changed ? debounce_ms : -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            gd_error(err, GD_ERR_RUNTIME, "--watch: cannot wait for file events: %s",
                     strerror(errno));
            return -1;
        }
        if (r == 0)
            return 1; /* changed, and quiet for debounce_ms */
        int hit = read_events(w, err);
        if (hit < 0)
            return -1;
        changed |= hit;
    }
}
