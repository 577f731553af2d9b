"""graphrt benchmark suite: per-step overhead, feeds, fetches and MatMul throughput.

Prints a table and writes JSON (benchmarks/results/latest.json). Each case runs a timed loop several
times and reports the median per-step time; numpy (and TensorFlow, when installed) run the same work
in the same process so ratios are comparable on a noisy machine.

    python benchmarks/run_benchmarks.py [--quick] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List, Optional

import numpy as np

import graphrt as tf


def median_us(fn: Callable[[], object], iters: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean time of ``iters`` calls, in microseconds."""
    fn()  # warm-up (plan creation, caches)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter() - t0) / iters * 1e6)
    return statistics.median(samples)


def _tf_v1():
    try:
        import tensorflow as real_tf  # noqa: F401 - optional comparison only
    except ImportError:
        return None
    v1 = real_tf.compat.v1
    v1.disable_eager_execution()
    return v1


def build_cases(quick: bool) -> List[Dict[str, object]]:
    scale = 0.2 if quick else 1.0
    n_small = max(200, int(20000 * scale))
    rep = 5 if quick else 9
    cases = []

    # (a) the seed example: a*b of constants.
    def graphrt_const(lib):
        g = lib.Graph()
        with g.as_default():
            c = lib.constant(5.0) * lib.constant(6.0)
        s = lib.Session(graph=g)
        return lambda: s.run(c)
    cases.append({"name": "(a) a*b constants, run", "unit": "us/step", "iters": n_small, "repeats": rep,
                  "make": graphrt_const, "numpy": None})

    def graphrt_const_callable(lib):
        g = lib.Graph()
        with g.as_default():
            c = lib.constant(5.0) * lib.constant(6.0)
        s = lib.Session(graph=g)
        return s.make_callable(c)
    cases.append({"name": "(a') a*b constants, make_callable", "unit": "us/step", "iters": n_small, "repeats": rep,
                  "make": graphrt_const_callable, "numpy": None})

    # (b) scalar feed -> x+1 -> fetch.
    def scalar_feed(lib):
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [])
            y = x + 1.0
        s = lib.Session(graph=g)
        v = np.float32(3.0)
        return lambda: s.run(y, {x: v})
    cases.append({"name": "(b) scalar feed x+1", "unit": "us/step", "iters": n_small, "repeats": rep,
                  "make": scalar_feed, "numpy": lambda: (lambda v=np.float32(3.0): v + np.float32(1.0))})

    # (c) nested dict/list/tuple fetch.
    def nested_fetch(lib):
        g = lib.Graph()
        with g.as_default():
            a = lib.constant(1.0)
            b = lib.constant([1, 2, 3])
            c = a + 2.0
        s = lib.Session(graph=g)
        fetch = {"a": [a, (b, c)], "b": (c, {"x": a})}
        return lambda: s.run(fetch)
    cases.append({"name": "(c) nested dict/list/tuple fetch", "unit": "us/step", "iters": n_small // 2,
                  "repeats": rep, "make": nested_fetch, "numpy": None})

    # (d) 4 MiB feed -> x+1 -> fetch, beside numpy's x+1.
    big = np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32)

    def feed_4mib(lib):
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [None])
            y = x + 1.0
        s = lib.Session(graph=g)
        return lambda: s.run(y, {x: big})
    cases.append({"name": "(d) 4 MiB feed x+1", "unit": "us/step", "iters": max(20, int(300 * scale)),
                  "repeats": rep, "make": feed_4mib, "numpy": lambda: (lambda: big + np.float32(1.0))})

    # (e) tf.shape of a fed 4 KiB and a fed 64 MiB array: the feed is borrowed, so both cost the same.
    for label, n in (("4 KiB", 1024), ("64 MiB", 16 << 20)):
        arr = np.ones(n, np.float32)

        def shape_feed(lib, arr=arr):
            g = lib.Graph()
            with g.as_default():
                x = lib.placeholder(lib.float32, [None])
                s_ = lib.shape(x)
            s = lib.Session(graph=g)
            return lambda: s.run(s_, {x: arr})
        cases.append({"name": f"(e) tf.shape of fed {label}", "unit": "us/step", "iters": max(200, n_small // 4),
                      "repeats": rep, "make": shape_feed, "numpy": None})

    # (f) 1024^3 float32 MatMul.
    rng = np.random.default_rng(1)
    ma = rng.standard_normal((1024, 1024)).astype(np.float32)
    mb = rng.standard_normal((1024, 1024)).astype(np.float32)

    def matmul(lib):
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [1024, 1024])
            w = lib.placeholder(lib.float32, [1024, 1024])
            y = lib.matmul(x, w)
        s = lib.Session(graph=g)
        return lambda: s.run(y, {x: ma, w: mb})
    cases.append({"name": "(f) 1024^3 f32 MatMul", "unit": "GFLOP/s", "flops": 2 * 1024 ** 3,
                  "iters": 3 if quick else 10, "repeats": 3 if quick else 5, "make": matmul,
                  "numpy": lambda: (lambda: ma @ mb)})
    return cases


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer iterations (smoke run)")
    p.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results", "latest.json"))
    args = p.parse_args(argv)
    real_tf = _tf_v1()
    rows = []
    for case in build_cases(args.quick):
        def measure(fn):
            us = median_us(fn, case["iters"], case["repeats"])
            return case["flops"] / (us * 1e-6) / 1e9 if "flops" in case else us
        row = {"case": case["name"], "unit": case["unit"], "graphrt": measure(case["make"](tf))}
        row["numpy"] = measure(case["numpy"]()) if case["numpy"] else None
        row["tensorflow"] = measure(case["make"](real_tf)) if real_tf is not None and "callable" not in case["name"] \
            else None
        rows.append(row)
        print(_fmt_row(row), flush=True)
    result = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count(),
              "numpy": np.__version__, "rows": rows}
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
    print(f"\nwrote {args.json}")
    return 0


def _fmt(v: Optional[float]) -> str:
    return "-" if v is None else f"{v:,.2f}"


def _fmt_row(row: Dict[str, object]) -> str:
    ratio = ""
    if row["numpy"]:
        r = row["graphrt"] / row["numpy"]
        ratio = f"  (graphrt/numpy {r:.2f}x)"
    return (f"{row['case']:<38} {row['unit']:>8}  graphrt {_fmt(row['graphrt']):>10}  numpy {_fmt(row['numpy']):>10}"
            f"  tensorflow {_fmt(row['tensorflow']):>10}{ratio}")


if __name__ == "__main__":
    sys.exit(main())
