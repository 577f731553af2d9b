"""Unary math and activation ops against numpy: values, dtypes (float16 computed in float32),
scalars and empty tensors, static shapes and dtype errors."""
import math

import numpy as np
import pytest

import graphrt as tf

FLOATS = [np.float16, np.float32, np.float64]
SHAPES = [(), (0,), (7,), (3, 4)]


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# name -> (graphrt fn, numpy reference in float64, input sampler)
UNARY = {
    "Expm1": (tf.expm1, np.expm1, lambda r, s: r.uniform(-3, 3, s)),
    "Log1p": (tf.log1p, np.log1p, lambda r, s: r.uniform(-0.9, 5, s)),
    "Tan": (tf.tan, np.tan, lambda r, s: r.uniform(-1.4, 1.4, s)),
    "Asin": (tf.asin, np.arcsin, lambda r, s: r.uniform(-1, 1, s)),
    "Acos": (tf.acos, np.arccos, lambda r, s: r.uniform(-1, 1, s)),
    "Atan": (tf.atan, np.arctan, lambda r, s: r.uniform(-10, 10, s)),
    "Sinh": (tf.sinh, np.sinh, lambda r, s: r.uniform(-4, 4, s)),
    "Cosh": (tf.cosh, np.cosh, lambda r, s: r.uniform(-4, 4, s)),
    "Relu6": (tf.nn.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), lambda r, s: r.uniform(-3, 9, s)),
    "Elu": (tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x)), lambda r, s: r.uniform(-4, 4, s)),
    "Selu": (tf.nn.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)), lambda r, s: r.uniform(-4, 4, s)),
    "Softplus": (tf.nn.softplus, lambda x: np.logaddexp(0, x), lambda r, s: r.uniform(-20, 20, s)),
    "Softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x)), lambda r, s: r.uniform(-5, 5, s)),
    # alpha is a float32 attr, as in TF: float64 inputs are scaled by float32(0.2).
    "LeakyRelu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, float(np.float32(0.2)) * x), lambda r, s: r.uniform(-5, 5, s)),
    "Floor": (tf.floor, np.floor, lambda r, s: r.uniform(-5, 5, s)),
    "Ceil": (tf.ceil, np.ceil, lambda r, s: r.uniform(-5, 5, s)),
    "Sign": (tf.sign, np.sign, lambda r, s: r.uniform(-5, 5, s)),
    "Round": (tf.round, np.round, lambda r, s: r.uniform(-5, 5, s)),
    "Rint": (tf.rint, np.rint, lambda r, s: r.uniform(-5, 5, s)),
    "Erf": (tf.erf, _erf, lambda r, s: r.uniform(-3, 3, s)),
    "Erfc": (tf.math.erfc, _erfc, lambda r, s: r.uniform(-3, 3, s)),
    "Lgamma": (tf.lgamma, _lgamma, lambda r, s: r.uniform(0.1, 8, s)),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary_matches_numpy(op, dtype, shape):
    fn, ref, sample = UNARY[op]
    rng = np.random.default_rng(len(op))
    a = np.asarray(sample(rng, shape)).astype(dtype)
    x = tf.placeholder(tf.as_dtype(dtype), shape=shape)
    out = fn(x)
    assert out.op.type == op
    assert out.dtype == tf.as_dtype(dtype)
    assert out.shape.as_list() == list(shape)
    got = run(out, {x: a})
    assert got.dtype == dtype and got.shape == shape
    want = ref(a.astype(np.float64))
    if dtype == np.float16:
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=2e-3, atol=2e-3)
    elif dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_round_is_bankers_rounding():
    a = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 3.5000001], dtype=np.float64)
    np.testing.assert_array_equal(run(tf.round(a)), np.round(a))
    np.testing.assert_array_equal(run(tf.rint(a)), np.rint(a))
    np.testing.assert_array_equal(run(tf.round(a.astype(np.float32))), [0, 2, 2, -0.0, -2, -2, 2, 4])


ROUNDING = {"Floor": (tf.floor, np.floor), "Ceil": (tf.ceil, np.ceil), "Round": (tf.round, np.round),
            "Rint": (tf.rint, np.rint), "Sign": (tf.sign, np.sign)}


def _rounding_special_values(dtype):
    big = 2.0 ** 23 if dtype == np.float32 else 2.0 ** 52  # from here on every value is an integer
    fi = np.finfo(dtype)
    vals = [-3.0, -2.0, -1.0, 0.0, -0.0, 1.0, 2.0, 3.0, 100.0, -100.0,  # exact integers, both zeros
            0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5, 4.5, -4.5,  # half-way
            0.25, -0.25, 0.75, -0.75, 2.25, -2.25, 2.75, -2.75, 0.49, -0.49, 0.51, -0.51,
            np.nextafter(dtype(0.5), dtype(0)), -np.nextafter(dtype(0.5), dtype(0)),  # just under a half
            np.nextafter(dtype(1), dtype(2)), -np.nextafter(dtype(1), dtype(2)),
            big - 0.5, -(big - 0.5), big - 1.5, -(big - 1.5), big, -big, big + 1.0, -(big + 1.0),
            fi.max, -fi.max, fi.tiny, -fi.tiny, fi.smallest_subnormal, -fi.smallest_subnormal,
            np.nan, -np.nan, np.inf, -np.inf]
    return np.array(vals, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", sorted(ROUNDING))
def test_rounding_ops_special_values(op, dtype):
    fn, ref = ROUNDING[op]
    a = _rounding_special_values(dtype)
    out = fn(tf.placeholder(tf.as_dtype(dtype), [None]))
    assert out.op.type == op
    got = run(out, {out.op.inputs[0]: a})
    want = ref(a)
    assert got.dtype == dtype and got.shape == a.shape
    np.testing.assert_array_equal(got, want)  # NaN where numpy has NaN
    zeros = want == 0
    np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]), err_msg="sign of zero")
    # the same from a constant (a graph-time value), and as a scalar
    np.testing.assert_array_equal(run(fn(tf.constant(a))), want)
    for v, w in zip(a[[2, 4, 12, -4]], want[[2, 4, 12, -4]]):
        np.testing.assert_array_equal(run(fn(v)), w)


