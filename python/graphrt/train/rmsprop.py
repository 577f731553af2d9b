"""``tf.train.RMSPropOptimizer``: ms = decay * ms + (1 - decay) * grad**2;
mom = momentum * mom + lr * grad / sqrt(ms + epsilon); var -= mom (centered: ms - mg**2 in the root)."""
from __future__ import annotations

from typing import Any, List

from graphrt.framework import ops as _ops
from graphrt.train import training_ops
from graphrt.train.optimizer import Optimizer

__all__ = ["RMSPropOptimizer"]


class RMSPropOptimizer(Optimizer):
    """RMSProp; slots "rms" (starting at ones), "momentum" and, when centered, "mg"."""

    def __init__(self, learning_rate: Any, decay: Any = 0.9, momentum: Any = 0.0, epsilon: Any = 1e-10,
                 use_locking: bool = False, centered: bool = False, name: str = "RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list: List[Any]) -> None:
        for v in var_list:
            self._constant_slot(v, 1.0, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._decay_tensor = self._hyper(self._decay, "decay")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")
        self._epsilon_tensor = self._hyper(self._epsilon, "epsilon")

    def _hypers(self, var: Any) -> List[_ops.Tensor]:
        return [self._cast(t, var.dtype) for t in (self._learning_rate_tensor, self._decay_tensor,
                                                   self._momentum_tensor, self._epsilon_tensor)]

    def _resource_apply_dense(self, grad: _ops.Tensor, var: Any) -> Any:
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.resource_apply_centered_rms_prop(
                var.handle, mg.handle, rms.handle, mom.handle, *self._hypers(var), grad,
                use_locking=self._use_locking)
        return training_ops.resource_apply_rms_prop(var.handle, rms.handle, mom.handle, *self._hypers(var), grad,
                                                    use_locking=self._use_locking)

    def _resource_apply_sparse(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.resource_sparse_apply_centered_rms_prop(
                var.handle, mg.handle, rms.handle, mom.handle, *self._hypers(var), grad, indices,
                use_locking=self._use_locking)
        return training_ops.resource_sparse_apply_rms_prop(var.handle, rms.handle, mom.handle, *self._hypers(var),
                                                           grad, indices, use_locking=self._use_locking)
