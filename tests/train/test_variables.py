"""tf.Variable: initialization, reads as snapshots, assign/scatter ops, collections, errors."""
import threading

import numpy as np
import pytest

import graphrt as tf


def test_variable_basics_and_names():
    v = tf.Variable([1.0, 2.0], name="v")
    assert v.name == "v:0" and v.op.name == "v" and v.op.type == "VarHandleOp"
    assert v.dtype == tf.float32 and v.shape.as_list() == [2] and v.get_shape().as_list() == [2]
    assert v.initializer.type == "AssignVariableOp"
    assert v.trainable
    v2 = tf.Variable(3, name="v")
    assert v2.op.name == "v_1" and v2.dtype == tf.int32
    with tf.name_scope("scope"):
        v3 = tf.Variable(tf.zeros([3]))
    assert v3.op.name == "scope/Variable"


def test_uninitialized_read_is_failed_precondition_naming_it():
    v = tf.Variable([1.0], name="weights")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(v)
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(v * 2.0)


def test_initializers_and_collections():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b", trainable=False)
    c = tf.Variable(3.0, name="c", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.global_variables() == [a, b]
    assert tf.trainable_variables() == [a]
    assert tf.local_variables() == [c]
    with tf.Session() as sess:
        assert sorted(sess.run(tf.report_uninitialized_variables())) == [b"a", b"b", b"c"]
        sess.run(tf.global_variables_initializer())
        assert list(sess.run(tf.report_uninitialized_variables())) == [b"c"]
        assert sess.run(tf.is_variable_initialized(c)) == False  # noqa: E712
        sess.run(tf.local_variables_initializer())
        assert sess.run([a, b, c]) == [1.0, 2.0, 3.0]
        assert sess.run(tf.is_variable_initialized(c)) == True  # noqa: E712
        sess.run(tf.variables_initializer([a]))
    assert tf.global_variables_initializer().name.startswith("init")
    g = tf.Graph()
    with g.as_default():
        assert tf.global_variables_initializer().type == "NoOp"


def test_variables_are_per_session():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    s1.run(inc)
    assert s1.run(v) == 3.0 and s2.run(v) == 1.0
    s1.close()
    s2.close()
    s3 = tf.Session()
    with pytest.raises(tf.errors.FailedPreconditionError):
        s3.run(v)  # a new session starts without values
    s3.close()


def test_fetched_value_is_a_snapshot():
    v = tf.Variable(np.zeros(4, np.float32))
    inc = v.assign_add(np.ones(4, np.float32))
    with tf.Session() as sess:
        sess.run(v.initializer)
        before = sess.run(v)
        for _ in range(3):
            sess.run(inc)
        after = sess.run(v)
        before_again = before.copy()
    np.testing.assert_array_equal(before, np.zeros(4))
    np.testing.assert_array_equal(after, np.full(4, 3.0))
    np.testing.assert_array_equal(before_again, np.zeros(4))
    after[:] = 100  # mutating a fetched array never touches the variable


def test_assign_ops_return_new_value():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v.assign([5.0, 6.0])), [5, 6])
        np.testing.assert_array_equal(sess.run(v.assign_add([1.0, 1.0])), [6, 7])
        np.testing.assert_array_equal(sess.run(v.assign_sub([2.0, 2.0])), [4, 5])
        np.testing.assert_array_equal(sess.run(tf.assign(v, [0.0, 1.0])), [0, 1])
        np.testing.assert_array_equal(sess.run(tf.assign_add(v, [1.0, 1.0])), [1, 2])
        np.testing.assert_array_equal(sess.run(tf.assign_sub(v, [1.0, 1.0])), [0, 1])
        op = v.assign([9.0, 9.0], read_value=False)
        assert isinstance(op, tf.Operation) and sess.run(op) is None
        np.testing.assert_array_equal(sess.run(v), [9, 9])


def test_assign_shape_and_dtype_errors():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises((TypeError, ValueError)):
        v.assign_add(tf.constant([1, 2]))
    p = tf.placeholder(tf.float32)
    add = v.assign_add(p)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="shapes must be equal"):
            sess.run(add, {p: [1.0, 2.0, 3.0]})


