"""tf.layers (dense, conv2d, pooling, dropout, batch_normalization, flatten) and tf.nn.dropout."""
import numpy as np
import pytest

import graphrt as tf

RNG = np.random.RandomState(1)


def _init_and_run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


# ---- tf.nn.dropout --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [tf.float32, tf.float64, tf.float16])
def test_nn_dropout_statistics(dtype):
    x = np.ones([200, 100], dtype.as_numpy_dtype)
    out = tf.nn.dropout(tf.constant(x), keep_prob=0.8, seed=3)
    out2 = tf.nn.dropout(tf.constant(x), rate=0.25)
    assert out.dtype == dtype and out.shape.as_list() == [200, 100]
    with tf.Session() as sess:
        v, v2a = sess.run([out, out2])
        v2b = sess.run(out2)
    kept = v != 0
    np.testing.assert_allclose(v[kept], 1 / 0.8, rtol=1e-3)
    assert abs(kept.mean() - 0.8) < 0.02 and abs(float(v.mean()) - 1.0) < 0.03
    np.testing.assert_allclose(v2a[v2a != 0], 1 / 0.75, rtol=1e-3)
    assert abs((v2a != 0).mean() - 0.75) < 0.02
    assert not np.array_equal(v2a, v2b)  # a new mask each run


def test_nn_dropout_identity_noise_shape_placeholders_and_seeds():
    x = tf.constant(RNG.randn(3, 4).astype(np.float32))
    assert tf.nn.dropout(x, keep_prob=1.0) is x
    assert tf.nn.dropout(x, rate=0.0) is x
    ns = tf.nn.dropout(tf.ones([50, 40]), rate=0.5, noise_shape=[50, 1], seed=1)
    p = tf.placeholder(tf.float32, [None, None])
    kp = tf.placeholder(tf.float32, [])
    dyn = tf.nn.dropout(p, keep_prob=kp, seed=2)
    tf.set_random_seed(5)
    s1 = tf.nn.dropout(tf.ones([100]), rate=0.5, seed=4)
    with tf.Session() as sess:
        nv = sess.run(ns)
        dv = sess.run(dyn, {p: np.ones([30, 30]), kp: 0.5})
        dv1 = sess.run(dyn, {p: np.ones([30, 30]), kp: 1.0})
        a = sess.run(s1)
    with tf.Session() as sess:
        b = sess.run(s1)
    assert all(len(set(row.tolist())) == 1 for row in nv)  # whole rows kept or dropped
    assert set(np.unique(dv).tolist()) <= {0.0, 2.0} and 0.3 < (dv != 0).mean() < 0.7
    np.testing.assert_array_equal(dv1, np.ones([30, 30]))  # keep_prob 1 at run time: identity
    np.testing.assert_array_equal(a, b)  # seeded: the same mask in a new session


def test_nn_dropout_errors():
    x = tf.ones([2])
    for kw in ({"keep_prob": 0.0}, {"rate": 1.0}, {"rate": -0.1}, {"keep_prob": 1.5}):
        with pytest.raises(ValueError, match="rate must be a scalar tensor or a float in the range"):
            tf.nn.dropout(x, **kw)
    with pytest.raises(ValueError, match="Cannot specify both"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="You must provide a rate"):
        tf.nn.dropout(x)
    with pytest.raises(ValueError, match="floating point tensor"):
        tf.nn.dropout(tf.ones([2], tf.int32), rate=0.5)


# ---- dense ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_dense_against_numpy(dtype):
    npd = dtype.as_numpy_dtype
    x = tf.placeholder(dtype, [None, 4])
    k = RNG.randn(4, 3).astype(npd)
    b = RNG.randn(3).astype(npd)
    y = tf.layers.dense(x, 3, activation=tf.nn.relu, kernel_initializer=tf.constant_initializer(k),
                        bias_initializer=tf.constant_initializer(b))
    y2 = tf.layers.dense(y, 2, use_bias=False)
    x3 = tf.placeholder(dtype, [2, 5, 4])
    y3 = tf.layers.dense(x3, 3, name="dense", reuse=True)  # rank 3 via tensordot, sharing dense/kernel
    names = [v.op.name for v in tf.trainable_variables()]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel"]
    assert y.op.name == "dense/Relu" and y.dtype == dtype and y3.shape.as_list() == [2, 5, 3]
    xv = RNG.randn(6, 4).astype(npd)
    x3v = RNG.randn(2, 5, 4).astype(npd)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k2 = RNG.randn(3, 2).astype(npd)
        tf.trainable_variables()[2].load(k2, sess)
        yv, y2v, y3v = sess.run([y, y2, y3], {x: xv, x3: x3v})
    want = np.maximum(xv @ k + b, 0)
    tol = 1e-5 if dtype == tf.float32 else 1e-12
    np.testing.assert_allclose(yv, want, rtol=tol, atol=tol)
    np.testing.assert_allclose(y2v, want @ k2, rtol=tol, atol=tol)
    np.testing.assert_allclose(y3v, x3v @ k + b, rtol=tol, atol=tol)


