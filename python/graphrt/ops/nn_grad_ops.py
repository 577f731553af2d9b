"""Backward ops of the NN family (TF's op names and attrs) and ``digamma``.

Public: ``conv2d_backprop_filter``, ``depthwise_conv2d_native_backprop_input``,
``depthwise_conv2d_native_backprop_filter`` (``tf.nn.*``) and ``digamma`` (``tf.math.digamma``).
The pooling, batch-norm, LRN and MirrorPad gradient ops are built by the gradient functions through
the private wrappers below. Every op here has a static shape function registered with op_registry.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry as _reg
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util as _tu
from graphrt.ops.nn_ops import (_FLOATS, _check_format, _conv_attrs, _conv_out_dims, _convert_padding, _fail,
                                _float_pair, _get_sequence, _merge_dim, _pool_shape, _spatial,
                                _str_attr, _with_rank)

__all__ = ["conv2d_backprop_filter", "depthwise_conv2d_native_backprop_input",
           "depthwise_conv2d_native_backprop_filter", "digamma"]


def _sizes_tensor(v: Any, name: str) -> _ops.Tensor:
    t = _ops.convert_to_tensor(v, dtype=None if isinstance(v, _ops.Tensor) else _dtypes.int32, name=name)
    if t.dtype not in (_dtypes.int32, _dtypes.int64):
        raise TypeError(f"{name} must be int32 or int64, got {t.dtype.name}")
    return t


def _conv_common(strides: Any, padding: Any, data_format: str, dilations: Any):
    data_format = _check_format(data_format)
    ci = 1 if data_format == "NCHW" else 3
    strides = _get_sequence(strides, 2, ci, "strides")
    dilations = _get_sequence(dilations, 2, ci, "dilations")
    padding, explicit = _convert_padding(padding)
    return data_format, strides, dilations, padding, explicit


# ---- public wrappers -----------------------------------------------------------------------------

def conv2d_backprop_filter(input: Any, filter_sizes: Any, out_backprop: Any, strides: Any,  # noqa: A002
                           padding: Any, use_cudnn_on_gpu: bool = True, data_format: str = "NHWC",
                           dilations: Any = (1, 1, 1, 1), name: Optional[str] = None) -> _ops.Tensor:
    """The gradient of conv2d with respect to its filter (of shape ``filter_sizes``)."""
    data_format, strides, dilations, padding, explicit = _conv_common(strides, padding, data_format, dilations)
    x, dy = _float_pair(input, out_backprop, "input", "out_backprop", "Conv2DBackpropFilter")
    sizes = _sizes_tensor(filter_sizes, "filter_sizes")
    return x.graph.create_op("Conv2DBackpropFilter", [x, sizes, dy], name=name or "Conv2DBackpropFilter",
                             attrs={"T": x.dtype, "strides": strides, "padding": padding,
                                    "explicit_paddings": explicit, "use_cudnn_on_gpu": bool(use_cudnn_on_gpu),
                                    "data_format": data_format, "dilations": dilations}).outputs[0]


def depthwise_conv2d_native_backprop_input(input_sizes: Any, filter: Any, out_backprop: Any,  # noqa: A002
                                           strides: Any, padding: Any, data_format: str = "NHWC",
                                           dilations: Any = (1, 1, 1, 1),
                                           name: Optional[str] = None) -> _ops.Tensor:
    """The gradient of depthwise_conv2d_native with respect to its input (of shape ``input_sizes``)."""
    data_format, strides, dilations, padding, explicit = _conv_common(strides, padding, data_format, dilations)
    f, dy = _float_pair(filter, out_backprop, "filter", "out_backprop", "DepthwiseConv2dNativeBackpropInput")
    sizes = _sizes_tensor(input_sizes, "input_sizes")
    return f.graph.create_op("DepthwiseConv2dNativeBackpropInput", [sizes, f, dy],
                             name=name or "DepthwiseConv2dNativeBackpropInput",
                             attrs={"T": f.dtype, "strides": strides, "padding": padding,
                                    "explicit_paddings": explicit, "data_format": data_format,
                                    "dilations": dilations}).outputs[0]


def depthwise_conv2d_native_backprop_filter(input: Any, filter_sizes: Any, out_backprop: Any,  # noqa: A002
                                            strides: Any, padding: Any, data_format: str = "NHWC",
                                            dilations: Any = (1, 1, 1, 1),
                                            name: Optional[str] = None) -> _ops.Tensor:
    """The gradient of depthwise_conv2d_native with respect to its filter (of shape ``filter_sizes``)."""
    data_format, strides, dilations, padding, explicit = _conv_common(strides, padding, data_format, dilations)
    x, dy = _float_pair(input, out_backprop, "input", "out_backprop", "DepthwiseConv2dNativeBackpropFilter")
    sizes = _sizes_tensor(filter_sizes, "filter_sizes")
    return x.graph.create_op("DepthwiseConv2dNativeBackpropFilter", [x, sizes, dy],
                             name=name or "DepthwiseConv2dNativeBackpropFilter",
                             attrs={"T": x.dtype, "strides": strides, "padding": padding,
                                    "explicit_paddings": explicit, "data_format": data_format,
                                    "dilations": dilations}).outputs[0]


def digamma(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """psi(x), the derivative of lgamma(x)."""
    x = _ops.convert_to_tensor(x)
    if x.dtype not in _FLOATS:
        raise TypeError(f"Value passed to parameter 'x' has DataType {x.dtype.name} not in list of allowed values: "
                        f"float16, float32, float64 (op: 'Digamma')")
    return x.graph.create_op("Digamma", [x], name=name or "Digamma", attrs={"T": x.dtype}).outputs[0]


# ---- private wrappers used by the gradient functions ----------------------------------------------

def _pool_attrs(op: Any) -> dict:
    return {k: op.get_attr(k) for k in ("ksize", "strides", "padding", "data_format") if k in op._node_def.attr}


def max_pool_grad(orig_input: _ops.Tensor, orig_output: _ops.Tensor, grad: _ops.Tensor, attrs: dict,
                  name: Optional[str] = None) -> _ops.Tensor:
    """MaxPoolGrad: ``grad`` routed to the first maximum of each window (attrs of the MaxPool)."""
    a = dict(attrs, T=orig_input.dtype)
    return orig_input.graph.create_op("MaxPoolGrad", [orig_input, orig_output, grad], name=name or "MaxPoolGrad",
                                      attrs=a).outputs[0]


def max_pool_grad_grad(orig_input: _ops.Tensor, orig_output: _ops.Tensor, grad: _ops.Tensor, attrs: dict,
                       name: Optional[str] = None) -> _ops.Tensor:
    """MaxPoolGradGrad: ``grad`` (shaped like orig_input) gathered at each window's first maximum."""
    a = dict(attrs, T=orig_input.dtype)
    return orig_input.graph.create_op("MaxPoolGradGrad", [orig_input, orig_output, grad],
                                      name=name or "MaxPoolGradGrad", attrs=a).outputs[0]


