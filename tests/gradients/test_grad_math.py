"""Finite-difference checks of the math-family gradients (float64)."""
import numpy as np
import pytest

import graphrt as tf
from gradient_checker import check_gradients, rand


UNARY = [
    ("Neg", tf.negative, -1, 1),
    ("Abs", tf.abs, 0.1, 1),
    ("Square", tf.square, -1, 1),
    ("Sqrt", tf.sqrt, 0.2, 2),
    ("Rsqrt", tf.math.rsqrt if hasattr(tf.math, "rsqrt") else tf.rsqrt, 0.3, 2),
    ("Exp", tf.exp, -1, 1),
    ("Expm1", tf.math.expm1, -1, 1),
    ("Log", tf.log, 0.2, 2),
    ("Log1p", tf.math.log1p, -0.5, 1),
    ("Reciprocal", tf.math.reciprocal, 0.3, 2),
    ("Tanh", tf.tanh, -2, 2),
    ("Sigmoid", tf.sigmoid, -2, 2),
    ("Sin", tf.sin, -2, 2),
    ("Cos", tf.cos, -2, 2),
    ("Tan", tf.math.tan, -1, 1),
    ("Asin", tf.math.asin, -0.8, 0.8),
    ("Acos", tf.math.acos, -0.8, 0.8),
    ("Atan", tf.math.atan, -2, 2),
    ("Sinh", tf.math.sinh, -1, 1),
    ("Cosh", tf.math.cosh, -1, 1),
    ("Erf", tf.math.erf, -1.5, 1.5),
    ("Erfc", tf.math.erfc, -1.5, 1.5),
    ("Softplus", tf.nn.softplus, -2, 2),
    ("Softsign", tf.nn.softsign, -2, 2),
    ("Relu", tf.nn.relu, 0.05, 1),
    ("ReluNeg", tf.nn.relu, -1, -0.05),
    ("Relu6", tf.nn.relu6, 0.1, 5.9),
    ("Elu", tf.nn.elu, -2, 2),
    ("Selu", tf.nn.selu, -2, 2),
    ("LeakyRelu", lambda x: tf.nn.leaky_relu(x, alpha=0.3), -2, 2),
    ("Identity", tf.identity, -1, 1),
]


def _away_from_zero(a, eps=0.05):
    return np.where(np.abs(a) < eps, np.sign(a + 1e-12) * eps, a)


@pytest.mark.parametrize("name,fn,lo,hi", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, fn, lo, hi):
    x = rand(2, 3, lo=lo, hi=hi, seed=1)
    if name in ("Abs", "Relu", "Elu", "Selu", "LeakyRelu"):
        x = _away_from_zero(x)
    check_gradients(fn, [x])


def test_unary_scalar_and_empty():
    check_gradients(tf.tanh, [np.array(0.3)])
    check_gradients(tf.exp, [np.zeros((0, 3))])


def test_piecewise_constant_unary_have_zero_or_no_gradient():
    x = tf.placeholder(tf.float64, [3])
    assert tf.gradients(tf.floor(x), x) == [None]
    assert tf.gradients(tf.round(x), x) == [None]
    g = tf.gradients(tf.sign(x), x)[0]
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(g, {x: [1.0, -2.0, 0.0]}), [0, 0, 0])


BIN_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((3, 1, 2), (2,))]

BINARY = [
    ("Add", tf.add, None),
    ("AddV2", lambda a, b: a + b, None),
    ("Sub", tf.subtract, None),
    ("Mul", tf.multiply, None),
    ("RealDiv", tf.realdiv, "pos"),
    ("Div", tf.div, "pos"),
    ("Pow", tf.pow, "pos"),
    ("SquaredDifference", tf.squared_difference, None),
    ("Maximum", tf.maximum, None),
    ("Minimum", tf.minimum, None),
    ("Atan2", tf.math.atan2, None),
    ("DivNoNan", tf.div_no_nan, "pos"),
]


@pytest.mark.parametrize("sa,sb", BIN_SHAPES)
@pytest.mark.parametrize("name,fn,domain", BINARY, ids=[b[0] for b in BINARY])
def test_binary_broadcast(name, fn, domain, sa, sb):
    lo, hi = (0.5, 2.0) if domain == "pos" else (-1.0, 1.0)
    a = rand(*sa, lo=lo, hi=hi, seed=2)
    b = rand(*sb, lo=lo, hi=hi, seed=3)
    if name in ("Maximum", "Minimum"):
        b = b + 0.05  # no ties
    check_gradients(fn, [a, b])


