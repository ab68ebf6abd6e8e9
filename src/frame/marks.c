/*
 * marks.c — see marks.h.
 */
#include "frame/marks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "loss 0.01135", with [labels] loss. */
static void value_text(const Config *cfg, double loss, char *out, size_t size) {
    snprintf(out, size, "%s %.4g", cfg->labels.loss, loss);
}

int frame_points_make(const Config *cfg, const View *view, const float ink[3], FramePoint *out) {
    int n = 0;
    for (int m = 0; m < view->nmarks && m < cfg->nmarks && n < FRAME_MAX_POINTS; m++) {
        const MarkConfig *mk = &cfg->marks[m];
        FramePoint *p = &out[n++];
        memset(p, 0, sizeof *p);
        p->uv[0] = view->marks[m].uv[0];
        p->uv[1] = view->marks[m].uv[1];
        p->loss = view->marks[m].loss;
        if (mk->has_color) {
            p->color[0] = mk->color.r / 255.0f;
            p->color[1] = mk->color.g / 255.0f;
            p->color[2] = mk->color.b / 255.0f;
        } else {
            memcpy(p->color, ink, sizeof p->color);
        }
        snprintf(p->name, sizeof p->name, "%s", mk->text);
        value_text(cfg, p->loss, p->value, sizeof p->value);
    }
    const Landscape *ls = &view->land;
    for (int k = 0; k < view->nminima && n < FRAME_MAX_POINTS; k++) {
        const ViewMinimum *mn = &view->minima[k];
        int covered = 0;
        for (int m = 0; m < view->nmarks && !covered; m++) {
            double d = 0;
            for (int i = 0; i < 2; i++) {
                double e = (mn->uv[i] - view->marks[m].uv[i]) / (ls->hi[i] - ls->lo[i]);
                d += e * e;
            }
            covered = sqrt(d) < FRAME_POINT_MERGE;
        }
        if (covered)
            continue;
        FramePoint *p = &out[n++];
        memset(p, 0, sizeof *p);
        p->uv[0] = mn->uv[0];
        p->uv[1] = mn->uv[1];
        p->loss = mn->loss;
        p->minimum = mn->global ? 2 : 1;
        p->color[0] = p->color[1] = p->color[2] = 1.0f;
        snprintf(p->name, sizeof p->name, "%s",
                 mn->global ? cfg->labels.global_minimum : cfg->labels.minimum);
        value_text(cfg, p->loss, p->value, sizeof p->value);
    }
    return n;
}

static int overlaps(Rect a, Rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

int frame_obstacles_free(const FrameObstacles *o, Rect r) {
    if (r.x < o->area.x || r.y < o->area.y || r.x + r.w > o->area.x + o->area.w ||
        r.y + r.h > o->area.y + o->area.h)
        return 0;
    for (int i = 0; i < o->nrect; i++)
        if (i != o->own && overlaps(r, o->rect[i]))
            return 0;
    const double lo[2] = {r.x - o->seg_hw, r.y - o->seg_hw};
    const double hi[2] = {r.x + r.w + o->seg_hw, r.y + r.h + o->seg_hw};
    for (int i = 0; i < o->nseg; i++) {
        const double a[2] = {o->seg[i][0], o->seg[i][1]}, b[2] = {o->seg[i][2], o->seg[i][3]};
        double t0, t1;
        if (geom_clip_segment(2, a, b, lo, hi, 0, &t0, &t1))
            return 0;
    }
    return 1;
}

int frame_label_place(TextRenderer *tr, const FramePoint *p, double px, double pad, double x,
                      double y, double reach, FrameObstacles *o, FrameLabel *out) {
    if (o->nrect >= o->cap)
        return 0;
    float w0, w1, asc, desc;
    text_measure(tr, p->name, (float)px, &w0, &asc, &desc);
    text_measure(tr, p->value, (float)px, &w1, &asc, &desc);
    const double gap = 0.12 * px;
    const double w = fmax(w0, w1) + 2 * pad, h = 2 * (asc + desc) + gap + 2 * pad;
    const double d = reach, e = 0.72 * reach;
    /* Each place as the box's left and top edges, and the lines' alignment. */
    const struct {
        double left, top;
        int align;
    } at[8] = {
        {x + d, y - h / 2, TEXT_LEFT},       {x - d - w, y - h / 2, TEXT_RIGHT},
        {x - w / 2, y - d - h, TEXT_CENTER}, {x - w / 2, y + d, TEXT_CENTER},
        {x + e, y - e - h, TEXT_LEFT},       {x + e, y + e, TEXT_LEFT},
        {x - e - w, y - e - h, TEXT_RIGHT},  {x - e - w, y + e, TEXT_RIGHT},
    };
    for (int k = 0; k < 8; k++) {
        Rect box = {at[k].left, at[k].top, w, h};
        if (!frame_obstacles_free(o, box))
            continue;
        o->rect[o->nrect++] = box;
        out->box = box;
        out->align = at[k].align;
        out->x = at[k].align == TEXT_LEFT    ? box.x + pad
                 : at[k].align == TEXT_RIGHT ? box.x + w - pad
                                             : box.x + w / 2;
        out->base[0] = box.y + pad + asc;
        out->base[1] = out->base[0] + desc + gap + asc;
        return 1;
    }
    return 0;
}

void frame_label_draw(TextRenderer *tr, RasterTarget *out, const FramePoint *p, double px,
                      const FrameLabel *l, const float box_rgb[3], const float ink[3]) {
    const Rect *b = &l->box;
    raster_fill_rect(out, (float)b->x, (float)b->y, (float)(b->x + b->w), (float)(b->y + b->h),
                     box_rgb[0], box_rgb[1], box_rgb[2], 0.8f);
    text_draw(tr, out, p->name, (float)px, (float)l->x, (float)l->base[0], l->align, ink[0], ink[1],
              ink[2], 1.0f);
    text_draw(tr, out, p->value, (float)px, (float)l->x, (float)l->base[1], l->align, ink[0],
              ink[1], ink[2], 1.0f);
}
