"""Gradients of the math family: elementwise unary/binary ops (with broadcasting), Cast, AddN,
Select, clipping, reductions and scans."""
from __future__ import annotations

import math
from typing import Any, List

from graphrt.framework import dtypes as _dtypes
from graphrt.gradients import _util as u
from graphrt.gradients.registry import NoGradient, RegisterGradient
from graphrt.ops import array_ops, math_ops


def _mul(a: Any, b: Any) -> Any:
    return math_ops.multiply(a, b)


def _zeros(x: Any) -> Any:
    return array_ops.zeros_like(x)


# ---- not differentiable ----------------------------------------------------------------------------

for _t in ("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr",
           "LogicalNot", "IsNan", "IsInf", "IsFinite", "ArgMax", "ArgMin", "Shape", "Size", "Rank", "Range",
           "ZerosLike", "OnesLike", "TruncateDiv", "All", "Any", "Const", "Placeholder", "NoOp", "StopGradient",
           "RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal", "Multinomial",
           "InTopKV2", "OneHot", "Where", "Assert", "PrintV2", "StringFormat", "StringJoin", "InvertPermutation"):
    NoGradient(_t)


# ---- unary -----------------------------------------------------------------------------------------

@RegisterGradient("Neg")
def _neg_grad(op: Any, grad: Any) -> List[Any]:
    return [math_ops.negative(grad)]


@RegisterGradient("Abs")
def _abs_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, math_ops.sign(op.inputs[0]))]


@RegisterGradient("Sign")
def _sign_grad(op: Any, grad: Any) -> List[Any]:
    return [_zeros(op.inputs[0])]


for _t in ("Floor", "Ceil", "Round", "Rint"):
    RegisterGradient(_t)(lambda op, grad: [None])


@RegisterGradient("Square")
def _square_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    return [_mul(grad, _mul(u.scalar_like(x, 2.0), x))]


@RegisterGradient("Sqrt")
def _sqrt_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    return [math_ops.divide(_mul(grad, u.scalar_like(y, 0.5)), y)]


@RegisterGradient("Rsqrt")
def _rsqrt_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    return [_mul(_mul(grad, u.scalar_like(y, -0.5)), _mul(math_ops.square(y), y))]


@RegisterGradient("Exp")
def _exp_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, op.outputs[0])]


@RegisterGradient("Expm1")
def _expm1_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, math_ops.exp(op.inputs[0]))]


@RegisterGradient("Log")
def _log_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, math_ops.reciprocal(op.inputs[0]))]


@RegisterGradient("Log1p")
def _log1p_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    return [_mul(grad, math_ops.reciprocal(math_ops.add(u.scalar_like(x, 1.0), x)))]


@RegisterGradient("Reciprocal")
def _reciprocal_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    return [_mul(math_ops.negative(grad), math_ops.square(y))]


@RegisterGradient("Tanh")
def _tanh_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    return [_mul(grad, math_ops.subtract(u.scalar_like(y, 1.0), math_ops.square(y)))]


@RegisterGradient("Sigmoid")
def _sigmoid_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    return [_mul(grad, _mul(y, math_ops.subtract(u.scalar_like(y, 1.0), y)))]


@RegisterGradient("Sin")
def _sin_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, math_ops.cos(op.inputs[0]))]


@RegisterGradient("Cos")
def _cos_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(math_ops.negative(grad), math_ops.sin(op.inputs[0]))]


@RegisterGradient("Tan")
def _tan_grad(op: Any, grad: Any) -> List[Any]:
    secx = math_ops.reciprocal(math_ops.cos(op.inputs[0]))
    return [_mul(grad, math_ops.square(secx))]


@RegisterGradient("Asin")
def _asin_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    return [_mul(grad, math_ops.rsqrt(math_ops.subtract(u.scalar_like(x, 1.0), math_ops.square(x))))]


@RegisterGradient("Acos")
def _acos_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    return [_mul(math_ops.negative(grad),
                 math_ops.rsqrt(math_ops.subtract(u.scalar_like(x, 1.0), math_ops.square(x))))]


@RegisterGradient("Atan")
def _atan_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    return [_mul(grad, math_ops.reciprocal(math_ops.add(u.scalar_like(x, 1.0), math_ops.square(x))))]


@RegisterGradient("Sinh")
def _sinh_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, math_ops.cosh(op.inputs[0]))]


@RegisterGradient("Cosh")
def _cosh_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, math_ops.sinh(op.inputs[0]))]


