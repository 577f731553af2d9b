"""tf.Variable and its helpers (initializers, collections, assign/scatter ops).

A Variable is a resource variable: a VarHandleOp naming the variable in the session's resource
manager, an AssignVariableOp initializer, and ReadVariableOp reads. Reads are snapshots: later
updates never change a value already read or fetched (the runtime copies on write).
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.ops import resource_variable_ops as _rv

__all__ = [
    "Variable",
    "global_variables",
    "trainable_variables",
    "local_variables",
    "model_variables",
    "all_variables",
    "variables_initializer",
    "global_variables_initializer",
    "local_variables_initializer",
    "initialize_all_variables",
    "initialize_variables",
    "initialize_local_variables",
    "is_variable_initialized",
    "report_uninitialized_variables",
    "assert_variables_initialized",
    "assign",
    "assign_add",
    "assign_sub",
    "scatter_update",
    "scatter_add",
    "scatter_sub",
]


class Variable:
    """``tf.Variable(initial_value, trainable=True, collections=None, validate_shape=True, name=None,
    dtype=None, ...)``: a mutable tensor that lives in the session across runs."""

    def __init__(self, initial_value: Any = None, trainable: Optional[bool] = None, collections: Any = None,
                 validate_shape: bool = True, caching_device: Any = None, name: Optional[str] = None,
                 variable_def: Any = None, dtype: Any = None, expected_shape: Any = None,
                 import_scope: Optional[str] = None, constraint: Optional[Callable] = None,
                 use_resource: Optional[bool] = None, synchronization: Any = None, aggregation: Any = None,
                 shape: Any = None):
        if variable_def is not None:
            raise ValueError("Creating a Variable from a VariableDef is not supported; use tf.train.import_meta_graph")
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        trainable = True if trainable is None else bool(trainable)
        if collections is None:
            collections = [_ops.GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(f"collections argument to Variable constructor must be a list, tuple, or set. Got "
                             f"{collections} of type {type(collections)}")
        collections = list(collections)
        if trainable and _ops.GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(_ops.GraphKeys.TRAINABLE_VARIABLES)
        graph = _ops.get_default_graph()
        if graph._building_function:
            raise ValueError("Creating a tf.Variable inside a cond branch or while_loop body is not supported; "
                             "create it outside and use it inside.")
        self._graph = graph
        self._trainable = trainable
        self._constraint = constraint
        with graph.name_scope(name or "Variable") as scope:
            handle_name = scope[:-1]
            with graph.name_scope("Initializer"):
                init = initial_value() if callable(initial_value) else initial_value
                init = _ops.convert_to_tensor(init, dtype=dtype, name="initial_value")
            if init.dtype == _dtypes.resource:
                raise TypeError("A Variable cannot hold resource handles")
            if shape is not None:
                var_shape = _ts.as_shape(shape)
                if validate_shape and not var_shape.is_compatible_with(init.shape):
                    raise ValueError(f"The initial value's shape ({init.shape}) is not compatible with the "
                                     f"explicitly supplied `shape` argument ({var_shape}).")
            else:
                var_shape = init.shape if validate_shape else _ts.unknown_shape()
            if validate_shape and not init.shape.is_fully_defined() and shape is None:
                raise ValueError(f"initial_value must have a shape specified: {init}")
            self._initial_value = init
            self._dtype = init.dtype
            self._shape = var_shape
            self._handle = _rv.var_handle_op(init.dtype, var_shape, shared_name=handle_name, name=scope)
            # Ops that touch the variable live on its device (TF colocates them with the handle).
            with graph.colocate_with(self._handle.op):
                with graph.name_scope("IsInitialized"):
                    self._is_initialized_op = _rv.var_is_initialized_op(self._handle)
                self._initializer_op = _rv.assign_variable_op(self._handle, init, name="Assign")
                with graph.name_scope("Read"):
                    self._graph_element = _rv.read_variable_op(self._handle, init.dtype)
                    self._graph_element.set_shape(var_shape)
        graph.add_to_collections(collections, self)

    # -- identity --
    @property
    def name(self) -> str:
        return self._handle.name

    @property
    def op(self) -> _ops.Operation:
        return self._handle.op

    @property
    def handle(self) -> _ops.Tensor:
        return self._handle

    @property
    def graph(self) -> _ops.Graph:
        return self._graph

    @property
    def device(self) -> str:
        return self._handle.op.device

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    @property
    def shape(self) -> _ts.TensorShape:
        return self._shape

    def get_shape(self) -> _ts.TensorShape:
        return self._shape

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self) -> Optional[Callable]:
        return self._constraint

    @property
    def initializer(self) -> _ops.Operation:
        return self._initializer_op

    @property
    def initial_value(self) -> _ops.Tensor:
        return self._initial_value

    def __repr__(self) -> str:
        return f"<tf.Variable '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: Any) -> bool:
        return self is other

    def __ne__(self, other: Any) -> bool:
        return self is not other

    # -- reading --
    def value(self) -> _ops.Tensor:
        """The variable's value in a step (a snapshot read)."""
        return self._graph_element

    def read_value(self) -> _ops.Tensor:
        """A new read op: under control dependencies it reads after them."""
        with self._graph.name_scope("Read"), self._graph.colocate_with(self._handle.op):
            t = _rv.read_variable_op(self._handle, self._dtype)
        t.set_shape(self._shape)
        return t

    def sparse_read(self, indices: Any, name: Optional[str] = None) -> _ops.Tensor:
        idx = _ops.convert_to_tensor(indices)
        return _rv.resource_gather(self._handle, idx, self._dtype, name=name)

    def initialized_value(self) -> _ops.Tensor:
        """The value, or the initial value if the variable is not initialized yet."""
        from graphrt.ops import control_flow_ops
        return control_flow_ops.cond(is_variable_initialized(self), self.read_value, lambda: self._initial_value)

    def _as_graph_element(self) -> _ops.Tensor:
        return self._graph_element

    def eval(self, session: Any = None) -> Any:
        """The value in ``session`` (default: the default session)."""
        return self._graph_element.eval(session=session)

    def load(self, value: Any, session: Any = None) -> None:
        """Writes ``value`` into the variable in ``session`` (through the initializer, as TF does)."""
        from graphrt.client.session import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError("Either session argument should be provided or default session should be established")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # -- writing --
    def _update(self, fn: Callable, value: Any, name: Optional[str], read_value: bool) -> Any:
        value = _ops.convert_to_tensor(value, dtype=self._dtype)
        if not self._shape.is_compatible_with(value.shape) and fn is _rv.assign_variable_op:
            raise ValueError(f"Shapes {self._shape} and {value.shape} are incompatible")
        with self._graph.colocate_with(self._handle.op):
            op = fn(self._handle, value, name=name)
        if not read_value:
            return op
        with self._graph.control_dependencies([op]):
            return self.read_value()

    def assign(self, value: Any, use_locking: Any = None, name: Optional[str] = None, read_value: bool = True) -> Any:
        """Sets the value; returns the new value (a tensor) or, with read_value=False, the op."""
        return self._update(_rv.assign_variable_op, value, name or "AssignVariableOp", read_value)

    def assign_add(self, delta: Any, use_locking: Any = None, name: Optional[str] = None,
                   read_value: bool = True) -> Any:
        return self._update(_rv.assign_add_variable_op, delta, name or "AssignAddVariableOp", read_value)

    def assign_sub(self, delta: Any, use_locking: Any = None, name: Optional[str] = None,
                   read_value: bool = True) -> Any:
        return self._update(_rv.assign_sub_variable_op, delta, name or "AssignSubVariableOp", read_value)

    def _scatter(self, op_type: str, indices: Any, updates: Any, name: Optional[str]) -> _ops.Tensor:
        idx = _ops.convert_to_tensor(indices)
        upd = _ops.convert_to_tensor(updates, dtype=self._dtype)
        with self._graph.colocate_with(self._handle.op):
            op = _rv.resource_scatter(op_type, self._handle, idx, upd, name=name)
        with self._graph.control_dependencies([op]):
            return self.read_value()

    def scatter_update(self, sparse_delta: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
        return self._scatter("ResourceScatterUpdate", sparse_delta.indices, sparse_delta.values, name)

    def scatter_add(self, sparse_delta: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
        return self._scatter("ResourceScatterAdd", sparse_delta.indices, sparse_delta.values, name)

    def scatter_sub(self, sparse_delta: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
        return self._scatter("ResourceScatterSub", sparse_delta.indices, sparse_delta.values, name)

    # Tensor-like use: operators and indexing read the value.
    def __getitem__(self, key: Any) -> Any:
        return self._graph_element[key]


def _forward(dunder: str) -> Callable:
    def method(self: Variable, *args: Any) -> Any:
        return getattr(self._graph_element, dunder)(*args)
    method.__name__ = dunder
    return method


for _d in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or"):
    for _n in (f"__{_d}__", f"__r{_d}__"):
        setattr(Variable, _n, _forward(_n))
for _n in ("__lt__", "__le__", "__gt__", "__ge__", "__neg__", "__abs__", "__invert__"):
    setattr(Variable, _n, _forward(_n))


def _variable_to_tensor(v: Variable, dtype: Any = None, name: Optional[str] = None, as_ref: bool = False) -> Any:
    t = v.value()
    if dtype is not None and _dtypes.as_dtype(dtype) != t.dtype:
        raise ValueError(f"Incompatible type conversion requested to type '{_dtypes.as_dtype(dtype).name}' for "
                         f"variable of type '{t.dtype.name}'")
    return t


_ops.register_tensor_conversion_function(Variable, _variable_to_tensor)


# ---- collections and initializers ------------------------------------------------------------------

def global_variables(scope: Optional[str] = None) -> List[Variable]:
    return _ops.get_collection(_ops.GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables() -> List[Variable]:
    return global_variables()


def trainable_variables(scope: Optional[str] = None) -> List[Variable]:
    return _ops.get_collection(_ops.GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: Optional[str] = None) -> List[Variable]:
    return _ops.get_collection(_ops.GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: Optional[str] = None) -> List[Variable]:
    return _ops.get_collection(_ops.GraphKeys.MODEL_VARIABLES, scope)


def variables_initializer(var_list: Sequence[Variable], name: str = "init") -> _ops.Operation:
    """One op running the initializers of ``var_list`` (a NoOp when it is empty)."""
    from graphrt.ops import control_flow_ops
    var_list = list(var_list)
    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def initialize_variables(var_list: Sequence[Variable], name: str = "init") -> _ops.Operation:
    return variables_initializer(var_list, name=name)


def global_variables_initializer() -> _ops.Operation:
    return variables_initializer(global_variables())


def initialize_all_variables() -> _ops.Operation:
    return global_variables_initializer()


def local_variables_initializer() -> _ops.Operation:
    return variables_initializer(local_variables())


def initialize_local_variables() -> _ops.Operation:
    return local_variables_initializer()


def is_variable_initialized(variable: Variable) -> _ops.Tensor:
    """A bool scalar: whether ``variable`` holds a value in the running session."""
    return _rv.var_is_initialized_op(variable.handle)


def report_uninitialized_variables(var_list: Optional[Sequence[Variable]] = None,
                                   name: str = "report_uninitialized_variables") -> _ops.Tensor:
    """A 1-D string tensor with the names of the variables that are not initialized."""
    from graphrt.framework.constant_op import constant
    from graphrt.ops import array_ops, indexing_ops, math_ops
    if var_list is None:
        var_list = global_variables() + local_variables()
    var_list = list(var_list)
    g = _ops.get_default_graph()
    with g.name_scope(name):
        if not var_list:
            return constant([], dtype=_dtypes.string)
        initialized = array_ops.stack([is_variable_initialized(v) for v in var_list])
        names = constant([v.op.name for v in var_list], dtype=_dtypes.string)
        return indexing_ops.boolean_mask(names, math_ops.logical_not(initialized))


def assert_variables_initialized(var_list: Optional[Sequence[Variable]] = None) -> Optional[_ops.Operation]:
    """An op failing with FailedPreconditionError-like InvalidArgumentError if any variable is not
    initialized (None when there are no variables)."""
    from graphrt.ops import array_ops, debug_ops, math_ops
    var_list = list(global_variables() + local_variables() if var_list is None else var_list)
    if not var_list:
        return None
    ok = math_ops.reduce_all(array_ops.stack([is_variable_initialized(v) for v in var_list]))
    return debug_ops.Assert(ok, ["Some variables are not initialized"])


# ---- state ops on variables --------------------------------------------------------------------------

def _as_variable(ref: Any, fn: str) -> Variable:
    if not isinstance(ref, Variable):
        raise TypeError(f"tf.{fn} needs a tf.Variable as `ref`, got {type(ref).__name__}")
    return ref


def assign(ref: Any, value: Any, validate_shape: Optional[bool] = None, use_locking: Optional[bool] = None,
           name: Optional[str] = None) -> Any:
    return _as_variable(ref, "assign").assign(value, name=name)


def assign_add(ref: Any, value: Any, use_locking: Optional[bool] = None, name: Optional[str] = None) -> Any:
    return _as_variable(ref, "assign_add").assign_add(value, name=name)


def assign_sub(ref: Any, value: Any, use_locking: Optional[bool] = None, name: Optional[str] = None) -> Any:
    return _as_variable(ref, "assign_sub").assign_sub(value, name=name)


def scatter_update(ref: Any, indices: Any, updates: Any, use_locking: bool = True, name: Optional[str] = None) -> Any:
    return _as_variable(ref, "scatter_update")._scatter("ResourceScatterUpdate", indices, updates, name)


def scatter_add(ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
    return _as_variable(ref, "scatter_add")._scatter("ResourceScatterAdd", indices, updates, name)


def scatter_sub(ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: Optional[str] = None) -> Any:
    return _as_variable(ref, "scatter_sub")._scatter("ResourceScatterSub", indices, updates, name)
