"""Trains a 784-256-10 MLP on synthetic, linearly separable data with tf.train.GradientDescentOptimizer,
TF1 style: placeholders, variables, a loss, sess.run(train_op, feed_dict=...)."""
import time

import numpy as np

import graphrt as tf

rng = np.random.default_rng(0)
n_features, n_hidden, n_classes, batch = 784, 256, 10, 64

# Synthetic data: each class is a blob around its own random centre.
centres = rng.standard_normal((n_classes, n_features)).astype(np.float32)
labels = rng.integers(0, n_classes, size=6400)
data = (centres[labels] + 0.8 * rng.standard_normal((labels.size, n_features))).astype(np.float32)

x = tf.placeholder(tf.float32, [None, n_features], name="x")
y = tf.placeholder(tf.int64, [None], name="y")
w1 = tf.Variable(tf.random_normal([n_features, n_hidden], stddev=0.05, seed=1), name="w1")
b1 = tf.Variable(tf.zeros([n_hidden]), name="b1")
w2 = tf.Variable(tf.random_normal([n_hidden, n_classes], stddev=0.05, seed=2), name="w2")
b2 = tf.Variable(tf.zeros([n_classes]), name="b2")
hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
logits = tf.matmul(hidden, w2) + b2
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=1), y), tf.float32))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    start = time.perf_counter()
    steps = 300
    for step in range(1, steps + 1):
        idx = rng.integers(0, labels.size, size=batch)
        _, loss_value = sess.run([train_op, loss], feed_dict={x: data[idx], y: labels[idx]})
        if step % 50 == 0:
            rate = step / (time.perf_counter() - start)
            print(f"step {step:4d}  loss {loss_value:.4f}  {rate:,.0f} steps/s")
    final = sess.run(accuracy, feed_dict={x: data, y: labels})
    print(f"final accuracy {final:.4f}")
