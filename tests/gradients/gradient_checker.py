"""Finite-difference checks of symbolic gradients.

``check_gradients(fn, inputs)`` builds ``y = fn(*placeholders)`` in a fresh graph, computes the
Jacobian of y with respect to each input twice — symbolically (one ``tf.gradients`` VJP per output
element, fed one-hot ``grad_ys``) and by central finite differences — and asserts they agree.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import numpy as np

import graphrt as tf


def _flat_outputs(y: Any) -> List[Any]:
    return list(y) if isinstance(y, (list, tuple)) else [y]


def compute_jacobians(fn: Callable[..., Any], inputs: Sequence[np.ndarray], wrt: Optional[Sequence[int]] = None,
                      delta: float = 1e-6, static_shapes: bool = True, extra_feeds: Any = None):
    """Returns [(symbolic, numeric)] Jacobians, each of shape [y.size, x.size], per input in ``wrt``."""
    inputs = [np.asarray(a) for a in inputs]
    wrt = list(range(len(inputs))) if wrt is None else list(wrt)
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape if static_shapes else None, name=f"x{i}")
               for i, a in enumerate(inputs)]
        y = fn(*phs)
        assert not isinstance(y, (list, tuple)), "fn must return one tensor"
        gy = tf.placeholder(y.dtype, None, name="grad_y")
        grads = tf.gradients(y, [phs[i] for i in wrt], grad_ys=gy)
        missing = [i for i, gr in zip(wrt, grads) if gr is None]
        assert not missing, f"tf.gradients returned None for inputs {missing}"
        grads = [tf.convert_to_tensor(gr) for gr in grads]
        with tf.Session(graph=g) as sess:
            feed = {p: a for p, a in zip(phs, inputs)}
            y0 = sess.run(y, feed)
            y0 = np.asarray(y0)
            ny = y0.size
            sym = [np.zeros((ny, inputs[i].size)) for i in wrt]
            for r in range(ny):
                onehot = np.zeros(ny, dtype=y0.dtype)
                onehot[r] = 1
                feed[gy] = onehot.reshape(y0.shape)
                vals = sess.run(grads, feed)
                for k, v in enumerate(vals):
                    v = np.asarray(v)
                    want = inputs[wrt[k]].shape
                    assert v.shape == want, f"gradient shape {v.shape} != input shape {want}"
                    sym[k][r] = v.ravel()
            feed.pop(gy, None)
            num = []
            for i in wrt:
                x = inputs[i]
                jac = np.zeros((ny, x.size))
                for j in range(x.size):
                    xp = x.copy().ravel()
                    xm = x.copy().ravel()
                    xp[j] += delta
                    xm[j] -= delta
                    feed[phs[i]] = xp.reshape(x.shape)
                    yp = np.asarray(sess.run(y, feed), np.float64)
                    feed[phs[i]] = xm.reshape(x.shape)
                    ym = np.asarray(sess.run(y, feed), np.float64)
                    jac[:, j] = ((yp - ym) / (2 * delta)).ravel()
                feed[phs[i]] = x
                num.append(jac)
    return list(zip(sym, num))


def check_gradients(fn: Callable[..., Any], inputs: Sequence[np.ndarray], wrt: Optional[Sequence[int]] = None,
                    delta: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-6, static_shapes: bool = True) -> None:
    """Asserts the symbolic and finite-difference Jacobians of ``fn`` at ``inputs`` agree."""
    for k, (sym, num) in enumerate(compute_jacobians(fn, inputs, wrt, delta, static_shapes)):
        np.testing.assert_allclose(sym, num, rtol=rtol, atol=atol, err_msg=f"Jacobian wrt input {k}")


def rand(*shape: int, lo: float = -1.0, hi: float = 1.0, seed: int = 0) -> np.ndarray:
    """float64 uniform samples."""
    rng = np.random.default_rng(seed + 7919 * len(shape) + sum(shape))
    return rng.uniform(lo, hi, size=shape).astype(np.float64)
