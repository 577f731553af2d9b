"""Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput (conv2d_transpose), MaxPool and AvgPool against
direct-loop numpy references, in both data formats, plus static and run-time errors and a LeNet pass."""
import numpy as np
import pytest

import graphrt as tf


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _pads(size, k, stride, dil, padding):
    """(out, pad_before, pad_after) of one dimension, TF's rules."""
    eff = (k - 1) * dil + 1
    if padding == "VALID":
        return (size - eff) // stride + 1, 0, 0
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + eff - size, 0)
        return out, total // 2, total - total // 2
    before, after = padding
    return (size + before + after - eff) // stride + 1, before, after


def conv_ref(x, f, strides=(1, 1), padding="VALID", dil=(1, 1), depthwise=False):
    """NHWC x, HWIO filter (HWIM for depthwise): a loop over output positions."""
    n, h, w, c = x.shape
    kh, kw = f.shape[:2]
    ph = padding if isinstance(padding, str) else padding[0]
    pw = padding if isinstance(padding, str) else padding[1]
    oh, pt, pb = _pads(h, kh, strides[0], dil[0], ph)
    ow, pl, pr = _pads(w, kw, strides[1], dil[1], pw)
    xp = np.zeros((n, h + pt + pb + kh * dil[0], w + pl + pr + kw * dil[1], c), dtype=np.float64)
    xp[:, pt:pt + h, pl:pl + w] = x
    oc = c * f.shape[3] if depthwise else f.shape[3]
    out = np.zeros((n, oh, ow, oc))
    for i in range(oh):
        for j in range(ow):
            hs, ws = i * strides[0], j * strides[1]
            patch = xp[:, hs:hs + (kh - 1) * dil[0] + 1:dil[0], ws:ws + (kw - 1) * dil[1] + 1:dil[1], :]
            if depthwise:
                out[:, i, j, :] = np.einsum("nhwc,hwcm->ncm", patch, f).reshape(n, -1)
            else:
                out[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, f)
    return out


def conv_transpose_ref(dy, f, in_shape, strides, padding):
    n, h, w, c = in_shape
    kh, kw = f.shape[:2]
    oh, pt, pb = _pads(h, kh, strides[0], 1, padding)
    ow, pl, pr = _pads(w, kw, strides[1], 1, padding)
    assert dy.shape[1:3] == (oh, ow)
    dxp = np.zeros((n, h + pt + pb + kh, w + pl + pr + kw, c))
    for i in range(oh):
        for j in range(ow):
            hs, ws = i * strides[0], j * strides[1]
            dxp[:, hs:hs + kh, ws:ws + kw, :] += np.einsum("no,hwco->nhwc", dy[:, i, j, :], f)
    return dxp[:, pt:pt + h, pl:pl + w, :]


def pool_ref(x, k, s, padding, op):
    n, h, w, c = x.shape
    oh, pt, pb = _pads(h, k[0], s[0], 1, padding)
    ow, pl, pr = _pads(w, k[1], s[1], 1, padding)
    xp = np.full((n, h + pt + pb + k[0], w + pl + pr + k[1], c), np.nan)
    xp[:, pt:pt + h, pl:pl + w] = x
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1], :]
            out[:, i, j, :] = np.nanmax(win, axis=(1, 2)) if op == "max" else np.nanmean(win, axis=(1, 2))
    return out


def to_nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def to_nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1))


