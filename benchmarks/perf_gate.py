"""graphrt CI performance gate: fixed workloads measured in ways that do not flake on a noisy machine,
compared with benchmarks/baseline.json.

* Per-step overhead cases are counted in machine instructions under ``valgrind --tool=callgrind``,
  which is deterministic: a worker Python process builds each graph, warms it up, and brackets N steps
  with a marker call (``os.getppid()``; callgrind runs with ``--dump-before=getppid``), so each dump
  holds exactly the N steps, without interpreter start-up or graph building. The cost of the bare
  Python loop (a no-op callable, measured the same way) is subtracted. The C++ executor alone is
  measured with ``graphrt_bench`` (no Python) as the difference of two runs that differ only in their
  number of warm-up steps (start-up cancels out).
* Compute cases are wall-clock ratios to a numpy reference measured in the same process, as the
  median of paired samples (graphrt and numpy alternate), single-threaded on both sides
  (intra/inter-op 1, OPENBLAS_NUM_THREADS=1) so the other core's load does not decide the result.
  A ratio case that looks like a regression is measured again (up to twice); the best attempt counts,
  so noise cannot fail the gate but a real slowdown, which persists, does.

Every metric is "lower is better". A case more than ``tolerance`` (25%) worse than its baseline fails
the gate (exit status 1) and the table is printed. Without valgrind (not installed and not
installable) the callgrind cases are reported as skipped, never failed.

    python benchmarks/perf_gate.py                   # measure and compare (CI)
    python benchmarks/perf_gate.py --update-baseline # measure and rewrite benchmarks/baseline.json
"""
from __future__ import annotations

import argparse
import datetime
import glob
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BASELINE = os.path.join(HERE, "baseline.json")
DEFAULT_TOLERANCE = 0.25
MARKER_FN = "getppid"  # libc function called by os.getppid(); callgrind dumps its counters on entry.

# The case names are the keys of baseline.json: keep them stable.
CALLGRIND_CASES: List[Tuple[str, int, Optional[int]]] = [
    # (name, steps, nodes per step for the per-node column)
    ("cg: a*b constants, make_callable", 2000, None),
    ("cg: a*b constants, run", 2000, None),
    ("cg: scalar feed x+1, run(feed_dict)", 1000, None),
    ("cg: 100-op scalar chain, make_callable", 300, 100),
    ("cg: 100 independent scalar ops, make_callable", 300, 100),
    ("cg: 5-op elementwise chain 64 KiB, make_callable", 300, None),
]
BENCH_CASE = "cg: 100-op scalar chain, C++ graphrt_bench"
BENCH_STEPS = 300
RATIO_CASES = [
    "ratio: 4 MiB feed x+1 / numpy x+1",
    "ratio: 5-op elementwise chain 4 MiB / numpy x+1",
    "ratio: 1024^3 f32 MatMul / numpy",
]
UNITS = {"cg": "instr/step", "ratio": "time ratio"}


def unit_of(name: str) -> str:
    return UNITS[name.split(":", 1)[0]]


# --------------------------------------------------------------------------------------------------
# Comparison with the baseline (pure functions; tested in tests/bench/test_perf_gate.py).

def compare(current: Dict[str, Optional[float]], baseline: Dict[str, Any],
            tolerance: float = DEFAULT_TOLERANCE, skipped: Optional[Dict[str, str]] = None) -> List[Dict[str, Any]]:
    """One row per case of ``current`` and of ``baseline["cases"]``.

    ``current`` maps case name -> measured value (lower is better; None = not measured). A baseline
    case may carry its own ``tolerance``. Status: ``ok``; ``REGRESSION`` (more than ``tolerance``
    worse); ``faster`` (more than ``tolerance`` better: consider updating the baseline); ``new`` (no
    baseline); ``skipped`` (with the reason from ``skipped``); ``ERROR`` (measured value not positive).
    """
    skipped = skipped or {}
    base_cases = baseline.get("cases", {})
    rows = []
    for name in list(current) + [n for n in base_cases if n not in current]:
        cur = current.get(name)
        entry = base_cases.get(name)
        base = entry.get("value") if isinstance(entry, dict) else None
        tol = float(entry.get("tolerance", tolerance)) if isinstance(entry, dict) else tolerance
        row: Dict[str, Any] = {"case": name, "unit": unit_of(name) if ":" in name else "",
                               "baseline": base, "current": cur, "change": None, "tolerance": tol}
        if cur is None:
            row["status"] = "skipped"
            row["note"] = skipped.get(name, "not measured")
        elif not (cur > 0 and math.isfinite(cur)):
            row["status"] = "ERROR"
            row["note"] = f"measured value {cur!r} is not a positive number"
        elif base is None or not base > 0:
            row["status"] = "new"
            row["note"] = "no baseline value: run --update-baseline"
        else:
            change = cur / base - 1.0
            row["change"] = change
            if change > tol:
                row["status"] = "REGRESSION"
            elif change < -tol:
                row["status"] = "faster"
                row["note"] = "consider --update-baseline"
            else:
                row["status"] = "ok"
        rows.append(row)
    return rows


