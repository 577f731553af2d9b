"""Graph, Operation and Tensor: TF1 graph-mode building blocks.

A Graph only grows. Each Operation records its NodeDef at creation; the Session sends the C++
runtime the NodeDefs of operations added since its last call (``Graph._nodes_since``).
"""
from __future__ import annotations

import contextlib
import re
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import protobuf as _protobuf
from graphrt.framework import tensor_shape as _tensor_shape
from graphrt.framework.graph_def import (GRAPH_DEF_VERSION, GRAPH_DEF_VERSION_MIN_CONSUMER, AttrValue,
                                         FunctionDef, GraphDef, NameAttrList, NodeDef, TensorProto,
                                         TensorShapeProto)


class GraphKeys:
    """Standard collection names."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAIN_OP = "train_op"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    VARIABLES = GLOBAL_VARIABLES


_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


# ---- attribute conversion --------------------------------------------------------------------

def _shape_proto(shape: Any) -> TensorShapeProto:
    shape = _tensor_shape.as_shape(shape)
    p = TensorShapeProto()
    if shape.rank is None:
        p.unknown_rank = True
    else:
        for d in shape.as_list():
            p.dim.add(size=-1 if d is None else d)
    p._has.add("dim")  # an empty (scalar) shape is still a set shape
    return p


def _shape_from_proto(p: TensorShapeProto) -> _tensor_shape.TensorShape:
    if p.unknown_rank:
        return _tensor_shape.unknown_shape()
    return _tensor_shape.TensorShape([None if d.size < 0 else d.size for d in p.dim])


def attr_value(value: Any) -> AttrValue:
    """Python value -> AttrValue (DType -> type, TensorShape -> shape, TensorProto -> tensor, ...)."""
    a = AttrValue()
    if isinstance(value, AttrValue):
        a.CopyFrom(value)
    elif isinstance(value, _dtypes.DType):
        a.type = value.as_datatype_enum
    elif isinstance(value, _tensor_shape.TensorShape):
        a.shape.CopyFrom(_shape_proto(value))
    elif isinstance(value, TensorShapeProto):
        a.shape.CopyFrom(value)
    elif isinstance(value, TensorProto):
        a.tensor.CopyFrom(value)
    elif isinstance(value, NameAttrList):
        a.func.CopyFrom(value)
    elif isinstance(value, bool):
        a.b = value
    elif isinstance(value, int):
        a.i = value
    elif isinstance(value, float):
        a.f = value
    elif isinstance(value, (str, bytes)):
        a.s = value
    elif isinstance(value, (list, tuple)):
        lst = a.list
        a._mark(AttrValue._BY_NAME["list"])
        for v in value:
            if isinstance(v, _dtypes.DType):
                lst.type.append(v.as_datatype_enum)
            elif isinstance(v, bool):
                lst.b.append(v)
            elif isinstance(v, int):
                lst.i.append(v)
            elif isinstance(v, float):
                lst.f.append(v)
            elif isinstance(v, (str, bytes)):
                lst.s.append(v.encode() if isinstance(v, str) else v)
            elif isinstance(v, _tensor_shape.TensorShape):
                lst.shape.append(_shape_proto(v))
            elif isinstance(v, TensorProto):
                lst.tensor.append(v)
            else:
                raise TypeError(f"Unsupported list attr element {v!r}")
    else:
        raise TypeError(f"Unsupported attr value {value!r}")
    return a


def attr_to_python(a: AttrValue) -> Any:
    kind = a.WhichOneof("value")
    if kind == "type":
        return _dtypes.as_dtype(a.type)
    if kind == "list":
        lst = a.list
        for field in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
            items = getattr(lst, field)
            if items:
                if field == "type":
                    return [_dtypes.as_dtype(t) for t in items]
                return list(items)
        return []
    if kind is None:
        raise ValueError("attr has no value")
    return getattr(a, kind)


# ---- Tensor ----------------------------------------------------------------------------------

class Tensor:
    """A symbolic handle to one output of an Operation (named ``op_name:index``)."""

    # Tensors are dict keys (feed_dict): equality is identity, as in TF1 graph mode.
    __array_priority__ = 100

    def __init__(self, op: "Operation", value_index: int, dtype: _dtypes.DType):
        self._op = op
        self._value_index = value_index
        self._dtype = _dtypes.as_dtype(dtype)
        self._shape = _tensor_shape.unknown_shape()
        self._name = f"{op.name}:{value_index}"
        self._consumers: List[Operation] = []

    @property
    def op(self) -> "Operation":
        return self._op

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    @property
    def graph(self) -> "Graph":
        return self._op.graph

    @property
    def name(self) -> str:
        return self._name

    @property
    def device(self) -> str:
        return self._op.device

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def shape(self) -> _tensor_shape.TensorShape:
        return self._shape

    def get_shape(self) -> _tensor_shape.TensorShape:
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Merges ``shape`` into the static shape; ValueError when they are incompatible."""
        shape = _tensor_shape.as_shape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self._shape} is not compatible with supplied shape {shape}")
        self._shape = self._shape.merge_with(shape)

    def consumers(self) -> List["Operation"]:
        return list(self._consumers)

    def eval(self, feed_dict: Optional[dict] = None, session: Any = None) -> Any:
        """Runs the default (or given) session to compute this tensor."""
        from graphrt.client import session as _session
        return _session._eval_using(self, feed_dict, session)

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self._name}' shape={self._shape} dtype={self._dtype.name}>"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: Any) -> bool:
        return self is other

    def __ne__(self, other: Any) -> bool:
        return self is not other

    def __bool__(self) -> bool:
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` instead of "
                        "`if t:` to test if a tensor is defined, and use TensorFlow ops such as tf.cond to execute "
                        "subgraphs conditioned on the value of a tensor.")

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("Tensor objects are only iterable when eager execution is enabled. To iterate over this "
                        "tensor use tf.map_fn.")

    def __len__(self) -> int:
        raise TypeError(f"len is not well defined for symbolic Tensors. ({self._name}) Please call `x.shape` rather "
                        "than `len(x)` for shape information.")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(f"Cannot convert a symbolic tf.Tensor ({self._name}) to a numpy array. This error "
                                  "may indicate that you're trying to pass a Tensor to a NumPy call, which is not supported.")

    def _as_node_def_input(self) -> str:
        return self._op.name if self._value_index == 0 else self._name


# ---- Operation -------------------------------------------------------------------------------

class Operation:
    """A node in the graph: its type, inputs, attrs, device and outputs."""

    def __init__(self, graph: "Graph", node_def: NodeDef, inputs: Sequence[Tensor],
                 output_types: Sequence[_dtypes.DType], control_inputs: Sequence["Operation"]):
        self._graph = graph
        self._node_def = node_def
        self._inputs = list(inputs)
        self._control_inputs = list(control_inputs)
        self._outputs = [Tensor(self, i, t) for i, t in enumerate(output_types)]
        self._id = len(graph._ops)
        self._control_outputs: List[Operation] = []
        for t in self._inputs:
            t._consumers.append(self)
        for c in self._control_inputs:
            c._control_outputs.append(self)

    @property
    def name(self) -> str:
        return self._node_def.name

    @property
    def type(self) -> str:
        return self._node_def.op

    @property
    def graph(self) -> "Graph":
        return self._graph

    @property
    def inputs(self) -> Tuple[Tensor, ...]:
        return tuple(self._inputs)

    @property
    def outputs(self) -> List[Tensor]:
        return list(self._outputs)

    def values(self) -> Tuple[Tensor, ...]:
        return tuple(self._outputs)

    @property
    def control_inputs(self) -> List["Operation"]:
        return list(self._control_inputs)

    @property
    def device(self) -> str:
        return self._node_def.device

    @property
    def node_def(self) -> NodeDef:
        return NodeDef.FromString(self._node_def.SerializeToString())

    def _set_device(self, device: str) -> None:
        self._node_def.device = device or ""

    @property
    def traceback(self) -> list:
        return []

    def get_attr(self, name: str) -> Any:
        """The attr's Python value (DType for types, TensorShapeProto/TensorProto for shapes/tensors)."""
        if name not in self._node_def.attr:
            raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.")
        return attr_to_python(self._node_def.attr[name])

    def _set_attr(self, name: str, value: Any) -> None:
        self._node_def.attr[name].CopyFrom(attr_value(value))

    def run(self, feed_dict: Optional[dict] = None, session: Any = None) -> None:
        """Runs this operation in the default (or given) session."""
        from graphrt.client import session as _session
        _session._run_using(self, feed_dict, session)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"

    __str__ = __repr__


# ---- registered tensor conversions -----------------------------------------------------------

_conversion_functions: List[Tuple[int, type, Callable]] = []


def register_tensor_conversion_function(base_type: Any, conversion_func: Callable, priority: int = 100) -> None:
    """``conversion_func(value, dtype=None, name=None, as_ref=False)`` turns ``base_type`` into a Tensor."""
    _conversion_functions.append((priority, base_type, conversion_func))
    _conversion_functions.sort(key=lambda e: e[0])


def convert_to_tensor(value: Any, dtype: Any = None, name: Optional[str] = None,
                      preferred_dtype: Any = None, dtype_hint: Any = None) -> Tensor:
    """Returns ``value`` as a Tensor: Tensors pass through (dtype checked), Python/numpy values
    become Const ops."""
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
        return value
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype={dtype}, name={name})")
    for _, base, fn in _conversion_functions:
        if isinstance(value, base):
            t = fn(value, dtype=dtype, name=name, as_ref=False)
            if t is not NotImplemented:
                return t
    from graphrt.framework import constant_op
    preferred = preferred_dtype if preferred_dtype is not None else dtype_hint
    if dtype is None and preferred is not None:
        try:
            return constant_op.constant(value, dtype=preferred, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant_op.constant(value, dtype=dtype, name=name or "Const")


def convert_n_to_tensor(values: Sequence[Any], dtype: Any = None, name: Optional[str] = None) -> List[Tensor]:
    return [convert_to_tensor(v, dtype=dtype, name=name) for v in values]


# ---- Graph -----------------------------------------------------------------------------------

class Graph:
    """A TF1 dataflow graph: operations, name scopes, control/device scopes and collections."""

    def __init__(self) -> None:
        self._ops: List[Operation] = []
        self._ops_by_name: Dict[str, Operation] = {}
        self._names_in_use: Dict[str, int] = {}
        self._lock = threading.RLock()
        self._finalized = False
        self._collections: Dict[str, list] = {}
        self._thread_local = threading.local()
        self._seed: Optional[int] = None
        self._building_function = False
        self._functions: List[FunctionDef] = []  # library of If/While bodies, in creation order
        self._function_names: set = set()

    # -- scope state is per thread, as in TF --
    @property
    def _scope(self) -> threading.local:
        tl = self._thread_local
        if not hasattr(tl, "name_stack"):
            tl.name_stack = ""
            tl.control_stack = []
            tl.device_stack = []
        return tl

    # -- identity / defaulting --
    def _effective(self) -> "Graph":
        """The graph ops for this graph go to: while a cond/while body nested in this graph is being
        built, that body (so wrappers that enter ``x.graph`` keep building the body)."""
        stack = _default_graph_stack()
        if stack:
            d = stack[-1]
            if d is not self and d._building_function and d._has_ancestor(self):
                return d
        return self

    @contextlib.contextmanager
    def as_default(self) -> Iterator["Graph"]:
        """Makes this graph the default graph of the current thread inside the ``with`` block."""
        target = self._effective()
        if target is not self:
            with target.as_default() as g:
                yield g
            return
        _default_graph_stack().append(self)
        try:
            yield self
        finally:
            _default_graph_stack().pop()

    @property
    def version(self) -> int:
        return len(self._ops)

    @property
    def graph_def_versions(self) -> Any:
        from graphrt.framework.graph_def import VersionDef
        return VersionDef(producer=GRAPH_DEF_VERSION, min_consumer=GRAPH_DEF_VERSION_MIN_CONSUMER)

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """Makes the graph read-only: adding an operation afterwards raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    @property
    def seed(self) -> Optional[int]:
        return self._seed

    @seed.setter
    def seed(self, value: Optional[int]) -> None:
        self._seed = value

    # -- names --
    def get_name_scope(self) -> str:
        return self._scope.name_stack

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """``name`` under the current name scope, suffixed ``_1``, ``_2``, ... when already used."""
        stack = self._scope.name_stack
        if stack:
            name = stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base_key = key
            while key in self._names_in_use:
                key = f"{base_key}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{i - 1}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name: Optional[str]) -> Iterator[str]:
        """Scope for op names; yields the scope prefix ending in '/'. A name ending in '/' is used
        as is; None or '' resets to the top level."""
        target = self._effective()
        if target is not self:
            with target.name_scope(name) as inner:
                yield inner
            return
        scope = self._scope
        old = scope.name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            if not _VALID_SCOPE_NAME.match(name) or (not old and not _VALID_OP_NAME.match(name)):
                raise ValueError(f"'{name}' is not a valid scope name")
            new = self.unique_name(name)
        scope.name_stack = new
        try:
            yield new + "/" if new else ""
        finally:
            scope.name_stack = old

    # -- control dependencies --
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs: Optional[Sequence[Any]]) -> Iterator[None]:
        """Ops created inside run after ``control_inputs``; None clears the enclosing ones."""
        scope = self._scope
        if control_inputs is None:
            saved = scope.control_stack
            scope.control_stack = []
            try:
                yield
            finally:
                scope.control_stack = saved
            return
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            if not isinstance(c, Operation):
                raise TypeError(f"Control input must be Operation or Tensor: {c!r}")
            if c.graph is not self:
                raise ValueError(f"Control input {c.name} must be from the same graph")
            ops.append(c)
        scope.control_stack.append(_ControlFrame(ops))
        try:
            yield
        finally:
            scope.control_stack.pop()

    # -- devices --
    @contextlib.contextmanager
    def device(self, device_name_or_function: Any) -> Iterator[None]:
        """Device for ops created inside: a device string or DeviceSpec (merged with the enclosing
        scopes, inner fields winning), a function op -> device, or None to clear the enclosing ones."""
        spec = device_name_or_function
        if spec is not None and not callable(spec):
            # Parsed now, so a malformed spec fails at the `with` (a ValueError, as in TF).
            spec = _canonical_device(spec)
        stack = self._scope.device_stack
        stack.append(spec)
        try:
            yield
        finally:
            if not stack or stack[-1] is not spec:
                raise RuntimeError("Exiting device scope without proper scope nesting.")
            stack.pop()

    @contextlib.contextmanager
    def colocate_with(self, op: Any, ignore_existing: bool = False) -> Iterator[None]:
        """Ops created inside get ``op``'s device and a ``_class`` attr ``[b"loc:@<op name>"]`` (the
        colocation groups of ``op``), and the placer puts them on ``op``'s device. Device scopes
        entered outside do not apply inside; ``ignore_existing`` drops enclosing colocations.
        ``op`` is an Operation, a Tensor, or anything with an ``.op`` (a Variable)."""
        if op is None and not ignore_existing:
            raise ValueError("Trying to reset colocation (op is None) but ignore_existing is not True")
        op = _op_to_colocate_with(op)
        scope = self._scope
        saved_devices = scope.device_stack
        saved_colocation = getattr(scope, "colocation_stack", [])
        scope.device_stack = []
        colocation = [] if ignore_existing else list(saved_colocation)
        if op is not None:
            colocation.append(op)
        scope.colocation_stack = colocation
        try:
            yield
        finally:
            scope.device_stack = saved_devices
            scope.colocation_stack = saved_colocation

    def _apply_device(self, op: Operation) -> None:
        # Innermost scope first; each outer string spec fills only the fields still unset, a device
        # function sees the op as placed so far, and a None scope stops the walk (TF's order). An
        # enclosing colocate_with then gives the op its colocation groups and the colocated op's device.
        scope = self._scope
        device = ""
        for spec in reversed(scope.device_stack):
            if spec is None:
                break
            if isinstance(spec, str):
                if spec:  # "" is a null merge
                    device = _merge_device(spec, device)
            elif callable(spec):
                op._set_device(device)
                device = spec(op) or ""
                if not isinstance(device, str):
                    device = device.to_string() if hasattr(device, "to_string") else str(device)
            else:
                device = _merge_device(_canonical_device(spec), device)
        colocation = getattr(scope, "colocation_stack", None)
        if colocation:
            groups: set = set()
            colocated_device = None
            for c in reversed(colocation):  # innermost first
                groups.update(_colocation_groups(c))
                if colocated_device is None and c.device:
                    colocated_device = c.device
            if colocated_device is not None:
                device = colocated_device
            op._set_attr("_class", sorted(groups))
        op._set_device(device)

    # -- building --
    def create_op(self, op_type: str, inputs: Sequence[Tensor], dtypes: Any = None, input_types: Any = None,
                  name: Optional[str] = None, attrs: Optional[Dict[str, Any]] = None,
                  compute_shapes: bool = True) -> Operation:
        """Adds an operation. Output dtypes and static shapes come from the op's registered shape
        function (framework/op_registry.py)."""
        from graphrt.framework import op_registry
        target = self._effective()
        if target is not self:
            # Building a cond/while body: ops over outer tensors belong to the body (inputs captured).
            return target.create_op(op_type, inputs, dtypes, input_types, name, attrs, compute_shapes)
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        inputs = self._capture_inputs(list(inputs))
        for t in inputs:
            if not isinstance(t, Tensor):
                raise TypeError(f"Input to {op_type} must be a Tensor, got {t!r}")
            if t.graph is not self:
                raise ValueError(f"Tensor {t.name} must be from the same graph as the {op_type} op being created.")
        with self._lock:
            if name and name.endswith("/"):
                name = name[:-1]  # a scope name ("strided_slice/") names the op exactly, as in TF
                if name in self._ops_by_name:
                    raise ValueError(f"Duplicate node name in graph: '{name}'")
            else:
                name = self.unique_name(name if name else op_type)
            node_def = NodeDef(name=name, op=op_type)
            for t in inputs:
                node_def.input.append(t._as_node_def_input())
            control = []
            input_ops = {t.op for t in inputs}
            frames = self._scope.control_stack
            for frame in frames:
                # An input created inside this block already runs after its control inputs.
                if any(o in frame.seen for o in input_ops):
                    continue
                for c in frame.ops:
                    if c not in control and c not in input_ops:
                        control.append(c)
            for c in control:
                node_def.input.append("^" + c.name)
            for k, v in (attrs or {}).items():
                node_def.attr[k].CopyFrom(attr_value(v))
            spec = op_registry.lookup(op_type)
            out_types = spec.output_types(node_def, inputs)
            op = Operation(self, node_def, inputs, out_types, control)
            self._apply_device(op)
            if compute_shapes:
                for t, s in zip(op._outputs, spec.shapes(op)):
                    t._shape = _tensor_shape.as_shape(s)
            self._ops.append(op)
            self._ops_by_name[name] = op
            for frame in frames:
                frame.seen.add(op)
        return op

    def _has_ancestor(self, graph: "Graph") -> bool:
        return False

    def _capture_inputs(self, inputs: List[Any]) -> List[Any]:
        return inputs

    # -- function library (bodies of If/While) --
    def _root_graph(self) -> "Graph":
        return self

    def _add_function(self, fdef: FunctionDef) -> None:
        """Adds a function body to the root graph's library (names come from _unique_function_name)."""
        root = self._root_graph()
        with root._lock:
            if any(f.signature.name == fdef.signature.name for f in root._functions):
                raise ValueError(f"Function {fdef.signature.name!r} already exists in the graph")
            root._function_names.add(fdef.signature.name)
            root._functions.append(fdef)

    def _unique_function_name(self, base: str) -> str:
        root = self._root_graph()
        with root._lock:
            name = base
            i = 0
            while name in root._function_names:
                i += 1
                name = f"{base}_{i}"
            root._function_names.add(name)
            return name

    def _add_imported_op(self, node_def: NodeDef, inputs: List[Tensor], control: List[Operation]) -> Operation:
        from graphrt.framework import op_registry
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        spec = op_registry.lookup(node_def.op)
        op = Operation(self, node_def, inputs, spec.output_types(node_def, inputs), control)
        for t, s in zip(op._outputs, spec.shapes(op)):
            t._shape = _tensor_shape.as_shape(s)
        self._ops.append(op)
        self._ops_by_name[node_def.name] = op
        key = node_def.name.lower()
        self._names_in_use[key] = max(self._names_in_use.get(key, 0), 1)
        return op

    # -- lookup --
    def get_operations(self) -> List[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj: Any, allow_tensor: bool = True, allow_operation: bool = True) -> Any:
        """Resolves a Tensor, Operation or name ('op' / 'op:0') to an element of this graph."""
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        else:
            types_str = "Operation"
        if hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation)):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                op_name, _, idx = obj.rpartition(":")
                try:
                    out_n = int(idx)
                except ValueError:
                    raise ValueError(f"The name {obj!r} looks a like a Tensor name, but is not a valid one. "
                                     "Tensor names must be of the form \"<op_name>:<output_index>\".")
                op = self._ops_by_name.get(op_name)
                if op is None:
                    raise KeyError(f"The name {obj!r} refers to a Tensor which does not exist. The operation, "
                                   f"{op_name!r}, does not exist in the graph.")
                if out_n >= len(op._outputs) or out_n < 0:
                    raise KeyError(f"The name {obj!r} refers to a Tensor which does not exist. The operation, "
                                   f"{op_name!r}, exists but only has {len(op._outputs)} outputs.")
                return op._outputs[out_n]
            if ":" in obj:
                raise ValueError(f"Name {obj!r} appears to refer to a Tensor, not a {types_str}.")
            op = self._ops_by_name.get(obj)
            if op is None:
                raise KeyError(f"The name {obj!r} refers to an Operation not in the graph.")
            if not allow_operation:
                raise ValueError(f"The name {obj!r} refers to an Operation, not a {types_str}. Tensor names must be "
                                 "of the form \"<op_name>:<output_index>\".")
            return op
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj!r} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj!r} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # -- serialization --
    def as_graph_def(self, from_version: Optional[int] = None, add_shapes: bool = False) -> GraphDef:
        """A GraphDef of the operations (those created after ``from_version`` when given)."""
        start = from_version or 0
        with self._lock:
            ops = self._ops[start:]
            g = GraphDef.FromString(self._encode_graph_def(ops, 0))
        if add_shapes:
            for nd, op in zip(g.node, ops):
                nd.attr["_output_shapes"].CopyFrom(attr_value([t.shape for t in op._outputs]))
        return g

    def _encode_graph_def(self, ops: Sequence["Operation"], start_functions: int) -> bytes:
        """The encoded GraphDef of `ops` and the library functions from `start_functions` on: each
        NodeDef encoded straight into the repeated ``node`` field (copying it into a GraphDef first
        would encode and decode every NodeDef once more, which made the first run of a large graph
        cost more than building it), then library and versions. Concatenated encodings merge."""
        out = bytearray()
        node_field = GraphDef._BY_NAME["node"].number
        for op in ops:
            _protobuf.write_length_delimited(out, node_field, op._node_def.SerializeToString())
        rest = GraphDef()
        self._add_library(rest, start_functions)
        rest.versions.producer = GRAPH_DEF_VERSION
        rest.versions.min_consumer = GRAPH_DEF_VERSION_MIN_CONSUMER
        rest.versions._mark(rest.versions._BY_NAME["producer"])
        out += rest.SerializeToString()
        return bytes(out)

    def _add_library(self, g: GraphDef, start: int) -> None:
        for f in self._functions[start:]:
            g.library.function.append(f)
        if len(self._functions) > start:
            g._mark(GraphDef._BY_NAME["library"])

    def _nodes_since(self, start: int, start_functions: int = 0) -> Tuple[bytes, int, int]:
        """Serialized GraphDef of the ops and library functions added since (start, start_functions),
        with the new counts (incremental transfer)."""
        with self._lock:
            end = len(self._ops)
            return self._encode_graph_def(self._ops[start:end], start_functions), end, len(self._functions)

    # -- collections --
    def add_to_collection(self, name: str, value: Any) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for n in names:
            self.add_to_collection(n, value)

    def get_collection_ref(self, name: str) -> list:
        return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: Optional[str] = None) -> list:
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        regex = re.compile(scope)
        return [i for i in items if hasattr(i, "name") and regex.match(i.name)]

    def get_all_collection_keys(self) -> List[str]:
        return [k for k, v in self._collections.items() if isinstance(v, list)]

    def clear_collection(self, name: str) -> None:
        self._collections.pop(name, None)

    def is_fetchable(self, tensor_or_op: Any) -> bool:
        return True

    def is_feedable(self, tensor: Any) -> bool:
        return True


class _ControlFrame:
    """One control_dependencies block: its control ops and the ops created inside it."""

    __slots__ = ("ops", "seen")

    def __init__(self, ops: List[Operation]):
        self.ops = ops
        self.seen: set = set()


def _merge_device(outer: str, inner: str) -> str:
    """Merges a nested device spec into the enclosing one (inner fields win)."""
    from graphrt.framework import device_spec
    if not inner:
        return device_spec.canonical(outer) if outer else ""
    return device_spec.merge(outer, inner)


def _canonical_device(spec: Any) -> str:
    """A device string or DeviceSpec as a canonical string ('/cpu:0' -> '/device:CPU:0')."""
    from graphrt.framework import device_spec
    if hasattr(spec, "to_string"):
        return device_spec.canonical(spec.to_string())
    if isinstance(spec, bytes):
        spec = spec.decode()
    if not isinstance(spec, str):
        raise TypeError(f"A device must be a string, a DeviceSpec, a function or None, got {type(spec).__name__}")
    return device_spec.canonical(spec)


def _op_to_colocate_with(v: Any) -> Optional[Operation]:
    """The Operation to colocate with: ``v`` itself, a Tensor's op, or the ``.op`` of an object that
    has one (a Variable's VariableV2 op); anything else is converted to a Tensor first."""
    if v is None or isinstance(v, Operation):
        return v
    if isinstance(v, Tensor):
        return v.op
    if isinstance(getattr(v, "op", None), Operation):
        return v.op
    if hasattr(v, "_as_graph_element"):
        el = v._as_graph_element()
        return el if isinstance(el, Operation) else el.op
    return convert_to_tensor(v).op


def _colocation_groups(op: Operation) -> List[bytes]:
    """The op's colocation groups: the ``loc:@`` entries of its ``_class`` attr, else ``loc:@<name>``."""
    attr = op._node_def.attr
    if "_class" in attr:
        groups = [g for g in op.get_attr("_class") if isinstance(g, bytes) and g.startswith(b"loc:@")]
        if groups:
            return groups
    return [f"loc:@{op.name}".encode()]


# ---- default graph stack (per thread, over one process-wide global default) ------------------

_global_default_graph: Optional[Graph] = None
_default_lock = threading.Lock()
_thread_state = threading.local()


def _default_graph_stack() -> List[Graph]:
    if not hasattr(_thread_state, "stack"):
        _thread_state.stack = []
    return _thread_state.stack


def get_default_graph() -> Graph:
    """The innermost ``Graph.as_default()`` graph of this thread, else the global default graph."""
    stack = _default_graph_stack()
    if stack:
        return stack[-1]
    global _global_default_graph
    with _default_lock:
        if _global_default_graph is None:
            _global_default_graph = Graph()
        return _global_default_graph


def reset_default_graph() -> None:
    """Replaces the global default graph with a new empty one."""
    if _default_graph_stack():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared "
                             "graph, exit the nesting and create a new graph.")
    global _global_default_graph
    with _default_lock:
        _global_default_graph = Graph()


def name_scope(name: Optional[str], default_name: Optional[str] = None, values: Any = None) -> Any:
    """``tf.name_scope(name, default_name=None, values=None)`` on the default graph (or the graph of
    ``values``)."""
    n = name if name is not None else default_name
    g = _graph_of(values) if values else get_default_graph()
    return g.name_scope(n)


def _graph_of(values: Any) -> Graph:
    default = get_default_graph()
    for v in values:
        if isinstance(v, (Tensor, Operation)):
            g = v.graph
            if g is not default and default._building_function and default._has_ancestor(g):
                return default  # an outer tensor used inside a cond/while body being built
            return g
    return default


def control_dependencies(control_inputs: Optional[Sequence[Any]]) -> Any:
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function: Any) -> Any:
    return get_default_graph().device(device_name_or_function)


def colocate_with(op: Any, ignore_existing: bool = False) -> Any:
    """``tf.colocate_with(op, ignore_existing=False)`` on the default graph (see Graph.colocate_with)."""
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key: str, scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    return get_default_graph().get_collection_ref(key)


def get_name_scope() -> str:
    return get_default_graph().get_name_scope()


def op_scope_graph(inputs: Sequence[Any]) -> Graph:
    """The graph that an op over ``inputs`` belongs to (that of the first graph element)."""
    return _graph_of(inputs) if inputs else get_default_graph()
