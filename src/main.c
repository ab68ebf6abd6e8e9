/*
 * main.c — the command line (SPEC section 2). The only place that prints
 * usage or errors and the only place that exits.
 *
 * Exit status, base/error.h's codes: GD_OK (0) success; GD_ERR_RUNTIME (1)
 * failure at run time (I/O, encoder, out of memory, interrupted);
 * GD_ERR_INPUT (2) invalid command line or configuration.
 *
 * Pipeline place: above every stage. parse_args -> run: config_load, the
 * outputs check (check_outputs: formats, clobbering, folders, stale
 * temporary files; before any work), sim_run_all, the basin map when
 * [basins] asks for one (once, for everything that shows it), then
 * --check's summaries, the CSVs (written atomically through base/atomic)
 * and the video, a segment of it (--segment, --frames) or a still
 * (output/video.c). "gdrender join": parse_join -> run_join: the segments
 * checked as inputs and the output as outputs are, then read, planned
 * (output/segment.c) and stream-copied (output/encode.c).
 * The signal handler removes every pending temporary file
 * (atomic_cleanup_on_signal) before it exits.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic.h"
#include "base/error.h"
#include "base/files.h"
#include "base/parallel.h"
#include "base/watch.h"
#include "config/config.h"
#include "draw/text.h"
#include "sim/basins.h"
#include "sim/sim.h"
#include "output/encode.h"
#include "output/segment.h"
#include "output/audio.h"
#include "output/subtitles.h"
#include "output/timeline_csv.h"
#include "output/video.h"
#include "view/view.h"
#include "templates.h"

#define MAX_OVERRIDES 256

static const char usage_text[] =
    "Usage: gdrender [OPTIONS] CONFIG.ini\n"
    "       gdrender new [TEMPLATE] > CONFIG.ini\n"
    "       gdrender join -o OUT.mp4 SEGMENT.mp4...\n"
    "\n"
    "Renders a video of gradient descent on a 3D loss surface from an INI config.\n"
    "\n"
    "Common commands:\n"
    "  gdrender new > lesson.ini         a commented config to start from (new --list)\n"
    "  gdrender lesson.ini               render the video: renders/lesson.mp4\n"
    "  gdrender -f 120 lesson.ini        only frame 120, as renders/lesson-120.png\n"
    "  gdrender -q draft lesson.ini      a quick preview (half size, no anti-aliasing)\n"
    "  gdrender --check lesson.ini       check the config, simulate, a line per run\n"
    "  gdrender --watch -f 120 lesson.ini\n"
    "                                    re-render the still whenever the config changes\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE       output file; the extension picks the format: .mp4 (H.264),\n"
    "                          .webm (VP9), .gif, .png (one still: the last frame, or -f N).\n"
    "                          Default: [video] output, else renders/<config stem>.mp4\n"
    "  -f, --frame N           render only frame N (0-based) as a PNG still\n"
    "                          (default output renders/<stem>-N.png)\n"
    "  -q, --quality Q         draft (half size, no anti-aliasing), medium or high\n"
    "                          (default: [video] quality, else medium)\n"
    "      --set SEC.KEY=VAL   override one config value (repeatable); a named run is\n"
    "                          run.NAME.key, e.g. --set run.good.lr=1.0\n"
    "      --check             parse, simulate and print one summary line per run;\n"
    "                          write no video (with --trajectory, only the CSV)\n"
    "      --watch             re-render whenever the config or its data file changes: a\n"
    "                          still with -f N, else a draft video; prints each result's\n"
    "                          path and any config error, until Ctrl-C\n"
    "      --trajectory FILE   also write every run's trajectory as CSV\n"
    "      --timeline FILE     also write what every frame shows, per run, as CSV\n"
    "                          (time, camera, step, the ball's parameters and loss)\n"
    "      --subtitles FILE    also write the captions as subtitles, .vtt or .srt,\n"
    "                          timed as the frames draw them\n"
    "      --basins FILE       also write the basin map ([basins]) as CSV: each start,\n"
    "                          where it ends, its loss, its minimum and its status\n"
    "      --discard           render every frame and throw it away (benchmarks;\n"
    "                          like ffmpeg's -f null); prints the frame loop's time\n"
    "      --segment K/N       render only the K-th (0..N-1) of N near-equal frame ranges,\n"
    "                          as an MP4 segment for gdrender join (default output\n"
    "                          renders/<stem>-frames-A-B.mp4)\n"
    "      --frames A:B        render only frames A <= f < B, as an MP4 segment\n"
    "  -j, --threads N         render threads, and a segment's encoder threads (default:\n"
    "                          the CPUs this process may use: its affinity, capped by\n"
    "                          SLURM_CPUS_PER_TASK and the cgroup's CPU quota)\n"
    "      --no-progress       no progress bar (it is off anyway when stderr is not\n"
    "                          a terminal)\n"
    "  -h, --help              show this help and exit\n"
    "  -V, --version           show the version and exit\n"
    "\n"
    "new: prints a starting config to stdout: lr (the default), formula, minima,\n"
    "compare or csv; gdrender new --list says what each one shows.\n"
    "join: stream-copies segments of one video (any order) into OUT.mp4 without\n"
    "re-encoding; mixed configs or settings, a gap, an overlap or a damaged segment\n"
    "are refused (exit 2) and nothing is written.\n"
    "\n"
    "Exit status: 0 success, 1 failure at run time, 2 invalid command line or config.\n"
    "More examples:\n"
    "  gdrender -o lesson.gif --set video.width=640 --set video.height=360 lesson.ini\n"
    "  gdrender --check --set run.descent.lr=0.5 configs/linear.ini\n"
    "  gdrender --segment 0/4 -o part-0.mp4 configs/linear.ini   (... 3/4)\n"
    "  gdrender join -o linear.mp4 part-*.mp4\n"
    "\n"
    "Full reference: man gdrender\n";

/* What the command line asks for. */
typedef enum Action {
    ACTION_RENDER,  /* load, simulate, then --check, --discard, a still or a video */
    ACTION_HELP,    /* -h: print the usage and exit */
    ACTION_VERSION, /* -V: print the version and exit */
    ACTION_JOIN,    /* join -o OUT SEGMENT...: join segments */
} Action;

