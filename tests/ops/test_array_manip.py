"""Array-manipulation ops against numpy: every dtype for the data-movement ops, static shapes
(including unknown dims), scalars and empty tensors, and the build-time / run-time errors."""
import numpy as np
import pytest

import graphrt as tf

ALL_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
              np.bool_, object]
NUM_DTYPES = [np.float32, np.float64, np.int32, np.int64]


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def values(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    base = rng.integers(0, 100, size=n)
    if dtype is object:
        out = np.empty(n, dtype=object)
        for i, v in enumerate(base):
            out[i] = b"s%d" % v
        return out.reshape(shape)
    if dtype is np.bool_:
        return (base % 2 == 0).reshape(shape)
    return base.astype(dtype).reshape(shape)


def tf_dtype(dtype):
    return tf.string if dtype is object else tf.as_dtype(dtype)


def check(got, want):
    want = np.asarray(want)
    if isinstance(got, bytes):  # a scalar string fetch comes back as bytes, as in TF
        got = np.asarray(got, dtype=object)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype != object:
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


def feed_run(fn, arrays, dtype, known_shape=True):
    """Builds fn(placeholders...) with static shapes (or unknown ones), runs it, returns (tensor, value)."""
    phs = [tf.placeholder(tf_dtype(dtype), a.shape if known_shape else None) for a in arrays]
    out = fn(*phs)
    return out, run(out, dict(zip(phs, arrays)))


# ---- data movement ops over every dtype ------------------------------------------------------------

MOVE_CASES = {
    "concat_axis1": (lambda a, b: tf.concat([a, b], 1), lambda a, b: np.concatenate([a, b], 1), [(2, 3), (2, 4)]),
    "concat_neg_axis": (lambda a, b: tf.concat([a, b], -1), lambda a, b: np.concatenate([a, b], -1), [(2, 0), (2, 4)]),
    "concat_axis0_3d": (lambda a, b: tf.concat([a, b], 0), lambda a, b: np.concatenate([a, b], 0), [(1, 2, 3), (3, 2, 3)]),
    "stack0": (lambda a, b: tf.stack([a, b]), lambda a, b: np.stack([a, b]), [(2, 3), (2, 3)]),
    "stack_last": (lambda a, b: tf.stack([a, b], axis=-1), lambda a, b: np.stack([a, b], -1), [(2, 3), (2, 3)]),
    "stack_scalars": (lambda a, b: tf.stack([a, b]), lambda a, b: np.stack([a, b]), [(), ()]),
    "unstack1": (lambda a: tf.unstack(a, axis=1)[2], lambda a: a[:, 2], [(2, 3, 2)]),
    "unstack_neg": (lambda a: tf.unstack(a, axis=-1)[0], lambda a: a[..., 0], [(2, 3, 2)]),
    "split_even": (lambda a: tf.split(a, 3, axis=1)[1], lambda a: np.split(a, 3, 1)[1], [(2, 6)]),
    "splitv": (lambda a: tf.split(a, [1, -1, 2], axis=0)[1], lambda a: a[1:3], [(5, 2)]),
    "slice": (lambda a: tf.slice(a, [1, 0, 2], [1, -1, 2]), lambda a: a[1:2, :, 2:4], [(2, 3, 4)]),
    "slice_empty": (lambda a: tf.slice(a, [1, 0], [0, 2]), lambda a: a[1:1, 0:2], [(2, 3)]),
    "tile": (lambda a: tf.tile(a, [2, 1, 3]), lambda a: np.tile(a, [2, 1, 3]), [(2, 3, 2)]),
    "tile_zero": (lambda a: tf.tile(a, [0, 2]), lambda a: np.tile(a, [0, 2]), [(2, 3)]),
    "tile_scalar": (lambda a: tf.tile(a, []), lambda a: a, [()]),
    "pad": (lambda a: tf.pad(a, [[1, 2], [0, 3]]), None, [(2, 3)]),
    "reflect": (lambda a: tf.pad(a, [[1, 1], [2, 0], [0, 1]], "REFLECT"),
                lambda a: np.pad(a, [[1, 1], [2, 0], [0, 1]], "reflect"), [(3, 3, 2)]),
    "symmetric": (lambda a: tf.pad(a, [[2, 2], [0, 3]], mode="symmetric"),
                  lambda a: np.pad(a, [[2, 2], [0, 3]], "symmetric"), [(2, 3)]),
    "reverse": (lambda a: tf.reverse(a, [0, -1]), lambda a: a[::-1, :, ::-1], [(2, 3, 4)]),
    "reverse_none": (lambda a: tf.reverse(a, []), lambda a: a, [(2, 3)]),
    "broadcast_to": (lambda a: tf.broadcast_to(a, [2, 3, 4]), lambda a: np.broadcast_to(a, (2, 3, 4)), [(3, 1)]),
    "broadcast_scalar": (lambda a: tf.broadcast_to(a, [2, 2]), lambda a: np.broadcast_to(a, (2, 2)), [()]),
    "expand_dims": (lambda a: tf.expand_dims(a, -1), lambda a: a[..., None], [(2, 3)]),
    "expand_dims_scalar": (lambda a: tf.expand_dims(a, 0), lambda a: a[None], [()]),
    "squeeze_all": (lambda a: tf.squeeze(a), lambda a: np.squeeze(a), [(1, 3, 1, 2)]),
    "squeeze_axis": (lambda a: tf.squeeze(a, axis=[-2]), lambda a: np.squeeze(a, 2), [(1, 3, 1, 2)]),
    "squeeze_dims_kw": (lambda a: tf.squeeze(a, squeeze_dims=[0]), lambda a: np.squeeze(a, 0), [(1, 3, 1, 2)]),
    "identity_n": (lambda a, b: tf.identity_n([a, b])[1], lambda a, b: b, [(2,), (3, 1)]),
    "zeros_like": (lambda a: tf.zeros_like(a), None, [(2, 3)]),
}


def _pad_ref(a):
    fill = b"" if a.dtype == object else 0
    return np.pad(a, [[1, 2], [0, 3]], constant_values=fill) if a.dtype != object else \
        np.array([[fill] * 6] + [[fill] * 6] + [list(r) + [fill] * 3 for r in a] + [[fill] * 6] * 2, dtype=object)[1:]


def _zeros_ref(a):
    return np.full(a.shape, b"", dtype=object) if a.dtype == object else np.zeros_like(a)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: "string" if d is object else np.dtype(d).name)
