"""Runtime checks and printing: tf.Assert, tf.Print, tf.print, tf.check_numerics, tf.strings.format."""
from __future__ import annotations

import sys
from typing import Any, List, Optional, Sequence

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__ = ["Assert", "Print", "print", "check_numerics"]


def _tensors(values: Sequence[Any]) -> List[_ops.Tensor]:
    return [_ops.convert_to_tensor(v) for v in values]


def Assert(condition: Any, data: Sequence[Any], summarize: Optional[int] = None,  # noqa: N802 - TF's name
           name: Optional[str] = None) -> _ops.Operation:
    """An op that raises InvalidArgumentError showing ``data`` when ``condition`` is false."""
    g = _ops.op_scope_graph([condition] + list(data))
    with g.as_default(), g.name_scope(name or "Assert") as scope:
        cond = _ops.convert_to_tensor(condition)
        if cond.dtype != _dtypes.bool:
            raise TypeError(f"condition must be a bool tensor, got {cond.dtype.name}")
        if cond.shape.rank not in (None, 0) and cond.shape.num_elements() != 1:
            raise ValueError(f"condition must be a scalar, got shape {cond.shape}")
        ts = _tensors(data)
        return g.create_op("Assert", [cond] + ts, name=scope, attrs={
            "T": [t.dtype for t in ts], "summarize": 3 if summarize is None else int(summarize)})


def Print(input_: Any, data: Sequence[Any], message: Optional[str] = None,  # noqa: N802 - TF's name
          first_n: Optional[int] = None, summarize: Optional[int] = None, name: Optional[str] = None) -> _ops.Tensor:
    """Identity of ``input_`` that prints ``message`` and ``data`` to stderr each time it runs."""
    x = _ops.convert_to_tensor(input_)
    ts = _tensors(data)
    return x.graph.create_op("Print", [x] + ts, name=name or "Print", attrs={
        "T": x.dtype, "U": [t.dtype for t in ts], "message": message or "",
        "first_n": -1 if first_n is None else int(first_n),
        "summarize": 3 if summarize is None else int(summarize)}).outputs[0]


def string_format(template: str, inputs: Any, placeholder: str = "{}", summarize: int = 3,
                  name: Optional[str] = None) -> _ops.Tensor:
    """A scalar string: ``template`` with each ``placeholder`` replaced by an input's values."""
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    ts = _tensors(inputs)
    if template.count(placeholder) != len(ts):
        raise ValueError(f"{template.count(placeholder)} placeholder(s) in template does not match {len(ts)} "
                         "tensor(s) provided as input")
    return _ops.get_default_graph().create_op("StringFormat", ts, name=name or "StringFormat", attrs={
        "T": [t.dtype for t in ts], "template": template, "placeholder": placeholder,
        "summarize": int(summarize)}).outputs[0]


def print(*inputs: Any, **kwargs: Any) -> _ops.Operation:  # noqa: A001 - TF's name
    """``tf.print``: an op printing its inputs (tensors show their values) when run."""
    output_stream = kwargs.pop("output_stream", sys.stderr)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {sorted(kwargs)}")
    if output_stream is sys.stdout or output_stream == "stdout":
        stream = "stdout"
    elif output_stream is sys.stderr or output_stream == "stderr":
        stream = "stderr"
    elif isinstance(output_stream, str) and output_stream.startswith("log("):
        stream = output_stream
    else:
        raise ValueError(f"Unsupported output stream {output_stream!r}: use sys.stdout or sys.stderr")
    placeholder = "{}"
    parts, tensors = [], []
    for x in inputs:
        if isinstance(x, _ops.Tensor) or hasattr(x, "__array__") and not isinstance(x, str):
            parts.append(placeholder)
            tensors.append(x)
        else:
            text = str(x)
            while placeholder in text:
                placeholder = "{" + placeholder + "}"
            parts.append(text)
    # Literal text must not contain the placeholder chosen above.
    template = sep.join(p if p != "{}" else placeholder for p in parts)
    g = _ops.op_scope_graph(tensors)
    with g.as_default():
        fmt = string_format(template, tensors, placeholder=placeholder, summarize=summarize)
        return g.create_op("PrintV2", [fmt], name=name or "PrintV2",
                           attrs={"output_stream": stream, "end": end})


