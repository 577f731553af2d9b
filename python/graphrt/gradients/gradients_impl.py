"""``tf.gradients`` and ``tf.hessians``: TF1 symbolic reverse-mode differentiation.

The ops between ``xs`` and ``ys`` are visited from the ys back to the xs; each op's output
gradients are summed (AddN, or a concatenated IndexedSlices when every term is sparse) and passed to
its registered gradient function under the name scope ``gradients/<op name>_grad``.
"""
from __future__ import annotations

import collections
from typing import Any, Dict, List, Optional, Sequence, Set

from graphrt.framework import ops as _ops
from graphrt.gradients import registry as _registry
from graphrt.gradients.indexed_slices import IndexedSlices, to_dense


class AggregationMethod:
    """How gradient terms are summed (TF's names; every method adds with AddN here)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


# Op types whose gradient functions pass an IndexedSlices gradient through unchanged; every other
# gradient function receives dense gradients.
_SPARSE_AWARE = frozenset({"Identity", "Snapshot", "ReadVariableOp", "PlaceholderWithDefault"})


def _is_trainable(t: Any) -> bool:
    dt = t.dtype
    return dt.is_floating or getattr(dt, "name", "") in ("complex64", "complex128", "resource", "variant")


def _as_list(v: Any) -> List[Any]:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


def _as_x(v: Any) -> Any:
    """An x of tf.gradients: a Tensor, or for a variable the tensor its reads hang from (a resource
    variable's handle, a ref variable's ref), as TF's ``convert_to_tensor(..., as_ref=True)``."""
    if isinstance(v, (_ops.Tensor, IndexedSlices)):
        return v
    handle = getattr(v, "handle", None)
    if isinstance(handle, _ops.Tensor) and handle.dtype.name == "resource":
        return handle
    ref = getattr(v, "_ref", None)
    if callable(ref):
        return ref()
    return _as_tensor(v, "x")


def _as_tensor(v: Any, what: str) -> Any:
    if isinstance(v, (_ops.Tensor, IndexedSlices)):
        return v
    if hasattr(v, "_as_graph_element") and not isinstance(v, _ops.Operation):
        e = v._as_graph_element()
        if isinstance(e, _ops.Tensor):
            return e
    return _ops.convert_to_tensor(v, name=what)


def _mark_reached(from_ops: Sequence[_ops.Operation]) -> Set[_ops.Operation]:
    reached: Set[_ops.Operation] = set()
    queue = collections.deque(from_ops)
    while queue:
        op = queue.popleft()
        if op in reached:
            continue
        reached.add(op)
        for out in op.outputs:
            if _is_trainable(out):
                queue.extend(out.consumers())
    return reached


def _pending_count(to_ops: Sequence[_ops.Operation], from_ops: Sequence[_ops.Operation]):
    reached = _mark_reached(from_ops)
    reachable_to_ops = {op for op in to_ops if op in reached}
    between: Set[_ops.Operation] = set()
    between_list: List[_ops.Operation] = []
    queue = collections.deque(to_ops)
    while queue:
        op = queue.popleft()
        if op in reached:
            between.add(op)
            between_list.append(op)
            reached.remove(op)
            for inp in op.inputs:
                queue.append(inp.op)
    pending: Dict[_ops.Operation, int] = collections.defaultdict(int)
    for op in between_list:
        for x in op.inputs:
            if x.op in between:
                pending[x.op] += 1
    return reachable_to_ops, pending


def _stop_ops(from_ops: Sequence[_ops.Operation], stop_gradient_ops: Sequence[_ops.Operation],
              pending: Dict[_ops.Operation, int]) -> Set[_ops.Operation]:
    """From-ops none of whose inputs lie between xs and ys, plus the ops of ``stop_gradients``."""
    stop: Set[_ops.Operation] = set()
    for op in from_ops:
        if all(pending[inp.op] <= 0 for inp in op.inputs):
            stop.add(op)
    stop.update(stop_gradient_ops)
    return stop


def _set_grad(grads: Dict[_ops.Operation, List[List[Any]]], t: _ops.Tensor, grad: Any) -> None:
    op_grads = grads.get(t.op)
    if op_grads is None:
        op_grads = [[] for _ in t.op.outputs]
        grads[t.op] = op_grads
    op_grads[t.value_index].append(grad)


def _zeros_like_output(op: _ops.Operation, i: int) -> _ops.Tensor:
    from graphrt.ops import array_ops
    t = op.outputs[i]
    z = array_ops.zeros_like(t)
    z._is_zeros_tensor = True
    return z


