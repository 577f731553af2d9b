"""Indexing ops: gather/scatter, one_hot, where (coordinates), unique, top_k, cumsum/cumprod,
dynamic_stitch/partition, invert_permutation, and composites (sequence_mask, boolean_mask,
meshgrid, embedding_lookup)."""
from __future__ import annotations

import collections
from typing import Any, List, Optional, Sequence

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry as _reg
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util as _tu

__all__ = [
    "gather",
    "gather_nd",
    "scatter_nd",
    "one_hot",
    "where",
    "unique",
    "cumsum",
    "cumprod",
    "dynamic_stitch",
    "dynamic_partition",
    "invert_permutation",
    "sequence_mask",
    "boolean_mask",
    "meshgrid",
]  # the tf.* names this module provides (top_k and embedding_lookup live in tf.nn)

_INDEX_TYPES = (_dtypes.int32, _dtypes.int64)


def _graph_for(*values: Any) -> _ops.Graph:
    flat: List[Any] = []
    for v in values:
        if isinstance(v, (list, tuple)):
            flat.extend(v)
        else:
            flat.append(v)
    return _ops.op_scope_graph([v for v in flat if isinstance(v, (_ops.Tensor, _ops.Operation))])


def _indices(x: Any, what: str, name: str = "indices") -> _ops.Tensor:
    t = _ops.convert_to_tensor(x, name=name)
    if t.dtype not in _INDEX_TYPES:
        raise TypeError(f"Value passed to parameter '{what}' has DataType {t.dtype.name} not in list of allowed "
                        f"values: int32, int64")
    return t


def _int_scalar(x: Any, name: str) -> _ops.Tensor:
    if isinstance(x, _ops.Tensor):
        if x.dtype not in _INDEX_TYPES:
            raise TypeError(f"{name} must be int32 or int64, got {x.dtype.name}")
        return x
    return _ops.convert_to_tensor(x, dtype=_dtypes.int64 if abs(int(x)) > 2**31 - 1 else _dtypes.int32, name=name)


def _dims(s: _ts.TensorShape) -> List[Optional[int]]:
    return s.as_list()


def _merge_dims(a: Optional[int], b: Optional[int], what: str) -> Optional[int]:
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise ValueError(f"Dimensions must be equal, but are {a} and {b} ({what})")


def _err(op: Any, msg: str) -> ValueError:
    return ValueError(f"{msg} for '{op.name}' (op: '{op.type}') with input shapes: "
                      f"{', '.join(str(t.shape) for t in op.inputs)}.")


# ---- shape functions ----------------------------------------------------------------------------

def _gather_shape(op: Any) -> List[_ts.TensorShape]:
    p, i = op.inputs[0].shape, op.inputs[1].shape
    if p.rank == 0:
        raise _err(op, "Shape must be at least rank 1 but is rank 0")
    if p.rank is None or i.rank is None:
        return [_ts.unknown_shape()]
    return [_ts.TensorShape(_dims(i) + _dims(p)[1:])]


def _gather_v2_shape(op: Any) -> List[_ts.TensorShape]:
    p, i = op.inputs[0].shape, op.inputs[1].shape
    if p.rank == 0:
        raise _err(op, "Shape must be at least rank 1 but is rank 0")
    bd = op.get_attr("batch_dims") if "batch_dims" in op._node_def.attr else 0
    axis_v = _tu.constant_value(op.inputs[2])
    if i.rank is not None:
        if not -i.rank <= bd <= i.rank:
            raise _err(op, f"Expected batch_dims in the range [{-i.rank}, {i.rank}], but got {bd}")
        if bd < 0:
            bd += i.rank
    elif bd < 0:
        return [_ts.unknown_shape()]
    if axis_v is None:
        if p.rank is not None and i.rank is not None:
            return [_ts.unknown_shape(p.rank + i.rank - 1 - bd)]
        return [_ts.unknown_shape()]
    axis = int(np.asarray(axis_v).reshape(()))
    if p.rank is None or i.rank is None:
        return [_ts.unknown_shape()]
    if not -p.rank <= axis < p.rank:
        raise _err(op, f"Expected axis in the range [{-p.rank}, {p.rank}), but got {axis}")
    if axis < 0:
        axis += p.rank
    if bd:
        if bd >= p.rank:
            raise _err(op, f"batch_dims ({bd}) must be less than rank(params) ({p.rank})")
        if axis < bd:
            raise _err(op, f"batch_dims ({bd}) must be less than or equal to axis ({axis})")
    pd, idd = _dims(p), _dims(i)
    batch = [_merge_dims(pd[k], idd[k], f"params.shape[{k}] vs indices.shape[{k}]") for k in range(bd)]
    out = batch + pd[bd:axis] + idd[bd:] + pd[axis + 1:]
    return [_ts.TensorShape(out)]