@pytest.mark.parametrize("case", sorted(MOVE_CASES))
def test_data_movement_every_dtype(case, dtype):
    fn, ref, shapes = MOVE_CASES[case]
    ref = ref or {"pad": _pad_ref, "zeros_like": _zeros_ref}[case]
    arrays = [values(s, dtype, seed=i) for i, s in enumerate(shapes)]
    want = ref(*arrays)
    out, got = feed_run(fn, arrays, dtype)
    assert out.shape.as_list() == list(np.shape(want)), (out.shape, np.shape(want))
    check(got, want)
    tf.reset_default_graph()
    # Again with placeholders of unknown shape: the runtime does all shape work.
    if case not in ("unstack1", "unstack_neg"):  # unstack needs a static num
        out, got = feed_run(fn, arrays, dtype, known_shape=False)
        check(got, want)


def test_op_types():
    x = tf.placeholder(tf.float32, [2, 3])
    assert tf.concat([x, x], 0).op.type == "ConcatV2"
    assert tf.concat([x], 0).op.type == "Identity"
    assert tf.stack([x, x]).op.type == "Pack"
    assert tf.unstack(x)[0].op.type == "Unpack"
    assert tf.split(x, 3, 1)[0].op.type == "Split"
    assert tf.split(x, [1, 2], 1)[0].op.type == "SplitV"
    assert tf.pad(x, [[1, 1], [1, 1]]).op.type == "Pad"
    assert tf.pad(x, [[1, 1], [1, 1]], constant_values=2.0).op.type == "PadV2"
    assert tf.pad(x, [[1, 1], [1, 1]], "REFLECT").op.type == "MirrorPad"
    assert tf.zeros_like(x).op.type == "ZerosLike"
    assert tf.ones_like(x).op.type == "OnesLike"
    assert tf.reverse(x, [0]).op.type == "ReverseV2"
    assert tf.size(x).op.type == "Size" and tf.rank(x).op.type == "Rank"
    assert tf.range(3).op.type == "Range"
    assert [t.op.type for t in tf.identity_n([x, x])] == ["IdentityN"] * 2
    assert len(tf.unstack(x, axis=1)) == 3
    assert len(tf.split(x, [1, 1, -1], 1)) == 3


