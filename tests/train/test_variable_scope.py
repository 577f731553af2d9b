"""tf.get_variable / tf.variable_scope: names, reuse modes, inheritance, errors, regularizers."""
import threading

import numpy as np
import pytest

import graphrt as tf


def test_names_of_variables_and_ops_in_nested_scopes():
    with tf.variable_scope("outer") as outer:
        w = tf.get_variable("w", [3, 4])
        c = tf.constant(1.0)
        with tf.variable_scope("inner") as inner:
            b = tf.get_variable("b", [2])
            d = tf.constant(2.0)
    assert w.name == "outer/w:0" and b.name == "outer/inner/b:0"
    assert c.name == "outer/Const:0" and d.name == "outer/inner/Const:0"
    assert outer.name == "outer" and inner.name == "outer/inner"
    assert outer.original_name_scope == "outer/" and inner.original_name_scope == "outer/inner/"
    assert tf.get_variable_scope().name == ""
    # Variable names ignore name scopes; op names do not.
    with tf.name_scope("ns"):
        with tf.variable_scope("vs"):
            v = tf.get_variable("v", [1])
            e = tf.constant(0.0)
    assert v.name == "vs/v:0" and e.name == "ns/vs/Const:0"
    assert w in tf.trainable_variables() and w in tf.global_variables()


def test_reuse_true_false_auto_and_errors():
    with tf.variable_scope("outer"):
        w = tf.get_variable("w", [3, 4])
    with tf.variable_scope("outer", reuse=True):
        assert tf.get_variable("w") is w
        assert tf.get_variable("w", [3, 4]) is w
        with pytest.raises(ValueError, match=r"Variable outer/x does not exist, or was not created with "
                                             r"tf.get_variable\(\). Did you mean to set reuse=tf.AUTO_REUSE"):
            tf.get_variable("x", [1])
        with pytest.raises(ValueError, match="Trying to share variable outer/w, but specified shape"):
            tf.get_variable("w", [4, 3])
        with pytest.raises(ValueError, match="specified dtype float64 and found dtype float32"):
            tf.get_variable("w", dtype=tf.float64)
        with tf.variable_scope("inner"):  # reuse is inherited
            assert tf.get_variable_scope().reuse is True
    with tf.variable_scope("outer"):
        with pytest.raises(ValueError, match=r"Variable outer/w already exists, disallowed. Did you mean to set "
                                             r"reuse=True or reuse=tf.AUTO_REUSE in VarScope\?"):
            tf.get_variable("w", [3, 4])
    for _ in range(2):
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            a = tf.get_variable("a", [2])
    assert tf.global_variables().count(a) == 1 and a.name == "auto/a:0"
    # reuse=False inside a reusing scope means "inherit".
    with tf.variable_scope("outer", reuse=True):
        with tf.variable_scope("sub", reuse=False):
            assert tf.get_variable_scope().reuse is True


def test_reuse_variables_and_reentering_a_scope_object():
    with tf.variable_scope("model") as scope:
        w = tf.get_variable("w", [2])
        scope.reuse_variables()
        assert tf.get_variable("w") is w
    with tf.variable_scope(scope, reuse=True) as again:
        assert again.name == "model" and again.original_name_scope == "model/"
        assert tf.get_variable("w") is w
        op = tf.constant(0.0)
    assert op.name.startswith("model_1/")  # name scopes are never re-entered, as in TF1
    with tf.variable_scope("other"):
        with tf.variable_scope(scope):  # jumping to a scope object ignores the enclosing variable scope
            assert tf.get_variable_scope().name == "model"


def test_default_name_uniquification():
    names = []
    for _ in range(3):
        with tf.variable_scope(None, default_name="layer") as s:
            names.append(s.name)
            tf.get_variable("k", [1])
    assert names == ["layer", "layer_1", "layer_2"]
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="x", reuse=True):
            pass
    with pytest.raises(TypeError):
        with tf.variable_scope(None):
            pass


def test_auxiliary_name_scope_false():
    with tf.variable_scope("a") as a:
        pass
    with tf.name_scope("top"):
        with tf.variable_scope(a, auxiliary_name_scope=False):
            c = tf.constant(1.0)
    assert c.name == "top/Const:0"