def _gather_nd_shape(op: Any) -> List[_ts.TensorShape]:
    p, i = op.inputs[0].shape, op.inputs[1].shape
    bd = op.get_attr("batch_dims") if "batch_dims" in op._node_def.attr else 0
    if i.rank == 0:
        raise _err(op, "Shape must be at least rank 1 but is rank 0")
    if p.rank == 0:
        raise _err(op, "Shape must be at least rank 1 but is rank 0")
    if i.rank is None or p.rank is None or i[-1] is None:
        return [_ts.unknown_shape()]
    k = i[-1]
    if k > p.rank - bd:
        raise _err(op, f"indices.shape[-1] must be <= params.rank, but saw indices shape: {i} and params shape: {p}")
    pd, idd = _dims(p), _dims(i)
    batch = [_merge_dims(pd[j], idd[j], "batch dims") for j in range(bd)]
    return [_ts.TensorShape(batch + idd[bd:-1] + pd[bd + k:])]


def _scatter_nd_shape(op: Any) -> List[_ts.TensorShape]:
    i, u = op.inputs[0].shape, op.inputs[1].shape
    out = _tu.constant_value_as_shape(op.inputs[2])
    if i.rank == 0:
        raise _err(op, "Shape must be at least rank 1 but is rank 0")
    if i.rank is not None and i[-1] is not None and out.rank is not None:
        k = i[-1]
        if k > out.rank:
            raise _err(op, f"Index innermost dimension length must be <= output rank; saw: {k} vs. {out.rank}")
        want = _ts.TensorShape(_dims(i)[:-1] + _dims(out)[k:])
        if not want.is_compatible_with(u):
            raise _err(op, f"Dimensions of updates {u} must be {want} (indices.shape[:-1] + shape[{k}:])")
    return [out]


def _one_hot_shape(op: Any) -> List[_ts.TensorShape]:
    i = op.inputs[0].shape
    axis = op.get_attr("axis")
    depth = _tu.constant_value(op.inputs[1])
    if depth is not None:
        depth = int(np.asarray(depth).reshape(()))
        if depth < 0:
            raise _err(op, f"depth must be non-negative, got: {depth}")
    if i.rank is None:
        return [_ts.unknown_shape()]
    if not (axis == -1 or 0 <= axis <= i.rank):
        raise _err(op, f"Expected axis to be -1 or between [0, {i.rank + 1}).  But received: {axis}")
    d = _dims(i)
    d.insert(i.rank if axis == -1 else axis, depth)
    return [_ts.TensorShape(d)]


def _where_shape(op: Any) -> List[_ts.TensorShape]:
    return [_ts.TensorShape([None, op.inputs[0].shape.rank])]


def _unique_shape(op: Any) -> List[_ts.TensorShape]:
    x = op.inputs[0].shape
    if x.rank is not None and x.rank != 1:
        raise _err(op, f"Shape must be rank 1 but is rank {x.rank}")
    return [_ts.unknown_shape(1), x if x.rank is not None else _ts.unknown_shape(1)]


def _top_k_shape(op: Any) -> List[_ts.TensorShape]:
    x = op.inputs[0].shape
    if op.type == "TopKV2":
        kv = _tu.constant_value(op.inputs[1])
        k = None if kv is None else int(np.asarray(kv).reshape(()))
    else:
        k = op.get_attr("k")
    if k is not None and k < 0:
        raise _err(op, f"Need k >= 0, got {k}")
    if x.rank is None:
        return [_ts.unknown_shape(), _ts.unknown_shape()]
    if x.rank < 1:
        raise _err(op, "Shape must be at least rank 1 but is rank 0")
    d = _dims(x)
    if k is not None and d[-1] is not None and d[-1] < k:
        raise _err(op, f"input must have last dimension >= k = {k} but is {d[-1]}")
    s = _ts.TensorShape(d[:-1] + [k])
    return [s, s]


