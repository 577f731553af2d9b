"""float32 MatMul through graphrt's own AVX-512 gemm (OpenBLAS where the CPU lacks AVX-512F or the
product is narrow): every tile edge, k split into several passes, each transpose combination, and
the same bits whatever the intra-op thread count."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import graphrt as tf


def _matmul(a, b, ta, tb, intra=1):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, a.shape)
        w = tf.placeholder(tf.float32, b.shape)
        y = tf.matmul(x, w, transpose_a=ta, transpose_b=tb)
    with tf.Session(graph=g, config=tf.ConfigProto(intra_op_parallelism_threads=intra)) as sess:
        return sess.run(y, {x: a, w: b})


def _operands(rng, m, k, n, ta, tb):
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    ref = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b).astype(np.float64)
    return a, b, ref


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("m,k,n", [(1, 1, 32), (5, 3, 33), (6, 128, 64), (7, 129, 65), (13, 300, 100),
                                   (64, 784, 512), (100, 257, 190), (3, 1000, 40), (9, 77, 16), (20, 300, 24),
                                   (33, 5, 8), (70, 260, 31), (12, 2100, 130), (300, 1500, 200),
                                   (1100, 40, 130), (8, 300, 130), (9, 1100, 100)])
def test_matches_float64_reference(m, k, n, ta, tb):
    rng = np.random.default_rng(m * 1000 + k + n)
    a, b, ref = _operands(rng, m, k, n, ta, tb)
    out = _matmul(a, b, ta, tb)
    assert out.shape == (m, n) and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5 * np.sqrt(k) * 4)


@pytest.mark.parametrize("m,k,n", [(64, 784, 512), (700, 96, 200), (40, 50, 1000), (260, 1100, 140),
                                   (1100, 300, 700)])
def test_same_bits_for_every_thread_count(m, k, n):
    rng = np.random.default_rng(7)
    a, b, ref = _operands(rng, m, k, n, False, False)
    outs = [_matmul(a, b, False, False, intra) for intra in (1, 2, 3, 4)]
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])
    np.testing.assert_allclose(outs[0], ref, rtol=1e-4, atol=1e-3)


def test_special_values_propagate():
    a = np.ones((8, 40), np.float32)
    b = np.ones((40, 70), np.float32)
    a[2, 5] = np.nan
    b[3, 66] = np.inf
    out = _matmul(a, b, False, False)
    assert np.isnan(out[2]).all()
    assert np.isinf(out[[0, 1, 3, 4, 5, 6, 7], 66]).all()
    assert np.isfinite(np.delete(np.delete(out, 2, axis=0), 66, axis=1)).all()


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 40), k=st.integers(1, 300), n=st.integers(1, 140), ta=st.booleans(), tb=st.booleans())
def test_random_shapes(m, k, n, ta, tb):
    rng = np.random.default_rng(m + 100 * k + 10000 * n)
    a, b, ref = _operands(rng, m, k, n, ta, tb)
    np.testing.assert_allclose(_matmul(a, b, ta, tb, intra=2), ref, rtol=1e-5, atol=1e-4 * np.sqrt(k))
