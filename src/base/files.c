/*
 * files.c — opening inputs without blocking, and the outputs check (see
 * files.h).
 *
 * Pipeline place: base, below every stage. Depends on libc and POSIX only.
 */
#include "base/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- defines and types -------------------------------------------------- */

#define MAX_LINK_HOPS 40 /* as the kernel's own limit on a path's links */

/* What an output is on disk: the file (when it exists) and its place. */
typedef struct Target {
    char *path; /* the file written: the path, or where its links lead (malloc'd) */
    int exists;
    dev_t dev; /* the file, when it exists */
    ino_t ino;
    dev_t dir_dev; /* its folder */
    ino_t dir_ino;
    const char *name; /* its name in the folder, inside path */
} Target;

/* ---- internal declarations --------------------------------------------- */

static int resolve_output(const char *path, Target *t, GdError *err);
static int follow_links(const char *path, char **out, struct stat *st, int *exists, GdError *err);
static char *link_target(const char *link, const char *path, GdError *err);
static int same_target(const Target *a, const Target *b);

/* ---- module functions --------------------------------------------------- */

const char *files_kind_name(mode_t mode) {
    if (S_ISFIFO(mode))
        return "a named pipe";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a special file";
}

/* The reason for a mode that is not a regular file; NULL for one. */
static const char *not_regular(mode_t mode) {
    static const char *const reasons[] = {
        "not a regular file (a named pipe)", "not a regular file (a character device)",
        "not a regular file (a block device)", "not a regular file (a socket)",
        "not a regular file (a special file)"};
    if (S_ISREG(mode))
        return NULL;
    if (S_ISDIR(mode))
        return strerror(EISDIR);
    return S_ISFIFO(mode)   ? reasons[0]
           : S_ISCHR(mode)  ? reasons[1]
           : S_ISBLK(mode)  ? reasons[2]
           : S_ISSOCK(mode) ? reasons[3]
                            : reasons[4];
}

int files_open_input(const char *path, struct stat *st, const char **why) {
    /* stat first: opening a device can have effects of its own (a tape
     * rewinds, a watchdog starts), so only a regular file is opened. */
    if (stat(path, st) != 0) {
        *why = strerror(errno);
        return -1;
    }
    if ((*why = not_regular(st->st_mode)) != NULL)
        return -1;
    int fd;
    do
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    /* The name may have been given to a pipe since the stat. */
    if (fstat(fd, st) != 0 || (*why = not_regular(st->st_mode)) != NULL) {
        if (*why == NULL)
            *why = strerror(errno);
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

int files_check_outputs(const FileRole *inputs, int ninputs, const FileRole *outputs, int noutputs,
                        char **targets, GdError *err) {
    Target *t = calloc((size_t)(noutputs > 0 ? noutputs : 1), sizeof *t);
    for (int i = 0; i < noutputs; i++)
        targets[i] = NULL;
    if (!t)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    int rc = GD_OK;
    for (int i = 0; i < noutputs && rc == GD_OK; i++) {
        const FileRole *out = &outputs[i];
        if ((rc = resolve_output(out->path, &t[i], err)) != GD_OK)
            break;
        targets[i] = t[i].path;
        for (int k = 0; k < ninputs && rc == GD_OK && t[i].exists; k++) {
            struct stat st;
            if (stat(inputs[k].path, &st) == 0 && st.st_dev == t[i].dev && st.st_ino == t[i].ino)
                rc = gd_error(err, GD_ERR_INPUT, "%s: %s would overwrite %s %s", out->path,
                              out->what, inputs[k].what, inputs[k].path);
        }
        for (int k = 0; k < i && rc == GD_OK; k++)
            if (same_target(&t[i], &t[k]))
                rc = gd_error(err, GD_ERR_INPUT, "%s: %s and %s name the same file", out->path,
                              out->what, outputs[k].what);
    }
    free(t);
    return rc;
}

/* ---- internal definitions ----------------------------------------------- */

/* Fills t for the output path: where its links lead, what is there, and
 * its folder. t->path is set (malloc'd) only on success. */
static int resolve_output(const char *path, Target *t, GdError *err) {
    memset(t, 0, sizeof *t);
    char *p = NULL;
    struct stat st;
    int exists = 0;
    int rc = follow_links(path, &p, &st, &exists, err);
    if (rc != GD_OK)
        return rc;
    size_t n = strlen(p);
    const char *slash = strrchr(p, '/');
    const char *name = slash ? slash + 1 : p;
    if (exists && S_ISDIR(st.st_mode)) {
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(EISDIR));
    } else if (exists && !S_ISREG(st.st_mode)) {
        rc = gd_error(err, GD_ERR_INPUT, "%s: cannot write: not a regular file (%s)", path,
                      files_kind_name(st.st_mode));
    } else if (n == 0) {
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(ENOENT));
    } else if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        /* "out/", "." and ".." name folders, whether or not they exist */
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(EISDIR));
    }
    if (rc != GD_OK) {
        free(p);
        return rc;
    }
    /* The folder: "." for a bare name, "/" for a file at the root. */
    char *dir = slash ? strndup(p, slash == p ? 1 : (size_t)(slash - p)) : strdup(".");
    if (!dir) {
        free(p);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    }
    struct stat ds;
    if (stat(dir, &ds) != 0)
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    else if (!S_ISDIR(ds.st_mode))
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(ENOTDIR));
    free(dir);
    if (rc != GD_OK) {
        free(p);
        return rc;
    }
    t->path = p;
    t->exists = exists;
    t->dev = exists ? st.st_dev : 0;
    t->ino = exists ? st.st_ino : 0;
    t->dir_dev = ds.st_dev;
    t->dir_ino = ds.st_ino;
    t->name = name;
    return GD_OK;
}

