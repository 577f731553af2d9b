"""Array ops: placeholders, identity, shape, reshape, fill/zeros/ones, strided slicing, and the array
manipulation family (size/rank, expand_dims/squeeze, concat/stack/unstack/split, slice, tile, pad,
range, reverse, broadcast_to, identity_n, zeros_like/ones_like ops, list autopacking)."""
from __future__ import annotations

from typing import Any, Callable, Iterator, List, Optional, Sequence

import builtins as _builtins

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry as _op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util as _tensor_util
from graphrt.framework.constant_op import constant

__all__ = [
    "placeholder",
    "placeholder_with_default",
    "identity",
    "stop_gradient",
    "shape",
    "shape_n",
    "reshape",
    "fill",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "strided_slice",
    "newaxis",
    "size",
    "rank",
    "expand_dims",
    "squeeze",
    "concat",
    "stack",
    "unstack",
    "split",
    "slice",
    "tile",
    "pad",
    "range",
    "reverse",
    "reverse_v2",
    "broadcast_to",
    "identity_n",
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


def shape_n(input: Any, out_type: Any = _dtypes.int32, name: Optional[str] = None) -> List[_ops.Tensor]:  # noqa: A002
    """The shapes of several tensors (one ShapeN op)."""
    ts = [_ops.convert_to_tensor(t) for t in input]
    if not ts:
        raise ValueError("shape_n needs at least one tensor")
    g = _ops.op_scope_graph(ts)
    return g.create_op("ShapeN", ts, name=name or "ShapeN", attrs={
        "N": len(ts), "T": ts[0].dtype, "out_type": _dtypes.as_dtype(out_type)}).outputs


def _shape_n_types(nd: Any, inputs: Any) -> List[_dtypes.DType]:
    return [_dtypes.as_dtype(nd.attr["out_type"].type)] * len(inputs)


def _shape_n_shapes(op: Any) -> List[_ts.TensorShape]:
    return [_ts.TensorShape([t.shape.rank]) for t in op.inputs]


_op_registry.register("ShapeN", _shape_n_types, _shape_n_shapes)


def _shape_tensor(shape_value: Any, graph: _ops.Graph) -> _ops.Tensor:
    if isinstance(shape_value, _ops.Tensor):
        if shape_value.dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError(f"shape must be int32 or int64, got {shape_value.dtype.name}")
        return shape_value
    if isinstance(shape_value, _ts.TensorShape):
        shape_value = shape_value.as_list()
    if _contains_tensor(shape_value):
        with graph.as_default():
            return _shape_tensor(_ops.convert_to_tensor(shape_value, name="shape"), graph)
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


def _like_op(op_type: str, tensor: Any, dtype: Any, value: float, name: Optional[str],
             default_name: str) -> _ops.Tensor:
    x = _ops.convert_to_tensor(tensor)
    if dtype is not None and _dtypes.as_dtype(dtype) != x.dtype:
        return _like(x, dtype, value, name, default_name)
    return x.graph.create_op(op_type, [x], name=name or default_name, attrs={"T": x.dtype}).outputs[0]


def zeros_like(tensor: Any, dtype: Any = None, name: Optional[str] = None, optimize: bool = True) -> _ops.Tensor:
    """A tensor of zeros with the shape (and dtype, unless given) of ``tensor``: a ZerosLike op."""
    return _like_op("ZerosLike", tensor, dtype, 0, name, "zeros_like")


def ones_like(tensor: Any, dtype: Any = None, name: Optional[str] = None, optimize: bool = True) -> _ops.Tensor:
    """A tensor of ones with the shape (and dtype, unless given) of ``tensor``: a OnesLike op."""
    return _like_op("OnesLike", tensor, dtype, 1, name, "ones_like")


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


def _check_index(v: Any, what: str) -> Any:
    """An int (returned as int) or a scalar int32/int64 Tensor (returned as is); TypeError otherwise."""
    if isinstance(v, _ops.Tensor):
        if v.dtype not in (_dtypes.int32, _dtypes.int64) or (v.shape.rank is not None and v.shape.rank != 0):
            raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            f"tf.int32/tf.int64 tensors are valid indices, got {v!r} as {what}")
        return v
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                        f"tf.int32/tf.int64 tensors are valid indices, got {v!r} as {what}")
    return int(v)


