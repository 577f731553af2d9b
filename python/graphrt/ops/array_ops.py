"""Array ops: placeholders, identity, shape, reshape, fill/zeros/ones, strided slicing."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework.constant_op import constant

__all__ = [
    "placeholder",
    "placeholder_with_default",
    "identity",
    "stop_gradient",
    "shape",
    "reshape",
    "fill",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "strided_slice",
    "newaxis",
]  # the tf.* names this module provides



def _graph_for(*values: Any) -> _ops.Graph:
    return _ops.op_scope_graph([v for v in values if isinstance(v, (_ops.Tensor, _ops.Operation))])


def placeholder(dtype: Any, shape: Any = None, name: Optional[str] = None) -> _ops.Tensor:
    """A tensor that must be fed at run time; ``shape=None`` accepts any shape."""
    dtype = _dtypes.as_dtype(dtype)
    attrs = {"dtype": dtype, "shape": _ts.as_shape(shape)}
    return _ops.get_default_graph().create_op("Placeholder", [], name=name or "Placeholder", attrs=attrs).outputs[0]


def placeholder_with_default(input: Any, shape: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    """Passes ``input`` through unless fed; the fed value must be compatible with ``shape``."""
    x = _ops.convert_to_tensor(input)
    shape = _ts.as_shape(shape)
    if not shape.is_compatible_with(x.shape):
        raise ValueError(f"Shape {shape} of placeholder_with_default is incompatible with input shape {x.shape}")
    g = x.graph
    with g.as_default():
        return g.create_op("PlaceholderWithDefault", [x], name=name or "PlaceholderWithDefault",
                           attrs={"dtype": x.dtype, "shape": shape}).outputs[0]


def _unary(op_type: str, x: Any, name: Optional[str], attrs: Optional[dict] = None) -> _ops.Tensor:
    x = _ops.convert_to_tensor(x)
    a = {"T": x.dtype}
    a.update(attrs or {})
    return x.graph.create_op(op_type, [x], name=name or op_type, attrs=a).outputs[0]


def identity(input: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    return _unary("Identity", input, name)


def stop_gradient(input: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    return _unary("StopGradient", input, name)


def shape(input: Any, name: Optional[str] = None, out_type: Any = _dtypes.int32) -> _ops.Tensor:  # noqa: A002
    x = _ops.convert_to_tensor(input)
    return x.graph.create_op("Shape", [x], name=name or "Shape",
                             attrs={"T": x.dtype, "out_type": _dtypes.as_dtype(out_type)}).outputs[0]


def _shape_tensor(shape_value: Any, graph: _ops.Graph) -> _ops.Tensor:
    if isinstance(shape_value, _ops.Tensor):
        if shape_value.dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError(f"shape must be int32 or int64, got {shape_value.dtype.name}")
        return shape_value
    if isinstance(shape_value, _ts.TensorShape):
        shape_value = shape_value.as_list()
    with graph.as_default():
        dims = np.asarray(shape_value if not isinstance(shape_value, (int, np.integer)) else [shape_value])
        if dims.size and (dims.dtype.kind not in "iu"):
            raise TypeError(f"shape must be a list of integers, got {shape_value!r}")
        return constant(dims.astype(np.int64 if dims.size and np.abs(dims).max() > 2**31 - 1 else np.int32),
                        name="shape")


def reshape(tensor: Any, shape: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Reshapes ``tensor``; one dimension of ``shape`` may be -1."""
    x = _ops.convert_to_tensor(tensor)
    g = x.graph
    with g.as_default():
        s = _shape_tensor(shape, g)
        return g.create_op("Reshape", [x, s], name=name or "Reshape", attrs={"T": x.dtype, "Tshape": s.dtype}).outputs[0]


def fill(dims: Any, value: Any, name: Optional[str] = None) -> _ops.Tensor:
    """A tensor of shape ``dims`` with every element ``value``."""
    g = _graph_for(dims, value)
    with g.as_default():
        d = _shape_tensor(dims, g)
        v = _ops.convert_to_tensor(value)
        return g.create_op("Fill", [d, v], name=name or "Fill", attrs={"T": v.dtype, "index_type": d.dtype}).outputs[0]


