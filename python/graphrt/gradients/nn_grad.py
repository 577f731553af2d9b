"""Gradients of the neural-network family: softmax and cross entropies, L2Loss, BiasAdd, Conv2D and
DepthwiseConv2dNative (input and filter) and their backprop ops, pooling, fused batch norm, LRN.

The backward passes run TF's backward kernels (Conv2DBackpropInput/Filter,
DepthwiseConv2dNativeBackpropInput/Filter, MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad,
FusedBatchNormGrad*, LRNGrad; see ops/nn_grad_ops.py). The backward ops are differentiable in turn
(second derivatives), as in TF; FusedBatchNormGrad's gradient differentiates a composite of the same
formula.
"""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import dtypes as _dtypes
from graphrt.gradients import _util as u
from graphrt.gradients.indexed_slices import to_dense
from graphrt.gradients.registry import RegisterGradient
from graphrt.ops import array_ops, math_ops, nn_grad_ops

def _attr(op: Any, name: str, default: Any = None) -> Any:
    if name not in op._node_def.attr:
        return default
    v = op.get_attr(name)
    return v.decode() if isinstance(v, bytes) else v


def _expand_last(t: Any) -> Any:
    return array_ops.expand_dims(t, -1)


# ---- softmax family --------------------------------------------------------------------------------

def _softmax_axis(op: Any) -> int:
    return int(_attr(op, "axis", -1))


@RegisterGradient("Softmax")
def _softmax_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    axis = _softmax_axis(op)
    s = math_ops.reduce_sum(math_ops.multiply(grad, y), axis, keepdims=True)
    return [math_ops.multiply(math_ops.subtract(grad, s), y)]


@RegisterGradient("LogSoftmax")
def _log_softmax_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    axis = _softmax_axis(op)
    s = math_ops.reduce_sum(grad, axis, keepdims=True)
    return [math_ops.subtract(grad, math_ops.multiply(math_ops.exp(y), s))]


def _is_zeros(t: Any) -> bool:
    return t is None or getattr(t, "_is_zeros_tensor", False)


def _softmax_jvp_term(logits: Any, grad_grad: Any) -> Any:
    from graphrt.ops import nn_ops
    sm = nn_ops.softmax(logits)
    s = math_ops.reduce_sum(math_ops.multiply(grad_grad, sm), -1, keepdims=True)
    return math_ops.multiply(math_ops.subtract(grad_grad, s), sm)


@RegisterGradient("SoftmaxCrossEntropyWithLogits")
def _xent_grad(op: Any, grad_loss: Any, grad_grad: Any) -> List[Any]:
    from graphrt.ops import nn_ops
    logits = op.inputs[0]
    g = math_ops.multiply(_expand_last(grad_loss), op.outputs[1])
    if not _is_zeros(grad_grad):
        g = math_ops.add(g, _softmax_jvp_term(logits, grad_grad))
    labels_grad = math_ops.multiply(_expand_last(grad_loss), math_ops.negative(nn_ops.log_softmax(logits)))
    return [g, labels_grad]


@RegisterGradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent_grad(op: Any, grad_loss: Any, grad_grad: Any) -> List[Any]:
    logits = op.inputs[0]
    g = math_ops.multiply(_expand_last(grad_loss), op.outputs[1])
    if not _is_zeros(grad_grad):
        g = math_ops.add(g, _softmax_jvp_term(logits, grad_grad))
    return [g, None]


@RegisterGradient("L2Loss")
def _l2_loss_grad(op: Any, grad: Any) -> List[Any]:
    return [math_ops.multiply(op.inputs[0], grad)]


@RegisterGradient("BiasAdd")
def _bias_add_grad(op: Any, grad: Any) -> List[Any]:
    grad = to_dense(grad)
    fmt = _attr(op, "data_format", "NHWC")
    rank = grad.shape.rank if grad.shape.rank is not None else op.inputs[0].shape.rank
    if fmt == "NCHW":
        if rank is None:
            raise NotImplementedError("The gradient of BiasAdd (NCHW) needs a known rank")
        axes = [0] + list(range(2, rank))
        bias_grad = math_ops.reduce_sum(grad, axes)
    elif rank is not None:
        bias_grad = math_ops.reduce_sum(grad, list(range(rank - 1)))
    else:
        c = u.shape_of(op.inputs[1])
        bias_grad = math_ops.reduce_sum(array_ops.reshape(grad, array_ops.concat([[-1], c], 0)), 0)
    return [grad, bias_grad]


# ---- convolution -----------------------------------------------------------------------------------

def _shape_i32(t: Any) -> Any:
    return u.shape_of(t, _dtypes.int32)


def _conv_kwargs(op: Any) -> dict:
    fmt = _attr(op, "data_format", "NHWC")
    padding = _attr(op, "padding", "VALID")
    explicit = list(_attr(op, "explicit_paddings", []) or [])
    if padding == "EXPLICIT":
        padding = [explicit[2 * i:2 * i + 2] for i in range(4)]
    return {"strides": list(op.get_attr("strides")), "padding": padding, "data_format": fmt,
            "dilations": list(_attr(op, "dilations", [1, 1, 1, 1]))}


