/*
 * test_timeline_csv.c — --timeline rows against --trajectory rows: one row
 * per frame and run, time = frame / fps, and every ball at an iterate (the
 * trajectory's numbers exactly) or on the straight step between two
 * consecutive iterates.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#define MAX_ROWS 4096

/* The numeric columns of a CSV line from column `first` on (the label
 * column holds no comma in the configs used here). */
static int numbers(char *line, int first, double *out, int max) {
    int col = 0, n = 0;
    for (char *tok = strtok(line, ",\n"); tok && n < max; tok = strtok(NULL, ",\n"), col++)
        if (col >= first)
            out[n++] = strtod(tok, NULL);
    return n;
}

static void test_rows_match_the_trajectory(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char tl[512], tr[512];
    snprintf(tl, sizeof tl, "%s/t.csv", dir);
    snprintf(tr, sizeof tr, "%s/r.csv", dir);
    RunResult r = tu_run((const char *const[]){"--check", "--timeline", tl, "--trajectory", tr,
                                               "configs/lr_too_large.ini", NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    /* trajectory: run,step,a,b,loss,grad_a,grad_b */
    static double rows[MAX_ROWS][3];
    int nrows = 0;
    char line[4096];
    FILE *f = fopen(tr, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f) && nrows < MAX_ROWS) {
        double v[6];
        assert_int_equal(numbers(line, 2, v, 6), 5);
        memcpy(rows[nrows++], v, sizeof rows[0]);
    }
    fclose(f);
    assert_int_equal(nrows, 401);
    f = fopen(tl, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "frame,time,azimuth,elevation,zoom,run,step,a,b,loss\n");
    int frames = 0;
    while (fgets(line, sizeof line, f)) {
        double v[10];
        int frame = atoi(line);
        assert_int_equal(frame, frames);
        assert_non_null(strstr(line, ",LR 1.0,"));
        /* frame,time,az,el,zoom (columns 0-4), then step,a,b,loss (6-9) */
        char copy[4096];
        memcpy(copy, line, sizeof copy);
        assert_int_equal(numbers(copy, 0, v, 10), 10);
        assert_near(v[1], frame / 30.0, 1e-12);
        double step = v[6], a = v[7], b = v[8], loss = v[9];
        int k = (int)floor(step);
        assert_true(k >= 0 && k <= 400);
        if (step == k) {
            assert_near(a, rows[k][0], 0);
            assert_near(b, rows[k][1], 0);
            assert_near(loss, rows[k][2], 0);
        } else {
            double u = step - k;
            assert_near(a, rows[k][0] + u * (rows[k + 1][0] - rows[k][0]), 1e-12);
            assert_near(b, rows[k][1] + u * (rows[k + 1][1] - rows[k][1]), 1e-12);
        }
        frames++;
    }
    fclose(f);
    assert_int_equal(frames, 360);
    unlink(tl);
    unlink(tr);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_match_the_trajectory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
