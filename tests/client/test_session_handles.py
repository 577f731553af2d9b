"""Session handles: get_session_handle / get_session_tensor / delete_session_tensor and TensorHandle."""
import gc

import numpy as np
import pytest

import graphrt as tf
from graphrt.ops import session_ops


def test_seed_page_example():
    with tf.Session() as sess:
        a = tf.constant(10.0)
        b = tf.constant(5.0)
        c = tf.multiply(a, b)
        h = tf.get_session_handle(c)
        h = sess.run(h)
        assert isinstance(h, session_ops.TensorHandle)
        assert isinstance(h.handle, str) and h.handle.endswith(";/job:localhost/replica:0/task:0/device:CPU:0")

        p, a = tf.get_session_tensor(h.handle, tf.float32)
        b = tf.multiply(a, 10)
        c = sess.run(b, feed_dict={p: h.handle})
        assert c == 500.0
        assert p.dtype == tf.string and a.dtype == tf.float32
        # The TensorHandle itself feeds the placeholder too.
        assert sess.run(b, feed_dict={p: h}) == 500.0
        assert h.eval() == 50.0


@pytest.mark.parametrize("dtype,value", [(tf.float32, np.float32(1.5)), (tf.float64, np.arange(6.0).reshape(2, 3)),
                                         (tf.int32, np.array([], np.int32)), (tf.int64, np.int64(-7)),
                                         (tf.string, np.array([b"a", b"bc"], dtype=object)),
                                         (tf.bool, np.array([True, False]))])
def test_round_trip_dtypes(dtype, value):
    x = tf.placeholder(dtype)
    h_op = tf.get_session_handle(x)
    with tf.Session() as sess:
        h = sess.run(h_op, {x: value})
        assert h.dtype == dtype
        p, t = tf.get_session_tensor(h.handle, dtype)
        got = sess.run(t, {p: h.handle})
        np.testing.assert_array_equal(got, value)
        assert np.asarray(got).dtype == np.asarray(value).dtype
        np.testing.assert_array_equal(h.eval(), value)


def test_handle_and_value_together_and_loop():
    with tf.Session() as sess:
        one = tf.constant(1.0)
        one_h = sess.run(tf.get_session_handle(one))
        x_h = sess.run(tf.get_session_handle(one))
        p1, t1 = tf.get_session_tensor(one_h.handle, tf.float32)
        p2, t2 = tf.get_session_tensor(x_h.handle, tf.float32)
        add = t1 + t2
        add_h = tf.get_session_handle(add)
        for _ in range(20):
            x_h = sess.run(add_h, feed_dict={p1: one_h.handle, p2: x_h.handle})
        assert x_h.eval() == 21.0
        # A handle fetched with plain values in a structure.
        h, v = sess.run([add_h, add], feed_dict={p1: one_h.handle, p2: x_h.handle})
        assert isinstance(h, session_ops.TensorHandle) and v == 22.0 and h.eval() == 22.0


def test_feed_handle_directly_to_tensors():
    with tf.Session() as sess:
        a = tf.constant(10.0)
        b = tf.constant(5.0)
        c = tf.multiply(a, b)
        d = tf.divide(a, b)
        e = tf.subtract(c, d)
        h_c = sess.run(tf.get_session_handle(c))
        h_d = sess.run(tf.get_session_handle(d))
        assert sess.run(e, feed_dict={c: h_c, d: h_d}) == 48.0
        assert sess.run(e, feed_dict={c: h_d, d: h_c}) == -48.0
        assert sess.run(c * c, feed_dict={c: h_c}) == 2500.0
        i = tf.placeholder(tf.int32)
        with pytest.raises(TypeError, match="Cannot feed a TensorHandle of dtype float32"):
            sess.run(i + 1, feed_dict={i: h_c})


