"""The global step: ``tf.train.get_or_create_global_step`` and friends (TF1 ``training_util``).

The global step is an int64 scalar, non-trainable variable named ``global_step``, in the
GLOBAL_VARIABLES and GLOBAL_STEP collections, initialized to 0.
"""
from __future__ import annotations

from typing import Any, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops

__all__ = [
    "get_global_step",
    "create_global_step",
    "get_or_create_global_step",
    "assert_global_step",
    "global_step",
]


def global_step(sess: Any, global_step_tensor: Any) -> int:
    """``tf.train.global_step(sess, global_step_tensor)``: the global step's value as a Python int."""
    return int(sess.run(global_step_tensor))


def _is_integer_scalar(t: Any) -> bool:
    dtype = getattr(t, "dtype", None)
    if dtype is None:
        return False
    dtype = _dtypes.as_dtype(dtype)
    if not dtype.is_integer:
        return False
    shape = t.get_shape() if hasattr(t, "get_shape") else getattr(t, "shape", None)
    return shape is not None and shape.ndims == 0


def assert_global_step(global_step_tensor: Any) -> None:
    """Raises TypeError unless ``global_step_tensor`` is an integer scalar Variable or Tensor."""
    from graphrt.ops.variables import Variable
    if not isinstance(global_step_tensor, (Variable, _ops.Tensor)):
        raise TypeError(f"Existing \"global_step\" must be a Variable or Tensor: {global_step_tensor}.")
    if not _is_integer_scalar(global_step_tensor):
        raise TypeError(f"Existing \"global_step\" does not have integer type or is not a scalar: "
                        f"{global_step_tensor}")


def get_global_step(graph: Optional[_ops.Graph] = None) -> Any:
    """``tf.train.get_global_step(graph=None)``: the global step variable, or None if there is none."""
    graph = graph or _ops.get_default_graph()
    found = graph.get_collection(_ops.GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        gs = found[0]
    elif not found:
        try:
            gs = graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
        # A resource handle named global_step is not itself the step; only integer scalars count.
        if not _is_integer_scalar(gs):
            return None
    else:
        return None  # TF logs "Multiple tensors in global_step collection." and returns None
    assert_global_step(gs)
    return gs


def create_global_step(graph: Optional[_ops.Graph] = None) -> Any:
    """``tf.train.create_global_step(graph=None)``: creates the global step; ValueError if it exists."""
    graph = graph or _ops.get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    from graphrt.ops.variables import Variable
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        return Variable(0, trainable=False, name=_ops.GraphKeys.GLOBAL_STEP, dtype=_dtypes.int64,
                        collections=[_ops.GraphKeys.GLOBAL_VARIABLES, _ops.GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph: Optional[_ops.Graph] = None) -> Any:
    """``tf.train.get_or_create_global_step(graph=None)``: the global step, created if needed."""
    graph = graph or _ops.get_default_graph()
    gs = get_global_step(graph)
    if gs is None:
        gs = create_global_step(graph)
    return gs
