/*
 * test_video.c — whole videos through the command line: frame counts and
 * codec of every shipped config, metadata, stills, atomic writes, bad
 * outputs and interrupts.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

extern char **environ;

/* Runs ffprobe on a file and returns its one-line answer (static). */
static const char *probe(const char *args, const char *path) {
    static char line[8192];
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffprobe -v error %s '%s' 2>&1", args, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(line, 1, sizeof line - 1, p);
    line[n] = '\0';
    pclose(p);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

#ifdef GD_SANITIZED
#define SHIPPED_WIDTH  "320"
#define SHIPPED_HEIGHT "180"
#else
#define SHIPPED_WIDTH  "1280"
#define SHIPPED_HEIGHT "720"
#endif

static void test_shipped_configs_render(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int frames; /* 30 fps x (duration + hold) */
    } configs[] = {{"linear", 360},         {"lr_too_large", 360},     {"empirical_formula", 360},
                   {"global_minimum", 360}, {"local_minimum", 360},    {"good_vs_bad_init", 360},
                   {"learning_rates", 360}, {"optimizers", 420},       {"multi_start", 360},
                   {"basins", 360},         {"three_parameters", 360}, {"tiny_network", 360},
                   {"one_parameter", 420}};
    const char *dir = tu_tmpdir();
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
        char cfg[256], out[512];
        snprintf(cfg, sizeof cfg, "configs/%s.ini", configs[i].name);
        snprintf(out, sizeof out, "%s/%s.mp4", dir, configs[i].name);
        /* Under the sanitizers a quarter of the size each way (the frame
         * count, the codec and the profile are what this test is about). */
        RunResult r = tu_run((const char *const[]){
            "-q", "draft", "--no-progress", "--set", "video.width=" SHIPPED_WIDTH, "--set",
            "video.height=" SHIPPED_HEIGHT, "-o", out, cfg, NULL});
        if (r.status != 0)
            print_error("%s: %s\n", cfg, r.err);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        tu_run_free(&r);
        /* draft: half the size */
        char expect[64];
        snprintf(expect, sizeof expect, "h264,High,%d,%d,yuv420p,%d", atoi(SHIPPED_WIDTH) / 2,
                 atoi(SHIPPED_HEIGHT) / 2, configs[i].frames);
        assert_string_equal(probe("-count_frames -select_streams v:0 -show_entries "
                                  "stream=codec_name,profile,pix_fmt,width,height,nb_read_frames "
                                  "-of csv=p=0",
                                  out),
                            expect);
        unlink(out);
    }
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

/* Every documented crf renders: crf 0 is lossless, in the High 4:4:4
 * Predictive profile (the High profile made libx264 refuse it). ffprobe
 * decodes every frame to count them. */
static void test_crf_0_renders(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/lossless.mp4", dir);
    RunResult r = tu_run((const char *const[]){
        "-q", "draft", "--no-progress", "--set", "video.crf=0", "--set", "video.duration=1",
        "--set", "video.hold=0", "-o", out, "configs/linear.ini", NULL});
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    tu_run_free(&r);
    assert_string_equal(probe("-count_frames -select_streams v:0 -show_entries "
                              "stream=codec_name,profile,pix_fmt,width,height,nb_read_frames "
                              "-of csv=p=0",
                              out),
                        "h264,High 4:4:4 Predictive,640,360,yuv420p,30");
    tu_remove_dir(dir);
}

static void test_metadata_carries_config(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/m.mp4", dir);
    RunResult r =
        tu_run((const char *const[]){"-q", "draft", "--set", "video.duration=1", "--set",
                                     "video.hold=0", "-o", out, "configs/linear.ini", NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_string_equal(probe("-count_frames -show_entries stream=nb_read_frames -of csv=p=0", out),
                        "30");
    const char *enc = probe("-show_entries format_tags=encoder -of csv=p=0", out);
    assert_true(strncmp(enc, "gdrender " GD_VERSION, strlen("gdrender " GD_VERSION)) == 0);
    const char *comment = probe("-show_entries format_tags=comment -of default=nw=1:nk=1", out);
    /* The effective config, overrides applied, so the video re-renders. */
    assert_non_null(strstr(comment, "formula = a*x + b"));
    assert_non_null(strstr(comment, "duration = 1"));
    unlink(out);
    rmdir(dir);
}

static void test_png_still(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/f.png", dir);
    RunResult r =
        tu_run((const char *const[]){"-f", "12", "-o", out, "configs/lr_too_large.ini", NULL});
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_string_equal(probe("-show_entries stream=codec_name,width,height -of csv=p=0", out),
                        "png,1280,720");
    unlink(out);
    rmdir(dir);
}

static void test_bad_outputs_leave_nothing(void **state) {
    (void)state;
    RunResult r =
        tu_run((const char *const[]){"-o", "/nonexistent-dir/x.mp4", "configs/linear.ini", NULL});
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err, "gdrender: /nonexistent-dir/x.mp4: cannot write: No such file or "
                               "directory\n");
    tu_run_free(&r);
    const char *dir = tu_tmpdir();
    char out[512];
    snprintf(out, sizeof out, "%s/x.mp4", dir);
    r = tu_run((const char *const[]){"--set", "video.font=/nonexistent.ttf", "-o", out,
                                     "configs/linear.ini", NULL});
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: --set video.font=/nonexistent.ttf: [video] font: cannot "
                               "open \"/nonexistent.ttf\": No such file or directory\n");
    tu_run_free(&r);
    assert_int_equal(tu_count_entries(dir), 0);
    rmdir(dir);
}

static void test_interrupt_keeps_old_video(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *old = tu_write_file(dir, "v.mp4", "an older video");
    char *argv[] = {
        (char *)GD_BINARY, "--no-progress", "-o", old, "configs/global_minimum.ini", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, GD_BINARY, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    /* Wait until the temporary file exists and holds the header (encoding
     * has begun; the outputs check's empty probe file does not count). */
    struct timespec tick = {0, 10000000};
    int begun = 0;
    for (int i = 0; i < 3000 && !begun; i++) {
        nanosleep(&tick, NULL);
        DIR *d = opendir(dir);
        for (struct dirent *e; d && (e = readdir(d));) {
            char p[1024];
            struct stat sb;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            begun |= e->d_name[0] == '.' && e->d_name[1] != '\0' && e->d_name[1] != '.' &&
                     stat(p, &sb) == 0 && sb.st_size > 0;
        }
        if (d)
            closedir(d);
    }
    assert_true(begun);
    kill(pid, SIGINT);
    int st;
    assert_true(waitpid(pid, &st, 0) == pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    char *text = tu_read_file(old, NULL);
    assert_string_equal(text, "an older video");
    assert_int_equal(tu_count_entries(dir), 1); /* no partial file */
    free(text);
    unlink(old);
    free(old);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_configs_render),
        cmocka_unit_test(test_crf_0_renders),
        cmocka_unit_test(test_metadata_carries_config),
        cmocka_unit_test(test_png_still),
        cmocka_unit_test(test_bad_outputs_leave_nothing),
        cmocka_unit_test(test_interrupt_keeps_old_video),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