def _scan_shape(op: Any) -> List[_ts.TensorShape]:
    x = op.inputs[0].shape
    av = _tu.constant_value(op.inputs[1])
    if av is not None and x.rank is not None:
        a = int(np.asarray(av).reshape(()))
        if not -x.rank <= a < x.rank:
            raise _err(op, f"ScanOp: Expected scan axis in the range [{-x.rank}, {x.rank}), but got {a}")
    return [x]


def _stitch_shape(op: Any) -> List[_ts.TensorShape]:
    n = op.get_attr("N")
    ind, data = op.inputs[:n], op.inputs[n:]
    tail: Optional[_ts.TensorShape] = None
    for k, (i, d) in enumerate(zip(ind, data)):
        if i.shape.rank is None or d.shape.rank is None:
            continue
        if d.shape.rank < i.shape.rank or not _ts.TensorShape(_dims(d.shape)[:i.shape.rank]).is_compatible_with(i.shape):
            raise _err(op, f"data[{k}].shape = {d.shape} does not start with indices[{k}].shape = {i.shape}")
        t = _ts.TensorShape(_dims(d.shape)[i.shape.rank:])
        if tail is None:
            tail = t
        elif not tail.is_compatible_with(t):
            raise _err(op, f"Need data[0].shape[...] = {tail} to match data[{k}].shape[...] = {t}")
        else:
            tail = tail.merge_with(t)
    first: Optional[int] = None
    vals = [_tu.constant_value(i) for i in ind]
    if all(v is not None for v in vals):
        first = max([int(np.max(v)) for v in vals if np.size(v)] + [-1]) + 1
    if tail is None:
        return [_ts.unknown_shape()]
    return [_ts.TensorShape([first]).concatenate(tail)]


def _partition_shape(op: Any) -> List[_ts.TensorShape]:
    d, p = op.inputs[0].shape, op.inputs[1].shape
    num = op.get_attr("num_partitions")
    if d.rank is None or p.rank is None:
        return [_ts.unknown_shape() for _ in range(num)]
    if d.rank < p.rank or not _ts.TensorShape(_dims(d)[:p.rank]).is_compatible_with(p):
        raise _err(op, f"data.shape must start with partitions.shape, got {d} and {p}")
    s = _ts.TensorShape([None] + _dims(d)[p.rank:])
    return [s for _ in range(num)]


def _invert_shape(op: Any) -> List[_ts.TensorShape]:
    x = op.inputs[0].shape
    if x.rank is not None and x.rank != 1:
        raise _err(op, f"Shape must be rank 1 but is rank {x.rank}")
    return [x if x.rank is not None else _ts.unknown_shape(1)]


def _register() -> None:
    _reg.register("Gather", _reg.input_type(0), _gather_shape)
    _reg.register("GatherV2", _reg.input_type(0), _gather_v2_shape)
    _reg.register("GatherNd", _reg.input_type(0), _gather_nd_shape)
    _reg.register("ScatterNd", _reg.input_type(1), _scatter_nd_shape)
    _reg.register("OneHot", _reg.attr_type("T"), _one_hot_shape)
    _reg.register("Where", _reg.fixed_type(_dtypes.int64), _where_shape)
    _reg.register("Unique", lambda nd, inputs: [inputs[0].dtype, _dtypes.as_dtype(nd.attr["out_idx"].type)],
                  _unique_shape)
    for name in ("TopKV2", "TopK"):
        _reg.register(name, lambda nd, inputs: [inputs[0].dtype, _dtypes.int32], _top_k_shape)
    for name in ("Cumsum", "Cumprod"):
        _reg.register(name, _reg.input_type(0), _scan_shape)
    _reg.register("DynamicStitch", lambda nd, inputs: [inputs[nd.attr["N"].i].dtype], _stitch_shape)
    _reg.register("DynamicPartition", lambda nd, inputs: [inputs[0].dtype] * nd.attr["num_partitions"].i,
                  _partition_shape)
    _reg.register("InvertPermutation", _reg.input_type(0), _invert_shape)


