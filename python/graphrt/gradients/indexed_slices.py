"""IndexedSlices: a sparse representation of a dense gradient (rows ``indices`` of a tensor of
shape ``dense_shape`` hold ``values``; repeated indices add up), as TF's tf.IndexedSlices."""
from __future__ import annotations

import collections
from typing import Any, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops

# What a Session run would return for a fetched IndexedSlices (TF's tf.IndexedSlicesValue).
IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])


class IndexedSlices:
    """Sparse slices of a dense tensor: ``dense[indices[i], ...] += values[i, ...]``."""

    def __init__(self, values: _ops.Tensor, indices: _ops.Tensor, dense_shape: Optional[_ops.Tensor] = None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self) -> _ops.Tensor:
        return self._values

    @property
    def indices(self) -> _ops.Tensor:
        return self._indices

    @property
    def dense_shape(self) -> Optional[_ops.Tensor]:
        return self._dense_shape

    @property
    def name(self) -> str:
        return self._values.name

    @property
    def device(self) -> str:
        return self._values.device

    @property
    def op(self) -> _ops.Operation:
        return self._values.op

    @property
    def dtype(self) -> _dtypes.DType:
        return self._values.dtype

    @property
    def graph(self) -> _ops.Graph:
        return self._values.graph

    @property
    def shape(self) -> Any:
        """The static shape of the dense tensor these slices stand for."""
        from graphrt.framework import tensor_shape as _ts
        from graphrt.framework import tensor_util
        if self._dense_shape is None:
            return _ts.unknown_shape()
        return tensor_util.constant_value_as_shape(self._dense_shape)

    def get_shape(self) -> Any:
        return self.shape

    def __neg__(self) -> "IndexedSlices":
        from graphrt.ops import math_ops
        return IndexedSlices(math_ops.negative(self._values), self._indices, self._dense_shape)

    def __repr__(self) -> str:
        ds = f", dense_shape={self._dense_shape}" if self._dense_shape is not None else ""
        return f"IndexedSlices(indices={self._indices}, values={self._values}{ds})"

    __str__ = __repr__


def to_dense(value: Any, name: Optional[str] = None) -> _ops.Tensor:
    """``value`` as a dense Tensor: an IndexedSlices is scattered (duplicates summed) with ScatterNd."""
    if not isinstance(value, IndexedSlices):
        return _ops.convert_to_tensor(value)
    from graphrt.ops import array_ops, indexing_ops, math_ops
    if value.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices without dense_shape: {value!s}")
    g = value.values.graph
    with g.as_default(), g.name_scope(name or "IndexedSlicesToDense"):
        idx = value.indices
        shape = value.dense_shape
        if shape.dtype != idx.dtype:
            shape = math_ops.cast(shape, idx.dtype)
        idx = array_ops.expand_dims(array_ops.reshape(idx, [-1]), -1)
        dense = indexing_ops.scatter_nd(idx, value.values, shape)
        static = value.shape
        if static.rank is not None:
            dense.set_shape(static)
        return dense


def _indexed_slices_to_tensor(value: IndexedSlices, dtype: Any = None, name: Optional[str] = None,
                              as_ref: bool = False) -> _ops.Tensor:
    if dtype is not None and _dtypes.as_dtype(dtype) != value.dtype:
        raise ValueError(f"Tensor conversion requested dtype {_dtypes.as_dtype(dtype).name} for IndexedSlices "
                         f"with dtype {value.dtype.name}")
    return to_dense(value, name=name)


_ops.register_tensor_conversion_function(IndexedSlices, _indexed_slices_to_tensor)
