"""Runtime checks and printing: tf.Assert, tf.Print, tf.print, tf.check_numerics, tf.strings.format."""
from __future__ import annotations

import sys
from typing import Any, List, Optional, Sequence

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
