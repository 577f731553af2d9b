"""Random ops: distributions (statistical checks with 5-sigma margins and fixed seeds, so they cannot
flake), TF1 seed rules, determinism across sessions, freshness across runs, shapes and errors."""
import numpy as np
import pytest

import graphrt as tf
from graphrt.ops import random_ops

N = 200_000


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default() as g:
        yield g


# ---- distributions -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_uniform_float(dtype):
    out = tf.random_uniform([N], minval=-2.0, maxval=3.0, dtype=tf.as_dtype(dtype), seed=1)
    assert out.shape.as_list() == [N] and out.dtype == tf.as_dtype(dtype)
    v = run(out)
    assert v.dtype == dtype
    assert v.min() >= -2.0 and v.max() < 3.0
    v = v.astype(np.float64)
    std = 5.0 / np.sqrt(12)
    assert abs(v.mean() - 0.5) < 5 * std / np.sqrt(N) + (0.01 if dtype == np.float16 else 0)
    assert abs(v.std() - std) < 0.01 * std + (0.01 if dtype == np.float16 else 0)
    # Spread over the whole interval: each tenth gets about N/10.
    counts = np.histogram(v, bins=10, range=(-2.0, 3.0))[0]
    assert np.all(np.abs(counts - N / 10) < 5 * np.sqrt(N / 10) + (N / 100 if dtype == np.float16 else 0))


def test_uniform_default_unit_interval():
    v = run(tf.random_uniform([1000], seed=3))
    assert v.dtype == np.float32 and v.min() >= 0 and v.max() < 1 and v.max() > 0.9 and v.min() < 0.1


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_uniform_int_covers_range(dtype):
    out = tf.random_uniform([N], minval=-3, maxval=7, dtype=tf.as_dtype(dtype), seed=2)
    assert out.op.type == "RandomUniformInt"
    v = run(out)
    assert v.dtype == dtype
    assert v.min() == -3 and v.max() == 6
    counts = np.bincount(v - (-3), minlength=10)
    assert np.all(np.abs(counts - N / 10) < 5 * np.sqrt(N / 10))


def test_uniform_int64_wide_range():
    v = run(tf.random_uniform([1000], minval=-2**62, maxval=2**62, dtype=tf.int64, seed=4))
    assert v.min() >= -2**62 and v.max() < 2**62 and v.min() < -2**60 and v.max() > 2**60


def test_uniform_int_needs_maxval_and_valid_range():
    with pytest.raises(ValueError, match="maxval"):
        tf.random_uniform([3], dtype=tf.int32)
    with pytest.raises(ValueError):
        tf.random_uniform([3], dtype=tf.string)
    lo = tf.placeholder(tf.int32, [])
    out = tf.random_uniform([3], minval=lo, maxval=5, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval"):
        run(out, {lo: 5})
    assert run(tf.random_uniform([0], minval=5, maxval=5, dtype=tf.int32)).shape == (0,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_normal(dtype):
    out = tf.random_normal([N], mean=1.5, stddev=2.0, dtype=tf.as_dtype(dtype), seed=5)
    v = run(out).astype(np.float64)
    tol16 = 0.01 if dtype == np.float16 else 0
    assert abs(v.mean() - 1.5) < 5 * 2.0 / np.sqrt(N) + tol16
    # Standard error of the sample std is about sigma / sqrt(2N).
    assert abs(v.std() - 2.0) < 5 * 2.0 / np.sqrt(2 * N) + tol16
    # Tails: P(|z| > 2) = 0.0455.
    frac = np.mean(np.abs(v - 1.5) > 4.0)
    assert abs(frac - 0.0455) < 5 * np.sqrt(0.0455 * 0.9545 / N) + tol16


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_truncated_normal(dtype):
    v = run(tf.truncated_normal([N], mean=-1.0, stddev=0.5, dtype=tf.as_dtype(dtype), seed=6)).astype(np.float64)
    tol16 = 2e-3 if dtype == np.float16 else 0
    assert np.all(np.abs(v + 1.0) <= 2 * 0.5 * (1 + 1e-6) + tol16)
    assert abs(v.mean() + 1.0) < 5 * 0.5 / np.sqrt(N) + tol16
    # Std of a normal truncated at 2 sigma: 0.87962566 sigma.
    assert abs(v.std() - 0.87962566 * 0.5) < 5 * 0.5 / np.sqrt(N) + tol16
    # Values do reach near the cut: about 1% lie beyond 1.9 sigma.
    assert np.mean(np.abs(v + 1.0) > 0.95) > 0.002


def test_random_shuffle_is_permutation():
    a = np.arange(1000)
    out = tf.random_shuffle(a, seed=7)
    v = run(out)
    assert out.shape.as_list() == [1000]
    assert not np.array_equal(v, a)
    np.testing.assert_array_equal(np.sort(v), a)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int8, np.float16, np.bool_, object])
