"""Helpers shared by the gradient functions: broadcast reduction, shapes, static values."""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util as _tu


def const(value: Any, dtype: Any) -> _ops.Tensor:
    from graphrt.framework.constant_op import constant
    dtype = _dtypes.as_dtype(dtype)
    return constant(np.asarray(value).astype(dtype.as_numpy_dtype), dtype=dtype)


def scalar_like(x: _ops.Tensor, value: float) -> _ops.Tensor:
    return const(value, x.dtype)


def shape_of(x: _ops.Tensor, out_type: Any = _dtypes.int32) -> _ops.Tensor:
    """x's shape as a tensor: a Const when statically known, else a Shape op."""
    from graphrt.ops import array_ops
    if x.shape.is_fully_defined():
        return const(x.shape.as_list(), out_type)
    return array_ops.shape(x, out_type=out_type)


def reshape_to(t: _ops.Tensor, like: _ops.Tensor) -> _ops.Tensor:
    """``t`` reshaped to ``like``'s shape (no op when the static shapes already agree)."""
    from graphrt.ops import array_ops
    if t.shape.is_fully_defined() and like.shape.is_fully_defined() and t.shape.as_list() == like.shape.as_list():
        return t
    return array_ops.reshape(t, shape_of(like))


def static_int_list(t: Any) -> Optional[List[int]]:
    v = _tu.constant_value(t)
    if v is None:
        return None
    return [int(a) for a in np.asarray(v).ravel()]


def static_int(t: Any) -> Optional[int]:
    v = _tu.constant_value(t)
    if v is None or np.asarray(v).size != 1:
        return None
    return int(np.asarray(v).ravel()[0])


def _padded(s: _ts.TensorShape, rank: int) -> Optional[List[Optional[int]]]:
    if s.rank is None or s.rank > rank:
        return None
    return [1] * (rank - s.rank) + s.as_list()


def unbroadcast(grad: Optional[_ops.Tensor], x: _ops.Tensor,
                others: Sequence[_ts.TensorShape] = ()) -> Optional[_ops.Tensor]:
    """``grad`` (of a result broadcast from ``x`` and shapes ``others``) summed down to x's shape, as
    TF's BroadcastGradientArgs + reduce_sum + reshape. Static shapes decide the reduction axes when
    they can; otherwise the axes where x's (padded) shape is 1 are found at run time."""
    from graphrt.ops import array_ops, math_ops
    if grad is None:
        return None
    gs, xs = grad.shape, x.shape
    if gs.is_fully_defined() and xs.is_fully_defined() and gs.as_list() == xs.as_list():
        return grad
    if others and xs.is_fully_defined() and all(o.is_fully_defined() for o in others):
        from graphrt.framework.op_registry import broadcast_static
        out = xs
        for o in others:
            out = broadcast_static(out, o)
        if out.as_list() == xs.as_list():
            return grad  # x already has the broadcast result's shape
    if gs.rank is not None:
        rz = gs.rank
        xd = _padded(xs, rz)
        od = [_padded(o, rz) for o in others]
        if xd is not None and all(o is not None for o in od):
            lead = rz - xs.rank
            inner: List[int] = []
            ok = True
            gd = gs.as_list()
            for i in range(lead, rz):
                d = xd[i]
                if d == 1:
                    if gd[i] != 1:
                        inner.append(i)
                elif d is None:
                    if gd[i] == 1 or all(o[i] == 1 for o in od):
                        continue  # x's dim equals the result's
                    ok = False
                    break
            if ok:
                axes = list(range(lead)) + inner
                if not axes:
                    return grad
                if not inner:
                    return math_ops.reduce_sum(grad, axes)
                r = math_ops.reduce_sum(grad, axes, keepdims=True)
                return r if not lead else array_ops.reshape(r, shape_of(x))
    # Dynamic: reduce every axis where x's padded shape is 1 (summing a size-1 axis is harmless).
    sx = array_ops.shape(x)
    sz = array_ops.shape(grad)
    diff = math_ops.subtract(array_ops.size(sz), array_ops.size(sx))
    pad = array_ops.fill(array_ops.expand_dims(diff, 0), const(1, _dtypes.int32))
    sx_pad = array_ops.concat([pad, sx], 0)
    cond = math_ops.equal(sx_pad, const(1, _dtypes.int32))
    axes = array_ops.reshape(x.graph.create_op("Where", [cond], name="Where", attrs={"T": _dtypes.bool}).outputs[0],
                             [-1])
    r = math_ops.reduce_sum(grad, axes, keepdims=True)
    return array_ops.reshape(r, sx)


def normalize_axes(axes: Sequence[int], rank: int) -> List[int]:
    return sorted({a + rank if a < 0 else a for a in axes})


def kept_dims_shape(x: _ops.Tensor, axes_t: _ops.Tensor) -> Any:
    """Shape of ``x`` with the reduced axes set to 1 (a Python list when static, else a tensor)."""
    from graphrt.ops import array_ops, indexing_ops, math_ops
    axes = static_int_list(axes_t)
    rank = x.shape.rank
    if axes is not None and rank is not None:
        red = normalize_axes(axes, rank)
        if x.shape.is_fully_defined():
            return [1 if i in red else d for i, d in enumerate(x.shape.as_list())]
        mask = np.array([1 if i in red else 0 for i in range(rank)], np.int32)
        sx = array_ops.shape(x)
        return math_ops.add(math_ops.multiply(sx, const(1 - mask, _dtypes.int32)), const(mask, _dtypes.int32))
    # TF's reduced_shape: DynamicStitch([range(rank), axes], [shape, ones]).
    sx = array_ops.shape(x)
    r = array_ops.size(sx)
    a = math_ops.cast(array_ops.reshape(axes_t, [-1]), _dtypes.int32)
    a = math_ops.floormod(math_ops.add(a, r), r)
    ones = array_ops.fill(array_ops.shape(a), const(1, _dtypes.int32))
    return indexing_ops.dynamic_stitch([array_ops.range(r), a], [sx, ones])


def broadcast_to_like(t: _ops.Tensor, x: _ops.Tensor) -> _ops.Tensor:
    from graphrt.ops import array_ops
    if t.shape.is_fully_defined() and x.shape.is_fully_defined() and t.shape.as_list() == x.shape.as_list():
        return t
    return array_ops.broadcast_to(t, shape_of(x))


def num_elements(x: _ops.Tensor, dtype: Any) -> _ops.Tensor:
    from graphrt.ops import array_ops, math_ops
    n = x.shape.num_elements()
    if n is not None:
        return const(n, dtype)
    return math_ops.cast(array_ops.size(x), dtype)