# ---- Size, Rank ----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (0,), (2, 3), (2, 0, 4), (1, 1, 1, 5)])
def test_size_rank(shape):
    a = np.zeros(shape, np.float32)
    x = tf.placeholder(tf.float32)
    s32, s64, r = tf.size(x), tf.size(x, out_type=tf.int64), tf.rank(x)
    assert s32.dtype == tf.int32 and s64.dtype == tf.int64 and r.dtype == tf.int32
    assert s32.shape.as_list() == [] and r.shape.as_list() == []
    g32, g64, gr = run([s32, s64, r], {x: a})
    assert g32 == a.size and g64 == a.size and gr == a.ndim
    assert g32.dtype == np.int32 and g64.dtype == np.int64 and gr.dtype == np.int32


# ---- ExpandDims, Squeeze -------------------------------------------------------------------------

def test_expand_dims_all_axes_and_errors():
    a = values((2, 3), np.float32)
    x = tf.placeholder(tf.float32, [2, None])
    for axis in range(-3, 3):
        out = tf.expand_dims(x, axis)
        want = np.expand_dims(a, axis)
        assert out.shape.as_list() == [None if d == 3 else d for d in want.shape]
        check(run(out, {x: a}), want)
    assert tf.expand_dims(x, dim=0).shape.as_list() == [1, 2, None]
    with pytest.raises(ValueError):
        tf.expand_dims(x, 3)
    with pytest.raises(ValueError):
        tf.expand_dims(x, -4)
    u = tf.placeholder(tf.float32)
    ax = tf.placeholder(tf.int32, [])
    out = tf.expand_dims(u, ax)
    assert out.shape.rank is None
    check(run(out, {u: a, ax: 1}), a[:, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="expand dim index 5"):
        run(out, {u: a, ax: 5})


def test_squeeze_errors():
    x = tf.placeholder(tf.float32, [1, 3, 1])
    with pytest.raises(ValueError, match="squeeze"):
        tf.squeeze(x, axis=[1])
    with pytest.raises(ValueError):
        tf.squeeze(x, axis=[3])
    assert tf.squeeze(tf.placeholder(tf.float32, [1, None, 1])).shape.rank is None
    assert tf.squeeze(tf.placeholder(tf.float32, [1, None, 1]), [0]).shape.as_list() == [None, 1]
    u = tf.placeholder(tf.float32)
    out = tf.squeeze(u, [1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Can not squeeze dim\[1\]") as e:
        run(out, {u: np.zeros((1, 3, 1), np.float32)})
    assert out.op.name in str(e.value)
    check(run(tf.squeeze(u), {u: np.zeros((1, 1), np.float32)}), np.zeros((), np.float32))


# ---- Concat, Pack, Unpack, Split errors and static shapes -------------------------------------------

def test_concat_static_shapes_and_errors():
    a = tf.placeholder(tf.float32, [2, None])
    b = tf.placeholder(tf.float32, [None, 4])
    assert tf.concat([a, b], 1).shape.as_list() == [2, None]
    assert tf.concat([a, b], 0).shape.as_list() == [None, 4]
    assert tf.concat([a, tf.placeholder(tf.float32, [2, 5])], 0).shape.as_list() == [4, 5]
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal"):
        tf.concat([tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [2, 4])], 0)
    with pytest.raises(ValueError, match="rank"):
        tf.concat([tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [2])], 0)
    with pytest.raises(ValueError):
        tf.concat([tf.placeholder(tf.float32, [2, 3])] * 2, 2)
    with pytest.raises(ValueError, match="scalars"):
        tf.concat([tf.constant(1.0), tf.constant(2.0)], 0)
    ax = tf.placeholder(tf.int32, [])
    assert tf.concat([a, b], ax).shape.as_list() == [None, None]
    with pytest.raises(TypeError):
        tf.concat([tf.constant([1.0]), tf.constant([1])], 0)
    u, v = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    out = tf.concat([u, v], 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Dimension 0 in both shapes must be equal.*\[2,3\].*\[3,3\]"):
        run(out, {u: np.zeros((2, 3), np.float32), v: np.zeros((3, 3), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Ranks of all input tensors should match"):
        run(out, {u: np.zeros((2, 3), np.float32), v: np.zeros((2,), np.float32)})
    out2 = tf.concat([u, v], ax)
    with pytest.raises(tf.errors.InvalidArgumentError, match="range"):
        run(out2, {u: np.zeros((2, 3), np.float32), v: np.zeros((2, 3), np.float32), ax: 2})
    got = run(out2, {u: np.ones((2, 3), np.float32), v: np.zeros((2, 1), np.float32), ax: -1})
    check(got, np.concatenate([np.ones((2, 3)), np.zeros((2, 1))], -1).astype(np.float32))


def test_concat_many_inputs_large():
    arrays = [values((3, i + 1, 1000), np.float32, seed=i) for i in range(5)]
    ts = [tf.constant(a) for a in arrays]
    check(run(tf.concat(ts, 1)), np.concatenate(arrays, 1))
    check(run(tf.concat([t[:, :1] for t in ts], 2)), np.concatenate([a[:, :1] for a in arrays], 2))


def test_stack_unstack_errors_and_shapes():
    a = tf.placeholder(tf.float32, [2, None])
    b = tf.placeholder(tf.float32, [None, 3])
    assert tf.stack([a, b], axis=1).shape.as_list() == [2, 2, 3]
    with pytest.raises(ValueError):
        tf.stack([tf.placeholder(tf.float32, [2]), tf.placeholder(tf.float32, [3])])
    with pytest.raises(ValueError):
        tf.stack([a, b], axis=3)
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.unstack(tf.placeholder(tf.float32, [None, 2]))
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.unstack(tf.placeholder(tf.float32))
    u, v = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Shapes of all inputs must match"):
        run(tf.stack([u, v]), {u: np.zeros(2, np.float32), v: np.zeros(3, np.float32)})
    parts = tf.unstack(u, num=3, axis=0)
    assert all(p.shape.rank is None for p in parts)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must equal 3"):
        run(parts, {u: np.zeros((2, 2), np.float32)})
    got = run(parts, {u: np.arange(6, dtype=np.float32).reshape(3, 2)})
    for i, g in enumerate(got):
        check(g, np.arange(6, dtype=np.float32).reshape(3, 2)[i])
    assert tf.unstack(tf.zeros([0, 2])) == []


def test_split_errors_and_shapes():
    x = tf.placeholder(tf.float32, [4, None])
    parts = tf.split(x, 2)
    assert [p.shape.as_list() for p in parts] == [[2, None], [2, None]]
    parts = tf.split(x, [1, -1])
    assert [p.shape.as_list() for p in parts] == [[1, None], [3, None]]
    with pytest.raises(ValueError, match="evenly divisible"):
        tf.split(x, 3)
    with pytest.raises(ValueError):
        tf.split(x, [1, 2])
    with pytest.raises(ValueError):
        tf.split(x, [-1, -1, 4])
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.split(x, tf.placeholder(tf.int32, [None]))
    u = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divide"):
        run(tf.split(u, 2, axis=1), {u: np.zeros((2, 3), np.float32)})
    sizes = tf.placeholder(tf.int32, [2])
    parts = tf.split(u, sizes, axis=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Determined shape must either match"):
        run(parts, {u: np.zeros((4, 2), np.float32), sizes: [1, 2]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="only be one -1"):
        run(parts, {u: np.zeros((4, 2), np.float32), sizes: [-1, -1]})
    a = np.arange(8, dtype=np.float32).reshape(4, 2)
    got = run(parts, {u: a, sizes: [3, -1]})
    check(got[0], a[:3])
    check(got[1], a[3:])
    # split into 1 returns the value; zero-sized pieces.
    check(run(tf.split(u, 1), {u: a})[0], a)
    got = run(tf.split(tf.constant(a), [0, 4, 0]))
    assert [g.shape for g in got] == [(0, 2), (4, 2), (0, 2)]


# ---- Slice, Tile, Pad ------------------------------------------------------------------------------

def test_slice_shapes_and_errors():
    x = tf.placeholder(tf.float32, [4, None, 3])
    assert tf.slice(x, [1, 0, 0], [2, -1, -1]).shape.as_list() == [2, None, 3]
    b = tf.placeholder(tf.int32, [3])
    assert tf.slice(x, b, [2, 1, 1]).shape.as_list() == [2, 1, 1]
    with pytest.raises(ValueError):
        tf.slice(x, [3, 0, 0], [2, 1, 1])
    with pytest.raises(ValueError):
        tf.slice(x, [0, 0], [1, 1])
    u = tf.placeholder(tf.float32)
    out = tf.slice(u, b, [2, 1, 1])
    a = values((4, 2, 3), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected size\[0\] in \[0, 1\], but got 2"):
        run(out, {u: a, b: [3, 0, 0]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected begin\[1\] in \[0, 2\], but got -1"):
        run(out, {u: a, b: [0, -1, 0]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="1-D tensors of size 2"):
        run(out, {u: a[0], b: [0, 0, 0]})
    check(run(out, {u: a, b: [1, 1, 2]}), a[1:3, 1:2, 2:3])
    b64 = tf.constant([0, 1], dtype=tf.int64)
    check(run(tf.slice(tf.constant(a[0]), b64, [-1, 1])), a[0][:, 1:2])


@pytest.mark.parametrize("dtype", NUM_DTYPES)
def test_tile_large_and_errors(dtype):
    a = values((3, 1, 257), dtype)
    check(run(tf.tile(tf.constant(a), [2, 5, 3])), np.tile(a, [2, 5, 3]))
    x = tf.placeholder(tf.as_dtype(dtype), [None, 2])
    assert tf.tile(x, [3, 2]).shape.as_list() == [None, 4]
    assert tf.tile(x, [0, 2]).shape.as_list() == [0, 4]
    m = tf.placeholder(tf.int32, [2])
    assert tf.tile(x, m).shape.as_list() == [None, None]
    with pytest.raises(ValueError):
        tf.tile(x, [1, 2, 3])
    u = tf.placeholder(tf.as_dtype(dtype))
    out = tf.tile(u, m)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"multiples\[1\] >= 0"):
        run(out, {u: a[0], m: [1, -1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="length 3"):
        run(out, {u: a, m: [1, 1]})


def test_pad_modes_values_and_errors():
    a = values((2, 3), np.float32)
    x = tf.placeholder(tf.float32, [2, None])
    out = tf.pad(x, [[1, 2], [3, 0]], constant_values=-1.5)
    assert out.shape.as_list() == [5, None]
    check(run(out, {x: a}), np.pad(a, [[1, 2], [3, 0]], constant_values=-1.5))
    check(run(tf.pad(x, [[0, 0], [0, 0]]), {x: a}), a)
    with pytest.raises(ValueError, match="Unknown padding mode"):
        tf.pad(x, [[1, 1], [1, 1]], mode="WRAP")
    with pytest.raises(ValueError):
        tf.pad(x, [[1, 1]])
    with pytest.raises(ValueError):
        tf.pad(x, [[-1, 1], [0, 0]])
    with pytest.raises(ValueError, match="less than the dimension size"):
        tf.pad(x, [[2, 0], [0, 0]], "REFLECT")
    tf.pad(x, [[2, 0], [0, 0]], "SYMMETRIC")
    with pytest.raises(ValueError, match="no greater than"):
        tf.pad(x, [[3, 0], [0, 0]], "SYMMETRIC")
    p = tf.placeholder(tf.int32, [2, 2])
    u = tf.placeholder(tf.float32)
    for mode in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        out = tf.pad(u, p, mode)
        assert out.shape.as_list() == [None, None]
        check(run(out, {u: a, p: [[1, 1], [2, 1]]}), np.pad(a, [[1, 1], [2, 1]], mode.lower()))
        with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
            run(out, {u: a, p: [[-1, 0], [0, 0]]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="rank of inputs"):
            run(out, {u: a[0], p: [[0, 0], [0, 0]]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="less than the dimension size"):
        run(tf.pad(u, p, "REFLECT"), {u: a, p: [[0, 0], [3, 0]]})
    c = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="constant_values must be a scalar"):
        run(tf.pad(u, p, constant_values=c), {u: a, p: [[0, 0], [0, 0]], c: [1.0]})
    # scalars pad to scalars; strings pad with the given value
    check(run(tf.pad(tf.constant(3.0), tf.zeros([0, 2], tf.int32))), np.float32(3.0))
    s = run(tf.pad(tf.constant([b"a"]), [[1, 1]], constant_values="z"))
    assert s.tolist() == [b"z", b"a", b"z"]


def test_mirror_pad_large_3d():
    a = values((7, 9, 300), np.float64)
    for mode in ("REFLECT", "SYMMETRIC"):
        pads = [[3, 5], [0, 8], [6, 1]]
        check(run(tf.pad(tf.constant(a), pads, mode)), np.pad(a, pads, mode.lower()))


# ---- Range -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,kwargs,np_dtype", [
    ((5,), {}, np.int32), ((2, 11, 3), {}, np.int32), ((10, 2, -3), {}, np.int32), ((0,), {}, np.int32),
    ((1.0, 2.0, 0.25), {}, np.float32), ((5,), {"dtype": tf.float64}, np.float64),
    ((1, 3.5), {}, np.float32), ((2, 9), {"delta": 2, "dtype": tf.int64}, np.int64),
    ((-1.0, -3.0, -0.5), {"dtype": tf.float64}, np.float64), ((4, 4), {}, np.int32),
])
def test_range_values_and_dtypes(args, kwargs, np_dtype):
    out = tf.range(*args, **kwargs)
    assert out.dtype == tf.as_dtype(np_dtype)
    a = list(args) if len(args) > 1 else [0, args[0]]
    want = np.arange(*a, **({"step": kwargs["delta"]} if "delta" in kwargs else {})).astype(np_dtype)
    assert out.shape.as_list() == [len(want)]
    got = run(out)
    assert got.dtype == np_dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_range_inference_from_tensors_and_errors():
    assert tf.range(3).op.name == "range"
    assert tf.range(tf.constant(3, tf.int64)).dtype == tf.int64
    assert tf.range(tf.constant(1), 5.0).dtype == tf.float32
    assert tf.range(tf.constant(1), tf.constant(5.0, tf.float64)).dtype == tf.float64
    with pytest.raises(ValueError, match="delta != 0"):
        tf.range(0, 5, 0)
    with pytest.raises(ValueError):
        tf.range(5, 0, 1)
    lim = tf.placeholder(tf.int32, [])
    d = tf.placeholder(tf.int32, [])
    out = tf.range(0, lim, d)
    assert out.shape.as_list() == [None]
    np.testing.assert_array_equal(run(out, {lim: 7, d: 2}), [0, 2, 4, 6])
    with pytest.raises(tf.errors.InvalidArgumentError, match="delta != 0"):
        run(out, {lim: 7, d: 0})
    with pytest.raises(tf.errors.InvalidArgumentError, match="start <= limit"):
        run(out, {lim: -7, d: 1})
    with pytest.raises(tf.errors.InvalidArgumentError, match="start >= limit"):
        run(out, {lim: 7, d: -1})
    f = tf.placeholder(tf.float32, [])
    np.testing.assert_allclose(run(tf.range(0.0, f, 0.1), {f: 1.0}), np.arange(0, 1.0, 0.1), rtol=1e-5, atol=1e-6)


# ---- ZerosLike / OnesLike ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("shape", [(), (0,), (2, 3)])
def test_zeros_ones_like(dtype, shape):
    a = values(shape, dtype)
    x = tf.placeholder(tf.as_dtype(dtype))
    z, o = tf.zeros_like(x), tf.ones_like(x)
    assert z.op.type == "ZerosLike" and o.op.type == "OnesLike"
    gz, go = run([z, o], {x: a})
    check(gz, np.zeros_like(a))
    check(go, np.ones_like(a))
    zf = tf.zeros_like(x, dtype=tf.float64)
    check(run(zf, {x: a}), np.zeros(shape, np.float64))
    check(run(tf.ones_like(tf.constant(a), dtype=tf.int32)), np.ones(shape, np.int32))


# ---- Reverse, BroadcastTo errors -----------------------------------------------------------------------

def test_reverse_errors_and_int64_axis():
    x = tf.placeholder(tf.float32, [2, 3])
    with pytest.raises(ValueError):
        tf.reverse(x, [2])
    with pytest.raises(ValueError, match="more than once"):
        tf.reverse(x, [0, -2])
    u = tf.placeholder(tf.float32)
    ax = tf.placeholder(tf.int64, [None])
    out = tf.reverse(u, ax)
    a = values((2, 3, 4), np.float32)
    check(run(out, {u: a, ax: [1]}), a[:, ::-1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="more than once"):
        run(out, {u: a, ax: [1, -2]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of valid range"):
        run(out, {u: a, ax: [3]})
    big = values((64, 33, 129), np.float32)
    check(run(tf.reverse(tf.constant(big), [1])), big[:, ::-1])


def test_broadcast_to_errors():
    x = tf.placeholder(tf.float32, [None, 3])
    assert tf.broadcast_to(x, [4, 2, 3]).shape.as_list() == [4, 2, 3]
    with pytest.raises(ValueError):
        tf.broadcast_to(tf.placeholder(tf.float32, [2, 3]), [4, 3])
    with pytest.raises(ValueError):
        tf.broadcast_to(tf.placeholder(tf.float32, [2, 3]), [3])
    u = tf.placeholder(tf.float32)
    s = tf.placeholder(tf.int32, [None])
    out = tf.broadcast_to(u, s)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Unable to broadcast tensor of shape \[2,3\]"):
        run(out, {u: np.zeros((2, 3), np.float32), s: [4, 3]})
    check(run(out, {u: np.ones((1, 3), np.float32), s: [2, 1, 3]}), np.ones((2, 1, 3), np.float32))


def test_identity_n_mixed_dtypes():
    a, b = tf.constant([1, 2]), tf.constant([[b"x"]])
    outs = tf.identity_n([a, b, 3.0])
    assert [o.dtype for o in outs] == [tf.int32, tf.string, tf.float32]
    assert [o.shape.as_list() for o in outs] == [[2], [1, 1], []]
    got = run(outs)
    check(got[0], np.array([1, 2], np.int32))
    assert got[1].tolist() == [[b"x"]]
    assert got[2] == np.float32(3.0)


# ---- autopacking ------------------------------------------------------------------------------------

def test_convert_to_tensor_autopacks_lists_with_tensors():
    p = tf.placeholder(tf.int32, [])
    t = tf.convert_to_tensor([[p, 2], (3, p)])
    assert t.op.type == "Pack" and t.dtype == tf.int32 and t.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(run(t, {p: 7}), [[7, 2], [3, 7]])
    # A list without tensors stays a Const; a shape given as a list with a tensor works in reshape.
    assert tf.convert_to_tensor([1, 2]).op.type == "Const"
    x = tf.placeholder(tf.float32, [None, 6])
    r = tf.reshape(x, [tf.shape(x)[0], 2, -1])
    assert run(r, {x: np.zeros((4, 6), np.float32)}).shape == (4, 2, 3)
    f = tf.placeholder(tf.float32, [])
    v = tf.convert_to_tensor([f, 2.0, 3])
    assert v.dtype == tf.float32
    np.testing.assert_array_equal(run(v, {f: 1.5}), np.array([1.5, 2, 3], np.float32))
    w = tf.convert_to_tensor([p, 2], dtype=tf.int64)
    assert w.dtype == tf.int64
    np.testing.assert_array_equal(run(w, {p: 5}), [5, 2])
