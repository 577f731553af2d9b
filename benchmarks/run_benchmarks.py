"""graphrt benchmark suite: per-step overhead, feeds, fetches, wide and deep graphs, elementwise chains,
MatMul, an MLP (inference and SGD step) and LeNet, side by side with numpy, TensorFlow and ONNX Runtime.

Prints a table, writes JSON (benchmarks/results/latest.json) and, when matplotlib is installed, a bar
chart (benchmarks/results/latest.png). Every runtime of a case is built first; then the timed loops of
all runtimes alternate in rounds, so each median comes from the same stretch of machine time and the
ratios are comparable on a noisy machine. TensorFlow (``tensorflow.compat.v1`` in graph
mode) and ONNX Runtime columns appear only when those packages import (``pip install ".[bench]"``).

    python benchmarks/run_benchmarks.py [--quick] [--only REGEX] [--no-tf] [--no-ort]
                                        [--json PATH] [--png PATH] [--markdown]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional

import numpy as np

import graphrt as tf

RUNTIMES = ("graphrt", "numpy", "tensorflow", "onnxruntime")
HERE = os.path.dirname(os.path.abspath(__file__))


def median_us(fn: Callable[[], object], iters: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean time of ``iters`` calls, in microseconds."""
    fn()  # warm-up (plan creation, caches)
    samples = []
    for _ in range(repeats):
        samples.append(_time_us(fn, iters))
    return statistics.median(samples)


def _time_us(fn: Callable[[], object], iters: int) -> float:
    t0 = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - t0) / iters * 1e6


def interleaved_median_us(fns: Dict[str, Callable[[], object]], iters: int, repeats: int,
                          rounds: int = 3, settle_s: float = 0.1) -> Dict[str, float]:
    """Median microseconds per call for each function. The repeats are split into ``rounds``; each
    round measures every function in turn, so all medians come from the same stretch of machine time.
    Before each function's block of repeats the loop sleeps ``settle_s`` and makes one untimed call:
    BLAS and runtime thread pools spin for a while after a call, and on a 2-core machine another
    library's spinning threads would otherwise be timed as part of the next function."""
    for fn in fns.values():
        fn()  # warm-up (plan creation, caches)
    samples: Dict[str, List[float]] = {k: [] for k in fns}
    per_round = max(1, math.ceil(repeats / rounds))
    for _ in range(rounds):
        for k, fn in fns.items():
            if len(fns) > 1:
                time.sleep(settle_s)
            fn()
            for _ in range(per_round):
                samples[k].append(_time_us(fn, iters))
    return {k: statistics.median(v) for k, v in samples.items()}


def _tf_v1() -> Any:
    try:
        import tensorflow as real_tf  # noqa: F401 - optional comparison only
    except ImportError:
        return None
    v1 = real_tf.compat.v1
    v1.disable_eager_execution()
    return v1


def _ort() -> Any:
    """(onnxruntime, onnx) when both import, else None."""
    try:
        import onnx  # noqa: F401 - optional comparison only
        import onnxruntime
    except ImportError:
        return None
    return onnxruntime, onnx


# --------------------------------------------------------------------------------------------------
# ONNX models (built with onnx.helper; the same math as the graphrt/TF graphs).

def _onnx_session(ort_mods: Any, nodes: list, inputs: list, outputs: list, inits: Dict[str, np.ndarray]) -> Any:
    ort, onnx = ort_mods
    h, nph = onnx.helper, onnx.numpy_helper
    graph = h.make_graph(nodes, "bench", inputs, outputs, [nph.from_array(v, name=k) for k, v in inits.items()])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _onnx_input(ort_mods: Any, name: str, shape: List[Optional[int]]) -> Any:
    onnx = ort_mods[1]
    return onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, shape)


