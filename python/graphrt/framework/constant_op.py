"""tf.constant."""
from __future__ import annotations

from typing import Any, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_util


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const",
             verify_shape: bool = False) -> _ops.Tensor:
    """A Const op holding ``value`` (numpy arrays keep their dtype; Python floats become float32)."""
    proto = tensor_util.make_tensor_proto(value, dtype=dtype, shape=shape, verify_shape=verify_shape)
    dt = _dtypes.as_dtype(proto.dtype)
    g = _ops.get_default_graph()
    op = g.create_op("Const", [], name=name, attrs={"value": proto, "dtype": dt})
    return op.outputs[0]
