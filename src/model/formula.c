/*
 * formula.c — lexer, precedence-climbing parser, tape, evaluator and
 * reverse-mode differentiation for model formulas (see formula.h).
 *
 * Pipeline place: model stage. config/ compiles; sim/ and the renderer call
 * the evaluators, formula_mse above all. Depends on libm and base/error
 * (compile errors are GdError values: GD_ERR_INPUT for a bad formula,
 * GD_ERR_RUNTIME when out of memory).
 *
 * The parser emits nodes in evaluation order (postorder) onto a tape: each
 * node refers to its operands by tape index. Constant subtrees are folded as
 * they are emitted, x and each parameter get one shared leaf, and a constant
 * exponent turns u^c into a unary power node. A sum(k, EXPR) is unrolled:
 * the parser reads EXPR once per term (rewinding the lexer to the body's
 * first token) with k bound to 1, 2, ..., and adds the terms as it goes; the
 * first pass finds the term count (the length of the families indexed by k)
 * and reports every error, so the later passes fail only out of memory.
 *
 * Every node is flagged VARY (depends on x) and/or DEP (depends on a
 * parameter). The batch evaluators compute the x-free nodes once per call as
 * scalars, then run the VARY nodes over blocks of points, node by node, so
 * each inner loop is one operation over up to BLOCK_MAX lanes. Their reverse
 * pass does the same per block, sums the lanes' adjoints into the x-free
 * nodes, and finishes with one scalar reverse pass over those.
 */
#include "model/formula.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/trig.h"

/* ---- defines and types -------------------------------------------------- */

enum {
    OP_CONST,
    OP_X,
    OP_PARAM,
    OP_NEG,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_POW,  /* u^v, v not constant */
    OP_POWI, /* u^n, n = c an integer constant, |n| <= POWI_MAX */
    OP_POWC, /* u^c, c any other constant */
    OP_SIN,
    OP_COS,
    OP_TAN,
    OP_EXP,
    OP_LOG,
    OP_SQRT,
    OP_ABS,
    OP_TANH,
    OP_SIGMOID,
    OP_RELU,
    OP_MIN,
    OP_MAX
};

enum { FLAG_VARY = 1, FLAG_DEP = 2 };

/* Integer exponents up to this size are done by repeated multiplication:
 * exact rounding steps that are the same on every libm. */
#define POWI_MAX 64

/* Block sizes (points per node) of the batch evaluators: at most BLOCK_MAX;
 * they use STACK_DOUBLES of stack scratch while that still gives blocks of
 * BLOCK_MIN points (tapes up to about 120 nodes), else malloc'd blocks of
 * BLOCK_HEAP. The single-point evaluators keep up to STACK_NODES values on
 * the stack. */
#define BLOCK_MAX     256
#define BLOCK_MIN     16
#define BLOCK_HEAP    128
#define STACK_DOUBLES 4096
#define STACK_AUX     1024 /* aux lanes on the stack (Formula.aux) */
#define STACK_NODES   256

typedef struct Node {
    uint8_t op;
    uint8_t flags;
    int32_t a, b; /* operand indices (b == a for unary ops); param index for OP_PARAM */
    double c;     /* OP_CONST value, or the constant exponent of OP_POWI/OP_POWC */
} Node;

struct Formula {
    int nparams;
    int n;         /* tape length */
    int xnode;     /* index of the x leaf, or -1 */
    int nboundary; /* x-free nodes used directly by a VARY node */
    int *boundary;
    /* The derivative lanes of the x-dependent sin and cos nodes that a
     * gradient passes through: the forward pass computes sin and cos of
     * the operand together and keeps the other one in aux slot aux[i]
     * (-1: none) for the reverse pass. */
    int naux;
    int *aux;
    Node *nodes;
};

typedef enum {
    T_END,
    T_NUM,
    T_NAME,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
    T_CARET,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_LBRACKET,
    T_RBRACKET
} TokKind;

typedef struct Token {
    TokKind kind;
    size_t start, len; /* byte offset and length in the source */
    double num;
} Token;

/* A parameter family: the names IDENT[1] .. IDENT[n]. */
typedef struct Family {
    const char *name; /* IDENT, in the parameter's name; len bytes */
    size_t len;
    int n;      /* members */
    int *param; /* param[j - 1]: the index of IDENT[j], or -1 */
} Family;

/* An enclosing sum(k, ...) while its body is parsed. */
typedef struct SumScope {
    size_t start, len; /* the index name in the source */
    int value;         /* k in the term being parsed (1 on the first pass) */
    int n;             /* terms: the length of the first family indexed by k, 0 until one */
    const Family *fam; /* that family */
} SumScope;

typedef struct Parser {
    const char *src;
    size_t len;
    size_t pos;
    Token tok;
    const char *const *params;
    int nparams;
    const char *var; /* the data variable's name ("x" by default) */
    Node *nodes;
    int n, cap;
    int xnode;
    int *pnode; /* shared leaf of each parameter, or -1 */
    int depth;
    Family *fams; /* the parameters' families */
    int nfams;
    SumScope sums[FORMULA_MAX_DEPTH + 1]; /* the enclosing sums, innermost last */
    int nsums;
    size_t *closed; /* (offset, length) of the index names of sums already closed */
    int nclosed, capclosed;
    int *fam_slots; /* find_families' block: each name's index, then the param[] arrays */
    long work;      /* tokens read, each sum's body counted once per term */
    /* Syntax mode (formula_parse_syntax): no folding, no shared leaves, and
     * each node's token and origin recorded in syn[]. */
    int syntax;
    FormulaSynNode *syn; /* one per node, cap entries */
    int failed;          /* 0, or the GdError code of the first error */
    int *err_column;
    GdError *err;
} Parser;

typedef struct FuncInfo {
    const char *name;
    int op;
    int nargs;
} FuncInfo;

static const FuncInfo FUNCS[] = {
    {"sin", OP_SIN, 1},         {"cos", OP_COS, 1},   {"tan", OP_TAN, 1}, {"exp", OP_EXP, 1},
    {"log", OP_LOG, 1},         {"sqrt", OP_SQRT, 1}, {"abs", OP_ABS, 1}, {"tanh", OP_TANH, 1},
    {"sigmoid", OP_SIGMOID, 1}, {"relu", OP_RELU, 1}, {"pow", OP_POW, 2}, {"min", OP_MIN, 2},
    {"max", OP_MAX, 2},
};

/* Binding powers, as in Lua's lparser.c: an operator continues the current
 * subexpression while its left power exceeds the limit; its right operand is
 * parsed with the right power as the new limit. ^ has right < left, so it is
 * right-associative, and unary minus sits between * and ^, so -x^2 = -(x^2)
 * while 2^-1 still parses (the operand of ^ may start with a unary minus). */
#define PRIO_UNARY 3
static const struct {
    int left, right;
} PRIO[] = {
    [T_PLUS] = {1, 1},  [T_MINUS] = {1, 1}, [T_STAR] = {2, 2},
    [T_SLASH] = {2, 2}, [T_CARET] = {4, 3},
};

/* ---- arithmetic of one node --------------------------------------------- */

static inline double powi(double a, int n) {
    unsigned k = n < 0 ? (unsigned)-n : (unsigned)n;
    double r = 1.0, p = a;
    while (k) {
        if (k & 1u)
            r *= p;
        k >>= 1;
        if (k)
            p *= p;
    }
    return n < 0 ? 1.0 / r : r;
}

static inline double sigmoid(double a) {
    /* Two branches so exp never overflows for large |a|. */
    if (a >= 0)
        return 1.0 / (1.0 + exp(-a));
    double t = exp(a);
    return t / (1.0 + t);
}

/* NaN must propagate (a NaN loss is how divergence is detected), and ties
 * pick the first argument. */
static inline int pick_min(double a, double b) {
    return a <= b || a != a;
}
static inline int pick_max(double a, double b) {
    return a >= b || a != a;
}

static inline double op_value(int op, double a, double b, double c) {
    switch (op) {
    case OP_NEG:
        return -a;
    case OP_ADD:
        return a + b;
    case OP_SUB:
        return a - b;
    case OP_MUL:
        return a * b;
    case OP_DIV:
        return a / b;
    case OP_POW:
        return pow(a, b);
    case OP_POWI:
        return powi(a, (int)c);
    case OP_POWC:
        return pow(a, c);
    case OP_SIN:
        return trig_sin(a);
    case OP_COS:
        return trig_cos(a);
    case OP_TAN:
        return tan(a);
    case OP_EXP:
        return exp(a);
    case OP_LOG:
        return log(a);
    case OP_SQRT:
        return sqrt(a);
    case OP_ABS:
        return fabs(a);
    case OP_TANH:
        return tanh(a);
    case OP_SIGMOID:
        return sigmoid(a);
    case OP_RELU:
        return a <= 0 ? 0.0 : a;
    case OP_MIN:
        return pick_min(a, b) ? a : b;
    case OP_MAX:
        return pick_max(a, b) ? a : b;
    default:
        return NAN;
    }
}

