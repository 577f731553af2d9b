"""Zero-copy rules: contiguous feeds are borrowed (never copied, never written), fetches own their
C++ buffer, and only a fetch that would alias a feed is copied."""
import numpy as np
import pytest

import graphrt as tf
from graphrt import _core


def _stats():
    return _core.allocator_stats()


def test_contiguous_feed_is_borrowed_inside_the_step():
    x = tf.placeholder(tf.float32, [None])
    y = x + 1.0
    arr = np.arange(1000, dtype=np.float32)
    with tf.Session() as sess:
        sess.run(y, {x: arr})
        assert _core._debug_last_feed_addresses() == [arr.ctypes.data]


def test_non_contiguous_or_converted_feed_is_copied_correctly():
    x = tf.placeholder(tf.float32, [None, None])
    y = x * 2.0
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    view = base[:, ::2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: view}), view * 2)
        assert _core._debug_last_feed_addresses() != [view.ctypes.data]
        as_f64 = base.astype(np.float64)  # converted to float32 first: a new array
        np.testing.assert_array_equal(sess.run(y, {x: as_f64}), base * 2)


def test_large_feed_not_copied_for_shape():
    x = tf.placeholder(tf.float32, [None])
    s = tf.shape(x)
    big = np.ones(16 * 1024 * 1024, dtype=np.float32)  # 64 MiB
    with tf.Session() as sess:
        sess.run(s, {x: big})  # warm the plan
        before = _stats()["total_bytes"]
        out = sess.run(s, {x: big})
        after = _stats()["total_bytes"]
    np.testing.assert_array_equal(out, [16 * 1024 * 1024])
    assert after - before < 1024, "feeding 64 MiB to tf.shape allocated memory: the feed was copied"


def test_kernels_never_write_into_a_borrowed_feed():
    x = tf.placeholder(tf.float32, [None])
    y = tf.negative(tf.square(x + 1.0))
    arr = np.arange(100000, dtype=np.float32)
    keep = arr.copy()
    with tf.Session() as sess:
        out = sess.run(y, {x: arr})
    np.testing.assert_array_equal(arr, keep)
    np.testing.assert_allclose(out, -np.square(keep + 1))


def test_fetch_owns_cpp_buffer_without_copy():
    x = tf.placeholder(tf.float32, [None])
    y = x + 1.0
    arr = np.zeros(1 << 20, dtype=np.float32)
    with tf.Session() as sess:
        sess.run(y, {x: arr})
        before = _stats()
        out = sess.run(y, {x: arr})
        after = _stats()
    # Exactly one buffer of the output's size was allocated, and the array wraps it.
    assert after["total_allocations"] - before["total_allocations"] == 1
    assert after["total_bytes"] - before["total_bytes"] == arr.nbytes
    assert type(out.base).__name__ == "PyCapsule"
    assert not np.shares_memory(out, arr)


def test_fetch_of_a_fed_tensor_is_copied_not_aliased():
    x = tf.placeholder(tf.float32, [3])
    y = tf.identity(x)
    arr = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    with tf.Session() as sess:
        out_y, out_x = sess.run([y, x], {x: arr})
    assert not np.shares_memory(out_y, arr)
    assert not np.shares_memory(out_x, arr)
    arr[0] = 100.0
    np.testing.assert_array_equal(out_y, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(out_x, [1.0, 2.0, 3.0])


def test_fetched_arrays_survive_reruns_and_close():
    x = tf.placeholder(tf.float32, [4])
    y = x * 3.0
    sess = tf.Session()
    r1 = sess.run(y, {x: np.ones(4, np.float32)})
    r2 = sess.run(y, {x: np.full(4, 2.0, np.float32)})
    sess.close()
    np.testing.assert_array_equal(r1, [3, 3, 3, 3])
    np.testing.assert_array_equal(r2, [6, 6, 6, 6])


def test_constant_fetch_is_not_mutated_by_later_steps():
    c = tf.constant(np.arange(4, dtype=np.float32))
    y = c + 1.0
    with tf.Session() as sess:
        c1 = sess.run(c)
        for _ in range(3):
            sess.run(y)
        c2 = sess.run(c)
    np.testing.assert_array_equal(c1, np.arange(4))
    np.testing.assert_array_equal(c2, np.arange(4))


def test_elementwise_chain_reuses_intermediate_buffers():
    x = tf.placeholder(tf.float32, [None])
    y = ((x + 1.0) * 2.0 - 3.0) / 4.0
    arr = np.arange(1 << 16, dtype=np.float32)
    with tf.Session() as sess:
        sess.run(y, {x: arr})
        before = _stats()["total_allocations"]
        out = sess.run(y, {x: arr})
        after = _stats()["total_allocations"]
    np.testing.assert_allclose(out, ((arr + 1) * 2 - 3) / 4)
    # The first op must allocate (its input is a borrowed feed); the other three reuse its buffer.
    assert after - before == 1


def test_feed_released_after_step():
    import sys
    x = tf.placeholder(tf.float32, [None])
    y = x + 1.0
    arr = np.ones(10, np.float32)
    refs = sys.getrefcount(arr)
    with tf.Session() as sess:
        for _ in range(50):
            sess.run(y, {x: arr})
    assert sys.getrefcount(arr) == refs


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
                                   np.uint8, np.uint16, np.bool_])
def test_every_dtype_feeds_and_fetches(dtype):
    x = tf.placeholder(tf.as_dtype(dtype), [None])
    y = tf.identity(x)
    arr = (np.arange(6) % 2).astype(dtype)
    with tf.Session() as sess:
        out = sess.run(y, {x: arr})
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, arr)


def test_mutating_a_fetched_constant_does_not_change_the_graph():
    c = tf.constant(np.arange(4, dtype=np.float32))
    with tf.Session() as sess:
        first = sess.run(c)
        first[:] = -1
        np.testing.assert_array_equal(sess.run(c), np.arange(4))
        ident = sess.run(tf.identity(c))
        ident[0] = 99
        np.testing.assert_array_equal(sess.run(c), np.arange(4))


def test_two_fetches_sharing_a_buffer_do_not_alias():
    x = tf.placeholder(tf.float32, [4])
    y = x + 1.0
    z = tf.reshape(y, [2, 2])
    with tf.Session() as sess:
        yv, zv = sess.run([y, z], {x: np.zeros(4, np.float32)})
    assert not np.shares_memory(yv, zv)
    yv[0] = 5
    np.testing.assert_array_equal(zv, np.ones((2, 2)))


def test_run_plan_rejects_non_array_feed_values():
    x = tf.placeholder(tf.float32, [])
    with tf.Session() as sess:
        y = x + 1
        sess.run(y, {x: 1.0})
        p = sess._plan((x.name,), (y.name,), ())
        with pytest.raises(TypeError, match="numpy array"):
            sess._c.run_plan(p, [1.0])
