"""Softmax family, cross entropies, l2_loss, in_top_k, fused_batch_norm and LRN against numpy."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf

FLOATS = [np.float32, np.float64, np.float16]


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def tol(dtype):
    return {np.float16: 2e-3, np.float32: 1e-5, np.float64: 1e-12}[dtype]


def softmax_ref(x, axis=-1):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True, initial=-np.inf))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_ref(x, axis=-1):
    x = x.astype(np.float64)
    m = x.max(axis=axis, keepdims=True, initial=-np.inf)
    with np.errstate(divide="ignore"):
        return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,axis", [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -3),
                                        ((2, 0, 3), -1), ((0,), 0), ((300, 200), -1), ((200, 30, 20), 1)])
def test_softmax_and_log_softmax(shape, axis, dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    p = tf.placeholder(tf.as_dtype(dtype), shape)
    s, ls = tf.nn.softmax(p, axis=axis), tf.nn.log_softmax(p, axis=axis)
    assert s.op.type == "Softmax" and ls.op.type == "LogSoftmax"
    assert s.shape.as_list() == list(shape)
    got_s, got_ls = run([s, ls], {p: x})
    assert got_s.dtype == dtype and got_ls.dtype == dtype
    np.testing.assert_allclose(got_s.astype(np.float64), softmax_ref(x, axis), rtol=tol(dtype), atol=tol(dtype))
    np.testing.assert_allclose(got_ls.astype(np.float64), log_softmax_ref(x, axis), rtol=tol(dtype),
                               atol=tol(dtype) * 10)


def test_softmax_large_logits_dim_alias_and_errors():
    x = np.array([[1000.0, 1000.0, -1000.0]], np.float32)
    np.testing.assert_allclose(run(tf.nn.softmax(x)), [[0.5, 0.5, 0.0]])
    np.testing.assert_allclose(run(tf.nn.log_softmax(x))[0, :2], [np.log(0.5)] * 2, rtol=1e-6)
    np.testing.assert_allclose(run(tf.nn.softmax(x, dim=0)), np.ones((1, 3)))
    with pytest.raises(ValueError):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.softmax(tf.zeros([2, 3]), axis=2)
    with pytest.raises(TypeError):
        tf.nn.softmax(tf.constant([1, 2]))
    p = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.nn.softmax(p), {p: np.float32(1.0)})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.nn.softmax(p, axis=3), {p: np.zeros((2, 2), np.float32)})


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.floats(-50, 50))
def test_softmax_rows_sum_to_one(rows, cols, shift):
    x = np.random.default_rng(rows * 7 + cols).standard_normal((rows, cols)) + shift
    got = run(tf.nn.softmax(x))
    np.testing.assert_allclose(got.sum(-1), np.ones(rows), rtol=1e-12)
    assert (got >= 0).all()


def xent_ref(labels, logits, axis=-1):
    return -(labels.astype(np.float64) * log_softmax_ref(logits, axis)).sum(axis=axis)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4, 5), (1, 1), (0, 3), (2, 3, 4), (256, 100)])
def test_softmax_cross_entropy(shape, dtype):
    rng = np.random.default_rng(1)
    logits = (rng.standard_normal(shape) * 2).astype(dtype)
    labels = softmax_ref(rng.standard_normal(shape)).astype(dtype)
    for fn in (tf.nn.softmax_cross_entropy_with_logits, tf.nn.softmax_cross_entropy_with_logits_v2):
        loss = fn(labels=labels, logits=logits)
        assert loss.shape.as_list() == list(shape[:-1])
        got = run(loss)
        assert got.dtype == dtype
        np.testing.assert_allclose(got.astype(np.float64), xent_ref(labels, logits), rtol=tol(dtype) * 10,
                                   atol=tol(dtype) * 10)


def test_softmax_cross_entropy_op_outputs_and_broadcast():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((3, 4))
    labels = softmax_ref(rng.standard_normal((1, 4)))
    g = tf.get_default_graph()
    op = g.create_op("SoftmaxCrossEntropyWithLogits", [tf.constant(logits), tf.constant(labels)],
                     attrs={"T": tf.float64})
    assert op.outputs[1].shape.as_list() == [3, 4]
    loss, back = run(op.outputs)
    lb = np.broadcast_to(labels, (3, 4))
    np.testing.assert_allclose(loss, xent_ref(lb, logits), rtol=1e-12)
    np.testing.assert_allclose(back, softmax_ref(logits) - lb, rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_errors():
    with pytest.raises(ValueError):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3]), logits=tf.zeros([2, 4]))
    with pytest.raises(ValueError):
        tf.nn.softmax_cross_entropy_with_logits(tf.zeros([2, 3]), tf.zeros([2, 3]))  # positional sentinel
    # v2 takes labels and logits positionally
    np.testing.assert_allclose(run(tf.nn.softmax_cross_entropy_with_logits_v2([[0.0, 1.0]], [[0.0, 0.0]])), [np.log(2)])
    with pytest.raises(TypeError):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3], tf.float64), logits=tf.zeros([2, 3]))
    a, b = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.float32, [None, None])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=a, logits=b)
    with pytest.raises(tf.errors.InvalidArgumentError, match="broadcastable"):
        run(loss, {a: np.zeros((2, 3), np.float32), b: np.zeros((2, 4), np.float32)})


@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(5, 7), (0, 3), (2, 3, 4), (300, 50)])
def test_sparse_softmax_cross_entropy(shape, dtype, label_dtype):
    rng = np.random.default_rng(3)
    logits = (rng.standard_normal(shape) * 2).astype(dtype)
    labels = rng.integers(0, shape[-1], size=shape[:-1]).astype(label_dtype)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.shape.as_list() == list(shape[:-1])
    got = run(loss)
    assert got.dtype == dtype
    want = -np.take_along_axis(log_softmax_ref(logits), labels[..., None].astype(np.int64), -1)[..., 0]
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=tol(dtype) * 10, atol=tol(dtype) * 10)


def test_sparse_softmax_cross_entropy_backprop_and_errors():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    g = tf.get_default_graph()
    op = g.create_op("SparseSoftmaxCrossEntropyWithLogits", [tf.constant(logits), tf.constant([2, 0])],
                     attrs={"T": tf.float64, "Tlabels": tf.int32})
    _, back = run(op.outputs)
    np.testing.assert_allclose(back, softmax_ref(logits) - np.eye(3)[[2, 0]], rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3], tf.int32), logits=tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([4], tf.int32), logits=tf.zeros([2, 3]))
    with pytest.raises(TypeError):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([2, 3]))
    lab = tf.placeholder(tf.int32, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=tf.zeros([2, 3]))
    for bad in ([0, 3], [-1, 0]):
        with pytest.raises(tf.errors.InvalidArgumentError, match="valid range"):
            run(loss, {lab: np.array(bad, np.int32)})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(loss, {lab: np.array([0, 1, 2], np.int32)})


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_cross_entropy(dtype):
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.standard_normal(20) * 5, [-100.0, 100.0, 0.0]]).astype(dtype)
    z = rng.uniform(0, 1, x.shape).astype(dtype)
    got = run(tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x))
    xd, zd = x.astype(np.float64), z.astype(np.float64)
    want = np.maximum(xd, 0) - xd * zd + np.log1p(np.exp(-np.abs(xd)))
    assert got.dtype == dtype and np.isfinite(got).all()
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=tol(dtype) * 10, atol=tol(dtype) * 10)
    with pytest.raises(ValueError):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([3]))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 4, 5)])
def test_l2_loss(shape, dtype):
    x = np.random.default_rng(5).standard_normal(shape).astype(dtype)
    out = tf.nn.l2_loss(x)
    assert out.shape.as_list() == []
    got = run(out)
    assert got.dtype == dtype
    np.testing.assert_allclose(float(got), (x.astype(np.float64) ** 2).sum() / 2, rtol=tol(dtype) * 10)


@pytest.mark.parametrize("tdtype", [np.int32, np.int64])
def test_in_top_k(tdtype):
    pred = np.array([[0.1, 0.3, 0.2, 0.4], [0.5, 0.5, 0.1, 0.0], [0.1, np.nan, 0.3, 0.2], [1, 2, 3, 4]], np.float32)
    targets = np.array([1, 1, 2, 7], tdtype)
    for k, want in [(1, [False, True, False, False]), (2, [True, True, False, False]),
                    (0, [False, False, False, False]), (4, [True, True, False, False])]:
        out = tf.nn.in_top_k(pred, targets, k)
        assert out.dtype == tf.bool and out.shape.as_list() == [4]
        np.testing.assert_array_equal(run(out), want)
    rng = np.random.default_rng(6)
    p = rng.standard_normal((50, 10)).astype(np.float32)
    t = rng.integers(0, 10, 50).astype(tdtype)
    ranks = (p > p[np.arange(50), t][:, None]).sum(1)
    np.testing.assert_array_equal(run(tf.nn.in_top_k(p, t, 3)), ranks < 3)
    with pytest.raises(ValueError):
        tf.nn.in_top_k(tf.zeros([2, 3]), tf.zeros([3], tf.int32), 1)
    kp = tf.placeholder(tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.nn.in_top_k(tf.zeros([2, 3]), tf.zeros([2], tf.int32), kp), {kp: np.array([1, 2], np.int32)})


def bn_ref(x, scale, offset, mean, var, eps, axes):
    shp = [1] * 4
    c = 1 if axes == (0, 2, 3) else 3
    shp[c] = -1
    r = lambda v: np.asarray(v, np.float64).reshape(shp)  # noqa: E731
    return (x.astype(np.float64) - r(mean)) / np.sqrt(r(var) + eps) * r(scale) + r(offset)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 1, 1, 3), (8, 32, 32, 16)])
def test_fused_batch_norm_training(shape, dtype, data_format):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    if data_format == "NCHW":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    axes = (0, 2, 3) if data_format == "NCHW" else (0, 1, 2)
    c = x.shape[1] if data_format == "NCHW" else x.shape[3]
    udt = np.float64 if dtype == np.float64 else np.float32
    scale = rng.uniform(0.5, 2, c).astype(udt)
    offset = rng.standard_normal(c).astype(udt)
    y, m, v = tf.nn.fused_batch_norm(x, scale, offset, epsilon=1e-3, data_format=data_format)
    assert y.op.type == "FusedBatchNormV3"
    assert y.shape.as_list() == list(x.shape) and m.shape.as_list() == [c]
    gy, gm, gv = run([y, m, v])
    assert gy.dtype == dtype and gm.dtype == udt
    xd = x.astype(np.float64)
    mean, var = xd.mean(axis=axes), xd.var(axis=axes)
    n = xd.size // c
    t = 1e-2 if dtype == np.float16 else 1e-4
    np.testing.assert_allclose(gy.astype(np.float64), bn_ref(x, scale, offset, mean, var, 1e-3, axes), rtol=t, atol=t)
    np.testing.assert_allclose(gm, mean, rtol=t, atol=t)
    np.testing.assert_allclose(gv, var * n / max(n - 1, 1), rtol=t, atol=t)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_fused_batch_norm_inference_and_avg_factor(data_format):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    c = 3 if data_format == "NCHW" else 5
    axes = (0, 2, 3) if data_format == "NCHW" else (0, 1, 2)
    scale, offset = rng.uniform(0.5, 2, c).astype(np.float32), rng.standard_normal(c).astype(np.float32)
    mean, var = rng.standard_normal(c).astype(np.float32), rng.uniform(0.5, 2, c).astype(np.float32)
    y, m, v = tf.nn.fused_batch_norm(x, scale, offset, mean, var, epsilon=1e-7, data_format=data_format,
                                     is_training=False)
    gy, gm, gv = run([y, m, v])
    # epsilon below 1.001e-5 is raised to it, as TF does
    np.testing.assert_allclose(gy, bn_ref(x, scale, offset, mean, var, 1.001e-5, axes), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(gm, mean)
    np.testing.assert_array_equal(gv, var)
    y, m, v = tf.nn.fused_batch_norm(x, scale, offset, mean, var, data_format=data_format,
                                     exponential_avg_factor=0.25)
    _, gm, gv = run([y, m, v])
    n = x.size // c
    np.testing.assert_allclose(gm, 0.75 * mean + 0.25 * x.mean(axis=axes), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gv, 0.75 * var + 0.25 * x.var(axis=axes) * n / (n - 1), rtol=1e-5)


def test_fused_batch_norm_errors_and_v1_name():
    with pytest.raises(ValueError):
        tf.nn.fused_batch_norm(tf.zeros([2, 3, 4]), [1.0] * 4, [0.0] * 4)
    with pytest.raises(ValueError):
        tf.nn.fused_batch_norm(tf.zeros([2, 3, 4, 5]), [1.0] * 4, [0.0] * 4)
    with pytest.raises(ValueError):
        tf.nn.fused_batch_norm(tf.zeros([2, 3, 4, 5]), [1.0] * 5, [0.0] * 5, is_training=False)
    x = tf.placeholder(tf.float32)
    y, _, _ = tf.nn.fused_batch_norm(x, [1.0] * 4, [0.0] * 4)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(y, {x: np.zeros((1, 2, 2, 3), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(y, {x: np.zeros((2, 2, 4), np.float32)})
    g = tf.get_default_graph()
    xv = np.random.default_rng(9).standard_normal((2, 2, 2, 3)).astype(np.float32)
    op = g.create_op("FusedBatchNorm", [tf.constant(xv), tf.ones([3]), tf.zeros([3]), tf.zeros([0]), tf.zeros([0])],
                     attrs={"T": tf.float32, "epsilon": 0.001, "is_training": True, "data_format": "NHWC"})
    assert len(op.outputs) == 5
    out = run(op.outputs[0])
    np.testing.assert_allclose(out, bn_ref(xv, np.ones(3), np.zeros(3), xv.mean((0, 1, 2)), xv.var((0, 1, 2)),
                                           1e-3, (0, 1, 2)), rtol=1e-4, atol=1e-4)


def lrn_ref(x, r, bias, alpha, beta):
    x = x.astype(np.float64)
    d = x.shape[-1]
    out = np.empty_like(x)
    for c in range(d):
        s = (x[..., max(0, c - r):min(d, c + r + 1)] ** 2).sum(-1)
        out[..., c] = x[..., c] / (bias + alpha * s) ** beta
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("args", [dict(), dict(depth_radius=2, bias=2.0, alpha=1e-2, beta=0.75),
                                  dict(depth_radius=0, bias=0.5, alpha=0.3, beta=1.0)])
def test_lrn(args, dtype):
    x = np.random.default_rng(10).standard_normal((2, 5, 6, 11)).astype(dtype)
    out = tf.nn.local_response_normalization(x, **args)
    got = run(out)
    assert got.dtype == dtype and out.op.type == "LRN"
    want = lrn_ref(x, args.get("depth_radius", 5), args.get("bias", 1.0), args.get("alpha", 1.0), args.get("beta", 0.5))
    t = 5e-3 if dtype == np.float16 else 1e-5
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=t, atol=t)
    np.testing.assert_allclose(run(tf.nn.lrn(x, **args)), got)
    with pytest.raises(ValueError):
        tf.nn.lrn(tf.zeros([2, 3]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [None, 0, -1, [0, 1]])
def test_l2_normalize(axis, dtype):
    x = np.random.default_rng(11).standard_normal((3, 4)).astype(dtype)
    x[0] = 0  # a zero row is kept at zero by epsilon
    got = run(tf.nn.l2_normalize(x, axis=axis))
    ax = tuple(axis) if isinstance(axis, list) else axis
    want = x / np.sqrt(np.maximum((x.astype(np.float64) ** 2).sum(axis=ax, keepdims=True), 1e-12))
    assert got.dtype == dtype and np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=tol(dtype) * 10, atol=tol(dtype))
    np.testing.assert_allclose(run(tf.nn.l2_normalize(x, dim=axis)), got)


def test_softmax_cross_entropy_non_last_axis():
    rng = np.random.default_rng(12)
    logits = rng.standard_normal((4, 3, 5))
    labels = softmax_ref(rng.standard_normal((4, 3, 5)), axis=1)
    for fn, kw in ((tf.nn.softmax_cross_entropy_with_logits_v2, "axis"), (tf.nn.softmax_cross_entropy_with_logits, "dim")):
        loss = fn(labels=labels, logits=logits, **{kw: 1})
        assert loss.shape.as_list() == [4, 5]
        np.testing.assert_allclose(run(loss), xent_ref(labels, logits, axis=1), rtol=1e-10)
