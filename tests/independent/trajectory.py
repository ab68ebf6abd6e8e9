#!/usr/bin/env python3
"""Independent computation of gdrender's trajectories, to check its CSV.

Written from SPEC.md alone, sharing no code with the C implementation:
configparser reads the INI, Python's own parser evaluates the formula, and
forward-mode dual numbers (not the C engine's reverse mode) give the exact
gradient. The synthetic data follow the documented generator (xoshiro256**
seeded by splitmix64, Marsaglia polar normals) with Python's math.log.

Usage: trajectory.py GDRENDER CONFIG [CONFIG ...]
Runs `GDRENDER --check --trajectory tmp.csv CONFIG` for each config and
compares every number to the independent value within 1e-9 relative: the
parameters and the loss relative to their own size (with a floor of 1), the
gradients relative to the run's gradient scale (its largest component at
step 0), since near a minimum a gradient is the tiny difference of two large
sums and only its absolute error means anything. Prints one line per config and
a closing "N passed, N failed" line; exits 1 on any mismatch.
"""
import ast
import configparser
import csv
import math
import os
import subprocess
import sys
import tempfile

MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


class Rng:
    def __init__(self, seed):
        st = seed & MASK
        self.s = []
        for _ in range(4):
            st, v = splitmix64(st)
            self.s.append(v)
        self.spare = None

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0**-53

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                break
        f = math.sqrt(-2.0 * math.log(s) / s)
        self.spare = v * f
        return u * f


class Dual:
    """A value with its derivatives with respect to every parameter."""

    def __init__(self, v, d):
        self.v, self.d = v, d

    @staticmethod
    def lift(o, n):
        return o if isinstance(o, Dual) else Dual(float(o), [0.0] * n)

    def __add__(a, b):
        b = Dual.lift(b, len(a.d))
        return Dual(a.v + b.v, [x + y for x, y in zip(a.d, b.d)])

    __radd__ = __add__

    def __sub__(a, b):
        b = Dual.lift(b, len(a.d))
        return Dual(a.v - b.v, [x - y for x, y in zip(a.d, b.d)])

    def __rsub__(a, b):
        return Dual.lift(b, len(a.d)) - a

    def __mul__(a, b):
        b = Dual.lift(b, len(a.d))
        return Dual(a.v * b.v, [x * b.v + a.v * y for x, y in zip(a.d, b.d)])

    __rmul__ = __mul__

    def __truediv__(a, b):
        b = Dual.lift(b, len(a.d))
        return Dual(a.v / b.v, [(x * b.v - a.v * y) / (b.v * b.v) for x, y in zip(a.d, b.d)])

    def __rtruediv__(a, b):
        return Dual.lift(b, len(a.d)) / a

    def __neg__(a):
        return Dual(-a.v, [-x for x in a.d])

    def __pow__(a, b):
        b = Dual.lift(b, len(a.d))
        if all(y == 0.0 for y in b.d):
            val = a.v ** b.v
            dv = b.v * a.v ** (b.v - 1) if b.v != 0 else 0.0
            return Dual(val, [dv * x for x in a.d])
        val = a.v ** b.v
        return Dual(val, [val * (y * math.log(a.v) + b.v * x / a.v) for x, y in zip(a.d, b.d)])

    def __rpow__(a, b):
        return Dual.lift(b, len(a.d)) ** a


def chain(f, df):
    def g(u):
        return Dual(f(u.v), [df(u.v) * x for x in u.d])
    return g


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


FUNCS = {
    "sin": chain(math.sin, math.cos),
    "cos": chain(math.cos, lambda v: -math.sin(v)),
    "tan": chain(math.tan, lambda v: 1.0 / math.cos(v) ** 2),
    "exp": chain(math.exp, math.exp),
    "log": chain(math.log, lambda v: 1.0 / v),
    "sqrt": chain(math.sqrt, lambda v: 0.5 / math.sqrt(v)),
    "abs": chain(abs, lambda v: (v > 0) - (v < 0)),
    "tanh": chain(math.tanh, lambda v: 1.0 - math.tanh(v) ** 2),
    "sigmoid": chain(sigmoid, lambda v: sigmoid(v) * (1.0 - sigmoid(v))),
    "relu": chain(lambda v: max(v, 0.0), lambda v: 1.0 if v > 0 else 0.0),
    "pow": lambda u, v: u ** v,
    "min": lambda u, v: u if u.v <= v.v else v,
    "max": lambda u, v: u if u.v >= v.v else v,
}


class _Family:
    """A parameter family w[1] .. w[n] as the formula indexes it (from 1)."""

    def __init__(self, items):
        self.items = items

    def __getitem__(self, k):
        if not 1 <= k <= len(self.items):
            raise IndexError(k)
        return self.items[k - 1]


