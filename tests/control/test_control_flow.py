"""cond, case, while_loop (functional If/While with FunctionDef bodies), group, tuple."""
import collections

import numpy as np
import pytest

import graphrt as tf


def test_cond_runs_only_the_taken_branch():
    x = tf.placeholder(tf.float32, [None])
    p = tf.placeholder(tf.bool, [])
    # The false branch would fail (an Assert that is always false) if it ever ran.
    y = tf.cond(p, lambda: x * 2.0, lambda: tf.identity(x) + tf.check_numerics(x / 0.0, "boom"))
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1, 2], p: True}), [2, 4])
        with pytest.raises(tf.errors.InvalidArgumentError, match="boom"):
            sess.run(y, {x: [1, 2], p: False})


def test_cond_structures_and_dtypes():
    p = tf.placeholder(tf.bool, [])
    a = tf.constant([1.0, 2.0])
    out = tf.cond(p, lambda: {"s": a * 2, "t": (tf.constant(1), a)}, lambda: {"s": a, "t": (tf.constant(2), -a)})
    with tf.Session() as sess:
        r = sess.run(out, {p: False})
    np.testing.assert_array_equal(r["s"], [1, 2])
    assert r["t"][0] == 2
    np.testing.assert_array_equal(r["t"][1], [-1, -2])


def test_cond_singleton_unpacked_unless_strict():
    p = tf.constant(True)
    assert isinstance(tf.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(2)]), tf.Tensor)
    r = tf.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(2)], strict=True)
    assert isinstance(r, list) and len(r) == 1


def test_cond_errors():
    p = tf.constant(True)
    with pytest.raises(ValueError, match="same type"):
        tf.cond(p, lambda: tf.constant(1), lambda: tf.constant(1.0))
    with pytest.raises(ValueError, match="same structure"):
        tf.cond(p, lambda: (tf.constant(1), tf.constant(2)), lambda: tf.constant(1))
    with pytest.raises(TypeError):
        tf.cond(tf.constant(1), lambda: 1, lambda: 2)
    with pytest.raises(TypeError):
        tf.cond(p, 1, lambda: 2)


def test_cond_output_shapes_are_most_specific_compatible():
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.zeros([2, 4]))
    assert y.shape.as_list() == [2, None]
    z = tf.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.ones([2, 3]))
    assert z.shape.as_list() == [2, 3]


def test_cond_with_python_values_and_captures_shared():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.int32, [])
    y = tf.cond(p, lambda: x + 1, lambda: 7)
    with tf.Session() as sess:
        assert sess.run(y, {p: True, x: 4}) == 5
        assert sess.run(y, {p: False, x: 4}) == 7


def test_nested_cond_and_while():
    p = tf.placeholder(tf.bool, [])
    q = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [])
    y = tf.cond(p, lambda: tf.cond(q, lambda: x + 1.0, lambda: x + 2.0), lambda: x * 10.0)
    z = tf.cond(p, lambda: tf.while_loop(lambda k: k < 10, lambda k: k + 3, [tf.constant(1)]),
                lambda: tf.constant(-1))
    with tf.Session() as sess:
        assert sess.run(y, {p: True, q: True, x: 1.0}) == 2.0
        assert sess.run(y, {p: True, q: False, x: 1.0}) == 3.0
        assert sess.run(y, {p: False, q: True, x: 1.0}) == 10.0
        assert sess.run(z, {p: True}) == 10
        assert sess.run(z, {p: False}) == -1


def test_case():
    x = tf.placeholder(tf.int32, [])
    r = tf.case([(x < 0, lambda: tf.constant(-1)), (tf.equal(x, 0), lambda: tf.constant(0))],
                default=lambda: tf.constant(1))
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-5, 0, 5)] == [-1, 0, 1]


