"""TF1 initializers: values, statistics, dtypes, seeds, errors."""
import numpy as np
import pytest

import graphrt as tf


def _run(t):
    with tf.Session() as sess:
        return sess.run(t)


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64, tf.int32, tf.int64])
def test_zeros_ones_constant(dtype):
    z = tf.zeros_initializer()([2, 3], dtype=dtype)
    o = tf.ones_initializer(dtype=dtype)([4])
    c = tf.constant_initializer(7, dtype=dtype)([2, 2])
    cl = tf.constant_initializer([1, 2, 3, 4, 5, 6])([2, 3], dtype=dtype)
    s = tf.zeros_initializer()([], dtype=dtype)
    e = tf.ones_initializer()([0, 3], dtype=dtype)
    zv, ov, cv, clv, sv, ev = _run([z, o, c, cl, s, e])
    assert z.dtype == dtype and o.dtype == dtype and cl.dtype == dtype
    np.testing.assert_array_equal(zv, np.zeros((2, 3)))
    np.testing.assert_array_equal(ov, np.ones(4))
    np.testing.assert_array_equal(cv, np.full((2, 2), 7))
    np.testing.assert_array_equal(clv, np.arange(1, 7).reshape(2, 3))
    assert sv.shape == () and ev.shape == (0, 3)


def test_constant_initializer_verify_shape_and_errors():
    with pytest.raises(TypeError):
        tf.constant_initializer([1, 2], verify_shape=True)([3])
    with pytest.raises(TypeError, match="Invalid type for initial value"):
        tf.constant_initializer({"a": 1})
    # A shorter list is padded with its last element (TF1).
    np.testing.assert_array_equal(_run(tf.constant_initializer([1.0, 2.0])([4])), [1, 2, 2, 2])


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_random_initializers_statistics(dtype):
    shape = [200, 300]
    u = tf.random_uniform_initializer(-2.0, 3.0, seed=1)(shape, dtype=dtype)
    n = tf.random_normal_initializer(1.0, 2.0, seed=2)(shape, dtype=dtype)
    t = tf.truncated_normal_initializer(0.5, 0.1, seed=3)(shape, dtype=dtype)
    uv, nv, tv = _run([u, n, t])
    assert uv.dtype == dtype.as_numpy_dtype and nv.dtype == dtype.as_numpy_dtype
    assert uv.min() >= -2.0 and uv.max() < 3.0 and abs(uv.mean() - 0.5) < 0.05
    assert abs(nv.mean() - 1.0) < 0.05 and abs(nv.std() - 2.0) < 0.05
    assert tv.min() >= 0.3 and tv.max() <= 0.7 and abs(tv.mean() - 0.5) < 0.01
    # truncated to 2 stddev: the std of the truncated draw is 0.8796 * stddev
    assert abs(tv.std() - 0.1 * 0.8796) < 0.003


def test_random_uniform_int_and_float_dtype_checks():
    v = _run(tf.random_uniform_initializer(0, 5, seed=4, dtype=tf.int32)([1000]))
    assert v.dtype == np.int32 and v.min() >= 0 and v.max() < 5 and len(set(v.tolist())) == 5
    for cls in (tf.random_normal_initializer, tf.truncated_normal_initializer, tf.glorot_uniform_initializer,
                tf.orthogonal_initializer):
        with pytest.raises(ValueError, match="Expected floating point type"):
            cls(dtype=tf.int32)
        with pytest.raises(ValueError, match="Expected floating point type"):
            cls()([2, 2], dtype=tf.int32)


def test_seeds_follow_tf1_rules():
    def values(graph_seed, op_seed):
        g = tf.Graph()
        with g.as_default():
            if graph_seed is not None:
                tf.set_random_seed(graph_seed)
            a = tf.random_normal_initializer(seed=op_seed)([50])
            b = tf.random_normal_initializer(seed=op_seed)([50])
            with tf.Session(graph=g) as sess:
                return sess.run([a, b])
    a1, b1 = values(None, 7)
    a2, b2 = values(None, 7)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(a1, b1)  # same op seed, same graph seed: same stream
    c1, d1 = values(5, None)
    c2, d2 = values(5, None)
    np.testing.assert_array_equal(c1, c2)
    assert not np.array_equal(c1, d1)  # op seeds derived from the op count differ
    e1, _ = values(None, None)
    e2, _ = values(None, None)
    assert not np.array_equal(e1, e2)


@pytest.mark.parametrize("mode,distribution", [(m, d) for m in ("fan_in", "fan_out", "fan_avg")
                                               for d in ("truncated_normal", "untruncated_normal", "uniform",
                                                         "normal")])
