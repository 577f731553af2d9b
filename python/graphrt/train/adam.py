"""``tf.train.AdamOptimizer`` (Kingma & Ba): lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t);
m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) * g**2; var -= lr_t * m / (sqrt(v) + epsilon)."""
from __future__ import annotations

from typing import Any, List, Tuple

from graphrt.framework import ops as _ops
from graphrt.train import training_ops
from graphrt.train.optimizer import Optimizer

__all__ = ["AdamOptimizer"]


class AdamOptimizer(Optimizer):
    """Adam; slots "m" and "v", and the non-slot variables beta1_power and beta2_power."""

    def __init__(self, learning_rate: Any = 0.001, beta1: Any = 0.9, beta2: Any = 0.999, epsilon: Any = 1e-8,
                 use_locking: bool = False, name: str = "Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self) -> Tuple[Any, Any]:
        graph = _ops.get_default_graph()
        return (self._get_non_slot_variable("beta1_power", graph=graph),
                self._get_non_slot_variable("beta2_power", graph=graph))

    def _create_slots(self, var_list: List[Any]) -> None:
        first_var = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(initial_value=self._call_if_callable(self._beta1), name="beta1_power",
                                       colocate_with=first_var)
        self._create_non_slot_variable(initial_value=self._call_if_callable(self._beta2), name="beta2_power",
                                       colocate_with=first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper(self._lr, "learning_rate")
        self._beta1_t = self._hyper(self._beta1, "beta1")
        self._beta2_t = self._hyper(self._beta2, "beta2")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _resource_apply_dense(self, grad: _ops.Tensor, var: Any) -> Any:
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        beta1_power, beta2_power = self._get_beta_accumulators()
        dt = var.dtype
        return training_ops.resource_apply_adam(
            var.handle, m.handle, v.handle, self._cast(beta1_power, dt), self._cast(beta2_power, dt),
            self._cast(self._lr_t, dt), self._cast(self._beta1_t, dt), self._cast(self._beta2_t, dt),
            self._cast(self._epsilon_t, dt), grad, use_locking=self._use_locking)

    def _resource_apply_sparse(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        # As TF: no fused sparse Adam; the moments decay everywhere and the rows get the gradient terms.
        from graphrt.ops import control_flow_ops, math_ops
        dt = var.dtype
        beta1_power, beta2_power = (self._cast(b, dt) for b in self._get_beta_accumulators())
        lr_t, beta1_t = self._cast(self._lr_t, dt), self._cast(self._beta1_t, dt)
        beta2_t, epsilon_t = self._cast(self._beta2_t, dt), self._cast(self._epsilon_t, dt)
        lr = lr_t * math_ops.sqrt(1 - beta2_power) / (1 - beta1_power)
        graph = var.graph
        m = self.get_slot(var, "m")
        m_t = m.assign(m * beta1_t, read_value=False)
        with graph.control_dependencies([m_t]):
            m_t = m._scatter("ResourceScatterAdd", indices, grad * (1 - beta1_t), None)
        v = self.get_slot(var, "v")
        v_t = v.assign(v * beta2_t, read_value=False)
        with graph.control_dependencies([v_t]):
            v_t = v._scatter("ResourceScatterAdd", indices, (grad * grad) * (1 - beta2_t), None)
        var_update = var.assign_sub(lr * m_t / (math_ops.sqrt(v_t) + epsilon_t), read_value=False)
        return control_flow_ops.group(var_update, m_t, v_t)

    def _finish(self, update_ops: List[Any], name_scope: str) -> _ops.Operation:
        from graphrt.ops import control_flow_ops
        graph = _ops.get_default_graph()
        with graph.control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators()
            update_beta1 = beta1_power.assign(
                beta1_power.read_value() * self._cast(self._beta1_t, beta1_power.dtype), read_value=False)
            update_beta2 = beta2_power.assign(
                beta2_power.read_value() * self._cast(self._beta2_t, beta2_power.dtype), read_value=False)
        return control_flow_ops.group(*(list(update_ops) + [update_beta1, update_beta2]), name=name_scope)
