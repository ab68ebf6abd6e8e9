/*
 * test_cli_audio.c — [video] audio, the narration track: a WAV re-encoded
 * to AAC, an AAC .m4a stream-copied (and cut by packet), a short audio
 * padded with silence, a long one cut, Opus into WebM, the refusals (a
 * file that is not audio, a missing one, segments) with their one line,
 * and GIF's warning. The test audio is made with the ffmpeg command;
 * ffprobe reads the videos back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#define RUN(...) tu_run((const char *const[]){__VA_ARGS__, NULL})

/* 320x180 at 10 fps, 2 s + 1 s hold: 30 frames, 3.0 s. */
static const char CONFIG[] = "[video]\n"
                             "width = 320\n"
                             "height = 180\n"
                             "fps = 10\n"
                             "duration = 2\n"
                             "hold = 1\n"
                             "quality = draft\n"
                             "audio = %s\n"
                             "[model]\n"
                             "params = a, b\n"
                             "formula = a*x + b\n"
                             "[data]\n"
                             "true = 2, 1\n"
                             "[run]\n"
                             "init = 0, 0\n";
#define VIDEO_SECONDS 3.0

/* Makes dir/name: a 440 Hz sine of `seconds` with the ffmpeg options. */
static char *make_audio(const char *dir, const char *name, double seconds, const char *opts) {
    char *path = tu_join(dir, name);
    char *o = tu_shell("ffmpeg -nostdin -v error -y -f lavfi -i sine=frequency=440:duration=%g %s "
                       "'%s' 2>&1",
                       seconds, opts, path);
    if (o[0])
        print_error("ffmpeg: %s\n", o);
    assert_string_equal(o, "");
    free(o);
    assert_true(tu_exists(path));
    return path;
}

static char *write_config(const char *dir, const char *audio) {
    char text[2048];
    snprintf(text, sizeof text, CONFIG, audio);
    return tu_write_file(dir, "talk.ini", text);
}