CONV_CASES = [
    # x shape, filter shape, strides, padding, dilations
    ((1, 5, 5, 1), (3, 3, 1, 1), (1, 1), "VALID", (1, 1)),
    ((2, 7, 6, 3), (3, 2, 3, 4), (1, 1), "SAME", (1, 1)),
    ((2, 9, 8, 3), (3, 3, 3, 5), (2, 3), "SAME", (1, 1)),
    ((2, 9, 8, 2), (3, 3, 2, 2), (2, 2), "VALID", (1, 1)),
    ((1, 10, 11, 2), (3, 2, 2, 3), (1, 1), "SAME", (2, 3)),
    ((2, 6, 6, 3), (1, 1, 3, 4), (1, 1), "VALID", (1, 1)),   # 1x1 fast path
    ((2, 6, 7, 2), (3, 3, 2, 3), (2, 1), [(1, 2), (0, 3)], (1, 1)),  # explicit padding
    ((1, 4, 4, 2), (5, 5, 2, 2), (1, 1), "SAME", (1, 1)),    # filter larger than input
    # Few input channels, unit width stride: the direct path (tiles of 8 channels x 32 columns).
    ((2, 28, 40, 1), (5, 5, 1, 6), (1, 1), "SAME", (1, 1)),
    ((1, 9, 35, 4), (3, 4, 4, 17), (2, 1), "VALID", (2, 1)),
    ((1, 6, 70, 3), (2, 3, 3, 9), (1, 1), [(2, 0), (1, 4)], (1, 1)),
]


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_matches_loop_reference(case, data_format, dtype):
    xs, fs, strides, padding, dil = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(dtype)
    f = rng.standard_normal(fs).astype(dtype)
    want = conv_ref(x, f, strides, padding if isinstance(padding, str) else padding, dil)
    if data_format == "NHWC":
        xin, st, dl = x, [1, *strides, 1], [1, *dil, 1]
        pad = padding if isinstance(padding, str) else [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]
    else:
        xin, st, dl = to_nchw(x), [1, 1, *strides], [1, 1, *dil]
        pad = padding if isinstance(padding, str) else [[0, 0], [0, 0], list(padding[0]), list(padding[1])]
    ph = tf.placeholder(tf.as_dtype(dtype), shape=xin.shape)
    y = tf.nn.conv2d(ph, tf.constant(f), strides=st, padding=pad, data_format=data_format, dilations=dl)
    assert y.op.type == "Conv2D"
    got = run(y, {ph: xin})
    if data_format == "NCHW":
        got = to_nhwc(got)
    assert tuple(y.shape.as_list()) == (to_nchw(want) if data_format == "NCHW" else want).shape
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-4 if dtype == np.float32 else 1e-10)


def test_conv2d_large_parallel_and_half():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 32, 30, 8)).astype(np.float32)
    f = rng.standard_normal((3, 3, 8, 16)).astype(np.float32)
    want = conv_ref(x, f, (1, 1), "SAME")
    got = run(tf.nn.conv2d(x, f, strides=1, padding="SAME"))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)
    xh, fh = x[:2, :10, :10].astype(np.float16), f.astype(np.float16)
    goth = run(tf.nn.conv2d(xh, fh, strides=[1, 2, 2, 1], padding="VALID"))
    assert goth.dtype == np.float16
    np.testing.assert_allclose(goth.astype(np.float32), conv_ref(xh.astype(np.float32), fh.astype(np.float32), (2, 2)),
                               rtol=1e-2, atol=5e-2)


def test_conv2d_empty_batch_and_strides_forms():
    x = np.zeros((0, 5, 5, 2), np.float32)
    f = np.ones((3, 3, 2, 3), np.float32)
    assert run(tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME")).shape == (0, 5, 5, 3)
    x = np.arange(50, dtype=np.float32).reshape(1, 5, 5, 2)
    a = run(tf.nn.conv2d(x, f, strides=2, padding="VALID"))
    b = run(tf.nn.conv2d(x, f, strides=[2, 2], padding="VALID"))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, conv_ref(x, f, (2, 2)), rtol=1e-6)


def test_conv2d_static_errors():
    x = tf.placeholder(tf.float32, [1, 5, 5, 3])
    with pytest.raises(ValueError):
        tf.nn.conv2d(x, tf.zeros([3, 3, 4, 2]), strides=[1, 1, 1, 1], padding="SAME")  # channel mismatch
    with pytest.raises(ValueError):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 2]), strides=[2, 1, 1, 1], padding="SAME")  # batch stride
    with pytest.raises(ValueError):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 2]), strides=[1, 1, 1], padding="SAME")  # wrong length
    with pytest.raises(ValueError):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 2]), strides=1, padding="same")
    with pytest.raises(ValueError):
        tf.nn.conv2d(x, tf.zeros([7, 3, 3, 2]), strides=1, padding="VALID")  # negative output
    with pytest.raises(ValueError):
        tf.nn.conv2d(tf.placeholder(tf.float32, [5, 5, 3]), tf.zeros([3, 3, 3, 2]), strides=1, padding="VALID")