def test_stored_tensor_is_a_snapshot():
    v = tf.Variable(12.0)
    inc = v.assign_add(2.0)
    b = v.read_value() + 5.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        h = sess.run(tf.get_session_handle(v.read_value()))
        sess.run(inc)
        sess.run(inc)
        assert sess.run(v) == 16.0
        assert h.eval() == 12.0  # the stored value never changes after the variable is updated
        p, t = tf.get_session_tensor(h.handle, tf.float32)
        assert sess.run(t, {p: h.handle}) == 12.0
        assert sess.run(b) == 21.0
    # A fed array stored by handle is copied: changing the array later changes nothing.
    x = tf.placeholder(tf.float32, [3])
    hx = tf.get_session_handle(x)
    with tf.Session() as sess:
        arr = np.ones(3, np.float32)
        h = sess.run(hx, {x: arr})
        arr[:] = 7.0
        np.testing.assert_array_equal(h.eval(), [1, 1, 1])


def test_delete_and_errors():
    with tf.Session() as sess:
        c = tf.constant(10) * tf.constant(5)
        h_op = tf.get_session_handle(c)
        sess.run(h_op).delete()  # deleting through the handle object

        h = sess.run(h_op)
        raw = h.get_raw_handle()
        f, x = tf.delete_session_tensor(raw)
        assert x.type == "DeleteSessionTensor" and f.dtype == tf.string
        sess.run(x, feed_dict={f: raw})
        p, t = tf.get_session_tensor(raw, tf.int32)
        with pytest.raises(tf.errors.InvalidArgumentError, match="is not in the session store."):
            sess.run(t, {p: raw})
        with pytest.raises(tf.errors.InvalidArgumentError, match=f"The tensor with handle '{raw}' is not in the session store."):
            sess.run(x, feed_dict={f: raw})
        h._auto_gc_enabled = False  # already deleted by the op above
        with pytest.raises(TypeError, match="may have already been deleted"):
            h.eval()
        with pytest.raises(tf.errors.InvalidArgumentError, match="is not in the session store"):
            sess.run(t, {p: "no;such;handle"})
        with pytest.raises(TypeError, match="`data` must be of type Tensor."):
            tf.get_session_handle(3.0)
        # Wrong dtype requested for a stored tensor.
        h2 = sess.run(h_op)
        p2, t2 = tf.get_session_tensor(h2.handle, tf.float32)
        with pytest.raises(tf.errors.InvalidArgumentError, match="has type int32"):
            sess.run(t2, {p2: h2.handle})


def test_dropped_handle_frees_tensor_and_close_frees_all():
    with tf.Session() as sess:
        h = sess.run(tf.get_session_handle(tf.constant([1.0, 2.0])))
        raw = h.handle
        p, t = tf.get_session_tensor(raw, tf.float32)
        np.testing.assert_array_equal(sess.run(t, {p: raw}), [1.0, 2.0])
        del h
        gc.collect()
        with pytest.raises(tf.errors.InvalidArgumentError, match="is not in the session store"):
            sess.run(t, {p: raw})
    sess = tf.Session()
    h = sess.run(tf.get_session_handle(tf.constant(3)))
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        h.eval()
    del h  # deleting after close is a no-op


def test_handle_v2_and_partial_run():
    x = tf.placeholder(tf.float32, [])
    g = tf.get_default_graph()
    h2_op = g.create_op("GetSessionHandleV2", [x], name="hv2", attrs={"T": tf.float32}).outputs[0]
    h_op = tf.get_session_handle(x * 2.0)
    assert h2_op.dtype == tf.dtypes.resource and h_op.shape.rank == 0
    with tf.Session() as sess:
        h2 = sess.run(h2_op, {x: 4.0})
        assert isinstance(h2, session_ops.TensorHandle) and h2.eval() == 4.0
        ph = sess.partial_run_setup([h_op], [x])
        h = sess.partial_run(ph, h_op, feed_dict={x: 3.0})
        assert isinstance(h, session_ops.TensorHandle) and h.eval() == 6.0
        f = sess.make_callable(h_op, [x])
        assert f(5.0).eval() == 10.0


def test_handle_ops_are_not_folded_or_deduplicated():
    c = tf.constant(1.0)
    h1 = tf.get_session_handle(c)
    h2 = tf.get_session_handle(c)
    with tf.Session() as sess:
        a, b = sess.run([h1, h2])
        assert a.handle != b.handle
        r1, r2 = sess.run(h1), sess.run(h1)
        assert r1.handle != r2.handle