def _slice_helper(tensor: _ops.Tensor, slice_spec: Any) -> _ops.Tensor:
    """``tensor[...]``: ints, slices (with steps), Ellipsis, ``tf.newaxis`` and scalar int Tensors."""
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin: list = []
    end: list = []
    strides: list = []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    for i, s in enumerate(slice_spec):
        if isinstance(s, _builtins.slice):
            start = 0 if s.start is None else _check_index(s.start, "slice start")
            stop = 0 if s.stop is None else _check_index(s.stop, "slice stop")
            step = 1 if s.step is None else _check_index(s.step, "slice step")
            if isinstance(step, int) and step == 0:
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
            idx = _check_index(s, "index")
            begin.append(idx)
            end.append(idx + 1)
            strides.append(1)
            shrink_axis_mask |= 1 << i
    x = _ops.convert_to_tensor(tensor)
    g = x.graph
    with g.as_default(), g.name_scope("strided_slice") as scope:
        if any(isinstance(v, _ops.Tensor) for v in begin + end + strides):
            # TF packs the spec into int tensors when any entry is a Tensor.
            # Mixed int32/int64 index tensors are widened to int64.
            from graphrt.ops import math_ops as _math_ops
            wide = any(isinstance(v, _ops.Tensor) and v.dtype == _dtypes.int64 for v in begin + end + strides)
            dt = _dtypes.int64 if wide else _dtypes.int32

            def pack(vs: list, name: str) -> _ops.Tensor:
                if not any(isinstance(v, _ops.Tensor) for v in vs):
                    return constant(np.array(vs, dtype=dt.as_numpy_dtype), name=name)
                return stack([_math_ops.cast(v, dt) if isinstance(v, _ops.Tensor) else
                              constant(v, dtype=dt, name="Const") for v in vs], name=name)

            b, e, st = pack(begin, "stack"), pack(end, "stack_1"), pack(strides, "stack_2")
        else:
            b, e, st = begin, end, strides
        return strided_slice(x, b, e, st, begin_mask=begin_mask, end_mask=end_mask, ellipsis_mask=ellipsis_mask,
                             new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask, name=scope)


_ops.Tensor.__getitem__ = _slice_helper


# ---- static shape helpers -----------------------------------------------------------------------

def _partial_vector(t: _ops.Tensor) -> Optional[List[Optional[int]]]:
    """The elements of a 1-D int tensor known at graph-build time (None where unknown), or None when
    even its length is unknown."""
    v = _tensor_util.constant_value(t)
    if v is not None:
        return [int(x) for x in np.asarray(v).ravel()]
    if t.op.type == "Pack" and t.op.get_attr("axis") == 0:
        out: List[Optional[int]] = []
        for x in t.op.inputs:
            xv = _tensor_util.constant_value(x)
            out.append(None if xv is None or np.ndim(xv) != 0 else int(xv))
        return out
    if t.shape.rank == 1 and t.shape[0] is not None:
        return [None] * t.shape[0]
    return None


def _scalar_value(t: _ops.Tensor) -> Optional[int]:
    v = _tensor_util.constant_value(t)
    if v is None or np.size(v) != 1:
        return None
    return int(np.asarray(v).ravel()[0])


def _err(op: Any, msg: str) -> ValueError:
    shapes = ", ".join(str(t.shape) for t in op.inputs)
    return ValueError(f"{msg} for '{op.name}' (op: '{op.type}') with input shapes: {shapes}.")


def _merge_dim(a: Optional[int], b: Optional[int]) -> Optional[int]:
    return a if a is not None else b


# ---- StridedSlice (static shape with partially known begin/end) ----------------------------------

