"""Finite-difference checks of the nn-family gradients (float64)."""
import numpy as np
import pytest

import graphrt as tf
from gradient_checker import check_gradients, rand


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_log_softmax(axis):
    w = rand(2, 3, seed=9)
    check_gradients(lambda x: tf.nn.softmax(x, axis=axis) * w, [rand(2, 3)])
    check_gradients(lambda x: tf.nn.log_softmax(x, axis=axis) * w, [rand(2, 3)])


def test_softmax_cross_entropy():
    labels = np.array([[0.2, 0.5, 0.3], [0.0, 1.0, 0.0]])
    check_gradients(lambda lg: tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.constant(labels), logits=lg),
                    [rand(2, 3)])
    check_gradients(lambda lb, lg: tf.nn.softmax_cross_entropy_with_logits_v2(labels=lb, logits=lg),
                    [labels, rand(2, 3)])


def test_sparse_softmax_cross_entropy():
    check_gradients(lambda lg: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([2, 0]), logits=lg),
                    [rand(2, 3)])


def test_cross_entropy_hessian_matches_softmax_jacobian():
    logits = tf.placeholder(tf.float64, [1, 3])
    loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.constant([[0.0, 1.0, 0.0]], tf.float64),
                                                                      logits=logits))
    h = tf.hessians(loss, logits)[0]
    v = np.array([[0.3, -0.2, 0.5]])
    with tf.Session() as s:
        r = s.run(h, {logits: v})
    p = np.exp(v[0]) / np.exp(v[0]).sum()
    np.testing.assert_allclose(r.reshape(3, 3), np.diag(p) - np.outer(p, p), atol=1e-10)


def test_l2_loss_bias_add():
    check_gradients(tf.nn.l2_loss, [rand(2, 3)])
    check_gradients(lambda x, b: tf.nn.bias_add(x, b), [rand(2, 2, 3), rand(3, seed=1)])
    check_gradients(lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"), [rand(2, 3, 2), rand(3, seed=1)])
    check_gradients(lambda x, b: tf.nn.bias_add(x, b), [rand(2, 3), rand(3, seed=1)], static_shapes=False)


CONV_CASES = [
    dict(strides=[1, 1, 1, 1], padding="VALID"),
    dict(strides=[1, 1, 1, 1], padding="SAME"),
    dict(strides=[1, 2, 2, 1], padding="SAME"),
    dict(strides=[1, 2, 1, 1], padding="VALID"),
    dict(strides=[1, 1, 1, 1], padding="SAME", dilations=[1, 2, 2, 1]),
    dict(strides=[1, 1, 1, 1], padding=[[0, 0], [1, 0], [0, 2], [0, 0]]),
]


@pytest.mark.parametrize("kw", CONV_CASES)
def test_conv2d(kw):
    x = rand(2, 5, 4, 2, seed=1)
    f = rand(3, 2, 2, 3, seed=2)
    check_gradients(lambda a, b: tf.nn.conv2d(a, b, **kw), [x, f], rtol=1e-5, atol=1e-6)


def test_conv2d_unknown_batch():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [None, 4, 4, 2])
        f = tf.placeholder(tf.float64, [2, 2, 2, 3])
        y = tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME")
        gx, gf = tf.gradients(tf.reduce_sum(y * y), [x, f])
        xv, fv = rand(3, 4, 4, 2), rand(2, 2, 2, 3, seed=1)
        with tf.Session() as s:
            rx, rf = s.run([gx, gf], {x: xv, f: fv})
    assert rx.shape == (3, 4, 4, 2) and rf.shape == (2, 2, 2, 3)
    # one filter element's gradient against a central difference
    eps = 1e-6
    with tf.Session(graph=g) as s:
        fp = fv.copy(); fp[0, 1, 1, 2] += eps
        fm = fv.copy(); fm[0, 1, 1, 2] -= eps
        lp = s.run(y, {x: xv, f: fp})
        lm = s.run(y, {x: xv, f: fm})
    num = ((lp ** 2).sum() - (lm ** 2).sum()) / (2 * eps)
    np.testing.assert_allclose(rf[0, 1, 1, 2], num, rtol=1e-6)


def test_conv2d_nchw():
    x = rand(1, 2, 4, 3, seed=3)
    f = rand(2, 2, 2, 2, seed=4)
    try:
        check_gradients(lambda a, b: tf.nn.conv2d(a, b, [1, 1, 1, 1], "SAME", data_format="NCHW"), [x, f])
    except tf.errors.InvalidArgumentError as e:  # the runtime may not run NCHW convolutions
        pytest.skip(f"NCHW Conv2D not supported by the kernel: {e}")


def test_conv2d_backprop_input_grads():
    f = rand(2, 2, 2, 3, seed=5)
    dy = rand(1, 3, 3, 3, seed=6)
    check_gradients(lambda a, b: tf.nn.conv2d_backprop_input([1, 3, 3, 2], a, b, [1, 1, 1, 1], "SAME"), [f, dy])


@pytest.mark.parametrize("ksize,strides,padding", [(2, 2, "VALID"), (3, 2, "SAME"), (2, 1, "SAME"), (3, 1, "VALID")])
def test_max_pool(ksize, strides, padding):
    rng = np.random.default_rng(ksize * 10 + strides)
    x = rng.permutation(2 * 5 * 4 * 2).reshape(2, 5, 4, 2).astype(np.float64) / 10.0  # distinct: no ties
    check_gradients(lambda t: tf.nn.max_pool(t, [1, ksize, ksize, 1], [1, strides, strides, 1], padding), [x])


@pytest.mark.parametrize("ksize,strides,padding", [(2, 2, "VALID"), (3, 2, "SAME"), (2, 1, "SAME"), (3, 1, "VALID")])
def test_avg_pool(ksize, strides, padding):
    x = rand(2, 5, 4, 2, seed=7)
    check_gradients(lambda t: tf.nn.avg_pool(t, [1, ksize, ksize, 1], [1, strides, strides, 1], padding), [x])


def test_pool_unknown_batch():
    x = tf.placeholder(tf.float64, [None, 4, 4, 1])
    y = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID") + tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    xv = np.arange(32, dtype=np.float64).reshape(2, 4, 4, 1)
    with tf.Session() as s:
        r = s.run(g, {x: xv})
    want = np.full((2, 4, 4, 1), 0.25)
    want[:, 1::2, 1::2, :] += 1.0  # the max of each 2x2 window is its bottom-right cell
    np.testing.assert_allclose(r, want)


@pytest.mark.parametrize("training", [True, False])
def test_fused_batch_norm(training):
    x = rand(2, 3, 2, 3, seed=8)
    scale, offset = rand(3, lo=0.5, hi=1.5, seed=9), rand(3, seed=10)
    mean, var = rand(3, seed=11), rand(3, lo=0.5, hi=1.5, seed=12)
    w = rand(2, 3, 2, 3, seed=13)

    def fn(a, s, o):
        if training:
            y = tf.nn.fused_batch_norm(a, s, o, epsilon=0.01, is_training=True)[0]
        else:
            y = tf.nn.fused_batch_norm(a, s, o, tf.constant(mean), tf.constant(var), epsilon=0.01,
                                       is_training=False)[0]
        return y * w

    check_gradients(fn, [x, scale, offset], rtol=1e-5, atol=1e-6)