def _sum(term, n):
    total = term(1)
    for k in range(2, n + 1):
        total = total + term(k)
    return total


class _Sums(ast.NodeTransformer):
    """sum(k, EXPR) becomes _sum(lambda k: EXPR, n), n the length of the
    families EXPR indexes with k (SPEC section 3, "Indexed parameters")."""

    def __init__(self, lengths):
        self.lengths = lengths

    def visit_Call(self, node):
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id == "sum"):
            return node
        index, body = node.args
        used = {sub.value.id for sub in ast.walk(body)
                if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Name)
                and sub.slice.id == index.id}
        sizes = {self.lengths[name] for name in used}
        assert len(sizes) == 1, "sum over families of different lengths"
        term = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=index.id)],
                                             kwonlyargs=[], kw_defaults=[], defaults=[]),
                          body=body)
        return ast.Call(func=ast.Name(id="_sum", ctx=ast.Load()),
                        args=[term, ast.Constant(value=sizes.pop())], keywords=[])


def expand_params(text):
    """[model] params: "w[8], d" is w[1] .. w[8], d."""
    names = []
    for item in (t.strip() for t in text.split(",")):
        if "[" in item:
            base, count = item[:-1].split("[")
            names += ["%s[%d]" % (base.strip(), k) for k in range(1, int(count) + 1)]
        else:
            names.append(item)
    return names


def make_model(formula, params):
    lengths = {}
    for name in params:
        if "[" in name:
            base = name[: name.index("[")]
            lengths[base] = lengths.get(base, 0) + 1
    tree = ast.parse(formula.replace("^", "**"), mode="eval")
    tree = ast.fix_missing_locations(_Sums(lengths).visit(tree))
    code = compile(tree, "<formula>", "eval")
    n = len(params)

    def f(x, p):
        env = dict(FUNCS)
        env["_sum"] = _sum
        env["x"] = Dual(x, [0.0] * n)
        env["pi"], env["e"] = Dual(math.pi, [0.0] * n), Dual(math.e, [0.0] * n)
        families = {}
        for i, name in enumerate(params):
            dual = Dual(p[i], [1.0 if j == i else 0.0 for j in range(n)])
            if "[" in name:
                families.setdefault(name[: name.index("[")], []).append(dual)
            else:
                env[name] = dual
        for base, items in families.items():
            env[base] = _Family(items)
        env["__builtins__"] = {}
        # env as the globals: a sum's lambda looks its names up there
        return Dual.lift(eval(code, env), n)

    return f


def nums(text):
    return [float(t) for t in text.split(",")]


# A model of more than BIG_MODEL parameters is checked over its first
# BIG_MODEL_STEPS steps (gdrender is run with each run's steps capped so):
# the dual numbers here cost a list per operation, and those steps already
# take every code path.
BIG_MODEL, BIG_MODEL_STEPS = 8, 150


def simulate(cfg_path, max_steps=None):
    ini = configparser.ConfigParser(comment_prefixes=(";", "#"), inline_comment_prefixes=(";",),
                                    interpolation=None, strict=False)
    ini.optionxform = str
    ini.read(cfg_path, encoding="utf-8")
    params = expand_params(ini["model"]["params"])
    f = make_model(ini["model"]["formula"], params)
    data = ini["data"] if ini.has_section("data") else {}
    if "file" in data:
        path = os.path.join(os.path.dirname(cfg_path), data["file"])
        xs, ys = [], []
        for row in csv.reader(open(path)):
            try:
                xs.append(float(row[0]))
                ys.append(float(row[1]))
            except (ValueError, IndexError):
                pass
    else:
        spec = data.get("x", "linspace(-1, 1, 200)").strip()
        lo, hi, n = nums(spec[spec.index("(") + 1 : spec.rindex(")")])
        n = int(n)
        xs = [lo + (hi - lo) * i / (n - 1) if n > 1 else lo for i in range(n)]
        truth = nums(data["true"])
        noise = float(data.get("noise", "0.1"))
        rng = Rng(int(data.get("seed", "1")))
        ys = [f(x, truth).v + noise * rng.normal() for x in xs]

    def loss_grad(p):
        total, g = 0.0, [0.0] * len(params)
        for x, y in zip(xs, ys):
            out = f(x, p)
            r = out.v - y
            total += r * r
            for i in range(len(params)):
                g[i] += 2.0 * r * out.d[i]
        return total / len(xs), [v / len(xs) for v in g]

    def loss_grad_subset(p, subset):
        g = [0.0] * len(params)
        for j in subset:
            out = f(xs[j], p)
            r = out.v - ys[j]
            for i in range(len(params)):
                g[i] += 2.0 * r * out.d[i]
        return [v / len(subset) for v in g]

    def derive_seed(seed, name, index, purpose):
        """A run's seed for one purpose (1 init, 2 minibatches), as the
        README's "Random starts and minibatches" describes."""
        h = 0xCBF29CE484222325
        for byte in name.encode():
            h = ((h ^ byte) * 0x100000001B3) & MASK
        z = mix(seed ^ mix(purpose))
        z = mix(z ^ h)
        return mix((z + index) & MASK)

    data_seed = int(data.get("seed", "1"))
    rows = []
    for section in ini.sections():
        if section != "run" and not section.startswith("run "):
            continue
        run = ini[section]
        name = section[4:] if section != "run" else ""
        base_label = run.get("label", name if name else "run")
        repeat = int(run.get("repeat", "1"))
        seed = int(run.get("seed", str(data_seed)))
        for t in range(1, repeat + 1):
            label = base_label + ("#%d" % t if repeat > 1 else "")
            init = run["init"].strip()
            if init.startswith("normal("):
                mean, std = nums(init[init.index("(") + 1 : init.rindex(")")])
                g = Rng(derive_seed(seed, name, t, 1))
                p = [mean + std * g.normal() for _ in params]
            else:
                p = nums(init)
            batch_rng = Rng(derive_seed(seed, name, t, 2))
            rows += simulate_run(run, label, p, batch_rng, loss_grad, loss_grad_subset, len(xs),
                                 max_steps)
    return params, rows, plane_spec(ini, params, rows)


