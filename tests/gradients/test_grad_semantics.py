"""tf.gradients / tf.hessians semantics: connectivity, grad_ys, stop gradients, aggregation,
integer paths, registry, naming."""
import numpy as np
import pytest

import graphrt as tf
from graphrt.gradients import registry


def _run(fetches, feed=None):
    with tf.Session() as s:
        return s.run(fetches, feed)


def test_unconnected_xs_get_none():
    x = tf.placeholder(tf.float32, [2])
    z = tf.placeholder(tf.float32, [2])
    y = tf.reduce_sum(x * 3.0)
    gx, gz = tf.gradients(y, [x, z])
    assert gz is None
    np.testing.assert_allclose(_run(gx, {x: [1, 2]}), [3, 3])
    gz0 = tf.gradients(y, z, unconnected_gradients="zero")[0]
    np.testing.assert_allclose(_run(gz0, {z: [1, 2]}), [0, 0])


def test_single_tensor_arguments_and_y_equal_x():
    x = tf.placeholder(tf.float32, [3])
    g = tf.gradients(x, x)
    assert isinstance(g, list) and len(g) == 1
    np.testing.assert_allclose(_run(g[0], {x: [1, 2, 3]}), [1, 1, 1])


def test_grad_ys():
    x = tf.placeholder(tf.float32, [3])
    y = x * x
    g = tf.gradients(y, x, grad_ys=tf.constant([1.0, 10.0, 100.0]))[0]
    np.testing.assert_allclose(_run(g, {x: [1, 2, 3]}), [2, 40, 600])
    g2 = tf.gradients(y, x, grad_ys=np.array([1.0, 1.0, 2.0], np.float32))[0]  # a numpy value is converted
    np.testing.assert_allclose(_run(g2, {x: [1, 2, 3]}), [2, 4, 12])


def test_grad_ys_wrong_dtype():
    x = tf.placeholder(tf.float32, [3])
    with pytest.raises(TypeError):
        tf.gradients(x * 2.0, x, grad_ys=tf.constant([1.0, 1.0, 1.0], tf.float64))
    with pytest.raises(ValueError):
        tf.gradients([x * 2.0, x], x, grad_ys=[None])


def test_multiple_ys_are_summed():
    x = tf.placeholder(tf.float32, [2])
    g = tf.gradients([x * 2.0, x * x], x)[0]
    np.testing.assert_allclose(_run(g, {x: [1, 3]}), [4, 8])


def test_multiple_paths_aggregate_with_add_n():
    x = tf.placeholder(tf.float32, [2])
    y = tf.reduce_sum(x * 2.0 + tf.sin(x) + x)
    g = tf.gradients(y, x)[0]
    np.testing.assert_allclose(_run(g, {x: [0.0, 1.0]}), 3 + np.cos([0.0, 1.0]), rtol=1e-6)
    assert any(op.type == "AddN" for op in tf.get_default_graph().get_operations())


def test_stop_gradient_op():
    x = tf.placeholder(tf.float32, [2])
    y = tf.reduce_sum(tf.stop_gradient(x * x) + x)
    g = tf.gradients(y, x)[0]
    np.testing.assert_allclose(_run(g, {x: [3, 4]}), [1, 1])
    assert tf.gradients(tf.stop_gradient(x), x) == [None]


def test_stop_gradients_argument():
    a = tf.placeholder(tf.float32, [])
    b = a * 2.0
    c = a + b
    ga, gb = tf.gradients(c, [a, b], stop_gradients=[a, b])
    r = _run([ga, gb], {a: 1.0})
    np.testing.assert_allclose(r, [1.0, 1.0])  # the total derivative would be 3 for a
    ga_full = tf.gradients(c, a)[0]
    assert _run(ga_full, {a: 1.0}) == 3.0


def test_integer_paths_get_no_gradient():
    x = tf.placeholder(tf.float32, [3])
    y = tf.cast(tf.cast(x, tf.int32) * 2, tf.float32)
    assert tf.gradients(tf.reduce_sum(y), x) == [None]
    i = tf.placeholder(tf.int32, [3])
    assert tf.gradients(tf.reduce_sum(tf.cast(i, tf.float32) * 2.0), i) == [None]
    # a float path alongside an integer index is still differentiated
    p = tf.placeholder(tf.float32, [4])
    g = tf.gradients(tf.reduce_sum(tf.gather(p, tf.argmax(p)) * p), p)[0]
    assert g is not None


def test_no_gradient_defined_raises_lookup_error():
    registry._GRADIENTS.pop("TestOnlyOpGradLookup", None)
    x = tf.placeholder(tf.float32, [2])
    y = x * 2.0
    y.op._node_def.attr["_gradient_op_type"].s = b"TestOnlyOpGradLookup"
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(y, x)


def test_register_gradient_and_override():
    @tf.RegisterGradient("TestOnlyTimesTen")
    def _g(op, grad):
        return [grad * 10.0, None]

    with pytest.raises(KeyError):
        tf.RegisterGradient("TestOnlyTimesTen")(_g)
    x = tf.placeholder(tf.float32, [2])
    y = x * 2.0
    y.op._node_def.attr["_gradient_op_type"].s = b"TestOnlyTimesTen"
    np.testing.assert_allclose(_run(tf.gradients(y, x)[0], {x: [1, 2]}), [10, 10])
    tf.NoGradient("TestOnlyNoGrad")
    assert not registry.has_gradient("TestOnlyNoGrad")
    assert registry.has_gradient("TestOnlyTimesTen")


