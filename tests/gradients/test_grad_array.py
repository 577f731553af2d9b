"""Finite-difference checks of the array-family gradients (float64)."""
import numpy as np
import pytest

import graphrt as tf
from gradient_checker import check_gradients, rand


def test_reshape_expand_squeeze():
    x = rand(2, 3)
    check_gradients(lambda t: tf.reshape(t, [3, 2]) * tf.constant([[1.0, 2.0]] * 3, tf.float64), [x])
    check_gradients(lambda t: tf.reshape(t, [-1]) * 2.0, [x], static_shapes=False)
    check_gradients(lambda t: tf.expand_dims(t, 1) * 3.0, [x])
    check_gradients(lambda t: tf.squeeze(t, [1]) * 3.0, [rand(2, 1, 3)])


def test_transpose():
    check_gradients(lambda t: tf.transpose(t, [2, 0, 1]) * 1.5, [rand(2, 3, 4)])
    check_gradients(lambda t: tf.transpose(t) * 1.5, [rand(2, 3)])


def test_concat():
    a, b, c = rand(2, 3), rand(2, 1, seed=1), rand(2, 2, seed=2)
    check_gradients(lambda x, y, z: tf.concat([x, y * 2.0, z], 1), [a, b, c])
    check_gradients(lambda x, y: tf.concat([x, y], 0), [rand(1, 3), rand(2, 3, seed=3)])
    check_gradients(lambda x, y, z: tf.concat([x, y, z], -1), [a, b, c], static_shapes=False)


def test_stack_unstack():
    check_gradients(lambda x, y: tf.stack([x, y * 2.0], axis=1), [rand(2, 3), rand(2, 3, seed=1)])
    check_gradients(lambda x: tf.unstack(x, axis=1)[1] * 2.0 + tf.unstack(x, axis=1)[0], [rand(2, 3)])
    # an unused output still gets a zero gradient
    check_gradients(lambda x: tf.unstack(x)[0] * 3.0, [rand(2, 3)])


def test_split():
    check_gradients(lambda x: tf.split(x, 3, axis=1)[2] * 2.0, [rand(2, 6)])
    check_gradients(lambda x: tf.concat(tf.split(x, [1, 3, 2], axis=1)[::-1], 1) * 2.0, [rand(2, 6)])


def test_slice_and_strided_slice():
    x = rand(3, 4, 2)
    check_gradients(lambda t: tf.slice(t, [1, 0, 1], [2, -1, 1]) * 2.0, [x])
    check_gradients(lambda t: t[1:, ::2, 0] * 2.0, [x])
    check_gradients(lambda t: t[::-1, 1] * 2.0, [x])
    check_gradients(lambda t: t[..., tf.newaxis, 1] * 2.0, [x])
    check_gradients(lambda t: t[2, 3, 1] * 2.0, [x])
    check_gradients(lambda t: t[:, 1:3] * 2.0, [x], static_shapes=False)


def test_tile_pad_reverse_broadcast_to():
    x = rand(2, 3)
    check_gradients(lambda t: tf.tile(t, [2, 3]), [x])
    check_gradients(lambda t: tf.tile(t, [1, 2]) * 1.0, [x], static_shapes=False)
    check_gradients(lambda t: tf.pad(t, [[1, 0], [2, 1]]) * 2.0, [x])
    check_gradients(lambda t: tf.pad(t, [[1, 0], [2, 1]], constant_values=3.0) * 2.0, [x])
    check_gradients(lambda t: tf.reverse(t, [1]) * tf.constant([1.0, 2.0, 3.0], tf.float64), [x])
    check_gradients(lambda t: tf.broadcast_to(t, [4, 2, 3]), [x])
    check_gradients(lambda t: tf.broadcast_to(t, [2, 3]) * 2.0, [rand(2, 1)])


def test_fill_gradient_wrt_value():
    check_gradients(lambda v: tf.fill([2, 3], v) * tf.constant(rand(2, 3)), [np.array(0.7)])


