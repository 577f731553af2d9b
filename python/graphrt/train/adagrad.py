"""``tf.train.AdagradOptimizer``: accum += grad**2; var -= lr * grad / sqrt(accum)."""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import ops as _ops
from graphrt.train import training_ops
from graphrt.train.optimizer import Optimizer

__all__ = ["AdagradOptimizer"]


class AdagradOptimizer(Optimizer):
    """Adagrad; one slot "accumulator" per variable, starting at ``initial_accumulator_value``."""

    def __init__(self, learning_rate: Any, initial_accumulator_value: float = 0.1, use_locking: bool = False,
                 name: str = "Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list: List[Any]) -> None:
        for v in var_list:
            self._constant_slot(v, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _resource_apply_dense(self, grad: _ops.Tensor, var: Any) -> Any:
        acc = self.get_slot(var, "accumulator")
        return training_ops.resource_apply_adagrad(
            var.handle, acc.handle, self._cast(self._learning_rate_tensor, var.dtype), grad,
            use_locking=self._use_locking)

    def _resource_apply_sparse(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        acc = self.get_slot(var, "accumulator")
        return training_ops.resource_sparse_apply_adagrad(
            var.handle, acc.handle, self._cast(self._learning_rate_tensor, var.dtype), grad, indices,
            use_locking=self._use_locking)