def test_has_gradient():
    assert registry.has_gradient("MatMul")
    assert registry.has_gradient("Conv2D")
    assert not registry.has_gradient("Shape")
    assert not registry.has_gradient("NoSuchOpXYZ")


def test_name_scope():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.reduce_sum(tf.square(x, name="sq"), name="loss")
    g = tf.gradients(y, x)[0]
    assert g.name.startswith("gradients/sq_grad/")
    g2 = tf.gradients(y, x)[0]
    assert g2.name.startswith("gradients_1/")
    g3 = tf.gradients(y, x, name="my_grads")[0]
    assert g3.name.startswith("my_grads/")


def test_gradient_shapes_are_set():
    x = tf.placeholder(tf.float32, [None, 4])
    w = tf.placeholder(tf.float32, [4, 3])
    y = tf.reduce_mean(tf.matmul(x, w))
    gx, gw = tf.gradients(y, [x, w])
    assert gx.shape.as_list() == [None, 4] and gw.shape.as_list() == [4, 3]


def test_gate_gradients():
    x = tf.placeholder(tf.float32, [2])
    w = tf.placeholder(tf.float32, [2])
    gx, gw = tf.gradients(tf.reduce_sum(x * w), [x, w], gate_gradients=True)
    np.testing.assert_allclose(_run([gx, gw], {x: [1, 2], w: [3, 4]}), [[3, 4], [1, 2]])


def test_multi_output_op_unused_output_gets_zeros():
    x = tf.placeholder(tf.float32, [4])
    a, b = tf.split(x, 2)
    g = tf.gradients(tf.reduce_sum(a * 5.0), x)[0]
    np.testing.assert_allclose(_run(g, {x: [1, 2, 3, 4]}), [5, 5, 0, 0])


def test_gradient_through_gradient():
    x = tf.placeholder(tf.float64, [])
    y = x * x * x
    g = tf.gradients(y, x)[0]
    gg = tf.gradients(g, x)[0]
    assert _run(gg, {x: 2.0}) == pytest.approx(12.0)


def test_hessians_cube():
    x = tf.placeholder(tf.float64, [3])
    h = tf.hessians(tf.reduce_sum(x ** 3), x)[0]
    assert h.shape.as_list() == [3, 3]
    xv = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(_run(h, {x: xv}), np.diag(6 * xv))


def test_hessians_quadratic_form():
    a = np.array([[2.0, 1.0], [0.5, 3.0]])
    x = tf.placeholder(tf.float64, [2])
    q = tf.reshape(tf.matmul(tf.reshape(x, [1, 2]), tf.matmul(tf.constant(a), tf.reshape(x, [2, 1]))), [])
    h = tf.hessians(q, x)[0]
    np.testing.assert_allclose(_run(h, {x: [0.3, -0.7]}), a + a.T)


def test_hessians_matrix_input():
    x = tf.placeholder(tf.float64, [2, 2])
    h = tf.hessians(tf.reduce_sum(tf.square(x)), x)[0]
    assert h.shape.as_list() == [2, 2, 2, 2]
    np.testing.assert_allclose(_run(h, {x: np.ones((2, 2))}).reshape(4, 4), 2 * np.eye(4))


def test_indexed_slices_convert_to_tensor_checks_dtype():
    x = tf.placeholder(tf.float32, [3, 2])
    g = tf.gradients(tf.reduce_sum(tf.gather(x, [1])), x)[0]
    with pytest.raises(ValueError):
        tf.convert_to_tensor(g, dtype=tf.float64)
    d = tf.convert_to_tensor(g)
    assert d.dtype == tf.float32
    np.testing.assert_allclose(_run(d, {x: np.zeros((3, 2))}), [[0, 0], [1, 1], [0, 0]])
    # an IndexedSlices passed to a dense op is densified
    np.testing.assert_allclose(_run(tf.multiply(g, 2.0), {x: np.zeros((3, 2))}), [[0, 0], [2, 2], [0, 0]])


def test_hessian_of_unconnected_is_none():
    x = tf.placeholder(tf.float64, [2])
    z = tf.placeholder(tf.float64, [2])
    assert tf.hessians(tf.reduce_sum(x * x), [x, z])[1] is None


def test_variable_gradients_are_taken_at_the_handle():
    if not hasattr(tf, "Variable"):
        pytest.skip("tf.Variable not available")
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
    x = tf.placeholder(tf.float32, [None, 3])
    loss = tf.reduce_sum(tf.matmul(x, v) ** 2) + tf.reduce_sum(v.sparse_read([0, 2, 2]))
    g = tf.gradients(loss, v)[0]
    assert g.shape.as_list() == [3, 2]
    gs = tf.gradients(tf.reduce_sum(v.sparse_read([0, 2, 2])), v)[0]
    assert isinstance(gs, tf.IndexedSlices)
    xv = np.ones((2, 3), np.float32)
    with tf.Session() as s:
        s.run(v.initializer)
        r, rs = s.run([g, tf.convert_to_tensor(gs)], {x: xv})
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    sparse = np.array([[1, 1], [0, 0], [2, 2]], np.float32)
    np.testing.assert_allclose(r, 2 * xv.T @ (xv @ w) + sparse)
    np.testing.assert_allclose(rs, sparse)
