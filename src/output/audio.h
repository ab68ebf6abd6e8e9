/*
 * audio.h — the narration track ([video] audio): an audio file muxed into
 * an MP4 or WebM video, with FFmpeg's libraries.
 *
 * Pipeline place: last stage, beside encode.c, which is its only user
 * besides main's up-front check (audio_probe). With encode.c, the only
 * files that see libav.
 *
 * The rule (README "Narration"): the video's length is the config's frame
 * count; the audio follows it. A longer audio is cut at the video's end, a
 * shorter one padded with silence. The audio is stream-copied when the
 * container takes its codec (AAC or MP3 into MP4, Opus or Vorbis into
 * WebM) and it lasts at least as long as the video: then it is cut by
 * packet (the last packet starts before the video's end, so the track is
 * at most one audio frame longer). Otherwise it is decoded and encoded,
 * cut or padded to the sample: AAC (FFmpeg's aac encoder, 160 kb/s) in
 * MP4, Opus (libopus, 96 kb/s; Vorbis where this FFmpeg has no libopus) in
 * WebM, at most two channels (more are mixed down to stereo).
 */
#ifndef GD_AUDIO_H
#define GD_AUDIO_H

#include <stdint.h>

#include "base/error.h"

struct AVFormatContext;
typedef struct AudioMux AudioMux;

/* Checks that path is an audio file this FFmpeg can decode: it opens as a
 * media file, has an audio stream, and its first audio frame decodes.
 * GD_ERR_INPUT with "PATH: not an audio file (REASON)", "PATH: no audio
 * stream in it", "PATH: no decoder for its audio (CODEC)" or "PATH: cannot
 * decode its audio (REASON)"; GD_ERR_RUNTIME when out of memory. */
int audio_probe(const char *path, GdError *err);

/* Adds the audio of path as a stream of out (before its header is
 * written) for a video of frames/fps seconds; webm picks WebM's codecs
 * (else MP4's). out_path names the output in messages. NULL with err on
 * failure (GD_ERR_INPUT for the input's faults, GD_ERR_RUNTIME for a
 * missing encoder or out of memory). */
AudioMux *audio_mux_open(struct AVFormatContext *out, const char *out_path, const char *path,
                         int webm, int64_t frames, int fps, GdError *err);

/* Writes the audio up to `frames` video frames into the video (called as
 * the video grows, so the muxer interleaves the two). */
int audio_mux_write(AudioMux *a, int64_t frames, GdError *err);

/* Writes the rest, up to the video's end, and flushes the encoder. */
int audio_mux_finish(AudioMux *a, GdError *err);

void audio_mux_free(AudioMux *a); /* NULL-safe */

#endif