def failed(rows: Iterable[Dict[str, Any]]) -> List[str]:
    """Names of the cases that fail the gate."""
    return [r["case"] for r in rows if r["status"] in ("REGRESSION", "ERROR")]


def format_table(rows: Sequence[Dict[str, Any]]) -> str:
    def num(v: Optional[float]) -> str:
        if v is None:
            return "-"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3f}"
    lines = [f"{'case':<50} {'unit':>11} {'baseline':>12} {'current':>12} {'change':>8} {'limit':>6}  status"]
    for r in rows:
        change = "-" if r["change"] is None else f"{r['change'] * 100:+.1f}%"
        note = f" ({r['note']})" if r.get("note") else ""
        lines.append(f"{r['case']:<50} {r['unit']:>11} {num(r['baseline']):>12} {num(r['current']):>12} "
                     f"{change:>8} {'+' + format(r['tolerance'] * 100, '.0f') + '%':>6}  {r['status']}{note}")
    return "\n".join(lines)


def make_baseline(current: Dict[str, Optional[float]], old: Optional[Dict[str, Any]] = None,
                  meta: Optional[Dict[str, Any]] = None, tolerance: float = DEFAULT_TOLERANCE) -> Dict[str, Any]:
    """A new baseline from measured values. A case not measured now (e.g. valgrind missing) keeps its
    old value; a per-case tolerance in the old baseline is kept."""
    old_cases = (old or {}).get("cases", {})
    cases: Dict[str, Any] = {}
    for name in sorted(set(current) | set(old_cases)):
        prev = old_cases.get(name, {})
        value = current.get(name)
        if value is None:
            if prev.get("value") is None:
                continue
            entry = dict(prev)
        else:
            entry = {"value": _round(value), "unit": unit_of(name)}
            if "tolerance" in prev:
                entry["tolerance"] = prev["tolerance"]
        cases[name] = entry
    return {"tolerance": tolerance, "meta": meta or {}, "cases": cases}


def _round(v: float) -> float:
    return float(round(v)) if v >= 1000 else float(f"{v:.4g}")


# --------------------------------------------------------------------------------------------------
# callgrind output parsing.

def parse_callgrind_parts(paths: Iterable[str]) -> List[Tuple[int, str, int]]:
    """(part number, trigger description, instruction total) of each callgrind dump file, by part."""
    parts = []
    for path in paths:
        part, desc, total = 0, "", None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("part:"):
                    part = int(line.split(":", 1)[1])
                elif line.startswith("desc: Trigger:"):
                    desc = line.split(":", 2)[2].strip()
                elif line.startswith(("summary:", "totals:")) and total is None:
                    total = int(line.split(":", 1)[1].split()[0])
                elif line.startswith("fl=") or line.startswith("fn="):
                    if total is not None:
                        break
        if total is not None:
            parts.append((part, desc, total))
    return sorted(parts)


def segment_costs(parts: Sequence[Tuple[int, str, int]], n_markers: int, marker: str = MARKER_FN) -> List[int]:
    """Instructions between consecutive markers. The worker calls the marker ``n_markers`` times; the
    dump made on entering marker k holds the cost since marker k-1. Dumps triggered by the marker
    before the worker's first one (if any) are ignored."""
    trig = [p for p in parts if p[1].endswith("=" + marker)]
    if len(trig) < n_markers:
        raise RuntimeError(f"callgrind made {len(trig)} dumps on {marker}, expected {n_markers}")
    trig = trig[len(trig) - n_markers:]
    return [t[2] for t in trig[1:]]


