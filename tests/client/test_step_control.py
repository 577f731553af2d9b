"""RunOptions/RunMetadata: tracing, partition graphs, timeouts, cancellation by close() and Ctrl-C."""
import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import graphrt as tf
from graphrt.client import timeline


def _forever():
    return tf.while_loop(lambda i: i >= 0, lambda i: i + 1, [tf.constant(0)])


def test_full_trace_fills_step_stats_and_timeline():
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.reduce_sum(tf.exp(x) * 2.0, name="total")
    opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE, output_partition_graphs=True)
    md = tf.RunMetadata()
    with tf.Session() as sess:
        out = sess.run(y, {x: np.zeros(10, np.float32)}, options=opts, run_metadata=md)
    assert out == 20.0
    (dev,) = md.step_stats.dev_stats
    assert dev.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    by_name = {n.node_name: n for n in dev.node_stats}
    assert "total" in by_name  # Exp and Mul may run fused as one node (named Mul, as TF names it)
    total = by_name["total"]
    assert total.all_start_micros > 1_500_000_000_000_000  # micros since the epoch
    assert 0 <= total.op_start_rel_micros <= total.op_end_rel_micros <= total.all_end_rel_micros
    assert total.thread_id != 0
    assert total.output[0].tensor_description.allocation_description.requested_bytes == 4
    assert total.timeline_label.startswith("total = Sum")
    assert sorted(n.name for n in md.partition_graphs[0].node) == sorted(by_name)
    trace = json.loads(timeline.Timeline(md.step_stats).generate_chrome_trace_format())
    ops = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert {e["args"]["name"] for e in ops} == set(by_name)
    assert all(e["dur"] >= 0 and e["ts"] > 0 for e in ops)


def test_no_trace_leaves_metadata_empty():
    md = tf.RunMetadata()
    with tf.Session() as sess:
        sess.run(tf.constant(1.0), options=tf.RunOptions(trace_level=tf.RunOptions.NO_TRACE), run_metadata=md)
    assert md.step_stats.dev_stats == []


def test_timeout_in_ms_raises_deadline_exceeded_and_session_survives():
    w = _forever()
    c = tf.constant(3.0)
    with tf.Session() as sess:
        t0 = time.time()
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(w, options=tf.RunOptions(timeout_in_ms=200))
        assert time.time() - t0 < 5
        assert sess.run(c) == 3.0


def test_operation_timeout_in_ms_is_the_default_step_timeout():
    w = _forever()
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=200)) as sess:
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(w)


def test_close_cancels_in_flight_runs():
    w = _forever()
    sess = tf.Session()
    errors = []
    started = [threading.Event() for _ in range(3)]

    def run(ev):
        ev.set()
        try:
            sess.run(w)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=run, args=(ev,), daemon=True) for ev in started]
    for t in threads:
        t.start()
    # Each run must be inside the session before close: a run that starts after it raises
    # RuntimeError("Attempted to use a closed Session.") instead of being cancelled. The sleep lets
    # the runs get from the events into the step.
    for ev in started:
        assert ev.wait(10), "worker thread did not start"
    time.sleep(0.3)
    assert all(t.is_alive() for t in threads)
    sess.close()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert len(errors) == 3 and all(isinstance(e, tf.errors.CancelledError) for e in errors), errors
    with pytest.raises(RuntimeError):
        sess.run(w)


def test_make_callable_accept_options():
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0
    with tf.Session() as sess:
        f = sess.make_callable(y, [x], accept_options=True)
        md = tf.RunMetadata()
        assert f(2.0, options=tf.RunOptions(trace_level=tf.RunOptions.SOFTWARE_TRACE), run_metadata=md) == 4.0
        assert md.step_stats.dev_stats[0].node_stats
        g = sess.make_callable(y, [x])
        with pytest.raises(TypeError):
            g(1.0, options=tf.RunOptions())
        slow = sess.make_callable(_forever(), accept_options=True)
        with pytest.raises(tf.errors.DeadlineExceededError):
            slow(options=tf.RunOptions(timeout_in_ms=100))


def test_keyboard_interrupt_cancels_a_long_step():
    code = textwrap.dedent("""
        import os, signal, threading, time
        import graphrt as tf
        w = tf.while_loop(lambda i: i >= 0, lambda i: i + 1, [tf.constant(0)])
        sess = tf.Session()
        threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        t0 = time.time()
        try:
            sess.run(w)
            print("NOT INTERRUPTED")
        except KeyboardInterrupt:
            print("INTERRUPTED", round(time.time() - t0, 1))
        print(sess.run(tf.constant(7)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ))
    assert "INTERRUPTED" in out.stdout and "NOT" not in out.stdout, out.stdout + out.stderr
    assert out.stdout.strip().endswith("7")
