"""Gradients of the array family: reshapes, concat/stack/split, slicing, tile/pad/mirror pad, gathers and
scatters, reverse, broadcast_to, fill, dynamic stitch/partition, top_k."""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.gradients import _util as u
from graphrt.gradients.indexed_slices import IndexedSlices, to_dense
from graphrt.gradients.registry import NoGradient, RegisterGradient
from graphrt.ops import array_ops, math_ops

for _t in ("Unique", "RandomShuffle"):
    NoGradient(_t)


def _dense(g: Any) -> Any:
    return to_dense(g) if isinstance(g, IndexedSlices) else g


@RegisterGradient("Reshape")
def _reshape_grad(op: Any, grad: Any) -> List[Any]:
    return [u.reshape_to(_dense(grad), op.inputs[0]), None]


RegisterGradient("ExpandDims")(_reshape_grad)


@RegisterGradient("Squeeze")
def _squeeze_grad(op: Any, grad: Any) -> List[Any]:
    return [u.reshape_to(_dense(grad), op.inputs[0])]


def _int_like(v: Any, dtype: Any) -> Any:
    return v if v.dtype == dtype else math_ops.cast(v, dtype)


def _axis_value(t: Any, rank: Any) -> Any:
    a = u.static_int(t)
    if a is not None and rank is not None and a < 0:
        a += rank
    return a


@RegisterGradient("ConcatV2")
def _concat_grad(op: Any, grad: Any) -> List[Any]:
    values = list(op.inputs[:-1])
    axis_t = op.inputs[-1]
    grad = _dense(grad)
    rank = values[0].shape.rank
    if rank is None:
        rank = grad.shape.rank
    axis = _axis_value(axis_t, rank)
    sizes = None
    if axis is not None and all(v.shape.rank is not None and v.shape[axis] is not None for v in values):
        sizes = [v.shape[axis] for v in values]
    if sizes is not None:
        size_t = u.const(sizes, _dtypes.int32)
    else:
        if axis is not None and axis >= 0:
            idx = u.const(axis, _dtypes.int32)
        else:
            r = array_ops.rank(values[0])
            idx = math_ops.floormod(math_ops.add(_int_like(axis_t, _dtypes.int32), r), r)
        from graphrt.ops import indexing_ops
        size_t = array_ops.stack([indexing_ops.gather(array_ops.shape(v), idx) for v in values])
    parts = array_ops.split(grad, size_t, axis=axis if axis is not None else axis_t, num=len(values))
    return list(parts) + [None]


@RegisterGradient("Pack")
def _pack_grad(op: Any, grad: Any) -> List[Any]:
    return array_ops.unstack(_dense(grad), num=op.get_attr("N"), axis=op.get_attr("axis"))


@RegisterGradient("Unpack")
def _unpack_grad(op: Any, *grads: Any) -> List[Any]:
    return [array_ops.stack([_dense(g) for g in grads], axis=op.get_attr("axis"))]


@RegisterGradient("Split")
def _split_grad(op: Any, *grads: Any) -> List[Any]:
    return [None, array_ops.concat([_dense(g) for g in grads], op.inputs[0])]


@RegisterGradient("SplitV")
def _split_v_grad(op: Any, *grads: Any) -> List[Any]:
    return [array_ops.concat([_dense(g) for g in grads], op.inputs[2]), None, None]


@RegisterGradient("Slice")
def _slice_grad(op: Any, grad: Any) -> List[Any]:
    x, begin = op.inputs[0], op.inputs[1]
    grad = _dense(grad)
    idx = begin.dtype
    before = begin
    after = math_ops.subtract(math_ops.subtract(u.shape_of(x, idx), begin), u.shape_of(grad, idx))
    paddings = array_ops.stack([before, after], axis=1)
    return [array_ops.pad(grad, paddings), None, None]


def _flat_positions(x: Any) -> Any:
    """An int tensor shaped like ``x`` holding each element's row-major position."""
    n = x.shape.num_elements()
    dtype = _dtypes.int64 if n is not None and n > 2**31 - 1 else _dtypes.int32
    size = u.const(n, dtype) if n is not None else array_ops.size(x, out_type=dtype)
    return array_ops.reshape(array_ops.range(u.const(0, dtype), size, u.const(1, dtype)), u.shape_of(x))


def _scatter_flat(positions: Any, grad: Any, x: Any) -> Any:
    """Dense tensor shaped like ``x``: zeros with ``grad`` added at flat ``positions``."""
    from graphrt.ops import indexing_ops
    dtype = positions.dtype
    n = x.shape.num_elements()
    size = u.const([n], dtype) if n is not None else array_ops.reshape(array_ops.size(x, out_type=dtype), [1])
    idx = array_ops.reshape(positions, [-1, 1])
    flat = indexing_ops.scatter_nd(idx, array_ops.reshape(grad, [-1]), size)
    return u.reshape_to(flat, x) if x.shape.is_fully_defined() else array_ops.reshape(flat, array_ops.shape(x))


