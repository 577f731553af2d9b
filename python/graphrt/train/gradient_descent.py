"""``tf.train.GradientDescentOptimizer``: var -= learning_rate * grad."""
from __future__ import annotations

from typing import Any

from graphrt.framework import ops as _ops
from graphrt.train import training_ops
from graphrt.train.optimizer import Optimizer

__all__ = ["GradientDescentOptimizer"]


class GradientDescentOptimizer(Optimizer):
    """Plain gradient descent (ResourceApplyGradientDescent; sparse gradients by ResourceScatterAdd)."""

    def __init__(self, learning_rate: Any, use_locking: bool = False, name: str = "GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _resource_apply_dense(self, grad: _ops.Tensor, var: Any) -> Any:
        return training_ops.resource_apply_gradient_descent(
            var.handle, self._cast(self._learning_rate_tensor, var.dtype), grad, use_locking=self._use_locking)

    def _resource_apply_sparse_duplicate_indices(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        from graphrt.ops import resource_variable_ops as _rv
        delta = -grad * self._cast(self._learning_rate_tensor, var.dtype)
        return _rv.resource_scatter("ResourceScatterAdd", var.handle, _ops.convert_to_tensor(indices), delta)
