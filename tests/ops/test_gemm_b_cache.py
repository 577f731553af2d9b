"""A MatMul's B operand packed once and reused across steps (GemmBCache): same bits as packing it in
every product, and never stale: every way of changing a variable, a fed array changed in place, and
a training loop (weights rewritten every step, so nothing is packed)."""
import threading

import numpy as np
import pytest

import graphrt as tf
from graphrt import _core

needs_own_gemm = pytest.mark.skipif(not _core._debug_have_avx512(), reason="packed B needs the AVX-512 kernel")


def _packings():
    return _core._debug_gemm_b_packings()


def _w(rng, k, n):
    return rng.standard_normal((k, n)).astype(np.float32)


@needs_own_gemm
@pytest.mark.parametrize("m,k,n,tb", [(64, 784, 512, False), (5, 300, 33, False), (64, 512, 200, True),
                                      (7, 2100, 70, False), (300, 1500, 130, True), (1, 40, 64, False),
                                      (8, 200, 70, False), (9, 100, 128, True)])
def test_packed_b_gives_the_same_bits(m, k, n, tb):
    rng = np.random.default_rng(m + k + n)
    x0 = rng.standard_normal((m, k)).astype(np.float32)
    w0 = _w(rng, n, k) if tb else _w(rng, k, n)
    x = tf.placeholder(tf.float32, [None, k])
    w = tf.Variable(w0)
    b0 = rng.standard_normal(n).astype(np.float32)
    b = tf.Variable(b0)
    y = tf.matmul(x, w, transpose_b=tb)
    # A second product (its own weights, same values; one product would be shared by both fetches) as
    # a _FusedMatMul: the bias/Relu store path.
    fused = tf.nn.relu(tf.matmul(x, tf.Variable(w0), transpose_b=tb) + b)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = _packings()
        runs = [sess.run([y, fused], {x: x0}) for _ in range(4)]
        # Each MatMul packs on its second step, then reuses: exactly one packing per node.
        assert _packings() - before == 2
    for r in runs[1:]:
        np.testing.assert_array_equal(r[0], runs[0][0])
        np.testing.assert_array_equal(r[1], runs[0][1])
    ref = x0.astype(np.float64) @ (w0.T if tb else w0).astype(np.float64)
    np.testing.assert_allclose(runs[0][0], ref, rtol=1e-4, atol=1e-3 * np.sqrt(k))
    np.testing.assert_array_equal(runs[0][1], np.maximum(runs[0][0] + b0, np.float32(0)))


def _update_cases(w, rng, shape):
    delta = _w(rng, *shape)
    new = _w(rng, *shape)
    rows = np.array([0, 3], np.int64)
    upd = _w(rng, 2, shape[1])
    return {
        "assign": (lambda: w.assign(new), lambda v: new),
        "assign_add": (lambda: w.assign_add(delta), lambda v: v + delta),
        "assign_sub": (lambda: w.assign_sub(delta), lambda v: v - delta),
        "scatter_update": (lambda: tf.scatter_update(w, rows, upd), lambda v: _scatter_ref(v, rows, upd, False)),
        "scatter_add": (lambda: tf.scatter_add(w, rows, upd), lambda v: _scatter_ref(v, rows, upd, True)),
    }


def _scatter_ref(v, rows, upd, add):
    out = v.copy()
    if add:
        np.add.at(out, rows, upd)
    else:
        out[rows] = upd
    return out


@needs_own_gemm
@pytest.mark.parametrize("kind", ["assign", "assign_add", "assign_sub", "scatter_update", "scatter_add", "sgd",
                                  "load", "initializer"])