_register()


# ---- op wrappers --------------------------------------------------------------------------------

def gather(params: Any, indices: Any, validate_indices: Any = None, name: Optional[str] = None, axis: Any = None,
           batch_dims: int = 0) -> _ops.Tensor:
    """Slices of ``params`` along ``axis`` at ``indices`` (GatherV2); out-of-range indices are errors."""
    g = _graph_for(params, indices, axis)
    with g.as_default():
        p = _ops.convert_to_tensor(params, name="params")
        i = _indices(indices, "indices")
        if axis is None:
            axis = batch_dims
        a = _int_scalar(axis, "axis")
        attrs = {"Tparams": p.dtype, "Tindices": i.dtype, "Taxis": a.dtype, "batch_dims": int(batch_dims)}
        return g.create_op("GatherV2", [p, i, a], name=name or "GatherV2", attrs=attrs).outputs[0]


def gather_nd(params: Any, indices: Any, name: Optional[str] = None, batch_dims: int = 0) -> _ops.Tensor:
    """Slices of ``params`` at the index tuples in the last dimension of ``indices``."""
    g = _graph_for(params, indices)
    with g.as_default():
        p = _ops.convert_to_tensor(params, name="params")
        i = _indices(indices, "indices")
        if not isinstance(batch_dims, (int, np.integer)) or batch_dims < 0:
            raise ValueError(f"batch_dims must be a non-negative integer, got {batch_dims!r}")
        attrs = {"Tparams": p.dtype, "Tindices": i.dtype}
        if batch_dims:
            attrs["batch_dims"] = int(batch_dims)
        return g.create_op("GatherNd", [p, i], name=name or "GatherNd", attrs=attrs).outputs[0]


def scatter_nd(indices: Any, updates: Any, shape: Any, name: Optional[str] = None) -> _ops.Tensor:
    """A zero tensor of ``shape`` with ``updates`` summed in at ``indices`` (duplicates add up)."""
    g = _graph_for(indices, updates, shape)
    with g.as_default():
        i = _indices(indices, "indices")
        u = _ops.convert_to_tensor(updates, name="updates")
        s = shape if isinstance(shape, _ops.Tensor) else _ops.convert_to_tensor(
            shape.as_list() if isinstance(shape, _ts.TensorShape) else shape, dtype=i.dtype, name="shape")
        if s.dtype != i.dtype:
            raise TypeError(f"Input 'shape' of 'ScatterNd' Op has type {s.dtype.name} that does not match type "
                            f"{i.dtype.name} of argument 'indices'.")
        return g.create_op("ScatterNd", [i, u, s], name=name or "ScatterNd",
                           attrs={"T": u.dtype, "Tindices": i.dtype}).outputs[0]


