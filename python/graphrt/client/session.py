"""Session, InteractiveSession and the default-session stack.

``Session.run`` maps an arbitrarily nested fetch structure to unique graph elements, converts the
feeds, sends the C++ runtime any nodes added since the last call, and runs a cached plan for the
(feeds, fetches, targets) signature with the GIL released.
"""
from __future__ import annotations

import collections.abc
import contextlib
import threading
import weakref
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from graphrt import _core
from graphrt.client import config as _config
from graphrt.framework import dtypes as _dtypes
from graphrt.framework import errors
from graphrt.framework import ops as _ops
from graphrt.framework import sparse_tensor as _sparse_tensor
from graphrt.ops import session_ops as _session_ops


_CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


# ---- fetch mapping -------------------------------------------------------------------------------

class _FetchMapper:
    """Maps a (nested) fetch structure to graph elements and rebuilds it from their values."""

    @staticmethod
    def for_fetch(fetch: Any, graph: _ops.Graph) -> "_FetchMapper":
        if fetch is None:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)!r}")
        if isinstance(fetch, (list, tuple)):
            return _ListFetchMapper(fetch, graph)
        if isinstance(fetch, collections.abc.Mapping):
            return _DictFetchMapper(fetch, graph)
        composite = _composite_fetch(fetch)
        if composite is not None:
            return _CompositeFetchMapper(composite[0], composite[1], graph)
        return _ElementFetchMapper(fetch, graph)

    def unique_fetches(self) -> List[Any]:
        raise NotImplementedError

    def build_results(self, values: List[Any]) -> Any:
        raise NotImplementedError


class _ElementFetchMapper(_FetchMapper):
    def __init__(self, fetch: Any, graph: _ops.Graph):
        try:
            self._element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError as e:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)!r}, must be a string or "
                            f"Tensor. ({e})") from None
        except ValueError as e:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({e})") from None
        except KeyError as e:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({e.args[0]})") from None

    def unique_fetches(self) -> List[Any]:
        return [self._element]

    def build_results(self, values: List[Any]) -> Any:
        return values[0]


def _uniquify(mappers: Sequence[_FetchMapper]) -> Tuple[List[Any], List[List[int]]]:
    unique: List[Any] = []
    index: Dict[int, int] = {}
    value_indices = []
    for m in mappers:
        idx = []
        for f in m.unique_fetches():
            j = index.get(id(f))
            if j is None:
                j = index[id(f)] = len(unique)
                unique.append(f)
            idx.append(j)
        value_indices.append(idx)
    return unique, value_indices


class _ListFetchMapper(_FetchMapper):
    def __init__(self, fetches: Any, graph: _ops.Graph):
        # Namedtuples are rebuilt with their own type; other tuples and lists keep theirs.
        self._type = type(fetches)
        self._mappers = [_FetchMapper.for_fetch(f, graph) for f in fetches]
        self._unique, self._value_indices = _uniquify(self._mappers)

    def unique_fetches(self) -> List[Any]:
        return self._unique

    def build_results(self, values: List[Any]) -> Any:
        results = [m.build_results([values[j] for j in vi]) for m, vi in zip(self._mappers, self._value_indices)]
        if issubclass(self._type, list):
            return results
        if self._type is tuple:
            return tuple(results)
        if hasattr(self._type, "_fields"):  # namedtuple
            return self._type(*results)
        return self._type(results)


class _DictFetchMapper(_FetchMapper):
    def __init__(self, fetches: Any, graph: _ops.Graph):
        self._type = type(fetches)
        self._keys = list(fetches.keys())
        self._mappers = [_FetchMapper.for_fetch(fetches[k], graph) for k in self._keys]
        self._unique, self._value_indices = _uniquify(self._mappers)
        self._default_factory = getattr(fetches, "default_factory", None)

    def unique_fetches(self) -> List[Any]:
        return self._unique

    def build_results(self, values: List[Any]) -> Any:
        if self._type is collections.defaultdict:
            results = collections.defaultdict(self._default_factory)
        else:
            results = self._type()
        for k, m, vi in zip(self._keys, self._mappers, self._value_indices):
            results[k] = m.build_results([values[j] for j in vi])
        return results


