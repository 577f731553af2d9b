"""``tf.get_variable`` and ``tf.variable_scope`` with TF1 semantics.

Each graph holds one variable store (full name -> Variable, shared by all threads) and, per thread, the
current VariableScope and the counts of opened scope names (for ``default_name`` uniquification). Both
live in attributes of the Graph managed here (``_graphrt_var_store``, ``_graphrt_var_scope_tls``).
"""
from __future__ import annotations

import copy
import enum
import functools
import inspect
import threading
from typing import Any, Callable, Dict, List, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__ = [
    "get_variable",
    "get_local_variable",
    "variable_scope",
    "get_variable_scope",
    "VariableScope",
    "AUTO_REUSE",
    "no_regularizer",
]  # the tf.* names this module provides


class _ReuseMode(enum.Enum):
    """Reuse modes beyond True/False."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_: Any) -> None:
    """Use this function to prevent regularization of variables."""
    return None


_state_lock = threading.Lock()


# ---- per-graph state ---------------------------------------------------------------------------------

class _VariableStore:
    """The variables created with get_variable in one graph, by full name."""

    def __init__(self) -> None:
        self.vars: Dict[str, Any] = {}
        self.lock = threading.RLock()


class _VariableScopeStore:
    """One thread's current variable scope and the counts of opened scope names."""

    def __init__(self) -> None:
        self.current_scope = VariableScope(False)
        self.variable_scopes_count: Dict[str, int] = {}

    def open_variable_scope(self, scope_name: str) -> None:
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name: Optional[str]) -> None:
        for k in list(self.variable_scopes_count):
            if scope_name is None or k.startswith(scope_name + "/"):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name: str) -> int:
        return self.variable_scopes_count.get(scope_name, 0)


def _graph_attr(graph: _ops.Graph, name: str, factory: Callable[[], Any]) -> Any:
    graph = graph._root_graph()  # cond/while bodies share their outer graph's variables and scopes
    value = graph.__dict__.get(name)
    if value is None:
        with _state_lock:
            value = graph.__dict__.get(name)
            if value is None:
                value = factory()
                setattr(graph, name, value)
    return value


def _get_default_variable_store(graph: Optional[_ops.Graph] = None) -> _VariableStore:
    return _graph_attr(graph or _ops.get_default_graph(), "_graphrt_var_store", _VariableStore)


def get_variable_scope_store(graph: Optional[_ops.Graph] = None) -> _VariableScopeStore:
    """The variable scope store of the current thread in ``graph`` (default graph)."""
    tls = _graph_attr(graph or _ops.get_default_graph(), "_graphrt_var_scope_tls", threading.local)
    store = getattr(tls, "store", None)
    if store is None:
        store = _VariableScopeStore()
        tls.store = store
    return store


def get_variable_scope() -> "VariableScope":
    """The current variable scope."""
    return get_variable_scope_store().current_scope


def _maybe_wrap_custom_getter(custom_getter: Optional[Callable], old_getter: Optional[Callable]) -> Optional[Callable]:
    if custom_getter is None:
        return old_getter
    if old_getter is None:
        return custom_getter

    def wrapped_custom_getter(getter: Callable, *args: Any, **kwargs: Any) -> Any:
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)
    return wrapped_custom_getter


# ---- variable creation ----------------------------------------------------------------------------

def _takes_no_arguments(fn: Callable) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return all(p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in sig.parameters.values())


def _default_initializer(name: str, dtype: _dtypes.DType) -> Any:
    from graphrt.ops import init_ops
    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == _dtypes.string:
        return init_ops.zeros_initializer()
    raise ValueError(f"An initializer for variable {name} of {dtype.name} is required")


