/*
 * timeline.c — see timeline.h.
 */
#include "view/timeline.h"

#include <math.h>

static double ease(Ease e, double u) {
    return e == EASE_LINEAR ? u : u * u * (3.0 - 2.0 * u);
}

double timeline_time(const Config *cfg, int frame) {
    return (double)frame / (double)cfg->video.fps;
}

/* The rate k of the default pacing: (r0 / k)(e^{kT} - 1) = S, where r0 is
 * the first steps' rate. 0 means linear (S steps at most r0 per second). */
static double pace_rate(double S, double T) {
    const double r0 = 1.0 / TIMELINE_FIRST_STEP_S;
    if (S <= r0 * T)
        return 0;
    double lo = 1e-9, hi = 1.0;
    while ((r0 / hi) * expm1(hi * T) < S && hi < 700.0 / T)
        hi *= 2;
    for (int i = 0; i < 100; i++) {
        double mid = 0.5 * (lo + hi);
        if ((r0 / mid) * expm1(mid * T) < S)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double clock_keys(const TimelineConfig *tl, double t) {
    const TimelineKey *k = tl->keys;
    int n = tl->nkeys;
    if (t <= k[0].t)
        return k[0].step;
    if (t >= k[n - 1].t)
        return k[n - 1].step;
    int i = 0;
    while (i + 1 < n && k[i + 1].t <= t)
        i++;
    double u = (t - k[i].t) / (k[i + 1].t - k[i].t);
    return k[i].step + ease(tl->ease, u) * (k[i + 1].step - k[i].step);
}

double timeline_step(const Config *cfg, int max_steps, double t) {
    double s;
    if (cfg->timeline.nkeys > 0) {
        s = clock_keys(&cfg->timeline, t);
    } else {
        double T = cfg->video.duration;
        if (t <= 0)
            return 0;
        if (t >= T)
            return max_steps;
        double k = pace_rate(max_steps, T);
        s = k == 0 ? max_steps * t / T : expm1(k * t) / (k * TIMELINE_FIRST_STEP_S);
    }
    return s < 0 ? 0 : s > max_steps ? max_steps : s;
}

/* When the clock stops: the end of the steps, or the last key. */
static double clock_end(const Config *cfg) {
    if (cfg->timeline.nkeys > 0)
        return cfg->timeline.keys[cfg->timeline.nkeys - 1].t;
    return cfg->video.duration;
}

void timeline_moment(const Config *cfg, int max_steps, int frame, TimelineMoment *m) {
    const double dt = 1.0 / cfg->video.fps;
    double t = timeline_time(cfg, frame);
    double c = timeline_step(cfg, max_steps, t);
    /* The pace of the last moving moment: through the hold the picture
     * keeps what it showed when the clock stopped. */
    double te = fmin(t, clock_end(cfg));
    double rate = fabs(c - timeline_step(cfg, max_steps, fmax(te - dt, 0.0)));
    if (te < dt)
        rate = fabs(timeline_step(cfg, max_steps, dt) - timeline_step(cfg, max_steps, 0));
    m->t = t;
    m->rate = t > clock_end(cfg) ? 0 : rate;
    double k = floor(c), f = c - k;
    if (rate >= TIMELINE_PHASE_RATE && c < max_steps) {
        /* The newest even iterate the clock has passed: with the iterate
         * before it drawn as a ball too (frame/scene3d.c), a bounce between
         * two values shows the same two balls and the same readout end in
         * every frame, instead of a parity that changes at random with the
         * frame rate. From two steps a frame on, so the ball never steps
         * back: it moves on by more than the one iterate this drops. */
        m->step = k - fmod(k, 2.0);
    } else if (rate >= TIMELINE_SNAP_RATE) {
        m->step = k; /* the newest iterate the clock has passed */
    } else if (cfg->timeline.nkeys > 0) {
        m->step = c; /* keys say exactly where to be, fractions included */
    } else {
        /* Rest at iterate k, then hop along the step to k + 1. */
        double u = (f - TIMELINE_DWELL) / (1.0 - TIMELINE_DWELL);
        m->step = k + (u <= 0 ? 0 : ease(EASE_SMOOTH, u));
    }
    if (rate >= TIMELINE_AFTERIMAGE_RATE)
        m->recent = floor(timeline_step(cfg, max_steps, fmax(te - TIMELINE_AFTERIMAGE_S, 0.0)));
    else
        m->recent = floor(m->step) - 1;
    if (floor(m->step) - m->recent > TIMELINE_AFTERIMAGES + 1)
        m->recent = floor(m->step) - TIMELINE_AFTERIMAGES - 1;
}

double timeline_afterimage_age(const TimelineMoment *m, int i) {
    double span = floor(m->step) - m->recent;
    if (span <= 1)
        return 1;
    double a = (floor(m->step) - i) / span;
    return a < 0 ? 0 : a > 1 ? 1 : a;
}

int timeline_first_frame(const Config *cfg, int max_steps, double step) {
    const int n = config_frame_count(cfg);
    TimelineMoment m;
    for (int f = 0; f < n; f++) {
        timeline_moment(cfg, max_steps, f, &m);
        if (m.step >= step - 1e-9)
            return f;
    }
    return n;
}