def onnx_mlp(ort_mods: Any, weights: List[np.ndarray], x: np.ndarray) -> Callable[[], object]:
    mk = ort_mods[1].helper.make_node
    nodes, inits, h = [], {}, "x"
    for i, w in enumerate(weights):
        inits[f"w{i}"], inits[f"b{i}"] = w, np.zeros(w.shape[1], np.float32)
        nodes += [mk("MatMul", [h, f"w{i}"], [f"m{i}"]), mk("Add", [f"m{i}", f"b{i}"], [f"a{i}"])]
        h = f"a{i}"
        if i < len(weights) - 1:
            nodes.append(mk("Relu", [h], [f"r{i}"]))
            h = f"r{i}"
    nodes.append(mk("Identity", [h], ["y"]))
    sess = _onnx_session(ort_mods, nodes, [_onnx_input(ort_mods, "x", [None, 784])],
                         [_onnx_input(ort_mods, "y", [None, 10])], inits)
    feed = {"x": x}
    return lambda: sess.run(None, feed)


def onnx_chain5(ort_mods: Any, x: np.ndarray) -> Callable[[], object]:
    mk = ort_mods[1].helper.make_node
    c = {k: np.array(v, np.float32) for k, v in (("two", 2.0), ("one", 1.0), ("zero", 0.0), ("three", 3.0))}
    nodes = [mk("Mul", ["x", "two"], ["t0"]), mk("Add", ["t0", "one"], ["t1"]), mk("Max", ["t1", "zero"], ["t2"]),
             mk("Mul", ["t2", "three"], ["t3"]), mk("Sub", ["t3", "one"], ["y"])]
    sess = _onnx_session(ort_mods, nodes, [_onnx_input(ort_mods, "x", [None])],
                         [_onnx_input(ort_mods, "y", [None])], c)
    feed = {"x": x}
    return lambda: sess.run(None, feed)


def onnx_lenet(ort_mods: Any, p: Dict[str, np.ndarray], x_nhwc: np.ndarray) -> Callable[[], object]:
    """LeNet in ONNX's NCHW layout (weights transposed from the NHWC/HWIO graph)."""
    mk = ort_mods[1].helper.make_node
    inits = {"c1": p["c1"].transpose(3, 2, 0, 1).copy(), "cb1": p["cb1"],
             "c2": p["c2"].transpose(3, 2, 0, 1).copy(), "cb2": p["cb2"],
             "d1": p["d1"], "db1": p["db1"], "d2": p["d2"], "db2": p["db2"], "d3": p["d3"], "db3": p["db3"],
             "flat": np.array([-1, 400], np.int64)}
    nodes = [mk("Conv", ["x", "c1", "cb1"], ["h1"], pads=[2, 2, 2, 2]), mk("Relu", ["h1"], ["r1"]),
             mk("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
             mk("Conv", ["p1", "c2", "cb2"], ["h2"]), mk("Relu", ["h2"], ["r2"]),
             mk("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
             mk("Reshape", ["p2", "flat"], ["f"])]
    h = "f"
    for i in (1, 2, 3):
        nodes += [mk("MatMul", [h, f"d{i}"], [f"m{i}"]), mk("Add", [f"m{i}", f"db{i}"], [f"a{i}"])]
        h = f"a{i}"
        if i < 3:
            nodes.append(mk("Relu", [h], [f"z{i}"]))
            h = f"z{i}"
    nodes.append(mk("Identity", [h], ["y"]))
    sess = _onnx_session(ort_mods, nodes, [_onnx_input(ort_mods, "x", [None, 1, 28, 28])],
                         [_onnx_input(ort_mods, "y", [None, 10])], inits)
    feed = {"x": np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2))}
    return lambda: sess.run(None, feed)


# --------------------------------------------------------------------------------------------------
# Graph builders shared with benchmarks/perf_gate.py (``lib`` is graphrt or tensorflow.compat.v1).

def chain_graph(lib: Any, n_ops: int) -> Any:
    """A chain of ``n_ops`` scalar ops on a fed scalar ``x``: alternately ``y*x`` and ``y+x`` (nothing
    for an optimizer to fold or merge). Returns (graph, x, y)."""
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [])
        y = x
        for i in range(n_ops):
            y = y * x if i % 2 == 0 else y + x
    return g, x, y


def wide_graph(lib: Any, n_ops: int) -> Any:
    """``n_ops`` independent scalar ops ``x + i`` on a fed scalar, grouped into one target op.
    Returns (graph, x, group_op)."""
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [])
        group = lib.group(*[x + float(i + 1) for i in range(n_ops)])
    return g, x, group


