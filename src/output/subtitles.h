/*
 * subtitles.h — the captions ([caption NAME]) as a subtitle file: WebVTT
 * (.vtt) or SubRip (.srt), timed exactly as the frames draw them.
 *
 * Pipeline place: output stage, beside the video; it asks the frame
 * stage's captions module for each frame's caption text, so a cue's text
 * and times are the picture's. A caption whose text does not change is one
 * cue from its first frame's start to its last frame's end; one with live
 * placeholders ({step}, {loss}, ...) is one cue per run of frames with the
 * same text. Cues come in order of their start (then of the config).
 */
#ifndef GD_SUBTITLES_H
#define GD_SUBTITLES_H

#include <stdio.h>

#include "config/config.h"
#include "view/view.h"

typedef enum { SUBTITLES_VTT, SUBTITLES_SRT } SubtitleFormat;

/* The start of frame f in milliseconds, rounded as cues are. */
long long subtitles_ms(int f, int fps);

/* The format a file name asks for (.vtt or .srt, any case), or -1. */
int subtitles_format(const char *path);

/* One cue: caption `caption`'s text over frames f0 <= f < f1. */
typedef struct SubtitleCue {
    int caption, f0, f1;
    char *text; /* owned */
} SubtitleCue;

/* Every cue of cfg's captions as view times them, in order of their start
 * (then of the config). Returns 0 (*cues owned by the caller: free with
 * subtitles_free_cues), or -1 when out of memory. */
int subtitles_cues(const Config *cfg, const View *view, SubtitleCue **cues, int *ncues);
void subtitles_free_cues(SubtitleCue *cues, int ncues);

/* The same cues as one text track, whose samples cannot overlap: the video
 * cut at every cue's start and end, each piece holding the texts of the
 * cues shown then, one per line in config order, or "" (nothing shown).
 * Returns 0 or -1 (out of memory); the caption field is -1. */
int subtitles_track(const Config *cfg, const View *view, SubtitleCue **pieces, int *npieces);

/* Writes cfg's captions as view times them to f. Returns 0, or -1 on a
 * write error or when out of memory (errno set). */
int subtitles_write(FILE *f, const Config *cfg, const View *view, SubtitleFormat format);

#endif