class _CompositeFetchMapper(_FetchMapper):
    """A SparseTensor or IndexedSlices: fetches its component tensors, builds TF's *Value tuple."""

    def __init__(self, components: Sequence[Any], builder: Callable[..., Any], graph: _ops.Graph):
        self._mappers = [_ElementFetchMapper(c, graph) for c in components]
        self._unique, self._value_indices = _uniquify(self._mappers)
        self._builder = builder

    def unique_fetches(self) -> List[Any]:
        return self._unique

    def build_results(self, values: List[Any]) -> Any:
        return self._builder(*[values[vi[0]] for vi in self._value_indices])


_INDEXED_SLICES: Any = None


def _indexed_slices_types() -> Tuple[Any, Any]:
    global _INDEXED_SLICES
    if _INDEXED_SLICES is None:
        from graphrt.gradients import indexed_slices
        _INDEXED_SLICES = (indexed_slices.IndexedSlices, indexed_slices.IndexedSlicesValue)
    return _INDEXED_SLICES


def _composite_fetch(fetch: Any) -> Optional[Tuple[List[Any], Callable[..., Any]]]:
    """(component tensors, builder of the fetched value) for a SparseTensor or IndexedSlices fetch."""
    if isinstance(fetch, (_ops.Tensor, _ops.Operation, str)):
        return None
    if isinstance(fetch, _sparse_tensor.SparseTensor):
        return [fetch.indices, fetch.values, fetch.dense_shape], _sparse_tensor.SparseTensorValue
    slices, slices_value = _indexed_slices_types()
    if isinstance(fetch, slices):
        if fetch.dense_shape is None:
            return [fetch.values, fetch.indices], lambda v, i: slices_value(v, i, None)
        return [fetch.values, fetch.indices, fetch.dense_shape], slices_value
    return None


def _composite_feed_keys(key: Any) -> Optional[List[Any]]:
    """The component tensors fed for a SparseTensor key (indices, values, dense_shape) or an
    IndexedSlices key (values, indices[, dense_shape]); None for any other key."""
    if isinstance(key, _sparse_tensor.SparseTensor):
        return [key.indices, key.values, key.dense_shape]
    slices, _ = _indexed_slices_types()
    if isinstance(key, slices):
        return [key.values, key.indices] + ([] if key.dense_shape is None else [key.dense_shape])
    return None


class _FetchHandler:
    """The unique tensors to fetch and ops to run for one fetch structure."""

    def __init__(self, graph: _ops.Graph, fetches: Any, session: Optional["BaseSession"] = None):
        self._mapper = _FetchMapper.for_fetch(fetches, graph)
        self.fetch_names: List[str] = []
        self.target_names: List[str] = []
        # Per unique element: index into the fetched values, or -1 for an Operation (result None).
        self._slots: List[int] = []
        # Fetched session handles (GetSessionHandle outputs) come back as TensorHandles: per fetched
        # value, the dtype of the tensor it refers to (None for ordinary tensors); None when there are none.
        self.handle_dtypes: Optional[List[Any]] = None
        for el in self._mapper.unique_fetches():
            if isinstance(el, _ops.Operation):
                self.target_names.append(el.name)
                self._slots.append(-1)
            else:
                if el.op.type in _session_ops.HANDLE_OPS:
                    if self.handle_dtypes is None:
                        self.handle_dtypes = [None] * len(self.fetch_names)
                    self.handle_dtypes.append(el.op.inputs[0].dtype)
                elif self.handle_dtypes is not None:
                    self.handle_dtypes.append(None)
                self._slots.append(len(self.fetch_names))
                self.fetch_names.append(el.name)
        self.fetch_tuple = tuple(self.fetch_names)
        self.target_tuple = tuple(self.target_names)
        self.single = isinstance(self._mapper, _ElementFetchMapper)
        if self.handle_dtypes is not None:
            # Only handlers with handles pay for wrapping them (plain runs keep their fast path).
            self._session_ref = weakref.ref(session) if session is not None else None
            self.build_results = self._build_results_with_handles  # type: ignore[method-assign]

    def build_results(self, fetched: List[Any]) -> Any:
        if self.single:
            return fetched[0] if self._slots[0] >= 0 else None
        return self._mapper.build_results([fetched[s] if s >= 0 else None for s in self._slots])

    def _build_results_with_handles(self, fetched: List[Any]) -> Any:
        """Fetched session handles become TensorHandle objects of the session."""
        session = self._session_ref() if self._session_ref is not None else None
        if session is None:
            raise RuntimeError("Fetching a session handle needs the session that runs it")
        wrapped = [v if d is None else _session_ops.TensorHandle(v, d, session)
                   for v, d in zip(fetched, self.handle_dtypes)]
        return _FetchHandler.build_results(self, wrapped)


