"""The Foundation op set against numpy: every op, the dtypes it serves, broadcasting, and errors."""
import numpy as np
import pytest

import graphrt as tf

DTYPES = [np.float32, np.float64, np.int32, np.int64]


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _values(dtype, shape, rng, positive=False):
    if np.issubdtype(dtype, np.floating):
        v = rng.standard_normal(shape)
        return (np.abs(v) + 0.5 if positive else v).astype(dtype)
    v = rng.integers(1 if positive else -9, 10, size=shape)
    return v.astype(dtype)


BINARY = {
    "Add": (tf.add, np.add),
    "Sub": (tf.subtract, np.subtract), "Mul": (tf.multiply, np.multiply),
    "Maximum": (tf.maximum, np.maximum), "Minimum": (tf.minimum, np.minimum),
    "SquaredDifference": (tf.squared_difference, lambda a, b: (a - b) * (a - b)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (4,)), ((3, 1, 2), (4, 1))])
@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference"])
def test_binary_broadcasting(op, shapes, dtype):
    rng = np.random.default_rng(1)
    a, b = _values(dtype, shapes[0], rng), _values(dtype, shapes[1], rng)
    fn, ref = BINARY[op]
    x = tf.placeholder(tf.as_dtype(dtype))
    y = tf.placeholder(tf.as_dtype(dtype))
    out = fn(x, y)
    assert out.op.type == op
    got = run(out, {x: a, y: b})
    np.testing.assert_array_equal(got, ref(a, b).astype(dtype))
    assert got.dtype == dtype