def chain5_graph(lib: Any) -> Any:
    """A 5-op elementwise chain ``max(x*2+1, 0)*3-1`` on a fed 1-D float32. Returns (graph, x, y)."""
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [None])
        y = lib.maximum(x * 2.0 + 1.0, 0.0) * 3.0 - 1.0
    return g, x, y


def lenet_params(rng: np.random.Generator) -> Dict[str, np.ndarray]:
    shapes = {"c1": (5, 5, 1, 6), "cb1": (6,), "c2": (5, 5, 6, 16), "cb2": (16,), "d1": (400, 120), "db1": (120,),
              "d2": (120, 84), "db2": (84,), "d3": (84, 10), "db3": (10,)}
    return {k: (rng.standard_normal(s) * 0.1).astype(np.float32) for k, s in shapes.items()}


def lenet(lib: Any, p: Dict[str, np.ndarray], x_val: np.ndarray) -> Callable[[], object]:
    """LeNet-5 style forward pass (NHWC): conv5x5(6)+relu+maxpool, conv5x5(16)+relu+maxpool, dense
    400-120-84-10; weights are variables so nothing folds into constants."""
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [None, 28, 28, 1])
        v = {k: lib.Variable(a) for k, a in p.items()}
        h = x
        for c, b, pad in (("c1", "cb1", "SAME"), ("c2", "cb2", "VALID")):
            h = lib.nn.relu(lib.nn.bias_add(lib.nn.conv2d(h, v[c], strides=[1, 1, 1, 1], padding=pad), v[b]))
            h = lib.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
        h = lib.reshape(h, [-1, 400])
        for i in (1, 2, 3):
            h = lib.matmul(h, v[f"d{i}"]) + v[f"db{i}"]
            if i < 3:
                h = lib.nn.relu(h)
        init = lib.global_variables_initializer()
    s = lib.Session(graph=g)
    s.run(init)
    feed = {x: x_val}
    return lambda: s.run(h, feed)


# --------------------------------------------------------------------------------------------------