def per_step(costs: Sequence[int], steps: Sequence[int], noop_index: int = 0) -> List[float]:
    """Instructions per step of each bracketed loop. The worker calls the marker before and after each
    loop, so ``costs[2*i]`` is loop i and ``costs[2*i+1]`` the gap before the next loop; loop
    ``noop_index`` ran a no-op callable and its per-step cost is subtracted from the others."""
    if len(costs) < 2 * len(steps) - 1:
        raise RuntimeError(f"{len(costs)} callgrind segments for {len(steps)} loops")
    loops = [costs[2 * i] / steps[i] for i in range(len(steps))]
    noop = loops[noop_index]
    return [v - noop for i, v in enumerate(loops) if i != noop_index]


# --------------------------------------------------------------------------------------------------
# Workers (run in subprocesses; they import numpy and graphrt).

def _worker_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra or {})
    return env


def callgrind_worker(out_path: str) -> int:
    """Runs under callgrind: the no-op loop then each case, each as marker/set-up/marker/loop."""
    import numpy as np
    import graphrt as tf
    sys.path.insert(0, HERE)
    import run_benchmarks as rb

    def const(callable_: bool) -> Callable[[], object]:
        g = tf.Graph()
        with g.as_default():
            c = tf.constant(5.0) * tf.constant(6.0)
        s = tf.Session(graph=g)
        return s.make_callable(c) if callable_ else (lambda: s.run(c))

    def feed() -> Callable[[], object]:
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [])
            y = x + 1.0
        s = tf.Session(graph=g)
        v = np.float32(3.0)
        return lambda: s.run(y, {x: v})

    def graph_callable(builder: Callable[..., Any], *a: Any, value: Any, config: Any = None) -> Callable[[], object]:
        g, x, y = builder(tf, *a)
        s = tf.Session(graph=g, config=config)
        f = s.make_callable(y, [x])
        return lambda: f(value)

    x16k = np.linspace(-1, 1, 16384, dtype=np.float32)
    from graphrt.client.config import RewriterConfig
    keep_unread_ops = tf.ConfigProto(graph_options=tf.GraphOptions(
        rewrite_options=RewriterConfig(dependency_optimization=RewriterConfig.OFF)))
    makers = {
        "cg: a*b constants, make_callable": lambda: const(True),
        "cg: a*b constants, run": lambda: const(False),
        "cg: scalar feed x+1, run(feed_dict)": feed,
        "cg: 100-op scalar chain, make_callable": lambda: graph_callable(rb.chain_graph, 100, value=np.float32(0.5)),
        # Dependency optimization would drop all 100 unread ops: keep them, this measures the executor.
        "cg: 100 independent scalar ops, make_callable":
            lambda: graph_callable(rb.wide_graph, 100, value=np.float32(0.5), config=keep_unread_ops),
        "cg: 5-op elementwise chain 64 KiB, make_callable": lambda: graph_callable(rb.chain5_graph, value=x16k),
    }
    names, steps = ["noop"], [2000]
    fns: List[Callable[[], object]] = [lambda: None]
    for name, n, _ in CALLGRIND_CASES:
        names.append(name)
        steps.append(n)
        fns.append(makers[name]())
    for fn in fns:  # warm-up: plans, caches, lazily created pools
        for _ in range(20):
            fn()
    for fn, n in zip(fns, steps):
        os.getppid()
        for _ in range(n):
            fn()
        os.getppid()
    with open(out_path, "w") as f:
        json.dump({"names": names, "steps": steps, "markers": 2 * len(fns)}, f)
    return 0


