/*
 * files.c — opening inputs without blocking (see files.h).
 *
 * Pipeline place: base, below every stage. Depends on libc and POSIX only.
 */
#include "base/files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
