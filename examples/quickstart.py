"""graphrt quickstart: the TF1 seed example, then a small MLP forward pass with fed weights."""
import numpy as np

import graphrt as tf

# The classic TF1 example: build a graph, run it in a session.
a = tf.constant(5.0)
b = tf.constant(6.0)
c = a * b
with tf.Session() as sess:
    print(sess.run(c))  # 30.0

# A two-layer MLP whose weights are fed at run time.
tf.reset_default_graph()
x = tf.placeholder(tf.float32, shape=[None, 4], name="x")
w1 = tf.placeholder(tf.float32, shape=[4, 8], name="w1")
b1 = tf.placeholder(tf.float32, shape=[8], name="b1")
w2 = tf.placeholder(tf.float32, shape=[8, 3], name="w2")
b2 = tf.placeholder(tf.float32, shape=[3], name="b2")
hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
logits = tf.matmul(hidden, w2) + b2

rng = np.random.default_rng(0)
feeds = {
    x: rng.standard_normal((5, 4)).astype(np.float32),
    w1: rng.standard_normal((4, 8)).astype(np.float32),
    b1: rng.standard_normal(8).astype(np.float32),
    w2: rng.standard_normal((8, 3)).astype(np.float32),
    b2: rng.standard_normal(3).astype(np.float32),
}
with tf.Session() as sess:
    out = sess.run(logits, feed_dict=feeds)
expected = np.maximum(feeds[x] @ feeds[w1] + feeds[b1], 0) @ feeds[w2] + feeds[b2]
print("MLP logits, shape", out.shape)
print(np.array2string(out, precision=4))
print("matches numpy:", bool(np.allclose(out, expected, rtol=1e-5, atol=1e-5)))
