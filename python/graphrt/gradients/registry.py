"""The gradient registry: op type -> gradient function ``fn(op, *grads) -> [input grads]``.

``RegisterGradient("Op")`` registers a function; ``NoGradient("Op")`` (alias ``NotDifferentiable``)
marks an op type as having no gradient (every input gets None), as TF's ops.NotDifferentiable.
An op type that is neither registered nor marked makes ``tf.gradients`` raise LookupError when
a gradient must flow through it.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Optional

_lock = threading.Lock()
# op type -> function, or None for ops marked not differentiable.
_GRADIENTS: Dict[str, Optional[Callable[..., Any]]] = {}


class RegisterGradient:
    """Decorator: ``@RegisterGradient("OpType") def _grad(op, *grads): ...``."""

    def __init__(self, op_type: str):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f: Callable[..., Any]) -> Callable[..., Any]:
        with _lock:
            if self._op_type in _GRADIENTS:
                raise KeyError(f"Registering two gradient with name '{self._op_type}'!")
            _GRADIENTS[self._op_type] = f
        return f


def NoGradient(op_type: str) -> None:  # noqa: N802 - TF's name
    """Marks ``op_type`` as not differentiable: its inputs get no gradient (None)."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    with _lock:
        if op_type in _GRADIENTS:
            raise KeyError(f"Registering two gradient with name '{op_type}'!")
        _GRADIENTS[op_type] = None


NotDifferentiable = NoGradient


def is_registered(op_type: str) -> bool:
    """True when ``op_type`` has a gradient function or is marked not differentiable."""
    return op_type in _GRADIENTS


def has_gradient(op_type: str) -> bool:
    """True when ``op_type`` has a registered gradient function (False for not-differentiable or
    unregistered op types)."""
    from graphrt import gradients as _g  # noqa: F401 - importing the package registers every family
    return _GRADIENTS.get(op_type) is not None


def get_gradient_function(op: Any) -> Optional[Callable[..., Any]]:
    """The gradient function of ``op`` (None for ops marked not differentiable); LookupError when
    its type has no registered gradient. An op's ``_gradient_op_type`` attr overrides its type."""
    if not op.inputs:
        return None
    op_type = op.type
    nd = op._node_def
    if "_gradient_op_type" in nd.attr:
        override = op.get_attr("_gradient_op_type")
        op_type = override.decode() if isinstance(override, bytes) else override
    if op_type not in _GRADIENTS:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type})")
    return _GRADIENTS[op_type]