def ratio_worker(out_path: str, cases: Sequence[str], pairs: int) -> int:
    """Paired wall-clock samples of graphrt and numpy (single-threaded); writes the median ratio."""
    import time
    import numpy as np
    import graphrt as tf
    sys.path.insert(0, HERE)
    import run_benchmarks as rb
    config = tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    big = np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32)
    rng = np.random.default_rng(1)
    ma = rng.standard_normal((1024, 1024)).astype(np.float32)
    mb = rng.standard_normal((1024, 1024)).astype(np.float32)

    def x_plus_1() -> Tuple[Callable[[], object], Callable[[], object], int]:
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [None])
            y = x + 1.0
        s = tf.Session(graph=g, config=config)
        return (lambda: s.run(y, {x: big})), (lambda: big + np.float32(1.0)), 40

    def chain5() -> Tuple[Callable[[], object], Callable[[], object], int]:
        g, x, y = rb.chain5_graph(tf)
        s = tf.Session(graph=g, config=config)
        return (lambda: s.run(y, {x: big})), (lambda: big + np.float32(1.0)), 20

    def matmul() -> Tuple[Callable[[], object], Callable[[], object], int]:
        g = tf.Graph()
        with g.as_default():
            a = tf.placeholder(tf.float32, [1024, 1024])
            b = tf.placeholder(tf.float32, [1024, 1024])
            y = tf.matmul(a, b)
        s = tf.Session(graph=g, config=config)
        return (lambda: s.run(y, {a: ma, b: mb})), (lambda: ma @ mb), 1

    makers = {RATIO_CASES[0]: x_plus_1, RATIO_CASES[1]: chain5, RATIO_CASES[2]: matmul}

    def sample(fn: Callable[[], object], iters: int) -> float:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        return time.perf_counter() - t0

    out = {}
    for name in cases:
        g_fn, np_fn, iters = makers[name]()
        for _ in range(3):
            g_fn()
            np_fn()
        ratios = []
        for i in range(pairs):
            if i % 2 == 0:
                tg = sample(g_fn, iters)
                tn = sample(np_fn, iters)
            else:
                tn = sample(np_fn, iters)
                tg = sample(g_fn, iters)
            ratios.append(tg / tn)
        out[name] = statistics.median(ratios)
    with open(out_path, "w") as f:
        json.dump(out, f)
    return 0


# --------------------------------------------------------------------------------------------------
# Measurement drivers (main process: no numpy, no graphrt imports).

def find_valgrind() -> Tuple[Optional[str], str]:
    """(path, "") of a working valgrind with callgrind, else (None, why not)."""
    path = shutil.which("valgrind")
    if path is None:
        return None, "valgrind not installed"
    probe = shutil.which("true") or "/bin/true"
    try:
        r = subprocess.run([path, "--tool=callgrind", "--callgrind-out-file=/dev/null", probe],
                           capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"valgrind does not run: {e}"
    if r.returncode != 0:
        return None, f"valgrind --tool=callgrind does not work here: {_tail(r.stderr, 3)}"
    return path, ""


def find_graphrt_bench() -> Optional[str]:
    """graphrt_bench of the graphrt that a worker imports (installed wheel), else the dev build."""
    try:
        r = subprocess.run([sys.executable, "-c", "import graphrt, os; print(os.path.dirname(graphrt.__file__))"],
                           capture_output=True, text=True, env=_worker_env(), timeout=120)
        pkg = r.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pkg = ""
    candidates = [os.path.join(pkg, "bin", "graphrt_bench")] if pkg else []
    candidates.append(os.path.join(REPO, "build", "dev", "graphrt_bench"))
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def _callgrind_cmd(valgrind: str, out_file: str) -> List[str]:
    return [valgrind, "--tool=callgrind", f"--callgrind-out-file={out_file}", "--dump-instr=no",
            "--dump-line=no", "--trace-children=no"]


def measure_callgrind(valgrind: str, log: Callable[[str], None]) -> Dict[str, float]:
    """Instructions per step of each CALLGRIND_CASES case (one worker process under callgrind)."""
    with tempfile.TemporaryDirectory(prefix="perf_gate_cg_") as tmp:
        info = os.path.join(tmp, "worker.json")
        cmd = _callgrind_cmd(valgrind, os.path.join(tmp, "cg.out")) + [f"--dump-before={MARKER_FN}"]
        cmd += [sys.executable, os.path.abspath(__file__), "--callgrind-worker", info]
        r = subprocess.run(cmd, capture_output=True, text=True, env=_worker_env(), timeout=900)
        if r.returncode != 0 or not os.path.exists(info):
            raise RuntimeError(f"callgrind worker failed (exit {r.returncode}):\n{_tail(r.stdout + r.stderr)}")
        with open(info) as f:
            w = json.load(f)
        parts = parse_callgrind_parts(glob.glob(os.path.join(tmp, "cg.out*")))
        costs = segment_costs(parts, w["markers"])
        values = per_step(costs, w["steps"], noop_index=0)
        log(f"callgrind: no-op Python loop {costs[0] / w['steps'][0]:.0f} instr/step (subtracted)")
        return dict(zip(w["names"][1:], values))


def measure_bench(valgrind: str, bench: str, log: Callable[[str], None]) -> float:
    """Instructions per step of a 100-op chain in graphrt_bench: two runs that differ only in the
    number of warm-up steps; their difference divided by that number."""
    with tempfile.TemporaryDirectory(prefix="perf_gate_bench_") as tmp:
        pb = os.path.join(tmp, "chain.pb")
        code = ("import sys; sys.path.insert(0, sys.argv[2]); import graphrt as tf, run_benchmarks as rb\n"
                "g, x, y = rb.chain_graph(tf, 100)\n"
                "open(sys.argv[1], 'wb').write(g.as_graph_def().SerializeToString()); print(y.name)")
        r = subprocess.run([sys.executable, "-c", code, pb, HERE], capture_output=True, text=True,
                           env=_worker_env(), timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"could not write the chain GraphDef:\n{_tail(r.stderr)}")
        fetch = r.stdout.strip().splitlines()[-1]
        totals = []
        for warmup in (10, 10 + BENCH_STEPS):
            out = os.path.join(tmp, f"bench.{warmup}")
            cmd = _callgrind_cmd(valgrind, out) + [bench, pb, "--fetch", fetch, "--iters", "1",
                                                  "--warmup", str(warmup)]
            r = subprocess.run(cmd, capture_output=True, text=True, env=_worker_env(), timeout=600)
            if r.returncode != 0:
                raise RuntimeError(f"graphrt_bench under callgrind failed (exit {r.returncode}):\n"
                                   f"{_tail(r.stdout + r.stderr)}")
            parts = parse_callgrind_parts(glob.glob(out + "*"))
            totals.append(sum(p[2] for p in parts))
        log(f"graphrt_bench: {bench}")
        return (totals[1] - totals[0]) / BENCH_STEPS


def measure_ratios(cases: Sequence[str], pairs: int = 9) -> Dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="perf_gate_ratio_") as tmp:
        out = os.path.join(tmp, "ratios.json")
        cmd = [sys.executable, os.path.abspath(__file__), "--ratio-worker", out, "--pairs", str(pairs)]
        for c in cases:
            cmd += ["--case", c]
        r = subprocess.run(cmd, capture_output=True, text=True, env=_worker_env(), timeout=900)
        if r.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"ratio worker failed (exit {r.returncode}):\n{_tail(r.stdout + r.stderr)}")
        with open(out) as f:
            return json.load(f)


