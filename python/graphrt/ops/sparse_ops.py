"""Sparse ops on SparseTensor (TF1 names): sparse_placeholder, sparse_to_dense,
sparse_tensor_to_dense, sparse_tensor_dense_matmul, sparse_reduce_sum, sparse_add, sparse_reorder,
sparse_reshape."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry as _reg
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util
from graphrt.framework.sparse_tensor import SparseTensor, SparseTensorValue

__all__ = ["sparse_placeholder", "sparse_to_dense", "sparse_tensor_to_dense", "sparse_tensor_dense_matmul",
           "sparse_reduce_sum", "sparse_add", "sparse_reorder", "sparse_reshape"]


def _convert_to_sparse_tensor(sp_input: Any) -> SparseTensor:
    if isinstance(sp_input, SparseTensorValue):
        return SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sp_input


def _graph(*values: Any) -> _ops.Graph:
    for v in values:
        if isinstance(v, SparseTensor):
            return v.graph
        if isinstance(v, _ops.Tensor):
            return v.graph
    return _ops.get_default_graph()


def sparse_placeholder(dtype: Any, shape: Any = None, name: Optional[str] = None) -> SparseTensor:
    """A SparseTensor of placeholders (indices, values and, unless ``shape`` is fully known, dense_shape)
    to feed with a SparseTensorValue or an ``(indices, values, dense_shape)`` tuple."""
    from graphrt.ops import array_ops
    shape_name = (name + "/shape") if name is not None else None
    if shape is None:
        rank = None
        shape_t = None
    else:
        if isinstance(shape, _ops.Tensor):
            rank = shape.shape[0] if shape.shape.rank == 1 else None
            shape_t = shape
        else:
            shape = list(_ts.as_shape(shape).as_list()) if isinstance(shape, _ts.TensorShape) else list(shape)
            rank = len(shape)
            shape_t = None if any(d is None for d in shape) else \
                _ops.convert_to_tensor(shape, dtype=_dtypes.int64, name=shape_name)
    if shape_t is None:
        shape_t = array_ops.placeholder(_dtypes.int64, shape=[rank], name=shape_name)
    values = array_ops.placeholder(dtype, shape=[None], name=(name + "/values") if name is not None else None)
    indices = array_ops.placeholder(_dtypes.int64, shape=[None, rank],
                                    name=(name + "/indices") if name is not None else None)
    return SparseTensor(values=values, indices=indices, dense_shape=shape_t)


def sparse_to_dense(sparse_indices: Any, output_shape: Any, sparse_values: Any, default_value: Any = 0,
                    validate_indices: bool = True, name: Optional[str] = None) -> _ops.Tensor:
    """A dense tensor of ``output_shape`` with ``sparse_values`` at ``sparse_indices`` and
    ``default_value`` elsewhere; with ``validate_indices`` the indices must be sorted and unique."""
    g = _graph(sparse_indices, output_shape, sparse_values, default_value)
    with g.as_default():
        if isinstance(sparse_indices, _ops.Tensor):
            indices = sparse_indices
        elif isinstance(output_shape, _ops.Tensor):
            indices = _ops.convert_to_tensor(sparse_indices, dtype=output_shape.dtype, name="sparse_indices")
        else:
            indices = _ops.convert_to_tensor(sparse_indices, name="sparse_indices")
        if indices.dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError(f"Value passed to parameter 'sparse_indices' has DataType {indices.dtype.name} not in "
                            "list of allowed values: int32, int64")
        shape = output_shape if isinstance(output_shape, _ops.Tensor) else \
            _ops.convert_to_tensor(output_shape, dtype=indices.dtype, name="output_shape")
        if shape.dtype != indices.dtype:
            raise TypeError(f"Input 'output_shape' of 'SparseToDense' Op has type {shape.dtype.name} that does not "
                            f"match type {indices.dtype.name} of argument 'sparse_indices'.")
        values = _ops.convert_to_tensor(sparse_values, name="sparse_values")
        default = _ops.convert_to_tensor(default_value, dtype=values.dtype, name="default_value")
        return g.create_op("SparseToDense", [indices, shape, values, default], name=name or "SparseToDense",
                           attrs={"T": values.dtype, "Tindices": indices.dtype,
                                  "validate_indices": bool(validate_indices)}).outputs[0]


def sparse_tensor_to_dense(sp_input: Any, default_value: Any = 0, validate_indices: bool = True,
                           name: Optional[str] = None) -> _ops.Tensor:
    """The dense tensor ``sp_input`` stands for, ``default_value`` where it has no entry."""
    sp_input = _convert_to_sparse_tensor(sp_input)
    return sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values, default_value=default_value,
                           validate_indices=validate_indices, name=name)


def sparse_tensor_dense_matmul(sp_a: Any, b: Any, adjoint_a: bool = False, adjoint_b: bool = False,
                               name: Optional[str] = None) -> _ops.Tensor:
    """``op(sp_a) @ op(b)`` for a rank-2 SparseTensor ``sp_a`` and a dense matrix ``b`` (op: adjoint or not)."""
    sp_a = _convert_to_sparse_tensor(sp_a)
    g = sp_a.graph
    with g.as_default():
        b = _ops.convert_to_tensor(b, dtype=sp_a.dtype, name="b")
        return g.create_op("SparseTensorDenseMatMul", [sp_a.indices, sp_a.values, sp_a.dense_shape, b],
                           name=name or "SparseTensorDenseMatMul",
                           attrs={"T": b.dtype, "Tindices": sp_a.indices.dtype, "adjoint_a": bool(adjoint_a),
                                  "adjoint_b": bool(adjoint_b)}).outputs[0]


def sparse_reduce_sum(sp_input: Any, axis: Any = None, keepdims: Any = None, reduction_axes: Any = None,
                      keep_dims: Any = None, name: Optional[str] = None) -> _ops.Tensor:
    """The sum of a SparseTensor's values over ``axis`` (all axes when None), as a dense tensor."""
    from graphrt.ops import array_ops
    from graphrt.ops.math_ops import _axis_arg, _keepdims
    keep = _keepdims(keepdims, keep_dims)
    axis = _axis_arg(axis, reduction_axes, "reduction_axes")
    sp_input = _convert_to_sparse_tensor(sp_input)
    g = sp_input.graph
    with g.as_default():
        if axis is None:
            rank = sp_input.dense_shape.shape[0] if sp_input.dense_shape.shape.rank == 1 else None
            if rank is None:
                axes = array_ops.range(0, array_ops.size(sp_input.dense_shape))
            else:
                axes = _ops.convert_to_tensor(np.arange(rank, dtype=np.int32), name="reduction_axes")
        else:
            axes = axis if isinstance(axis, _ops.Tensor) else \
                _ops.convert_to_tensor(np.asarray(axis, dtype=np.int32), name="reduction_axes")
        return g.create_op("SparseReduceSum", [sp_input.indices, sp_input.values, sp_input.dense_shape, axes],
                           name=name or "SparseReduceSum",
                           attrs={"T": sp_input.dtype, "keep_dims": keep}).outputs[0]


