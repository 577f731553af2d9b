"""Linear algebra ops against numpy: Transpose, matrix_transpose, BatchMatMul(V2), tensordot, einsum."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf

NUM_DTYPES = [np.float32, np.float64, np.int32, np.int64]


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _values(dtype, shape, rng):
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype == np.object_:
        return np.array([str(i).encode() for i in range(int(np.prod(shape)))], dtype=object).reshape(shape)
    if np.issubdtype(dtype, np.floating):
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-9, 10, size=shape).astype(dtype)


# ---- Transpose -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", NUM_DTYPES + [np.float16, np.int8, np.uint8, np.int16, np.uint16, np.bool_])
@pytest.mark.parametrize("shape,perm", [((), []), ((5,), [0]), ((2, 3), [1, 0]), ((2, 3, 4), [2, 0, 1]),
                                        ((2, 3, 4), [1, 0, 2]), ((0, 3), [1, 0]), ((2, 1, 3), [1, 2, 0]),
                                        ((2, 3, 4, 5), [3, 1, 0, 2])])
def test_transpose_dtypes(dtype, shape, perm):
    a = _values(dtype, shape, np.random.default_rng(0))
    x = tf.placeholder(tf.as_dtype(dtype))
    out = tf.transpose(x, perm)
    assert out.op.type == "Transpose"
    got = run(out, {x: a})
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, np.transpose(a, perm))


def test_transpose_string():
    a = _values(np.object_, (2, 3), None)
    x = tf.constant(a)
    got = run(tf.transpose(x))
    np.testing.assert_array_equal(got, a.T)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
def test_transpose_default_perm_reverses(shape):
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    out = tf.transpose(tf.constant(a))
    assert out.shape == a.T.shape
    assert out.op.name == "transpose"
    np.testing.assert_array_equal(run(out), a.T)


def test_transpose_perm_tensor_and_static_shape():
    a = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
    p = tf.placeholder(tf.int64, [3])
    x = tf.placeholder(tf.int64, [2, 3, 4])
    out = tf.transpose(x, p)
    assert out.shape.as_list() == [None, None, None]
    np.testing.assert_array_equal(run(out, {x: a, p: [2, 1, 0]}), a.transpose(2, 1, 0))
    assert tf.transpose(x, [1, 2, 0]).shape.as_list() == [3, 4, 2]
    assert tf.transpose(tf.placeholder(tf.float32, [None, 5]), [1, 0]).shape.as_list() == [5, None]


@pytest.mark.parametrize("perm,msg", [([0, 0, 1], "missing"), ([0, 1, 3], "out of range"), ([0, 1], "expects a vector of size 3"),
                                      ([-1, 0, 1], "out of range")])
def test_transpose_invalid_perm_runtime(perm, msg):
    x = tf.placeholder(tf.float32)
    p = tf.placeholder(tf.int32)
    out = tf.transpose(x, p)
    with pytest.raises(tf.errors.InvalidArgumentError, match=msg):
        run(out, {x: np.zeros((2, 3, 4), np.float32), p: perm})


@pytest.mark.parametrize("perm", [[0, 0], [0, 2], [0], [1, 0, 2]])
def test_transpose_invalid_perm_static(perm):
    with pytest.raises(ValueError):
        tf.transpose(tf.zeros([2, 3]), perm)


def test_conjugate_transpose():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = tf.transpose(tf.constant(a), conjugate=True)
    assert out.op.type == "ConjugateTranspose"
    np.testing.assert_array_equal(run(out), a.T)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=5), st.randoms(use_true_random=False))
def test_transpose_property(dims, rnd):
    perm = list(range(len(dims)))
    rnd.shuffle(perm)
    a = np.arange(int(np.prod(dims)), dtype=np.int32).reshape(dims)
    with tf.Graph().as_default():
        got = run(tf.transpose(tf.constant(a), perm))
    np.testing.assert_array_equal(got, np.transpose(a, perm))


@pytest.mark.parametrize("shape", [(2, 3), (4, 2, 3), (2, 2, 3, 5)])
def test_matrix_transpose(shape):
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    for fn in (tf.matrix_transpose, tf.linalg.matrix_transpose, tf.linalg.transpose):
        out = fn(tf.constant(a))
        assert out.shape == np.swapaxes(a, -1, -2).shape
        np.testing.assert_array_equal(run(out), np.swapaxes(a, -1, -2))
    with pytest.raises(ValueError):
        tf.matrix_transpose(tf.constant([1.0, 2.0]))


# ---- BatchMatMul ---------------------------------------------------------------------------------

def _bmm_ref(a, b, adj_x, adj_y):
    a = np.swapaxes(a, -1, -2) if adj_x else a
    b = np.swapaxes(b, -1, -2) if adj_y else b
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


def _mm_values(dtype, shape, rng):
    if np.issubdtype(dtype, np.floating):
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-5, 6, size=shape).astype(dtype)


@pytest.mark.parametrize("dtype", NUM_DTYPES + [np.float16])
@pytest.mark.parametrize("adj_x,adj_y", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("op", ["BatchMatMul", "BatchMatMulV2"])
def test_batch_matmul(op, adj_x, adj_y, dtype):
    rng = np.random.default_rng(3)
    xs = (3, 4, 2) if adj_x else (3, 2, 4)
    ys = (3, 5, 4) if adj_y else (3, 4, 5)
    a, b = _mm_values(dtype, xs, rng), _mm_values(dtype, ys, rng)
    from graphrt.ops import linalg_ops
    wrapper = linalg_ops.batch_matmul if op == "BatchMatMul" else linalg_ops.batch_matmul_v2
    x, y = tf.placeholder(tf.as_dtype(dtype)), tf.placeholder(tf.as_dtype(dtype))
    out = wrapper(x, y, adj_x=adj_x, adj_y=adj_y)
    assert out.op.type == op
    got = run(out, {x: a, y: b})
    assert got.dtype == dtype and got.shape == (3, 2, 5)
    tol = {np.float16: 2e-2, np.float32: 1e-5, np.float64: 1e-12}.get(dtype, 0)
    np.testing.assert_allclose(got.astype(np.float64), _bmm_ref(a, b, adj_x, adj_y), rtol=tol, atol=tol)


@pytest.mark.parametrize("xs,ys", [((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
                                   ((0, 2, 3), (3, 4)), ((2, 2, 0), (2, 0, 4)), ((1, 2, 3), (7, 1, 3, 4)),
                                   ((3, 0, 3), (3, 3, 4))])
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_batch_matmul_v2_broadcast(xs, ys, dtype):
    rng = np.random.default_rng(4)
    a, b = _mm_values(dtype, xs, rng), _mm_values(dtype, ys, rng)
    out = tf.linalg.matmul(tf.constant(a), tf.constant(b))
    ref = np.matmul(a, b)
    assert out.shape == ref.shape
    got = run(out)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shapes", [((64, 8, 9), (64, 9, 7)), ((2, 96, 80), (2, 80, 70))])
def test_batch_matmul_blas_paths(shapes):
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    np.testing.assert_allclose(run(tf.linalg.matmul(tf.constant(a), tf.constant(b), transpose_b=False)), a @ b,
                               rtol=1e-10, atol=1e-10)
    x32, y32 = a.astype(np.float32), b.astype(np.float32)
    np.testing.assert_allclose(run(tf.linalg.matmul(x32, y32)), x32 @ y32, rtol=1e-4, atol=1e-4)


def test_batch_matmul_runtime_errors():
    from graphrt.ops import linalg_ops
    x, y = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    v2 = linalg_ops.batch_matmul_v2(x, y)
    v1 = linalg_ops.batch_matmul(x, y)
    z = np.zeros
    with pytest.raises(tf.errors.InvalidArgumentError, match="compatible batch"):
        run(v2, {x: z((2, 2, 3), np.float32), y: z((3, 3, 4), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="size-incompatible"):
        run(v2, {x: z((2, 2, 3), np.float32), y: z((2, 4, 4), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="ndims must be >= 2"):
        run(v2, {x: z((3,), np.float32), y: z((3, 4), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="different ndims"):
        run(v1, {x: z((2, 2, 3), np.float32), y: z((3, 4), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be the same"):
        run(v1, {x: z((1, 2, 3), np.float32), y: z((2, 3, 4), np.float32)})


def test_batch_matmul_static_errors_and_shapes():
    from graphrt.ops import linalg_ops
    with pytest.raises(ValueError):
        tf.linalg.matmul(tf.zeros([2, 2, 3]), tf.zeros([2, 4, 5]))
    with pytest.raises(ValueError):
        tf.linalg.matmul(tf.zeros([2, 2, 3]), tf.zeros([3, 3, 5]))
    with pytest.raises(ValueError):
        linalg_ops.batch_matmul(tf.zeros([2, 2, 3]), tf.zeros([3, 5]))
    with pytest.raises(ValueError):
        linalg_ops.batch_matmul_v2(tf.zeros([3]), tf.zeros([3, 5]))
    x = tf.placeholder(tf.float32, [None, 4, 3])
    y = tf.placeholder(tf.float32, [None, 5, 3])
    assert linalg_ops.batch_matmul_v2(x, y, adj_y=True).shape.as_list() == [None, 4, 5]
    assert tf.linalg.matmul(tf.placeholder(tf.float32), y).shape.rank is None
    with pytest.raises(TypeError):
        tf.linalg.matmul(tf.zeros([2, 2, 2]), tf.zeros([2, 2, 2], dtype=tf.float64))


# ---- tensordot -----------------------------------------------------------------------------------

@pytest.mark.parametrize("xs,ys,axes", [((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((3,), (4,), 0),
                                        ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]), ((3, 4), (4, 3), [[0], [1]]),
                                        ((2, 3), (3, 2), [[-1, 0], [0, -1]]), ((), (2, 3), 0), ((0, 3), (3, 2), 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_tensordot(xs, ys, axes, dtype):
    rng = np.random.default_rng(6)
    a, b = _mm_values(dtype, xs, rng), _mm_values(dtype, ys, rng)
    out = tf.tensordot(tf.constant(a), tf.constant(b), axes)
    ref = np.tensordot(a, b, axes)
    assert out.shape == ref.shape
    got = run(out)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def test_tensordot_unknown_free_dim_and_errors():
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.tensordot(x, tf.ones([3, 2]), 1)
    assert out.shape.as_list() == [None, 2]
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_allclose(run(out, {x: a}), a @ np.ones((3, 2)))
    with pytest.raises(ValueError):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([4, 5]), 1)
    with pytest.raises(ValueError):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 5]), 3)
    with pytest.raises(ValueError):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 5]), [[0, 1], [0]])


# ---- einsum --------------------------------------------------------------------------------------

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("ji,jk->ki", [(3, 2), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("bij,bkj->bki", [(5, 2, 3), (5, 4, 3)]),
    ("ibj,jbk->bik", [(2, 5, 3), (3, 5, 4)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("abcd,cde->abe", [(2, 3, 4, 5), (4, 5, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(1, 2, 3), (5, 3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ijk->kij", [(2, 3, 4)]),
    ("ij", [(2, 3)]),
    ("ba", [(2, 3)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_einsum(equation, shapes, dtype):
    rng = np.random.default_rng(7)
    arrays = [_mm_values(dtype, s, rng) for s in shapes]
    out = tf.einsum(equation, *[tf.constant(a) for a in arrays])
    ref = np.einsum(equation, *arrays)
    assert out.shape == ref.shape
    got = run(out)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("equation,shapes", [("ij->i", [(2, 3)]), ("ij->", [(2, 3)]), ("ij,jk->i", [(2, 3), (3, 4)]),
                                             ("bij,bjk->ik", [(2, 2, 3), (2, 3, 4)])])
def test_einsum_needing_reduce_sum(equation, shapes):
    if not hasattr(tf, "reduce_sum"):
        with pytest.raises(ValueError, match="reduce_sum"):
            tf.einsum(equation, *[tf.ones(s) for s in shapes])
        return
    rng = np.random.default_rng(8)
    arrays = [_mm_values(np.float32, s, rng) for s in shapes]
    got = run(tf.einsum(equation, *[tf.constant(a) for a in arrays]))
    np.testing.assert_allclose(got, np.einsum(equation, *arrays), rtol=1e-5, atol=1e-5)


def test_einsum_unknown_batch_dim():
    x = tf.placeholder(tf.float32, [None, 2, 3])
    y = tf.placeholder(tf.float32, [None, 3, 4])
    out = tf.einsum("bij,bjk->bik", x, y)
    assert out.shape.as_list() == [None, 2, 4]
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal((6, 2, 3)).astype(np.float32), rng.standard_normal((6, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(run(out, {x: a, y: b}), a @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("equation,shapes", [("ij,jk->ik", [(2, 3), (4, 5)]), ("ij,jk->ik", [(2, 3, 1), (3, 4)]),
                                             ("ii->i", [(3, 3)]), ("ij,jk->iz", [(2, 3), (3, 4)]),
                                             ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("i2,j->ij", [(2,), (3,)])])
def test_einsum_errors(equation, shapes):
    with pytest.raises(ValueError):
        tf.einsum(equation, *[tf.ones(s) for s in shapes])