def test_sign_of_nan_is_nan_and_of_zeros_is_plus_zero():
    # TensorFlow 2.21's Sign (tf.compat.v1 included): NaN stays NaN (TF 1.x documented 0), -0 gives +0.
    got = run(tf.sign(np.array([np.nan, -np.nan, -0.0, 0.0, -np.inf, np.inf, 1e-300, -1e-300])))
    np.testing.assert_array_equal(got, [np.nan, np.nan, 0, 0, -1, 1, 1, -1])
    assert not np.any(np.signbit(got[2:4]))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_sign_integers(dtype):
    info = np.iinfo(dtype)
    a = np.array([info.min, -7, -1, 0, 1, 7, info.max], dtype=dtype)
    got = run(tf.sign(a))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, np.sign(a))


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_round_integers_pass_through(dtype):
    a = np.array([-3, 0, 7], dtype=dtype)
    got = run(tf.round(a))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, a)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_relu6_integers(dtype):
    a = np.array([0, 3, 6, 9, 200] if dtype == np.uint8 else [-5, 0, 3, 6, 9], dtype=dtype)
    np.testing.assert_array_equal(run(tf.nn.relu6(a)), np.clip(a, 0, 6))


@pytest.mark.parametrize("dtype", FLOATS)
def test_nan_inf_predicates(dtype):
    a = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 3.0], dtype=dtype)
    for fn, ref in ((tf.is_nan, np.isnan), (tf.is_inf, np.isinf), (tf.is_finite, np.isfinite),
                    (tf.math.is_nan, np.isnan)):
        out = fn(a)
        assert out.dtype == tf.bool
        got = run(out)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got, ref(a))
    empty = tf.placeholder(tf.as_dtype(dtype), shape=[None, 2])
    assert tf.is_nan(empty).shape.as_list() == [None, 2]
    assert run(tf.is_finite(empty), {empty: np.zeros((0, 2), dtype)}).shape == (0, 2)


def test_leaky_relu_alpha_and_integer_input():
    a = np.array([-2.0, -0.5, 0.0, 3.0], dtype=np.float32)
    out = tf.nn.leaky_relu(a, alpha=0.01)
    assert out.op.get_attr("alpha") == pytest.approx(0.01)
    np.testing.assert_allclose(run(out), np.where(a > 0, a, 0.01 * a), rtol=1e-6)
    ints = tf.nn.leaky_relu(np.array([-10, 10], dtype=np.int32))
    assert ints.dtype == tf.float32
    np.testing.assert_allclose(run(ints), [-2.0, 10.0])


def test_softplus_does_not_overflow():
    a = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=np.float32)
    got = run(tf.nn.softplus(a))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, np.logaddexp(0, a.astype(np.float64)), rtol=1e-6, atol=1e-40)
    assert run(tf.math.softplus(np.float64(800.0))) == 800.0


def test_log_sigmoid():
    a = np.array([-50.0, -1.0, 0.0, 2.0, 50.0])
    np.testing.assert_allclose(run(tf.log_sigmoid(a)), -np.logaddexp(0, -a), rtol=1e-12)


def test_special_values():
    np.testing.assert_array_equal(run(tf.log1p(np.array([-1.0, np.inf]))), [-np.inf, np.inf])
    assert np.isnan(run(tf.asin(np.float32(2.0))))
    np.testing.assert_array_equal(run(tf.lgamma(np.array([1.0, 2.0]))), [0.0, 0.0])
    assert run(tf.lgamma(np.float64(0.0))) == np.inf
    np.testing.assert_allclose(run(tf.lgamma(np.array([-0.5]))), [math.lgamma(-0.5)])


def test_float_only_ops_reject_integers_at_build_time():
    for fn in (tf.expm1, tf.log1p, tf.erf, tf.is_nan, tf.nn.elu, tf.nn.softplus, tf.rint):
        with pytest.raises(TypeError):
            fn(np.array([1, 2], dtype=np.int32))


def test_no_kernel_for_integer_graph_op_is_invalid_argument():
    g = tf.get_default_graph()
    x = tf.constant([1, 2], dtype=tf.int32)
    op = g.create_op("Expm1", [x], attrs={"T": tf.int32}).outputs[0]
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(op)


def test_names_and_tf_math_namespace():
    x = tf.constant([1.0])
    assert tf.expm1(x, name="e").op.name == "e"
    assert tf.math.expm1 is tf.expm1 and tf.math.lgamma is tf.lgamma and tf.math.is_inf is tf.is_inf
    assert tf.math.softsign is tf.nn.softsign and tf.math.softplus is tf.nn.softplus
    for name in ("relu6", "elu", "selu", "softplus", "softsign", "leaky_relu", "bias_add", "moments"):
        assert hasattr(tf.nn, name)