def aggregate(terms: List[Any], name: Optional[str] = None) -> Any:
    """Sum of gradient terms: the term itself, AddN of dense terms (sparse ones densified), or one
    IndexedSlices concatenating the slices when every term is an IndexedSlices."""
    from graphrt.ops import array_ops, math_ops
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    if len(terms) == 1:
        return terms[0]
    if all(isinstance(t, IndexedSlices) for t in terms):
        dense_shape = next((t.dense_shape for t in terms if t.dense_shape is not None), None)
        idx_dtype = terms[0].indices.dtype
        indices = [t.indices if t.indices.dtype == idx_dtype else math_ops.cast(t.indices, idx_dtype) for t in terms]
        return IndexedSlices(array_ops.concat([t.values for t in terms], 0), array_ops.concat(indices, 0),
                             dense_shape)
    dense = [to_dense(t) if isinstance(t, IndexedSlices) else t for t in terms]
    out = math_ops.add_n(dense)
    for t in dense:
        if t.shape.rank is not None:
            try:
                out.set_shape(t.shape)
            except ValueError:
                pass
    return out


def _aggregated_grads(grads: Dict[_ops.Operation, List[List[Any]]], op: _ops.Operation) -> List[Any]:
    op_grads = grads.get(op)
    if op_grads is None:
        return [None] * len(op.outputs)
    out = [aggregate(terms) if isinstance(terms, list) else terms for terms in op_grads]
    grads[op] = out
    return list(out)


def _default_grad_ys(ys: List[_ops.Tensor], grad_ys: List[Any]) -> List[Any]:
    from graphrt.framework import constant_op
    from graphrt.ops import array_ops
    import numpy as np
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    out = []
    for i, (y, gy) in enumerate(zip(ys, grad_ys)):
        if gy is None:
            if y.dtype.name == "string" or y.dtype.is_bool:
                raise TypeError(f"Gradients of {y.dtype.name} tensors are not defined (y = {y.name})")
            one = constant_op.constant(np.ones((), y.dtype.as_numpy_dtype), dtype=y.dtype, name=f"grad_ys_{i}")
            out.append(array_ops.fill(array_ops.shape(y), one))
            continue
        if isinstance(gy, IndexedSlices):
            out.append(gy)
            continue
        gy = _ops.convert_to_tensor(gy, dtype=None if isinstance(gy, _ops.Tensor) else y.dtype, name=f"grad_ys_{i}")
        if y.dtype.is_floating or y.dtype.is_integer:
            if not (gy.dtype.is_floating or gy.dtype.is_integer):
                raise TypeError(f"Gradient type {gy.dtype.name} generated for real or integer-valued tensor {y.name} "
                                f"with type {y.dtype.name} must be real or integer")
        if gy.dtype != y.dtype and y.dtype.is_floating:
            raise TypeError(f"Gradient type {gy.dtype.name} generated for real-valued tensor {y.name} with type "
                            f"{y.dtype.name} must be real (of the same type)")
        out.append(gy)
    return out