def avg_pool_grad(orig_input_shape: _ops.Tensor, grad: _ops.Tensor, attrs: dict,
                  name: Optional[str] = None) -> _ops.Tensor:
    """AvgPoolGrad: each window's gradient spread evenly over its in-bounds cells."""
    a = dict(attrs, T=grad.dtype)
    return grad.graph.create_op("AvgPoolGrad", [orig_input_shape, grad], name=name or "AvgPoolGrad",
                                attrs=a).outputs[0]


def fused_batch_norm_grad(op_type: str, y_backprop: _ops.Tensor, x: _ops.Tensor, scale: _ops.Tensor,
                          reserve_1: _ops.Tensor, reserve_2: _ops.Tensor, reserve_3: Optional[_ops.Tensor],
                          epsilon: float, data_format: str, is_training: bool,
                          name: Optional[str] = None) -> List[_ops.Tensor]:
    """FusedBatchNormGrad / V2 / V3: (x_backprop, scale_backprop, offset_backprop, reserve_3, reserve_4)."""
    inputs = [y_backprop, x, scale, reserve_1, reserve_2]
    attrs = {"T": x.dtype, "epsilon": float(epsilon), "data_format": data_format, "is_training": bool(is_training)}
    if op_type != "FusedBatchNormGrad":
        attrs["U"] = scale.dtype
    if op_type == "FusedBatchNormGradV3":
        inputs.append(reserve_3)
    return list(x.graph.create_op(op_type, inputs, name=name or op_type, attrs=attrs).outputs)


def lrn_grad(input_grads: _ops.Tensor, input_image: _ops.Tensor, output_image: _ops.Tensor, depth_radius: int,
             bias: float, alpha: float, beta: float, name: Optional[str] = None) -> _ops.Tensor:
    """LRNGrad: the gradient of LRN given its input and output."""
    return input_image.graph.create_op("LRNGrad", [input_grads, input_image, output_image], name=name or "LRNGrad",
                                       attrs={"T": input_image.dtype, "depth_radius": int(depth_radius),
                                              "bias": float(bias), "alpha": float(alpha),
                                              "beta": float(beta)}).outputs[0]


def mirror_pad_grad(grad: _ops.Tensor, paddings: _ops.Tensor, mode: str,
                    name: Optional[str] = None) -> _ops.Tensor:
    """MirrorPadGrad: the padded ``grad`` folded back (mirrored cells summed) to the unpadded shape."""
    return grad.graph.create_op("MirrorPadGrad", [grad, paddings], name=name or "MirrorPadGrad",
                                attrs={"T": grad.dtype, "Tpaddings": paddings.dtype, "mode": mode}).outputs[0]


