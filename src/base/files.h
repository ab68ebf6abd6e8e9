/*
 * files.h — the file-system rules for what gdrender reads and writes.
 *
 * Inputs (the config, a data file, a font) are opened without ever
 * blocking and only when they are regular files: a named pipe with no
 * writer, a terminal, /dev/zero or a socket would hang the program or feed
 * it without end. Outputs (the video or still, --trajectory, --timeline) are
 * checked before any work: none may be an input of the run or another
 * output, and each must be a file that an atomic rename may replace.
 *
 * Pipeline place: base, below every stage. Used by config/ini.c (the
 * config), config/values.c (the paths a config names), model/data.c (the
 * data file), draw/text.c (the font) and main.c (the outputs). The size
 * caps belong to the readers. Depends on libc and POSIX only.
 */
#ifndef GD_FILES_H
#define GD_FILES_H

#include <sys/stat.h>

#include "base/error.h"

/* Opens path read-only. A path that is not a regular file is refused
 * before it is opened (stat), and again on the descriptor (fstat; the open
 * uses O_NONBLOCK, cleared afterwards), so a file swapped in between is
 * caught too and a named pipe never blocks. Returns the descriptor
 * (close-on-exec) with *st filled, or -1 with *why set to a static reason:
 * strerror(errno) ("No such file or directory", "Is a directory",
 * "Permission denied", ...) or "not a regular file (a named pipe)", "... (a
 * character device)", "... (a block device)", "... (a socket)". */
int files_open_input(const char *path, struct stat *st, const char **why);

/* "a named pipe", "a character device", ... for a stat mode that is not a
 * regular file or a folder; "a special file" for anything else. */
const char *files_kind_name(mode_t mode);

/* One file of the run as the outputs check sees it. */
typedef struct FileRole {
    const char *what; /* how messages name it: "--trajectory", "the config file" */
    const char *path; /* as the user gave it (or as resolved from the config) */
} FileRole;

/* Checks the outputs of a run before anything is written, in order, and
 * puts in targets[i] (malloc'd, the caller frees each, also on failure;
 * NULL where not reached) the file each one writes: its path, or, when the
 * path is a symbolic link, the file the link points to (cp's rule: an
 * output is written through a link, and the link stays). Files are the
 * same when they have the same device and inode (so "./x.ini", a hard link
 * and a symbolic link all count), or, for files that do not exist yet, the
 * same folder (device and inode) and name. The first problem found:
 *   "PATH: cannot write: STRERROR"  (GD_ERR_RUNTIME) its folder is missing
 *        or not a folder, or the path names a folder ("Is a directory");
 *   "PATH: cannot write: not a regular file (a character device)" (and the
 *        other kinds; GD_ERR_INPUT): a rename would replace a device, a
 *        pipe or a socket;
 *   "PATH: cannot write: a symbolic link to a missing file" (GD_ERR_INPUT),
 *        as cp refuses to write through a dangling link;
 *   "PATH: WHAT would overwrite INPUT-WHAT INPUT-PATH" (GD_ERR_INPUT), e.g.
 *        "x.ini: --trajectory would overwrite the config file x.ini";
 *   "PATH: WHAT and OTHER-WHAT name the same file" (GD_ERR_INPUT), OTHER an
 *        earlier output, e.g. "t.mp4: --trajectory and --output name the
 *        same file";
 *   "out of memory" (GD_ERR_RUNTIME).
 * Inputs that cannot be found (stat fails) are skipped: they were read
 * already, and whatever replaced them is not the user's input any more. */
int files_check_outputs(const FileRole *inputs, int ninputs, const FileRole *outputs, int noutputs,
                        char **targets, GdError *err);

#endif