def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None, axis: Optional[int] = None,
            dtype: Any = None, name: Optional[str] = None) -> _ops.Tensor:
    """One-hot encoding; indices outside ``[0, depth)`` give rows of ``off_value``."""
    g = _graph_for(indices, depth, on_value, off_value)
    with g.as_default(), g.name_scope(name or "one_hot") as scope:
        ind = _ops.convert_to_tensor(indices, name="indices")
        if ind.dtype not in (_dtypes.uint8, _dtypes.int8, _dtypes.int32, _dtypes.int64):
            raise TypeError(f"indices must be uint8, int8, int32 or int64, got {ind.dtype.name}")
        dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
        on_t = None if on_value is None else _ops.convert_to_tensor(
            on_value, dtype=dtype if dtype is not None and not isinstance(on_value, _ops.Tensor) else None,
            name="on_value")
        off_t = None if off_value is None else _ops.convert_to_tensor(
            off_value, dtype=dtype if dtype is not None and not isinstance(off_value, _ops.Tensor) else None,
            name="off_value")
        if dtype is not None:
            if on_t is not None and on_t.dtype != dtype:
                raise TypeError(f"dtype {on_t.dtype} of on_value does not match dtype parameter {dtype}")
            if off_t is not None and off_t.dtype != dtype:
                raise TypeError(f"dtype {off_t.dtype} of off_value does not match dtype parameter {dtype}")
        else:
            dtype = on_t.dtype if on_t is not None else off_t.dtype if off_t is not None else _dtypes.float32
        if on_t is not None and off_t is not None and on_t.dtype != off_t.dtype:
            raise TypeError(f"dtype {on_t.dtype} of on_value does not match dtype {off_t.dtype} of off_value")
        if on_t is None:
            on_t = _ops.convert_to_tensor(np.array(1).astype(dtype.as_numpy_dtype) if dtype != _dtypes.string else b"1",
                                          dtype=dtype, name="on_value")
        if off_t is None:
            off_t = _ops.convert_to_tensor(np.array(0).astype(dtype.as_numpy_dtype) if dtype != _dtypes.string else b"",
                                           dtype=dtype, name="off_value")
        d = _int_scalar(depth, "depth")
        if d.dtype != _dtypes.int32:
            from graphrt.ops import math_ops
            d = math_ops.cast(d, _dtypes.int32)
        attrs = {"T": dtype, "TI": ind.dtype, "axis": -1 if axis is None else int(axis)}
        return g.create_op("OneHot", [ind, d, on_t, off_t], name=scope, attrs=attrs).outputs[0]


def where(condition: Any, x: Any = None, y: Any = None, name: Optional[str] = None) -> _ops.Tensor:
    """``where(condition)``: int64 coordinates [n, rank] of the true elements; with x and y: Select."""
    if x is None and y is None:
        c = _ops.convert_to_tensor(condition, name="condition")
        return c.graph.create_op("Where", [c], name=name or "Where", attrs={"T": c.dtype}).outputs[0]
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    from graphrt.ops import math_ops
    select = getattr(math_ops, "select", None)
    if select is None:
        raise NotImplementedError("tf.where(condition, x, y) needs math_ops.select")
    return select(condition, x, y, name=name)


_UniqueOutput = collections.namedtuple("Unique", ["y", "idx"])
_TopKOutput = collections.namedtuple("TopKV2", ["values", "indices"])


def unique(x: Any, out_idx: Any = _dtypes.int32, name: Optional[str] = None) -> Any:
    """``(y, idx)``: the distinct values of 1-D ``x`` in first-occurrence order, and x's positions in y."""
    t = _ops.convert_to_tensor(x, name="x")
    out_idx = _dtypes.as_dtype(out_idx)
    if out_idx not in _INDEX_TYPES:
        raise TypeError(f"out_idx must be int32 or int64, got {out_idx.name}")
    op = t.graph.create_op("Unique", [t], name=name or "Unique", attrs={"T": t.dtype, "out_idx": out_idx})
    return _UniqueOutput(*op.outputs)


def top_k(input: Any, k: Any = 1, sorted: bool = True, name: Optional[str] = None) -> Any:  # noqa: A002
    """``(values, indices)`` of the k largest entries along the last dimension (ties: lower index first)."""
    g = _graph_for(input, k)
    with g.as_default():
        x = _ops.convert_to_tensor(input, name="input")
        kt = k if isinstance(k, _ops.Tensor) else _ops.convert_to_tensor(k, dtype=_dtypes.int32, name="k")
        if kt.dtype != _dtypes.int32:
            raise TypeError(f"k must be int32, got {kt.dtype.name}")
        op = g.create_op("TopKV2", [x, kt], name=name or "TopKV2", attrs={"T": x.dtype, "sorted": bool(sorted)})
        return _TopKOutput(*op.outputs)


def _scan(op_type: str, x: Any, axis: Any, exclusive: bool, reverse: bool, name: Optional[str]) -> _ops.Tensor:
    g = _graph_for(x, axis)
    with g.as_default():
        t = _ops.convert_to_tensor(x, name="x")
        a = _int_scalar(axis, "axis")
        attrs = {"T": t.dtype, "Tidx": a.dtype, "exclusive": bool(exclusive), "reverse": bool(reverse)}
        return g.create_op(op_type, [t, a], name=name or op_type, attrs=attrs).outputs[0]


