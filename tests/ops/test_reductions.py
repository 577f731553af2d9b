"""Reductions (Sum, Mean, Max, Min, Prod, All, Any), ArgMax/ArgMin and the composites
(reduce_logsumexp, count_nonzero, norm, nn.moments) against numpy: axes None/int/list/negative/
empty, keepdims and the deprecated aliases, empty inputs, static shapes and errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


DTYPES = [np.float16, np.float32, np.float64, np.int32, np.int64]
AXES = [None, 0, 1, -1, [0, 2], [-1, 0], [], (0, 1, 2), [1, 2]]


def _np_mean(a, axis, keepdims):
    if np.issubdtype(a.dtype, np.integer):
        s = np.sum(a, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = a.size // max(s.size, 1) if a.size else 0
        return np.trunc(s / n).astype(a.dtype)
    return np.mean(a.astype(np.float64), axis=axis, keepdims=keepdims)


REDUCTIONS = {
    "Sum": (tf.reduce_sum, lambda a, ax, k: np.sum(a.astype(np.float64) if a.dtype == np.float16 else a, axis=ax,
                                                   keepdims=k)),
    "Mean": (tf.reduce_mean, _np_mean),
    "Max": (tf.reduce_max, lambda a, ax, k: np.max(a, axis=ax, keepdims=k)),
    "Min": (tf.reduce_min, lambda a, ax, k: np.min(a, axis=ax, keepdims=k)),
    "Prod": (tf.reduce_prod, lambda a, ax, k: np.prod(a.astype(np.float64) if a.dtype == np.float16 else a, axis=ax,
                                                      keepdims=k)),
}


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _values(dtype, shape, rng):
    if np.issubdtype(dtype, np.floating):
        return rng.uniform(0.5, 1.5, shape).astype(dtype)
    return rng.integers(-4, 5, shape).astype(dtype)


def _check(got, want, dtype):
    want = np.asarray(want)
    assert got.dtype == dtype, (got.dtype, dtype)
    assert got.shape == want.shape
    if dtype == np.float16:
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=3e-3)
    elif np.issubdtype(dtype, np.floating):
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12)
    else:
        np.testing.assert_array_equal(got, want.astype(dtype))


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("op", sorted(REDUCTIONS))
def test_reductions_match_numpy(op, keepdims):
    fn, ref = REDUCTIONS[op]
    rng = np.random.default_rng(1)
    for dtype in DTYPES:
        a = _values(dtype, (2, 3, 4), rng)
        x = tf.placeholder(tf.as_dtype(dtype), shape=[2, 3, 4])
        for axis in AXES:
            out = fn(x, axis=axis, keepdims=keepdims)
            assert out.op.type == op
            want = ref(a, _np_axis(axis), keepdims)
            assert out.shape.as_list() == list(np.shape(want))
            _check(run(out, {x: a}), want, dtype)


@pytest.mark.parametrize("op", sorted(REDUCTIONS))
def test_scalar_input(op):
    fn, ref = REDUCTIONS[op]
    for dtype in (np.float32, np.int64):
        a = np.array(3, dtype=dtype)
        for axis in (None, []):
            _check(run(fn(a, axis=axis)), ref(a, _np_axis(axis), False), dtype)
        with pytest.raises(ValueError):
            fn(a, axis=0)


def test_empty_reductions_give_identities():
    e = np.zeros((0, 3), np.float32)
    np.testing.assert_array_equal(run(tf.reduce_sum(e, 0)), [0, 0, 0])
    np.testing.assert_array_equal(run(tf.reduce_prod(e, 0)), [1, 1, 1])
    np.testing.assert_array_equal(run(tf.reduce_max(e, 0)), [-np.inf] * 3)
    np.testing.assert_array_equal(run(tf.reduce_min(e, 0)), [np.inf] * 3)
    assert np.all(np.isnan(run(tf.reduce_mean(e, 0))))
    assert run(tf.reduce_sum(e)) == 0 and np.isnan(run(tf.reduce_mean(e)))
    assert run(tf.reduce_sum(e, 1)).shape == (0,)
    assert run(tf.reduce_sum(e, 1, keepdims=True)).shape == (0, 1)
    ei = np.zeros((0,), np.int32)
    assert run(tf.reduce_max(ei)) == np.iinfo(np.int32).min
    assert run(tf.reduce_min(ei)) == np.iinfo(np.int32).max
    assert run(tf.reduce_mean(ei)) == 0
    assert run(tf.reduce_all(np.zeros((0,), bool))) and not run(tf.reduce_any(np.zeros((0,), bool)))


def test_nan_propagates_through_max_min():
    a = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(np.isnan(run(tf.reduce_max(a, 1))), [True, False])
    np.testing.assert_array_equal(np.isnan(run(tf.reduce_min(a, 0))), [False, True, False])


def test_integer_sum_wraps_like_tf():
    a = np.array([2**31 - 1, 1], np.int32)
    assert run(tf.reduce_sum(a)) == np.int32(-2**31)


@pytest.mark.parametrize("keepdims", [False, True])
def test_all_any(keepdims):
    rng = np.random.default_rng(2)
    a = rng.integers(0, 2, (3, 4, 2)).astype(bool)
    for axis in AXES:
        ax = _np_axis(axis)
        np.testing.assert_array_equal(run(tf.reduce_all(a, axis, keepdims=keepdims)), np.all(a, ax, keepdims=keepdims))
        np.testing.assert_array_equal(run(tf.reduce_any(a, axis, keepdims=keepdims)), np.any(a, ax, keepdims=keepdims))
    with pytest.raises(TypeError):
        tf.reduce_all(np.ones(3, np.float32))
    with pytest.raises(TypeError):
        tf.reduce_sum(np.ones(3, bool))


def test_aliases_and_argument_conflicts():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(run(tf.reduce_sum(a, reduction_indices=[1], keep_dims=True)), [[3], [12]])
    np.testing.assert_array_equal(run(tf.reduce_mean(a, axis=np.int64(0))), [1.5, 2.5, 3.5])
    np.testing.assert_array_equal(run(tf.math.reduce_max(a, axis=tf.constant([1], tf.int64))), [2, 5])
    with pytest.raises(ValueError):
        tf.reduce_sum(a, axis=0, reduction_indices=0)
    with pytest.raises(ValueError):
        tf.reduce_sum(a, keepdims=True, keep_dims=False)
    assert tf.reduce_sum(a, name="total").op.name == "total"


def test_static_shapes():
    x = tf.placeholder(tf.float32, [None, 3, 4])
    assert tf.reduce_sum(x, [0, 2]).shape.as_list() == [3]
    assert tf.reduce_sum(x, -1, keepdims=True).shape.as_list() == [None, 3, 1]
    axes = tf.placeholder(tf.int32, [None])
    assert tf.reduce_sum(x, axes, keepdims=True).shape.as_list() == [None, None, None]
    assert tf.reduce_sum(x, axes).shape.rank is None
    assert tf.reduce_sum(x, tf.placeholder(tf.int32, [])).shape.rank == 2
    unknown = tf.placeholder(tf.float32)
    assert tf.reduce_sum(unknown, 0).shape.rank is None
    assert tf.reduce_sum(unknown).shape.as_list() == []
    with pytest.raises(ValueError):
        tf.reduce_sum(x, 3)
    with pytest.raises(ValueError):
        tf.reduce_sum(x, [-4])
    with pytest.raises(TypeError):
        tf.reduce_sum(x, [0.5])


def test_runtime_axis_errors():
    x = tf.placeholder(tf.float32)
    axes = tf.placeholder(tf.int32)
    out = tf.reduce_sum(x, axes)
    a = np.ones((2, 3), np.float32)
    for bad in ([2], [-3], [0, 0], [1, -1], [[0]]):
        with pytest.raises(tf.errors.InvalidArgumentError):
            run(out, {x: a, axes: np.array(bad, np.int32)})
    np.testing.assert_array_equal(run(out, {x: a, axes: np.array([], np.int32)}), a)


def test_unknown_rank_axis_none():
    x = tf.placeholder(tf.float32)
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert run(tf.reduce_sum(x), {x: a}) == a.sum()
    kept = run(tf.reduce_max(x, keepdims=True), {x: a})
    assert kept.shape == (1, 1, 1) and kept.ravel()[0] == 23
    assert run(tf.reduce_mean(x, keepdims=True, name="m"), {x: np.float32(5)}).shape == ()


def test_large_tensors_use_parallel_paths():
    rng = np.random.default_rng(3)
    a = rng.uniform(-1, 1, (4, 1 << 20)).astype(np.float32)
    x = tf.placeholder(tf.float32)
    got = run([tf.reduce_sum(x), tf.reduce_sum(x, 1), tf.reduce_max(x, 0), tf.reduce_mean(x, [0, 1])], {x: a})
    a64 = a.astype(np.float64)
    np.testing.assert_allclose(got[0], a64.sum(), rtol=1e-5, atol=1e-2)
    np.testing.assert_allclose(got[1], a64.sum(1), rtol=1e-5, atol=1e-2)
    np.testing.assert_array_equal(got[2], a.max(0))
    np.testing.assert_allclose(got[3], a64.mean(), atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=5), keepdims=st.booleans(), data=st.data())
def test_property_reductions_vs_numpy(shape, keepdims, data):
    rank = len(shape)
    axes = data.draw(st.lists(st.integers(-rank, rank - 1), unique_by=lambda a: a % rank, max_size=rank)
                     if rank else st.just([]))
    op = data.draw(st.sampled_from(["Sum", "Max", "Min", "Prod", "Mean"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    a = rng.uniform(0.5, 1.5, shape)
    fn, _ = REDUCTIONS[op]
    ref = {"Sum": np.sum, "Max": np.max, "Min": np.min, "Prod": np.prod, "Mean": np.mean}[op]
    empty_reduce = any(shape[ax] == 0 for ax in axes)
    if op in ("Max", "Min") and empty_reduce:
        want = np.full(np.sum(a, tuple(axes), keepdims=keepdims).shape, -np.inf if op == "Max" else np.inf)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                want = ref(a, tuple(axes), keepdims=keepdims)
    out = fn(tf.constant(a), axes, keepdims=keepdims)
    assert out.shape.as_list() == list(np.shape(want))
    np.testing.assert_allclose(run(out), want, rtol=1e-12)


# ---- ArgMax / ArgMin ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.uint8])
def test_argmax_argmin(dtype):
    rng = np.random.default_rng(4)
    a = rng.integers(0, 5, (3, 4, 5)).astype(dtype)  # many ties: the first index wins
    for axis in (0, 1, 2, -1, -3):
        for fn, ref in ((tf.argmax, np.argmax), (tf.argmin, np.argmin)):
            out = fn(a, axis=axis)
            assert out.dtype == tf.int64
            got = run(out)
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, ref(a, axis=axis))
    np.testing.assert_array_equal(run(tf.argmax(a)), np.argmax(a, 0))
    out32 = tf.argmin(a, dimension=1, output_type=tf.int32)
    assert out32.dtype == tf.int32 and out32.shape.as_list() == [3, 5]
    got = run(out32)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, np.argmin(a, 1))
    np.testing.assert_array_equal(run(tf.arg_max(a, 2)), np.argmax(a, 2))


def test_argmax_nan_and_shapes_and_errors():
    a = np.array([[1.0, np.nan, 5.0, np.nan], [3.0, 2.0, 1.0, 0.0]])
    np.testing.assert_array_equal(run(tf.argmax(a, 1)), np.argmax(a, 1))
    np.testing.assert_array_equal(run(tf.argmin(a, 1)), np.argmin(a, 1))
    x = tf.placeholder(tf.float32, [None, 7])
    assert tf.argmax(x, 1).shape.as_list() == [None]
    assert tf.argmax(x, tf.placeholder(tf.int32, [])).shape.as_list() == [None]
    assert tf.argmax(tf.placeholder(tf.float32), 0).shape.rank is None
    with pytest.raises(ValueError):
        tf.argmax(x, 2)
    with pytest.raises(ValueError):
        tf.argmax(x, axis=0, dimension=0)
    with pytest.raises(ValueError):
        tf.argmax(np.float32(1.0))
    ph = tf.placeholder(tf.float32)
    dim = tf.placeholder(tf.int32)
    out = tf.argmax(ph, dim)
    with pytest.raises(tf.errors.InvalidArgumentError, match="empty"):
        run(out, {ph: np.zeros((0, 3), np.float32), dim: 0})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(out, {ph: np.zeros((2, 3), np.float32), dim: 2})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(out, {ph: np.zeros((2, 3), np.float32), dim: np.array([0, 1], np.int32)})
    assert run(out, {ph: np.zeros((2, 0), np.float32), dim: 0}).shape == (0,)


# ---- composites -----------------------------------------------------------------------------------

def _np_logsumexp(a, axis=None, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        r = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return r if keepdims else np.squeeze(r, axis=axis)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reduce_logsumexp(dtype):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((3, 4)).astype(dtype) * 10
    for axis in (None, 0, 1, [0, 1]):
        for keepdims in (False, True):
            ax = _np_axis(axis)
            got = run(tf.reduce_logsumexp(a, axis, keepdims=keepdims))
            np.testing.assert_allclose(got, _np_logsumexp(a.astype(np.float64), ax, keepdims),
                                       rtol=1e-5 if dtype == np.float32 else 1e-12)
    big = np.array([1000.0, 1000.0, -np.inf], dtype)
    np.testing.assert_allclose(run(tf.reduce_logsumexp(big)), 1000 + np.log(2), rtol=1e-6)
    assert run(tf.reduce_logsumexp(np.full(3, -np.inf, dtype))) == -np.inf
    assert run(tf.reduce_logsumexp(np.zeros((0,), dtype))) == -np.inf


def test_count_nonzero():
    a = np.array([[0, 1, 2], [0, 0, 3]], np.int32)
    out = tf.count_nonzero(a)
    assert out.dtype == tf.int64
    assert run(out) == 3
    np.testing.assert_array_equal(run(tf.count_nonzero(a, axis=1, keepdims=True)), [[2], [1]])
    np.testing.assert_array_equal(run(tf.count_nonzero(a.astype(np.float32), 0, dtype=tf.int32)), [0, 1, 2])
    assert run(tf.count_nonzero(np.array([True, False, True]))) == 2


def test_norm():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((3, 4, 2))
    np.testing.assert_allclose(run(tf.norm(a)), np.linalg.norm(a.ravel()), rtol=1e-12)
    np.testing.assert_allclose(run(tf.norm(a, axis=1)), np.linalg.norm(a, axis=1), rtol=1e-12)
    np.testing.assert_allclose(run(tf.norm(a, ord=1, axis=-1, keepdims=True)),
                               np.linalg.norm(a, ord=1, axis=-1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(run(tf.norm(a, ord=np.inf, axis=0)), np.linalg.norm(a, ord=np.inf, axis=0), rtol=1e-12)
    np.testing.assert_allclose(run(tf.norm(a, ord=3, axis=0)), np.linalg.norm(a, ord=3, axis=0), rtol=1e-12)
    for ord_ in ("fro", 1, np.inf):
        np.testing.assert_allclose(run(tf.norm(a, ord=ord_, axis=[0, 1])), np.linalg.norm(a, ord=ord_, axis=(0, 1)),
                                   rtol=1e-12)
    np.testing.assert_allclose(run(tf.norm(a, ord="euclidean", axis=[0, 1], keepdims=True)),
                               np.linalg.norm(a, axis=(0, 1), keepdims=True), rtol=1e-12)
    with pytest.raises(ValueError):
        tf.norm(a, ord=-1)
    with pytest.raises(ValueError):
        tf.norm(a, ord=2, axis=[0, 1])
    with pytest.raises(ValueError):
        tf.norm(a, axis=[0, 0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_moments(dtype):
    rng = np.random.default_rng(7)
    a = rng.standard_normal((4, 3, 2)).astype(dtype)
    a64 = a.astype(np.float64)
    tol = 3e-3 if dtype == np.float16 else 1e-5
    for axes in ([0], [0, 1], [-1]):
        mean, var = tf.nn.moments(a, axes)
        assert mean.dtype == tf.as_dtype(dtype)
        m, v = run([mean, var])
        np.testing.assert_allclose(m, a64.mean(tuple(axes)), rtol=tol, atol=tol)
        np.testing.assert_allclose(v, a64.var(tuple(axes)), rtol=tol, atol=tol)
        mk, vk = run(tf.nn.moments(a, axes, keep_dims=True))
        assert mk.shape == a64.mean(tuple(axes), keepdims=True).shape
        np.testing.assert_allclose(vk, a64.var(tuple(axes), keepdims=True), rtol=tol, atol=tol)