def _get_single_variable(store: _VariableStore, name: str, shape: Any = None, dtype: Any = _dtypes.float32,
                         initializer: Any = None, regularizer: Optional[Callable] = None,
                         reuse: Any = None, trainable: Optional[bool] = None, collections: Any = None,
                         caching_device: Any = None, validate_shape: bool = True, use_resource: Any = None,
                         constraint: Optional[Callable] = None, **unused: Any) -> Any:
    from graphrt.ops.variables import Variable
    initializing_from_value = initializer is not None and not callable(initializer)
    if shape is not None and initializing_from_value:
        raise ValueError("If initializer is a constant, do not specify shape.")
    dtype = _dtypes.as_dtype(dtype)
    shape = _ts.as_shape(shape) if shape is not None else _ts.unknown_shape()
    graph = _ops.get_default_graph()
    with store.lock:
        if name in store.vars:
            if reuse is False:
                raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to set reuse=True or "
                                 f"reuse=tf.AUTO_REUSE in VarScope?")
            found = store.vars[name]
            if not shape.is_compatible_with(found.get_shape()):
                raise ValueError(f"Trying to share variable {name}, but specified shape {shape} and found shape "
                                 f"{found.get_shape()}.")
            if dtype != found.dtype:
                raise ValueError(f"Trying to share variable {name}, but specified dtype {dtype.name} and found dtype "
                                 f"{found.dtype.name}.")
            return found
        if reuse is True:
            raise ValueError(f"Variable {name} does not exist, or was not created with tf.get_variable(). Did you "
                             f"mean to set reuse=tf.AUTO_REUSE in VarScope?")
        if initializer is None:
            initializer = _default_initializer(name, dtype)
        if initializing_from_value:
            init_val: Any = initializer
            variable_dtype: Any = None
        else:
            if inspect.isclass(initializer):
                initializer = initializer()
            if shape.is_fully_defined():
                shape_list = shape.as_list()

                def init_val() -> Any:
                    return initializer(shape_list, dtype=dtype)
                variable_dtype = dtype
            elif _takes_no_arguments(initializer):
                init_val = initializer
                variable_dtype = None
            else:
                raise ValueError(f"Shape of a new variable ({name}) must be fully defined, but instead was {shape}.")
        # Variable names depend only on the variable scope, not on the name scope; the initializer runs
        # outside any control dependencies (TF's init_scope).
        with graph.name_scope(None), graph.control_dependencies(None):
            v = Variable(initial_value=init_val, name=name, trainable=trainable, collections=collections,
                         caching_device=caching_device, dtype=variable_dtype, validate_shape=validate_shape,
                         constraint=constraint, use_resource=use_resource)
            store.vars[name] = v
            if regularizer:
                with graph.colocate_with(v.op), graph.name_scope(name + "/Regularizer/"):
                    loss = regularizer(v)
                if loss is not None:
                    graph.add_to_collection(_ops.GraphKeys.REGULARIZATION_LOSSES, loss)
        return v


def _store_get_variable(store: _VariableStore, name: str, shape: Any = None, dtype: Any = _dtypes.float32,
                        initializer: Any = None, regularizer: Optional[Callable] = None, reuse: Any = None,
                        trainable: Optional[bool] = None, collections: Any = None, caching_device: Any = None,
                        partitioner: Any = None, validate_shape: bool = True, use_resource: Any = None,
                        custom_getter: Optional[Callable] = None, constraint: Optional[Callable] = None,
                        synchronization: Any = None, aggregation: Any = None) -> Any:
    if custom_getter is not None and not callable(custom_getter):
        raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter}")
    if dtype is None:
        dtype = _dtypes.float32
    if trainable is None:
        trainable = True

    def _true_getter(name: str, shape: Any = None, dtype: Any = _dtypes.float32, initializer: Any = None,
                     regularizer: Optional[Callable] = None, reuse: Any = None, trainable: Optional[bool] = None,
                     collections: Any = None, caching_device: Any = None, partitioner: Any = None,
                     validate_shape: bool = True, use_resource: Any = None, constraint: Optional[Callable] = None,
                     synchronization: Any = None, aggregation: Any = None) -> Any:
        if partitioner is not None:
            raise NotImplementedError("Partitioned variables (the `partitioner` argument) are not supported by "
                                      "graphrt")
        return _get_single_variable(store, name, shape=shape, dtype=dtype, initializer=initializer,
                                    regularizer=regularizer, reuse=reuse, trainable=trainable,
                                    collections=collections, caching_device=caching_device,
                                    validate_shape=validate_shape, use_resource=use_resource, constraint=constraint)

    kwargs = dict(name=name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                  reuse=reuse, trainable=trainable, collections=collections, caching_device=caching_device,
                  partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
                  constraint=constraint, synchronization=synchronization, aggregation=aggregation)
    if custom_getter is not None:
        return custom_getter(_true_getter, **kwargs)
    return _true_getter(**kwargs)