def cumsum(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
           name: Optional[str] = None) -> _ops.Tensor:
    """Cumulative sum along ``axis`` (optionally exclusive and/or reversed)."""
    return _scan("Cumsum", x, axis, exclusive, reverse, name)


def cumprod(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
            name: Optional[str] = None) -> _ops.Tensor:
    """Cumulative product along ``axis`` (optionally exclusive and/or reversed)."""
    return _scan("Cumprod", x, axis, exclusive, reverse, name)


def dynamic_stitch(indices: Sequence[Any], data: Sequence[Any], name: Optional[str] = None) -> _ops.Tensor:
    """Interleaves ``data`` into one tensor: ``merged[indices[m][i]] = data[m][i]`` (later wins)."""
    if not isinstance(indices, (list, tuple)) or not isinstance(data, (list, tuple)):
        raise TypeError("indices and data must be lists of tensors")
    if len(indices) != len(data) or not indices:
        raise ValueError(f"List argument 'data' to 'DynamicStitch' Op with length {len(data)} must match length "
                         f"{len(indices)} of argument 'indices' (and be non-empty).")
    g = _graph_for(list(indices) + list(data))
    with g.as_default():
        ind = [_indices(i, "indices") for i in indices]
        dat = [_ops.convert_to_tensor(d, name="data") for d in data]
        if any(d.dtype != dat[0].dtype for d in dat):
            raise TypeError("All data tensors of dynamic_stitch must have the same dtype")
        return g.create_op("DynamicStitch", ind + dat, name=name or "DynamicStitch",
                           attrs={"N": len(ind), "T": dat[0].dtype}).outputs[0]


def dynamic_partition(data: Any, partitions: Any, num_partitions: int, name: Optional[str] = None) -> List[_ops.Tensor]:
    """Splits ``data`` into ``num_partitions`` tensors by the int32 ``partitions`` of its leading dims."""
    if not isinstance(num_partitions, (int, np.integer)) or isinstance(num_partitions, bool) or num_partitions < 1:
        raise ValueError(f"num_partitions must be an integer >= 1, got {num_partitions!r}")
    g = _graph_for(data, partitions)
    with g.as_default():
        d = _ops.convert_to_tensor(data, name="data")
        p = _ops.convert_to_tensor(partitions, dtype=None if isinstance(partitions, _ops.Tensor) else _dtypes.int32,
                                   name="partitions")
        if p.dtype != _dtypes.int32:
            raise TypeError(f"partitions must be int32, got {p.dtype.name}")
        op = g.create_op("DynamicPartition", [d, p], name=name or "DynamicPartition",
                         attrs={"T": d.dtype, "num_partitions": int(num_partitions)})
        return list(op.outputs)


def invert_permutation(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """``y[x[i]] = i`` for a permutation ``x`` of ``0..n-1``."""
    t = _indices(x, "x", name="x")
    return t.graph.create_op("InvertPermutation", [t], name=name or "InvertPermutation",
                             attrs={"T": t.dtype}).outputs[0]


# ---- composites ---------------------------------------------------------------------------------

def _range_like(v: _ops.Tensor, dtype: Any = _dtypes.int32) -> _ops.Tensor:
    """[0, 1, ..., n-1] for a 1-D ``v`` of length n."""
    from graphrt.ops import array_ops
    return cumsum(array_ops.ones_like(v, dtype=dtype), exclusive=True)


def _concat_vectors(pieces: Sequence[_ops.Tensor]) -> _ops.Tensor:
    """Concatenates 1-D tensors (built from DynamicStitch, so no Concat op is needed)."""
    from graphrt.ops import array_ops
    idx: List[_ops.Tensor] = []
    start: Optional[_ops.Tensor] = None
    for p in pieces:
        r = _range_like(p)
        if start is not None:
            r = r + start
        idx.append(r)
        n = array_ops.shape(p)
        start = n if start is None else start + n
    return dynamic_stitch(idx, list(pieces))


def _max_of(x: _ops.Tensor) -> _ops.Tensor:
    from graphrt.ops import array_ops
    return top_k(array_ops.reshape(x, [-1]), 1).values[0]


def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = _dtypes.bool, name: Optional[str] = None) -> _ops.Tensor:
    """``mask[..., j] = j < lengths[...]`` for j in ``[0, maxlen)`` (maxlen defaults to max(lengths))."""
    from graphrt.ops import array_ops, math_ops
    g = _graph_for(lengths, maxlen)
    with g.as_default(), g.name_scope(name or "SequenceMask"):
        lt = _ops.convert_to_tensor(lengths, name="lengths")
        if lt.dtype not in _INDEX_TYPES:
            raise TypeError(f"lengths must be int32 or int64, got {lt.dtype.name}")
        static_len: Optional[int] = None
        if maxlen is None:
            ml = _max_of(lt)
        else:
            ml = _ops.convert_to_tensor(maxlen, name="maxlen")
            if ml.shape.rank is not None and ml.shape.rank != 0:
                raise ValueError("maxlen must be scalar for sequence_mask")
            cv = _tu.constant_value(ml)
            if cv is not None:
                static_len = int(cv)
        row = cumsum(array_ops.fill(array_ops.reshape(ml, [1]), _ops.convert_to_tensor(1, dtype=ml.dtype)),
                     exclusive=True)
        matrix = math_ops.cast(lt[..., None], ml.dtype)
        result = math_ops.less(row, matrix)
        dtype = _dtypes.as_dtype(dtype)
        if dtype != _dtypes.bool:
            result = math_ops.cast(result, dtype)
        if lt.shape.rank is not None:
            result.set_shape(lt.shape.concatenate([static_len]))
        return result