def test_dense_reuse_names_regularizers_and_errors():
    x = tf.placeholder(tf.float32, [None, 3])
    reg = tf.contrib.layers.l2_regularizer(1.0)
    a = tf.layers.dense(x, 2, name="fc", kernel_initializer=tf.ones_initializer(), kernel_regularizer=reg)
    b = tf.layers.dense(x, 2, name="fc", reuse=True, kernel_regularizer=reg)
    with tf.variable_scope("net", reuse=tf.AUTO_REUSE):
        c = tf.layers.dense(x, 2, name="fc")
        d = tf.layers.dense(x, 2, name="fc")
    assert [v.op.name for v in tf.global_variables()] == ["fc/kernel", "fc/bias", "net/fc/kernel", "net/fc/bias"]
    assert b.op.name.startswith("fc_1/")
    losses = tf.losses.get_regularization_losses()
    assert len(losses) == 1 and losses[0].op.name == "fc/kernel/Regularizer/l2_regularizer"
    with pytest.raises(ValueError, match="already exists"):
        tf.layers.dense(x, 2, name="fc")
    with pytest.raises(ValueError, match="does not exist"):
        tf.layers.dense(x, 2, name="nope", reuse=True)
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense` should be defined"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 2)
    with pytest.raises(ValueError, match="min_ndim=2"):
        tf.layers.dense(tf.ones([3]), 2)
    xv = RNG.randn(2, 3).astype(np.float32)
    av, bv, cv, dv, lv = _init_and_run([a, b, c, d, losses[0]], {x: xv})
    np.testing.assert_allclose(av, xv.sum(1, keepdims=True) * np.ones((1, 2)), rtol=1e-6)
    np.testing.assert_array_equal(av, bv)
    np.testing.assert_array_equal(cv, dv)
    assert lv == 3.0  # sum(ones(3, 2)^2) / 2


def test_dense_trainable_false_and_activity_regularizer():
    x = tf.constant(np.ones([4, 2], np.float32))
    tf.layers.dense(x, 3, trainable=False, activity_regularizer=tf.contrib.layers.l1_regularizer(1.0),
                    kernel_initializer=tf.ones_initializer())
    assert tf.trainable_variables() == [] and len(tf.global_variables()) == 2
    (act,) = tf.losses.get_regularization_losses()
    np.testing.assert_allclose(_init_and_run(act), 4 * 3 * 2.0 / 4)  # l1 of outputs / batch size


# ---- conv2d and pooling ---------------------------------------------------------------------------

def _conv_np(x, k, stride, padding):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, k, axes=[[1, 2, 3], [0, 1, 2]])
    return out


@pytest.mark.parametrize("padding,stride", [("valid", 1), ("same", 2), ("SAME", 1)])
def test_conv2d_against_numpy(padding, stride):
    x = RNG.randn(2, 7, 6, 3).astype(np.float32)
    k = RNG.randn(3, 2, 3, 4).astype(np.float32)
    bias = RNG.randn(4).astype(np.float32)
    y = tf.layers.conv2d(tf.constant(x), 4, (3, 2), strides=stride, padding=padding,
                         kernel_initializer=tf.constant_initializer(k), bias_initializer=tf.constant_initializer(bias),
                         activation=tf.nn.relu)
    assert [v.op.name for v in tf.trainable_variables()] == ["conv2d/kernel", "conv2d/bias"]
    assert tf.trainable_variables()[0].shape.as_list() == [3, 2, 3, 4]
    want = np.maximum(_conv_np(x, k, stride, padding.lower()) + bias, 0)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(_init_and_run(y), want, rtol=1e-4, atol=1e-4)


def test_conv2d_channels_first_and_errors():
    x = RNG.randn(1, 5, 5, 2).astype(np.float32)
    k = RNG.randn(3, 3, 2, 3).astype(np.float32)
    y = tf.layers.conv2d(tf.constant(x.transpose(0, 3, 1, 2)), 3, 3, data_format="channels_first",
                         kernel_initializer=tf.constant_initializer(k), use_bias=False)
    assert y.shape.as_list() == [1, 3, 3, 3]
    np.testing.assert_allclose(_init_and_run(y), _conv_np(x, k, 1, "valid").transpose(0, 3, 1, 2), rtol=1e-4,
                               atol=1e-4)
    with pytest.raises(ValueError, match="ndim=4"):
        tf.layers.conv2d(tf.ones([2, 3, 3]), 2, 1)
    with pytest.raises(ValueError, match="channel dimension of the inputs should be defined"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 4, 4, None]), 2, 1)
    with pytest.raises(ValueError, match="padding"):
        tf.layers.conv2d(tf.ones([1, 3, 3, 1]), 2, 1, padding="full")


def test_pooling_and_flatten():
    x = RNG.randn(2, 4, 6, 3).astype(np.float32)
    mp = tf.layers.max_pooling2d(x, 2, 2)
    ap = tf.layers.average_pooling2d(x, (2, 3), (2, 3), padding="valid")
    mps = tf.layers.max_pooling2d(x, 3, 2, padding="same")
    fl = tf.layers.flatten(x)
    fl_first = tf.layers.flatten(x.transpose(0, 3, 1, 2), data_format="channels_first")
    p = tf.placeholder(tf.float32, [None, 2, 3])
    fl_dyn = tf.layers.flatten(p)
    assert mp.op.name == "max_pooling2d/MaxPool" and ap.op.name == "average_pooling2d/AvgPool"
    assert fl.shape.as_list() == [2, 72] and fl_dyn.shape.as_list() == [None, 6]
    mpv, apv, mpsv, flv, flfv, fldv = _init_and_run([mp, ap, mps, fl, fl_first, fl_dyn],
                                                    {p: np.arange(12.0).reshape(2, 2, 3)})
    np.testing.assert_allclose(mpv, x.reshape(2, 2, 2, 3, 2, 3).max(axis=(2, 4)))
    np.testing.assert_allclose(apv, x.reshape(2, 2, 2, 2, 3, 3).mean(axis=(2, 4)), rtol=1e-6)
    assert mpsv.shape == (2, 2, 3, 3)
    np.testing.assert_allclose(mpsv[:, 0, 0], x[:, :3, :3].max(axis=(1, 2)))  # SAME pads after
    np.testing.assert_array_equal(flv, x.reshape(2, -1))
    np.testing.assert_array_equal(flfv, x.reshape(2, -1))
    np.testing.assert_array_equal(fldv, np.arange(12.0).reshape(2, 6))


# ---- dropout layer --------------------------------------------------------------------------------

def test_dropout_layer_training_flag():
    x = np.ones([100, 100], np.float32)
    off = tf.layers.dropout(x, rate=0.5)
    on = tf.layers.dropout(x, rate=0.5, training=True, seed=1)
    flag = tf.placeholder(tf.bool, [])
    dyn = tf.layers.dropout(x, rate=0.3, training=flag)
    assert off.op.name == "dropout/Identity" and on.op.name.startswith("dropout_1/")
    with tf.Session() as sess:
        offv, onv = sess.run([off, on])
        dyn_off = sess.run(dyn, {flag: False})
        dyn_on = sess.run(dyn, {flag: True})
    np.testing.assert_array_equal(offv, x)
    np.testing.assert_array_equal(dyn_off, x)
    assert abs((onv != 0).mean() - 0.5) < 0.03 and set(np.unique(onv).tolist()) == {0.0, 2.0}
    assert abs((dyn_on != 0).mean() - 0.7) < 0.03


# ---- batch normalization --------------------------------------------------------------------------

def _bn_np(x, axis, mean, var, gamma, beta, eps):
    shape = [1] * x.ndim
    shape[axis] = -1
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("fused", [None, False])
@pytest.mark.parametrize("axis", [-1, 1])
def test_batch_norm_training_and_updates(fused, axis):
    x = (RNG.randn(4, 3, 5, 6) * 2 + 1).astype(np.float32)
    inp = tf.placeholder(tf.float32, [None, 3, 5, 6])
    gamma = RNG.rand(x.shape[axis]).astype(np.float32) + 0.5
    beta = RNG.randn(x.shape[axis]).astype(np.float32)
    y = tf.layers.batch_normalization(inp, axis=axis, momentum=0.9, epsilon=1e-3, training=True, fused=fused,
                                      gamma_initializer=tf.constant_initializer(gamma),
                                      beta_initializer=tf.constant_initializer(beta))
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean",
                     "batch_normalization/moving_variance"]
    assert [v.op.name for v in tf.trainable_variables()] == names[:2]
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    ax = axis % 4
    red = tuple(i for i in range(4) if i != ax)
    bm, bv = x.mean(red), x.var(red)
    n = x.size / x.shape[ax]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        yv = sess.run(y, {inp: x})
        sess.run(updates, {inp: x})
        mm, mv = sess.run(tf.global_variables()[2:])
    np.testing.assert_allclose(yv, _bn_np(x, ax, bm, bv, gamma, beta, 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mm, 0.1 * bm, rtol=1e-5, atol=1e-6)
    # fused (the default for 4-D inputs) feeds the moving variance the unbiased batch variance, as TF does
    var_for_update = bv * n / (n - 1) if fused is None else bv
    np.testing.assert_allclose(mv, 0.9 + 0.1 * var_for_update, rtol=1e-5)


@pytest.mark.parametrize("shape,axis", [((6, 4), -1), ((3, 4, 5), 1), ((2, 3, 4, 5), -1)])
def test_batch_norm_inference_and_dynamic_training_flag(shape, axis):
    x = RNG.randn(*shape).astype(np.float32)
    flag = tf.placeholder(tf.bool, [])
    y_inf = tf.layers.batch_normalization(x, axis=axis, name="bn")
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []  # no updates outside training
    y_dyn = tf.layers.batch_normalization(x, axis=axis, name="bn", reuse=True, training=flag, momentum=0.5)
    mean_v, var_v = tf.global_variables()[2:]
    c = shape[axis]
    mm = RNG.randn(c).astype(np.float32)
    mv = RNG.rand(c).astype(np.float32) + 0.5
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    ax = axis % len(shape)
    red = tuple(i for i in range(len(shape)) if i != ax)
    ones, zeros = np.ones(c, np.float32), np.zeros(c, np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        mean_v.load(mm, sess)
        var_v.load(mv, sess)
        yi, yd_off = sess.run([y_inf, y_dyn], {flag: False})
        sess.run(updates, {flag: False})  # not training: the moving statistics stay
        np.testing.assert_allclose(sess.run(mean_v), mm, rtol=1e-6)
        yd_on = sess.run(y_dyn, {flag: True})
        sess.run(updates, {flag: True})
        new_mean = sess.run(mean_v)
    np.testing.assert_allclose(yi, _bn_np(x, ax, mm, mv, ones, zeros, 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(yd_off, yi, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(yd_on, _bn_np(x, ax, x.mean(red), x.var(red), ones, zeros, 1e-3), rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(new_mean, 0.5 * mm + 0.5 * x.mean(red), rtol=1e-5, atol=1e-6)


def test_batch_norm_center_scale_off_float16_and_errors():
    x = RNG.randn(8, 2, 2, 3).astype(np.float16)
    y = tf.layers.batch_normalization(x, center=False, scale=False, training=True)
    assert y.dtype == tf.float16
    assert [v.op.name for v in tf.global_variables()] == ["batch_normalization/moving_mean",
                                                           "batch_normalization/moving_variance"]
    assert tf.global_variables()[0].dtype == tf.float32
    xf = x.astype(np.float32)
    want = (xf - xf.mean((0, 1, 2))) / np.sqrt(xf.var((0, 1, 2)) + 1e-3)
    np.testing.assert_allclose(_init_and_run(y).astype(np.float32), want, rtol=2e-2, atol=2e-2)
    with pytest.raises(ValueError, match="fused=True"):
        tf.layers.batch_normalization(np.ones([2, 3], np.float32), fused=True)
    with pytest.raises(ValueError, match="undefined `axis` dimension"):
        tf.layers.batch_normalization(tf.placeholder(tf.float32, [None, None]))


def test_layers_train_with_gradients_and_update_ops():
    """A dense + batch norm net: gradients exist for every trainable variable and a train step runs."""
    # Graph-level seed: the initializers and the dropout mask are otherwise drawn fresh each run, and
    # about 1 run in 100 of this tiny net does not halve its loss in 30 steps.
    tf.set_random_seed(7)
    x = tf.placeholder(tf.float32, [None, 4])
    h = tf.layers.dense(x, 8, activation=tf.nn.relu)
    h = tf.layers.batch_normalization(tf.reshape(h, [-1, 1, 1, 8]), training=True)
    h = tf.layers.dropout(tf.layers.flatten(h), rate=0.1, training=True)
    logits = tf.layers.dense(h, 3)
    loss = tf.losses.sparse_softmax_cross_entropy(tf.constant([0, 1, 2, 0]), logits)
    tvars = tf.trainable_variables()
    grads = tf.gradients(loss, tvars)
    assert all(g is not None for g in grads)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.group(*[v.assign_sub(0.1 * g) for v, g in zip(tvars, grads)])
    xv = np.random.RandomState(0).randn(4, 4).astype(np.float32)  # not the shared RNG: order independent
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: xv})
        for _ in range(30):
            sess.run(train, {x: xv})
        after = sess.run(loss, {x: xv})
        assert np.isfinite(before) and after < 0.5 * before
        assert sess.run(tf.global_variables()[4]).any()  # moving_mean was updated
