"""``tf.nn`` ops: softmax and cross entropies, convolutions, pooling, batch norm, LRN, in_top_k."""
from __future__ import annotations

import collections.abc
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import errors as _errors
from graphrt.framework import ops as _ops
from graphrt.framework import op_registry as _reg
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util as _tu
from graphrt.ops import array_ops as _array_ops
from graphrt.ops import math_ops as _math_ops
from graphrt.ops.math_ops import relu, sigmoid, tanh

__all__ = [
    "relu", "sigmoid", "tanh",
    "softmax", "log_softmax",
    "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
    "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
    "l2_loss", "in_top_k",
    "conv2d", "depthwise_conv2d", "depthwise_conv2d_native", "conv2d_transpose", "conv2d_backprop_input",
    "max_pool", "avg_pool", "fused_batch_norm", "local_response_normalization", "lrn", "l2_normalize",
]  # the tf.nn names this module provides

_FLOATS = (_dtypes.float16, _dtypes.float32, _dtypes.float64)


# ---- helpers -----------------------------------------------------------------------------------

def _str_attr(op: Any, name: str, default: str) -> str:
    if name not in op._node_def.attr:
        return default
    v = op.get_attr(name)
    return v.decode() if isinstance(v, bytes) else str(v)


def _list_attr(op: Any, name: str, default: List[int]) -> List[int]:
    if name not in op._node_def.attr:
        return list(default)
    return [int(v) for v in op.get_attr(name)]


def _fail(op: Any, msg: str) -> ValueError:
    return ValueError(f"{msg} for '{op.name}' (op: '{op.type}') with input shapes: "
                      f"{', '.join(str(t.shape) for t in op.inputs)}.")


def _with_rank(op: Any, shape: _ts.TensorShape, rank: int) -> List[Optional[int]]:
    if shape.rank is None:
        return [None] * rank
    if shape.rank != rank:
        raise _fail(op, f"Shape must be rank {rank} but is rank {shape.rank}")
    return shape.as_list()


def _merge_dim(op: Any, a: Optional[int], b: Optional[int], what: str = "Dimensions") -> Optional[int]:
    if a is not None and b is not None and a != b:
        raise _fail(op, f"{what} must be equal, but are {a} and {b}")
    return a if a is not None else b


def _window_out(size: Optional[int], k: Optional[int], dilation: int, stride: int, padding: str,
                pads: Tuple[int, int] = (0, 0)) -> Optional[int]:
    """Output size of one spatial dimension, as TF's GetWindowedOutputSize."""
    if padding == "SAME":
        return None if size is None else -(-size // stride)
    if size is None or k is None:
        return None
    eff = (k - 1) * dilation + 1
    padded = size + (pads[0] + pads[1] if padding == "EXPLICIT" else 0)
    if padded < eff:
        raise ValueError(f"Computed output size would be negative: {padded - eff + 1} [input_size: {size}, "
                         f"effective_filter_size: {eff}, stride: {stride}]")
    return (padded - eff) // stride + 1


def _get_sequence(value: Any, n: int, channel_index: int, name: str) -> List[int]:
    """TF's ``_get_sequence``: an int or a list of length 1, n or n+2 -> a list of length n+2."""
    if value is None:
        value = [1]
    elif not isinstance(value, collections.abc.Sized):
        value = [value]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2} but was {len(value)}")
    return [1, 1] + value if channel_index == 1 else [1] + value + [1]


def _check_format(data_format: Optional[str]) -> str:
    data_format = data_format or "NHWC"
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be NHWC or NCHW, got {data_format!r}")
    return data_format


def _convert_padding(padding: Any) -> Tuple[str, List[int]]:
    """'SAME'/'VALID' or an explicit list of 4 [before, after] pairs -> (padding attr, explicit_paddings)."""
    if isinstance(padding, (list, tuple)):
        if len(padding) != 4 or any(not isinstance(p, (list, tuple)) or len(p) != 2 for p in padding):
            raise ValueError(f"When padding is explicit, padding must be a list of 4 pairs (length 4), got: {padding}")
        flat = [int(v) for p in padding for v in p]
        if any(v < 0 for v in flat):
            raise ValueError(f"All elements of explicit padding must be nonnegative, got: {padding}")
        return "EXPLICIT", flat
    if isinstance(padding, bytes):
        padding = padding.decode()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME', 'VALID' or a list of explicit paddings, got {padding!r}")
    return padding, []


def _spatial(data_format: str) -> Tuple[int, int, int]:
    """(h, w, c) indices of a 4-D layout."""
    return (2, 3, 1) if data_format == "NCHW" else (1, 2, 3)


def _float_pair(a: Any, b: Any, a_name: str, b_name: str, op_name: str) -> Tuple[_ops.Tensor, _ops.Tensor]:
    if isinstance(b, _ops.Tensor) and not isinstance(a, _ops.Tensor):
        b = _ops.convert_to_tensor(b)
        a = _ops.convert_to_tensor(a, dtype=b.dtype)
    else:
        a = _ops.convert_to_tensor(a)
        b = _ops.convert_to_tensor(b, dtype=None if isinstance(b, _ops.Tensor) else a.dtype)
    if a.dtype != b.dtype:
        raise TypeError(f"Input '{b_name}' of '{op_name}' Op has type {b.dtype.name} that does not match type "
                        f"{a.dtype.name} of argument '{a_name}'.")
    if a.dtype not in _FLOATS:
        raise TypeError(f"Value passed to parameter '{a_name}' has DataType {a.dtype.name} not in list of allowed "
                        f"values: float16, float32, float64")
    return a, b


