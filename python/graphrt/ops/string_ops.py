"""String ops (minimal): tf.string_join / tf.strings.join and tf.strings.format."""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.ops.debug_ops import string_format

__all__ = ["string_join"]


def string_join(inputs: Sequence[Any], separator: str = "", name: Optional[str] = None) -> _ops.Tensor:
    """Element-wise concatenation of string tensors (scalars broadcast) with ``separator``."""
    ts = [_ops.convert_to_tensor(t, dtype=_dtypes.string) for t in inputs]
    if not ts:
        raise ValueError("string_join needs at least one input")
    g = _ops.op_scope_graph(ts)
    return g.create_op("StringJoin", ts, name=name or "StringJoin",
                       attrs={"N": len(ts), "separator": separator}).outputs[0]


def join(inputs: Sequence[Any], separator: str = "", name: Optional[str] = None) -> _ops.Tensor:
    return string_join(inputs, separator=separator, name=name)


def _join_shape(op: Any) -> List[_ts.TensorShape]:
    shape = _ts.scalar()
    for t in op.inputs:
        if t.shape.rank == 0:
            continue
        if shape.rank == 0:
            shape = t.shape
        elif not shape.is_compatible_with(t.shape):
            raise ValueError(f"StringJoin input shapes do not match: {shape} vs. {t.shape}")
        else:
            shape = shape.merge_with(t.shape)
    return [shape]


format = string_format  # noqa: A001 - tf.strings.format

op_registry.register("StringJoin", op_registry.fixed_type(_dtypes.string), _join_shape)