def _conv2d_op(x: Any, f: Any, kw: dict) -> Any:
    from graphrt.ops import nn_ops
    return nn_ops.conv2d(x, f, kw["strides"], kw["padding"], data_format=kw["data_format"], dilations=kw["dilations"])


def _conv2d_backprop_input_op(sizes: Any, f: Any, dy: Any, kw: dict) -> Any:
    from graphrt.ops import nn_ops
    return nn_ops.conv2d_backprop_input(sizes, f, dy, kw["strides"], kw["padding"], data_format=kw["data_format"],
                                        dilations=kw["dilations"])


@RegisterGradient("Conv2D")
def _conv2d_grad(op: Any, grad: Any) -> List[Any]:
    x, f = op.inputs
    grad = to_dense(grad)
    kw = _conv_kwargs(op)
    return [_conv2d_backprop_input_op(_shape_i32(x), f, grad, kw),
            nn_grad_ops.conv2d_backprop_filter(x, _shape_i32(f), grad, **kw)]


@RegisterGradient("Conv2DBackpropInput")
def _conv2d_backprop_input_grad(op: Any, grad: Any) -> List[Any]:
    _, f, dy = op.inputs
    grad = to_dense(grad)
    kw = _conv_kwargs(op)
    return [None, nn_grad_ops.conv2d_backprop_filter(grad, _shape_i32(f), dy, **kw), _conv2d_op(grad, f, kw)]


@RegisterGradient("Conv2DBackpropFilter")
def _conv2d_backprop_filter_grad(op: Any, grad: Any) -> List[Any]:
    x, _, dy = op.inputs
    grad = to_dense(grad)
    kw = _conv_kwargs(op)
    return [_conv2d_backprop_input_op(_shape_i32(x), grad, dy, kw), None, _conv2d_op(x, grad, kw)]


def _depthwise_op(x: Any, f: Any, kw: dict) -> Any:
    from graphrt.ops import nn_ops
    padding = kw["padding"]
    return nn_ops.depthwise_conv2d_native(x, f, kw["strides"], padding, data_format=kw["data_format"],
                                          dilations=kw["dilations"])


@RegisterGradient("DepthwiseConv2dNative")
def _depthwise_grad(op: Any, grad: Any) -> List[Any]:
    x, f = op.inputs
    grad = to_dense(grad)
    kw = _conv_kwargs(op)
    return [nn_grad_ops.depthwise_conv2d_native_backprop_input(_shape_i32(x), f, grad, **kw),
            nn_grad_ops.depthwise_conv2d_native_backprop_filter(x, _shape_i32(f), grad, **kw)]


@RegisterGradient("DepthwiseConv2dNativeBackpropInput")
def _depthwise_backprop_input_grad(op: Any, grad: Any) -> List[Any]:
    _, f, dy = op.inputs
    grad = to_dense(grad)
    kw = _conv_kwargs(op)
    return [None, nn_grad_ops.depthwise_conv2d_native_backprop_filter(grad, _shape_i32(f), dy, **kw),
            _depthwise_op(grad, f, kw)]


@RegisterGradient("DepthwiseConv2dNativeBackpropFilter")
def _depthwise_backprop_filter_grad(op: Any, grad: Any) -> List[Any]:
    x, _, dy = op.inputs
    grad = to_dense(grad)
    kw = _conv_kwargs(op)
    return [nn_grad_ops.depthwise_conv2d_native_backprop_input(_shape_i32(x), grad, dy, **kw), None,
            _depthwise_op(x, grad, kw)]


# ---- pooling ---------------------------------------------------------------------------------------

@RegisterGradient("MaxPool")
def _max_pool_grad(op: Any, grad: Any) -> List[Any]:
    return [nn_grad_ops.max_pool_grad(op.inputs[0], op.outputs[0], to_dense(grad), nn_grad_ops._pool_attrs(op))]


@RegisterGradient("MaxPoolGrad")
def _max_pool_grad_grad(op: Any, grad: Any) -> List[Any]:
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            nn_grad_ops.max_pool_grad_grad(x, y, to_dense(grad), nn_grad_ops._pool_attrs(op))]


@RegisterGradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op: Any, grad: Any) -> List[Any]:
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            nn_grad_ops.max_pool_grad(x, y, to_dense(grad), nn_grad_ops._pool_attrs(op))]


@RegisterGradient("AvgPool")
def _avg_pool_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    return [nn_grad_ops.avg_pool_grad(_shape_i32(x), to_dense(grad), nn_grad_ops._pool_attrs(op))]


@RegisterGradient("AvgPoolGrad")
def _avg_pool_grad_grad(op: Any, grad: Any) -> List[Any]:
    a = nn_grad_ops._pool_attrs(op)
    g = to_dense(grad)
    return [None, g.graph.create_op("AvgPool", [g], name="AvgPool", attrs=dict(a, T=g.dtype)).outputs[0]]


# ---- LRN -------------------------------------------------------------------------------------------

