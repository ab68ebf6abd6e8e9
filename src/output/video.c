/*
 * video.c — the frame loop (see video.h).
 *
 * Worker threads take frame numbers in order and render each into a free
 * slot of a small ring; the calling thread encodes slots in frame order.
 * A worker never runs more than `nslots` frames ahead of the encoder, so
 * memory stays bounded however long the video is.
 */
#define _GNU_SOURCE /* syscall(SYS_gettid): per-thread nice */
#include "output/video.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/num.h"
#include "base/parallel.h"
#include "base/tunables.h"
#include "frame/compose.h"
#include "output/encode.h"
#include "output/subtitles.h"
#include "view/view.h"

typedef struct Pipeline {
    const Composer *composer;
    int first, end; /* the frames to render: first <= f < end */
    int nslots;
    uint8_t **slot;
    int *slot_frame; /* frame rendered into the slot, -1 while empty */
    int next_render, next_encode;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} Pipeline;

typedef struct Worker {
    Pipeline *p;
    ComposerScratch scratch;
} Worker;

static void *worker_main(void *arg) {
    Worker *w = arg;
    Pipeline *p = w->p;
    /* The encoder is the floor: rendering should fill the cores x264 leaves
     * idle, not take them from it. On Linux a thread has its own nice
     * value; elsewhere this is a harmless no-op on the process. */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next_render < p->end && p->next_render >= p->next_encode + p->nslots)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || p->next_render >= p->end)
            break;
        int f = p->next_render++;
        int s = f % p->nslots;
        pthread_mutex_unlock(&p->mu);
        compose_frame(p->composer, &w->scratch, f, p->slot[s]);
        pthread_mutex_lock(&p->mu);
        p->slot_frame[s] = f;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress_draw(int done, int total, double elapsed) {
    const int width = 30;
    int fill = total ? done * width / total : width;
    double fps = elapsed > 0 ? done / elapsed : 0;
    double eta = fps > 0 ? (total - done) / fps : 0;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %d/%d frames  %.1f fps  ETA %ds   ", bar, done, total, fps,
            num_clamp_int(eta + 0.5, 0, INT_MAX));
    fflush(stderr);
}

/* Output size: draft renders at half size (even, at least 16). */
static void output_size(const Config *cfg, Quality q, int *w, int *h) {
    *w = cfg->video.width;
    *h = cfg->video.height;
    if (q == QUALITY_DRAFT) {
        *w = (*w / 2) & ~1;
        *h = (*h / 2) & ~1;
        if (*w < 16)
            *w = 16;
        if (*h < 16)
            *h = 16;
    }
}

/* The x264 preset of a render: a draft is a preview to look at at once, so
 * it encodes with VIDEO_DRAFT_PRESET whatever [video] preset says; medium
 * and high use the config's preset. */
static const char *encode_preset(const Config *cfg, Quality q) {
    return q == QUALITY_DRAFT ? VIDEO_DRAFT_PRESET : cfg->video.preset;
}

/* What a render needs before its first frame: the view of the runs (its
 * landscape grid on `threads` threads) and the composer at the output size
 * of the quality (draft is half size). */
typedef struct Prepared {
    View view[GD_MAX_PLANES]; /* one per plane side by side; usually just [0] */
    int nviews;
    Composer composer;
} Prepared;

static Prepared *prepared_create(const Config *cfg, const Trajectory *trajs,
                                 const VideoOptions *opt, GdError *err) {
    Prepared *pr = malloc(sizeof *pr);
    if (!pr) {
        gd_error(err, GD_ERR_RUNTIME, "out of memory");
        return NULL;
    }
    int w, h;
    output_size(cfg, opt->quality, &w, &h);
    pr->nviews = cfg->surface.nplanes > 1 ? cfg->surface.nplanes : 1;
    if (view_build_planes(pr->view, cfg, trajs, opt->basins, opt->threads, err) != 0) {
        free(pr);
        return NULL;
    }
    if (compose_init_planes(&pr->composer, cfg, pr->view, pr->nviews, w, h, opt->quality, err) !=
        0) {
        for (int k = 0; k < pr->nviews; k++)
            view_free(&pr->view[k]);
        free(pr);
        return NULL;
    }
    return pr;
}