def test_case_exclusive_checks_at_run_time():
    x = tf.placeholder(tf.int32, [])
    r = tf.case([(x > 0, lambda: tf.constant(1)), (x > 1, lambda: tf.constant(2))], default=lambda: tf.constant(0),
                exclusive=True)
    with tf.Session() as sess:
        assert sess.run(r, {x: 1}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive"):
            sess.run(r, {x: 5})


def test_while_loop_running_sum_of_fed_vector():
    v = tf.placeholder(tf.float32, [None])
    n = tf.shape(v)[0]

    def body(i, total):
        elem = tf.reshape(tf.strided_slice(v, tf.reshape(i, [1]), tf.reshape(i + 1, [1])), [])
        return i + 1, total + elem

    i_out, total = tf.while_loop(lambda i, t: i < n, body, [tf.constant(0), tf.constant(0.0)])
    data = np.array([1.5, -2.0, 3.25, 10.0], np.float32)
    with tf.Session() as sess:
        iv, tv = sess.run([i_out, total], {v: data})
    assert iv == 4
    np.testing.assert_allclose(tv, data.sum(), rtol=1e-6)


def test_while_loop_collects_prefix_sums_with_shape_invariants():
    v = tf.placeholder(tf.float32, [None])
    n = tf.shape(v)[0]

    def body(i, total, sums):
        elem = tf.reshape(tf.strided_slice(v, tf.reshape(i, [1]), tf.reshape(i + 1, [1])), [])
        total = total + elem
        return i + 1, total, _append(sums, tf.reshape(total, [1]))

    def _append(sums, new):
        return tf.concat([sums, new], axis=0)

    i, total, sums = tf.while_loop(lambda i, t, s: i < n, body, [tf.constant(0), tf.constant(0.0), tf.zeros([0])],
                                   shape_invariants=[tf.TensorShape([]), tf.TensorShape([]), tf.TensorShape([None])])
    assert sums.shape.as_list() == [None]
    data = np.array([1.0, 2.0, 3.0, 4.0, -1.5], np.float32)
    with tf.Session() as sess:
        out = sess.run(sums, {v: data})
    np.testing.assert_allclose(out, np.cumsum(data), rtol=1e-6)


def test_while_loop_shape_invariant_violation():
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.while_loop(lambda x: tf.constant(True), lambda x: tf.fill([2], 1.0) if False else tf.zeros([2]),
                      [tf.constant(0.0)])


def test_while_loop_dtype_change_rejected():
    with pytest.raises(TypeError):
        tf.while_loop(lambda x: x < 3, lambda x: tf.cast(x, tf.float32), [tf.constant(0)])


def test_while_loop_maximum_iterations_and_single_var():
    r = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [tf.constant(0)], maximum_iterations=7)
    assert isinstance(r, tf.Tensor)
    r2 = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [tf.constant(0)], return_same_structure=True)
    assert isinstance(r2, list)
    with tf.Session() as sess:
        assert sess.run(r) == 7
        assert sess.run(r2) == [100]


def test_while_loop_nested_structures_namedtuple_and_dict():
    State = collections.namedtuple("State", ["i", "acc"])
    init = State(tf.constant(0), {"a": tf.constant(1.0), "b": tf.constant(2.0)})

    def body(s):
        return [State(s.i + 1, {"a": s.acc["a"] * 2.0, "b": s.acc["b"] + s.acc["a"]})]

    out = tf.while_loop(lambda s: s.i < 4, body, [init])
    assert isinstance(out, State)
    with tf.Session() as sess:
        r = sess.run(out)
    assert r.i == 4 and r.acc["a"] == 16.0 and r.acc["b"] == 2.0 + 1 + 2 + 4 + 8


def test_while_loop_captures_outer_tensor_and_nested_cond():
    step = tf.placeholder(tf.int32, [])
    j = tf.while_loop(lambda j: j < 100, lambda j: tf.cond(j < 5, lambda: j + step, lambda: j + 10),
                      [tf.constant(0)], maximum_iterations=7)
    with tf.Session() as sess:
        assert sess.run(j, {step: 1}) == 25
        assert sess.run(j, {step: 2}) == 6 + 10 * 4


def test_while_loop_errors_propagate_with_node_name():
    x = tf.placeholder(tf.float32, [])
    r = tf.while_loop(lambda i: i < 3.0, lambda i: tf.check_numerics(i / x, "bad step") + 1.0, [tf.constant(0.0)])
    with tf.Session() as sess:
        assert sess.run(r, {x: 1.0}) == 3.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad step"):
            sess.run(r, {x: 0.0})


def test_control_flow_graph_def_roundtrip_and_import():
    x = tf.placeholder(tf.int32, [], name="x")
    y = tf.while_loop(lambda i: i < x, lambda i: i + 2, [tf.constant(0)], name="loop")
    z = tf.cond(x > 3, lambda: y * 10, lambda: y, name="pick")
    gd = tf.get_default_graph().as_graph_def()
    assert len(gd.library.function) == 4
    assert tf._core.reencode_graph_def(gd.SerializeToString()) == gd.SerializeToString()
    g2 = tf.Graph()
    with g2.as_default():
        x2 = tf.placeholder(tf.int32, [])
        (out,) = tf.import_graph_def(gd, input_map={"x:0": x2}, return_elements=[z.name])
        with tf.Session() as sess:
            assert sess.run(out, {x2: 5}) == 60
            assert sess.run(out, {x2: 3}) == 4


def test_graph_sent_incrementally_with_functions():
    x = tf.placeholder(tf.int32, [])
    with tf.Session() as sess:
        a = tf.cond(x > 0, lambda: x, lambda: -x)
        assert sess.run(a, {x: -3}) == 3
        b = tf.while_loop(lambda i: i < x, lambda i: i + 1, [tf.constant(0)])
        assert sess.run(b, {x: 4}) == 4


def test_group_and_tuple():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    g = tf.group(a, [b], name="g")
    assert g.type == "NoOp" and set(c.name for c in g.control_inputs) == {a.op.name, b.op.name}
    ta, tb = tf.tuple([a, b])
    assert ta.op.type == "Identity"
    with tf.Session() as sess:
        assert sess.run(g) is None
        assert sess.run([ta, tb]) == [1.0, 2.0]