static void expect_ok(RunResult r) {
    if (r.status != 0)
        print_error("status %d, stderr: %s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
}

/* Renders dir/talk.ini (audio = name) into dir/out and returns out's path. */
static char *render(const char *dir, const char *audio, const char *out_name) {
    char *cfg = write_config(dir, audio);
    char *out = tu_join(dir, out_name);
    RunResult r = RUN("--no-progress", "-j", "2", "-o", out, cfg);
    expect_ok(r);
    tu_run_free(&r);
    free(cfg);
    return out;
}

/* One stream's field ("codec_name", "duration") by ffprobe; a: or v:. */
static char *stream_field(const char *path, const char *sel, const char *field) {
    return tu_shell("ffprobe -v error -select_streams %s -show_entries stream=%s -of csv=p=0 '%s'",
                    sel, field, path);
}

static double stream_seconds(const char *path, const char *sel) {
    char *s = stream_field(path, sel, "duration");
    double d = atof(s);
    free(s);
    return d;
}

/* The audio's samples decoded from path, as ffmpeg counts them. */
static double decoded_seconds(const char *path) {
    char *s = tu_shell("ffmpeg -nostdin -v error -i '%s' -map 0:a -f null - -stats 2>&1 | "
                       "grep -o 'time=[0-9:.]*' | tail -1 | cut -d= -f2",
                       path);
    int h = 0, m = 0;
    double sec = 0;
    sscanf(s, "%d:%d:%lf", &h, &m, &sec);
    free(s);
    return h * 3600 + m * 60 + sec;
}

/* The mean volume (dB) of the audio from `from` seconds to the end. */
static double mean_volume_from(const char *path, double from) {
    char *s = tu_shell("ffmpeg -nostdin -v info -ss %g -i '%s' -map 0:a -af volumedetect -f null - "
                       "2>&1 | grep -o 'mean_volume: [-0-9.inf]*' | cut -d' ' -f2",
                       from, path);
    double v = strcmp(s, "-inf") == 0 ? -1000 : atof(s);
    free(s);
    return v;
}

/* An AAC .m4a longer than the video: stream copy (still AAC, the same
 * bit rate), cut by packet: within one AAC frame (1024 samples) of the
 * video's length. */
static void test_audio_m4a_copy_cut(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *a = make_audio(dir, "talk.m4a", 5, "-ar 44100 -c:a aac -b:a 96k");
    char *out = render(dir, "talk.m4a", "out.mp4");
    char *codec = stream_field(out, "a:0", "codec_name");
    assert_string_equal(codec, "aac");
    assert_near(stream_seconds(out, "v:0"), VIDEO_SECONDS, 1e-6);
    double as = stream_seconds(out, "a:0");
    assert_true(as >= VIDEO_SECONDS - 1024.0 / 44100);
    assert_true(as <= VIDEO_SECONDS + 1024.0 / 44100);
    /* Copied, not re-encoded: the input's packets, byte for byte. */
    char *in_sizes = tu_shell("ffprobe -v error -select_streams a:0 -show_entries packet=size -of "
                              "csv=p=0 '%s' | cut -d, -f1 | head -20 | md5sum",
                              a);
    char *out_sizes = tu_shell("ffprobe -v error -select_streams a:0 -show_entries packet=size -of "
                               "csv=p=0 '%s' | cut -d, -f1 | head -20 | md5sum",
                               out);
    assert_string_equal(in_sizes, out_sizes);
    free(in_sizes);
    free(out_sizes);
    free(codec);
    free(out);
    free(a);
    tu_remove_dir(dir);
}

/* A WAV (PCM: MP4 does not take it): decoded and encoded as AAC, exactly
 * the video's length; a longer one is cut to it. */
static void test_audio_wav_encoded_cut(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *a = make_audio(dir, "talk.wav", 4.5, "-ac 2 -ar 48000");
    char *out = render(dir, "talk.wav", "out.mp4");
    char *codec = stream_field(out, "a:0", "codec_name");
    assert_string_equal(codec, "aac");
    assert_near(stream_seconds(out, "a:0"), VIDEO_SECONDS, 1.0 / 48000 + 1e-6);
    assert_near(decoded_seconds(out), VIDEO_SECONDS, 0.03);
    /* The sine is there until the end. */
    assert_true(mean_volume_from(out, 2.5) > -30);
    free(codec);
    free(out);
    free(a);
    tu_remove_dir(dir);
}

/* A shorter audio (an AAC .m4a of 1.2 s) is padded with silence to the
 * video's length: re-encoded, sound first, silence after. */
static void test_audio_short_padded(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    char *a = make_audio(dir, "short.m4a", 1.2, "-c:a aac");
    char *out = render(dir, "short.m4a", "out.mp4");
    char *codec = stream_field(out, "a:0", "codec_name");
    assert_string_equal(codec, "aac");
    assert_near(stream_seconds(out, "a:0"), VIDEO_SECONDS, 0.001);
    assert_near(decoded_seconds(out), VIDEO_SECONDS, 0.03);
    assert_true(mean_volume_from(out, 0.2) > -40);
    assert_true(mean_volume_from(out, 1.5) < -80); /* silence */
    free(codec);
    free(out);
    free(a);
    tu_remove_dir(dir);
}

/* WebM: Opus is copied, an AAC input becomes Opus (or Vorbis). */
static void test_audio_webm(void **state) {
    (void)state;
    char *has_vp9 = tu_shell("ffmpeg -hide_banner -encoders 2>/dev/null | grep -c libvpx-vp9");
    int vp9 = atoi(has_vp9);
    free(has_vp9);
    if (!vp9) {
        skip();
        return;
    }
    const char *dir = tu_tmpdir();
    char *a = make_audio(dir, "talk.opus", 4, "-c:a libopus");
    char *out = render(dir, "talk.opus", "out.webm");
    char *codec = stream_field(out, "a:0", "codec_name");
    assert_string_equal(codec, "opus");
    assert_near(decoded_seconds(out), VIDEO_SECONDS, 0.03);
    free(codec);
    free(out);
    char *b = make_audio(dir, "talk.m4a", 4, "-c:a aac");
    out = render(dir, "talk.m4a", "out2.webm");
    codec = stream_field(out, "a:0", "codec_name");
    assert_true(strcmp(codec, "opus") == 0 || strcmp(codec, "vorbis") == 0);
    assert_near(decoded_seconds(out), VIDEO_SECONDS, 0.03);
    free(codec);
    free(out);
    free(a);
    free(b);
    tu_remove_dir(dir);
}

/* Not audio, missing, and segments: exit 2, one line, nothing written; a
 * GIF warns and has no sound; --check checks the audio too. */
static void test_audio_refusals(void **state) {
    (void)state;
    const char *dir = tu_tmpdir();
    free(tu_write_file(dir, "bad.m4a", "this is not audio\n"));
    char *cfg = write_config(dir, "bad.m4a");
    char *out = tu_join(dir, "out.mp4");
    char want[4096];
    RunResult r = RUN("--no-progress", "-o", out, cfg);
    snprintf(want, sizeof want,
             "gdrender: %s:8: [video] audio: %s/bad.m4a: not an audio file (Invalid data found "
             "when processing input)\n",
             cfg, dir);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, want);
    assert_false(tu_exists(out));
    tu_run_free(&r);
    r = RUN("--check", cfg);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    free(cfg);

    cfg = write_config(dir, "missing.wav");
    r = RUN("--no-progress", "-o", out, cfg);
    snprintf(want, sizeof want,
             "gdrender: %s:8: [video] audio: cannot open \"missing.wav\": No such file or "
             "directory\n",
             cfg);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    free(cfg);

    free(make_audio(dir, "talk.wav", 1, ""));
    cfg = write_config(dir, "talk.wav");
    r = RUN("--no-progress", "--segment", "0/2", "-o", out, cfg);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gdrender: --segment: [video] audio is not made in segments "
                               "(render the whole video to have the sound track)\n");
    tu_run_free(&r);
    assert_false(tu_exists(out));

    char *gif = tu_join(dir, "out.gif");
    r = RUN("--no-progress", "-o", gif, cfg);
    snprintf(want, sizeof want,
             "gdrender: warning: %s: a GIF has no sound: [video] audio is ignored\n", gif);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    assert_true(tu_exists(gif));
    /* A still: no sound, no word about it. */
    char *png = tu_join(dir, "f.png");
    r = RUN("--no-progress", "-f", "3", "-o", png, cfg);
    expect_ok(r);
    tu_run_free(&r);
    free(png);
    free(gif);
    free(cfg);
    free(out);
    tu_remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audio_m4a_copy_cut), cmocka_unit_test(test_audio_wav_encoded_cut),
        cmocka_unit_test(test_audio_short_padded), cmocka_unit_test(test_audio_webm),
        cmocka_unit_test(test_audio_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