def test_random_shuffle_rows(dtype):
    base = np.arange(50 * 3).reshape(50, 3)
    a = np.array([[str(x).encode() for x in r] for r in base], dtype=object) if dtype is object else base.astype(dtype)
    v = run(tf.random_shuffle(tf.constant(a), seed=8))
    assert v.shape == a.shape
    # Rows move whole: the sorted set of rows is unchanged.
    as_rows = sorted(tuple(r) for r in v.tolist())
    assert as_rows == sorted(tuple(r) for r in a.tolist())
    if dtype not in (np.bool_,):
        assert not np.array_equal(v, a)


def test_random_shuffle_uniform_positions():
    # Where element 0 lands over many shuffles of 5 items: each position about 1/5 of the time.
    x = tf.random_shuffle(tf.range(5) if hasattr(tf, "range") else tf.constant(np.arange(5)), seed=9)
    trials = 2000
    with tf.Session() as sess:
        pos = [int(np.argmax(sess.run(x) == 0)) for _ in range(trials)]
    counts = np.bincount(pos, minlength=5)
    assert np.all(np.abs(counts - trials / 5) < 5 * np.sqrt(trials * 0.2 * 0.8))


@pytest.mark.parametrize("value", [np.float32(3.0), np.zeros((0, 2)), np.ones((1, 4))])
def test_random_shuffle_trivial(value):
    np.testing.assert_array_equal(run(tf.random_shuffle(value)), value)


@pytest.mark.parametrize("fn", ["multinomial", "categorical"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multinomial_frequencies(fn, dtype):
    logits = np.array([[0.0, 1.0, 2.0, -1.0], [3.0, 3.0, -np.inf, 0.0]], dtype=dtype)
    n = 50_000
    f = tf.multinomial if fn == "multinomial" else tf.random.categorical
    out = f(tf.constant(logits), n, seed=10)
    assert out.dtype == tf.int64 and out.shape.as_list() == [2, n]
    v = run(out)
    assert v.dtype == np.int64
    for row, lg in zip(v, logits):
        p = np.exp(lg - lg.max())
        p /= p.sum()
        freq = np.bincount(row, minlength=4) / n
        assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / n) + 1e-12)
    assert not np.any(v[1] == 2)  # zero probability class never drawn


def test_multinomial_output_dtype_and_errors():
    out = tf.multinomial([[1.0, 2.0]], 7, output_dtype=tf.int32)
    v = run(out)
    assert v.dtype == np.int32 and v.shape == (1, 7) and set(np.unique(v)) <= {0, 1}
    assert run(tf.random.categorical([[1.0, 2.0]], 3, dtype=tf.int32)).dtype == np.int32
    with pytest.raises(ValueError):
        tf.multinomial([1.0, 2.0], 3)
    with pytest.raises(ValueError):
        tf.multinomial([[1.0, 2.0]], -1)
    logits = tf.placeholder(tf.float32)
    ns = tf.placeholder(tf.int32)
    out = tf.multinomial(logits, ns)
    assert out.shape.as_list() == [None, None]
    with pytest.raises(tf.errors.InvalidArgumentError, match="matrix"):
        run(out, {logits: np.zeros(3, np.float32), ns: 2})
    with pytest.raises(tf.errors.InvalidArgumentError, match="nonnegative"):
        run(out, {logits: np.zeros((1, 3), np.float32), ns: -2})
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_classes"):
        run(out, {logits: np.zeros((1, 0), np.float32), ns: 2})
    assert run(out, {logits: np.zeros((0, 3), np.float32), ns: 2}).shape == (0, 2)