def sparse_add(a: Any, b: Any, threshold: Any = None, thresh: Any = None) -> Any:
    """``a + b`` with at least one SparseTensor: sparse + sparse is a SparseTensor (summed entries with
    magnitude below ``threshold`` are dropped), sparse + dense is a dense Tensor."""
    if threshold is not None and thresh is not None:
        raise ValueError("Cannot specify both 'threshold' and 'thresh'")
    threshold = thresh if threshold is None else threshold
    if threshold is None:
        threshold = 0
    sparse_classes = (SparseTensor, SparseTensorValue)
    if not any(isinstance(inp, sparse_classes) for inp in [a, b]):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    if all(isinstance(inp, sparse_classes) for inp in [a, b]):
        a = _convert_to_sparse_tensor(a)
        b = _convert_to_sparse_tensor(b)
        if a.dtype != b.dtype:
            raise TypeError(f"Input 'b_values' of 'SparseAdd' Op has type {b.dtype.name} that does not match type "
                            f"{a.dtype.name} of argument 'a_values'.")
        g = a.graph
        with g.as_default():
            th = _ops.convert_to_tensor(threshold, dtype=a.dtype, name="threshold")
            op = g.create_op("SparseAdd", [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape, th],
                             name="SparseAdd", attrs={"T": a.dtype, "Treal": a.dtype})
            a.get_shape().assert_is_compatible_with(b.get_shape())
            static = a.get_shape().merge_with(b.get_shape())
            out_shape = op.outputs[2]
            if static.is_fully_defined():
                out_shape = _ops.convert_to_tensor(static.as_list(), dtype=_dtypes.int64)
            return SparseTensor(op.outputs[0], op.outputs[1], out_shape)
    if isinstance(b, sparse_classes):
        a, b = b, a
    a = _convert_to_sparse_tensor(a)
    g = a.graph
    with g.as_default():
        b = _ops.convert_to_tensor(b, dtype=a.dtype, name="b")
        return g.create_op("SparseTensorDenseAdd", [a.indices, a.values, a.dense_shape, b], name="SparseTensorDenseAdd",
                           attrs={"T": a.dtype, "Tindices": a.indices.dtype}).outputs[0]