class VariableScope:
    """A variable scope: a name prefix for get_variable plus defaults (reuse, initializer, regularizer,
    dtype, ...) inherited by nested scopes."""

    def __init__(self, reuse: Any, name: str = "", initializer: Any = None, regularizer: Optional[Callable] = None,
                 caching_device: Any = None, partitioner: Any = None, custom_getter: Optional[Callable] = None,
                 name_scope: str = "", dtype: Any = _dtypes.float32, use_resource: Any = None,
                 constraint: Optional[Callable] = None):
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.float32
        self._use_resource = use_resource
        self._constraint = constraint

    def __repr__(self) -> str:
        return f"<tf.VariableScope '{self._name}' reuse={self._reuse}>"

    @property
    def name(self) -> str:
        return self._name

    @property
    def original_name_scope(self) -> str:
        return self._name_scope

    @property
    def reuse(self) -> Any:
        return self._reuse

    @property
    def initializer(self) -> Any:
        return self._initializer

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    @property
    def use_resource(self) -> Any:
        return self._use_resource

    @property
    def regularizer(self) -> Optional[Callable]:
        return self._regularizer

    @property
    def caching_device(self) -> Any:
        return self._caching_device

    @property
    def partitioner(self) -> Any:
        return self._partitioner

    @property
    def custom_getter(self) -> Optional[Callable]:
        return self._custom_getter

    @property
    def constraint(self) -> Optional[Callable]:
        return self._constraint

    def reuse_variables(self) -> None:
        """Reuse variables in this scope from now on."""
        self._reuse = True

    def set_initializer(self, initializer: Any) -> None:
        self._initializer = initializer

    def set_dtype(self, dtype: Any) -> None:
        self._dtype = _dtypes.as_dtype(dtype)

    def set_use_resource(self, use_resource: Any) -> None:
        self._use_resource = use_resource

    def set_regularizer(self, regularizer: Optional[Callable]) -> None:
        self._regularizer = regularizer

    def set_caching_device(self, caching_device: Any) -> None:
        self._caching_device = caching_device

    def set_partitioner(self, partitioner: Any) -> None:
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter: Optional[Callable]) -> None:
        self._custom_getter = custom_getter

    def get_collection(self, name: str) -> list:
        """The items of collection ``name`` whose names start with this scope's name."""
        scope = self._name + "/" if self._name else ""
        return _ops.get_collection(name, scope)

    def trainable_variables(self) -> list:
        return self.get_collection(_ops.GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self) -> list:
        return self.get_collection(_ops.GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self) -> list:
        return self.get_collection(_ops.GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store: _VariableStore, name: str, shape: Any = None, dtype: Any = None,
                     initializer: Any = None, regularizer: Optional[Callable] = None, reuse: Any = None,
                     trainable: Optional[bool] = None, collections: Any = None, caching_device: Any = None,
                     partitioner: Any = None, validate_shape: bool = True, use_resource: Any = None,
                     custom_getter: Optional[Callable] = None, constraint: Optional[Callable] = None,
                     synchronization: Any = None, aggregation: Any = None) -> Any:
        """Gets an existing variable with this name or creates a new one, with this scope's defaults."""
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if custom_getter is None:
            custom_getter = self._custom_getter
        if reuse is None:
            reuse = self._reuse
        if use_resource is None:
            use_resource = self._use_resource
        full_name = self._name + "/" + name if self._name else name
        graph = _ops.get_default_graph()
        with graph.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = _ops.convert_to_tensor(initializer).dtype
                if init_dtype != _dtypes.as_dtype(dtype):
                    raise ValueError(f"Initializer type '{init_dtype.name}' and explicit dtype "
                                     f"'{_dtypes.as_dtype(dtype).name}' don't match.")
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype
            return _store_get_variable(var_store, full_name, shape=shape, dtype=dtype, initializer=initializer,
                                       regularizer=regularizer, reuse=reuse, trainable=trainable,
                                       collections=collections, caching_device=caching_device,
                                       partitioner=partitioner, validate_shape=validate_shape,
                                       use_resource=use_resource, custom_getter=custom_getter,
                                       constraint=constraint, synchronization=synchronization,
                                       aggregation=aggregation)