def boolean_mask(tensor: Any, mask: Any, name: str = "boolean_mask", axis: Optional[int] = None) -> _ops.Tensor:
    """The elements (or slices at ``axis``) of ``tensor`` where the ``mask`` is true, flattened."""
    from graphrt.ops import array_ops
    g = _graph_for(tensor, mask)
    with g.as_default(), g.name_scope(name or "boolean_mask"):
        t = _ops.convert_to_tensor(tensor, name="tensor")
        m = _ops.convert_to_tensor(mask, name="mask")
        nm = m.shape.rank
        if nm == 0:
            raise ValueError("mask cannot be scalar.")
        if nm is None:
            raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  "
                             "E.g. shape=[None] is ok, but shape=None is not.")
        axis = 0 if axis is None else int(axis)
        if t.shape.rank is not None:
            if axis < 0:
                axis += t.shape.rank
            if axis < 0 or axis + nm > t.shape.rank:
                raise ValueError(f"Mask of rank {nm} at axis {axis} does not fit tensor of shape {t.shape}")
            if not t.shape[axis:axis + nm].is_compatible_with(m.shape):
                raise ValueError(f"Shapes {t.shape[axis:axis + nm]} and {m.shape} are incompatible")
        elif axis < 0:
            raise ValueError("axis must be non-negative when the rank of tensor is unknown")
        if axis == 0:
            return gather_nd(t, where(m))
        flat_mask = array_ops.reshape(m, [-1])
        s = array_ops.shape(t)
        new_shape = _concat_vectors([s[:axis], array_ops.shape(flat_mask), s[axis + nm:]])
        reshaped = array_ops.reshape(t, new_shape)
        idx = array_ops.reshape(where(flat_mask), [-1])
        out = gather(reshaped, idx, axis=axis)
        if t.shape.rank is not None:
            d = t.shape.as_list()
            out.set_shape(d[:axis] + [None] + d[axis + nm:])
        return out


