/*
 * fuzz_util.h — what the libFuzzer harnesses of tests/fuzz share: a
 * scratch folder for the files they hand to the path-based loaders, the
 * split of one input into a config and its --set overrides, and the checks
 * every error must pass (SPEC section 6: one line, says where and what).
 *
 * Each harness defines LLVMFuzzerTestOneInput. Built with -DGD_FUZZ=ON
 * (clang only) it links libFuzzer; in every other build it links
 * replay.c's main instead, which runs it over the corpus as a test.
 */
#ifndef GD_FUZZ_UTIL_H
#define GD_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "config/config.h"

#define FUZZ_MAX_OVERRIDES 16

/* The harness's scratch folder, made on first use and removed at exit.
 * It holds points.csv (x,y rows), so a config may say file = points.csv. */
const char *fuzz_dir(void);

/* Writes data to fuzz_dir()/name and returns the path (static storage,
 * valid until the next call). Aborts when the file cannot be written. */
const char *fuzz_write(const char *name, const void *data, size_t size);

/* One input as a config and its overrides: the bytes up to the first NUL
 * are the file (a config cannot hold a NUL, so nothing is lost), and each
 * NUL-separated part after it is one --set text, at most
 * FUZZ_MAX_OVERRIDES of them. */
typedef struct FuzzConfig {
    char *buf; /* owned: the input with a NUL after every part */
    const char *text;
    size_t text_len;
    ConfigOverride ovr[FUZZ_MAX_OVERRIDES];
    int novr;
} FuzzConfig;

void fuzz_config_split(FuzzConfig *fc, const uint8_t *data, size_t size);
void fuzz_config_free(FuzzConfig *fc);

/* 0 when the input names a file outside the scratch folder ([data] file,
 * [video] font or output with a '/' in its value): the harnesses stay in
 * their folder, away from devices and pipes. */
int fuzz_config_local(const FuzzConfig *fc);

/* Aborts unless err is a proper error of code `code` (or either input or
 * runtime code when code is 0): a message that is not empty, one line,
 * and starts with prefix when prefix is not NULL. */
void fuzz_check_error(const GdError *err, int code, const char *prefix);

/* Aborts with what went wrong (a finding: the fuzzer keeps the input). */
__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt, ...);

#endif
