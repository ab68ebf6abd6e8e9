/*
 * segment.h — frame ranges of one video (SPEC section 7): which frames the
 * K-th of N segments holds, the --segment and --frames arguments, the
 * settings line and tags a segment records, and the join's plan: the
 * segments of one video in frame order, or the one line that says why they
 * are not.
 *
 * Pipeline place: output stage, pure functions (no libav, no files).
 * main.c parses the arguments with it; video.c builds the settings line;
 * encode.c writes the tags when it encodes a segment and reads them back
 * (encoder_probe_segment) for the join, which segment_plan orders and
 * checks.
 *
 * Tags of a segment MP4 (libavformat metadata, QuickTime 'mdta' keys):
 *   gdrender_config_sha256  SHA-256 of the effective config text (hex)
 *   gdrender_frames         "A:B", the frames A <= f < B it holds
 *   gdrender_total_frames   the whole video's frame count
 *   gdrender_settings       segment_settings' line (encoder, size, rate,
 *                           crf, preset, quality, gdrender version)
 * plus the whole render's "comment" (the config text) and "title".
 */
#ifndef GD_SEGMENT_H
#define GD_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define SEGMENT_MAX_COUNT    100000 /* N of --segment K/N */
#define SEGMENT_SETTINGS_MAX 256

/* Frames first <= f < end. */
typedef struct FrameRange {
    int first, end;
} FrameRange;

/* The K-th (0-based) of n contiguous ranges that split [0, nframes) as
 * evenly as can be: [floor(k*F/n), floor((k+1)*F/n)). Every frame is in
 * exactly one range, sizes differ by at most one, and a range is empty
 * only when n > nframes. */
FrameRange segment_range(int nframes, int k, int n);

/* "K/N" (0 <= K < N <= SEGMENT_MAX_COUNT, decimal) into *k and *n, else
 * GD_ERR_INPUT "--segment: expected K/N with 0 <= K < N (e.g. 3/8), got
 * \"...\"". */
int segment_parse_index(const char *s, int *k, int *n, GdError *err);

/* "A:B" (0 <= A < B, decimal) into *r, else GD_ERR_INPUT "--frames:
 * expected A:B, the frames A <= f < B (e.g. 0:90), got \"...\"" or
 * "--frames 5:5: the range is empty (A must be less than B)". */
int segment_parse_frames(const char *s, FrameRange *r, GdError *err);

/* The range to render for a video of nframes: --segment k/n (n > 0) or
 * --frames (frames, when n == 0). GD_ERR_INPUT "--frames 0:500: the video
 * has 360 frames (0..359)" or "--segment 3/400: the video has 360 frames,
 * fewer than 400 segments". */
int segment_resolve(int nframes, int k, int n, const FrameRange *frames, FrameRange *out,
                    GdError *err);

/* The settings line every segment of one video shares, e.g.
 * "libx264 320x180 fps=30 crf=18 preset=medium quality=medium
 * gdrender=0.1.0". Returns buf. */
char *segment_settings(char *buf, size_t size, int width, int height, int fps, int crf,
                       const char *preset, const char *quality, const char *version);

/* One segment file as the join sees it. */
typedef struct SegmentInfo {
    const char *path; /* as given on the command line */
    char sha256[65];  /* of the config text, lowercase hex */
    FrameRange range; /* the frames it holds */
    int total;        /* the whole video's frame count */
    int fps;          /* frames per second, from the settings line */
    char settings[SEGMENT_SETTINGS_MAX];
    uint8_t *params; /* the stream's codec parameters: H.264 SPS/PPS (malloc'd) */
    int nparams;
    int delay; /* frames its first decoding time is before its first frame's */
} SegmentInfo;

/* Fills info's sha256, range, total and settings from the four tag values
 * (NULL when absent). GD_ERR_INPUT "PATH: not a gdrender segment (it has
 * no gdrender_frames tag: a whole video, or made by another program)" or
 * "PATH: damaged segment metadata (gdrender_frames \"...\")". */
int segment_parse_tags(SegmentInfo *info, const char *sha256, const char *frames, const char *total,
                       const char *settings, GdError *err);

/* Checks that segs[0..n) are the segments of one video and puts their
 * frame order into order[0..n). segs[0], the first named, is the one the
 * others are compared with. The first problem found, GD_ERR_INPUT, naming
 * the segment at fault:
 *   "B: encoded with crf=20 where A has crf=18 (segments of one video share its settings)"
 *   "B: its H.264 parameters (SPS/PPS) differ from A's (another x264 build?)"
 *   "B: rendered from another config than A (config SHA-256 1a2b3c4d... vs 5e6f...)"
 *   "B: part of a video of 90 frames, A of one of 360"
 *   "B: frames 30..44 are missing before it (no segment holds them)"
 *   "B: frames 40..44 are also in A"
 *   "B: frames 300..359 are missing after it (the video has 360 frames)" */
int segment_plan(const SegmentInfo *segs, int n, int *order, GdError *err);

#endif