def _check_float(t: _ops.Tensor, arg: str) -> None:
    if t.dtype not in _FLOATS:
        raise TypeError(f"Value passed to parameter '{arg}' has DataType {t.dtype.name} not in list of allowed "
                        f"values: float16, float32, float64")


# ---- softmax family ----------------------------------------------------------------------------

def _softmax(op_type: str, logits: Any, axis: Optional[int], name: Optional[str]) -> _ops.Tensor:
    x = _ops.convert_to_tensor(logits)
    _check_float(x, "logits")
    axis = -1 if axis is None else int(axis)
    rank = x.shape.rank
    attrs = {"T": x.dtype}
    if rank is not None:
        if rank == 0:
            raise ValueError(f"Shape must be at least rank 1 but is rank 0 for '{op_type}'")
        if not -rank <= axis < rank:
            raise _errors.InvalidArgumentError(
                None, None, f"Dimension ({axis}) must be in the range [{-rank}, {rank}) where {rank} is the "
                            f"number of dimensions in the input.")
        if axis % rank != rank - 1:
            attrs["axis"] = axis % rank
    elif axis != -1:
        attrs["axis"] = axis
    return x.graph.create_op(op_type, [x], name=name or op_type, attrs=attrs).outputs[0]


def softmax(logits: Any, axis: Optional[int] = None, name: Optional[str] = None,
            dim: Optional[int] = None) -> _ops.Tensor:
    """exp(logits) / sum(exp(logits), axis); ``axis`` defaults to the last dimension."""
    return _softmax("Softmax", logits, dim if axis is None else axis, name)


def log_softmax(logits: Any, axis: Optional[int] = None, name: Optional[str] = None,
                dim: Optional[int] = None) -> _ops.Tensor:
    """logits - log(sum(exp(logits), axis)); ``axis`` defaults to the last dimension."""
    return _softmax("LogSoftmax", logits, dim if axis is None else axis, name)


def _softmax_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    if s.rank == 0:
        raise _fail(op, "Shape must be at least rank 1 but is rank 0")
    return [s]


def _xent_shape(op: Any) -> List[_ts.TensorShape]:
    a, b = op.inputs[0].shape, op.inputs[1].shape
    a = _with_rank(op, a, 2)
    b = _with_rank(op, b, 2)
    dims = []
    for x, y in zip(a, b):
        if x == 1 and y is not None:
            dims.append(y)
        elif y == 1 and x is not None:
            dims.append(x)
        else:
            dims.append(_merge_dim(op, x, y))
    return [_ts.TensorShape([dims[0]]), _ts.TensorShape(dims)]


def _sparse_xent_shape(op: Any) -> List[_ts.TensorShape]:
    a = _with_rank(op, op.inputs[0].shape, 2)
    b = _with_rank(op, op.inputs[1].shape, 1)
    n = _merge_dim(op, a[0], b[0])
    return [_ts.TensorShape([n]), _ts.TensorShape([n, a[1]])]


def softmax_cross_entropy_with_logits_v2(labels: Any, logits: Any, axis: Optional[int] = None,
                                         name: Optional[str] = None, dim: Optional[int] = None) -> _ops.Tensor:
    """Per-example softmax cross entropy of ``labels`` (a distribution) against ``logits``."""
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    axis = dim if axis is None else axis
    axis = -1 if axis is None else int(axis)
    logits, labels = _float_pair(logits, labels, "features", "labels", "SoftmaxCrossEntropyWithLogits")
    g = logits.graph
    with g.as_default(), g.name_scope(name or "softmax_cross_entropy_with_logits") as scope:
        rank = logits.shape.rank
        if rank is not None and labels.shape.rank is not None and rank != labels.shape.rank:
            raise ValueError(f"logits and labels must have the same rank, got {logits.shape} and {labels.shape}")
        if rank == 0:
            raise ValueError("Logits cannot be scalars - received shape ()")
        if rank is None:
            raise ValueError("softmax_cross_entropy_with_logits needs logits of known rank")
        if not -rank <= axis < rank:
            raise _errors.InvalidArgumentError(None, None, f"Dimension ({axis}) must be in the range "
                                                           f"[{-rank}, {rank}) where {rank} is the number of "
                                                           f"dimensions in the input.")
        if axis % rank != rank - 1:
            prod = _math_ops.multiply(labels, log_softmax(logits, axis=axis))
            return _math_ops.negative(_math_ops.reduce_sum(prod, axis=axis), name=scope)
        if rank == 2:
            op = g.create_op("SoftmaxCrossEntropyWithLogits", [logits, labels], name="xent",
                             attrs={"T": logits.dtype})
            return _array_ops.identity(op.outputs[0], name=scope)
        classes = logits.shape[-1]
        if classes is None:
            classes = labels.shape[-1]
        if classes is None:
            raise ValueError("softmax_cross_entropy_with_logits on rank != 2 inputs needs a static class dimension")
        flat_logits = _array_ops.reshape(logits, [-1, classes])
        flat_labels = _array_ops.reshape(labels, [-1, classes])
        op = g.create_op("SoftmaxCrossEntropyWithLogits", [flat_logits, flat_labels], name="xent",
                         attrs={"T": logits.dtype})
        if logits.shape[:-1].is_fully_defined():
            out_shape: Any = logits.shape[:-1].as_list()
        else:
            out_shape = _array_ops.shape(logits)[:-1]
        return _array_ops.reshape(op.outputs[0], out_shape, name=scope)


def softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None, logits: Any = None, dim: int = -1,
                                      name: Optional[str] = None, axis: Optional[int] = None) -> _ops.Tensor:
    """TF1's deprecated version: like ``_v2`` but no gradient flows into ``labels``."""
    if _sentinel is not None:
        raise ValueError("Only call `softmax_cross_entropy_with_logits` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    if not isinstance(labels, _ops.Tensor):
        labels = _ops.convert_to_tensor(labels, dtype=logits.dtype if isinstance(logits, _ops.Tensor) else None)
    labels = _array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=dim if axis is None else axis,
                                                name=name)


def sparse_softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None, logits: Any = None,
                                             name: Optional[str] = None) -> _ops.Tensor:
    """Per-example softmax cross entropy of integer class ``labels`` against ``logits``."""
    if _sentinel is not None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    logits = _ops.convert_to_tensor(logits)
    labels = _ops.convert_to_tensor(labels)
    _check_float(logits, "features")
    if labels.dtype not in (_dtypes.int32, _dtypes.int64):
        raise TypeError(f"Value passed to parameter 'labels' has DataType {labels.dtype.name} not in list of allowed "
                        f"values: int32, int64")
    g = logits.graph
    with g.as_default(), g.name_scope(name or "SparseSoftmaxCrossEntropyWithLogits") as scope:
        lr, br = logits.shape.rank, labels.shape.rank
        if lr == 0:
            raise ValueError(f"Logits cannot be scalars - received shape {logits.shape}.")
        if lr is not None and br is not None and br != lr - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {br}) should equal rank of logits minus 1 "
                             f"(received {lr}).")
        if lr is not None and br is not None and not labels.shape.is_compatible_with(logits.shape[:-1]):
            raise ValueError(f"Shape mismatch: The shape of labels (received {labels.shape}) should equal the shape "
                             f"of logits except for the last dimension (received {logits.shape}).")
        if lr == 2 or lr is None:
            op = g.create_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], name="xent",
                             attrs={"T": logits.dtype, "Tlabels": labels.dtype})
            return _array_ops.identity(op.outputs[0], name=scope)
        classes = logits.shape[-1]
        if classes is None:
            raise ValueError("sparse_softmax_cross_entropy_with_logits on rank != 2 logits needs a static class "
                             "dimension")
        flat_logits = _array_ops.reshape(logits, [-1, classes])
        flat_labels = _array_ops.reshape(labels, [-1])
        op = g.create_op("SparseSoftmaxCrossEntropyWithLogits", [flat_logits, flat_labels], name="xent",
                         attrs={"T": logits.dtype, "Tlabels": labels.dtype})
        if labels.shape.is_fully_defined():
            out_shape: Any = labels.shape.as_list()
        else:
            out_shape = _array_ops.shape(labels)
        return _array_ops.reshape(op.outputs[0], out_shape, name=scope)


def sigmoid_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None, logits: Any = None,
                                      name: Optional[str] = None) -> _ops.Tensor:
    """max(x, 0) - x * z + log(1 + exp(-|x|)), the stable form of the logistic loss."""
    if _sentinel is not None:
        raise ValueError("Only call `sigmoid_cross_entropy_with_logits` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    logits, labels = _float_pair(logits, labels, "logits", "labels", "logistic_loss")
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs {labels.shape})")
    g = logits.graph
    with g.as_default(), g.name_scope(name or "logistic_loss") as scope:
        neg_abs = _math_ops.negative(_math_ops.abs(logits))
        softplus = _math_ops.log1p(_math_ops.exp(neg_abs))
        return _math_ops.add(_math_ops.subtract(relu(logits), _math_ops.multiply(logits, labels)), softplus,
                             name=scope)


def l2_loss(t: Any, name: Optional[str] = None) -> _ops.Tensor:
    """sum(t ** 2) / 2, a scalar."""
    t = _ops.convert_to_tensor(t)
    _check_float(t, "t")
    return t.graph.create_op("L2Loss", [t], name=name or "L2Loss", attrs={"T": t.dtype}).outputs[0]


