"""``tf.train.MomentumOptimizer``: accum = momentum * accum + grad; var -= lr * accum (or Nesterov)."""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import ops as _ops
from graphrt.train import training_ops
from graphrt.train.optimizer import Optimizer

__all__ = ["MomentumOptimizer"]


class MomentumOptimizer(Optimizer):
    """Momentum (heavy ball or Nesterov); one slot "momentum" per variable."""

    def __init__(self, learning_rate: Any, momentum: Any, use_locking: bool = False, name: str = "Momentum",
                 use_nesterov: bool = False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list: List[Any]) -> None:
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")

    def _resource_apply_dense(self, grad: _ops.Tensor, var: Any) -> Any:
        mom = self.get_slot(var, "momentum")
        return training_ops.resource_apply_momentum(
            var.handle, mom.handle, self._cast(self._learning_rate_tensor, var.dtype), grad,
            self._cast(self._momentum_tensor, var.dtype), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov)

    def _resource_apply_sparse(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        mom = self.get_slot(var, "momentum")
        return training_ops.resource_sparse_apply_momentum(
            var.handle, mom.handle, self._cast(self._learning_rate_tensor, var.dtype), grad, indices,
            self._cast(self._momentum_tensor, var.dtype), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov)
