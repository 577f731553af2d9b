"""Record parsers: ``tf.decode_csv`` and ``tf.decode_raw`` (TF1 names and arguments)."""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__ = ["decode_csv", "decode_raw"]

_CSV_TYPES = (_dtypes.float32, _dtypes.float64, _dtypes.int32, _dtypes.int64, _dtypes.string)
_RAW_TYPES = (_dtypes.float16, _dtypes.float32, _dtypes.float64, _dtypes.int32, _dtypes.uint16, _dtypes.uint8,
              _dtypes.int16, _dtypes.int8, _dtypes.int64, _dtypes.bool)


def decode_csv(records: Any, record_defaults: Sequence[Any], field_delim: str = ",", use_quote_delim: bool = True,
               name: Optional[str] = None, na_value: str = "", select_cols: Optional[Sequence[int]] = None) -> List[_ops.Tensor]:
    """Converts CSV records to tensors, one per column (each shaped like ``records``)."""
    if select_cols is not None and any(select_cols[i] >= select_cols[i + 1] for i in range(len(select_cols) - 1)):
        raise ValueError("select_cols is not strictly increasing.")
    if select_cols is not None and select_cols and select_cols[0] < 0:
        raise ValueError("select_cols contains negative values.")
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    with _ops.name_scope(name, "DecodeCSV", [records]) as scope:
        records = _ops.convert_to_tensor(records, dtype=_dtypes.string, name="records")
        defaults = []
        for i, d in enumerate(record_defaults):
            t = _ops.convert_to_tensor(d, name=f"record_defaults_{i}")
            if t.dtype not in _CSV_TYPES:
                raise TypeError(f"Value passed to parameter 'record_defaults' has DataType {t.dtype.name} not in list "
                                f"of allowed values: float32, float64, int32, int64, string")
            defaults.append(t)
        op = records.graph.create_op("DecodeCSV", [records] + defaults, name=scope, attrs={
            "OUT_TYPE": [t.dtype for t in defaults], "field_delim": field_delim,
            "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
            "select_cols": [int(c) for c in (select_cols or [])]})
        return list(op.outputs)


def decode_raw(input_bytes: Any = None, out_type: Any = None, little_endian: bool = True, name: Optional[str] = None,
               bytes: Any = None) -> _ops.Tensor:  # noqa: A002 - TF's deprecated argument name
    """Reinterprets the bytes of each string as a vector of ``out_type`` (shape: input shape + [n])."""
    if input_bytes is not None and bytes is not None:
        raise ValueError("Cannot specify both 'input_bytes' and 'bytes'")
    if input_bytes is None:
        input_bytes = bytes
    if input_bytes is None:
        raise ValueError("decode_raw() missing required argument 'input_bytes'")
    if out_type is None:
        raise ValueError("decode_raw() missing required argument 'out_type'")
    out_type = _dtypes.as_dtype(out_type)
    if out_type not in _RAW_TYPES:
        raise TypeError(f"Value passed to parameter 'out_type' has DataType {out_type.name} not in list of allowed "
                        f"values: {', '.join(t.name for t in _RAW_TYPES)}")
    t = _ops.convert_to_tensor(input_bytes, dtype=_dtypes.string, name="bytes")
    return t.graph.create_op("DecodeRaw", [t], name=name or "DecodeRaw",
                             attrs={"out_type": out_type, "little_endian": bool(little_endian)}).outputs[0]


def _csv_types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
    return [_dtypes.as_dtype(t) for t in nd.attr["OUT_TYPE"].list.type]


def _csv_shapes(op: Any) -> List[_ts.TensorShape]:
    for i, d in enumerate(op.inputs[1:]):
        s = d.shape
        if s.rank is not None and (s.rank > 1 or (s.rank == 1 and s[0] is not None and s[0] > 1)):
            raise ValueError(f"Shape of a default must be a length-0 or length-1 vector, or a scalar. "
                             f"record_defaults[{i}] has shape {s}")
    return [op.inputs[0].shape for _ in op.outputs]


def _raw_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    if s.rank is None:
        return [_ts.unknown_shape()]
    return [s.concatenate([None])]


op_registry.register("DecodeCSV", _csv_types, _csv_shapes)
op_registry.register("DecodeRaw", op_registry.attr_type("out_type"), _raw_shape)
