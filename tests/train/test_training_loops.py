"""TF1 training loops run unchanged: sess.run(train_op, feed_dict=...) trains linear regression, logistic
regression and a 784-256-10 MLP on synthetic data to low loss / high accuracy with each optimizer."""
import numpy as np
import pytest

import graphrt as tf

OPTIMIZERS = {
    "sgd": lambda lr: tf.train.GradientDescentOptimizer(lr),
    "momentum": lambda lr: tf.train.MomentumOptimizer(lr, 0.9),
    "nesterov": lambda lr: tf.train.MomentumOptimizer(lr, 0.9, use_nesterov=True),
    "adam": lambda lr: tf.train.AdamOptimizer(lr),
    "adagrad": lambda lr: tf.train.AdagradOptimizer(lr),
    "rmsprop": lambda lr: tf.train.RMSPropOptimizer(lr),
    "rmsprop_centered": lambda lr: tf.train.RMSPropOptimizer(lr, momentum=0.5, centered=True),
    "adadelta": lambda lr: tf.train.AdadeltaOptimizer(lr, epsilon=1e-4),
}

# learning rates for (linear regression, logistic regression, MLP)
LRS = {
    "sgd": (0.1, 0.5, 0.1),
    "momentum": (0.02, 0.1, 0.02),
    "nesterov": (0.02, 0.1, 0.02),
    "adam": (0.05, 0.05, 0.001),
    "adagrad": (0.5, 0.5, 0.05),
    "rmsprop": (0.01, 0.02, 0.001),
    "rmsprop_centered": (0.01, 0.02, 0.001),
    "adadelta": (1.0, 1.0, 1.0),
}


def _batches(rng, x, y, batch, steps):
    for _ in range(steps):
        i = rng.randint(0, len(x), batch)
        yield x[i], y[i]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_linear_regression(name):
    rng = np.random.RandomState(0)
    w_true = rng.randn(5, 1).astype(np.float32)
    xs = rng.randn(1000, 5).astype(np.float32)
    ys = (xs @ w_true + 0.7 + 0.01 * rng.randn(1000, 1)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 5])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.zeros([5, 1]))
    b = tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    gs = tf.train.get_or_create_global_step()
    train = OPTIMIZERS[name](LRS[name][0]).minimize(loss, global_step=gs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: xs, y: ys})
        for bx, by in _batches(rng, xs, ys, 32, 300):
            sess.run(train, feed_dict={x: bx, y: by})
        final = sess.run(loss, {x: xs, y: ys})
        assert sess.run(gs) == 300
        assert final < 1e-2 * first and final < 0.02, (first, final)
        np.testing.assert_allclose(sess.run(w), w_true, atol=0.1)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_logistic_regression(name):
    rng = np.random.RandomState(1)
    xs = rng.randn(800, 2).astype(np.float32)
    ys = (xs[:, :1] - 2 * xs[:, 1:] > 0.3).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.zeros([2, 1]))
    b = tf.Variable(tf.zeros([1]))
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), y), tf.float32))
    train = OPTIMIZERS[name](LRS[name][1]).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for bx, by in _batches(rng, xs, ys, 64, 300):
            sess.run(train, feed_dict={x: bx, y: by})
        final_loss, final_acc = sess.run([loss, acc], {x: xs, y: ys})
        assert final_acc > 0.95 and final_loss < 0.3, (final_loss, final_acc)


def _mlp_data(rng, n=2048):
    centers = rng.randn(10, 784).astype(np.float32)
    labels = rng.randint(0, 10, n)
    xs = (centers[labels] + 2.0 * rng.randn(n, 784)).astype(np.float32)
    return xs, labels.astype(np.int64)


def _mlp(rng):
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.int64, [None])
    w1 = tf.Variable((rng.randn(784, 256) * np.sqrt(2.0 / 784)).astype(np.float32), name="w1")
    b1 = tf.Variable(tf.zeros([256]), name="b1")
    w2 = tf.Variable((rng.randn(256, 10) * np.sqrt(1.0 / 256)).astype(np.float32), name="w2")
    b2 = tf.Variable(tf.zeros([10]), name="b2")
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    return x, y, loss, acc, w1


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_mlp_784_256_10(name):
    rng = np.random.RandomState(2)
    xs, ys = _mlp_data(rng)
    x, y, loss, acc, _ = _mlp(rng)
    train = OPTIMIZERS[name](LRS[name][2]).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: xs[:512], y: ys[:512]})
        for bx, by in _batches(rng, xs, ys, 64, 120):
            sess.run(train, feed_dict={x: bx, y: by})
        final_loss, final_acc = sess.run([loss, acc], {x: xs, y: ys})
        assert final_acc > 0.95 and final_loss < 0.25 * first, (first, final_loss, final_acc)


def test_fetched_weights_do_not_change_after_later_steps():
    rng = np.random.RandomState(3)
    xs, ys = _mlp_data(rng, 256)
    x, y, loss, _, w1 = _mlp(rng)
    train = tf.train.AdamOptimizer(0.001).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: xs[:64], y: ys[:64]})
        snap = sess.run(w1)
        copy = snap.copy()
        # A fetch in the same run as the update is a snapshot too (before or after, never torn).
        _, snap2 = sess.run([train, w1], {x: xs[64:128], y: ys[64:128]})
        copy2 = snap2.copy()
        for i in range(4):
            sess.run(train, {x: xs[64 * i:64 * i + 64], y: ys[64 * i:64 * i + 64]})
        np.testing.assert_array_equal(snap, copy)
        np.testing.assert_array_equal(snap2, copy2)
        assert not np.array_equal(sess.run(w1), copy)