# ---- static shapes -------------------------------------------------------------------------------

def _sizes4(op: Any, t: Any) -> List[Optional[int]]:
    s = _tu.constant_value_as_shape(t)
    if t.shape.rank is not None and t.shape.rank != 1:
        raise _fail(op, f"Shape must be rank 1 but is rank {t.shape.rank}")
    if t.shape.rank == 1 and t.shape[0] is not None and t.shape[0] != 4:
        raise _fail(op, f"Dimension must be 4 but is {t.shape[0]}")
    if s.rank is None:
        return [None] * 4
    if s.rank != 4:
        raise _fail(op, f"sizes must have 4 elements, got {s.rank}")
    dims = s.as_list()
    if any(d is not None and d < 0 for d in dims):
        raise _fail(op, f"sizes must be non-negative, got {dims}")
    return dims


def _conv_backprop_filter_shape(op: Any) -> List[_ts.TensorShape]:
    fmt, strides, dil, padding, pads = _conv_attrs(op)
    x = _with_rank(op, op.inputs[0].shape, 4)
    f = _sizes4(op, op.inputs[1])
    dy = _with_rank(op, op.inputs[2].shape, 4)
    h, w, c = _spatial(fmt)
    depthwise = op.type == "DepthwiseConv2dNativeBackpropFilter"
    f[2] = _merge_dim(op, f[2], x[c], "Depth of input and filter")
    _merge_dim(op, x[0], dy[0], "Batch sizes")
    if depthwise:
        if f[2] is not None and f[3] is not None:
            _merge_dim(op, dy[c], f[2] * f[3], "Depth of out_backprop and in_depth * depth_multiplier")
    else:
        f[3] = _merge_dim(op, f[3], dy[c], "Depth of out_backprop and filter")
    oh, ow = _conv_out_dims(op, fmt, strides, dil, padding, pads, x[h], x[w], f[0], f[1])
    _merge_dim(op, oh, dy[h], "Computed output height and out_backprop height")
    _merge_dim(op, ow, dy[w], "Computed output width and out_backprop width")
    return [_ts.TensorShape(f)]


def _depthwise_backprop_input_shape(op: Any) -> List[_ts.TensorShape]:
    fmt, strides, dil, padding, pads = _conv_attrs(op)
    s = _sizes4(op, op.inputs[0])
    f = _with_rank(op, op.inputs[1].shape, 4)
    dy = _with_rank(op, op.inputs[2].shape, 4)
    h, w, c = _spatial(fmt)
    s[c] = _merge_dim(op, s[c], f[2], "Depth of input and filter")
    s[0] = _merge_dim(op, s[0], dy[0], "Batch sizes")
    if s[c] is not None and f[3] is not None:
        _merge_dim(op, dy[c], s[c] * f[3], "Depth of out_backprop and in_depth * depth_multiplier")
    oh, ow = _conv_out_dims(op, fmt, strides, dil, padding, pads, s[h], s[w], f[0], f[1])
    _merge_dim(op, oh, dy[h], "Computed output height and out_backprop height")
    _merge_dim(op, ow, dy[w], "Computed output width and out_backprop width")
    return [_ts.TensorShape(s)]


class _ShapeOnly:
    def __init__(self, shape: _ts.TensorShape):
        self.shape = shape


class _PoolView:
    """``op`` seen by nn_ops' pooling shape function with another first input shape."""

    def __init__(self, op: Any, x_shape: _ts.TensorShape):
        self._op = op
        self._node_def = op._node_def
        self.name = op.name
        self.type = op.type
        self.inputs = [_ShapeOnly(x_shape)] + list(op.inputs[1:])

    def get_attr(self, name: str) -> Any:
        return self._op.get_attr(name)


def _pooled_shape(op: Any, x_shape: _ts.TensorShape) -> _ts.TensorShape:
    return _pool_shape(_PoolView(op, x_shape))[0]


def _max_pool_grad_shape(op: Any) -> List[_ts.TensorShape]:
    x = _ts.TensorShape(_with_rank(op, op.inputs[0].shape, 4)) if op.inputs[0].shape.rank is not None \
        else _ts.unknown_shape(4)
    pooled = _pooled_shape(op, x)
    for i, what in ((1, "orig_output"), (2, "grad")):
        if op.type == "MaxPoolGradGrad" and i == 2:
            try:
                x = x.merge_with(op.inputs[2].shape)
            except ValueError:
                raise _fail(op, f"grad must have the shape of orig_input {x}, got {op.inputs[2].shape}") from None
            continue
        try:
            pooled = pooled.merge_with(op.inputs[i].shape)
        except ValueError:
            raise _fail(op, f"{what} must have the pooled shape {pooled}, got {op.inputs[i].shape}") from None
    return [pooled if op.type == "MaxPoolGradGrad" else x]


