/*
 * atomic.c — temporary file beside the target, rename over it when
 * complete, unlink on failure or on a signal (see atomic.h).
 *
 * Pipeline place: base, below every stage; used by output/encode.c and the
 * trajectory writer in main.c. Depends on libc and POSIX only.
 *
 * The pending list is a fixed array of slots, each with an atomic state, so
 * that a signal handler can walk it without locks while threads create and
 * release files.
 */
#include "base/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- defines and types -------------------------------------------------- */

#define PENDING_SLOTS 16   /* temporary files that may exist at once */
#define TEMP_PATH_MAX 4096 /* longest temporary path we register */

/* A slot is FREE, CLAIMED (its path being written by the owner) or ARMED
 * (the signal handler may unlink it). The owner writes `path` only while
 * the slot is CLAIMED, and the release store that arms it publishes the
 * path to a handler that loads the state with acquire. */
enum { SLOT_FREE = 0, SLOT_CLAIMED = 1, SLOT_ARMED = 2 };

typedef struct PendingSlot {
    atomic_int state;
    char path[TEMP_PATH_MAX];
} PendingSlot;

/* Lock-free, or a signal handler could deadlock on the atomic's lock. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free");

static PendingSlot pending[PENDING_SLOTS];

/* ---- internal declarations --------------------------------------------- */

static int claim_slot(void);
static int open_unique(char *p, int n);
static void release(AtomicFile *f, int remove_file);

/* ---- module functions --------------------------------------------------- */

/* Like mkstemp (O_CREAT | O_EXCL, retried on a name clash), but with mode
 * 0666 so the umask decides the final file's permissions as it would for
 * any new file; mkstemp's 0600 would make every video private. */
int atomic_file_create(AtomicFile *f, const char *target, GdError *err) {
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    if (strlen(target) + 64 > TEMP_PATH_MAX)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", target,
                        strerror(ENAMETOOLONG));
    int slot = claim_slot();
    if (slot < 0)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: more than %d outputs open at once",
                        target, PENDING_SLOTS);
    char *p = pending[slot].path;
    int n = snprintf(p, TEMP_PATH_MAX, "%.*s.%s.tmp-%ld-", (int)dir_len, target, target + dir_len,
                     (long)getpid());
    int e = open_unique(p, n);
    if (e != 0) {
        atomic_store(&pending[slot].state, SLOT_FREE);
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", target, strerror(e));
    }
    /* Armed as soon as the file exists, so an interrupt from here on
     * removes it. */
    atomic_store_explicit(&pending[slot].state, SLOT_ARMED, memory_order_release);
    char *tmp_copy = strdup(p), *path_copy = strdup(target);
    if (tmp_copy == NULL || path_copy == NULL) {
        atomic_store(&pending[slot].state, SLOT_CLAIMED);
        unlink(p);
        atomic_store(&pending[slot].state, SLOT_FREE);
        free(tmp_copy);
        free(path_copy);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    }
    f->path = path_copy;
    f->tmp_path = tmp_copy;
    f->slot = slot;
    return GD_OK;
}

int atomic_file_commit(AtomicFile *f, GdError *err) {
    if (rename(f->tmp_path, f->path) != 0) {
        int e = errno;
        gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", f->path, strerror(e));
        release(f, 1);
        return GD_ERR_RUNTIME;
    }
    release(f, 0);
    return GD_OK;
}

void atomic_file_abort(AtomicFile *f) {
    if (f->tmp_path != NULL)
        release(f, 1);
}

void atomic_cleanup_on_signal(void) {
    for (int i = 0; i < PENDING_SLOTS; i++)
        if (atomic_load_explicit(&pending[i].state, memory_order_acquire) == SLOT_ARMED)
            unlink(pending[i].path);
}

/* ---- internal definitions ----------------------------------------------- */

/* Claims a free slot (FREE -> CLAIMED); returns its index, or -1 when all
 * are taken. */
static int claim_slot(void) {
    for (int i = 0; i < PENDING_SLOTS; i++) {
        int expected = SLOT_FREE;
        if (atomic_compare_exchange_strong(&pending[i].state, &expected, SLOT_CLAIMED))
            return i;
    }
    return -1;
}

/* Completes the template p (n characters so far, room for 6 more) with a
 * random suffix and creates that file exclusively; retries on a clash.
 * Returns 0, or the errno of the last attempt. */
static int open_unique(char *p, int n) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static atomic_uint counter;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t seed = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 30) ^ (uint64_t)(uintptr_t)p;
    int fd = -1, e = EEXIST;
    for (int attempt = 0; attempt < 100 && fd < 0 && e == EEXIST; attempt++) {
        /* splitmix64 step: any well-mixed sequence will do */
        seed += 0x9E3779B97F4A7C15u * (1u + atomic_fetch_add(&counter, 1u));
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        z ^= z >> 31;
        for (int k = 0; k < 6; k++, z /= 62)
            p[n + k] = alphabet[z % 62];
        p[n + 6] = '\0';
        fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0666);
        e = fd < 0 ? errno : 0;
    }
    if (fd < 0)
        return e;
    close(fd);
    return 0;
}

/* Frees f's slot and strings, unlinking the file first when remove_file
 * (after a rename the caller passes 0). The slot is disarmed only after the
 * file is gone, so a signal in between at worst unlinks a missing name. */
static void release(AtomicFile *f, int remove_file) {
    if (remove_file)
        unlink(f->tmp_path);
    atomic_store(&pending[f->slot].state, SLOT_FREE);
    free(f->tmp_path);
    free(f->path);
    f->tmp_path = NULL;
    f->path = NULL;
    f->slot = -1;
}
