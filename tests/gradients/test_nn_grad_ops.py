"""The backward kernels (Conv2DBackpropFilter, DepthwiseConv2dNativeBackprop*, MaxPoolGrad(Grad),
AvgPoolGrad, FusedBatchNormGrad*, LRNGrad, MirrorPadGrad) and Digamma: values against numpy
references, shape functions, errors, and the gradients that use them (finite differences)."""
import numpy as np
import pytest

import graphrt as tf
from graphrt.ops import nn_grad_ops
from gradient_checker import check_gradients, rand

FLOATS = [np.float32, np.float64, np.float16]
TOL = {np.float32: 1e-4, np.float64: 1e-10, np.float16: 2e-2}


def _run(fetch, feed=None):
    with tf.Session() as s:
        return s.run(fetch, feed)


def _pads(size, k, stride, dil, padding):
    eff = (k - 1) * dil + 1
    if padding == "VALID":
        return 0, (size - eff) // stride + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + eff - size, 0)
    return total // 2, out


def _np_conv_backprop_filter(x, dy, kh, kw, stride, dil, padding, depthwise=False):
    n, h, w, c = x.shape
    pt, oh = _pads(h, kh, stride, dil, padding)
    pl, ow = _pads(w, kw, stride, dil, padding)
    oc = dy.shape[3]
    mult = oc // c if depthwise else None
    df = np.zeros((kh, kw, c, mult if depthwise else oc))
    for i in range(kh):
        for j in range(kw):
            for y in range(oh):
                for z in range(ow):
                    ih, iw = y * stride - pt + i * dil, z * stride - pl + j * dil
                    if 0 <= ih < h and 0 <= iw < w:
                        if depthwise:
                            df[i, j] += (x[:, ih, iw, :, None] * dy[:, y, z, :].reshape(n, c, mult)).sum(0)
                        else:
                            df[i, j] += x[:, ih, iw, :].T @ dy[:, y, z, :]
    return df


def _np_depthwise_backprop_input(shape, f, dy, stride, dil, padding):
    n, h, w, c = shape
    kh, kw, _, mult = f.shape
    pt, oh = _pads(h, kh, stride, dil, padding)
    pl, ow = _pads(w, kw, stride, dil, padding)
    dx = np.zeros(shape)
    for i in range(kh):
        for j in range(kw):
            for y in range(oh):
                for z in range(ow):
                    ih, iw = y * stride - pt + i * dil, z * stride - pl + j * dil
                    if 0 <= ih < h and 0 <= iw < w:
                        dx[:, ih, iw, :] += (dy[:, y, z, :].reshape(n, c, mult) * f[i, j]).sum(-1)
    return dx


CONV = [(1, 1, "VALID"), (1, 1, "SAME"), (2, 1, "SAME"), (1, 2, "SAME"), (2, 1, "VALID")]


@pytest.mark.parametrize("stride,dil,padding", CONV)
@pytest.mark.parametrize("dtype", FLOATS)
def test_conv2d_backprop_filter_values(stride, dil, padding, dtype):
    x = rand(2, 5, 4, 3, seed=1)
    kh, kw, oc = 3, 2, 4
    _, oh = _pads(5, kh, stride, dil, padding)
    _, ow = _pads(4, kw, stride, dil, padding)
    dy = rand(2, oh, ow, oc, seed=2)
    r = _run(nn_grad_ops.conv2d_backprop_filter(tf.constant(x.astype(dtype)), [kh, kw, 3, oc],
                                                tf.constant(dy.astype(dtype)), [1, stride, stride, 1], padding,
                                                dilations=[1, dil, dil, 1]))
    assert r.dtype == dtype and r.shape == (kh, kw, 3, oc)
    want = _np_conv_backprop_filter(x.astype(dtype).astype(np.float64), dy.astype(dtype).astype(np.float64),
                                    kh, kw, stride, dil, padding)
    np.testing.assert_allclose(r.astype(np.float64), want, rtol=TOL[dtype], atol=TOL[dtype] * 10)