def get_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                 regularizer: Optional[Callable] = None, trainable: Optional[bool] = None, collections: Any = None,
                 caching_device: Any = None, partitioner: Any = None, validate_shape: bool = True,
                 use_resource: Any = None, custom_getter: Optional[Callable] = None,
                 constraint: Optional[Callable] = None, synchronization: Any = None,
                 aggregation: Any = None) -> Any:
    """Gets an existing variable ``<scope>/name`` or creates it (TF1 ``tf.get_variable``)."""
    return get_variable_scope().get_variable(
        _get_default_variable_store(), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections, caching_device=caching_device,
        partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
        custom_getter=custom_getter, constraint=constraint, synchronization=synchronization,
        aggregation=aggregation)


def get_local_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                       regularizer: Optional[Callable] = None, trainable: bool = False, collections: Any = None,
                       caching_device: Any = None, partitioner: Any = None, validate_shape: bool = True,
                       use_resource: Any = None, custom_getter: Optional[Callable] = None,
                       constraint: Optional[Callable] = None, synchronization: Any = None,
                       aggregation: Any = None) -> Any:
    """Like get_variable, in LOCAL_VARIABLES (not trainable, not global)."""
    collections = list(collections or []) + [_ops.GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=False, collections=collections, caching_device=caching_device,
                        partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint, synchronization=synchronization,
                        aggregation=aggregation)


# ---- scopes -----------------------------------------------------------------------------------------

class _pure_variable_scope:  # noqa: N801 - TF's name
    """Enters a variable scope without touching name scopes."""

    def __init__(self, name_or_scope: Any, reuse: Any = None, initializer: Any = None,
                 regularizer: Optional[Callable] = None, caching_device: Any = None, partitioner: Any = None,
                 custom_getter: Optional[Callable] = None, old_name_scope: Optional[str] = None,
                 dtype: Any = None, use_resource: Any = None, constraint: Optional[Callable] = None):
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._var_scope_store = get_variable_scope_store()
        self._last_variable_scope_object: Optional[VariableScope] = None
        if isinstance(name_or_scope, VariableScope):
            self._new_name = name_or_scope.name
            s = name_or_scope
            obj = VariableScope(s.reuse if not reuse else reuse, name=self._new_name, initializer=s.initializer,
                                regularizer=s.regularizer, caching_device=s.caching_device,
                                partitioner=s.partitioner, dtype=s.dtype, custom_getter=s.custom_getter,
                                name_scope=s.original_name_scope, use_resource=s.use_resource,
                                constraint=constraint if constraint is not None else s.constraint)
            self._apply_overrides(obj, s.custom_getter)
            self._cached_variable_scope_object = obj

    def _apply_overrides(self, obj: VariableScope, old_getter: Optional[Callable]) -> None:
        if self._initializer is not None:
            obj.set_initializer(self._initializer)
        if self._regularizer is not None:
            obj.set_regularizer(self._regularizer)
        if self._caching_device is not None:
            obj.set_caching_device(self._caching_device)
        if self._partitioner is not None:
            obj.set_partitioner(self._partitioner)
        if self._custom_getter is not None:
            obj.set_custom_getter(_maybe_wrap_custom_getter(self._custom_getter, old_getter))
        if self._dtype is not None:
            obj.set_dtype(self._dtype)
        if self._use_resource is not None:
            obj.set_use_resource(self._use_resource)

    def __enter__(self) -> VariableScope:
        store = self._var_scope_store
        self._old = store.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            store.open_variable_scope(self._new_name)
            self._old_subscopes = copy.copy(store.variable_scopes_count)
            obj = self._cached_variable_scope_object
        else:
            old = self._old
            self._new_name = old.name + "/" + self._name_or_scope if old.name else self._name_or_scope
            self._reuse = self._reuse or old.reuse  # reuse is inherited by sub-scopes
            name_scope = self._name_or_scope if self._old_name_scope is None else self._old_name_scope
            obj = VariableScope(self._reuse, name=self._new_name, initializer=old.initializer,
                                regularizer=old.regularizer, caching_device=old.caching_device,
                                partitioner=old.partitioner, dtype=old.dtype, use_resource=old.use_resource,
                                custom_getter=old.custom_getter, name_scope=name_scope,
                                constraint=self._constraint if self._constraint is not None else old.constraint)
            self._apply_overrides(obj, old.custom_getter)
            store.open_variable_scope(self._new_name)
        store.current_scope = obj
        self._last_variable_scope_object = obj
        return obj

    def __exit__(self, *exc: Any) -> None:
        store = self._var_scope_store
        if store.current_scope is not self._last_variable_scope_object:
            raise RuntimeError("Improper nesting of variable_scope.")
        if isinstance(self._name_or_scope, VariableScope):
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old


