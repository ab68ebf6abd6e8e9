/*
 * encode.h — frames to files with FFmpeg's libraries (libavcodec,
 * libavformat, libswscale); shaped like FFmpeg's doc/examples/mux.c.
 *
 * Pipeline place: last stage. Only encode.c (with output/audio.c for the
 * sound track) sees libav: it writes videos
 * and stills, and reads and joins segments (encoder_probe_segment,
 * encoder_join: a libavformat remux, as FFmpeg's doc/examples/remux.c).
 *
 * Formats by the output's extension (case-insensitive): .mp4 (H.264 High
 * via libx264, yuv420p BT.709, crf/preset, +faststart; crf 0 is lossless,
 * in the High 4:4:4 Predictive profile that needs), .webm (VP9 via
 * libvpx-vp9 where available: crf as given, the preset mapped to
 * cpu-used), .gif (our fixed 252-colour palette with ordered dithering,
 * FFmpeg's gif encoder, loops forever; GIF delays are in 1/100 s, so rates
 * above 50 fps play slower in browsers, and above 100 fps only the first
 * frame of each hundredth is kept); a NULL path discards the frames
 * (the render-only benchmark mode). MP4 and WebM carry the config text
 * (tag "comment"), the title and "gdrender VERSION" (MP4: tag "encoder");
 * a GIF has no metadata.
 *
 * Everything is written to a temporary file beside the target
 * ("DIR/.NAME.tmp-PID-XXXXXX", mode 0666 minus the umask; base/atomic.h)
 * and renamed into place by encoder_finish / encode_png: an error or
 * encoder_abort leaves no partial file and an older file of that name
 * intact, and atomic_cleanup_on_signal removes a pending one on Ctrl-C.
 */
#ifndef GD_ENCODE_H
#define GD_ENCODE_H

#include <stdint.h>

#include "base/error.h"
#include "output/segment.h"

typedef struct Encoder Encoder;

/* A subtitle cue for the MP4's text track: shown from start_ms to end_ms. */
typedef struct EncoderCue {
    long long start_ms, end_ms;
    const char *text; /* UTF-8, one line */
} EncoderCue;

/* An MP4 segment of a longer video (SPEC section 7). */
typedef struct EncoderSegment {
    FrameRange range;     /* the frames it holds */
    int total;            /* the whole video's frame count */
    const char *settings; /* segment_settings' line */
} EncoderSegment;

typedef struct EncoderOptions {
    int width, height; /* even */
    int fps;
    int crf;                 /* H.264/VP9 quality */
    const char *preset;      /* x264 preset, e.g. "medium" */
    const char *version;     /* gdrender version, stored in the metadata */
    const char *config_text; /* the full effective config, stored in the metadata */
    const char *title;       /* may be NULL or "" */
    int threads;             /* encoder threads, 0 = auto */
    /* MP4 only: a text track (mov_text) with these cues: in start order,
     * not overlapping ("" shows nothing; '\n' separates lines). */
    const EncoderCue *cues;
    int ncues;
    /* MP4 only: a segment (NULL: a whole video). Its frames get pts
     * range.first, range.first + 1, ...; it carries segment.h's tags
     * (+use_metadata_tags: every tag as a QuickTime 'mdta' key, config
     * SHA-256 of config_text), and is muxed bit-exact, so the same frames
     * with the same threads give the same bytes. */
    const EncoderSegment *segment;
    /* MP4 and WebM: a sound track from this audio file (output/audio.h:
     * stream copy or AAC/Opus, cut or padded to `frames` frames); NULL or
     * "": none. A GIF has no sound: it is ignored there. */
    const char *audio;
    int frames; /* the video's frame count, for the audio's length */
} EncoderOptions;

/* Opens an encoder writing to path (format by extension; anything else is
 * GD_ERR_INPUT "PATH: unsupported output format '.ext' (use .mp4, .webm,
 * .gif or .png)"). path == NULL means "discard": frames are accepted and
 * thrown away without encoding (the render-only benchmark mode).
 * Errors: a missing or unwritable folder, a missing encoder: GD_ERR_RUNTIME
 * with one clear line naming the path or the encoder. */
Encoder *encoder_open(const char *path, const EncoderOptions *opt, GdError *err);

/* Encodes one frame of packed RGB24 (width*height, row pitch `stride`
 * bytes). Frames get pts 0, 1, 2, ... at 1/fps, one output frame each.
 * After a failure, end with encoder_abort. */
int encoder_write_frame(Encoder *enc, const uint8_t *rgb, int stride, GdError *err);

/* Flushes, writes the trailer, renames the temporary file into place and
 * frees enc (also on failure; then the temporary file is removed). */
int encoder_finish(Encoder *enc, GdError *err);

/* Removes the temporary file and frees enc. NULL-safe. */
void encoder_abort(Encoder *enc);

/* Writes one RGB24 image as PNG with libavcodec's PNG encoder, atomically
 * (temporary file + rename). */
int encode_png(const char *path, const uint8_t *rgb, int width, int height, int stride,
               GdError *err);

/* Checks, before any work, what encoder_open (still 0) or encode_png
 * (still 1) will check of path without creating anything: a video's
 * extension names a format (GD_ERR_INPUT "PATH: unsupported output format
 * '.ext' (use .mp4, .webm, .gif or .png)", "PATH: no file extension to
 * choose the output format (...)", "PATH: a .png output holds one still
 * image, not a video (...)"), and this FFmpeg build has its encoder
 * (GD_ERR_RUNTIME "PATH: this FFmpeg build has no libx264 encoder
 * (install ...)"). */
int encoder_check_output(const char *path, int still, GdError *err);

/* Reads what the join needs of the segment at info->path (info->path set,
 * the rest filled; free info->params): its tags (segment_parse_tags), its
 * one H.264 stream's parameters, and its index, which must hold exactly
 * its frames, all inside the file. Errors, GD_ERR_INPUT: "PATH: not an
 * MP4 file (Invalid data found when processing input)", "PATH: not a
 * gdrender segment (...)", "PATH: damaged segment metadata (...)",
 * "PATH: damaged segment: 12 frames where its metadata says 15",
 * "PATH: truncated: its last frames are missing (the file ends at byte N)". */
int encoder_probe_segment(SegmentInfo *info, GdError *err);

/* Joins segments into one MP4 at out_path by stream copy, as a whole
 * render of their config writes it (SPEC section 7): segs[order[0]],
 * segs[order[1]], ... (segment_plan's order), each one's timestamps moved
 * to its first frame, +faststart, the first segment's config text and
 * title as the video's metadata ("gdrender VERSION" as its encoder),
 * written atomically. A segment that turns
 * out damaged while it is copied is GD_ERR_INPUT "PATH: damaged segment:
 * ..." and nothing is written. */
int encoder_join(const char *out_path, const char *version, const SegmentInfo *segs,
                 const int *order, int n, GdError *err);

/* Takes over the logging of FFmpeg's libraries, x264's included (it logs
 * through libavcodec); this is process-wide libav state. Their own lines
 * never reach stderr, so gdrender's messages stay one line each: the first
 * error libav logs during a failing step is folded into that step's
 * message in brackets, e.g. "out.mp4: cannot open the libx264 encoder:
 * Generic error in an external library (libx264: ...)", and the rest is
 * dropped. verbose 1 also passes libav's informational lines to stderr, as
 * FFmpeg prints them. main calls it once at startup. */
void encoder_set_libav_verbose(int verbose);

#endif
