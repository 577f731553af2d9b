"""numpy <-> TensorProto, and constant_value (static evaluation of Const-derived tensors)."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import tensor_shape as _tensor_shape
from graphrt.framework.graph_def import TensorProto


def _infer_python_dtype(values: Any) -> _dtypes.DType:
    """TF's inference for Python values: float -> float32, int -> int32 (int64 if it does not fit),
    bool -> bool, str/bytes -> string."""
    flat = list(_flatten(values))
    if not flat:
        return _dtypes.float32
    if all(isinstance(v, (bytes, str, np.bytes_, np.str_)) for v in flat):
        return _dtypes.string
    if all(isinstance(v, (bool, np.bool_)) for v in flat):
        return _dtypes.bool
    if any(isinstance(v, (bytes, str)) for v in flat):
        raise TypeError(f"Failed to convert elements of {values!r} to Tensor: mixed strings and numbers.")
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in flat):
        if all(np.iinfo(np.int32).min <= int(v) <= np.iinfo(np.int32).max for v in flat):
            return _dtypes.int32
        return _dtypes.int64
    for v in flat:
        if isinstance(v, np.generic) and not isinstance(v, (np.bool_,)):
            pass
        elif not isinstance(v, (int, float, bool)):
            raise TypeError(f"Failed to convert elements of {values!r} to Tensor. Consider casting elements to a "
                            "supported type.")
    return _dtypes.float32


def _flatten(values: Any):
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _flatten(v)
    elif isinstance(values, np.ndarray):
        yield from values.ravel().tolist() if values.dtype != object else values.ravel()
    else:
        yield values


def _check_nested_shape(values: Any) -> None:
    if isinstance(values, (list, tuple)) and values:
        lens = set()
        for v in values:
            _check_nested_shape(v)
            lens.add(len(v) if isinstance(v, (list, tuple)) else -1)
        if len(lens) > 1:
            raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {values!r}")


def to_numpy(values: Any, dtype: Optional[_dtypes.DType] = None) -> np.ndarray:
    """Converts a Python/numpy value to an ndarray of ``dtype`` (inferred TF-style when None),
    refusing lossy conversions such as 1.5 -> int32 (TypeError) as TF does."""
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    if isinstance(values, np.ndarray) or isinstance(values, np.generic):
        arr = np.asarray(values)
        if dtype is None:
            if arr.dtype.kind in ("U", "S", "O"):
                return _to_bytes_array(arr)
            return arr if arr.dtype != np.float64 or True else arr
        if dtype == _dtypes.string:
            return _to_bytes_array(arr)
        if arr.dtype.kind == "f" and dtype.is_integer and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
            raise TypeError(f"Expected {dtype.name}, but got array of dtype {arr.dtype} with non-integer values")
        if arr.dtype.kind in ("U", "S", "O") and dtype != _dtypes.string:
            raise TypeError(f"Expected {dtype.name}, got array of strings instead.")
        return arr.astype(dtype.as_numpy_dtype, copy=False)
    _check_nested_shape(values)
    if dtype is None:
        dtype = _infer_python_dtype(values)
    if dtype == _dtypes.string:
        return _to_bytes_array(np.array(values, dtype=object))
    for v in _flatten(values):
        if isinstance(v, (str, bytes)):
            raise TypeError(f"Expected {dtype.name}, got {v!r} of type '{type(v).__name__}' instead.")
        if v is None:
            raise ValueError(f"None values not supported (converting {values!r} to {dtype.name}).")
        if dtype.is_integer or dtype.is_bool:
            if isinstance(v, (float, np.floating)) and not float(v).is_integer():
                raise TypeError(f"Expected {dtype.name}, got {v!r} of type '{type(v).__name__}' instead.")
        if dtype.is_integer and isinstance(v, (int, np.integer)):
            info = np.iinfo(dtype.as_numpy_dtype)
            if not info.min <= int(v) <= info.max:
                raise ValueError(f"Value {v} is out of range for dtype {dtype.name}")
    return np.array(values, dtype=dtype.as_numpy_dtype)


def _to_bytes_array(arr: np.ndarray) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    flat_in = arr.ravel()
    flat_out = out.ravel()
    for i, v in enumerate(flat_in):
        if isinstance(v, str):
            v = v.encode("utf-8")
        elif isinstance(v, np.bytes_):
            v = bytes(v)
        elif not isinstance(v, bytes):
            raise TypeError(f"Expected string, got {v!r} of type '{type(v).__name__}' instead.")
        flat_out[i] = v
    return out


def make_tensor_proto(values: Any, dtype: Any = None, shape: Any = None, verify_shape: bool = False,
                      allow_broadcast: bool = False) -> TensorProto:
    """A TensorProto for ``values``. With ``shape``, a scalar is broadcast and a shorter list is padded
    with its last element (TF1 semantics); more values than the shape holds is a ValueError."""
    if isinstance(values, TensorProto):
        return values
    arr = to_numpy(values, dtype)
    dt = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.as_dtype(arr.dtype)
    if dt == _dtypes.string:
        arr = arr if arr.dtype == object else _to_bytes_array(arr)
    if shape is not None:
        shape = [int(d) for d in _tensor_shape.as_shape(shape).as_list()]
        want = int(np.prod(shape, dtype=np.int64))
        if verify_shape and list(arr.shape) != shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {arr.shape}.")
        if arr.size == want:
            arr = arr.reshape(shape)
        elif arr.size == 1 or (not verify_shape and 0 < arr.size < want and not allow_broadcast):
            pad = arr.ravel()
            arr = np.concatenate([pad, np.repeat(pad[-1:], want - pad.size)]).reshape(shape) if pad.size > 1 else \
                np.full(shape, pad[0], dtype=arr.dtype)
        else:
            raise ValueError(f"Too many elements provided. Needed at most {want}, but received {arr.size}")
    proto = TensorProto(dtype=dt.as_datatype_enum)
    from graphrt.framework.ops import _shape_proto
    proto.tensor_shape.CopyFrom(_shape_proto(list(arr.shape)))
    if dt == _dtypes.string:
        proto.string_val.extend(arr.ravel().tolist())
    elif arr.size == 1 or (arr.size > 1 and np.all(arr.ravel() == arr.ravel()[0]) and dt != _dtypes.float16
                           and not (dt.is_floating and np.isnan(arr.ravel()[0]))):
        # One value; the runtime repeats it over the shape (compact for zeros/ones constants).
        v = arr.ravel()[0]
        if dt == _dtypes.float16:
            proto.half_val.append(int(np.asarray(v, np.float16).view(np.uint16)))
        elif dt == _dtypes.float32:
            proto.float_val.append(float(v))
        elif dt == _dtypes.float64:
            proto.double_val.append(float(v))
        elif dt == _dtypes.int64:
            proto.int64_val.append(int(v))
        elif dt == _dtypes.bool:
            proto.bool_val.append(bool(v))
        else:
            proto.int_val.append(int(v))
    elif arr.size > 0:
        proto.tensor_content = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    return proto


def MakeNdarray(tensor: TensorProto) -> np.ndarray:  # noqa: N802 - TF's name
    """A numpy array with the value of a TensorProto."""
    dt = _dtypes.as_dtype(tensor.dtype)
    shape = [d.size for d in tensor.tensor_shape.dim]
    n = int(np.prod(shape, dtype=np.int64))
    if dt == _dtypes.string:
        vals = list(tensor.string_val)
        out = np.empty(n, dtype=object)
        for i in range(n):
            out[i] = vals[min(i, len(vals) - 1)] if vals else b""
        return out.reshape(shape)
    npd = np.dtype(dt.as_numpy_dtype).newbyteorder("<")
    if tensor.tensor_content:
        return np.frombuffer(tensor.tensor_content, dtype=npd).astype(dt.as_numpy_dtype).reshape(shape).copy()
    if dt == _dtypes.float16:
        vals = np.array(list(tensor.half_val), dtype=np.uint16).view(np.float16)
    elif dt == _dtypes.float32:
        vals = np.array(list(tensor.float_val), dtype=np.float32)
    elif dt == _dtypes.float64:
        vals = np.array(list(tensor.double_val), dtype=np.float64)
    elif dt == _dtypes.int64:
        vals = np.array(list(tensor.int64_val), dtype=np.int64)
    elif dt == _dtypes.bool:
        vals = np.array(list(tensor.bool_val), dtype=np.bool_)
    else:
        vals = np.array(list(tensor.int_val), dtype=dt.as_numpy_dtype)
    if vals.size == 0:
        return np.zeros(shape, dtype=dt.as_numpy_dtype)
    if vals.size < n:
        vals = np.concatenate([vals, np.repeat(vals[-1:], n - vals.size)])
    return vals[:n].astype(dt.as_numpy_dtype).reshape(shape)


def constant_value(tensor: Any) -> Optional[np.ndarray]:
    """The value of ``tensor`` if it is computable at graph-build time (Const, Shape of a fully
    defined tensor, Identity/Cast of such), else None."""
    from graphrt.framework.ops import Tensor
    if not isinstance(tensor, Tensor):
        return np.asarray(tensor)
    op = tensor.op
    if op.type == "Const":
        return MakeNdarray(op.get_attr("value"))
    if op.type == "Shape":
        s = op.inputs[0].shape
        if s.is_fully_defined():
            return np.array(s.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)
        return None
    if op.type in ("Identity", "StopGradient"):
        return constant_value(op.inputs[0])
    if op.type == "Cast":
        v = constant_value(op.inputs[0])
        return None if v is None else v.astype(op.get_attr("DstT").as_numpy_dtype)
    if op.type == "Pack":
        vals = [constant_value(t) for t in op.inputs]
        if any(v is None for v in vals):
            return None
        return np.stack(vals, axis=op.get_attr("axis"))
    return None


def constant_value_as_shape(tensor: Any) -> _tensor_shape.TensorShape:
    """A shape tensor's value as a (possibly partially known) TensorShape."""
    from graphrt.framework.ops import Tensor
    v = constant_value(tensor)
    if v is not None:
        return _tensor_shape.TensorShape([None if d < 0 else int(d) for d in np.asarray(v).ravel()])
    if isinstance(tensor, Tensor):
        if tensor.op.type == "Shape":
            return tensor.op.inputs[0].shape
        n = tensor.shape[0] if tensor.shape.rank == 1 else None
        return _tensor_shape.unknown_shape(n)
    return _tensor_shape.unknown_shape()