static void prepared_destroy(Prepared *pr) {
    if (!pr)
        return;
    compose_free(&pr->composer);
    for (int k = 0; k < pr->nviews; k++)
        view_free(&pr->view[k]);
    free(pr);
}

/* The ring of frame slots: one frame in flight per worker and the one the
 * encoder takes keep it busy (a spare slot, or a second frame per worker,
 * only cost memory: 6 MB a slot at 1080p, no speed); at 8K with many threads
 * that would still be gigabytes, so the ring is also held to about 512 MB
 * (but never fewer than workers + 1). Returns 0 or an error; pipeline_free undoes it either way. */
static int pipeline_init(Pipeline *p, const Composer *c, const FrameRange *range, int nworkers,
                         GdError *err) {
    memset(p, 0, sizeof *p);
    p->composer = c;
    p->first = range ? range->first : 0;
    p->end = range ? range->end : c->spec.nframes;
    p->next_render = p->next_encode = p->first;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->nslots = nworkers + 1;
    size_t frame_bytes = (size_t)c->spec.width * c->spec.height * 3;
    size_t budget = VIDEO_RING_BYTES;
    if ((size_t)p->nslots * frame_bytes > budget) {
        size_t fit = budget / frame_bytes;
        p->nslots = fit > (size_t)nworkers + 1 ? (int)fit : nworkers + 1;
    }
    p->slot = calloc((size_t)p->nslots, sizeof *p->slot);
    p->slot_frame = malloc(sizeof(int) * (size_t)p->nslots);
    if (!p->slot || !p->slot_frame)
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    for (int i = 0; i < p->nslots; i++) {
        p->slot_frame[i] = -1;
        if (!(p->slot[i] = malloc(frame_bytes)))
            return gd_error(err, GD_ERR_RUNTIME, "out of memory for frame buffers");
    }
    return 0;
}

static void pipeline_free(Pipeline *p) {
    if (p->slot)
        for (int i = 0; i < p->nslots; i++)
            free(p->slot[i]);
    free(p->slot);
    free(p->slot_frame);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
}

