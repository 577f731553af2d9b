"""Gradients through tf.cond (If); while_loop gradients are in test_grad_while.py."""
import numpy as np
import pytest

import graphrt as tf
from gradient_checker import check_gradients, rand


@pytest.mark.parametrize("take", [True, False])
def test_cond_gradient(take):
    def fn(x, w):
        return tf.cond(tf.constant(take), lambda: tf.sin(x) * w, lambda: x * x + w)
    check_gradients(fn, [rand(3), np.array(0.7)])


def test_cond_branch_ignoring_an_input_gives_zeros():
    def fn(x, w):
        return tf.cond(tf.constant(False), lambda: x * w, lambda: x * 2.0)
    check_gradients(fn, [rand(2), np.array(1.5)])


def test_cond_multiple_outputs_and_runtime_predicate():
    x = tf.placeholder(tf.float64, [2])
    p = tf.placeholder(tf.bool, [])
    a, b = tf.cond(p, lambda: (x * 2.0, tf.exp(x)), lambda: (x * 3.0, x))
    g = tf.gradients(tf.reduce_sum(a) + tf.reduce_sum(b), x)[0]
    xv = np.array([0.1, 0.2])
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: xv, p: True}), 2 + np.exp(xv))
        np.testing.assert_allclose(s.run(g, {x: xv, p: False}), [4, 4])


def test_nested_cond_and_second_derivative():
    x = tf.placeholder(tf.float64, [])
    y = tf.cond(x > 0.0, lambda: tf.cond(x > 1.0, lambda: x ** 3, lambda: x * x), lambda: -x)
    g = tf.gradients(y, x)[0]
    gg = tf.gradients(g, x)[0]
    with tf.Session() as s:
        assert s.run([g, gg], {x: 2.0}) == pytest.approx([12.0, 12.0])
        assert s.run([g, gg], {x: 0.5}) == pytest.approx([1.0, 2.0])
        assert s.run([g, gg], {x: -1.0}) == pytest.approx([-1.0, 0.0])


def test_cond_with_integer_output_only_float_grads():
    x = tf.placeholder(tf.float64, [3])
    y, n = tf.cond(tf.constant(True), lambda: (x * 4.0, tf.constant(1)), lambda: (x, tf.constant(2)))
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: [1, 2, 3]}), [4, 4, 4])