def test_a_variable_update_after_packing_is_seen(kind):
    rng = np.random.default_rng(5)
    k, n = 96, 80
    x0 = rng.standard_normal((16, k)).astype(np.float32)
    w0 = _w(rng, k, n)
    x = tf.placeholder(tf.float32, [None, k])
    w = tf.Variable(w0)
    y = tf.matmul(x, w)
    if kind == "sgd":
        loss = tf.reduce_sum(tf.square(tf.matmul(tf.constant(x0), w)))
        update = tf.train.GradientDescentOptimizer(1e-3).minimize(loss)
        want = lambda v: v - 1e-3 * 2 * x0.T @ (x0 @ v)  # noqa: E731
    elif kind in ("load", "initializer"):
        new = _w(rng, k, n)
        update = None
    else:
        make, want = _update_cases(w, rng, (k, n))[kind]
        update = make()
    # The initial value's buffer is shared with its constant: the first update copies it, and only
    # later ones write in place (the case a packed B could miss). So update once before packing.
    own_buffer = w.assign_add(tf.zeros([k, n]))
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(own_buffer)
        before = _packings()
        for _ in range(3):
            first = sess.run(y, {x: x0})
        assert _packings() - before == 1  # B is packed now: the update below must not be missed
        copies = _core._debug_variable_update_copies()
        if kind == "load":
            w.load(new, sess)
            expect = new
        elif kind == "initializer":
            sess.run(w.assign(new))
            sess.run(y, {x: x0})
            sess.run(y, {x: x0})  # packed again for `new`
            sess.run(w.initializer)
            expect = w0
        else:
            sess.run(update)
            expect = want(w0.astype(np.float64))
            if kind != "assign":
                assert _core._debug_variable_update_copies() == copies  # the update wrote in place
        got = sess.run(y, {x: x0})
        again = sess.run(y, {x: x0})
        third = sess.run(y, {x: x0})
    np.testing.assert_allclose(first, x0 @ w0, rtol=1e-4, atol=1e-3)
    for r in (got, again, third):
        np.testing.assert_allclose(r, x0.astype(np.float64) @ expect, rtol=1e-4, atol=2e-3)


@needs_own_gemm
def test_constant_weights_are_packed_once():
    rng = np.random.default_rng(2)
    x0 = rng.standard_normal((32, 200)).astype(np.float32)
    w0 = _w(rng, 200, 100)
    x = tf.placeholder(tf.float32, [None, 200])
    y = tf.matmul(x, tf.constant(w0))
    with tf.Session() as sess:
        before = _packings()
        runs = [sess.run(y, {x: x0}) for _ in range(5)]
        assert _packings() - before == 1
    for r in runs:
        np.testing.assert_array_equal(r, runs[0])
    np.testing.assert_allclose(runs[0], x0 @ w0, rtol=1e-4, atol=1e-3)


def test_a_fed_b_changed_in_place_is_never_stale():
    """A fed array is borrowed without a copy, and its owner may change it between runs."""
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((16, 64)).astype(np.float32)
    wv = _w(rng, 64, 96)
    x = tf.placeholder(tf.float32, [None, 64])
    w = tf.placeholder(tf.float32, [64, 96])
    y = tf.matmul(x, w)
    with tf.Session() as sess:
        before = _packings()
        for i in range(4):
            wv[:, :] = _w(rng, 64, 96)  # same memory, new contents
            np.testing.assert_allclose(sess.run(y, {x: x0, w: wv}), x0 @ wv, rtol=1e-4, atol=1e-3)
        assert _packings() == before


@needs_own_gemm
def test_a_training_loop_packs_nothing_and_learns_exactly():
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal((32, 64)).astype(np.float32)
    t0 = rng.standard_normal((32, 48)).astype(np.float32)
    w0 = _w(rng, 64, 48) * 0.1
    w = tf.Variable(w0)
    loss = 0.5 * tf.reduce_sum(tf.square(tf.matmul(tf.constant(x0), w) - t0))
    train = tf.train.GradientDescentOptimizer(1e-3).minimize(loss)
    want = w0.astype(np.float64)
    with tf.Session() as sess:
        sess.run(w.initializer)
        before = _packings()
        for _ in range(6):
            sess.run(train)
            want = want - 1e-3 * x0.T @ (x0 @ want - t0)
        assert _packings() == before  # the weights changed every step: nothing worth packing
        np.testing.assert_allclose(sess.run(w), want, rtol=1e-4, atol=1e-4)


@needs_own_gemm
def test_concurrent_steps_share_one_packing():
    rng = np.random.default_rng(6)
    w0 = _w(rng, 256, 128)
    xs = [rng.standard_normal((8, 256)).astype(np.float32) for _ in range(8)]
    x = tf.placeholder(tf.float32, [None, 256])
    y = tf.matmul(x, tf.Variable(w0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = _packings()
        out = [[] for _ in xs]

        def work(i):
            for _ in range(20):
                out[i].append(sess.run(y, {x: xs[i]}))
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert _packings() - before == 1
    for i, rs in enumerate(out):
        for r in rs[1:]:
            np.testing.assert_array_equal(r, rs[0])
        np.testing.assert_allclose(rs[0], xs[i] @ w0, rtol=1e-4, atol=1e-3)
