"""Symbolic gradients: ``tf.gradients``, ``tf.hessians``, the gradient registry and IndexedSlices.

One module per op family registers its gradient functions when this package is imported.
"""
from __future__ import annotations

from graphrt.gradients.registry import (NoGradient, NotDifferentiable, RegisterGradient, get_gradient_function,
                                        has_gradient)
from graphrt.gradients.indexed_slices import IndexedSlices, IndexedSlicesValue
from graphrt.gradients.gradients_impl import AggregationMethod, gradients, hessians
from graphrt.gradients import math_grad  # noqa: F401
from graphrt.gradients import array_grad  # noqa: F401
from graphrt.gradients import linalg_grad  # noqa: F401
from graphrt.gradients import nn_grad  # noqa: F401
from graphrt.gradients import control_flow_grad  # noqa: F401
from graphrt.gradients import state_grad  # noqa: F401

__all__ = ["gradients", "hessians", "RegisterGradient", "NoGradient", "NotDifferentiable", "IndexedSlices",
           "IndexedSlicesValue", "AggregationMethod", "get_gradient_function", "has_gradient"]
