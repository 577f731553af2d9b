"""Session, InteractiveSession and the default-session stack.

``Session.run`` maps an arbitrarily nested fetch structure to unique graph elements, converts the
feeds, sends the C++ runtime any nodes added since the last call, and runs a cached plan for the
(feeds, fetches, targets) signature with the GIL released.
"""
from __future__ import annotations

import collections.abc
import contextlib
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from graphrt import _core
from graphrt.client import config as _config
from graphrt.framework import dtypes as _dtypes
from graphrt.framework import errors
from graphrt.framework import ops as _ops


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


class _FetchHandler:
    """The unique tensors to fetch and ops to run for one fetch structure."""

    def __init__(self, graph: _ops.Graph, fetches: Any):
        self._mapper = _FetchMapper.for_fetch(fetches, graph)
        self.fetch_names: List[str] = []
        self.target_names: List[str] = []
        # Per unique element: index into the fetched values, or -1 for an Operation (result None).
        self._slots: List[int] = []
        for el in self._mapper.unique_fetches():
            if isinstance(el, _ops.Operation):
                self.target_names.append(el.name)
                self._slots.append(-1)
            else:
                self._slots.append(len(self.fetch_names))
                self.fetch_names.append(el.name)
        self.fetch_tuple = tuple(self.fetch_names)
        self.target_tuple = tuple(self.target_names)
        self.single = isinstance(self._mapper, _ElementFetchMapper)

    def build_results(self, fetched: List[Any]) -> Any:
        if self.single:
            return fetched[0] if self._slots[0] >= 0 else None
        return self._mapper.build_results([fetched[s] if s >= 0 else None for s in self._slots])


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
        if not isinstance(target, (str, bytes)):
            raise TypeError(f"target must be a string, but got {type(target).__name__}")
        target = target.decode() if isinstance(target, bytes) else target
        if target:
            raise errors.UnimplementedError(None, None, f"Session target {target!r} is not supported: only the "
                                                        "in-process target '' is available.")
        inter, intra = _config.thread_counts(config)
        self._graph = graph
        self._target = target
        self._config = config
        self._c: Any = _core.Session(inter, intra)
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
            return _FetchHandler(self._graph, fetches)
        if handler is None:
            handler = _FetchHandler(self._graph, fetches)
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
            results = self._c.run_plan(plan, feed_values)
        except errors.OpError as e:
            self._raise_with_op(e)
        return handler.build_results(results)

    def make_callable(self, fetches: Any, feed_list: Optional[Sequence[Any]] = None,
                      accept_options: bool = False) -> Callable[..., Any]:
        """A function running ``fetches`` with positional feeds in ``feed_list`` order; it holds its
        plan, so a call does no signature lookup and no fetch parsing."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        handler = _FetchHandler(self._graph, fetches)
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
            try:
                return build(run_plan(plan, values))
            except errors.OpError as e:
                session._raise_with_op(e)

        return _callable

    def list_devices(self) -> List[Any]:
        from graphrt.client import device_list
        return device_list.local_devices()


def _shape_str(shape: Any) -> str:
    if shape.rank is None:
        return "<unknown>"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape.as_list()) + (",)" if shape.rank == 1 else ")")


def _flatten_feed(key: Any, value: Any) -> Iterator[Tuple[Any, Any]]:
    """A tuple/list key feeds its tensors from the matching elements of the value, recursively."""
    if isinstance(key, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(key):
            raise ValueError(f"The feed value for a tuple key must be a sequence of {len(key)} values, got {value!r}")
        for k, v in zip(key, value):
            yield from _flatten_feed(k, v)
    else:
        yield key, value


def _feed_array(value: Any, tensor: _ops.Tensor) -> np.ndarray:
    """The feed converted to the tensor's dtype: an ndarray of that dtype passes through unchanged
    (so the runtime can borrow it without a copy)."""
    dtype = tensor.dtype
    if isinstance(value, np.ndarray) and value.dtype == dtype.as_numpy_dtype:
        return value
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
        if target:
            raise errors.UnimplementedError(None, None, f"Session target {target!r} is not supported.")


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
