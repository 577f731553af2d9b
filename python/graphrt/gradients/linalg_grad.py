"""Gradients of the linear-algebra family: MatMul, BatchMatMul(V2), Transpose."""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import tensor_shape as _ts
from graphrt.gradients import _util as u
from graphrt.gradients.registry import RegisterGradient
from graphrt.ops import array_ops, linalg_ops, math_ops


def _attr(op: Any, name: str, default: Any = False) -> Any:
    return op.get_attr(name) if name in op._node_def.attr else default


@RegisterGradient("MatMul")
def _matmul_grad(op: Any, grad: Any) -> List[Any]:
    a, b = op.inputs
    ta, tb = _attr(op, "transpose_a"), _attr(op, "transpose_b")
    mm = math_ops.matmul
    if not ta and not tb:
        return [mm(grad, b, transpose_b=True), mm(a, grad, transpose_a=True)]
    if not ta and tb:
        return [mm(grad, b), mm(grad, a, transpose_a=True)]
    if ta and not tb:
        return [mm(b, grad, transpose_b=True), mm(a, grad)]
    return [mm(b, grad, transpose_a=True, transpose_b=True), mm(grad, a, transpose_a=True, transpose_b=True)]


def _batch_dims_only(s: _ts.TensorShape) -> _ts.TensorShape:
    if s.rank is None:
        return s
    return _ts.TensorShape(s.as_list()[:-2] + [1, 1])


def _bmm_grads(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs
    ax, ay = _attr(op, "adj_x"), _attr(op, "adj_y")
    bmm = linalg_ops.batch_matmul_v2
    if not ax:
        if not ay:
            gx, gy = bmm(grad, y, adj_y=True), bmm(x, grad, adj_x=True)
        else:
            gx, gy = bmm(grad, y), bmm(grad, x, adj_x=True)
    else:
        if not ay:
            gx, gy = bmm(y, grad, adj_y=True), bmm(x, grad)
        else:
            gx, gy = bmm(y, grad, adj_x=True, adj_y=True), bmm(grad, x, adj_x=True, adj_y=True)
    return [gx, gy]


@RegisterGradient("BatchMatMulV2")
def _batch_matmul_v2_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs
    gx, gy = _bmm_grads(op, grad)
    return [u.unbroadcast(gx, x, [_batch_dims_only(y.shape)]), u.unbroadcast(gy, y, [_batch_dims_only(x.shape)])]


@RegisterGradient("BatchMatMul")
def _batch_matmul_grad(op: Any, grad: Any) -> List[Any]:
    return _bmm_grads(op, grad)


@RegisterGradient("Transpose")
def _transpose_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.gradients.indexed_slices import to_dense
    perm_t = op.inputs[1]
    perm = u.static_int_list(perm_t)
    if perm is not None:
        inv = [0] * len(perm)
        for i, p in enumerate(perm):
            inv[p] = i
        return [linalg_ops.transpose(to_dense(grad), inv), None]
    from graphrt.ops import indexing_ops
    return [linalg_ops.transpose(to_dense(grad), indexing_ops.invert_permutation(perm_t)), None]


RegisterGradient("ConjugateTranspose")(_transpose_grad)

del array_ops