def plane_spec(ini, params, rows):
    """What the CSV's plane columns must satisfy (SPEC section 3, [surface]
    plane and center): None without them; else (kind, shown indices or
    None, center)."""
    surface = ini["surface"] if ini.has_section("surface") else {}
    plane = surface.get("plane", "").strip()
    n = len(params)
    identity = n == 2 and plane in ("", "%s, %s" % (params[0], params[1]))
    if n < 2 or identity:
        return None
    plane = plane or "pca"
    center = surface.get("center", "final").strip()
    return [one_plane(p.strip(), params, rows, ini, center) for p in plane.split("|")]


def one_plane(plane, params, rows, ini, center):
    """One plane of [surface] plane (several stand side by side)."""
    n = len(params)
    first = [r for r in rows if r[0] == rows[0][0]]
    if center == "final":
        c = first[-1][2 : 2 + n]
    elif center == "init":
        c = first[0][2 : 2 + n]
    elif center == "true":
        c = nums(ini["data"]["true"])
    else:
        c = nums(center)
    if plane in ("pca", "random"):
        return (plane, None, c)
    shown = [params.index(t.strip()) for t in plane.split(",")]
    return ("slice", shown, c)


def check_plane(spec, values, n):
    """The plane columns u, v, dist of one row (values: the row's numbers
    from the parameters on): a slice's coordinates are the shown
    parameters and its distance the held ones' from the center; on any
    plane u^2 + v^2 + dist^2 is the squared distance from the center."""
    kind, shown, c = spec
    p = values[:n]
    u, v, dist = values[-3:]
    delta2 = sum((a - b) ** 2 for a, b in zip(p, c))
    if kind == "slice":
        held = math.sqrt(sum((p[i] - c[i]) ** 2 for i in range(n) if i not in shown))
        if not (close(u, p[shown[0]]) and close(v, p[shown[1]]) and close(dist, held)):
            return "plane_u, plane_v, plane_dist %r, expected %r" % ((u, v, dist),
                                                                     (p[shown[0]], p[shown[1]],
                                                                      held))
        return None
    if not close(u * u + v * v + dist * dist, delta2, 1e-9 + 1e-6 * delta2):
        return "u^2 + v^2 + dist^2 = %.17g, expected %.17g" % (u * u + v * v + dist * dist,
                                                               delta2)
    return None


def mix(x):
    """splitmix64's output for state x (one step from x)."""
    return splitmix64(x & MASK)[1]


def below(rng, n):
    rem = ((1 << 32) - n) % n
    while True:
        r = rng.next() >> 32
        if r >= rem:
            return r % n


