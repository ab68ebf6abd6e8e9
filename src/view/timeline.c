/*
 * timeline.c — see timeline.h.
 */
#include "view/timeline.h"

#include <math.h>

double timeline_time(const Config *cfg, int frame) {
    return (double)frame / (double)cfg->video.fps;
}

double timeline_step(const Config *cfg, int max_steps, double t) {
    double u = t / cfg->video.duration;
    if (u <= 0)
        return 0;
    if (u >= 1)
        return max_steps;
    double s = max_steps * (exp(TIMELINE_PACE * u) - 1.0) / (exp(TIMELINE_PACE) - 1.0);
    return s > max_steps ? max_steps : s;
}
