/*
 * video.h — the frame loop: renders every frame of a config's video and
 * hands them, in order, to the encoder; or renders one still.
 *
 * Pipeline place: output stage; drives view -> frame (the composer) -> encode. Frames are
 * rendered by worker threads (each with its own buffers and TextRenderer)
 * while the calling thread encodes them in order.
 */
#ifndef GD_VIDEO_H
#define GD_VIDEO_H

#include "config/config.h"
#include "base/error.h"
#include "sim/basins.h"
#include "sim/sim.h"
#include "output/segment.h"

typedef struct VideoOptions {
    int threads;     /* render threads, >= 1 */
    int progress;    /* draw a progress bar on stderr */
    Quality quality; /* effective quality (config or -q) */
    /* NULL: the whole video. Else only these frames, as an MP4 segment
     * (output/segment.h) whose encoder runs on `threads` threads too, so
     * the same range with the same -j gives the same bytes. */
    const FrameRange *range;
    /* [basins]' map when the caller has it already (view_basins), or NULL:
     * computed with the view. */
    const BasinMap *basins;
} VideoOptions;

/* Renders all frames (or opt->range's) to out_path (.mp4/.webm/.gif; NULL = render and
 * discard every frame, the render-only benchmark). Returns 0 or an error
 * code with err filled; on error nothing is left at out_path that was not
 * there before. */
int video_render(const Config *cfg, const Trajectory *trajs, const char *out_path,
                 const VideoOptions *opt, GdError *err);

/* Renders frame `frame` (0-based, < config_frame_count) as a PNG. */
int video_render_still(const Config *cfg, const Trajectory *trajs, int frame, const char *png_path,
                       const VideoOptions *opt, GdError *err);

#endif
