"""Indexing ops against numpy: gather/scatter, one_hot, where, unique, top_k, scans, stitch/partition,
invert_permutation and the composites built from them; every out-of-range index is an error."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf
import graphrt.ops.math_ops

ALL_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
              np.bool_]
NUM_DTYPES = [np.float16, np.float32, np.float64, np.int32, np.int64]


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def values(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if np.issubdtype(dtype, np.floating):
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(0, 100, size=shape).astype(dtype)


def ph(dtype, shape=None):
    return tf.placeholder(tf.as_dtype(dtype), shape=shape)


def gather_ref(params, indices, axis, batch_dims=0):
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    return np.stack([gather_ref(params[b], indices[b], axis - 1, batch_dims - 1) for b in range(params.shape[0])])


# ---- gather -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("idx_dtype", [np.int32, np.int64])
def test_gather_every_dtype(dtype, idx_dtype):
    p = values(dtype, (5, 3), 1)
    idx = np.array([[4, 0], [2, 2]], dtype=idx_dtype)
    x, i = ph(dtype), ph(idx_dtype)
    out = tf.gather(x, i)
    assert out.op.type == "GatherV2" and out.dtype == tf.as_dtype(dtype)
    got = run(out, {x: p, i: idx})
    np.testing.assert_array_equal(got, p[idx])
    assert got.dtype == p.dtype


@pytest.mark.parametrize("pshape,ishape,axis", [((6,), (), 0), ((6,), (3,), 0), ((4, 5), (2, 3), 1),
                                                ((3, 4, 5), (7,), -1), ((3, 4, 5), (2, 2), -2),
                                                ((4, 5), (0,), 0), ((0, 3), (2,), 1), ((3, 4, 2), (0, 2), 1)])
def test_gather_axis_shapes(pshape, ishape, axis):
    p = values(np.float32, pshape, 2)
    limit = pshape[axis]
    idx = np.random.default_rng(3).integers(0, max(limit, 1), size=ishape).astype(np.int32)
    static = tf.gather(tf.constant(p), tf.constant(idx), axis=axis)
    expected = np.take(p, idx, axis=axis)
    assert static.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(static), expected)
    # unknown shapes and a fed axis
    x, i, a = ph(np.float32), ph(np.int32), tf.placeholder(tf.int64, shape=[])
    out = tf.gather(x, i, axis=a)
    assert out.shape.rank is None
    np.testing.assert_array_equal(run(out, {x: p, i: idx, a: axis}), expected)


@pytest.mark.parametrize("pshape,ishape,axis,bd", [((2, 5), (2, 3), 1, 1), ((2, 3, 5), (2, 4), 2, 1),
                                                   ((2, 3, 5, 2), (2, 3, 4), 2, 2), ((2, 5, 3), (2, 4, 2), 1, -2)])
def test_gather_batch_dims(pshape, ishape, axis, bd):
    p = values(np.int64, pshape, 4)
    idx = np.random.default_rng(5).integers(0, pshape[axis], size=ishape).astype(np.int64)
    out = tf.gather(tf.constant(p), tf.constant(idx), axis=axis, batch_dims=bd)
    expected = gather_ref(p, idx, axis, bd if bd >= 0 else bd + len(ishape))
    assert out.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(out), expected)


def test_gather_axis_defaults_to_batch_dims():
    p = values(np.float32, (3, 4), 6)
    idx = np.array([[1, 0], [3, 3], [2, 1]], dtype=np.int32)
    np.testing.assert_array_equal(run(tf.gather(p, idx, batch_dims=1)), gather_ref(p, idx, 1, 1))


def test_gather_strings():
    p = np.array([b"a", b"bb", b"", b"dddd"], dtype=object)
    out = run(tf.gather(tf.constant(p), [3, 0, 3]))
    assert [bytes(v) for v in out] == [b"dddd", b"a", b"dddd"]


def test_legacy_gather_op():
    g = tf.get_default_graph()
    p = tf.constant(values(np.float32, (4, 2), 7))
    i = tf.constant([[3, 1]], dtype=tf.int64)
    out = g.create_op("Gather", [p, i], attrs={"Tparams": tf.float32, "Tindices": tf.int64}).outputs[0]
    assert out.shape.as_list() == [1, 2, 2]
    np.testing.assert_array_equal(run(out), values(np.float32, (4, 2), 7)[[[3, 1]]])
    bad = g.create_op("Gather", [p, tf.constant([4])], attrs={"Tparams": tf.float32, "Tindices": tf.int32}).outputs[0]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 4 is not in \[0, 4\)"):
        run(bad)


@pytest.mark.parametrize("bad", [7, -1])
def test_gather_out_of_range(bad):
    x, i = ph(np.float32), ph(np.int32)
    out = tf.gather(x, i)
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"indices\[1\] = {bad} is not in \[0, 5\)"):
        run(out, {x: np.zeros((5, 2), np.float32), i: [0, bad, 1]})


def test_gather_errors():
    x, i, a = ph(np.float32), ph(np.int32), tf.placeholder(tf.int32, shape=[])
    out = tf.gather(x, i, axis=a)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected axis in the range \[-2, 2\), but got 2"):
        run(out, {x: np.zeros((2, 2), np.float32), i: [0], a: 2})
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least 1 dimensional"):
        run(tf.gather(x, i), {x: np.float32(1), i: 0})
    with pytest.raises(tf.errors.InvalidArgumentError, match="should be equal to indices.shape"):
        run(tf.gather(x, i, batch_dims=1), {x: np.zeros((2, 3), np.float32), i: np.zeros((3, 1), np.int32)})
    with pytest.raises(ValueError, match="Expected axis in the range"):
        tf.gather(tf.zeros([2, 3]), [0], axis=2)
    with pytest.raises(ValueError, match="rank 1"):
        tf.gather(tf.constant(1.0), [0])
    with pytest.raises(TypeError):
        tf.gather(tf.zeros([2]), tf.constant([0.0]))


# ---- gather_nd ----------------------------------------------------------------------------------

def gather_nd_ref(p, idx):
    k = idx.shape[-1]
    flat = idx.reshape(int(np.prod(idx.shape[:-1])), k)
    rows = [p[tuple(t)] for t in flat]
    return np.array(rows, dtype=p.dtype).reshape(idx.shape[:-1] + p.shape[k:])


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_gather_nd_dtypes(dtype):
    p = values(dtype, (3, 4, 2), 8)
    idx = np.array([[[2, 3], [0, 1]], [[1, 1], [2, 0]]], dtype=np.int64)
    got = run(tf.gather_nd(p, idx))
    np.testing.assert_array_equal(got, gather_nd_ref(p, idx))
    assert got.dtype == p.dtype


@pytest.mark.parametrize("pshape,ishape", [((5,), (3, 1)), ((3, 4), (2,)), ((3, 4), (5, 2)), ((3, 4, 2), (2, 3)),
                                           ((3, 4), (2, 0)), ((3, 4), (0, 1)), ((2, 0), (3, 1))])
def test_gather_nd_shapes(pshape, ishape):
    p = values(np.float32, pshape, 9)
    k = ishape[-1]
    rng = np.random.default_rng(10)
    idx = np.stack([rng.integers(0, max(pshape[j], 1), size=ishape[:-1]) for j in range(k)], axis=-1) if k else \
        np.zeros(ishape, np.int32)
    idx = idx.astype(np.int32).reshape(ishape)
    out = tf.gather_nd(tf.constant(p), tf.constant(idx))
    expected = gather_nd_ref(p, idx)
    assert out.shape.as_list() == list(expected.shape)
    if 0 in pshape and expected.size == 0 and np.prod(ishape[:-1]) > 0:
        with pytest.raises(tf.errors.InvalidArgumentError, match="params is empty"):
            run(out)
        return
    x, i = ph(np.float32), ph(np.int32)
    np.testing.assert_array_equal(run(tf.gather_nd(x, i), {x: p, i: idx}), expected)


def test_gather_nd_batch_dims():
    p = values(np.float32, (2, 3, 4), 11)
    idx = np.array([[[1], [0]], [[2], [2]]], dtype=np.int32)
    expected = np.stack([gather_nd_ref(p[b], idx[b]) for b in range(2)])
    out = tf.gather_nd(p, idx, batch_dims=1)
    assert out.shape.as_list() == [2, 2, 4]
    np.testing.assert_array_equal(run(out), expected)
    idx2 = np.array([[[1, 3]], [[0, 0]]], dtype=np.int64)
    np.testing.assert_array_equal(run(tf.gather_nd(p, idx2, batch_dims=1)),
                                  np.stack([gather_nd_ref(p[b], idx2[b]) for b in range(2)]))


def test_gather_nd_errors():
    x, i = ph(np.float32), ph(np.int32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"indices\[1\] = \[7, 0\] does not index into param shape \[5,3\]"):
        run(tf.gather_nd(x, i), {x: np.zeros((5, 3), np.float32), i: [[0, 0], [7, 0]]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0,1\] = \[-1\]"):
        run(tf.gather_nd(x, i), {x: np.zeros((5, 3), np.float32), i: [[[0], [-1]]]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="innermost dimension"):
        run(tf.gather_nd(x, i), {x: np.zeros((5,), np.float32), i: [[0, 0]]})
    with pytest.raises(ValueError, match="must be <= params.rank"):
        tf.gather_nd(tf.zeros([2]), [[0, 0]])


# ---- scatter_nd ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8])
def test_scatter_nd_sums_duplicates(dtype):
    idx = np.array([[4], [3], [1], [7], [1]], dtype=np.int32)
    upd = np.array([9, 10, 11, 12, 3], dtype=dtype)
    out = run(tf.scatter_nd(idx, upd, [8]))
    expected = np.zeros(8, dtype)
    np.add.at(expected, idx[:, 0], upd)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == dtype


def test_scatter_nd_slices_and_unknown_shapes():
    idx = np.array([[0], [2], [0]], dtype=np.int64)
    upd = values(np.float32, (3, 4, 2), 12)
    expected = np.zeros((4, 4, 2), np.float32)
    np.add.at(expected, idx[:, 0], upd)
    out = tf.scatter_nd(idx, upd, tf.constant([4, 4, 2], dtype=tf.int64))
    assert out.shape.as_list() == [4, 4, 2]
    np.testing.assert_allclose(run(out), expected, rtol=1e-6)
    i, u, s = ph(np.int32), ph(np.float32), ph(np.int32)
    idx2 = np.array([[[1, 1], [0, 2]]], dtype=np.int32)
    upd2 = np.array([[1.5, 2.5]], dtype=np.float32)
    expected2 = np.zeros((2, 3), np.float32)
    expected2[1, 1] += 1.5
    expected2[0, 2] += 2.5
    np.testing.assert_array_equal(run(tf.scatter_nd(i, u, s), {i: idx2, u: upd2, s: [2, 3]}), expected2)


def test_scatter_nd_bool():
    out = run(tf.scatter_nd([[1], [1], [2]], [True, True, False], [4]))
    np.testing.assert_array_equal(out, [False, True, False, False])


def test_scatter_nd_errors():
    i, u, s = ph(np.int32), ph(np.float32), ph(np.int32)
    out = tf.scatter_nd(i, u, s)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[7\] does not index into shape \[5\]"):
        run(out, {i: [[0], [7]], u: [1.0, 2.0], s: [5]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        run(out, {i: [[-1]], u: [1.0], s: [5]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must match dimensions"):
        run(out, {i: [[0], [1]], u: [1.0, 2.0, 3.0], s: [5]})
    with pytest.raises(ValueError):
        tf.scatter_nd([[0], [1]], [1.0, 2.0, 3.0], [5])


# ---- one_hot ------------------------------------------------------------------------------------

def one_hot_ref(idx, depth, on, off, axis, dtype):
    eye = (np.arange(depth) == np.asarray(idx)[..., None])
    out = np.where(eye, on, off).astype(dtype)
    return np.moveaxis(out, -1, axis) if axis != -1 else out


@pytest.mark.parametrize("ishape", [(), (4,), (2, 3), (0,)])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot_axes(ishape, axis):
    if axis > len(ishape):
        return
    idx = np.random.default_rng(13).integers(-1, 5, size=ishape).astype(np.int32)
    out = tf.one_hot(idx, 4, axis=axis)
    expected = one_hot_ref(idx, 4, 1.0, 0.0, axis, np.float32)
    assert out.dtype == tf.float32 and out.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(out), expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float64, np.int32, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("idx_dtype", [np.uint8, np.int32, np.int64])
def test_one_hot_values_and_dtypes(dtype, idx_dtype):
    idx = np.array([0, 3, 7, 2], dtype=idx_dtype)
    on, off = (True, False) if dtype == np.bool_ else (5, 2)
    x = ph(idx_dtype)
    out = tf.one_hot(x, 4, on_value=np.array(on, dtype), off_value=np.array(off, dtype))
    assert out.dtype == tf.as_dtype(dtype)
    got = run(out, {x: idx})
    np.testing.assert_array_equal(got, one_hot_ref(idx, 4, on, off, -1, dtype))
    assert got.dtype == dtype


def test_one_hot_dtype_rules():
    assert tf.one_hot([1], 2, dtype=tf.int64).dtype == tf.int64
    assert tf.one_hot([1], 2, on_value=3).dtype == tf.int32
    with pytest.raises(TypeError):
        tf.one_hot([1], 2, on_value=tf.constant(1.0), dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.one_hot([1], 2, on_value=tf.constant(1.0), off_value=tf.constant(0))
    d = tf.placeholder(tf.int32, shape=[])
    with pytest.raises(tf.errors.InvalidArgumentError, match="depth must be non-negative"):
        run(tf.one_hot([1], d), {d: -1})


# ---- where --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.bool_, np.float32, np.int32, np.float16, np.int64])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 0, 3), (2, 3, 2)])
def test_where_coordinates(dtype, shape):
    v = values(dtype, shape, 14)
    if dtype != np.bool_:
        v = (v * (values(np.bool_, shape, 15))).astype(dtype)
    x = ph(dtype)
    out = tf.where(x)
    assert out.dtype == tf.int64 and out.shape.as_list() == [None, None]
    got = run(out, {x: v})
    expected = np.argwhere(v)
    assert expected.shape[1] == len(shape)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.int64
    assert tf.where(tf.constant(v)).shape.as_list() == [None, len(shape)]


def test_where_select_form():
    if not hasattr(graphrt.ops.math_ops, "select"):
        pytest.skip("math_ops.select (3-argument tf.where) is not available")
    c = np.array([True, False, True])
    np.testing.assert_array_equal(run(tf.where(c, [1, 2, 3], [4, 5, 6])), [1, 5, 3])


def test_where_one_of_x_y_is_an_error():
    with pytest.raises(ValueError):
        tf.where([True], x=[1])


# ---- unique -------------------------------------------------------------------------------------

def unique_ref(x):
    y, first, inv = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return y[order], rank[inv.reshape(-1)]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("out_idx", [tf.int32, tf.int64])
def test_unique(dtype, out_idx):
    x = values(dtype, (20,), 16) if dtype == np.bool_ else (values(dtype, (20,), 16) % 6).astype(dtype)
    t = ph(dtype, [None])
    y, idx = tf.unique(t, out_idx=out_idx)
    assert idx.dtype == out_idx and idx.shape.as_list() == [None]
    gy, gi = run([y, idx], {t: x})
    ey, ei = unique_ref(x)
    np.testing.assert_array_equal(gy, ey)
    np.testing.assert_array_equal(gi, ei)
    assert gi.dtype == out_idx.as_numpy_dtype and gy.dtype == x.dtype
    np.testing.assert_array_equal(gy[gi], x)


def test_unique_empty_strings_and_errors():
    y, idx = run(tf.unique(tf.constant(np.zeros(0, np.float32))))
    assert y.shape == (0,) and idx.shape == (0,)
    y, idx = run(tf.unique(tf.constant([b"b", b"a", b"b"])))
    assert [bytes(v) for v in y] == [b"b", b"a"] and list(idx) == [0, 1, 0]
    with pytest.raises(ValueError, match="rank 1"):
        tf.unique(tf.zeros([2, 2]))
    x = ph(np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="1D vector"):
        run(tf.unique(x), {x: np.zeros((2, 2), np.float32)})


# ---- top_k --------------------------------------------------------------------------------------

def top_k_ref(x, k):
    order = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, order, axis=-1), order


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64, np.int8, np.uint8])
@pytest.mark.parametrize("shape,k", [((6,), 3), ((4, 5), 5), ((2, 3, 7), 1), ((3, 4), 0), ((0, 4), 2)])
def test_top_k(dtype, shape, k):
    x = (values(dtype, shape, 17) % 5).astype(dtype)  # many ties
    t = ph(dtype)
    vals, idx = tf.nn.top_k(t, k=k)
    gv, gi = run([vals, idx], {t: x})
    ev, ei = top_k_ref(x, k)
    np.testing.assert_array_equal(gv, ev)
    np.testing.assert_array_equal(gi, ei)
    assert gi.dtype == np.int32 and gv.dtype == dtype
    assert tf.nn.top_k(tf.constant(x), k).values.shape.as_list() == list(shape[:-1]) + [k]


def test_top_k_errors():
    t = ph(np.float32)
    k = tf.placeholder(tf.int32, shape=[])
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least k columns. Had 3, needed 5"):
        run(tf.nn.top_k(t, k), {t: np.zeros((2, 3), np.float32), k: 5})
    with pytest.raises(tf.errors.InvalidArgumentError, match="k >= 0"):
        run(tf.nn.top_k(t, k), {t: np.zeros((2, 3), np.float32), k: -1})
    with pytest.raises(ValueError):
        tf.nn.top_k(tf.zeros([2, 3]), 4)
    with pytest.raises(ValueError):
        tf.nn.top_k(tf.constant(1.0), 1)


# ---- cumsum / cumprod ---------------------------------------------------------------------------

def scan_ref(x, axis, exclusive, reverse, prod):
    fn = np.cumprod if prod else np.cumsum
    if x.shape[axis] == 0:
        return x.copy()
    if reverse:
        x = np.flip(x, axis)
    if exclusive:
        pad = np.ones_like(np.take(x, [0], axis=axis)) if prod else np.zeros_like(np.take(x, [0], axis=axis))
        x = np.concatenate([pad, np.take(x, np.arange(x.shape[axis] - 1), axis=axis)], axis=axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("prod", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.float16])
@pytest.mark.parametrize("shape,axis", [((5,), 0), ((3, 4), 1), ((3, 4), -2), ((2, 3, 4), 1), ((0, 3), 1)])
def test_scans(prod, dtype, shape, axis):
    x = values(dtype, shape, 18)
    if not np.issubdtype(dtype, np.floating):
        x = (x % 4 + 1).astype(dtype)
    t = ph(dtype)
    fn = tf.cumprod if prod else tf.cumsum
    for exclusive in (False, True):
        for reverse in (False, True):
            got = run(fn(t, axis=axis, exclusive=exclusive, reverse=reverse), {t: x})
            expected = scan_ref(x.astype(np.float32) if dtype == np.float16 else x, axis, exclusive, reverse, prod)
            if dtype == np.float16:
                np.testing.assert_allclose(got.astype(np.float32), expected, rtol=1e-2, atol=1e-2)
            elif np.issubdtype(dtype, np.floating):
                np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
            else:
                np.testing.assert_array_equal(got, expected)
            assert got.dtype == dtype


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-50, 50), min_size=0, max_size=12), st.booleans(), st.booleans())
def test_cumsum_property(xs, exclusive, reverse):
    x = np.array(xs, dtype=np.int64)
    got = run(tf.cumsum(tf.constant(x, dtype=tf.int64), exclusive=exclusive, reverse=reverse))
    np.testing.assert_array_equal(got, scan_ref(x, 0, exclusive, reverse, False))


def test_scan_errors():
    t = ph(np.float32)
    a = tf.placeholder(tf.int32, shape=[])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected scan axis in the range \[-2, 2\), but got 2"):
        run(tf.cumsum(t, axis=a), {t: np.zeros((2, 2), np.float32), a: 2})
    with pytest.raises(ValueError, match="scan axis"):
        tf.cumprod(tf.zeros([2]), axis=1)


# ---- dynamic_stitch / dynamic_partition ---------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_dynamic_stitch(dtype):
    ind = [np.array(6, np.int32), np.array([4, 1], np.int32), np.array([[5, 2], [0, 3]], np.int32)]
    data = [values(dtype, (3,), 19), values(dtype, (2, 3), 20), values(dtype, (2, 2, 3), 21)]
    expected = np.zeros((7, 3), dtype)
    for i, d in zip(ind, data):
        expected[i.reshape(-1)] = d.reshape(-1, 3)
    out = tf.dynamic_stitch([tf.constant(i) for i in ind], [tf.constant(d) for d in data])
    assert out.shape.as_list() == [7, 3]
    got = run(out)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == dtype


def test_dynamic_stitch_overlap_unknown_and_errors():
    i0, i1 = ph(np.int32), ph(np.int32)
    d0, d1 = ph(np.float32), ph(np.float32)
    out = tf.dynamic_stitch([i0, i1], [d0, d1])
    got = run(out, {i0: [0, 1], i1: [1, 2], d0: [1.0, 2.0], d1: [3.0, 4.0]})
    np.testing.assert_array_equal(got, [1.0, 3.0, 4.0])  # the later index wins
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        run(out, {i0: [0, -1], i1: [1], d0: [1.0, 2.0], d1: [3.0]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not start with"):
        run(out, {i0: [0, 1], i1: [2], d0: [1.0], d1: [3.0]})
    with pytest.raises(ValueError):
        tf.dynamic_stitch([[0]], [[1.0], [2.0]])


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_dynamic_partition(dtype):
    data = values(dtype, (3, 2, 4), 22)
    parts = np.array([[2, 0], [2, 2], [1, 0]], dtype=np.int32)
    outs = tf.dynamic_partition(tf.constant(data), tf.constant(parts), 4)
    assert len(outs) == 4 and all(o.shape.as_list() == [None, 4] for o in outs)
    got = run(outs)
    for p in range(4):
        np.testing.assert_array_equal(got[p], data[parts == p])
        assert got[p].dtype == dtype


def test_dynamic_partition_errors():
    d, p = ph(np.float32), ph(np.int32)
    outs = tf.dynamic_partition(d, p, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"partitions\[2\] = 5 is not in \[0, 2\)"):
        run(outs, {d: [1.0, 2.0, 3.0], p: [0, 1, 5]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"partitions\[0\] = -1 is not in \[0, 2\)"):
        run(outs, {d: [1.0], p: [-1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must start with"):
        run(outs, {d: [1.0, 2.0], p: [0]})
    with pytest.raises(ValueError):
        tf.dynamic_partition([1.0], [0], 0)


# ---- invert_permutation -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_invert_permutation(dtype):
    perm = np.random.default_rng(23).permutation(9).astype(dtype)
    got = run(tf.invert_permutation(perm))
    np.testing.assert_array_equal(got, np.argsort(perm))
    assert got.dtype == dtype
    assert run(tf.invert_permutation(np.zeros(0, dtype))).shape == (0,)
    x = ph(dtype)
    with pytest.raises(tf.errors.InvalidArgumentError, match="is duplicated in the input"):
        run(tf.invert_permutation(x), {x: [0, 0, 1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"x\[1\] = 3 is not in \[0, 3\)"):
        run(tf.invert_permutation(x), {x: [0, 3, 1]})
    with pytest.raises(ValueError):
        tf.invert_permutation(np.zeros((2, 2), dtype))


# ---- composites ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [tf.bool, tf.float32, tf.int32])
def test_sequence_mask(dtype):
    lengths = np.array([[1, 3], [0, 4]], dtype=np.int32)
    out = tf.sequence_mask(lengths, 5, dtype=dtype)
    expected = (np.arange(5) < lengths[..., None]).astype(dtype.as_numpy_dtype)
    assert out.shape.as_list() == [2, 2, 5] and out.dtype == dtype
    np.testing.assert_array_equal(run(out), expected)
    x = ph(np.int64)
    np.testing.assert_array_equal(run(tf.sequence_mask(x), {x: [2, 0, 3]}),
                                  np.arange(3) < np.array([2, 0, 3])[:, None])


@pytest.mark.parametrize("tshape,mshape,axis", [((5,), (5,), 0), ((4, 3), (4,), 0), ((4, 3), (4, 3), 0),
                                                ((2, 4, 3), (4,), 1), ((2, 4, 3), (4, 3), 1), ((0, 3), (3,), 1)])
def test_boolean_mask(tshape, mshape, axis):
    t = values(np.float32, tshape, 24)
    m = values(np.bool_, mshape, 25)
    idx = (slice(None),) * axis + (m,)
    expected = t[idx]
    out = tf.boolean_mask(t, m, axis=axis)
    np.testing.assert_array_equal(run(out), expected)
    x, mm = ph(np.float32, [None] * len(tshape)), ph(np.bool_, [None] * len(mshape))
    np.testing.assert_array_equal(run(tf.boolean_mask(x, mm, axis=axis), {x: t, mm: m}), expected)
    with pytest.raises(ValueError):
        tf.boolean_mask(t, True)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    a, b, c = np.arange(3, dtype=np.float32), np.arange(4, 6, dtype=np.float32), np.array([7, 8], np.float32)
    for args in ((a, b), (a, b, c), (a,)):
        outs = tf.meshgrid(*[tf.constant(v) for v in args], indexing=indexing)
        expected = np.meshgrid(*args, indexing=indexing)
        got = run(outs)
        for o, g, e in zip(outs, got, expected):
            np.testing.assert_array_equal(g, e)
            assert o.shape.as_list() == list(e.shape)
    with pytest.raises(ValueError):
        tf.meshgrid(a, indexing="zz")


@pytest.mark.parametrize("strategy", ["mod", "div"])
@pytest.mark.parametrize("sizes", [(3, 3, 2), (4, 1), (2, 2, 2, 2)])
def test_embedding_lookup_sharded(strategy, sizes):
    total = sum(sizes)
    full = values(np.float32, (total, 3), 26)
    # shard the full table the way TF does
    if strategy == "mod":
        shards = [full[p::len(sizes)] for p in range(len(sizes))]
    else:
        n, per, extra = len(sizes), total // len(sizes), total % len(sizes)
        bounds = np.cumsum([0] + [per + (1 if p < extra else 0) for p in range(n)])
        shards = [full[bounds[p]:bounds[p + 1]] for p in range(n)]
    ids = np.random.default_rng(27).integers(0, total, size=(2, 5)).astype(np.int64)
    out = tf.nn.embedding_lookup([tf.constant(s) for s in shards], ids, partition_strategy=strategy)
    assert out.shape.as_list() == [2, 5, 3]
    np.testing.assert_array_equal(run(out), full[ids])
    x = ph(np.int64)
    ps = [tf.placeholder(tf.float32, shape=[None, 3]) for _ in shards]
    feed = {p: s for p, s in zip(ps, shards)}
    feed[x] = ids[0]
    np.testing.assert_array_equal(run(tf.nn.embedding_lookup(ps, x, partition_strategy=strategy), feed), full[ids[0]])


def test_embedding_lookup_single_and_errors():
    table = values(np.float32, (6, 2), 28)
    np.testing.assert_array_equal(run(tf.nn.embedding_lookup(table, [[5, 0]])), table[[[5, 0]]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="is not in"):
        run(tf.nn.embedding_lookup(table, [6]))
    with pytest.raises(ValueError):
        tf.nn.embedding_lookup([], [0])
