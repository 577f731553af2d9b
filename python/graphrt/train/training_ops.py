"""Fused optimizer update ops on resource variables (TF's ResourceApply* / ResourceSparseApply*), their
Python wrappers and static shape checks. The optimizers in graphrt.train build these; the ops have no
outputs (they update the variables named by their handle inputs)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__: List[str] = []  # internal building blocks of the optimizers

# op type -> (variable input names, the other inputs in TF's order). "grad"/"delta" is the gradient,
# "indices" the rows of a sparse update, every other name a scalar hyperparameter.
_LAYOUTS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "ResourceApplyGradientDescent": (("var",), ("alpha", "delta")),
    "ResourceApplyMomentum": (("var", "accum"), ("lr", "grad", "momentum")),
    "ResourceApplyAdam": (("var", "m", "v"),
                          ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad")),
    "ResourceApplyAdagrad": (("var", "accum"), ("lr", "grad")),
    "ResourceApplyRMSProp": (("var", "ms", "mom"), ("lr", "rho", "momentum", "epsilon", "grad")),
    "ResourceApplyCenteredRMSProp": (("var", "mg", "ms", "mom"), ("lr", "rho", "momentum", "epsilon", "grad")),
    "ResourceApplyAdadelta": (("var", "accum", "accum_update"), ("lr", "rho", "epsilon", "grad")),
    "ResourceSparseApplyMomentum": (("var", "accum"), ("lr", "grad", "indices", "momentum")),
    "ResourceSparseApplyAdagrad": (("var", "accum"), ("lr", "grad", "indices")),
    "ResourceSparseApplyRMSProp": (("var", "ms", "mom"), ("lr", "rho", "momentum", "epsilon", "grad", "indices")),
    "ResourceSparseApplyCenteredRMSProp": (("var", "mg", "ms", "mom"),
                                           ("lr", "rho", "momentum", "epsilon", "grad", "indices")),
    "ResourceSparseApplyAdadelta": (("var", "accum", "accum_update"), ("lr", "rho", "epsilon", "grad", "indices")),
}


def _handle_var_shape(handle: _ops.Tensor) -> _ts.TensorShape:
    """The variable's static shape, from the VarHandleOp's "shape" attr (unknown otherwise)."""
    op = handle.op
    if op.type == "VarHandleOp" and "shape" in op._node_def.attr:
        return _ops._shape_from_proto(op._node_def.attr["shape"].shape)
    return _ts.unknown_shape()


def _handle_dtype(handle: _ops.Tensor) -> Optional[_dtypes.DType]:
    op = handle.op
    if op.type == "VarHandleOp" and "dtype" in op._node_def.attr:
        return _dtypes.as_dtype(op._node_def.attr["dtype"].type)
    return None


def _types_fn(op_type: str):
    names_vars, names_other = _LAYOUTS[op_type]

    def types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
        t = _dtypes.as_dtype(nd.attr["T"].type)
        nv = len(names_vars)
        for i, n in enumerate(names_vars):
            if inputs[i].dtype != _dtypes.resource:
                raise TypeError(f"Input '{n}' of '{op_type}' Op has type {inputs[i].dtype.name} that does not "
                                f"match expected type of resource.")
            vt = _handle_dtype(inputs[i])
            if vt is not None and vt != t:
                raise TypeError(f"Input '{n}' of '{op_type}' Op is a variable of type {vt.name} that does not "
                                f"match type {t.name} of the update.")
        for n, x in zip(names_other, inputs[nv:]):
            if n == "indices":
                if x.dtype not in (_dtypes.int32, _dtypes.int64):
                    raise TypeError(f"Input 'indices' of '{op_type}' Op has type {x.dtype.name} that is not in "
                                    f"the list of allowed values: int32, int64")
            elif x.dtype != t:
                raise TypeError(f"Input '{n}' of '{op_type}' Op has type {x.dtype.name} that does not match "
                                f"type {t.name} of argument 'var'.")
        return []
    return types


def _merge(a: _ts.TensorShape, b: _ts.TensorShape, what: str, op: Any) -> _ts.TensorShape:
    try:
        return a.merge_with(b)
    except ValueError:
        raise ValueError(f"Shapes {a} and {b} are incompatible: {what} for '{op.name}' (op: '{op.type}')") from None


def _shapes_fn(op_type: str):
    names_vars, names_other = _LAYOUTS[op_type]
    sparse = "indices" in names_other

    def shapes(op: Any) -> List[_ts.TensorShape]:
        nv = len(names_vars)
        s = _handle_var_shape(op.inputs[0])
        for i in range(1, nv):
            s = _merge(s, _handle_var_shape(op.inputs[i]), f"var and {names_vars[i]} do not have the same shape", op)
        by_name = dict(zip(names_other, op.inputs[nv:]))
        for n, x in by_name.items():
            if n in ("grad", "delta", "indices"):
                continue
            if x.shape.rank is not None and x.shape.rank != 0:
                raise ValueError(f"Shape must be rank 0 but is rank {x.shape.rank} for '{op.name}' (op: "
                                 f"'{op.type}'): {n} is not a scalar")
        grad = by_name.get("grad", by_name.get("delta"))
        if not sparse:
            _merge(s, grad.shape, "var and grad do not have the same shape", op)
            return []
        idx = by_name["indices"].shape
        if idx.rank is not None and idx.rank != 1:
            raise ValueError(f"Shape must be rank 1 but is rank {idx.rank} for '{op.name}' (op: '{op.type}'): "
                             f"indices must be one-dimensional")
        if s.rank is not None and s.rank < 1:
            raise ValueError(f"Shape must be at least rank 1 but is rank {s.rank} for '{op.name}' (op: "
                             f"'{op.type}'): var must be at least 1 dimensional")
        g = grad.shape
        if g.rank is not None:
            if s.rank is not None:
                if g.rank != s.rank:
                    raise ValueError(f"Shapes must be equal rank, but are {g.rank} and {s.rank} for '{op.name}' "
                                     f"(op: '{op.type}'): var and grad")
                _merge(_ts.TensorShape(s.as_list()[1:]), _ts.TensorShape(g.as_list()[1:]),
                       "var and grad must match in all dimensions but the first", op)
            if idx.rank == 1 and g.rank >= 1 and idx[0] is not None and g[0] is not None and idx[0] != g[0]:
                raise ValueError(f"Dimensions must be equal, but are {g[0]} and {idx[0]} for '{op.name}' (op: "
                                 f"'{op.type}'): grad must be the same size as indices in the first dimension")
        return []
    return shapes


for _op_type in _LAYOUTS:
    op_registry.register(_op_type, _types_fn(_op_type), _shapes_fn(_op_type))


def _apply(op_type: str, inputs: Sequence[Any], use_locking: bool, name: Optional[str],
           extra: Optional[Dict[str, Any]] = None) -> _ops.Operation:
    names_vars, names_other = _LAYOUTS[op_type]
    nv = len(names_vars)
    handles = [_ops.convert_to_tensor(h) for h in inputs[:nv]]
    by_name = dict(zip(names_other, inputs[nv:]))
    grad = _ops.convert_to_tensor(by_name.get("grad", by_name.get("delta")))
    dtype = grad.dtype
    converted = list(handles)
    attrs: Dict[str, Any] = {"T": dtype, "use_locking": bool(use_locking)}
    for n in names_other:
        x = by_name[n]
        if n == "indices":
            x = _ops.convert_to_tensor(x)
            attrs["Tindices"] = x.dtype
        elif n in ("grad", "delta"):
            x = grad
        else:
            x = _ops.convert_to_tensor(x, dtype=dtype, name=n)
        converted.append(x)
    attrs.update(extra or {})
    g = handles[0].graph
    return g.create_op(op_type, converted, name=name or op_type, attrs=attrs)


def resource_apply_gradient_descent(var: Any, alpha: Any, delta: Any, use_locking: bool = False,
                                    name: Optional[str] = None) -> _ops.Operation:
    """var -= alpha * delta."""
    return _apply("ResourceApplyGradientDescent", [var, alpha, delta], use_locking, name)


def resource_apply_momentum(var: Any, accum: Any, lr: Any, grad: Any, momentum: Any, use_locking: bool = False,
                            use_nesterov: bool = False, name: Optional[str] = None) -> _ops.Operation:
    """accum = accum * momentum + grad; var -= lr * accum (Nesterov: lr * grad + lr * momentum * accum)."""
    return _apply("ResourceApplyMomentum", [var, accum, lr, grad, momentum], use_locking, name,
                  {"use_nesterov": bool(use_nesterov)})


def resource_sparse_apply_momentum(var: Any, accum: Any, lr: Any, grad: Any, indices: Any, momentum: Any,
                                   use_locking: bool = False, use_nesterov: bool = False,
                                   name: Optional[str] = None) -> _ops.Operation:
    """The Momentum update on the rows ``indices`` of var and accum."""
    return _apply("ResourceSparseApplyMomentum", [var, accum, lr, grad, indices, momentum], use_locking, name,
                  {"use_nesterov": bool(use_nesterov)})


def resource_apply_adam(var: Any, m: Any, v: Any, beta1_power: Any, beta2_power: Any, lr: Any, beta1: Any,
                        beta2: Any, epsilon: Any, grad: Any, use_locking: bool = False, use_nesterov: bool = False,
                        name: Optional[str] = None) -> _ops.Operation:
    """The Adam update of var, m and v."""
    return _apply("ResourceApplyAdam", [var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad],
                  use_locking, name, {"use_nesterov": bool(use_nesterov)})


def resource_apply_adagrad(var: Any, accum: Any, lr: Any, grad: Any, use_locking: bool = False,
                           update_slots: bool = True, name: Optional[str] = None) -> _ops.Operation:
    """accum += grad**2; var -= lr * grad / sqrt(accum)."""
    return _apply("ResourceApplyAdagrad", [var, accum, lr, grad], use_locking, name,
                  {"update_slots": bool(update_slots)})


def resource_sparse_apply_adagrad(var: Any, accum: Any, lr: Any, grad: Any, indices: Any, use_locking: bool = False,
                                  update_slots: bool = True, name: Optional[str] = None) -> _ops.Operation:
    """The Adagrad update on the rows ``indices`` of var and accum."""
    return _apply("ResourceSparseApplyAdagrad", [var, accum, lr, grad, indices], use_locking, name,
                  {"update_slots": bool(update_slots)})


def resource_apply_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any, epsilon: Any, grad: Any,
                            use_locking: bool = False, name: Optional[str] = None) -> _ops.Operation:
    """The RMSProp update of var, ms and mom."""
    return _apply("ResourceApplyRMSProp", [var, ms, mom, lr, rho, momentum, epsilon, grad], use_locking, name)


def resource_sparse_apply_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any, epsilon: Any,
                                   grad: Any, indices: Any, use_locking: bool = False,
                                   name: Optional[str] = None) -> _ops.Operation:
    """The RMSProp update on the rows ``indices``."""
    return _apply("ResourceSparseApplyRMSProp", [var, ms, mom, lr, rho, momentum, epsilon, grad, indices],
                  use_locking, name)


def resource_apply_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                                     epsilon: Any, grad: Any, use_locking: bool = False,
                                     name: Optional[str] = None) -> _ops.Operation:
    """The centered RMSProp update of var, mg, ms and mom."""
    return _apply("ResourceApplyCenteredRMSProp", [var, mg, ms, mom, lr, rho, momentum, epsilon, grad],
                  use_locking, name)


def resource_sparse_apply_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                                            epsilon: Any, grad: Any, indices: Any, use_locking: bool = False,
                                            name: Optional[str] = None) -> _ops.Operation:
    """The centered RMSProp update on the rows ``indices``."""
    return _apply("ResourceSparseApplyCenteredRMSProp",
                  [var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices], use_locking, name)


def resource_apply_adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any, epsilon: Any, grad: Any,
                            use_locking: bool = False, name: Optional[str] = None) -> _ops.Operation:
    """The Adadelta update of var, accum and accum_update."""
    return _apply("ResourceApplyAdadelta", [var, accum, accum_update, lr, rho, epsilon, grad], use_locking, name)


def resource_sparse_apply_adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any, epsilon: Any,
                                   grad: Any, indices: Any, use_locking: bool = False,
                                   name: Optional[str] = None) -> _ops.Operation:
    """The Adadelta update on the rows ``indices``."""
    return _apply("ResourceSparseApplyAdadelta", [var, accum, accum_update, lr, rho, epsilon, grad, indices],
                  use_locking, name)