def test_variance_scaling(mode, distribution):
    shape = [3, 3, 40, 60]  # receptive field 9: fan_in 360, fan_out 540
    fan = {"fan_in": 360.0, "fan_out": 540.0, "fan_avg": 450.0}[mode]
    init = tf.variance_scaling_initializer(scale=2.0, mode=mode, distribution=distribution, seed=11)
    v = _run(init(shape))
    assert v.shape == tuple(shape) and v.dtype == np.float32
    want_std = np.sqrt(2.0 / fan)
    np.testing.assert_allclose(v.std(), want_std, rtol=0.03)
    assert abs(v.mean()) < want_std * 0.03
    if distribution == "uniform":
        assert np.abs(v).max() <= np.sqrt(3.0) * want_std
    if distribution in ("truncated_normal", "normal"):
        # the 0.8796 correction: stddev before truncation is want_std / 0.8796, cut at 2 of those
        assert np.abs(v).max() <= 2 * want_std / 0.87962566103423978 + 1e-6


def test_variance_scaling_fans_of_small_shapes_and_errors():
    v = _run(tf.variance_scaling_initializer(distribution="uniform", seed=1)([]))
    assert v.shape == () and abs(v) <= np.sqrt(3.0)
    v = _run(tf.variance_scaling_initializer(mode="fan_out", distribution="uniform", seed=1)([5000]))
    assert np.abs(v).max() <= np.sqrt(3.0 / 5000)
    with pytest.raises(ValueError, match="`scale` must be positive"):
        tf.variance_scaling_initializer(scale=0.0)
    with pytest.raises(ValueError, match="Invalid `mode`"):
        tf.variance_scaling_initializer(mode="fan_sideways")
    with pytest.raises(ValueError, match="Invalid `distribution`"):
        tf.variance_scaling_initializer(distribution="cauchy")


def test_glorot_uniform_and_normal():
    u = _run(tf.glorot_uniform_initializer(seed=1)([300, 500]))
    n = _run(tf.glorot_normal_initializer(seed=2)([300, 500]))
    limit = np.sqrt(6.0 / 800)
    assert np.abs(u).max() <= limit and abs(u.std() - limit / np.sqrt(3)) < 0.02 * limit
    np.testing.assert_allclose(n.std(), np.sqrt(2.0 / 800), rtol=0.03)
    he = _run(tf.initializers.he_normal(seed=3)([400, 300]))
    np.testing.assert_allclose(he.std(), np.sqrt(2.0 / 400), rtol=0.03)
    lu = _run(tf.initializers.lecun_uniform(seed=3)([400, 300]))
    assert np.abs(lu).max() <= np.sqrt(3.0 / 400)


@pytest.mark.parametrize("shape", [[6, 6], [5, 9], [9, 5], [3, 3, 4, 8], [2, 1]])
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_orthogonal(shape, dtype):
    v = _run(tf.orthogonal_initializer(gain=1.5, seed=5)(shape, dtype=dtype))
    assert v.shape == tuple(shape) and v.dtype == dtype.as_numpy_dtype
    m = v.reshape(-1, shape[-1])
    tol = 1e-5 if dtype == tf.float32 else 1e-12
    if m.shape[0] >= m.shape[1]:
        np.testing.assert_allclose(m.T @ m, 2.25 * np.eye(m.shape[1]), atol=tol)
    else:
        np.testing.assert_allclose(m @ m.T, 2.25 * np.eye(m.shape[0]), atol=tol)


def test_orthogonal_is_q_of_the_random_normal_matrix():
    """Same seed, same normal matrix: our Q equals numpy's sign-corrected QR of it (TF's definition)."""
    a = tf.random_normal([7, 4], seed=9)
    q = tf.orthogonal_initializer(seed=9)([7, 4])
    # Both random_normal ops use op seed 9 and the default graph seed, so they draw the same matrix.
    av, qv = _run([a, q])
    nq, nr = np.linalg.qr(av)
    nq *= np.sign(np.diag(nr))
    np.testing.assert_allclose(qv, nq, atol=1e-5)


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="at least two-dimensional"):
        tf.orthogonal_initializer()([5])


def test_identity_initializer_and_config_round_trip():
    np.testing.assert_array_equal(_run(tf.initializers.identity(gain=2.0)([2, 3])), 2 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        tf.initializers.identity()([2, 2, 2])
    init = tf.variance_scaling_initializer(scale=3.0, mode="fan_out", distribution="uniform", seed=4)
    again = tf.variance_scaling_initializer.from_config(init.get_config())
    assert again.get_config() == init.get_config()
    assert tf.glorot_uniform_initializer.from_config({"seed": 1}).seed == 1


def test_float16_initializers():
    v = _run(tf.glorot_uniform_initializer(seed=1)([10, 10], dtype=tf.float16))
    assert v.dtype == np.float16 and np.abs(v).max() <= np.sqrt(6.0 / 20) + 1e-3
    assert _run(tf.zeros_initializer()([2], dtype=tf.float16)).dtype == np.float16