def check_numerics(tensor: Any, message: str, name: Optional[str] = None) -> _ops.Tensor:
    """Identity that raises InvalidArgumentError if ``tensor`` has any NaN or Inf."""
    x = _ops.convert_to_tensor(tensor)
    return x.graph.create_op("CheckNumerics", [x], name=name or "CheckNumerics",
                             attrs={"T": x.dtype, "message": message}).outputs[0]


op_registry.register("Assert", op_registry.no_outputs, lambda op: [])
op_registry.register("Print", op_registry.input_type(0), op_registry.unchanged_shape)
op_registry.register("StringFormat", op_registry.fixed_type(_dtypes.string), op_registry.scalar_shape)
op_registry.register("PrintV2", op_registry.no_outputs, lambda op: [])
op_registry.register("CheckNumerics", op_registry.input_type(0), op_registry.unchanged_shape)


# ---- tf.debugging.assert_* ---------------------------------------------------------------------------

def _static_check(ok: Any, data: Sequence[Any]) -> None:
    """Graph-build-time failure when both sides are constants and the condition is false (TF1)."""
    from graphrt.framework import errors
    if ok is not None and not bool(ok):
        parts = []
        for d in data:
            if isinstance(d, _ops.Tensor):
                from graphrt.framework.tensor_util import constant_value
                v = constant_value(d)
                parts.append(str(v) if v is not None else d.name)
            else:
                parts.append(str(d))
        raise errors.InvalidArgumentError(None, None, "\n".join(parts))


def _binary_assert(op_name: str, symbol: str, np_fn: Any, x: Any, y: Any, data: Any, summarize: Any,
                   message: Optional[str], name: Optional[str]) -> _ops.Operation:
    from graphrt.framework.tensor_util import constant_value
    from graphrt.ops import math_ops
    g = _ops.op_scope_graph([x, y])
    with g.as_default(), g.name_scope(name or op_name):
        x = _ops.convert_to_tensor(x, name="x")
        y = _ops.convert_to_tensor(y, name="y", dtype=x.dtype)
        if data is None:
            data = ([message] if message else []) + [
                f"Condition x {symbol} y did not hold element-wise:", f"x (name = {x.name}) = ", x,
                f"y (name = {y.name}) = ", y]
        xs, ys = constant_value(x), constant_value(y)
        if xs is not None and ys is not None:
            _static_check(np.all(np_fn(xs, ys)), data)
        condition = math_ops.reduce_all(getattr(math_ops, _CMP[symbol])(x, y))
        return Assert(condition, data, summarize=summarize)


_CMP = {"==": "equal", "!=": "not_equal", "<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal"}


def assert_equal(x: Any, y: Any, data: Any = None, summarize: Optional[int] = None, message: Optional[str] = None,
                 name: Optional[str] = None) -> _ops.Operation:
    """An op failing (InvalidArgumentError) unless ``x == y`` element-wise (with broadcasting)."""
    return _binary_assert("assert_equal", "==", np.equal, x, y, data, summarize, message, name)


def assert_none_equal(x: Any, y: Any, data: Any = None, summarize: Optional[int] = None,
                      message: Optional[str] = None, name: Optional[str] = None) -> _ops.Operation:
    return _binary_assert("assert_none_equal", "!=", np.not_equal, x, y, data, summarize, message, name)


def assert_less(x: Any, y: Any, data: Any = None, summarize: Optional[int] = None, message: Optional[str] = None,
                name: Optional[str] = None) -> _ops.Operation:
    return _binary_assert("assert_less", "<", np.less, x, y, data, summarize, message, name)


