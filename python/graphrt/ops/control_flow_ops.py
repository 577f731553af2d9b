"""no_op and group (control-only ops); cond/while_loop come with the control-flow ops."""
from __future__ import annotations

from typing import Any, Optional

from graphrt.framework import ops as _ops

__all__ = [
    "no_op",
    "group",
]  # the tf.* names this module provides



def no_op(name: Optional[str] = None) -> _ops.Operation:
    """An op that does nothing; useful as a target with control dependencies."""
    return _ops.get_default_graph().create_op("NoOp", [], name=name or "NoOp")


def group(*inputs: Any, **kwargs: Any) -> _ops.Operation:
    """An op that runs after all ``inputs`` (Operations or Tensors)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Unknown keyword arguments: {sorted(kwargs)}")
    deps = []
    for i in inputs:
        if isinstance(i, (list, tuple)):
            deps.extend(i)
        else:
            deps.append(i)
    g = _ops.op_scope_graph(deps)
    with g.as_default(), g.control_dependencies(deps):
        return no_op(name=name or "group_deps")