@RegisterGradient("StridedSlice")
def _strided_slice_grad(op: Any, grad: Any) -> List[Any]:
    x, begin, end, strides = op.inputs
    grad = _dense(grad)
    pos = _flat_positions(x)
    attrs = {k: op.get_attr(k) for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                         "shrink_axis_mask")}
    attrs.update(T=pos.dtype, Index=begin.dtype)
    sel = x.graph.create_op("StridedSlice", [pos, begin, end, strides], name="StridedSlice", attrs=attrs).outputs[0]
    return [_scatter_flat(sel, grad, x), None, None, None]


@RegisterGradient("Tile")
def _tile_grad(op: Any, grad: Any) -> List[Any]:
    x, multiples = op.inputs
    grad = _dense(grad)
    m = u.static_int_list(multiples)
    if m is not None and x.shape.is_fully_defined():
        dims = x.shape.as_list()
        split_shape = [v for pair in zip(m, dims) for v in pair]
        axes = list(range(0, 2 * len(dims), 2))
        return [math_ops.reduce_sum(array_ops.reshape(grad, split_shape), axes), None]
    mt = _int_like(multiples, _dtypes.int32)
    shp = array_ops.shape(x)
    from graphrt.ops import linalg_ops
    split_shape = array_ops.reshape(linalg_ops.transpose(array_ops.stack([mt, shp])), [-1])
    axes = array_ops.range(0, array_ops.size(split_shape), 2)
    return [array_ops.reshape(math_ops.reduce_sum(array_ops.reshape(grad, split_shape), axes), shp), None]


@RegisterGradient("Pad")
def _pad_grad(op: Any, grad: Any) -> List[Any]:
    x, paddings = op.inputs[0], op.inputs[1]
    grad = _dense(grad)
    begin = array_ops.reshape(array_ops.slice(paddings, [0, 0], array_ops.stack([array_ops.rank(x), 1])), [-1])
    begin = _int_like(begin, _dtypes.int32)
    out = array_ops.slice(grad, begin, u.shape_of(x))
    return [out, None] + [None] * (len(op.inputs) - 2)


RegisterGradient("PadV2")(_pad_grad)


def _mode(op: Any) -> str:
    m = op.get_attr("mode")
    return m.decode() if isinstance(m, bytes) else m


@RegisterGradient("MirrorPad")
def _mirror_pad_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import nn_grad_ops
    return [nn_grad_ops.mirror_pad_grad(_dense(grad), op.inputs[1], _mode(op)), None]


@RegisterGradient("MirrorPadGrad")
def _mirror_pad_grad_grad(op: Any, grad: Any) -> List[Any]:
    g = _dense(grad)
    paddings = op.inputs[1]
    return [g.graph.create_op("MirrorPad", [g, paddings], name="MirrorPad",
                              attrs={"T": g.dtype, "Tpaddings": paddings.dtype, "mode": _mode(op)}).outputs[0], None]


@RegisterGradient("ReverseV2")
def _reverse_grad(op: Any, grad: Any) -> List[Any]:
    return [array_ops.reverse(_dense(grad), op.inputs[1]), None]


@RegisterGradient("BroadcastTo")
def _broadcast_to_grad(op: Any, grad: Any) -> List[Any]:
    return [u.unbroadcast(_dense(grad), op.inputs[0]), None]


@RegisterGradient("Fill")
def _fill_grad(op: Any, grad: Any) -> List[Any]:
    return [None, math_ops.reduce_sum(_dense(grad))]


# ---- gathers and scatters --------------------------------------------------------------------------

def _gather_axis0(params: Any, indices: Any, grad: Any) -> IndexedSlices:
    dense_shape = u.shape_of(params)
    n = indices.shape.num_elements()
    inner = params.shape.as_list()[1:] if params.shape.rank is not None else None
    if n is not None and inner is not None and None not in inner:
        values_shape: Any = [n] + inner
    else:
        size = array_ops.expand_dims(array_ops.size(indices), 0)
        values_shape = array_ops.concat([size, array_ops.slice(dense_shape, [1], [-1])], 0)
    values = array_ops.reshape(_dense(grad), values_shape)
    flat = array_ops.reshape(indices, [-1])
    return IndexedSlices(values, flat, dense_shape)


@RegisterGradient("Gather")
def _gather_grad(op: Any, grad: Any) -> List[Any]:
    return [_gather_axis0(op.inputs[0], op.inputs[1], grad), None]