def sparse_reorder(sp_input: Any, name: Optional[str] = None) -> SparseTensor:
    """The same SparseTensor with its entries in canonical row-major order."""
    sp_input = _convert_to_sparse_tensor(sp_input)
    g = sp_input.graph
    with g.as_default():
        op = g.create_op("SparseReorder", [sp_input.indices, sp_input.values, sp_input.dense_shape],
                         name=name or "SparseReorder", attrs={"T": sp_input.dtype})
        return SparseTensor(op.outputs[0], op.outputs[1], sp_input.dense_shape)


def sparse_reshape(sp_input: Any, shape: Any, name: Optional[str] = None) -> SparseTensor:
    """The SparseTensor reshaped to ``shape`` (one dimension may be -1); its values are unchanged."""
    from graphrt.ops import array_ops, math_ops
    sp_input = _convert_to_sparse_tensor(sp_input)
    g = sp_input.graph
    with g.as_default():
        if isinstance(shape, _ops.Tensor):
            shape = shape if shape.dtype == _dtypes.int64 else math_ops.cast(shape, _dtypes.int64)
        else:
            shape = _ops.convert_to_tensor(np.asarray(shape, dtype=np.int64), name="shape")
        op = g.create_op("SparseReshape", [sp_input.indices, sp_input.dense_shape, shape],
                         name=name or "SparseReshape", attrs={})
        out_shape: Any = op.outputs[1]
        const = tensor_util.constant_value(shape)
        if const is not None and sp_input.get_shape().is_fully_defined():
            const = [int(d) for d in np.asarray(const).ravel()]
            num_implied = sum(d == -1 for d in const)
            if num_implied > 1:
                raise ValueError(f"At most one dimension can be inferred (-1). Found: {const}")
            original = list(const)
            in_size = int(np.prod(sp_input.get_shape().as_list(), dtype=np.int64))
            if num_implied:
                i = original.index(-1)
                rest = int(np.prod(original[:i] + original[i + 1:], dtype=np.int64))
                const[i] = in_size // rest if rest else 0
            size = int(np.prod(const, dtype=np.int64))
            if size != in_size:
                raise ValueError(f"Cannot reshape a tensor with {in_size} elements to shape {original} "
                                 f"({size} elements).")
            out_shape = _ops.convert_to_tensor(np.asarray(const, dtype=np.int64))
        return SparseTensor(op.outputs[0], array_ops.identity(sp_input.values), out_shape)


# ---- static shapes -------------------------------------------------------------------------------

def _rank_error(op: Any, t: Any, want: str) -> ValueError:
    return ValueError(f"Shape must be {want} but is rank {t.shape.rank} for '{op.name}' (op: '{op.type}') with input "
                      f"shapes: {', '.join(str(i.shape) for i in op.inputs)}.")


def _sparse_to_dense_shape(op: Any) -> List[_ts.TensorShape]:
    ind, out_shape, values, default = op.inputs
    if ind.shape.rank is not None and ind.shape.rank > 2:
        raise _rank_error(op, ind, "at most rank 2")
    if out_shape.shape.rank is not None and out_shape.shape.rank > 1:
        raise _rank_error(op, out_shape, "at most rank 1")
    if values.shape.rank is not None and values.shape.rank > 1:
        raise _rank_error(op, values, "at most rank 1")
    if default.shape.rank is not None and default.shape.rank != 0:
        raise _rank_error(op, default, "rank 0")
    if out_shape.shape.rank == 0:
        v = tensor_util.constant_value(out_shape)
        return [_ts.TensorShape([None if v is None else int(v)])]
    return [tensor_util.constant_value_as_shape(out_shape)]