/* Tells the workers to stop once their frame is done. */
static void pipeline_stop(Pipeline *p) {
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* The calling thread's half: takes the slots in frame order, encodes each
 * and frees it for the workers, drawing the progress bar. */
static int encode_frames(Pipeline *p, Encoder *enc, int progress, GdError *err) {
    const int pitch = p->composer->spec.width * 3;
    double t0 = now_seconds(), last_draw = -1;
    const int total = p->end - p->first;
    for (int f = p->first; f < p->end; f++) {
        int s = f % p->nslots;
        pthread_mutex_lock(&p->mu);
        while (p->slot_frame[s] != f)
            pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        int rc = encoder_write_frame(enc, p->slot[s], pitch, err);
        pthread_mutex_lock(&p->mu);
        p->slot_frame[s] = -1;
        p->next_encode = f + 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (rc != 0)
            return rc;
        if (progress) {
            double t = now_seconds();
            if (t - last_draw > 0.1 || f + 1 == p->end) {
                progress_draw(f + 1 - p->first, total, t - t0);
                last_draw = t;
            }
        }
    }
    if (progress)
        fputc('\n', stderr);
    return 0;
}

int video_render(const Config *cfg, const Trajectory *trajs, const char *out_path,
                 const VideoOptions *opt, GdError *err) {
    size_t n = out_path ? strlen(out_path) : 0;
    if (cfg->video.subtitles && out_path && (n < 4 || strcasecmp(out_path + n - 4, ".mp4") != 0))
        return gd_error(
            err, GD_ERR_INPUT,
            "%s: [video] subtitles = yes needs an .mp4 output (or use --subtitles FILE)", out_path);
    Prepared *pr = prepared_create(cfg, trajs, opt, err);
    if (!pr)
        return err->code;
    int rc = 0;
    const Composer *c = &pr->composer;
    const int nworkers = opt->threads;
    Pipeline p;
    GdThreads threads = {0};
    Encoder *enc = NULL;
    SubtitleCue *cues = NULL;
    EncoderCue *ecues = NULL;
    int ncues = 0;
    Worker *workers = calloc((size_t)nworkers, sizeof *workers);
    if ((rc = pipeline_init(&p, c, opt->range, nworkers, err)) != 0)
        goto done;
    if (!workers) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    for (int i = 0; i < nworkers; i++) {
        workers[i].p = &p;
        if ((rc = compose_scratch_init(&workers[i].scratch, c, err)) != 0)
            goto done;
    }
    /* [video] subtitles = yes: the captions as the MP4's text track. */
    if (cfg->video.subtitles && subtitles_track(cfg, c->spec.view, &cues, &ncues) != 0) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    if (ncues > 0 && !(ecues = calloc((size_t)ncues, sizeof *ecues))) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    for (int i = 0; i < ncues; i++)
        ecues[i] = (EncoderCue){subtitles_ms(cues[i].f0, cfg->video.fps),
                                subtitles_ms(cues[i].f1, cfg->video.fps), cues[i].text};
    EncoderOptions eo = {.width = c->spec.width,
                         .height = c->spec.height,
                         .fps = cfg->video.fps,
                         .crf = cfg->video.crf,
                         .preset = encode_preset(cfg, opt->quality),
                         .version = GD_VERSION,
                         .config_text = cfg->text,
                         .title = cfg->video.title,
                         .threads = 0,
                         .cues = ecues,
                         .ncues = ncues,
                         .audio = cfg->video.audio,
                         .frames = c->spec.nframes};
    /* A segment: the whole render's settings, recorded, and x264 on -j
     * threads (its output depends on its thread count: x264's automatic
     * count would make the bytes depend on the machine). */
    static const char *const quality_names[] = {"draft", "medium", "high"};
    char settings[SEGMENT_SETTINGS_MAX];
    EncoderSegment seg;
    if (opt->range) {
        seg = (EncoderSegment){*opt->range, c->spec.nframes,
                               segment_settings(settings, sizeof settings, c->spec.width,
                                                c->spec.height, cfg->video.fps, cfg->video.crf,
                                                encode_preset(cfg, opt->quality),
                                                quality_names[opt->quality], GD_VERSION)};
        eo.segment = &seg;
        eo.threads = nworkers;
    }
    enc = encoder_open(out_path, &eo, err);
    if (!enc) {
        rc = err->code;
        goto done;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (threads_start(&threads, nworkers, worker_main, workers, sizeof workers[0]) != nworkers) {
        rc = gd_error(err, GD_ERR_RUNTIME, "cannot start render threads");
        goto done;
    }
    if ((rc = encode_frames(&p, enc, opt->progress, err)) != 0)
        goto done;
    if (!out_path) {
        /* --discard, a benchmark: the frame loop's own time, as a peer's
         * render loop is timed (set-up, simulation and exit not in it). */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        int nf = p.end - p.first;
        fprintf(stderr, "gdrender: discarded %d frames, rendered in %.3f s (%.1f fps)\n", nf, sec,
                sec > 0 ? nf / sec : 0.0);
    }
    rc = encoder_finish(enc, err);
    enc = NULL;
done:
    pipeline_stop(&p);
    threads_join(&threads);
    if (workers)
        for (int i = 0; i < nworkers; i++)
            compose_scratch_free(&workers[i].scratch);
    encoder_abort(enc);
    pipeline_free(&p);
    free(workers);
    free(ecues);
    subtitles_free_cues(cues, ncues);
    prepared_destroy(pr);
    return rc;
}

int video_render_still(const Config *cfg, const Trajectory *trajs, int frame, const char *png_path,
                       const VideoOptions *opt, GdError *err) {
    Prepared *pr = prepared_create(cfg, trajs, opt, err);
    if (!pr)
        return err->code;
    int rc = 0;
    const int w = pr->composer.spec.width, h = pr->composer.spec.height;
    ComposerScratch sc;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    if (!rgb) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    rc = compose_scratch_init(&sc, &pr->composer, err);
    if (rc == 0) {
        compose_frame(&pr->composer, &sc, frame, rgb);
        rc = encode_png(png_path, rgb, w, h, w * 3, err);
        compose_scratch_free(&sc);
    }
done:
    free(rgb);
    prepared_destroy(pr);
    return rc;
}