@RegisterGradient("GatherV2")
def _gather_v2_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import indexing_ops, linalg_ops
    params, indices, axis_t = op.inputs
    batch_dims = op.get_attr("batch_dims") if "batch_dims" in op._node_def.attr else 0
    rank = params.shape.rank
    axis = _axis_value(axis_t, rank)
    if batch_dims:
        raise NotImplementedError("The gradient of GatherV2 with batch_dims != 0 is not implemented")
    if axis == 0:
        return [_gather_axis0(params, indices, grad), None, None]
    ri = indices.shape.rank
    if axis is None or rank is None or ri is None:
        raise NotImplementedError("The gradient of GatherV2 with axis != 0 needs a constant axis and known ranks")
    grad = _dense(grad)
    # grad: params[:axis] + indices + params[axis+1:]; bring the index dims to the front.
    perm = list(range(axis, axis + ri)) + list(range(axis)) + list(range(axis + ri, rank - 1 + ri))
    g = linalg_ops.transpose(grad, perm)
    pshape = array_ops.shape(params)
    outer = array_ops.slice(pshape, [0], [axis])
    inner = array_ops.slice(pshape, [axis + 1], [-1])
    values = array_ops.reshape(g, array_ops.concat([[-1], outer, inner], 0))
    idx = array_ops.reshape(indices, [-1, 1])
    moved_shape = array_ops.concat([array_ops.slice(pshape, [axis], [1]), outer, inner], 0)
    dense = indexing_ops.scatter_nd(idx, values, _int_like(moved_shape, idx.dtype))
    back = list(range(1, axis + 1)) + [0] + list(range(axis + 1, rank))
    return [linalg_ops.transpose(dense, back), None, None]


@RegisterGradient("GatherNd")
def _gather_nd_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import indexing_ops
    params, indices = op.inputs
    if "batch_dims" in op._node_def.attr and op.get_attr("batch_dims"):
        raise NotImplementedError("The gradient of GatherNd with batch_dims != 0 is not implemented")
    shape = _int_like(u.shape_of(params), indices.dtype)
    return [indexing_ops.scatter_nd(indices, _dense(grad), shape), None]


@RegisterGradient("ScatterNd")
def _scatter_nd_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import indexing_ops
    return [None, indexing_ops.gather_nd(_dense(grad), op.inputs[0]), None]


@RegisterGradient("DynamicStitch")
def _dynamic_stitch_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import indexing_ops
    n = len(op.inputs) // 2
    grad = _dense(grad)
    return [None] * n + [indexing_ops.gather(grad, _int_like(op.inputs[i], _dtypes.int32)) for i in range(n)]


@RegisterGradient("DynamicPartition")
def _dynamic_partition_grad(op: Any, *grads: Any) -> List[Any]:
    from graphrt.ops import indexing_ops
    data, partitions = op.inputs
    num = op.get_attr("num_partitions")
    original = array_ops.reshape(array_ops.range(array_ops.size(partitions)), array_ops.shape(partitions))
    parts = indexing_ops.dynamic_partition(original, partitions, num)
    stitched = indexing_ops.dynamic_stitch(parts, [_dense(g) for g in grads])
    return [array_ops.reshape(stitched, array_ops.shape(data)), None]


def _top_k_grad(op: Any, grad: Any, _indices_grad: Any) -> Any:
    x = op.inputs[0]
    indices = _int_like(op.outputs[1], _dtypes.int32)
    in_shape = array_ops.shape(x)
    k_shape = array_ops.shape(indices)
    in_last = array_ops.strided_slice(in_shape, [-1], [0], [1], end_mask=1, shrink_axis_mask=1)
    k_last = array_ops.strided_slice(k_shape, [-1], [0], [1], end_mask=1, shrink_axis_mask=1)
    ind_2d = array_ops.reshape(indices, array_ops.stack([-1, k_last]))
    outer = array_ops.strided_slice(array_ops.shape(ind_2d), [0], [1], [1], shrink_axis_mask=1)
    offsets = array_ops.expand_dims(math_ops.multiply(array_ops.range(outer), in_last), -1)
    pos = math_ops.add(ind_2d, offsets)
    return _scatter_flat(pos, _dense(grad), x)


@RegisterGradient("TopKV2")
def _top_k_v2_grad(op: Any, grad: Any, indices_grad: Any) -> List[Any]:
    return [_top_k_grad(op, grad, indices_grad), None]


@RegisterGradient("TopK")
def _top_k_v1_grad(op: Any, grad: Any, indices_grad: Any) -> List[Any]:
    return [_top_k_grad(op, grad, indices_grad)]


del _ops