def build_cases(quick: bool) -> List[Dict[str, object]]:
    """Each case: name, unit, iters, repeats, make(lib) -> step callable (graphrt / TF), optional
    ``numpy`` (factory of a reference callable), ``onnx`` (factory taking the onnxruntime modules),
    ``tf`` (False: no TF column), ``flops`` (unit GFLOP/s) or ``nodes`` (unit ns/node)."""
    scale = 0.2 if quick else 1.0
    n_small = max(200, int(20000 * scale))
    rep = 5 if quick else 9
    cases: List[Dict[str, object]] = []

    # (a) the seed example: a*b of constants.
    def graphrt_const(lib, callable_=False):
        g = lib.Graph()
        with g.as_default():
            c = lib.constant(5.0) * lib.constant(6.0)
        s = lib.Session(graph=g)
        return s.make_callable(c) if callable_ else (lambda: s.run(c))
    cases.append({"name": "(a) a*b constants, run", "unit": "us/step", "iters": n_small, "repeats": rep,
                  "make": graphrt_const})
    cases.append({"name": "(a') a*b constants, make_callable", "unit": "us/step", "iters": n_small, "repeats": rep,
                  "make": lambda lib: graphrt_const(lib, True)})

    # (b) scalar feed -> x+1 -> fetch.
    def scalar_feed(lib, callable_=False):
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [])
            y = x + 1.0
        s = lib.Session(graph=g)
        v = np.float32(3.0)
        if callable_:
            f = s.make_callable(y, [x])
            return lambda: f(v)
        return lambda: s.run(y, {x: v})
    cases.append({"name": "(b) scalar feed x+1", "unit": "us/step", "iters": n_small, "repeats": rep,
                  "make": scalar_feed, "numpy": lambda: (lambda v=np.float32(3.0): v + np.float32(1.0))})
    cases.append({"name": "(b') scalar feed x+1, make_callable", "unit": "us/step", "iters": n_small,
                  "repeats": rep, "make": lambda lib: scalar_feed(lib, True),
                  "numpy": lambda: (lambda v=np.float32(3.0): v + np.float32(1.0))})

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
                  "repeats": rep, "make": nested_fetch})

    # (d) 4 MiB feed -> x+1 -> fetch, beside numpy's x+1.
    big = np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32)

    def feed_4mib(lib):
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [None])
            y = x + 1.0
        s = lib.Session(graph=g)
        return lambda: s.run(y, {x: big})
    n_big = max(20, int(300 * scale))
    cases.append({"name": "(d) 4 MiB feed x+1", "unit": "us/step", "iters": n_big,
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
                      "repeats": rep, "make": shape_feed})

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

    # (g) MLP 784-512-512-10, batch 64: inference (run and make_callable) and one SGD training step.
    mx = rng.standard_normal((64, 784)).astype(np.float32)
    my = rng.integers(0, 10, size=64).astype(np.int64)
    mw = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in ((784, 512), (512, 512), (512, 10))]

    def mlp(lib, train, callable_=False):
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [None, 784])
            y = lib.placeholder(lib.int64, [None])
            h = x
            for i, w0 in enumerate(mw):
                w = lib.Variable(w0)
                b = lib.Variable(np.zeros(w0.shape[1], np.float32))
                h = lib.matmul(h, w) + b
                if i < len(mw) - 1:
                    h = lib.nn.relu(h)
            loss = lib.reduce_mean(lib.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=h))
            op = lib.train.GradientDescentOptimizer(0.01).minimize(loss) if train else h
            init = lib.global_variables_initializer()
        s = lib.Session(graph=g)
        s.run(init)
        if callable_:
            f = s.make_callable(op, [x])
            return lambda: f(mx)
        feed = {x: mx, y: my} if train else {x: mx}
        return lambda: s.run(op, feed)
    n_mlp = 10 if quick else 50
    mlp_np = lambda: (lambda: np.maximum(np.maximum(mx @ mw[0], 0) @ mw[1], 0) @ mw[2])  # noqa: E731
    cases.append({"name": "(g) MLP 784-512-512-10 b64 inference", "unit": "us/step", "iters": n_mlp,
                  "repeats": rep, "make": lambda lib: mlp(lib, False), "numpy": mlp_np,
                  "onnx": lambda o: onnx_mlp(o, mw, mx)})
    cases.append({"name": "(g') MLP inference, make_callable", "unit": "us/step", "iters": n_mlp,
                  "repeats": rep, "make": lambda lib: mlp(lib, False, True), "numpy": mlp_np})
    cases.append({"name": "(g) MLP 784-512-512-10 b64 SGD step", "unit": "us/step", "iters": n_mlp,
                  "repeats": rep, "make": lambda lib: mlp(lib, True)})

    # (h) 1,000 independent scalar ops (one group target), (i) a chain of 1,000 scalar ops.
    def wide(lib):
        g, x, group = wide_graph(lib, 1000)
        s = lib.Session(graph=g)
        f = s.make_callable(group, [x])
        v = np.float32(0.5)
        return lambda: f(v)
    n_graph = max(20, int(300 * scale))
    cases.append({"name": "(h) 1,000 independent scalar ops", "unit": "us/step", "iters": n_graph,
                  "repeats": rep, "make": wide})

    def chain(lib, callable_):
        g, x, y = chain_graph(lib, 1000)
        s = lib.Session(graph=g)
        v = np.float32(0.5)
        if callable_:
            f = s.make_callable(y, [x])
            return lambda: f(v)
        return lambda: s.run(y, {x: v})
    cases.append({"name": "(i) chain of 1,000 scalar ops, run", "unit": "ns/node", "nodes": 1000,
                  "iters": n_graph, "repeats": rep, "make": lambda lib: chain(lib, False)})
    cases.append({"name": "(i') chain of 1,000 scalar ops, make_callable", "unit": "ns/node", "nodes": 1000,
                  "iters": n_graph, "repeats": rep, "make": lambda lib: chain(lib, True)})

    # (j) 5-op elementwise chain on 4 MiB; the numpy column is ONE memory pass (x+1), the bound to beat.
    def chain5(lib):
        g, x, y = chain5_graph(lib)
        s = lib.Session(graph=g)
        return lambda: s.run(y, {x: big})
    cases.append({"name": "(j) 5-op elementwise chain, 4 MiB", "unit": "us/step", "iters": n_big, "repeats": rep,
                  "make": chain5, "numpy": lambda: (lambda: big + np.float32(1.0)), "numpy_is": "one pass x+1",
                  "onnx": lambda o: onnx_chain5(o, big)})

    # (k) LeNet forward pass, batch 64.
    lp = lenet_params(np.random.default_rng(2))
    lx = np.random.default_rng(3).standard_normal((64, 28, 28, 1)).astype(np.float32)
    cases.append({"name": "(k) LeNet forward b64", "unit": "us/step", "iters": max(5, int(50 * scale)),
                  "repeats": rep, "make": lambda lib: lenet(lib, lp, lx), "onnx": lambda o: onnx_lenet(o, lp, lx)})
    return cases