def assert_less_equal(x: Any, y: Any, data: Any = None, summarize: Optional[int] = None,
                      message: Optional[str] = None, name: Optional[str] = None) -> _ops.Operation:
    return _binary_assert("assert_less_equal", "<=", np.less_equal, x, y, data, summarize, message, name)


def assert_greater(x: Any, y: Any, data: Any = None, summarize: Optional[int] = None,
                   message: Optional[str] = None, name: Optional[str] = None) -> _ops.Operation:
    return _binary_assert("assert_greater", ">", np.greater, x, y, data, summarize, message, name)


def assert_greater_equal(x: Any, y: Any, data: Any = None, summarize: Optional[int] = None,
                         message: Optional[str] = None, name: Optional[str] = None) -> _ops.Operation:
    return _binary_assert("assert_greater_equal", ">=", np.greater_equal, x, y, data, summarize, message, name)


def assert_positive(x: Any, data: Any = None, summarize: Optional[int] = None, message: Optional[str] = None,
                    name: Optional[str] = None) -> _ops.Operation:
    x = _ops.convert_to_tensor(x)
    return _binary_assert("assert_positive", "<", np.less, np.zeros((), x.dtype.as_numpy_dtype), x, data,
                          summarize, message, name)


def assert_negative(x: Any, data: Any = None, summarize: Optional[int] = None, message: Optional[str] = None,
                    name: Optional[str] = None) -> _ops.Operation:
    x = _ops.convert_to_tensor(x)
    return _binary_assert("assert_negative", "<", np.less, x, np.zeros((), x.dtype.as_numpy_dtype), data,
                          summarize, message, name)


def assert_non_negative(x: Any, data: Any = None, summarize: Optional[int] = None, message: Optional[str] = None,
                        name: Optional[str] = None) -> _ops.Operation:
    x = _ops.convert_to_tensor(x)
    return _binary_assert("assert_non_negative", "<=", np.less_equal, np.zeros((), x.dtype.as_numpy_dtype), x,
                          data, summarize, message, name)


def assert_non_positive(x: Any, data: Any = None, summarize: Optional[int] = None, message: Optional[str] = None,
                        name: Optional[str] = None) -> _ops.Operation:
    x = _ops.convert_to_tensor(x)
    return _binary_assert("assert_non_positive", "<=", np.less_equal, x, np.zeros((), x.dtype.as_numpy_dtype),
                          data, summarize, message, name)


def assert_rank(x: Any, rank: int, message: Optional[str] = None, name: Optional[str] = None) -> _ops.Operation:
    """ValueError at build time when the static rank differs; otherwise a run-time check."""
    from graphrt.ops import array_ops
    x = _ops.convert_to_tensor(x)
    if x.shape.rank is not None:
        if x.shape.rank != rank:
            raise ValueError(f"{message + ' ' if message else ''}Tensor {x.name} must have rank {rank}. Received rank "
                             f"{x.shape.rank}, shape {x.shape}")
        from graphrt.ops import control_flow_ops
        return control_flow_ops.no_op(name=name or "assert_rank")
    return assert_equal(array_ops.rank(x), rank, message=message or f"Tensor {x.name} must have rank {rank}.",
                        name=name or "assert_rank")


def assert_type(tensor: Any, tf_type: Any, message: Optional[str] = None, name: Optional[str] = None) -> None:
    """TypeError at build time unless ``tensor`` has dtype ``tf_type``."""
    t = _ops.convert_to_tensor(tensor)
    if t.dtype != _dtypes.as_dtype(tf_type):
        raise TypeError(f"{message + ' ' if message else ''}{t.name} must be of type {_dtypes.as_dtype(tf_type)!r}; "
                        f"got {t.dtype!r}")


__all__ += ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
            "assert_greater_equal", "assert_positive", "assert_negative", "assert_non_negative",
            "assert_non_positive", "assert_rank", "assert_type"]
