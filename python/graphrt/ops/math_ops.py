"""Math ops and the Tensor operator overloads (+ - * / // % ** unary -, abs, comparisons, @, & | ~)."""
from __future__ import annotations

from typing import Any, List, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops

__all__ = [
    "add",
    "add_v2",
    "subtract",
    "multiply",
    "realdiv",
    "div",
    "truediv",
    "divide",
    "floordiv",
    "floormod",
    "mod",
    "pow",
    "maximum",
    "minimum",
    "squared_difference",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "equal",
    "not_equal",
    "logical_and",
    "logical_or",
    "logical_not",
    "negative",
    "square",
    "abs",
    "sign",
    "sqrt",
    "rsqrt",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "reciprocal",
    "floor",
    "ceil",
    "sin",
    "cos",
    "add_n",
    "matmul",
    "cast",
    "to_float",
    "to_double",
    "to_int32",
    "to_int64",
    "scalar_mul",
]  # the tf.* names this module provides



def _pair(x: Any, y: Any) -> "tuple[_ops.Tensor, _ops.Tensor]":
    """Converts the operands of a binary op; a non-Tensor takes the other operand's dtype."""
    if isinstance(x, _ops.Tensor):
        return x, _ops.convert_to_tensor(y, dtype=None if isinstance(y, _ops.Tensor) else x.dtype)
    if isinstance(y, _ops.Tensor):
        return _ops.convert_to_tensor(x, dtype=y.dtype), y
    x = _ops.convert_to_tensor(x)
    return x, _ops.convert_to_tensor(y, dtype=x.dtype)


def _binary(op_type: str, x: Any, y: Any, name: Optional[str]) -> _ops.Tensor:
    g = _ops.op_scope_graph([x, y])
    with g.as_default():
        x, y = _pair(x, y)
        if x.dtype != y.dtype:
            raise TypeError(f"Input 'y' of '{op_type}' Op has type {y.dtype.name} that does not match type "
                            f"{x.dtype.name} of argument 'x'.")
        return g.create_op(op_type, [x, y], name=name or op_type, attrs={"T": x.dtype}).outputs[0]


def _unary(op_type: str, x: Any, name: Optional[str]) -> _ops.Tensor:
    x = _ops.convert_to_tensor(x)
    return x.graph.create_op(op_type, [x], name=name or op_type, attrs={"T": x.dtype}).outputs[0]