def _filled(shape: Any, dtype: Any, value: float, name: Optional[str], default_name: str) -> _ops.Tensor:
    dtype = _dtypes.as_dtype(dtype)
    g = _graph_for(shape)
    with g.as_default(), g.name_scope(name if name else default_name) as scope:
        v = constant(np.array(value).astype(dtype.as_numpy_dtype) if dtype != _dtypes.string else b"", dtype=dtype,
                     name="Const")
        d = _shape_tensor(shape, g)
        return g.create_op("Fill", [d, v], name=scope, attrs={"T": dtype, "index_type": d.dtype}).outputs[0]


def zeros(shape: Any, dtype: Any = _dtypes.float32, name: Optional[str] = None) -> _ops.Tensor:
    return _filled(shape, dtype, 0, name, "zeros")


def ones(shape: Any, dtype: Any = _dtypes.float32, name: Optional[str] = None) -> _ops.Tensor:
    return _filled(shape, dtype, 1, name, "ones")


def _like(tensor: Any, dtype: Any, value: float, name: Optional[str], default_name: str) -> _ops.Tensor:
    x = _ops.convert_to_tensor(tensor)
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else x.dtype
    if x.shape.is_fully_defined():
        return _filled(x.shape.as_list(), dtype, value, name, default_name)
    g = x.graph
    with g.as_default(), g.name_scope(name if name else default_name) as scope:
        s = shape(x)
        v = constant(np.array(value).astype(dtype.as_numpy_dtype), dtype=dtype, name="Const")
        out = g.create_op("Fill", [s, v], name=scope, attrs={"T": dtype, "index_type": s.dtype}).outputs[0]
        out.set_shape(x.shape)
        return out


def zeros_like(tensor: Any, dtype: Any = None, name: Optional[str] = None, optimize: bool = True) -> _ops.Tensor:
    return _like(tensor, dtype, 0, name, "zeros_like")


def ones_like(tensor: Any, dtype: Any = None, name: Optional[str] = None, optimize: bool = True) -> _ops.Tensor:
    return _like(tensor, dtype, 1, name, "ones_like")


def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0, end_mask: int = 0,
                  ellipsis_mask: int = 0, new_axis_mask: int = 0, shrink_axis_mask: int = 0,
                  var: Any = None, name: Optional[str] = None) -> _ops.Tensor:
    """numpy-style strided slice with TF's five bit masks."""
    x = _ops.convert_to_tensor(input_)
    g = x.graph
    with g.as_default(), g.name_scope(name if name else "strided_slice") as scope:
        b = _ops.convert_to_tensor(begin, dtype=None if isinstance(begin, _ops.Tensor) else _dtypes.int32, name="stack")
        e = _ops.convert_to_tensor(end, dtype=b.dtype, name="stack_1")
        if strides is None:
            strides = [1] * (b.shape[0] if b.shape.rank == 1 and b.shape[0] is not None else 0)
        s = _ops.convert_to_tensor(strides, dtype=b.dtype, name="stack_2")
        attrs = {"T": x.dtype, "Index": b.dtype, "begin_mask": begin_mask, "end_mask": end_mask,
                 "ellipsis_mask": ellipsis_mask, "new_axis_mask": new_axis_mask,
                 "shrink_axis_mask": shrink_axis_mask}
        return g.create_op("StridedSlice", [x, b, e, s], name=scope, attrs=attrs).outputs[0]


newaxis = None


def _slice_helper(tensor: _ops.Tensor, slice_spec: Any) -> _ops.Tensor:
    """``tensor[...]``: ints, slices (with steps), Ellipsis and ``tf.newaxis``."""
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0

    def as_int(v: Any, what: str) -> int:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            f"tf.int32/tf.int64 tensors are valid indices, got {v!r} as {what}")
        return int(v)

    for i, s in enumerate(slice_spec):
        if isinstance(s, slice):
            start = 0 if s.start is None else as_int(s.start, "slice start")
            stop = 0 if s.stop is None else as_int(s.stop, "slice stop")
            step = 1 if s.step is None else as_int(s.step, "slice step")
            if step == 0:
                raise ValueError("slice step cannot be zero")
            begin.append(start)
            end.append(stop)
            strides.append(step)
            if s.start is None:
                begin_mask |= 1 << i
            if s.stop is None:
                end_mask |= 1 << i
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= 1 << i
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= 1 << i
        else:
            idx = as_int(s, "index")
            begin.append(idx)
            end.append(idx + 1)
            strides.append(1)
            shrink_axis_mask |= 1 << i
    return strided_slice(tensor, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask,
                         ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                         shrink_axis_mask=shrink_axis_mask)


_ops.Tensor.__getitem__ = _slice_helper
