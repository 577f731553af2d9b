"""Resource-variable ops (VarHandleOp, ReadVariableOp, AssignVariableOp, ...): the runtime form of
tf.Variable. Wrappers here build the ops; framework/variables.py builds Variables from them."""
from __future__ import annotations

from typing import Any, List, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__: List[str] = []  # internal building blocks; the public API is tf.Variable & co.


def var_handle_op(dtype: Any, shape: Any, shared_name: str = "", container: str = "",
                  name: Optional[str] = None) -> _ops.Tensor:
    return _ops.get_default_graph().create_op("VarHandleOp", [], name=name or "VarHandleOp", attrs={
        "dtype": _dtypes.as_dtype(dtype), "shape": _ts.as_shape(shape), "shared_name": shared_name,
        "container": container}).outputs[0]


def read_variable_op(handle: _ops.Tensor, dtype: Any, name: Optional[str] = None) -> _ops.Tensor:
    return handle.graph.create_op("ReadVariableOp", [handle], name=name or "ReadVariableOp",
                                  attrs={"dtype": _dtypes.as_dtype(dtype)}).outputs[0]


def assign_variable_op(handle: _ops.Tensor, value: _ops.Tensor, name: Optional[str] = None) -> _ops.Operation:
    return handle.graph.create_op("AssignVariableOp", [handle, value], name=name or "AssignVariableOp",
                                  attrs={"dtype": value.dtype})


def assign_add_variable_op(handle: _ops.Tensor, value: _ops.Tensor, name: Optional[str] = None) -> _ops.Operation:
    return handle.graph.create_op("AssignAddVariableOp", [handle, value], name=name or "AssignAddVariableOp",
                                  attrs={"dtype": value.dtype})


def assign_sub_variable_op(handle: _ops.Tensor, value: _ops.Tensor, name: Optional[str] = None) -> _ops.Operation:
    return handle.graph.create_op("AssignSubVariableOp", [handle, value], name=name or "AssignSubVariableOp",
                                  attrs={"dtype": value.dtype})


def var_is_initialized_op(handle: _ops.Tensor, name: Optional[str] = None) -> _ops.Tensor:
    return handle.graph.create_op("VarIsInitializedOp", [handle], name=name or "VarIsInitializedOp").outputs[0]


def destroy_resource_op(handle: _ops.Tensor, ignore_lookup_error: bool = True,
                        name: Optional[str] = None) -> _ops.Operation:
    return handle.graph.create_op("DestroyResourceOp", [handle], name=name or "DestroyResourceOp",
                                  attrs={"ignore_lookup_error": ignore_lookup_error})


def resource_gather(handle: _ops.Tensor, indices: _ops.Tensor, dtype: Any, name: Optional[str] = None) -> _ops.Tensor:
    return handle.graph.create_op("ResourceGather", [handle, indices], name=name or "ResourceGather", attrs={
        "dtype": _dtypes.as_dtype(dtype), "Tindices": indices.dtype, "batch_dims": 0,
        "validate_indices": True}).outputs[0]


def resource_scatter(op_type: str, handle: _ops.Tensor, indices: _ops.Tensor, updates: _ops.Tensor,
                     name: Optional[str] = None) -> _ops.Operation:
    return handle.graph.create_op(op_type, [handle, indices, updates], name=name or op_type,
                                  attrs={"dtype": updates.dtype, "Tindices": indices.dtype})


def _handle_shape(op: Any) -> List[_ts.TensorShape]:
    return [_ts.scalar()]


def _read_shape(op: Any) -> List[_ts.TensorShape]:
    # The variable's shape travels on the handle op's "shape" attr.
    handle_op = op.inputs[0].op
    if handle_op.type == "VarHandleOp":
        return [_shape_of_attr(handle_op)]
    return [_ts.unknown_shape()]


def _shape_of_attr(handle_op: Any) -> _ts.TensorShape:
    from graphrt.framework.ops import _shape_from_proto
    return _shape_from_proto(handle_op._node_def.attr["shape"].shape)


def _gather_shape(op: Any) -> List[_ts.TensorShape]:
    var_shape = _read_shape(op)[0]
    idx = op.inputs[1].shape
    if var_shape.rank is None or idx.rank is None:
        return [_ts.unknown_shape()]
    return [idx.concatenate(var_shape[1:])]


op_registry.register("VarHandleOp", op_registry.fixed_type(_dtypes.resource), _handle_shape)
op_registry.register("ReadVariableOp", op_registry.attr_type("dtype"), _read_shape)
op_registry.register("VarIsInitializedOp", op_registry.fixed_type(_dtypes.bool), op_registry.scalar_shape)
op_registry.register("ResourceGather", op_registry.attr_type("dtype"), _gather_shape)
for _op in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "DestroyResourceOp",
            "ResourceScatterUpdate", "ResourceScatterAdd", "ResourceScatterSub"):
    op_registry.register(_op, op_registry.no_outputs, lambda op: [])