# ---- default session stack --------------------------------------------------------------------

_default_session_state = threading.local()


def _default_session_stack() -> List["BaseSession"]:
    if not hasattr(_default_session_state, "stack"):
        _default_session_state.stack = []
    return _default_session_state.stack


def get_default_session() -> Optional["BaseSession"]:
    """The innermost session made default by ``as_default()`` (or ``with Session()``) on this thread."""
    stack = _default_session_stack()
    return stack[-1] if stack else None


def _session_for(element: Any, session: Optional["BaseSession"], what: str) -> "BaseSession":
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(f"Cannot {what} using `eval()`: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to `eval(session=sess)`")
        if session.graph is not element.graph:
            raise ValueError(f"Cannot use the default session to {what}: the {'tensor' if what.endswith('tensor') else 'operation'}'s "
                             "graph is different from the session's graph. Pass an explicit session to "
                             "`eval(session=sess)`.")
    elif session.graph is not element.graph:
        raise ValueError(f"Cannot use the given session to {what}: the tensor's graph is different from the "
                         "session's graph.")
    return session


def _eval_using(tensor: _ops.Tensor, feed_dict: Optional[dict], session: Optional["BaseSession"]) -> Any:
    return _session_for(tensor, session, "evaluate tensor").run(tensor, feed_dict)


def _run_using(op: _ops.Operation, feed_dict: Optional[dict], session: Optional["BaseSession"]) -> None:
    _session_for(op, session, "execute operation").run(op, feed_dict)


# ---- sessions -----------------------------------------------------------------------------------

