/*
 * fuzz_csv.c — libFuzzer harness (c): the CSV reader of [data] file. The
 * input is the file. It reads as at least one row of finite x,y numbers,
 * or gets one error line that starts with the file's path. What was read,
 * written back with 17 digits, reads again to the same numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "model/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_write("d.csv", data, size);
    double *x = NULL, *y = NULL;
    int n = -1;
    GdError err;
    int rc = data_read_csv(path, &x, &y, &n, &err);
    if (rc == GD_OK) {
        if (n < 1 || !x || !y)
            fuzz_fail("%d rows read", n);
        for (int i = 0; i < n; i++)
            if (!isfinite(x[i]) || !isfinite(y[i]))
                fuzz_fail("row %d is not finite: %g, %g", i, x[i], y[i]);
        size_t cap = 64 * (size_t)n + 16, len = 0;
        char *text = malloc(cap);
        if (!text)
            fuzz_fail("out of memory");
        len += (size_t)snprintf(text, cap, "x,y\n");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(text + len, cap - len, "%.17g,%.17g\n", x[i], y[i]);
        double *x2 = NULL, *y2 = NULL;
        int n2 = 0;
        if (data_read_csv(fuzz_write("d2.csv", text, len), &x2, &y2, &n2, &err) != GD_OK)
            fuzz_fail("rows written back do not read again: %s", err.msg);
        if (n2 != n || memcmp(x, x2, sizeof *x * (size_t)n) || memcmp(y, y2, sizeof *y * (size_t)n))
            fuzz_fail("rows written back read as other numbers");
        free(x2);
        free(y2);
        free(text);
    } else {
        fuzz_check_error(&err, 0, NULL);
        if (err.code == GD_ERR_INPUT)
            fuzz_check_error(&err, GD_ERR_INPUT, path);
    }
    free(x);
    free(y);
    return 0;
}