typedef struct Options {
    Action action;
    const char *config;
    const char *output;
    const char *trajectory;
    const char *timeline;
    const char *subtitles;
    const char *basins;
    int frame;   /* -1: whole video */
    int quality; /* -1: from config */
    int check, discard, progress, threads;
    int watch;
    int seg_k, seg_n;  /* --segment K/N; seg_n 0 when not given */
    FrameRange frames; /* --frames A:B; frames.end 0 when not given */
    char **segments;   /* join: the segment files */
    int nsegments;
    ConfigOverride overrides[MAX_OVERRIDES];
    int noverrides;
} Options;

/* Set when the progress bar may be on stderr's current line. */
static volatile sig_atomic_t progress_line;
/* Set in --watch mode, where Ctrl-C is the way out: exit status 0. */
static volatile sig_atomic_t watching;

static void on_signal(int sig) {
    atomic_cleanup_on_signal(); /* partial videos, stills and CSVs */
    if (watching && sig == SIGINT) {
        if (progress_line) {
            ssize_t ignored = write(2, "\n", 1);
            (void)ignored;
        }
        _exit(GD_OK);
    }
    static const char msg[] = "\ngdrender: interrupted\n";
    /* Start a new line only after a progress bar: one line either way. */
    int skip = progress_line ? 0 : 1;
    ssize_t ignored = write(2, msg + skip, sizeof msg - 1 - skip);
    (void)ignored;
    _exit(GD_ERR_RUNTIME);
}

/* *out = s as a decimal integer in [lo, hi]: GD_OK, else GD_ERR_INPUT (the
 * caller words the message). */
static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return GD_ERR_INPUT;
    *out = v;
    return GD_OK;
}

/* Fills o from the command line. Returns GD_OK (then o->action says what
 * to do; for ACTION_HELP and ACTION_VERSION nothing after the option is
 * looked at), or GD_ERR_INPUT with err filled. */