def _measure_all_ratios(current: Dict[str, Optional[float]], baseline: Optional[Dict[str, Any]], tolerance: float,
                        update: bool, log: Callable[[str], None]) -> None:
    """The ratio cases into ``current``: the median of 3 runs when updating the baseline; otherwise one
    run, and up to two more for the cases that look slower than the baseline (the best counts)."""
    if update:
        runs = [measure_ratios(RATIO_CASES) for _ in range(3)]
        current.update({n: statistics.median(r[n] for r in runs) for n in RATIO_CASES})
        return
    current.update(measure_ratios(RATIO_CASES))
    for attempt in range(2):
        bad = failed(compare({n: current[n] for n in RATIO_CASES}, baseline or {}, tolerance))
        if not bad:
            return
        log(f"looks slower, measuring again (attempt {attempt + 2} of 3): " + "; ".join(bad))
        again = measure_ratios(bad)
        for n in bad:
            current[n] = min(current[n], again[n])


def _tail(text: str, n: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-n:])


def load_baseline(path: str) -> Optional[Dict[str, Any]]:
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _meta() -> Dict[str, Any]:
    meta: Dict[str, Any] = {"date": datetime.date.today().isoformat(), "python": platform.python_version(),
                            "machine": platform.machine(), "cpus": os.cpu_count()}
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             timeout=30)
        if rev.returncode == 0:
            meta["git_head"] = rev.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return meta


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--update-baseline", action="store_true", help="measure and rewrite the baseline file")
    p.add_argument("--baseline", default=BASELINE)
    p.add_argument("--tolerance", type=float, default=None,
                   help=f"allowed slowdown as a fraction (default: the baseline's, else {DEFAULT_TOLERANCE})")
    p.add_argument("--skip-callgrind", action="store_true", help="measure only the ratio cases")
    p.add_argument("--skip-ratios", action="store_true", help="measure only the callgrind cases")
    p.add_argument("--json", default=os.path.join(HERE, "results", "perf_gate.json"), help="where to write results")
    p.add_argument("--callgrind-worker", metavar="OUT", help=argparse.SUPPRESS)
    p.add_argument("--ratio-worker", metavar="OUT", help=argparse.SUPPRESS)
    p.add_argument("--case", action="append", default=[], help=argparse.SUPPRESS)
    p.add_argument("--pairs", type=int, default=9, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.callgrind_worker:
        return callgrind_worker(args.callgrind_worker)
    if args.ratio_worker:
        return ratio_worker(args.ratio_worker, args.case or RATIO_CASES, args.pairs)

    def log(msg: str) -> None:
        print(f"[perf_gate] {msg}", flush=True)

    baseline = load_baseline(args.baseline)
    if baseline is None and not args.update_baseline:
        log(f"no baseline at {args.baseline}: run `python benchmarks/perf_gate.py --update-baseline` and commit it")
        return 1
    tolerance = args.tolerance if args.tolerance is not None else \
        float((baseline or {}).get("tolerance", DEFAULT_TOLERANCE))
    current: Dict[str, Optional[float]] = {}
    skipped: Dict[str, str] = {}
    cg_names = [c[0] for c in CALLGRIND_CASES] + [BENCH_CASE]

    if args.skip_callgrind:
        skipped.update({n: "--skip-callgrind" for n in cg_names})
    else:
        valgrind, why = find_valgrind()
        if valgrind is None:
            log(f"{why}: the callgrind cases are SKIPPED, not failed "
                "(install valgrind, e.g. apt-get install -y valgrind, to measure them)")
            skipped.update({n: why for n in cg_names})
        else:
            log("measuring per-step instructions under callgrind ...")
            try:
                current.update(measure_callgrind(valgrind, log))
            except (RuntimeError, subprocess.SubprocessError) as e:
                log(f"ERROR: {e}")
                current.update({c[0]: float("nan") for c in CALLGRIND_CASES})
            bench = find_graphrt_bench()
            if bench is None:
                log("graphrt_bench not found (installed graphrt/bin or build/dev): its case is skipped")
                skipped[BENCH_CASE] = "graphrt_bench not found"
            else:
                try:
                    current[BENCH_CASE] = measure_bench(valgrind, bench, log)
                except (RuntimeError, subprocess.SubprocessError) as e:
                    log(f"ERROR: {e}")
                    current[BENCH_CASE] = float("nan")

    if args.skip_ratios:
        skipped.update({n: "--skip-ratios" for n in RATIO_CASES})
    else:
        log("measuring same-run ratios to numpy (single-threaded, median of paired samples) ...")
        try:
            _measure_all_ratios(current, baseline, tolerance, args.update_baseline, log)
        except (RuntimeError, subprocess.SubprocessError) as e:
            log(f"ERROR: {e}")
            current.update({n: float("nan") for n in RATIO_CASES if n not in current})

    for name in cg_names + RATIO_CASES:
        if name not in current and name not in skipped:
            skipped[name] = "not measured"
    order = cg_names + RATIO_CASES
    current = {n: current.get(n) for n in order + [n for n in current if n not in order]}

    if args.update_baseline:
        broken = [n for n, v in current.items() if v is not None and not (v > 0 and math.isfinite(v))]
        if broken:
            log("not updating the baseline: measurement failed for " + "; ".join(broken))
            return 1
        new = make_baseline(current, baseline, _meta(), tolerance)
        with open(args.baseline, "w") as f:
            json.dump(new, f, indent=2)
            f.write("\n")
        rows = compare(current, new, tolerance, skipped)
        print(format_table(rows))
        log(f"wrote {args.baseline}")
        return 0

    rows = compare(current, baseline, tolerance, skipped)
    print(format_table(rows))
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"meta": _meta(), "tolerance": tolerance, "rows": rows}, f, indent=2)
    bad = failed(rows)
    if bad:
        log(f"FAILED: {len(bad)} case(s) more than {tolerance:.0%} worse than benchmarks/baseline.json: "
            + "; ".join(bad))
        log("if the slowdown is deliberate, run `python benchmarks/perf_gate.py --update-baseline` and commit it")
        return 1
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
