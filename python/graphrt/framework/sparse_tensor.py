"""SparseTensor and SparseTensorValue, as TF's ``tf.SparseTensor`` / ``tf.SparseTensorValue``.

A SparseTensor is three dense tensors: ``indices`` (int64, [N, rank]), ``values`` ([N]) and
``dense_shape`` (int64, [rank]). A Session fetches one as a SparseTensorValue and feeds one from a
SparseTensorValue or an ``(indices, values, dense_shape)`` tuple.
"""
from __future__ import annotations

import collections
from typing import Any, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__ = ["SparseTensor", "SparseTensorValue"]

# What a Session run returns for a fetched SparseTensor.
SparseTensorValue = collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])


class SparseTensor:
    """A sparse tensor: ``dense[indices[i]] = values[i]``, zeros elsewhere, shape ``dense_shape``."""

    @classmethod
    def from_value(cls, sparse_tensor_value: Any) -> "SparseTensor":
        """A SparseTensor of constants from a SparseTensorValue (a SparseTensor passes through)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        if not isinstance(sparse_tensor_value, SparseTensorValue):
            raise TypeError(f"Neither a SparseTensor nor SparseTensorValue: {sparse_tensor_value}.")
        return SparseTensor(indices=sparse_tensor_value.indices, values=sparse_tensor_value.values,
                            dense_shape=sparse_tensor_value.dense_shape)

    def __init__(self, indices: Any, values: Any, dense_shape: Any):
        with _ops.name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = _ops.convert_to_tensor(indices, name="indices", dtype=_dtypes.int64)
            values = _ops.convert_to_tensor(values, name="values")
            dense_shape = _ops.convert_to_tensor(dense_shape, name="dense_shape", dtype=_dtypes.int64)
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        # Static checks, as TF's SparseTensor constructor: indices a matrix, values and shape vectors
        # with matching sizes.
        ish = indices.shape.with_rank(2)
        vsh = values.shape.with_rank(1)
        dsh = dense_shape.shape.with_rank(1)
        ish[0:1].merge_with(vsh[0:1])
        ish[1:2].merge_with(dsh[0:1])

    @property
    def indices(self) -> _ops.Tensor:
        return self._indices

    @property
    def values(self) -> _ops.Tensor:
        return self._values

    @property
    def dense_shape(self) -> _ops.Tensor:
        return self._dense_shape

    @property
    def dtype(self) -> _dtypes.DType:
        return self._values.dtype

    @property
    def op(self) -> _ops.Operation:
        return self._values.op

    @property
    def graph(self) -> _ops.Graph:
        return self._indices.graph

    @property
    def shape(self) -> _ts.TensorShape:
        """The static shape of the dense tensor (known where ``dense_shape`` is a constant)."""
        from graphrt.framework import tensor_util
        return tensor_util.constant_value_as_shape(self._dense_shape)

    def get_shape(self) -> _ts.TensorShape:
        return self.shape

    def consumers(self) -> list:
        ops = []
        for t in (self._indices, self._values, self._dense_shape):
            for op in t.consumers():
                if op not in ops:
                    ops.append(op)
        return ops

    def eval(self, feed_dict: Optional[dict] = None, session: Any = None) -> SparseTensorValue:
        """The value as a SparseTensorValue, run in ``session`` (default: the default session)."""
        from graphrt.client import session as _session
        return _session._eval_using(self, feed_dict, session)

    def __repr__(self) -> str:
        return f"SparseTensor(indices={self._indices}, values={self._values}, dense_shape={self._dense_shape})"

    __str__ = __repr__


def convert_to_tensor_or_sparse_tensor(value: Any, dtype: Any = None, name: Optional[str] = None) -> Any:
    """A SparseTensor (a SparseTensorValue becomes one) or a Tensor."""
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and _dtypes.as_dtype(dtype) != value.dtype:
            raise ValueError(f"Sparse dtype: requested = {_dtypes.as_dtype(dtype).name}, actual = {value.dtype.name}")
        return value
    return _ops.convert_to_tensor(value, dtype=dtype, name=name)


def is_sparse(x: Any) -> bool:
    return isinstance(x, (SparseTensor, SparseTensorValue))