def test_gather_indexed_slices():
    x = tf.placeholder(tf.float64, [4, 2])
    y = tf.gather(x, [3, 0, 3])
    g = tf.gradients(tf.reduce_sum(y * tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], tf.float64)), x)[0]
    assert isinstance(g, tf.IndexedSlices)
    dense = tf.convert_to_tensor(g)
    assert dense.shape.as_list() == [4, 2]
    with tf.Session() as s:
        r = s.run(dense, {x: np.zeros((4, 2))})
    np.testing.assert_allclose(r, [[3, 4], [0, 0], [0, 0], [6, 8]])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gather_v2(axis):
    idx = np.array([[2, 0], [1, 2]])
    check_gradients(lambda p: tf.gather(p, idx, axis=axis) * 2.0, [rand(3, 3, 2)[..., 0] if axis != -1 else rand(2, 3)])


def test_gather_unknown_shapes():
    check_gradients(lambda p: tf.gather(p, [1, 1, 0]) * 2.0, [rand(3, 2)], static_shapes=False)


def test_gather_nd_and_scatter_nd():
    idx = np.array([[0, 1], [2, 0], [0, 1]])
    check_gradients(lambda p: tf.gather_nd(p, idx) * 2.0, [rand(3, 2)])
    check_gradients(lambda u: tf.scatter_nd(idx, u, [3, 2]) * tf.constant(rand(3, 2, seed=4)), [rand(3)])


def test_mixed_sparse_and_dense_terms_are_densified():
    x = tf.placeholder(tf.float64, [3, 2])
    y = tf.reduce_sum(tf.gather(x, [0, 0])) + tf.reduce_sum(x * 2.0)
    g = tf.gradients(y, x)[0]
    assert isinstance(g, tf.Tensor)
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(g, {x: np.zeros((3, 2))}), [[4, 4], [2, 2], [2, 2]])


def test_two_sparse_terms_stay_sparse():
    x = tf.placeholder(tf.float64, [3, 2])
    y = tf.reduce_sum(tf.gather(x, [0, 2])) + tf.reduce_sum(tf.gather(x, [2]))
    g = tf.gradients(y, x)[0]
    assert isinstance(g, tf.IndexedSlices)
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(tf.convert_to_tensor(g), {x: np.zeros((3, 2))}), [[1, 1], [0, 0], [2, 2]])


def test_gather_then_dense_op():
    # a gather gradient flowing into a reshape is densified there
    check_gradients(lambda p: tf.reshape(tf.gather(tf.reshape(p, [4, 2]), [1, 3]), [-1]) * 2.0, [rand(8)])


def test_dynamic_stitch_partition():
    check_gradients(lambda a, b: tf.dynamic_stitch([[0, 2], [1, 3]], [a, b]) * tf.constant(rand(4, 2, seed=1)),
                    [rand(2, 2), rand(2, 2, seed=2)])
    check_gradients(lambda d: tf.dynamic_partition(d, [1, 0, 1, 1], 2)[1] * 2.0, [rand(4, 2)])


def test_top_k():
    x = np.array([[0.1, 0.9, 0.5, 0.3], [0.7, 0.2, 0.8, 0.0]])
    check_gradients(lambda t: tf.nn.top_k(t, 2).values * tf.constant([[1.0, 2.0]], tf.float64), [x])


def test_identity_n_and_snapshot_like():
    check_gradients(lambda x: tf.identity_n([x, x * 2.0])[1], [rand(3)])
    check_gradients(lambda x: tf.placeholder_with_default(x, [3]) * 2.0, [rand(3)])


def test_gather_of_computed_params():
    check_gradients(lambda a, b: tf.gather(tf.matmul(a, b), [1, 0, 1]) * 2.0, [rand(2, 3), rand(3, 2, seed=1)])
    check_gradients(lambda x: tf.gather(tf.exp(x), [2, 2]) + tf.gather(tf.sin(x), [0]), [rand(3, 2)])
    check_gradients(lambda x: tf.gather(tf.identity(x), [2, 2]) * 3.0, [rand(3, 2)])


def test_identity_keeps_indexed_slices():
    x = tf.placeholder(tf.float32, [3, 2])
    g = tf.gradients(tf.reduce_sum(tf.gather(tf.identity(x), [1])), x)[0]
    assert isinstance(g, tf.IndexedSlices)