def simulate_run(run, label, p, batch_rng, loss_grad, loss_grad_subset, ndata, max_steps=None):
    rows = []
    if True:
        lr, steps = float(run.get("lr", "0.1")), int(run.get("steps", "400"))
        if max_steps is not None:
            steps = min(steps, max_steps)
        opt = run.get("optimizer", "gd")
        mu = float(run.get("momentum", "0.9"))
        b1, b2 = float(run.get("beta1", "0.9")), float(run.get("beta2", "0.999"))
        eps = float(run.get("eps", "1e-10" if opt == "adagrad" else "1e-8"))
        alpha = float(run.get("alpha", "0.99"))
        batch = int(run.get("batch", "0"))
        idx = list(range(ndata))
        cursor = ndata
        m = [0.0] * len(p)
        s = [0.0] * len(p)
        for k in range(steps + 1):
            loss, g = loss_grad(p)
            rows.append([label, k] + list(p) + [loss] + g)
            bad = not math.isfinite(loss) or abs(loss) > 1e12
            bad = bad or any(not math.isfinite(v) or abs(v) > 1e12 for v in p)
            if bad or k == steps:
                break
            if batch > 0:
                # a fresh Fisher-Yates permutation per epoch; a tail shorter
                # than a batch is skipped
                if cursor + batch > ndata:
                    for i in range(ndata - 1, 0, -1):
                        j = below(batch_rng, i + 1)
                        idx[i], idx[j] = idx[j], idx[i]
                    cursor = 0
                g = loss_grad_subset(p, idx[cursor : cursor + batch])
                cursor += batch
            t = k + 1
            for i in range(len(p)):
                if opt == "gd":
                    p[i] -= lr * g[i]
                elif opt == "momentum":
                    m[i] = mu * m[i] + g[i]
                    p[i] -= lr * m[i]
                elif opt == "nesterov":
                    m[i] = mu * m[i] + g[i]
                    p[i] -= lr * (g[i] + mu * m[i])
                elif opt == "adagrad":
                    s[i] += g[i] * g[i]
                    p[i] -= lr * g[i] / (math.sqrt(s[i]) + eps)
                elif opt == "rmsprop":
                    s[i] = alpha * s[i] + (1 - alpha) * g[i] * g[i]
                    p[i] -= lr * g[i] / (math.sqrt(s[i]) + eps)
                elif opt == "adam":
                    m[i] = b1 * m[i] + (1 - b1) * g[i]
                    s[i] = b2 * s[i] + (1 - b2) * g[i] * g[i]
                    p[i] -= lr * (m[i] / (1 - b1**t)) / (math.sqrt(s[i] / (1 - b2**t)) + eps)
    return rows


def close(a, b, floor=1.0):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), floor)


def check(binary, cfg):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "t.csv")
        ini = configparser.ConfigParser(comment_prefixes=(";", "#"), inline_comment_prefixes=(";",),
                                        interpolation=None, strict=False)
        ini.optionxform = str
        ini.read(cfg, encoding="utf-8")
        big = len(expand_params(ini["model"]["params"])) > BIG_MODEL
        caps = []
        for section in ini.sections() if big else []:
            if section == "run" or section.startswith("run "):
                steps = min(int(ini[section].get("steps", "400")), BIG_MODEL_STEPS)
                key = "run.%s.steps" % section[4:] if section != "run" else "run.steps"
                caps += ["--set", "%s=%d" % (key, steps)]
        subprocess.run([binary, "--check", "--trajectory", out] + caps + [cfg], check=True,
                       stdout=subprocess.DEVNULL)
        got = list(csv.reader(open(out)))
    params, rows, plane = simulate(cfg, BIG_MODEL_STEPS if big else None)
    header = ["run", "step"] + params + ["loss"] + ["grad_" + p for p in params]
    for i, _ in enumerate(plane or []):
        tag = "plane" if i == 0 else "plane%d" % (i + 1)
        header += [tag + "_u", tag + "_v", tag + "_dist"]
    if got[0] != header:
        return "header %r, expected %r" % (got[0], header)
    if len(got) - 1 != len(rows):
        return "%d rows, expected %d" % (len(got) - 1, len(rows))
    n = len(params)
    scale = {}
    for r, (g, e) in enumerate(zip(got[1:], rows), start=2):
        if g[0] != e[0] or int(g[1]) != e[1]:
            return "line %d: run/step %s,%s, expected %s,%s" % (r, g[0], g[1], e[0], e[1])
        # A gradient near a minimum is the small difference of large sums,
        # so its error is measured against the run's gradient scale (the
        # largest gradient component at its start), not its own size.
        if e[1] == 0:
            scale[e[0]] = max([abs(v) for v in e[3 + n :] if math.isfinite(v)] + [1.0])
        for i, spec in enumerate(plane or []):
            values = [float(v) for v in g[2 : 3 + 2 * n]] + [float(v) for v in
                                                             g[3 + 2 * n + 3 * i:
                                                               3 + 2 * n + 3 * i + 3]]
            problem = check_plane(spec, values, n)
            if problem:
                return "line %d: plane %d: %s" % (r, i + 1, problem)
        for j, (gv, ev) in enumerate(zip(g[2:], e[2:])):
            floor = scale[e[0]] if j > n else 1.0
            if not close(float(gv), ev, floor):
                return "line %d column %s: %s, expected %.17g" % (r, header[j + 2], gv, ev)
    return None


def main():
    binary, configs = sys.argv[1], sys.argv[2:]
    passed = failed = 0
    for cfg in configs:
        problem = check(binary, cfg)
        if problem:
            failed += 1
            print("FAIL %s: %s" % (cfg, problem))
        else:
            passed += 1
            print("ok   %s" % cfg)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