def _get_unique_variable_scope(prefix: str) -> str:
    store = get_variable_scope_store()
    current = get_variable_scope()
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(f"{name}_{idx}") > 0:
        idx += 1
    return f"{prefix}_{idx}"


class variable_scope:  # noqa: N801 - TF's name
    """``with tf.variable_scope(name_or_scope, default_name=None, values=None, ..., reuse=None, ...)``:
    opens a variable scope (and a name scope of the same name) for get_variable."""

    def __init__(self, name_or_scope: Any, default_name: Optional[str] = None, values: Any = None,
                 initializer: Any = None, regularizer: Optional[Callable] = None, caching_device: Any = None,
                 partitioner: Any = None, custom_getter: Optional[Callable] = None, reuse: Any = None,
                 dtype: Any = None, use_resource: Any = None, constraint: Optional[Callable] = None,
                 auxiliary_name_scope: bool = True):
        if default_name is None and name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if name_or_scope is not None and not isinstance(name_or_scope, (VariableScope, str)):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        if reuse not in (None, True, False, AUTO_REUSE):
            raise ValueError(f"reuse must be True, False, None or tf.AUTO_REUSE, got {reuse!r}")
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError(f"The auxiliary_name_scope must be `True` or `False`, while get {auxiliary_name_scope}")
        if reuse is False:
            reuse = None  # a nested scope cannot turn reuse off: False means "inherit"
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = list(values) if values is not None else []
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._auxiliary_name_scope = auxiliary_name_scope
        self._graph = _ops.op_scope_graph(self._values)
        self._contexts: List[Any] = []

    def _enter(self, cm: Any) -> Any:
        value = cm.__enter__()
        self._contexts.append(cm)
        return value

    def __enter__(self) -> VariableScope:
        self._contexts = []
        try:
            if not _ops.get_default_graph()._building_function:
                self._enter(self._graph.as_default())
            return self._enter_scope()
        except BaseException:
            self._exit_all(None, None, None)
            raise

    def _pure(self, name_or_scope: Any, old_name_scope: Optional[str]) -> _pure_variable_scope:
        return _pure_variable_scope(name_or_scope, reuse=self._reuse, initializer=self._initializer,
                                    regularizer=self._regularizer, caching_device=self._caching_device,
                                    partitioner=self._partitioner, custom_getter=self._custom_getter,
                                    old_name_scope=old_name_scope, dtype=self._dtype,
                                    use_resource=self._use_resource, constraint=self._constraint)

    def _enter_scope(self) -> VariableScope:
        g = _ops.get_default_graph()
        current_name_scope: Any = None
        if not self._auxiliary_name_scope:
            ns = g.get_name_scope()
            current_name_scope = g.name_scope(ns + "/" if ns else "")  # re-enter the current name scope
        if self._name_or_scope is not None:
            if isinstance(self._name_or_scope, str):
                name_scope = self._name_or_scope
            else:
                name_scope = self._name_or_scope.name.split("/")[-1]
            if name_scope or current_name_scope is not None:
                current_name_scope = current_name_scope or g.name_scope(name_scope)
                ns_name = self._enter(current_name_scope)
                if isinstance(self._name_or_scope, str):
                    old_name_scope = ns_name
                else:
                    old_name_scope = self._name_or_scope.original_name_scope
                return self._enter(self._pure(self._name_or_scope, old_name_scope))
            return self._enter(self._pure(self._name_or_scope, None))
        if self._reuse:
            raise ValueError("reuse=True cannot be used without a name_or_scope")
        current_name_scope = current_name_scope or g.name_scope(self._default_name)
        ns_name = self._enter(current_name_scope)
        unique_default_name = _get_unique_variable_scope(self._default_name)
        return self._enter(self._pure(unique_default_name, ns_name))

    def _exit_all(self, *exc: Any) -> None:
        while self._contexts:
            cm = self._contexts.pop()
            cm.__exit__(*exc)

    def __exit__(self, *exc: Any) -> None:
        self._exit_all(*exc)
