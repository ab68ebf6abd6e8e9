/*
 * typeset.c — the formula's syntax tree printed with mathematical
 * symbols and the fewest parentheses (see typeset.h for the rules).
 *
 * Each node has a binding level; an operand is parenthesised when its
 * level is below what its place asks for: the left operand of + or −
 * anything from a sum up, the right operand of − a product or tighter (so
 * a − (b − c) keeps its parentheses), the right operand of / a power or
 * tighter, the base of a power an atom.
 */
#include "model/typeset.h"

#include <stdlib.h>
#include <string.h>

#include "model/formula.h"

/* Binding levels, loosest first. A square root binds like a power: √x²
 * would read as √(x²). */
enum { LV_SUM = 1, LV_PROD, LV_NEG, LV_POW, LV_ATOM };

typedef struct Typesetter {
    const char *src;
    const FormulaSyntax *syn;
    char *buf;
    size_t len, cap;
    int oom;
} Typesetter;

static void put_bytes(Typesetter *t, const char *s, size_t n) {
    if (t->oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (t->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(t->buf, cap);
        if (!grown) {
            t->oom = 1;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void put(Typesetter *t, const char *s) {
    put_bytes(t, s, strlen(s));
}

static const FormulaSynNode *node(const Typesetter *t, int i) {
    return &t->syn->nodes[i];
}

/* Whether node i's token is word. */
static int token_is(const Typesetter *t, int i, const char *word) {
    const FormulaSynNode *nd = node(t, i);
    return nd->len == strlen(word) && memcmp(t->src + nd->start, word, nd->len) == 0;
}

static void put_token(Typesetter *t, int i) {
    put_bytes(t, t->src + node(t, i)->start, node(t, i)->len);
}

static int level(const Typesetter *t, int i) {
    switch (node(t, i)->kind) {
    case FORMULA_SYN_ADD:
    case FORMULA_SYN_SUB:
    case FORMULA_SYN_SUM: /* Σₖ takes everything up to the next + or − */
        return LV_SUM;
    case FORMULA_SYN_MUL:
    case FORMULA_SYN_DIV:
        return LV_PROD;
    case FORMULA_SYN_NEG:
        return LV_NEG;
    case FORMULA_SYN_POW:
        return LV_POW;
    case FORMULA_SYN_CALL:
        return token_is(t, i, "sqrt") || token_is(t, i, "pow") ? LV_POW : LV_ATOM;
    default:
        return LV_ATOM;
    }
}

/* A number token of digits only: an integer exponent as written. */
static int is_digits(const Typesetter *t, int i) {
    const FormulaSynNode *nd = node(t, i);
    if (nd->kind != FORMULA_SYN_NUMBER || nd->len == 0)
        return 0;
    for (size_t k = 0; k < nd->len; k++)
        if (t->src[nd->start + k] < '0' || t->src[nd->start + k] > '9')
            return 0;
    return 1;
}

static void emit(Typesetter *t, int i);

/* Node i in a place that needs binding level `need`; a negation there is
 * parenthesised too when no_neg. */
static void operand(Typesetter *t, int i, int need, int no_neg) {
    int wrap = level(t, i) < need || (no_neg && node(t, i)->kind == FORMULA_SYN_NEG);
    if (wrap)
        put(t, "(");
    emit(t, i);
    if (wrap)
        put(t, ")");
}

static void superscript_digits(Typesetter *t, int i) {
    static const char *const SUP[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
    const FormulaSynNode *nd = node(t, i);
    for (size_t k = 0; k < nd->len; k++)
        put(t, SUP[t->src[nd->start + k] - '0']);
}

/* base^exponent: superscript digits for an integer exponent, else ^ and
 * the exponent (parenthesised unless it is a single token or call). */
static void power(Typesetter *t, int base, int exponent) {
    const FormulaSynNode *b = node(t, base), *x = node(t, exponent);
    /* 1e-3 as a base would run into its exponent: (1e-3)². */
    int sci = b->kind == FORMULA_SYN_NUMBER &&
              (memchr(t->src + b->start, 'e', b->len) || memchr(t->src + b->start, 'E', b->len));
    if (sci) {
        put(t, "(");
        emit(t, base);
        put(t, ")");
    } else {
        operand(t, base, LV_ATOM, 1);
    }
    if (is_digits(t, exponent)) {
        superscript_digits(t, exponent);
    } else if (x->kind == FORMULA_SYN_NEG && is_digits(t, x->a)) {
        put(t, "⁻");
        superscript_digits(t, x->a);
    } else {
        put(t, "^");
        operand(t, exponent, LV_ATOM, 1);
    }
}

/* The subscript form of one character, or NULL when Unicode has none. */
static const char *subscript_char(char ch) {
    static const char *const DIGITS[10] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
    static const struct {
        char ch;
        const char *sub;
    } LETTERS[] = {{'a', "ₐ"}, {'e', "ₑ"}, {'h', "ₕ"}, {'i', "ᵢ"}, {'j', "ⱼ"}, {'k', "ₖ"},
                   {'l', "ₗ"}, {'m', "ₘ"}, {'n', "ₙ"}, {'o', "ₒ"}, {'p', "ₚ"}, {'r', "ᵣ"},
                   {'s', "ₛ"}, {'t', "ₜ"}, {'u', "ᵤ"}, {'v', "ᵥ"}, {'x', "ₓ"}};
    if (ch >= '0' && ch <= '9')
        return DIGITS[ch - '0'];
    for (size_t k = 0; k < sizeof LETTERS / sizeof LETTERS[0]; k++)
        if (LETTERS[k].ch == ch)
            return LETTERS[k].sub;
    return NULL;
}

/* text[0..len) as a subscript: subscript characters when every one has
 * a form, else _ and the text as written. */
static void subscript(Typesetter *t, const char *text, size_t len) {
    size_t k = 0;
    while (k < len && subscript_char(text[k]))
        k++;
    if (k < len || len == 0) {
        put(t, "_");
        put_bytes(t, text, len);
        return;
    }
    for (k = 0; k < len; k++)
        put(t, subscript_char(text[k]));
}

static void call(Typesetter *t, int i) {
    const FormulaSynNode *nd = node(t, i);
    if (token_is(t, i, "sqrt")) {
        put(t, "√");
        operand(t, nd->a, LV_ATOM, 1);
    } else if (token_is(t, i, "abs")) {
        put(t, "|");
        emit(t, nd->a);
        put(t, "|");
    } else if (token_is(t, i, "pow")) {
        power(t, nd->a, nd->b);
    } else {
        if (token_is(t, i, "sigmoid"))
            put(t, "σ");
        else
            put_token(t, i);
        put(t, "(");
        emit(t, nd->a);
        if (nd->b >= 0) {
            put(t, ", ");
            emit(t, nd->b);
        }
        put(t, ")");
    }
}

static void emit(Typesetter *t, int i) {
    const FormulaSynNode *nd = node(t, i);
    switch (nd->kind) {
    case FORMULA_SYN_NUMBER:
    case FORMULA_SYN_VARIABLE:
    case FORMULA_SYN_PARAM:
    case FORMULA_SYN_INDEX:
        put_token(t, i);
        break;
    case FORMULA_SYN_INDEXED:
        put_token(t, i);
        subscript(t, t->src + nd->index_start, nd->index_len);
        break;
    case FORMULA_SYN_SUM:
        put(t, "Σ");
        subscript(t, t->src + nd->start, nd->len);
        put(t, " ");
        if (node(t, nd->a)->kind == FORMULA_SYN_SUM)
            emit(t, nd->a);
        else
            operand(t, nd->a, LV_PROD, 1);
        break;
    case FORMULA_SYN_CONSTANT:
        put(t, token_is(t, i, "pi") ? "π" : "e");
        break;
    case FORMULA_SYN_NEG:
        put(t, "−");
        operand(t, nd->a, LV_PROD, 1);
        break;
    case FORMULA_SYN_ADD:
        operand(t, nd->a, LV_SUM, 0);
        put(t, " + ");
        operand(t, nd->b, LV_SUM, 1);
        break;
    case FORMULA_SYN_SUB:
        operand(t, nd->a, LV_SUM, 0);
        put(t, " − ");
        operand(t, nd->b, LV_PROD, 1);
        break;
    case FORMULA_SYN_MUL:
        operand(t, nd->a, LV_PROD, 0);
        put(t, "·");
        operand(t, nd->b, LV_PROD, 1);
        break;
    case FORMULA_SYN_DIV:
        operand(t, nd->a, LV_PROD, 0);
        put(t, "/");
        operand(t, nd->b, LV_POW, 1);
        break;
    case FORMULA_SYN_POW:
        power(t, nd->a, nd->b);
        break;
    case FORMULA_SYN_CALL:
        call(t, i);
        break;
    }
}

int typeset_formula(const char *formula, const char *variable, const char *const *params,
                    int nparams, char *out, size_t n, GdError *err) {
    if (n > 0)
        out[0] = '\0';
    FormulaSyntax syn;
    int rc =
        formula_parse_syntax(formula, variable ? variable : "x", params, nparams, &syn, NULL, err);
    if (rc != GD_OK)
        return rc;
    Typesetter t = {formula, &syn, NULL, 0, 0, 0};
    emit(&t, syn.root);
    formula_syntax_free(&syn);
    if (t.oom) {
        free(t.buf);
        return gd_error(err, GD_ERR_RUNTIME, "out of memory");
    }
    rc = GD_OK;
    size_t len = t.len;
    if (len + 1 > n) {
        /* Cut between two characters: never inside a UTF-8 sequence. */
        len = n > 0 ? n - 1 : 0;
        while (len > 0 && ((unsigned char)t.buf[len] & 0xc0) == 0x80)
            len--;
        rc = gd_error(err, GD_ERR_INPUT, "typeset formula longer than the buffer (%zu bytes)", n);
    }
    if (n > 0) {
        memcpy(out, t.buf, len);
        out[len] = '\0';
    }
    free(t.buf);
    return rc;
}