/* Partial derivatives of node value w = op(a, b) with respect to a and b. */
static inline void op_partials(int op, double a, double b, double c, double w, double *da,
                               double *db) {
    *db = 0.0;
    switch (op) {
    case OP_NEG:
        *da = -1.0;
        break;
    case OP_ADD:
        *da = 1.0;
        *db = 1.0;
        break;
    case OP_SUB:
        *da = 1.0;
        *db = -1.0;
        break;
    case OP_MUL:
        *da = b;
        *db = a;
        break;
    case OP_DIV:
        *da = 1.0 / b;
        *db = -w / b;
        break;
    case OP_POW:
        *da = b * pow(a, b - 1.0);
        /* u^v is real for u < 0 only at integer v, where it has no
         * derivative in v; take 0 there (and at u == 0). */
        *db = a > 0 ? w * log(a) : 0.0;
        break;
    case OP_POWI: {
        int k = (int)c;
        *da = k == 0 ? 0.0 : (double)k * powi(a, k - 1);
        break;
    }
    case OP_POWC:
        *da = c * pow(a, c - 1.0);
        break;
    case OP_SIN:
        *da = trig_cos(a);
        break;
    case OP_COS:
        *da = -trig_sin(a);
        break;
    case OP_TAN:
        *da = 1.0 + w * w;
        break;
    case OP_EXP:
        *da = w;
        break;
    case OP_LOG:
        *da = 1.0 / a;
        break;
    case OP_SQRT:
        *da = 0.5 / w;
        break;
    case OP_ABS:
        *da = a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0);
        break;
    case OP_TANH:
        *da = 1.0 - w * w;
        break;
    case OP_SIGMOID:
        *da = w * (1.0 - w);
        break;
    case OP_RELU:
        *da = a > 0 ? 1.0 : 0.0;
        break;
    case OP_MIN: {
        int first = pick_min(a, b);
        *da = first ? 1.0 : 0.0;
        *db = first ? 0.0 : 1.0;
        break;
    }
    case OP_MAX: {
        int first = pick_max(a, b);
        *da = first ? 1.0 : 0.0;
        *db = first ? 0.0 : 1.0;
        break;
    }
    default:
        *da = NAN;
        break;
    }
}

static int op_arity(int op) {
    switch (op) {
    case OP_CONST:
    case OP_X:
    case OP_PARAM:
        return 0;
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_POW:
    case OP_MIN:
    case OP_MAX:
        return 2;
    default:
        return 1;
    }
}

/* ---- errors and lexer --------------------------------------------------- */

/* Records the first error only: its code (p->failed), column and message. */
static void record(Parser *p, int code, size_t offset, const char *msg) {
    if (p->failed)
        return;
    p->failed = code;
    if (p->err_column)
        *p->err_column = (int)offset + 1;
    gd_error(p->err, code, "%s", msg);
}

/* A bad formula (GD_ERR_INPUT); returns -1 so callers can `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static int fail(Parser *p, size_t offset, const char *fmt,
                                                      ...) {
    char msg[sizeof p->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    record(p, GD_ERR_INPUT, offset, msg);
    return -1;
}

/* Out of memory (GD_ERR_RUNTIME), at the column the parser was at. */
static int fail_oom(Parser *p, size_t offset) {
    record(p, GD_ERR_RUNTIME, offset, "out of memory");
    return -1;
}

/* How a token is quoted in a message: its text, shortened when long. */
static void token_text(const Parser *p, const Token *t, char *buf, size_t size) {
    if (t->kind == T_END) {
        snprintf(buf, size, "end of formula");
        return;
    }
    int n = (int)(t->len > 40 ? 40 : t->len);
    snprintf(buf, size, "'%.*s%s'", n, p->src + t->start, t->len > 40 ? "..." : "");
}

/* ASCII only, whatever locale the program runs in. */
static int is_digit(int ch) {
    return ch >= '0' && ch <= '9';
}
static int is_name_start(int ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}
static int is_name_char(int ch) {
    return is_name_start(ch) || is_digit(ch);
}

static int bad_character(Parser *p, size_t at) {
    unsigned char ch = (unsigned char)p->src[at];
    if (ch >= 0x80) {
        /* Quote the whole UTF-8 sequence, not a lone lead byte. */
        size_t end = at + 1;
        while (end < p->len && end - at < 4 && ((unsigned char)p->src[end] & 0xC0) == 0x80)
            end++;
        return fail(p, at, "unexpected character '%.*s'", (int)(end - at), p->src + at);
    }
    if (ch < 0x20 || ch == 0x7f)
        return fail(p, at, "unexpected character '\\x%02x'", ch);
    return fail(p, at, "unexpected character '%c'", ch);
}

