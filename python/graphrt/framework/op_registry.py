"""Python-side op definitions: output dtypes and static shape inference per op type.

Used when an op is created (``Graph.create_op``) and when a GraphDef is imported, so every Tensor
has a dtype and the best static shape that can be known without running the graph.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import tensor_shape as _ts
from graphrt.framework.graph_def import NodeDef


class OpSpec:
    def __init__(self, name: str, types: Callable[[NodeDef, Sequence[Any]], List[_dtypes.DType]],
                 shapes: Callable[[Any], List[_ts.TensorShape]]):
        self.name = name
        self._types = types
        self._shapes = shapes

    def output_types(self, node_def: NodeDef, inputs: Sequence[Any]) -> List[_dtypes.DType]:
        return self._types(node_def, inputs)

    def shapes(self, op: Any) -> List[_ts.TensorShape]:
        return self._shapes(op)


_REGISTRY: Dict[str, OpSpec] = {}


def register(name: str, types: Callable, shapes: Callable) -> None:
    _REGISTRY[name] = OpSpec(name, types, shapes)


def lookup(name: str) -> OpSpec:
    spec = _REGISTRY.get(name)
    if spec is None:
        from graphrt.framework.errors import NotFoundError
        raise NotFoundError(None, None, f"Op type not registered '{name}' in binary.")
    return spec


def registered_ops() -> List[str]:
    return sorted(_REGISTRY)


# ---- dtype rules -------------------------------------------------------------------------------

def attr_type(attr: str) -> Callable:
    def types(nd: NodeDef, inputs: Sequence[Any]) -> List[_dtypes.DType]:
        return [_dtypes.as_dtype(nd.attr[attr].type)]
    return types


def input_type(index: int = 0) -> Callable:
    def types(nd: NodeDef, inputs: Sequence[Any]) -> List[_dtypes.DType]:
        return [inputs[index].dtype]
    return types


def fixed_type(dtype: _dtypes.DType) -> Callable:
    return lambda nd, inputs: [dtype]


def no_outputs(nd: NodeDef, inputs: Sequence[Any]) -> List[_dtypes.DType]:
    return []


# ---- shape rules -------------------------------------------------------------------------------

def unchanged_shape(op: Any) -> List[_ts.TensorShape]:
    return [op.inputs[0].shape]


def unknown_shapes(op: Any) -> List[_ts.TensorShape]:
    return [_ts.unknown_shape() for _ in op.outputs]


def scalar_shape(op: Any) -> List[_ts.TensorShape]:
    return [_ts.scalar()]


def broadcast_static(a: _ts.TensorShape, b: _ts.TensorShape) -> _ts.TensorShape:
    """numpy broadcasting on static shapes; ValueError for dims that can never broadcast."""
    if a.rank is None or b.rank is None:
        return _ts.unknown_shape()
    da, db = a.as_list(), b.as_list()
    rank = max(len(da), len(db))
    da = [1] * (rank - len(da)) + da
    db = [1] * (rank - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(y if x is None else x)  # the known non-1 dim, or None when both are unknown
        elif x == y:
            out.append(x)
        else:
            raise ValueError(f"Dimensions must be equal, but are {x} and {y} for shapes {a} and {b}")
    return _ts.TensorShape(out)


def broadcast_shape(op: Any) -> List[_ts.TensorShape]:
    try:
        return [broadcast_static(op.inputs[0].shape, op.inputs[1].shape)]
    except ValueError as e:
        raise ValueError(f"{e} for '{op.name}' (op: '{op.type}')") from None


def shape_attr(attr: str) -> Callable:
    def shapes(op: Any) -> List[_ts.TensorShape]:
        from graphrt.framework.ops import _shape_from_proto
        nd = op._node_def
        if attr not in nd.attr or nd.attr[attr].WhichOneof("value") != "shape":
            return [_ts.unknown_shape()]
        return [_shape_from_proto(nd.attr[attr].shape)]
    return shapes


def const_shape(op: Any) -> List[_ts.TensorShape]:
    from graphrt.framework.ops import _shape_from_proto
    return [_shape_from_proto(op._node_def.attr["value"].tensor.tensor_shape)]


def placeholder_with_default_shape(op: Any) -> List[_ts.TensorShape]:
    declared = shape_attr("shape")(op)[0]
    return [declared]


def matmul_shape(op: Any) -> List[_ts.TensorShape]:
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if a.rank is not None and a.rank != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {a.rank} for '{op.name}' (op: 'MatMul') with input shapes: {a}, {b}.")
    if b.rank is not None and b.rank != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {b.rank} for '{op.name}' (op: 'MatMul') with input shapes: {a}, {b}.")
    ta = op.get_attr("transpose_a") if "transpose_a" in op._node_def.attr else False
    tb = op.get_attr("transpose_b") if "transpose_b" in op._node_def.attr else False
    a = a if a.rank is not None else _ts.unknown_shape(2)
    b = b if b.rank is not None else _ts.unknown_shape(2)
    m, k = (a[1], a[0]) if ta else (a[0], a[1])
    k2, n = (b[1], b[0]) if tb else (b[0], b[1])
    if k is not None and k2 is not None and k != k2:
        raise ValueError(f"Dimensions must be equal, but are {k} and {k2} for '{op.name}' (op: 'MatMul') with input "
                         f"shapes: {op.inputs[0].shape}, {op.inputs[1].shape}.")
    return [_ts.TensorShape([m, n])]


def addn_shape(op: Any) -> List[_ts.TensorShape]:
    s = _ts.unknown_shape()
    for t in op.inputs:
        try:
            s = s.merge_with(t.shape)
        except ValueError:
            raise ValueError(f"Shapes must be equal for '{op.name}' (op: 'AddN'): {[str(t.shape) for t in op.inputs]}") from None
    return [s]


def shape_op_shape(op: Any) -> List[_ts.TensorShape]:
    return [_ts.TensorShape([op.inputs[0].shape.rank])]


def reshape_shape(op: Any) -> List[_ts.TensorShape]:
    from graphrt.framework import tensor_util
    target = tensor_util.constant_value_as_shape(op.inputs[1])
    if target.rank is None:
        return [target]
    dims = target.as_list()
    n = op.inputs[0].shape.num_elements()
    if dims.count(None) == 1 and n is not None:
        known = int(np.prod([d for d in dims if d is not None], dtype=np.int64))
        i = dims.index(None)
        if known == 0 or n % known:
            raise ValueError(f"Cannot reshape a tensor with {n} elements to shape {target} for '{op.name}' (op: 'Reshape')")
        dims[i] = n // known
    elif None not in dims and n is not None and int(np.prod(dims, dtype=np.int64)) != n:
        raise ValueError(f"Cannot reshape a tensor with {n} elements to shape {dims} (op '{op.name}')")
    return [_ts.TensorShape(dims)]


def fill_shape(op: Any) -> List[_ts.TensorShape]:
    from graphrt.framework import tensor_util
    return [tensor_util.constant_value_as_shape(op.inputs[0])]


def strided_slice_shape(op: Any) -> List[_ts.TensorShape]:
    from graphrt.framework import tensor_util
    in_shape = op.inputs[0].shape
    begin, end, strides = (tensor_util.constant_value(t) for t in op.inputs[1:4])
    if in_shape.rank is None or begin is None or end is None or strides is None:
        return [_ts.unknown_shape()]
    masks = {k: op.get_attr(k) for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")}
    return [_ts.TensorShape(static_strided_slice(in_shape.as_list(), list(begin), list(end), list(strides), **masks))]


def static_strided_slice(dims: List[Any], begin: List[int], end: List[int], strides: List[int], begin_mask: int = 0,
                         end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                         shrink_axis_mask: int = 0) -> List[Any]:
    """Output dims of StridedSlice (None where the input dim is unknown); same rules as the kernel."""
    rank = len(dims)
    k = len(begin)
    bit = lambda m, i: (m >> i) & 1  # noqa: E731
    ellipsis_at = next((i for i in range(k) if bit(ellipsis_mask, i)), -1)
    real = sum(1 for i in range(k) if i != ellipsis_at and not bit(new_axis_mask, i))
    if real > rank:
        raise ValueError(f"Index out of range using input dim {rank}; input has only {rank} dims")
    out: List[Any] = []
    d = 0
    for i in range(k):
        if i == ellipsis_at:
            for _ in range(rank - real):
                out.append(dims[d])
                d += 1
        elif bit(new_axis_mask, i):
            out.append(1)
        else:
            size = dims[d]
            s = strides[i]
            if s == 0:
                raise ValueError(f"strides[{i}] must be non-zero")
            if bit(shrink_axis_mask, i):
                if size is not None:
                    idx = begin[i] + size if begin[i] < 0 else begin[i]
                    if idx < 0 or idx >= size:
                        raise ValueError(f"slice index {begin[i]} of dimension {d} out of bounds.")
            elif size is None:
                out.append(None)
            else:
                norm = lambda v: v + size if v < 0 else v  # noqa: E731
                if s > 0:
                    b = 0 if bit(begin_mask, i) else min(max(norm(begin[i]), 0), size)
                    e = size if bit(end_mask, i) else min(max(norm(end[i]), 0), size)
                    out.append((e - b + s - 1) // s if e > b else 0)
                else:
                    b = size - 1 if bit(begin_mask, i) else min(max(norm(begin[i]), -1), size - 1)
                    e = -1 if bit(end_mask, i) else min(max(norm(end[i]), -1), size - 1)
                    out.append((b - e + (-s) - 1) // (-s) if b > e else 0)
            d += 1
    out.extend(dims[d:])
    return out


# ---- the ops of the runtime --------------------------------------------------------------------

def _register_all() -> None:
    register("Const", attr_type("dtype"), const_shape)
    register("Placeholder", attr_type("dtype"), shape_attr("shape"))
    register("PlaceholderWithDefault", attr_type("dtype"), placeholder_with_default_shape)
    for name in ("Identity", "StopGradient", "Snapshot"):
        register(name, input_type(0), unchanged_shape)
    register("NoOp", no_outputs, lambda op: [])
    for name in ("Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "Pow", "Maximum",
                 "Minimum", "SquaredDifference", "ReluGrad"):
        register(name, input_type(0), broadcast_shape)
    for name in ("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr"):
        register(name, fixed_type(_dtypes.bool), broadcast_shape)
    for name in ("Neg", "Abs", "Sign", "Square", "Relu", "Sqrt", "Rsqrt", "Exp", "Log", "Tanh", "Sigmoid",
                 "Reciprocal", "Floor", "Ceil", "Sin", "Cos", "LogicalNot"):
        register(name, input_type(0), unchanged_shape)
    register("AddN", input_type(0), addn_shape)
    register("MatMul", input_type(0), matmul_shape)
    register("Cast", attr_type("DstT"), unchanged_shape)
    register("Shape", attr_type("out_type"), shape_op_shape)
    register("Reshape", input_type(0), reshape_shape)
    register("Fill", input_type(1), fill_shape)
    register("StridedSlice", input_type(0), strided_slice_shape)


_register_all()