def test_add_v2_and_div_ops_by_graph():
    g = tf.get_default_graph()
    a = tf.constant([1.0, 2.0])
    b = tf.constant([4.0, 8.0])
    addv2 = g.create_op("AddV2", [a, b], attrs={"T": tf.float32}).outputs[0]
    div = tf.realdiv(a, b)
    np.testing.assert_array_equal(run(addv2), [5, 10])
    np.testing.assert_array_equal(run(div), [0.25, 0.25])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_realdiv_float(dtype):
    rng = np.random.default_rng(2)
    a, b = _values(dtype, (3, 4), rng), _values(dtype, (4,), rng, positive=True)
    np.testing.assert_allclose(run(tf.realdiv(tf.constant(a), tf.constant(b))), a / b, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_floordiv_floormod_match_numpy(dtype):
    a = np.array([7, -7, 7, -7, 0, 5], dtype=dtype)
    b = np.array([2, 2, -2, -2, 3, 5], dtype=dtype)
    np.testing.assert_array_equal(run(tf.constant(a) // tf.constant(b)), a // b)
    np.testing.assert_array_equal(run(tf.constant(a) % tf.constant(b)), a % b)


def test_float_floordiv_floormod_match_numpy():
    a = np.array([7.5, -7.5, 7.5, -7.5], dtype=np.float32)
    b = np.array([2.0, 2.0, -2.0, -2.0], dtype=np.float32)
    np.testing.assert_allclose(run(tf.constant(a) // tf.constant(b)), a // b)
    np.testing.assert_allclose(run(tf.constant(a) % tf.constant(b)), np.mod(a, b))


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_division_by_zero_is_invalid_argument(dtype):
    x = tf.placeholder(tf.as_dtype(dtype), [None])
    for out in (x // tf.constant(np.array([1, 0], dtype)), x % tf.constant(np.array([0, 1], dtype)),
                tf.realdiv(x, tf.constant(np.array([1, 0], dtype)))):
        with pytest.raises(tf.errors.InvalidArgumentError, match="division by zero"):
            run(out, {x: np.array([4, 5], dtype)})


def test_int_min_division_by_minus_one_does_not_crash():
    m = np.iinfo(np.int32).min
    a = tf.constant(np.array([m, 7], np.int32))
    b = tf.constant(np.array([-1, -1], np.int32))
    np.testing.assert_array_equal(run(a // b), [m, -7])  # wraps like two's complement, as numpy does
    np.testing.assert_array_equal(run(a % b), [0, 0])


def test_pow():
    np.testing.assert_allclose(run(tf.constant([2.0, 3.0]) ** tf.constant([3.0, 0.5])), [8.0, 3.0 ** 0.5], rtol=1e-6)
    np.testing.assert_array_equal(run(tf.constant([2, -3, 5]) ** 3), [8, -27, 125])
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative integer powers"):
        run(tf.constant([2, 3]) ** tf.constant([1, -1]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_neg_square(dtype):
    rng = np.random.default_rng(3)
    a = _values(dtype, (5, 2), rng)
    np.testing.assert_array_equal(run(tf.negative(tf.constant(a))), -a)
    np.testing.assert_array_equal(run(-tf.constant(a)), -a)
    np.testing.assert_array_equal(run(tf.square(tf.constant(a))), a * a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_comparisons(dtype):
    rng = np.random.default_rng(4)
    a, b = _values(dtype, (4, 3), rng), _values(dtype, (3,), rng)
    ta, tb = tf.constant(a), tf.constant(b)
    got = run([ta < tb, ta <= tb, ta > tb, ta >= tb, tf.equal(ta, tb), tf.not_equal(ta, tb)])
    for g, r in zip(got, [a < b, a <= b, a > b, a >= b, a == b, a != b]):
        assert g.dtype == np.bool_
        np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_float(dtype, ta, tb):
    rng = np.random.default_rng(5)
    a = _values(dtype, (3, 5) if ta else (5, 3), rng)
    b = _values(dtype, (4, 3) if tb else (3, 4), rng)
    out = tf.matmul(tf.constant(a), tf.constant(b), transpose_a=ta, transpose_b=tb)
    assert out.shape.as_list() == [5, 4]
    ref = (a.T if ta else a) @ (b.T if tb else b)
    np.testing.assert_allclose(run(out), ref, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_matmul_int(dtype):
    rng = np.random.default_rng(6)
    a, b = _values(dtype, (6, 7), rng), _values(dtype, (7, 2), rng)
    np.testing.assert_array_equal(run(tf.matmul(tf.constant(a), tf.constant(b))), a @ b)
    np.testing.assert_array_equal(run(tf.matmul(tf.constant(b), tf.constant(a), transpose_a=True, transpose_b=True)),
                                  b.T @ a.T)


def test_matmul_large_uses_blas_and_is_right():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((200, 300)).astype(np.float32)
    b = rng.standard_normal((300, 150)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 300])
    np.testing.assert_allclose(run(x @ tf.constant(b), {x: a}), a @ b, rtol=1e-4, atol=1e-4)


def test_matmul_runtime_shape_mismatch():
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.placeholder(tf.float32, [None, None])
    assert tf.matmul(x, y).op.type == "MatMul"
    with pytest.raises(tf.errors.InvalidArgumentError, match="size-incompatible"):
        run(tf.matmul(x, y), {x: np.ones((2, 3)), y: np.ones((4, 2))})


def test_matmul_unknown_rank_is_batched_like_tf1():
    x = tf.placeholder(tf.float32)
    y = tf.placeholder(tf.float32)
    z = tf.matmul(x, y, transpose_b=True)
    assert z.op.type == "BatchMatMulV2"
    a = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    b = np.ones((4, 3), np.float32)
    np.testing.assert_allclose(run(z, {x: a, y: b}), a @ b.T)


def test_matmul_static_shape_mismatch():
    with pytest.raises(ValueError):
        tf.matmul(tf.ones([2, 3]), tf.ones([4, 2]))


ALL_CAST = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.bool_]


@pytest.mark.parametrize("src", ALL_CAST)
@pytest.mark.parametrize("dst", ALL_CAST)
def test_cast_all_pairs(src, dst):
    vals = np.array([0, 1, 2, 3, 7, 100], dtype=np.float64)
    if np.issubdtype(src, np.floating):
        vals = vals + 0.75
    a = vals.astype(src)
    out = run(tf.cast(tf.constant(a), tf.as_dtype(dst)))
    assert out.dtype == np.dtype(dst)
    if dst == np.bool_:
        ref = a != 0
    elif np.issubdtype(dst, np.integer) and np.issubdtype(src, np.floating):
        ref = np.trunc(a.astype(np.float64)).astype(dst)
    else:
        ref = a.astype(dst)
    np.testing.assert_array_equal(out, ref)


def test_cast_negative_float_truncates_toward_zero():
    np.testing.assert_array_equal(run(tf.cast(tf.constant([-1.7, 1.7, -0.2]), tf.int32)), [-1, 1, 0])


def test_cast_same_dtype_is_identity():
    a = tf.constant([1.0])
    assert tf.cast(a, tf.float32) is a


def test_reshape():
    a = np.arange(24, dtype=np.float32)
    t = tf.constant(a)
    r = tf.reshape(t, [2, -1, 4])
    assert r.shape.as_list() == [2, 3, 4]
    np.testing.assert_array_equal(run(r), a.reshape(2, 3, 4))
    x = tf.placeholder(tf.float32)
    s = tf.placeholder(tf.int32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input to reshape is a tensor with 24 values"):
        run(tf.reshape(x, s), {x: a, s: [5, 5]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Only one input size may be -1"):
        run(tf.reshape(x, s), {x: a, s: [-1, -1]})
    with pytest.raises(ValueError):
        tf.reshape(t, [5, 5])


def test_shape_op():
    x = tf.placeholder(tf.float32, [None, 3])
    s = tf.shape(x)
    s64 = tf.shape(x, out_type=tf.int64)
    assert s.shape.as_list() == [2] and s.dtype == tf.int32
    got = run([s, s64], {x: np.zeros((5, 3))})
    np.testing.assert_array_equal(got[0], [5, 3])
    assert got[1].dtype == np.int64


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64, tf.int32, tf.int64, tf.bool])
def test_fill_zeros_ones(dtype):
    z = tf.zeros([2, 3], dtype=dtype)
    o = tf.ones([2, 3], dtype=dtype)
    assert z.shape.as_list() == [2, 3]
    zv, ov = run([z, o])
    np.testing.assert_array_equal(zv, np.zeros((2, 3), dtype.as_numpy_dtype))
    np.testing.assert_array_equal(ov, np.ones((2, 3), dtype.as_numpy_dtype))
    assert zv.dtype == dtype.as_numpy_dtype


def test_fill_and_like():
    np.testing.assert_array_equal(run(tf.fill([2, 2], 7)), np.full((2, 2), 7))
    x = tf.placeholder(tf.float32, [None, 2])
    zl = tf.zeros_like(x)
    ol = tf.ones_like(x)
    got = run([zl, ol], {x: np.ones((3, 2))})
    np.testing.assert_array_equal(got[0], np.zeros((3, 2)))
    np.testing.assert_array_equal(got[1], np.ones((3, 2)))
    d = tf.placeholder(tf.int32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.fill(d, 1.0), {d: [2, -1]})


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_n(dtype):
    rng = np.random.default_rng(8)
    vals = [_values(dtype, (3, 2), rng) for _ in range(4)]
    out = tf.add_n([tf.constant(v) for v in vals])
    assert out.op.type == "AddN"
    np.testing.assert_array_equal(run(out), sum(vals))
    x = tf.placeholder(tf.as_dtype(dtype))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same shape"):
        run(tf.add_n([x, tf.constant(vals[0])]), {x: vals[0][:1]})


def test_identity_noop_and_half_arithmetic():
    h = np.array([0.5, 1.5, -2.0], np.float16)
    out = run(tf.identity(tf.constant(h)) + tf.constant(np.float16(1.0)))
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, h + np.float16(1.0))


def test_large_elementwise_parallel_path_is_exact():
    rng = np.random.default_rng(9)
    a = rng.standard_normal(1 << 22).astype(np.float32)  # above the memory-bound parallel threshold
    b = rng.standard_normal((1 << 11, 1)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None, 1])
    got = run([tf.reshape(x, [2048, 2048]) * y + 1.0, tf.exp(x[:100000])], {x: a, y: b})
    np.testing.assert_array_equal(got[0], a.reshape(2048, 2048) * b + np.float32(1.0))
    np.testing.assert_allclose(got[1], np.exp(a[:100000]), rtol=1e-6)


def test_shape_n():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.int32, [2])
    sx, sy = tf.shape_n([x, y], out_type=tf.int64)
    assert sx.shape.as_list() == [2] and sy.shape.as_list() == [1] and sx.dtype == tf.int64
    a, b = run([sx, sy], {x: np.zeros((4, 3)), y: [1, 2]})
    np.testing.assert_array_equal(a, [4, 3])
    np.testing.assert_array_equal(b, [2])