def run_case(case: Dict[str, Any], real_tf: Any, ort_mods: Any) -> Dict[str, Any]:
    """Measure one case on every available runtime (interleaved repeats) and return its result row."""
    fns: Dict[str, Callable[[], object]] = {"graphrt": case["make"](tf)}
    if case.get("numpy"):
        fns["numpy"] = case["numpy"]()
    if real_tf is not None and case.get("tf", True):
        fns["tensorflow"] = case["make"](real_tf)
    if ort_mods is not None and case.get("onnx"):
        fns["onnxruntime"] = case["onnx"](ort_mods)
    us = interleaved_median_us(fns, case["iters"], case["repeats"])
    row: Dict[str, Any] = {"case": case["name"], "unit": case["unit"]}
    for k in RUNTIMES:
        row[k] = _convert(case, us[k]) if k in us else None
    if case.get("numpy_is"):
        row["numpy_is"] = case["numpy_is"]
    return row


def _convert(case: Dict[str, Any], us: float) -> float:
    if "flops" in case:
        return case["flops"] / (us * 1e-6) / 1e9
    if "nodes" in case:
        return us * 1e3 / case["nodes"]
    return us


def relative_time(row: Dict[str, Any], runtime: str) -> Optional[float]:
    """The runtime's time for the case divided by graphrt's (>1: graphrt is faster)."""
    v, g = row.get(runtime), row.get("graphrt")
    if not v or not g:
        return None
    return g / v if row["unit"] == "GFLOP/s" else v / g


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer iterations (smoke run)")
    p.add_argument("--only", default=None, help="run only the cases whose name matches this regex")
    p.add_argument("--no-tf", action="store_true", help="skip the TensorFlow column even when installed")
    p.add_argument("--no-ort", action="store_true", help="skip the ONNX Runtime column even when installed")
    p.add_argument("--json", default=os.path.join(HERE, "results", "latest.json"))
    p.add_argument("--png", default=os.path.join(HERE, "results", "latest.png"),
                   help="bar chart path (written when matplotlib is installed; '' to skip)")
    p.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    args = p.parse_args(argv)
    real_tf = None if args.no_tf else _tf_v1()
    ort_mods = None if args.no_ort else _ort()
    print(f"graphrt vs numpy {np.__version__}"
          + (f", tensorflow {_version('tensorflow')}" if real_tf is not None else ", tensorflow: not installed")
          + (f", onnxruntime {ort_mods[0].__version__}" if ort_mods is not None else ", onnxruntime: not installed"),
          flush=True)
    # OpenBLAS's kernel set (OPENBLAS_CORETYPE may pin it) decides MatMul/Conv2D speed: say which one ran.
    print(f"graphrt's OpenBLAS kernels: {tf._core._debug_blas_corename()}", flush=True)
    print(_header(), flush=True)
    rows = []
    for case in build_cases(args.quick):
        if args.only and not re.search(args.only, case["name"]):
            continue
        row = run_case(case, real_tf, ort_mods)
        rows.append(row)
        print(_fmt_row(row), flush=True)
    result = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count(),
              "openblas_core": tf._core._debug_blas_corename(),
              "numpy": np.__version__, "tensorflow": _version("tensorflow") if real_tf is not None else None,
              "onnxruntime": ort_mods[0].__version__ if ort_mods is not None else None, "rows": rows}
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
    print(f"\nwrote {args.json}")
    if args.png:
        if write_chart(rows, args.png):
            print(f"wrote {args.png}")
        else:
            print("matplotlib not installed: no chart")
    if args.markdown:
        print()
        print(markdown_table(rows))
    return 0