def in_top_k(predictions: Any, targets: Any, k: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Whether each target's prediction is among the ``k`` largest of its row (ties count in)."""
    predictions = _ops.convert_to_tensor(predictions, dtype=_dtypes.float32)
    targets = _ops.convert_to_tensor(targets)
    if targets.dtype not in (_dtypes.int32, _dtypes.int64):
        raise TypeError(f"Value passed to parameter 'targets' has DataType {targets.dtype.name} not in list of "
                        f"allowed values: int32, int64")
    g = predictions.graph
    with g.as_default():
        k = _ops.convert_to_tensor(k, dtype=targets.dtype)
        return g.create_op("InTopKV2", [predictions, targets, k], name=name or "in_top_k",
                           attrs={"T": targets.dtype}).outputs[0]


def _in_top_k_shape(op: Any) -> List[_ts.TensorShape]:
    p = _with_rank(op, op.inputs[0].shape, 2)
    t = _with_rank(op, op.inputs[1].shape, 1)
    _with_rank(op, op.inputs[2].shape, 0)
    return [_ts.TensorShape([_merge_dim(op, p[0], t[0])])]


# ---- convolutions ------------------------------------------------------------------------------

def _conv_attrs(op: Any) -> Tuple[str, List[int], List[int], str, List[int]]:
    fmt = _str_attr(op, "data_format", "NHWC")
    if fmt not in ("NHWC", "NCHW"):
        raise _fail(op, f"Invalid data format: {fmt}")
    strides = _list_attr(op, "strides", [])
    dil = _list_attr(op, "dilations", [1, 1, 1, 1])
    padding = _str_attr(op, "padding", "")
    pads = _list_attr(op, "explicit_paddings", [])
    h, w, c = _spatial(fmt)
    if len(strides) != 4:
        raise _fail(op, f"Conv requires the strides attribute to contain 4 values, but got: {len(strides)}")
    if strides[0] != 1 or strides[c] != 1:
        raise _fail(op, "Current implementation does not yet support strides in the batch and depth dimensions.")
    if strides[h] <= 0 or strides[w] <= 0:
        raise _fail(op, f"Strides must be positive, got {strides}")
    if len(dil) != 4:
        raise _fail(op, f"Conv requires the dilations attribute to contain 4 values, but got: {len(dil)}")
    if dil[0] != 1 or dil[c] != 1:
        raise _fail(op, "Current implementation does not yet support dilations in the batch and depth dimensions.")
    if dil[h] <= 0 or dil[w] <= 0:
        raise _fail(op, "Dilated rates should be larger than 0.")
    if padding not in ("SAME", "VALID", "EXPLICIT"):
        raise _fail(op, f"Invalid padding {padding!r}")
    if padding == "EXPLICIT":
        if len(pads) != 8:
            raise _fail(op, "explicit_paddings attribute must contain 8 values")
        if pads[0] or pads[1] or pads[2 * c] or pads[2 * c + 1]:
            raise _fail(op, "Nonzero explicit padding in the batch or depth dimensions is not supported")
    elif pads:
        raise _fail(op, "explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT")
    return fmt, strides, dil, padding, pads


def _conv_out_dims(op: Any, fmt: str, strides: List[int], dil: List[int], padding: str, pads: List[int],
                   in_h: Optional[int], in_w: Optional[int], kh: Optional[int],
                   kw: Optional[int]) -> Tuple[Optional[int], Optional[int]]:
    h, w, _ = _spatial(fmt)
    try:
        oh = _window_out(in_h, kh, dil[h], strides[h], padding, (pads[2 * h], pads[2 * h + 1]) if pads else (0, 0))
        ow = _window_out(in_w, kw, dil[w], strides[w], padding, (pads[2 * w], pads[2 * w + 1]) if pads else (0, 0))
    except ValueError as e:
        raise _fail(op, str(e)) from None
    return oh, ow


def _make4(fmt: str, n: Any, h: Any, w: Any, c: Any) -> _ts.TensorShape:
    return _ts.TensorShape([n, c, h, w] if fmt == "NCHW" else [n, h, w, c])


def _conv2d_shape(op: Any) -> List[_ts.TensorShape]:
    fmt, strides, dil, padding, pads = _conv_attrs(op)
    x = _with_rank(op, op.inputs[0].shape, 4)
    f = _with_rank(op, op.inputs[1].shape, 4)
    h, w, c = _spatial(fmt)
    depthwise = op.type == "DepthwiseConv2dNative"
    in_c = _merge_dim(op, x[c], f[2], "Depth of input and filter")
    oh, ow = _conv_out_dims(op, fmt, strides, dil, padding, pads, x[h], x[w], f[0], f[1])
    if depthwise:
        out_c = None if in_c is None or f[3] is None else in_c * f[3]
    else:
        out_c = f[3]
    return [_make4(fmt, x[0], oh, ow, out_c)]


def _backprop_input_shape(op: Any) -> List[_ts.TensorShape]:
    fmt, strides, dil, padding, pads = _conv_attrs(op)
    sizes = _tu.constant_value_as_shape(op.inputs[0])
    if sizes.rank is not None and sizes.rank != 4:
        raise _fail(op, f"input_sizes must have 4 elements, got {sizes.rank}")
    s = sizes.as_list() if sizes.rank is not None else [None] * 4
    f = _with_rank(op, op.inputs[1].shape, 4)
    dy = _with_rank(op, op.inputs[2].shape, 4)
    h, w, c = _spatial(fmt)
    s[c] = _merge_dim(op, s[c], f[2], "Depth of input and filter")
    _merge_dim(op, dy[c], f[3], "Depth of out_backprop and filter")
    s[0] = _merge_dim(op, s[0], dy[0], "Batch sizes")
    oh, ow = _conv_out_dims(op, fmt, strides, dil, padding, pads, s[h], s[w], f[0], f[1])
    _merge_dim(op, oh, dy[h], "Conv2DBackpropInput output height and out_backprop height")
    _merge_dim(op, ow, dy[w], "Conv2DBackpropInput output width and out_backprop width")
    return [_ts.TensorShape(s)]


def conv2d(input: Any, filter: Any = None, strides: Any = None, padding: Any = None,  # noqa: A002
           use_cudnn_on_gpu: bool = True, data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
           name: Optional[str] = None, filters: Any = None) -> _ops.Tensor:
    """2-D convolution of a 4-D ``input`` with a [h, w, in, out] ``filter``."""
    filter = filters if filter is None else filter  # noqa: A001
    if filter is None:
        raise ValueError("conv2d needs a filter")
    if padding is None or strides is None:
        raise ValueError("conv2d needs strides and padding")
    data_format = _check_format(data_format)
    ci = 1 if data_format == "NCHW" else 3
    strides = _get_sequence(strides, 2, ci, "strides")
    dilations = _get_sequence(dilations, 2, ci, "dilations")
    padding, explicit = _convert_padding(padding)
    x, f = _float_pair(input, filter, "input", "filter", "Conv2D")
    return x.graph.create_op("Conv2D", [x, f], name=name or "Conv2D",
                             attrs={"T": x.dtype, "strides": strides, "padding": padding,
                                    "explicit_paddings": explicit, "use_cudnn_on_gpu": bool(use_cudnn_on_gpu),
                                    "data_format": data_format, "dilations": dilations}).outputs[0]


def depthwise_conv2d_native(input: Any, filter: Any, strides: Any, padding: Any,  # noqa: A002
                            data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
                            name: Optional[str] = None) -> _ops.Tensor:
    """Depthwise 2-D convolution with a [h, w, in, multiplier] filter (out depth = in * multiplier)."""
    data_format = _check_format(data_format)
    padding, explicit = _convert_padding(padding)
    x, f = _float_pair(input, filter, "input", "filter", "DepthwiseConv2dNative")
    strides = [int(s) for s in strides]
    dilations = [int(d) for d in dilations]
    return x.graph.create_op("DepthwiseConv2dNative", [x, f], name=name or "DepthwiseConv2dNative",
                             attrs={"T": x.dtype, "strides": strides, "padding": padding,
                                    "explicit_paddings": explicit, "data_format": data_format,
                                    "dilations": dilations}).outputs[0]


def depthwise_conv2d(input: Any, filter: Any, strides: Any, padding: Any, rate: Any = None,  # noqa: A002
                     name: Optional[str] = None, data_format: Optional[str] = None,
                     dilations: Any = None) -> _ops.Tensor:
    """Depthwise 2-D convolution; ``rate`` ([rh, rw]) dilates the filter."""
    data_format = _check_format(data_format)
    rate = dilations if rate is None else rate
    if rate is None:
        rate = [1, 1]
    rate = [int(r) for r in (rate if isinstance(rate, collections.abc.Sized) else [rate, rate])]
    if len(rate) == 1:
        rate = rate * 2
    if len(rate) != 2:
        raise ValueError(f"rate must be of length 2, got {rate}")
    if any(r < 1 for r in rate):
        raise ValueError(f"rate must be positive, got {rate}")
    strides = [int(s) for s in strides]
    if len(strides) != 4:
        raise ValueError(f"strides must have length 4, got {strides}")
    h, w, _ = _spatial(data_format)
    if any(r > 1 for r in rate) and (strides[h] > 1 or strides[w] > 1):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    dil = [1, 1, 1, 1]
    dil[h], dil[w] = rate
    return depthwise_conv2d_native(input, filter, strides, padding, data_format=data_format, dilations=dil,
                                   name=name or "depthwise")


def conv2d_backprop_input(input_sizes: Any, filter: Any = None, out_backprop: Any = None,  # noqa: A002
                          strides: Any = None, padding: Any = None, use_cudnn_on_gpu: bool = True,
                          data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
                          name: Optional[str] = None, filters: Any = None) -> _ops.Tensor:
    """Gradient of conv2d with respect to its input, of shape ``input_sizes``."""
    filter = filters if filter is None else filter  # noqa: A001
    data_format = _check_format(data_format)
    ci = 1 if data_format == "NCHW" else 3
    strides = _get_sequence(strides, 2, ci, "strides")
    dilations = _get_sequence(dilations, 2, ci, "dilations")
    padding, explicit = _convert_padding(padding)
    dy, f = _float_pair(out_backprop, filter, "out_backprop", "filter", "Conv2DBackpropInput")
    g = dy.graph
    with g.as_default():
        sizes = _ops.convert_to_tensor(input_sizes, dtype=None if isinstance(input_sizes, _ops.Tensor)
                                       else _dtypes.int32)
        if sizes.dtype != _dtypes.int32:
            raise TypeError(f"input_sizes must be int32, got {sizes.dtype.name}")
        return g.create_op("Conv2DBackpropInput", [sizes, f, dy], name=name or "Conv2DBackpropInput",
                           attrs={"T": dy.dtype, "strides": strides, "padding": padding,
                                  "explicit_paddings": explicit, "use_cudnn_on_gpu": bool(use_cudnn_on_gpu),
                                  "data_format": data_format, "dilations": dilations}).outputs[0]


def conv2d_transpose(value: Any = None, filter: Any = None, output_shape: Any = None,  # noqa: A002
                     strides: Any = None, padding: str = "SAME", data_format: str = "NHWC",
                     name: Optional[str] = None, input: Any = None, filters: Any = None,  # noqa: A002
                     dilations: Any = None) -> _ops.Tensor:
    """Transpose of conv2d (the gradient of conv2d with respect to its input)."""
    value = input if value is None else value
    filter = filters if filter is None else filter  # noqa: A001
    data_format = _check_format(data_format)
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be either VALID or SAME: {padding}")
    value, filter = _float_pair(value, filter, "value", "filter", "conv2d_transpose")
    ci = 1 if data_format == "NCHW" else 3
    if value.shape.rank is not None and filter.shape.rank == 4:
        if value.shape.rank != 4:
            raise ValueError(f"Shape must be rank 4 but is rank {value.shape.rank}")
        if not _ts.Dimension(value.shape[ci]).is_compatible_with(filter.shape[3]):
            raise ValueError(f"input channels does not match filter's input channels, {value.shape[ci]} != "
                             f"{filter.shape[3]}")
    g = value.graph
    with g.as_default():
        if isinstance(output_shape, _ops.Tensor):
            out = output_shape
        else:
            out = _ops.convert_to_tensor(np.asarray(output_shape, dtype=np.int32))
        if out.shape.rank is not None and not out.shape.is_compatible_with(_ts.TensorShape([4])):
            raise ValueError(f"output_shape must have shape (4,), got {out.shape}")
        known = _tu.constant_value(out)
        if known is not None and filter.shape.rank == 4 and filter.shape[2] is not None:
            if int(known[ci]) != filter.shape[2]:
                raise ValueError(f"output_shape does not match filter's output channels, {int(known[ci])} != "
                                 f"{filter.shape[2]}")
        return conv2d_backprop_input(out, filter, value, strides, padding, data_format=data_format,
                                     dilations=(1, 1, 1, 1) if dilations is None else dilations,
                                     name=name or "conv2d_transpose")


# ---- pooling -----------------------------------------------------------------------------------

def _pool_shape(op: Any) -> List[_ts.TensorShape]:
    fmt = _str_attr(op, "data_format", "NHWC")
    if fmt not in ("NHWC", "NCHW"):
        raise _fail(op, f"Invalid data format: {fmt}")
    ksize = _list_attr(op, "ksize", [])
    strides = _list_attr(op, "strides", [])
    padding = _str_attr(op, "padding", "")
    if len(ksize) != 4:
        raise _fail(op, f"Sliding window ksize field must specify 4 dimensions, got {len(ksize)}")
    if len(strides) != 4:
        raise _fail(op, f"Sliding window stride field must specify 4 dimensions, got {len(strides)}")
    h, w, c = _spatial(fmt)
    if ksize[0] != 1 or strides[0] != 1:
        raise _fail(op, "Pooling is not yet supported on the batch dimension.")
    if ksize[c] != 1 or strides[c] != 1:
        raise _fail(op, "Pooling is not yet supported on the depth dimension.")
    if any(v <= 0 for v in ksize + strides):
        raise _fail(op, "Sliding window ksize and strides must be positive")
    if padding not in ("SAME", "VALID"):
        raise _fail(op, f"Invalid padding {padding!r}")
    x = _with_rank(op, op.inputs[0].shape, 4)
    try:
        oh = _window_out(x[h], ksize[h], 1, strides[h], padding)
        ow = _window_out(x[w], ksize[w], 1, strides[w], padding)
    except ValueError as e:
        raise _fail(op, str(e)) from None
    return [_make4(fmt, x[0], oh, ow, x[c])]


def _pool(op_type: str, value: Any, ksize: Any, strides: Any, padding: Any, data_format: str,
          name: Optional[str]) -> _ops.Tensor:
    data_format = _check_format(data_format)
    ci = 1 if data_format == "NCHW" else 3
    ksize = _get_sequence(ksize, 2, ci, "ksize")
    strides = _get_sequence(strides, 2, ci, "strides")
    if isinstance(padding, bytes):
        padding = padding.decode()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    x = _ops.convert_to_tensor(value)
    allowed = _FLOATS + ((_dtypes.int32, _dtypes.int64) if op_type == "MaxPool" else ())
    if x.dtype not in allowed:
        raise TypeError(f"Value passed to parameter 'input' has DataType {x.dtype.name} not in list of allowed "
                        f"values: {', '.join(d.name for d in allowed)}")
    return x.graph.create_op(op_type, [x], name=name or op_type,
                             attrs={"T": x.dtype, "ksize": ksize, "strides": strides, "padding": padding,
                                    "data_format": data_format}).outputs[0]


def max_pool(value: Any = None, ksize: Any = None, strides: Any = None, padding: Any = None,
             data_format: str = "NHWC", name: Optional[str] = None, input: Any = None) -> _ops.Tensor:  # noqa: A002
    """Max pooling over the spatial dimensions."""
    return _pool("MaxPool", input if value is None else value, ksize, strides, padding, data_format, name)


def avg_pool(value: Any = None, ksize: Any = None, strides: Any = None, padding: Any = None,
             data_format: str = "NHWC", name: Optional[str] = None, input: Any = None) -> _ops.Tensor:  # noqa: A002
    """Average pooling; SAME windows average only their in-bounds cells."""
    return _pool("AvgPool", input if value is None else value, ksize, strides, padding, data_format, name)


# ---- normalization -----------------------------------------------------------------------------

def _fused_bn_shape(op: Any) -> List[_ts.TensorShape]:
    fmt = _str_attr(op, "data_format", "NHWC")
    if fmt not in ("NHWC", "NCHW"):
        raise _fail(op, f"Invalid data format: {fmt}")
    x = _with_rank(op, op.inputs[0].shape, 4)
    c = x[_spatial(fmt)[2]]
    training = op.get_attr("is_training") if "is_training" in op._node_def.attr else True
    checked = 3 if training else 5
    for i in range(1, 5):
        v = _with_rank(op, op.inputs[i].shape, 1)
        if i < checked:
            c = _merge_dim(op, c, v[0], "Dimensions")
    out = [_ts.TensorShape(x)]
    out += [_ts.TensorShape([c]) for _ in range(4)]
    if op.type == "FusedBatchNormV3":
        out.append(_ts.unknown_shape())
    return out


def _fused_bn_types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
    n = 5 if nd.op == "FusedBatchNormV3" else 4
    return [inputs[0].dtype] + [inputs[1].dtype] * n


def fused_batch_norm(x: Any, scale: Any, offset: Any, mean: Any = None, variance: Any = None,
                     epsilon: float = 0.001, data_format: str = "NHWC", is_training: bool = True,
                     name: Optional[str] = None, exponential_avg_factor: float = 1.0) -> Tuple[_ops.Tensor, ...]:
    """Batch normalization of a 4-D ``x``; returns (y, batch_mean, batch_var)."""
    data_format = _check_format(data_format)
    x = _ops.convert_to_tensor(x)
    _check_float(x, "x")
    g = x.graph
    with g.as_default():
        u = _dtypes.float64 if x.dtype == _dtypes.float64 else _dtypes.float32
        scale = _ops.convert_to_tensor(scale, dtype=None if isinstance(scale, _ops.Tensor) else u)
        u = scale.dtype
        offset = _ops.convert_to_tensor(offset, dtype=u)
        if mean is None:
            if not is_training:
                raise ValueError("fused_batch_norm with is_training=False needs mean and variance")
            mean = _ops.convert_to_tensor(np.zeros([0], dtype=u.as_numpy_dtype))
        else:
            mean = _ops.convert_to_tensor(mean, dtype=u)
        if variance is None:
            if not is_training:
                raise ValueError("fused_batch_norm with is_training=False needs mean and variance")
            variance = _ops.convert_to_tensor(np.zeros([0], dtype=u.as_numpy_dtype))
        else:
            variance = _ops.convert_to_tensor(variance, dtype=u)
        min_epsilon = 1.001e-5  # cuDNN's minimum, which TF applies everywhere
        epsilon = epsilon if epsilon > min_epsilon else min_epsilon
        op = g.create_op("FusedBatchNormV3", [x, scale, offset, mean, variance], name=name or "FusedBatchNormV3",
                         attrs={"T": x.dtype, "U": u, "epsilon": float(epsilon), "data_format": data_format,
                                "is_training": bool(is_training),
                                "exponential_avg_factor": float(exponential_avg_factor)})
        return op.outputs[0], op.outputs[1], op.outputs[2]


def local_response_normalization(input: Any, depth_radius: int = 5, bias: float = 1.0,  # noqa: A002
                                 alpha: float = 1.0, beta: float = 0.5,
                                 name: Optional[str] = None) -> _ops.Tensor:
    """x / (bias + alpha * sum of squares over the depth window) ** beta, on the last axis of a 4-D input."""
    x = _ops.convert_to_tensor(input)
    if x.dtype not in (_dtypes.float16, _dtypes.float32):
        raise TypeError(f"Value passed to parameter 'input' has DataType {x.dtype.name} not in list of allowed "
                        f"values: float16, float32")
    return x.graph.create_op("LRN", [x], name=name or "LRN",
                             attrs={"T": x.dtype, "depth_radius": int(depth_radius), "bias": float(bias),
                                    "alpha": float(alpha), "beta": float(beta)}).outputs[0]


lrn = local_response_normalization


def _lrn_shape(op: Any) -> List[_ts.TensorShape]:
    _with_rank(op, op.inputs[0].shape, 4)
    return [op.inputs[0].shape if op.inputs[0].shape.rank is not None else _ts.unknown_shape(4)]


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: Optional[str] = None,
                 dim: Any = None) -> _ops.Tensor:
    """x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    axis = dim if axis is None else axis
    x = _ops.convert_to_tensor(x)
    g = x.graph
    with g.as_default(), g.name_scope(name or "l2_normalize") as scope:
        square_sum = _math_ops.reduce_sum(_math_ops.square(x), axis, keepdims=True)
        inv_norm = _math_ops.rsqrt(_math_ops.maximum(square_sum, _ops.convert_to_tensor(epsilon, dtype=x.dtype)))
        return _math_ops.multiply(x, inv_norm, name=scope)


def _register() -> None:
    for name in ("Softmax", "LogSoftmax"):
        _reg.register(name, _reg.input_type(0), _softmax_shape)
    two = lambda nd, inputs: [inputs[0].dtype, inputs[0].dtype]  # noqa: E731
    _reg.register("SoftmaxCrossEntropyWithLogits", two, _xent_shape)
    _reg.register("SparseSoftmaxCrossEntropyWithLogits", two, _sparse_xent_shape)
    _reg.register("L2Loss", _reg.input_type(0), _reg.scalar_shape)
    _reg.register("InTopKV2", _reg.fixed_type(_dtypes.bool), _in_top_k_shape)
    for name in ("Conv2D", "DepthwiseConv2dNative"):
        _reg.register(name, _reg.input_type(0), _conv2d_shape)
    _reg.register("Conv2DBackpropInput", _reg.input_type(2), _backprop_input_shape)
    for name in ("MaxPool", "AvgPool"):
        _reg.register(name, _reg.input_type(0), _pool_shape)
    for name in ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"):
        _reg.register(name, _fused_bn_types, _fused_bn_shape)
    _reg.register("LRN", _reg.input_type(0), _lrn_shape)


_register()


# ---- indexing family: tf.nn.top_k, tf.nn.embedding_lookup ----
from graphrt.ops.indexing_ops import embedding_lookup, top_k  # noqa: E402

__all__ += ["top_k", "embedding_lookup"]

# ---- elementwise activations, bias_add, moments (math family) ----
from graphrt.ops.math_ops import (bias_add, elu, leaky_relu, moments, relu6, selu, softplus,  # noqa: E402
                                  softsign)

__all__ += ["relu6", "elu", "selu", "softplus", "softsign", "leaky_relu", "bias_add", "moments"]


# ---- dropout (training family) ----
def _dropout_noise_shape(x: _ops.Tensor, noise_shape: Any) -> Any:
    if noise_shape is None:
        return x.shape.as_list() if x.shape.is_fully_defined() else _array_ops.shape(x)
    if isinstance(noise_shape, (list, tuple)) and x.shape.rank is not None and len(noise_shape) == x.shape.rank:
        dims = x.shape.as_list()
        filled = [d if d is not None else dims[i] for i, d in enumerate(noise_shape)]
        if all(d is not None for d in filled):
            return filled
    return noise_shape


def dropout(x: Any, keep_prob: Any = None, noise_shape: Any = None, seed: Optional[int] = None,
            name: Optional[str] = None, rate: Any = None) -> _ops.Tensor:
    """Zeroes each element of ``x`` with probability ``rate`` (= 1 - keep_prob), scaling kept ones by
    1 / (1 - rate); exactly one of ``keep_prob`` and ``rate``."""
    import numbers
    from graphrt.ops import random_ops as _random_ops
    if keep_prob is not None:
        if rate is not None:
            raise ValueError("Cannot specify both 'rate' and 'keep_prob'")
        try:
            rate = 1. - keep_prob
        except TypeError:
            raise ValueError(f"keep_prob must be a floating point number or Tensor (got {keep_prob!r})") from None
    if rate is None:
        raise ValueError("You must provide a rate to dropout.")
    g = _ops.op_scope_graph([v for v in (x, rate) if isinstance(v, (_ops.Tensor, _ops.Operation))])
    with g.as_default(), _ops.name_scope(name, "dropout", [x]) as scope:
        x = _ops.convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be scaled. Got a "
                             f"{x.dtype.name} tensor instead.")
        if isinstance(rate, numbers.Real) and not isinstance(rate, bool):
            if not (0 <= rate < 1):
                raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {rate:g}")
            if rate == 0:
                return x
        rate_t = _ops.convert_to_tensor(rate, dtype=x.dtype, name="rate")
        if rate_t.shape.rank is not None and rate_t.shape.rank != 0:
            raise ValueError(f"rate must be a scalar, got shape {rate_t.shape}")
        shape = _dropout_noise_shape(x, noise_shape)
        random_tensor = _random_ops.random_uniform(shape, seed=seed, dtype=x.dtype)
        scale = 1 / (1 - rate_t)
        keep_mask = _math_ops.greater_equal(random_tensor, rate_t)
        ret = _math_ops.multiply(x * scale, _math_ops.cast(keep_mask, x.dtype), name=scope)
        ret.set_shape(x.shape)
        return ret


__all__ += ["dropout"]
