/*
 * files.h — the file-system rules for what gdrender reads and writes.
 *
 * Inputs (the config, a data file, a font) are opened without ever
 * blocking and only when they are regular files: a named pipe with no
 * writer, a terminal, /dev/zero or a socket would hang the program or feed
 * it without end.
 *
 * Pipeline place: base, below every stage. Used by config/ini.c (the
 * config), config/values.c (the paths a config names), model/data.c (the
 * data file) and draw/text.c (the font). The size caps belong to the
 * readers. Depends on libc and POSIX only.
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

#endif