def _erf_deriv(x: Any) -> Any:
    two_over_root_pi = u.scalar_like(x, 2.0 / math.sqrt(math.pi))
    return _mul(two_over_root_pi, math_ops.exp(math_ops.negative(math_ops.square(x))))


@RegisterGradient("Erf")
def _erf_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, _erf_deriv(op.inputs[0]))]


@RegisterGradient("Erfc")
def _erfc_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(math_ops.negative(grad), _erf_deriv(op.inputs[0]))]


@RegisterGradient("Lgamma")
def _lgamma_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import nn_grad_ops
    return [_mul(grad, nn_grad_ops.digamma(op.inputs[0]))]


@RegisterGradient("Softplus")
def _softplus_grad(op: Any, grad: Any) -> List[Any]:
    return [_mul(grad, math_ops.sigmoid(op.inputs[0]))]


@RegisterGradient("Softsign")
def _softsign_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    d = math_ops.add(u.scalar_like(x, 1.0), math_ops.abs(x))
    return [math_ops.divide(grad, math_ops.square(d))]


@RegisterGradient("Relu")
def _relu_grad(op: Any, grad: Any) -> List[Any]:
    # One ReluGrad node, as in TF (not Greater + ZerosLike + Select: three passes and two buffers).
    return [math_ops._binary("ReluGrad", grad, op.outputs[0], None)]


@RegisterGradient("ReluGrad")
def _relu_grad_grad(op: Any, grad: Any) -> List[Any]:
    features = op.inputs[1]
    return [math_ops._binary("ReluGrad", grad, features, None), _zeros(features)]


@RegisterGradient("Relu6")
def _relu6_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    inside = math_ops.logical_and(math_ops.greater(x, u.scalar_like(x, 0)), math_ops.less(x, u.scalar_like(x, 6)))
    return [math_ops.select(inside, grad, _zeros(grad))]


@RegisterGradient("Elu")
def _elu_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    neg = math_ops.less(y, u.scalar_like(y, 0))
    return [math_ops.select(neg, _mul(grad, math_ops.add(y, u.scalar_like(y, 1.0))), grad)]


_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


@RegisterGradient("Selu")
def _selu_grad(op: Any, grad: Any) -> List[Any]:
    y = op.outputs[0]
    neg = math_ops.less(y, u.scalar_like(y, 0))
    return [math_ops.select(neg, _mul(grad, math_ops.add(y, u.scalar_like(y, _SELU_SCALE * _SELU_ALPHA))),
                            _mul(grad, u.scalar_like(y, _SELU_SCALE)))]


@RegisterGradient("LeakyRelu")
def _leaky_relu_grad(op: Any, grad: Any) -> List[Any]:
    x = op.inputs[0]
    alpha = op.get_attr("alpha") if "alpha" in op._node_def.attr else 0.2
    return [math_ops.select(math_ops.greater(x, u.scalar_like(x, 0)), grad, _mul(grad, u.scalar_like(x, alpha)))]


for _t in ("Identity", "Snapshot", "PlaceholderWithDefault"):
    RegisterGradient(_t)(lambda op, grad: [grad])


@RegisterGradient("IdentityN")
def _identity_n_grad(op: Any, *grads: Any) -> List[Any]:
    return list(grads)


@RegisterGradient("CheckNumerics")
def _check_numerics_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import debug_ops
    msg = op.get_attr("message") if "message" in op._node_def.attr else b""
    msg = msg.decode() if isinstance(msg, bytes) else msg
    return [debug_ops.check_numerics(grad, "Not a number (NaN) or infinity (Inf) values detected in gradient. "
                                     + msg)]


@RegisterGradient("Print")
def _print_grad(op: Any, *grads: Any) -> List[Any]:
    return [grads[0]] + [None] * (len(op.inputs) - 1)


@RegisterGradient("Cast")
def _cast_grad(op: Any, grad: Any) -> List[Any]:
    src = op.inputs[0].dtype
    if src.is_floating and op.outputs[0].dtype.is_floating:
        return [math_ops.cast(grad, src)]
    return [None]


@RegisterGradient("AddN")
def _add_n_grad(op: Any, grad: Any) -> List[Any]:
    return [grad] * len(op.inputs)


# ---- binary (broadcasting) -------------------------------------------------------------------------

