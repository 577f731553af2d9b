"""Thread stress on one Session: many Python threads running steps at once get exact results."""
import threading
import time

import numpy as np

import graphrt as tf

THREADS = 8
RUNS = 2000


def _run_threads(worker, n):
    errors = []

    def guarded(k):
        try:
            worker(k)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    assert not errors, errors[:3]


def test_8_threads_x_2000_runs_exact():
    x = tf.placeholder(tf.int64, [], name="x")
    v = tf.placeholder(tf.float64, [2], name="v")
    y = x * 3 + 1
    z = tf.reduce_sum(v * 2.0)
    done = [0] * THREADS
    with tf.Session() as sess:
        call = sess.make_callable([y, z], [x, v])

        def worker(k):
            base = k * 1_000_000
            use_callable = k % 2 == 1  # half the threads through make_callable
            for i in range(RUNS):
                xv = base + i
                vv = np.array([xv, 0.5], np.float64)
                if use_callable:
                    got_y, got_z = call(xv, vv)
                else:
                    got_y, got_z = sess.run([y, z], feed_dict={x: xv, v: vv})
                if got_y != 3 * xv + 1 or got_z != 2.0 * xv + 1.0:
                    raise AssertionError(f"thread {k} run {i}: {got_y}, {got_z}")
                done[k] += 1

        t0 = time.perf_counter()
        _run_threads(worker, THREADS)
        elapsed = time.perf_counter() - t0
    assert done == [RUNS] * THREADS
    assert elapsed < 20.0


def test_concurrent_updates_of_one_variable_are_not_lost():
    counter = tf.Variable(np.int64(0), name="counter")
    inc = counter.assign_add(np.int64(1))
    n_threads, n_runs = 4, 500
    with tf.Session() as sess:
        sess.run(counter.initializer)
        step = sess.make_callable(inc.op)

        def worker(k):
            for i in range(n_runs):
                if k % 2:
                    step()
                else:
                    sess.run(inc.op)

        _run_threads(worker, n_threads)
        assert sess.run(counter) == n_threads * n_runs


def test_threads_mixing_plans_and_partial_runs():
    a = tf.placeholder(tf.float32, [])
    b = tf.placeholder(tf.float32, [])
    s = a + b
    p = s * 2.0
    with tf.Session() as sess:
        def worker(k):
            for i in range(300):
                if i % 3 == 0:
                    h = sess.partial_run_setup([s, p], [a, b])
                    assert sess.partial_run(h, s, {a: k, b: i}) == k + i
                    assert sess.partial_run(h, p) == 2 * (k + i)
                elif i % 3 == 1:
                    assert sess.run(p, {a: k, b: i}) == 2 * (k + i)
                else:
                    assert sess.run([s, p], {a: i, b: k}) == [k + i, 2 * (k + i)]

        _run_threads(worker, THREADS)
        assert sess._c.num_partial_runs == 0