def test_conv2d_backprop_filter_nchw_and_empty():
    x = rand(1, 4, 4, 2, seed=3)
    dy = rand(1, 4, 4, 3, seed=4)
    a = nn_grad_ops.conv2d_backprop_filter(tf.constant(x), [3, 3, 2, 3], tf.constant(dy), [1, 1, 1, 1], "SAME")
    b = nn_grad_ops.conv2d_backprop_filter(tf.constant(x.transpose(0, 3, 1, 2)), [3, 3, 2, 3],
                                           tf.constant(dy.transpose(0, 3, 1, 2)), [1, 1, 1, 1], "SAME",
                                           data_format="NCHW")
    empty = nn_grad_ops.conv2d_backprop_filter(tf.zeros([0, 4, 4, 2], tf.float64), [3, 3, 2, 3],
                                               tf.zeros([0, 4, 4, 3], tf.float64), [1, 1, 1, 1], "SAME")
    ra, rb, re = _run([a, b, empty])
    np.testing.assert_allclose(ra, rb, rtol=1e-12)
    np.testing.assert_array_equal(re, np.zeros((3, 3, 2, 3)))
    assert a.shape.as_list() == [3, 3, 2, 3]


def test_conv2d_backprop_filter_errors():
    with pytest.raises(ValueError):  # out_backprop depth does not match filter_sizes
        nn_grad_ops.conv2d_backprop_filter(tf.zeros([1, 4, 4, 2]), [3, 3, 2, 5], tf.zeros([1, 4, 4, 3]),
                                           [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError):  # out_backprop spatial size does not match
        nn_grad_ops.conv2d_backprop_filter(tf.zeros([1, 4, 4, 2]), [3, 3, 2, 3], tf.zeros([1, 3, 4, 3]),
                                           [1, 1, 1, 1], "SAME")
    x = tf.placeholder(tf.float32)
    dy = tf.placeholder(tf.float32)
    sz = tf.placeholder(tf.int32)
    out = nn_grad_ops.conv2d_backprop_filter(x, sz, dy, [1, 1, 1, 1], "SAME")
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(out, {x: np.zeros((1, 4, 4, 2)), dy: np.zeros((1, 4, 4, 3)), sz: [3, 3, 2]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(out, {x: np.zeros((1, 4, 4, 2)), dy: np.zeros((1, 4, 4, 3)), sz: [3, 3, 2, 4]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(out, {x: np.zeros((1, 4, 4, 2)), dy: np.zeros((2, 4, 4, 3)), sz: [3, 3, 2, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(out, {x: np.zeros((1, 4, 4, 2)), dy: np.zeros((1, 4, 4, 3)), sz: [3, 3, 2, -3]})


@pytest.mark.parametrize("stride,dil,padding", CONV)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_depthwise_backprop_values(stride, dil, padding, dtype):
    x = rand(2, 5, 4, 3, seed=5)
    f = rand(3, 2, 3, 2, seed=6)
    _, oh = _pads(5, 3, stride, dil, padding)
    _, ow = _pads(4, 2, stride, dil, padding)
    dy = rand(2, oh, ow, 6, seed=7)
    kw = dict(strides=[1, stride, stride, 1], padding=padding, dilations=[1, dil, dil, 1])
    di = nn_grad_ops.depthwise_conv2d_native_backprop_input([2, 5, 4, 3], tf.constant(f.astype(dtype)),
                                                            tf.constant(dy.astype(dtype)), **kw)
    df = nn_grad_ops.depthwise_conv2d_native_backprop_filter(tf.constant(x.astype(dtype)), [3, 2, 3, 2],
                                                             tf.constant(dy.astype(dtype)), **kw)
    assert di.shape.as_list() == [2, 5, 4, 3] and df.shape.as_list() == [3, 2, 3, 2]
    ri, rf = _run([di, df])
    np.testing.assert_allclose(ri, _np_depthwise_backprop_input((2, 5, 4, 3), f, dy, stride, dil, padding),
                               rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose(rf, _np_conv_backprop_filter(x, dy, 3, 2, stride, dil, padding, depthwise=True),
                               rtol=TOL[dtype], atol=TOL[dtype])


def test_depthwise_backprop_errors():
    with pytest.raises(ValueError):
        nn_grad_ops.depthwise_conv2d_native_backprop_input([1, 4, 4, 2], tf.zeros([3, 3, 2, 2]),
                                                           tf.zeros([1, 4, 4, 3]), [1, 1, 1, 1], "SAME")
    dy = tf.placeholder(tf.float32)
    out = nn_grad_ops.depthwise_conv2d_native_backprop_filter(tf.zeros([1, 4, 4, 2]), [3, 3, 2, 2], dy,
                                                              [1, 1, 1, 1], "SAME")
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(out, {dy: np.zeros((1, 4, 4, 3), np.float32)})


@pytest.mark.parametrize("stride,dil,padding", CONV[:3])
def test_depthwise_gradients(stride, dil, padding):
    kw = dict(strides=[1, stride, stride, 1], padding=padding, dilations=[1, dil, dil, 1])
    check_gradients(lambda a, b: tf.nn.depthwise_conv2d_native(a, b, **kw), [rand(1, 4, 5, 2), rand(2, 3, 2, 2)])


def test_depthwise_and_conv_second_order():
    kw = dict(strides=[1, 1, 1, 1], padding="SAME")
    check_gradients(lambda f, d: nn_grad_ops.depthwise_conv2d_native_backprop_input([1, 3, 3, 2], f, d, **kw),
                    [rand(2, 2, 2, 2), rand(1, 3, 3, 4, seed=1)])
    check_gradients(lambda x, d: nn_grad_ops.depthwise_conv2d_native_backprop_filter(x, [2, 2, 2, 2], d, **kw),
                    [rand(1, 3, 3, 2), rand(1, 3, 3, 4, seed=1)])
    check_gradients(lambda x, d: nn_grad_ops.conv2d_backprop_filter(x, [2, 2, 2, 3], d, **kw),
                    [rand(1, 3, 3, 2), rand(1, 3, 3, 3, seed=1)])


# ---- pooling ------------------------------------------------------------------------------------

def _windows(h, w, k, s, padding):
    pt, oh = _pads(h, k, s, 1, padding)
    pl, ow = _pads(w, k, s, 1, padding)
    for y in range(oh):
        for z in range(ow):
            rows = range(max(y * s - pt, 0), min(y * s - pt + k, h))
            cols = range(max(z * s - pl, 0), min(z * s - pl + k, w))
            yield y, z, rows, cols
    return


POOL = [(2, 2, "VALID"), (3, 2, "SAME"), (2, 1, "SAME"), (3, 1, "VALID")]


@pytest.mark.parametrize("k,s,padding", POOL)
@pytest.mark.parametrize("dtype", FLOATS)
def test_max_pool_grad_values(k, s, padding, dtype):
    rng = np.random.default_rng(k * 7 + s)
    x = (rng.permutation(2 * 5 * 4 * 3).reshape(2, 5, 4, 3) / 8.0).astype(dtype)
    attrs = dict(ksize=[1, k, k, 1], strides=[1, s, s, 1], padding=padding, data_format="NHWC")
    xt = tf.constant(x)
    y = tf.nn.max_pool(xt, attrs["ksize"], attrs["strides"], padding)
    dy = rand(*y.shape.as_list(), seed=3).astype(dtype)
    g = nn_grad_ops.max_pool_grad(xt, y, tf.constant(dy), attrs)
    gg = nn_grad_ops.max_pool_grad_grad(xt, y, tf.constant(x), attrs)
    assert g.shape.as_list() == list(x.shape) and gg.shape == y.shape
    rg, rgg, ry = _run([g, gg, y])
    want = np.zeros(x.shape)
    want_gg = np.zeros(ry.shape)
    for yy, z, rows, cols in _windows(5, 4, k, s, padding):
        for n in range(2):
            for c in range(3):
                win = x[n][np.ix_(rows, cols)][:, :, c]
                a, b = np.unravel_index(np.argmax(win), win.shape)
                want[n, rows[a], cols[b], c] += dy[n, yy, z, c]
                want_gg[n, yy, z, c] = x[n, rows[a], cols[b], c]
    np.testing.assert_allclose(rg.astype(np.float64), want, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_array_equal(rgg, want_gg.astype(dtype))


def test_max_pool_grad_ties_go_to_first_max_and_nchw():
    x = np.ones((1, 2, 2, 1))
    attrs = dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID", data_format="NHWC")
    xt = tf.constant(x)
    g = nn_grad_ops.max_pool_grad(xt, tf.nn.max_pool(xt, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
                                  tf.constant([[[[5.0]]]], tf.float64), attrs)
    np.testing.assert_array_equal(_run(g).ravel(), [5, 0, 0, 0])
    v = rand(2, 3, 5, 4, seed=4)  # NCHW
    check_gradients(lambda t: tf.nn.max_pool(t, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW"), [v])
    check_gradients(lambda t: tf.nn.avg_pool(t, [1, 1, 2, 2], [1, 1, 1, 1], "SAME", data_format="NCHW"), [v])


@pytest.mark.parametrize("k,s,padding", POOL)
@pytest.mark.parametrize("dtype", FLOATS)
def test_avg_pool_grad_values(k, s, padding, dtype):
    attrs = dict(ksize=[1, k, k, 1], strides=[1, s, s, 1], padding=padding, data_format="NHWC")
    _, oh = _pads(5, k, s, 1, padding)
    _, ow = _pads(4, k, s, 1, padding)
    dy = rand(2, oh, ow, 3, seed=5).astype(dtype)
    g = nn_grad_ops.avg_pool_grad(tf.constant([2, 5, 4, 3]), tf.constant(dy), attrs)
    assert g.shape.as_list() == [2, 5, 4, 3]
    want = np.zeros((2, 5, 4, 3))
    for yy, z, rows, cols in _windows(5, 4, k, s, padding):
        cnt = len(rows) * len(cols)
        for r in rows:
            for c in cols:
                want[:, r, c, :] += dy[:, yy, z, :].astype(np.float64) / cnt
    np.testing.assert_allclose(_run(g).astype(np.float64), want, rtol=TOL[dtype], atol=TOL[dtype])


def test_pool_grad_errors():
    attrs = dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID", data_format="NHWC")
    with pytest.raises(ValueError):
        nn_grad_ops.avg_pool_grad(tf.constant([1, 4, 4, 1]), tf.zeros([1, 3, 2, 1]), attrs)
    with pytest.raises(ValueError):
        nn_grad_ops.max_pool_grad(tf.zeros([1, 4, 4, 1]), tf.zeros([1, 2, 2, 1]), tf.zeros([1, 3, 2, 1]), attrs)
    dy = tf.placeholder(tf.float32)
    sizes = tf.placeholder(tf.int32)
    g = nn_grad_ops.avg_pool_grad(sizes, dy, attrs)
    x = tf.placeholder(tf.float32)
    m = nn_grad_ops.max_pool_grad(x, dy, dy, attrs)
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(g, {sizes: [1, 4, 4, 1], dy: np.zeros((1, 3, 2, 1))})
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(g, {sizes: [1, 4, 4], dy: np.zeros((1, 2, 2, 1))})
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(m, {x: np.zeros((1, 4, 4, 1)), dy: np.zeros((1, 2, 3, 1))})
        np.testing.assert_array_equal(s.run(g, {sizes: [0, 4, 4, 1], dy: np.zeros((0, 2, 2, 1))}),
                                      np.zeros((0, 4, 4, 1)))


def test_pool_second_order():
    rng = np.random.default_rng(0)
    x = rng.permutation(1 * 4 * 4 * 2).reshape(1, 4, 4, 2).astype(np.float64) / 10.0

    def mpg(d):
        xt = tf.constant(x)
        return nn_grad_ops.max_pool_grad(xt, tf.nn.max_pool(xt, [1, 2, 2, 1], [1, 1, 1, 1], "SAME"), d,
                                         dict(ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="SAME",
                                              data_format="NHWC"))
    check_gradients(mpg, [rand(1, 4, 4, 2)])
    check_gradients(lambda d: nn_grad_ops.avg_pool_grad(
        tf.constant([1, 4, 4, 2]), d, dict(ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME",
                                           data_format="NHWC")), [rand(1, 2, 2, 2)])
    v = tf.placeholder(tf.float64, [1, 4, 4, 2])
    y = tf.reduce_sum(tf.square(tf.nn.max_pool(v, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")))
    h = tf.hessians(y, v)[0]
    r = _run(h, {v: x}).reshape(32, 32)
    want = np.zeros(32)
    for n in range(1):
        for a in range(2):
            for b in range(2):
                for c in range(2):
                    win = x[0, 2 * a:2 * a + 2, 2 * b:2 * b + 2, c]
                    i, j = np.unravel_index(np.argmax(win), (2, 2))
                    want[np.ravel_multi_index((0, 2 * a + i, 2 * b + j, c), x.shape)] = 2.0
    np.testing.assert_allclose(r, np.diag(want))


# ---- batch norm ---------------------------------------------------------------------------------

def _np_bn_grad(dy, x, scale, mean, var, eps, training, axes=(0, 1, 2)):
    rstd = 1 / np.sqrt(var + eps)
    xhat = (x - mean) * rstd
    dscale = (dy * xhat).sum(axes)
    doffset = dy.sum(axes)
    if training:
        dx = scale * rstd * (dy - dy.mean(axes) - xhat * (dy * xhat).mean(axes))
    else:
        dx = dy * scale * rstd
    return dx, dscale, doffset


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("op_type", ["FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3"])
def test_fused_batch_norm_grad_values(training, op_type):
    x = rand(2, 3, 2, 4, seed=1)
    dy = rand(2, 3, 2, 4, seed=2)
    scale = rand(4, lo=0.5, hi=1.5, seed=3)
    if training:
        mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    else:
        mean, var = rand(4, seed=4), rand(4, lo=0.5, hi=1.5, seed=5)
    outs = nn_grad_ops.fused_batch_norm_grad(op_type, tf.constant(dy), tf.constant(x), tf.constant(scale),
                                             tf.constant(mean), tf.constant(var), tf.zeros([0], tf.float64), 0.01,
                                             "NHWC", training)
    assert [o.shape.as_list() for o in outs] == [[2, 3, 2, 4], [4], [4], [0], [0]]
    r = _run(outs)
    for got, want in zip(r, _np_bn_grad(dy, x, scale, mean, var, float(np.float32(0.01)), training)):  # eps attr is float32
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert r[3].shape == (0,) and r[4].shape == (0,)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_fused_batch_norm_grad_float32_scale_and_nchw(dtype):
    x = rand(2, 4, 3, 2, seed=6)  # NCHW: 4 channels
    dy = rand(2, 4, 3, 2, seed=7)
    scale = rand(4, lo=0.5, hi=1.5, seed=8)
    mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3))
    outs = nn_grad_ops.fused_batch_norm_grad("FusedBatchNormGradV3", tf.constant(dy.astype(dtype)),
                                             tf.constant(x.astype(dtype)), tf.constant(scale.astype(np.float32)),
                                             tf.constant(mean.astype(np.float32)),
                                             tf.constant(var.astype(np.float32)), tf.zeros([0]), 0.001, "NCHW", True)
    r = _run(outs[:3])
    assert r[0].dtype == dtype and r[1].dtype == np.float32
    want = _np_bn_grad(dy.transpose(0, 2, 3, 1), x.transpose(0, 2, 3, 1), scale, mean, var, 0.001, True)
    tol = 5e-3 if dtype == np.float16 else 1e-4
    np.testing.assert_allclose(r[0].astype(np.float64), want[0].transpose(0, 3, 1, 2), rtol=tol, atol=tol)
    np.testing.assert_allclose(r[1], want[1], rtol=tol, atol=tol)
    np.testing.assert_allclose(r[2], want[2], rtol=tol, atol=tol)


def test_fused_batch_norm_grad_errors():
    with pytest.raises(ValueError):
        nn_grad_ops.fused_batch_norm_grad("FusedBatchNormGradV3", tf.zeros([1, 2, 2, 3]), tf.zeros([1, 2, 2, 3]),
                                          tf.zeros([4]), tf.zeros([3]), tf.zeros([3]), tf.zeros([0]), 0.001,
                                          "NHWC", True)
    s_ = tf.placeholder(tf.float32)
    outs = nn_grad_ops.fused_batch_norm_grad("FusedBatchNormGradV3", tf.zeros([1, 2, 2, 3]), tf.zeros([1, 2, 2, 3]),
                                             s_, tf.zeros([3]), tf.zeros([3]), tf.zeros([0]), 0.001, "NHWC", True)
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(outs[0], {s_: np.ones(4, np.float32)})


@pytest.mark.parametrize("training", [True, False])
def test_fused_batch_norm_second_order(training):
    mean, var = rand(3, seed=11), rand(3, lo=0.5, hi=1.5, seed=12)

    def fn(a, sc, o):
        if training:
            y = tf.nn.fused_batch_norm(a, sc, o, epsilon=0.01, is_training=True)[0]
        else:
            y = tf.nn.fused_batch_norm(a, sc, o, tf.constant(mean), tf.constant(var), epsilon=0.01,
                                       is_training=False)[0]
        return tf.gradients(tf.reduce_sum(tf.sin(y)), [a])[0] + tf.reduce_sum(
            tf.gradients(tf.reduce_sum(tf.sin(y)), [sc])[0])

    check_gradients(fn, [rand(2, 2, 2, 3, seed=8), rand(3, lo=0.5, hi=1.5, seed=9), rand(3, seed=10)],
                    rtol=1e-5, atol=1e-6)


# ---- LRN ----------------------------------------------------------------------------------------

def _np_lrn(x, r, bias, alpha, beta):
    d = x.shape[-1]
    sq = np.zeros_like(x)
    for i in range(d):
        sq[..., i] = (x[..., max(0, i - r):min(d, i + r + 1)] ** 2).sum(-1)
    return x * (bias + alpha * sq) ** -beta


@pytest.mark.parametrize("r,bias,alpha,beta", [(2, 1.0, 1.0, 0.5), (1, 2.0, 0.3, 0.75), (0, 1.5, 0.5, 1.0),
                                               (5, 1.0, 0.2, 0.5)])
def test_lrn_grad_values(r, bias, alpha, beta):
    x = rand(2, 2, 3, 6, seed=r).astype(np.float32)
    dy = rand(2, 2, 3, 6, seed=r + 1).astype(np.float32)
    xt = tf.constant(x)
    y = tf.nn.lrn(xt, r, bias, alpha, beta)
    g = nn_grad_ops.lrn_grad(tf.constant(dy), xt, y, r, bias, alpha, beta)
    got = _run(g)
    # numeric VJP of the float64 reference
    x64 = x.astype(np.float64)
    want = np.zeros_like(x64)
    eps = 1e-6
    for idx in np.ndindex(*x.shape):
        xp, xm = x64.copy(), x64.copy()
        xp[idx] += eps
        xm[idx] -= eps
        want[idx] = ((_np_lrn(xp, r, bias, alpha, beta) - _np_lrn(xm, r, bias, alpha, beta)) * dy).sum() / (2 * eps)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)


def test_lrn_gradient_and_half():
    x = tf.placeholder(tf.float32, [1, 2, 2, 5])
    y = tf.nn.lrn(x, 2, 1.0, 0.5, 0.75)
    g = tf.gradients(tf.reduce_sum(y * y), x)[0]
    assert "LRNGrad" in {op.type for op in tf.get_default_graph().get_operations()}
    xv = rand(1, 2, 2, 5, seed=3).astype(np.float32)
    with tf.Session() as s:
        got = s.run(g, {x: xv})
    x64 = xv.astype(np.float64)
    want = np.zeros_like(x64)
    for idx in np.ndindex(*x64.shape):
        xp, xm = x64.copy(), x64.copy()
        xp[idx] += 1e-6
        xm[idx] -= 1e-6
        want[idx] = ((_np_lrn(xp, 2, 1.0, 0.5, 0.75) ** 2).sum() - (_np_lrn(xm, 2, 1.0, 0.5, 0.75) ** 2).sum()) / 2e-6
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)
    xh = tf.constant(xv.astype(np.float16))
    gh = nn_grad_ops.lrn_grad(tf.ones_like(xh), xh, tf.nn.lrn(xh, 2, 1.0, 0.5, 0.75), 2, 1.0, 0.5, 0.75)
    g32 = nn_grad_ops.lrn_grad(tf.ones([1, 2, 2, 5]), tf.constant(xv), tf.nn.lrn(tf.constant(xv), 2, 1.0, 0.5, 0.75),
                               2, 1.0, 0.5, 0.75)
    rh, r32 = _run([gh, g32])
    assert rh.dtype == np.float16
    np.testing.assert_allclose(rh.astype(np.float32), r32, rtol=2e-2, atol=2e-2)


def test_lrn_grad_errors():
    with pytest.raises(ValueError):
        nn_grad_ops.lrn_grad(tf.zeros([1, 2, 2, 3]), tf.zeros([1, 2, 2, 4]), tf.zeros([1, 2, 2, 3]), 2, 1., 1., .5)
    p = tf.placeholder(tf.float32)
    g = nn_grad_ops.lrn_grad(p, tf.zeros([1, 2, 2, 3]), tf.zeros([1, 2, 2, 3]), 2, 1., 1., .5)
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError):
            s.run(g, {p: np.zeros((1, 2, 2, 4), np.float32)})


# ---- MirrorPad ----------------------------------------------------------------------------------

def _np_mirror_pad_grad(g, pads, mode):
    if g.ndim == 0:
        return g.astype(np.float64)
    in_shape = tuple(d - a - b for d, (a, b) in zip(g.shape, pads))
    idx = np.arange(int(np.prod(in_shape))).reshape(in_shape)
    padded_idx = np.pad(idx, pads, mode="reflect" if mode == "REFLECT" else "symmetric")
    out = np.zeros(int(np.prod(in_shape)), np.float64)
    np.add.at(out, padded_idx.ravel(), g.ravel().astype(np.float64))
    return out.reshape(in_shape)


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
@pytest.mark.parametrize("shape,pads", [((4,), [[2, 3]]), ((3, 4), [[1, 2], [0, 3]]), ((2, 3, 4), [[1, 1], [2, 0], [3, 3]]),
                                        ((), []), ((3, 0), [[1, 1], [0, 0]])])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.float16])
def test_mirror_pad_grad_values(mode, shape, pads, dtype):
    if mode == "REFLECT" and any(p >= d for d, pr in zip(shape, pads) for p in pr):
        pads = [[min(a, d - 1), min(b, d - 1)] if d > 0 else [0, 0] for d, (a, b) in zip(shape, pads)]
    padded = tuple(d + a + b for d, (a, b) in zip(shape, pads))
    if mode == "REFLECT" and 0 in shape:  # REFLECT needs 0 <= pad < size along every dim, as in TF
        with pytest.raises(ValueError):
            nn_grad_ops.mirror_pad_grad(tf.zeros(padded, dtype), tf.constant(pads), mode)
        return
    g = (rand(*padded, seed=2) * 10).astype(dtype) if padded else np.array(3, dtype)
    out = nn_grad_ops.mirror_pad_grad(tf.constant(g), tf.constant(np.array(pads, np.int32).reshape(-1, 2)), mode)
    assert out.shape.as_list() == list(shape)
    r = _run(out)
    assert r.dtype == dtype
    tol = 1e-2 if dtype == np.float16 else 1e-6
    np.testing.assert_allclose(r.astype(np.float64), _np_mirror_pad_grad(g, pads, mode), rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_gradient(mode):
    check_gradients(lambda t: tf.pad(t, [[1, 2], [2, 1]], mode=mode) * tf.constant(rand(6, 6, seed=1)),
                    [rand(3, 3)])
    check_gradients(lambda d: nn_grad_ops.mirror_pad_grad(d, tf.constant([[1, 1]]), mode), [rand(5)])


def test_mirror_pad_grad_errors():
    with pytest.raises(ValueError):
        nn_grad_ops.mirror_pad_grad(tf.zeros([4]), tf.constant([[2, 1]]), "REFLECT")
    g = tf.placeholder(tf.float32)
    p = tf.placeholder(tf.int64)
    out = nn_grad_ops.mirror_pad_grad(g, p, "REFLECT")
    out_s = nn_grad_ops.mirror_pad_grad(g, p, "SYMMETRIC")
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(out_s, {g: [1, 2, 3, 4], p: [[1, 1]]}), [3, 7])
        np.testing.assert_allclose(s.run(out, {g: [1, 2, 3, 4, 5], p: [[1, 1]]}), [2, 9, 4])  # [b a b c b]
        for pv in ([[2, 1]], [[1, -1]], [[1, 1], [0, 0]], [[5, 0]]):
            with pytest.raises(tf.errors.InvalidArgumentError):
                s.run(out, {g: np.zeros(4, np.float32), p: pv})


# ---- Digamma and the Lgamma gradient ------------------------------------------------------------

def _digamma_ref(x):
    """float64 digamma: reflection below 0.5, recurrence up to 10, then the asymptotic series."""
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    for i, v in np.ndenumerate(x):
        acc = 0.0
        if v < 0.5:  # psi(x) = psi(1 - x) - pi / tan(pi x)
            acc -= np.pi / np.tan(np.pi * v)
            v = 1.0 - v
        while v < 10.0:
            acc -= 1.0 / v
            v += 1.0
        inv2 = 1.0 / (v * v)
        series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
        out[i] = acc + np.log(v) - 0.5 / v - series
    return out


def test_digamma_reference_matches_known_values():
    np.testing.assert_allclose(_digamma_ref([1.0, 0.5, 2.0]),
                               [-0.5772156649015329, -1.9635100260214235, 0.42278433509846713], rtol=1e-12)

@pytest.mark.parametrize("dtype", FLOATS)
def test_digamma_values(dtype):
    x = np.array([0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 123.4, 1e5, -0.5, -1.3, -2.7, 1e-3], np.float64)
    if dtype == np.float16:
        x = x[np.abs(x) < 6e4]
    got = _run(nn_grad_ops.digamma(tf.constant(x.astype(dtype))))
    assert got.dtype == dtype
    xd = x.astype(dtype).astype(np.float64)
    tol = {np.float64: 1e-12, np.float32: 1e-5, np.float16: 2e-3}[dtype]
    np.testing.assert_allclose(got.astype(np.float64), _digamma_ref(xd), rtol=tol, atol=tol)


def test_digamma_special_values_shapes_and_types():
    got = _run(nn_grad_ops.digamma(tf.constant([np.inf, np.nan, -np.inf])))
    assert got[0] == np.inf and np.isnan(got[1]) and np.isnan(got[2])
    assert _run(nn_grad_ops.digamma(tf.zeros([0, 3]))).shape == (0, 3)
    assert _run(nn_grad_ops.digamma(tf.constant(1.0))) == pytest.approx(-0.5772156649, rel=1e-6)
    x = tf.placeholder(tf.float64, [None, 2])
    assert nn_grad_ops.digamma(x).shape.as_list() == [None, 2]
    with pytest.raises(TypeError):
        nn_grad_ops.digamma(tf.constant([1, 2]))


def test_lgamma_gradient():
    check_gradients(tf.lgamma, [np.array([0.3, 1.7, 4.2, -0.4, -2.5])], rtol=1e-5)
    x = tf.placeholder(tf.float32, [3])
    g = tf.gradients(tf.lgamma(x), x)[0]
    xv = np.array([0.5, 2.0, 7.5], np.float32)
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: xv}), _digamma_ref(xv.astype(np.float64)), rtol=1e-5)


def test_gradients_use_the_backward_kernels():
    x = tf.placeholder(tf.float32, [2, 6, 6, 3])
    f = tf.placeholder(tf.float32, [3, 3, 3, 4])
    df = tf.placeholder(tf.float32, [3, 3, 3, 2])
    y = tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME")
    y = tf.nn.max_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "VALID") + tf.nn.avg_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    y = tf.nn.fused_batch_norm(y, tf.ones([4]), tf.zeros([4]))[0]
    z = tf.nn.lrn(tf.nn.depthwise_conv2d_native(x, df, [1, 1, 1, 1], "SAME"))
    loss = tf.reduce_sum(y * y) + tf.reduce_sum(tf.lgamma(tf.abs(z) + 1.0)) + tf.reduce_sum(
        tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT"))
    grads = tf.gradients(loss, [x, f, df])
    types = {op.type for op in tf.get_default_graph().get_operations()}
    for t in ("Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPoolGrad", "AvgPoolGrad", "FusedBatchNormGradV3",
              "LRNGrad", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter",
              "MirrorPadGrad", "Digamma"):
        assert t in types, t
    assert "ScatterNd" not in types
    rng = np.random.default_rng(0)
    with tf.Session() as s:
        out = s.run(grads, {x: rng.normal(size=(2, 6, 6, 3)), f: rng.normal(size=(3, 3, 3, 4)),
                            df: rng.normal(size=(3, 3, 3, 2))})
    assert [o.shape for o in out] == [(2, 6, 6, 3), (3, 3, 3, 4), (3, 3, 3, 2)]
    assert all(np.isfinite(o).all() for o in out)