def _strided_slice_shape(op: Any) -> List[_ts.TensorShape]:
    in_shape = op.inputs[0].shape
    begin, end, strides = (_partial_vector(t) for t in op.inputs[1:4])
    if in_shape.rank is None or begin is None or end is None or strides is None or None in strides:
        return [_ts.unknown_shape()]
    if not (len(begin) == len(end) == len(strides)):
        raise _err(op, "Expected begin, end, and strides to be 1D equal size tensors")
    dims = in_shape.as_list()
    rank = len(dims)
    k = len(begin)
    masks = {n: op.get_attr(n) for n in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                         "shrink_axis_mask")}
    bit = lambda m, i: (masks[m] >> i) & 1  # noqa: E731
    ellipses = [i for i in _builtins.range(k) if bit("ellipsis_mask", i)]
    if len(ellipses) > 1:
        raise _err(op, "Multiple ellipses in slice spec not allowed")
    ellipsis_at = ellipses[0] if ellipses else -1
    real = sum(1 for i in _builtins.range(k) if i != ellipsis_at and not bit("new_axis_mask", i))
    if real > rank:
        raise _err(op, f"Index out of range using input dim {rank}; input has only {rank} dims")
    out: List[Optional[int]] = []
    d = 0
    for i in _builtins.range(k):
        if i == ellipsis_at:
            for _ in _builtins.range(rank - real):
                out.append(dims[d])
                d += 1
        elif bit("new_axis_mask", i):
            out.append(1)
        else:
            size, s = dims[d], strides[i]
            if s == 0:
                raise _err(op, f"strides[{i}] must be non-zero")
            if bit("shrink_axis_mask", i):
                if size is not None and begin[i] is not None:
                    idx = begin[i] + size if begin[i] < 0 else begin[i]
                    if idx < 0 or idx >= size:
                        raise _err(op, f"slice index {begin[i]} of dimension {d} out of bounds")
            elif size is None:
                out.append(None)
            else:
                need_b = not bit("begin_mask", i)
                need_e = not bit("end_mask", i)
                if (need_b and begin[i] is None) or (need_e and end[i] is None):
                    out.append(None)
                else:
                    norm = lambda v: v + size if v < 0 else v  # noqa: E731
                    if s > 0:
                        b = min(max(norm(begin[i]), 0), size) if need_b else 0
                        e = min(max(norm(end[i]), 0), size) if need_e else size
                        out.append((e - b + s - 1) // s if e > b else 0)
                    else:
                        b = min(max(norm(begin[i]), -1), size - 1) if need_b else size - 1
                        e = min(max(norm(end[i]), -1), size - 1) if need_e else -1
                        out.append((b - e + (-s) - 1) // (-s) if b > e else 0)
            d += 1
    out.extend(dims[d:])
    return [_ts.TensorShape(out)]


# ---- Size, Rank ----------------------------------------------------------------------------------

def size(input: Any, name: Optional[str] = None, out_type: Any = _dtypes.int32) -> _ops.Tensor:  # noqa: A002
    """The number of elements of ``input`` (a Size op)."""
    x = _ops.convert_to_tensor(input)
    out_type = _dtypes.as_dtype(out_type)
    if out_type not in (_dtypes.int32, _dtypes.int64):
        raise TypeError(f"out_type must be int32 or int64, got {out_type.name}")
    return x.graph.create_op("Size", [x], name=name or "Size", attrs={"T": x.dtype, "out_type": out_type}).outputs[0]


def rank(input: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    """The rank of ``input`` as an int32 scalar (a Rank op)."""
    x = _ops.convert_to_tensor(input)
    return x.graph.create_op("Rank", [x], name=name or "Rank", attrs={"T": x.dtype}).outputs[0]


# ---- ExpandDims, Squeeze -------------------------------------------------------------------------

def _int_tensor(value: Any, name: str) -> _ops.Tensor:
    if _contains_tensor(value) and not isinstance(value, _ops.Tensor):
        value = _ops.convert_to_tensor(value, name=name)
    if isinstance(value, _ops.Tensor):
        if value.dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError(f"{name} must be int32 or int64, got {value.dtype.name}")
        return value
    arr = np.asarray(value)
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integers, got {value!r}")
    big = arr.size and (arr.max() > np.iinfo(np.int32).max or arr.min() < np.iinfo(np.int32).min)
    return constant(arr.astype(np.int64 if big else np.int32), name=name)


def expand_dims(input: Any, axis: Any = None, name: Optional[str] = None, dim: Any = None) -> _ops.Tensor:  # noqa: A002
    """Inserts a size-1 dimension at ``axis`` (negative counts from the end, -1 appends)."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    x = _ops.convert_to_tensor(input)
    g = x.graph
    with g.as_default():
        a = _int_tensor(axis, "dim")
        return g.create_op("ExpandDims", [x, a], name=name or "ExpandDims",
                           attrs={"T": x.dtype, "Tdim": a.dtype}).outputs[0]


def _expand_dims_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    d = _scalar_value(op.inputs[1])
    if s.rank is None:
        return [_ts.unknown_shape()]
    if d is None:
        return [_ts.unknown_shape(s.rank + 1)]
    r = s.rank
    if d < -r - 1 or d > r:
        raise _err(op, f"Tried to expand dim index {d} for tensor with {r} dimensions")
    if d < 0:
        d += r + 1
    dims = s.as_list()
    dims.insert(d, 1)
    return [_ts.TensorShape(dims)]


def squeeze(input: Any, axis: Any = None, name: Optional[str] = None, squeeze_dims: Any = None) -> _ops.Tensor:  # noqa: A002
    """Removes size-1 dimensions (all of them, or those listed in ``axis``)."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
        axis = squeeze_dims
    if axis is None:
        axis = []
    elif isinstance(axis, (int, np.integer)):
        axis = [axis]
    axis = [int(a) for a in axis]
    x = _ops.convert_to_tensor(input)
    return x.graph.create_op("Squeeze", [x], name=name or "Squeeze",
                             attrs={"T": x.dtype, "squeeze_dims": axis}).outputs[0]


def _squeeze_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    axes = list(op.get_attr("squeeze_dims"))
    if s.rank is None:
        return [_ts.unknown_shape()]
    r = s.rank
    dims = s.as_list()
    drop = set()
    for a in axes:
        if a < -r or a >= r:
            raise _err(op, f"Tried to squeeze dim index {a} for tensor with {r} dimensions")
        a = a + r if a < 0 else a
        if dims[a] is not None and dims[a] != 1:
            raise _err(op, f"Can not squeeze dim[{a}], expected a dimension of 1, got {dims[a]}")
        drop.add(a)
    if not axes:
        if any(v is None for v in dims):
            return [_ts.unknown_shape()]
        drop = {i for i, v in enumerate(dims) if v == 1}
    return [_ts.TensorShape([v for i, v in enumerate(dims) if i not in drop])]


# ---- ConcatV2, Pack, Unpack ---------------------------------------------------------------------

def _common_dtype(values: Sequence[Any], what: str) -> Optional[_dtypes.DType]:
    dt = None
    for v in values:
        if isinstance(v, _ops.Tensor):
            if dt is None:
                dt = v.dtype
            elif v.dtype != dt:
                raise TypeError(f"{what}: Tensors in list passed to 'values' have types [{dt.name}, "
                                f"{v.dtype.name}] that don't all match.")
    return dt


def _convert_values(values: Sequence[Any], what: str) -> List[_ops.Tensor]:
    dt = _common_dtype(values, what)
    out = [_ops.convert_to_tensor(v, dtype=dt) for v in values]
    _common_dtype(out, what)
    return out


def concat(values: Any, axis: Any, name: str = "concat") -> _ops.Tensor:
    """Concatenates tensors along ``axis`` (a ConcatV2 op; one value is returned through Identity)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if not values:
        raise ValueError("concat expects at least one value")
    g = _graph_for(*values, axis)
    with g.as_default():
        vals = _convert_values(values, "ConcatV2")
        if len(vals) == 1:
            a = _scalar_value(axis) if isinstance(axis, _ops.Tensor) else int(axis)
            r = vals[0].shape.rank
            if a is not None and r is not None and not -r <= a < r:
                raise ValueError(f"axis {a} is out of range for a tensor of rank {r} (expected [{-r}, {r}))")
            return identity(vals[0], name=name)
        a = _int_tensor(axis, "axis")
        return g.create_op("ConcatV2", vals + [a], name=name,
                           attrs={"N": len(vals), "T": vals[0].dtype, "Tidx": a.dtype}).outputs[0]


def _concat_shape(op: Any) -> List[_ts.TensorShape]:
    vals = op.inputs[:-1]
    axis = _scalar_value(op.inputs[-1])
    r = next((v.shape.rank for v in vals if v.shape.rank is not None), None)
    if r is None:
        return [_ts.unknown_shape()]
    for v in vals:
        if v.shape.rank is not None and v.shape.rank != r:
            raise _err(op, f"Shape must be rank {r} but is rank {v.shape.rank}")
    if r == 0:
        raise _err(op, "Can't concatenate scalars (use tf.stack instead)")
    if axis is None:
        return [_ts.unknown_shape(r)]
    if axis < -r or axis >= r:
        raise _err(op, f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), but got {axis}")
    axis = axis + r if axis < 0 else axis
    out: List[Optional[int]] = [None] * r
    total: Optional[int] = 0
    first_known = None
    for v in vals:
        if v.shape.rank is None:
            total = None
            continue
        dims = v.shape.as_list()
        for i in _builtins.range(r):
            if i == axis:
                continue
            if out[i] is not None and dims[i] is not None and out[i] != dims[i]:
                raise _err(op, f"Dimension {i} in both shapes must be equal, but are {out[i]} and {dims[i]}. "
                               f"Shapes are {first_known} and {v.shape}")
            out[i] = _merge_dim(out[i], dims[i])
        if first_known is None:
            first_known = v.shape
        total = None if total is None or dims[axis] is None else total + dims[axis]
    out[axis] = total
    return [_ts.TensorShape(out)]


def stack(values: Any, axis: int = 0, name: str = "stack") -> _ops.Tensor:
    """Stacks rank-R tensors into one rank-(R+1) tensor along ``axis`` (a Pack op)."""
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError("stack expects a non-empty list of values")
    g = _graph_for(*values)
    with g.as_default():
        vals = _convert_values(values, "Pack")
        r = vals[0].shape.rank
        if r is not None and not -(r + 1) <= axis <= r:
            raise ValueError(f"axis = {axis} not in [{-(r + 1)}, {r + 1})")
        return g.create_op("Pack", vals, name=name, attrs={"N": len(vals), "T": vals[0].dtype,
                                                            "axis": int(axis)}).outputs[0]


def _pack_shape(op: Any) -> List[_ts.TensorShape]:
    s = _ts.unknown_shape()
    for v in op.inputs:
        if s.rank is not None and v.shape.rank is not None and s.rank != v.shape.rank:
            raise _err(op, f"Shapes must be equal rank, but are {s.rank} and {v.shape.rank}")
        try:
            s = s.merge_with(v.shape)
        except ValueError:
            raise _err(op, f"Shapes of all inputs must match: values[0].shape = {op.inputs[0].shape} != "
                           f"values[{op.inputs.index(v)}].shape = {v.shape}") from None
    if s.rank is None:
        return [_ts.unknown_shape()]
    axis = op.get_attr("axis")
    r = s.rank
    if axis < -(r + 1) or axis > r:
        raise _err(op, f"axis = {axis} not in [{-(r + 1)}, {r + 1})")
    axis = axis + r + 1 if axis < 0 else axis
    dims = s.as_list()
    dims.insert(axis, len(op.inputs))
    return [_ts.TensorShape(dims)]


def unstack(value: Any, num: Optional[int] = None, axis: int = 0, name: str = "unstack") -> List[_ops.Tensor]:
    """Splits ``value`` along ``axis`` into a list of rank-(R-1) tensors (an Unpack op)."""
    x = _ops.convert_to_tensor(value)
    s = x.shape
    if num is None:
        if s.rank is None:
            raise ValueError(f"Cannot infer num from shape {s}")
        if not -s.rank <= axis < s.rank:
            raise ValueError(f"axis = {axis} not in [{-s.rank}, {s.rank})")
        num = s[axis]
        if num is None:
            raise ValueError(f"Cannot infer num from shape {s}")
    return list(x.graph.create_op("Unpack", [x], name=name, attrs={"num": int(num), "axis": int(axis),
                                                                   "T": x.dtype}).outputs)


def _unpack_types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
    return [inputs[0].dtype] * int(nd.attr["num"].i)


def _unpack_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    num = op.get_attr("num")
    if s.rank is None:
        return [_ts.unknown_shape()] * num
    r = s.rank
    axis = op.get_attr("axis")
    if axis < -r or axis >= r:
        raise _err(op, f"axis = {axis} not in [{-r}, {r})")
    axis = axis + r if axis < 0 else axis
    dims = s.as_list()
    if dims[axis] is not None and dims[axis] != num:
        raise _err(op, f"Dimension must be {num} but is {dims[axis]}")
    del dims[axis]
    return [_ts.TensorShape(dims)] * num


# ---- Split, SplitV ------------------------------------------------------------------------------

def split(value: Any, num_or_size_splits: Any, axis: Any = 0, num: Optional[int] = None,
          name: str = "split") -> List[_ops.Tensor]:
    """Splits ``value`` along ``axis`` into equal parts (an int) or parts of the given sizes (SplitV)."""
    x = _ops.convert_to_tensor(value)
    g = x.graph
    with g.as_default():
        if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(num_or_size_splits, bool):
            n = int(num_or_size_splits)
            if n < 1:
                raise ValueError(f"num_or_size_splits must be >= 1, got {n}")
            a = _int_tensor(axis, "split_dim")
            return list(g.create_op("Split", [a, x], name=name, attrs={"num_split": n, "T": x.dtype}).outputs)
        sizes = _int_tensor(num_or_size_splits, "size_splits")
        if sizes.shape.rank == 0 and not isinstance(num_or_size_splits, _ops.Tensor):
            raise ValueError("num_or_size_splits must be an int or a 1-D list of sizes")
        if num is None:
            if sizes.shape.rank != 1 or sizes.shape[0] is None:
                raise ValueError(f"Cannot infer num from shape {sizes.shape}")
            num = sizes.shape[0]
        a = _int_tensor(axis, "split_dim")
        return list(g.create_op("SplitV", [x, sizes, a], name=name,
                                attrs={"num_split": int(num), "T": x.dtype, "Tlen": sizes.dtype}).outputs)


def _split_types(value_index: int) -> Callable:
    def types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
        return [inputs[value_index].dtype] * int(nd.attr["num_split"].i)
    return types


def _split_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[1].shape
    n = op.get_attr("num_split")
    d = _scalar_value(op.inputs[0])
    if s.rank is None:
        return [_ts.unknown_shape()] * n
    if d is None:
        return [_ts.unknown_shape(s.rank)] * n
    r = s.rank
    if d < -r or d >= r:
        raise _err(op, f"-input rank(-{r}) <= split_dim < input rank ({r}), but got {d}")
    d = d + r if d < 0 else d
    dims = s.as_list()
    if dims[d] is not None:
        if dims[d] % n:
            raise _err(op, f"Dimension size must be evenly divisible by {n} but is {dims[d]}")
        dims[d] //= n
    return [_ts.TensorShape(dims)] * n


def _splitv_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    n = op.get_attr("num_split")
    sizes = _partial_vector(op.inputs[1])
    d = _scalar_value(op.inputs[2])
    if sizes is not None and len(sizes) != n:
        raise _err(op, f"size_splits must have {n} elements, got {len(sizes)}")
    if s.rank is None:
        return [_ts.unknown_shape()] * n
    r = s.rank
    if d is None:
        return [_ts.unknown_shape(r)] * n
    if d < -r or d >= r:
        raise _err(op, f"-input rank(-{r}) <= split_dim < input rank ({r}), but got {d}")
    d = d + r if d < 0 else d
    dims = s.as_list()
    if sizes is None:
        sizes = [None] * n
    sizes = list(sizes)
    if sum(1 for v in sizes if v == -1) > 1:
        raise _err(op, "Only one dimensions can have a value of -1")
    if any(v is not None and v < -1 for v in sizes):
        raise _err(op, f"size_splits must be >= 0 (or one -1), got {sizes}")
    if None not in sizes and dims[d] is not None:
        known = sum(v for v in sizes if v != -1)
        if (-1 not in sizes and known != dims[d]) or (-1 in sizes and known > dims[d]):
            raise _err(op, f"Determined shape must either match input shape along split_dim exactly if fully "
                           f"specified, or be less than the size of the input along split_dim if not fully "
                           f"specified.  Got: {known}")
        if -1 in sizes:
            sizes[sizes.index(-1)] = dims[d] - known
    out = []
    for v in sizes:
        dv = list(dims)
        dv[d] = None if v is None or v == -1 else v
        out.append(_ts.TensorShape(dv))
    return out


# ---- Slice, Tile, Pad ---------------------------------------------------------------------------

def slice(input_: Any, begin: Any, size: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A001
    """Extracts ``input_[begin : begin + size]`` per dimension; a size of -1 takes the rest."""
    x = _ops.convert_to_tensor(input_)
    g = x.graph
    with g.as_default():
        b = _int_tensor(begin, "begin")
        sz = _int_tensor(size, "size")
        if b.dtype != sz.dtype:
            if not isinstance(size, _ops.Tensor):
                sz = _ops.convert_to_tensor(np.asarray(size), dtype=b.dtype)
            elif not isinstance(begin, _ops.Tensor):
                b = _ops.convert_to_tensor(np.asarray(begin), dtype=sz.dtype)
            else:
                raise TypeError(f"begin and size must have the same dtype, got {b.dtype.name} and {sz.dtype.name}")
        return g.create_op("Slice", [x, b, sz], name=name or "Slice", attrs={"T": x.dtype, "Index": b.dtype}).outputs[0]


def _rank_from_vectors(s: _ts.TensorShape, *vecs: Optional[list]) -> Optional[int]:
    if s.rank is not None:
        return s.rank
    for v in vecs:
        if v is not None:
            return len(v)
    return None


def _slice_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    begin, sz = _partial_vector(op.inputs[1]), _partial_vector(op.inputs[2])
    r = _rank_from_vectors(s, begin, sz)
    if r is None:
        return [_ts.unknown_shape()]
    for v in (begin, sz):
        if v is not None and len(v) != r:
            raise _err(op, f"Expected begin and size arguments to be 1-D tensors of size {r}")
    dims = s.as_list() if s.rank is not None else [None] * r
    begin = begin or [None] * r
    sz = sz or [None] * r
    out = []
    for i in _builtins.range(r):
        b, n, d = begin[i], sz[i], dims[i]
        if b is not None and (b < 0 or (d is not None and b > d)):
            raise _err(op, f"Expected begin[{i}] in [0, {d}], but got {b}")
        if n is not None and n < -1:
            raise _err(op, f"Expected size[{i}] >= -1, but got {n}")
        if n is not None and n >= 0:
            if d is not None and b is not None and b + n > d:
                raise _err(op, f"Expected size[{i}] in [0, {d - b}], but got {n}")
            out.append(n)
        elif n == -1 and d is not None and b is not None:
            out.append(d - b)
        else:
            out.append(None)
    return [_ts.TensorShape(out)]


def tile(input: Any, multiples: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    """Repeats ``input`` ``multiples[i]`` times along dimension i."""
    x = _ops.convert_to_tensor(input)
    g = x.graph
    with g.as_default():
        m = _int_tensor(multiples, "multiples")
        return g.create_op("Tile", [x, m], name=name or "Tile", attrs={"T": x.dtype, "Tmultiples": m.dtype}).outputs[0]


def _tile_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    m = _partial_vector(op.inputs[1])
    r = _rank_from_vectors(s, m)
    if r is None:
        return [_ts.unknown_shape()]
    if m is not None and len(m) != r:
        raise _err(op, f"Shape must be rank {len(m)} but is rank {r}")
    dims = s.as_list() if s.rank is not None else [None] * r
    m = m or [None] * r
    out = []
    for d, k in zip(dims, m):
        if k is not None and k < 0:
            raise _err(op, f"Expected multiples >= 0, but got {k}")
        out.append(0 if k == 0 or d == 0 else (d * k if d is not None and k is not None else None))
    return [_ts.TensorShape(out)]


def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", name: Optional[str] = None,
        constant_values: Any = 0) -> _ops.Tensor:
    """Pads ``tensor`` by ``paddings`` ([rank, 2]): CONSTANT (Pad/PadV2), REFLECT or SYMMETRIC (MirrorPad)."""
    x = _ops.convert_to_tensor(tensor)
    g = x.graph
    mode = mode.upper() if isinstance(mode, str) else mode
    with g.as_default():
        p = _int_tensor(paddings, "paddings")
        if mode == "CONSTANT":
            if not isinstance(constant_values, _ops.Tensor) and np.all(np.asarray(constant_values) == 0) \
                    and not isinstance(constant_values, (str, bytes)):
                return g.create_op("Pad", [x, p], name=name or "Pad",
                                   attrs={"T": x.dtype, "Tpaddings": p.dtype}).outputs[0]
            c = _ops.convert_to_tensor(constant_values, dtype=x.dtype)
            return g.create_op("PadV2", [x, p, c], name=name or "PadV2",
                               attrs={"T": x.dtype, "Tpaddings": p.dtype}).outputs[0]
        if mode in ("REFLECT", "SYMMETRIC"):
            return g.create_op("MirrorPad", [x, p], name=name or "MirrorPad",
                               attrs={"T": x.dtype, "Tpaddings": p.dtype, "mode": mode}).outputs[0]
        raise ValueError(f"Unknown padding mode: {mode}")


def _pad_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    p = _tensor_util.constant_value(op.inputs[1])
    ps = op.inputs[1].shape
    if ps.rank is not None and (ps.rank != 2 or (ps[1] is not None and ps[1] != 2)):
        raise _err(op, f"paddings must be a matrix with 2 columns: {ps}")
    if s.rank is not None and ps.rank == 2 and ps[0] is not None and ps[0] != s.rank:
        raise _err(op, f"The first dimension of paddings must be the rank of inputs{ps} {s}")
    if len(op.inputs) == 3 and op.inputs[2].shape.rank not in (None, 0):
        raise _err(op, f"constant_values must be a scalar. Got: {op.inputs[2].shape}")
    r = s.rank if s.rank is not None else (ps[0] if ps.rank == 2 else None)
    if r is None:
        return [_ts.unknown_shape()]
    if p is None:
        return [_ts.unknown_shape(r)]
    p = np.asarray(p).reshape(-1, 2)
    if (p < 0).any():
        raise _err(op, f"Paddings must be non-negative: {p.tolist()}")
    dims = s.as_list() if s.rank is not None else [None] * r
    if op.type == "MirrorPad":
        off = 1 if op.get_attr("mode") in (b"REFLECT", "REFLECT") else 0
        for (lo, hi), d in zip(p.tolist(), dims):
            if d is not None and (lo > d - off or hi > d - off):
                raise _err(op, (f"paddings must be less than the dimension size: {lo}, {hi} not less than {d}" if off
                                else f"paddings must be no greater than the dimension size: {lo}, {hi} greater "
                                     f"than {d}"))
    return [_ts.TensorShape([None if d is None else d + int(lo) + int(hi) for d, (lo, hi) in zip(dims, p.tolist())])]


# ---- Range --------------------------------------------------------------------------------------

_RANGE_HIERARCHY = [_dtypes.int32, _dtypes.int64, _dtypes.float32, _dtypes.float64]


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: str = "range") -> _ops.Tensor:  # noqa: A001
    """``[start, start + delta, ...)`` up to (not including) ``limit``; dtype inferred as TF does."""
    from graphrt.ops import math_ops as _math_ops
    if limit is None:
        start, limit = 0, start
    g = _graph_for(start, limit, delta)
    with g.as_default(), g.name_scope(name if name else "Range") as scope:
        dt = _dtypes.as_dtype(dtype) if dtype is not None else None
        args = []
        for v, n in ((start, "start"), (limit, "limit"), (delta, "delta")):
            if not isinstance(v, _ops.Tensor):
                v = _ops.convert_to_tensor(v, dtype=dt, name=n)
            args.append(v)
        if dt is None:
            for a in args:
                if a.dtype not in _RANGE_HIERARCHY:
                    raise TypeError(f"Range arguments must be int32, int64, float32 or float64, got {a.dtype.name}")
            dt = max((a.dtype for a in args), key=_RANGE_HIERARCHY.index)
        args = [_math_ops.cast(a, dt) for a in args]
        return g.create_op("Range", args, name=scope, attrs={"Tidx": dt}).outputs[0]


def _range_shape(op: Any) -> List[_ts.TensorShape]:
    vals = [_tensor_util.constant_value(t) for t in op.inputs]
    for t in op.inputs:
        if t.shape.rank not in (None, 0):
            raise _err(op, f"Shape must be rank 0 but is rank {t.shape.rank}")
    if vals[2] is not None and vals[2] == 0:
        raise _err(op, f"Requires delta != 0: {vals[2]}")
    if any(v is None for v in vals):
        return [_ts.TensorShape([None])]
    start, limit, delta = (np.asarray(v).item() for v in vals)
    if delta > 0 and start > limit:
        raise _err(op, f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        raise _err(op, f"Requires start >= limit when delta < 0: {start}/{limit}")
    if op.get_attr("Tidx").is_integer:
        n = (abs(limit - start) + abs(delta) - 1) // abs(delta)
    else:
        n = int(np.ceil(abs((limit - start) / delta)))
    return [_ts.TensorShape([int(n)])]


# ---- ReverseV2, BroadcastTo, IdentityN ------------------------------------------------------------

def reverse(tensor: Any, axis: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Reverses ``tensor`` along each dimension in ``axis`` (a ReverseV2 op)."""
    x = _ops.convert_to_tensor(tensor)
    g = x.graph
    with g.as_default():
        if isinstance(axis, (int, np.integer)):
            axis = [axis]
        a = _int_tensor(axis, "axis")
        return g.create_op("ReverseV2", [x, a], name=name or "ReverseV2",
                           attrs={"T": x.dtype, "Tidx": a.dtype}).outputs[0]


reverse_v2 = reverse


def _reverse_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    axes = _tensor_util.constant_value(op.inputs[1])
    if op.inputs[1].shape.rank not in (None, 1):
        raise _err(op, f"Shape must be rank 1 but is rank {op.inputs[1].shape.rank}")
    if axes is not None and s.rank is not None:
        r = s.rank
        seen = set()
        for a in np.asarray(axes).ravel().tolist():
            if a < -r or a >= r:
                raise _err(op, f"'axis'[{a}] is out of valid range [{-r}, {r - 1}]")
            a = a + r if a < 0 else a
            if a in seen:
                raise _err(op, f"axis {a} specified more than once")
            seen.add(a)
    return [s]


def broadcast_to(input: Any, shape: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    """Broadcasts ``input`` to ``shape`` with numpy rules (a BroadcastTo op)."""
    x = _ops.convert_to_tensor(input)
    g = x.graph
    with g.as_default():
        s = _shape_tensor(shape, g)
        return g.create_op("BroadcastTo", [x, s], name=name or "BroadcastTo",
                           attrs={"T": x.dtype, "Tidx": s.dtype}).outputs[0]


def _broadcast_to_shape(op: Any) -> List[_ts.TensorShape]:
    target = _tensor_util.constant_value_as_shape(op.inputs[1])
    s = op.inputs[0].shape
    if target.rank is None or s.rank is None:
        return [target]
    if s.rank > target.rank:
        raise _err(op, f"Unable to broadcast tensor of shape {s} to tensor of shape {target}")
    out = target.as_list()
    off = target.rank - s.rank
    for i, d in enumerate(s.as_list()):
        t = out[off + i]
        if d is not None and t is not None and d != 1 and d != t:
            raise _err(op, f"Unable to broadcast tensor of shape {s} to tensor of shape {target}")
        if t is None and d is not None and d != 1:
            out[off + i] = d
    return [_ts.TensorShape(out)]


def identity_n(input: Any, name: Optional[str] = None) -> List[_ops.Tensor]:  # noqa: A002
    """Returns the given tensors unchanged (one IdentityN op)."""
    g = _graph_for(*input)
    with g.as_default():
        xs = [_ops.convert_to_tensor(v) for v in input]
        if not xs:
            raise ValueError("identity_n expects at least one tensor")
        return list(g.create_op("IdentityN", xs, name=name or "IdentityN",
                                attrs={"T": [x.dtype for x in xs]}).outputs)


# ---- autopacking: convert_to_tensor of a (nested) list that holds Tensors -------------------------

def _contains_tensor(v: Any) -> bool:
    if isinstance(v, _ops.Tensor):
        return True
    if isinstance(v, (list, tuple)):
        return any(_contains_tensor(e) for e in v)
    return False


def _first_tensor_dtype(v: Any) -> Optional[_dtypes.DType]:
    if isinstance(v, _ops.Tensor):
        return v.dtype
    if isinstance(v, (list, tuple)):
        for e in v:
            dt = _first_tensor_dtype(e)
            if dt is not None:
                return dt
    return None


def _autopack(v: Any, dtype: _dtypes.DType, name: str) -> _ops.Tensor:
    from graphrt.ops import math_ops as _math_ops
    g = _ops.get_default_graph()
    with g.name_scope(name) as scope:
        elems = []
        for i, e in enumerate(v):
            if isinstance(e, _ops.Tensor):
                if e.dtype != dtype:
                    e = _math_ops.cast(e, dtype)
                elems.append(e)
            elif isinstance(e, (list, tuple)) and _contains_tensor(e):
                elems.append(_autopack(e, dtype, str(i)))
            else:
                elems.append(constant(e, dtype=dtype, name=str(i)))
        return stack(elems, name=scope)


def _autopacking_conversion_function(v: Any, dtype: Any = None, name: Optional[str] = None,
                                     as_ref: bool = False) -> Any:
    if not v or not _contains_tensor(v):
        return NotImplemented
    inferred = _first_tensor_dtype(v)
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else inferred
    g = _graph_for(*[t for t in _flatten_tensors(v)])
    with g.as_default():
        return _autopack(v, dtype, name or "packed")


def _flatten_tensors(v: Any) -> Iterator[_ops.Tensor]:
    if isinstance(v, _ops.Tensor):
        yield v
    elif isinstance(v, (list, tuple)):
        for e in v:
            yield from _flatten_tensors(e)


_ops.register_tensor_conversion_function((list, tuple), _autopacking_conversion_function, priority=99)


# ---- op definitions -----------------------------------------------------------------------------

def _identity_n_types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
    return [t.dtype for t in inputs]


def _register_ops() -> None:
    R = _op_registry
    R.register("StridedSlice", R.input_type(0), _strided_slice_shape)
    R.register("Size", R.attr_type("out_type"), R.scalar_shape)
    R.register("Rank", R.fixed_type(_dtypes.int32), R.scalar_shape)
    R.register("ExpandDims", R.input_type(0), _expand_dims_shape)
    R.register("Squeeze", R.input_type(0), _squeeze_shape)
    R.register("ConcatV2", R.input_type(0), _concat_shape)
    R.register("Pack", R.input_type(0), _pack_shape)
    R.register("Unpack", _unpack_types, _unpack_shape)
    R.register("Split", _split_types(1), _split_shape)
    R.register("SplitV", _split_types(0), _splitv_shape)
    R.register("Slice", R.input_type(0), _slice_shape)
    R.register("Tile", R.input_type(0), _tile_shape)
    for op in ("Pad", "PadV2", "MirrorPad"):
        R.register(op, R.input_type(0), _pad_shape)
    R.register("Range", R.attr_type("Tidx"), _range_shape)
    R.register("ZerosLike", R.input_type(0), R.unchanged_shape)
    R.register("OnesLike", R.input_type(0), R.unchanged_shape)
    R.register("ReverseV2", R.input_type(0), _reverse_shape)
    R.register("BroadcastTo", R.input_type(0), _broadcast_to_shape)
    R.register("IdentityN", _identity_n_types, lambda op: [t.shape for t in op.inputs])


_register_ops()
