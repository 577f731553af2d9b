"""``tf.train.Optimizer``: the TF1 optimizer base class (compute_gradients / apply_gradients / minimize,
slot variables). Subclasses build fused update ops (graphrt.train.training_ops) per variable."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops

__all__ = ["Optimizer"]

_VALID_DTYPES = (_dtypes.float16, _dtypes.float32, _dtypes.float64)


def _is_indexed_slices(g: Any) -> bool:
    try:
        from graphrt.gradients import IndexedSlices
    except ImportError:  # pragma: no cover - gradients package missing
        return False
    return isinstance(g, IndexedSlices)


def _init_scope(graph: _ops.Graph):
    """Like TF's init_scope for graph building: no enclosing control dependencies (slot variables and
    their initializers must not wait for the step's ops)."""
    return graph.control_dependencies(None)


def _colocate(graph: _ops.Graph, var: Any):
    colocate = getattr(graph, "colocate_with", None)
    if colocate is None:
        import contextlib
        return contextlib.nullcontext()
    return colocate(var)


def _variable_cls() -> Any:
    from graphrt.ops.variables import Variable
    return Variable


def _deduplicate_indexed_slices(values: _ops.Tensor, indices: _ops.Tensor) -> Tuple[_ops.Tensor, _ops.Tensor]:
    """Sums the rows of ``values`` that share an index: (summed values, unique indices)."""
    from graphrt.ops import array_ops, indexing_ops
    unique_indices, positions = indexing_ops.unique(indices)
    n = array_ops.shape(unique_indices)[:1]
    shape = array_ops.concat([n, array_ops.shape(values)[1:]], 0)
    summed = indexing_ops.scatter_nd(array_ops.expand_dims(positions, -1), values, shape)
    return summed, unique_indices


def create_slot_variable(primary: Any, initial_value: Callable[[], Any], op_name: str) -> Any:
    """A non-trainable Variable named ``<primary>/<op_name>`` (uniquified: ``_1``, ...) holding
    ``initial_value()``, created at the top-level name scope outside any control dependencies."""
    graph = primary.graph
    with graph.as_default(), _init_scope(graph), graph.name_scope(""), _colocate(graph, primary):
        return _variable_cls()(initial_value, trainable=False, name=primary.op.name + "/" + op_name,
                               dtype=primary.dtype)


def create_zeros_slot(primary: Any, op_name: str) -> Any:
    """A slot of zeros shaped like ``primary``."""
    from graphrt.ops import array_ops

    def init() -> Any:
        if primary.shape.is_fully_defined():
            return array_ops.zeros(primary.shape.as_list(), dtype=primary.dtype)
        return array_ops.zeros_like(primary.initial_value)
    return create_slot_variable(primary, init, op_name)


def create_constant_slot(primary: Any, value: float, op_name: str) -> Any:
    """A slot filled with ``value``, shaped like ``primary``."""
    from graphrt.ops import array_ops

    def init() -> Any:
        from graphrt.framework.constant_op import constant
        if primary.shape.is_fully_defined():
            return array_ops.fill(primary.shape.as_list(), constant(value, dtype=primary.dtype))
        return array_ops.zeros_like(primary.initial_value) + constant(value, dtype=primary.dtype)
    return create_slot_variable(primary, init, op_name)


