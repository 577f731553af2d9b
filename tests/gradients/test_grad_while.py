"""Gradients through tf.while_loop (While): checked against finite differences."""
import numpy as np
import pytest

import graphrt as tf
from gradient_checker import check_gradients, rand


def test_running_sum():
    def fn(x):
        return tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s + x * tf.cast(i, tf.float64)),
                             [tf.constant(0), tf.zeros_like(x)])[1]
    check_gradients(fn, [rand(3)])


def test_power_by_repeated_multiply():
    def fn(x):
        return tf.while_loop(lambda i, p: i < 5, lambda i, p: (i + 1, p * x), [tf.constant(0), tf.ones_like(x)])[1]
    check_gradients(fn, [rand(2, 2, lo=0.5, hi=1.5)])


def test_power_value():
    x = tf.placeholder(tf.float64, [])
    p = tf.while_loop(lambda i, p: i < 5, lambda i, p: (i + 1, p * x), [0, tf.constant(1.0, tf.float64)])[1]
    g = tf.gradients(p, x)[0]
    with tf.Session() as s:
        assert s.run(g, {x: 1.5}) == pytest.approx(5 * 1.5 ** 4)


def test_loop_var_initial_value_and_captured_tensor():
    def fn(v0, w):
        return tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.tanh(tf.matmul(v, w))),
                             [tf.constant(0), v0])[1]
    check_gradients(fn, [rand(2, 3), rand(3, 3, seed=1)])


def test_captured_tensor_used_in_cond_and_data_dependent_trip_count():
    x = tf.placeholder(tf.float64, [])
    limit = tf.placeholder(tf.float64, [])
    out = tf.while_loop(lambda v: v < limit, lambda v: v * 2.0 + x, [x])
    gx, gl = tf.gradients(out, [x, limit])
    with tf.Session() as s:
        # x=1: 1 -> 3 -> 7 -> 15 (limit 10): out = 8x+... d/dx of ((x*2+x)*2+x)*2+x = 15
        assert s.run(out, {x: 1.0, limit: 10.0}) == pytest.approx(15.0)
        assert s.run(gx, {x: 1.0, limit: 10.0}) == pytest.approx(15.0)
        assert gl is None or s.run(gl, {x: 1.0, limit: 10.0}) == 0.0


def test_nested_cond_inside_while():
    def fn(x):
        def body(i, v):
            nv = tf.cond(tf.equal(i % 2, 0), lambda: tf.sin(v) * x, lambda: v * v + x)
            return i + 1, nv
        return tf.while_loop(lambda i, v: i < 4, body, [tf.constant(0), x])[1]
    check_gradients(fn, [rand(3)])


def test_maximum_iterations():
    def fn(x):
        return tf.while_loop(lambda v: tf.reduce_sum(v) < 1e9, lambda v: v * 1.5 + tf.sin(v), [x],
                             maximum_iterations=3)
    check_gradients(fn, [rand(4)])


def test_maximum_iterations_value():
    x = tf.placeholder(tf.float64, [])
    y = tf.while_loop(lambda v: v < 100.0, lambda v: v * x, [x], maximum_iterations=2)
    g = tf.gradients(y, x)[0]
    with tf.Session() as s:
        assert s.run([y, g], {x: 2.0}) == pytest.approx([8.0, 12.0])  # x**3


def test_zero_iterations_passes_gradient_through():
    x = tf.placeholder(tf.float64, [3])
    y = tf.while_loop(lambda i, v: i < 0, lambda i, v: (i + 1, v * 3.0), [tf.constant(0), x])[1]
    g = tf.gradients(tf.reduce_sum(y * y), x)[0]
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: [1.0, 2.0, 3.0]}), [2.0, 4.0, 6.0])


def test_runtime_trip_count_and_unknown_shapes():
    def fn(x):
        n = tf.cast(tf.reduce_sum(x * 0.0) + 3.0, tf.int32)
        return tf.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, tf.sin(v) + v * x), [tf.constant(0), x])[1]
    check_gradients(fn, [rand(3)], static_shapes=False)


def test_shape_changing_loop_variable():
    def fn(x):
        def body(i, v):
            return i + 1, tf.concat([v, tf.sin(v[-1:]) * x[i]], 0)
        return tf.while_loop(lambda i, v: i < 3, body, [tf.constant(0), x],
                             shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])[1]
    check_gradients(fn, [rand(4)])


def test_loop_variable_returned_unchanged_gets_accumulated_gradient():
    def fn(x, w):
        return tf.while_loop(lambda i, v, c: i < 3, lambda i, v, c: (i + 1, v * c + 1.0, c),
                             [tf.constant(0), x, w])[1]
    check_gradients(fn, [rand(2), rand(2, seed=3)])


def test_same_outer_tensor_captured_and_passed():
    def fn(x):
        return tf.while_loop(lambda i, v, c: i < 2, lambda i, v, c: (i + 1, v * c * x, c),
                             [tf.constant(0), x, x])[1]
    check_gradients(fn, [rand(3, lo=0.5, hi=1.5)])


def test_nested_while():
    def fn(x):
        def outer_body(i, v):
            inner = tf.while_loop(lambda j, u: j < 2, lambda j, u: (j + 1, u * v + x), [tf.constant(0), v])[1]
            return i + 1, tf.tanh(inner)
        return tf.while_loop(lambda i, v: i < 2, outer_body, [tf.constant(0), x])[1]
    check_gradients(fn, [rand(2)])


def test_multiple_float_outputs():
    def fn(a, b):
        ra, rb = tf.while_loop(lambda i, a, b: i < 3, lambda i, a, b: (i + 1, a * b, a + tf.exp(b * 0.1)),
                               [tf.constant(0), a, b])[1:]
        return ra * 2.0 + rb
    check_gradients(fn, [rand(2), rand(2, seed=5)])


def test_float32_loop():
    x = tf.placeholder(tf.float32, [2])
    y = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * x), [0, tf.ones([2])])[1]
    g = tf.gradients(y, x)[0]
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: [1.0, 2.0]}), [3.0, 12.0], rtol=1e-6)


def test_gradient_wrt_variable():
    w = tf.Variable(np.array([0.5, -1.0]), dtype=tf.float64)
    x = tf.placeholder(tf.float64, [2])
    y = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * w + 1.0), [tf.constant(0), x])[1]
    loss = tf.reduce_sum(y)
    g = tf.gradients(loss, w)[0]
    assert g is not None
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        xv = np.array([2.0, 3.0])
        wv = np.array([0.5, -1.0])
        # y = x w^3 + w^2 + w + 1 -> dy/dw = 3 x w^2 + 2 w + 1
        np.testing.assert_allclose(s.run(g, {x: xv}), 3 * xv * wv ** 2 + 2 * wv + 1)


def test_training_through_while_loop_reduces_loss():
    w = tf.Variable(np.array(0.3), dtype=tf.float64)
    y = tf.while_loop(lambda i, v: i < 4, lambda i, v: (i + 1, v * w), [tf.constant(0), tf.constant(2.0, tf.float64)])[1]
    loss = tf.square(y - 0.5)
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        first = s.run(loss)
        for _ in range(30):
            s.run(train)
        assert s.run(loss) < first * 0.1


def test_second_gradient_through_while():
    x = tf.placeholder(tf.float64, [])
    y = tf.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, p * x), [0, tf.constant(1.0, tf.float64)])[1]
    g = tf.gradients(y, x)[0]
    gg = tf.gradients(g, x)[0]
    with tf.Session() as s:
        assert s.run([g, gg], {x: 2.0}) == pytest.approx([12.0, 12.0])