def add(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Add", x, y, name)


def add_v2(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("AddV2", x, y, name)


def subtract(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Sub", x, y, name)


def multiply(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Mul", x, y, name)


def realdiv(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("RealDiv", x, y, name)


def div(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    """TF1 ``tf.div``: Python 2 semantics (integer division floors for ints)."""
    g = _ops.op_scope_graph([x, y])
    with g.as_default():
        x, y = _pair(x, y)
        if x.dtype.is_integer:
            return _binary("FloorDiv", x, y, name or "div")
        return _binary("RealDiv", x, y, name or "div")


def truediv(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    """``x / y`` in floating point: int8/16/uint8/16 go to float32, int32/64 to float64."""
    g = _ops.op_scope_graph([x, y])
    with g.as_default():
        x, y = _pair(x, y)
        if x.dtype.is_integer:
            target = _dtypes.float64 if x.dtype in (_dtypes.int32, _dtypes.int64) else _dtypes.float32
            x, y = cast(x, target), cast(y, target)
        return _binary("RealDiv", x, y, name or "truediv")


def divide(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return truediv(x, y, name=name or "truediv")


def floordiv(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("FloorDiv", x, y, name or "floordiv")


def floormod(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("FloorMod", x, y, name or "mod")


mod = floormod


def pow(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A001 - TF's name
    return _binary("Pow", x, y, name or "pow")


def maximum(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Maximum", x, y, name)


def minimum(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Minimum", x, y, name)


def squared_difference(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("SquaredDifference", x, y, name)


def less(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Less", x, y, name)


def less_equal(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("LessEqual", x, y, name)


def greater(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Greater", x, y, name)


def greater_equal(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("GreaterEqual", x, y, name)


def equal(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("Equal", x, y, name)


def not_equal(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("NotEqual", x, y, name)


def _logical(op_type: str, x: Any, y: Any, name: Optional[str]) -> _ops.Tensor:
    # TF's LogicalAnd/LogicalOr are bool-only and carry no type attr.
    g = _ops.op_scope_graph([x, y])
    with g.as_default():
        x = _ops.convert_to_tensor(x, dtype=_dtypes.bool)
        y = _ops.convert_to_tensor(y, dtype=_dtypes.bool)
        return g.create_op(op_type, [x, y], name=name or op_type).outputs[0]


def logical_and(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _logical("LogicalAnd", x, y, name)


def logical_or(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _logical("LogicalOr", x, y, name)


def logical_not(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    x = _ops.convert_to_tensor(x)
    return x.graph.create_op("LogicalNot", [x], name=name or "LogicalNot").outputs[0]


def negative(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Neg", x, name)


def square(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Square", x, name)


def abs(x: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A001
    return _unary("Abs", x, name)


def sign(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Sign", x, name)


def sqrt(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Sqrt", x, name)


def rsqrt(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Rsqrt", x, name)


def exp(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Exp", x, name)


def log(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Log", x, name)


def tanh(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Tanh", x, name)


def sigmoid(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Sigmoid", x, name)


def reciprocal(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Reciprocal", x, name)


def floor(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Floor", x, name)


def ceil(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Ceil", x, name)


def sin(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Sin", x, name)


def cos(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Cos", x, name)


def relu(features: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _unary("Relu", features, name)


def add_n(inputs: List[Any], name: Optional[str] = None) -> _ops.Tensor:
    """Sums a list of tensors of the same shape and dtype."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a non-empty list of tensors")
    g = _ops.op_scope_graph(inputs)
    with g.as_default():
        ts = [_ops.convert_to_tensor(t) for t in inputs]
        if any(t.dtype != ts[0].dtype for t in ts):
            raise TypeError("All inputs of add_n must have the same dtype")
        if len(ts) == 1:
            return ts[0] if name is None else g.create_op("Identity", ts, name=name, attrs={"T": ts[0].dtype}).outputs[0]
        return g.create_op("AddN", ts, name=name or "AddN", attrs={"N": len(ts), "T": ts[0].dtype}).outputs[0]


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: Optional[str] = None) -> _ops.Tensor:
    """Matrix product (``adjoint`` equals ``transpose`` for real types). Rank > 2 or unknown rank
    multiplies batches of matrices (BatchMatMulV2, broadcasting batch dims), as TF1 does."""
    g = _ops.op_scope_graph([a, b])
    with g.as_default():
        a, b = _pair(a, b)
        if a.dtype != b.dtype:
            raise TypeError(f"MatMul inputs must have the same dtype, got {a.dtype.name} and {b.dtype.name}")
        if a.shape.rank is None or b.shape.rank is None or a.shape.rank > 2 or b.shape.rank > 2:
            from graphrt.ops.linalg_ops import batch_matmul_v2
            return batch_matmul_v2(a, b, adj_x=bool(transpose_a or adjoint_a), adj_y=bool(transpose_b or adjoint_b),
                                   name=name or "MatMul")
        attrs = {"T": a.dtype, "transpose_a": bool(transpose_a or adjoint_a),
                 "transpose_b": bool(transpose_b or adjoint_b)}
        return g.create_op("MatMul", [a, b], name=name or "MatMul", attrs=attrs).outputs[0]


def cast(x: Any, dtype: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Casts to ``dtype`` (float -> int truncates toward zero); same dtype returns ``x``."""
    dtype = _dtypes.as_dtype(dtype)
    x = _ops.convert_to_tensor(x)
    if x.dtype == dtype:
        return x
    return x.graph.create_op("Cast", [x], name=name or "Cast", attrs={"SrcT": x.dtype, "DstT": dtype,
                                                                         "Truncate": False}).outputs[0]


def to_float(x: Any, name: str = "ToFloat") -> _ops.Tensor:
    return cast(x, _dtypes.float32, name=name)


def to_double(x: Any, name: str = "ToDouble") -> _ops.Tensor:
    return cast(x, _dtypes.float64, name=name)


def to_int32(x: Any, name: str = "ToInt32") -> _ops.Tensor:
    return cast(x, _dtypes.int32, name=name)


def to_int64(x: Any, name: str = "ToInt64") -> _ops.Tensor:
    return cast(x, _dtypes.int64, name=name)


def scalar_mul(scalar: Any, x: Any, name: Optional[str] = None) -> _ops.Tensor:
    return multiply(scalar, x, name=name)


# ---- operator overloads ------------------------------------------------------------------------

def _overload(fn: Any, reverse: bool = False) -> Any:
    if reverse:
        def op(self: _ops.Tensor, other: Any) -> _ops.Tensor:
            return fn(other, self)
    else:
        def op(self: _ops.Tensor, other: Any) -> _ops.Tensor:
            return fn(self, other)
    return op


for _name, _fn in (("add", add), ("sub", subtract), ("mul", multiply), ("truediv", truediv),
                   ("floordiv", floordiv), ("mod", floormod), ("pow", pow), ("matmul", matmul)):
    setattr(_ops.Tensor, f"__{_name}__", _overload(_fn))
    setattr(_ops.Tensor, f"__r{_name}__", _overload(_fn, reverse=True))
for _name, _fn in (("and", logical_and), ("or", logical_or)):
    setattr(_ops.Tensor, f"__{_name}__", _overload(_fn))
    setattr(_ops.Tensor, f"__r{_name}__", _overload(_fn, reverse=True))
_ops.Tensor.__lt__ = _overload(less)
_ops.Tensor.__le__ = _overload(less_equal)
_ops.Tensor.__gt__ = _overload(greater)
_ops.Tensor.__ge__ = _overload(greater_equal)
_ops.Tensor.__neg__ = lambda self: negative(self)
_ops.Tensor.__abs__ = lambda self: abs(self)
_ops.Tensor.__invert__ = lambda self: logical_not(self)


# ==== unary math, activations, division variants, select/clip, reductions ========================
# (shape functions are registered at the end of this section)

import numpy as _np  # noqa: E402

from graphrt.framework import op_registry as _op_registry  # noqa: E402
from graphrt.framework import tensor_shape as _ts  # noqa: E402
from graphrt.framework import tensor_util as _tensor_util  # noqa: E402

__all__.extend([
    "expm1", "log1p", "tan", "asin", "acos", "atan", "sinh", "cosh", "round", "rint", "erf", "erfc", "lgamma",
    "is_nan", "is_inf", "is_finite", "log_sigmoid",
    "div_no_nan", "truncatediv", "truncatemod", "atan2",
    "where_v2", "clip_by_value",
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_all", "reduce_any",
    "reduce_logsumexp", "count_nonzero", "norm", "argmax", "argmin", "arg_max", "arg_min",
])

_FLOATS = (_dtypes.float16, _dtypes.float32, _dtypes.float64)
_INTS_SIGNED = (_dtypes.int8, _dtypes.int16, _dtypes.int32, _dtypes.int64)
_REAL = _FLOATS + _INTS_SIGNED + (_dtypes.uint8, _dtypes.uint16)


def _checked_unary(op_type: str, x: Any, name: Optional[str], allowed: Any, attrs: Optional[dict] = None) -> _ops.Tensor:
    x = _ops.convert_to_tensor(x)
    if x.dtype not in allowed:
        raise TypeError(f"Value passed to parameter 'x' has DataType {x.dtype.name} not in list of allowed values: "
                        f"{', '.join(d.name for d in allowed)} (op: '{op_type}')")
    all_attrs = {"T": x.dtype}
    all_attrs.update(attrs or {})
    return x.graph.create_op(op_type, [x], name=name or op_type, attrs=all_attrs).outputs[0]


def expm1(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """exp(x) - 1, accurate near 0."""
    return _checked_unary("Expm1", x, name, _FLOATS)


def log1p(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """log(1 + x), accurate near 0."""
    return _checked_unary("Log1p", x, name, _FLOATS)


def tan(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise tangent."""
    return _checked_unary("Tan", x, name, _FLOATS)


def asin(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise arcsine."""
    return _checked_unary("Asin", x, name, _FLOATS)


def acos(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise arccosine."""
    return _checked_unary("Acos", x, name, _FLOATS)


def atan(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise arctangent."""
    return _checked_unary("Atan", x, name, _FLOATS)


def sinh(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise hyperbolic sine."""
    return _checked_unary("Sinh", x, name, _FLOATS)


def cosh(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise hyperbolic cosine."""
    return _checked_unary("Cosh", x, name, _FLOATS)


def round(x: Any, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A001 - TF's name
    """Rounds half to even (banker's rounding); integers pass through."""
    return _checked_unary("Round", x, name, _FLOATS + _INTS_SIGNED)


def rint(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Rounds to the nearest integer, half to even."""
    return _checked_unary("Rint", x, name, _FLOATS)


def erf(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Gauss error function."""
    return _checked_unary("Erf", x, name, _FLOATS)


def erfc(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Complementary error function."""
    return _checked_unary("Erfc", x, name, _FLOATS)


def lgamma(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """log(|Gamma(x)|)."""
    return _checked_unary("Lgamma", x, name, _FLOATS)


def is_nan(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise isnan (bool result)."""
    return _checked_unary("IsNan", x, name, _FLOATS)


def is_inf(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise isinf (bool result)."""
    return _checked_unary("IsInf", x, name, _FLOATS)


def is_finite(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise isfinite (bool result)."""
    return _checked_unary("IsFinite", x, name, _FLOATS)


def relu6(features: Any, name: Optional[str] = None) -> _ops.Tensor:
    """min(max(features, 0), 6)."""
    return _checked_unary("Relu6", features, name, _REAL)


def elu(features: Any, name: Optional[str] = None) -> _ops.Tensor:
    """x if x > 0 else exp(x) - 1."""
    return _checked_unary("Elu", features, name, _FLOATS)


def selu(features: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Scaled exponential linear unit."""
    return _checked_unary("Selu", features, name, _FLOATS)


def softplus(features: Any, name: Optional[str] = None) -> _ops.Tensor:
    """log(exp(features) + 1), computed without overflow."""
    return _checked_unary("Softplus", features, name, _FLOATS)


def softsign(features: Any, name: Optional[str] = None) -> _ops.Tensor:
    """features / (abs(features) + 1)."""
    return _checked_unary("Softsign", features, name, _FLOATS)


def leaky_relu(features: Any, alpha: float = 0.2, name: Optional[str] = None) -> _ops.Tensor:
    """x if x > 0 else alpha * x; integer features are cast to float32 first (as TF does)."""
    features = _ops.convert_to_tensor(features)
    if features.dtype.is_integer:
        features = cast(features, _dtypes.float32)
    return _checked_unary("LeakyRelu", features, name, _FLOATS, attrs={"alpha": float(alpha)})


def log_sigmoid(x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """log(sigmoid(x)) = -softplus(-x)."""
    x = _ops.convert_to_tensor(x)
    with x.graph.as_default(), _ops.name_scope(name, "LogSigmoid", [x]):
        return negative(softplus(negative(x)))


# ---- binary --------------------------------------------------------------------------------------

def _checked_binary(op_type: str, x: Any, y: Any, name: Optional[str], allowed: Any) -> _ops.Tensor:
    g = _ops.op_scope_graph([x, y])
    with g.as_default():
        x, y = _pair(x, y)
        if x.dtype not in allowed:
            raise TypeError(f"Value passed to parameter 'x' has DataType {x.dtype.name} not in list of allowed "
                            f"values: {', '.join(d.name for d in allowed)} (op: '{op_type}')")
    return _binary(op_type, x, y, name)


def div_no_nan(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    """x / y, with 0 wherever y is 0."""
    return _checked_binary("DivNoNan", x, y, name, _FLOATS)


def truncatediv(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Division rounding toward zero (C semantics)."""
    return _checked_binary("TruncateDiv", x, y, name, _REAL)


def truncatemod(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Remainder of truncating division (C fmod semantics: the sign of x)."""
    return _checked_binary("TruncateMod", x, y, name, _FLOATS + (_dtypes.int32, _dtypes.int64))


def atan2(y: Any, x: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Elementwise arctangent of y / x, using the signs of both to pick the quadrant."""
    return _checked_binary("Atan2", y, x, name, _FLOATS)


def bias_add(value: Any, bias: Any, data_format: Optional[str] = None, name: Optional[str] = None) -> _ops.Tensor:
    """Adds the 1-D ``bias`` along the channel dimension of ``value`` (last for NHWC, 1 for NCHW)."""
    if data_format is None or data_format in ("NHWC", "N...C"):
        fmt = "NHWC"
    elif data_format in ("NCHW", "NC..."):
        fmt = "NCHW"
    else:
        raise ValueError(f"data_format must be NHWC or NCHW, got {data_format!r}")
    g = _ops.op_scope_graph([value, bias])
    with g.as_default():
        value, bias = _pair(value, bias)
        if value.dtype != bias.dtype:
            raise TypeError(f"Input 'bias' of 'BiasAdd' Op has type {bias.dtype.name} that does not match type "
                            f"{value.dtype.name} of argument 'value'.")
        return g.create_op("BiasAdd", [value, bias], name=name or "BiasAdd",
                           attrs={"T": value.dtype, "data_format": fmt}).outputs[0]


# ---- select / clip -------------------------------------------------------------------------------

def _select(op_type: str, condition: Any, x: Any, y: Any, name: Optional[str]) -> _ops.Tensor:
    g = _ops.op_scope_graph([condition, x, y])
    with g.as_default():
        cond = _ops.convert_to_tensor(condition, dtype=_dtypes.bool)
        if cond.dtype != _dtypes.bool:
            raise TypeError(f"condition must be bool, got {cond.dtype.name}")
        x, y = _pair(x, y)
        if x.dtype != y.dtype:
            raise TypeError(f"Input 'e' of '{op_type}' Op has type {y.dtype.name} that does not match type "
                            f"{x.dtype.name} of argument 't'.")
        return g.create_op(op_type, [cond, x, y], name=name or op_type, attrs={"T": x.dtype}).outputs[0]


def select(condition: Any, x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Select (TF1 ``tf.where(condition, x, y)``): x where condition is true; condition has x's shape,
    is a scalar, or is a vector over x's first dimension. ``tf.where`` (indexing_ops) calls this."""
    return _select("Select", condition, x, y, name)


def where_v2(condition: Any, x: Any = None, y: Any = None, name: Optional[str] = None) -> _ops.Tensor:
    """``tf.where_v2``: condition, x and y broadcast together."""
    if x is None and y is None:
        from graphrt.ops import indexing_ops
        return indexing_ops.where(condition, name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return _select("SelectV2", condition, x, y, name)


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any, name: Optional[str] = None) -> _ops.Tensor:
    """max(min(t, clip_value_max), clip_value_min); the bounds broadcast against t but may not grow it."""
    g = _ops.op_scope_graph([t, clip_value_min, clip_value_max])
    with g.as_default():
        t = _ops.convert_to_tensor(t)
        lo = _ops.convert_to_tensor(clip_value_min, dtype=None if isinstance(clip_value_min, _ops.Tensor) else t.dtype)
        hi = _ops.convert_to_tensor(clip_value_max, dtype=None if isinstance(clip_value_max, _ops.Tensor) else t.dtype)
        if lo.dtype != t.dtype or hi.dtype != t.dtype:
            raise TypeError(f"clip_by_value: clip values must have t's dtype {t.dtype.name}, got "
                            f"{lo.dtype.name} and {hi.dtype.name}")
        out = g.create_op("ClipByValue", [t, lo, hi], name=name or "clip_by_value", attrs={"T": t.dtype}).outputs[0]
        if not out.shape.is_compatible_with(t.shape):
            raise ValueError(f"Clip value shapes {lo.shape} and {hi.shape} broadcast t's shape {t.shape} to "
                             f"{out.shape}")
        return out


# ---- reductions ----------------------------------------------------------------------------------

def _keepdims(keepdims: Any, keep_dims: Any) -> bool:
    if keepdims is not None and keep_dims is not None and bool(keepdims) != bool(keep_dims):
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
    v = keepdims if keepdims is not None else keep_dims
    return bool(v) if v is not None else False


def _axis_arg(axis: Any, reduction_indices: Any, other: str = "reduction_indices") -> Any:
    if axis is not None and reduction_indices is not None:
        raise ValueError(f"Cannot specify both 'axis' and '{other}'")
    return axis if axis is not None else reduction_indices


def _axes_tensor(axis: Any) -> _ops.Tensor:
    if isinstance(axis, _ops.Tensor):
        if axis.dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError(f"axis must be int32 or int64, got {axis.dtype.name}")
        return axis
    from graphrt.framework.constant_op import constant
    arr = _np.asarray(axis)
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"axis must be integers, got {axis!r}")
    return constant(arr.astype(_np.int32), name="reduction_indices")


def _reduce(op_type: str, input_tensor: Any, axis: Any, keepdims: Any, name: Optional[str], reduction_indices: Any,
            keep_dims: Any, allowed: Any) -> _ops.Tensor:
    keep = _keepdims(keepdims, keep_dims)
    axis = _axis_arg(axis, reduction_indices)
    g = _ops.op_scope_graph([input_tensor, axis])
    with g.as_default():
        x = _ops.convert_to_tensor(input_tensor)
        if x.dtype not in allowed:
            raise TypeError(f"Value passed to parameter 'input' has DataType {x.dtype.name} not in list of allowed "
                            f"values: {', '.join(d.name for d in allowed)} (op: '{op_type}')")
        attrs = {"keep_dims": keep}
        if op_type not in ("All", "Any"):
            attrs["T"] = x.dtype
        if axis is None and x.shape.rank is None:
            # Unknown rank: reduce the flattened tensor, then restore rank with all-1 dims if kept.
            from graphrt.ops import array_ops
            with _ops.name_scope(None, op_type, [x]):
                flat = array_ops.reshape(x, [-1])
                axes = _axes_tensor([0])
                attrs.update(keep_dims=False, Tidx=axes.dtype)
                r = g.create_op(op_type, [flat, axes], name="reduce", attrs=attrs).outputs[0]
                if not keep:
                    return array_ops.identity(r, name=name) if name else r
                ones = array_ops.fill(array_ops.shape(array_ops.shape(x)), 1)
                return array_ops.reshape(r, ones, name=name)
        axes = _axes_tensor(list(range(x.shape.rank)) if axis is None else axis)
        attrs["Tidx"] = axes.dtype
        return g.create_op(op_type, [x, axes], name=name or op_type, attrs=attrs).outputs[0]


_BOOLS = (_dtypes.bool,)


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Sum over ``axis`` (all axes when None); the sum of nothing is 0."""
    return _reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _REAL)


def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
                reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Mean over ``axis`` (integer inputs give the truncated integer mean; empty float mean is NaN)."""
    return _reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _REAL)


def reduce_max(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Maximum over ``axis``; NaN propagates; an empty set gives -inf (the dtype's lowest for ints)."""
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _REAL)


def reduce_min(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Minimum over ``axis``; NaN propagates; an empty set gives +inf (the dtype's max for ints)."""
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _REAL)


def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
                reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Product over ``axis``; the product of nothing is 1."""
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _REAL)


def reduce_all(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Logical and over ``axis`` of a bool tensor."""
    return _reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _BOOLS)


def reduce_any(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Logical or over ``axis`` of a bool tensor."""
    return _reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _BOOLS)


def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: Optional[str] = None,
                     reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """log(sum(exp(x))) over ``axis``, computed stably by factoring out the (finite) maximum."""
    keep = _keepdims(keepdims, keep_dims)
    axis = _axis_arg(axis, reduction_indices)
    g = _ops.op_scope_graph([input_tensor])
    with g.as_default(), _ops.name_scope(name, "ReduceLogSumExp", [input_tensor]):
        from graphrt.ops import array_ops
        x = _ops.convert_to_tensor(input_tensor)
        raw_max = reduce_max(x, axis, keepdims=True)
        my_max = array_ops.stop_gradient(where_v2(is_finite(raw_max), raw_max, array_ops.zeros_like(raw_max)))
        result = log(reduce_sum(exp(subtract(x, my_max)), axis, keepdims=keep))
        if not keep:
            my_max = array_ops.reshape(my_max, array_ops.shape(result))
        return add(result, my_max)


def count_nonzero(input_tensor: Any, axis: Any = None, keepdims: Any = None, dtype: Any = _dtypes.int64,
                  name: Optional[str] = None, reduction_indices: Any = None, keep_dims: Any = None) -> _ops.Tensor:
    """Number of non-zero elements over ``axis``, as ``dtype``."""
    keep = _keepdims(keepdims, keep_dims)
    axis = _axis_arg(axis, reduction_indices)
    g = _ops.op_scope_graph([input_tensor])
    with g.as_default(), _ops.name_scope(name, "count_nonzero", [input_tensor]):
        x = _ops.convert_to_tensor(input_tensor)
        nonzero = cast(not_equal(x, _np.zeros((), x.dtype.as_numpy_dtype)), _dtypes.int64)
        return cast(reduce_sum(nonzero, axis, keepdims=keep), dtype)


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None, keepdims: Any = None,  # noqa: A002
         name: Optional[str] = None, keep_dims: Any = None) -> _ops.Tensor:
    """Vector norms (ord 'euclidean'/2, 1, inf, or p > 0) over ``axis`` (None: the whole tensor as a
    vector), and matrix norms ('euclidean'/'fro', 1, inf) over a pair of axes."""
    keep = _keepdims(keepdims, keep_dims)
    is_matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if isinstance(axis, (list, tuple)) and len(axis) not in (1, 2):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
    if is_matrix:
        if axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        if ord not in ("euclidean", "fro", 1, _np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, inf], got {ord}")
    elif not (ord in ("euclidean", "fro") or (isinstance(ord, (int, float)) and ord > 0)):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    g = _ops.op_scope_graph([tensor])
    with g.as_default(), _ops.name_scope(name, "norm", [tensor]):
        x = _ops.convert_to_tensor(tensor)
        if is_matrix and ord in (1, _np.inf):
            rank = x.shape.rank
            if rank is None:
                raise ValueError("matrix norms with ord 1 or inf need a tensor of known rank")
            a0, a1 = (a % rank if a < 0 else a for a in axis)
            # ord=1: max over columns of the column abs-sums; ord=inf: max over rows of the row abs-sums.
            sum_axis, max_axis = (a0, a1) if ord == 1 else (a1, a0)
            s = reduce_sum(abs(x), sum_axis, keepdims=True)
            r = reduce_max(s, max_axis, keepdims=True)
            if keep:
                return r
            from graphrt.ops import array_ops
            dims = [d for i, d in enumerate(r.shape.as_list()) if i not in (a0, a1)]
            if None in dims:
                return reduce_sum(r, [a0, a1])  # drops the two size-1 dims
            return array_ops.reshape(r, dims)
        if ord in ("euclidean", "fro", 2, 2.0):
            return sqrt(reduce_sum(multiply(x, x), axis, keepdims=keep))
        if ord == 1:
            return reduce_sum(abs(x), axis, keepdims=keep)
        if ord == _np.inf:
            return reduce_max(abs(x), axis, keepdims=keep)
        p = _ops.convert_to_tensor(float(ord), dtype=x.dtype)
        return pow(reduce_sum(pow(abs(x), p), axis, keepdims=keep), reciprocal(p))


def moments(x: Any, axes: Any, shift: Any = None, name: Optional[str] = None, keep_dims: Any = None,
            keepdims: Any = None) -> "tuple[_ops.Tensor, _ops.Tensor]":
    """Mean and variance of ``x`` over ``axes`` (``tf.nn.moments``)."""
    keep = _keepdims(keepdims, keep_dims)
    g = _ops.op_scope_graph([x])
    with g.as_default(), _ops.name_scope(name, "moments", [x, axes]):
        from graphrt.ops import array_ops
        x = _ops.convert_to_tensor(x)
        y = cast(x, _dtypes.float32) if x.dtype == _dtypes.float16 else x
        mean = reduce_mean(y, axes, keepdims=True, name="mean")
        variance = reduce_mean(squared_difference(y, array_ops.stop_gradient(mean)), axes, keepdims=True,
                               name="variance")
        if not keep:
            mean = reduce_sum(mean, axes, name="mean_squeezed")  # sums of one element: drops the axes
            variance = reduce_sum(variance, axes, name="variance_squeezed")
        if x.dtype == _dtypes.float16:
            return cast(mean, _dtypes.float16), cast(variance, _dtypes.float16)
        return mean, variance


def _arg(op_type: str, input: Any, axis: Any, name: Optional[str], dimension: Any,  # noqa: A002
         output_type: Any) -> _ops.Tensor:
    axis = _axis_arg(axis, dimension, "dimension")
    if axis is None:
        axis = 0
    output_type = _dtypes.as_dtype(output_type)
    if output_type not in (_dtypes.int32, _dtypes.int64):
        raise TypeError(f"output_type must be int32 or int64, got {output_type.name}")
    g = _ops.op_scope_graph([input, axis])
    with g.as_default():
        x = _ops.convert_to_tensor(input)
        if x.dtype not in _REAL:
            raise TypeError(f"Value passed to parameter 'input' has DataType {x.dtype.name} not in list of allowed "
                            f"values (op: '{op_type}')")
        if isinstance(axis, _ops.Tensor):
            dim = axis
        else:
            from graphrt.framework.constant_op import constant
            dim = constant(_np.int32(axis) if isinstance(axis, (int, _np.integer)) else _np.asarray(axis, _np.int32),
                           name="dimension")
        return g.create_op(op_type, [x, dim], name=name or op_type,
                           attrs={"T": x.dtype, "Tidx": dim.dtype, "output_type": output_type}).outputs[0]


def argmax(input: Any, axis: Any = None, name: Optional[str] = None, dimension: Any = None,  # noqa: A002
           output_type: Any = _dtypes.int64) -> _ops.Tensor:
    """Index of the largest value along ``axis`` (0 when None); ties give the first index."""
    return _arg("ArgMax", input, axis, name, dimension, output_type)


def argmin(input: Any, axis: Any = None, name: Optional[str] = None, dimension: Any = None,  # noqa: A002
           output_type: Any = _dtypes.int64) -> _ops.Tensor:
    """Index of the smallest value along ``axis`` (0 when None); ties give the first index."""
    return _arg("ArgMin", input, axis, name, dimension, output_type)


def arg_max(input: Any, dimension: Any, output_type: Any = _dtypes.int64, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    """The raw ArgMax op (deprecated TF1 name)."""
    return _arg("ArgMax", input, None, name, dimension, output_type)


def arg_min(input: Any, dimension: Any, output_type: Any = _dtypes.int64, name: Optional[str] = None) -> _ops.Tensor:  # noqa: A002
    """The raw ArgMin op (deprecated TF1 name)."""
    return _arg("ArgMin", input, None, name, dimension, output_type)


# ---- static shape functions ----------------------------------------------------------------------

def _op_error(op: Any, msg: str) -> ValueError:
    shapes = ", ".join(str(t.shape) for t in op.inputs)
    return ValueError(f"{msg} for '{op.name}' (op: '{op.type}') with input shapes: {shapes}.")


def _reduction_shape(op: Any) -> List[_ts.TensorShape]:
    x = op.inputs[0].shape
    keep = op.get_attr("keep_dims") if "keep_dims" in op._node_def.attr else False
    axes_t = op.inputs[1]
    if axes_t.shape.rank is not None and axes_t.shape.rank > 1:
        raise _op_error(op, f"Shape must be at most rank 1 but is rank {axes_t.shape.rank}")
    v = _tensor_util.constant_value(axes_t)
    if v is None or x.rank is None:
        if x.rank is not None:
            if keep:
                return [_ts.unknown_shape(x.rank)]
            if axes_t.shape.rank == 0 and x.rank > 0:
                return [_ts.unknown_shape(x.rank - 1)]
        return [_ts.unknown_shape()]
    rank = x.rank
    reduced = set()
    for a in _np.asarray(v).ravel().tolist():
        if a < -rank or a >= rank:
            raise _op_error(op, f"Invalid reduction dimension {a} for input with {rank} dimensions")
        reduced.add(a % rank if rank else a)
    dims = x.as_list()
    out = [(1 if keep else None) if i in reduced else d for i, d in enumerate(dims)]
    return [_ts.TensorShape([d for i, d in enumerate(out) if keep or i not in reduced])]


def _arg_shape(op: Any) -> List[_ts.TensorShape]:
    x = op.inputs[0].shape
    dim_t = op.inputs[1]
    if dim_t.shape.rank is not None and dim_t.shape.rank != 0:
        raise _op_error(op, f"Shape must be rank 0 but is rank {dim_t.shape.rank}")
    if x.rank is None:
        return [_ts.unknown_shape()]
    if x.rank == 0:
        raise _op_error(op, "Expected dimension in the range [0, 0)")
    v = _tensor_util.constant_value(dim_t)
    if v is None:
        return [_ts.unknown_shape(x.rank - 1)]
    a = int(_np.asarray(v).ravel()[0])
    if a < -x.rank or a >= x.rank:
        raise _op_error(op, f"Expected dimension in the range [{-x.rank}, {x.rank}), but got {a}")
    a %= x.rank
    dims = x.as_list()
    return [_ts.TensorShape(dims[:a] + dims[a + 1:])]


def _arg_type(nd: Any, inputs: Any) -> List[_dtypes.DType]:
    if "output_type" in nd.attr:
        return [_dtypes.as_dtype(nd.attr["output_type"].type)]
    return [_dtypes.int64]


def _bias_add_shape(op: Any) -> List[_ts.TensorShape]:
    v, b = op.inputs[0].shape, op.inputs[1].shape
    if b.rank is not None and b.rank != 1:
        raise _op_error(op, f"Shape must be rank 1 but is rank {b.rank}")
    if v.rank is None:
        return [_ts.unknown_shape()]
    if v.rank < 2:
        raise _op_error(op, f"Shape must be at least rank 2 but is rank {v.rank}")
    fmt = op.get_attr("data_format") if "data_format" in op._node_def.attr else b"NHWC"
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    c = 1 if fmt == "NCHW" else v.rank - 1
    dims = v.as_list()
    bias_dim = b[0] if b.rank == 1 else None
    bias_dim = bias_dim.value if isinstance(bias_dim, _ts.Dimension) else bias_dim
    if dims[c] is not None and bias_dim is not None and dims[c] != bias_dim:
        raise _op_error(op, f"Dimensions must be equal, but are {dims[c]} and {bias_dim}")
    if dims[c] is None:
        dims[c] = bias_dim
    return [_ts.TensorShape(dims)]


def _select_shape(op: Any) -> List[_ts.TensorShape]:
    cond, t, e = (i.shape for i in op.inputs)
    try:
        data = t.merge_with(e)
    except ValueError:
        raise _op_error(op, f"Shapes {t} and {e} are not compatible") from None
    if cond.rank is None or data.rank is None or cond.rank == 0:
        return [data]
    if cond.rank != 1 or data.rank == 0 or data.rank == 1:
        try:
            return [data.merge_with(cond)]
        except ValueError:
            raise _op_error(op, f"Shapes {data} and {cond} are not compatible") from None
    d0, c0 = data.as_list()[0], cond.as_list()[0]
    if d0 is not None and c0 is not None and d0 != c0:
        raise _op_error(op, f"Dimension 0 in both shapes must be equal, but are {d0} and {c0}")
    return [_ts.TensorShape([d0 if d0 is not None else c0] + data.as_list()[1:])]


def _broadcast3_shape(op: Any) -> List[_ts.TensorShape]:
    a, b, c = (i.shape for i in op.inputs)
    try:
        return [_op_registry.broadcast_static(_op_registry.broadcast_static(a, b), c)]
    except ValueError as err:
        raise ValueError(f"{err} for '{op.name}' (op: '{op.type}')") from None


def _register_shapes() -> None:
    reg = _op_registry.register
    for op_type in ("Expm1", "Log1p", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Relu6", "Elu", "Selu",
                    "Softplus", "Softsign", "LeakyRelu", "Round", "Rint", "Erf", "Erfc", "Lgamma"):
        reg(op_type, _op_registry.input_type(0), _op_registry.unchanged_shape)
    for op_type in ("IsNan", "IsInf", "IsFinite"):
        reg(op_type, _op_registry.fixed_type(_dtypes.bool), _op_registry.unchanged_shape)
    for op_type in ("DivNoNan", "TruncateDiv", "TruncateMod", "Atan2"):
        reg(op_type, _op_registry.input_type(0), _op_registry.broadcast_shape)
    reg("BiasAdd", _op_registry.input_type(0), _bias_add_shape)
    reg("Select", _op_registry.input_type(1), _select_shape)
    reg("SelectV2", _op_registry.input_type(1), _broadcast3_shape)
    reg("ClipByValue", _op_registry.input_type(0), _broadcast3_shape)
    for op_type in ("Sum", "Mean", "Max", "Min", "Prod", "All", "Any"):
        reg(op_type, _op_registry.input_type(0), _reduction_shape)
    reg("ArgMax", _arg_type, _arg_shape)
    reg("ArgMin", _arg_type, _arg_shape)


_register_shapes()
