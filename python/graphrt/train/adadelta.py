"""``tf.train.AdadeltaOptimizer``: accum = rho * accum + (1 - rho) * grad**2;
update = sqrt(accum_update + eps) / sqrt(accum + eps) * grad;
accum_update = rho * accum_update + (1 - rho) * update**2; var -= lr * update."""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import ops as _ops
from graphrt.train import training_ops
from graphrt.train.optimizer import Optimizer

__all__ = ["AdadeltaOptimizer"]


class AdadeltaOptimizer(Optimizer):
    """Adadelta; slots "accum" and "accum_update"."""

    def __init__(self, learning_rate: Any = 0.001, rho: Any = 0.95, epsilon: Any = 1e-8, use_locking: bool = False,
                 name: str = "Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list: List[Any]) -> None:
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._lr, "lr")
        self._rho_t = self._hyper(self._rho, "rho")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _hypers(self, var: Any) -> List[_ops.Tensor]:
        return [self._cast(t, var.dtype) for t in (self._lr_t, self._rho_t, self._epsilon_t)]

    def _resource_apply_dense(self, grad: _ops.Tensor, var: Any) -> Any:
        acc, upd = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        return training_ops.resource_apply_adadelta(var.handle, acc.handle, upd.handle, *self._hypers(var), grad,
                                                    use_locking=self._use_locking)

    def _resource_apply_sparse(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        acc, upd = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        return training_ops.resource_sparse_apply_adadelta(var.handle, acc.handle, upd.handle, *self._hypers(var),
                                                           grad, indices, use_locking=self._use_locking)