def _version(mod: str) -> Optional[str]:
    try:
        return sys.modules[mod].__version__
    except (KeyError, AttributeError):
        return None


def _fmt(v: Optional[float]) -> str:
    return "-" if v is None else f"{v:,.2f}"


def _header() -> str:
    return (f"{'case':<46} {'unit':>8} {'graphrt':>10} {'numpy':>10} {'tensorflow':>10} {'onnxrt':>10}"
            f"  {'TF/grt':>7} {'ORT/grt':>7} {'grt/np':>7}")


def _ratio(v: Optional[float]) -> str:
    return "-" if v is None else f"{v:.2f}x"


def _fmt_row(row: Dict[str, Any]) -> str:
    np_ratio = relative_time(row, "numpy")
    return (f"{row['case']:<46} {row['unit']:>8} {_fmt(row['graphrt']):>10} {_fmt(row['numpy']):>10}"
            f" {_fmt(row['tensorflow']):>10} {_fmt(row['onnxruntime']):>10}"
            f"  {_ratio(relative_time(row, 'tensorflow')):>7} {_ratio(relative_time(row, 'onnxruntime')):>7}"
            f" {_ratio(None if np_ratio is None else 1.0 / np_ratio):>7}")


def markdown_table(rows: List[Dict[str, Any]]) -> str:
    """The rows as a Markdown table (the README's format)."""
    def cell(v: Optional[float]) -> str:
        return "–" if v is None else f"{v:,.2f}"
    out = ["| case | unit | graphrt | numpy | TensorFlow | ONNX Runtime |", "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        name = r["case"] + (f" (numpy: {r['numpy_is']})" if r.get("numpy_is") else "")
        out.append(f"| {name} | {r['unit']} | {cell(r['graphrt'])} | {cell(r['numpy'])} | {cell(r['tensorflow'])}"
                   f" | {cell(r['onnxruntime'])} |")
    return "\n".join(out)


def write_chart(rows: List[Dict[str, Any]], path: str) -> bool:
    """A horizontal grouped bar chart: each runtime's time relative to graphrt (log scale). False when
    matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    others = [k for k in ("numpy", "tensorflow", "onnxruntime") if any(relative_time(r, k) for r in rows)]
    series = ["graphrt"] + others
    colors = {"graphrt": "#1f77b4", "numpy": "#7f7f7f", "tensorflow": "#ff7f0e", "onnxruntime": "#2ca02c"}
    labels = {"graphrt": "graphrt", "numpy": "numpy", "tensorflow": "TensorFlow (compat.v1 Session)",
              "onnxruntime": "ONNX Runtime"}
    height = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(10, 1.6 + len(rows) * (0.12 + 0.13 * len(series))))
    for j, k in enumerate(series):
        ys, xs = [], []
        for i, r in enumerate(rows):
            v = 1.0 if k == "graphrt" else relative_time(r, k)
            if v:
                ys.append(i + (j - (len(series) - 1) / 2) * height)
                xs.append(v)
        ax.barh(ys, xs, height=height, color=colors[k], label=labels[k])
        if k != "graphrt":
            for y, x in zip(ys, xs):
                ax.text(x * 1.05, y, f"{x:.1f}x" if x >= 1.95 else f"{x:.2f}x", va="center", fontsize=7)
    names = [r["case"] + (f"\n(numpy: {r['numpy_is']})" if r.get("numpy_is") else "") for r in rows]
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(names, fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xscale("log")
    lo = min([relative_time(r, k) or 1.0 for r in rows for k in others] + [1.0])
    hi = max([relative_time(r, k) or 1.0 for r in rows for k in others] + [1.0])
    ax.set_xlim(10 ** math.floor(math.log10(lo * 0.8)), 10 ** math.ceil(math.log10(hi * 1.5)))
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("time per step relative to graphrt (graphrt = 1; longer bar = slower than graphrt; log scale)")
    ax.set_title("graphrt benchmark suite: medians measured side by side in one run")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


if __name__ == "__main__":
    sys.exit(main())
