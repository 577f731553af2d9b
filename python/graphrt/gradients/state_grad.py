"""Gradients of resource-variable reads: the gradient of a variable is the gradient with respect to
its handle (dense from ReadVariableOp, IndexedSlices from ResourceGather), as TF's resource variables."""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import tensor_shape as _ts
from graphrt.gradients import _util as u
from graphrt.gradients.indexed_slices import IndexedSlices, to_dense
from graphrt.gradients.registry import NoGradient, RegisterGradient
from graphrt.ops import array_ops

for _t in ("VarHandleOp", "VarIsInitializedOp", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
           "DestroyResourceOp", "ResourceScatterUpdate", "ResourceScatterAdd", "ResourceScatterSub"):
    NoGradient(_t)


@RegisterGradient("ReadVariableOp")
def _read_grad(op: Any, grad: Any) -> List[Any]:
    return [grad]


def _variable_shape(handle: Any, dtype: Any) -> Any:
    """The variable's shape: from the VarHandleOp's shape attr when static, else read at run time."""
    from graphrt.framework.ops import _shape_from_proto
    hop = handle.op
    if hop.type == "VarHandleOp" and "shape" in hop._node_def.attr:
        s = _shape_from_proto(hop._node_def.attr["shape"].shape)
        if s.is_fully_defined():
            return u.const(s.as_list(), "int32"), s
    read = handle.graph.create_op("ReadVariableOp", [handle], name="ReadVariableOp",
                                  attrs={"dtype": dtype}).outputs[0]
    return array_ops.shape(read), _ts.unknown_shape()


@RegisterGradient("ResourceGather")
def _resource_gather_grad(op: Any, grad: Any) -> List[Any]:
    handle, indices = op.inputs
    if "batch_dims" in op._node_def.attr and op.get_attr("batch_dims"):
        raise NotImplementedError("The gradient of ResourceGather with batch_dims != 0 is not implemented")
    dense_shape, static = _variable_shape(handle, op.outputs[0].dtype)
    n = indices.shape.num_elements()
    if n is not None and static.is_fully_defined():
        values_shape: Any = [n] + static.as_list()[1:]
    else:
        size = array_ops.expand_dims(array_ops.size(indices), 0)
        values_shape = array_ops.concat([size, array_ops.slice(dense_shape, [1], [-1])], 0)
    values = array_ops.reshape(to_dense(grad), values_shape)
    return [IndexedSlices(values, array_ops.reshape(indices, [-1]), dense_shape), None]