def test_conv2d_runtime_errors():
    x = tf.placeholder(tf.float32)
    f = tf.placeholder(tf.float32)
    y = tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="same depth"):
        run(y, {x: np.zeros((1, 4, 4, 3), np.float32), f: np.zeros((2, 2, 2, 1), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="4-dimensional"):
        run(y, {x: np.zeros((4, 4, 3), np.float32), f: np.zeros((2, 2, 3, 1), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative"):
        run(y, {x: np.zeros((1, 2, 2, 3), np.float32), f: np.zeros((3, 3, 3, 1), np.float32)})


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", [
    ((2, 7, 6, 3), (3, 3, 3, 2), (1, 1), "SAME", (1, 1)),
    ((1, 9, 8, 4), (2, 3, 4, 1), (2, 2), "VALID", (1, 1)),
    ((2, 10, 9, 2), (3, 3, 2, 3), (1, 1), "SAME", (2, 2)),
    ((8, 24, 24, 16), (3, 3, 16, 2), (1, 1), "SAME", (1, 1)),  # parallel path
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_depthwise_conv2d(case, data_format, dtype):
    xs, fs, strides, padding, rate = case
    rng = np.random.default_rng(3)
    x = rng.standard_normal(xs).astype(dtype)
    f = rng.standard_normal(fs).astype(dtype)
    want = conv_ref(x, f, strides, padding, rate, depthwise=True)
    if data_format == "NHWC":
        y = tf.nn.depthwise_conv2d(x, f, [1, *strides, 1], padding, rate=list(rate))
        got = run(y)
    else:
        y = tf.nn.depthwise_conv2d(to_nchw(x), f, [1, 1, *strides], padding, rate=list(rate), data_format="NCHW")
        got = to_nhwc(run(y))
    assert y.op.type == "DepthwiseConv2dNative"
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_depthwise_errors():
    x = tf.placeholder(tf.float32, [1, 5, 5, 3])
    with pytest.raises(ValueError):
        tf.nn.depthwise_conv2d(x, tf.zeros([3, 3, 2, 1]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError):
        tf.nn.depthwise_conv2d(x, tf.zeros([3, 3, 3, 1]), [1, 2, 2, 1], "SAME", rate=[2, 2])
    xp, fp = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    y = tf.nn.depthwise_conv2d(xp, fp, [1, 1, 1, 1], "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(y, {xp: np.zeros((1, 4, 4, 3), np.float32), fp: np.zeros((2, 2, 2, 1), np.float32)})


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", [
    ((2, 6, 6, 3), (3, 3, 3, 4), (2, 2), "SAME"),
    ((1, 7, 5, 2), (3, 2, 2, 3), (2, 1), "VALID"),
    ((2, 5, 5, 2), (4, 4, 2, 2), (3, 3), "SAME"),
    ((4, 28, 28, 8), (5, 5, 8, 6), (2, 2), "SAME"),  # parallel path
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_transpose(case, data_format, dtype):
    in_shape, fs, strides, padding = case
    rng = np.random.default_rng(4)
    f = rng.standard_normal(fs).astype(dtype)
    oh, _, _ = _pads(in_shape[1], fs[0], strides[0], 1, padding)
    ow, _, _ = _pads(in_shape[2], fs[1], strides[1], 1, padding)
    dy = rng.standard_normal((in_shape[0], oh, ow, fs[3])).astype(dtype)
    want = conv_transpose_ref(dy, f, in_shape, strides, padding)
    if data_format == "NHWC":
        y = tf.nn.conv2d_transpose(dy, f, list(in_shape), [1, *strides, 1], padding)
        got = run(y)
    else:
        n, h, w, c = in_shape
        y = tf.nn.conv2d_transpose(to_nchw(dy), f, [n, c, h, w], [1, 1, *strides], padding, data_format="NCHW")
        got = to_nhwc(run(y))
    assert y.op.type == "Conv2DBackpropInput"
    assert y.shape.as_list() == (list(in_shape) if data_format == "NHWC" else [in_shape[0], in_shape[3], *in_shape[1:3]])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_conv2d_transpose_is_gradient_adjoint():
    # <conv(x), dy> == <x, conv_transpose(dy)>
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 8, 7, 3))
    f = rng.standard_normal((3, 3, 3, 4))
    y = run(tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME"))
    dy = rng.standard_normal(y.shape)
    dx = run(tf.nn.conv2d_transpose(dy, f, x.shape, [1, 2, 2, 1], "SAME"))
    np.testing.assert_allclose(np.sum(y * dy), np.sum(x * dx), rtol=1e-10)


def test_conv2d_transpose_errors():
    dy = tf.placeholder(tf.float32, [1, 3, 3, 4])
    with pytest.raises(ValueError, match="input channels"):
        tf.nn.conv2d_transpose(dy, tf.zeros([3, 3, 2, 5]), [1, 6, 6, 2], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="output channels"):
        tf.nn.conv2d_transpose(dy, tf.zeros([3, 3, 2, 4]), [1, 6, 6, 3], [1, 2, 2, 1])
    with pytest.raises(ValueError):
        tf.nn.conv2d_transpose(dy, tf.zeros([3, 3, 2, 4]), [1, 9, 9, 2], [1, 2, 2, 1])  # size mismatch
    shape = tf.placeholder(tf.int32, [4])
    y = tf.nn.conv2d_transpose(dy, tf.zeros([3, 3, 2, 4]), shape, [1, 2, 2, 1])
    out = run(y, {shape: [1, 6, 6, 2], dy: np.ones((1, 3, 3, 4), np.float32)})
    assert out.shape == (1, 6, 6, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out_backprop"):
        run(y, {shape: [1, 9, 9, 2], dy: np.ones((1, 3, 3, 4), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(y, {shape: [1, 6, 6, 3], dy: np.ones((1, 3, 3, 4), np.float32)})


POOL_CASES = [
    ((1, 4, 4, 1), (2, 2), (2, 2), "VALID"),
    ((2, 5, 7, 3), (3, 3), (2, 2), "SAME"),
    ((2, 6, 5, 2), (2, 3), (1, 2), "SAME"),
    ((1, 7, 7, 2), (3, 2), (3, 1), "VALID"),
    ((8, 40, 40, 16), (3, 3), (2, 2), "SAME"),  # parallel path
]


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("op", ["max", "avg"])
def test_pooling(op, case, data_format):
    xs, k, s, padding = case
    rng = np.random.default_rng(6)
    x = rng.standard_normal(xs).astype(np.float32)
    want = pool_ref(x.astype(np.float64), k, s, padding, op)
    fn = tf.nn.max_pool if op == "max" else tf.nn.avg_pool
    if data_format == "NHWC":
        y = fn(x, [1, *k, 1], [1, *s, 1], padding)
        got = run(y)
    else:
        y = fn(to_nchw(x), [1, 1, *k], [1, 1, *s], padding, data_format="NCHW")
        got = to_nhwc(run(y))
    assert y.op.type == ("MaxPool" if op == "max" else "AvgPool")
    assert y.shape.as_list() == list((want if data_format == "NHWC" else to_nchw(want)).shape)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.int64])
def test_pooling_dtypes(dtype):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((2, 5, 6, 3)) * 10).astype(dtype)
    got = run(tf.nn.max_pool(x, 2, 2, "SAME"))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, pool_ref(x.astype(np.float64), (2, 2), (2, 2), "SAME", "max").astype(dtype))
    if dtype in (np.float64, np.float16):
        got = run(tf.nn.avg_pool(x, [2, 3], [1, 2], "SAME"))
        assert got.dtype == dtype
        np.testing.assert_allclose(got.astype(np.float64), pool_ref(x.astype(np.float64), (2, 3), (1, 2), "SAME", "avg"),
                                   rtol=1e-2 if dtype == np.float16 else 1e-12)
    else:
        with pytest.raises(TypeError):
            tf.nn.avg_pool(x, 2, 2, "SAME")


def test_pool_empty_and_errors():
    assert run(tf.nn.max_pool(np.zeros((0, 4, 4, 2), np.float32), 2, 2, "VALID")).shape == (0, 2, 2, 2)
    x = tf.placeholder(tf.float32, [1, 4, 4, 2])
    with pytest.raises(ValueError):
        tf.nn.max_pool(x, [2, 2, 2, 1], [1, 1, 1, 1], "VALID")  # batch pooling
    with pytest.raises(ValueError):
        tf.nn.max_pool(x, [1, 2, 2], [1, 1, 1, 1], "VALID")  # ksize length 3
    with pytest.raises(ValueError):
        tf.nn.avg_pool(x, 2, [2, 1, 1, 1], "VALID")  # stride on batch
    with pytest.raises(ValueError):
        tf.nn.avg_pool(x, 5, 1, "VALID")  # window larger than input
    with pytest.raises(ValueError):
        tf.nn.max_pool(tf.placeholder(tf.float32, [4, 4, 2]), 2, 2, "VALID")
    p = tf.placeholder(tf.float32)
    y = tf.nn.max_pool(p, 2, 2, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(y, {p: np.zeros((4, 4, 2), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(y, {p: np.zeros((1, 1, 4, 2), np.float32)})


def test_lenet_forward():
    rng = np.random.default_rng(8)
    images = rng.standard_normal((8, 28, 28, 1)).astype(np.float32)
    w1 = (rng.standard_normal((5, 5, 1, 6)) * 0.2).astype(np.float32)
    b1 = (rng.standard_normal(6) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((5, 5, 6, 16)) * 0.1).astype(np.float32)
    b2 = (rng.standard_normal(16) * 0.1).astype(np.float32)
    w3 = (rng.standard_normal((7 * 7 * 16, 10)) * 0.05).astype(np.float32)
    b3 = (rng.standard_normal(10) * 0.1).astype(np.float32)

    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    h = tf.nn.relu(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME") + b1)
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    h = tf.nn.relu(tf.nn.conv2d(h, w2, [1, 1, 1, 1], "SAME") + b2)
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert h.shape.as_list() == [None, 7, 7, 16]
    logits = tf.matmul(tf.reshape(h, [-1, 7 * 7 * 16]), w3) + b3
    got = run(logits, {x: images})

    r = np.maximum(conv_ref(images, w1, padding="SAME") + b1, 0)
    r = pool_ref(r, (2, 2), (2, 2), "SAME", "max")
    r = np.maximum(conv_ref(r, w2, padding="SAME") + b2, 0)
    r = pool_ref(r, (2, 2), (2, 2), "SAME", "max")
    want = r.reshape(8, -1) @ w3 + b3
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("intra", [1, 4])
def test_heavy_kernels_same_result_for_any_intra_op_width(intra):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((8, 30, 30, 8)).astype(np.float32)
    f = rng.standard_normal((3, 3, 8, 8)).astype(np.float32)
    fd = rng.standard_normal((3, 3, 8, 2)).astype(np.float32)
    outs = [tf.nn.conv2d(x, f, 1, "SAME"), tf.nn.depthwise_conv2d(x, fd, [1, 1, 1, 1], "SAME"),
            tf.nn.max_pool(x, 3, 2, "SAME"), tf.nn.avg_pool(x, 3, 2, "SAME"),
            tf.nn.conv2d_transpose(x, f, [8, 60, 60, 8], [1, 2, 2, 1], "SAME"),
            tf.nn.softmax(x.reshape(-1, 80)), tf.nn.fused_batch_norm(x, np.ones(8, np.float32), np.zeros(8, np.float32))[0],
            tf.nn.lrn(x, 2)]
    with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=intra)) as sess:
        got = sess.run(outs)
    np.testing.assert_allclose(got[0], conv_ref(x, f, padding="SAME"), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(got[1], conv_ref(x, fd, padding="SAME", depthwise=True), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[2], pool_ref(x, (3, 3), (2, 2), "SAME", "max"), rtol=1e-6)
    np.testing.assert_allclose(got[3], pool_ref(x, (3, 3), (2, 2), "SAME", "avg"), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[4], conv_transpose_ref(x, f, (8, 60, 60, 8), (2, 2), "SAME"), rtol=1e-4, atol=1e-3)
    e = np.exp(x.reshape(-1, 80) - x.reshape(-1, 80).max(-1, keepdims=True))
    np.testing.assert_allclose(got[5], e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got[6], (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2)) + 1e-3), rtol=1e-4, atol=1e-4)
    assert got[7].shape == x.shape