/* *out = path with its symbolic links followed to the file they lead to
 * (malloc'd), *st that file's lstat and *exists whether it exists. A link
 * to nothing is refused, as cp refuses to write through one. */
static int follow_links(const char *path, char **out, struct stat *st, int *exists, GdError *err) {
    char *p = strdup(path);
    if (!p)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    for (int hops = 0;; hops++) {
        if (lstat(p, st) != 0) {
            int e = errno;
            if (e == ENOENT && hops == 0) {
                *exists = 0;
                *out = p;
                return GD_OK;
            }
            free(p);
            if (e == ENOENT)
                return gd_error(err, GD_ERR_INPUT,
                                "%s: cannot write: a symbolic link to a missing file", path);
            return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(e));
        }
        if (!S_ISLNK(st->st_mode)) {
            *exists = 1;
            *out = p;
            return GD_OK;
        }
        if (hops == MAX_LINK_HOPS) {
            free(p);
            return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(ELOOP));
        }
        char *next = link_target(p, path, err);
        free(p);
        if (!next)
            return GD_ERR_RUNTIME;
        p = next;
    }
}

/* Where link points, as a path usable from here: relative targets are
 * relative to the link's folder. NULL with err filled on failure (about
 * path, the output as given). */
static char *link_target(const char *link, const char *path, GdError *err) {
    char buf[PATH_MAX];
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    if (n < 0 || (size_t)n >= sizeof buf - 1) {
        gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path,
                 strerror(n < 0 ? errno : ENAMETOOLONG));
        return NULL;
    }
    buf[n] = '\0';
    const char *slash = strrchr(link, '/');
    size_t dir_len = buf[0] == '/' || !slash ? 0 : (size_t)(slash - link) + 1;
    size_t len = dir_len + (size_t)n + 1;
    char *p = malloc(len);
    if (!p) {
        gd_error(err, GD_ERR_RUNTIME, "out of memory");
        return NULL;
    }
    snprintf(p, len, "%.*s%s", (int)dir_len, link, buf);
    return p;
}

static int same_target(const Target *a, const Target *b) {
    if (a->exists && b->exists)
        return a->dev == b->dev && a->ino == b->ino;
    return !a->exists && !b->exists && a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino &&
           strcmp(a->name, b->name) == 0;
}