@RegisterGradient("LRN")
def _lrn_grad(op: Any, grad: Any) -> List[Any]:
    return [nn_grad_ops.lrn_grad(to_dense(grad), op.inputs[0], op.outputs[0], _attr(op, "depth_radius", 5),
                                 _attr(op, "bias", 1.0), _attr(op, "alpha", 1.0), _attr(op, "beta", 0.5))]


# ---- fused batch norm ------------------------------------------------------------------------------

def _bn_composite(x: Any, scale: Any, dy: Any, mean: Any, var: Any, eps: float, fmt: str,
                  training: bool) -> List[Any]:
    """(dx, dscale, doffset) of fused batch norm as ordinary ops; in training mode the statistics are
    recomputed from ``x`` (so the result is differentiable in x through them)."""
    u_dtype = scale.dtype
    axes = [0, 2, 3] if fmt == "NCHW" else [0, 1, 2]

    def vec(t: Any) -> Any:  # a per-channel vector, broadcastable against x
        return array_ops.reshape(t, [1, -1, 1, 1]) if fmt == "NCHW" else t

    xf = x if x.dtype == u_dtype else math_ops.cast(x, u_dtype)
    dyf = dy if dy.dtype == u_dtype else math_ops.cast(dy, u_dtype)
    if training:
        m = math_ops.reduce_mean(xf, axes, keepdims=True)
        xc = math_ops.subtract(xf, m)
        v = math_ops.reduce_mean(math_ops.square(xc), axes, keepdims=True)
        rstd = math_ops.rsqrt(math_ops.add(v, u.const(eps, u_dtype)))
        x_hat = math_ops.multiply(xc, rstd)
        dscale = math_ops.reduce_sum(math_ops.multiply(dyf, x_hat), axes)
        doffset = math_ops.reduce_sum(dyf, axes)
        mean_dy = math_ops.reduce_mean(dyf, axes, keepdims=True)
        mean_dy_xhat = math_ops.reduce_mean(math_ops.multiply(dyf, x_hat), axes, keepdims=True)
        inner = math_ops.subtract(math_ops.subtract(dyf, mean_dy), math_ops.multiply(x_hat, mean_dy_xhat))
        dx = math_ops.multiply(math_ops.multiply(vec(scale), rstd), inner)
    else:
        rstd = math_ops.rsqrt(math_ops.add(var, u.const(eps, u_dtype)))
        x_hat = math_ops.multiply(math_ops.subtract(xf, vec(mean)), vec(rstd))
        dscale = math_ops.reduce_sum(math_ops.multiply(dyf, x_hat), axes)
        doffset = math_ops.reduce_sum(dyf, axes)
        dx = math_ops.multiply(dyf, vec(math_ops.multiply(scale, rstd)))
    if dx.dtype != x.dtype:
        dx = math_ops.cast(dx, x.dtype)
    return [dx, dscale, doffset]


def _fused_batch_norm_grad(op: Any, *grads: Any) -> List[Any]:
    x, scale, offset, mean, var = op.inputs
    dy = to_dense(grads[0])
    fmt = _attr(op, "data_format", "NHWC")
    eps = float(_attr(op, "epsilon", 1e-4))
    training = bool(_attr(op, "is_training", True))
    if training:
        r1, r2 = op.outputs[3], op.outputs[4]
    else:
        r1, r2 = mean, var
    if op.type == "FusedBatchNormV3":
        outs = nn_grad_ops.fused_batch_norm_grad("FusedBatchNormGradV3", dy, x, scale, r1, r2, op.outputs[5], eps,
                                                 fmt, training)
    else:
        outs = nn_grad_ops.fused_batch_norm_grad("FusedBatchNormGradV2", dy, x, scale, r1, r2, None, eps, fmt,
                                                 training)
    return [outs[0], outs[1], outs[2], None, None]


for _t in ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"):
    RegisterGradient(_t)(_fused_batch_norm_grad)


def _fused_batch_norm_grad_grad(op: Any, *grads: Any) -> List[Any]:
    """Second derivatives: the VJP of the composite formula of FusedBatchNormGrad."""
    from graphrt.gradients.gradients_impl import gradients
    dy, x, scale, r1, r2 = op.inputs[:5]
    fmt = _attr(op, "data_format", "NHWC")
    eps = float(_attr(op, "epsilon", 1e-4))
    training = bool(_attr(op, "is_training", True))
    ys, gys = [], []
    # Fresh identities, so the inner tf.gradients sees partial derivatives only (no path from x to dy
    # through the forward graph).
    dy, x, scale = (array_ops.identity(t) for t in (dy, x, scale))
    outs = _bn_composite(x, scale, dy, r1, r2, eps, fmt, training)
    for y, g in zip(outs, grads[:3]):
        if g is not None and not getattr(g, "_is_zeros_tensor", False):
            ys.append(y)
            gys.append(to_dense(g))
    rest = [None] * (len(op.inputs) - 3)
    if not ys:
        return [None, None, None] + rest
    d_dy, d_x, d_scale = gradients(ys, [dy, x, scale], grad_ys=gys)
    return [d_dy, d_x, d_scale] + rest


for _t in ("FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3"):
    RegisterGradient(_t)(_fused_batch_norm_grad_grad)