def meshgrid(*args: Any, **kwargs: Any) -> List[_ops.Tensor]:
    """N-D coordinate grids from 1-D vectors; ``indexing='xy'`` (Cartesian) or ``'ij'`` (matrix)."""
    from graphrt.ops import array_ops, math_ops
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    ndim = len(args)
    if ndim == 0:
        return []
    g = _graph_for(*args)
    with g.as_default(), g.name_scope(name or "meshgrid"):
        xs = [_ops.convert_to_tensor(a) for a in args]
        if any(x.dtype != xs[0].dtype for x in xs):
            raise TypeError("All inputs of meshgrid must have the same dtype")
        ones = (1,) * ndim
        outs = [array_ops.reshape(x, ones[:i] + (-1,) + ones[i + 1:]) for i, x in enumerate(xs)]
        sizes = [array_ops.shape(array_ops.reshape(x, [-1])) for x in xs]
        static = [x.shape.num_elements() for x in xs]
        if indexing == "xy" and ndim > 1:
            outs[0] = array_ops.reshape(xs[0], (1, -1) + (1,) * (ndim - 2))
            outs[1] = array_ops.reshape(xs[1], (-1, 1) + (1,) * (ndim - 2))
            sizes[0], sizes[1] = sizes[1], sizes[0]
            static[0], static[1] = static[1], static[0]
        shape_vec = dynamic_stitch([_ops.convert_to_tensor([i], dtype=_dtypes.int32) for i in range(ndim)], sizes)
        mult = array_ops.fill(shape_vec, _ops.convert_to_tensor(np.array(1).astype(xs[0].dtype.as_numpy_dtype),
                                                                dtype=xs[0].dtype))
        result = [math_ops.multiply(o, mult) for o in outs]
        for r in result:
            r.set_shape(static)
        return result


def embedding_lookup(params: Any, ids: Any, partition_strategy: str = "mod", name: Optional[str] = None,
                     validate_indices: bool = True, max_norm: Any = None) -> _ops.Tensor:
    """Rows of ``params`` (one tensor, or a list sharded by 'mod' or 'div') at ``ids``."""
    from graphrt.ops import array_ops, math_ops
    if params is None or (isinstance(params, (list, tuple)) and not params):
        raise ValueError("Need at least one param")
    if max_norm is not None:
        raise NotImplementedError("embedding_lookup: max_norm is not supported")
    if not isinstance(params, (list, tuple)):
        params = [params]
    g = _graph_for(list(params) + [ids])
    with g.as_default(), g.name_scope(name or "embedding_lookup") as scope:
        ps = [_ops.convert_to_tensor(p, name="params") for p in params]
        ids_t = _indices(ids, "ids", name="ids")
        np_ = len(ps)
        if np_ == 1:
            return gather(ps[0], ids_t, name=scope)
        if partition_strategy not in ("mod", "div"):
            raise ValueError(f"Unrecognized partition strategy: {partition_strategy}")
        flat_ids = array_ops.reshape(ids_t, [-1])
        original_indices = _range_like(flat_ids)
        if partition_strategy == "mod":
            p_assign = math_ops.floormod(flat_ids, np_)
            new_ids = math_ops.floordiv(flat_ids, np_)
        else:
            static = [p.shape[0] if p.shape.rank else None for p in ps]
            if all(s is not None for s in static):
                total: Any = _ops.convert_to_tensor(sum(static), dtype=ids_t.dtype)
            else:
                total = math_ops.add_n([math_ops.cast(array_ops.shape(p)[0], ids_t.dtype) for p in ps])
            per = math_ops.floordiv(total, np_)
            extras = math_ops.floormod(total, np_)
            p_assign = math_ops.maximum(math_ops.floordiv(flat_ids, per + 1),
                                        math_ops.floordiv(flat_ids - extras, per))
            first = math_ops.cast(math_ops.less(p_assign, extras), ids_t.dtype)
            new_ids = (first * math_ops.floormod(flat_ids, per + 1) +
                       (1 - first) * math_ops.floormod(flat_ids - extras, per))
        p_assign = math_ops.cast(p_assign, _dtypes.int32)
        gather_ids = dynamic_partition(new_ids, p_assign, np_)
        pindices = dynamic_partition(original_indices, p_assign, np_)
        parts = [gather(ps[k], gather_ids[k]) for k in range(np_)]
        stitched = dynamic_stitch(pindices, parts)
        # Back to ids' shape without a Concat: gather the stitched rows at reshaped positions.
        out = gather(stitched, array_ops.reshape(original_indices, array_ops.shape(ids_t)), name=scope)
        tail = _ts.unknown_shape()
        for p in ps:
            if p.shape.rank is not None:
                tail = tail.merge_with(_ts.TensorShape(p.shape.as_list()[1:]))
        if ids_t.shape.rank is not None and tail.rank is not None:
            out.set_shape(ids_t.shape.concatenate(tail))
        return out
