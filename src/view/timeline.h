/*
 * timeline.h — which moment of the runs each frame shows.
 *
 * Pipeline place: view stage, after sim. Frame k shows time k / fps. A
 * clock maps time to a continuous step: [timeline] keys (t, step) with
 * their ease, or the default pacing, which gives each of the first steps
 * TIMELINE_FIRST_STEP_S seconds (so the eye can follow them) and then
 * speeds up exponentially so that all steps fit in [video] duration; the
 * last state holds for [video] hold seconds while the camera keeps moving.
 *
 * What a frame shows is never a point where no iterate is: the ball is at
 * an iterate, or on the straight step from one iterate to the next. Slow
 * steps dwell at their iterate and then hop (default pacing); once the
 * clock passes an iterate or more per frame the ball snaps to the newest
 * iterate (from two a frame, the newest even one, so a period-2 bounce
 * keeps its phase from frame to frame), and the iterates of the last TIMELINE_AFTERIMAGE_S seconds
 * stay lit as fading afterimages, so an oscillation faster than the frame rate shows as an
 * oscillation (both ends of a bounce lit), not as a flicker or a ball drifting to the middle of the
 * chord. They stay lit through the hold, so a run that never settles does not look settled at the
 * end.
 */
#ifndef GD_TIMELINE_H
#define GD_TIMELINE_H

#include "base/tunables.h"
#include "config/config.h"

typedef struct TimelineMoment {
    double t;      /* seconds */
    double step;   /* what the ball shows: an iterate k, or k + f on the step k -> k + 1 */
    double recent; /* afterimages: iterates i with recent < i < floor(step) are lit;
                      recent >= floor(step) - 1 when there are none */
    double rate;   /* steps the clock passes per frame at this moment (0 in the hold) */
} TimelineMoment;

/* Time in seconds that frame k shows. */
double timeline_time(const Config *cfg, int frame);

/* The clock: the continuous step at time t, in [0, max_steps]. */
double timeline_step(const Config *cfg, int max_steps, double t);

/* The first frame whose moment reaches `step` (its shown step >= step),
 * or the frame count when none does. */
int timeline_first_frame(const Config *cfg, int max_steps, double step);

/* What frame k shows (see the top of this file). */
void timeline_moment(const Config *cfg, int max_steps, int frame, TimelineMoment *m);

/* The age of afterimage iterate i in moment m, 0 (newest) .. 1 (about to
 * go out); its drawn opacity falls with it. */
double timeline_afterimage_age(const TimelineMoment *m, int i);

#endif
