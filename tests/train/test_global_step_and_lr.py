"""tf.train global step helpers and learning-rate schedules, checked against numpy."""
import math

import numpy as np
import pytest

import graphrt as tf

STEPS = [0, 1, 3, 5, 10, 17, 100]


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def test_get_or_create_global_step():
    assert tf.train.get_global_step() is None
    gs = tf.train.get_or_create_global_step()
    assert gs.name == "global_step:0"
    assert gs.dtype == tf.int64 and gs.shape.as_list() == []
    assert not gs.trainable
    assert gs in tf.global_variables() and gs not in tf.trainable_variables()
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [gs]
    assert tf.train.get_or_create_global_step() is gs
    assert tf.train.get_global_step() is gs
    with pytest.raises(ValueError, match="already exists"):
        tf.train.create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert tf.train.global_step(sess, gs) == 0
        assert isinstance(tf.train.global_step(sess, gs), int)
        gs.load(42, sess)
        assert tf.train.global_step(sess, gs) == 42
        sess.run(gs.assign_add(3))
        assert tf.train.global_step(sess, gs) == 45


def test_global_step_in_other_graph_and_scopes():
    g = tf.Graph()
    with tf.name_scope("outer"):
        gs = tf.train.create_global_step(g)
    assert gs.graph is g
    assert gs.op.name == "global_step"  # created at the top level, not under the caller's scope
    assert tf.train.get_global_step() is None
    assert tf.train.get_global_step(g) is gs
    with g.as_default():
        assert tf.train.get_or_create_global_step() is gs


def test_assert_global_step_types():
    with pytest.raises(TypeError):
        tf.train.assert_global_step(tf.Variable(1.0))
    with pytest.raises(TypeError):
        tf.train.assert_global_step(tf.Variable([1, 2]))
    tf.train.assert_global_step(tf.Variable(1, dtype=tf.int32))


def _eval_at_steps(make, steps=STEPS):
    gs = tf.train.get_or_create_global_step()
    lr = make(gs)
    out = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for k in steps:
            gs.load(k, sess)
            out.append(sess.run(lr))
    return lr, np.array(out)


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    lr, got = _eval_at_steps(lambda gs: tf.train.exponential_decay(0.1, gs, 10, 0.5, staircase=staircase))
    p = np.array(STEPS, np.float64) / 10
    if staircase:
        p = np.floor(p)
    np.testing.assert_allclose(got, 0.1 * 0.5 ** p, rtol=1e-6)
    assert lr.dtype == tf.float32 and lr.shape.as_list() == []
    assert lr.op.name == "ExponentialDecay"


def test_exponential_decay_float64_and_name():
    lr, got = _eval_at_steps(lambda gs: tf.train.exponential_decay(
        tf.constant(0.5, tf.float64), gs, 3, 0.9, name="my_lr"))
    assert lr.dtype == tf.float64 and lr.op.name == "my_lr"
    np.testing.assert_allclose(got, 0.5 * 0.9 ** (np.array(STEPS) / 3), rtol=1e-12)


@pytest.mark.parametrize("fn", ["exponential_decay", "natural_exp_decay", "inverse_time_decay"])
def test_global_step_required(fn):
    with pytest.raises(ValueError, match="global_step is required"):
        getattr(tf.train, fn)(0.1, None, 10, 0.5)
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.polynomial_decay(0.1, None, 10)
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.cosine_decay(0.1, None, 10)


def test_piecewise_constant_int64_step():
    lr, got = _eval_at_steps(lambda gs: tf.train.piecewise_constant(gs, [5, 10], [1.0, 0.5, 0.1]),
                             steps=[0, 4, 5, 6, 10, 11, 1000])
    np.testing.assert_allclose(got, [1.0, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1], rtol=1e-7)
    assert lr.dtype == tf.float32


def test_piecewise_constant_float_x_and_errors():
    x = tf.placeholder(tf.float32, [])
    pc = tf.train.piecewise_constant(x, [0.5, 1.5, 2.5], [10, 20, 30, 40])
    assert pc.dtype == tf.int32
    with tf.Session() as sess:
        got = [sess.run(pc, {x: v}) for v in [-1.0, 0.5, 0.6, 1.5, 2.0, 2.5, 3.0]]
    assert got == [10, 10, 20, 20, 30, 30, 40]
    with pytest.raises(ValueError, match="1 less than"):
        tf.train.piecewise_constant(x, [0.5, 1.5], [1.0, 2.0])
    with pytest.raises(ValueError, match="same dtype as x"):
        tf.train.piecewise_constant(x, [1, 2], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same dtype"):
        tf.train.piecewise_constant(x, [0.5], [1.0, 2])


@pytest.mark.parametrize("cycle", [False, True])
@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_polynomial_decay(cycle, power):
    lr0, end, decay = 0.1, 0.001, 10
    _, got = _eval_at_steps(lambda gs: tf.train.polynomial_decay(lr0, gs, decay, end, power=power, cycle=cycle))
    ref = []
    for k in STEPS:
        if cycle:
            ds = decay * (1.0 if k == 0 else math.ceil(k / decay))
            step = k
        else:
            ds, step = decay, min(k, decay)
        ref.append((lr0 - end) * (1 - step / ds) ** power + end)
    np.testing.assert_allclose(got, ref, rtol=1e-5)


@pytest.mark.parametrize("staircase", [False, True])
def test_natural_exp_and_inverse_time_decay(staircase):
    p = np.array(STEPS, np.float64) / 4
    if staircase:
        p = np.floor(p)
    _, got = _eval_at_steps(lambda gs: tf.train.natural_exp_decay(0.2, gs, 4, 0.3, staircase=staircase))
    np.testing.assert_allclose(got, 0.2 * np.exp(-0.3 * p), rtol=1e-5)
    tf.reset_default_graph()
    _, got = _eval_at_steps(lambda gs: tf.train.inverse_time_decay(0.2, gs, 4, 0.3, staircase=staircase))
    np.testing.assert_allclose(got, 0.2 / (1 + 0.3 * p), rtol=1e-5)


@pytest.mark.parametrize("alpha", [0.0, 0.25])
def test_cosine_decay(alpha):
    _, got = _eval_at_steps(lambda gs: tf.train.cosine_decay(0.1, gs, 10, alpha=alpha))
    frac = np.minimum(np.array(STEPS, np.float64), 10) / 10
    ref = 0.1 * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * frac)) + alpha)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-7)


def test_schedule_follows_training_step():
    gs = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(1.0, gs, 1, 0.5)
    inc = gs.assign_add(1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        seen = []
        for _ in range(4):
            seen.append(sess.run(lr))
            sess.run(inc)
    np.testing.assert_allclose(seen, [1.0, 0.5, 0.25, 0.125])