# ---- shapes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [tf.random_uniform, tf.random_normal, tf.truncated_normal])
def test_shapes_and_shape_tensors(fn):
    assert fn([2, 3]).shape.as_list() == [2, 3]
    assert fn([]).shape.as_list() == []
    assert run(fn([])).shape == ()
    assert run(fn([0, 4])).shape == (0, 4)
    assert fn(5).shape.as_list() == [5]
    for dt in (tf.int32, tf.int64):
        s = tf.placeholder(dt, [2])
        out = fn(s)
        assert out.shape.as_list() == [None, None]
        assert run(out, {s: [3, 2]}).shape == (3, 2)
    s = tf.placeholder(tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(fn(s), {s: [[2]]})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(fn(s), {s: [2, -1]})
    with pytest.raises(ValueError):
        fn(tf.constant([[2, 3]]))


def test_op_types_names_and_stateful_attrs():
    u = tf.random_uniform([2])
    assert u.op.name == "random_uniform" and u.op.type == "Add"
    rnd = u.graph.get_operation_by_name("random_uniform/RandomUniform")
    assert rnd.get_attr("seed") == 0 and rnd.get_attr("seed2") == 0
    assert tf.random_normal([2]).op.name == "random_normal"
    assert tf.truncated_normal([2], name="tn").op.name == "tn"
    assert tf.get_default_graph().get_operation_by_name("tn/TruncatedNormal").type == "TruncatedNormal"
    assert tf.random.uniform is tf.random_uniform and tf.random.normal is tf.random_normal
    assert tf.random.truncated_normal is tf.truncated_normal and tf.random.shuffle is tf.random_shuffle
    assert tf.random.set_random_seed is tf.set_random_seed


# ---- seeds ----------------------------------------------------------------------------------------

def test_get_seed_rules():
    g = tf.get_default_graph()
    assert random_ops.get_seed(None) == (None, None)
    assert random_ops.get_seed(5) == (random_ops.DEFAULT_GRAPH_SEED, 5)
    tf.set_random_seed(12)
    assert g.seed == 12
    s1, s2 = random_ops.get_seed(None)
    assert s1 == 12 and s2 == len(g.get_operations())
    tf.constant(1.0)
    assert random_ops.get_seed(None)[1] == s2 + 1
    assert random_ops.get_seed(7) == (12, 7)
    tf.set_random_seed(0)
    assert random_ops.get_seed(0) == (0, 2**31 - 1)
    assert random_ops.get_seed(2**31 + 5) == (0, 6)


def _build_all(seed=None):
    return [tf.random_uniform([64], seed=seed), tf.random_normal([64], seed=seed),
            tf.truncated_normal([64], seed=seed), tf.random_uniform([64], maxval=1000, dtype=tf.int64, seed=seed),
            tf.random_shuffle(np.arange(64), seed=seed), tf.multinomial(np.zeros((1, 50), np.float32), 64, seed=seed)]


def test_graph_seed_determinism_across_sessions_and_freshness_across_runs():
    tf.set_random_seed(1234)
    ops = _build_all()
    with tf.Session() as sess:
        first = sess.run(ops)
        second = sess.run(ops)
    with tf.Session() as sess:
        again = sess.run(ops)
        again2 = sess.run(ops)
    for a, b, c, d in zip(first, second, again, again2):
        np.testing.assert_array_equal(a, c)  # same sequence in a new session
        np.testing.assert_array_equal(b, d)
        assert not np.array_equal(a, b)  # fresh values on every run
    # Distinct ops of one graph seed draw different values.
    with tf.Session() as sess:
        assert not np.array_equal(first[0], sess.run(tf.random_uniform([64])))


def test_same_graph_seed_in_new_graph_reproduces():
    def build_and_run():
        with tf.Graph().as_default():
            tf.set_random_seed(99)
            x = tf.random_normal([10])
            with tf.Session() as sess:
                return sess.run(x), sess.run(x)
    (a1, a2), (b1, b2) = build_and_run(), build_and_run()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)


def test_op_seed_alone_is_deterministic_and_different_seeds_differ():
    a = tf.random_uniform([32], seed=1)
    b = tf.random_uniform([32], seed=1)
    c = tf.random_uniform([32], seed=2)
    va, vb, vc = run([a, b, c])
    np.testing.assert_array_equal(va, vb)  # same (graph seed, op seed) -> same values
    assert not np.array_equal(va, vc)
    tf.set_random_seed(5)
    d = tf.random_uniform([32], seed=1)
    assert not np.array_equal(run(d), va)  # graph seed changes the stream


def test_unseeded_ops_are_nondeterministic():
    x = tf.random_uniform([32])
    with tf.Session() as s1, tf.Session() as s2:
        assert not np.array_equal(s1.run(x), s2.run(x))
    y = tf.random_shuffle(np.arange(100))
    with tf.Session() as s1, tf.Session() as s2:
        assert not np.array_equal(s1.run(y), s2.run(y))