@pytest.mark.parametrize("sa,sb", [((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((3, 1, 2), (2,))])
def test_binary_broadcast_unknown_shapes(sa, sb):
    a = rand(*sa, seed=4)
    b = rand(*sb, seed=5)
    check_gradients(lambda x, y: x * y + x, [a, b], static_shapes=False)


def test_broadcast_partially_known_batch_dim():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [None, 3])
        b = tf.placeholder(tf.float64, [3])
        c = tf.placeholder(tf.float64, [None, 1])
        y = tf.reduce_sum((x + b) * c)
        gx, gb, gc = tf.gradients(y, [x, b, c])
        assert gb.shape.as_list() == [3] and gc.shape.as_list() == [None, 1]
        xv, bv, cv = rand(4, 3), rand(3, seed=1), rand(4, 1, seed=2)
        with tf.Session() as s:
            rx, rb, rc = s.run([gx, gb, gc], {x: xv, b: bv, c: cv})
    np.testing.assert_allclose(rx, np.broadcast_to(cv, (4, 3)))
    np.testing.assert_allclose(rb, cv.sum() * np.ones(3))
    np.testing.assert_allclose(rc, (xv + bv).sum(1, keepdims=True))


def test_floor_mod_and_floor_div():
    a, b = rand(2, 3, lo=1, hi=3, seed=6), rand(2, 3, lo=0.7, hi=1.3, seed=7)
    check_gradients(tf.floormod, [a, b])
    check_gradients(tf.truncatemod, [np.array([2.5, -2.5, 1.7]), np.array([0.7, 0.7, -1.1])])
    x = tf.placeholder(tf.float64, [2])
    assert tf.gradients(tf.floordiv(x, 2.0), x) == [None]


def test_cast_and_addn():
    check_gradients(lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64) * 2.0, [rand(3)], delta=1e-2,
                    rtol=1e-4, atol=1e-4)
    check_gradients(lambda x, y: tf.add_n([x, y, x * y]), [rand(2, 2), rand(2, 2, seed=1)])
    x = tf.placeholder(tf.float32, [3])
    assert tf.gradients(tf.cast(tf.cast(x, tf.int32), tf.float32), x) == [None]


def test_select_and_where_v2():
    c = np.array([[True, False, True], [False, True, True]])
    check_gradients(lambda x, y: tf.where(tf.constant(c), x, y), [rand(2, 3), rand(2, 3, seed=1)])
    check_gradients(lambda x, y: tf.where(tf.constant([True, False]), x, y), [rand(2, 3), rand(2, 3, seed=1)])
    check_gradients(lambda x, y: tf.where_v2(tf.constant([True, False, True]), x, y), [rand(2, 3), rand(1, seed=1)])


def test_clip_by_value():
    x = np.array([[-2.0, -0.5, 0.3], [0.9, 1.7, 0.1]])
    check_gradients(lambda t, lo, hi: tf.clip_by_value(t, lo, hi), [x, np.array(-1.0), np.array(1.0)])
    check_gradients(lambda t, lo: tf.clip_by_value(t, lo, 1.0), [x, np.array([-1.0, 0.0, 0.5])])


@pytest.mark.parametrize("axis,keep", [(None, False), (0, False), (1, True), ([0, 2], False), (-1, False)])
def test_reductions(axis, keep):
    x = rand(2, 3, 4, seed=8)
    for red in (tf.reduce_sum, tf.reduce_mean, tf.reduce_prod):
        check_gradients(lambda t: red(t, axis, keepdims=keep), [x])
    for red in (tf.reduce_max, tf.reduce_min):
        check_gradients(lambda t: red(t, axis, keepdims=keep), [x])


def test_reductions_unknown_shape():
    x = rand(2, 3, seed=9)
    check_gradients(lambda t: tf.reduce_sum(t, 1), [x], static_shapes=False)
    check_gradients(lambda t: tf.reduce_mean(t, 0), [x], static_shapes=False)
    check_gradients(lambda t: tf.reduce_max(t, 1, keepdims=True), [x], static_shapes=False)
    check_gradients(lambda t: tf.reduce_sum(t), [x], static_shapes=False)


def test_max_ties_split():
    x = tf.placeholder(tf.float64, [2, 3])
    g = tf.gradients(tf.reduce_max(x, 1), x)[0]
    with tf.Session() as s:
        r = s.run(g, {x: [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]})
    np.testing.assert_allclose(r, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_prod_with_zero():
    x = np.array([[1.5, 0.0, 2.0], [0.5, -1.0, 3.0]])
    check_gradients(lambda t: tf.reduce_prod(t, 1), [x])


def test_cumsum_cumprod():
    x = rand(2, 4, lo=0.5, hi=1.5, seed=10)
    for excl in (False, True):
        for rev in (False, True):
            check_gradients(lambda t: tf.cumsum(t, 1, exclusive=excl, reverse=rev), [x])
            check_gradients(lambda t: tf.cumprod(t, 1, exclusive=excl, reverse=rev), [x])


def test_float32_gradients():
    x = tf.placeholder(tf.float32, [3])
    g = tf.gradients(tf.reduce_sum(tf.square(x) * tf.sigmoid(x)), x)[0]
    assert g.dtype == tf.float32
    xv = np.array([0.5, -1.0, 2.0], np.float32)
    with tf.Session() as s:
        r = s.run(g, {x: xv})
    sg = 1 / (1 + np.exp(-xv))
    np.testing.assert_allclose(r, 2 * xv * sg + xv ** 2 * sg * (1 - sg), rtol=1e-5)


def test_float16_gradient():
    x = tf.placeholder(tf.float16, [3])
    g = tf.gradients(tf.reduce_sum(x * x), x)[0]
    assert g.dtype == tf.float16
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: np.array([1, 2, 3], np.float16)}), [2, 4, 6])
