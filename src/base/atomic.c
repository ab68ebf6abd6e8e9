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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- defines and types -------------------------------------------------- */

#define PENDING_SLOTS 16   /* temporary files that may exist at once */
#define TEMP_PATH_MAX 4096 /* longest temporary path we register */

/* The temporary name ".STEM.tmp-PID-XXXXXX" costs this much besides STEM
 * and PID; STEM is the target's name, or when that would pass NAME_MAX a
 * prefix of it and "~" and 8 hex digits of a hash of the whole name. */
#define TEMP_NAME_EXTRA (1 + 5 + 1 + 6)
#define TEMP_HASH_LEN   9 /* "~" and 8 hex digits */
#define TEMP_RANDOM_LEN 6

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
static size_t temp_stem(const char *name, int pid_digits, char *out);
static int open_unique(char *p, int n, int *fd_out);
static long long temp_pid(const char *entry, const char *name);
static void remove_if_stale(const char *target, size_t dir_len, const char *entry, long long pid);
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
    char pid[24], stem[NAME_MAX + 1];
    int pid_digits = snprintf(pid, sizeof pid, "%ld", (long)getpid());
    temp_stem(target + dir_len, pid_digits, stem);
    int n = snprintf(p, TEMP_PATH_MAX, "%.*s.%s.tmp-%s-", (int)dir_len, target, stem, pid);
    int fd = -1;
    int e = open_unique(p, n, &fd);
    if (e != 0) {
        atomic_store(&pending[slot].state, SLOT_FREE);
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", target, strerror(e));
    }
    /* Armed as soon as the file exists, so an interrupt from here on
     * removes it. */
    atomic_store_explicit(&pending[slot].state, SLOT_ARMED, memory_order_release);
    /* Held locked while it exists: a later render that finds it (after a
     * SIGKILL here) removes it only when nobody holds it. */
    flock(fd, LOCK_EX | LOCK_NB);
    char *tmp_copy = strdup(p), *path_copy = strdup(target);
    if (tmp_copy == NULL || path_copy == NULL) {
        atomic_store(&pending[slot].state, SLOT_CLAIMED);
        unlink(p);
        close(fd);
        atomic_store(&pending[slot].state, SLOT_FREE);
        free(tmp_copy);
        free(path_copy);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    }
    f->path = path_copy;
    f->tmp_path = tmp_copy;
    f->slot = slot;
    f->fd = fd;
    return GD_OK;
}

int atomic_file_prepare(const char *target, GdError *err) {
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    const char *name = target + dir_len;
    char dir[TEMP_PATH_MAX];
    if (dir_len + 2 > sizeof dir)
        return gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", target,
                        strerror(ENAMETOOLONG));
    snprintf(dir, sizeof dir, "%.*s", dir_len ? (int)dir_len : 1, dir_len ? target : ".");
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *ent;
        while ((ent = readdir(d)) != NULL) {
            long long pid = temp_pid(ent->d_name, name);
            if (pid > 0)
                remove_if_stale(target, dir_len, ent->d_name, pid);
        }
        closedir(d);
    }
    /* The render's own temporary file, made and removed: the truest test
     * that it can be made later (the folder exists and takes a new file of
     * that name, whatever the permissions, ACLs or a read-only mount say). */
    AtomicFile probe = {0};
    int rc = atomic_file_create(&probe, target, err);
    atomic_file_abort(&probe);
    return rc;
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

/* The STEM of a temporary name for the target file name when the process
 * id has pid_digits digits, into out (NAME_MAX + 1 bytes); returns its
 * length. The whole name ".STEM.tmp-PID-XXXXXX" stays within NAME_MAX, so
 * any target name the file system takes has a temporary name too; a stem
 * cut short (at a UTF-8 character boundary) ends in "~" and a hash of the
 * whole name, so two long names sharing a prefix still differ. */
