"""Broadcasting binary ops (DivNoNan, TruncateDiv, TruncateMod, Atan2), BiasAdd, Select/SelectV2
(tf.where / tf.where_v2) and ClipByValue against numpy, with static and run-time errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graphrt as tf


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _np_truncatediv(a, b):
    if np.issubdtype(a.dtype, np.integer):
        q = np.abs(a) // np.abs(b)
        return (np.sign(a) * np.sign(b) * q).astype(a.dtype)
    return np.trunc(a / b)


BINARY = {
    "DivNoNan": (tf.div_no_nan, lambda a, b: np.where(b == 0, 0, a / np.where(b == 0, 1, b)).astype(a.dtype)),
    "TruncateDiv": (tf.truncatediv, _np_truncatediv),
    "TruncateMod": (tf.truncatemod, np.fmod),
    "Atan2": (tf.atan2, np.arctan2),
}
TYPES = {
    "DivNoNan": [np.float16, np.float32, np.float64],
    "TruncateDiv": [np.float32, np.float64, np.int32, np.int64],
    "TruncateMod": [np.float32, np.float64, np.int32, np.int64],
    "Atan2": [np.float16, np.float32, np.float64],
}


def _values(dtype, shape, rng, nonzero=False):
    if np.issubdtype(dtype, np.floating):
        v = rng.uniform(-5, 5, shape)
        if nonzero:
            v = np.where(np.abs(v) < 0.5, 1.5, v)
        return v.astype(dtype)
    v = rng.integers(-20, 21, size=shape)
    if nonzero:
        v = np.where(v == 0, 3, v)
    return v.astype(dtype)


def _check(got, want, dtype):
    assert got.dtype == dtype
    if dtype == np.float16:
        np.testing.assert_allclose(got.astype(np.float32), want.astype(np.float32), rtol=2e-3, atol=2e-3)
    elif np.issubdtype(dtype, np.floating):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shapes", [((), ()), ((0,), (0,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                                    ((), (4,)), ((3, 1, 2), (4, 1)), ((0, 3), (1, 3))])
@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_matches_numpy(op, shapes):
    fn, ref = BINARY[op]
    for dtype in TYPES[op]:
        rng = np.random.default_rng(3)
        a = _values(dtype, shapes[0], rng)
        b = _values(dtype, shapes[1], rng, nonzero=op != "DivNoNan")
        x = tf.placeholder(tf.as_dtype(dtype))
        y = tf.placeholder(tf.as_dtype(dtype))
        out = fn(x, y)
        assert out.op.type == op
        want = ref(a.astype(np.float64) if dtype == np.float16 else a, b.astype(np.float64) if dtype == np.float16 else b)
        _check(run(out, {x: a, y: b}), np.asarray(want), dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_div_no_nan_zero_denominator(dtype):
    a = np.array([1.0, 0.0, -3.0, np.inf, 4.0], dtype=dtype)
    b = np.array([0.0, 0.0, 0.0, 0.0, 2.0], dtype=dtype)
    got = run(tf.div_no_nan(a, b))
    np.testing.assert_array_equal(got, np.array([0, 0, 0, 0, 2], dtype=dtype))
    assert tf.math.divide_no_nan is tf.div_no_nan


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_truncate_div_mod_signs(dtype):
    a = np.array([7, -7, 7, -7, 0], dtype=dtype)
    b = np.array([2, 2, -2, -2, 5], dtype=dtype)
    np.testing.assert_array_equal(run(tf.truncatediv(a, b)), [3, -3, -3, 3, 0])
    np.testing.assert_array_equal(run(tf.truncatemod(a, b)), [1, -1, 1, -1, 0])
    lo = np.iinfo(dtype).min
    # INT_MIN / -1 must not trap.
    np.testing.assert_array_equal(run(tf.truncatediv(np.array([lo], dtype), np.array([-1], dtype))), [lo])
    np.testing.assert_array_equal(run(tf.truncatemod(np.array([lo], dtype), np.array([-1], dtype))), [0])


@pytest.mark.parametrize("fn", [tf.truncatediv, tf.truncatemod])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_division_by_zero_is_invalid_argument(fn, dtype):
    x = tf.placeholder(tf.as_dtype(dtype))
    y = tf.placeholder(tf.as_dtype(dtype))
    with pytest.raises(tf.errors.InvalidArgumentError, match="division by zero"):
        run(fn(x, y), {x: np.array([1, 2], dtype), y: np.array([1, 0], dtype)})


def test_binary_static_and_runtime_shape_errors():
    with pytest.raises(ValueError):
        tf.atan2(tf.zeros([2, 3]), tf.zeros([4]))
    x = tf.placeholder(tf.float32)
    y = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.div_no_nan(x, y), {x: np.zeros((2, 3), np.float32), y: np.ones((4,), np.float32)})
    with pytest.raises(TypeError):
        tf.atan2(np.array([1, 2], np.int32), np.array([1, 2], np.int32))
    assert tf.truncatemod(tf.placeholder(tf.float32, [None, 3]), tf.zeros([5, 1, 1])).shape.as_list() == [5, None, 3]


def test_atan2_quadrants():
    y = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 0.0])
    x = np.array([1.0, -1.0, -1.0, 1.0, -1.0, 0.0])
    np.testing.assert_allclose(run(tf.atan2(y, x)), np.arctan2(y, x), rtol=1e-15)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_property_broadcasting_binary_vs_numpy(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
    op = data.draw(st.sampled_from(sorted(BINARY)))
    dtype = data.draw(st.sampled_from([d for d in TYPES[op] if d != np.float16]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    a = _values(dtype, shapes.input_shapes[0], rng)
    b = _values(dtype, shapes.input_shapes[1], rng, nonzero=True)
    fn, ref = BINARY[op]
    out = fn(tf.constant(a), tf.constant(b))
    assert out.shape.as_list() == list(shapes.result_shape)
    got = run(out)
    assert got.shape == shapes.result_shape
    _check(got, np.asarray(ref(a, b)), dtype)


# ---- BiasAdd --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 3, 2, 4), (2, 2, 3, 2, 4), (0, 4)])
def test_bias_add_nhwc(shape, dtype):
    rng = np.random.default_rng(4)
    v = _values(dtype, shape, rng)
    b = _values(dtype, (shape[-1],), rng)
    out = tf.nn.bias_add(v, b)
    assert out.op.type == "BiasAdd" and out.shape.as_list() == list(shape)
    _check(run(out), (v.astype(np.float32) + b.astype(np.float32)).astype(dtype) if dtype == np.float16 else v + b,
           dtype)


@pytest.mark.parametrize("shape", [(3, 4), (2, 4, 3), (2, 4, 3, 2), (2, 4, 1, 2, 3)])
def test_bias_add_nchw(shape):
    rng = np.random.default_rng(5)
    v = rng.standard_normal(shape).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    out = tf.nn.bias_add(v, b, data_format="NCHW")
    want = v + b.reshape((1, 4) + (1,) * (len(shape) - 2))
    np.testing.assert_allclose(run(out), want, rtol=1e-6)


def test_bias_add_errors():
    with pytest.raises(ValueError):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))
    with pytest.raises(ValueError):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([1, 3]))
    with pytest.raises(ValueError):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3]), data_format="NWHC")
    assert tf.nn.bias_add(tf.placeholder(tf.float32, [None, None]), tf.zeros([3])).shape.as_list() == [None, 3]
    v = tf.placeholder(tf.float32)
    b = tf.placeholder(tf.float32)
    out = tf.nn.bias_add(v, b)
    for vv, bb in (((2, 3), (4,)), ((3,), (3,)), ((2, 3), (1, 3))):
        with pytest.raises(tf.errors.InvalidArgumentError):
            run(out, {v: np.zeros(vv, np.float32), b: np.zeros(bb, np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.nn.bias_add(v, b, data_format="NCHW"), {v: np.zeros((2, 3, 4), np.float32), b: np.zeros(4, np.float32)})


# ---- Select / SelectV2 ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_])
def test_where_same_shape_and_vector_condition(dtype):
    rng = np.random.default_rng(6)
    x = rng.integers(0, 2, (3, 4)).astype(dtype)
    y = rng.integers(2, 5, (3, 4)).astype(dtype)
    cond = rng.integers(0, 2, (3, 4)).astype(bool)
    out = tf.where(cond, x, y)
    assert out.op.type == "Select" and out.dtype == tf.as_dtype(dtype)
    np.testing.assert_array_equal(run(out), np.where(cond, x, y))
    vec = np.array([True, False, True])
    np.testing.assert_array_equal(run(tf.where(vec, x, y)), np.where(vec[:, None], x, y))
    np.testing.assert_array_equal(run(tf.where(np.bool_(False), x, y)), y)
    empty = np.zeros((0, 2), dtype)
    assert run(tf.where(np.zeros((0, 2), bool), empty, empty)).shape == (0, 2)


def test_where_strings():
    out = tf.where([True, False], tf.constant(["a", "b"]), tf.constant(["c", "d"]))
    np.testing.assert_array_equal(run(out), np.array([b"a", b"d"], dtype=object))


def test_select_errors():
    with pytest.raises(ValueError):
        tf.where(tf.zeros([3], tf.bool), tf.zeros([3, 2]), tf.zeros([3, 3]))
    with pytest.raises(ValueError):
        tf.where(tf.zeros([4], tf.bool), tf.zeros([3, 2]), tf.zeros([3, 2]))
    with pytest.raises(ValueError):
        tf.where(tf.zeros([3, 1], tf.bool), tf.zeros([3, 2]), tf.zeros([3, 2]))
    with pytest.raises(ValueError):
        tf.where(tf.zeros([3], tf.bool), tf.zeros([3]))
    with pytest.raises(TypeError):
        tf.where(tf.zeros([3], tf.bool), tf.zeros([3]), tf.zeros([3], tf.int32))
    c = tf.placeholder(tf.bool)
    x = tf.placeholder(tf.float32)
    y = tf.placeholder(tf.float32)
    out = tf.where(c, x, y)
    for cs, xs, ys in (((3,), (3, 2), (3, 3)), ((4,), (3, 2), (3, 2)), ((3, 1), (3, 2), (3, 2)), ((2,), (), ())):
        with pytest.raises(tf.errors.InvalidArgumentError):
            run(out, {c: np.zeros(cs, bool), x: np.zeros(xs, np.float32), y: np.zeros(ys, np.float32)})
    assert tf.where(tf.placeholder(tf.bool, [5]), tf.placeholder(tf.float32, [None, 2]),
                    tf.placeholder(tf.float32, [None, None])).shape.as_list() == [5, 2]


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_where_v2_broadcasts(dtype):
    rng = np.random.default_rng(7)
    cond = rng.integers(0, 2, (3, 1)).astype(bool)
    x = rng.integers(0, 9, (1, 4)).astype(dtype)
    y = rng.integers(0, 9, (2, 1, 1)).astype(dtype)
    out = tf.where_v2(cond, x, y)
    assert out.op.type == "SelectV2" and out.shape.as_list() == [2, 3, 4]
    np.testing.assert_array_equal(run(out), np.where(cond, x, y))
    with pytest.raises(ValueError):
        tf.where_v2(tf.zeros([3], tf.bool), tf.zeros([2]), tf.zeros([3]))
    c = tf.placeholder(tf.bool)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.where_v2(c, x, y), {c: np.zeros((5,), bool)})


# ---- ClipByValue ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64])
def test_clip_by_value(dtype):
    rng = np.random.default_rng(8)
    t = _values(dtype, (3, 4), rng)
    got = run(tf.clip_by_value(t, -2, 3))
    _check(got, np.clip(t, -2, 3), dtype)
    lo = _values(dtype, (4,), rng) - 1
    hi = lo + 2
    out = tf.clip_by_value(tf.constant(t), tf.constant(lo), tf.constant(hi))
    assert out.op.type == "ClipByValue" and out.shape.as_list() == [3, 4]
    _check(run(out), np.maximum(np.minimum(t, hi), lo), dtype)
    assert run(tf.clip_by_value(np.zeros((0, 4), dtype), 0, 1)).shape == (0, 4)


def test_clip_by_value_nan_and_errors():
    t = np.array([np.nan, -5.0, 5.0], np.float32)
    got = run(tf.clip_by_value(t, -1.0, 1.0))
    assert np.isnan(got[0]) and list(got[1:]) == [-1.0, 1.0]
    with pytest.raises(ValueError):
        tf.clip_by_value(tf.zeros([3]), tf.zeros([2, 3]), 1.0)
    with pytest.raises(ValueError):
        tf.clip_by_value(tf.zeros([3]), tf.zeros([4]), 1.0)
    t_ph = tf.placeholder(tf.float32)
    lo_ph = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.clip_by_value(t_ph, lo_ph, 1.0), {t_ph: np.zeros(3, np.float32), lo_ph: np.zeros(4, np.float32)})


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_property_three_way_broadcast_vs_numpy(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=4, max_side=3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    cond = rng.integers(0, 2, shapes.input_shapes[0]).astype(bool)
    x = rng.standard_normal(shapes.input_shapes[1])
    y = rng.standard_normal(shapes.input_shapes[2])
    got = run(tf.where_v2(cond, x, y))
    np.testing.assert_array_equal(got, np.where(cond, x, y))
    t = rng.standard_normal(shapes.result_shape)
    lo = -np.abs(x)
    hi = np.abs(y)
    np.testing.assert_array_equal(run(tf.clip_by_value(t, lo, hi)), np.maximum(np.minimum(t, hi), lo))