def _avg_pool_grad_shape(op: Any) -> List[_ts.TensorShape]:
    s = _ts.TensorShape(_sizes4(op, op.inputs[0]))
    _with_rank(op, op.inputs[1].shape, 4)
    pooled = _pooled_shape(op, s)
    try:
        pooled.merge_with(op.inputs[1].shape)
    except ValueError:
        raise _fail(op, f"grad must have the pooled shape {pooled}, got {op.inputs[1].shape}") from None
    return [s]


def _fused_bn_grad_shape(op: Any) -> List[_ts.TensorShape]:
    fmt = _str_attr(op, "data_format", "NHWC")
    if fmt not in ("NHWC", "NCHW"):
        raise _fail(op, f"Invalid data format: {fmt}")
    dy = _ts.TensorShape(_with_rank(op, op.inputs[0].shape, 4)) if op.inputs[0].shape.rank is not None \
        else _ts.unknown_shape(4)
    x = _ts.TensorShape(_with_rank(op, op.inputs[1].shape, 4)) if op.inputs[1].shape.rank is not None \
        else _ts.unknown_shape(4)
    try:
        x = x.merge_with(dy)
    except ValueError:
        raise _fail(op, f"x and y_backprop must have same shape, but x has shape {x} and y_backprop has shape "
                        f"{dy}") from None
    c = x.as_list()[_spatial(fmt)[2]]
    for i in range(2, 5):
        v = _with_rank(op, op.inputs[i].shape, 1)
        c = _merge_dim(op, c, v[0], "Dimensions")
    return [x, _ts.TensorShape([c]), _ts.TensorShape([c]), _ts.TensorShape([0]), _ts.TensorShape([0])]


def _fused_bn_grad_types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
    return [inputs[1].dtype] + [inputs[2].dtype] * 4


def _lrn_grad_shape(op: Any) -> List[_ts.TensorShape]:
    s = _ts.unknown_shape(4)
    for t in op.inputs:
        _with_rank(op, t.shape, 4)
        try:
            s = s.merge_with(t.shape)
        except ValueError:
            raise _fail(op, "input_grads, input_image, and out_image should have the same shape") from None
    return [s]


def _mirror_pad_grad_shape(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    ps = op.inputs[1].shape
    if ps.rank is not None and ps.rank != 2:
        raise _fail(op, f"paddings must be a matrix, got rank {ps.rank}")
    if ps.rank == 2 and ps[1] is not None and ps[1] != 2:
        raise _fail(op, f"paddings must have 2 columns, got {ps[1]}")
    r = s.rank if s.rank is not None else (ps[0] if ps.rank == 2 else None)
    if r is None:
        return [_ts.unknown_shape()]
    if ps.rank == 2 and ps[0] is not None and ps[0] != r:
        raise _fail(op, f"The first dimension of paddings must be the rank of inputs {ps[0]} vs {r}")
    p = _tu.constant_value(op.inputs[1])
    if p is None:
        return [_ts.unknown_shape(r)]
    p = np.asarray(p).reshape(-1, 2)
    if (p < 0).any():
        raise _fail(op, f"Paddings must be non-negative: {p.tolist()}")
    off = 1 if op.get_attr("mode") in (b"REFLECT", "REFLECT") else 0
    dims = s.as_list() if s.rank is not None else [None] * r
    out = []
    for (lo, hi), d in zip(p.tolist(), dims):
        if d is None:
            out.append(None)
            continue
        o = d - lo - hi
        if o < 0 or lo > o - off or hi > o - off:
            raise _fail(op, f"paddings {lo}, {hi} are too large for the output dimension size {o}")
        out.append(o)
    return [_ts.TensorShape(out)]


def _register() -> None:
    _reg.register("Conv2DBackpropFilter", _reg.input_type(0), _conv_backprop_filter_shape)
    _reg.register("DepthwiseConv2dNativeBackpropFilter", _reg.input_type(0), _conv_backprop_filter_shape)
    _reg.register("DepthwiseConv2dNativeBackpropInput", _reg.input_type(2), _depthwise_backprop_input_shape)
    _reg.register("MaxPoolGrad", _reg.input_type(0), _max_pool_grad_shape)
    _reg.register("MaxPoolGradGrad", _reg.input_type(0), _max_pool_grad_shape)
    _reg.register("AvgPoolGrad", _reg.input_type(1), _avg_pool_grad_shape)
    for name in ("FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3"):
        _reg.register(name, _fused_bn_grad_types, _fused_bn_grad_shape)
    _reg.register("LRNGrad", _reg.input_type(0), _lrn_grad_shape)
    _reg.register("MirrorPadGrad", _reg.input_type(0), _mirror_pad_grad_shape)
    _reg.register("Digamma", _reg.input_type(0), _reg.unchanged_shape)


_register()
