"""SparseTensor / SparseTensorValue / sparse_placeholder, sparse fetch and feed, and the sparse ops."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf

DTYPES = [np.float32, np.float64, np.int32, np.int64]


def _random_sparse(shape, density=0.4, dtype=np.float32, seed=0):
    rng = np.random.RandomState(seed)
    dense = (rng.rand(*shape) * 10 - 5)
    dense = np.where(rng.rand(*shape) < density, dense, 0).astype(dtype)
    if np.issubdtype(dtype, np.integer):
        dense = np.where(dense == 0, 0, dense + np.sign(dense)).astype(dtype)
    idx = np.argwhere(dense != 0).astype(np.int64).reshape(-1, len(shape))
    return dense, idx, dense[tuple(idx.T)] if idx.size else np.zeros([0], dtype), np.array(shape, np.int64)


def test_sparse_tensor_class_and_static_checks():
    sp = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    assert sp.dtype == tf.float32 and sp.indices.dtype == tf.int64 and sp.dense_shape.dtype == tf.int64
    assert sp.shape.as_list() == [3, 4] and sp.get_shape().as_list() == [3, 4]
    assert sp.graph is tf.get_default_graph() and sp.op is sp.values.op
    with pytest.raises(ValueError):
        tf.SparseTensor(indices=[0, 1], values=[1.0, 2.0], dense_shape=[3])  # indices not a matrix
    with pytest.raises(ValueError):
        tf.SparseTensor(indices=[[0, 0]], values=[1.0, 2.0], dense_shape=[3, 4])  # 1 row vs 2 values
    with pytest.raises(ValueError):
        tf.SparseTensor(indices=[[0, 0]], values=[1.0], dense_shape=[3, 4, 5])  # 2 columns vs rank 3
    v = tf.SparseTensorValue(np.array([[0]]), np.array([1.0]), np.array([2]))
    assert tf.SparseTensor.from_value(v).shape.as_list() == [2]
    assert v.indices.shape == (1, 1)


def test_fetch_sparse_tensor_and_eval():
    sp = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    with tf.Session() as sess:
        out = sess.run(sp)
        assert isinstance(out, tf.SparseTensorValue)
        np.testing.assert_array_equal(out.indices, [[0, 0], [1, 2]])
        assert out.indices.dtype == np.int64 and out.values.dtype == np.float32
        np.testing.assert_array_equal(out.values, [1.0, 2.0])
        np.testing.assert_array_equal(out.dense_shape, [3, 4])
        # Nested in structures with plain tensors.
        both = sess.run({"sp": sp, "n": tf.constant(3), "l": [sp, sp.values]})
        assert isinstance(both["sp"], tf.SparseTensorValue) and both["n"] == 3
        np.testing.assert_array_equal(both["l"][0].values, both["l"][1])
        np.testing.assert_array_equal(sp.eval().dense_shape, [3, 4])


@pytest.mark.parametrize("shape", [None, [3, 4], [None, 4], [3, None]])
def test_sparse_placeholder_feed(shape):
    sp = tf.sparse_placeholder(tf.float32, shape=shape, name="sp")
    dense = tf.sparse_tensor_to_dense(sp)
    total = tf.sparse_reduce_sum(sp)
    if shape == [3, 4]:
        assert sp.shape.as_list() == [3, 4]
    value = tf.SparseTensorValue(np.array([[0, 1], [2, 3]], np.int64), np.array([5.0, 7.0], np.float32),
                                 np.array([3, 4], np.int64))
    expect = np.zeros([3, 4], np.float32)
    expect[0, 1], expect[2, 3] = 5, 7
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(dense, {sp: value}), expect)
        # A plain (indices, values, dense_shape) tuple feeds too.
        d, t, v = sess.run([dense, total, sp], {sp: ([[0, 1], [2, 3]], [5.0, 7.0], [3, 4])})
        np.testing.assert_array_equal(d, expect)
        assert t == 12.0
        assert isinstance(v, tf.SparseTensorValue)
        np.testing.assert_array_equal(v.values, [5.0, 7.0])
        with pytest.raises(TypeError, match="SparseTensorValue"):
            sess.run(dense, {sp: np.ones(3)})
    if shape is None:
        assert sp.indices.op.name == "sp/indices" and sp.values.op.name == "sp/values"
        assert sp.dense_shape.op.name == "sp/shape"


def test_partial_run_with_sparse_feed():
    sp = tf.sparse_placeholder(tf.float32, shape=[2, 2])
    s = tf.sparse_reduce_sum(sp)
    y = tf.placeholder(tf.float32, [])
    out = s * y
    with tf.Session() as sess:
        h = sess.partial_run_setup([s, out], [sp, y])
        assert sess.partial_run(h, s, {sp: ([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])}) == 3.0
        assert sess.partial_run(h, out, {y: 2.0}) == 6.0


def test_fetch_indexed_slices():
    params = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
    g = tf.gradients(tf.reduce_sum(tf.gather(params, [0, 2, 2])), params)[0]
    assert isinstance(g, tf.IndexedSlices)
    no_shape = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([3]))
    with tf.Session() as sess:
        v = sess.run(g)
        assert isinstance(v, tf.IndexedSlicesValue)
        np.testing.assert_array_equal(v.indices, [0, 2, 2])
        np.testing.assert_array_equal(v.values, np.ones([3, 3], np.float32))
        np.testing.assert_array_equal(v.dense_shape, [4, 3])
        w = sess.run(no_shape)
        assert w.dense_shape is None
        np.testing.assert_array_equal(w.indices, [3])
        # IndexedSlices as a feed key: (values, indices[, dense_shape]).
        r = sess.run(tf.convert_to_tensor(g.values) * 2.0, {g: (np.full([3, 3], 2.0, np.float32), [1, 1, 1], [4, 3])})
        np.testing.assert_array_equal(r, np.full([3, 3], 4.0))


# ---- sparse_to_dense / sparse_tensor_to_dense ---------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.float16, np.bool_])
@pytest.mark.parametrize("shape", [[5], [3, 4], [2, 3, 2], [0, 3]])
def test_sparse_tensor_to_dense_matches_numpy(dtype, shape):
    if dtype == np.bool_:
        dense = np.random.RandomState(1).rand(*shape) < 0.5
        idx = np.argwhere(dense).astype(np.int64).reshape(-1, len(shape))
        vals, sh = dense[tuple(idx.T)] if idx.size else np.zeros([0], bool), np.array(shape, np.int64)
    else:
        dense, idx, vals, sh = _random_sparse(shape, dtype=dtype)
    sp = tf.SparseTensor(idx, vals.astype(dtype), sh)
    default = np.array(False if dtype == np.bool_ else 0, dtype)
    with tf.Session() as sess:
        out = sess.run(tf.sparse_tensor_to_dense(sp, default_value=default))
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, dense)


def test_sparse_to_dense_forms_and_default():
    with tf.Session() as sess:
        # Scalar index, vector of indices, matrix of indices; scalar value broadcast.
        np.testing.assert_array_equal(sess.run(tf.sparse_to_dense(3, [5], 1.0)), [0, 0, 0, 1, 0])
        np.testing.assert_array_equal(sess.run(tf.sparse_to_dense([0, 2], [4], [7, 8], default_value=-1)), [7, -1, 8, -1])
        np.testing.assert_array_equal(sess.run(tf.sparse_to_dense([[0, 1], [1, 0]], [2, 2], 2.5)), [[0, 2.5], [2.5, 0]])
        st_ = tf.sparse_to_dense(tf.constant([[0, 1]], tf.int64), tf.constant([2, 3], tf.int64), ["x"], default_value="")
        np.testing.assert_array_equal(sess.run(st_), [[b"", b"x", b""], [b"", b"", b""]])
        s = tf.sparse_to_dense([1], [3], [5.0], default_value=2.0)
        assert s.shape.as_list() == [3]
        np.testing.assert_array_equal(sess.run(s), [2.0, 5.0, 2.0])
        # validate_indices=False accepts any order (the later entry wins on repeats).
        np.testing.assert_array_equal(
            sess.run(tf.sparse_to_dense([[2], [0]], [3], [1, 2], validate_indices=False)), [2, 0, 1])


def test_sparse_to_dense_validation_errors():
    idx = tf.placeholder(tf.int64, [None, 2])
    out = tf.sparse_to_dense(idx, tf.constant([3, 3], tf.int64), tf.constant([1.0, 2.0]))
    loose = tf.sparse_to_dense(idx, tf.constant([3, 3], tf.int64), tf.constant([1.0, 2.0]), validate_indices=False)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,0\] is out of order"):
            sess.run(out, {idx: [[1, 1], [0, 0]]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[1,1\] is repeated"):
            sess.run(out, {idx: [[1, 1], [1, 1]]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"indices\[1\] = \[1,3\] is out of bounds: need 0 <= index < \[3,3\]"):
            sess.run(out, {idx: [[0, 0], [1, 3]]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"out of bounds"):
            sess.run(loose, {idx: [[0, 0], [-1, 0]]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"sparse_values has incorrect shape \[2\], should be \[\] or \[3\]"):
            sess.run(out, {idx: [[0, 0], [1, 0], [2, 0]]})
    with pytest.raises(ValueError):
        tf.sparse_to_dense([[0]], [3], [1.0], default_value=[0.0, 1.0])  # default must be a scalar
    with pytest.raises(TypeError):
        tf.sparse_to_dense(tf.constant([0], tf.int64), tf.constant([3], tf.int32), [1.0])


# ---- sparse_tensor_dense_matmul ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.float16])
@pytest.mark.parametrize("adjoint_a", [False, True])
@pytest.mark.parametrize("adjoint_b", [False, True])
def test_sparse_dense_matmul(dtype, adjoint_a, adjoint_b):
    dense_a, idx, vals, sh = _random_sparse([4, 5], dtype=dtype, seed=3)
    b = (np.random.RandomState(4).rand(5, 3) * 4).astype(dtype)
    b_in = b.T.copy() if adjoint_b else b
    a_in = tf.SparseTensor(idx[:, ::-1].copy(), vals, sh[::-1].copy()) if adjoint_a else tf.SparseTensor(idx, vals, sh)
    if adjoint_a:  # a_in holds A^T, sorted or not: the kernel does not need order
        pass
    r = tf.sparse_tensor_dense_matmul(a_in, b_in, adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    assert r.shape.as_list() == [4, 3]
    with tf.Session() as sess:
        out = sess.run(r)
    expect = dense_a.astype(np.float64) @ b.astype(np.float64)
    assert out.dtype == np.dtype(dtype)
    tol = 1e-2 if dtype == np.float16 else 1e-5
    np.testing.assert_allclose(out.astype(np.float64), expect, rtol=tol, atol=tol)


def test_sparse_dense_matmul_errors_and_empty():
    sp = tf.sparse_placeholder(tf.float32)
    b = tf.placeholder(tf.float32, [None, None])
    r = tf.sparse_tensor_dense_matmul(sp, b)
    with tf.Session() as sess:
        out = sess.run(r, {sp: (np.zeros([0, 2], np.int64), [], [2, 3]), b: np.ones([3, 2], np.float32)})
        np.testing.assert_array_equal(out, np.zeros([2, 2]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="inner dimension does not match: 3 vs. 4"):
            sess.run(r, {sp: ([[0, 0]], [1.0], [2, 3]), b: np.ones([4, 2], np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"k \(3\) from index\[0,1\] out of bounds \(>=3\)"):
            sess.run(r, {sp: ([[0, 3]], [1.0], [2, 3]), b: np.ones([3, 2], np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"m \(-1\) from index\[0,0\] out of bounds \(>=2\)"):
            sess.run(r, {sp: ([[-1, 0]], [1.0], [2, 3]), b: np.ones([3, 2], np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor 'a_shape' must have 2 elements"):
            sess.run(r, {sp: ([[0, 0, 0]], [1.0], [2, 3, 1]), b: np.ones([3, 2], np.float32)})
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.sparse_tensor_dense_matmul(tf.SparseTensor([[0, 0]], [1.0], [2, 3]), np.ones([4, 2], np.float32))
    with pytest.raises(ValueError):
        tf.sparse_tensor_dense_matmul(tf.SparseTensor([[0, 0]], [1.0], [2, 3]), np.ones([3], np.float32))


# ---- sparse_reduce_sum ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.float16])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 2], [2, -3]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sparse_reduce_sum_matches_numpy(dtype, axis, keepdims):
    dense, idx, vals, sh = _random_sparse([3, 4, 2], dtype=dtype, seed=5)
    sp = tf.SparseTensor(idx, vals, sh)
    r = tf.sparse_reduce_sum(sp, axis=axis, keepdims=keepdims)
    np_axis = None if axis is None else tuple(axis) if isinstance(axis, list) else axis
    expect = np.sum(dense.astype(np.float64), axis=np_axis, keepdims=keepdims)
    assert r.shape.as_list() == list(np.shape(expect))
    with tf.Session() as sess:
        out = sess.run(r)
    assert np.asarray(out).dtype == np.dtype(dtype)
    np.testing.assert_allclose(np.asarray(out, np.float64), expect, rtol=1e-2 if dtype == np.float16 else 1e-6)


def test_sparse_reduce_sum_unknown_shapes_and_errors():
    sp = tf.sparse_placeholder(tf.float32)
    total = tf.sparse_reduce_sum(sp)
    rows = tf.sparse_reduce_sum(sp, reduction_axes=1, keep_dims=True)
    bad = tf.sparse_reduce_sum(sp, axis=3)
    val = ([[0, 0], [1, 1], [1, 2]], [1.0, 2.0, 3.0], [2, 3])
    empty = (np.zeros([0, 2], np.int64), np.zeros([0], np.float32), [2, 3])
    with tf.Session() as sess:
        assert sess.run(total, {sp: val}) == 6.0
        np.testing.assert_array_equal(sess.run(rows, {sp: val}), [[1.0], [5.0]])
        np.testing.assert_array_equal(sess.run(rows, {sp: empty}), [[0.0], [0.0]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid reduction dimension 3, for input with 2 dimensions."):
            sess.run(bad, {sp: val})
        with pytest.raises(tf.errors.InvalidArgumentError, match="is out of bounds"):
            sess.run(total, {sp: ([[0, 5]], [1.0], [2, 3])})
    with pytest.raises(ValueError):
        tf.sparse_reduce_sum(tf.SparseTensor([[0]], [1.0], [3]), axis=0, reduction_axes=0)


# ---- sparse_add ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_sparse_add_sparse_and_dense(dtype):
    da, ia, va, sh = _random_sparse([4, 3], dtype=dtype, seed=7)
    db, ib, vb, _ = _random_sparse([4, 3], dtype=dtype, seed=8)
    a, b = tf.SparseTensor(ia, va, sh), tf.SparseTensor(ib, vb, sh)
    s = tf.sparse_add(a, b)
    assert isinstance(s, tf.SparseTensor) and s.shape.as_list() == [4, 3]
    dense_b = (np.arange(12).reshape(4, 3)).astype(dtype)
    with tf.Session() as sess:
        out = sess.run(s)
        np.testing.assert_array_equal(sess.run(tf.sparse_tensor_to_dense(s)), da + db)
        np.testing.assert_array_equal(sess.run(tf.sparse_add(a, dense_b)), da + dense_b)
        np.testing.assert_array_equal(sess.run(tf.sparse_add(dense_b, b)), db + dense_b)
    # Output indices are the sorted union of both index sets.
    union = sorted(set(map(tuple, ia)) | set(map(tuple, ib)))
    np.testing.assert_array_equal(out.indices, np.array(union, np.int64).reshape(-1, 2))
    assert out.values.dtype == np.dtype(dtype)


def test_sparse_add_threshold_and_errors():
    a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 5.0], [2, 2])
    b = tf.SparseTensor([[0, 0], [0, 1], [1, 1]], [-0.9, 0.05, -5.0], [2, 2])
    with tf.Session() as sess:
        out = sess.run(tf.sparse_add(a, b, threshold=0.2))
        # Summed entries below the threshold drop out; entries from one operand stay whatever their size.
        np.testing.assert_array_equal(out.indices, [[0, 1]])
        np.testing.assert_allclose(out.values, [0.05])
        out = sess.run(tf.sparse_add(a, b, thresh=0.05))  # the deprecated name
        np.testing.assert_array_equal(out.indices, [[0, 0], [0, 1]])
        np.testing.assert_allclose(out.values, [0.1, 0.05], atol=1e-6)
        out = sess.run(tf.sparse_add(a, b))  # threshold 0 keeps an exact zero sum
        np.testing.assert_array_equal(out.indices, [[0, 0], [0, 1], [1, 1]])
        np.testing.assert_allclose(out.values, [0.1, 0.05, 0.0], atol=1e-6)
        p = tf.sparse_placeholder(tf.float32)
        q = tf.sparse_placeholder(tf.float32)
        s = tf.sparse_add(p, q)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Operands' shapes do not match: got 2 and 3 for dimension 1"):
            sess.run(s, {p: ([[0, 0]], [1.0], [2, 2]), q: ([[0, 0]], [1.0], [2, 3])})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Operands do not have the same ranks"):
            sess.run(s, {p: ([[0, 0]], [1.0], [2, 2]), q: ([[0]], [1.0], [2])})
        d = tf.placeholder(tf.float32)
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not equal \\(no broadcasting is supported\\)"):
            sess.run(tf.sparse_add(p, d), {p: ([[0, 0]], [1.0], [2, 2]), d: np.ones([2, 3], np.float32)})
    with pytest.raises(TypeError, match="At least one input should be SparseTensor"):
        tf.sparse_add(tf.constant(1.0), tf.constant(2.0))
    with pytest.raises(ValueError):
        tf.sparse_add(a, b, threshold=0.1, thresh=0.1)


# ---- sparse_reorder / sparse_reshape ---------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.integers(0, 2)), min_size=0, max_size=12, unique=True),
       st.randoms(use_true_random=False))
def test_sparse_reorder_property(entries, rnd):
    rnd.shuffle(entries)
    idx = np.array(entries, np.int64).reshape(-1, 3)
    vals = np.arange(len(entries), dtype=np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        out = sess.run(tf.sparse_reorder(tf.SparseTensor(idx, vals, [4, 5, 3])))
    order = sorted(range(len(entries)), key=lambda i: entries[i])
    np.testing.assert_array_equal(out.indices, idx[order].reshape(-1, 3))
    np.testing.assert_array_equal(out.values, vals[order])
    np.testing.assert_array_equal(out.dense_shape, [4, 5, 3])


def test_sparse_reorder_then_to_dense_strings():
    sp = tf.SparseTensor([[1, 0], [0, 1]], ["b", "a"], [2, 2])
    with tf.Session() as sess:
        r = sess.run(tf.sparse_tensor_to_dense(tf.sparse_reorder(sp), default_value=""))
    np.testing.assert_array_equal(r, [[b"", b"a"], [b"b", b""]])


@pytest.mark.parametrize("new_shape", [[6, 4], [-1, 2], [2, 3, 4], [24], [4, -1, 3]])
def test_sparse_reshape_matches_numpy(new_shape):
    dense, idx, vals, sh = _random_sparse([2, 3, 4], seed=9)
    sp = tf.SparseTensor(idx, vals, sh)
    r = tf.sparse_reshape(sp, new_shape)
    expect = dense.reshape(new_shape)
    assert r.shape.as_list() == list(expect.shape)
    with tf.Session() as sess:
        out = sess.run(r)
        np.testing.assert_array_equal(out.dense_shape, expect.shape)
        np.testing.assert_array_equal(sess.run(tf.sparse_tensor_to_dense(r)), expect)


def test_sparse_reshape_errors():
    sp = tf.sparse_placeholder(tf.float32)
    shp = tf.placeholder(tf.int64, [None])
    r = tf.sparse_reshape(sp, shp)
    val = ([[0, 0], [1, 2]], [1.0, 2.0], [2, 3])
    with tf.Session() as sess:
        out = sess.run(r, {sp: val, shp: [3, -1]})
        np.testing.assert_array_equal(out.indices, [[0, 0], [2, 1]])
        np.testing.assert_array_equal(out.dense_shape, [3, 2])
        with pytest.raises(tf.errors.InvalidArgumentError, match="only one output dimension may be -1, not both 0 and 1"):
            sess.run(r, {sp: val, shp: [-1, -1]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Input to reshape is a tensor with 6 dense values, but the requested shape has 8"):
            sess.run(r, {sp: val, shp: [2, 4]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="requires a multiple of 4"):
            sess.run(r, {sp: val, shp: [4, -1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="size 1 must be non-negative, not -2"):
            sess.run(r, {sp: val, shp: [3, -2]})
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 6 elements"):
        tf.sparse_reshape(tf.SparseTensor([[0, 0]], [1.0], [2, 3]), [4, 2])
    with pytest.raises(ValueError, match="At most one dimension can be inferred"):
        tf.sparse_reshape(tf.SparseTensor([[0, 0]], [1.0], [2, 3]), [-1, -1])


def test_make_callable_with_sparse_fetch_and_feed():
    sp = tf.sparse_placeholder(tf.float32, shape=[2, 3])
    total = tf.sparse_reduce_sum(sp, axis=1)
    with tf.Session() as sess:
        f = sess.make_callable([total, sp], feed_list=[sp])
        t, v = f(([[0, 0], [1, 2]], [1.0, 4.0], [2, 3]))
        np.testing.assert_array_equal(t, [1.0, 4.0])
        assert isinstance(v, tf.SparseTensorValue)
        np.testing.assert_array_equal(v.indices, [[0, 0], [1, 2]])
        g = sess.make_callable(tf.SparseTensor([[1]], [2], [3]))
        out = g()
        assert isinstance(out, tf.SparseTensorValue) and out.values.dtype == np.int32