def _sparse_dense_matmul_shape(op: Any) -> List[_ts.TensorShape]:
    b = op.inputs[3].shape
    if b.rank is not None and b.rank != 2:
        raise _rank_error(op, op.inputs[3], "rank 2")
    a = tensor_util.constant_value_as_shape(op.inputs[2])
    if a.rank is not None and a.rank != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {a.rank} for '{op.name}' (op: '{op.type}'): a_shape")
    a = a if a.rank is not None else _ts.unknown_shape(2)
    b = b if b.rank is not None else _ts.unknown_shape(2)
    adj_a, adj_b = op.get_attr("adjoint_a"), op.get_attr("adjoint_b")
    m, k = (a[1], a[0]) if adj_a else (a[0], a[1])
    k2, n = (b[1], b[0]) if adj_b else (b[0], b[1])
    if k is not None and k2 is not None and k != k2:
        raise ValueError(f"Dimensions must be equal, but are {k} and {k2} for '{op.name}' (op: '{op.type}') with "
                         f"input shapes: {', '.join(str(i.shape) for i in op.inputs)}.")
    return [_ts.TensorShape([m, n])]


def _sparse_reduce_shape(op: Any) -> List[_ts.TensorShape]:
    keep = op.get_attr("keep_dims")
    dense = tensor_util.constant_value_as_shape(op.inputs[2])
    axes = tensor_util.constant_value(op.inputs[3])
    if dense.rank is None or axes is None:
        return [_ts.unknown_shape()]
    rank = dense.rank
    reduced = set()
    for a in np.asarray(axes).ravel():
        a = int(a)
        if a < -rank or a >= rank:
            raise ValueError(f"Invalid reduction dimension {a}, for input with {rank} dimensions. for '{op.name}'")
        reduced.add(a % rank if rank else a)
    dims = dense.as_list()
    return [_ts.TensorShape([1 if i in reduced else d for i, d in enumerate(dims)] if keep
                            else [d for i, d in enumerate(dims) if i not in reduced])]


def _sparse_add_shape(op: Any) -> List[_ts.TensorShape]:
    rank = op.inputs[2].shape[0] if op.inputs[2].shape.rank == 1 else None
    if rank is None and op.inputs[0].shape.rank == 2:
        rank = op.inputs[0].shape[1]
    if op.inputs[6].shape.rank is not None and op.inputs[6].shape.rank != 0:
        raise _rank_error(op, op.inputs[6], "rank 0")
    return [_ts.TensorShape([None, rank]), _ts.TensorShape([None]), _ts.TensorShape([rank])]


def _sparse_dense_add_shape(op: Any) -> List[_ts.TensorShape]:
    return [op.inputs[3].shape]


def _sparse_reorder_shape(op: Any) -> List[_ts.TensorShape]:
    return [op.inputs[0].shape.with_rank(2), op.inputs[1].shape.with_rank(1)]


def _sparse_reshape_shape(op: Any) -> List[_ts.TensorShape]:
    ind = op.inputs[0].shape.with_rank(2)
    new = op.inputs[2].shape.with_rank(1)
    return [_ts.TensorShape([ind[0], new[0]]), _ts.TensorShape([new[0]])]


_reg.register("SparseToDense", lambda nd, inputs: [inputs[2].dtype], _sparse_to_dense_shape)
_reg.register("SparseTensorDenseMatMul", lambda nd, inputs: [inputs[3].dtype], _sparse_dense_matmul_shape)
_reg.register("SparseReduceSum", lambda nd, inputs: [inputs[1].dtype], _sparse_reduce_shape)
_reg.register("SparseAdd", lambda nd, inputs: [_dtypes.int64, inputs[1].dtype, _dtypes.int64], _sparse_add_shape)
_reg.register("SparseTensorDenseAdd", lambda nd, inputs: [inputs[3].dtype], _sparse_dense_add_shape)
_reg.register("SparseReorder", lambda nd, inputs: [_dtypes.int64, inputs[1].dtype], _sparse_reorder_shape)
_reg.register("SparseReshape", lambda nd, inputs: [_dtypes.int64, _dtypes.int64], _sparse_reshape_shape)