static int parse_args(int argc, char **argv, Options *o, GdError *err) {
    enum {
        OPT_SET = 256,
        OPT_TRAJ,
        OPT_TIMELINE,
        OPT_SUBTITLES,
        OPT_BASINS,
        OPT_CHECK,
        OPT_NOPROG,
        OPT_DISCARD,
        OPT_SEGMENT,
        OPT_FRAMES,
        OPT_WATCH
    };
    static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                          {"frame", required_argument, NULL, 'f'},
                                          {"quality", required_argument, NULL, 'q'},
                                          {"set", required_argument, NULL, OPT_SET},
                                          {"trajectory", required_argument, NULL, OPT_TRAJ},
                                          {"timeline", required_argument, NULL, OPT_TIMELINE},
                                          {"subtitles", required_argument, NULL, OPT_SUBTITLES},
                                          {"basins", required_argument, NULL, OPT_BASINS},
                                          {"check", no_argument, NULL, OPT_CHECK},
                                          {"discard", no_argument, NULL, OPT_DISCARD},
                                          {"segment", required_argument, NULL, OPT_SEGMENT},
                                          {"frames", required_argument, NULL, OPT_FRAMES},
                                          {"threads", required_argument, NULL, 'j'},
                                          {"no-progress", no_argument, NULL, OPT_NOPROG},
                                          {"watch", no_argument, NULL, OPT_WATCH},
                                          {"help", no_argument, NULL, 'h'},
                                          {"version", no_argument, NULL, 'V'},
                                          {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->action = ACTION_RENDER;
    o->frame = -1;
    o->quality = -1;
    o->progress = 1;
    o->threads = parallel_available_cpus();
    opterr = 0; /* we word the errors ourselves */
    int c;
    long v;
    while ((c = getopt_long(argc, argv, ":o:f:q:j:hV", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            if (parse_int(optarg, 0, 100000000, &v) != GD_OK)
                return gd_error(err, GD_ERR_INPUT,
                                "--frame: expected a frame number (0, 1, ...), got \"%s\"", optarg);
            o->frame = (int)v;
            break;
        case 'q':
            if (strcmp(optarg, "draft") == 0)
                o->quality = QUALITY_DRAFT;
            else if (strcmp(optarg, "medium") == 0)
                o->quality = QUALITY_MEDIUM;
            else if (strcmp(optarg, "high") == 0)
                o->quality = QUALITY_HIGH;
            else
                return gd_error(err, GD_ERR_INPUT,
                                "--quality: expected draft, medium or high, got \"%s\"", optarg);
            break;
        case 'j':
            if (parse_int(optarg, 1, 256, &v) != GD_OK)
                return gd_error(err, GD_ERR_INPUT,
                                "--threads: expected a number from 1 to 256, got \"%s\"", optarg);
            o->threads = (int)v;
            break;
        case OPT_SET:
            if (o->noverrides == MAX_OVERRIDES)
                return gd_error(err, GD_ERR_INPUT, "--set: at most %d overrides", MAX_OVERRIDES);
            o->overrides[o->noverrides++].text = optarg;
            break;
        case OPT_TRAJ:
            o->trajectory = optarg;
            break;
        case OPT_TIMELINE:
            o->timeline = optarg;
            break;
        case OPT_SUBTITLES:
            if (subtitles_format(optarg) < 0)
                return gd_error(err, GD_ERR_INPUT,
                                "--subtitles %s: the file name must end in .vtt or .srt", optarg);
            o->subtitles = optarg;
            break;
        case OPT_BASINS:
            o->basins = optarg;
            break;
        case OPT_CHECK:
            o->check = 1;
            break;
        case OPT_DISCARD:
            o->discard = 1;
            break;
        case OPT_SEGMENT:
            if (segment_parse_index(optarg, &o->seg_k, &o->seg_n, err) != GD_OK)
                return err->code;
            break;
        case OPT_FRAMES:
            if (segment_parse_frames(optarg, &o->frames, err) != GD_OK)
                return err->code;
            break;
        case OPT_NOPROG:
            o->progress = 0;
            break;
        case OPT_WATCH:
            o->watch = 1;
            break;
        case 'h':
            o->action = ACTION_HELP;
            return GD_OK;
        case 'V':
            o->action = ACTION_VERSION;
            return GD_OK;
        case ':':
            return gd_error(err, GD_ERR_INPUT, "%s: missing value (see gdrender --help)",
                            argv[optind - 1]);
        default:
            return gd_error(err, GD_ERR_INPUT, "unknown option \"%s\" (see gdrender --help)",
                            argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return gd_error(err, GD_ERR_INPUT, "missing CONFIG.ini (see gdrender --help)");
    if (optind + 1 < argc)
        return gd_error(err, GD_ERR_INPUT, "one config at a time: unexpected \"%s\"",
                        argv[optind + 1]);
    o->config = argv[optind];
    if (o->discard && (o->output || o->frame >= 0 || o->check))
        return gd_error(err, GD_ERR_INPUT,
                        "--discard writes no file: it cannot be combined with %s",
                        o->output       ? "--output"
                        : o->frame >= 0 ? "--frame"
                                        : "--check");
    if (o->check && (o->output || o->frame >= 0))
        return gd_error(err, GD_ERR_INPUT, "--check writes no video: it cannot be combined with %s",
                        o->output ? "--output" : "--frame");
    const char *range = o->seg_n ? "--segment" : o->frames.end ? "--frames" : NULL;
    if (o->seg_n && o->frames.end)
        return gd_error(err, GD_ERR_INPUT,
                        "--segment and --frames cannot be combined (one range at a time)");
    if (o->watch && (o->check || o->discard || range))
        return gd_error(err, GD_ERR_INPUT,
                        "--watch renders a still or a video: it cannot be combined with %s",
                        o->check     ? "--check"
                        : o->discard ? "--discard"
                                     : range);
    if (range && (o->check || o->frame >= 0))
        return gd_error(err, GD_ERR_INPUT,
                        "%s renders part of a video: it cannot be combined with %s", range,
                        o->check ? "--check" : "--frame");
    return GD_OK;
}

/* gdrender join -o OUT.mp4 SEGMENT...: fills o (ACTION_JOIN, or
 * ACTION_HELP for -h). */
static int parse_join(int argc, char **argv, Options *o, GdError *err) {
    static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->action = ACTION_JOIN;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'h':
            o->action = ACTION_HELP;
            return GD_OK;
        case ':':
            return gd_error(err, GD_ERR_INPUT, "join: %s: missing value (see gdrender --help)",
                            argv[optind - 1]);
        default:
            return gd_error(err, GD_ERR_INPUT, "join: unknown option \"%s\" (see gdrender --help)",
                            argv[optind - 1]);
        }
    }
    if (!o->output)
        return gd_error(err, GD_ERR_INPUT, "join: missing -o OUT.mp4 (see gdrender --help)");
    if (optind >= argc)
        return gd_error(err, GD_ERR_INPUT, "join: no segments to join (see gdrender --help)");
    o->segments = argv + optind;
    o->nsegments = argc - optind;
    return GD_OK;
}

/* Case-insensitive, as the encoder picks formats: "Frame.PNG" is a PNG. */
static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Writes the trajectory CSV atomically (base/atomic: a temporary file
 * beside path, renamed into place), so a failure or an interrupt never
 * leaves a partial CSV. */
typedef struct CsvSource {
    const Config *cfg;
    const Trajectory *trajs;
    const View *view;
    int format;             /* subtitles: SubtitleFormat */
    const BasinMap *basins; /* --basins */
} CsvSource;

typedef int (*CsvWriter)(FILE *f, const CsvSource *src);

static int trajectory_csv(FILE *f, const CsvSource *src) {
    return plane_write_csv(f, src->cfg, src->trajs, NULL);
}

static int timeline_csv(FILE *f, const CsvSource *src) {
    return timeline_csv_write(f, src->cfg, src->view);
}

static int subtitles_file(FILE *f, const CsvSource *src) {
    return subtitles_write(f, src->cfg, src->view, (SubtitleFormat)src->format);
}

static int basins_csv(FILE *f, const CsvSource *src) {
    return basins_write_csv(f, src->cfg, src->basins);
}

static int write_csv(const char *path, CsvWriter write, const CsvSource *src, GdError *err) {
    AtomicFile out = {0};
    int rc = atomic_file_create(&out, path, err);
    if (rc != GD_OK)
        return rc;
    FILE *f = fopen(out.tmp_path, "w");
    if (!f) {
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    int bad = write(f, src);
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = -1;
        e = errno;
    }
    if (bad) {
        rc = gd_error(err, GD_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(e));
        goto done;
    }
    rc = atomic_file_commit(&out, err);
done:
    atomic_file_abort(&out);
    return rc;
}

/* Default outputs go to renders/ under the current directory, created on
 * first use; explicit paths must name an existing folder. */
static int default_output(const Config *cfg, int frame, const FrameRange *range, char *buf,
                          size_t size, GdError *err) {
    if (mkdir("renders", 0777) != 0 && errno != EEXIST)
        return gd_error(err, GD_ERR_RUNTIME, "renders: cannot create folder: %s", strerror(errno));
    if (range)
        snprintf(buf, size, "renders/%s-frames-%d-%d.mp4", cfg->stem, range->first, range->end);
    else if (frame >= 0)
        snprintf(buf, size, "renders/%s-%d.png", cfg->stem, frame);
    else
        snprintf(buf, size, "renders/%s.mp4", cfg->stem);
    return GD_OK;
}

/* The outputs of this run, in the order they are checked. */
enum { OUT_VIDEO, OUT_TRAJECTORY, OUT_TIMELINE, OUT_SUBTITLES, OUT_BASINS, OUT_COUNT };

/* What can be known without simulating or rendering is checked before
 * either, so a render never fails at its end for a reason it could have
 * found at its start: the output's format and encoder, that no output
 * would overwrite an input of the run or another output (base/files), and
 * that each output's folder takes a new file, after removing stale
 * temporary files of it (base/atomic). targets[i] gets the file each
 * output writes (malloc'd, NULL for an output not asked for): its path,
 * or where the symbolic link it names leads. */
static int check_outputs(const Options *o, const Config *cfg, const char *video, int still,
                         char **targets, GdError *err) {
    for (int i = 0; i < OUT_COUNT; i++)
        targets[i] = NULL;
    if (video && encoder_check_output(video, still >= 0, err) != GD_OK)
        return err->code;
    size_t vn = video ? strlen(video) : 0;
    if (video && still < 0 && cfg->video.subtitles &&
        (vn < 4 || strcasecmp(video + vn - 4, ".mp4") != 0))
        return gd_error(
            err, GD_ERR_INPUT,
            "%s: [video] subtitles = yes needs an .mp4 output (or use --subtitles FILE)", video);
    FileRole inputs[4];
    int nin = 0;
    inputs[nin++] = (FileRole){"the config file", cfg->path};
    if (cfg->data.from_file)
        inputs[nin++] = (FileRole){"the data file", cfg->data.file};
    inputs[nin++] =
        (FileRole){"the font", cfg->video.font[0] ? cfg->video.font : text_default_font()};
    if (cfg->video.audio[0])
        inputs[nin++] = (FileRole){"the audio file", cfg->video.audio};
    FileRole outputs[OUT_COUNT];
    int slot[OUT_COUNT], nout = 0;
    if (video) {
        slot[nout] = OUT_VIDEO;
        outputs[nout++] = (FileRole){o->output              ? "--output"
                                     : cfg->video.output[0] ? "[video] output"
                                                            : "the default output",
                                     video};
    }
    if (o->trajectory) {
        slot[nout] = OUT_TRAJECTORY;
        outputs[nout++] = (FileRole){"--trajectory", o->trajectory};
    }
    if (o->timeline) {
        slot[nout] = OUT_TIMELINE;
        outputs[nout++] = (FileRole){"--timeline", o->timeline};
    }
    if (o->subtitles) {
        slot[nout] = OUT_SUBTITLES;
        outputs[nout++] = (FileRole){"--subtitles", o->subtitles};
    }
    if (o->basins) {
        slot[nout] = OUT_BASINS;
        outputs[nout++] = (FileRole){"--basins", o->basins};
    }
    char *found[OUT_COUNT];
    int rc = files_check_outputs(inputs, nin, outputs, nout, found, err);
    for (int i = 0; i < nout; i++)
        targets[slot[i]] = found[i];
    /* The format follows the name of the file written: through a link,
     * the name it points to must pass the same rules. */
    const char *vt = targets[OUT_VIDEO];
    if (rc == GD_OK && vt && strcmp(vt, video) != 0) {
        if (still >= 0 && !ends_with(vt, ".png"))
            rc = gd_error(err, GD_ERR_INPUT,
                          "%s: a PNG still is written through %s: the file it "
                          "names must end in .png",
                          vt, video);
        else
            rc = encoder_check_output(vt, still >= 0, err);
    }
    for (int i = 0; i < nout && rc == GD_OK; i++)
        rc = atomic_file_prepare(found[i], err);
    return rc;
}

/* What a render read and wrote, for --watch: the files to watch and the
 * output to name. */
typedef struct RunReport {
    char inputs[3][GD_PATH_MAX]; /* the data file and the audio file, when the config has them */
    int ninputs;
    char output[GD_PATH_MAX + 64]; /* the still or video written ("" if none) */
} RunReport;

static int run(const Options *o, RunReport *rep, GdError *err) {
    Config cfg;
    int rc = config_load(o->config, o->overrides, o->noverrides, &cfg, err);
    if (rc != GD_OK)
        return rc;
    if (rep) {
        rep->ninputs = 0;
        if (cfg.data.from_file)
            snprintf(rep->inputs[rep->ninputs++], GD_PATH_MAX, "%s", cfg.data.file);
        if (cfg.video.audio[0])
            snprintf(rep->inputs[rep->ninputs++], GD_PATH_MAX, "%s", cfg.video.audio);
    }
    /* [video] audio must decode, or the config is refused (--check too),
     * at the key's file:line. */
    if (cfg.video.audio[0] && (rc = audio_probe(cfg.video.audio, err)) != GD_OK) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        if (rc == GD_ERR_INPUT)
            gd_error(err, rc, "%s: %s", cfg.video.audio_where, msg);
        config_free(&cfg);
        return rc;
    }
    char *targets[OUT_COUNT] = {NULL, NULL, NULL, NULL, NULL};
    BasinMap basins;
    int have_basins = 0;
    Trajectory *trajs = calloc((size_t)cfg.nruns, sizeof *trajs);
    if (!trajs) {
        config_free(&cfg);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    }
    char path[GD_PATH_MAX + 64];
    int nframes = config_frame_count(&cfg);
    if (o->frame >= nframes) {
        rc = gd_error(err, GD_ERR_INPUT, "--frame %d: the video has %d frames (0..%d)", o->frame,
                      nframes, nframes - 1);
        goto done;
    }
    /* --segment or --frames: the range, an MP4 segment. */
    const char *range_opt = o->seg_n ? "--segment" : o->frames.end ? "--frames" : NULL;
    FrameRange range = {0, 0};
    if (range_opt &&
        (rc = segment_resolve(nframes, o->seg_k, o->seg_n, &o->frames, &range, err)) != GD_OK)
        goto done;
    if (range_opt && cfg.video.subtitles) {
        rc = gd_error(err, GD_ERR_INPUT,
                      "%s: [video] subtitles = yes is not made in segments (set "
                      "video.subtitles=no; --subtitles FILE writes the captions)",
                      range_opt);
        goto done;
    }
    if (range_opt && cfg.video.audio[0]) {
        rc = gd_error(err, GD_ERR_INPUT,
                      "%s: [video] audio is not made in segments (render the whole video to "
                      "have the sound track)",
                      range_opt);
        goto done;
    }
    const char *out = NULL;
    int still = o->frame;
    if (!o->check && !o->discard) {
        if (o->output)
            out = o->output;
        else if (o->frame < 0 && !range_opt && cfg.video.output[0])
            out = cfg.video.output;
        else if ((rc = default_output(&cfg, o->frame, range_opt ? &range : NULL, path, sizeof path,
                                      err)) != GD_OK)
            goto done;
        else
            out = path;
        if (range_opt && !ends_with(out, ".mp4")) {
            rc = gd_error(err, GD_ERR_INPUT,
                          "%s: %s writes an MP4 segment: the output must end in .mp4", out,
                          range_opt);
            goto done;
        }
        if (o->frame >= 0 && !ends_with(out, ".png")) {
            rc = gd_error(err, GD_ERR_INPUT,
                          "%s: --frame writes a PNG still: the output must end in .png", out);
            goto done;
        }
        if (still < 0 && ends_with(out, ".png"))
            still = nframes - 1; /* a .png output is the final picture */
    }
    if (o->basins && !cfg.basins.enabled) {
        rc = gd_error(err, GD_ERR_INPUT, "--basins %s: the config has no [basins] section",
                      o->basins);
        goto done;
    }
    if ((rc = check_outputs(o, &cfg, out, still, targets, err)) != GD_OK)
        goto done;
    if (out && still < 0 && cfg.video.audio[0] && ends_with(out, ".gif"))
        fprintf(stderr, "gdrender: warning: %s: a GIF has no sound: [video] audio is ignored\n",
                out);

    rc = sim_run_all(&cfg, trajs, err);
    if (rc != GD_OK)
        goto done;
    /* A config the render would refuse is refused before anything is
     * written, --check included. */
    if ((rc = view_check(&cfg, trajs, err)) != GD_OK)
        goto done;
    CsvSource src = {&cfg, trajs, NULL, 0, NULL};
    if (o->trajectory &&
        (rc = write_csv(targets[OUT_TRAJECTORY], trajectory_csv, &src, err)) != GD_OK)
        goto done;
    /* The basin map, once, for everything that shows it. */
    if (cfg.basins.enabled && (o->basins || o->timeline || o->subtitles || !o->check)) {
        if ((rc = view_basins(&cfg, trajs, o->threads, &basins, err)) != GD_OK)
            goto done;
        have_basins = 1;
        src.basins = &basins;
    }
    if (o->basins && (rc = write_csv(targets[OUT_BASINS], basins_csv, &src, err)) != GD_OK)
        goto done;
    if (o->timeline || o->subtitles) {
        /* What the frames show needs the view: drawn rows, the orbit. */
        View *view = malloc(sizeof *view);
        if (!view) {
            rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
            goto done;
        }
        rc = view_build_with(view, &cfg, trajs, src.basins, o->threads, err);
        if (rc == GD_OK) {
            src.view = view;
            if (o->timeline)
                rc = write_csv(targets[OUT_TIMELINE], timeline_csv, &src, err);
            if (rc == GD_OK && o->subtitles) {
                src.format = subtitles_format(o->subtitles);
                rc = write_csv(targets[OUT_SUBTITLES], subtitles_file, &src, err);
            }
            view_free(view);
        }
        free(view);
        if (rc != GD_OK)
            goto done;
    }
    if (o->check) {
        char line[GD_MAX_PARAMS * 96 + 256]; /* name=value for every parameter */
        for (int r = 0; r < cfg.nruns; r++) {
            sim_format_summary(line, sizeof line, &cfg, &trajs[r]);
            puts(line);
        }
        goto done;
    }

    VideoOptions vo = {.threads = o->threads,
                       .progress = o->progress && isatty(2),
                       .quality = o->quality >= 0 ? (Quality)o->quality : cfg.video.quality,
                       .range = range_opt ? &range : NULL,
                       .basins = have_basins ? &basins : NULL};
    progress_line = vo.progress;
    if (still >= 0)
        rc = video_render_still(&cfg, trajs, still, targets[OUT_VIDEO], &vo, err);
    else
        rc = video_render(&cfg, trajs, o->discard ? NULL : targets[OUT_VIDEO], &vo, err);
    if (rc == GD_OK && rep && out)
        snprintf(rep->output, sizeof rep->output, "%s", out);

done:
    if (have_basins)
        basins_free(&basins);
    for (int i = 0; i < OUT_COUNT; i++)
        free(targets[i]);
    for (int r = 0; r < cfg.nruns; r++)
        trajectory_free(&trajs[r]);
    free(trajs);
    config_free(&cfg);
    return rc;
}

/* --watch: render, print the output's path (stdout) or the error (stderr,
 * as a failed run prints it), wait for the config, its data file or its
 * audio file to change (base/watch: inotify, 100 ms debounce), render
 * again; until SIGINT, which on_signal turns into exit status 0 once the
 * temporary files are gone. A video is a draft unless -q says otherwise.
 * Returns only when the watching itself fails. */
static int run_watch(const Options *opts, GdError *err) {
    Options o = *opts;
    if (o.frame < 0 && o.quality < 0)
        o.quality = QUALITY_DRAFT;
    Watcher *w = watch_create(err);
    if (!w)
        return err->code;
    watching = 1;
    RunReport rep = {.ninputs = 0};
    const char *files[4] = {o.config};
    int rc = watch_set_files(w, files, 1, err);
    while (rc == GD_OK) {
        rep.output[0] = '\0';
        GdError re;
        gd_error_clear(&re);
        if (run(&o, &rep, &re) == GD_OK)
            printf("%s\n", rep.output[0] ? rep.output : o.config);
        else
            fprintf(stderr, "gdrender: %s\n", re.msg);
        fflush(stdout);
        /* After a config error, the files of the last good config. */
        int n = 1;
        for (int i = 0; i < rep.ninputs; i++)
            files[n++] = rep.inputs[i];
        if ((rc = watch_set_files(w, files, n, err)) != GD_OK || watch_wait(w, 100, err) < 0)
            rc = err->code ? err->code : GD_ERR_RUNTIME;
    }
    watching = 0;
    watch_destroy(w);
    return rc;
}

/* gdrender join: the inputs checked as inputs are (regular files, each
 * once), the output as outputs are (not a segment, a folder that takes
 * it), then every segment's metadata read and planned before the first
 * packet is copied (SPEC section 7). */
static int run_join(const Options *o, GdError *err) {
    int n = o->nsegments, rc = GD_OK;
    const char *out = o->output;
    if (!ends_with(out, ".mp4"))
        return gd_error(err, GD_ERR_INPUT, "%s: join writes an MP4: the output must end in .mp4",
                        out);
    SegmentInfo *segs = calloc((size_t)n, sizeof *segs);
    FileRole *inputs = calloc((size_t)n, sizeof *inputs);
    struct stat *st = calloc((size_t)n, sizeof *st);
    int *order = calloc((size_t)n, sizeof *order);
    char *target = NULL;
    if (!segs || !inputs || !st || !order) {
        rc = gd_error(err, GD_ERR_RUNTIME, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        const char *why;
        int fd = files_open_input(o->segments[i], &st[i], &why);
        if (fd < 0) {
            rc = gd_error(err, GD_ERR_INPUT, "%s: cannot read segment: %s", o->segments[i], why);
            goto done;
        }
        close(fd);
        for (int j = 0; j < i; j++)
            if (st[j].st_dev == st[i].st_dev && st[j].st_ino == st[i].st_ino) {
                rc = gd_error(err, GD_ERR_INPUT, "%s: the same file as %s: each segment once",
                              o->segments[i], o->segments[j]);
                goto done;
            }
        inputs[i] = (FileRole){"the segment", o->segments[i]};
        segs[i].path = o->segments[i];
    }
    FileRole output = {"--output", out};
    if ((rc = files_check_outputs(inputs, n, &output, 1, &target, err)) != GD_OK ||
        (rc = atomic_file_prepare(target, err)) != GD_OK)
        goto done;
    for (int i = 0; i < n; i++)
        if ((rc = encoder_probe_segment(&segs[i], err)) != GD_OK)
            goto done;
    if ((rc = segment_plan(segs, n, order, err)) != GD_OK)
        goto done;
    rc = encoder_join(target, GD_VERSION, segs, order, n, err);
done:
    if (segs)
        for (int i = 0; i < n; i++)
            free(segs[i].params);
    free(target);
    free(segs);
    free(inputs);
    free(st);
    free(order);
    return rc;
}

/* gdrender new [TEMPLATE]: the template's config on stdout; -l, --list,
 * -h or --help list the templates. */
static void list_templates(FILE *f) {
    int n;
    const Template *t = templates_all(&n);
    fprintf(f,
            "Usage: gdrender new [TEMPLATE] > FILE.ini\n"
            "Prints a commented starting config (default: %s). Templates:\n",
            TEMPLATE_DEFAULT);
    for (int i = 0; i < n; i++)
        fprintf(f, "  %-9s %s\n", t[i].name, t[i].summary);
}

static int run_new(int argc, char **argv, GdError *err) {
    const char *name = TEMPLATE_DEFAULT;
    if (argc > 1) {
        const char *a = argv[1];
        if (strcmp(a, "-l") == 0 || strcmp(a, "--list") == 0 || strcmp(a, "-h") == 0 ||
            strcmp(a, "--help") == 0) {
            list_templates(stdout);
            return GD_OK;
        }
        if (a[0] == '-')
            return gd_error(err, GD_ERR_INPUT,
                            "new: unknown option \"%s\" (see gdrender new --list)", a);
        if (argc > 2)
            return gd_error(err, GD_ERR_INPUT, "new: one template at a time: unexpected \"%s\"",
                            argv[2]);
        name = a;
    }
    const Template *t = templates_find(name);
    if (!t) {
        int n;
        const Template *all = templates_all(&n);
        char names[256] = "";
        size_t len = 0;
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                                    all[i].name);
        return gd_error(err, GD_ERR_INPUT, "new: unknown template \"%s\" (templates: %s)", name,
                        names);
    }
    if (fputs(t->text, stdout) == EOF || fflush(stdout) != 0)
        return gd_error(err, GD_ERR_RUNTIME, "new: cannot write the config: %s", strerror(errno));
    return GD_OK;
}

int main(int argc, char **argv) {
    Options o;
    GdError err;
    gd_error_clear(&err);
    if (argc > 1 && strcmp(argv[1], "new") == 0) {
        int rc = run_new(argc - 1, argv + 1, &err);
        if (rc != GD_OK)
            fprintf(stderr, "gdrender: %s\n", err.msg);
        return rc;
    }
    int join = argc > 1 && strcmp(argv[1], "join") == 0;
    int rc = join ? parse_join(argc - 1, argv + 1, &o, &err) : parse_args(argc, argv, &o, &err);
    if (rc == GD_OK && o.action == ACTION_HELP) {
        fputs(usage_text, stdout);
        return GD_OK;
    }
    if (rc == GD_OK && o.action == ACTION_VERSION) {
        printf("gdrender %s\n", GD_VERSION);
        return GD_OK;
    }
    if (rc == GD_OK) {
        encoder_set_libav_verbose(0);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        rc = o.action == ACTION_JOIN ? run_join(&o, &err)
             : o.watch               ? run_watch(&o, &err)
                                     : run(&o, NULL, &err);
    }
    if (rc != GD_OK) {
        fflush(stdout);
        fprintf(stderr, "gdrender: %s\n", err.msg);
        return err.code ? err.code : rc;
    }
    return GD_OK;
}
