/*
 * test_cli_segments.c — --segment, --frames and gdrender join (SPEC section
 * 7) run as a farm runs them: segments rendered one by one and joined in a
 * shuffled order into the whole render's frame count, duration and
 * timestamps; byte-identical segments on reruns; x264 on -j threads (or the
 * CPUs the process was given); every refusal of the join with its one line
 * and nothing written; a SIGKILLed segment leaves no segment behind.
 * ffprobe reads the videos back.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#define RUN(...) tu_run((const char *const[]){__VA_ARGS__, NULL})

/* A 20-frame video (20 fps, 1 s) at 160x90: quick to render many times. */
#define SMALL                                                                                      \
    "--no-progress", "-j", "2", "--set", "video.width=160", "--set", "video.height=90", "--set",   \
        "video.fps=20", "--set", "video.duration=1", "--set", "video.hold=0"
#define CONFIG "configs/linear.ini"

static void expect_error(RunResult r, int status, const char *message) {
    if (r.status != status || strcmp(r.err, message) != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_int_equal(r.status, status);
    assert_string_equal(r.err, message);
}

static void expect_ok(RunResult r) {
    if (r.status != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
}

static int count_frames(const char *path) {
    char *s = tu_shell("ffprobe -v error -select_streams v:0 -count_frames -show_entries "
                       "stream=nb_read_frames -of csv=p=0 '%s'",
                       path);
    int n = atoi(s);
    free(s);
    return n;
}

static char *probe(const char *path, const char *entries) {
    return tu_shell("ffprobe -v error -show_entries %s -of default=nw=1 '%s'", entries, path);
}

/* Renders --segment k/n of the SMALL video into dir/p<k>.mp4. */
static char *render_segment(const char *dir, int k, int n) {
    char name[32], seg[32];
    snprintf(name, sizeof name, "p%d.mp4", k);
    snprintf(seg, sizeof seg, "%d/%d", k, n);
    char *out = tu_join(dir, name);
    RunResult r = RUN(SMALL, "--segment", seg, "-o", out, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    return out;
}

static int same_file_bytes(const char *a, const char *b) {
    size_t na = 0, nb = 0;
    char *x = tu_read_file(a, &na), *y = tu_read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static void test_segment_command_line(void **state) {
    (void)state;
    RunResult r = RUN("--segment", "4/4", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment: expected K/N with 0 <= K < N <= 100000 (e.g. 3/8), got "
                 "\"4/4\"\n");
    tu_run_free(&r);
    r = RUN("--frames", "5:5", CONFIG);
    expect_error(r, 2, "gdrender: --frames 5:5: the range is empty (A must be less than B)\n");
    tu_run_free(&r);
    r = RUN("--frames", "9:3", CONFIG);
    expect_error(r, 2, "gdrender: --frames 9:3: the range is empty (A must be less than B)\n");
    tu_run_free(&r);
    r = RUN("--frames", "10:361", CONFIG);
    expect_error(r, 2, "gdrender: --frames 10:361: the video has 360 frames (0..359)\n");
    tu_run_free(&r);
    r = RUN("--segment", "3/400", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment 3/400: the video has 360 frames, fewer than 400 segments\n");
    tu_run_free(&r);
    r = RUN("--segment", "0/2", "--frames", "0:5", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment and --frames cannot be combined (one range at a time)\n");
    tu_run_free(&r);
    r = RUN("--segment", "0/2", "-f", "3", CONFIG);
    expect_error(r, 2,
                 "gdrender: --segment renders part of a video: it cannot be combined with "
                 "--frame\n");
    tu_run_free(&r);
    r = RUN("--frames", "0:5", "--check", CONFIG);
    expect_error(r, 2,
                 "gdrender: --frames renders part of a video: it cannot be combined with "
                 "--check\n");
    tu_run_free(&r);
    r = RUN("--segment", "0/2", "-o", "/tmp/x.gif", CONFIG);
    expect_error(r, 2,
                 "gdrender: /tmp/x.gif: --segment writes an MP4 segment: the output must end in "
                 ".mp4\n");
    tu_run_free(&r);
    r = RUN("--frames", "0:5", "--set", "video.subtitles=yes", "-o", "/tmp/x.mp4", CONFIG);
    expect_error(r, 2,
                 "gdrender: --frames: [video] subtitles = yes is not made in segments (set "
                 "video.subtitles=no; --subtitles FILE writes the captions)\n");
    tu_run_free(&r);
    r = RUN("join", "-o", "x.mp4");
    expect_error(r, 2, "gdrender: join: no segments to join (see gdrender --help)\n");
    tu_run_free(&r);
    r = RUN("join", "p.mp4");
    expect_error(r, 2, "gdrender: join: missing -o OUT.mp4 (see gdrender --help)\n");
    tu_run_free(&r);
    r = RUN("join", "--bogus", "-o", "x.mp4", "p.mp4");
    expect_error(r, 2, "gdrender: join: unknown option \"--bogus\" (see gdrender --help)\n");
    tu_run_free(&r);
    r = RUN("--help");
    assert_non_null(strstr(r.out, "--segment K/N"));
    assert_non_null(strstr(r.out, "--frames A:B"));
    assert_non_null(strstr(r.out, "gdrender join -o OUT.mp4 SEGMENT.mp4..."));
    tu_run_free(&r);
}

/* Four segments joined in a shuffled order are the whole render: its frame
 * count, duration, decoding timestamps and metadata; each segment's own
 * timestamps start at its first frame. */
static void test_join_shuffled(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *whole = tu_join(dir, "whole.mp4"), *out = tu_join(dir, "joined.mp4");
    RunResult r = RUN(SMALL, "-o", whole, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    char *p[4];
    for (int k = 0; k < 4; k++)
        p[k] = render_segment(dir, k, 4);
    char *start = probe(p[1], "stream=start_time:format_tags=gdrender_frames");
    assert_string_equal(start, "start_time=0.250000\nTAG:gdrender_frames=5:10");
    free(start);
    char *tags = probe(p[3], "format_tags=gdrender_total_frames,gdrender_settings");
    assert_string_equal(tags,
                        "TAG:gdrender_total_frames=20\nTAG:gdrender_settings=libx264 "
                        "160x90 fps=20 crf=18 preset=medium quality=medium gdrender=" GD_VERSION);
    free(tags);

    r = RUN("join", "-o", out, p[2], p[0], p[3], p[1]);
    expect_ok(r);
    tu_run_free(&r);
    assert_int_equal(count_frames(out), 20);
    const char *what = "stream=codec_name,profile,pix_fmt,width,height,nb_frames,duration,"
                       "start_time:format=duration,start_time";
    char *a = probe(whole, what), *b = probe(out, what);
    assert_string_equal(b, a);
    free(a);
    free(b);
    /* the same decoding times, packet by packet, as the whole render */
    a = tu_shell("ffprobe -v error -show_entries packet=dts,duration -of csv '%s'", whole);
    b = tu_shell("ffprobe -v error -show_entries packet=dts,duration -of csv '%s'", out);
    assert_string_equal(b, a);
    free(a);
    free(b);
    /* the whole render's metadata: the config, the title, the encoder */
    what = "format_tags=comment,title,encoder";
    a = probe(whole, what);
    b = probe(out, what);
    assert_string_equal(b, a);
    free(a);
    free(b);
    /* the index is at the front: moov before mdat */
    char *order = tu_shell("ffprobe -v trace '%s' 2>&1 | grep -o \"type:'\\(moov\\|mdat\\)'\" | "
                           "head -2 | tr '\\n' ' '",
                           out);
    assert_string_equal(order, "type:'moov' type:'mdat' ");
    free(order);
    /* nothing else was left in the folder: 1 whole + 4 segments + 1 joined */
    assert_int_equal(tu_count_entries(dir), 6);
    /* a segment made on another number of threads has other bytes (x264's
     * motion search depends on it) but the same stream: it joins */
    r = RUN(SMALL, "-j", "1", "--segment", "1/4", "-o", p[1], CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    r = RUN("join", "-o", out, p[0], p[1], p[2], p[3]);
    expect_ok(r);
    tu_run_free(&r);
    assert_int_equal(count_frames(out), 20);
    for (int k = 0; k < 4; k++)
        free(p[k]);

    /* One segment of all frames joins too; so do segments of one frame. */
    char *one = render_segment(dir, 0, 1);
    r = RUN("join", "-o", out, one);
    expect_ok(r);
    tu_run_free(&r);
    assert_int_equal(count_frames(out), 20);
    free(one);
    tu_remove_dir(dir);
    dir = tu_tmpdir();
    free(out);
    out = tu_join(dir, "joined.mp4");
    const char *args[24] = {"join", "-o", out};
    char *tiny[20];
    for (int k = 0; k < 20; k++)
        args[3 + k] = tiny[k] = render_segment(dir, 19 - k, 20);
    args[23] = NULL;
    r = tu_run(args);
    expect_ok(r);
    tu_run_free(&r);
    assert_int_equal(count_frames(out), 20);
    a = probe(out, "stream=nb_frames,duration:format=duration");
    assert_string_equal(a, "duration=1.000000\nnb_frames=20\nduration=1.000000");
    free(a);
    for (int k = 0; k < 20; k++)
        free(tiny[k]);
    tu_remove_dir(dir);
    free(whole);
    free(out);
}

/* The same range renders the same bytes; x264 runs on -j threads, or on
 * the CPUs the scheduler gave (SLURM_CPUS_PER_TASK). */
static void test_segments_deterministic(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *a = tu_join(dir, "a.mp4"), *b = tu_join(dir, "b.mp4");
    RunResult r = RUN(SMALL, "--frames", "3:17", "-o", a, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    r = RUN(SMALL, "--frames", "3:17", "-o", b, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    assert_true(same_file_bytes(a, b));
    /* x264 writes its options into the stream */
    char *threads = tu_shell("grep -a -o ' threads=[0-9]* ' '%s'", a);
    assert_string_equal(threads, " threads=2 ");
    free(threads);
    setenv("SLURM_CPUS_PER_TASK", "1", 1);
    r = RUN("--no-progress", "--set", "video.width=160", "--set", "video.height=90", "--set",
            "video.fps=20", "--set", "video.duration=1", "--set", "video.hold=0", "--frames",
            "3:17", "-o", b, CONFIG);
    unsetenv("SLURM_CPUS_PER_TASK");
    expect_ok(r);
    tu_run_free(&r);
    threads = tu_shell("grep -a -o ' threads=[0-9]* ' '%s'", b);
    assert_string_equal(threads, " threads=1 ");
    free(threads);
    tu_remove_dir(dir);
    free(a);
    free(b);
}

/* Each refusal: exit 2, one line naming the segment, nothing written. */
static void expect_refused(const char *dir, const char *out, const char *const *segs, int n,
                           const char *message) {
    const char *args[16] = {"join", "-o", out};
    for (int i = 0; i < n; i++)
        args[3 + i] = segs[i];
    args[3 + n] = NULL;
    int before = tu_count_entries(dir);
    RunResult r = tu_run(args);
    expect_error(r, 2, message);
    tu_run_free(&r);
    assert_false(tu_exists(out));
    assert_int_equal(tu_count_entries(dir), before);
}

static void test_join_refusals(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *p[4], msg[2048];
    for (int k = 0; k < 4; k++)
        p[k] = render_segment(dir, k, 4);
    char *out = tu_join(dir, "out.mp4");
    char *crf = tu_join(dir, "crf.mp4"), *cfg = tu_join(dir, "cfg.mp4");
    char *over = tu_join(dir, "over.mp4"), *trunc = tu_join(dir, "trunc.mp4");
    char *foreign = tu_join(dir, "foreign.mp4"), *text = tu_join(dir, "notes.mp4");
    RunResult r = RUN(SMALL, "--set", "video.crf=20", "--segment", "1/4", "-o", crf, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    r = RUN(SMALL, "--set", "run.descent.lr=0.2", "--segment", "1/4", "-o", cfg, CONFIG);
    expect_ok(r);
    tu_run_free(&r);
    r = RUN(SMALL, "--frames", "8:12", "-o", over, CONFIG);
    expect_ok(r);
    tu_run_free(&r);

    /* mixed settings, mixed configs */
    snprintf(msg, sizeof msg,
             "gdrender: %s: encoded with crf=20 where %s has crf=18 (segments of one video share "
             "its settings)\n",
             crf, p[0]);
    expect_refused(dir, out, (const char *const[]){p[0], crf, p[2], p[3]}, 4, msg);
    char *sha0 = tu_shell("ffprobe -v error -show_entries format_tags=gdrender_config_sha256 -of "
                          "csv=p=0 '%s' | cut -c1-8",
                          p[0]);
    char *sha1 = tu_shell("ffprobe -v error -show_entries format_tags=gdrender_config_sha256 -of "
                          "csv=p=0 '%s' | cut -c1-8",
                          cfg);
    snprintf(msg, sizeof msg,
             "gdrender: %s: rendered from another config than %s (config SHA-256 %s... vs "
             "%s...)\n",
             cfg, p[0], sha1, sha0);
    expect_refused(dir, out, (const char *const[]){p[0], cfg, p[2], p[3]}, 4, msg);
    free(sha0);
    free(sha1);

    /* a gap, a missing end, an overlap */
    snprintf(msg, sizeof msg,
             "gdrender: %s: frames 5..9 are missing before it (no segment holds them)\n", p[2]);
    expect_refused(dir, out, (const char *const[]){p[3], p[0], p[2]}, 3, msg);
    snprintf(msg, sizeof msg,
             "gdrender: %s: frames 15..19 are missing after it (the video has 20 frames)\n", p[2]);
    expect_refused(dir, out, (const char *const[]){p[0], p[1], p[2]}, 3, msg);
    snprintf(msg, sizeof msg, "gdrender: %s: frames 8..9 are also in %s\n", over, p[1]);
    expect_refused(dir, out, (const char *const[]){p[0], p[1], over, p[2], p[3]}, 5, msg);

    /* a truncated segment: the first half of its bytes */
    size_t len = 0;
    char *bytes = tu_read_file(p[2], &len);
    FILE *f = fopen(trunc, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len / 2, f), len / 2);
    fclose(f);
    free(bytes);
    snprintf(msg, sizeof msg,
             "gdrender: %s: truncated: its last frames are missing (the file ends at byte %zu of "
             "%zu)\n",
             trunc, len / 2, len);
    /* the end of the last frame is the end of the file: the index is first */
    expect_refused(dir, out, (const char *const[]){p[0], p[1], trunc, p[3]}, 4, msg);

    /* a foreign MP4 (ffmpeg's own), a text file, a folder */
    char *made = tu_shell("ffmpeg -v error -f lavfi -i testsrc=size=160x90:rate=20:duration=0.25 "
                          "-c:v libx264 '%s' && echo ok",
                          foreign);
    assert_string_equal(made, "ok");
    free(made);
    snprintf(msg, sizeof msg,
             "gdrender: %s: not a gdrender segment (it has no gdrender_frames tag: a whole video, "
             "or made by another program)\n",
             foreign);
    expect_refused(dir, out, (const char *const[]){p[0], p[1], p[2], p[3], foreign}, 5, msg);
    free(tu_write_file(dir, "notes.mp4", "these are not frames\n"));
    snprintf(msg, sizeof msg,
             "gdrender: %s: not a readable MP4 file (Invalid data found when processing input)\n",
             text);
    expect_refused(dir, out, (const char *const[]){p[0], text}, 2, msg);
    snprintf(msg, sizeof msg, "gdrender: %s: cannot read segment: Is a directory\n", dir);
    expect_refused(dir, out, (const char *const[]){p[0], dir}, 2, msg);

    /* the output is one of the segments; a segment given twice */
    snprintf(msg, sizeof msg, "gdrender: %s: --output would overwrite the segment %s\n", p[1],
             p[1]);
    size_t before_len = 0;
    char *before = tu_read_file(p[1], &before_len);
    RunResult rr = RUN("join", "-o", p[1], p[0], p[1], p[2], p[3]);
    expect_error(rr, 2, msg);
    tu_run_free(&rr);
    size_t after_len = 0;
    char *after = tu_read_file(p[1], &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(before);
    free(after);
    char again[256];
    snprintf(again, sizeof again, "%s/./p0.mp4", dir);
    snprintf(msg, sizeof msg, "gdrender: %s: the same file as %s: each segment once\n", again,
             p[0]);
    expect_refused(dir, out, (const char *const[]){p[0], p[1], again, p[2], p[3]}, 5, msg);
    snprintf(msg, sizeof msg,
             "gdrender: %s/out.webm: join writes an MP4: the output must end in "
             ".mp4\n",
             dir);
    char webm[256];
    snprintf(webm, sizeof webm, "%s/out.webm", dir);
    expect_refused(dir, webm, (const char *const[]){p[0], p[1], p[2], p[3]}, 4, msg);

    /* and the right four still join */
    RunResult ok = RUN("join", "-o", out, p[3], p[1], p[0], p[2]);
    expect_ok(ok);
    tu_run_free(&ok);
    assert_int_equal(count_frames(out), 20);
    for (int k = 0; k < 4; k++)
        free(p[k]);
    free(out);
    free(crf);
    free(cfg);
    free(over);
    free(trunc);
    free(foreign);
    free(text);
    tu_remove_dir(dir);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The name of a file in dir starting with prefix (static), or NULL. */
static const char *entry_with_prefix(const char *dir, const char *prefix) {
    static char found[NAME_MAX + 1];
    DIR *d = opendir(dir);
    assert_non_null(d);
    const char *result = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(found, sizeof found, "%s", e->d_name);
            result = found;
        }
    closedir(d);
    return result;
}

/* A segment job killed by the scheduler (SIGKILL: nothing can clean up)
 * leaves no segment: only its temporary file, which no join would take
 * and the rerun removes. */
static void test_killed_segment(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *seg = tu_join(dir, "part-1.mp4");
    const char *const argv[] = {"--no-progress",
                                "-j",
                                "2",
                                "--set",
                                "video.width=160",
                                "--set",
                                "video.height=90",
                                "--set",
                                "video.duration=40",
                                "--segment",
                                "1/2",
                                "-o",
                                seg,
                                CONFIG,
                                NULL};
    int pid = tu_spawn(argv);
    char *tmp = NULL;
    struct stat st;
    double t0 = now_seconds();
    while (now_seconds() - t0 < 60) {
        const char *name = entry_with_prefix(dir, ".part-1.mp4.tmp-");
        if (name) {
            free(tmp);
            tmp = tu_join(dir, name);
            if (stat(tmp, &st) == 0 && st.st_size > 0)
                break;
        }
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    assert_non_null(tmp);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_false(tu_exists(seg));
    assert_true(tu_exists(tmp));
    assert_int_equal(tu_count_entries(dir), 1);

    RunResult r = tu_run(argv);
    expect_ok(r);
    tu_run_free(&r);
    assert_true(tu_exists(seg));
    assert_false(tu_exists(tmp));
    assert_int_equal(tu_count_entries(dir), 1);
    assert_int_equal(count_frames(seg), 630); /* frames 630..1259 of 1260 */
    free(tmp);
    free(seg);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment_command_line),   cmocka_unit_test(test_join_shuffled),
        cmocka_unit_test(test_segments_deterministic), cmocka_unit_test(test_join_refusals),
        cmocka_unit_test(test_killed_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
