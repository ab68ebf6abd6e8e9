/*
 * testutil.h — helpers shared by the cmocka test programs: running the
 * gdrender binary and capturing what it prints, temporary files.
 * Tests run with the repository root as working directory.
 */
#ifndef GD_TESTUTIL_H
#define GD_TESTUTIL_H

#include <stddef.h>

typedef struct RunResult {
    int status;      /* exit status, or 128+signal when killed */
    char *out;       /* everything written to stdout (malloc'd, NUL-terminated) */
    char *err;       /* everything written to stderr */
    double seconds;  /* wall time from spawn to exit */
    long max_rss_kb; /* the process's peak resident memory */
    int timed_out;   /* killed by tu_run_limited's timeout */
} RunResult;

/* Runs GD_BINARY with argv (NULL-terminated, without argv[0]), stdin from
 * /dev/null, and captures its output. Aborts the test on a spawn failure. */
RunResult tu_run(const char *const *argv);
void tu_run_free(RunResult *r);

/* What tu_run_limited imposes on the process (0: nothing). */
typedef struct TuLimits {
    double timeout;        /* seconds; then SIGKILL (status 128+9, timed_out 1) */
    long long as_bytes;    /* RLIMIT_AS: address space */
    long long fsize_bytes; /* RLIMIT_FSIZE, with SIGXFSZ ignored: writes past it fail */
} TuLimits;

/* tu_run under limits, so a test of "never hangs" or "never takes
 * gigabytes" cannot hang or take them itself. */
RunResult tu_run_limited(const char *const *argv, const TuLimits *lim);

/* Starts GD_BINARY with argv, stdin, stdout and stderr on /dev/null, and
 * returns at once with its pid (the caller waits for it). */
int tu_spawn(const char *const *argv);

/* 1 when this program was built with AddressSanitizer (then gdrender was
 * too, and an address-space limit would break it). */
int tu_sanitized(void);

/* Creates a fresh temporary directory (under /tmp) and returns its path
 * (static storage per call slot, valid until the next 8 calls). */
const char *tu_tmpdir(void);

/* Removes every file in dir, then dir itself (test clean-up; nothing is
 * checked). */
void tu_remove_dir(const char *dir);

/* Writes text to dir/name and returns the full path (malloc'd). */
char *tu_write_file(const char *dir, const char *name, const char *text);

/* Reads a whole file (malloc'd, NUL-terminated), or NULL if it can't.
 * *len gets the length when len is not NULL. */
char *tu_read_file(const char *path, size_t *len);

/* 1 if path exists. */
int tu_exists(const char *path);

/* Number of entries in dir (excluding . and ..). */
int tu_count_entries(const char *dir);

/* dir + "/" + name (malloc'd). */
char *tu_join(const char *dir, const char *name);

/* What a shell command (printf-style) prints on stdout: malloc'd, trailing
 * newlines cut; up to 64 KiB. Fails the test if it cannot run. */
char *tu_shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The shipped configs, configs/ *.ini in name order, as "configs/NAME.ini"
 * (static storage, NULL-terminated); *n gets their count. A config added
 * to configs/ joins every test that runs them all. */
const char *const *tu_shipped_configs(int *n);

/* The NAME of a "configs/NAME.ini" path (static storage per call slot,
 * valid until the next 8 calls). */
const char *tu_config_name(const char *path);

/* Fails the test (with both values printed) unless |actual - expected| <=
 * tol. cmocka 1.1.5, Debian 12's, has no assert_double_equal. */
#define assert_near(actual, expected, tol)                                                         \
    tu_assert_near((actual), (expected), (tol), #actual, __FILE__, __LINE__)
void tu_assert_near(double actual, double expected, double tol, const char *what, const char *file,
                    int line);

#endif