def test_default_initializers_and_values():
    f = tf.get_variable("f", [20, 30])
    i = tf.get_variable("i", [3], dtype=tf.int32)
    bl = tf.get_variable("bl", [2], dtype=tf.bool)
    k = tf.get_variable("k", initializer=tf.constant([1.0, 2.0]))
    n = tf.get_variable("n", initializer=np.arange(3, dtype=np.int64))
    lam = tf.get_variable("lam", initializer=lambda: tf.ones([2, 2]))
    assert k.shape.as_list() == [2] and n.dtype == tf.int64 and lam.shape.as_list() == [2, 2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        fv, iv, bv, kv, nv, lv = sess.run([f, i, bl, k, n, lam])
    limit = np.sqrt(6.0 / 50)  # glorot uniform
    assert np.all(np.abs(fv) <= limit) and fv.std() > limit / 3
    np.testing.assert_array_equal(iv, [0, 0, 0])
    np.testing.assert_array_equal(bv, [False, False])
    np.testing.assert_array_equal(kv, [1.0, 2.0])
    np.testing.assert_array_equal(nv, [0, 1, 2])
    np.testing.assert_array_equal(lv, np.ones((2, 2)))
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        tf.get_variable("bad", [2], initializer=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("bad2", [None, 2])
    with pytest.raises(ValueError, match="don't match"):
        tf.get_variable("bad3", dtype=tf.int32, initializer=tf.constant([1.0]))


def test_scope_initializer_dtype_and_regularizer_inheritance():
    reg = tf.contrib.layers.l2_regularizer(0.5)
    with tf.variable_scope("s", initializer=tf.constant_initializer(3.0), dtype=tf.float64,
                           regularizer=reg):
        a = tf.get_variable("a", [2])
        with tf.variable_scope("t"):
            b = tf.get_variable("b", [3])
            c = tf.get_variable("c", [1], initializer=tf.ones_initializer(), regularizer=tf.no_regularizer)
        with tf.variable_scope("u", initializer=tf.zeros_initializer(), dtype=tf.float32,
                               regularizer=tf.no_regularizer):
            d = tf.get_variable("d", [1])
    assert a.dtype == tf.float64 and b.dtype == tf.float64 and d.dtype == tf.float32
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 2  # a, b (c and d opted out)
    assert losses[0].op.name == "s/a/Regularizer/l2_regularizer"
    total = tf.losses.get_regularization_loss()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        av, bv, cv, dv = sess.run([a, b, c, d])
        np.testing.assert_array_equal(av, [3.0, 3.0])
        np.testing.assert_array_equal(bv, [3.0] * 3)
        np.testing.assert_array_equal(cv, [1.0])
        np.testing.assert_array_equal(dv, [0.0])
        # 0.5 * (sum a^2 / 2 + sum b^2 / 2 + 0)
        np.testing.assert_allclose(sess.run(total), 0.5 * (9.0 + 13.5), rtol=1e-6)
    # A reused variable does not add its regularization loss again.
    with tf.variable_scope("s", reuse=True, regularizer=reg):
        tf.get_variable("a", [2], dtype=tf.float64)
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 2


def test_trainable_collections_local_and_control_dependencies():
    nt = tf.get_variable("nt", [1], trainable=False)
    loc = tf.get_local_variable("loc", [1])
    col = tf.get_variable("col", [1], collections=["mine"])
    assert nt in tf.global_variables() and nt not in tf.trainable_variables()
    assert loc in tf.local_variables() and loc not in tf.global_variables() and loc not in tf.trainable_variables()
    assert tf.get_collection("mine") == [col] and col in tf.trainable_variables()
    x = tf.constant(1.0)
    with tf.control_dependencies([x]):
        v = tf.get_variable("v", [1])
    assert v.initializer.control_inputs == []  # TF's init_scope: no control deps on initializers
    with tf.variable_scope("sc") as sc:
        tf.get_variable("q", [1])
    assert [t.name for t in sc.trainable_variables()] == ["sc/q:0"]


def test_custom_getter_wraps_and_nests():
    calls = []

    def getter_a(getter, name, *args, **kwargs):
        calls.append(("a", name))
        return getter(name, *args, **kwargs)

    def getter_b(getter, name, *args, **kwargs):
        calls.append(("b", name))
        kwargs["trainable"] = False
        return getter(name, *args, **kwargs)

    with tf.variable_scope("cg", custom_getter=getter_a):
        with tf.variable_scope("in", custom_getter=getter_b):
            v = tf.get_variable("v", [1])
    assert calls == [("b", "cg/in/v"), ("a", "cg/in/v")]
    assert v not in tf.trainable_variables()


def test_partitioner_is_reported_unsupported():
    with pytest.raises(NotImplementedError, match="Partitioned"):
        tf.get_variable("p", [4], partitioner=lambda shape, dtype: [2])


def test_scopes_per_graph_and_per_thread():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default(), tf.variable_scope("a"):
        v1 = tf.get_variable("w", [1])
    with g2.as_default():
        assert tf.get_variable_scope().name == ""
        v2 = tf.get_variable("w", [1])  # no clash with g1's store
    assert v1.graph is g1 and v2.graph is g2 and v2.name == "w:0"
    seen = []
    with tf.variable_scope("main_thread"):
        t = threading.Thread(target=lambda: seen.append(tf.get_variable_scope().name))
        t.start()
        t.join()
    assert seen == [""]


def test_get_variable_trains_with_gradients():
    x = tf.placeholder(tf.float32, [None, 2])
    with tf.variable_scope("lin"):
        w = tf.get_variable("w", [2, 1], initializer=tf.zeros_initializer())
    loss = tf.reduce_sum(tf.matmul(x, w))
    (grad,) = tf.gradients(loss, [w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(grad, {x: [[1.0, 2.0], [3.0, 4.0]]}), [[4.0], [6.0]])


def test_scopes_and_reuse_inside_cond_and_while_bodies():
    with tf.variable_scope("a"):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
        p = tf.placeholder(tf.bool, [])
        names = []

        def branch():
            names.append(tf.get_variable_scope().name)
            with tf.variable_scope(tf.get_variable_scope(), reuse=True):
                return tf.get_variable("w") * 2.0
        r = tf.cond(p, branch, lambda: tf.zeros([2]))

        def body(i, acc):
            with tf.variable_scope(tf.get_variable_scope(), reuse=True):
                return i + 1, acc + tf.get_variable("w")
        _, total = tf.while_loop(lambda i, acc: i < 3, body, [tf.constant(0), tf.zeros([2])])
    assert names == ["a"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(r, {p: True}), [2.0, 2.0])
        np.testing.assert_array_equal(sess.run(total), [3.0, 3.0])
    assert tf.global_variables() == [w]
