/*
 * templates.h — the starting configs of "gdrender new [TEMPLATE]": one per
 * lesson of the tutorial gdrender grew from (lr, formula, minima), plus a
 * side-by-side comparison (compare) and data from a CSV file (csv). Each
 * is a complete, commented config: every key of SPEC section 3 with its
 * default and a one-line comment, which renders as it is (csv once its
 * data file exists).
 *
 * Pipeline place: beside the stages, used by main.c only. No dependencies.
 */
#ifndef GD_TEMPLATES_H
#define GD_TEMPLATES_H

typedef struct Template {
    const char *name;    /* what "gdrender new NAME" takes */
    const char *summary; /* one line, for the list */
    const char *text;    /* the config, printed as it is */
} Template;

/* The template "gdrender new" prints without a name. */
#define TEMPLATE_DEFAULT "lr"

/* The templates, in list order; *n gets their count. */
const Template *templates_all(int *n);

/* The template called name, or NULL. */
const Template *templates_find(const char *name);

#endif
