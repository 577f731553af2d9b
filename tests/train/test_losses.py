"""tf.losses against numpy: each loss, weights, reductions, label smoothing, collections, errors."""
import numpy as np
import pytest

import graphrt as tf

R = tf.losses.Reduction
RNG = np.random.RandomState(0)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def _reduce(losses, weights, reduction):
    w = np.broadcast_to(np.asarray(weights, np.float64), losses.shape)
    weighted = losses * w
    if reduction == R.NONE:
        return weighted
    total = weighted.sum()
    if reduction == R.SUM:
        return total
    if reduction == R.MEAN:
        d = w.sum()
    elif reduction == R.SUM_OVER_BATCH_SIZE:
        d = losses.size
    else:
        d = np.count_nonzero(w)
    return total / d if d != 0 else 0.0


def _softmax_xent(labels, logits):
    m = logits.max(-1, keepdims=True)
    lse = np.log(np.exp(logits - m).sum(-1, keepdims=True)) + m
    return -(labels * (logits - lse)).sum(-1)


def _sigmoid_xent(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


WEIGHTS = [1.0, 2.5, "vector", "zeros_some"]
REDUCTIONS = [R.SUM_BY_NONZERO_WEIGHTS, R.SUM, R.MEAN, R.NONE, R.SUM_OVER_BATCH_SIZE]


def _weights(kind, shape):
    if isinstance(kind, float):
        return kind
    w = RNG.uniform(0.5, 2.0, size=(shape[0],) + (1,) * (len(shape) - 1)).astype(np.float32)
    if kind == "zeros_some":
        w[::2] = 0.0
    return w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wkind", WEIGHTS)
def test_regression_losses(reduction, wkind):
    shape = (6, 3)
    labels = RNG.randn(*shape).astype(np.float32)
    preds = RNG.randn(*shape).astype(np.float32)
    w = _weights(wkind, shape)
    diff = preds.astype(np.float64) - labels
    absd = np.abs(diff)
    quad = np.minimum(absd, 0.7)
    cases = {
        tf.losses.mean_squared_error(labels, preds, weights=w, reduction=reduction): diff ** 2,
        tf.losses.absolute_difference(labels, preds, weights=w, reduction=reduction): absd,
        tf.losses.huber_loss(labels, preds, weights=w, delta=0.7, reduction=reduction):
            0.5 * quad ** 2 + 0.7 * (absd - quad),
    }
    got = _run(list(cases))
    for g, (t, want) in zip(got, cases.items()):
        assert t.dtype == tf.float32
        np.testing.assert_allclose(g, _reduce(want, w, reduction), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_classification_losses(reduction):
    n, k = 8, 5
    logits = RNG.randn(n, k).astype(np.float32)
    ids = RNG.randint(0, k, size=n)
    onehot = np.eye(k, dtype=np.float32)[ids]
    w = _weights("zeros_some", (n,)).reshape(n)
    multi = (RNG.rand(n, k) > 0.5).astype(np.float32)
    probs = 1 / (1 + np.exp(-logits.astype(np.float64)))
    cases = [
        (tf.losses.softmax_cross_entropy(onehot, logits, weights=w, reduction=reduction),
         _softmax_xent(onehot, logits.astype(np.float64)), w),
        (tf.losses.softmax_cross_entropy(onehot, logits, label_smoothing=0.2, reduction=reduction),
         _softmax_xent(onehot * 0.8 + 0.2 / k, logits.astype(np.float64)), 1.0),
        (tf.losses.sparse_softmax_cross_entropy(ids, logits, weights=w, reduction=reduction),
         _softmax_xent(onehot, logits.astype(np.float64)), w),
        (tf.losses.sparse_softmax_cross_entropy(ids.reshape(n, 1), logits, weights=w.reshape(n, 1),
                                                reduction=reduction),
         _softmax_xent(onehot, logits.astype(np.float64)), w),
        (tf.losses.sigmoid_cross_entropy(multi, logits, weights=2.0, reduction=reduction),
         _sigmoid_xent(multi, logits.astype(np.float64)), 2.0),
        (tf.losses.sigmoid_cross_entropy(multi, logits, label_smoothing=0.1, reduction=reduction),
         _sigmoid_xent(multi * 0.9 + 0.05, logits.astype(np.float64)), 1.0),
        (tf.losses.hinge_loss(multi, logits, reduction=reduction),
         np.maximum(0, 1 - (2 * multi - 1) * logits.astype(np.float64)), 1.0),
        (tf.losses.log_loss(multi, probs.astype(np.float32), reduction=reduction),
         -multi * np.log(probs + 1e-7) - (1 - multi) * np.log(1 - probs + 1e-7), 1.0),
    ]
    got = _run([c[0] for c in cases])
    for i, (g, (_, want, weights)) in enumerate(zip(got, cases)):
        np.testing.assert_allclose(g, _reduce(want, weights, reduction), rtol=1e-5, atol=1e-5, err_msg=str(i))


def test_cosine_distance():
    rng = np.random.RandomState(1)  # not the shared RNG: the data must not depend on test order
    a = rng.randn(4, 3)
    b = rng.randn(4, 3)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    got = _run(tf.losses.cosine_distance(a, b, axis=1, reduction=R.NONE))
    # 1 - cos is computed in float32: its error is a few ulps of 1, so an atol for rows near parallel.
    np.testing.assert_allclose(got, 1 - (a * b).sum(1, keepdims=True), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="axis"):
        tf.losses.cosine_distance(a, b)


def test_dtypes_scalars_and_empty():
    l64 = tf.losses.mean_squared_error(np.array([1.0, 2.0]), tf.constant([1.5, 2.5], tf.float64))
    assert l64.dtype == tf.float32  # inputs are cast to float32 by TF's regression losses
    sx = tf.losses.softmax_cross_entropy(tf.constant([[0.0, 1.0]], tf.float64), tf.constant([[1.0, 2.0]], tf.float64))
    assert sx.dtype == tf.float64  # cross entropies return their logits' dtype
    scal = tf.losses.mean_squared_error(3.0, 1.0)
    empty = tf.losses.mean_squared_error(np.zeros([0, 2], np.float32), np.zeros([0, 2], np.float32))
    mean_empty = tf.losses.absolute_difference(np.zeros([0]), np.zeros([0]), reduction=R.MEAN)
    v64, vx, vs, ve, vme = _run([l64, sx, scal, empty, mean_empty])
    np.testing.assert_allclose(v64, 0.25)
    np.testing.assert_allclose(vx, _softmax_xent(np.array([[0.0, 1.0]]), np.array([[1.0, 2.0]]))[0], rtol=1e-6)
    assert vs == 4.0 and ve == 0.0 and vme == 0.0  # div_no_nan: no NaN for empty batches


def test_placeholders_with_unknown_shapes():
    labels = tf.placeholder(tf.float32, [None, None])
    preds = tf.placeholder(tf.float32, [None, None])
    w = tf.placeholder(tf.float32, [None, 1])
    loss = tf.losses.mean_squared_error(labels, preds, weights=w)
    lv, pv, wv = RNG.randn(5, 2), RNG.randn(5, 2), np.array([[0.0], [1.0], [2.0], [0.0], [1.0]])
    got = _run(loss, {labels: lv, preds: pv, w: wv})
    np.testing.assert_allclose(got, _reduce((pv - lv) ** 2, wv, R.SUM_BY_NONZERO_WEIGHTS), rtol=1e-5)


def test_static_errors():
    with pytest.raises(ValueError):
        tf.losses.mean_squared_error(np.zeros([3]), np.zeros([4]))
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.mean_squared_error(np.zeros([3, 2]), np.zeros([3, 2]), weights=np.ones([3]))
    with pytest.raises(ValueError, match="weights can not be broadcast to values. Mismatch at dim 1"):
        tf.losses.mean_squared_error(np.zeros([3, 2]), np.zeros([3, 2]), weights=np.ones([3, 3]))
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.mean_squared_error([1.0], [1.0], reduction="mean")
    with pytest.raises(ValueError, match="labels must not be None"):
        tf.losses.mean_squared_error(None, [1.0])
    with pytest.raises(ValueError, match="predictions must not be None"):
        tf.losses.absolute_difference([1.0], None)


def test_collections_total_loss_and_names():
    a = tf.losses.mean_squared_error([1.0, 2.0], [2.0, 4.0])
    b = tf.losses.absolute_difference([1.0], [3.0], loss_collection=None)
    c = tf.losses.absolute_difference([0.0], [0.5], scope="mine")
    assert tf.losses.get_losses() == [a, c] and tf.get_collection(tf.GraphKeys.LOSSES) == [a, c]
    assert tf.losses.get_losses(scope="mine") == [c]
    assert a.op.name.startswith("mean_squared_error/")
    tf.losses.add_loss(tf.constant(10.0))
    reg = tf.contrib.layers.l2_regularizer(0.1)(tf.constant([3.0, 4.0]))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, reg)
    assert tf.losses.get_regularization_losses() == [reg]
    total = tf.losses.get_total_loss()
    total_noreg = tf.losses.get_total_loss(add_regularization_losses=False, name="plain")
    assert total.op.name == "total_loss"
    np.testing.assert_allclose(_run([total, total_noreg, b, tf.losses.get_regularization_loss()]),
                               [2.5 + 0.5 + 10.0 + 1.25, 13.0, 2.0, 1.25], rtol=1e-6)


def test_empty_collections():
    np.testing.assert_allclose(_run(tf.losses.get_regularization_loss()), 0.0)
    with pytest.raises(ValueError):
        tf.losses.get_total_loss()


def test_regularizers():
    w = np.array([[1.0, -2.0], [3.0, -4.0]], np.float32)
    l1 = tf.contrib.layers.l1_regularizer(0.5)(w)
    l2 = tf.contrib.layers.l2_regularizer(0.25)(tf.constant(w, tf.float64))
    l12 = tf.contrib.layers.l1_l2_regularizer(0.5, 0.25)(w)
    assert l2.dtype == tf.float64 and l1.op.name == "l1_regularizer"
    np.testing.assert_allclose(_run([l1, l2, l12]), [5.0, 0.25 * 15.0, 5.0 + 3.75])
    assert tf.contrib.layers.l2_regularizer(0.0)(w) is None
    with pytest.raises(ValueError, match="scale cannot be an integer"):
        tf.contrib.layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        tf.contrib.layers.l1_regularizer(-0.5)
    v = tf.get_variable("w", initializer=w)
    penalty = tf.contrib.layers.apply_regularization(tf.contrib.layers.l2_regularizer(1.0), [v])
    assert tf.losses.get_regularization_losses() == [penalty]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(penalty), 15.0)


def test_loss_gradient_trains():
    x = np.array([[1.0], [2.0], [3.0]], np.float32)
    y = 2 * x + 1
    w = tf.get_variable("w", [1, 1], initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(y, tf.matmul(x, w) + b)
    gw, gb = tf.gradients(loss, [w, b])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        vgw, vgb = sess.run([gw, gb])
    # d/dw mean((xw + b - y)^2) at 0 = mean(-2 x y), d/db = mean(-2 y)
    np.testing.assert_allclose(vgw, [[np.mean(-2 * x * y)]], rtol=1e-5)
    np.testing.assert_allclose(vgb, [np.mean(-2 * y)], rtol=1e-5)
