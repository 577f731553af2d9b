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


def logical_and(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("LogicalAnd", x, y, name)


def logical_or(x: Any, y: Any, name: Optional[str] = None) -> _ops.Tensor:
    return _binary("LogicalOr", x, y, name)


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
    """Matrix product of rank-2 tensors (``adjoint`` equals ``transpose`` for real types)."""
    g = _ops.op_scope_graph([a, b])
    with g.as_default():
        a, b = _pair(a, b)
        if a.dtype != b.dtype:
            raise TypeError(f"MatMul inputs must have the same dtype, got {a.dtype.name} and {b.dtype.name}")
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