def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method: Any = None, stop_gradients: Any = None,
              unconnected_gradients: str = "none") -> List[Any]:
    """Symbolic derivatives of ``sum(ys)`` with respect to each of ``xs`` (None where unconnected)."""
    from graphrt.ops import array_ops, control_flow_ops
    ys_list = [_as_tensor(y, "y") for y in _as_list(ys)]
    xs_list = [_as_x(x) for x in _as_list(xs)]
    grad_ys_list = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys_list)
    stop_list = [_as_tensor(s, "stop") for s in _as_list(stop_gradients)]
    unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
    if unconnected not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
    if not ys_list:
        raise ValueError("ys must be a non-empty list of tensors")
    for y in ys_list:
        if isinstance(y, IndexedSlices):
            raise TypeError("ys must be Tensors, not IndexedSlices")
    xs_list = [x.values if isinstance(x, IndexedSlices) else x for x in xs_list]
    graph = _ops.op_scope_graph(ys_list + xs_list)
    with graph.as_default(), graph.name_scope(name or "gradients"):
        grad_ys_list = _default_grad_ys(ys_list, grad_ys_list)
        to_ops = [t.op for t in ys_list]
        from_ops = [t.op for t in xs_list]
        stop_gradient_ops = [t.op for t in stop_list]
        reachable_to_ops, pending = _pending_count(to_ops, from_ops)

        grads: Dict[_ops.Operation, List[List[Any]]] = {}
        for y, gy in zip(ys_list, grad_ys_list):
            _set_grad(grads, y, gy)

        queue: collections.deque = collections.deque()
        to_ops_set: Set[_ops.Operation] = set()
        for op in to_ops:
            if pending[op] == 0 and op not in to_ops_set and op in reachable_to_ops:
                to_ops_set.add(op)
                queue.append(op)
        stop_ops = _stop_ops(from_ops, stop_gradient_ops, pending)

        while queue:
            op = queue.popleft()
            out_grads = _aggregated_grads(grads, op)
            has_out_grads = any(g is not None for g in out_grads)
            grad_fn = None
            if has_out_grads and op not in stop_ops:
                grad_fn = _registry.get_gradient_function(op)
            if grad_fn is not None and has_out_grads:
                with graph.name_scope(op.name + "_grad"):
                    if op.type not in _SPARSE_AWARE:
                        out_grads = [to_dense(g) if isinstance(g, IndexedSlices) else g for g in out_grads]
                    for i, g in enumerate(out_grads):
                        if g is None and _is_trainable(op.outputs[i]) and \
                                op.outputs[i].dtype.name not in ("resource", "variant"):
                            out_grads[i] = _zeros_like_output(op, i)
                    in_grads = grad_fn(op, *out_grads)
                    if isinstance(in_grads, (_ops.Tensor, IndexedSlices)) or in_grads is None:
                        in_grads = [in_grads]
                    in_grads = list(in_grads)
                    if len(in_grads) != len(op.inputs):
                        raise ValueError(f"Num gradients {len(in_grads)} generated for op {op.node_def} do not match "
                                         f"num inputs {len(op.inputs)}")
                    if gate_gradients and sum(g is not None for g in in_grads) > 1:
                        dense = [g if not isinstance(g, IndexedSlices) else None for g in in_grads]
                        gated = control_flow_ops.tuple(dense)
                        in_grads = [gated[i] if dense[i] is not None else in_grads[i] for i in range(len(in_grads))]
            else:
                in_grads = [None] * len(op.inputs)
            for t_in, g in zip(op.inputs, in_grads):
                if g is None:
                    continue
                if not _is_trainable(t_in):
                    continue  # integer / bool inputs get no gradient
                if isinstance(g, _ops.Tensor) and t_in.dtype.name != "resource":
                    try:
                        g.set_shape(t_in.shape)
                    except ValueError:
                        raise ValueError(f"Incompatible shapes between op input and calculated input gradient. "
                                         f"Forward operation: {op.name}. Input index: {list(op.inputs).index(t_in)}. "
                                         f"Original input shape: {t_in.shape}. Calculated input gradient shape: "
                                         f"{g.shape}") from None
                _set_grad(grads, t_in, g)
            for x in op.inputs:
                pending[x.op] -= 1
                if pending[x.op] == 0:
                    queue.append(x.op)

        results = []
        for x in xs_list:
            op_grads = grads.get(x.op)
            g = None
            if op_grads is not None:
                g = op_grads[x.value_index]
                if isinstance(g, list):  # an op never visited (x is not between xs and ys)
                    g = aggregate(g)
                    op_grads[x.value_index] = g
            if g is None and unconnected == "zero":
                g = array_ops.zeros_like(x)
            results.append(g)
        return results


def hessians(ys: Any, xs: Any, name: str = "hessians", colocate_gradients_with_ops: bool = False,
             gate_gradients: bool = False, aggregation_method: Any = None) -> List[Any]:
    """For each x in ``xs``, the Hessian of ``sum(ys)``: a tensor of shape x.shape + x.shape."""
    from graphrt.ops import array_ops
    xs_list = [_as_x(x) for x in _as_list(xs)]
    ys_list = [_as_tensor(y, "y") for y in _as_list(ys)]
    graph = _ops.op_scope_graph(ys_list + xs_list)
    out = []
    with graph.as_default(), graph.name_scope(name or "hessians"):
        firsts = gradients(ys_list, xs_list, name="gradients", colocate_gradients_with_ops=colocate_gradients_with_ops,
                           gate_gradients=gate_gradients, aggregation_method=aggregation_method)
        for x, g in zip(xs_list, firsts):
            if g is None:
                out.append(None)
                continue
            if x.dtype.name == "resource":
                raise NotImplementedError("tf.hessians with respect to a variable: pass a read of it instead")
            g = to_dense(g)
            n = x.shape.num_elements()
            if n is None or not x.shape.is_fully_defined():
                raise ValueError(f"tf.hessians needs a fully defined static shape for {x.name}, got {x.shape}")
            flat = array_ops.reshape(g, [-1])
            rows = []
            for i in range(n):
                gi = array_ops.strided_slice(flat, [i], [i + 1], [1], shrink_axis_mask=1)
                r = gradients(gi, x, name="gradients")[0]
                rows.append(array_ops.zeros_like(x) if r is None else to_dense(r))
            dims = x.shape.as_list()
            h = array_ops.reshape(array_ops.stack(rows, 0) if rows else array_ops.zeros([0] + dims, x.dtype),
                                  dims + dims)
            out.append(h)
    return out
