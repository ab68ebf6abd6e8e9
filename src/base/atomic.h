/*
 * atomic.h — atomic file replacement: write to a temporary file beside the
 * target, then rename it over the target, so that a reader (and the user
 * after a crash, an error or Ctrl-C) sees either the old file or the whole
 * new one, never a part.
 *
 * Pipeline place: base, below every stage. Used by the encoder (videos and
 * PNG stills, output/encode.c) and by the trajectory CSV writer (main.c).
 * Depends on libc and POSIX only.
 *
 * Recipe:
 *   AtomicFile f = {0};
 *   if (atomic_file_create(&f, "renders/x.mp4", err) != 0) return err->code;
 *   ... write to f.tmp_path (open it by name) ...
 *   rc = atomic_file_commit(&f, err);   // or atomic_file_abort(&f)
 *
 * The temporary file is "DIR/.NAME.tmp-PID-XXXXXX" (DIR/ empty for a bare
 * name), mode 0666 minus the umask, as any new file. A NAME too long for
 * that to fit NAME_MAX (255 bytes) is cut at a character boundary and ends
 * in "~" and the 32-bit FNV-1a hash of the whole name in 8 hex digits, so
 * every legal target has a temporary name. The file is held open with an
 * exclusive flock(2) while it exists. While it exists it also sits in a
 * small process-wide pending list, the one piece of global mutable state
 * in gdrender, made of lock-free atomics so that threads and signal
 * handlers may use it at once; atomic_cleanup_on_signal unlinks every
 * pending file. A SIGKILL leaves it behind: the next atomic_file_prepare
 * of the same target removes it.
 *
 * At most 16 temporary files may exist at once.
 *
 * Errors (GD_ERR_RUNTIME, PATH is the target): "PATH: cannot write: <strerror>"
 * (missing or unwritable folder, name too long, a failed rename),
 * "PATH: cannot write: more than 16 outputs open at once", "out of memory".
 */
#ifndef GD_ATOMIC_H
#define GD_ATOMIC_H

#include "base/error.h"

/* One pending replacement. Caller-owned; `AtomicFile f = {0}` is a valid
 * empty value, and create/commit/abort leave it empty again when done. */
typedef struct AtomicFile {
    char *path;     /* the target (malloc'd copy), NULL when empty */
    char *tmp_path; /* the temporary file beside it (malloc'd), NULL when empty */
    int slot;       /* its place in the pending list; meaningful only with tmp_path */
    int fd;         /* the temporary file, open and flock'd while it exists; with tmp_path */
} AtomicFile;

/* Creates the empty temporary file for target and registers it as pending.
 * Creating it up front is also the check that the folder exists and is
 * writable. Returns GD_OK with f filled, or an error code with err filled
 * and f left empty. f must be empty on entry. */
int atomic_file_create(AtomicFile *f, const char *target, GdError *err);

/* Before a render: removes the stale temporary files of target, then makes
 * and removes one of its own, so that a missing or unwritable folder, or a
 * name the file system refuses, is found before any work is done (the
 * errors of atomic_file_create). A stale file is one whose name is exactly
 * a temporary name of this target (".NAME.tmp-PID-XXXXXX", NAME shortened
 * as above for that PID), that is a regular file owned by this user, whose
 * process is gone (kill(PID, 0) fails with ESRCH) and that nobody holds
 * locked (so a render on another machine or in another PID namespace
 * sharing the folder keeps its file). Nothing else is ever removed. */
int atomic_file_prepare(const char *target, GdError *err);

/* Renames the temporary file over the target (atomic on one file system),
 * then empties f. On failure the temporary file is removed, an older target
 * is left untouched, err gets "PATH: cannot write: <strerror>" and f is
 * emptied too. */
int atomic_file_commit(AtomicFile *f, GdError *err);

/* Removes the temporary file and empties f. Does nothing on an empty f, so
 * it is safe in a cleanup path after a commit. */
void atomic_file_abort(AtomicFile *f);

/* Unlinks every pending temporary file of the process. Async-signal-safe
 * (lock-free atomic loads and unlink(2) only): main's SIGINT/SIGTERM
 * handler calls it before _exit, so Ctrl-C leaves nothing partial. The
 * AtomicFile values stay as they are; aborting them afterwards is harmless. */
void atomic_cleanup_on_signal(void);

#endif