class Optimizer:
    """Base class for optimizers (TF1 ``tf.train.Optimizer``). Subclasses implement ``_create_slots``,
    ``_prepare``, ``_resource_apply_dense`` and ``_resource_apply_sparse`` (and may override ``_finish``)."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        # slot name -> {variable: slot variable}
        self._slots: Dict[str, Dict[Any, Any]] = {}
        # (name, graph) -> non-slot variable (e.g. Adam's beta1_power)
        self._non_slot_dict: Dict[Tuple[str, Any], Any] = {}

    def get_name(self) -> str:
        return self._name

    # -- gradients ------------------------------------------------------------------------------
    def compute_gradients(self, loss: Any, var_list: Optional[Sequence[Any]] = None, gate_gradients: int = GATE_OP,
                          aggregation_method: Any = None, colocate_gradients_with_ops: bool = False,
                          grad_loss: Any = None) -> List[Tuple[Any, Any]]:
        """Gradients of ``loss`` for the variables in ``var_list``: a list of (gradient or None, variable)."""
        from graphrt.gradients import gradients as _gradients
        from graphrt.ops import control_flow_ops
        from graphrt.ops import variables as _variables
        if callable(loss):
            loss = loss()
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                             f"Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        loss = _ops.convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            grad_loss = _ops.convert_to_tensor(grad_loss)
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = _variables.trainable_variables()
            extra = getattr(_ops.GraphKeys, "TRAINABLE_RESOURCE_VARIABLES", None)
            if extra:
                var_list += [v for v in _ops.get_collection(extra) if v not in var_list]
        else:
            var_list = _flatten(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        Variable = _variable_cls()
        for v in var_list:
            if not isinstance(v, Variable):
                raise NotImplementedError(f"Trying to optimize unsupported type {v!r}")
        grads = _gradients(loss, var_list, grad_ys=grad_loss, gate_gradients=(gate_gradients == Optimizer.GATE_OP),
                           aggregation_method=aggregation_method,
                           colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            dense = [g for g in grads if g is not None and not _is_indexed_slices(g)]
            if len(dense) > 1:
                gated = iter(control_flow_ops.tuple(dense))
                grads = [next(gated) if g is not None and not _is_indexed_slices(g) else g for g in grads]
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars: Sequence[Tuple[Any, Any]], global_step: Any = None,
                        name: Optional[str] = None) -> _ops.Operation:
        """Updates each variable with its gradient (None gradients are skipped); returns the train op,
        which also increments ``global_step`` (after the updates) when one is given."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        Variable = _variable_cls()
        converted = []
        for g, v in grads_and_vars:
            if g is not None and not _is_indexed_slices(g):
                try:
                    g = _ops.convert_to_tensor(g)
                except (TypeError, ValueError):
                    raise TypeError(f"Gradient must be convertible to a Tensor or IndexedSlices, or None: {g}") \
                        from None
            if not isinstance(v, Variable):
                raise NotImplementedError(f"Trying to update unsupported type {v!r}")
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: {[str(v) for _, v in converted]}.")
        graph = var_list[0].graph
        with graph.as_default():
            with _init_scope(graph):
                self._create_slots(var_list)
            update_ops = []
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                for g, v in converted:
                    if g is None:
                        continue
                    with graph.name_scope("update_" + v.op.name), _colocate(graph, v):
                        update_ops.append(self._update_op(g, v))
                if global_step is None:
                    apply_updates = self._finish(update_ops, scope)
                else:
                    if not isinstance(global_step, Variable):
                        raise TypeError(f"global_step must be a tf.Variable, got {global_step!r}")
                    with graph.control_dependencies([self._finish(update_ops, "update")]):
                        with _colocate(graph, global_step):
                            apply_updates = global_step.assign_add(1, name=scope, read_value=False)
            if isinstance(apply_updates, _ops.Tensor):
                apply_updates = apply_updates.op
            train_ops = graph.get_collection_ref(_ops.GraphKeys.TRAIN_OP)
            if apply_updates not in train_ops:
                train_ops.append(apply_updates)
            return apply_updates

    def minimize(self, loss: Any, global_step: Any = None, var_list: Optional[Sequence[Any]] = None,
                 gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                 colocate_gradients_with_ops: bool = False, name: Optional[str] = None,
                 grad_loss: Any = None) -> _ops.Operation:
        """compute_gradients then apply_gradients: one op that takes a training step."""
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, gate_gradients=gate_gradients,
                                                aggregation_method=aggregation_method,
                                                colocate_gradients_with_ops=colocate_gradients_with_ops,
                                                grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(f"No gradients provided for any variable, check your graph for ops that do not support "
                             f"gradients, between variables {[str(v) for _, v in grads_and_vars]} and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    # -- slots ----------------------------------------------------------------------------------
    def get_slot_names(self) -> List[str]:
        """The names of the slots this optimizer creates (e.g. ``["m", "v"]`` for Adam)."""
        return sorted(self._slots.keys())

    def get_slot(self, var: Any, name: str) -> Any:
        """The slot variable ``name`` created for ``var``, or None."""
        named = self._slots.get(name)
        if not named:
            return None
        return named.get(var)

    def variables(self) -> List[Any]:
        """The optimizer's variables in the default graph (slots and non-slot variables), by name."""
        graph = _ops.get_default_graph()
        out = [v for (n, g), v in self._non_slot_dict.items() if g is graph]
        for named in self._slots.values():
            out.extend(v for v in named.values() if v.graph is graph)
        return sorted(out, key=lambda v: v.name)

    def _slot_dict(self, slot_name: str) -> Dict[Any, Any]:
        return self._slots.setdefault(slot_name, {})

    def _zeros_slot(self, var: Any, slot_name: str, op_name: str) -> Any:
        named = self._slot_dict(slot_name)
        if var not in named:
            named[var] = create_zeros_slot(var, op_name)
        return named[var]

    def _constant_slot(self, var: Any, value: float, slot_name: str, op_name: str) -> Any:
        named = self._slot_dict(slot_name)
        if var not in named:
            named[var] = create_constant_slot(var, value, op_name)
        return named[var]

    def _create_non_slot_variable(self, initial_value: Any, name: str, colocate_with: Any) -> Any:
        graph = colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            with graph.as_default(), _init_scope(graph), _colocate(graph, colocate_with):
                v = _variable_cls()(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name: str, graph: Any = None) -> Any:
        return self._non_slot_dict.get((name, graph if graph is not None else _ops.get_default_graph()))

    # -- hooks for subclasses -------------------------------------------------------------------
    def _create_slots(self, var_list: List[Any]) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _finish(self, update_ops: List[Any], name_scope: str) -> _ops.Operation:
        from graphrt.ops import control_flow_ops
        return control_flow_ops.group(*update_ops, name=name_scope)

    def _resource_apply_dense(self, grad: _ops.Tensor, var: Any) -> Any:
        raise NotImplementedError()

    def _resource_apply_sparse(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        raise NotImplementedError()

    def _resource_apply_sparse_duplicate_indices(self, grad: _ops.Tensor, var: Any, indices: _ops.Tensor) -> Any:
        summed, unique_indices = _deduplicate_indexed_slices(grad, indices)
        return self._resource_apply_sparse(summed, var, unique_indices)

    def _update_op(self, g: Any, var: Any) -> Any:
        if _is_indexed_slices(g):
            if var.constraint is not None:
                raise RuntimeError("Cannot use a constraint function on a sparse variable.")
            return self._resource_apply_sparse_duplicate_indices(g.values, var, g.indices)
        update_op = self._resource_apply_dense(g, var)
        if var.constraint is not None:
            with var.graph.control_dependencies([update_op]):
                return var.assign(var.constraint(var.read_value()), read_value=False)
        return update_op

    # -- helpers --------------------------------------------------------------------------------
    @staticmethod
    def _call_if_callable(param: Any) -> Any:
        return param() if callable(param) else param

    def _hyper(self, value: Any, name: str) -> _ops.Tensor:
        """A hyperparameter (float, Tensor or callable returning either) as a tensor named ``name``."""
        return _ops.convert_to_tensor(self._call_if_callable(value), name=name)

    @staticmethod
    def _cast(t: Any, dtype: _dtypes.DType) -> _ops.Tensor:
        from graphrt.ops import math_ops
        t = _ops.convert_to_tensor(t)
        return t if t.dtype == dtype else math_ops.cast(t, dtype)

    def _valid_dtypes(self) -> Tuple[_dtypes.DType, ...]:
        return _VALID_DTYPES

    def _assert_valid_dtypes(self, tensors: Sequence[Any]) -> None:
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype
            if dtype not in valid:
                raise ValueError(f"Invalid type {dtype!r} for {t.name}, expected: {[v for v in valid]}.")


def _flatten(x: Any) -> List[Any]:
    if isinstance(x, (list, tuple)):
        out: List[Any] = []
        for e in x:
            out.extend(_flatten(e))
        return out
    if isinstance(x, dict):
        return _flatten([x[k] for k in sorted(x)])
    return [x]
