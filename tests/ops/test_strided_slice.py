"""Tensor.__getitem__ / StridedSlice against numpy indexing: a property test over random specs
(ints, slices with negative or omitted bounds and steps, Ellipsis, tf.newaxis, scalar int Tensors)
on random shapes up to rank 4, plus dtypes, explicit mask cases and errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


@st.composite
def shape_and_spec(draw):
    rank = draw(st.integers(0, 4))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=rank, max_size=rank)))
    use_ellipsis = draw(st.booleans())
    n_before = draw(st.integers(0, rank))
    n_after = draw(st.integers(0, rank - n_before)) if use_ellipsis else 0
    dims = list(range(n_before)) + list(range(rank - n_after, rank))

    def entry(d):
        size = shape[d]
        bound = st.one_of(st.none(), st.integers(-size - 3, size + 3))
        as_slice = st.builds(slice, bound, bound, st.sampled_from([None, 1, 2, 3, -1, -2, -3]))
        if size == 0:
            return draw(as_slice)
        return draw(st.one_of(st.integers(-size, size - 1), as_slice))

    spec = [entry(d) for d in dims]
    if use_ellipsis:
        spec.insert(n_before, Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        spec.insert(draw(st.integers(0, len(spec))), None)
    return shape, tuple(spec)


def _to_tensor_indices(spec, which):
    """Replaces int entries / slice bounds, chosen by the bits of `which`, by scalar constant Tensors."""
    bit = [0]

    def conv(v, dtype):
        bit[0] += 1
        if v is None or not (which >> (bit[0] - 1)) & 1:
            return v
        return tf.constant(v, dtype=dtype)

    out = []
    for s in spec:
        if isinstance(s, slice):
            out.append(slice(conv(s.start, tf.int32), conv(s.stop, tf.int32), conv(s.step, tf.int32)))
        elif isinstance(s, int):
            out.append(conv(s, tf.int64 if which & 1 else tf.int32))
        else:
            out.append(s)
    return tuple(out)


@settings(max_examples=50, deadline=None)
@given(shape_and_spec(), st.integers(0, 2 ** 12 - 1))
def test_getitem_matches_numpy(case, which):
    shape, spec = case
    tf.reset_default_graph()
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    want = a[spec]
    x = tf.placeholder(tf.float32, shape)
    y = x[spec]
    assert y.op.type == "StridedSlice"
    assert y.shape.as_list() == list(want.shape)
    u = tf.placeholder(tf.float32)  # unknown shape: all work at run time
    z = u[spec]
    # Scalar int Tensors as indices / bounds: packed with Pack, same result.
    t_spec = _to_tensor_indices(spec, which)
    w = x[t_spec]
    assert w.shape.is_compatible_with(want.shape)
    assert w.shape.rank == want.ndim or w.shape.rank is None
    gy, gz, gw = run([y, z, w], {x: a, u: a})
    np.testing.assert_array_equal(gy, want)
    np.testing.assert_array_equal(gz, want)
    np.testing.assert_array_equal(gw, want)
    assert np.shape(gy) == want.shape and np.shape(gw) == want.shape


def test_explicit_mixed_spec():
    a = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    x = tf.placeholder(tf.float64, [2, None, 4, 5])
    y = x[1:, ..., tf.newaxis, ::-2]
    assert y.shape.as_list() == [1, None, 4, 1, 3]
    np.testing.assert_array_equal(run(y, {x: a}), a[1:, ..., np.newaxis, ::-2])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
                                   np.uint8, np.uint16, np.bool_, object])
def test_every_dtype(dtype):
    base = np.arange(60).reshape(3, 4, 5)
    if dtype is object:
        a = np.array([b"v%d" % v for v in base.ravel()], dtype=object).reshape(base.shape)
        tdt = tf.string
    else:
        a = (base % 2 == 0) if dtype is np.bool_ else base.astype(dtype)
        tdt = tf.as_dtype(dtype)
    x = tf.placeholder(tdt, a.shape)
    for spec in [(1,), (slice(None, None, -1), 2), (Ellipsis, slice(1, 4, 2)), (None, -1, slice(3, 0, -1), 0)]:
        got = run(x[spec], {x: a})
        want = a[spec]
        assert np.asarray(got).shape == want.shape
        np.testing.assert_array_equal(np.asarray(got, dtype=want.dtype), want)


def test_tensor_index_and_bounds():
    a = np.arange(30, dtype=np.int32).reshape(5, 6)
    x = tf.placeholder(tf.int32, [5, 6])
    i = tf.placeholder(tf.int32, [])
    j = tf.placeholder(tf.int64, [])
    y = x[i, 1:j]
    assert y.op.inputs[1].op.type == "Pack"
    assert y.shape.as_list() == [None]
    np.testing.assert_array_equal(run(y, {x: a, i: -2, j: 4}), a[-2, 1:4])
    z = x[:, i]
    assert z.shape.as_list() == [5]
    np.testing.assert_array_equal(run(z, {x: a, i: 3}), a[:, 3])
    s = x[::i]
    np.testing.assert_array_equal(run(s, {x: a, i: -2}), a[::-2])
    with pytest.raises(TypeError):
        x[tf.constant(1.0)]
    with pytest.raises(TypeError):
        x[tf.constant([1, 2])]
    with pytest.raises(TypeError):
        x[1.5]
    with pytest.raises(ValueError):
        x[::0]


def test_out_of_range_index():
    x = tf.placeholder(tf.float32, [3, 4])
    with pytest.raises(ValueError, match="out of bounds"):
        x[3]
    with pytest.raises(ValueError, match="out of bounds"):
        x[:, -5]
    with pytest.raises(ValueError):
        x[1, 2, 3]
    u = tf.placeholder(tf.float32)
    y = u[:, 7]
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds") as e:
        run(y, {u: np.zeros((3, 4), np.float32)})
    assert y.op.name in str(e.value)
    i = tf.placeholder(tf.int32, [])
    z = x[i]
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds") as e:
        run(z, {x: np.zeros((3, 4), np.float32), i: -4})
    assert z.op.name in str(e.value)


def test_strided_slice_function_masks():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = tf.constant(a)
    y = tf.strided_slice(t, [0, 0, 0], [0, 0, 0], [1, 1, -1], begin_mask=0b111, end_mask=0b111)
    np.testing.assert_array_equal(run(y), a[:, :, ::-1])
    y = tf.strided_slice(t, [1, 0], [2, 0], [1, 1], shrink_axis_mask=1, ellipsis_mask=2)
    np.testing.assert_array_equal(run(y), a[1, ...])
    y = tf.strided_slice(t, [0, 0, 1], [0, 0, 3], [1, 1, 1], new_axis_mask=1, ellipsis_mask=2)
    np.testing.assert_array_equal(run(y), a[None, ..., 1:3])


def test_large_slices_fast_paths():
    a = np.random.default_rng(0).standard_normal((64, 128, 257)).astype(np.float32)
    x = tf.constant(a)
    for spec in [(slice(3, -3), slice(None), slice(1, 200)), (slice(None, None, 2), 5), (Ellipsis, slice(None, None, -3)),
                 (slice(None, None, -1), slice(None, None, -1))]:
        np.testing.assert_array_equal(run(x[spec]), a[spec])