static size_t temp_stem(const char *name, int pid_digits, char *out) {
    size_t len = strlen(name);
    size_t room = NAME_MAX - TEMP_NAME_EXTRA - (size_t)pid_digits;
    if (len <= room) {
        memcpy(out, name, len + 1);
        return len;
    }
    size_t keep = room - TEMP_HASH_LEN;
    while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
        keep--;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    memcpy(out, name, keep);
    snprintf(out + keep, TEMP_HASH_LEN + 1, "~%08x", (unsigned)h);
    return keep + TEMP_HASH_LEN;
}

/* The PID in entry when entry is exactly a temporary name that
 * atomic_file_create makes for the target file name: ".STEM.tmp-PID-XXXXXX"
 * with STEM as temp_stem makes it for PID's digit count, PID a decimal
 * without leading zeros and XXXXXX six letters or digits; else 0. */
static long long temp_pid(const char *entry, const char *name) {
    size_t len = strlen(entry);
    if (len < 1 + 5 + 1 + 1 + TEMP_RANDOM_LEN || entry[0] != '.')
        return 0;
    const char *rnd = entry + len - TEMP_RANDOM_LEN;
    for (int i = 0; i < TEMP_RANDOM_LEN; i++) {
        char c = rnd[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return 0;
    }
    if (rnd[-1] != '-')
        return 0;
    const char *digits = rnd - 1;
    while (digits > entry && digits[-1] >= '0' && digits[-1] <= '9')
        digits--;
    int ndigits = (int)(rnd - 1 - digits);
    if (ndigits < 1 || ndigits > 19 || digits[0] == '0')
        return 0;
    if (digits - entry < 1 + 5 || memcmp(digits - 5, ".tmp-", 5) != 0)
        return 0;
    char stem[NAME_MAX + 1];
    size_t stem_len = temp_stem(name, ndigits, stem);
    if ((size_t)(digits - 5 - (entry + 1)) != stem_len || memcmp(entry + 1, stem, stem_len) != 0)
        return 0;
    return strtoll(digits, NULL, 10);
}

/* Removes the target folder's entry (a name temp_pid accepted, with its
 * pid) when it is a regular
 * file of ours whose process is gone and that nobody holds locked; leaves
 * it, and everything else, alone. */
static void remove_if_stale(const char *target, size_t dir_len, const char *entry, long long pid) {
    char path[TEMP_PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%.*s%s", (int)dir_len, target, entry) >= sizeof path)
        return;
    if (pid > INT_MAX || pid == (long long)getpid())
        return;
    /* kill(pid, 0) fails with ESRCH only when no such process exists; a
     * live one (or one we may not signal: EPERM) keeps its file. */
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
        return;
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
        return;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat fst;
    /* The same file as the lstat, and nobody (another machine on a shared
     * folder, another PID namespace) holding its lock. */
    if (fstat(fd, &fst) == 0 && fst.st_dev == st.st_dev && fst.st_ino == st.st_ino &&
        flock(fd, LOCK_EX | LOCK_NB) == 0)
        unlink(path);
    close(fd);
}

/* Completes the template p (n characters so far, room for 6 more) with a
 * random suffix and creates that file exclusively, open in *fd_out;
 * retries on a clash. Returns 0, or the errno of the last attempt. */
static int open_unique(char *p, int n, int *fd_out) {
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
        fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        e = fd < 0 ? errno : 0;
    }
    if (fd < 0)
        return e;
    *fd_out = fd;
    return 0;
}

/* Frees f's slot and strings, unlinking the file first when remove_file
 * (after a rename the caller passes 0). The slot is disarmed only after the
 * file is gone, so a signal in between at worst unlinks a missing name. */
static void release(AtomicFile *f, int remove_file) {
    if (remove_file)
        unlink(f->tmp_path);
    close(f->fd); /* and with it the lock */
    f->fd = -1;
    atomic_store(&pending[f->slot].state, SLOT_FREE);
    free(f->tmp_path);
    free(f->path);
    f->tmp_path = NULL;
    f->path = NULL;
    f->slot = -1;
}