def _binary(op: Any, gx: Any, gy: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    return [u.unbroadcast(gx, x, [y.shape]), u.unbroadcast(gy, y, [x.shape])]


@RegisterGradient("Add")
def _add_grad(op: Any, grad: Any) -> List[Any]:
    return _binary(op, grad, grad)


RegisterGradient("AddV2")(_add_grad)


@RegisterGradient("Sub")
def _sub_grad(op: Any, grad: Any) -> List[Any]:
    return _binary(op, grad, math_ops.negative(grad))


@RegisterGradient("Mul")
def _mul_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    return _binary(op, _mul(grad, y), _mul(x, grad))


@RegisterGradient("RealDiv")
def _real_div_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    gx = math_ops.divide(grad, y)
    gy = _mul(grad, math_ops.divide(math_ops.divide(math_ops.negative(x), y), y))
    return _binary(op, gx, gy)


RegisterGradient("Div")(_real_div_grad)


@RegisterGradient("DivNoNan")
def _div_no_nan_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    gx = math_ops.div_no_nan(grad, y)
    gy = _mul(grad, math_ops.div_no_nan(math_ops.div_no_nan(math_ops.negative(x), y), y))
    return _binary(op, gx, gy)


@RegisterGradient("FloorDiv")
def _floor_div_grad(op: Any, grad: Any) -> List[Any]:
    return [None, None]


@RegisterGradient("FloorMod")
def _floor_mod_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    q = math_ops.floor(math_ops.divide(x, y))
    return _binary(op, grad, _mul(grad, math_ops.negative(q)))


@RegisterGradient("TruncateMod")
def _truncate_mod_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    r = math_ops.divide(x, y)
    q = math_ops.multiply(math_ops.sign(r), math_ops.floor(math_ops.abs(r)))
    return _binary(op, grad, _mul(grad, math_ops.negative(q)))


@RegisterGradient("Pow")
def _pow_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    z = op.outputs[0]
    gx = _mul(grad, _mul(y, math_ops.pow(x, math_ops.subtract(y, u.scalar_like(y, 1.0)))))
    mask = math_ops.greater(x, u.scalar_like(x, 0))
    safe_x = math_ops.select(mask, x, array_ops.ones_like(x))
    log_x = math_ops.select(mask, math_ops.log(safe_x), _zeros(x))
    gy = _mul(grad, _mul(z, log_x))
    return _binary(op, gx, gy)


@RegisterGradient("SquaredDifference")
def _squared_difference_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    d = _mul(_mul(u.scalar_like(grad, 2.0), grad), math_ops.subtract(x, y))
    return _binary(op, d, math_ops.negative(d))


@RegisterGradient("Atan2")
def _atan2_grad(op: Any, grad: Any) -> List[Any]:
    y, x = op.inputs[0], op.inputs[1]
    inv = math_ops.divide(grad, math_ops.add(math_ops.square(x), math_ops.square(y)))
    return [u.unbroadcast(_mul(x, inv), y, [x.shape]), u.unbroadcast(_mul(math_ops.negative(y), inv), x, [y.shape])]


def _max_min_grad(op: Any, grad: Any, cmp: Any) -> List[Any]:
    x, y = op.inputs[0], op.inputs[1]
    xmask = cmp(x, y)
    zeros = _zeros(grad)
    return _binary(op, math_ops.where_v2(xmask, grad, zeros), math_ops.where_v2(xmask, zeros, grad))


@RegisterGradient("Maximum")
def _maximum_grad(op: Any, grad: Any) -> List[Any]:
    return _max_min_grad(op, grad, math_ops.greater_equal)


@RegisterGradient("Minimum")
def _minimum_grad(op: Any, grad: Any) -> List[Any]:
    return _max_min_grad(op, grad, math_ops.less_equal)


@RegisterGradient("Select")
def _select_grad(op: Any, grad: Any) -> List[Any]:
    c, x = op.inputs[0], op.inputs[1]
    zeros = _zeros(x)
    return [None, math_ops.select(c, grad, zeros), math_ops.select(c, zeros, grad)]


@RegisterGradient("SelectV2")
def _select_v2_grad(op: Any, grad: Any) -> List[Any]:
    c, x, y = op.inputs
    zeros = _zeros(grad)
    gx = math_ops.where_v2(c, grad, zeros)
    gy = math_ops.where_v2(c, zeros, grad)
    return [None, u.unbroadcast(gx, x, [c.shape, y.shape]), u.unbroadcast(gy, y, [c.shape, x.shape])]


@RegisterGradient("ClipByValue")
def _clip_by_value_grad(op: Any, grad: Any) -> List[Any]:
    x, lo, hi = op.inputs
    zeros = _zeros(grad)
    below = math_ops.less(x, lo)
    above = math_ops.greater(x, hi)
    gx = math_ops.where_v2(math_ops.logical_or(below, above), zeros, grad)
    glo = math_ops.where_v2(below, grad, zeros)
    ghi = math_ops.where_v2(above, grad, zeros)
    return [u.unbroadcast(gx, x, [lo.shape, hi.shape]), u.unbroadcast(glo, lo, [x.shape, hi.shape]),
            u.unbroadcast(ghi, hi, [x.shape, lo.shape])]


# ---- reductions ------------------------------------------------------------------------------------

def _expand_reduced(op: Any, grad: Any) -> Any:
    """grad of a reduction reshaped to keep-dims form and broadcast to the input's shape."""
    x, axes = op.inputs[0], op.inputs[1]
    kept = u.kept_dims_shape(x, axes)
    g = array_ops.reshape(grad, kept)
    return u.broadcast_to_like(g, x)


@RegisterGradient("Sum")
def _sum_grad(op: Any, grad: Any) -> List[Any]:
    return [_expand_reduced(op, grad), None]


@RegisterGradient("Mean")
def _mean_grad(op: Any, grad: Any) -> List[Any]:
    x, y = op.inputs[0], op.outputs[0]
    g = _expand_reduced(op, grad)
    nx, ny = x.shape.num_elements(), y.shape.num_elements()
    if nx is not None and ny is not None:
        factor = u.const(nx // max(ny, 1), grad.dtype)
    else:
        factor = math_ops.cast(math_ops.maximum(math_ops.floordiv(array_ops.size(x),
                                                                  math_ops.maximum(array_ops.size(y), 1)), 1),
                               grad.dtype)
    return [math_ops.divide(g, factor), None]


def _min_or_max_grad(op: Any, grad: Any) -> List[Any]:
    x, axes = op.inputs[0], op.inputs[1]
    kept = u.kept_dims_shape(x, axes)
    y = array_ops.reshape(op.outputs[0], kept)
    g = array_ops.reshape(grad, kept)
    indicators = math_ops.cast(math_ops.equal(y, x), grad.dtype)
    num_selected = array_ops.reshape(math_ops.reduce_sum(indicators, axes), kept)
    return [_mul(math_ops.divide(indicators, num_selected), g), None]


RegisterGradient("Max")(_min_or_max_grad)
RegisterGradient("Min")(_min_or_max_grad)


@RegisterGradient("Prod")
def _prod_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import indexing_ops, linalg_ops
    x, axes_t = op.inputs[0], op.inputs[1]
    rank = x.shape.rank
    axes = u.static_int_list(axes_t)
    if rank is None or axes is None:
        raise NotImplementedError("The gradient of Prod needs a known input rank and constant axes")
    red = u.normalize_axes(axes, rank)
    other = [i for i in range(rank) if i not in red]
    perm = red + other
    g = _expand_reduced(op, grad)
    permuted = linalg_ops.transpose(x, perm)
    permuted_shape = array_ops.shape(permuted)
    shp = array_ops.shape(x)

    def count(dims: List[int]) -> Any:
        if not dims:
            return u.const(1, _dtypes.int32)
        return math_ops.reduce_prod(indexing_ops.gather(shp, u.const(dims, _dtypes.int32)))

    reduced_num, other_num = count(red), count(other)
    reshaped = array_ops.reshape(permuted, array_ops.stack([reduced_num, other_num]))
    left = indexing_ops.cumprod(reshaped, axis=0, exclusive=True)
    right = indexing_ops.cumprod(reshaped, axis=0, exclusive=True, reverse=True)
    y = array_ops.reshape(_mul(left, right), permuted_shape)
    inv = [0] * rank
    for i, p in enumerate(perm):
        inv[p] = i
    out = _mul(g, linalg_ops.transpose(y, inv))
    return [array_ops.reshape(out, shp), None]


# ---- scans -----------------------------------------------------------------------------------------

@RegisterGradient("Cumsum")
def _cumsum_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import indexing_ops
    exclusive = op.get_attr("exclusive")
    reverse = op.get_attr("reverse")
    return [indexing_ops.cumsum(grad, op.inputs[1], exclusive=exclusive, reverse=not reverse), None]


@RegisterGradient("Cumprod")
def _cumprod_grad(op: Any, grad: Any) -> List[Any]:
    from graphrt.ops import indexing_ops
    x, axis = op.inputs
    exclusive = op.get_attr("exclusive")
    reverse = op.get_attr("reverse")
    prod = indexing_ops.cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    out = indexing_ops.cumsum(_mul(prod, grad), axis, exclusive=exclusive, reverse=not reverse)
    return [math_ops.divide(out, x), None]