static int lex_number(Parser *p, Token *t) {
    const char *s = p->src;
    size_t i = p->pos, start = i;
    int digits = 0, malformed = 0;
    while (is_digit(s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (is_digit(s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return bad_character(p, start);
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!is_digit(s[i]))
            malformed = 1;
        while (is_digit(s[i]))
            i++;
    }
    if (s[i] == '.')
        malformed = 1;
    if (malformed) {
        while (is_name_char((unsigned char)s[i]) || s[i] == '.')
            i++;
        return fail(p, start, "malformed number '%.*s'", (int)(i - start), s + start);
    }
    /* Copy the token: strtod alone would also read hex forms like 0x1p3. */
    char small[64];
    size_t n = i - start;
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return fail_oom(p, start);
    memcpy(buf, s + start, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0') {
        /* A locale with another decimal separator stopped strtod at '.'. */
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = localeconv()->decimal_point[0];
        v = strtod(buf, NULL);
    }
    if (buf != small)
        free(buf);
    if (isinf(v))
        return fail(p, start, "number out of range '%.*s'", (int)(n > 40 ? 40 : n), s + start);
    t->kind = T_NUM;
    t->start = start;
    t->len = n;
    t->num = v;
    p->pos = i;
    return 0;
}

/* Reads the next token into p->tok; -1 on a lexical error. */
static int next(Parser *p) {
    const char *s = p->src;
    while (p->pos < p->len &&
           (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r'))
        p->pos++;
    if (p->pos >= FORMULA_MAX_LENGTH && p->pos < p->len)
        return fail(p, FORMULA_MAX_LENGTH, "formula too long (more than %d characters)",
                    FORMULA_MAX_LENGTH);
    Token *t = &p->tok;
    t->start = p->pos;
    t->len = 1;
    p->work++;
    if (p->pos >= p->len) {
        t->kind = T_END;
        t->len = 0;
        return 0;
    }
    unsigned char ch = (unsigned char)s[p->pos];
    if (is_digit(ch) || ch == '.')
        return lex_number(p, t);
    if (is_name_start(ch)) {
        size_t i = p->pos;
        while (i < p->len && is_name_char((unsigned char)s[i]))
            i++;
        t->kind = T_NAME;
        t->len = i - p->pos;
        p->pos = i;
        return 0;
    }
    switch (ch) {
    case '+':
        t->kind = T_PLUS;
        break;
    case '-':
        t->kind = T_MINUS;
        break;
    case '*':
        t->kind = T_STAR;
        break;
    case '/':
        t->kind = T_SLASH;
        break;
    case '^':
        t->kind = T_CARET;
        break;
    case '(':
        t->kind = T_LPAREN;
        break;
    case ')':
        t->kind = T_RPAREN;
        break;
    case ',':
        t->kind = T_COMMA;
        break;
    case '[':
        t->kind = T_LBRACKET;
        break;
    case ']':
        t->kind = T_RBRACKET;
        break;
    default:
        return bad_character(p, p->pos);
    }
    p->pos++;
    return 0;
}

static int name_is(const Parser *p, const Token *t, const char *word) {
    return t->len == strlen(word) && memcmp(p->src + t->start, word, t->len) == 0;
}

/* ---- tape emission with constant folding -------------------------------- */

static int push(Parser *p, Node nd) {
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 32;
        Node *grown = realloc(p->nodes, (size_t)cap * sizeof *grown);
        if (!grown)
            return fail_oom(p, p->tok.start);
        p->nodes = grown;
        if (p->syntax) {
            FormulaSynNode *sg = realloc(p->syn, (size_t)cap * sizeof *sg);
            if (!sg)
                return fail_oom(p, p->tok.start);
            p->syn = sg;
        }
        p->cap = cap;
    }
    p->nodes[p->n] = nd;
    if (p->syntax)
        p->syn[p->n] = (FormulaSynNode){
            .kind = FORMULA_SYN_NUMBER, .a = -1, .b = -1, .param = nd.op == OP_PARAM ? nd.a : -1};
    return p->n++;
}

/* Syntax mode: what node i is and the token it came from (a number, a
 * name, a function's name). */
static int mark(Parser *p, int i, FormulaSynKind kind, const Token *t) {
    if (i >= 0 && p->syntax) {
        p->syn[i].kind = kind;
        p->syn[i].start = t->start;
        p->syn[i].len = t->len;
    }
    return i;
}

static int emit_leaf(Parser *p, int op, int index, double c) {
    Node nd = {(uint8_t)op, 0, index, index, c};
    if (op == OP_X)
        nd.flags = FLAG_VARY;
    else if (op == OP_PARAM)
        nd.flags = FLAG_DEP;
    return push(p, nd);
}

static int emit_op(Parser *p, int op, int a, int b) {
    Node *na = &p->nodes[a], *nb = &p->nodes[b];
    int arity = op_arity(op);
    if (p->syntax) {
        static const FormulaSynKind kinds[] = {
            [OP_NEG] = FORMULA_SYN_NEG, [OP_ADD] = FORMULA_SYN_ADD, [OP_SUB] = FORMULA_SYN_SUB,
            [OP_MUL] = FORMULA_SYN_MUL, [OP_DIV] = FORMULA_SYN_DIV, [OP_POW] = FORMULA_SYN_POW};
        Node nd = {(uint8_t)op, 0, a, arity == 1 ? a : b, 0.0};
        int i = push(p, nd);
        if (i >= 0) {
            p->syn[i].kind = op <= OP_POW ? kinds[op] : FORMULA_SYN_CALL;
            p->syn[i].a = a;
            p->syn[i].b = arity == 1 ? -1 : b;
        }
        return i;
    }
    if (na->op == OP_CONST && (arity == 1 || nb->op == OP_CONST)) {
        /* A folded subtree is a single node, so its operands are the last
         * one or two nodes on the tape. */
        double v = op_value(op, na->c, arity == 2 ? nb->c : 0.0, 0.0);
        p->n = a + 1;
        na->c = v;
        return a;
    }
    if (op == OP_POW && nb->op == OP_CONST) {
        double c = nb->c;
        p->n = b; /* the exponent becomes part of the node */
        int integral = c == floor(c) && fabs(c) <= POWI_MAX;
        Node nd = {(uint8_t)(integral ? OP_POWI : OP_POWC), na->flags, a, a, c};
        return push(p, nd);
    }
    if (arity == 1)
        b = a;
    Node nd = {(uint8_t)op, (uint8_t)(p->nodes[a].flags | p->nodes[b].flags), a, b, 0.0};
    return push(p, nd);
}

/* ---- parser -------------------------------------------------------------- */

static int subexpr(Parser *p, int limit);

/* Every construct that makes the parser recurse without bound (a group,
 * an argument list, a unary operator, the right operand of ^) takes one
 * level; the cap keeps the C stack small whatever the input. */
static int enter(Parser *p, size_t offset) {
    if (++p->depth > FORMULA_MAX_DEPTH)
        return fail(p, offset, "formula nested too deeply (more than %d levels)",
                    FORMULA_MAX_DEPTH);
    return 0;
}

/* The current token cannot follow a complete operand. */
static int fail_after_operand(Parser *p) {
    char text[64];
    token_text(p, &p->tok, text, sizeof text);
    switch (p->tok.kind) {
    case T_NUM:
    case T_NAME:
    case T_LPAREN:
        return fail(p, p->tok.start, "missing operator before %s", text);
    case T_END:
        return fail(p, p->tok.start, "unexpected end of formula");
    default:
        return fail(p, p->tok.start, "unexpected %s", text);
    }
}

static int expect_close(Parser *p, size_t open) {
    if (p->tok.kind == T_RPAREN)
        return next(p);
    if (p->tok.kind == T_END)
        return fail(p, p->tok.start, "expected ')' to close '(' at column %d", (int)open + 1);
    return fail_after_operand(p);
}

/* ---- names, families and sums -------------------------------------------- */

/* Names and family names in messages: at most 40 bytes of them. */
static int shown_len(size_t len) {
    return (int)(len > 40 ? 40 : len);
}

static const char *ellipsis(size_t len) {
    return len > 40 ? "..." : "";
}

static int name_eq(const Parser *p, const Token *t, const char *s, size_t n) {
    return t->len == n && memcmp(p->src + t->start, s, n) == 0;
}

static int is_function(const Parser *p, const Token *t) {
    if (name_is(p, t, "sum"))
        return 1;
    for (size_t i = 0; i < sizeof FUNCS / sizeof FUNCS[0]; i++)
        if (name_is(p, t, FUNCS[i].name))
            return 1;
    return 0;
}

static int find_param(const Parser *p, const Token *t) {
    for (int i = 0; i < p->nparams; i++)
        if (name_is(p, t, p->params[i]))
            return i;
    return -1;
}

static const Family *find_family(const Parser *p, const Token *t) {
    for (int i = 0; i < p->nfams; i++)
        if (name_eq(p, t, p->fams[i].name, p->fams[i].len))
            return &p->fams[i];
    return NULL;
}

/* The innermost enclosing sum indexed by t's name, or NULL. */
static SumScope *find_sum(Parser *p, const Token *t) {
    for (int i = p->nsums - 1; i >= 0; i--)
        if (name_eq(p, t, p->src + p->sums[i].start, p->sums[i].len))
            return &p->sums[i];
    return NULL;
}

/* Whether t's name indexed a sum that is already closed. */
static int was_closed(const Parser *p, const Token *t) {
    for (int i = 0; i < p->nclosed; i++)
        if (name_eq(p, t, p->src + p->closed[2 * i], p->closed[2 * i + 1]))
            return 1;
    return 0;
}

static int note_closed(Parser *p, const SumScope *s) {
    Token t = {T_NAME, s->start, s->len, 0.0};
    if (was_closed(p, &t))
        return 0;
    if (p->nclosed == p->capclosed) {
        int cap = p->capclosed ? 2 * p->capclosed : 8;
        size_t *grown = realloc(p->closed, 2 * (size_t)cap * sizeof *grown);
        if (!grown)
            return fail_oom(p, s->start);
        p->closed = grown;
        p->capclosed = cap;
    }
    p->closed[2 * p->nclosed] = s->start;
    p->closed[2 * p->nclosed + 1] = s->len;
    p->nclosed++;
    return 0;
}

/* The families of the parameter names IDENT[i] (i a decimal number). */
static int find_families(Parser *p) {
    int *index = malloc(2 * ((size_t)p->nparams + 1) * sizeof *index);
    p->fams = malloc(((size_t)p->nparams + 1) * sizeof *p->fams);
    if (!index || !p->fams) {
        free(index);
        return fail_oom(p, 0);
    }
    int *slots = index + p->nparams + 1;
    for (int i = 0; i < p->nparams; i++) {
        const char *s = p->params[i];
        index[i] = 0;
        size_t k = 0;
        if (!s || !is_name_start((unsigned char)s[0]))
            continue;
        while (is_name_char((unsigned char)s[k]))
            k++;
        size_t len = k;
        if (s[k] != '[' || !is_digit((unsigned char)s[k + 1]))
            continue;
        long j = 0;
        for (k++; is_digit((unsigned char)s[k]); k++)
            j = j > FORMULA_MAX_PARAMS ? j : j * 10 + (s[k] - '0');
        if (s[k] != ']' || s[k + 1] != '\0')
            continue;
        Family *fam = NULL;
        for (int f = 0; f < p->nfams && !fam; f++)
            if (p->fams[f].len == len && memcmp(p->fams[f].name, s, len) == 0)
                fam = &p->fams[f];
        if (!fam) {
            fam = &p->fams[p->nfams++];
            *fam = (Family){s, len, 0, NULL};
        }
        fam->n++;
        index[i] = (int)j;
    }
    /* Each family's slots: param[j - 1] for j = 1 .. n. */
    int used = 0;
    for (int f = 0; f < p->nfams; f++) {
        Family *fam = &p->fams[f];
        fam->param = slots + used;
        for (int j = 0; j < fam->n; j++)
            fam->param[j] = -1;
        for (int i = 0; i < p->nparams; i++) {
            const char *s = p->params[i];
            if (index[i] >= 1 && index[i] <= fam->n && strncmp(s, fam->name, fam->len) == 0 &&
                s[fam->len] == '[')
                fam->param[index[i] - 1] = i;
        }
        used += fam->n;
    }
    p->fam_slots = index;
    return 0;
}

/* A sum's index name must be free. */
static int check_index_name(Parser *p, const Token *t) {
    const char *what = NULL;
    if (name_is(p, t, p->var))
        what = "the data variable";
    else if (name_is(p, t, "pi") || name_is(p, t, "e"))
        what = "a constant";
    else if (is_function(p, t))
        what = "a function";
    else if (find_param(p, t) >= 0)
        what = "a parameter";
    else if (find_family(p, t))
        what = "a parameter family";
    else if (find_sum(p, t))
        what = "already an enclosing sum's index";
    if (!what)
        return 0;
    char text[64];
    token_text(p, t, text, sizeof text);
    return fail(p, t->start, "%s cannot be a sum index: it is %s", text, what);
}

/* sum(k, EXPR): the body parsed once per term, k = 1 .. n, each term
 * added to the previous ones; the syntax tree keeps one body under a
 * FORMULA_SYN_SUM node. */
static int sum_call(Parser *p, const Token *name) {
    size_t open = p->tok.start;
    if (enter(p, open) || next(p))
        return -1;
    if (p->tok.kind == T_RPAREN)
        return fail(p, name->start, "'sum' takes 2 arguments, got 0");
    if (p->tok.kind != T_NAME)
        return fail(p, p->tok.start, "expected an index name after 'sum(', as in sum(k, w[k])");
    Token index = p->tok;
    if (check_index_name(p, &index) || next(p))
        return -1;
    char itext[64];
    token_text(p, &index, itext, sizeof itext);
    if (p->tok.kind == T_RPAREN)
        return fail(p, name->start, "'sum' takes 2 arguments, got 1");
    if (p->tok.kind != T_COMMA)
        return fail(p, p->tok.start, "expected ',' after the sum index %s", itext);
    if (next(p))
        return -1;
    SumScope *scope = &p->sums[p->nsums++];
    *scope = (SumScope){index.start, index.len, 1, 0, NULL};
    /* The first term; where its body starts and ends. */
    const size_t body_pos = p->pos;
    const Token body_tok = p->tok;
    const long work0 = p->work;
    int acc = subexpr(p, 0);
    if (acc < 0)
        return -1;
    if (p->tok.kind == T_COMMA) {
        int nargs = 2;
        while (p->tok.kind == T_COMMA) {
            if (next(p) || subexpr(p, 0) < 0)
                return -1;
            nargs++;
        }
        if (expect_close(p, open))
            return -1;
        return fail(p, name->start, "'sum' takes 2 arguments, got %d", nargs);
    }
    if (p->tok.kind != T_RPAREN)
        return expect_close(p, open);
    if (scope->n == 0)
        return fail(p, index.start, "sum over %s indexes no parameter family (write e.g. w[%.*s])",
                    itext, shown_len(index.len), p->src + index.start);
    const size_t end_pos = p->pos;
    const Token end_tok = p->tok;
    const long once = p->work - work0;
    if (once > 0 && (long)(scope->n - 1) > (FORMULA_MAX_EXPANDED - p->work) / once)
        return fail(p, name->start,
                    "formula too large once its sums are written out (more than %d tokens)",
                    FORMULA_MAX_EXPANDED);
    const long total = p->work + (long)(scope->n - 1) * once;
    if (p->syntax) {
        Node nd = {OP_NEG, 0, acc, acc, 0.0};
        int i = push(p, nd);
        if (i < 0)
            return -1;
        p->syn[i].kind = FORMULA_SYN_SUM;
        p->syn[i].a = acc;
        p->syn[i].start = index.start;
        p->syn[i].len = index.len;
        p->syn[i].count = scope->n;
        acc = i;
    } else {
        /* The other terms: the same tokens again, read again (their
         * nested sums already counted in `total`). */
        for (int k = 2; k <= scope->n; k++) {
            p->sums[p->nsums - 1].value = k;
            p->pos = body_pos;
            p->tok = body_tok;
            int term = subexpr(p, 0);
            if (term < 0)
                return -1;
            acc = emit_op(p, OP_ADD, acc, term);
            if (acc < 0)
                return -1;
        }
        p->pos = end_pos;
        p->tok = end_tok;
    }
    p->work = total;
    if (note_closed(p, &p->sums[p->nsums - 1]))
        return -1;
    p->nsums--;
    if (next(p))
        return -1;
    p->depth--;
    return acc;
}

/* name[index], name a family, index a number or an enclosing sum's index. */
static int indexed(Parser *p, const Token *name) {
    char text[64];
    token_text(p, name, text, sizeof text);
    const Family *fam = find_family(p, name);
    if (!fam) {
        if (is_function(p, name))
            return fail(p, p->tok.start, "expected '(' after %s", text);
        if (name_is(p, name, p->var) || name_is(p, name, "pi") || name_is(p, name, "e") ||
            find_param(p, name) >= 0 || find_sum(p, name))
            return fail(p, name->start, "%s is not a parameter family", text);
        return fail(p, name->start, "unknown name %s", text);
    }
    const size_t open = p->tok.start;
    if (next(p))
        return -1;
    const Token it = p->tok;
    const int fl = shown_len(fam->len);
    const char *fe = ellipsis(fam->len);
    long j = 0;
    int literal = 0;
    if (it.kind == T_NUM) {
        for (size_t k = 0; k < it.len; k++) {
            char ch = p->src[it.start + k];
            if (!is_digit((unsigned char)ch))
                return fail(p, it.start, "index %.*s%s is not a whole number", shown_len(it.len),
                            p->src + it.start, ellipsis(it.len));
            j = j > FORMULA_MAX_PARAMS ? j : j * 10 + (ch - '0');
        }
        if (j < 1 || j > fam->n)
            return fail(p, it.start, "index %.*s%s out of range for '%.*s%s' (%.*s[1] .. %.*s[%d])",
                        shown_len(it.len), p->src + it.start, ellipsis(it.len), fl, fam->name, fe,
                        fl, fam->name, fl, fam->name, fam->n);
        literal = 1;
    } else if (it.kind == T_NAME) {
        SumScope *scope = find_sum(p, &it);
        char itext[64];
        token_text(p, &it, itext, sizeof itext);
        if (!scope) {
            if (was_closed(p, &it))
                return fail(p, it.start, "%s is used outside its sum(%.*s, ...)", itext,
                            shown_len(it.len), p->src + it.start);
            return fail(p, it.start, "%s is not the index of an enclosing sum(%.*s, ...)", itext,
                        shown_len(it.len), p->src + it.start);
        }
        if (scope->n == 0) {
            scope->n = fam->n;
            scope->fam = fam;
        } else if (scope->n != fam->n) {
            const Family *g = scope->fam;
            return fail(p, name->start,
                        "sum over %s: '%.*s%s' has %d parameter%s but '%.*s%s' has %d", itext,
                        shown_len(g->len), g->name, ellipsis(g->len), g->n, g->n == 1 ? "" : "s",
                        fl, fam->name, fe, fam->n);
        }
        j = scope->value;
    } else {
        return fail(p, it.start, "expected a number or a sum index inside '[ ]'");
    }
    if (next(p))
        return -1;
    if (p->tok.kind != T_RBRACKET)
        return fail(p, p->tok.start, "expected ']' to close '[' at column %d", (int)open + 1);
    if (next(p))
        return -1;
    const int param = fam->param[j - 1];
    if (param < 0)
        return fail(p, name->start, "no parameter '%.*s%s[%ld]'", fl, fam->name, fe, j);
    if (p->syntax) {
        int i = mark(p, emit_leaf(p, OP_PARAM, param, 0.0), FORMULA_SYN_INDEXED, name);
        if (i >= 0) {
            p->syn[i].param = literal ? param : -1;
            p->syn[i].index_start = it.start;
            p->syn[i].index_len = it.len;
            p->syn[i].count = fam->n;
        }
        return i;
    }
    if (p->pnode[param] < 0)
        p->pnode[param] = emit_leaf(p, OP_PARAM, param, 0.0);
    return p->pnode[param];
}

static int call(Parser *p, const Token *name) {
    if (name_is(p, name, "sum"))
        return sum_call(p, name);
    const FuncInfo *fn = NULL;
    for (size_t i = 0; i < sizeof FUNCS / sizeof FUNCS[0]; i++)
        if (name_is(p, name, FUNCS[i].name))
            fn = &FUNCS[i];
    char text[64];
    token_text(p, name, text, sizeof text);
    if (!fn) {
        int known = name_is(p, name, p->var) || name_is(p, name, "pi") || name_is(p, name, "e") ||
                    find_param(p, name) >= 0 || find_family(p, name) || find_sum(p, name);
        if (known)
            return fail(p, name->start, "%s is not a function", text);
        return fail(p, name->start, "unknown function %s", text);
    }
    size_t open = p->tok.start;
    if (enter(p, open) || next(p))
        return -1;
    int args[2] = {-1, -1}, nargs = 0;
    if (p->tok.kind != T_RPAREN) {
        for (;;) {
            int a = subexpr(p, 0);
            if (a < 0)
                return -1;
            if (nargs < 2)
                args[nargs] = a;
            nargs++;
            if (p->tok.kind != T_COMMA)
                break;
            if (next(p))
                return -1;
        }
    }
    if (expect_close(p, open))
        return -1;
    p->depth--;
    if (nargs != fn->nargs)
        return fail(p, name->start, "%s takes %d argument%s, got %d", text, fn->nargs,
                    fn->nargs == 1 ? "" : "s", nargs);
    int i = emit_op(p, fn->op, args[0], fn->nargs == 2 ? args[1] : args[0]);
    return mark(p, i, FORMULA_SYN_CALL, name);
}

static int name_leaf(Parser *p, const Token *name) {
    if (name_is(p, name, p->var)) {
        if (p->syntax)
            return mark(p, emit_leaf(p, OP_X, 0, 0.0), FORMULA_SYN_VARIABLE, name);
        if (p->xnode < 0)
            p->xnode = emit_leaf(p, OP_X, 0, 0.0);
        return p->xnode;
    }
    if (name_is(p, name, "pi"))
        return mark(p, emit_leaf(p, OP_CONST, 0, 3.14159265358979323846), FORMULA_SYN_CONSTANT,
                    name);
    if (name_is(p, name, "e"))
        return mark(p, emit_leaf(p, OP_CONST, 0, 2.71828182845904523536), FORMULA_SYN_CONSTANT,
                    name);
    int i = find_param(p, name);
    if (i >= 0) {
        if (p->syntax)
            return mark(p, emit_leaf(p, OP_PARAM, i, 0.0), FORMULA_SYN_PARAM, name);
        if (p->pnode[i] < 0)
            p->pnode[i] = emit_leaf(p, OP_PARAM, i, 0.0);
        return p->pnode[i];
    }
    const SumScope *scope = find_sum(p, name);
    if (scope)
        return mark(p, emit_leaf(p, OP_CONST, 0, (double)scope->value), FORMULA_SYN_INDEX, name);
    char text[64];
    token_text(p, name, text, sizeof text);
    const Family *fam = find_family(p, name);
    if (fam) {
        const int fl = shown_len(fam->len);
        const char *fe = ellipsis(fam->len);
        if (fam->n == 1)
            return fail(p, name->start,
                        "%s is a family of 1 parameter: write %.*s%s[1], or %.*s%s[k] inside "
                        "sum(k, ...)",
                        text, fl, fam->name, fe, fl, fam->name, fe);
        return fail(p, name->start,
                    "%s is a family of %d parameters: write %.*s%s[1] .. %.*s%s[%d], or "
                    "%.*s%s[k] inside sum(k, ...)",
                    text, fam->n, fl, fam->name, fe, fl, fam->name, fe, fam->n, fl, fam->name, fe);
    }
    if (is_function(p, name))
        return fail(p, p->tok.start, "expected '(' after %s", text);
    if (was_closed(p, name))
        return fail(p, name->start, "%s is used outside its sum(%.*s, ...)", text,
                    shown_len(name->len), p->src + name->start);
    return fail(p, name->start, "unknown name %s", text);
}

static int primary(Parser *p) {
    Token t = p->tok;
    switch (t.kind) {
    case T_NUM:
        if (next(p))
            return -1;
        return mark(p, emit_leaf(p, OP_CONST, 0, t.num), FORMULA_SYN_NUMBER, &t);
    case T_NAME:
        if (next(p))
            return -1;
        if (p->tok.kind == T_LPAREN)
            return call(p, &t);
        if (p->tok.kind == T_LBRACKET)
            return indexed(p, &t);
        return name_leaf(p, &t);
    case T_LPAREN: {
        if (enter(p, t.start) || next(p))
            return -1;
        int e = subexpr(p, 0);
        if (e < 0 || expect_close(p, t.start))
            return -1;
        p->depth--;
        return e;
    }
    case T_END:
        return fail(p, t.start, "unexpected end of formula");
    default: {
        char text[64];
        token_text(p, &t, text, sizeof text);
        return fail(p, t.start, "unexpected %s", text);
    }
    }
}

static int subexpr(Parser *p, int limit) {
    int left;
    if (p->tok.kind == T_MINUS || p->tok.kind == T_PLUS) {
        TokKind op = p->tok.kind;
        if (enter(p, p->tok.start) || next(p))
            return -1;
        int u = subexpr(p, PRIO_UNARY);
        if (u < 0)
            return -1;
        p->depth--;
        left = op == T_MINUS ? emit_op(p, OP_NEG, u, u) : u;
    } else {
        left = primary(p);
    }
    while (left >= 0) {
        TokKind k = p->tok.kind;
        if (k < T_PLUS || k > T_CARET || PRIO[k].left <= limit)
            break;
        size_t at = p->tok.start;
        if (next(p))
            return -1;
        int right;
        if (k == T_CARET) {
            if (enter(p, at))
                return -1;
            right = subexpr(p, PRIO[k].right);
            p->depth--;
        } else {
            right = subexpr(p, PRIO[k].right);
        }
        if (right < 0)
            return -1;
        static const int binop[] = {[T_PLUS] = OP_ADD,
                                    [T_MINUS] = OP_SUB,
                                    [T_STAR] = OP_MUL,
                                    [T_SLASH] = OP_DIV,
                                    [T_CARET] = OP_POW};
        left = emit_op(p, binop[k], left, right);
    }
    return left;
}

/* ---- compile ------------------------------------------------------------- */

/* Copies the tape out of the parser; its root is the last node, as in any
 * postorder. */
static Formula *build(Parser *p) {
    int n = p->n;
    size_t bytes = sizeof(Formula) + (size_t)n * sizeof(Node) + 2 * (size_t)n * sizeof(int);
    Formula *f = malloc(bytes);
    if (!f)
        return NULL;
    f->nparams = p->nparams;
    f->n = n;
    f->xnode = p->xnode;
    f->nodes = (Node *)(f + 1);
    f->boundary = (int *)(f->nodes + n);
    f->aux = f->boundary + n;
    memcpy(f->nodes, p->nodes, (size_t)n * sizeof(Node));
    f->naux = 0;
    for (int i = 0; i < n; i++) {
        const Node *nd = &f->nodes[i];
        int trig = nd->op == OP_SIN || nd->op == OP_COS;
        f->aux[i] = trig && (nd->flags & FLAG_VARY) && (nd->flags & FLAG_DEP) ? f->naux++ : -1;
    }
    /* x-free operands of x-dependent nodes: broadcast into lanes once per
     * call, and where their adjoints are summed over the lanes. */
    unsigned char *mark = calloc((size_t)n, 1);
    if (!mark) {
        free(f);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const Node *nd = &f->nodes[i];
        if (!(nd->flags & FLAG_VARY) || op_arity(nd->op) == 0)
            continue;
        if (!(f->nodes[nd->a].flags & FLAG_VARY))
            mark[nd->a] = 1;
        if (!(f->nodes[nd->b].flags & FLAG_VARY))
            mark[nd->b] = 1;
    }
    f->nboundary = 0;
    for (int i = 0; i < n; i++)
        if (mark[i])
            f->boundary[f->nboundary++] = i;
    free(mark);
    return f;
}

int formula_compile(const char *text, const char *const *param_names, int nparams, Formula **out,
                    int *err_column, GdError *err) {
    return formula_compile_var(text, "x", param_names, nparams, out, err_column, err);
}

/* Parses text into p's tape (p->nodes[0..p->n-1], the root last); 0, or
 * the error code (p->failed). The caller frees the rest with
 * parser_free (p->syn excepted). */
static int parse(Parser *p, const char *text, const char *variable, const char *const *param_names,
                 int nparams, int syntax, int *err_column, GdError *err) {
    memset(p, 0, sizeof *p);
    p->var = variable;
    p->src = text ? text : "";
    p->len = strlen(p->src);
    p->params = param_names;
    p->nparams = nparams > 0 ? nparams : 0;
    p->xnode = -1;
    p->syntax = syntax;
    p->err_column = err_column;
    p->err = err;
    if (err_column)
        *err_column = 0;
    gd_error_clear(err);
    if (nparams < 1 || nparams > FORMULA_MAX_PARAMS) {
        fail(p, 0, "a formula takes 1 to %d parameters, got %d", FORMULA_MAX_PARAMS, nparams);
        return p->failed;
    }
    p->pnode = malloc(((size_t)p->nparams + 1) * sizeof *p->pnode);
    if (!p->pnode) {
        fail_oom(p, 0);
        return p->failed;
    }
    for (int i = 0; i < p->nparams; i++)
        p->pnode[i] = -1;
    if (find_families(p))
        return p->failed;
    if (next(p))
        return p->failed;
    if (p->tok.kind == T_END)
        fail(p, 0, "empty formula");
    else if (subexpr(p, 0) >= 0 && p->tok.kind != T_END)
        fail_after_operand(p);
    return p->failed;
}

static void parser_free(Parser *p) {
    free(p->nodes);
    free(p->pnode);
    free(p->fams);
    free(p->fam_slots);
    free(p->closed);
}

int formula_compile_var(const char *text, const char *variable, const char *const *param_names,
                        int nparams, Formula **out, int *err_column, GdError *err) {
    Parser p;
    *out = NULL;
    Formula *f = NULL;
    if (parse(&p, text, variable, param_names, nparams, 0, err_column, err) == 0) {
        f = build(&p);
        if (!f)
            fail_oom(&p, 0);
    }
    parser_free(&p);
    *out = f;
    return f ? GD_OK : p.failed;
}

int formula_parse_syntax(const char *text, const char *variable, const char *const *param_names,
                         int nparams, FormulaSyntax *out, int *err_column, GdError *err) {
    Parser p;
    memset(out, 0, sizeof *out);
    out->root = -1;
    int rc = parse(&p, text, variable, param_names, nparams, 1, err_column, err);
    parser_free(&p);
    if (rc != 0) {
        free(p.syn);
        return rc;
    }
    out->nodes = p.syn;
    out->n = p.n;
    out->root = p.n - 1;
    return GD_OK;
}

void formula_syntax_free(FormulaSyntax *s) {
    if (!s)
        return;
    free(s->nodes);
    s->nodes = NULL;
    s->n = 0;
    s->root = -1;
}

void formula_destroy(Formula *f) {
    free(f);
}

FormulaName formula_classify_name(const char *name) {
    if (strcmp(name, "x") == 0)
        return FORMULA_NAME_X;
    if (strcmp(name, "pi") == 0 || strcmp(name, "e") == 0)
        return FORMULA_NAME_CONSTANT;
    if (strcmp(name, "sum") == 0)
        return FORMULA_NAME_FUNCTION;
    for (size_t i = 0; i < sizeof FUNCS / sizeof FUNCS[0]; i++)
        if (strcmp(name, FUNCS[i].name) == 0)
            return FORMULA_NAME_FUNCTION;
    return FORMULA_NAME_FREE;
}

int formula_nparams(const Formula *f) {
    return f->nparams;
}

int formula_tape_length(const Formula *f) {
    return f->n;
}

/* ---- scalar evaluation --------------------------------------------------- */

/* v[i] for every node, or only for the x-free ones when skip_vary. */
static void forward_scalar(const Formula *f, double x, const double *params, double *v,
                           int skip_vary) {
    for (int i = 0; i < f->n; i++) {
        const Node *nd = &f->nodes[i];
        if (skip_vary && (nd->flags & FLAG_VARY))
            continue;
        switch (nd->op) {
        case OP_CONST:
            v[i] = nd->c;
            break;
        case OP_X:
            v[i] = x;
            break;
        case OP_PARAM:
            v[i] = params[nd->a];
            break;
        default:
            v[i] = op_value(nd->op, v[nd->a], v[nd->b], nd->c);
            break;
        }
    }
}

/* Propagates adj[] (seeded by the caller) down the tape and adds the
 * parameters' adjoints to grad[]. */
static void backward_scalar(const Formula *f, const double *v, double *adj, double *grad,
                            int skip_vary) {
    for (int i = f->n - 1; i >= 0; i--) {
        const Node *nd = &f->nodes[i];
        if (!(nd->flags & FLAG_DEP) || (skip_vary && (nd->flags & FLAG_VARY)))
            continue;
        double g = adj[i];
        if (nd->op == OP_PARAM) {
            grad[nd->a] += g;
            continue;
        }
        double da, db;
        op_partials(nd->op, v[nd->a], v[nd->b], nd->c, v[i], &da, &db);
        adj[nd->a] += g * da;
        if (op_arity(nd->op) == 2)
            adj[nd->b] += g * db;
    }
}

double formula_eval(const Formula *f, double x, const double *params) {
    double small[STACK_NODES];
    double *v = f->n <= STACK_NODES ? small : malloc((size_t)f->n * sizeof *v);
    if (!v)
        return NAN;
    forward_scalar(f, x, params, v, 0);
    double r = v[f->n - 1];
    if (v != small)
        free(v);
    return r;
}

double formula_eval_grad(const Formula *f, double x, const double *params, double *grad) {
    double small[2 * STACK_NODES];
    double *v = f->n <= STACK_NODES ? small : malloc(2 * (size_t)f->n * sizeof *v);
    for (int j = 0; j < f->nparams; j++)
        grad[j] = v ? 0.0 : NAN;
    if (!v)
        return NAN;
    double *adj = v + f->n;
    forward_scalar(f, x, params, v, 0);
    memset(adj, 0, (size_t)f->n * sizeof *adj);
    adj[f->n - 1] = 1.0;
    backward_scalar(f, v, adj, grad, 0);
    double r = v[f->n - 1];
    if (v != small)
        free(v);
    return r;
}

/* ---- block evaluation ---------------------------------------------------- */

/* Scratch of the batch evaluators: scalar values and adjoints of every node,
 * then B lanes per node for values and (with gradients) adjoints, then B
 * lanes of targets; and B lanes per aux slot (Formula.aux). */
typedef struct Work {
    double *uval, *uadj, *val, *adj, *ylane, *aux;
    int B;
    double *heap, *aux_heap;
} Work;

/* The points per block of the batch evaluators for m points, and whether
 * the scratch goes on the heap. The block size fixes the order of the
 * sums, so every evaluator of a loss uses this one rule; room for
 * adjoints is counted even when no gradient is wanted, so that a loss has
 * the same bits with or without its gradient. */
static int block_size(const Formula *f, int m, int *on_heap) {
    int n = f->n, per = 2 * n + 1;
    long avail = STACK_DOUBLES - 2L * n;
    long B = avail > 0 ? avail / per : 0;
    if (B > BLOCK_MAX)
        B = BLOCK_MAX;
    if (B > m)
        B = m;
    *on_heap = 0;
    if (B < BLOCK_MIN && B < m) {
        B = m < BLOCK_HEAP ? m : BLOCK_HEAP;
        *on_heap = 1;
    }
    return (int)B;
}

static int work_init(Work *w, const Formula *f, int m, double *stack, double *aux_stack) {
    int n = f->n, per = 2 * n + 1, on_heap;
    int B = block_size(f, m, &on_heap);
    double *base = stack;
    w->heap = w->aux_heap = NULL;
    if (on_heap) {
        w->heap = malloc(((size_t)2 * n + (size_t)B * per) * sizeof(double));
        if (!w->heap)
            return -1;
        base = w->heap;
    }
    w->aux = aux_stack;
    if ((size_t)f->naux * B > STACK_AUX) {
        w->aux = w->aux_heap = malloc((size_t)f->naux * B * sizeof(double));
        if (!w->aux) {
            free(w->heap);
            return -1;
        }
    }
    w->B = B;
    w->uval = base;
    w->uadj = base + n;
    w->val = base + 2 * n;
    w->adj = w->val + (size_t)n * B;
    w->ylane = w->adj + (size_t)n * B;
    return 0;
}

static void work_free(Work *w) {
    free(w->heap);
    free(w->aux_heap);
}

/* Scalar pass over the x-free nodes, broadcast into the lanes that the
 * block kernels read. */
static void work_prepare(Work *w, const Formula *f, const double *params, int lanes) {
    forward_scalar(f, 0.0, params, w->uval, 1);
    for (int k = 0; k < f->nboundary; k++) {
        int j = f->boundary[k];
        double *dst = w->val + (size_t)j * w->B, v = w->uval[j];
        for (int l = 0; l < lanes; l++)
            dst[l] = v;
    }
}

#define FWD_CASE(OP)                                                                               \
    case OP:                                                                                       \
        for (int l = 0; l < bn; l++)                                                               \
            W[l] = op_value(OP, A[l], Bv[l], c);                                                   \
        break;

/* Values of the x-dependent nodes for lanes [0, bn); the x lane is filled.
 * Node i's lanes are val + i * B, aux slot k's aux + k * B. */
GD_VECTOR_CLONES
static void block_forward(const Formula *f, double *val, double *aux, int B, int bn) {
    for (int i = 0; i < f->n; i++) {
        const Node *nd = &f->nodes[i];
        if (!(nd->flags & FLAG_VARY) || nd->op == OP_X)
            continue;
        double *W = val + (size_t)i * B;
        const double *A = val + (size_t)nd->a * B, *Bv = val + (size_t)nd->b * B;
        const double c = nd->c;
        switch (nd->op) {
            FWD_CASE(OP_NEG)
            FWD_CASE(OP_ADD)
            FWD_CASE(OP_SUB)
            FWD_CASE(OP_MUL)
            FWD_CASE(OP_DIV)
            FWD_CASE(OP_POW)
        case OP_POWI:
            /* The same products powi() forms, without its loop per lane. */
            if (c == 2.0) {
                for (int l = 0; l < bn; l++)
                    W[l] = A[l] * A[l];
            } else if (c == 3.0) {
                for (int l = 0; l < bn; l++)
                    W[l] = A[l] * (A[l] * A[l]);
            } else {
                for (int l = 0; l < bn; l++)
                    W[l] = op_value(OP_POWI, A[l], Bv[l], c);
            }
            break;
            FWD_CASE(OP_POWC)
        case OP_SIN:
            /* With a gradient to come: cos of the operand too, for it. */
            if (f->aux[i] >= 0)
                trig_sincos_many(A, W, aux + (size_t)f->aux[i] * B, bn);
            else
                trig_sin_many(A, W, bn);
            break;
        case OP_COS:
            if (f->aux[i] >= 0)
                trig_sincos_many(A, aux + (size_t)f->aux[i] * B, W, bn);
            else
                trig_cos_many(A, W, bn);
            break;
            FWD_CASE(OP_TAN)
            FWD_CASE(OP_EXP)
            FWD_CASE(OP_LOG)
            FWD_CASE(OP_SQRT)
            FWD_CASE(OP_ABS)
            FWD_CASE(OP_TANH)
            FWD_CASE(OP_SIGMOID)
            FWD_CASE(OP_RELU)
            FWD_CASE(OP_MIN)
            FWD_CASE(OP_MAX)
        default:
            break;
        }
    }
}

#define BWD_CASE(OP)                                                                               \
    case OP:                                                                                       \
        if (need_a && need_b) {                                                                    \
            for (int l = 0; l < bn; l++) {                                                         \
                double da, db;                                                                     \
                op_partials(OP, A[l], Bv[l], c, W[l], &da, &db);                                   \
                GA[l] += G[l] * da;                                                                \
                GB[l] += G[l] * db;                                                                \
            }                                                                                      \
        } else if (need_a) {                                                                       \
            for (int l = 0; l < bn; l++) {                                                         \
                double da, db;                                                                     \
                op_partials(OP, A[l], Bv[l], c, W[l], &da, &db);                                   \
                GA[l] += G[l] * da;                                                                \
            }                                                                                      \
        } else {                                                                                   \
            for (int l = 0; l < bn; l++) {                                                         \
                double da, db;                                                                     \
                op_partials(OP, A[l], Bv[l], c, W[l], &da, &db);                                   \
                GB[l] += G[l] * db;                                                                \
            }                                                                                      \
        }                                                                                          \
        break;

/* Reverse pass over the x-dependent nodes for lanes [0, bn): the caller has
 * seeded the root's lanes and zeroed every other adjoint lane; aux holds
 * what block_forward kept. */
GD_VECTOR_CLONES
static void block_backward(const Formula *f, const double *val, double *adj, const double *aux,
                           int B, int bn) {
    for (int i = f->n - 1; i >= 0; i--) {
        const Node *nd = &f->nodes[i];
        if ((nd->flags & (FLAG_VARY | FLAG_DEP)) != (FLAG_VARY | FLAG_DEP))
            continue;
        int need_a = (f->nodes[nd->a].flags & FLAG_DEP) != 0;
        int need_b = op_arity(nd->op) == 2 && (f->nodes[nd->b].flags & FLAG_DEP);
        const double *W = val + (size_t)i * B, *G = adj + (size_t)i * B;
        const double *A = val + (size_t)nd->a * B, *Bv = val + (size_t)nd->b * B;
        double *GA = adj + (size_t)nd->a * B, *GB = adj + (size_t)nd->b * B;
        const double c = nd->c;
        switch (nd->op) {
            BWD_CASE(OP_NEG)
            BWD_CASE(OP_ADD)
            BWD_CASE(OP_SUB)
            BWD_CASE(OP_MUL)
            BWD_CASE(OP_DIV)
            BWD_CASE(OP_POW)
        case OP_POWI:
            /* Unary, so only the operand needs its adjoint; the products
             * are those of op_partials. */
            if (c == 2.0) {
                for (int l = 0; l < bn; l++)
                    GA[l] += G[l] * (2.0 * A[l]);
            } else if (c == 3.0) {
                for (int l = 0; l < bn; l++)
                    GA[l] += G[l] * (3.0 * (A[l] * A[l]));
            } else {
                for (int l = 0; l < bn; l++) {
                    double da, db;
                    op_partials(OP_POWI, A[l], Bv[l], c, W[l], &da, &db);
                    GA[l] += G[l] * da;
                }
            }
            break;
            BWD_CASE(OP_POWC)
        case OP_SIN: {
            /* d sin u = cos u, kept by the forward pass: op_partials' bits */
            const double *D = aux + (size_t)f->aux[i] * B;
            for (int l = 0; l < bn; l++)
                GA[l] += G[l] * D[l];
            break;
        }
        case OP_COS: {
            const double *D = aux + (size_t)f->aux[i] * B; /* sin u */
            for (int l = 0; l < bn; l++)
                GA[l] += G[l] * -D[l];
            break;
        }
            BWD_CASE(OP_TAN)
            BWD_CASE(OP_EXP)
            BWD_CASE(OP_LOG)
            BWD_CASE(OP_SQRT)
            BWD_CASE(OP_ABS)
            BWD_CASE(OP_TANH)
            BWD_CASE(OP_SIGMOID)
            BWD_CASE(OP_RELU)
            BWD_CASE(OP_MIN)
            BWD_CASE(OP_MAX)
        default:
            break;
        }
    }
}

/* Lane sums with four interleaved accumulators: a fixed order (the same
 * bits on every machine) that the compiler can keep in vector registers. */
static double sum_lanes(const double *v, int n) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int l = 0;
    for (; l + 4 <= n; l += 4) {
        s0 += v[l];
        s1 += v[l + 1];
        s2 += v[l + 2];
        s3 += v[l + 3];
    }
    for (; l < n; l++)
        s0 += v[l];
    return (s0 + s1) + (s2 + s3);
}

static double sum_squares(const double *v, int n) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int l = 0;
    for (; l + 4 <= n; l += 4) {
        s0 += v[l] * v[l];
        s1 += v[l + 1] * v[l + 1];
        s2 += v[l + 2] * v[l + 2];
        s3 += v[l + 3] * v[l + 3];
    }
    for (; l < n; l++)
        s0 += v[l] * v[l];
    return (s0 + s1) + (s2 + s3);
}

void formula_eval_many(const Formula *f, const double *x, int n, const double *params,
                       double *out) {
    if (n <= 0)
        return;
    double stack[STACK_DOUBLES], aux_stack[STACK_AUX];
    Work w;
    if (work_init(&w, f, n, stack, aux_stack)) {
        for (int k = 0; k < n; k++)
            out[k] = NAN;
        return;
    }
    const int root = f->n - 1, B = w.B;
    work_prepare(&w, f, params, B);
    if (!(f->nodes[root].flags & FLAG_VARY)) {
        for (int k = 0; k < n; k++)
            out[k] = w.uval[root];
    } else {
        for (int k0 = 0; k0 < n; k0 += B) {
            int bn = n - k0 < B ? n - k0 : B;
            memcpy(w.val + (size_t)f->xnode * B, x + k0, (size_t)bn * sizeof(double));
            block_forward(f, w.val, w.aux, B, bn);
            memcpy(out + k0, w.val + (size_t)root * B, (size_t)bn * sizeof(double));
        }
    }
    work_free(&w);
}

double formula_mse(const Formula *f, const double *x, const double *y, const int *idx, int m,
                   const double *params, double *grad) {
    const int np = f->nparams, root = f->n - 1;
    if (grad)
        for (int j = 0; j < np; j++)
            grad[j] = 0.0;
    if (m <= 0)
        return NAN;
    const int want_grad = grad != NULL && (f->nodes[root].flags & FLAG_DEP);
    double stack[STACK_DOUBLES], aux_stack[STACK_AUX];
    Work w;
    if (work_init(&w, f, m, stack, aux_stack)) {
        if (grad)
            for (int j = 0; j < np; j++)
                grad[j] = NAN;
        return NAN;
    }
    const int B = w.B;
    const int vary = (f->nodes[root].flags & FLAG_VARY) != 0;
    /* d(mean)/d(prediction) = 2 (f - y) / m */
    const double scale = 2.0 / m;
    work_prepare(&w, f, params, B);
    if (want_grad)
        memset(w.uadj, 0, (size_t)f->n * sizeof(double));

    double sse = 0.0;
    double *ylane = w.ylane;
    for (int k0 = 0; k0 < m; k0 += B) {
        const int bn = m - k0 < B ? m - k0 : B;
        const double *pred;
        if (vary) {
            double *xl = w.val + (size_t)f->xnode * B;
            if (idx) {
                for (int l = 0; l < bn; l++) {
                    xl[l] = x[idx[k0 + l]];
                    ylane[l] = y[idx[k0 + l]];
                }
            } else {
                memcpy(xl, x + k0, (size_t)bn * sizeof(double));
                memcpy(ylane, y + k0, (size_t)bn * sizeof(double));
            }
            block_forward(f, w.val, w.aux, B, bn);
            pred = w.val + (size_t)root * B;
        } else {
            for (int l = 0; l < bn; l++)
                ylane[l] = y[idx ? idx[k0 + l] : k0 + l];
            pred = NULL;
        }
        /* ylane becomes the residual f - y. */
        if (pred) {
            for (int l = 0; l < bn; l++)
                ylane[l] = pred[l] - ylane[l];
        } else {
            const double u = w.uval[root];
            for (int l = 0; l < bn; l++)
                ylane[l] = u - ylane[l];
        }
        sse += sum_squares(ylane, bn);
        if (!want_grad)
            continue;
        if (!vary) {
            w.uadj[root] += scale * sum_lanes(ylane, bn);
            continue;
        }
        /* Zero the adjoint lanes that the reverse pass adds into. */
        for (int i = 0; i < f->n; i++)
            if (f->nodes[i].flags & FLAG_DEP)
                memset(w.adj + (size_t)i * B, 0, (size_t)bn * sizeof(double));
        double *G = w.adj + (size_t)root * B;
        for (int l = 0; l < bn; l++)
            G[l] = scale * ylane[l];
        block_backward(f, w.val, w.adj, w.aux, B, bn);
        for (int k = 0; k < f->nboundary; k++) {
            int j = f->boundary[k];
            if (!(f->nodes[j].flags & FLAG_DEP))
                continue;
            w.uadj[j] += sum_lanes(w.adj + (size_t)j * B, bn);
        }
    }
    if (want_grad)
        backward_scalar(f, w.uval, w.uadj, grad, 1);
    work_free(&w);
    return sse / m;
}

/* ---- many parameter vectors at once ------------------------------------- */

/* formula_mse_many's tiles: up to MANY_STARTS parameter vectors times
 * MANY_POINTS points, one lane each, point-major (lane = t * starts + s). */
#define MANY_STARTS 32
#define MANY_POINTS 8

/* What formula_mse_many keeps per vector across a block's tiles: the four
 * interleaved partial sums of sum_squares and sum_lanes (element l of a
 * block goes to sum l % 4, the tail after the last whole four to sum 0),
 * for the squared residuals, the residuals (root without x) and the
 * adjoint of each boundary node. */
typedef struct ManyWork {
    int S, L;            /* vectors in this group, lanes per tile (MANY_POINTS * MANY_STARTS) */
    double *uval, *uadj; /* f->n * MANY_STARTS: x-free node values and adjoints, per vector */
    double *val, *adj, *aux, *res; /* f->n * L, f->n * L, naux * L, L */
    double *acc;                   /* (2 + nboundary) * 4 * MANY_STARTS partial sums */
    double *one;                   /* 2 * f->n: one vector's scalar values and adjoints */
} ManyWork;

static int many_init(ManyWork *w, const Formula *f) {
    const size_t n = (size_t)f->n, S = MANY_STARTS, L = MANY_POINTS * MANY_STARTS;
    size_t total = 2 * n * S + 2 * n * L + (size_t)f->naux * L + L +
                   (2 + (size_t)f->nboundary) * 4 * S + 2 * n;
    double *p = malloc(total * sizeof(double));
    if (!p)
        return -1;
    w->L = (int)L;
    w->uval = p;
    w->uadj = w->uval + n * S;
    w->val = w->uadj + n * S;
    w->adj = w->val + n * L;
    w->aux = w->adj + n * L;
    w->res = w->aux + (size_t)f->naux * L;
    w->acc = w->res + L;
    w->one = w->acc + (2 + (size_t)f->nboundary) * 4 * S;
    return 0;
}

/* Partial sum k (0..3) of quantity q for vector s. */
static double *many_acc(const ManyWork *w, int q, int k, int s) {
    return w->acc + ((size_t)q * 4 + (size_t)k) * MANY_STARTS + (size_t)s;
}

/* One group of w->S vectors (params: S rows of nparams), exactly as
 * formula_mse computes each of them. */
GD_VECTOR_CLONES
static void mse_group(const Formula *f, const double *x, const double *y, const int *idx, int m,
                      int B, const double *params, double *loss, double *grad, ManyWork *w) {
    const int np = f->nparams, nn = f->n, root = nn - 1, S = w->S;
    const int want_grad = grad != NULL && (f->nodes[root].flags & FLAG_DEP);
    const int vary = (f->nodes[root].flags & FLAG_VARY) != 0;
    const double scale = 2.0 / m;
    /* The x-free nodes of each vector, and their lanes in every tile. */
    for (int s = 0; s < S; s++) {
        forward_scalar(f, 0.0, params + (size_t)s * np, w->one, 1);
        for (int i = 0; i < nn; i++) {
            w->uval[(size_t)i * MANY_STARTS + s] = w->one[i];
            w->uadj[(size_t)i * MANY_STARTS + s] = 0.0;
        }
    }
    for (int k = 0; k < f->nboundary; k++) {
        const int j = f->boundary[k];
        double *dst = w->val + (size_t)j * w->L;
        for (int t = 0; t < MANY_POINTS; t++)
            for (int s = 0; s < S; s++)
                dst[t * S + s] = w->uval[(size_t)j * MANY_STARTS + s];
    }
    double sse[MANY_STARTS];
    for (int s = 0; s < S; s++)
        sse[s] = 0.0;
    const int nacc = 2 + f->nboundary;
    for (int k0 = 0; k0 < m; k0 += B) {
        const int bn = m - k0 < B ? m - k0 : B, whole = bn / 4 * 4;
        for (int q = 0; q < nacc; q++)
            for (int k = 0; k < 4; k++)
                for (int s = 0; s < S; s++)
                    *many_acc(w, q, k, s) = 0.0;
        for (int t0 = 0; t0 < bn; t0 += MANY_POINTS) {
            const int tn = bn - t0 < MANY_POINTS ? bn - t0 : MANY_POINTS, lanes = tn * S;
            double *res = w->res;
            if (vary) {
                double *xl = w->val + (size_t)f->xnode * w->L;
                for (int t = 0; t < tn; t++) {
                    const int j = idx ? idx[k0 + t0 + t] : k0 + t0 + t;
                    for (int s = 0; s < S; s++)
                        xl[t * S + s] = x[j];
                }
                block_forward(f, w->val, w->aux, w->L, lanes);
                const double *pred = w->val + (size_t)root * w->L;
                for (int t = 0; t < tn; t++) {
                    const double yj = y[idx ? idx[k0 + t0 + t] : k0 + t0 + t];
                    for (int s = 0; s < S; s++)
                        res[t * S + s] = pred[t * S + s] - yj;
                }
            } else {
                for (int t = 0; t < tn; t++) {
                    const double yj = y[idx ? idx[k0 + t0 + t] : k0 + t0 + t];
                    for (int s = 0; s < S; s++)
                        res[t * S + s] = w->uval[(size_t)root * MANY_STARTS + s] - yj;
                }
            }
            for (int t = 0; t < tn; t++) {
                const int l = t0 + t, k = l < whole ? l % 4 : 0;
                double *a = many_acc(w, 0, k, 0);
                for (int s = 0; s < S; s++)
                    a[s] += res[t * S + s] * res[t * S + s];
            }
            if (!want_grad)
                continue;
            if (!vary) {
                for (int t = 0; t < tn; t++) {
                    const int l = t0 + t, k = l < whole ? l % 4 : 0;
                    double *a = many_acc(w, 1, k, 0);
                    for (int s = 0; s < S; s++)
                        a[s] += res[t * S + s];
                }
                continue;
            }
            for (int i = 0; i < nn; i++)
                if (f->nodes[i].flags & FLAG_DEP)
                    memset(w->adj + (size_t)i * w->L, 0, (size_t)lanes * sizeof(double));
            double *G = w->adj + (size_t)root * w->L;
            for (int l = 0; l < lanes; l++)
                G[l] = scale * res[l];
            block_backward(f, w->val, w->adj, w->aux, w->L, lanes);
            for (int b = 0; b < f->nboundary; b++) {
                const int j = f->boundary[b];
                if (!(f->nodes[j].flags & FLAG_DEP))
                    continue;
                const double *A = w->adj + (size_t)j * w->L;
                for (int t = 0; t < tn; t++) {
                    const int l = t0 + t, k = l < whole ? l % 4 : 0;
                    double *a = many_acc(w, 2 + b, k, 0);
                    for (int s = 0; s < S; s++)
                        a[s] += A[t * S + s];
                }
            }
        }
        /* The block's sums, as sum_squares and sum_lanes end them. */
        for (int s = 0; s < S; s++) {
            sse[s] += (*many_acc(w, 0, 0, s) + *many_acc(w, 0, 1, s)) +
                      (*many_acc(w, 0, 2, s) + *many_acc(w, 0, 3, s));
            if (!want_grad)
                continue;
            if (!vary) {
                w->uadj[(size_t)root * MANY_STARTS + s] +=
                    scale * ((*many_acc(w, 1, 0, s) + *many_acc(w, 1, 1, s)) +
                             (*many_acc(w, 1, 2, s) + *many_acc(w, 1, 3, s)));
                continue;
            }
            for (int b = 0; b < f->nboundary; b++) {
                const int j = f->boundary[b];
                if (f->nodes[j].flags & FLAG_DEP)
                    w->uadj[(size_t)j * MANY_STARTS + s] +=
                        (*many_acc(w, 2 + b, 0, s) + *many_acc(w, 2 + b, 1, s)) +
                        (*many_acc(w, 2 + b, 2, s) + *many_acc(w, 2 + b, 3, s));
            }
        }
    }
    for (int s = 0; s < S; s++) {
        loss[s] = sse[s] / m;
        if (!grad)
            continue;
        double *g = grad + (size_t)s * np;
        for (int j = 0; j < np; j++)
            g[j] = 0.0;
        if (!want_grad)
            continue;
        /* The scalar reverse pass over the x-free nodes, on this vector's
         * values and summed adjoints. */
        double *vals = w->one, *adjs = w->one + nn;
        for (int i = 0; i < nn; i++) {
            vals[i] = w->uval[(size_t)i * MANY_STARTS + s];
            adjs[i] = w->uadj[(size_t)i * MANY_STARTS + s];
        }
        backward_scalar(f, vals, adjs, g, 1);
    }
}

int formula_mse_many(const Formula *f, const double *x, const double *y, const int *idx, int m,
                     int n, const double *params, double *loss, double *grad) {
    const int np = f->nparams;
    if (n <= 0)
        return 0;
    ManyWork w;
    const int oom = m > 0 && many_init(&w, f) != 0;
    if (m <= 0 || oom) {
        for (int s = 0; s < n; s++) {
            loss[s] = NAN;
            for (int j = 0; grad && j < np; j++)
                grad[(size_t)s * np + j] = oom ? NAN : 0.0;
        }
        return oom ? -1 : 0;
    }
    int on_heap;
    const int B = block_size(f, m, &on_heap);
    for (int s0 = 0; s0 < n; s0 += MANY_STARTS) {
        w.S = n - s0 < MANY_STARTS ? n - s0 : MANY_STARTS;
        mse_group(f, x, y, idx, m, B, params + (size_t)s0 * np, loss + s0,
                  grad ? grad + (size_t)s0 * np : NULL, &w);
    }
    free(w.uval);
    return 0;
}