class BaseSession:
    """Runs a graph's operations in the C++ runtime (``graphrt._core.Session``)."""

    def __init__(self, target: str = "", graph: Optional[_ops.Graph] = None, config: Any = None):
        if graph is None:
            graph = _ops.get_default_graph()
        elif not isinstance(graph, _ops.Graph):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph).__name__}")
        self._closed = True  # until the runtime session exists
        if not isinstance(target, (str, bytes)):
            raise TypeError(f"target must be a string, but got {type(target).__name__}")
        target = target.decode() if isinstance(target, bytes) else target
        _check_target(target)
        options = _config.session_options(config)
        self._graph = graph
        self._target = target
        self._config = config
        self._c: Any = _core.Session(**options)
        self._closed = False
        self._sent_ops = 0
        self._sent_functions = 0
        self._extend_lock = threading.Lock()
        self._plans: Dict[Tuple[Any, ...], Any] = {}
        self._handlers: Dict[Any, _FetchHandler] = {}
        self._context_managers: List[Any] = []

    # -- attributes --
    @property
    def graph(self) -> _ops.Graph:
        return self._graph

    @property
    def graph_def(self) -> Any:
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return self._target

    # -- lifecycle --
    def close(self) -> None:
        """Frees the session's runtime state. Further ``run`` calls raise RuntimeError."""
        if not self._closed:
            self._closed = True
            self._plans.clear()
            self._c.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def as_default(self) -> Any:
        """Context manager making this the default session (for ``Tensor.eval``); does not close it."""
        return _default_session_context(self)

    # -- running --
    def _extend_graph(self) -> None:
        graph = self._graph
        if len(graph._ops) == self._sent_ops:
            return
        with self._extend_lock:
            if len(graph._ops) == self._sent_ops:
                return
            data, end, end_functions = graph._nodes_since(self._sent_ops, self._sent_functions)
            self._c.extend(data)
            self._sent_ops = end
            self._sent_functions = end_functions

    def _fetch_handler(self, fetches: Any) -> _FetchHandler:
        # A single Tensor/Operation/name maps to a cached handler; structures are parsed per call.
        try:
            handler = self._handlers.get(fetches)
        except TypeError:  # unhashable structure
            return _FetchHandler(self._graph, fetches, self)
        if handler is None:
            handler = _FetchHandler(self._graph, fetches, self)
            if handler.single:
                if len(self._handlers) > 4096:
                    self._handlers.clear()
                self._handlers[fetches] = handler
        return handler

    def _process_feeds(self, feed_dict: Any) -> Tuple[List[str], List[np.ndarray]]:
        names: List[str] = []
        values: List[np.ndarray] = []
        if not feed_dict:
            return names, values
        if not isinstance(feed_dict, collections.abc.Mapping):
            raise TypeError(f"feed_dict must be a dict, got {type(feed_dict).__name__}")
        graph = self._graph
        for key, value in feed_dict.items():
            for subkey, subvalue in _flatten_feed(key, value):
                try:
                    t = graph.as_graph_element(subkey, allow_tensor=True, allow_operation=False)
                except Exception as e:
                    raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
                if isinstance(subvalue, (_ops.Tensor, _ops.Operation)):
                    raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
                                    "include Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For "
                                    f"reference, the tensor object was {subvalue!r} which was passed to the feed "
                                    f"with key {t!r}.")
                arr = _feed_array(subvalue, t)
                if not t.shape.is_compatible_with(arr.shape):
                    raise ValueError(f"Cannot feed value of shape {arr.shape!r} for Tensor {t.name!r}, which has "
                                     f"shape {_shape_str(t.shape)!r}")
                if t.name in names:
                    raise ValueError(f"Tensor {t.name!r} is fed more than once in feed_dict")
                names.append(t.name)
                values.append(arr)
        return names, values

    def _plan(self, feed_names: Tuple[str, ...], fetch_names: Tuple[str, ...], target_names: Tuple[str, ...]) -> Any:
        key = (feed_names, fetch_names, target_names)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._c.make_plan(list(feed_names), list(fetch_names), list(target_names))
            self._plans[key] = plan
        return plan

    def _raise_with_op(self, e: errors.OpError) -> None:
        op = self._graph._ops_by_name.get(e._node_name) if e._node_name else None
        if op is not None:
            e._op = op
            e._node_def = op.node_def
        raise e.with_traceback(None)

    def run(self, fetches: Any, feed_dict: Optional[dict] = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        """Runs the graph to compute ``fetches`` (a graph element, its name, or any nesting of lists,
        tuples, namedtuples and dicts of them) with ``feed_dict`` overriding tensor values."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if options is not None and not isinstance(options, _config.RunOptions):
            raise TypeError(f"options must be a tf.RunOptions, got {type(options).__name__}")
        if run_metadata is not None and not isinstance(run_metadata, _config.RunMetadata):
            raise TypeError(f"run_metadata must be a tf.RunMetadata, got {type(run_metadata).__name__}")
        handler = self._fetch_handler(fetches)
        feed_names, feed_values = self._process_feeds(feed_dict)
        try:
            self._extend_graph()
            plan = self._plan(tuple(feed_names), handler.fetch_tuple, handler.target_tuple)
            if options is None and run_metadata is None:
                results = self._c.run_plan(plan, feed_values)
            else:
                results = self._run_with_options(plan, feed_values, options, run_metadata)
        except errors.OpError as e:
            self._raise_with_op(e)
        return handler.build_results(results)

    def _run_with_options(self, plan: Any, values: List[np.ndarray], options: Any, run_metadata: Any) -> List[Any]:
        """A step honouring RunOptions (inter_op_thread_pool, timeout_in_ms, trace_level,
        output_partition_graphs) and filling ``run_metadata``."""
        pool = int(options.inter_op_thread_pool) if options is not None else 0
        timeout = int(options.timeout_in_ms) if options is not None else 0
        trace = (options is not None and run_metadata is not None
                 and int(options.trace_level) > _config.RunOptions.NO_TRACE)
        results, stats = self._c.run_plan_with_options(plan, values, pool, timeout, trace)
        if run_metadata is not None:
            if trace:
                from graphrt.client import step_stats
                run_metadata.step_stats.dev_stats = [step_stats.from_runtime(_CPU0, stats)]
            if options is not None and options.output_partition_graphs:
                run_metadata.partition_graphs = [self._partition_graph(plan)]
        return results

    def _partition_graph(self, plan: Any) -> Any:
        """The pruned graph a plan runs (graphrt runs one partition: the local CPU)."""
        from graphrt.framework.graph_def import GraphDef
        g = GraphDef()
        for name in plan.node_names:
            op = self._graph._ops_by_name.get(name)
            if op is not None:
                g.node.append(op._node_def)
        return g

    def make_callable(self, fetches: Any, feed_list: Optional[Sequence[Any]] = None,
                      accept_options: bool = False) -> Callable[..., Any]:
        """A function running ``fetches`` with positional feeds in ``feed_list`` order; it holds its
        plan, so a call does no signature lookup and no fetch parsing."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        handler = _FetchHandler(self._graph, fetches, self)
        if feed_list and any(_composite_feed_keys(f) is not None for f in feed_list):
            # A SparseTensor / IndexedSlices feed takes a tuple per call: delegate to run(), as TF does.
            keys = list(feed_list)

            def _generic_run(*args: Any, **kwargs: Any) -> Any:
                if kwargs and not accept_options:
                    raise TypeError(f"Callable got unexpected keyword arguments {sorted(kwargs)}")
                if len(args) != len(keys):
                    raise TypeError(f"Callable expects {len(keys)} positional feed values, got {len(args)}")
                return self.run(fetches, feed_dict=dict(zip(keys, args)), **kwargs)

            return _generic_run
        feed_tensors = []
        for f in feed_list or []:
            try:
                feed_tensors.append(self._graph.as_graph_element(f, allow_tensor=True, allow_operation=False))
            except Exception as e:
                raise TypeError(f"Cannot interpret feed_list element as Tensor: {e}") from None
        names = tuple(t.name for t in feed_tensors)
        if len(set(names)) != len(names):
            raise ValueError("feed_list contains the same tensor more than once")
        try:
            self._extend_graph()
            plan = self._plan(names, handler.fetch_tuple, handler.target_tuple)
        except errors.OpError as e:
            self._raise_with_op(e)
        run_plan = self._c.run_plan
        build = handler.build_results
        session = self

        def _callable(*args: Any, **kwargs: Any) -> Any:
            if session._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if kwargs and not accept_options:
                raise TypeError(f"Callable got unexpected keyword arguments {sorted(kwargs)}")
            if len(args) != len(feed_tensors):
                raise TypeError(f"Callable expects {len(feed_tensors)} positional feed values, got {len(args)}")
            values = []
            for t, v in zip(feed_tensors, args):
                arr = _feed_array(v, t)
                if not t.shape.is_compatible_with(arr.shape):
                    raise ValueError(f"Cannot feed value of shape {arr.shape!r} for Tensor {t.name!r}, which has "
                                     f"shape {_shape_str(t.shape)!r}")
                values.append(arr)
            options = kwargs.pop("options", None)
            run_metadata = kwargs.pop("run_metadata", None)
            if kwargs:
                raise TypeError(f"Callable got unexpected keyword arguments {sorted(kwargs)}")
            try:
                if options is None and run_metadata is None:
                    return build(run_plan(plan, values))
                return build(session._run_with_options(plan, values, options, run_metadata))
            except errors.OpError as e:
                session._raise_with_op(e)

        return _callable

    # -- partial runs --
    def partial_run_setup(self, fetches: Any, feeds: Any = None) -> str:
        """Sets up a partial run of ``fetches`` (any fetch structure; Operations run as targets) fed
        by the tensors in ``feeds``; returns the handle for ``partial_run``."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if not self._graph._ops:
            raise RuntimeError("The Session graph is empty.  Add operations to the graph before calling run().")
        if feeds is None:
            feeds = []
        if not isinstance(feeds, (list, tuple)):
            feeds = [feeds]
        feed_names: List[str] = []
        for feed in feeds:
            components = _composite_feed_keys(feed)
            for subfeed in (components if components is not None else [feed]):
                try:
                    t = self._graph.as_graph_element(subfeed, allow_tensor=True, allow_operation=False)
                except Exception as e:
                    raise type(e)(f"Cannot interpret feed_list key as Tensor: {e}") from None
                if t.name not in feed_names:
                    feed_names.append(t.name)
        handler = _FetchHandler(self._graph, fetches, self)
        try:
            self._extend_graph()
            return self._c.partial_run_setup(feed_names, list(handler.fetch_names), list(handler.target_names))
        except errors.OpError as e:
            self._raise_with_op(e)

    def partial_run(self, handle: Optional[str], fetches: Any, feed_dict: Optional[dict] = None) -> Any:
        """Continues partial run ``handle``: feeds ``feed_dict``, runs what became runnable and returns
        ``fetches`` (each declared in ``partial_run_setup`` and fetched at most once). ``handle=None``
        is a plain ``run``."""
        if handle is None:
            return self.run(fetches, feed_dict)
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        handler = self._fetch_handler(fetches)
        if handler.target_names:
            raise RuntimeError("partial_run() requires empty target_list.")
        feed_names, feed_values = self._process_feeds(feed_dict)
        try:
            results = self._c.partial_run(str(handle), feed_names, feed_values, list(handler.fetch_names))
        except errors.OpError as e:
            self._raise_with_op(e)
        return handler.build_results(results)

    # -- session tensors (TensorHandle) --
    def _session_tensor_value(self, handle: str) -> Any:
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        return self._c.get_session_tensor(handle)

    def _delete_session_tensor(self, handle: str) -> None:
        if self._closed:
            return  # closing the session already dropped every stored tensor
        self._c.delete_session_tensor(handle)

    def list_devices(self) -> List[Any]:
        """The session's devices: objects with ``name``, ``device_type``, ``memory_limit_bytes`` and
        ``incarnation`` (one CPU device per ``ConfigProto.device_count['CPU']``, default 1)."""
        from graphrt.client import device_list
        return [device_list._DeviceAttributes(*d) for d in self._c.devices()]


_LOCAL_TARGETS = ("", "local")


def _check_target(target: str) -> None:
    """'' and 'local' run in-process; any other target needs the distributed runtime (not available)."""
    if target not in _LOCAL_TARGETS:
        raise errors.UnimplementedError(
            None, None, f"Session target {target!r} is not supported: graphrt runs sessions in-process only "
                        "(target '' or 'local'); the distributed runtime is not available.")


def _shape_str(shape: Any) -> str:
    if shape.rank is None:
        return "<unknown>"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape.as_list()) + (",)" if shape.rank == 1 else ")")


def _flatten_feed(key: Any, value: Any) -> Iterator[Tuple[Any, Any]]:
    """A tuple/list key feeds its tensors from the matching elements of the value, recursively; a
    SparseTensor key takes a SparseTensorValue or an (indices, values, dense_shape) tuple, an
    IndexedSlices key an IndexedSlicesValue or a (values, indices[, dense_shape]) tuple."""
    if isinstance(key, _ops.Tensor):
        yield key, value
    elif isinstance(key, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(key):
            raise ValueError(f"The feed value for a tuple key must be a sequence of {len(key)} values, got {value!r}")
        for k, v in zip(key, value):
            yield from _flatten_feed(k, v)
    elif isinstance(key, str):
        yield key, value
    else:
        components = _composite_feed_keys(key)
        if components is None:
            yield key, value
            return
        if not isinstance(value, (tuple, list)) or len(value) != len(components):
            kind = "SparseTensorValue or an (indices, values, dense_shape)" \
                if isinstance(key, _sparse_tensor.SparseTensor) else "IndexedSlicesValue or a (values, indices, dense_shape)"
            raise TypeError(f"The feed value for {key!r} must be a {kind} tuple, got {value!r}")
        yield from zip(components, value)


def _feed_array(value: Any, tensor: _ops.Tensor) -> np.ndarray:
    """The feed converted to the tensor's dtype: an ndarray of that dtype passes through unchanged
    (so the runtime can borrow it without a copy)."""
    dtype = tensor.dtype
    if isinstance(value, np.ndarray) and value.dtype == dtype.as_numpy_dtype:
        return value
    if isinstance(value, _session_ops.TensorHandle):
        if dtype == _dtypes.string and (value.dtype != _dtypes.string or _session_ops.is_handle_feeder(tensor)):
            value = value.to_numpy_array()  # the handle string, for a get_session_tensor placeholder
        else:
            # Any other tensor is fed the stored value itself, as TensorFlow resolves a fed handle.
            if value.dtype != dtype:
                raise TypeError(f"Cannot feed a TensorHandle of dtype {value.dtype.name} to {tensor.name!r} of "
                                f"dtype {dtype.name}")
            value = value.eval()
            if isinstance(value, np.ndarray) or np.isscalar(value):
                return np.asarray(value, dtype=dtype.as_numpy_dtype)
    if dtype == _dtypes.string:
        from graphrt.framework.tensor_util import to_numpy
        return to_numpy(value, _dtypes.string)
    try:
        if isinstance(value, np.ndarray) and value.dtype.kind in "USO":
            raise TypeError(f"cannot feed string data to a {dtype.name} tensor")
        if isinstance(value, (str, bytes)):
            raise TypeError(f"cannot feed a string to a {dtype.name} tensor")
        return np.asarray(value, dtype=dtype.as_numpy_dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"Cannot convert the feed value for {tensor.name!r} to {dtype.name}: {e}") from None


@contextlib.contextmanager
def _default_session_context(session: BaseSession) -> Iterator[BaseSession]:
    stack = _default_session_stack()
    stack.append(session)
    try:
        yield session
    finally:
        stack.remove(session) if session in stack else None


class Session(BaseSession):
    """``tf.Session(target='', graph=None, config=None)``. As a context manager it becomes the
    default session and its graph the default graph, and it is closed on exit."""

    def __enter__(self) -> "Session":
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        graph_cm = self._graph.as_default()
        session_cm = self.as_default()
        graph_cm.__enter__()
        session_cm.__enter__()
        self._context_managers.append((graph_cm, session_cm))
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        graph_cm, session_cm = self._context_managers.pop()
        try:
            session_cm.__exit__(exc_type, exc_value, tb)
            graph_cm.__exit__(exc_type, exc_value, tb)
        finally:
            self.close()

    @staticmethod
    def reset(target: str, containers: Any = None, config: Any = None) -> None:
        """Resets resource containers on a target; the in-process target keeps none beyond sessions."""
        target = target.decode() if isinstance(target, bytes) else target
        _check_target(target)


class InteractiveSession(BaseSession):
    """A session that installs itself (and its graph) as the default on construction, for shells."""

    def __init__(self, target: str = "", graph: Optional[_ops.Graph] = None, config: Any = None):
        super().__init__(target, graph, config)
        self._session_cm = self.as_default()
        self._session_cm.__enter__()
        self._graph_cm = self._graph.as_default()
        self._graph_cm.__enter__()

    def close(self) -> None:
        if not self._closed:
            super().close()
            try:
                self._graph_cm.__exit__(None, None, None)
            except (IndexError, AssertionError):
                pass
            self._session_cm.__exit__(None, None, None)