def test_scatter_ops_and_sparse_read():
    v = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3))
    with tf.Session() as sess:
        sess.run(v.initializer)
        out = sess.run(tf.scatter_update(v, [0, 2], [[1, 1, 1], [2, 2, 2]]))
        ref = np.arange(12, dtype=np.float32).reshape(4, 3)
        ref[0], ref[2] = 1, 2
        np.testing.assert_array_equal(out, ref)
        ref[1] += 10
        ref[3] += 10
        np.testing.assert_array_equal(sess.run(tf.scatter_add(v, [1, 3], np.full((2, 3), 10, np.float32))), ref)
        ref[1] -= 1
        np.testing.assert_array_equal(sess.run(tf.scatter_sub(v, [1], np.ones((1, 3), np.float32))), ref)
        np.testing.assert_array_equal(sess.run(v.sparse_read([3, 0])), ref[[3, 0]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="not in"):
            sess.run(tf.scatter_update(v, [7], [[0, 0, 0]]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="not in"):
            sess.run(v.sparse_read([4]))


def test_load_eval_and_initialized_value():
    v = tf.Variable([1.0, 2.0])
    w = tf.Variable(v.initialized_value() * 2.0)
    with tf.Session() as sess:
        v.load([3.0, 4.0], sess)
        np.testing.assert_array_equal(v.eval(sess), [3, 4])
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run(w), [6, 8])
    with tf.Session() as sess:
        sess.run(w.initializer)  # v uninitialized here: w uses v's initial value
        np.testing.assert_array_equal(sess.run(w), [2, 4])


def test_variable_in_expressions_and_feeds():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.matmul(x, v) + v[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {x: [[1.0, 1.0]]}), [[5.0, 8.0]])
        # Feeding the variable's value overrides it for one step.
        np.testing.assert_allclose(sess.run(y, {x: [[1.0, 1.0]], v.value(): np.zeros((2, 2))}), [[0.0, 0.0]])


def test_callable_initial_value_and_validate_shape():
    v = tf.Variable(lambda: tf.ones([2, 3]), name="lazy")
    assert v.shape.as_list() == [2, 3]
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError):
        tf.Variable(p)
    u = tf.Variable(p, validate_shape=False)
    assert u.shape.rank is None
    with tf.Session() as sess:
        sess.run(u.initializer, {p: [1.0, 2.0, 3.0]})
        np.testing.assert_array_equal(sess.run(u), [1, 2, 3])
    with pytest.raises(ValueError):
        tf.Variable(None)


def test_concurrent_assign_add_is_exact():
    v = tf.Variable(0.0)
    inc = v.assign_add(1.0, read_value=False)
    with tf.Session() as sess:
        sess.run(v.initializer)
        threads = [threading.Thread(target=lambda: [sess.run(inc) for _ in range(200)]) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sess.run(v) == 800.0


def test_variable_graph_def_imports_and_runs():
    v = tf.Variable([1.0, 2.0], name="v")
    out = tf.identity(v * 3.0, name="out")
    gd = tf.get_default_graph().as_graph_def()
    g2 = tf.Graph()
    with g2.as_default():
        tf.import_graph_def(gd, name="")
        with tf.Session() as sess:
            sess.run("v/Assign")
            np.testing.assert_array_equal(sess.run("out:0"), [3, 6])
    assert out is not None


def test_ops_touching_a_variable_are_colocated_with_it():
    with tf.device("/device:CPU:1"):
        v = tf.Variable([1.0, 2.0], name="placed")
    inc = v.assign_add([1.0, 1.0])
    assert v.device == "/device:CPU:1"
    for op in (v.initializer, v.value().op, inc.op, v._is_initialized_op.op):
        assert op.get_attr("_class") == [b"loc:@placed"], op.name
        assert op.device == "/device:CPU:1", op.name
    cfg = tf.ConfigProto(device_count={"CPU": 2})
    with tf.Session(config=cfg) as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(inc), [2.0, 3.0])
        placement = sess._c.placement()
    assert placement["placed"].endswith("CPU:1") and placement["placed/Assign"].endswith("CPU:1")
